#!/usr/bin/env bash
# bench/nlu_compare.sh: loket's bot beside NLP.js on the same CLINC150 split
# (docs/quality.md, "Side by side with NLP.js").
#
#   1. Installs NLP.js exactly as bench/nlpjs/package-lock.json pins it
#      (npm ci; node_modules is not committed).
#   2. `loket eval` trains on train, chooses its threshold on val (the
#      default: the share of val questions handled right), reports on test.
#   3. bench/nlpjs/clinc150.js does the same with NLP.js, its threshold chosen
#      on val the same way: once with the out-of-scope training texts left
#      out (each in-scope label an intent, nothing else) and once with them
#      as NLP.js's "None" intent (as loket uses them, as negatives).
#   4. Prints one markdown table and keeps it, with the raw JSON, in
#      bench/results/ (not committed).
# One after the other, one thread each: train seconds and decisions per
# second are wall-clock, so run it on an otherwise idle machine.
#
# Environment: LOKET_BIN (default build/loket), LOKET_DATA_DIR (default
# ../shared/data/clinc150), NLPJS_RUNS ("left-out none", or one of them).
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${LOKET_BIN:-build/loket}
DATA=${LOKET_DATA_DIR:-../shared/data/clinc150}
RUNS=${NLPJS_RUNS:-"left-out none"}

for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "nlu_compare: $tool is missing (make bench installs it)" >&2; exit 1; }
done
[ -x "$BIN" ] || { echo "nlu_compare: $BIN is missing; run make build" >&2; exit 1; }
for f in train val test; do
  [ -f "$DATA/$f.jsonl" ] || { echo "nlu_compare: $DATA/$f.jsonl is missing" >&2; exit 1; }
done

(cd bench/nlpjs && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

out=bench/results/nlu-compare-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"
load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")

echo "nlu_compare: loket eval ..." >&2
"$BIN" eval --train "$DATA/train.jsonl" --val "$DATA/val.jsonl" --test "$DATA/test.jsonl" >"$out/loket.json"
for run in $RUNS; do
  case "$run" in
    left-out) flag="" ;;
    none) flag="--oos-as-none" ;;
    *) echo "nlu_compare: unknown NLPJS_RUNS entry $run" >&2; exit 1 ;;
  esac
  echo "nlu_compare: NLP.js ($run; a few minutes) ..." >&2
  node bench/nlpjs/clinc150.js --train "$DATA/train.jsonl" --val "$DATA/val.jsonl" --test "$DATA/test.jsonl" \
    $flag >"$out/nlpjs-$run.json"
done

node - "$out" "$(nproc)" "$load" $RUNS >"$out/table.md" <<'EOF'
const fs = require('fs');
const [dir, cores, load, ...runs] = process.argv.slice(2);
const read = (f) => JSON.parse(fs.readFileSync(`${dir}/${f}`, 'utf8'));
const rows = [['loket', read('loket.json')]];
for (const run of runs) {
  const r = read(`nlpjs-${run}.json`);
  const how = run === 'none' ? 'out-of-scope training texts as intent "None"' : 'out-of-scope training texts left out';
  rows.push([`NLP.js ${r.version} (${how})`, r]);
}
const f3 = (x) => x.toFixed(3);
const lines = [
  '| system | threshold (chosen on val) | in-scope accuracy | out-of-scope recall | answered precision | coverage | train s | decisions/s |',
  '| --- | --- | --- | --- | --- | --- | --- | --- |',
];
for (const [name, r] of rows) {
  const dps = r.decisions_per_second || 1e6 / r.us_per_query;
  lines.push(`| ${name} | ${r.threshold.toPrecision(3)} | ${f3(r.in_scope_accuracy)} | ${f3(r.oos_recall)} | ` +
    `${f3(r.answered_precision)} | ${f3(r.coverage)} | ${r.train_seconds.toFixed(1)} | ${Math.round(dps)} |`);
}
lines.push('');
lines.push(`CLINC150 full: ${rows[0][1].n_train} training texts, ${rows[0][1].n_val} val, ${rows[0][1].n_test} test ` +
  `(${rows[0][1].n_test_oos} out of scope); one thread each, ${cores} cores, load average at the start ${load}.`);
process.stdout.write(lines.join('\n') + '\n');
EOF
cat "$out/table.md"
