/*
 * Unit tests for store/ through store.h alone, on the backend the fixture
 * chooses (store_fixture.h): opening, every record type round-tripping,
 * ordering and limits of the listings, transactions and savepoints, two
 * handles and two processes on one database. Each test works on a fresh
 * database that it removes afterwards. What only SQLite has is in
 * test_store_sqlite.c.
 */
#include "store/store.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_fixture.h"

/* ---- open, create, schema --------------------------------------------- */

Test(store, open_bad_arguments, .init = store_fixture_init, .fini = store_fixture_teardown)
{
    cr_assert_eq(lk_store_open(NULL, &st, NULL), LK_EINVAL);
    cr_assert_eq(lk_store_open("", &st, NULL), LK_EINVAL);
    cr_assert_eq(lk_store_open(fixture_datadir, NULL, NULL), LK_EINVAL);
    /* A data directory that is a file. */
    char path[256];
    snprintf(path, sizeof path, "%s/file", fixture_tmpdir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fclose(f);
    cr_assert_eq(lk_store_open(path, &st, NULL), LK_EIO);
    cr_assert_null(st);
    unlink(path);
}

Test(store, newer_schema_is_refused, .init = store_fixture_init, .fini = store_fixture_teardown)
{
    cr_assert_eq(lk_store_open(fixture_datadir, &st, NULL), 0);
    lk_store_close(st);
    st = NULL;
    store_fixture_exec("UPDATE schema_version SET version = 999");
    cr_assert_eq(lk_store_open(fixture_datadir, &st, NULL), LK_ESCHEMA);
    cr_assert_null(st);
}

/* ---- conversations ----------------------------------------------------- */

Test(store, conv_round_trip_with_nulls, .init = store_fixture_setup, .fini = store_fixture_teardown)
{
    lk_conv_t c = store_fixture_conv("c_1", "bot", 0);
    cr_assert_eq(lk_store_conv_insert(st, &c), 0);
    cr_assert_eq(lk_store_conv_insert(st, &c), LK_EEXIST);

    lk_conv_t g;
    cr_assert_eq(lk_store_conv_get(st, "c_1", &g), 0);
    store_fixture_conv_eq(&g, &c); /* the NULLs (rating_comment, disposition, ...) stay NULL */
    lk_conv_clear(&g);

    /* Every mutable field changes; id, token_hash, created_at do not. */
    snprintf(c.token_hash, sizeof c.token_hash, "ffff");
    c.created_at = 5;
    c.status = LK_CONV_CLOSED;
    snprintf(c.language, sizeof c.language, "en");
    c.handoff_reason = LK_HANDOFF_COMPLAINT;
    c.updated_at = 9000;
    c.queued_at = 3000;
    c.assigned_at = 4000;
    c.closed_at = 8000;
    snprintf(c.assigned_to, sizeof c.assigned_to, "u_agent");
    c.next_seq = 12;
    c.rating = 4;
    c.rating_comment = "snel geholpen";
    c.disposition = "resolved";
    c.policy_state = "{\"fails\":2}";
    cr_assert_eq(lk_store_conv_update(st, &c), 0);
    cr_assert_eq(lk_store_conv_get(st, "c_1", &g), 0);
    lk_conv_t want = c;
    snprintf(want.token_hash, sizeof want.token_hash, "%064d", 7); /* as inserted */
    want.created_at = 1000;
    store_fixture_conv_eq(&g, &want);
    lk_conv_clear(&g);

    /* And back to NULLs. */
    c.handoff_reason = LK_HANDOFF_NONE;
    c.assigned_to[0] = '\0';
    c.rating = 0;
    c.rating_comment = NULL;
    c.disposition = NULL;
    c.policy_state = NULL;
    c.closed_at = 0;
    cr_assert_eq(lk_store_conv_update(st, &c), 0);
    cr_assert_eq(lk_store_conv_get(st, "c_1", &g), 0);
    cr_assert_str_eq(lk_handoff_reason_name(g.handoff_reason), "");
    cr_assert_str_eq(g.assigned_to, "");
    cr_assert_eq(g.rating, 0);
    cr_assert_null(g.rating_comment);
    cr_assert_null(g.disposition);
    cr_assert_null(g.policy_state);
    cr_assert_eq(g.closed_at, 0);
    lk_conv_clear(&g);

    cr_assert_eq(lk_store_conv_get(st, "c_none", &g), LK_ENOENT);
    lk_conv_t missing = store_fixture_conv("c_none", "bot", 0);
    cr_assert_eq(lk_store_conv_update(st, &missing), LK_ENOENT);
    cr_assert_eq(lk_store_conv_insert(st, NULL), LK_EINVAL);
    cr_assert_eq(lk_store_conv_get(st, NULL, &g), LK_EINVAL);
    lk_conv_t bad = store_fixture_conv("", "bot", 0);
    cr_assert_eq(lk_store_conv_insert(st, &bad), LK_EINVAL);
    lk_conv_clear(NULL);
}

Test(store, queue_order_and_positions, .init = store_fixture_setup, .fini = store_fixture_teardown)
{
    /* Queued out of insertion order; a tie on queued_at broken by id. */
    lk_conv_t a = store_fixture_conv("c_a", "queued", 300);
    lk_conv_t b = store_fixture_conv("c_b", "queued", 100);
    lk_conv_t c = store_fixture_conv("c_c", "queued", 200);
    lk_conv_t d = store_fixture_conv("c_d", "queued", 200);
    lk_conv_t e = store_fixture_conv("c_e", "bot", 0);
    lk_conv_t f = store_fixture_conv("c_f", "assigned", 50);
    snprintf(f.assigned_to, sizeof f.assigned_to, "u_1");
    f.assigned_at = 60;
    lk_conv_t g = store_fixture_conv("c_g", "closed", 40);
    snprintf(g.assigned_to, sizeof g.assigned_to, "u_1");
    g.assigned_at = 10;
    lk_conv_t *all[] = {&a, &b, &c, &d, &e, &f, &g};
    for (size_t i = 0; i < 7; i++)
        cr_assert_eq(lk_store_conv_insert(st, all[i]), 0);

    lk_conv_t *v;
    size_t n;
    cr_assert_eq(lk_store_conv_list_queued(st, 10, &v, &n), 0);
    store_assert_list(v, n, id, "c_b", "c_c", "c_d", "c_a");
    lk_convs_free(v, n);
    cr_assert_eq(lk_store_conv_list_queued(st, 2, &v, &n), 0);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(v[1].id, "c_c");
    lk_convs_free(v, n);

    int64_t pos = -1;
    const char *order[] = {"c_b", "c_c", "c_d", "c_a"};
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(lk_store_conv_queue_position(st, order[i], &pos), 0);
        cr_assert_eq(pos, i + 1, "%s at %lld", order[i], (long long)pos);
    }
    cr_assert_eq(lk_store_conv_queue_position(st, "c_e", &pos), 0);
    cr_assert_eq(pos, 0);
    cr_assert_eq(lk_store_conv_queue_position(st, "c_f", &pos), 0);
    cr_assert_eq(pos, 0);
    cr_assert_eq(lk_store_conv_queue_position(st, "c_zz", &pos), LK_ENOENT);

    /* Leaving the queue moves the others up. */
    b.status = LK_CONV_ASSIGNED;
    snprintf(b.assigned_to, sizeof b.assigned_to, "u_1");
    b.assigned_at = 70;
    cr_assert_eq(lk_store_conv_update(st, &b), 0);
    cr_assert_eq(lk_store_conv_queue_position(st, "c_a", &pos), 0);
    cr_assert_eq(pos, 3);

    cr_assert_eq(lk_store_conv_list_assigned(st, "u_1", 0, &v, &n), 0);
    cr_assert_eq(n, 2); /* c_g is closed */
    cr_assert_str_eq(v[0].id, "c_f");
    cr_assert_str_eq(v[1].id, "c_b");
    lk_convs_free(v, n);
    cr_assert_eq(lk_store_conv_list_assigned(st, "u_2", 0, &v, &n), 0);
    cr_assert_eq(n, 0);
    lk_convs_free(v, n);
}

/* ---- messages ---------------------------------------------------------- */

Test(store, messages_insert_and_list, .init = store_fixture_setup, .fini = store_fixture_teardown)
{
    lk_conv_t c = store_fixture_conv("c_1", "bot", 0);
    cr_assert_eq(lk_store_conv_insert(st, &c), 0);
    const char *senders[] = {"bot", "customer", "bot", "customer", "bot", "customer", "agent"};
    for (int i = 0; i < 7; i++) {
        char text[32];
        snprintf(text, sizeof text, "bericht %d", i + 1);
        lk_msg_t m = store_fixture_msg("c_1", i + 1, senders[i], text);
        m.automated = strcmp(senders[i], "bot") == 0;
        if (i == 2) {
            m.article_id = "return";
            m.confidence = 0.875;
            m.has_confidence = true;
        }
        if (i == 6) {
            snprintf(m.author_id, sizeof m.author_id, "u_1");
            m.author_name = "Anna";
        }
        cr_assert_eq(lk_store_msg_insert(st, &m), 0);
    }
    /* A seq already used, and an unknown conversation. */
    lk_msg_t dup = store_fixture_msg("c_1", 3, "bot", "again");
    snprintf(dup.id, sizeof dup.id, "m_other");
    cr_assert_eq(lk_store_msg_insert(st, &dup), LK_EEXIST);
    lk_msg_t orphan = store_fixture_msg("c_none", 1, "bot", "x");
    cr_assert_eq(lk_store_msg_insert(st, &orphan), LK_ENOENT);
    lk_msg_t notext = store_fixture_msg("c_1", 50, "bot", NULL);
    cr_assert_eq(lk_store_msg_insert(st, &notext), LK_EINVAL);

    lk_msg_t *v;
    size_t n;
    cr_assert_eq(lk_store_msg_list(st, "c_1", 0, 0, &v, &n), 0);
    cr_assert_eq(n, 7);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(v[i].seq, (int64_t)i + 1);
    cr_assert_str_eq(v[0].id, "m_c_1_1");
    cr_assert_str_eq(v[0].conversation_id, "c_1");
    cr_assert_str_eq(lk_sender_name(v[0].sender), "bot");
    cr_assert(v[0].automated);
    cr_assert_not(v[1].automated);
    cr_assert_str_eq(v[1].text, "bericht 2");
    cr_assert_eq(v[1].created_at, 2002);
    cr_assert_null(v[1].article_id);
    cr_assert_not(v[1].has_confidence);
    cr_assert_str_eq(v[2].article_id, "return");
    cr_assert(v[2].has_confidence);
    cr_assert_float_eq(v[2].confidence, 0.875, 1e-12);
    cr_assert_str_eq(v[6].author_id, "u_1");
    cr_assert_str_eq(v[6].author_name, "Anna");
    cr_assert_str_eq(v[5].author_id, "");
    cr_assert_null(v[5].author_name);
    lk_msgs_free(v, n);

    cr_assert_eq(lk_store_msg_list(st, "c_1", 4, 0, &v, &n), 0);
    cr_assert_eq(n, 3);
    cr_assert_eq(v[0].seq, 5);
    lk_msgs_free(v, n);
    cr_assert_eq(lk_store_msg_list(st, "c_1", 2, 2, &v, &n), 0);
    cr_assert_eq(n, 2);
    cr_assert_eq(v[0].seq, 3);
    cr_assert_eq(v[1].seq, 4);
    lk_msgs_free(v, n);
    cr_assert_eq(lk_store_msg_list(st, "c_1", 7, 0, &v, &n), 0);
    cr_assert_eq(n, 0);
    lk_msgs_free(v, n);

    /* The last two customer messages, oldest first. */
    cr_assert_eq(lk_store_msg_list_recent(st, "c_1", LK_SENDER_CUSTOMER, 2, &v, &n), 0);
    cr_assert_eq(n, 2);
    cr_assert_eq(v[0].seq, 4);
    cr_assert_eq(v[1].seq, 6);
    lk_msgs_free(v, n);
    cr_assert_eq(lk_store_msg_list_recent(st, "c_1", LK_SENDER_CUSTOMER, 10, &v, &n), 0);
    cr_assert_eq(n, 3);
    cr_assert_eq(v[0].seq, 2);
    cr_assert_eq(v[2].seq, 6);

    /* Only their texts: the same messages in the same order. */
    char **texts;
    size_t n_texts;
    for (size_t limit = 1; limit <= 4; limit++) {
        cr_assert_eq(lk_store_msg_texts_recent(st, "c_1", LK_SENDER_CUSTOMER, limit, &texts, &n_texts), 0);
        cr_assert_eq(n_texts, limit < n ? limit : n, "limit %zu", limit);
        for (size_t i = 0; i < n_texts; i++)
            cr_assert_str_eq(texts[i], v[n - n_texts + i].text, "limit %zu, text %zu", limit, i);
        lk_strv_free(texts, n_texts);
    }
    lk_msgs_free(v, n);
    cr_assert_eq(lk_store_msg_texts_recent(st, "c_1", LK_SENDER_AGENT, 5, &texts, &n_texts), 0);
    cr_assert_eq(n_texts, 1);
    cr_assert_str_eq(texts[0], "bericht 7");
    lk_strv_free(texts, n_texts);
    cr_assert_eq(lk_store_msg_texts_recent(st, "c_none", LK_SENDER_CUSTOMER, 5, &texts, &n_texts), 0);
    cr_assert_eq(n_texts, 0);
    lk_strv_free(texts, n_texts);
    cr_assert_eq(lk_store_msg_texts_recent(st, "c_1", LK_SENDER_NONE, 5, &texts, &n_texts), LK_EINVAL);
    cr_assert_eq(lk_store_msg_texts_recent(st, NULL, LK_SENDER_CUSTOMER, 5, &texts, &n_texts), LK_EINVAL);
}

/* ---- knowledge base ---------------------------------------------------- */

static void add_article(lk_kb_t *kb, const char *id, const char *title, const char *url)
{
    char *questions[] = {(char *)"Hoe kan ik retourneren?", (char *)"Terugsturen \"snel\" ✓"};
    char *tags[] = {(char *)"retour"};
    lk_article_t a = {
        .id = (char *)id,
        .language = (char *)"nl",
        .title = (char *)title,
        .questions = questions,
        .n_questions = 2,
        .answer = (char *)"Binnen 30 dagen.",
        .url = (char *)url,
        .tags = url ? tags : NULL,
        .n_tags = url ? 1 : 0,
    };
    lk_kb_add(kb, &a);
}

/* Choices (issue 15): stored with the message, read back in order, and the
 * conversation's last offer found; a pick's answer keeps "chosen". */
Test(store, messages_with_choices, .init = store_fixture_setup, .fini = store_fixture_teardown)
{
    lk_conv_t c = store_fixture_conv("c_1", "bot", 0);
    cr_assert_eq(lk_store_conv_insert(st, &c), 0);
    lk_msg_t none;
    cr_assert_eq(lk_store_msg_last_choices(st, "c_1", &none), LK_ENOENT);
    lk_msg_choice_t first[] = {{"return", "Retourneren"}, {"delivery", "Levertijd \"snel\""}};
    lk_msg_choice_t second[] = {{"payment", "Betalen"}, {"return", "Retourneren"}, {"hours", "Openingstijden"}};
    lk_msg_t m1 = store_fixture_msg("c_1", 1, "bot", "Gaat je vraag over A of B?");
    m1.choices = first;
    m1.n_choices = 2;
    cr_assert_eq(lk_store_msg_insert(st, &m1), 0);
    lk_msg_t m2 = store_fixture_msg("c_1", 2, "bot", "Gaat je vraag over A, B of C?");
    m2.choices = second;
    m2.n_choices = 3;
    cr_assert_eq(lk_store_msg_insert(st, &m2), 0);
    lk_msg_t m3 = store_fixture_msg("c_1", 3, "bot", "Het antwoord");
    m3.article_id = "payment";
    m3.chosen = true;
    cr_assert_eq(lk_store_msg_insert(st, &m3), 0);
    lk_msg_t m4 = store_fixture_msg("c_1", 4, "customer", "dank je");
    cr_assert_eq(lk_store_msg_insert(st, &m4), 0);

    lk_msg_t last;
    cr_assert_eq(lk_store_msg_last_choices(st, "c_1", &last), 0);
    cr_assert_eq(last.seq, 2);
    cr_assert_eq(last.n_choices, 3);
    for (size_t i = 0; i < 3; i++) {
        cr_assert_str_eq(last.choices[i].article_id, second[i].article_id);
        cr_assert_str_eq(last.choices[i].title, second[i].title);
    }
    lk_msg_clear(&last);
    cr_assert_eq(lk_store_msg_last_choices(st, "c_other", &last), LK_ENOENT);

    lk_msg_t *v;
    size_t n;
    cr_assert_eq(lk_store_msg_list(st, "c_1", 0, 0, &v, &n), 0);
    cr_assert_eq(n, 4);
    cr_assert_eq(v[0].n_choices, 2);
    cr_assert_str_eq(v[0].choices[1].title, "Levertijd \"snel\"");
    cr_assert_not(v[0].chosen);
    cr_assert_eq(v[2].n_choices, 0);
    cr_assert_null(v[2].choices);
    cr_assert(v[2].chosen);
    cr_assert_not(v[3].chosen);
    lk_msgs_free(v, n);
}

Test(store, kb_import_upsert_replace_version, .init = store_fixture_setup, .fini = store_fixture_teardown)
{
    int64_t v0 = -1, v = -1;
    cr_assert_eq(lk_store_kb_version(st, &v0), 0);
    cr_assert_eq(v0, 0);

    lk_kb_t kb;
    lk_kb_init(&kb);
    add_article(&kb, "zeta", "Zeta", NULL);
    add_article(&kb, "alpha", "Alpha", "https://example.com/a");
    add_article(&kb, "mid", "Mid", NULL);
    cr_assert_eq(lk_store_kb_import(st, &kb, false, 100), 0);
    cr_assert_eq(lk_store_kb_version(st, &v), 0);
    cr_assert_eq(v, v0 + 1);

    lk_kb_t out;
    cr_assert_eq(lk_store_kb_load(st, &out), 0);
    cr_assert_eq(out.n_articles, 3);
    cr_assert_str_eq(out.articles[0].id, "alpha");
    cr_assert_str_eq(out.articles[1].id, "mid");
    cr_assert_str_eq(out.articles[2].id, "zeta");
    const lk_article_t *a = &out.articles[0];
    cr_assert_str_eq(a->language, "nl");
    cr_assert_str_eq(a->title, "Alpha");
    cr_assert_eq(a->n_questions, 2);
    cr_assert_str_eq(a->questions[1], "Terugsturen \"snel\" ✓");
    cr_assert_str_eq(a->answer, "Binnen 30 dagen.");
    cr_assert_str_eq(a->url, "https://example.com/a");
    cr_assert_eq(a->n_tags, 1);
    cr_assert_str_eq(a->tags[0], "retour");
    cr_assert_null(out.articles[1].url);
    cr_assert_eq(out.articles[1].n_tags, 0);
    lk_kb_free(&out);

    /* Upsert without replace: alpha changes, beta is new, the rest stays. */
    lk_kb_t kb2;
    lk_kb_init(&kb2);
    add_article(&kb2, "alpha", "Alpha 2", NULL);
    add_article(&kb2, "beta", "Beta", NULL);
    cr_assert_eq(lk_store_kb_import(st, &kb2, false, 200), 0);
    cr_assert_eq(lk_store_kb_load(st, &out), 0);
    cr_assert_eq(out.n_articles, 4);
    cr_assert_str_eq(out.articles[0].title, "Alpha 2");
    cr_assert_null(out.articles[0].url);
    cr_assert_str_eq(out.articles[1].id, "beta");
    lk_kb_free(&out);
    cr_assert_eq(lk_store_kb_version(st, &v), 0);
    cr_assert_eq(v, v0 + 2);

    /* Replace: only kb2's articles remain. */
    cr_assert_eq(lk_store_kb_import(st, &kb2, true, 300), 0);
    cr_assert_eq(lk_store_kb_load(st, &out), 0);
    cr_assert_eq(out.n_articles, 2);
    cr_assert_str_eq(out.articles[0].id, "alpha");
    cr_assert_str_eq(out.articles[1].id, "beta");
    lk_kb_free(&out);
    cr_assert_eq(lk_store_kb_version(st, &v), 0);
    cr_assert_eq(v, v0 + 3);

    /* Inside a transaction that rolls back, nothing changes. */
    cr_assert_eq(lk_store_begin(st), 0);
    cr_assert_eq(lk_store_kb_import(st, &kb, true, 400), 0);
    cr_assert_eq(lk_store_rollback(st), 0);
    cr_assert_eq(lk_store_kb_load(st, &out), 0);
    cr_assert_eq(out.n_articles, 2);
    lk_kb_free(&out);
    cr_assert_eq(lk_store_kb_version(st, &v), 0);
    cr_assert_eq(v, v0 + 3);

    /* Replace with an empty kb empties the table. */
    lk_kb_t empty;
    lk_kb_init(&empty);
    cr_assert_eq(lk_store_kb_import(st, &empty, true, 500), 0);
    cr_assert_eq(lk_store_kb_load(st, &out), 0);
    cr_assert_eq(out.n_articles, 0);
    lk_kb_free(&out);

    cr_assert_eq(lk_store_kb_import(st, NULL, false, 0), LK_EINVAL);
    lk_kb_free(&kb);
    lk_kb_free(&kb2);
}

/* ---- transactions ------------------------------------------------------ */

Test(store, rollback_leaves_nothing, .init = store_fixture_setup, .fini = store_fixture_teardown)
{
    cr_assert_eq(lk_store_begin(st), 0);
    cr_assert_eq(lk_store_begin(st), LK_ESTATE);
    lk_conv_t c = store_fixture_conv("c_1", "bot", 0);
    cr_assert_eq(lk_store_conv_insert(st, &c), 0);
    lk_msg_t m = store_fixture_msg("c_1", 1, "bot", "hallo");
    cr_assert_eq(lk_store_msg_insert(st, &m), 0);
    cr_assert_eq(lk_store_audit(st, 1, "system", "conversation.create", "c_1", NULL), 0);
    cr_assert_eq(lk_store_rollback(st), 0);

    lk_conv_t g;
    cr_assert_eq(lk_store_conv_get(st, "c_1", &g), LK_ENOENT);
    lk_msg_t *v;
    size_t n;
    cr_assert_eq(lk_store_msg_list(st, "c_1", 0, 0, &v, &n), 0);
    cr_assert_eq(n, 0);
    lk_msgs_free(v, n);
    int64_t count = -1;
    cr_assert_eq(lk_store_audit_count(st, "conversation.create", &count), 0);
    cr_assert_eq(count, 0);

    /* And commit keeps it. */
    cr_assert_eq(lk_store_commit(st), LK_ESTATE);
    cr_assert_eq(lk_store_begin(st), 0);
    cr_assert_eq(lk_store_conv_insert(st, &c), 0);
    cr_assert_eq(lk_store_commit(st), 0);
    cr_assert_eq(lk_store_conv_get(st, "c_1", &g), 0);
    lk_conv_clear(&g);
}

Test(store, savepoint_rollback_to_keeps_the_rest, .init = store_fixture_setup, .fini = store_fixture_teardown)
{
    cr_assert_eq(lk_store_begin(st), 0);
    lk_conv_t a = store_fixture_conv("c_a", "bot", 0);
    cr_assert_eq(lk_store_conv_insert(st, &a), 0);

    cr_assert_eq(lk_store_savepoint(st, "req_1"), 0);
    lk_conv_t b = store_fixture_conv("c_b", "bot", 0);
    cr_assert_eq(lk_store_conv_insert(st, &b), 0);
    cr_assert_eq(lk_store_rollback_to(st, "req_1"), 0);
    cr_assert_eq(lk_store_release(st, "req_1"), 0);

    cr_assert_eq(lk_store_savepoint(st, "req_2"), 0);
    lk_conv_t c = store_fixture_conv("c_c", "bot", 0);
    cr_assert_eq(lk_store_conv_insert(st, &c), 0);
    cr_assert_eq(lk_store_release(st, "req_2"), 0);
    cr_assert_eq(lk_store_commit(st), 0);

    lk_conv_t g;
    cr_assert_eq(lk_store_conv_get(st, "c_a", &g), 0);
    lk_conv_clear(&g);
    cr_assert_eq(lk_store_conv_get(st, "c_b", &g), LK_ENOENT);
    cr_assert_eq(lk_store_conv_get(st, "c_c", &g), 0);
    lk_conv_clear(&g);

    cr_assert_eq(lk_store_savepoint(st, "bad name"), LK_EINVAL);
    cr_assert_eq(lk_store_savepoint(st, "x; DROP TABLE users"), LK_EINVAL);
    cr_assert_eq(lk_store_savepoint(st, ""), LK_EINVAL);
    cr_assert_eq(lk_store_savepoint(st, NULL), LK_EINVAL);
    cr_assert_eq(lk_store_release(st, "never_made"), LK_EDB);
}

/* Savepoint statements are kept prepared for a handful of names; more names
 * than that still work (prepared each time), rolled back and released in
 * the right nesting, used again and again. */
Test(store, savepoints_past_the_prepared_ones, .init = store_fixture_setup, .fini = store_fixture_teardown)
{
    enum { NAMES = 40 };
    for (int round = 0; round < 3; round++) {
        cr_assert_eq(lk_store_begin(st), 0);
        for (int i = 0; i < NAMES; i++) {
            char name[16], id[16];
            snprintf(name, sizeof name, "sp_%d", i);
            cr_assert_eq(lk_store_savepoint(st, name), 0, "round %d savepoint %s", round, name);
            snprintf(id, sizeof id, "c_%d_%d", round, i);
            lk_conv_t c = store_fixture_conv(id, "bot", 0);
            int irc = lk_store_conv_insert(st, &c);
            cr_assert_eq(irc, 0, "insert %s: %s", id, lk_strerror(irc));
        }
        /* from the innermost out: undo the odd ones, keep the even ones */
        for (int i = NAMES - 1; i >= 0; i--) {
            char name[16];
            snprintf(name, sizeof name, "sp_%d", i);
            if (i % 2)
                cr_assert_eq(lk_store_rollback_to(st, name), 0, "rollback to %s", name);
            cr_assert_eq(lk_store_release(st, name), 0, "release %s", name);
        }
        cr_assert_eq(lk_store_commit(st), 0);
    }
    /* rolling back to sp_1 undid everything made after it, nested
     * savepoints released into it included: only each round's first row
     * (made under sp_0, which was released) is there */
    for (int round = 0; round < 3; round++)
        for (int i = 0; i < NAMES; i++) {
            char id[16];
            snprintf(id, sizeof id, "c_%d_%d", round, i);
            lk_conv_t g;
            int rc = lk_store_conv_get(st, id, &g);
            cr_assert_eq(rc, i == 0 ? 0 : LK_ENOENT, "%s", id);
            if (rc == 0)
                lk_conv_clear(&g);
        }
}

/* ---- users, sessions, audit -------------------------------------------- */

static lk_user_t make_user(const char *id, const char *email)
{
    lk_user_t u;
    memset(&u, 0, sizeof u);
    snprintf(u.id, sizeof u.id, "%s", id);
    snprintf(u.email, sizeof u.email, "%s", email);
    u.role = LK_ROLE_AGENT;
    u.display_name = "Anna de Vries";
    u.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$abc$def";
    u.created_at = 42;
    return u;
}

Test(store, users, .init = store_fixture_setup, .fini = store_fixture_teardown)
{
    lk_user_t u = make_user("u_1", "Anna@Example.COM");
    u.disabled = true;
    cr_assert_eq(lk_store_user_insert(st, &u), 0);
    lk_user_t dup = make_user("u_2", "anna@example.com");
    cr_assert_eq(lk_store_user_insert(st, &dup), LK_EEXIST);
    lk_user_t same_id = make_user("u_1", "other@example.com");
    cr_assert_eq(lk_store_user_insert(st, &same_id), LK_EEXIST);

    lk_user_t g;
    cr_assert_eq(lk_store_user_get_by_email(st, "ANNA@example.com", &g), 0);
    cr_assert_str_eq(g.id, "u_1");
    cr_assert_str_eq(g.email, "anna@example.com");
    cr_assert_str_eq(lk_role_name(g.role), "agent");
    cr_assert_str_eq(g.display_name, "Anna de Vries");
    cr_assert_str_eq(g.password_hash, u.password_hash);
    cr_assert_eq(g.created_at, 42);
    cr_assert(g.disabled);
    lk_user_clear(&g);
    cr_assert_eq(lk_store_user_get(st, "u_1", &g), 0);
    cr_assert_str_eq(g.email, "anna@example.com");
    lk_user_clear(&g);
    cr_assert_eq(lk_store_user_get(st, "u_2", &g), LK_ENOENT);
    cr_assert_eq(lk_store_user_get_by_email(st, "bob@example.com", &g), LK_ENOENT);

    lk_user_t nulls = make_user("u_3", "c@example.com");
    nulls.display_name = NULL;
    nulls.password_hash = NULL;
    cr_assert_eq(lk_store_user_insert(st, &nulls), 0);
    cr_assert_eq(lk_store_user_get(st, "u_3", &g), 0);
    cr_assert_null(g.display_name);
    cr_assert_null(g.password_hash);
    cr_assert_not(g.disabled);
    lk_user_clear(&g);
}

/* A session valid at now, whatever its last use. */
static int session_get(lk_store_t *h, const char *id_hash, int64_t now, lk_session_t *out)
{
    int64_t last_seen;
    return lk_store_session_get_active(h, id_hash, now, INT64_MIN, out, &last_seen);
}

Test(store, sessions, .init = store_fixture_setup, .fini = store_fixture_teardown)
{
    lk_user_t u = make_user("u_1", "a@example.com");
    cr_assert_eq(lk_store_user_insert(st, &u), 0);
    lk_session_t s1 = {.id_hash = "aaaa", .user_id = "u_1", .created_at = 100, .expires_at = 1000};
    lk_session_t s2 = {.id_hash = "bbbb", .user_id = "u_1", .created_at = 100, .expires_at = 5000};
    lk_session_t orphan = {.id_hash = "cccc", .user_id = "u_none", .created_at = 100, .expires_at = 5000};
    cr_assert_eq(lk_store_session_insert(st, &s1), 0);
    cr_assert_eq(lk_store_session_insert(st, &s2), 0);
    cr_assert_eq(lk_store_session_insert(st, &s1), LK_EEXIST);
    cr_assert_eq(lk_store_session_insert(st, &orphan), LK_ENOENT);

    lk_session_t g;
    cr_assert_eq(session_get(st, "aaaa", 999, &g), 0);
    cr_assert_str_eq(g.id_hash, "aaaa");
    cr_assert_str_eq(g.user_id, "u_1");
    cr_assert_eq(g.created_at, 100);
    cr_assert_eq(g.expires_at, 1000);
    cr_assert_eq(session_get(st, "aaaa", 1000, &g), LK_ENOENT); /* expired */
    cr_assert_eq(session_get(st, "zzzz", 0, &g), LK_ENOENT);

    int64_t deleted = -1;
    cr_assert_eq(lk_store_session_purge(st, 2000, &deleted), 0);
    cr_assert_eq(deleted, 1);
    cr_assert_eq(session_get(st, "aaaa", 0, &g), LK_ENOENT); /* gone even for an old now */
    cr_assert_eq(session_get(st, "bbbb", 2000, &g), 0);
    cr_assert_eq(lk_store_session_purge(st, 2000, NULL), 0);

    cr_assert_eq(lk_store_session_delete(st, "bbbb"), 0);
    cr_assert_eq(lk_store_session_delete(st, "bbbb"), LK_ENOENT);
    cr_assert_eq(session_get(st, "bbbb", 2000, &g), LK_ENOENT);
}

Test(store, audit_count, .init = store_fixture_setup, .fini = store_fixture_teardown)
{
    cr_assert_eq(lk_store_audit(st, 1, "customer", "conversation.create", "c_1", NULL), 0);
    cr_assert_eq(lk_store_audit(st, 2, "system", "conversation.handoff", "c_1", "reason=complaint"), 0);
    cr_assert_eq(lk_store_audit(st, 3, "u_1", "conversation.create", NULL, NULL), 0);
    cr_assert_eq(lk_store_audit(st, 3, NULL, "x", NULL, NULL), LK_EINVAL);
    cr_assert_eq(lk_store_audit(st, 3, "system", "", NULL, NULL), LK_EINVAL);
    int64_t n = -1;
    cr_assert_eq(lk_store_audit_count(st, "conversation.create", &n), 0);
    cr_assert_eq(n, 2);
    cr_assert_eq(lk_store_audit_count(st, "conversation.handoff", &n), 0);
    cr_assert_eq(n, 1);
    cr_assert_eq(lk_store_audit_count(st, "user.login", &n), 0);
    cr_assert_eq(n, 0);
}

/* ---- schema version 2: console, policy, widget ------------------------- */

Test(store, conv_list_filters_and_order, .init = store_fixture_setup, .fini = store_fixture_teardown)
{
    struct {
        const char *id, *status, *user;
        int64_t updated_at;
    } rows[] = {
        {"c_1", "queued", "", 500},   {"c_2", "assigned", "u_a", 900}, {"c_3", "assigned", "u_b", 700},
        {"c_4", "closed", "u_a", 800}, {"c_5", "bot", "", 100},        {"c_6", "queued", "", 600},
        {"c_7", "assigned", "u_a", 900}, /* ties with c_2 on updated_at: id breaks it, descending */
    };
    size_t n_rows = sizeof rows / sizeof rows[0];
    for (size_t i = 0; i < n_rows; i++) {
        lk_conv_t c = store_fixture_conv(rows[i].id, rows[i].status, 0);
        snprintf(c.assigned_to, sizeof c.assigned_to, "%s", rows[i].user);
        c.updated_at = rows[i].updated_at;
        cr_assert_eq(lk_store_conv_insert(st, &c), 0);
    }

    struct {
        const char *status, *user;
        size_t limit;
        const char *want; /* ids in order, space-separated */
    } cases[] = {
        {NULL, NULL, 0, "c_7 c_2 c_4 c_3 c_6 c_1 c_5"},
        {NULL, NULL, 3, "c_7 c_2 c_4"},
        {"queued", NULL, 0, "c_6 c_1"},
        {"assigned", NULL, 0, "c_7 c_2 c_3"},
        {"bot", NULL, 0, "c_5"},
        {"closed", NULL, 0, "c_4"},
        {NULL, "u_a", 0, "c_7 c_2 c_4"},
        {"assigned", "u_a", 0, "c_7 c_2"},
        {"assigned", "u_a", 1, "c_7"},
        {"closed", "u_b", 0, ""},
        {NULL, "u_nobody", 0, ""},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        lk_conv_t *v = NULL;
        size_t n = 99;
        lk_conv_status_t status;
        if (cases[k].status)
            cr_assert_eq(lk_conv_status_parse(cases[k].status, &status), 0);
        cr_assert_eq(lk_store_conv_list(st, cases[k].status ? &status : NULL, cases[k].user, cases[k].limit, &v, &n),
                     0);
        char got[128] = "";
        size_t len = 0;
        for (size_t i = 0; i < n; i++)
            len += (size_t)snprintf(got + len, sizeof got - len, "%s%s", i ? " " : "", v[i].id);
        cr_assert_str_eq(got, cases[k].want, "case %zu (%s, %s, %zu)", k, cases[k].status ? cases[k].status : "-",
                         cases[k].user ? cases[k].user : "-", cases[k].limit);
        if (n == 0)
            cr_assert_null(v);
        lk_convs_free(v, n);
    }
    /* Whole records come back. */
    lk_conv_t *v;
    size_t n;
    lk_conv_status_t assigned = LK_CONV_ASSIGNED;
    cr_assert_eq(lk_store_conv_list(st, &assigned, "u_b", 0, &v, &n), 0);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(v[0].token_hash, "0000000000000000000000000000000000000000000000000000000000000007");
    cr_assert_eq(v[0].updated_at, 700);
    lk_convs_free(v, n);

    int64_t q = -1;
    cr_assert_eq(lk_store_conv_count_queued(st, &q), 0);
    cr_assert_eq(q, 2);
    lk_conv_t c1 = store_fixture_conv("c_1", "assigned", 0);
    cr_assert_eq(lk_store_conv_update(st, &c1), 0);
    cr_assert_eq(lk_store_conv_count_queued(st, &q), 0);
    cr_assert_eq(q, 1);

    cr_assert_eq(lk_store_conv_list(NULL, NULL, NULL, 0, &v, &n), LK_EINVAL);
    cr_assert_eq(lk_store_conv_list(st, NULL, NULL, 0, NULL, &n), LK_EINVAL);
    cr_assert_eq(lk_store_conv_list(st, NULL, NULL, 0, &v, NULL), LK_EINVAL);
    cr_assert_eq(lk_store_conv_count_queued(st, NULL), LK_EINVAL);
    cr_assert_eq(lk_store_conv_count_queued(NULL, &q), LK_EINVAL);
}

Test(store, recent_waits, .init = store_fixture_setup, .fini = store_fixture_teardown)
{
    struct {
        const char *id;
        int64_t queued_at, assigned_at;
    } rows[] = {
        {"c_old", 100, 150},     /* assigned before since */
        {"c_1", 1000, 1600},     /* wait 600 */
        {"c_2", 1500, 1700},     /* wait 200 */
        {"c_3", 900, 2000},      /* wait 1100, most recent */
        {"c_direct", 0, 1800},   /* never queued: no wait */
        {"c_since", 1200, 1200}, /* assigned exactly at since, wait 0 */
        {"c_queued", 3000, 0},   /* still waiting */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        lk_conv_t c = store_fixture_conv(rows[i].id, rows[i].assigned_at ? "assigned" : "queued", rows[i].queued_at);
        c.assigned_at = rows[i].assigned_at;
        cr_assert_eq(lk_store_conv_insert(st, &c), 0);
    }
    int64_t *w = NULL;
    size_t n = 99;
    cr_assert_eq(lk_store_recent_waits(st, 1200, 0, &w, &n), 0);
    cr_assert_eq(n, 4);
    cr_assert_eq(w[0], 1100);
    cr_assert_eq(w[1], 200);
    cr_assert_eq(w[2], 600);
    cr_assert_eq(w[3], 0);
    free(w);
    cr_assert_eq(lk_store_recent_waits(st, 1200, 2, &w, &n), 0);
    cr_assert_eq(n, 2);
    cr_assert_eq(w[0], 1100);
    cr_assert_eq(w[1], 200);
    free(w);
    cr_assert_eq(lk_store_recent_waits(st, 0, 0, &w, &n), 0);
    cr_assert_eq(n, 5);
    cr_assert_eq(w[4], 50);
    free(w);
    cr_assert_eq(lk_store_recent_waits(st, 5000, 0, &w, &n), 0);
    cr_assert_eq(n, 0);
    cr_assert_null(w);

    cr_assert_eq(lk_store_recent_waits(st, 0, 0, NULL, &n), LK_EINVAL);
    cr_assert_eq(lk_store_recent_waits(st, 0, 0, &w, NULL), LK_EINVAL);
    cr_assert_eq(lk_store_recent_waits(NULL, 0, 0, &w, &n), LK_EINVAL);
}

Test(store, notes, .init = store_fixture_setup, .fini = store_fixture_teardown)
{
    lk_conv_t a = store_fixture_conv("c_a", "assigned", 0);
    lk_conv_t b = store_fixture_conv("c_b", "assigned", 0);
    cr_assert_eq(lk_store_conv_insert(st, &a), 0);
    cr_assert_eq(lk_store_conv_insert(st, &b), 0);

    lk_note_t n1 = {.id = "n_2", .conversation_id = "c_a", .author_id = "u_1", .author_name = (char *)"Anna",
                    .text = (char *)"belt morgen terug", .created_at = 300};
    lk_note_t n2 = {.id = "n_5", .conversation_id = "c_a", .text = (char *)"eerste", .created_at = 100};
    lk_note_t n3 = {.id = "n_3", .conversation_id = "c_a", .text = (char *)"zelfde tijd", .created_at = 300};
    lk_note_t other = {.id = "n_9", .conversation_id = "c_b", .text = (char *)"ander gesprek", .created_at = 50};
    cr_assert_eq(lk_store_note_insert(st, &n1), 0);
    cr_assert_eq(lk_store_note_insert(st, &n2), 0);
    cr_assert_eq(lk_store_note_insert(st, &n3), 0);
    cr_assert_eq(lk_store_note_insert(st, &other), 0);
    cr_assert_eq(lk_store_note_insert(st, &n1), LK_EEXIST);
    lk_note_t orphan = {.id = "n_x", .conversation_id = "c_none", .text = (char *)"x", .created_at = 1};
    cr_assert_eq(lk_store_note_insert(st, &orphan), LK_ENOENT);

    lk_note_t *v = NULL;
    size_t n = 0;
    cr_assert_eq(lk_store_note_list(st, "c_a", &v, &n), 0);
    /* By created_at, then id: not the order of the ids alone. */
    store_assert_list(v, n, id, "n_5", "n_2", "n_3");
    cr_assert_str_eq(v[0].author_id, "");
    cr_assert_null(v[0].author_name);
    cr_assert_str_eq(v[1].conversation_id, "c_a");
    cr_assert_str_eq(v[1].author_id, "u_1");
    cr_assert_str_eq(v[1].author_name, "Anna");
    cr_assert_str_eq(v[1].text, "belt morgen terug");
    cr_assert_eq(v[1].created_at, 300);
    lk_notes_free(v, n);
    cr_assert_eq(lk_store_note_list(st, "c_none", &v, &n), 0);
    cr_assert_eq(n, 0);
    cr_assert_null(v);

    lk_note_t bad = {.id = "n_y", .conversation_id = "c_a", .text = NULL};
    cr_assert_eq(lk_store_note_insert(st, &bad), LK_EINVAL);
    lk_note_t noid = {.conversation_id = "c_a", .text = (char *)"x"};
    cr_assert_eq(lk_store_note_insert(st, &noid), LK_EINVAL);
    lk_note_t noconv = {.id = "n_z", .text = (char *)"x"};
    cr_assert_eq(lk_store_note_insert(st, &noconv), LK_EINVAL);
    cr_assert_eq(lk_store_note_insert(st, NULL), LK_EINVAL);
    cr_assert_eq(lk_store_note_list(st, NULL, &v, &n), LK_EINVAL);
    lk_note_clear(NULL);
    lk_notes_free(NULL, 0);
}

Test(store, callbacks, .init = store_fixture_setup, .fini = store_fixture_teardown)
{
    lk_conv_t c = store_fixture_conv("c_1", "bot", 0);
    cr_assert_eq(lk_store_conv_insert(st, &c), 0);
    lk_callback_t cb1 = {.id = "cb_1", .conversation_id = "c_1", .contact = (char *)"0612345678",
                         .text = (char *)"graag terugbellen", .status = LK_CALLBACK_OPEN, .created_at = 300};
    lk_callback_t cb2 = {.id = "cb_2", .conversation_id = "c_1", .contact = (char *)"a@example.com",
                         .status = LK_CALLBACK_OPEN, .created_at = 100};
    lk_callback_t cb3 = {.id = "cb_3", .contact = (char *)"b@example.com", .status = LK_CALLBACK_OPEN, .created_at = 200};
    cr_assert_eq(lk_store_callback_insert(st, &cb1), 0);
    cr_assert_eq(lk_store_callback_insert(st, &cb2), 0);
    cr_assert_eq(lk_store_callback_insert(st, &cb3), 0); /* without a conversation */
    cr_assert_eq(lk_store_callback_insert(st, &cb1), LK_EEXIST);
    lk_callback_t orphan = {.id = "cb_x", .conversation_id = "c_none", .contact = (char *)"x", .status = LK_CALLBACK_OPEN};
    cr_assert_eq(lk_store_callback_insert(st, &orphan), LK_ENOENT);

    lk_callback_t *v = NULL;
    size_t n = 0;
    cr_assert_eq(lk_store_callback_list(st, LK_CALLBACK_NONE, 0, &v, &n), 0);
    store_assert_list(v, n, id, "cb_2", "cb_3", "cb_1");
    cr_assert_str_eq(v[2].conversation_id, "c_1");
    cr_assert_str_eq(v[2].contact, "0612345678");
    cr_assert_str_eq(v[2].text, "graag terugbellen");
    cr_assert_str_eq(lk_callback_status_name(v[2].status), "open");
    cr_assert_eq(v[2].created_at, 300);
    cr_assert_eq(v[2].handled_at, 0);
    cr_assert_str_eq(v[2].handled_by, "");
    cr_assert_null(v[0].text);
    cr_assert_str_eq(v[1].conversation_id, "");
    lk_callbacks_free(v, n);

    cr_assert_eq(lk_store_callback_done(st, "cb_3", "u_1", 400), 0);
    cr_assert_eq(lk_store_callback_done(st, "cb_none", "u_1", 400), LK_ENOENT);
    cr_assert_eq(lk_store_callback_list(st, LK_CALLBACK_OPEN, 0, &v, &n), 0);
    store_assert_list(v, n, id, "cb_2", "cb_1");
    lk_callbacks_free(v, n);
    cr_assert_eq(lk_store_callback_list(st, LK_CALLBACK_OPEN, 1, &v, &n), 0);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(v[0].id, "cb_2");
    lk_callbacks_free(v, n);
    cr_assert_eq(lk_store_callback_list(st, LK_CALLBACK_DONE, 0, &v, &n), 0);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(v[0].id, "cb_3");
    cr_assert_str_eq(lk_callback_status_name(v[0].status), "done");
    cr_assert_eq(v[0].handled_at, 400);
    cr_assert_str_eq(v[0].handled_by, "u_1");
    lk_callbacks_free(v, n);
    cr_assert_eq(lk_store_callback_list(st, (lk_callback_status_t)99, 0, &v, &n), 0);
    cr_assert_eq(n, 0);
    cr_assert_null(v);

    lk_callback_t nocontact = {.id = "cb_y", .status = LK_CALLBACK_OPEN};
    cr_assert_eq(lk_store_callback_insert(st, &nocontact), LK_EINVAL);
    lk_callback_t nostatus = {.id = "cb_y", .contact = (char *)"x"};
    cr_assert_eq(lk_store_callback_insert(st, &nostatus), LK_EINVAL);
    lk_callback_t noid = {.contact = (char *)"x", .status = LK_CALLBACK_OPEN};
    cr_assert_eq(lk_store_callback_insert(st, &noid), LK_EINVAL);
    cr_assert_eq(lk_store_callback_done(st, "cb_1", "", 1), LK_EINVAL);
    cr_assert_eq(lk_store_callback_done(st, "cb_1", NULL, 1), LK_EINVAL);
    cr_assert_eq(lk_store_callback_done(st, NULL, "u_1", 1), LK_EINVAL);
    cr_assert_eq(lk_store_callback_list(st, LK_CALLBACK_NONE, 0, NULL, &n), LK_EINVAL);
    lk_callback_clear(NULL);
    lk_callbacks_free(NULL, 0);
}

Test(store, feedback_and_msg_get, .init = store_fixture_setup, .fini = store_fixture_teardown)
{
    lk_conv_t a = store_fixture_conv("c_a", "bot", 0);
    lk_conv_t b = store_fixture_conv("c_b", "bot", 0);
    cr_assert_eq(lk_store_conv_insert(st, &a), 0);
    cr_assert_eq(lk_store_conv_insert(st, &b), 0);
    lk_msg_t ma = store_fixture_msg("c_a", 1, "bot", "antwoord a");
    ma.automated = true;
    ma.article_id = "return";
    ma.confidence = 0.5;
    ma.has_confidence = true;
    lk_msg_t mb = store_fixture_msg("c_b", 1, "bot", "antwoord b");
    cr_assert_eq(lk_store_msg_insert(st, &ma), 0);
    cr_assert_eq(lk_store_msg_insert(st, &mb), 0);

    lk_msg_t g;
    cr_assert_eq(lk_store_msg_get(st, "m_c_a_1", &g), 0);
    cr_assert_str_eq(g.id, "m_c_a_1");
    cr_assert_str_eq(g.conversation_id, "c_a");
    cr_assert_eq(g.seq, 1);
    cr_assert_str_eq(lk_sender_name(g.sender), "bot");
    cr_assert(g.automated);
    cr_assert_str_eq(g.text, "antwoord a");
    cr_assert_str_eq(g.article_id, "return");
    cr_assert(g.has_confidence);
    cr_assert_float_eq(g.confidence, 0.5, 1e-12);
    lk_msg_clear(&g);
    cr_assert_eq(lk_store_msg_get(st, "m_none", &g), LK_ENOENT);
    cr_assert_eq(lk_store_msg_get(st, NULL, &g), LK_EINVAL);
    cr_assert_eq(lk_store_msg_get(st, "m_c_a_1", NULL), LK_EINVAL);

    int helpful = -2;
    cr_assert_eq(lk_store_feedback_get(st, "m_c_a_1", &helpful), 0);
    cr_assert_eq(helpful, -1);
    cr_assert_eq(lk_store_feedback_set(st, "c_a", "m_c_a_1", true, 10), 0);
    cr_assert_eq(lk_store_feedback_get(st, "m_c_a_1", &helpful), 0);
    cr_assert_eq(helpful, 1);
    /* A second answer replaces the first. */
    cr_assert_eq(lk_store_feedback_set(st, "c_a", "m_c_a_1", false, 20), 0);
    cr_assert_eq(lk_store_feedback_get(st, "m_c_a_1", &helpful), 0);
    cr_assert_eq(helpful, 0);
    cr_assert_eq(lk_store_feedback_set(st, "c_a", "m_c_a_1", true, 30), 0);
    cr_assert_eq(lk_store_feedback_get(st, "m_c_a_1", &helpful), 0);
    cr_assert_eq(helpful, 1);

    /* A message of another conversation, or none at all: nothing recorded. */
    cr_assert_eq(lk_store_feedback_set(st, "c_a", "m_c_b_1", true, 40), LK_ENOENT);
    cr_assert_eq(lk_store_feedback_get(st, "m_c_b_1", &helpful), 0);
    cr_assert_eq(helpful, -1);
    cr_assert_eq(lk_store_feedback_set(st, "c_b", "m_c_a_1", false, 40), LK_ENOENT);
    cr_assert_eq(lk_store_feedback_get(st, "m_c_a_1", &helpful), 0);
    cr_assert_eq(helpful, 1);
    cr_assert_eq(lk_store_feedback_set(st, "c_a", "m_none", true, 40), LK_ENOENT);
    cr_assert_eq(lk_store_feedback_set(st, "c_none", "m_c_a_1", true, 40), LK_ENOENT);
    cr_assert_eq(lk_store_feedback_set(st, "c_b", "m_c_b_1", false, 50), 0);
    cr_assert_eq(lk_store_feedback_get(st, "m_c_b_1", &helpful), 0);
    cr_assert_eq(helpful, 0);

    /* Inside a transaction that rolls back, the answer is undone. */
    cr_assert_eq(lk_store_begin(st), 0);
    cr_assert_eq(lk_store_feedback_set(st, "c_b", "m_c_b_1", true, 60), 0);
    cr_assert_eq(lk_store_rollback(st), 0);
    cr_assert_eq(lk_store_feedback_get(st, "m_c_b_1", &helpful), 0);
    cr_assert_eq(helpful, 0);

    cr_assert_eq(lk_store_feedback_set(st, NULL, "m_c_a_1", true, 1), LK_EINVAL);
    cr_assert_eq(lk_store_feedback_set(st, "c_a", NULL, true, 1), LK_EINVAL);
    cr_assert_eq(lk_store_feedback_get(st, NULL, &helpful), LK_EINVAL);
    cr_assert_eq(lk_store_feedback_get(st, "m_c_a_1", NULL), LK_EINVAL);
}

Test(store, user_list_and_session_count, .init = store_fixture_setup, .fini = store_fixture_teardown)
{
    lk_user_t *v = NULL;
    size_t n = 99;
    cr_assert_eq(lk_store_user_list(st, &v, &n), 0);
    cr_assert_eq(n, 0);
    cr_assert_null(v);

    lk_user_t u1 = make_user("u_1", "zoe@example.com");
    lk_user_t u2 = make_user("u_2", "Bob@example.com");
    lk_user_t u3 = make_user("u_3", "carl@example.com");
    u3.disabled = true;
    u3.display_name = NULL;
    lk_user_t u4 = make_user("u_4", "anna@example.com");
    u4.role = LK_ROLE_ADMIN;
    lk_user_t *all[] = {&u1, &u2, &u3, &u4};
    for (size_t i = 0; i < 4; i++)
        cr_assert_eq(lk_store_user_insert(st, all[i]), 0);

    cr_assert_eq(lk_store_user_list(st, &v, &n), 0);
    store_assert_list(v, n, email, "anna@example.com", "bob@example.com", "carl@example.com", "zoe@example.com");
    cr_assert_str_eq(v[0].id, "u_4");
    cr_assert_str_eq(lk_role_name(v[0].role), "admin");
    cr_assert_str_eq(v[0].display_name, "Anna de Vries");
    cr_assert_eq(v[0].created_at, 42);
    cr_assert_not(v[0].disabled);
    cr_assert(v[2].disabled);
    cr_assert_null(v[2].display_name);
    for (size_t i = 0; i < n; i++)
        cr_assert_null(v[i].password_hash, "user %zu has its password hash read", i);
    lk_users_free(v, n);

    /* u_1: two valid sessions (counted once); u_2: only an expired one;
     * u_3: valid but disabled; u_4: valid until exactly 2000. */
    lk_session_t sessions[] = {
        {.id_hash = "s1", .user_id = "u_1", .created_at = 1, .expires_at = 5000},
        {.id_hash = "s2", .user_id = "u_1", .created_at = 1, .expires_at = 6000},
        {.id_hash = "s3", .user_id = "u_2", .created_at = 1, .expires_at = 500},
        {.id_hash = "s4", .user_id = "u_3", .created_at = 1, .expires_at = 5000},
        {.id_hash = "s5", .user_id = "u_4", .created_at = 1, .expires_at = 2000},
    };
    for (size_t i = 0; i < sizeof sessions / sizeof sessions[0]; i++)
        cr_assert_eq(lk_store_session_insert(st, &sessions[i]), 0);
    int64_t count = -1;
    cr_assert_eq(lk_store_session_count_users(st, 1000, &count), 0);
    cr_assert_eq(count, 2);
    cr_assert_eq(lk_store_session_count_users(st, 400, &count), 0);
    cr_assert_eq(count, 3);
    cr_assert_eq(lk_store_session_count_users(st, 2000, &count), 0); /* u_4 expired at 2000 */
    cr_assert_eq(count, 1);
    cr_assert_eq(lk_store_session_count_users(st, 6000, &count), 0);
    cr_assert_eq(count, 0);

    cr_assert_eq(lk_store_user_list(st, NULL, &n), LK_EINVAL);
    cr_assert_eq(lk_store_user_list(st, &v, NULL), LK_EINVAL);
    cr_assert_eq(lk_store_session_count_users(st, 0, NULL), LK_EINVAL);
    cr_assert_eq(lk_store_session_count_users(NULL, 0, &count), LK_EINVAL);
    lk_users_free(NULL, 0);
}

/* ---- several handles --------------------------------------------------- */

Test(store, two_handles_see_each_others_commits, .init = store_fixture_setup, .fini = store_fixture_teardown)
{
    lk_store_t *other = NULL;
    bool created = true;
    cr_assert_eq(lk_store_open(fixture_datadir, &other, &created), 0);
    cr_assert_not(created);

    /* Uncommitted writes stay invisible; committed ones appear. */
    cr_assert_eq(lk_store_begin(st), 0);
    lk_conv_t c = store_fixture_conv("c_1", "queued", 10);
    cr_assert_eq(lk_store_conv_insert(st, &c), 0);
    lk_conv_t g;
    cr_assert_eq(lk_store_conv_get(other, "c_1", &g), LK_ENOENT);
    /* The writer holds the write lock: a second writer waits, then gives up
     * only after the busy timeout, so do not try here; just commit. */
    cr_assert_eq(lk_store_commit(st), 0);
    cr_assert_eq(lk_store_conv_get(other, "c_1", &g), 0);
    cr_assert_str_eq(lk_conv_status_name(g.status), "queued");
    lk_conv_clear(&g);

    /* And the other way round, including the KB version. */
    int64_t v1 = -1, v2 = -1;
    cr_assert_eq(lk_store_kb_version(st, &v1), 0);
    lk_kb_t kb;
    lk_kb_init(&kb);
    add_article(&kb, "a", "A", NULL);
    cr_assert_eq(lk_store_kb_import(other, &kb, false, 1), 0);
    lk_kb_free(&kb);
    cr_assert_eq(lk_store_kb_version(st, &v2), 0);
    cr_assert_eq(v2, v1 + 1);
    int64_t pos = 0;
    cr_assert_eq(lk_store_conv_queue_position(other, "c_1", &pos), 0);
    cr_assert_eq(pos, 1);
    lk_store_close(other);
}

/* Several threads open a brand-new database at once: exactly one creates
 * (migrates) it, every one succeeds. */
#include <pthread.h>

struct opener {
    int err;
    bool created;
    lk_store_t *st;
};

static void *open_thread(void *arg)
{
    struct opener *o = arg;
    o->err = lk_store_open(fixture_datadir, &o->st, &o->created);
    return NULL;
}

Test(store, concurrent_first_open_migrates_once, .init = store_fixture_init, .fini = store_fixture_teardown)
{
    enum { N = 4 };
    struct opener o[N];
    pthread_t t[N];
    memset(o, 0, sizeof o);
    for (int i = 0; i < N; i++)
        cr_assert_eq(pthread_create(&t[i], NULL, open_thread, &o[i]), 0);
    int n_created = 0;
    for (int i = 0; i < N; i++) {
        pthread_join(t[i], NULL);
        cr_assert_eq(o[i].err, 0, "opener %d: %s", i, lk_strerror(o[i].err));
        n_created += o[i].created;
    }
    cr_assert_eq(n_created, 1);
    lk_conv_t c = store_fixture_conv("c_1", "bot", 0);
    cr_assert_eq(lk_store_conv_insert(o[0].st, &c), 0);
    lk_conv_t g;
    cr_assert_eq(lk_store_conv_get(o[N - 1].st, "c_1", &g), 0);
    lk_conv_clear(&g);
    for (int i = 0; i < N; i++)
        lk_store_close(o[i].st);
}

/* The same across processes: children open a new database at once, each
 * writes a conversation; exactly one of them created it. */
#include <sys/wait.h>

Test(store, concurrent_processes_share_one_database, .init = store_fixture_init, .fini = store_fixture_teardown)
{
    enum { N = 4 };
    pid_t pids[N];
    for (int i = 0; i < N; i++) {
        pids[i] = fork();
        cr_assert_neq(pids[i], -1);
        if (pids[i] == 0) {
            lk_store_t *mine = NULL;
            bool created = false;
            if (lk_store_open(fixture_datadir, &mine, &created) != 0)
                _exit(1);
            char id[16];
            snprintf(id, sizeof id, "c_%d", i);
            lk_conv_t c = store_fixture_conv(id, "queued", 100 + i);
            int err = lk_store_begin(mine);
            if (!err)
                err = lk_store_conv_insert(mine, &c);
            if (!err)
                err = lk_store_commit(mine);
            lk_store_close(mine);
            _exit(err ? 2 : created ? 10 : 0);
        }
    }
    int n_created = 0;
    for (int i = 0; i < N; i++) {
        int status = 0;
        cr_assert_eq(waitpid(pids[i], &status, 0), pids[i]);
        cr_assert(WIFEXITED(status));
        cr_assert(WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 10, "child %d exited %d", i,
                  WEXITSTATUS(status));
        n_created += WEXITSTATUS(status) == 10;
    }
    cr_assert_eq(n_created, 1);
    cr_assert_eq(lk_store_open(fixture_datadir, &st, NULL), 0);
    lk_conv_t *v;
    size_t n;
    cr_assert_eq(lk_store_conv_list_queued(st, 0, &v, &n), 0);
    cr_assert_eq(n, N);
    for (size_t i = 0; i < n; i++) {
        char id[32];
        snprintf(id, sizeof id, "c_%zu", i);
        cr_assert_str_eq(v[i].id, id);
    }
    lk_convs_free(v, n);
}

/* ---- checkpoints ------------------------------------------------------- */

/* With automatic checkpoints off, commits leave the log growing; an explicit
 * checkpoint copies it back, and the data stays readable through another
 * handle all along. */
Test(store, checkpoint_by_hand, .init = store_fixture_setup, .fini = store_fixture_teardown)
{
    cr_assert_eq(lk_store_set_autocheckpoint(st, false), 0);
    char wal[160];
    snprintf(wal, sizeof wal, "%s/loket.db-wal", fixture_datadir);
    for (int i = 0; i < 300; i++) {
        char id[32];
        snprintf(id, sizeof id, "c_ckpt_%d", i);
        lk_conv_t c = store_fixture_conv(id, "bot", 0);
        cr_assert_eq(lk_store_begin(st), 0);
        cr_assert_eq(lk_store_conv_insert(st, &c), 0);
        cr_assert_eq(lk_store_commit(st), 0);
    }
    struct stat before;
    cr_assert_eq(stat(wal, &before), 0);
    cr_assert_gt(before.st_size, 4096 * 100, "without checkpoints the log keeps every commit (%lld bytes)",
                 (long long)before.st_size);
    int64_t left = -1;
    cr_assert_eq(lk_store_checkpoint(st, &left), 0);
    cr_assert_eq(left, 0, "nobody reads: everything is copied back");
    lk_store_t *other;
    cr_assert_eq(lk_store_open(fixture_datadir, &other, NULL), 0);
    lk_conv_t got;
    cr_assert_eq(lk_store_conv_get(other, "c_ckpt_299", &got), 0);
    lk_conv_clear(&got);
    lk_store_close(other);
    cr_assert_eq(lk_store_checkpoint(NULL, NULL), LK_EINVAL);
}
