/*
 * Unit tests for the store's analytics part (src/store/sqlite/analytics.c on SQLite): the
 * per-conversation facts (messages, outcomes, feedback, reviews, call-backs,
 * the range and the language and channel filter), the agents' message
 * counts by provenance, the answered articles, and the compliance report's
 * first messages, bot labels, declined conversations and call-back
 * requests. Each test works in a fresh temporary directory.
 */
#include "store/store.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store_fixture.h"

TestSuite(store_analytics, .init = store_fixture_setup, .fini = store_fixture_teardown);

static void add_conv(const char *id, int64_t created, const char *lang, const char *channel, const char *email)
{
    lk_conv_t c = {0};
    snprintf(c.id, sizeof c.id, "%s", id);
    snprintf(c.token_hash, sizeof c.token_hash, "h");
    c.status = LK_CONV_BOT;
    snprintf(c.language, sizeof c.language, "%s", lang);
    snprintf(c.channel, sizeof c.channel, "%s", channel);
    snprintf(c.client_hash, sizeof c.client_hash, "hash-1");
    c.customer_email = (char *)email;
    c.created_at = c.updated_at = created;
    c.next_seq = 1;
    cr_assert_eq(lk_store_conv_insert(st, &c), 0);
}

static void add_msg(const char *id, const char *conv, int64_t seq, const char *sender, bool automated,
                    const char *text, int64_t at, const char *outcome, const char *article, const char *author,
                    const char *provenance)
{
    lk_msg_t m = {0};
    snprintf(m.id, sizeof m.id, "%s", id);
    snprintf(m.conversation_id, sizeof m.conversation_id, "%s", conv);
    m.seq = seq;
    lk_sender_parse(sender, &m.sender);
    m.automated = automated;
    m.text = (char *)text;
    m.created_at = at;
    if (author)
        snprintf(m.author_id, sizeof m.author_id, "%s", author);
    if (provenance)
        lk_provenance_parse(provenance, &m.provenance);
    if (strcmp(sender, "bot") == 0 && article)
        m.article_id = (char *)article;
    if (outcome) {
        lk_outcome_parse(outcome, &m.outcome);
        m.outcome_article_id = (char *)article;
        m.outcome_confidence = 0.9;
        m.has_outcome_confidence = article != NULL;
    }
    cr_assert_eq(lk_store_msg_insert(st, &m), 0);
}

/* c1: bot answered (helpful, reviewed right), then a declined question;
 * c2: handed over, claimed and answered by u1, closed, rated 4, a
 * call-back; c3: English, api channel, outside the range of some tests. */
static void fixture(void)
{
    add_conv("c1", 1000, "nl", "web", "ann@example.com");
    add_msg("m11", "c1", 1, "bot", true, "Hallo!", 1000, NULL, NULL, NULL, NULL);
    add_msg("m12", "c1", 2, "customer", false, "retour?", 1100, "answered", "retourneren", NULL, NULL);
    add_msg("m13", "c1", 3, "bot", true, "Zo retourneer je", 1101, NULL, "retourneren", NULL, NULL);
    add_msg("m14", "c1", 4, "customer", false, "ruimtevaart?", 1200, "declined", NULL, NULL, NULL);
    add_msg("m15", "c1", 5, "bot", true, "Sorry", 1201, NULL, NULL, NULL, NULL);
    cr_assert_eq(lk_store_feedback_set(st, "c1", "m13", true, 1150), 0);
    lk_review_t r = {0};
    snprintf(r.message_id, sizeof r.message_id, "m13");
    snprintf(r.conversation_id, sizeof r.conversation_id, "c1");
    snprintf(r.article_id, sizeof r.article_id, "retourneren");
    r.verdict = LK_VERDICT_RIGHT;
    r.created_at = 1300;
    cr_assert_eq(lk_store_review_set(st, &r), 0);

    add_conv("c2", 2000, "nl", "web", NULL);
    add_msg("m21", "c2", 1, "bot", false, "not labelled", 2000, NULL, NULL, NULL, NULL);
    add_msg("m22", "c2", 2, "customer", false, "medewerker", 2100, "handoff", NULL, NULL, NULL);
    add_msg("m23", "c2", 3, "agent", false, "Hoi", 2500, NULL, NULL, "u1", "suggested");
    add_msg("m24", "c2", 4, "agent", false, "Klaar", 2600, NULL, NULL, "u1", "human");
    add_msg("m25", "c2", 5, "agent", false, "Nog iets", 2700, NULL, NULL, "u2", "suggested_edited");
    lk_conv_t c;
    cr_assert_eq(lk_store_conv_get(st, "c2", &c), 0);
    c.status = LK_CONV_CLOSED;
    c.handoff_reason = LK_HANDOFF_CUSTOMER_REQUEST;
    c.queued_at = 2100;
    c.assigned_at = 2400;
    snprintf(c.assigned_to, sizeof c.assigned_to, "u1");
    c.closed_at = 3000;
    c.rating = 4;
    cr_assert_eq(lk_store_conv_update(st, &c), 0);
    lk_conv_clear(&c);
    lk_callback_t cb = {0};
    snprintf(cb.id, sizeof cb.id, "cb1");
    snprintf(cb.conversation_id, sizeof cb.conversation_id, "c2");
    cb.contact = "0612345678";
    cb.text = "bel me";
    cb.status = LK_CALLBACK_OPEN;
    cb.created_at = 2200;
    cr_assert_eq(lk_store_callback_insert(st, &cb), 0);

    add_conv("c3", 9000, "en", "api", NULL);
    add_msg("m31", "c3", 1, "bot", true, "Hello!", 9000, NULL, NULL, NULL, NULL);
}

typedef struct {
    lk_conv_facts_t v[8];
    char emails[8][64];
    size_t n;
} got_t;

static int collect(const lk_conv_facts_t *c, void *ud)
{
    got_t *g = ud;
    cr_assert_lt(g->n, 8);
    g->v[g->n] = *c;
    snprintf(g->emails[g->n], sizeof g->emails[0], "%s", c->customer_email ? c->customer_email : "");
    g->v[g->n].customer_email = NULL;
    g->v[g->n].customer_external_id = NULL;
    g->n++;
    return 0;
}

Test(store_analytics, facts)
{
    fixture();
    got_t g = {0};
    lk_facts_filter_t f = {0, 10000, NULL, NULL};
    cr_assert_eq(lk_store_conv_facts(st, &f, collect, &g), 0);
    cr_assert_eq(g.n, 3);
    const lk_conv_facts_t *a = &g.v[0], *b = &g.v[1];
    cr_assert_str_eq(a->id, "c1", "oldest first");
    cr_assert_str_eq(g.emails[0], "ann@example.com");
    cr_assert_str_eq(a->channel, "web");
    cr_assert_str_eq(a->client_hash, "hash-1");
    cr_assert_eq(a->answered, 1);
    cr_assert_eq(a->declined, 1);
    cr_assert_eq(a->helpful_yes, 1);
    cr_assert_eq(a->helpful_no, 0);
    cr_assert_eq(a->reviewed, 1);
    cr_assert_eq(a->reviewed_right, 1);
    cr_assert_eq(a->first_agent_at, 0);
    cr_assert_eq(a->last_customer_at, 1200);
    cr_assert_eq(a->callbacks, 0);
    cr_assert_str_eq(lk_conv_status_name(b->status), "closed");
    cr_assert_str_eq(lk_handoff_reason_name(b->handoff_reason), "customer_request");
    cr_assert_eq(b->queued_at, 2100);
    cr_assert_eq(b->assigned_at, 2400);
    cr_assert_eq(b->closed_at, 3000);
    cr_assert_str_eq(b->assigned_to, "u1");
    cr_assert_eq(b->rating, 4);
    cr_assert_eq(b->first_agent_at, 2500);
    cr_assert_eq(b->first_agent_after_queue, 2500);
    cr_assert_eq(b->first_owner_reply, 2500);
    cr_assert_eq(b->callbacks, 1);
    cr_assert_eq(b->answered, 0);

    /* the range is [from, to); language and channel filter */
    memset(&g, 0, sizeof g);
    f = (lk_facts_filter_t){1000, 9000, NULL, NULL};
    cr_assert_eq(lk_store_conv_facts(st, &f, collect, &g), 0);
    cr_assert_eq(g.n, 2);
    memset(&g, 0, sizeof g);
    f = (lk_facts_filter_t){0, 10000, "en", NULL};
    cr_assert_eq(lk_store_conv_facts(st, &f, collect, &g), 0);
    cr_assert_eq(g.n, 1);
    cr_assert_str_eq(g.v[0].id, "c3");
    memset(&g, 0, sizeof g);
    f = (lk_facts_filter_t){0, 10000, NULL, "web"};
    cr_assert_eq(lk_store_conv_facts(st, &f, collect, &g), 0);
    cr_assert_eq(g.n, 2);
    f = (lk_facts_filter_t){10, 5, NULL, NULL};
    cr_assert_eq(lk_store_conv_facts(st, &f, collect, &g), LK_EINVAL);
}

static int stop_at_first(const lk_conv_facts_t *c, void *ud)
{
    (void)c;
    (*(int *)ud)++;
    return 42;
}

Test(store_analytics, a_callback_stops_the_walk)
{
    fixture();
    int calls = 0;
    lk_facts_filter_t f = {0, 10000, NULL, NULL};
    cr_assert_eq(lk_store_conv_facts(st, &f, stop_at_first, &calls), 42);
    cr_assert_eq(calls, 1);
    got_t g = {0}; /* the statement was reset: a new walk sees everything */
    cr_assert_eq(lk_store_conv_facts(st, &f, collect, &g), 0);
    cr_assert_eq(g.n, 3);
}

Test(store_analytics, agent_counts_and_answered_articles)
{
    fixture();
    lk_facts_filter_t f = {0, 10000, NULL, NULL};
    lk_agent_msg_count_t *v = NULL;
    size_t n = 0;
    cr_assert_eq(lk_store_agent_msg_counts(st, &f, &v, &n), 0);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(v[0].user_id, "u1");
    cr_assert_eq(v[0].messages, 2);
    cr_assert_eq(v[0].suggested, 1);
    cr_assert_eq(v[0].suggested_edited, 0);
    cr_assert_str_eq(v[1].user_id, "u2");
    cr_assert_eq(v[1].suggested_edited, 1);
    free(v);
    f.language = "en";
    cr_assert_eq(lk_store_agent_msg_counts(st, &f, &v, &n), 0);
    cr_assert_eq(n, 0);
    free(v);
}

static int pairs(const char *conv, const char *article, void *ud)
{
    char *s = ud;
    strcat(s, conv);
    strcat(s, ":");
    strcat(s, article);
    strcat(s, " ");
    return 0;
}

Test(store_analytics, answered)
{
    fixture();
    char s[256] = "";
    lk_facts_filter_t f = {0, 10000, NULL, NULL};
    cr_assert_eq(lk_store_answered_articles(st, &f, pairs, s), 0);
    cr_assert_str_eq(s, "c1:retourneren ");
}

typedef struct {
    char text[512];
} msgs_t;

static int msgs(const lk_report_msg_t *m, void *ud)
{
    msgs_t *g = ud;
    char line[128];
    snprintf(line, sizeof line, "%s/%s/%s/%d/%s/%s|", m->conversation_id, m->id, lk_sender_name(m->sender),
             m->automated, m->text ? m->text : "-", lk_outcome_name(m->outcome));
    strcat(g->text, line);
    return 0;
}

Test(store_analytics, compliance_messages)
{
    fixture();
    add_conv("c4", 3000, "nl", "web", NULL); /* no messages at all */
    lk_facts_filter_t f = {0, 10000, NULL, NULL};
    msgs_t g = {""};
    cr_assert_eq(lk_store_first_messages(st, &f, msgs, &g), 0);
    cr_assert_str_eq(g.text, "c1/m11/bot/1/Hallo!/|c2/m21/bot/0/not labelled/|c4///0/-/|c3/m31/bot/1/Hello!/|");

    int64_t total = 0, labelled = 0;
    memset(&g, 0, sizeof g);
    cr_assert_eq(lk_store_bot_labels(st, &f, &total, &labelled, msgs, &g), 0);
    cr_assert_eq(total, 5);
    cr_assert_eq(labelled, 4);
    cr_assert_str_eq(g.text, "c2/m21/bot/0/-/|");

    memset(&g, 0, sizeof g);
    cr_assert_eq(lk_store_decline_messages(st, &f, msgs, &g), 0);
    cr_assert_str_eq(g.text, "c1/m11/bot/1/Hallo!/|c1/m12/customer/0/-/answered|c1/m13/bot/1/Zo retourneer je/|"
                             "c1/m14/customer/0/-/declined|c1/m15/bot/1/Sorry/|",
                     "only conversations with a declined question, in seq order; no customer text");

    lk_callback_t *cbs = NULL;
    size_t n = 0;
    cr_assert_eq(lk_store_callbacks_between(st, 0, 10000, &cbs, &n), 0);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(cbs[0].id, "cb1");
    cr_assert_str_eq(cbs[0].conversation_id, "c2");
    cr_assert_str_eq(lk_callback_status_name(cbs[0].status), "open");
    cr_assert_eq(cbs[0].created_at, 2200);
    cr_assert_null(cbs[0].contact, "no personal data");
    cr_assert_null(cbs[0].text);
    lk_callbacks_free(cbs, n);
    cr_assert_eq(lk_store_callbacks_between(st, 2201, 10000, &cbs, &n), 0);
    cr_assert_eq(n, 0);
    free(cbs);
}

/* Issue 15: the facts count a conversation's offers of choices and the
 * answers to picks; other conversations count none. */
Test(store_analytics, choices_offered_and_picked)
{
    fixture();
    add_conv("c4", 4000, "nl", "web", NULL);
    add_msg("m41", "c4", 1, "customer", false, "pakket terug?", 4000, "clarify", NULL, NULL, NULL);
    lk_msg_choice_t ch[] = {{"retour-schoenen", "Schoenen retourneren"}, {"retour-kleding", "Kleding retourneren"}};
    lk_msg_t offer = {0};
    snprintf(offer.id, sizeof offer.id, "m42");
    snprintf(offer.conversation_id, sizeof offer.conversation_id, "c4");
    offer.seq = 2;
    offer.sender = LK_SENDER_BOT;
    offer.automated = true;
    offer.text = "Gaat je vraag over A of B?";
    offer.created_at = 4001;
    offer.choices = ch;
    offer.n_choices = 2;
    cr_assert_eq(lk_store_msg_insert(st, &offer), 0);
    add_msg("m43", "c4", 3, "customer", false, "Schoenen retourneren", 4100, "answered", "retour-schoenen", NULL,
            NULL);
    lk_msg_t pick = {0};
    snprintf(pick.id, sizeof pick.id, "m44");
    snprintf(pick.conversation_id, sizeof pick.conversation_id, "c4");
    pick.seq = 4;
    pick.sender = LK_SENDER_BOT;
    pick.automated = true;
    pick.text = "Zo retourneer je schoenen";
    pick.created_at = 4101;
    pick.article_id = "retour-schoenen";
    pick.chosen = true;
    cr_assert_eq(lk_store_msg_insert(st, &pick), 0);

    got_t g = {0};
    lk_facts_filter_t f = {0, 10000, NULL, NULL};
    cr_assert_eq(lk_store_conv_facts(st, &f, collect, &g), 0);
    cr_assert_eq(g.n, 4);
    for (size_t i = 0; i < g.n; i++) {
        bool c4 = strcmp(g.v[i].id, "c4") == 0;
        cr_assert_eq(g.v[i].choice_offers, c4 ? 1 : 0, "%s", g.v[i].id);
        cr_assert_eq(g.v[i].choice_picks, c4 ? 1 : 0, "%s", g.v[i].id);
        if (c4)
            cr_assert_eq(g.v[i].answered, 1, "the pick's question counts as answered");
    }
}
