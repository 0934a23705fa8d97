/*
 * loket console: what every console page shares. Loaded before a page's own
 * script; it defines window.loket:
 *
 *   loket.lang                 'nl' | 'en' (the console's language: the user's own
 *                              choice, else the deployment's console_language, else
 *                              the browser's; see adoptLanguage)
 *   loket.adoptLanguage(me)    takes the language from a GET /api/v1/auth/me answer;
 *                              reloads the page (true) when it differs from loket.lang
 *   loket.adoptDefault(l)      before anyone logged in: the deployment's language l
 *                              (GET /api/v1/auth/console), unless this browser has
 *                              shown the console in a language before
 *   loket.setLanguage(l)       stores the user's own choice ('nl', 'en', null = the
 *                              default) on the server and reloads
 *   loket.console              the /api/v1/auth/me "console" facts (language,
 *                              default_language, time_zone) once start() resolved
 *   loket.page(function (L, $, el, t) {...})
 *                              a section page's script, given loket and its helpers
 *   loket.strings(dict)        adds {nl: {...}, en: {...}} strings
 *   loket.t(key, vars)         a string in loket.lang, {name} placeholders filled
 *   loket.applyStrings(root)   fills [data-t] text and [data-t-label] aria-labels
 *   loket.$(id), loket.el(tag, attrs, children)
 *                              DOM helpers; el() sets text with textContent only
 *   loket.api(method, path, body)
 *                              fetch + JSON; rejects with Error{status, code}
 *   loket.session(page)        who is logged in: the user, or null (the login page)
 *   loket.start({roles, page}) every section page's start: checks the session (to
 *                              /console/ when there is none), draws the top bar
 *                              (a <header> it adds after the skip link) with the
 *                              section links; resolves to the user. A
 *                              role not in roles sees why the page is not theirs
 *                              and where to go instead.
 *   loket.sectionLinks(ul, role, page)
 *                              the section links a role may see, in a list
 *   loket.lastWeek(from, to, tzSelect)
 *                              a period filter's first values: the last 7 days in
 *                              the deployment's time zone
 *   loket.report(prefix, qs, read, draw)
 *                              reads a report with the page marked busy meanwhile
 *   loket.pagedList(prefix, path, items, row, fail)
 *                              a list read page by page ("load more") into the
 *                              parts of <div class="paged-list" data-list="prefix">
 *   loket.fillTable(table, head, rows, caption, empty)
 *                              fills a <table>: head = string keys of the column
 *                              titles; rows of cells, the first a row header; a cell
 *                              is a string, a node, or {text, key} (key: data-figure);
 *                              caption (text, for screen readers) and empty (text of
 *                              the one row when there are none)
 *   loket.csv(rows)            a CSV text (RFC 4180) of an array of arrays
 *   loket.download(name, text, type)
 *
 * Every page gets its skip link to <main id="main"> from here (frame()); its
 * <head> starts with web/console/parts/head.html (the icon, the style sheet,
 * this script), so a page's HTML holds only its title, its own scripts and
 * its content. A table's column heads are named in its data-cols attribute
 * (string keys) and drawn here too (columnHeads()), and a list read page by
 * page is one <div class="paged-list"> whose parts are made here
 * (pagedListParts()).
 *
 * Everything a customer or agent typed goes into a page with textContent,
 * never as HTML.
 */
(function () {
  'use strict';

  var STRINGS = {
    nl: {
      skip: 'Naar de inhoud',
      secConversations: 'Gesprekken',
      secKnowledge: 'Kennisbank',
      secGaps: 'Hiaten en beoordeling',
      secDashboard: 'Dashboard',
      secCompliance: 'Verantwoording',
      secAdmin: 'Privacy en audit',
      secAccount: 'Mijn account',
      sectionsLabel: 'Onderdelen',
      logout: 'Uitloggen',
      otherLang: 'English',
      roleAgent: 'Medewerker',
      roleSupervisor: 'Teamleider',
      roleAdmin: 'Beheerder',
      notYoursTitle: 'Deze pagina is niet voor jouw rol',
      notYours: 'Je bent ingelogd als {role}. {page} is alleen voor {roles}.',
      notYoursAsk: 'Heb je deze pagina nodig? Vraag een beheerder om je rol aan te passen.',
      notYoursGo: 'Naar {page}',
      rolesAdmin: 'beheerders',
      rolesLead: 'teamleiders en beheerders',
      periodFrom: 'Vanaf (datum)',
      periodTo: 'Tot en met (datum)',
    },
    en: {
      skip: 'Skip to content',
      secConversations: 'Conversations',
      secKnowledge: 'Knowledge base',
      secGaps: 'Gaps and review',
      secDashboard: 'Dashboard',
      secCompliance: 'Compliance',
      secAdmin: 'Privacy and audit',
      secAccount: 'My account',
      sectionsLabel: 'Sections',
      logout: 'Log out',
      otherLang: 'Nederlands',
      roleAgent: 'Agent',
      roleSupervisor: 'Team lead',
      roleAdmin: 'Administrator',
      notYoursTitle: 'This page is not for your role',
      notYours: 'You are logged in as {role}. {page} is for {roles} only.',
      notYoursAsk: 'Do you need this page? Ask an administrator to change your role.',
      notYoursGo: 'Go to {page}',
      rolesAdmin: 'administrators',
      rolesLead: 'team leads and administrators',
      periodFrom: 'From (date)',
      periodTo: 'Up to and including (date)',
    },
  };

  // The console's sections: path, string key, roles that see the link.
  var SECTIONS = [
    { page: 'conversations', href: '/console/', key: 'secConversations', roles: ['agent', 'supervisor', 'admin'] },
    { page: 'knowledge', href: '/console/knowledge.html', key: 'secKnowledge', roles: ['agent', 'supervisor', 'admin'] },
    { page: 'gaps', href: '/console/gaps.html', key: 'secGaps', roles: ['supervisor', 'admin'] },
    { page: 'dashboard', href: '/console/dashboard.html', key: 'secDashboard', roles: ['supervisor', 'admin'] },
    { page: 'compliance', href: '/console/compliance.html', key: 'secCompliance', roles: ['supervisor', 'admin'] },
    { page: 'admin', href: '/console/admin.html', key: 'secAdmin', roles: ['admin'] },
    { page: 'account', href: '/console/account.html', key: 'secAccount', roles: ['agent', 'supervisor', 'admin'] },
  ];

  // The language a page draws in at once: the last one the server named
  // (kept in localStorage), else the browser's. adoptLanguage() corrects it
  // once /api/v1/auth/me has said what the user or the deployment chose.
  var LANG_KEY = 'loket-console-lang';
  function browserLang() {
    return /^nl\b/i.test(navigator.language || '') ? 'nl' : 'en';
  }
  var lang = (function () {
    try {
      var s = localStorage.getItem(LANG_KEY);
      if (s === 'nl' || s === 'en') return s;
    } catch (e) {
      /* storage blocked */
    }
    return browserLang();
  })();

  // Stores the language want and reloads the page in it (true); false when
  // the storage does not keep it (then the page stays as it is: no loop).
  function reloadIn(want) {
    try {
      localStorage.setItem(LANG_KEY, want);
      if (localStorage.getItem(LANG_KEY) !== want) return false;
    } catch (e) {
      return false;
    }
    location.reload();
    return true;
  }

  // me: an answer of GET /api/v1/auth/me. The user's own language, else the
  // deployment's default (both in me.console.language), else the browser's.
  // Reloads (and returns true) when the page is in another language; never
  // loops: without working storage the page stays as it is.
  function adoptLanguage(me) {
    var want = (me && me.console && me.console.language) || browserLang();
    if (want !== 'nl' && want !== 'en') return false;
    if (want === lang) {
      try {
        localStorage.setItem(LANG_KEY, want);
      } catch (e) {
        /* storage blocked */
      }
      return false;
    }
    return reloadIn(want);
  }

  // The login form: the deployment's default (def: 'nl', 'en' or null),
  // unless this browser remembers a language (most likely the user's own).
  function adoptDefault(def) {
    try {
      var s = localStorage.getItem(LANG_KEY);
      if (s === 'nl' || s === 'en') return false;
    } catch (e) {
      return false;
    }
    var want = def || browserLang();
    if (want === lang || (want !== 'nl' && want !== 'en')) return false;
    return reloadIn(want);
  }

  // The user's own choice: 'nl', 'en', or null for the deployment's default.
  function setLanguage(l) {
    return api('PATCH', '/api/v1/auth/me', { language: l }).then(function () {
      try {
        if (l) localStorage.setItem(LANG_KEY, l);
        else localStorage.removeItem(LANG_KEY);
      } catch (e) {
        /* storage blocked */
      }
      location.reload();
    });
  }

  function strings(dict) {
    ['nl', 'en'].forEach(function (l) {
      Object.keys(dict[l] || {}).forEach(function (k) {
        STRINGS[l][k] = dict[l][k];
      });
    });
  }

  function t(key, vars) {
    var s = STRINGS[lang][key];
    if (s === undefined) s = STRINGS.nl[key] !== undefined ? STRINGS.nl[key] : key;
    if (vars)
      s = s.replace(/\{(\w+)\}/g, function (_, k) {
        return vars[k] === undefined ? '' : String(vars[k]);
      });
    return s;
  }

  function applyStrings(root) {
    root = root || document;
    document.documentElement.lang = lang;
    root.querySelectorAll('[data-t]').forEach(function (n) {
      n.textContent = t(n.getAttribute('data-t'));
    });
    root.querySelectorAll('[data-t-label]').forEach(function (n) {
      n.setAttribute('aria-label', t(n.getAttribute('data-t-label')));
    });
  }

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
      if (c !== null && c !== undefined && c !== false)
        e.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    });
    return e;
  }

  function api(method, path, body) {
    var init = { method: method, credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(path, init).then(loketAnswer);
  }

  // The answer as JSON, or an Error{status, code}: web/shared/answer.js,
  // which loket puts here when it serves this file.
  // @include shared/answer.js

  // The links to the sections a role may see, in the list ul (emptied
  // first); the current page's is marked.
  function sectionLinks(ul, role, page) {
    ul.textContent = '';
    SECTIONS.forEach(function (s) {
      if (s.roles.indexOf(role) < 0) return;
      var a = el('a', { href: s.href, text: t(s.key) });
      if (s.page === page) a.setAttribute('aria-current', 'page');
      ul.appendChild(el('li', null, [a]));
    });
    return ul;
  }

  // What every console page has around its own content, drawn here once so
  // that a page's HTML holds only its own: the skip link to <main id="main">,
  // the first thing Tab reaches (its text in the page's language once
  // applyStrings runs). Runs as soon as this script does.
  function frame() {
    if (!document.querySelector('body > a.skip'))
      document.body.insertBefore(el('a', { class: 'skip', href: '#main', 'data-t': 'skip', text: t('skip') }), document.body.firstChild);
    pagedListParts();
    columnHeads();
  }

  // The column heads of each table whose HTML names them in data-cols (the
  // string keys, space-separated): a <thead> row of <th scope="col"> after
  // the caption, in the page's language once applyStrings runs. Runs with
  // frame(), before the page's script.
  function columnHeads() {
    document.querySelectorAll('table[data-cols]').forEach(function (table) {
      if (table.tHead) return;
      var keys = table.getAttribute('data-cols').split(/\s+/);
      table.createTHead().appendChild(
        el(
          'tr',
          null,
          keys.map(function (key) {
            return el('th', { scope: 'col', 'data-t': key, text: t(key) });
          })
        )
      );
    });
  }

  // A section page's top bar (the <header> landmark after the skip link),
  // made when the page does not have one; start() makes it at once and
  // fills it once it knows the user.
  function topbarElement() {
    var bar = $('topbar');
    if (bar) return bar;
    var skip = document.querySelector('body > a.skip');
    bar = el('header', { id: 'topbar', class: 'topbar' });
    document.body.insertBefore(bar, skip ? skip.nextSibling : document.body.firstChild);
    return bar;
  }

  // The top bar of a section page: brand, section links, user, language, logout.
  function topbar(user, page) {
    var bar = topbarElement();
    bar.textContent = '';
    var links = sectionLinks(el('ul', { class: 'sections-list' }), user.role, page);
    var langBtn = el('button', { type: 'button', class: 'link', lang: lang === 'nl' ? 'en' : 'nl', text: t('otherLang') });
    langBtn.addEventListener('click', function () {
      setLanguage(lang === 'nl' ? 'en' : 'nl').catch(function () {});
    });
    var out = el('button', { type: 'button', class: 'ghost', text: t('logout') });
    out.addEventListener('click', function () {
      api('POST', '/api/v1/auth/logout').then(
        function () {
          location.href = '/console/';
        },
        function () {
          location.href = '/console/';
        }
      );
    });
    var roleKey = { agent: 'roleAgent', supervisor: 'roleSupervisor', admin: 'roleAdmin' }[user.role];
    bar.appendChild(
      el('p', { class: 'brand' }, [el('span', { class: 'mark', 'aria-hidden': 'true', text: 'l' }), ' loket ', el('span', { class: 'muted', text: 'console' })])
    );
    bar.appendChild(el('nav', { class: 'sections', 'aria-label': t('sectionsLabel') }, [links]));
    bar.appendChild(
      el('div', { class: 'me' }, [
        el('span', { text: user.display_name || user.email, title: user.display_name || user.email }),
        ' ',
        el('span', { class: 'role', text: t(roleKey || user.role) }),
        ' ',
        langBtn,
        ' ',
        out,
      ])
    );
  }

  // Instead of a page the user's role may not use: why, and where to go.
  function notYours(user, page, roles) {
    var main = $('main') || document.querySelector('main');
    if (!main) return;
    var sec = SECTIONS.filter(function (s) {
      return s.page === page;
    })[0];
    var roleKey = { agent: 'roleAgent', supervisor: 'roleSupervisor', admin: 'roleAdmin' }[user.role];
    var pageName = sec ? t(sec.key) : document.title;
    var home = SECTIONS.filter(function (s) {
      return s.roles.indexOf(user.role) >= 0;
    })[0];
    main.textContent = '';
    main.className = 'not-yours';
    var h = el('h1', { id: 'not-yours-title', text: t('notYoursTitle') });
    var go = el('a', { class: 'primary button-link', href: home.href, text: t('notYoursGo', { page: t(home.key) }) });
    main.appendChild(
      el('section', { class: 'acc-panel', role: 'alert', 'aria-labelledby': 'not-yours-title' }, [
        h,
        el('p', { text: t('notYours', { role: t(roleKey || user.role).toLowerCase(), page: pageName, roles: t(roles.indexOf('supervisor') >= 0 ? 'rolesLead' : 'rolesAdmin') }) }),
        el('p', { text: t('notYoursAsk') }),
        el('p', null, [go]),
      ])
    );
    document.title = t('notYoursTitle') + ' · loket console';
  }

  // A promise that never settles: the page is going elsewhere (a reload in
  // the user's language, or the account page).
  function never() {
    return new Promise(function () {});
  }

  // Who is logged in (GET /api/v1/auth/me): resolves to the user, or to
  // null when nobody is (or the server cannot say). Keeps loket.console and
  // the user's language (a page in another language reloads), and sends a
  // user who must still set up two-step login to the account page, the one
  // place they may go (docs/security.md); neither of those resolves.
  function session(page) {
    return api('GET', '/api/v1/auth/me').then(
      function (r) {
        var user = r && r.user;
        if (!user) return null;
        window.loket.console = r.console || {};
        if (adoptLanguage(r)) return never();
        if (user.totp_setup_required && page !== 'account') {
          location.href = '/console/account.html';
          return never();
        }
        return user;
      },
      function () {
        return null;
      }
    );
  }

  // A section page's start: resolves to the logged-in user when their role
  // is in opts.roles, with the top bar drawn and the page's strings filled
  // in; otherwise explains that the page is not theirs (and never
  // resolves). Without a session: to the console's login.
  // Resolves once every script of the page has run (DOMContentLoaded): a
  // session answer that comes while a later script is still loading must not
  // take the page's content away before that script has wired it up.
  var scriptsRan = new Promise(function (resolve) {
    if (document.readyState === 'complete') resolve();
    else document.addEventListener('DOMContentLoaded', resolve);
  });

  function start(opts) {
    topbarElement();
    return Promise.all([session(opts.page), scriptsRan]).then(function (got) {
      var user = got[0];
      if (!user) {
        location.href = '/console/';
        return never();
      }
      topbar(user, opts.page);
      applyStrings();
      if (opts.roles && opts.roles.indexOf(user.role) < 0) {
        notYours(user, opts.page, opts.roles);
        return never();
      }
      return user;
    });
  }

  // A period filter's first values: the last 7 days up to today, in the
  // deployment's time zone (policy.time_zone, default Europe/Amsterdam),
  // not the browser's: the figures are the company's days.
  function isoDate(d) {
    var m = d.getMonth() + 1,
      day = d.getDate();
    return d.getFullYear() + '-' + (m < 10 ? '0' : '') + m + '-' + (day < 10 ? '0' : '') + day;
  }

  // Today's date (YYYY-MM-DD) in time zone tz, which may differ from the
  // browser's: just after midnight in Amsterdam it is still yesterday in UTC.
  function dateIn(tz, when) {
    try {
      var parts = {};
      new Intl.DateTimeFormat('en-US', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' })
        .formatToParts(when)
        .forEach(function (p) {
          parts[p.type] = p.value;
        });
      if (parts.year && parts.month && parts.day) return parts.year + '-' + parts.month + '-' + parts.day;
    } catch (e) {
      /* an unknown zone: the browser's own date */
    }
    return isoDate(when);
  }

  // The last 7 days up to today, today as the deployment's time zone counts
  // it (the server reads the dates in that zone).
  function lastWeek(from, to, tzSelect) {
    var tz = window.loket.console.time_zone || 'Europe/Amsterdam';
    var today = dateIn(tz, new Date());
    var first = new Date(today + 'T12:00:00Z');
    first.setUTCDate(first.getUTCDate() - 6);
    to.value = today;
    from.value = first.toISOString().slice(0, 10);
    if (
      !Array.prototype.some.call(tzSelect.options, function (o) {
        return o.value === tz;
      })
    )
      tzSelect.appendChild(el('option', { value: tz, text: tz }));
    tzSelect.value = tz;
  }

  // A report read from the API (the dashboard, the compliance report): the
  // page is busy and says so in #PREFIX-status while read() runs; then
  // draw(answer), the query kept on <main data-query> (so that tests can ask
  // the API the same), and "loaded"; or the error in #PREFIX-error.
  function report(prefix, qs, read, draw) {
    var main = $('main');
    main.setAttribute('aria-busy', 'true');
    $(prefix + '-status').textContent = t('loading');
    return read().then(
      function (r) {
        draw(r);
        main.setAttribute('data-query', qs);
        main.removeAttribute('aria-busy');
        $(prefix + '-status').textContent = t('loaded');
      },
      function (e) {
        main.removeAttribute('aria-busy');
        $(prefix + '-error').textContent = e.message;
      }
    );
  }

  // A list read page by page stands in a page's HTML as one element
  // <div class="paged-list" data-list="PREFIX" data-cols="...">, so that
  // every such list has the same parts, named as pagedList (below) reads
  // them. Here they take its place: the count #PREFIX-status (a status),
  // the error #PREFIX-error (an alert), the table #PREFIX-table with its
  // caption (string PREFIXCaption), its column heads (data-cols, drawn by
  // columnHeads) and its rows #PREFIX-rows (or the id in data-rows), and the button #PREFIX-more
  // (string PREFIXMore), hidden until there is a next page. Runs with
  // frame(), before the page's script.
  function pagedListParts() {
    document.querySelectorAll('div.paged-list[data-list]').forEach(function (box) {
      var prefix = box.getAttribute('data-list');
      var caption = prefix + 'Caption';
      var more = prefix + 'More';
      [
        el('p', { id: prefix + '-status', class: 'muted', role: 'status' }),
        el('p', { id: prefix + '-error', class: 'error', role: 'alert' }),
        el('div', { class: 'adm-table' }, [
          el('table', { id: prefix + '-table', 'data-cols': box.getAttribute('data-cols') }, [
            el('caption', { class: 'sr', 'data-t': caption, text: t(caption) }),
            el('tbody', { id: box.getAttribute('data-rows') || prefix + '-rows' }),
          ]),
        ]),
        el('p', { class: 'acc-buttons' }, [
          el('button', { id: prefix + '-more', type: 'button', class: 'ghost', 'data-t': more, text: t(more), hidden: true }),
        ]),
      ].forEach(function (part) {
        box.parentNode.insertBefore(part, box);
      });
      box.parentNode.removeChild(box);
    });
  }

  // A list read page by page, newest first (the audit log, the security
  // events) from path, whose answer has the array items and next_before,
  // into #PREFIX-rows (row(item) makes a <tr>), with #PREFIX-more, the count
  // in #PREFIX-status (strings PREFIXCount and PREFIXNone) and fail(error)
  // in #PREFIX-error. Returns load(params, more): params the filter (name ->
  // value); more adds the next page to the list.
  function pagedList(prefix, path, items, row, fail) {
    var shown = 0;
    var nextBefore = null;
    return function load(params, more) {
      var q = Object.keys(params).map(function (k) {
        return encodeURIComponent(k) + '=' + encodeURIComponent(params[k]);
      });
      if (more && nextBefore) q.push('before=' + encodeURIComponent(nextBefore));
      $(prefix + '-error').textContent = '';
      return api('GET', path + '?' + q.join('&')).then(
        function (r) {
          var body = $(prefix + '-rows');
          if (!more) {
            body.textContent = '';
            shown = 0;
          }
          r[items].forEach(function (x) {
            body.appendChild(row(x));
          });
          shown += r[items].length;
          nextBefore = r.next_before;
          $(prefix + '-more').hidden = !nextBefore;
          $(prefix + '-status').textContent = shown ? t(prefix + 'Count', { n: shown }) : t(prefix + 'None');
        },
        function (e) {
          $(prefix + '-error').textContent = fail(e);
        }
      );
    };
  }

  function fillTable(table, head, rows, caption, empty) {
    table.textContent = '';
    if (caption) table.appendChild(el('caption', { class: 'sr', text: caption }));
    var headRow = el(
      'tr',
      null,
      head.map(function (h) {
        return el('th', { scope: 'col', text: t(h) });
      })
    );
    var tbody = el('tbody');
    if (!rows.length) tbody.appendChild(el('tr', null, [el('td', { colspan: String(head.length), class: 'muted', text: empty })]));
    rows.forEach(function (r) {
      var cells = r.map(function (c, i) {
        var attrs = i === 0 ? { scope: 'row' } : {};
        var kids = [];
        if (c instanceof Node) kids.push(c);
        else if (c !== null && typeof c === 'object') {
          attrs.text = c.text;
          if (c.key) attrs['data-figure'] = c.key;
        } else attrs.text = c;
        return el(i === 0 ? 'th' : 'td', attrs, kids);
      });
      tbody.appendChild(el('tr', null, cells));
    });
    table.appendChild(el('thead', null, [headRow]));
    table.appendChild(tbody);
  }

  function csvCell(v) {
    var s = v === null || v === undefined ? '' : String(v);
    return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }

  function csv(rows) {
    return (
      rows
        .map(function (r) {
          return r.map(csvCell).join(',');
        })
        .join('\r\n') + '\r\n'
    );
  }

  function download(name, text, type) {
    var a = el('a', { href: URL.createObjectURL(new Blob([text], { type: type || 'text/csv' })), download: name });
    document.body.appendChild(a);
    a.click();
    setTimeout(function () {
      URL.revokeObjectURL(a.href);
      a.remove();
    }, 0);
  }

  // Why the server refused a new password (400 weak_password), in the
  // page's language; null for any other error. The server's message names
  // the reason in English (docs/security.md, "Passwords: what is accepted").
  strings({
    nl: {
      pwCommon: 'Dit wachtwoord is een van de meest gebruikte; aanvallers proberen die eerst. Kies een ander, bijvoorbeeld een zin van een paar woorden.',
      pwVariant: 'Dit is een veelgebruikt wachtwoord met cijfers of tekens erbij; aanvallers proberen die vroeg. Kies een ander, bijvoorbeeld een zin van een paar woorden.',
      pwPersonal: 'Dit wachtwoord lijkt te veel op het e-mailadres, de naam of "loket". Kies er een dat daar niet op voortbouwt.',
      pwRepetitive: 'Dit wachtwoord herhaalt een of twee tekens. Kies er een met meer variatie, bijvoorbeeld een zin van een paar woorden.',
    },
    en: {
      pwCommon: 'This is one of the most common passwords, which attackers try first. Choose another, such as a sentence of several words.',
      pwVariant: 'This is a common password with digits or symbols added, which attackers try early. Choose another, such as a sentence of several words.',
      pwPersonal: 'This password is too close to the e-mail address, the name or "loket". Choose one that does not build on them.',
      pwRepetitive: 'This password repeats one or two characters. Choose one with more variety, such as a sentence of several words.',
    },
  });

  function passwordError(e) {
    if (!e || e.code !== 'weak_password') return null;
    var m = e.message || '';
    if (/most common/.test(m)) return t('pwCommon');
    if (/digits or symbols/.test(m)) return t('pwVariant');
    if (/e-mail address, the name/.test(m)) return t('pwPersonal');
    if (/repeats/.test(m)) return t('pwRepetitive');
    return m;
  }

  // A section page's script: body(loket, $, el, t), run at once.
  function page(body) {
    body(window.loket, $, el, t);
  }

  window.loket = {
    page: page,
    passwordError: passwordError,
    lang: lang,
    adoptLanguage: adoptLanguage,
    adoptDefault: adoptDefault,
    setLanguage: setLanguage,
    console: {},
    strings: strings,
    t: t,
    applyStrings: applyStrings,
    $: $,
    el: el,
    api: api,
    session: session,
    start: start,
    sectionLinks: sectionLinks,
    lastWeek: lastWeek,
    report: report,
    pagedList: pagedList,
    fillTable: fillTable,
    csv: csv,
    download: download,
  };
  frame();
})();
