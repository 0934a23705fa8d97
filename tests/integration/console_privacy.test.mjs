// Issue 14 over the real binary: the console's API and the privacy details.
// - GET /api/v1/auth/me names the console's language (the user's, else
//   console_language) and the deployment's time zone; PATCH sets the user's;
// - conversations carry a title (customer, else the topic of the first
//   question) in the queue, the lists, the view and the agents' stream;
// - suggestions below suggest_min_confidence are left out, weak ones marked;
// - a new data directory has the demo's canned responses in nl and en;
// - the dashboard counts days in the deployment's time zone by default;
// - an e-mail address or phone number a customer typed makes the conversation
//   findable for export and erasure (API and CLI), and erasure removes it;
// - an admin erases one conversation (audited without personal data);
// - a BSN: the bot warns, agents see it masked (view, stream, queue preview)
//   until they reveal it, and every reveal is audited.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  serverForFile, addUser, login, createConversation, postMessage, handoff, runCli, agentStream, assertError,
  getConversation, sqlite, eventuallyCount,
} from './helpers.mjs';

let srv;
const ADMIN = { email: 'ada@example.com', password: 'ada-beheert-de-loket-server' };
const AGENT = { email: 'bas@example.com', password: 'bas-helpt-de-klanten-graag' };
const BSN = '123456782';

serverForFile({ env: { LOKET_CONSOLE_LANGUAGE: 'nl' } }, async (s) => {
  srv = s;
  await addUser(srv.dataDir, ADMIN.email, ADMIN.password, 'admin');
  await addUser(srv.dataDir, AGENT.email, AGENT.password, 'agent');
});

const sql = (q) => sqlite(srv.dataDir, q);
const count = (q) => Number(sql(q));
const eventually = (q, want, timeoutMs) => eventuallyCount(srv.dataDir, q, want, timeoutMs);

test('the console language: the user\'s own, else console_language; the time zone', async () => {
  // before anyone logs in: the deployment's default, for the login form
  const pub = await fetch(`${srv.base}/api/v1/auth/console`);
  assert.equal(pub.status, 200);
  assert.deepEqual(await pub.json(), { default_language: 'nl' });
  const a = await login(srv, AGENT.email, AGENT.password);
  let me = await a.req('GET', '/api/v1/auth/me');
  assert.equal(me.status, 200);
  assert.deepEqual(me.json.console, { language: 'nl', default_language: 'nl', time_zone: 'Europe/Amsterdam' });
  assert.equal(me.json.user.language, null);

  const set = await a.req('PATCH', '/api/v1/auth/me', { body: { language: 'en' } });
  assert.equal(set.status, 200, set.text);
  me = await a.req('GET', '/api/v1/auth/me');
  assert.equal(me.json.user.language, 'en');
  assert.equal(me.json.console.language, 'en');
  assert.equal(count("SELECT count(*) FROM audit_log WHERE action = 'auth.language'"), 1);

  assertError(await a.req('PATCH', '/api/v1/auth/me', { body: { language: 'de' } }), 400, 'invalid_field');
  assertError(await a.req('PATCH', '/api/v1/auth/me', { body: {} }), 400, 'invalid_body');
  assertError(await a.req('PATCH', '/api/v1/auth/me', { body: { language: 7 } }), 400, 'invalid_field');
  assert.equal((await a.req('PATCH', '/api/v1/auth/me', { body: { language: null } })).status, 200);
  me = await a.req('GET', '/api/v1/auth/me');
  assert.equal(me.json.console.language, 'nl', 'back to the deployment default');
  assert.equal((await fetch(`${srv.base}/api/v1/auth/me`, { method: 'PATCH', body: '{"language":"en"}',
    headers: { 'Content-Type': 'application/json' } })).status, 401);
});

test('a bad console_language stops the server at start', async () => {
  const r = await runCli(['serve', '--listen', '127.0.0.1:0', '--data', srv.dataDir, '--console-language', 'de']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /console_language/);
});

test('titles: the customer, else the topic of the first question; in queue, list, view and stream', async () => {
  const admin = await login(srv, ADMIN.email, ADMIN.password);
  const stream = await agentStream(srv, admin.cookie);
  const named = await createConversation(srv, { language: 'nl', customer: { name: 'Jan de Vries', email: 'jan@example.nl' } });
  await postMessage(srv, named, 'hallo');
  const mailed = await createConversation(srv, { language: 'nl', customer: { email: 'Piet@Example.nl' } });
  const answered = await createConversation(srv, { language: 'nl' });
  await postMessage(srv, answered, 'hallo');
  await postMessage(srv, answered, 'Kan ik met iDEAL betalen?');
  await postMessage(srv, answered, 'Hoe lang duurt de levering naar België?');
  const unknown = await createConversation(srv, { language: 'nl' });
  await postMessage(srv, unknown, 'Mijn e-mail is klant@example.nl en de kleur van de bank valt tegen eigenlijk');
  const smalltalk = await createConversation(srv, { language: 'nl' });
  await postMessage(srv, smalltalk, 'hallo');
  for (const c of [named, mailed, answered, unknown, smalltalk]) await handoff(srv, c);

  const want = {
    [named.id]: 'Jan de Vries',
    [mailed.id]: 'piet@example.nl',
    [answered.id]: 'Betaalmethoden',
    [unknown.id]: 'Mijn e-mail is [e-mail] en de kleur van...',
    [smalltalk.id]: null,
  };
  const q = await admin.req('GET', '/api/v1/agent/queue');
  for (const [id, title] of Object.entries(want)) {
    const item = q.json.conversations.find((c) => c.id === id);
    assert.equal(item.title, title, `queue title of ${id}`);
    const v = await admin.req('GET', `/api/v1/agent/conversations/${id}`);
    assert.equal(v.json.title, title, `view title of ${id}`);
  }
  const list = await admin.req('GET', '/api/v1/agent/conversations?status=queued');
  assert.equal(list.json.conversations.find((c) => c.id === answered.id).title, 'Betaalmethoden');
  assert.equal(list.json.conversations.find((c) => c.id === answered.id).topic, 'Betaalmethoden');
  await stream.until((s) => s.frames.some((f) => f.type === 'conversation' && f.conversation.id === answered.id &&
    f.conversation.title === 'Betaalmethoden'), 'a titled conversation frame');
  stream.ws.close();
  // the customer's own view has no title (it is the agents')
  const own = await getConversation(srv, answered);
  assert.equal(own.title, undefined);
});

test('suggestions: below the floor left out, below the bot\'s threshold marked weak', async () => {
  const admin = await login(srv, ADMIN.email, ADMIN.password);
  const c = await createConversation(srv, { language: 'nl' });
  await postMessage(srv, c, 'wat vinden jullie van het weer vandaag');
  await handoff(srv, c);
  const v = await admin.req('GET', `/api/v1/agent/conversations/${c.id}`);
  assert.ok(v.json.suggestions.every((s) => s.confidence >= 0.2), JSON.stringify(v.json.suggestions));
  assert.ok(v.json.suggestions.every((s) => s.weak === true), JSON.stringify(v.json.suggestions));
  assert.ok(v.json.suggestions_hidden >= 1, 'the low matches were there, and are hidden');

  const good = await createConversation(srv, { language: 'nl' });
  await postMessage(srv, good, 'Kan ik met iDEAL betalen?');
  await handoff(srv, good);
  const g = await admin.req('GET', `/api/v1/agent/conversations/${good.id}`);
  assert.equal(g.json.suggestions[0].article_id, 'betaalmethoden');
  assert.equal(g.json.suggestions[0].weak, false);
});

test('the demo ships canned responses in Dutch and English', async () => {
  const a = await login(srv, AGENT.email, AGENT.password);
  const nl = await a.req('GET', '/api/v1/agent/canned?language=nl');
  const en = await a.req('GET', '/api/v1/agent/canned?language=en');
  assert.equal(nl.status, 200);
  const list = (r) => r.json.canned;
  assert.ok(list(nl).length >= 8, `nl: ${list(nl).length}`);
  assert.ok(list(en).length >= 8, `en: ${list(en).length}`);
  assert.ok(list(nl).some((c) => c.text.includes('{customer_name}')));
  assert.ok(list(en).some((c) => c.shortcut === 'order'));
});

test('the dashboard counts days in the deployment\'s time zone unless asked otherwise', async () => {
  const admin = await login(srv, ADMIN.email, ADMIN.password);
  const r = await admin.req('GET', '/api/v1/analytics/summary');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.tz, 'Europe/Amsterdam');
  const u = await admin.req('GET', '/api/v1/analytics/summary?tz=UTC');
  assert.equal(u.json.tz, 'UTC');
});

test('an address or number the customer typed finds the conversation for export and erasure', async () => {
  const admin = await login(srv, ADMIN.email, ADMIN.password);
  const c = await createConversation(srv, { language: 'nl' });
  await postMessage(srv, c, 'mijn e-mail is Piet.Jansen@Example.NL, bel me op 06-12345678');
  await handoff(srv, c);
  const other = await createConversation(srv, { language: 'nl' });
  await postMessage(srv, other, 'bel me op 06-87654321');
  assert.equal(count(`SELECT count(*) FROM conversation_identifiers WHERE conversation_id = '${c.id}'`), 2);
  assert.equal(sql(`SELECT value FROM conversation_identifiers WHERE conversation_id = '${c.id}' AND kind = 'phone'`),
    '+31612345678');

  const byMail = await admin.req('POST', '/api/v1/admin/privacy/export', { body: { email: 'piet.jansen@example.nl' } });
  assert.equal(byMail.status, 200, byMail.text);
  assert.deepEqual(byMail.json.conversations.map((x) => x.id), [c.id]);
  assert.equal(byMail.json.conversations[0].identifiers.length, 2);
  const byPhone = await admin.req('POST', '/api/v1/admin/privacy/export', { body: { phone: '+31 6 1234 5678' } });
  assert.deepEqual(byPhone.json.conversations.map((x) => x.id), [c.id]);
  assertError(await admin.req('POST', '/api/v1/admin/privacy/export', { body: { phone: 'twaalf' } }), 400, 'invalid_field');

  // the CLI finds it by the number too
  const cli = await runCli(['privacy', 'export', '--phone', '0612345678', '--data', srv.dataDir]);
  assert.equal(cli.code, 0, cli.stderr);
  assert.deepEqual(JSON.parse(cli.stdout).conversations.map((x) => x.id), [c.id]);
  assert.equal((await runCli(['privacy', 'export', '--phone', 'nope', '--data', srv.dataDir])).code, 1);

  // erasure by the number takes the conversation and its identifiers
  const er = await admin.req('POST', '/api/v1/admin/privacy/erase', { body: { phone: '06 12 34 56 78', confirm: true } });
  assert.equal(er.status, 200, er.text);
  assert.equal(er.json.erased.conversations, 1);
  assert.equal(count(`SELECT count(*) FROM conversations WHERE id = '${c.id}'`), 0);
  assert.equal(count(`SELECT count(*) FROM conversation_identifiers WHERE conversation_id = '${c.id}'`), 0);
  assert.equal(count(`SELECT count(*) FROM conversations WHERE id = '${other.id}'`), 1);
  const rec = sql("SELECT detail FROM audit_log WHERE action = 'privacy.erase' ORDER BY id DESC LIMIT 1");
  assert.ok(!rec.includes('0612345678') && !rec.includes('+316'), rec);
  assert.match(rec, /"by":"phone"/);
});

test('an admin erases one conversation; audited without personal data', async () => {
  const admin = await login(srv, ADMIN.email, ADMIN.password);
  const agent = await login(srv, AGENT.email, AGENT.password);
  const c = await createConversation(srv, { language: 'nl', customer: { email: 'eén@example.nl' } });
  await postMessage(srv, c, 'Graag alles van dit gesprek wissen');
  await handoff(srv, c);
  await agent.req('GET', `/api/v1/agent/conversations/${c.id}`);
  await eventually(`SELECT count(*) FROM audit_log WHERE conversation_id = '${c.id}' AND action = 'conversation.view'`);
  const stream = await agentStream(srv, agent.cookie);

  assertError(await agent.req('POST', `/api/v1/admin/conversations/${c.id}/erase`, { body: { confirm: true } }), 403, 'forbidden');
  assertError(await admin.req('POST', `/api/v1/admin/conversations/${c.id}/erase`, { body: {} }), 400, 'missing_field');
  assertError(await admin.req('POST', `/api/v1/admin/conversations/${c.id}/erase`, { body: { confirm: 'yes' } }), 400, 'invalid_field');
  assertError(await admin.req('POST', '/api/v1/admin/conversations/c_nope/erase', { body: { confirm: true } }), 404, 'not_found');
  assert.equal(count(`SELECT count(*) FROM messages WHERE conversation_id = '${c.id}'`) > 0, true, 'nothing gone yet');

  const r = await admin.req('POST', `/api/v1/admin/conversations/${c.id}/erase`, { body: { confirm: true } });
  assert.equal(r.status, 200, r.text);
  assert.match(r.json.request_id, /^pr_/);
  assert.equal(r.json.erased.conversations, 1);
  assert.ok(r.json.erased.messages >= 2);
  assert.equal(count(`SELECT count(*) FROM conversations WHERE id = '${c.id}'`), 0);
  assert.equal(count(`SELECT count(*) FROM messages WHERE conversation_id = '${c.id}'`), 0);
  assert.equal(count(`SELECT count(*) FROM audit_log WHERE conversation_id = '${c.id}'`), 0, 'ids taken off the audit log');
  const rec = sql("SELECT actor || ' ' || ifnull(conversation_id, '-') || ' ' || detail FROM audit_log WHERE action = 'privacy.erase_conversation'");
  assert.match(rec, new RegExp(`^${admin.user.id} - `));
  assert.ok(!rec.includes(c.id) && !rec.includes('example.nl') && !rec.includes('wissen'), rec);
  await stream.until((s) => s.frames.some((f) => f.type === 'conversation' && f.conversation.id === c.id &&
    f.conversation.status === 'erased'), 'the erased frame');
  stream.ws.close();
  assertError(await admin.req('GET', `/api/v1/agent/conversations/${c.id}`), 404, 'not_found');
});

test('a BSN: the bot warns the customer; agents see it masked until they reveal it, audited', async () => {
  const agent = await login(srv, AGENT.email, AGENT.password);
  const stream = await agentStream(srv, agent.cookie);
  const c = await createConversation(srv, { language: 'nl' });
  await handoff(srv, c);
  const r = await postMessage(srv, c, `mijn BSN is ${BSN}, kunt u mijn bestelling vinden?`);
  // the customer's own side: their words as typed, and the warning
  const own = await getConversation(srv, c);
  assert.ok(own.messages.some((m) => m.sender === 'customer' && m.text.includes(BSN)));
  const warn = own.messages.find((m) => m.sender === 'system' && /burgerservicenummer/.test(m.text));
  assert.ok(warn, `the bot tells the customer: ${JSON.stringify(own.messages.map((m) => m.text))}`);
  assert.match(warn.text, /niet in de chat/);
  void r;

  const en = await createConversation(srv, { language: 'en' });
  await postMessage(srv, en, `my BSN is ${BSN}`);
  const ownEn = await getConversation(srv, en);
  assert.ok(ownEn.messages.some((m) => m.sender === 'system' && /Please do not share your citizen service number/.test(m.text)));

  // the agents: masked in the stream, the queue preview and the view
  await stream.until((s) => s.frames.some((f) => f.type === 'message' && f.message.conversation_id === c.id &&
    f.message.sender === 'customer'), 'the customer message');
  const frame = stream.frames.find((f) => f.type === 'message' && f.message.conversation_id === c.id && f.message.sender === 'customer');
  assert.equal(frame.message.masked, true);
  assert.ok(!JSON.stringify(stream.frames).includes(BSN), 'no BSN in the agents\' stream');
  stream.ws.close();
  const q = await agent.req('GET', '/api/v1/agent/queue');
  assert.ok(!q.text.includes(BSN), 'no BSN in the queue');
  const v = await agent.req('GET', `/api/v1/agent/conversations/${c.id}`);
  const m = v.json.messages.find((x) => x.sender === 'customer');
  assert.equal(m.masked, true);
  assert.equal(m.text, 'mijn BSN is [bsn], kunt u mijn bestelling vinden?');
  assert.ok(!v.text.includes(BSN), 'no BSN anywhere in the view (summary, suggestions)');

  // the reveal: the original, and an audit record naming the message
  const before = count("SELECT count(*) FROM audit_log WHERE action = 'message.reveal'");
  const rv = await agent.req('POST', `/api/v1/agent/conversations/${c.id}/messages/${m.id}/reveal`);
  assert.equal(rv.status, 200, rv.text);
  assert.equal(rv.json.text, `mijn BSN is ${BSN}, kunt u mijn bestelling vinden?`);
  assert.equal(count("SELECT count(*) FROM audit_log WHERE action = 'message.reveal'"), before + 1);
  const rec = sql(`SELECT actor || ' ' || conversation_id || ' ' || detail FROM audit_log WHERE action = 'message.reveal' ORDER BY id DESC LIMIT 1`);
  assert.equal(rec, `${agent.user.id} ${c.id} {"message_id":"${m.id}"}`);
  assertError(await agent.req('POST', `/api/v1/agent/conversations/${c.id}/messages/m_nope/reveal`), 404, 'not_found');
  // another conversation's message: not found there (the admin may read both)
  const admin = await login(srv, ADMIN.email, ADMIN.password);
  assertError(await admin.req('POST', `/api/v1/agent/conversations/${en.id}/messages/${m.id}/reveal`), 404, 'not_found');
  assert.equal((await fetch(`${srv.base}/api/v1/agent/conversations/${c.id}/messages/${m.id}/reveal`, { method: 'POST' })).status, 401);
});
