// Browser test (issue 15): the knowledge page when the bot would offer a
// choice of articles. On the demo knowledge base, whose calibration cannot
// show answer_risk, "what would the bot do?" with a short question says
// "offers a choice: A, B" (the articles in the order the customer sees
// them) and what the conversation does; the calibration says in plain words
// what the bot does then (answers only from threshold T, at most B wrong,
// and offers choices below it); the preview of an article that splits
// another's questions shows "choice: A, B" for them, and counts them. In
// Dutch and English, passing axe, with no page errors.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testBrowser, newPage, shot, consoleLogin, openSection, inEnglish, serverWithAgents, axeAudit } from './helpers.mjs';

test('the try box and the preview show a choice of articles; the calibration says what the bot does', async (t) => {
  const h = await serverWithAgents(t, { supervisor: true });
  const browser = await testBrowser(t);
  const page = await newPage(browser);
  await consoleLogin(page, h.base, h.users.sam.email, h.users.sam.password);
  await openSection(page, 'Kennisbank', /\/console\/knowledge/);
  await page.locator('#list-body tr').first().waitFor();
  const problems = [];

  // what the API says, to compare the page's words with
  const api = (method, url, body) =>
    page.evaluate(
      async ([m, u, b]) => {
        const r = await fetch(u, { method: m, credentials: 'same-origin', headers: { Accept: 'application/json', 'Content-Type': 'application/json' }, body: b ? JSON.stringify(b) : undefined });
        return r.json();
      },
      [method, url, body]
    );
  const tried = await api('POST', '/api/v1/kb/try', { text: 'retour' });
  assert.equal(tried.decision, 'choice', JSON.stringify(tried).slice(0, 300));
  const cal = tried.calibration;
  assert.equal(cal.met, false);
  const pct = (x) => String(Math.round(x * 100));

  await page.getByLabel('Vraag van een klant').fill('retour');
  await page.getByRole('button', { name: 'Probeer' }).click();
  const decision = page.locator('#try-result .kb-decision');
  await decision.waitFor();
  assert.equal(await decision.textContent(), 'De bot biedt een keuze: “Retourkosten”, “Retourneren”.');
  assert.match(await decision.getAttribute('class'), /kb-choice/);
  assert.equal(await page.locator('#try-result .kb-action').textContent(), 'Een keuze aanbieden: “Retourkosten”, “Retourneren”');
  assert.match(await page.locator('#try-result .kb-reply').first().textContent(), /Gaat je vraag over 'Retourkosten' of 'Retourneren'\?/);
  const fallback = page.locator('#try-result .kb-cal-fallback');
  const nl = await fallback.textContent();
  assert.ok(nl.includes(`niet laten zien dat hoogstens ${pct(cal.answer_risk)}% van zijn antwoorden fout is`), nl);
  assert.ok(nl.includes(`alleen waar zijn geschatte kans op een fout antwoord het laagst is: als hij minstens ${pct(cal.threshold)}% zeker is (dan hoogstens ${pct(cal.risk_bound)}% fout)`), nl);
  assert.match(nl, /keuze|welk van de twee of drie best passende artikelen/);
  assert.match(nl, /medewerker/);
  await shot(page, '15-knowledge-try-choice');
  problems.push(...(await axeAudit(t, page, 'try box with a choice')));

  // an answered question: no choice, no "offers"
  await page.getByLabel('Vraag van een klant').fill('wachtwoord vergeten');
  await page.getByRole('button', { name: 'Probeer' }).click();
  await page.locator('#try-result .kb-decision', { hasText: 'De bot antwoordt met' }).waitFor();

  // the preview of an article that takes "retourneren"'s questions: one of
  // them, answered from "retourneren" now, becomes "retourneren or retour-twee?"
  const src = await api('GET', '/api/v1/kb/articles/retourneren');
  assert.ok(src.questions.includes('Waar vind ik het retourformulier?'));
  await page.getByRole('button', { name: 'Nieuw artikel' }).click();
  await page.locator('#editor').waitFor();
  await page.getByLabel('Titel', { exact: true }).fill('Retour in twee stappen');
  await page.getByLabel('Id (leeg: uit de titel)').fill('retour-twee');
  await page.getByLabel('Voorbeeldvragen, één per regel').fill(src.questions.join('\n'));
  await page.getByLabel('Antwoord (Markdown)').fill('Zo stuur je iets terug.');
  await page.getByRole('button', { name: 'Voorvertoning' }).click();
  const row = page.locator('#pv-body tr', { hasText: 'Waar vind ik het retourformulier?' });
  await row.waitFor();
  const cells = await row.locator('td').allTextContents();
  assert.match(cells[2], /^retourneren \(\d+%\)$/, `now: ${cells[2]}`);
  assert.match(cells[3], /^keuze: retourneren, retour-twee \(\d+%\)$/, `after publishing: ${cells[3]}`);
  assert.match(await row.locator('td').nth(3).getAttribute('class'), /kb-choice/);
  assert.match(await page.locator('#pv-summary').textContent(), /Daarvan krijgen er \d+ een keuze uit artikelen in plaats van één antwoord of geen\./);
  await shot(page, '15-knowledge-preview-choice');
  problems.push(...(await axeAudit(t, page, 'preview with choices')));

  // English
  await inEnglish(page, 'Knowledge base', '#list-body tr');
  await page.getByLabel("A customer's question").fill('retour');
  await page.getByRole('button', { name: 'Try' }).click();
  await page.locator('#try-result .kb-decision', { hasText: 'The bot offers a choice: “Retourkosten”, “Retourneren”.' }).waitFor();
  assert.equal(await page.locator('#try-result .kb-action').textContent(), 'Offer a choice: “Retourkosten”, “Retourneren”');
  const en = await page.locator('#try-result .kb-cal-fallback').textContent();
  assert.ok(en.includes(`cannot show that at most ${pct(cal.answer_risk)}% of its answers are wrong`), en);
  assert.ok(en.includes(`only where its estimated rate of wrong answers is lowest: when it is at least ${pct(cal.threshold)}% sure (then at most ${pct(cal.risk_bound)}% wrong)`), en);
  assert.match(en, /asks the customer which of the two or three best-matching articles/);
  problems.push(...(await axeAudit(t, page, 'English try box with a choice')));

  assert.deepEqual(problems, []);
  assert.deepEqual(page.errors, [], 'no page errors (nor CSP violations)');
});
