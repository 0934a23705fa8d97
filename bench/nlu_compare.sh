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
#   5. The few-shot protocol, for each K in NLU_SHOTS: the first K training
#      texts of each label, out-of-scope included, in file order, and no val
#      file. `loket eval --shots K --auto` calibrates from those texts alone,
#      as the server does; its --curve gives loket's oracle as well. NLP.js
#      has no calibration: bench/nlpjs/clinc150.js --shots K reports it at
#      its own default threshold (0.5) and at the oracle threshold, the
#      lowest at which its answered precision on test reaches 0.95 (chosen
#      on test: an upper bound that no deployment can choose, named as
#      such). Both runs of step 3 (out-of-scope texts left out, as "None").
#      Prints a second table and keeps it beside the first.
# One after the other, one thread each: train seconds and decisions per
# second are wall-clock, so run it on an otherwise idle machine.
#
# Environment: LOKET_BIN (default build/loket), LOKET_DATA_DIR (default
# ../shared/data/clinc150), NLPJS_RUNS ("left-out none", or one of them),
# NLU_COMPARE_PARTS ("full shots", or one of them: "shots" alone takes a
# minute), NLU_SHOTS (default "5 10").
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${LOKET_BIN:-build/loket}
DATA=${LOKET_DATA_DIR:-../shared/data/clinc150}
RUNS=${NLPJS_RUNS:-"left-out none"}
PARTS=${NLU_COMPARE_PARTS:-"full shots"}
SHOTS=${NLU_SHOTS:-"5 10"}

has_part() { case " $PARTS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
nlpjs_flag() {
  case "$1" in
    left-out) echo "" ;;
    none) echo "--oos-as-none" ;;
    *) echo "nlu_compare: unknown NLPJS_RUNS entry $1" >&2; return 1 ;;
  esac
}
for part in $PARTS; do
  case "$part" in
    full | shots) ;;
    *) echo "nlu_compare: unknown NLU_COMPARE_PARTS entry $part (full, shots)" >&2; exit 1 ;;
  esac
done
for k in $SHOTS; do
  case "$k" in
    *[!0-9]* | 0*) echo "nlu_compare: NLU_SHOTS entries must be positive integers, not $k" >&2; exit 1 ;;
  esac
done
for run in $RUNS; do nlpjs_flag "$run" >/dev/null; done

# NLP.js on the same data once for each run of $RUNS: $1 names the output
# ($out/$1-RUN.json), $2 the step in the progress line, the rest are the
# data options of bench/nlpjs/clinc150.js.
nlpjs_runs() {
  name=$1 what=$2
  shift 2
  for run in $RUNS; do
    flag=$(nlpjs_flag "$run")
    echo "nlu_compare: NLP.js $what($run) ..." >&2
    node bench/nlpjs/clinc150.js "$@" $flag >"$out/$name-$run.json"
  done
}

for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "nlu_compare: $tool is missing (make bench installs it)" >&2; exit 1; }
done
[ -x "$BIN" ] || { echo "nlu_compare: $BIN is missing; run make build" >&2; exit 1; }
needed="train test"
if has_part full; then needed="train val test"; fi
for f in $needed; do
  [ -f "$DATA/$f.jsonl" ] || { echo "nlu_compare: $DATA/$f.jsonl is missing" >&2; exit 1; }
done

(cd bench/nlpjs && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

out=bench/results/nlu-compare-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"
load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")

if has_part full; then
  echo "nlu_compare: loket eval ..." >&2
  "$BIN" eval --train "$DATA/train.jsonl" --val "$DATA/val.jsonl" --test "$DATA/test.jsonl" >"$out/loket.json"
  nlpjs_runs nlpjs "(a few minutes) " --train "$DATA/train.jsonl" --val "$DATA/val.jsonl" --test "$DATA/test.jsonl"

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
fi

if has_part shots; then
  for k in $SHOTS; do
    echo "nlu_compare: loket eval --shots $k --auto ..." >&2
    "$BIN" eval --train "$DATA/train.jsonl" --test "$DATA/test.jsonl" --shots "$k" --auto \
      --curve "$out/loket-shots$k-curve.csv" >"$out/loket-shots$k.json"
    nlpjs_runs "nlpjs-shots$k" "--shots $k " --train "$DATA/train.jsonl" --test "$DATA/test.jsonl" --shots "$k"
  done

  node - "$out" "$(nproc)" "$load" "$SHOTS" $RUNS >"$out/table-shots.md" <<'EOF'
const fs = require('fs');
const [dir, cores, load, shots, ...runs] = process.argv.slice(2);
const read = (f) => JSON.parse(fs.readFileSync(`${dir}/${f}`, 'utf8'));
const TARGET = 0.95;
const f3 = (x) => x.toFixed(3);
/* loket's oracle: the lowest threshold of its --curve grid (steps of 0.005)
 * at which answered precision on test reaches TARGET; if none does, the
 * lowest at which it is highest (reached: false). */
function loketOracle(k) {
  const rows = fs.readFileSync(`${dir}/loket-shots${k}-curve.csv`, 'utf8').trim().split('\n').slice(1)
    .map((l) => l.split(',').map(Number));
  let best = rows[0];
  for (const r of rows) {
    if (r[1] >= TARGET) return { reached: true, t: r[0], p: r[1], cov: r[2], acc: r[3], oos: r[4] };
    if (r[1] > best[1]) best = r;
  }
  return { reached: false, t: best[0], p: best[1], cov: best[2], acc: best[3], oos: best[4] };
}
const oracle = (reached) => (reached ? `oracle: lowest with test precision >= ${TARGET}` :
  `oracle: test precision ${TARGET} never reached; its best`);
const lines = [
  '| shots | system | threshold | in-scope accuracy | out-of-scope recall | answered precision | coverage | helped | train s | decisions/s |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
];
let first = null;
for (const k of shots.split(/\s+/).filter(Boolean)) {
  const l = read(`loket-shots${k}.json`);
  first = first || l;
  lines.push(`| ${k} | loket | ${l.threshold.toPrecision(3)} (--auto, answer_risk ${l.answer_risk}) | ` +
    `${f3(l.in_scope_accuracy)} | ${f3(l.oos_recall)} | ${f3(l.answered_precision)} | ${f3(l.coverage)} | ` +
    `${f3(l.helped)} | ${l.train_seconds.toFixed(1)} | ${Math.round(1e6 / l.us_per_query)} |`);
  const lo = loketOracle(k);
  lines.push(`| ${k} | loket | ${lo.t.toFixed(3)} (${oracle(lo.reached)}) | ${f3(lo.acc)} | ${f3(lo.oos)} | ` +
    `${f3(lo.p)} | ${f3(lo.cov)} | - | - | - |`);
  for (const run of runs) {
    const r = read(`nlpjs-shots${k}-${run}.json`);
    const how = run === 'none' ? 'out-of-scope texts as "None"' : 'out-of-scope texts left out';
    const name = `NLP.js ${r.version} (${how})`;
    lines.push(`| ${k} | ${name} | ${r.threshold} (NLP.js default) | ${f3(r.in_scope_accuracy)} | ` +
      `${f3(r.oos_recall)} | ${f3(r.answered_precision)} | ${f3(r.coverage)} | ${f3(r.in_scope_accuracy)} | ` +
      `${r.train_seconds.toFixed(1)} | ${Math.round(r.decisions_per_second)} |`);
    const o = r.oracle;
    lines.push(`| ${k} | ${name} | ${o.threshold.toPrecision(3)} (${oracle(o.reached)}) | ` +
      `${f3(o.in_scope_accuracy)} | ${f3(o.oos_recall)} | ${f3(o.answered_precision)} | ${f3(o.coverage)} | - | - | - |`);
  }
}
lines.push('');
lines.push(`CLINC150, the first K training texts of each label in file order (out-of-scope too), no val; test: ` +
  `${first.n_test} texts (${first.n_test_oos} out of scope). "helped": answered right, or the right intent among the ` +
  `choices offered (NLP.js offers none: its in-scope accuracy). Oracle rows choose the threshold on the test file ` +
  `itself (loket on its --curve grid of 0.005): an upper bound, not a setting a deployment can choose. ` +
  `One thread each, ${cores} cores, load average at the start ${load}.`);
process.stdout.write(lines.join('\n') + '\n');
EOF
  cat "$out/table-shots.md"
fi
