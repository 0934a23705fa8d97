/*
 * loket console: the compliance report, for team leads and admins
 * (GET /api/v1/reports/compliance; docs/analytics.md).
 *
 * For a period (default: the last 7 days): the share of conversations that
 * open with the automated-assistant disclosure, the share of bot messages
 * marked automated, every request for a person and how fast it was met,
 * runs of two or more declines and what followed, and call-back requests
 * with their handling time. Every figure lists its conversations, each a
 * link to the console (/console/#c=ID). The report names its period, when
 * it was made and by whom, and prints cleanly (print CSS in console.css).
 */
loket.page(function (L, $, el, t) {
  'use strict';

  L.strings({
    nl: {
      compTitle: 'Verantwoording: de digitale assistent',
      compIntro:
        'Een rapport over een periode dat je aan een toezichthouder kunt geven: of klanten wisten dat ze met een computerprogramma spraken, en of ze een medewerker kregen toen ze daarom vroegen. Elk cijfer noemt de gesprekken erachter.',
      fFrom: 'Van',
      fTo: 'Tot en met',
      fTz: 'Tijdzone',
      compMake: 'Rapport maken',
      compPrint: 'Afdrukken',
      compJson: 'JSON downloaden',
      loading: 'Rapport wordt gemaakt…',
      loaded: 'Rapport gemaakt.',
      badRange: 'Kies een begindatum die niet na de einddatum ligt.',
      mPeriod: 'Periode',
      mMade: 'Gemaakt op',
      mBy: 'Door',
      mConversations: 'Gesprekken in de periode',
      periodText: '{from} tot en met {to} ({tz})',
      s1Title: '1. Melding dat de klant met een digitale assistent praat',
      s1Intro:
        'Het eerste bericht van elk gesprek hoort de begroeting te zijn die zegt dat de klant met een computerprogramma praat en altijd een medewerker kan vragen.',
      s2Title: '2. Berichten van de assistent gemarkeerd als automatisch',
      s2Intro: 'Elk bericht dat geen mens schreef (de assistent en automatische meldingen) hoort als automatisch gemarkeerd te zijn.',
      s3Title: '3. Elk verzoek om een medewerker en hoe snel het werd ingewilligd',
      s4Title: '4. Twee of meer keer achter elkaar geen antwoord, en wat volgde',
      s5Title: '5. Terugbelverzoeken buiten openingstijden en hun afhandeling',
      missingTitle: 'Gesprekken zonder die melding vooraan',
      unlabelledTitle: 'Berichten zonder markering',
      allConversations: 'Alle gesprekken in de periode',
      noneFound: 'Geen.',
      shareOf: '{n} van {total} gesprekken',
      msgsOf: '{n} van {total} berichten',
      requestsText: '{count} verzoeken; {met} ingewilligd, {unmet} niet. Wachttijd tot het eerste bericht van een medewerker: mediaan {p50}, p90 {p90}.',
      declinesText: '{count} keer.',
      callbacksText: '{count} terugbelverzoeken, waarvan {after} buiten openingstijden; {handled} afgehandeld, {open} nog open. Afhandeltijd: mediaan {p50}.',
      cConversation: 'Gesprek',
      cReason: 'Reden',
      cRequested: 'Gevraagd',
      cAssigned: 'Medewerker nam het op',
      cReplied: 'Eerste bericht medewerker',
      cWait: 'Wachttijd',
      cMet: 'Ingewilligd',
      cStatus: 'Status',
      cDeclines: 'Keer geen antwoord',
      cAt: 'Vanaf',
      cOffered: 'Medewerker aangeboden',
      cFollowed: 'Wat volgde',
      cHanded: 'Doorverbonden',
      cReached: 'Medewerker bereikt',
      cClosed: 'Gesloten',
      cAfterHours: 'Buiten openingstijden',
      cHandled: 'Afgehandeld',
      cHandling: 'Afhandeltijd',
      cMessage: 'Bericht',
      yes: 'ja',
      no: 'nee',
      none: '–',
      rCustomerRequest: 'klant vroeg erom',
      rButton: 'knop',
      fHandoff: 'doorverbonden',
      fAnswered: 'daarna wel antwoord',
      fPerson: 'al bij een medewerker',
      fReply: 'ander bericht',
      fNothing: 'niets meer',
      stBot: 'assistent',
      stQueued: 'wacht',
      stAssigned: 'bij medewerker',
      stClosed: 'gesloten',
      stOpen: 'open',
      stDone: 'afgehandeld',
      openConversation: 'Open gesprek {id} in de console',
    },
    en: {
      compTitle: 'Compliance: the automated assistant',
      compIntro:
        'A report over a period that you can hand to a regulator: whether customers knew they were talking to a computer program, and whether they got a person when they asked for one. Every figure names the conversations behind it.',
      fFrom: 'From',
      fTo: 'To (inclusive)',
      fTz: 'Time zone',
      compMake: 'Make report',
      compPrint: 'Print',
      compJson: 'Download JSON',
      loading: 'Making the report…',
      loaded: 'Report made.',
      badRange: 'Choose a start date that is not after the end date.',
      mPeriod: 'Period',
      mMade: 'Made at',
      mBy: 'By',
      mConversations: 'Conversations in the period',
      periodText: '{from} to {to} ({tz})',
      s1Title: '1. Telling customers they talk to an automated assistant',
      s1Intro: 'The first message of every conversation should be the greeting that says the customer is talking to a computer program and can ask for a person at any time.',
      s2Title: '2. Assistant messages labelled automated',
      s2Intro: 'Every message no person wrote (the assistant and automatic notices) should be labelled automated.',
      s3Title: '3. Every request for a person and how fast it was met',
      s4Title: '4. Two or more declines in a row, and what followed',
      s5Title: '5. After-hours call-back requests and their handling',
      missingTitle: 'Conversations without that disclosure first',
      unlabelledTitle: 'Messages without the label',
      allConversations: 'All conversations in the period',
      noneFound: 'None.',
      shareOf: '{n} of {total} conversations',
      msgsOf: '{n} of {total} messages',
      requestsText: '{count} requests; {met} met, {unmet} not. Time to the first message of a person: median {p50}, p90 {p90}.',
      declinesText: '{count} times.',
      callbacksText: '{count} call-back requests, {after} of them after hours; {handled} handled, {open} still open. Handling time: median {p50}.',
      cConversation: 'Conversation',
      cReason: 'Reason',
      cRequested: 'Requested',
      cAssigned: 'Taken by a person',
      cReplied: 'First message of a person',
      cWait: 'Wait',
      cMet: 'Met',
      cStatus: 'Status',
      cDeclines: 'Declines in a row',
      cAt: 'From',
      cOffered: 'Person offered',
      cFollowed: 'What followed',
      cHanded: 'Handed over',
      cReached: 'Person reached',
      cClosed: 'Closed',
      cAfterHours: 'After hours',
      cHandled: 'Handled',
      cHandling: 'Handling time',
      cMessage: 'Message',
      yes: 'yes',
      no: 'no',
      none: '–',
      rCustomerRequest: 'customer asked',
      rButton: 'button',
      fHandoff: 'handed over',
      fAnswered: 'answered after all',
      fPerson: 'already with a person',
      fReply: 'another message',
      fNothing: 'nothing more',
      stBot: 'assistant',
      stQueued: 'waiting',
      stAssigned: 'with a person',
      stClosed: 'closed',
      stOpen: 'open',
      stDone: 'handled',
      openConversation: 'Open conversation {id} in the console',
    },
  });

  var pctFmt = new Intl.NumberFormat(L.lang, { style: 'percent', maximumFractionDigits: 1 });
  var secFmt = new Intl.NumberFormat(L.lang, { maximumFractionDigits: 1 });
  var last = null;

  function pct(r) {
    return r === null || r === undefined ? t('none') : pctFmt.format(r);
  }
  function secs(s) {
    return s === null || s === undefined ? t('none') : secFmt.format(s) + ' s';
  }
  function when(iso) {
    return iso ? new Date(iso).toLocaleString(L.lang) : t('none');
  }
  function yn(b) {
    return t(b ? 'yes' : 'no');
  }

  function convLink(id) {
    return el('a', { href: '/console/#c=' + encodeURIComponent(id), class: 'conv-link', 'data-conversation': id, title: t('openConversation', { id: id }), text: id });
  }

  function fillList(ul, ids) {
    ul.textContent = '';
    if (!ids.length) {
      ul.appendChild(el('li', { class: 'muted', text: t('noneFound') }));
      return;
    }
    ids.forEach(function (id) {
      ul.appendChild(el('li', null, [convLink(id)]));
    });
  }

  function fillTable(table, head, rows, caption) {
    loket.fillTable(table, head, rows, caption, t('noneFound'));
  }

  function statusText(s) {
    return t({ bot: 'stBot', queued: 'stQueued', assigned: 'stAssigned', closed: 'stClosed', open: 'stOpen', done: 'stDone' }[s] || s) || s;
  }

  function draw(r) {
    last = r;
    $('report').hidden = false;
    // the period as asked (dates in the report's time zone); r.period has its exact bounds
    $('m-period').textContent = t('periodText', { from: $('c-from').value, to: $('c-to').value, tz: r.period.tz });
    $('m-period').setAttribute('title', r.period.from + ' – ' + r.period.to);
    $('m-made').textContent = when(r.generated_at);
    $('m-by').textContent = r.generated_by.name + (r.generated_by.email && r.generated_by.email !== r.generated_by.name ? ' <' + r.generated_by.email + '>' : '');
    $('m-conversations').textContent = String(r.conversations);

    $('f-disclosure-share').textContent = pct(r.disclosure.share);
    $('f-disclosure-count').textContent = t('shareOf', { n: r.disclosure.with_disclosure, total: r.disclosure.conversations });
    fillList($('l-disclosure-missing'), r.disclosure.missing);
    fillList($('l-disclosure-all'), r.disclosure.conversation_ids);

    $('f-labels-share').textContent = pct(r.automated_labels.share);
    $('f-labels-count').textContent = t('msgsOf', { n: r.automated_labels.labelled, total: r.automated_labels.messages });
    var ul = $('l-unlabelled');
    ul.textContent = '';
    if (!r.automated_labels.unlabelled.length) ul.appendChild(el('li', { class: 'muted', text: t('noneFound') }));
    r.automated_labels.unlabelled.forEach(function (m) {
      ul.appendChild(el('li', null, [convLink(m.conversation_id), ' ', el('span', { class: 'muted', text: t('cMessage') + ' ' + m.message_id })]));
    });

    var pr = r.person_requests;
    $('f-requests').textContent = t('requestsText', { count: pr.count, met: pr.met, unmet: pr.unmet, p50: secs(pr.time_to_reply.p50_seconds), p90: secs(pr.time_to_reply.p90_seconds) });
    fillTable(
      $('t-requests'),
      ['cConversation', 'cReason', 'cRequested', 'cAssigned', 'cReplied', 'cWait', 'cMet', 'cStatus'],
      pr.items.map(function (i) {
        return [convLink(i.conversation_id), t(i.reason === 'button' ? 'rButton' : 'rCustomerRequest'), when(i.requested_at), when(i.assigned_at), when(i.first_reply_at), secs(i.seconds_to_reply), yn(i.met), statusText(i.status)];
      }),
      t('s3Title')
    );

    var cd = r.consecutive_declines;
    $('f-declines').textContent = t('declinesText', { count: cd.count });
    var followed = { handoff: 'fHandoff', answered: 'fAnswered', person: 'fPerson', reply: 'fReply', nothing: 'fNothing' };
    fillTable(
      $('t-declines'),
      ['cConversation', 'cDeclines', 'cAt', 'cOffered', 'cFollowed', 'cHanded', 'cReached', 'cClosed'],
      cd.items.map(function (i) {
        return [convLink(i.conversation_id), String(i.declines), when(i.at), yn(i.handoff_offered), t(followed[i.followed_by] || i.followed_by), yn(i.handed_off), yn(i.person_reached), yn(i.closed)];
      }),
      t('s4Title')
    );

    var cb = r.callbacks;
    $('f-callbacks').textContent = t('callbacksText', { count: cb.count, after: cb.after_hours, handled: cb.handled, open: cb.open, p50: secs(cb.handling_time.p50_seconds) });
    fillTable(
      $('t-callbacks'),
      ['cConversation', 'cRequested', 'cAfterHours', 'cStatus', 'cHandled', 'cHandling'],
      cb.items.map(function (i) {
        return [i.conversation_id ? convLink(i.conversation_id) : t('none'), when(i.requested_at), yn(i.after_hours), statusText(i.status), when(i.handled_at), secs(i.handling_seconds)];
      }),
      t('s5Title')
    );
  }

  function load() {
    $('comp-error').textContent = '';
    if ($('c-from').value > $('c-to').value) {
      $('comp-error').textContent = t('badRange');
      return;
    }
    var q = new URLSearchParams({ from: $('c-from').value, to: $('c-to').value, tz: $('c-tz').value });
    L.report('comp', q.toString(), function () {
      return L.api('GET', '/api/v1/reports/compliance?' + q.toString());
    }, draw);
  }

  L.start({ roles: ['supervisor', 'admin'], page: 'compliance' }).then(function () {
    L.lastWeek($('c-from'), $('c-to'), $('c-tz'));
    $('comp-filters').addEventListener('submit', function (e) {
      e.preventDefault();
      load();
    });
    $('comp-print').addEventListener('click', function () {
      window.print();
    });
    $('comp-json').addEventListener('click', function () {
      if (last) L.download('loket-compliance-' + $('c-from').value + '-' + $('c-to').value + '.json', JSON.stringify(last, null, 2), 'application/json');
    });
    load();
  });
});
