// The data that answer quality is calibrated and measured on (issue 15): the
// built-in out-of-scope questions (src/nlu/data/oos_*.txt) and the
// municipality knowledge base with its test questions (tests/data/gemeente/).
// Checks what the data promises (counts, no duplicates, labels that exist, no
// leakage between test questions and training data) and that the real
// `loket kb import` accepts the knowledge base and `kb export` gives it back;
// and that bench/kb_quality.mjs, which measures the bot on such a set through
// the customer API, reports figures that agree with its per-question outcomes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BIN, SLOW, SOURCE_DIR, freshDataDir, runCli, exportKb } from './helpers.mjs';

const OOS = (lang) => path.join(SOURCE_DIR, 'src', 'nlu', 'data', `oos_${lang}.txt`);
const GEMEENTE = path.join(SOURCE_DIR, 'tests', 'data', 'gemeente');

// The same question typed with other capitals or punctuation is a duplicate.
const norm = (s) => s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();

function readUtf8(file) {
  const bytes = readFileSync(file);
  // fatal: a broken UTF-8 sequence throws instead of becoming U+FFFD
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

function oosQuestions(lang) {
  const text = readUtf8(OOS(lang));
  assert.ok(text.endsWith('\n'), `${OOS(lang)} ends with a line break`);
  const lines = text.split('\n').slice(0, -1);
  assert.ok(lines[0].startsWith('#'), 'the file opens with its comment header');
  return lines.filter((l) => !l.startsWith('#'));
}

function readTest(file = path.join(GEMEENTE, 'test.jsonl')) {
  return readUtf8(file)
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => {
      let row;
      assert.doesNotThrow(() => (row = JSON.parse(l)), `${path.basename(file)} line ${i + 1} is JSON`);
      assert.deepEqual(Object.keys(row).sort(), ['label', 'text'], `${path.basename(file)} line ${i + 1} has text and label only`);
      assert.equal(typeof row.text, 'string');
      assert.ok(row.text.trim().length > 0, `${path.basename(file)} line ${i + 1} has a text`);
      return row;
    });
}

for (const lang of ['nl', 'en']) {
  test(`built-in out-of-scope questions (${lang}): at least 550, one a line, no duplicates`, () => {
    const qs = oosQuestions(lang);
    for (const q of qs) {
      assert.ok(q.trim().length > 0, 'no blank lines between questions');
      assert.equal(q, q.trim(), `no leading or trailing spaces: "${q}"`);
      assert.ok(!/[\t\r]/.test(q), `no tabs or carriage returns: "${q}"`);
    }
    assert.ok(qs.length >= 550, `${qs.length} questions`);
    const seen = new Map();
    for (const q of qs) {
      const k = norm(q);
      assert.ok(!seen.has(k), `duplicate: "${q}" and "${seen.get(k)}"`);
      seen.set(k, q);
    }
  });
}

test('the municipality knowledge base: at least 40 articles, 3-5 example questions each, English versions', () => {
  const kb = JSON.parse(readUtf8(path.join(GEMEENTE, 'kb.json')));
  const arts = kb.articles;
  const nl = arts.filter((a) => a.language === 'nl');
  assert.ok(nl.length >= 40, `${nl.length} Dutch articles`);
  const ids = new Set(arts.map((a) => a.id));
  assert.equal(ids.size, arts.length, 'ids are unique');
  const examples = new Set();
  for (const a of arts) {
    assert.ok(a.questions.length >= 3 && a.questions.length <= 5, `${a.id}: ${a.questions.length} example questions`);
    assert.ok(a.answer.length >= 150, `${a.id}: a real answer, not a stub`);
    for (const q of a.questions) {
      assert.ok(!examples.has(norm(q)), `${a.id}: example question "${q}" is also in another article`);
      examples.add(norm(q));
    }
  }
  const en = arts.filter((a) => a.language === 'en');
  assert.ok(en.length >= 3, `${en.length} English articles`);
  for (const a of en) assert.ok(ids.has(a.id.replace(/-en$/, '')) && a.id.endsWith('-en'), `${a.id} translates a Dutch article`);
});

// Every question the bot learns from, normalised: the knowledge base's example
// questions and the built-in out-of-scope questions of both languages.
function trainingQuestions(kb) {
  return new Set([
    ...kb.articles.flatMap((a) => a.questions).map(norm),
    ...oosQuestions('nl').map(norm),
    ...oosQuestions('en').map(norm),
  ]);
}

test('the municipality test questions: at least 220, 45 out of scope, labels exist, none is training data', () => {
  const kb = JSON.parse(readUtf8(path.join(GEMEENTE, 'kb.json')));
  const ids = new Set(kb.articles.map((a) => a.id));
  const rows = readTest();
  assert.ok(rows.length >= 220, `${rows.length} test questions`);
  const oos = rows.filter((r) => r.label === 'oos');
  assert.ok(oos.length >= 45, `${oos.length} out-of-scope questions`);
  const perLabel = new Map();
  for (const r of rows) {
    assert.ok(r.label === 'oos' || ids.has(r.label), `label "${r.label}" of "${r.text}" names an article`);
    perLabel.set(r.label, (perLabel.get(r.label) || 0) + 1);
  }
  for (const id of ids) assert.ok(perLabel.get(id) >= 1, `article ${id} has test questions`);
  // Written apart: no test question is an example question of the KB or a
  // built-in out-of-scope question (that would measure memory, not the bot).
  const training = trainingQuestions(kb);
  const seen = new Set();
  for (const r of rows) {
    const k = norm(r.text);
    assert.ok(!training.has(k), `test question "${r.text}" is also training data`);
    assert.ok(!seen.has(k), `duplicate test question "${r.text}"`);
    seen.add(k);
  }
});

const OTHER_SETS = [
  { name: 'demo', kb: path.join('src', 'kb', 'demo_kb.json'), test: path.join('tests', 'data', 'demo', 'test.jsonl') },
  { name: 'housing corporation', kb: path.join('tests', 'data', 'woningcorporatie', 'kb.json'),
    test: path.join('tests', 'data', 'woningcorporatie', 'test.jsonl') },
];
for (const set of OTHER_SETS) test(`the ${set.name} test questions: labels exist, none is training data`, () => {
  const kb = JSON.parse(readUtf8(path.join(SOURCE_DIR, set.kb)));
  const ids = new Set(kb.articles.map((a) => a.id));
  const rows = readTest(path.join(SOURCE_DIR, set.test));
  assert.ok(rows.length >= 100, `${rows.length} test questions`);
  assert.ok(rows.filter((r) => r.label === 'oos').length >= 25);
  const training = trainingQuestions(kb);
  const seen = new Set();
  for (const r of rows) {
    assert.ok(r.label === 'oos' || ids.has(r.label), `label "${r.label}" of "${r.text}" names an article`);
    assert.ok(!training.has(norm(r.text)), `test question "${r.text}" is also training data`);
    assert.ok(!seen.has(norm(r.text)), `duplicate test question "${r.text}"`);
    seen.add(norm(r.text));
  }
  // The demo's sensitive and complaint articles have none on purpose (tests/data/demo/README.md).
  if (set.name !== 'demo') for (const id of ids) assert.ok(rows.some((x) => x.label === id), `article ${id} has test questions`);
});

for (const [name, file] of [['municipality', path.join(GEMEENTE, 'kb.json')],
  ['housing corporation', path.join(SOURCE_DIR, 'tests', 'data', 'woningcorporatie', 'kb.json')]])
test(`loket kb import accepts the ${name} knowledge base, and kb export gives it back`, async () => {
  const kb = JSON.parse(readUtf8(file));
  const d = freshDataDir();
  try {
    const r = await runCli(['kb', 'import', file, '--data', d.dir]);
    assert.equal(r.code, 0, `kb import failed: ${r.stderr}`);
    assert.match(r.stderr + r.stdout, new RegExp(`imported ${kb.articles.length} articles .*${kb.articles.length} new`));
    const { kb: back } = await exportKb(d.dir);
    const byId = new Map(back.articles.map((a) => [a.id, a]));
    assert.equal(byId.size, kb.articles.length, 'the database holds exactly the file\'s articles (no demo)');
    for (const a of kb.articles) {
      const b = byId.get(a.id);
      assert.ok(b, `${a.id} exported`);
      for (const f of ['language', 'title', 'questions', 'answer', 'url', 'tags']) assert.deepEqual(b[f], a[f], `${a.id}.${f}`);
    }
  } finally {
    d.cleanup();
  }
});

// bench/kb_quality.mjs end to end on the municipality set: it imports the KB,
// starts the real server and asks every question through the customer API.
// The figures themselves belong to the NLU (docs/quality.md); here they must
// be consistent with the outcome of every question that the script reports.
function runNode(args) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    p.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('bench/kb_quality.mjs measures the municipality set through the customer API', { timeout: 300000 * SLOW }, async () => {
  const d = freshDataDir();
  try {
    const details = path.join(d.root, 'details.jsonl');
    const kbFile = path.join(GEMEENTE, 'kb.json');
    const testFile = path.join(GEMEENTE, 'test.jsonl');
    const r = await runNode([path.join(SOURCE_DIR, 'bench', 'kb_quality.mjs'), '--bin', BIN, '--kb', kbFile,
      '--test', testFile, '--details', details]);
    assert.equal(r.code, 0, `kb_quality failed: ${r.stderr}`);
    const rep = JSON.parse(r.stdout);
    const rows = readTest();
    assert.equal(rep.n_test, rows.length);
    assert.equal(rep.n_oos, rows.filter((x) => x.label === 'oos').length);
    assert.equal(rep.n_in_scope + rep.n_oos, rep.n_test);

    const out = readFileSync(details, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(out.length, rows.length, 'one outcome per question');
    const count = (f) => out.filter(f).length;
    for (const [i, x] of out.entries()) {
      assert.equal(x.text, rows[i].text, 'outcomes in the order of the test file');
      assert.ok(['answered', 'choices', 'handed_over', 'declined'].includes(x.outcome), x.outcome);
      if (x.outcome === 'answered') assert.ok(x.articles.length >= 1 && typeof x.confidence === 'number');
      if (x.outcome === 'handed_over') assert.notEqual(x.status, 'bot');
    }
    const answered = out.filter((x) => x.outcome === 'answered');
    const right = answered.filter((x) => x.right);
    assert.ok(answered.length > 0, 'the bot answers some questions of its own knowledge base');
    assert.equal(rep.n_answered, answered.length);
    assert.equal(rep.n_wrong_answers, answered.length - right.length);
    for (const x of answered.filter((y) => y.label === 'oos')) assert.equal(x.right, false, 'an answered oos question is wrong');
    const near = (a, b) => a === null ? b === null : Math.abs(a - b) < 1e-3;
    assert.ok(near(rep.answered_precision, right.length / answered.length));
    const inScope = count((x) => x.label !== 'oos');
    assert.ok(near(rep.coverage, count((x) => x.label !== 'oos' && x.outcome === 'answered') / inScope));
    assert.ok(near(rep.in_scope_accuracy, count((x) => x.label !== 'oos' && x.right) / inScope));
    assert.ok(near(rep.oos_recall, count((x) => x.label === 'oos' && x.outcome !== 'answered') / rep.n_oos));
    assert.ok(near(rep.clarification_rate, count((x) => x.outcome === 'choices') / rep.n_test));
    assert.ok(rep.helped >= rep.in_scope_accuracy);
    assert.equal(rep.n_handed_over, count((x) => x.outcome === 'handed_over'));
  } finally {
    d.cleanup();
  }
});

test('bench/kb_quality.mjs refuses a test file whose label is not an article', async () => {
  const d = freshDataDir();
  try {
    const bad = path.join(d.root, 'bad.jsonl');
    writeFileSync(bad, JSON.stringify({ text: 'hoe vraag ik een paspoort aan', label: 'no-such-article' }) + '\n');
    const r = await runNode([path.join(SOURCE_DIR, 'bench', 'kb_quality.mjs'), '--bin', BIN,
      '--kb', path.join(GEMEENTE, 'kb.json'), '--test', bad]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no-such-article/);
    assert.equal(r.stdout, '');
  } finally {
    d.cleanup();
  }
});
