/*
 * loket console: managing the canned responses on the agents' page
 * (supervisors and admins; index.html, "#canned").
 *
 * The list of canned responses with edit and archive, and the form that adds
 * or changes one; after a change the reply box's "/" list is read again.
 * console.js starts it once with what the page shares and gets back
 * showCanned(). Loaded after common.js and before console.js.
 */
loket.consoleCanned = function (page) {
  'use strict';

  var lang = loket.lang;
  var t = loket.t;
  var $ = loket.$;
  var el = loket.el;
  var state = page.state;
  var api = page.api;
  var announce = page.announce;
  var renderLists = page.renderLists;
  var canned = page.canned;
  var closeCanned = page.closeCanned;

  // ---- canned responses: management (supervisors, admins) -------------------------

  var cannedEdit = null; // the one being edited, or null: adding

  function showCanned() {
    state.open = null;
    closeCanned(false);
    $('welcome').hidden = true;
    $('conv-view').hidden = true;
    $('users-view').hidden = true;
    $('canned-view').hidden = false;
    renderLists();
    loadCannedAdmin();
    $('canned-title').setAttribute('tabindex', '-1');
    $('canned-title').focus();
  }

  $('canned-link').addEventListener('click', function () {
    history.replaceState(null, '', '#canned');
    showCanned();
  });

  function loadCannedAdmin() {
    return api('GET', '/api/v1/agent/canned').then(
      function (r) {
        state.cannedAll = (r && r.canned) || [];
        renderCannedAdmin();
      },
      function (e) {
        if (e.status !== 401) $('canned-msg').textContent = t('failed', { msg: e.message });
      }
    );
  }

  function renderCannedAdmin() {
    var body = $('canned-body');
    body.textContent = '';
    (state.cannedAll || []).forEach(function (c) {
      var edit = el('button', { type: 'button', class: 'ghost', 'aria-label': t('cannedEditLabel', { title: c.title }), text: t('cannedEdit') });
      edit.addEventListener('click', function () {
        startEdit(c);
      });
      var arch = el('button', { type: 'button', class: 'danger', 'aria-label': t('cannedArchiveLabel', { title: c.title }), text: t('cannedArchive') });
      arch.addEventListener('click', function () {
        api('DELETE', '/api/v1/agent/canned/' + encodeURIComponent(c.id)).then(
          function () {
            announce(t('cannedArchived', { title: c.title }));
            if (cannedEdit && cannedEdit.id === c.id) resetCannedForm();
            canned.lang = null; // the reply box's list is read again
            loadCannedAdmin().then(function () {
              $('canned-title').focus();
            });
          },
          function (e) {
            if (e.status !== 401) $('canned-msg').textContent = t('failed', { msg: e.message });
          }
        );
      });
      body.appendChild(
        el('tr', { 'data-id': c.id }, [
          el('td', { text: c.title }),
          el('td', { text: t('lang_' + c.language) }),
          el('td', { text: c.shortcut ? '/' + c.shortcut : '' }),
          el('td', { class: 'ctext', text: c.text }),
          el('td', { class: 'cact' }, [edit, ' ', arch]),
        ])
      );
    });
    $('canned-none').hidden = (state.cannedAll || []).length > 0;
  }

  function startEdit(c) {
    cannedEdit = c;
    $('cf-title').value = c.title;
    $('cf-language').value = c.language;
    $('cf-shortcut').value = c.shortcut || '';
    $('cf-text').value = c.text;
    $('canned-form-title').textContent = t('cannedEditTitle');
    $('cf-save').textContent = t('cannedSave');
    $('cf-cancel').hidden = false;
    $('canned-msg').textContent = '';
    $('cf-title').focus();
  }

  function resetCannedForm() {
    cannedEdit = null;
    $('cf-title').value = $('cf-shortcut').value = $('cf-text').value = '';
    $('canned-form-title').textContent = t('cannedAdd');
    $('cf-save').textContent = t('cannedSaveNew');
    $('cf-cancel').hidden = true;
  }

  $('cf-cancel').addEventListener('click', function () {
    resetCannedForm();
    $('cf-title').focus();
  });

  $('canned-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var msg = $('canned-msg');
    msg.className = 'error';
    msg.textContent = '';
    var body = {
      title: $('cf-title').value.trim(),
      language: $('cf-language').value,
      shortcut: $('cf-shortcut').value.trim() || null,
      text: $('cf-text').value.trim(),
    };
    if (!body.title || !body.text) {
      msg.textContent = t('cannedMissing');
      return;
    }
    var req = cannedEdit ? api('PUT', '/api/v1/agent/canned/' + encodeURIComponent(cannedEdit.id), body) : api('POST', '/api/v1/agent/canned', body);
    req.then(
      function (c) {
        msg.className = 'ok';
        msg.textContent = t('cannedSaved', { title: c.title });
        resetCannedForm();
        canned.lang = null;
        loadCannedAdmin();
      },
      function (e) {
        if (e.status !== 401) msg.textContent = t('failed', { msg: e.message });
      }
    );
  });

  return { showCanned: showCanned };
};
