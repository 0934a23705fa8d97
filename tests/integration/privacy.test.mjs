// Personal data (issue 8, docs/privacy.md) over the real binary: a BSN typed
// by a customer reaches the agent (masked until revealed, issue 14) but not the server's log; an agent opening
// a conversation is audited; an admin's export holds the customer's records
// and nobody else's; erasure leaves no row (read back with the sqlite3 CLI)
// and its audit record holds no personal data; the retention purge through
// the CLI with --now deletes what is past retention and keeps the rest; the
// audit viewer filters and pages; the retention status shows the server's
// own purge; non-admins get 403, bad input 400.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  serverForFile, startServer, stopServer, api, assertError, addUser, login, createConversation, postMessage, handoff, runCli,
  sleep, SLOW, RFC3339_UTC, sqlite, eventuallyCount,
} from './helpers.mjs';

let srv;
const ADMIN = { email: 'ada@example.com', password: 'ada-beheert-de-loket-server' };
const AGENT = { email: 'bas@example.com', password: 'bas-helpt-de-klanten-graag' };
const LEAD = { email: 'cor@example.com', password: 'cor-leidt-het-team-al-jaren' };
const BSN = '123456782';
const IBAN = 'NL91ABNA0417164300';

// debug: as much log output as the server ever writes
serverForFile({ env: { LOKET_LOG_LEVEL: 'debug' } }, async (s) => {
  srv = s;
  await addUser(srv.dataDir, ADMIN.email, ADMIN.password, 'admin');
  await addUser(srv.dataDir, AGENT.email, AGENT.password, 'agent');
  await addUser(srv.dataDir, LEAD.email, LEAD.password, 'supervisor');
});

const db = () => path.join(srv.dataDir, 'loket.db');
// One query through the sqlite3 command line, on the live database file.
const sql = (q) => sqlite(srv.dataDir, q);
const count = (q) => Number(sql(q));
// Waits (polling the database) until the query gives a number >= want.
const eventually = (q, want, timeoutMs) => eventuallyCount(srv.dataDir, q, want, timeoutMs);

// A customer who gives the host page's e-mail and id, types personal data,
// and asks for a person.
async function customer(email, externalId, texts) {
  const c = await createConversation(srv, { language: 'nl', customer: { email, external_id: externalId } });
  for (const t of texts) await postMessage(srv, c, t);
  await handoff(srv, c);
  return c;
}

test('a BSN typed by a customer: the agent sees it, the log does not; the view is audited', async () => {
  const c = await customer('Klant.Een@Example.NL', 'ext-1', [`Mijn BSN is ${BSN} en mijn IBAN ${IBAN}`]);
  const agent = await login(srv, AGENT.email, AGENT.password);
  assert.equal((await agent.req('POST', `/api/v1/agent/conversations/${c.id}/claim`)).status, 200);
  const v = await agent.req('GET', `/api/v1/agent/conversations/${c.id}`);
  assert.equal(v.status, 200, v.text);
  // issue 14: the BSN masked until the agent reveals it (audited), the IBAN as typed
  const m = v.json.messages.find((x) => x.sender === 'customer' && x.masked);
  assert.ok(m && !m.text.includes(BSN) && m.text.includes('[bsn]') && m.text.includes(IBAN), JSON.stringify(m));
  const r = await agent.req('POST', `/api/v1/agent/conversations/${c.id}/messages/${m.id}/reveal`);
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.text.includes(BSN) && r.json.text.includes(IBAN), 'the agent handling the conversation sees the original');
  await eventually(`SELECT count(*) FROM audit_log WHERE action = 'conversation.view' AND conversation_id = '${c.id}' ` +
    `AND actor = '${agent.user.id}'`);
  const log = srv.stderr();
  assert.ok(log.length > 0);
  for (const s of [BSN, IBAN, 'klant.een@example.nl', 'Klant.Een@Example.NL']) assert.ok(!log.includes(s), `${s} in the log`);
});

test('export: every record of the customer, by e-mail or external id, and nobody else\'s; audited without the key', async () => {
  const c1 = await customer('jan@example.nl', 'ext-jan', [`Mijn BSN is ${BSN}`]);
  const c2 = await customer('jan@example.nl', null, ['Nog een vraag over mijn pakket']);
  const other = await customer('piet@example.nl', 'ext-piet', ['Ik ben iemand anders']);
  const admin = await login(srv, ADMIN.email, ADMIN.password);
  await admin.req('POST', `/api/v1/agent/conversations/${c1.id}/claim`);
  await admin.req('POST', `/api/v1/agent/conversations/${c1.id}/notes`, { body: { text: 'vaste klant' } });
  await admin.req('POST', `/api/v1/agent/conversations/${c1.id}/close`, { body: { disposition: 'resolved' } });
  await api(srv, 'POST', `/api/v1/conversations/${c1.id}/rating`, { token: c1.token, body: { score: 5, comment: 'top' } });

  const r = await admin.req('POST', '/api/v1/admin/privacy/export', { body: { email: 'JAN@example.nl' } });
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-disposition') || '', /attachment; filename="loket-export-pr_/);
  assert.equal(r.headers.get('cache-control'), 'no-store');
  const doc = r.json;
  assert.equal(doc.format, 'loket-privacy-export/1');
  assert.match(doc.generated_at, RFC3339_UTC);
  const ids = doc.conversations.map((c) => c.id).sort();
  assert.deepEqual(ids, [c1.id, c2.id].sort());
  assert.ok(!r.text.includes(other.id) && !r.text.includes('piet@example.nl'), 'nobody else');
  assert.ok(!r.text.includes('token_hash'), 'no secrets');
  const x1 = doc.conversations.find((c) => c.id === c1.id);
  assert.ok(x1.messages.some((m) => m.text.includes(BSN)), 'the customer\'s own words, unredacted');
  assert.equal(x1.rating, 5);
  assert.equal(x1.rating_comment, 'top');
  assert.equal(x1.notes.length, 1);
  assert.match(x1.created_at, RFC3339_UTC);
  assert.ok(x1.audit.some((a) => a.action === 'conversation.close'), JSON.stringify(x1.audit.map((a) => a.action)));
  assert.equal(doc.counts.conversations, 2);

  const byId = await admin.req('POST', '/api/v1/admin/privacy/export', { body: { external_id: 'ext-jan' } });
  assert.equal(byId.status, 200);
  assert.deepEqual(byId.json.conversations.map((c) => c.id), [c1.id]);

  const rec = sql("SELECT actor || '|' || detail FROM audit_log WHERE action = 'privacy.export' ORDER BY id DESC LIMIT 1");
  assert.ok(rec.startsWith(admin.user.id + '|'), rec);
  const detail = JSON.parse(rec.slice(rec.indexOf('|') + 1));
  assert.equal(detail.by, 'external_id');
  assert.match(detail.request_id, /^pr_/);
  assert.ok(!rec.includes('jan@') && !rec.includes('ext-jan'), `no personal data in the audit record: ${rec}`);
});

test('erase: nothing of the customer is left in the database, and the audit record names no one', async () => {
  const c1 = await customer('erase.me@example.nl', 'ext-erase', [`BSN ${BSN}, bel 06-12345678`]);
  const c2 = await customer(null, 'ext-erase', ['Tweede gesprek, Wilhelmina Vergeetmij']);
  const keep = await customer('blijf@example.nl', 'ext-keep', ['Ik blijf bewaard']);
  const agent = await login(srv, AGENT.email, AGENT.password);
  await agent.req('GET', `/api/v1/agent/conversations/${c1.id}`);
  await eventually(`SELECT count(*) FROM audit_log WHERE conversation_id = '${c1.id}' AND action = 'conversation.view'`);
  const admin = await login(srv, ADMIN.email, ADMIN.password);

  const noConfirm = await admin.req('POST', '/api/v1/admin/privacy/erase', { body: { email: 'erase.me@example.nl' } });
  assertError(noConfirm, 400, 'missing_field', 'erase without confirm');
  assert.equal(count(`SELECT count(*) FROM conversations WHERE id = '${c1.id}'`), 1, 'nothing erased yet');

  const r = await admin.req('POST', '/api/v1/admin/privacy/erase', {
    body: { email: 'Erase.Me@example.nl', external_id: 'ext-erase', confirm: true },
  });
  assert.equal(r.status, 200, r.text);
  assert.match(r.json.request_id, /^pr_/);
  assert.equal(r.json.erased.conversations, 2);
  assert.ok(r.json.erased.messages >= 4, JSON.stringify(r.json));

  const ids = `('${c1.id}', '${c2.id}')`;
  for (const t of ['conversations WHERE id', 'messages WHERE conversation_id', 'notes WHERE conversation_id',
    'callback_requests WHERE conversation_id', 'message_feedback WHERE conversation_id',
    'answer_reviews WHERE conversation_id', 'audit_log WHERE conversation_id']) {
    assert.equal(count(`SELECT count(*) FROM ${t} IN ${ids}`), 0, t);
  }
  const dump = execFileSync('sqlite3', [db(), '.dump'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  for (const s of ['erase.me@example.nl', 'ext-erase', 'Wilhelmina Vergeetmij', c1.id, c2.id]) {
    assert.ok(!dump.includes(s), `${s} is still in the database`);
  }
  assert.ok(dump.includes('Ik blijf bewaard') && dump.includes(keep.id), 'the other customer is kept');

  const rec = sql("SELECT actor || '|' || COALESCE(conversation_id, '') || '|' || detail FROM audit_log " +
    "WHERE action = 'privacy.erase' ORDER BY id DESC LIMIT 1");
  const [actor, conv, detail] = rec.split('|');
  assert.equal(actor, admin.user.id);
  assert.equal(conv, '');
  const d = JSON.parse(detail);
  assert.equal(d.request_id, r.json.request_id);
  assert.equal(d.conversations, 2);
  assert.ok(!rec.includes('erase.me') && !rec.includes('ext-erase'), rec);

  // the agent's view of an erased conversation is simply gone
  assertError(await agent.req('GET', `/api/v1/agent/conversations/${c1.id}`), 404, 'not_found');
});

test('purge through the CLI with --now: past retention goes, newer stays; --dry-run only counts', async () => {
  const old = await customer('oud@example.nl', null, ['Een oude vraag']);
  const recent = await customer('nieuw@example.nl', null, ['Een nieuwere vraag']);
  const open = await customer('open@example.nl', null, ['Nog open']);
  const admin = await login(srv, ADMIN.email, ADMIN.password);
  for (const c of [old, recent]) {
    await admin.req('POST', `/api/v1/agent/conversations/${c.id}/claim`);
    const r = await admin.req('POST', `/api/v1/agent/conversations/${c.id}/close`, { body: { disposition: 'resolved' } });
    assert.equal(r.status, 200, r.text);
  }
  // the old one closed 30 days earlier than it did
  sql(`UPDATE conversations SET closed_at = closed_at - ${30 * 86400000} WHERE id = '${old.id}'`);
  // seen from 70 days ahead: the old one is 100 days closed, the recent one 70
  const now = new Date(Date.now() + 70 * 86400000).toISOString();

  const dry = await runCli(['privacy', 'purge', '--now', now, '--dry-run', '--data', srv.dataDir]);
  assert.equal(dry.code, 0, dry.stderr);
  const dj = JSON.parse(dry.stdout);
  assert.equal(dj.dry_run, true);
  assert.ok(dj.would_delete.conversations >= 1, dry.stdout);
  assert.equal(count(`SELECT count(*) FROM conversations WHERE id = '${old.id}'`), 1, 'a dry run deletes nothing');

  const r = await runCli(['privacy', 'purge', '--now', now, '--data', srv.dataDir]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.dry_run, false);
  assert.deepEqual(j.deleted, dj.would_delete, 'the dry run foresaw it');
  assert.equal(count(`SELECT count(*) FROM conversations WHERE id = '${old.id}'`), 0);
  assert.equal(count(`SELECT count(*) FROM messages WHERE conversation_id = '${old.id}'`), 0);
  assert.equal(count(`SELECT count(*) FROM conversations WHERE id IN ('${recent.id}', '${open.id}')`), 2);
  assert.ok(count(`SELECT count(*) FROM messages WHERE conversation_id = '${recent.id}'`) > 0);
  const rec = sql("SELECT actor || '|' || detail FROM audit_log WHERE action = 'privacy.purge' AND actor = 'cli' " +
    'ORDER BY id DESC LIMIT 1');
  assert.ok(rec.startsWith('cli|'), rec);
  assert.equal(JSON.parse(rec.slice(4)).conversations, j.deleted.conversations);

  // a shorter retention from the command line takes the recent one too
  const r2 = await runCli(['privacy', 'purge', '--now', now, '--retention_days', '60', '--data', srv.dataDir]);
  assert.equal(r2.code, 0, r2.stderr);
  assert.equal(count(`SELECT count(*) FROM conversations WHERE id = '${recent.id}'`), 0);
  assert.equal(count(`SELECT count(*) FROM conversations WHERE id = '${open.id}'`), 1, 'open ones are never purged');

  const bad = await runCli(['privacy', 'purge', '--now', 'yesterday', '--data', srv.dataDir]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--now/);
});

test('the server purges by itself at start: a conversation closed long ago goes, with its audit record', async (t) => {
  const first = await startServer({ t });
  await addUser(first.dataDir, ADMIN.email, ADMIN.password, 'admin');
  const mk = async (text) => {
    const c = await createConversation(first, { language: 'nl' });
    await postMessage(first, c, text);
    await handoff(first, c);
    return c;
  };
  const old = await mk('Lang geleden gesloten');
  const fresh = await mk('Net gesloten');
  const admin = await login(first, ADMIN.email, ADMIN.password);
  for (const c of [old, fresh]) {
    await admin.req('POST', `/api/v1/agent/conversations/${c.id}/claim`);
    assert.equal((await admin.req('POST', `/api/v1/agent/conversations/${c.id}/close`, { body: { disposition: 'resolved' } })).status, 200);
  }
  await stopServer(first);
  const q = (query) => Number(execFileSync('sqlite3', [path.join(first.dataDir, 'loket.db'), query], { encoding: 'utf8' }).trim());
  execFileSync('sqlite3', [path.join(first.dataDir, 'loket.db'),
    `UPDATE conversations SET closed_at = closed_at - ${100 * 86400000} WHERE id = '${old.id}'`]);
  const before = q("SELECT count(*) FROM audit_log WHERE action = 'privacy.purge'");

  const again = await startServer({ dataDir: first.dataDir, t });
  const deadline = Date.now() + 10000 * SLOW;
  while (q("SELECT count(*) FROM audit_log WHERE action = 'privacy.purge'") <= before) {
    if (Date.now() > deadline) assert.fail('no purge after the start');
    await sleep(25);
  }
  assert.equal(q(`SELECT count(*) FROM conversations WHERE id = '${old.id}'`), 0);
  assert.equal(q(`SELECT count(*) FROM messages WHERE conversation_id = '${old.id}'`), 0);
  assert.equal(q(`SELECT count(*) FROM conversations WHERE id = '${fresh.id}'`), 1);
  const detail = JSON.parse(execFileSync('sqlite3', [path.join(first.dataDir, 'loket.db'),
    "SELECT detail FROM audit_log WHERE action = 'privacy.purge' AND actor = 'system' ORDER BY id DESC LIMIT 1"],
  { encoding: 'utf8' }));
  assert.equal(detail.conversations, 1);
  assert.ok(detail.messages >= 2);
  // the log line follows the commit (the job's done step), so it may come a moment later
  while (!/retention purge: 1 conversations/.test(again.stderr())) {
    if (Date.now() > deadline) assert.fail(`no purge log line after the start:\n${again.stderr()}`);
    await sleep(25);
  }
  await stopServer(again);
});

test('CLI export writes a private file; erase wants --yes', async () => {
  const c = await customer('cli@example.nl', 'ext-cli', ['Via de opdrachtregel']);
  const file = path.join(path.dirname(srv.dataDir), 'export.json');
  const r = await runCli(['privacy', 'export', '--email', 'cli@example.nl', '--out', file, '--data', srv.dataDir]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  assert.deepEqual(doc.conversations.map((x) => x.id), [c.id]);

  const no = await runCli(['privacy', 'erase', '--external-id', 'ext-cli', '--data', srv.dataDir]);
  assert.equal(no.code, 1);
  assert.match(no.stderr, /--yes/);
  assert.equal(count(`SELECT count(*) FROM conversations WHERE id = '${c.id}'`), 1);
  const yes = await runCli(['privacy', 'erase', '--external-id', 'ext-cli', '--yes', '--data', srv.dataDir]);
  assert.equal(yes.code, 0, yes.stderr);
  assert.equal(JSON.parse(yes.stdout).erased.conversations, 1);
  assert.equal(count(`SELECT count(*) FROM conversations WHERE id = '${c.id}'`), 0);
  assert.equal(count("SELECT count(*) FROM audit_log WHERE action = 'privacy.erase' AND actor = 'cli'"), 1);

  for (const args of [['privacy'], ['privacy', 'shred'], ['privacy', 'export'], ['privacy', 'export', '--email', 'geen-adres'],
    ['privacy', 'purge', '--email', 'x@example.nl']]) {
    const u = await runCli([...args, '--data', srv.dataDir]);
    assert.equal(u.code, 1, `${args.join(' ')}: ${u.stderr}`);
    assert.match(u.stderr, /^loket: /);
  }
});

test('the audit viewer: newest first, filters, paging, actor names; reading it is audited', async () => {
  const admin = await login(srv, ADMIN.email, ADMIN.password);
  const agent = await login(srv, AGENT.email, AGENT.password);
  const c = await customer('audit@example.nl', null, ['Voor het logboek']);
  await agent.req('GET', `/api/v1/agent/conversations/${c.id}`);
  await eventually(`SELECT count(*) FROM audit_log WHERE conversation_id = '${c.id}' AND action = 'conversation.view'`);

  const all = await admin.req('GET', '/api/v1/admin/audit?limit=5');
  assert.equal(all.status, 200, all.text);
  assert.equal(all.json.records.length, 5);
  for (let i = 1; i < 5; i++) assert.ok(all.json.records[i].id < all.json.records[i - 1].id, 'newest first');
  assert.equal(typeof all.json.next_before, 'number');
  const page2 = await admin.req('GET', `/api/v1/admin/audit?limit=5&before=${all.json.next_before}`);
  assert.ok(page2.json.records.every((x) => x.id < all.json.next_before));

  const views = await admin.req('GET', `/api/v1/admin/audit?action=conversation.view&conversation_id=${c.id}`);
  assert.equal(views.json.records.length, 1);
  const v = views.json.records[0];
  assert.equal(v.actor, agent.user.id);
  assert.equal(v.actor_name, AGENT.email);
  assert.match(v.at, RFC3339_UTC);
  assert.equal(views.json.next_before, null);

  const byActor = await admin.req('GET', `/api/v1/admin/audit?actor=${encodeURIComponent(AGENT.email)}&action=conversation.`);
  assert.ok(byActor.json.records.length >= 1);
  assert.ok(byActor.json.records.every((x) => x.actor === agent.user.id && x.action.startsWith('conversation.')));

  const future = new Date(Date.now() + 86400000).toISOString();
  const none = await admin.req('GET', `/api/v1/admin/audit?from=${encodeURIComponent(future)}`);
  assert.equal(none.json.records.length, 0);
  const reads = await admin.req('GET', '/api/v1/admin/audit?action=audit.read&limit=1');
  assert.equal(reads.json.records[0].actor, admin.user.id);
  assert.equal(reads.json.records[0].detail.filters, 'from');
});

test('retention status: the options and the purge the server ran at start', async () => {
  const admin = await login(srv, ADMIN.email, ADMIN.password);
  await eventually("SELECT count(*) FROM audit_log WHERE action = 'privacy.purge' AND actor = 'system'");
  const r = await admin.req('GET', '/api/v1/admin/privacy/retention');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.retention_days, 90);
  assert.equal(r.json.callback_retention_days, 90);
  assert.equal(r.json.audit_retention_days, 730);
  assert.equal(r.json.purge_interval_s, 3600);
  assert.ok(r.json.last_purge, JSON.stringify(r.json));
  assert.match(r.json.last_purge.at, RFC3339_UTC);
  assert.equal(typeof r.json.last_purge.deleted.conversations, 'number');
  assert.equal(typeof r.json.due.conversations, 'number');
});

test('only admins: agents and supervisors get 403, no session 401', async () => {
  const agent = await login(srv, AGENT.email, AGENT.password);
  const lead = await login(srv, LEAD.email, LEAD.password);
  const calls = [
    ['POST', '/api/v1/admin/privacy/export', { email: 'jan@example.nl' }],
    ['POST', '/api/v1/admin/privacy/erase', { email: 'jan@example.nl', confirm: true }],
    ['GET', '/api/v1/admin/privacy/retention'],
    ['GET', '/api/v1/admin/audit'],
  ];
  for (const [method, p, body] of calls) {
    assertError(await agent.req(method, p, body ? { body } : {}), 403, 'forbidden', `${method} ${p} as agent`);
    assertError(await lead.req(method, p, body ? { body } : {}), 403, 'forbidden', `${method} ${p} as supervisor`);
    assertError(await api(srv, method, p, body ? { body } : {}), 401, 'unauthorized', `${method} ${p} without session`);
  }
  assert.equal(count("SELECT count(*) FROM audit_log WHERE action IN ('privacy.export', 'privacy.erase') " +
    `AND actor IN ('${agent.user.id}', '${lead.user.id}')`), 0, 'refused requests leave no trace of having run');
});

test('bad input gets 400 naming the problem', async () => {
  const admin = await login(srv, ADMIN.email, ADMIN.password);
  const post = (p, body) => admin.req('POST', p, { body });
  assertError(await post('/api/v1/admin/privacy/export', {}), 400, 'missing_field');
  assertError(await post('/api/v1/admin/privacy/export', { email: 'geen-adres' }), 400, 'invalid_field');
  assertError(await post('/api/v1/admin/privacy/export', { email: 42 }), 400, 'invalid_field');
  assertError(await post('/api/v1/admin/privacy/export', { external_id: 'x'.repeat(129) }), 400, 'invalid_field');
  assertError(await post('/api/v1/admin/privacy/export', '{"email":'), 400, 'invalid_json');
  assertError(await post('/api/v1/admin/privacy/erase', { email: 'a@b.nl', confirm: 'yes' }), 400, 'invalid_field');
  for (const q of ['from=gisteren', 'to=2026-13-01', 'limit=0', 'limit=501', 'before=-1', 'action=DROP%20TABLE',
    'from=2026-02-01&to=2026-01-01']) {
    assertError(await admin.req('GET', `/api/v1/admin/audit?${q}`), 400, 'invalid_field', q);
  }
  const long = await admin.req('GET', `/api/v1/admin/audit?actor=${'x'.repeat(255)}`);
  assertError(long, 400, 'invalid_field');
  assert.equal(long.json.error.message, 'the parameter "actor" must be valid UTF-8 of at most 254 bytes');
  const badInt = await admin.req('GET', '/api/v1/admin/audit?limit=1x');
  assert.equal(badInt.json.error.message, 'the parameter "limit" must be a whole number from 1 to 500');
  // a state-changing request from another site is refused
  const cross = await admin.req('POST', '/api/v1/admin/privacy/erase', {
    body: { email: 'a@b.nl', confirm: true }, headers: { Origin: 'https://evil.example' },
  });
  assert.equal(cross.status, 403);
});
