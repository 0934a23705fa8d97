// Gaps found while checking loket against OWASP ASVS 4.0.3 level 2
// (docs/security.md, "OWASP ASVS 4.0.3, level 2"), closed and held here.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopServer, api, assertError, dataDirWithUsers } from './helpers.mjs';

const PW = 'a-long-password';

// V2.2.1: "no more than 100 failed attempts per hour is possible on a single
// account". The per-account limit's default must allow at most 100 failures
// in any hour of 15-minute windows, from addresses the account never logged
// in from: 25 per window, the 26th refused, whatever the password.
test('V2.2.1: with the default limits, at most 25 failed logins per 15 minutes (100 an hour) reach an account from new addresses', async (t) => {
  const d = await dataDirWithUsers(t, [['anna@example.com', PW]]);
  const srv = await startServer({
    t,
    dataDir: d.dir,
    // the program's defaults for the login limits (the test helpers switch them off otherwise)
    env: {
      LOKET_TRUSTED_PROXIES: '127.0.0.1',
      LOKET_LIMIT_LOGIN_ACCOUNT: undefined,
      LOKET_LIMIT_LOGIN_ACCOUNT_ADDRESS: undefined,
      LOKET_LIMIT_LOGIN_ADDRESS: undefined,
      LOKET_LIMIT_LOGIN_WINDOW: undefined,
    },
  });
  const login = (password, addr) =>
    api(srv, 'POST', '/api/v1/auth/login', {
      body: { email: 'anna@example.com', password },
      headers: { 'X-Forwarded-For': addr },
    });
  try {
    // one failure from each of 25 addresses (a botnet stays under every per-address limit)
    for (let i = 1; i <= 25; i++) assertError(await login('wrong-guess-' + i, `203.0.113.${i}`), 401, 'unauthorized', `guess ${i}`);
    const r = await login('wrong-guess-26', '203.0.113.26');
    assertError(r, 429, 'too_many_requests', 'the 26th failure within the window is refused');
    const ra = Number(r.headers.get('retry-after'));
    assert.ok(Number.isInteger(ra) && ra >= 1 && ra <= 900, `Retry-After ${r.headers.get('retry-after')} within the window`);
    // the right password from a new address is refused as well (the limit is not a hint)...
    assertError(await login(PW, '203.0.113.27'), 429, 'too_many_requests', 'right password, new address');
  } finally {
    await stopServer(srv);
  }
});
