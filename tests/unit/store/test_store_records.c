/*
 * Unit tests for the closed sets the store's records carry as enums
 * (src/store/records.c; the sender set is the policy's, src/policy/state.c,
 * and is held to the same rules here): every value's name is the text the database and
 * the API hold and parses back to the value; an unknown name, NULL and
 * the NONE value are refused. Then through the backend: a message of every
 * sender and outcome, a review of every verdict, an article's every change
 * and a security event of every kind are stored under their names and read
 * back as the same values, and a record with a value outside its set is
 * refused.
 */
#include "store/store.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "store_fixture.h"

/* ---- names ------------------------------------------------------------ */

/* One closed set seen as ints: its functions and its values with their
 * names as CONTRACT.md and the schema spell them. */
typedef struct {
    int value;
    const char *name;
} named_t;

typedef struct {
    const char *set;
    const char *(*name)(int v);
    int (*parse)(const char *name, int *out);
    const named_t *values;
    size_t n;
} set_t;

/* Adapts lk_<fn>_name and lk_<fn>_parse to ints. */
#define AS_INT(fn, type)                                                                                               \
    static const char *fn##_name(int v)                                                                                \
    {                                                                                                                  \
        return lk_##fn##_name((type)v);                                                                                \
    }                                                                                                                  \
    static int fn##_parse(const char *name, int *out)                                                                  \
    {                                                                                                                  \
        type v = (type)-1;                                                                                             \
        int rc = lk_##fn##_parse(name, &v);                                                                            \
        *out = (int)v;                                                                                                 \
        return rc;                                                                                                     \
    }

AS_INT(sender, lk_sender_t)
AS_INT(outcome, lk_outcome_t)
AS_INT(change, lk_change_t)
AS_INT(verdict, lk_verdict_t)
AS_INT(role, lk_role_t)
AS_INT(callback_status, lk_callback_status_t)
AS_INT(draft_status, lk_draft_status_t)
AS_INT(draft_source, lk_draft_source_t)
AS_INT(article_status, lk_article_status_t)
AS_INT(provenance, lk_provenance_t)
AS_INT(sec_kind, lk_sec_kind_t)
AS_INT(labelled_source, lk_labelled_source_t)

static const named_t senders[] = {
    {LK_SENDER_CUSTOMER, "customer"}, {LK_SENDER_BOT, "bot"}, {LK_SENDER_AGENT, "agent"}, {LK_SENDER_SYSTEM, "system"}};
static const named_t outcomes[] = {{LK_OUTCOME_ANSWERED, "answered"}, {LK_OUTCOME_DECLINED, "declined"},
                                   {LK_OUTCOME_HANDOFF, "handoff"},   {LK_OUTCOME_CLARIFY, "clarify"},
                                   {LK_OUTCOME_REPLY, "reply"},       {LK_OUTCOME_PERSON, "none"}};
static const named_t changes[] = {{LK_CHANGE_CREATED, "created"},
                                  {LK_CHANGE_EDITED, "edited"},
                                  {LK_CHANGE_ARCHIVED, "archived"},
                                  {LK_CHANGE_RESTORED, "restored"},
                                  {LK_CHANGE_IMPORTED, "imported"}};
static const named_t verdicts[] = {{LK_VERDICT_RIGHT, "right"}, {LK_VERDICT_WRONG, "wrong"}};
static const named_t roles[] = {{LK_ROLE_AGENT, "agent"}, {LK_ROLE_SUPERVISOR, "supervisor"}, {LK_ROLE_ADMIN, "admin"}};
static const named_t callback_statuses[] = {{LK_CALLBACK_OPEN, "open"}, {LK_CALLBACK_DONE, "done"}};
static const named_t draft_statuses[] = {
    {LK_DRAFT_OPEN, "draft"}, {LK_DRAFT_PUBLISHED, "published"}, {LK_DRAFT_DISCARDED, "discarded"}};
static const named_t draft_sources[] = {
    {LK_DRAFT_SOURCE_EDITOR, "editor"}, {LK_DRAFT_SOURCE_GAP_REPORT, "gap_report"}, {LK_DRAFT_SOURCE_IMPORT, "import"}};
static const named_t article_statuses[] = {{LK_ARTICLE_PUBLISHED, "published"}, {LK_ARTICLE_ARCHIVED, "archived"}};
static const named_t provenances[] = {{LK_PROVENANCE_HUMAN, "human"},
                                      {LK_PROVENANCE_SUGGESTED, "suggested"},
                                      {LK_PROVENANCE_SUGGESTED_EDITED, "suggested_edited"}};

static const named_t sec_kinds[] = {{LK_SEC_LOGIN_FAILED, "login_failed"},
                                    {LK_SEC_LOCKOUT, "lockout"},
                                    {LK_SEC_CROSS_SITE, "cross_site"},
                                    {LK_SEC_FORBIDDEN, "forbidden"},
                                    {LK_SEC_RATE_LIMITED, "rate_limited"}};
static const named_t labelled_sources[] = {
    {LK_LABELLED_IMPORT, "import"}, {LK_LABELLED_CONSOLE, "console"}, {LK_LABELLED_REVIEW, "review"}};

#define SET(fn, values)                                                                                                \
    {                                                                                                                  \
#fn, fn##_name, fn##_parse, values, sizeof values / sizeof values[0]                                           \
    }

static const set_t sets[] = {
    SET(sender, senders),
    SET(outcome, outcomes),
    SET(change, changes),
    SET(verdict, verdicts),
    SET(role, roles),
    SET(callback_status, callback_statuses),
    SET(draft_status, draft_statuses),
    SET(draft_source, draft_sources),
    SET(article_status, article_statuses),
    SET(provenance, provenances),
    SET(sec_kind, sec_kinds),
    SET(labelled_source, labelled_sources),
};

Test(store_records, every_value_is_named_and_parses_back)
{
    for (size_t s = 0; s < sizeof sets / sizeof sets[0]; s++) {
        const set_t *x = &sets[s];
        for (size_t i = 0; i < x->n; i++) {
            const named_t *v = &x->values[i];
            cr_assert_neq(v->value, 0, "%s %s: NONE is no value", x->set, v->name);
            cr_assert_str_eq(x->name(v->value), v->name, "%s", x->set);
            int got = -1;
            cr_assert_eq(x->parse(v->name, &got), 0, "%s %s", x->set, v->name);
            cr_assert_eq(got, v->value, "%s %s", x->set, v->name);
        }
        /* NONE and a value past the last have no name */
        cr_assert_str_eq(x->name(0), "", "%s", x->set);
        cr_assert_str_eq(x->name((int)x->n + 1), "", "%s", x->set);
        cr_assert_str_eq(x->name(-1), "", "%s", x->set);
    }
}

Test(store_records, an_unknown_name_is_refused)
{
    static const char *const unknown[] = {"", "unknown", "Bot", "bot ", "choices", "all", "ANSWERED"};
    for (size_t s = 0; s < sizeof sets / sizeof sets[0]; s++) {
        const set_t *x = &sets[s];
        for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
            int got = -1;
            cr_assert_eq(x->parse(unknown[i], &got), LK_EINVAL, "%s \"%s\"", x->set, unknown[i]);
            cr_assert_eq(got, 0, "%s \"%s\" gives NONE", x->set, unknown[i]);
        }
        int got = -1;
        cr_assert_eq(x->parse(NULL, &got), LK_EINVAL, "%s NULL", x->set);
        cr_assert_eq(got, 0);
    }
    /* a check without an out */
    cr_assert_eq(lk_sender_parse("agent", NULL), 0);
    cr_assert_eq(lk_outcome_parse("maybe", NULL), LK_EINVAL);
}

/* ---- through the backend ---------------------------------------------- */

TestSuite(store_records_db, .init = store_fixture_setup, .fini = store_fixture_teardown);

Test(store_records_db, messages_keep_every_sender_and_outcome)
{
    lk_conv_t c = store_fixture_conv("c_1", "bot", 0);
    cr_assert_eq(lk_store_conv_insert(st, &c), 0);
    size_t n_senders = sizeof senders / sizeof senders[0], n_outcomes = sizeof outcomes / sizeof outcomes[0];
    int64_t seq = 0;
    for (size_t i = 0; i < n_senders; i++)
        for (size_t k = 0; k <= n_outcomes; k++) { /* k == n_outcomes: not recorded */
            lk_msg_t m = store_fixture_msg("c_1", ++seq, senders[i].name, "tekst");
            cr_assert_eq(m.sender, (lk_sender_t)senders[i].value);
            m.outcome = k < n_outcomes ? (lk_outcome_t)outcomes[k].value : LK_OUTCOME_NONE;
            cr_assert_eq(lk_store_msg_insert(st, &m), 0, "%s", senders[i].name);
        }
    lk_msg_t *v;
    size_t n;
    cr_assert_eq(lk_store_msg_list(st, "c_1", 0, 0, &v, &n), 0);
    cr_assert_eq(n, (size_t)seq);
    for (size_t j = 0; j < n; j++) {
        size_t i = j / (n_outcomes + 1), k = j % (n_outcomes + 1);
        cr_assert_eq(v[j].sender, (lk_sender_t)senders[i].value, "message %zu", j);
        cr_assert_eq(v[j].outcome, k < n_outcomes ? (lk_outcome_t)outcomes[k].value : LK_OUTCOME_NONE, "message %zu",
                     j);
    }
    lk_msgs_free(v, n);

    /* the database holds the names; an outcome not recorded is NULL */
    char sql[160];
    for (size_t i = 0; i < n_senders; i++) {
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM messages WHERE sender = '%s'", senders[i].name);
        cr_assert_eq(store_fixture_count(sql), (int64_t)n_outcomes + 1, "%s", sql);
    }
    for (size_t k = 0; k < n_outcomes; k++) {
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM messages WHERE outcome = '%s'", outcomes[k].name);
        cr_assert_eq(store_fixture_count(sql), (int64_t)n_senders, "%s", sql);
    }
    cr_assert_eq(store_fixture_count("SELECT COUNT(*) FROM messages WHERE outcome IS NULL"), (int64_t)n_senders);

    /* the last two customer messages, by the enum */
    cr_assert_eq(lk_store_msg_list_recent(st, "c_1", LK_SENDER_CUSTOMER, 2, &v, &n), 0);
    cr_assert_eq(n, 2);
    cr_assert_eq(v[0].sender, LK_SENDER_CUSTOMER);
    cr_assert_eq(v[1].outcome, LK_OUTCOME_NONE);
    lk_msgs_free(v, n);
}

Test(store_records_db, a_value_outside_its_set_is_refused)
{
    lk_conv_t c = store_fixture_conv("c_1", "bot", 0);
    cr_assert_eq(lk_store_conv_insert(st, &c), 0);
    lk_msg_t m = store_fixture_msg("c_1", 1, "bot", "tekst");
    m.sender = LK_SENDER_NONE;
    cr_assert_eq(lk_store_msg_insert(st, &m), LK_EINVAL, "a message has a sender");
    m.sender = (lk_sender_t)99;
    cr_assert_eq(lk_store_msg_insert(st, &m), LK_EINVAL);
    m.sender = LK_SENDER_CUSTOMER;
    m.outcome = (lk_outcome_t)99;
    cr_assert_eq(lk_store_msg_insert(st, &m), LK_EINVAL);
    lk_msg_t *v;
    size_t n;
    cr_assert_eq(lk_store_msg_list_recent(st, "c_1", LK_SENDER_NONE, 10, &v, &n), LK_EINVAL);
    cr_assert_eq(store_fixture_count("SELECT COUNT(*) FROM messages"), 0, "nothing was stored");

    m.outcome = LK_OUTCOME_NONE;
    m.sender = LK_SENDER_BOT;
    cr_assert_eq(lk_store_msg_insert(st, &m), 0);
    lk_review_t r = {0};
    snprintf(r.message_id, sizeof r.message_id, "%s", m.id);
    snprintf(r.conversation_id, sizeof r.conversation_id, "c_1");
    snprintf(r.article_id, sizeof r.article_id, "retourneren");
    cr_assert_eq(lk_store_review_set(st, &r), LK_EINVAL, "a review has a verdict");
    r.verdict = (lk_verdict_t)99;
    cr_assert_eq(lk_store_review_set(st, &r), LK_EINVAL);
    cr_assert_eq(store_fixture_count("SELECT COUNT(*) FROM answer_reviews"), 0);

    cr_assert_eq(lk_store_draft_finish(st, "d_1", LK_DRAFT_NONE, NULL, 1), LK_EINVAL);
    cr_assert_eq(lk_store_draft_finish(st, "d_1", (lk_draft_status_t)99, NULL, 1), LK_EINVAL);
}

Test(store_records_db, reviews_keep_their_verdict)
{
    lk_conv_t c = store_fixture_conv("c_1", "bot", 0);
    cr_assert_eq(lk_store_conv_insert(st, &c), 0);
    for (size_t i = 0; i < sizeof verdicts / sizeof verdicts[0]; i++) {
        lk_msg_t m = store_fixture_msg("c_1", (int64_t)i + 1, "bot", "antwoord");
        cr_assert_eq(lk_store_msg_insert(st, &m), 0);
        lk_review_t r = {0};
        snprintf(r.message_id, sizeof r.message_id, "%s", m.id);
        snprintf(r.conversation_id, sizeof r.conversation_id, "c_1");
        snprintf(r.article_id, sizeof r.article_id, "retourneren");
        r.verdict = (lk_verdict_t)verdicts[i].value;
        r.created_at = (int64_t)i + 1;
        cr_assert_eq(lk_store_review_set(st, &r), 0);
    }
    lk_review_t *v;
    size_t n;
    cr_assert_eq(lk_store_review_list_conv(st, "c_1", &v, &n), 0);
    cr_assert_eq(n, sizeof verdicts / sizeof verdicts[0]);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(v[i].verdict, (lk_verdict_t)verdicts[i].value);
    free(v);
    cr_assert_eq(store_fixture_count("SELECT COUNT(*) FROM answer_reviews WHERE verdict = 'right'"), 1);
    cr_assert_eq(store_fixture_count("SELECT COUNT(*) FROM answer_reviews WHERE verdict = 'wrong'"), 1);
}

Test(store_records_db, article_versions_keep_their_change)
{
    lk_article_t a = {0};
    a.id = (char *)"retourneren";
    a.language = (char *)"nl";
    a.title = (char *)"Retourneren";
    a.answer = (char *)"Binnen 30 dagen.";
    char *q[] = {(char *)"Hoe retourneer ik?"};
    a.questions = q;
    a.n_questions = 1;
    cr_assert_eq(lk_store_article_publish(st, &a, true, "u_sam", 1000, NULL), 0);
    cr_assert_eq(lk_store_article_publish(st, &a, false, "u_sam", 2000, NULL), 0);
    cr_assert_eq(lk_store_article_set_archived(st, "retourneren", true, "u_sam", 3000, NULL), 0);
    cr_assert_eq(lk_store_article_set_archived(st, "retourneren", false, "u_sam", 4000, NULL), 0);
    lk_article_version_t *v;
    size_t n;
    cr_assert_eq(lk_store_article_versions(st, "retourneren", 0, &v, &n), 0);
    cr_assert_eq(n, 4);
    /* newest first */
    static const lk_change_t want[] = {LK_CHANGE_RESTORED, LK_CHANGE_ARCHIVED, LK_CHANGE_EDITED, LK_CHANGE_CREATED};
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(v[i].change, want[i], "version %lld: %s", (long long)v[i].version, lk_change_name(v[i].change));
    lk_article_versions_free(v, n);
    cr_assert_eq(store_fixture_count("SELECT COUNT(*) FROM article_versions WHERE change IN "
                                     "('created', 'edited', 'archived', 'restored')"),
                 4);

    lk_article_rec_t *list;
    cr_assert_eq(lk_store_article_list(st, LK_ARTICLE_PUBLISHED, &list, &n), 0);
    cr_assert_eq(n, 1);
    lk_article_recs_free(list, n);
    cr_assert_eq(lk_store_article_list(st, LK_ARTICLE_ARCHIVED, &list, &n), 0);
    cr_assert_eq(n, 0);
    lk_article_recs_free(list, n);
    cr_assert_eq(lk_store_article_list(st, LK_ARTICLE_NONE, &list, &n), 0);
    cr_assert_eq(n, 1, "NONE: any status");
    lk_article_recs_free(list, n);
}

Test(store_records_db, security_events_keep_their_kind)
{
    size_t n_kinds = sizeof sec_kinds / sizeof sec_kinds[0];
    for (size_t i = 0; i < n_kinds; i++) {
        lk_secevent_t e = {.at = (int64_t)i + 1, .kind = (lk_sec_kind_t)sec_kinds[i].value};
        e.reason = (char *)"test";
        cr_assert_eq(lk_store_secevent_add(st, &e), 0, "%s", sec_kinds[i].name);
    }
    lk_secevent_t bad = {.at = 9, .kind = LK_SEC_NONE};
    bad.reason = (char *)"test";
    cr_assert_eq(lk_store_secevent_add(st, &bad), LK_EINVAL, "an event has a kind");
    bad.kind = LK_SEC__COUNT;
    cr_assert_eq(lk_store_secevent_add(st, &bad), LK_EINVAL);

    lk_secevent_t *v;
    size_t n;
    cr_assert_eq(lk_store_secevent_list(st, LK_SEC_NONE, 0, 100, &v, &n), 0);
    cr_assert_eq(n, n_kinds, "NONE: every kind");
    for (size_t i = 0; i < n; i++) /* newest first */
        cr_assert_eq(v[i].kind, (lk_sec_kind_t)sec_kinds[n_kinds - 1 - i].value);
    lk_secevents_free(v, n);
    char sql[128];
    for (size_t i = 0; i < n_kinds; i++) {
        cr_assert_eq(lk_store_secevent_list(st, (lk_sec_kind_t)sec_kinds[i].value, 0, 100, &v, &n), 0);
        cr_assert_eq(n, 1, "%s", sec_kinds[i].name);
        cr_assert_eq(v[0].kind, (lk_sec_kind_t)sec_kinds[i].value);
        lk_secevents_free(v, n);
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM security_events WHERE kind = '%s'", sec_kinds[i].name);
        cr_assert_eq(store_fixture_count(sql), 1, "%s", sql);
    }
}
