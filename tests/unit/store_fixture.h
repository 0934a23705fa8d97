/*
 * For the store's unit tests: a database in a fresh temporary directory,
 * opened before each test and removed after it. Include once per test
 * program; it defines `st` and the suite's init and fini functions:
 *
 *     #include "store_fixture.h"
 *     TestSuite(store_x, .init = store_fixture_setup, .fini = store_fixture_teardown);
 */
#ifndef LK_TEST_STORE_FIXTURE_H
#define LK_TEST_STORE_FIXTURE_H

#include "store/store.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char fixture_tmpdir[64];
static char fixture_datadir[128];
static lk_store_t *st;

static void store_fixture_setup(void)
{
    lk_log_set_level(getenv("LK_TEST_LOG") ? LK_LOG_DEBUG : LK_LOG_OFF);
    snprintf(fixture_tmpdir, sizeof fixture_tmpdir, "/tmp/loket-store-XXXXXX");
    cr_assert_not_null(mkdtemp(fixture_tmpdir));
    snprintf(fixture_datadir, sizeof fixture_datadir, "%s/data", fixture_tmpdir);
    cr_assert_eq(lk_store_open(fixture_datadir, &st, NULL), 0);
}

static void store_fixture_teardown(void)
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

#endif
