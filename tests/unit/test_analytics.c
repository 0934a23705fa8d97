/*
 * Unit tests for the pure analytics module (src/analytics/): local days and
 * range bounds in UTC and Europe/Amsterdam across summer time, nearest-rank
 * quantiles, what one conversation counts as (every definition of
 * docs/analytics.md on hand-made facts), the figures of a set and of the
 * agents, repeat contact, topic order and CSV cells.
 */
#include "analytics/analytics.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define H (3600LL * 1000)
#define MIN (60LL * 1000)

static int64_t at(const char *rfc3339)
{
    int64_t ms;
    cr_assert_eq(lk_time_parse_rfc3339(rfc3339, &ms), 0, "%s", rfc3339);
    return ms;
}

/* ---- time zones and days --------------------------------------------------- */

Test(analytics_days, utc_days_and_names)
{
    lk_analytics_tz_t tz;
    cr_assert_eq(lk_analytics_tz_parse("UTC", &tz), 0);
    int64_t t = at("2026-11-23T23:59:59.999Z");
    int64_t d = lk_analytics_day_of(&tz, t);
    char name[11];
    lk_analytics_day_name(d, name);
    cr_assert_str_eq(name, "2026-11-23");
    cr_assert_eq(lk_analytics_day_of(&tz, t + 1), d + 1);
    cr_assert_eq(lk_analytics_day_start(&tz, d), at("2026-11-23T00:00:00Z"));
    lk_analytics_day_name(0, name);
    cr_assert_str_eq(name, "1970-01-01");
    lk_analytics_day_name(lk_analytics_day_of(&tz, at("2028-02-29T12:00:00Z")), name);
    cr_assert_str_eq(name, "2028-02-29");
}

Test(analytics_days, amsterdam_follows_summer_time)
{
    lk_analytics_tz_t tz;
    cr_assert_eq(lk_analytics_tz_parse("Europe/Amsterdam", &tz), 0);
    /* winter: UTC+1, so 23:30 UTC is already the next local day */
    char name[11];
    lk_analytics_day_name(lk_analytics_day_of(&tz, at("2026-11-23T23:30:00Z")), name);
    cr_assert_str_eq(name, "2026-11-24");
    /* summer: UTC+2 */
    lk_analytics_day_name(lk_analytics_day_of(&tz, at("2026-07-01T22:30:00Z")), name);
    cr_assert_str_eq(name, "2026-07-02");
    lk_analytics_day_name(lk_analytics_day_of(&tz, at("2026-07-01T21:30:00Z")), name);
    cr_assert_str_eq(name, "2026-07-01");
    /* local midnights */
    int64_t ms;
    cr_assert_eq(lk_analytics_parse_bound("2026-07-02", &tz, false, &ms), 0);
    cr_assert_eq(ms, at("2026-07-01T22:00:00Z"));
    cr_assert_eq(lk_analytics_parse_bound("2026-11-24", &tz, false, &ms), 0);
    cr_assert_eq(ms, at("2026-11-23T23:00:00Z"));
    /* the day summer time starts (29 March 2026) has 23 hours, the day it
     * ends (25 October 2026) 25 */
    int64_t a, b;
    cr_assert_eq(lk_analytics_parse_bound("2026-03-29", &tz, false, &a), 0);
    cr_assert_eq(lk_analytics_parse_bound("2026-03-29", &tz, true, &b), 0);
    cr_assert_eq(b - a, 23 * H);
    cr_assert_eq(lk_analytics_parse_bound("2026-10-25", &tz, false, &a), 0);
    cr_assert_eq(lk_analytics_parse_bound("2026-10-25", &tz, true, &b), 0);
    cr_assert_eq(b - a, 25 * H);
    /* each hour of the long day belongs to it */
    for (int64_t t = a; t < b; t += H) {
        lk_analytics_day_name(lk_analytics_day_of(&tz, t), name);
        cr_assert_str_eq(name, "2026-10-25");
    }
}

Test(analytics_days, bounds)
{
    lk_analytics_tz_t tz;
    cr_assert_eq(lk_analytics_tz_parse("UTC", &tz), 0);
    int64_t ms;
    cr_assert_eq(lk_analytics_parse_bound("2026-11-23", &tz, true, &ms), 0, "a date as `to` includes the day");
    cr_assert_eq(ms, at("2026-11-24T00:00:00Z"));
    cr_assert_eq(lk_analytics_parse_bound("2026-11-23T10:00:00+01:00", &tz, false, &ms), 0);
    cr_assert_eq(ms, at("2026-11-23T09:00:00Z"));
    cr_assert_eq(lk_analytics_parse_bound("2026-11-23T10:00:00Z", &tz, true, &ms), 0, "a time is taken as it is");
    cr_assert_eq(ms, at("2026-11-23T10:00:00Z"));
    static const char *const bad[] = {"", "yesterday", "2026-13-01", "2026-02-30", "2026-04-31", "2026-11-2",
                                      "20261123", "2026-11-23T25:00:00Z", "2026-11-23 junk", "1969-12-31"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_eq(lk_analytics_parse_bound(bad[i], &tz, false, &ms), LK_EINVAL, "%s", bad[i]);
    cr_assert_eq(lk_analytics_tz_parse("Mars/Olympus", &tz), LK_EINVAL);
    cr_assert_eq(lk_analytics_tz_parse("", &tz), LK_EINVAL);
}

/* ---- quantiles -------------------------------------------------------------- */

Test(analytics_quantiles, nearest_rank)
{
    int64_t v[] = {50, 10, 40, 20, 30};
    lk_analytics_sort(v, 5);
    cr_assert_eq(v[0], 10);
    cr_assert_eq(v[4], 50);
    cr_assert_eq(lk_analytics_quantile(v, 5, 0.5), 30); /* rank ceil(2.5) = 3 */
    cr_assert_eq(lk_analytics_quantile(v, 5, 0.9), 50); /* rank ceil(4.5) = 5 */
    cr_assert_eq(lk_analytics_quantile(v, 5, 0.2), 10); /* rank 1 exactly */
    cr_assert_eq(lk_analytics_quantile(v, 5, 0.4), 20); /* rank 2 exactly */
    cr_assert_eq(lk_analytics_quantile(v, 4, 0.5), 20); /* rank 2 of 10 20 30 40 */
    cr_assert_eq(lk_analytics_quantile(v, 1, 0.9), 10);
    cr_assert_eq(lk_analytics_quantile(v, 0, 0.5), -1);
    int64_t w[10];
    for (int i = 0; i < 10; i++)
        w[i] = i + 1;
    cr_assert_eq(lk_analytics_quantile(w, 10, 0.9), 9);
    cr_assert_eq(lk_analytics_quantile(w, 10, 1.0), 10);
}

/* ---- one conversation --------------------------------------------------------- */

static lk_conv_facts_t conv(const char *id, int64_t created)
{
    lk_conv_facts_t c;
    memset(&c, 0, sizeof c);
    snprintf(c.id, sizeof c.id, "%s", id);
    c.created_at = created;
    snprintf(c.language, sizeof c.language, "nl");
    snprintf(c.channel, sizeof c.channel, "web");
    c.status = LK_CONV_BOT;
    return c;
}

static void queue(lk_conv_facts_t *c, const char *reason, int64_t queued)
{
    c->status = LK_CONV_QUEUED;
    lk_handoff_reason_parse(reason, &c->handoff_reason);
    c->queued_at = queued;
}

static void answered_by(lk_conv_facts_t *c, const char *agent, int64_t assigned, int64_t first_msg)
{
    c->status = LK_CONV_ASSIGNED;
    snprintf(c->assigned_to, sizeof c->assigned_to, "%s", agent);
    c->assigned_at = assigned;
    c->first_agent_at = c->first_agent_after_queue = c->first_owner_reply = first_msg;
}

Test(analytics_classify, bot_only)
{
    lk_conv_facts_t c = conv("c1", 1000);
    c.answered = 1;
    lk_analytics_class_t k;
    lk_analytics_classify(&c, false, 5000, &k);
    cr_assert(k.contained && !k.handed_off && !k.person);
    cr_assert(k.resolved, "contained and not repeated: resolved");
    lk_analytics_classify(&c, true, 5000, &k);
    cr_assert(!k.resolved, "repeated and not rated helpful: not resolved");
    c.helpful_yes = 1;
    lk_analytics_classify(&c, true, 5000, &k);
    cr_assert(k.helpful && k.resolved, "rated helpful: resolved even when repeated");
    c.helpful_yes = 0;
    c.rating = 4;
    lk_analytics_classify(&c, true, 5000, &k);
    cr_assert(k.resolved, "rating 4: helpful");
    c.rating = 2;
    lk_analytics_classify(&c, false, 5000, &k);
    cr_assert(k.unhelpful && !k.resolved, "rated 2: not resolved");
    c.rating = 3;
    lk_analytics_classify(&c, false, 5000, &k);
    cr_assert(!k.unhelpful && k.resolved, "rated 3 and not repeated: resolved");
    c.rating = 0;
    c.helpful_no = 1;
    lk_analytics_classify(&c, false, 5000, &k);
    cr_assert(k.unhelpful && !k.resolved, "an answer marked not helpful: not resolved");
}

Test(analytics_classify, handed_off_and_reached)
{
    lk_conv_facts_t c = conv("c1", 1000);
    queue(&c, "customer_request", 2000);
    lk_analytics_class_t k;
    lk_analytics_classify(&c, false, 3000, &k);
    cr_assert(k.handed_off && !k.contained && !k.resolved && !k.reached_person && !k.abandoned);
    cr_assert_eq(k.wait_ms, -1);
    answered_by(&c, "u1", 5000, 7500);
    lk_analytics_classify(&c, false, 9000, &k);
    cr_assert(k.person && k.reached_person);
    cr_assert_eq(k.wait_ms, 5500, "queued_at to the first agent message");
    /* an agent who joined without a hand-off still means a person took part */
    lk_conv_facts_t d = conv("c2", 1000);
    d.first_agent_at = 3000;
    lk_analytics_classify(&d, false, 9000, &k);
    cr_assert(k.person && k.handed_off && !k.contained);
}

Test(analytics_classify, abandoned)
{
    lk_conv_facts_t c = conv("c1", 0);
    queue(&c, "button", 1000);
    lk_analytics_class_t k;
    lk_analytics_classify(&c, false, 1000 + LK_ANALYTICS_ABANDON_MS - 1, &k);
    cr_assert(!k.abandoned, "still waiting");
    lk_analytics_classify(&c, false, 1000 + LK_ANALYTICS_ABANDON_MS, &k);
    cr_assert(k.abandoned, "left alone for the abandon time");
    c.last_customer_at = 1000 + 10 * MIN;
    lk_analytics_classify(&c, false, 1000 + LK_ANALYTICS_ABANDON_MS, &k);
    cr_assert(!k.abandoned, "the customer wrote meanwhile");
    c.status = LK_CONV_CLOSED;
    c.closed_at = 2000;
    lk_analytics_classify(&c, false, 3000, &k);
    cr_assert(k.abandoned, "closed without an agent");
    c.callbacks = 1;
    lk_analytics_classify(&c, false, 3000, &k);
    cr_assert(!k.abandoned, "a call-back was asked for instead");
    c.callbacks = 0;
    c.assigned_at = 1500;
    lk_analytics_classify(&c, false, 3000, &k);
    cr_assert(!k.abandoned, "an agent had it");
}

/* ---- figures ------------------------------------------------------------------- */

Test(analytics_figures, a_set)
{
    lk_analytics_figures_t f = {0};
    lk_conv_facts_t a = conv("a", 0), b = conv("b", 0), c = conv("c", 0), d = conv("d", 0);
    a.answered = 2;
    a.rating = 5;
    a.reviewed = 2;
    a.reviewed_right = 1;
    b.declined = 1;
    a.choice_offers = 2; /* issue 15: offers and picks add up */
    a.choice_picks = 1;
    b.choice_offers = 1;
    queue(&b, "repeated_failure", 100);
    answered_by(&b, "u1", 200, 1100);
    b.rating = 3;
    queue(&c, "button", 100);
    answered_by(&c, "u1", 200, 3100);
    queue(&d, "sensitive_topic", 100);
    d.status = LK_CONV_CLOSED;
    d.closed_at = 150;
    lk_analytics_add(&f, &a, true, 10000);
    lk_analytics_add(&f, &b, false, 10000);
    lk_analytics_add(&f, &c, false, 10000);
    lk_analytics_add(&f, &d, false, 10000);
    lk_analytics_finish(&f);
    cr_assert_eq(f.conversations, 4);
    cr_assert_eq(f.contained, 1);
    cr_assert_eq(f.resolved, 1, "a: rated 5");
    cr_assert_eq(f.handed_off, 3);
    cr_assert_eq(f.handoffs[lk_analytics_reason_index("repeated_failure")], 1);
    cr_assert_eq(f.handoffs[lk_analytics_reason_index("button")], 1);
    cr_assert_eq(f.handoffs[lk_analytics_reason_index("sensitive_topic")], 1);
    cr_assert_eq(f.reached_person, 2);
    cr_assert_eq(f.waits.n, 2);
    cr_assert_eq(f.waits.v[0], 1000);
    cr_assert_eq(f.waits.v[1], 3000);
    cr_assert_eq(f.abandoned, 1);
    cr_assert_eq(f.answers, 2);
    cr_assert_eq(f.declines, 1);
    cr_assert_eq(f.choice_offers, 3);
    cr_assert_eq(f.choice_picks, 1);
    cr_assert_eq(f.reviewed, 2);
    cr_assert_eq(f.reviewed_right, 1);
    cr_assert_eq(f.repeat_contacts, 1);
    cr_assert_eq(f.csat_bot.count, 1);
    cr_assert_eq(f.csat_bot.sum, 5);
    cr_assert_eq(f.csat_human.count, 1);
    cr_assert_eq(f.csat_human.satisfied, 0);
    lk_analytics_figures_free(&f);
    cr_assert_null(f.waits.v);
}

Test(analytics_figures, reasons)
{
    cr_assert_str_eq(lk_analytics_reason_name(0), "customer_request");
    cr_assert_str_eq(lk_analytics_reason_name(8), "sensitive_topic");
    cr_assert_str_eq(lk_analytics_reason_name(9), "language");
    cr_assert_str_eq(lk_analytics_reason_name(10), "other");
    cr_assert_eq(lk_analytics_reason_index("loop"), 4);
    cr_assert_eq(lk_analytics_reason_index("language"), 9);
    cr_assert_eq(lk_analytics_reason_index(""), 10);
    cr_assert_eq(lk_analytics_reason_index("made_up"), 10);
}

Test(analytics_figures, agents)
{
    lk_analytics_agents_t a = {0};
    lk_conv_facts_t c = conv("c", 0), d = conv("d", 0), e = conv("e", 0);
    queue(&c, "button", 100);
    answered_by(&c, "u2", 1000, 4000);
    c.status = LK_CONV_CLOSED;
    c.closed_at = 61000;
    queue(&d, "button", 100);
    answered_by(&d, "u1", 1000, 2000);
    lk_analytics_agents_add(&a, &c);
    lk_analytics_agents_add(&a, &d);
    lk_analytics_agents_add(&a, &e); /* nobody's */
    lk_analytics_agent(&a, "u3")->messages = 4;
    lk_analytics_agents_finish(&a);
    cr_assert_eq(a.n, 3);
    cr_assert_str_eq(a.v[0].user_id, "u1");
    cr_assert_str_eq(a.v[1].user_id, "u2");
    cr_assert_eq(a.v[1].conversations, 1);
    cr_assert_eq(a.v[1].closed, 1);
    cr_assert_eq(a.v[1].handle.n, 1);
    cr_assert_eq(a.v[1].handle.v[0], 60000);
    cr_assert_eq(a.v[1].first_response.v[0], 3000);
    cr_assert_eq(a.v[0].closed, 0);
    cr_assert_eq(a.v[0].first_response.v[0], 1000);
    cr_assert_eq(a.v[2].messages, 4);
    lk_analytics_agents_free(&a);
}

/* ---- repeat contact -------------------------------------------------------------- */

Test(analytics_repeats, same_customer_same_topic_within_the_window)
{
    static const uint32_t t1[] = {1}, t12[] = {1, 2}, t2[] = {2}, t3[] = {3};
    int64_t d = LK_ANALYTICS_DAY_MS;
    lk_analytics_contact_t c[] = {
        {0, "ann@x", NULL, "h1", t1, 1},          /* 0: followed by 1 */
        {2 * d, "ann@x", NULL, "h2", t12, 2},     /* 1: the repeat */
        {3 * d, "ann@x", NULL, "h1", t3, 1},      /* 2: other topic */
        {20 * d, "ann@x", NULL, "h1", t3, 1},     /* 3: too late for 2 */
        {0, NULL, "ext-9", "h1", t2, 1},          /* 4: followed by 5 (external id) */
        {d, "bob@x", "ext-9", "h3", t2, 1},       /* 5 */
        {0, NULL, NULL, "h7", t1, 1},             /* 6: followed by 7 (client hash, neither known) */
        {d, "", "", "h7", t1, 1},                 /* 7 */
        {2 * d, "carol@x", NULL, "h7", t1, 1},    /* 8: knows an e-mail: no hash match */
        {0, "dave@x", NULL, "h9", NULL, 0},       /* 9: no topic */
        {d, "dave@x", NULL, "h9", NULL, 0},       /* 10 */
    };
    size_t n = sizeof c / sizeof c[0];
    bool followed[11], repeat[11];
    lk_analytics_repeats(c, n, LK_ANALYTICS_REPEAT_WINDOW_MS, followed, repeat);
    bool want_f[] = {true, false, false, false, true, false, true, false, false, false, false};
    bool want_r[] = {false, true, false, false, false, true, false, true, false, false, false};
    for (size_t i = 0; i < n; i++) {
        cr_expect_eq(followed[i], want_f[i], "followed[%zu]", i);
        cr_expect_eq(repeat[i], want_r[i], "repeat[%zu]", i);
    }
    /* exactly the window still counts, one ms more does not */
    lk_analytics_contact_t e[] = {{0, "a@x", NULL, NULL, t1, 1}, {7 * d, "a@x", NULL, NULL, t1, 1}};
    lk_analytics_repeats(e, 2, 7 * d, followed, NULL);
    cr_assert(followed[0]);
    e[1].created_at = 7 * d + 1;
    lk_analytics_repeats(e, 2, 7 * d, followed, NULL);
    cr_assert(!followed[0]);
}

/* ---- topics ------------------------------------------------------------------------ */

Test(analytics_topics, top_and_rising)
{
    lk_analytics_topic_count_t v[] = {
        {0, 5, 1, 4}, {1, 9, 5, 1}, {2, 5, 3, 0}, {3, 0, 0, 0}, {4, 2, 2, 2},
    };
    lk_analytics_topics_top(v, 5);
    cr_assert_eq(v[0].topic, 1);
    cr_assert_eq(v[1].topic, 0, "ties by topic number");
    cr_assert_eq(v[2].topic, 2);
    cr_assert_eq(v[4].topic, 3);
    size_t k = lk_analytics_topics_rising(v, 5);
    cr_assert_eq(k, 2);
    cr_assert_eq(v[0].topic, 1, "+4 first");
    cr_assert_eq(v[1].topic, 2, "+3");
}

/* ---- CSV ------------------------------------------------------------------------------ */

Test(analytics_csv, rfc4180)
{
    lk_buf_t b;
    lk_buf_init(&b, 4096);
    lk_analytics_csv_field(&b, "plain", true);
    lk_analytics_csv_field(&b, "a,b", false);
    lk_analytics_csv_field(&b, "say \"hi\"", false);
    lk_analytics_csv_field(&b, "two\nlines", false);
    lk_analytics_csv_field(&b, "=cmd()", false);
    lk_analytics_csv_field(&b, "-12.5", false);
    lk_analytics_csv_field(&b, NULL, false);
    lk_analytics_csv_end(&b);
    char *s = lk_buf_steal(&b, NULL);
    cr_assert_str_eq(s, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",'=cmd(),-12.5,\r\n");
    free(s);
}

/* ---- the wait estimate (issue 14) ------------------------------------------ */

Test(analytics_wait, no_estimate_from_too_few_waits)
{
    lk_analytics_wait_t w;
    int64_t one[] = {20000};
    lk_analytics_wait_estimate(one, 1, 8, &w);
    cr_assert_not(w.known, "one sample is no estimate (it promised 'less than a minute' at number 8)");
    int64_t seven[] = {60000, 70000, 80000, 90000, 100000, 110000, 120000};
    lk_analytics_wait_estimate(seven, 7, 1, &w);
    cr_assert_not(w.known, "%d samples are too few", 7);
    lk_analytics_wait_estimate(NULL, 0, 1, &w);
    cr_assert_not(w.known);
    int64_t eight[] = {60000, 70000, 80000, 90000, 100000, 110000, 120000, 130000};
    lk_analytics_wait_estimate(eight, LK_WAIT_MIN_SAMPLES, 1, &w);
    cr_assert(w.known, "LK_WAIT_MIN_SAMPLES samples give an estimate");
    lk_analytics_wait_estimate(eight, 8, 0, &w);
    cr_assert_not(w.known, "no position, no estimate");
}

Test(analytics_wait, the_interquartile_range_rounded_outwards)
{
    lk_analytics_wait_t w;
    /* 2:00 .. 9:00 in 20 samples, in no order; nearest rank: q1 = the 5th,
     * q3 = the 15th */
    int64_t v[20];
    for (int i = 0; i < 20; i++)
        v[i] = (int64_t)((i * 7) % 20) * 21000 + 120000; /* 120 s .. 519 s, a permutation */
    int64_t copy[20];
    memcpy(copy, v, sizeof v);
    lk_analytics_wait_estimate(v, 20, 1, &w);
    cr_assert(w.known);
    /* sorted: 120 + 21 k s; q1 = k 4 = 204 s, q3 = k 14 = 414 s */
    cr_assert_eq(w.min_s, 180, "204 s rounds down to 3 minutes, got %lld", (long long)w.min_s);
    cr_assert_eq(w.max_s, 420, "414 s rounds up to 7 minutes, got %lld", (long long)w.max_s);
    cr_assert_eq(memcmp(v, copy, sizeof v), 0, "the caller's waits are not changed");

    /* position 3: three times the head's range, in 5-minute units past 15 minutes */
    lk_analytics_wait_estimate(v, 20, 3, &w);
    cr_assert_eq(w.min_s, 600, "612 s rounds down to 10 minutes, got %lld", (long long)w.min_s);
    cr_assert_eq(w.max_s, 1500, "1242 s rounds up to 25 minutes, got %lld", (long long)w.max_s);
}

Test(analytics_wait, quick_waits_and_long_ones)
{
    lk_analytics_wait_t w;
    int64_t quick[10] = {5000, 8000, 9000, 12000, 15000, 20000, 22000, 30000, 40000, 45000};
    lk_analytics_wait_estimate(quick, 10, 1, &w);
    cr_assert(w.known);
    cr_assert_eq(w.min_s, 0);
    cr_assert_eq(w.max_s, 60, "under a minute is [0, 60]");
    /* the same at position 4: 9..120 s -> 0 .. 2 minutes */
    lk_analytics_wait_estimate(quick, 10, 4, &w);
    cr_assert_eq(w.min_s, 0, "%lld", (long long)w.min_s);
    cr_assert_eq(w.max_s, 120, "%lld", (long long)w.max_s);

    /* long waits: 40 minutes to 2.2 hours -> 5- and 15-minute units */
    int64_t slow[8] = {2400000, 2400000, 2700000, 3600000, 5000000, 7000000, 7560000, 8000000};
    lk_analytics_wait_estimate(slow, 8, 1, &w);
    cr_assert_eq(w.min_s, 2400, "q1 2400 s stays 40 minutes, got %lld", (long long)w.min_s);
    cr_assert_eq(w.max_s, 7200, "q3 (the 6th of 8) 7000 s rounds up to 2 hours, got %lld", (long long)w.max_s);
    /* the same, all equal: one figure */
    int64_t same[8] = {300000, 300000, 300000, 300000, 300000, 300000, 300000, 300000};
    lk_analytics_wait_estimate(same, 8, 1, &w);
    cr_assert_eq(w.min_s, 300);
    cr_assert_eq(w.max_s, 300);
}
