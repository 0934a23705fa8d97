// Browser test (issue 16, point 4): the console says in the user's language
// why a new password is refused: on the account page (a common one) and in
// "Gebruikers beheren" (one built on the new user's address), and accepts a
// passphrase.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testBrowser, newPage, consoleLogin, serverWithAgents, axeAudit } from './helpers.mjs';

test('refused new passwords: the console gives the reason; a passphrase is accepted', async (t) => {
  const h = await serverWithAgents(t, { admin: true });
  const browser = await testBrowser(t);

  // one's own password, on the account page
  const page = await newPage(browser);
  await consoleLogin(page, h.base, h.users.anna.email, h.users.anna.password);
  await page.goto(`${h.base}/console/account.html`);
  await page.getByLabel('Huidig wachtwoord').fill(h.users.anna.password);
  await page.getByLabel('Nieuw wachtwoord', { exact: true }).fill('Sunshine2024!');
  await page.getByLabel('Nieuw wachtwoord herhalen').fill('Sunshine2024!');
  await page.getByRole('button', { name: 'Wachtwoord wijzigen' }).click();
  await page.locator('#pw-error:not(:empty)').waitFor();
  assert.match(await page.locator('#pw-error').textContent(), /veelgebruikt wachtwoord met cijfers/);
  assert.equal(await page.getByLabel('Nieuw wachtwoord', { exact: true }).getAttribute('aria-invalid'), 'true');
  const problems = [...(await axeAudit(t, page, 'account page, refused password'))];
  await page.getByLabel('Nieuw wachtwoord', { exact: true }).fill('mijn kat slaapt graag in de zon');
  await page.getByLabel('Nieuw wachtwoord herhalen').fill('mijn kat slaapt graag in de zon');
  await page.getByRole('button', { name: 'Wachtwoord wijzigen' }).click();
  await page.locator('#pw-state', { hasText: 'gewijzigd' }).waitFor();

  // a new user, by the admin
  const admin = await newPage(browser);
  await consoleLogin(admin, h.base, h.users.ada.email, h.users.ada.password);
  await admin.getByRole('button', { name: 'Gebruikers beheren' }).click();
  await admin.locator('#users-body tr').first().waitFor();
  await admin.locator('#nu-name').fill('Jan Jansen');
  await admin.locator('#nu-email').fill('jan.jansen@example.com');
  await admin.locator('#nu-password').fill('JanJansen2026');
  await admin.getByRole('button', { name: 'Toevoegen' }).click();
  await admin.locator('#user-msg', { hasText: 'lijkt te veel op het e-mailadres, de naam of "loket"' }).waitFor();
  await admin.locator('#nu-password').fill('de trein naar Zwolle vertrekt om negen uur');
  await admin.getByRole('button', { name: 'Toevoegen' }).click();
  await admin.locator('#users-body').getByText('jan.jansen@example.com').waitFor();
  assert.deepEqual(problems, []);
  assert.deepEqual(page.errors, []);
  assert.deepEqual(admin.errors, []);
});
