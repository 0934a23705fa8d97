/*
 * loket console: live updates on the agents' page (index.html).
 *
 * The agents' WebSocket (/api/v1/agent/ws): on every (re)connect the lists
 * and the open conversation are read again (the stream has no backlog);
 * while the socket is down the page polls every 10 seconds and tries again
 * with a growing, jittered delay (at most 15 seconds). Frames update the
 * lists, the open conversation and its notes. console.js starts it once
 * with what the page shares and gets back startLive() and stopLive().
 * Loaded after common.js and before console.js.
 */
loket.consoleLive = function (page) {
  'use strict';

  var t = loket.t;
  var $ = loket.$;
  var state = page.state;
  var api = page.api;
  var announce = page.announce;
  var updateMe = page.updateMe;
  var loadLists = page.loadLists;
  var renderLists = page.renderLists;
  var upsert = page.upsert;
  var openConv = page.openConv;
  var renderHead = page.renderHead;
  var addMessage = page.addMessage;
  var addNote = page.addNote;
  var loadUsers = page.loadUsers;

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
      api('GET', '/api/v1/auth/me').then(
        function (r) {
          if (r && r.user) updateMe(r.user);
          retry();
        },
        function (e) {
          if (e.status !== 401) retry();
        }
      );
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

  return { startLive: startLive, stopLive: stopLive };
};
