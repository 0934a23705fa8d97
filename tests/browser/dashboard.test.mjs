// Browser test (issue 7): the dashboard and the compliance report as a team
// lead sees them, on the fixture of tests/integration/analytics_fixture.mjs.
// Every number the pages show (key figures, the tables under the charts,
// agents, topics, every figure of the report) equals what the API answers
// for the same query; the charts are drawn (uPlot, from the build's vendored
// copy, under the Content-Security-Policy); the CSV links download CSV; the
// report links each conversation to the console and prints without the
// console's controls; axe finds no serious or critical violation.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopServer } from '../integration/helpers.mjs';
import { makeFixture, AFTER_HOURS_ENV, LEAD } from '../integration/analytics_fixture.mjs';
import { launchBrowser, newPage, shot, consoleLogin, axeAudit } from './helpers.mjs';

let srv, fx, browser;

before(async () => {
  srv = await startServer({ env: AFTER_HOURS_ENV });
  fx = await makeFixture(srv);
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (srv) {
    await stopServer(srv);
    srv.cleanup();
  }
});


// The first number as the page writes it in Dutch ("44,4%", "1,5 s", "3,5 / 5", "1.234"); NaN for "–".
const num = (s) => {
  const m = /-?\d[\d.]*(?:,\d+)?/.exec(String(s));
  return m ? Number(m[0].replace(/\./g, '').replace(',', '.')) : NaN;
};

async function apiJson(path) {
  const r = await fx.sam.req('GET', path);
  assert.equal(r.status, 200, `${path}: ${r.text}`);
  return r.json;
}

async function lead(t) {
  const page = await newPage(browser);
  t.after(() => page.context().close());
  await consoleLogin(page, srv.base, LEAD.email, LEAD.password);
  return page;
}

test('the dashboard shows the numbers of the API, with charts and CSV', async (t) => {
  const page = await lead(t);
  await page.goto(srv.base + '/console/dashboard.html');
  await page.locator('main[data-query]').waitFor();
  const q = await page.locator('main').getAttribute('data-query');
  assert.match(q, /from=\d{4}-\d\d-\d\d&to=\d{4}-\d\d-\d\d/, 'the last 7 days by default');
  const [s, a, tp] = await Promise.all([
    apiJson('/api/v1/analytics/summary?' + q), apiJson('/api/v1/analytics/agents?' + q), apiJson('/api/v1/analytics/topics?' + q),
  ]);
  assert.equal(s.totals.conversations, 9, 'the fixture is in the default period');
  assert.equal(s.days.length, 7);

  const kpi = async (key) => page.locator(`#kpis [data-figure="${key}"]`).textContent();
  const T = s.totals;
  for (const key of ['conversations', 'handed_off', 'abandoned', 'bot_answers', 'bot_declines', 'callbacks'])
    assert.equal(await kpi(key), String(T[key]), `key figure ${key}`);
  for (const key of ['containment_rate', 'resolution_rate', 'repeat_rate'])
    assert.ok(Math.abs(num(await kpi(key)) - T[key] * 100) < 0.051, `key figure ${key}: ${await kpi(key)} vs ${T[key]}`);
  assert.ok(Math.abs(num(await kpi('accuracy')) - T.accuracy.rate * 100) < 0.051);
  assert.ok(Math.abs(num(await kpi('time_to_person_p50')) - T.time_to_person.p50_seconds) < 0.051, 'p50');
  assert.ok(Math.abs(num(await kpi('time_to_person_p90')) - T.time_to_person.p90_seconds) < 0.051, 'p90');
  assert.ok(Math.abs(num(await kpi('csat_bot_only')) - T.csat.bot_only.mean) < 0.006);
  assert.ok(Math.abs(num(await kpi('csat_human')) - T.csat.human.mean) < 0.006);

  // the table under the chart: one row per day and the total
  const rows = page.locator('#table-days tbody tr');
  assert.equal(await rows.count(), s.days.length + 1);
  for (let i = 0; i < s.days.length; i++) {
    assert.equal(await rows.nth(i).locator('th').textContent(), s.days[i].date);
    assert.equal(await rows.nth(i).locator('[data-figure="conversations"]').textContent(), String(s.days[i].conversations));
    assert.equal(await rows.nth(i).locator('[data-figure="handed_off"]').textContent(), String(s.days[i].handed_off));
  }
  for (const [reason, n] of Object.entries(T.handoffs))
    assert.equal(await page.locator(`#table-reasons [data-figure="handoff_${reason}"]`).textContent(), String(n), reason);
  const waitTotal = page.locator('#table-wait tbody tr').last();
  assert.equal(num(await waitTotal.locator('[data-figure="p90"]').textContent()).toFixed(1), T.time_to_person.p90_seconds.toFixed(1));

  // agents and topics
  const agentRows = page.locator('#table-agents tbody tr');
  assert.equal(await agentRows.count(), a.agents.length);
  assert.equal(await agentRows.first().locator('th').textContent(), a.agents[0].name);
  assert.equal(await agentRows.first().locator('[data-figure="conversations"]').textContent(), String(a.agents[0].conversations));
  assert.equal(num(await agentRows.first().locator('[data-figure="assist_share"]').textContent()), a.agents[0].assist_share * 100);
  const top = page.locator('#table-top tbody tr');
  assert.equal(await top.count(), tp.top.length);
  assert.equal(await top.first().locator('th').textContent(), tp.top[0].label);
  assert.equal(await top.first().locator('[data-figure="conversations"]').textContent(), String(tp.top[0].conversations));
  assert.equal(await page.locator('#table-rising tbody tr').count(), tp.rising.length);

  // the charts are drawn: one canvas each, from the vendored library
  for (const id of ['chart-days', 'chart-wait', 'chart-reasons'])
    assert.equal(await page.locator(`#${id} canvas`).count(), 1, `${id} has a canvas`);
  assert.equal(await page.evaluate(() => typeof window.uPlot), 'function');

  // the CSV links download CSV for the same query
  const href = await page.locator('#csv-days').getAttribute('href');
  const csv = await page.request.get(srv.base + href);
  assert.equal(csv.status(), 200);
  assert.match(csv.headers()['content-type'], /^text\/csv/);
  assert.match(await csv.text(), /^date,conversations,/);
  const download = page.waitForEvent('download');
  await page.locator('#csv-reasons').click();
  const d = await download;
  assert.equal(d.suggestedFilename(), 'loket-handoff-reasons.csv');

  // another filter: the page asks again and shows the new numbers
  await page.locator('#f-language').selectOption('en');
  await page.locator('#dash-filters button[type=submit]').click();
  await page.waitForFunction(() => /language=en/.test(document.querySelector('main').getAttribute('data-query') || ''));
  assert.equal(await kpi('conversations'), '1');

  await shot(page, 'dashboard');
  assert.deepEqual(await axeAudit(t, page, 'dashboard'), []);
  assert.deepEqual(page.errors, [], 'no console or CSP errors');
});

test('the compliance report shows the API\'s figures, links every conversation, prints', async (t) => {
  const page = await lead(t);
  await page.goto(srv.base + '/console/compliance.html');
  await page.locator('main[data-query]').waitFor();
  const q = await page.locator('main').getAttribute('data-query');
  const r = await apiJson('/api/v1/reports/compliance?' + q);
  assert.equal(r.conversations, 9);
  assert.equal(await page.locator('#m-conversations').textContent(), String(r.conversations));
  assert.match(await page.locator('#m-by').textContent(), /sam@example\.com/);
  assert.ok((await page.locator('#m-made').textContent()).length > 0);
  assert.equal(num(await page.locator('#f-disclosure-share').textContent()), r.disclosure.share * 100);
  assert.match(await page.locator('#f-disclosure-count').textContent(), new RegExp(`${r.disclosure.with_disclosure} .*${r.disclosure.conversations}`));
  assert.equal(num(await page.locator('#f-labels-share').textContent()), r.automated_labels.share * 100);
  assert.match(await page.locator('#f-labels-count').textContent(), new RegExp(`${r.automated_labels.labelled} .*${r.automated_labels.messages}`));
  assert.match(await page.locator('#f-requests').textContent(), new RegExp(`^${r.person_requests.count} .*${r.person_requests.met} .*${r.person_requests.unmet} `));
  assert.match(await page.locator('#f-declines').textContent(), new RegExp(`^${r.consecutive_declines.count} `));
  assert.match(await page.locator('#f-callbacks').textContent(), new RegExp(`^${r.callbacks.count} .*${r.callbacks.after_hours} .*${r.callbacks.handled} .*${r.callbacks.open} `));

  // every figure's conversations, each linked to the console
  const linked = async (sel) => page.locator(`${sel} a.conv-link`).evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  const hrefs = (ids) => ids.map((id) => `/console/#c=${id}`);
  assert.deepEqual(await linked('#t-requests'), hrefs(r.person_requests.items.map((i) => i.conversation_id)));
  assert.deepEqual(await linked('#t-declines'), hrefs(r.consecutive_declines.items.map((i) => i.conversation_id)));
  assert.deepEqual(await linked('#t-callbacks'), hrefs(r.callbacks.items.map((i) => i.conversation_id)));
  assert.deepEqual(await linked('#l-disclosure-all'), hrefs(r.disclosure.conversation_ids));
  assert.deepEqual(await page.locator('#t-requests tbody tr').evaluateAll((trs) => trs.length), r.person_requests.items.length);

  await shot(page, 'compliance');
  assert.deepEqual(await axeAudit(t, page, 'compliance report'), []);

  // printing: the console's controls go, the report stays
  await page.emulateMedia({ media: 'print' });
  assert.ok(await page.locator('#topbar').isHidden(), 'no top bar on paper');
  assert.ok(await page.locator('#comp-filters').isHidden(), 'no form on paper');
  assert.ok(await page.locator('#t-requests').isVisible());
  await shot(page, 'compliance-print');
  await page.emulateMedia({ media: 'screen' });

  // a link opens that conversation in the console
  const gId = fx.c.G.id;
  await page.locator(`#t-declines a[data-conversation="${gId}"]`).click();
  await page.waitForURL(`**/console/#c=${gId}`);
  assert.deepEqual(page.errors, [], 'no console or CSP errors');
});
