// Fixture conversations with known outcomes for the analytics tests
// (tests/integration/analytics.test.mjs, tests/browser/dashboard.test.mjs),
// made through the real API only: what a customer, an agent and a team lead
// do. The server must run with business hours "closed" (AFTER_HOURS_ENV), so
// that a hand-off asks for a call-back number.
//
//   A  bot only, answered; marked helpful, rated 5; answer reviewed right
//   B  bot only (English), declined once; rated 2
//   C  asks for a person in words; claimed and answered at once (suggested reply); closed; rated 4
//   D  the button; answered by a person after about 1.5 s
//   E  the button; closed by the team lead without an agent (abandoned)
//   F  the button after hours; leaves a phone number (call-back request), marked done
//   G  two questions the bot cannot answer: decline, then a hand-off (repeated failure)
//   H1, H2  the same customer (e-mail) with the same question, one after the other (a repeat contact);
//           H1's answer is reviewed wrong, H2 comes from the widget (channel "web")

import assert from 'node:assert/strict';
import { api, addUser, login, createConversation, postMessage, getConversation, handoff, sleep } from './helpers.mjs';

export const AFTER_HOURS_ENV = { LOKET_POLICY_BUSINESS_HOURS: 'closed' };
export const AGENT = { email: 'anna@example.com', password: 'anna-heeft-een-lang-wachtwoord' };
export const LEAD = { email: 'sam@example.com', password: 'sam-is-de-teamleider-hier' };
export const ADMIN = { email: 'ada@example.com', password: 'ada-beheert-alles-hier' };

const ms = (t) => Date.parse(t);

async function ok(res, what, status = 200) {
  assert.equal(res.status, status, `${what}: ${res.status} ${res.text}`);
  return res.json;
}

// The bot's answer (article_id set) in a message list.
const answerOf = (msgs) => msgs.find((m) => m.sender === 'bot' && m.article_id);

export async function makeFixture(srv) {
  await addUser(srv.dataDir, AGENT.email, AGENT.password, 'agent');
  await addUser(srv.dataDir, LEAD.email, LEAD.password, 'supervisor');
  await addUser(srv.dataDir, ADMIN.email, ADMIN.password, 'admin');
  const anna = await login(srv, AGENT.email, AGENT.password);
  const sam = await login(srv, LEAD.email, LEAD.password);
  const c = {};
  const customer = (id, extra = {}) => ({ language: 'nl', customer: { external_id: id }, ...extra });

  // A: answered, helpful, 5 stars, reviewed right
  c.A = await createConversation(srv, customer('cust-a'));
  let r = await postMessage(srv, c.A, 'Hoe kan ik iets retourneren?');
  const ansA = answerOf(r.messages);
  assert.ok(ansA, 'A: the bot answers');
  await ok(await api(srv, 'POST', `/api/v1/conversations/${c.A.id}/feedback`, { token: c.A.token, body: { message_id: ansA.id, helpful: true } }), 'A feedback');
  await ok(await api(srv, 'POST', `/api/v1/conversations/${c.A.id}/rating`, { token: c.A.token, body: { score: 5 } }), 'A rating');
  await ok(await sam.req('POST', `/api/v1/agent/conversations/${c.A.id}/messages/${ansA.id}/review`, { body: { verdict: 'right' } }), 'A review');

  // B: English, declined once, 2 stars
  c.B = await createConversation(srv, { language: 'en', customer: { external_id: 'cust-b' } });
  r = await postMessage(srv, c.B, 'What is the airspeed velocity of an unladen swallow?');
  assert.equal(r.conversation.status, 'bot', 'B: still with the bot after one decline');
  await ok(await api(srv, 'POST', `/api/v1/conversations/${c.B.id}/rating`, { token: c.B.token, body: { score: 2 } }), 'B rating');

  // C: asks for a person in words; answered at once from a suggestion; closed; 4 stars
  c.C = await createConversation(srv, customer('cust-c'));
  r = await postMessage(srv, c.C, 'Ik wil graag een medewerker spreken');
  assert.equal(r.conversation.status, 'queued', 'C: queued');
  assert.equal(r.conversation.handoff_reason, 'customer_request');
  await ok(await anna.req('POST', `/api/v1/agent/conversations/${c.C.id}/claim`), 'C claim');
  await ok(await anna.req('POST', `/api/v1/agent/conversations/${c.C.id}/messages`, { body: { text: 'Hoi, ik help je verder.', provenance: 'suggested', suggestion_article_id: 'retourneren' } }), 'C reply', 201);
  await ok(await anna.req('POST', `/api/v1/agent/conversations/${c.C.id}/close`, { body: { disposition: 'resolved' } }), 'C close');
  await ok(await api(srv, 'POST', `/api/v1/conversations/${c.C.id}/rating`, { token: c.C.token, body: { score: 4 } }), 'C rating');

  // D: the button; a person answers after about 1.5 s (the wait is the data)
  c.D = await createConversation(srv, customer('cust-d'));
  await handoff(srv, c.D);
  await sleep(1500);
  await ok(await anna.req('POST', `/api/v1/agent/conversations/${c.D.id}/claim`), 'D claim');
  await ok(await anna.req('POST', `/api/v1/agent/conversations/${c.D.id}/messages`, { body: { text: 'Sorry voor het wachten!' } }), 'D reply', 201);

  // E: the button; the team lead closes it without anyone taking it
  c.E = await createConversation(srv, customer('cust-e'));
  await handoff(srv, c.E);
  await ok(await sam.req('POST', `/api/v1/agent/conversations/${c.E.id}/close`, { body: { disposition: 'no answer' } }), 'E close');

  // F: the button after hours, then a phone number: a call-back request, handled
  c.F = await createConversation(srv, customer('cust-f'));
  await handoff(srv, c.F);
  await postMessage(srv, c.F, 'Bel me maar terug op 0612345678');
  const cbs = await ok(await anna.req('GET', '/api/v1/agent/callbacks?status=open'), 'callbacks');
  const cbF = cbs.callbacks.find((x) => x.conversation_id === c.F.id);
  assert.ok(cbF, `F: a call-back request: ${JSON.stringify(cbs)}`);
  await ok(await anna.req('POST', `/api/v1/agent/callbacks/${cbF.id}/done`), 'F callback done');

  // G: two questions the bot cannot answer: a decline, then the hand-off
  c.G = await createConversation(srv, customer('cust-g'));
  r = await postMessage(srv, c.G, 'Wat is de hoofdstad van Mongolië?');
  assert.equal(r.conversation.status, 'bot', 'G: first decline');
  r = await postMessage(srv, c.G, 'Hoeveel manen heeft Jupiter?');
  assert.equal(r.conversation.status, 'queued', 'G: the second failure hands over');
  assert.equal(r.conversation.handoff_reason, 'repeated_failure');

  // H1, H2: the same customer, the same question: a repeat contact
  c.H1 = await createConversation(srv, { language: 'nl', customer: { email: 'rita@example.com' } });
  r = await postMessage(srv, c.H1, 'Hoe kan ik iets retourneren?');
  const ansH1 = answerOf(r.messages);
  assert.ok(ansH1, 'H1: the bot answers');
  await ok(await sam.req('POST', `/api/v1/agent/conversations/${c.H1.id}/messages/${ansH1.id}/review`, { body: { verdict: 'wrong' } }), 'H1 review');
  c.H2 = await createConversation(srv, { language: 'nl', channel: 'web', customer: { email: 'rita@example.com' } });
  r = await postMessage(srv, c.H2, 'Ik wil iets retourneren, hoe doe ik dat?');
  assert.ok(answerOf(r.messages), 'H2: the bot answers');

  // The waits as the server recorded them: queued_at to the first agent message.
  const waits = {};
  for (const k of ['C', 'D']) {
    const v = await ok(await sam.req('GET', `/api/v1/agent/conversations/${c[k].id}`), `view ${k}`);
    const first = v.messages.find((m) => m.sender === 'agent');
    waits[k] = (ms(first.created_at) - ms(v.queued_at)) / 1000;
  }
  return { c, anna, sam, waits };
}
