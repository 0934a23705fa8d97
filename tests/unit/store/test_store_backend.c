/*
 * Unit tests of the store's interface itself, whatever the backend: the
 * backend lk_store_open chooses by the location, the public functions'
 * refusal of a NULL handle, and the closed sets the records carry as enums
 * (their names are the text the database and the JSON hold).
 */
#include "store/store.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "store_fixture.h"

TestSuite(store_backend, .init = store_fixture_setup, .fini = store_fixture_teardown);

Test(store_backend, open_chooses_the_backend_by_the_location)
{
    cr_assert_str_eq(lk_store_backend(st), "sqlite");
    cr_assert_null(lk_store_backend(NULL));
    lk_store_t *pg = (lk_store_t *)1;
    bool created = true;
    cr_assert_eq(lk_store_open("postgres://loket@db.example/loket", &pg, &created), LK_ECONFIG);
    cr_assert_null(pg);
    cr_assert_not(created);
    pg = (lk_store_t *)1;
    cr_assert_eq(lk_store_open("postgresql://db.example/loket", &pg, NULL), LK_ECONFIG);
    cr_assert_null(pg);
}

Test(store_backend, a_null_handle_is_refused_by_every_group)
{
    lk_conv_t c;
    int64_t n;
    lk_kb_t kb;
    char *v = NULL;
    bool b;
    cr_assert_eq(lk_store_begin(NULL), LK_EINVAL);
    cr_assert_eq(lk_store_conv_get(NULL, "c_1", &c), LK_EINVAL);
    cr_assert_eq(lk_store_audit_count(NULL, "x", &n), LK_EINVAL);
    cr_assert_eq(lk_store_kb_load(NULL, &kb), LK_EINVAL);
    cr_assert_eq(lk_store_canned_count_all(NULL, &n), LK_EINVAL);
    cr_assert_eq(lk_store_meta_get(NULL, "k", &v), LK_EINVAL);
    cr_assert_eq(lk_store_privacy_purge_count(NULL, &(lk_purge_cutoffs_t){0}, &(lk_privacy_counts_t){0}),
                 LK_EINVAL);
    cr_assert_eq(lk_store_login_address_known(NULL, "u", "a", 0, &b), LK_EINVAL);
    cr_assert_eq(lk_store_secevent_purge(NULL, 0, NULL), LK_EINVAL);
    lk_store_close(NULL); /* a no-op */
}

Test(store_backend, closed_sets_name_and_parse_both_ways)
{
    lk_role_t r;
    cr_assert_eq(lk_role_parse("supervisor", &r), 0);
    cr_assert_eq(r, LK_ROLE_SUPERVISOR);
    cr_assert_str_eq(lk_role_name(LK_ROLE_ADMIN), "admin");
    cr_assert(LK_ROLE_AGENT < LK_ROLE_SUPERVISOR && LK_ROLE_SUPERVISOR < LK_ROLE_ADMIN, "values rise with rights");
    cr_assert_eq(lk_role_parse("Admin", &r), LK_EINVAL, "names are exact");
    cr_assert_eq(r, LK_ROLE_NONE);
    cr_assert_eq(lk_role_parse(NULL, &r), LK_EINVAL);
    cr_assert_eq(lk_role_parse("agent", NULL), 0, "a check without a result");
    cr_assert_str_eq(lk_role_name(LK_ROLE_NONE), "");
    cr_assert_str_eq(lk_role_name((lk_role_t)99), "");

    lk_callback_status_t cs;
    cr_assert_eq(lk_callback_status_parse("done", &cs), 0);
    cr_assert_eq(cs, LK_CALLBACK_DONE);
    cr_assert_str_eq(lk_callback_status_name(LK_CALLBACK_OPEN), "open");
    cr_assert_eq(lk_callback_status_parse("", &cs), LK_EINVAL);

    lk_draft_status_t ds;
    cr_assert_eq(lk_draft_status_parse("draft", &ds), 0);
    cr_assert_eq(ds, LK_DRAFT_OPEN);
    cr_assert_str_eq(lk_draft_status_name(LK_DRAFT_DISCARDED), "discarded");
    cr_assert_eq(lk_draft_status_parse("archived", &ds), LK_EINVAL);

    static const char *const conv[] = {"bot", "queued", "assigned", "closed"};
    for (size_t i = 0; i < 4; i++) {
        lk_conv_status_t s;
        cr_assert_eq(lk_conv_status_parse(conv[i], &s), 0);
        cr_assert_str_eq(lk_conv_status_name(s), conv[i]);
    }
}

Test(store_backend, enums_are_stored_as_their_names)
{
    lk_conv_t c = store_fixture_conv("c_1", "queued", 5);
    cr_assert_eq(lk_store_conv_insert(st, &c), 0);
    lk_user_t u = {.id = "u_1", .email = "a@example.com", .role = LK_ROLE_SUPERVISOR, .created_at = 1};
    cr_assert_eq(lk_store_user_insert(st, &u), 0);
    lk_callback_t cb = {.id = "cb_1", .conversation_id = "c_1", .contact = (char *)"x", .status = LK_CALLBACK_OPEN};
    cr_assert_eq(lk_store_callback_insert(st, &cb), 0);
    cr_assert_eq(store_fixture_count("SELECT COUNT(*) FROM conversations WHERE status = 'queued'"), 1);
    cr_assert_eq(store_fixture_count("SELECT COUNT(*) FROM users WHERE role = 'supervisor'"), 1);
    cr_assert_eq(store_fixture_count("SELECT COUNT(*) FROM callback_requests WHERE status = 'open'"), 1);

    /* and read back from the text, also text another version wrote */
    store_fixture_exec("UPDATE conversations SET status = 'assigned' WHERE id = 'c_1'");
    store_fixture_exec("UPDATE users SET role = 'admin' WHERE id = 'u_1'");
    lk_conv_t g;
    cr_assert_eq(lk_store_conv_get(st, "c_1", &g), 0);
    cr_assert_eq(g.status, LK_CONV_ASSIGNED);
    lk_conv_clear(&g);
    lk_user_t gu;
    cr_assert_eq(lk_store_user_get(st, "u_1", &gu), 0);
    cr_assert_eq(gu.role, LK_ROLE_ADMIN);
    lk_user_clear(&gu);
}

Test(store_backend, a_record_without_its_closed_set_value_is_refused)
{
    lk_conv_t c = store_fixture_conv("c_1", "bot", 0);
    cr_assert_eq(lk_store_conv_insert(st, &c), 0);
    lk_user_t u = {.id = "u_1", .email = "a@example.com", .created_at = 1}; /* role NONE */
    cr_assert_eq(lk_store_user_insert(st, &u), LK_EINVAL);
    u.role = (lk_role_t)42;
    cr_assert_eq(lk_store_user_insert(st, &u), LK_EINVAL);
    lk_callback_t cb = {.id = "cb_1", .conversation_id = "c_1", .contact = (char *)"x"}; /* status NONE */
    cr_assert_eq(lk_store_callback_insert(st, &cb), LK_EINVAL);
    c.status = (lk_conv_status_t)17;
    cr_assert_eq(lk_store_conv_update(st, &c), LK_EINVAL);
    cr_assert_eq(store_fixture_count("SELECT COUNT(*) FROM users"), 0);
    cr_assert_eq(store_fixture_count("SELECT COUNT(*) FROM callback_requests"), 0);
    cr_assert_eq(store_fixture_count("SELECT COUNT(*) FROM conversations WHERE status = 'bot'"), 1);
}
