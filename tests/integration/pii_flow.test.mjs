// Issue 8's promise across features: a BSN (and an e-mail address) that a
// customer types in a question the bot cannot answer is visible to the agent
// who handles the conversation (the BSN once they reveal it, issue 14), and nowhere that text leaves the conversation:
// not in the server's log, not in the gap report (JSON) or a draft made from
// it, not in the analytics (topics JSON and every CSV table), not in the
// compliance report, not in /metrics.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopServer, api, addUser, login, createConversation, postMessage, handoff } from './helpers.mjs';

const BSN = '123456782'; // passes the 11-proef
const MAIL = 'pietje.puk@example.nl';
const QUESTION = `Kunnen jullie mijn belastingaangifte invullen? Mijn BSN is ${BSN}, mail naar ${MAIL}`;
const LEAD = { email: 'lead@example.com', password: 'de-teamleider-kijkt-mee' };
const AGENT = { email: 'agent@example.com', password: 'de-medewerker-helpt-graag' };

let srv, lead, agent, conv;

before(async () => {
  srv = await startServer({ env: { LOKET_LOG_LEVEL: 'debug' } });
  await addUser(srv.dataDir, LEAD.email, LEAD.password, 'supervisor');
  await addUser(srv.dataDir, AGENT.email, AGENT.password, 'agent');
  lead = await login(srv, LEAD.email, LEAD.password);
  agent = await login(srv, AGENT.email, AGENT.password);
  // Two customers ask it, so it is a gap topic whatever the minimum size.
  for (let i = 0; i < 2; i++) {
    const c = await createConversation(srv, { language: 'nl' });
    await postMessage(srv, c, QUESTION);
    await handoff(srv, c);
    conv = conv || c;
  }
});

after(async () => {
  if (srv) {
    await stopServer(srv);
    srv.cleanup();
  }
});

function assertClean(text, where) {
  assert.ok(!text.includes(BSN), `the BSN in ${where}`);
  assert.ok(!text.toLowerCase().includes(MAIL), `the e-mail address in ${where}`);
}

test('the agent handling the conversation sees the original words, the BSN after revealing it', async () => {
  const claim = await api(srv, 'POST', `/api/v1/agent/conversations/${conv.id}/claim`, { cookie: agent.cookie });
  assert.equal(claim.status, 200);
  const v = await api(srv, 'GET', `/api/v1/agent/conversations/${conv.id}`, { cookie: agent.cookie });
  assert.equal(v.status, 200);
  // issue 14: a BSN is masked until the agent reveals it (audited); the rest is as typed
  const m = v.json.messages.find((x) => x.sender === 'customer' && x.masked);
  assert.ok(m, 'the question, masked');
  assert.equal(m.text, QUESTION.replace(BSN, '[bsn]'));
  const r = await api(srv, 'POST', `/api/v1/agent/conversations/${conv.id}/messages/${m.id}/reveal`, { cookie: agent.cookie });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.text, QUESTION);
});

test('the gap report and a draft made from it hold the question, redacted', async () => {
  const g = await api(srv, 'GET', '/api/v1/kb/gaps', { cookie: lead.cookie });
  assert.equal(g.status, 200);
  const topic = g.json.topics.find((t) => JSON.stringify(t).includes('belastingaangifte'));
  assert.ok(topic, `no gap topic with the question: ${g.text}`);
  assertClean(g.text, 'the gap report');
  const d = await api(srv, 'POST', `/api/v1/kb/gaps/${encodeURIComponent(topic.id)}/draft`, { cookie: lead.cookie, body: {} });
  assert.equal(d.status, 201, d.text);
  assert.ok(d.text.includes('belastingaangifte'), 'the draft holds the question');
  assertClean(d.text, 'the draft article');
});

test('analytics (JSON and every CSV table) and the compliance report never show it', async () => {
  const today = new Date().toISOString().slice(0, 10);
  const q = `from=${today}&to=${today}&tz=UTC`; // today as UTC counts it, whatever the deployment's zone
  const topics = await api(srv, 'GET', `/api/v1/analytics/topics?${q}`, { cookie: lead.cookie });
  assert.equal(topics.status, 200, topics.text);
  assert.ok(topics.text.includes('belastingaangifte'), `the topic is counted: ${topics.text}`);
  assertClean(topics.text, 'analytics topics');
  for (const p of ['summary', 'agents', 'topics']) {
    const r = await api(srv, 'GET', `/api/v1/analytics/${p}?${q}`, { cookie: lead.cookie });
    assert.equal(r.status, 200);
    assertClean(r.text, `analytics ${p}`);
    const csv = await api(srv, 'GET', `/api/v1/analytics/${p}?${q}&format=csv`, { cookie: lead.cookie });
    assert.equal(csv.status, 200);
    assertClean(csv.text, `analytics ${p} CSV`);
  }
  const rep = await api(srv, 'GET', `/api/v1/reports/compliance?${q}`, { cookie: lead.cookie });
  assert.equal(rep.status, 200);
  assertClean(rep.text, 'the compliance report');
  const m = await api(srv, 'GET', '/metrics');
  assert.equal(m.status, 200);
  assertClean(m.text, '/metrics');
});

test('the server log never holds it (debug level)', async () => {
  const log = srv.stderr();
  assert.ok(log.length > 0, 'the server logged something');
  assertClean(log, 'the server log');
});
