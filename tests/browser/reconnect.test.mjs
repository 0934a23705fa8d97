// Browser test 4 (issue 5): the widget's WebSocket is cut mid-conversation
// because the server restarts (same data directory, same port). Messages that
// the agent sends while the customer's page is disconnected arrive after the
// reconnect, and no message is missing or shown twice: the widget's log must
// equal the server's stored conversation, seq for seq.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stopServer, login, api, sleep, createConversation, handoff } from '../integration/helpers.mjs';
import { testBrowser, newPage, shot, shopWidget, consoleLogin, serverWithAgents, restartOnSamePort, TIMEOUT, LIVE_MS, annaClaimsAndWrites } from './helpers.mjs';

async function stored(h, convId, token) {
  const r = await api(h.srv, 'GET', `/api/v1/conversations/${convId}`, { token });
  assert.equal(r.status, 200, r.text);
  return r.json.messages.map((m) => [m.seq, m.sender, m.text]);
}

async function shownEqualsStored(page, w, h, convId, token) {
  const want = await stored(h, convId, token);
  const last = want[want.length - 1][0];
  await page.waitForFunction(
    (s) => [...document.querySelector('loket-widget').shadowRoot.querySelectorAll('[role=log] .msg')].some((m) => Number(m.dataset.seq) === s),
    last,
    { timeout: TIMEOUT },
  );
  const got = (await w.transcript()).map((m) => [m.seq, m.sender, m.text]);
  const seqs = got.map((g) => g[0]);
  assert.equal(new Set(seqs).size, seqs.length, `a message is shown twice: ${seqs}`);
  assert.deepEqual(got, want, 'the widget shows exactly the stored conversation, in order');
  return got;
}

test('after a server restart the widget resumes: nothing missing, nothing doubled', async (t) => {
  const h = await serverWithAgents(t);
  const browser = await testBrowser(t);
  const page = await newPage(browser);

  // A conversation with the bot, handed over, claimed by Anna (through the API).
  const w = await shopWidget(page, h.base);
  const convId = await w.handOver('Waar is mijn pakket?');
  const token = await w.token();
  assert.ok(token, 'the widget keeps its token in sessionStorage');

  let anna = await annaClaimsAndWrites(h, convId, 'Hoi, ik kijk even mee. (1)');
  let r;
  await w.bySender('agent').filter({ hasText: '(1)' }).waitFor({ timeout: LIVE_MS });
  await shownEqualsStored(page, w, h, convId, token);

  // Restart: the socket drops.
  await stopServer(h.srv);
  await page.locator('loket-widget .conn').waitFor({ state: 'visible', timeout: TIMEOUT });
  await shot(page, '4-widget-offline');
  await restartOnSamePort(h);

  // While the page may still be reconnecting, the agent writes twice.
  anna = await login(h.srv, 'anna@example.com', 'zonnige-dag-aan-zee');
  for (const n of [2, 3]) {
    r = await anna.req('POST', `/api/v1/agent/conversations/${convId}/messages`, { body: { text: `Nog even geduld. (${n})` } });
    assert.equal(r.status, 201, r.text);
  }
  await shownEqualsStored(page, w, h, convId, token);
  await page.locator('loket-widget .conn').waitFor({ state: 'hidden', timeout: TIMEOUT });

  // The conversation goes on over the new socket, both ways.
  await w.say('Het ordernummer is 12345.', { expectReply: false });
  r = await anna.req('POST', `/api/v1/agent/conversations/${convId}/messages`, { body: { text: 'Gevonden, het pakket komt morgen. (4)' } });
  assert.equal(r.status, 201, r.text);
  await w.bySender('agent').filter({ hasText: '(4)' }).waitFor({ timeout: LIVE_MS });

  // A second drop, this time a crash (SIGKILL), and a reload on top.
  h.srv.proc.kill('SIGKILL');
  await h.srv.exited;
  await restartOnSamePort(h);
  anna = await login(h.srv, 'anna@example.com', 'zonnige-dag-aan-zee');
  r = await anna.req('POST', `/api/v1/agent/conversations/${convId}/messages`, { body: { text: 'Nog één ding. (5)' } });
  assert.equal(r.status, 201, r.text);
  const got = await shownEqualsStored(page, w, h, convId, token);
  await sleep(500); // a late duplicate would show up now
  assert.deepEqual((await w.transcript()).map((m) => [m.seq, m.sender, m.text]), got);
  await page.reload();
  await shownEqualsStored(page, w, h, convId, token);
  await shot(page, '4-widget-after-restarts');

  assert.equal(await w.bySender('agent').count(), 5);
  // refused connections while the server was down are expected; nothing else
  assert.deepEqual(page.errors.filter((e) => !/WebSocket connection to .* failed/.test(e)), []);
});

test('after a server restart the console reconnects and catches up', async (t) => {
  const h = await serverWithAgents(t);
  const browser = await testBrowser(t);
  const page = await newPage(browser);
  await consoleLogin(page, h.base, 'anna@example.com', 'zonnige-dag-aan-zee');
  await page.locator('#live[data-state=live]').waitFor();

  await stopServer(h.srv);
  await page.locator('#live[data-state=offline]').waitFor({ timeout: TIMEOUT });
  await restartOnSamePort(h);
  // queued while the console is still disconnected: the stream has no
  // backlog, so the console must read the queue again when it reconnects
  const early = await createConversation(h.srv, { language: 'en' });
  await handoff(h.srv, early);
  await page.locator('#live[data-state=live]').waitFor({ timeout: TIMEOUT });
  await page.locator(`#queue-list li[data-id="${early.id}"]`).waitFor({ timeout: LIVE_MS });
  // and live again afterwards (the session survived the restart)
  const late = await createConversation(h.srv);
  await handoff(h.srv, late);
  await page.locator(`#queue-list li[data-id="${late.id}"]`).waitFor({ timeout: LIVE_MS });
  const order = await page.locator('#queue-list li').evaluateAll((li) => li.map((l) => l.dataset.id));
  assert.deepEqual(order, [early.id, late.id], 'oldest first');
  await shot(page, '4-console-after-restart');
  assert.deepEqual(page.errors.filter((e) => !/WebSocket connection to .* failed/.test(e)), []);
});

// Issue 17: the code above that connects and backs off is one file,
// web/shared/socket.js, for the widget and the console (and so is the
// reading of API answers, web/shared/answer.js). The console loads
// it as /shared/socket.js; the widget is still one script on a customer's
// page, with that same code inside (loket inlines it when it embeds web/),
// and it leaves no global behind.
test('the widget and the console run the same WebSocket code; the widget stays one script', async (t) => {
  const h = await serverWithAgents(t);
  const shared = await (await fetch(h.base + '/shared/socket.js')).text();
  const served = await (await fetch(h.base + '/widget.js')).text();
  assert.ok(!/@include/.test(served), 'no include line is left in the served widget');
  const body = shared.slice(shared.indexOf('function loketSocket('));
  assert.ok(body.length > 500 && served.includes(body.trimEnd()), 'the served widget holds web/shared/socket.js');
  // and the reading of API answers (web/shared/answer.js), in the widget and in every console page's common.js
  const answerSrc = await (await fetch(h.base + '/shared/answer.js')).text();
  const answer = answerSrc.slice(answerSrc.indexOf('function loketAnswer(')).trimEnd();
  const common = await (await fetch(h.base + '/console/common.js')).text();
  assert.ok(answer.length > 300 && served.includes(answer) && common.includes(answer), 'one answer reader in both');
  assert.ok(!/@include/.test(common), 'no include line is left in common.js');

  const browser = await testBrowser(t);
  const page = await newPage(browser);
  const scripts = [];
  page.on('request', (r) => {
    if (r.resourceType() === 'script') scripts.push(new URL(r.url()).pathname);
  });
  const w = await shopWidget(page, h.base);
  await w.open();
  await w.say('Waar is mijn pakket?');
  await page.waitForFunction(() => window.__loketWidget.state().connected, null, { timeout: TIMEOUT });
  assert.deepEqual(scripts, ['/widget.js'], 'the shop page loads one script from loket');
  assert.equal(await page.evaluate(() => typeof window.loketSocket), 'undefined', 'the widget keeps its socket code to itself');

  await consoleLogin(page, h.base, 'anna@example.com', 'zonnige-dag-aan-zee');
  await page.locator('#live[data-state=live]').waitFor();
  assert.ok(scripts.includes('/shared/socket.js'), `the console loads the shared file: ${scripts}`);
  assert.equal(await page.evaluate(() => window.loketSocket.toString()), body.trimEnd(), 'the console runs the same code');
  assert.deepEqual(page.errors, []);
});
