// Browser test (issue 14, "Languages"): the widget's own labels in German
// and French. A shop page whose tag says data-loket-language="de" (or "fr")
// gets German (French) labels on the launcher, the person button, the send
// button, the header and the text box, both before and after the
// conversation starts in that language; axe finds no serious or critical
// violation in either. The Dutch and English labels stay as they were, and
// a language the widget has no table for gets the English one.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../integration/helpers.mjs';
import { testBrowser, newPage, shot, widget, axeAudit } from './helpers.mjs';

// The launcher's own label (beside it: the unread badge and a screen-reader hint).
const launcherLabel = (page) => page.locator('loket-widget .launcher > span:not([class])').textContent();

// The demo shop page with its widget tag in another language: the tag gets
// data-loket-language before the (deferred) widget script runs, as a shop's
// German or French page would write it.
async function shopPage(browser, base, language, locale) {
  const page = await newPage(browser, { locale });
  await page.addInitScript((language) => {
    new MutationObserver((records, obs) => {
      for (const r of records)
        for (const n of r.addedNodes)
          if (n.tagName === 'SCRIPT' && /widget\.js/.test(n.src)) {
            n.setAttribute('data-loket-language', language);
            obs.disconnect();
          }
    }).observe(document, { childList: true, subtree: true });
  }, language);
  await page.goto(base + '/');
  return page;
}

const CASES = [
  {
    language: 'de', locale: 'de-DE',
    launcher: 'Chatten Sie mit uns', human: 'Mit einem Mitarbeiter sprechen', send: 'Senden',
    who: 'Digitaler Assistent (KI)', placeholder: 'Geben Sie Ihre Frage ein…', lbl: /Digitaler Assistent · automatische Antwort/,
  },
  {
    language: 'fr-BE', locale: 'fr-BE', lang: 'fr',
    launcher: 'Discutez avec nous', human: 'Parler à un conseiller', send: 'Envoyer',
    who: 'Assistant numérique (IA)', placeholder: 'Tapez votre question…', lbl: /Assistant numérique · réponse automatique/,
  },
  {
    language: 'nl', locale: 'nl-NL',
    launcher: 'Chat met ons', human: 'Praat met een medewerker', send: 'Verstuur',
    who: 'Digitale assistent (AI)', placeholder: 'Typ je vraag…', lbl: /Digitale assistent · automatisch antwoord/,
  },
  {
    language: 'en', locale: 'en-GB',
    launcher: 'Chat with us', human: 'Talk to a person', send: 'Send',
    who: 'Digital assistant (AI)', placeholder: 'Type your question…', lbl: /Digital assistant · automated reply/,
  },
];

test('the widget speaks German and French; Dutch and English are unchanged', async (t) => {
  const srv = await startServer({ t });
  const browser = await testBrowser(t);
  const problems = [];

  for (const c of CASES) {
    const lang = c.lang || c.language;
    const page = await shopPage(browser, srv.base, c.language, c.locale);
    const w = widget(page);
    await w.launcher.waitFor();
    assert.equal((await launcherLabel(page)).trim(), c.launcher, `${lang}: the launcher`);
    problems.push(...(await axeAudit(t, page, `${lang}: widget closed`)));

    await w.open();
    assert.equal((await page.locator('loket-widget .human').textContent()).trim(), c.human, `${lang}: the person button`);
    assert.equal((await w.send.textContent()).trim(), c.send, `${lang}: the send button`);
    assert.equal(await w.who.textContent(), c.who, `${lang}: who the customer talks to`);
    assert.equal(await w.input.getAttribute('placeholder'), c.placeholder, `${lang}: the text box`);
    // the conversation started in this language: its messages are labelled in it
    const conv = await w.conversation();
    assert.ok(conv && conv.conversation, `${lang}: a conversation was started`);
    const tr = await w.transcript();
    assert.equal(tr[0].sender, 'bot');
    assert.match(tr[0].label, c.lbl, `${lang}: the greeting's label`);
    assert.equal(
      await page.evaluate(() => document.querySelector('loket-widget').shadowRoot.querySelector('.panel').closest('[lang]')?.getAttribute('lang')),
      lang,
      `${lang}: the interface says its language to screen readers`,
    );
    problems.push(...(await axeAudit(t, page, `${lang}: widget open`)));
    await shot(page, `i14-widget-${lang}`);
    assert.deepEqual(page.errors, [], `${lang}: no errors in the page`);
    await page.context().close();
  }

  // a language without a table of its own: the English interface
  const page = await shopPage(browser, srv.base, 'es', 'es-ES');
  const w = widget(page);
  await w.launcher.waitFor();
  assert.equal((await launcherLabel(page)).trim(), 'Chat with us', 'es: the English launcher');
  await page.context().close();

  assert.deepEqual(problems, [], 'no serious or critical accessibility problems');
});
