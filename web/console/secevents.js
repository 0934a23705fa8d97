/*
 * The admin page's "Security events" section (docs/security.md, "Security
 * events"): failed logins, lockouts, refused cross-site requests, role
 * refusals and 429s from GET /api/v1/admin/security-events, newest first, 50
 * at a time, filtered by kind. admin.js starts it once the page knows the
 * user is an admin (window.loketSecurityEvents), so that nobody else's visit
 * asks for them. Everything shown goes in with textContent.
 */
loket.page(function (L, $, el, t) {
  'use strict';
  var PAGE = 50;

  L.strings({
    nl: {
      secTitle: 'Beveiligingsmeldingen',
      secIntro:
        'Mislukte aanmeldingen, blokkades, geweigerde verzoeken van andere websites, geweigerde rechten en te veel verzoeken, nieuwste eerst. Wachtwoorden en sessies staan er nooit in.',
      secKind: 'Soort',
      secKindAll: 'Alle soorten',
      kind_login_failed: 'Mislukte aanmelding',
      kind_lockout: 'Geblokkeerde aanmelding',
      kind_cross_site: 'Verzoek van een andere website',
      kind_forbidden: 'Geweigerd recht',
      kind_rate_limited: 'Te veel verzoeken',
      secCaption: 'Beveiligingsmeldingen, nieuwste eerst',
      secColKind: 'Soort',
      secColAddress: 'Adres',
      secColAccount: 'Account',
      secColReason: 'Reden',
      secColRoute: 'Verzoek',
      secMore: 'Meer laden',
      secCount: '{n} meldingen getoond.',
      secNone: 'Geen meldingen gevonden.',
      secFailed: 'De meldingen laden lukte niet: {msg}',
    },
    en: {
      secTitle: 'Security events',
      secIntro:
        'Failed logins, lockouts, requests refused from other web sites, refused rights and too many requests, newest first. Passwords and sessions are never in them.',
      secKind: 'Kind',
      secKindAll: 'All kinds',
      kind_login_failed: 'Failed login',
      kind_lockout: 'Login blocked',
      kind_cross_site: 'Request from another web site',
      kind_forbidden: 'Right refused',
      kind_rate_limited: 'Too many requests',
      secCaption: 'Security events, newest first',
      secColKind: 'Kind',
      secColAddress: 'Address',
      secColAccount: 'Account',
      secColReason: 'Reason',
      secColRoute: 'Request',
      secMore: 'Load more',
      secCount: '{n} events shown.',
      secNone: 'No events found.',
      secFailed: 'Loading the events did not work: {msg}',
    },
  });

  function when(iso) {
    var d = new Date(iso);
    return isNaN(d) ? iso : d.toLocaleString(L.lang === 'nl' ? 'nl-NL' : 'en-GB');
  }

  function row(e) {
    return el('tr', { 'data-kind': e.kind }, [
      el('td', null, [el('time', { datetime: e.at, text: when(e.at) })]),
      el('td', null, [t('kind_' + e.kind)]),
      el('td', null, [el('code', { text: e.address || '' })]),
      el('td', { text: e.account || '' }),
      el('td', { class: 'adm-detail', text: e.reason || '' }),
      el('td', null, [el('code', { text: e.route || '' })]),
    ]);
  }

  var list = L.pagedList('sec', '/api/v1/admin/security-events', 'events', row, function (e) {
    return t('secFailed', { msg: e.message });
  });

  function load(more) {
    var q = { limit: PAGE };
    if ($('sec-kind').value) q.kind = $('sec-kind').value;
    return list(q, more);
  }

  $('sec-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
  });
  $('sec-kind').addEventListener('change', function () {
    load(false);
  });
  $('sec-more').addEventListener('click', function () {
    load(true);
  });

  window.loketSecurityEvents = function () {
    return load(false);
  };
});
