// Honest waiting (issue 14), through the real server over HTTP: no wait
// estimate until there are enough recent real waits (LK_WAIT_MIN_SAMPLES, 8),
// then a range in the API and in the notice; no estimate and a plain "nobody
// is online" while no person is there; the waiting customer's call-back
// request (POST .../callback), stored for the agents and confirmed in the
// conversation, which stays in the queue.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopServer, addUser, api, assertError, login, handoff, createConversation, getConversation } from './helpers.mjs';

const ANNA = { email: 'anna@example.com', password: 'a-long-password' };

// Hands a new conversation over and lets the agent claim it at once: one
// real wait (well under a second).
async function oneWait(s, agent) {
  const c = await createConversation(s, { language: 'nl' });
  await handoff(s, c);
  const r = await agent.req('POST', `/api/v1/agent/conversations/${c.id}/claim`);
  assert.equal(r.status, 200, r.text);
}

test('the wait estimate: no figure from fewer than 8 recent waits, then a range in the API and the notice', async (t) => {
  const s = await startServer({ t });
  await addUser(s.dataDir, ANNA.email, ANNA.password);
  const anna = await login(s, ANNA.email, ANNA.password);

  // one earlier wait: the old estimate gave "less than a minute" from it
  await oneWait(s, anna);
  for (let i = 0; i < 6; i++) await oneWait(s, anna);
  // 7 waits: the queued customer hears their position, and no figure
  const c = await createConversation(s, { language: 'nl' });
  const h = await handoff(s, c);
  assert.equal(h.status, 'queued');
  assert.equal(h.queue_position, 1);
  assert.equal(h.people_available, true);
  assert.equal(h.estimated_wait_seconds, null, 'no estimate from 7 waits');
  assert.equal(h.estimated_wait_min_seconds, null);
  assert.equal(h.estimated_wait_max_seconds, null);
  const notice = h.new_messages.at(-1).text;
  assert.match(notice, /nummer 1 in de wachtrij/);
  assert.doesNotMatch(notice, /wachttijd|minuut|minuten/, `no figure in "${notice}"`);
  const got = await getConversation(s, c);
  assert.equal(got.estimated_wait_seconds, null);

  // the 8th wait: now a range, from the waits themselves (all under a second)
  assert.equal((await anna.req('POST', `/api/v1/agent/conversations/${c.id}/claim`)).status, 200);
  await new Promise((r) => setTimeout(r, 1100)); // the figures are cached for a second
  const d = await createConversation(s, { language: 'nl' });
  const e = await createConversation(s, { language: 'en' });
  const hd = await handoff(s, d);
  const he = await handoff(s, e);
  assert.equal(hd.estimated_wait_min_seconds, 0);
  assert.equal(hd.estimated_wait_max_seconds, 60);
  assert.equal(hd.estimated_wait_seconds, 60, 'estimated_wait_seconds is the top of the range');
  assert.match(hd.new_messages.at(-1).text, /Je bent nummer 1 in de wachtrij\. De verwachte wachttijd is minder dan een minuut\./);
  assert.equal(he.queue_position, 2);
  assert.equal(he.estimated_wait_max_seconds, 60, 'two sub-second waits are still under a minute');
  assert.match(he.new_messages.at(-1).text, /You are number 2 in the queue\. The expected wait is less than a minute\./);
  await stopServer(s);
});

test('nobody online: no estimate, people_available false, said plainly, and the call-back request works', async (t) => {
  const s = await startServer({ t });
  await addUser(s.dataDir, ANNA.email, ANNA.password);
  const c = await createConversation(s, { language: 'nl' });
  const h = await handoff(s, c);
  assert.equal(h.status, 'queued');
  assert.equal(h.people_available, false);
  assert.equal(h.estimated_wait_seconds, null);
  assert.match(h.new_messages.at(-1).text, /Er is op dit moment geen medewerker online\./);

  const cb = (body, token = c.token) => api(s, 'POST', `/api/v1/conversations/${c.id}/callback`, { token, body });
  // bad input: a 400 that names the field, nothing stored
  assertError(await cb({}), 400, 'missing_field');
  assertError(await cb({ contact: 'morgen na vijven' }), 400, 'invalid_field');
  assertError(await cb({ contact: 'bel me op 0612345678' }), 400, 'invalid_field');
  assertError(await cb({ contact: 42 }), 400, 'invalid_field');
  assertError(await cb({ contact: '0612345678' }, 'wrong-token'), 401, 'unauthorized');

  const r = await cb({ contact: ' 06-12345678 ', text: 'Over mijn retour' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.status, 'queued', 'the conversation stays in the queue');
  assert.equal(r.json.new_messages.length, 1);
  const m = r.json.new_messages[0];
  assert.equal(m.sender, 'system');
  assert.equal(m.automated, true);
  assert.match(m.text, /Een medewerker neemt contact met je op via 06-12345678\./);

  const anna = await login(s, ANNA.email, ANNA.password);
  const list = await anna.req('GET', '/api/v1/agent/callbacks');
  const mine = list.json.callbacks.filter((x) => x.conversation_id === c.id);
  assert.equal(mine.length, 1, JSON.stringify(list.json.callbacks));
  assert.equal(mine[0].contact, '06-12345678');
  assert.equal(mine[0].text, 'Over mijn retour');
  assert.equal(mine[0].status, 'open');

  // an e-mail address works too; with the bot or a person there is nobody to call back
  const r2 = await cb({ contact: 'jan@example.nl' });
  assert.equal(r2.status, 201, r2.text);
  assert.equal((await anna.req('POST', `/api/v1/agent/conversations/${c.id}/claim`)).status, 200);
  assertError(await cb({ contact: 'jan@example.nl' }), 409, 'conflict');
  const fresh = await createConversation(s, { language: 'nl' });
  const r3 = await api(s, 'POST', `/api/v1/conversations/${fresh.id}/callback`, { token: fresh.token, body: { contact: 'jan@example.nl' } });
  assertError(r3, 409, 'conflict');
  await stopServer(s);
});
