// Issue 15, part 4, in a real Chromium: when the bot is unsure it offers the
// close articles as buttons in the widget (beside the person button); the
// buttons work with the keyboard, pass axe, send the pick and show the
// answer; only the last offer keeps its buttons; "Geen van deze" hands over;
// the console lists the offered choices and the dashboard counts offers and picks.
// The knowledge base is tests/integration/choices_kb.json.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startChoicesServer, UNSURE_NL } from '../integration/choices_fixture.mjs';
import { testBrowser, newPage, shot, shopWidget, axeAudit, addUser, consoleLogin, TIMEOUT } from './helpers.mjs';

const active = (page) =>
  page.evaluate(() => {
    const a = document.querySelector('loket-widget').shadowRoot.activeElement;
    return a ? a.textContent.trim() : null;
  });

// A server with the choices knowledge base, and a customer who asked it the
// question it is unsure about in the open widget.
async function unsureQuestion(t) {
  const srv = await startChoicesServer({ t });
  const browser = await testBrowser(t);
  const page = await newPage(browser);
  const w = await shopWidget(page, srv.base);
  await w.launcher.waitFor();
  await w.open();
  await w.say(UNSURE_NL);
  return { srv, browser, page, w };
}

test('the widget shows the choices as buttons; a pick is answered; "none of these" hands over', async (t) => {
  const { srv, browser, page, w } = await unsureQuestion(t);
  const group = page.locator('loket-widget .msg[data-sender=bot] .choices');
  await group.waitFor();
  assert.equal(await group.getAttribute('role'), 'group');
  assert.equal(await group.getAttribute('aria-label'), 'Kies een onderwerp');
  const buttons = group.getByRole('button');
  assert.deepEqual((await buttons.allTextContents()).sort(), ['Geen van deze', 'Kleding retourneren', 'Schoenen retourneren']);
  assert.ok(await w.human.isVisible(), 'the person button stays in sight beside the choices');
  const problems = await axeAudit(t, page, 'widget with choices');
  assert.deepEqual(problems, [], problems.join('\n'));
  await shot(page, 'choices-offer');

  // Keyboard only: Tab from the text box backwards reaches the choices; Enter picks.
  await w.input.focus();
  let reached = false;
  for (let i = 0; i < 12 && !reached; i++) {
    await page.keyboard.press('Shift+Tab');
    reached = (await active(page)) === 'Schoenen retourneren';
  }
  assert.ok(reached, 'the choice buttons are reachable with the keyboard');
  const before = await w.maxSeq();
  await page.keyboard.press('Enter');
  await page.waitForFunction(
    (b) => [...document.querySelector('loket-widget').shadowRoot.querySelectorAll('[role=log] .msg[data-sender=bot]')].some((m) => Number(m.dataset.seq) > b),
    before,
    { timeout: TIMEOUT },
  );
  const tr = await w.transcript();
  const mine = tr.filter((m) => m.seq > before);
  assert.equal(mine[0].sender, 'customer');
  assert.equal(mine[0].text, 'Schoenen retourneren');
  assert.equal(mine[1].sender, 'bot');
  assert.match(mine[1].text, /originele doos/);
  // the picked offer has no buttons left; focus went back to the text box
  await page.waitForFunction(() => !document.querySelector('loket-widget').shadowRoot.querySelector('.choices'), null, { timeout: TIMEOUT });
  assert.equal(await page.evaluate(() => document.querySelector('loket-widget').shadowRoot.activeElement?.id), 'lk-input');
  // the answer to the pick is a bot answer with the "did this help?" buttons
  assert.equal(await page.locator(`loket-widget .msg[data-seq="${mine[1].seq}"] .fb button`).count(), 2);
  assert.equal((await w.conversation()).status, 'bot');

  // A new offer, then "Geen van deze": handed over to a person.
  await w.say(UNSURE_NL);
  await group.waitFor();
  assert.equal(await page.locator('loket-widget .choices').count(), 1, 'only the last offer has buttons');
  await page.locator('loket-widget .choices button.none').click();
  await page.waitForFunction(
    () => [...document.querySelector('loket-widget').shadowRoot.querySelectorAll('[role=log] .msg[data-sender=system]')].length > 0,
    null,
    { timeout: TIMEOUT },
  );
  await page.locator('loket-widget .who .pill').filter({ hasText: 'Wachten op een medewerker' }).waitFor();
  const last = await w.transcript();
  assert.ok(last.some((m) => m.sender === 'customer' && m.text === 'Geen van deze'));
  assert.equal(await page.locator('loket-widget .choices').count(), 0, 'no choices while a person has it');
  await shot(page, 'choices-none');
  assert.deepEqual(page.errors, []);

  // The agent's console shows the offers readably: the titles offered, and
  // the answer the customer chose marked as chosen.
  const convId = (await w.conversation())?.conversation;
  assert.ok(convId, 'the widget knows its conversation');
  await addUser(srv.dataDir, { email: 'anna@example.com', password: 'zonnige-dag-aan-zee', name: 'Anna' });
  const agent = await newPage(browser);
  await consoleLogin(agent, srv.base, 'anna@example.com', 'zonnige-dag-aan-zee');
  const item = agent.locator(`#queue-list li[data-id="${convId}"]`);
  await item.waitFor();
  await item.locator('button').click();
  await agent.locator('#conv-view').waitFor();
  const offers = agent.locator('#transcript .m[data-sender=bot] .offer');
  await offers.first().waitFor();
  assert.equal(await offers.count(), 2, 'both offers are in the transcript');
  assert.deepEqual(await offers.first().locator('li').evaluateAll((l) => l.map((x) => x.dataset.article).sort()), ['retour-kleding', 'retour-schoenen']);
  assert.match(await offers.first().textContent(), /Keuzes die de bot aanbood/);
  assert.match(await offers.first().textContent(), /Schoenen retourneren/);
  assert.match(await agent.locator('#transcript').textContent(), /door de klant gekozen/);
  const problems2 = await axeAudit(t, agent, 'console with a choice message');
  assert.deepEqual(problems2, [], problems2.join('\n'));
  await shot(agent, 'choices-console');
  assert.deepEqual(agent.errors, []);

  // The dashboard (team leads) counts the offers and the picks: two offers,
  // one picked.
  await addUser(srv.dataDir, { email: 'sam@example.com', password: 'zonnige-dag-aan-zee', name: 'Sam', role: 'supervisor' });
  const lead = await newPage(browser);
  await consoleLogin(lead, srv.base, 'sam@example.com', 'zonnige-dag-aan-zee');
  await lead.goto(srv.base + '/console/dashboard.html');
  const offered = lead.locator('#kpis [data-figure="bot_choices_offered"]');
  await offered.waitFor();
  assert.equal(await offered.textContent(), '2');
  assert.equal(await lead.locator('#kpis [data-figure="choice_pick_rate"]').getAttribute('data-value'), '0.5');
  assert.match(await lead.locator('#kpis').textContent(), /Keer dat de assistent keuzes aanbood/);
  assert.deepEqual(lead.errors, []);
});

test('a reload shows the offer again with its buttons', async (t) => {
  const { srv, browser, page, w } = await unsureQuestion(t);
  await page.locator('loket-widget .choices').waitFor();
  await page.reload();
  await w.launcher.waitFor();
  await w.open();
  const group = page.locator('loket-widget .choices');
  await group.waitFor();
  assert.equal(await group.getByRole('button').count(), 3);
  // and the pick still works after the reload
  await group.getByRole('button', { name: 'Kleding retourneren' }).click();
  await page.waitForFunction(() => !document.querySelector('loket-widget').shadowRoot.querySelector('.choices'), null, { timeout: TIMEOUT });
  const tr = await w.transcript();
  assert.match(tr[tr.length - 1].text, /labels er nog aan/);
  assert.deepEqual(page.errors, []);
});
