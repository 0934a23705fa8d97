// Agent assist over the API (issue 6): suggested replies in the agent's view
// of a conversation (ordered, in the conversation's language, for the
// question before a bare request for a person), the provenance of an agent's
// reply (stored, shown to agents only, validated), the structured hand-off
// summary with its entities, canned responses (CRUD, roles, validation,
// audit records), the customer's history by e-mail address and by external
// id, the validation of the customer fields of a new conversation, and the
// queue's preview of the customer's question.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import {
  serverForFile, api, assertError, addUser, login, createConversation, postMessage, getConversation,
  identitySecret, signedCustomer,
  handoff, exportKb, RFC3339_UTC,
} from './helpers.mjs';

let srv;
let kb; // the demo knowledge base, as exported
const ANNA = { email: 'anna@example.com', password: 'anna-heeft-een-lang-wachtwoord' };
const SAM = { email: 'sam@example.com', password: 'sam-is-de-teamleider-hier' };

const ID = identitySecret(); // the customer identities of the history test are signed by "the shop"

serverForFile({ env: ID.env }, async (s) => {
  srv = s;
  await addUser(srv.dataDir, ANNA.email, ANNA.password, 'agent');
  await addUser(srv.dataDir, SAM.email, SAM.password, 'supervisor');
  kb = (await exportKb(srv.dataDir)).kb;
});

const article = (id) => kb.articles.find((a) => a.id === id);
const view = (agent, id, q = '') => agent.req('GET', `/api/v1/agent/conversations/${id}${q}`);

// Counts audit records with this action (read straight from the database).
function auditCount(action) {
  const db = path.join(srv.dataDir, 'loket.db');
  const out = execFileSync('sqlite3', [db, `SELECT count(*) FROM audit_log WHERE action = '${action}'`], { encoding: 'utf8' });
  return Number(out.trim());
}

// A conversation the customer wrote texts in, then handed over with the button.
async function handedOver(texts, body) {
  const c = await createConversation(srv, body);
  for (const t of texts) await postMessage(srv, c, t);
  const g = await getConversation(srv, c);
  if (g.status === 'bot') await handoff(srv, c);
  return c;
}

// ---- suggested replies --------------------------------------------------------

test('suggestions: the best articles for the latest question, best first, in the conversation language', async () => {
  const anna = await login(srv, ANNA.email, ANNA.password);
  const c = await handedOver(['Wat zijn de verzendkosten?', 'Hoe kan ik iets retourneren?']);
  const v = await view(anna, c.id);
  assert.equal(v.status, 200, v.text);
  const s = v.json.suggestions;
  assert.ok(Array.isArray(s) && s.length >= 1 && s.length <= 3, JSON.stringify(s));
  assert.equal(s[0].article_id, 'retourneren', 'the latest question, not the first');
  for (const x of s) {
    const a = article(x.article_id);
    assert.ok(a, `a known article: ${x.article_id}`);
    assert.equal(a.language, 'nl', 'in the conversation language');
    assert.equal(x.title, a.title);
    assert.equal(x.text, a.answer);
    assert.ok(typeof x.confidence === 'number' && x.confidence >= 0 && x.confidence <= 1);
  }
  for (let i = 1; i < s.length; i++) assert.ok(s[i - 1].confidence >= s[i].confidence, 'best first');

  const en = await handedOver(['How long does delivery take?'], { language: 'en' });
  const ve = await view(anna, en.id);
  assert.ok(ve.json.suggestions.length >= 1);
  assert.equal(ve.json.suggestions[0].article_id, 'levertijd-en');
  for (const x of ve.json.suggestions) assert.equal(article(x.article_id).language, 'en', x.article_id);
});

test('suggestions: after a bare request for a person, for the question before it; none without a question', async () => {
  const anna = await login(srv, ANNA.email, ANNA.password);
  const c = await createConversation(srv);
  await postMessage(srv, c, 'Hoe lang duurt de levering?');
  const turn = await postMessage(srv, c, 'Ik wil een medewerker spreken');
  assert.equal(turn.conversation.status, 'queued', 'the request for a person hands over');
  const v = await view(anna, c.id);
  assert.equal(v.json.suggestions[0].article_id, 'levertijd');
  assert.deepEqual(v.json.summary_fields.questions, ['Hoe lang duurt de levering?'], 'the request is no question');

  const empty = await createConversation(srv);
  await handoff(srv, empty);
  const ve = await view(anna, empty.id);
  assert.deepEqual(ve.json.suggestions, [], 'nothing to suggest without a customer message');
  assert.deepEqual(ve.json.summary_fields.questions, []);
});

// ---- provenance -----------------------------------------------------------------

test('provenance: stored, shown to agents, never to the customer; validated with 400s that name the field', async () => {
  const anna = await login(srv, ANNA.email, ANNA.password);
  const c = await handedOver(['Hoe kan ik iets retourneren?']);
  assert.equal((await anna.req('POST', `/api/v1/agent/conversations/${c.id}/claim`)).status, 200);
  const send = (body) => anna.req('POST', `/api/v1/agent/conversations/${c.id}/messages`, { body });

  const bad = [
    [{ text: 'x', provenance: 'robot' }, 'invalid_field', /provenance/],
    [{ text: 'x', provenance: 7 }, 'invalid_field', /provenance/],
    [{ text: 'x', provenance: 'suggested' }, 'missing_field', /suggestion_article_id/],
    [{ text: 'x', provenance: 'human', suggestion_article_id: 'retourneren' }, 'invalid_field', /suggestion_article_id/],
    [{ text: 'x', suggestion_article_id: 'retourneren' }, 'invalid_field', /suggestion_article_id/],
    [{ text: 'x', provenance: 'suggested_edited', suggestion_article_id: 'no spaces allowed' }, 'invalid_field', /suggestion_article_id/],
    [{ text: 'x', provenance: 'suggested', suggestion_article_id: 12 }, 'invalid_field', /suggestion_article_id/],
  ];
  for (const [body, code, field] of bad) {
    const r = await send(body);
    assertError(r, 400, code, JSON.stringify(body));
    assert.match(r.json.error.message, field);
  }
  const before = (await getConversation(srv, c)).messages.length;
  assert.ok(!(await getConversation(srv, c)).messages.some((m) => m.text === 'x'), 'a refused reply is not stored');

  const answer = article('retourneren').answer;
  const r1 = await send({ text: answer, provenance: 'suggested', suggestion_article_id: 'retourneren' });
  assert.equal(r1.status, 201, r1.text);
  assert.equal(r1.json.provenance, 'suggested');
  assert.equal(r1.json.suggestion_article_id, 'retourneren');
  const r2 = await send({ text: 'Ik heb het retourlabel gemaild.', provenance: 'suggested_edited', suggestion_article_id: 'retourneren' });
  assert.equal(r2.json.provenance, 'suggested_edited');
  const r3 = await send({ text: 'Nog iets?' });
  assert.equal(r3.json.provenance, 'human', 'human by default');
  assert.equal(r3.json.suggestion_article_id, undefined);

  const v = await view(anna, c.id);
  const byId = Object.fromEntries(v.json.messages.map((m) => [m.id, m]));
  assert.equal(byId[r1.json.id].provenance, 'suggested');
  assert.equal(byId[r1.json.id].suggestion_article_id, 'retourneren');
  assert.equal(byId[r2.json.id].provenance, 'suggested_edited');
  assert.equal(byId[r3.json.id].provenance, 'human');
  assert.ok(v.json.messages.filter((m) => m.sender !== 'agent').every((m) => m.provenance === undefined), 'only on agent messages');

  const cust = await getConversation(srv, c);
  assert.equal(cust.messages.length, before + 3);
  for (const m of cust.messages) {
    assert.equal(m.provenance, undefined, 'the customer never sees the provenance');
    assert.equal(m.suggestion_article_id, undefined);
  }
});

// ---- the summary ------------------------------------------------------------------

test('summary: structured fields, entities, sentiment, the agent language, deterministic', async () => {
  const anna = await login(srv, ANNA.email, ANNA.password);
  const c = await handedOver([
    'Waar blijft mijn pakket? Bestelnummer TT-2024-0012, besteld op 3 maart 2024.',
    'Ik betaalde € 49,95. Mail me op jan.jansen@example.nl of bel 06-12345678, postcode 1234 AB.',
  ]);
  const nl = await view(anna, c.id, '?lang=nl');
  assert.equal(nl.status, 200, nl.text);
  const f = nl.json.summary_fields;
  assert.equal(f.language, 'nl');
  assert.equal(f.handoff_reason, 'button');
  assert.ok(['negative', 'neutral', 'positive'].includes(f.sentiment));
  assert.equal(f.questions.length, 2);
  assert.match(f.questions[0], /^Waar blijft mijn pakket\?/);
  assert.ok(Array.isArray(f.bot_answers));
  for (const a of f.bot_answers) assert.equal(a.title, article(a.article_id).title);
  const ent = (type) => f.entities.filter((e) => e.type === type).map((e) => e.value);
  assert.deepEqual(ent('order_number'), ['TT-2024-0012']);
  assert.deepEqual(ent('date'), ['3 maart 2024']);
  assert.deepEqual(ent('amount'), ['€ 49,95']);
  assert.deepEqual(ent('email'), ['jan.jansen@example.nl']);
  assert.deepEqual(ent('phone'), ['06-12345678']);
  assert.equal(ent('postcode').length, 1);
  assert.match(ent('postcode')[0], /^1234 AB/);
  assert.match(nl.json.summary, /^Taal: nl/);
  assert.match(nl.json.summary, /Overgedragen omdat de klant op de knop 'Praat met een medewerker' drukte\./);
  assert.match(nl.json.summary, /"Waar blijft mijn pakket\?/);
  assert.match(nl.json.summary, /bestelnummer TT-2024-0012/);
  assert.equal((await view(anna, c.id, '?lang=nl')).json.summary, nl.json.summary, 'deterministic');
  assert.equal((await view(anna, c.id)).json.summary, nl.json.summary, 'Dutch by default');

  const en = await view(anna, c.id, '?lang=en');
  assert.match(en.json.summary, /^Language: nl \(Dutch\)/);
  assert.match(en.json.summary, /Handed over because the customer pressed/);
  assert.match(en.json.summary, /order number TT-2024-0012/);
  assert.deepEqual(en.json.summary_fields, f, 'the fields do not depend on the agent language');

  assertError(await view(anna, c.id, '?lang=fr'), 400, 'invalid_field', 'lang=fr');

  const angry = await handedOver(['Dit is echt belachelijk, ik ben woedend! Waar blijft mijn bestelling?']);
  assert.equal((await view(anna, angry.id)).json.summary_fields.sentiment, 'negative');
  const happy = await createConversation(srv);
  await postMessage(srv, happy, 'Wat zijn de verzendkosten?');
  await postMessage(srv, happy, 'Top, heel erg bedankt!');
  await handoff(srv, happy);
  assert.equal((await view(anna, happy.id)).json.summary_fields.sentiment, 'positive');
});

// ---- canned responses ---------------------------------------------------------------

test('canned responses: supervisors manage, agents search, archived ones disappear, audit records', async () => {
  const anna = await login(srv, ANNA.email, ANNA.password);
  const sam = await login(srv, SAM.email, SAM.password);
  const body = { language: 'nl', title: 'Retour bevestigen', shortcut: 'retour', text: 'Hallo {customer_name}, je retour is binnen. Groet, {agent_name}' };
  // a new data directory has the demo's set (issue 14); archived, this test starts from none
  const demo = (await sam.req('GET', '/api/v1/agent/canned')).json.canned;
  assert.ok(demo.length > 0, 'the demo ships canned responses');
  // ten in Dutch and ten in English, read from src/api/demo_canned.json
  assert.equal(demo.filter((x) => x.language === 'nl').length, 10);
  assert.equal(demo.filter((x) => x.language === 'en').length, 10);
  const hello = demo.find((x) => x.shortcut === 'hallo');
  assert.equal(hello.title, 'Begroeting');
  assert.match(hello.text, /^Hallo \{customer_name\}, je spreekt met \{agent_name\}/);
  assert.equal(demo.find((x) => x.shortcut === 'terugbellen').text.includes('binnen één werkdag'), true);
  for (const x of demo) assert.equal((await sam.req('DELETE', `/api/v1/agent/canned/${x.id}`)).status, 200);
  const demoArchived = auditCount('canned.archive');

  assertError(await api(srv, 'GET', '/api/v1/agent/canned'), 401, 'unauthorized', 'no session');
  assertError(await anna.req('POST', '/api/v1/agent/canned', { body }), 403, 'forbidden', 'an agent cannot add');
  assertError(await sam.req('POST', '/api/v1/agent/canned', { body, headers: { Origin: 'http://evil.example' } }), 403, 'forbidden', 'cross-site');
  const creates = auditCount('canned.create');

  const r = await sam.req('POST', '/api/v1/agent/canned', { body });
  assert.equal(r.status, 201, r.text);
  const c = r.json;
  assert.match(c.id, /^cr_/);
  assert.equal(c.title, body.title);
  assert.equal(c.shortcut, 'retour');
  assert.equal(c.text, body.text);
  assert.equal(c.language, 'nl');
  assert.match(c.created_at, RFC3339_UTC);
  assert.equal(auditCount('canned.create'), creates + 1);
  const en = await sam.req('POST', '/api/v1/agent/canned', { body: { language: 'en', title: 'Closing', text: 'Have a nice day, {customer_name}!' } });
  assert.equal(en.status, 201, en.text);
  assert.equal(en.json.shortcut, null);
  const other = await sam.req('POST', '/api/v1/agent/canned', { body: { language: 'nl', title: 'Afsluiten', shortcut: 'doei', text: 'Fijne dag nog!' } });
  assert.equal(other.status, 201);

  // agents list and search
  let l = await anna.req('GET', '/api/v1/agent/canned?language=nl');
  assert.equal(l.status, 200, l.text);
  assert.deepEqual(l.json.canned.map((x) => x.title), ['Afsluiten', 'Retour bevestigen'], 'ordered by title');
  l = await anna.req('GET', '/api/v1/agent/canned');
  assert.equal(l.json.canned.length, 3);
  for (const [q, want] of [['retour', [c.id]], ['RETOUR', [c.id]], ['doei', [other.json.id]], ['fijne dag', [other.json.id]], ['groet binnen', [c.id]], ['nergens', []]]) {
    const s = await anna.req('GET', `/api/v1/agent/canned?language=nl&q=${encodeURIComponent(q)}`);
    assert.deepEqual(s.json.canned.map((x) => x.id), want, `search "${q}" in title, shortcut and text`);
  }

  // change
  const u = await sam.req('PUT', `/api/v1/agent/canned/${c.id}`, { body: { title: 'Retour ontvangen', shortcut: null } });
  assert.equal(u.status, 200, u.text);
  assert.equal(u.json.title, 'Retour ontvangen');
  assert.equal(u.json.shortcut, null);
  assert.equal(u.json.text, body.text, 'unnamed fields stay');
  assert.equal(auditCount('canned.update'), 1);
  assertError(await anna.req('PUT', `/api/v1/agent/canned/${c.id}`, { body: { title: 'x' } }), 403, 'forbidden', 'an agent cannot change');

  // archive
  assertError(await anna.req('DELETE', `/api/v1/agent/canned/${c.id}`), 403, 'forbidden', 'an agent cannot archive');
  const d = await sam.req('DELETE', `/api/v1/agent/canned/${c.id}`);
  assert.equal(d.status, 200, d.text);
  assert.equal(auditCount('canned.archive'), demoArchived + 1);
  l = await anna.req('GET', '/api/v1/agent/canned?language=nl');
  assert.deepEqual(l.json.canned.map((x) => x.id), [other.json.id], 'archived ones are hidden');
  assertError(await sam.req('DELETE', `/api/v1/agent/canned/${c.id}`), 404, 'not_found', 'archive twice');
  assertError(await sam.req('PUT', `/api/v1/agent/canned/${c.id}`, { body: { title: 'x' } }), 404, 'not_found', 'change an archived one');
  assertError(await sam.req('PUT', '/api/v1/agent/canned/cr_nope', { body: { title: 'x' } }), 404, 'not_found', 'unknown id');
});

test('canned responses: bad input gets a 400 that names the field and stores nothing', async () => {
  const sam = await login(srv, SAM.email, SAM.password);
  const ok = { language: 'nl', title: 'Titel', text: 'Tekst' };
  const cases = [
    [{ ...ok, language: undefined }, 'missing_field', /language/],
    [{ ...ok, language: 'NL' }, 'invalid_field', /language/],
    [{ ...ok, language: 'dutch' }, 'invalid_field', /language/],
    [{ ...ok, title: undefined }, 'missing_field', /title/],
    [{ ...ok, title: '   ' }, 'invalid_field', /title/],
    [{ ...ok, title: 'x'.repeat(201) }, 'invalid_field', /title/],
    [{ ...ok, text: undefined }, 'missing_field', /text/],
    [{ ...ok, text: 42 }, 'invalid_field', /text/],
    [{ ...ok, shortcut: 'met spatie' }, 'invalid_field', /shortcut/],
    [{ ...ok, shortcut: 'x'.repeat(33) }, 'invalid_field', /shortcut/],
  ];
  const before = (await sam.req('GET', '/api/v1/agent/canned')).json.canned.length;
  for (const [body, code, field] of cases) {
    const r = await sam.req('POST', '/api/v1/agent/canned', { body });
    assertError(r, 400, code, JSON.stringify(body).slice(0, 80));
    assert.match(r.json.error.message, field);
  }
  assertError(await sam.req('POST', '/api/v1/agent/canned', { body: 'not json' }), 400, 'invalid_json');
  const created = await sam.req('POST', '/api/v1/agent/canned', { body: ok });
  assert.equal(created.status, 201);
  assertError(await sam.req('PUT', `/api/v1/agent/canned/${created.json.id}`, { body: {} }), 400, 'missing_field', 'nothing to change');
  assertError(await sam.req('PUT', `/api/v1/agent/canned/${created.json.id}`, { body: { language: 'x1' } }), 400, 'invalid_field');
  assertError(await sam.req('GET', '/api/v1/agent/canned?language=Nederlands'), 400, 'invalid_field', 'bad language filter');
  assert.equal((await sam.req('GET', '/api/v1/agent/canned')).json.canned.length, before + 1, 'only the good one was stored');
  assert.equal((await sam.req('GET', `/api/v1/agent/canned/${created.json.id}`)).status, 405, 'GET one is no method here');
});

// ---- customer history ------------------------------------------------------------------

test('history: earlier conversations of the same customer by e-mail (any case) or external id, newest first', async () => {
  const anna = await login(srv, ANNA.email, ANNA.password);
  const signed = (c) => signedCustomer(ID.secret, c);
  const first = await handedOver(['Kan ik met iDEAL betalen?'], { customer: signed({ email: 'Klaas@Example.NL', name: 'Klaas' }), channel: 'web' });
  const second = await handedOver(['Mijn stoel is kapot'], { customer: signed({ external_id: 'shop-42' }) });
  const stranger = await handedOver(['Iets anders'], { customer: signed({ email: 'someone@example.nl', external_id: 'shop-43' }) });
  const now = await handedOver(['Waar blijft mijn pakket?'], { customer: signed({ email: 'klaas@example.nl', external_id: 'shop-42', name: 'Klaas de Vries' }) });

  const v = await view(anna, now.id);
  assert.deepEqual(v.json.customer, { email: 'klaas@example.nl', external_id: 'shop-42', name: 'Klaas de Vries', verified: true });
  assert.equal(v.json.channel, 'api', 'the default channel');
  const h = v.json.history;
  assert.deepEqual(h.map((x) => x.id), [second.id, first.id], 'newest first, by either key, not the current one');
  assert.ok(!h.some((x) => x.id === stranger.id));
  for (const x of h) {
    assert.match(x.created_at, RFC3339_UTC);
    assert.equal(x.status, 'queued');
    assert.equal(typeof x.handoff_reason, 'string');
    assert.equal(typeof x.summary, 'string');
  }
  assert.match(h[0].summary, /^"Mijn stoel is kapot"/);
  assert.match(h[1].summary, /"Kan ik met iDEAL betalen\?"/);
  assert.match((await view(anna, now.id, '?lang=en')).json.history[0].summary, /handed over/);

  const byMail = await view(anna, first.id);
  assert.equal(byMail.json.channel, 'web');
  assert.deepEqual(byMail.json.history.map((x) => x.id), [now.id], 'found from the other side too');
  const anonymous = await handedOver(['Hallo?']);
  const va = await view(anna, anonymous.id);
  assert.deepEqual(va.json.history, []);
  assert.deepEqual(va.json.customer, { email: null, external_id: null, name: null, verified: false });
});

test('customer fields of a new conversation: validated with 400s that name the field', async () => {
  const cases = [
    [{ customer: 'jan@example.nl' }, /"customer"/],
    [{ customer: { email: 'not-an-address' } }, /customer\.email/],
    [{ customer: { email: 'a@b' } }, /customer\.email/],
    [{ customer: { email: 'jan @example.nl' } }, /customer\.email/],
    [{ customer: { email: `${'a'.repeat(250)}@example.nl` } }, /customer\.email/],
    [{ customer: { email: 42 } }, /customer\.email/],
    [{ customer: { external_id: 'x'.repeat(129) } }, /customer\.external_id/],
    [{ customer: { external_id: '   ' } }, /customer\.external_id/],
    [{ customer: { name: 'n'.repeat(201) } }, /customer\.name/],
    [{ customer: { name: 'a\u0001b' } }, /customer\.name/],
    [{ channel: 'Web Site' }, /channel/],
    [{ channel: 'x'.repeat(16) }, /channel/],
    [{ channel: 3 }, /channel/],
  ];
  for (const [body, field] of cases) {
    const r = await api(srv, 'POST', '/api/v1/conversations', { body });
    assertError(r, 400, 'invalid_field', JSON.stringify(body).slice(0, 80));
    assert.match(r.json.error.message, field);
  }
  const ok = await api(srv, 'POST', '/api/v1/conversations', {
    body: { customer: { email: `${'a'.repeat(240)}@example.nl`, external_id: 'x'.repeat(128), name: 'n'.repeat(200) }, channel: 'web' },
  });
  assert.equal(ok.status, 201, ok.text);
  assert.equal(ok.json.customer, undefined, 'the customer API does not echo who the customer is');
});

// ---- the queue's preview -------------------------------------------------------------

test('queue: each item previews the customer latest question in at most 140 characters', async () => {
  const anna = await login(srv, ANNA.email, ANNA.password);
  const long = 'Ik heb een vraag over mijn bestelling van de eettafel en de zes stoelen, want ' + 'die zijn nog steeds niet geleverd '.repeat(6) + 'en nu?';
  const a = await handedOver([long]);
  const b = await createConversation(srv);
  await postMessage(srv, b, 'Hoe lang duurt de levering?');
  await postMessage(srv, b, 'Ik wil een medewerker spreken');
  const q = await anna.req('GET', '/api/v1/agent/queue');
  const item = (id) => q.json.conversations.find((x) => x.id === id);
  const pa = item(a.id).preview;
  assert.ok(pa.length <= 140, `at most 140: ${pa.length}`);
  assert.ok(pa.startsWith('Ik heb een vraag over mijn bestelling'), pa);
  assert.ok(pa.endsWith('...'), 'a cut preview says so');
  assert.equal(item(b.id).preview, 'Hoe lang duurt de levering?', 'the question, not the request for a person');
  for (const c of q.json.conversations) await anna.req('POST', `/api/v1/agent/conversations/${c.id}/claim`);
});
