/*
 * Internals of the SQLite backend shared by its files (sqlite.c: the handle,
 * statements, life cycle and transactions; one file per feature: conv.c,
 * users.c, kbm.c, assist.c, ...). Never included from outside
 * src/store/sqlite/.
 *
 * A feature file writes its statements as static const char arrays and runs
 * them through lk_sq_prepare(), which prepares each once per handle (keyed by
 * the array's address) and keeps it for the handle's life:
 *
 *     static const char sql_get[] = "SELECT text FROM canned WHERE id = ?1";
 *     sqlite3_stmt *s = lk_sq_prepare_bind(st, sql_get, "canned_get", "t", id);
 *     if (!s) return LK_EDB;
 *     int rc = lk_sq_row(st, s, "canned_get");   // 1 row, 0 none, or LK_E...
 *     if (rc == 1) { ...read columns...; lk_sq_done(s); }
 */
#ifndef LK_STORE_SQLITE_INT_H
#define LK_STORE_SQLITE_INT_H

#include "store/backend.h"
#include "store/store.h"

#include <sqlite3.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

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
/* CONV_COLS with NULL (0) for all but a conversation's summary: id, status,
 * language, handoff_reason, created_at, updated_at, closed_at, disposition. */
#define CONV_COLS_SUMMARY                                                                                              \
    "id, NULL, status, language, handoff_reason, created_at, updated_at, NULL, NULL, closed_at, NULL, 0, 0, NULL, "    \
    "disposition, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0"
#define NOTE_COLS "id, conversation_id, author_id, author_name, text, created_at"
#define CALLBACK_COLS "id, conversation_id, contact, text, status, created_at, handled_at, handled_by"
/* CALLBACK_COLS without the customer's contact and text (NULL), for reports. */
#define CALLBACK_COLS_NO_TEXT "id, conversation_id, NULL, NULL, status, created_at, handled_at, handled_by"

/* The console's conversation list (newest change first) and the call-back
 * requests (oldest first), each under the filter where (one statement per
 * combination of filters, so that each uses its index). */
#define CONV_LIST(where) "SELECT " CONV_COLS " FROM conversations " where "ORDER BY updated_at DESC, id DESC LIMIT ?"
#define CALLBACK_LIST(where) "SELECT " CALLBACK_COLS " FROM callback_requests " where "ORDER BY created_at, id LIMIT ?"

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
    X(CONV_LIST_ALL, CONV_LIST(""))                                                                                    \
    X(CONV_LIST_STATUS, CONV_LIST("WHERE status = ? "))                                                                \
    X(CONV_LIST_USER, CONV_LIST("WHERE assigned_to = ? "))                                                             \
    X(CONV_LIST_STATUS_USER, CONV_LIST("WHERE status = ? AND assigned_to = ? "))                                       \
    X(CONV_COUNT_QUEUED, "SELECT COUNT(*) FROM conversations WHERE status = 'queued'")                                 \
    X(RECENT_WAITS, "SELECT assigned_at - queued_at FROM conversations WHERE assigned_at >= ? "                        \
                    "AND queued_at IS NOT NULL AND queued_at <= assigned_at ORDER BY assigned_at DESC, id DESC LIMIT ?") \
    X(NOTE_INSERT, "INSERT INTO notes (" NOTE_COLS ") VALUES (?,?,?,?,?,?)")                                           \
    X(NOTE_LIST, "SELECT " NOTE_COLS " FROM notes WHERE conversation_id = ? ORDER BY created_at, id")                  \
    X(CALLBACK_INSERT, "INSERT INTO callback_requests (" CALLBACK_COLS ") VALUES (?,?,?,?,?,?,?,?)")                   \
    X(CALLBACK_LIST_ALL, CALLBACK_LIST(""))                                                                            \
    X(CALLBACK_LIST_STATUS, CALLBACK_LIST("WHERE status = ? "))                                                        \
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

/* The SQLite handle: the store's handle (base, first) and the connection
 * with its prepared statements. SQ(st) reaches it from an lk_store_t. */
typedef struct lk_sq {
    lk_store_t base;
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
} lk_sq_t;
#define SQ(st) ((lk_sq_t *)(st))

/* True when v is a NUL-terminated string within size bytes. */
bool lk_sq_fixed_ok(const char *v, size_t size);
#define FIXED_OK(field) lk_sq_fixed_ok((field), sizeof(field))

/* The handle's statement id (S_...), prepared at open, ready for binding. */
sqlite3_stmt *lk_sq_stmt(lk_store_t *st, int id);

/* Each feature file's part of the operations table (backend.h), made from
 * the group's list: every operation <name> is the file's static sq_<name>,
 * e.g. const lk_store_conv_ops_t lk_sq_conv_ops = {LK_STORE_CONV_OPS(LK_SQ_OP_INIT)}; */
#define LK_SQ_OP_INIT(group, name, params, args) .name = sq_##name,
extern const lk_store_base_ops_t lk_sq_base_ops;
extern const lk_store_conv_ops_t lk_sq_conv_ops;
extern const lk_store_users_ops_t lk_sq_users_ops;
extern const lk_store_kb_ops_t lk_sq_kb_ops;
extern const lk_store_assist_ops_t lk_sq_assist_ops;
extern const lk_store_console_ops_t lk_sq_console_ops;
extern const lk_store_insights_ops_t lk_sq_insights_ops;
extern const lk_store_privacy_ops_t lk_sq_privacy_ops;
extern const lk_store_security_ops_t lk_sq_security_ops;
extern const lk_store_analytics_ops_t lk_sq_analytics_ops;
extern const lk_store_labelled_ops_t lk_sq_labelled_ops;


/* The handle's database connection. */
sqlite3 *lk_sq_db(lk_store_t *st);

/* The prepared statement for sql (a string with static storage: its address
 * is the cache key), reset and ready for binding; NULL after logging when it
 * does not prepare. */
sqlite3_stmt *lk_sq_prepare(lk_store_t *st, const char *sql, const char *what);

/* Maps an SQLite result code to an LK_E... code and logs the unexpected
 * ones. what names the operation (never data). */
int lk_sq_error(lk_store_t *st, int rc, const char *what);
/* Resets s for its next use (keeps no read transaction open). */
void lk_sq_done(sqlite3_stmt *s);
/* Steps s to completion (no rows expected), then resets it; LK_EDB when s is
 * NULL (a statement that did not prepare, see lk_sq_prepare_bind). */
int lk_sq_exec(lk_store_t *st, sqlite3_stmt *s, const char *what);
/* Steps s to its first row: 1 for a row (the caller reads it, then steps on
 * with sqlite3_step or calls lk_sq_done), 0 for none (s is reset), or an
 * error (s is reset); LK_EDB when s is NULL (it did not prepare, logged). */
int lk_sq_row(lk_store_t *st, sqlite3_stmt *s, const char *what);
/* lk_sq_row for a lookup that must find its row: 0 with the row ready (the
 * caller reads it, then calls lk_sq_done), LK_ENOENT for none, or an error:
 *
 *     sqlite3_stmt *s = lk_sq_prepare_bind(st, sql_get, "thing_get", "t", id);
 *     int rc = lk_sq_find(st, s, "thing_get");
 *     if (rc)
 *         return rc;
 *     ...read columns...;
 *     lk_sq_done(s);
 */
int lk_sq_find(lk_store_t *st, sqlite3_stmt *s, const char *what);
/* lk_sq_exec for an UPDATE or DELETE of one known row: LK_ENOENT when it
 * changed no row. */
int lk_sq_exec_changed(lk_store_t *st, sqlite3_stmt *s, const char *what);
/* lk_sq_exec that sets *changed (when not NULL) to the rows s changed. */
int lk_sq_exec_count(lk_store_t *st, sqlite3_stmt *s, const char *what, int64_t *changed);
/* Steps s (bound by the caller) to its end, handing each row to row(ud);
 * stops at the first non-zero answer of row() and returns it, else 0 or the
 * step's error. s is reset in every case; LK_EDB when s is NULL (it did not
 * prepare, logged). The one loop over a statement's rows: lk_sq_rows and
 * every streaming read go through it. */
int lk_sq_each(lk_store_t *st, sqlite3_stmt *s, const char *what, int (*row)(sqlite3_stmt *s, void *ud), void *ud);
/* The record types lk_sq_rows reads into arrays: each names the element's
 * size and what frees the heap parts of a row (sqlite.c's row_size and
 * rows_free). */
typedef enum {
    LK_SQ_ROW_I64,  /* an int64_t (lk_sq_read_i64) */
    LK_SQ_ROW_TEXT, /* a char * (lk_sq_read_text; the array frees with lk_strv_free) */
    LK_SQ_ROW_CONV,
    LK_SQ_ROW_MSG,
    LK_SQ_ROW_USER,
    LK_SQ_ROW_NOTE,
    LK_SQ_ROW_CALLBACK,
    LK_SQ_ROW_CANNED,
    LK_SQ_ROW_DRAFT,
    LK_SQ_ROW_ARTICLE,         /* lk_article_t */
    LK_SQ_ROW_ARTICLE_REC,     /* lk_article_rec_t */
    LK_SQ_ROW_ARTICLE_VERSION, /* lk_article_version_t */
    LK_SQ_ROW_GAP_MSG,
    LK_SQ_ROW_REVIEW,
    LK_SQ_ROW_REVIEW_COUNT,
    LK_SQ_ROW_REVIEW_PENDING,
    LK_SQ_ROW_AGENT_MSG_COUNT,
    LK_SQ_ROW_SECEVENT,
    LK_SQ_ROW_AUDIT,
    LK_SQ_ROW_LABELLED,       /* lk_labelled_t */
    LK_SQ_ROW_LABELLED_COUNT, /* lk_labelled_count_t */
} lk_sq_row_kind_t;
/* A row reader: reads the current row of s into row (a record of the
 * reader's kind, zeroed by lk_sq_rows and lk_sq_read_one); 0, or LK_EDB for a damaged row (what it read so far
 * stays in row for the kind's clear to free). */
typedef int (*lk_sq_reader_t)(sqlite3_stmt *s, void *row);
/* Steps s (bound by the caller) to its first row and reads it with read into
 * out, a record of kind that it zeroes first: 0, LK_ENOENT for no row (out
 * untouched), or an error (s is reset in every case). On a damaged row
 * (LK_EDB, logged) out holds what was read: the caller clears it. */
int lk_sq_read_one(lk_store_t *st, sqlite3_stmt *s, const char *what, lk_sq_row_kind_t kind, lk_sq_reader_t read,
                   void *out);
/* lk_sq_read_one for the common one-row lookup: binds key to ?1 first. s is
 * NULL when it did not prepare (lk_sq_prepare has logged): LK_EDB. */
int lk_sq_get_by_key(lk_store_t *st, sqlite3_stmt *s, const char *key, const char *what, lk_sq_row_kind_t kind,
                     lk_sq_reader_t read, void *out);
/* Steps s (bound by the caller) to its end, reading each row with read into
 * a new zeroed element of kind. out is the address of the caller's pointer
 * to records of kind (a T **, for T the kind's record type): it gets the
 * array (free() it, or the record type's lk_..._free; NULL when there are no
 * rows) and *n its length; 0. On an error (a step that fails, a damaged
 * row, or s NULL because it did not prepare: LK_EDB) what each element read
 * holds and the array are freed, s is reset, *out is NULL, *n 0, and the
 * result the LK_E... code. So a list operation is
 *
 *     sqlite3_stmt *s = lk_sq_prepare_bind(st, sql_list, "thing_list", "l", limit);
 *     return lk_sq_rows(st, s, "thing_list", LK_SQ_ROW_THING, read_thing, out, n);
 */
int lk_sq_rows(lk_store_t *st, sqlite3_stmt *s, const char *what, lk_sq_row_kind_t kind, lk_sq_reader_t read,
               void *out /* OUT */, size_t *n /* OUT */);
/* Reads a CONV_COLS row into row (an lk_conv_t), for lk_sq_rows. */
int lk_sq_read_conv(sqlite3_stmt *s, void *row);
/* Reads a CALLBACK_COLS row into row (an lk_callback_t), for lk_sq_rows;
 * contact and text as stored (NULL for NULL). */
int lk_sq_read_callback(sqlite3_stmt *s, void *row);
/* A row reader for lk_sq_rows: the first column as an int64_t. */
int lk_sq_read_i64(sqlite3_stmt *s, void *row);
/* A row reader for lk_sq_rows: the first column as a new string ("" for
 * NULL). */
int lk_sq_read_text(sqlite3_stmt *s, void *row);
/* Steps s to its one row (a COUNT(*)) and reads its first column into
 * *out; LK_EDB when there is no row or s is NULL. */
int lk_sq_one_i64(lk_store_t *st, sqlite3_stmt *s, const char *what, int64_t *out);
/* A copy of s with its ASCII letters in lower case (the form e-mail
 * addresses are stored and matched in); the caller frees it. */
char *lk_sq_lower_dup(const char *s);
/* Runs SQL without parameters. */
int lk_sq_exec_sql(lk_store_t *st, const char *sql, const char *what);

void lk_sq_bind_text(sqlite3_stmt *s, int i, const char *v);    /* NULL binds NULL */
void lk_sq_bind_fixed(sqlite3_stmt *s, int i, const char *v);   /* "" binds NULL */
void lk_sq_bind_opt_i64(sqlite3_stmt *s, int i, int64_t v);     /* 0 binds NULL */
void lk_sq_bind_limit(sqlite3_stmt *s, int i, size_t limit);    /* 0: no limit */
void lk_sq_bind_opt_double(sqlite3_stmt *s, int i, bool has, double v); /* !has binds NULL */
void lk_sq_col_fixed(sqlite3_stmt *s, int i, char *dst, size_t size); /* "" for NULL */
double lk_sq_col_opt_double(sqlite3_stmt *s, int i, bool *has);      /* 0.0 and !*has for NULL */
char *lk_sq_col_dup(sqlite3_stmt *s, int i);                    /* NULL for NULL */
const char *lk_sq_col_text(sqlite3_stmt *s, int i);             /* NULL for NULL; valid until the next step */

/* Binding by a format: each letter of fmt binds the next argument to the
 * next parameter (?1, ?2, ...), and the argument must have the letter's type:
 *   t  const char *  text, NULL binds NULL      (lk_sq_bind_text)
 *   f  const char *  fixed array, "" binds NULL (lk_sq_bind_fixed)
 *   i  int64_t       integer
 *   o  int64_t       optional integer, 0 binds NULL (lk_sq_bind_opt_i64)
 *   n  int           integer (flags, booleans)
 *   l  size_t        row limit, 0 for none     (lk_sq_bind_limit)
 * (a letter not listed aborts: it is a mistake in the caller's literal).
 * lk_sq_bind binds a statement the caller has (lk_sq_stmt); lk_sq_prepare_bind
 * prepares sql and binds it: NULL (logged) when it does not prepare, which
 * the lk_sq_exec functions take for LK_EDB, so that a statement without rows
 * runs in one line:
 *
 *     return lk_sq_exec(st, lk_sq_prepare_bind(st, sql_touch, "session_touch", "ti", id_hash, at),
 *                       "session_touch");
 */
void lk_sq_bind(sqlite3_stmt *s, const char *fmt, ...);
sqlite3_stmt *lk_sq_prepare_bind(lk_store_t *st, const char *sql, const char *what, const char *fmt, ...);

#endif
