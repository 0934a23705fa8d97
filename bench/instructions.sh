#!/usr/bin/env bash
# Instructions per conversation turn, counted with valgrind's callgrind
# (docs/performance.md, "Instructions per turn"): a figure that, unlike CPU
# time, does not move with the machine's other load, so two binaries can be
# compared on a busy machine.
#
#   bench/instructions.sh BIN [BIN...]
#
# For each BIN: starts `BIN serve` under callgrind (one profile per thread)
# on a fresh data directory with the options bench/run.sh uses, drives it
# with bench/loadgen in turn mode for a warm-up (counters then zeroed: the
# start-up and the first turns are left out), then for BENCH_DURATION
# seconds, dumps the counters and stops it. Prints one markdown table:
# instructions per turn of the writer thread (the one thread that commits),
# of the event-loop threads and of the whole process (every thread,
# the knowledge-base watcher's polling included), each divided by the turns
# loadgen completed; new conversations are included as in bench/run.sh.
# Per-function figures: callgrind_annotate --inclusive=yes on the kept
# profile files (their directory is printed).
#
# Environment: BENCH_DURATION (seconds of measured load, default 30: under
# callgrind a turn takes some 30 ms), BENCH_CONNS (concurrent conversations,
# default 1: one job per commit, so the writer's work per turn does not
# depend on how the turns happened to group), BENCH_KEEP (directory for the
# profiles, default a new temporary one).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

[ $# -ge 1 ] || { echo "usage: $0 BIN [BIN...]" >&2; exit 1; }
for tool in cc valgrind callgrind_control; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (scripts/deps.sh bench installs it)" >&2; exit 1; }
done
DURATION=${BENCH_DURATION:-30}
CONNS=${BENCH_CONNS:-1}
keep=${BENCH_KEEP:-$(mktemp -d "${TMPDIR:-/tmp}/loket-instructions.XXXXXX")}
mkdir -p "$keep"
cc -O2 -Wall -pthread -o "$keep/loadgen" bench/loadgen.c

vpid=""
trap '[ -n "$vpid" ] && kill "$vpid" 2>/dev/null; true' EXIT INT TERM

# summary_of FILE: the instructions a callgrind profile file counted.
summary_of() { sed -n 's/^summary: *//p' "$1" | head -1; }

rows=""
n=0
for bin in "$@"; do
  [ -x "$bin" ] || { echo "bench: $bin is not an executable" >&2; exit 1; }
  n=$((n + 1))
  out="$keep/$n"
  mkdir -p "$out"
  port=$(free_port)
  valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$out/callgrind.out" \
    "$bin" serve --listen "127.0.0.1:$port" --data "$out/data" --log_level warn \
    --limit_messages_conversation 0 --limit_messages_address 0 --limit_conversations_address 0 \
    --limit_open_conversations 0 --policy.business_hours always 2>"$out/log" &
  vpid=$!
  # Under callgrind, building the bot takes a minute or more.
  up=""
  for _ in $(seq 1 1500); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then up=1; break; fi
    kill -0 "$vpid" 2>/dev/null || break
    sleep 0.2
  done
  [ -n "$up" ] || { echo "bench: $bin did not start under callgrind:" >&2; tail -20 "$out/log" >&2; exit 1; }
  "$keep/loadgen" --port "$port" --conns "$CONNS" --duration 5 --warmup 0 --mode turn >/dev/null
  callgrind_control --zero "$vpid" >/dev/null 2>&1
  line=$("$keep/loadgen" --port "$port" --conns "$CONNS" --duration "$DURATION" --warmup 0 --mode turn)
  callgrind_control --dump "$vpid" >/dev/null 2>&1
  kill -INT "$vpid"
  wait "$vpid" || true
  vpid=""
  turns=$(field turns "$line")
  # The dump's files, one per thread: callgrind.out.1-NN.
  writer=0 loops=0 total=0
  for f in "$out"/callgrind.out.1-*; do
    ir=$(summary_of "$f")
    total=$((total + ir))
    if grep -q 'lk_store_commit' "$f"; then writer=$((writer + ir)); fi
    if grep -q 'loop_main' "$f"; then loops=$((loops + ir)); fi
  done
  per() { awk -v i="$1" -v t="$turns" 'BEGIN { if (t > 0) printf "%.0f", i / t; else print "-" }'; }
  rows+="| $bin | $turns | $(per "$writer") | $(per "$loops") | $(per "$total") |"$'\n'
  echo "bench: $bin: $line" >&2
done

cat <<EOF
## Instructions per turn (callgrind), $(date -u +%Y-%m-%dT%H:%MZ)

bench/loadgen, turn mode, $CONNS conversation(s), ${DURATION}s measured after a 5 s warm-up; profiles in $keep.

| binary | turns | writer instructions/turn | event loops instructions/turn | whole process instructions/turn |
| --- | ---: | ---: | ---: | ---: |
${rows%$'\n'}
EOF
