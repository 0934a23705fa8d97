// Browser test (issue 16, point 2): the admin page's "Security events"
// section. Failed logins, a role refusal and a cross-site request happen; the
// admin sees them newest first with kind, address, account, reason and
// request, filters by kind, and the section passes axe in Dutch and English.
// An agent's visit of the admin page is sent away before it asks for them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, login } from '../integration/helpers.mjs';
import { testBrowser, newPage, consoleLogin, serverWithAgents, axeAudit, sleep } from './helpers.mjs';

test('admin: security events newest first, filtered by kind; axe clean', async (t) => {
  const h = await serverWithAgents(t, { admin: true });
  const anna = await login(h.srv, h.users.anna.email, h.users.anna.password);
  // two failed logins, then a role refusal, then a cross-site request (in this order)
  for (const pw of ['geraden-wachtwoord-1', 'geraden-wachtwoord-2'])
    assert.equal((await api(h.srv, 'POST', '/api/v1/auth/login', { body: { email: h.users.anna.email, password: pw } })).status, 401);
  assert.equal((await anna.req('GET', '/api/v1/admin/audit')).status, 403);
  assert.equal((await anna.req('POST', '/api/v1/auth/logout', { headers: { Origin: 'https://evil.example' } })).status, 403);
  await sleep(300); // the rows are stored by a writer job after the answers

  const browser = await testBrowser(t);
  const page = await newPage(browser);
  await consoleLogin(page, h.base, h.users.ada.email, h.users.ada.password);
  await page.goto(`${h.base}/console/admin.html`);
  const section = page.getByRole('region', { name: 'Beveiligingsmeldingen' });
  await section.waitFor();
  await page.locator('#sec-rows tr').nth(3).waitFor();

  const kinds = await page.locator('#sec-rows tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-kind')));
  assert.deepEqual(kinds, ['cross_site', 'forbidden', 'login_failed', 'login_failed'], 'newest first');
  const forbidden = page.locator('#sec-rows tr[data-kind=forbidden]');
  assert.match(await forbidden.textContent(), /Geweigerd recht/);
  assert.match(await forbidden.textContent(), /anna@example\.com/);
  assert.match(await forbidden.textContent(), /GET \/api\/v1\/admin\/audit/);
  assert.match(await forbidden.locator('td').nth(2).textContent(), /^127\.0\.0\.1$/, 'the client address');
  const failed = page.locator('#sec-rows tr[data-kind=login_failed]').first();
  assert.match(await failed.textContent(), /Mislukte aanmelding.*anna@example\.com.*wrong password.*POST \/api\/v1\/auth\/login/s);
  assert.ok(!(await section.textContent()).includes('geraden-wachtwoord'), 'no password is shown');
  await page.locator('#sec-status', { hasText: '4 meldingen getoond.' }).waitFor();
  const problems = [...(await axeAudit(t, page, 'security events'))];

  // the filter
  await page.getByLabel('Soort').selectOption({ label: 'Mislukte aanmelding' });
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('#sec-rows tr')];
    return rows.length === 2 && rows.every((r) => r.getAttribute('data-kind') === 'login_failed');
  });
  await page.locator('#sec-status', { hasText: '2 meldingen getoond.' }).waitFor();
  await page.getByLabel('Soort').selectOption({ label: 'Te veel verzoeken' });
  await page.locator('#sec-status', { hasText: 'Geen meldingen gevonden.' }).waitFor();
  assert.equal(await page.locator('#sec-rows tr').count(), 0);

  // English
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('region', { name: 'Security events' }).waitFor();
  await page.locator('#sec-rows tr').first().waitFor();
  assert.match(await page.locator('#sec-rows tr[data-kind=cross_site]').textContent(), /Request from another web site/);
  problems.push(...(await axeAudit(t, page, 'security events, English')));
  assert.deepEqual(problems, []);
  assert.deepEqual(page.errors, [], 'no page errors (nor CSP violations)');

  // an agent's visit asks for nothing: no new refusal is recorded
  const before = (await api(h.srv, 'GET', '/metrics')).text.match(/loket_security_events_total\{kind="forbidden"\} (\d+)/)[1];
  const agent = await newPage(browser);
  await consoleLogin(agent, h.base, h.users.anna.email, h.users.anna.password);
  await agent.goto(`${h.base}/console/admin.html`);
  await agent.locator('#not-yours-title').waitFor(); // the page explains that it is not theirs
  const after = (await api(h.srv, 'GET', '/metrics')).text.match(/loket_security_events_total\{kind="forbidden"\} (\d+)/)[1];
  assert.equal(after, before);
});
