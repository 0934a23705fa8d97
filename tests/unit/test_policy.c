/*
 * Unit tests for policy/: every rule in Dutch and English, business hours and
 * the EU daylight-saving rule, state encoding, and the exhaustive state test
 * of issue 4, which walks every sequence of up to 6 events and checks the
 * invariants after each step. The policy is pure, so the NLU's readings are
 * built here by hand.
 */
#include "policy/policy.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- fixtures ------------------------------------------------------------ */

enum { A_RETURN, A_RETURN_EN, A_DELIVERY, A_DELIVERY_EN, A_BEREAVEMENT, A_PAYMENT, A_OPENING_EN, N_ARTICLES };

static void add_article(lk_kb_t *kb, const char *id, const char *lang, const char *title, const char *answer,
                        const char *url, const char *tag)
{
    char *q[1] = {(char *)title};
    char *tags[1] = {(char *)tag};
    lk_article_t a = {.id = (char *)id,
                      .language = (char *)lang,
                      .title = (char *)title,
                      .questions = q,
                      .n_questions = 1,
                      .answer = (char *)answer,
                      .url = (char *)url,
                      .tags = tag ? tags : NULL,
                      .n_tags = tag ? 1 : 0};
    lk_kb_add(kb, &a);
}

static lk_kb_t kb;

static void kb_setup(void)
{
    lk_kb_init(&kb);
    add_article(&kb, "return", "nl", "Retourneren", "Je kunt een artikel binnen 30 dagen gratis terugsturen.",
                "https://example.com/retour", "retour");
    add_article(&kb, "return-en", "en", "Returns", "You can send an item back within 30 days for free.",
                "https://example.com/en/returns", "retour");
    add_article(&kb, "delivery", "nl", "Levertijd", "We bezorgen binnen 2 werkdagen.", NULL, "levering");
    add_article(&kb, "delivery-en", "en", "Delivery time", "We deliver within 2 working days.", NULL, "levering");
    add_article(&kb, "bereavement", "nl", "Overlijden", "Bij een overlijden regelen we het account samen met je.",
                NULL, "sensitive");
    add_article(&kb, "payment", "nl", "Betalen", "Je kunt betalen met iDEAL of creditcard.", NULL, "betalen");
    add_article(&kb, "opening-en", "en", "Opening hours", "We are open Monday to Friday.", NULL, "hours");
    cr_assert_eq(kb.n_articles, N_ARTICLES);
}

static void kb_teardown(void)
{
    lk_kb_free(&kb);
}

/* Monday 2 March 2026 10:00 in Amsterdam (CET, UTC+1). */
static int64_t utc_ms(int y, int mo, int d, int h, int mi)
{
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi};
    return (int64_t)timegm(&tm) * 1000;
}
#define MONDAY_10 utc_ms(2026, 3, 2, 9, 0)
#define SATURDAY_22 utc_ms(2026, 3, 7, 21, 0)

static lk_policy_env_t env_open(void)
{
    return (lk_policy_env_t){.now_ms = MONDAY_10, .agents_online = 2, .queue_length = 2, .est_wait_s = 180, .kb = &kb};
}

static lk_policy_config_t office_cfg(void)
{
    lk_policy_config_t cfg;
    lk_policy_config_default(&cfg);
    cr_assert_eq(lk_policy_hours_parse("ma-vr 09:00-17:00", &cfg), 0);
    return cfg;
}

static lk_nlu_reading_t rd_lang(const char *lang)
{
    lk_nlu_reading_t r;
    memset(&r, 0, sizeof r);
    snprintf(r.language, sizeof r.language, "%s", lang);
    r.language_confidence = 0.95;
    return r;
}

static lk_nlu_reading_t rd_known(long article, double conf, const char *lang)
{
    lk_nlu_reading_t r = rd_lang(lang);
    r.top[0] = (lk_nlu_match_t){article, conf};
    r.n_top = 1;
    r.answer = true;
    return r;
}

static lk_nlu_reading_t rd_unknown(const char *lang)
{
    lk_nlu_reading_t r = rd_lang(lang);
    r.top[0] = (lk_nlu_match_t){A_PAYMENT, 0.12};
    r.n_top = 1;
    r.answer = false;
    return r;
}

typedef struct {
    lk_policy_state_t st;
    lk_policy_actions_t acts;
    lk_policy_config_t cfg;
    lk_policy_env_t env;
} conv_t;

static void conv_init(conv_t *c, const char *lang)
{
    lk_policy_config_default(&c->cfg);
    lk_policy_state_init(&c->st, lang);
    c->acts = (lk_policy_actions_t){NULL, 0};
    c->env = env_open();
}

static void conv_event(conv_t *c, lk_policy_event_t ev)
{
    lk_policy_actions_free(&c->acts);
    lk_policy_state_t next;
    int rc = lk_policy_step(&c->cfg, &c->st, &ev, &c->env, &next, &c->acts);
    cr_assert_eq(rc, 0, "step failed: %d", rc);
    c->st = next;
}

/* A customer's message read as r; ev carries what else the message brings
 * (a picked choice, its parts). */
static void conv_message(conv_t *c, const char *text, lk_nlu_reading_t r, lk_policy_event_t ev)
{
    ev.type = LK_EV_MESSAGE;
    ev.text = text;
    ev.len = strlen(text);
    ev.reading = &r;
    conv_event(c, ev);
}

static void conv_say(conv_t *c, const char *text, lk_nlu_reading_t r)
{
    conv_message(c, text, r, (lk_policy_event_t){0});
}

static void conv_type(conv_t *c, lk_policy_event_type_t t)
{
    conv_event(c, (lk_policy_event_t){.type = t});
}

static void conv_free(conv_t *c)
{
    lk_policy_actions_free(&c->acts);
}

/* The i-th SAY (0-based) of the last step, or NULL. */
static const lk_policy_action_t *nth_say(const conv_t *c, size_t i)
{
    for (size_t k = 0; k < c->acts.n; k++)
        if (c->acts.items[k].type == LK_ACTION_SAY && i-- == 0)
            return &c->acts.items[k];
    return NULL;
}

/* The article the bot quotes first in answer to text read as r, in a new
 * conversation in lang over the knowledge base k. */
static long first_article(lk_kb_t *k, const char *lang, const char *text, lk_nlu_reading_t r)
{
    conv_t c;
    conv_init(&c, lang);
    c.env.kb = k;
    conv_say(&c, text, r);
    const lk_policy_action_t *a = nth_say(&c, 0);
    cr_assert_not_null(a, "no answer to \"%s\"", text);
    long article = a->article;
    conv_free(&c);
    return article;
}

static const lk_policy_action_t *find_action(const conv_t *c, lk_policy_action_type_t t)
{
    for (size_t k = 0; k < c->acts.n; k++)
        if (c->acts.items[k].type == t)
            return &c->acts.items[k];
    return NULL;
}

/* The SAYs of sender; LK_SENDER_NONE: of any sender. */
static size_t count_says(const conv_t *c, lk_sender_t sender)
{
    size_t n = 0;
    for (size_t k = 0; k < c->acts.n; k++)
        if (c->acts.items[k].type == LK_ACTION_SAY && (sender == LK_SENDER_NONE || c->acts.items[k].sender == sender))
            n++;
    return n;
}

static bool contains(const char *hay, const char *needle)
{
    return hay && strstr(hay, needle) != NULL;
}

#define assert_has(text, needle) cr_assert(contains((text), (needle)), "expected \"%s\" in: %s", (needle), (text))
#define assert_hasnt(text, needle) cr_assert_not(contains((text), (needle)), "unexpected \"%s\" in: %s", (needle), (text))

static void assert_handoff(const conv_t *c, lk_handoff_reason_t reason)
{
    const lk_policy_action_t *h = find_action(c, LK_ACTION_HANDOFF);
    cr_assert(h, "expected a hand-off (%s)", lk_handoff_reason_name(reason));
    cr_assert_eq(h->reason, reason, "reason %s, expected %s", lk_handoff_reason_name(h->reason),
                 lk_handoff_reason_name(reason));
    cr_assert_eq(c->st.status, LK_CONV_QUEUED);
    cr_assert_eq(c->st.handoff_reason, reason);
    const lk_policy_action_t *n = nth_say(c, count_says(c, LK_SENDER_NONE) - 1);
    cr_assert(n && n->sender == LK_SENDER_SYSTEM && n->kind == LK_SAY_HANDOFF_NOTICE);
}

/* ---- names, configuration ------------------------------------------------ */

Test(policy, names_round_trip)
{
    for (int s = LK_CONV_BOT; s <= LK_CONV_CLOSED; s++) {
        lk_conv_status_t back;
        cr_assert_eq(lk_conv_status_parse(lk_conv_status_name((lk_conv_status_t)s), &back), 0);
        cr_assert_eq((int)back, s);
    }
    for (int r = LK_HANDOFF_NONE; r <= LK_HANDOFF_LANGUAGE; r++) {
        lk_handoff_reason_t back;
        cr_assert_eq(lk_handoff_reason_parse(lk_handoff_reason_name((lk_handoff_reason_t)r), &back), 0);
        cr_assert_eq((int)back, r);
    }
    cr_assert_str_eq(lk_handoff_reason_name(LK_HANDOFF_CUSTOMER_REQUEST), "customer_request");
    cr_assert_str_eq(lk_handoff_reason_name(LK_HANDOFF_NONE), "");
    cr_assert_str_eq(lk_conv_status_name(LK_CONV_ASSIGNED), "assigned");
    /* the policy's two senders keep the names the database and the JSON hold
     * (every sender's round trip: tests/unit/store/test_store_records.c) */
    cr_assert_str_eq(lk_sender_name(LK_SENDER_BOT), "bot");
    cr_assert_str_eq(lk_sender_name(LK_SENDER_SYSTEM), "system");
    lk_conv_status_t s;
    lk_handoff_reason_t r;
    cr_assert_eq(lk_conv_status_parse("waiting", &s), LK_EINVAL);
    cr_assert_eq(lk_handoff_reason_parse("because", &r), LK_EINVAL);
    cr_assert_str_eq(lk_policy_say_kind_name(LK_SAY_ANSWER), "answer");
    cr_assert_str_eq(lk_policy_say_kind_name((lk_policy_say_kind_t)99), "other");
}

Test(policy, config_defaults_and_set)
{
    lk_policy_config_t cfg;
    lk_policy_config_default(&cfg);
    cr_assert_eq(cfg.max_consecutive_declines, 2);
    cr_assert_eq(cfg.loop_repeats, 3);
    cr_assert_float_eq(cfg.person_request_min, 0.5, 1e-9);
    cr_assert_float_eq(cfg.language_min, 0.7, 1e-9);
    cr_assert_float_eq(cfg.second_answer_min, 0.1, 1e-9);
    cr_assert_float_eq(cfg.pair_answer_min, 0.5, 1e-9);
    cr_assert_float_eq(cfg.second_answer_ratio, 0.25, 1e-9);
    cr_assert_float_eq(cfg.second_answer_margin, 0.25, 1e-9);
    cr_assert(cfg.ask_feedback);
    cr_assert_eq(cfg.tz_offset_min, 60);
    cr_assert_eq(cfg.tz_dst, LK_POLICY_DST_EU);
    for (int d = 0; d < 7; d++)
        cr_assert(cfg.week[d][0].open_min == 0 && cfg.week[d][0].close_min == 1440, "default: always open");
    cr_assert_eq(cfg.n_holidays, 0);

    cr_assert_eq(lk_policy_config_set(&cfg, "loop_repeats", "4"), 0);
    cr_assert_eq(cfg.loop_repeats, 4);
    cr_assert_eq(lk_policy_config_set(&cfg, "loop_repeats", "1"), LK_EINVAL);
    cr_assert_eq(lk_policy_config_set(&cfg, "loop_repeats", "x"), LK_EINVAL);
    cr_assert_eq(cfg.loop_repeats, 4);
    cr_assert_eq(lk_policy_config_set(&cfg, "negative_min", "0.75"), 0);
    cr_assert_float_eq(cfg.negative_min, 0.75, 1e-9);
    cr_assert_eq(lk_policy_config_set(&cfg, "negative_min", "1.5"), LK_EINVAL);
    cr_assert_eq(lk_policy_config_set(&cfg, "negative_min", "nan"), LK_EINVAL);
    cr_assert_eq(lk_policy_config_set(&cfg, "second_answer_ratio", "0.4"), 0);
    cr_assert_float_eq(cfg.second_answer_ratio, 0.4, 1e-9);
    cr_assert_eq(lk_policy_config_set(&cfg, "second_answer_margin", "-0.1"), LK_EINVAL);
    cr_assert_eq(lk_policy_config_set(&cfg, "pair_answer_min", "0.6"), 0);
    cr_assert_float_eq(cfg.pair_answer_min, 0.6, 1e-9);
    cr_assert_eq(lk_policy_config_set(&cfg, "ask_feedback", "false"), 0);
    cr_assert_not(cfg.ask_feedback);
    cr_assert_eq(lk_policy_config_set(&cfg, "ask_feedback", "maybe"), LK_EINVAL);
    cr_assert_eq(lk_policy_config_set(&cfg, "time_zone", "Europe/Helsinki"), 0);
    cr_assert_eq(cfg.tz_offset_min, 120);
    cr_assert_eq(lk_policy_config_set(&cfg, "time_zone", "UTC"), 0);
    cr_assert_eq(cfg.tz_dst, LK_POLICY_DST_NONE);
    cr_assert_eq(lk_policy_config_set(&cfg, "time_zone", "Mars/Olympus"), LK_EINVAL);
    cr_assert_eq(lk_policy_config_set(&cfg, "no_such_option", "1"), LK_ENOENT);
    cr_assert_eq(lk_policy_config_set(&cfg, "business_hours", "mon-fri 09:00-17:00, sat 10:00-16:00"), 0);
    cr_assert_eq(cfg.week[5][0].open_min, 600);
    cr_assert_eq(cfg.week[6][0].close_min, 0);
    cr_assert_eq(lk_policy_config_set(&cfg, "holidays", "2026-12-25, 2026-12-26"), 0);
    cr_assert_eq(cfg.n_holidays, 2);
    cr_assert_eq(cfg.holidays[1], 20261226);
}

Test(policy, hours_parse)
{
    lk_policy_config_t cfg;
    lk_policy_config_default(&cfg);
    cr_assert_eq(lk_policy_hours_parse("ma-vr 9:00-12:30 13:30-17:00; za 10:00-14:00", &cfg), 0);
    cr_assert_eq(cfg.week[0][0].open_min, 540);
    cr_assert_eq(cfg.week[0][0].close_min, 750);
    cr_assert_eq(cfg.week[4][1].open_min, 810);
    cr_assert_eq(cfg.week[4][1].close_min, 1020);
    cr_assert_eq(cfg.week[5][0].open_min, 600);
    cr_assert_eq(cfg.week[6][0].open_min, 0);
    cr_assert_eq(cfg.week[6][0].close_min, 0);
    cr_assert_eq(lk_policy_hours_parse("Saturday-Monday 00:00-24:00", &cfg), 0); /* wraps round the week */
    cr_assert_eq(cfg.week[6][0].close_min, 1440);
    cr_assert_eq(cfg.week[0][0].close_min, 1440);
    cr_assert_eq(cfg.week[2][0].close_min, 0);
    lk_policy_config_t before = cfg;
    const char *bad[] = {"mon 17:00-09:00", "mon 09:00", "xyz 09:00-17:00", "mon 25:00-26:00", "mon 09:60-10:00",
                         "mon", "mon 09:00-10:00 11:00-12:00 13:00-14:00", "mon-fri 09:00-17:00 extra", "mon 24:30-25:00"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_eq(lk_policy_hours_parse(bad[i], &cfg), LK_EINVAL, "accepted %s", bad[i]);
        cr_assert_eq(memcmp(&before, &cfg, sizeof cfg), 0, "changed by %s", bad[i]);
    }
    cr_assert_eq(lk_policy_hours_parse("closed", &cfg), 0);
    cr_assert_not(lk_policy_open_at(&cfg, MONDAY_10));
    cr_assert_eq(lk_policy_next_open(&cfg, MONDAY_10), -1);
    cr_assert_eq(lk_policy_hours_parse("always", &cfg), 0);
    cr_assert(lk_policy_open_at(&cfg, SATURDAY_22));

    cr_assert_eq(lk_policy_holidays_parse("2026-02-30", &cfg), LK_EINVAL);
    cr_assert_eq(lk_policy_holidays_parse("2026-12-25x", &cfg), LK_EINVAL);
    cr_assert_eq(lk_policy_holidays_parse("26-12-25", &cfg), LK_EINVAL);
    cr_assert_eq(lk_policy_holidays_parse("2028-02-29 2026-01-01", &cfg), 0);
    cr_assert_eq(cfg.n_holidays, 2);
    cr_assert_eq(lk_policy_holidays_parse("none", &cfg), 0);
    cr_assert_eq(cfg.n_holidays, 0);
}

/* ---- business hours and daylight saving ------------------------------------ */

Test(policy, eu_daylight_saving_rule)
{
    lk_policy_config_t cfg;
    lk_policy_config_default(&cfg);
    /* 2026: summer time from 29 March 01:00 UTC to 25 October 01:00 UTC. */
    cr_assert_eq(lk_policy_utc_offset_min(&cfg, utc_ms(2026, 3, 29, 1, 0) - 1), 60);
    cr_assert_eq(lk_policy_utc_offset_min(&cfg, utc_ms(2026, 3, 29, 1, 0)), 120);
    cr_assert_eq(lk_policy_utc_offset_min(&cfg, utc_ms(2026, 10, 25, 1, 0) - 1), 120);
    cr_assert_eq(lk_policy_utc_offset_min(&cfg, utc_ms(2026, 10, 25, 1, 0)), 60);
    /* 2025: 30 March and 26 October; 2024: 31 March and 27 October. */
    cr_assert_eq(lk_policy_utc_offset_min(&cfg, utc_ms(2025, 3, 30, 0, 59)), 60);
    cr_assert_eq(lk_policy_utc_offset_min(&cfg, utc_ms(2025, 3, 30, 1, 0)), 120);
    cr_assert_eq(lk_policy_utc_offset_min(&cfg, utc_ms(2025, 10, 26, 1, 0)), 60);
    cr_assert_eq(lk_policy_utc_offset_min(&cfg, utc_ms(2024, 3, 31, 1, 0)), 120);
    cr_assert_eq(lk_policy_utc_offset_min(&cfg, utc_ms(2024, 10, 27, 0, 59)), 120);
    cr_assert_eq(lk_policy_utc_offset_min(&cfg, utc_ms(2024, 1, 1, 12, 0)), 60);
    cr_assert_eq(lk_policy_utc_offset_min(&cfg, utc_ms(2024, 7, 1, 12, 0)), 120);
    /* Against the C library's own rule for every hour of four years. */
    cr_assert_eq(lk_policy_config_set(&cfg, "time_zone", "Europe/London"), 0);
    for (int64_t t = utc_ms(2024, 1, 1, 0, 30); t < utc_ms(2028, 1, 1, 0, 0); t += 3600 * 1000) {
        time_t secs = (time_t)(t / 1000);
        struct tm tm;
        gmtime_r(&secs, &tm);
        /* UK summer time by the rule itself: last Sunday of March and October. */
        int y = tm.tm_year + 1900;
        struct tm mar = {.tm_year = y - 1900, .tm_mon = 2, .tm_mday = 31, .tm_hour = 1};
        struct tm oct = {.tm_year = y - 1900, .tm_mon = 9, .tm_mday = 31, .tm_hour = 1};
        time_t m = timegm(&mar), o = timegm(&oct);
        gmtime_r(&m, &mar);
        gmtime_r(&o, &oct);
        m -= (time_t)mar.tm_wday * 86400;
        o -= (time_t)oct.tm_wday * 86400;
        int want = (secs >= m && secs < o) ? 60 : 0;
        cr_assert_eq(lk_policy_utc_offset_min(&cfg, t), want, "at %lld", (long long)t);
    }
}

Test(policy, business_hours_and_holidays)
{
    lk_policy_config_t cfg = office_cfg();
    cr_assert(lk_policy_open_at(&cfg, MONDAY_10));
    cr_assert_not(lk_policy_open_at(&cfg, utc_ms(2026, 3, 2, 7, 59)));  /* 08:59 local */
    cr_assert(lk_policy_open_at(&cfg, utc_ms(2026, 3, 2, 8, 0)));       /* 09:00 local */
    cr_assert_not(lk_policy_open_at(&cfg, utc_ms(2026, 3, 2, 16, 0))); /* 17:00 local */
    cr_assert_not(lk_policy_open_at(&cfg, SATURDAY_22));
    /* Summer: 09:00 local is 07:00 UTC. */
    cr_assert(lk_policy_open_at(&cfg, utc_ms(2026, 7, 6, 7, 0)));
    cr_assert_not(lk_policy_open_at(&cfg, utc_ms(2026, 7, 6, 6, 59)));
    /* Saturday night -> Monday 09:00 local (08:00 UTC in winter). */
    cr_assert_eq(lk_policy_next_open(&cfg, SATURDAY_22), utc_ms(2026, 3, 9, 8, 0));
    cr_assert_eq(lk_policy_next_open(&cfg, MONDAY_10), MONDAY_10);
    /* Friday 27 March 18:00 -> Monday 30 March 09:00 CEST (07:00 UTC), across the change. */
    cr_assert_eq(lk_policy_next_open(&cfg, utc_ms(2026, 3, 27, 17, 0)), utc_ms(2026, 3, 30, 7, 0));
    /* Christmas on a Friday. */
    cr_assert_eq(lk_policy_holidays_parse("2026-12-25", &cfg), 0);
    cr_assert_not(lk_policy_open_at(&cfg, utc_ms(2026, 12, 25, 10, 0)));
    cr_assert_eq(lk_policy_next_open(&cfg, utc_ms(2026, 12, 24, 17, 0)), utc_ms(2026, 12, 28, 8, 0));
    /* Lunch break. */
    cr_assert_eq(lk_policy_hours_parse("mon-fri 09:00-12:00 13:00-17:00", &cfg), 0);
    cr_assert_eq(lk_policy_next_open(&cfg, utc_ms(2026, 3, 2, 11, 30)), utc_ms(2026, 3, 2, 12, 0));
}

/* ---- state ---------------------------------------------------------------- */

static void assert_state_eq(const lk_policy_state_t *a, const lk_policy_state_t *b)
{
    cr_assert_eq(a->status, b->status);
    cr_assert_eq(a->handoff_reason, b->handoff_reason);
    cr_assert_str_eq(a->language, b->language);
    cr_assert_eq(a->consecutive_declines, b->consecutive_declines);
    cr_assert_eq(a->customer_turns, b->customer_turns);
    cr_assert_eq(a->repeats, b->repeats);
    cr_assert_eq(a->pending, b->pending);
    cr_assert_eq(a->last_article, b->last_article);
    cr_assert_eq(a->away, b->away);
    cr_assert_eq(a->callback_hinted, b->callback_hinted);
    cr_assert_eq(a->callbacks, b->callbacks);
    cr_assert_eq(a->notice_pos, b->notice_pos);
    cr_assert_eq(a->quiet_msgs, b->quiet_msgs);
}

static void assert_round_trip(const lk_policy_state_t *st)
{
    char *json = lk_policy_state_encode(st);
    /* valid JSON, exactly as jansson writes it */
    json_error_t err;
    json_t *o = json_loads(json, JSON_REJECT_DUPLICATES, &err);
    cr_assert_not_null(o, "not JSON (%s): %s", err.text, json);
    char *again = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    cr_assert_str_eq(json, again);
    free(again);
    json_decref(o);
    lk_policy_state_t back;
    cr_assert_eq(lk_policy_state_decode(json, &back), 0, "decode failed: %s", json);
    assert_state_eq(st, &back);
    free(json);
}

Test(policy, state_init_encode_decode)
{
    lk_policy_state_t st, back;
    lk_policy_state_init(&st, NULL);
    cr_assert_str_eq(st.language, "nl");
    cr_assert_eq(st.status, LK_CONV_BOT);
    cr_assert_eq(st.last_article, -1);
    lk_policy_state_init(&st, "de");
    cr_assert_str_eq(st.language, "de");
    lk_policy_state_init(&st, "gsw");
    cr_assert_str_eq(st.language, "gsw");
    const char *bad_tags[] = {"DE", "d", "deut", "de-DE", "x1", ""};
    for (size_t i = 0; i < sizeof bad_tags / sizeof *bad_tags; i++) {
        lk_policy_state_init(&st, bad_tags[i]);
        cr_assert_str_eq(st.language, "nl", "%s", bad_tags[i]);
    }
    lk_policy_state_init(&st, "en");
    cr_assert_str_eq(st.language, "en");
    assert_round_trip(&st);
    st.status = LK_CONV_QUEUED;
    st.handoff_reason = LK_HANDOFF_SENSITIVE_TOPIC;
    st.consecutive_declines = 1;
    st.customer_turns = 7;
    st.repeats = 2;
    st.pending = LK_PENDING_OFFER;
    st.last_article = 12;
    st.away = true;
    st.callback_hinted = true;
    st.callbacks = 1;
    st.notice_pos = 4;
    st.quiet_msgs = 2;
    assert_round_trip(&st);
    st.pending = LK_PENDING_MORE;
    assert_round_trip(&st);
    st.pending = LK_PENDING_BYE;
    assert_round_trip(&st);
    st.pending = LK_PENDING_CHOICE;
    assert_round_trip(&st);
    char *choice_json = lk_policy_state_encode(&st);
    assert_has(choice_json, "\"pending\":\"choice\"");
    free(choice_json);
    st.pending = LK_PENDING_BYE;
    /* a language outside a-z (never made by decode or the API) is escaped */
    lk_policy_state_t odd = st;
    memcpy(odd.language, "x\"y", 4);
    char *odd_json = lk_policy_state_encode(&odd);
    json_t *odd_o = json_loads(odd_json, 0, NULL);
    cr_assert_not_null(odd_o, "%s", odd_json);
    cr_assert_str_eq(json_string_value(json_object_get(odd_o, "language")), "x\"y");
    json_decref(odd_o);
    free(odd_json);
    st.notice_pos = 5000000000; /* past 32 bits */
    st.last_article = 123456;
    assert_round_trip(&st);
    char *json = lk_policy_state_encode(&st);
    assert_has(json, "\"pending\":\"bye\"");
    assert_has(json, "\"status\":\"queued\"");
    assert_has(json, "\"handoff_reason\":\"sensitive_topic\"");
    free(json);

    cr_assert_eq(lk_policy_state_decode(NULL, &back), 0);
    cr_assert_str_eq(back.language, "nl");
    cr_assert_eq(back.status, LK_CONV_BOT);
    cr_assert_eq(lk_policy_state_decode("", &back), 0);
    /* Fields written by an older version are missing: defaults fill in. */
    cr_assert_eq(lk_policy_state_decode("{\"status\":\"assigned\",\"language\":\"en\"}", &back), 0);
    cr_assert_eq(back.status, LK_CONV_ASSIGNED);
    cr_assert_eq(back.last_article, -1);
    const char *bad[] = {"[]", "{", "{\"status\":\"waiting\"}", "{\"status\":3}", "{\"language\":\"EN\"}",
                         "{\"language\":\"toolongtag\"}", "{\"repeats\":-1}", "{\"away\":1}", "{\"pending\":\"x\"}",
                         "{\"handoff_reason\":\"why\"}", "{\"repeats\":1.5}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_eq(lk_policy_state_decode(bad[i], &back), LK_EINVAL, "accepted %s", bad[i]);
}

Test(policy, step_rejects_bad_arguments)
{
    lk_policy_state_t st, next;
    lk_policy_state_init(&st, "nl");
    lk_policy_env_t env = {.now_ms = 0, .agents_online = 1, .queue_length = 0, .est_wait_s = -1, .kb = NULL};
    lk_policy_event_t ev = {.type = LK_EV_START};
    lk_policy_actions_t acts = {NULL, 0};
    cr_assert_eq(lk_policy_step(NULL, NULL, &ev, &env, &next, &acts), LK_EINVAL);
    cr_assert_eq(lk_policy_step(NULL, &st, NULL, &env, &next, &acts), LK_EINVAL);
    cr_assert_eq(lk_policy_step(NULL, &st, &ev, NULL, &next, &acts), LK_EINVAL);
    cr_assert_eq(lk_policy_step(NULL, &st, &ev, &env, NULL, &acts), LK_EINVAL);
    cr_assert_eq(lk_policy_step(NULL, &st, &ev, &env, &next, NULL), LK_EINVAL);
    st.status = (lk_conv_status_t)42;
    cr_assert_eq(lk_policy_step(NULL, &st, &ev, &env, &next, &acts), LK_EINVAL);
    cr_assert_eq(acts.n, 0);
    lk_policy_state_init(&st, "nl");
    ev.type = (lk_policy_event_type_t)99;
    cr_assert_eq(lk_policy_step(NULL, &st, &ev, &env, &next, &acts), LK_EINVAL);
    /* A message without a reading, and without a knowledge base: declined. */
    ev = (lk_policy_event_t){.type = LK_EV_MESSAGE, .text = "hm", .len = 2};
    cr_assert_eq(lk_policy_step(NULL, &st, &ev, &env, &st, &acts), 0); /* next aliases state */
    cr_assert_eq(acts.n, 1);
    cr_assert_eq(acts.items[0].kind, LK_SAY_DECLINE);
    lk_policy_actions_free(&acts);
    lk_policy_actions_free(NULL);
}

/* States as databases hold them, each with the state it must read as: the
 * layout every turn writes (read directly, without jansson), and the other
 * forms a stored row may have (older rows, other key orders, spaces), read
 * by the full JSON path. A form the direct reading takes must read exactly as
 * the JSON reading does, and one it refuses must go to the JSON reading. */
#define CANONICAL(status, reason, lang, turns, pending, last, away, notice)                                         \
    "{\"v\":1,\"status\":\"" status "\",\"handoff_reason\":\"" reason "\",\"language\":\"" lang                  \
    "\",\"consecutive_declines\":1,\"customer_turns\":" turns ",\"repeats\":2,\"pending\":\"" pending              \
    "\",\"last_article\":" last ",\"away\":" away ",\"callback_hinted\":true,\"callbacks\":3,\"notice_pos\":" notice \
    ",\"quiet_msgs\":4}"

Test(policy, stored_states_decode_as_before)
{
    lk_policy_state_t fresh;
    lk_policy_state_init(&fresh, "nl");
    const lk_policy_state_t full = {.status = LK_CONV_QUEUED,
                                    .handoff_reason = LK_HANDOFF_SENSITIVE_TOPIC,
                                    .language = "en",
                                    .consecutive_declines = 1,
                                    .customer_turns = 7,
                                    .repeats = 2,
                                    .pending = LK_PENDING_OFFER,
                                    .last_article = 12,
                                    .away = true,
                                    .callback_hinted = true,
                                    .callbacks = 3,
                                    .notice_pos = 5000000000,
                                    .quiet_msgs = 4};
    lk_policy_state_t minus_one = full;
    minus_one.last_article = -1;
    minus_one.customer_turns = 0;
    minus_one.away = false;
    minus_one.notice_pos = 0;
    minus_one.pending = LK_PENDING_NONE;
    minus_one.handoff_reason = LK_HANDOFF_NONE;
    lk_policy_state_t long_lang = full;
    memcpy(long_lang.language, "abcdefg", 8);
    lk_policy_state_t old_short = fresh;
    old_short.status = LK_CONV_ASSIGNED;
    memcpy(old_short.language, "en", 3);
    old_short.customer_turns = 3;
    struct {
        const char *stored;
        const lk_policy_state_t *want;
    } cases[] = {
        /* as every turn writes it */
        {CANONICAL("queued", "sensitive_topic", "en", "7", "offer", "12", "true", "5000000000"), &full},
        {CANONICAL("queued", "", "en", "0", "", "-1", "false", "0"), &minus_one},
        {CANONICAL("queued", "sensitive_topic", "abcdefg", "7", "offer", "12", "true", "5000000000"), &long_lang},
        /* "-0" is JSON's 0; only the JSON reading takes it */
        {CANONICAL("queued", "", "en", "-0", "", "-1", "false", "0"), &minus_one},
        /* with spaces, in another key order, without "v", with a key of later versions: the JSON reading */
        {"{ \"v\": 1, \"status\": \"queued\", \"handoff_reason\": \"sensitive_topic\", \"language\": \"en\", "
         "\"consecutive_declines\": 1, \"customer_turns\": 7, \"repeats\": 2, \"pending\": \"offer\", "
         "\"last_article\": 12, \"away\": true, \"callback_hinted\": true, \"callbacks\": 3, "
         "\"notice_pos\": 5000000000, \"quiet_msgs\": 4 }",
         &full},
        {"{\"quiet_msgs\":4,\"notice_pos\":5000000000,\"callbacks\":3,\"callback_hinted\":true,\"away\":true,"
         "\"last_article\":12,\"pending\":\"offer\",\"repeats\":2,\"customer_turns\":7,\"consecutive_declines\":1,"
         "\"language\":\"en\",\"handoff_reason\":\"sensitive_topic\",\"status\":\"queued\",\"v\":1}",
         &full},
        {CANONICAL("queued", "sensitive_topic", "en", "7", "offer", "12", "true", "5000000000") "\n", &full},
        {"{\"v\":1,\"status\":\"assigned\",\"language\":\"en\",\"customer_turns\":3}", &old_short},
        {"{\"v\":2,\"status\":\"assigned\",\"language\":\"en\",\"customer_turns\":3,\"later\":[1]}", &old_short},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lk_policy_state_t back;
        memset(&back, 0x5a, sizeof back);
        cr_assert_eq(lk_policy_state_decode(cases[i].stored, &back), 0, "refused %s", cases[i].stored);
        assert_state_eq(cases[i].want, &back);
        cr_assert_str_eq(back.language, cases[i].want->language, "%s", cases[i].stored);
    }
    /* the canonical layout with a value either reading refuses: refused */
    const char *bad[] = {
        CANONICAL("waiting", "", "en", "0", "", "-1", "false", "0"),
        CANONICAL("queued", "why", "en", "0", "", "-1", "false", "0"),
        CANONICAL("queued", "", "EN", "0", "", "-1", "false", "0"),
        CANONICAL("queued", "", "e", "0", "", "-1", "false", "0"),
        CANONICAL("queued", "", "abcdefgh", "0", "", "-1", "false", "0"),
        CANONICAL("queued", "", "e_n", "0", "", "-1", "false", "0"),
        CANONICAL("queued", "", "en", "1000000001", "", "-1", "false", "0"),
        CANONICAL("queued", "", "en", "01", "", "-1", "false", "0"),
        CANONICAL("queued", "", "en", "1.0", "", "-1", "false", "0"),
        CANONICAL("queued", "", "en", "0", "later", "-1", "false", "0"),
        CANONICAL("queued", "", "en", "0", "", "-2", "false", "0"),
        CANONICAL("queued", "", "en", "0", "", "-1", "1", "0"),
        CANONICAL("queued", "", "en", "0", "", "-1", "false", "-5"),
        CANONICAL("queued", "", "en", "0", "", "-1", "false", "9223372036854775808"),
        CANONICAL("queued", "", "en", "0", "", "-1", "false", "99999999999999999999"),
        CANONICAL("queued", "", "en", "0", "", "-1", "false", "0") "x",
        "{\"v\":1,\"status\":\"queued\",\"status\":\"bot\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        lk_policy_state_t back = fresh;
        cr_assert_eq(lk_policy_state_decode(bad[i], &back), LK_EINVAL, "accepted %s", bad[i]);
        assert_state_eq(&fresh, &back); /* untouched */
    }
    /* the largest notice position is read directly and by JSON alike */
    lk_policy_state_t big = full;
    big.notice_pos = INT64_MAX;
    assert_round_trip(&big);
}

/* Found by fuzz/fuzz_policy_state.c: a stored state with a counter at the
 * largest value decode accepts must still read back after a step. */
Test(policy, counters_saturate_so_a_step_round_trips)
{
    const char *stored = "{\"status\":\"queued\",\"handoff_reason\":\"button\",\"customer_turns\":1000000000,"
                         "\"quiet_msgs\":1000000000}";
    lk_policy_state_t st, next;
    cr_assert_eq(lk_policy_state_decode(stored, &st), 0);
    lk_policy_env_t env = {.now_ms = 0, .agents_online = 1, .queue_length = 0, .est_wait_s = -1, .kb = NULL};
    lk_policy_event_t ev = {.type = LK_EV_MESSAGE, .text = "hallo?", .len = 6};
    lk_policy_actions_t acts;
    cr_assert_eq(lk_policy_step(NULL, &st, &ev, &env, &next, &acts), 0);
    lk_policy_actions_free(&acts);
    char *json = lk_policy_state_encode(&next);
    lk_policy_state_t back;
    cr_assert_eq(lk_policy_state_decode(json, &back), 0, "decode refuses what encode wrote: %s", json);
    cr_assert_eq(back.customer_turns, 1000000000);
    cr_assert_eq(back.quiet_msgs, next.quiet_msgs);
    free(json);
}

/* ---- disclosure ------------------------------------------------------------ */

TestSuite(rules, .init = kb_setup, .fini = kb_teardown);

Test(rules, greeting_discloses_and_offers_a_person_nl)
{
    conv_t c;
    conv_init(&c, "nl");
    conv_type(&c, LK_EV_START);
    const lk_policy_action_t *g = nth_say(&c, 0);
    cr_assert(g);
    cr_assert_eq(g->sender, LK_SENDER_BOT);
    cr_assert_eq(g->kind, LK_SAY_GREETING);
    assert_has(g->text, "digitale assistent");
    assert_has(g->text, "geen mens");
    assert_has(g->text, "medewerker");
    assert_has(g->text, "altijd");
    cr_assert_eq(c.st.status, LK_CONV_BOT);
    conv_free(&c);
}

Test(rules, greeting_discloses_and_offers_a_person_en)
{
    conv_t c;
    conv_init(&c, "en");
    conv_type(&c, LK_EV_START);
    const lk_policy_action_t *g = nth_say(&c, 0);
    assert_has(g->text, "automated assistant");
    assert_has(g->text, "not a person");
    assert_has(g->text, "at any time");
    conv_free(&c);
}

Test(rules, bot_question_gets_the_truth_nl)
{
    conv_t c;
    conv_init(&c, "nl");
    lk_nlu_reading_t r = rd_unknown("nl");
    r.signals.bot_question = 0.9;
    r.signals.bot_question_kind = LK_NLU_BOTQ_MACHINE;
    conv_say(&c, "Ben ik met een robot aan het praten?", r);
    cr_assert_eq(count_says(&c, LK_SENDER_NONE), 1);
    const lk_policy_action_t *s = nth_say(&c, 0);
    cr_assert_eq(s->kind, LK_SAY_DISCLOSURE);
    assert_has(s->text, "Ja, ik ben een chatbot: een digitale assistent, geen mens.");
    assert_has(s->text, "medewerker");
    cr_assert_eq(c.st.status, LK_CONV_BOT);
    cr_assert_eq(c.st.consecutive_declines, 0, "a bot question is not a failure");
    /* "ja" to the offer: a person, in the same turn. */
    conv_say(&c, "ja", rd_unknown("nl"));
    assert_handoff(&c, LK_HANDOFF_CUSTOMER_REQUEST);
    conv_free(&c);
}

Test(rules, bot_question_gets_the_truth_en)
{
    conv_t c;
    conv_init(&c, "en");
    lk_nlu_reading_t r = rd_unknown("en");
    r.signals.bot_question = 0.9;
    r.signals.bot_question_kind = LK_NLU_BOTQ_MACHINE;
    conv_say(&c, "am I talking to a bot?", r);
    assert_has(nth_say(&c, 0)->text, "Yes, I am a chatbot: an automated assistant, not a person.");
    assert_has(nth_say(&c, 0)->text, "person");
    /* "no" to the offer: no failure, no hand-off. */
    conv_say(&c, "no", rd_unknown("en"));
    cr_assert_eq(c.st.status, LK_CONV_BOT);
    cr_assert_eq(nth_say(&c, 0)->kind, LK_SAY_REPLY);
    cr_assert_eq(c.st.consecutive_declines, 0);
    conv_free(&c);
}

Test(rules, bot_question_with_a_real_question_answers_both)
{
    conv_t c;
    conv_init(&c, "nl");
    lk_nlu_reading_t r = rd_known(A_RETURN, 0.9, "nl");
    r.signals.bot_question = 0.8;
    conv_say(&c, "ben je een bot? en hoe kan ik retourneren?", r);
    cr_assert_eq(count_says(&c, LK_SENDER_BOT), 2);
    cr_assert_eq(nth_say(&c, 0)->kind, LK_SAY_DISCLOSURE);
    cr_assert_eq(nth_say(&c, 1)->kind, LK_SAY_ANSWER);
    conv_free(&c);
}

/* ---- a person on request ---------------------------------------------------- */

Test(rules, person_request_hands_over_in_the_same_turn_nl)
{
    conv_t c;
    conv_init(&c, "nl");
    lk_nlu_reading_t r = rd_known(A_RETURN, 0.9, "nl"); /* even when the bot could answer */
    r.signals.person_request = 0.9;
    conv_say(&c, "Ik wil een medewerker spreken over mijn retour", r);
    assert_handoff(&c, LK_HANDOFF_CUSTOMER_REQUEST);
    cr_assert_eq(count_says(&c, LK_SENDER_BOT), 0, "no answer, no question first");
    const char *n = nth_say(&c, 0)->text;
    assert_has(n, "medewerker");
    assert_has(n, "nummer 3 in de wachtrij");
    assert_has(n, "ongeveer 3 minuten");
    conv_free(&c);
}

Test(rules, person_request_hands_over_in_the_same_turn_en)
{
    conv_t c;
    conv_init(&c, "en");
    lk_nlu_reading_t r = rd_unknown("en");
    r.signals.person_request = 0.7;
    conv_say(&c, "agent please", r);
    assert_handoff(&c, LK_HANDOFF_CUSTOMER_REQUEST);
    const char *n = nth_say(&c, 0)->text;
    assert_has(n, "number 3 in the queue");
    assert_has(n, "about 3 minutes");
    conv_free(&c);
}

Test(rules, wait_in_words)
{
    conv_t c;
    struct {
        int64_t secs;
        const char *nl, *en;
    } cases[] = {{20, "minder dan een minuut", "less than a minute"}, {70, "ongeveer 1 minuut", "about 1 minute"},
                 {400, "ongeveer 7 minuten", "about 7 minutes"},     {3500, "ongeveer 58 minuten", "about 58 minutes"},
                 {3700, "ongeveer 1 uur", "about 1 hour"},
                 {9000, "ongeveer 3 uur", "about 3 hours"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (int en = 0; en < 2; en++) {
            conv_init(&c, en ? "en" : "nl");
            c.env.est_wait_s = cases[i].secs;
            conv_type(&c, LK_EV_BUTTON);
            assert_has(nth_say(&c, 0)->text, en ? cases[i].en : cases[i].nl);
            conv_free(&c);
        }
    }
    /* Unknown figures: no numbers, still a clear message. */
    conv_init(&c, "nl");
    c.env.est_wait_s = -1;
    c.env.queue_length = -1;
    conv_type(&c, LK_EV_BUTTON);
    assert_hasnt(nth_say(&c, 0)->text, "nummer");
    assert_has(nth_say(&c, 0)->text, "zo snel mogelijk");
    conv_free(&c);
}

/* The estimate as a range (lk_analytics_wait_estimate), in both languages. */
Test(rules, wait_range_in_words)
{
    conv_t c;
    struct {
        int64_t lo, hi;
        const char *nl, *en;
    } cases[] = {
        {0, 60, "De verwachte wachttijd is minder dan een minuut.", "The expected wait is less than a minute."},
        {0, 240, "De verwachte wachttijd is minder dan 4 minuten.", "The expected wait is less than 4 minutes."},
        {120, 300, "De verwachte wachttijd is 2 tot 5 minuten.", "The expected wait is 2 to 5 minutes."},
        {60, 120, "De verwachte wachttijd is 1 tot 2 minuten.", "The expected wait is 1 to 2 minutes."},
        {600, 1500, "De verwachte wachttijd is 10 tot 25 minuten.", "The expected wait is 10 to 25 minutes."},
        {2700, 5400, "De verwachte wachttijd is 45 minuten tot 1,5 uur.", "The expected wait is 45 minutes to 1.5 hours."},
        {3600, 8100, "De verwachte wachttijd is 1 uur tot 2 uur en 15 minuten.",
         "The expected wait is 1 hour to 2 hours and 15 minutes."},
        {7200, 10800, "De verwachte wachttijd is 2 uur tot 3 uur.", "The expected wait is 2 hours to 3 hours."},
        {300, 300, "De verwachte wachttijd is ongeveer 5 minuten.", "The expected wait is about 5 minutes."},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (int en = 0; en < 2; en++) {
            conv_init(&c, en ? "en" : "nl");
            c.env.est_wait_s = cases[i].lo;
            c.env.est_wait_max_s = cases[i].hi;
            conv_type(&c, LK_EV_BUTTON);
            assert_has(nth_say(&c, 0)->text, en ? cases[i].en : cases[i].nl);
            conv_free(&c);
        }
    }
}

Test(rules, button_hands_over_from_every_state)
{
    conv_t c;
    conv_init(&c, "nl");
    conv_type(&c, LK_EV_BUTTON);
    assert_handoff(&c, LK_HANDOFF_BUTTON);
    cr_assert_eq(count_says(&c, LK_SENDER_BOT), 0);
    /* queued: stays queued, no second hand-off; the notice just said where
     * it stands, so nothing new to say (see queued_button_adds_no_noise) */
    conv_type(&c, LK_EV_BUTTON);
    cr_assert_eq(c.st.status, LK_CONV_QUEUED);
    cr_assert_null(find_action(&c, LK_ACTION_HANDOFF));
    cr_assert_eq(count_says(&c, LK_SENDER_BOT), 0);
    /* assigned: already with a person */
    conv_type(&c, LK_EV_AGENT_JOINS);
    conv_type(&c, LK_EV_BUTTON);
    cr_assert_eq(c.st.status, LK_CONV_ASSIGNED);
    cr_assert_eq(c.acts.n, 0);
    /* closed: a fresh hand-off */
    conv_type(&c, LK_EV_CLOSE);
    conv_type(&c, LK_EV_BUTTON);
    assert_handoff(&c, LK_HANDOFF_BUTTON);
    conv_free(&c);
}

/* ---- answers, language --------------------------------------------------- */

Test(rules, answer_quotes_the_article_nl)
{
    conv_t c;
    conv_init(&c, "nl");
    conv_say(&c, "Hoe kan ik iets retourneren?", rd_known(A_RETURN, 0.93, "nl"));
    cr_assert_eq(c.acts.n, 1);
    const lk_policy_action_t *a = nth_say(&c, 0);
    cr_assert_eq(a->sender, LK_SENDER_BOT);
    cr_assert_eq(a->kind, LK_SAY_ANSWER);
    cr_assert_eq(a->article, A_RETURN);
    cr_assert_float_eq(a->confidence, 0.93, 1e-9);
    assert_has(a->text, "binnen 30 dagen");
    assert_has(a->text, "https://example.com/retour");
    assert_has(a->text, "Heeft dit je geholpen?");
    cr_assert_eq(c.st.pending, LK_PENDING_FEEDBACK);
    /* without a url and without the question */
    c.cfg.ask_feedback = false;
    conv_say(&c, "Wanneer wordt het bezorgd?", rd_known(A_DELIVERY, 0.8, "nl"));
    a = nth_say(&c, 0);
    cr_assert_str_eq(a->text, "We bezorgen binnen 2 werkdagen.");
    cr_assert_eq(c.st.pending, LK_PENDING_NONE);
    conv_free(&c);
}

Test(rules, answer_in_the_customers_language_en)
{
    conv_t c;
    conv_init(&c, "nl");
    /* The NLU matched the Dutch article, but the customer writes English. */
    conv_say(&c, "How do I return something?", rd_known(A_RETURN, 0.9, "en"));
    cr_assert_str_eq(c.st.language, "en");
    const lk_policy_action_t *a = nth_say(&c, 0);
    cr_assert_eq(a->article, A_RETURN_EN);
    assert_has(a->text, "within 30 days");
    assert_has(a->text, "More information: https://example.com/en/returns");
    assert_has(a->text, "Did this help?");
    /* And the other way round, by the "-en" convention. */
    conv_say(&c, "Hoe lang duurt de levering?", rd_known(A_DELIVERY_EN, 0.9, "nl"));
    cr_assert_str_eq(c.st.language, "nl");
    cr_assert_eq(nth_say(&c, 0)->article, A_DELIVERY);
    /* No Dutch version: never an answer in another language; the customer
     * hears so in their own, and gets a person at once (issue 14). */
    conv_say(&c, "Wanneer zijn jullie open?", rd_known(A_OPENING_EN, 0.9, "nl"));
    assert_handoff(&c, LK_HANDOFF_LANGUAGE);
    cr_assert_eq(count_says(&c, LK_SENDER_BOT), 0);
    assert_has(nth_say(&c, 0)->text, "Ik heb hierop geen antwoord in jouw taal.");
    conv_free(&c);
}

Test(rules, language_needs_confidence_and_the_kb)
{
    conv_t c;
    conv_init(&c, "nl");
    lk_nlu_reading_t r = rd_known(A_RETURN, 0.9, "en");
    r.language_confidence = 0.4;
    conv_say(&c, "ok retour", r);
    cr_assert_str_eq(c.st.language, "nl");
    cr_assert_eq(nth_say(&c, 0)->article, A_RETURN);
    /* A language the KB does not have: followed only when the reading is
     * very sure (foreign_language_min), since it leads to a hand-off. */
    lk_kb_t nl_only;
    lk_kb_init(&nl_only);
    lk_kb_add(&nl_only, &kb.articles[A_RETURN]);
    c.env.kb = &nl_only;
    r = rd_known(0, 0.9, "en");
    r.language_confidence = 0.8;
    conv_say(&c, "How do I return it", r);
    cr_assert_str_eq(c.st.language, "nl");
    cr_assert_eq(nth_say(&c, 0)->article, 0);
    lk_kb_free(&nl_only);
    conv_free(&c);
    /* A language loket has texts in but the KB has no article in: the
     * customer hears that in it, and gets a person in the same turn. */
    conv_init(&c, "nl");
    conv_say(&c, "Wie kann ich etwas zurückschicken?", rd_known(A_RETURN, 0.9, "de"));
    cr_assert_str_eq(c.st.language, "de");
    assert_handoff(&c, LK_HANDOFF_LANGUAGE);
    assert_has(nth_say(&c, 0)->text, "Darauf habe ich leider keine Antwort in Ihrer Sprache.");
    conv_free(&c);
    /* Unsure of the language: stays Dutch and answers. */
    conv_init(&c, "nl");
    r = rd_known(A_RETURN, 0.9, "de");
    r.language_confidence = 0.75;
    conv_say(&c, "retour bitte", r);
    cr_assert_str_eq(c.st.language, "nl");
    cr_assert_eq(nth_say(&c, 0)->article, A_RETURN);
    conv_free(&c);
}

Test(rules, version_by_tags_when_ids_differ)
{
    lk_kb_t k;
    lk_kb_init(&k);
    add_article(&k, "retour", "nl", "Retourneren", "NL antwoord", NULL, "returns");
    add_article(&k, "sending-back", "en", "Sending back", "EN answer", NULL, "returns");
    cr_assert_eq(first_article(&k, "en", "how to send back", rd_known(0, 0.9, "en")), 1);
    lk_kb_free(&k);
}

/* ---- never trapped ----------------------------------------------------- */

Test(rules, decline_is_honest_then_hands_over_nl)
{
    conv_t c;
    conv_init(&c, "nl");
    conv_say(&c, "Wat is de zin van het leven?", rd_unknown("nl"));
    cr_assert_eq(c.st.status, LK_CONV_BOT);
    const lk_policy_action_t *d = nth_say(&c, 0);
    cr_assert_eq(d->kind, LK_SAY_DECLINE);
    cr_assert_eq(d->article, -1);
    assert_has(d->text, "dat weet ik niet");
    assert_has(d->text, "medewerker");
    conv_say(&c, "En hoe zit het met de btw op cadeaubonnen?", rd_unknown("nl"));
    assert_handoff(&c, LK_HANDOFF_REPEATED_FAILURE);
    cr_assert_eq(count_says(&c, LK_SENDER_BOT), 0, "no second decline");
    assert_has(nth_say(&c, 0)->text, "kan je vraag niet goed beantwoorden");
    conv_free(&c);
}

Test(rules, decline_is_honest_then_hands_over_en)
{
    conv_t c;
    conv_init(&c, "en");
    conv_say(&c, "What is the meaning of life?", rd_unknown("en"));
    assert_has(nth_say(&c, 0)->text, "I don't know this");
    assert_has(nth_say(&c, 0)->text, "person");
    conv_say(&c, "And VAT on gift cards?", rd_unknown("en"));
    assert_handoff(&c, LK_HANDOFF_REPEATED_FAILURE);
    conv_free(&c);
}

Test(rules, an_answer_resets_the_failures)
{
    conv_t c;
    conv_init(&c, "nl");
    conv_say(&c, "iets onbekends", rd_unknown("nl"));
    conv_say(&c, "Hoe kan ik retourneren?", rd_known(A_RETURN, 0.9, "nl"));
    conv_say(&c, "iets anders onbekends", rd_unknown("nl"));
    cr_assert_eq(c.st.status, LK_CONV_BOT);
    cr_assert_eq(nth_say(&c, 0)->kind, LK_SAY_DECLINE);
    conv_free(&c);
}

Test(rules, did_this_help_no_counts_as_a_failure_nl)
{
    conv_t c;
    conv_init(&c, "nl");
    conv_say(&c, "Hoe kan ik retourneren?", rd_known(A_RETURN, 0.9, "nl"));
    conv_say(&c, "nee", rd_unknown("nl"));
    cr_assert_eq(c.st.status, LK_CONV_BOT);
    cr_assert_eq(c.st.consecutive_declines, 1);
    cr_assert_eq(nth_say(&c, 0)->kind, LK_SAY_REPLY);
    assert_has(nth_say(&c, 0)->text, "medewerker");
    /* then a question the bot cannot answer: the second failure */
    conv_say(&c, "kan ik ruilen in de winkel?", rd_unknown("nl"));
    assert_handoff(&c, LK_HANDOFF_REPEATED_FAILURE);
    conv_free(&c);
}

Test(rules, did_this_help_no_counts_as_a_failure_en)
{
    conv_t c;
    conv_init(&c, "en");
    conv_say(&c, "How do I return?", rd_known(A_RETURN_EN, 0.9, "en"));
    /* "no, ..." with a new question: one failure, and the question is read */
    conv_say(&c, "no, I mean something else entirely", rd_unknown("en"));
    assert_handoff(&c, LK_HANDOFF_REPEATED_FAILURE);
    conv_free(&c);

    conv_init(&c, "en");
    c.cfg.max_consecutive_declines = 3;
    conv_say(&c, "How do I return?", rd_known(A_RETURN_EN, 0.9, "en"));
    conv_say(&c, "Not really", rd_unknown("en"));
    cr_assert_eq(c.st.consecutive_declines, 1);
    assert_has(nth_say(&c, 0)->text, "did not help");
    conv_free(&c);
}

Test(rules, did_this_help_yes_and_small_talk)
{
    conv_t c;
    conv_init(&c, "nl");
    conv_say(&c, "Hoe kan ik retourneren?", rd_known(A_RETURN, 0.9, "nl"));
    conv_say(&c, "Ja, bedankt!", rd_unknown("nl"));
    cr_assert_eq(nth_say(&c, 0)->kind, LK_SAY_REPLY);
    assert_has(nth_say(&c, 0)->text, "Fijn");
    cr_assert_eq(c.st.consecutive_declines, 0);
    conv_say(&c, "hallo", rd_unknown("nl"));
    cr_assert_eq(nth_say(&c, 0)->kind, LK_SAY_REPLY);
    conv_say(&c, "dank je wel", rd_unknown("nl"));
    cr_assert_eq(nth_say(&c, 0)->kind, LK_SAY_REPLY);
    cr_assert_eq(c.st.consecutive_declines, 0, "small talk is not a failure");
    conv_free(&c);
}

Test(rules, decline_offer_yes_hands_over)
{
    conv_t c;
    conv_init(&c, "en");
    conv_say(&c, "blah", rd_unknown("en"));
    conv_say(&c, "yes please", rd_unknown("en"));
    assert_handoff(&c, LK_HANDOFF_CUSTOMER_REQUEST);
    conv_free(&c);
}

/* ---- closings, thanks and a bare "ok" ------------------------------------ */

/* An answer, then "ja" to "did this help?": the bot asks "anything else?". */
static void to_anything_else(conv_t *c, const char *lang)
{
    bool en = strcmp(lang, "en") == 0;
    conv_say(c, en ? "How do I return?" : "Hoe kan ik retourneren?",
             rd_known(en ? A_RETURN_EN : A_RETURN, 0.9, lang));
    conv_say(c, en ? "yes" : "ja", rd_unknown(lang));
    assert_has(nth_say(c, 0)->text, en ? "anything else" : "ergens anders mee helpen");
    cr_assert_eq(c->st.pending, LK_PENDING_MORE);
}

/* One short warm reply that keeps the human route in sight; no decline, no
 * failure, no hand-off. */
static void assert_goodbye(const conv_t *c, const char *lang, const char *said, int declines_before)
{
    bool en = strcmp(lang, "en") == 0;
    cr_assert_eq(c->st.status, LK_CONV_BOT, "\"%s\" handed over", said);
    cr_assert_null(find_action(c, LK_ACTION_HANDOFF), "\"%s\" handed over", said);
    cr_assert_eq(count_says(c, LK_SENDER_NONE), 1, "\"%s\": one reply", said);
    const lk_policy_action_t *a = nth_say(c, 0);
    cr_assert_eq(a->kind, LK_SAY_REPLY, "\"%s\" got: %s", said, a->text);
    cr_assert_eq(a->article, -1);
    assert_hasnt(a->text, en ? "don't know" : "weet ik niet");
    assert_has(a->text, en ? "nice day" : "fijne dag");
    assert_has(a->text, en ? "talk to a person at any time" : "medewerker praten kan ook altijd");
    cr_assert_eq(c->st.consecutive_declines, declines_before, "\"%s\" counted as a failure", said);
    cr_assert_eq(c->st.pending, LK_PENDING_BYE);
}

Test(rules, closing_after_anything_else_nl)
{
    const char *closings[] = {"nee, dank je", "nee hoor", "ok", "oké", "Top!", "dat was het", "Nee hoor, bedankt",
                              "nee dank je wel, dat was het", "doei", "niks"};
    for (size_t i = 0; i < sizeof closings / sizeof closings[0]; i++) {
        conv_t c;
        conv_init(&c, "nl");
        to_anything_else(&c, "nl");
        conv_say(&c, closings[i], rd_unknown("nl"));
        assert_goodbye(&c, "nl", closings[i], 0);
        /* "ok" to the goodbye, twice: nothing more to say, and never a person */
        for (int k = 0; k < 2; k++) {
            conv_say(&c, "ok", rd_unknown("nl"));
            cr_assert_eq(c.acts.n, 0, "after \"%s\": \"ok\" to the goodbye got an answer", closings[i]);
            cr_assert_eq(c.st.status, LK_CONV_BOT);
        }
        /* a real question after that is answered as usual */
        conv_say(&c, "Hoe lang duurt de levering?", rd_known(A_DELIVERY, 0.9, "nl"));
        cr_assert_eq(nth_say(&c, 0)->kind, LK_SAY_ANSWER);
        conv_free(&c);
    }
    /* thanks: "graag gedaan" */
    conv_t c;
    conv_init(&c, "nl");
    to_anything_else(&c, "nl");
    conv_say(&c, "dankjewel!", rd_unknown("nl"));
    assert_goodbye(&c, "nl", "dankjewel!", 0);
    assert_has(nth_say(&c, 0)->text, "Graag gedaan");
    conv_free(&c);
}

Test(rules, closing_after_anything_else_en)
{
    const char *closings[] = {"no thanks", "No, that's all", "ok", "okay", "thanks", "that's it", "thank you, bye",
                              "nope, all good"};
    for (size_t i = 0; i < sizeof closings / sizeof closings[0]; i++) {
        conv_t c;
        conv_init(&c, "en");
        to_anything_else(&c, "en");
        conv_say(&c, closings[i], rd_unknown("en"));
        assert_goodbye(&c, "en", closings[i], 0);
        if (contains(closings[i], "thank"))
            assert_has(nth_say(&c, 0)->text, "You're welcome");
        conv_say(&c, "OK!", rd_unknown("en"));
        cr_assert_eq(c.acts.n, 0);
        conv_free(&c);
    }
}

Test(rules, a_closing_is_never_an_answer_or_a_failure)
{
    /* The NLU matched an article on "top"; a closing still quotes nothing. */
    conv_t c;
    conv_init(&c, "nl");
    to_anything_else(&c, "nl");
    conv_say(&c, "top", rd_known(A_PAYMENT, 0.8, "nl"));
    assert_goodbye(&c, "nl", "top", 0);
    conv_free(&c);
    /* After a decline the failure count stays where it was. */
    conv_init(&c, "en");
    conv_say(&c, "What is the meaning of life?", rd_unknown("en"));
    cr_assert_eq(c.st.consecutive_declines, 1);
    conv_say(&c, "ok thanks, bye", rd_unknown("en"));
    assert_goodbye(&c, "en", "ok thanks, bye", 1);
    conv_free(&c);
    /* "did this help?" - "dat was het": satisfied, not a failure */
    conv_init(&c, "nl");
    conv_say(&c, "Hoe kan ik retourneren?", rd_known(A_RETURN, 0.9, "nl"));
    conv_say(&c, "dat was het", rd_unknown("nl"));
    assert_goodbye(&c, "nl", "dat was het", 0);
    conv_free(&c);
}

Test(rules, ok_is_consent_only_to_the_offer_of_a_person)
{
    const char *langs[] = {"nl", "en"};
    for (int i = 0; i < 2; i++) {
        bool en = i == 1;
        /* After the greeting (nothing asked): a short reply, no decline. */
        conv_t c;
        conv_init(&c, langs[i]);
        conv_type(&c, LK_EV_START);
        conv_say(&c, en ? "ok" : "oké", rd_unknown(langs[i]));
        cr_assert_eq(count_says(&c, LK_SENDER_NONE), 1);
        cr_assert_eq(nth_say(&c, 0)->kind, LK_SAY_REPLY);
        assert_has(nth_say(&c, 0)->text, en ? "ask your question" : "Stel gerust je vraag");
        assert_has(nth_say(&c, 0)->text, en ? "person" : "medewerker");
        cr_assert_eq(c.st.consecutive_declines, 0);
        /* "ok", "ok", "ok": a goodbye, then quiet; never a person */
        conv_say(&c, "ok", rd_unknown(langs[i]));
        assert_goodbye(&c, langs[i], "ok", 0);
        conv_say(&c, "ok", rd_unknown(langs[i]));
        cr_assert_eq(c.acts.n, 0);
        cr_assert_eq(c.st.status, LK_CONV_BOT);
        conv_free(&c);

        /* "Did this help?" - "ok" is a yes to that, not to a person. */
        conv_init(&c, langs[i]);
        conv_say(&c, "retour?", rd_known(en ? A_RETURN_EN : A_RETURN, 0.9, langs[i]));
        conv_say(&c, "ok", rd_unknown(langs[i]));
        cr_assert_eq(c.st.status, LK_CONV_BOT);
        assert_has(nth_say(&c, 0)->text, en ? "Good to hear" : "Fijn");
        conv_say(&c, "ok", rd_unknown(langs[i]));
        assert_goodbye(&c, langs[i], "ok", 0);
        conv_free(&c);

        /* "Would you rather talk to a person?" - a bare "ok" is a yes. */
        conv_init(&c, langs[i]);
        conv_say(&c, "blah", rd_unknown(langs[i]));
        cr_assert_eq(c.st.pending, LK_PENDING_OFFER);
        conv_say(&c, en ? "Okay." : "Oké", rd_unknown(langs[i]));
        assert_handoff(&c, LK_HANDOFF_CUSTOMER_REQUEST);
        conv_free(&c);
        /* ... also after "yes, I am a bot; a person?" */
        conv_init(&c, langs[i]);
        lk_nlu_reading_t b = rd_unknown(langs[i]);
        b.signals.bot_question = 0.9;
        conv_say(&c, en ? "are you a bot?" : "ben je een bot?", b);
        conv_say(&c, "ok", rd_unknown(langs[i]));
        assert_handoff(&c, LK_HANDOFF_CUSTOMER_REQUEST);
        conv_free(&c);
        /* ... but "ok thanks" is a goodbye, and "ok" with a question is the question */
        conv_init(&c, langs[i]);
        conv_say(&c, "blah", rd_unknown(langs[i]));
        conv_say(&c, en ? "ok thanks" : "ok bedankt", rd_unknown(langs[i]));
        assert_goodbye(&c, langs[i], "ok thanks", 1);
        conv_free(&c);
        conv_init(&c, langs[i]);
        conv_say(&c, "blah", rd_unknown(langs[i]));
        conv_say(&c, en ? "ok, and how do I return it?" : "ok, en hoe kan ik retourneren?",
                 rd_known(en ? A_RETURN_EN : A_RETURN, 0.9, langs[i]));
        cr_assert_eq(c.st.status, LK_CONV_BOT);
        cr_assert_eq(nth_say(&c, 0)->kind, LK_SAY_ANSWER);
        conv_free(&c);
    }
}

Test(rules, yes_or_thanks_to_nothing)
{
    /* "ja" to "anything else?": the question is to come. */
    conv_t c;
    conv_init(&c, "nl");
    to_anything_else(&c, "nl");
    conv_say(&c, "ja graag", rd_unknown("nl"));
    cr_assert_eq(nth_say(&c, 0)->kind, LK_SAY_REPLY);
    assert_has(nth_say(&c, 0)->text, "Stel je vraag");
    cr_assert_eq(c.st.status, LK_CONV_BOT);
    conv_say(&c, "nee, toch niet", rd_unknown("nl"));
    assert_goodbye(&c, "nl", "nee, toch niet", 0);
    conv_free(&c);
    /* "niet goed" is no closing: read as what it says */
    conv_init(&c, "nl");
    to_anything_else(&c, "nl");
    conv_say(&c, "niet goed", rd_unknown("nl"));
    cr_assert_eq(nth_say(&c, 0)->kind, LK_SAY_DECLINE);
    conv_free(&c);
    /* "thanks" out of the blue: "you're welcome, anything else?", then "no" */
    conv_init(&c, "en");
    conv_say(&c, "thank you!", rd_unknown("en"));
    assert_has(nth_say(&c, 0)->text, "You're welcome! Is there anything else");
    cr_assert_eq(c.st.pending, LK_PENDING_MORE);
    conv_say(&c, "no", rd_unknown("en"));
    assert_goodbye(&c, "en", "no", 0);
    conv_free(&c);
}

Test(rules, complaint_and_anger_hand_over)
{
    const char *langs[] = {"nl", "en"};
    for (int i = 0; i < 2; i++) {
        conv_t c;
        conv_init(&c, langs[i]);
        lk_nlu_reading_t r = rd_known(A_RETURN, 0.9, langs[i]);
        r.signals.complaint = 0.8;
        r.signals.negative = 0.8;
        conv_say(&c, i ? "I want to file a complaint" : "Ik wil een klacht indienen", r);
        assert_handoff(&c, LK_HANDOFF_COMPLAINT);
        assert_has(nth_say(&c, 0)->text, i ? "complaint" : "klacht");
        conv_free(&c);

        conv_init(&c, langs[i]);
        r = rd_unknown(langs[i]);
        r.signals.negative = 0.7;
        conv_say(&c, i ? "This is ridiculous!!" : "Dit is echt belachelijk!!", r);
        assert_handoff(&c, LK_HANDOFF_NEGATIVE_SENTIMENT);
        assert_has(nth_say(&c, 0)->text, i ? "sorry" : "spijt");
        conv_free(&c);
    }
}

Test(rules, the_same_question_three_times_hands_over)
{
    const char *langs[] = {"nl", "en"};
    for (int i = 0; i < 2; i++) {
        conv_t c;
        conv_init(&c, langs[i]);
        c.cfg.ask_feedback = false;
        lk_nlu_reading_t r = rd_known(i ? A_RETURN_EN : A_RETURN, 0.9, langs[i]);
        conv_say(&c, "retour?", r);
        r.signals.repeat = 0.9;
        conv_say(&c, "retour?", r);
        cr_assert_eq(c.st.status, LK_CONV_BOT);
        cr_assert_eq(c.st.repeats, 2);
        conv_say(&c, "retour?", r);
        assert_handoff(&c, LK_HANDOFF_LOOP);
        cr_assert_eq(count_says(&c, LK_SENDER_BOT), 0);
        conv_free(&c);
    }
    /* Without the NLU's repeat signal: the same article three times in a row. */
    conv_t c;
    conv_init(&c, "nl");
    c.cfg.max_consecutive_declines = 5;
    conv_say(&c, "retour?", rd_known(A_RETURN, 0.9, "nl"));
    conv_say(&c, "maar hoe retourneer ik dan", rd_known(A_RETURN, 0.8, "nl"));
    conv_say(&c, "retourneren hoe", rd_known(A_RETURN, 0.85, "nl"));
    assert_handoff(&c, LK_HANDOFF_LOOP);
    conv_free(&c);
    /* An unanswered question repeated (with more declines allowed). */
    conv_init(&c, "nl");
    c.cfg.max_consecutive_declines = 5;
    lk_nlu_reading_t r = rd_unknown("nl");
    conv_say(&c, "xyz?", r);
    r.signals.repeat = 1.0;
    conv_say(&c, "xyz?", r);
    conv_say(&c, "xyz?", r);
    assert_handoff(&c, LK_HANDOFF_LOOP);
    conv_free(&c);
}

Test(rules, sensitive_topics_go_to_a_person)
{
    const char *langs[] = {"nl", "en"};
    for (int i = 0; i < 2; i++) {
        conv_t c;
        conv_init(&c, langs[i]);
        conv_say(&c, i ? "my father passed away" : "mijn vader is overleden", rd_known(A_BEREAVEMENT, 0.9, langs[i]));
        assert_handoff(&c, LK_HANDOFF_SENSITIVE_TOPIC);
        cr_assert_eq(count_says(&c, LK_SENDER_BOT), 0, "no article quoted");
        assert_has(nth_say(&c, 0)->text, i ? "person" : "mens");
        conv_free(&c);
    }
    /* Also when the NLU would decline but the best match is sensitive. */
    conv_t c;
    conv_init(&c, "nl");
    lk_nlu_reading_t r = rd_unknown("nl");
    r.top[0] = (lk_nlu_match_t){A_BEREAVEMENT, 0.35};
    conv_say(&c, "mijn moeder is gestorven wat nu", r);
    assert_handoff(&c, LK_HANDOFF_SENSITIVE_TOPIC);
    conv_free(&c);
}

Test(rules, several_questions)
{
    const char *langs[] = {"nl", "en"};
    for (int i = 0; i < 2; i++) {
        /* both answerable: two answers, one "did this help?" */
        conv_t c;
        conv_init(&c, langs[i]);
        lk_nlu_reading_t r = rd_known(A_RETURN, 0.9, langs[i]);
        r.top[1] = (lk_nlu_match_t){A_DELIVERY, 0.8};
        r.n_top = 2;
        r.signals.multi_question = 0.9;
        conv_say(&c, "retour en levering?", r);
        cr_assert_eq(c.st.status, LK_CONV_BOT);
        cr_assert_eq(count_says(&c, LK_SENDER_BOT), 2);
        cr_assert_eq(nth_say(&c, 0)->article, i ? A_RETURN_EN : A_RETURN);
        cr_assert_eq(nth_say(&c, 1)->article, i ? A_DELIVERY_EN : A_DELIVERY);
        assert_hasnt(nth_say(&c, 0)->text, i ? "Did this help?" : "geholpen");
        assert_has(nth_say(&c, 1)->text, i ? "Did this help?" : "geholpen");
        conv_free(&c);

        /* one answerable: what it knows, then a person */
        conv_init(&c, langs[i]);
        r.top[1].confidence = 0.2;
        conv_say(&c, "retour en iets anders?", r);
        cr_assert_eq(count_says(&c, LK_SENDER_BOT), 1);
        cr_assert_eq(nth_say(&c, 0)->kind, LK_SAY_ANSWER);
        assert_handoff(&c, LK_HANDOFF_COMPLEX);
        assert_has(nth_say(&c, 1)->text, i ? "several" : "meerdere");
        conv_free(&c);

        /* none answerable */
        conv_init(&c, langs[i]);
        lk_nlu_reading_t u = rd_unknown(langs[i]);
        u.signals.multi_question = 0.9;
        conv_say(&c, "dit en dat?", u);
        assert_handoff(&c, LK_HANDOFF_COMPLEX);
        cr_assert_eq(count_says(&c, LK_SENDER_BOT), 0);
        conv_free(&c);
    }
}

/* ---- choices and several questions (issue 15) ---------------------------- */

/* The NLU is unsure between a0 and a1 (neither answered) and asks. */
static lk_nlu_reading_t rd_ask(long a0, double c0, long a1, double c1, const char *lang)
{
    lk_nlu_reading_t r = rd_lang(lang);
    r.top[0] = (lk_nlu_match_t){a0, c0};
    r.top[1] = (lk_nlu_match_t){a1, c1};
    r.n_top = 2;
    r.answer = false;
    r.ask = true;
    r.n_choices = 2;
    return r;
}

static void conv_pick(conv_t *c, const char *title, long article)
{
    conv_message(c, title, rd_unknown(c->st.language), (lk_policy_event_t){.chosen = true, .choice = article});
}

Test(rules, unsure_offers_choices_nl_en)
{
    const char *langs[] = {"nl", "en"};
    for (int i = 0; i < 2; i++) {
        conv_t c;
        conv_init(&c, langs[i]);
        /* the NLU's candidates are Dutch; the choices follow the customer */
        conv_say(&c, i ? "my package" : "mijn pakket", rd_ask(A_RETURN, 0.3, A_DELIVERY, 0.28, langs[i]));
        cr_assert_eq(c.st.status, LK_CONV_BOT);
        cr_assert_eq(c.acts.n, 1);
        const lk_policy_action_t *a = nth_say(&c, 0);
        cr_assert_eq(a->sender, LK_SENDER_BOT);
        cr_assert_eq(a->kind, LK_SAY_CHOICES);
        cr_assert_str_eq(lk_policy_say_kind_name(a->kind), "choices");
        cr_assert_eq(a->article, -1, "an offer quotes no article");
        cr_assert_eq(a->n_choices, 2);
        cr_assert_eq(a->choices[0], i ? A_RETURN_EN : A_RETURN);
        cr_assert_eq(a->choices[1], i ? A_DELIVERY_EN : A_DELIVERY);
        assert_has(a->text, i ? "Is your question about 'Returns' or 'Delivery time'?"
                              : "Gaat je vraag over 'Retourneren' of 'Levertijd'?");
        assert_has(a->text, i ? "None of these" : "Geen van deze");
        assert_has(a->text, i ? "person" : "medewerker");
        cr_assert_eq(c.st.pending, LK_PENDING_CHOICE);
        cr_assert_eq(c.st.consecutive_declines, 0, "an offer is no failure");
        conv_free(&c);
    }
    /* three candidates: "A, B of C" */
    conv_t c;
    conv_init(&c, "nl");
    lk_nlu_reading_t r = rd_ask(A_RETURN, 0.3, A_DELIVERY, 0.25, "nl");
    r.top[2] = (lk_nlu_match_t){A_PAYMENT, 0.2};
    r.n_top = r.n_choices = 3;
    conv_say(&c, "mijn bestelling", r);
    assert_has(nth_say(&c, 0)->text, "'Retourneren', 'Levertijd' of 'Betalen'?");
    cr_assert_eq(nth_say(&c, 0)->n_choices, 3);
    conv_free(&c);
}

Test(rules, choices_are_distinct_and_never_sensitive)
{
    conv_t c;
    conv_init(&c, "nl");
    /* one article in two languages is one choice: fewer than two, so a decline */
    conv_say(&c, "retour", rd_ask(A_RETURN, 0.3, A_RETURN_EN, 0.3, "nl"));
    cr_assert_eq(nth_say(&c, 0)->kind, LK_SAY_DECLINE);
    cr_assert_eq(c.st.consecutive_declines, 1);
    conv_free(&c);
    /* a sensitive candidate is never offered as a button */
    conv_init(&c, "nl");
    conv_say(&c, "account van mijn vader", rd_ask(A_PAYMENT, 0.29, A_BEREAVEMENT, 0.28, "nl"));
    cr_assert_neq(nth_say(&c, 0)->kind, LK_SAY_CHOICES);
    conv_free(&c);
    /* an answer wins over choices; a reading without ask gives none */
    conv_init(&c, "nl");
    lk_nlu_reading_t r = rd_ask(A_RETURN, 0.8, A_DELIVERY, 0.3, "nl");
    r.answer = true;
    conv_say(&c, "retour", r);
    cr_assert_eq(nth_say(&c, 0)->kind, LK_SAY_ANSWER);
    r = rd_ask(A_RETURN, 0.3, A_DELIVERY, 0.28, "nl");
    r.ask = false;
    conv_say(&c, "iets", r);
    cr_assert_eq(nth_say(&c, 0)->kind, LK_SAY_DECLINE);
    conv_free(&c);
}

/* A sensitive candidate is left out of the menu, not the whole menu: the
 * other candidates are offered when two remain, in order, in the
 * customer's language; one left is a decline, as for one candidate. */
Test(rules, a_sensitive_candidate_is_left_out_of_the_choices)
{
    const char *langs[] = {"nl", "en"};
    for (int i = 0; i < 2; i++) {
        conv_t c;
        conv_init(&c, langs[i]);
        lk_nlu_reading_t r = rd_ask(A_RETURN, 0.27, A_BEREAVEMENT, 0.26, langs[i]);
        r.top[2] = (lk_nlu_match_t){A_DELIVERY, 0.25};
        r.n_top = r.n_choices = 3;
        conv_say(&c, i ? "my account" : "mijn account", r);
        cr_assert_eq(c.st.status, LK_CONV_BOT);
        const lk_policy_action_t *a = nth_say(&c, 0);
        cr_assert_eq(a->kind, LK_SAY_CHOICES, "the other two are offered (%s)", langs[i]);
        cr_assert_eq(a->n_choices, 2);
        cr_assert_eq(a->choices[0], i ? A_RETURN_EN : A_RETURN);
        cr_assert_eq(a->choices[1], i ? A_DELIVERY_EN : A_DELIVERY);
        assert_has(a->text, i ? "'Returns' or 'Delivery time'?" : "'Retourneren' of 'Levertijd'?");
        cr_assert_null(strstr(a->text, "Overlijden"), "the sensitive title is never shown");
        assert_has(a->text, i ? "person" : "medewerker");
        cr_assert_eq(c.st.pending, LK_PENDING_CHOICE);
        cr_assert_eq(c.st.consecutive_declines, 0);
        conv_free(&c);
    }
    /* the sensitive candidate first (below sensitive_min): the rest still */
    conv_t c;
    conv_init(&c, "nl");
    lk_nlu_reading_t r = rd_ask(A_BEREAVEMENT, 0.28, A_PAYMENT, 0.27, "nl");
    r.top[2] = (lk_nlu_match_t){A_DELIVERY, 0.26};
    r.n_top = r.n_choices = 3;
    conv_say(&c, "account opzeggen", r);
    cr_assert_eq(nth_say(&c, 0)->kind, LK_SAY_CHOICES);
    cr_assert_eq(nth_say(&c, 0)->n_choices, 2);
    cr_assert_eq(nth_say(&c, 0)->choices[0], A_PAYMENT);
    cr_assert_eq(nth_say(&c, 0)->choices[1], A_DELIVERY);
    conv_free(&c);
    /* at sensitive_min or above, the sensitive match hands over before any menu */
    conv_init(&c, "nl");
    r = rd_ask(A_BEREAVEMENT, 0.35, A_PAYMENT, 0.3, "nl");
    r.top[2] = (lk_nlu_match_t){A_DELIVERY, 0.25};
    r.n_top = r.n_choices = 3;
    conv_say(&c, "mijn vader", r);
    assert_handoff(&c, LK_HANDOFF_SENSITIVE_TOPIC);
    for (size_t k = 0; k < c.acts.n; k++)
        cr_assert(c.acts.items[k].type != LK_ACTION_SAY || c.acts.items[k].kind != LK_SAY_CHOICES);
    conv_free(&c);
    /* one candidate left after the sensitive one: a decline, a failure counted */
    conv_init(&c, "nl");
    conv_say(&c, "account van mijn vader", rd_ask(A_BEREAVEMENT, 0.28, A_PAYMENT, 0.27, "nl"));
    cr_assert_eq(nth_say(&c, 0)->kind, LK_SAY_DECLINE);
    cr_assert_eq(c.st.consecutive_declines, 1);
    cr_assert_eq(c.st.pending, LK_PENDING_OFFER);
    conv_free(&c);
}

Test(rules, a_pick_answers_the_chosen_article)
{
    const char *langs[] = {"nl", "en"};
    for (int i = 0; i < 2; i++) {
        conv_t c;
        conv_init(&c, langs[i]);
        conv_say(&c, "pakket", rd_ask(A_RETURN, 0.3, A_DELIVERY, 0.28, langs[i]));
        long offered = nth_say(&c, 0)->choices[1];
        conv_pick(&c, i ? "Delivery time" : "Levertijd", offered);
        cr_assert_eq(c.acts.n, 1);
        const lk_policy_action_t *a = nth_say(&c, 0);
        cr_assert_eq(a->kind, LK_SAY_ANSWER);
        cr_assert(a->chosen, "the answer to a pick is marked chosen");
        cr_assert_eq(a->article, i ? A_DELIVERY_EN : A_DELIVERY);
        assert_has(a->text, i ? "We deliver within 2 working days." : "We bezorgen binnen 2 werkdagen.");
        cr_assert_eq(c.st.consecutive_declines, 0, "a pick is an answer: failures reset");
        cr_assert_eq(c.st.pending, LK_PENDING_FEEDBACK);
        cr_assert_eq(c.st.status, LK_CONV_BOT);
        conv_free(&c);
    }
    /* an ordinary answer is never marked chosen */
    conv_t c;
    conv_init(&c, "nl");
    conv_say(&c, "retour", rd_known(A_RETURN, 0.9, "nl"));
    cr_assert_not(nth_say(&c, 0)->chosen);
    /* a pick while a person has the conversation: the bot stays silent */
    conv_type(&c, LK_EV_BUTTON);
    conv_type(&c, LK_EV_AGENT_JOINS);
    conv_pick(&c, "Levertijd", A_DELIVERY);
    cr_assert_eq(c.acts.n, 0);
    conv_free(&c);
}

Test(rules, none_of_these_hands_over)
{
    const char *none[] = {"Geen van deze", "geen van beide", "nee", "None of these", "neither", "nee, iets anders",
                          "something else"};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        conv_t c;
        conv_init(&c, "nl");
        conv_say(&c, "pakket", rd_ask(A_RETURN, 0.3, A_DELIVERY, 0.28, "nl"));
        conv_say(&c, none[i], rd_unknown("nl"));
        assert_handoff(&c, LK_HANDOFF_LOW_CONFIDENCE);
        cr_assert_eq(count_says(&c, LK_SENDER_BOT), 0);
        conv_free(&c);
    }
    /* a real question that starts with "geen" is read as a question */
    conv_t c;
    conv_init(&c, "nl");
    conv_say(&c, "pakket", rd_ask(A_RETURN, 0.3, A_DELIVERY, 0.28, "nl"));
    conv_say(&c, "geen verzendkosten bij retour?", rd_known(A_RETURN, 0.9, "nl"));
    cr_assert_eq(nth_say(&c, 0)->kind, LK_SAY_ANSWER);
    cr_assert_eq(c.st.status, LK_CONV_BOT);
    conv_free(&c);
    /* "geen van deze" without choices on the table hands nothing over */
    conv_init(&c, "nl");
    conv_say(&c, "geen van deze", rd_unknown("nl"));
    cr_assert_eq(c.st.status, LK_CONV_BOT);
    conv_free(&c);
}

Test(rules, a_second_offer_in_a_row_is_a_failure)
{
    conv_t c;
    conv_init(&c, "nl");
    conv_say(&c, "pakket", rd_ask(A_RETURN, 0.3, A_DELIVERY, 0.28, "nl"));
    cr_assert_eq(c.st.consecutive_declines, 0);
    conv_say(&c, "mijn pakketje", rd_ask(A_RETURN, 0.3, A_DELIVERY, 0.28, "nl"));
    cr_assert_eq(nth_say(&c, 0)->kind, LK_SAY_CHOICES, "offered again");
    cr_assert_eq(c.st.consecutive_declines, 1, "the second offer in a row counts");
    conv_say(&c, "dat pakket", rd_ask(A_RETURN, 0.3, A_DELIVERY, 0.28, "nl"));
    assert_handoff(&c, LK_HANDOFF_REPEATED_FAILURE);
    conv_free(&c);
    /* a decline, then an offer: the offer counts as the second failure and a
     * person takes over (choices never stand between a customer the bot
     * already failed and a person) */
    conv_init(&c, "nl");
    conv_say(&c, "x", rd_unknown("nl"));
    conv_say(&c, "pakket", rd_ask(A_RETURN, 0.3, A_DELIVERY, 0.28, "nl"));
    assert_handoff(&c, LK_HANDOFF_REPEATED_FAILURE);
    cr_assert_eq(count_says(&c, LK_SENDER_BOT), 0, "no menu before the person");
    conv_free(&c);
}

Test(rules, the_button_works_while_choices_are_offered)
{
    conv_t c;
    conv_init(&c, "en");
    conv_say(&c, "package", rd_ask(A_RETURN, 0.3, A_DELIVERY, 0.28, "en"));
    cr_assert_eq(c.st.pending, LK_PENDING_CHOICE);
    conv_type(&c, LK_EV_BUTTON);
    assert_handoff(&c, LK_HANDOFF_BUTTON);
    cr_assert_eq(c.st.pending, LK_PENDING_NONE);
    conv_free(&c);
    /* and "person" typed instead of a pick */
    conv_init(&c, "nl");
    conv_say(&c, "pakket", rd_ask(A_RETURN, 0.3, A_DELIVERY, 0.28, "nl"));
    lk_nlu_reading_t r = rd_unknown("nl");
    r.signals.person_request = 0.95;
    conv_say(&c, "medewerker", r);
    assert_handoff(&c, LK_HANDOFF_CUSTOMER_REQUEST);
    conv_free(&c);
}

static void conv_parts(conv_t *c, const char *text, const lk_policy_part_t *parts, size_t n)
{
    conv_message(c, text, rd_unknown(c->st.language), (lk_policy_event_t){.parts = parts, .n_parts = n});
}

Test(rules, several_questions_read_one_by_one)
{
    const char *langs[] = {"nl", "en"};
    for (int i = 0; i < 2; i++) {
        /* both answered: two answers, "did this help?" after the last */
        conv_t c;
        conv_init(&c, langs[i]);
        lk_nlu_reading_t r0 = rd_known(A_RETURN, 0.9, langs[i]), r1 = rd_known(A_DELIVERY, 0.7, langs[i]);
        const char *t = "Hoe retourneer ik? Hoe lang duurt de levering?";
        lk_policy_part_t p[] = {{t, 18, &r0}, {t + 19, 27, &r1}};
        conv_parts(&c, t, p, 2);
        cr_assert_eq(c.st.status, LK_CONV_BOT);
        cr_assert_eq(count_says(&c, LK_SENDER_BOT), 2);
        cr_assert_eq(nth_say(&c, 0)->article, i ? A_RETURN_EN : A_RETURN);
        cr_assert_eq(nth_say(&c, 1)->article, i ? A_DELIVERY_EN : A_DELIVERY);
        assert_hasnt(nth_say(&c, 0)->text, i ? "Did this help?" : "geholpen");
        assert_has(nth_say(&c, 1)->text, i ? "Did this help?" : "geholpen");
        cr_assert_eq(c.st.pending, LK_PENDING_FEEDBACK);
        conv_free(&c);

        /* one answered, one declined in the same turn, with a person offered */
        conv_init(&c, langs[i]);
        conv_say(&c, "x", rd_unknown(langs[i]));
        cr_assert_eq(c.st.consecutive_declines, 1);
        lk_nlu_reading_t u = rd_unknown(langs[i]);
        const char *t2 = "Hoe retourneer ik?\nWat is de zin van het leven?";
        lk_policy_part_t p2[] = {{t2, 18, &r0}, {t2 + 19, 28, &u}};
        conv_parts(&c, t2, p2, 2);
        cr_assert_eq(c.st.status, LK_CONV_BOT, "no hand-off: the person is offered");
        cr_assert_null(find_action(&c, LK_ACTION_HANDOFF));
        cr_assert_eq(count_says(&c, LK_SENDER_BOT), 2);
        cr_assert_eq(nth_say(&c, 0)->kind, LK_SAY_ANSWER);
        assert_hasnt(nth_say(&c, 0)->text, i ? "Did this help?" : "geholpen");
        const lk_policy_action_t *d = nth_say(&c, 1);
        cr_assert_eq(d->kind, LK_SAY_DECLINE);
        cr_assert_eq(d->article, -1);
        assert_has(d->text, "'Wat is de zin van het leven?'");
        assert_has(d->text, i ? "I don't have an answer to this question" : "Op deze vraag weet ik geen antwoord");
        assert_has(d->text, i ? "person" : "medewerker");
        cr_assert_eq(c.st.pending, LK_PENDING_OFFER);
        cr_assert_eq(c.st.consecutive_declines, 1, "the declined part is one failure, the answered one resets");
        /* "ja" to that offer hands over */
        conv_say(&c, i ? "yes" : "ja", rd_unknown(langs[i]));
        assert_handoff(&c, LK_HANDOFF_CUSTOMER_REQUEST);
        conv_free(&c);
    }
    /* two declined parts named in one message; one article asked twice answered once */
    conv_t c;
    conv_init(&c, "nl");
    lk_nlu_reading_t k = rd_known(A_RETURN, 0.9, "nl"), u = rd_unknown("nl");
    const char *t = "a? b? c? d?";
    lk_policy_part_t p[] = {{t, 2, &k}, {t + 3, 2, &u}, {t + 6, 2, &k}, {t + 9, 2, &u}};
    conv_parts(&c, t, p, 4);
    cr_assert_eq(count_says(&c, LK_SENDER_BOT), 2);
    assert_has(nth_say(&c, 1)->text, "Op deze vragen weet ik geen antwoord: 'b?', 'd?'.");
    conv_free(&c);
    /* no part answered: the message as a whole, as before (a decline) */
    conv_init(&c, "nl");
    lk_policy_part_t q[] = {{t, 2, &u}, {t + 3, 2, &u}};
    conv_parts(&c, t, q, 2);
    cr_assert_eq(count_says(&c, LK_SENDER_BOT), 1);
    cr_assert_eq(nth_say(&c, 0)->kind, LK_SAY_DECLINE);
    cr_assert_eq(c.st.consecutive_declines, 1);
    conv_free(&c);
    /* a sensitive part goes to a person */
    conv_init(&c, "nl");
    lk_nlu_reading_t s = rd_known(A_BEREAVEMENT, 0.9, "nl");
    lk_policy_part_t sp[] = {{t, 2, &k}, {t + 3, 2, &s}};
    conv_parts(&c, t, sp, 2);
    assert_handoff(&c, LK_HANDOFF_SENSITIVE_TOPIC);
    cr_assert_eq(count_says(&c, LK_SENDER_BOT), 0);
    conv_free(&c);
    /* a long declined part is cut at a character boundary */
    conv_init(&c, "nl");
    char longq[400];
    memset(longq, 'a', sizeof longq);
    memcpy(longq + 198, "\xC3\xA9", 2); /* é across the cut */
    lk_policy_part_t lp[] = {{t, 2, &k}, {longq, sizeof longq, &u}};
    conv_parts(&c, t, lp, 2);
    const char *dt = nth_say(&c, 1)->text;
    cr_assert(lk_utf8_valid(dt, strlen(dt)));
    assert_has(dt, "...'");
    conv_free(&c);
}

/* Two questions split the NLU's probability mass: neither match need reach
 * the answer threshold on its own. */
static lk_nlu_reading_t rd_pair(long a0, double c0, long a1, double c1, long a2, double c2, const char *lang)
{
    lk_nlu_reading_t r = rd_lang(lang);
    r.top[0] = (lk_nlu_match_t){a0, c0};
    r.top[1] = (lk_nlu_match_t){a1, c1};
    r.top[2] = (lk_nlu_match_t){a2, c2};
    r.n_top = 3;
    r.answer = c0 >= 0.5;
    r.signals.multi_question = 0.85;
    return r;
}

Test(rules, several_questions_with_a_shared_confidence)
{
    const char *langs[] = {"nl", "en"};
    for (int i = 0; i < 2; i++) {
        bool en = i == 1;
        /* 0.42 + 0.30 together, the second strong next to the first, the third weak: both */
        conv_t c;
        conv_init(&c, langs[i]);
        conv_say(&c, en ? "How do I return it? And how long is delivery?" : "Hoe retourneer ik? En de levertijd?",
                 rd_pair(A_RETURN, 0.42, A_DELIVERY, 0.30, A_PAYMENT, 0.03, langs[i]));
        cr_assert_eq(c.st.status, LK_CONV_BOT);
        cr_assert_eq(count_says(&c, LK_SENDER_BOT), 2);
        cr_assert_eq(nth_say(&c, 0)->article, en ? A_RETURN_EN : A_RETURN);
        cr_assert_eq(nth_say(&c, 1)->article, en ? A_DELIVERY_EN : A_DELIVERY);
        cr_assert_float_eq(nth_say(&c, 0)->confidence, 0.42, 1e-9);
        cr_assert_float_eq(nth_say(&c, 1)->confidence, 0.30, 1e-9);
        assert_has(nth_say(&c, 1)->text, en ? "Did this help?" : "geholpen");
        cr_assert_eq(c.st.pending, LK_PENDING_FEEDBACK);
        cr_assert_eq(c.st.last_article, A_RETURN);
        conv_free(&c);

        /* the third as strong as the second: no clear second question; a person */
        conv_init(&c, langs[i]);
        conv_say(&c, "?", rd_pair(A_RETURN, 0.42, A_DELIVERY, 0.30, A_PAYMENT, 0.2, langs[i]));
        assert_handoff(&c, LK_HANDOFF_COMPLEX);
        cr_assert_eq(count_says(&c, LK_SENDER_BOT), 0, "the NLU answers neither on its own");
        conv_free(&c);

        /* one clear topic and a weak rest: the answer, then a person */
        conv_init(&c, langs[i]);
        conv_say(&c, "?", rd_pair(A_RETURN, 0.9, A_DELIVERY, 0.15, A_PAYMENT, 0.01, langs[i]));
        cr_assert_eq(count_says(&c, LK_SENDER_BOT), 1);
        cr_assert_eq(nth_say(&c, 0)->article, en ? A_RETURN_EN : A_RETURN);
        assert_handoff(&c, LK_HANDOFF_COMPLEX);
        conv_free(&c);

        /* together not sure enough (0.25 + 0.2 < 0.5): a person */
        conv_init(&c, langs[i]);
        conv_say(&c, "?", rd_pair(A_RETURN, 0.25, A_DELIVERY, 0.2, A_PAYMENT, 0.01, langs[i]));
        assert_handoff(&c, LK_HANDOFF_COMPLEX);
        cr_assert_eq(count_says(&c, LK_SENDER_BOT), 0);
        conv_free(&c);

        /* one article in two languages is one answer, not two */
        conv_init(&c, langs[i]);
        conv_say(&c, "?", rd_pair(A_RETURN, 0.5, A_RETURN_EN, 0.45, A_PAYMENT, 0.01, langs[i]));
        cr_assert_eq(count_says(&c, LK_SENDER_BOT), 1);
        assert_handoff(&c, LK_HANDOFF_COMPLEX);
        conv_free(&c);

        /* a sensitive second question: a person, no article quoted */
        conv_init(&c, langs[i]);
        conv_say(&c, "?", rd_pair(A_RETURN, 0.45, A_BEREAVEMENT, 0.3, A_PAYMENT, 0.02, langs[i]));
        assert_handoff(&c, LK_HANDOFF_SENSITIVE_TOPIC);
        cr_assert_eq(count_says(&c, LK_SENDER_BOT), 0);
        conv_free(&c);

        /* the options decide: a stricter ratio hands the first case over */
        conv_init(&c, langs[i]);
        cr_assert_eq(lk_policy_config_set(&c.cfg, "second_answer_ratio", "0.8"), 0);
        conv_say(&c, "?", rd_pair(A_RETURN, 0.42, A_DELIVERY, 0.30, A_PAYMENT, 0.03, langs[i]));
        assert_handoff(&c, LK_HANDOFF_COMPLEX);
        conv_free(&c);
        /* and without the signal it is one question: the NLU declines it */
        conv_init(&c, langs[i]);
        lk_nlu_reading_t one = rd_pair(A_RETURN, 0.42, A_DELIVERY, 0.30, A_PAYMENT, 0.03, langs[i]);
        one.signals.multi_question = 0;
        conv_say(&c, "?", one);
        cr_assert_eq(nth_say(&c, 0)->kind, LK_SAY_DECLINE);
        conv_free(&c);
    }
}

/* ---- after the hand-off --------------------------------------------------- */

Test(rules, queued_and_assigned_the_bot_is_silent)
{
    conv_t c;
    conv_init(&c, "nl");
    conv_type(&c, LK_EV_BUTTON);
    /* questions it could answer: still no bot */
    for (int i = 0; i < 5; i++) {
        conv_say(&c, "Hoe kan ik retourneren?", rd_known(A_RETURN, 0.95, "nl"));
        cr_assert_eq(count_says(&c, LK_SENDER_BOT), 0);
        cr_assert_eq(c.st.status, LK_CONV_QUEUED);
    }
    /* the position changed: told */
    c.env.queue_length = 0;
    conv_say(&c, "nog iets", rd_unknown("nl"));
    cr_assert_eq(count_says(&c, LK_SENDER_SYSTEM), 1);
    assert_has(nth_say(&c, 0)->text, "nummer 1");
    /* same position: quiet for a while, then a reminder */
    conv_say(&c, "hallo?", rd_unknown("nl"));
    cr_assert_eq(c.acts.n, 0);
    conv_say(&c, "hallo??", rd_unknown("nl"));
    cr_assert_eq(c.acts.n, 0);
    conv_say(&c, "hallo???", rd_unknown("nl"));
    cr_assert_eq(count_says(&c, LK_SENDER_SYSTEM), 1);
    /* asking for a person again: answered with where they stand */
    lk_nlu_reading_t p = rd_unknown("nl");
    p.signals.person_request = 0.9;
    conv_say(&c, "medewerker!", p);
    cr_assert_eq(count_says(&c, LK_SENDER_SYSTEM), 1);
    cr_assert_null(find_action(&c, LK_ACTION_HANDOFF));

    conv_event(&c, (lk_policy_event_t){.type = LK_EV_AGENT_JOINS, .agent_name = "Sanne"});
    cr_assert_eq(c.st.status, LK_CONV_ASSIGNED);
    assert_has(nth_say(&c, 0)->text, "Sanne");
    cr_assert_eq(nth_say(&c, 0)->sender, LK_SENDER_SYSTEM);
    lk_nlu_reading_t all = rd_known(A_RETURN, 0.99, "nl");
    all.signals.person_request = 1;
    all.signals.bot_question = 1;
    all.signals.negative = 1;
    conv_say(&c, "ben je een bot", all);
    cr_assert_eq(c.acts.n, 0, "nothing while assigned");
    conv_type(&c, LK_EV_TICK);
    cr_assert_eq(c.acts.n, 0);
    conv_free(&c);
}

Test(rules, queued_button_adds_no_noise)
{
    const char *langs[] = {"nl", "en"};
    for (int i = 0; i < 2; i++) {
        bool en = i == 1;
        conv_t c;
        conv_init(&c, langs[i]);
        conv_type(&c, LK_EV_BUTTON);
        assert_handoff(&c, LK_HANDOFF_BUTTON);
        /* pressed again and again right after: the notice above still says it */
        for (int k = 0; k < 3; k++) {
            conv_type(&c, LK_EV_BUTTON);
            cr_assert_eq(c.acts.n, 0, "press %d added a notice", k);
            cr_assert_eq(c.st.status, LK_CONV_QUEUED);
        }
        /* after the customer's own messages: one reminder, then quiet again */
        conv_say(&c, en ? "is anyone there?" : "is er al iemand?", rd_unknown(langs[i]));
        cr_assert_eq(c.acts.n, 0);
        conv_type(&c, LK_EV_BUTTON);
        cr_assert_eq(count_says(&c, LK_SENDER_SYSTEM), 1);
        cr_assert_eq(nth_say(&c, 0)->kind, LK_SAY_QUEUE_NOTICE);
        assert_has(nth_say(&c, 0)->text, en ? "number 3 in the queue" : "nummer 3 in de wachtrij");
        conv_type(&c, LK_EV_BUTTON);
        cr_assert_eq(c.acts.n, 0);
        /* the place changed: told at once */
        c.env.queue_length = 1;
        conv_type(&c, LK_EV_BUTTON);
        assert_has(nth_say(&c, 0)->text, en ? "number 2 in the queue" : "nummer 2 in de wachtrij");
        conv_type(&c, LK_EV_BUTTON);
        cr_assert_eq(c.acts.n, 0);
        /* everyone logs out: told once, with the call-back offer */
        c.env.agents_online = 0;
        conv_type(&c, LK_EV_BUTTON);
        assert_has(nth_say(&c, 0)->text, en ? "No one from our team is online" : "geen medewerker online");
        conv_type(&c, LK_EV_BUTTON);
        cr_assert_eq(c.acts.n, 0);
        conv_say(&c, en ? "it is about my order" : "het gaat om mijn bestelling", rd_unknown(langs[i]));
        cr_assert_eq(nth_say(&c, 0)->kind, LK_SAY_CALLBACK_NOTICE);
        conv_type(&c, LK_EV_BUTTON);
        cr_assert_eq(count_says(&c, LK_SENDER_SYSTEM), 1);
        assert_has(nth_say(&c, 0)->text, en ? "phone number" : "telefoonnummer");
        conv_type(&c, LK_EV_BUTTON);
        cr_assert_eq(c.acts.n, 0);
        cr_assert_eq(count_says(&c, LK_SENDER_BOT), 0);
        conv_free(&c);
    }
}

Test(rules, agent_notices_en)
{
    conv_t c;
    conv_init(&c, "en");
    conv_type(&c, LK_EV_BUTTON);
    conv_event(&c, (lk_policy_event_t){.type = LK_EV_AGENT_JOINS, .agent_name = "Sam"});
    assert_has(nth_say(&c, 0)->text, "Sam from our team is taking over");
    conv_type(&c, LK_EV_AGENT_LEAVES);
    cr_assert_eq(c.st.status, LK_CONV_QUEUED);
    assert_has(nth_say(&c, 0)->text, "back in the queue");
    conv_event(&c, (lk_policy_event_t){.type = LK_EV_AGENT_JOINS});
    assert_has(nth_say(&c, 0)->text, "A person from our team is taking over");
    conv_type(&c, LK_EV_CLOSE);
    cr_assert_eq(c.st.status, LK_CONV_CLOSED);
    cr_assert_eq(nth_say(&c, 0)->kind, LK_SAY_CLOSED_NOTICE);
    conv_type(&c, LK_EV_CLOSE);
    cr_assert_eq(c.acts.n, 0);
    conv_free(&c);
}

Test(rules, a_reopened_conversation_starts_fresh)
{
    conv_t c;
    conv_init(&c, "nl");
    conv_say(&c, "?", rd_unknown("nl"));
    lk_nlu_reading_t a = rd_unknown("nl");
    a.signals.negative = 1;
    conv_say(&c, "grr", a);
    conv_type(&c, LK_EV_AGENT_JOINS);
    conv_type(&c, LK_EV_CLOSE);
    conv_say(&c, "Hoe kan ik retourneren?", rd_known(A_RETURN, 0.9, "nl"));
    cr_assert_eq(c.st.status, LK_CONV_BOT);
    cr_assert_eq(c.st.handoff_reason, LK_HANDOFF_NONE);
    cr_assert_null(find_action(&c, LK_ACTION_HANDOFF), "no replayed hand-off");
    cr_assert_eq(nth_say(&c, 0)->kind, LK_SAY_GREETING);
    cr_assert_eq(nth_say(&c, 1)->kind, LK_SAY_ANSWER);
    cr_assert_eq(c.st.consecutive_declines, 0);
    cr_assert_eq(c.st.customer_turns, 1);
    conv_free(&c);
}

/* ---- outside business hours, no agents online ------------------------------ */

/* A conversation in lang under office_cfg() on Saturday 22:00 with no agent
 * online, in which the customer has just pressed "talk to a person". */
static void conv_button_after_hours(conv_t *c, const char *lang)
{
    conv_init(c, lang);
    c->cfg = office_cfg();
    c->env.now_ms = SATURDAY_22;
    c->env.agents_online = 0;
    conv_type(c, LK_EV_BUTTON);
}

Test(rules, after_hours_queues_and_offers_a_call_back_nl)
{
    conv_t c;
    conv_button_after_hours(&c, "nl");
    assert_handoff(&c, LK_HANDOFF_BUTTON);
    const char *n = nth_say(&c, 0)->text;
    assert_has(n, "er nu niet");
    assert_has(n, "Ze zijn er op maandag 9 maart weer vanaf 09:00.");
    assert_has(n, "telefoonnummer of e-mailadres");
    assert_hasnt(n, "nummer 3");
    cr_assert(c.st.away);
    /* a message without contact details: asked for them, once */
    conv_say(&c, "Mijn pakket is kapot aangekomen", rd_unknown("nl"));
    cr_assert_eq(nth_say(&c, 0)->kind, LK_SAY_CALLBACK_NOTICE);
    conv_say(&c, "Het gaat om bestelling 4411", rd_unknown("nl"));
    cr_assert_eq(c.acts.n, 0);
    /* a phone number: a call-back request, confirmed */
    conv_say(&c, "Bel me op 06-12345678 aub", rd_unknown("nl"));
    const lk_policy_action_t *cb = find_action(&c, LK_ACTION_CALLBACK_REQUEST);
    cr_assert(cb);
    cr_assert_str_eq(cb->contact, "06-12345678");
    cr_assert_str_eq(cb->text, "Bel me op 06-12345678 aub");
    cr_assert(c.acts.items[0].type == LK_ACTION_CALLBACK_REQUEST, "stored before it is confirmed");
    assert_has(nth_say(&c, 0)->text, "06-12345678");
    cr_assert_eq(c.st.callbacks, 1);
    cr_assert_eq(count_says(&c, LK_SENDER_BOT), 0);
    conv_free(&c);
}

Test(rules, after_hours_call_back_by_email_en)
{
    conv_t c;
    conv_init(&c, "en");
    c.cfg = office_cfg();
    c.env.now_ms = utc_ms(2026, 3, 2, 18, 0); /* Monday 19:00 */
    lk_nlu_reading_t r = rd_unknown("en");
    r.signals.person_request = 0.9;
    conv_say(&c, "human please", r);
    assert_handoff(&c, LK_HANDOFF_CUSTOMER_REQUEST);
    assert_has(nth_say(&c, 0)->text, "They are back tomorrow from 09:00.");
    assert_has(nth_say(&c, 0)->text, "phone number or e-mail");
    conv_say(&c, "Please mail me at jan.jansen@example.nl.", rd_unknown("en"));
    const lk_policy_action_t *cb = find_action(&c, LK_ACTION_CALLBACK_REQUEST);
    cr_assert(cb);
    cr_assert_str_eq(cb->contact, "jan.jansen@example.nl");
    assert_has(nth_say(&c, 0)->text, "Thank you");
    conv_free(&c);
}

Test(rules, later_today_and_far_away)
{
    conv_t c;
    conv_init(&c, "nl");
    c.cfg = office_cfg();
    cr_assert_eq(lk_policy_hours_parse("ma-vr 13:00-17:00", &c.cfg), 0);
    conv_type(&c, LK_EV_BUTTON); /* Monday 10:00 */
    assert_has(nth_say(&c, 0)->text, "Ze zijn er vandaag weer vanaf 13:00.");
    conv_free(&c);
    conv_init(&c, "en");
    c.cfg = office_cfg();
    cr_assert_eq(lk_policy_holidays_parse("2026-03-02 2026-03-03 2026-03-04 2026-03-05 2026-03-06 2026-03-09", &c.cfg),
                 0);
    conv_type(&c, LK_EV_BUTTON);
    assert_has(nth_say(&c, 0)->text, "on 10 March 2026 from 09:00");
    conv_free(&c);
}

Test(rules, no_agent_online_in_hours)
{
    conv_t c;
    conv_init(&c, "nl");
    c.env.agents_online = 0;
    conv_type(&c, LK_EV_BUTTON);
    assert_handoff(&c, LK_HANDOFF_BUTTON);
    assert_has(nth_say(&c, 0)->text, "geen medewerker online");
    assert_has(nth_say(&c, 0)->text, "telefoonnummer");
    /* an agent logs in: the customer hears it on the next tick */
    c.env.agents_online = 1;
    conv_type(&c, LK_EV_TICK);
    cr_assert_eq(nth_say(&c, 0)->kind, LK_SAY_QUEUE_NOTICE);
    assert_has(nth_say(&c, 0)->text, "weer een medewerker beschikbaar");
    assert_has(nth_say(&c, 0)->text, "nummer 3");
    cr_assert_not(c.st.away);
    /* nothing changed: silent tick */
    conv_type(&c, LK_EV_TICK);
    cr_assert_eq(c.acts.n, 0);
    /* moved up: told */
    c.env.queue_length = 1;
    conv_type(&c, LK_EV_TICK);
    assert_has(nth_say(&c, 0)->text, "nummer 2");
    /* everyone logs out */
    c.env.agents_online = 0;
    conv_type(&c, LK_EV_TICK);
    assert_has(nth_say(&c, 0)->text, "geen medewerker online");
    cr_assert(c.st.away);
    conv_free(&c);
}

Test(rules, unknown_agent_count_counts_as_available)
{
    conv_t c;
    conv_init(&c, "nl");
    c.env.agents_online = -1;
    conv_type(&c, LK_EV_BUTTON);
    assert_has(nth_say(&c, 0)->text, "nummer 3");
    conv_free(&c);
}

Test(rules, contact_detection)
{
    struct {
        const char *text, *contact;
    } cases[] = {
        {"mijn nummer is +31 6 1234 5678.", "+31 6 1234 5678"},
        {"(020) 123-4567 graag", "(020) 123-4567"},
        {"bel 0612345678", "0612345678"},
        {"mail a.b-c@mail.example.com!", "a.b-c@mail.example.com"},
        {"order 12345 op 2026-03-02", NULL},
        {"je@mail", NULL},
        {"@example.com", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        conv_t c;
        conv_init(&c, "nl");
        c.env.agents_online = 0;
        conv_type(&c, LK_EV_BUTTON);
        conv_say(&c, cases[i].text, rd_unknown("nl"));
        const lk_policy_action_t *cb = find_action(&c, LK_ACTION_CALLBACK_REQUEST);
        if (cases[i].contact) {
            cr_assert(cb, "no contact found in %s", cases[i].text);
            cr_assert_str_eq(cb->contact, cases[i].contact);
        } else {
            cr_assert_null(cb, "contact found in %s", cases[i].text);
        }
        conv_free(&c);
    }
}

/* ---- the exhaustive state test ------------------------------------------ */

/* Every sequence of up to DEPTH events from the alphabet of issue 4 (and a
 * bare "ok", added with the closings), after the greeting, in Dutch and (to
 * a smaller depth) in English. "Time passes" toggles between Monday 10:00
 * with agents online and Saturday night with none; the configuration has
 * office hours, so both paths are walked. */

enum {
    X_KNOWN,
    X_UNKNOWN,
    X_PERSON,
    X_BUTTON,
    X_ANGER,
    X_COMPLAINT,
    X_BOTQ,
    X_REPEAT,
    X_JOIN,
    X_LEAVE,
    X_CLOSE,
    X_TIME,
    X_OK, /* a bare "oké" / "ok" (added with the closings) */
    /* added by issue 15: choices and several questions */
    X_ASK,   /* a message the NLU is unsure about: two close articles */
    X_PICK,  /* the customer picks one of the choices last offered (only after an offer) */
    X_NONE,  /* "geen van deze" / "none of these" */
    X_PARTS, /* two questions: one the NLU answers, one it does not */
    X__N
};

typedef struct {
    lk_policy_state_t st;
    bool in_hours;
    int declines_in_row; /* bot declines since the last answer or hand-off */
    int last_q;          /* X_KNOWN, X_UNKNOWN or -1 */
    long offered;        /* an article of the last choices offered, -1 none (the API refuses a pick then) */
} node_t;

typedef struct {
    lk_policy_config_t cfg;
    const char *lang;
    uint64_t steps;
    /* distinct states already round-tripped through encode/decode */
    lk_policy_state_t *seen;
    size_t seen_cap, seen_n;
} walk_t;

static bool state_same(const lk_policy_state_t *a, const lk_policy_state_t *b)
{
    return a->status == b->status && a->handoff_reason == b->handoff_reason &&
           strcmp(a->language, b->language) == 0 && a->consecutive_declines == b->consecutive_declines &&
           a->customer_turns == b->customer_turns && a->repeats == b->repeats && a->pending == b->pending &&
           a->last_article == b->last_article && a->away == b->away && a->callback_hinted == b->callback_hinted &&
           a->callbacks == b->callbacks && a->notice_pos == b->notice_pos && a->quiet_msgs == b->quiet_msgs;
}

static uint64_t state_hash(const lk_policy_state_t *s)
{
    int64_t f[] = {s->status,      s->handoff_reason, s->consecutive_declines, s->customer_turns,
                   s->repeats,     s->pending,        s->last_article,         s->away,
                   s->callback_hinted, s->callbacks,  s->notice_pos,           s->quiet_msgs,
                   s->language[0], s->language[1]};
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        h = (h ^ (uint64_t)f[i]) * 1099511628211ULL;
    return h;
}

/* Round-trips each distinct state once (the walk meets few distinct states
 * many times). */
static void check_round_trip_once(walk_t *w, const lk_policy_state_t *st)
{
    if (w->seen_n * 2 >= w->seen_cap) {
        size_t cap = w->seen_cap ? w->seen_cap * 2 : 4096;
        lk_policy_state_t *t = calloc(cap, sizeof *t);
        bool *used = calloc(cap, 1);
        for (size_t i = 0; i < w->seen_cap; i++) {
            if (w->seen[i].language[0] == '\0')
                continue;
            size_t j = state_hash(&w->seen[i]) & (cap - 1);
            while (used[j])
                j = (j + 1) & (cap - 1);
            t[j] = w->seen[i];
            used[j] = true;
        }
        free(used);
        free(w->seen);
        w->seen = t;
        w->seen_cap = cap;
    }
    size_t j = state_hash(st) & (w->seen_cap - 1);
    while (w->seen[j].language[0] != '\0') {
        if (state_same(&w->seen[j], st))
            return;
        j = (j + 1) & (w->seen_cap - 1);
    }
    assert_round_trip(st);
    w->seen[j] = *st;
    w->seen_n++;
}

static int64_t walk_open_ms, walk_closed_ms; /* set once per walk: timegm() is slow */

static lk_policy_env_t walk_env(const node_t *n)
{
    lk_policy_env_t env = {.now_ms = n->in_hours ? walk_open_ms : walk_closed_ms,
                           .agents_online = n->in_hours ? 2 : 0,
                           .queue_length = 2,
                           .est_wait_s = 180,
                           .kb = &kb};
    return env;
}

static lk_nlu_reading_t walk_reading(const walk_t *w, const node_t *n, int x, const char **text)
{
    bool en = strcmp(w->lang, "en") == 0;
    int q = x == X_REPEAT ? (n->last_q >= 0 ? n->last_q : X_KNOWN) : x;
    lk_nlu_reading_t r = (q == X_KNOWN) ? rd_known(en ? A_RETURN_EN : A_RETURN, 0.92, w->lang) : rd_unknown(w->lang);
    *text = q == X_KNOWN ? (en ? "How do I return something?" : "Hoe kan ik iets retourneren?")
                         : (en ? "What is the meaning of life?" : "Wat is de zin van het leven?");
    switch (x) {
    case X_PERSON:
        r.signals.person_request = 0.95;
        *text = en ? "I want to talk to a person" : "Ik wil een medewerker spreken";
        break;
    case X_ANGER:
        r.signals.negative = 0.9;
        *text = en ? "This is ridiculous!!" : "Dit is echt belachelijk!!";
        break;
    case X_COMPLAINT:
        r.signals.complaint = 0.9;
        *text = en ? "I want to file a complaint" : "Ik wil een klacht indienen";
        break;
    case X_BOTQ:
        r.signals.bot_question = 0.95;
        *text = en ? "Am I talking to a robot?" : "Ben ik met een robot aan het praten?";
        break;
    case X_REPEAT:
        r.signals.repeat = 0.95;
        break;
    case X_OK:
        *text = en ? "ok" : "oké";
        break;
    case X_ASK:
        r = rd_lang(w->lang);
        r.top[0] = (lk_nlu_match_t){A_DELIVERY, 0.3};
        r.top[1] = (lk_nlu_match_t){A_PAYMENT, 0.28};
        r.n_top = 2;
        r.ask = true;
        r.n_choices = 2;
        *text = en ? "my package" : "mijn pakket";
        break;
    case X_NONE:
        *text = en ? "None of these" : "Geen van deze";
        break;
    default:
        break;
    }
    return r;
}

static void check_step(const walk_t *w, const node_t *n, int x, const lk_policy_state_t *next,
                       const lk_policy_actions_t *acts, node_t *child)
{
    lk_conv_status_t before = n->st.status;
    const lk_policy_action_t *handoff = NULL;
    int declines = 0, answers = 0, greetings = 0, offers = 0, chosen = 0;
    for (size_t i = 0; i < acts->n; i++) {
        const lk_policy_action_t *a = &acts->items[i];
        cr_assert_neq(a->type, LK_ACTION_CALLBACK_REQUEST, "no contact details were given");
        if (a->type == LK_ACTION_HANDOFF) {
            cr_assert_null(handoff, "at most one hand-off a step");
            handoff = a;
            cr_assert_neq(a->reason, LK_HANDOFF_NONE);
            continue;
        }
        /* Every message is the bot's or a system notice: automated by construction. */
        cr_assert(a->sender == LK_SENDER_BOT || a->sender == LK_SENDER_SYSTEM, "sender %d", (int)a->sender);
        cr_assert(a->text && a->text[0] && lk_utf8_valid(a->text, strlen(a->text)));
        if (a->sender == LK_SENDER_BOT) {
            /* No bot message at all while queued or assigned. */
            cr_assert(before == LK_CONV_BOT || before == LK_CONV_CLOSED, "bot spoke while %s (event %d)",
                      lk_conv_status_name(before), x);
            cr_assert(a->kind == LK_SAY_GREETING || a->kind == LK_SAY_ANSWER || a->kind == LK_SAY_DECLINE ||
                      a->kind == LK_SAY_DISCLOSURE || a->kind == LK_SAY_REPLY || a->kind == LK_SAY_CHOICES);
            cr_assert(!handoff, "the bot never speaks after handing over");
        } else {
            cr_assert(a->kind >= LK_SAY_HANDOFF_NOTICE && a->kind <= LK_SAY_CLOSED_NOTICE);
            cr_assert(before != LK_CONV_ASSIGNED || x == X_JOIN || x == X_LEAVE || x == X_CLOSE,
                      "a notice while assigned (event %d)", x);
        }
        if (a->kind == LK_SAY_ANSWER) {
            cr_assert(a->article >= 0 && (size_t)a->article < kb.n_articles);
            answers++;
        } else {
            cr_assert_eq(a->article, -1);
        }
        if (a->kind == LK_SAY_DECLINE)
            declines++;
        /* An offer: two or three different articles, and no article quoted. */
        if (a->kind == LK_SAY_CHOICES) {
            cr_assert(a->n_choices >= 2 && a->n_choices <= LK_NLU_TOP_K);
            for (size_t k = 0; k < a->n_choices; k++) {
                cr_assert(a->choices[k] >= 0 && (size_t)a->choices[k] < kb.n_articles);
                cr_assert_neq(a->choices[k], A_BEREAVEMENT, "a sensitive article offered");
                for (size_t j = 0; j < k; j++)
                    cr_assert_neq(a->choices[j], a->choices[k]);
            }
            offers++;
            child->offered = a->choices[0];
        } else {
            cr_assert_eq(a->n_choices, 0);
        }
        if (a->chosen) {
            cr_assert_eq(a->kind, LK_SAY_ANSWER);
            chosen++;
        }
        if (a->kind == LK_SAY_GREETING)
            greetings++;
        if (a->kind == LK_SAY_HANDOFF_NOTICE) {
            cr_assert(handoff, "a hand-off notice follows the hand-off");
            if (n->in_hours)
                cr_assert(contains(a->text, "3") && contains(a->text, strcmp(w->lang, "en") ? "minuten" : "minutes"),
                          "position and wait: %s", a->text);
            else
                cr_assert(contains(a->text, strcmp(w->lang, "en") ? "telefoonnummer" : "phone number"),
                          "after hours: call-back offer: %s", a->text);
        }
    }
    /* A person request or the button: queued or assigned in this step. */
    if (x == X_PERSON || x == X_BUTTON)
        cr_assert(next->status == LK_CONV_QUEUED || next->status == LK_CONV_ASSIGNED, "event %d left it %s", x,
                  lk_conv_status_name(next->status));
    /* A hand-off moves into queued, and only from the bot (or a reopened conversation). */
    if (handoff) {
        cr_assert(before == LK_CONV_BOT || before == LK_CONV_CLOSED);
        cr_assert_eq(next->status, LK_CONV_QUEUED);
        cr_assert_eq(next->handoff_reason, handoff->reason);
        cr_assert(acts->items[acts->n - 1].kind == LK_SAY_HANDOFF_NOTICE, "the notice comes last");
    }
    if (before == LK_CONV_BOT && next->status == LK_CONV_QUEUED)
        cr_assert(handoff, "queued without a hand-off action");
    if (x == X_PERSON && handoff)
        cr_assert_eq(handoff->reason, LK_HANDOFF_CUSTOMER_REQUEST);
    if (x == X_BUTTON && handoff)
        cr_assert_eq(handoff->reason, LK_HANDOFF_BUTTON);
    if (x == X_COMPLAINT && before == LK_CONV_BOT)
        cr_assert(handoff && handoff->reason == LK_HANDOFF_COMPLAINT);
    if (x == X_ANGER && before == LK_CONV_BOT)
        cr_assert(handoff && handoff->reason == LK_HANDOFF_NEGATIVE_SENTIMENT);
    /* A bare "ok" is never a question to decline or answer, never a failure,
     * and hands over only as the yes to the bot's offer of a person. */
    if (x == X_OK) {
        cr_assert(declines == 0 && answers == 0, "\"ok\" was declined or answered");
        cr_assert(!handoff || (before == LK_CONV_BOT && n->st.pending == LK_PENDING_OFFER &&
                               handoff->reason == LK_HANDOFF_CUSTOMER_REQUEST),
                  "\"ok\" handed over without the offer of a person");
        if (before == LK_CONV_BOT && !handoff)
            cr_assert_eq(next->consecutive_declines, n->st.consecutive_declines, "\"ok\" counted as a failure");
    }
    /* Choices (issue 15). An offer leaves the bot waiting for a pick; the
     * first offer is neither an answer nor a failure, one right after an
     * offer is a failure; a pick is answered, marked chosen, and resets the
     * failures; "none of these" to an offer hands over. Only a pick is ever
     * marked chosen. */
    cr_assert(offers <= 1);
    if (offers) {
        cr_assert(x == X_ASK, "an offer without an unsure reading (event %d)", x);
        cr_assert_eq(next->pending, LK_PENDING_CHOICE);
        cr_assert_null(handoff);
        int was = before == LK_CONV_CLOSED ? 0 : n->st.consecutive_declines;
        bool again = before == LK_CONV_BOT && n->st.pending == LK_PENDING_CHOICE;
        cr_assert_eq(next->consecutive_declines, was + (again ? 1 : 0), "offer after %s: failures %d -> %d",
                     again ? "an offer" : "no offer", was, next->consecutive_declines);
    }
    if (x == X_ASK && (before == LK_CONV_CLOSED || (before == LK_CONV_BOT && !handoff)))
        cr_assert_eq(offers, 1, "unsure, yet no choices");
    if (x == X_ASK && before == LK_CONV_BOT && n->st.pending == LK_PENDING_CHOICE && !offers)
        cr_assert(handoff && handoff->reason == LK_HANDOFF_REPEATED_FAILURE, "a second offer neither made nor failed");
    cr_assert(chosen == 0 || x == X_PICK, "only a pick is answered as chosen");
    if (x == X_PICK && (before == LK_CONV_BOT || before == LK_CONV_CLOSED)) {
        cr_assert(chosen == 1 && answers == 1 && !handoff, "a pick is answered");
        cr_assert_eq(next->consecutive_declines, 0);
    }
    if (x == X_NONE && before == LK_CONV_BOT && n->st.pending == LK_PENDING_CHOICE)
        cr_assert(handoff && handoff->reason == LK_HANDOFF_LOW_CONFIDENCE, "\"none of these\" did not hand over");
    /* Two questions, one answerable: its answer and a decline of the other,
     * with a person offered, never a hand-off. */
    if (x == X_PARTS && before == LK_CONV_BOT) {
        cr_assert(answers == 1 && declines == 1 && !handoff, "parts: %d answers, %d declines", answers, declines);
        cr_assert_eq(next->pending, LK_PENDING_OFFER);
        cr_assert_eq(next->consecutive_declines, 1);
    }
    /* The button while queued says nothing when nothing changed since the
     * last notice (the walk's queue position is always 3). */
    if (x == X_BUTTON && before == LK_CONV_QUEUED && n->st.quiet_msgs == 0 && n->st.away == !n->in_hours &&
        (n->st.away || n->st.notice_pos == 3))
        cr_assert_eq(acts->n, 0, "the button repeated a notice");
    /* A reopened conversation greets again and never replays the old hand-off. */
    if (before == LK_CONV_CLOSED && (x <= X_BUTTON || (x >= X_ANGER && x <= X_REPEAT) || x >= X_OK)) {
        if (x == X_BUTTON)
            cr_assert_eq(next->handoff_reason, LK_HANDOFF_BUTTON);
        else
            cr_assert_eq(greetings, 1);
    }
    cr_assert(greetings == 0 || before == LK_CONV_CLOSED);
    /* Never two declines in a row without a hand-off. */
    child->declines_in_row = (before == LK_CONV_CLOSED) ? 0 : n->declines_in_row;
    if (answers || handoff || next->status != LK_CONV_BOT)
        child->declines_in_row = 0;
    child->declines_in_row += handoff ? 0 : declines;
    cr_assert(child->declines_in_row <= 1, "two declines in a row without a hand-off");
    cr_assert(declines == 0 || next->consecutive_declines <= w->cfg.max_consecutive_declines - 1);
}

/* One event x from node n: steps the policy, checks the step, fills child.
 * False when the event cannot happen there (a pick with nothing offered). */
static bool walk_step(walk_t *w, const node_t *n, int x, node_t *child)
{
    *child = *n;
    lk_policy_env_t env = walk_env(n);
    lk_policy_event_t ev = {.type = LK_EV_TICK};
    lk_nlu_reading_t r, pr[2];
    lk_policy_part_t parts[2];
    const char *text = NULL;
    switch (x) {
    case X_BUTTON:
        ev.type = LK_EV_BUTTON;
        break;
    case X_JOIN:
        ev.type = LK_EV_AGENT_JOINS;
        ev.agent_name = "Sanne";
        break;
    case X_LEAVE:
        ev.type = LK_EV_AGENT_LEAVES;
        break;
    case X_CLOSE:
        ev.type = LK_EV_CLOSE;
        break;
    case X_TIME:
        child->in_hours = !n->in_hours;
        env = walk_env(child);
        break;
    case X_PICK:
        if (n->offered < 0)
            return false; /* nothing offered: the API refuses the pick */
        r = rd_unknown(w->lang);
        text = "Levertijd";
        ev = (lk_policy_event_t){.type = LK_EV_MESSAGE,
                                 .text = text,
                                 .len = strlen(text),
                                 .reading = &r,
                                 .chosen = true,
                                 .choice = n->offered};
        break;
    case X_PARTS: {
        bool en = strcmp(w->lang, "en") == 0;
        r = rd_unknown(w->lang);
        pr[0] = rd_known(en ? A_DELIVERY_EN : A_DELIVERY, 0.8, w->lang);
        pr[1] = rd_unknown(w->lang);
        text = en ? "When will it arrive? And what is the meaning of life?"
                  : "Wanneer komt het? En wat is de zin van het leven?";
        size_t cut = en ? 20 : 17;
        parts[0] = (lk_policy_part_t){text, cut, &pr[0]};
        parts[1] = (lk_policy_part_t){text + cut + 1, strlen(text) - cut - 1, &pr[1]};
        ev = (lk_policy_event_t){.type = LK_EV_MESSAGE,
                                 .text = text,
                                 .len = strlen(text),
                                 .reading = &r,
                                 .parts = parts,
                                 .n_parts = 2};
        break;
    }
    default:
        r = walk_reading(w, n, x, &text);
        ev = (lk_policy_event_t){.type = LK_EV_MESSAGE, .text = text, .len = strlen(text), .reading = &r};
        if (x == X_KNOWN || x == X_UNKNOWN)
            child->last_q = x;
        break;
    }
    lk_policy_actions_t acts;
    int rc = lk_policy_step(&w->cfg, &n->st, &ev, &env, &child->st, &acts);
    cr_assert_eq(rc, 0);
    w->steps++;
    check_step(w, n, x, &child->st, &acts, child);
    lk_policy_actions_free(&acts);
    check_round_trip_once(w, &child->st);
    return true;
}

static void walk(walk_t *w, const node_t *n, int depth)
{
    if (depth == 0)
        return;
    for (int x = 0; x < X__N; x++) {
        node_t child;
        if (walk_step(w, n, x, &child))
            walk(w, &child, depth - 1);
    }
}

/* The walk below a fixed first event, so Criterion runs the twelve subtrees
 * in parallel. */
static void exhaustive(const char *lang, int first, int depth, bool in_hours)
{
    walk_t w = {.lang = lang};
    w.cfg = office_cfg();
    walk_open_ms = MONDAY_10;
    walk_closed_ms = SATURDAY_22;
    node_t root = {.in_hours = in_hours, .declines_in_row = 0, .last_q = -1, .offered = -1};
    lk_policy_state_init(&root.st, lang);
    lk_policy_env_t env = walk_env(&root);
    lk_policy_event_t start = {.type = LK_EV_START};
    lk_policy_actions_t acts;
    cr_assert_eq(lk_policy_step(&w.cfg, &root.st, &start, &env, &root.st, &acts), 0);
    cr_assert_eq(acts.n, 1);
    cr_assert_eq(acts.items[0].kind, LK_SAY_GREETING);
    lk_policy_actions_free(&acts);
    node_t child;
    walk_step(&w, &root, first, &child);
    walk(&w, &child, depth - 1);
    cr_log_info("%s, first event %d: %llu steps, %zu distinct states", lang, first, (unsigned long long)w.steps,
                w.seen_n);
    free(w.seen);
}

#define EXHAUSTIVE(name, first)                                                                                    \
    Test(exhaustive, name##_nl, .init = kb_setup, .fini = kb_teardown)                                             \
    {                                                                                                              \
        exhaustive("nl", first, 6, true);                                                                          \
    }                                                                                                              \
    Test(exhaustive, name##_en_after_hours, .init = kb_setup, .fini = kb_teardown)                                 \
    {                                                                                                              \
        exhaustive("en", first, 5, false);                                                                         \
    }

EXHAUSTIVE(known, X_KNOWN)
EXHAUSTIVE(unknown, X_UNKNOWN)
EXHAUSTIVE(person, X_PERSON)
EXHAUSTIVE(button, X_BUTTON)
EXHAUSTIVE(anger, X_ANGER)
EXHAUSTIVE(complaint, X_COMPLAINT)
EXHAUSTIVE(bot_question, X_BOTQ)
EXHAUSTIVE(repeat, X_REPEAT)
EXHAUSTIVE(agent_joins, X_JOIN)
EXHAUSTIVE(agent_leaves, X_LEAVE)
EXHAUSTIVE(close, X_CLOSE)
EXHAUSTIVE(time_passes, X_TIME)
EXHAUSTIVE(ok, X_OK)
EXHAUSTIVE(ask, X_ASK)
EXHAUSTIVE(none_of_these, X_NONE)
EXHAUSTIVE(parts, X_PARTS)

/* ---- languages (issue 14) ------------------------------------------------ */

TestSuite(languages, .init = kb_setup, .fini = kb_teardown);

Test(languages, translation_group_links_versions_whatever_their_ids_and_tags)
{
    lk_kb_t k;
    lk_kb_init(&k);
    add_article(&k, "retour", "nl", "Retourneren", "NL antwoord", NULL, "returns");
    add_article(&k, "renvoyer", "fr", "Renvoyer", "Réponse FR", NULL, "autre-tag");
    add_article(&k, "zuruck", "de", "Zurücksenden", "Antwort DE", NULL, NULL);
    k.articles[1].translation_group = lk_xstrdup("retour"); /* the original names the group ... */
    k.articles[2].translation_group = lk_xstrdup("retour");
    const struct {
        const char *lang;
        long want;
        const char *text;
    } cases[] = {{"fr", 1, "Réponse FR"}, {"de", 2, "Antwort DE"}, {"nl", 0, "NL antwoord"}};
    for (size_t i = 0; i < 3; i++) {
        conv_t c;
        conv_init(&c, cases[i].lang);
        c.env.kb = &k;
        conv_say(&c, "?", rd_known(0, 0.9, cases[i].lang)); /* matched on the Dutch original */
        cr_assert_eq(nth_say(&c, 0)->article, cases[i].want, "%s", cases[i].lang);
        assert_has(nth_say(&c, 0)->text, cases[i].text);
        conv_free(&c);
    }
    /* ... and from a translation back to the original, which carries no group */
    cr_assert_eq(first_article(&k, "nl", "?", rd_known(1, 0.9, "nl")), 0);
    lk_kb_free(&k);
}

/* The widget's German and French "none of these" buttons (web/widget.js)
 * answer the bot's choices like "Geen van deze": a person takes over. */
Test(languages, none_of_these_in_german_and_french_hands_over)
{
    lk_kb_t k;
    lk_kb_init(&k);
    add_article(&k, "zuruck", "de", "Zurücksenden", "Antwort DE", NULL, NULL);
    add_article(&k, "lieferung", "de", "Lieferzeit", "Antwort DE 2", NULL, NULL);
    add_article(&k, "renvoyer", "fr", "Renvoyer", "Réponse FR", NULL, NULL);
    add_article(&k, "livraison", "fr", "Livraison", "Réponse FR 2", NULL, NULL);
    const struct {
        const char *lang;
        long a0, a1;
        const char *text;
    } cases[] = {{"de", 0, 1, "Nichts davon"}, {"de", 0, 1, "keins davon"},
                 {"fr", 2, 3, "Aucun de ces sujets"}, {"fr", 2, 3, "aucun"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        conv_t c;
        conv_init(&c, cases[i].lang);
        c.env.kb = &k;
        conv_say(&c, "?", rd_ask(cases[i].a0, 0.3, cases[i].a1, 0.28, cases[i].lang));
        cr_assert_eq(nth_say(&c, 0)->kind, LK_SAY_CHOICES, "choices offered in %s", cases[i].lang);
        conv_say(&c, cases[i].text, rd_unknown(cases[i].lang));
        cr_assert(find_action(&c, LK_ACTION_HANDOFF), "\"%s\" hands over", cases[i].text);
        cr_assert_eq(c.st.status, LK_CONV_QUEUED, "%s", cases[i].text);
        cr_assert_eq(c.st.handoff_reason, LK_HANDOFF_LOW_CONFIDENCE, "%s", cases[i].text);
        conv_free(&c);
    }
    lk_kb_free(&k);
}

Test(languages, no_version_in_the_customers_language_hands_over_in_it)
{
    const struct {
        const char *lang;
        const char *notice;
    } cases[] = {
        {"fr", "Je n'ai pas de réponse à cette question dans votre langue. Votre conversation est donc transmise à un "
               "conseiller. Vous êtes numéro 3 dans la file d'attente. L'attente prévue est d'environ 3 minutes."},
        {"de", "Darauf habe ich leider keine Antwort in Ihrer Sprache. Deshalb wird Ihr Gespräch an einen Mitarbeiter "
               "weitergegeben. Sie sind Nummer 3 in der Warteschlange. Die voraussichtliche Wartezeit beträgt etwa 3 "
               "Minuten."},
        {"en", "I have no answer to this in your language, so your conversation is being passed to a person from our "
               "team. You are number 3 in the queue. The expected wait is about 3 minutes."},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        conv_t c;
        conv_init(&c, cases[i].lang);
        conv_say(&c, "?", rd_known(A_PAYMENT, 0.9, cases[i].lang)); /* Dutch only */
        assert_handoff(&c, LK_HANDOFF_LANGUAGE);
        cr_assert_eq(count_says(&c, LK_SENDER_BOT), 0, "never the Dutch answer");
        assert_has(nth_say(&c, 0)->text, cases[i].notice);
        conv_free(&c);
    }
    /* a German customer with no match at all, in a KB without German: the
     * same, not a decline they cannot act on */
    conv_t c;
    conv_init(&c, "de");
    conv_say(&c, "Wo ist meine Bestellung?", rd_unknown("de"));
    assert_handoff(&c, LK_HANDOFF_LANGUAGE);
    conv_free(&c);
    /* an empty knowledge base is a plain decline, not a language gap */
    lk_kb_t empty;
    lk_kb_init(&empty);
    conv_init(&c, "de");
    c.env.kb = &empty;
    lk_nlu_reading_t r = rd_lang("de");
    conv_say(&c, "Wo ist meine Bestellung?", r);
    cr_assert_eq(nth_say(&c, 0)->kind, LK_SAY_DECLINE);
    assert_has(nth_say(&c, 0)->text, "Das weiß ich leider nicht.");
    conv_free(&c);
    lk_kb_free(&empty);
}

Test(languages, german_and_french_notices_after_hours)
{
    conv_t c;
    conv_button_after_hours(&c, "fr");
    assert_handoff(&c, LK_HANDOFF_BUTTON);
    assert_has(nth_say(&c, 0)->text, "Nos conseillers ne sont pas disponibles pour le moment. Ils sont de retour le "
                                     "lundi 9 mars à partir de 09h00.");
    conv_say(&c, "appelez-moi au 0612345678", rd_unknown("fr"));
    assert_has(nth_say(&c, 0)->text, "Merci. Votre message et vos coordonnées (0612345678)");
    conv_free(&c);
    conv_button_after_hours(&c, "de");
    assert_has(nth_say(&c, 0)->text, "Sie sind am Montag, 9. März ab 09:00 Uhr wieder da.");
    conv_type(&c, LK_EV_CLOSE);
    assert_has(nth_say(&c, 0)->text, "Dieses Gespräch ist beendet.");
    conv_free(&c);
}
