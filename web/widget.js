/*
 * loket chat widget.
 *
 * Embed with one tag:
 *   <script src="https://HOST/widget.js" data-loket-language="nl" defer></script>
 *
 * Plain JavaScript, no framework, no build step. Everything the widget draws
 * lives in a shadow root, so the host page's CSS cannot reach in and ours
 * cannot leak out. It talks to the loket server it was loaded from: the
 * customer API (POST/GET /api/v1/conversations...) and the conversation's
 * WebSocket, which it reopens with back-off after a drop and resumes from the
 * last seq it saw, so no message is lost or shown twice. The conversation id
 * and token are kept in sessionStorage: a reload keeps the conversation.
 *
 * Every text from the server is put in the page with textContent (or text
 * nodes), never as HTML. docs/widget.md describes the options.
 */
(function () {
  'use strict';

  if (window.__loketWidget) return; // loaded twice: keep the first
  var script = document.currentScript || document.querySelector('script[src*="widget.js"]');
  var data = (script && script.dataset) || {};
  var BASE = script && script.src ? new URL(script.src, location.href).origin : location.origin;
  var WS_BASE = BASE.replace(/^http/, 'ws');

  var opts = {
    // any BCP 47 tag for the conversation (loket answers German and French
    // customers in their language); the interface itself is Dutch or English
    language: /^[a-z]{2,3}(-([A-Za-z]{2}|[0-9]{3}))?$/.test(data.loketLanguage || '') ? data.loketLanguage : 'nl',
    title: data.loketTitle || '',
    phone: data.loketPhone || '',
    email: data.loketEmail || '',
    color: /^#[0-9a-fA-F]{3,8}$/.test(data.loketColor || '') ? data.loketColor : '#1b5e4b',
    startOpen: data.loketStartOpen === 'true',
    storage: data.loketStorage === 'local' ? 'local' : 'session',
    // who the customer is, when the host page knows (the agents' history);
    // signed by the company's site (docs/widget.md, "Verified identity"),
    // else loket treats it as unverified
    customer: {
      email: data.loketCustomerEmail || undefined,
      external_id: data.loketCustomerId || undefined,
      name: data.loketCustomerName || undefined,
      signature: data.loketCustomerSignature || undefined,
      timestamp: data.loketCustomerTimestamp || undefined,
    },
  };

  var POLL_QUEUED_MS = 15000;

  // ---- strings (B1: short sentences, everyday words) -------------------------

  var STR = {
    nl: {
      launcher: 'Chat met ons',
      launcherUnread: 'nieuw bericht',
      title: 'Klantenservice',
      close: 'Chat verkleinen',
      whoBot: 'Digitale assistent (AI)',
      whoQueued: 'Wachten op een medewerker',
      whoAgent: '{name} (medewerker)',
      anAgent: 'Een medewerker',
      whoPrefix: 'Je praat met: ',
      log: 'Gesprek',
      lblBot: 'Digitale assistent · automatisch antwoord',
      lblSystem: 'Automatisch bericht',
      lblAgent: '{name} · medewerker',
      lblYou: 'Jij',
      human: 'Praat met een medewerker',
      humanBusy: 'Even geduld…',
      input: 'Typ je vraag',
      placeholder: 'Typ je vraag…',
      send: 'Verstuur',
      sending: 'Versturen…',
      altLead: 'Liever bellen of mailen?',
      altPhone: 'Bel {phone}',
      altMail: 'Mail {email}',
      queuePos: 'Je bent nummer {n} in de wachtrij.',
      queueNext: 'Je bent de volgende in de wachtrij.',
      waitTitle: 'Je wacht op een medewerker',
      waitIs: 'Verwachte wachttijd: {range}.',
      waitUnder: 'minder dan {d}',
      waitAbout: 'ongeveer {d}',
      waitFromTo: '{a} tot {b}',
      durMin1: '1 minuut',
      durMin: '{n} minuten',
      durHour: '{n} uur',
      durHourHalf: '{n},5 uur',
      durHourMin: '{n} uur en {m} minuten',
      durSec: '{n} seconden',
      durFew: 'een paar seconden',
      queueNextStep: 'Zodra een medewerker vrij is, neemt die het gesprek hier over. Je hoeft niets te doen en kunt alvast meer vertellen.',
      queueAway: 'Er is nu geen medewerker beschikbaar. Je gesprek blijft in de wachtrij staan.',
      queueAwayStep: 'Laat je telefoonnummer of e-mailadres achter, dan nemen we contact met je op.',
      cbOpen: 'Liever teruggebeld of gemaild worden?',
      cbLabel: 'Je telefoonnummer of e-mailadres',
      cbSend: 'Vraag terugbellen aan',
      cbBad: 'Vul een telefoonnummer of e-mailadres in.',
      cbDone: 'Je terugbelverzoek is verstuurd. We nemen contact met je op via {contact}.',
      busyStart: 'Het is nu erg druk in de chat. Probeer het over {wait} opnieuw; de chat probeert het dan ook zelf.',
      busySend: 'Je stuurt veel berichten kort na elkaar. Probeer het over {wait} opnieuw.',
      busyPhoneMail: 'Je kunt ons ook bellen op {phone} of mailen naar {email}.',
      busyPhone: 'Je kunt ons ook bellen op {phone}.',
      busyMail: 'Je kunt ons ook mailen naar {email}.',
      fbQ: 'Heeft dit antwoord je geholpen?',
      fbYes: 'Ja, dit helpt',
      fbNo: 'Nee',
      fbThanks: 'Bedankt voor je reactie.',
      choicesQ: 'Kies een onderwerp',
      choiceNone: 'Geen van deze',
      rateQ: 'Hoe tevreden ben je over dit gesprek?',
      rateStar: '{n} van de 5 sterren',
      rateComment: 'Wil je nog iets zeggen? (mag leeg blijven)',
      rateSend: 'Verstuur beoordeling',
      rateNeed: 'Kies eerst 1 tot 5 sterren.',
      rateThanks: 'Bedankt voor je beoordeling!',
      starting: 'Een moment…',
      offline: 'Geen verbinding. We proberen het opnieuw…',
      error: 'Dat lukte niet. Probeer het nog eens.',
      tooLong: 'Je bericht is te lang. Maak het wat korter.',
      errorStart: 'De chat kan nu niet starten. Probeer het later nog eens, of bel of mail ons.',
      newChat: 'Nieuw gesprek',
      linkNew: '(opent in een nieuw venster)',
    },
    en: {
      launcher: 'Chat with us',
      launcherUnread: 'new message',
      title: 'Customer service',
      close: 'Minimise chat',
      whoBot: 'Digital assistant (AI)',
      whoQueued: 'Waiting for a person',
      whoAgent: '{name} (customer service)',
      anAgent: 'A person from our team',
      whoPrefix: 'You are talking to: ',
      log: 'Conversation',
      lblBot: 'Digital assistant · automated reply',
      lblSystem: 'Automated message',
      lblAgent: '{name} · customer service',
      lblYou: 'You',
      human: 'Talk to a person',
      humanBusy: 'One moment…',
      input: 'Type your question',
      placeholder: 'Type your question…',
      send: 'Send',
      sending: 'Sending…',
      altLead: 'Rather call or e-mail?',
      altPhone: 'Call {phone}',
      altMail: 'E-mail {email}',
      queuePos: 'You are number {n} in the queue.',
      queueNext: 'You are next in the queue.',
      waitTitle: 'You are waiting for a person',
      waitIs: 'Expected wait: {range}.',
      waitUnder: 'less than {d}',
      waitAbout: 'about {d}',
      waitFromTo: '{a} to {b}',
      durMin1: '1 minute',
      durMin: '{n} minutes',
      durHour1: '1 hour',
      durHour: '{n} hours',
      durHourHalf: '{n}.5 hours',
      durHourMin: '{n} hours and {m} minutes',
      durHour1Min: '1 hour and {m} minutes',
      durSec: '{n} seconds',
      durFew: 'a few seconds',
      waitUnderMinute: 'less than a minute',
      queueNextStep: 'As soon as a person from our team is free, they take over this conversation here. You need not do anything, and you can already tell us more.',
      queueAway: 'No one from our team is available right now. Your conversation stays in the queue.',
      queueAwayStep: 'Leave your phone number or e-mail address and we will get back to you.',
      cbOpen: 'Rather be called or e-mailed back?',
      cbLabel: 'Your phone number or e-mail address',
      cbSend: 'Request a call-back',
      cbBad: 'Please enter a phone number or an e-mail address.',
      cbDone: 'Your call-back request has been sent. We will contact you at {contact}.',
      busyStart: 'The chat is very busy right now. Please try again in {wait}; the chat will also try again by itself.',
      busySend: 'You are sending many messages in a short time. Please try again in {wait}.',
      busyPhoneMail: 'You can also call us on {phone} or e-mail {email}.',
      busyPhone: 'You can also call us on {phone}.',
      busyMail: 'You can also e-mail {email}.',
      fbQ: 'Did this answer help you?',
      fbYes: 'Yes, this helps',
      fbNo: 'No',
      fbThanks: 'Thank you for your feedback.',
      choicesQ: 'Pick a subject',
      choiceNone: 'None of these',
      rateQ: 'How happy are you with this conversation?',
      rateStar: '{n} out of 5 stars',
      rateComment: 'Anything else you want to tell us? (optional)',
      rateSend: 'Send rating',
      rateNeed: 'Please choose 1 to 5 stars first.',
      rateThanks: 'Thank you for your rating!',
      starting: 'One moment…',
      offline: 'No connection. Trying again…',
      error: 'That did not work. Please try again.',
      tooLong: 'Your message is too long. Please make it shorter.',
      errorStart: 'The chat cannot start right now. Please try again later, or call or e-mail us.',
      newChat: 'New conversation',
      linkNew: '(opens in a new window)',
    },
    de: {
      launcher: 'Chatten Sie mit uns',
      launcherUnread: 'neue Nachricht',
      title: 'Kundenservice',
      close: 'Chat verkleinern',
      whoBot: 'Digitaler Assistent (KI)',
      whoQueued: 'Warten auf einen Mitarbeiter',
      whoAgent: '{name} (Kundenservice)',
      anAgent: 'Ein Mitarbeiter',
      whoPrefix: 'Sie sprechen mit: ',
      log: 'Gespräch',
      lblBot: 'Digitaler Assistent · automatische Antwort',
      lblSystem: 'Automatische Nachricht',
      lblAgent: '{name} · Kundenservice',
      lblYou: 'Sie',
      human: 'Mit einem Mitarbeiter sprechen',
      humanBusy: 'Einen Moment…',
      input: 'Geben Sie Ihre Frage ein',
      placeholder: 'Geben Sie Ihre Frage ein…',
      send: 'Senden',
      sending: 'Wird gesendet…',
      altLead: 'Lieber anrufen oder mailen?',
      altPhone: 'Anrufen: {phone}',
      altMail: 'E-Mail an {email}',
      queuePos: 'Sie sind Nummer {n} in der Warteschlange.',
      queueNext: 'Sie sind als Nächstes dran.',
      waitTitle: 'Sie warten auf einen Mitarbeiter',
      waitIs: 'Erwartete Wartezeit: {range}.',
      waitUnder: 'weniger als {d}',
      waitAbout: 'etwa {d}',
      waitFromTo: '{a} bis {b}',
      durMin1: '1 Minute',
      durMin: '{n} Minuten',
      durHour1: '1 Stunde',
      durHour: '{n} Stunden',
      durHourHalf: '{n},5 Stunden',
      durHourMin: '{n} Stunden und {m} Minuten',
      durHour1Min: '1 Stunde und {m} Minuten',
      durSec: '{n} Sekunden',
      durFew: 'ein paar Sekunden',
      waitUnderMinute: 'weniger als eine Minute',
      queueNextStep: 'Sobald ein Mitarbeiter frei ist, übernimmt er das Gespräch hier. Sie müssen nichts tun und können uns schon mehr erzählen.',
      queueAway: 'Zurzeit ist kein Mitarbeiter erreichbar. Ihr Gespräch bleibt in der Warteschlange.',
      queueAwayStep: 'Hinterlassen Sie Ihre Telefonnummer oder E-Mail-Adresse, dann melden wir uns bei Ihnen.',
      cbOpen: 'Lieber einen Rückruf oder eine E-Mail?',
      cbLabel: 'Ihre Telefonnummer oder E-Mail-Adresse',
      cbSend: 'Rückruf anfordern',
      cbBad: 'Bitte geben Sie eine Telefonnummer oder E-Mail-Adresse ein.',
      cbDone: 'Ihre Rückrufbitte ist verschickt. Wir melden uns über {contact}.',
      busyStart: 'Im Chat ist gerade sehr viel los. Bitte versuchen Sie es in {wait} erneut; der Chat versucht es dann auch selbst.',
      busySend: 'Sie senden viele Nachrichten kurz hintereinander. Bitte versuchen Sie es in {wait} erneut.',
      busyPhoneMail: 'Sie können uns auch unter {phone} anrufen oder an {email} schreiben.',
      busyPhone: 'Sie können uns auch unter {phone} anrufen.',
      busyMail: 'Sie können uns auch an {email} schreiben.',
      fbQ: 'Hat Ihnen diese Antwort geholfen?',
      fbYes: 'Ja, das hilft',
      fbNo: 'Nein',
      fbThanks: 'Danke für Ihre Rückmeldung.',
      choicesQ: 'Wählen Sie ein Thema',
      choiceNone: 'Nichts davon',
      rateQ: 'Wie zufrieden sind Sie mit diesem Gespräch?',
      rateStar: '{n} von 5 Sternen',
      rateComment: 'Möchten Sie uns noch etwas sagen? (freiwillig)',
      rateSend: 'Bewertung senden',
      rateNeed: 'Bitte wählen Sie zuerst 1 bis 5 Sterne.',
      rateThanks: 'Danke für Ihre Bewertung!',
      starting: 'Einen Moment…',
      offline: 'Keine Verbindung. Wir versuchen es erneut…',
      error: 'Das hat nicht geklappt. Bitte versuchen Sie es noch einmal.',
      tooLong: 'Ihre Nachricht ist zu lang. Bitte kürzen Sie sie.',
      errorStart: 'Der Chat kann gerade nicht starten. Bitte versuchen Sie es später noch einmal, oder rufen Sie uns an oder schreiben Sie uns.',
      newChat: 'Neues Gespräch',
      linkNew: '(öffnet in einem neuen Fenster)',
    },
    fr: {
      launcher: 'Discutez avec nous',
      launcherUnread: 'nouveau message',
      title: 'Service client',
      close: 'Réduire le chat',
      whoBot: 'Assistant numérique (IA)',
      whoQueued: 'En attente d’un conseiller',
      whoAgent: '{name} (service client)',
      anAgent: 'Un conseiller',
      whoPrefix: 'Vous parlez avec : ',
      log: 'Conversation',
      lblBot: 'Assistant numérique · réponse automatique',
      lblSystem: 'Message automatique',
      lblAgent: '{name} · service client',
      lblYou: 'Vous',
      human: 'Parler à un conseiller',
      humanBusy: 'Un instant…',
      input: 'Tapez votre question',
      placeholder: 'Tapez votre question…',
      send: 'Envoyer',
      sending: 'Envoi…',
      altLead: 'Vous préférez appeler ou écrire ?',
      altPhone: 'Appeler le {phone}',
      altMail: 'Écrire à {email}',
      queuePos: 'Vous êtes numéro {n} dans la file d’attente.',
      queueNext: 'Vous êtes le prochain dans la file d’attente.',
      waitTitle: 'Vous attendez un conseiller',
      waitIs: 'Attente prévue : {range}.',
      waitUnder: 'moins de {d}',
      waitAbout: 'environ {d}',
      waitFromTo: '{a} à {b}',
      durMin1: '1 minute',
      durMin: '{n} minutes',
      durHour1: '1 heure',
      durHour: '{n} heures',
      durHourHalf: '{n},5 heures',
      durHourMin: '{n} heures et {m} minutes',
      durHour1Min: '1 heure et {m} minutes',
      durSec: '{n} secondes',
      durFew: 'quelques secondes',
      waitUnderMinute: 'moins d’une minute',
      queueNextStep: 'Dès qu’un conseiller est libre, il reprend la conversation ici. Vous n’avez rien à faire et pouvez déjà nous en dire plus.',
      queueAway: 'Aucun conseiller n’est disponible pour le moment. Votre conversation reste dans la file d’attente.',
      queueAwayStep: 'Laissez votre numéro de téléphone ou votre adresse e-mail, et nous vous recontacterons.',
      cbOpen: 'Vous préférez être rappelé ou recevoir un e-mail ?',
      cbLabel: 'Votre numéro de téléphone ou adresse e-mail',
      cbSend: 'Demander un rappel',
      cbBad: 'Veuillez saisir un numéro de téléphone ou une adresse e-mail.',
      cbDone: 'Votre demande de rappel est envoyée. Nous vous contacterons via {contact}.',
      busyStart: 'Le chat est très chargé en ce moment. Veuillez réessayer dans {wait} ; le chat réessaiera aussi de lui-même.',
      busySend: 'Vous envoyez beaucoup de messages en peu de temps. Veuillez réessayer dans {wait}.',
      busyPhoneMail: 'Vous pouvez aussi nous appeler au {phone} ou écrire à {email}.',
      busyPhone: 'Vous pouvez aussi nous appeler au {phone}.',
      busyMail: 'Vous pouvez aussi écrire à {email}.',
      fbQ: 'Cette réponse vous a-t-elle aidé ?',
      fbYes: 'Oui, cela m’aide',
      fbNo: 'Non',
      fbThanks: 'Merci pour votre avis.',
      choicesQ: 'Choisissez un sujet',
      choiceNone: 'Aucun de ces sujets',
      rateQ: 'Êtes-vous satisfait de cette conversation ?',
      rateStar: '{n} étoiles sur 5',
      rateComment: 'Autre chose à nous dire ? (facultatif)',
      rateSend: 'Envoyer la note',
      rateNeed: 'Veuillez d’abord choisir de 1 à 5 étoiles.',
      rateThanks: 'Merci pour votre note !',
      starting: 'Un instant…',
      offline: 'Pas de connexion. Nouvel essai…',
      error: 'Cela n’a pas marché. Veuillez réessayer.',
      tooLong: 'Votre message est trop long. Veuillez le raccourcir.',
      errorStart: 'Le chat ne peut pas démarrer pour le moment. Veuillez réessayer plus tard, ou appelez-nous ou écrivez-nous.',
      newChat: 'Nouvelle conversation',
      linkNew: '(s’ouvre dans une nouvelle fenêtre)',
    },
  };

  // ---- state ------------------------------------------------------------------

  var store = (function () {
    var s;
    try {
      s = opts.storage === 'local' ? window.localStorage : window.sessionStorage;
      s.setItem('loket:test', '1');
      s.removeItem('loket:test');
    } catch (e) {
      s = null; // storage blocked: the widget still works, without reload survival
    }
    var prefix = 'loket:' + BASE + ':';
    return {
      get: function (k) {
        try {
          var v = s && s.getItem(prefix + k);
          return v ? JSON.parse(v) : null;
        } catch (e) {
          return null;
        }
      },
      set: function (k, v) {
        try {
          if (s) s.setItem(prefix + k, JSON.stringify(v));
        } catch (e) {
          /* full or blocked */
        }
      },
      del: function (k) {
        try {
          if (s) s.removeItem(prefix + k);
        } catch (e) {
          /* blocked */
        }
      },
    };
  })();

  var state = {
    conv: null, // {id, token}
    info: null, // the last Conversation object seen (without messages)
    msgs: {}, // seq -> Message
    nodes: {}, // seq -> element
    lastSeq: 0,
    open: false,
    starting: null, // promise while creating the conversation
    pollTimer: null,
    refetchTimer: null,
    unread: 0,
    feedback: store.get('feedback') || {}, // message id -> true/false
    lastChoiceSeq: 0, // the last bot message that offered choices (the only one a pick may come from)
    ratingHidden: false,
  };

  // The interface's language: Dutch, English, German or French; a
  // conversation in any other language gets the English interface (the
  // messages are in its language).
  function lang() {
    var l = (state.info && state.info.language) || opts.language.split('-')[0];
    return l === 'nl' || l === 'de' || l === 'fr' ? l : 'en';
  }

  // The locale for times of day: 14:05 in all four.
  var LOCALE = { nl: 'nl-NL', en: 'en-GB', de: 'de-DE', fr: 'fr-FR' };

  // A key that a language's table lacks falls back to the English text.
  function t(key, vars) {
    var s = STR[lang()][key] || STR.en[key] || key;
    if (vars)
      s = s.replace(/\{(\w+)\}/g, function (_, k) {
        return vars[k] === undefined ? '' : String(vars[k]);
      });
    return s;
  }

  // ---- DOM helpers ------------------------------------------------------------

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs)
      for (var k in attrs) {
        if (!Object.prototype.hasOwnProperty.call(attrs, k) || attrs[k] === undefined || attrs[k] === null) continue;
        if (k === 'text') e.textContent = attrs[k];
        else if (k === 'class') e.className = attrs[k];
        else if (k === 'hidden') e.hidden = !!attrs[k];
        else e.setAttribute(k, attrs[k]);
      }
    if (children)
      for (var i = 0; i < children.length; i++)
        if (children[i]) e.appendChild(typeof children[i] === 'string' ? document.createTextNode(children[i]) : children[i]);
    return e;
  }

  var SVG_NS = 'http://www.w3.org/2000/svg';
  function icon(paths, size) {
    var s = document.createElementNS(SVG_NS, 'svg');
    s.setAttribute('viewBox', '0 0 24 24');
    s.setAttribute('width', size || 20);
    s.setAttribute('height', size || 20);
    s.setAttribute('aria-hidden', 'true');
    s.setAttribute('focusable', 'false');
    paths.forEach(function (d) {
      var p = document.createElementNS(SVG_NS, 'path');
      p.setAttribute('d', d);
      s.appendChild(p);
    });
    return s;
  }
  var ICON_CHAT = ['M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z'];
  var ICON_BOT = [
    'M12 2a1.5 1.5 0 0 1 1 2.6V6h4a3 3 0 0 1 3 3v8a3 3 0 0 1-3 3H7a3 3 0 0 1-3-3V9a3 3 0 0 1 3-3h4V4.6A1.5 1.5 0 0 1 12 2z',
    'M9 11.5a1.5 1.5 0 1 0 0 .01zM15 11.5a1.5 1.5 0 1 0 0 .01zM9 16h6',
  ];
  var ICON_PERSON = ['M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8z', 'M4 21a8 8 0 0 1 16 0'];
  var ICON_CLOSE = ['M6 6l12 12M18 6L6 18'];
  var ICON_PHONE = [
    'M5 3h3l2 5-2.5 1.5a11 11 0 0 0 7 7L16 14l5 2v3a2 2 0 0 1-2 2A16 16 0 0 1 3 5a2 2 0 0 1 2-2z',
  ];
  var ICON_MAIL = ['M3 6h18v12H3z', 'M3 6l9 7 9-7'];
  var ICON_CLOCK = ['M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18z', 'M12 7v5l3 2'];

  // Text with http(s) links made clickable; everything is a text node or an
  // <a> whose href is a checked http(s) URL.
  function richText(text) {
    var frag = document.createDocumentFragment();
    var re = /https?:\/\/[^\s<>"']+/g;
    var last = 0;
    var m;
    while ((m = re.exec(text))) {
      var url = m[0].replace(/[.,;:!?)\]]+$/, '');
      if (m.index > last) frag.appendChild(document.createTextNode(text.slice(last, m.index)));
      var a = el('a', { href: url, target: '_blank', rel: 'noopener noreferrer' });
      a.textContent = url;
      a.appendChild(el('span', { class: 'sr', text: ' ' + t('linkNew') }));
      frag.appendChild(a);
      last = m.index + url.length;
      re.lastIndex = last;
    }
    if (last < text.length) frag.appendChild(document.createTextNode(text.slice(last)));
    return frag;
  }

  function timeLabel(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return '';
    return d.toLocaleTimeString(LOCALE[lang()], { hour: '2-digit', minute: '2-digit' });
  }

  // ---- styles -----------------------------------------------------------------

  var CSS = [
    ':host{all:initial}',
    '*,*::before,*::after{box-sizing:border-box}',
    '.root{--c:' + opts.color + ';--ink:#1c2530;--muted:#4a5563;--line:#d5dbe3;--bot:#eef2f7;--bg:#fff;' +
      'font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);' +
      '-webkit-font-smoothing:antialiased;text-align:left;letter-spacing:normal;word-spacing:normal}',
    '.sr{position:absolute!important;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}',
    'button,textarea,input{font:inherit;color:inherit}',
    'button{cursor:pointer}',
    ':focus-visible{outline:3px solid #1a66d6;outline-offset:2px}',
    '.launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;display:flex;align-items:center;gap:8px;' +
      'min-height:52px;padding:0 20px 0 16px;border:2px solid #fff;border-radius:26px;background:var(--c);color:#fff;' +
      'font-weight:600;font-size:16px;box-shadow:0 6px 20px rgba(16,24,40,.28)}',
    '.launcher svg{fill:none;stroke:currentColor;stroke-width:2;stroke-linejoin:round}',
    '.launcher:hover{filter:brightness(1.08)}',
    '.badge{min-width:22px;height:22px;padding:0 6px;border-radius:11px;background:#b42318;color:#fff;font-size:13px;' +
      'line-height:22px;text-align:center}',
    '.panel{position:fixed;right:20px;bottom:20px;z-index:2147483001;width:380px;max-width:calc(100vw - 24px);' +
      'height:620px;max-height:calc(100vh - 40px);display:flex;flex-direction:column;background:var(--bg);' +
      'border:1px solid var(--line);border-radius:16px;box-shadow:0 16px 48px rgba(16,24,40,.3);overflow:hidden}',
    '.panel[hidden]{display:none}',
    '@media (max-width:480px),(max-height:520px){.panel{right:0;bottom:0;width:100vw;max-width:100vw;height:100%;' +
      'max-height:100%;border-radius:0}}',
    'header{display:flex;align-items:flex-start;gap:10px;padding:12px 12px 12px 16px;background:var(--c);color:#fff}',
    'header .hd{flex:1;min-width:0}',
    'h2{margin:0;font-size:16px;font-weight:700;line-height:1.3}',
    '.who{display:flex;align-items:center;gap:6px;margin:4px 0 0;font-size:14px;font-weight:600}',
    '.who svg{flex:none;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round}',
    '.who .pill{display:inline-block;padding:1px 8px;border-radius:10px;background:rgba(255,255,255,.18)}',
    '.x{flex:none;width:44px;height:44px;display:grid;place-items:center;border:0;border-radius:10px;background:transparent;color:#fff}',
    '.x:hover{background:rgba(255,255,255,.16)}',
    '.x svg{fill:none;stroke:currentColor;stroke-width:2.4;stroke-linecap:round}',
    '.x:focus-visible,.launcher:focus-visible{outline-color:#fff;box-shadow:0 0 0 5px #1a66d6}',
    '.queue{margin:0 0 8px;padding:10px 12px;background:#fff7e0;border:1px solid #f0d48a;border-radius:10px;color:#4d3800;font-size:14px}',
    '.queue[hidden],.queue [hidden]{display:none}',
    '.queue .qt{display:flex;gap:8px;align-items:center;margin:0 0 4px;font-weight:700}',
    '.queue svg{flex:none;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round}',
    '.queue p{margin:0 0 4px}',
    '.queue .lnk{padding:4px 0;border:0;background:none;color:#0b4fa8;text-decoration:underline;font-size:14px;min-height:32px}',
    '.queue form{display:flex;flex-wrap:wrap;gap:6px;align-items:flex-end;margin-top:4px}',
    '.queue label{flex-basis:100%;font-size:13.5px}',
    '.queue input{flex:1 1 12em;min-width:0;min-height:40px;padding:6px 10px;border:1.5px solid #6b7686;border-radius:8px;background:#fff}',
    '.conn{margin:0;padding:6px 16px;background:#fdecea;color:#7a1a12;font-size:13px}',
    '.conn[hidden]{display:none}',
    '.body{position:relative;flex:1;min-height:0;overflow-y:auto;padding:14px 14px 6px;background:#f7f9fb;overscroll-behavior:contain}',
    '.log{display:flex;flex-direction:column;gap:10px}',
    '.msg{max-width:88%;display:flex;flex-direction:column;gap:3px}',
    '.msg .lbl{display:flex;align-items:center;gap:5px;font-size:12.5px;font-weight:600;color:var(--muted)}',
    '.msg .lbl svg{fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round}',
    '.msg .lbl time{font-weight:400}',
    '.bubble{padding:9px 12px;border-radius:14px;white-space:pre-wrap;overflow-wrap:anywhere;word-break:normal}',
    '.bubble a{color:#0b4fa8;text-decoration:underline}',
    '.m-bot{align-self:flex-start}',
    '.m-bot .bubble{background:var(--bot);border:1px dashed #8d9bb0;border-top-left-radius:4px}',
    '.m-agent{align-self:flex-start}',
    '.m-agent .bubble{background:#fff;border:1.5px solid var(--c);border-top-left-radius:4px}',
    '.m-agent .lbl{color:var(--c)}',
    '.m-customer{align-self:flex-end;align-items:flex-end}',
    '.m-customer .bubble{background:var(--c);color:#fff;border-bottom-right-radius:4px}',
    '.m-customer .bubble a{color:#fff}',
    '.m-system{align-self:center;max-width:94%;align-items:center;text-align:center}',
    '.m-system .bubble{background:transparent;color:var(--muted);font-size:13.5px;padding:2px 8px}',
    '.fb{display:flex;flex-wrap:wrap;align-items:center;gap:6px;margin-top:2px;font-size:13.5px;color:var(--muted)}',
    '.fb button{min-height:32px;min-width:48px;padding:2px 12px;border:1.5px solid #6b7686;border-radius:16px;background:#fff;color:var(--ink);font-size:13.5px}',
    '.fb button:hover{border-color:var(--c)}',
    '.choices{display:flex;flex-wrap:wrap;gap:6px;margin-top:4px}',
    '.choices button{min-height:36px;padding:4px 14px;border:1.5px solid var(--c);border-radius:18px;background:#fff;color:var(--ink);font-size:14px;text-align:left}',
    '.choices button:hover{background:#f0f6f3}',
    '.choices button.none{border-color:#6b7686}',
    '.rating{margin:14px 0 6px;padding:12px 14px;background:#fff;border:1px solid var(--line);border-radius:12px}',
    '.rating[hidden]{display:none}',
    '.rating .thanks{margin:0;font-weight:600}',
    '.rating fieldset{border:0;margin:0;padding:0}',
    '.rating legend{padding:0;font-weight:600;margin-bottom:6px}',
    '.stars{position:relative;display:flex;gap:2px}',
    '.stars label{display:grid;place-items:center;width:40px;height:40px;font-size:28px;line-height:1;color:#6b7686;cursor:pointer;border-radius:8px}',
    '.stars label.on{color:#a35f00}',
    '.stars input:focus-visible+label{outline:3px solid #1a66d6;outline-offset:1px}',
    '.rating .cmt{display:block;margin:8px 0 4px;font-size:13.5px;color:var(--muted)}',
    '.rating textarea{width:100%;min-height:56px;padding:8px;border:1.5px solid #6b7686;border-radius:8px;resize:vertical}',
    '.rating .row{display:flex;align-items:center;gap:10px;margin-top:8px}',
    '.rating .hint{font-size:13.5px;color:#8a1c12}',
    '.btn{min-height:40px;padding:6px 14px;border:0;border-radius:10px;background:var(--c);color:#fff;font-weight:600}',
    '.btn:disabled,.btn[aria-disabled=true]{opacity:.7;cursor:default}',
    '.foot{border-top:1px solid var(--line);background:#fff;padding:10px 12px 8px}',
    '.human{width:100%;display:flex;align-items:center;justify-content:center;gap:8px;min-height:42px;margin-bottom:8px;' +
      'border:2px solid var(--c);border-radius:10px;background:#fff;color:var(--c);font-weight:700;font-size:15px}',
    '.human:hover{background:#f0f6f3}',
    '.human[hidden]{display:none}',
    '.human svg{fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round}',
    '.compose{display:flex;gap:8px;align-items:flex-end}',
    '.compose textarea{flex:1;min-height:44px;max-height:140px;padding:10px 12px;border:1.5px solid #6b7686;border-radius:10px;resize:none;background:#fff;line-height:1.4}',
    '.compose textarea::placeholder{color:#5d6878}',
    '.compose .btn{min-height:44px}',
    '.err{margin:6px 2px 0;font-size:13.5px;color:#8a1c12}',
    '.err:empty{display:none}',
    '.alt{display:flex;flex-wrap:wrap;align-items:center;gap:4px 12px;margin:8px 2px 0;font-size:13px;color:var(--muted)}',
    '.alt a{display:inline-flex;align-items:center;gap:4px;color:#0b4fa8;text-decoration:underline;min-height:24px}',
    '.alt svg{fill:none;stroke:currentColor;stroke-width:2;stroke-linejoin:round}',
    '@media (prefers-reduced-motion:no-preference){.panel{animation:up .16s ease-out}@keyframes up{from{opacity:0;transform:translateY(8px)}}}',
    '@media (forced-colors:active){.bubble,.launcher,.human,.btn{border:1px solid CanvasText}}',
  ].join('\n');

  // ---- build the DOM ----------------------------------------------------------

  var host = document.createElement('loket-widget');
  // Inline !important beats any rule of the host page on our host element.
  host.style.setProperty('all', 'initial', 'important');
  host.style.setProperty('display', 'block', 'important');
  host.style.setProperty('position', 'static', 'important');
  host.setAttribute('data-loket', '');
  var root = host.attachShadow({ mode: 'open' });
  try {
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
  } catch (e) {
    root.appendChild(el('style', { text: CSS }));
  }

  var ui = {};
  ui.root = el('div', { class: 'root' });
  ui.badge = el('span', { class: 'badge', hidden: true, 'aria-hidden': 'true' });
  ui.launcherText = el('span');
  ui.launcherSr = el('span', { class: 'sr' });
  ui.launcher = el('button', { class: 'launcher', type: 'button', 'aria-expanded': 'false', 'aria-controls': 'lk-panel' }, [
    icon(ICON_CHAT, 22),
    ui.launcherText,
    ui.badge,
    ui.launcherSr,
  ]);

  ui.title = el('h2', { id: 'lk-title' });
  ui.whoIcon = el('span', { 'aria-hidden': 'true' });
  ui.whoSr = el('span', { class: 'sr' });
  ui.whoText = el('span', { class: 'pill' });
  ui.who = el('p', { class: 'who', id: 'lk-who' }, [ui.whoIcon, ui.whoSr, ui.whoText]);
  ui.close = el('button', { class: 'x', type: 'button' }, [icon(ICON_CLOSE, 22)]);
  var header = el('header', null, [el('div', { class: 'hd' }, [ui.title, ui.who]), ui.close]);

  // The waiting state, in place of the person button while queued: where the
  // customer stands, what happens next, and the call-back request.
  ui.queueTitle = el('span', { id: 'lk-wait-title' });
  ui.queueText = el('p', { role: 'status' });
  ui.queueNext = el('p');
  ui.cbOpen = el('button', { class: 'lnk', type: 'button', 'aria-expanded': 'false', 'aria-controls': 'lk-cb' });
  ui.cbLabel = el('label', { for: 'lk-cb-contact' });
  ui.cbInput = el('input', { id: 'lk-cb-contact', type: 'text', maxlength: '254', autocomplete: 'tel', inputmode: 'text' });
  ui.cbSend = el('button', { class: 'btn', type: 'submit' });
  ui.cbForm = el('form', { id: 'lk-cb', novalidate: '', hidden: true }, [ui.cbLabel, ui.cbInput, ui.cbSend]);
  ui.cbMsg = el('p', { role: 'status' });
  ui.queue = el('section', { class: 'queue', 'aria-labelledby': 'lk-wait-title', tabindex: '-1', hidden: true }, [
    el('p', { class: 'qt' }, [icon(ICON_CLOCK, 18), ui.queueTitle]),
    ui.queueText,
    ui.queueNext,
    ui.cbOpen,
    ui.cbForm,
    ui.cbMsg,
  ]);
  ui.conn = el('p', { class: 'conn', role: 'status', hidden: true });

  ui.log = el('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions', id: 'lk-log' });
  ui.rating = el('div', { class: 'rating', hidden: true });
  ui.body = el('div', { class: 'body', tabindex: '0' }, [ui.log, ui.rating]);

  ui.humanText = el('span');
  ui.human = el('button', { class: 'human', type: 'button' }, [icon(ICON_PERSON, 20), ui.humanText]);
  ui.input = el('textarea', { id: 'lk-input', rows: '1', maxlength: '4000', autocomplete: 'off' });
  ui.inputLabel = el('label', { for: 'lk-input', class: 'sr' });
  ui.send = el('button', { class: 'btn', type: 'submit' });
  ui.compose = el('form', { class: 'compose', novalidate: '' }, [ui.inputLabel, ui.input, ui.send]);
  ui.err = el('p', { class: 'err', role: 'alert' });
  ui.alt = el('p', { class: 'alt' });
  var foot = el('div', { class: 'foot' }, [ui.queue, ui.human, ui.compose, ui.err, ui.alt]);

  ui.panel = el('section', { class: 'panel', id: 'lk-panel', role: 'dialog', 'aria-labelledby': 'lk-title', 'aria-describedby': 'lk-who', hidden: true }, [
    header,
    ui.conn,
    ui.body,
    foot,
  ]);
  ui.root.appendChild(ui.launcher);
  ui.root.appendChild(ui.panel);
  root.appendChild(ui.root);

  // ---- rendering --------------------------------------------------------------

  function renderChrome() {
    ui.root.setAttribute('lang', lang());
    ui.launcherText.textContent = t('launcher');
    ui.title.textContent = opts.title || t('title');
    ui.close.setAttribute('aria-label', t('close'));
    ui.close.title = t('close');
    ui.log.setAttribute('aria-label', t('log'));
    ui.body.setAttribute('aria-label', t('log'));
    ui.inputLabel.textContent = t('input');
    ui.input.placeholder = t('placeholder');
    if (!busy) ui.send.textContent = t('send');
    if (!handing) ui.humanText.textContent = t('human');
    renderAlt();
    renderWho();
    renderQueue();
    renderUnread();
  }

  function renderAlt() {
    ui.alt.textContent = '';
    if (!opts.phone && !opts.email) {
      ui.alt.hidden = true;
      return;
    }
    ui.alt.hidden = false;
    ui.alt.appendChild(el('span', { text: t('altLead') }));
    if (opts.phone) {
      var a = el('a', { href: 'tel:' + opts.phone.replace(/[^\d+]/g, '') }, [icon(ICON_PHONE, 15)]);
      a.appendChild(document.createTextNode(t('altPhone', { phone: opts.phone })));
      ui.alt.appendChild(a);
    }
    if (opts.email) {
      var b = el('a', { href: 'mailto:' + opts.email }, [icon(ICON_MAIL, 15)]);
      b.appendChild(document.createTextNode(t('altMail', { email: opts.email })));
      ui.alt.appendChild(b);
    }
  }

  function agentName() {
    if (state.info && state.info.agent_name) return state.info.agent_name;
    var seqs = sortedSeqs();
    for (var i = seqs.length - 1; i >= 0; i--) {
      var m = state.msgs[seqs[i]];
      if (m.sender === 'agent' && m.author_name) return m.author_name;
    }
    return '';
  }

  var lastWho = '';
  function renderWho() {
    var st = state.info ? state.info.status : 'bot';
    var text, ic;
    if (st === 'queued') {
      text = t('whoQueued');
      ic = ICON_CLOCK;
    } else if (st === 'assigned') {
      var n = agentName();
      text = n ? t('whoAgent', { name: n }) : t('anAgent');
      ic = ICON_PERSON;
    } else {
      text = t('whoBot');
      ic = ICON_BOT;
    }
    ui.whoSr.textContent = t('whoPrefix');
    ui.whoText.textContent = text;
    if (lastWho !== st) {
      ui.whoIcon.textContent = '';
      ui.whoIcon.appendChild(icon(ic, 18));
      lastWho = st;
    }
    ui.who.setAttribute('data-status', st);
  }

  // "3 minuten", "1 uur", "1,5 uur", "1 uur en 15 minuten" (the server
  // rounds the estimate to whole minutes, 5 or 15 minutes, or hours).
  function duration(sec) {
    var m = Math.round(sec / 60);
    if (m < 60 || m % 15 !== 0) return m === 1 ? t('durMin1') : t('durMin', { n: m });
    var h = Math.floor(m / 60);
    var q = m % 60;
    // Dutch says "1 uur" like "2 uur"; the others have a singular.
    if (q === 0) return h === 1 && lang() !== 'nl' ? t('durHour1') : t('durHour', { n: h });
    if (q === 30) return t('durHourHalf', { n: h });
    return h === 1 && lang() !== 'nl' ? t('durHour1Min', { m: q }) : t('durHourMin', { n: h, m: q });
  }

  // The estimate as a range: "minder dan 4 minuten", "2 tot 5 minuten".
  function waitRange(lo, hi) {
    if (hi <= 60) return lang() === 'nl' ? t('waitUnder', { d: 'een minuut' }) : t('waitUnderMinute');
    if (lo < 60) return t('waitUnder', { d: duration(hi) });
    if (hi <= lo) return t('waitAbout', { d: duration(lo) });
    var a = Math.round(lo / 60);
    var b = Math.round(hi / 60);
    if ((a < 60 || a % 15) && (b < 60 || b % 15)) return t('waitFromTo', { a: a, b: duration(hi) });
    return t('waitFromTo', { a: duration(lo), b: duration(hi) });
  }

  // While queued, the waiting state takes the person button's place.
  function renderQueue() {
    var c = state.info;
    var queued = !!(c && c.status === 'queued');
    ui.human.hidden = queued;
    if (!queued) {
      ui.queue.hidden = true;
      return;
    }
    ui.queueTitle.textContent = t('waitTitle');
    var parts = [];
    var away = c.people_available === false;
    if (c.queue_position === 1) parts.push(t('queueNext'));
    else if (c.queue_position > 1) parts.push(t('queuePos', { n: c.queue_position }));
    if (away) {
      parts.push(t('queueAway'));
    } else {
      var lo = c.estimated_wait_min_seconds;
      var hi = c.estimated_wait_max_seconds;
      if (typeof lo === 'number' && typeof hi === 'number') parts.push(t('waitIs', { range: waitRange(lo, hi) }));
    }
    var s = parts.join(' ');
    var next = away ? t('queueAwayStep') : t('queueNextStep');
    var stick = nearBottom();
    if (ui.queueText.textContent !== s) ui.queueText.textContent = s;
    if (ui.queueNext.textContent !== next) ui.queueNext.textContent = next;
    ui.cbOpen.textContent = t('cbOpen');
    ui.cbLabel.textContent = t('cbLabel');
    ui.cbSend.textContent = t('cbSend');
    // nobody there: the call-back form is the way forward, shown at once
    if (away && !state.cbSent) showCallbackForm(false);
    ui.queue.hidden = false;
    if (stick) scrollDown();
  }

  function showCallbackForm(focus) {
    ui.cbForm.hidden = false;
    ui.cbOpen.hidden = true;
    ui.cbOpen.setAttribute('aria-expanded', 'true');
    if (focus) ui.cbInput.focus();
  }

  function renderUnread() {
    ui.badge.hidden = state.unread === 0;
    ui.badge.textContent = String(state.unread);
    ui.launcherSr.textContent = state.unread ? ' (' + state.unread + ' ' + t('launcherUnread') + ')' : '';
  }

  function sortedSeqs() {
    return Object.keys(state.msgs)
      .map(Number)
      .sort(function (a, b) {
        return a - b;
      });
  }

  function renderMessage(m) {
    var sender = m.sender;
    var cls = 'msg m-' + (sender === 'bot' || sender === 'agent' || sender === 'customer' || sender === 'system' ? sender : 'system');
    var lblIcon = sender === 'bot' ? icon(ICON_BOT, 15) : sender === 'agent' ? icon(ICON_PERSON, 15) : null;
    var time = el('time', { datetime: m.created_at, text: timeLabel(m.created_at) });
    var lbl = el('div', { class: 'lbl' }, [lblIcon, el('span', { class: 'lt', text: labelFor(m) }), el('span', { 'aria-hidden': 'true', text: '·' }), time]);
    var bubble = el('div', { class: 'bubble' });
    bubble.appendChild(richText(String(m.text || '')));
    var node = el('div', { class: cls, 'data-seq': String(m.seq), 'data-sender': sender, 'data-automated': m.automated ? 'true' : 'false' }, [lbl, bubble]);
    if (sender === 'bot' && m.article_id) node.appendChild(feedbackFor(m));
    if (sender === 'bot' && m.choices && m.choices.length) {
      if (m.seq > state.lastChoiceSeq) state.lastChoiceSeq = m.seq;
      node.appendChild(choicesFor(m));
    }
    return node;
  }

  // Ask instead of guess: the bot's choices as buttons (the person button
  // stays beside them, below). A pick sends the title as the customer's words
  // and the article as "choice"; "none of these" is said in words, which the
  // bot reads as such and hands over. Only the last offer keeps its buttons,
  // and only until the customer says something after it.
  function choicesFor(m) {
    var box = el('div', { class: 'choices', role: 'group', 'aria-label': t('choicesQ') });
    var sending = false;
    function pick(c, btn) {
      if (sending) return;
      sending = true;
      showError('');
      btn.setAttribute('aria-disabled', 'true');
      var p = c ? sendChoice(c) : sendMessage(t('choiceNone'));
      p.then(
        function () {
          if (root.activeElement && box.contains(root.activeElement)) ui.input.focus();
          box.remove();
        },
        function () {
          sending = false;
          btn.removeAttribute('aria-disabled');
          showError(t('error'));
        }
      );
    }
    m.choices.forEach(function (c) {
      if (!c || typeof c.article_id !== 'string') return;
      var b = el('button', { type: 'button', 'data-choice': c.article_id }, [String(c.title || c.article_id)]);
      b.addEventListener('click', function () {
        pick(c, b);
      });
      box.appendChild(b);
    });
    var none = el('button', { type: 'button', class: 'none', 'data-choice': '' }, [t('choiceNone')]);
    none.addEventListener('click', function () {
      pick(null, none);
    });
    box.appendChild(none);
    return box;
  }

  // Takes the buttons away from offers a pick can no longer come from: every
  // offer but the last, the last once the customer wrote after it, and all
  // once the bot no longer has the conversation.
  function retireChoices() {
    sortedSeqs().forEach(function (seq) {
      var n = state.nodes[seq];
      var box = n && n.querySelector('.choices');
      if (!box) return;
      // a person has the conversation now: no bot to answer a pick
      var later = seq !== state.lastChoiceSeq || (state.info && state.info.status && state.info.status !== 'bot');
      for (var s in state.msgs) if (+s > seq && state.msgs[s].sender === 'customer') later = true;
      if (later) {
        if (box.contains(root.activeElement)) ui.input.focus();
        box.remove();
      }
    });
  }

  function labelFor(m) {
    if (m.sender === 'bot') return t('lblBot');
    if (m.sender === 'agent') return t('lblAgent', { name: m.author_name || t('anAgent') });
    if (m.sender === 'customer') return t('lblYou');
    return t('lblSystem');
  }

  // After a change of language: the labels of the shown messages change in
  // place (rebuilding the log would make screen readers read it all again).
  function relabelAll() {
    sortedSeqs().forEach(function (seq) {
      var n = state.nodes[seq];
      if (!n) return;
      n.querySelector('.lt').textContent = labelFor(state.msgs[seq]);
      n.querySelectorAll('.bubble .sr').forEach(function (x) {
        x.textContent = ' ' + t('linkNew');
      });
      var ch = n.querySelector('.choices');
      if (ch) {
        ch.setAttribute('aria-label', t('choicesQ'));
        var nb = ch.querySelector('button.none');
        if (nb) nb.textContent = t('choiceNone');
      }
      var fb = n.querySelector('.fb');
      if (!fb) return;
      fb.setAttribute('aria-label', t('fbQ'));
      fb.querySelectorAll('button').forEach(function (b) {
        b.textContent = t(b.getAttribute('data-helpful') === 'true' ? 'fbYes' : 'fbNo');
      });
      var q = fb.querySelector('.sr');
      if (q) q.textContent = t('fbQ');
      var thanks = fb.querySelector('span:not(.sr)');
      if (thanks && !fb.querySelector('button')) thanks.textContent = t('fbThanks');
    });
  }

  function feedbackFor(m) {
    var box = el('div', { class: 'fb', role: 'group', 'aria-label': t('fbQ') });
    if (state.feedback[m.id] !== undefined) {
      box.appendChild(el('span', { text: t('fbThanks') }));
      return box;
    }
    // The bot's answer itself ends with the question; the buttons answer it.
    var yes = el('button', { type: 'button', 'data-helpful': 'true' }, [t('fbYes')]);
    var no = el('button', { type: 'button', 'data-helpful': 'false' }, [t('fbNo')]);
    var sending = false;
    function give(helpful) {
      if (sending) return;
      sending = true;
      sendFeedback(m, helpful).then(
        function () {
          state.feedback[m.id] = helpful;
          store.set('feedback', state.feedback);
          var hadFocus = root.activeElement === yes || root.activeElement === no;
          box.textContent = '';
          var thanks = el('span', { role: 'status', tabindex: '-1', text: t('fbThanks') });
          box.appendChild(thanks);
          if (hadFocus) thanks.focus();
        },
        function () {
          sending = false;
          showError(t('error'));
        }
      );
    }
    yes.addEventListener('click', function () {
      give(true);
    });
    no.addEventListener('click', function () {
      give(false);
    });
    box.appendChild(el('span', { class: 'sr', text: t('fbQ') }));
    box.appendChild(yes);
    box.appendChild(no);
    return box;
  }

  function nearBottom() {
    return ui.body.scrollHeight - ui.body.scrollTop - ui.body.clientHeight < 80;
  }

  function scrollDown() {
    ui.body.scrollTop = ui.body.scrollHeight;
  }

  // Adds a message once (by seq) and keeps the log in seq order.
  function addMessage(m, opt) {
    if (!m || typeof m.seq !== 'number') return false;
    if (state.msgs[m.seq]) return false;
    var stick = nearBottom();
    state.msgs[m.seq] = m;
    var node = renderMessage(m);
    state.nodes[m.seq] = node;
    // insert before the first rendered message with a higher seq
    var next = null;
    var seqs = sortedSeqs();
    for (var i = 0; i < seqs.length; i++)
      if (seqs[i] > m.seq && state.nodes[seqs[i]]) {
        next = state.nodes[seqs[i]];
        break;
      }
    ui.log.insertBefore(node, next);
    if (m.seq > state.lastSeq) state.lastSeq = m.seq;
    if (!(opt && opt.quiet) && m.sender !== 'customer' && !(state.open && document.visibilityState !== 'hidden')) {
      state.unread++;
      renderUnread();
    }
    if (stick || (opt && opt.scroll)) scrollDown();
    if (m.sender === 'agent') renderWho();
    if (state.lastChoiceSeq) retireChoices();
    return true;
  }

  // A POST's reply holds the conversation as that request left it. Replies to
  // requests that overlapped (a message, and the person button pressed while
  // it was under way) can arrive in either order: a state older than the one
  // shown is not applied (it would put a queued conversation back with the
  // bot); a fresh read settles it instead. (A read is always applied, so a
  // server clock set back cannot freeze the widget.)
  function setInfoFromReply(c) {
    var cur = state.info;
    if (c && cur && c.id === cur.id && c.updated_at && cur.updated_at && c.updated_at < cur.updated_at) {
      refetchSoon();
      return;
    }
    setInfo(c);
  }

  function setInfo(c) {
    if (!c || !c.id) return;
    var prevLang = lang();
    var prevStatus = state.info && state.info.status;
    var info = {};
    for (var k in c) if (k !== 'messages' && k !== 'new_messages' && k !== 'token') info[k] = c[k];
    state.info = info;
    if (lang() !== prevLang) {
      renderChrome();
      relabelAll();
      renderRating();
    } else {
      renderWho();
      renderQueue();
    }
    if (prevStatus !== info.status) {
      if (info.status === 'closed') state.ratingHidden = false;
      renderRating();
      if (state.lastChoiceSeq) retireChoices();
    }
    schedulePoll();
  }

  // ---- rating -----------------------------------------------------------------

  function renderRating() {
    var c = state.info;
    ui.rating.textContent = '';
    if (!c || c.status !== 'closed' || state.ratingHidden) {
      ui.rating.hidden = true;
      return;
    }
    if (c.rating) {
      ui.rating.appendChild(el('p', { role: 'status', class: 'thanks', text: t('rateThanks') }));
      ui.rating.hidden = false;
      return;
    }
    var form = el('form', { novalidate: '' });
    var legend = el('legend', { text: t('rateQ') });
    var stars = el('div', { class: 'stars' });
    var labels = [];
    var chosen = 0;
    function paint(n) {
      labels.forEach(function (l, i) {
        l.classList.toggle('on', i < n);
      });
    }
    for (var i = 1; i <= 5; i++) {
      var id = 'lk-star-' + i;
      var input = el('input', { type: 'radio', name: 'score', value: String(i), id: id, class: 'sr' });
      var label = el('label', { for: id, title: t('rateStar', { n: i }) }, [
        el('span', { 'aria-hidden': 'true', text: '★' }),
        el('span', { class: 'sr', text: t('rateStar', { n: i }) }),
      ]);
      (function (n, inp, lab) {
        inp.addEventListener('change', function () {
          chosen = n;
          paint(n);
          hint.textContent = '';
        });
        lab.addEventListener('mouseenter', function () {
          paint(n);
        });
        lab.addEventListener('mouseleave', function () {
          paint(chosen);
        });
      })(i, input, label);
      labels.push(label);
      stars.appendChild(input);
      stars.appendChild(label);
    }
    var fs = el('fieldset', null, [legend, stars]);
    var cmt = el('textarea', { id: 'lk-rate-cmt', maxlength: '2000' });
    var cmtLabel = el('label', { for: 'lk-rate-cmt', class: 'cmt', text: t('rateComment') });
    var submit = el('button', { type: 'submit', class: 'btn', text: t('rateSend') });
    var hint = el('span', { class: 'hint', role: 'alert' });
    form.appendChild(fs);
    form.appendChild(cmtLabel);
    form.appendChild(cmt);
    form.appendChild(el('div', { class: 'row' }, [submit, hint]));
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      if (!chosen) {
        hint.textContent = t('rateNeed');
        return;
      }
      if (submit.getAttribute('aria-disabled')) return;
      submit.setAttribute('aria-disabled', 'true');
      var body = { score: chosen };
      if (cmt.value.trim()) body.comment = cmt.value.trim();
      request('POST', '/api/v1/conversations/' + state.conv.id + '/rating', body).then(
        function (c) {
          setInfoFromReply(c);
          if (!state.info.rating) state.info.rating = chosen;
          renderRating();
          ui.input.focus();
        },
        function () {
          submit.removeAttribute('aria-disabled');
          hint.textContent = t('error');
        }
      );
    });
    ui.rating.appendChild(form);
    ui.rating.hidden = false;
    if (nearBottom() || state.open) scrollDown();
  }

  // ---- HTTP -------------------------------------------------------------------

  function request(method, path, body) {
    var headers = { Accept: 'application/json' };
    if (state.conv && state.conv.token) headers.Authorization = 'Bearer ' + state.conv.token;
    var init = { method: method, headers: headers, credentials: 'omit', cache: 'no-store' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(BASE + path, init).then(loketAnswer);
  }

  // The answer as JSON, or an Error{status, code, retryAfter}: web/shared/answer.js.
  // @include shared/answer.js

  function showError(s) {
    ui.err.textContent = s || '';
  }

  // "over 30 seconden", "over 1 minuut": when to try again after a 429.
  function retryWords(sec) {
    if (sec <= 5) return t('durFew');
    if (sec < 60) return t('durSec', { n: sec });
    return duration(Math.ceil(sec / 60) * 60);
  }

  // The other ways to reach a person (the tag's phone and e-mail options).
  function otherWays() {
    if (opts.phone && opts.email) return ' ' + t('busyPhoneMail', { phone: opts.phone, email: opts.email });
    if (opts.phone) return ' ' + t('busyPhone', { phone: opts.phone });
    if (opts.email) return ' ' + t('busyMail', { email: opts.email });
    return '';
  }

  // A refusal by a rate limit (429): a friendly message in the customer's
  // language with when to try again, and the other ways to reach a person.
  function showBusy(e, key) {
    showError(t(key, { wait: retryWords(e.retryAfter || 60) }) + otherWays());
  }

  function forget() {
    store.del('conv');
    state.cbSent = false;
    state.conv = null;
    state.info = null;
    state.msgs = {};
    state.nodes = {};
    state.lastSeq = 0;
    ui.log.textContent = '';
    sock.stop();
    renderChrome();
    renderRating();
  }

  // Creates the conversation once (the first time the panel opens).
  function ensureConversation() {
    if (state.conv) return Promise.resolve();
    if (state.starting) return state.starting;
    ui.conn.hidden = false;
    ui.conn.textContent = t('starting');
    var body = { language: opts.language, channel: 'web' };
    if (opts.customer.email || opts.customer.external_id || opts.customer.name) body.customer = opts.customer;
    state.starting = request('POST', '/api/v1/conversations', body)
      .then(function (c) {
        state.conv = { id: c.id, token: c.token };
        store.set('conv', state.conv);
        setInfo(c);
        (c.messages || []).forEach(function (m) {
          addMessage(m, { quiet: true, scroll: true });
        });
        ui.conn.hidden = true;
        sock.connect();
      })
      .catch(function (e) {
        ui.conn.hidden = true;
        if (e && e.status === 429) {
          showBusy(e, 'busyStart');
          // try again by itself once the wait is over, if the chat is still open
          clearTimeout(state.startTimer);
          state.startTimer = setTimeout(function () {
            if (state.open && !state.conv)
              ensureConversation().then(
                function () {
                  showError('');
                },
                function () {}
              );
          }, e.retryAfter * 1000);
        } else {
          showError(t('errorStart'));
        }
        throw e;
      })
      .then(
        function () {
          state.starting = null;
        },
        function (e) {
          state.starting = null;
          throw e;
        }
      );
    return state.starting;
  }

  // Reads the conversation again: status, queue position, agent, and any
  // message we might not have.
  function refetch() {
    if (!state.conv) return Promise.resolve();
    var id = state.conv.id;
    var n = (state.fetches = (state.fetches || 0) + 1);
    return request('GET', '/api/v1/conversations/' + id).then(
      function (c) {
        if (!state.conv || state.conv.id !== id) return;
        if (n !== state.fetches) return; // a later read is under way: it wins
        (c.messages || []).forEach(function (m) {
          addMessage(m, { quiet: true });
        });
        setInfo(c);
      },
      function (e) {
        if (e.status === 401 && state.conv && state.conv.id === id) forget(); // gone (or the server lost it)
      }
    );
  }

  function refetchSoon() {
    clearTimeout(state.refetchTimer);
    state.refetchTimer = setTimeout(refetch, 150);
  }

  function schedulePoll() {
    var queued = state.info && state.info.status === 'queued';
    if (queued && !state.pollTimer) {
      state.pollTimer = setInterval(refetch, POLL_QUEUED_MS);
    } else if (!queued && state.pollTimer) {
      clearInterval(state.pollTimer);
      state.pollTimer = null;
    }
  }

  function sendMessage(text) {
    return ensureConversation().then(function () {
      return request('POST', '/api/v1/conversations/' + state.conv.id + '/messages', { text: text }).then(function (r) {
        (r.messages || []).forEach(function (m) {
          addMessage(m, { quiet: true, scroll: true });
        });
        if (r.conversation) setInfoFromReply(r.conversation);
      });
    });
  }

  // A pick of one of the bot's choices (CONTRACT.md, "Choices").
  function sendChoice(c) {
    return ensureConversation().then(function () {
      var body = { text: String(c.title || c.article_id), choice: c.article_id };
      return request('POST', '/api/v1/conversations/' + state.conv.id + '/messages', body).then(function (r) {
        (r.messages || []).forEach(function (m) {
          addMessage(m, { quiet: true, scroll: true });
        });
        if (r.conversation) setInfoFromReply(r.conversation);
      });
    });
  }

  function handoff() {
    return ensureConversation().then(function () {
      return request('POST', '/api/v1/conversations/' + state.conv.id + '/handoff').then(function (c) {
        (c.new_messages || c.messages || []).forEach(function (m) {
          addMessage(m, { quiet: true, scroll: true });
        });
        setInfoFromReply(c);
      });
    });
  }

  function sendFeedback(m, helpful) {
    return request('POST', '/api/v1/conversations/' + state.conv.id + '/feedback', { message_id: m.id, helpful: helpful }).then(function (r) {
      (r && r.messages ? r.messages : []).forEach(function (x) {
        addMessage(x, { quiet: true, scroll: true });
      });
      if (r && r.conversation) setInfoFromReply(r.conversation);
    });
  }

  // ---- WebSocket --------------------------------------------------------------

  // The connect-and-back-off code is web/shared/socket.js, which the
  // console uses too; loket puts it here when it serves this file.
  // @include shared/socket.js

  var sock = loketSocket({
    base: 400,
    want: function () {
      return !!state.conv;
    },
    // The token goes in the first message, not in the URL, so that it does
    // not land in proxy and server logs (docs/api.md).
    url: function () {
      return WS_BASE + '/api/v1/conversations/' + encodeURIComponent(state.conv.id) + '/ws?after=' + state.lastSeq;
    },
    open: function (ws) {
      ws.send(JSON.stringify({ type: 'auth', token: state.conv.token }));
    },
    frame: function (m) {
      if (m.type === 'ready') {
        sock.ready(); // the server accepted the token
        ui.conn.hidden = true;
        refetch(); // status may have changed while we were away
        return;
      }
      if (typeof m.seq !== 'number') return;
      var isNew = addMessage(m);
      if (isNew && (m.sender === 'system' || (m.sender === 'agent' && (!state.info || state.info.status !== 'assigned')))) refetchSoon();
    },
    closed: function (c) {
      if (!c.ready && c.tries >= 2) {
        // refused more than once: check whether the conversation still exists
        refetch();
      }
      if (!state.conv) return;
      if (c.tries >= 1) {
        var stick = nearBottom();
        ui.conn.textContent = t('offline');
        ui.conn.hidden = false;
        if (stick) scrollDown();
      }
      sock.retry();
    },
  });

  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'visible' && state.open) {
      state.unread = 0;
      renderUnread();
    }
  });

  // ---- open and close ---------------------------------------------------------

  function openPanel(focus) {
    state.open = true;
    store.set('open', true);
    ui.panel.hidden = false;
    ui.launcher.hidden = true;
    ui.launcher.setAttribute('aria-expanded', 'true');
    state.unread = 0;
    renderUnread();
    scrollDown();
    if (focus !== false) ui.input.focus();
    ensureConversation().catch(function () {});
  }

  function closePanel() {
    state.open = false;
    store.set('open', false);
    ui.panel.hidden = true;
    ui.launcher.hidden = false;
    ui.launcher.setAttribute('aria-expanded', 'false');
    ui.launcher.focus();
  }

  ui.launcher.addEventListener('click', function () {
    openPanel(true);
  });
  ui.close.addEventListener('click', closePanel);
  ui.panel.addEventListener('keydown', function (ev) {
    if (ev.key === 'Escape') {
      ev.preventDefault();
      closePanel();
    }
  });

  function autosize() {
    ui.input.style.height = 'auto';
    ui.input.style.height = Math.min(140, ui.input.scrollHeight + 3) + 'px';
  }
  ui.input.addEventListener('input', autosize);
  ui.input.addEventListener('keydown', function (ev) {
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      ui.compose.requestSubmit ? ui.compose.requestSubmit() : submit();
    }
  });

  var busy = false;
  function submit() {
    var text = ui.input.value.trim();
    if (!text || busy) return;
    busy = true;
    showError('');
    ui.send.setAttribute('aria-disabled', 'true');
    ui.send.textContent = t('sending');
    sendMessage(text).then(
      function () {
        ui.input.value = '';
        autosize();
      },
      function (e) {
        if (e && e.status === 429) showBusy(e, state.conv ? 'busySend' : 'busyStart');
        else showError(e && e.status === 400 && /longer/.test(e.message) ? t('tooLong') : t('error'));
      }
    ).then(function () {
      busy = false;
      ui.send.removeAttribute('aria-disabled');
      ui.send.textContent = t('send');
      // back to the text box, unless the customer has gone elsewhere meanwhile
      if (state.open && (!root.activeElement || root.activeElement === ui.send || root.activeElement === ui.input)) ui.input.focus();
    });
  }
  ui.compose.addEventListener('submit', function (ev) {
    ev.preventDefault();
    submit();
  });

  // The person button is never disabled (a disabled button would drop the
  // keyboard focus); a second press while one is under way is ignored.
  var handing = false;
  ui.human.addEventListener('click', function () {
    if (handing) return;
    handing = true;
    ui.human.setAttribute('aria-disabled', 'true');
    showError('');
    ui.humanText.textContent = t('humanBusy');
    handoff().then(
      function () {
        // the button made way for the waiting state: the focus goes there
        if (ui.human.hidden && !ui.queue.hidden && (root.activeElement === ui.human || !root.activeElement)) ui.queue.focus();
      },
      function (e) {
        if (e && e.status === 429) showBusy(e, state.conv ? 'busySend' : 'busyStart');
        else showError(t('error'));
      }
    ).then(function () {
      handing = false;
      ui.human.removeAttribute('aria-disabled');
      ui.humanText.textContent = t('human');
    });
  });

  // The call-back request while waiting (POST .../callback).
  ui.cbOpen.addEventListener('click', function () {
    showCallbackForm(true);
  });
  var requesting = false;
  ui.cbForm.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var contact = ui.cbInput.value.trim();
    if (requesting || !state.conv) return;
    // a phone number (digits, spaces, + - ( ) .) or an e-mail address; the server checks it too
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(contact) && !/^\+?[\d\s().\-\/]{8,}$/.test(contact)) {
      ui.cbMsg.textContent = t('cbBad');
      ui.cbInput.setAttribute('aria-invalid', 'true');
      ui.cbInput.focus();
      return;
    }
    ui.cbInput.removeAttribute('aria-invalid');
    requesting = true;
    ui.cbSend.setAttribute('aria-disabled', 'true');
    ui.cbMsg.textContent = '';
    request('POST', '/api/v1/conversations/' + state.conv.id + '/callback', { contact: contact })
      .then(
        function (c) {
          (c.new_messages || []).forEach(function (m) {
            addMessage(m, { quiet: true, scroll: true });
          });
          state.cbSent = true;
          ui.cbForm.hidden = true;
          ui.cbInput.value = '';
          ui.cbMsg.textContent = t('cbDone', { contact: contact });
          setInfoFromReply(c);
        },
        function (e) {
          if (e && e.status === 429) ui.cbMsg.textContent = t('busySend', { wait: retryWords(e.retryAfter || 60) }) + otherWays();
          else if (e && e.status === 400) ui.cbMsg.textContent = t('cbBad');
          else ui.cbMsg.textContent = t('error');
        }
      )
      .then(function () {
        requesting = false;
        ui.cbSend.removeAttribute('aria-disabled');
      });
  });

  // ---- start ------------------------------------------------------------------

  function start() {
    document.body.appendChild(host);
    renderChrome();
    var saved = store.get('conv');
    if (saved && saved.id && saved.token) {
      state.conv = saved;
      // history first (quietly), then live from the last seq
      refetch().then(function () {
        scrollDown();
        if (state.conv) sock.connect();
      });
    }
    var wasOpen = store.get('open');
    if (wasOpen || (wasOpen === null && opts.startOpen)) openPanel(false);
  }

  // Any element of the host page with data-loket-open opens the chat
  // ("chat with us" links and buttons; no script needed on the page).
  document.addEventListener('click', function (ev) {
    var a = ev.target && ev.target.closest ? ev.target.closest('[data-loket-open]') : null;
    if (a && a !== script) {
      ev.preventDefault();
      openPanel(true);
    }
  });

  window.loketWidget = window.__loketWidget = {
    open: function () {
      openPanel(true);
    },
    close: closePanel,
    // for tests and debugging: what the widget knows
    state: function () {
      return { conversation: state.conv && state.conv.id, status: state.info && state.info.status, lastSeq: state.lastSeq, connected: !!(sock.socket() && sock.socket().readyState === 1) };
    },
  };

  if (document.body) start();
  else document.addEventListener('DOMContentLoaded', start);
})();
