/*
 * The store tests' fixture: the one place that knows which backend the
 * suite runs against. Every test in tests/unit/store/ is written against
 * store.h only and reaches the database behind it through the functions
 * below, so that a second backend runs the same suite by adding its case
 * here (its location, how to make and remove a fresh database, and how to
 * run a query on it with a connection of its own).
 *
 * Today's backend: SQLite, in a fresh temporary data directory per test.
 * Include once per test program; it defines `st` and the suite's init and
 * fini functions:
 *
 *     #include "store_fixture.h"   (from tests/unit/store/; "store/store_fixture.h" from tests/unit/)
 *     TestSuite(store_x, .init = store_fixture_setup, .fini = store_fixture_teardown);
 */
#ifndef LK_TEST_STORE_FIXTURE_H
#define LK_TEST_STORE_FIXTURE_H

#include "store/store.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FIXTURE_FN static __attribute__((unused))

static char fixture_tmpdir[64];
static char fixture_datadir[128]; /* the location lk_store_open gets */
static char fixture_dbpath[160];  /* SQLite: the database file in it */
static lk_store_t *st;

/* Asserts that the list v of n records holds exactly the records whose
 * string member field is, in this order, each of the values listed:
 *
 *     store_assert_list(v, n, id, "c_b", "c_c");   (n == 2, v[0].id "c_b", v[1].id "c_c")
 */
#define store_assert_list(v, n, field, ...)                                                                            \
    do {                                                                                                               \
        const char *const want_[] = {__VA_ARGS__};                                                                     \
        size_t n_want_ = sizeof want_ / sizeof want_[0];                                                               \
        cr_assert_eq((n), n_want_, "%s: %zu records, not %zu", #v, (size_t)(n), n_want_);                              \
        for (size_t i_ = 0; i_ < n_want_; i_++)                                                                        \
            cr_assert_str_eq((v)[i_].field, want_[i_], "%s[%zu].%s", #v, i_, #field);                                  \
    } while (0)

/* A fresh, empty location; nothing opened (st NULL). */
FIXTURE_FN void store_fixture_init(void)
{
    lk_log_set_level(getenv("LK_TEST_LOG") ? LK_LOG_DEBUG : LK_LOG_OFF);
    snprintf(fixture_tmpdir, sizeof fixture_tmpdir, "/tmp/loket-store-XXXXXX");
    cr_assert_not_null(mkdtemp(fixture_tmpdir));
    snprintf(fixture_datadir, sizeof fixture_datadir, "%s/data", fixture_tmpdir);
    snprintf(fixture_dbpath, sizeof fixture_dbpath, "%s/loket.db", fixture_datadir);
    st = NULL;
}

/* A fresh database, opened as st: the open says it made it. */
FIXTURE_FN void store_fixture_setup(void)
{
    store_fixture_init();
    bool created = false;
    cr_assert_eq(lk_store_open(fixture_datadir, &st, &created), 0);
    cr_assert(created);
}

/* Closes st and removes the database. */
FIXTURE_FN void store_fixture_teardown(void)
{
    lk_store_close(st);
    st = NULL;
    static const char *const files[] = {"loket.db", "loket.db-wal", "loket.db-shm", "loket.db-journal", "loket.key"};
    char path[256];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", fixture_datadir, files[i]);
        unlink(path);
    }
    rmdir(fixture_datadir);
    rmdir(fixture_tmpdir);
}

/* ---- records the tests build --------------------------------------- */

/* A conversation that every backend accepts: status by name, in Dutch. */
FIXTURE_FN lk_conv_t store_fixture_conv(const char *id, const char *status, int64_t queued_at)
{
    lk_conv_t c;
    memset(&c, 0, sizeof c);
    snprintf(c.id, sizeof c.id, "%s", id);
    snprintf(c.token_hash, sizeof c.token_hash, "%064d", 7);
    lk_conv_status_parse(status, &c.status);
    snprintf(c.language, sizeof c.language, "nl");
    c.created_at = 1000;
    c.updated_at = 1000;
    c.queued_at = queued_at;
    c.next_seq = 1;
    return c;
}

/* A message of conv (text is borrowed, not copied). */
FIXTURE_FN lk_msg_t store_fixture_msg(const char *conv, int64_t seq, const char *sender, const char *text)
{
    lk_msg_t m;
    memset(&m, 0, sizeof m);
    snprintf(m.id, sizeof m.id, "m_%s_%lld", conv, (long long)seq);
    snprintf(m.conversation_id, sizeof m.conversation_id, "%s", conv);
    m.seq = seq;
    lk_sender_parse(sender, &m.sender);
    m.text = (char *)text;
    m.created_at = 2000 + seq;
    return m;
}

/* Asserts that a text field of a record read back is want: NULL when want
 * is NULL (an optional field not set), else the same text. */
FIXTURE_FN void store_fixture_text_eq(const char *got, const char *want, const char *field)
{
    if (!want)
        cr_assert_null(got, "%s: %s, expected NULL", field, got);
    else
        cr_assert(got && strcmp(got, want) == 0, "%s: \"%s\", expected \"%s\"", field, got ? got : "(null)", want);
}

/* Asserts that a conversation read back holds every field of want. */
FIXTURE_FN void store_fixture_conv_eq(const lk_conv_t *got, const lk_conv_t *want)
{
    /* text fields have got and want, the numbers got_n and want_n */
#define FIXTURE_TEXT(f) {#f, got->f, want->f, 0, 0}
#define FIXTURE_NUMBER(f) {#f, NULL, NULL, got->f, want->f}
    const struct {
        const char *field, *got, *want;
        int64_t got_n, want_n;
    } fields[] = {
        {"status", lk_conv_status_name(got->status), lk_conv_status_name(want->status), 0, 0},
        FIXTURE_TEXT(id),
        FIXTURE_TEXT(token_hash),
        FIXTURE_TEXT(language),
        {"handoff_reason", lk_handoff_reason_name(got->handoff_reason), lk_handoff_reason_name(want->handoff_reason), 0,
         0},
        FIXTURE_TEXT(assigned_to),
        FIXTURE_TEXT(rating_comment),
        FIXTURE_TEXT(disposition),
        FIXTURE_TEXT(policy_state),
        FIXTURE_TEXT(customer_email),
        FIXTURE_TEXT(customer_external_id),
        FIXTURE_TEXT(customer_name),
        FIXTURE_TEXT(channel),
        FIXTURE_TEXT(client_hash),
        FIXTURE_TEXT(topic),
        FIXTURE_NUMBER(created_at),
        FIXTURE_NUMBER(updated_at),
        FIXTURE_NUMBER(queued_at),
        FIXTURE_NUMBER(assigned_at),
        FIXTURE_NUMBER(closed_at),
        FIXTURE_NUMBER(next_seq),
        FIXTURE_NUMBER(rating),
        FIXTURE_NUMBER(customer_verified),
    };
#undef FIXTURE_TEXT
#undef FIXTURE_NUMBER
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if (fields[i].got_n != fields[i].want_n)
            cr_assert_fail("%s: %lld, expected %lld", fields[i].field, (long long)fields[i].got_n,
                           (long long)fields[i].want_n);
        store_fixture_text_eq(fields[i].got, fields[i].want, fields[i].field);
    }
}

/* ---- the database behind the interface -------------------------- */

/* Runs SQL (portable: what every backend's schema understands) on the
 * database with a connection of its own: to set up rows the interface
 * cannot make, such as old data. */
FIXTURE_FN void store_fixture_exec(const char *sql)
{
    sqlite3 *db;
    cr_assert_eq(sqlite3_open(fixture_dbpath, &db), SQLITE_OK);
    char *err = NULL;
    cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, &err), SQLITE_OK, "%s: %s", sql, err ? err : "");
    sqlite3_free(err);
    sqlite3_close(db);
}

/* The first column of the first row of a query (a COUNT(*)), read with a
 * connection of its own: what is really stored. */
FIXTURE_FN int64_t store_fixture_count(const char *sql)
{
    sqlite3 *db;
    cr_assert_eq(sqlite3_open_v2(fixture_dbpath, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *s;
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(db));
    cr_assert_eq(sqlite3_step(s), SQLITE_ROW, "%s", sql);
    int64_t n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return n;
}

/* A query of store_fixture_count and the count it must give. */
typedef struct {
    const char *sql;
    int64_t n;
} store_fixture_expect_t;

/* Asserts each of the n expectations, naming the query that fails. */
FIXTURE_FN void store_fixture_expect_counts(const store_fixture_expect_t *e, size_t n)
{
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(store_fixture_count(e[i].sql), e[i].n, "%s", e[i].sql);
}

/* How many values in the whole database (every table, every column)
 * contain needle. */
FIXTURE_FN int64_t store_fixture_occurrences(const char *needle)
{
    sqlite3 *db;
    cr_assert_eq(sqlite3_open_v2(fixture_dbpath, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *tables;
    cr_assert_eq(sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table'", -1, &tables, NULL),
                 SQLITE_OK);
    int64_t found = 0;
    while (sqlite3_step(tables) == SQLITE_ROW) {
        char q[256];
        snprintf(q, sizeof q, "SELECT * FROM \"%s\"", (const char *)sqlite3_column_text(tables, 0));
        sqlite3_stmt *s;
        cr_assert_eq(sqlite3_prepare_v2(db, q, -1, &s, NULL), SQLITE_OK);
        while (sqlite3_step(s) == SQLITE_ROW)
            for (int i = 0; i < sqlite3_column_count(s); i++) {
                const char *v = (const char *)sqlite3_column_text(s, i);
                if (v && strstr(v, needle))
                    found++;
            }
        sqlite3_finalize(s);
    }
    sqlite3_finalize(tables);
    sqlite3_close(db);
    return found;
}

/* How often needle occurs in the raw bytes of the database's file on disk
 * (SQLite: loket.db), for what must be overwritten, not only unlinked. A
 * backend whose files the tests cannot read skips the test here. */
FIXTURE_FN int store_fixture_file_occurrences(const char *needle)
{
    FILE *f = fopen(fixture_dbpath, "rb");
    cr_assert_not_null(f);
    static char buf[4 << 20];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    int found = 0;
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(buf + i, needle, k) == 0)
            found++;
    return found;
}

#endif
