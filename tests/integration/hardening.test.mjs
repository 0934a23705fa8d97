// The smaller hardening items of docs/security.md (issue 16, point 6):
// no caching of API answers, the customer's token in the WebSocket's first
// message rather than in its URL, /metrics without a token only on loopback,
// the Host check against DNS rebinding, h2o's own errors as JSON, private
// database files, and no erased text left in the write-ahead log.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, statSync, existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import WebSocket from 'ws';
import {
  SLOW, until, startServer, stopServer, api, assertError, rawRequest, rawBody, addUser, login, createConversation,
  postMessage, handoff, runCli,
} from './helpers.mjs';

// A request with a Host header of our choosing (fetch would not send one).
function withHost(srv, host, urlPath = '/healthz') {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: srv.port, path: urlPath, headers: { Host: host } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        let json;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode, headers: new Headers(res.headers), text, json });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

// A customer WebSocket; collects frames, the close code and reason.
function socket(srv, convId, query = '') {
  const ws = new WebSocket(`ws://127.0.0.1:${srv.port}/api/v1/conversations/${convId}/ws${query}`);
  const c = { ws, frames: [], closed: null, reason: '' };
  ws.on('message', (d) => c.frames.push(JSON.parse(d.toString())));
  c.done = new Promise((res) => ws.on('close', (code, reason) => {
    c.closed = code;
    c.reason = reason.toString();
    res();
  }));
  c.opened = new Promise((res, rej) => {
    ws.on('open', res);
    ws.on('unexpected-response', (req, r) => rej(new Error(`refused: ${r.statusCode}`)));
  });
  ws.on('error', () => {});
  return c;
}

test('every /api/ answer says Cache-Control: no-store, errors included', async (t) => {
  const srv = await startServer({ t });
  await addUser(srv.dataDir, 'anna@example.com', 'anna-helpt-graag-verder', 'agent');
  const conv = await createConversation(srv);
  const answers = {
    'create (201)': await api(srv, 'POST', '/api/v1/conversations', { body: { language: 'nl' } }),
    'read (200)': await api(srv, 'GET', `/api/v1/conversations/${conv.id}`, { token: conv.token }),
    'message (201)': await api(srv, 'POST', `/api/v1/conversations/${conv.id}/messages`, { token: conv.token, body: { text: 'Hallo' } }),
    'wrong token (401)': await api(srv, 'GET', `/api/v1/conversations/${conv.id}`, { token: 'x' }),
    'bad JSON (400)': await api(srv, 'POST', '/api/v1/conversations', { body: '{"language":' }),
    'login (200)': await api(srv, 'POST', '/api/v1/auth/login', { body: { email: 'anna@example.com', password: 'anna-helpt-graag-verder' } }),
    'no session (401)': await api(srv, 'GET', '/api/v1/agent/queue'),
    'unknown API path (404)': await api(srv, 'GET', '/api/v1/nothing-here'),
    'wrong method (405)': await api(srv, 'DELETE', '/api/v1/conversations'),
  };
  for (const [what, r] of Object.entries(answers)) {
    assert.ok(r.status > 0, what);
    assert.equal(r.headers.get('cache-control'), 'no-store', `${what}: ${r.status} Cache-Control ${r.headers.get('cache-control')}`);
  }
  await stopServer(srv);
});

test('the widget\'s way: the token in the WebSocket\'s first message; ?token= still works', async (t) => {
  const srv = await startServer({ t, env: { LOKET_WS_AUTH_TIMEOUT_MS: '800' } });
  const conv = await createConversation(srv);

  // the first message carries the token: "ready", then the backlog, then live
  const a = socket(srv, conv.id, '?after=0');
  await a.opened;
  a.ws.send(JSON.stringify({ type: 'auth', token: conv.token }));
  await until(() => a.frames.length >= 2, 'ready and the greeting');
  assert.deepEqual(a.frames[0], { type: 'ready' });
  assert.equal(a.frames[1].seq, 1, 'the backlog after "ready"');
  const turn = await postMessage(srv, conv, 'Wat kost verzending?');
  await until(() => a.frames.length >= 1 + 1 + turn.messages.length, 'the turn, live');
  assert.deepEqual(a.frames.slice(2).map((m) => m.seq), turn.messages.map((m) => m.seq));

  // the token in the URL: as before (CONTRACT.md), no "ready" frame
  const b = socket(srv, conv.id, `?token=${conv.token}&after=0`);
  await b.opened;
  await until(() => b.frames.length >= 1 + turn.messages.length, 'the backlog');
  assert.equal(b.frames[0].seq, 1);

  // no token within ws_auth_timeout_ms: closed with 1008, nothing sent
  const t0 = Date.now();
  const c = socket(srv, conv.id, '?after=0');
  await c.opened;
  await c.done;
  assert.equal(c.closed, 1008);
  assert.match(c.reason, /token/);
  assert.ok(Date.now() - t0 >= 700, `closed after ${Date.now() - t0} ms, not before the timeout`);
  assert.deepEqual(c.frames, []);

  // a first message that is not {"type":"auth","token":...}, or a wrong token: 1008, nothing sent
  for (const first of ['hallo', JSON.stringify({ token: conv.token }), JSON.stringify({ type: 'auth', token: 5 }),
    JSON.stringify({ type: 'auth', token: 'x'.repeat(43) }), JSON.stringify({ type: 'auth', token: '' })]) {
    const d = socket(srv, conv.id, '?after=0');
    await d.opened;
    d.ws.send(first);
    await d.done;
    assert.equal(d.closed, 1008, `first message ${first.slice(0, 40)}`);
    assert.deepEqual(d.frames, [], `first message ${first.slice(0, 40)}`);
  }
  a.ws.close();
  b.ws.close();
  await Promise.all([a.done, b.done]);
  await until(async () => /loket_websocket_connections 0$/m.test((await api(srv, 'GET', '/metrics')).text), 'every socket closed');
  await stopServer(srv);
});

test('/metrics without metrics_token answers only on loopback, to local clients', async (t) => {
  const local = await startServer({ t, env: { LOKET_TRUSTED_PROXIES: '127.0.0.1' } });
  assert.equal((await api(local, 'GET', '/metrics')).status, 200, 'loopback listen, local client');
  const remote = await api(local, 'GET', '/metrics', { headers: { 'X-Forwarded-For': '203.0.113.7' } });
  assertError(remote, 403, 'metrics_token_required', 'a remote client through a trusted proxy');
  await stopServer(local);

  const open = await startServer({ t, args: ['--listen', '0.0.0.0:0'] });
  assertError(await api(open, 'GET', '/metrics'), 403, 'metrics_token_required', 'listening on every address');
  assert.match(open.stderr(), /metrics_token is not set/);
  await stopServer(open);

  const token = 'een-lang-geheim-voor-prometheus';
  const guarded = await startServer({ t, args: ['--listen', '0.0.0.0:0'], env: { LOKET_METRICS_TOKEN: token } });
  assertError(await api(guarded, 'GET', '/metrics'), 401, 'unauthorized');
  const ok = await api(guarded, 'GET', '/metrics', { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(ok.status, 200);
  assert.match(ok.text, /loket_websocket_connections/);
  await stopServer(guarded);
});

test('the Host header must name this server (DNS rebinding): 421 with a JSON error', async (t) => {
  const srv = await startServer({ t });
  for (const host of [`127.0.0.1:${srv.port}`, `localhost:${srv.port}`, 'LOCALHOST.', '[::1]:8080', '10.0.0.5']) {
    const r = await withHost(srv, host);
    assert.equal(r.status, 200, `Host: ${host}: ${r.text}`);
  }
  for (const host of ['evil.example', `rebind.attacker.example:${srv.port}`, 'localhost.attacker.example']) {
    const r = await withHost(srv, host, '/api/v1/agent/queue');
    assertError(r, 421, 'unknown_host', `Host: ${host}`);
  }
  // the WebSocket too: refused before it is upgraded
  const conv = await createConversation(srv);
  const ws = await withHost(srv, 'evil.example', `/api/v1/conversations/${conv.id}/ws?token=${conv.token}`);
  assert.equal(ws.status, 421);
  await stopServer(srv);

  const named = await startServer({
    t,
    env: { LOKET_PUBLIC_HOSTS: 'chat.shop.example *.tulp.example', LOKET_PUBLIC_URL: 'https://support.example.org/chat' },
  });
  for (const host of ['chat.shop.example', 'Chat.Shop.Example:443', 'www.tulp.example', 'a.b.tulp.example', 'support.example.org'])
    assert.equal((await withHost(named, host)).status, 200, `Host: ${host}`);
  for (const host of ['tulp.example', 'shop.example', 'eviltulp.example', 'chat.shop.example.evil'])
    assertError(await withHost(named, host), 421, 'unknown_host', `Host: ${host}`);
  await stopServer(named);

  const any = await startServer({ t, env: { LOKET_PUBLIC_HOSTS: '*' } });
  assert.equal((await withHost(any, 'whatever.example')).status, 200);
  await stopServer(any);
});

test('errors of the HTTP layer itself are JSON too', async (t) => {
  const srv = await startServer({ t });
  const conv = await createConversation(srv);
  const cases = {
    'garbage request line': 'GARBAGE\r\n\r\n',
    'no path': 'GET\r\n\r\n',
    'unknown HTTP version': 'GET /healthz HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n',
    'a NUL in a header': 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: a\0b\r\n\r\n',
    'HTTP/2 preface on HTTP/1': 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
    'Content-Length not a number': 'POST /api/v1/conversations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: abc\r\n\r\n',
    'broken chunked body': 'POST /api/v1/conversations HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
    'unknown transfer coding': 'POST /api/v1/conversations HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: gzip\r\n\r\n',
    'unknown expectation': 'POST /api/v1/conversations HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue-x\r\nContent-Length: 2\r\n\r\n{}',
    'body far too large': `POST /api/v1/conversations/${conv.id}/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000000000\r\n\r\n`,
    'unknown method': 'BREW /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
  };
  for (const [what, bytes] of Object.entries(cases)) {
    const r = await rawRequest(srv, bytes, { quietMs: 300, timeoutMs: 3000 * SLOW });
    assert.ok(r.status >= 400 && r.status < 500, `${what}: status ${r.status} ${JSON.stringify(r.text.slice(0, 120))}`);
    const head = r.text.slice(0, r.text.indexOf('\r\n\r\n')).toLowerCase();
    assert.match(head, /\r\ncontent-type: application\/json/, `${what}: ${JSON.stringify(r.text.slice(0, 200))}`);
    const body = JSON.parse(rawBody(r.text));
    assert.equal(typeof body.error.code, 'string', what);
    assert.ok(body.error.message.length > 0, what);
  }
  // and the server is unharmed
  assert.equal((await api(srv, 'GET', `/api/v1/conversations/${conv.id}`, { token: conv.token })).status, 200);
  await stopServer(srv);
});

test('the database files and the key file are private (mode 0600), also ones an older version left readable', async (t) => {
  const srv = await startServer({ t });
  const conv = await createConversation(srv);
  await postMessage(srv, conv, 'Hallo');
  const files = ['loket.db', 'loket.db-wal', 'loket.db-shm', 'loket.key'];
  const mode = (f) => statSync(path.join(srv.dataDir, f)).mode & 0o777;
  for (const f of files) {
    assert.ok(existsSync(path.join(srv.dataDir, f)), `${f} exists`);
    assert.equal(mode(f).toString(8), '600', f);
  }
  assert.equal((statSync(srv.dataDir).mode & 0o777).toString(8), '700', 'the data directory');
  await stopServer(srv);

  chmodSync(path.join(srv.dataDir, 'loket.db'), 0o644);
  const again = await startServer({ t, dataDir: srv.dataDir });
  assert.equal(mode('loket.db').toString(8), '600', 'made private at start');
  assert.match(again.stderr(), /made it private/);
  await stopServer(again);
});

test('after an erasure the erased text is in neither the database file nor its write-ahead log', async (t) => {
  const srv = await startServer({ t });
  await addUser(srv.dataDir, 'ada@example.com', 'ada-beheert-de-loket-server', 'admin');
  const marker = 'Qzxv' + Math.random().toString(36).slice(2, 10) + 'Wiskunde';
  const conv = await createConversation(srv, { language: 'nl', customer: { email: 'wis.mij@example.nl', external_id: 'ext-wis' } });
  await postMessage(srv, conv, `Mijn geheime woord is ${marker}, onthoud het`);
  await handoff(srv, conv);
  const files = ['loket.db', 'loket.db-wal'].map((f) => path.join(srv.dataDir, f));
  const holds = () => files.filter((f) => existsSync(f) && readFileSync(f).includes(marker)).map((f) => path.basename(f));
  assert.ok(holds().length > 0, 'before the erasure the marker is on disk (the test can see it)');

  const admin = await login(srv, 'ada@example.com', 'ada-beheert-de-loket-server');
  const r = await admin.req('POST', '/api/v1/admin/privacy/erase', { body: { email: 'wis.mij@example.nl', confirm: true } });
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.erased.messages >= 1, r.text);
  assert.equal(r.json.log_truncated, true);
  // right after the answer, without waiting for anything
  assert.deepEqual(holds(), [], 'the erased text is gone from the database and its log');
  assertError(await api(srv, 'GET', `/api/v1/conversations/${conv.id}`, { token: conv.token }), 401, 'unauthorized');

  // the command line's erasure, beside the running server, does the same
  const marker2 = 'Qzxv' + Math.random().toString(36).slice(2, 10) + 'Opdracht';
  const conv2 = await createConversation(srv, { language: 'nl', customer: { email: 'ook.weg@example.nl' } });
  await postMessage(srv, conv2, `Nog een geheim: ${marker2}`);
  const holds2 = () => files.filter((f) => existsSync(f) && readFileSync(f).includes(marker2)).map((f) => path.basename(f));
  assert.ok(holds2().length > 0);
  const cli = await runCli(['privacy', 'erase', '--email', 'ook.weg@example.nl', '--yes', '--data', srv.dataDir]);
  assert.equal(cli.code, 0, cli.stderr);
  assert.deepEqual(holds2(), [], 'loket privacy erase: the erased text is gone from the database and its log');
  await stopServer(srv);
});
