/*
 * policy: choices and several questions (issue 15; part of the pure policy
 * module, see policy_int.h and docs/policy.md).
 *
 * When the NLU finds two or more articles that could fit, the bot offers them
 * as choices, and takes the customer's pick; when a message holds several
 * questions, it answers each it can and says honestly which it cannot.
 */
#include "policy/policy_int.h"

#include <stdbool.h>
#include <string.h>

/* The articles to offer for a reading that asks (r->ask): its candidates
 * mapped to the customer's language, each once. A candidate tagged
 * sensitive is never offered as a button (those subjects go to a person,
 * and a title in a menu is no way to raise them): it is left out, and the
 * others are offered. A sensitive match strong enough to matter
 * (sensitive_min) has handed over before choices are considered
 * (sensitive_hit); "none of these" and the person button stay beside the
 * rest. Returns how many, or 0 when fewer than two remain (one candidate
 * left is a decline, as for any reading with one). */
size_t lk_pol_choices_of(const ctx_t *c, const lk_nlu_reading_t *r, long out[LK_NLU_TOP_K])
{
    if (!r->ask || r->answer)
        return 0;
    const lk_kb_t *kb = c->env->kb;
    size_t n = 0;
    for (size_t k = 0; k < r->n_choices && k < r->n_top && k < LK_NLU_TOP_K; k++) {
        if (!lk_pol_valid_article(c->env, r->top[k].article))
            return 0;
        long i = lk_pol_article_in_language(kb, r->top[k].article, c->st->language);
        if (lk_pol_tagged_sensitive(&kb->articles[r->top[k].article]) || lk_pol_tagged_sensitive(&kb->articles[i]))
            continue;
        bool dup = false;
        for (size_t j = 0; j < n; j++)
            dup = dup || out[j] == i;
        if (!dup)
            out[n++] = i;
    }
    return n >= 2 ? n : 0;
}

/* "Gaat je vraag over 'A' of 'B'?" with the articles as choices; the
 * customer picks one (ev->chosen), says none fits, or types on. */
void lk_pol_offer_choices(ctx_t *c, const long *choices, size_t n)
{
    const lk_kb_t *kb = c->env->kb;
    lk_buf_t b;
    lk_buf_init(&b, LK_POL_TEXT_MAX);
    (void)lk_buf_append_cstr(&b, T(c, T_CHOICES_INTRO));
    for (size_t k = 0; k < n; k++) {
        const lk_article_t *a = &kb->articles[choices[k]];
        if (k > 0)
            (void)lk_buf_append_cstr(&b, k + 1 == n ? T(c, T_CHOICES_OR) : ", ");
        (void)lk_buf_append_cstr(&b, "'");
        (void)lk_buf_append_cstr(&b, a->title && *a->title ? a->title : a->id);
        (void)lk_buf_append_cstr(&b, "'");
    }
    (void)lk_buf_append_cstr(&b, "? ");
    (void)lk_buf_append_cstr(&b, T(c, T_CHOICES_TAIL));
    lk_policy_action_t *x = lk_pol_say_buf(c, LK_SENDER_BOT, LK_SAY_CHOICES, &b);
    memcpy(x->choices, choices, n * sizeof *choices);
    x->n_choices = n;
    c->st->pending = LK_PENDING_CHOICE;
    c->st->last_article = -1;
}

/* The customer picked article raw from the bot's choices: an answer the
 * customer chose (no confidence of the NLU's), which resets the failures
 * like any answer. */
void lk_pol_answer_pick(ctx_t *c, long raw)
{
    lk_policy_state_t *st = c->st;
    if (lk_pol_tagged_sensitive(&c->env->kb->articles[raw])) {
        lk_pol_handoff(c, LK_HANDOFF_SENSITIVE_TOPIC);
        return;
    }
    lk_pol_answer(c, raw, 0, c->cfg->ask_feedback);
    c->out->items[c->out->n - 1].chosen = true;
    st->consecutive_declines = 0;
    st->repeats = 1;
    st->last_article = raw;
    st->pending = c->cfg->ask_feedback ? LK_PENDING_FEEDBACK : LK_PENDING_NONE;
}

#define PART_QUOTE_MAX 200 /* bytes of a declined part quoted back */

/* Appends part text as a quote, on one line, cut at a character boundary. */
static void quote_part(lk_buf_t *b, const char *text, size_t len)
{
    bool cut = len > PART_QUOTE_MAX;
    if (cut) {
        len = PART_QUOTE_MAX;
        while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80)
            len--; /* not inside a UTF-8 sequence */
    }
    (void)lk_buf_append_cstr(b, "'");
    for (size_t i = 0; i < len; i++) {
        char ch = text[i] == '\n' || text[i] == '\r' || text[i] == '\t' ? ' ' : text[i];
        (void)lk_buf_append(b, &ch, 1);
    }
    (void)lk_buf_append_cstr(b, cut ? "...'" : "'");
}

/* A message that asks several questions, read one by one (ev->parts):
 * answers each part the NLU answers (each article once, in the customer's
 * language), then one message that names the parts it cannot answer and
 * offers a person. False, having said nothing, when no part is answered:
 * the caller goes on with the message as a whole. A part whose answer is
 * tagged sensitive hands the conversation over. */
bool lk_pol_answer_parts(ctx_t *c, const lk_policy_event_t *ev)
{
    const lk_kb_t *kb = c->env->kb;
    lk_policy_state_t *st = c->st;
    size_t n = ev->n_parts < LK_NLU_SPLIT_MAX ? ev->n_parts : LK_NLU_SPLIT_MAX;
    long raw[LK_NLU_SPLIT_MAX];
    size_t n_ok = 0, n_no = 0, last_ok = 0;
    for (size_t k = 0; k < n; k++) {
        const lk_nlu_reading_t *r = ev->parts[k].reading;
        raw[k] = -1;
        if (r && r->answer && r->n_top > 0 && lk_pol_valid_article(c->env, r->top[0].article) &&
            lk_pol_has_version(c, r->top[0].article)) {
            raw[k] = r->top[0].article;
            n_ok++;
            last_ok = k;
        } else if (ev->parts[k].text && ev->parts[k].len) {
            n_no++;
        }
    }
    if (n_ok == 0)
        return false;
    for (size_t k = 0; k < n; k++)
        if (raw[k] >= 0 && lk_pol_tagged_sensitive(&kb->articles[raw[k]])) {
            lk_pol_handoff(c, LK_HANDOFF_SENSITIVE_TOPIC);
            return true;
        }
    long done[LK_NLU_SPLIT_MAX];
    size_t n_done = 0;
    for (size_t k = 0; k < n; k++) {
        if (raw[k] < 0)
            continue;
        long i = lk_pol_article_in_language(kb, raw[k], st->language);
        bool dup = false;
        for (size_t j = 0; j < n_done; j++)
            dup = dup || done[j] == i;
        if (dup)
            continue;
        done[n_done++] = i;
        lk_pol_answer(c, raw[k], ev->parts[k].reading->top[0].confidence, c->cfg->ask_feedback && n_no == 0 && k == last_ok);
    }
    /* answered parts reset the failures; a declined part leaves one, so
     * that a decline right after it hands over (never two declines in a
     * row without a person) */
    st->consecutive_declines = n_no > 0 ? 1 : 0;
    for (size_t k = 0; k < n; k++)
        if (raw[k] >= 0) { /* the raw index, as every answer keeps it (loop detection) */
            st->last_article = raw[k];
            break;
        }
    if (n_no == 0) {
        st->pending = c->cfg->ask_feedback ? LK_PENDING_FEEDBACK : LK_PENDING_NONE;
        return true;
    }
    lk_buf_t b;
    lk_buf_init(&b, LK_POL_TEXT_MAX);
    (void)lk_buf_append_cstr(&b, T(c, n_no > 1 ? T_PART_DECLINE_MANY : T_PART_DECLINE));
    size_t said = 0;
    for (size_t k = 0; k < n; k++) {
        if (raw[k] >= 0 || !ev->parts[k].text || !ev->parts[k].len)
            continue;
        if (said++)
            (void)lk_buf_append_cstr(&b, ", ");
        quote_part(&b, ev->parts[k].text, ev->parts[k].len);
    }
    (void)lk_buf_append_cstr(&b, ". ");
    (void)lk_buf_append_cstr(&b, T(c, T_PART_DECLINE_TAIL));
    lk_pol_say_buf(c, LK_SENDER_BOT, LK_SAY_DECLINE, &b);
    st->pending = LK_PENDING_OFFER;
    return true;
}
