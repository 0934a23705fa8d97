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
. bench/lib.sh

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

cc -O2 -Wall -pthread -o "$tmp/loadgen" bench/loadgen.c

# ---- loket ------------------------------------------------------------------
port=$(free_port)
start_loket "$BIN" "$port" "$tmp/data" "$tmp/loket.log"
loket_pid=$started_pid

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
turn_rows=""
for n in $CONNS; do
  for mode in turn ws; do
    measure "$tmp/loadgen" "$loket_pid" "$port" "$tmp/loket.log" "$n" "$mode"
    line=$measured_line
    echo "bench: $line" >&2
    turns=$(field turns "$line")
    turn_rows+="| $mode | $n | $(field turns_per_s "$line") | $(field p50_ms "$line") | $(field p99_ms "$line") | $(field max_ms "$line") | $(field errors "$line") | $(per_turn_us "$measured_wticks" "$turns") | $(per_turn_us "$measured_pticks" "$turns") |"$'\n'
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
