/*
 * loket: a WebSocket that comes back, shared by the widget and the console.
 *
 * One copy of the connect-and-back-off logic: it opens the socket, parses
 * each frame as JSON (a frame that is not JSON is dropped), and after a drop
 * leaves the decision to its user, who calls retry(): the next attempt
 * waits a growing, jittered delay (base * 2^tries, at most 15 seconds, then
 * a random point in its upper half). It comes back at once when the network
 * or the tab returns. The user calls ready() once the server has accepted
 * the connection (the widget: its "ready" frame; the console: the open),
 * which starts the delays from the beginning again.
 *
 *   var sock = loketSocket({
 *     base: 400,                 // the first delay, ms
 *     want: function () {...},   // true while a socket should be open
 *     url: function () {...},    // the address, asked before each attempt
 *     open: function (ws) {...}, // optional: the socket opened
 *     frame: function (f) {...}, // a parsed frame
 *     closed: function (info) {...} // it dropped: {tries, ready}; call sock.retry()
 *   });
 *   sock.connect(); sock.stop(); sock.retry(); sock.ready(); sock.socket()
 *
 * The console loads this file as /shared/socket.js. The widget is served as
 * one file: loket inlines this file where web/widget.js says
 * "// @include shared/socket.js" when it embeds web/ (cmake/embed_dir.cmake),
 * so a customer's site still loads one script.
 */
function loketSocket(o) {
  'use strict';

  var ws = null; // the socket, while it is open or opening
  var isReady = false; // the server accepted the current socket
  var tries = 0; // attempts since the last accepted socket
  var timer = null; // the next attempt

  function stop() {
    clearTimeout(timer);
    timer = null;
    if (ws) {
      var w = ws;
      ws = null;
      w.onclose = w.onmessage = w.onerror = null;
      try {
        w.close();
      } catch (e) {
        /* already closed */
      }
    }
  }

  function connect() {
    if (ws || !o.want()) return;
    clearTimeout(timer);
    timer = null;
    var w;
    try {
      w = new WebSocket(o.url());
    } catch (e) {
      retry();
      return;
    }
    ws = w;
    isReady = false;
    w.onopen = function () {
      if (o.open) o.open(w);
    };
    w.onmessage = function (ev) {
      var f;
      try {
        f = JSON.parse(ev.data);
      } catch (e) {
        return;
      }
      if (f) o.frame(f);
    };
    w.onerror = function () {
      /* onclose follows */
    };
    w.onclose = function () {
      if (ws !== w) return;
      ws = null;
      o.closed({ tries: tries, ready: isReady });
    };
  }

  function retry() {
    if (!o.want()) return;
    var n = tries++;
    var delay = Math.min(15000, o.base * Math.pow(2, n));
    delay = delay / 2 + Math.random() * (delay / 2);
    clearTimeout(timer);
    timer = setTimeout(function () {
      timer = null;
      connect();
    }, delay);
  }

  // Come back at once when the network or the tab returns.
  function wake() {
    if (!ws && o.want()) {
      tries = 0;
      connect();
    }
  }
  window.addEventListener('online', wake);
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'visible') wake();
  });

  return {
    connect: connect,
    stop: stop,
    retry: retry,
    ready: function () {
      isReady = true;
      tries = 0;
    },
    socket: function () {
      return ws;
    },
  };
}
