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
#include "store/store_sqlite_int.h"
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sqlite3.h>
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

/* Column lists, in the order the row readers below expect. */
#define CONV_COLS                                                                                                      \
    "id, token_hash, status, language, handoff_reason, created_at, updated_at, queued_at, assigned_at, closed_at, "   \
    "assigned_to, next_seq, rating, rating_comment, disposition, policy_state, customer_email, "                       \
    "customer_external_id, customer_name, channel, client_hash, topic, customer_verified"
#define MSG_COLS                                                                                                       \
    "id, conversation_id, seq, sender, automated, text, created_at, article_id, confidence, author_id, author_name, "  \
    "provenance, suggestion_article_id, outcome, outcome_article_id, outcome_confidence, choices, chosen"
#define USER_COLS "id, email, role, display_name, password_hash, created_at, disabled"
#define ARTICLE_COLS "id, language, title, questions, answer, url, tags, translation_group"
/* USER_COLS with NULL for the password hash, for listings that never need it. */
#define USER_COLS_NO_HASH "id, email, role, display_name, NULL, created_at, disabled"
#define NOTE_COLS "id, conversation_id, author_id, author_name, text, created_at"
#define CALLBACK_COLS "id, conversation_id, contact, text, status, created_at, handled_at, handled_by"

/* Every statement of the handle: name and SQL. Prepared at open. */
#define STMT_MAP(X)                                                                                                    \
    X(BEGIN, "BEGIN IMMEDIATE")                                                                                        \
    X(COMMIT, "COMMIT")                                                                                                \
    X(ROLLBACK, "ROLLBACK")                                                                                            \
    X(CONV_INSERT, "INSERT INTO conversations (" CONV_COLS ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")   \
    X(CONV_GET, "SELECT " CONV_COLS " FROM conversations WHERE id = ?")                                                \
    X(CONV_INDEXED, "SELECT status, updated_at, queued_at, assigned_at, closed_at, assigned_to "                       \
                    "FROM conversations WHERE id = ?")                                                                 \
    X(CONV_LIST_QUEUED, "SELECT " CONV_COLS " FROM conversations WHERE status = 'queued' "                            \
                        "ORDER BY queued_at, id LIMIT ?")                                                              \
    X(CONV_LIST_ASSIGNED, "SELECT " CONV_COLS " FROM conversations WHERE assigned_to = ? AND status <> 'closed' "     \
                          "ORDER BY assigned_at, created_at, id LIMIT ?")                                              \
    X(CONV_QUEUE_STATE, "SELECT status, queued_at FROM conversations WHERE id = ?")                                    \
    X(CONV_QUEUE_RANK, "SELECT COUNT(*) FROM conversations WHERE status = 'queued' "                                   \
                       "AND (queued_at < ? OR (queued_at = ? AND id <= ?))")                                           \
    X(MSG_INSERT, "INSERT INTO messages (" MSG_COLS ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")                  \
    X(MSG_LIST, "SELECT " MSG_COLS " FROM messages WHERE conversation_id = ? AND seq > ? ORDER BY seq LIMIT ?")        \
    X(MSG_RECENT, "SELECT " MSG_COLS " FROM messages WHERE conversation_id = ? AND sender = ? "                        \
                  "ORDER BY seq DESC LIMIT ?")                                                                         \
    X(ARTICLE_LOAD, "SELECT " ARTICLE_COLS " FROM articles WHERE status = 'published' ORDER BY id")   \
    X(KB_VERSION_GET, "SELECT value FROM meta WHERE key = 'kb_version'")                                               \
    X(USER_INSERT, "INSERT INTO users (" USER_COLS ") VALUES (?,?,?,?,?,?,?)")                                         \
    X(USER_GET, "SELECT " USER_COLS " FROM users WHERE id = ?")                                                        \
    X(USER_GET_EMAIL, "SELECT " USER_COLS " FROM users WHERE email = ?")                                               \
    X(SESSION_INSERT, "INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES (?,?,?,?)")              \
    X(SESSION_DELETE, "DELETE FROM sessions WHERE id_hash = ?")                                                        \
    X(SESSION_PURGE, "DELETE FROM sessions WHERE expires_at <= ?")                                                     \
    X(AUDIT_INSERT, "INSERT INTO audit_log (at, actor, action, conversation_id, detail) VALUES (?,?,?,?,?)")           \
    X(AUDIT_COUNT, "SELECT COUNT(*) FROM audit_log WHERE action = ?")                                                 \
    X(CONV_LIST_ALL, "SELECT " CONV_COLS " FROM conversations ORDER BY updated_at DESC, id DESC LIMIT ?")              \
    X(CONV_LIST_STATUS, "SELECT " CONV_COLS " FROM conversations WHERE status = ? "                                   \
                        "ORDER BY updated_at DESC, id DESC LIMIT ?")                                                   \
    X(CONV_LIST_USER, "SELECT " CONV_COLS " FROM conversations WHERE assigned_to = ? "                                \
                      "ORDER BY updated_at DESC, id DESC LIMIT ?")                                                     \
    X(CONV_LIST_STATUS_USER, "SELECT " CONV_COLS " FROM conversations WHERE status = ? AND assigned_to = ? "          \
                             "ORDER BY updated_at DESC, id DESC LIMIT ?")                                              \
    X(CONV_COUNT_QUEUED, "SELECT COUNT(*) FROM conversations WHERE status = 'queued'")                                 \
    X(RECENT_WAITS, "SELECT assigned_at - queued_at FROM conversations WHERE assigned_at >= ? "                        \
                    "AND queued_at IS NOT NULL AND queued_at <= assigned_at ORDER BY assigned_at DESC, id DESC LIMIT ?") \
    X(NOTE_INSERT, "INSERT INTO notes (" NOTE_COLS ") VALUES (?,?,?,?,?,?)")                                           \
    X(NOTE_LIST, "SELECT " NOTE_COLS " FROM notes WHERE conversation_id = ? ORDER BY created_at, id")                  \
    X(CALLBACK_INSERT, "INSERT INTO callback_requests (" CALLBACK_COLS ") VALUES (?,?,?,?,?,?,?,?)")                   \
    X(CALLBACK_LIST_ALL, "SELECT " CALLBACK_COLS " FROM callback_requests ORDER BY created_at, id LIMIT ?")            \
    X(CALLBACK_LIST_STATUS, "SELECT " CALLBACK_COLS " FROM callback_requests WHERE status = ? "                       \
                            "ORDER BY created_at, id LIMIT ?")                                                         \
    X(CALLBACK_DONE, "UPDATE callback_requests SET status = 'done', handled_at = ?, handled_by = ? WHERE id = ?")      \
    X(FEEDBACK_SET, "INSERT INTO message_feedback (message_id, conversation_id, helpful, created_at) "                 \
                    "SELECT id, conversation_id, ?, ? FROM messages WHERE id = ? AND conversation_id = ? "             \
                    "ON CONFLICT (message_id) DO UPDATE SET helpful = excluded.helpful, "                              \
                    "created_at = excluded.created_at")                                                                \
    X(FEEDBACK_GET, "SELECT helpful FROM message_feedback WHERE message_id = ?")                                       \
    X(MSG_GET, "SELECT " MSG_COLS " FROM messages WHERE id = ?")                                                       \
    X(MSG_LAST_CHOICES, "SELECT " MSG_COLS " FROM messages WHERE conversation_id = ? AND choices IS NOT NULL "         \
                        "ORDER BY seq DESC LIMIT 1")                                                                   \
    X(USER_LIST, "SELECT " USER_COLS_NO_HASH " FROM users ORDER BY email, id")                                         \
    X(SESSION_COUNT_USERS, "SELECT COUNT(DISTINCT s.user_id) FROM sessions s JOIN users u ON u.id = s.user_id "       \
                           "WHERE s.expires_at > ? AND u.disabled = 0")

enum {
#define STMT_ENUM(name, sql) S_##name,
    STMT_MAP(STMT_ENUM)
#undef STMT_ENUM
        S__COUNT
};

static const char *const stmt_sql[S__COUNT] = {
#define STMT_SQL(name, sql) sql,
    STMT_MAP(STMT_SQL)
#undef STMT_SQL
};

/* Statements of the feature files, prepared on first use (lk_sq_prepare). */
typedef struct {
    const char *sql; /* the key: the caller's static string */
    sqlite3_stmt *stmt;
} lazy_stmt_t;

/* The columns of conversations that lk_store_conv_update may change and
 * that sit in an index. SQLite rewrites an index's entry for every column
 * an UPDATE names, changed or not, and every page it touches goes to the
 * write-ahead log, so an update names only those of these that changed: one
 * prepared statement per set of them, made when first needed. */
enum { CI_STATUS, CI_UPDATED_AT, CI_QUEUED_AT, CI_ASSIGNED_AT, CI_CLOSED_AT, CI_ASSIGNED_TO, CI__COUNT };

struct lk_store {
    sqlite3 *db;
    sqlite3_stmt *stmts[S__COUNT];
    lazy_stmt_t *lazy;
    size_t n_lazy, cap_lazy;
    sqlite3_stmt *conv_update[1 << CI__COUNT];
    /* savepoint statements by their text: a handful are in use, and each job
     * runs two; preparing one costs more than running it */
    struct {
        char sql[128];
        sqlite3_stmt *stmt;
    } savepoints[16];
    size_t n_savepoints;
};

/* ---- records ----------------------------------------------------------- */

void lk_conv_clear(lk_conv_t *c)
{
    if (!c)
        return;
    free(c->rating_comment);
    free(c->disposition);
    free(c->policy_state);
    free(c->customer_email);
    free(c->customer_external_id);
    free(c->customer_name);
    free(c->topic);
    memset(c, 0, sizeof *c);
}

void lk_msg_clear(lk_msg_t *m)
{
    if (!m)
        return;
    free(m->text);
    free(m->article_id);
    free(m->author_name);
    free(m->suggestion_article_id);
    free(m->outcome_article_id);
    for (size_t i = 0; i < m->n_choices; i++) {
        free(m->choices[i].article_id);
        free(m->choices[i].title);
    }
    free(m->choices);
    memset(m, 0, sizeof *m);
}

void lk_msgs_free(lk_msg_t *msgs, size_t n)
{
    if (!msgs)
        return;
    for (size_t i = 0; i < n; i++)
        lk_msg_clear(&msgs[i]);
    free(msgs);
}

void lk_convs_free(lk_conv_t *convs, size_t n)
{
    if (!convs)
        return;
    for (size_t i = 0; i < n; i++)
        lk_conv_clear(&convs[i]);
    free(convs);
}

void lk_user_clear(lk_user_t *u)
{
    if (!u)
        return;
    free(u->display_name);
    free(u->password_hash);
    memset(u, 0, sizeof *u);
}

void lk_note_clear(lk_note_t *n)
{
    if (!n)
        return;
    free(n->author_name);
    free(n->text);
    memset(n, 0, sizeof *n);
}

void lk_notes_free(lk_note_t *notes, size_t n)
{
    if (!notes)
        return;
    for (size_t i = 0; i < n; i++)
        lk_note_clear(&notes[i]);
    free(notes);
}

void lk_callback_clear(lk_callback_t *c)
{
    if (!c)
        return;
    free(c->contact);
    free(c->text);
    memset(c, 0, sizeof *c);
}

void lk_callbacks_free(lk_callback_t *cbs, size_t n)
{
    if (!cbs)
        return;
    for (size_t i = 0; i < n; i++)
        lk_callback_clear(&cbs[i]);
    free(cbs);
}

void lk_users_free(lk_user_t *users, size_t n)
{
    if (!users)
        return;
    for (size_t i = 0; i < n; i++)
        lk_user_clear(&users[i]);
    free(users);
}

/* ---- errors ------------------------------------------------------------ */

/* Maps an SQLite result code to an LK_E... code and logs the unexpected
 * ones. what names the operation (never data). */
int lk_sq_error(lk_store_t *st, int rc, const char *what)
{
    switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
        LK_DEBUG("store", "%s: %s", what, sqlite3_errmsg(st->db));
        return LK_EEXIST;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
        LK_DEBUG("store", "%s: %s", what, sqlite3_errmsg(st->db));
        return LK_ENOENT;
    default:
        break;
    }
    LK_ERROR("store", "%s: %s (sqlite %d)", what, sqlite3_errmsg(st->db), rc);
    if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
        return LK_EBUSY;
    return LK_EDB;
}

/* ---- statements -------------------------------------------------------- */

/* The prepared statement id, ready for binding. */
static sqlite3_stmt *stmt(lk_store_t *st, int id)
{
    return st->stmts[id];
}

sqlite3 *lk_sq_db(lk_store_t *st)
{
    return st->db;
}

sqlite3_stmt *lk_sq_prepare(lk_store_t *st, const char *sql, const char *what)
{
    for (size_t i = 0; i < st->n_lazy; i++)
        if (st->lazy[i].sql == sql)
            return st->lazy[i].stmt;
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL);
    if (rc != SQLITE_OK) {
        lk_sq_error(st, rc, what);
        return NULL;
    }
    if (st->n_lazy == st->cap_lazy) {
        st->cap_lazy = st->cap_lazy ? st->cap_lazy * 2 : 32;
        st->lazy = lk_xrealloc(st->lazy, st->cap_lazy * sizeof *st->lazy);
    }
    st->lazy[st->n_lazy++] = (lazy_stmt_t){sql, s};
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
    int rc = sqlite3_step(s);
    int err = 0;
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        err = lk_sq_error(st, rc, what);
    lk_sq_done(s);
    return err;
}

/* Steps s to its first row: 1 for a row (the caller reads it, then calls
 * stmt_done), 0 for none (s is reset), or an error (s is reset). */
int lk_sq_row(lk_store_t *st, sqlite3_stmt *s, const char *what)
{
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        return 1;
    int err = rc == SQLITE_DONE ? 0 : lk_sq_error(st, rc, what);
    lk_sq_done(s);
    return err;
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

/* Binds a row limit; 0 means none (SQLite: LIMIT -1). */
void lk_sq_bind_limit(sqlite3_stmt *s, int i, size_t limit)
{
    sqlite3_bind_int64(s, i, limit == 0 || limit > (size_t)INT64_MAX ? -1 : (int64_t)limit);
}

/* Copies a text column into a fixed array ("" for NULL). */
void lk_sq_col_fixed(sqlite3_stmt *s, int i, char *dst, size_t size)
{
    const unsigned char *v = sqlite3_column_text(s, i);
    snprintf(dst, size, "%s", v ? (const char *)v : "");
}

/* A heap copy of a text column, NULL for SQL NULL. */
char *lk_sq_col_dup(sqlite3_stmt *s, int i)
{
    const unsigned char *v = sqlite3_column_text(s, i);
    if (!v)
        return NULL;
    return lk_xstrndup((const char *)v, (size_t)sqlite3_column_bytes(s, i));
}

/* True when v is a NUL-terminated string within size bytes. */
static bool fixed_ok(const char *v, size_t size)
{
    return memchr(v, '\0', size) != NULL;
}
#define FIXED_OK(field) fixed_ok((field), sizeof(field))

/* ---- life cycle -------------------------------------------------------- */

/* mkdir -p with mode 0700 for the directories it creates. */
static int make_dirs(const char *dir)
{
    size_t len = strlen(dir);
    char *path = lk_xstrndup(dir, len);
    int err = 0;
    for (size_t i = 1; i <= len; i++) {
        if (path[i] != '/' && path[i] != '\0')
            continue;
        char saved = path[i];
        path[i] = '\0';
        if (mkdir(path, 0700) != 0 && errno != EEXIST) {
            LK_ERROR("store", "cannot create directory %s: %s", path, strerror(errno));
            err = LK_EIO;
            break;
        }
        path[i] = saved;
    }
    free(path);
    if (err)
        return err;
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        LK_ERROR("store", "%s is not a directory", dir);
        return LK_EIO;
    }
    return 0;
}

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
    int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return lk_sq_error(st, rc, what);
    return 0;
}

int lk_store_set_autocheckpoint(lk_store_t *st, bool on)
{
    if (!st)
        return LK_EINVAL;
    int rc = sqlite3_wal_autocheckpoint(st->db, on ? 1000 : 0);
    return rc == SQLITE_OK ? 0 : lk_sq_error(st, rc, "set_autocheckpoint");
}

int lk_store_checkpoint_truncate(lk_store_t *st)
{
    if (!st)
        return LK_EINVAL;
    /* Another connection's checkpoint (the server's watcher runs one every
     * second) makes this one fail at once with SQLITE_BUSY, without the busy
     * handler: try again until the busy timeout is used up. */
    int64_t deadline = lk_time_mono_ns() + (int64_t)BUSY_TIMEOUT_MS * 1000000;
    for (;;) {
        int log = 0, done = 0;
        int rc = sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, &log, &done);
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

int lk_store_checkpoint(lk_store_t *st, int64_t *pages_left)
{
    if (!st)
        return LK_EINVAL;
    int log = 0, done = 0;
    int rc = sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
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
    int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
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
        int rc = sqlite3_prepare_v2(st->db, "PRAGMA journal_mode=WAL", -1, &s, NULL);
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
            if (!sqlite3_get_autocommit(st->db))
                sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
            return err;
        }
        if (version == 0)
            *fresh = true;
        LK_INFO("store", "database schema migrated to version %lld", (long long)version + 1);
    }
}

int lk_store_open(const char *data_dir, lk_store_t **out, bool *created)
{
    if (!data_dir || !data_dir[0] || !out)
        return LK_EINVAL;
    *out = NULL;
    if (created)
        *created = false;
    int err = make_dirs(data_dir);
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
    lk_store_t *st = lk_xcalloc(1, sizeof *st);
    int rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        LK_ERROR("store", "cannot open %s: %s", path, st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
        lk_store_close(st);
        return LK_EIO;
    }
    sqlite3_extended_result_codes(st->db, 1);
    sqlite3_busy_timeout(st->db, BUSY_TIMEOUT_MS);

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
        rc = sqlite3_prepare_v3(st->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &st->stmts[i], NULL);
        if (rc != SQLITE_OK)
            err = lk_sq_error(st, rc, "open: prepare");
    }
    if (err) {
        lk_store_close(st);
        return err;
    }
    if (created)
        *created = fresh;
    *out = st;
    return 0;
}

void lk_store_close(lk_store_t *st)
{
    if (!st)
        return;
    for (int i = 0; i < S__COUNT; i++)
        sqlite3_finalize(st->stmts[i]);
    for (size_t i = 0; i < st->n_lazy; i++)
        sqlite3_finalize(st->lazy[i].stmt);
    free(st->lazy);
    for (size_t i = 0; i < sizeof st->conv_update / sizeof st->conv_update[0]; i++)
        sqlite3_finalize(st->conv_update[i]);
    for (size_t i = 0; i < st->n_savepoints; i++)
        sqlite3_finalize(st->savepoints[i].stmt);
    if (st->db) {
        if (!sqlite3_get_autocommit(st->db))
            sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        int rc = sqlite3_close(st->db);
        if (rc != SQLITE_OK)
            LK_ERROR("store", "close: %s", sqlite3_errstr(rc));
    }
    free(st);
}

int lk_store_schema_version(void)
{
    return (int)lk_store__n_migrations;
}

/* ---- transactions ------------------------------------------------------ */

int lk_store_begin(lk_store_t *st)
{
    if (!st)
        return LK_EINVAL;
    if (!sqlite3_get_autocommit(st->db))
        return LK_ESTATE;
    return lk_sq_exec(st, stmt(st, S_BEGIN), "begin");
}

int lk_store_commit(lk_store_t *st)
{
    if (!st)
        return LK_EINVAL;
    if (sqlite3_get_autocommit(st->db))
        return LK_ESTATE;
    int err = lk_sq_exec(st, stmt(st, S_COMMIT), "commit");
    if (err && !sqlite3_get_autocommit(st->db))
        lk_sq_exec(st, stmt(st, S_ROLLBACK), "rollback after failed commit");
    return err;
}

int lk_store_rollback(lk_store_t *st)
{
    if (!st)
        return LK_EINVAL;
    if (sqlite3_get_autocommit(st->db))
        return 0; /* nothing to undo (SQLite may have rolled back already) */
    return lk_sq_exec(st, stmt(st, S_ROLLBACK), "rollback");
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
    char sql[sizeof st->savepoints[0].sql];
    snprintf(sql, sizeof sql, "%s %s", verb, name);
    for (size_t i = 0; i < st->n_savepoints; i++)
        if (strcmp(st->savepoints[i].sql, sql) == 0)
            return lk_sq_exec(st, st->savepoints[i].stmt, verb);
    const size_t cap = sizeof st->savepoints / sizeof st->savepoints[0];
    sqlite3_stmt *s = NULL;
    if (st->n_savepoints == cap ||
        sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
        sqlite3_finalize(s);
        return lk_sq_exec_sql(st, sql, verb); /* reports the error, if any */
    }
    memcpy(st->savepoints[st->n_savepoints].sql, sql, sizeof sql);
    st->savepoints[st->n_savepoints++].stmt = s;
    return lk_sq_exec(st, s, verb);
}

int lk_store_savepoint(lk_store_t *st, const char *name)
{
    return savepoint_cmd(st, "SAVEPOINT", name);
}

int lk_store_release(lk_store_t *st, const char *name)
{
    return savepoint_cmd(st, "RELEASE SAVEPOINT", name);
}

int lk_store_rollback_to(lk_store_t *st, const char *name)
{
    return savepoint_cmd(st, "ROLLBACK TO SAVEPOINT", name);
}

/* ---- conversations ----------------------------------------------------- */

static bool conv_ok(const lk_conv_t *c)
{
    return c && FIXED_OK(c->id) && c->id[0] && FIXED_OK(c->token_hash) && FIXED_OK(c->status) && c->status[0] &&
           FIXED_OK(c->language) && FIXED_OK(c->handoff_reason) && FIXED_OK(c->assigned_to) &&
           FIXED_OK(c->channel) && FIXED_OK(c->client_hash);
}

/* Reads a CONV_COLS row into c. */
static void read_conv(sqlite3_stmt *s, lk_conv_t *c)
{
    memset(c, 0, sizeof *c);
    lk_sq_col_fixed(s, 0, c->id, sizeof c->id);
    lk_sq_col_fixed(s, 1, c->token_hash, sizeof c->token_hash);
    lk_sq_col_fixed(s, 2, c->status, sizeof c->status);
    lk_sq_col_fixed(s, 3, c->language, sizeof c->language);
    lk_sq_col_fixed(s, 4, c->handoff_reason, sizeof c->handoff_reason);
    c->created_at = sqlite3_column_int64(s, 5);
    c->updated_at = sqlite3_column_int64(s, 6);
    c->queued_at = sqlite3_column_int64(s, 7);
    c->assigned_at = sqlite3_column_int64(s, 8);
    c->closed_at = sqlite3_column_int64(s, 9);
    lk_sq_col_fixed(s, 10, c->assigned_to, sizeof c->assigned_to);
    c->next_seq = sqlite3_column_int64(s, 11);
    c->rating = sqlite3_column_int(s, 12);
    c->rating_comment = lk_sq_col_dup(s, 13);
    c->disposition = lk_sq_col_dup(s, 14);
    c->policy_state = lk_sq_col_dup(s, 15);
    c->customer_email = lk_sq_col_dup(s, 16);
    c->customer_external_id = lk_sq_col_dup(s, 17);
    c->customer_name = lk_sq_col_dup(s, 18);
    lk_sq_col_fixed(s, 19, c->channel, sizeof c->channel);
    lk_sq_col_fixed(s, 20, c->client_hash, sizeof c->client_hash);
    c->topic = lk_sq_col_dup(s, 21);
    c->customer_verified = sqlite3_column_int(s, 22) != 0;
}

/* Binds the mutable fields of c from index i on (the CONV_UPDATE order). */
static void bind_conv_mutable(sqlite3_stmt *s, int i, const lk_conv_t *c)
{
    lk_sq_bind_text(s, i++, c->status);
    lk_sq_bind_text(s, i++, c->language);
    lk_sq_bind_fixed(s, i++, c->handoff_reason);
    sqlite3_bind_int64(s, i++, c->updated_at);
    lk_sq_bind_opt_i64(s, i++, c->queued_at);
    lk_sq_bind_opt_i64(s, i++, c->assigned_at);
    lk_sq_bind_opt_i64(s, i++, c->closed_at);
    lk_sq_bind_fixed(s, i++, c->assigned_to);
    sqlite3_bind_int64(s, i++, c->next_seq);
    lk_sq_bind_opt_i64(s, i++, c->rating);
    lk_sq_bind_text(s, i++, c->rating_comment);
    lk_sq_bind_text(s, i++, c->disposition);
    lk_sq_bind_text(s, i, c->policy_state);
}

int lk_store_conv_insert(lk_store_t *st, const lk_conv_t *c)
{
    if (!st || !conv_ok(c))
        return LK_EINVAL;
    sqlite3_stmt *s = stmt(st, S_CONV_INSERT);
    lk_sq_bind_text(s, 1, c->id);
    lk_sq_bind_text(s, 2, c->token_hash);
    lk_sq_bind_text(s, 3, c->status);
    lk_sq_bind_text(s, 4, c->language);
    lk_sq_bind_fixed(s, 5, c->handoff_reason);
    sqlite3_bind_int64(s, 6, c->created_at);
    sqlite3_bind_int64(s, 7, c->updated_at);
    lk_sq_bind_opt_i64(s, 8, c->queued_at);
    lk_sq_bind_opt_i64(s, 9, c->assigned_at);
    lk_sq_bind_opt_i64(s, 10, c->closed_at);
    lk_sq_bind_fixed(s, 11, c->assigned_to);
    sqlite3_bind_int64(s, 12, c->next_seq);
    lk_sq_bind_opt_i64(s, 13, c->rating);
    lk_sq_bind_text(s, 14, c->rating_comment);
    lk_sq_bind_text(s, 15, c->disposition);
    lk_sq_bind_text(s, 16, c->policy_state);
    lk_sq_bind_text(s, 17, c->customer_email);
    lk_sq_bind_text(s, 18, c->customer_external_id);
    lk_sq_bind_text(s, 19, c->customer_name);
    lk_sq_bind_fixed(s, 20, c->channel);
    lk_sq_bind_fixed(s, 21, c->client_hash);
    lk_sq_bind_text(s, 22, c->topic);
    sqlite3_bind_int(s, 23, c->customer_verified ? 1 : 0);
    return lk_sq_exec(st, s, "conv_insert");
}

int lk_store_conv_get(lk_store_t *st, const char *id, lk_conv_t *out)
{
    if (!st || !id || !out)
        return LK_EINVAL;
    sqlite3_stmt *s = stmt(st, S_CONV_GET);
    lk_sq_bind_text(s, 1, id);
    int r = lk_sq_row(st, s, "conv_get");
    if (r <= 0)
        return r < 0 ? r : LK_ENOENT;
    read_conv(s, out);
    lk_sq_done(s);
    return 0;
}

/* The UPDATE for the indexed columns in mask (bits CI_...): the others are
 * always set. Parameters by number, the same for every mask. */
static sqlite3_stmt *conv_update_stmt(lk_store_t *st, unsigned mask)
{
    if (st->conv_update[mask])
        return st->conv_update[mask];
    static const char *const indexed[CI__COUNT] = {
        [CI_STATUS] = "status = ?1",       [CI_UPDATED_AT] = "updated_at = ?4",
        [CI_QUEUED_AT] = "queued_at = ?5", [CI_ASSIGNED_AT] = "assigned_at = ?6",
        [CI_CLOSED_AT] = "closed_at = ?7", [CI_ASSIGNED_TO] = "assigned_to = ?8",
    };
    lk_buf_t sql;
    lk_buf_init(&sql, 1024); /* the longest (every column) is under 400 bytes */
    int rc = lk_buf_append_cstr(&sql, "UPDATE conversations SET language = ?2, handoff_reason = ?3, next_seq = ?9, "
                                      "rating = ?10, rating_comment = ?11, disposition = ?12, policy_state = ?13");
    for (int i = 0; i < CI__COUNT && rc == 0; i++)
        if (mask & (1u << i))
            rc = lk_buf_printf(&sql, ", %s", indexed[i]);
    if (rc == 0)
        rc = lk_buf_append_cstr(&sql, " WHERE id = ?14");
    if (rc == 0)
        rc = sqlite3_prepare_v3(st->db, sql.data, -1, SQLITE_PREPARE_PERSISTENT, &st->conv_update[mask], NULL);
    else
        rc = SQLITE_TOOBIG;
    lk_buf_free(&sql);
    if (rc != SQLITE_OK) {
        lk_sq_error(st, rc, "conv_update: prepare");
        sqlite3_finalize(st->conv_update[mask]);
        st->conv_update[mask] = NULL;
    }
    return st->conv_update[mask];
}

int lk_store_conv_update(lk_store_t *st, const lk_conv_t *c)
{
    if (!st || !conv_ok(c))
        return LK_EINVAL;
    /* which indexed columns change (the row's page is in the cache: the
     * caller has just read it) */
    sqlite3_stmt *s = stmt(st, S_CONV_INDEXED);
    lk_sq_bind_text(s, 1, c->id);
    int rc = lk_sq_row(st, s, "conv_update: read");
    if (rc != 1)
        return rc == 0 ? LK_ENOENT : rc;
    char assigned_to[LK_ID_MAX];
    lk_sq_col_fixed(s, CI_ASSIGNED_TO, assigned_to, sizeof assigned_to);
    unsigned mask = 0;
    const char *status = (const char *)sqlite3_column_text(s, CI_STATUS);
    if (!status || strcmp(status, c->status) != 0)
        mask |= 1u << CI_STATUS;
    if (sqlite3_column_int64(s, CI_UPDATED_AT) != c->updated_at)
        mask |= 1u << CI_UPDATED_AT;
    if (sqlite3_column_int64(s, CI_QUEUED_AT) != c->queued_at)
        mask |= 1u << CI_QUEUED_AT;
    if (sqlite3_column_int64(s, CI_ASSIGNED_AT) != c->assigned_at)
        mask |= 1u << CI_ASSIGNED_AT;
    if (sqlite3_column_int64(s, CI_CLOSED_AT) != c->closed_at)
        mask |= 1u << CI_CLOSED_AT;
    if (strcmp(assigned_to, c->assigned_to) != 0)
        mask |= 1u << CI_ASSIGNED_TO;
    lk_sq_done(s);

    s = conv_update_stmt(st, mask);
    if (!s)
        return LK_EDB;
    bind_conv_mutable(s, 1, c);
    lk_sq_bind_text(s, 14, c->id);
    return lk_sq_exec(st, s, "conv_update");
}

/* Reads every row of s (bound by the caller) into a conversation array. */
static int read_convs(lk_store_t *st, sqlite3_stmt *s, const char *what, lk_conv_t **out, size_t *n)
{
    lk_conv_t *v = NULL;
    size_t len = 0, cap = 0;
    int rc, err = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (len == cap) {
            cap = cap ? cap * 2 : 8;
            v = lk_xrealloc(v, cap * sizeof *v);
        }
        read_conv(s, &v[len++]);
    }
    if (rc != SQLITE_DONE)
        err = lk_sq_error(st, rc, what);
    lk_sq_done(s);
    if (err) {
        lk_convs_free(v, len);
        return err;
    }
    *out = v;
    *n = len;
    return 0;
}

int lk_store_conv_list_queued(lk_store_t *st, size_t limit, lk_conv_t **out, size_t *n)
{
    if (!st || !out || !n)
        return LK_EINVAL;
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s = stmt(st, S_CONV_LIST_QUEUED);
    lk_sq_bind_limit(s, 1, limit);
    return read_convs(st, s, "conv_list_queued", out, n);
}

int lk_store_conv_list_assigned(lk_store_t *st, const char *user_id, size_t limit, lk_conv_t **out, size_t *n)
{
    if (!st || !user_id || !out || !n)
        return LK_EINVAL;
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s = stmt(st, S_CONV_LIST_ASSIGNED);
    lk_sq_bind_text(s, 1, user_id);
    lk_sq_bind_limit(s, 2, limit);
    return read_convs(st, s, "conv_list_assigned", out, n);
}

int lk_store_conv_queue_position(lk_store_t *st, const char *id, int64_t *pos)
{
    if (!st || !id || !pos)
        return LK_EINVAL;
    *pos = 0;
    sqlite3_stmt *s = stmt(st, S_CONV_QUEUE_STATE);
    lk_sq_bind_text(s, 1, id);
    int r = lk_sq_row(st, s, "conv_queue_position");
    if (r <= 0)
        return r < 0 ? r : LK_ENOENT;
    const unsigned char *status = sqlite3_column_text(s, 0);
    bool queued = status && strcmp((const char *)status, "queued") == 0;
    int64_t queued_at = sqlite3_column_int64(s, 1);
    lk_sq_done(s);
    if (!queued)
        return 0;
    s = stmt(st, S_CONV_QUEUE_RANK);
    sqlite3_bind_int64(s, 1, queued_at);
    sqlite3_bind_int64(s, 2, queued_at);
    lk_sq_bind_text(s, 3, id);
    r = lk_sq_row(st, s, "conv_queue_position");
    if (r <= 0)
        return r < 0 ? r : LK_EDB;
    *pos = sqlite3_column_int64(s, 0);
    lk_sq_done(s);
    return 0;
}

/* ---- messages ---------------------------------------------------------- */

/* The choices as the JSON text the column holds; NULL when none. */
static char *choices_to_json(const lk_msg_t *m)
{
    if (!m->choices || m->n_choices == 0)
        return NULL;
    json_t *arr = json_array();
    for (size_t i = 0; i < m->n_choices; i++)
        json_array_append_new(arr, json_pack("{s:s, s:s}", "article_id",
                                             m->choices[i].article_id ? m->choices[i].article_id : "", "title",
                                             m->choices[i].title ? m->choices[i].title : ""));
    char *text = json_dumps(arr, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(arr);
    if (!text)
        abort(); /* only on allocation failure */
    return text;
}

/* Reads the choices column; what is not a list of {article_id, title} is
 * read as no choices. */
static void choices_from_json(const char *text, lk_msg_t *m)
{
    if (!text)
        return;
    json_t *arr = json_loads(text, 0, NULL);
    size_t n = json_is_array(arr) ? json_array_size(arr) : 0;
    if (n > 0) {
        m->choices = lk_xcalloc(n, sizeof *m->choices);
        for (size_t i = 0; i < n; i++) {
            json_t *o = json_array_get(arr, i);
            const char *id = json_string_value(json_object_get(o, "article_id"));
            const char *title = json_string_value(json_object_get(o, "title"));
            if (!id)
                continue;
            m->choices[m->n_choices].article_id = lk_xstrdup(id);
            m->choices[m->n_choices].title = lk_xstrdup(title ? title : id);
            m->n_choices++;
        }
    }
    json_decref(arr);
}

int lk_store_msg_insert(lk_store_t *st, const lk_msg_t *m)
{
    if (!st || !m || !FIXED_OK(m->id) || !m->id[0] || !FIXED_OK(m->conversation_id) || !m->conversation_id[0] ||
        !FIXED_OK(m->sender) || !m->sender[0] || !FIXED_OK(m->author_id) || !m->text || !FIXED_OK(m->provenance) ||
        !FIXED_OK(m->outcome))
        return LK_EINVAL;
    sqlite3_stmt *s = stmt(st, S_MSG_INSERT);
    lk_sq_bind_text(s, 1, m->id);
    lk_sq_bind_text(s, 2, m->conversation_id);
    sqlite3_bind_int64(s, 3, m->seq);
    lk_sq_bind_text(s, 4, m->sender);
    sqlite3_bind_int(s, 5, m->automated ? 1 : 0);
    lk_sq_bind_text(s, 6, m->text);
    sqlite3_bind_int64(s, 7, m->created_at);
    lk_sq_bind_text(s, 8, m->article_id);
    if (m->has_confidence)
        sqlite3_bind_double(s, 9, m->confidence);
    else
        sqlite3_bind_null(s, 9);
    lk_sq_bind_fixed(s, 10, m->author_id);
    lk_sq_bind_text(s, 11, m->author_name);
    lk_sq_bind_fixed(s, 12, m->provenance);
    lk_sq_bind_text(s, 13, m->suggestion_article_id);
    lk_sq_bind_fixed(s, 14, m->outcome);
    lk_sq_bind_text(s, 15, m->outcome_article_id);
    if (m->has_outcome_confidence)
        sqlite3_bind_double(s, 16, m->outcome_confidence);
    else
        sqlite3_bind_null(s, 16);
    char *choices = choices_to_json(m); /* bound without a copy: freed after the step */
    lk_sq_bind_text(s, 17, choices);
    sqlite3_bind_int(s, 18, m->chosen ? 1 : 0);
    int rc = lk_sq_exec(st, s, "msg_insert");
    free(choices);
    return rc;
}

/* Reads a MSG_COLS row into m. */
static void read_msg(sqlite3_stmt *s, lk_msg_t *m)
{
    memset(m, 0, sizeof *m);
    lk_sq_col_fixed(s, 0, m->id, sizeof m->id);
    lk_sq_col_fixed(s, 1, m->conversation_id, sizeof m->conversation_id);
    m->seq = sqlite3_column_int64(s, 2);
    lk_sq_col_fixed(s, 3, m->sender, sizeof m->sender);
    m->automated = sqlite3_column_int(s, 4) != 0;
    m->text = lk_sq_col_dup(s, 5);
    if (!m->text)
        m->text = lk_xstrdup("");
    m->created_at = sqlite3_column_int64(s, 6);
    m->article_id = lk_sq_col_dup(s, 7);
    m->has_confidence = sqlite3_column_type(s, 8) != SQLITE_NULL;
    m->confidence = m->has_confidence ? sqlite3_column_double(s, 8) : 0.0;
    lk_sq_col_fixed(s, 9, m->author_id, sizeof m->author_id);
    m->author_name = lk_sq_col_dup(s, 10);
    lk_sq_col_fixed(s, 11, m->provenance, sizeof m->provenance);
    m->suggestion_article_id = lk_sq_col_dup(s, 12);
    lk_sq_col_fixed(s, 13, m->outcome, sizeof m->outcome);
    m->outcome_article_id = lk_sq_col_dup(s, 14);
    m->has_outcome_confidence = sqlite3_column_type(s, 15) != SQLITE_NULL;
    m->outcome_confidence = m->has_outcome_confidence ? sqlite3_column_double(s, 15) : 0.0;
    choices_from_json((const char *)sqlite3_column_text(s, 16), m);
    m->chosen = sqlite3_column_int(s, 17) != 0;
}

/* Reads every row of s into a message array; reverse flips the order. */
static int read_msgs(lk_store_t *st, sqlite3_stmt *s, const char *what, bool reverse, lk_msg_t **out, size_t *n)
{
    lk_msg_t *v = NULL;
    size_t len = 0, cap = 0;
    int rc, err = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (len == cap) {
            cap = cap ? cap * 2 : 16;
            v = lk_xrealloc(v, cap * sizeof *v);
        }
        read_msg(s, &v[len++]);
    }
    if (rc != SQLITE_DONE)
        err = lk_sq_error(st, rc, what);
    lk_sq_done(s);
    if (err) {
        lk_msgs_free(v, len);
        return err;
    }
    for (size_t i = 0; reverse && i < len / 2; i++) {
        lk_msg_t tmp = v[i];
        v[i] = v[len - 1 - i];
        v[len - 1 - i] = tmp;
    }
    *out = v;
    *n = len;
    return 0;
}

int lk_store_msg_list(lk_store_t *st, const char *conversation_id, int64_t after_seq, size_t limit, lk_msg_t **out,
                      size_t *n)
{
    if (!st || !conversation_id || !out || !n)
        return LK_EINVAL;
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s = stmt(st, S_MSG_LIST);
    lk_sq_bind_text(s, 1, conversation_id);
    sqlite3_bind_int64(s, 2, after_seq);
    lk_sq_bind_limit(s, 3, limit);
    return read_msgs(st, s, "msg_list", false, out, n);
}

int lk_store_msg_list_recent(lk_store_t *st, const char *conversation_id, const char *sender, size_t limit,
                             lk_msg_t **out, size_t *n)
{
    if (!st || !conversation_id || !sender || !out || !n)
        return LK_EINVAL;
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s = stmt(st, S_MSG_RECENT);
    lk_sq_bind_text(s, 1, conversation_id);
    lk_sq_bind_text(s, 2, sender);
    lk_sq_bind_limit(s, 3, limit);
    return read_msgs(st, s, "msg_list_recent", true, out, n);
}

/* ---- knowledge base ---------------------------------------------------- */

/* Parses a JSON array of strings into a heap array; LK_EDB when the stored
 * text is not one. */
static int strv_from_json(const char *text, char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!text)
        return 0;
    json_t *arr = json_loads(text, 0, NULL);
    if (!arr || !json_is_array(arr)) {
        json_decref(arr);
        return LK_EDB;
    }
    size_t len = json_array_size(arr);
    char **v = len ? lk_xcalloc(len, sizeof *v) : NULL;
    for (size_t i = 0; i < len; i++) {
        const char *str = json_string_value(json_array_get(arr, i));
        v[i] = lk_xstrdup(str ? str : "");
    }
    json_decref(arr);
    *out = v;
    *n = len;
    return 0;
}

/* Knowledge management (store_sqlite_kbm.c) keeps the articles' history:
 * an import goes through it so every change gets its version row. */
int lk_store_kb_import(lk_store_t *st, const lk_kb_t *kb, bool replace, int64_t now)
{
    return lk_store_kb_import_as(st, kb, replace, NULL, now, NULL);
}

int lk_store_kb_load(lk_store_t *st, lk_kb_t *out)
{
    if (!st || !out)
        return LK_EINVAL;
    lk_kb_init(out);
    sqlite3_stmt *s = stmt(st, S_ARTICLE_LOAD);
    size_t cap = 0;
    int rc, err = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (out->n_articles == cap) {
            cap = cap ? cap * 2 : 32;
            out->articles = lk_xrealloc(out->articles, cap * sizeof *out->articles);
        }
        lk_article_t *a = &out->articles[out->n_articles++];
        memset(a, 0, sizeof *a);
        a->id = lk_sq_col_dup(s, 0);
        a->language = lk_sq_col_dup(s, 1);
        a->title = lk_sq_col_dup(s, 2);
        a->answer = lk_sq_col_dup(s, 4);
        a->url = lk_sq_col_dup(s, 5);
        /* the bot answers from an article's version in the customer's language */
        const char *group = (const char *)sqlite3_column_text(s, 7);
        if (group && *group)
            a->translation_group = lk_xstrdup(group);
        const char *q = (const char *)sqlite3_column_text(s, 3);
        err = strv_from_json(q, &a->questions, &a->n_questions);
        if (!err)
            err = strv_from_json((const char *)sqlite3_column_text(s, 6), &a->tags, &a->n_tags);
        if (err || !a->id || !a->language || !a->title || !a->answer) {
            LK_ERROR("store", "kb_load: malformed article row");
            err = LK_EDB;
            break;
        }
    }
    if (!err && rc != SQLITE_DONE)
        err = lk_sq_error(st, rc, "kb_load");
    lk_sq_done(s);
    if (err)
        lk_kb_free(out);
    return err;
}

int lk_store_kb_version(lk_store_t *st, int64_t *version)
{
    if (!st || !version)
        return LK_EINVAL;
    *version = 0;
    sqlite3_stmt *s = stmt(st, S_KB_VERSION_GET);
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

/* ---- users and sessions ------------------------------------------------ */

/* Lower-cases the ASCII letters of email into out; false when it does not fit. */
static bool lower_email(const char *email, char *out, size_t outsize)
{
    size_t len = strlen(email);
    if (len >= outsize)
        return false;
    for (size_t i = 0; i <= len; i++) {
        char ch = email[i];
        out[i] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
    }
    return true;
}

/* Reads a USER_COLS row into u. */
static void read_user(sqlite3_stmt *s, lk_user_t *u)
{
    memset(u, 0, sizeof *u);
    lk_sq_col_fixed(s, 0, u->id, sizeof u->id);
    lk_sq_col_fixed(s, 1, u->email, sizeof u->email);
    lk_sq_col_fixed(s, 2, u->role, sizeof u->role);
    u->display_name = lk_sq_col_dup(s, 3);
    u->password_hash = lk_sq_col_dup(s, 4);
    u->created_at = sqlite3_column_int64(s, 5);
    u->disabled = sqlite3_column_int(s, 6) != 0;
}

int lk_store_user_insert(lk_store_t *st, const lk_user_t *u)
{
    if (!st || !u || !FIXED_OK(u->id) || !u->id[0] || !FIXED_OK(u->email) || !u->email[0] || !FIXED_OK(u->role) ||
        !u->role[0])
        return LK_EINVAL;
    char email[sizeof u->email];
    lower_email(u->email, email, sizeof email);
    sqlite3_stmt *s = stmt(st, S_USER_INSERT);
    lk_sq_bind_text(s, 1, u->id);
    lk_sq_bind_text(s, 2, email);
    lk_sq_bind_text(s, 3, u->role);
    lk_sq_bind_text(s, 4, u->display_name);
    lk_sq_bind_text(s, 5, u->password_hash);
    sqlite3_bind_int64(s, 6, u->created_at);
    sqlite3_bind_int(s, 7, u->disabled ? 1 : 0);
    return lk_sq_exec(st, s, "user_insert");
}

/* Runs a one-row user query bound to key. */
static int user_get(lk_store_t *st, int id, const char *key, lk_user_t *out, const char *what)
{
    sqlite3_stmt *s = stmt(st, id);
    lk_sq_bind_text(s, 1, key);
    int r = lk_sq_row(st, s, what);
    if (r <= 0)
        return r < 0 ? r : LK_ENOENT;
    read_user(s, out);
    lk_sq_done(s);
    return 0;
}

int lk_store_user_get_by_email(lk_store_t *st, const char *email, lk_user_t *out)
{
    if (!st || !email || !out)
        return LK_EINVAL;
    char lower[sizeof out->email];
    if (!lower_email(email, lower, sizeof lower))
        return LK_ENOENT; /* longer than any stored address */
    return user_get(st, S_USER_GET_EMAIL, lower, out, "user_get_by_email");
}

int lk_store_user_get(lk_store_t *st, const char *id, lk_user_t *out)
{
    if (!st || !id || !out)
        return LK_EINVAL;
    return user_get(st, S_USER_GET, id, out, "user_get");
}

int lk_store_session_insert(lk_store_t *st, const lk_session_t *sess)
{
    if (!st || !sess || !FIXED_OK(sess->id_hash) || !sess->id_hash[0] || !FIXED_OK(sess->user_id) || !sess->user_id[0])
        return LK_EINVAL;
    sqlite3_stmt *s = stmt(st, S_SESSION_INSERT);
    lk_sq_bind_text(s, 1, sess->id_hash);
    lk_sq_bind_text(s, 2, sess->user_id);
    sqlite3_bind_int64(s, 3, sess->created_at);
    sqlite3_bind_int64(s, 4, sess->expires_at);
    return lk_sq_exec(st, s, "session_insert");
}

int lk_store_session_delete(lk_store_t *st, const char *id_hash)
{
    if (!st || !id_hash)
        return LK_EINVAL;
    sqlite3_stmt *s = stmt(st, S_SESSION_DELETE);
    lk_sq_bind_text(s, 1, id_hash);
    int err = lk_sq_exec(st, s, "session_delete");
    if (!err && sqlite3_changes(st->db) == 0)
        return LK_ENOENT;
    return err;
}

int lk_store_session_purge(lk_store_t *st, int64_t now, int64_t *deleted)
{
    if (deleted)
        *deleted = 0;
    if (!st)
        return LK_EINVAL;
    sqlite3_stmt *s = stmt(st, S_SESSION_PURGE);
    sqlite3_bind_int64(s, 1, now);
    int err = lk_sq_exec(st, s, "session_purge");
    if (!err && deleted)
        *deleted = sqlite3_changes64(st->db);
    return err;
}

/* ---- audit log --------------------------------------------------------- */

int lk_store_audit(lk_store_t *st, int64_t at, const char *actor, const char *action, const char *conversation_id,
                   const char *detail)
{
    if (!st || !actor || !actor[0] || !action || !action[0])
        return LK_EINVAL;
    sqlite3_stmt *s = stmt(st, S_AUDIT_INSERT);
    sqlite3_bind_int64(s, 1, at);
    lk_sq_bind_text(s, 2, actor);
    lk_sq_bind_text(s, 3, action);
    lk_sq_bind_text(s, 4, conversation_id);
    lk_sq_bind_text(s, 5, detail);
    return lk_sq_exec(st, s, "audit");
}

int lk_store_audit_count(lk_store_t *st, const char *action, int64_t *n)
{
    if (!st || !action || !n)
        return LK_EINVAL;
    *n = 0;
    sqlite3_stmt *s = stmt(st, S_AUDIT_COUNT);
    lk_sq_bind_text(s, 1, action);
    int r = lk_sq_row(st, s, "audit_count");
    if (r <= 0)
        return r < 0 ? r : LK_EDB;
    *n = sqlite3_column_int64(s, 0);
    lk_sq_done(s);
    return 0;
}

/* ---- added for the console, the policy and the widget (schema v2) ------ */

int lk_store_conv_list(lk_store_t *st, const char *status, const char *assigned_to, size_t limit, lk_conv_t **out,
                       size_t *n)
{
    if (!st || !out || !n)
        return LK_EINVAL;
    *out = NULL;
    *n = 0;
    /* One statement per combination of filters, so each can use its index
     * (an "? IS NULL OR status = ?" form would defeat them). */
    int id = status ? (assigned_to ? S_CONV_LIST_STATUS_USER : S_CONV_LIST_STATUS)
                    : (assigned_to ? S_CONV_LIST_USER : S_CONV_LIST_ALL);
    sqlite3_stmt *s = stmt(st, id);
    int i = 1;
    if (status)
        lk_sq_bind_text(s, i++, status);
    if (assigned_to)
        lk_sq_bind_text(s, i++, assigned_to);
    lk_sq_bind_limit(s, i, limit);
    return read_convs(st, s, "conv_list", out, n);
}

int lk_store_conv_count_queued(lk_store_t *st, int64_t *n)
{
    if (!st || !n)
        return LK_EINVAL;
    *n = 0;
    sqlite3_stmt *s = stmt(st, S_CONV_COUNT_QUEUED);
    int r = lk_sq_row(st, s, "conv_count_queued");
    if (r <= 0)
        return r < 0 ? r : LK_EDB;
    *n = sqlite3_column_int64(s, 0);
    lk_sq_done(s);
    return 0;
}

int lk_store_recent_waits(lk_store_t *st, int64_t since, size_t limit, int64_t **out, size_t *n)
{
    if (!st || !out || !n)
        return LK_EINVAL;
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s = stmt(st, S_RECENT_WAITS);
    sqlite3_bind_int64(s, 1, since);
    lk_sq_bind_limit(s, 2, limit);
    int64_t *v = NULL;
    size_t len = 0, cap = 0;
    int rc, err = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (len == cap) {
            cap = cap ? cap * 2 : 32;
            v = lk_xrealloc(v, cap * sizeof *v);
        }
        v[len++] = sqlite3_column_int64(s, 0);
    }
    if (rc != SQLITE_DONE)
        err = lk_sq_error(st, rc, "recent_waits");
    lk_sq_done(s);
    if (err) {
        free(v);
        return err;
    }
    *out = v;
    *n = len;
    return 0;
}

/* Reads a NOTE_COLS row into note. */
static void read_note(sqlite3_stmt *s, lk_note_t *note)
{
    memset(note, 0, sizeof *note);
    lk_sq_col_fixed(s, 0, note->id, sizeof note->id);
    lk_sq_col_fixed(s, 1, note->conversation_id, sizeof note->conversation_id);
    lk_sq_col_fixed(s, 2, note->author_id, sizeof note->author_id);
    note->author_name = lk_sq_col_dup(s, 3);
    note->text = lk_sq_col_dup(s, 4);
    if (!note->text)
        note->text = lk_xstrdup("");
    note->created_at = sqlite3_column_int64(s, 5);
}

int lk_store_note_insert(lk_store_t *st, const lk_note_t *note)
{
    if (!st || !note || !FIXED_OK(note->id) || !note->id[0] || !FIXED_OK(note->conversation_id) ||
        !note->conversation_id[0] || !FIXED_OK(note->author_id) || !note->text)
        return LK_EINVAL;
    sqlite3_stmt *s = stmt(st, S_NOTE_INSERT);
    lk_sq_bind_text(s, 1, note->id);
    lk_sq_bind_text(s, 2, note->conversation_id);
    lk_sq_bind_fixed(s, 3, note->author_id);
    lk_sq_bind_text(s, 4, note->author_name);
    lk_sq_bind_text(s, 5, note->text);
    sqlite3_bind_int64(s, 6, note->created_at);
    return lk_sq_exec(st, s, "note_insert");
}

int lk_store_note_list(lk_store_t *st, const char *conversation_id, lk_note_t **out, size_t *n)
{
    if (!st || !conversation_id || !out || !n)
        return LK_EINVAL;
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s = stmt(st, S_NOTE_LIST);
    lk_sq_bind_text(s, 1, conversation_id);
    lk_note_t *v = NULL;
    size_t len = 0, cap = 0;
    int rc, err = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (len == cap) {
            cap = cap ? cap * 2 : 8;
            v = lk_xrealloc(v, cap * sizeof *v);
        }
        read_note(s, &v[len++]);
    }
    if (rc != SQLITE_DONE)
        err = lk_sq_error(st, rc, "note_list");
    lk_sq_done(s);
    if (err) {
        lk_notes_free(v, len);
        return err;
    }
    *out = v;
    *n = len;
    return 0;
}

/* Reads a CALLBACK_COLS row into cb. */
static void read_callback(sqlite3_stmt *s, lk_callback_t *cb)
{
    memset(cb, 0, sizeof *cb);
    lk_sq_col_fixed(s, 0, cb->id, sizeof cb->id);
    lk_sq_col_fixed(s, 1, cb->conversation_id, sizeof cb->conversation_id);
    cb->contact = lk_sq_col_dup(s, 2);
    if (!cb->contact)
        cb->contact = lk_xstrdup("");
    cb->text = lk_sq_col_dup(s, 3);
    lk_sq_col_fixed(s, 4, cb->status, sizeof cb->status);
    cb->created_at = sqlite3_column_int64(s, 5);
    cb->handled_at = sqlite3_column_int64(s, 6);
    lk_sq_col_fixed(s, 7, cb->handled_by, sizeof cb->handled_by);
}

int lk_store_callback_insert(lk_store_t *st, const lk_callback_t *cb)
{
    if (!st || !cb || !FIXED_OK(cb->id) || !cb->id[0] || !FIXED_OK(cb->conversation_id) || !cb->contact ||
        !FIXED_OK(cb->status) || !cb->status[0] || !FIXED_OK(cb->handled_by))
        return LK_EINVAL;
    sqlite3_stmt *s = stmt(st, S_CALLBACK_INSERT);
    lk_sq_bind_text(s, 1, cb->id);
    lk_sq_bind_fixed(s, 2, cb->conversation_id);
    lk_sq_bind_text(s, 3, cb->contact);
    lk_sq_bind_text(s, 4, cb->text);
    lk_sq_bind_text(s, 5, cb->status);
    sqlite3_bind_int64(s, 6, cb->created_at);
    lk_sq_bind_opt_i64(s, 7, cb->handled_at);
    lk_sq_bind_fixed(s, 8, cb->handled_by);
    return lk_sq_exec(st, s, "callback_insert");
}

int lk_store_callback_list(lk_store_t *st, const char *status, size_t limit, lk_callback_t **out, size_t *n)
{
    if (!st || !out || !n)
        return LK_EINVAL;
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s = stmt(st, status ? S_CALLBACK_LIST_STATUS : S_CALLBACK_LIST_ALL);
    int i = 1;
    if (status)
        lk_sq_bind_text(s, i++, status);
    lk_sq_bind_limit(s, i, limit);
    lk_callback_t *v = NULL;
    size_t len = 0, cap = 0;
    int rc, err = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (len == cap) {
            cap = cap ? cap * 2 : 8;
            v = lk_xrealloc(v, cap * sizeof *v);
        }
        read_callback(s, &v[len++]);
    }
    if (rc != SQLITE_DONE)
        err = lk_sq_error(st, rc, "callback_list");
    lk_sq_done(s);
    if (err) {
        lk_callbacks_free(v, len);
        return err;
    }
    *out = v;
    *n = len;
    return 0;
}

int lk_store_callback_done(lk_store_t *st, const char *id, const char *user_id, int64_t now)
{
    if (!st || !id || !user_id || !user_id[0])
        return LK_EINVAL;
    sqlite3_stmt *s = stmt(st, S_CALLBACK_DONE);
    sqlite3_bind_int64(s, 1, now);
    lk_sq_bind_text(s, 2, user_id);
    lk_sq_bind_text(s, 3, id);
    int err = lk_sq_exec(st, s, "callback_done");
    if (!err && sqlite3_changes(st->db) == 0)
        return LK_ENOENT;
    return err;
}

int lk_store_feedback_set(lk_store_t *st, const char *conversation_id, const char *message_id, bool helpful,
                          int64_t now)
{
    if (!st || !conversation_id || !message_id)
        return LK_EINVAL;
    /* One statement: it inserts (or replaces) only when the message is in
     * that conversation, so no row changed means LK_ENOENT. */
    sqlite3_stmt *s = stmt(st, S_FEEDBACK_SET);
    sqlite3_bind_int(s, 1, helpful ? 1 : 0);
    sqlite3_bind_int64(s, 2, now);
    lk_sq_bind_text(s, 3, message_id);
    lk_sq_bind_text(s, 4, conversation_id);
    int err = lk_sq_exec(st, s, "feedback_set");
    if (!err && sqlite3_changes(st->db) == 0)
        return LK_ENOENT;
    return err;
}

int lk_store_feedback_get(lk_store_t *st, const char *message_id, int *helpful)
{
    if (!st || !message_id || !helpful)
        return LK_EINVAL;
    *helpful = -1;
    sqlite3_stmt *s = stmt(st, S_FEEDBACK_GET);
    lk_sq_bind_text(s, 1, message_id);
    int r = lk_sq_row(st, s, "feedback_get");
    if (r <= 0)
        return r;
    *helpful = sqlite3_column_int(s, 0) != 0 ? 1 : 0;
    lk_sq_done(s);
    return 0;
}

int lk_store_msg_get(lk_store_t *st, const char *message_id, lk_msg_t *out)
{
    if (!st || !message_id || !out)
        return LK_EINVAL;
    sqlite3_stmt *s = stmt(st, S_MSG_GET);
    lk_sq_bind_text(s, 1, message_id);
    int r = lk_sq_row(st, s, "msg_get");
    if (r <= 0)
        return r < 0 ? r : LK_ENOENT;
    read_msg(s, out);
    lk_sq_done(s);
    return 0;
}

int lk_store_msg_last_choices(lk_store_t *st, const char *conversation_id, lk_msg_t *out)
{
    if (!st || !conversation_id || !out)
        return LK_EINVAL;
    sqlite3_stmt *s = stmt(st, S_MSG_LAST_CHOICES);
    lk_sq_bind_text(s, 1, conversation_id);
    int r = lk_sq_row(st, s, "msg_last_choices");
    if (r <= 0)
        return r < 0 ? r : LK_ENOENT;
    read_msg(s, out);
    lk_sq_done(s);
    return 0;
}

int lk_store_user_list(lk_store_t *st, lk_user_t **out, size_t *n)
{
    if (!st || !out || !n)
        return LK_EINVAL;
    *out = NULL;
    *n = 0;
    /* USER_COLS_NO_HASH selects NULL in the hash's place: read_user leaves
     * password_hash NULL. */
    sqlite3_stmt *s = stmt(st, S_USER_LIST);
    lk_user_t *v = NULL;
    size_t len = 0, cap = 0;
    int rc, err = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (len == cap) {
            cap = cap ? cap * 2 : 8;
            v = lk_xrealloc(v, cap * sizeof *v);
        }
        read_user(s, &v[len++]);
    }
    if (rc != SQLITE_DONE)
        err = lk_sq_error(st, rc, "user_list");
    lk_sq_done(s);
    if (err) {
        lk_users_free(v, len);
        return err;
    }
    *out = v;
    *n = len;
    return 0;
}

int lk_store_session_count_users(lk_store_t *st, int64_t now, int64_t *n)
{
    if (!st || !n)
        return LK_EINVAL;
    *n = 0;
    sqlite3_stmt *s = stmt(st, S_SESSION_COUNT_USERS);
    sqlite3_bind_int64(s, 1, now);
    int r = lk_sq_row(st, s, "session_count_users");
    if (r <= 0)
        return r < 0 ? r : LK_EDB;
    *n = sqlite3_column_int64(s, 0);
    lk_sq_done(s);
    return 0;
}
