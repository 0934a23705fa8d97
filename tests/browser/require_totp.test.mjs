// Browser test (issue 16, point 4): with require_totp_admin, an admin without
// two-step login who logs in to the console lands on the account page, which
// says it is required; the other console pages lead back there; once it is
// on, the console works as usual. Axe-clean in that state.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { totp } from '../integration/helpers.mjs';
import { testBrowser, newPage, consoleLogin, serverWithAgents, axeAudit } from './helpers.mjs';

test('required two-step login: the console holds an admin at the set-up until it is on', async (t) => {
  const h = await serverWithAgents(t, { admin: true, env: { LOKET_REQUIRE_TOTP_ADMIN: 'true' } });
  const browser = await testBrowser(t);
  const page = await newPage(browser);

  // the login form, then straight to the account page
  await page.goto(`${h.base}/console/`);
  const form = page.locator('#login-form');
  await form.getByLabel(/e-?mail/i).fill(h.users.ada.email);
  await form.getByLabel(/wachtwoord/i).fill(h.users.ada.password);
  await form.getByRole('button', { name: /inloggen/i }).click();
  await page.waitForURL(/\/console\/account\.html$/);
  const state = page.locator('#totp-state');
  await page.locator('#totp-state', { hasText: 'verplicht' }).waitFor();
  assert.match(await state.textContent(), /Voor jouw account is inloggen in twee stappen verplicht/);
  const problems = [...(await axeAudit(t, page, 'required two-step set-up'))];

  // every other page leads back
  await page.goto(`${h.base}/console/admin.html`);
  await page.waitForURL(/\/console\/account\.html$/);
  await page.goto(`${h.base}/console/`);
  await page.waitForURL(/\/console\/account\.html$/);

  // setting it up
  await page.locator('#totp-state', { hasText: 'verplicht' }).waitFor();
  await page.getByRole('button', { name: 'Instellen' }).click();
  await page.locator('#totp-secret:not(:empty)').waitFor();
  const secret = (await page.locator('#totp-secret').textContent()).replace(/\s+/g, '');
  assert.match(secret, /^[A-Z2-7]{32}$/);
  await page.locator('#totp-pending').getByLabel('Code uit de app').fill(totp(secret));
  await page.getByRole('button', { name: 'Aanzetten' }).click();
  await page.locator('#totp-state', { hasText: 'Je kunt de console weer gebruiken' }).waitFor();

  // and the console works
  await page.goto(`${h.base}/console/admin.html`);
  await page.getByRole('heading', { level: 1, name: 'Privacy en audit' }).waitFor();
  assert.match(page.url(), /\/console\/admin\.html$/);
  assert.deepEqual(problems, []);
  assert.deepEqual(page.errors, [], 'no page errors (nor CSP violations)');

  // an agent is not held (the option is for admins)
  const agent = await newPage(browser);
  await consoleLogin(agent, h.base, h.users.anna.email, h.users.anna.password);
  assert.match(agent.url(), /\/console\/(#.*)?$/);
});
