// The `database` option (docs/configuration.md, docs/storage.md): where the
// store lives, and so which backend runs it. By default the SQLite database
// is in the data directory, as before; `database` puts it in a directory of
// its own, for `serve` and for the commands alike; a postgres:// URL is
// refused with a clear message until that backend is built in.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { startServer, stopServer, freshDataDir, runCli, api, login, SLOW } from './helpers.mjs';

const ADMIN = { email: 'beheer@example.nl', password: 'een lang en sterk wachtwoord 42' };

test('without database the store is loket.db in the data directory', { timeout: 60000 * SLOW }, async (t) => {
  const d = freshDataDir();
  t.after(d.cleanup);
  const srv = await startServer({ dataDir: d.dir, t });
  const r = await api(srv, 'POST', '/api/v1/conversations');
  assert.equal(r.status, 201, r.text);
  assert.ok(existsSync(path.join(d.dir, 'loket.db')), 'loket.db in the data directory');
  await stopServer(srv);
});

test('database names a directory of its own for serve and the commands', { timeout: 60000 * SLOW }, async (t) => {
  const d = freshDataDir();
  t.after(d.cleanup);
  const dbDir = path.join(d.root, 'db');
  // a user made by the command line with --database ...
  const add = await runCli(
    ['user', 'add', '--email', ADMIN.email, '--role', 'admin', '--password-stdin', '--data', d.dir, '--database', dbDir],
    { input: ADMIN.password + '\n' },
  );
  assert.equal(add.code, 0, add.stderr);
  assert.ok(existsSync(path.join(dbDir, 'loket.db')), 'the command made loket.db in the database directory');
  assert.ok(!existsSync(path.join(d.dir, 'loket.db')), 'and none in the data directory');
  // ... logs in to a server whose database comes from the environment
  const srv = await startServer({ dataDir: d.dir, env: { LOKET_DATABASE: dbDir }, t });
  const admin = await login(srv, ADMIN.email, ADMIN.password);
  assert.equal(admin.user.role, 'admin');
  const c = await api(srv, 'POST', '/api/v1/conversations');
  assert.equal(c.status, 201, c.text);
  await stopServer(srv);
  assert.ok(!existsSync(path.join(d.dir, 'loket.db')), 'serve did not make a second database in the data directory');
  // and the conversation is in that database: a server on it lists it
  const again = await startServer({ dataDir: d.dir, args: ['--database', dbDir], t });
  const a2 = await login(again, ADMIN.email, ADMIN.password);
  const list = await a2.req('GET', '/api/v1/agent/conversations');
  assert.equal(list.status, 200, list.text);
  assert.ok(JSON.stringify(list.json).includes(c.json.id), 'the conversation made before is there');
  await stopServer(again);
});

test('a postgres:// database is refused at start with a clear message', { timeout: 30000 * SLOW }, async (t) => {
  const d = freshDataDir();
  t.after(d.cleanup);
  const serve = await runCli(['serve', '--listen', '127.0.0.1:0', '--data', d.dir, '--database', 'postgres://loket@db.example/loket']);
  assert.equal(serve.code, 1, serve.stderr);
  assert.match(serve.stderr, /option database: PostgreSQL is not built in yet/);
  const cli = await runCli(['kb', 'demo', '--data', d.dir], { env: { LOKET_DATABASE: 'postgresql://db.example/loket' } });
  assert.equal(cli.code, 1, cli.stderr);
  assert.match(cli.stderr, /PostgreSQL is not built in yet/);
  assert.ok(!existsSync(path.join(d.dir, 'loket.db')), 'nothing was made in the data directory');
});
