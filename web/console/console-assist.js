/*
 * loket console: agent assist and answer review on the agents' page
 * (index.html; docs/assist.md).
 *
 * The open conversation's hand-off summary facts (sentiment, language, the
 * customer and whether the company's site vouched for them, the details
 * they gave), suggested replies from the knowledge base ("Invoegen" puts one
 * in the reply box; sending tells the server whether it went out as it
 * was), the customer's earlier conversations, and "Goed"/"Fout" on the bot's
 * answers. console.js starts it once with what the page shares and gets
 * back the functions that draw these parts. Loaded after common.js and
 * before console.js.
 */
loket.consoleAssist = function (page) {
  'use strict';

  var L = loket;
  var state = page.state;

  // ---- agent assist: summary facts, suggestions, history -----------------------

  function renderFacts() {
    var c = state.open.conv;
    var f = c.summary_fields || {};
    var dl = L.$('summary-facts');
    dl.textContent = '';
    function fact(label, value) {
      if (!value) return;
      dl.appendChild(L.el('div', null, [L.el('dt', { text: label }), L.el('dd', { text: value })]));
    }
    fact(L.t('sentimentLabel'), f.sentiment ? L.t('sentiment_' + f.sentiment) : '');
    fact(L.t('languageLabel'), f.language ? L.t('lang_' + f.language) : '');
    var who = c.customer || {};
    fact(L.t('customerLabel'), [who.name, who.email, who.external_id].filter(Boolean).join(' · '));
    // an identity the company's site did not sign is only what the customer
    // claimed: no history, and agents should not trust it
    if ((who.email || who.external_id) && who.verified === false) {
      var row = L.el('div', { class: 'unverified' }, [L.el('dt', { text: L.t('identityLabel') }), L.el('dd', null, [L.el('span', { class: 'tag unverified', text: L.t('unverified') }), document.createTextNode(' ' + L.t('unverifiedHint'))])]);
      dl.appendChild(row);
    }
    fact(L.t('channelLabel'), c.channel || '');
    var ents = f.entities || [];
    var ul = L.$('summary-entities');
    ul.textContent = '';
    ents.forEach(function (e) {
      ul.appendChild(L.el('li', { 'data-type': e.type }, [L.el('span', { class: 'k', text: L.t('ent_' + e.type) + ': ' }), L.el('span', { class: 'v', text: e.value })]));
    });
    L.$('summary-entities-wrap').hidden = ents.length === 0;
  }

  function renderSuggestions() {
    var c = state.open.conv;
    var list = c.suggestions || [];
    var ol = L.$('suggestions-list');
    ol.textContent = '';
    var mine = c.status === 'assigned' && c.assigned_to === state.me.id;
    list.forEach(function (s) {
      var pct = Math.round((s.confidence || 0) * 100);
      var btn = L.el('button', { type: 'button', class: 'ghost', 'aria-label': L.t('insertLabel', { title: s.title }), text: L.t('insert') });
      btn.disabled = !mine;
      btn.addEventListener('click', function () {
        insertSuggestion(s);
      });
      ol.appendChild(
        L.el('li', { 'data-article': s.article_id, 'data-weak': s.weak ? 'true' : 'false', class: s.weak ? 'weak' : null }, [
          L.el('div', { class: 'sug-head' }, [
            L.el('h3', { text: s.title }),
            s.weak ? L.el('span', { class: 'weak-tag', title: L.t('weakHint'), text: L.t('weak') }) : null,
            L.el('span', { class: 'pct', text: L.t('sureness', { p: pct }) }),
          ]),
          s.weak ? L.el('p', { class: 'hint', text: L.t('weakHint') }) : null,
          L.el('p', { class: 'sug-text', text: s.text }),
          btn,
        ])
      );
    });
    L.$('suggestions-empty').hidden = list.length > 0;
    var hidden = c.suggestions_hidden || 0;
    L.$('suggestions-hidden').hidden = !hidden;
    L.$('suggestions-hidden').textContent = hidden ? L.t('sugHidden', { n: hidden }) : '';
  }

  // Puts a suggestion in the reply box for editing; sending tells the server
  // whether it went out as it was.
  function insertSuggestion(s) {
    var box = L.$('reply-text');
    if (box.disabled) return;
    var cur = box.value.trim();
    box.value = cur ? cur + '\n\n' + s.text : s.text;
    state.suggestion = { conv: state.open.conv.id, article_id: s.article_id, text: box.value };
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
    page.announce(L.t('inserted'));
  }

  function renderHistory() {
    var list = state.open.conv.history || [];
    var ul = L.$('history-list');
    ul.textContent = '';
    list.forEach(function (h) {
      var d = new Date(h.created_at);
      var date = isNaN(d.getTime()) ? '' : d.toLocaleDateString(L.lang === 'en' ? 'en-GB' : 'nl-NL', { day: 'numeric', month: 'short', year: 'numeric' });
      var btn = L.el('button', { type: 'button', 'data-id': h.id, 'aria-label': L.t('openHistory', { date: date }) + ': ' + (h.summary || '') }, [
        L.el('span', { class: 't', text: date + ' · ' + L.t('status_' + h.status) }),
        L.el('span', { class: 'r', text: h.summary || '' }),
      ]);
      btn.addEventListener('click', function () {
        page.openConv(h.id, true);
      });
      ul.appendChild(L.el('li', null, [btn]));
    });
    L.$('history-empty').hidden = list.length > 0;
  }

  // ---- answer review: "Goed" / "Fout" on the bot's answers ----------------------

  function reviewNode(m) {
    var verdict = state.open && state.open.reviews[m.id];
    var group = L.el('div', { class: 'review', role: 'group', 'aria-label': L.t('reviewGroup') });
    ['right', 'wrong'].forEach(function (v) {
      var b = L.el('button', { type: 'button', class: 'rv ' + v, 'data-verdict': v, 'aria-pressed': verdict === v ? 'true' : 'false', text: L.t(v) });
      b.addEventListener('click', function () {
        review(m, v);
      });
      group.appendChild(b);
    });
    if (verdict) group.appendChild(L.el('span', { class: 'hint', text: L.t(verdict === 'right' ? 'reviewedRight' : 'reviewedWrong') }));
    return group;
  }

  function rerenderMessage(id) {
    var m = null;
    Object.keys(state.open.msgs).forEach(function (k) {
      if (state.open.msgs[k].id === id) m = state.open.msgs[k];
    });
    var shown = m && L.$('transcript').querySelector('.m[data-seq="' + m.seq + '"]');
    if (shown) L.$('transcript').replaceChild(page.messageNode(m), shown);
  }

  function review(m, verdict) {
    var id = state.open.conv.id;
    L.$('conv-error').textContent = '';
    page.api('POST', '/api/v1/agent/conversations/' + encodeURIComponent(id) + '/messages/' + encodeURIComponent(m.id) + '/review', { verdict: verdict }).then(
      function () {
        if (!state.open || state.open.conv.id !== id) return;
        state.open.reviews[m.id] = verdict;
        rerenderMessage(m.id);
        var again = L.$('transcript').querySelector('.m[data-id="' + m.id + '"] .rv.' + verdict);
        if (again) again.focus();
        page.announce(L.t(verdict === 'right' ? 'reviewedRight' : 'reviewedWrong'));
      },
      function (e) {
        if (e.status === 404 || e.status === 405) L.$('conv-error').textContent = L.t('reviewUnavailable');
        else if (e.status !== 401) L.$('conv-error').textContent = L.t('failed', { msg: e.message });
      }
    );
  }

  // The verdicts recorded so far (none when the server cannot tell yet).
  function loadReviews(c) {
    var answers = (c.messages || []).some(function (m) {
      return m.sender === 'bot' && m.article_id;
    });
    if (!answers) return;
    page.api('GET', '/api/v1/agent/conversations/' + encodeURIComponent(c.id) + '/reviews').then(
      function (r) {
        if (!state.open || state.open.conv.id !== c.id) return;
        ((r && r.reviews) || []).forEach(function (x) {
          state.open.reviews[x.message_id] = x.verdict;
        });
        page.renderTranscript();
      },
      function () {
        /* not recorded anywhere yet: no verdicts to show */
      }
    );
  }

  return {
    renderFacts: renderFacts,
    renderSuggestions: renderSuggestions,
    renderHistory: renderHistory,
    reviewNode: reviewNode,
    loadReviews: loadReviews,
  };
};
