# Shell functions shared by loket's benchmark scripts (bench/run.sh,
# bench/compare.sh); sourced, not run. Callers set `set -euo pipefail` and a
# temporary directory of their own.

# A loopback port nobody listens on.
free_port() {
  local p
  for _ in $(seq 1 100); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  echo "bench: no free port found" >&2
  return 1
}

# start_loket BIN PORT DATADIR LOGFILE: starts BIN serve in the background as
# the benchmark runs it and waits until it listens; sets started_pid.
# Logging at warn: an info line per request would measure the log, not loket.
# The load comes from one address, so the per-address and per-conversation
# rate limits (docs/security.md) are off: they would answer 429 to the load
# generator after its first seconds. Open always, so that the figures do not
# depend on the time of day (the demo's opening hours apply otherwise).
start_loket() {
  local bin=$1 port=$2 data=$3 log=$4 up=""
  "$bin" serve --listen "127.0.0.1:$port" --data "$data" --log_level warn \
    --limit_messages_conversation 0 --limit_messages_address 0 --limit_conversations_address 0 \
    --limit_open_conversations 0 --policy.business_hours always 2>"$log" &
  started_pid=$!
  for _ in $(seq 1 200); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then up=1; break; fi
    kill -0 "$started_pid" 2>/dev/null || break
    sleep 0.05
  done
  if [ -z "$up" ]; then
    echo "bench: $bin did not start:" >&2
    cat "$log" >&2
    kill "$started_pid" 2>/dev/null || true
    return 1
  fi
}

# field NAME LINE: the value of NAME=value in loadgen's line of figures.
field() {
  sed -n "s/.*[[:space:]]$1=\([^[:space:]]*\).*/\1/p" <<<" $2"
}

# CPU time (clock ticks) of the server process and of its writer thread: the
# writer does every turn's database work one job after another, so its CPU
# per turn says how far turns can scale on this machine, and it moves much
# less with the machine's other load than latency does.
writer_stat_of() { # writer_stat_of PID -> the /proc stat file of its writer thread
  local task
  for task in /proc/"$1"/task/*; do
    if [ "$(cat "$task/comm" 2>/dev/null)" = loket-writer ]; then echo "$task/stat"; return 0; fi
  done
  echo ""
}
ticks() { # ticks STATFILE -> utime + stime
  awk '{ print $14 + $15 }' "$1" 2>/dev/null || echo 0
}
hz=$(getconf CLK_TCK)
per_turn_us() { # per_turn_us TICKS TURNS: the measured part (the warm-up second excluded pro rata)
  awk -v t="$1" -v n="$2" -v hz="$hz" -v d="$DURATION" 'BEGIN { if (n > 0) printf "%.0f", t * 1e6 / hz * d / (d + 1) / n; else print "-" }'
}

# measure LOADGEN PID PORT LOG CONNS MODE: one loadgen run (DURATION seconds
# after 1 s warm-up) against the loket at PID on PORT; sets measured_line (its
# figures), measured_wticks and measured_pticks (CPU ticks of the writer
# thread and of the whole process during the run). On failure prints LOG's end.
measure() {
  local loadgen=$1 pid=$2 port=$3 log=$4 conns=$5 mode=$6 wstat w0 p0
  wstat=$(writer_stat_of "$pid")
  [ -n "$wstat" ] || { echo "bench: loket ($pid) has no loket-writer thread" >&2; return 1; }
  w0=$(ticks "$wstat")
  p0=$(ticks "/proc/$pid/stat")
  if ! measured_line=$("$loadgen" --port "$port" --conns "$conns" --duration "$DURATION" --warmup 1 --mode "$mode"); then
    echo "bench: loadgen failed; loket's log ends with:" >&2
    tail -20 "$log" >&2
    return 1
  fi
  measured_wticks=$(($(ticks "$wstat") - w0))
  measured_pticks=$(($(ticks "/proc/$pid/stat") - p0))
}
