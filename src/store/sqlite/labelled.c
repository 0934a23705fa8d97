/*
 * The SQLite side of the company's labelled questions (store.h, group
 * labelled; table labelled_questions, schema.c migration 7): questions whose
 * right answer is known, stored redacted, which every bot built reads into
 * its calibration (src/conv/bot.c). An out-of-scope question has article_id
 * '' so that the unique key (article_id, text) covers it too; the rows hang
 * off nothing, so the conversations' retention and erasure do not see them
 * (they hold no customer's identity: docs/privacy.md).
 */
#include "store/sqlite/sqlite_int.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

#define LABELLED_COLS "id, text, article_id, language, source, added_by, created_at"

static const char sql_delete_all[] = "DELETE FROM labelled_questions";
static const char sql_insert[] =
    "INSERT INTO labelled_questions (text, article_id, language, source, added_by, created_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (article_id, text) DO NOTHING";

static int sq_labelled_add(lk_store_t *st, const lk_labelled_t *v, size_t n, bool replace, int64_t *added,
                           int64_t *deleted)
{
    if (added)
        *added = 0;
    if (deleted)
        *deleted = 0;
    if (!v && n)
        return LK_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!v[i].text || !v[i].text[0] || !lk_labelled_source_name(v[i].source)[0] || !FIXED_OK(v[i].article_id) ||
            !FIXED_OK(v[i].language) || !FIXED_OK(v[i].added_by))
            return LK_EINVAL;
    int rc = 0;
    if (replace)
        rc = lk_sq_exec_count(st, lk_sq_prepare(st, sql_delete_all, "labelled_add"), "labelled_add", deleted);
    for (size_t i = 0; i < n && rc == 0; i++) {
        int64_t one = 0;
        rc = lk_sq_exec_count(st,
                              lk_sq_prepare_bind(st, sql_insert, "labelled_add", "ttttti", v[i].text, v[i].article_id,
                                                 v[i].language[0] ? v[i].language : NULL,
                                                 lk_labelled_source_name(v[i].source),
                                                 v[i].added_by[0] ? v[i].added_by : "cli", v[i].created_at),
                              "labelled_add", &one);
        if (rc == 0 && added)
            *added += one;
    }
    return rc;
}

static void read_labelled(sqlite3_stmt *s, lk_labelled_t *r)
{
    r->id = sqlite3_column_int64(s, 0);
    r->text = lk_sq_col_dup(s, 1);
    if (!r->text)
        r->text = lk_xstrdup("");
    lk_sq_col_fixed(s, 2, r->article_id, sizeof r->article_id);
    lk_sq_col_fixed(s, 3, r->language, sizeof r->language);
    lk_labelled_source_parse(lk_sq_col_text(s, 4), &r->source);
    lk_sq_col_fixed(s, 5, r->added_by, sizeof r->added_by);
    r->created_at = sqlite3_column_int64(s, 6);
}

static const char sql_list[] = "SELECT " LABELLED_COLS " FROM labelled_questions WHERE id > ?1 "
                               "ORDER BY id LIMIT ?2";
static const char sql_list_article[] = "SELECT " LABELLED_COLS " FROM labelled_questions "
                                       "WHERE id > ?1 AND article_id = ?3 ORDER BY id LIMIT ?2";

static int sq_labelled_list(lk_store_t *st, const char *article, int64_t after_id, size_t limit, lk_labelled_t **out,
                            size_t *n)
{
    if (!out || !n)
        return LK_EINVAL;
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s = article
                          ? lk_sq_prepare_bind(st, sql_list_article, "labelled_list", "ilt", after_id, limit, article)
                          : lk_sq_prepare_bind(st, sql_list, "labelled_list", "il", after_id, limit);
    if (!s)
        return LK_EDB;
    lk_labelled_t *v = NULL;
    size_t k = 0, cap = 0;
    int r;
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        if (k == cap) {
            cap = cap ? cap * 2 : 64;
            v = lk_xrealloc(v, cap * sizeof *v);
        }
        memset(&v[k], 0, sizeof v[k]);
        read_labelled(s, &v[k++]);
    }
    lk_sq_done(s);
    if (r != SQLITE_DONE) {
        lk_labelled_free(v, k);
        return lk_sq_error(st, r, "labelled_list");
    }
    *out = v;
    *n = k;
    return 0;
}

static const char sql_delete[] = "DELETE FROM labelled_questions WHERE id = ?1";

static int sq_labelled_delete(lk_store_t *st, int64_t id)
{
    if (id <= 0)
        return LK_ENOENT;
    return lk_sq_exec_changed(st, lk_sq_prepare_bind(st, sql_delete, "labelled_delete", "i", id), "labelled_delete");
}

static const char sql_counts[] =
    "SELECT article_id, COUNT(*) FROM labelled_questions GROUP BY article_id ORDER BY article_id";

static int sq_labelled_counts(lk_store_t *st, lk_labelled_count_t **out, size_t *n)
{
    if (!out || !n)
        return LK_EINVAL;
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s = lk_sq_prepare(st, sql_counts, "labelled_counts");
    if (!s)
        return LK_EDB;
    lk_labelled_count_t *v = NULL;
    size_t k = 0, cap = 0;
    int r;
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        if (k == cap) {
            cap = cap ? cap * 2 : 64;
            v = lk_xrealloc(v, cap * sizeof *v);
        }
        lk_sq_col_fixed(s, 0, v[k].article_id, sizeof v[k].article_id);
        v[k++].count = sqlite3_column_int64(s, 1);
    }
    lk_sq_done(s);
    if (r != SQLITE_DONE) {
        free(v);
        return lk_sq_error(st, r, "labelled_counts");
    }
    *out = v;
    *n = k;
    return 0;
}

const lk_store_labelled_ops_t lk_sq_labelled_ops = {LK_STORE_LABELLED_OPS(LK_SQ_OP_INIT)};
