// The knowledge manager's insights (docs/gaps.md), end to end through the
// real customer and agent APIs: the outcome recorded for every customer
// message (answered, declined, handoff, reply, none); the gap report's topics
// with exact counts from fixture conversations, redacted, filtered by range,
// language and limit; a draft article from a topic; answer reviews (roles,
// validation, replace, per conversation, the accuracy figure, the queue of
// unreviewed answers); and the recalibration of the answering threshold on
// publish, which moves only with enough reviews.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, stopServer, api, assertError, addUser, login, createConversation, postMessage, exportKb, sleep,
  RFC3339_UTC, SLOW,
} from './helpers.mjs';

let srv;
let sam; // supervisor
let anna; // agent
let bob; // agent
let ada; // admin

const PW = 'een-lang-genoeg-wachtwoord';

before(async () => {
  srv = await startServer();
  await addUser(srv.dataDir, 'sam@tulpentafel.example', PW, 'supervisor');
  await addUser(srv.dataDir, 'anna@tulpentafel.example', PW, 'agent');
  await addUser(srv.dataDir, 'bob@tulpentafel.example', PW, 'agent');
  await addUser(srv.dataDir, 'ada@tulpentafel.example', PW, 'admin');
  sam = await login(srv, 'sam@tulpentafel.example', PW);
  anna = await login(srv, 'anna@tulpentafel.example', PW);
  bob = await login(srv, 'bob@tulpentafel.example', PW);
  ada = await login(srv, 'ada@tulpentafel.example', PW);
});

after(async () => {
  if (srv) {
    await stopServer(srv);
    srv.cleanup();
  }
});

// A conversation in language with these customer messages, one after the
// other; returns {conv, turns: [{customer, replies, status}]}.
async function talk(language, texts) {
  const conv = await createConversation(srv, { language });
  const turns = [];
  for (const text of texts) {
    const r = await postMessage(srv, conv, text);
    turns.push({ customer: r.messages[0], replies: r.messages.slice(1), status: r.conversation.status });
  }
  return { conv, turns };
}

// What a supervisor sees of a conversation's customer messages: [text, outcome].
async function outcomes(convId) {
  const r = await sam.req('GET', `/api/v1/agent/conversations/${convId}`);
  assert.equal(r.status, 200, r.text);
  return r.json.messages.filter((m) => m.sender === 'customer').map((m) => [m.text, m.outcome]);
}

const nowIso = () => new Date().toISOString();
const qs = (o) => new URLSearchParams(o).toString();

test('the outcome of every customer message is recorded in its turn', async () => {
  const a = await talk('nl', ['Hoe kan ik iets retourneren?', 'hallo']);
  assert.equal(a.turns[0].replies[0].article_id, 'retourneren', 'the demo KB answers this');
  assert.deepEqual(await outcomes(a.conv.id), [
    ['Hoe kan ik iets retourneren?', 'answered'],
    ['hallo', 'reply'],
  ]);

  const b = await talk('nl', ['Hebben jullie vacatures?', 'Zijn er vacatures bij jullie?', 'Hallo, is daar iemand?']);
  assert.equal(b.turns[1].status, 'queued', 'the second decline in a row hands over');
  const claim = await anna.req('POST', `/api/v1/agent/conversations/${b.conv.id}/claim`);
  assert.equal(claim.status, 200, claim.text);
  await postMessage(srv, b.conv, 'Fijn dat je er bent');
  assert.deepEqual(await outcomes(b.conv.id), [
    ['Hebben jullie vacatures?', 'declined'],
    ['Zijn er vacatures bij jullie?', 'handoff'],
    ['Hallo, is daar iemand?', 'none'], // queued
    ['Fijn dat je er bent', 'none'], // assigned
  ]);

  const c = await talk('en', ['I want to talk to a person']);
  assert.equal(c.turns[0].status, 'queued');
  assert.deepEqual(await outcomes(c.conv.id), [['I want to talk to a person', 'handoff']]);

  // the customer's own view carries no outcome
  const own = await api(srv, 'GET', `/api/v1/conversations/${a.conv.id}`, { token: a.conv.token });
  assert.ok(own.json.messages.every((m) => !('outcome' in m)), own.text);
});

// ---- the gap report ------------------------------------------------------------------

let gapFrom; // the fixture's start: earlier questions stay out of the report
let gapTopics;

test('gap report: declined and handed-over questions grouped into topics, exact counts, redacted', async () => {
  gapFrom = nowIso();
  const fixture = [
    ['nl', ['Hebben jullie vacatures?', 'Zijn er vacatures bij jullie? Mail me op jan.jansen@example.nl']],
    ['nl', ['Is er een vacature voor een verkoper?', 'medewerker']],
    // (the old sofa of this fixture became the old mattress when the bot learnt to read the montage article's
    // "nemen jullie ... mee" and offered it as a choice: the fixture wants two plain gaps)
    ['nl', ['Halen jullie mijn oude matras op?', 'Kunnen jullie de oude matras ophalen bij levering?']],
    ['en', ['Is the sofa available in green?', 'Do you have the sofa in green?']],
    ['nl', ['Verkopen jullie ook tuinkabouters?']],
    ['nl', ['Hoe kan ik iets retourneren?']],
  ];
  const convs = [];
  for (const [lang, texts] of fixture) convs.push(await talk(lang, texts));
  // what the bot made of them (the report depends on it)
  const seen = [];
  for (const c of convs) seen.push(...(await outcomes(c.conv.id)).map((x) => x[1]));
  assert.deepEqual(seen, ['declined', 'handoff', 'declined', 'handoff', 'declined', 'handoff', 'declined', 'handoff', 'declined', 'answered']);

  const r = await sam.req('GET', `/api/v1/kb/gaps?${qs({ from: gapFrom })}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.questions, 8, 'the bare "medewerker" is no question; the answered one is no gap');
  const t = r.json.topics;
  assert.deepEqual(t.map((x) => [x.count, x.declined, x.handoff, x.languages]), [
    [3, 2, 1, ['nl']],
    [2, 1, 1, ['en']], // as large as the next, and newer
    [2, 1, 1, ['nl']],
    [1, 1, 0, ['nl']],
  ]);
  assert.equal(r.json.topic_count, 4);
  assert.deepEqual(t[0].examples.slice().sort(), [
    'Hebben jullie vacatures?',
    'Is er een vacature voor een verkoper?',
    'Zijn er vacatures bij jullie? Mail me op [e-mail]',
  ]);
  assert.ok(t[0].examples.includes(t[0].label), 'the label is one of its questions');
  assert.equal(t[0].examples[0], t[0].label, 'the label comes first');
  assert.deepEqual(t[1].examples.slice().sort(), ['Do you have the sofa in green?', 'Is the sofa available in green?']);
  assert.deepEqual(t[2].examples.slice().sort(), [
    'Halen jullie mijn oude matras op?',
    'Kunnen jullie de oude matras ophalen bij levering?',
  ]);
  assert.deepEqual(t[3].examples, ['Verkopen jullie ook tuinkabouters?']);
  assert.ok(!r.text.includes('jan.jansen') && !r.text.includes('example.nl'), 'no e-mail address in the report');
  for (const x of t) {
    assert.match(x.id, /^t_[a-z0-9]+$/);
    assert.match(x.newest_at, RFC3339_UTC);
  }
  assert.ok(t[1].newest_at > t[2].newest_at);
  const ids = t.map((x) => x.id);
  assert.equal(new Set(ids).size, 4);

  // the same again: stable ids
  const again = await sam.req('GET', `/api/v1/kb/gaps?${qs({ from: gapFrom })}`);
  assert.deepEqual(again.json.topics.map((x) => x.id), ids);
  gapTopics = t;

  // filters: language, limit, range
  const en = await sam.req('GET', `/api/v1/kb/gaps?${qs({ from: gapFrom, language: 'en' })}`);
  assert.equal(en.status, 200, en.text);
  assert.deepEqual(en.json.topics.map((x) => x.id), [ids[1]]);
  const one = await sam.req('GET', `/api/v1/kb/gaps?${qs({ from: gapFrom, limit: 1 })}`);
  assert.deepEqual(one.json.topics.map((x) => x.id), [ids[0]]);
  assert.equal(one.json.topic_count, 4);
  const none = await sam.req('GET', `/api/v1/kb/gaps?${qs({ from: '2020-01-01', to: '2020-01-31' })}`);
  assert.equal(none.status, 200, none.text);
  assert.deepEqual(none.json.topics, []);
  // without from: the last 30 days, which hold these and the earlier test's
  const all = await ada.req('GET', '/api/v1/kb/gaps');
  assert.equal(all.status, 200, all.text);
  assert.ok(all.json.questions >= 10, `earlier questions too: ${all.json.questions}`);
});

test('gap report: roles and bad parameters', async () => {
  assertError(await anna.req('GET', '/api/v1/kb/gaps'), 403, 'forbidden');
  assertError(await api(srv, 'GET', '/api/v1/kb/gaps'), 401, 'unauthorized');
  for (const q of ['from=yesterday', 'to=2026-13-45', 'language=EN', 'language=nederlands', 'limit=0', 'limit=201', 'limit=x',
    'from=2026-02-01&to=2026-01-01']) {
    assertError(await sam.req('GET', `/api/v1/kb/gaps?${q}`), 400, 'invalid_field', q);
  }
});

test('gap report: a topic becomes a draft article with its questions', async () => {
  assert.ok(gapTopics, 'the gap report test ran first');
  const topic = gapTopics[0];
  const url = `/api/v1/kb/gaps/${topic.id}/draft`;
  assertError(await anna.req('POST', url, { body: { from: gapFrom } }), 403, 'forbidden');
  assertError(await sam.req('POST', '/api/v1/kb/gaps/t_nosuchtopic/draft', { body: { from: gapFrom } }), 404, 'not_found');
  assertError(await sam.req('POST', url, { body: { from: 12 } }), 400, 'invalid_field');
  assertError(await sam.req('POST', url, { body: { from: gapFrom }, headers: { Origin: 'https://evil.example' } }), 403,
    ['forbidden', 'bad_origin']);

  const r = await sam.req('POST', url, { body: { from: gapFrom } });
  assert.equal(r.status, 201, r.text);
  const d = r.json;
  assert.match(d.id, /^d_/);
  assert.equal(d.status, 'draft');
  assert.equal(d.source, 'gap_report');
  assert.equal(d.language, 'nl');
  assert.equal(d.title, topic.label);
  assert.deepEqual(d.questions, topic.examples, 'the topic\'s (redacted) questions');
  assert.equal(d.answer, '', 'the knowledge manager writes the answer');
  assert.equal(d.topic_id, topic.id);
  assert.equal(d.created_by, sam.user.id);
  assert.ok(!r.text.includes('jan.jansen'));
  // the knowledge management reads it like any draft
  const kd = await sam.req('GET', `/api/v1/kb/drafts/${d.id}`);
  assert.equal(kd.status, 200, kd.text);
  assert.equal(kd.json.source ?? kd.json.draft?.source, 'gap_report', kd.text);

  // the English topic, found with the language filter too
  const en = await sam.req('POST', `/api/v1/kb/gaps/${gapTopics[1].id}/draft`, { body: { from: gapFrom, language: 'en' } });
  assert.equal(en.status, 201, en.text);
  assert.equal(en.json.language, 'en');

  const audit = await ada.req('GET', `/api/v1/admin/audit?${qs({ action: 'draft.create' })}`);
  assert.equal(audit.status, 200, audit.text);
  const recs = audit.json.records ?? audit.json.audit ?? [];
  assert.ok(recs.some((x) => x.detail && x.detail.includes(d.id) && x.detail.includes(topic.id)), audit.text);
});

// ---- answer review -----------------------------------------------------------------------

test('answer review: who may mark, what can be marked, a second mark replaces the first', async () => {
  // answered, then handed over and claimed by anna
  const a = await talk('nl', ['Hoe kan ik iets retourneren?', 'medewerker']);
  const answer = a.turns[0].replies.find((m) => m.article_id);
  assert.ok(answer, 'a bot answer');
  const base = `/api/v1/agent/conversations/${a.conv.id}`;
  const url = `${base}/messages/${answer.id}/review`;

  assertError(await api(srv, 'POST', url, { body: { verdict: 'right' } }), 401, 'unauthorized');
  assertError(await anna.req('POST', url, { body: { verdict: 'right' } }), 403, 'forbidden', 'not her conversation yet');
  assert.equal((await anna.req('POST', `${base}/claim`)).status, 200);
  assertError(await bob.req('POST', url, { body: { verdict: 'right' } }), 403, 'forbidden', 'anna has it');

  // validation
  assertError(await anna.req('POST', url, { body: {} }), 400, 'missing_field');
  assertError(await anna.req('POST', url, { body: { verdict: 'maybe' } }), 400, 'invalid_field');
  assertError(await anna.req('POST', url, { body: { verdict: 'right', correct_article_id: 'retourkosten' } }), 400, 'invalid_field');
  assertError(await anna.req('POST', url, { body: { verdict: 'wrong', correct_article_id: 'no-such-article' } }), 400, 'invalid_field');
  assertError(await anna.req('POST', url, { body: { verdict: 'wrong', correct_article_id: 'bad id!' } }), 400, 'invalid_field');
  assertError(await anna.req('POST', url, { body: 'not json' }), 400, 'invalid_json');
  assertError(await anna.req('POST', `${base}/messages/${a.turns[0].customer.id}/review`, { body: { verdict: 'right' } }), 400,
    'not_an_answer', 'a customer message');
  assertError(await anna.req('POST', `${base}/messages/m_nosuchmessage/review`, { body: { verdict: 'right' } }), 404, 'not_found');
  const other = await talk('nl', ['Hoe kan ik iets retourneren?']);
  const otherAnswer = other.turns[0].replies.find((m) => m.article_id);
  assertError(await sam.req('POST', `${base}/messages/${otherAnswer.id}/review`, { body: { verdict: 'right' } }), 404, 'not_found',
    'an answer of another conversation');
  assertError(await sam.req('POST', `/api/v1/agent/conversations/c_nosuch/messages/${answer.id}/review`, { body: { verdict: 'right' } }),
    404, 'not_found');

  const first = await anna.req('POST', url, { body: { verdict: 'wrong', correct_article_id: 'retourkosten' } });
  assert.equal(first.status, 200, first.text);
  assert.equal(first.json.verdict, 'wrong');
  assert.equal(first.json.correct_article_id, 'retourkosten');
  assert.equal(first.json.reviewer_id, anna.user.id);
  assert.equal(first.json.message_id, answer.id);
  assert.match(first.json.created_at, RFC3339_UTC);

  const second = await sam.req('POST', url, { body: { verdict: 'right' } });
  assert.equal(second.status, 200, second.text);
  assertError(await bob.req('GET', `${base}/reviews`), 403, 'forbidden', "another agent's conversation");
  const list = await anna.req('GET', `${base}/reviews`);
  assert.equal(list.status, 200, list.text);
  assert.equal(list.json.reviews.length, 1, 'replaced, not added');
  const rv = list.json.reviews[0];
  assert.equal(rv.message_id, answer.id);
  assert.equal(rv.verdict, 'right');
  assert.equal(rv.reviewer_id, sam.user.id);
  assert.equal(rv.correct_article_id, null);
  assert.match(rv.created_at, RFC3339_UTC);
  assertError(await api(srv, 'GET', `${base}/reviews`), 401, 'unauthorized');
  assertError(await sam.req('GET', '/api/v1/agent/conversations/c_nosuch/reviews'), 404, 'not_found');

  const audit = await ada.req('GET', `/api/v1/admin/audit?${qs({ action: 'answer.review', conversation_id: a.conv.id })}`);
  assert.equal(audit.status, 200, audit.text);
  const recs = audit.json.records ?? audit.json.audit ?? [];
  assert.equal(recs.length, 2, audit.text);
});

test('answer review: the accuracy figure, per article, and the queue of unreviewed answers', async () => {
  const from = nowIso();
  const qa = [
    ['Hoe kan ik iets retourneren?', 'retourneren'],
    ['Wat zijn de verzendkosten?', 'verzendkosten'],
    ['Ik ben mijn wachtwoord vergeten', 'wachtwoord-vergeten'],
  ];
  const answers = [];
  for (const [q, article] of qa) {
    // the e-mail address on the last one (the queue shows it masked); on the others it would
    // make the bot unsure enough to offer a choice instead of answering
    const c = await talk('nl', [article === 'wachtwoord-vergeten' ? `${q} Mijn e-mail is piet.puk@example.nl` : q]);
    const m = c.turns[0].replies.find((x) => x.article_id);
    assert.ok(m, `answered: ${q}`);
    assert.equal(m.article_id, article);
    answers.push({ conv: c.conv, msg: m });
  }
  // the queue: newest first, with the (redacted) question and the article's title
  const queue = await sam.req('GET', '/api/v1/kb/reviews/queue?limit=3');
  assert.equal(queue.status, 200, queue.text);
  assert.deepEqual(queue.json.answers.map((x) => x.message_id), answers.map((x) => x.msg.id).reverse());
  const q0 = queue.json.answers[0];
  assert.equal(q0.question, 'Ik ben mijn wachtwoord vergeten Mijn e-mail is [e-mail]');
  assert.equal(q0.article_id, 'wachtwoord-vergeten');
  assert.equal(q0.title, 'Wachtwoord vergeten');
  assert.equal(q0.conversation_id, answers[2].conv.id);
  assert.ok(q0.confidence > 0 && q0.confidence <= 1);
  assert.ok(q0.answer.length > 0);
  assert.ok(!queue.text.includes('piet.puk'));
  assertError(await anna.req('GET', '/api/v1/kb/reviews/queue'), 403, 'forbidden');
  assertError(await sam.req('GET', '/api/v1/kb/reviews/queue?limit=101'), 400, 'invalid_field');

  const mark = (i, verdict) =>
    sam.req('POST', `/api/v1/agent/conversations/${answers[i].conv.id}/messages/${answers[i].msg.id}/review`, { body: { verdict } });
  assert.equal((await mark(0, 'right')).status, 200);
  assert.equal((await mark(1, 'wrong')).status, 200);
  assert.equal((await mark(2, 'right')).status, 200);
  const after = await sam.req('GET', '/api/v1/kb/reviews/queue?limit=100');
  const left = new Set(after.json.answers.map((x) => x.message_id));
  assert.ok(answers.every((a) => !left.has(a.msg.id)), 'reviewed answers leave the queue');

  const s = await sam.req('GET', `/api/v1/kb/reviews?${qs({ from })}`);
  assert.equal(s.status, 200, s.text);
  assert.equal(s.json.reviewed, 3);
  assert.equal(s.json.right, 2);
  assert.equal(s.json.wrong, 1);
  assert.ok(Math.abs(s.json.accuracy - 2 / 3) < 1e-3, `accuracy ${s.json.accuracy}`);
  assert.deepEqual(s.json.by_article, [
    { article_id: 'retourneren', title: 'Retourneren', reviewed: 1, right: 1, wrong: 0 },
    { article_id: 'verzendkosten', title: 'Verzendkosten', reviewed: 1, right: 0, wrong: 1 },
    { article_id: 'wachtwoord-vergeten', title: 'Wachtwoord vergeten', reviewed: 1, right: 1, wrong: 0 },
  ]);
  // turning one around changes the figure
  assert.equal((await mark(1, 'right')).status, 200);
  const s2 = await sam.req('GET', `/api/v1/kb/reviews?${qs({ from })}`);
  assert.equal(s2.json.right, 3);
  assert.equal(s2.json.accuracy, 1);
  const th = s2.json.threshold;
  // the calibration's threshold (the demo cannot show answer_risk 0.05: where its bound is lowest)
  assert.equal(th.current, th.calibration.threshold);
  assert.ok(th.current >= 0.5, `at or above the old fixed 0.5: ${th.current}`);
  assert.equal(th.recommended, 0.5, 'too few reviews to move the reviews\' own threshold');
  assert.ok(th.reviews_needed > 0 && th.reviews_needed <= 20, JSON.stringify(th));
  const empty = await sam.req('GET', `/api/v1/kb/reviews?${qs({ from: '2020-01-01', to: '2020-02-01' })}`);
  assert.equal(empty.json.reviewed, 0);
  assert.equal(empty.json.accuracy, null);
  assertError(await anna.req('GET', '/api/v1/kb/reviews'), 403, 'forbidden');
});

// ---- recalibration -------------------------------------------------------------------------

// docs/gaps.md, "Recalibration": the lowest grid threshold (0.005 steps, within
// [0.30, 0.95], not below both the current threshold and the lowest reviewed
// confidence) with >= 20 reviewed answers at or above it and (wrong + 1) /
// (answered + 2) <= 0.05; else the lowest estimate; the current one with
// fewer than 20 reviews.
function recommend(items, current) {
  if (items.length < 20) return current;
  const lowest = Math.floor(Math.min(...items.map((x) => x.c)) * 200 + 1e-9) / 200;
  let lo = Math.max(Math.min(current, lowest), 0.3);
  const cands = [lo];
  for (let g = Math.floor(lo * 200 + 1e-9) + 1; g <= 190; g++) cands.push(g / 200);
  let best = null;
  for (const t of cands) {
    const at = items.filter((x) => x.c >= t);
    if (at.length < 20) break;
    const est = (at.filter((x) => !x.right).length + 1) / (at.length + 2);
    if (est <= 0.05) return t;
    if (!best || est < best.est) best = { t, est };
  }
  return best ? best.t : current;
}

test('recalibration on publish: the threshold moves only with enough reviews', async (t) => {
  const s2 = await startServer({ env: { LOKET_KB_POLL_MS: '100' }, t });
  await addUser(s2.dataDir, 'kim@tulpentafel.example', PW, 'supervisor');
  await addUser(s2.dataDir, 'root@tulpentafel.example', PW, 'admin');
  const kim = await login(s2, 'kim@tulpentafel.example', PW);
  const root = await login(s2, 'root@tulpentafel.example', PW);
  const { kb } = await exportKb(s2.dataDir);

  // an answer for every Dutch article's first example question, one conversation each
  const answers = [];
  for (const a of kb.articles.filter((x) => x.language === 'nl')) {
    const c = await createConversation(s2, { language: 'nl' });
    const m = (await postMessage(s2, c, a.questions[0])).messages.find((x) => x.article_id);
    if (m) answers.push({ conv: c, msg: m, q: a.questions[0], c: m.confidence });
  }
  assert.ok(answers.length >= 30, `answered: ${answers.length}`);
  answers.sort((x, y) => x.c - y.c);
  // wrong: the 3 lowest-confidence answers
  const k = 3;
  answers.forEach((a, i) => (a.right = i >= k));

  const review = (a) =>
    kim.req('POST', `/api/v1/agent/conversations/${a.conv.id}/messages/${a.msg.id}/review`, { body: { verdict: a.right ? 'right' : 'wrong' } });
  const summary = async () => (await kim.req('GET', '/api/v1/kb/reviews')).json.threshold;
  const version = async () => (await kim.req('POST', '/api/v1/kb/try', { body: { text: 'hallo' } })).json.kb_version;
  let n = 0;
  let lastPreview = null;
  const publish = async () => {
    n++;
    const d = await kim.req('POST', '/api/v1/kb/drafts', {
      body: { language: 'nl', title: `Testonderwerp ${n}`, questions: [`Hoe zit het met testonderwerp ${n}?`], answer: `Antwoord ${n}.` },
    });
    assert.equal(d.status, 201, d.text);
    const pv = await kim.req('POST', `/api/v1/kb/drafts/${d.json.id}/preview`);
    assert.equal(pv.status, 200, pv.text);
    lastPreview = pv.json;
    const before = await version();
    const p = await kim.req('POST', `/api/v1/kb/drafts/${d.json.id}/publish`);
    assert.ok(p.status === 200 || p.status === 201, p.text);
    // the watcher builds the new bot within kb_poll_ms
    const deadline = Date.now() + 10000 * SLOW;
    while ((await version()) === before) {
      assert.ok(Date.now() < deadline, 'the published knowledge base is loaded');
      await sleep(50);
    }
  };
  const recalibrations = async () => {
    const r = await root.req('GET', '/api/v1/admin/audit?action=nlu.recalibrate');
    assert.equal(r.status, 200, r.text);
    return r.json.records ?? r.json.audit ?? [];
  };

  // 19 reviews (the wrong ones among them) would move it, but 19 are too few
  for (const a of answers.slice(0, 19)) assert.equal((await review(a)).status, 200);
  let th = await summary();
  assert.equal(th.reviews_needed, 1);
  assert.equal(th.recommended, 0.5);
  assert.equal(th.calibration.labelled_questions, 0, 'the bot was built before any review');
  await publish();
  th = await summary();
  // the demo's calibration cannot show 0.05: the bot answers where its bound is lowest, at or
  // above the old fixed 0.5; the reviews' threshold could only raise that, and 19 do not move it
  assert.ok(th.current >= 0.5, `the calibration's threshold: ${th.current}`);
  const built19 = th.current;
  // the rebuilt bot's calibration counts the reviewed questions (16 right ones at least; a wrong
  // mark counts while the model still answers with that article)
  const labelled19 = th.calibration.labelled_questions;
  assert.ok(labelled19 >= 16 && labelled19 <= 19, `labelled questions: ${labelled19}`);
  // the publish preview built its candidate the same way, beside the bot built before the reviews
  assert.equal(lastPreview.calibration.current.labelled_questions, 0);
  assert.ok(lastPreview.calibration.candidate.labelled_questions >= 16, JSON.stringify(lastPreview.calibration.candidate));
  assert.equal((await recalibrations()).length, 0);

  // all of them: the recommendation moves; the bot still answers at 0.5 until the next publish
  for (const a of answers.slice(19)) assert.equal((await review(a)).status, 200);
  const want = recommend(answers, 0.5);
  assert.ok(want > answers[0].c, `above the lowest wrong answer: ${want}`);
  // the JSON rounds confidences to 4 digits: none may lie that close to the grid points that decide
  for (const a of answers)
    assert.ok(Math.abs(a.c - want) > 1e-4 && Math.abs(a.c - (want - 0.005)) > 1e-4, `${a.c} too close to ${want}`);
  th = await summary();
  assert.equal(th.reviews_needed, 0);
  assert.ok(Math.abs(th.recommended - want) < 1e-9, `recommended ${th.recommended}, want ${want}`);
  assert.equal(th.current, built19, 'not before the next publish');
  assert.equal(th.target_met, true);

  await publish();
  th = await summary();
  // the reviews raise the bar to theirs unless the rebuilt calibration (which counts the marks)
  // asks for more
  assert.ok(th.current >= want - 1e-9, `the bot answers at ${th.current} now, want ${want} at least`);
  assert.ok(th.calibration.labelled_questions >= labelled19 + answers.length - 19 - k,
    `every review joins the calibration: ${th.calibration.labelled_questions} of ${answers.length}`);
  const recs = await recalibrations();
  assert.equal(recs.length, 1);
  assert.match(JSON.stringify(recs[0].detail), /0\.5000 -> /);

  // the wrong answers below the new threshold are declined now
  let declined = 0;
  for (const a of answers.slice(0, k)) {
    const r = await kim.req('POST', '/api/v1/kb/try', { body: { text: a.q } });
    assert.ok(Math.abs(r.json.threshold - th.current) < 1e-9);
    const top = r.json.top[0];
    assert.equal(r.json.decision === 'answer', !!top && top.confidence >= th.current, a.q);
    if (r.json.decision !== 'answer') declined++;
  }
  assert.ok(declined > 0, 'at least one wrongly answered question is declined now');

  // a third publish with nothing new keeps it
  await publish();
  assert.equal((await recalibrations()).length, 1);
  await stopServer(s2);
});
