// Issue 16 (docs/security.md): nobody can lock another person out of their
// account (the login limits per account and address, the account's throttle
// that the owner's usual address and second factor pass), and every security
// event (failed login, lockout, refused cross-site request, role refusal,
// 429) is one JSON log line, a counter in /metrics and a stored row that
// admins read, without secrets.
//
// The server trusts 127.0.0.1 as a reverse proxy, so that each request names
// its own client address in X-Forwarded-For.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SLOW, sleep, startServer, stopServer, api, assertError, login, tryLogin as loginAttempt, totp,
  dataDirWithUsers, serverWithUsers,
} from './helpers.mjs';

const PW = 'a-long-password';
const PROXY = { LOKET_TRUSTED_PROXIES: '127.0.0.1' };
const from = (addr, headers = {}) => ({ 'X-Forwarded-For': addr, ...headers });

const tryLogin = (srv, email, password, { addr, ...o } = {}) =>
  loginAttempt(srv, email, password, { ...o, headers: addr ? from(addr) : {} });


// ---- lockout ------------------------------------------------------------------

test('an attacker failing 20 times does not lock the owner out; the attacker is limited', async (t) => {
  const d = await dataDirWithUsers(t, [['anna@example.com', PW]]);
  // the default limits (no LOKET_LIMIT_LOGIN_* of our own)
  const srv = await startServer({
    t,
    dataDir: d.dir,
    env: { ...PROXY, LOKET_LIMIT_LOGIN_ACCOUNT: '30', LOKET_LIMIT_LOGIN_ACCOUNT_ADDRESS: '5', LOKET_LIMIT_LOGIN_ADDRESS: '20' },
  });
  try {
    const statuses = [];
    for (let i = 0; i < 20; i++) statuses.push((await tryLogin(srv, 'anna@example.com', `guess-${i}`, { addr: '203.0.113.66' })).status);
    assert.deepEqual(statuses.slice(0, 5), [401, 401, 401, 401, 401], 'the first five are checked');
    assert.ok(statuses.slice(5).every((s) => s === 429), `then refused: ${statuses}`);
    // the owner, from an address of their own (never used before), gets in at once
    const owner = await tryLogin(srv, 'anna@example.com', PW, { addr: '198.51.100.7' });
    assert.equal(owner.status, 200, `owner: ${owner.text}`);
    // the attacker's address stays limited, even with the right password
    const again = await tryLogin(srv, 'anna@example.com', PW, { addr: '203.0.113.66' });
    assertError(again, 429, 'too_many_requests', 'attacker address');
    assert.ok(Number(again.headers.get('retry-after')) >= 1, 'Retry-After');
  } finally {
    await stopServer(srv);
  }
});

test('past the account throttle, the owner still gets in from a usual address or with the second factor', async (t) => {
  const { srv } = await serverWithUsers(t, [['anna@example.com', PW], ['bert@example.com', PW]], {
    env: { ...PROXY, LOKET_LIMIT_LOGIN_ACCOUNT: '10', LOKET_LIMIT_LOGIN_ACCOUNT_ADDRESS: '5', LOKET_LIMIT_LOGIN_ADDRESS: '100' },
  });
  try {
    // usual addresses: each logged in successfully before
    assert.equal((await tryLogin(srv, 'anna@example.com', PW, { addr: '192.0.2.10' })).status, 200);
    assert.equal((await tryLogin(srv, 'bert@example.com', PW, { addr: '192.0.2.20' })).status, 200);
    // bert switches on two-step login
    const b = await login(srv, 'bert@example.com', PW);
    const setup = await b.req('POST', '/api/v1/auth/totp/setup');
    assert.equal(setup.status, 200, setup.text);
    assert.equal((await b.req('POST', '/api/v1/auth/totp/enable', { body: { code: totp(setup.json.secret) } })).status, 200);

    // a botnet: one guess each from 12 addresses, for both accounts
    for (const email of ['anna@example.com', 'bert@example.com']) {
      const statuses = [];
      for (let i = 1; i <= 12; i++) {
        const body = { addr: `203.0.113.${i}` };
        if (email.startsWith('bert')) body.totp = '000000';
        statuses.push((await tryLogin(srv, email, 'wrong-guess', body)).status);
      }
      assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401), `${email}: guesses up to the throttle are checked`);
      // past it, a guess without the second factor from a new address waits
      if (email.startsWith('anna')) assert.deepEqual(statuses.slice(10), [429, 429], `${email}: then the throttle`);
    }
    // anna from a new address, even with her right password: refused for now
    const fresh = await tryLogin(srv, 'anna@example.com', PW, { addr: '198.51.100.99' });
    assertError(fresh, 429, 'too_many_requests', 'new address past the throttle');
    assert.match(fresh.json.error.message, /logged in from before|two-step/);
    // from her usual address: in at once
    assert.equal((await tryLogin(srv, 'anna@example.com', PW, { addr: '192.0.2.10' })).status, 200, 'usual address');
    // bert from a new address with a right second factor: in
    const bt = await tryLogin(srv, 'bert@example.com', PW, { addr: '198.51.100.98', totp: totp(setup.json.secret, 1) });
    assert.equal(bt.status, 200, `second factor: ${bt.text}`);
  } finally {
    await stopServer(srv);
  }
});

// ---- security events --------------------------------------------------------

function eventLines(srv) {
  return srv
    .stderr()
    .split('\n')
    .filter((l) => l.includes('"event":"security"'))
    .map((l) => JSON.parse(l));
}

async function metric(srv, kind) {
  const r = await api(srv, 'GET', '/metrics');
  assert.equal(r.status, 200, r.text);
  const m = r.text.match(new RegExp(`^loket_security_events_total\\{kind="${kind}"\\} (\\d+)$`, 'm'));
  assert.ok(m, `no counter for ${kind} in /metrics`);
  return Number(m[1]);
}

async function storedEvents(admin, kind, want = 1) {
  for (let i = 0; i < 50 * SLOW; i++) {
    const r = await admin.req('GET', `/api/v1/admin/security-events?kind=${kind}`);
    assert.equal(r.status, 200, r.text);
    if (r.json.events.length >= want) return r.json.events;
    await sleep(100);
  }
  assert.fail(`no stored ${kind} event`);
}

test('each kind of security event: a JSON log line, a counter and a stored row for admins, no secrets', async (t) => {
  const { srv } = await serverWithUsers(t, [['root@example.com', PW, 'admin'], ['anna@example.com', PW, 'agent']], {
    env: { ...PROXY, LOKET_LIMIT_LOGIN_ACCOUNT_ADDRESS: '2', LOKET_LIMIT_CONVERSATIONS_ADDRESS: '1' },
  });
  try {
    const admin = await login(srv, 'root@example.com', PW);
    const agent = await login(srv, 'anna@example.com', PW);
    const secret = 'Sup3r-Secret-Guess!';

    // login_failed and lockout
    assertError(await tryLogin(srv, 'anna@example.com', secret, { addr: '203.0.113.5' }), 401, 'unauthorized');
    assertError(await tryLogin(srv, 'anna@example.com', secret, { addr: '203.0.113.5' }), 401, 'unauthorized');
    assertError(await tryLogin(srv, 'anna@example.com', secret, { addr: '203.0.113.5' }), 429, 'too_many_requests');
    // cross_site: an agent's cookie sent from another site's page
    assertError(await agent.req('POST', '/api/v1/auth/logout', { headers: { Origin: 'https://evil.example' } }), 403, 'forbidden');
    // forbidden: an agent at the admins' API
    assertError(await agent.req('GET', '/api/v1/admin/users'), 403, 'forbidden');
    // rate_limited: a second new conversation from one address
    const c1 = await api(srv, 'POST', '/api/v1/conversations', { body: {}, headers: from('198.51.100.44') });
    assert.equal(c1.status, 201, c1.text);
    assertError(await api(srv, 'POST', '/api/v1/conversations', { body: {}, headers: from('198.51.100.44') }), 429, 'too_many_requests');

    const want = {
      login_failed: { address: '203.0.113.5', account: 'anna@example.com', route: 'POST /api/v1/auth/login' },
      lockout: { address: '203.0.113.5', account: 'anna@example.com', route: 'POST /api/v1/auth/login' },
      cross_site: { account: null, route: 'POST /api/v1/auth/logout' },
      forbidden: { account: 'anna@example.com', route: 'GET /api/v1/admin/users' },
      rate_limited: { address: '198.51.100.44', account: null, route: 'POST /api/v1/conversations' },
    };
    for (const [kind, w] of Object.entries(want)) {
      const rows = await storedEvents(admin, kind, kind === 'login_failed' ? 2 : 1);
      const row = rows[0];
      assert.equal(row.kind, kind);
      assert.equal(row.route, w.route, `${kind} route`);
      assert.equal(row.account, w.account, `${kind} account`);
      if (w.address) assert.equal(row.address, w.address, `${kind} address`);
      assert.ok(row.reason.length > 5, `${kind} reason`);
      assert.match(row.at, /^\d{4}-\d\d-\d\dT/);
      assert.ok(rows.every((r) => r.kind === kind), `${kind}: the filter`);
      assert.ok((await metric(srv, kind)) >= 1, `${kind}: counter`);
      const lines = eventLines(srv).filter((l) => l.kind === kind);
      assert.ok(lines.length >= 1, `${kind}: log line`);
      assert.equal(lines[0].level, 'warn');
      assert.equal(lines[0].route, w.route);
      assert.ok(lines[0].address && lines[0].reason, `${kind}: log fields`);
    }
    // the refused agent is named by id in the log (no e-mail addresses in logs)
    assert.equal(eventLines(srv).find((l) => l.kind === 'forbidden').user_id, agent.user.id);
    // newest first over all kinds
    const all = (await admin.req('GET', '/api/v1/admin/security-events')).json.events;
    for (let i = 1; i < all.length; i++) assert.ok(all[i - 1].id > all[i].id, 'newest first');
    // no secrets anywhere: not the password tried, not a session cookie
    const cookieValue = agent.cookie.split('=')[1];
    for (const text of [srv.stderr(), JSON.stringify(all)]) {
      assert.ok(!text.includes(secret), 'the password tried is not recorded');
      assert.ok(!text.includes(cookieValue), 'the session is not recorded');
    }
    // only admins read them, and the filter is checked
    assertError(await agent.req('GET', '/api/v1/admin/security-events'), 403, 'forbidden');
    assertError(await admin.req('GET', '/api/v1/admin/security-events?kind=bogus'), 400, 'invalid_field');
    // paging: ?limit and ?before (the next page) are checked, and pages follow each other
    for (const [q, msg] of [['limit=0', 'the parameter "limit" must be 1 to 500'],
      ['limit=501', 'the parameter "limit" must be 1 to 500'], ['limit=x', 'the parameter "limit" must be 1 to 500'],
      ['before=0', 'the parameter "before" must be an event id'],
      [`before=${'9'.repeat(30)}`, 'the parameter "before" must be an event id']]) {
      const r = await admin.req('GET', `/api/v1/admin/security-events?${q}`);
      assertError(r, 400, 'invalid_field', q);
      assert.equal(r.json.error.message, msg, q);
    }
    const now = (await admin.req('GET', '/api/v1/admin/security-events')).json.events; /* the refusals above added some */
    const page1 = (await admin.req('GET', '/api/v1/admin/security-events?limit=2')).json;
    assert.deepEqual(page1.events.map((e) => e.id), now.slice(0, 2).map((e) => e.id));
    assert.equal(page1.next_before, now[1].id);
    const page2 = (await admin.req('GET', `/api/v1/admin/security-events?limit=2&before=${page1.next_before}`)).json;
    assert.deepEqual(page2.events.map((e) => e.id), now.slice(2, 4).map((e) => e.id));
    const last = (await admin.req('GET', `/api/v1/admin/security-events?limit=500`)).json;
    assert.equal(last.next_before, null, 'a page shorter than the limit is the last');
    assertError(await api(srv, 'GET', '/api/v1/admin/security-events'), 401, 'unauthorized');
  } finally {
    await stopServer(srv);
  }
});
