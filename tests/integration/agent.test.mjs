// The agent's side of CONTRACT.md (core): users made with `loket user add`,
// login, me and logout with a secure session cookie, the queue (oldest
// first), claiming (409 when not queued), the agent's reply reaching the
// customer over the WebSocket, closing, and the hand-off summary.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, stopServer, api, assertError, addUser, runCli, login, createConversation, postMessage,
  getConversation, handoff, openWs, msgKey, sleep, RFC3339_UTC,
} from './helpers.mjs';

let srv;
const ANNA = { email: 'anna@tulpentafel.example', password: 'anna-heeft-een-lang-wachtwoord' };
const BOB = { email: 'bob@tulpentafel.example', password: 'bob-heeft-ook-een-wachtwoord' };

before(async () => {
  srv = await startServer();
  // Users are added by another process while the server runs.
  await addUser(srv.dataDir, ANNA.email, ANNA.password);
  await addUser(srv.dataDir, BOB.email, BOB.password);
});

after(async () => {
  if (srv) {
    await stopServer(srv);
    srv.cleanup();
  }
});

test('login: 200 with the user and a HttpOnly, SameSite=Strict session cookie', async () => {
  const r = await api(srv, 'POST', '/api/v1/auth/login', { body: ANNA });
  assert.equal(r.status, 200, r.text);
  const u = r.json.user;
  assert.equal(typeof u.id, 'string');
  assert.ok(u.id.length > 0);
  assert.equal(u.email, ANNA.email);
  assert.equal(u.role, 'agent');
  assert.equal(typeof u.display_name, 'string');
  assert.ok(u.display_name.length > 0, 'a display name, by default derived from the email');
  assert.ok(!/password|hash/i.test(r.text), 'nothing about the password in the answer');
  const sc = r.headers.getSetCookie().find((c) => c.startsWith('loket_session='));
  assert.ok(sc, `a loket_session cookie: ${r.headers.getSetCookie()}`);
  const attrs = sc.split(';').map((s) => s.trim());
  const value = attrs[0].slice('loket_session='.length);
  assert.ok(value.length >= 22, `a session id of at least 128 bits: ${value}`);
  assert.ok(attrs.some((a) => /^HttpOnly$/i.test(a)), `HttpOnly: ${sc}`);
  assert.ok(attrs.some((a) => /^SameSite=Strict$/i.test(a)), `SameSite=Strict: ${sc}`);
  assert.ok(attrs.some((a) => /^Path=\/$/i.test(a)), `Path=/: ${sc}`);
  const maxAge = attrs.find((a) => /^Max-Age=/i.test(a));
  const expires = attrs.find((a) => /^Expires=/i.test(a));
  assert.ok(maxAge || expires, `an expiry: ${sc}`);
  if (maxAge) assert.ok(Number(maxAge.split('=')[1]) > 0, `Max-Age > 0: ${sc}`);

  const again = await login(srv, ANNA.email, ANNA.password);
  assert.notEqual(again.cookie, attrs[0], 'every login gets its own session');
});

test('login: a wrong password or an unknown user gets 401 and no cookie', async () => {
  for (const body of [{ email: ANNA.email, password: 'wrong' }, { email: ANNA.email, password: BOB.password }, { email: 'eve@example.com', password: 'x' }]) {
    const r = await api(srv, 'POST', '/api/v1/auth/login', { body });
    assertError(r, 401, 'unauthorized', JSON.stringify(body));
    assert.deepEqual(r.headers.getSetCookie(), []);
  }
});

test('me and logout: the session works until logout, and not after', async () => {
  const a = await login(srv, ANNA.email, ANNA.password);
  const me = await a.req('GET', '/api/v1/auth/me');
  assert.equal(me.status, 200, me.text);
  const u = me.json.user ?? me.json;
  assert.equal(u.email, ANNA.email);
  assert.equal(u.role, 'agent');

  const anon = await api(srv, 'GET', '/api/v1/auth/me');
  assertError(anon, 401, 'unauthorized');

  const out = await a.req('POST', '/api/v1/auth/logout');
  assert.ok(out.status === 200 || out.status === 204, `logout: ${out.status} ${out.text}`);
  const cleared = out.headers.getSetCookie().find((c) => c.startsWith('loket_session='));
  assert.ok(cleared, 'logout clears the cookie');
  assert.match(cleared, /Max-Age=0|Expires=Thu, 01 Jan 1970/i, cleared);
  // The old cookie is dead on the server, not only in the browser.
  assertError(await a.req('GET', '/api/v1/auth/me'), 401, 'unauthorized', 'me after logout');
  assertError(await a.req('GET', '/api/v1/agent/queue'), 401, 'unauthorized', 'queue after logout');
});

test('every agent endpoint answers 401 without a session', async () => {
  const c = await createConversation(srv);
  await handoff(srv, c);
  for (const [method, p, body] of [
    ['GET', '/api/v1/agent/queue'],
    ['POST', `/api/v1/agent/conversations/${c.id}/claim`],
    ['GET', `/api/v1/agent/conversations/${c.id}`],
    ['POST', `/api/v1/agent/conversations/${c.id}/messages`, { text: 'hallo' }],
    ['POST', `/api/v1/agent/conversations/${c.id}/close`, { disposition: 'resolved' }],
  ]) {
    assertError(await api(srv, method, p, { body }), 401, 'unauthorized', `${method} ${p}`);
  }
  assert.equal((await getConversation(srv, c)).status, 'queued', 'nothing was claimed or closed');
});

test('queue: queued conversations only, oldest first', async () => {
  const a = await login(srv, ANNA.email, ANNA.password);
  const bot = await createConversation(srv);
  const c1 = await createConversation(srv);
  const c2 = await createConversation(srv);
  const c3 = await createConversation(srv);
  await postMessage(srv, c1, 'Ik wil een medewerker spreken');
  await sleep(5);
  await handoff(srv, c2);
  await sleep(5);
  await postMessage(srv, c3, 'Ik wil een medewerker spreken');
  const r = await a.req('GET', '/api/v1/agent/queue');
  assert.equal(r.status, 200, r.text);
  const list = r.json.conversations;
  assert.ok(Array.isArray(list));
  for (const c of list) {
    assert.equal(c.status, 'queued', `only queued conversations: ${c.id} is ${c.status}`);
    assert.match(c.created_at, RFC3339_UTC);
    assert.equal(c.token, undefined, 'the queue does not leak customer tokens');
  }
  const ids = list.map((c) => c.id);
  assert.ok(!ids.includes(bot.id), 'a conversation with the bot is not queued');
  const ours = ids.filter((id) => [c1.id, c2.id, c3.id].includes(id));
  assert.deepEqual(ours, [c1.id, c2.id, c3.id], 'oldest first');
  const positions = list.filter((c) => c.queue_position !== undefined).map((c) => c.queue_position);
  assert.deepEqual(positions, [...positions].sort((x, y) => x - y), 'queue positions follow the order');
  // The customer's view of the position agrees with the queue.
  const g = await getConversation(srv, c1);
  assert.equal(g.queue_position, ids.indexOf(c1.id) + 1);
  // Leave the queue empty for the next tests.
  for (const c of list) assert.equal((await a.req('POST', `/api/v1/agent/conversations/${c.id}/claim`)).status, 200);
  assert.deepEqual((await a.req('GET', '/api/v1/agent/queue')).json.conversations, []);
});

test('claim, reply, close: the customer sees the agent, and the summary tells the story', async () => {
  const anna = await login(srv, ANNA.email, ANNA.password);
  const bob = await login(srv, BOB.email, BOB.password);
  const c = await createConversation(srv);
  await postMessage(srv, c, 'Hoe kan ik mijn bestelling retourneren?');
  const hand = await postMessage(srv, c, 'Ik wil een medewerker spreken');
  assert.equal(hand.conversation.status, 'queued');
  const seqAtOpen = (await getConversation(srv, c)).messages.at(-1).seq;
  const ws = await openWs(srv, c.id, c.token, { after: seqAtOpen });
  try {
    // Replying before claiming is not allowed.
    const early = await anna.req('POST', `/api/v1/agent/conversations/${c.id}/messages`, { body: { text: 'Hallo' } });
    assertError(early, 409, 'conflict', 'reply to an unclaimed conversation');

    const cl = await anna.req('POST', `/api/v1/agent/conversations/${c.id}/claim`);
    assert.equal(cl.status, 200, cl.text);
    assert.equal(cl.json.id, c.id);
    assert.equal(cl.json.status, 'assigned');
    assertError(await anna.req('POST', `/api/v1/agent/conversations/${c.id}/claim`), 409, 'conflict', 'claim again');
    assertError(await bob.req('POST', `/api/v1/agent/conversations/${c.id}/claim`), 409, 'conflict', 'another agent claims');
    const q = await anna.req('GET', '/api/v1/agent/queue');
    assert.ok(!q.json.conversations.some((x) => x.id === c.id), 'a claimed conversation leaves the queue');
    assert.equal((await getConversation(srv, c)).status, 'assigned', 'the customer sees it assigned');

    // The agent's view: the transcript and a summary.
    const v = await anna.req('GET', `/api/v1/agent/conversations/${c.id}`);
    assert.equal(v.status, 200, v.text);
    assert.equal(v.json.id, c.id);
    assert.equal(v.json.status, 'assigned');
    assert.equal(v.json.token, undefined);
    assert.equal(typeof v.json.summary, 'string');
    assert.ok(v.json.summary.trim().length > 0, 'a non-empty summary');
    const customerView = await getConversation(srv, c);
    assert.deepEqual(v.json.messages.map(msgKey), customerView.messages.map(msgKey), 'the agent sees the whole transcript');
    assert.ok(v.json.messages.some((m) => m.text === 'Hoe kan ik mijn bestelling retourneren?'));

    // The agent replies; the customer's socket gets it.
    const framesBefore = ws.frames.length;
    const reply = await anna.req('POST', `/api/v1/agent/conversations/${c.id}/messages`, { body: { text: 'Hallo, ik ben Anna. Ik help je graag.' } });
    assert.equal(reply.status, 201, reply.text);
    const m = reply.json;
    assert.equal(m.sender, 'agent');
    assert.equal(m.automated, false);
    assert.equal(m.text, 'Hallo, ik ben Anna. Ik help je graag.');
    assert.equal(typeof m.author_name, 'string');
    assert.ok(m.author_name.length > 0);
    assert.match(m.id, /^m_/);
    assert.match(m.created_at, RFC3339_UTC);
    await ws.waitFor(() => ws.frames.some((f) => f.id === m.id));
    const pushed = ws.frames.find((f) => f.id === m.id);
    assert.deepEqual(msgKey(pushed), msgKey(m));
    assert.ok(ws.frames.length > framesBefore);

    // Only the assigned agent may reply.
    assertError(await bob.req('POST', `/api/v1/agent/conversations/${c.id}/messages`, { body: { text: 'Ik ook!' } }), 409, 'conflict', "reply to someone else's conversation");

    // The customer answers: no bot, the agent sees it.
    const turn = await postMessage(srv, c, 'Dank je, Anna!');
    assert.equal(turn.conversation.status, 'assigned');
    assert.deepEqual(turn.messages.map((x) => x.sender), ['customer'], 'no bot answer while a person helps');
    const v2 = await anna.req('GET', `/api/v1/agent/conversations/${c.id}`);
    assert.equal(v2.json.messages.at(-1).text, 'Dank je, Anna!');

    // Close.
    const closed = await anna.req('POST', `/api/v1/agent/conversations/${c.id}/close`, { body: { disposition: 'resolved' } });
    assert.equal(closed.status, 200, closed.text);
    assert.equal(closed.json.status, 'closed');
    assert.equal((await getConversation(srv, c)).status, 'closed');
    assertError(await anna.req('POST', `/api/v1/agent/conversations/${c.id}/messages`, { body: { text: 'Nog iets?' } }), 409, 'conflict', 'reply after close');

    // Every message the conversation got reached the socket, in order.
    const all = (await getConversation(srv, c)).messages;
    const expected = all.filter((x) => x.seq > seqAtOpen);
    await ws.waitFrames(expected.length);
    await sleep(200);
    assert.deepEqual(ws.frames.map(msgKey), expected.map(msgKey));

    // The customer can still rate it.
    const rate = await api(srv, 'POST', `/api/v1/conversations/${c.id}/rating`, { token: c.token, body: { score: 5 } });
    assert.equal(rate.status, 200, rate.text);
  } finally {
    await ws.close();
  }
});

test('claiming a conversation that is not queued is a conflict', async () => {
  const a = await login(srv, ANNA.email, ANNA.password);
  const c = await createConversation(srv);
  assertError(await a.req('POST', `/api/v1/agent/conversations/${c.id}/claim`), 409, 'conflict', 'claim a bot conversation');
  assert.equal((await getConversation(srv, c)).status, 'bot');
});

test('two agents claiming at once: exactly one wins', async () => {
  const anna = await login(srv, ANNA.email, ANNA.password);
  const bob = await login(srv, BOB.email, BOB.password);
  for (let i = 0; i < 5; i++) {
    const c = await createConversation(srv);
    await handoff(srv, c);
    const rs = await Promise.all([anna, bob, anna, bob].map((x) => x.req('POST', `/api/v1/agent/conversations/${c.id}/claim`)));
    assert.deepEqual(rs.map((r) => r.status).sort(), [200, 409, 409, 409], `round ${i}: ${rs.map((r) => r.status)}`);
  }
});

test('user add without --password-stdin prints a generated password once, and it works', async () => {
  const email = 'carla@tulpentafel.example';
  const r = await runCli(['user', 'add', '--email', email, '--role', 'supervisor', '--data', srv.dataDir]);
  assert.equal(r.code, 0, r.stderr);
  const candidates = r.stdout.split(/[\s"':,]+/).filter((w) => w.length >= 12 && !w.includes('@'));
  assert.ok(candidates.length > 0, `a password on stdout: ${r.stdout}`);
  let ok = null;
  for (const pw of candidates) {
    const l = await api(srv, 'POST', '/api/v1/auth/login', { body: { email, password: pw } });
    if (l.status === 200) {
      ok = l;
      break;
    }
  }
  assert.ok(ok, `none of ${candidates.length} printed words logs in`);
  assert.equal(ok.json.user.role, 'supervisor');
});
