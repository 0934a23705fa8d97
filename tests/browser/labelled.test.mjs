// Browser test (issue 15, part 1): the company's own labelled questions on
// the knowledge page. A team lead uploads a JSON-lines file with a bad line
// and is told which line, with nothing stored; uploads a good one and sees
// the count and the list (redacted), deletes one; after the next
// knowledge-base build "what would the bot do?" says how many of the
// company's questions the calibration counted. An agent does not see the
// section. The page passes axe in Dutch and English, with no page errors.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, sqlite, REBUILD_SLOW } from '../integration/helpers.mjs';
import { testBrowser, newPage, shot, consoleLogin, inEnglish, serverWithAgents, TIMEOUT, axeAudit } from './helpers.mjs';

test('a team lead uploads labelled questions and sees them counted', async (t) => {
  const h = await serverWithAgents(t, { supervisor: true, env: { LOKET_KB_POLL_MS: '250' } });
  const browser = await testBrowser(t);
  const page = await newPage(browser);
  await consoleLogin(page, h.base, h.users.sam.email, h.users.sam.password);
  await page.goto(`${h.base}/console/knowledge.html`);
  const section = page.getByRole('region', { name: 'Gelabelde vragen' });
  await section.waitFor({ timeout: TIMEOUT });
  await page.locator('#lab-summary', { hasText: 'Er zijn nog geen gelabelde vragen.' }).waitFor();
  const problems = await axeAudit(t, page, 'labelled questions, none yet');

  // a file with a bad second line: its message, nothing stored
  const dir = path.dirname(h.dataDir);
  const bad = path.join(dir, 'bad.jsonl');
  writeFileSync(
    bad,
    [
      JSON.stringify({ text: 'Waar blijft mijn pakket?', label: 'pakket-volgen' }),
      JSON.stringify({ text: 'Hoe laat is het?', label: 'bestaat-niet' }),
    ].join('\n')
  );
  await page.getByLabel('Bestand met gelabelde vragen (JSON lines)').setInputFiles(bad);
  await page.getByRole('button', { name: 'Uploaden' }).click();
  const err = page.locator('#lab-error');
  await err.filter({ hasText: 'bestaat-niet' }).waitFor();
  assert.match(await err.textContent(), /^line 2: "label" "bestaat-niet" is no published article/);
  assert.equal(sqlite(h.dataDir, 'SELECT COUNT(*) FROM labelled_questions'), '0');

  // a good file
  const good = path.join(dir, 'good.jsonl');
  writeFileSync(
    good,
    [
      { text: 'Mijn mail is jan@example.com, waar blijft mijn pakket?', label: 'pakket-volgen' },
      { text: 'Kan ik achteraf betalen?', label: 'achteraf-betalen' },
      { text: 'Wat voor weer wordt het morgen?', label: 'oos' },
    ]
      .map((x) => JSON.stringify(x))
      .join('\n') + '\n'
  );
  await page.getByLabel('Bestand met gelabelde vragen (JSON lines)').setInputFiles(good);
  await page.getByRole('button', { name: 'Uploaden' }).click();
  await page.locator('#lab-status', { hasText: '3 vragen ontvangen: 3 nieuw' }).waitFor();
  assert.equal(await err.textContent(), '', 'the earlier error is gone');
  await page.locator('#lab-summary', { hasText: '3 gelabelde vragen, waarvan 1 buiten de kennisbank' }).waitFor();
  const rows = page.locator('#lab-body tr');
  assert.equal(await rows.count(), 3);
  const texts = await page.locator('#lab-body th').allTextContents();
  assert.ok(texts.includes('Mijn mail is [e-mail], waar blijft mijn pakket?'), `redacted: ${texts.join(' | ')}`);
  assert.match(await rows.filter({ hasText: 'weer' }).textContent(), /Niet beantwoorden \(buiten de kennisbank\)/);
  await shot(page, '15-labelled-questions');
  problems.push(...(await axeAudit(t, page, 'labelled questions, listed')));

  // delete one
  await page.getByRole('button', { name: 'Verwijder de gelabelde vraag “Kan ik achteraf betalen?”' }).click();
  await page.locator('#lab-status', { hasText: 'Verwijderd.' }).waitFor();
  await page.locator('#lab-summary', { hasText: '2 gelabelde vragen' }).waitFor();
  assert.equal(await rows.count(), 2);

  // the next build counts them: the try box says how many
  const kb = path.join(dir, 'extra.json');
  writeFileSync(
    kb,
    JSON.stringify({
      articles: [
        {
          id: 'showroom',
          language: 'nl',
          title: 'Openingstijden van de showroom',
          questions: ['Wanneer is de showroom open?', 'Hoe laat gaat de showroom dicht?', 'Is de showroom op zondag open?'],
          answer: 'De showroom is open van dinsdag tot en met zaterdag, van 10:00 tot 17:00.',
        },
      ],
    })
  );
  const imp = await runCli(['kb', 'import', kb, '--data', h.dataDir]);
  assert.equal(imp.code, 0, imp.stderr);
  const fact = (label) => page.locator('#try-result dt', { hasText: label }).locator('xpath=following-sibling::dd[1]');
  const since = Date.now();
  for (;;) {
    await page.getByLabel('Vraag van een klant').fill('Hoe kan ik iets retourneren?');
    await page.getByRole('button', { name: 'Probeer' }).click();
    await fact('Eigen gelabelde vragen in de kalibratie').waitFor();
    if ((await fact('Eigen gelabelde vragen in de kalibratie').textContent()) === '2') break;
    assert.ok(Date.now() - since < 20000 * REBUILD_SLOW, 'the rebuilt bot counts the two');
    await page.waitForTimeout(200);
  }
  await page.reload();
  await page.locator('#lab-summary', { hasText: 'De bot telt er nu 2 mee' }).waitFor({ timeout: TIMEOUT });

  await inEnglish(page, 'Knowledge base', '#lab-body tr');
  await page.getByRole('region', { name: 'Labelled questions' }).waitFor();
  await page.locator('#lab-summary', { hasText: '2 labelled questions' }).waitFor();
  problems.push(...(await axeAudit(t, page, 'labelled questions, English')));
  assert.deepEqual(problems, []);
  assert.deepEqual(page.errors, [], 'no page errors (nor CSP violations)');

  // an agent does not see the section
  const agent = await newPage(browser);
  await consoleLogin(agent, h.base, h.users.anna.email, h.users.anna.password);
  await agent.goto(`${h.base}/console/knowledge.html`);
  await agent.locator('#list-body tr').first().waitFor({ timeout: TIMEOUT });
  assert.equal(await agent.getByRole('region', { name: 'Gelabelde vragen' }).count(), 0);
  assert.deepEqual(agent.bad.filter((b) => b.includes('/labelled')), [], 'nor asks for it');
  assert.deepEqual(agent.errors, []);
});
