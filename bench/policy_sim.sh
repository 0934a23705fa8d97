#!/bin/sh
# bench/policy_sim.sh: builds and runs the conversation-policy simulation
# (bench/policy_sim.c, issue 4): 100,000 scripted conversations through the
# real NLU on the demo knowledge base and the real lk_policy_step(). Prints a
# markdown report; exits non-zero when an invariant was violated.
#
#   bench/policy_sim.sh [policy_sim options...]   e.g. --conversations 20000 --seed 7 --threads 1
#
# Two threads by default; the figures do not depend on the number of threads.
#
# Environment: LOKET_BUILD_DIR (default build): where libloketcore.a is, or is
# built with CMake; the program is left there as policy_sim. CC (default cc).
set -eu
cd "$(dirname "$0")/.."
BUILD=${LOKET_BUILD_DIR:-build}
CC=${CC:-cc}
LOG="$BUILD/policy_sim.build.log"
mkdir -p "$BUILD"
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
    cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$LOG" 2>&1 || { cat "$LOG" >&2; exit 2; }
fi
cmake --build "$BUILD" --target loketcore -j "${JOBS:-2}" >"$LOG" 2>&1 || { cat "$LOG" >&2; exit 2; }
# shellcheck disable=SC2046 # pkg-config prints several words on purpose
$CC -std=c11 -O2 -g -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
    -Isrc bench/policy_sim.c "$BUILD/libloketcore.a" \
    $(pkg-config --libs libh2o-evloop jansson sqlite3 libsodium libutf8proc openssl zlib) \
    -lwslay -lstemmer -lpthread -lm -o "$BUILD/policy_sim"
exec "$BUILD/policy_sim" --threads 2 "$@"
