// Security (docs/security.md): login rate limits per account and per
// address, session rotation, idle and absolute expiry, logging out
// everywhere, two-step login with TOTP (codes computed here per RFC 6238),
// cross-site and cross-origin refusals, the customer API's rate limits and
// its limit of open conversations per address, the response headers and the
// Secure cookie behind a proxy, and the agents' live stream filtered by role.
//
// Client addresses: most servers here trust 127.0.0.1 as a reverse proxy
// (trusted_proxies), so that each request can name its own client address
// in X-Forwarded-For; one test checks that the header counts for nothing
// when the peer is not trusted.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import net from 'node:net';
import WebSocket from 'ws';
import {
  SLOW,
  sleep,
  startServer,
  stopServer,
  freshDataDir,
  api,
  assertError,
  login,
  handoff,
  createConversation,
  agentStream,
  NO_LIMITS,
  identitySecret,
  signedCustomer,
  tryLogin as loginAttempt,
  b32decode,
  hotp,
  totp,
  dataDirWithUsers, serverWithUsers,
} from './helpers.mjs';

const PW = 'a-long-password';

// ---- helpers ------------------------------------------------------------------

// Answers with the given client address (the server trusts 127.0.0.1 as a proxy).
const from = (addr, headers = {}) => ({ 'X-Forwarded-For': `198.51.100.250, ${addr}`, ...headers });

const tryLogin = (srv, email, password, { addr, ...o } = {}) =>
  loginAttempt(srv, email, password, { ...o, headers: addr ? from(addr) : {} });

function sessionCookie(res) {
  const sc = res.headers.getSetCookie().find((c) => c.startsWith('loket_session='));
  assert.ok(sc, `no session cookie in ${JSON.stringify(res.headers.getSetCookie())}`);
  return { cookie: sc.split(';')[0], setCookie: sc };
}

function assertRateLimited(res, what) {
  assertError(res, 429, 'too_many_requests', what);
  const ra = Number(res.headers.get('retry-after'));
  assert.ok(Number.isInteger(ra) && ra >= 1, `${what}: Retry-After ${res.headers.get('retry-after')}`);
  return ra;
}

function sql(dataDir, query) {
  const r = spawnSync('sqlite3', ['-readonly', path.join(dataDir, 'loket.db'), query], { encoding: 'utf8' });
  assert.equal(r.status, 0, `sqlite3: ${r.stderr}`);
  return r.stdout.trim();
}


// Resolves the status a refused WebSocket upgrade got, or 101 when it opened.
function wsStatus(url, opts) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, opts);
    ws.once('open', () => {
      ws.terminate();
      resolve(101);
    });
    ws.once('unexpected-response', (req, res) => {
      res.resume();
      req.destroy();
      resolve(res.statusCode);
    });
    ws.on('error', (e) => (e.message.includes('Unexpected server response') ? null : reject(e)));
  });
}

const PROXY = { LOKET_TRUSTED_PROXIES: '127.0.0.1' };

// ---- logins -------------------------------------------------------------------

test('login throttle per account: 429 with Retry-After for an address the account never logged in from, after failures from many', async (t) => {
  const { srv } = await serverWithUsers(t, [['anna@example.com', PW], ['bert@example.com', PW]], {
    env: { ...PROXY, LOKET_LIMIT_LOGIN_ACCOUNT: '3', LOKET_LIMIT_LOGIN_ADDRESS: '100', LOKET_LIMIT_LOGIN_WINDOW: '900' },
  });
  try {
    for (let i = 1; i <= 3; i++) assertError(await tryLogin(srv, 'anna@example.com', 'wrong', { addr: `203.0.113.${i}` }), 401, 'unauthorized');
    // the right password, from yet another address, is refused now: the account is locked for a while
    const r = await tryLogin(srv, 'ANNA@example.com', PW, { addr: '203.0.113.9' });
    const ra = assertRateLimited(r, 'fourth login for the account');
    assert.ok(ra <= 900, `Retry-After ${ra} is within the window`);
    assert.equal(r.headers.getSetCookie().length, 0, 'no session');
    // other accounts are not affected
    assert.equal((await tryLogin(srv, 'bert@example.com', PW, { addr: '203.0.113.1' })).status, 200);
  } finally {
    await stopServer(srv);
  }
});

test('login limit per address, a success resets the account, and X-Forwarded-For counts only from a trusted proxy', async (t) => {
  const { d, srv } = await serverWithUsers(t, [['anna@example.com', PW]], { env: { ...PROXY, LOKET_LIMIT_LOGIN_ACCOUNT: '3', LOKET_LIMIT_LOGIN_ADDRESS: '5' } });
  try {
    // per address: failures for five different accounts
    for (let i = 0; i < 5; i++) assertError(await tryLogin(srv, `nobody${i}@example.com`, 'x', { addr: '192.0.2.7' }), 401, 'unauthorized');
    assertRateLimited(await tryLogin(srv, 'anna@example.com', PW, { addr: '192.0.2.7' }), 'sixth login from one address');
    assert.equal((await tryLogin(srv, 'anna@example.com', PW, { addr: '192.0.2.8' })).status, 200, 'another address logs in');
    // a success wipes the account's failures: 2 + 2 failures never reach 3
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 2; i++) assertError(await tryLogin(srv, 'anna@example.com', 'wrong', { addr: `192.0.2.${20 + round * 2 + i}` }), 401, 'unauthorized');
      assert.equal((await tryLogin(srv, 'anna@example.com', PW, { addr: '192.0.2.30' })).status, 200, `success after round ${round}`);
    }
  } finally {
    await stopServer(srv);
  }
  // without trusted_proxies the header is the client's own claim: ignored
  const plain = await startServer({ t, dataDir: d.dir, env: { LOKET_LIMIT_LOGIN_ACCOUNT: '100', LOKET_LIMIT_LOGIN_ADDRESS: '2' } });
  try {
    for (let i = 0; i < 2; i++) assertError(await tryLogin(plain, 'anna@example.com', 'wrong', { addr: `198.18.0.${i}` }), 401, 'unauthorized');
    assertRateLimited(await tryLogin(plain, 'anna@example.com', PW, { addr: '198.18.0.9' }), 'spoofed X-Forwarded-For');
  } finally {
    await stopServer(plain);
  }
});

// ---- sessions -----------------------------------------------------------------

test('every login gets a fresh session and ends the one the browser had', async (t) => {
  const { srv } = await serverWithUsers(t, [['anna@example.com', PW]]);
  try {
    const first = await login(srv, 'anna@example.com', PW);
    const again = await tryLogin(srv, 'anna@example.com', PW, { cookie: first.cookie });
    assert.equal(again.status, 200);
    const second = sessionCookie(again).cookie;
    assert.notEqual(second, first.cookie, 'a new session id');
    assertError(await api(srv, 'GET', '/api/v1/auth/me', { cookie: first.cookie }), 401, 'unauthorized', 'the old session');
    assert.equal((await api(srv, 'GET', '/api/v1/auth/me', { cookie: second })).status, 200);
    // a second browser keeps its own session
    const other = await login(srv, 'anna@example.com', PW);
    assert.equal((await api(srv, 'GET', '/api/v1/auth/me', { cookie: second })).status, 200);
    assert.equal((await other.req('GET', '/api/v1/auth/me')).status, 200);
  } finally {
    await stopServer(srv);
  }
});

test('idle expiry: a session in use stays, one unused for session_idle gets 401', async (t) => {
  const d = await dataDirWithUsers(t, [['anna@example.com', PW]]);
  // the last use is written by a writer job of its own, once a quarter of
  // session_idle has passed: the margin leaves that job time on a busy machine
  const idle = SLOW > 1 ? 5 : 3;
  const srv = await startServer({ t, dataDir: d.dir, env: { LOKET_SESSION_IDLE: String(idle) } });
  try {
    const a = await login(srv, 'anna@example.com', PW);
    const t0 = Date.now();
    while (Date.now() - t0 < idle * 1500) {
      // used every 300 ms: stays valid well past session_idle
      assert.equal((await a.req('GET', '/api/v1/auth/me')).status, 200, `in use after ${Date.now() - t0} ms`);
      await sleep(300);
    }
    const seen = Number(sql(d.dir, 'SELECT MAX(last_seen_at) FROM sessions'));
    assert.ok(seen > t0, 'the last use is recorded');
    await sleep(idle * 1000 + 700);
    assertError(await a.req('GET', '/api/v1/auth/me'), 401, 'unauthorized', 'after going unused');
    assertError(await a.req('GET', '/api/v1/agent/queue'), 401, 'unauthorized');
  } finally {
    await stopServer(srv);
  }
});

test('absolute expiry: past session_ttl a session gets 401 even in use', async (t) => {
  const d = await dataDirWithUsers(t, [['anna@example.com', PW]]);
  const ttl = SLOW > 1 ? 3 : 2;
  const srv = await startServer({ t, dataDir: d.dir, env: { LOKET_SESSION_TTL: String(ttl), LOKET_SESSION_IDLE: '3600' } });
  try {
    // the session is made between these two moments
    const before = Date.now();
    const a = await login(srv, 'anna@example.com', PW);
    const after = Date.now();
    assert.match(a.setCookie, new RegExp(`Max-Age=${ttl}(;|$)`));
    for (;;) {
      const r = await a.req('GET', '/api/v1/auth/me');
      // the session was made after `before` and judged before this answer came
      const at = Date.now() - before;
      if (at >= ttl * 1000) break;
      assert.equal(r.status, 200, `valid ${at} ms after login`);
      await sleep(250);
    }
    await sleep(Math.max(0, ttl * 1000 + 300 - (Date.now() - after)));
    assertError(await a.req('GET', '/api/v1/auth/me'), 401, 'unauthorized', 'past session_ttl');
  } finally {
    await stopServer(srv);
  }
});

test('a session that expires closes its live stream; a session in use keeps its own', async (t) => {
  const d = await dataDirWithUsers(t, [['anna@example.com', PW], ['bert@example.com', PW]]);
  // Bert's session ends ttl - 1 s after Anna's: room for a late tick
  const ttl = SLOW > 1 ? 6 : 4;
  const srv = await startServer({ t, dataDir: d.dir, env: { LOKET_SESSION_TTL: String(ttl), LOKET_TICK_MS: '1000' } });
  try {
    const a = await login(srv, 'anna@example.com', PW);
    const stream = await agentStream(srv, a.cookie);
    const opened = Date.now();
    await sleep(ttl * 1000 - 1000);
    const b = await login(srv, 'bert@example.com', PW); // made later: still valid when anna's ends
    const other = await agentStream(srv, b.cookie);
    await stream.until((s) => s.closed, 'close after session_ttl', (ttl + 5) * 1000 * SLOW);
    assert.ok(Date.now() - opened >= ttl * 1000 - 100, `closed after ${Date.now() - opened} ms, not before session_ttl`);
    assertError(await a.req('GET', '/api/v1/auth/me'), 401, 'unauthorized');
    assert.equal(other.closed, false, "bert's stream stays");
    other.ws.close();
  } finally {
    await stopServer(srv);
  }
});

test('logout everywhere: all sessions of the user end, the live stream closes; admins may do it for others', async (t) => {
  const d = await dataDirWithUsers(t, [
    ['anna@example.com', PW],
    ['bert@example.com', PW],
    ['root@example.com', PW, 'admin'],
  ]);
  const srv = await startServer({ t, dataDir: d.dir });
  try {
    const a1 = await login(srv, 'anna@example.com', PW);
    const a2 = await login(srv, 'anna@example.com', PW);
    const b = await login(srv, 'bert@example.com', PW);
    const stream = await agentStream(srv, a2.cookie);
    // cross-site: refused, nothing ends
    assertError(await a1.req('POST', '/api/v1/auth/logout-all', { headers: { Origin: 'https://evil.example' } }), 403, 'forbidden');
    assert.equal((await a2.req('GET', '/api/v1/auth/me')).status, 200);
    // an agent cannot log someone else out
    assertError(await a1.req('POST', '/api/v1/auth/logout-all', { body: { user_id: b.user.id } }), 403, 'forbidden');
    const r = await a1.req('POST', '/api/v1/auth/logout-all', { headers: { Origin: srv.base } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.sessions, 2);
    assert.match(sessionCookie(r).setCookie, /Max-Age=0/, 'the cookie is cleared');
    for (const s of [a1, a2]) assertError(await s.req('GET', '/api/v1/auth/me'), 401, 'unauthorized');
    await stream.until((s) => s.closed, 'close');
    assert.equal((await b.req('GET', '/api/v1/auth/me')).status, 200, 'other users keep theirs');
    // an admin ends bert's sessions, not their own
    const root = await login(srv, 'root@example.com', PW);
    assertError(await root.req('POST', '/api/v1/auth/logout-all', { body: { user_id: 'u_nobody' } }), 404, 'not_found');
    const rb = await root.req('POST', '/api/v1/auth/logout-all', { body: { user_id: b.user.id } });
    assert.equal(rb.status, 200, rb.text);
    assert.equal(rb.json.sessions, 1);
    assert.equal(rb.headers.getSetCookie().length, 0, "the admin's cookie stays");
    assertError(await b.req('GET', '/api/v1/auth/me'), 401, 'unauthorized');
    assert.equal((await root.req('GET', '/api/v1/auth/me')).status, 200);
    assert.equal(sql(d.dir, "SELECT COUNT(*) FROM audit_log WHERE action = 'auth.logout_all'"), '2');
  } finally {
    await stopServer(srv);
  }
});

// ---- two-step login -----------------------------------------------------------

test("the test's own TOTP matches RFC 6238's test vector", () => {
  // RFC 6238 appendix B: SHA-1 secret "12345678901234567890", T = 59 s -> 94287082 (8 digits)
  assert.equal(hotp(Buffer.from('12345678901234567890'), Math.floor(59 / 30), 8), '94287082');
  assert.equal(hotp(Buffer.from('12345678901234567890'), Math.floor(1111111109 / 30), 8), '07081804');
});

test('TOTP: set up, switch on, log in with and without the code, no reuse, switch off; secret encrypted at rest', async (t) => {
  const { d, srv } = await serverWithUsers(t, [['anna@example.com', PW], ['root@example.com', PW, 'admin']], { env: { LOKET_LIMIT_LOGIN_ACCOUNT: '20', LOKET_LIMIT_LOGIN_ADDRESS: '50' } });
  try {
    const a = await login(srv, 'anna@example.com', PW);
    assert.deepEqual((await a.req('GET', '/api/v1/auth/totp')).json, { enabled: false, pending: false, required: false });
    assertError(await api(srv, 'POST', '/api/v1/auth/totp/setup'), 401, 'unauthorized', 'setup without a session');
    assertError(await a.req('POST', '/api/v1/auth/totp/setup', { headers: { Origin: 'https://evil.example' } }), 403, 'forbidden');
    const setup = await a.req('POST', '/api/v1/auth/totp/setup');
    assert.equal(setup.status, 200, setup.text);
    const secret = setup.json.secret;
    assert.match(secret, /^[A-Z2-7]{32}$/, 'a 160-bit secret in base32');
    const uri = new URL(setup.json.uri);
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.searchParams.get('secret'), secret);
    assert.equal(uri.searchParams.get('issuer'), 'loket');
    assert.match(decodeURIComponent(setup.json.uri), /totp\/loket:anna@example\.com\?/);
    assert.deepEqual((await a.req('GET', '/api/v1/auth/totp')).json, { enabled: false, pending: true, required: false });
    // at rest: sealed, neither the base32 nor the raw bytes
    const stored = sql(d.dir, "SELECT totp_secret FROM users WHERE email = 'anna@example.com'");
    assert.match(stored, /^v1:[0-9a-f]+$/);
    assert.ok(!stored.includes(secret) && !stored.includes(b32decode(secret).toString('hex')), 'not stored in the clear');
    // not on yet: the password alone still logs in
    assert.equal((await tryLogin(srv, 'anna@example.com', PW)).status, 200);

    // The codes below belong to the steps B-1, B and B+1 of the moment B;
    // the server accepts one step each way, so the first must reach it
    // within step B (the others work in B or B+1).
    const left = 30000 - (Date.now() % 30000);
    if (left < 6000 * SLOW) await sleep(left + 200);
    const B = Math.floor(Date.now() / 30000);
    const code = (k) => hotp(b32decode(secret), B + k);
    assertError(await a.req('POST', '/api/v1/auth/totp/enable', { body: { code: '12345' } }), 400, 'invalid_field', 'five digits');
    const wrong = String((Number(code(-1)) + 1) % 1e6).padStart(6, '0');
    assertError(await a.req('POST', '/api/v1/auth/totp/enable', { body: { code: wrong } }), 400, 'invalid_field', 'a wrong code');
    const en = await a.req('POST', '/api/v1/auth/totp/enable', { body: { code: code(-1) } });
    assert.equal(en.status, 200, en.text);
    assert.equal(en.json.enabled, true);

    assertError(await tryLogin(srv, 'anna@example.com', PW), 401, 'totp_required', 'no code');
    assertError(await tryLogin(srv, 'anna@example.com', 'wrong'), 401, 'unauthorized', 'wrong password, no code');
    assertError(await tryLogin(srv, 'anna@example.com', PW, { totp: wrong }), 401, 'unauthorized', 'wrong code');
    assertError(await tryLogin(srv, 'anna@example.com', 'wrong', { totp: code(0) }), 401, 'unauthorized', 'right code, wrong password');
    const ok = await tryLogin(srv, 'anna@example.com', PW, { totp: code(0) });
    assert.equal(ok.status, 200, ok.text);
    sessionCookie(ok);
    assertError(await tryLogin(srv, 'anna@example.com', PW, { totp: code(0) }), 401, 'unauthorized', 'the same code again');
    assertError(await tryLogin(srv, 'anna@example.com', PW, { totp: code(-1) }), 401, 'unauthorized', 'an older code');

    assertError(await a.req('POST', '/api/v1/auth/totp/disable', { body: { code: code(0) } }), 400, 'invalid_field', 'disable with a spent code');
    const off = await a.req('POST', '/api/v1/auth/totp/disable', { body: { code: code(1) } });
    assert.equal(off.status, 200, off.text);
    assert.deepEqual((await a.req('GET', '/api/v1/auth/totp')).json, { enabled: false, pending: false, required: false });
    assert.equal(sql(d.dir, "SELECT COUNT(*) FROM users WHERE email = 'anna@example.com' AND totp_secret IS NULL"), '1');
    assert.equal((await tryLogin(srv, 'anna@example.com', PW)).status, 200, 'the password alone again');

    // an admin can reset a lost second factor
    const again = await a.req('POST', '/api/v1/auth/totp/setup');
    assert.equal((await a.req('POST', '/api/v1/auth/totp/enable', { body: { code: totp(again.json.secret) } })).status, 200);
    assertError(await tryLogin(srv, 'anna@example.com', PW), 401, 'totp_required');
    assertError(await a.req('POST', `/api/v1/admin/users/${a.user.id}/totp-reset`), 403, 'forbidden', 'not for agents');
    const root = await login(srv, 'root@example.com', PW);
    assert.equal((await root.req('POST', `/api/v1/admin/users/${a.user.id}/totp-reset`)).status, 200);
    assert.equal((await tryLogin(srv, 'anna@example.com', PW)).status, 200);
    const actions = sql(d.dir, "SELECT action FROM audit_log WHERE action LIKE 'auth.totp%' ORDER BY id").split('\n');
    assert.deepEqual(actions, ['auth.totp_setup', 'auth.totp_enable', 'auth.totp_disable', 'auth.totp_setup', 'auth.totp_enable', 'auth.totp_reset']);
  } finally {
    await stopServer(srv);
  }
});

test('TOTP codes count toward the login limit', async (t) => {
  const { d, srv } = await serverWithUsers(t, [['anna@example.com', PW]], { env: { ...PROXY, LOKET_LIMIT_LOGIN_ACCOUNT_ADDRESS: '3', LOKET_LIMIT_LOGIN_ADDRESS: '100' } });
  try {
    const a = await login(srv, 'anna@example.com', PW);
    const { secret } = (await a.req('POST', '/api/v1/auth/totp/setup')).json;
    assert.equal((await a.req('POST', '/api/v1/auth/totp/enable', { body: { code: totp(secret) } })).status, 200);
    const wrong = String((Number(totp(secret, 1)) + 7) % 1e6).padStart(6, '0');
    // requests without a valid session count for nobody
    for (let i = 0; i < 5; i++)
      assertError(await api(srv, 'POST', '/api/v1/auth/totp/disable', { body: { code: wrong }, cookie: `loket_session=nope${i}` }), 401, 'unauthorized');
    // wrong codes at switching it off count against the account from this address, like logins
    for (let i = 0; i < 2; i++) assertError(await a.req('POST', '/api/v1/auth/totp/disable', { body: { code: wrong } }), 400, 'invalid_field');
    assertError(await tryLogin(srv, 'anna@example.com', PW, { totp: wrong }), 401, 'unauthorized');
    assertRateLimited(await tryLogin(srv, 'anna@example.com', PW, { totp: totp(secret, 1) }), 'after three wrong codes');
    assertRateLimited(await a.req('POST', '/api/v1/auth/totp/disable', { body: { code: totp(secret, 1) } }), 'switching off too');
    // another address is not locked out by them (docs/security.md, "Login limits")
    assert.equal((await tryLogin(srv, 'anna@example.com', PW, { totp: totp(secret, 1), addr: '203.0.113.50' })).status, 200);
    assert.equal(sql(d.dir, 'SELECT totp_enabled FROM users'), '1', 'still on');
  } finally {
    await stopServer(srv);
  }
});

// ---- origins ------------------------------------------------------------------

test("origins: by default only loket's own pages may use the customer API; listed sites may", async (t) => {
  const { d, srv } = await serverWithUsers(t, [['lead@example.com', PW, 'supervisor']]);
  try {
    const lead = await login(srv, 'lead@example.com', PW);
    const count = async () => (await lead.req('GET', '/api/v1/agent/conversations?status=all')).json.conversations.length;
    const pre = await fetch(`${srv.base}/api/v1/conversations`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://shop.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    });
    await pre.arrayBuffer();
    assert.equal(pre.headers.get('access-control-allow-origin'), null, 'no CORS for an unlisted origin');
    assert.equal(pre.headers.get('access-control-allow-methods'), null);
    const before = await count();
    const evil = await api(srv, 'POST', '/api/v1/conversations', { body: {}, headers: { Origin: 'https://shop.example' } });
    assertError(evil, 403, 'forbidden', 'create from an unlisted origin');
    assert.equal(evil.headers.get('access-control-allow-origin'), null);
    assert.equal(await count(), before, 'nothing stored');
    // the own origin and non-browser clients are fine
    const own = await api(srv, 'POST', '/api/v1/conversations', { body: {}, headers: { Origin: srv.base } });
    assert.equal(own.status, 201);
    const conv = await createConversation(srv);
    assertError(
      await api(srv, 'POST', `/api/v1/conversations/${conv.id}/messages`, { token: conv.token, body: { text: 'hoi' }, headers: { Origin: 'https://shop.example' } }),
      403,
      'forbidden',
      'a message from an unlisted origin'
    );
    const wsUrl = `ws://127.0.0.1:${srv.port}/api/v1/conversations/${conv.id}/ws?token=${conv.token}`;
    assert.equal(await wsStatus(wsUrl, { origin: 'https://shop.example' }), 403, 'customer WebSocket from an unlisted origin');
    assert.equal(await wsStatus(wsUrl, { origin: srv.base }), 101, 'from the own origin');
    assert.equal(await wsStatus(wsUrl, {}), 101, 'without Origin (not a browser)');
    // the agents' stream only from loket's own origin
    const agentWs = `ws://127.0.0.1:${srv.port}/api/v1/agent/ws`;
    assert.equal(await wsStatus(agentWs, { origin: 'https://shop.example', headers: { Cookie: lead.cookie } }), 403);
    assert.equal(await wsStatus(agentWs, { origin: srv.base, headers: { Cookie: lead.cookie } }), 101);
  } finally {
    await stopServer(srv);
  }
  const listed = await startServer({ t, dataDir: d.dir, env: { LOKET_WIDGET_ORIGINS: 'https://shop.example' } });
  try {
    const pre = await fetch(`${listed.base}/api/v1/conversations`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://shop.example', 'Access-Control-Request-Method': 'POST' },
    });
    await pre.arrayBuffer();
    assert.equal(pre.headers.get('access-control-allow-origin'), 'https://shop.example');
    const r = await api(listed, 'POST', '/api/v1/conversations', { body: {}, headers: { Origin: 'https://shop.example' } });
    assert.equal(r.status, 201);
    const wsUrl = `ws://127.0.0.1:${listed.port}/api/v1/conversations/${r.json.id}/ws?token=${r.json.token}`;
    assert.equal(await wsStatus(wsUrl, { origin: 'https://shop.example' }), 101);
    assert.equal(await wsStatus(wsUrl, { origin: 'https://other.example' }), 403);
  } finally {
    await stopServer(listed);
  }
});

// ---- the customer API's limits ------------------------------------------------

test('customer limits: new conversations and messages per address and per conversation answer 429 and store nothing', async (t) => {
  const d = await dataDirWithUsers(t, [['lead@example.com', PW, 'supervisor']]);
  const srv = await startServer({
    t,
    dataDir: d.dir,
    env: {
      ...PROXY,
      LOKET_LIMIT_CONVERSATIONS_ADDRESS: '3',
      LOKET_LIMIT_MESSAGES_CONVERSATION: '4',
      LOKET_LIMIT_MESSAGES_ADDRESS: '6',
      LOKET_LIMIT_OPEN_CONVERSATIONS: '0',
    },
  });
  try {
    const lead = await login(srv, 'lead@example.com', PW);
    const count = async () => (await lead.req('GET', '/api/v1/agent/conversations?status=all')).json.conversations.length;
    const create = (addr) => api(srv, 'POST', '/api/v1/conversations', { body: { language: 'nl' }, headers: from(addr) });
    for (let i = 0; i < 3; i++) assert.equal((await create('203.0.113.10')).status, 201);
    const before = await count();
    const ra = assertRateLimited(await create('203.0.113.10'), 'fourth new conversation');
    assert.ok(ra > 50 && ra <= 60, `Retry-After ${ra} within limit_conversations_window`);
    assert.equal(await count(), before, 'nothing stored');
    assert.equal((await create('203.0.113.11')).status, 201, 'another address');
    // IPv6 counts per /64: other low bits are the same client
    for (let i = 1; i <= 3; i++) assert.equal((await create(`2001:db8:1:2::${i}`)).status, 201);
    assertRateLimited(await create('2001:db8:1:2:ffff:ffff:ffff:9'), 'the same /64');
    assert.equal((await create('2001:db8:1:3::1')).status, 201, 'another /64');

    // per conversation: four requests a minute
    const c = (await create('203.0.113.12')).json;
    const post = (conv, addr, token = conv.token) =>
      api(srv, 'POST', `/api/v1/conversations/${conv.id}/messages`, { token, body: { text: 'Wat kost verzenden?' }, headers: from(addr) });
    for (let i = 0; i < 4; i++) assertError(await post(c, '203.0.113.99', 'wrong-token'), 401, 'unauthorized', 'wrong token');
    for (let i = 0; i < 4; i++) assert.equal((await post(c, '203.0.113.12')).status, 201, `message ${i + 1}`);
    const mid = (await api(srv, 'GET', `/api/v1/conversations/${c.id}`, { token: c.token })).json;
    assertRateLimited(await post(c, '203.0.113.12'), 'fifth message in a minute');
    assertRateLimited(await post(c, '203.0.113.13'), 'from another address too');
    assertRateLimited(await api(srv, 'POST', `/api/v1/conversations/${c.id}/handoff`, { token: c.token, headers: from('203.0.113.12') }), 'the button counts too');
    const after = (await api(srv, 'GET', `/api/v1/conversations/${c.id}`, { token: c.token })).json;
    assert.equal(after.messages.length, mid.messages.length, 'nothing stored');
    assert.equal(after.status, mid.status, 'the refused hand-off changed nothing');

    // per address: six a minute over all its conversations
    const c1 = (await create('203.0.113.14')).json;
    const c2 = (await create('203.0.113.14')).json;
    for (let i = 0; i < 3; i++) {
      assert.equal((await post(c1, '203.0.113.14')).status, 201);
      assert.equal((await post(c2, '203.0.113.14')).status, 201);
    }
    assertRateLimited(await post(c1, '203.0.113.14'), 'seventh request from one address');
    assert.equal((await post(c1, '203.0.113.15')).status, 201, 'the conversation from another address');
  } finally {
    await stopServer(srv);
  }
});

// The defaults: the limits per conversation (its token) come first; per
// address only at abuse levels, so an office or a mobile carrier behind one
// address is not locked out (issue 14).
const DEFAULT_LIMITS = Object.fromEntries(Object.keys(NO_LIMITS).map((k) => [k, undefined]));

test('default limits: 30 customers behind one address get through; abuse from it still gets 429 with a JSON error and a short Retry-After', async (t) => {
  const srv = await startServer({ t, env: { ...PROXY, ...DEFAULT_LIMITS } });
  try {
    const office = '203.0.113.40';
    const create = (addr) => api(srv, 'POST', '/api/v1/conversations', { body: { language: 'nl' }, headers: from(addr) });
    const post = (conv, addr, text) =>
      api(srv, 'POST', `/api/v1/conversations/${conv.id}/messages`, { token: conv.token, body: { text }, headers: from(addr) });
    const convs = [];
    for (let i = 0; i < 30; i++) {
      const r = await create(office);
      assert.equal(r.status, 201, `conversation ${i + 1} from one address: ${r.status} ${r.text}`);
      convs.push(r.json);
    }
    // each of them chats: 3 messages (90 requests from the address in well under a minute)
    for (let round = 0; round < 3; round++)
      for (const [i, c] of convs.entries()) {
        const r = await post(c, office, round === 0 ? 'Wat kost verzenden?' : 'En naar België?');
        assert.equal(r.status, 201, `customer ${i + 1}, message ${round + 1}: ${r.status} ${r.text}`);
      }
    // one conversation sending as fast as a script: its own limit (20 a minute) stops it, not the office
    const fast = convs[0];
    let refused = null;
    for (let i = 0; i < 25 && !refused; i++) {
      const r = await post(fast, office, `Bericht ${i}`);
      if (r.status === 429) refused = r;
    }
    assert.ok(refused, 'the per-conversation limit holds');
    const raConv = assertRateLimited(refused, 'a conversation flooding');
    assert.ok(raConv <= 60, `Retry-After ${raConv} within a minute`);
    assert.equal((await post(convs[1], office, 'Nog een vraag')).status, 201, 'the others behind the address go on');
    // abuse: new conversations by the dozen a minute from one address
    let abuse = null;
    for (let i = 30; i < 70 && !abuse; i++) {
      const r = await create(office);
      if (r.status === 429) abuse = { r, n: i };
      else assert.equal(r.status, 201);
    }
    assert.ok(abuse, 'no 429 for 70 new conversations within a minute from one address');
    assert.equal(abuse.n, 60, 'the 61st new conversation within a minute is refused (limit_conversations_address)');
    const ra = assertRateLimited(abuse.r, 'the 61st new conversation');
    assert.ok(ra > 0 && ra <= 60, `Retry-After ${ra}: a minute at most`);
    assert.match(abuse.r.json.error.message, /new conversations from this address/);
    assert.equal((await create('203.0.113.41')).status, 201, 'another address is not affected');
  } finally {
    await stopServer(srv);
  }
});

test('at most limit_open_conversations open conversations per address, also after a restart; closing one makes room', async (t) => {
  const d = await dataDirWithUsers(t, [['anna@example.com', PW]]);
  const env = { ...PROXY, LOKET_LIMIT_OPEN_CONVERSATIONS: '2' };
  let srv = await startServer({ t, dataDir: d.dir, env });
  const create = (addr) => api(srv, 'POST', '/api/v1/conversations', { body: {}, headers: from(addr) });
  try {
    const c1 = (await create('203.0.113.20')).json;
    assert.equal((await create('203.0.113.20')).status, 201);
    const ra = assertRateLimited(await create('203.0.113.20'), 'a third open conversation');
    assert.ok(ra > 0 && ra <= 60, `Retry-After ${ra}: a minute at most, never when the oldest stops counting (an hour)`);
    assert.equal(sql(d.dir, 'SELECT COUNT(*) FROM conversations'), '2', 'nothing stored');
    assert.equal((await create('203.0.113.21')).status, 201, 'another address');
    // the address is stored as a keyed hash, never as text
    const hashes = sql(d.dir, 'SELECT DISTINCT client_hash FROM conversations').split('\n');
    assert.equal(hashes.length, 2);
    for (const h of hashes) assert.match(h, /^[0-9a-f]{64}$/);
    assert.equal(sql(d.dir, "SELECT COUNT(*) FROM conversations WHERE client_hash LIKE '%203.0.113%'"), '0');
    await stopServer(srv);

    srv = await startServer({ t, dataDir: d.dir, env });
    assertRateLimited(await create('203.0.113.20'), 'still two open after a restart');
    const anna = await login(srv, 'anna@example.com', PW);
    await handoff(srv, c1);
    assert.equal((await anna.req('POST', `/api/v1/agent/conversations/${c1.id}/claim`)).status, 200);
    assert.equal((await anna.req('POST', `/api/v1/agent/conversations/${c1.id}/close`, { body: { disposition: 'resolved' } })).status, 200);
    assert.equal((await create('203.0.113.20')).status, 201, 'room after closing one');
  } finally {
    await stopServer(srv);
  }
});

// ---- headers and cookies ------------------------------------------------------

test('response headers: CSP, frame and referrer policies, nosniff; console pages without inline code', async (t) => {
  const srv = await startServer({ t });
  const CSP = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
  try {
    const page = await fetch(`${srv.base}/console/`);
    const html = await page.text();
    assert.equal(page.headers.get('content-security-policy'), CSP);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    for (const name of ['index', 'account', 'knowledge', 'dashboard', 'compliance', 'admin']) {
      const r = await fetch(`${srv.base}/console/${name}.html`);
      const text = await r.text();
      if (name === 'index' || name === 'account') assert.equal(r.status, 200, `${name}.html exists`);
      if (r.status !== 200) continue;
      assert.equal(r.headers.get('content-security-policy'), CSP, name);
      assert.doesNotMatch(text, /<script(?![^>]*\bsrc=)[^>]*>/i, `${name}.html: no inline script`);
      assert.doesNotMatch(text, /<style|\sstyle=|\son[a-z]+=/i, `${name}.html: no inline style or handler`);
    }
    assert.ok(html.length > 0);
    const apiRes = await api(srv, 'GET', '/api/v1/agent/queue');
    assert.equal(apiRes.status, 401);
    assert.equal(apiRes.headers.get('content-security-policy'), CSP);
    assert.equal(apiRes.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(apiRes.headers.get('referrer-policy'), 'strict-origin-when-cross-origin');
    const shop = await fetch(`${srv.base}/`);
    await shop.text();
    const shopCsp = shop.headers.get('content-security-policy');
    assert.match(shopCsp, /default-src 'self'/);
    assert.match(shopCsp, /frame-ancestors 'self'/);
    assert.match(shopCsp, /style-src 'self' 'unsafe-inline'/, 'the demo page and the widget bring their styles inline');
    assert.doesNotMatch(shopCsp, /script-src[^;]*unsafe/, 'but no inline script');
    const widget = await fetch(`${srv.base}/widget.js`);
    await widget.text();
    assert.equal(widget.headers.get('x-content-type-options'), 'nosniff');
    assert.match(widget.headers.get('content-type'), /javascript/);
  } finally {
    await stopServer(srv);
  }
});

test('the session cookie is Secure with cookie_secure, or through a trusted proxy that says https', async (t) => {
  const d = await dataDirWithUsers(t, [['anna@example.com', PW]]);
  const https = { 'X-Forwarded-Proto': 'https' };
  let srv = await startServer({ t, dataDir: d.dir });
  try {
    const plain = await api(srv, 'POST', '/api/v1/auth/login', { body: { email: 'anna@example.com', password: PW }, headers: https });
    assert.doesNotMatch(sessionCookie(plain).setCookie, /Secure/, 'an untrusted peer cannot ask for it');
    assert.match(sessionCookie(plain).setCookie, /HttpOnly; SameSite=Strict/);
  } finally {
    await stopServer(srv);
  }
  srv = await startServer({ t, dataDir: d.dir, env: PROXY });
  try {
    const viaTls = await api(srv, 'POST', '/api/v1/auth/login', { body: { email: 'anna@example.com', password: PW }, headers: https });
    assert.match(sessionCookie(viaTls).setCookie, /; Secure/);
    const viaHttp = await api(srv, 'POST', '/api/v1/auth/login', { body: { email: 'anna@example.com', password: PW } });
    assert.doesNotMatch(sessionCookie(viaHttp).setCookie, /Secure/);
  } finally {
    await stopServer(srv);
  }
  srv = await startServer({ t, dataDir: d.dir, env: { LOKET_COOKIE_SECURE: 'true' } });
  try {
    const r = await api(srv, 'POST', '/api/v1/auth/login', { body: { email: 'anna@example.com', password: PW } });
    assert.match(sessionCookie(r).setCookie, /; Secure/);
  } finally {
    await stopServer(srv);
  }
});

test('bad security options stop loket with a message naming them', async () => {
  const d = freshDataDir();
  try {
    for (const [env, name] of [
      [{ LOKET_WIDGET_ORIGINS: 'shop.example' }, 'widget_origins'],
      [{ LOKET_WIDGET_ORIGINS: 'https://shop.example/path' }, 'widget_origins'],
      [{ LOKET_WIDGET_ORIGINS: '* https://shop.example' }, 'widget_origins'],
      [{ LOKET_TRUSTED_PROXIES: '10.0.0.0/33' }, 'trusted_proxies'],
      [{ LOKET_TRUSTED_PROXIES: 'proxy.local' }, 'trusted_proxies'],
      [{ LOKET_SESSION_IDLE: '0' }, 'session_idle'],
    ]) {
      await assert.rejects(startServer({ dataDir: d.dir, env, timeoutMs: 5000 * SLOW }), new RegExp(name), JSON.stringify(env));
    }
  } finally {
    d.cleanup();
  }
});

// ---- the agents' live stream --------------------------------------------------

// A server with two plain agents (anna, bert) and a supervisor (lead),
// logged in as srv.team.
const TEAM_ID = identitySecret(); // the shop signs its customers' identities (docs/widget.md)

async function teamServer(t) {
  const d = await dataDirWithUsers(t, [
    ['anna@example.com', PW],
    ['bert@example.com', PW],
    ['lead@example.com', PW, 'supervisor'],
  ]);
  const srv = await startServer({ t, dataDir: d.dir, env: TEAM_ID.env });
  srv.team = {};
  for (const name of ['anna', 'bert', 'lead']) srv.team[name] = await login(srv, `${name}@example.com`, PW);
  return srv;
}

test("agents' stream: plain agents get the queue and their own conversations' messages; supervisors everything", async (t) => {
  const srv = await teamServer(t);
  try {
    const { anna, bert, lead } = srv.team;
    const sa = await agentStream(srv, anna.cookie);
    const sb = await agentStream(srv, bert.cookie);
    const sl = await agentStream(srv, lead.cookie);
    const msgsOf = (s, id) => s.frames.filter((f) => f.type === 'message' && f.message.conversation_id === id);
    const notesOf = (s, id) => s.frames.filter((f) => f.type === 'note' && f.note.conversation_id === id);
    const convEv = (s, id, status) => s.frames.some((f) => f.type === 'conversation' && f.conversation.id === id && f.conversation.status === status);

    // a conversation with the bot: only the supervisor follows its messages
    const c1 = await createConversation(srv);
    await sl.until((s) => msgsOf(s, c1.id).length >= 1, 'greeting of c1 for the lead');
    // queued: everyone sees the change and (for the preview) its messages
    await handoff(srv, c1);
    for (const s of [sa, sb, sl]) await s.until((x) => convEv(x, c1.id, 'queued'), 'c1 queued');
    const queuedMsg = await api(srv, 'POST', `/api/v1/conversations/${c1.id}/messages`, { token: c1.token, body: { text: 'Is er iemand?' } });
    assert.equal(queuedMsg.status, 201);
    for (const s of [sa, sb, sl]) await s.until((x) => msgsOf(x, c1.id).some((f) => f.message.text === 'Is er iemand?'), 'queued message preview');
    // anna claims it: bert still sees that it left the queue, but no more of its messages
    assert.equal((await anna.req('POST', `/api/v1/agent/conversations/${c1.id}/claim`)).status, 200);
    for (const s of [sa, sb, sl]) await s.until((x) => convEv(x, c1.id, 'assigned'), 'c1 assigned');
    const bertBefore = msgsOf(sb, c1.id).length;
    await api(srv, 'POST', `/api/v1/conversations/${c1.id}/messages`, { token: c1.token, body: { text: 'Mijn pakket is kwijt' } });
    assert.equal((await anna.req('POST', `/api/v1/agent/conversations/${c1.id}/messages`, { body: { text: 'Ik zoek het uit.' } })).status, 201);
    assert.equal((await anna.req('POST', `/api/v1/agent/conversations/${c1.id}/notes`, { body: { text: 'intern' } })).status, 201);
    for (const s of [sa, sl]) {
      await s.until((x) => msgsOf(x, c1.id).some((f) => f.message.text === 'Mijn pakket is kwijt'), "the customer's message");
      await s.until((x) => msgsOf(x, c1.id).some((f) => f.message.text === 'Ik zoek het uit.'), "the agent's reply");
      await s.until((x) => notesOf(x, c1.id).length === 1, 'the note');
    }
    // a later event everybody gets: once bert has it, he has had everything before it
    const c2 = await createConversation(srv);
    await handoff(srv, c2);
    await sb.until((x) => convEv(x, c2.id, 'queued'), 'c2 queued');
    assert.equal(msgsOf(sb, c1.id).length, bertBefore, "bert got none of c1's messages after anna claimed it");
    assert.equal(notesOf(sb, c1.id).length, 0, 'nor its notes');
    await sa.until((x) => msgsOf(x, c2.id).length > 0, "c2's hand-off notice: queued conversations' messages reach every agent");
    // the bot's part of c1 (before the hand-off) never reached the plain agents
    assert.ok(!msgsOf(sb, c1.id).some((f) => f.message.sender === 'bot' && f.message.seq === 1), 'no greeting for bert');
    assert.ok(msgsOf(sl, c1.id).some((f) => f.message.seq === 1), 'the lead has the greeting');
    for (const s of [sa, sb, sl]) s.ws.close();
  } finally {
    await stopServer(srv);
  }
});

test("conversations by id: plain agents read the queue, their own and their customer's history; others' give 403", async (t) => {
  const srv = await teamServer(t);
  try {
    const { anna, bert, lead } = srv.team;
    const sb = await agentStream(srv, bert.cookie);
    const view = (who, c) => who.req('GET', `/api/v1/agent/conversations/${c.id}`);
    const note = (who, c, text) => who.req('POST', `/api/v1/agent/conversations/${c.id}/notes`, { body: { text } });

    // an earlier conversation of klaas, handled and closed by anna, rated with a comment
    const old = await createConversation(srv, { customer: signedCustomer(TEAM_ID.secret, { email: 'klaas@example.nl' }) });
    await handoff(srv, old);
    assert.equal((await view(bert, old)).status, 200, 'queued: every agent reads it');
    assert.equal((await note(bert, old, 'voor wie het oppakt')).status, 201, 'and may note it');
    assert.equal((await anna.req('POST', `/api/v1/agent/conversations/${old.id}/claim`)).status, 200);
    assertError(await view(bert, old), 403, 'forbidden');
    assertError(await note(bert, old, 'meelezen'), 403, 'forbidden');
    assertError(await bert.req('GET', `/api/v1/agent/conversations/${old.id}/reviews`), 403, 'forbidden');
    const rated = await api(srv, 'POST', `/api/v1/conversations/${old.id}/rating`, { token: old.token, body: { score: 2, comment: 'Mijn BSN is 111222333' } });
    assert.equal(rated.status, 200);
    assert.equal((await anna.req('POST', `/api/v1/agent/conversations/${old.id}/close`, { body: { disposition: 'opgelost' } })).status, 200);
    assert.equal((await view(anna, old)).status, 200, 'her own, also closed');
    assert.equal((await view(lead, old)).status, 200, 'supervisors read every conversation');
    assertError(await view(bert, old), 403, 'forbidden');
    // bert's stream learns that it closed, but not the customer's comment or the outcome
    await sb.until((s) => s.frames.some((f) => f.type === 'conversation' && f.conversation.id === old.id && f.conversation.status === 'closed'), 'the close');
    for (const f of sb.frames.filter((x) => x.type === 'conversation' && x.conversation.id === old.id && x.conversation.status !== 'queued')) {
      assert.deepEqual(Object.keys(f.conversation).sort(), ['assigned_to', 'id', 'status', 'updated_at'], `brief: ${JSON.stringify(f)}`);
    }
    assert.ok(!JSON.stringify(sb.frames).includes('111222333'), "the rating comment never reaches bert's stream");

    // klaas comes back and bert serves him: the earlier conversation is his context now
    const now = await createConversation(srv, { customer: signedCustomer(TEAM_ID.secret, { email: 'klaas@example.nl' }) });
    await handoff(srv, now);
    assert.equal((await bert.req('POST', `/api/v1/agent/conversations/${now.id}/claim`)).status, 200);
    const v = await view(bert, now);
    assert.deepEqual(v.json.history.map((h) => h.id), [old.id]);
    const ctx = await view(bert, old);
    assert.equal(ctx.status, 200, "the history of bert's customer");
    assertError(await note(bert, old, 'toch niet'), 403, 'forbidden');
    // ... only while he serves him
    assert.equal((await bert.req('POST', `/api/v1/agent/conversations/${now.id}/close`, { body: { disposition: 'opgelost' } })).status, 200);
    assertError(await view(bert, old), 403, 'forbidden');
    assertError(await bert.req('GET', '/api/v1/agent/conversations/c_doesnotexist'), 404, 'not_found');
    sb.ws.close();
  } finally {
    await stopServer(srv);
  }
});

test('X-Forwarded-For on several lines: the last line counts, so a client cannot pick its address', async (t) => {
  const { srv } = await serverWithUsers(t, [['anna@example.com', PW]], { env: { ...PROXY, LOKET_LIMIT_LOGIN_ACCOUNT: '100', LOKET_LIMIT_LOGIN_ADDRESS: '3' } });
  // a raw request: fetch would join the two lines into one
  const rawLogin = (spoofed, real) =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify({ email: 'anna@example.com', password: 'wrong' });
      const sock = net.connect(srv.port, '127.0.0.1', () => {
        sock.end(
          `POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nContent-Type: application/json\r\n` +
            `X-Forwarded-For: ${spoofed}\r\nX-Forwarded-For: ${real}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
      });
      let out = '';
      sock.on('data', (b) => (out += b.toString('latin1')));
      sock.on('end', () => resolve(Number(out.split(' ')[1])));
      sock.on('error', reject);
    });
  try {
    const got = [];
    for (let i = 1; i <= 4; i++) got.push(await rawLogin(`203.0.113.${i}`, '198.51.100.7'));
    assert.deepEqual(got, [401, 401, 401, 429], 'the proxy-added address is limited, whatever the client wrote');
  } finally {
    await stopServer(srv);
  }
});
