// Browser tests (issue 14, "Honest from the first hour": the console). A real
// Chromium against the real binary:
// - the console's language: the user's own choice on "My account" (stored on
//   the server, so it follows them to another browser), else the
//   deployment's console_language, else the browser's;
// - conversations titled by the customer (name, e-mail) or the topic of their
//   first question, in the queue and the open conversation;
// - weak suggestions marked, those below the floor left out with a word;
// - the navigation bar on one line at 1366 px for team leads and admins;
// - a team lead opening the admin page reads why not and where to go;
// - Claim with no conversation open: no page error, the button disabled;
// - a BSN masked for the agent until "Show", each reveal audited;
// - an admin erases one conversation after a confirm step.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { createConversation, postMessage, handoff } from '../integration/helpers.mjs';
import { testBrowser, newPage, shot, consoleLogin, serverWithAgents, axeAudit } from './helpers.mjs';

const sql = (h, q) => execFileSync('sqlite3', [path.join(h.dataDir, 'loket.db'), q], { encoding: 'utf8' }).trim();

test('console language: own choice, then the deployment default, then the browser', async (t) => {
  const h = await serverWithAgents(t, { env: { LOKET_CONSOLE_LANGUAGE: 'nl' } });
  const browser = await testBrowser(t);

  // an English browser, a Dutch deployment: the login form and the console in Dutch
  const page = await newPage(browser, { locale: 'en-GB' });
  await page.goto(`${h.base}/console/`);
  await page.locator('#login-form').getByRole('button', { name: 'Inloggen' }).waitFor();
  await page.locator('#login-form').getByLabel(/e-?mail/i).fill(h.users.anna.email);
  await page.locator('#login-form').getByLabel(/wachtwoord|password/i).fill(h.users.anna.password);
  await page.locator('#login-form button[type=submit]').click();
  await page.getByRole('heading', { name: 'Wachtrij' }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'nl');

  // "My account": English, stored with the user
  await page.goto(`${h.base}/console/account.html`);
  await page.getByLabel('Taal', { exact: true }).selectOption('en');
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Taal opslaan' }).click()]);
  await page.getByRole('heading', { level: 1, name: 'My account' }).waitFor();
  assert.equal(await page.getByLabel('Language', { exact: true }).inputValue(), 'en');

  // another browser (Dutch) for the same user: English, from the server
  const other = await newPage(browser, { locale: 'nl-NL' });
  await consoleLogin(other, h.base, h.users.anna.email, h.users.anna.password);
  await other.getByRole('heading', { name: 'Queue' }).waitFor();
  assert.equal(await other.evaluate(() => document.documentElement.lang), 'en');

  // back to the default: Dutch again (the deployment's)
  await page.getByLabel('Language', { exact: true }).selectOption('');
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Save language' }).click()]);
  await page.getByRole('heading', { level: 1, name: 'Mijn account' }).waitFor();
  assert.deepEqual(page.errors, []);
  assert.deepEqual(other.errors, []);
});

test('without a deployment default the browser decides', async (t) => {
  const h = await serverWithAgents(t);
  const browser = await testBrowser(t);
  const page = await newPage(browser, { locale: 'en-US' });
  await consoleLogin(page, h.base, h.users.anna.email, h.users.anna.password);
  await page.getByRole('heading', { name: 'Queue' }).waitFor();
  // the top bar's switch stores the choice on the server
  await Promise.all([page.waitForEvent('load'), page.locator('#lang-toggle').click()]);
  await page.getByRole('heading', { name: 'Wachtrij' }).waitFor();
  assert.equal(sql(h, `SELECT language FROM users WHERE email = '${h.users.anna.email}'`), 'nl');
  assert.deepEqual(page.errors, []);
});

test('titles, weak suggestions, Claim without a conversation, masked BSN', async (t) => {
  const h = await serverWithAgents(t, { admin: true });
  const named = await createConversation(h.srv, { language: 'nl', customer: { name: 'Jan de Vries', email: 'jan@example.nl' } });
  await postMessage(h.srv, named, 'Kan ik met iDEAL betalen?');
  await handoff(h.srv, named);
  const topic = await createConversation(h.srv, { language: 'nl' });
  await postMessage(h.srv, topic, 'Bezorgen jullie ook in België?');
  await handoff(h.srv, topic);
  const vague = await createConversation(h.srv, { language: 'nl' });
  await postMessage(h.srv, vague, 'wat vinden jullie van het weer vandaag');
  await postMessage(h.srv, vague, 'mijn BSN is 123456782');
  await handoff(h.srv, vague);

  const browser = await testBrowser(t);
  const page = await newPage(browser);
  await consoleLogin(page, h.base, h.users.anna.email, h.users.anna.password);
  const queue = page.locator('#queue-list');
  await queue.locator('li').nth(2).waitFor();
  const rows = await queue.locator('li .t').allTextContents();
  assert.ok(rows.some((r) => r.includes('Jan de Vries')), `the customer's name: ${rows}`);
  assert.ok(rows.some((r) => r.includes('Bezorgen in België en het buitenland')), `the matched article: ${rows}`);
  assert.ok(rows.some((r) => r.includes('wat vinden jullie van het weer vandaag')), `the first words: ${rows}`);
  assert.ok(!rows.some((r) => /Gesprek \w{6}/.test(r)), `no ids: ${rows}`);

  // Claim with nothing open: no TypeError, and the button is disabled
  await page.evaluate(() => document.getElementById('claim').click());
  await page.waitForTimeout(300);
  assert.deepEqual(page.errors, [], 'Claim without an open conversation throws nothing');
  assert.equal(await page.locator('#claim').isDisabled(), true);

  // the vague question: its suggestion is weak (or below the floor and left out)
  await queue.locator('li', { hasText: 'wat vinden jullie' }).getByRole('button').click();
  await page.getByRole('heading', { level: 1, name: 'wat vinden jullie van het weer vandaag' }).waitFor();
  await page.locator('#suggestions-list li, #suggestions-hidden:not([hidden])').first().waitFor();
  const sugs = await page.locator('#suggestions-list li').evaluateAll((ls) =>
    ls.map((l) => ({ weak: l.dataset.weak, pct: Number(l.querySelector('.pct').textContent.replace(/\D+/g, '')) })));
  assert.ok(sugs.every((s) => s.pct >= 20), `nothing below the floor: ${JSON.stringify(sugs)}`);
  assert.ok(sugs.every((s) => s.weak === 'true'), `a vague question's suggestions are marked weak: ${JSON.stringify(sugs)}`);
  assert.match(await page.locator('#suggestions-hidden').textContent(), /verborgen/);
  if (sugs.length) await page.locator('#suggestions-list li .weak-tag', { hasText: 'zwak' }).first().waitFor();

  // the BSN: masked, with the bot's warning; "BSN tonen" reveals it, audited
  const cust = page.locator('#transcript .m.customer', { hasText: 'mijn BSN is' });
  assert.equal(await cust.locator('.txt').textContent(), 'mijn BSN is [bsn]');
  await page.locator('#transcript .m.system', { hasText: 'Deel je burgerservicenummer (BSN) liever niet' }).waitFor();
  assert.ok(!(await page.locator('#transcript').textContent()).includes('123456782'));
  await cust.getByRole('button', { name: /burgerservicenummer tonen/i }).click();
  await cust.locator('.txt', { hasText: '123456782' }).waitFor();
  assert.equal(Number(sql(h, `SELECT count(*) FROM audit_log WHERE action = 'message.reveal' AND conversation_id = '${vague.id}'`)), 1);
  await shot(page, 'console-i14-weak-masked');

  // the open conversation with a customer's name
  await queue.locator('li', { hasText: 'Jan de Vries' }).getByRole('button').click();
  await page.getByRole('heading', { level: 1, name: 'Jan de Vries' }).waitFor();
  assert.deepEqual(page.errors, []);
});

test('navigation on one line at 1366 px; a team lead on the admin page reads why not', async (t) => {
  const h = await serverWithAgents(t, { supervisor: true, admin: true });
  const browser = await testBrowser(t);
  for (const [who, locale] of [['ada', 'nl-NL'], ['sam', 'nl-NL'], ['ada', 'en-GB']]) {
    const page = await newPage(browser, { viewport: { width: 1366, height: 768 }, locale });
    await consoleLogin(page, h.base, h.users[who].email, h.users[who].password);
    for (const p of ['/console/', '/console/dashboard.html']) {
      if (p !== '/console/') await page.goto(h.base + p);
      const bar = page.locator('header.topbar').first();
      await bar.locator('.sections-list a').first().waitFor();
      const links = await bar.locator('.sections-list a').evaluateAll((as) => as.map((a) => a.getBoundingClientRect().top));
      const tops = new Set(links.map((y) => Math.round(y)));
      const box = await bar.boundingBox();
      assert.equal(tops.size, 1, `${who} ${locale} ${p}: the section links are on one line (${[...tops]})`);
      assert.ok(box.height < 70, `${who} ${locale} ${p}: the top bar is one line high (${box.height} px)`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
      assert.equal(overflow, false, `${who} ${locale} ${p}: nothing sticks out to the right`);
    }
    await shot(page, `console-i14-nav-${who}-${locale}`, { fullPage: false });
    await page.context().close();
  }

  // the team lead opens the admin page: why not, and where to go
  const sam = await newPage(browser);
  await consoleLogin(sam, h.base, h.users.sam.email, h.users.sam.password);
  await sam.goto(`${h.base}/console/admin.html`);
  await sam.getByRole('heading', { level: 1, name: 'Deze pagina is niet voor jouw rol' }).waitFor();
  const text = await sam.locator('main').textContent();
  assert.match(text, /ingelogd als teamleider/i);
  assert.match(text, /Privacy en audit is alleen voor beheerders/);
  assert.match(sam.url(), /\/console\/admin\.html$/, 'the page stays, with its explanation');
  await sam.getByRole('link', { name: 'Naar Gesprekken' }).waitFor();
  const problems = await axeAudit(t, sam, 'admin page as team lead');
  assert.deepEqual(problems, []);
  assert.deepEqual(sam.errors, []);
});

test('an admin erases one conversation after a confirm step', async (t) => {
  const h = await serverWithAgents(t, { admin: true });
  const c = await createConversation(h.srv, { language: 'nl' });
  await postMessage(h.srv, c, 'Mijn e-mail is wis@example.nl, graag wissen');
  await handoff(h.srv, c);
  const browser = await testBrowser(t);
  const page = await newPage(browser);
  await consoleLogin(page, h.base, h.users.ada.email, h.users.ada.password);
  await page.locator('#queue-list li').first().getByRole('button').click();
  await page.locator('#conv-view:not([hidden])').waitFor();
  await page.getByRole('button', { name: 'Gesprek wissen…' }).click();
  const go = page.getByRole('button', { name: 'Definitief wissen' });
  assert.equal(await go.isDisabled(), true, 'not before the box is ticked');
  await page.getByLabel('Ik begrijp dat dit niet ongedaan kan worden').check();
  await go.click();
  await page.locator('#conv-view').waitFor({ state: 'hidden' });
  await page.locator('#queue-empty').waitFor();
  assert.equal(Number(sql(h, `SELECT count(*) FROM conversations WHERE id = '${c.id}'`)), 0);
  assert.equal(Number(sql(h, `SELECT count(*) FROM messages WHERE conversation_id = '${c.id}'`)), 0);
  assert.equal(Number(sql(h, "SELECT count(*) FROM audit_log WHERE action = 'privacy.erase_conversation' AND conversation_id IS NULL")), 1);
  assert.deepEqual(page.errors, []);

  // an agent's console does not offer it
  const anna = await newPage(browser);
  await consoleLogin(anna, h.base, h.users.anna.email, h.users.anna.password);
  assert.equal(await anna.locator('#erase-wrap').isHidden(), true);
});

test('the dashboard starts in the deployment\'s time zone, not the browser\'s', async (t) => {
  const h = await serverWithAgents(t, { supervisor: true, env: { LOKET_POLICY_TIME_ZONE: 'Europe/Brussels' } });
  const browser = await testBrowser(t);
  const context = await browser.newContext({ locale: 'nl-NL', timezoneId: 'UTC', viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await consoleLogin(Object.assign(page, { bad: [] }), h.base, h.users.sam.email, h.users.sam.password);
  await page.goto(`${h.base}/console/dashboard.html`);
  await page.locator('#kpi-period:not(:empty)').waitFor();
  assert.equal(await page.locator('#f-tz').inputValue(), 'Europe/Brussels');
  assert.match(await page.locator('#kpi-period').textContent(), /Europe\/Brussels/);
  await page.goto(`${h.base}/console/compliance.html`);
  await page.locator('#c-tz').waitFor();
  await page.waitForFunction(() => document.getElementById('c-tz').value !== '');
  assert.equal(await page.locator('#c-tz').inputValue(), 'Europe/Brussels');
  assert.deepEqual(errors, []);
});
