/*
 * Unit tests for the report parts of src/analytics/ that the handlers used
 * to hold: the compliance report's findings (disclosure, unlabelled
 * messages, runs of declines and what followed, requests for a person,
 * call-backs after hours) on hand-made store rows, the interned strings,
 * the conversations a report holds (population, topics, repeats, the
 * summary's groups), and the CSV tables (columns, rows, the agents' total).
 */
#include "analytics/analytics.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIN (60LL * 1000)

static int64_t at(const char *rfc3339)
{
    int64_t ms;
    cr_assert_eq(lk_time_parse_rfc3339(rfc3339, &ms), 0, "%s", rfc3339);
    return ms;
}

static lk_conv_facts_t conv(const char *id, const char *status, const char *reason, int64_t queued, int64_t assigned,
                            int64_t first_agent)
{
    lk_conv_facts_t c;
    memset(&c, 0, sizeof c);
    snprintf(c.id, sizeof c.id, "%s", id);
    cr_assert_eq(lk_conv_status_parse(status, &c.status), 0, "%s", status);
    lk_handoff_reason_parse(reason, &c.handoff_reason);
    snprintf(c.language, sizeof c.language, "nl");
    c.queued_at = queued;
    c.assigned_at = assigned;
    c.first_agent_after_queue = first_agent;
    return c;
}

static lk_report_msg_t msg(const char *conv_id, const char *id, const char *sender, const char *text,
                           const char *outcome, int64_t t)
{
    lk_report_msg_t m;
    memset(&m, 0, sizeof m);
    snprintf(m.conversation_id, sizeof m.conversation_id, "%s", conv_id);
    snprintf(m.id, sizeof m.id, "%s", id);
    lk_sender_parse(sender, &m.sender);
    m.automated = strcmp(sender, "customer") != 0;
    m.text = (char *)text;
    lk_outcome_parse(outcome, &m.outcome);
    m.created_at = t;
    return m;
}

static char *GREET[] = {"Hallo, ik ben een digitale assistent.", "Hello, I am a digital assistant."};
static char *DECLINE[] = {"Dat weet ik niet. Wil je een medewerker?", "I don't know. Would you like a person?"};

/* ---- interned strings ------------------------------------------------------- */

Test(analytics_intern, numbers_in_order_and_finds_after_growth)
{
    lk_analytics_intern_t t = {0};
    cr_assert_eq(lk_analytics_intern_find(&t, "x"), -1, "empty");
    char key[32];
    for (int i = 0; i < 500; i++) {
        snprintf(key, sizeof key, "c_%d", i);
        cr_assert_eq(lk_analytics_intern(&t, key), (uint32_t)i);
    }
    cr_assert_eq(lk_analytics_intern(&t, "c_7"), 7, "known keys keep their number");
    cr_assert_eq(t.n, 500);
    for (int i = 0; i < 500; i++) {
        snprintf(key, sizeof key, "c_%d", i);
        cr_assert_eq(lk_analytics_intern_find(&t, key), i);
    }
    cr_assert_eq(lk_analytics_intern_find(&t, "c_500"), -1);
    cr_assert_str_eq(t.keys[42], "c_42");
    lk_analytics_intern_free(&t);
    cr_assert_null(t.keys);
}

/* ---- the compliance report -------------------------------------------------------- */

Test(analytics_compliance, disclosure_and_labels)
{
    lk_analytics_compliance_t r;
    lk_analytics_compliance_init(&r, GREET, DECLINE, 2);
    lk_report_msg_t m[] = {
        msg("c1", "m1", "bot", GREET[0], "", 1),             /* disclosed (nl) */
        msg("c2", "m2", "bot", GREET[1], "", 2),             /* disclosed (en) */
        msg("c3", "m3", "bot", "Hoi!", "", 3),               /* another text */
        msg("c4", "m4", "customer", "hallo", "answered", 4), /* the customer spoke first */
        msg("c5", "", "", NULL, "", 0),                      /* no messages */
    };
    m[1].automated = true;
    lk_report_msg_t unlabelled = msg("c1", "m1", "bot", GREET[0], "", 1);
    for (size_t i = 0; i < 5; i++)
        cr_assert_eq(lk_analytics_compliance_first(&m[i], &r), 0);
    lk_report_msg_t bare = m[0];
    bare.automated = false; /* the greeting's text, not labelled: no disclosure */
    snprintf(bare.conversation_id, sizeof bare.conversation_id, "c6");
    lk_analytics_compliance_first(&bare, &r);
    lk_analytics_compliance_unlabelled(&unlabelled, &r);
    lk_analytics_compliance_finish(&r, NULL, 0, NULL);
    cr_assert_eq(r.disclosed_all.count, 6);
    cr_assert_eq(r.disclosed.count, 2);
    cr_assert_eq(r.undisclosed.count, 4);
    cr_assert_str_eq(r.disclosed.v[0], "c1");
    cr_assert_str_eq(r.disclosed.v[1], "c2");
    cr_assert_str_eq(r.undisclosed.v[0], "c3");
    cr_assert_str_eq(r.undisclosed.v[3], "c6");
    cr_assert_eq(r.unlabelled_count, 1);
    cr_assert_str_eq(r.unlabelled[0].message_id, "m1");
    cr_assert_str_eq(lk_sender_name(r.unlabelled[0].sender), "bot");
    lk_analytics_compliance_free(&r);
}

Test(analytics_compliance, id_lists_are_cut_but_counted)
{
    lk_analytics_ids_t l = {0};
    char id[32];
    for (int i = 0; i < LK_ANALYTICS_LIST_MAX + 5; i++) {
        snprintf(id, sizeof id, "c_%d", i);
        lk_analytics_ids_add(&l, id);
    }
    cr_assert_eq(l.count, LK_ANALYTICS_LIST_MAX + 5);
    cr_assert_eq(l.n, LK_ANALYTICS_LIST_MAX);
    cr_assert_str_eq(l.v[LK_ANALYTICS_LIST_MAX - 1], "c_9999");
    lk_analytics_ids_free(&l);
}

/* Feeds the messages of the declines pass. */
static void declines(lk_analytics_compliance_t *r, const lk_report_msg_t *m, size_t n)
{
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(lk_analytics_compliance_decline(&m[i], r), 0);
}

Test(analytics_compliance, runs_of_declines_and_what_followed)
{
    int64_t t0 = at("2026-11-23T10:00:00Z");
    lk_analytics_compliance_t r;
    lk_analytics_compliance_init(&r, GREET, DECLINE, 2);
    lk_conv_facts_t c[] = {
        conv("a", "closed", "repeated_failure", t0 + 5 * MIN, t0 + 6 * MIN, t0 + 7 * MIN),
        conv("b", "bot", "", 0, 0, 0),
        conv("c", "bot", "", 0, 0, 0),
        conv("d", "bot", "", 0, 0, 0),
    };
    for (size_t i = 0; i < 4; i++)
        lk_analytics_compliance_conv(&c[i], &r);
    lk_report_msg_t m[] = {
        /* a: two declines, each offered a person, then the hand-off (the
         * failure that handed over counts as a third decline) */
        msg("a", "a1", "customer", NULL, "declined", t0),
        msg("a", "a2", "bot", DECLINE[0], "", t0 + 1),
        msg("a", "a3", "customer", NULL, "declined", t0 + MIN),
        msg("a", "a4", "bot", DECLINE[0], "", t0 + MIN + 1),
        msg("a", "a5", "customer", NULL, "handoff", t0 + 5 * MIN),
        /* b: one decline only, then an answer: no run */
        msg("b", "b1", "customer", NULL, "declined", t0),
        msg("b", "b2", "bot", DECLINE[1], "", t0 + 1),
        msg("b", "b3", "customer", NULL, "answered", t0 + MIN),
        /* c: two declines, the second without the offer, then an answer */
        msg("c", "c1", "customer", NULL, "declined", t0),
        msg("c", "c2", "bot", DECLINE[1], "", t0 + 1),
        msg("c", "c3", "customer", NULL, "declined", t0 + MIN),
        msg("c", "c4", "bot", "Something else.", "", t0 + MIN + 1),
        msg("c", "c5", "customer", NULL, "answered", t0 + 2 * MIN),
        /* d: two declines and the customer left; the bot never replied to the last */
        msg("d", "d1", "customer", NULL, "declined", t0),
        msg("d", "d2", "bot", DECLINE[0], "", t0 + 1),
        msg("d", "d3", "customer", NULL, "declined", t0 + MIN),
    };
    declines(&r, m, sizeof m / sizeof m[0]);
    lk_analytics_compliance_finish(&r, NULL, 0, NULL);
    cr_assert_eq(r.n_runs, 3);
    const lk_analytics_decline_run_t *x = &r.runs[0];
    cr_assert_str_eq(x->conversation_id, "a");
    cr_assert_str_eq(x->first_message_id, "a1");
    cr_assert_eq(x->declines, 3);
    cr_assert_eq(x->at, t0);
    cr_assert(x->handoff_offered);
    cr_assert_str_eq(x->followed_by, "handoff");
    cr_assert(x->handed_off);
    cr_assert_str_eq(lk_handoff_reason_name(x->handoff_reason), "repeated_failure");
    cr_assert(x->person_reached);
    cr_assert(x->closed);
    x = &r.runs[1];
    cr_assert_str_eq(x->conversation_id, "c");
    cr_assert_eq(x->declines, 2);
    cr_assert_not(x->handoff_offered, "the second decline got another reply");
    cr_assert_str_eq(x->followed_by, "answered");
    cr_assert_not(x->handed_off);
    cr_assert_str_eq(lk_handoff_reason_name(x->handoff_reason), "");
    cr_assert_not(x->closed);
    x = &r.runs[2];
    cr_assert_str_eq(x->conversation_id, "d");
    cr_assert_str_eq(x->followed_by, "nothing");
    cr_assert_not(x->handoff_offered, "no reply to the last decline");
    cr_assert_eq(r.run_ids.count, 3);
    lk_analytics_compliance_free(&r);
}

Test(analytics_compliance, an_agent_or_other_reply_ends_a_run)
{
    int64_t t0 = at("2026-11-23T10:00:00Z");
    lk_analytics_compliance_t r;
    lk_analytics_compliance_init(&r, GREET, DECLINE, 2);
    lk_report_msg_t m[] = {
        msg("e", "e1", "customer", NULL, "declined", t0),     msg("e", "e2", "bot", DECLINE[0], "", t0 + 1),
        msg("e", "e3", "customer", NULL, "declined", t0 + 2), msg("e", "e4", "bot", DECLINE[0], "", t0 + 3),
        msg("e", "e5", "customer", NULL, "none", t0 + 4), /* to a person */
        msg("f", "f1", "customer", NULL, "declined", t0),     msg("f", "f2", "bot", DECLINE[0], "", t0 + 1),
        msg("f", "f3", "customer", NULL, "declined", t0 + 2), msg("f", "f4", "bot", DECLINE[0], "", t0 + 3),
        msg("f", "f5", "customer", NULL, "clarify", t0 + 4),
    };
    declines(&r, m, sizeof m / sizeof m[0]);
    lk_analytics_compliance_finish(&r, NULL, 0, NULL);
    cr_assert_eq(r.n_runs, 2);
    cr_assert_str_eq(r.runs[0].followed_by, "person");
    cr_assert_str_eq(r.runs[1].followed_by, "reply");
    cr_assert_not(r.runs[0].closed, "a conversation the report does not hold");
    cr_assert_not(r.runs[0].handed_off);
    lk_analytics_compliance_free(&r);
}

Test(analytics_compliance, requests_for_a_person_and_callbacks)
{
    int64_t t0 = at("2026-11-23T10:00:00Z"); /* a Monday: 11:00 in Amsterdam */
    lk_analytics_compliance_t r;
    lk_analytics_compliance_init(&r, GREET, DECLINE, 2);
    lk_conv_facts_t c[] = {
        conv("p1", "closed", "customer_request", t0, t0 + 2 * MIN, t0 + 3 * MIN), /* met in 3 min */
        conv("p2", "queued", "button", t0, 0, 0),                                 /* not met */
        conv("p3", "assigned", "button", t0, t0 + MIN, t0 - MIN),                 /* replied before: not met */
        conv("x", "closed", "repeated_failure", t0, t0 + MIN, t0 + MIN),          /* not a request */
    };
    for (size_t i = 0; i < 4; i++)
        lk_analytics_compliance_conv(&c[i], &r);
    cr_assert_not_null(lk_analytics_compliance_find(&r, "p2"));
    cr_assert_null(lk_analytics_compliance_find(&r, "nope"));
    lk_callback_t cbs[3];
    memset(cbs, 0, sizeof cbs);
    cbs[0].created_at = t0; /* open hours */
    cbs[0].handled_at = t0 + 30 * MIN;
    cbs[1].created_at = at("2026-11-23T22:00:00Z"); /* night */
    cbs[2].created_at = at("2026-11-22T12:00:00Z"); /* Sunday */
    cbs[2].handled_at = at("2026-11-22T11:00:00Z"); /* before: no handling time */
    lk_policy_config_t hours;
    lk_policy_config_default(&hours);
    cr_assert_eq(lk_policy_config_set(&hours, "business_hours", "mon-fri 09:00-17:00"), 0);
    lk_analytics_compliance_finish(&r, cbs, 3, &hours);
    cr_assert_eq(r.requests, 3);
    cr_assert_eq(r.requests_met, 1);
    cr_assert_eq(r.n_request_items, 3);
    cr_assert_str_eq(r.convs[r.request_items[2]].id, "p3");
    cr_assert_eq(r.reply_waits.n, 1);
    cr_assert_eq(r.reply_waits.v[0], 3 * MIN);
    cr_assert_eq(r.assign_waits.n, 2);
    cr_assert_eq(r.assign_waits.v[0], MIN, "sorted");
    cr_assert_eq(r.n_callbacks, 3);
    cr_assert_not(r.callback_after_hours[0]);
    cr_assert(r.callback_after_hours[1]);
    cr_assert(r.callback_after_hours[2]);
    cr_assert_eq(r.callbacks_after_hours, 2);
    cr_assert_eq(r.callbacks_handled, 2);
    cr_assert_eq(r.callback_handling.n, 1);
    cr_assert_eq(r.callback_handling.v[0], 30 * MIN);
    lk_analytics_compliance_free(&r);
}

/* ---- the conversations a report holds --------------------------------------------- */

static lk_conv_facts_t held(const char *id, int64_t created, const char *lang, const char *channel, const char *email)
{
    lk_conv_facts_t c = conv(id, "bot", "", 0, 0, 0);
    c.created_at = created;
    snprintf(c.language, sizeof c.language, "%s", lang);
    snprintf(c.channel, sizeof c.channel, "%s", channel);
    c.customer_email = (char *)email;
    return c;
}

#define DAY (24 * 60 * MIN)

/* Conversations over two weeks and a day before: 2026-11-09 .. 2026-11-23
 * (UTC), the report's range the last week [11-16, 11-23). */
static void fill(lk_analytics_set_t *h, int64_t t0, const char *lang)
{
    lk_analytics_set_init(h, t0 + 7 * DAY, t0 + 14 * DAY, lang, NULL);
    char email[] = "klant@example.com";
    lk_conv_facts_t c[] = {
        held("old", t0 + 1 * DAY, "nl", "web", email),       /* last week, retour */
        held("n1", t0 + 8 * DAY, "nl", "web", email),        /* retour again: a repeat */
        held("n2", t0 + 9 * DAY, "en", "", NULL),            /* en, no channel; retour */
        held("n3", t0 + 9 * DAY + MIN, "nl", "email", NULL), /* a gap topic */
        held("after", t0 + 15 * DAY, "nl", "web", NULL),     /* after the range */
    };
    for (size_t i = 0; i < 5; i++)
        cr_assert_eq(lk_analytics_set_conv(&c[i], h), 0);
    email[0] = 'X'; /* the set keeps its own copies */
    cr_assert_eq(lk_analytics_set_answered("old", "retour", h), 0);
    cr_assert_eq(lk_analytics_set_answered("n1", "retour", h), 0);
    cr_assert_eq(lk_analytics_set_answered("n1", "retour", h), 0); /* once */
    cr_assert_eq(lk_analytics_set_answered("n2", "retour", h), 0);
    cr_assert_eq(lk_analytics_set_answered("elsewhere", "retour", h), 0, "not held: ignored");
    uint32_t g = lk_analytics_set_gap_topic(h, "m_abc");
    cr_assert_str_eq(h->topics.keys[g], "g:t_abc");
    lk_analytics_set_add_topic(h, (size_t)lk_analytics_set_find(h, "n3"), g);
    lk_analytics_set_add_topic(h, (size_t)lk_analytics_set_find(h, "n1"), g);
}

/* The topic counts of fill's set (its two weeks) against want: count,
 * this_week, last_week of each topic; frees the set. */
static void expect_counts(lk_analytics_set_t *h, int64_t t0, const int64_t (*want)[3])
{
    lk_analytics_topic_count_t *tc = lk_analytics_set_topic_counts(h, t0, t0 + 7 * DAY, t0 + 14 * DAY);
    for (size_t t = 0; t < h->topics.n; t++) {
        cr_assert_eq(tc[t].topic, t);
        cr_assert_eq(tc[t].count, want[t][0], "topic %zu", t);
        cr_assert_eq(tc[t].this_week, want[t][1], "topic %zu", t);
        cr_assert_eq(tc[t].last_week, want[t][2], "topic %zu", t);
    }
    free(tc);
    lk_analytics_set_free(h);
}

Test(analytics_set, population_topics_and_repeats)
{
    int64_t t0 = at("2026-11-09T12:00:00Z");
    lk_analytics_set_t h;
    fill(&h, t0, NULL);
    cr_assert_eq(h.n, 5);
    cr_assert_not(h.v[0].in_population, "before the range");
    cr_assert(h.v[1].in_population);
    cr_assert_not(h.v[4].in_population, "after the range");
    cr_assert_str_eq(h.v[0].f.customer_email, "klant@example.com");
    cr_assert_eq(h.v[1].n_topics, 2);
    cr_assert_lt(h.v[1].topics[0], h.v[1].topics[1], "sorted");
    cr_assert_eq(lk_analytics_set_find(&h, "nope"), -1);
    bool *followed = lk_analytics_set_repeats(&h);
    cr_assert(followed[0], "the same customer about retour within a week");
    cr_assert_not(followed[1]);
    free(followed);

    cr_assert_eq(h.topics.n, 2);
    cr_assert_str_eq(h.topics.keys[0], "a:retour");
    /* retour: n1 and n2 in the population, both this week, "old" last week */
    expect_counts(&h, t0, (const int64_t[][3]){{2, 2, 1}, {2, 2, 0}});
}

Test(analytics_set, a_language_filter_narrows_population_and_topics)
{
    int64_t t0 = at("2026-11-09T12:00:00Z");
    lk_analytics_set_t h;
    fill(&h, t0, "en");
    cr_assert_not(h.v[1].in_population, "nl");
    cr_assert(h.v[2].in_population);
    /* the nl conversations, of last week too, do not count */
    expect_counts(&h, t0, (const int64_t[][3]){{1, 1, 0}, {0, 0, 0}});
}

Test(analytics_set, summary_per_day_language_and_channel)
{
    int64_t t0 = at("2026-11-09T12:00:00Z");
    lk_analytics_set_t h;
    fill(&h, t0, NULL);
    bool *followed = lk_analytics_set_repeats(&h);
    lk_analytics_tz_t tz;
    cr_assert_eq(lk_analytics_tz_parse("UTC", &tz), 0);
    lk_analytics_summary_t sum;
    lk_analytics_summary(&h, followed, &tz, t0 + 20 * DAY, &sum);
    cr_assert_eq(sum.total.conversations, 3);
    cr_assert_eq(sum.n_days, 8, "11-16 12:00 to 11-23 12:00 touches eight days");
    char name[11];
    lk_analytics_day_name(sum.day0, name);
    cr_assert_str_eq(name, "2026-11-16");
    cr_assert_eq(sum.days[1].conversations, 1);
    cr_assert_eq(sum.days[2].conversations, 2);
    cr_assert_eq(sum.n_languages, 2);
    cr_assert_str_eq(sum.languages[0].key, "en", "ordered by key");
    cr_assert_eq(sum.languages[1].f.conversations, 2);
    cr_assert_eq(sum.n_channels, 3);
    cr_assert_str_eq(sum.channels[0].key, "email");
    cr_assert_str_eq(sum.channels[1].key, "unknown");
    cr_assert_str_eq(sum.channels[2].key, "web");
    lk_analytics_summary_free(&sum);
    free(followed);
    lk_analytics_set_free(&h);
}

/* ---- CSV tables ---------------------------------------------------------------------- */

/* The buffer's text (NUL-terminated). */
static const char *text(lk_buf_t *b)
{
    lk_buf_append(b, "", 1);
    b->len--;
    return b->data;
}

static size_t count(const char *s, char c)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == c;
    return n;
}

Test(analytics_csv_tables, figures_header_and_row_have_the_same_columns)
{
    lk_buf_t b;
    lk_buf_init(&b, 1 << 20);
    lk_analytics_csv_figures_head(&b, "date");
    const char *h = text(&b);
    cr_assert(strncmp(h, "date,conversations,contained,containment_rate,", 46) == 0, "%s", h);
    cr_assert_not_null(strstr(h, ",handoffs_customer_request,"));
    cr_assert_not_null(strstr(h, ",handoffs_other,reached_person,"));
    cr_assert_not_null(strstr(h, ",choice_pick_rate\r\n"));
    size_t cols = count(h, ',');
    lk_buf_free(&b);

    lk_analytics_figures_t f = {0};
    f.conversations = 4;
    f.contained = 3;
    f.handoffs[0] = 1;
    lk_analytics_list_add(&f.waits, 2000);
    lk_analytics_list_add(&f.waits, 4000);
    f.csat_bot.count = 2;
    f.csat_bot.sum = 9;
    lk_analytics_finish(&f);
    lk_buf_init(&b, 1 << 20);
    lk_analytics_csv_figures_row(&b, "2026-11-23", &f);
    const char *row = text(&b);
    cr_assert_eq(count(row, ','), cols, "%s", row);
    cr_assert(strncmp(row, "2026-11-23,4,3,0.7500,0,0.0000,0,1,", 35) == 0, "%s", row);
    cr_assert_not_null(strstr(row, ",2.0000,4.0000,"), "p50 and p90 of the waits in seconds: %s", row);
    cr_assert_not_null(strstr(row, ",2,4.5000,0,,"), "csat: a mean, and none without ratings: %s", row);
    lk_buf_free(&b);
    lk_analytics_figures_free(&f);
}

Test(analytics_csv_tables, agents_and_their_total)
{
    lk_analytics_agents_t a = {0};
    lk_analytics_agent_t *x = lk_analytics_agent(&a, "u_b");
    x->conversations = 2;
    x->messages = 4;
    x->suggested = 1;
    lk_analytics_list_add(&x->handle, 60000);
    x = lk_analytics_agent(&a, "u_a");
    x->conversations = 1;
    x->closed = 1;
    x->messages = 4;
    x->suggested_edited = 1;
    lk_analytics_list_add(&x->handle, 120000);
    lk_analytics_list_add(&x->first_response, 5000);
    lk_analytics_agents_finish(&a);
    lk_analytics_agent_t all;
    lk_analytics_agents_total(&a, &all);
    cr_assert_eq(all.conversations, 3);
    cr_assert_eq(all.closed, 1);
    cr_assert_eq(all.messages, 8);
    cr_assert_eq(all.handle.n, 2);
    cr_assert_eq(all.handle.v[0], 60000, "sorted");
    cr_assert_eq(all.first_response.n, 1);

    lk_buf_t b;
    lk_buf_init(&b, 1 << 20);
    lk_analytics_csv_agents_head(&b);
    lk_analytics_csv_agent_row(&b, a.v[0].user_id, "=Ann", &a.v[0]);
    lk_analytics_csv_agent_row(&b, "total", "", &all);
    cr_assert_str_eq(text(&b), "user_id,name,conversations,closed,handle_time_p50_seconds,handle_time_mean_seconds,"
                               "first_response_p50_seconds,first_response_p90_seconds,messages,suggested,"
                               "suggested_edited,assist_share\r\n"
                               "u_a,'=Ann,1,1,120.0000,120.0000,5.0000,5.0000,4,0,1,0.2500\r\n"
                               "total,,3,1,60.0000,90.0000,5.0000,5.0000,8,1,1,0.2500\r\n");
    lk_buf_free(&b);
    lk_analytics_list_free(&all.handle);
    lk_analytics_list_free(&all.first_response);
    lk_analytics_agents_free(&a);
}

Test(analytics_csv_tables, topics_top_and_rising)
{
    lk_analytics_topic_count_t c = {3, 7, 5, 2};
    lk_buf_t b;
    lk_buf_init(&b, 1 << 20);
    lk_analytics_csv_topics_head(&b, false);
    lk_analytics_csv_topic_row(&b, "article", "retour", "Retour, geld terug", &c, false);
    lk_analytics_csv_topics_head(&b, true);
    lk_analytics_csv_topic_row(&b, "gap", "t_1", "bezorging", &c, true);
    cr_assert_str_eq(text(&b), "kind,id,label,conversations\r\n"
                               "article,retour,\"Retour, geld terug\",7\r\n"
                               "kind,id,label,this_week,last_week,change\r\n"
                               "gap,t_1,bezorging,5,2,3\r\n");
    lk_buf_free(&b);
}

Test(analytics_csv_tables, a_full_buffer_cuts_the_export)
{
    lk_buf_t b;
    lk_buf_init(&b, 16);
    lk_analytics_csv_figures_head(&b, "date");
    cr_assert_leq(b.len, 16);
    lk_buf_free(&b);
}
