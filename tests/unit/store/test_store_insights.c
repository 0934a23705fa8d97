/*
 * Unit tests for the store's insights part (src/store/sqlite/insights.c on SQLite): meta
 * settings, the gap report's questions (outcome, time range, language,
 * order, limit), answer reviews (replace, per conversation, per range, per
 * article, unknown message) and the queue of unreviewed bot answers. Each
 * test works in a fresh temporary directory.
 */
#include "store/store.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store_fixture.h"

TestSuite(store_insights, .init = store_fixture_setup, .fini = store_fixture_teardown);

static void add_conv(const char *id, const char *lang)
{
    lk_conv_t c = {0};
    snprintf(c.id, sizeof c.id, "%s", id);
    snprintf(c.token_hash, sizeof c.token_hash, "h");
    c.status = LK_CONV_BOT;
    snprintf(c.language, sizeof c.language, "%s", lang);
    c.created_at = c.updated_at = 1;
    c.next_seq = 1;
    cr_assert_eq(lk_store_conv_insert(st, &c), 0);
}

/* A message; outcome "" leaves it unrecorded, article NULL: none. */
static void add_msg(const char *id, const char *conv, int64_t seq, const char *sender, const char *text, int64_t at,
                    const char *outcome, const char *article, double conf)
{
    lk_msg_t m = {0};
    snprintf(m.id, sizeof m.id, "%s", id);
    snprintf(m.conversation_id, sizeof m.conversation_id, "%s", conv);
    m.seq = seq;
    lk_sender_parse(sender, &m.sender);
    m.automated = strcmp(sender, "customer") != 0;
    m.text = (char *)text;
    m.created_at = at;
    if (strcmp(sender, "bot") == 0 && article) {
        m.article_id = (char *)article;
        m.confidence = conf;
        m.has_confidence = true;
    }
    if (outcome[0]) {
        lk_outcome_parse(outcome, &m.outcome);
        m.outcome_article_id = (char *)article;
        m.outcome_confidence = conf;
        m.has_outcome_confidence = conf >= 0;
    }
    cr_assert_eq(lk_store_msg_insert(st, &m), 0);
}

Test(store_insights, meta_get_and_set)
{
    char *v = (char *)1;
    cr_assert_eq(lk_store_meta_get(st, "nlu_threshold", &v), LK_ENOENT);
    cr_assert_null(v);
    cr_assert_eq(lk_store_meta_set(st, "nlu_threshold", "0.565"), 0);
    cr_assert_eq(lk_store_meta_get(st, "nlu_threshold", &v), 0);
    cr_assert_str_eq(v, "0.565");
    free(v);
    cr_assert_eq(lk_store_meta_set(st, "nlu_threshold", "0.6"), 0, "replaces");
    cr_assert_eq(lk_store_meta_get(st, "nlu_threshold", &v), 0);
    cr_assert_str_eq(v, "0.6");
    free(v);
    int64_t kbv = -1;
    cr_assert_eq(lk_store_kb_version(st, &kbv), 0, "kb_version still there");
    cr_assert_eq(lk_store_meta_set(st, "", "x"), LK_EINVAL);
    cr_assert_eq(lk_store_meta_set(st, "k", NULL), LK_EINVAL);
}

Test(store_insights, gap_messages_by_outcome_range_and_language)
{
    add_conv("c_nl", "nl");
    add_conv("c_en", "en");
    add_msg("m_1", "c_nl", 1, "customer", "vacatures?", 100, "declined", NULL, -1);
    add_msg("m_2", "c_nl", 2, "customer", "paypal?", 200, "handoff", "betaalmethoden", 0.2);
    add_msg("m_3", "c_nl", 3, "customer", "retour?", 300, "answered", "retourneren", 0.9);
    add_msg("m_4", "c_nl", 4, "customer", "hallo", 400, "reply", NULL, -1);
    add_msg("m_5", "c_nl", 5, "customer", "na de overdracht", 500, "none", NULL, -1);
    add_msg("m_6", "c_en", 1, "customer", "hiring?", 600, "declined", NULL, -1);
    add_msg("m_7", "c_en", 2, "customer", "not recorded", 700, "", NULL, -1);

    lk_gap_msg_t *v;
    size_t n;
    cr_assert_eq(lk_store_gap_messages(st, 0, 0, NULL, 0, &v, &n), 0);
    cr_assert_eq(n, 3);
    cr_assert_str_eq(v[0].id, "m_6", "newest first");
    cr_assert_str_eq(v[0].language, "en");
    cr_assert_str_eq(lk_outcome_name(v[0].outcome), "declined");
    cr_assert_str_eq(v[1].id, "m_2");
    cr_assert_str_eq(v[1].text, "paypal?");
    cr_assert_str_eq(lk_outcome_name(v[1].outcome), "handoff");
    cr_assert_str_eq(v[1].conversation_id, "c_nl");
    cr_assert_eq(v[1].created_at, 200);
    cr_assert_str_eq(v[2].id, "m_1");
    lk_gap_msgs_free(v, n);

    cr_assert_eq(lk_store_gap_messages(st, 0, 0, "nl", 0, &v, &n), 0);
    cr_assert_eq(n, 2);
    lk_gap_msgs_free(v, n);
    cr_assert_eq(lk_store_gap_messages(st, 100, 200, NULL, 0, &v, &n), 0, "from inclusive, to exclusive");
    cr_assert_eq(n, 1);
    cr_assert_str_eq(v[0].id, "m_1");
    lk_gap_msgs_free(v, n);
    cr_assert_eq(lk_store_gap_messages(st, 0, 0, NULL, 1, &v, &n), 0);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(v[0].id, "m_6");
    lk_gap_msgs_free(v, n);
    cr_assert_eq(lk_store_gap_messages(st, 0, 0, "de", 0, &v, &n), 0);
    cr_assert_eq(n, 0);
    lk_gap_msgs_free(v, n);
}

static lk_review_t review(const char *msg, const char *conv, const char *article, double conf, const char *verdict,
                          const char *correct, const char *who, int64_t at)
{
    lk_review_t r = {0};
    snprintf(r.message_id, sizeof r.message_id, "%s", msg);
    snprintf(r.conversation_id, sizeof r.conversation_id, "%s", conv);
    snprintf(r.article_id, sizeof r.article_id, "%s", article);
    r.confidence = conf;
    r.has_confidence = conf >= 0;
    lk_verdict_parse(verdict, &r.verdict);
    snprintf(r.correct_article_id, sizeof r.correct_article_id, "%s", correct ? correct : "");
    snprintf(r.reviewer_id, sizeof r.reviewer_id, "%s", who);
    r.created_at = at;
    return r;
}

Test(store_insights, reviews_replace_list_and_count)
{
    add_conv("c_1", "nl");
    add_conv("c_2", "nl");
    add_msg("m_q1", "c_1", 1, "customer", "Hoe retourneer ik?", 100, "answered", "retourneren", 0.9);
    add_msg("m_a1", "c_1", 2, "bot", "Retourneren gaat zo...", 100, "", "retourneren", 0.9);
    add_msg("m_a2", "c_1", 3, "bot", "Verzendkosten zijn...", 200, "", "verzendkosten", 0.6);
    add_msg("m_a3", "c_2", 1, "bot", "Retourneren gaat zo...", 300, "", "retourneren", 0.7);

    lk_review_t r = review("m_a1", "c_1", "retourneren", 0.9, "wrong", "retourkosten", "u_anna", 1000);
    cr_assert_eq(lk_store_review_set(st, &r), 0);
    r = review("m_a1", "c_1", "retourneren", 0.9, "right", NULL, "u_sam", 2000);
    cr_assert_eq(lk_store_review_set(st, &r), 0, "a second mark replaces the first");
    r = review("m_a2", "c_1", "verzendkosten", 0.6, "wrong", NULL, "u_anna", 3000);
    cr_assert_eq(lk_store_review_set(st, &r), 0);
    r = review("m_a3", "c_2", "retourneren", 0.7, "wrong", NULL, "u_anna", 4000);
    cr_assert_eq(lk_store_review_set(st, &r), 0);

    lk_review_t *v;
    size_t n;
    cr_assert_eq(lk_store_review_list_conv(st, "c_1", &v, &n), 0);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(v[0].message_id, "m_a1");
    cr_assert_str_eq(lk_verdict_name(v[0].verdict), "right");
    cr_assert_str_eq(v[0].reviewer_id, "u_sam");
    cr_assert_str_eq(v[0].correct_article_id, "");
    cr_assert_eq(v[0].created_at, 2000);
    cr_assert(v[0].has_confidence);
    cr_assert_float_eq(v[0].confidence, 0.9, 1e-12);
    cr_assert_str_eq(v[1].message_id, "m_a2");
    free(v);

    cr_assert_eq(lk_store_review_list(st, 0, 0, 0, &v, &n), 0);
    cr_assert_eq(n, 3);
    cr_assert_str_eq(v[0].message_id, "m_a3", "newest first");
    free(v);
    cr_assert_eq(lk_store_review_list(st, 2000, 4000, 0, &v, &n), 0);
    cr_assert_eq(n, 2);
    free(v);

    lk_review_count_t *c;
    cr_assert_eq(lk_store_review_counts(st, 0, 0, &c, &n), 0);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(c[0].article_id, "retourneren");
    cr_assert_eq(c[0].reviewed, 2);
    cr_assert_eq(c[0].right, 1);
    cr_assert_str_eq(c[1].article_id, "verzendkosten");
    cr_assert_eq(c[1].reviewed, 1);
    cr_assert_eq(c[1].right, 0);
    free(c);
    cr_assert_eq(lk_store_review_counts(st, 3500, 0, &c, &n), 0);
    cr_assert_eq(n, 1);
    cr_assert_eq(c[0].reviewed, 1);
    free(c);

    r = review("m_nope", "c_1", "x", 0.5, "right", NULL, "u_anna", 1);
    cr_assert_eq(lk_store_review_set(st, &r), LK_ENOENT, "unknown message");
    r = review("m_a1", "c_1", "x", 0.5, "maybe", NULL, "u_anna", 1);
    cr_assert_eq(lk_store_review_set(st, &r), LK_EINVAL, "bad verdict");
}

Test(store_insights, review_queue_unreviewed_newest_first_with_question)
{
    add_conv("c_1", "nl");
    add_msg("m_g", "c_1", 1, "bot", "Hallo! Ik ben de digitale assistent.", 10, "", NULL, -1);
    add_msg("m_q1", "c_1", 2, "customer", "Hoe retourneer ik?", 100, "answered", "retourneren", 0.9);
    add_msg("m_a1", "c_1", 3, "bot", "Retourneren gaat zo...", 100, "", "retourneren", 0.9);
    add_msg("m_q2", "c_1", 4, "customer", "En de kosten?", 200, "answered", "retourkosten", 0.7);
    add_msg("m_a2", "c_1", 5, "bot", "Retourkosten zijn...", 200, "", "retourkosten", 0.7);
    lk_review_pending_t *v;
    size_t n;
    cr_assert_eq(lk_store_review_queue(st, 0, &v, &n), 0);
    cr_assert_eq(n, 2, "only bot answers from the knowledge base");
    cr_assert_str_eq(v[0].message_id, "m_a2");
    cr_assert_str_eq(v[0].question, "En de kosten?");
    cr_assert_str_eq(v[0].answer, "Retourkosten zijn...");
    cr_assert_str_eq(v[0].article_id, "retourkosten");
    cr_assert_float_eq(v[0].confidence, 0.7, 1e-12);
    cr_assert_str_eq(v[1].question, "Hoe retourneer ik?");
    lk_review_pendings_free(v, n);

    lk_review_t r = review("m_a2", "c_1", "retourkosten", 0.7, "right", NULL, "u", 300);
    cr_assert_eq(lk_store_review_set(st, &r), 0);
    cr_assert_eq(lk_store_review_queue(st, 10, &v, &n), 0);
    cr_assert_eq(n, 1, "a reviewed answer leaves the queue");
    cr_assert_str_eq(v[0].message_id, "m_a1");
    lk_review_pendings_free(v, n);
}
