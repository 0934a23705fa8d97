// Graceful shutdown (foundation issue): on SIGTERM (and SIGINT) loket stops
// accepting, finishes the requests in flight, closes the WebSockets and the
// database cleanly, and exits 0; idle connections do not hold it up; after a
// restart on the same data directory everything acknowledged is there.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import {
  startServer, stopServer, addUser, createConversation, postMessage, getConversation, openWs, msgKey, sleep, SLOW, tail,
} from './helpers.mjs';

// An accepted connection: opened, and one request answered on it, so the
// server has certainly taken it off the listen queue. send() then writes one
// more request (Connection: close) and resolves the raw response.
async function acceptedConnection(srv) {
  const sock = net.connect(srv.port, '127.0.0.1');
  sock.setNoDelay(true);
  await new Promise((res, rej) => sock.once('connect', res).once('error', rej));
  let buf = '';
  let waiter = null;
  let ended = false;
  sock.setEncoding('latin1');
  sock.on('data', (d) => {
    buf += d;
    waiter?.();
  });
  sock.on('close', () => {
    ended = true;
    waiter?.();
  });
  sock.on('error', () => {});
  sock.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  // Wait for the whole first response (it has a Content-Length).
  await new Promise((res, rej) => {
    waiter = () => {
      const i = buf.indexOf('\r\n\r\n');
      if (i >= 0) {
        const len = Number(/content-length:\s*(\d+)/i.exec(buf.slice(0, i))?.[1] ?? 0);
        if (buf.length >= i + 4 + len) {
          buf = buf.slice(i + 4 + len);
          waiter = null;
          res();
        }
      }
      if (ended) rej(new Error('closed before the first response'));
    };
    waiter();
  });
  return {
    send(method, path, { body, headers = {} } = {}) {
      const b = body === undefined ? '' : JSON.stringify(body);
      let head = `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nConnection: close\r\n`;
      for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
      if (body !== undefined) head += `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(b)}\r\n`;
      sock.write(head + '\r\n' + b);
      return new Promise((res) => {
        const done = () => {
          const m = /^HTTP\/1\.1 (\d{3})/.exec(buf);
          const i = buf.indexOf('\r\n\r\n');
          res({ status: m ? Number(m[1]) : null, body: i >= 0 ? Buffer.from(buf.slice(i + 4), 'latin1').toString('utf8') : '', raw: buf });
        };
        if (ended) return done();
        waiter = () => ended && done();
      });
    },
  };
}

test('SIGTERM with requests in flight: they complete, the process exits 0, the data is intact', { timeout: 120000 * SLOW }, async (t) => {
  let srv = await startServer({ t });
  const dataDir = srv.dataDir;
  await addUser(dataDir, 'anna@example.com', 'een lang genoeg wachtwoord');
  const convs = [];
  for (let i = 0; i < 8; i++) convs.push(await createConversation(srv));
  const ws = await openWs(srv, convs[0].id, convs[0].token);
  // An idle keep-alive connection must not hold the shutdown up.
  await fetch(`${srv.base}/healthz`).then((r) => r.text());

  const conns = [];
  for (let i = 0; i < 24; i++) conns.push(await acceptedConnection(srv));
  const pending = conns.map((c, i) => {
    if (i % 6 === 5) {
      // Password hashing takes a while: these are surely in flight.
      return c.send('POST', '/api/v1/auth/login', { body: { email: 'anna@example.com', password: 'een lang genoeg wachtwoord' } }).then((r) => ({ kind: 'login', r }));
    }
    const conv = convs[i % convs.length];
    const text = `Hoe kan ik mijn bestelling retourneren? (verbinding ${i})`;
    return c.send('POST', `/api/v1/conversations/${conv.id}/messages`, { body: { text }, headers: { Authorization: `Bearer ${conv.token}` } })
      .then((r) => ({ kind: 'message', conv, text, r }));
  });
  await sleep(20);
  const t0 = Date.now();
  const stopping = stopServer(srv, { timeoutMs: 10000 * SLOW });
  const results = await Promise.all(pending);
  await stopping;
  const exitMs = Date.now() - t0;

  for (const [i, { kind, r }] of results.entries()) {
    const want = kind === 'login' ? 200 : 201;
    assert.equal(r.status, want, `request ${i} (${kind}) in flight at SIGTERM got ${r.status ?? 'no answer'}: ${r.raw.slice(0, 200)}\n${tail(srv.stderr())}`);
  }
  assert.ok(ws.closed !== null || (await ws.waitFor((c) => c.closed !== null, 2000).then(() => true, () => false)), 'the WebSocket was closed');
  assert.ok(exitMs < 10000 * SLOW, `exit took ${exitMs} ms`);

  // Restart: every acknowledged message is there.
  srv = await startServer({ dataDir, t });
  for (const { kind, conv, text, r } of results) {
    if (kind !== 'message') continue;
    const turn = JSON.parse(r.body);
    assert.equal(turn.messages[0].text, text);
    const stored = (await getConversation(srv, conv)).messages;
    const bySeq = new Map(stored.map((m) => [m.seq, msgKey(m)]));
    for (const m of turn.messages) assert.deepEqual(bySeq.get(m.seq), msgKey(m), `seq ${m.seq} of ${conv.id} after restart`);
  }
  for (const conv of convs) {
    const stored = (await getConversation(srv, conv)).messages;
    stored.forEach((m, i) => assert.equal(m.seq, i + 1, `${conv.id}: seqs ${stored.map((x) => x.seq)}`));
  }
  await stopServer(srv);
});

test('SIGINT stops the server cleanly too', async (t) => {
  const srv = await startServer({ t });
  const c = await createConversation(srv);
  await postMessage(srv, c, 'Wat zijn de verzendkosten?');
  await stopServer(srv, { signal: 'SIGINT', timeoutMs: 10000 * SLOW });
  const again = await startServer({ dataDir: srv.dataDir, t });
  assert.equal((await getConversation(again, c)).messages.length >= 3, true);
  await stopServer(again);
});

test('SIGTERM right after start, and with no traffic at all, exits 0 at once', async (t) => {
  const srv = await startServer({ t });
  const t0 = Date.now();
  await stopServer(srv, { timeoutMs: 5000 * SLOW });
  assert.ok(Date.now() - t0 < 5000 * SLOW);
});
