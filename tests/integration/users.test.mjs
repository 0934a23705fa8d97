// Managing console users (docs/api.md, "Users"): an admin changes a role or
// a name, deactivates someone (sessions end, the live stream closes, their
// conversations go back to the queue with the customer told) and activates
// them again, and sets a new password; everyone changes their own password
// (the other sessions end); no change leaves the team without an active
// admin; a hash made with older argon2id parameters is made anew at login;
// `loket user password` from the command line. Every refusal is a JSON 4xx
// and changes nothing.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import {
  SLOW,
  sleep,
  startServer,
  stopServer,
  addUser,
  api,
  assertError,
  login,
  handoff,
  createConversation,
  postMessage,
  getConversation,
  agentStream,
  runCli,
} from './helpers.mjs';

const ADA = { email: 'ada@example.com', password: 'ada-beheert-alles-hier' };
const ANNA = { email: 'anna@example.com', password: 'anna-heeft-een-wachtwoord' };
const BERT = { email: 'bert@example.com', password: 'bert-heeft-er-ook-een' };
const SAM = { email: 'sam@example.com', password: 'sam-leidt-het-team-nu' };

let srv;
let ada;
const ids = {};

before(async () => {
  srv = await startServer();
  await addUser(srv.dataDir, ADA.email, ADA.password, 'admin');
  await addUser(srv.dataDir, ANNA.email, ANNA.password, 'agent');
  await addUser(srv.dataDir, BERT.email, BERT.password, 'agent');
  await addUser(srv.dataDir, SAM.email, SAM.password, 'supervisor');
  ada = await login(srv, ADA.email, ADA.password);
  const list = await ada.req('GET', '/api/v1/admin/users');
  for (const u of list.json.users) ids[u.email] = u.id;
});

after(async () => {
  if (srv) await stopServer(srv);
});

const sql = (query) => execFileSync('sqlite3', [path.join(srv.dataDir, 'loket.db'), query], { encoding: 'utf8' }).trim();
const userRow = (id) => JSON.parse(sql(`SELECT json_object('role', role, 'name', display_name, 'disabled', disabled) FROM users WHERE id = '${id}'`));
const audits = (action) => Number(sql(`SELECT count(*) FROM audit_log WHERE action = '${action}'`));

async function until(what, fn, ms = 5000 * SLOW) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) assert.fail(`no ${what} within ${ms} ms`);
    await sleep(25);
  }
}

test('an admin changes a role and a name; the audit record names the fields, not the values', async () => {
  const before = audits('user.update');
  const r = await ada.req('PATCH', `/api/v1/admin/users/${ids[BERT.email]}`, { body: { role: 'supervisor', display_name: 'Bert Jansen' } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.user, { id: ids[BERT.email], email: BERT.email, role: 'supervisor', display_name: 'Bert Jansen', disabled: false });
  assert.equal(r.json.sessions_ended, 0);
  assert.equal(r.json.conversations_released, 0);
  assert.deepEqual(userRow(ids[BERT.email]), { role: 'supervisor', name: 'Bert Jansen', disabled: 0 });
  const list = await ada.req('GET', '/api/v1/admin/users');
  assert.equal(list.json.users.find((u) => u.id === ids[BERT.email]).role, 'supervisor');
  assert.equal(audits('user.update'), before + 1);
  const detail = JSON.parse(sql("SELECT detail FROM audit_log WHERE action = 'user.update' ORDER BY id DESC LIMIT 1"));
  assert.deepEqual(detail, { user_id: ids[BERT.email], changed: ['role', 'display_name'] });
  // and back
  const back = await ada.req('PATCH', `/api/v1/admin/users/${ids[BERT.email]}`, { body: { role: 'agent' } });
  assert.equal(back.status, 200);
  assert.deepEqual(userRow(ids[BERT.email]), { role: 'agent', name: 'Bert Jansen', disabled: 0 });
});

test('a new role takes effect at once and closes the live stream; the session stays', async () => {
  const bert = await login(srv, BERT.email, BERT.password);
  assertError(await bert.req('GET', '/api/v1/admin/users'), 403, 'forbidden', 'an agent');
  const stream = await agentStream(srv, bert.cookie);
  assert.equal((await ada.req('PATCH', `/api/v1/admin/users/${ids[BERT.email]}`, { body: { role: 'admin' } })).status, 200);
  await stream.until((s) => s.closed, 'close after the role change');
  assert.equal((await bert.req('GET', '/api/v1/admin/users')).status, 200, 'an admin now, same session');
  assert.equal((await ada.req('PATCH', `/api/v1/admin/users/${ids[BERT.email]}`, { body: { role: 'agent' } })).status, 200);
  assertError(await bert.req('GET', '/api/v1/admin/users'), 403, 'forbidden', 'an agent again');
});

test('deactivating: sessions end, the stream closes, the conversations go back to the queue; activating lets them in again', async () => {
  const anna = await login(srv, ANNA.email, ANNA.password);
  const anna2 = await login(srv, ANNA.email, ANNA.password);
  const c = await createConversation(srv, { language: 'nl' });
  await postMessage(srv, c, 'Ik wil een medewerker spreken');
  await handoff(srv, c);
  assert.equal((await anna.req('POST', `/api/v1/agent/conversations/${c.id}/claim`)).status, 200);
  const stream = await agentStream(srv, anna.cookie);
  const seenBefore = (await getConversation(srv, c)).messages.length;

  const r = await ada.req('PATCH', `/api/v1/admin/users/${ids[ANNA.email]}`, { body: { disabled: true } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.user.disabled, true);
  assert.equal(r.json.sessions_ended, 2);
  assert.equal(r.json.conversations_released, 1);
  assertError(await anna.req('GET', '/api/v1/auth/me'), 401, 'unauthorized', 'her session');
  assertError(await anna2.req('GET', '/api/v1/auth/me'), 401, 'unauthorized', 'her other session');
  await stream.until((s) => s.closed, 'close after deactivation');
  const view = await ada.req('GET', `/api/v1/agent/conversations/${c.id}`);
  assert.equal(view.json.status, 'queued');
  assert.equal(view.json.assigned_to ?? '', '');
  const conv = await getConversation(srv, c);
  assert.equal(conv.status, 'queued');
  assert.ok(conv.messages.length > seenBefore, 'the customer is told');
  assert.ok((await ada.req('GET', '/api/v1/agent/queue')).json.conversations.some((q) => q.id === c.id));
  assert.ok(Number(sql(`SELECT count(*) FROM audit_log WHERE action = 'conversation.release' AND conversation_id = '${c.id}' AND actor = '${ids[ADA.email]}'`)) === 1);
  // not in the team list, cannot log in, cannot be assigned
  assert.ok(!(await ada.req('GET', '/api/v1/agent/users')).json.users.some((u) => u.id === ids[ANNA.email]));
  assertError(await api(srv, 'POST', '/api/v1/auth/login', { body: ANNA }), 401, 'unauthorized', 'login while deactivated');
  assertError(await ada.req('POST', `/api/v1/agent/conversations/${c.id}/assign`, { body: { user_id: ids[ANNA.email] } }), 400, 'invalid_field');

  const on = await ada.req('PATCH', `/api/v1/admin/users/${ids[ANNA.email]}`, { body: { disabled: false } });
  assert.equal(on.status, 200);
  assert.equal(on.json.user.disabled, false);
  assert.equal(on.json.sessions_ended, 0);
  await login(srv, ANNA.email, ANNA.password);
  const detail = JSON.parse(sql("SELECT detail FROM audit_log WHERE action = 'user.update' ORDER BY id DESC LIMIT 1"));
  assert.deepEqual(detail.changed, ['enabled']);
});

test('no change leaves the team without an active admin', async () => {
  const me = ids[ADA.email];
  assertError(await ada.req('PATCH', `/api/v1/admin/users/${me}`, { body: { role: 'supervisor' } }), 409, 'conflict', 'the last admin demotes herself');
  assertError(await ada.req('PATCH', `/api/v1/admin/users/${me}`, { body: { disabled: true } }), 409, 'conflict', 'the last admin deactivates herself');
  assertError(await ada.req('PATCH', `/api/v1/admin/users/${me}`, { body: { role: 'admin', disabled: true } }), 409, 'conflict', 'admin, but deactivated');
  assertError(await ada.req('PATCH', `/api/v1/admin/users/${me}`, { body: { role: 'agent', disabled: false, display_name: 'Ada' } }), 409, 'conflict', 'with other fields');
  assert.deepEqual(userRow(me), { role: 'admin', name: ADA.email, disabled: 0 });
  assert.equal((await ada.req('GET', '/api/v1/auth/me')).status, 200, 'still logged in');
  // with a second admin it may
  assert.equal((await ada.req('PATCH', `/api/v1/admin/users/${ids[SAM.email]}`, { body: { role: 'admin' } })).status, 200);
  assert.equal((await ada.req('PATCH', `/api/v1/admin/users/${me}`, { body: { role: 'supervisor' } })).status, 200);
  const sam = await login(srv, SAM.email, SAM.password);
  assertError(await sam.req('PATCH', `/api/v1/admin/users/${ids[SAM.email]}`, { body: { disabled: true } }), 409, 'conflict', 'now Sam is the last');
  assert.equal((await sam.req('PATCH', `/api/v1/admin/users/${me}`, { body: { role: 'admin' } })).status, 200);
  assert.equal((await ada.req('PATCH', `/api/v1/admin/users/${ids[SAM.email]}`, { body: { role: 'supervisor' } })).status, 200);
  assert.equal(userRow(me).role, 'admin');
});

test('bad requests get a 4xx naming the problem and change nothing', async () => {
  const bert = ids[BERT.email];
  const was = userRow(bert);
  const cases = [
    [{ role: 'root' }, 400, 'invalid_field', /role/],
    [{ disabled: 'yes' }, 400, 'invalid_field', /disabled/],
    [{ display_name: '' }, 400, ['invalid_field', 'missing_field'], /display_name/],
    [{ display_name: 'x'.repeat(201) }, 400, 'invalid_field', /display_name/],
    [{}, 400, 'invalid_body', /nothing to change/],
    ['{"role":', 400, 'invalid_json', /JSON/i],
  ];
  for (const [body, status, code, msg] of cases) {
    const r = await ada.req('PATCH', `/api/v1/admin/users/${bert}`, { body });
    assertError(r, status, code, JSON.stringify(body));
    assert.match(r.json.error.message, msg);
  }
  assertError(await ada.req('PATCH', '/api/v1/admin/users/u_nobody', { body: { role: 'agent' } }), 404, 'not_found');
  assertError(await ada.req('POST', '/api/v1/admin/users/u_nobody/password', { body: { password: 'lang-genoeg-123' } }), 404, 'not_found');
  assertError(await ada.req('POST', `/api/v1/admin/users/${bert}/password`, { body: { password: 'kort' } }), 400, 'invalid_field');
  const sam = await login(srv, SAM.email, SAM.password);
  assertError(await sam.req('PATCH', `/api/v1/admin/users/${bert}`, { body: { role: 'admin' } }), 403, 'forbidden', 'a supervisor');
  assertError(await sam.req('POST', `/api/v1/admin/users/${bert}/password`, { body: { password: 'lang-genoeg-123' } }), 403, 'forbidden');
  assertError(await api(srv, 'PATCH', `/api/v1/admin/users/${bert}`, { body: { role: 'admin' } }), 401, 'unauthorized', 'no session');
  assertError(await ada.req('PATCH', `/api/v1/admin/users/${bert}`, { body: { role: 'admin' }, headers: { Origin: 'https://evil.example' } }), 403, 'forbidden', 'another origin');
  assert.deepEqual(userRow(bert), was);
  await login(srv, BERT.email, BERT.password);
});

test('an admin sets a new password: the old one stops working, every session of the user ends', async () => {
  const bert = await login(srv, BERT.email, BERT.password);
  const stream = await agentStream(srv, bert.cookie);
  const had = Number(sql(`SELECT count(*) FROM sessions WHERE user_id = '${ids[BERT.email]}'`));
  assert.ok(had >= 1);
  const r = await ada.req('POST', `/api/v1/admin/users/${ids[BERT.email]}/password`, { body: { password: 'bert-zijn-nieuwe-wachtwoord' } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { user_id: ids[BERT.email], sessions_ended: had });
  assert.equal(Number(sql(`SELECT count(*) FROM sessions WHERE user_id = '${ids[BERT.email]}'`)), 0);
  assertError(await bert.req('GET', '/api/v1/auth/me'), 401, 'unauthorized');
  await stream.until((s) => s.closed, 'close after the reset');
  assertError(await api(srv, 'POST', '/api/v1/auth/login', { body: BERT }), 401, 'unauthorized', 'the old password');
  await login(srv, BERT.email, 'bert-zijn-nieuwe-wachtwoord');
  assert.equal(Number(sql(`SELECT count(*) FROM audit_log WHERE action = 'user.password_reset' AND actor = '${ids[ADA.email]}' AND detail = '${ids[BERT.email]}'`)), 1);
  assert.ok(!sql('SELECT detail FROM audit_log').includes('bert-zijn-nieuwe'), 'no password in the audit log');
  BERT.password = 'bert-zijn-nieuwe-wachtwoord';
});

test('an admin setting their own password keeps this session; the others and their streams end', async () => {
  const other = await login(srv, ADA.email, ADA.password);
  const otherStream = await agentStream(srv, other.cookie);
  const ownStream = await agentStream(srv, ada.cookie);
  const r = await ada.req('POST', `/api/v1/admin/users/${ids[ADA.email]}/password`, { body: { password: 'ada-haar-nieuwe-wachtwoord' } });
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.sessions_ended >= 1);
  assertError(await other.req('GET', '/api/v1/auth/me'), 401, 'unauthorized', 'her other session');
  await otherStream.until((s) => s.closed, 'close of the other stream');
  assert.equal((await ada.req('GET', '/api/v1/auth/me')).status, 200, 'this session');
  await sleep(100);
  assert.equal(ownStream.closed, false, "this session's stream stays");
  ownStream.ws.close();
  ADA.password = 'ada-haar-nieuwe-wachtwoord';
  await login(srv, ADA.email, ADA.password);
});

test('everyone changes their own password: wrong current one refused, the other sessions end, this one stays', async (t) => {
  const s2 = await startServer({ t, env: { LOKET_LIMIT_LOGIN_ACCOUNT_ADDRESS: '3' } });
  await addUser(s2.dataDir, ANNA.email, ANNA.password, 'agent');
  const here = await login(s2, ANNA.email, ANNA.password);
  const there = await login(s2, ANNA.email, ANNA.password);
  const hereStream = await agentStream(s2, here.cookie);
  const thereStream = await agentStream(s2, there.cookie);
  const change = (body) => here.req('POST', '/api/v1/auth/password', { body });
  let r = await change({ current_password: 'niet-mijn-wachtwoord', new_password: 'anna-haar-nieuwe-wachtwoord' });
  assertError(r, 400, 'invalid_field', 'a wrong current password');
  assert.match(r.json.error.message, /current_password/);
  assertError(await change({ current_password: ANNA.password, new_password: 'kort' }), 400, 'invalid_field', 'too short');
  assertError(await change({ new_password: 'anna-haar-nieuwe-wachtwoord' }), 400, 'missing_field', 'no current password');
  assertError(await api(s2, 'POST', '/api/v1/auth/password', { body: { current_password: ANNA.password, new_password: 'anna-haar-nieuwe-wachtwoord' } }), 401, 'unauthorized');
  await login(s2, ANNA.email, ANNA.password); // nothing changed so far

  r = await change({ current_password: ANNA.password, new_password: 'anna-haar-nieuwe-wachtwoord' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'ok');
  assert.equal(r.json.sessions_ended, 2, 'the other two sessions');
  assert.equal((await here.req('GET', '/api/v1/auth/me')).status, 200, 'this session stays');
  assertError(await there.req('GET', '/api/v1/auth/me'), 401, 'unauthorized', 'the other session');
  await thereStream.until((s) => s.closed, "the other session's stream to close");
  assertError(await api(s2, 'POST', '/api/v1/auth/login', { body: ANNA }), 401, 'unauthorized', 'the old password');
  await login(s2, ANNA.email, 'anna-haar-nieuwe-wachtwoord'); // a success wipes the account's failures
  assert.equal(hereStream.closed, false, "this session's stream stays");

  // wrong current passwords count like failed logins of the account from this address (limit 3)
  for (let i = 0; i < 3; i++)
    assertError(await change({ current_password: `fout-${i}-wachtwoord`, new_password: 'nog-een-nieuw-wachtwoord' }), 400, 'invalid_field');
  const limited = await change({ current_password: 'anna-haar-nieuwe-wachtwoord', new_password: 'nog-een-nieuw-wachtwoord' });
  assertError(limited, 429, 'too_many_requests', 'the fourth attempt');
  assert.ok(Number(limited.headers.get('retry-after')) > 0);
  assertError(await api(s2, 'POST', '/api/v1/auth/login', { body: { email: ANNA.email, password: 'anna-haar-nieuwe-wachtwoord' } }),
    429, 'too_many_requests', 'a login of the account too');
  assert.equal((await here.req('GET', '/api/v1/auth/me')).status, 200);
  const db = path.join(s2.dataDir, 'loket.db');
  assert.equal(Number(execFileSync('sqlite3', [db, "SELECT count(*) FROM audit_log WHERE action = 'auth.password'"], { encoding: 'utf8' })), 1);
  hereStream.ws.close();
});

test('a password hash with older argon2id parameters is made anew at the next login', async (t) => {
  const s2 = await startServer({ t });
  await addUser(s2.dataDir, ANNA.email, ANNA.password, 'agent');
  // "een-oud-wachtwoord" hashed by libsodium with 3 passes over 32 MiB
  const old = '$argon2id$v=19$m=32768,t=3,p=1$pCwUEPyKurtUvz7I01uVSQ$OWmW+Vi7ON54zNo2Z/FfwokJWvfjIu1hqNG3e8Vbxis';
  const db = path.join(s2.dataDir, 'loket.db');
  execFileSync('sqlite3', [db, `UPDATE users SET password_hash = '${old}'`]);
  assertError(await api(s2, 'POST', '/api/v1/auth/login', { body: { email: ANNA.email, password: 'een-ander-wachtwoord' } }), 401, 'unauthorized');
  assert.equal(execFileSync('sqlite3', [db, 'SELECT password_hash FROM users'], { encoding: 'utf8' }).trim(), old, 'a wrong password changes nothing');
  await login(s2, ANNA.email, 'een-oud-wachtwoord');
  const now = execFileSync('sqlite3', [db, 'SELECT password_hash FROM users'], { encoding: 'utf8' }).trim();
  assert.match(now, /^\$argon2id\$v=19\$m=65536,t=2,p=1\$/);
  await login(s2, ANNA.email, 'een-oud-wachtwoord'); // the new hash holds the same password
  assert.equal(execFileSync('sqlite3', [db, 'SELECT password_hash FROM users'], { encoding: 'utf8' }).trim(), now, 'made anew once');
  await until('the log line', () => /today's argon2id parameters/.test(s2.stderr()));
});

test('loket user password: a new password from the command line, the sessions end', async () => {
  const sam = await login(srv, SAM.email, SAM.password);
  const r = await runCli(['user', 'password', '--email', 'SAM@example.com', '--password-stdin', '--data', srv.dataDir], { input: 'sam-via-de-opdrachtregel\n' });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /sessions ended/);
  assert.equal(r.stdout, '', 'a password from stdin is not printed');
  assertError(await sam.req('GET', '/api/v1/auth/me'), 401, 'unauthorized');
  assertError(await api(srv, 'POST', '/api/v1/auth/login', { body: SAM }), 401, 'unauthorized');
  await login(srv, SAM.email, 'sam-via-de-opdrachtregel');
  // generated and printed once
  const g = await runCli(['user', 'password', '--email', SAM.email, '--data', srv.dataDir]);
  assert.equal(g.code, 0, g.stderr);
  const pw = /^password: (\S+)$/m.exec(g.stdout)?.[1];
  assert.ok(pw && pw.length >= 16, g.stdout);
  await login(srv, SAM.email, pw);
  // refusals
  const none = await runCli(['user', 'password', '--email', 'niemand@example.com', '--password-stdin', '--data', srv.dataDir], { input: 'lang-genoeg-wachtwoord\n' });
  assert.equal(none.code, 1);
  assert.match(none.stderr, /no user/);
  const short = await runCli(['user', 'password', '--email', SAM.email, '--password-stdin', '--data', srv.dataDir], { input: 'kort\n' });
  assert.equal(short.code, 1);
  assert.match(short.stderr, /at least 8/);
  const role = await runCli(['user', 'password', '--email', SAM.email, '--role', 'admin', '--data', srv.dataDir]);
  assert.equal(role.code, 1);
  await login(srv, SAM.email, pw);
});

test("sessions ended from the command line: the server's open streams of them close at the next tick", async (t) => {
  const s2 = await startServer({ t, env: { LOKET_TICK_MS: '1000' } });
  await addUser(s2.dataDir, ANNA.email, ANNA.password, 'agent');
  await addUser(s2.dataDir, BERT.email, BERT.password, 'agent');
  const anna = await login(s2, ANNA.email, ANNA.password);
  const bert = await login(s2, BERT.email, BERT.password);
  const annaStream = await agentStream(s2, anna.cookie);
  const bertStream = await agentStream(s2, bert.cookie);
  const r = await runCli(['user', 'password', '--email', ANNA.email, '--password-stdin', '--data', s2.dataDir], { input: 'anna-via-de-opdrachtregel\n' });
  assert.equal(r.code, 0, r.stderr);
  await annaStream.until((s) => s.closed, 'close within a tick or two', 5000 * SLOW);
  assertError(await anna.req('GET', '/api/v1/auth/me'), 401, 'unauthorized');
  await sleep(1500); // another tick: bert's session is valid, his stream stays
  assert.equal(bertStream.closed, false);
  assert.equal((await bert.req('GET', '/api/v1/auth/me')).status, 200);
  bertStream.ws.close();
});
