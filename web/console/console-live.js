/*
 * loket console: live updates on the agents' page (index.html).
 *
 * The agents' WebSocket (/api/v1/agent/ws): on every (re)connect the lists
 * and the open conversation are read again (the stream has no backlog);
 * while the socket is down the page polls every 10 seconds and tries again
 * with a growing, jittered delay (at most 15 seconds; the code that connects
 * and backs off is web/shared/socket.js, the widget's too, loaded before
 * this file). Frames update the
 * lists, the open conversation and its notes. console.js starts it once
 * with what the page shares and gets back startLive() and stopLive().
 * Loaded after common.js and before console.js.
 */
loket.consoleLive = function (page) {
  'use strict';

  var t = loket.t;
  var state = page.state;
  var api = page.api;

  // ---- live -------------------------------------------------------------------

  function setLive(s) {
    var p = loket.$('live');
    p.setAttribute('data-state', s);
    loket.$('live-text').textContent = t(s === 'live' ? 'live' : s === 'offline' ? 'offline' : 'connecting');
  }

  function refreshAll() {
    page.loadLists();
    if (state.open) page.openConv(state.open.conv.id);
  }

  function startLive() {
    setLive('connecting');
    refreshAll();
    page.loadUsers();
    sock.connect();
    clearInterval(state.tick);
    state.tick = setInterval(function () {
      page.renderLists();
      if (state.open && state.open.conv.status === 'queued') page.renderHead();
    }, 15000);
  }

  function stopLive() {
    sock.stop();
    clearInterval(state.pollTimer);
    clearInterval(state.tick);
    state.pollTimer = null;
  }

  // The connect-and-back-off code is web/shared/socket.js, shared with the widget.
  var sock = loketSocket({
    base: 500,
    want: function () {
      return !!state.me;
    },
    url: function () {
      return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/api/v1/agent/ws';
    },
    open: function () {
      sock.ready();
      clearInterval(state.pollTimer);
      state.pollTimer = null;
      setLive('live');
      refreshAll(); // the stream has no backlog
    },
    frame: function (f) {
      if (f.type === 'conversation' && f.conversation) {
        state.gen++;
        page.upsert(f.conversation);
      } else if (f.type === 'message' && f.message) onMessage(f.message);
      else if (f.type === 'note' && f.note) page.addNote(f.note);
    },
    closed: function () {
      setLive('offline');
      if (!state.pollTimer)
        state.pollTimer = setInterval(function () {
          if (state.me) refreshAll();
        }, 10000);
      // the session may have ended (then api() shows the login); otherwise,
      // or when the server cannot be reached, try again later
      api('GET', '/api/v1/auth/me').then(
        function (r) {
          if (r && r.user) page.updateMe(r.user);
          sock.retry();
        },
        function (e) {
          if (e.status !== 401) sock.retry();
        }
      );
    },
  });

  function onMessage(m) {
    if (state.open && m.conversation_id === state.open.conv.id) {
      page.addMessage(m);
      return;
    }
    if (m.sender === 'customer' && state.mine.some(function (c) {
      return c.id === m.conversation_id;
    })) {
      state.unread[m.conversation_id] = true;
      page.renderLists();
      page.announce(t('newMessage'));
    }
  }

  return { startLive: startLive, stopLive: stopLive };
};
