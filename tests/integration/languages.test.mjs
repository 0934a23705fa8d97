// Issue 14 through the real server: the bot never claims to be a person (a
// few phrasings of "are you a bot / a person?" and the first sentence of the
// reply), and languages: a conversation in German, a German message in a
// Dutch conversation (handed over at once, in German, with the language in
// the hand-off summary; never "repeated failure"), a French question answered
// from the French translation of an article in a knowledge base that has one
// (and a French question without one), any BCP 47 primary tag with its
// region dropped, and a bad tag refused.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  serverForFile, startServer, stopServer, api, assertError, addUser, login, createConversation, postMessage, freshDataDir, runCli,
} from './helpers.mjs';

const SANNE = { email: 'sanne@tulpentafel.example', password: 'sanne-heeft-een-lang-wachtwoord' };

let srv; // the demo knowledge base (Dutch and English), an agent logged in
let agent;

serverForFile({}, async (s) => {
  srv = s;
  await addUser(srv.dataDir, SANNE.email, SANNE.password);
  agent = await login(srv, SANNE.email, SANNE.password);
});

// The customer's message, then what loket said in that turn.
async function say(server, conv, text) {
  const r = await postMessage(server, conv, text);
  assert.equal(r.messages[0].sender, 'customer');
  for (const m of r.messages.slice(1)) assert.equal(m.automated, true, `${m.sender}: ${m.text}`);
  return r;
}

// The first sentence of a text (up to the first '.', '?' or '!').
const firstSentence = (text) => text.match(/^[^.?!]*[.?!]/)?.[0] ?? text;

// ---- the bot never claims to be a person ---------------------------------------

test('"are you a bot / a person?": the first sentence is true for the question as asked', async () => {
  const cases = [
    ['nl', 'Praat ik met een mens?', 'Nee, ik ben geen mens: ik ben een digitale assistent, een computerprogramma.'],
    ['nl', 'Ben je een echt mens?', 'Nee, ik ben geen mens: ik ben een digitale assistent, een computerprogramma.'],
    ['nl', 'ben jij echt?', 'Nee, ik ben geen mens: ik ben een digitale assistent, een computerprogramma.'],
    ['nl', 'ben je een bot', 'Ja, ik ben een chatbot: een digitale assistent, geen mens.'],
    ['nl', 'is dit een robot', 'Ja, ik ben een chatbot: een digitale assistent, geen mens.'],
    ['nl', 'Ben je een mens of een bot?', 'Ik ben een digitale assistent, geen mens: een computerprogramma.'],
    ['en', 'Are you a real person?', 'No, I am not a person: I am an automated assistant, a computer program.'],
    ['en', 'r u a bot', 'Yes, I am a chatbot: an automated assistant, not a person.'],
    ['en', 'am i talking to a real person', 'No, I am not a person: I am an automated assistant, a computer program.'],
  ];
  for (const [language, text, want] of cases) {
    const c = await createConversation(srv, { language });
    const r = await say(srv, c, text);
    assert.equal(r.conversation.status, 'bot', `${text}: stays with the bot (the reply offers a person)`);
    const reply = r.messages[1];
    assert.equal(reply.sender, 'bot', text);
    assert.equal(firstSentence(reply.text), want, `${text}: ${reply.text}`);
    assert.doesNotMatch(reply.text, language === 'en' ? /^Yes, I am (a|an) (person|human)/ : /^Ja, ik ben een mens/);
  }
});

// ---- languages ---------------------------------------------------------------------

test('a conversation in German: greeted in German; a question the KB has no German answer to goes to a person at once', async () => {
  const c = await createConversation(srv, { language: 'de' });
  assert.equal(c.language, 'de');
  const greeting = c.messages[0];
  assert.equal(greeting.sender, 'bot');
  assert.match(greeting.text, /digitale Assistent/);
  assert.match(greeting.text, /kein Mensch/, 'the disclosure, in German');
  assert.match(greeting.text, /Mitarbeiter/, 'the human option, in German');

  const r = await say(srv, c, 'Wie lange dauert die Lieferung nach Deutschland?');
  assert.equal(r.conversation.status, 'queued');
  assert.equal(r.conversation.handoff_reason, 'language');
  assert.equal(r.conversation.language, 'de');
  const notice = r.messages.at(-1);
  assert.equal(notice.sender, 'system');
  assert.match(notice.text, /keine Antwort in Ihrer Sprache/);
  assert.match(notice.text, /Mitarbeiter/);
  assert.ok(!r.messages.some((m) => m.article_id), 'no answer in another language');

  // the agent sees the language in the hand-off summary
  for (const [lang, words] of [['nl', /Taal: de \(Duits\)[\s\S]*taal van de klant/], ['en', /Language: de \(German\)[\s\S]*customer's language/]]) {
    const v = await api(srv, 'GET', `/api/v1/agent/conversations/${c.id}?lang=${lang}`, { cookie: agent.cookie });
    assert.equal(v.status, 200, v.text);
    assert.match(v.json.summary, words, v.json.summary);
  }
});

test('a German message in a Dutch conversation: a person in the same turn, in German, not "repeated failure"', async () => {
  const c = await createConversation(srv, { language: 'nl' });
  const r = await say(srv, c, 'Hallo, wo ist meine Bestellung? Ich warte schon seit einer Woche.');
  assert.equal(r.conversation.status, 'queued', JSON.stringify(r.messages.map((m) => m.text)));
  assert.equal(r.conversation.handoff_reason, 'language');
  assert.equal(r.conversation.language, 'de', 'the conversation follows the customer into German');
  assert.match(r.messages.at(-1).text, /keine Antwort in Ihrer Sprache/);
  assert.ok(!r.messages.some((m) => /Sorry, dat weet ik niet/.test(m.text)), 'no Dutch decline');
});

test('any BCP 47 primary tag, the region dropped; a bad tag is a 400', async () => {
  for (const [tag, want] of [['fr-BE', 'fr'], ['de-AT', 'de'], ['es-419', 'es'], ['gsw', 'gsw'], ['nl', 'nl']]) {
    const c = await createConversation(srv, { language: tag });
    assert.equal(c.language, want, tag);
  }
  const fr = await createConversation(srv, { language: 'fr-BE' });
  assert.match(fr.messages[0].text, /assistant numérique/, 'greeted in French');
  assert.match(fr.messages[0].text, /pas une personne/);
  const es = await createConversation(srv, { language: 'es' });
  assert.match(es.messages[0].text, /automated assistant/, 'no Spanish texts: English');
  for (const bad of ['xx-', 'EN', 'dutch', 'de-DEU', 'd', '']) {
    const r = await api(srv, 'POST', '/api/v1/conversations', { body: { language: bad } });
    assertError(r, 400, ['invalid_field'], `language ${JSON.stringify(bad)}`);
    assert.match(r.json.error.message, /language/);
  }
});

test('a French question is answered from the French translation of the article', async () => {
  const d = freshDataDir();
  const file = path.join(d.root, 'kb.json');
  const article = (id, language, title, questions, answer, tags) => ({ id, language, title, questions, answer, tags });
  writeFileSync(file, JSON.stringify({
    articles: [
      article('retourneren', 'nl', 'Retourneren', ['hoe kan ik iets retourneren', 'ik wil mijn bestelling terugsturen', 'retour aanmelden'],
        'Je kunt artikelen binnen 30 dagen gratis retourneren.', ['retour']),
      article('retourneren-fr', 'fr', 'Retourner un article', ['comment retourner un article', 'je veux renvoyer ma commande', 'retour gratuit'],
        'Vous pouvez retourner vos articles gratuitement sous 30 jours.', ['retour']),
      article('verzendkosten', 'nl', 'Verzendkosten', ['wat zijn de verzendkosten', 'hoeveel kost verzenden', 'betaal ik verzendkosten'],
        'Verzenden is gratis vanaf 50 euro.', ['verzending']),
      article('verzendkosten-en', 'en', 'Shipping costs', ['what are the shipping costs', 'how much is shipping', 'do I pay for delivery'],
        'Shipping is free from 50 euros.', ['verzending']),
      article('openingstijden', 'nl', 'Openingstijden', ['wanneer zijn jullie open', 'openingstijden klantenservice', 'zijn jullie zondag open'],
        'We zijn open van maandag tot vrijdag.', ['contact']),
    ],
  }));
  const imp = await runCli(['kb', 'import', file, '--data', d.dir]);
  assert.equal(imp.code, 0, imp.stderr);
  const fsrv = await startServer({ dataDir: d.dir });
  try {
    const c = await createConversation(fsrv, { language: 'fr-BE' });
    assert.equal(c.language, 'fr');
    const r = await say(fsrv, c, 'Comment est-ce que je peux retourner un article ?');
    const answer = r.messages.find((m) => m.sender === 'bot');
    assert.ok(answer, JSON.stringify(r.messages));
    assert.equal(answer.article_id, 'retourneren-fr', answer.text);
    assert.match(answer.text, /gratuitement sous 30 jours/);
    assert.match(answer.text, /Cela vous a-t-il aidé \?/, 'the follow-up question in French');
    assert.equal(r.conversation.status, 'bot');

    // a question the knowledge base has nothing on: declined in French, and
    // the second failure in a row goes to a person, told in French
    const s = await say(fsrv, c, 'Est-ce que vous vendez aussi des cartes cadeaux ?');
    assert.equal(s.conversation.status, 'bot', JSON.stringify(s.messages.map((m) => m.text)));
    assert.match(s.messages[1].text, /^Désolé, je ne sais pas\./);
    assert.match(s.messages[1].text, /conseiller/);
    const t = await say(fsrv, c, 'Vous avez un magasin à Bruxelles ?');
    assert.equal(t.conversation.status, 'queued', JSON.stringify(t.messages.map((m) => m.text)));
    assert.match(t.messages.at(-1).text, /conseiller/);
    assert.doesNotMatch(t.messages.at(-1).text, /medewerker|person from our team/, 'never Dutch or English');
  } finally {
    await stopServer(fsrv);
    d.cleanup();
  }
});
