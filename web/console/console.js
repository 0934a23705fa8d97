/*
 * loket console: where agents take over from the bot.
 *
 * One page, plain JavaScript. Login (POST /api/v1/auth/login sets an HttpOnly
 * session cookie; this script never sees it), the queue (oldest first), the
 * agent's own conversations, one conversation with the hand-off summary at the
 * top, the transcript, a reply box, internal notes, claim / release / assign /
 * close. Live updates come over the agents' WebSocket (/api/v1/agent/ws); on
 * every (re)connect the lists and the open conversation are read again, and
 * while the socket is down the page polls.
 *
 * Everything a customer (or anyone) typed is put in the page with
 * textContent, never as HTML. All requests are same-origin, so the browser's
 * Origin header satisfies the server's CSRF check.
 */
(function () {
  'use strict';

  // ---- strings ----------------------------------------------------------------

  var I18N = {
    nl: {
      skip: 'Naar de inhoud',
      consoleName: 'console',
      loginTitle: 'Inloggen voor medewerkers',
      email: 'E-mailadres',
      password: 'Wachtwoord',
      loginButton: 'Inloggen',
      loginBusy: 'Bezig met inloggen…',
      loginFailed: 'Inloggen lukt niet: het e-mailadres of het wachtwoord klopt niet.',
      loginError: 'Inloggen lukt nu niet. Probeer het zo nog eens.',
      expired: 'Je sessie is verlopen. Log opnieuw in.',
      loggedOut: 'Je bent uitgelogd.',
      logout: 'Uitloggen',
      navLabel: 'Gesprekken',
      queue: 'Wachtrij',
      queueHint: 'Oudste eerst',
      queueEmpty: 'Niemand wacht. Mooi zo.',
      mine: 'Mijn gesprekken',
      mineEmpty: 'Je hebt geen open gesprekken.',
      allOpen: 'Open gesprekken van anderen',
      allEmpty: 'Geen open gesprekken bij anderen.',
      recentClosed: 'Onlangs afgesloten',
      closedEmpty: 'Nog niets afgesloten.',
      users: 'Gebruikers beheren',
      usersCaption: 'Alle gebruikers',
      welcomeTitle: 'Welkom',
      welcomeText: 'Kies links een gesprek uit de wachtrij. Lees de samenvatting en klik op ‘Oppakken’. Nieuwe gesprekken verschijnen vanzelf.',
      claim: 'Oppakken',
      release: 'Terug naar wachtrij',
      assignTo: 'Toewijzen aan',
      assign: 'Toewijzen',
      disposition: 'Afloop',
      dispResolved: 'Opgelost',
      dispUnresolved: 'Niet opgelost',
      dispFollowUp: 'Later opvolgen',
      dispNoResponse: 'Klant reageert niet',
      dispSpam: 'Spam of misbruik',
      close: 'Gesprek afsluiten',
      summary: 'Samenvatting van de overdracht',
      noSummary: '(geen samenvatting)',
      transcript: 'Gesprek',
      replyLabel: 'Antwoord aan de klant',
      replyHint: 'Enter verstuurt, Shift+Enter is een nieuwe regel.',
      replyLocked: 'Pak het gesprek eerst op. Dan kun je antwoorden.',
      replyOther: 'Dit gesprek is van een collega.',
      replyClosed: 'Dit gesprek is afgesloten.',
      send: 'Versturen',
      notes: 'Interne notities',
      notesHint: 'Alleen voor medewerkers. De klant ziet dit nooit.',
      noteLabel: 'Nieuwe notitie',
      addNote: 'Notitie toevoegen',
      noNotes: 'Nog geen notities.',
      name: 'Naam',
      role: 'Rol',
      state: 'Status',
      active: 'actief',
      disabled: 'uitgeschakeld',
      addUser: 'Gebruiker toevoegen',
      newPassword: 'Wachtwoord (minstens 8 tekens)',
      addUserButton: 'Toevoegen',
      userAdded: 'Gebruiker {email} is toegevoegd.',
      userExists: 'Er is al een gebruiker met dit e-mailadres.',
      roleAgent: 'Medewerker',
      roleSupervisor: 'Teamleider',
      roleAdmin: 'Beheerder',
      conversation: 'Gesprek {id}',
      waiting: 'wacht {t}',
      since: 'sinds {t}',
      live: 'Live',
      connecting: 'Verbinden…',
      offline: 'Geen live verbinding; de pagina ververst elke 10 seconden',
      newInQueue: 'Nieuw gesprek in de wachtrij.',
      newMessage: 'Nieuw bericht van de klant.',
      claimed: 'Je hebt het gesprek opgepakt.',
      taken: 'Een collega heeft dit gesprek al opgepakt.',
      failed: 'Dat lukte niet: {msg}',
      assignedTo: 'bij {name}',
      you: 'jij',
      youObj: 'jou',
      customer: 'Klant',
      bot: 'Bot',
      automated: 'automatisch',
      system: 'Systeem',
      agentTag: 'medewerker',
      confidence: 'zekerheid {p}%',
      article: 'artikel: {a}',
      rated: 'beoordeling: {n} van 5',
      seconds: '{n} s',
      minutes: '{n} min',
      hours: '{h} u {m} min',
      status_bot: 'Bij de bot',
      status_queued: 'In de wachtrij',
      status_assigned: 'In behandeling',
      status_closed: 'Afgesloten',
      reason_customer_request: 'Vroeg om een medewerker',
      reason_button: 'Knop ‘medewerker’',
      reason_low_confidence: 'Bot wist het antwoord niet',
      reason_repeated_failure: 'Bot hielp herhaaldelijk niet',
      reason_loop: 'Gesprek liep vast',
      reason_negative_sentiment: 'Klant is ontevreden',
      reason_complaint: 'Klacht',
      reason_complex: 'Meerdere vragen tegelijk',
      reason_sensitive_topic: 'Gevoelig onderwerp',
      lang_nl: 'Nederlands',
      lang_en: 'Engels',
      otherLang: 'English',
    },
    en: {
      skip: 'Skip to content',
      consoleName: 'console',
      loginTitle: 'Log in for agents',
      email: 'E-mail address',
      password: 'Password',
      loginButton: 'Log in',
      loginBusy: 'Logging in…',
      loginFailed: 'Could not log in: the e-mail address or the password is wrong.',
      loginError: 'Logging in does not work right now. Please try again shortly.',
      expired: 'Your session has expired. Please log in again.',
      loggedOut: 'You have logged out.',
      logout: 'Log out',
      navLabel: 'Conversations',
      queue: 'Queue',
      queueHint: 'Oldest first',
      queueEmpty: 'Nobody is waiting. Nice.',
      mine: 'My conversations',
      mineEmpty: 'You have no open conversations.',
      allOpen: 'Open conversations of others',
      allEmpty: 'No open conversations with others.',
      recentClosed: 'Recently closed',
      closedEmpty: 'Nothing closed yet.',
      users: 'Manage users',
      usersCaption: 'All users',
      welcomeTitle: 'Welcome',
      welcomeText: 'Pick a conversation from the queue on the left. Read the summary and click ‘Claim’. New conversations appear by themselves.',
      claim: 'Claim',
      release: 'Back to the queue',
      assignTo: 'Assign to',
      assign: 'Assign',
      disposition: 'Outcome',
      dispResolved: 'Resolved',
      dispUnresolved: 'Not resolved',
      dispFollowUp: 'Follow up later',
      dispNoResponse: 'Customer does not respond',
      dispSpam: 'Spam or abuse',
      close: 'Close conversation',
      summary: 'Hand-off summary',
      noSummary: '(no summary)',
      transcript: 'Conversation',
      replyLabel: 'Reply to the customer',
      replyHint: 'Enter sends, Shift+Enter makes a new line.',
      replyLocked: 'Claim the conversation first. Then you can reply.',
      replyOther: 'A colleague has this conversation.',
      replyClosed: 'This conversation is closed.',
      send: 'Send',
      notes: 'Internal notes',
      notesHint: 'For agents only. The customer never sees these.',
      noteLabel: 'New note',
      addNote: 'Add note',
      noNotes: 'No notes yet.',
      name: 'Name',
      role: 'Role',
      state: 'State',
      active: 'active',
      disabled: 'disabled',
      addUser: 'Add a user',
      newPassword: 'Password (8 characters or more)',
      addUserButton: 'Add',
      userAdded: 'User {email} has been added.',
      userExists: 'A user with this e-mail address exists already.',
      roleAgent: 'Agent',
      roleSupervisor: 'Supervisor',
      roleAdmin: 'Admin',
      conversation: 'Conversation {id}',
      waiting: 'waiting {t}',
      since: 'since {t}',
      live: 'Live',
      connecting: 'Connecting…',
      offline: 'No live connection; the page refreshes every 10 seconds',
      newInQueue: 'New conversation in the queue.',
      newMessage: 'New message from the customer.',
      claimed: 'You have claimed the conversation.',
      taken: 'A colleague has claimed this conversation already.',
      failed: 'That did not work: {msg}',
      assignedTo: 'with {name}',
      you: 'you',
      youObj: 'you',
      customer: 'Customer',
      bot: 'Bot',
      automated: 'automated',
      system: 'System',
      agentTag: 'agent',
      confidence: 'confidence {p}%',
      article: 'article: {a}',
      rated: 'rating: {n} of 5',
      seconds: '{n} s',
      minutes: '{n} min',
      hours: '{h} h {m} min',
      status_bot: 'With the bot',
      status_queued: 'Queued',
      status_assigned: 'In progress',
      status_closed: 'Closed',
      reason_customer_request: 'Asked for a person',
      reason_button: '‘Talk to a person’ button',
      reason_low_confidence: 'Bot did not know the answer',
      reason_repeated_failure: 'Bot did not help, several times',
      reason_loop: 'Conversation went in circles',
      reason_negative_sentiment: 'Customer is unhappy',
      reason_complaint: 'Complaint',
      reason_complex: 'Several questions at once',
      reason_sensitive_topic: 'Sensitive subject',
      lang_nl: 'Dutch',
      lang_en: 'English',
      otherLang: 'Nederlands',
    },
  };

  var lang = (function () {
    try {
      var s = localStorage.getItem('loket-console-lang');
      if (s === 'nl' || s === 'en') return s;
    } catch (e) {
      /* storage blocked */
    }
    return /^nl\b/i.test(navigator.language || '') ? 'nl' : 'en';
  })();

  function t(key, vars) {
    var s = I18N[lang][key];
    if (s === undefined) s = I18N.nl[key] !== undefined ? I18N.nl[key] : key;
    if (vars)
      s = s.replace(/\{(\w+)\}/g, function (_, k) {
        return vars[k] === undefined ? '' : String(vars[k]);
      });
    return s;
  }

  function applyStrings() {
    document.documentElement.lang = lang;
    document.querySelectorAll('[data-t]').forEach(function (n) {
      n.textContent = t(n.getAttribute('data-t'));
    });
    document.querySelectorAll('[data-t-label]').forEach(function (n) {
      n.setAttribute('aria-label', t(n.getAttribute('data-t-label')));
    });
    var toggle = $('lang-toggle');
    toggle.textContent = t('otherLang');
    toggle.lang = lang === 'nl' ? 'en' : 'nl';
  }

  // ---- small helpers ----------------------------------------------------------

  function $(id) {
    return document.getElementById(id);
  }

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs)
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === undefined || v === null || v === false) return;
        if (k === 'text') e.textContent = v;
        else if (k === 'class') e.className = v;
        else e.setAttribute(k, v === true ? '' : v);
      });
    (children || []).forEach(function (c) {
      if (c) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return e;
  }

  function shortId(id) {
    return String(id || '').replace(/^c_/, '').slice(0, 6);
  }

  function duration(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    if (seconds < 60) return t('seconds', { n: seconds });
    var m = Math.floor(seconds / 60);
    if (m < 60) return t('minutes', { n: m });
    return t('hours', { h: Math.floor(m / 60), m: m % 60 });
  }

  function clock(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return '';
    return d.toLocaleTimeString(lang === 'en' ? 'en-GB' : 'nl-NL', { hour: '2-digit', minute: '2-digit' });
  }

  function reasonText(r) {
    return r ? t('reason_' + r) : '';
  }

  function announce(s) {
    var a = $('announce');
    a.textContent = '';
    setTimeout(function () {
      a.textContent = s;
    }, 50);
  }

  // ---- HTTP -------------------------------------------------------------------

  function api(method, path, body) {
    var init = { method: method, credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(path, init).then(function (r) {
      return r.text().then(function (txt) {
        var j = null;
        try {
          j = txt ? JSON.parse(txt) : null;
        } catch (e) {
          j = null;
        }
        if (!r.ok) {
          var err = new Error((j && j.error && j.error.message) || 'HTTP ' + r.status);
          err.status = r.status;
          err.code = j && j.error && j.error.code;
          if (r.status === 401 && path !== '/api/v1/auth/login' && state.me) sessionLost();
          throw err;
        }
        return j;
      });
    });
  }

  // ---- state ------------------------------------------------------------------

  var state = {
    me: null,
    queue: [],
    mine: [],
    others: [],
    closed: [],
    open: null, // {conv, msgs: {seq: m}, notes: {id: n}}
    unread: {}, // conversation id -> true
    users: null,
    ws: null,
    wsTries: 0,
    wsTimer: null,
    pollTimer: null,
    skew: 0, // server clock minus ours, ms
    gen: 0, // counts conversation frames (see loadLists)
  };

  function isLead() {
    return state.me && (state.me.role === 'supervisor' || state.me.role === 'admin');
  }

  function isAdmin() {
    return state.me && state.me.role === 'admin';
  }

  // ---- views ------------------------------------------------------------------

  function showLogin(note) {
    stopLive();
    state.me = null;
    $('app-view').hidden = true;
    $('login-view').hidden = false;
    $('login-note').textContent = note || '';
    $('login-error').textContent = '';
    document.title = 'loket console';
    $('login-email').focus();
  }

  function sessionLost() {
    showLogin(t('expired'));
  }

  function showApp() {
    $('login-view').hidden = true;
    $('app-view').hidden = false;
    $('me-name').textContent = state.me.display_name || state.me.email;
    $('me-role').textContent = t('role' + state.me.role.charAt(0).toUpperCase() + state.me.role.slice(1));
    $('all-section').hidden = !isLead();
    $('users-link-wrap').hidden = state.me.role !== 'admin';
    startLive();
    routeFromHash();
  }

  $('login-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var btn = ev.target.querySelector('button[type=submit]');
    var email = $('login-email').value.trim();
    var password = $('login-password').value;
    $('login-error').textContent = '';
    if (!email || !password) {
      $('login-error').textContent = t('loginFailed');
      return;
    }
    btn.disabled = true;
    btn.textContent = t('loginBusy');
    api('POST', '/api/v1/auth/login', { email: email, password: password })
      .then(
        function (r) {
          state.me = r.user;
          $('login-password').value = '';
          showApp();
        },
        function (e) {
          $('login-error').textContent = e.status === 401 ? t('loginFailed') : t('loginError') + ' (' + (e.status || '') + ' ' + e.message + ')';
          $('login-password').focus();
        }
      )
      .then(function () {
        btn.disabled = false;
        btn.textContent = t('loginButton');
      });
  });

  $('logout').addEventListener('click', function () {
    api('POST', '/api/v1/auth/logout').then(
      function () {
        showLogin(t('loggedOut'));
      },
      function () {
        showLogin(t('loggedOut'));
      }
    );
  });

  $('lang-toggle').addEventListener('click', function () {
    lang = lang === 'nl' ? 'en' : 'nl';
    try {
      localStorage.setItem('loket-console-lang', lang);
    } catch (e) {
      /* storage blocked */
    }
    applyStrings();
    if (state.me) {
      $('me-role').textContent = t('role' + state.me.role.charAt(0).toUpperCase() + state.me.role.slice(1));
      renderLists();
      if (state.open) renderOpen();
      setLive(state.ws && state.ws.readyState === 1 ? 'live' : state.pollTimer ? 'offline' : 'connecting');
    }
  });

  // ---- lists ------------------------------------------------------------------

  function byQueuedAt(a, b) {
    return String(a.queued_at || a.updated_at || '').localeCompare(String(b.queued_at || b.updated_at || ''));
  }
  function byUpdatedDesc(a, b) {
    return String(b.updated_at || '').localeCompare(String(a.updated_at || ''));
  }

  // Reads all lists. A conversation frame that arrives while the lists are
  // being read may be newer than what the server answers; then the answers
  // are dropped and the lists read again, so a stale answer never undoes a
  // live update.
  function loadLists() {
    var gen = state.gen;
    var got = {};
    var jobs = [
      api('GET', '/api/v1/agent/queue').then(function (r) {
        got.queue = (r.conversations || []).slice().sort(byQueuedAt);
      }),
      api('GET', '/api/v1/agent/conversations?status=assigned&mine=1').then(function (r) {
        got.mine = (r.conversations || []).sort(byUpdatedDesc);
      }),
      api('GET', '/api/v1/agent/conversations?status=closed' + (isLead() ? '' : '&mine=1')).then(function (r) {
        got.closed = (r.conversations || []).sort(byUpdatedDesc).slice(0, 8);
      }),
    ];
    if (isLead())
      jobs.push(
        api('GET', '/api/v1/agent/conversations?status=assigned').then(function (r) {
          got.others = (r.conversations || []).filter(function (c) {
            return c.assigned_to !== state.me.id;
          });
        })
      );
    return Promise.all(
      jobs.map(function (p) {
        return p.catch(function (e) {
          if (e.status !== 401 && window.console) console.warn('loket console:', e.message);
        });
      })
    ).then(function () {
      if (!state.me) return;
      if (state.gen !== gen) return loadLists();
      ['queue', 'mine', 'closed', 'others'].forEach(function (k) {
        if (got[k]) state[k] = got[k];
      });
      var c = state.queue[0];
      if (c && typeof c.waiting_seconds === 'number' && c.queued_at)
        state.skew = c.waiting_seconds * 1000 - (Date.now() - Date.parse(c.queued_at));
      renderLists();
    });
  }

  function waitingSeconds(c) {
    if (!c.queued_at) return c.waiting_seconds || 0;
    return (Date.now() + state.skew - Date.parse(c.queued_at)) / 1000;
  }

  function renderList(ul, empty, count, items, kind) {
    ul.textContent = '';
    items.forEach(function (c) {
      var open = state.open && state.open.conv.id === c.id;
      var title = el('span', { class: 't' }, [el('span', { class: 'lang', text: String(c.language || '').toUpperCase(), title: t('lang_' + c.language) }), t('conversation', { id: shortId(c.id) })]);
      if (state.unread[c.id]) title.appendChild(el('span', { class: 'unread', title: t('newMessage') }, [el('span', { class: 'sr', text: t('newMessage') })]));
      var side;
      if (kind === 'queue') side = el('span', { class: 'w', text: t('waiting', { t: duration(waitingSeconds(c)) }) });
      else if (kind === 'closed') side = el('span', { class: 'hint', text: clock(c.closed_at || c.updated_at) });
      else side = el('span', { class: 'hint', text: clock(c.updated_at) });
      var sub = reasonText(c.handoff_reason);
      if (kind === 'others' && c.agent_name) sub = (sub ? sub + ' · ' : '') + t('assignedTo', { name: c.agent_name });
      if (kind === 'closed' && c.disposition) sub = c.disposition;
      var btn = el('button', { type: 'button', 'data-id': c.id, 'aria-current': open ? 'true' : 'false' }, [title, side, sub ? el('span', { class: 'r', text: sub }) : null]);
      btn.addEventListener('click', function () {
        openConv(c.id, true);
      });
      ul.appendChild(el('li', { 'data-id': c.id, 'data-status': c.status }, [btn]));
    });
    empty.hidden = items.length > 0;
    if (count) {
      count.textContent = String(items.length);
      count.setAttribute('data-n', String(items.length));
    }
  }

  function renderLists() {
    renderList($('queue-list'), $('queue-empty'), $('queue-count'), state.queue, 'queue');
    renderList($('mine-list'), $('mine-empty'), $('mine-count'), state.mine, 'mine');
    if (isLead()) renderList($('all-list'), $('all-empty'), $('all-count'), state.others, 'others');
    renderList($('closed-list'), $('closed-empty'), null, state.closed, 'closed');
    document.title = (state.queue.length ? '(' + state.queue.length + ') ' : '') + 'loket console';
  }

  function without(list, id) {
    return list.filter(function (c) {
      return c.id !== id;
    });
  }

  // A conversation changed (from the stream or from our own action).
  function upsert(c) {
    var wasQueued = state.queue.some(function (x) {
      return x.id === c.id;
    });
    state.queue = without(state.queue, c.id);
    state.mine = without(state.mine, c.id);
    state.others = without(state.others, c.id);
    state.closed = without(state.closed, c.id);
    if (c.status === 'queued') {
      state.queue.push(c);
      state.queue.sort(byQueuedAt);
      if (!wasQueued) announce(t('newInQueue'));
    } else if (c.status === 'assigned') {
      if (c.assigned_to === state.me.id) state.mine.unshift(c);
      else if (isLead()) state.others.unshift(c);
    } else if (c.status === 'closed') {
      state.closed.unshift(c);
      state.closed = state.closed.slice(0, 8);
    }
    renderLists();
    if (state.open && state.open.conv.id === c.id) {
      Object.keys(c).forEach(function (k) {
        if (k !== 'messages' && k !== 'notes' && k !== 'summary') state.open.conv[k] = c[k];
      });
      renderHead();
    }
  }

  // ---- one conversation -------------------------------------------------------

  function openConv(id, focus, again) {
    $('users-view').hidden = true;
    if (location.hash !== '#c=' + id) history.replaceState(null, '', '#c=' + id);
    delete state.unread[id];
    var gen = state.gen;
    return api('GET', '/api/v1/agent/conversations/' + encodeURIComponent(id)).then(
      function (c) {
        // a conversation frame came in meanwhile: this answer may be older
        if (state.gen !== gen && !again) return openConv(id, focus, true);
        var same = state.open && state.open.conv.id === c.id;
        if (!same) state.open = { conv: c, msgs: {}, notes: {} };
        else state.open.conv = c;
        (c.messages || []).forEach(function (m) {
          state.open.msgs[m.seq] = m;
        });
        (c.notes || []).forEach(function (n) {
          state.open.notes[n.id] = n;
        });
        renderOpen(!same);
        renderLists();
        if (focus) $('conv-title').focus();
      },
      function (e) {
        if (e.status === 404) {
          history.replaceState(null, '', location.pathname);
          closeView();
        }
      }
    );
  }

  function closeView() {
    state.open = null;
    $('conv-view').hidden = true;
    $('welcome').hidden = false;
    renderLists();
  }

  function renderOpen(fresh) {
    $('welcome').hidden = true;
    $('conv-view').hidden = false;
    $('conv-error').textContent = '';
    renderHead();
    $('summary').textContent = state.open.conv.summary || t('noSummary');
    renderTranscript();
    renderNotes();
    if (fresh) {
      $('reply-text').value = '';
      $('note-text').value = '';
    }
  }

  function renderHead() {
    var c = state.open.conv;
    var me = state.me;
    var title = $('conv-title');
    title.textContent = t('conversation', { id: shortId(c.id) });
    title.setAttribute('tabindex', '-1');
    var meta = $('conv-meta');
    meta.textContent = '';
    meta.appendChild(el('span', { class: 'pill ' + c.status, text: t('status_' + c.status) }));
    meta.appendChild(el('span', { class: 'pill', text: t('lang_' + c.language) || c.language }));
    if (c.handoff_reason) meta.appendChild(el('span', { class: 'pill', text: reasonText(c.handoff_reason) }));
    var extra = [];
    if (c.status === 'queued' && c.queued_at) extra.push(t('waiting', { t: duration(waitingSeconds(c)) }));
    if (c.status === 'assigned') extra.push(t('assignedTo', { name: c.assigned_to === me.id ? t('youObj') : c.agent_name || c.assigned_to }));
    if (c.rating) extra.push(t('rated', { n: c.rating }));
    if (c.disposition) extra.push(t('disposition') + ': ' + c.disposition);
    if (extra.length) meta.appendChild(document.createTextNode(extra.join(' · ')));

    var mine = c.status === 'assigned' && c.assigned_to === me.id;
    $('claim').hidden = c.status !== 'queued';
    $('release').hidden = !mine;
    $('close-wrap').hidden = !(mine || (isLead() && (c.status === 'assigned' || c.status === 'queued')));
    $('assign-wrap').hidden = !(isLead() && c.status !== 'closed' && state.users && state.users.length);
    if (!$('assign-wrap').hidden) fillAssign(c);

    var reply = $('reply-text');
    var send = $('reply-send');
    reply.disabled = send.disabled = !mine;
    $('reply-hint').textContent = mine ? t('replyHint') : c.status === 'closed' ? t('replyClosed') : c.status === 'assigned' ? t('replyOther') : t('replyLocked');
  }

  function fillAssign(c) {
    var sel = $('assign-user');
    var cur = sel.value;
    sel.textContent = '';
    state.users.forEach(function (u) {
      if (u.disabled) return;
      sel.appendChild(el('option', { value: u.id, text: (u.display_name || u.email) + (u.id === state.me.id ? ' (' + t('you') + ')' : '') }));
    });
    sel.value = cur || c.assigned_to || '';
  }

  function messageNode(m) {
    var tags = [];
    var who;
    if (m.sender === 'bot') {
      who = t('bot');
      tags.push(el('span', { class: 'tag bot', text: t('automated') }));
    } else if (m.sender === 'system') {
      who = t('system');
      tags.push(el('span', { class: 'tag auto', text: t('automated') }));
    } else if (m.sender === 'agent') {
      who = m.author_name || t('agentTag');
      tags.push(el('span', { class: 'tag agent', text: t('agentTag') }));
    } else {
      who = t('customer');
      tags.push(el('span', { class: 'tag customer', text: t('customer') }));
      who = '';
    }
    var info = [];
    if (m.sender === 'bot' && typeof m.confidence === 'number') info.push(t('confidence', { p: Math.round(m.confidence * 100) }));
    if (m.article_id) info.push(t('article', { a: m.article_id }));
    var head = el('p', { class: 'who' }, [who ? el('span', { text: who }) : null].concat(tags, [
      el('time', { datetime: m.created_at, text: clock(m.created_at) }),
      info.length ? el('span', { class: 'hint', text: info.join(' · ') }) : null,
    ]));
    var txt = el('p', { class: 'txt' });
    txt.textContent = String(m.text || '');
    var cls = m.sender === 'bot' || m.sender === 'agent' || m.sender === 'customer' ? m.sender : 'system';
    return el('div', { class: 'm ' + cls, 'data-seq': String(m.seq), 'data-sender': m.sender, 'data-automated': m.automated ? 'true' : 'false' }, [head, txt]);
  }

  function renderTranscript() {
    var box = $('transcript');
    box.textContent = '';
    Object.keys(state.open.msgs)
      .map(Number)
      .sort(function (a, b) {
        return a - b;
      })
      .forEach(function (s) {
        box.appendChild(messageNode(state.open.msgs[s]));
      });
    box.scrollTop = box.scrollHeight;
  }

  function addMessage(m) {
    if (!state.open || m.conversation_id !== state.open.conv.id || state.open.msgs[m.seq]) return;
    state.open.msgs[m.seq] = m;
    var box = $('transcript');
    var stick = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
    var node = messageNode(m);
    var next = null;
    box.querySelectorAll('.m').forEach(function (n) {
      if (!next && Number(n.getAttribute('data-seq')) > m.seq) next = n;
    });
    box.insertBefore(node, next);
    if (stick || m.sender === 'agent') box.scrollTop = box.scrollHeight;
  }

  function renderNotes() {
    var ul = $('notes-list');
    ul.textContent = '';
    var notes = Object.keys(state.open.notes)
      .map(function (k) {
        return state.open.notes[k];
      })
      .sort(function (a, b) {
        return String(a.created_at).localeCompare(String(b.created_at));
      });
    if (!notes.length) ul.appendChild(el('li', { class: 'hint', text: t('noNotes') }));
    notes.forEach(function (n) {
      ul.appendChild(
        el('li', { 'data-id': n.id }, [
          el('p', { class: 'by', text: (n.author_name || '') + ' · ' + clock(n.created_at) }),
          el('p', { class: 'nt', text: String(n.text || '') }),
        ])
      );
    });
  }

  function addNote(n) {
    if (!state.open || n.conversation_id !== state.open.conv.id || state.open.notes[n.id]) return;
    state.open.notes[n.id] = n;
    renderNotes();
  }

  function convAction(path, body, after) {
    var c = state.open.conv;
    $('conv-error').textContent = '';
    return api('POST', '/api/v1/agent/conversations/' + encodeURIComponent(c.id) + path, body).then(
      function (r) {
        if (r && r.id) upsert(r);
        if (after) after(r);
        return r;
      },
      function (e) {
        if (e.status === 409 && path === '/claim') $('conv-error').textContent = t('taken');
        else if (e.status !== 401) $('conv-error').textContent = t('failed', { msg: e.message });
        loadLists();
        if (state.open) openConv(state.open.conv.id);
        throw e;
      }
    );
  }

  function busy(btn, p) {
    btn.disabled = true;
    p.catch(function () {}).then(function () {
      btn.disabled = false;
      if (state.open) renderHead();
    });
    return p;
  }

  $('claim').addEventListener('click', function () {
    busy(
      this,
      convAction('/claim', undefined, function () {
        announce(t('claimed'));
        openConv(state.open.conv.id).then(function () {
          $('reply-text').focus();
        });
      })
    );
  });
  $('release').addEventListener('click', function () {
    busy(this, convAction('/release'));
  });
  $('close').addEventListener('click', function () {
    busy(this, convAction('/close', { disposition: $('disposition').value }));
  });
  $('assign').addEventListener('click', function () {
    var uid = $('assign-user').value;
    if (uid) busy(this, convAction('/assign', { user_id: uid }));
  });

  function sendReply() {
    var box = $('reply-text');
    var text = box.value.trim();
    if (!text || !state.open) return;
    var btn = $('reply-send');
    btn.disabled = true;
    var id = state.open.conv.id;
    api('POST', '/api/v1/agent/conversations/' + encodeURIComponent(id) + '/messages', { text: text })
      .then(
        function (m) {
          box.value = '';
          if (m && m.seq) addMessage(m);
        },
        function (e) {
          if (e.status !== 401) $('conv-error').textContent = t('failed', { msg: e.message });
          if (e.status === 409) openConv(id);
        }
      )
      .then(function () {
        if (state.open) renderHead();
        box.focus();
      });
  }
  $('reply-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    sendReply();
  });
  $('reply-text').addEventListener('keydown', function (ev) {
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      sendReply();
    }
  });

  $('note-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var box = $('note-text');
    var text = box.value.trim();
    if (!text || !state.open) return;
    var btn = ev.target.querySelector('button');
    btn.disabled = true;
    api('POST', '/api/v1/agent/conversations/' + encodeURIComponent(state.open.conv.id) + '/notes', { text: text })
      .then(
        function (n) {
          box.value = '';
          if (n && n.id) addNote(n);
        },
        function (e) {
          if (e.status !== 401) $('conv-error').textContent = t('failed', { msg: e.message });
        }
      )
      .then(function () {
        btn.disabled = false;
      });
  });

  // ---- users (admin) ----------------------------------------------------------

  function loadUsers() {
    if (!isLead()) return Promise.resolve();
    // Everyone one may assign to; admins also get the full list to manage.
    var team = api('GET', '/api/v1/agent/users').then(function (r) {
      state.users = r.users || [];
      if (state.open) renderHead();
    });
    if (!isAdmin()) return team;
    return team.then(function () {
      return api('GET', '/api/v1/admin/users').then(function (r) {
        state.adminUsers = r.users || [];
        renderUsers();
      });
    });
  }

  function renderUsers() {
    var body = $('users-body');
    body.textContent = '';
    (state.adminUsers || []).forEach(function (u) {
      body.appendChild(
        el('tr', null, [
          el('td', { text: u.display_name || '' }),
          el('td', { text: u.email }),
          el('td', { text: t('role' + u.role.charAt(0).toUpperCase() + u.role.slice(1)) }),
          el('td', { text: u.disabled ? t('disabled') : t('active') }),
        ])
      );
    });
  }

  $('users-link').addEventListener('click', function () {
    history.replaceState(null, '', '#users');
    showUsers();
  });

  function showUsers() {
    state.open = null;
    $('welcome').hidden = true;
    $('conv-view').hidden = true;
    $('users-view').hidden = false;
    renderLists();
    loadUsers();
    $('users-title').setAttribute('tabindex', '-1');
    $('users-title').focus();
  }

  $('user-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var msg = $('user-msg');
    msg.className = 'error';
    var body = {
      display_name: $('nu-name').value.trim(),
      email: $('nu-email').value.trim(),
      role: $('nu-role').value,
      password: $('nu-password').value,
    };
    api('POST', '/api/v1/admin/users', body).then(
      function () {
        msg.className = 'ok';
        msg.textContent = t('userAdded', { email: body.email });
        $('nu-name').value = $('nu-email').value = $('nu-password').value = '';
        loadUsers();
      },
      function (e) {
        msg.textContent = e.status === 409 ? t('userExists') : t('failed', { msg: e.message });
      }
    );
  });

  // ---- live -------------------------------------------------------------------

  function setLive(s) {
    var p = $('live');
    p.setAttribute('data-state', s);
    $('live-text').textContent = t(s === 'live' ? 'live' : s === 'offline' ? 'offline' : 'connecting');
  }

  function refreshAll() {
    loadLists();
    if (state.open) openConv(state.open.conv.id);
  }

  function startLive() {
    setLive('connecting');
    refreshAll();
    loadUsers();
    connect();
    clearInterval(state.tick);
    state.tick = setInterval(function () {
      renderLists();
      if (state.open && state.open.conv.status === 'queued') renderHead();
    }, 15000);
  }

  function stopLive() {
    clearTimeout(state.wsTimer);
    clearInterval(state.pollTimer);
    clearInterval(state.tick);
    state.pollTimer = null;
    if (state.ws) {
      var w = state.ws;
      state.ws = null;
      w.onclose = w.onmessage = w.onerror = null;
      try {
        w.close();
      } catch (e) {
        /* closed */
      }
    }
  }

  function connect() {
    if (!state.me || state.ws) return;
    var ws;
    try {
      ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/api/v1/agent/ws');
    } catch (e) {
      retry();
      return;
    }
    state.ws = ws;
    ws.onopen = function () {
      state.wsTries = 0;
      clearInterval(state.pollTimer);
      state.pollTimer = null;
      setLive('live');
      refreshAll(); // the stream has no backlog
    };
    ws.onmessage = function (ev) {
      var f;
      try {
        f = JSON.parse(ev.data);
      } catch (e) {
        return;
      }
      if (!f || !f.type) return;
      if (f.type === 'conversation' && f.conversation) {
        state.gen++;
        upsert(f.conversation);
      }
      else if (f.type === 'message' && f.message) onMessage(f.message);
      else if (f.type === 'note' && f.note) addNote(f.note);
    };
    ws.onclose = function () {
      if (state.ws !== ws) return;
      state.ws = null;
      setLive('offline');
      if (!state.pollTimer)
        state.pollTimer = setInterval(function () {
          if (state.me) refreshAll();
        }, 10000);
      // the session may have ended (then api() shows the login); otherwise,
      // or when the server cannot be reached, try again later
      api('GET', '/api/v1/auth/me').then(retry, function (e) {
        if (e.status !== 401) retry();
      });
    };
  }

  function retry() {
    if (!state.me) return;
    var n = state.wsTries++;
    var d = Math.min(15000, 500 * Math.pow(2, n));
    d = d / 2 + Math.random() * (d / 2);
    clearTimeout(state.wsTimer);
    state.wsTimer = setTimeout(connect, d);
  }

  function onMessage(m) {
    if (state.open && m.conversation_id === state.open.conv.id) {
      addMessage(m);
      return;
    }
    if (m.sender === 'customer' && state.mine.some(function (c) {
      return c.id === m.conversation_id;
    })) {
      state.unread[m.conversation_id] = true;
      renderLists();
      announce(t('newMessage'));
    }
  }

  // ---- start ------------------------------------------------------------------

  function routeFromHash() {
    var h = location.hash;
    var m = /^#c=([\w-]+)$/.exec(h);
    if (m) openConv(m[1]);
    else if (h === '#users' && state.me && state.me.role === 'admin') showUsers();
  }
  window.addEventListener('hashchange', function () {
    if (state.me) routeFromHash();
  });

  applyStrings();
  fetch('/api/v1/auth/me', { credentials: 'same-origin', cache: 'no-store' })
    .then(function (r) {
      return r.ok ? r.json() : null;
    })
    .then(
      function (j) {
        if (j && j.user) {
          state.me = j.user;
          showApp();
        } else showLogin();
      },
      function () {
        showLogin();
      }
    );
})();
