/*
 * Unit tests for the store's privacy functions: a customer's export holds
 * their records and nobody else's; erasure and the retention purge leave
 * nothing behind, checked by reading the database with a connection of its
 * own (every table, every column: store_fixture.h); the purge keeps
 * what is not yet due, in batches; the audit log's filters and paging.
 */
#include "store/store.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store_fixture.h"

#define DAY (24LL * 3600 * 1000)

/* Asserts every count of got but identifiers (which these tests do not
 * set up) against want; what names the step in a failure. */
static void assert_counts(const lk_privacy_counts_t *got, lk_privacy_counts_t want, const char *what)
{
    cr_assert_eq(got->conversations, want.conversations, "%s: conversations %lld", what, (long long)got->conversations);
    cr_assert_eq(got->messages, want.messages, "%s: messages %lld", what, (long long)got->messages);
    cr_assert_eq(got->notes, want.notes, "%s: notes %lld", what, (long long)got->notes);
    cr_assert_eq(got->callbacks, want.callbacks, "%s: callbacks %lld", what, (long long)got->callbacks);
    cr_assert_eq(got->feedback, want.feedback, "%s: feedback %lld", what, (long long)got->feedback);
    cr_assert_eq(got->reviews, want.reviews, "%s: reviews %lld", what, (long long)got->reviews);
    cr_assert_eq(got->audit, want.audit, "%s: audit %lld", what, (long long)got->audit);
}

static void add_conv(const char *id, const char *email, const char *external_id, int64_t closed_at)
{
    lk_conv_t c = store_fixture_conv(id, closed_at ? "closed" : "assigned", 0);
    c.created_at = closed_at ? closed_at - 1000 : 1000;
    c.updated_at = c.created_at;
    c.closed_at = closed_at;
    c.customer_email = (char *)email;
    c.customer_external_id = (char *)external_id;
    c.rating = 4;
    c.rating_comment = (char *)"prima geholpen";
    cr_assert_eq(lk_store_conv_insert(st, &c), 0);
}

static void add_msg(const char *conv, int64_t seq, const char *sender, const char *text)
{
    lk_msg_t m = store_fixture_msg(conv, seq, sender, text);
    m.automated = strcmp(sender, "bot") == 0;
    cr_assert_eq(lk_store_msg_insert(st, &m), 0);
}

static void add_callback(const char *id, const char *conv, const char *contact, bool done, int64_t created,
                         int64_t handled)
{
    lk_callback_t cb;
    memset(&cb, 0, sizeof cb);
    snprintf(cb.id, sizeof cb.id, "%s", id);
    if (conv)
        snprintf(cb.conversation_id, sizeof cb.conversation_id, "%s", conv);
    cb.contact = (char *)contact;
    cb.text = (char *)"bel me terug";
    cb.status = LK_CALLBACK_OPEN;
    cb.created_at = created;
    cr_assert_eq(lk_store_callback_insert(st, &cb), 0);
    if (done)
        cr_assert_eq(lk_store_callback_done(st, id, "u_agent", handled), 0);
}

/* Customer "jan@example.nl" (conversation c_jan1, and c_jan2 under his
 * external id), customer "piet@example.nl" (c_piet), and a call-back Jan
 * left by e-mail outside any conversation. */
static void populate(void)
{
    cr_assert_eq(lk_store_begin(st), 0);
    add_conv("c_jan1", "jan@example.nl", NULL, 10 * DAY);
    add_conv("c_jan2", NULL, "ext-42", 11 * DAY);
    add_conv("c_piet", "piet@example.nl", "ext-7", 10 * DAY);
    add_msg("c_jan1", 1, "bot", "Hallo, ik ben de digitale assistent.");
    add_msg("c_jan1", 2, "customer", "Mijn BSN is 123456782, mijn naam is Jan Modaal");
    add_msg("c_jan1", 3, "agent", "Dank je, Jan.");
    add_msg("c_jan2", 1, "customer", "Waar blijft mijn pakket? Jan Modaal");
    add_msg("c_piet", 1, "bot", "Hallo, ik ben de digitale assistent.");
    add_msg("c_piet", 2, "customer", "Ik ben Piet Puk");
    lk_note_t note = {.id = "n_1",
                      .conversation_id = "c_jan1",
                      .author_id = "u_agent",
                      .author_name = (char *)"Anna",
                      .text = (char *)"Jan Modaal belt vaker",
                      .created_at = 3000};
    cr_assert_eq(lk_store_note_insert(st, &note), 0);
    add_callback("cb_1", "c_jan1", "06-12345678", true, 3000, 4000);
    add_callback("cb_2", NULL, "JAN@example.nl", false, 3000, 0);
    add_callback("cb_3", "c_piet", "piet@example.nl", true, 3000, 4000);
    cr_assert_eq(lk_store_feedback_set(st, "c_jan1", "m_c_jan1_1", true, 3000), 0);
    cr_assert_eq(lk_store_feedback_set(st, "c_piet", "m_c_piet_1", false, 3000), 0);
    cr_assert_eq(lk_store_audit(st, 3000, "u_agent", "conversation.view", "c_jan1", NULL), 0);
    cr_assert_eq(lk_store_audit(st, 3001, "customer", "conversation.create", "c_jan2", NULL), 0);
    cr_assert_eq(lk_store_audit(st, 3002, "customer", "conversation.create", "c_piet", NULL), 0);
    cr_assert_eq(lk_store_commit(st), 0);
    store_fixture_exec("INSERT INTO answer_reviews (message_id, conversation_id, article_id, confidence, verdict, created_at) "
        "VALUES ('m_c_jan1_1', 'c_jan1', 'greeting', 0.9, 'right', 3000), "
        "('m_c_piet_1', 'c_piet', 'greeting', 0.9, 'wrong', 3000)");
}

static lk_privacy_subject_t who(const char *email, const char *external_id, const char *phone)
{
    return (lk_privacy_subject_t){.email = email, .external_id = external_id, .phone = phone};
}

static json_t *export_of(const char *email, const char *external_id, lk_privacy_counts_t *counts)
{
    char *text = NULL;
    lk_privacy_subject_t w = who(email, external_id, NULL);
    cr_assert_eq(lk_store_privacy_export(st, &w, 5 * DAY, &text, counts), 0);
    json_error_t err;
    json_t *doc = json_loads(text, 0, &err);
    cr_assert_not_null(doc, "export is not JSON: %s", err.text);
    cr_assert_null(strstr(text, "token_hash"));
    free(text);
    return doc;
}

static json_t *conv_in(json_t *doc, const char *id)
{
    json_t *arr = json_object_get(doc, "conversations");
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *c = json_array_get(arr, i);
        if (strcmp(json_string_value(json_object_get(c, "id")), id) == 0)
            return c;
    }
    return NULL;
}

Test(store_privacy, export_by_email_holds_the_customer_only, .init = store_fixture_setup, .fini = store_fixture_teardown)
{
    populate();
    lk_privacy_counts_t counts;
    json_t *doc = export_of("Jan@Example.NL", NULL, &counts);
    cr_assert_str_eq(json_string_value(json_object_get(doc, "format")), "loket-privacy-export/1");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(doc, "subject"), "email")), "jan@example.nl");
    cr_assert_eq(json_array_size(json_object_get(doc, "conversations")), 1);
    json_t *c = conv_in(doc, "c_jan1");
    cr_assert_not_null(c);
    cr_assert_null(conv_in(doc, "c_piet"));
    cr_assert_str_eq(json_string_value(json_object_get(c, "rating_comment")), "prima geholpen");
    cr_assert_str_eq(json_string_value(json_object_get(c, "closed_at")), "1970-01-11T00:00:00.000Z");
    json_t *msgs = json_object_get(c, "messages");
    cr_assert_eq(json_array_size(msgs), 3);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(msgs, 1), "text")),
                     "Mijn BSN is 123456782, mijn naam is Jan Modaal");
    cr_assert_eq(json_array_size(json_object_get(c, "notes")), 1);
    cr_assert_eq(json_array_size(json_object_get(c, "callback_requests")), 1);
    cr_assert_eq(json_array_size(json_object_get(c, "feedback")), 1);
    cr_assert_eq(json_array_size(json_object_get(c, "reviews")), 1);
    cr_assert_eq(json_array_size(json_object_get(c, "audit")), 1);
    /* the call-back left by e-mail, outside any conversation */
    json_t *cbs = json_object_get(doc, "callback_requests");
    cr_assert_eq(json_array_size(cbs), 1);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(cbs, 0), "id")), "cb_2");
    assert_counts(&counts, (lk_privacy_counts_t){.conversations = 1, .messages = 3, .notes = 1, .callbacks = 2,
                                                 .feedback = 1, .reviews = 1, .audit = 1}, "export");
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(doc, "counts"), "messages")), 3);
    json_decref(doc);
}

Test(store_privacy, export_by_external_id_and_both, .init = store_fixture_setup, .fini = store_fixture_teardown)
{
    populate();
    json_t *doc = export_of(NULL, "ext-42", NULL);
    cr_assert_eq(json_array_size(json_object_get(doc, "conversations")), 1);
    cr_assert_not_null(conv_in(doc, "c_jan2"));
    cr_assert_eq(json_array_size(json_object_get(doc, "callback_requests")), 0);
    json_decref(doc);
    doc = export_of("jan@example.nl", "ext-42", NULL);
    cr_assert_eq(json_array_size(json_object_get(doc, "conversations")), 2);
    json_decref(doc);
    doc = export_of("nobody@example.nl", NULL, NULL);
    cr_assert_eq(json_array_size(json_object_get(doc, "conversations")), 0);
    json_decref(doc);
    char *text = NULL;
    lk_privacy_subject_t none = who(NULL, NULL, NULL), empty = who("", "", "");
    cr_assert_eq(lk_store_privacy_export(st, NULL, 0, &text, NULL), LK_EINVAL);
    cr_assert_eq(lk_store_privacy_export(st, &none, 0, &text, NULL), LK_EINVAL);
    cr_assert_eq(lk_store_privacy_export(st, &empty, 0, &text, NULL), LK_EINVAL);
    cr_assert_null(text);
}

Test(store_privacy, erase_leaves_nothing, .init = store_fixture_setup, .fini = store_fixture_teardown)
{
    populate();
    cr_assert_gt(store_fixture_occurrences("Jan Modaal"), 0);
    cr_assert_gt(store_fixture_occurrences("jan@example.nl"), 0);
    lk_privacy_counts_t counts;
    cr_assert_eq(lk_store_begin(st), 0);
    cr_assert_eq(lk_store_privacy_erase(st, &(lk_privacy_subject_t){.email = "JAN@example.nl", .external_id = "ext-42"}, &counts), 0);
    cr_assert_eq(lk_store_commit(st), 0);
    /* audit: the records unlinked */
    assert_counts(&counts, (lk_privacy_counts_t){.conversations = 2, .messages = 4, .notes = 1, .callbacks = 2,
                                                 .feedback = 1, .reviews = 1, .audit = 2}, "erase");

    /* nothing of Jan anywhere in the file; Piet untouched */
    cr_assert_eq(store_fixture_occurrences("Jan Modaal"), 0);
    cr_assert_eq(store_fixture_occurrences("jan@example.nl"), 0);
    cr_assert_eq(store_fixture_occurrences("JAN@example.nl"), 0);
    cr_assert_eq(store_fixture_occurrences("ext-42"), 0);
    cr_assert_eq(store_fixture_occurrences("123456782"), 0);
    cr_assert_eq(store_fixture_occurrences("c_jan"), 0); /* ids too, audit records included */
    static const store_fixture_expect_t stored[] = {
        {"SELECT COUNT(*) FROM conversations", 1},
        {"SELECT COUNT(*) FROM messages WHERE conversation_id = 'c_piet'", 2},
        {"SELECT COUNT(*) FROM callback_requests", 1},
        {"SELECT COUNT(*) FROM message_feedback", 1},
        {"SELECT COUNT(*) FROM answer_reviews", 1},
        /* the audit records stay, without the conversation ids */
        {"SELECT COUNT(*) FROM audit_log", 3},
        {"SELECT COUNT(*) FROM audit_log WHERE conversation_id IS NULL", 2},
    };
    store_fixture_expect_counts(stored, sizeof stored / sizeof stored[0]);

    /* a second erasure finds nothing */
    cr_assert_eq(lk_store_begin(st), 0);
    cr_assert_eq(lk_store_privacy_erase(st, &(lk_privacy_subject_t){.email = "jan@example.nl", .external_id = "ext-42"}, &counts), 0);
    cr_assert_eq(lk_store_commit(st), 0);
    cr_assert_eq(counts.conversations + counts.messages + counts.callbacks + counts.audit, 0);
    cr_assert_eq(lk_store_privacy_erase(st, &(lk_privacy_subject_t){.email = NULL, .external_id = ""}, &counts), LK_EINVAL);
}

/* secure_delete: erased text is overwritten in the file itself, not only
 * unlinked from the tables (once the write-ahead log is copied back). */
Test(store_privacy, erased_text_is_gone_from_the_file, .init = store_fixture_setup, .fini = store_fixture_teardown)
{
    populate();
    cr_assert_eq(lk_store_checkpoint(st, NULL), 0);
    cr_assert_gt(store_fixture_file_occurrences("Jan Modaal"), 0);
    cr_assert_eq(lk_store_begin(st), 0);
    cr_assert_eq(lk_store_privacy_erase(st, &(lk_privacy_subject_t){.email = "jan@example.nl", .external_id = "ext-42"}, NULL), 0);
    cr_assert_eq(lk_store_commit(st), 0);
    cr_assert_eq(lk_store_checkpoint(st, NULL), 0);
    cr_assert_eq(store_fixture_file_occurrences("Jan Modaal"), 0);
    cr_assert_eq(store_fixture_file_occurrences("123456782"), 0);
    cr_assert_gt(store_fixture_file_occurrences("Piet Puk"), 0);
}

Test(store_privacy, erase_rolls_back_with_its_transaction, .init = store_fixture_setup, .fini = store_fixture_teardown)
{
    populate();
    cr_assert_eq(lk_store_begin(st), 0);
    cr_assert_eq(lk_store_privacy_erase(st, &(lk_privacy_subject_t){.email = "jan@example.nl", .external_id = NULL}, NULL), 0);
    cr_assert_eq(lk_store_rollback(st), 0);
    cr_assert_eq(store_fixture_count("SELECT COUNT(*) FROM conversations"), 3);
    cr_assert_eq(store_fixture_count("SELECT COUNT(*) FROM messages"), 6);
}

/* Retention: conversations closed on days 10, 20, 30 (and one open); call-back
 * requests of several ages and states; audit records. */
static void populate_ages(void)
{
    cr_assert_eq(lk_store_begin(st), 0);
    add_conv("c_d10", NULL, NULL, 10 * DAY);
    add_conv("c_d20", NULL, NULL, 20 * DAY);
    add_conv("c_d30", NULL, NULL, 30 * DAY);
    add_conv("c_open", NULL, NULL, 0);
    add_conv("c_cbopen", NULL, NULL, 10 * DAY); /* old, but its call-back is open */
    add_conv("c_cbnew", NULL, NULL, 10 * DAY);  /* old, its call-back handled recently */
    const char *ids[] = {"c_d10", "c_d20", "c_d30", "c_open", "c_cbopen", "c_cbnew"};
    for (size_t i = 0; i < 6; i++) {
        add_msg(ids[i], 1, "customer", "hallo");
        add_msg(ids[i], 2, "bot", "hoi");
    }
    lk_note_t note = {.id = "n_1", .conversation_id = "c_d10", .text = (char *)"notitie", .created_at = 3000};
    cr_assert_eq(lk_store_note_insert(st, &note), 0);
    cr_assert_eq(lk_store_feedback_set(st, "c_d10", "m_c_d10_2", true, 3000), 0);
    add_callback("cb_old_done", "c_d10", "06-12345678", true, 5 * DAY, 6 * DAY);
    add_callback("cb_open", "c_cbopen", "06-12345678", false, 5 * DAY, 0);
    add_callback("cb_new_done", "c_cbnew", "06-12345678", true, 5 * DAY, 40 * DAY);
    add_callback("cb_loose_old", NULL, "x@example.nl", true, 1 * DAY, 2 * DAY);
    for (int d = 1; d <= 40; d++)
        cr_assert_eq(lk_store_audit(st, d * DAY, "system", "test.tick", NULL, NULL), 0);
    cr_assert_eq(lk_store_commit(st), 0);
    store_fixture_exec("INSERT INTO answer_reviews (message_id, conversation_id, verdict, created_at) "
        "VALUES ('m_c_d10_2', 'c_d10', 'right', 3000)");
}

static lk_privacy_counts_t purge_all(const lk_purge_cutoffs_t *cut, size_t batch, int *batches)
{
    lk_privacy_counts_t counts = {0};
    bool more = true;
    *batches = 0;
    while (more) {
        cr_assert_eq(lk_store_begin(st), 0);
        cr_assert_eq(lk_store_privacy_purge(st, cut, batch, &counts, &more), 0);
        cr_assert_eq(lk_store_commit(st), 0);
        (*batches)++;
        cr_assert_lt(*batches, 1000);
    }
    return counts;
}

Test(store_privacy, purge_removes_what_is_due_and_keeps_the_rest, .init = store_fixture_setup, .fini = store_fixture_teardown)
{
    populate_ages();
    /* now = day 50; conversations kept 25 days, call-backs 30, audit 20 */
    lk_purge_cutoffs_t cut = {.conv_before = 25 * DAY, .callback_before = 20 * DAY, .audit_before = 30 * DAY};
    lk_privacy_counts_t dry;
    cr_assert_eq(lk_store_privacy_purge_count(st, &cut, &dry), 0);
    int batches;
    lk_privacy_counts_t done = purge_all(&cut, 1, &batches);
    cr_assert_gt(batches, 2); /* one conversation a batch */

    static const store_fixture_expect_t stored[] = {
        {"SELECT COUNT(*) FROM conversations WHERE id IN ('c_d10', 'c_d20')", 0},
        {"SELECT COUNT(*) FROM conversations WHERE id IN ('c_d30', 'c_open', 'c_cbopen', 'c_cbnew')", 4},
        {"SELECT COUNT(*) FROM messages WHERE conversation_id IN ('c_d10', 'c_d20')", 0},
        {"SELECT COUNT(*) FROM messages", 8},
        {"SELECT COUNT(*) FROM notes", 0},
        {"SELECT COUNT(*) FROM message_feedback", 0},
        {"SELECT COUNT(*) FROM answer_reviews", 0},
        {"SELECT COUNT(*) FROM callback_requests WHERE id IN ('cb_open', 'cb_new_done')", 2},
        {"SELECT COUNT(*) FROM callback_requests", 2},
        {"SELECT COUNT(*) FROM audit_log WHERE at < 30 * 86400000", 0},
        {"SELECT COUNT(*) FROM audit_log", 11},
    };
    store_fixture_expect_counts(stored, sizeof stored / sizeof stored[0]);

    assert_counts(&done, (lk_privacy_counts_t){.conversations = 2, .messages = 4, .notes = 1, .callbacks = 2,
                                                 .feedback = 1, .reviews = 1, .audit = 29}, "purge");
    /* the dry run foresaw exactly that */
    cr_assert_eq(memcmp(&dry, &done, sizeof dry), 0);

    /* a second purge finds nothing more */
    lk_privacy_counts_t again = purge_all(&cut, 100, &batches);
    cr_assert_eq(batches, 1);
    cr_assert_eq(again.conversations + again.messages + again.callbacks + again.audit, 0);
}

Test(store_privacy, purge_with_zero_cutoffs_keeps_everything, .init = store_fixture_setup, .fini = store_fixture_teardown)
{
    populate_ages();
    lk_purge_cutoffs_t keep = {0};
    int batches;
    lk_privacy_counts_t done = purge_all(&keep, 10, &batches);
    cr_assert_eq(done.conversations + done.callbacks + done.audit, 0);
    cr_assert_eq(store_fixture_count("SELECT COUNT(*) FROM conversations"), 6);
    /* call-backs kept forever: conversations with one stay too */
    lk_purge_cutoffs_t convs_only = {.conv_before = 100 * DAY};
    done = purge_all(&convs_only, 10, &batches);
    cr_assert_eq(done.conversations, 2); /* c_d20, c_d30; the others have call-backs or are open */
    cr_assert_eq(store_fixture_count("SELECT COUNT(*) FROM conversations WHERE id IN ('c_open', 'c_d10', 'c_cbopen', "
                           "'c_cbnew')"),
                 4);
    bool more;
    lk_privacy_counts_t c = {0};
    cr_assert_eq(lk_store_privacy_purge(st, &keep, 0, &c, &more), LK_EINVAL);
}

Test(store_privacy, audit_list_filters_and_pages, .init = store_fixture_setup, .fini = store_fixture_teardown)
{
    store_fixture_exec("INSERT INTO users (id, email, role, display_name, created_at) VALUES "
        "('u_anna', 'anna@example.com', 'admin', 'Anna', 1), ('u_bob', 'bob@example.com', 'agent', NULL, 1)");
    cr_assert_eq(lk_store_begin(st), 0);
    for (int i = 0; i < 30; i++)
        cr_assert_eq(lk_store_audit(st, 1000 + i, i % 2 ? "u_anna" : "u_bob",
                                    i % 3 == 0 ? "privacy.export" : "conversation.view", i % 5 ? "c_1" : "c_2",
                                    i == 29 ? "{\"n\":1}" : NULL),
                     0);
    cr_assert_eq(lk_store_audit(st, 2000, "system", "privacy.purge", NULL, NULL), 0);
    cr_assert_eq(lk_store_commit(st), 0);

    lk_audit_rec_t *v;
    size_t n;
    lk_audit_query_t q = {.limit = 10};
    cr_assert_eq(lk_store_audit_list(st, &q, &v, &n), 0);
    cr_assert_eq(n, 10);
    cr_assert_str_eq(v[0].action, "privacy.purge");
    cr_assert_null(v[0].actor_name);
    cr_assert_str_eq(v[1].actor, "u_anna");
    cr_assert_str_eq(v[1].actor_name, "Anna");
    cr_assert_str_eq(v[1].detail, "{\"n\":1}");
    for (size_t i = 1; i < n; i++)
        cr_assert_lt(v[i].id, v[i - 1].id);
    /* the next page starts below the last id */
    q.before = v[n - 1].id;
    int64_t last = v[n - 1].id;
    lk_audit_recs_free(v, n);
    cr_assert_eq(lk_store_audit_list(st, &q, &v, &n), 0);
    cr_assert_eq(n, 10);
    cr_assert_lt(v[0].id, last);
    lk_audit_recs_free(v, n);

    lk_audit_query_t by_email = {.actor = "Bob@Example.com"};
    cr_assert_eq(lk_store_audit_list(st, &by_email, &v, &n), 0);
    cr_assert_eq(n, 15);
    cr_assert_str_eq(v[0].actor_name, "bob@example.com"); /* no display name: the e-mail */
    lk_audit_recs_free(v, n);

    lk_audit_query_t prefix = {.action = "privacy."};
    cr_assert_eq(lk_store_audit_list(st, &prefix, &v, &n), 0);
    cr_assert_eq(n, 11);
    lk_audit_recs_free(v, n);
    lk_audit_query_t exact = {.action = "privacy.export", .conversation_id = "c_2"};
    cr_assert_eq(lk_store_audit_list(st, &exact, &v, &n), 0);
    cr_assert_eq(n, 2); /* i = 0, 15 */
    lk_audit_recs_free(v, n);
    lk_audit_query_t window = {.from = 1010, .to = 1020};
    cr_assert_eq(lk_store_audit_list(st, &window, &v, &n), 0);
    cr_assert_eq(n, 10);
    cr_assert_eq(v[0].at, 1019);
    cr_assert_eq(v[9].at, 1010);
    lk_audit_recs_free(v, n);
    lk_audit_query_t none = {.actor = "nobody"};
    cr_assert_eq(lk_store_audit_list(st, &none, &v, &n), 0);
    cr_assert_eq(n, 0);
    lk_audit_recs_free(v, n);
}
