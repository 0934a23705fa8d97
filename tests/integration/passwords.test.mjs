// Issue 16 (docs/security.md, "Passwords: what is accepted"): every way to set
// a password refuses common ones, common ones with digits around them, and
// ones derived from the e-mail address, the name or the product name, with
// an error that says why; long passphrases are accepted and log in.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopServer, freshDataDir, api, assertError, login, runCli, dataDirWithUsers } from './helpers.mjs';

const PW = 'ada-beheert-alles-hier';

test('new passwords: common and derived ones refused in the API, passphrases accepted', async (t) => {
  const d = await dataDirWithUsers(t, [['ada@example.com', PW, 'admin']]);
  const srv = await startServer({ t, dataDir: d.dir });
  try {
    const admin = await login(srv, 'ada@example.com', PW);
    const add = (email, password, name) =>
      admin.req('POST', '/api/v1/admin/users', { body: { email, role: 'agent', password, ...(name ? { display_name: name } : {}) } });

    for (const [password, why] of [
      ['12345678', /most common/],
      ['password', /most common/],
      ['Password2024!', /digits or symbols/],
      ['jan.jansen@example.com', /e-mail address, the name or the product/],
      ['JanJansen1', /e-mail address, the name or the product/],
      ['loket-2026', /e-mail address, the name or the product/],
      ['zzzzzzzzzz', /repeats/],
    ]) {
      const r = await add('jan.jansen@example.com', password, 'Jan Jansen');
      assertError(r, 400, 'weak_password', password);
      assert.match(r.json.error.message, why, `${password}: ${r.json.error.message}`);
      assert.match(r.json.error.message, /"password"/, 'names the field');
      if (password !== 'password') assert.ok(!r.json.error.message.includes(password), 'does not repeat the password');
    }
    assertError(await add('jan.jansen@example.com', 'kort'), 400, 'invalid_field', 'too short');
    const users = await admin.req('GET', '/api/v1/admin/users');
    assert.equal(users.json.users.length, 1, 'nobody was added');

    // a long passphrase (200 characters, spaces, accents) is accepted and logs in
    const phrase = 'de zeven kleine geitjes eten sla in de wei bij café het hoekje '.repeat(4).slice(0, 200);
    const r = await add('jan.jansen@example.com', phrase, 'Jan Jansen');
    assert.equal(r.status, 201, r.text);
    const jan = await login(srv, 'jan.jansen@example.com', phrase);

    // an admin's reset checks against the target's address and name
    assertError(await admin.req('POST', `/api/v1/admin/users/${r.json.id}/password`, { body: { password: 'jansen2026!' } }), 400, 'weak_password', 'reset');
    assertError(await admin.req('POST', `/api/v1/admin/users/${r.json.id}/password`, { body: { password: 'iloveyou' } }), 400, 'weak_password', 'reset');
    // one's own change too, before the current password is even checked
    const own = (np) => jan.req('POST', '/api/v1/auth/password', { body: { current_password: phrase, new_password: np } });
    assertError(await own('qwerty123'), 400, 'weak_password', 'own');
    assertError(await own('jan.jansen1'), 400, 'weak_password', 'own');
    const ok = await own('mijn fiets staat altijd bij de bakker');
    assert.equal(ok.status, 200, ok.text);
    await login(srv, 'jan.jansen@example.com', 'mijn fiets staat altijd bij de bakker');
  } finally {
    await stopServer(srv);
  }
});

test('new passwords on the command line: refused with the reason, exit 1', async (t) => {
  const d = freshDataDir();
  t.after(d.cleanup);
  let r = await runCli(['user', 'add', '--email', 'bo@example.com', '--role', 'admin', '--password-stdin', '--data', d.dir], {
    input: 'letmein123\n',
  });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /common password/);
  r = await runCli(['user', 'add', '--email', 'bo@example.com', '--role', 'admin', '--password-stdin', '--data', d.dir], {
    input: 'bo heeft een lange zin als wachtwoord\n',
  });
  assert.equal(r.code, 0, r.stderr);
  r = await runCli(['user', 'password', '--email', 'bo@example.com', '--password-stdin', '--data', d.dir], { input: 'loketloket\n' });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /product name/);
});
