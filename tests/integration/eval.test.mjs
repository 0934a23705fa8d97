// `loket eval` (CONTRACT.md, "Evaluation data and loket eval"): runs the real
// binary on a small slice of CLINC150 written to a temporary directory and
// checks every field of the one JSON object it prints, and the exit code of a
// usage error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = process.env.LOKET_BIN || 'build/loket';
const SRC = process.env.LOKET_SOURCE_DIR || process.cwd();
const DATA = join(SRC, '..', 'shared', 'data', 'clinc150');

function slice(file, labels, maxPerLabel, oosMax) {
  const per = new Map();
  const out = [];
  for (const line of readFileSync(join(DATA, file), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const row = JSON.parse(line);
    const n = per.get(row.label) || 0;
    if (row.label === 'oos' ? n < oosMax : labels.has(row.label) && n < maxPerLabel) {
      per.set(row.label, n + 1);
      out.push(JSON.stringify(row));
    }
  }
  return out.join('\n') + '\n';
}

// The first n labels (in-scope) of CLINC150's training set.
function firstLabels(n) {
  const labels = new Set();
  for (const line of readFileSync(join(DATA, 'train.jsonl'), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const { label } = JSON.parse(line);
    if (label !== 'oos') labels.add(label);
    if (labels.size === n) break;
  }
  return labels;
}

// A temporary directory for fn(dir), removed afterwards.
function withTmpDir(fn) {
  const dir = mkdtempSync(join(tmpdir(), 'loket-eval-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// slice() of CLINC150's file written to dir under the same name; its path.
function writeSlice(dir, file, labels, maxPerLabel, oosMax) {
  const p = join(dir, file);
  writeFileSync(p, slice(file, labels, maxPerLabel, oosMax));
  return p;
}

function run(args) {
  return spawnSync(BIN, ['eval', ...args], { encoding: 'utf8', timeout: 120000 });
}

test('loket eval prints every CONTRACT field, in range', { skip: !existsSync(DATA) && 'CLINC150 not found' }, () => {
  withTmpDir((dir) => {
    const labels = firstLabels(10);
    const trainFile = writeSlice(dir, 'train.jsonl', labels, 60, 40);
    const valFile = writeSlice(dir, 'val.jsonl', labels, 20, 40);
    const testFile = writeSlice(dir, 'test.jsonl', labels, 30, 60);

    for (const extra of [[], ['--target-error', '0.1']]) {
      const r = run(['--train', trainFile, '--val', valFile, '--test', testFile, ...extra]);
      assert.equal(r.status, 0, r.stderr);
      const lines = r.stdout.trim().split('\n');
      assert.equal(lines.length, 1, 'one JSON object on stdout');
      const o = JSON.parse(lines[0]);
      assert.equal(o.n_test, 10 * 30 + 60);
      for (const k of ['in_scope_accuracy', 'oos_recall', 'answered_precision', 'coverage']) {
        assert.equal(typeof o[k], 'number', k);
        assert.ok(o[k] >= 0 && o[k] <= 1, `${k} = ${o[k]}`);
      }
      assert.ok(o.train_seconds >= 0 && o.train_seconds < 60, `train_seconds = ${o.train_seconds}`);
      assert.ok(o.us_per_query > 0 && o.us_per_query < 100000, `us_per_query = ${o.us_per_query}`);
      assert.ok(o.threshold >= 0 && o.threshold <= 1);
      // ten easy intents: far above chance even on a slice
      assert.ok(o.in_scope_accuracy > 0.6, `in_scope_accuracy = ${o.in_scope_accuracy}`);
      if (extra.length) assert.equal(o.target_error, 0.1);
    }

    // without --val: the model's own threshold
    const r = run(['--train', trainFile, '--test', testFile]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).n_test, 360);
  });
});

test('loket eval: usage and input errors exit 1 with one line', () => {
  for (const args of [[], ['--train'], ['--train', 'x.jsonl'], ['--bogus'],
                      ['--train', '/nonexistent/a', '--test', '/nonexistent/b'],
                      ['--train', 'a', '--test', 'b', '--target-error', '2'],
                      ['--train', 'a', '--test', 'b', '--shots', '0'],
                      ['--train', 'a', '--test', 'b', '--answer-risk', '1.5'],
                      ['--train', 'a', '--test', 'b', '--val', 'c', '--auto'],
                      ['--train', 'a', '--test', 'b', '--labelled', 'c'],
                      ['--train', 'a', '--test', 'b', '--auto', '--labelled']]) {
    const r = run(args);
    assert.equal(r.status, 1, `args ${JSON.stringify(args)}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  withTmpDir((dir) => {
    writeFileSync(join(dir, 'bad.jsonl'), '{"text": "hi", "label": "a"}\nnot json\n');
    const r = run(['--train', join(dir, 'bad.jsonl'), '--test', join(dir, 'bad.jsonl')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /bad\.jsonl:2/);
  });
});

test('loket eval --shots K --auto --explain: the server\'s calibration, choices, and why', { skip: !existsSync(DATA) && 'CLINC150 not found' }, () => {
  withTmpDir((dir) => {
    const labels = firstLabels(30);
    const trainFile = writeSlice(dir, 'train.jsonl', labels, 100, 0);
    const testFile = writeSlice(dir, 'test.jsonl', labels, 10, 60);
    const args = ['--train', trainFile, '--test', testFile];

    // --shots keeps the first K of each label: the model has 30 x 5 (+ titles) examples
    const r5 = run([...args, '--shots', '5', '--auto']);
    assert.equal(r5.status, 0, r5.stderr);
    const o5 = JSON.parse(r5.stdout);
    assert.equal(o5.n_train, 30 * 5);
    assert.equal(o5.shots, 5);
    assert.equal(o5.threshold_method, 'auto');
    assert.equal(o5.answer_risk, 0.05);
    for (const k of ['clarification_rate', 'choice_recall', 'helped']) {
      assert.equal(typeof o5[k], 'number', k);
      assert.ok(o5[k] >= 0 && o5[k] <= 1, `${k} = ${o5[k]}`);
    }
    // helped counts the right answers and the right choices: never below accuracy
    assert.ok(o5.helped >= o5.in_scope_accuracy, JSON.stringify(o5));
    // the calibration from the training data and the built-in out-of-scope questions
    assert.equal(o5.calibrated, true);
    const c = o5.calibration;
    assert.ok(c.n_in >= 100, `held-out questions: ${c.n_in}`);
    assert.ok(c.n_oos >= 400, `built-in out-of-scope questions: ${c.n_oos}`);
    assert.ok(c.risk_bound >= 0 && c.risk_bound <= 1);
    assert.equal(c.met, c.risk_bound <= 0.05 + 1e-12);

    // all the data, a looser risk: met, and the answered precision on test holds it
    const rf = run([...args, '--auto', '--answer-risk', '0.1']);
    assert.equal(rf.status, 0, rf.stderr);
    const of = JSON.parse(rf.stdout);
    assert.equal(of.answer_risk, 0.1);
    assert.ok(of.calibration.met, JSON.stringify(of.calibration));
    assert.ok(of.answered_precision >= 0.9, `answered precision ${of.answered_precision}`);
    // a stricter risk never lowers the threshold
    const rs = JSON.parse(run([...args, '--auto', '--answer-risk', '0.02']).stdout);
    assert.ok(!rs.calibration.met || rs.threshold >= of.threshold, `${rs.threshold} < ${of.threshold}`);

    // --labelled: the company's own labelled questions join the calibration
    // (CLINC150's validation questions of the same labels), not the training
    const valFile = writeSlice(dir, 'val.jsonl', labels, 10, 40);
    const rl = run([...args, '--shots', '5', '--auto', '--labelled', valFile]);
    assert.equal(rl.status, 0, rl.stderr);
    const ol = JSON.parse(rl.stdout);
    assert.equal(ol.calibration.n_labelled, 30 * 10 + 40);
    assert.equal(ol.calibration.n_in, c.n_in + 30 * 10);
    assert.equal(ol.calibration.n_oos, c.n_oos + 40);
    assert.equal(ol.n_train, o5.n_train, 'not trained on');
    assert.equal(ol.calibration.met, ol.calibration.risk_bound <= 0.05 + 1e-12);
    assert.equal(o5.calibration.n_labelled, undefined);
    // a label the training data does not have is refused, naming it
    writeFileSync(join(dir, 'odd.jsonl'), '{"text": "what is my balance", "label": "no_such_label"}\n');
    const ro = run([...args, '--shots', '5', '--auto', '--labelled', join(dir, 'odd.jsonl')]);
    assert.equal(ro.status, 1);
    assert.equal(ro.stdout, '');
    assert.match(ro.stderr, /no_such_label/);

    // --explain: one line per test text with its decision and words, then the figures
    const re = run([...args, '--shots', '5', '--auto', '--explain']);
    assert.equal(re.status, 0, re.stderr);
    const lines = re.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 30 * 10 + 60 + 1);
    const last = lines.pop();
    assert.equal(last.n_test, 360);
    for (const e of lines) {
      assert.ok(['answer', 'choices', 'decline'].includes(e.decision), e.decision);
      assert.ok(Array.isArray(e.matched) && Array.isArray(e.unknown) && Array.isArray(e.other_known));
      assert.equal(typeof e.function_words_only, 'boolean');
      assert.ok(e.top.length >= 1 && e.top[0].label);
      if (e.decision === 'choices') assert.ok(e.n_choices >= 2 && e.n_choices <= 3);
    }
    // the decisions --explain shows are the ones the figures count
    const answered = lines.filter((e) => e.decision === 'answer');
    const right = answered.filter((e) => e.top[0].label === e.label).length;
    assert.ok(Math.abs(right / answered.length - last.answered_precision) < 1e-3 || answered.length === 0);
    assert.ok(Math.abs(lines.filter((e) => e.decision === 'choices').length / 360 - last.clarification_rate) < 1e-3);
    // an out-of-scope question's unknown words are named
    assert.ok(lines.some((e) => e.label === 'oos' && e.unknown.length > 0));
  });
});
