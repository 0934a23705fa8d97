/*
 * Unit tests of what only the SQLite backend has: the file and its WAL mode,
 * the indexes an update keeps right (SQLite's integrity check), the
 * migration of a version 1 database made by hand, and the tables that hold
 * conversation ids (read from SQLite's catalogue), the helpers of
 * sqlite_int.h that bind and run statements. The backend-neutral
 * suite is in the other files of tests/unit/store/.
 */
#include "store/store.h"
#include "store/store_int.h"
#include "store/sqlite/sqlite_int.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_fixture.h"

Test(store_sqlite, open_creates_then_reopens, .init = store_fixture_init, .fini = store_fixture_teardown)
{
    bool created = false;
    cr_assert_eq(lk_store_open(fixture_datadir, &st, &created), 0);
    cr_assert(created);
    struct stat sb;
    cr_assert_eq(stat(fixture_datadir, &sb), 0);
    cr_assert_eq(sb.st_mode & 0777, 0700);
    char path[256];
    snprintf(path, sizeof path, "%s/loket.db", fixture_datadir);
    cr_assert_eq(stat(path, &sb), 0);
    lk_store_close(st);
    st = NULL;

    created = true;
    cr_assert_eq(lk_store_open(fixture_datadir, &st, &created), 0);
    cr_assert_not(created);
    cr_assert_eq(lk_store_schema_version(), 7);

    /* The file really is in WAL mode with the schema version recorded. */
    sqlite3 *db;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *s;
    cr_assert_eq(sqlite3_prepare_v2(db, "SELECT version FROM schema_version", -1, &s, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_step(s), SQLITE_ROW);
    cr_assert_eq(sqlite3_column_int(s, 0), lk_store_schema_version());
    sqlite3_finalize(s);
    cr_assert_eq(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_step(s), SQLITE_ROW);
    cr_assert_str_eq((const char *)sqlite3_column_text(s, 0), "wal");
    sqlite3_finalize(s);
    sqlite3_close(db);
}

/* lk_store_conv_update names in its UPDATE only the indexed columns that
 * changed: any set of changes, in any order, leaves the row as written and
 * every index agreeing with the table (SQLite's integrity check compares
 * them), and the queries that go through those indexes see the change. */
Test(store_sqlite, conv_update_any_subset_keeps_indexes_right,
     .init = store_fixture_setup, .fini = store_fixture_teardown)
{
    enum { N = 12 };
    lk_conv_t want[N];
    for (int i = 0; i < N; i++) {
        char id[16];
        snprintf(id, sizeof id, "c_%02d", i);
        want[i] = store_fixture_conv(id, "bot", 0);
        cr_assert_eq(lk_store_conv_insert(st, &want[i]), 0);
    }
    static const char *const statuses[] = {"bot", "queued", "assigned", "closed"};
    static const char *const agents[] = {"", "u_a", "u_b"};
    unsigned seed = 42;
    for (int round = 0; round < 600; round++) {
        lk_conv_t *c = &want[rand_r(&seed) % N];
        unsigned change = (unsigned)rand_r(&seed) % 64; /* which of the six indexed fields */
        int64_t t = 2000 + round;
        if (change & 1)
            lk_conv_status_parse(statuses[rand_r(&seed) % 4], &c->status);
        if (change & 2)
            c->updated_at = t;
        if (change & 4)
            c->queued_at = rand_r(&seed) % 3 ? t : 0;
        if (change & 8)
            c->assigned_at = rand_r(&seed) % 3 ? t : 0;
        if (change & 16)
            c->closed_at = rand_r(&seed) % 3 ? t : 0;
        if (change & 32)
            snprintf(c->assigned_to, sizeof c->assigned_to, "%s", agents[rand_r(&seed) % 3]);
        c->next_seq++; /* and the unindexed ones every time */
        cr_assert_eq(lk_store_conv_update(st, c), 0);

        lk_conv_t g;
        cr_assert_eq(lk_store_conv_get(st, c->id, &g), 0);
        cr_assert_eq(g.status, c->status, "round %d", round);
        cr_assert_eq(g.updated_at, c->updated_at, "round %d", round);
        cr_assert_eq(g.queued_at, c->queued_at, "round %d", round);
        cr_assert_eq(g.assigned_at, c->assigned_at, "round %d", round);
        cr_assert_eq(g.closed_at, c->closed_at, "round %d", round);
        cr_assert_str_eq(g.assigned_to, c->assigned_to, "round %d", round);
        cr_assert_eq(g.next_seq, c->next_seq, "round %d", round);
        lk_conv_clear(&g);
    }
    /* the queue (status, queued_at index) holds exactly the queued ones */
    int64_t queued = 0, expect = 0;
    for (int i = 0; i < N; i++)
        expect += want[i].status == LK_CONV_QUEUED;
    cr_assert_eq(lk_store_conv_count_queued(st, &queued), 0);
    cr_assert_eq(queued, expect);

    sqlite3 *db;
    char path[256];
    snprintf(path, sizeof path, "%s/loket.db", fixture_datadir);
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *s;
    cr_assert_eq(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_step(s), SQLITE_ROW);
    cr_assert_str_eq((const char *)sqlite3_column_text(s, 0), "ok");
    sqlite3_finalize(s);
    sqlite3_close(db);
}

/* Runs sql on a raw connection, failing the test on error. */
static void raw_exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    cr_assert_eq(rc, SQLITE_OK, "%s: %s", sql, msg ? msg : "?");
    sqlite3_free(msg);
}

/* The first column of a one-row query on a raw connection, as an integer. */
static int64_t raw_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *s = NULL;
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK, "%s", sql);
    cr_assert_eq(sqlite3_step(s), SQLITE_ROW, "%s", sql);
    int64_t v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

Test(store_sqlite, migrates_version_1_to_2, .init = store_fixture_init, .fini = store_fixture_teardown)
{
    /* A database as loket with schema version 1 left it, with some data. */
    cr_assert_eq(mkdir(fixture_datadir, 0700), 0);
    char path[256];
    snprintf(path, sizeof path, "%s/loket.db", fixture_datadir);
    sqlite3 *db;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    raw_exec(db, "PRAGMA journal_mode=WAL");
    raw_exec(db, "BEGIN IMMEDIATE");
    raw_exec(db, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    raw_exec(db, lk_store__migrations[0]);
    raw_exec(db, "DELETE FROM schema_version; INSERT INTO schema_version VALUES (1)");
    raw_exec(db, "COMMIT");
    raw_exec(db, "INSERT INTO conversations (id, token_hash, status, language, created_at, updated_at, queued_at, "
                 "assigned_at, assigned_to, next_seq) "
                 "VALUES ('c_old', 'abcd', 'assigned', 'nl', 10, 20, 11, 15, 'u_old', 2)");
    raw_exec(db, "INSERT INTO messages (id, conversation_id, seq, sender, automated, text, created_at) "
                 "VALUES ('m_old', 'c_old', 1, 'bot', 1, 'oud antwoord', 12)");
    raw_exec(db, "INSERT INTO users (id, email, role, password_hash, created_at) "
                 "VALUES ('u_old', 'old@example.com', 'agent', 'secret-hash', 5)");
    raw_exec(db, "INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES ('ssss', 'u_old', 5, 100)");
    raw_exec(db, "UPDATE meta SET value = '7' WHERE key = 'kb_version'");
    cr_assert_eq(raw_int(db, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'notes'"), 0);
    sqlite3_close(db);

    bool created = true;
    cr_assert_eq(lk_store_open(fixture_datadir, &st, &created), 0);
    cr_assert_not(created);

    /* The old data is intact. */
    lk_conv_t c;
    cr_assert_eq(lk_store_conv_get(st, "c_old", &c), 0);
    cr_assert_str_eq(lk_conv_status_name(c.status), "assigned");
    cr_assert_str_eq(c.assigned_to, "u_old");
    cr_assert_eq(c.queued_at, 11);
    cr_assert_eq(c.next_seq, 2);
    lk_conv_clear(&c);
    lk_msg_t m;
    cr_assert_eq(lk_store_msg_get(st, "m_old", &m), 0);
    cr_assert_str_eq(m.text, "oud antwoord");
    lk_msg_clear(&m);
    lk_user_t u;
    cr_assert_eq(lk_store_user_get(st, "u_old", &u), 0);
    cr_assert_str_eq(u.password_hash, "secret-hash");
    lk_user_clear(&u);
    int64_t v = 0;
    cr_assert_eq(lk_store_kb_version(st, &v), 0);
    cr_assert_eq(v, 7);
    cr_assert_eq(lk_store_session_count_users(st, 50, &v), 0);
    cr_assert_eq(v, 1);

    /* The new tables work, also with rows that refer to the old ones. */
    lk_note_t note = {.id = "n_1", .conversation_id = "c_old", .author_id = "u_old", .text = (char *)"notitie",
                      .created_at = 30};
    cr_assert_eq(lk_store_note_insert(st, &note), 0);
    lk_note_t *notes;
    size_t n;
    cr_assert_eq(lk_store_note_list(st, "c_old", &notes, &n), 0);
    cr_assert_eq(n, 1);
    lk_notes_free(notes, n);
    lk_callback_t cb = {.id = "cb_1", .conversation_id = "c_old", .contact = (char *)"0612345678",
                        .status = LK_CALLBACK_OPEN, .created_at = 31};
    cr_assert_eq(lk_store_callback_insert(st, &cb), 0);
    int helpful = -2;
    cr_assert_eq(lk_store_feedback_set(st, "c_old", "m_old", true, 32), 0);
    cr_assert_eq(lk_store_feedback_get(st, "m_old", &helpful), 0);
    cr_assert_eq(helpful, 1);
    int64_t *waits;
    size_t nw;
    cr_assert_eq(lk_store_recent_waits(st, 0, 0, &waits, &nw), 0);
    cr_assert_eq(nw, 1);
    cr_assert_eq(waits[0], 4);
    free(waits);
    lk_store_close(st);
    st = NULL;

    /* One version row, the current one, and the new indexes exist. */
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    cr_assert_eq(raw_int(db, "SELECT COUNT(*) FROM schema_version"), 1);
    cr_assert_eq(raw_int(db, "SELECT version FROM schema_version"), lk_store_schema_version());
    cr_assert_eq(raw_int(db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN "
                             "('notes_conversation', 'callback_requests_status', 'conversations_status_updated', "
                             "'conversations_updated', 'conversations_assigned_at')"),
                 5);
    sqlite3_close(db);

    /* Opening again changes nothing. */
    cr_assert_eq(lk_store_open(fixture_datadir, &st, &created), 0);
    cr_assert_not(created);
    cr_assert_eq(lk_store_feedback_get(st, "m_old", &helpful), 0);
    cr_assert_eq(helpful, 1);
}

/* Every table that holds a conversation_id is one the privacy code knows
 * (a new one must be added to conv_tables[] in src/store/sqlite/privacy.c and
 * here). */
Test(store_sqlite, every_conversation_table_is_known, .init = store_fixture_setup, .fini = store_fixture_teardown)
{
    static const char *const known[] = {"messages",         "notes",          "callback_requests",
                                        "message_feedback", "answer_reviews", "audit_log",
                                        "conversation_identifiers"};
    sqlite3 *db;
    cr_assert_eq(sqlite3_open_v2(fixture_dbpath, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *s;
    cr_assert_eq(sqlite3_prepare_v2(db,
                                    "SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) p "
                                    "WHERE m.type = 'table' AND p.name = 'conversation_id'",
                                    -1, &s, NULL),
                 SQLITE_OK);
    int n = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(s, 0);
        bool ok = false;
        for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
            ok = ok || strcmp(known[i], t) == 0;
        cr_assert(ok, "table %s holds conversation ids: teach the privacy code about it", t);
        n++;
    }
    cr_assert_geq(n, 6);
    sqlite3_finalize(s);
    sqlite3_close(db);
}


/* ---- the operations table ------------------------------------------------ */

#include "store/backend.h"

/* Every member of a group struct is a function pointer: none may be NULL. */
static void all_set(const void *group, size_t size, const char *name)
{
    cr_assert_not_null(group, "group %s missing", name);
    const unsigned char *p = group;
    for (size_t off = 0; off + sizeof(void (*)(void)) <= size; off += sizeof(void (*)(void))) {
        void (*fn)(void);
        memcpy(&fn, p + off, sizeof fn);
        cr_assert_not_null(fn, "group %s: operation %zu is not set", name, off / sizeof fn);
    }
}

Test(store_sqlite, every_operation_is_set, .init = store_fixture_setup, .fini = store_fixture_teardown)
{
    const lk_store_ops_t *o = &lk_sq_ops;
    cr_assert_str_eq(o->name, "sqlite");
    cr_assert_not_null(o->close);
#define GROUP(g) all_set(o->g, sizeof *o->g, #g)
    GROUP(base);
    GROUP(conv);
    GROUP(users);
    GROUP(kb);
    GROUP(assist);
    GROUP(console);
    GROUP(insights);
    GROUP(privacy);
    GROUP(security);
    GROUP(analytics);
#undef GROUP
    cr_assert_eq(lk_store_backend(st), o->name, "a handle the SQLite backend opened uses its table");
}

/* lk_sq_prepare_bind binds one parameter per letter, each as its lk_sq_bind_*
 * function does: "" of a fixed array, 0 of an optional integer and NULL text
 * bind NULL, a limit of 0 binds -1 (no limit). */
static const char sql_bind_letters[] =
    "SELECT ?1, typeof(?2), typeof(?3), ?4, typeof(?5), typeof(?6), ?6, ?7, ?8, typeof(?9), ?9";

Test(store_sqlite, bind_by_format_letters, .init = store_fixture_setup, .fini = store_fixture_teardown)
{
    sqlite3_stmt *s = lk_sq_prepare_bind(st, sql_bind_letters, "bind_letters", "tftfoilno", "abc", "",
                                         (const char *)NULL, "x", (int64_t)0, (int64_t)0, (size_t)0, 1, (int64_t)42);
    cr_assert_not_null(s);
    cr_assert_eq(lk_sq_row(st, s, "bind_letters"), 1);
    cr_assert_str_eq(lk_sq_col_text(s, 0), "abc");
    cr_assert_str_eq(lk_sq_col_text(s, 1), "null", "empty fixed array");
    cr_assert_str_eq(lk_sq_col_text(s, 2), "null", "NULL text");
    cr_assert_str_eq(lk_sq_col_text(s, 3), "x");
    cr_assert_str_eq(lk_sq_col_text(s, 4), "null", "optional 0");
    cr_assert_str_eq(lk_sq_col_text(s, 5), "integer", "plain 0 stays 0");
    cr_assert_eq(sqlite3_column_int64(s, 6), 0);
    cr_assert_eq(sqlite3_column_int64(s, 7), -1, "limit 0: none");
    cr_assert_eq(sqlite3_column_int64(s, 8), 1);
    cr_assert_str_eq(lk_sq_col_text(s, 9), "integer");
    cr_assert_eq(sqlite3_column_int64(s, 10), 42);
    lk_sq_done(s);
    /* a statement that did not prepare runs as LK_EDB */
    cr_assert_eq(lk_sq_exec(st, NULL, "none"), LK_EDB);
}

/* The row runners: a statement that did not prepare (NULL) runs as LK_EDB
 * with empty outputs; lk_sq_find tells a row from none; lk_sq_each stops at
 * the first non-zero answer of its callback, returns it and resets the
 * statement, which then runs again from its first row. */
static const char sql_three_rows[] = "SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3";
static const char sql_if_yes[] = "SELECT 1 WHERE ?1 = 'yes'";

static int stop_at_two(sqlite3_stmt *s, void *ud)
{
    int64_t *seen = ud;
    *seen = sqlite3_column_int64(s, 0);
    return *seen == 2 ? 7 : 0;
}

Test(store_sqlite, row_runners, .init = store_fixture_setup, .fini = store_fixture_teardown)
{
    int64_t *v = (int64_t *)sql_three_rows; /* not NULL: the runner must clear it */
    size_t n = 5;
    cr_assert_eq(lk_sq_rows(st, NULL, "none", LK_SQ_ROW_I64, lk_sq_read_i64, &v, &n), LK_EDB);
    cr_assert_null(v);
    cr_assert_eq(n, 0);
    int64_t seen = 0;
    cr_assert_eq(lk_sq_each(st, NULL, "none", stop_at_two, &seen), LK_EDB);
    cr_assert_eq(seen, 0, "no callback without a statement");
    cr_assert_eq(lk_sq_row(st, NULL, "none"), LK_EDB);
    cr_assert_eq(lk_sq_find(st, NULL, "none"), LK_EDB);
    cr_assert_eq(lk_sq_one_i64(st, NULL, "none", &seen), LK_EDB);

    cr_assert_eq(lk_sq_each(st, lk_sq_prepare(st, sql_three_rows, "three"), "three", stop_at_two, &seen), 7);
    cr_assert_eq(seen, 2, "the walk stopped at the second row");
    cr_assert_eq(
        lk_sq_rows(st, lk_sq_prepare(st, sql_three_rows, "three"), "three", LK_SQ_ROW_I64, lk_sq_read_i64, &v, &n), 0);
    cr_assert_eq(n, 3, "the stopped walk left the statement reset");
    cr_assert_eq(v[0] + v[1] + v[2], 6);
    free(v);

    sqlite3_stmt *s = lk_sq_prepare_bind(st, sql_if_yes, "find", "t", "yes");
    cr_assert_eq(lk_sq_find(st, s, "find"), 0, "a row");
    lk_sq_done(s);
    s = lk_sq_prepare_bind(st, sql_if_yes, "find", "t", "no");
    cr_assert_eq(lk_sq_find(st, s, "find"), LK_ENOENT, "no row");
}
