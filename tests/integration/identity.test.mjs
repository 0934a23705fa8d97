// Issue 16, point 3 (docs/widget.md, "Verified identity"): a customer's
// identity from the host page counts only when the company's site signed it
// (HMAC-SHA256 with identity_secret_file). The spoofing of the security
// review fails: an anonymous conversation that claims someone else's e-mail
// address joins nothing, shows no history to the agent who serves it, and
// opens none of the victim's conversations; a correctly signed identity joins
// its history; a wrong or expired signature leaves the chat working, only
// unverified; a data-subject export by e-mail still finds the claimed ones.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, stopServer, freshDataDir, api, assertError, login, handoff, createConversation, postMessage,
  identitySecret, signedCustomer, runCli, dataDirWithUsers,
} from './helpers.mjs';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

const PW = 'een-lang-wachtwoord-hier';
const VICTIM = 'klaas@example.nl';

async function team(t, env) {
  const d = await dataDirWithUsers(t, [
    ['anna@example.com', PW],
    ['bert@example.com', PW],
    ['ada@example.com', PW, 'admin'],
  ]);
  const srv = await startServer({ t, dataDir: d.dir, env });
  const who = {};
  for (const name of ['anna', 'bert', 'ada']) who[name] = await login(srv, `${name}@example.com`, PW);
  return { srv, ...who };
}

const view = (agent, c) => agent.req('GET', `/api/v1/agent/conversations/${c.id}`);
const claim = (agent, c) => agent.req('POST', `/api/v1/agent/conversations/${c.id}/claim`);

test('the spoofing scenario fails; a correctly signed identity joins its history', async (t) => {
  const ID = identitySecret();
  const { srv, anna, bert, ada } = await team(t, ID.env);
  try {
    // klaas, signed in on the shop's site, chats; bert serves him
    const real = await createConversation(srv, { customer: signedCustomer(ID.secret, { email: VICTIM, external_id: 'shop-9', name: 'Klaas' }) });
    await postMessage(srv, real, 'Mijn bestelling 12345 is niet aangekomen');
    await handoff(srv, real);
    assert.equal((await claim(bert, real)).status, 200);

    // a spoofer claims klaas's address (and id) without a signature; anna serves the spoofer
    const spoof = await createConversation(srv, { customer: { email: VICTIM, external_id: 'shop-9', name: 'Klaas' } });
    await handoff(srv, spoof);
    assert.equal((await claim(anna, spoof)).status, 200);
    const sv = await view(anna, spoof);
    assert.equal(sv.status, 200, sv.text);
    assert.equal(sv.json.customer.verified, false, 'marked unverified in the agent API');
    assert.equal(sv.json.customer.email, VICTIM, 'what the customer claimed is still shown');
    assert.deepEqual(sv.json.history, [], "none of klaas's conversations");
    // ... and the victim's conversation, assigned to bert, stays closed to anna
    assertError(await view(anna, real), 403, 'forbidden');

    // klaas comes back, signed again: anna serves him and sees his own history, not the spoofer's
    const back = await createConversation(srv, { customer: signedCustomer(ID.secret, { email: VICTIM, external_id: 'shop-9' }) });
    await handoff(srv, back);
    assert.equal((await anna.req('POST', `/api/v1/agent/conversations/${spoof.id}/close`, { body: { disposition: 'klaar' } })).status, 200);
    assert.equal((await claim(anna, back)).status, 200);
    const bv = await view(anna, back);
    assert.equal(bv.json.customer.verified, true);
    assert.deepEqual(bv.json.history.map((h) => h.id), [real.id], 'the verified conversations only');
    assert.equal((await view(anna, real)).status, 200, "the history of anna's (verified) customer");
    // the victim's own history never shows the spoofer's conversation
    const rv = await view(bert, real);
    assert.ok(!rv.json.history.some((h) => h.id === spoof.id), 'the spoofer does not mix into the history');

    // a data-subject export by e-mail still finds the conversation that claimed the address (docs/privacy.md)
    const ex = await ada.req('POST', '/api/v1/admin/privacy/export', { body: { email: VICTIM } });
    assert.equal(ex.status, 200, ex.text);
    const ids = JSON.stringify(ex.json);
    for (const c of [real, spoof, back]) assert.ok(ids.includes(c.id), `export holds ${c.id}`);
    assert.ok(ids.includes('"customer_verified"'), 'the export tells verified from claimed');
  } finally {
    await stopServer(srv);
  }
});

test('a wrong, expired or unconfigured signature: the chat works, the identity is unverified', async (t) => {
  const ID = identitySecret();
  const { srv, anna } = await team(t, ID.env);
  try {
    const now = Math.floor(Date.now() / 1000);
    const good = signedCustomer(ID.secret, { email: VICTIM });
    const cases = {
      'wrong secret': signedCustomer('not-the-shops-secret-at-all', { email: VICTIM }),
      'other address signed': { ...signedCustomer(ID.secret, { email: 'other@example.nl' }), email: VICTIM },
      expired: signedCustomer(ID.secret, { email: VICTIM }, { timestamp: now - 2 * 86400 }),
      'from the future': signedCustomer(ID.secret, { email: VICTIM }, { timestamp: now + 3600 }),
      'not hex': { ...good, signature: 'zz'.repeat(32) },
      'timestamp changed': { ...good, timestamp: good.timestamp - 1 },
    };
    const first = await createConversation(srv, { customer: good });
    await handoff(srv, first);
    for (const [what, customer] of Object.entries(cases)) {
      const c = await createConversation(srv, { customer });
      const m = await postMessage(srv, c, 'Hallo, ik heb een vraag over mijn bestelling');
      assert.ok(m.messages.length >= 1, `${what}: the chat goes on`);
      await handoff(srv, c);
      assert.equal((await claim(anna, c)).status, 200);
      const v = await view(anna, c);
      assert.equal(v.json.customer.verified, false, `${what}: unverified`);
      assert.deepEqual(v.json.history, [], `${what}: no history`);
      assert.equal((await anna.req('POST', `/api/v1/agent/conversations/${c.id}/close`, { body: { disposition: 'klaar' } })).status, 200);
    }
    // a timestamp as a string (a data attribute's value) verifies like a number
    const s = await createConversation(srv, { customer: { ...good, timestamp: String(good.timestamp) } });
    await handoff(srv, s);
    assert.equal((await claim(anna, s)).status, 200);
    const sv = await view(anna, s);
    assert.equal(sv.json.customer.verified, true);
    assert.deepEqual(sv.json.history.map((h) => h.id), [first.id]);
    // a timestamp of the wrong type is bad input
    const bad = await api(srv, 'POST', '/api/v1/conversations', { body: { customer: { ...good, timestamp: 'gisteren' } } });
    assertError(bad, 400, 'invalid_field');
    assert.match(bad.json.error.message, /customer\.timestamp/);
  } finally {
    await stopServer(srv);
  }
  // without identity_secret_file every identity is unverified, signed or not
  const d = await dataDirWithUsers(t, [['anna@example.com', PW]]);
  const plain = await startServer({ t, dataDir: d.dir });
  try {
    const a = await login(plain, 'anna@example.com', PW);
    const c = await createConversation(plain, { customer: signedCustomer(ID.secret, { email: VICTIM }) });
    await handoff(plain, c);
    const v = await view(a, c);
    assert.equal(v.json.customer.verified, false);
  } finally {
    await stopServer(plain);
  }
});

test('identity_secret_file: a missing or too short secret stops loket at start', async (t) => {
  const d = freshDataDir();
  t.after(d.cleanup);
  const short = path.join(d.root, 'short.secret');
  writeFileSync(short, 'kort\n', { mode: 0o600 });
  for (const [file, why] of [
    [short, /16 to 511 bytes/],
    [path.join(d.root, 'missing.secret'), /cannot open/],
  ]) {
    const r = await runCli(['serve', '--listen', '127.0.0.1:0', '--data', d.dir], { env: { LOKET_IDENTITY_SECRET_FILE: file } });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, why);
    assert.match(r.stderr, /identity_secret_file/);
  }
});
