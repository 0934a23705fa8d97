/*
 * loket console: "Privacy and audit", for admins (docs/privacy.md).
 *
 * A customer's request about their data: download everything loket holds
 * about them as one JSON file (POST /api/v1/admin/privacy/export), or erase
 * it for good after a confirm step on the page itself (POST .../erase with
 * "confirm": true). The retention settings with the last purge and what is
 * due now (GET .../retention). The audit log with filters, newest first,
 * page by page (GET /api/v1/admin/audit).
 *
 * Everything from the server goes into the page with textContent.
 */
loket.page(function (L, $, el, t) {
  'use strict';

  L.strings({
    nl: {
      admTitle: 'Privacy en audit',
      admIntro: 'Verzoeken van klanten over hun gegevens, de bewaartermijnen en wie wat heeft ingezien of veranderd.',
      dsrTitle: 'Verzoek van een klant',
      dsrIntro:
        'Zoek een klant op het e-mailadres, het telefoonnummer of het klantnummer: wat de website van de winkel aan loket doorgaf, of wat de klant zelf in een gesprek typte. Inzage geeft alle gegevens als JSON-bestand; wissen verwijdert ze voorgoed.',
      dsrEmail: 'E-mailadres van de klant',
      dsrPhone: 'Telefoonnummer van de klant',
      dsrExternal: 'Klantnummer (extern id)',
      dsrExport: 'Gegevens downloaden (JSON)',
      dsrErase: 'Klant wissen…',
      dsrNeedKey: 'Vul een e-mailadres, een telefoonnummer of een klantnummer in.',
      dsrBadEmail: 'Dat is geen e-mailadres.',
      dsrExported:
        'Gedownload: {conversations} gesprekken, {messages} berichten, {callbacks} terugbelverzoeken (verzoek {id}).',
      dsrExportedNone: 'Over deze klant staat niets in loket. Het (lege) bestand is gedownload (verzoek {id}).',
      eraseTitle: 'Weet je het zeker?',
      eraseWho: 'Je gaat alle gegevens wissen van: {who}.',
      eraseWarn:
        'Alle gesprekken van deze klant, met berichten, notities, terugbelverzoeken, beoordelingen en feedback, worden definitief verwijderd. Dit kan niet ongedaan worden gemaakt. Het auditlog houdt alleen bij dat er gewist is, en hoeveel.',
      eraseSure: 'Ik begrijp dat dit niet ongedaan kan worden',
      eraseTick: 'Vink eerst aan dat je begrijpt dat dit niet ongedaan kan worden.',
      eraseGo: 'Definitief wissen',
      eraseCancel: 'Annuleren',
      erased: 'Gewist: {conversations} gesprekken, {messages} berichten, {callbacks} terugbelverzoeken (verzoek {id}).',
      erasedNone: 'Er stond niets over deze klant in loket; er is niets gewist (verzoek {id}).',
      retTitle: 'Bewaartermijnen',
      retIntro:
        'loket verwijdert gegevens vanzelf als hun bewaartermijn voorbij is: bij de start en daarna elk uur. Open gesprekken en open terugbelverzoeken blijven staan. De termijnen stel je in met de opties retention_days, callback_retention_days en audit_retention_days.',
      retConv: 'Gesloten gesprekken',
      retCallbacks: 'Afgehandelde terugbelverzoeken',
      retAudit: 'Auditlog',
      retDays: '{n} dagen',
      retForever: 'voor altijd bewaard',
      retLast: 'Laatste opruiming',
      retLastText: '{at}: {conversations} gesprekken, {messages} berichten, {callbacks} terugbelverzoeken, {audit} auditrecords verwijderd',
      retNever: 'nog niet',
      retDue: 'Nu aan de beurt',
      retDueText: '{conversations} gesprekken, {callbacks} terugbelverzoeken, {audit} auditrecords',
      audTitle: 'Auditlog',
      audIntro:
        'Wie wat heeft ingezien of veranderd, nieuwste eerst. Het auditlog bevat geen gegevens van klanten, alleen wie, wat en wanneer.',
      audActor: 'Wie (e-mailadres of id)',
      audAction: 'Actie',
      audActionHint: 'Bijvoorbeeld conversation.view, of privacy. voor alle privacyacties.',
      audConv: 'Gesprek (id)',
      audSearch: 'Zoeken',
      audReset: 'Filters leegmaken',
      audCaption: 'Auditrecords, nieuwste eerst',
      audMore: 'Meer laden',
      audCount: '{n} records getoond.',
      audNone: 'Geen records gevonden.',
      colAt: 'Tijd',
      colActor: 'Wie',
      colAction: 'Actie',
      colConv: 'Gesprek',
      colDetail: 'Details',
      actorSystem: 'loket (automatisch)',
      actorCli: 'opdrachtregel',
      actorCustomer: 'klant',
      failed: 'Dat lukte niet: {msg}',
      forbidden: 'Alleen beheerders mogen dit.',
    },
    en: {
      admTitle: 'Privacy and audit',
      admIntro: "Customers' requests about their data, the retention periods, and who viewed or changed what.",
      dsrTitle: "A customer's request",
      dsrIntro:
        "Find a customer by e-mail address, phone number or customer number: what the shop's web site passed to loket, or what the customer typed in a conversation. Access gives all their data as a JSON file; erasing deletes it for good.",
      dsrEmail: "Customer's e-mail address",
      dsrPhone: "Customer's phone number",
      dsrExternal: 'Customer number (external id)',
      dsrExport: 'Download data (JSON)',
      dsrErase: 'Erase customer…',
      dsrNeedKey: 'Enter an e-mail address, a phone number or a customer number.',
      dsrBadEmail: 'That is not an e-mail address.',
      dsrExported: 'Downloaded: {conversations} conversations, {messages} messages, {callbacks} call-back requests (request {id}).',
      dsrExportedNone: 'loket holds nothing about this customer. The (empty) file was downloaded (request {id}).',
      eraseTitle: 'Are you sure?',
      eraseWho: 'You are about to erase all data of: {who}.',
      eraseWarn:
        "All of this customer's conversations, with their messages, notes, call-back requests, ratings and feedback, are deleted for good. This cannot be undone. The audit log only records that an erasure happened, and how much it removed.",
      eraseSure: 'I understand that this cannot be undone',
      eraseTick: 'First tick that you understand this cannot be undone.',
      eraseGo: 'Erase for good',
      eraseCancel: 'Cancel',
      erased: 'Erased: {conversations} conversations, {messages} messages, {callbacks} call-back requests (request {id}).',
      erasedNone: 'loket held nothing about this customer; nothing was erased (request {id}).',
      retTitle: 'Retention',
      retIntro:
        'loket deletes data by itself once its retention period is over: at start and every hour after. Open conversations and open call-back requests stay. Set the periods with the options retention_days, callback_retention_days and audit_retention_days.',
      retConv: 'Closed conversations',
      retCallbacks: 'Handled call-back requests',
      retAudit: 'Audit log',
      retDays: '{n} days',
      retForever: 'kept forever',
      retLast: 'Last purge',
      retLastText: '{at}: {conversations} conversations, {messages} messages, {callbacks} call-back requests, {audit} audit records deleted',
      retNever: 'not yet',
      retDue: 'Due now',
      retDueText: '{conversations} conversations, {callbacks} call-back requests, {audit} audit records',
      audTitle: 'Audit log',
      audIntro: 'Who viewed or changed what, newest first. The audit log holds no customer data, only who, what and when.',
      audActor: 'Who (e-mail address or id)',
      audAction: 'Action',
      audActionHint: 'For example conversation.view, or privacy. for every privacy action.',
      audConv: 'Conversation (id)',
      audSearch: 'Search',
      audReset: 'Clear filters',
      audCaption: 'Audit records, newest first',
      audMore: 'Load more',
      audCount: '{n} records shown.',
      audNone: 'No records found.',
      colAt: 'Time',
      colActor: 'Who',
      colAction: 'Action',
      colConv: 'Conversation',
      colDetail: 'Details',
      actorSystem: 'loket (automatic)',
      actorCli: 'command line',
      actorCustomer: 'customer',
      failed: 'That did not work: {msg}',
      forbidden: 'Only administrators may do this.',
    },
  });

  // Actions loket records, offered as suggestions in the action filter.
  var ACTIONS = [
    'conversation.view', 'conversation.', 'privacy.', 'privacy.export', 'privacy.erase', 'privacy.purge', 'audit.read',
    'auth.login', 'auth.', 'kb.', 'user.add', 'callback.', 'canned.',
  ];

  function when(iso) {
    var d = new Date(iso);
    return isNaN(d) ? iso : d.toLocaleString(L.lang === 'nl' ? 'nl-NL' : 'en-GB');
  }

  function errText(e) {
    return e.status === 403 ? t('forbidden') : t('failed', { msg: e.message });
  }

  /* ---- a customer's request ---- */

  function subject() {
    var email = $('dsr-email').value.trim();
    var ext = $('dsr-external').value.trim();
    var phone = $('dsr-phone').value.trim();
    $('dsr-error').textContent = '';
    if (!email && !ext && !phone) {
      $('dsr-error').textContent = t('dsrNeedKey');
      $('dsr-email').focus();
      return null;
    }
    if (email && !/^[^\s@]+@[^\s@]+$/.test(email)) {
      $('dsr-error').textContent = t('dsrBadEmail');
      $('dsr-email').focus();
      return null;
    }
    var body = {};
    if (email) body.email = email;
    if (ext) body.external_id = ext;
    if (phone) body.phone = phone;
    return body;
  }

  function countsOf(c, id) {
    return { conversations: c.conversations, messages: c.messages, callbacks: c.callback_requests, id: id };
  }

  $('dsr-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var body = subject();
    if (!body) return;
    hideConfirm(false);
    $('dsr-status').textContent = '';
    var btn = $('dsr-export');
    btn.disabled = true;
    var id = 'export';
    fetch('/api/v1/admin/privacy/export', {
      method: 'POST',
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
    })
      .then(function (r) {
        id = r.headers.get('X-Loket-Request-Id') || id;
        return r.text().then(function (txt) {
          if (!r.ok) {
            var j = null;
            try {
              j = JSON.parse(txt);
            } catch (e) {
              j = null;
            }
            var err = new Error((j && j.error && j.error.message) || 'HTTP ' + r.status);
            err.status = r.status;
            throw err;
          }
          return txt;
        });
      })
      .then(
        function (txt) {
          var doc = JSON.parse(txt);
          L.download('loket-export-' + id + '.json', txt, 'application/json');
          $('dsr-status').textContent = t(doc.counts.conversations || doc.counts.callback_requests ? 'dsrExported' : 'dsrExportedNone',
            countsOf(doc.counts, id));
          reloadAuditSoon();
        },
        function (e) {
          $('dsr-error').textContent = errText(e);
        }
      )
      .then(function () {
        btn.disabled = false;
      });
  });

  var pending = null; // the subject the confirm step is about

  function hideConfirm(focusBack) {
    $('erase-confirm').hidden = true;
    $('erase-sure').checked = false;
    pending = null;
    if (focusBack) $('dsr-erase').focus();
  }

  $('dsr-erase').addEventListener('click', function () {
    var body = subject();
    if (!body) return;
    pending = body;
    $('dsr-status').textContent = '';
    var who = [body.email, body.phone, body.external_id].filter(Boolean).join(' / ');
    $('erase-what').textContent = t('eraseWho', { who: who });
    $('erase-sure').checked = false;
    $('erase-confirm').hidden = false;
    $('erase-title').focus();
  });

  $('erase-cancel').addEventListener('click', function () {
    hideConfirm(true);
  });

  $('erase-confirm').addEventListener('keydown', function (ev) {
    if (ev.key === 'Escape') hideConfirm(true);
  });

  $('erase-go').addEventListener('click', function () {
    if (!pending) return;
    if (!$('erase-sure').checked) {
      $('dsr-error').textContent = t('eraseTick');
      $('erase-sure').focus();
      return;
    }
    $('dsr-error').textContent = '';
    var body = { confirm: true };
    if (pending.email) body.email = pending.email;
    if (pending.external_id) body.external_id = pending.external_id;
    if (pending.phone) body.phone = pending.phone;
    var btn = $('erase-go');
    btn.disabled = true;
    L.api('POST', '/api/v1/admin/privacy/erase', body)
      .then(
        function (r) {
          var c = r.erased;
          $('dsr-status').textContent = t(c.conversations || c.callback_requests ? 'erased' : 'erasedNone', countsOf(c, r.request_id));
          $('dsr-email').value = '';
          $('dsr-external').value = '';
          $('dsr-phone').value = '';
          hideConfirm(false);
          $('dsr-email').focus();
          loadRetention();
          reloadAuditSoon();
        },
        function (e) {
          $('dsr-error').textContent = errText(e);
        }
      )
      .then(function () {
        btn.disabled = false;
      });
  });

  /* ---- retention ---- */

  function fact(dl, label, value) {
    dl.appendChild(el('dt', { text: label }));
    dl.appendChild(el('dd', { text: value }));
  }

  function days(n) {
    return n > 0 ? t('retDays', { n: n }) : t('retForever');
  }

  function loadRetention() {
    return L.api('GET', '/api/v1/admin/privacy/retention').then(
      function (r) {
        var dl = $('ret-facts');
        dl.textContent = '';
        fact(dl, t('retConv'), days(r.retention_days));
        fact(dl, t('retCallbacks'), days(r.callback_retention_days));
        fact(dl, t('retAudit'), days(r.audit_retention_days));
        var lp = r.last_purge;
        fact(dl, t('retLast'), lp ? t('retLastText', {
          at: when(lp.at),
          conversations: lp.deleted.conversations || 0,
          messages: lp.deleted.messages || 0,
          callbacks: lp.deleted.callback_requests || 0,
          audit: lp.deleted.audit || 0,
        }) : t('retNever'));
        fact(dl, t('retDue'), t('retDueText', {
          conversations: r.due.conversations,
          callbacks: r.due.callback_requests,
          audit: r.due.audit,
        }));
        $('ret-error').textContent = '';
      },
      function (e) {
        $('ret-error').textContent = errText(e);
      }
    );
  }

  /* ---- the audit log ---- */

  var query = {}; // the filters of the list shown

  function actorText(r) {
    if (r.actor_name) return r.actor_name;
    return { system: t('actorSystem'), cli: t('actorCli'), customer: t('actorCustomer') }[r.actor] || r.actor;
  }

  function detailText(d) {
    if (d === null || d === undefined) return '';
    if (typeof d !== 'object') return String(d);
    return Object.keys(d)
      .map(function (k) {
        var v = d[k];
        return k + ': ' + (v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v));
      })
      .join(', ');
  }

  function row(r) {
    var time = el('time', { datetime: r.at, text: when(r.at) });
    var actor = el('td', null, [actorText(r)]);
    if (r.actor_name) actor.appendChild(el('span', { class: 'muted adm-id', text: ' (' + r.actor + ')' }));
    return el('tr', null, [
      el('td', null, [time]),
      actor,
      el('td', null, [el('code', { text: r.action })]),
      el('td', null, [r.conversation_id ? el('code', { text: r.conversation_id }) : '']),
      el('td', { class: 'adm-detail', text: detailText(r.detail) }),
    ]);
  }

  function dayAfter(date) {
    var d = new Date(date + 'T00:00:00Z');
    d.setUTCDate(d.getUTCDate() + 1);
    return d.toISOString().slice(0, 10);
  }

  function readFilters() {
    var q = {};
    var from = $('period-from').value;
    var to = $('period-to').value;
    if (from) q.from = from;
    if (to) q.to = dayAfter(to); // up to and including that day
    ['actor', 'action', 'conv'].forEach(function (k) {
      var v = $('aud-' + k).value.trim();
      if (v) q[k === 'conv' ? 'conversation_id' : k] = v;
    });
    return q;
  }

  var audit = L.pagedList('aud', '/api/v1/admin/audit', 'records', row, errText);

  function loadAudit(more) {
    var q = {};
    Object.keys(query).forEach(function (k) {
      q[k] = query[k];
    });
    q.limit = 50;
    return audit(q, more);
  }

  function reloadAuditSoon() {
    loadAudit(false);
  }

  $('aud-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    query = readFilters();
    loadAudit(false);
  });
  $('aud-form').addEventListener('reset', function () {
    setTimeout(function () {
      query = {};
      loadAudit(false);
    }, 0);
  });
  $('aud-more').addEventListener('click', function () {
    loadAudit(true);
  });

  ACTIONS.forEach(function (a) {
    $('aud-actions').appendChild(el('option', { value: a }));
  });

  L.start({ roles: ['admin'], page: 'admin' }).then(function () {
    document.title = t('admTitle') + ' · loket console';
    // the security events section (secevents.js), once the user is known to be an admin
    return Promise.all([loadRetention(), loadAudit(false), window.loketSecurityEvents && window.loketSecurityEvents()]);
  });
});
