#!/usr/bin/env bash
# Runs loket's libFuzzer drivers (docs/security.md, "Fuzzing") and prints, per
# driver, the executions, time, executions per second, coverage (edges and
# features), corpus size and any finding.
#   fuzz/run.sh BUILD_DIR           the campaign: FUZZ_RUNS executions each
#   fuzz/run.sh --smoke BUILD_DIR   CI's smoke: FUZZ_SMOKE_TIME s or FUZZ_SMOKE_RUNS runs each
# Environment: FUZZ_RUNS (10000000), FUZZ_TIME (seconds per driver, 0: no
# limit), FUZZ_DRIVERS (names, default all), FUZZ_JOBS (drivers at once, 1),
# FUZZ_WORKERS (processes per driver, sharing its corpus, the executions
# split between them; 1), FUZZ_NICE (nice level, 0), FUZZ_SMOKE_TIME (15), FUZZ_SMOKE_RUNS (300000),
# FUZZ_WORK (the work folder: BUILD_DIR/fuzz-work, the smoke's
# BUILD_DIR/fuzz-smoke). Seeds come from fuzz/corpus/DRIVER (read only); new
# corpus entries, crash files, logs and results.tsv go to the work folder
# (WORK/DRIVER/). Exit status 1 when any driver found something.
set -uo pipefail
cd "$(dirname "$0")/.."

smoke=0
if [ "${1:-}" = --smoke ]; then smoke=1; shift; fi
build=${1:?usage: fuzz/run.sh [--smoke] BUILD_DIR}
bindir=$build/fuzz
work=${FUZZ_WORK:-$build/fuzz-work}
runs=${FUZZ_RUNS:-10000000}
time=${FUZZ_TIME:-0}
if [ $smoke = 1 ]; then
  work=${FUZZ_WORK:-$build/fuzz-smoke}
  runs=${FUZZ_SMOKE_RUNS:-300000}
  time=${FUZZ_SMOKE_TIME:-15}
fi
jobs=${FUZZ_JOBS:-1}
workers=${FUZZ_WORKERS:-1}
nicelevel=${FUZZ_NICE:-0}

# The longest input each driver gets: what loket itself lets through (a
# message's text: max_text 4000; request bodies and KB files are larger, but
# longer inputs only repeat structure and slow the search down).
max_len() {
  case $1 in
    fuzz_kb_*) echo 16384 ;;
    fuzz_policy_state) echo 1024 ;;
    *) echo 4096 ;;
  esac
}

drivers=${FUZZ_DRIVERS:-$(cd "$bindir" && ls fuzz_* 2>/dev/null | sort | tr '\n' ' ')}
if [ -z "${drivers// /}" ]; then
  echo "fuzz/run.sh: no drivers in $bindir (build them: make fuzz)" >&2
  exit 2
fi
mkdir -p "$work"

# The figures of one driver's logs: executions summed over its processes,
# coverage and features the highest any reached.
sum_stat() { sed -n "s/^stat::$1: *//p" "$@" 2>/dev/null | awk '{s += $1} END {print s + 0}'; }
max_of() { grep -oh "$1: [0-9]*" "${@:2}" | cut -d' ' -f2 | sort -n | tail -1; }

run_one() {
  local d=$1 dir=$work/$1
  mkdir -p "$dir/corpus"
  local per=$(((runs + workers - 1) / workers))
  local opts=(-runs="$per" -max_len="$(max_len "$d")" -max_total_time="$time" -timeout=10
              -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$dir/")
  [ -f "fuzz/$d.dict" ] && opts+=(-dict="fuzz/$d.dict")
  local seeds=()
  [ -d "fuzz/corpus/$d" ] && seeds=("fuzz/corpus/$d")
  local t0=$SECONDS rc=0 w logs=() pids=()
  # the processes share the corpus folder: each reads in what the others
  # add (libFuzzer's -reload); each writes its own log (log, log.2, ...)
  for ((w = 1; w <= workers; w++)); do
    local log=$dir/log seed=()
    [ "$w" -gt 1 ] && log=$dir/log.$w
    # the smoke is the same search every time (CI stays reproducible); the
    # campaign takes a fresh seed per run
    [ $smoke = 1 ] && seed=(-seed="$w")
    logs+=("$log")
    # a shorter allocation history and quarantine than ASan's defaults: the
    # inputs are small, and these two cost a third of the time
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1:malloc_context_size=8:quarantine_size_mb=64 \
      UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      nice -n "$nicelevel" "$bindir/$d" "${opts[@]}" "${seed[@]}" "$dir/corpus" "${seeds[@]}" >"$log" 2>&1 &
    pids+=($!)
  done
  for w in "${pids[@]}"; do
    wait "$w" || rc=$?
  done
  local secs=$((SECONDS - t0))
  local execs eps cov ft corp finding=none
  execs=$(sum_stat number_of_executed_units "${logs[@]}")
  eps=$((execs / (secs > 0 ? secs : 1)))
  cov=$(max_of cov "${logs[@]}")
  ft=$(max_of ft "${logs[@]}")
  corp=$(grep -oh 'corp: [0-9]*/[0-9]*[bKM]*' "${logs[@]}" | cut -d' ' -f2 | sort -t/ -k1,1n | tail -1)
  if [ $rc -ne 0 ]; then
    finding=$(grep -h -m1 -E 'ERROR: |invariant failed|runtime error|SUMMARY' "${logs[@]}" | head -1)
    finding="${finding:-exit status $rc}; input: $(ls "$dir"/crash-* "$dir"/leak-* "$dir"/timeout-* "$dir"/oom-* 2>/dev/null | head -1)"
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$d" "${execs:-?}" "$secs" "${eps:-?}" "${cov:-?}" "${ft:-?}" \
    "${corp:-?}" "$finding" >"$dir/result"
  [ $rc -eq 0 ]
}

printf 'fuzzing: %s (runs %s, time limit %s s, %s at once, %s processes each)\n' "$drivers" "$runs" "$time" "$jobs" "$workers"
for d in $drivers; do
  run_one "$d" &
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
done
wait

status=0
printf '%-20s %12s %7s %8s %6s %7s %12s  %s\n' driver executions seconds exec/s cov ft corpus finding
for d in $drivers; do
  IFS=$'\t' read -r name execs secs eps cov ft corp finding <"$work/$d/result"
  printf '%-20s %12s %7s %8s %6s %7s %12s  %s\n' "$name" "$execs" "$secs" "$eps" "$cov" "$ft" "$corp" "$finding"
  [ "$finding" = none ] || status=1
done
cat "$work"/*/result >"$work/results.tsv"
if [ $status -ne 0 ]; then
  echo "fuzzing found something: see $work/DRIVER/log; reproduce with $bindir/DRIVER FILE (docs/security.md)"
fi
exit $status
