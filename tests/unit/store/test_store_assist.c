/*
 * Unit tests for the store's agent-assist part (src/store/sqlite/assist.c on SQLite):
 * canned responses (insert, get, update, archive, listing by language and
 * title) and a customer's earlier conversations by e-mail address or
 * external id. Each test works in a fresh temporary directory.
 */
#include "store/store.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store_fixture.h"

TestSuite(store_assist, .init = store_fixture_setup, .fini = store_fixture_teardown);

static lk_canned_t canned(const char *id, const char *lang, const char *title, const char *shortcut, const char *text)
{
    lk_canned_t c = {0};
    snprintf(c.id, sizeof c.id, "%s", id);
    snprintf(c.language, sizeof c.language, "%s", lang);
    c.title = (char *)title;
    c.shortcut = (char *)shortcut;
    c.text = (char *)text;
    snprintf(c.created_by, sizeof c.created_by, "u_sam");
    c.created_at = c.updated_at = 1000;
    return c;
}

Test(store_assist, canned_round_trip_update_and_archive)
{
    lk_canned_t a = canned("cr_a", "nl", "Welkom", "hallo", "Hallo {customer_name}, ik ben {agent_name}.");
    cr_assert_eq(lk_store_canned_insert(st, &a), 0);
    cr_assert_eq(lk_store_canned_insert(st, &a), LK_EEXIST);
    lk_canned_t got;
    cr_assert_eq(lk_store_canned_get(st, "cr_a", &got), 0);
    cr_assert_str_eq(got.title, "Welkom");
    cr_assert_str_eq(got.shortcut, "hallo");
    cr_assert_str_eq(got.text, a.text);
    cr_assert_str_eq(got.created_by, "u_sam");
    cr_assert_eq(got.created_at, 1000);
    cr_assert_not(got.archived);

    free(got.shortcut);
    got.shortcut = NULL;
    free(got.title);
    got.title = lk_xstrdup("Begroeting");
    got.updated_at = 2000;
    cr_assert_eq(lk_store_canned_update(st, &got), 0);
    lk_canned_clear(&got);
    cr_assert_eq(lk_store_canned_get(st, "cr_a", &got), 0);
    cr_assert_str_eq(got.title, "Begroeting");
    cr_assert_null(got.shortcut, "the shortcut was removed");
    cr_assert_eq(got.updated_at, 2000);
    cr_assert_eq(got.created_at, 1000, "created_at stays");

    cr_assert_eq(lk_store_canned_archive(st, "cr_a", 3000), 0);
    cr_assert_eq(lk_store_canned_archive(st, "cr_a", 3000), LK_ENOENT, "archived already");
    cr_assert_eq(lk_store_canned_update(st, &got), LK_ENOENT, "an archived one does not change");
    lk_canned_clear(&got);
    cr_assert_eq(lk_store_canned_get(st, "cr_a", &got), 0, "still there for the audit log");
    cr_assert(got.archived);
    lk_canned_clear(&got);
    cr_assert_eq(lk_store_canned_get(st, "cr_none", &got), LK_ENOENT);
    cr_assert_eq(lk_store_canned_archive(st, "cr_none", 1), LK_ENOENT);
}

Test(store_assist, canned_list_by_language_ordered_by_title_without_archived)
{
    lk_canned_t v[] = {
        canned("cr_1", "nl", "Zo snel mogelijk", NULL, "..."),
        canned("cr_2", "nl", "Afsluiten", "bye", "Fijne dag!"),
        canned("cr_3", "en", "Closing", "bye", "Have a nice day!"),
        canned("cr_4", "nl", "Oud", NULL, "weg"),
    };
    for (size_t i = 0; i < 4; i++)
        cr_assert_eq(lk_store_canned_insert(st, &v[i]), 0);
    cr_assert_eq(lk_store_canned_archive(st, "cr_4", 5), 0);
    lk_canned_t *out;
    size_t n;
    cr_assert_eq(lk_store_canned_list(st, "nl", 0, &out, &n), 0);
    store_assert_list(out, n, id, "cr_2", "cr_1");
    lk_canned_free(out, n);
    cr_assert_eq(lk_store_canned_list(st, NULL, 0, &out, &n), 0);
    cr_assert_eq(n, 3);
    lk_canned_free(out, n);
    cr_assert_eq(lk_store_canned_list(st, NULL, 1, &out, &n), 0);
    cr_assert_eq(n, 1, "limit");
    lk_canned_free(out, n);
}

static void add_conv_as(const char *id, const char *email, const char *ext, int64_t created, bool verified)
{
    lk_conv_t c = {0};
    snprintf(c.id, sizeof c.id, "%s", id);
    snprintf(c.token_hash, sizeof c.token_hash, "h");
    c.status = LK_CONV_CLOSED;
    snprintf(c.language, sizeof c.language, "nl");
    c.handoff_reason = LK_HANDOFF_BUTTON;
    snprintf(c.channel, sizeof c.channel, "web");
    c.created_at = c.updated_at = c.closed_at = created;
    c.next_seq = 1;
    c.customer_email = (char *)email;
    c.customer_external_id = (char *)ext;
    c.disposition = (char *)"resolved";
    c.customer_verified = verified;
    cr_assert_eq(lk_store_conv_insert(st, &c), 0);
}

static void add_conv(const char *id, const char *email, const char *ext, int64_t created)
{
    add_conv_as(id, email, ext, created, true);
}

Test(store_assist, history_by_email_or_external_id_newest_first)
{
    add_conv("c_1", "jan@example.nl", NULL, 100);
    add_conv("c_2", NULL, "cust-7", 200);
    add_conv("c_3", "jan@example.nl", "cust-7", 300);
    add_conv("c_4", "piet@example.nl", "cust-8", 400);
    add_conv("c_now", "jan@example.nl", "cust-7", 500);
    lk_conv_t *v;
    size_t n;
    cr_assert_eq(lk_store_conv_history(st, "Jan@Example.NL", NULL, "c_now", 0, &v, &n), 0);
    /* by e-mail, case-insensitively, without the current one */
    store_assert_list(v, n, id, "c_3", "c_1");
    cr_assert_str_eq(lk_handoff_reason_name(v[0].handoff_reason), "button");
    cr_assert_str_eq(v[0].disposition, "resolved");
    cr_assert_eq(v[0].created_at, 300);
    lk_convs_free(v, n);
    cr_assert_eq(lk_store_conv_history(st, NULL, "cust-7", "c_now", 0, &v, &n), 0);
    store_assert_list(v, n, id, "c_3", "c_2");
    lk_convs_free(v, n);
    cr_assert_eq(lk_store_conv_history(st, "jan@example.nl", "cust-7", "c_now", 2, &v, &n), 0);
    /* either, at most the limit */
    store_assert_list(v, n, id, "c_3", "c_2");
    lk_convs_free(v, n);
    cr_assert_eq(lk_store_conv_history(st, NULL, NULL, "c_now", 0, &v, &n), 0);
    cr_assert_eq(n, 0, "an unknown customer has no history");
    cr_assert_null(v);
}

Test(store_assist, history_holds_only_verified_identities)
{
    add_conv("c_1", "jan@example.nl", "cust-7", 100);
    add_conv_as("c_spoof", "jan@example.nl", "cust-7", 200, false); /* anyone may claim an address */
    add_conv("c_now", "jan@example.nl", "cust-7", 500);
    lk_conv_t *v;
    size_t n;
    cr_assert_eq(lk_store_conv_history(st, "jan@example.nl", "cust-7", "c_now", 0, &v, &n), 0);
    cr_assert_eq(n, 1, "the unverified conversation is no part of the history");
    cr_assert_str_eq(v[0].id, "c_1");
    lk_convs_free(v, n);
    lk_conv_t c;
    cr_assert_eq(lk_store_conv_get(st, "c_spoof", &c), 0);
    cr_assert(!c.customer_verified, "stored as unverified");
    lk_conv_clear(&c);
    cr_assert_eq(lk_store_conv_get(st, "c_1", &c), 0);
    cr_assert(c.customer_verified);
    lk_conv_clear(&c);
}
