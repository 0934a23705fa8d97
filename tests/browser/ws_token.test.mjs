// The widget keeps the customer's token out of its WebSocket's URL (issue
// 16, docs/widget.md): it opens /ws?after=SEQ and sends the token as the
// socket's first message, so that no proxy or access log gets it. Live
// updates still arrive, also after the socket was cut and reopened.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { login, stopServer } from '../integration/helpers.mjs';
import { testBrowser, newPage, shopWidget, serverWithAgents, restartOnSamePort, TIMEOUT, LIVE_MS, annaClaimsAndWrites } from './helpers.mjs';

test('the widget sends its token in the WebSocket\'s first message, not in the URL, and live updates arrive', async (t) => {
  const h = await serverWithAgents(t);
  const browser = await testBrowser(t);
  const page = await newPage(browser);
  const sockets = [];
  page.on('websocket', (ws) => {
    const s = { url: ws.url(), sent: [] };
    ws.on('framesent', (f) => s.sent.push(String(f.payload)));
    sockets.push(s);
  });

  const w = await shopWidget(page, h.base);
  const convId = await w.handOver('Waar is mijn pakket?');
  const token = await w.token();
  assert.ok(token);

  // an agent's message arrives live, over the socket
  await annaClaimsAndWrites(h, convId, 'Hoi, ik kijk mee. (live)');
  let r;
  await w.bySender('agent').filter({ hasText: '(live)' }).waitFor({ timeout: LIVE_MS });

  // the socket is cut (a server restart): the widget reopens it the same
  // way and resumes; what the agent wrote meanwhile arrives once
  const before = sockets.length;
  await stopServer(h.srv);
  await page.locator('loket-widget .conn').waitFor({ state: 'visible', timeout: TIMEOUT });
  await restartOnSamePort(h);
  const anna2 = await login(h.srv, 'anna@example.com', 'zonnige-dag-aan-zee');
  r = await anna2.req('POST', `/api/v1/agent/conversations/${convId}/messages`, { body: { text: 'Nog even geduld. (weer live)' } });
  assert.equal(r.status, 201, r.text);
  await w.bySender('agent').filter({ hasText: '(weer live)' }).waitFor({ timeout: TIMEOUT });
  await page.locator('loket-widget .conn').waitFor({ state: 'hidden', timeout: TIMEOUT });
  assert.ok(sockets.length > before, 'a new WebSocket after the restart');
  assert.equal(await w.bySender('agent').count(), 2, 'each agent message once');

  // every socket the widget tried (also the refused ones while the server
  // was down) had a URL without the token; each that opened sent it first
  for (const s of sockets) {
    assert.ok(!s.url.includes('token'), `no token parameter in ${s.url}`);
    assert.ok(!s.url.includes(token), `the token is not in ${s.url}`);
    assert.match(s.url, new RegExp(`/api/v1/conversations/${convId}/ws\\?after=\\d+$`));
  }
  const opened = sockets.filter((s) => s.sent.length > 0);
  assert.ok(opened.length >= 2, `two sockets opened (before and after the restart), got ${opened.length}`);
  for (const s of opened) assert.deepEqual(JSON.parse(s.sent[0]), { type: 'auth', token }, 'the first message carries the token');
});
