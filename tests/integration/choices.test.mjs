// Issue 15, parts 4 and 5, through the real server over HTTP: the bot asks
// instead of guessing (CONTRACT.md, "Choices"), and answers a message with
// several questions part by part.
//
// The knowledge base (choices_fixture.mjs) has two close articles, returning
// shoes and returning clothes: "Hoe stuur ik iets terug?" fits both. A pick
// must be one the conversation's last choice message offered (a forged one is
// refused and nothing is stored); "none of these" and the person button hand
// over; the choices survive a reload and show in the agent's view; the
// analytics count offers and picks.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  stopServer, api, assertError, addUser, login, createConversation, postMessage, getConversation, handoff, runCli,
  sleep, SLOW,
} from './helpers.mjs';
import { startChoicesServer, UNSURE_NL, UNSURE_NL_2, CLOSE, KB_FILE } from './choices_fixture.mjs';

const SANNE = { email: 'sanne@tulpentafel.example', password: 'sanne-heeft-een-lang-wachtwoord' };
let srv;
let agent;

before(async () => {
  srv = await startChoicesServer();
  await addUser(srv.dataDir, SANNE.email, SANNE.password, 'supervisor');
  agent = await login(srv, SANNE.email, SANNE.password);
});

after(async () => {
  if (srv) {
    await stopServer(srv);
    srv.cleanup();
  }
});

const bots = (msgs) => msgs.filter((m) => m.sender === 'bot');

// text as the first message of a new Dutch conversation: the conversation,
// the reply and the bot's messages in it.
async function askNew(text) {
  const conv = await createConversation(srv, { language: 'nl' });
  const r = await postMessage(srv, conv, text);
  return { conv, r, b: bots(r.messages) };
}

// A new conversation in which the bot has just offered the two return articles.
async function offered() {
  const { conv, r, b } = await askNew(UNSURE_NL);
  assert.equal(b.length, 1, `one bot message: ${JSON.stringify(r.messages)}`);
  return { conv, offer: b[0], reply: r };
}

function pick(conv, choice, text) {
  return api(srv, 'POST', `/api/v1/conversations/${conv.id}/messages`, { token: conv.token, body: { text, choice } });
}

test('an unsure question gets choices with titles, no article_id, and the person in sight', async () => {
  const { conv, offer, reply } = await offered();
  assert.ok(Array.isArray(offer.choices), `choices: ${JSON.stringify(offer)}`);
  assert.deepEqual(offer.choices.map((c) => c.article_id).sort(), [...CLOSE].sort());
  const titles = Object.fromEntries(offer.choices.map((c) => [c.article_id, c.title]));
  assert.equal(titles['retour-schoenen'], 'Schoenen retourneren');
  assert.equal(titles['retour-kleding'], 'Kleding retourneren');
  assert.equal(offer.article_id, undefined, 'an offer carries no article_id');
  assert.equal(offer.confidence, undefined);
  assert.equal(offer.automated, true);
  assert.match(offer.text, /Gaat je vraag over '(Kleding|Schoenen) retourneren' of '(Kleding|Schoenen) retourneren'\?/);
  assert.match(offer.text, /medewerker/);
  assert.equal(reply.conversation.status, 'bot');
  // stored with the message: a reload shows the same choices
  const again = await getConversation(srv, conv);
  const stored = again.messages.find((m) => m.id === offer.id);
  assert.deepEqual(stored.choices, offer.choices);
  // the agent's view shows them too, and what the bot made of the question
  const view = await agent.req('GET', `/api/v1/agent/conversations/${conv.id}`);
  assert.equal(view.status, 200, view.text);
  const inView = view.json.messages.find((m) => m.id === offer.id);
  assert.deepEqual(inView.choices, offer.choices);
  const q = view.json.messages.find((m) => m.sender === 'customer');
  assert.equal(q.outcome, 'clarify');
});

test('a pick is answered with that article and chosen: true', async () => {
  const { conv, offer } = await offered();
  const r = await pick(conv, 'retour-schoenen', 'Schoenen retourneren');
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.messages[0].sender, 'customer');
  assert.equal(r.json.messages[0].text, 'Schoenen retourneren');
  const b = bots(r.json.messages);
  assert.equal(b.length, 1);
  assert.equal(b[0].article_id, 'retour-schoenen');
  assert.equal(b[0].chosen, true);
  assert.match(b[0].text, /originele doos/);
  assert.equal(r.json.conversation.status, 'bot');
  // a later pick from the same offer is still one of its choices
  const r2 = await pick(conv, 'retour-kleding', 'Kleding retourneren');
  assert.equal(r2.status, 201, r2.text);
  assert.equal(bots(r2.json.messages)[0].article_id, 'retour-kleding');
  // and an ordinary answer is never marked chosen
  const plain = bots((await postMessage(srv, conv, 'Hoe kan ik betalen?')).messages)[0];
  assert.equal(plain.article_id, 'betalen');
  assert.equal(plain.chosen, undefined);
  const stored = (await getConversation(srv, conv)).messages;
  assert.equal(stored.filter((m) => m.chosen === true).length, 2);
  assert.ok(stored.some((m) => m.id === offer.id && m.choices));
});

test('a choice that was not offered is refused with a JSON error and nothing is stored', async () => {
  const { conv } = await offered();
  const before = (await getConversation(srv, conv)).messages.length;
  // an article that exists but was not among the choices
  assertError(await pick(conv, 'betalen', 'Betalen'), 400, 'invalid_choice', 'not offered');
  // an article that does not exist at all
  assertError(await pick(conv, 'bestaat-niet', 'x'), 400, 'invalid_choice', 'unknown article');
  // wrong types and an empty id
  assertError(await pick(conv, 42, 'x'), 400, 'invalid_field', 'a number');
  assertError(await pick(conv, '', 'x'), 400, 'invalid_field', 'empty');
  assert.equal((await getConversation(srv, conv)).messages.length, before, 'nothing stored');
  // a conversation that was never offered anything
  const fresh = await createConversation(srv, { language: 'nl' });
  assertError(await pick(fresh, 'retour-schoenen', 'Schoenen retourneren'), 400, 'invalid_choice', 'no offer');
  assert.equal((await getConversation(srv, fresh)).messages.length, 1, 'only the greeting');
  // another conversation's token cannot pick here
  const r = await api(srv, 'POST', `/api/v1/conversations/${conv.id}/messages`, {
    token: fresh.token, body: { text: 'x', choice: 'retour-schoenen' },
  });
  assertError(r, 401, 'unauthorized');
});

test('"none of these" and the person button hand over from the choices', async () => {
  const a = await offered();
  const r = await postMessage(srv, a.conv, 'Geen van deze');
  assert.equal(r.conversation.status, 'queued');
  assert.equal(r.conversation.handoff_reason, 'low_confidence');
  assert.equal(bots(r.messages).length, 0, 'no bot answer after the hand-off');
  assert.ok(r.messages.some((m) => m.sender === 'system'), 'a hand-off notice');

  const b = await offered();
  const h = await handoff(srv, b.conv);
  assert.equal(h.status, 'queued');
  assert.equal(h.handoff_reason, 'button');
  // once queued, a pick gets no bot answer (a person has it now)
  const p = await pick(b.conv, 'retour-schoenen', 'Schoenen retourneren');
  assert.equal(p.status, 201, p.text);
  assert.equal(bots(p.json.messages).length, 0);
});

// The second offer in a row is one failure; the decline after it is the
// second, which hands over (without the rule it would be the first).
test('a second offer in a row counts as a failure: a decline after it hands over', async () => {
  const { conv } = await offered();
  const r2 = await postMessage(srv, conv, UNSURE_NL_2);
  assert.ok(bots(r2.messages)[0]?.choices, `offered again: ${JSON.stringify(r2.messages)}`);
  assert.equal(r2.conversation.status, 'bot');
  const r3 = await postMessage(srv, conv, 'Wat is de hoofdstad van Peru?');
  assert.equal(r3.conversation.status, 'queued', JSON.stringify(r3.messages));
  assert.equal(r3.conversation.handoff_reason, 'repeated_failure');
});

test('two questions in one message get two answers', async () => {
  const { r, b } = await askNew('Hoe lang duurt de levering en wat kost verzending?');
  assert.deepEqual(b.map((m) => m.article_id), ['levertijd', 'verzendkosten'], JSON.stringify(r.messages));
  assert.ok(b.every((m) => typeof m.confidence === 'number'));
  assert.equal(r.conversation.status, 'bot');
});

test('one part answered, the other declined in the same turn with a person offered', async () => {
  const { conv, r, b } = await askNew('Wat kost verzending? En wat is de hoofdstad van Peru?');
  assert.equal(b.length, 2, JSON.stringify(r.messages));
  assert.equal(b[0].article_id, 'verzendkosten');
  assert.equal(b[1].article_id, undefined);
  assert.match(b[1].text, /hoofdstad van Peru/);
  assert.match(b[1].text, /medewerker/);
  assert.equal(r.conversation.status, 'bot');
  // "ja" takes the offer of a person
  const y = await postMessage(srv, conv, 'ja');
  assert.equal(y.conversation.status, 'queued');
});

test('a message with one question behaves as before', async () => {
  const { r, b } = await askNew('Hallo! Hoe kan ik betalen?');
  assert.equal(b.length, 1, JSON.stringify(r.messages));
  assert.equal(b[0].article_id, 'betalen');
  assert.equal(b[0].choices, undefined);
});

test('the analytics count how often the bot asked and how often the customer picked', async () => {
  const r = await agent.req('GET', '/api/v1/analytics/summary');
  assert.equal(r.status, 200, r.text);
  const f = r.json.totals;
  assert.ok(f.bot_choices_offered >= 6, `offers: ${JSON.stringify(f)}`);
  assert.ok(f.bot_choices_picked >= 2, `picks: ${JSON.stringify(f)}`);
  assert.ok(f.bot_choices_picked <= f.bot_choices_offered);
});

// Last: it changes the knowledge base. An offered article that has left the
// knowledge base since cannot be picked: 409, and nothing is stored.
test('a pick of an article removed since the offer is refused with 409', async () => {
  const { conv } = await offered();
  const kb = JSON.parse(readFileSync(KB_FILE, 'utf8'));
  kb.articles = kb.articles.filter((a) => a.id !== 'retour-schoenen');
  const file = path.join(path.dirname(srv.dataDir), 'smaller.json');
  writeFileSync(file, JSON.stringify(kb));
  const r = await runCli(['kb', 'import', file, '--data', srv.dataDir, '--replace']);
  assert.equal(r.code, 0, r.stderr);
  // the server picks the new knowledge base up within 2 s (CONTRACT.md):
  // wait until another conversation no longer gets the removed article
  let gone = false;
  for (const deadline = Date.now() + 4000 * SLOW; !gone && Date.now() < deadline; await sleep(100)) {
    const probe = await createConversation(srv, { language: 'nl' });
    const b = bots((await postMessage(srv, probe, 'Hoe stuur ik schoenen terug?')).messages);
    gone = !b.some((m) => m.article_id === 'retour-schoenen' || (m.choices || []).some((c) => c.article_id === 'retour-schoenen'));
  }
  assert.ok(gone, 'the new knowledge base is in use');
  const before = (await getConversation(srv, conv)).messages.length;
  assertError(await pick(conv, 'retour-schoenen', 'Schoenen retourneren'), 409, 'choice_unavailable');
  assert.equal((await getConversation(srv, conv)).messages.length, before, 'nothing stored');
  // the other offered article still answers
  const ok = await pick(conv, 'retour-kleding', 'Kleding retourneren');
  assert.equal(ok.status, 201, ok.text);
  assert.equal(bots(ok.json.messages)[0].article_id, 'retour-kleding');
});
