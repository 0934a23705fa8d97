#!/usr/bin/env bash
# loket's benchmark (`make bench`; docs/performance.md explains the figures).
#
#   1. Starts build/loket on a fresh data directory (the demo knowledge base)
#      on a free loopback port.
#   2. Conversation turns: bench/loadgen (compiled here) runs 1, 16 and 256
#      concurrent conversations, each posting questions and waiting for the
#      bot's answer over HTTP/1.1 keep-alive; turns/s and p50/p99 latency.
#      Then the same with every client also on its conversation's WebSocket
#      (push latency of the turn's last message).
#   3. Plain HTTP: wrk against loket's GET /healthz and, in the same run,
#      against nginx serving a small static file of the same size from a
#      temporary configuration on another free loopback port.
#   4. Prints one markdown table with the figures and the ratios, and keeps a
#      copy in bench/results/ (not committed). Stops everything it started.
#   5. Then the conversation policy's simulation (bench/policy_sim.sh), answer
#      quality through the customer API on the municipality and demo knowledge
#      bases (bench/kb_quality.sh) and beside NLP.js on CLINC150, with all
#      training data and with 5 and 10 per intent (bench/nlu_compare.sh).
#
# Environment: LOKET_BIN (default build/loket), BENCH_DURATION (seconds per
# measurement, default 10), BENCH_CONNS (default "1 16 256"), WRK_CONNS
# (default "50 256"), WRK_THREADS (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${LOKET_BIN:-build/loket}
DURATION=${BENCH_DURATION:-10}
CONNS=${BENCH_CONNS:-"1 16 256"}
WRK_CONNS=${WRK_CONNS:-"50 256"}
WRK_THREADS=${WRK_THREADS:-2}

for tool in cc wrk nginx; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (make bench installs it)" >&2; exit 1; }
done
[ -x "$BIN" ] || { echo "bench: $BIN is missing; run make build" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/loket-bench.XXXXXX")
loket_pid=""
nginx_pid=""
cleanup() {
  [ -n "$loket_pid" ] && kill "$loket_pid" 2>/dev/null && wait "$loket_pid" 2>/dev/null || true
  [ -n "$nginx_pid" ] && kill -QUIT "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

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

cc -O2 -Wall -pthread -o "$tmp/loadgen" bench/loadgen.c

# ---- loket ------------------------------------------------------------------
# Logging at warn: an info line per request would measure the log, not loket.
# The load comes from one address, so the per-address and per-conversation
# rate limits (docs/security.md) are off: they would answer 429 to the load
# generator after its first seconds. Open always, so that the figures do not
# depend on the time of day (the demo's opening hours apply otherwise).
port=$(free_port)
"$BIN" serve --listen "127.0.0.1:$port" --data "$tmp/data" --log_level warn \
  --limit_messages_conversation 0 --limit_messages_address 0 --limit_conversations_address 0 \
  --limit_open_conversations 0 --policy.business_hours always 2>"$tmp/loket.log" &
loket_pid=$!
up=""
for _ in $(seq 1 200); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then up=1; break; fi
  kill -0 "$loket_pid" 2>/dev/null || break
  sleep 0.05
done
[ -n "$up" ] || { echo "bench: loket did not start:" >&2; cat "$tmp/loket.log" >&2; exit 1; }

# ---- nginx --------------------------------------------------------------------
nport=$(free_port)
mkdir -p "$tmp/www" "$tmp/nginx"
printf '{"status":"ok"}' >"$tmp/www/healthz"
cat >"$tmp/nginx/nginx.conf" <<EOF
worker_processes auto;
daemon off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $tmp/nginx/body;
  proxy_temp_path $tmp/nginx/proxy;
  fastcgi_temp_path $tmp/nginx/fastcgi;
  uwsgi_temp_path $tmp/nginx/uwsgi;
  scgi_temp_path $tmp/nginx/scgi;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$nport;
    root $tmp/www;
    default_type application/json;
    location / { }
  }
}
EOF
nginx -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log" 2>>"$tmp/nginx/error.log" &
nginx_pid=$!
for _ in $(seq 1 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$nport") 2>/dev/null && break
  sleep 0.05
done

cores=$(nproc)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
echo "bench: loket on :$port, nginx on :$nport, $cores cores, ${DURATION}s per measurement" >&2

# ---- measurements ---------------------------------------------------------------
field() { # field NAME LINE
  sed -n "s/.*[[:space:]]$1=\([^[:space:]]*\).*/\1/p" <<<" $2"
}

# CPU time (clock ticks) of the server process and of its writer thread: the
# writer does every turn's database work one job after another, so its CPU
# per turn says how far turns can scale on this machine, and it moves much
# less with the machine's other load than latency does.
writer_stat=""
for task in /proc/"$loket_pid"/task/*; do
  if [ "$(cat "$task/comm" 2>/dev/null)" = loket-writer ]; then writer_stat="$task/stat"; fi
done
ticks() { # ticks STATFILE -> utime + stime
  awk '{ print $14 + $15 }' "$1" 2>/dev/null || echo 0
}
hz=$(getconf CLK_TCK)
per_turn_us() { # per_turn_us TICKS TURNS: the measured part (the warm-up second excluded pro rata)
  awk -v t="$1" -v n="$2" -v hz="$hz" -v d="$DURATION" 'BEGIN { if (n > 0) printf "%.0f", t * 1e6 / hz * d / (d + 1) / n; else print "-" }'
}

turn_rows=""
for n in $CONNS; do
  for mode in turn ws; do
    w0=$(ticks "$writer_stat")
    p0=$(ticks "/proc/$loket_pid/stat")
    if ! line=$("$tmp/loadgen" --port "$port" --conns "$n" --duration "$DURATION" --warmup 1 --mode "$mode"); then
      echo "bench: loadgen failed; loket's log ends with:" >&2
      tail -20 "$tmp/loket.log" >&2
      exit 1
    fi
    w1=$(ticks "$writer_stat")
    p1=$(ticks "/proc/$loket_pid/stat")
    echo "bench: $line" >&2
    turns=$(field turns "$line")
    turn_rows+="| $mode | $n | $(field turns_per_s "$line") | $(field p50_ms "$line") | $(field p99_ms "$line") | $(field max_ms "$line") | $(field errors "$line") | $(per_turn_us $((w1 - w0)) "$turns") | $(per_turn_us $((p1 - p0)) "$turns") |"$'\n'
  done
done

wrk_rps() { # wrk_rps URL CONNS -> "rps p50 p99"
  local out
  out=$(wrk -t"$WRK_THREADS" -c"$2" -d"${DURATION}s" --latency "$1")
  echo "$out" | sed 's/^/bench: wrk: /' >&2
  local rps p50 p99
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  echo "$rps $p50 $p99"
}

http_rows=""
for c in $WRK_CONNS; do
  read -r l_rps l_p50 l_p99 < <(wrk_rps "http://127.0.0.1:$port/healthz" "$c")
  read -r n_rps n_p50 n_p99 < <(wrk_rps "http://127.0.0.1:$nport/healthz" "$c")
  ratio=$(awk -v a="$l_rps" -v b="$n_rps" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
  http_rows+="| $c | $l_rps | $l_p50 / $l_p99 | $n_rps | $n_p50 / $n_p99 | **$ratio** |"$'\n'
done

if ! kill -0 "$loket_pid" 2>/dev/null; then
  echo "bench: loket died during the run:" >&2
  tail -20 "$tmp/loket.log" >&2
  exit 1
fi

# ---- report -----------------------------------------------------------------------
report=$(cat <<EOF
## loket benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $cores cores, $(uname -r), loket $("$BIN" --version 2>/dev/null | head -1)

Conversation turns (bench/loadgen; ${DURATION}s each after 1s warm-up; turn = POST a message, get the bot's answer;
ws = the same, timed until the WebSocket pushed the turn's last message):

| mode | conversations | turns/s | p50 ms | p99 ms | max ms | errors | writer CPU us/turn | loket CPU us/turn |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${turn_rows}
Target: turn p99 < 5 ms at 16 concurrent conversations. Load average at the start: ${load_start}.
(CPU per turn: from /proc, the warm-up second taken out pro rata; new conversations' creation included.)

Plain HTTP (wrk -t$WRK_THREADS, ${DURATION}s): loket GET /healthz beside nginx serving a 15-byte static file:

| connections | loket req/s | loket p50 / p99 | nginx req/s | nginx p50 / p99 | loket / nginx |
| --- | ---: | ---: | ---: | ---: | ---: |
${http_rows}
Target: healthz >= 0.5x nginx.
EOF
)
echo "$report"
mkdir -p bench/results
echo "$report" >"bench/results/bench-$(date -u +%Y%m%dT%H%M%SZ).md"

# ---- the conversation policy: 100,000 simulated conversations -------------------
# (fails the bench on any invariant violation)
LOKET_BUILD_DIR="$(dirname "$BIN")" bench/policy_sim.sh | tee "bench/results/policy-sim-$(date -u +%Y%m%dT%H%M%SZ).md"

# ---- answer quality on companies' own knowledge bases, through the customer API --
# (the municipality and the demo web shop; a few seconds)
LOKET_BIN="$BIN" bench/kb_quality.sh

# ---- answer quality beside NLP.js on CLINC150 (several minutes) ----------------
LOKET_BIN="$BIN" bench/nlu_compare.sh
