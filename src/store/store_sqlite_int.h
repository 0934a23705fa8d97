/*
 * Internals of the SQLite backend shared by its files (store_sqlite.c and
 * the feature files store_sqlite_*.c). Never included from outside
 * src/store/.
 *
 * A feature file writes its statements as static const char arrays and runs
 * them through lk_sq_prepare(), which prepares each once per handle (keyed by
 * the array's address) and keeps it for the handle's life:
 *
 *     static const char sql_get[] = "SELECT text FROM canned WHERE id = ?1";
 *     sqlite3_stmt *s = lk_sq_prepare(st, sql_get, "canned_get");
 *     if (!s) return LK_EDB;
 *     lk_sq_bind_text(s, 1, id);
 *     int rc = lk_sq_row(st, s, "canned_get");   // 1 row, 0 none, or LK_E...
 *     if (rc == 1) { ...read columns...; lk_sq_done(s); }
 */
#ifndef LK_STORE_SQLITE_INT_H
#define LK_STORE_SQLITE_INT_H

#include "store/store.h"

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

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
/* Steps s to completion (no rows expected), then resets it. */
int lk_sq_exec(lk_store_t *st, sqlite3_stmt *s, const char *what);
/* Steps s to its first row: 1 for a row (the caller reads it, then steps on
 * with sqlite3_step or calls lk_sq_done), 0 for none (s is reset), or an
 * error (s is reset). */
int lk_sq_row(lk_store_t *st, sqlite3_stmt *s, const char *what);
/* Runs SQL without parameters. */
int lk_sq_exec_sql(lk_store_t *st, const char *sql, const char *what);

void lk_sq_bind_text(sqlite3_stmt *s, int i, const char *v);    /* NULL binds NULL */
void lk_sq_bind_fixed(sqlite3_stmt *s, int i, const char *v);   /* "" binds NULL */
void lk_sq_bind_opt_i64(sqlite3_stmt *s, int i, int64_t v);     /* 0 binds NULL */
void lk_sq_bind_limit(sqlite3_stmt *s, int i, size_t limit);    /* 0: no limit */
void lk_sq_col_fixed(sqlite3_stmt *s, int i, char *dst, size_t size); /* "" for NULL */
char *lk_sq_col_dup(sqlite3_stmt *s, int i);                    /* NULL for NULL */

#endif
