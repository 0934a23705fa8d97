/*
 * loket console: the dashboard, for team leads and admins (docs/analytics.md).
 *
 * Reads GET /api/v1/analytics/summary, /agents and /topics for the chosen
 * period (default: the last 7 days), language, channel and time zone, and
 * shows the key figures, charts (uPlot, vendored from npm by the build) and,
 * under every chart, a table with the same numbers. Every table can be
 * downloaded as CSV: the API's own CSV where it has the table, else made
 * here from the same numbers (loket.csv). The query the page used is kept
 * on <main data-query> so that tests can ask the API the same.
 *
 * Everything from the server goes into the page with textContent (topic
 * labels are customers' questions, redacted by the server).
 */
loket.page(function (L, $, el, t) {
  'use strict';

  L.strings({
    nl: {
      dashTitle: 'Dashboard',
      dashIntro: 'Wat de digitale assistent alleen afhandelt, hoe lang klanten op een medewerker wachten en waarom ze werden doorverbonden.',
      fFrom: 'Van',
      fTo: 'Tot en met',
      fLanguage: 'Taal',
      fChannel: 'Kanaal',
      fTz: 'Tijdzone',
      fAll: 'Alle',
      fApply: 'Toon',
      chWeb: 'Website (widget)',
      chApi: 'API',
      loading: 'Cijfers worden geladen…',
      loaded: 'Cijfers bijgewerkt.',
      badRange: 'Kies een begindatum die niet na de einddatum ligt.',
      kpiTitle: 'Kerncijfers',
      period: '{from} tot en met {to} ({tz})',
      kConversations: 'Gesprekken',
      kContained: 'Alleen door de assistent afgehandeld',
      kResolved: 'Opgelost door de assistent',
      kHandedOff: 'Naar een medewerker',
      kWaitP50: 'Wachttijd tot medewerker (mediaan)',
      kWaitP90: 'Wachttijd tot medewerker (p90)',
      kAbandoned: 'Afgehaakt in de wachtrij',
      kAnswers: 'Antwoorden van de assistent',
      kDeclines: 'Vragen die de assistent niet kon beantwoorden',
      kChoices: 'Keer dat de assistent keuzes aanbood',
      kPicked: 'Keuzes die de klant koos',
      kAccuracy: 'Juiste antwoorden (beoordeeld)',
      kRepeat: 'Klant kwam binnen 7 dagen terug',
      kCsatBot: 'Tevredenheid, alleen assistent',
      kCsatHuman: 'Tevredenheid, met medewerker',
      kCallbacks: 'Terugbelverzoeken',
      ofN: '{n} van {total}',
      reviewedN: '{n} beoordeeld',
      ratedN: '{n} beoordelingen',
      none: '–',
      daysTitle: 'Gesprekken per dag',
      daysChartLabel: 'Grafiek: gesprekken per dag. De tabel eronder heeft dezelfde cijfers.',
      daysCaption: 'Alle gesprekken, gesprekken die de assistent alleen afhandelde en gesprekken die naar een medewerker gingen. De tabel eronder heeft dezelfde cijfers.',
      waitTitle: 'Wachttijd tot een medewerker',
      waitChartLabel: 'Grafiek: wachttijd tot een medewerker per dag. De tabel eronder heeft dezelfde cijfers.',
      waitCaption: 'Mediaan (p50) en p90 van de tijd van het doorverbinden tot het eerste bericht van een medewerker, in seconden, per dag.',
      reasonsTitle: 'Waarom werd doorverbonden?',
      reasonsChartLabel: 'Grafiek: doorverbonden gesprekken per reden. De tabel eronder heeft dezelfde cijfers.',
      reasonsCaption: 'Doorverbonden gesprekken per reden.',
      groupsTitle: 'Per taal en per kanaal',
      agentsTitle: 'Medewerkers',
      topicsTitle: 'Waar klanten over beginnen',
      topTitle: 'Meest gevraagd',
      risingTitle: 'Stijgers (deze week tegen vorige week)',
      csvDownload: 'CSV downloaden',
      csvLanguages: 'CSV talen',
      csvChannels: 'CSV kanalen',
      csvTop: 'CSV onderwerpen',
      csvRising: 'CSV stijgers',
      cDate: 'Datum',
      cConversations: 'Gesprekken',
      cContained: 'Alleen assistent',
      cHandedOff: 'Naar medewerker',
      cReached: 'Medewerker bereikt',
      cP50: 'Mediaan (s)',
      cP90: 'p90 (s)',
      cAbandoned: 'Afgehaakt',
      cReason: 'Reden',
      cCount: 'Aantal',
      cGroup: 'Taal of kanaal',
      cContainment: 'Alleen assistent (%)',
      cResolution: 'Opgelost (%)',
      cAgent: 'Medewerker',
      cClosed: 'Gesloten',
      cHandle: 'Afhandeltijd, mediaan (s)',
      cFirst: 'Eerste reactie, mediaan (s)',
      cMessages: 'Berichten',
      cAssist: 'Uit suggestie (%)',
      cTopic: 'Onderwerp',
      cKind: 'Soort',
      cThisWeek: 'Deze week',
      cLastWeek: 'Vorige week',
      cChange: 'Verschil',
      kindArticle: 'artikel',
      kindGap: 'ontbreekt in kennisbank',
      sTotal: 'Alle',
      sContained: 'Alleen assistent',
      sHandedOff: 'Naar medewerker',
      sP50: 'Mediaan',
      sP90: 'p90',
      sHandoffs: 'Doorverbonden',
      noData: 'Niets in deze periode.',
      rCustomerRequest: 'klant vroeg om een medewerker',
      rButton: 'knop voor een medewerker',
      rLowConfidence: 'assistent was niet zeker',
      rRepeatedFailure: 'assistent kon herhaaldelijk niet helpen',
      rLoop: 'dezelfde vraag kwam steeds terug',
      rNegativeSentiment: 'klant was ontevreden',
      rComplaint: 'klacht',
      rComplex: 'ingewikkelde vraag',
      rSensitiveTopic: 'gevoelig onderwerp',
      rLanguage: 'geen antwoord in de taal van de klant',
      rOther: 'anders',
    },
    en: {
      dashTitle: 'Dashboard',
      dashIntro: 'What the automated assistant handles alone, how long customers wait for a person and why they were handed over.',
      fFrom: 'From',
      fTo: 'To (inclusive)',
      fLanguage: 'Language',
      fChannel: 'Channel',
      fTz: 'Time zone',
      fAll: 'All',
      fApply: 'Show',
      chWeb: 'Website (widget)',
      chApi: 'API',
      loading: 'Loading figures…',
      loaded: 'Figures updated.',
      badRange: 'Choose a start date that is not after the end date.',
      kpiTitle: 'Key figures',
      period: '{from} to {to} ({tz})',
      kConversations: 'Conversations',
      kContained: 'Handled by the assistant alone',
      kResolved: 'Resolved by the assistant',
      kHandedOff: 'Handed to a person',
      kWaitP50: 'Time to a person (median)',
      kWaitP90: 'Time to a person (p90)',
      kAbandoned: 'Abandoned in the queue',
      kAnswers: 'Answers by the assistant',
      kDeclines: 'Questions the assistant could not answer',
      kChoices: 'Times the assistant offered choices',
      kPicked: 'Choices the customer picked',
      kAccuracy: 'Right answers (reviewed)',
      kRepeat: 'Customer came back within 7 days',
      kCsatBot: 'Satisfaction, assistant only',
      kCsatHuman: 'Satisfaction, with a person',
      kCallbacks: 'Call-back requests',
      ofN: '{n} of {total}',
      reviewedN: '{n} reviewed',
      ratedN: '{n} ratings',
      none: '–',
      daysTitle: 'Conversations per day',
      daysChartLabel: 'Chart: conversations per day. The table below has the same numbers.',
      daysCaption: 'All conversations, those the assistant handled alone and those handed to a person. The table below has the same numbers.',
      waitTitle: 'Time to a person',
      waitChartLabel: 'Chart: time to a person per day. The table below has the same numbers.',
      waitCaption: 'Median (p50) and p90 of the time from the hand-off to the first message of a person, in seconds, per day.',
      reasonsTitle: 'Why were customers handed over?',
      reasonsChartLabel: 'Chart: handed-over conversations by reason. The table below has the same numbers.',
      reasonsCaption: 'Handed-over conversations by reason.',
      groupsTitle: 'Per language and channel',
      agentsTitle: 'Agents',
      topicsTitle: 'What customers contact us about',
      topTitle: 'Most asked',
      risingTitle: 'Rising (this week against last week)',
      csvDownload: 'Download CSV',
      csvLanguages: 'CSV languages',
      csvChannels: 'CSV channels',
      csvTop: 'CSV topics',
      csvRising: 'CSV rising',
      cDate: 'Date',
      cConversations: 'Conversations',
      cContained: 'Assistant only',
      cHandedOff: 'To a person',
      cReached: 'Person reached',
      cP50: 'Median (s)',
      cP90: 'p90 (s)',
      cAbandoned: 'Abandoned',
      cReason: 'Reason',
      cCount: 'Count',
      cGroup: 'Language or channel',
      cContainment: 'Assistant only (%)',
      cResolution: 'Resolved (%)',
      cAgent: 'Agent',
      cClosed: 'Closed',
      cHandle: 'Handle time, median (s)',
      cFirst: 'First response, median (s)',
      cMessages: 'Messages',
      cAssist: 'From a suggestion (%)',
      cTopic: 'Topic',
      cKind: 'Kind',
      cThisWeek: 'This week',
      cLastWeek: 'Last week',
      cChange: 'Change',
      kindArticle: 'article',
      kindGap: 'missing from the knowledge base',
      sTotal: 'All',
      sContained: 'Assistant only',
      sHandedOff: 'To a person',
      sP50: 'Median',
      sP90: 'p90',
      sHandoffs: 'Handed over',
      noData: 'Nothing in this period.',
      rCustomerRequest: 'customer asked for a person',
      rButton: 'the person button',
      rLowConfidence: 'assistant was unsure',
      rRepeatedFailure: 'assistant failed repeatedly',
      rLoop: 'same question kept coming',
      rNegativeSentiment: 'customer was unhappy',
      rComplaint: 'complaint',
      rComplex: 'complex question',
      rSensitiveTopic: 'sensitive topic',
      rLanguage: 'no answer in the customer’s language',
      rOther: 'other',
    },
  });

  var REASON_KEYS = {
    customer_request: 'rCustomerRequest',
    button: 'rButton',
    low_confidence: 'rLowConfidence',
    repeated_failure: 'rRepeatedFailure',
    loop: 'rLoop',
    negative_sentiment: 'rNegativeSentiment',
    complaint: 'rComplaint',
    complex: 'rComplex',
    sensitive_topic: 'rSensitiveTopic',
    language: 'rLanguage',
    other: 'rOther',
  };

  var intFmt = new Intl.NumberFormat(L.lang);
  var pctFmt = new Intl.NumberFormat(L.lang, { style: 'percent', maximumFractionDigits: 1 });
  var secFmt = new Intl.NumberFormat(L.lang, { maximumFractionDigits: 1 });
  var meanFmt = new Intl.NumberFormat(L.lang, { maximumFractionDigits: 2 });

  function int(n) {
    return n === null || n === undefined ? t('none') : intFmt.format(n);
  }
  function pct(r) {
    return r === null || r === undefined ? t('none') : pctFmt.format(r);
  }
  function secs(s) {
    return s === null || s === undefined ? t('none') : secFmt.format(s) + ' s';
  }
  function secsPlain(s) {
    return s === null || s === undefined ? t('none') : secFmt.format(s);
  }
  function pctPlain(r) {
    return r === null || r === undefined ? t('none') : secFmt.format(r * 100);
  }

  // ---- the period -----------------------------------------------------------

  function query() {
    var q = new URLSearchParams();
    q.set('from', $('f-from').value);
    q.set('to', $('f-to').value);
    q.set('tz', $('f-tz').value);
    if ($('f-language').value) q.set('language', $('f-language').value);
    if ($('f-channel').value) q.set('channel', $('f-channel').value);
    return q;
  }

  function csvLink(id, path, q, table) {
    var qq = new URLSearchParams(q);
    qq.set('format', 'csv');
    if (table) qq.set('table', table);
    $(id).setAttribute('href', path + '?' + qq.toString());
  }

  // ---- tables -----------------------------------------------------------------

  function fillTable(table, head, rows, captionKey) {
    loket.fillTable(table, head, rows, captionKey ? t(captionKey) : '', t('noData'));
  }

  // ---- charts (uPlot) -------------------------------------------------------------

  var charts = [];

  function chartWidth(node) {
    return Math.max(280, Math.min(node.clientWidth || 800, 1100));
  }

  // x: labels (dates or reasons) named xName, series: [{label, values, stroke, dash, bars}];
  // long labels (reasons) are written at a slant.
  function chart(node, xName, labels, series, yLabel, slant) {
    node.textContent = '';
    if (!window.uPlot) return;
    var xs = labels.map(function (_, i) {
      return i;
    });
    var opts = {
      width: chartWidth(node),
      height: 260,
      scales: { x: { time: false, range: [-0.5, Math.max(labels.length - 0.5, 0.5)] } },
      legend: { show: true },
      cursor: { show: true, points: { show: false } },
      series: [{ label: xName, value: function (u, v) { return v === null || v === undefined ? '' : labels[v] || ''; } }].concat(
        series.map(function (s) {
          var o = { label: s.label, stroke: s.stroke, width: 2, dash: s.dash, points: { show: true, size: 6 } };
          if (s.bars) {
            o.fill = s.stroke;
            o.paths = window.uPlot.paths.bars({ size: [0.6, 60] });
            o.points = { show: false };
          }
          return o;
        })
      ),
      axes: [
        {
          splits: function () {
            return xs;
          },
          values: function (u, splits) {
            var step = Math.ceil(labels.length / 10);
            return splits.map(function (i) {
              return i % step === 0 ? labels[i] || '' : '';
            });
          },
          rotate: slant ? -30 : 0,
          size: slant ? 140 : 50,
        },
        { label: yLabel || '' },
      ],
    };
    var data = [xs].concat(
      series.map(function (s) {
        return s.values;
      })
    );
    charts.push(new window.uPlot(opts, data, node));
  }

  // ---- drawing -----------------------------------------------------------------------

  function kpi(list, key, label, value, note, raw) {
    var dd = el('dd', null, [el('span', { class: 'kpi-value', 'data-figure': key, 'data-value': raw === undefined ? '' : String(raw), text: value })]);
    if (note) dd.appendChild(el('span', { class: 'kpi-note', text: note }));
    list.appendChild(el('div', { class: 'kpi' }, [el('dt', { text: t(label) }), dd]));
  }

  function drawSummary(s) {
    var T = s.totals;
    $('kpi-period').textContent = t('period', { from: s.days.length ? s.days[0].date : '', to: s.days.length ? s.days[s.days.length - 1].date : '', tz: s.tz });
    var k = $('kpis');
    k.textContent = '';
    kpi(k, 'conversations', 'kConversations', int(T.conversations), null, T.conversations);
    kpi(k, 'containment_rate', 'kContained', pct(T.containment_rate), t('ofN', { n: int(T.contained), total: int(T.conversations) }), T.containment_rate);
    kpi(k, 'resolution_rate', 'kResolved', pct(T.resolution_rate), t('ofN', { n: int(T.resolved), total: int(T.conversations) }), T.resolution_rate);
    kpi(k, 'handed_off', 'kHandedOff', int(T.handed_off), null, T.handed_off);
    kpi(k, 'time_to_person_p50', 'kWaitP50', secs(T.time_to_person.p50_seconds), null, T.time_to_person.p50_seconds);
    kpi(k, 'time_to_person_p90', 'kWaitP90', secs(T.time_to_person.p90_seconds), null, T.time_to_person.p90_seconds);
    kpi(k, 'abandoned', 'kAbandoned', int(T.abandoned), null, T.abandoned);
    kpi(k, 'bot_answers', 'kAnswers', int(T.bot_answers), null, T.bot_answers);
    kpi(k, 'bot_declines', 'kDeclines', int(T.bot_declines), null, T.bot_declines);
    kpi(k, 'bot_choices_offered', 'kChoices', int(T.bot_choices_offered), null, T.bot_choices_offered);
    kpi(k, 'choice_pick_rate', 'kPicked', pct(T.choice_pick_rate), t('ofN', { n: int(T.bot_choices_picked), total: int(T.bot_choices_offered) }), T.choice_pick_rate);
    kpi(k, 'accuracy', 'kAccuracy', pct(T.accuracy.rate), t('reviewedN', { n: int(T.accuracy.reviewed) }), T.accuracy.rate);
    kpi(k, 'repeat_rate', 'kRepeat', pct(T.repeat_rate), t('ofN', { n: int(T.repeat_contacts), total: int(T.conversations) }), T.repeat_rate);
    kpi(k, 'csat_bot_only', 'kCsatBot', T.csat.bot_only.mean === null ? t('none') : meanFmt.format(T.csat.bot_only.mean) + ' / 5', t('ratedN', { n: int(T.csat.bot_only.count) }), T.csat.bot_only.mean);
    kpi(k, 'csat_human', 'kCsatHuman', T.csat.human.mean === null ? t('none') : meanFmt.format(T.csat.human.mean) + ' / 5', t('ratedN', { n: int(T.csat.human.count) }), T.csat.human.mean);
    kpi(k, 'callbacks', 'kCallbacks', int(T.callbacks), null, T.callbacks);

    var dates = s.days.map(function (d) {
      return d.date;
    });
    chart($('chart-days'), t('cDate'), dates, [
      { label: t('sTotal'), values: s.days.map(function (d) { return d.conversations; }), stroke: '#0b57b0' },
      { label: t('sContained'), values: s.days.map(function (d) { return d.contained; }), stroke: '#1b7a5a', dash: [6, 4] },
      { label: t('sHandedOff'), values: s.days.map(function (d) { return d.handed_off; }), stroke: '#b3261e', dash: [2, 3] },
    ]);
    fillTable(
      $('table-days'),
      ['cDate', 'cConversations', 'cContained', 'cHandedOff', 'cAbandoned'],
      s.days.map(function (d) {
        return [d.date, { text: int(d.conversations), key: 'conversations' }, { text: int(d.contained), key: 'contained' }, { text: int(d.handed_off), key: 'handed_off' }, { text: int(d.abandoned), key: 'abandoned' }];
      }).concat([[t('sTotal'), { text: int(T.conversations), key: 'conversations' }, { text: int(T.contained), key: 'contained' }, { text: int(T.handed_off), key: 'handed_off' }, { text: int(T.abandoned), key: 'abandoned' }]]),
      'daysTitle'
    );

    chart($('chart-wait'), t('cDate'), dates, [
      { label: t('sP50'), values: s.days.map(function (d) { return d.time_to_person.p50_seconds; }), stroke: '#0b57b0' },
      { label: t('sP90'), values: s.days.map(function (d) { return d.time_to_person.p90_seconds; }), stroke: '#8a4b00', dash: [6, 4] },
    ], 's');
    fillTable(
      $('table-wait'),
      ['cDate', 'cReached', 'cP50', 'cP90'],
      s.days.map(function (d) {
        return [d.date, { text: int(d.reached_person), key: 'reached_person' }, { text: secsPlain(d.time_to_person.p50_seconds), key: 'p50' }, { text: secsPlain(d.time_to_person.p90_seconds), key: 'p90' }];
      }).concat([[t('sTotal'), { text: int(T.reached_person), key: 'reached_person' }, { text: secsPlain(T.time_to_person.p50_seconds), key: 'p50' }, { text: secsPlain(T.time_to_person.p90_seconds), key: 'p90' }]]),
      'waitTitle'
    );

    var reasons = Object.keys(T.handoffs);
    chart($('chart-reasons'), t('cReason'), reasons.map(function (r) { return t(REASON_KEYS[r] || r); }), [
      { label: t('sHandoffs'), values: reasons.map(function (r) { return T.handoffs[r]; }), stroke: '#1b5e4b', bars: true },
    ], '', true);
    fillTable(
      $('table-reasons'),
      ['cReason', 'cCount'],
      reasons.map(function (r) {
        return [t(REASON_KEYS[r] || r), { text: int(T.handoffs[r]), key: 'handoff_' + r }];
      }),
      'reasonsTitle'
    );
    $('csv-reasons').onclick = function () {
      L.download('loket-handoff-reasons.csv', L.csv([['reason', 'conversations']].concat(reasons.map(function (r) { return [r, T.handoffs[r]]; }))));
    };

    var groups = s.languages.map(function (g) { return [g.language, g]; }).concat(s.channels.map(function (g) { return [g.channel, g]; }));
    fillTable(
      $('table-groups'),
      ['cGroup', 'cConversations', 'cContainment', 'cResolution', 'cHandedOff'],
      groups.map(function (p) {
        var g = p[1];
        return [p[0], { text: int(g.conversations), key: 'conversations' }, pctPlain(g.containment_rate), pctPlain(g.resolution_rate), int(g.handed_off)];
      }),
      'groupsTitle'
    );
  }

  function drawAgents(a) {
    fillTable(
      $('table-agents'),
      ['cAgent', 'cConversations', 'cClosed', 'cHandle', 'cFirst', 'cMessages', 'cAssist'],
      a.agents.map(function (x) {
        return [x.name, { text: int(x.conversations), key: 'conversations' }, int(x.closed), secsPlain(x.handle_time.p50_seconds), secsPlain(x.first_response.p50_seconds), { text: int(x.messages), key: 'messages' }, { text: pctPlain(x.assist_share), key: 'assist_share' }];
      }),
      'agentsTitle'
    );
  }

  function drawTopics(tp) {
    function kind(k) {
      return t(k === 'article' ? 'kindArticle' : 'kindGap');
    }
    fillTable(
      $('table-top'),
      ['cTopic', 'cKind', 'cConversations'],
      tp.top.map(function (x) {
        return [x.label, kind(x.kind), { text: int(x.conversations), key: 'conversations' }];
      }),
      'topTitle'
    );
    fillTable(
      $('table-rising'),
      ['cTopic', 'cThisWeek', 'cLastWeek', 'cChange'],
      tp.rising.map(function (x) {
        return [x.label, int(x.this_week), int(x.last_week), { text: (x.change > 0 ? '+' : '') + int(x.change), key: 'change' }];
      }),
      'risingTitle'
    );
  }

  function load() {
    $('dash-error').textContent = '';
    if ($('f-from').value > $('f-to').value) {
      $('dash-error').textContent = t('badRange');
      return Promise.resolve();
    }
    var q = query();
    var qs = q.toString();
    csvLink('csv-days', '/api/v1/analytics/summary', q, 'days');
    csvLink('csv-languages', '/api/v1/analytics/summary', q, 'languages');
    csvLink('csv-channels', '/api/v1/analytics/summary', q, 'channels');
    csvLink('csv-agents', '/api/v1/analytics/agents', q);
    csvLink('csv-topics', '/api/v1/analytics/topics', q, 'top');
    csvLink('csv-rising', '/api/v1/analytics/topics', q, 'rising');
    charts.forEach(function (c) {
      c.destroy();
    });
    charts = [];
    return L.report('dash', qs, function () {
      return Promise.all([
        L.api('GET', '/api/v1/analytics/summary?' + qs),
        L.api('GET', '/api/v1/analytics/agents?' + qs),
        L.api('GET', '/api/v1/analytics/topics?' + qs),
      ]);
    }, function (r) {
      drawSummary(r[0]);
      drawAgents(r[1]);
      drawTopics(r[2]);
    });
  }

  L.start({ roles: ['supervisor', 'admin'], page: 'dashboard' }).then(function () {
    L.lastWeek($('f-from'), $('f-to'), $('f-tz'));
    $('dash-filters').addEventListener('submit', function (e) {
      e.preventDefault();
      load();
    });
    load();
  });
});
