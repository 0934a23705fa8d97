// Analytics over the API (issue 7): fixture conversations with known outcomes
// (analytics_fixture.mjs) made through the real API, then every figure of
// GET /api/v1/analytics/summary, /agents and /topics (exact counts,
// quantiles within a millisecond of the server's own timestamps), their CSV
// exports (parsed as RFC 4180), the per-day series in UTC and in
// Europe/Amsterdam, the language and channel filters, the compliance report
// (every figure and the conversations behind it), and bad parameters and
// roles.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopServer, api, assertError, login } from './helpers.mjs';
import { makeFixture, AFTER_HOURS_ENV, AGENT, ADMIN } from './analytics_fixture.mjs';

let srv, fx, sam;

before(async () => {
  // the deployment's time zone is the reports' default (issue 14): UTC here, so
  // that the fixture's days are UTC days
  srv = await startServer({ env: { ...AFTER_HOURS_ENV, LOKET_POLICY_TIME_ZONE: 'UTC' } });
  fx = await makeFixture(srv);
  sam = fx.sam;
});

after(async () => {
  if (srv) {
    await stopServer(srv);
    srv.cleanup();
  }
});

async function get(path, who = sam) {
  const r = await who.req('GET', path);
  assert.equal(r.status, 200, `${path}: ${r.status} ${r.text}`);
  return r;
}

const near = (got, want, what, tol = 0.0015) => assert.ok(Math.abs(got - want) <= tol, `${what}: ${got}, want ${want} ± ${tol}`);

// An RFC 4180 parser (quoted fields, doubled quotes, CRLF line ends).
export function parseCsv(text) {
  const rows = [];
  let row = [], field = '', i = 0, quoted = false;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
      if (ch === '"') { quoted = false; i++; continue; }
      field += ch; i++; continue;
    }
    if (ch === '"' && field === '') { quoted = true; i++; continue; }
    if (ch === ',') { row.push(field); field = ''; i++; continue; }
    if (ch === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i += 2; continue; }
    assert.ok(ch !== '\n' && ch !== '\r', `a bare line break at ${i}: records end in CRLF`);
    field += ch; i++;
  }
  assert.equal(field, '', 'the text ends with CRLF');
  assert.equal(row.length, 0);
  const [head, ...body] = rows;
  for (const r of body) assert.equal(r.length, head.length, `every record has ${head.length} fields`);
  return body.map((r) => Object.fromEntries(head.map((h, k) => [h, r[k]])));
}

test('summary: every figure of the fixture', async () => {
  const s = (await get('/api/v1/analytics/summary')).json;
  const t = s.totals;
  assert.equal(t.conversations, 9);
  assert.equal(t.contained, 4, 'A, B, H1, H2 never went to a person');
  near(t.containment_rate, 4 / 9, 'containment rate', 0.0001);
  assert.equal(t.resolved, 2, 'A (rated helpful) and H2 (not repeated); B was rated 2, H1 was repeated');
  assert.equal(t.handed_off, 5);
  assert.deepEqual(t.handoffs, {
    customer_request: 1, button: 3, low_confidence: 0, repeated_failure: 1, loop: 0, negative_sentiment: 0,
    complaint: 0, complex: 0, sensitive_topic: 0, language: 0, other: 0,
  });
  assert.equal(t.reached_person, 2, 'C and D');
  assert.equal(t.time_to_person.count, 2);
  // nearest rank of two waits: p50 is the shorter (C), p90 the longer (D)
  near(t.time_to_person.p50_seconds, fx.waits.C, 'p50 time to a person');
  near(t.time_to_person.p90_seconds, fx.waits.D, 'p90 time to a person');
  assert.ok(fx.waits.D >= 1.4, `D waited ${fx.waits.D} s`);
  near(t.time_to_person.mean_seconds, (fx.waits.C + fx.waits.D) / 2, 'mean time to a person', 0.002);
  assert.equal(t.abandoned, 1, 'E: closed without an agent (F asked for a call-back, G still waits)');
  assert.equal(t.bot_answers, 3, 'A, H1, H2');
  assert.equal(t.bot_declines, 2, 'B and the first of G (the second handed over)');
  assert.deepEqual(t.accuracy, { reviewed: 2, right: 1, rate: 0.5 });
  assert.equal(t.repeat_contacts, 1, 'H1 was followed by H2');
  near(t.repeat_rate, 1 / 9, 'repeat rate', 0.0001);
  assert.deepEqual(t.csat.bot_only, { count: 2, mean: 3.5, satisfied: 1, satisfied_rate: 0.5 });
  assert.deepEqual(t.csat.human, { count: 1, mean: 4, satisfied: 1, satisfied_rate: 1 });
  assert.equal(t.callbacks, 1, 'F');
  assert.equal(s.tz, 'UTC');
  assert.equal(s.language, null);
});

test('summary: the days add up, in UTC and in Europe/Amsterdam', async () => {
  for (const tz of ['UTC', 'Europe/Amsterdam']) {
    const s = (await get(`/api/v1/analytics/summary?tz=${encodeURIComponent(tz)}`)).json;
    assert.equal(s.days.length, 7, `${tz}: the last 7 days by default`);
    for (let i = 1; i < 7; i++) {
      const a = Date.parse(s.days[i - 1].date + 'T12:00:00Z'), b = Date.parse(s.days[i].date + 'T12:00:00Z');
      assert.equal(b - a, 86400000, `${tz}: consecutive dates`);
    }
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: tz === 'UTC' ? 'UTC' : tz }).format(new Date());
    assert.equal(s.days[6].date, today, `${tz}: the last day is today`);
    for (const k of ['conversations', 'contained', 'handed_off', 'abandoned', 'bot_answers', 'reached_person'])
      assert.equal(s.days.reduce((n, d) => n + d[k], 0), s.totals[k], `${tz}: days add up to the total of ${k}`);
    assert.equal(s.tz, tz);
  }
});

test('summary: per language and per channel, and their filters', async () => {
  const s = (await get('/api/v1/analytics/summary')).json;
  assert.deepEqual(s.languages.map((l) => [l.language, l.conversations]), [['en', 1], ['nl', 8]]);
  assert.deepEqual(s.channels.map((c) => [c.channel, c.conversations]), [['api', 8], ['web', 1]]);
  const en = (await get('/api/v1/analytics/summary?language=en')).json;
  assert.equal(en.totals.conversations, 1);
  assert.equal(en.totals.bot_declines, 1);
  assert.equal(en.language, 'en');
  const web = (await get('/api/v1/analytics/summary?channel=web')).json;
  assert.equal(web.totals.conversations, 1);
  assert.equal(web.totals.repeat_contacts, 0, 'H2 is the repeat, not followed by one');
  const none = (await get('/api/v1/analytics/summary?language=de')).json;
  assert.equal(none.totals.conversations, 0);
  assert.equal(none.totals.containment_rate, null, 'no rate without conversations');
});

test('summary: a range in the past is empty; RFC 3339 bounds are exact', async () => {
  const old = (await get('/api/v1/analytics/summary?from=2020-01-01&to=2020-01-31')).json;
  assert.equal(old.totals.conversations, 0);
  assert.equal(old.days.length, 31);
  assert.equal(old.from, '2020-01-01T00:00:00.000Z');
  assert.equal(old.to, '2020-02-01T00:00:00.000Z', 'a date as "to" includes that day');
  const from = new Date(Date.parse(fx.c.H1.created_at) - 1).toISOString();
  const part = (await get(`/api/v1/analytics/summary?from=${from}&to=${new Date(Date.now() + 60000).toISOString()}`)).json;
  assert.equal(part.totals.conversations, 2, 'H1 and H2 only');
});

test('summary: CSV export of each table', async () => {
  const r = await get('/api/v1/analytics/summary?format=csv');
  assert.match(r.headers.get('content-type'), /^text\/csv/);
  assert.match(r.headers.get('content-disposition'), /^attachment; filename="loket-summary-days-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d\.csv"$/);
  const rows = parseCsv(r.text);
  assert.equal(rows.length, 8, '7 days and the total');
  const total = rows.at(-1);
  assert.equal(total.date, 'total');
  assert.equal(Number(total.conversations), 9);
  assert.equal(Number(total.handoffs_button), 3);
  assert.equal(Number(total.abandoned), 1);
  assert.equal(Number(total.accuracy), 0.5);
  near(Number(total.time_to_person_p90_seconds), fx.waits.D, 'CSV p90');
  const langs = parseCsv((await get('/api/v1/analytics/summary?format=csv&table=languages')).text);
  assert.deepEqual(langs.map((l) => [l.language, Number(l.conversations)]), [['en', 1], ['nl', 8]]);
  const chans = parseCsv((await get('/api/v1/analytics/summary?format=csv&table=channels')).text);
  assert.deepEqual(chans.map((l) => [l.channel, Number(l.conversations)]), [['api', 8], ['web', 1]]);
});

test('agents: conversations, handle time, first response, assist use', async () => {
  const a = (await get('/api/v1/analytics/agents')).json;
  const anna = a.agents.find((x) => x.name === AGENT.email || x.user_id === fx.anna.user.id);
  assert.ok(anna, JSON.stringify(a.agents));
  assert.equal(anna.user_id, fx.anna.user.id);
  assert.equal(anna.conversations, 2, 'C and D');
  assert.equal(anna.closed, 1, 'C');
  assert.equal(anna.handle_time.count, 1);
  assert.ok(anna.handle_time.p50_seconds >= 0 && anna.handle_time.p50_seconds < 30);
  assert.equal(anna.first_response.count, 2);
  assert.ok(anna.first_response.p90_seconds >= 0 && anna.first_response.p90_seconds < 30);
  assert.equal(anna.messages, 2);
  assert.equal(anna.suggested, 1);
  assert.equal(anna.suggested_edited, 0);
  assert.equal(anna.assist_share, 0.5);
  assert.equal(a.agents.length, 1, 'the team lead closed E without an assignment');
  assert.equal(a.totals.conversations, 2);
  const rows = parseCsv((await get('/api/v1/analytics/agents?format=csv')).text);
  assert.equal(rows.length, 2);
  assert.equal(rows[0].user_id, anna.user_id);
  assert.equal(Number(rows[0].assist_share), 0.5);
  assert.equal(rows[1].user_id, 'total');
});

test('topics: top contact reasons and rising topics, redacted', async () => {
  const t = (await get('/api/v1/analytics/topics')).json;
  assert.deepEqual(t.top[0], { kind: 'article', id: 'retourneren', label: t.top[0].label, conversations: 3 });
  assert.ok(t.top[0].label.length > 0);
  const gaps = t.top.filter((x) => x.kind === 'gap');
  const labels = gaps.map((g) => g.label).join(' | ');
  assert.ok(gaps.length >= 2, `B's and G's questions are gap topics: ${labels}`);
  assert.match(labels, /swallow/);
  assert.doesNotMatch(labels, /medewerker/, 'a bare request for a person is no topic');
  for (const g of gaps) assert.match(g.id, /^t_/);
  assert.equal(t.rising[0].id, 'retourneren', 'everything is new this week; the most first');
  assert.equal(t.rising[0].this_week, 3);
  assert.equal(t.rising[0].last_week, 0);
  assert.equal(t.rising[0].change, 3);
  const csv = parseCsv((await get('/api/v1/analytics/topics?format=csv&limit=1')).text);
  assert.deepEqual(csv, [{ kind: 'article', id: 'retourneren', label: t.top[0].label, conversations: '3' }]);
  const rise = parseCsv((await get('/api/v1/analytics/topics?format=csv&table=rising')).text);
  assert.equal(rise[0].change, '3');
});

test('compliance report: every figure and the conversations behind it', async () => {
  const r = (await get('/api/v1/reports/compliance')).json;
  const ids = Object.fromEntries(Object.entries(fx.c).map(([k, v]) => [v.id, k]));
  assert.equal(r.generated_by.email, 'sam@example.com');
  assert.ok(Date.parse(r.generated_at) > 0);
  assert.ok(Date.parse(r.period.to) > Date.parse(r.period.from));
  assert.equal(r.conversations, 9);
  assert.equal(r.disclosure.conversations, 9);
  assert.equal(r.disclosure.with_disclosure, 9, 'every conversation opens with the greeting');
  assert.equal(r.disclosure.share, 1);
  assert.deepEqual(r.disclosure.missing, []);
  assert.deepEqual(r.disclosure.conversation_ids.map((i) => ids[i]).sort(), Object.keys(fx.c).sort());
  assert.ok(r.automated_labels.messages > 9);
  assert.equal(r.automated_labels.labelled, r.automated_labels.messages);
  assert.equal(r.automated_labels.share, 1);

  const pr = r.person_requests;
  assert.equal(pr.count, 4, 'C in words, D E F with the button');
  assert.equal(pr.met, 2);
  assert.equal(pr.unmet, 2);
  const byConv = Object.fromEntries(pr.items.map((i) => [ids[i.conversation_id], i]));
  assert.deepEqual(Object.keys(byConv).sort(), ['C', 'D', 'E', 'F']);
  assert.equal(byConv.C.reason, 'customer_request');
  assert.equal(byConv.D.reason, 'button');
  assert.equal(byConv.C.met, true);
  near(byConv.D.seconds_to_reply, fx.waits.D, 'D: seconds to the reply');
  assert.equal(byConv.E.met, false);
  assert.equal(byConv.E.status, 'closed');
  assert.equal(byConv.F.met, false);
  near(pr.time_to_reply.p90_seconds, fx.waits.D, 'p90 time to reply');

  const cd = r.consecutive_declines;
  assert.equal(cd.count, 1);
  assert.equal(ids[cd.items[0].conversation_id], 'G');
  assert.equal(cd.items[0].declines, 2);
  assert.equal(cd.items[0].handoff_offered, true, 'the decline offered a person');
  assert.equal(cd.items[0].followed_by, 'handoff');
  assert.equal(cd.items[0].handed_off, true);
  assert.equal(cd.items[0].handoff_reason, 'repeated_failure');
  assert.equal(cd.items[0].person_reached, false);
  assert.deepEqual(cd.conversation_ids, [fx.c.G.id]);

  const cb = r.callbacks;
  assert.equal(cb.count, 1);
  assert.equal(cb.after_hours, 1, 'business hours are "closed"');
  assert.equal(cb.handled, 1);
  assert.equal(cb.open, 0);
  assert.equal(ids[cb.items[0].conversation_id], 'F');
  assert.ok(cb.items[0].handling_seconds >= 0 && cb.items[0].handling_seconds < 60);
  assert.equal(cb.handling_time.count, 1);
  assert.ok(!JSON.stringify(r).includes('0612345678'), 'no contact details in the report');
});

test('bad parameters get 400 naming the parameter; roles', async () => {
  const cases = [
    ['from=yesterday', 'from'],
    ['to=2026-02-30', 'to'],
    ['from=2026-11-10&to=2026-11-01', 'to'],
    ['from=2020-01-01&to=2026-01-01', 'at most 366 days'],
    ['tz=Mars/Olympus', 'tz'],
    ['language=N%C3%96', 'language'],
    ['channel=a%20b', 'channel'],
    ['format=xml', 'format'],
    ['table=nope', 'table'],
  ];
  for (const [q, word] of cases) {
    const r = await sam.req('GET', `/api/v1/analytics/summary?${q}`);
    assertError(r, 400, ['invalid_field', 'invalid_range'], q);
    assert.ok(r.json.error.message.includes(word), `${q}: "${r.json.error.message}" names ${word}`);
  }
  assertError(await sam.req('GET', '/api/v1/reports/compliance?format=csv'), 400, 'invalid_field');
  assertError(await sam.req('GET', '/api/v1/analytics/topics?limit=0'), 400, 'invalid_field');
  for (const p of ['/api/v1/analytics/summary', '/api/v1/analytics/agents', '/api/v1/analytics/topics', '/api/v1/reports/compliance']) {
    assertError(await api(srv, 'GET', p), 401, 'unauthorized', `${p} without a session`);
    assertError(await fx.anna.req('GET', p), 403, 'forbidden', `${p} as an agent`);
  }
  const ada = await login(srv, ADMIN.email, ADMIN.password);
  assert.equal((await ada.req('GET', '/api/v1/analytics/summary')).status, 200, 'admins may');
});
