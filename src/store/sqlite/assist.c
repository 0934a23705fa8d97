/*
 * The SQLite side of agent assist: canned responses (ready texts for agents,
 * managed by supervisors; archived rather than deleted, so the audit log
 * keeps pointing at something) and a customer's earlier conversations,
 * found by the e-mail address or the external id the host page gave.
 */
#include "store/sqlite/sqlite_int.h"

#include "util/util.h"

#include <stdlib.h>
#include <string.h>

/* ---- canned responses ----------------------------------------------------- */

#define CANNED_COLS "id, language, title, shortcut, text, created_by, created_at, updated_at, archived"


static bool canned_ok(const lk_canned_t *c)
{
    return c && lk_sq_fixed_ok(c->id, sizeof c->id) && c->id[0] && lk_sq_fixed_ok(c->language, sizeof c->language) &&
           c->language[0] && lk_sq_fixed_ok(c->created_by, sizeof c->created_by) && c->title && c->text;
}

static int read_canned(sqlite3_stmt *s, void *row)
{
    lk_canned_t *c = row;
    lk_sq_col_fixed(s, 0, c->id, sizeof c->id);
    lk_sq_col_fixed(s, 1, c->language, sizeof c->language);
    c->title = lk_sq_col_dup(s, 2);
    c->shortcut = lk_sq_col_dup(s, 3);
    c->text = lk_sq_col_dup(s, 4);
    lk_sq_col_fixed(s, 5, c->created_by, sizeof c->created_by);
    c->created_at = sqlite3_column_int64(s, 6);
    c->updated_at = sqlite3_column_int64(s, 7);
    c->archived = sqlite3_column_int(s, 8) != 0;
    if (!c->title) /* NOT NULL columns: only a damaged row */
        c->title = lk_xstrdup("");
    if (!c->text)
        c->text = lk_xstrdup("");
    return 0;
}

/* ?1..?8 are CANNED_COLS' first eight columns; an update names the ones it
 * changes, and both bind through canned_bind. */
static const char sql_canned_insert[] = "INSERT INTO canned_responses (" CANNED_COLS
                                        ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0)";
static const char sql_canned_update[] = "UPDATE canned_responses SET language = ?2, title = ?3, shortcut = ?4, "
                                        "text = ?5, updated_at = ?8 WHERE id = ?1 AND archived = 0";

/* The statement sql (one of the two above) with c bound; NULL when c is not
 * a valid canned response (*err LK_EINVAL) or sql does not prepare (LK_EDB). */
static sqlite3_stmt *canned_bind(lk_store_t *st, const char *sql, const char *what, const lk_canned_t *c, int *err)
{
    *err = LK_EINVAL;
    if (!st || !canned_ok(c))
        return NULL;
    *err = LK_EDB;
    sqlite3_stmt *s = lk_sq_prepare(st, sql, what);
    if (!s)
        return NULL;
    lk_sq_bind_text(s, 1, c->id);
    lk_sq_bind_text(s, 2, c->language);
    lk_sq_bind_text(s, 3, c->title);
    lk_sq_bind_text(s, 4, c->shortcut);
    lk_sq_bind_text(s, 5, c->text);
    lk_sq_bind_fixed(s, 6, c->created_by);
    sqlite3_bind_int64(s, 7, c->created_at);
    sqlite3_bind_int64(s, 8, c->updated_at);
    return s;
}

static int sq_canned_insert(lk_store_t *st, const lk_canned_t *c)
{
    int err;
    sqlite3_stmt *s = canned_bind(st, sql_canned_insert, "canned_insert", c, &err);
    return s ? lk_sq_exec(st, s, "canned_insert") : err;
}

static int sq_canned_update(lk_store_t *st, const lk_canned_t *c)
{
    int err;
    sqlite3_stmt *s = canned_bind(st, sql_canned_update, "canned_update", c, &err);
    return s ? lk_sq_exec_changed(st, s, "canned_update") : err;
}

static const char sql_canned_get[] = "SELECT " CANNED_COLS " FROM canned_responses WHERE id = ?1";

static int sq_canned_get(lk_store_t *st, const char *id, lk_canned_t *out)
{
    if (!st || !id || !out)
        return LK_EINVAL;
    return lk_sq_get_by_key(st, lk_sq_prepare(st, sql_canned_get, "canned_get"), id, "canned_get", LK_SQ_ROW_CANNED,
                            read_canned, out);
}

static const char sql_canned_archive[] =
    "UPDATE canned_responses SET archived = 1, updated_at = ?2 WHERE id = ?1 AND archived = 0";

static int sq_canned_archive(lk_store_t *st, const char *id, int64_t now)
{
    if (!st || !id)
        return LK_EINVAL;
    return lk_sq_exec_changed(st, lk_sq_prepare_bind(st, sql_canned_archive, "canned_archive", "ti", id, now),
                              "canned_archive");
}

static const char sql_canned_list[] = "SELECT " CANNED_COLS " FROM canned_responses "
                                      "WHERE archived = 0 AND (?1 IS NULL OR language = ?1) "
                                      "ORDER BY title, id LIMIT ?2";

static int sq_canned_list(lk_store_t *st, const char *language, size_t limit, lk_canned_t **out, size_t *n)
{
    if (!st || !out || !n)
        return LK_EINVAL;
    sqlite3_stmt *s = lk_sq_prepare_bind(st, sql_canned_list, "canned_list", "tl", language, limit);
    return lk_sq_rows(st, s, "canned_list", LK_SQ_ROW_CANNED, read_canned, out, n);
}

/* ---- customer history ----------------------------------------------------- */

static const char sql_conv_history[] =
    "SELECT " CONV_COLS_SUMMARY " FROM conversations WHERE id <> ?3 AND customer_verified = 1 AND "
    "((?1 IS NOT NULL AND customer_email = ?1) OR (?2 IS NOT NULL AND customer_external_id = ?2)) "
    "ORDER BY created_at DESC, id DESC LIMIT ?4";

static int sq_conv_history(lk_store_t *st, const char *email, const char *external_id, const char *exclude_id,
                          size_t limit, lk_conv_t **out, size_t *n)
{
    if (!st || !out || !n)
        return LK_EINVAL;
    *out = NULL;
    *n = 0;
    if ((!email || !email[0]) && (!external_id || !external_id[0]))
        return 0;
    sqlite3_stmt *s = lk_sq_prepare(st, sql_conv_history, "conv_history");
    if (!s)
        return LK_EDB;
    char *low = email && email[0] ? lk_sq_lower_dup(email) : NULL;
    lk_sq_bind_text(s, 1, low);
    lk_sq_bind_text(s, 2, external_id && external_id[0] ? external_id : NULL);
    lk_sq_bind_text(s, 3, exclude_id ? exclude_id : "");
    lk_sq_bind_limit(s, 4, limit);
    int err = lk_sq_rows(st, s, "conv_history", LK_SQ_ROW_CONV, lk_sq_read_conv, out, n);
    free(low);
    return err;
}

const lk_store_assist_ops_t lk_sq_assist_ops = {LK_STORE_ASSIST_OPS(LK_SQ_OP_INIT)};
