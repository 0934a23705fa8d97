// The data that answer quality is calibrated and measured on (issue 15): the
// built-in out-of-scope questions (src/nlu/data/oos_*.txt) and the
// municipality knowledge base with its test questions (tests/data/gemeente/).
// Checks what the data promises (counts, no duplicates, labels that exist, no
// leakage between test questions and training data) and that the real
// `loket kb import` accepts the knowledge base and `kb export` gives it back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SOURCE_DIR, freshDataDir, runCli, exportKb } from './helpers.mjs';

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

function readTest() {
  return readUtf8(path.join(GEMEENTE, 'test.jsonl'))
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => {
      let row;
      assert.doesNotThrow(() => (row = JSON.parse(l)), `test.jsonl line ${i + 1} is JSON`);
      assert.deepEqual(Object.keys(row).sort(), ['label', 'text'], `test.jsonl line ${i + 1} has text and label only`);
      assert.equal(typeof row.text, 'string');
      assert.ok(row.text.trim().length > 0, `test.jsonl line ${i + 1} has a text`);
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
  const training = new Set([
    ...kb.articles.flatMap((a) => a.questions).map(norm),
    ...oosQuestions('nl').map(norm),
    ...oosQuestions('en').map(norm),
  ]);
  const seen = new Set();
  for (const r of rows) {
    const k = norm(r.text);
    assert.ok(!training.has(k), `test question "${r.text}" is also training data`);
    assert.ok(!seen.has(k), `duplicate test question "${r.text}"`);
    seen.add(k);
  }
});

test('loket kb import accepts the municipality knowledge base, and kb export gives it back', async () => {
  const file = path.join(GEMEENTE, 'kb.json');
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
