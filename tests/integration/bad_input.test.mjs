// Bad input on every endpoint (CONTRACT.md and the foundation issue): too
// large bodies, invalid JSON, invalid UTF-8 in the raw body bytes, missing,
// empty and wrong-typed fields, unknown ids, wrong or missing tokens and
// sessions, unknown routes (404) and wrong methods (405). Each gets a 4xx
// with {"error": {"code", "message"}}; after each, what is stored is exactly
// what was stored before (GET shows the same messages and state) and the
// server still answers.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, stopServer, api, assertError, rawRequest, rawBody, addUser, login, createConversation,
  postMessage, getConversation, handoff, openWs, wsRefusal, msgKey, SLOW,
} from './helpers.mjs';

const KiB = 1024;
let srv;
let conv; // a conversation with a few messages, in status "bot"
let queued; // a queued conversation nobody claimed
let mine; // a conversation claimed by `agent`
let agent;

const EMAIL = 'bad-input@example.com';
const PASSWORD = 'correct horse battery staple';

before(async () => {
  srv = await startServer();
  await addUser(srv.dataDir, EMAIL, PASSWORD);
  agent = await login(srv, EMAIL, PASSWORD);
  conv = await createConversation(srv);
  await postMessage(srv, conv, 'Hoe kan ik mijn bestelling retourneren?');
  queued = await createConversation(srv);
  await handoff(srv, queued);
  mine = await createConversation(srv);
  await handoff(srv, mine);
  const r = await agent.req('POST', `/api/v1/agent/conversations/${mine.id}/claim`);
  assert.equal(r.status, 200, r.text);
  const m = await agent.req('POST', `/api/v1/agent/conversations/${mine.id}/messages`, { body: { text: 'Goedemiddag!' } });
  assert.equal(m.status, 201, m.text);
});

after(async () => {
  if (srv) {
    await stopServer(srv);
    srv.cleanup();
  }
});

// What must not change: every conversation's state and messages, as the
// customer and the agent see them.
async function snapshot() {
  const out = {};
  for (const c of [conv, queued, mine]) {
    const g = await getConversation(srv, c);
    out[c.id] = { status: g.status, handoff_reason: g.handoff_reason, messages: g.messages.map(msgKey) };
  }
  const v = await agent.req('GET', `/api/v1/agent/conversations/${mine.id}`);
  assert.equal(v.status, 200, v.text);
  out.agentView = { status: v.json.status, messages: v.json.messages.map(msgKey) };
  const q = await agent.req('GET', '/api/v1/agent/queue');
  assert.equal(q.status, 200, q.text);
  out.queue = q.json.conversations.map((c) => c.id);
  return out;
}

async function assertUnharmed(before, what) {
  const h = await api(srv, 'GET', '/healthz');
  assert.equal(h.status, 200, `${what}: the server still answers`);
  assert.deepEqual(await snapshot(), before, `${what}: the stored data is unchanged`);
  assert.equal(srv.proc.exitCode, null, `${what}: the server is still running`);
}

const utf8 = (...parts) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

// Raw bodies that are not valid UTF-8 (each inside a JSON string).
const BAD_UTF8 = {
  'a lone 0xFF byte': [0xff],
  'a truncated two-byte sequence': [0xc3, 0x28],
  'an overlong encoding of "/"': [0xc0, 0xaf],
  'an encoded UTF-16 surrogate': [0xed, 0xa0, 0x80],
  'a code point above U+10FFFF': [0xf4, 0x90, 0x80, 0x80],
  'a five-byte sequence': [0xf8, 0x88, 0x80, 0x80, 0x80],
  'a lone continuation byte': [0x80],
  'a sequence cut short by the closing quote': [0xe2, 0x82],
};

const NOT_JSON = {
  'an empty body': '',
  'an unterminated object': '{"text": "hallo"',
  'a trailing comma': '{"text": "hallo",}',
  'single quotes': "{'text': 'hallo'}",
  'a form body': 'text=hallo',
  'trailing garbage': '{"text": "hallo"} x',
  'two objects': '{"text": "a"}{"text": "b"}',
  'deeply nested arrays': '['.repeat(20000) + ']'.repeat(20000),
};

const NOT_OBJECT = { 'an array': '[]', 'a string': '"hallo"', 'null': 'null', 'a number': '5' };

// Every bad body for a JSON endpoint; field/valid give the field's name and a
// valid object to mutate. Returns [name, body, status, codes].
function badBodies(valid) {
  const cases = [];
  for (const [n, b] of Object.entries(NOT_JSON)) cases.push([`${n}`, b, 400, n === 'an empty body' ? ['invalid_json', 'missing_field'] : ['invalid_json']]);
  for (const [n, b] of Object.entries(NOT_OBJECT)) cases.push([`${n} instead of an object`, b, 400, ['invalid_json', 'invalid_field']]);
  const [field] = Object.keys(valid).filter((k) => typeof valid[k] === 'string');
  if (field) {
    for (const [n, bytes] of Object.entries(BAD_UTF8)) {
      const body = utf8(`{"${field}": "ab`, bytes, 'cd"}');
      cases.push([`invalid UTF-8 (${n}) in "${field}"`, body, 400, ['invalid_utf8']]);
    }
    cases.push([`invalid UTF-8 outside the strings`, utf8(JSON.stringify(valid), [0xff]), 400, ['invalid_utf8', 'invalid_json']]);
    cases.push([`a lone surrogate escape in "${field}"`, `{"${field}": "ab\\ud800cd"}`, 400, ['invalid_json', 'invalid_utf8', 'invalid_field']]);
  }
  cases.push([`${65 * KiB}-byte body`, JSON.stringify({ ...valid, pad: 'x'.repeat(65 * KiB) }), 413, ['body_too_large']]);
  return cases;
}

// Every bad body for an endpoint that takes a message's text (the customer's
// and the agent's): badBodies, the text missing or empty, and the text of
// each wrong JSON type.
const NOT_TEXT = { 'a number': '5', 'true': 'true', 'an array': '["hallo"]', 'an object': '{"a": "hallo"}' };

function badTextBodies() {
  return badBodies({ text: 'hallo' }).concat(
    [
      ['no text', '{}', 400, ['missing_field']],
      ['a misspelt field', '{"txt": "hallo"}', 400, ['missing_field']],
      ['text null', '{"text": null}', 400, ['missing_field', 'invalid_field']],
      ['empty text', '{"text": ""}', 400, ['invalid_field']],
      ['text of white space only', '{"text": " \\n\\t "}', 400, ['invalid_field']],
      ['text of spaces only', '{"text": "   "}', 400, ['invalid_field']],
    ],
    Object.entries(NOT_TEXT).map(([n, json]) => [`text is ${n}`, `{"text": ${json}}`, 400, ['invalid_field']]),
  );
}

// Sends each of cases ([name, body, status, codes]) with send(body) and asserts
// the JSON error; then(r, name) asserts what else a refusal must leave out.
async function assertEachRefused(cases, what, send, then = () => {}) {
  for (const [name, body, status, codes] of cases) {
    const r = await send(body);
    assertError(r, status, codes, `${what} with ${name}`);
    then(r, name);
  }
}

// The JSON error of a raw response.
function assertRawError(r, code) {
  let j;
  try {
    j = JSON.parse(rawBody(r.text));
  } catch {
    assert.fail(`the ${r.status} answer is not JSON: ${r.text.slice(0, 300)}`);
  }
  assert.equal(j?.error?.code, code, r.text.slice(0, 300));
}

// ---- customer endpoints ----------------------------------------------------

test('POST /api/v1/conversations: bad bodies', async () => {
  const before = await snapshot();
  const cases = badBodies({ language: 'nl' }).filter(([n]) => n !== 'an empty body'); // the body is optional
  cases.push(
    ['language is a number', '{"language": 5}', 400, ['invalid_field']],
    ['language is empty', '{"language": ""}', 400, ['invalid_field']],
    ['language has an empty region', '{"language": "xx-"}', 400, ['invalid_field']],
    ['language is in capitals', '{"language": "NL"}', 400, ['invalid_field']],
    ['language is a name, not a tag', '{"language": "dutch"}', 400, ['invalid_field']],
    ['language has a bad region', '{"language": "de-DEU"}', 400, ['invalid_field']],
    ['language is not a tag', '{"language": "nl; DROP TABLE"}', 400, ['invalid_field']],
  );
  await assertEachRefused(cases, 'create', (body) => api(srv, 'POST', '/api/v1/conversations', { body }), (r) =>
    assert.equal(r.json.token, undefined),
  );
  await assertUnharmed(before, 'create');
});

test('POST messages: bad bodies store nothing', async () => {
  const before = await snapshot();
  await assertEachRefused(badTextBodies(), 'message', (body) =>
    api(srv, 'POST', `/api/v1/conversations/${conv.id}/messages`, { token: conv.token, body }),
  );
  await assertUnharmed(before, 'post message');
});

test('POST messages: a NUL character is refused or stored exactly', async () => {
  const c = await createConversation(srv);
  const r = await api(srv, 'POST', `/api/v1/conversations/${c.id}/messages`, { token: c.token, body: '{"text": "a\\u0000b"}' });
  const got = await getConversation(srv, c);
  if (r.status === 201) {
    assert.equal(r.json.messages[0].text, 'a\u0000b');
    assert.equal(got.messages[1].text, 'a\u0000b', 'not cut at the NUL');
  } else {
    assertError(r, 400, ['invalid_field', 'invalid_json', 'invalid_utf8']);
    assert.deepEqual(got.messages.map(msgKey), c.messages.map(msgKey));
  }
});

test('POST rating: bad bodies', async () => {
  const before = await snapshot();
  const cases = badBodies({ score: 4, comment: 'prima' });
  cases.push(
    ['no score', '{}', 400, ['missing_field']],
    ['only a comment', '{"comment": "prima"}', 400, ['missing_field']],
    ['score 99999999999999999999', '{"score": 99999999999999999999}', 400, ['invalid_field', 'invalid_json']],
    ['score null', '{"score": null}', 400, ['invalid_field', 'missing_field']],
    ['comment is a number', '{"score": 4, "comment": 5}', 400, ['invalid_field']],
  );
  // a score outside 1 to 5, not whole, or not a number
  for (const v of ['0', '6', '-1', '2.5', '1e300', '"5"', 'true']) cases.push([`score ${v}`, `{"score": ${v}}`, 400, ['invalid_field']]);
  await assertEachRefused(cases, 'rating', (body) =>
    api(srv, 'POST', `/api/v1/conversations/${conv.id}/rating`, { token: conv.token, body }),
  );
  await assertUnharmed(before, 'rating');
});

test('POST handoff: a too large body gets 413 and does not hand over', async () => {
  const before = await snapshot();
  const r = await api(srv, 'POST', `/api/v1/conversations/${conv.id}/handoff`, { token: conv.token, body: 'x'.repeat(65 * KiB) });
  assertError(r, 413, 'body_too_large');
  await assertUnharmed(before, 'handoff');
});

test('customer endpoints: wrong, missing or foreign tokens and unknown ids all get the same 401', async () => {
  const before = await snapshot();
  const other = await createConversation(srv);
  const wrongTokens = {
    'no Authorization': { headers: {} },
    'an empty bearer token': { headers: { Authorization: 'Bearer ' } },
    'a wrong token': { headers: { Authorization: `Bearer ${'A'.repeat(conv.token.length)}` } },
    'the token with one character changed': { headers: { Authorization: `Bearer ${conv.token.slice(0, -1)}${conv.token.endsWith('A') ? 'B' : 'A'}` } },
    'the token with a suffix': { headers: { Authorization: `Bearer ${conv.token}x` } },
    'a prefix of the token': { headers: { Authorization: `Bearer ${conv.token.slice(0, 10)}` } },
    'another conversation\'s token': { headers: { Authorization: `Bearer ${other.token}` } },
    'the token as Basic credentials': { headers: { Authorization: `Basic ${Buffer.from(conv.token).toString('base64')}` } },
    'the token without a scheme': { headers: { Authorization: conv.token } },
  };
  const endpoints = [
    ['GET', (id) => `/api/v1/conversations/${id}`],
    ['POST', (id) => `/api/v1/conversations/${id}/messages`, { text: 'hallo' }],
    ['POST', (id) => `/api/v1/conversations/${id}/handoff`],
    ['POST', (id) => `/api/v1/conversations/${id}/rating`, { score: 1 }],
  ];
  const bodies = new Set();
  for (const [method, p, body] of endpoints) {
    for (const [name, opts] of Object.entries(wrongTokens)) {
      const r = await api(srv, method, p(conv.id), { ...opts, body });
      assertError(r, 401, 'unauthorized', `${method} ${p('ID')} with ${name}`);
      bodies.add(r.json.error.message);
    }
    for (const id of ['c_doesnotexist000000000000', 'c_', 'x', '%ff%fe', 'c_' + 'a'.repeat(300), encodeURIComponent("c_1' OR '1'='1")]) {
      const r = await api(srv, method, p(id), { token: conv.token, body });
      assertError(r, 401, 'unauthorized', `${method} ${p(id.slice(0, 40))} (an unknown id)`);
      bodies.add(r.json.error.message);
    }
  }
  assert.equal(bodies.size, 1, `every 401 says the same, so none reveals whether the id exists: ${[...bodies].join(' | ')}`);
  // A token that is not even a header-safe string, sent raw.
  const raw = await rawRequest(srv, utf8(`GET /api/v1/conversations/${conv.id} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer `, [0xff, 0xfe, 0x00, 0x01], '\r\nConnection: close\r\n\r\n'));
  assert.ok(raw.status === 401 || raw.status === 400, `a binary token: ${raw.status}`);
  await assertUnharmed(before, 'wrong tokens');
});

test('WebSocket: a bad after= is refused, and a refused upgrade harms nothing', async () => {
  const before = await snapshot();
  for (const after of ['abc', '-1', '1.5', '99999999999999999999999', '5x']) {
    const status = await wsRefusal(srv, conv.id, conv.token, { after });
    assert.equal(status, 400, `after=${after}: ${status}`);
  }
  assert.equal(await wsRefusal(srv, conv.id, 'nope'), 401);
  // A plain GET without the upgrade headers is no WebSocket.
  const r = await api(srv, 'GET', `/api/v1/conversations/${conv.id}/ws?token=${conv.token}`);
  assert.ok(r.status >= 400 && r.status < 500, `a GET without upgrade: ${r.status}`);
  await assertUnharmed(before, 'ws');
});

test('WebSocket: a message larger than max_body is refused with close code 1009', async () => {
  // Found while fuzzing the frames (fuzz/fuzz_ws_frames.c): wslay would
  // otherwise buffer a peer's message up to 2 GiB per connection.
  const ws = await openWs(srv, conv.id, conv.token, { after: 0 });
  const all = (await getConversation(srv, conv)).messages;
  await ws.waitFrames(all.length);
  ws.ws.send('x'.repeat(64 * KiB + 1));
  await ws.waitFor((c) => c.closed !== null, 5000 * SLOW, 'the close');
  assert.equal(ws.closed, 1009);
  // a message within the limit is taken (and ignored: clients only listen)
  const ok = await openWs(srv, conv.id, conv.token, { after: 0 });
  await ok.waitFrames(all.length);
  ok.ws.send('y'.repeat(1024));
  const turn = await postMessage(srv, conv, 'Hallo?');
  await ok.waitFrames(all.length + turn.messages.length);
  assert.equal(ok.closed, null);
  await ok.close();
});

// ---- body limit -------------------------------------------------------------

test('body limit: a chunked body over the limit gets 413', async () => {
  const before = await snapshot();
  const chunk = 'x'.repeat(16 * KiB);
  const parts = [`POST /api/v1/conversations/${conv.id}/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${conv.token}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`];
  parts.push(`${(10).toString(16)}\r\n{"text": "\r\n`);
  for (let i = 0; i < 5; i++) parts.push(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
  parts.push(`2\r\n"}\r\n0\r\n\r\n`);
  const r = await rawRequest(srv, parts);
  assert.equal(r.status, 413, r.text.slice(0, 300));
  assertRawError(r, 'body_too_large');
  await assertUnharmed(before, 'chunked');
});

test('body limit: a huge declared Content-Length gets 413 at once, without the body', async () => {
  const before = await snapshot();
  const t0 = Date.now();
  const r = await rawRequest(srv, `POST /api/v1/conversations/${conv.id}/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${conv.token}\r\nContent-Type: application/json\r\nContent-Length: 1000000000000\r\n\r\n{"text": "`, { quietMs: 300, timeoutMs: 5000 * SLOW });
  assert.equal(r.status, 413, `got ${r.status} after ${Date.now() - t0} ms: ${r.text.slice(0, 300)}`);
  assertRawError(r, 'body_too_large');
  await assertUnharmed(before, 'content-length');
});

test('body limit: a 1 MiB body gets a JSON 413 that the client can read', async () => {
  const before = await snapshot();
  const body = JSON.stringify({ text: 'x'.repeat(1024 * KiB) });
  const r = await rawRequest(srv, [
    `POST /api/v1/conversations/${conv.id}/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${conv.token}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
    body,
  ]);
  assert.equal(r.status, 413, r.text.slice(0, 300));
  assertRawError(r, 'body_too_large');
  await assertUnharmed(before, '1 MiB');
});

test('body limit: exactly at the limit is read, one byte over is 413', async () => {
  // A body of exactly 64 KiB that is valid JSON: it is read and judged on its
  // fields (a text this long may be refused as a field, but not as a body).
  const pad = (n) => JSON.stringify({ text: 'hallo', pad: 'x'.repeat(n) });
  const base = pad(0).length;
  const c = await createConversation(srv);
  const at = await api(srv, 'POST', `/api/v1/conversations/${c.id}/messages`, { token: c.token, body: pad(64 * KiB - base) });
  assert.ok(at.status === 201 || (at.status === 400 && at.json?.error?.code !== 'body_too_large'), `64 KiB: ${at.status} ${at.text.slice(0, 200)}`);
  const over = await api(srv, 'POST', `/api/v1/conversations/${c.id}/messages`, { token: c.token, body: pad(64 * KiB - base + 1) });
  assertError(over, 413, 'body_too_large', '64 KiB + 1');
});

test('body limit: LOKET_MAX_BODY configures it', async (t) => {
  const small = await startServer({ env: { LOKET_MAX_BODY: '2048' }, t });
  const c = await createConversation(small);
  const ok = await api(small, 'POST', `/api/v1/conversations/${c.id}/messages`, { token: c.token, body: { text: 'x'.repeat(1500) } });
  assert.equal(ok.status, 201, ok.text);
  const big = await api(small, 'POST', `/api/v1/conversations/${c.id}/messages`, { token: c.token, body: { text: 'x'.repeat(2100) } });
  assertError(big, 413, 'body_too_large');
  assert.equal((await getConversation(small, c)).messages.filter((m) => m.sender === 'customer').length, 1);
  await stopServer(small);
});

// ---- routes and methods -----------------------------------------------------

test('unknown routes get 404 not_found', async () => {
  const before = await snapshot();
  const wrong = [];
  for (const [method, p] of [
    ['GET', '/api/v1/nope'],
    ['GET', '/api/v2/conversations'],
    ['POST', '/api/v1/conversation'],
    ['GET', `/api/v1/conversations/${conv.id}/nope`],
    ['POST', `/api/v1/conversations/${conv.id}/messages/extra`],
    ['GET', '/api/v1/'],
    ['GET', '/api/v1/agent/nope'],
  ]) {
    const r = await agent.req(method, p, { token: conv.token });
    try {
      assertError(r, 404, 'not_found', `${method} ${p}`);
    } catch (e) {
      wrong.push(e.message.split('\n')[0]);
    }
  }
  assert.deepEqual(wrong, [], 'routes that do not answer 404');
  const page = await api(srv, 'GET', '/no-such-page.html');
  assert.equal(page.status, 404);
  await assertUnharmed(before, '404');
});

test('wrong methods get 405 method_not_allowed with an Allow header', async () => {
  const before = await snapshot();
  const wrong = [];
  for (const [method, p, allow] of [
    ['GET', '/api/v1/conversations', 'POST'],
    ['DELETE', '/api/v1/conversations', 'POST'],
    ['PUT', `/api/v1/conversations/${conv.id}`, 'GET'],
    ['DELETE', `/api/v1/conversations/${conv.id}`, 'GET'],
    ['GET', `/api/v1/conversations/${conv.id}/messages`, 'POST'],
    ['PATCH', `/api/v1/conversations/${conv.id}/messages`, 'POST'],
    ['GET', `/api/v1/conversations/${conv.id}/handoff`, 'POST'],
    ['GET', `/api/v1/conversations/${conv.id}/rating`, 'POST'],
    ['POST', `/api/v1/conversations/${conv.id}/ws`, 'GET'],
    ['POST', '/healthz', 'GET'],
    ['GET', '/api/v1/auth/login', 'POST'],
    ['POST', '/api/v1/auth/me', 'GET, PATCH'],
    ['POST', '/api/v1/agent/queue', 'GET'],
    ['GET', `/api/v1/agent/conversations/${mine.id}/claim`, 'POST'],
    ['DELETE', `/api/v1/agent/conversations/${mine.id}`, 'GET'],
    ['GET', `/api/v1/agent/conversations/${mine.id}/close`, 'POST'],
  ]) {
    const r = await agent.req(method, p, { token: conv.token, body: method === 'GET' ? undefined : '{}' });
    try {
      assertError(r, 405, 'method_not_allowed', `${method} ${p}`);
      const got = (r.headers.get('allow') || '').split(',').map((s) => s.trim());
      assert.deepEqual(got, allow.split(', '), `${method} ${p}: Allow "${r.headers.get('allow')}" should be ${allow}`);
    } catch (e) {
      wrong.push(e.message.split('\n')[0]);
    }
  }
  assert.deepEqual(wrong, [], 'wrong methods that do not answer 405 with the right Allow');
  await assertUnharmed(before, '405');
});

// ---- the agent's side -------------------------------------------------------

test('login: bad bodies, wrong passwords and unknown users', async () => {
  const before = await snapshot();
  const cases = badBodies({ email: EMAIL, password: PASSWORD });
  cases.push(
    ['no fields', '{}', 400, ['missing_field']],
    ['no password', JSON.stringify({ email: EMAIL }), 400, ['missing_field']],
    ['no email', JSON.stringify({ password: PASSWORD }), 400, ['missing_field']],
    ['email is a number', JSON.stringify({ email: 5, password: PASSWORD }), 400, ['invalid_field']],
    ['password is a number', JSON.stringify({ email: EMAIL, password: 5 }), 400, ['invalid_field']],
    ['password is an array', JSON.stringify({ email: EMAIL, password: [PASSWORD] }), 400, ['invalid_field']],
  );
  await assertEachRefused(cases, 'login', (body) => api(srv, 'POST', '/api/v1/auth/login', { body }), (r, name) =>
    assert.deepEqual(r.headers.getSetCookie(), [], `login with ${name}: no cookie`),
  );
  const wrong = await api(srv, 'POST', '/api/v1/auth/login', { body: { email: EMAIL, password: PASSWORD + '!' } });
  assertError(wrong, 401, 'unauthorized', 'a wrong password');
  assert.deepEqual(wrong.headers.getSetCookie(), []);
  const nobody = await api(srv, 'POST', '/api/v1/auth/login', { body: { email: 'nobody@example.com', password: PASSWORD } });
  assertError(nobody, 401, 'unauthorized', 'an unknown email');
  assert.equal(nobody.json.error.message, wrong.json.error.message, 'an unknown user and a wrong password look the same');
  const empty = await api(srv, 'POST', '/api/v1/auth/login', { body: { email: EMAIL, password: '' } });
  assert.ok(empty.status === 401 || empty.status === 400, `an empty password: ${empty.status}`);
  await assertUnharmed(before, 'login');
});

test('agent endpoints: 401 without a valid session', async () => {
  const before = await snapshot();
  const cookies = {
    'no cookie': undefined,
    'an empty session': 'loket_session=',
    'a forged session': 'loket_session=' + 'A'.repeat(43),
    'the session with a suffix': agent.cookie + 'x',
    'a session under another name': agent.cookie.replace('loket_session=', 'session='),
  };
  const endpoints = [
    ['GET', '/api/v1/auth/me'],
    ['GET', '/api/v1/agent/queue'],
    ['POST', `/api/v1/agent/conversations/${queued.id}/claim`],
    ['GET', `/api/v1/agent/conversations/${mine.id}`],
    ['POST', `/api/v1/agent/conversations/${mine.id}/messages`, { text: 'hallo' }],
    ['POST', `/api/v1/agent/conversations/${mine.id}/close`, { disposition: 'resolved' }],
    ['GET', '/api/v1/agent/conversations/c_doesnotexist0000000000'],
  ];
  for (const [method, p, body] of endpoints) {
    for (const [name, cookie] of Object.entries(cookies)) {
      const r = await api(srv, method, p, { cookie, body });
      assertError(r, 401, 'unauthorized', `${method} ${p} with ${name}`);
    }
    // A customer's token is no session.
    const r = await api(srv, method, p, { token: mine.token, body });
    assertError(r, 401, 'unauthorized', `${method} ${p} with a customer token`);
  }
  await assertUnharmed(before, 'agent 401');
});

test('agent endpoints: unknown conversations get 404', async () => {
  const before = await snapshot();
  for (const id of ['c_doesnotexist0000000000', 'x', 'c_' + 'a'.repeat(300)]) {
    for (const [method, p, body] of [
      ['GET', `/api/v1/agent/conversations/${id}`],
      ['POST', `/api/v1/agent/conversations/${id}/claim`],
      ['POST', `/api/v1/agent/conversations/${id}/messages`, { text: 'hallo' }],
      ['POST', `/api/v1/agent/conversations/${id}/close`, { disposition: 'resolved' }],
    ]) {
      const r = await agent.req(method, p, { body });
      assertError(r, 404, 'not_found', `${method} ${p.slice(0, 60)}`);
    }
  }
  await assertUnharmed(before, 'agent 404');
});

test('agent message and close: bad bodies store nothing', async () => {
  const before = await snapshot();
  await assertEachRefused(badTextBodies(), 'agent message', (body) =>
    agent.req('POST', `/api/v1/agent/conversations/${mine.id}/messages`, { body }),
  );
  const closeCases = badBodies({ disposition: 'resolved' }).filter(([n]) => n !== 'an empty body');
  closeCases.push(
    ['disposition is a number', '{"disposition": 5}', 400, ['invalid_field']],
    ['disposition is an array', '{"disposition": ["resolved"]}', 400, ['invalid_field']],
  );
  await assertEachRefused(closeCases, 'close', (body) =>
    agent.req('POST', `/api/v1/agent/conversations/${mine.id}/close`, { body }),
  );
  await assertUnharmed(before, 'agent bodies');
});

test('agent requests from another origin are refused with 403', async () => {
  const before = await snapshot();
  // (Only host and port are compared: behind a TLS-terminating proxy the browser's scheme is https while
  // loket sees http, so a scheme difference alone is not refused.)
  for (const origin of ['http://evil.example', 'null', `http://127.0.0.1:${srv.port + 1}`, `http://localhost.evil.example:${srv.port}`]) {
    for (const [method, p, body] of [
      ['POST', `/api/v1/agent/conversations/${queued.id}/claim`],
      ['POST', `/api/v1/agent/conversations/${mine.id}/messages`, { text: 'van elders' }],
      ['POST', `/api/v1/agent/conversations/${mine.id}/close`, { disposition: 'resolved' }],
      ['POST', '/api/v1/auth/logout'],
    ]) {
      const r = await agent.req(method, p, { body, headers: { Origin: origin } });
      assertError(r, 403, 'forbidden', `${method} ${p} from ${origin}`);
    }
  }
  await assertUnharmed(before, 'cross-origin');
  // The session survived the cross-origin logout, and the own origin works.
  const me = await agent.req('GET', '/api/v1/auth/me', { headers: { Origin: srv.base } });
  assert.equal(me.status, 200, me.text);
});

// ---- raw HTTP -----------------------------------------------------------------

test('malformed HTTP harms nothing', async () => {
  const before = await snapshot();
  // Each is refused with a 4xx or the connection is closed; none may harm the server.
  const junk = [
    'HELLO\r\n\r\n',
    'GET\r\n\r\n',
    'POST /api/v1/conversations HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"lang',
    'POST /api/v1/conversations HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n',
    'POST /api/v1/conversations HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
    Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03]), // a TLS hello
    Buffer.alloc(4096, 0),
  ];
  // A huge header block: refused, or answered (no limit is promised), but no harm.
  const big = await rawRequest(srv, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'y'.repeat(200 * KiB)}\r\n\r\n`, { quietMs: 200, timeoutMs: 2000 * SLOW });
  assert.ok(big.status === null || big.status === 200 || (big.status >= 400 && big.status < 500), `a 200 KiB header: ${big.status}`);
  for (const j of junk) {
    const r = await rawRequest(srv, j, { quietMs: 200, timeoutMs: 2000 * SLOW });
    if (r.status !== null) assert.ok(r.status >= 400 && r.status < 500, `junk got ${r.status}: ${r.text.slice(0, 100)}`);
  }
  await assertUnharmed(before, 'malformed HTTP');
});

test('after all of it, the conversation still works', async () => {
  const turn = await postMessage(srv, conv, 'Wat zijn de verzendkosten?');
  assert.equal(turn.messages[0].sender, 'customer');
  const ws = await openWs(srv, conv.id, conv.token, { after: 0 });
  const all = (await getConversation(srv, conv)).messages;
  await ws.waitFrames(all.length);
  await ws.close();
  assert.deepEqual(ws.frames.map(msgKey), all.map(msgKey));
});
