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

static int read_labelled(sqlite3_stmt *s, void *row)
{
    lk_labelled_t *r = row;
    r->id = sqlite3_column_int64(s, 0);
    r->text = lk_sq_col_dup(s, 1);
    if (!r->text)
        r->text = lk_xstrdup("");
    lk_sq_col_fixed(s, 2, r->article_id, sizeof r->article_id);
    lk_sq_col_fixed(s, 3, r->language, sizeof r->language);
    lk_labelled_source_parse(lk_sq_col_text(s, 4), &r->source);
    lk_sq_col_fixed(s, 5, r->added_by, sizeof r->added_by);
    r->created_at = sqlite3_column_int64(s, 6);
    return 0;
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
    sqlite3_stmt *s = article
                          ? lk_sq_prepare_bind(st, sql_list_article, "labelled_list", "ilt", after_id, limit, article)
                          : lk_sq_prepare_bind(st, sql_list, "labelled_list", "il", after_id, limit);
    return lk_sq_rows(st, s, "labelled_list", LK_SQ_ROW_LABELLED, read_labelled, out, n);
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

static int read_labelled_count(sqlite3_stmt *s, void *row)
{
    lk_labelled_count_t *c = row;
    lk_sq_col_fixed(s, 0, c->article_id, sizeof c->article_id);
    c->count = sqlite3_column_int64(s, 1);
    return 0;
}

static int sq_labelled_counts(lk_store_t *st, lk_labelled_count_t **out, size_t *n)
{
    if (!out || !n)
        return LK_EINVAL;
    return lk_sq_rows(st, lk_sq_prepare(st, sql_counts, "labelled_counts"), "labelled_counts",
                      LK_SQ_ROW_LABELLED_COUNT, read_labelled_count, out, n);
}

const lk_store_labelled_ops_t lk_sq_labelled_ops = {LK_STORE_LABELLED_OPS(LK_SQ_OP_INIT)};
