/*
 * The SQLite backend of store.h: loket's embedded default.
 *
 * One lk_store_t is one connection to DATA_DIR/loket.db. The database runs in
 * WAL mode with synchronous=FULL, so a commit is on disk (fsync'd) before
 * lk_store_commit() returns and survives a crash of the process or of the
 * machine; readers and writers in other threads and processes work on the
 * same file at once (see docs/storage.md). Every statement the store needs is
 * prepared once when the handle opens and reset after each use, so that no
 * statement keeps a read transaction open between calls.
 *
 * Errors: LK_EINVAL for bad arguments (checked before touching the database),
 * LK_ENOENT for missing rows (and for a row that refers to a missing one),
 * LK_EEXIST for unique violations, LK_EBUSY when the database stayed locked
 * past the busy timeout, LK_EDB for any other SQLite failure, logged with
 * SQLite's message (which names tables and constraints, never values).
 */
#include "store/store.h"

#include "store/store_int.h"
#include "store/sqlite/sqlite_int.h"
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define DB_FILE "loket.db"
#define BUSY_TIMEOUT_MS 5000
#define SAVEPOINT_NAME_MAX 64

static const char *const stmt_sql[S__COUNT] = {
#define STMT_SQL(name, sql) sql,
    STMT_MAP(STMT_SQL)
#undef STMT_SQL
};


/* ---- errors ------------------------------------------------------------ */

/* Maps an SQLite result code to an LK_E... code and logs the unexpected
 * ones. what names the operation (never data). */
int lk_sq_error(lk_store_t *st, int rc, const char *what)
{
    switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
        LK_DEBUG("store", "%s: %s", what, sqlite3_errmsg(SQ(st)->db));
        return LK_EEXIST;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
        LK_DEBUG("store", "%s: %s", what, sqlite3_errmsg(SQ(st)->db));
        return LK_ENOENT;
    default:
        break;
    }
    LK_ERROR("store", "%s: %s (sqlite %d)", what, sqlite3_errmsg(SQ(st)->db), rc);
    if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
        return LK_EBUSY;
    return LK_EDB;
}

/* ---- statements -------------------------------------------------------- */

sqlite3_stmt *lk_sq_stmt(lk_store_t *st, int id)
{
    return SQ(st)->stmts[id];
}

sqlite3 *lk_sq_db(lk_store_t *st)
{
    return SQ(st)->db;
}

sqlite3_stmt *lk_sq_prepare(lk_store_t *st, const char *sql, const char *what)
{
    for (size_t i = 0; i < SQ(st)->n_lazy; i++)
        if (SQ(st)->lazy[i].sql == sql)
            return SQ(st)->lazy[i].stmt;
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v3(SQ(st)->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL);
    if (rc != SQLITE_OK) {
        lk_sq_error(st, rc, what);
        return NULL;
    }
    if (SQ(st)->n_lazy == SQ(st)->cap_lazy) {
        SQ(st)->cap_lazy = SQ(st)->cap_lazy ? SQ(st)->cap_lazy * 2 : 32;
        SQ(st)->lazy = lk_xrealloc(SQ(st)->lazy, SQ(st)->cap_lazy * sizeof *SQ(st)->lazy);
    }
    SQ(st)->lazy[SQ(st)->n_lazy++] = (lazy_stmt_t){sql, s};
    return s;
}

/* Resets s for its next use (keeps no read transaction open). */
void lk_sq_done(sqlite3_stmt *s)
{
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
}

/* Steps s to completion (a statement that returns no rows), then resets. */
int lk_sq_exec(lk_store_t *st, sqlite3_stmt *s, const char *what)
{
    if (!s)
        return LK_EDB; /* it did not prepare (logged) */
    int rc = sqlite3_step(s);
    int err = 0;
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        err = lk_sq_error(st, rc, what);
    lk_sq_done(s);
    return err;
}

/* Steps s to its first row: 1 for a row (the caller reads it, then calls
 * lk_sq_done), 0 for none (s is reset), or an error (s is reset). */
int lk_sq_row(lk_store_t *st, sqlite3_stmt *s, const char *what)
{
    if (!s)
        return LK_EDB; /* it did not prepare (logged) */
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        return 1;
    int err = rc == SQLITE_DONE ? 0 : lk_sq_error(st, rc, what);
    lk_sq_done(s);
    return err;
}

int lk_sq_find(lk_store_t *st, sqlite3_stmt *s, const char *what)
{
    int r = lk_sq_row(st, s, what);
    return r == 1 ? 0 : r < 0 ? r : LK_ENOENT;
}

int lk_sq_one_i64(lk_store_t *st, sqlite3_stmt *s, const char *what, int64_t *out)
{
    int r = lk_sq_row(st, s, what);
    if (r <= 0)
        return r < 0 ? r : LK_EDB;
    *out = sqlite3_column_int64(s, 0);
    lk_sq_done(s);
    return 0;
}

int lk_sq_exec_count(lk_store_t *st, sqlite3_stmt *s, const char *what, int64_t *changed)
{
    int err = lk_sq_exec(st, s, what);
    if (!err && changed)
        *changed = sqlite3_changes64(SQ(st)->db);
    return err;
}

int lk_sq_exec_changed(lk_store_t *st, sqlite3_stmt *s, const char *what)
{
    int err = lk_sq_exec(st, s, what);
    if (!err && sqlite3_changes64(SQ(st)->db) == 0)
        return LK_ENOENT;
    return err;
}

/* The size of a row of each kind. */
/* clang-format off */
static const size_t row_size[] = {
    [LK_SQ_ROW_I64] = sizeof(int64_t),
    [LK_SQ_ROW_TEXT] = sizeof(char *),
    [LK_SQ_ROW_CONV] = sizeof(lk_conv_t),
    [LK_SQ_ROW_MSG] = sizeof(lk_msg_t),
    [LK_SQ_ROW_USER] = sizeof(lk_user_t),
    [LK_SQ_ROW_NOTE] = sizeof(lk_note_t),
    [LK_SQ_ROW_CALLBACK] = sizeof(lk_callback_t),
    [LK_SQ_ROW_CANNED] = sizeof(lk_canned_t),
    [LK_SQ_ROW_DRAFT] = sizeof(lk_draft_t),
    [LK_SQ_ROW_ARTICLE] = sizeof(lk_article_t),
    [LK_SQ_ROW_ARTICLE_REC] = sizeof(lk_article_rec_t),
    [LK_SQ_ROW_ARTICLE_VERSION] = sizeof(lk_article_version_t),
    [LK_SQ_ROW_GAP_MSG] = sizeof(lk_gap_msg_t),
    [LK_SQ_ROW_REVIEW] = sizeof(lk_review_t),
    [LK_SQ_ROW_REVIEW_COUNT] = sizeof(lk_review_count_t),
    [LK_SQ_ROW_REVIEW_PENDING] = sizeof(lk_review_pending_t),
    [LK_SQ_ROW_AGENT_MSG_COUNT] = sizeof(lk_agent_msg_count_t),
    [LK_SQ_ROW_SECEVENT] = sizeof(lk_secevent_t),
    [LK_SQ_ROW_AUDIT] = sizeof(lk_audit_rec_t),
    [LK_SQ_ROW_LABELLED] = sizeof(lk_labelled_t),
    [LK_SQ_ROW_LABELLED_COUNT] = sizeof(lk_labelled_count_t),
};
/* clang-format on */

int lk_sq_read_one(lk_store_t *st, sqlite3_stmt *s, const char *what, lk_sq_row_kind_t kind, lk_sq_reader_t read,
                   void *out)
{
    int rc = lk_sq_find(st, s, what);
    if (rc)
        return rc;
    memset(out, 0, row_size[kind]);
    rc = read(s, out);
    lk_sq_done(s);
    if (rc)
        LK_ERROR("store", "%s: malformed row", what);
    return rc;
}

int lk_sq_get_by_key(lk_store_t *st, sqlite3_stmt *s, const char *key, const char *what, lk_sq_row_kind_t kind,
                     lk_sq_reader_t read, void *out)
{
    if (!s)
        return LK_EDB;
    lk_sq_bind_text(s, 1, key);
    return lk_sq_read_one(st, s, what, kind, read, out);
}

int lk_sq_read_i64(sqlite3_stmt *s, void *row)
{
    *(int64_t *)row = sqlite3_column_int64(s, 0);
    return 0;
}

int lk_sq_read_text(sqlite3_stmt *s, void *row)
{
    char *text = lk_sq_col_dup(s, 0);
    *(char **)row = text ? text : lk_xstrdup("");
    return 0;
}

/* Frees the first n rows of kind in v and the array (the record type's
 * lk_..._free; a kind whose rows hold nothing on the heap needs none). */
static void rows_free(lk_sq_row_kind_t kind, void *v, size_t n)
{
    switch (kind) {
    case LK_SQ_ROW_TEXT:
        lk_strv_free(v, n);
        return;
    case LK_SQ_ROW_CONV:
        lk_convs_free(v, n);
        return;
    case LK_SQ_ROW_MSG:
        lk_msgs_free(v, n);
        return;
    case LK_SQ_ROW_USER:
        lk_users_free(v, n);
        return;
    case LK_SQ_ROW_NOTE:
        lk_notes_free(v, n);
        return;
    case LK_SQ_ROW_CALLBACK:
        lk_callbacks_free(v, n);
        return;
    case LK_SQ_ROW_CANNED:
        lk_canned_free(v, n);
        return;
    case LK_SQ_ROW_DRAFT:
        lk_drafts_free(v, n);
        return;
    case LK_SQ_ROW_ARTICLE:
        for (size_t i = 0; i < n; i++)
            lk_article_free((lk_article_t *)v + i);
        break;
    case LK_SQ_ROW_ARTICLE_REC:
        lk_article_recs_free(v, n);
        return;
    case LK_SQ_ROW_ARTICLE_VERSION:
        lk_article_versions_free(v, n);
        return;
    case LK_SQ_ROW_GAP_MSG:
        lk_gap_msgs_free(v, n);
        return;
    case LK_SQ_ROW_REVIEW_PENDING:
        lk_review_pendings_free(v, n);
        return;
    case LK_SQ_ROW_SECEVENT:
        lk_secevents_free(v, n);
        return;
    case LK_SQ_ROW_AUDIT:
        lk_audit_recs_free(v, n);
        return;
    case LK_SQ_ROW_LABELLED:
        lk_labelled_free(v, n);
        return;
    case LK_SQ_ROW_I64:
    case LK_SQ_ROW_REVIEW:
    case LK_SQ_ROW_REVIEW_COUNT:
    case LK_SQ_ROW_AGENT_MSG_COUNT:
    case LK_SQ_ROW_LABELLED_COUNT:
        break; /* nothing on the heap */
    }
    free(v);
}

int lk_sq_each(lk_store_t *st, sqlite3_stmt *s, const char *what, int (*row)(sqlite3_stmt *s, void *ud), void *ud)
{
    if (!s)
        return LK_EDB; /* it did not prepare (logged) */
    int rc = SQLITE_DONE, err = 0;
    while (!err && (rc = sqlite3_step(s)) == SQLITE_ROW)
        err = row(s, ud);
    if (!err && rc != SQLITE_DONE)
        err = lk_sq_error(st, rc, what);
    lk_sq_done(s);
    return err;
}

/* lk_sq_rows' growing array, filled by collect_row. */
typedef struct {
    const char *what;
    lk_sq_reader_t read;
    size_t elem;
    unsigned char *v;
    size_t len, cap;
} collect_t;

static int collect_row(sqlite3_stmt *s, void *ud)
{
    collect_t *c = ud;
    if (c->len == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 8;
        c->v = lk_xrealloc(c->v, c->cap * c->elem);
    }
    unsigned char *row = c->v + c->len++ * c->elem;
    memset(row, 0, c->elem);
    int err = c->read(s, row);
    if (err)
        LK_ERROR("store", "%s: malformed row", c->what);
    return err;
}

int lk_sq_rows(lk_store_t *st, sqlite3_stmt *s, const char *what, lk_sq_row_kind_t kind, lk_sq_reader_t read, void *out,
               size_t *n)
{
    collect_t c = {what, read, row_size[kind], NULL, 0, 0};
    int err = lk_sq_each(st, s, what, collect_row, &c);
    if (err) {
        rows_free(kind, c.v, c.len);
        c.v = NULL;
        c.len = 0;
    }
    void *v = c.v;
    memcpy(out, &v, sizeof v); /* out is the caller's record pointer (T **) */
    *n = c.len;
    return err;
}

char *lk_sq_lower_dup(const char *s)
{
    char *low = lk_xstrdup(s);
    for (char *p = low; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return low;
}

/* Binds a text; NULL binds SQL NULL. */
void lk_sq_bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

/* Binds a fixed-array string; "" binds SQL NULL. */
void lk_sq_bind_fixed(sqlite3_stmt *s, int i, const char *v)
{
    lk_sq_bind_text(s, i, v[0] ? v : NULL);
}

/* Binds an optional integer (times, rating); 0 binds SQL NULL. */
void lk_sq_bind_opt_i64(sqlite3_stmt *s, int i, int64_t v)
{
    if (v)
        sqlite3_bind_int64(s, i, v);
    else
        sqlite3_bind_null(s, i);
}

/* Binds an optional double (a confidence); !has binds SQL NULL. */
void lk_sq_bind_opt_double(sqlite3_stmt *s, int i, bool has, double v)
{
    if (has)
        sqlite3_bind_double(s, i, v);
    else
        sqlite3_bind_null(s, i);
}

/* Binds a row limit; 0 means none (SQLite: LIMIT -1). */
void lk_sq_bind_limit(sqlite3_stmt *s, int i, size_t limit)
{
    sqlite3_bind_int64(s, i, limit == 0 || limit > (size_t)INT64_MAX ? -1 : (int64_t)limit);
}

/* Binds the arguments after fmt to ?1, ?2, ... in order, one per letter of
 * fmt (see sqlite_int.h). A letter it does not know is a mistake in the
 * caller's literal that every run of that statement would hit: it aborts. */
static void bind_va(sqlite3_stmt *s, const char *fmt, va_list ap)
{
    for (int i = 1; fmt[i - 1]; i++) {
        char k = fmt[i - 1];
        switch (k) {
        case 't':
        case 'f': {
            const char *v = va_arg(ap, const char *);
            lk_sq_bind_text(s, i, k == 'f' && !v[0] ? NULL : v);
            break;
        }
        case 'i':
        case 'o': {
            int64_t v = va_arg(ap, int64_t);
            if (k == 'o' && v == 0)
                sqlite3_bind_null(s, i);
            else
                sqlite3_bind_int64(s, i, v);
            break;
        }
        case 'n':
            sqlite3_bind_int(s, i, va_arg(ap, int));
            break;
        case 'l':
            lk_sq_bind_limit(s, i, va_arg(ap, size_t));
            break;
        default:
            LK_ERROR("store", "bind format \"%s\" has an unknown letter", fmt);
            abort();
        }
    }
}

void lk_sq_bind(sqlite3_stmt *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bind_va(s, fmt, ap);
    va_end(ap);
}

static sqlite3_stmt *prepare_bind_va(lk_store_t *st, const char *sql, const char *what, const char *fmt, va_list ap)
{
    sqlite3_stmt *s = lk_sq_prepare(st, sql, what);
    if (s)
        bind_va(s, fmt, ap);
    return s;
}

sqlite3_stmt *lk_sq_prepare_bind(lk_store_t *st, const char *sql, const char *what, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sqlite3_stmt *s = prepare_bind_va(st, sql, what, fmt, ap);
    va_end(ap);
    return s;
}

/* Copies a text column into a fixed array ("" for NULL), cut at size - 1
 * bytes as snprintf would, without its cost (a dozen columns per message
 * read, every turn). */
void lk_sq_col_fixed(sqlite3_stmt *s, int i, char *dst, size_t size)
{
    if (size == 0)
        return;
    const char *v = (const char *)sqlite3_column_text(s, i);
    size_t n = v ? strnlen(v, size - 1) : 0;
    if (n)
        memcpy(dst, v, n);
    dst[n] = '\0';
}

double lk_sq_col_opt_double(sqlite3_stmt *s, int i, bool *has)
{
    *has = sqlite3_column_type(s, i) != SQLITE_NULL;
    return *has ? sqlite3_column_double(s, i) : 0.0;
}

/* A text column as SQLite holds it (valid until the next step or reset of
 * s; lk_sq_col_dup copies), NULL for SQL NULL. */
const char *lk_sq_col_text(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}

char *lk_sq_col_dup(sqlite3_stmt *s, int i)
{
    const unsigned char *v = sqlite3_column_text(s, i);
    if (!v)
        return NULL;
    return lk_xstrndup((const char *)v, (size_t)sqlite3_column_bytes(s, i));
}

bool lk_sq_fixed_ok(const char *v, size_t size)
{
    return memchr(v, '\0', size) != NULL;
}

/* ---- life cycle -------------------------------------------------------- */

/* The database holds personal data: its files are for loket's user alone.
 * SQLite makes the -wal and -shm files with the database file's mode, so a
 * database file made 0600 from the start keeps them 0600 too; files an
 * older loket made readable for others are set right here. */
static int create_private(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
        close(fd);
        return 0;
    }
    if (errno == EEXIST)
        return 0;
    LK_ERROR("store", "cannot create %s: %s", path, strerror(errno));
    return LK_EIO;
}

static void make_private(const char *db_path)
{
    static const char *const suffixes[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char path[4200];
        snprintf(path, sizeof path, "%s%s", db_path, suffixes[i]);
        struct stat sb;
        if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && (sb.st_mode & 077)) {
            if (chmod(path, sb.st_mode & 0700) == 0)
                LK_WARN("store", "%s could be read by other users: made it private (mode 0600)", path);
            else
                LK_WARN("store", "%s can be read by other users and chmod failed: %s", path, strerror(errno));
        }
    }
}

/* Runs SQL that needs no parameters (PRAGMAs, migrations, savepoints). */
int lk_sq_exec_sql(lk_store_t *st, const char *sql, const char *what)
{
    int rc = sqlite3_exec(SQ(st)->db, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return lk_sq_error(st, rc, what);
    return 0;
}

static int sq_set_autocheckpoint(lk_store_t *st, bool on)
{
    if (!st)
        return LK_EINVAL;
    int rc = sqlite3_wal_autocheckpoint(SQ(st)->db, on ? 1000 : 0);
    return rc == SQLITE_OK ? 0 : lk_sq_error(st, rc, "set_autocheckpoint");
}

static int sq_checkpoint_truncate(lk_store_t *st)
{
    if (!st)
        return LK_EINVAL;
    /* Another connection's checkpoint (the server's watcher runs one every
     * second) makes this one fail at once with SQLITE_BUSY, without the busy
     * handler: try again until the busy timeout is used up. */
    int64_t deadline = lk_time_mono_ns() + (int64_t)BUSY_TIMEOUT_MS * 1000000;
    for (;;) {
        int log = 0, done = 0;
        int rc = sqlite3_wal_checkpoint_v2(SQ(st)->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, &log, &done);
        if (rc == SQLITE_OK)
            return 0;
        if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
            return lk_sq_error(st, rc, "checkpoint (truncate)");
        if (lk_time_mono_ns() >= deadline)
            return LK_EBUSY;
        struct timespec ts = {0, 10 * 1000000};
        nanosleep(&ts, NULL);
    }
}

static int sq_checkpoint(lk_store_t *st, int64_t *pages_left)
{
    if (!st)
        return LK_EINVAL;
    int log = 0, done = 0;
    int rc = sqlite3_wal_checkpoint_v2(SQ(st)->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
        return lk_sq_error(st, rc, "checkpoint");
    if (pages_left)
        *pages_left = log > done ? log - done : 0;
    return 0;
}

/* Runs a single-row PRAGMA or query and copies its first column to out. */
static int query_text(lk_store_t *st, const char *sql, char *out, size_t outsize, const char *what)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(SQ(st)->db, sql, -1, &s, NULL);
    if (rc != SQLITE_OK)
        return lk_sq_error(st, rc, what);
    out[0] = '\0';
    rc = sqlite3_step(s);
    int err = 0;
    if (rc == SQLITE_ROW)
        lk_sq_col_fixed(s, 0, out, outsize);
    else if (rc != SQLITE_DONE)
        err = lk_sq_error(st, rc, what);
    sqlite3_finalize(s);
    return err;
}

/* Switches the database to WAL. Switching a new file takes an exclusive lock
 * and, when several connections race to do it, SQLite answers SQLITE_BUSY at
 * once instead of calling the busy handler: so retry until the busy timeout.
 * LK_EIO when the file is not a usable database. */
static int set_wal(lk_store_t *st)
{
    int64_t deadline = lk_time_mono_ns() + (int64_t)BUSY_TIMEOUT_MS * 1000000;
    for (;;) {
        sqlite3_stmt *s = NULL;
        int rc = sqlite3_prepare_v2(SQ(st)->db, "PRAGMA journal_mode=WAL", -1, &s, NULL);
        char mode[16] = "";
        if (rc == SQLITE_OK) {
            rc = sqlite3_step(s);
            if (rc == SQLITE_ROW) {
                lk_sq_col_fixed(s, 0, mode, sizeof mode);
                rc = SQLITE_OK;
            }
        }
        sqlite3_finalize(s);
        if (rc == SQLITE_OK) {
            if (strcmp(mode, "wal") == 0)
                return 0;
            LK_ERROR("store", "open: cannot switch to WAL (journal mode %s)", mode);
            return LK_EIO;
        }
        if ((rc & 0xff) != SQLITE_BUSY || lk_time_mono_ns() > deadline) {
            /* "file is not a database" and the like surface here too. */
            int err = lk_sq_error(st, rc, "open: journal_mode");
            return err == LK_EBUSY ? err : LK_EIO;
        }
        struct timespec ts = {0, 5 * 1000000};
        nanosleep(&ts, NULL);
    }
}

/* Brings the schema up to date, one migration per IMMEDIATE transaction, so
 * two processes opening a new database at once cannot both migrate it.
 * *fresh tells whether this handle created version 1. */
static int migrate(lk_store_t *st, bool *fresh)
{
    *fresh = false;
    for (;;) {
        int err = lk_sq_exec_sql(st, "BEGIN IMMEDIATE", "migrate: begin");
        if (err)
            return err;
        err = lk_sq_exec_sql(st, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
                       "migrate: schema_version");
        char v[32];
        if (!err)
            err = query_text(st, "SELECT MAX(version) FROM schema_version", v, sizeof v, "migrate: read version");
        int64_t version = 0;
        if (!err && v[0] && lk_parse_i64(v, 0, INT32_MAX, &version) != 0) {
            LK_ERROR("store", "migrate: unreadable schema version");
            err = LK_EDB;
        }
        if (!err && version > (int64_t)lk_store__n_migrations) {
            LK_ERROR("store", "database schema version %lld is newer than this program's %zu",
                     (long long)version, lk_store__n_migrations);
            err = LK_ESCHEMA;
        }
        if (!err && version == (int64_t)lk_store__n_migrations)
            return lk_sq_exec_sql(st, "COMMIT", "migrate: commit");
        if (!err)
            err = lk_sq_exec_sql(st, lk_store__migrations[version], "migrate: apply");
        if (!err) {
            char sql[96];
            snprintf(sql, sizeof sql, "DELETE FROM schema_version; INSERT INTO schema_version VALUES (%lld)",
                     (long long)version + 1);
            err = lk_sq_exec_sql(st, sql, "migrate: record version");
        }
        if (!err)
            err = lk_sq_exec_sql(st, "COMMIT", "migrate: commit");
        if (err) {
            if (!sqlite3_get_autocommit(SQ(st)->db))
                sqlite3_exec(SQ(st)->db, "ROLLBACK", NULL, NULL, NULL);
            return err;
        }
        if (version == 0)
            *fresh = true;
        LK_INFO("store", "database schema migrated to version %lld", (long long)version + 1);
    }
}

static void sq_close(lk_store_t *st)
{
    if (!st)
        return;
    for (int i = 0; i < S__COUNT; i++)
        sqlite3_finalize(SQ(st)->stmts[i]);
    for (size_t i = 0; i < SQ(st)->n_lazy; i++)
        sqlite3_finalize(SQ(st)->lazy[i].stmt);
    free(SQ(st)->lazy);
    for (size_t i = 0; i < sizeof SQ(st)->conv_update / sizeof SQ(st)->conv_update[0]; i++)
        sqlite3_finalize(SQ(st)->conv_update[i]);
    for (size_t i = 0; i < SQ(st)->n_savepoints; i++)
        sqlite3_finalize(SQ(st)->savepoints[i].stmt);
    if (SQ(st)->db) {
        if (!sqlite3_get_autocommit(SQ(st)->db))
            sqlite3_exec(SQ(st)->db, "ROLLBACK", NULL, NULL, NULL);
        int rc = sqlite3_close(SQ(st)->db);
        if (rc != SQLITE_OK)
            LK_ERROR("store", "close: %s", sqlite3_errstr(rc));
    }
    free(SQ(st));
}

int lk_sq_open(const char *data_dir, lk_store_t **out, bool *created)
{
    if (!data_dir || !data_dir[0] || !out)
        return LK_EINVAL;
    *out = NULL;
    if (created)
        *created = false;
    int err = lk_make_dirs(data_dir, "store");
    if (err)
        return err;

    char path[4096];
    int plen = snprintf(path, sizeof path, "%s/%s", data_dir, DB_FILE);
    if (plen < 0 || (size_t)plen >= sizeof path)
        return LK_EINVAL;

    err = create_private(path);
    if (err)
        return err;
    make_private(path);
    lk_sq_t *sq = lk_xcalloc(1, sizeof *sq);
    sq->base.ops = &lk_sq_ops;
    lk_store_t *st = &sq->base;
    int rc = sqlite3_open_v2(path, &SQ(st)->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        LK_ERROR("store", "cannot open %s: %s", path, SQ(st)->db ? sqlite3_errmsg(SQ(st)->db) : sqlite3_errstr(rc));
        sq_close(st);
        return LK_EIO;
    }
    sqlite3_extended_result_codes(SQ(st)->db, 1);
    sqlite3_busy_timeout(SQ(st)->db, BUSY_TIMEOUT_MS);

    /* WAL: readers never block the writer nor see half a commit; FULL: the
     * WAL is fsync'd at every commit, so a commit survives power loss. */
    err = set_wal(st);
    if (!err)
        err = lk_sq_exec_sql(st, "PRAGMA synchronous=FULL", "open: synchronous");
    if (!err)
        err = lk_sq_exec_sql(st, "PRAGMA foreign_keys=ON", "open: foreign_keys");
    /* erased and purged personal data is overwritten with zeros in the
     * file, not just unlinked (docs/privacy.md) */
    if (!err)
        err = lk_sq_exec_sql(st, "PRAGMA secure_delete=ON", "open: secure_delete");
    bool fresh = false;
    if (!err)
        err = migrate(st, &fresh);
    for (int i = 0; !err && i < S__COUNT; i++) {
        rc = sqlite3_prepare_v3(SQ(st)->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &SQ(st)->stmts[i], NULL);
        if (rc != SQLITE_OK)
            err = lk_sq_error(st, rc, "open: prepare");
    }
    if (err) {
        sq_close(st);
        return err;
    }
    if (created)
        *created = fresh;
    *out = st;
    return 0;
}

/* ---- transactions ------------------------------------------------------ */

static int sq_begin(lk_store_t *st)
{
    if (!st)
        return LK_EINVAL;
    if (!sqlite3_get_autocommit(SQ(st)->db))
        return LK_ESTATE;
    return lk_sq_exec(st, lk_sq_stmt(st, S_BEGIN), "begin");
}

static int sq_commit(lk_store_t *st)
{
    if (!st)
        return LK_EINVAL;
    if (sqlite3_get_autocommit(SQ(st)->db))
        return LK_ESTATE;
    int err = lk_sq_exec(st, lk_sq_stmt(st, S_COMMIT), "commit");
    if (err && !sqlite3_get_autocommit(SQ(st)->db))
        lk_sq_exec(st, lk_sq_stmt(st, S_ROLLBACK), "rollback after failed commit");
    return err;
}

static int sq_rollback(lk_store_t *st)
{
    if (!st)
        return LK_EINVAL;
    if (sqlite3_get_autocommit(SQ(st)->db))
        return 0; /* nothing to undo (SQLite may have rolled back already) */
    return lk_sq_exec(st, lk_sq_stmt(st, S_ROLLBACK), "rollback");
}

/* Runs "<verb> <name>" after checking that name is [A-Za-z0-9_]+. */
static int savepoint_cmd(lk_store_t *st, const char *verb, const char *name)
{
    if (!st || !name || !name[0])
        return LK_EINVAL;
    size_t len = strlen(name);
    if (len > SAVEPOINT_NAME_MAX)
        return LK_EINVAL;
    for (size_t i = 0; i < len; i++) {
        char ch = name[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_'))
            return LK_EINVAL;
    }
    char sql[sizeof SQ(st)->savepoints[0].sql];
    snprintf(sql, sizeof sql, "%s %s", verb, name);
    for (size_t i = 0; i < SQ(st)->n_savepoints; i++)
        if (strcmp(SQ(st)->savepoints[i].sql, sql) == 0)
            return lk_sq_exec(st, SQ(st)->savepoints[i].stmt, verb);
    const size_t cap = sizeof SQ(st)->savepoints / sizeof SQ(st)->savepoints[0];
    sqlite3_stmt *s = NULL;
    if (SQ(st)->n_savepoints == cap ||
        sqlite3_prepare_v3(SQ(st)->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
        sqlite3_finalize(s);
        return lk_sq_exec_sql(st, sql, verb); /* reports the error, if any */
    }
    memcpy(SQ(st)->savepoints[SQ(st)->n_savepoints].sql, sql, sizeof sql);
    SQ(st)->savepoints[SQ(st)->n_savepoints++].stmt = s;
    return lk_sq_exec(st, s, verb);
}

static int sq_savepoint(lk_store_t *st, const char *name)
{
    return savepoint_cmd(st, "SAVEPOINT", name);
}

static int sq_release(lk_store_t *st, const char *name)
{
    return savepoint_cmd(st, "RELEASE SAVEPOINT", name);
}

static int sq_rollback_to(lk_store_t *st, const char *name)
{
    return savepoint_cmd(st, "ROLLBACK TO SAVEPOINT", name);
}

const lk_store_base_ops_t lk_sq_base_ops = {LK_STORE_BASE_OPS(LK_SQ_OP_INIT)};

const lk_store_ops_t lk_sq_ops = {
    .name = "sqlite",
    .close = sq_close,
    .base = &lk_sq_base_ops,
    .conv = &lk_sq_conv_ops,
    .users = &lk_sq_users_ops,
    .kb = &lk_sq_kb_ops,
    .assist = &lk_sq_assist_ops,
    .console = &lk_sq_console_ops,
    .insights = &lk_sq_insights_ops,
    .privacy = &lk_sq_privacy_ops,
    .security = &lk_sq_security_ops,
    .analytics = &lk_sq_analytics_ops,
    .labelled = &lk_sq_labelled_ops,
};
