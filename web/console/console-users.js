/*
 * loket console: user administration on the agents' page (admins only;
 * index.html, "#users").
 *
 * The users table with each user's role, deactivation and a new password,
 * and the form for a new user. console.js starts it once with what the page
 * shares (its state, its request helper, the role checks and the views it
 * draws again) and gets back loadUsers() and showUsers(). Loaded after
 * common.js and before console.js.
 */
loket.consoleUsers = function (page) {
  'use strict';

  var t = loket.t;
  var $ = loket.$;
  var el = loket.el;
  var state = page.state;
  var api = page.api;
  var refreshMe = page.refreshMe;

  // ---- users (admin) ----------------------------------------------------------
  //
  // Each row of the users table has a role <select> with its own "Opslaan"
  // (a select that applied on change would change a role at every arrow key),
  // "Deactiveren" (after a confirm step in the page: sessions end, the user's
  // conversations go back to the queue) or "Activeren", and "Nieuw wachtwoord
  // instellen" (a small form under the row). One such panel is open at a time.
  // After every change the list is read again and the focus goes back to the
  // control that was used. The server refuses what would leave no active
  // admin (409); the page says so in plain words.

  var usersUi = {
    panel: null, // {id, kind: 'confirm' | 'password', row: the <tr> that holds it}
    focus: null, // {id, what}: the control to focus once the list is drawn again
  };

  function roleName(role) {
    return t('role' + role.charAt(0).toUpperCase() + role.slice(1));
  }

  function userName(u) {
    return u.display_name || u.email;
  }

  function sessionsText(n) {
    n = n || 0;
    return n === 0 ? t('sessions0') : n === 1 ? t('sessions1') : t('sessionsN', { n: n });
  }

  function releasedText(n) {
    n = n || 0;
    return n === 0 ? '' : n === 1 ? t('released1') : t('releasedN', { n: n });
  }

  function userError(e) {
    if (e.status === 409) return t('lastAdmin');
    if (e.status === 404) return t('userGone');
    if (e.status === 403) return t('notAllowed');
    return t('failed', { msg: e.message });
  }

  function clearUserMsgs() {
    $('users-status').textContent = '';
    $('users-error').textContent = '';
  }

  function loadUsers() {
    if (!page.isLead()) return Promise.resolve();
    // Everyone one may assign to; admins also get the full list to manage.
    var team = api('GET', '/api/v1/agent/users').then(function (r) {
      state.users = r.users || [];
      if (state.open) page.renderHead();
    });
    var all = !page.isAdmin()
      ? team
      : team.then(function () {
          return api('GET', '/api/v1/admin/users').then(function (r) {
            state.adminUsers = r.users || [];
            renderUsers();
          });
        });
    // never rejects: 401 shows the login (api()), 403 means no longer an admin
    // (refreshMe() shows the new role's view)
    return all.catch(function (e) {
      if (e.status !== 401 && e.status !== 403) $('users-error').textContent = t('failed', { msg: e.message });
    });
  }

  function rowOf(id) {
    var rows = $('users-body').querySelectorAll('tr[data-id]');
    for (var i = 0; i < rows.length; i++) if (rows[i].getAttribute('data-id') === id) return rows[i];
    return null;
  }

  function userControl(id, what) {
    var row = rowOf(id);
    return row && row.querySelector('[data-what="' + what + '"]');
  }

  function renderUsers() {
    var body = $('users-body');
    var users = state.adminUsers || [];
    var panel = usersUi.panel;
    if (panel && !users.some(function (u) {
      return u.id === panel.id;
    }))
      panel = usersUi.panel = null;
    // The focus survives a redraw (the list is read again when anything
    // changes): the open panel is the same node, re-attached; a row's
    // control is found again by its user and kind.
    var had = document.activeElement;
    var keep = null;
    if (had && body.contains(had)) {
      if (panel && panel.row.contains(had)) keep = had;
      else if (!usersUi.focus && had.getAttribute('data-what') && had.closest('tr[data-id]'))
        usersUi.focus = { id: had.closest('tr[data-id]').getAttribute('data-id'), what: had.getAttribute('data-what') };
    }
    body.textContent = '';
    users.forEach(function (u) {
      var name = userName(u);
      var own = state.me && u.id === state.me.id;
      var select = el(
        'select',
        { 'aria-label': t('roleOf', { name: name }), 'data-what': 'role' },
        ['agent', 'supervisor', 'admin'].map(function (r) {
          return el('option', { value: r, text: roleName(r) });
        })
      );
      select.value = u.role;
      var save = el('button', { type: 'button', class: 'ghost', 'data-what': 'save', 'aria-label': t('roleSaveLabel', { name: name }), text: t('roleSave'), disabled: true });
      select.addEventListener('change', function () {
        save.disabled = select.value === u.role;
      });
      save.addEventListener('click', function () {
        var role = select.value;
        if (role === u.role) return;
        save.disabled = true;
        patchUser(u, { role: role }, 'role', null, function () {
          return t('roleChanged', { name: name, role: roleName(role) });
        }).then(function () {
          if (save.isConnected) save.disabled = select.value === u.role;
        });
      });
      var toggle = el('button', {
        type: 'button',
        class: u.disabled ? 'ghost' : 'danger',
        'data-what': 'toggle',
        'aria-label': t(u.disabled ? 'activateLabel' : 'deactivateLabel', { name: name }),
        text: t(u.disabled ? 'activate' : 'deactivate'),
      });
      toggle.addEventListener('click', function () {
        if (!u.disabled) {
          openUserPanel(u, 'confirm');
          return;
        }
        toggle.disabled = true;
        patchUser(u, { disabled: false }, 'toggle', null, function () {
          return t('activated', { name: name });
        }).then(function () {
          toggle.disabled = false;
        });
      });
      var pwOpen = panel && panel.id === u.id && panel.kind === 'password';
      var pw = el('button', {
        type: 'button',
        class: 'ghost',
        'data-what': 'pw',
        'aria-label': t('setPasswordLabel', { name: name }),
        'aria-expanded': pwOpen ? 'true' : 'false',
        'aria-controls': pwOpen ? 'user-panel' : null,
        text: t('setPassword'),
      });
      pw.addEventListener('click', function () {
        var p = usersUi.panel;
        if (p && p.id === u.id && p.kind === 'password') closeUserPanel(true);
        else openUserPanel(u, 'password');
      });
      body.appendChild(
        el('tr', { 'data-id': u.id, 'data-role': u.role, 'data-disabled': u.disabled ? 'true' : 'false', class: u.disabled ? 'user-off' : null }, [
          el('th', { scope: 'row' }, [name, own ? el('span', { class: 'muted', text: ' ' + t('youTag') }) : null]),
          el('td', { text: u.email }),
          el('td', { class: 'user-role' }, [select, ' ', save]),
          el('td', { 'data-what': 'state', text: u.disabled ? t('disabled') : t('active') }),
          el('td', { class: 'user-act' }, [toggle, ' ', pw]),
        ])
      );
      // an open panel stays open (with what was typed in it)
      if (panel && panel.id === u.id) body.appendChild(panel.row);
    });
    var f = usersUi.focus;
    usersUi.focus = null;
    if (keep && keep.isConnected) {
      keep.focus();
    } else if (f) {
      var n = userControl(f.id, f.what);
      if (n) n.focus();
    }
  }

  // A PATCH of one user. what: the control to focus afterwards; errNode:
  // where an error goes (the shared alert when null); okText(answer): the
  // message on success.
  function patchUser(u, body, what, errNode, okText) {
    clearUserMsgs();
    if (errNode) errNode.textContent = '';
    return api('PATCH', '/api/v1/admin/users/' + encodeURIComponent(u.id), body).then(
      function (r) {
        if (usersUi.panel && usersUi.panel.id === u.id) usersUi.panel = null;
        usersUi.focus = { id: u.id, what: what };
        // said once the table shows it
        return afterUserChange(u).then(function () {
          $('users-status').textContent = okText(r || {});
        });
      },
      function (e) {
        if (e.status === 401) return; // the session ended: the login shows
        (e.status === 404 ? $('users-error') : errNode || $('users-error')).textContent = userError(e);
        if (e.status === 404) usersUi.panel = null;
        else if (errNode) return; // the panel stays open, with the error
        // the row shows what the server has again (a refused role, say)
        usersUi.focus = { id: u.id, what: what };
        return loadUsers();
      }
    );
  }

  // The list again; a change to one's own account may have changed one's
  // role (then the console shows that role's view) or ended the session.
  function afterUserChange(u) {
    var me = state.me && u.id === state.me.id ? refreshMe() : Promise.resolve();
    return me
      .then(function () {
        if (state.me) return loadUsers();
      })
      .catch(function () {});
  }

  function openUserPanel(u, kind) {
    closeUserPanel(false);
    clearUserMsgs();
    var name = userName(u);
    var row = rowOf(u.id);
    if (!row) return;
    var box, first;
    if (kind === 'confirm') {
      var title = el('p', { id: 'user-panel-title', class: 'user-confirm-title', tabindex: '-1', text: t('confirmTitle', { name: name }) });
      var err = el('p', { class: 'error', role: 'alert' });
      var go = el('button', { type: 'button', class: 'danger', text: t('confirmGo') });
      var no = el('button', { type: 'button', class: 'ghost', text: t('cancel') });
      go.addEventListener('click', function () {
        go.disabled = true;
        patchUser(u, { disabled: true }, 'toggle', err, function (r) {
          return [t('deactivated', { name: name }), sessionsText(r.sessions_ended), releasedText(r.conversations_released)].join(' ').trim();
        }).then(function () {
          go.disabled = false;
        });
      });
      no.addEventListener('click', function () {
        closeUserPanel(true);
      });
      box = el('div', { id: 'user-panel', class: 'user-confirm', role: 'group', 'aria-labelledby': 'user-panel-title', 'aria-describedby': 'user-panel-text' }, [
        title,
        el('p', { id: 'user-panel-text', text: t('confirmText', { name: name }) }),
        err,
        el('p', { class: 'acc-buttons' }, [go, no]),
      ]);
      first = title;
    } else {
      var input = el('input', { id: 'user-panel-pw', type: 'password', autocomplete: 'new-password', minlength: '8', required: true, 'aria-describedby': 'user-panel-hint' });
      var perr = el('p', { class: 'error', role: 'alert' });
      var cancel = el('button', { type: 'button', class: 'ghost', text: t('cancel') });
      var submit = el('button', { type: 'submit', class: 'primary', text: t('pwSave') });
      box = el('form', { id: 'user-panel', class: 'user-pw', novalidate: true }, [
        el('label', { for: 'user-panel-pw', text: t('pwFor', { name: name }) }),
        input,
        el('p', { id: 'user-panel-hint', class: 'hint', text: t('pwHint', { name: name }) }),
        perr,
        el('p', { class: 'acc-buttons' }, [submit, cancel]),
      ]);
      cancel.addEventListener('click', function () {
        closeUserPanel(true);
      });
      box.addEventListener('submit', function (ev) {
        ev.preventDefault();
        clearUserMsgs();
        perr.textContent = '';
        input.removeAttribute('aria-invalid');
        if (input.value.length < 8) {
          perr.textContent = t('pwShort');
          input.setAttribute('aria-invalid', 'true');
          input.focus();
          return;
        }
        submit.disabled = true;
        api('POST', '/api/v1/admin/users/' + encodeURIComponent(u.id) + '/password', { password: input.value })
          .then(
            function (r) {
              input.value = '';
              usersUi.panel = null;
              usersUi.focus = { id: u.id, what: 'pw' };
              return afterUserChange(u).then(function () {
                $('users-status').textContent = t('pwSet', { name: name }) + ' ' + sessionsText(r && r.sessions_ended);
              });
            },
            function (e) {
              if (e.status === 401) return;
              if (e.status === 404) {
                $('users-error').textContent = userError(e);
                usersUi.panel = null;
                return loadUsers();
              }
              perr.textContent = loket.passwordError(e) || userError(e);
              input.focus();
            }
          )
          .then(function () {
            submit.disabled = false;
          });
      });
      first = input;
    }
    box.addEventListener('keydown', function (ev) {
      if (ev.key === 'Escape') {
        ev.preventDefault();
        closeUserPanel(true);
      }
    });
    var panelRow = el('tr', { class: 'user-panel', 'data-for': u.id }, [el('td', { colspan: '5' }, [box])]);
    row.parentNode.insertBefore(panelRow, row.nextSibling);
    usersUi.panel = { id: u.id, kind: kind, row: panelRow };
    if (kind === 'password') {
      var b = userControl(u.id, 'pw');
      b.setAttribute('aria-expanded', 'true');
      b.setAttribute('aria-controls', 'user-panel');
    }
    first.focus();
  }

  // focusBack: the focus returns to the button that opened the panel
  function closeUserPanel(focusBack) {
    var p = usersUi.panel;
    if (!p) return;
    usersUi.panel = null;
    if (p.row.parentNode) p.row.parentNode.removeChild(p.row);
    var b = userControl(p.id, 'pw');
    if (b) {
      b.setAttribute('aria-expanded', 'false');
      b.removeAttribute('aria-controls');
    }
    if (focusBack) {
      var n = userControl(p.id, p.kind === 'password' ? 'pw' : 'toggle');
      if (n) n.focus();
    }
  }

  $('users-link').addEventListener('click', function () {
    history.replaceState(null, '', '#users');
    showUsers();
  });

  function showUsers() {
    page.showView('users-view', 'users-title', loadUsers);
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
        msg.textContent = e.status === 409 ? t('userExists') : loket.passwordError(e) || t('failed', { msg: e.message });
      }
    );
  });

  return { loadUsers: loadUsers, showUsers: showUsers };
};
