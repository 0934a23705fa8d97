// Browser test 2 (issue 5): the customer presses "Praat met een medewerker";
// an agent, logged in to the console in a second browser context, sees the
// conversation appear in the queue without reloading, claims it, sees the
// hand-off summary, replies; the customer sees the reply live, labelled as a
// person with the agent's name; the customer reloads and the history is
// intact. Then: an internal note never reaches the customer, and closing the
// conversation brings the customer the rating.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { login } from '../integration/helpers.mjs';
import { testBrowser, newPage, shot, shopWidget, consoleLogin, serverWithAgents, customerAndAgent, TIMEOUT, LIVE_MS } from './helpers.mjs';

test('hand-off to a person: queue, claim, summary, live reply, reload, rating', async (t) => {
  // The agent is logged in and watching an empty queue.
  const { h, browser, customer, agent } = await customerAndAgent(t);
  await agent.locator('#live[data-state=live]').waitFor();
  assert.equal(await agent.locator('#queue-list li').count(), 0);
  assert.match(await agent.locator('#me-name').textContent(), /Anna/);
  await shot(agent, '2-console-empty');

  // The customer asks something, then presses the person button.
  const w = await shopWidget(customer, h.base);
  await w.open();
  await w.say('Wat zijn de verzendkosten?');
  await w.human.click();
  await customer.waitForFunction(() => document.querySelector('loket-widget').shadowRoot.querySelector('.who .pill').textContent === 'Wachten op een medewerker', null, { timeout: TIMEOUT });
  await w.queue.waitFor({ state: 'visible' });
  assert.match(await w.queue.textContent(), /(nummer 1|de volgende) in de wachtrij/);
  assert.ok(await w.human.isHidden(), 'while queued the waiting state takes the person button\'s place (issue 14)');
  const { conversation: convId } = await w.conversation();
  assert.match(convId, /^c_/);
  await shot(customer, '2-customer-queued');

  // It appears in the agent's queue live: no reload (polling would take 10 s).
  const item = agent.locator(`#queue-list li[data-id="${convId}"]`);
  await item.waitFor({ timeout: LIVE_MS });
  assert.match(await item.textContent(), /Knop ‘medewerker’/);
  assert.match(await item.textContent(), /NL/);
  assert.match(await item.textContent(), /wacht/);
  await shot(agent, '2-console-queue');

  // The lists are drawn again on every live event: a row that stays keeps its
  // node, so the keyboard focus (and a click landing meanwhile) stays on it.
  await item.locator('button').focus();
  await agent.evaluate((id) => (window.__row = document.querySelector(`#queue-list li[data-id="${id}"] button`)), convId);
  const other = await newPage(browser);
  const w2 = await shopWidget(other, h.base);
  await w2.open();
  await w2.human.click();
  await agent.locator('#queue-list li').nth(1).waitFor({ timeout: LIVE_MS });
  assert.deepEqual(
    await agent.evaluate((id) => [window.__row.isConnected, window.__row === document.querySelector(`#queue-list li[data-id="${id}"] button`), document.activeElement === window.__row], convId),
    [true, true, true],
    'the first row is the same node, and still has the focus, after the second arrived',
  );
  await other.close();

  // Open it: the summary comes first; then claim.
  await item.locator('button').click();
  await agent.locator('#conv-view').waitFor();
  const summary = await agent.locator('#summary').textContent();
  assert.ok(summary.length > 20, `summary: ${summary}`);
  assert.match(summary, /verzendkosten/i, 'the summary quotes what the customer asked');
  const boxes = await agent.evaluate(() => ['.summary', '#transcript'].map((s) => document.querySelector(s).getBoundingClientRect().top));
  assert.ok(boxes[0] < boxes[1], 'the summary is above the transcript');
  const botMsgs = agent.locator('#transcript .m[data-sender=bot]');
  assert.ok((await botMsgs.count()) >= 2, 'the transcript holds the bot messages');
  assert.match(await botMsgs.first().textContent(), /automatisch/);
  assert.ok(await agent.locator('#reply-text').isDisabled(), 'no reply before claiming');
  await agent.getByRole('button', { name: 'Oppakken' }).click();
  await agent.locator(`#mine-list li[data-id="${convId}"]`).waitFor();
  await agent.locator('#reply-text:not([disabled])').waitFor();
  assert.equal(await agent.locator(`#queue-list li[data-id="${convId}"]`).count(), 0);

  // The customer's header now names the agent.
  await customer.waitForFunction(() => /Anna/.test(document.querySelector('loket-widget').shadowRoot.querySelector('.who .pill').textContent), null, { timeout: TIMEOUT });
  assert.equal(await w.who.textContent(), 'Anna (medewerker)');
  assert.ok(await w.queue.isHidden());

  // Reply; the customer sees it live, as a person.
  const reply = 'Hallo, ik ben Anna. De verzending is gratis vanaf 50 euro. Kan ik nog iets voor je doen?';
  await agent.locator('#reply-text').fill(reply);
  await agent.locator('#reply-text').press('Enter');
  await agent.locator('#transcript .m[data-sender=agent]').filter({ hasText: 'ik ben Anna' }).waitFor();
  const agentMsg = w.bySender('agent');
  await agentMsg.first().waitFor({ timeout: LIVE_MS });
  assert.equal(await agentMsg.count(), 1);
  const shown = (await w.transcript()).find((m) => m.sender === 'agent');
  assert.equal(shown.text, reply);
  assert.equal(shown.automated, false);
  assert.match(shown.label, /Anna · medewerker/);
  assert.doesNotMatch(shown.label, /automatisch/);
  await shot(customer, '2-customer-agent-reply');

  // The customer answers; the agent sees it live.
  await w.say('Nee, dank je wel!', { expectReply: false });
  await agent.locator('#transcript .m[data-sender=customer]').filter({ hasText: 'Nee, dank je wel!' }).waitFor({ timeout: LIVE_MS });

  // An internal note: in the console, never in the widget.
  await agent.locator('#note-text').fill('Klant vroeg naar verzendkosten; opgelost.');
  await agent.getByRole('button', { name: 'Notitie toevoegen' }).click();
  await agent.locator('#notes-list li').filter({ hasText: 'opgelost' }).waitFor();
  await shot(agent, '2-console-conversation');

  // Reload: the history is intact, shown once.
  const before = await w.transcript();
  await customer.reload();
  await w.panel.waitFor({ state: 'visible' });
  await customer.waitForFunction((n) => document.querySelector('loket-widget').shadowRoot.querySelectorAll('[role=log] .msg').length >= n, before.length, { timeout: TIMEOUT });
  const after = await w.transcript();
  assert.deepEqual(
    after.map((m) => [m.seq, m.sender, m.text]),
    before.map((m) => [m.seq, m.sender, m.text]),
  );
  assert.equal(await w.who.textContent(), 'Anna (medewerker)');
  assert.doesNotMatch(after.map((m) => m.text).join('\n'), /opgelost\./, 'the note is not shown to the customer');
  await shot(customer, '2-customer-after-reload');

  // Close with a disposition; the customer is asked for a rating.
  await agent.locator('#disposition').selectOption('resolved');
  await agent.getByRole('button', { name: 'Gesprek afsluiten' }).click();
  await agent.locator(`#closed-list li[data-id="${convId}"]`).waitFor();
  await w.rating.waitFor({ state: 'visible' });
  assert.equal(await w.who.textContent(), 'Digitale assistent (AI)');
  await customer.locator('loket-widget .stars label').nth(4).click();
  await customer.locator('loket-widget .rating textarea').fill('Snel geholpen, dank!');
  await shot(customer, '2-customer-rating');
  await customer.locator('loket-widget .rating button[type=submit]').click();
  await customer.locator('loket-widget .rating').getByText('Bedankt voor je beoordeling!').waitFor();
  const view = await agent.evaluate(async (id) => (await fetch('/api/v1/agent/conversations/' + id)).json(), convId);
  assert.equal(view.status, 'closed');
  assert.equal(view.rating, 5);
  assert.equal(view.disposition, 'resolved');

  assert.deepEqual(customer.errors, [], 'no errors in the shop page');
  assert.deepEqual(agent.errors, [], 'no errors in the console');
  assert.deepEqual(customer.bad, [], 'no failed requests from the shop page');
  // before logging in, the console asks who is logged in (401)
  assert.deepEqual(agent.bad.filter((b) => b !== '401 GET /api/v1/auth/me'), [], 'no other failed requests from the console');
});

test('a supervisor sees a colleague’s conversation live and takes it over', async (t) => {
  const h = await serverWithAgents(t, { supervisor: true });
  const browser = await testBrowser(t);
  const sup = await newPage(browser);
  await consoleLogin(sup, h.base, 'sam@example.com', 'zonnige-dag-aan-zee');
  await sup.locator('#live[data-state=live]').waitFor();
  assert.ok(await sup.locator('#all-section').isVisible(), 'supervisors see the open conversations of others');

  // a customer hands over, Anna claims (through the API) and replies
  const customer = await newPage(browser);
  const w = await shopWidget(customer, h.base);
  const convId = await w.handOver();
  await sup.locator(`#queue-list li[data-id="${convId}"]`).waitFor({ timeout: LIVE_MS });
  const anna = await login(h.srv, 'anna@example.com', 'zonnige-dag-aan-zee');
  let r = await anna.req('POST', `/api/v1/agent/conversations/${convId}/claim`);
  assert.equal(r.status, 200, r.text);
  const other = sup.locator(`#all-list li[data-id="${convId}"]`);
  await other.waitFor({ timeout: LIVE_MS });
  assert.equal(await sup.locator(`#queue-list li[data-id="${convId}"]`).count(), 0, 'claimed: gone from the queue, live');

  // one real wait behind us is no ground for an estimate (issue 14): the
  // next customer hears their place and what happens next, and no figure
  const second = await newPage(browser);
  const w2 = await shopWidget(second, h.base);
  await w2.open();
  await w2.human.click();
  await w2.queue.waitFor({ state: 'visible' });
  await second.waitForFunction(() => /de volgende in de wachtrij/.test(document.querySelector('loket-widget').shadowRoot.querySelector('.queue').textContent), null, { timeout: TIMEOUT });
  const waiting = await w2.queue.textContent();
  assert.match(waiting, /Je bent de volgende in de wachtrij\./);
  assert.match(waiting, /Zodra een medewerker vrij is/);
  assert.doesNotMatch(waiting, /wachttijd/i, 'no estimate from one wait');
  await shot(second, '2-customer-wait-estimate');

  // Sam opens it and assigns it to himself
  await other.locator('button').click();
  await sup.locator('#conv-view').waitFor();
  assert.ok(await sup.locator('#reply-text').isDisabled(), 'a colleague’s conversation: no reply box');
  await sup.locator('#assign-wrap').waitFor();
  await sup.locator('#assign-user').selectOption({ label: 'Sam (jij)' });
  await sup.getByRole('button', { name: 'Toewijzen', exact: true }).click();
  await sup.locator(`#mine-list li[data-id="${convId}"]`).waitFor({ timeout: LIVE_MS });
  await sup.locator('#reply-text:not([disabled])').waitFor();
  await sup.locator('#reply-text').fill('Hallo, ik ben Sam, ik neem het over.');
  await sup.locator('#reply-text').press('Enter');
  await w.bySender('agent').filter({ hasText: 'ik ben Sam' }).waitFor({ timeout: LIVE_MS });
  await customer.waitForFunction(() => /Sam/.test(document.querySelector('loket-widget').shadowRoot.querySelector('.who .pill').textContent), null, { timeout: TIMEOUT });
  await shot(sup, '2-console-supervisor');

  // a new customer message in one of my conversations, while another is open
  await sup.evaluate(() => history.replaceState(null, '', location.pathname));
  await sup.reload();
  await sup.locator('#live[data-state=live]').waitFor();
  // the unread mark needs the list of my conversations, read over HTTP
  await sup.locator(`#mine-list li[data-id="${convId}"]`).waitFor({ timeout: LIVE_MS });
  await w.say('Fijn, dank je.', { expectReply: false });
  await sup.locator(`#mine-list li[data-id="${convId}"] .unread`).waitFor({ timeout: LIVE_MS });
  assert.deepEqual(sup.errors, []);
});

// The person button pressed while a message is under way: two requests in
// flight whose replies can arrive in either order. The message's reply (the
// conversation still with the bot) is held back in the browser until the
// hand-off has been answered; when it comes, it must not undo the hand-off.
test('a late reply to a message does not undo the hand-off pressed after it', async (t) => {
  const h = await serverWithAgents(t);
  const browser = await testBrowser(t);
  const customer = await newPage(browser);
  const w = await shopWidget(customer, h.base);
  await w.open();

  let answered, release;
  const serverAnswered = new Promise((r) => (answered = r));
  const released = new Promise((r) => (release = r));
  await customer.route(/\/api\/v1\/conversations\/[^/]+\/messages$/, async (route) => {
    const response = await route.fetch(); // the server has stored the turn
    answered();
    await released;
    await route.fulfill({ response });
  });
  await w.input.fill('Wat zijn de verzendkosten?');
  await w.input.press('Enter');
  await serverAnswered;
  await w.human.click();
  const pill = () => w.who.textContent();
  await customer.waitForFunction(() => document.querySelector('loket-widget').shadowRoot.querySelector('.who .pill').textContent === 'Wachten op een medewerker', null, { timeout: TIMEOUT });
  await w.queue.waitFor({ state: 'visible' });

  const reread = customer.waitForResponse((r) => r.request().method() === 'GET' && /\/api\/v1\/conversations\/[^/]+$/.test(r.url()), { timeout: TIMEOUT });
  release();
  await customer.locator('loket-widget .compose button[type=submit]:not([aria-disabled])').waitFor({ timeout: TIMEOUT });
  assert.equal(await pill(), 'Wachten op een medewerker', 'the older reply was not applied');
  assert.ok(await w.queue.isVisible(), 'still shown in the queue');
  // the fresh read that the widget makes instead agrees
  await reread;
  await customer.waitForTimeout(300);
  assert.equal(await pill(), 'Wachten op een medewerker');
  assert.ok(await w.queue.isVisible());
  const tr = await w.transcript();
  assert.equal(tr.filter((m) => m.sender === 'customer').length, 1, 'the message is shown once');
  assert.deepEqual(tr.map((m) => m.seq), tr.map((_, i) => i + 1), 'every message once, in order');
  assert.deepEqual(customer.errors, []);
});
