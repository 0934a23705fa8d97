/*
 * loket console: the canned responses on the agents' page (index.html).
 *
 * Behind "/" in the reply box: an ARIA combobox with a listbox of the
 * canned responses in the conversation's language, filtered as one types,
 * the placeholders {customer_name} and {agent_name} filled in. And, for
 * supervisors and admins ("#canned"), their management: the list with edit
 * and archive, and the form that adds or changes one; after a change the
 * reply box's list is read again. console.js starts it once with what the
 * page shares and gets back showCanned(), closeCanned() and
 * maybeOpenCanned(). Loaded after common.js and before console.js.
 */
loket.consoleCanned = function (page) {
  'use strict';

  var lang = loket.lang;
  var t = loket.t;
  var $ = loket.$;
  var el = loket.el;
  var state = page.state;
  var api = page.api;

  // ---- canned responses behind "/" in the reply box --------------------------------

  var canned = { open: false, dismissed: false, items: [], shown: [], active: -1, lang: null };

  // "Hallo {customer_name}," becomes "Hallo Jan," or, when the name is
  // unknown, "Hallo,": the placeholder goes with the space or comma before it.
  function fillPlaceholders(text) {
    var c = state.open ? state.open.conv : {};
    var name = c.customer && c.customer.name;
    var agent = state.me.display_name || state.me.email;
    var s = String(text).replace(/\{agent_name\}/g, agent);
    if (name) return s.replace(/\{customer_name\}/g, name);
    return s
      .replace(/^\{customer_name\}[ ,]*/g, '')
      .replace(/[ \t,]*\{customer_name\}/g, '');
  }

  function fold(s) {
    return String(s || '')
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase();
  }

  // The "/word" the reply box starts with, while the caret is in it.
  function slashWord() {
    var box = $('reply-text');
    var v = box.value;
    if (v.charAt(0) !== '/') return null;
    var end = v.search(/\s/);
    if (end < 0) end = v.length;
    if (box.selectionStart > end) return null;
    return v.slice(1, end);
  }

  function maybeOpenCanned() {
    var word = slashWord();
    if (word === null) {
      canned.dismissed = false;
      return;
    }
    if (!canned.open && !canned.dismissed && state.open && !$('reply-text').disabled) openCanned(word);
  }

  function openCanned(word) {
    var pop = $('canned-pop');
    var input = $('canned-search');
    canned.open = true;
    pop.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    input.value = word;
    input.focus();
    input.setSelectionRange(word.length, word.length);
    var language = state.open.conv.language;
    if (canned.lang !== language) canned.items = [];
    filterCanned();
    api('GET', '/api/v1/agent/canned?language=' + encodeURIComponent(language)).then(
      function (r) {
        canned.items = (r && r.canned) || [];
        canned.lang = language;
        if (canned.open) filterCanned();
      },
      function (e) {
        if (e.status !== 401) $('conv-error').textContent = t('failed', { msg: e.message });
      }
    );
  }

  // back: return the focus to the reply box
  function closeCanned(back) {
    if (!canned.open) return;
    canned.open = false;
    $('canned-pop').hidden = true;
    $('canned-search').setAttribute('aria-expanded', 'false');
    $('canned-search').removeAttribute('aria-activedescendant');
    if (back) {
      var box = $('reply-text');
      box.focus();
      box.setSelectionRange(box.value.length, box.value.length);
    }
  }

  function filterCanned() {
    var words = fold($('canned-search').value).split(/\s+/).filter(Boolean);
    canned.shown = canned.items.filter(function (c) {
      var hay = fold(c.title + '\n' + (c.shortcut || '') + '\n' + c.text);
      return words.every(function (w) {
        return hay.indexOf(w) >= 0;
      });
    });
    // a shortcut typed in full comes first
    var exact = words.length === 1 ? words[0] : null;
    canned.shown.sort(function (a, b) {
      return (b.shortcut === exact) - (a.shortcut === exact);
    });
    canned.active = canned.shown.length ? 0 : -1;
    renderCannedList();
  }

  function renderCannedList() {
    var ul = $('canned-list');
    ul.textContent = '';
    canned.shown.forEach(function (c, i) {
      var li = el('li', { id: 'canned-opt-' + i, role: 'option', 'aria-selected': i === canned.active ? 'true' : 'false', 'data-id': c.id }, [
        el('span', { class: 'ct', text: c.title }),
        c.shortcut ? el('span', { class: 'cs', text: ' /' + c.shortcut }) : null,
        el('span', { class: 'cx', text: fillPlaceholders(c.text) }),
      ]);
      li.addEventListener('mousedown', function (ev) {
        ev.preventDefault(); // keep the focus in the search box
      });
      li.addEventListener('click', function () {
        insertCanned(c);
      });
      ul.appendChild(li);
    });
    var input = $('canned-search');
    if (canned.active >= 0) {
      input.setAttribute('aria-activedescendant', 'canned-opt-' + canned.active);
      var a = $('canned-opt-' + canned.active);
      if (a && a.scrollIntoView) a.scrollIntoView({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
    $('canned-empty').hidden = canned.shown.length > 0 || canned.lang === null;
  }

  function insertCanned(c) {
    var box = $('reply-text');
    var v = box.value;
    var end = v.charAt(0) === '/' ? v.search(/\s/) : 0;
    if (end < 0) end = v.length;
    var filled = fillPlaceholders(c.text);
    box.value = filled + v.slice(end);
    closeCanned(false);
    box.focus();
    box.setSelectionRange(filled.length, filled.length);
  }

  $('canned-search').addEventListener('input', filterCanned);
  $('canned-search').addEventListener('keydown', function (ev) {
    var n = canned.shown.length;
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      ev.preventDefault();
      if (!n) return;
      canned.active = (canned.active + (ev.key === 'ArrowDown' ? 1 : n - 1)) % n;
      renderCannedList();
    } else if (ev.key === 'Home' || ev.key === 'End') {
      if (!n) return;
      ev.preventDefault();
      canned.active = ev.key === 'Home' ? 0 : n - 1;
      renderCannedList();
    } else if (ev.key === 'Enter') {
      ev.preventDefault();
      if (canned.active >= 0) insertCanned(canned.shown[canned.active]);
    } else if (ev.key === 'Escape') {
      ev.preventDefault();
      canned.dismissed = true;
      closeCanned(true);
    }
  });
  $('canned-pop').addEventListener('focusout', function (ev) {
    if (canned.open && !$('canned-pop').contains(ev.relatedTarget)) {
      canned.dismissed = true;
      closeCanned(false);
    }
  });

  // ---- canned responses: management (supervisors, admins) -------------------------

  var cannedEdit = null; // the one being edited, or null: adding

  function showCanned() {
    page.showView('canned-view', 'canned-title', loadCannedAdmin);
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
            page.announce(t('cannedArchived', { title: c.title }));
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

  return { showCanned: showCanned, closeCanned: closeCanned, maybeOpenCanned: maybeOpenCanned };
};
