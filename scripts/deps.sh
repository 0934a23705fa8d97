#!/usr/bin/env bash
# Installs the Debian packages and the npm packages of package-lock.json that
# loket needs, and only those that are missing.
#   scripts/deps.sh build   what `make run` needs: compiler, CMake, libraries,
#                           Node.js + npm for the console's browser libraries
#                           (uPlot for charts, qrcode-generator for QR codes)
#   scripts/deps.sh test    the above, plus the test tools (Criterion, Node.js)
#   scripts/deps.sh bench   the above, plus nginx-light and wrk for comparison,
#                           valgrind for instructions per turn (bench/instructions.sh)
#   scripts/deps.sh fuzz    the test tools, plus llvm's symbolizer for readable fuzz reports
set -euo pipefail
cd "$(dirname "$0")/.."

# john-data: John the Ripper's list of common passwords, embedded into the
# program to refuse them as new passwords (CMakeLists.txt, src/password/).
# hunspell-nl, wordnet-base, dict-freedict-nld-eng, dict-freedict-eng-nld: the
# data scripts/lexicon.sh derives the NLU's synonym lexicon from at build time.
build_pkgs=(build-essential cmake pkg-config libh2o-evloop-dev libwslay-dev libssl-dev zlib1g-dev
            libjansson-dev libsqlite3-dev libsodium-dev libutf8proc-dev libstemmer-dev libcmark-dev liboath-dev
            john-data hunspell-nl wordnet-base dict-freedict-nld-eng dict-freedict-eng-nld)
# clang's libFuzzer and sanitizer runtimes are only recommended by clang:
# libclang-rt-dev brings them (the fuzz smoke of `make test` needs them).
test_pkgs=(libcriterion-dev sqlite3 clang libclang-rt-dev chromium fonts-dejavu-core)
bench_pkgs=(nginx-light wrk valgrind)
fuzz_pkgs=(llvm)

want=("${build_pkgs[@]}")
case "${1:-build}" in
  build) ;;
  test) want+=("${test_pkgs[@]}") ;;
  bench) want+=("${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
  fuzz) want+=("${test_pkgs[@]}" "${fuzz_pkgs[@]}") ;;
  *) echo "usage: $0 build|test|bench|fuzz" >&2; exit 1 ;;
esac

# Node.js: any installation with npm will do (the machine may have one that is
# not Debian's); Debian's packages only when the commands are missing. The
# build needs npm too: the dashboard's chart library and the account page's
# QR code generator come from npm and are embedded into the program
# (CMakeLists.txt).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  want+=(nodejs npm)
fi

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing Debian packages: ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages exactly as locked: the two browser libraries the build embeds,
# and the tools of the integration and browser tests.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
