// Browser test 3 (issue 5): text that looks like HTML is shown as text, in
// the widget and in the console: a customer's message, an agent's reply and
// an internal note. No element is created from it, no script runs, no dialog
// opens.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shot, shopWidget, customerAndAgent, LIVE_MS } from './helpers.mjs';

const XSS = '<img src=x onerror=alert(1)>';
const XSS2 = '<script>alert(2)</script><b onmouseover=alert(3)>vet</b> & "quotes"';
const XSS_AGENT = '<img src=y onerror=alert(4)> <a href="javascript:alert(5)">klik</a>';
const XSS_NOTE = '<svg onload=alert(6)></svg><iframe src="javascript:alert(7)"></iframe>';

// Counts elements that the payloads would create if they were parsed as HTML.
async function injected(page) {
  return page.evaluate(() => {
    const roots = [document];
    const host = document.querySelector('loket-widget');
    if (host && host.shadowRoot) roots.push(host.shadowRoot);
    let n = 0;
    for (const r of roots)
      n += r.querySelectorAll('img[src=x], img[src=y], script:not([src]), b[onmouseover], svg[onload], iframe, a[href^="javascript:"]').length;
    return n;
  });
}

test('customer, agent and note texts are shown as text, never as HTML', async (t) => {
  const { h, customer, agent } = await customerAndAgent(t);

  const w = await shopWidget(customer, h.base);
  await w.open();
  await w.say(XSS);
  await w.say(XSS2);
  // two answers the bot could not give hand over by themselves; then the
  // waiting state has taken the person button's place (issue 14)
  if (await w.human.isVisible()) await w.human.click();
  await w.queue.waitFor({ state: 'visible' });
  const { conversation: convId } = await w.conversation();

  // the widget shows both texts literally
  let tr = await w.transcript();
  const mine = tr.filter((m) => m.sender === 'customer').map((m) => m.text);
  assert.deepEqual(mine, [XSS, XSS2]);

  // the console: in the queue, then open and claim
  const item = agent.locator(`#queue-list li[data-id="${convId}"]`);
  await item.waitFor({ timeout: LIVE_MS });
  await item.locator('button').click();
  await agent.getByRole('button', { name: 'Oppakken' }).click();
  await agent.locator('#reply-text:not([disabled])').waitFor();
  const shownInConsole = await agent.locator('#transcript .m[data-sender=customer] .txt').allTextContents();
  assert.deepEqual(shownInConsole, [XSS, XSS2]);
  // the summary quotes the customer: as text as well
  const summary = await agent.locator('#summary').textContent();
  assert.equal(await agent.locator('#summary *').count(), 0, 'the summary is plain text');
  t.diagnostic(`summary: ${summary}`);

  // the agent's reply and a note, with markup in them
  await agent.locator('#reply-text').fill(XSS_AGENT);
  await agent.locator('#reply-text').press('Enter');
  await agent.locator('#transcript .m[data-sender=agent] .txt').first().waitFor();
  assert.equal(await agent.locator('#transcript .m[data-sender=agent] .txt').first().textContent(), XSS_AGENT);
  await agent.locator('#note-text').fill(XSS_NOTE);
  await agent.getByRole('button', { name: 'Notitie toevoegen' }).click();
  await agent.locator('#notes-list li .nt').first().waitFor({ timeout: 30000 });
  assert.equal(await agent.locator('#notes-list li .nt').first().textContent(), XSS_NOTE,
    `note error shown: ${await agent.locator('#conv-error').textContent()}`);

  await w.bySender('agent').first().waitFor({ timeout: LIVE_MS });
  tr = await w.transcript();
  assert.equal(tr.find((m) => m.sender === 'agent').text, XSS_AGENT);
  assert.ok(!tr.some((m) => m.text.includes('<svg onload')), 'the note does not reach the customer');

  // give any handler a moment to fire, then look for its traces
  await customer.waitForTimeout(300);
  await agent.waitForTimeout(300);
  await shot(customer, '3-widget-xss');
  await shot(agent, '3-console-xss');
  assert.equal(await injected(customer), 0, 'no element from the payloads in the widget');
  assert.equal(await injected(agent), 0, 'no element from the payloads in the console');
  assert.deepEqual(customer.dialogs, [], 'no dialog opened in the shop page');
  assert.deepEqual(agent.dialogs, [], 'no dialog opened in the console');
  assert.deepEqual(customer.errors, []);
  assert.deepEqual(agent.errors, []);
  assert.ok(!customer.bad.some((b) => /\/(x|y)$/.test(b)), `nothing loaded from the payloads: ${customer.bad}`);
  assert.ok(!agent.bad.some((b) => /\/(x|y)$/.test(b)), `nothing loaded from the payloads: ${agent.bad}`);
});
