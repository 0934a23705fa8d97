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
 * Agent assist (docs/assist.md): the structured hand-off summary with the
 * details the customer gave, suggested replies from the knowledge base
 * ("Invoegen" puts one in the reply box; on sending, the console tells the
 * server whether it went out unchanged or edited), the customer's earlier
 * conversations, canned responses behind "/" in the reply box (an ARIA
 * combobox with a listbox), "Goed"/"Fout" on the bot's answers, and for
 * supervisors the management of canned responses.
 *
 * The helpers every console page shares (strings, DOM, HTTP, the section
 * links, the session) come from common.js (window.loket), loaded before this
 * script; so do this page's strings (console-strings.js), its user
 * administration for admins (console-users.js), its live updates
 * (console-live.js, on web/shared/socket.js), agent assist and answer review
 * (console-assist.js) and the canned responses (console-canned.js); the last
 * four are started below with what they need of this script.
 *
 * Everything a customer (or anyone) typed is put in the page with
 * textContent, never as HTML. All requests are same-origin, so the browser's
 * Origin header satisfies the server's CSRF check.
 */
(function () {
  'use strict';

  // The strings of this page are in console-strings.js, loaded before this script.

  // From common.js: one language choice, strings, DOM helpers for every page.
  var lang = loket.lang;
  var t = loket.t;
  var $ = loket.$;
  var el = loket.el;

  function applyStrings() {
    loket.applyStrings(document);
    var toggle = $('lang-toggle');
    toggle.textContent = t('otherLang');
    toggle.lang = lang === 'nl' ? 'en' : 'nl';
  }

  // ---- small helpers ----------------------------------------------------------

  function shortId(id) {
    return String(id || '').replace(/^c_/, '').slice(0, 6);
  }

  // What a conversation is called: the server's title (the customer's name or
  // e-mail address, else the topic of their first question), else its id.
  function convTitle(c) {
    return c.title || t('conversation', { id: shortId(c.id) });
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

  // common.js's request helper; a 401 after logging in means the session
  // ended: back to the login form.
  function api(method, path, body) {
    return loket.api(method, path, body).catch(function (err) {
      if (err.status === 401 && path !== '/api/v1/auth/login' && state.me) sessionLost();
      throw err;
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
    $('login-totp-wrap').hidden = true;
    $('login-totp').value = '';
    document.title = 'loket console';
    $('login-email').focus();
  }

  function sessionLost() {
    showLogin(t('expired'));
  }

  // The top bar and the parts of the page that depend on the role.
  function renderMe() {
    $('me-name').textContent = state.me.display_name || state.me.email;
    $('me-role').textContent = t('role' + state.me.role.charAt(0).toUpperCase() + state.me.role.slice(1));
    $('all-section').hidden = !isLead();
    $('users-link-wrap').hidden = state.me.role !== 'admin';
    $('canned-link-wrap').hidden = !isLead();
    loket.sectionLinks($('sections-list'), state.me.role, 'conversations');
  }

  function showApp() {
    $('login-view').hidden = true;
    $('app-view').hidden = false;
    renderMe();
    startLive();
    routeFromHash();
  }

  // Who is logged in, read again: after a change to one's own account, and
  // whenever the live stream closes (an admin changing someone's role closes
  // that person's stream). Never rejects; a 401 shows the login (api()).
  function refreshMe() {
    return api('GET', '/api/v1/auth/me').then(
      function (r) {
        if (r && r.user) updateMe(r.user);
      },
      function () {}
    );
  }

  // A new role (or name) shows at once: the top bar, the lists and views
  // that role may see; a view the role may no longer see is closed.
  function updateMe(user) {
    var old = state.me;
    if (!old || old.id !== user.id) return;
    state.me = user;
    if (old.role === user.role && old.display_name === user.display_name) return;
    renderMe();
    if ((!$('users-view').hidden && !isAdmin()) || (!$('canned-view').hidden && !isLead())) {
      $('users-view').hidden = true;
      $('canned-view').hidden = true;
      history.replaceState(null, '', location.pathname);
      closeView();
    }
    if (!isLead()) state.others = [];
    if (state.open) renderHead();
    loadLists();
    loadUsers();
  }

  $('login-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var btn = ev.target.querySelector('button[type=submit]');
    var email = $('login-email').value.trim();
    var password = $('login-password').value;
    // the one-time code: asked for once the server says the account needs it
    var asksCode = !$('login-totp-wrap').hidden;
    var code = $('login-totp').value.replace(/\s+/g, '');
    $('login-error').textContent = '';
    if (!email || !password || (asksCode && !/^[0-9]{6}$/.test(code))) {
      $('login-error').textContent = asksCode ? t('totpFailed') : t('loginFailed');
      (asksCode && email && password ? $('login-totp') : $('login-email')).focus();
      return;
    }
    var body = { email: email, password: password };
    if (asksCode) body.totp = code;
    btn.disabled = true;
    btn.textContent = t('loginBusy');
    api('POST', '/api/v1/auth/login', body)
      .then(
        function (r) {
          if (r.user.totp_setup_required) {
            // required for this account and not set up: nothing else until it is
            location.href = '/console/account.html';
            return;
          }
          state.me = r.user;
          $('login-password').value = '';
          $('login-totp').value = '';
          $('login-totp-wrap').hidden = true;
          // the user's own language (or the deployment's) may differ from the login page's
          return api('GET', '/api/v1/auth/me').then(
            function (me) {
              if (!loket.adoptLanguage(me)) showApp();
            },
            function () {
              showApp();
            }
          );
        },
        function (e) {
          $('login-totp').value = '';
          if (e.code === 'totp_required') {
            $('login-totp-wrap').hidden = false;
            $('login-note').textContent = t('totpAsk');
            $('login-totp').focus();
            return;
          }
          if (e.status === 429) $('login-error').textContent = t('loginLimited');
          else if (e.status === 401) $('login-error').textContent = asksCode ? t('totpFailed') : t('loginFailed');
          else $('login-error').textContent = t('loginError') + ' (' + (e.status || '') + ' ' + e.message + ')';
          (asksCode ? $('login-totp') : $('login-password')).focus();
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

  // The language is common.js's choice, read once per page: switching stores
  // it and reloads (the open conversation stays in the address).
  $('lang-toggle').addEventListener('click', function () {
    loket.setLanguage(lang === 'nl' ? 'en' : 'nl').catch(function () {});
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

  var queueTimer = null;
  function refreshQueueSoon() {
    clearTimeout(queueTimer);
    queueTimer = setTimeout(function () {
      if (state.me) loadLists();
    }, 300);
  }

  function waitingSeconds(c) {
    if (!c.queued_at) return c.waiting_seconds || 0;
    return (Date.now() + state.skew - Date.parse(c.queued_at)) / 1000;
  }

  // Puts kids (elements) in parent, replacing only those that differ, so an
  // unchanged part of a row stays the same node.
  function syncChildren(parent, kids) {
    for (var i = 0; i < kids.length; i++) {
      var cur = parent.children[i];
      if (cur && cur.outerHTML === kids[i].outerHTML) continue;
      if (cur) parent.replaceChild(kids[i], cur);
      else parent.appendChild(kids[i]);
    }
    while (parent.children.length > kids.length) parent.removeChild(parent.lastElementChild);
  }

  // Draws a list of conversations. The lists are drawn again on every live
  // event and every few seconds (waiting times), so a row that stays keeps
  // its nodes: a click that lands during a redraw still opens it, and the
  // keyboard focus stays where it was.
  function renderList(ul, empty, count, items, kind) {
    var old = {};
    Array.prototype.forEach.call(ul.children, function (li) {
      old[li.getAttribute('data-id')] = li;
    });
    var prev = null;
    items.forEach(function (c) {
      var open = state.open && state.open.conv.id === c.id;
      var title = el('span', { class: 't' }, [el('span', { class: 'lang', text: String(c.language || '').toUpperCase(), title: t('lang_' + c.language) }), convTitle(c)]);
      if (state.unread[c.id]) title.appendChild(el('span', { class: 'unread', title: t('newMessage') }, [el('span', { class: 'sr', text: t('newMessage') })]));
      var side;
      if (kind === 'queue') side = el('span', { class: 'w', text: t('waiting', { t: duration(waitingSeconds(c)) }) });
      else if (kind === 'closed') side = el('span', { class: 'hint', text: clock(c.closed_at || c.updated_at) });
      else side = el('span', { class: 'hint', text: clock(c.updated_at) });
      var sub = reasonText(c.handoff_reason);
      if (kind === 'others' && c.agent_name) sub = (sub ? sub + ' · ' : '') + t('assignedTo', { name: c.agent_name });
      if (kind === 'closed' && c.disposition) sub = c.disposition;
      var preview = kind === 'queue' && c.preview ? el('span', { class: 'p', text: c.preview }) : null;

      var li = old[c.id];
      delete old[c.id];
      if (!li) {
        var btn = el('button', { type: 'button', 'data-id': c.id });
        btn.addEventListener('click', function () {
          openConv(c.id, true);
        });
        li = el('li', { 'data-id': c.id }, [btn]);
      }
      li.setAttribute('data-status', c.status);
      li.firstElementChild.setAttribute('aria-current', open ? 'true' : 'false');
      syncChildren(
        li.firstElementChild,
        [title, side, sub ? el('span', { class: 'r', text: sub }) : null, preview].filter(Boolean)
      );
      var at = prev ? prev.nextElementSibling : ul.firstElementChild;
      if (at !== li) ul.insertBefore(li, at);
      prev = li;
    });
    Object.keys(old).forEach(function (id) {
      ul.removeChild(old[id]);
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
    if (c.status === 'erased') {
      gone(c.id);
      return;
    }
    var old = state.queue.filter(function (x) {
      return x.id === c.id;
    })[0];
    var wasQueued = !!old;
    // the stream's frames carry no preview of the customer's question: keep
    // the one we have, or read the queue again for a newcomer
    if (c.status === 'queued' && c.preview === undefined) {
      if (old && old.preview !== undefined) c.preview = old.preview;
      else refreshQueueSoon();
    }
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
    } else if (c.status === 'closed' && (isLead() || c.assigned_to === state.me.id)) {
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

  // An admin erased the conversation: it leaves every list, and the view.
  function gone(id) {
    state.queue = without(state.queue, id);
    state.mine = without(state.mine, id);
    state.others = without(state.others, id);
    state.closed = without(state.closed, id);
    delete state.unread[id];
    if (state.open && state.open.conv.id === id) {
      history.replaceState(null, '', location.pathname);
      closeView();
      announce(t('erasedByOther'));
    } else renderLists();
  }

  // ---- one conversation -------------------------------------------------------

  function openConv(id, focus, again) {
    $('users-view').hidden = true;
    $('canned-view').hidden = true;
    if (location.hash !== '#c=' + id) history.replaceState(null, '', '#c=' + id);
    delete state.unread[id];
    var gen = state.gen;
    return api('GET', '/api/v1/agent/conversations/' + encodeURIComponent(id) + '?lang=' + lang).then(
      function (c) {
        // a conversation frame came in meanwhile: this answer may be older
        if (state.gen !== gen && !again) return openConv(id, focus, true);
        var same = state.open && state.open.conv.id === c.id;
        if (!same) state.open = { conv: c, msgs: {}, notes: {}, reviews: {} };
        else state.open.conv = c;
        if (!same) loadReviews(c);
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

  // Shows the view viewId (users-view, canned-view) in the place of a
  // conversation: closes what was open, loads the view with load() and puts
  // the focus on its title titleId.
  function showView(viewId, titleId, load) {
    state.open = null;
    page.closeCanned(false);
    ['welcome', 'conv-view', 'users-view', 'canned-view'].forEach(function (v) {
      $(v).hidden = v !== viewId;
    });
    renderLists();
    load();
    $(titleId).setAttribute('tabindex', '-1');
    $(titleId).focus();
  }

  function closeView() {
    state.open = null;
    $('claim').disabled = true;
    closeErase(false);
    closeCanned(false);
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
    renderFacts();
    renderSuggestions();
    renderHistory();
    renderTranscript();
    renderNotes();
    if (fresh) {
      closeErase(false);
      $('reply-text').value = '';
      $('note-text').value = '';
      state.suggestion = null;
      closeCanned(false);
    }
  }

  function renderHead() {
    var c = state.open.conv;
    var me = state.me;
    var title = $('conv-title');
    title.textContent = convTitle(c);
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
    $('claim').disabled = c.status !== 'queued';
    $('erase-wrap').hidden = !isAdmin();
    $('release').hidden = !mine;
    $('close-wrap').hidden = !(mine || (isLead() && (c.status === 'assigned' || c.status === 'queued')));
    $('assign-wrap').hidden = !(isLead() && c.status !== 'closed' && state.users && state.users.length);
    if (!$('assign-wrap').hidden) fillAssign(c);

    var reply = $('reply-text');
    var send = $('reply-send');
    reply.disabled = send.disabled = !mine;
    document.querySelectorAll('#suggestions-list button').forEach(function (b) {
      b.disabled = !mine;
    });
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
      if (m.provenance === 'suggested' || m.provenance === 'suggested_edited')
        tags.push(el('span', { class: 'tag prov', text: t(m.provenance === 'suggested' ? 'provSuggested' : 'provEdited') }));
    } else {
      who = t('customer');
      tags.push(el('span', { class: 'tag customer', text: t('customer') }));
      who = '';
    }
    var info = [];
    if (m.sender === 'bot' && typeof m.confidence === 'number') info.push(t('confidence', { p: Math.round(m.confidence * 100) }));
    if (m.article_id) info.push(t('article', { a: m.article_id }));
    if (m.chosen) info.push(t('chosen'));
    var head = el('p', { class: 'who' }, [who ? el('span', { text: who }) : null].concat(tags, [
      el('time', { datetime: m.created_at, text: clock(m.created_at) }),
      info.length ? el('span', { class: 'hint', text: info.join(' · ') }) : null,
    ]));
    var txt = el('p', { class: 'txt' });
    txt.textContent = String(m.text || '');
    var reveal = null;
    if (m.masked && revealed[m.id] !== undefined) txt.textContent = revealed[m.id];
    else if (m.masked) {
      var rb = el('button', { type: 'button', class: 'ghost small', 'aria-label': t('revealLabel'), text: t('revealBsn') });
      rb.addEventListener('click', function () {
        revealMessage(m, txt, rb);
      });
      reveal = el('p', { class: 'masked hint' }, [el('span', { text: t('maskedNote') + ' ' }), rb]);
    }
    var cls = m.sender === 'bot' || m.sender === 'agent' || m.sender === 'customer' ? m.sender : 'system';
    var review = m.sender === 'bot' && m.article_id ? reviewNode(m) : null;
    return el('div', { class: 'm ' + cls, 'data-seq': String(m.seq), 'data-id': m.id, 'data-sender': m.sender, 'data-automated': m.automated ? 'true' : 'false' }, [head, txt, reveal, choicesNode(m), review]);
  }

  // The articles a bot message offered as choices (issue 15): titles with
  // their ids, so that the agent sees what the customer could pick from.
  function choicesNode(m) {
    if (m.sender !== 'bot' || !Array.isArray(m.choices) || !m.choices.length) return null;
    var list = el('ul', { class: 'choices' });
    m.choices.forEach(function (c) {
      if (!c || typeof c.article_id !== 'string') return;
      list.appendChild(el('li', { 'data-article': c.article_id }, [
        el('span', { text: String(c.title || c.article_id) }),
        el('span', { class: 'hint', text: ' (' + c.article_id + ')' }),
      ]));
    });
    return el('div', { class: 'offer' }, [el('p', { class: 'hint', text: t('choicesOffered') }), list]);
  }

  // Shows the original of a message whose BSN the server masked; the server
  // records who revealed which message (audit "message.reveal"). Kept for
  // this page, so that a redraw of the transcript does not mask it again.
  var revealed = {};
  function revealMessage(m, txt, btn) {
    if (!state.open) return;
    btn.disabled = true;
    api('POST', '/api/v1/agent/conversations/' + encodeURIComponent(m.conversation_id) + '/messages/' + encodeURIComponent(m.id) + '/reveal').then(
      function (r) {
        revealed[m.id] = String(r.text || '');
        txt.textContent = revealed[m.id];
        btn.parentNode.remove();
      },
      function (e) {
        btn.disabled = false;
        if (e.status !== 401) $('conv-error').textContent = t('revealFailed', { msg: e.message });
      }
    );
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

  // Adds m to the open transcript (once per seq); replace: our own reply's
  // answer, which knows more (provenance) than the stream's frame.
  function addMessage(m, replace) {
    if (!state.open || m.conversation_id !== state.open.conv.id) return;
    var box = $('transcript');
    if (state.open.msgs[m.seq]) {
      var shown = box.querySelector('.m[data-seq="' + m.seq + '"]');
      if (replace && shown) {
        state.open.msgs[m.seq] = m;
        box.replaceChild(messageNode(m), shown);
      }
      return;
    }
    state.open.msgs[m.seq] = m;
    var stick = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
    var node = messageNode(m);
    var next = null;
    box.querySelectorAll('.m').forEach(function (n) {
      if (!next && Number(n.getAttribute('data-seq')) > m.seq) next = n;
    });
    box.insertBefore(node, next);
    if (stick || m.sender === 'agent') box.scrollTop = box.scrollHeight;
    if (m.sender === 'customer') refreshOpenSoon();
  }

  // A new customer message changes the suggestions and the summary: read the
  // conversation again (once for a burst of messages).
  var openTimer = null;
  function refreshOpenSoon() {
    clearTimeout(openTimer);
    openTimer = setTimeout(function () {
      if (state.open) openConv(state.open.conv.id);
    }, 400);
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
    if (!state.open) return Promise.reject(new Error('no conversation open'));
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
    var from = this;
    if (!state.open || state.open.conv.status !== 'queued') return; // nothing to claim
    busy(
      this,
      convAction('/claim', undefined, function () {
        announce(t('claimed'));
        if (!state.open) return;
        openConv(state.open.conv.id).then(function () {
          // to the reply box, unless the agent has already gone somewhere
          // else (e.g. typed "/" in the box, which opened the search)
          var at = document.activeElement;
          if (!at || at === from || at === document.body) $('reply-text').focus();
        });
      })
    );
  });
  // Erasing one conversation (admins): a confirm step in the page, then
  // POST /api/v1/admin/conversations/{id}/erase; audited on the server.
  function closeErase(focus) {
    $('erase-confirm').hidden = true;
    $('erase').setAttribute('aria-expanded', 'false');
    $('erase-understand').checked = false;
    $('erase-go').disabled = true;
    if (focus) $('erase').focus();
  }
  $('erase').addEventListener('click', function () {
    if (!state.open) return;
    $('erase-confirm').hidden = false;
    $('erase').setAttribute('aria-expanded', 'true');
    $('erase-understand').focus();
  });
  $('erase-understand').addEventListener('change', function () {
    $('erase-go').disabled = !this.checked;
  });
  $('erase-cancel').addEventListener('click', function () {
    closeErase(true);
  });
  $('erase-confirm').addEventListener('keydown', function (ev) {
    if (ev.key === 'Escape') closeErase(true);
  });
  $('erase-go').addEventListener('click', function () {
    if (!state.open || !$('erase-understand').checked) return;
    var id = state.open.conv.id;
    var btn = this;
    btn.disabled = true;
    api('POST', '/api/v1/admin/conversations/' + encodeURIComponent(id) + '/erase', { confirm: true }).then(
      function () {
        closeErase(false);
        if (state.open && state.open.conv.id === id) {
          history.replaceState(null, '', location.pathname);
          closeView();
        }
        gone(id);
        announce(t('erased'));
      },
      function (e) {
        btn.disabled = false;
        if (e.status !== 401) $('conv-error').textContent = t('failed', { msg: e.message });
      }
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
    var body = { text: text };
    // where the text came from: a suggestion sent as it was, or edited
    var sug = state.suggestion;
    if (sug && sug.conv === id) {
      body.provenance = text === sug.text.trim() ? 'suggested' : 'suggested_edited';
      body.suggestion_article_id = sug.article_id;
    }
    api('POST', '/api/v1/agent/conversations/' + encodeURIComponent(id) + '/messages', body)
      .then(
        function (m) {
          box.value = '';
          state.suggestion = null;
          if (m && m.seq) addMessage(m, true);
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
  $('reply-text').addEventListener('input', function () {
    var box = $('reply-text');
    if (!box.value.trim()) state.suggestion = null;
    maybeOpenCanned();
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

  // ---- the page's parts: console-assist.js, console-canned.js, console-users.js,
  // console-live.js; each is started once with what the page shares

  var page = {
    state: state,
    api: api,
    announce: announce,
    isLead: isLead,
    isAdmin: isAdmin,
    refreshMe: refreshMe,
    updateMe: updateMe,
    loadLists: loadLists,
    renderLists: renderLists,
    upsert: upsert,
    openConv: openConv,
    showView: showView,
    renderHead: renderHead,
    renderTranscript: renderTranscript,
    messageNode: messageNode,
    addMessage: addMessage,
    addNote: addNote,
  };

  // agent assist and answer review
  var assist = loket.consoleAssist(page);
  var renderFacts = assist.renderFacts;
  var renderSuggestions = assist.renderSuggestions;
  var renderHistory = assist.renderHistory;
  var reviewNode = assist.reviewNode;
  var loadReviews = assist.loadReviews;

  // canned responses, behind "/" and their management
  var canned = loket.consoleCanned(page);
  var showCanned = canned.showCanned;
  var closeCanned = (page.closeCanned = canned.closeCanned);
  var maybeOpenCanned = canned.maybeOpenCanned;

  // users (admin)
  var users = loket.consoleUsers(page);
  var loadUsers = (page.loadUsers = users.loadUsers);
  var showUsers = users.showUsers;

  // live updates
  var live = loket.consoleLive(page);
  var startLive = live.startLive;
  var stopLive = live.stopLive;

  // ---- start ------------------------------------------------------------------

  function routeFromHash() {
    var h = location.hash;
    var m = /^#c=([\w-]+)$/.exec(h);
    if (m) openConv(m[1]);
    else if (h === '#users' && state.me && state.me.role === 'admin') showUsers();
    else if (h === '#canned' && isLead()) showCanned();
  }
  window.addEventListener('hashchange', function () {
    if (state.me) routeFromHash();
  });

  applyStrings();
  loket.session('conversations').then(function (user) {
    if (user) {
      state.me = user;
      showApp();
      return;
    }
    // nobody logged in: the login form in the deployment's language, unless
    // this browser has used the console before
    return api('GET', '/api/v1/auth/console').then(
      function (d) {
        if (!loket.adoptDefault(d && d.default_language)) showLogin();
      },
      function () {
        showLogin();
      }
    );
  });
})();
