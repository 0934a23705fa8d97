// Browser test (issue 8, personal data): the admin's "Privacy and audit"
// page. An admin opens it from the top bar, downloads a customer's data as
// JSON (the file holds the customer's conversation and the BSN they typed),
// erases the customer after the confirm step (nothing left in the database),
// sees both requests in the audit log and filters it; the page passes axe in
// each state, in Dutch and English, and an agent cannot use it (the page
// says why).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createConversation, postMessage, handoff } from '../integration/helpers.mjs';
import { testBrowser, newPage, shot, consoleLogin, openSection, inEnglish, serverWithAgents, agentTurnedAway, axeAudit } from './helpers.mjs';



test('admin: export and erase a customer from the console, read the audit log; axe clean', async (t) => {
  const h = await serverWithAgents(t, { admin: true });
  const c = await createConversation(h.srv, { language: 'nl', customer: { email: 'marie@example.nl', external_id: 'K-1001' } });
  await postMessage(h.srv, c, 'Mijn BSN is 123456782, kunt u mij terugbellen?');
  await handoff(h.srv, c);
  const other = await createConversation(h.srv, { language: 'nl', customer: { email: 'ander@example.nl' } });
  await postMessage(h.srv, other, 'Een andere klant');

  const browser = await testBrowser(t);
  const page = await newPage(browser);
  await consoleLogin(page, h.base, h.users.ada.email, h.users.ada.password);
  await openSection(page, 'Privacy en audit', /\/console\/admin\.html$/);
  await page.locator('#ret-facts dd').first().waitFor();
  await page.locator('#aud-rows tr').first().waitFor();
  const problems = [...(await axeAudit(t, page, 'admin page'))];
  // the column heads, drawn from the table's data-cols, each a column header
  const heads = page.locator('#aud-table').getByRole('columnheader');
  assert.deepEqual(await heads.allTextContents(), ['Tijd', 'Wie', 'Actie', 'Gesprek', 'Details']);

  // the export: a JSON file with the customer's conversation, not the other's
  await page.getByLabel('E-mailadres van de klant').fill('Marie@Example.nl');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Gegevens downloaden (JSON)' }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^loket-export-pr_\w+\.json$/);
  const file = await download.path();
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  assert.deepEqual(doc.conversations.map((x) => x.id), [c.id]);
  assert.ok(doc.conversations[0].messages.some((m) => m.text.includes('123456782')));
  assert.ok(!JSON.stringify(doc).includes(other.id));
  await page.locator('#dsr-status', { hasText: /Gedownload: 1 gesprekken/ }).waitFor();
  // its audit record shows at the top of the log, under the admin's name
  await page.locator('#aud-rows tr', { hasText: 'privacy.export' }).first().waitFor();
  assert.match(await page.locator('#aud-rows tr').first().textContent(), /Ada.*privacy\.export/s);

  // the erasure: a confirm step that needs the box ticked; Cancel changes nothing
  await page.getByLabel('Klantnummer (extern id)').fill('K-1001');
  await page.getByRole('button', { name: 'Klant wissen…' }).click();
  const confirm = page.getByRole('group', { name: 'Weet je het zeker?' });
  await confirm.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'erase-title', 'focus moves to the confirm step');
  assert.match(await confirm.textContent(), /marie@example\.nl \/ K-1001/i);
  problems.push(...(await axeAudit(t, page, 'erase confirm step')));
  await shot(page, '8-admin-erase-confirm');
  await confirm.getByRole('button', { name: 'Annuleren' }).click();
  await confirm.waitFor({ state: 'hidden' });
  const db = path.join(h.dataDir, 'loket.db');
  const count = (q) => Number(execFileSync('sqlite3', [db, q], { encoding: 'utf8' }).trim());
  assert.equal(count(`SELECT count(*) FROM conversations WHERE id = '${c.id}'`), 1);

  await page.getByRole('button', { name: 'Klant wissen…' }).click();
  await confirm.waitFor();
  await confirm.getByRole('button', { name: 'Definitief wissen' }).click();
  await page.locator('#dsr-error', { hasText: /vink/i }).waitFor(); // not ticked yet
  assert.equal(count(`SELECT count(*) FROM conversations WHERE id = '${c.id}'`), 1);
  await confirm.getByLabel('Ik begrijp dat dit niet ongedaan kan worden').check();
  await confirm.getByRole('button', { name: 'Definitief wissen' }).click();
  await page.locator('#dsr-status', { hasText: /Gewist: 1 gesprekken/ }).waitFor();
  assert.equal(await confirm.isHidden(), true);
  assert.equal(count(`SELECT count(*) FROM conversations WHERE id = '${c.id}'`), 0);
  assert.equal(count(`SELECT count(*) FROM messages WHERE conversation_id = '${c.id}'`), 0);
  assert.equal(count("SELECT count(*) FROM conversations WHERE customer_email = 'marie@example.nl'"), 0);
  assert.equal(count(`SELECT count(*) FROM conversations WHERE id = '${other.id}'`), 1);
  await page.locator('#aud-rows tr', { hasText: 'privacy.erase' }).first().waitFor();
  const eraseRow = await page.locator('#aud-rows tr', { hasText: 'privacy.erase' }).first().textContent();
  assert.ok(!/marie|K-1001/i.test(eraseRow), `the audit record names no one: ${eraseRow}`);
  await shot(page, '8-admin-erased');

  // the audit log's filter
  await page.getByLabel('Actie', { exact: true }).fill('privacy.');
  await page.getByRole('button', { name: 'Zoeken' }).click();
  // the unfiltered list's status says "records getoond" too: wait for the filtered rows themselves
  await page
    .waitForFunction(() => {
      const cells = [...document.querySelectorAll('#aud-rows tr td:nth-child(3)')];
      return cells.length >= 3 && cells.every((c) => c.textContent.startsWith('privacy.'));
    }, null, { timeout: 15000 })
    .catch(() => {}); // the assertions below say what is wrong
  const actions = await page.locator('#aud-rows tr td:nth-child(3)').allTextContents();
  assert.ok(actions.length >= 3, actions.join(',')); // export, erase and the purge at start
  assert.ok(actions.every((a) => a.startsWith('privacy.')), actions.join(','));
  problems.push(...(await axeAudit(t, page, 'audit log filtered')));

  // English
  await inEnglish(page, 'Privacy and audit', '#aud-rows tr');
  assert.deepEqual(await heads.allTextContents(), ['Time', 'Who', 'Action', 'Conversation', 'Details']);
  problems.push(...(await axeAudit(t, page, 'admin page, English')));
  assert.deepEqual(problems, []);
  assert.deepEqual(page.errors, [], 'no page errors (nor CSP violations)');

  // an agent neither sees the link nor can use the page: it says why not
  // and where to go (issue 14), and shows nothing of its own
  const agent = await agentTurnedAway(browser, h, 'Privacy en audit', '/console/admin.html');
  assert.equal(await agent.locator('#dsr-form').count(), 0);
  await agent.getByRole('link', { name: 'Naar Gesprekken' }).waitFor();
});
