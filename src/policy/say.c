/*
 * policy: what the policy says, put together (part of the pure policy module,
 * see policy_int.h).
 *
 * The texts of texts.c filled in and appended as actions: durations and wait
 * estimates in words, the place in the queue, when people are back (with the
 * calendar of calendar.c), why the conversation goes to a person, and the
 * hand-off itself, which every rule that gives up on the bot ends in.
 */
#include "policy/policy_int.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Appends a template of the tables filled in. The templates of one id take
 * the same conversions in every language (tests/unit/test_texts.c checks). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
void lk_pol_add_fmt(lk_buf_t *b, const ctx_t *c, int id, ...)
{
    va_list ap;
    va_start(ap, id);
    char line[1024];
    int n = vsnprintf(line, sizeof line, T(c, id), ap);
    va_end(ap);
    if (n < 0)
        return;
    if (b->len)
        (void)lk_buf_append_cstr(b, " ");
    (void)lk_buf_append_cstr(b, line);
}
#pragma GCC diagnostic pop

lk_policy_action_t *lk_pol_say_buf(ctx_t *c, lk_sender_t sender, lk_policy_say_kind_t kind, lk_buf_t *b)
{
    lk_policy_action_t *a = lk_pol_push(c->out, LK_ACTION_SAY);
    a->sender = sender;
    a->kind = kind;
    a->text = lk_buf_steal(b, NULL);
    return a;
}

void lk_pol_say(ctx_t *c, lk_sender_t sender, lk_policy_say_kind_t kind, const char *text)
{
    lk_policy_action_t *a = lk_pol_push(c->out, LK_ACTION_SAY);
    a->sender = sender;
    a->kind = kind;
    a->text = lk_xstrdup(text);
}

/* Appends sentence s with a space before it when b is not empty. */
void lk_pol_add(lk_buf_t *b, const char *s)
{
    if (b->len)
        (void)lk_buf_append_cstr(b, " ");
    (void)lk_buf_append_cstr(b, s);
}

/* A template of the tables filled in, into out (cut at n bytes). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static void fmt_text(char *out, size_t n, const ctx_t *c, int id, ...)
{
    va_list ap;
    va_start(ap, id);
    if (vsnprintf(out, n, T(c, id), ap) < 0)
        out[0] = '\0';
    va_end(ap);
}
#pragma GCC diagnostic pop

/* One duration in words without "about": "3 minuten", "1 uur", "1,5 uur",
 * "1 uur en 15 minuten" / "3 minutes", "1 hour", "1.5 hours", "1 hour and
 * 15 minutes" (the estimate rounds to whole minutes, 5 or 15 minutes, or
 * hours). */
static void duration_words(char *out, size_t n, const ctx_t *c, int64_t secs)
{
    long long min = (long long)((secs + 30) / 60);
    if (min < 60 || min % 15 != 0) {
        if (min == 1)
            fmt_text(out, n, c, T_DUR_1MIN);
        else
            fmt_text(out, n, c, T_DUR_MIN, min);
        return;
    }
    long long h = min / 60, q = min % 60; /* q is 0, 15, 30 or 45 */
    if (q == 0)
        fmt_text(out, n, c, h == 1 ? T_DUR_1HOUR : T_DUR_HOURS, h);
    else if (q == 30)
        fmt_text(out, n, c, T_DUR_HALF, h);
    else if (h == 1)
        fmt_text(out, n, c, T_DUR_1HOUR_Q, q);
    else
        fmt_text(out, n, c, T_DUR_HOURS_Q, h, q);
}

/* One figure: "ongeveer 3 minuten" / "about 3 minutes" (hours rounded). */
static void wait_figure(char *out, size_t n, const ctx_t *c, int64_t secs)
{
    if (secs < 60) {
        fmt_text(out, n, c, T_DUR_LESS_1MIN);
        return;
    }
    char d[128];
    int64_t min = (secs + 30) / 60;
    duration_words(d, sizeof d, c, min < 60 ? secs : (min + 30) / 60 * 3600);
    fmt_text(out, n, c, T_DUR_ABOUT, d);
}

/* The estimate in words. One figure (hi not above lo): wait_figure. A range
 * (lk_analytics_wait_estimate's friendly units): "minder dan een minuut",
 * "minder dan 4 minuten", "2 tot 5 minuten", "45 minuten tot 1,5 uur" /
 * "less than a minute", "less than 4 minutes", "2 to 5 minutes". */
static void wait_words(char *out, size_t n, const ctx_t *c, int64_t lo, int64_t hi)
{
    char a[128], d[128];
    if (hi <= lo) {
        wait_figure(out, n, c, lo);
    } else if (hi <= 60) {
        fmt_text(out, n, c, T_DUR_LESS_1MIN);
    } else if (lo < 60) {
        duration_words(d, sizeof d, c, hi);
        fmt_text(out, n, c, T_DUR_LESS, d);
    } else {
        long long lo_min = (long long)((lo + 30) / 60), hi_min = (long long)((hi + 30) / 60);
        bool hi_in_minutes = hi_min < 60 || hi_min % 15 != 0, lo_in_minutes = lo_min < 60 || lo_min % 15 != 0;
        if (hi_in_minutes && lo_in_minutes) /* "2 tot 5 minuten" */
            snprintf(a, sizeof a, "%lld", lo_min);
        else
            duration_words(a, sizeof a, c, lo);
        duration_words(d, sizeof d, c, hi);
        fmt_text(out, n, c, T_DUR_RANGE, a, d);
    }
}

int64_t lk_pol_queue_pos(const lk_policy_env_t *env)
{
    return env->queue_length >= 0 ? env->queue_length + 1 : 0;
}

/* "Je bent nummer 3 in de wachtrij. De verwachte wachttijd is ongeveer 3
 * minuten." or, with no figures, "Een medewerker helpt je zo snel mogelijk." */
static void queue_sentence(const ctx_t *c, lk_buf_t *b)
{
    int64_t pos = lk_pol_queue_pos(c->env);
    if (pos > 0)
        lk_pol_add_fmt(b, c, T_QUEUE_POS, (long long)pos);
    if (c->env->est_wait_s >= 0) {
        char w[256];
        wait_words(w, sizeof w, c, c->env->est_wait_s, c->env->est_wait_max_s);
        lk_pol_add_fmt(b, c, T_WAIT_IS, w);
    }
    if (pos <= 0 && c->env->est_wait_s < 0)
        lk_pol_add(b, T(c, T_SOON));
}

static const char *const weekday_names[LK_POL_N_SPOKEN][7] = {
    {"maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"},
    {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"},
    {"Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"},
    {"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"},
};
static const char *const month_names[LK_POL_N_SPOKEN][12] = {
    {"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november",
     "december"},
    {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
     "December"},
    {"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November",
     "Dezember"},
    {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre",
     "décembre"},
};

/* "Ze zijn er morgen weer vanaf 09:00." / "They are back tomorrow from 09:00." */
static void back_sentence(const ctx_t *c, lk_buf_t *b, int64_t now, int64_t next)
{
    int li = lang_ix(c);
    int64_t lnow = now + (int64_t)lk_policy_utc_offset_min(c->cfg, now) * LK_POL_MS_PER_MIN;
    int64_t lnext = next + (int64_t)lk_policy_utc_offset_min(c->cfg, next) * LK_POL_MS_PER_MIN;
    int64_t dnow = lk_pol_floor_div(lnow, LK_POL_MS_PER_DAY), dnext = lk_pol_floor_div(lnext, LK_POL_MS_PER_DAY);
    int minute = (int)((lnext - dnext * LK_POL_MS_PER_DAY) / LK_POL_MS_PER_MIN);
    int y, m, d;
    lk_pol_civil_from_days(dnext, &y, &m, &d);
    int hh = minute / 60, mm = minute % 60;
    if (dnext == dnow)
        lk_pol_add_fmt(b, c, T_BACK_TODAY, hh, mm);
    else if (dnext == dnow + 1)
        lk_pol_add_fmt(b, c, T_BACK_TOMORROW, hh, mm);
    else if (dnext < dnow + 7)
        lk_pol_add_fmt(b, c, T_BACK_DAY, weekday_names[li][lk_pol_iso_weekday(dnext)], d, month_names[li][m - 1], hh, mm);
    else
        lk_pol_add_fmt(b, c, T_BACK_DATE, d, month_names[li][m - 1], y, hh, mm);
}

bool lk_pol_people_available(const ctx_t *c)
{
    if (c->env->agents_online == 0)
        return false;
    return lk_policy_open_at(c->cfg, c->env->now_ms);
}

/* Why nobody is there, when they are back, and the call-back offer. */
static void away_sentences(const ctx_t *c, lk_buf_t *b)
{
    int64_t now = c->env->now_ms;
    if (!lk_policy_open_at(c->cfg, now)) {
        lk_pol_add(b, T(c, T_AWAY_CLOSED));
        int64_t next = lk_policy_next_open(c->cfg, now);
        if (next > now)
            back_sentence(c, b, now, next);
    } else {
        lk_pol_add(b, T(c, T_AWAY_OFFLINE));
    }
    lk_pol_add(b, T(c, T_AWAY_TAIL));
}

/* Availability part of a notice; updates the state's away flag. */
void lk_pol_availability(ctx_t *c, lk_buf_t *b)
{
    if (lk_pol_people_available(c)) {
        queue_sentence(c, b);
        c->st->away = false;
        c->st->notice_pos = lk_pol_queue_pos(c->env);
    } else {
        away_sentences(c, b);
        c->st->away = true;
        c->st->callback_hinted = false;
    }
    c->st->quiet_msgs = 0;
}

static int why_text(lk_handoff_reason_t r)
{
    switch (r) {
    case LK_HANDOFF_LOW_CONFIDENCE:
    case LK_HANDOFF_REPEATED_FAILURE:
        return T_WHY_FAILURE;
    case LK_HANDOFF_LOOP:
        return T_WHY_LOOP;
    case LK_HANDOFF_NEGATIVE_SENTIMENT:
        return T_WHY_NEGATIVE;
    case LK_HANDOFF_COMPLAINT:
        return T_WHY_COMPLAINT;
    case LK_HANDOFF_COMPLEX:
        return T_WHY_COMPLEX;
    case LK_HANDOFF_SENSITIVE_TOPIC:
        return T_WHY_SENSITIVE;
    case LK_HANDOFF_LANGUAGE:
        return T_WHY_LANGUAGE;
    default:
        return T_WHY_REQUEST;
    }
}

/* Moves the conversation to "queued" and tells the customer why, their place
 * and wait, or honestly that nobody is there and how to get a call-back. */
void lk_pol_handoff(ctx_t *c, lk_handoff_reason_t reason)
{
    lk_policy_state_t *st = c->st;
    st->status = LK_CONV_QUEUED;
    st->handoff_reason = reason;
    st->pending = LK_PENDING_NONE;
    st->consecutive_declines = 0;
    st->repeats = 0;
    st->callbacks = 0;
    lk_policy_action_t *h = lk_pol_push(c->out, LK_ACTION_HANDOFF);
    h->reason = reason;
    lk_buf_t b;
    lk_buf_init(&b, LK_POL_TEXT_MAX);
    lk_pol_add(&b, T(c, why_text(reason)));
    bool avail = lk_pol_people_available(c);
    lk_pol_availability(c, &b);
    if (avail)
        lk_pol_add(&b, T(c, T_TAIL));
    lk_pol_say_buf(c, LK_SENDER_SYSTEM, LK_SAY_HANDOFF_NOTICE, &b);
}
