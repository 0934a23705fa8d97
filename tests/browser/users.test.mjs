// Browser test: managing users in the console ("Gebruikers beheren", admins)
// and changing one's own password ("Mijn account", everyone).
//
// An admin deactivates an agent who is logged in in another browser: after a
// confirm step in the page, the agent's console goes to the login at once,
// the agent cannot log in, and the conversation they had is back in the
// queue; activated again, they can log in. The admin makes the agent a
// supervisor (the agent's console shows the supervisor's view without a
// reload), sets a new password for a colleague (the old one stops working),
// and is refused what would leave no active admin. On the account page a
// user changes their password: a mismatch and a short password are caught
// before any request, a wrong current password is refused, and on success
// the user's other sessions end. Both pages pass axe in Dutch and English.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, login, createConversation, postMessage, handoff } from '../integration/helpers.mjs';
import { testBrowser, newPage, shot, consoleLogin, inEnglish, serverWithAgents, axeAudit, LIVE_MS } from './helpers.mjs';

// POST /api/v1/auth/login without asserting: the status.
async function loginStatus(h, email, password) {
  return (await api(h.srv, 'POST', '/api/v1/auth/login', { body: { email, password } })).status;
}

// {email: user} from GET /api/v1/admin/users.
async function usersByEmail(admin) {
  const r = await admin.req('GET', '/api/v1/admin/users');
  assert.equal(r.status, 200, r.text);
  return Object.fromEntries(r.json.users.map((u) => [u.email, u]));
}

// The requests a page sends to paths that end in `suffix` (method and path).
function track(page, suffix) {
  const seen = [];
  page.on('request', (r) => {
    const p = new URL(r.url()).pathname;
    if (p.endsWith(suffix)) seen.push(`${r.method()} ${p}`);
  });
  return seen;
}

const focusedId = (page) => page.evaluate(() => document.activeElement && document.activeElement.id);

test('users view: deactivate and activate, change a role, set a password, keep an admin; axe clean', async (t) => {
  const h = await serverWithAgents(t, { supervisor: true, admin: true });
  const { anna, sam, ada } = h.users;

  // a conversation handed over and claimed by Anna (through the API)
  const conv = await createConversation(h.srv, { language: 'nl' });
  await postMessage(h.srv, conv, 'Mijn bestelling is niet aangekomen');
  await handoff(h.srv, conv);
  const annaApi = await login(h.srv, anna.email, anna.password);
  const claim = await annaApi.req('POST', `/api/v1/agent/conversations/${conv.id}/claim`);
  assert.equal(claim.status, 200, claim.text);

  const admin = await login(h.srv, ada.email, ada.password);
  const ids = Object.fromEntries(Object.entries(await usersByEmail(admin)).map(([e, u]) => [e, u.id]));

  const browser = await testBrowser(t);

  // Anna in her own browser, live, with the conversation in "Mijn gesprekken"
  const annaPage = await newPage(browser);
  await consoleLogin(annaPage, h.base, anna.email, anna.password);
  await annaPage.locator(`#mine-list li[data-id="${conv.id}"]`).waitFor();
  await annaPage.locator('#live[data-state="live"]').waitFor();

  // Ada opens the users view
  const page = await newPage(browser);
  await consoleLogin(page, h.base, ada.email, ada.password);
  await page.getByRole('button', { name: 'Gebruikers beheren' }).click();
  const row = (email) => page.locator(`#users-body tr[data-id="${ids[email]}"]`);
  await row(anna.email).waitFor();
  assert.equal(await page.locator('#users-body tr[data-id]').count(), 3);
  assert.equal(await page.getByLabel('Rol van Anna', { exact: true }).inputValue(), 'agent');
  assert.match(await row(ada.email).locator('th').textContent(), /Ada \(jij\)/);
  const problems = [...(await axeAudit(t, page, 'users view'))];
  await shot(page, 'users-view');

  // ---- (a) deactivate Anna: a confirm step first; Cancel changes nothing ----
  const deactivate = page.getByRole('button', { name: 'Deactiveren: Anna', exact: true });
  await deactivate.click();
  const confirm = page.getByRole('group', { name: 'Anna deactiveren?' });
  await confirm.waitFor();
  assert.equal(page.dialogs.length, 0, 'no window.confirm');
  assert.equal(await focusedId(page), 'user-panel-title', 'the focus moves to the confirm step');
  assert.match(await confirm.textContent(), /sessies van Anna eindigen meteen.*terug naar de wachtrij/s);
  problems.push(...(await axeAudit(t, page, 'users view, confirm step')));
  await shot(page, 'users-confirm');
  await confirm.getByRole('button', { name: 'Annuleren' }).click();
  await confirm.waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), 'Deactiveren: Anna', 'the focus returns');
  assert.equal((await usersByEmail(admin))[anna.email].disabled, false, 'Cancel changed nothing');
  assert.equal(await annaPage.locator('#app-view').isVisible(), true);

  // Escape closes it too
  await deactivate.click();
  await confirm.waitFor();
  await page.keyboard.press('Escape');
  await confirm.waitFor({ state: 'detached' });

  await deactivate.click();
  await confirm.getByRole('button', { name: 'Ja, deactiveren' }).click();
  const status = page.locator('#users-status');
  await status.filter({ hasText: 'Anna is gedeactiveerd.' }).waitFor();
  // Anna's browser and her API login: two sessions; one conversation
  assert.match(await status.textContent(), /2 sessies zijn beëindigd\. 1 gesprek is terug in de wachtrij\./);
  assert.equal(await status.getAttribute('role'), 'status');
  assert.equal(await row(anna.email).locator('td[data-what="state"]').textContent(), 'uitgeschakeld');
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), 'Activeren: Anna', 'focus on the row again');
  await page.locator(`#queue-list li[data-id="${conv.id}"]`).waitFor({ timeout: LIVE_MS });

  // Anna's console is at the login, at once (her stream was closed)
  await annaPage.locator('#login-view').waitFor({ state: 'visible', timeout: LIVE_MS });
  assert.match(await annaPage.locator('#login-note').textContent(), /sessie is verlopen/);
  assert.equal((await annaApi.req('GET', '/api/v1/auth/me')).status, 401, 'her API session is gone too');
  assert.equal(await loginStatus(h, anna.email, anna.password), 401, 'a deactivated user cannot log in');
  const queue = await admin.req('GET', '/api/v1/agent/queue');
  const queued = queue.json.conversations.find((c) => c.id === conv.id);
  assert.ok(queued, `the conversation is back in the queue: ${queue.text}`);
  assert.equal(queued.status, 'queued');
  assert.ok(!queued.assigned_to, 'assigned to no one');
  assert.equal((await usersByEmail(admin))[anna.email].disabled, true);

  // activate again: Anna can log in
  await page.getByRole('button', { name: 'Activeren: Anna', exact: true }).click();
  await status.filter({ hasText: 'Anna is weer actief' }).waitFor();
  assert.equal(await row(anna.email).locator('td[data-what="state"]').textContent(), 'actief');
  assert.equal((await usersByEmail(admin))[anna.email].disabled, false);
  await consoleLogin(annaPage, h.base, anna.email, anna.password);
  await annaPage.locator('#live[data-state="live"]').waitFor();
  assert.equal(await annaPage.locator('#all-section').isVisible(), false, 'an agent sees no colleagues’ conversations');

  // ---- (b) Anna becomes a supervisor ----
  const save = page.getByRole('button', { name: 'Opslaan: rol van Anna' });
  assert.equal(await save.isDisabled(), true, 'nothing to save before a change');
  await page.getByLabel('Rol van Anna', { exact: true }).selectOption('supervisor');
  assert.equal(await save.isDisabled(), false);
  assert.equal((await usersByEmail(admin))[anna.email].role, 'agent', 'choosing alone changes nothing');
  await save.click();
  await status.filter({ hasText: 'De rol van Anna is nu: Teamleider.' }).waitFor();
  assert.equal(await row(anna.email).getAttribute('data-role'), 'supervisor');
  assert.equal(await page.getByLabel('Rol van Anna', { exact: true }).inputValue(), 'supervisor');
  assert.equal((await usersByEmail(admin))[anna.email].role, 'supervisor');
  // Anna's console shows the supervisor's view without a reload
  await annaPage.locator('#all-section').waitFor({ state: 'visible', timeout: LIVE_MS });
  assert.equal(await annaPage.locator('#me-role').textContent(), 'Teamleider');
  assert.equal(await annaPage.locator('#app-view').isVisible(), true, 'her session stays');
  // the change closed her live stream on the server, which stays up: the
  // console connects again by itself (web/shared/socket.js), and a hand-off
  // made after that reaches her queue over the new stream
  await annaPage.locator('#live[data-state="live"]').waitFor({ timeout: LIVE_MS });
  const later = await createConversation(h.srv);
  await handoff(h.srv, later);
  await annaPage.locator(`#queue-list li[data-id="${later.id}"]`).waitFor({ timeout: LIVE_MS });

  // ---- (c) a new password for Sam ----
  const samApi = await login(h.srv, sam.email, sam.password);
  const pwCalls = track(page, '/password');
  const pwButton = page.getByRole('button', { name: 'Nieuw wachtwoord instellen: Sam' });
  assert.equal(await pwButton.getAttribute('aria-expanded'), 'false');
  await pwButton.click();
  const pwInput = page.getByLabel('Nieuw wachtwoord voor Sam (minstens 8 tekens)');
  await pwInput.waitFor();
  assert.equal(await pwButton.getAttribute('aria-expanded'), 'true');
  assert.equal(await focusedId(page), 'user-panel-pw');
  assert.equal(await pwInput.getAttribute('autocomplete'), 'new-password');
  assert.equal(await pwInput.getAttribute('type'), 'password');
  problems.push(...(await axeAudit(t, page, 'users view, password form')));
  await shot(page, 'users-password');
  await pwInput.fill('kort');
  await page.getByRole('button', { name: 'Wachtwoord opslaan' }).click();
  await page.locator('#user-panel [role=alert]', { hasText: 'minstens 8 tekens' }).waitFor();
  assert.equal(await pwInput.getAttribute('aria-invalid'), 'true');
  assert.deepEqual(pwCalls, [], 'a short password is not sent');
  await pwInput.fill('sams-nieuwe-wachtwoord');
  await page.getByRole('button', { name: 'Wachtwoord opslaan' }).click();
  await status.filter({ hasText: 'Het nieuwe wachtwoord voor Sam is ingesteld.' }).waitFor();
  assert.match(await status.textContent(), /1 sessie is beëindigd\./);
  assert.equal(await page.locator('#user-panel').count(), 0, 'the form is closed');
  assert.deepEqual(pwCalls, [`POST /api/v1/admin/users/${ids[sam.email]}/password`]);
  assert.equal((await samApi.req('GET', '/api/v1/auth/me')).status, 401, 'Sam’s session ended');
  assert.equal(await loginStatus(h, sam.email, sam.password), 401, 'the old password fails');
  assert.equal(await loginStatus(h, sam.email, 'sams-nieuwe-wachtwoord'), 200, 'the new one works');

  // ---- (e) the last admin can neither demote nor deactivate themself ----
  const alert = page.locator('#users-error');
  await page.getByLabel('Rol van Ada', { exact: true }).selectOption('agent');
  await page.getByRole('button', { name: 'Opslaan: rol van Ada' }).click();
  await alert.filter({ hasText: 'minstens één actieve beheerder' }).waitFor();
  assert.equal(await alert.getAttribute('role'), 'alert');
  assert.equal(await status.textContent(), '', 'no success message beside the refusal');
  await page.waitForFunction(() => document.activeElement && document.activeElement.getAttribute('aria-label') === 'Rol van Ada');
  assert.equal(await page.getByLabel('Rol van Ada', { exact: true }).inputValue(), 'admin', 'the row shows the role the server kept');
  assert.equal((await usersByEmail(admin))[ada.email].role, 'admin');
  problems.push(...(await axeAudit(t, page, 'users view, refusal')));
  await shot(page, 'users-last-admin');

  await page.getByRole('button', { name: 'Deactiveren: Ada', exact: true }).click();
  const self = page.getByRole('group', { name: 'Ada deactiveren?' });
  await self.getByRole('button', { name: 'Ja, deactiveren' }).click();
  await self.getByRole('alert').filter({ hasText: 'minstens één actieve beheerder' }).waitFor();
  assert.equal((await usersByEmail(admin))[ada.email].disabled, false);
  assert.equal(await page.locator('#app-view').isVisible(), true, 'still logged in');
  await self.getByRole('button', { name: 'Annuleren' }).click();

  // ---- English (the address keeps #users) ----
  await inEnglish(page, 'Manage users');
  await row(sam.email).waitFor();
  assert.equal(await page.getByLabel('Role of Anna', { exact: true }).inputValue(), 'supervisor');
  problems.push(...(await axeAudit(t, page, 'users view, English')));
  await page.getByRole('button', { name: 'Deactivate: Sam', exact: true }).click();
  await page.getByRole('group', { name: 'Deactivate Sam?' }).waitFor();
  problems.push(...(await axeAudit(t, page, 'users view, confirm step, English')));
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Set a new password: Sam' }).click();
  await page.getByLabel('New password for Sam (8 characters or more)').waitFor();
  problems.push(...(await axeAudit(t, page, 'users view, password form, English')));
  await shot(page, 'users-password-en');

  assert.deepEqual(problems, [], 'no serious or critical axe violations');
  assert.deepEqual(page.errors, [], `no page errors (nor CSP violations): ${page.errors.join('\n')}`);
  assert.deepEqual(annaPage.errors, [], `no page errors for Anna: ${annaPage.errors.join('\n')}`);
});

test('account page: change one’s own password; other sessions end; axe clean', async (t) => {
  const h = await serverWithAgents(t);
  const { anna } = h.users;
  const browser = await testBrowser(t);
  const page = await newPage(browser);
  await consoleLogin(page, h.base, anna.email, anna.password);
  await page.getByRole('link', { name: 'Mijn account' }).click();
  await page.waitForURL(/\/console\/account\.html$/);
  await page.locator('#acc-who:not(:empty)').waitFor();
  const calls = track(page, '/api/v1/auth/password');
  const form = page.locator('#pw-form');
  const current = form.getByLabel('Huidig wachtwoord');
  const fresh = form.getByLabel('Nieuw wachtwoord', { exact: true });
  const repeat = form.getByLabel('Nieuw wachtwoord herhalen');
  const submit = form.getByRole('button', { name: 'Wachtwoord wijzigen' });
  const error = page.locator('#pw-error');
  const done = page.locator('#pw-state');
  assert.equal(await current.getAttribute('autocomplete'), 'current-password');
  assert.equal(await fresh.getAttribute('autocomplete'), 'new-password');
  assert.equal(await repeat.getAttribute('autocomplete'), 'new-password');
  const problems = [...(await axeAudit(t, page, 'account page'))];

  // the two new ones differ: said at once, nothing sent
  await current.fill(anna.password);
  await fresh.fill('annas-nieuwe-geheim');
  await repeat.fill('annas-nieuwe-geheim!');
  await submit.click();
  await error.filter({ hasText: 'niet gelijk' }).waitFor();
  assert.equal(await error.getAttribute('role'), 'alert');
  assert.equal(await focusedId(page), 'pw-repeat');
  assert.equal(await repeat.getAttribute('aria-invalid'), 'true');
  problems.push(...(await axeAudit(t, page, 'account page, mismatch')));
  await shot(page, 'account-password-mismatch');
  // too short: the same
  await fresh.fill('kort');
  await repeat.fill('kort');
  await submit.click();
  await error.filter({ hasText: 'minstens 8 tekens' }).waitFor();
  assert.equal(await focusedId(page), 'pw-new');
  assert.deepEqual(calls, [], 'no request for what the page can check itself');

  // a wrong current password
  await current.fill('niet-mijn-wachtwoord');
  await fresh.fill('annas-nieuwe-geheim');
  await repeat.fill('annas-nieuwe-geheim');
  await submit.click();
  await error.filter({ hasText: 'Je huidige wachtwoord klopt niet.' }).waitFor();
  assert.deepEqual(calls, ['POST /api/v1/auth/password']);
  assert.equal(await focusedId(page), 'pw-current');
  assert.equal(await done.textContent(), '');
  // nothing changed: the old password still logs in (two more sessions to end below)
  const other1 = await login(h.srv, anna.email, anna.password);
  const other2 = await login(h.srv, anna.email, anna.password);

  // success: the other sessions end, this one stays
  await current.fill(anna.password);
  await fresh.fill('annas-nieuwe-geheim');
  await repeat.fill('annas-nieuwe-geheim');
  await submit.click();
  await done.filter({ hasText: 'Je wachtwoord is gewijzigd.' }).waitFor();
  assert.match(await done.textContent(), /2 andere sessies zijn beëindigd\./);
  assert.equal(await done.getAttribute('role'), 'status');
  assert.equal(await error.textContent(), '');
  assert.deepEqual([await current.inputValue(), await fresh.inputValue(), await repeat.inputValue()], ['', '', '']);
  assert.equal((await other1.req('GET', '/api/v1/auth/me')).status, 401);
  assert.equal((await other2.req('GET', '/api/v1/auth/me')).status, 401);
  assert.equal(await page.evaluate(() => fetch('/api/v1/auth/me').then((r) => r.status)), 200, 'this session stays');
  problems.push(...(await axeAudit(t, page, 'account page, changed')));
  await shot(page, 'account-password-changed');
  assert.equal(await loginStatus(h, anna.email, anna.password), 401, 'the old password fails');
  const second = await newPage(browser);
  await consoleLogin(second, h.base, anna.email, 'annas-nieuwe-geheim');

  // English
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('heading', { level: 2, name: 'Change password' }).waitFor();
  await form.getByLabel('Current password').fill('annas-nieuwe-geheim');
  await form.getByLabel('New password', { exact: true }).fill('nog-een-ander-1');
  await form.getByLabel('Repeat the new password').fill('nog-een-ander-2');
  await form.getByRole('button', { name: 'Change password' }).click();
  await error.filter({ hasText: 'is not the same' }).waitFor();
  problems.push(...(await axeAudit(t, page, 'account page, English')));

  assert.deepEqual(problems, [], 'no serious or critical axe violations');
  assert.deepEqual(page.errors, [], `no page errors (nor CSP violations): ${page.errors.join('\n')}`);
});
