/*
 * loket console: "My account", for every user. Two-step login (TOTP): set it
 * up (the server makes a secret and shows it once, with an otpauth:// link,
 * which the page also draws as a QR code for the authenticator app to scan),
 * switch it on with a first code, switch it off with a current one; change
 * one's password (the current one and the new one twice; the user's other
 * sessions end, this one stays); choose the console's language (stored with
 * the user; "default" follows the deployment's console_language, else the
 * browser); and log out everywhere (every session of
 * this user ends, this one too).
 *
 * The secret is shown with textContent and dropped from the page (key, link and
 * QR code) once two-step login is on or setting it up is cancelled. The QR code
 * comes from qrcode-generator (MIT, vendored from npm by the build like the
 * dashboard's chart library); without it the key and the link still do.
 */
loket.page(function (L, $, el, t) {
  'use strict';

  L.strings({
    nl: {
      accTitle: 'Mijn account',
      accWho: 'Ingelogd als {email}.',
      langTitle: 'Taal van de console',
      langIntro: 'De taal waarin loket de console aan jou toont, op elke computer waarop je inlogt.',
      langLabel: 'Taal',
      langDefault: 'Standaard van deze installatie',
      langSave: 'Taal opslaan',
      langFailed: 'De taal is niet opgeslagen: {msg}',
      totpTitle: 'Inloggen in twee stappen',
      totpIntro:
        'Met inloggen in twee stappen vraagt loket na je wachtwoord ook een code van zes cijfers uit een authenticator-app op je telefoon. Wie alleen je wachtwoord heeft, komt er dan niet in.',
      totpIsOn: 'Inloggen in twee stappen staat aan.',
      totpIsOff: 'Inloggen in twee stappen staat uit.',
      totpRequired: 'Voor jouw account is inloggen in twee stappen verplicht. Stel het nu in; daarna kun je de console weer gebruiken.',
      totpEnabledGo: 'Inloggen in twee stappen staat nu aan. Je kunt de console weer gebruiken.',
      totpIsPending: 'Nog niet aan: bevestig eerst met een code uit je app.',
      totpSetup: 'Instellen',
      totpStep1: '1. Zet de sleutel in je app',
      totpQrHint: 'Scan deze QR-code met je authenticator-app (bijvoorbeeld FreeOTP, Aegis of Google Authenticator).',
      totpQrLabel: 'QR-code om te scannen met je authenticator-app',
      totpScan:
        'Voeg in je authenticator-app (bijvoorbeeld FreeOTP, Aegis of Google Authenticator) een account toe met deze sleutel. Op je telefoon kun je ook de koppeling openen.',
      totpScanAlt: 'Lukt scannen niet? Voeg dan in je app een account toe met deze sleutel. Op je telefoon kun je ook de koppeling openen.',
      totpKey: 'Sleutel',
      totpLinkLabel: 'Koppeling',
      totpLink: 'Openen in de authenticator-app',
      totpStep2: '2. Bevestig met een code',
      totpCode: 'Code uit de app',
      totpEnable: 'Aanzetten',
      totpCancel: 'Annuleren',
      totpOffIntro: 'Uitzetten vraagt een actuele code uit je app.',
      totpDisable: 'Uitzetten',
      totpSixDigits: 'Vul de zes cijfers uit je app in.',
      totpWrong: 'Die code klopt niet (of is al gebruikt). Neem de code die je app nu toont.',
      totpEnabled: 'Inloggen in twee stappen staat nu aan. Vanaf je volgende login vraagt loket de code.',
      totpDisabled: 'Inloggen in twee stappen staat nu uit.',
      tooMany: 'Te veel pogingen. Wacht even en probeer het dan opnieuw.',
      failed: 'Dat lukte niet: {msg}',
      sessTitle: 'Overal uitloggen',
      sessIntro:
        'Ben je ergens ingelogd gebleven, op een andere computer of een telefoon? Dit beëindigt al je sessies, ook deze.',
      sessButton: 'Overal uitloggen',
      sessConfirm: 'Al je sessies beëindigen, ook deze?',
      pwTitle: 'Wachtwoord wijzigen',
      pwIntro: 'Daarna eindigen je andere sessies, bijvoorbeeld op een andere computer of een telefoon; deze sessie blijft.',
      pwCurrent: 'Huidig wachtwoord',
      pwNew: 'Nieuw wachtwoord',
      pwNewHint: 'Minstens 8 tekens; een zin van een paar woorden is het sterkst. Geen veelgebruikt wachtwoord, en niets dat op je e-mailadres of naam lijkt.',
      pwRepeat: 'Nieuw wachtwoord herhalen',
      pwButton: 'Wachtwoord wijzigen',
      pwNoCurrent: 'Vul je huidige wachtwoord in.',
      pwTooShort: 'Het nieuwe wachtwoord moet minstens 8 tekens hebben.',
      pwMismatch: 'Het herhaalde wachtwoord is niet gelijk aan het nieuwe. Typ het nog eens.',
      pwWrongCurrent: 'Je huidige wachtwoord klopt niet.',
      pwChanged: 'Je wachtwoord is gewijzigd.',
      pwOthers0: 'Je was nergens anders ingelogd.',
      pwOthers1: '1 andere sessie is beëindigd.',
      pwOthersN: '{n} andere sessies zijn beëindigd.',
    },
    en: {
      langTitle: 'Console language',
      langIntro: 'The language loket shows the console to you in, on every computer you log in on.',
      langLabel: 'Language',
      langDefault: 'This installation\'s default',
      langSave: 'Save language',
      langFailed: 'The language was not saved: {msg}',
      accTitle: 'My account',
      accWho: 'Logged in as {email}.',
      totpTitle: 'Two-step login',
      totpIntro:
        'With two-step login, loket asks after your password for a six-digit code from an authenticator app on your phone. Someone who has only your password cannot get in.',
      totpIsOn: 'Two-step login is on.',
      totpIsOff: 'Two-step login is off.',
      totpRequired: 'Two-step login is required for your account. Set it up now; then you can use the console again.',
      totpEnabledGo: 'Two-step login is on now. You can use the console again.',
      totpIsPending: 'Not on yet: confirm with a code from your app first.',
      totpSetup: 'Set up',
      totpStep1: '1. Put the key in your app',
      totpQrHint: 'Scan this QR code with your authenticator app (for example FreeOTP, Aegis or Google Authenticator).',
      totpQrLabel: 'QR code to scan with your authenticator app',
      totpScan:
        'In your authenticator app (for example FreeOTP, Aegis or Google Authenticator), add an account with this key. On your phone you can also open the link.',
      totpScanAlt: 'Cannot scan it? Then add an account in your app with this key. On your phone you can also open the link.',
      totpKey: 'Key',
      totpLinkLabel: 'Link',
      totpLink: 'Open in the authenticator app',
      totpStep2: '2. Confirm with a code',
      totpCode: 'Code from the app',
      totpEnable: 'Switch on',
      totpCancel: 'Cancel',
      totpOffIntro: 'Switching it off takes a current code from your app.',
      totpDisable: 'Switch off',
      totpSixDigits: 'Enter the six digits from your app.',
      totpWrong: 'That code is wrong (or was used already). Take the code your app shows now.',
      totpEnabled: 'Two-step login is on now. From your next login, loket asks for the code.',
      totpDisabled: 'Two-step login is off now.',
      tooMany: 'Too many attempts. Wait a while, then try again.',
      failed: 'That did not work: {msg}',
      sessTitle: 'Log out everywhere',
      sessIntro: 'Did you stay logged in somewhere, on another computer or a phone? This ends all your sessions, this one too.',
      sessButton: 'Log out everywhere',
      sessConfirm: 'End all your sessions, this one too?',
      pwTitle: 'Change password',
      pwIntro: 'Your other sessions end then, for example on another computer or a phone; this session stays.',
      pwCurrent: 'Current password',
      pwNew: 'New password',
      pwNewHint: '8 characters or more; a sentence of several words is strongest. No common password, and nothing like your e-mail address or name.',
      pwRepeat: 'Repeat the new password',
      pwButton: 'Change password',
      pwNoCurrent: 'Enter your current password.',
      pwTooShort: 'The new password must have 8 characters or more.',
      pwMismatch: 'The repeated password is not the same as the new one. Type it again.',
      pwWrongCurrent: 'Your current password is wrong.',
      pwChanged: 'Your password has been changed.',
      pwOthers0: 'You were not logged in anywhere else.',
      pwOthers1: '1 other session has been ended.',
      pwOthersN: '{n} other sessions have been ended.',
    },
  });

  function show(which) {
    $('totp-off').hidden = which !== 'off';
    $('totp-pending').hidden = which !== 'pending';
    $('totp-on').hidden = which !== 'on';
    $('totp-state').textContent = t(which === 'on' ? 'totpIsOn' : which === 'pending' ? 'totpIsPending' : 'totpIsOff');
  }

  function errorText(e) {
    if (e.status === 429) return t('tooMany');
    if (e.code === 'invalid_field') return t('totpWrong');
    return t('failed', { msg: e.message });
  }

  function readCode(input) {
    var code = input.value.replace(/\s+/g, '');
    if (!/^[0-9]{6}$/.test(code)) {
      $('totp-error').textContent = t('totpSixDigits');
      input.focus();
      return null;
    }
    return code;
  }

  // The otpauth:// link as a QR code: black modules on white, a quiet zone of
  // 4 modules and whole pixels per module (crisp edges read best from a
  // screen). False when the library did not load or the text does not fit.
  var QR_PX = 5;
  var QR_QUIET = 4;
  function drawQr(canvas, text) {
    if (typeof window.qrcode !== 'function') return false;
    var qr;
    try {
      qr = window.qrcode(0, 'M'); // 0: the smallest version that fits
      qr.addData(text);
      qr.make();
    } catch (e) {
      return false;
    }
    var n = qr.getModuleCount();
    var size = (n + 2 * QR_QUIET) * QR_PX;
    canvas.width = size;
    canvas.height = size;
    var g = canvas.getContext('2d');
    if (!g) return false;
    g.fillStyle = '#fff';
    g.fillRect(0, 0, size, size);
    g.fillStyle = '#000';
    for (var r = 0; r < n; r++) {
      for (var c = 0; c < n; c++) {
        if (qr.isDark(r, c)) g.fillRect((c + QR_QUIET) * QR_PX, (r + QR_QUIET) * QR_PX, QR_PX, QR_PX);
      }
    }
    return true;
  }

  // Shows the new secret three ways: the QR code (when it could be drawn),
  // the key to type and the link to open on a phone.
  function showSecret(r) {
    var drawn = drawQr($('totp-qr'), r.uri);
    $('totp-qr-box').hidden = !drawn;
    $('totp-scan').textContent = t(drawn ? 'totpScanAlt' : 'totpScan');
    $('totp-secret').textContent = r.secret.replace(/(.{4})/g, '$1 ').trim();
    $('totp-uri').setAttribute('href', r.uri);
  }

  function dropSecret() {
    $('totp-secret').textContent = '';
    $('totp-uri').setAttribute('href', '#');
    $('totp-qr-box').hidden = true;
    $('totp-qr').width = 0; // clears the drawing too
    $('totp-qr').height = 0;
  }

  function load() {
    return L.api('GET', '/api/v1/auth/totp').then(function (r) {
      // a pending secret is shown only right after setting it up; coming back
      // later means setting it up again (a new secret)
      show(r.enabled ? 'on' : 'off');
      required = !!r.required;
      if (required && !r.enabled) $('totp-state').textContent = t('totpRequired');
    });
  }
  var required = false;

  $('totp-setup').addEventListener('click', function () {
    $('totp-error').textContent = '';
    L.api('POST', '/api/v1/auth/totp/setup').then(
      function (r) {
        showSecret(r);
        $('totp-enable-code').value = '';
        show('pending');
        $('totp-enable-code').focus();
      },
      function (e) {
        $('totp-error').textContent = errorText(e);
      }
    );
  });

  $('totp-cancel').addEventListener('click', function () {
    $('totp-error').textContent = '';
    dropSecret();
    show('off');
    $('totp-setup').focus();
  });

  function switchTotp(ev, on) {
    ev.preventDefault();
    $('totp-error').textContent = '';
    var input = on ? $('totp-enable-code') : $('totp-disable-code');
    var code = readCode(input);
    if (!code) return;
    var btn = ev.target.querySelector('button[type=submit]');
    btn.disabled = true;
    L.api('POST', on ? '/api/v1/auth/totp/enable' : '/api/v1/auth/totp/disable', { code: code })
      .then(
        function () {
          input.value = '';
          dropSecret();
          show(on ? 'on' : 'off');
          $('totp-state').textContent = t(on ? (required ? 'totpEnabledGo' : 'totpEnabled') : 'totpDisabled');
          (on ? $('totp-disable-code') : $('totp-setup')).focus();
        },
        function (e) {
          input.value = '';
          $('totp-error').textContent = errorText(e);
          input.focus();
        }
      )
      .then(function () {
        btn.disabled = false;
      });
  }

  $('totp-pending').addEventListener('submit', function (ev) {
    switchTotp(ev, true);
  });
  $('totp-on').addEventListener('submit', function (ev) {
    switchTotp(ev, false);
  });

  // ---- change one's password ----

  function pwProblem(input, key) {
    input.setAttribute('aria-invalid', 'true');
    $('pw-error').textContent = t(key);
    input.focus();
  }

  $('pw-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var cur = $('pw-current');
    var nw = $('pw-new');
    var rep = $('pw-repeat');
    $('pw-error').textContent = '';
    $('pw-state').textContent = '';
    [cur, nw, rep].forEach(function (i) {
      i.removeAttribute('aria-invalid');
    });
    if (!cur.value) return pwProblem(cur, 'pwNoCurrent');
    if (nw.value.length < 8) return pwProblem(nw, 'pwTooShort');
    if (nw.value !== rep.value) return pwProblem(rep, 'pwMismatch');
    var btn = $('pw-save');
    btn.disabled = true;
    L.api('POST', '/api/v1/auth/password', { current_password: cur.value, new_password: nw.value })
      .then(
        function (r) {
          cur.value = nw.value = rep.value = '';
          var n = (r && r.sessions_ended) || 0;
          $('pw-state').textContent = t('pwChanged') + ' ' + t(n === 0 ? 'pwOthers0' : n === 1 ? 'pwOthers1' : 'pwOthersN', { n: n });
        },
        function (e) {
          if (e.status === 401) {
            location.href = '/console/'; // the session ended meanwhile
          } else if (e.status === 429) {
            $('pw-error').textContent = t('tooMany');
          } else if (e.code === 'invalid_field' && /current_password/.test(e.message)) {
            cur.value = '';
            pwProblem(cur, 'pwWrongCurrent');
          } else if (L.passwordError(e)) {
            // a common password, or one built on the address or name
            nw.setAttribute('aria-invalid', 'true');
            $('pw-error').textContent = L.passwordError(e);
            nw.focus();
          } else {
            $('pw-error').textContent = t('failed', { msg: e.message });
          }
        }
      )
      .then(function () {
        btn.disabled = false;
      });
  });

  $('logout-all').addEventListener('click', function () {
    $('sess-error').textContent = '';
    if (!window.confirm(t('sessConfirm'))) return;
    L.api('POST', '/api/v1/auth/logout-all').then(
      function () {
        location.href = '/console/';
      },
      function (e) {
        $('sess-error').textContent = t('failed', { msg: e.message });
      }
    );
  });

  $('lang-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var v = $('lang-choice').value;
    $('lang-error').textContent = '';
    $('lang-save').disabled = true;
    L.setLanguage(v || null).catch(function (e) {
      $('lang-save').disabled = false;
      $('lang-error').textContent = t('langFailed', { msg: e.message });
    });
  });

  L.start({ roles: ['agent', 'supervisor', 'admin'], page: 'account' }).then(function (user) {
    document.title = t('accTitle') + ' · loket console';
    $('lang-choice').value = user.language || '';
    $('acc-who').textContent = t('accWho', { email: user.email });
    $('pw-user').value = user.email; // for password managers
    return load();
  });
});
