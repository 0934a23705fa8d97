// The command line of CONTRACT.md: help and --version, usage errors (exit 1
// with one line on stderr that names the problem), `kb export` of the demo
// knowledge base (valid KB JSON), `kb import` (upsert, --replace, and a bad
// file that names the article and the field, exits 1 and changes nothing),
// `user add` errors, the data directory created on demand, the demo on the
// first serve of a database that never had a knowledge base (whoever created
// it) and `kb demo`, warnings at start (empty knowledge base, no business
// hours), `--help` after every command, and the environment variables that
// flags override.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { runCli, startServer, stopServer, exportKb, freshDataDir, tmpDataDir, api, SLOW } from './helpers.mjs';

let demo; // a data directory that `serve` created, so it holds the demo KB
let demoKb;
let tmp;

before(async () => {
  const s = await startServer();
  await stopServer(s);
  demo = s.dataDir;
  tmp = s.cleanup;
  demoKb = (await exportKb(demo)).kb;
});

after(() => tmp && tmp());

function assertOneLineError(r, code, mentions, what) {
  assert.equal(r.signal, null, `${what}: died of ${r.signal}`);
  assert.equal(r.code, code, `${what}: exit ${r.code}, stderr: ${r.stderr}`);
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  assert.equal(lines.length, 1, `${what}: one line on stderr, got:\n${r.stderr}`);
  for (const m of mentions) assert.ok(lines[0].toLowerCase().includes(m.toLowerCase()), `${what}: "${lines[0]}" does not name ${m}`);
}

let fileNo = 0;
function writeTmp(content) {
  const p = path.join(path.dirname(demo), `kb-${fileNo++}.json`);
  writeFileSync(p, content);
  return p;
}

const byId = (kb) => Object.fromEntries(kb.articles.map((a) => [a.id, a]));

test('help and --version', async () => {
  const h = await runCli(['help']);
  assert.equal(h.code, 0, h.stderr);
  for (const cmd of ['serve', 'kb import', 'kb export', 'user add', 'eval']) assert.ok(h.stdout.includes(cmd), `help mentions ${cmd}`);
  const hs = await runCli(['help', 'serve']);
  assert.equal(hs.code, 0, hs.stderr);
  assert.match(hs.stdout, /--listen/);
  assert.match(hs.stdout, /--data/);
  const hk = await runCli(['help', 'kb']);
  assert.equal(hk.code, 0, hk.stderr);
  assert.match(hk.stdout, /--replace/);
  const v = await runCli(['--version']);
  assert.equal(v.code, 0, v.stderr);
  assert.match(v.stdout.trim(), /^(loket )?v?\d+\.\d+\.\d+\S*$/, `one line with the version: ${v.stdout}`);
});

test('usage errors exit 1 with one line on stderr that names the problem', async (t) => {
  const d = tmpDataDir(t);
  const cases = [
    [['frobnicate'], ['frobnicate']],
    [['help', 'frobnicate'], ['frobnicate']],
    [['serve', '--bogus'], ['--bogus']],
    [['serve', '--listen'], ['--listen']],
    [['serve', '--listen', 'nonsense', '--data', d.dir], ['listen']],
    [['serve', '--listen', '127.0.0.1:99999', '--data', d.dir], ['listen']],
    [['kb'], ['kb']],
    [['kb', 'import', '--data', d.dir], ['file']],
    [['kb', 'import', path.join(d.root, 'no-such-file.json'), '--data', d.dir], ['no-such-file.json']],
    [['kb', 'export', '--data'], ['--data']],
    [['kb', 'frobnicate'], ['frobnicate']],
    [['user', 'add', '--role', 'agent', '--password-stdin', '--data', d.dir], ['email']],
    [['user', 'add', '--email', 'x@example.com', '--password-stdin', '--data', d.dir], ['role']],
    [['user', 'add', '--email', 'x@example.com', '--role', 'king', '--password-stdin', '--data', d.dir], ['role']],
    [['eval', '--train'], ['--train']],
  ];
  for (const [args, mentions] of cases) {
    const r = await runCli(args, { timeoutMs: 15000 * SLOW });
    assertOneLineError(r, 1, mentions, `loket ${args.join(' ')}`);
  }
});

test('kb export of the demo is valid KB JSON', async () => {
  const { text } = await exportKb(demo);
  const kb = JSON.parse(text);
  assert.deepEqual(Object.keys(kb), ['articles']);
  const ids = new Set();
  for (const a of kb.articles) {
    const what = `article ${a.id}`;
    assert.match(a.id, /^[A-Za-z0-9._-]+$/, what);
    assert.ok(!ids.has(a.id), `${what}: ids are unique`);
    ids.add(a.id);
    assert.match(a.language, /^[a-z]{2,3}$/, what);
    assert.equal(typeof a.title, 'string');
    assert.ok(a.title.trim().length > 0, `${what}: title`);
    assert.ok(Array.isArray(a.questions) && a.questions.length >= 1, `${what}: questions`);
    for (const q of a.questions) assert.ok(typeof q === 'string' && q.trim().length > 0, `${what}: question ${q}`);
    assert.ok(typeof a.answer === 'string' && a.answer.trim().length > 0, `${what}: answer`);
    if ('url' in a) assert.match(a.url, /^https?:\/\//, `${what}: url`);
    if ('tags' in a) assert.ok(Array.isArray(a.tags) && a.tags.every((t) => typeof t === 'string'), `${what}: tags`);
    for (const k of Object.keys(a)) assert.ok(['id', 'language', 'title', 'questions', 'answer', 'url', 'tags'].includes(k), `${what}: unknown field ${k}`);
  }
  const nl = kb.articles.filter((a) => a.language === 'nl');
  const en = kb.articles.filter((a) => a.language === 'en');
  assert.ok(nl.length >= 40, `at least 40 Dutch articles, got ${nl.length}`);
  assert.ok(en.length >= 10, `at least 10 English articles, got ${en.length}`);
  assert.ok(nl.filter((a) => a.questions.length >= 3).length >= 30, 'several example questions per article');
});

test('kb export | kb import round-trips into a fresh data directory', async (t) => {
  const d = tmpDataDir(t);
  const file = writeTmp((await exportKb(demo)).text);
  const r = await runCli(['kb', 'import', file, '--data', d.dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(byId((await exportKb(d.dir)).kb), byId(demoKb));
});

test('kb import of a bad file names the article and the field, exits 1 and changes nothing', async () => {
  const before = (await exportKb(demo)).text;
  const victim = demoKb.articles[5];
  const newcomer = { id: 'nieuw-artikel', language: 'nl', title: 'Nieuw', questions: ['Is dit nieuw?'], answer: 'Ja.' };
  const withVictim = (change) => {
    const a = structuredClone(victim);
    change(a);
    return JSON.stringify({ articles: [newcomer, a] });
  };
  const cases = [
    ['no answer', withVictim((a) => delete a.answer), [victim.id, 'answer']],
    ['an empty answer', withVictim((a) => (a.answer = '')), [victim.id, 'answer']],
    ['no questions', withVictim((a) => delete a.questions), [victim.id, 'questions']],
    ['an empty questions list', withVictim((a) => (a.questions = [])), [victim.id, 'questions']],
    ['a question that is a number', withVictim((a) => (a.questions = ['Goed?', 5])), [victim.id, 'questions']],
    ['an empty question', withVictim((a) => (a.questions = ['Goed?', ''])), [victim.id, 'questions']],
    ['no title', withVictim((a) => delete a.title), [victim.id, 'title']],
    ['a title that is a number', withVictim((a) => (a.title = 5)), [victim.id, 'title']],
    ['no language', withVictim((a) => delete a.language), [victim.id, 'language']],
    ['a language that is no BCP 47 tag', withVictim((a) => (a.language = 'Nederlands')), [victim.id, 'language']],
    ['a url that is a number', withVictim((a) => (a.url = 5)), [victim.id, 'url']],
    ['a url that is no URL', withVictim((a) => (a.url = 'javascript:alert(1)')), [victim.id, 'url']],
    ['tags that are a string', withVictim((a) => (a.tags = 'retour')), [victim.id, 'tags']],
    ['an id that is a number', withVictim((a) => (a.id = 5)), ['id']],
    ['no id', withVictim((a) => delete a.id), ['id']],
    ['a duplicate id', JSON.stringify({ articles: [newcomer, victim, { ...victim, title: 'Twee keer' }] }), [victim.id, 'id']],
  ];
  for (const [name, content, mentions] of cases) {
    const r = await runCli(['kb', 'import', writeTmp(content), '--data', demo]);
    assertOneLineError(r, 1, mentions, `import with ${name}`);
    assert.equal((await exportKb(demo)).text, before, `import with ${name} changed the knowledge base`);
  }
  const whole = [
    ['not JSON', '{"articles": ['],
    ['no articles array', '{"articles": 5}'],
    ['an array at the top', '[]'],
    ['an article that is a string', JSON.stringify({ articles: [newcomer, 'hallo'] })],
    ['invalid UTF-8', Buffer.concat([Buffer.from(JSON.stringify({ articles: [newcomer] }).slice(0, -4)), Buffer.from([0xff, 0xfe]), Buffer.from('"}]}')])],
    ['an empty file', ''],
  ];
  for (const [name, content] of whole) {
    const r = await runCli(['kb', 'import', writeTmp(content), '--data', demo]);
    assertOneLineError(r, 1, [], `import of ${name}`);
    assert.equal((await exportKb(demo)).text, before, `import of ${name} changed the knowledge base`);
  }
  // --replace with a bad file removes nothing either.
  const r = await runCli(['kb', 'import', writeTmp(withVictim((a) => delete a.answer)), '--replace', '--data', demo]);
  assertOneLineError(r, 1, [victim.id, 'answer'], 'import --replace of a bad file');
  assert.equal((await exportKb(demo)).text, before, 'import --replace of a bad file changed the knowledge base');
});

test('kb import upserts by id; --replace also removes what is not in the file', async (t) => {
  const d = tmpDataDir(t);
  const seed = writeTmp(JSON.stringify(demoKb));
  assert.equal((await runCli(['kb', 'import', seed, '--data', d.dir])).code, 0);
  const changed = { ...demoKb.articles[0], answer: 'Een nieuw antwoord, bijgewerkt door de test.' };
  const added = { id: 'cadeaubon-test', language: 'nl', title: 'Cadeaubon', questions: ['Verkopen jullie cadeaubonnen?', 'Kan ik een cadeaubon kopen?'], answer: 'Ja, vanaf 10 euro.', url: 'https://example.com/cadeaubon', tags: ['cadeau'] };
  const file = writeTmp(JSON.stringify({ articles: [changed, added] }));
  const r = await runCli(['kb', 'import', file, '--data', d.dir]);
  assert.equal(r.code, 0, r.stderr);
  const after1 = byId((await exportKb(d.dir)).kb);
  assert.equal(Object.keys(after1).length, demoKb.articles.length + 1, 'upsert keeps the others');
  assert.deepEqual(after1[changed.id], changed);
  assert.deepEqual(after1[added.id], added);
  assert.deepEqual(after1[demoKb.articles[1].id], demoKb.articles[1]);

  const r2 = await runCli(['kb', 'import', file, '--replace', '--data', d.dir]);
  assert.equal(r2.code, 0, r2.stderr);
  assert.deepEqual(byId((await exportKb(d.dir)).kb), { [changed.id]: changed, [added.id]: added });

  // Importing the same file again changes nothing.
  const before = (await exportKb(d.dir)).text;
  assert.equal((await runCli(['kb', 'import', file, '--data', d.dir])).code, 0);
  assert.equal((await exportKb(d.dir)).text, before);
});

test('every command creates the data directory; serve loads the demo into a database that never had a knowledge base', async (t) => {
  const d = tmpDataDir(t);
  assert.ok(!existsSync(d.dir));
  const e = await exportKb(d.dir);
  assert.ok(statSync(d.dir).isDirectory(), 'kb export created the data directory');
  assert.deepEqual(e.kb, { articles: [] }, 'a database that kb export created has no articles');
  // kb export created the database, but no knowledge base was ever put in it
  const s = await startServer({ dataDir: d.dir });
  await stopServer(s);
  assert.deepEqual((await exportKb(d.dir)).kb, demoKb, 'serve did not load the demo into a database without a knowledge base');
});

test('user add before the first serve: the demo still loads, and the bot answers', async (t) => {
  const u = tmpDataDir(t);
  const r = await runCli(['user', 'add', '--email', 'a@example.com', '--role', 'admin', '--password-stdin', '--data', u.dir], { input: 'een goed wachtwoord\n' });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(statSync(u.dir).isDirectory(), 'user add created the data directory');
  const s = await startServer({ dataDir: u.dir });
  try {
    assert.match(s.stderr(), /loaded the demo knowledge base/, 'the log says the demo was loaded');
    assert.doesNotMatch(s.stderr(), /bot ready: 0 articles/);
    assert.doesNotMatch(s.stderr(), /knowledge base is empty/);
    const c = await api(s, 'POST', '/api/v1/conversations', { body: { language: 'nl' } });
    assert.equal(c.status, 201);
    const m = await api(s, 'POST', `/api/v1/conversations/${c.json.id}/messages`, {
      token: c.json.token,
      body: { text: 'Hoe kan ik iets retourneren?' },
    });
    assert.equal(m.status, 201);
    const bot = m.json.messages.find((x) => x.sender === 'bot');
    assert.ok(bot && bot.article_id, `the bot answered from the demo: ${JSON.stringify(m.json.messages)}`);
    assert.equal(m.json.conversation.status, 'bot');
  } finally {
    await stopServer(s);
  }
  // a second serve finds a knowledge base and loads nothing
  const again = await startServer({ dataDir: u.dir });
  await stopServer(again);
  assert.doesNotMatch(again.stderr(), /loaded the demo/);
  assert.deepEqual((await exportKb(u.dir)).kb, demoKb);
});

test('a database that had a knowledge base keeps it, even empty, and an empty one is a warning at start', async (t) => {
  const d = tmpDataDir(t);
  const r = await runCli(['kb', 'import', writeTmp('{"articles": []}'), '--data', d.dir]);
  assert.equal(r.code, 0, r.stderr);
  const s = await startServer({ dataDir: d.dir });
  await stopServer(s);
  assert.deepEqual((await exportKb(d.dir)).kb, { articles: [] }, 'serve loaded the demo over an imported knowledge base');
  const warn = s
    .stderr()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l))
    .find((l) => l.level === 'warn' && /knowledge base is empty/.test(l.msg));
  assert.ok(warn, `no warning about the empty knowledge base:\n${s.stderr()}`);
  assert.match(warn.msg, /loket kb demo/, 'the warning says what to do');
  assert.match(warn.msg, /kb import/);
});

test('a running server warns when its knowledge base becomes empty', async () => {
  const s = await startServer({ env: { LOKET_KB_POLL_MS: '200' } });
  try {
    assert.doesNotMatch(s.stderr(), /knowledge base is empty/);
    const r = await runCli(['kb', 'import', '--replace', writeTmp('{"articles": []}'), '--data', s.dataDir]);
    assert.equal(r.code, 0, r.stderr);
    const deadline = Date.now() + 5000 * SLOW;
    while (!/"level":"warn"[^\n]*knowledge base is empty/.test(s.stderr()) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
    assert.match(s.stderr(), /"level":"warn"[^\n]*knowledge base is empty/, 'no warning after the reload');
  } finally {
    await stopServer(s);
    s.cleanup();
  }
});

test('kb demo loads the demo on request: adds and restores demo articles, deletes nothing', async (t) => {
  const d = tmpDataDir(t);
  const own = { id: 'eigen-artikel', language: 'nl', title: 'Ons eigen artikel', questions: ['Hebben jullie een eigen artikel?'], answer: 'Ja, dit is ons eigen artikel.' };
  const contact = { ...byId(demoKb).contact, answer: 'Wij zijn er altijd.' };
  const imp = await runCli(['kb', 'import', writeTmp(JSON.stringify({ articles: [own, contact] })), '--data', d.dir]);
  assert.equal(imp.code, 0, imp.stderr);
  const r = await runCli(['kb', 'demo', '--data', d.dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /loaded the demo knowledge base/);
  const after = byId((await exportKb(d.dir)).kb);
  assert.deepEqual(after['eigen-artikel'], own, 'kb demo touched an article of the company');
  for (const a of demoKb.articles) assert.deepEqual(after[a.id], a, `demo article ${a.id} after kb demo`);
  assert.equal(Object.keys(after).length, demoKb.articles.length + 1);
  // once more: nothing changes
  const again = await runCli(['kb', 'demo', '--data', d.dir]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /0 new, 0 changed/);
  assertOneLineError(await runCli(['kb', 'demo', 'extra', '--data', d.dir]), 1, ['extra'], 'kb demo with an argument');
  // into a new data directory: the whole demo
  const n = freshDataDir();
  try {
    const r2 = await runCli(['kb', 'demo', '--data', n.dir]);
    assert.equal(r2.code, 0, r2.stderr);
    assert.deepEqual((await exportKb(n.dir)).kb, demoKb);
  } finally {
    n.cleanup();
  }
});

test('--help after any command or subcommand prints its help and exits 0', async () => {
  const cases = [
    [['serve', '--help'], /loket serve/, /--listen/],
    [['serve', '-h'], /loket serve/, /--listen/],
    [['serve', '--listen', '127.0.0.1:0', '--help'], /loket serve/, /business_hours/],
    [['kb', '--help'], /loket kb import/, /kb demo/],
    [['kb', 'import', '--help'], /loket kb import/, /--replace/],
    [['kb', 'export', '--help'], /loket kb export/, /--format/],
    [['kb', 'demo', '--help'], /loket kb demo/, /demo/],
    [['user', '--help'], /loket user add/, /--password-stdin/],
    [['user', 'add', '--help'], /loket user add/, /--role/],
    [['user', 'password', '--help'], /loket user password/, /--email/],
    [['privacy', '--help'], /loket privacy export/, /erase/],
    [['privacy', 'export', '--help'], /loket privacy export/, /--out/],
    [['privacy', 'erase', '--help'], /loket privacy erase/, /--yes/],
    [['privacy', 'purge', '--help'], /loket privacy purge/, /--dry-run/],
    [['eval', '--help'], /loket eval/, /--train/],
  ];
  for (const [args, a, b] of cases) {
    const r = await runCli(args);
    const what = `loket ${args.join(' ')}`;
    assert.equal(r.code, 0, `${what}: exit ${r.code}, stderr: ${r.stderr}`);
    assert.match(r.stdout, a, `${what} prints that command's help`);
    assert.match(r.stdout, b, `${what}`);
    assert.equal(r.stderr, '', `${what} wrote to stderr`);
  }
  const h = await runCli(['help']);
  assert.match(h.stdout, /kb demo/, 'loket help lists kb demo');
  assert.match(h.stdout, /--help/, 'loket help says that COMMAND --help works');
});

test('serve says at start which business hours it uses, and warns when none are set', async () => {
  // the demo knowledge base names its hours: they apply
  const NO_HOURS = { LOKET_POLICY_BUSINESS_HOURS: undefined };
  const s = await startServer({ env: NO_HOURS });
  await stopServer(s);
  assert.match(s.stderr(), /business hours: mon-fri 08:30-18:00, sat 10:00-16:00, as the demo knowledge base says/);
  assert.doesNotMatch(s.stderr(), /business_hours is not set/);
  // hours set: no warning, and not the demo's
  const set = await startServer({ dataDir: s.dataDir, env: NO_HOURS, args: ['--policy.business_hours', 'mon-fri 09:00-17:00'] });
  await stopServer(set);
  assert.doesNotMatch(set.stderr(), /business_hours is not set|as the demo knowledge base says/);
  // the company's own knowledge base, no hours: a warning
  const d = freshDataDir();
  try {
    const own = { id: 'eigen', language: 'nl', title: 'Eigen', questions: ['Een vraag?'], answer: 'Een antwoord.' };
    assert.equal((await runCli(['kb', 'import', writeTmp(JSON.stringify({ articles: [own] })), '--data', d.dir])).code, 0);
    const o = await startServer({ dataDir: d.dir, env: NO_HOURS });
    await stopServer(o);
    assert.match(o.stderr(), /"level":"warn"[^\n]*business_hours is not set/);
  } finally {
    d.cleanup();
    s.cleanup();
  }
});

test('LOKET_DATA chooses the data directory, and --data wins over it', async (t) => {
  const d = tmpDataDir(t);
  const viaEnv = await runCli(['kb', 'export'], { env: { LOKET_DATA: demo } });
  assert.equal(viaEnv.code, 0, viaEnv.stderr);
  assert.deepEqual(JSON.parse(viaEnv.stdout), demoKb);
  const flagWins = await runCli(['kb', 'export', '--data', demo], { env: { LOKET_DATA: d.dir } });
  assert.equal(flagWins.code, 0, flagWins.stderr);
  assert.deepEqual(JSON.parse(flagWins.stdout), demoKb);
});

test('user add: a duplicate email or an empty password is an input error', async (t) => {
  const d = tmpDataDir(t);
  const add = (email, input) => runCli(['user', 'add', '--email', email, '--role', 'agent', '--password-stdin', '--data', d.dir], { input });
  assert.equal((await add('dup@example.com', 'een goed wachtwoord\n')).code, 0);
  assertOneLineError(await add('dup@example.com', 'nog een wachtwoord\n'), 1, ['dup@example.com'], 'a duplicate email');
  assertOneLineError(await add('leeg@example.com', ''), 1, ['password'], 'an empty password');
  assertOneLineError(await add('geen-email', 'een goed wachtwoord\n'), 1, ['email'], 'an address without @');
});

test('a data directory that cannot be one fails cleanly', async () => {
  const file = writeTmp('not a directory');
  const r = await runCli(['kb', 'export', '--data', file]);
  assert.equal(r.signal, null);
  assert.ok(r.code === 1 || r.code === 2, `exit ${r.code}`);
  assert.equal(r.stderr.split('\n').filter((l) => l.trim()).length, 1, `one line: ${r.stderr}`);
  assert.equal(r.stdout, '', 'no half export');
});
