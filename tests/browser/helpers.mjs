// Helpers for loket's browser tests: a headless Debian chromium driven by
// Playwright (npm playwright-core; no browser is ever downloaded), the widget
// and the console as a person uses them, and screenshots in test-output/.
//
// The server side (start, stop, users, API calls) comes from
// ../integration/helpers.mjs.

import { chromium } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { SLOW, sleep, runCli, startServer, freshDataDir, login } from '../integration/helpers.mjs';

export const CHROMIUM = process.env.LOKET_CHROMIUM || '/usr/bin/chromium';
export const OUT_DIR = path.resolve(process.env.LOKET_TEST_OUTPUT || 'test-output');

// Playwright's own waits, scaled for sanitizer builds.
export const TIMEOUT = 15000 * SLOW;
// How soon something must appear to count as live (the console falls back to
// polling every 10 s when its WebSocket is down, so this must stay below that).
export const LIVE_MS = Math.min(5000 * SLOW, 9000);

export async function launchBrowser() {
  if (!existsSync(CHROMIUM))
    throw new Error(`no browser at ${CHROMIUM}: install Debian's chromium (scripts/deps.sh test), or set LOKET_CHROMIUM`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

// A browser for the test t, closed when t ends.
export async function testBrowser(t) {
  const browser = await launchBrowser();
  t.after(() => browser.close());
  return browser;
}

// A fresh context (its own cookies and sessionStorage) and page. Every
// console error and page error is collected in page.errors so that tests can
// assert none happened (a CSP violation shows up there too).
export async function newPage(browser, { viewport = { width: 1280, height: 860 }, locale = 'nl-NL' } = {}) {
  const context = await browser.newContext({ viewport, locale });
  context.setDefaultTimeout(TIMEOUT);
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(`pageerror: ${e.message}`));
  // Failed loads are listed apart (page.bad: "STATUS METHOD PATH"), since some
  // are expected (401 from /api/v1/auth/me before logging in).
  page.on('console', (m) => {
    if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) page.errors.push(`console: ${m.text()}`);
  });
  page.bad = [];
  page.on('response', (r) => {
    if (r.status() >= 400) page.bad.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`);
  });
  page.dialogs = [];
  page.on('dialog', (d) => {
    page.dialogs.push(d.message());
    d.dismiss().catch(() => {});
  });
  return page;
}

// test-output/NAME.png (full page unless told otherwise).
export async function shot(page, name, opts = {}) {
  mkdirSync(OUT_DIR, { recursive: true });
  const file = path.join(OUT_DIR, `${name}.png`);
  await page.screenshot({ path: file, ...opts });
  return file;
}

// ---- the widget -------------------------------------------------------------

// Opens the demo shop of base (its front page) in page; returns widget(page).
export async function shopWidget(page, base) {
  await page.goto(base + '/');
  return widget(page);
}

// Locators inside the widget's (open) shadow root; Playwright's CSS engine
// pierces it.
export function widget(page) {
  const w = {
    launcher: page.locator('loket-widget .launcher'),
    panel: page.locator('loket-widget .panel'),
    who: page.locator('loket-widget .who .pill'),
    log: page.locator('loket-widget [role=log]'),
    messages: page.locator('loket-widget [role=log] .msg'),
    input: page.locator('loket-widget textarea#lk-input'),
    send: page.locator('loket-widget .compose button[type=submit]'),
    human: page.locator('loket-widget button.human'),
    queue: page.locator('loket-widget .queue'),
    rating: page.locator('loket-widget .rating'),
    bySender: (s) => page.locator(`loket-widget [role=log] .msg[data-sender=${s}]`),
    async open() {
      if (await w.panel.isHidden()) await w.launcher.click();
      await w.panel.waitFor({ state: 'visible' });
      await w.messages.first().waitFor(); // the greeting
    },
    // Sends a text and waits until the log holds a message with a higher seq
    // than before from someone other than the customer (the bot's answer or a
    // notice), unless expectReply is false, and until the widget has taken
    // the POST's own reply (the send button is enabled again): the answer
    // can come over the WebSocket first, and the reply still changes the
    // conversation's state, labels and the text box after it.
    async say(text, { expectReply = true } = {}) {
      const before = await w.maxSeq();
      await w.input.fill(text);
      await w.input.press('Enter');
      await page.waitForFunction(
        ([b, want]) => {
          const root = document.querySelector('loket-widget').shadowRoot;
          const msgs = [...root.querySelectorAll('[role=log] .msg')];
          const newer = msgs.filter((m) => Number(m.dataset.seq) > b);
          const sent = !root.querySelector('.compose button[type=submit]').hasAttribute('aria-disabled');
          return sent && (want ? newer.some((m) => m.dataset.sender !== 'customer') : newer.length > 0);
        },
        [before, expectReply],
        { timeout: TIMEOUT },
      );
    },
    async maxSeq() {
      return page.evaluate(() => {
        const root = document.querySelector('loket-widget')?.shadowRoot;
        if (!root) return 0;
        return Math.max(0, ...[...root.querySelectorAll('[role=log] .msg')].map((m) => Number(m.dataset.seq)));
      });
    },
    // [{seq, sender, automated, text, label}] in the order shown.
    async transcript() {
      return page.evaluate(() => {
        const root = document.querySelector('loket-widget').shadowRoot;
        return [...root.querySelectorAll('[role=log] .msg')].map((m) => ({
          seq: Number(m.dataset.seq),
          sender: m.dataset.sender,
          automated: m.dataset.automated === 'true',
          text: (() => {
            // the text as written: without the screen-reader-only hints
            const b = m.querySelector('.bubble').cloneNode(true);
            b.querySelectorAll('.sr').forEach((x) => x.remove());
            return b.textContent;
          })(),
          label: m.querySelector('.lbl').textContent,
        }));
      });
    },
    async conversation() {
      return page.evaluate(() => window.__loketWidget && window.__loketWidget.state());
    },
    // Opens the widget, asks text (when given) and presses the person button;
    // resolves to the conversation's id once the waiting state shows.
    async handOver(text) {
      await w.open();
      if (text) await w.say(text);
      await w.human.click();
      await w.queue.waitFor({ state: 'visible' });
      return (await w.conversation()).conversation;
    },
    // The conversation's token as the widget keeps it (sessionStorage), or null.
    async token() {
      return page.evaluate(() => {
        for (let i = 0; i < sessionStorage.length; i++) {
          const k = sessionStorage.key(i);
          if (k.endsWith(':conv')) return JSON.parse(sessionStorage.getItem(k)).token;
        }
        return null;
      });
    },
  };
  return w;
}

// ---- the console ------------------------------------------------------------

// Opens /console/ and logs in through the form; fails with what the server
// answered when the login does not work.
export async function consoleLogin(page, base, email, password) {
  await page.goto(`${base}/console/`);
  const form = page.locator('#login-form');
  await form.getByLabel(/e-?mail/i).fill(email);
  await form.getByLabel(/wachtwoord|password/i).fill(password);
  await form.getByRole('button', { name: /inloggen|log in/i }).click();
  // logged in, or an error message (then say what the server answered)
  await page.locator('#app-view .topbar, #login-error:not(:empty)').first().waitFor();
  if (await page.locator('#app-view').isHidden()) {
    const msg = await page.locator('#login-error').textContent();
    throw new Error(`console login as ${email} failed: "${msg}"; failed requests: ${page.bad.join(', ')}`);
  }
}

// A server with Anna (serverWithAgents), a browser, a page for the customer
// and one for the agent, on which Anna is logged in to the console.
export async function customerAndAgent(t) {
  const h = await serverWithAgents(t);
  const browser = await testBrowser(t);
  const customer = await newPage(browser);
  const agent = await newPage(browser);
  await consoleLogin(agent, h.base, h.users.anna.email, h.users.anna.password);
  return { h, browser, customer, agent };
}

// Follows the console's section link named name (in the navigation
// "onderdelen") to the page at a URL matching url, and waits for that page's
// heading, which carries the link's name.
export async function openSection(page, name, url) {
  await page.getByRole('navigation', { name: /onderdelen/i }).getByRole('link', { name }).click();
  await page.waitForURL(url);
  await page.getByRole('heading', { level: 1, name }).waitFor();
}

// Switches the console page to English and waits for its heading (level 1)
// named heading; with rows (a selector), also for the first of those rows.
export async function inEnglish(page, heading, rows) {
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  if (rows) await page.locator(rows).first().waitFor();
}

// Anna (an agent) logs in, has no section link named link, and at path (a
// page that is not for her role) sees why not (issue 14). Returns her page.
export async function agentTurnedAway(browser, h, link, path) {
  const agent = await newPage(browser);
  await consoleLogin(agent, h.base, h.users.anna.email, h.users.anna.password);
  assert.equal(await agent.getByRole('link', { name: link }).count(), 0);
  await agent.goto(h.base + path);
  await agent.getByRole('heading', { level: 1, name: 'Deze pagina is niet voor jouw rol' }).waitFor();
  return agent;
}

// Anna claims the conversation convId through the API and writes text in
// it; resolves to her session.
export async function annaClaimsAndWrites(h, convId, text) {
  const anna = await login(h.srv, h.users.anna.email, h.users.anna.password);
  let r = await anna.req('POST', `/api/v1/agent/conversations/${convId}/claim`);
  assert.equal(r.status, 200, r.text);
  r = await anna.req('POST', `/api/v1/agent/conversations/${convId}/messages`, { body: { text } });
  assert.equal(r.status, 201, r.text);
  return anna;
}

export { sleep };

// ---- server -----------------------------------------------------------------

// `loket user add` with a display name; asserts success. Run it after the
// server has created the database (so that it gets the demo knowledge base).
export async function addUser(dataDir, { email, password, role = 'agent', name }) {
  const args = ['user', 'add', '--email', email, '--role', role, '--password-stdin', '--data', dataDir];
  if (name) args.push('--name', name);
  const r = await runCli(args, { input: password + '\n' });
  assert.equal(r.code, 0, `user add ${email}: ${r.stderr}`);
}

// A server on a fresh data directory with one agent (Anna) and, when asked, a
// supervisor and an admin. Everything is removed after the test.
export async function serverWithAgents(t, { supervisor = false, admin = false, env } = {}) {
  const d = freshDataDir();
  const srv = await startServer({ dataDir: d.dir, env });
  const users = { anna: { email: 'anna@example.com', password: 'zonnige-dag-aan-zee', name: 'Anna' } };
  await addUser(d.dir, { ...users.anna, role: 'agent' });
  if (supervisor) {
    users.sam = { email: 'sam@example.com', password: 'zonnige-dag-aan-zee', name: 'Sam' };
    await addUser(d.dir, { ...users.sam, role: 'supervisor' });
  }
  if (admin) {
    users.ada = { email: 'ada@example.com', password: 'zonnige-dag-aan-zee', name: 'Ada' };
    await addUser(d.dir, { ...users.ada, role: 'admin' });
  }
  const handle = { srv, users, dataDir: d.dir, port: srv.port, base: srv.base };
  t.after(async () => {
    const p = handle.srv.proc;
    if (p.exitCode === null && p.signalCode === null) {
      p.kill('SIGKILL');
      await handle.srv.exited;
    }
    d.cleanup();
  });
  return handle;
}

// Starts loket again on the same data directory and port (after a stop).
export async function restartOnSamePort(handle) {
  handle.srv = await startServer({ dataDir: handle.dataDir, args: ['--listen', `127.0.0.1:${handle.port}`] });
  assert.equal(handle.srv.port, handle.port, 'the restarted server listens on the same port');
  return handle.srv;
}

// axe-core's WCAG 2.1 A and AA rules on the page as it is now: logs every
// violation as a diagnostic of t and returns the serious and critical ones
// as lines ("name: rule: help at selectors"), so a test can assert that the
// list is empty.
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
export async function axeAudit(t, page, name) {
  const res = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  for (const v of res.violations)
    t.diagnostic(`${name}: ${v.impact} ${v.id} (${v.nodes.length}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  t.diagnostic(`${name}: ${res.passes.length} rules passed, ${res.violations.length} violated, ${res.incomplete.length} need review`);
  return res.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${name}: ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
