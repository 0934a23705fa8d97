// "What would the bot do?" and the publish preview when the bot would offer
// a choice of articles instead of answering (issue 15, CONTRACT.md
// "Choices"): the try box says "choice" with the articles in the order the
// customer sees them, the same menu a real customer gets; the regression
// check reports a question that moves from "answered by A" to "A or B?" as
// offered, not as a decline. On the demo knowledge base, whose calibration
// cannot show answer_risk, short questions below the threshold are choices.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopServer, addUser, login, createConversation, postMessage, exportKb } from './helpers.mjs';

let srv, sup, kb;
const SAM = { email: 'sam@example.com', password: 'sam-is-de-teamleider-hier' };

before(async () => {
  srv = await startServer({});
  await addUser(srv.dataDir, SAM.email, SAM.password, 'supervisor');
  sup = await login(srv, SAM.email, SAM.password);
  kb = (await exportKb(srv.dataDir)).kb;
});

after(async () => {
  await stopServer(srv);
});

const ids = (list) => list.map((a) => a.article_id);

test('the try box shows a choice as a choice, with the menu the customer gets', async () => {
  const r = await sup.req('POST', '/api/v1/kb/try', { body: { text: 'retour' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.calibration.met, false, 'the demo calibration cannot show answer_risk');
  assert.equal(r.json.decision, 'choice', JSON.stringify(r.json));
  assert.deepEqual(ids(r.json.choices), ['retourkosten', 'retourneren']);
  assert.deepEqual(ids(r.json.choices), ids(r.json.top).slice(0, 2), 'in the NLU\'s order, best first');
  for (const c of r.json.choices) assert.equal(c.title, kb.articles.find((a) => a.id === c.article_id).title);
  const h = r.json.policy_hint;
  assert.equal(h.action, 'choices');
  assert.deepEqual(h.choices, r.json.choices);
  assert.deepEqual(h.article_ids, [], 'no article is answered');
  assert.equal(h.replies.length, 1);
  assert.equal(h.replies[0].kind, 'choices');
  assert.match(h.replies[0].text, /Gaat je vraag over 'Retourkosten' of 'Retourneren'\?/);

  // a customer asking the same gets exactly that menu
  const conv = await createConversation(srv);
  const { messages } = await postMessage(srv, conv, 'retour');
  const bot = messages.find((m) => m.sender === 'bot' && m.automated);
  assert.deepEqual(bot.choices.map((c) => c.article_id), ids(h.choices));
  assert.equal(bot.text, h.replies[0].text);

  // an answer and a decline keep their decision, with no choices
  const a = await sup.req('POST', '/api/v1/kb/try', { body: { text: 'wachtwoord vergeten' } });
  assert.equal(a.json.decision, 'answer', JSON.stringify(a.json));
  assert.deepEqual(a.json.choices, []);
  assert.deepEqual(a.json.policy_hint.choices, []);
  const d = await sup.req('POST', '/api/v1/kb/try', { body: { text: 'hoe laat vertrekt de trein naar utrecht' } });
  assert.equal(d.json.decision, 'decline', JSON.stringify(d.json));
  assert.deepEqual(d.json.choices, []);
  assert.notEqual(d.json.policy_hint.action, 'choices');
});

test('the preview counts a question that becomes a choice as offered, with the articles', async () => {
  // one of "retourneren"'s example questions, answered from it now, also in a
  // new article: the two split it, and the bot would ask which is meant
  const src = kb.articles.find((a) => a.id === 'retourneren');
  const q = 'Waar vind ik het retourformulier?';
  assert.ok(src.questions.includes(q), 'an example question of "retourneren" in the demo');
  const now = await sup.req('POST', '/api/v1/kb/try', { body: { text: q } });
  assert.equal(now.json.decision, 'answer', `answered now: ${q}`);
  assert.equal(now.json.top[0].article_id, 'retourneren');

  const dr = await sup.req('POST', '/api/v1/kb/drafts', {
    body: { language: 'nl', id: 'retour-twee', title: 'Retour in twee stappen', questions: [...src.questions], answer: 'Zo stuur je iets terug.' },
  });
  assert.equal(dr.status, 201, dr.text);
  const pv = await sup.req('POST', `/api/v1/kb/drafts/${dr.json.id}/preview`);
  assert.equal(pv.status, 200, pv.text);
  // answered by "retourneren" now, "retourneren or retour-twee?" after
  const ch = pv.json.changes.find((c) => c.question === q);
  assert.ok(ch, `the question is a change: ${JSON.stringify(pv.json.changes).slice(0, 600)}`);
  assert.deepEqual([ch.from.decision, ch.from.article_id], ['answer', 'retourneren']);
  assert.equal(ch.to.decision, 'choice', JSON.stringify(ch.to));
  assert.equal(ch.to.article_id, null);
  assert.deepEqual(ch.to.choices, ['retourneren', 'retour-twee'], 'in the order offered');
  assert.equal(ch.from.choices, undefined, 'an answer lists no choices');
  // the summary counts each change once, the choices as "offered"
  const s = pv.json.summary;
  assert.ok(s.offered >= 1);
  assert.equal(s.moved + s.declined + s.answered + s.offered, pv.json.changes_total);
  assert.equal(pv.json.changes.length, pv.json.changes_total, 'all listed (fewer than 500)');
  assert.equal(s.offered, pv.json.changes.filter((c) => c.to.decision === 'choice').length);
  assert.equal(s.declined, pv.json.changes.filter((c) => c.to.decision === 'decline').length);
  for (const c of pv.json.changes) {
    const same = c.from.decision === c.to.decision && c.from.article_id === c.to.article_id &&
      JSON.stringify(c.from.choices) === JSON.stringify(c.to.choices);
    assert.ok(!same, `only changes are listed: ${JSON.stringify(c)}`);
  }
});
