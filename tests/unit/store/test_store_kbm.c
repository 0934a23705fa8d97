/*
 * Unit tests for the store's knowledge-management part
 * (src/store/sqlite/kbm.c on SQLite): drafts, article versions, archive and restore, and
 * the versions an import records. Each test works in a fresh temporary
 * directory.
 */
#include "store/store.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store_fixture.h"

TestSuite(store_kbm, .init = store_fixture_setup, .fini = store_fixture_teardown);

/* A draft whose strings are borrowed (never cleared). */
static lk_draft_t draft(const char *id, const char *article_id, const char *title)
{
    lk_draft_t d;
    memset(&d, 0, sizeof d);
    snprintf(d.id, sizeof d.id, "%s", id);
    snprintf(d.article_id, sizeof d.article_id, "%s", article_id);
    d.status = LK_DRAFT_OPEN;
    snprintf(d.language, sizeof d.language, "nl");
    d.title = (char *)title;
    d.questions = (char *)"[\"Waar is mijn pakket?\",\"Pakket kwijt\"]";
    d.answer = (char *)"Kijk bij **Mijn bestellingen**.";
    d.tags = (char *)"[\"bezorging\"]";
    d.source = LK_DRAFT_SOURCE_GAP_REPORT;
    snprintf(d.created_by, sizeof d.created_by, "u_sam");
    d.created_at = 1000;
    d.updated_at = 1500;
    return d;
}

Test(store_kbm, draft_insert_and_get_round_trip)
{
    lk_draft_t d = draft("d_one", "", "Pakket zoek");
    d.review_by = 99000;
    d.url = (char *)"https://example.com/pakket";
    snprintf(d.owner, sizeof d.owner, "u_owner");
    snprintf(d.new_id, sizeof d.new_id, "pakket-zoek");
    cr_assert_eq(lk_store_draft_insert(st, &d), 0);
    cr_assert_eq(lk_store_draft_insert(st, &d), LK_EEXIST, "ids are unique");

    lk_draft_t got;
    cr_assert_eq(lk_store_draft_get(st, "d_one", &got), 0);
    cr_assert_str_eq(got.id, "d_one");
    cr_assert_str_eq(got.article_id, "", "a new article has no article id");
    cr_assert_str_eq(lk_draft_status_name(got.status), "draft");
    cr_assert_str_eq(got.language, "nl");
    cr_assert_str_eq(got.title, "Pakket zoek");
    cr_assert_str_eq(got.questions, d.questions);
    cr_assert_str_eq(got.answer, d.answer);
    cr_assert_str_eq(got.url, "https://example.com/pakket");
    cr_assert_str_eq(got.tags, d.tags);
    cr_assert_str_eq(got.owner, "u_owner");
    cr_assert_eq(got.review_by, 99000);
    cr_assert_str_eq(got.translation_group, "");
    cr_assert_str_eq(lk_draft_source_name(got.source), "gap_report");
    cr_assert_str_eq(got.created_by, "u_sam");
    cr_assert_eq(got.created_at, 1000);
    cr_assert_eq(got.updated_at, 1500);
    cr_assert_str_eq(got.new_id, "pakket-zoek");
    lk_draft_clear(&got);
    cr_assert_null(got.title, "clear leaves the record empty");
    lk_draft_clear(NULL);

    cr_assert_eq(lk_store_draft_get(st, "d_none", &got), LK_ENOENT);
}

Test(store_kbm, draft_insert_rejects_incomplete_records)
{
    lk_draft_t d = draft("d_two", "", "Titel");
    d.questions = NULL;
    cr_assert_eq(lk_store_draft_insert(st, &d), LK_EINVAL);
    d = draft("", "", "Titel");
    cr_assert_eq(lk_store_draft_insert(st, &d), LK_EINVAL);
    d = draft("d_two", "", "Titel");
    d.status = LK_DRAFT_NONE;
    cr_assert_eq(lk_store_draft_insert(st, &d), LK_EINVAL);
    cr_assert_eq(lk_store_draft_insert(NULL, &d), LK_EINVAL);
    lk_draft_t got;
    cr_assert_eq(lk_store_draft_get(st, "d_two", &got), LK_ENOENT, "nothing was stored");
}

Test(store_kbm, draft_list_update_and_finish)
{
    lk_draft_t a = draft("d_a", "", "Eerste");
    lk_draft_t b = draft("d_b", "retourneren", "Tweede");
    b.updated_at = 3000;
    cr_assert_eq(lk_store_draft_insert(st, &a), 0);
    cr_assert_eq(lk_store_draft_insert(st, &b), 0);
    lk_draft_t *v;
    size_t n;
    cr_assert_eq(lk_store_draft_list(st, LK_DRAFT_OPEN, 0, &v, &n), 0);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(v[0].id, "d_b", "most recently updated first");
    cr_assert_str_eq(v[0].article_id, "retourneren");
    lk_drafts_free(v, n);

    a.title = (char *)"Eerste, herzien";
    a.url = (char *)"https://example.com/x";
    snprintf(a.new_id, sizeof a.new_id, "eerste");
    a.updated_at = 4000;
    cr_assert_eq(lk_store_draft_update(st, &a), 0);
    lk_draft_t got;
    cr_assert_eq(lk_store_draft_get(st, "d_a", &got), 0);
    cr_assert_str_eq(got.title, "Eerste, herzien");
    cr_assert_str_eq(got.url, "https://example.com/x");
    cr_assert_str_eq(got.new_id, "eerste");
    cr_assert_eq(got.updated_at, 4000);
    cr_assert_eq(got.created_at, 1000, "created_at stays");
    lk_draft_clear(&got);

    cr_assert_eq(lk_store_draft_finish(st, "d_a", LK_DRAFT_PUBLISHED, "eerste", 5000), 0);
    cr_assert_eq(lk_store_draft_finish(st, "d_a", LK_DRAFT_DISCARDED, NULL, 5000), LK_ENOENT, "only a draft finishes");
    cr_assert_eq(lk_store_draft_update(st, &a), LK_ENOENT, "a published draft is not edited");
    cr_assert_eq(lk_store_draft_finish(st, "d_b", LK_DRAFT_OPEN, NULL, 5000), LK_EINVAL);
    cr_assert_eq(lk_store_draft_finish(st, "d_b", LK_DRAFT_DISCARDED, NULL, 5000), 0);
    cr_assert_eq(lk_store_draft_get(st, "d_a", &got), 0);
    cr_assert_str_eq(lk_draft_status_name(got.status), "published");
    cr_assert_str_eq(got.article_id, "eerste", "the draft knows the article it became");
    lk_draft_clear(&got);
    cr_assert_eq(lk_store_draft_list(st, LK_DRAFT_OPEN, 0, &v, &n), 0);
    cr_assert_eq(n, 0);
    lk_drafts_free(v, n);
    cr_assert_eq(lk_store_draft_list(st, LK_DRAFT_NONE, 1, &v, &n), 0);
    cr_assert_eq(n, 1, "the limit holds");
    lk_drafts_free(v, n);
}

static lk_article_t article(const char *id, const char *title)
{
    static char *q[] = {"Waar is mijn pakket?", "pakket kwijt"};
    static char *t[] = {"bezorging"};
    lk_article_t a = {.id = (char *)id,
                      .language = "nl",
                      .title = (char *)title,
                      .questions = q,
                      .n_questions = 2,
                      .answer = "Kijk bij **Mijn bestellingen**.",
                      .tags = t,
                      .n_tags = 1};
    return a;
}

static int64_t kb_version(void)
{
    int64_t v = -1;
    cr_assert_eq(lk_store_kb_version(st, &v), 0);
    return v;
}

static size_t published_count(void)
{
    lk_kb_t kb;
    cr_assert_eq(lk_store_kb_load(st, &kb), 0);
    size_t n = kb.n_articles;
    lk_kb_free(&kb);
    return n;
}

Test(store_kbm, publish_edit_archive_restore_keep_history)
{
    lk_article_t a = article("pakket", "Pakket");
    a.owner = "u_kim";
    a.review_by = 86400000;
    int64_t v0 = kb_version(), ver = 0;
    cr_assert_eq(lk_store_article_publish(st, &a, true, "u_sam", 1000, &ver), 0);
    cr_assert_eq(ver, 1);
    cr_assert_eq(lk_store_article_publish(st, &a, true, "u_sam", 1000, NULL), LK_EEXIST);
    cr_assert_gt(kb_version(), v0, "publishing bumps the KB version");
    cr_assert_eq(published_count(), 1);

    lk_article_t b = article("pakket", "Pakket zoek");
    b.translation_group = "pakket";
    cr_assert_eq(lk_store_article_publish(st, &b, false, "u_kim", 2000, &ver), 0);
    cr_assert_eq(ver, 2);
    lk_article_t c = article("nieuw", "Nieuw");
    cr_assert_eq(lk_store_article_publish(st, &c, false, "u_kim", 2000, NULL), LK_ENOENT, "an edit needs the article");

    lk_article_rec_t r;
    cr_assert_eq(lk_store_article_get(st, "pakket", &r), 0);
    cr_assert_str_eq(r.a.title, "Pakket zoek");
    cr_assert_str_eq(lk_article_status_name(r.status), "published");
    cr_assert_eq(r.version, 2);
    cr_assert_eq(r.updated_at, 2000);
    cr_assert_str_eq(r.updated_by, "u_kim");
    cr_assert_null(r.a.owner, "an edit writes the metadata it is given");
    cr_assert_str_eq(r.a.translation_group, "pakket");
    cr_assert_eq(r.a.n_questions, 2);
    cr_assert_str_eq(r.a.questions[1], "pakket kwijt");
    lk_article_rec_clear(&r);

    int64_t v1 = kb_version();
    cr_assert_eq(lk_store_article_set_archived(st, "pakket", true, "u_sam", 3000, &ver), 0);
    cr_assert_eq(ver, 3);
    cr_assert_gt(kb_version(), v1);
    cr_assert_eq(published_count(), 0, "the bot no longer sees an archived article");
    cr_assert_eq(lk_store_article_set_archived(st, "pakket", true, "u_sam", 3000, NULL), LK_ESTATE);
    cr_assert_eq(lk_store_article_set_archived(st, "none", true, "u_sam", 3000, NULL), LK_ENOENT);

    lk_article_rec_t *list;
    size_t n;
    cr_assert_eq(lk_store_article_list(st, LK_ARTICLE_ARCHIVED, &list, &n), 0);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(list[0].a.id, "pakket");
    lk_article_recs_free(list, n);
    cr_assert_eq(lk_store_article_list(st, LK_ARTICLE_PUBLISHED, &list, &n), 0);
    cr_assert_eq(n, 0);
    lk_article_recs_free(list, n);

    cr_assert_eq(lk_store_article_set_archived(st, "pakket", false, "u_kim", 4000, &ver), 0);
    cr_assert_eq(ver, 4);
    cr_assert_eq(published_count(), 1);

    lk_article_version_t *h;
    cr_assert_eq(lk_store_article_versions(st, "pakket", 0, &h, &n), 0);
    cr_assert_eq(n, 4);
    static const char *const changes[] = {"restored", "archived", "edited", "created"};
    static const char *const by[] = {"u_kim", "u_sam", "u_kim", "u_sam"};
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(h[i].version, (int64_t)(4 - i), "newest first");
        cr_assert_str_eq(lk_change_name(h[i].change), changes[i]);
        cr_assert_str_eq(h[i].changed_by, by[i]);
    }
    cr_assert_str_eq(h[3].a.title, "Pakket", "a version holds the content as it was");
    cr_assert_str_eq(h[3].a.owner, "u_kim");
    cr_assert_eq(h[3].a.review_by, 86400000);
    cr_assert_str_eq(h[2].a.title, "Pakket zoek");
    cr_assert_str_eq(lk_article_status_name(h[1].status), "archived");
    cr_assert_eq(h[0].changed_at, 4000);
    lk_article_versions_free(h, n);
    cr_assert_eq(lk_store_article_versions(st, "pakket", 2, &h, &n), 0);
    cr_assert_eq(n, 2);
    lk_article_versions_free(h, n);
}

Test(store_kbm, import_records_versions_and_archives_instead_of_deleting)
{
    lk_kb_t kb;
    lk_kb_init(&kb);
    lk_article_t a = article("a", "A"), b = article("b", "B");
    b.owner = "u_own";
    lk_kb_add(&kb, &a);
    lk_kb_add(&kb, &b);
    lk_kb_import_counts_t c;
    cr_assert_eq(lk_store_kb_import_as(st, &kb, false, "u_sam", 1000, &c), 0);
    cr_assert_eq(c.created, 2);
    cr_assert_eq(c.updated + c.unchanged + c.archived, 0);

    /* the same again: nothing changes, no version */
    cr_assert_eq(lk_store_kb_import_as(st, &kb, false, NULL, 2000, &c), 0);
    cr_assert_eq(c.unchanged, 2);
    cr_assert_eq(c.created + c.updated, 0);

    /* b changed without an owner in the file: the owner is kept; a is
     * missing and replace archives it */
    lk_kb_free(&kb);
    lk_kb_init(&kb);
    lk_article_t b2 = article("b", "B, nieuw");
    lk_kb_add(&kb, &b2);
    int64_t v0 = kb_version();
    cr_assert_eq(lk_store_kb_import(st, &kb, true, 3000), 0);
    cr_assert_gt(kb_version(), v0);
    lk_article_rec_t r;
    cr_assert_eq(lk_store_article_get(st, "a", &r), 0, "replace archives, never deletes");
    cr_assert_str_eq(lk_article_status_name(r.status), "archived");
    lk_article_rec_clear(&r);
    cr_assert_eq(lk_store_article_get(st, "b", &r), 0);
    cr_assert_str_eq(r.a.title, "B, nieuw");
    cr_assert_str_eq(r.a.owner, "u_own");
    cr_assert_eq(r.version, 2);
    cr_assert_str_eq(r.updated_by, "", "the command line is nobody");
    lk_article_rec_clear(&r);
    cr_assert_eq(published_count(), 1);

    lk_article_version_t *h;
    size_t n;
    cr_assert_eq(lk_store_article_versions(st, "a", 0, &h, &n), 0);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(lk_change_name(h[0].change), "archived");
    cr_assert_str_eq(lk_change_name(h[1].change), "imported");
    cr_assert_str_eq(h[1].changed_by, "u_sam");
    lk_article_versions_free(h, n);

    /* importing an archived article publishes it again */
    lk_kb_add(&kb, &a);
    cr_assert_eq(lk_store_kb_import_as(st, &kb, false, NULL, 4000, &c), 0);
    cr_assert_eq(c.updated, 1, "a comes back");
    cr_assert_eq(c.unchanged, 1);
    cr_assert_eq(published_count(), 2);
    lk_kb_free(&kb);
}

Test(store_kbm, a_failed_import_changes_nothing)
{
    lk_kb_t kb;
    lk_kb_init(&kb);
    lk_article_t a = article("a", "A");
    lk_kb_add(&kb, &a);
    free(kb.articles[0].language);
    kb.articles[0].language = NULL;
    int64_t v0 = kb_version();
    cr_assert_eq(lk_store_kb_import(st, &kb, false, 1000), LK_EINVAL);
    cr_assert_eq(kb_version(), v0);
    cr_assert_eq(published_count(), 0);
    lk_kb_free(&kb);
}

Test(store_kbm, export_holds_the_published_articles_with_their_metadata)
{
    lk_article_t a = article("a", "A"), b = article("b", "B");
    a.owner = "u_kim";
    a.review_by = 86400000;
    a.translation_group = "a";
    cr_assert_eq(lk_store_article_publish(st, &a, true, NULL, 1000, NULL), 0);
    cr_assert_eq(lk_store_article_publish(st, &b, true, NULL, 1000, NULL), 0);
    cr_assert_eq(lk_store_article_set_archived(st, "b", true, NULL, 2000, NULL), 0);
    lk_kb_t kb;
    cr_assert_eq(lk_store_kb_export(st, &kb), 0);
    cr_assert_eq(kb.n_articles, 1, "archived articles are not exported");
    cr_assert_str_eq(kb.articles[0].id, "a");
    cr_assert_str_eq(kb.articles[0].owner, "u_kim");
    cr_assert_eq(kb.articles[0].review_by, 86400000);
    cr_assert_str_eq(kb.articles[0].translation_group, "a");
    cr_assert_eq(kb.articles[0].n_questions, 2);
    lk_kb_free(&kb);
}

/* What decides that the first `serve` loads the demo: a database that never
 * had a knowledge base, whichever command created it. */
Test(store_kbm, pristine_until_a_knowledge_base_was_ever_there)
{
    bool p = false;
    cr_assert_eq(lk_store_kb_pristine(st, &p), 0);
    cr_assert(p, "a new database never had a knowledge base");
    cr_assert_eq(lk_store_kb_pristine(NULL, &p), LK_EINVAL);

    /* an empty import is a knowledge base (of no articles) */
    lk_kb_t empty;
    lk_kb_init(&empty);
    cr_assert_eq(lk_store_kb_import_as(st, &empty, false, NULL, 1000, NULL), 0);
    cr_assert_eq(lk_store_kb_pristine(st, &p), 0);
    cr_assert_not(p, "an imported knowledge base, even empty, counts");
}

Test(store_kbm, a_draft_alone_ends_pristine)
{
    lk_draft_t d = draft("d_new", "", "Nieuw artikel");
    cr_assert_eq(lk_store_draft_insert(st, &d), 0);
    bool p = true;
    cr_assert_eq(lk_store_kb_pristine(st, &p), 0);
    cr_assert_not(p, "a draft is a knowledge base being written");
}

/* A damaged row (string lists that are not JSON arrays: only another
 * program writing to the database makes one) fails every read of it with
 * LK_EDB and hands back nothing, also when rows before it were read
 * already (what they held is freed: the sanitizer run checks it), and the
 * rows around it read again once it is repaired. */
Test(store_kbm, damaged_rows_fail_their_reads_whole)
{
    const char *ids[] = {"a", "b", "c"};
    for (size_t i = 0; i < 3; i++) {
        lk_article_t a = article(ids[i], ids[i]);
        cr_assert_eq(lk_store_article_publish(st, &a, true, "u_sam", 1000, NULL), 0);
    }
    lk_article_t edit = article("a", "a, edited");
    cr_assert_eq(lk_store_article_publish(st, &edit, false, "u_sam", 2000, NULL), 0);

    store_fixture_exec("UPDATE articles SET questions = 'not a list' WHERE id = 'b'");
    lk_article_rec_t *v = NULL;
    size_t n = 9;
    cr_assert_eq(lk_store_article_list(st, LK_ARTICLE_NONE, &v, &n), LK_EDB, "a is read before b");
    cr_assert_null(v);
    cr_assert_eq(n, 0);
    lk_article_rec_t r;
    cr_assert_eq(lk_store_article_get(st, "b", &r), LK_EDB);
    cr_assert_null(r.a.id, "nothing of the damaged row stays");
    lk_kb_t kb;
    cr_assert_eq(lk_store_kb_load(st, &kb), LK_EDB, "the bot does not start on half a knowledge base");
    cr_assert_null(kb.articles);
    cr_assert_eq(kb.n_articles, 0);
    store_fixture_exec("UPDATE articles SET questions = '[]' WHERE id = 'b'");
    cr_assert_eq(lk_store_article_list(st, LK_ARTICLE_NONE, &v, &n), 0);
    store_assert_list(v, n, a.id, "a", "b", "c");
    lk_article_recs_free(v, n);
    cr_assert_eq(lk_store_kb_load(st, &kb), 0);
    cr_assert_eq(kb.n_articles, 3);
    lk_kb_free(&kb);

    /* the versions newest first: version 2 reads, then version 1 fails */
    store_fixture_exec("UPDATE article_versions SET tags = '{' WHERE article_id = 'a' AND version = 1");
    lk_article_version_t *h = NULL;
    cr_assert_eq(lk_store_article_versions(st, "a", 0, &h, &n), LK_EDB);
    cr_assert_null(h);
    cr_assert_eq(n, 0);
    cr_assert_eq(lk_store_article_versions(st, "a", 1, &h, &n), 0, "the newest alone is whole");
    cr_assert_eq(n, 1);
    cr_assert_str_eq(h[0].a.title, "a, edited");
    lk_article_versions_free(h, n);
}
