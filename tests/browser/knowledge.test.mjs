// Browser test (issue 6): the knowledge page. A supervisor asks "what would
// the bot do?", writes a new article whose example questions pull a question
// away from another article, sees that question in the preview's table of
// changes, publishes, and sees the change live (the try box and a customer
// get the new article). An agent may read but not change. The page passes
// axe in each of its views, in Dutch and English, with no page errors.
// A server with an empty knowledge base says so on the page, with what to do.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createConversation, postMessage, sleep, REBUILD_SLOW, freshDataDir, runCli, startServer, stopServer } from '../integration/helpers.mjs';
import { testBrowser, newPage, shot, consoleLogin, inEnglish, serverWithAgents, TIMEOUT, axeAudit, addUser } from './helpers.mjs';

const RELOAD_MS = 2000 * REBUILD_SLOW;


test('publish an article change after seeing its regression set; the try box', async (t) => {
  // the bot looks for a new knowledge-base version every 250 ms here
  // (1 s by default), so the 2 s of the contract leave room under ASan
  const h = await serverWithAgents(t, { supervisor: true, env: { LOKET_KB_POLL_MS: '250' } });
  const browser = await testBrowser(t);
  const page = await newPage(browser);
  await consoleLogin(page, h.base, h.users.sam.email, h.users.sam.password);
  await page.getByRole('link', { name: 'Kennisbank' }).click();
  await page.getByRole('heading', { level: 1, name: 'Kennisbank' }).waitFor();
  await page.locator('#list-body tr').first().waitFor();
  assert.ok((await page.locator('#list-body tr').count()) > 40, 'the demo articles are listed');
  const problems = [];
  problems.push(...(await axeAudit(t, page, 'article list')));

  // search and open an article: its answer rendered, its versions
  await page.getByLabel('Zoeken').fill('cadeaubon');
  const before = await page.locator('#list-body tr').count();
  await page.getByRole('button', { name: 'Tonen' }).click();
  // the search's rows, not the full list's (a click on a row that is being
  // replaced would land on whatever takes its place)
  await page.waitForFunction((n) => document.querySelectorAll('#list-body tr').length < n, before, { timeout: TIMEOUT });
  await page.locator('#list-body button', { hasText: 'Cadeaubon' }).first().click();
  await page.locator('#art-title', { hasText: 'Cadeaubon' }).waitFor();
  assert.equal(await page.locator('#ver-body tr').count(), 1);
  assert.match(await page.locator('#ver-body tr').first().textContent(), /geïmporteerd/);
  problems.push(...(await axeAudit(t, page, 'article view')));

  // what would the bot do?
  await page.getByLabel('Vraag van een klant').fill('Ik wil een medewerker spreken');
  await page.getByRole('button', { name: 'Probeer' }).click();
  await page.locator('#try-result .kb-action', { hasText: 'Doorverbinden met een medewerker (customer_request)' }).waitFor();
  // answered from "Cadeaubon" now; the new article has it as an example question ("hoeveel saldo
  // staat er nog op mijn cadeaubon", in both articles, would be offered as a choice between them)
  const moved = 'saldo cadeaubon checken';
  await page.getByLabel('Vraag van een klant').fill(moved);
  await page.getByRole('button', { name: 'Probeer' }).click();
  await page.locator('#try-result .kb-decision', { hasText: 'De bot antwoordt met “Cadeaubon”.' }).waitFor();
  problems.push(...(await axeAudit(t, page, 'try box')));

  // a new article that takes the question over
  await page.getByRole('button', { name: 'Nieuw artikel' }).click();
  await page.locator('#editor').waitFor();
  await page.getByLabel('Titel', { exact: true }).fill('Saldo van je cadeaubon');
  await page.getByLabel('Id (leeg: uit de titel)').fill('cadeaubon-saldo');
  await page.getByLabel('Voorbeeldvragen, één per regel').fill(
    ['hoeveel saldo staat er nog op mijn cadeaubon', moved, 'hoeveel tegoed heb ik nog op de cadeaubon', 'cadeaukaart saldo bekijken',
      'saldo van mijn cadeaubon opvragen'].join('\n')
  );
  await page.getByLabel('Antwoord (Markdown)').fill('Je **saldo** zie je op [de saldopagina](https://www.tulpentafel.example/saldo).');
  await page.getByRole('button', { name: 'Voorvertoning' }).click();
  const row = page.locator('#pv-body tr', { hasText: moved });
  await row.waitFor();
  const cells = await row.locator('td').allTextContents();
  assert.match(cells[2], /^cadeaubon \(\d+%\)$/, `now: ${cells[2]}`);
  assert.match(cells[3], /^cadeaubon-saldo \(\d+%\)$/, `after publishing: ${cells[3]}`);
  assert.match(await page.locator('#pv-summary').textContent(), /voorbeeldvragen getest: \d+ worden anders beantwoord/);
  await shot(page, '6-knowledge-preview');
  problems.push(...(await axeAudit(t, page, 'editor with preview')));

  // not live before publishing
  let c = await createConversation(h.srv);
  let bot = (await postMessage(h.srv, c, moved)).messages.find((m) => m.sender === 'bot');
  assert.equal(bot.article_id, 'cadeaubon');

  await page.getByRole('button', { name: 'Publiceren' }).click();
  await page.locator('#art-status', { hasText: 'Gepubliceerd als versie 1.' }).waitFor();
  const since = Date.now();
  assert.equal(await page.locator('#art-title').textContent(), 'Saldo van je cadeaubon');
  assert.equal(await page.locator('#art-answer strong').textContent(), 'saldo', 'the answer rendered from Markdown');
  assert.equal(await page.locator('#art-answer a').getAttribute('href'), 'https://www.tulpentafel.example/saldo');
  assert.ok(await page.locator('#editor').isHidden(), 'the editor closed');
  await page.locator('#list-body button[data-article="cadeaubon-saldo"]').waitFor(); // the list shows it now

  // live: the try box, then a customer
  for (;;) {
    await page.getByLabel('Vraag van een klant').fill(moved);
    await page.getByRole('button', { name: 'Probeer' }).click(); // clears the earlier answer
    await page.locator('#try-result .kb-decision').waitFor();
    const text = await page.locator('#try-result .kb-decision').textContent();
    if (text === 'De bot antwoordt met “Saldo van je cadeaubon”.') break;
    assert.ok(Date.now() - since < RELOAD_MS, `the try box answers from the new article within ${RELOAD_MS} ms (last: ${text})`);
    await sleep(100);
  }
  c = await createConversation(h.srv);
  bot = (await postMessage(h.srv, c, moved)).messages.find((m) => m.sender === 'bot');
  assert.equal(bot.article_id, 'cadeaubon-saldo');
  assert.match(bot.text, /^Je saldo zie je op de saldopagina \(https:\/\/www\.tulpentafel\.example\/saldo\)\./);
  await shot(page, '6-knowledge-published');

  // the synonym the bot read ("opsturen" is in no example question; the
  // lexicon reads it as "sturen"), and how many reviewed customer questions
  // the calibration counted (none yet on a fresh server)
  const fact = (label) => page.locator('#try-result dt', { hasText: label }).locator('xpath=following-sibling::dd[1]');
  await page.getByLabel('Vraag van een klant').fill('ik wil mijn bestelling opsturen');
  await page.getByRole('button', { name: 'Probeer' }).click();
  await fact('Gelezen als synoniem').waitFor();
  assert.equal(await fact('Gelezen als synoniem').textContent(), 'opsturen als sturen');
  assert.equal(await fact('Beoordeelde vragen van klanten in de kalibratie').textContent(), '0');

  // English
  await inEnglish(page, 'Knowledge base', '#list-body tr');
  problems.push(...(await axeAudit(t, page, 'English')));

  assert.deepEqual(problems, []);
  assert.deepEqual(page.errors, [], 'no page errors (nor CSP violations)');

  // an agent reads, but has no buttons to change anything
  const agent = await newPage(browser);
  await consoleLogin(agent, h.base, h.users.anna.email, h.users.anna.password);
  await agent.goto(`${h.base}/console/knowledge.html#article=cadeaubon-saldo`);
  await agent.locator('#art-title', { hasText: 'Saldo van je cadeaubon' }).waitFor({ timeout: TIMEOUT });
  assert.equal(await agent.getByRole('button', { name: 'Nieuw artikel', exact: true }).count(), 0);
  assert.equal(await agent.getByRole('button', { name: 'Wijzigen', exact: true }).count(), 0);
  assert.equal(await agent.getByRole('button', { name: 'Archiveren', exact: true }).count(), 0);
  assert.deepEqual(agent.errors, []);
});

test('an empty knowledge base: a banner says so and what to do, until there are articles', async (t) => {
  const d = freshDataDir();
  t.after(() => d.cleanup());
  const file = path.join(d.root, 'empty.json');
  writeFileSync(file, '{"articles": []}');
  const imp = await runCli(['kb', 'import', file, '--data', d.dir]);
  assert.equal(imp.code, 0, imp.stderr);
  const sam = { email: 'sam@example.com', password: 'zonnige-dag-aan-zee', name: 'Sam' };
  await addUser(d.dir, { ...sam, role: 'supervisor' });
  const srv = await startServer({ dataDir: d.dir, env: { LOKET_KB_POLL_MS: '250' } });
  t.after(() => stopServer(srv));
  const browser = await testBrowser(t);
  const page = await newPage(browser);
  await consoleLogin(page, srv.base, sam.email, sam.password);
  await page.goto(`${srv.base}/console/knowledge.html`);
  const banner = page.getByRole('region', { name: 'De kennisbank is leeg' });
  await banner.waitFor({ timeout: TIMEOUT });
  const text = await banner.textContent();
  assert.match(text, /elke vraag gaat naar een medewerker/);
  assert.match(text, /Nieuw artikel/);
  assert.match(text, /loket kb import BESTAND/);
  assert.match(text, /loket kb demo/);
  await shot(page, '14-knowledge-empty');
  const problems = await axeAudit(t, page, 'empty knowledge base');
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('region', { name: 'The knowledge base is empty' }).waitFor();
  problems.push(...(await axeAudit(t, page, 'empty knowledge base, English')));
  assert.deepEqual(problems, []);

  // the demo loaded from the command line: the banner is gone
  const demo = await runCli(['kb', 'demo', '--data', d.dir]);
  assert.equal(demo.code, 0, demo.stderr);
  await page.reload();
  await page.locator('#list-body tr').first().waitFor({ timeout: TIMEOUT });
  assert.ok(await page.locator('#kb-empty').isHidden(), 'the banner stays with a knowledge base');
  assert.deepEqual(page.errors, [], 'no page errors');
});
