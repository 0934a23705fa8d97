// Browser test (issue 6): the "Gaps and review" page of a supervisor. The
// supervisor opens it from the top bar, marks an unreviewed bot answer wrong
// and sees the accuracy figure change (then right, and it changes again),
// keeps the question marked right as a labelled question of its article
// (issue 15: stored with source "review"),
// turns a gap topic (questions the bot declined, redacted) into a draft
// article and follows the link to the knowledge page; the page passes axe
// in Dutch and English, and an agent cannot open it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { createConversation, postMessage, login } from '../integration/helpers.mjs';
import { testBrowser, newPage, shot, consoleLogin, openSection, inEnglish, serverWithAgents, agentTurnedAway, axeAudit } from './helpers.mjs';



test('gaps page: review answers and see the accuracy change, turn a gap topic into a draft; axe clean', async (t) => {
  const h = await serverWithAgents(t, { supervisor: true });
  const answeredBy = {};
  // two answers to review, and a topic of two declined questions (one with an e-mail address)
  for (const q of ['Hoe kan ik iets retourneren?', 'Wat zijn de verzendkosten?']) {
    const c = await createConversation(h.srv, { language: 'nl' });
    const r = await postMessage(h.srv, c, q);
    const m = r.messages.find((x) => x.article_id);
    assert.ok(m, `answered: ${q}`);
    answeredBy[q] = m.article_id;
  }
  const g = await createConversation(h.srv, { language: 'nl' });
  await postMessage(h.srv, g, 'Hebben jullie vacatures?');
  await postMessage(h.srv, g, 'Zijn er vacatures bij jullie? Mail me op jan.jansen@example.nl');

  const browser = await testBrowser(t);
  const page = await newPage(browser);
  await consoleLogin(page, h.base, h.users.sam.email, h.users.sam.password);
  await openSection(page, 'Hiaten en beoordeling', /\/console\/gaps\.html$/);
  const queue = page.locator('#rq-list > li');
  await queue.nth(1).waitFor();
  await page.locator('#gp-list > li').first().waitFor();
  await page.locator('#acc-count', { hasText: 'Nog geen antwoorden beoordeeld.' }).waitFor();
  assert.equal(await page.locator('#acc-figure').textContent(), '–');
  const problems = [...(await axeAudit(t, page, 'gaps page'))];
  await shot(page, '6-gaps-page');

  // mark the newest answer wrong: the figure changes to 0% of 1
  assert.equal(await queue.count(), 2);
  const first = queue.first();
  assert.equal(await first.getByRole('heading').textContent(), 'Wat zijn de verzendkosten?');
  await first.getByRole('button', { name: 'Fout' }).click();
  await page.locator('#acc-figure', { hasText: '0% goed' }).waitFor();
  assert.equal(await page.locator('#acc-count').textContent(), '0 van 1 beoordeelde antwoorden goed, 1 fout.');
  await page.locator('#rq-status', { hasText: 'Beoordeeld als fout.' }).waitFor();
  assert.equal(await queue.count(), 1, 'the reviewed answer left the queue');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Goed', 'focus moves to the next answer');
  assert.equal(await queue.first().getByRole('button', { name: 'Bewaren als gelabelde vraag' }).count(), 0, 'nothing to keep after a wrong mark');
  // and the other one right: 50%; it stays with a button to keep its question
  const answered = queue.first();
  await answered.getByRole('button', { name: 'Goed' }).click();
  await page.locator('#acc-figure', { hasText: '50% goed' }).waitFor();
  await page.locator('#rq-status', { hasText: 'Er zijn geen antwoorden om te beoordelen.' }).waitFor();
  assert.match(await page.locator('#acc-threshold').textContent(), /Nog 18 beoordelingen nodig/);
  const keep = answered.getByRole('button', { name: 'Bewaren als gelabelde vraag' });
  await keep.waitFor();
  assert.equal(await answered.getByRole('button', { name: 'Goed' }).count(), 0, 'marked: no Right/Wrong any more');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Bewaren als gelabelde vraag', 'focus on the keep button');
  problems.push(...(await axeAudit(t, page, 'gaps page with a keep button')));
  const lead = await login(h.srv, h.users.sam.email, h.users.sam.password);
  const before = await lead.req('GET', '/api/v1/kb/labelled');
  assert.equal(before.status, 200, before.text);
  assert.equal(before.json.total, 0);
  await keep.click();
  await page.locator('#rq-status', { hasText: 'De vraag is bewaard als gelabelde vraag bij' }).waitFor();
  assert.match(await page.locator('#rq-status').textContent(), /telt mee vanaf de volgende publicatie of import/);
  assert.equal(await answered.getByRole('button').count(), 0, 'kept: the button is gone');
  assert.match(await answered.textContent(), /Bewaard als gelabelde vraag\./);
  const kept = await lead.req('GET', '/api/v1/kb/labelled');
  assert.equal(kept.status, 200, kept.text);
  assert.equal(kept.json.total, 1);
  const lq = kept.json.questions[0];
  assert.equal(lq.text, 'Hoe kan ik iets retourneren?');
  assert.equal(lq.source, 'review');
  assert.equal(lq.label, answeredBy['Hoe kan ik iets retourneren?'], 'labelled with the article that answered');
  assert.equal(lq.added_by, lead.user.id);

  // the gap topic: redacted, and one click makes a draft article
  const topic = page.locator('#gp-list > li').first();
  assert.equal(await topic.getByRole('heading').textContent(), 'Hebben jullie vacatures?');
  assert.match(await topic.textContent(), /2 vragen/);
  const examples = await topic.locator('.gap-examples li').allTextContents();
  assert.deepEqual(examples, ['Hebben jullie vacatures?', 'Zijn er vacatures bij jullie? Mail me op [e-mail]']);
  assert.ok(!(await page.content()).includes('jan.jansen'), 'no e-mail address on the page');
  await topic.getByRole('button', { name: 'Maak conceptartikel' }).click();
  const link = topic.getByRole('link', { name: 'Conceptartikel openen in de kennisbank' });
  await link.waitFor();
  const href = await link.getAttribute('href');
  const m = /^\/console\/knowledge\.html#draft=(d_\w+)$/.exec(href);
  assert.ok(m, `a link to the draft on the knowledge page: ${href}`);
  assert.equal(await page.evaluate(() => document.activeElement.tagName), 'A', 'focus on the new link');
  await page.locator('#gp-status', { hasText: 'Conceptartikel “Hebben jullie vacatures?” gemaakt.' }).waitFor();
  const db = path.join(h.dataDir, 'loket.db');
  const row = execFileSync('sqlite3', ['-separator', '|', db, `SELECT source, status, language, title, questions FROM article_drafts WHERE id = '${m[1]}'`], {
    encoding: 'utf8',
  }).trim();
  assert.equal(row, 'gap_report|draft|nl|Hebben jullie vacatures?|["Hebben jullie vacatures?","Zijn er vacatures bij jullie? Mail me op [e-mail]"]');
  problems.push(...(await axeAudit(t, page, 'gaps page after marking and a draft')));
  await shot(page, '6-gaps-draft');

  // filters: English questions only: none
  await page.getByLabel('Taal').selectOption('en');
  await page.getByRole('button', { name: 'Tonen' }).click();
  await page.locator('#gp-status', { hasText: 'Geen vragen zonder antwoord in deze periode.' }).waitFor();
  assert.equal(await page.locator('#gp-list > li').count(), 0);

  // English
  await inEnglish(page, 'Gaps and review');
  await page.locator('#acc-figure', { hasText: '50% right' }).waitFor();
  await page.locator('#gp-list > li').first().getByRole('button', { name: 'Create draft article' }).waitFor();
  problems.push(...(await axeAudit(t, page, 'gaps page, English')));

  // following the link opens the draft in the knowledge page's editor, its questions filled in
  await page.goto(h.base + href);
  await page.locator('#editor').waitFor();
  assert.equal(await page.locator('#ed-titlefield').inputValue(), 'Hebben jullie vacatures?');
  assert.match(await page.locator('#ed-form').evaluate((f) => f.questions.value), /Mail me op \[e-mail\]/);

  assert.deepEqual(problems, []);
  assert.deepEqual(page.errors, [], 'no page errors (nor CSP violations)');

  // an agent neither sees the link nor can use the page: it says why not
  // and where to go (issue 14), and shows nothing of its own
  const agent = await agentTurnedAway(browser, h, 'Hiaten en beoordeling', '/console/gaps.html');
  assert.match(await agent.locator('main').textContent(), /alleen voor teamleiders en beheerders/);
  await agent.getByRole('link', { name: 'Naar Gesprekken' }).waitFor();
});
