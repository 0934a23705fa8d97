// The customer's side of CONTRACT.md, end to end over real HTTP and
// WebSocket: creating a conversation (the greeting discloses the bot and the
// human option), the bot answering from the demo knowledge base (Dutch and
// English), hand-off by text and by button in the same turn, no bot answers
// while queued, rating, reading the conversation back, the WebSocket push of
// every new message and its resumption with after=SEQ, and isolation between
// conversations.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  serverForFile, api, exportKb, createConversation, postMessage, getConversation,
  openWs, wsRefusal, handoff, msgKey, RFC3339_UTC, sleep, SLOW,
} from './helpers.mjs';

let srv;
let kb; // the demo knowledge base as `kb export` prints it

serverForFile({}, async (s) => {
  srv = s;
  kb = (await exportKb(srv.dataDir)).kb;
});

const article = (id) => kb.articles.find((a) => a.id === id);

// Every Message of CONTRACT.md has this shape.
function assertMessage(m, what = 'message') {
  assert.equal(typeof m, 'object', what);
  assert.match(m.id, /^m_./, `${what}: id ${m.id}`);
  assert.ok(Number.isInteger(m.seq) && m.seq >= 1, `${what}: seq ${m.seq}`);
  assert.ok(['customer', 'bot', 'agent', 'system'].includes(m.sender), `${what}: sender ${m.sender}`);
  assert.equal(typeof m.automated, 'boolean', `${what}: automated`);
  assert.equal(typeof m.text, 'string', `${what}: text`);
  assert.match(m.created_at, RFC3339_UTC, `${what}: created_at`);
  if (m.sender === 'customer' || m.sender === 'agent') assert.equal(m.automated, false, `${what}: a person's words are not automated`);
  if (m.sender === 'bot' || m.sender === 'system') assert.equal(m.automated, true, `${what}: ${m.sender} messages are automated`);
}

function assertConversation(c, what = 'conversation') {
  assert.match(c.id, /^c_./, `${what}: id`);
  assert.ok(['bot', 'queued', 'assigned', 'closed'].includes(c.status), `${what}: status ${c.status}`);
  assert.equal(typeof c.language, 'string', `${what}: language`);
  assert.ok('handoff_reason' in c, `${what}: handoff_reason present (null when none)`);
  assert.match(c.created_at, RFC3339_UTC, `${what}: created_at`);
}

// Seqs of one conversation's messages: 1, 2, 3, ... in order, no gaps.
function assertConsecutive(messages, what = 'messages') {
  messages.forEach((m, i) => assert.equal(m.seq, i + 1, `${what}: message #${i} has seq ${m.seq}`));
}

test('GET /healthz answers {"status":"ok"}', async () => {
  const r = await api(srv, 'GET', '/healthz');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^application\/json/);
  assert.deepEqual(r.json, { status: 'ok' });
});

test('GET / serves an HTML page', async () => {
  const r = await api(srv, 'GET', '/');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/html/);
  assert.match(r.text, /<html/i);
});

test('the demo knowledge base is loaded on a fresh data directory', () => {
  assert.ok(Array.isArray(kb.articles));
  assert.ok(kb.articles.filter((a) => a.language === 'nl').length >= 40, 'at least 40 Dutch articles');
  assert.ok(kb.articles.filter((a) => a.language === 'en').length >= 10, 'at least 10 English articles');
});

test('create: 201 with token, status "bot" and the greeting that discloses the bot and the human option', async () => {
  const r = await api(srv, 'POST', '/api/v1/conversations');
  assert.equal(r.status, 201, r.text);
  assert.match(r.headers.get('content-type'), /^application\/json/);
  const c = r.json;
  assertConversation(c);
  assert.equal(c.status, 'bot');
  assert.equal(c.language, 'nl', 'the default language is Dutch');
  assert.equal(c.handoff_reason, null);
  assert.equal(typeof c.token, 'string');
  // 128 random bits need at least 22 base64url or 32 hex characters.
  assert.ok(c.token.length >= 22, `token too short for 128 bits: ${c.token}`);
  assert.ok(!c.token.includes(c.id.slice(2)), 'the token is not derived from the id');
  assert.ok(Array.isArray(c.messages) && c.messages.length >= 1, 'the greeting is in messages');
  c.messages.forEach((m, i) => assertMessage(m, `create message #${i}`));
  const g = c.messages[0];
  assert.equal(g.sender, 'bot');
  assert.equal(g.automated, true);
  assert.equal(g.seq, 1);
  assert.match(g.text, /automat|digita|virtu|chatbot|\bbot\b/i, `the greeting says it is automated: ${g.text}`);
  assert.match(g.text, /medewerker|mens|persoon|collega/i, `the greeting offers a person: ${g.text}`);

  const r2 = await api(srv, 'POST', '/api/v1/conversations', { body: {} });
  assert.equal(r2.status, 201, r2.text);
  assert.notEqual(r2.json.id, c.id, 'ids are unique');
  assert.notEqual(r2.json.token, c.token, 'tokens are unique');
});

test('create with {"language": "en"} greets in English, with the same disclosure', async () => {
  const c = await createConversation(srv, { language: 'en' });
  assert.equal(c.language, 'en');
  const g = c.messages[0];
  assert.equal(g.sender, 'bot');
  assert.equal(g.automated, true);
  assert.match(g.text, /automated|digital|virtual|chatbot|\bbot\b/i, g.text);
  assert.match(g.text, /person|human|someone|agent|colleague|member of (our )?(staff|team)/i, g.text);
});

test('the bot answers a demo question from the knowledge base', async () => {
  const c = await createConversation(srv);
  const q = 'Ik wil mijn bestelling terugsturen';
  const r = await api(srv, 'POST', `/api/v1/conversations/${c.id}/messages`, { token: c.token, body: { text: q } });
  assert.equal(r.status, 201, r.text);
  const { conversation, messages } = r.json;
  assertConversation(conversation);
  assert.equal(conversation.id, c.id);
  assert.equal(conversation.status, 'bot');
  assert.ok(messages.length >= 2, `the customer's message and the bot's answer: ${JSON.stringify(messages)}`);
  messages.forEach((m, i) => assertMessage(m, `turn message #${i}`));
  const [mine, answer] = messages;
  assert.equal(mine.sender, 'customer');
  assert.equal(mine.automated, false);
  assert.equal(mine.text, q);
  assert.equal(mine.seq, c.messages.at(-1).seq + 1, 'seq follows the greeting');
  messages.forEach((m, i) => assert.equal(m.seq, mine.seq + i, 'seqs of one turn are consecutive'));
  assert.equal(answer.sender, 'bot', 'the answer comes right after the question');
  assert.equal(answer.automated, true);
  assert.equal(typeof answer.article_id, 'string');
  assert.equal(typeof answer.confidence, 'number');
  assert.ok(answer.confidence > 0 && answer.confidence <= 1, `confidence ${answer.confidence}`);
  const a = article(answer.article_id);
  assert.ok(a, `article ${answer.article_id} is in the knowledge base`);
  assert.equal(a.language, 'nl');
  assert.match(`${a.id} ${a.title} ${(a.tags || []).join(' ')} ${a.questions.join(' ')}`, /retour|terugsturen|terug/i,
    `the article is about returns: ${a.id} ${a.title}`);
  assert.ok(answer.text.includes(a.answer.slice(0, 40)), `the bot answers with the article: ${answer.text}`);
});

test('the bot answers an English question from an English article', async () => {
  const c = await createConversation(srv, { language: 'en' });
  const { conversation, messages } = await postMessage(srv, c, 'I want to send my order back');
  assert.equal(conversation.status, 'bot');
  const answer = messages.find((m) => m.sender === 'bot');
  assert.ok(answer, `a bot answer: ${JSON.stringify(messages)}`);
  assert.equal(answer.automated, true);
  const a = article(answer.article_id);
  assert.ok(a, `article ${answer.article_id} is in the knowledge base`);
  assert.equal(a.language, 'en', 'an English question gets the English article');
  assert.match(`${a.id} ${a.title} ${a.questions.join(' ')}`, /return/i);
  assert.ok(answer.confidence > 0 && answer.confidence <= 1);
});

test('asking for a person in words queues the conversation in that same turn', async () => {
  const c = await createConversation(srv);
  const { conversation, messages } = await postMessage(srv, c, 'Ik wil een medewerker spreken');
  assert.equal(conversation.status, 'queued');
  assert.equal(conversation.handoff_reason, 'customer_request');
  assert.ok(Number.isInteger(conversation.queue_position) && conversation.queue_position >= 1,
    `queue_position ${conversation.queue_position}`);
  assert.equal(messages[0].sender, 'customer');
  for (const m of messages.slice(1)) {
    assert.equal(m.automated, true, 'what loket adds is automated');
    assert.equal(m.article_id ?? undefined, undefined, 'no knowledge-base answer instead of a person');
  }
  const got = await getConversation(srv, c);
  assert.equal(got.status, 'queued');
  assert.equal(got.handoff_reason, 'customer_request');
});

test('the hand-off button queues at once; a queued conversation gets no bot answers', async () => {
  const c = await createConversation(srv);
  const r = await api(srv, 'POST', `/api/v1/conversations/${c.id}/handoff`, { token: c.token });
  assert.equal(r.status, 200, r.text);
  assertConversation(r.json);
  assert.equal(r.json.id, c.id);
  assert.equal(r.json.status, 'queued');
  assert.equal(r.json.handoff_reason, 'button');
  assert.ok(Number.isInteger(r.json.queue_position) && r.json.queue_position >= 1);

  const { conversation, messages } = await postMessage(srv, c, 'Hoe kan ik mijn bestelling retourneren?');
  assert.equal(conversation.status, 'queued');
  assert.equal(messages[0].sender, 'customer');
  assert.deepEqual(messages.filter((m) => m.sender === 'bot'), [], 'no bot answer while queued');
  const got = await getConversation(srv, c);
  assert.deepEqual(got.messages.slice(-messages.length).map(msgKey), messages.map(msgKey), 'the turn is the last thing stored');
  for (const m of messages.slice(1)) assert.equal(m.sender, 'system', `only automatic notices while queued: ${m.sender} ${m.text}`);

  // Pressing it again changes nothing: still queued, still the same place.
  const again = await api(srv, 'POST', `/api/v1/conversations/${c.id}/handoff`, { token: c.token });
  assert.equal(again.status, 200, again.text);
  assert.equal(again.json.status, 'queued');
  assert.equal(again.json.queue_position, r.json.queue_position);
});

test('queue positions count up in the order of hand-off', async () => {
  const a = await createConversation(srv);
  const b = await createConversation(srv);
  const qa = await handoff(srv, a);
  const qb = await handoff(srv, b);
  assert.equal(qb.queue_position, qa.queue_position + 1);
  assert.equal((await getConversation(srv, a)).queue_position, qa.queue_position);
});

test('the hand-off button works in the middle of a bot conversation too', async () => {
  const c = await createConversation(srv);
  await postMessage(srv, c, 'Wat zijn de verzendkosten?');
  const r = await handoff(srv, c);
  assert.equal(r.status, 'queued');
  assert.equal(r.handoff_reason, 'button');
});

test('rating: 200 for a score 1..5 with or without a comment', async () => {
  const c = await createConversation(srv);
  await postMessage(srv, c, 'Hoe kan ik mijn bestelling retourneren?');
  const r = await api(srv, 'POST', `/api/v1/conversations/${c.id}/rating`, { token: c.token, body: { score: 5, comment: 'Top, dank je!' } });
  assert.equal(r.status, 200, r.text);
  const c2 = await createConversation(srv);
  const r2 = await api(srv, 'POST', `/api/v1/conversations/${c2.id}/rating`, { token: c2.token, body: { score: 1 } });
  assert.equal(r2.status, 200, r2.text);
});

test('GET conversation returns every message in order, exactly as the turns returned them', async () => {
  const c = await createConversation(srv);
  const seen = [...c.messages];
  for (const q of ['Hoe kan ik mijn bestelling retourneren?', 'Wat zijn de verzendkosten?', 'Ik wil een medewerker spreken', 'Hallo?']) {
    seen.push(...(await postMessage(srv, c, q)).messages);
  }
  const got = await getConversation(srv, c);
  assertConversation(got);
  assert.equal(got.id, c.id);
  assert.equal(got.status, 'queued');
  assert.equal(got.token, undefined, 'GET does not echo the token');
  got.messages.forEach((m, i) => assertMessage(m, `GET message #${i}`));
  assertConsecutive(got.messages);
  assert.deepEqual(got.messages.map(msgKey), seen.map(msgKey));
  assert.equal(new Set(got.messages.map((m) => m.id)).size, got.messages.length, 'message ids are unique');
});

test('WebSocket: every new message is pushed as it happens, as one JSON text frame each', async () => {
  const c = await createConversation(srv);
  const ws = await openWs(srv, c.id, c.token);
  try {
    const expected = [];
    expected.push(...(await postMessage(srv, c, 'Hoe kan ik mijn bestelling retourneren?')).messages);
    await ws.waitFrames(expected.length);
    expected.push(...(await postMessage(srv, c, 'Ik wil een medewerker spreken')).messages);
    await ws.waitFrames(expected.length);
    expected.push(...(await postMessage(srv, c, 'Nog iemand daar?')).messages);
    await ws.waitFrames(expected.length);
    // The hand-off button may add a system notice; whatever it adds is pushed too.
    const before = (await getConversation(srv, c)).messages.length;
    await handoff(srv, c);
    const all = (await getConversation(srv, c)).messages;
    expected.push(...all.slice(before));
    await ws.waitFrames(expected.length);
    await sleep(200);
    assert.equal(ws.binary, 0, 'text frames');
    ws.frames.forEach((f, i) => assertMessage(f, `frame #${i}`));
    assert.deepEqual(ws.frames.map(msgKey), expected.map(msgKey), 'exactly the new messages, in order, no history');
    assert.deepEqual(all.slice(1).map(msgKey), expected.map(msgKey));
  } finally {
    await ws.close();
  }
});

test('WebSocket: after=SEQ resumes without gaps or duplicates', async () => {
  const c = await createConversation(srv);
  const ws1 = await openWs(srv, c.id, c.token);
  const first = (await postMessage(srv, c, 'Hoe kan ik mijn bestelling retourneren?')).messages;
  await ws1.waitFrames(first.length);
  const lastSeen = ws1.frames.at(-1).seq;
  await ws1.close();

  // Messages while disconnected.
  const missed = [];
  missed.push(...(await postMessage(srv, c, 'Wat zijn de verzendkosten?')).messages);
  missed.push(...(await postMessage(srv, c, 'Hoe lang duurt de levering?')).messages);

  const ws2 = await openWs(srv, c.id, c.token, { after: lastSeen });
  try {
    await ws2.waitFrames(missed.length);
    const live = (await postMessage(srv, c, 'Ik wil een medewerker spreken')).messages;
    await ws2.waitFrames(missed.length + live.length);
    await sleep(200);
    assert.deepEqual(ws2.frames.map(msgKey), [...missed, ...live].map(msgKey));
  } finally {
    await ws2.close();
  }

  // after=0 replays everything, greeting included; after=last replays nothing.
  const all = (await getConversation(srv, c)).messages;
  const ws3 = await openWs(srv, c.id, c.token, { after: 0 });
  const ws4 = await openWs(srv, c.id, c.token, { after: all.at(-1).seq });
  try {
    await ws3.waitFrames(all.length);
    await sleep(300);
    assert.deepEqual(ws3.frames.map(msgKey), all.map(msgKey));
    assert.deepEqual(ws4.frames, [], 'nothing newer than the last message');
  } finally {
    await ws3.close();
    await ws4.close();
  }
});

test('WebSocket: resuming while messages arrive loses and repeats nothing', async () => {
  const c = await createConversation(srv);
  // A writer that keeps posting while a reader reconnects with after=SEQ.
  let stop = false;
  const writer = (async () => {
    let i = 0;
    while (!stop && i < 40) await postMessage(srv, c, `Bericht ${i++}: hoe kan ik retourneren?`);
  })();
  const got = [];
  let last = 1; // the greeting
  for (let round = 0; round < 4; round++) {
    const ws = await openWs(srv, c.id, c.token, { after: last });
    await sleep(40 * SLOW);
    await ws.close();
    got.push(...ws.frames);
    if (ws.frames.length) last = ws.frames.at(-1).seq;
  }
  stop = true;
  await writer;
  const ws = await openWs(srv, c.id, c.token, { after: last });
  const all = (await getConversation(srv, c)).messages;
  await ws.waitFor(() => got.length + ws.frames.length >= all.length - 1);
  await sleep(200);
  await ws.close();
  got.push(...ws.frames);
  assert.deepEqual(got.map((m) => m.seq), all.slice(1).map((m) => m.seq), 'every seq after the greeting exactly once, in order');
});

test('WebSocket: a wrong, missing or foreign token is refused with 401', async () => {
  const a = await createConversation(srv);
  const b = await createConversation(srv);
  assert.equal(await wsRefusal(srv, a.id, 'x' + a.token.slice(1)), 401);
  assert.equal(await wsRefusal(srv, a.id, ''), 401);
  assert.equal(await wsRefusal(srv, a.id, b.token), 401);
  assert.equal(await wsRefusal(srv, 'c_doesnotexist0000000000', a.token), 401);
  // Without a token in the URL the upgrade waits for the token in the first
  // message (docs/api.md): a foreign one closes the socket with 1008 and
  // nothing of the conversation is sent.
  const ws = await openWs(srv, a.id, undefined, { after: 0 });
  ws.ws.send(JSON.stringify({ type: 'auth', token: b.token }));
  await ws.waitFor((c) => c.closed !== null, 5000 * SLOW, 'the close');
  assert.equal(ws.closed, 1008);
  assert.deepEqual(ws.frames, [], 'nothing is sent before the token is right');
});

test('two conversations are isolated from each other', async () => {
  const a = await createConversation(srv);
  const b = await createConversation(srv);
  const wsA = await openWs(srv, a.id, a.token);
  const wsB = await openWs(srv, b.id, b.token);
  try {
    const ta = (await postMessage(srv, a, 'Hoe kan ik mijn bestelling retourneren?')).messages;
    const tb = (await postMessage(srv, b, 'Ik wil een medewerker spreken')).messages;
    await wsA.waitFrames(ta.length);
    await wsB.waitFrames(tb.length);
    await sleep(200);
    assert.deepEqual(wsA.frames.map(msgKey), ta.map(msgKey), "A's socket sees only A's messages");
    assert.deepEqual(wsB.frames.map(msgKey), tb.map(msgKey), "B's socket sees only B's messages");

    const ga = await getConversation(srv, a);
    const gb = await getConversation(srv, b);
    assert.equal(ga.status, 'bot', "B's hand-off does not touch A");
    assert.equal(gb.status, 'queued');
    const idsA = new Set(ga.messages.map((m) => m.id));
    assert.ok(gb.messages.every((m) => !idsA.has(m.id)), 'no message belongs to both');

    // One conversation's token opens nothing of the other.
    for (const [method, p, body] of [
      ['GET', `/api/v1/conversations/${b.id}`],
      ['POST', `/api/v1/conversations/${b.id}/messages`, { text: 'hallo' }],
      ['POST', `/api/v1/conversations/${b.id}/handoff`],
      ['POST', `/api/v1/conversations/${b.id}/rating`, { score: 3 }],
    ]) {
      const r = await api(srv, method, p, { token: a.token, body });
      assert.equal(r.status, 401, `${method} ${p} with another conversation's token: ${r.status}`);
    }
    assert.deepEqual((await getConversation(srv, b)).messages.map(msgKey), gb.messages.map(msgKey), 'B unchanged');
  } finally {
    await wsA.close();
    await wsB.close();
  }
});
