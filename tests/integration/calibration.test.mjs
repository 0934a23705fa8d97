// Issue 15, part 1, through the real server: the bot calibrates its answering
// threshold at answer_risk whenever the knowledge base changes, shows the
// calibration in "what would the bot do?", and a threshold the calibration
// moves goes into the audit log (nlu.calibrate): it never changes silently.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, stopServer, addUser, login, runCli, freshDataDir, sleep, SOURCE_DIR, SLOW } from './helpers.mjs';

const PW = 'een-lang-genoeg-wachtwoord-voor-ada';
const RISK = 0.3; // loose enough that the demo knowledge base meets it
let srv;
let ada;

before(async () => {
  srv = await startServer({ env: { LOKET_ANSWER_RISK: String(RISK) } });
  await addUser(srv.dataDir, 'ada@tulpentafel.example', PW, 'admin');
  ada = await login(srv, 'ada@tulpentafel.example', PW);
});

after(async () => {
  if (srv) await stopServer(srv);
});

async function tryIt(text) {
  const r = await ada.req('POST', '/api/v1/kb/try', { body: { text } });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

async function audits() {
  const r = await ada.req('GET', '/api/v1/admin/audit?action=nlu.calibrate');
  assert.equal(r.status, 200, r.text);
  return r.json.records;
}

test('the threshold is calibrated at answer_risk; a change of it is audited', async () => {
  const a = await tryIt('Hoe kan ik iets retourneren?');
  const c = a.calibration;
  assert.equal(c.calibrated, true, JSON.stringify(c));
  assert.equal(c.answer_risk, RISK);
  assert.equal(c.met, true, `the demo knowledge base meets ${RISK}: ${JSON.stringify(c)}`);
  assert.ok(c.risk_bound <= RISK, JSON.stringify(c));
  assert.equal(a.threshold, c.calibrated_threshold, 'the bot answers at the calibrated threshold');
  assert.ok(a.threshold !== 0.5, 'not the old default');
  assert.equal(c.labelled_questions, 0, 'no answer reviews yet');
  assert.equal((await audits()).length, 0, 'the first build is not a change');

  // half the articles: another knowledge base, another calibration
  const kb = JSON.parse(readFileSync(path.join(SOURCE_DIR, 'src/kb/demo_kb.json'), 'utf8'));
  kb.articles = kb.articles.filter((x, i) => i % 2 === 0 && x.language === 'nl');
  const file = path.join(path.dirname(srv.dataDir), 'half.json');
  writeFileSync(file, JSON.stringify(kb));
  const imp = await runCli(['kb', 'import', file, '--data', srv.dataDir, '--replace']);
  assert.equal(imp.code, 0, imp.stderr);
  let b;
  for (let i = 0; i < 100 * SLOW; i++) {
    b = await tryIt('Hoe kan ik iets retourneren?');
    if (b.kb_version !== a.kb_version) break;
    await sleep(100);
  }
  assert.notEqual(b.kb_version, a.kb_version, 'the server picked the import up');
  const recs = await (async () => {
    for (let i = 0; i < 50; i++) { // the writer stores the record right after the swap
      const v = await audits();
      if (v.length || b.threshold === a.threshold) return v;
      await sleep(100);
    }
    return audits();
  })();
  if (b.threshold === a.threshold) {
    assert.equal(recs.length, 0, 'no change, no record');
  } else {
    assert.equal(recs.length, 1, JSON.stringify(recs));
    const detail = recs[0].detail;
    assert.match(detail, new RegExp(`threshold ${a.threshold.toFixed(4)} -> ${b.threshold.toFixed(4)}`), detail);
    assert.match(detail, /answer_risk 0\.300/);
    assert.match(detail, /; 0 reviewed questions\)/, 'no reviews joined this calibration');
    assert.equal(recs[0].actor, 'system');
  }
});

test('answer_risk out of range: serve refuses to start and names the option', async () => {
  const d = freshDataDir();
  try {
    const r = await runCli(['serve', '--listen', '127.0.0.1:0', '--data', d.dir, '--answer-risk', '0.9']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /answer_risk/);
  } finally {
    d.cleanup();
  }
});
