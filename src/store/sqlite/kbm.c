/*
 * The SQLite side of knowledge management: drafts of articles (new ones and
 * changes to published ones), the history of every article in
 * article_versions, and archiving and restoring articles.
 *
 * Articles are never deleted by the management functions: archiving keeps the
 * row (status "archived") so its history and the audit log keep pointing at
 * something, and the bot answers only from published rows
 * (lk_store_kb_load). Every change to an article writes one version row in
 * the same transaction, and every change that alters what the bot answers
 * bumps the KB version so running servers reload.
 */
#include "store/sqlite/sqlite_int.h"

#include "util/util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* ---- drafts ---------------------------------------------------------------- */

#define DRAFT_COLS                                                                                                     \
    "id, article_id, status, language, title, questions, answer, url, tags, owner, review_by, translation_group, "     \
    "source, created_by, created_at, updated_at, new_id"


static bool draft_ok(const lk_draft_t *d)
{
    return d && lk_sq_fixed_ok(d->id, sizeof d->id) && d->id[0] &&
           lk_sq_fixed_ok(d->article_id, sizeof d->article_id) && lk_draft_status_name(d->status)[0] &&
           lk_sq_fixed_ok(d->language, sizeof d->language) && d->language[0] &&
           lk_sq_fixed_ok(d->owner, sizeof d->owner) &&
           lk_sq_fixed_ok(d->translation_group, sizeof d->translation_group) &&
           (d->source == LK_DRAFT_SOURCE_NONE || lk_draft_source_name(d->source)[0]) &&
           lk_sq_fixed_ok(d->created_by, sizeof d->created_by) && lk_sq_fixed_ok(d->new_id, sizeof d->new_id) &&
           d->title && d->questions && d->answer && d->tags;
}

static const char sql_draft_insert[] =
    "INSERT INTO article_drafts (" DRAFT_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
    "?15, ?16, ?17)";

/* Binds every column of d in DRAFT_COLS order. */
static void bind_draft(sqlite3_stmt *s, const lk_draft_t *d)
{
    lk_sq_bind_text(s, 1, d->id);
    lk_sq_bind_fixed(s, 2, d->article_id);
    lk_sq_bind_text(s, 3, lk_draft_status_name(d->status));
    lk_sq_bind_text(s, 4, d->language);
    lk_sq_bind_text(s, 5, d->title);
    lk_sq_bind_text(s, 6, d->questions);
    lk_sq_bind_text(s, 7, d->answer);
    lk_sq_bind_text(s, 8, d->url);
    lk_sq_bind_text(s, 9, d->tags);
    lk_sq_bind_fixed(s, 10, d->owner);
    lk_sq_bind_opt_i64(s, 11, d->review_by);
    lk_sq_bind_fixed(s, 12, d->translation_group);
    lk_sq_bind_fixed(s, 13, lk_draft_source_name(d->source));
    lk_sq_bind_fixed(s, 14, d->created_by);
    sqlite3_bind_int64(s, 15, d->created_at);
    sqlite3_bind_int64(s, 16, d->updated_at);
    lk_sq_bind_fixed(s, 17, d->new_id);
}

static int sq_draft_insert(lk_store_t *st, const lk_draft_t *d)
{
    if (!st || !draft_ok(d))
        return LK_EINVAL;
    sqlite3_stmt *s = lk_sq_prepare(st, sql_draft_insert, "draft_insert");
    if (!s)
        return LK_EDB;
    bind_draft(s, d);
    return lk_sq_exec(st, s, "draft_insert");
}

/* Reads a DRAFT_COLS row into d. */
static int read_draft(sqlite3_stmt *s, void *row)
{
    lk_draft_t *d = row;
    lk_sq_col_fixed(s, 0, d->id, sizeof d->id);
    lk_sq_col_fixed(s, 1, d->article_id, sizeof d->article_id);
    lk_draft_status_parse(lk_sq_col_text(s, 2), &d->status);
    lk_sq_col_fixed(s, 3, d->language, sizeof d->language);
    d->title = lk_sq_col_dup(s, 4);
    d->questions = lk_sq_col_dup(s, 5);
    d->answer = lk_sq_col_dup(s, 6);
    d->url = lk_sq_col_dup(s, 7);
    d->tags = lk_sq_col_dup(s, 8);
    lk_sq_col_fixed(s, 9, d->owner, sizeof d->owner);
    d->review_by = sqlite3_column_int64(s, 10);
    lk_sq_col_fixed(s, 11, d->translation_group, sizeof d->translation_group);
    lk_draft_source_parse(lk_sq_col_text(s, 12), &d->source);
    lk_sq_col_fixed(s, 13, d->created_by, sizeof d->created_by);
    d->created_at = sqlite3_column_int64(s, 14);
    d->updated_at = sqlite3_column_int64(s, 15);
    lk_sq_col_fixed(s, 16, d->new_id, sizeof d->new_id);
    /* NOT NULL columns: NULL only in a damaged row */
    if (!d->title)
        d->title = lk_xstrdup("");
    if (!d->questions)
        d->questions = lk_xstrdup("[]");
    if (!d->answer)
        d->answer = lk_xstrdup("");
    if (!d->tags)
        d->tags = lk_xstrdup("[]");
    return 0;
}

static const char sql_draft_get[] = "SELECT " DRAFT_COLS " FROM article_drafts WHERE id = ?1";

static int sq_draft_get(lk_store_t *st, const char *id, lk_draft_t *out)
{
    if (!st || !id || !out)
        return LK_EINVAL;
    return lk_sq_get_by_key(st, lk_sq_prepare(st, sql_draft_get, "draft_get"), id, "draft_get", LK_SQ_ROW_DRAFT,
                            read_draft, out);
}

static const char sql_draft_list[] = "SELECT " DRAFT_COLS " FROM article_drafts WHERE (?1 IS NULL OR status = ?1) "
                                     "ORDER BY updated_at DESC, id LIMIT ?2";

static int sq_draft_list(lk_store_t *st, lk_draft_status_t status, size_t limit, lk_draft_t **out, size_t *n)
{
    if (!st || !out || !n)
        return LK_EINVAL;
    sqlite3_stmt *s = lk_sq_prepare_bind(st, sql_draft_list, "draft_list", "fl", lk_draft_status_name(status), limit);
    return lk_sq_rows(st, s, "draft_list", LK_SQ_ROW_DRAFT, read_draft, out, n);
}

static const char sql_draft_update[] =
    "UPDATE article_drafts SET language = ?2, title = ?3, questions = ?4, answer = ?5, url = ?6, tags = ?7, "
    "owner = ?8, review_by = ?9, translation_group = ?10, new_id = ?11, updated_at = ?12 "
    "WHERE id = ?1 AND status = 'draft'";

static int sq_draft_update(lk_store_t *st, const lk_draft_t *d)
{
    if (!st || !draft_ok(d))
        return LK_EINVAL;
    return lk_sq_exec_changed(st,
                              lk_sq_prepare_bind(st, sql_draft_update, "draft_update", "tttttttfoffi", d->id,
                                                 d->language, d->title, d->questions, d->answer, d->url, d->tags,
                                                 d->owner, d->review_by, d->translation_group, d->new_id,
                                                 d->updated_at),
                              "draft_update");
}

static const char sql_draft_finish[] = "UPDATE article_drafts SET status = ?2, article_id = COALESCE(?3, article_id), "
                                       "updated_at = ?4 WHERE id = ?1 AND status = 'draft'";

static int sq_draft_finish(lk_store_t *st, const char *id, lk_draft_status_t status, const char *article_id,
                           int64_t now)
{
    if (!st || !id || (status != LK_DRAFT_PUBLISHED && status != LK_DRAFT_DISCARDED))
        return LK_EINVAL;
    return lk_sq_exec_changed(st,
                              lk_sq_prepare_bind(st, sql_draft_finish, "draft_finish", "ttti", id,
                                                 lk_draft_status_name(status),
                                                 article_id && article_id[0] ? article_id : NULL, now),
                              "draft_finish");
}

/* ---- string lists as JSON text ------------------------------------------------ */

/* v as a compact JSON array (the form the articles table has always held);
 * NULL when a string is not valid UTF-8. The caller frees it. */
static char *strv_json(char *const *v, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *str = v[i] ? json_string(v[i]) : NULL;
        if (!str) {
            json_decref(arr);
            return NULL;
        }
        json_array_append_new(arr, str);
    }
    char *text = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    if (!text)
        abort(); /* jansson fails here only on allocation */
    return text;
}

/* A stored JSON array of strings into a heap vector; LK_EDB when it is not
 * one. */
static int strv_parse(const char *text, char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!text)
        return 0;
    json_t *arr = json_loads(text, 0, NULL);
    if (!json_is_array(arr)) {
        json_decref(arr);
        return LK_EDB;
    }
    size_t len = json_array_size(arr);
    char **v = len ? lk_xcalloc(len, sizeof *v) : NULL;
    for (size_t i = 0; i < len; i++) {
        const char *s = json_string_value(json_array_get(arr, i));
        v[i] = lk_xstrdup(s ? s : "");
    }
    json_decref(arr);
    *out = v;
    *n = len;
    return 0;
}

/* ---- articles -------------------------------------------------------------------- */

/* The content and metadata columns, in the order read_content reads them. */
#define CONTENT_COLS "language, title, questions, answer, url, tags, owner, review_by, translation_group"
#define ART_COLS "id, " CONTENT_COLS ", status, version, updated_at, updated_by"

/* Reads CONTENT_COLS starting at column `at` into a (id set by the
 * caller); LK_EDB for a damaged row. */
static int read_content(sqlite3_stmt *s, int at, lk_article_t *a)
{
    a->language = lk_sq_col_dup(s, at);
    a->title = lk_sq_col_dup(s, at + 1);
    a->answer = lk_sq_col_dup(s, at + 3);
    a->url = lk_sq_col_dup(s, at + 4);
    a->owner = lk_sq_col_dup(s, at + 6);
    a->review_by = sqlite3_column_int64(s, at + 7);
    a->translation_group = lk_sq_col_dup(s, at + 8);
    int rc = strv_parse(lk_sq_col_text(s, at + 2), &a->questions, &a->n_questions);
    if (rc == 0)
        rc = strv_parse(lk_sq_col_text(s, at + 5), &a->tags, &a->n_tags);
    if (rc || !a->language || !a->title || !a->answer)
        return LK_EDB;
    return 0;
}

/* Reads an ART_COLS row into row (an lk_article_rec_t). */
static int read_rec(sqlite3_stmt *s, void *row)
{
    lk_article_rec_t *r = row;
    r->a.id = lk_sq_col_dup(s, 0);
    int rc = read_content(s, 1, &r->a);
    lk_article_status_parse(lk_sq_col_text(s, 10), &r->status);
    r->version = sqlite3_column_int64(s, 11);
    r->updated_at = sqlite3_column_int64(s, 12);
    lk_sq_col_fixed(s, 13, r->updated_by, sizeof r->updated_by);
    return rc || !r->a.id ? LK_EDB : 0;
}

static const char sql_article_list[] =
    "SELECT " ART_COLS " FROM articles WHERE (?1 IS NULL OR status = ?1) ORDER BY id";

static int sq_article_list(lk_store_t *st, lk_article_status_t status, lk_article_rec_t **out, size_t *n)
{
    if (!st || !out || !n)
        return LK_EINVAL;
    sqlite3_stmt *s = lk_sq_prepare_bind(st, sql_article_list, "article_list", "f", lk_article_status_name(status));
    return lk_sq_rows(st, s, "article_list", LK_SQ_ROW_ARTICLE_REC, read_rec, out, n);
}

static int sq_kb_export(lk_store_t *st, lk_kb_t *out)
{
    if (!st || !out)
        return LK_EINVAL;
    lk_kb_init(out);
    lk_article_rec_t *v = NULL;
    size_t n = 0;
    int rc = lk_store_article_list(st, LK_ARTICLE_PUBLISHED, &v, &n);
    if (rc)
        return rc;
    out->articles = n ? lk_xcalloc(n, sizeof *out->articles) : NULL;
    for (size_t i = 0; i < n; i++) {
        out->articles[i] = v[i].a; /* takes the strings over */
        memset(&v[i].a, 0, sizeof v[i].a);
    }
    out->n_articles = n;
    lk_article_recs_free(v, n);
    return 0;
}

static const char sql_article_get[] = "SELECT " ART_COLS " FROM articles WHERE id = ?1";

static int sq_article_get(lk_store_t *st, const char *id, lk_article_rec_t *out)
{
    if (!st || !id || !out)
        return LK_EINVAL;
    memset(out, 0, sizeof *out);
    int rc = lk_sq_get_by_key(st, lk_sq_prepare(st, sql_article_get, "article_get"), id, "article_get",
                              LK_SQ_ROW_ARTICLE_REC, read_rec, out);
    if (rc == LK_EDB)
        lk_article_rec_clear(out); /* a damaged row: what it read */
    return rc;
}

/* ---- writing articles, with their history ---------------------------------------- */

static const char sql_kb_bump[] =
    "UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS TEXT) WHERE key = 'kb_version'";

/* Bumps the KB version so that every running server reloads its bot. */
static int bump_kb_version(lk_store_t *st)
{
    int rc = lk_sq_exec_changed(st, lk_sq_prepare(st, sql_kb_bump, "kb_version_bump"), "kb_version_bump");
    if (rc == LK_ENOENT) {
        LK_ERROR("store", "kb_version_bump: meta has no kb_version");
        rc = LK_EDB;
    }
    return rc;
}

static const char sql_kb_pristine[] =
    "SELECT (SELECT value FROM meta WHERE key = 'kb_version') = '0' "
    "AND NOT EXISTS (SELECT 1 FROM articles) AND NOT EXISTS (SELECT 1 FROM article_drafts)";

static int sq_kb_pristine(lk_store_t *st, bool *pristine)
{
    if (!st || !pristine)
        return LK_EINVAL;
    *pristine = false;
    sqlite3_stmt *s = lk_sq_prepare(st, sql_kb_pristine, "kb_pristine");
    int r = lk_sq_row(st, s, "kb_pristine");
    if (r < 0)
        return r;
    if (r == 1) {
        *pristine = sqlite3_column_int(s, 0) == 1;
        lk_sq_done(s);
    }
    return 0;
}

static const char sql_version_insert[] = "INSERT INTO article_versions (article_id, version, status, " CONTENT_COLS
                                         ", changed_by, changed_at, change) SELECT id, version, status, " CONTENT_COLS
                                         ", ?2, ?3, ?4 FROM articles WHERE id = ?1";

/* Records the article's current row as its newest version. */
static int record_version(lk_store_t *st, const char *id, const char *by, int64_t now, lk_change_t change)
{
    return lk_sq_exec_changed(st,
                              lk_sq_prepare_bind(st, sql_version_insert, "article_version_insert", "ttit", id,
                                                 by && by[0] ? by : NULL, now, lk_change_name(change)),
                              "article_version_insert");
}

static const char sql_article_insert[] =
    "INSERT INTO articles (" ART_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'published', 1, ?11, "
    "?12)";
static const char sql_article_update[] =
    "UPDATE articles SET language = ?2, title = ?3, questions = ?4, answer = ?5, url = ?6, tags = ?7, owner = ?8, "
    "review_by = ?9, translation_group = ?10, status = 'published', version = version + 1, updated_at = ?11, "
    "updated_by = ?12 WHERE id = ?1";

/* Inserts (insert) or overwrites article a as published, without history. */
static int write_article(lk_store_t *st, const lk_article_t *a, bool insert, const char *by, int64_t now)
{
    char *questions = strv_json(a->questions, a->n_questions);
    char *tags = strv_json(a->tags, a->n_tags);
    if (!questions || !tags) {
        free(questions);
        free(tags);
        return LK_EINVAL;
    }
    const char *sql = insert ? sql_article_insert : sql_article_update;
    const char *what = insert ? "article_insert" : "article_update";
    sqlite3_stmt *s = lk_sq_prepare(st, sql, what);
    int rc = LK_EDB;
    if (s) {
        lk_sq_bind_text(s, 1, a->id);
        lk_sq_bind_text(s, 2, a->language);
        lk_sq_bind_text(s, 3, a->title);
        lk_sq_bind_text(s, 4, questions);
        lk_sq_bind_text(s, 5, a->answer);
        lk_sq_bind_text(s, 6, a->url);
        lk_sq_bind_text(s, 7, tags);
        lk_sq_bind_text(s, 8, a->owner && a->owner[0] ? a->owner : NULL);
        lk_sq_bind_opt_i64(s, 9, a->review_by);
        lk_sq_bind_text(s, 10, a->translation_group && a->translation_group[0] ? a->translation_group : NULL);
        sqlite3_bind_int64(s, 11, now);
        lk_sq_bind_text(s, 12, by && by[0] ? by : NULL);
        rc = lk_sq_exec_changed(st, s, what);
    }
    free(questions);
    free(tags);
    return rc;
}

static bool article_ok(const lk_article_t *a)
{
    return a && a->id && a->id[0] && a->language && a->title && a->answer && (!a->n_questions || a->questions) &&
           (!a->n_tags || a->tags);
}

static const char sql_article_state[] = "SELECT status, version FROM articles WHERE id = ?1";

/* The stored status and version of id: 1 when it exists, 0 when not, or an
 * error. */
static int article_state(lk_store_t *st, const char *id, lk_article_status_t *status, int64_t *version)
{
    sqlite3_stmt *s = lk_sq_prepare_bind(st, sql_article_state, "article_state", "t", id);
    int r = lk_sq_row(st, s, "article_state");
    if (r == 1) {
        lk_article_status_parse(lk_sq_col_text(s, 0), status);
        *version = sqlite3_column_int64(s, 1);
        lk_sq_done(s);
    }
    return r;
}

static int sq_article_publish(lk_store_t *st, const lk_article_t *a, bool create, const char *by, int64_t now,
                             int64_t *version)
{
    if (!st || !article_ok(a))
        return LK_EINVAL;
    lk_article_status_t status;
    int64_t v = 0;
    int rc = article_state(st, a->id, &status, &v);
    if (rc < 0)
        return rc;
    if (create && rc == 1)
        return LK_EEXIST;
    if (!create && rc == 0)
        return LK_ENOENT;
    rc = write_article(st, a, create, by, now);
    if (rc == 0)
        rc = record_version(st, a->id, by, now, create ? LK_CHANGE_CREATED : LK_CHANGE_EDITED);
    if (rc == 0)
        rc = bump_kb_version(st);
    if (rc == 0 && version)
        *version = create ? 1 : v + 1;
    return rc;
}

static const char sql_article_set_status[] = "UPDATE articles SET status = ?2, version = version + 1, "
                                             "updated_at = ?3, updated_by = ?4 WHERE id = ?1";

/* Sets the status with a new version row (change), without the KB bump. */
static int set_status(lk_store_t *st, const char *id, lk_article_status_t status, const char *by, int64_t now,
                      lk_change_t change)
{
    int rc = lk_sq_exec_changed(st,
                                lk_sq_prepare_bind(st, sql_article_set_status, "article_set_status", "ttit", id,
                                                   lk_article_status_name(status), now, by && by[0] ? by : NULL),
                                "article_set_status");
    if (rc == 0)
        rc = record_version(st, id, by, now, change);
    return rc;
}

static int sq_article_set_archived(lk_store_t *st, const char *id, bool archived, const char *by, int64_t now,
                                  int64_t *version)
{
    if (!st || !id)
        return LK_EINVAL;
    lk_article_status_t status;
    int64_t v = 0;
    int rc = article_state(st, id, &status, &v);
    if (rc <= 0)
        return rc < 0 ? rc : LK_ENOENT;
    lk_article_status_t want = archived ? LK_ARTICLE_ARCHIVED : LK_ARTICLE_PUBLISHED;
    if (status == want)
        return LK_ESTATE;
    rc = set_status(st, id, want, by, now, archived ? LK_CHANGE_ARCHIVED : LK_CHANGE_RESTORED);
    if (rc == 0)
        rc = bump_kb_version(st);
    if (rc == 0 && version)
        *version = v + 1;
    return rc;
}

static const char sql_versions[] = "SELECT article_id, version, status, " CONTENT_COLS ", changed_by, changed_at, "
                                   "change FROM article_versions WHERE article_id = ?1 ORDER BY version DESC LIMIT ?2";

/* Reads a sql_versions row into row (an lk_article_version_t). */
static int read_version(sqlite3_stmt *s, void *row)
{
    lk_article_version_t *v = row;
    v->a.id = lk_sq_col_dup(s, 0);
    v->version = sqlite3_column_int64(s, 1);
    lk_article_status_parse(lk_sq_col_text(s, 2), &v->status);
    int rc = read_content(s, 3, &v->a);
    lk_sq_col_fixed(s, 12, v->changed_by, sizeof v->changed_by);
    v->changed_at = sqlite3_column_int64(s, 13);
    lk_change_parse(lk_sq_col_text(s, 14), &v->change);
    return rc || !v->a.id ? LK_EDB : 0;
}

static int sq_article_versions(lk_store_t *st, const char *id, size_t limit, lk_article_version_t **out, size_t *n)
{
    if (!st || !id || !out || !n)
        return LK_EINVAL;
    sqlite3_stmt *s = lk_sq_prepare_bind(st, sql_versions, "article_versions", "tl", id, limit);
    return lk_sq_rows(st, s, "article_versions", LK_SQ_ROW_ARTICLE_VERSION, read_version, out, n);
}

/* ---- import ---------------------------------------------------------------------- */

static bool same_str(const char *a, const char *b)
{
    if (a && !a[0])
        a = NULL;
    if (b && !b[0])
        b = NULL;
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool same_strv(char *const *a, size_t na, char *const *b, size_t nb)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (strcmp(a[i], b[i]) != 0)
            return false;
    return true;
}

/* True when the stored article equals a in content and metadata. */
static bool same_article(const lk_article_t *old, const lk_article_t *a)
{
    return same_str(old->language, a->language) && same_str(old->title, a->title) && same_str(old->answer, a->answer) &&
           same_str(old->url, a->url) && same_strv(old->questions, old->n_questions, a->questions, a->n_questions) &&
           same_strv(old->tags, old->n_tags, a->tags, a->n_tags) && same_str(old->owner, a->owner) &&
           old->review_by == a->review_by && same_str(old->translation_group, a->translation_group);
}

static int cmp_str_ptr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Upserts one article of an import. */
static int import_one(lk_store_t *st, const lk_article_t *in, const char *by, int64_t now,
                      lk_kb_import_counts_t *counts)
{
    lk_article_rec_t old;
    int rc = lk_store_article_get(st, in->id, &old);
    if (rc == LK_ENOENT) {
        rc = write_article(st, in, true, by, now);
        if (rc == 0)
            rc = record_version(st, in->id, by, now, LK_CHANGE_IMPORTED);
        if (rc == 0)
            counts->created++;
        return rc;
    }
    if (rc)
        return rc;
    /* metadata the import does not give stays as it was */
    lk_article_t a = *in;
    if (!a.owner)
        a.owner = old.a.owner;
    if (!a.review_by)
        a.review_by = old.a.review_by;
    if (!a.translation_group)
        a.translation_group = old.a.translation_group;
    if (old.status == LK_ARTICLE_PUBLISHED && same_article(&old.a, &a)) {
        counts->unchanged++;
    } else {
        rc = write_article(st, &a, false, by, now);
        if (rc == 0)
            rc = record_version(st, a.id, by, now, LK_CHANGE_IMPORTED);
        if (rc == 0)
            counts->updated++;
    }
    lk_article_rec_clear(&old);
    return rc;
}

static const char sql_published_ids[] = "SELECT id FROM articles WHERE status = 'published'";

/* Archives the published articles whose id is not in kb. */
static int archive_missing(lk_store_t *st, const lk_kb_t *kb, const char *by, int64_t now,
                           lk_kb_import_counts_t *counts)
{
    const char **ids = kb->n_articles ? lk_xcalloc(kb->n_articles, sizeof *ids) : NULL;
    for (size_t i = 0; i < kb->n_articles; i++)
        ids[i] = kb->articles[i].id;
    if (kb->n_articles)
        qsort(ids, kb->n_articles, sizeof *ids, cmp_str_ptr);
    char **gone = NULL;
    size_t n_gone = 0, cap = 0;
    int err = 0, rc;
    sqlite3_stmt *s = lk_sq_prepare(st, sql_published_ids, "kb_import_ids");
    if (!s)
        err = LK_EDB;
    while (s && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(s, 0);
        if (!id || (kb->n_articles && bsearch(&id, ids, kb->n_articles, sizeof *ids, cmp_str_ptr)))
            continue;
        if (n_gone == cap) {
            cap = cap ? cap * 2 : 16;
            gone = lk_xrealloc(gone, cap * sizeof *gone);
        }
        gone[n_gone++] = lk_xstrdup(id);
    }
    if (s) {
        if (rc != SQLITE_DONE)
            err = lk_sq_error(st, rc, "kb_import: list");
        lk_sq_done(s);
    }
    for (size_t i = 0; !err && i < n_gone; i++) {
        err = set_status(st, gone[i], LK_ARTICLE_ARCHIVED, by, now, LK_CHANGE_ARCHIVED);
        if (!err)
            counts->archived++;
    }
    for (size_t i = 0; i < n_gone; i++)
        free(gone[i]);
    free(gone);
    free(ids);
    return err;
}

static int sq_kb_import_as(lk_store_t *st, const lk_kb_t *kb, bool replace, const char *by, int64_t now,
                          lk_kb_import_counts_t *counts)
{
    if (!st || !kb || (kb->n_articles && !kb->articles))
        return LK_EINVAL;
    for (size_t i = 0; i < kb->n_articles; i++)
        if (!article_ok(&kb->articles[i]))
            return LK_EINVAL;
    lk_kb_import_counts_t c = {0, 0, 0, 0};
    /* Atomic on its own: its own IMMEDIATE transaction when the caller has
     * none, a savepoint inside the caller's. */
    bool own = sqlite3_get_autocommit(lk_sq_db(st)) != 0;
    int err = own ? lk_store_begin(st) : lk_store_savepoint(st, "lk_kb_import");
    if (err)
        return err;
    for (size_t i = 0; !err && i < kb->n_articles; i++)
        err = import_one(st, &kb->articles[i], by, now, &c);
    if (!err && replace)
        err = archive_missing(st, kb, by, now, &c);
    if (!err)
        err = bump_kb_version(st);
    if (own) {
        if (err)
            lk_store_rollback(st);
        else
            err = lk_store_commit(st);
    } else {
        if (err)
            lk_store_rollback_to(st, "lk_kb_import");
        int rerr = lk_store_release(st, "lk_kb_import");
        if (!err)
            err = rerr;
    }
    if (!err && counts)
        *counts = c;
    return err;
}

/* ---- knowledge base ---------------------------------------------------- */

/* Knowledge management (kbm.c) keeps the articles' history:
 * an import goes through it so every change gets its version row. */
static int sq_kb_import(lk_store_t *st, const lk_kb_t *kb, bool replace, int64_t now)
{
    return lk_store_kb_import_as(st, kb, replace, NULL, now, NULL);
}

/* Reads an ARTICLE_COLS row (what the bot answers from) into row (an
 * lk_article_t). */
static int read_bot_article(sqlite3_stmt *s, void *row)
{
    lk_article_t *a = row;
    a->id = lk_sq_col_dup(s, 0);
    a->language = lk_sq_col_dup(s, 1);
    a->title = lk_sq_col_dup(s, 2);
    a->answer = lk_sq_col_dup(s, 4);
    a->url = lk_sq_col_dup(s, 5);
    /* the bot answers from an article's version in the customer's language */
    const char *group = lk_sq_col_text(s, 7);
    if (group && *group)
        a->translation_group = lk_xstrdup(group);
    int rc = strv_parse(lk_sq_col_text(s, 3), &a->questions, &a->n_questions);
    if (rc == 0)
        rc = strv_parse(lk_sq_col_text(s, 6), &a->tags, &a->n_tags);
    return rc || !a->id || !a->language || !a->title || !a->answer ? LK_EDB : 0;
}

static int sq_kb_load(lk_store_t *st, lk_kb_t *out)
{
    if (!st || !out)
        return LK_EINVAL;
    lk_kb_init(out);
    return lk_sq_rows(st, lk_sq_stmt(st, S_ARTICLE_LOAD), "kb_load", LK_SQ_ROW_ARTICLE, read_bot_article,
                      &out->articles, &out->n_articles);
}

static int sq_kb_version(lk_store_t *st, int64_t *version)
{
    if (!st || !version)
        return LK_EINVAL;
    *version = 0;
    sqlite3_stmt *s = lk_sq_stmt(st, S_KB_VERSION_GET);
    int r = lk_sq_row(st, s, "kb_version");
    if (r < 0)
        return r;
    if (r == 0) {
        LK_ERROR("store", "kb_version: meta has no kb_version");
        return LK_EDB;
    }
    const char *v = (const char *)sqlite3_column_text(s, 0);
    int err = v ? lk_parse_i64(v, INT64_MIN, INT64_MAX, version) : LK_EINVAL;
    lk_sq_done(s);
    if (err) {
        LK_ERROR("store", "kb_version: unreadable value");
        return LK_EDB;
    }
    return 0;
}

const lk_store_kb_ops_t lk_sq_kb_ops = {LK_STORE_KB_OPS(LK_SQ_OP_INIT)};
