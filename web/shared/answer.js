/*
 * loket: an API answer read as JSON, shared by the widget and the console.
 *
 * loketAnswer(response) resolves to the body parsed as JSON (null when it is
 * empty or not JSON) when the status is 2xx, and otherwise rejects with an
 * Error whose message is the server's error message (else "HTTP <status>"),
 * with status, code (the error code, docs/api.md) and, for a 429,
 * retryAfter: the seconds the server asked to wait (60 when it did not say).
 *
 * Both take it in with a line "// @include shared/answer.js" that loket
 * replaces with this file when it embeds web/ (cmake/embed_dir.cmake).
 */
function loketAnswer(r) {
  'use strict';
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
      var ra = Number(r.headers.get('Retry-After'));
      if (r.status === 429) err.retryAfter = ra > 0 && isFinite(ra) ? Math.ceil(ra) : 60;
      throw err;
    }
    return j;
  });
}
