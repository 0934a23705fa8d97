/*
 * loket console: the knowledge base (docs/kb.md).
 *
 * - "What would the bot do?": a question in, the decision, the best articles
 *   with their confidence, the language, the signals and what the
 *   conversation policy would do (POST /api/v1/kb/try).
 * - The articles, with search and language and status filters, flagged when
 *   their review date has passed (GET /api/v1/kb/articles); one article with
 *   its rendered answer, translations and versions (GET .../articles/ID), and
 *   for supervisors and admins: change, translate, archive, restore.
 * - The company's own labelled questions: knowledge-labelled.js.
 * - Drafts (GET /api/v1/kb/drafts), including those made from the gap report,
 *   and the editor that saves them; "Preview" shows which example questions
 *   would be answered differently (POST .../drafts/ID/preview), then
 *   "Publish" makes the change live (POST .../drafts/ID/publish).
 *
 * Everything from the server goes into the page with textContent, except an
 * article's answer_html: the server renders the Markdown with cmark in its
 * safe mode (no raw HTML, only http(s), mailto, tel and relative links), so
 * that HTML may be inserted as it is.
 */
loket.page(function (L, $, el, t) {
  'use strict';

  L.strings({
    nl: {
      kbTitle: 'Kennisbank',
      kbIntro:
        'De artikelen waaruit de digitale assistent antwoordt. Wijzigingen zijn eerst een concept; voor je publiceert zie je welke vragen anders beantwoord zouden worden.',
      emptyTitle: 'De kennisbank is leeg',
      emptyText: 'De digitale assistent beantwoordt nu geen enkele vraag: elke vraag gaat naar een medewerker.',
      emptyWhat: 'Zo vul je de kennisbank:',
      emptyNew: 'Schrijf een artikel met de knop “Nieuw artikel” hieronder (teamleiders en beheerders).',
      emptyImport: 'Of importeer je artikelen op de server: loket kb import BESTAND (KB JSON, CSV of een map met Markdown; zie docs/kb.md).',
      emptyDemo: 'Of laad de voorbeeldkennisbank van de webwinkel Tulp & Tafel om te proberen: loket kb demo.',
      tryTitle: 'Wat zou de bot doen?',
      tryText: 'Vraag van een klant',
      tryLang: 'Taal van het gesprek',
      tryGo: 'Probeer',
      tryEmpty: 'Typ eerst een vraag.',
      tryAnswer: 'De bot antwoordt met “{title}”.',
      tryDecline: 'De bot antwoordt niet: geen artikel is zeker genoeg.',
      tryChoice: 'De bot biedt een keuze: {titles}.',
      tryLanguage: 'Taal',
      tryLanguageValue: '{lang} ({pct}% zeker)',
      tryThreshold: 'Antwoordt vanaf',
      tryTop: 'Beste artikelen',
      tryWhy: 'Waarom',
      tryMatched: 'Woorden die passen bij het beste artikel',
      tryOther: 'Woorden die de kennisbank elders kent',
      tryUnknown: 'Woorden die de kennisbank niet kent',
      trySynonyms: 'Gelezen als synoniem',
      trySynonym: '{word} als {as}',
      tryFunctionOnly: 'Alleen vraagwoorden passen ("hoe", "wat"): dat telt niet als overeenkomst.',
      tryNone: 'geen',
      calTitle: 'Kalibratie',
      calRisk: 'Foutrisico onder de antwoorden (bovengrens, {conf}% zeker)',
      calRiskValue: 'hoogstens {bound}% (doel {risk}%)',
      calNotMet: 'het doel van {risk}% is met deze voorbeeldvragen niet te halen',
      calFallback:
        'Met deze voorbeeldvragen kan de bot niet laten zien dat hoogstens {risk}% van zijn antwoorden fout is. Daarom antwoordt hij alleen waar zijn geschatte kans op een fout antwoord het laagst is: als hij minstens {threshold}% zeker is (dan hoogstens {bound}% fout). Is hij minder zeker, dan vraagt hij de klant welk van de twee of drie best passende artikelen bedoeld is, met een medewerker ernaast. Met meer voorbeeldvragen per artikel kan de bot vaker zelf antwoorden.',
      calPrecision: 'Geschatte juistheid van de antwoorden',
      calCoverage: 'Geschat deel van de vragen dat antwoord krijgt',
      calLabelled: 'Beoordeelde vragen van klanten in de kalibratie',
      calCompany: 'Eigen gelabelde vragen in de kalibratie',
      calUncalibrated: 'Te weinig voorbeeldvragen om te kalibreren.',
      pvCalib: 'Kalibratie nu → na publiceren: drempel {from}% → {to}%, foutrisico hoogstens {bFrom}% → {bTo}%, geschatte juistheid {pFrom}% → {pTo}%, dekking {cFrom}% → {cTo}%.',
      trySignals: 'Signalen',
      tryPolicy: 'Wat het gesprek doet',
      tryReplies: 'Wat de klant ziet',
      actAnswer: 'Antwoorden',
      actHandoff: 'Doorverbinden met een medewerker ({reason})',
      actDecline: 'Zeggen dat de bot het niet weet en een medewerker aanbieden',
      actChoices: 'Een keuze aanbieden: {titles}',
      actDisclosure: 'Zeggen dat dit een digitale assistent is',
      actReply: 'Kort reageren (groet, bedankje)',
      actOther: 'Iets anders',
      sigPerson: 'Vraagt om een mens',
      sigBot: 'Vraagt of dit een bot is',
      sigNegative: 'Boos of gefrustreerd',
      sigComplaint: 'Klacht',
      sigMulti: 'Meerdere vragen',
      sigRepeat: 'Herhaling',
      langAuto: 'Standaard (Nederlands)',
      langAll: 'Alle talen',
      langNl: 'Nederlands',
      langEn: 'Engels',
      listTitle: 'Artikelen',
      listSearch: 'Zoeken',
      listLang: 'Taal',
      listStatus: 'Status',
      listGo: 'Tonen',
      listCount: '{n} artikelen.',
      listDue: '{n} artikelen moeten gecontroleerd worden.',
      listNone: 'Geen artikelen gevonden.',
      newArticle: 'Nieuw artikel',
      stPublished: 'Gepubliceerd',
      stArchived: 'Gearchiveerd',
      stAll: 'Alle',
      colTitle: 'Titel',
      colLang: 'Taal',
      colStatus: 'Status',
      colOwner: 'Eigenaar',
      colReview: 'Controleren voor',
      colVersion: 'Versie',
      colKind: 'Soort',
      colSource: 'Bron',
      colUpdated: 'Gewijzigd',
      due: 'Controle nodig',
      none: '–',
      artId: 'Id',
      artLang: 'Taal',
      artStatus: 'Status',
      artVersion: 'Versie',
      artOwner: 'Eigenaar',
      artReview: 'Controleren voor',
      artUrl: 'Meer informatie',
      artTags: 'Labels',
      artTranslations: 'Vertalingen',
      artUpdated: 'Laatst gewijzigd',
      artQuestions: 'Voorbeeldvragen',
      artAnswer: 'Antwoord',
      artEdit: 'Wijzigen',
      artTranslate: 'Vertaling maken',
      artArchive: 'Archiveren',
      artRestore: 'Herstellen',
      artArchived: 'Gearchiveerd. De bot gebruikt dit artikel niet meer.',
      artRestored: 'Hersteld. De bot gebruikt dit artikel weer.',
      artConfirmArchive: 'Dit artikel archiveren? De bot gebruikt het daarna niet meer.',
      verTitle: 'Versies',
      verVersion: 'Versie',
      verChange: 'Wijziging',
      verWho: 'Door',
      verWhen: 'Wanneer',
      chCreated: 'gemaakt',
      chEdited: 'gewijzigd',
      chArchived: 'gearchiveerd',
      chRestored: 'hersteld',
      chImported: 'geïmporteerd',
      byCli: 'opdrachtregel',
      draftsTitle: 'Concepten',
      draftsIntro:
        'Nieuwe artikelen en wijzigingen die nog niet gepubliceerd zijn, ook de concepten uit het overzicht van vragen zonder antwoord.',
      draftsEmpty: 'Er zijn geen concepten.',
      kindNew: 'Nieuw artikel',
      kindEdit: 'Wijziging van {id}',
      srcEditor: 'Kennisbank',
      srcGap: 'Vragen zonder antwoord',
      srcImport: 'Import',
      edNew: 'Nieuw artikel',
      edNewTranslation: 'Nieuwe vertaling',
      edDraft: 'Concept: {title}',
      edContextEdit: 'Een wijziging van het gepubliceerde artikel {id}.',
      edContextNew: 'Een nieuw artikel.',
      edContextGap: 'Gemaakt uit het overzicht van vragen zonder antwoord: schrijf het antwoord.',
      edTitle: 'Titel',
      edLang: 'Taal',
      edId: 'Id (leeg: uit de titel)',
      edIdHint: 'Kleine letters, cijfers, - en _.',
      edTranslation: 'Vertaling van',
      edNoTranslation: 'Geen (een eigen artikel)',
      edQuestions: 'Voorbeeldvragen, één per regel',
      edQuestionsHint: 'Schrijf ze zoals klanten in een chat typen. De bot leert van deze vragen welk artikel past.',
      edAnswer: 'Antwoord (Markdown)',
      edAnswerHint: '**vet**, *schuin*, [linktekst](https://…) en lijstjes met - . In de chat ziet de klant gewone tekst.',
      edUrl: 'Link naar meer informatie',
      edTags: "Labels, gescheiden door komma's",
      edOwner: 'Eigenaar',
      edNoOwner: 'Niemand',
      edReview: 'Controleren voor',
      edSave: 'Concept opslaan',
      edPreview: 'Voorvertoning',
      edDiscard: 'Concept weggooien',
      edClose: 'Sluiten',
      edSaved: 'Concept opgeslagen.',
      edDiscarded: 'Concept weggegooid.',
      edConfirmDiscard: 'Dit concept weggooien?',
      edNeedQuestions: 'Geef minstens één voorbeeldvraag.',
      edNeedTitle: 'Geef een titel.',
      edChecking: 'De bot wordt met dit concept opnieuw getraind en getest…',
      pvTitle: 'Wat verandert er?',
      pvCaption: 'Vragen die anders beantwoord worden',
      pvSummary: '{checked} voorbeeldvragen getest: {n} worden anders beantwoord.',
      pvNoChange: '{checked} voorbeeldvragen getest: geen enkele wordt anders beantwoord.',
      pvMore: 'De eerste {shown} van {total} staan hieronder.',
      pvQuestion: 'Vraag',
      pvNow: 'Nu',
      pvThen: 'Na publiceren',
      pvAnswer: '{article} ({pct}%)',
      pvDecline: 'geen antwoord ({pct}%)',
      pvChoice: 'keuze: {articles} ({pct}%)',
      pvOffered: 'Daarvan krijgen er {n} een keuze uit artikelen in plaats van één antwoord of geen.',
      pvPublish: 'Publiceren',
      pvPublished: 'Gepubliceerd als versie {version}. De bot antwoordt er binnen enkele seconden mee.',
      pvStale: 'Het concept is gewijzigd: bekijk eerst opnieuw de voorvertoning.',
    },
    en: {
      kbTitle: 'Knowledge base',
      kbIntro:
        'The articles the automated assistant answers from. A change is a draft first; before you publish, you see which questions would be answered differently.',
      emptyTitle: 'The knowledge base is empty',
      emptyText: 'The automated assistant answers no question now: every question goes to a person.',
      emptyWhat: 'How to fill it:',
      emptyNew: 'Write an article with the “New article” button below (team leads and admins).',
      emptyImport: 'Or import your articles on the server: loket kb import FILE (KB JSON, CSV or a folder of Markdown; see docs/kb.md).',
      emptyDemo: 'Or load the demo knowledge base of the web shop Tulp & Tafel to try things out: loket kb demo.',
      tryTitle: 'What would the bot do?',
      tryText: "A customer's question",
      tryLang: 'Language of the conversation',
      tryGo: 'Try',
      tryEmpty: 'Type a question first.',
      tryAnswer: 'The bot answers with “{title}”.',
      tryDecline: 'The bot does not answer: no article is certain enough.',
      tryChoice: 'The bot offers a choice: {titles}.',
      tryLanguage: 'Language',
      tryLanguageValue: '{lang} ({pct}% certain)',
      tryThreshold: 'Answers from',
      tryTop: 'Best articles',
      tryWhy: 'Why',
      tryMatched: 'Words that match the best article',
      tryOther: 'Words the knowledge base knows elsewhere',
      tryUnknown: 'Words the knowledge base does not know',
      trySynonyms: 'Read as a synonym',
      trySynonym: '{word} as {as}',
      tryFunctionOnly: 'Only question words match ("how", "what"): that does not count as a match.',
      tryNone: 'none',
      calTitle: 'Calibration',
      calRisk: 'Wrong-answer risk among answers (upper bound, {conf}% sure)',
      calRiskValue: 'at most {bound}% (target {risk}%)',
      calNotMet: 'the target of {risk}% cannot be met with these example questions',
      calFallback:
        'With these example questions the bot cannot show that at most {risk}% of its answers are wrong. So it answers only where its estimated rate of wrong answers is lowest: when it is at least {threshold}% sure (then at most {bound}% wrong). When it is less sure, it asks the customer which of the two or three best-matching articles they mean, with a person one click away. More example questions per article turn more of these into answers.',
      calPrecision: 'Estimated precision of the answers',
      calCoverage: 'Estimated share of questions answered',
      calLabelled: 'Reviewed customer questions in the calibration',
      calCompany: 'Your own labelled questions in the calibration',
      calUncalibrated: 'Too few example questions to calibrate.',
      pvCalib: 'Calibration now → after publishing: threshold {from}% → {to}%, wrong-answer risk at most {bFrom}% → {bTo}%, estimated precision {pFrom}% → {pTo}%, coverage {cFrom}% → {cTo}%.',
      trySignals: 'Signals',
      tryPolicy: 'What the conversation does',
      tryReplies: 'What the customer sees',
      actAnswer: 'Answer',
      actHandoff: 'Hand over to a person ({reason})',
      actDecline: 'Say the bot does not know and offer a person',
      actChoices: 'Offer a choice: {titles}',
      actDisclosure: 'Say this is an automated assistant',
      actReply: 'Reply briefly (a greeting, thanks)',
      actOther: 'Something else',
      sigPerson: 'Asks for a person',
      sigBot: 'Asks whether this is a bot',
      sigNegative: 'Angry or frustrated',
      sigComplaint: 'Complaint',
      sigMulti: 'Several questions',
      sigRepeat: 'Repeated',
      langAuto: 'Default (Dutch)',
      langAll: 'All languages',
      langNl: 'Dutch',
      langEn: 'English',
      listTitle: 'Articles',
      listSearch: 'Search',
      listLang: 'Language',
      listStatus: 'Status',
      listGo: 'Show',
      listCount: '{n} articles.',
      listDue: '{n} articles are due for review.',
      listNone: 'No articles found.',
      newArticle: 'New article',
      stPublished: 'Published',
      stArchived: 'Archived',
      stAll: 'All',
      colTitle: 'Title',
      colLang: 'Language',
      colStatus: 'Status',
      colOwner: 'Owner',
      colReview: 'Review by',
      colVersion: 'Version',
      colKind: 'Kind',
      colSource: 'Source',
      colUpdated: 'Changed',
      due: 'Review due',
      none: '–',
      artId: 'Id',
      artLang: 'Language',
      artStatus: 'Status',
      artVersion: 'Version',
      artOwner: 'Owner',
      artReview: 'Review by',
      artUrl: 'More information',
      artTags: 'Tags',
      artTranslations: 'Translations',
      artUpdated: 'Last changed',
      artQuestions: 'Example questions',
      artAnswer: 'Answer',
      artEdit: 'Change',
      artTranslate: 'Translate',
      artArchive: 'Archive',
      artRestore: 'Restore',
      artArchived: 'Archived. The bot no longer uses this article.',
      artRestored: 'Restored. The bot uses this article again.',
      artConfirmArchive: 'Archive this article? The bot will no longer use it.',
      verTitle: 'Versions',
      verVersion: 'Version',
      verChange: 'Change',
      verWho: 'By',
      verWhen: 'When',
      chCreated: 'created',
      chEdited: 'changed',
      chArchived: 'archived',
      chRestored: 'restored',
      chImported: 'imported',
      byCli: 'command line',
      draftsTitle: 'Drafts',
      draftsIntro: 'New articles and changes not yet published, including the drafts made from the gap report.',
      draftsEmpty: 'There are no drafts.',
      kindNew: 'New article',
      kindEdit: 'Change of {id}',
      srcEditor: 'Knowledge base',
      srcGap: 'Gap report',
      srcImport: 'Import',
      edNew: 'New article',
      edNewTranslation: 'New translation',
      edDraft: 'Draft: {title}',
      edContextEdit: 'A change of the published article {id}.',
      edContextNew: 'A new article.',
      edContextGap: 'Made from the gap report: write its answer.',
      edTitle: 'Title',
      edLang: 'Language',
      edId: 'Id (empty: made from the title)',
      edIdHint: 'Lower-case letters, digits, - and _.',
      edTranslation: 'Translation of',
      edNoTranslation: 'None (an article of its own)',
      edQuestions: 'Example questions, one per line',
      edQuestionsHint: 'Write them the way customers type in a chat. The bot learns from them which article fits.',
      edAnswer: 'Answer (Markdown)',
      edAnswerHint: '**bold**, *italic*, [link text](https://…) and lists with - . The customer sees plain text in the chat.',
      edUrl: 'Link to more information',
      edTags: 'Tags, separated by commas',
      edOwner: 'Owner',
      edNoOwner: 'Nobody',
      edReview: 'Review by',
      edSave: 'Save draft',
      edPreview: 'Preview',
      edDiscard: 'Discard draft',
      edClose: 'Close',
      edSaved: 'Draft saved.',
      edDiscarded: 'Draft discarded.',
      edConfirmDiscard: 'Discard this draft?',
      edNeedQuestions: 'Give at least one example question.',
      edNeedTitle: 'Give a title.',
      edChecking: 'The bot is trained and tested again with this draft…',
      pvTitle: 'What changes?',
      pvCaption: 'Questions that would be answered differently',
      pvSummary: '{checked} example questions tested: {n} would be answered differently.',
      pvNoChange: '{checked} example questions tested: none would be answered differently.',
      pvMore: 'The first {shown} of {total} are listed below.',
      pvQuestion: 'Question',
      pvNow: 'Now',
      pvThen: 'After publishing',
      pvAnswer: '{article} ({pct}%)',
      pvDecline: 'no answer ({pct}%)',
      pvChoice: 'choice: {articles} ({pct}%)',
      pvOffered: 'Of these, {n} would get a choice of articles instead of one answer or none.',
      pvPublish: 'Publish',
      pvPublished: 'Published as version {version}. The bot answers with it within seconds.',
      pvStale: 'The draft changed: look at the preview again first.',
    },
  });

  var user = null;
  var manager = false;
  var all = []; // every article (any status), for the translation choice
  var current = null; // the article shown
  var draft = null; // the draft in the editor (null: not saved yet)
  var translationOf = ''; // a new draft's article it translates
  var previewed = null; // the draft's updated_at the preview was made for

  function pct(x) {
    return Math.round((Number(x) || 0) * 100);
  }

  function date(iso) {
    if (!iso) return t('none');
    var d = new Date(iso);
    return isNaN(d.getTime()) ? t('none') : d.toLocaleDateString(L.lang === 'nl' ? 'nl-NL' : 'en-GB');
  }

  function dateTime(iso) {
    if (!iso) return t('none');
    var d = new Date(iso);
    return isNaN(d.getTime())
      ? t('none')
      : d.toLocaleString(L.lang === 'nl' ? 'nl-NL' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' });
  }

  function langName(code) {
    return code === 'nl' ? t('langNl') : code === 'en' ? t('langEn') : code || t('none');
  }

  function statusName(s) {
    return s === 'published' ? t('stPublished') : s === 'archived' ? t('stArchived') : s;
  }

  function fail(id, e) {
    $(id).textContent = (e && e.message) || String(e);
  }

  function clear(id) {
    $(id).textContent = '';
  }

  // ---- what would the bot do? ----------------------------------------------------

  function tryBot(ev) {
    ev.preventDefault();
    clear('try-error');
    var text = $('try-text').value.trim();
    if (!text) {
      $('try-error').textContent = t('tryEmpty');
      $('try-text').focus();
      return;
    }
    var body = { text: text };
    if ($('try-lang').value) body.language = $('try-lang').value;
    clear('try-result'); // no earlier answer in view while this one is on its way
    L.api('POST', '/api/v1/kb/try', body).then(showTry, function (e) {
      fail('try-error', e);
    });
  }

  function fact(dl, label, value) {
    dl.appendChild(el('dt', { text: label }));
    dl.appendChild(el('dd', null, [value]));
  }

  // The calibration of the bot (docs/quality.md): the bound on its
  // wrong-answer rate and the estimated precision and coverage; when the
  // bound cannot show the target, what the bot does instead.
  function calibFacts(c) {
    var box = el('div', { class: 'kb-calibration' });
    var dl = el('dl', { class: 'acc-facts' });
    box.appendChild(dl);
    fact(dl, t('tryThreshold'), pct(c.threshold) + '%');
    if (!c.calibrated) {
      fact(dl, t('calTitle'), t('calUncalibrated'));
      return box;
    }
    var risk = { bound: pct(c.risk_bound), risk: pct(c.answer_risk) };
    fact(dl, t('calRisk', { conf: pct(c.confidence_level) }), c.met ? t('calRiskValue', risk) : t('calRiskValue', risk) + ': ' + t('calNotMet', risk));
    fact(dl, t('calPrecision'), pct(c.precision) + '%');
    fact(dl, t('calCoverage'), pct(c.coverage) + '%');
    // how many of the held-out questions were customers' reviewed questions
    if (typeof c.labelled_questions === 'number') fact(dl, t('calLabelled'), String(c.labelled_questions));
    // and how many were the company's own labelled questions (knowledge-labelled.js)
    if (typeof c.company_questions === 'number') fact(dl, t('calCompany'), String(c.company_questions));
    if (!c.met) box.appendChild(el('p', { class: 'kb-cal-fallback', text: t('calFallback', { risk: risk.risk, threshold: pct(c.threshold), bound: risk.bound }) }));
    return box;
  }

  // "“A”, “B”" (the articles offered, in order)
  function titles(list) {
    return list
      .map(function (a) {
        return '“' + (a.title || a.article_id) + '”';
      })
      .join(', ');
  }

  function showTry(r) {
    var box = $('try-result');
    box.textContent = '';
    var best = r.top && r.top[0];
    box.appendChild(
      el('p', {
        class: 'kb-decision ' + (r.decision === 'answer' ? 'kb-yes' : r.decision === 'choice' ? 'kb-choice' : 'kb-no'),
        text:
          r.decision === 'answer' && best
            ? t('tryAnswer', { title: best.title })
            : r.decision === 'choice' && r.choices && r.choices.length
            ? t('tryChoice', { titles: titles(r.choices) })
            : t('tryDecline'),
      })
    );
    var dl = el('dl', { class: 'acc-facts' });
    fact(dl, t('tryLanguage'), t('tryLanguageValue', { lang: langName(r.language), pct: pct(r.language_confidence) }));
    fact(dl, t('tryThreshold'), pct(r.threshold) + '%');
    box.appendChild(dl);

    var ex = r.explanation;
    if (ex) {
      box.appendChild(el('h3', { text: t('tryWhy') }));
      var why = el('dl', { class: 'acc-facts' });
      fact(why, t('tryMatched'), ex.matched.length ? ex.matched.join(', ') : t('tryNone'));
      fact(why, t('tryOther'), ex.other_known.length ? ex.other_known.join(', ') : t('tryNone'));
      fact(why, t('tryUnknown'), ex.unknown.length ? ex.unknown.join(', ') : t('tryNone'));
      // words in no example question that the synonym lexicon read as one of their words
      var syn = Object.keys(ex.synonyms || {}).map(function (w) {
        return t('trySynonym', { word: w, as: ex.synonyms[w] });
      });
      if (syn.length) fact(why, t('trySynonyms'), syn.join(', '));
      box.appendChild(why);
      if (ex.function_words_only) box.appendChild(el('p', { class: 'muted', text: t('tryFunctionOnly') }));
    }
    if (r.calibration) {
      box.appendChild(el('h3', { text: t('calTitle') }));
      box.appendChild(calibFacts(r.calibration));
    }

    box.appendChild(el('h3', { text: t('tryTop') }));
    var top = el('ol', { class: 'kb-top' });
    (r.top || []).forEach(function (a) {
      top.appendChild(el('li', null, [el('span', { text: a.title }), ' ', el('span', { class: 'muted', text: '(' + a.article_id + ') ' + pct(a.confidence) + '%' })]));
    });
    box.appendChild(top);

    box.appendChild(el('h3', { text: t('trySignals') }));
    var sig = el('dl', { class: 'acc-facts' });
    var names = {
      person_request: 'sigPerson',
      bot_question: 'sigBot',
      negative: 'sigNegative',
      complaint: 'sigComplaint',
      multi_question: 'sigMulti',
      repeat: 'sigRepeat',
    };
    Object.keys(names).forEach(function (k) {
      if (r.signals && r.signals[k] !== undefined) fact(sig, t(names[k]), pct(r.signals[k]) + '%');
    });
    box.appendChild(sig);

    var h = r.policy_hint;
    if (h) {
      box.appendChild(el('h3', { text: t('tryPolicy') }));
      var act = {
        answer: t('actAnswer'),
        handoff: t('actHandoff', { reason: h.handoff_reason || '' }),
        decline: t('actDecline'),
        choices: t('actChoices', { titles: titles(h.choices || []) }),
        disclosure: t('actDisclosure'),
        reply: t('actReply'),
      }[h.action] || t('actOther');
      box.appendChild(el('p', { class: 'kb-action', text: act }));
      if (h.replies && h.replies.length) {
        box.appendChild(el('h3', { text: t('tryReplies') }));
        var ul = el('ul', { class: 'kb-replies' });
        h.replies.forEach(function (m) {
          ul.appendChild(el('li', { class: 'kb-reply', text: m.text }));
        });
        box.appendChild(ul);
      }
    }
  }

  // ---- the articles ----------------------------------------------------------------

  function listQuery() {
    var q = [];
    q.push('status=' + encodeURIComponent($('list-status').value));
    if ($('list-lang').value) q.push('language=' + encodeURIComponent($('list-lang').value));
    if ($('list-q').value.trim()) q.push('q=' + encodeURIComponent($('list-q').value.trim()));
    return '/api/v1/kb/articles?' + q.join('&');
  }

  function loadList(ev) {
    if (ev) ev.preventDefault();
    clear('list-error');
    return L.api('GET', listQuery()).then(showList, function (e) {
      fail('list-error', e);
    });
  }

  function showList(r) {
    var body = $('list-body');
    body.textContent = '';
    r.articles.forEach(function (a) {
      var open = el('button', { type: 'button', class: 'link', text: a.title, 'data-article': a.id });
      open.addEventListener('click', function () {
        openArticle(a.id, true);
      });
      var review = [date(a.review_by)];
      if (a.review_due) review.push(' ', el('span', { class: 'kb-due', text: t('due') }));
      body.appendChild(
        el('tr', a.review_due ? { class: 'kb-row-due' } : null, [
          el('td', null, [open, el('br'), el('span', { class: 'muted adm-id', text: a.id })]),
          el('td', { text: langName(a.language) }),
          el('td', { text: statusName(a.status) }),
          el('td', { text: a.owner_name || a.owner || t('none') }),
          el('td', null, review),
          el('td', { text: String(a.version) }),
        ])
      );
    });
    $('list-table').hidden = r.articles.length === 0;
    var msg = r.articles.length ? t('listCount', { n: r.articles.length }) : t('listNone');
    if (r.review_due) msg += ' ' + t('listDue', { n: r.review_due });
    $('list-status-msg').textContent = msg;
  }

  function loadAll() {
    return L.api('GET', '/api/v1/kb/articles?status=all').then(function (r) {
      all = r.articles;
      // no published article: the bot answers nothing; say so, and what to do
      $('kb-empty').hidden = all.some(function (a) {
        return a.status === 'published';
      });
      var sel = $('ed-translation');
      while (sel.options.length > 1) sel.remove(1);
      all.forEach(function (a) {
        if (a.status === 'published') sel.appendChild(el('option', { value: a.id, text: a.title + ' (' + a.id + ', ' + a.language + ')' }));
      });
    });
  }

  function openArticle(id, focus) {
    clear('art-error');
    clear('art-status');
    return L.api('GET', '/api/v1/kb/articles/' + encodeURIComponent(id)).then(
      function (a) {
        showArticle(a);
        history.replaceState(null, '', '#article=' + encodeURIComponent(a.id));
        if (focus) $('art-title').focus();
      },
      function (e) {
        $('article').hidden = false;
        fail('art-error', e);
      }
    );
  }

  function showArticle(a) {
    current = a;
    $('article').hidden = false;
    $('art-title').textContent = a.title;
    var dl = $('art-facts');
    dl.textContent = '';
    fact(dl, t('artId'), el('code', { text: a.id }));
    fact(dl, t('artLang'), langName(a.language));
    fact(dl, t('artStatus'), statusName(a.status));
    fact(dl, t('artVersion'), String(a.version));
    fact(dl, t('artOwner'), a.owner_name || a.owner || t('none'));
    var review = el('span', null, [date(a.review_by)]);
    if (a.review_due) review.appendChild(el('span', { class: 'kb-due', text: ' ' + t('due') }));
    fact(dl, t('artReview'), review);
    if (a.url && /^https?:\/\//i.test(a.url)) fact(dl, t('artUrl'), el('a', { href: a.url, rel: 'noopener noreferrer', target: '_blank', text: a.url }));
    if (a.tags && a.tags.length) fact(dl, t('artTags'), a.tags.join(', '));
    if (a.translations && a.translations.length) {
      var span = el('span');
      a.translations.forEach(function (tr, i) {
        var b = el('button', { type: 'button', class: 'link', text: tr.id + ' (' + langName(tr.language) + ')' });
        b.addEventListener('click', function () {
          openArticle(tr.id, true);
        });
        if (i) span.appendChild(document.createTextNode(', '));
        span.appendChild(b);
      });
      fact(dl, t('artTranslations'), span);
    }
    fact(dl, t('artUpdated'), dateTime(a.updated_at) + (a.updated_by_name ? ' · ' + a.updated_by_name : ''));
    var qs = $('art-questions');
    qs.textContent = '';
    a.questions.forEach(function (q) {
      qs.appendChild(el('li', { text: q }));
    });
    // Rendered by the server with cmark's safe mode (docs/kb.md, "Markdown").
    $('art-answer').innerHTML = a.answer_html || '';
    $('art-edit').hidden = a.status !== 'published';
    $('art-translate').hidden = a.status !== 'published';
    $('art-archive').hidden = a.status !== 'published';
    $('art-restore').hidden = a.status !== 'archived';
    var vb = $('ver-body');
    vb.textContent = '';
    (a.versions || []).forEach(function (v) {
      var ch = { created: 'chCreated', edited: 'chEdited', archived: 'chArchived', restored: 'chRestored', imported: 'chImported' }[v.change];
      vb.appendChild(
        el('tr', null, [
          el('td', { text: String(v.version) }),
          el('td', { text: ch ? t(ch) : v.change }),
          el('td', { text: v.changed_by_name || v.changed_by || t('byCli') }),
          el('td', { text: dateTime(v.changed_at) }),
          el('td', { text: v.title }),
        ])
      );
    });
  }

  function setArchived(archive) {
    if (!current) return;
    if (archive && !window.confirm(t('artConfirmArchive'))) return;
    clear('art-error');
    L.api('POST', '/api/v1/kb/articles/' + encodeURIComponent(current.id) + (archive ? '/archive' : '/restore')).then(
      function (a) {
        showArticle(a);
        $('art-status').textContent = archive ? t('artArchived') : t('artRestored');
        loadList();
        loadAll();
      },
      function (e) {
        fail('art-error', e);
      }
    );
  }

  // ---- drafts -------------------------------------------------------------------------

  function loadDrafts() {
    clear('drafts-error');
    return L.api('GET', '/api/v1/kb/drafts').then(
      function (r) {
        var body = $('drafts-body');
        body.textContent = '';
        r.drafts.forEach(function (d) {
          var title = d.title || t('none');
          var cell = manager ? el('button', { type: 'button', class: 'link', text: title, 'data-draft': d.id }) : el('span', { text: title });
          if (manager)
            cell.addEventListener('click', function () {
              openDraft(d.id);
            });
          var src = { editor: 'srcEditor', gap_report: 'srcGap', import: 'srcImport' }[d.source];
          body.appendChild(
            el('tr', null, [
              el('td', null, [cell]),
              el('td', { text: d.kind === 'edit' ? t('kindEdit', { id: d.article_id }) : t('kindNew') }),
              el('td', { text: src ? t(src) : d.source || t('none') }),
              el('td', { text: langName(d.language) }),
              el('td', { text: dateTime(d.updated_at) + (d.created_by_name ? ' · ' + d.created_by_name : '') }),
            ])
          );
        });
        $('drafts-table').hidden = r.drafts.length === 0;
        $('drafts-empty').hidden = r.drafts.length !== 0;
      },
      function (e) {
        fail('drafts-error', e);
      }
    );
  }

  function loadTeam() {
    return L.api('GET', '/api/v1/agent/users').then(function (r) {
      var sel = $('ed-owner');
      (r.users || []).forEach(function (u) {
        sel.appendChild(el('option', { value: u.id, text: u.display_name }));
      });
    });
  }

  function openDraft(id) {
    clear('ed-error');
    return L.api('GET', '/api/v1/kb/drafts/' + encodeURIComponent(id)).then(
      function (d) {
        fillEditor(d, '');
      },
      function (e) {
        $('editor').hidden = false;
        fail('ed-error', e);
      }
    );
  }

  // Shows the editor with draft d (null: a new article; translating: the id
  // of the article a new draft translates).
  function fillEditor(d, translating) {
    draft = d;
    translationOf = d ? '' : translating || '';
    previewed = null;
    $('preview').hidden = true;
    $('editor').hidden = false;
    clear('ed-status');
    clear('ed-error');
    var f = $('ed-form');
    f.reset();
    var src = translating && all.filter(function (a) {
      return a.id === translating;
    })[0];
    if (d) {
      $('ed-title').textContent = t('edDraft', { title: d.title || t('none') });
      $('ed-context').textContent =
        d.kind === 'edit' ? t('edContextEdit', { id: d.article_id }) : d.source === 'gap_report' ? t('edContextGap') : t('edContextNew');
      $('ed-titlefield').value = d.title || '';
      $('ed-lang').value = d.language || 'nl';
      $('ed-id').value = d.new_id || '';
      $('ed-questions').value = (d.questions || []).join('\n');
      $('ed-answer').value = d.answer || '';
      $('ed-url').value = d.url || '';
      $('ed-tags').value = (d.tags || []).join(', ');
      $('ed-owner').value = d.owner || '';
      $('ed-review').value = d.review_by ? d.review_by.slice(0, 10) : '';
      history.replaceState(null, '', '#draft=' + encodeURIComponent(d.id));
    } else {
      $('ed-title').textContent = translating ? t('edNewTranslation') : t('edNew');
      $('ed-context').textContent = t('edContextNew');
      if (src) {
        $('ed-lang').value = src.language === 'nl' ? 'en' : 'nl';
        $('ed-translation').value = src.id;
        $('ed-tags').value = (src.tags || []).join(', ');
        $('ed-url').value = src.url || '';
      }
      history.replaceState(null, '', '#new');
    }
    var isNew = !d;
    var isNewArticle = !d || d.kind !== 'edit';
    $('ed-id-row').hidden = !isNewArticle;
    $('ed-translation-row').hidden = !isNew;
    $('ed-discard').hidden = isNew;
    $('ed-title').focus();
  }

  function closeEditor() {
    $('editor').hidden = true;
    draft = null;
    history.replaceState(null, '', current ? '#article=' + encodeURIComponent(current.id) : '#');
  }

  function lines(s) {
    return s
      .split('\n')
      .map(function (x) {
        return x.trim();
      })
      .filter(Boolean);
  }

  function editorBody() {
    var body = {
      title: $('ed-titlefield').value.trim(),
      language: $('ed-lang').value,
      questions: lines($('ed-questions').value),
      answer: $('ed-answer').value,
      url: $('ed-url').value.trim() || null,
      tags: $('ed-tags')
        .value.split(',')
        .map(function (x) {
          return x.trim();
        })
        .filter(Boolean),
      owner: $('ed-owner').value || null,
      review_by: $('ed-review').value || null,
    };
    var isNewArticle = !draft || draft.kind !== 'edit';
    if (isNewArticle && $('ed-id').value.trim()) body.id = $('ed-id').value.trim();
    if (!draft && $('ed-translation').value) body.translation_of = $('ed-translation').value;
    return body;
  }

  // Saves the editor's content; resolves to the saved draft.
  function save() {
    clear('ed-error');
    var body = editorBody();
    if (!body.title) {
      $('ed-error').textContent = t('edNeedTitle');
      $('ed-titlefield').focus();
      return Promise.reject(null);
    }
    if (!body.questions.length) {
      $('ed-error').textContent = t('edNeedQuestions');
      $('ed-questions').focus();
      return Promise.reject(null);
    }
    var req = draft
      ? L.api('PUT', '/api/v1/kb/drafts/' + encodeURIComponent(draft.id), body)
      : L.api('POST', '/api/v1/kb/drafts', body);
    return req.then(
      function (d) {
        draft = d;
        $('ed-title').textContent = t('edDraft', { title: d.title });
        $('ed-translation-row').hidden = true;
        $('ed-discard').hidden = false;
        if (d.new_id) $('ed-id').value = d.new_id;
        history.replaceState(null, '', '#draft=' + encodeURIComponent(d.id));
        loadDrafts();
        return d;
      },
      function (e) {
        fail('ed-error', e);
        throw null;
      }
    );
  }

  function onSave(ev) {
    ev.preventDefault();
    save().then(
      function () {
        $('ed-status').textContent = t('edSaved');
      },
      function () {}
    );
  }

  function showPreview(r) {
    $('preview').hidden = false;
    var n = r.changes_total !== undefined ? r.changes_total : r.changes.length;
    var summary = n ? t('pvSummary', { checked: r.checked, n: n }) : t('pvNoChange', { checked: r.checked });
    if (n && r.summary && r.summary.offered) summary += ' ' + t('pvOffered', { n: r.summary.offered });
    if (n > r.changes.length) summary += ' ' + t('pvMore', { shown: r.changes.length, total: n });
    var cal = r.calibration;
    if (cal && cal.current && cal.candidate && cal.current.calibrated && cal.candidate.calibrated) {
      summary +=
        ' ' +
        t('pvCalib', {
          from: pct(cal.current.threshold),
          to: pct(cal.candidate.threshold),
          bFrom: pct(cal.current.risk_bound),
          bTo: pct(cal.candidate.risk_bound),
          pFrom: pct(cal.current.precision),
          pTo: pct(cal.candidate.precision),
          cFrom: pct(cal.current.coverage),
          cTo: pct(cal.candidate.coverage),
        });
    }
    $('pv-summary').textContent = summary;
    var body = $('pv-body');
    body.textContent = '';
    function verdict(v) {
      if (v.decision === 'answer') return t('pvAnswer', { article: v.article_id, pct: pct(v.confidence) });
      if (v.decision === 'choice' && v.choices) return t('pvChoice', { articles: v.choices.join(', '), pct: pct(v.confidence) });
      return t('pvDecline', { pct: pct(v.confidence) });
    }
    function verdictClass(v) {
      return v.decision === 'answer' ? '' : v.decision === 'choice' ? 'kb-choice' : 'kb-no';
    }
    r.changes.forEach(function (c) {
      body.appendChild(
        el('tr', null, [
          el('td', { text: c.question }),
          el('td', { text: langName(c.language) }),
          el('td', { class: verdictClass(c.from), text: verdict(c.from) }),
          el('td', { class: verdictClass(c.to), text: verdict(c.to) }),
        ])
      );
    });
    $('pv-table').hidden = r.changes.length === 0;
  }

  function onPreview() {
    $('preview').hidden = true;
    save().then(
      function (d) {
        $('ed-status').textContent = t('edChecking');
        $('ed-preview').disabled = true;
        return L.api('POST', '/api/v1/kb/drafts/' + encodeURIComponent(d.id) + '/preview').then(
          function (r) {
            $('ed-preview').disabled = false;
            clear('ed-status');
            previewed = d.updated_at;
            showPreview(r);
            $('pv-title').focus();
          },
          function (e) {
            $('ed-preview').disabled = false;
            clear('ed-status');
            fail('ed-error', e);
          }
        );
      },
      function () {}
    );
  }

  function onPublish() {
    if (!draft || previewed !== draft.updated_at) {
      $('ed-error').textContent = t('pvStale');
      return;
    }
    clear('ed-error');
    $('pv-publish').disabled = true;
    L.api('POST', '/api/v1/kb/drafts/' + encodeURIComponent(draft.id) + '/publish').then(
      function (r) {
        $('pv-publish').disabled = false;
        closeEditor();
        showArticle(r.article);
        history.replaceState(null, '', '#article=' + encodeURIComponent(r.article.id));
        $('art-status').textContent = t('pvPublished', { version: r.article.version });
        $('art-title').focus();
        loadList();
        loadDrafts();
        loadAll();
      },
      function (e) {
        $('pv-publish').disabled = false;
        fail('ed-error', e);
      }
    );
  }

  function onDiscard() {
    if (!draft || !window.confirm(t('edConfirmDiscard'))) return;
    L.api('DELETE', '/api/v1/kb/drafts/' + encodeURIComponent(draft.id)).then(
      function () {
        closeEditor();
        $('list-status-msg').textContent = t('edDiscarded');
        loadDrafts();
      },
      function (e) {
        fail('ed-error', e);
      }
    );
  }

  function onEdit() {
    if (!current) return;
    clear('art-error');
    L.api('POST', '/api/v1/kb/drafts', { article_id: current.id }).then(
      function (d) {
        fillEditor(d, '');
        loadDrafts();
      },
      function (e) {
        fail('art-error', e);
      }
    );
  }

  // ---- start ----------------------------------------------------------------------------

  function route() {
    var h = decodeURIComponent(location.hash.replace(/^#/, ''));
    if (h.indexOf('article=') === 0) openArticle(h.slice(8), true);
    else if (manager && h.indexOf('draft=') === 0) openDraft(h.slice(6));
    else if (manager && h === 'new') fillEditor(null, '');
  }

  L.start({ roles: ['agent', 'supervisor', 'admin'], page: 'knowledge' }).then(function (u) {
    user = u;
    manager = user.role === 'supervisor' || user.role === 'admin';
    document.querySelectorAll('.kb-manager').forEach(function (n) {
      n.hidden = !manager;
    });
    $('try-form').addEventListener('submit', tryBot);
    $('list-form').addEventListener('submit', loadList);
    $('list-lang').addEventListener('change', loadList);
    $('list-status').addEventListener('change', loadList);
    $('new-article').addEventListener('click', function () {
      fillEditor(null, '');
    });
    $('art-edit').addEventListener('click', onEdit);
    $('art-translate').addEventListener('click', function () {
      if (current) fillEditor(null, current.id);
    });
    $('art-archive').addEventListener('click', function () {
      setArchived(true);
    });
    $('art-restore').addEventListener('click', function () {
      setArchived(false);
    });
    $('ed-form').addEventListener('submit', onSave);
    $('ed-form').addEventListener('input', function () {
      $('preview').hidden = true;
      previewed = null;
    });
    $('ed-preview').addEventListener('click', onPreview);
    $('pv-publish').addEventListener('click', onPublish);
    $('ed-discard').addEventListener('click', onDiscard);
    $('ed-close').addEventListener('click', closeEditor);
    var ready = [loadList(), loadDrafts(), loadAll()];
    if (manager) ready.push(loadTeam());
    if (manager && L.labelledQuestions) L.labelledQuestions(); // knowledge-labelled.js
    Promise.all(ready).then(route, route);
  });
});
