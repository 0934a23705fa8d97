/*
 * Unit tests for the store's labelled questions (src/store/sqlite/labelled.c
 * on SQLite; store.h, group labelled): adding with the duplicate rule,
 * replacing inside a transaction that rolls back, listing by page and by
 * article, the counts per label, deleting, and the checks of a record. Each
 * test works in a fresh temporary directory.
 */
#include "store/store.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_fixture.h"

TestSuite(store_labelled, .init = store_fixture_setup, .fini = store_fixture_teardown);

static lk_labelled_t q(const char *text, const char *article, const char *language)
{
    lk_labelled_t r;
    memset(&r, 0, sizeof r);
    r.text = (char *)text;
    snprintf(r.article_id, sizeof r.article_id, "%s", article);
    snprintf(r.language, sizeof r.language, "%s", language);
    r.source = LK_LABELLED_IMPORT;
    snprintf(r.added_by, sizeof r.added_by, "u_1");
    r.created_at = 1000;
    return r;
}

Test(store_labelled, add_list_and_duplicates)
{
    lk_labelled_t v[] = {q("Waar blijft mijn pakket?", "delivery", "nl"), q("Wat is het weer morgen?", "", ""),
                         q("Kan ik iets terugsturen?", "returns", "nl")};
    int64_t added = -1, deleted = -1;
    cr_assert_eq(lk_store_labelled_add(st, v, 3, false, &added, &deleted), 0);
    cr_assert_eq(added, 3);
    cr_assert_eq(deleted, 0);
    /* the same question with the same label again is not stored twice; with
     * another label it is (a contradiction the team lead sees in the list) */
    lk_labelled_t again[] = {q("Waar blijft mijn pakket?", "delivery", "nl"),
                             q("Waar blijft mijn pakket?", "returns", "nl"), q("Wat is het weer morgen?", "", "nl")};
    cr_assert_eq(lk_store_labelled_add(st, again, 3, false, &added, NULL), 0);
    cr_assert_eq(added, 1);

    lk_labelled_t *out = NULL;
    size_t n = 0;
    cr_assert_eq(lk_store_labelled_list(st, NULL, 0, 0, &out, &n), 0);
    cr_assert_eq(n, 4);
    cr_assert_str_eq(out[0].text, "Waar blijft mijn pakket?");
    cr_assert_str_eq(out[0].article_id, "delivery");
    cr_assert_str_eq(out[0].language, "nl");
    cr_assert_eq(out[0].source, LK_LABELLED_IMPORT);
    cr_assert_str_eq(out[0].added_by, "u_1");
    cr_assert_eq(out[0].created_at, 1000);
    cr_assert_str_eq(out[1].article_id, "");
    cr_assert_str_eq(out[1].language, "");
    cr_assert_str_eq(out[3].article_id, "returns");
    cr_assert(out[0].id < out[1].id && out[1].id < out[2].id && out[2].id < out[3].id);
    int64_t second = out[1].id, third = out[2].id;
    lk_labelled_free(out, n);

    /* a page after an id, and a limit */
    cr_assert_eq(lk_store_labelled_list(st, NULL, second, 1, &out, &n), 0);
    cr_assert_eq(n, 1);
    cr_assert_eq(out[0].id, third);
    lk_labelled_free(out, n);
    /* one article's, and the out-of-scope ones ("") */
    cr_assert_eq(lk_store_labelled_list(st, "returns", 0, 0, &out, &n), 0);
    cr_assert_eq(n, 2);
    lk_labelled_free(out, n);
    cr_assert_eq(lk_store_labelled_list(st, "", 0, 0, &out, &n), 0);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(out[0].text, "Wat is het weer morgen?");
    lk_labelled_free(out, n);
    cr_assert_eq(lk_store_labelled_list(st, "nothing", 0, 0, &out, &n), 0);
    cr_assert_eq(n, 0);
    cr_assert_null(out);
}

Test(store_labelled, counts_per_label)
{
    lk_labelled_t v[] = {q("a", "returns", "nl"), q("b", "", ""), q("c", "returns", "nl"), q("d", "delivery", "nl"),
                         q("e", "", "")};
    cr_assert_eq(lk_store_labelled_add(st, v, 5, false, NULL, NULL), 0);
    lk_labelled_count_t *c = NULL;
    size_t n = 0;
    cr_assert_eq(lk_store_labelled_counts(st, &c, &n), 0);
    cr_assert_eq(n, 3);
    cr_assert_str_eq(c[0].article_id, ""); /* out of scope first */
    cr_assert_eq(c[0].count, 2);
    cr_assert_str_eq(c[1].article_id, "delivery");
    cr_assert_eq(c[1].count, 1);
    cr_assert_str_eq(c[2].article_id, "returns");
    cr_assert_eq(c[2].count, 2);
    free(c);
}

Test(store_labelled, replace_and_rollback)
{
    lk_labelled_t v[] = {q("a", "returns", "nl"), q("b", "", "")};
    cr_assert_eq(lk_store_labelled_add(st, v, 2, false, NULL, NULL), 0);
    lk_labelled_t w[] = {q("c", "delivery", "nl")};
    int64_t added = 0, deleted = 0;
    /* inside a transaction that is rolled back: nothing changes */
    cr_assert_eq(lk_store_begin(st), 0);
    cr_assert_eq(lk_store_labelled_add(st, w, 1, true, &added, &deleted), 0);
    cr_assert_eq(deleted, 2);
    cr_assert_eq(added, 1);
    cr_assert_eq(lk_store_rollback(st), 0);
    cr_assert_eq(store_fixture_count("SELECT COUNT(*) FROM labelled_questions"), 2);
    /* committed: only the new one is left */
    cr_assert_eq(lk_store_begin(st), 0);
    cr_assert_eq(lk_store_labelled_add(st, w, 1, true, &added, &deleted), 0);
    cr_assert_eq(lk_store_commit(st), 0);
    lk_labelled_t *out = NULL;
    size_t n = 0;
    cr_assert_eq(lk_store_labelled_list(st, NULL, 0, 0, &out, &n), 0);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(out[0].text, "c");
    lk_labelled_free(out, n);
}

Test(store_labelled, delete_one)
{
    lk_labelled_t v[] = {q("a", "returns", "nl"), q("b", "", "")};
    cr_assert_eq(lk_store_labelled_add(st, v, 2, false, NULL, NULL), 0);
    lk_labelled_t *out = NULL;
    size_t n = 0;
    cr_assert_eq(lk_store_labelled_list(st, NULL, 0, 0, &out, &n), 0);
    int64_t id = out[0].id;
    lk_labelled_free(out, n);
    cr_assert_eq(lk_store_labelled_delete(st, id), 0);
    cr_assert_eq(lk_store_labelled_delete(st, id), LK_ENOENT);
    cr_assert_eq(lk_store_labelled_delete(st, 0), LK_ENOENT);
    cr_assert_eq(lk_store_labelled_list(st, NULL, 0, 0, &out, &n), 0);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(out[0].text, "b");
    lk_labelled_free(out, n);
}

Test(store_labelled, refuses_bad_records)
{
    lk_labelled_t ok = q("a", "returns", "nl");
    lk_labelled_t empty = q("", "returns", "nl");
    lk_labelled_t none = q("b", "returns", "nl");
    none.source = LK_LABELLED_NONE;
    lk_labelled_t v[] = {ok, empty};
    cr_assert_eq(lk_store_labelled_add(st, v, 2, false, NULL, NULL), LK_EINVAL);
    lk_labelled_t w[] = {ok, none};
    cr_assert_eq(lk_store_labelled_add(st, w, 2, false, NULL, NULL), LK_EINVAL);
    cr_assert_eq(lk_store_labelled_add(st, NULL, 1, false, NULL, NULL), LK_EINVAL);
    /* checked before anything is written */
    cr_assert_eq(store_fixture_count("SELECT COUNT(*) FROM labelled_questions"), 0);
    cr_assert_eq(lk_store_labelled_list(st, NULL, 0, 0, NULL, NULL), LK_EINVAL);
}

Test(store_labelled, source_names)
{
    lk_labelled_source_t s;
    cr_assert_str_eq(lk_labelled_source_name(LK_LABELLED_REVIEW), "review");
    cr_assert_str_eq(lk_labelled_source_name(LK_LABELLED_NONE), "");
    cr_assert_eq(lk_labelled_source_parse("console", &s), 0);
    cr_assert_eq(s, LK_LABELLED_CONSOLE);
    cr_assert_eq(lk_labelled_source_parse("other", &s), LK_EINVAL);
    cr_assert_eq(s, LK_LABELLED_NONE);
}
