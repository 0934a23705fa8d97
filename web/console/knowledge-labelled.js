/*
 * loket console: the company's own labelled questions on the knowledge page,
 * for team leads and admins (docs/quality.md, "Labelled questions and review
 * marks"; docs/kb.md). Questions whose right article is known, or that the
 * knowledge base must not answer ("oos"), join the calibration of the
 * answering threshold from the next knowledge-base build (a publish or an
 * import).
 *
 * - How many are stored, how many of them are out of scope or stale (their
 *   article is gone), and how many the bot answering now counted
 *   (GET /api/v1/kb/labelled).
 * - Upload a JSON-lines file, the format of `loket kb labelled import`
 *   (POST /api/v1/kb/labelled?format=jsonl[&replace=true]): a bad line
 *   stores nothing, and the server's message names it.
 * - The list, page by page, each with a delete button
 *   (DELETE /api/v1/kb/labelled/ID).
 *
 * knowledge.js calls L.labelledQuestions() once it knows the user is a team
 * lead or an admin. Every text goes into the page with textContent.
 */
loket.page(function (L, $, el, t) {
  'use strict';

  L.strings({
    nl: {
      labTitle: 'Gelabelde vragen',
      labIntro:
        'Vragen waarvan je weet welk artikel het goede antwoord geeft, of dat de kennisbank ze niet hoort te beantwoorden. Ze tellen mee bij het bepalen van de drempel waarboven de bot antwoordt. De bot leert er zelf niets van.',
      labFile: 'Bestand met gelabelde vragen (JSON lines)',
      labFileHint:
        'Eén vraag per regel: {"text": "…", "label": "ARTIKEL-ID"}, of "label": "oos" voor een vraag die de kennisbank niet hoort te beantwoorden. Bevat het bestand een foute regel, dan wordt er niets opgeslagen.',
      labReplace: 'Vervang de opgeslagen vragen',
      labUpload: 'Uploaden',
      labNoFile: 'Kies eerst een bestand.',
      labUploading: 'Bezig met uploaden…',
      labUploaded:
        '{received} vragen ontvangen: {added} nieuw, {duplicates} stonden er al{removed}. Ze tellen mee vanaf de volgende publicatie of import.',
      labRemoved: ', {n} eerst verwijderd',
      labTooLarge: 'Het bestand is te groot voor de console. Importeer het op de server: loket kb labelled import BESTAND.',
      labSummary:
        '{total} gelabelde vragen, waarvan {oos} buiten de kennisbank en {stale} verouderd (het artikel bestaat niet meer). De bot telt er nu {counted} mee; wijzigingen tellen mee vanaf de volgende publicatie of import.',
      labNone: 'Er zijn nog geen gelabelde vragen.',
      labQuestion: 'Vraag',
      labLabel: 'Juist antwoord',
      labAction: 'Actie',
      labOos: 'Niet beantwoorden (buiten de kennisbank)',
      labStale: '{label} (verouderd: artikel bestaat niet meer)',
      labDelete: 'Verwijderen',
      labDeleteLabel: 'Verwijder de gelabelde vraag “{text}”',
      labDeleted: 'Verwijderd.',
      labMore: 'Meer tonen',
      labCaption: 'Gelabelde vragen',
      labSrc_import: 'bestand',
      labSrc_console: 'console',
      labSrc_review: 'beoordeling',
    },
    en: {
      labTitle: 'Labelled questions',
      labIntro:
        "Questions whose right article you know, or that the knowledge base should not answer. They count in the calibration of the threshold above which the bot answers, not in what the bot learns.",
      labFile: 'File of labelled questions (JSON lines)',
      labFileHint:
        'One question a line: {"text": "…", "label": "ARTICLE-ID"}, or "label": "oos" for a question the knowledge base should not answer. If a line is wrong, nothing is stored.',
      labReplace: 'Replace the stored questions',
      labUpload: 'Upload',
      labNoFile: 'Choose a file first.',
      labUploading: 'Uploading…',
      labUploaded:
        '{received} questions received: {added} new, {duplicates} were there already{removed}. They count from the next publish or import.',
      labRemoved: ', {n} removed first',
      labTooLarge: 'The file is too large for the console. Import it on the server: loket kb labelled import FILE.',
      labSummary:
        '{total} labelled questions, {oos} of them out of scope and {stale} stale (their article is gone). The bot counts {counted} now; changes count from the next publish or import.',
      labNone: 'There are no labelled questions yet.',
      labQuestion: 'Question',
      labLabel: 'Right answer',
      labAction: 'Action',
      labOos: 'Do not answer (out of scope)',
      labStale: '{label} (stale: the article is gone)',
      labDelete: 'Delete',
      labDeleteLabel: 'Delete the labelled question “{text}”',
      labDeleted: 'Deleted.',
      labMore: 'Show more',
      labCaption: 'Labelled questions',
      labSrc_import: 'file',
      labSrc_console: 'console',
      labSrc_review: 'review',
    },
  });

  var PAGE = 100;
  var next = null; // the id after which the next page starts
  var titles = {}; // article id -> title

  function labelText(q) {
    if (q.label === 'oos') return t('labOos');
    var name = titles[q.article_id] || q.article_id;
    return q.stale ? t('labStale', { label: name }) : name;
  }

  function row(q) {
    var del = el('button', {
      type: 'button',
      class: 'link',
      text: t('labDelete'),
      'aria-label': t('labDeleteLabel', { text: q.text.slice(0, 80) }),
    });
    var tr = el('tr', null, [
      el('th', { scope: 'row', text: q.text }),
      el('td', { text: labelText(q), class: q.stale ? 'error' : '' }),
      el('td', { text: q.language || '' }),
      el('td', { text: t('labSrc_' + q.source) }),
      el('td', null, [del]),
    ]);
    del.addEventListener('click', function () {
      remove(q, tr);
    });
    return tr;
  }

  function summary(r) {
    $('lab-summary').textContent = r.total
      ? t('labSummary', { total: r.total, oos: r.out_of_scope, stale: r.stale, counted: r.in_calibration })
      : t('labNone');
  }

  // The first page (more false, the list drawn anew) or the next one.
  function load(more) {
    $('lab-error').textContent = '';
    var q = '/api/v1/kb/labelled?limit=' + PAGE + (more && next ? '&after=' + encodeURIComponent(next) : '');
    return L.api('GET', q).then(
      function (r) {
        titles = {};
        r.by_article.forEach(function (a) {
          if (a.title) titles[a.article_id] = a.title;
        });
        summary(r);
        var body = $('lab-body');
        if (!more) body.textContent = '';
        r.questions.forEach(function (x) {
          body.appendChild(row(x));
        });
        $('lab-table').hidden = !body.children.length;
        next = r.next_after;
        $('lab-more').hidden = next === null;
      },
      function (e) {
        $('lab-error').textContent = e.message;
      }
    );
  }

  function remove(q, tr) {
    $('lab-error').textContent = '';
    L.api('DELETE', '/api/v1/kb/labelled/' + encodeURIComponent(q.id)).then(
      function () {
        tr.remove();
        $('lab-status').textContent = t('labDeleted');
        return L.api('GET', '/api/v1/kb/labelled?limit=1').then(summary);
      },
      function (e) {
        $('lab-error').textContent = e.message;
      }
    );
  }

  // The file as it is, so that the server's message names its bad line.
  function upload(ev) {
    ev.preventDefault();
    $('lab-error').textContent = '';
    $('lab-status').textContent = '';
    var f = $('lab-file').files[0];
    if (!f) {
      $('lab-error').textContent = t('labNoFile');
      $('lab-file').focus();
      return;
    }
    var replace = $('lab-replace').checked;
    $('lab-status').textContent = t('labUploading');
    f.text()
      .then(function (text) {
        return fetch('/api/v1/kb/labelled?format=jsonl' + (replace ? '&replace=true' : ''), {
          method: 'POST',
          credentials: 'same-origin',
          cache: 'no-store',
          headers: { Accept: 'application/json', 'Content-Type': 'application/x-ndjson' },
          body: text,
        });
      })
      .then(function (res) {
        return res.json().then(
          function (j) {
            if (!res.ok) {
              var e = new Error(res.status === 413 ? t('labTooLarge') : (j.error && j.error.message) || String(res.status));
              throw e;
            }
            return j;
          },
          function () {
            throw new Error(String(res.status));
          }
        );
      })
      .then(
        function (r) {
          $('lab-status').textContent = t('labUploaded', {
            received: r.received,
            added: r.added,
            duplicates: r.duplicates,
            removed: r.replace ? t('labRemoved', { n: r.removed }) : '',
          });
          $('lab-form').reset();
          return load(false);
        },
        function (e) {
          $('lab-status').textContent = '';
          $('lab-error').textContent = e.message;
        }
      );
  }

  // The list's parts are the paged-list block's (common.js): the table
  // shows once there is a question in it.
  L.labelledQuestions = function () {
    $('lab-table').hidden = true;
    $('lab-form').addEventListener('submit', upload);
    $('lab-more').addEventListener('click', function () {
      load(true);
    });
    return load(false);
  };
});
