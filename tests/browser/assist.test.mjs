// Browser tests for agent assist (issue 6): an agent answers a handed-over
// customer with a suggested reply in two clicks ("Invoegen", then send), once
// unchanged and once edited; the customer sees both in the widget and the
// API records their provenance. The conversation view shows the structured
// summary, the customer (from the widget's data-loket-customer-* attributes)
// and their earlier conversation, marks a bot answer wrong ("Fout"), and
// passes axe. A supervisor manages
// canned responses in the console; an agent inserts one with "/" in the reply
// box, with the placeholders filled in (and the name left out cleanly when
// the customer is unknown).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { login, api, createConversation, postMessage, handoff, identitySecret, signedCustomer } from '../integration/helpers.mjs';
import { testBrowser, newPage, shot, widget, consoleLogin, serverWithAgents, LIVE_MS, axeAudit } from './helpers.mjs';



// The demo shop page as a shop's own page that knows who the customer is:
// its widget tag gets data-loket-customer-* before the (deferred) widget
// script runs, as a host page would write them.
async function shopPageFor(page, base, who) {
  await page.addInitScript((w) => {
    new MutationObserver((records, obs) => {
      for (const r of records)
        for (const n of r.addedNodes)
          if (n.tagName === 'SCRIPT' && /widget\.js/.test(n.src)) {
            n.setAttribute('data-loket-customer-email', w.email);
            n.setAttribute('data-loket-customer-id', w.id);
            n.setAttribute('data-loket-customer-name', w.name);
            if (w.signature) {
              // what the shop's server signed for this page (docs/widget.md, "Verified identity")
              n.setAttribute('data-loket-customer-signature', w.signature);
              n.setAttribute('data-loket-customer-timestamp', String(w.timestamp));
            }
            obs.disconnect();
          }
    }).observe(document, { childList: true, subtree: true });
  }, who);
  await page.goto(base + '/');
}

test('a suggested reply in two clicks: unchanged and edited, seen by the customer, provenance recorded', async (t) => {
  const ID = identitySecret();
  const h = await serverWithAgents(t, { env: ID.env });
  const browser = await testBrowser(t);

  // an earlier conversation of the same customer (by e-mail, signed by the shop), through the API
  const earlier = await createConversation(h.srv, { customer: signedCustomer(ID.secret, { email: 'jan@example.nl' }) });
  await postMessage(h.srv, earlier, 'Kan ik met iDEAL betalen?');
  // and one in which someone else merely claimed jan's address
  const claimed = await createConversation(h.srv, { customer: { email: 'jan@example.nl', name: 'Jan?' } });
  await postMessage(h.srv, claimed, 'Wat heb ik eerder gevraagd?');
  await handoff(h.srv, claimed);

  // the customer, known to the shop, asks and hands over; the shop's page carries the signature
  const customer = await newPage(browser);
  const who = signedCustomer(ID.secret, { email: 'Jan@Example.nl', external_id: 'shop-7' });
  await shopPageFor(customer, h.base, { email: who.email, id: who.external_id, name: 'Jan de Vries', signature: who.signature, timestamp: who.timestamp });
  const w = widget(customer);
  const convId = await w.handOver('Hoe kan ik iets retourneren? Mijn bestelnummer is TT-2024-0012');

  const agent = await newPage(browser);
  await consoleLogin(agent, h.base, 'anna@example.com', 'zonnige-dag-aan-zee');
  const nav = agent.locator('#sections-list a[aria-current="page"]');
  assert.equal(await nav.textContent(), 'Gesprekken', 'the section links, with this one current');

  // the queue previews the question
  const item = agent.locator(`#queue-list li[data-id="${convId}"]`);
  await item.waitFor({ timeout: LIVE_MS });
  await item.locator('.p').waitFor();
  assert.match(await item.locator('.p').textContent(), /Hoe kan ik iets retourneren\?/);

  await item.locator('button').click();
  await agent.locator('#conv-view').waitFor();
  await agent.getByRole('button', { name: 'Oppakken' }).click();
  await agent.locator('#reply-text:not([disabled])').waitFor();

  // the structured summary, the customer and their history
  await agent.locator('#summary-entities li[data-type="order_number"]').waitFor();
  assert.match(await agent.locator('#summary-entities').textContent(), /Bestelnummer: TT-2024-0012/);
  const facts = await agent.locator('#summary-facts').textContent();
  assert.match(facts, /Stemming/);
  assert.match(facts, /Nederlands/);
  assert.match(facts, /Jan de Vries · jan@example\.nl · shop-7/);
  const hist = agent.locator(`#history-list button[data-id="${earlier.id}"]`);
  await hist.waitFor();
  assert.match(await hist.textContent(), /Kan ik met iDEAL betalen\?/);
  assert.equal(await agent.locator(`#history-list button[data-id="${claimed.id}"]`).count(), 0, 'a claimed identity is no history');
  assert.equal(await agent.locator('#summary-facts .tag.unverified').count(), 0, 'a signed identity has no mark');

  // the suggestions: the best first, with a percentage
  const first = agent.locator('#suggestions-list li').first();
  await first.waitFor();
  assert.equal(await first.getAttribute('data-article'), 'retourneren');
  assert.match(await first.locator('.pct').textContent(), /^\d{1,3}% zeker$/);
  const answer = await first.locator('.sug-text').textContent();
  await shot(agent, 'assist-console-suggestions');
  const problems = await axeAudit(t, agent, 'conversation view with suggestions');

  // click 1: insert; click 2: send, unchanged
  await first.getByRole('button', { name: /^Invoegen/ }).click();
  assert.equal(await agent.locator('#reply-text').inputValue(), answer);
  assert.equal(await agent.evaluate(() => document.activeElement.id), 'reply-text', 'ready for editing');
  await agent.getByRole('button', { name: 'Versturen' }).click();
  const sent = agent.locator('#transcript .m[data-sender=agent]').first();
  await sent.waitFor();
  await sent.locator('.tag.prov').waitFor();
  assert.equal(await sent.locator('.tag.prov').textContent(), 'voorstel');

  // again, edited before sending
  await first.getByRole('button', { name: /^Invoegen/ }).click();
  await agent.locator('#reply-text').press('Control+End');
  await agent.locator('#reply-text').pressSequentially(' Groet, Anna');
  await agent.locator('#reply-text').press('Enter');
  await agent.locator('#transcript .m[data-sender=agent] .tag.prov', { hasText: 'aangepast' }).waitFor();

  // a human reply
  await agent.locator('#reply-text').fill('Is het zo duidelijk?');
  await agent.locator('#reply-text').press('Enter');
  await agent.locator('#transcript .m[data-sender=agent]', { hasText: 'Is het zo duidelijk?' }).waitFor();

  // the customer sees all three, as a person's words
  await customer.waitForFunction(() => document.querySelector('loket-widget').shadowRoot.querySelectorAll('[role=log] .msg[data-sender=agent]').length >= 3, null, { timeout: LIVE_MS });
  const shown = (await w.transcript()).filter((m) => m.sender === 'agent').map((m) => m.text);
  assert.deepEqual(shown, [answer, answer + ' Groet, Anna', 'Is het zo duidelijk?']);

  // the API keeps the provenance (agents only)
  const anna = await login(h.srv, 'anna@example.com', 'zonnige-dag-aan-zee');
  const v = await anna.req('GET', `/api/v1/agent/conversations/${convId}`);
  const mine = v.json.messages.filter((m) => m.sender === 'agent');
  assert.deepEqual(mine.map((m) => m.provenance), ['suggested', 'suggested_edited', 'human']);
  assert.deepEqual(mine.map((m) => m.suggestion_article_id ?? null), ['retourneren', 'retourneren', null]);
  // the widget passed the shop's signature: a verified identity (docs/widget.md)
  assert.deepEqual(v.json.customer, { email: 'jan@example.nl', external_id: 'shop-7', name: 'Jan de Vries', verified: true });
  assert.equal(v.json.channel, 'web', 'the widget says where the conversation came from');

  // "Fout" on the bot's answer: recorded, and shown as the pressed button
  const botMsg = agent.locator('#transcript .m[data-sender=bot]:has(.review)').first();
  const botId = await botMsg.getAttribute('data-id');
  await botMsg.getByRole('button', { name: 'Fout' }).click();
  await agent.locator(`#transcript .m[data-id="${botId}"] .rv.wrong[aria-pressed="true"]`).waitFor();
  assert.equal(await agent.locator(`#transcript .m[data-id="${botId}"] .rv.right`).getAttribute('aria-pressed'), 'false');
  const reviews = await anna.req('GET', `/api/v1/agent/conversations/${convId}/reviews`);
  assert.equal(reviews.status, 200, reviews.text);
  assert.deepEqual(reviews.json.reviews.filter((r) => r.message_id === botId).map((r) => r.verdict), ['wrong']);
  // read back when the conversation is opened again
  await agent.reload();
  await agent.locator(`#transcript .m[data-id="${botId}"] .rv.wrong[aria-pressed="true"]`).waitFor();

  await shot(agent, 'assist-console-sent');
  problems.push(...(await axeAudit(t, agent, 'conversation view after sending')));

  // the conversation in which jan's address was only claimed: marked, without history
  const claimedItem = agent.locator(`#queue-list li[data-id="${claimed.id}"] button`);
  await claimedItem.click();
  const mark = agent.locator('#summary-facts .tag.unverified');
  await mark.waitFor();
  assert.equal(await mark.textContent(), 'niet geverifieerd');
  assert.match(await agent.locator('#summary-facts').textContent(), /Identiteit.*niet geverifieerd.*niet bevestigd/s);
  assert.equal(await agent.locator('#history-list button').count(), 0, 'no history');
  problems.push(...(await axeAudit(t, agent, 'an unverified identity')));
  assert.deepEqual(problems, [], 'no serious or critical axe violations');
  assert.deepEqual(agent.errors, []);
  assert.deepEqual(customer.errors, []);
});

test('canned responses: a supervisor manages them; "/" in the reply box inserts one with the placeholders filled', async (t) => {
  const h = await serverWithAgents(t, { supervisor: true });
  const browser = await testBrowser(t);
  const sam = await newPage(browser);
  // a new data directory has the demo's canned responses (issue 14): archived
  // first, so that this test starts from none
  const samApi = await login(h.srv, 'sam@example.com', 'zonnige-dag-aan-zee');
  for (const c of (await samApi.req('GET', '/api/v1/agent/canned')).json.canned)
    assert.equal((await samApi.req('DELETE', `/api/v1/agent/canned/${c.id}`)).status, 200);
  await consoleLogin(sam, h.base, 'sam@example.com', 'zonnige-dag-aan-zee');

  // the management view
  await sam.getByRole('button', { name: 'Standaardantwoorden beheren' }).click();
  await sam.locator('#canned-view').waitFor();
  // "none yet" shows once the (empty) list has been read
  await sam.locator('#canned-none').waitFor({ state: 'visible' });
  const add = async (title, language, shortcut, text) => {
    await sam.locator('#cf-title').fill(title);
    await sam.locator('#cf-language').selectOption(language);
    await sam.locator('#cf-shortcut').fill(shortcut);
    await sam.locator('#cf-text').fill(text);
    await sam.locator('#cf-save').click();
    await sam.locator('#canned-body tr', { hasText: title }).waitFor();
  };
  await add('Retour ontvangen', 'nl', 'retour', 'Hallo {customer_name}, we hebben je retour ontvangen. Groet, {agent_name}');
  await add('Returns received', 'en', 'retour', 'Hi {customer_name}, we received your return.');
  await add('Tijdelijk', 'nl', '', 'Weg ermee');
  // edit
  await sam.getByRole('button', { name: 'Bewerken: Tijdelijk' }).click();
  assert.equal(await sam.locator('#cf-title').inputValue(), 'Tijdelijk');
  await sam.locator('#cf-title').fill('Even geduld');
  await sam.locator('#cf-text').fill('Een ogenblik, {customer_name}, ik zoek het voor je uit.');
  await sam.locator('#cf-save').click();
  await sam.locator('#canned-body tr', { hasText: 'Even geduld' }).waitFor();
  assert.equal(await sam.locator('#canned-body tr', { hasText: 'Tijdelijk' }).count(), 0);
  // archive
  await add('Oud', 'nl', 'oud', 'Niet meer nodig');
  await sam.getByRole('button', { name: 'Archiveren: Oud' }).click();
  await sam.locator('#canned-body tr', { hasText: 'Niet meer nodig' }).waitFor({ state: 'detached' });
  await shot(sam, 'assist-console-canned');
  const problems = await axeAudit(t, sam, 'canned responses view');
  const listed = (await samApi.req('GET', '/api/v1/agent/canned')).json.canned.map((c) => c.title).sort();
  assert.deepEqual(listed, ['Even geduld', 'Retour ontvangen', 'Returns received']);

  // a customer whose name the shop gave, and one without a name
  const named = await createConversation(h.srv, { customer: { name: 'Jan' } });
  await postMessage(h.srv, named, 'Is mijn retour al binnen?');
  await handoff(h.srv, named);
  const anonymous = await createConversation(h.srv);
  await postMessage(h.srv, anonymous, 'Is mijn retour al binnen?');
  await handoff(h.srv, anonymous);

  const useCanned = async (convId, query) => {
    await sam.locator(`#queue-list li[data-id="${convId}"] button`).click();
    await sam.locator('#conv-view').waitFor();
    await sam.getByRole('button', { name: 'Oppakken' }).click();
    const box = sam.locator('#reply-text:not([disabled])');
    await box.waitFor();
    await box.click();
    await sam.keyboard.type('/');
    const combo = sam.getByRole('combobox', { name: 'Standaardantwoord zoeken' });
    await combo.waitFor();
    assert.equal(await sam.evaluate(() => document.activeElement.id), 'canned-search', 'the search box has the focus');
    assert.equal(await combo.getAttribute('aria-expanded'), 'true');
    await sam.keyboard.type(query);
    const options = sam.getByRole('listbox', { name: 'Standaardantwoorden' }).getByRole('option');
    await options.first().waitFor();
    const active = await combo.getAttribute('aria-activedescendant');
    assert.ok(active, 'an active option');
    assert.equal(await sam.locator(`#${active}`).getAttribute('aria-selected'), 'true');
    return { box, combo, options };
  };

  let { box, combo, options } = await useCanned(named.id, 'retour');
  assert.equal(await options.count(), 1, 'only the conversation language');
  problems.push(...(await axeAudit(t, sam, 'reply box with the canned list')));
  await shot(sam, 'assist-console-canned-list');
  await sam.keyboard.press('Enter');
  assert.equal(await combo.isVisible(), false, 'the list closes');
  assert.equal(await box.inputValue(), 'Hallo Jan, we hebben je retour ontvangen. Groet, Sam');
  assert.equal(await sam.evaluate(() => document.activeElement.id), 'reply-text');
  await box.press('Enter');
  await sam.locator('#transcript .m[data-sender=agent]', { hasText: 'Hallo Jan, we hebben' }).waitFor();

  ({ box, combo, options } = await useCanned(anonymous.id, ''));
  assert.equal(await options.count(), 2, 'every Dutch one before narrowing');
  await sam.keyboard.press('Escape');
  assert.equal(await combo.isVisible(), false);
  assert.equal(await sam.evaluate(() => document.activeElement.id), 'reply-text', 'Escape returns to the reply box');
  await box.fill('');
  await box.type('/');
  await combo.waitFor();
  await sam.keyboard.type('geduld');
  await options.first().waitFor();
  await sam.keyboard.press('Enter');
  assert.equal(await box.inputValue(), 'Een ogenblik, ik zoek het voor je uit.', 'an unknown name leaves cleanly');
  await box.fill('');
  await box.type('/retour');
  await combo.waitFor();
  await options.first().waitFor();
  await sam.keyboard.press('ArrowDown');
  await sam.keyboard.press('Enter');
  assert.equal(await box.inputValue(), 'Hallo, we hebben je retour ontvangen. Groet, Sam');
  await box.press('Enter');
  await sam.locator('#transcript .m[data-sender=agent]', { hasText: 'Hallo, we hebben' }).waitFor();
  const msgs = (await api(h.srv, 'GET', `/api/v1/conversations/${anonymous.id}`, { token: anonymous.token })).json.messages;
  assert.ok(msgs.some((m) => m.sender === 'agent' && m.text === 'Hallo, we hebben je retour ontvangen. Groet, Sam'), 'the customer gets it');

  assert.deepEqual(problems, [], 'no serious or critical axe violations');
  assert.deepEqual(sam.errors, []);
});
