// CONTRACT.md: "A running server picks the change up by itself within 2
// seconds (no restart)" after `loket kb import` from another process. The
// clock starts when the import command has exited; a question asked (sent)
// within 2 s of that must get the new answer.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, stopServer, runCli, exportKb, createConversation, postMessage, sleep, REBUILD_SLOW } from './helpers.mjs';

// The contract's 2 s; sanitizer builds (~3x slower) get proportionally more.
const LIMIT_MS = 2000 * REBUILD_SLOW;
let srv;

before(async () => {
  srv = await startServer();
});

after(async () => {
  if (srv) {
    await stopServer(srv);
    srv.cleanup();
  }
});

// Asks q in a new conversation (so that earlier misses cannot hand it over)
// until done(the bot's answer) holds, or until the limit has passed.
// Resolves {ok, ms, answer} with ms the time from `since` to the sending of
// the question that got it. Without a language the conversation is created
// without one.
async function askUntil(q, done, since, language) {
  for (;;) {
    const sent = Date.now();
    const c = await createConversation(srv, language && { language });
    const { messages } = await postMessage(srv, c, q);
    const bot = messages.find((m) => m.sender === 'bot');
    if (done(bot)) return { ok: true, ms: sent - since, answer: bot };
    if (sent - since > LIMIT_MS) return { ok: false, ms: sent - since, answer: bot };
    await sleep(50);
  }
}

// askUntil the bot answers with articleId.
function waitForAnswer(q, articleId, since, language = 'nl') {
  return askUntil(q, (bot) => bot?.article_id === articleId, since, language);
}

const zeppelin = {
  id: 'zeppelin-onderdelen',
  language: 'nl',
  title: 'Zeppelinonderdelen',
  questions: ['Verkopen jullie zeppelinonderdelen?', 'Hebben jullie onderdelen voor mijn zeppelin?', 'Kan ik bij jullie een zeppelin repareren?'],
  answer: 'Nee, wij verkopen geen zeppelinonderdelen. Voor luchtschepen verwijzen we je graag naar een specialist.',
};

test('a new article is answered within 2 s of kb import', async () => {
  const q = 'Verkopen jullie zeppelinonderdelen?';
  const c = await createConversation(srv);
  const first = (await postMessage(srv, c, q)).messages.find((m) => m.sender === 'bot');
  assert.notEqual(first?.article_id, zeppelin.id, 'not known before the import');

  const file = path.join(path.dirname(srv.dataDir), 'zeppelin.json');
  writeFileSync(file, JSON.stringify({ articles: [zeppelin] }));
  const r = await runCli(['kb', 'import', file, '--data', srv.dataDir]);
  assert.equal(r.code, 0, r.stderr);
  const res = await waitForAnswer(q, zeppelin.id, Date.now());
  assert.ok(res.ok, `not answered from the new article within ${LIMIT_MS} ms (last answer: ${JSON.stringify(res.answer)})`);
  assert.ok(res.answer.text.includes('zeppelinonderdelen'), res.answer.text);
  // The import did not touch the rest of the knowledge base.
  const ret = await waitForAnswer('Ik wil mijn bestelling terugsturen', (await returnArticle()).id, Date.now());
  assert.ok(ret.ok, 'the demo articles still answer');
});

async function returnArticle() {
  const c = await createConversation(srv);
  const { messages } = await postMessage(srv, c, 'Ik wil mijn bestelling terugsturen');
  const bot = messages.find((m) => m.sender === 'bot');
  assert.ok(bot?.article_id, `the demo answers the return question: ${JSON.stringify(messages)}`);
  return { id: bot.article_id };
}

test('a changed answer is used within 2 s of kb import', async () => {
  const changed = { ...zeppelin, answer: 'Sinds vandaag wel: zeppelinonderdelen vind je onder Luchtvaart.' };
  const file = path.join(path.dirname(srv.dataDir), 'zeppelin2.json');
  writeFileSync(file, JSON.stringify({ articles: [changed] }));
  const r = await runCli(['kb', 'import', file, '--data', srv.dataDir]);
  assert.equal(r.code, 0, r.stderr);
  const w = await askUntil('Verkopen jullie zeppelinonderdelen?', (bot) => bot?.text.includes('Luchtvaart'), Date.now());
  assert.ok(w.ok, `the old answer after ${w.ms} ms: ${w.answer?.text}`);
});

test('--replace removes articles from the running server within 2 s', async () => {
  const ret = await returnArticle();
  assert.notEqual(ret.id, zeppelin.id, 'the return question is answered by a demo article');
  const { kb } = await exportKb(srv.dataDir);
  const file = path.join(path.dirname(srv.dataDir), 'only-zeppelin.json');
  writeFileSync(file, JSON.stringify({ articles: kb.articles.filter((a) => a.id === zeppelin.id) }));
  const r = await runCli(['kb', 'import', file, '--replace', '--data', srv.dataDir]);
  assert.equal(r.code, 0, r.stderr);
  const w = await askUntil('Ik wil mijn bestelling terugsturen', (bot) => bot?.article_id !== ret.id, Date.now());
  assert.ok(w.ok, `still answered from the removed article ${ret.id} after ${w.ms} ms`);
  assert.deepEqual((await exportKb(srv.dataDir)).kb.articles.map((a) => a.id), [zeppelin.id]);
});
