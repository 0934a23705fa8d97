// Browser test (issue 8, security): two-step login in the console. Anna has
// TOTP on: the login form asks for the one-time code only after the server
// answers `totp_required`, refuses a wrong one, and lets her in with the
// right one. The "My account" page (linked from the top bar) sets two-step
// login up for Bert from the QR code it draws (decoded here with jsQR: it must
// hold the very otpauth:// link the server answered, and a code from its
// secret must switch two-step login on), and passes axe. Without the QR
// library (its load refused) Cees still gets the key and the link. No page
// error on the way, so the Content-Security-Policy refuses nothing the
// console needs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import jsQR from 'jsqr';
import { login, totp } from '../integration/helpers.mjs';
import { testBrowser, newPage, shot, serverWithAgents, addUser, axeAudit } from './helpers.mjs';

// The QR code on the canvas at `selector`, decoded from its pixels (null when
// there is none to read).
async function readQr(page, selector) {
  const img = await page.locator(selector).evaluate((c) => {
    if (!c.width || !c.height) return { width: 0, height: 0, data: [] };
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    return { width: d.width, height: d.height, data: Array.from(d.data) };
  });
  if (!img.width) return null;
  const found = jsQR(Uint8ClampedArray.from(img.data), img.width, img.height);
  return found ? found.data : null;
}

async function loginOnPage(page, base, user) {
  await page.goto(`${base}/console/`);
  const form = page.locator('#login-form');
  await form.getByLabel(/e-?mail/i).fill(user.email);
  await form.getByLabel(/wachtwoord|password/i).fill(user.password);
  await form.getByRole('button', { name: /inloggen|log in/i }).click();
  await page.locator('#app-view').waitFor({ state: 'visible' });
}

test('console: login with a one-time code; the account page sets two-step login up; axe clean', async (t) => {
  const h = await serverWithAgents(t);
  const bert = { email: 'bert@example.com', password: 'bert-fietst-naar-huis', name: 'Bert' };
  await addUser(h.dataDir, { ...bert, role: 'agent' });
  // Anna switches two-step login on through the API
  const anna = await login(h.srv, h.users.anna.email, h.users.anna.password);
  const { secret } = (await anna.req('POST', '/api/v1/auth/totp/setup')).json;
  assert.equal((await anna.req('POST', '/api/v1/auth/totp/enable', { body: { code: totp(secret, 0) } })).status, 200);

  const browser = await testBrowser(t);
  const page = await newPage(browser);
  await page.goto(`${h.base}/console/`);
  const form = page.locator('#login-form');
  const code = form.getByLabel(/authenticator/i);
  assert.equal(await code.isVisible(), false, 'no code field before the server asks');
  await form.getByLabel(/e-?mail/i).fill(h.users.anna.email);
  await form.getByLabel(/wachtwoord|password/i).fill(h.users.anna.password);
  await form.getByRole('button', { name: /inloggen|log in/i }).click();
  await code.waitFor({ state: 'visible' });
  assert.match(await page.locator('#login-note').textContent(), /twee stappen|two-step/i);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'login-totp', 'the code field has the focus');
  assert.equal(await page.locator('#login-error').textContent(), '', 'asking is no error');
  await shot(page, '8-console-login-code');

  const wrong = String((Number(totp(secret, 0)) + 1) % 1e6).padStart(6, '0');
  await code.fill(wrong);
  await form.getByRole('button', { name: /inloggen|log in/i }).click();
  await page.locator('#login-error:not(:empty)').waitFor();
  assert.match(await page.locator('#login-error').textContent(), /code/);
  assert.equal(await page.locator('#app-view').isHidden(), true);

  await code.fill(totp(secret, 1));
  await form.getByRole('button', { name: /inloggen|log in/i }).click();
  await page.locator('#app-view').waitFor({ state: 'visible' });
  assert.equal(await code.isVisible(), false);

  // "Mijn account" in the top bar
  const link = page.getByRole('link', { name: 'Mijn account' });
  await link.click();
  await page.waitForURL(/\/console\/account\.html$/);
  await page.locator('#totp-state:not(:empty)').waitFor();
  assert.match(await page.locator('#totp-state').textContent(), /staat aan/);
  assert.equal(await page.getByRole('link', { name: 'Mijn account' }).getAttribute('aria-current'), 'page');
  const problems = await axeAudit(t, page, 'account page, two-step login on');
  await shot(page, '8-account-on');
  assert.deepEqual(page.errors, [], `no page errors: ${page.errors.join('\n')}`);

  // Bert sets it up on the page, from the QR code it draws
  const p2 = await newPage(browser);
  await loginOnPage(p2, h.base, bert);
  await p2.goto(`${h.base}/console/account.html`);
  await p2.locator('#totp-state:not(:empty)').waitFor();
  assert.match(await p2.locator('#totp-state').textContent(), /staat uit/);
  const qr = p2.getByRole('img', { name: 'QR-code om te scannen met je authenticator-app' });
  assert.equal(await qr.isVisible(), false, 'no QR code before setting up');
  problems.push(...(await axeAudit(t, p2, 'account page, off')));
  const answered = p2.waitForResponse(
    (r) => new URL(r.url()).pathname === '/api/v1/auth/totp/setup' && r.request().method() === 'POST'
  );
  await p2.getByRole('button', { name: 'Instellen' }).click();
  const setup = await (await answered).json();
  assert.match(setup.uri, /^otpauth:\/\/totp\/loket:bert%40example\.com\?secret=/);
  await qr.waitFor({ state: 'visible' });
  assert.match(await p2.locator('#totp-pending').textContent(), /Scan deze QR-code/);
  const scanned = await readQr(p2, '#totp-qr');
  assert.equal(scanned, setup.uri, 'the QR code holds the link the server answered');
  const key = new URL(scanned).searchParams.get('secret');
  assert.match(key, /^[A-Z2-7]{32}$/);
  // the key and the link stay as the alternative
  const shown = p2.locator('#totp-secret');
  assert.equal((await shown.textContent()).replace(/\s+/g, ''), key);
  assert.equal(await p2.locator('#totp-uri').getAttribute('href'), setup.uri);
  problems.push(...(await axeAudit(t, p2, 'account page, setting up with the QR code')));
  await shot(p2, '8-account-setup');
  await p2.locator('#totp-pending').getByLabel('Code uit de app').fill('000000' === totp(key) ? '111111' : '000000');
  await p2.getByRole('button', { name: 'Aanzetten' }).click();
  await p2.locator('#totp-error:not(:empty)').waitFor();
  await p2.locator('#totp-pending').getByLabel('Code uit de app').fill(totp(key));
  await p2.getByRole('button', { name: 'Aanzetten' }).click();
  await p2.locator('#totp-on').waitFor({ state: 'visible' });
  assert.match(await p2.locator('#totp-state').textContent(), /staat nu aan/);
  assert.equal(await shown.textContent(), '', 'the key is gone from the page');
  assert.equal(await qr.isVisible(), false, 'the QR code is gone too');
  assert.equal(await readQr(p2, '#totp-qr'), null, 'and so is its drawing');
  const status = await p2.evaluate(() => fetch('/api/v1/auth/totp').then((r) => r.json()));
  assert.deepEqual(status, { enabled: true, pending: false, required: false });
  assert.deepEqual(p2.errors, [], `no page errors: ${p2.errors.join('\n')}`);

  // Cees's browser does not get the QR library: the key and the link still do
  const cees = { email: 'cees@example.com', password: 'cees-leest-de-krant', name: 'Cees' };
  await addUser(h.dataDir, { ...cees, role: 'agent' });
  const p3 = await newPage(browser);
  await p3.route('**/console/vendor/qrcode.js', (route) => route.abort());
  await loginOnPage(p3, h.base, cees);
  await p3.goto(`${h.base}/console/account.html`);
  await p3.locator('#totp-state:not(:empty)').waitFor();
  assert.equal(await p3.evaluate(() => typeof window.qrcode), 'undefined', 'the library did not load');
  await p3.getByRole('button', { name: 'Instellen' }).click();
  const shown3 = p3.locator('#totp-secret');
  await shown3.waitFor({ state: 'visible' });
  const key3 = (await shown3.textContent()).replace(/\s+/g, '');
  assert.match(key3, /^[A-Z2-7]{32}$/);
  assert.match(await p3.locator('#totp-uri').getAttribute('href'), /^otpauth:\/\/totp\/loket:cees%40example\.com\?secret=/);
  assert.equal(await p3.locator('#totp-qr').isVisible(), false, 'no QR code without the library');
  assert.match(await p3.locator('#totp-pending').textContent(), /een account toe met deze sleutel/);
  problems.push(...(await axeAudit(t, p3, 'account page, setting up without the QR code')));
  await p3.locator('#totp-pending').getByLabel('Code uit de app').fill(totp(key3));
  await p3.getByRole('button', { name: 'Aanzetten' }).click();
  await p3.locator('#totp-on').waitFor({ state: 'visible' });
  assert.deepEqual(p3.errors, [], `no page errors: ${p3.errors.join('\n')}`);
  assert.deepEqual(problems, [], 'no serious or critical axe violations');
});
