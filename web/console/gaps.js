/*
 * loket console: "Gaps and review", for supervisors and admins
 * (docs/gaps.md).
 *
 * - The accuracy of the bot's answers: the share reviewed right in the last
 *   30 days, with the count, and the answering threshold (current,
 *   recommended from the reviews, reviews still needed)
 *   (GET /api/v1/kb/reviews).
 * - The newest answers nobody reviewed yet, each with Right / Wrong
 *   (GET /api/v1/kb/reviews/queue; POST /api/v1/agent/conversations/ID/
 *   messages/MID/review); the figure updates after each mark. An answer
 *   marked right stays with a button that keeps its question for good as a
 *   labelled question of its article (POST /api/v1/kb/labelled?source=review):
 *   a mark goes with its conversation's retention, a labelled question stays.
 * - The gap report: questions the bot declined or handed over, grouped into
 *   topics, filtered by dates and language (GET /api/v1/kb/gaps); each topic
 *   becomes a draft article with one click (POST /api/v1/kb/gaps/ID/draft),
 *   then links to the knowledge page to write its answer.
 *
 * Everything from the server goes into the page with textContent.
 */
loket.page(function (L, $, el, t) {
  'use strict';

  L.strings({
    nl: {
      gapTitle: 'Hiaten en beoordeling',
      gapIntro:
        'Wat klanten vragen dat de digitale assistent niet kon beantwoorden, en hoe goed de antwoorden zijn die hij wel gaf.',
      accTitle: 'Juiste antwoorden',
      accIntro:
        'Medewerkers en teamleiders beoordelen antwoorden van de assistent als goed of fout. Dit is het aandeel goede antwoorden onder de beoordeelde van de laatste 30 dagen.',
      accFigure: '{pct}% goed',
      accCount: '{right} van {reviewed} beoordeelde antwoorden goed, {wrong} fout.',
      accNone: 'Nog geen antwoorden beoordeeld.',
      thCurrent: 'Antwoordt vanaf zekerheid',
      thRecommended: 'Aanbevolen op grond van de beoordelingen',
      thState: 'Drempel aanpassen',
      thNeeded: 'Nog {n} beoordelingen nodig voordat de drempel kan veranderen.',
      thApply: 'Bij de volgende publicatie van de kennisbank.',
      thSame: 'Niet nodig: de drempel klopt met de beoordelingen.',
      rqTitle: 'Antwoorden om te beoordelen',
      rqIntro: 'De nieuwste antwoorden die nog niemand beoordeelde. Persoonsgegevens in de vragen zijn weggelaten.',
      rqNoQuestion: '(geen vraag gevonden)',
      rqAnswer: 'Antwoord uit “{title}” met {pct}% zekerheid',
      rqShowAnswer: 'Het antwoord lezen',
      rqRight: 'Goed',
      rqWrong: 'Fout',
      rqMarkedRight: 'Beoordeeld als goed.',
      rqMarkedWrong: 'Beoordeeld als fout.',
      rqEmpty: 'Er zijn geen antwoorden om te beoordelen.',
      rqKeep: 'Bewaren als gelabelde vraag',
      rqKept: 'De vraag is bewaard als gelabelde vraag bij “{title}”. Deze vraag telt mee vanaf de volgende publicatie of import van de kennisbank.',
      rqKeptShort: 'Bewaard als gelabelde vraag.',
      gpTitle: 'Vragen zonder antwoord',
      gpIntro:
        'Vragen die de assistent niet kon beantwoorden of die naar een medewerker gingen, gegroepeerd per onderwerp: de grootste en nieuwste eerst. Maak van een onderwerp een conceptartikel en schrijf het antwoord in de kennisbank.',
      gpLang: 'Taal',
      gpLangAll: 'Alle talen',
      gpLangNl: 'Nederlands',
      gpLangEn: 'Engels',
      gpShow: 'Tonen',
      gpCount: '{topics} onderwerpen uit {questions} vragen.',
      gpEmpty: 'Geen vragen zonder antwoord in deze periode.',
      gpLoading: 'Bezig met laden…',
      gpMeta: '{count} vragen · laatst {newest} · {languages}',
      gpSplit: '{declined} niet beantwoord, {handoff} naar een medewerker',
      gpExamples: 'Voorbeelden',
      gpDraft: 'Maak conceptartikel',
      gpDraftMade: 'Conceptartikel “{title}” gemaakt.',
      gpOpenDraft: 'Conceptartikel openen in de kennisbank',
      gpGone: 'Dit onderwerp staat niet meer in het overzicht. Het overzicht is vernieuwd.',
      badRange: 'De einddatum moet na de begindatum liggen.',
      langNames: 'nl=Nederlands,en=Engels',
    },
    en: {
      gapTitle: 'Gaps and review',
      gapIntro: 'What customers ask that the automated assistant could not answer, and how good the answers are that it did give.',
      accTitle: 'Right answers',
      accIntro:
        'Agents and team leads review the assistant’s answers as right or wrong. This is the share of right answers among those reviewed in the last 30 days.',
      accFigure: '{pct}% right',
      accCount: '{right} of {reviewed} reviewed answers right, {wrong} wrong.',
      accNone: 'No answers reviewed yet.',
      thCurrent: 'Answers from a confidence of',
      thRecommended: 'Recommended by the reviews',
      thState: 'Changing the threshold',
      thNeeded: '{n} more reviews needed before the threshold can change.',
      thApply: 'On the next publish of the knowledge base.',
      thSame: 'Not needed: the threshold agrees with the reviews.',
      rqTitle: 'Answers to review',
      rqIntro: 'The newest answers nobody has reviewed yet. Personal data in the questions is left out.',
      rqNoQuestion: '(no question found)',
      rqAnswer: 'Answer from “{title}” with {pct}% confidence',
      rqShowAnswer: 'Read the answer',
      rqRight: 'Right',
      rqWrong: 'Wrong',
      rqMarkedRight: 'Reviewed as right.',
      rqMarkedWrong: 'Reviewed as wrong.',
      rqEmpty: 'There are no answers to review.',
      rqKeep: 'Keep as labelled question',
      rqKept: 'The question is kept as a labelled question for “{title}”. It counts from the next publish or import of the knowledge base.',
      rqKeptShort: 'Kept as labelled question.',
      gpTitle: 'Questions without an answer',
      gpIntro:
        'Questions the assistant could not answer or that went to a person, grouped by topic: largest and newest first. Turn a topic into a draft article and write its answer in the knowledge base.',
      gpLang: 'Language',
      gpLangAll: 'All languages',
      gpLangNl: 'Dutch',
      gpLangEn: 'English',
      gpShow: 'Show',
      gpCount: '{topics} topics from {questions} questions.',
      gpEmpty: 'No unanswered questions in this period.',
      gpLoading: 'Loading…',
      gpMeta: '{count} questions · last {newest} · {languages}',
      gpSplit: '{declined} not answered, {handoff} to a person',
      gpExamples: 'Examples',
      gpDraft: 'Create draft article',
      gpDraftMade: 'Draft article “{title}” created.',
      gpOpenDraft: 'Open the draft article in the knowledge base',
      gpGone: 'This topic is no longer in the report. The report was reloaded.',
      badRange: 'The end date must come after the start date.',
      langNames: 'nl=Dutch,en=English',
    },
  });

  var locale = L.lang === 'nl' ? 'nl-NL' : 'en-GB';
  var range = {}; // the filters the shown report was made with

  function pct(x) {
    return Math.round(x * 100);
  }

  function when(iso) {
    if (!iso) return '';
    try {
      return new Date(iso).toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' });
    } catch (e) {
      return iso;
    }
  }

  function langName(code) {
    var names = {};
    t('langNames')
      .split(',')
      .forEach(function (p) {
        var kv = p.split('=');
        names[kv[0]] = kv[1];
      });
    return names[code] || code;
  }

  function failed(id, e) {
    $(id).textContent = e && e.message ? e.message : String(e);
  }

  // ---- accuracy and threshold ------------------------------------------------

  function fact(dl, term, value) {
    dl.appendChild(el('dt', { text: term }));
    dl.appendChild(el('dd', { text: value }));
  }

  function loadSummary() {
    return L.api('GET', '/api/v1/kb/reviews').then(
      function (s) {
        $('acc-error').textContent = '';
        if (s.reviewed > 0) {
          $('acc-figure').textContent = t('accFigure', { pct: pct(s.accuracy) });
          $('acc-count').textContent = t('accCount', { right: s.right, reviewed: s.reviewed, wrong: s.wrong });
        } else {
          $('acc-figure').textContent = '–';
          $('acc-count').textContent = t('accNone');
        }
        var th = s.threshold || {};
        var dl = $('acc-threshold');
        dl.textContent = '';
        fact(dl, t('thCurrent'), pct(th.current) + '%');
        fact(dl, t('thRecommended'), pct(th.recommended) + '%');
        var state = th.reviews_needed > 0 ? t('thNeeded', { n: th.reviews_needed }) : th.recommended !== th.current ? t('thApply') : t('thSame');
        fact(dl, t('thState'), state);
      },
      function (e) {
        failed('acc-error', e);
      }
    );
  }

  // ---- the review queue -------------------------------------------------------------

  var seq = 0;
  var canKeep = false; // labelled questions are for team leads and admins (the API refuses agents)

  function reviewItem(a) {
    var n = ++seq;
    var qid = 'rq-q-' + n;
    var li = el('li', { class: 'gap-item' });
    li.appendChild(el('h3', { id: qid, class: 'gap-q', text: a.question || t('rqNoQuestion') }));
    li.appendChild(
      el('p', { class: 'muted', text: t('rqAnswer', { title: a.title || a.article_id, pct: a.confidence === null ? '?' : pct(a.confidence) }) })
    );
    li.appendChild(el('details', { class: 'gap-answer' }, [el('summary', { text: t('rqShowAnswer') }), el('p', { text: a.answer })]));
    var right = el('button', { type: 'button', class: 'ghost rv-right', 'aria-describedby': qid, text: t('rqRight') });
    var wrong = el('button', { type: 'button', class: 'ghost rv-wrong', 'aria-describedby': qid, text: t('rqWrong') });
    var buttons = el('p', { class: 'acc-buttons' }, [right, wrong]);
    // After a right mark: the question (if there is one) can be kept as a
    // labelled question of the answer's article. A wrong mark has no article
    // to label it with here (the queue does not ask for the right one), so it
    // leaves the queue as before.
    function offerKeep() {
      li.classList.add('rq-marked');
      var keep = el('button', { type: 'button', class: 'ghost rv-keep', 'aria-describedby': qid, text: t('rqKeep') });
      buttons.textContent = '';
      buttons.appendChild(keep);
      keep.addEventListener('click', function () {
        keep.disabled = true;
        L.api('POST', '/api/v1/kb/labelled?source=review', { text: a.question, label: a.article_id }).then(
          function () {
            $('rq-error').textContent = '';
            buttons.textContent = '';
            buttons.appendChild(el('span', { class: 'muted', text: t('rqKeptShort') }));
            $('rq-status').textContent = t('rqKept', { title: a.title || a.article_id });
            var next = $('rq-list').querySelector('li:not(.rq-marked) button');
            if (next) next.focus();
            else $('rq-title').focus();
          },
          function (e) {
            keep.disabled = false;
            failed('rq-error', e);
          }
        );
      });
      return keep;
    }
    function mark(verdict) {
      right.disabled = wrong.disabled = true;
      var path = '/api/v1/agent/conversations/' + encodeURIComponent(a.conversation_id) + '/messages/' + encodeURIComponent(a.message_id) + '/review';
      L.api('POST', path, { verdict: verdict }).then(
        function () {
          $('rq-error').textContent = '';
          var keepable = verdict === 'right' && a.question && a.article_id && canKeep;
          var focus;
          if (keepable) {
            focus = offerKeep();
          } else {
            var next = li.nextElementSibling || li.previousElementSibling;
            li.remove();
            focus = next && next.querySelector('button');
          }
          $('rq-status').textContent = t(verdict === 'right' ? 'rqMarkedRight' : 'rqMarkedWrong');
          if (focus) focus.focus();
          else $('rq-title').focus();
          if (!$('rq-list').querySelector('li:not(.rq-marked)')) loadQueue();
          loadSummary();
        },
        function (e) {
          right.disabled = wrong.disabled = false;
          failed('rq-error', e);
        }
      );
    }
    right.addEventListener('click', function () {
      mark('right');
    });
    wrong.addEventListener('click', function () {
      mark('wrong');
    });
    li.appendChild(buttons);
    return li;
  }

  // Fills the list <prefix>-list with item(x) for each x of xs (hidden when
  // there are none) and clears the error <prefix>-error.
  function fillList(prefix, xs, item) {
    var list = $(prefix + '-list');
    list.textContent = '';
    $(prefix + '-error').textContent = '';
    xs.forEach(function (x) {
      list.appendChild(item(x));
    });
    list.hidden = xs.length === 0;
  }

  // Reloads the unreviewed answers; answers marked right stay above them
  // with their keep button.
  function loadQueue() {
    return L.api('GET', '/api/v1/kb/reviews/queue?limit=10').then(
      function (r) {
        // the marked ones are not taken out, so a focused keep button keeps its focus
        var list = $('rq-list');
        Array.prototype.slice.call(list.querySelectorAll('li:not(.rq-marked)')).forEach(function (li) {
          li.remove();
        });
        $('rq-error').textContent = '';
        r.answers.forEach(function (x) {
          list.appendChild(reviewItem(x));
        });
        list.hidden = list.children.length === 0;
        if (!r.answers.length) $('rq-status').textContent = t('rqEmpty');
      },
      function (e) {
        failed('rq-error', e);
      }
    );
  }

  // ---- the gap report ---------------------------------------------------------------

  function topicItem(tp) {
    var n = ++seq;
    var hid = 'gp-t-' + n;
    var li = el('li', { class: 'gap-item' });
    li.appendChild(el('h3', { id: hid, class: 'gap-q', text: tp.label }));
    li.appendChild(
      el('p', {
        class: 'muted',
        text:
          t('gpMeta', { count: tp.count, newest: when(tp.newest_at), languages: tp.languages.map(langName).join(', ') }) +
          ' · ' +
          t('gpSplit', { declined: tp.declined, handoff: tp.handoff }),
      })
    );
    var ex = el('ul', { class: 'gap-examples', 'aria-label': t('gpExamples') });
    tp.examples.forEach(function (q) {
      ex.appendChild(el('li', { text: q }));
    });
    li.appendChild(ex);
    var btn = el('button', { type: 'button', class: 'primary', 'aria-describedby': hid, text: t('gpDraft') });
    var out = el('p', { class: 'acc-buttons' }, [btn]);
    btn.addEventListener('click', function () {
      btn.disabled = true;
      L.api('POST', '/api/v1/kb/gaps/' + encodeURIComponent(tp.id) + '/draft', range).then(
        function (d) {
          $('gp-error').textContent = '';
          var link = el('a', { href: '/console/knowledge.html#draft=' + encodeURIComponent(d.id), 'aria-describedby': hid, text: t('gpOpenDraft') });
          out.textContent = '';
          out.appendChild(link);
          $('gp-status').textContent = t('gpDraftMade', { title: d.title });
          link.focus();
        },
        function (e) {
          btn.disabled = false;
          if (e.status === 404) {
            loadGaps().then(function () {
              $('gp-status').textContent = t('gpGone');
            });
          } else {
            failed('gp-error', e);
          }
        }
      );
    });
    li.appendChild(out);
    return li;
  }

  function query(o) {
    var parts = [];
    Object.keys(o).forEach(function (k) {
      if (o[k]) parts.push(encodeURIComponent(k) + '=' + encodeURIComponent(o[k]));
    });
    return parts.length ? '?' + parts.join('&') : '';
  }

  function loadGaps() {
    var f = $('gp-form');
    var want = { from: f.from.value, to: f.to.value, language: f.language.value };
    if (want.from && want.to && want.to < want.from) {
      $('gp-error').textContent = t('badRange');
      return Promise.resolve();
    }
    $('gp-status').textContent = t('gpLoading');
    return L.api('GET', '/api/v1/kb/gaps' + query(want)).then(
      function (r) {
        range = {};
        Object.keys(want).forEach(function (k) {
          if (want[k]) range[k] = want[k];
        });
        fillList('gp', r.topics, topicItem);
        $('gp-status').textContent = r.topics.length ? t('gpCount', { topics: r.topic_count, questions: r.questions }) : t('gpEmpty');
      },
      function (e) {
        $('gp-status').textContent = '';
        failed('gp-error', e);
      }
    );
  }

  L.start({ roles: ['supervisor', 'admin'], page: 'gaps' }).then(function (user) {
    canKeep = !!user && (user.role === 'supervisor' || user.role === 'admin');
    $('rq-title').setAttribute('tabindex', '-1');
    $('gp-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      loadGaps();
    });
    loadSummary();
    loadQueue();
    loadGaps();
  });
});
