#!/usr/bin/env bash
# loket's benchmark against an earlier revision (`make bench-compare`;
# docs/performance.md, "Against an earlier commit").
#
#   bench/compare.sh [REV]      REV defaults to HEAD~1 (the previous commit)
#
#   1. Builds REV's loket (release build, the loket target only) from a copy of
#      REV's tree (`git archive`, in a temporary directory; the checkout and its
#      git metadata are not touched). The binary is kept in
#      build-bench/<commit>/ so that a second comparison against the same
#      commit does not build it again.
#   2. Starts both binaries, REV's (A) and this tree's (B, LOKET_BIN, default
#      build/loket), each on a fresh data directory and its own loopback port,
#      with the options bench/run.sh uses.
#   3. Runs the conversation-turn measurement of bench/run.sh (bench/loadgen,
#      turn mode) against them in turn, A B B A A B ..., BENCH_ROUNDS times
#      each, so that the machine's drift during the run and going first fall
#      on both alike; counts the turns and the writer thread's and the
#      server's CPU time of each.
#   4. Prints one markdown table: turns/s, writer CPU us/turn and loket CPU
#      us/turn for A and B and their ratio, and flags B when it is more than
#      10% worse than A on turns/s or writer CPU per turn (exit status 3); a
#      copy goes to bench/results/.
#
# Environment: LOKET_BIN (B, default build/loket), BENCH_DURATION (seconds per
# measurement, default 10), BENCH_CONNS (concurrent conversations, default
# 16), BENCH_ROUNDS (default 4), BENCH_TOLERANCE (percent, default 10), JOBS
# (build jobs, default nproc).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

REV=${1:-HEAD~1}
BIN=${LOKET_BIN:-build/loket}
DURATION=${BENCH_DURATION:-10}
CONNS=${BENCH_CONNS:-16}
ROUNDS=${BENCH_ROUNDS:-4}
TOLERANCE=${BENCH_TOLERANCE:-10}
JOBS=${JOBS:-$(nproc)}

for tool in cc cmake git tar; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (make bench installs it)" >&2; exit 1; }
done
[ -x "$BIN" ] || { echo "bench: $BIN is missing; run make build" >&2; exit 1; }
rev=$(git rev-parse --verify --quiet "$REV^{commit}") || { echo "bench: $REV is not a commit" >&2; exit 1; }
rev_name="$(git rev-parse --short "$rev") ($REV)"
this_name="$(git describe --always --dirty 2>/dev/null || echo '?') (this tree)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/loket-compare.XXXXXX")
pid_a=""
pid_b=""
cleanup() {
  for p in $pid_a $pid_b; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# ---- REV's binary -------------------------------------------------------------
base_dir="build-bench/$rev"
base_bin="$base_dir/loket"
if [ ! -x "$base_bin" ]; then
  echo "bench: building loket at $rev_name in $tmp/src" >&2
  mkdir -p "$tmp/src" "$base_dir"
  git archive "$rev" | tar -x -C "$tmp/src"
  # The build embeds two npm packages (CMakeLists.txt); REV pins the same way.
  [ -e node_modules ] && ln -s "$PWD/node_modules" "$tmp/src/node_modules"
  if ! { cmake -S "$tmp/src" -B "$tmp/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLOKET_TESTS=OFF &&
         cmake --build "$tmp/build" -j "$JOBS" --target loket; } >"$tmp/build.log" 2>&1; then
    echo "bench: building $rev_name failed; its log ends with:" >&2
    tail -30 "$tmp/build.log" >&2
    exit 1
  fi
  cp "$tmp/build/loket" "$base_bin.part"
  mv "$base_bin.part" "$base_bin"
fi

cc -O2 -Wall -pthread -o "$tmp/loadgen" bench/loadgen.c

# ---- both servers ---------------------------------------------------------------
port_a=$(free_port)
start_loket "$base_bin" "$port_a" "$tmp/data-a" "$tmp/a.log"
pid_a=$started_pid
port_b=$(free_port)
while [ "$port_b" = "$port_a" ]; do port_b=$(free_port); done
start_loket "$BIN" "$port_b" "$tmp/data-b" "$tmp/b.log"
pid_b=$started_pid

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
echo "bench: A = $rev_name on :$port_a, B = $this_name on :$port_b," \
  "$ROUNDS rounds of ${DURATION}s at $CONNS conversations" >&2

# ---- measurements, interleaved ----------------------------------------------------
declare -A turns=([A]=0 [B]=0) wticks=([A]=0 [B]=0) pticks=([A]=0 [B]=0) errors=([A]=0 [B]=0)
declare -A per_round=([A]="" [B]="") wus_round=([A]="" [B]="")
declare -A pid=([A]="$pid_a" [B]="$pid_b") port=([A]="$port_a" [B]="$port_b") log=([A]="$tmp/a.log" [B]="$tmp/b.log")

# A B, then B A, and so on: whatever goes first in a pair (a warmer cache, the
# machine's load drifting) falls on each side equally often.
for round in $(seq 1 "$ROUNDS"); do
  order="A B"
  [ $((round % 2)) -eq 0 ] && order="B A"
  for side in $order; do
    measure "$tmp/loadgen" "${pid[$side]}" "${port[$side]}" "${log[$side]}" "$CONNS" turn
    line=$measured_line
    echo "bench: round $round $side: $line" >&2
    turns[$side]=$((turns[$side] + $(field turns "$line")))
    errors[$side]=$((errors[$side] + $(field errors "$line")))
    wticks[$side]=$((wticks[$side] + measured_wticks))
    pticks[$side]=$((pticks[$side] + measured_pticks))
    per_round[$side]+="${per_round[$side]:+ / }$(field turns_per_s "$line")"
    wus_round[$side]+="${wus_round[$side]:+ / }$(per_turn_us "$measured_wticks" "$(field turns "$line")")"
  done
done

for side in A B; do
  kill -0 "${pid[$side]}" 2>/dev/null || { echo "bench: $side died during the run" >&2; tail -20 "${log[$side]}" >&2; exit 1; }
done

# ---- report -----------------------------------------------------------------------
rate() { awk -v n="$1" -v r="$ROUNDS" -v d="$DURATION" 'BEGIN { printf "%.1f", n / (r * d) }'; }
ratio() { awk -v b="$1" -v a="$2" 'BEGIN { if (a > 0 && b != "-") printf "%.3f", b / a; else print "-" }'; }
declare -A tps wus pus
for side in A B; do
  tps[$side]=$(rate "${turns[$side]}")
  # Every measurement has the same warm-up, so the sums scale as one does.
  wus[$side]=$(per_turn_us "${wticks[$side]}" "${turns[$side]}")
  pus[$side]=$(per_turn_us "${pticks[$side]}" "${turns[$side]}")
done
r_tps=$(ratio "${tps[B]}" "${tps[A]}")
r_wus=$(ratio "${wus[B]}" "${wus[A]}")
r_pus=$(ratio "${pus[B]}" "${pus[A]}")

verdict=""
worse() { # worse RATIO higher|lower -> prints a flag when RATIO is beyond the tolerance the wrong way
  awk -v r="$1" -v dir="$2" -v t="$TOLERANCE" 'BEGIN {
    if (r == "-") exit
    if (dir == "lower" && r < 1 - t / 100) printf " **%.0f%% worse**", (1 - r) * 100
    if (dir == "higher" && r > 1 + t / 100) printf " **%.0f%% worse**", (r - 1) * 100 }'
}
f_tps=$(worse "$r_tps" lower)
f_wus=$(worse "$r_wus" higher)
[ -n "$f_tps$f_wus" ] && verdict="B is more than ${TOLERANCE}% worse than A."

report=$(cat <<EOF
## loket benchmark against $rev_name, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(uname -r)

Conversation turns (bench/loadgen, turn mode, $CONNS conversations; $ROUNDS rounds of ${DURATION}s each after 1s warm-up,
A and B in turn: A B, B A, A B ...). A = $rev_name, B = $this_name.

| binary | turns/s | turns/s per round | writer CPU us/turn | per round | loket CPU us/turn | errors |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
| A | ${tps[A]} | ${per_round[A]} | ${wus[A]} | ${wus_round[A]} | ${pus[A]} | ${errors[A]} |
| B | ${tps[B]} | ${per_round[B]} | ${wus[B]} | ${wus_round[B]} | ${pus[B]} | ${errors[B]} |
| B / A | ${r_tps}${f_tps} | | ${r_wus}${f_wus} | | ${r_pus} | |

Tolerance: B within ${TOLERANCE}% of A on turns/s and writer CPU per turn. Load average at the start: ${load_start}.
The rounds show the noise; on a busy machine, compare against the same binary on both sides first
(LOKET_BIN=build-bench/<commit>/loket) to see how far apart A and B come by chance.
${verdict:-B is within the tolerance.}
EOF
)
echo "$report"
mkdir -p bench/results
echo "$report" >"bench/results/compare-$(date -u +%Y%m%dT%H%M%SZ).md"
[ -z "$verdict" ] || exit 3
