// GET /metrics (issue 7): the Prometheus text format, checked line by line by
// a parser written here (HELP and TYPE before each family, sample syntax,
// label escaping, histogram buckets ascending and cumulative with +Inf equal
// to _count, _sum present), counters that move as the customer, the bot and
// the agent act (turns, decisions by outcome, hand-offs by reason, queue
// length and wait, HTTP latency by route and status class, WebSocket
// connections), and the metrics_token option (open when unset; 401 without
// or with a wrong bearer token when set).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, stopServer, api, assertError, addUser, login, createConversation, postMessage, handoff, openWs, sleep, SLOW,
} from './helpers.mjs';

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABELS = /^\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")*)?\}$/;
const VALUE = /^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?Inf|NaN)$/;

function parseLabels(s) {
  const out = {};
  if (!s) return out;
  assert.match(s, LABELS, `label set ${s}`);
  const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
  let m;
  while ((m = re.exec(s))) out[m[1]] = m[2].replace(/\\n/g, '\n').replace(/\\(["\\])/g, '$1');
  return out;
}

// Parses and validates the whole text; returns {families: {name: {type, help, samples: [{name, labels, value}]}}}.
export function parsePrometheus(text) {
  assert.ok(text.endsWith('\n'), 'the text ends with a line feed');
  const families = {};
  let current = null;
  const lines = text.slice(0, -1).split('\n');
  for (const [i, line] of lines.entries()) {
    const where = `line ${i + 1}: ${line}`;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
      assert.ok(m, `${where}: a comment must be HELP or TYPE`);
      const [, kind, name, rest] = m;
      assert.match(name, NAME, where);
      const f = (families[name] ||= { samples: [] });
      if (kind === 'HELP') {
        assert.equal(f.help, undefined, `${where}: one HELP per family`);
        f.help = rest;
      } else {
        assert.ok(['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest), `${where}: type`);
        assert.equal(f.type, undefined, `${where}: one TYPE per family`);
        assert.equal(f.samples.length, 0, `${where}: TYPE before the samples`);
        f.type = rest;
      }
      current = name;
      continue;
    }
    assert.ok(line.length > 0, `${where}: no empty lines`);
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$/.exec(line);
    assert.ok(m, `${where}: a sample is NAME{LABELS} VALUE`);
    const [, name, labels, value] = m;
    assert.match(value, VALUE, `${where}: value`);
    const base = name.replace(/_(bucket|sum|count)$/, '');
    const fam = families[name]?.type ? name : base;
    assert.equal(fam, current, `${where}: a sample of the family whose HELP/TYPE came last`);
    assert.ok(families[fam].type && families[fam].help, `${where}: HELP and TYPE before the first sample`);
    if (families[fam].type !== 'histogram') assert.equal(name, fam, `${where}: only histograms have _bucket/_sum/_count`);
    families[fam].samples.push({ name, labels: parseLabels(labels), value: Number(value) });
  }
  for (const [name, f] of Object.entries(families)) {
    if (f.type === 'counter') assert.match(name, /_total$/, `counter ${name} ends in _total`);
    if (f.type === 'histogram') checkHistogram(name, f);
  }
  return families;
}

function checkHistogram(name, f) {
  const series = new Map();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(rest);
    if (!series.has(key)) series.set(key, { buckets: [], sum: null, count: null });
    const x = series.get(key);
    if (s.name.endsWith('_bucket')) {
      assert.ok(le !== undefined, `${name}: a bucket has le`);
      x.buckets.push([le === '+Inf' ? Infinity : Number(le), s.value]);
    } else if (s.name.endsWith('_sum')) x.sum = s.value;
    else if (s.name.endsWith('_count')) x.count = s.value;
  }
  for (const [key, x] of series) {
    assert.ok(x.buckets.length > 0, `${name}${key}: buckets`);
    for (let i = 1; i < x.buckets.length; i++) {
      assert.ok(x.buckets[i][0] > x.buckets[i - 1][0], `${name}${key}: le ascending`);
      assert.ok(x.buckets[i][1] >= x.buckets[i - 1][1], `${name}${key}: buckets cumulative`);
    }
    assert.equal(x.buckets.at(-1)[0], Infinity, `${name}${key}: the last bucket is +Inf`);
    assert.equal(x.count, x.buckets.at(-1)[1], `${name}${key}: _count equals the +Inf bucket`);
    assert.ok(x.sum !== null && x.sum >= 0, `${name}${key}: _sum`);
  }
}

// The value of a sample (0 when absent).
function value(fams, family, labels = {}, suffix = '') {
  const f = fams[family];
  assert.ok(f, `family ${family}`);
  const s = f.samples.find((x) => x.name === family + suffix && Object.entries(labels).every(([k, v]) => x.labels[k] === v));
  return s ? s.value : 0;
}

let srv;
const AGENT = { email: 'mo@example.com', password: 'mo-heeft-een-lang-wachtwoord' };

before(async () => {
  srv = await startServer();
  await addUser(srv.dataDir, AGENT.email, AGENT.password, 'agent');
});

after(async () => {
  if (srv) {
    await stopServer(srv);
    srv.cleanup();
  }
});

async function scrape(s = srv, headers = {}) {
  const r = await api(s, 'GET', '/metrics', { headers });
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  return parsePrometheus(r.text);
}

test('the text format, and counters that move with what happens', async () => {
  const m0 = await scrape();
  assert.equal(m0.loket_build_info.type, 'gauge');
  assert.ok(m0.loket_build_info.samples[0].labels.version);
  for (const [fam, type] of [['loket_turns_total', 'counter'], ['loket_decisions_total', 'counter'],
    ['loket_handoffs_total', 'counter'], ['loket_queue_length', 'gauge'], ['loket_queue_wait_seconds', 'histogram'],
    ['loket_http_request_duration_seconds', 'histogram'], ['loket_websocket_connections', 'gauge']])
    assert.equal(m0[fam]?.type, type, `${fam} is a ${type}`);

  const c = await createConversation(srv, { language: 'nl' });
  await postMessage(srv, c, 'Hoe kan ik iets retourneren?');
  await handoff(srv, c);
  const m1 = await scrape();
  assert.equal(value(m1, 'loket_turns_total') - value(m0, 'loket_turns_total'), 1);
  assert.equal(value(m1, 'loket_decisions_total', { outcome: 'answered' }) - value(m0, 'loket_decisions_total', { outcome: 'answered' }), 1);
  assert.equal(value(m1, 'loket_handoffs_total', { reason: 'button' }) - value(m0, 'loket_handoffs_total', { reason: 'button' }), 1);
  assert.equal(value(m1, 'loket_queue_length') - value(m0, 'loket_queue_length'), 1);
  const route = { method: 'POST', route: '/api/v1/conversations/:id/messages', status: '2xx' };
  assert.equal(value(m1, 'loket_http_request_duration_seconds', route, '_count') - value(m0, 'loket_http_request_duration_seconds', route, '_count'), 1);
  assert.ok(value(m1, 'loket_http_request_duration_seconds', { route: '/metrics', status: '2xx' }, '_count') >= 1, 'the scrape itself is counted');

  // a 4xx lands in its own status class
  await api(srv, 'POST', `/api/v1/conversations/${c.id}/messages`, { token: 'wrong', body: { text: 'x' } });
  const agent = await login(srv, AGENT.email, AGENT.password);
  const r = await agent.req('POST', `/api/v1/agent/conversations/${c.id}/claim`);
  assert.equal(r.status, 200);
  const m2 = await scrape();
  assert.equal(value(m2, 'loket_http_request_duration_seconds', { ...route, status: '4xx' }, '_count'), 1);
  assert.equal(value(m2, 'loket_queue_length') - value(m1, 'loket_queue_length'), -1, 'claimed: out of the queue');
  assert.equal(value(m2, 'loket_queue_wait_seconds', {}, '_count') - value(m1, 'loket_queue_wait_seconds', {}, '_count'), 1);
  assert.ok(value(m2, 'loket_queue_wait_seconds', {}, '_sum') < 60);
  assert.equal(value(m2, 'loket_queue_wait_seconds', { le: '5' }, '_bucket') - value(m1, 'loket_queue_wait_seconds', { le: '5' }, '_bucket'), 1, 'a wait of seconds lands in le="5"');
});

test('the WebSocket gauge follows open connections', async () => {
  const c = await createConversation(srv, { language: 'nl' });
  const before = value(await scrape(), 'loket_websocket_connections');
  const ws = await openWs(srv, c.id, c.token);
  assert.equal(value(await scrape(), 'loket_websocket_connections'), before + 1);
  await ws.close();
  // the server notices the close on its own loop: wait until it did
  const deadline = Date.now() + 5000 * SLOW;
  let now;
  while ((now = value(await scrape(), 'loket_websocket_connections')) !== before && Date.now() < deadline) await sleep(20);
  assert.equal(now, before);
});

test('metrics_token: open when unset, a bearer token when set', async (t) => {
  const open = await api(srv, 'GET', '/metrics');
  assert.equal(open.status, 200, 'no token configured: open');
  const s = await startServer({ t, env: { LOKET_METRICS_TOKEN: 'geheim-token-voor-prometheus' } });
  assertError(await api(s, 'GET', '/metrics'), 401, 'unauthorized', 'without a token');
  const wrong = await api(s, 'GET', '/metrics', { headers: { Authorization: 'Bearer geheim-token-voor-prometheuz' } });
  assertError(wrong, 401, 'unauthorized', 'with a wrong token');
  assert.match(wrong.headers.get('www-authenticate') || '', /^Bearer/);
  assertError(await api(s, 'GET', '/metrics', { headers: { Authorization: 'Basic Z2VoZWlt' } }), 401, 'unauthorized', 'another scheme');
  const m = await scrape(s, { Authorization: 'Bearer geheim-token-voor-prometheus' });
  assert.ok(m.loket_turns_total);
  await stopServer(s);
});
