#!/usr/bin/env bash
# bench/kb_quality.sh: answer quality on companies' own knowledge bases,
# through the server's customer API (docs/quality.md, "Measured through the
# server"). For each set, bench/kb_quality.mjs imports the knowledge base into
# a fresh data directory, starts build/loket serve on a free loopback port
# (rate limits off), asks every test question in a new conversation and prints
# one JSON object; this script prints them as one markdown table and keeps the
# table, the JSON and each question's outcome in bench/results/ (not committed).
#
#   bench/kb_quality.sh                      # the three sets below
#   bench/kb_quality.sh KB.json TEST.jsonl   # one set of your own
#
# Sets: the municipality (tests/data/gemeente), the housing corporation
# (tests/data/woningcorporatie) and the demo web shop (src/kb/demo_kb.json
# with tests/data/demo/test.jsonl).
# Environment: LOKET_BIN (default build/loket), KB_QUALITY_SERVE_ARGS (more
# `loket serve` options, e.g. "--policy.answer_min 0.6").
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${LOKET_BIN:-build/loket}
command -v node >/dev/null || { echo "kb_quality: node is missing (make bench installs it)" >&2; exit 1; }
[ -x "$BIN" ] || { echo "kb_quality: $BIN is missing; run make build" >&2; exit 1; }

if [ $# -eq 2 ]; then
  sets=("$1|$2")
elif [ $# -eq 0 ]; then
  sets=("tests/data/gemeente/kb.json|tests/data/gemeente/test.jsonl"
        "tests/data/woningcorporatie/kb.json|tests/data/woningcorporatie/test.jsonl"
        "src/kb/demo_kb.json|tests/data/demo/test.jsonl")
else
  echo "usage: bench/kb_quality.sh [KB.json TEST.jsonl]" >&2
  exit 1
fi

out=bench/results/kb-quality-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"
load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
# shellcheck disable=SC2206 # word splitting of the extra options is intended
extra=(${KB_QUALITY_SERVE_ARGS:-})

rows=""
for s in "${sets[@]}"; do
  kb=${s%%|*}
  test=${s#*|}
  name=$(basename "$(dirname "$test")")
  echo "kb_quality: $kb with $test ..." >&2
  node bench/kb_quality.mjs --bin "$BIN" --kb "$kb" --test "$test" --details "$out/$name-details.jsonl" \
    -- "${extra[@]}" >"$out/$name.json"
  cat "$out/$name.json"
  # shellcheck disable=SC2016 # JavaScript, not shell
  rows+=$(node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const f = (x) => (x === null ? "-" : x.toFixed(3));
    const ho = Object.entries(r.handoff_reasons).map(([k, v]) => `${k} ${v}`).join(", ") || "-";
    console.log(`| ${process.argv[2]} | ${r.n_articles} | ${r.n_in_scope} + ${r.n_oos} | **${f(r.answered_precision)}** | ${f(r.coverage)} | ` +
      `${f(r.in_scope_accuracy)} | ${f(r.oos_recall)} | ${f(r.clarification_rate)} | ${f(r.choice_recall)} | ${f(r.helped)} | ` +
      `${r.n_wrong_answers} | ${r.n_handed_over} (${ho}) |`);
  ' "$out/$name.json" "$name")$'\n'
done

report=$(cat <<EOF
## Answer quality through the customer API, $(date -u +%Y-%m-%dT%H:%MZ), $("$BIN" --version 2>/dev/null | head -1)

One new conversation per test question (bench/kb_quality.mjs); server defaults${KB_QUALITY_SERVE_ARGS:+ plus $KB_QUALITY_SERVE_ARGS}.
Load average at the start: ${load}.

| set | articles | questions (in scope + oos) | answered precision | coverage | in-scope accuracy | oos recall | clarification rate | choice recall | helped | wrong answers | handed over |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |
${rows}
EOF
)
echo "$report"
echo "$report" >"$out/report.md"
