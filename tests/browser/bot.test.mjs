// Browser test 1 (issue 5): a customer opens the demo shop page, asks a
// question of the demo knowledge base in Dutch and sees the bot's answer,
// labelled as automated; asks in English and gets English (answer and
// interface). Also: the greeting discloses the bot, the header says who is
// talking, "did this help?" works, phone and e-mail are offered, and the page
// raises no errors (a CSP violation would be one).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../integration/helpers.mjs';
import { testBrowser, newPage, shot, widget, shopWidget, TIMEOUT } from './helpers.mjs';

test('the bot answers in Dutch and in English, labelled as automated', async (t) => {
  const srv = await startServer({ t });
  const browser = await testBrowser(t);
  const page = await newPage(browser);

  await page.goto(srv.base + '/');
  assert.match(await page.title(), /Tulp & Tafel/);
  const w = widget(page);
  await w.launcher.waitFor();
  assert.match(await w.launcher.textContent(), /Chat met ons/);
  await shot(page, '1-shop-page', { fullPage: true });

  // Open: the greeting says it is an automated assistant and a person is available.
  await w.open();
  assert.equal(await w.who.textContent(), 'Digitale assistent (AI)');
  const greeting = (await w.transcript())[0];
  assert.equal(greeting.sender, 'bot');
  assert.equal(greeting.automated, true);
  assert.match(greeting.text, /digitale assistent/i);
  assert.match(greeting.text, /medewerker/);
  assert.match(greeting.label, /automatisch/);
  // the person button and the alternatives are there from the start
  assert.equal(await w.human.textContent(), 'Praat met een medewerker');
  assert.ok(await w.human.isVisible());
  const alt = page.locator('loket-widget .alt');
  assert.match(await alt.textContent(), /020 123 4567/);
  assert.match(await alt.textContent(), /klantenservice@tulpentafel\.example/);
  assert.equal(await page.locator('loket-widget .alt a[href^="tel:"]').count(), 1);
  assert.equal(await page.locator('loket-widget .alt a[href^="mailto:"]').count(), 1);

  // Dutch
  await w.say('Hoe kan ik iets retourneren?');
  let tr = await w.transcript();
  const nlQ = tr.filter((m) => m.sender === 'customer');
  assert.equal(nlQ.length, 1, 'the customer message is shown once');
  assert.equal(nlQ[0].text, 'Hoe kan ik iets retourneren?');
  let answer = tr[tr.length - 1];
  assert.equal(answer.sender, 'bot');
  assert.equal(answer.automated, true);
  assert.match(answer.label, /Digitale assistent · automatisch antwoord/);
  assert.match(answer.text, /30 dagen/);
  const botStyle = await page
    .locator(`loket-widget .msg[data-seq="${answer.seq}"] .bubble`)
    .evaluate((e) => getComputedStyle(e).backgroundColor);
  const youStyle = await page
    .locator(`loket-widget .msg[data-sender=customer] .bubble`)
    .evaluate((e) => getComputedStyle(e).backgroundColor);
  assert.notEqual(botStyle, youStyle, 'bot and customer messages are styled apart');
  // no typing indicator anywhere
  assert.equal(await page.locator('loket-widget .typing, loket-widget [class*=typing]').count(), 0);
  await shot(page, '1-widget-dutch');

  // did this help? -> "Nee": the reply of the feedback endpoint is shown
  const fb = page.locator(`loket-widget .msg[data-seq="${answer.seq}"] .fb`);
  await fb.getByRole('button', { name: 'Nee' }).click();
  await fb.getByText('Bedankt voor je reactie.').waitFor();
  tr = await w.transcript();
  const afterFb = tr.filter((m) => m.seq > answer.seq);
  assert.ok(afterFb.some((m) => m.sender === 'bot'), `feedback "no" gives the bot's follow-up: ${JSON.stringify(afterFb)}`);

  // English: answer and interface in English
  await w.say('How do I return something?');
  tr = await w.transcript();
  answer = tr[tr.length - 1];
  assert.equal(answer.sender, 'bot');
  assert.equal(answer.automated, true);
  assert.match(answer.text, /return items within 30 days/i);
  // The answer may come over the WebSocket before the POST's reply says the
  // conversation is now in English; the labels change in place when it does.
  await page.waitForFunction(
    (seq) => /Digital assistant · automated reply/.test(document.querySelector('loket-widget').shadowRoot.querySelector(`[role=log] .msg[data-seq="${seq}"] .lbl`).textContent),
    answer.seq,
    { timeout: TIMEOUT },
  );
  await page.waitForFunction(() => document.querySelector('loket-widget').shadowRoot.querySelector('button.human').textContent === 'Talk to a person', null, { timeout: TIMEOUT });
  assert.equal(await w.who.textContent(), 'Digital assistant (AI)');
  // the earlier messages' labels follow the language too
  assert.match((await w.transcript())[0].label, /Digital assistant · automated reply/);
  await shot(page, '1-widget-english');

  // every message once, in seq order without gaps
  tr = await w.transcript();
  assert.deepEqual(tr.map((m) => m.seq), tr.map((_, i) => i + 1));

  assert.deepEqual(page.errors, [], 'no errors in the page');
  assert.deepEqual(page.bad, [], 'no failed requests');
});

test('the demo page opens the chat from its own links, and links to the console and the API docs', async (t) => {
  const srv = await startServer({ t });
  const browser = await testBrowser(t);
  const page = await newPage(browser);
  await page.goto(srv.base + '/');
  // a link with data-loket-open opens the chat
  await page.getByRole('link', { name: 'Chat met ons' }).click();
  await widget(page).panel.waitFor({ state: 'visible' });
  const hrefs = await page.locator('footer a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.ok(hrefs.includes('/console/'), `footer links: ${hrefs}`);
  assert.ok(hrefs.includes('/docs/api.md'), `footer links: ${hrefs}`);
  for (const h of ['/console/', '/docs/api.md', '/docs/widget.md', '/docs/console.md', '/widget.js', '/favicon.svg']) {
    const r = await fetch(srv.base + h);
    assert.equal(r.status, 200, `GET ${h}`);
  }
  await page.locator('footer a[href="/console/"]').click();
  await page.getByRole('button', { name: 'Inloggen' }).waitFor();
  assert.deepEqual(page.errors, [], 'no errors in the pages');
});

test('the host page’s CSS cannot break the widget, and the widget’s cannot reach the page', async (t) => {
  const srv = await startServer({ t });
  const browser = await testBrowser(t);
  const page = await newPage(browser);
  const w = await shopWidget(page, srv.base);
  await w.open();
  const buyBefore = await page.locator('.buy').first().evaluate((e) => getComputedStyle(e).backgroundColor);
  // a hostile page: every element hidden, red, huge, spaced out
  await page.addStyleTag({
    content: 'body * { display: none !important; color: red !important; font-size: 40px !important; letter-spacing: 9px !important; } div, section, button, textarea { background: yellow !important; border: 5px dashed lime !important; }',
  });
  await w.panel.waitFor({ state: 'visible' });
  const style = await page.locator('loket-widget .msg[data-sender=bot] .bubble').first().evaluate((e) => {
    const s = getComputedStyle(e);
    return { color: s.color, fontSize: s.fontSize, letterSpacing: s.letterSpacing, background: s.backgroundColor };
  });
  assert.notEqual(style.color, 'rgb(255, 0, 0)');
  assert.equal(style.fontSize, '15px');
  assert.equal(style.letterSpacing, 'normal');
  assert.notEqual(style.background, 'rgb(255, 255, 0)');
  assert.ok(await w.input.isVisible());
  assert.ok(await w.human.isVisible());
  await shot(page, '1-hostile-page');
  // and the other way round: the widget's styles do not touch the page
  await page.evaluate(() => document.querySelectorAll('style').forEach((s, i, all) => i === all.length - 1 && s.remove()));
  assert.equal(await page.locator('.buy').first().evaluate((e) => getComputedStyle(e).backgroundColor), buyBefore);
  // (Playwright's locators pierce shadow roots; the DOM's own querySelector does not)
  assert.equal(await page.evaluate(() => document.querySelectorAll('.launcher, .panel, [role=log]').length), 0, 'no widget element in the page’s own DOM');
});
