// Issue 16, point 4 (docs/security.md, "Two-step login (TOTP)"): with
// require_totp_admin an admin without two-step login is told so at login,
// may then only set it up (or log out), and may use everything once it is on;
// they cannot switch it off again. Agents are not affected by that option;
// require_totp asks it of everyone.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopServer, api, assertError, login, totp, dataDirWithUsers } from './helpers.mjs';

const PW = 'een-lang-wachtwoord-hier';

test('require_totp_admin: an admin without two-step login may only set it up; agents are not affected', async (t) => {
  const d = await dataDirWithUsers(t, [['ada@example.com', PW, 'admin'], ['anna@example.com', PW, 'agent']]);
  const srv = await startServer({ t, dataDir: d.dir, env: { LOKET_REQUIRE_TOTP_ADMIN: 'true' } });
  try {
    const ada = await login(srv, 'ada@example.com', PW);
    assert.equal(ada.user.totp_setup_required, true, 'the login says so');
    assert.equal((await ada.req('GET', '/api/v1/auth/me')).json.user.totp_setup_required, true);
    for (const [method, p] of [
      ['GET', '/api/v1/admin/users'],
      ['GET', '/api/v1/agent/queue'],
      ['GET', '/api/v1/admin/audit'],
      ['GET', '/api/v1/admin/security-events'],
    ]) {
      const r = await ada.req(method, p);
      assertError(r, 403, 'totp_setup_required', p);
      assert.match(r.json.error.message, /two-step login/);
    }
    assertError(await ada.req('POST', '/api/v1/auth/password', { body: { current_password: PW, new_password: 'een-nieuw-lang-wachtwoord' } }), 403, 'totp_setup_required');
    const st = await ada.req('GET', '/api/v1/auth/totp');
    assert.equal(st.status, 200);
    assert.equal(st.json.required, true);
    // setting it up is what they may do
    const setup = await ada.req('POST', '/api/v1/auth/totp/setup');
    assert.equal(setup.status, 200, setup.text);
    assert.equal((await ada.req('POST', '/api/v1/auth/totp/enable', { body: { code: totp(setup.json.secret) } })).status, 200);
    assert.equal((await ada.req('GET', '/api/v1/admin/users')).status, 200, 'everything else once it is on');
    assert.equal((await ada.req('GET', '/api/v1/auth/me')).json.user.totp_setup_required, false);
    // and it stays on
    const off = await ada.req('POST', '/api/v1/auth/totp/disable', { body: { code: totp(setup.json.secret, 1) } });
    assertError(off, 409, 'conflict', 'switching off a required second factor');
    assert.match(off.json.error.message, /required/);

    // an agent is not asked
    const anna = await login(srv, 'anna@example.com', PW);
    assert.equal(anna.user.totp_setup_required, false);
    assert.equal((await anna.req('GET', '/api/v1/agent/queue')).status, 200);

    // from now on ada logs in with her code, and is no longer held
    assertError(await api(srv, 'POST', '/api/v1/auth/login', { body: { email: 'ada@example.com', password: PW } }), 401, 'totp_required');
    const adaAgain = await api(srv, 'POST', '/api/v1/auth/login', { body: { email: 'ada@example.com', password: PW, totp: totp(setup.json.secret, 1) } });
    assert.equal(adaAgain.status, 200, adaAgain.text);
    assert.equal(adaAgain.json.user.totp_setup_required, false);
  } finally {
    await stopServer(srv);
  }
});

test('require_totp: every user without two-step login is held at the set-up', async (t) => {
  const d = await dataDirWithUsers(t, [['anna@example.com', PW, 'agent']]);
  const srv = await startServer({ t, dataDir: d.dir, env: { LOKET_REQUIRE_TOTP: 'true' } });
  try {
    const anna = await login(srv, 'anna@example.com', PW);
    assert.equal(anna.user.totp_setup_required, true);
    assertError(await anna.req('GET', '/api/v1/agent/queue'), 403, 'totp_setup_required');
    assertError(await anna.req('GET', '/api/v1/agent/conversations'), 403, 'totp_setup_required');
    // logging out works
    assert.equal((await anna.req('POST', '/api/v1/auth/logout')).status, 200);
    assertError(await anna.req('GET', '/api/v1/auth/me'), 401, 'unauthorized');
  } finally {
    await stopServer(srv);
  }
});
