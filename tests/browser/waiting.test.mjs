// Browser test (issue 14): honest waiting in the widget. While the customer
// waits for a person, the waiting state takes the place of the "Praat met een
// medewerker" button: where they stand, what happens next, and the call-back
// request; with nobody online it says so and offers the call-back at once.
// When a rate limit refuses a request (429), the widget says so in the
// customer's language with a sensible time to try again, and names the other
// ways to reach a person.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { login } from '../integration/helpers.mjs';
import { testBrowser, newPage, shot, shopWidget, serverWithAgents, TIMEOUT, axeAudit } from './helpers.mjs';

const queueText = (page) => page.locator('loket-widget .queue').textContent();

test('waiting for a person: position, what happens next, the call-back; the button comes back with the agent', async (t) => {
  const h = await serverWithAgents(t);
  const browser = await testBrowser(t);
  const problems = [];

  // nobody online: said plainly, and the call-back form is there at once
  const a = await newPage(browser);
  const wa = await shopWidget(a, h.base);
  await wa.open();
  await wa.human.click();
  await wa.queue.waitFor({ state: 'visible' });
  await a.waitForFunction(() => /geen medewerker beschikbaar/.test(document.querySelector('loket-widget').shadowRoot.querySelector('.queue').textContent), null, { timeout: TIMEOUT });
  let text = await queueText(a);
  assert.match(text, /Je wacht op een medewerker/);
  assert.match(text, /Je bent de volgende in de wachtrij\./);
  assert.match(text, /Er is nu geen medewerker beschikbaar\./);
  assert.doesNotMatch(text, /wachttijd/i, 'no wait estimate while nobody is there');
  assert.ok(await wa.human.isHidden(), 'the waiting state replaces the person button');
  const contact = a.locator('loket-widget').getByLabel('Je telefoonnummer of e-mailadres');
  assert.ok(await contact.isVisible(), 'the call-back form shows at once when nobody is there');
  problems.push(...(await axeAudit(t, a, 'widget waiting, nobody online')));
  await shot(a, '14-widget-waiting-away');

  // a bad contact is refused in the widget, a good one becomes a call-back request
  await contact.fill('morgen');
  await a.locator('loket-widget').getByRole('button', { name: 'Vraag terugbellen aan' }).click();
  await a.locator('loket-widget .queue [role=status]', { hasText: 'Vul een telefoonnummer of e-mailadres in.' }).waitFor();
  await contact.fill('06-12345678');
  await a.locator('loket-widget').getByRole('button', { name: 'Vraag terugbellen aan' }).click();
  await a.locator('loket-widget .queue', { hasText: 'Je terugbelverzoek is verstuurd. We nemen contact met je op via 06-12345678.' }).waitFor();
  await a.locator('loket-widget [role=log] .msg[data-sender=system]', { hasText: 'Een medewerker neemt contact met je op via 06-12345678' }).waitFor();
  const convA = (await wa.conversation()).conversation;

  // a person logs in; a second customer waits behind the first
  const anna = await login(h.srv, h.users.anna.email, h.users.anna.password);
  const cbs = (await anna.req('GET', '/api/v1/agent/callbacks')).json.callbacks;
  assert.ok(cbs.some((x) => x.conversation_id === convA && x.contact === '06-12345678'), 'the agents see the call-back request');
  const b = await newPage(browser);
  const wb = await shopWidget(b, h.base);
  await wb.open();
  await wb.human.focus();
  await b.keyboard.press('Enter');
  await wb.queue.waitFor({ state: 'visible' });
  await b.waitForFunction(() => /nummer 2 in de wachtrij/.test(document.querySelector('loket-widget').shadowRoot.querySelector('.queue').textContent), null, { timeout: TIMEOUT });
  text = await queueText(b);
  assert.match(text, /Je bent nummer 2 in de wachtrij\./);
  assert.match(text, /Zodra een medewerker vrij is, neemt die het gesprek hier over\./);
  assert.doesNotMatch(text, /wachttijd/i, 'no estimate from too few recent waits');
  assert.ok(await wb.human.isHidden());
  assert.equal(await b.evaluate(() => document.querySelector('loket-widget').shadowRoot.activeElement?.className), 'queue', 'the focus moved to the waiting state');
  // the call-back stays one click away
  const open = b.locator('loket-widget').getByRole('button', { name: 'Liever teruggebeld of gemaild worden?' });
  assert.ok(await open.isVisible());
  assert.ok(await b.locator('loket-widget #lk-cb').isHidden());
  await open.click();
  assert.ok(await b.locator('loket-widget').getByLabel('Je telefoonnummer of e-mailadres').isVisible());
  problems.push(...(await axeAudit(t, b, 'widget waiting, call-back form')));
  await shot(b, '14-widget-waiting');

  // the agent takes it: the person button is back, the waiting state gone
  const convB = (await wb.conversation()).conversation;
  assert.equal((await anna.req('POST', `/api/v1/agent/conversations/${convB}/claim`)).status, 200);
  await wb.human.waitFor({ state: 'visible', timeout: TIMEOUT });
  assert.ok(await wb.queue.isHidden());
  assert.deepEqual(problems, []);
  assert.deepEqual([...a.errors, ...b.errors], []);
});

test('a rate limit: a friendly message with a short wait and the phone and e-mail, in the customer language', async (t) => {
  const h = await serverWithAgents(t, { env: { LOKET_LIMIT_CONVERSATIONS_ADDRESS: '1', LOKET_LIMIT_MESSAGES_CONVERSATION: '2' } });
  const browser = await testBrowser(t);

  // the first chat from this address is fine; it sends two messages, the third is refused
  const a = await newPage(browser);
  const wa = await shopWidget(a, h.base);
  await wa.open();
  await wa.say('Wat zijn de verzendkosten?');
  await wa.say('Hoe kan ik retourneren?');
  await wa.input.fill('En de levertijd?');
  await wa.input.press('Enter');
  const err = a.locator('loket-widget .err');
  await err.filter({ hasText: 'Je stuurt veel berichten kort na elkaar.' }).waitFor();
  let msg = await err.textContent();
  assert.match(msg, /Probeer het over (\d+ seconden|1 minuut|een paar seconden) opnieuw\./, msg);
  assert.match(msg, /bellen op 020 123 4567 of mailen naar klantenservice@tulpentafel\.example/);
  assert.equal(await wa.input.inputValue(), 'En de levertijd?', 'the text stays in the box to send again');
  await shot(a, '14-widget-rate-limited');

  // a second chat from the same address, in English: refused, said in English
  const b = await newPage(browser, { locale: 'en-GB' });
  // the demo page's tag says nl; this shop's English page says en
  await b.route(h.base + '/', async (route) => {
    const res = await route.fetch();
    const html = (await res.text()).replace('data-loket-language="nl"', 'data-loket-language="en"');
    await route.fulfill({ response: res, body: html });
  });
  const wb = await shopWidget(b, h.base);
  await wb.launcher.click();
  const errB = b.locator('loket-widget .err');
  await errB.filter({ hasText: 'The chat is very busy right now.' }).waitFor();
  msg = await errB.textContent();
  assert.match(msg, /^The chat is very busy right now\. Please try again in .*; the chat will also try again by itself\./, msg);
  const m = /(\d+) seconds|1 minute|a few seconds/.exec(msg);
  assert.ok(m, `a wait in words: ${msg}`);
  if (m[1]) assert.ok(Number(m[1]) <= 60, `at most a minute: ${msg}`);
  assert.match(msg, /You can also call us on 020 123 4567 or e-mail klantenservice@tulpentafel\.example\./);
  assert.deepEqual([...a.errors, ...b.errors], []);
});
