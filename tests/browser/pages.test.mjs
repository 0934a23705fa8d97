// Browser test (issue 17, the web pages' shared parts): a console page's
// HTML takes in the pieces it shares with other pages by a line
// "<!-- @include PATH -->" (web/console/parts/), which loket inlines when it
// embeds web/ (cmake/embed_dir.cmake). Each served page is its source with
// every such line replaced by that piece less its leading comment: plain
// HTML with its own title, no include line left, and the pieces themselves
// are not served. In a real browser the shared parts work where the pages
// use them: one icon from the head, the period fields of the audit log and
// the gaps labelled in both languages, and each list read page by page
// (`<div class="paged-list">`) with its status, error, named table and
// "load more" button.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { SOURCE_DIR } from '../integration/helpers.mjs';
import { testBrowser, newPage, consoleLogin, openSection, inEnglish, serverWithAgents, TIMEOUT } from './helpers.mjs';

const WEB = path.join(SOURCE_DIR, 'web');

// The page as loket should serve it, worked out here on its own: each
// include line becomes the named file without its leading <!-- --> comment.
function expected(source) {
  return source.replace(/^ *<!-- @include (\S+) -->\n/gm, (_, inc) => {
    const piece = readFileSync(path.join(WEB, inc), 'utf8');
    return piece.replace(/^<!--[\s\S]*?-->\n/, '');
  });
}

test('console pages: the shared pieces are inlined as they are, each page keeps its title, the pieces are not served', async (t) => {
  const h = await serverWithAgents(t);
  const pages = readdirSync(path.join(WEB, 'console')).filter((f) => f.endsWith('.html'));
  assert.ok(pages.length >= 7, `the console pages: ${pages.join(', ')}`);
  const head = readFileSync(path.join(WEB, 'console/parts/head.html'), 'utf8').replace(/^<!--[\s\S]*?-->\n/, '');
  const titles = new Set();
  for (const name of pages) {
    const source = readFileSync(path.join(WEB, 'console', name), 'utf8');
    assert.match(source, /^<!-- @include console\/parts\/head\.html -->\n/, `${name} starts with the shared head`);
    const r = await fetch(`${h.base}/console/${name}`);
    assert.equal(r.status, 200, name);
    const served = await r.text();
    assert.equal(served, expected(source), `${name} is served with its pieces inlined`);
    assert.ok(served.startsWith(head) && head.startsWith('<!doctype html>\n'), `${name} starts with the head piece`);
    assert.doesNotMatch(served, /@include/, `${name}: no include line left`);
    const title = served.match(/<title>([^<]+)<\/title>/g);
    assert.equal(title.length, 1, `${name} has one title`);
    assert.ok(served.indexOf(title[0]) < served.indexOf('</head>'), `${name}: the title is in the head`);
    titles.add(title[0]);
  }
  assert.equal(titles.size, pages.length, 'every page has a title of its own');
  for (const piece of readdirSync(path.join(WEB, 'console/parts'))) {
    const r = await fetch(`${h.base}/console/parts/${piece}`);
    assert.equal(r.status, 404, `${piece} is a piece of pages, not served on its own`);
  }
});

test('console pages: the shared parts in a browser (icon, period fields, lists read page by page)', async (t) => {
  const h = await serverWithAgents(t, { admin: true });
  const browser = await testBrowser(t);
  const page = await newPage(browser);
  await consoleLogin(page, h.base, h.users.ada.email, h.users.ada.password);
  assert.equal(await page.locator('head link[rel=icon]').count(), 1, 'the conversations page has one icon');

  await openSection(page, 'Privacy en audit', /\/console\/admin\.html$/);
  await page.locator('#aud-rows tr').first().waitFor({ timeout: TIMEOUT });
  assert.equal(await page.locator('head link[rel=icon]').count(), 1, 'one icon: from the head, none added');
  const audit = page.locator('#aud-form');
  assert.equal(await audit.getByLabel('Vanaf (datum)').getAttribute('name'), 'from');
  assert.equal(await audit.getByLabel('Tot en met (datum)').getAttribute('name'), 'to');
  // the two lists read page by page: named tables between a status, an
  // error and a hidden "load more" button, as pagedList reads them
  for (const [prefix, name] of [
    ['aud', 'Auditrecords, nieuwste eerst'],
    ['sec', 'Beveiligingsmeldingen, nieuwste eerst'],
  ]) {
    const table = page.getByRole('table', { name });
    assert.equal(await table.getAttribute('id'), `${prefix}-table`);
    assert.equal(await page.locator(`#${prefix}-status`).getAttribute('role'), 'status');
    assert.equal(await page.locator(`#${prefix}-error`).getAttribute('role'), 'alert');
    assert.equal(await page.locator(`#${prefix}-table tbody#${prefix}-rows`).count(), 1);
    assert.equal(await page.locator(`#${prefix}-more`).textContent(), 'Meer laden');
  }
  assert.equal(await page.locator('.paged-list').count(), 0, 'the placeholders made way for the lists');
  // the audit log answers the period fields: a period that ends before today shows none of today's records
  await audit.getByLabel('Tot en met (datum)').fill('2001-01-01');
  await audit.getByRole('button', { name: 'Zoeken' }).click();
  await page.locator('#aud-status', { hasText: 'Geen records gevonden.' }).waitFor({ timeout: TIMEOUT });
  assert.equal(await page.locator('#aud-rows tr').count(), 0);

  await inEnglish(page, 'Privacy and audit');
  assert.equal(await page.locator('#aud-form').getByLabel('From (date)').getAttribute('id'), 'period-from');
  assert.equal(await page.getByRole('table', { name: 'Security events, newest first' }).count(), 1);
  assert.equal(await page.locator('#sec-more').textContent(), 'Load more');

  await page.goto(`${h.base}/console/gaps.html`);
  await page.getByRole('heading', { level: 1, name: 'Gaps and review' }).waitFor({ timeout: TIMEOUT });
  const gaps = page.locator('#gp-form');
  assert.equal(await gaps.getByLabel('From (date)').getAttribute('name'), 'from');
  assert.equal(await gaps.getByLabel('Up to and including (date)').getAttribute('name'), 'to');
  assert.deepEqual(page.errors, []);
});
