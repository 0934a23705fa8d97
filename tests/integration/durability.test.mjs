// Durability (foundation issue): "a message is acknowledged only after its
// transaction commits; kill -9 at any moment loses nothing that was
// acknowledged". Many concurrent clients post messages (several of them into
// the same conversations, and new conversations are created meanwhile); at a
// random moment the server gets SIGKILL; a new server on the same data
// directory must show every conversation and every message that got a 201,
// with the same id, seq, sender and text, and seqs without gaps or
// duplicates. A few rounds on the same data directory, each checking all
// earlier rounds too.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopServer, killServer, freshDataDir, api, msgKey, sleep, tail, SLOW } from './helpers.mjs';

const ROUNDS = 5;
const WORKERS = 16;
const QUESTIONS = [
  'Hoe kan ik mijn bestelling retourneren?',
  'Wat zijn de verzendkosten?',
  'Hoe lang duurt de levering?',
  'Kan ik betalen met iDEAL?',
  'Mijn pakket is niet aangekomen',
  'How can I return my order?',
];

test('kill -9 at a random moment loses nothing acknowledged', { timeout: 120000 * SLOW }, async (t) => {
  const d = freshDataDir();
  t.after(d.cleanup);
  const acked = new Map(); // conversation id -> {conv, msgs: Map(seq -> msgKey)}
  const record = (conv, messages) => {
    let e = acked.get(conv.id);
    if (!e) acked.set(conv.id, (e = { conv, msgs: new Map() }));
    for (const m of messages) {
      const prev = e.msgs.get(m.seq);
      assert.ok(!prev || prev.id === m.id, `two acknowledged messages with seq ${m.seq} in ${conv.id}: ${prev?.id} and ${m.id}`);
      e.msgs.set(m.seq, msgKey(m));
    }
  };
  let srv = await startServer({ dataDir: d.dir });
  let totalAcks = 0;

  for (let round = 0; round < ROUNDS; round++) {
    // A few conversations shared by several workers, so that concurrent
    // appends to one conversation are exercised too.
    const shared = [];
    for (let i = 0; i < 4; i++) {
      const r = await api(srv, 'POST', '/api/v1/conversations');
      assert.equal(r.status, 201, r.text);
      record(r.json, r.json.messages);
      shared.push(r.json);
    }
    let killed = false;
    let acksThisRound = 0;
    const errors = [];
    const worker = async (w) => {
      let own = null;
      for (let i = 0; !killed; i++) {
        try {
          if (!own || i % 25 === 0) {
            const r = await api(srv, 'POST', '/api/v1/conversations', { body: { language: w % 3 === 0 ? 'en' : 'nl' } });
            if (r.status !== 201) throw new Error(`create: ${r.status} ${r.text}`);
            record(r.json, r.json.messages);
            own = r.json;
            acksThisRound++;
            continue;
          }
          const conv = w % 2 === 0 ? shared[(w / 2) % shared.length] : own;
          const text = `${QUESTIONS[i % QUESTIONS.length]} (ronde ${round}, werker ${w}, bericht ${i})`;
          const r = await api(srv, 'POST', `/api/v1/conversations/${conv.id}/messages`, { token: conv.token, body: { text } });
          if (r.status !== 201) throw new Error(`post: ${r.status} ${r.text}`);
          assert.equal(r.json.messages[0].text, text);
          record(conv, r.json.messages);
          acksThisRound++;
        } catch (e) {
          if (!killed) {
            errors.push(`${e}${e.cause ? ` (${e.cause.message})` : ''}`); // failures after the kill are expected
            await sleep(10);
          }
        }
      }
    };
    const workers = Array.from({ length: WORKERS }, (_, w) => worker(w));
    const delay = Math.floor((200 + Math.random() * 1300) * SLOW);
    await sleep(delay);
    const alive = srv.proc.exitCode === null && srv.proc.signalCode === null;
    killed = true; // from here on, failing requests are expected
    await killServer(srv);
    await Promise.all(workers);
    assert.ok(alive, `round ${round}: the server died by itself under load (${srv.proc.signalCode ?? srv.proc.exitCode}):\n${tail(srv.stderr())}`);
    assert.deepEqual(errors.slice(0, 5), [], `round ${round}: requests failed before the kill`);
    assert.ok(acksThisRound > 0, `round ${round}: nothing was acknowledged in ${delay} ms`);
    totalAcks += acksThisRound;
    t.diagnostic(`round ${round}: killed after ${delay} ms, ${acksThisRound} acknowledged`);

    srv = await startServer({ dataDir: d.dir });
    for (const [id, { conv, msgs }] of acked) {
      const r = await api(srv, 'GET', `/api/v1/conversations/${id}`, { token: conv.token });
      assert.equal(r.status, 200, `round ${round} (killed after ${delay} ms): acknowledged conversation ${id} is gone: ${r.status}`);
      const stored = r.json.messages;
      stored.forEach((m, i) => assert.equal(m.seq, i + 1, `round ${round}: ${id} seqs ${stored.map((x) => x.seq)}`));
      assert.equal(new Set(stored.map((m) => m.id)).size, stored.length, `round ${round}: ${id} has a message id twice`);
      const bySeq = new Map(stored.map((m) => [m.seq, msgKey(m)]));
      for (const [seq, m] of msgs) {
        assert.deepEqual(bySeq.get(seq), m, `round ${round} (killed after ${delay} ms): acknowledged message seq ${seq} of ${id} lost or changed`);
      }
    }
  }
  assert.ok(totalAcks >= ROUNDS * 10, `too little load to mean anything: ${totalAcks} acknowledgements`);
  await stopServer(srv);
});
