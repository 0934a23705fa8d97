// Browser test 5 (issue 5): accessibility. axe-core (@axe-core/playwright)
// on the widget in each of its states and on every view of the console:
// no serious or critical violation of WCAG 2.1 A/AA. Also what axe cannot
// see: the widget works with the keyboard alone (open, type, send, reach the
// person button, Escape closes and gives focus back), and at 200% zoom
// (a viewport of half the size) the panel fits and its controls stay visible.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testBrowser, newPage, shot, shopWidget, consoleLogin, serverWithAgents, TIMEOUT, axeAudit, annaClaimsAndWrites } from './helpers.mjs';



test('the widget: axe, keyboard only, 200% zoom', async (t) => {
  const h = await serverWithAgents(t);
  const browser = await testBrowser(t);
  const page = await newPage(browser);
  const w = await shopWidget(page, h.base);
  await w.launcher.waitFor();
  const problems = [];
  problems.push(...(await axeAudit(t, page, 'shop page, widget closed')));

  // Keyboard only: Tab to the launcher (it comes after the page's own links).
  let found = false;
  for (let i = 0; i < 80 && !found; i++) {
    await page.keyboard.press('Tab');
    found = await page.evaluate(() => {
      const host = document.querySelector('loket-widget');
      return document.activeElement === host && host.shadowRoot.activeElement?.classList.contains('launcher');
    });
  }
  assert.ok(found, 'the launcher is reachable with Tab');
  await page.keyboard.press('Enter');
  await w.panel.waitFor({ state: 'visible' });
  await w.messages.first().waitFor();
  assert.equal(await page.evaluate(() => document.querySelector('loket-widget').shadowRoot.activeElement?.id), 'lk-input', 'opening puts the focus in the text box');
  await page.keyboard.type('Wat zijn de verzendkosten?');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('loket-widget').shadowRoot.querySelectorAll('[role=log] .msg[data-sender=bot]').length >= 2, null, { timeout: TIMEOUT });
  // the log is a polite live region with a name
  assert.equal(await w.log.getAttribute('aria-live'), 'polite');
  assert.ok(await w.log.getAttribute('aria-label'));
  // Tab on reaches the person button, then the alternatives
  const order = [];
  for (let i = 0; i < 6; i++) {
    await page.keyboard.press('Tab');
    order.push(await page.evaluate(() => {
      const a = document.querySelector('loket-widget').shadowRoot.activeElement;
      return a ? (a.className || a.tagName) + ':' + a.textContent.trim().slice(0, 30) : 'outside';
    }));
  }
  t.diagnostic(`tab order after the text box: ${order.join(' → ')}`);
  assert.ok(order.some((o) => o.startsWith('btn:')), 'Tab reaches the send button');
  assert.ok(order.some((o) => /Bel 020 123 4567/.test(o)), 'Tab reaches the phone number');
  // shift-tab back to the person button and press it with Space
  await page.locator('loket-widget button.human').focus();
  await page.keyboard.press('Space');
  await w.queue.waitFor({ state: 'visible' });
  await shot(page, '5-widget-queued');
  problems.push(...(await axeAudit(t, page, 'widget open, queued')));

  // Escape closes, focus returns to the launcher
  await page.keyboard.press('Escape');
  await w.panel.waitFor({ state: 'hidden' });
  assert.equal(await page.evaluate(() => document.querySelector('loket-widget').shadowRoot.activeElement?.classList.contains('launcher')), true, 'focus back on the launcher');

  // closed: the rating form
  const { conversation: convId } = await w.conversation();
  const anna = await annaClaimsAndWrites(h, convId, 'Hallo, ik ben Anna.');
  const r = await anna.req('POST', `/api/v1/agent/conversations/${convId}/close`, { body: { disposition: 'resolved' } });
  assert.equal(r.status, 200, r.text);
  await w.launcher.click();
  await w.rating.waitFor({ state: 'visible' });
  await shot(page, '5-widget-rating');
  problems.push(...(await axeAudit(t, page, 'widget with the rating form')));
  // keyboard rating: arrow keys move between the stars
  await page.locator('loket-widget #lk-star-3').focus();
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.locator('loket-widget #lk-star-4').isChecked(), true);

  // 200% zoom: a 1280x860 screen at 200% is a 640x430 viewport
  await page.setViewportSize({ width: 640, height: 430 });
  await page.waitForTimeout(100);
  const box = await w.panel.boundingBox();
  assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.width <= 640.5 && box.y + box.height <= 430.5, `the panel fits: ${JSON.stringify(box)}`);
  for (const l of [w.input, w.human, page.locator('loket-widget .x')]) {
    const b = await l.boundingBox();
    assert.ok(b && b.y >= 0 && b.y + b.height <= 430.5, 'controls stay in view at 200%');
  }
  await shot(page, '5-widget-zoom-200');
  problems.push(...(await axeAudit(t, page, 'widget at 200% zoom')));

  // English interface
  await page.setViewportSize({ width: 1280, height: 860 });
  await w.say('How much are the shipping costs?');
  await page.waitForFunction(() => document.querySelector('loket-widget').shadowRoot.querySelector('button.human').textContent === 'Talk to a person', null, { timeout: TIMEOUT });
  problems.push(...(await axeAudit(t, page, 'widget in English')));

  assert.deepEqual(problems, [], 'no serious or critical axe violations in the widget');
  assert.deepEqual(page.errors, []);
});

test('the console: axe on login, queue, conversation and users', async (t) => {
  const h = await serverWithAgents(t, { admin: true });
  const browser = await testBrowser(t);
  const page = await newPage(browser);
  const problems = [];

  // something in the queue, and one conversation to open
  const customer = await newPage(browser);
  const w = await shopWidget(customer, h.base);
  const convId = await w.handOver('Mijn pakket is beschadigd aangekomen');

  await page.goto(h.base + '/console/');
  await page.locator('#login-form').waitFor();
  await shot(page, '5-console-login');
  problems.push(...(await axeAudit(t, page, 'console login')));
  // a failed login is announced
  await page.locator('#login-email').fill('ada@example.com');
  await page.locator('#login-password').fill('wrong-password');
  await page.locator('#login-password').press('Enter');
  await page.locator('#login-error').getByText(/klopt niet|wrong/).waitFor();
  assert.equal(await page.locator('#login-error').getAttribute('role'), 'alert');

  await consoleLogin(page, h.base, 'ada@example.com', 'zonnige-dag-aan-zee');
  await page.locator(`#queue-list li[data-id="${convId}"]`).waitFor();
  await shot(page, '5-console-queue');
  problems.push(...(await axeAudit(t, page, 'console queue')));

  await page.locator(`#queue-list li[data-id="${convId}"] button`).click();
  await page.locator('#conv-view').waitFor();
  await page.getByRole('button', { name: 'Oppakken' }).click();
  await page.locator('#reply-text:not([disabled])').waitFor();
  await page.locator('#reply-text').fill('Wat vervelend! Ik regel een nieuw exemplaar voor je.');
  await page.locator('#reply-text').press('Enter');
  await page.locator('#transcript .m[data-sender=agent]').waitFor();
  await page.locator('#note-text').fill('Nieuw exemplaar besteld.');
  await page.getByRole('button', { name: 'Notitie toevoegen' }).click();
  await page.locator('#notes-list li[data-id]').waitFor();
  await page.locator('#main').evaluate((m) => (m.scrollTop = 0));
  await shot(page, '5-console-conversation');
  problems.push(...(await axeAudit(t, page, 'console conversation')));

  await page.getByRole('button', { name: 'Gebruikers beheren' }).click();
  await page.locator('#users-body tr').first().waitFor();
  assert.ok((await page.locator('#users-body tr').count()) >= 2);
  await page.locator('#nu-name').fill('Bram');
  await page.locator('#nu-email').fill('bram@example.com');
  await page.locator('#nu-role').selectOption('supervisor');
  await page.locator('#nu-password').fill('zonnige-dag-aan-zee');
  await page.getByRole('button', { name: 'Toevoegen' }).click();
  await page.locator('#users-body').getByText('bram@example.com').waitFor();
  await shot(page, '5-console-users');
  problems.push(...(await axeAudit(t, page, 'console users')));

  // 200% zoom
  await page.setViewportSize({ width: 640, height: 430 });
  await page.locator(`#mine-list li[data-id="${convId}"] button`).click();
  await page.locator('#conv-view').waitFor();
  await shot(page, '5-console-zoom-200');
  problems.push(...(await axeAudit(t, page, 'console at 200% zoom')));

  assert.deepEqual(problems, [], 'no serious or critical axe violations in the console');
  assert.deepEqual(page.errors, []);
});
