/*
 * The writer's group commit when its savepoint machinery fails: a real
 * writer pool on a real SQLite database in a temporary directory, with
 * failures injected through the writer's fault hook (lk_pool_set_fault).
 *
 * To make several jobs one group, a gate job holds the writer busy while the
 * test queues the group's jobs; the writer then takes them all at once.
 * Each test job writes a meta key, collects one event, and may fail; what is
 * committed is read back on a connection of its own, what is published is
 * recorded by the pool's publish hook.
 */
#include "runtime/runtime.h"

#include <pthread.h>
#include "test_tmp.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmpdir[64];
static char datadir[128];
static lk_pool_t *writer;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static char published[16][LK_ID_MAX];
static size_t n_published;
static bool gate_open;

typedef struct {
    lk_job_t job; /* first: the callbacks get &tj->job */
    const char *key;
    bool fail; /* the job fails on its own (rc set after writing) */
    bool ran;
    bool done;
    int done_rc;
} test_job_t;

static void publish(void *ud, lk_event_t *ev)
{
    (void)ud;
    pthread_mutex_lock(&mu);
    cr_assert_lt(n_published, sizeof published / sizeof published[0]);
    snprintf(published[n_published++], LK_ID_MAX, "%s", ev->topic);
    pthread_mutex_unlock(&mu);
    lk_event_release(ev);
}

static void job_run(lk_job_t *job, lk_store_t *st)
{
    test_job_t *tj = (test_job_t *)job;
    tj->ran = true;
    int rc = lk_store_meta_set(st, tj->key, "written");
    if (rc) {
        job->rc = rc;
        return;
    }
    lk_job_add_event(job, lk_event_new(tj->key, 1, lk_xstrdup("{}")));
    if (tj->fail)
        job->rc = LK_EINVAL;
}

static void job_done(lk_job_t *job)
{
    test_job_t *tj = (test_job_t *)job;
    pthread_mutex_lock(&mu);
    tj->done = true;
    tj->done_rc = job->rc;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
}

/* Holds the writer until open_gate(). */
static void gate_run(lk_job_t *job, lk_store_t *st)
{
    (void)job;
    (void)st;
    pthread_mutex_lock(&mu);
    while (!gate_open)
        pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
}

static void gate_done(lk_job_t *job)
{
    (void)job;
}

static test_job_t gate;

static void close_gate(void)
{
    gate_open = false;
    memset(&gate, 0, sizeof gate);
    gate.job.run = gate_run;
    gate.job.done = gate_done;
    lk_pool_submit(writer, &gate.job);
}

static void open_gate(void)
{
    pthread_mutex_lock(&mu);
    gate_open = true;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
}

static void job_make(test_job_t *tj, const char *key, bool fail)
{
    memset(tj, 0, sizeof *tj);
    tj->key = key;
    tj->fail = fail;
    tj->job.run = job_run;
    tj->job.done = job_done;
}

/* n jobs with the keys "a", "b", ... in jobs; the one at index failing (-1:
 * none) fails by itself. */
static void jobs_make(test_job_t *jobs, size_t n, long failing)
{
    static const char *const keys[] = {"a", "b", "c", "d"};
    cr_assert_leq(n, sizeof keys / sizeof keys[0]);
    for (size_t i = 0; i < n; i++)
        job_make(&jobs[i], keys[i], (long)i == failing);
}

/* Runs the jobs as one group (behind the gate) and waits until each is done. */
static void run_as_group(test_job_t *jobs, size_t n)
{
    close_gate();
    for (size_t i = 0; i < n; i++)
        lk_pool_submit(writer, &jobs[i].job);
    open_gate();
    pthread_mutex_lock(&mu);
    for (size_t i = 0; i < n; i++)
        while (!jobs[i].done)
            pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
}

static bool committed(const char *key)
{
    lk_store_t *st = NULL;
    cr_assert_eq(lk_store_open(datadir, &st, NULL), 0);
    char *value = NULL;
    int rc = lk_store_meta_get(st, key, &value);
    cr_assert(rc == 0 || rc == LK_ENOENT, "meta_get: %s", lk_strerror(rc));
    free(value);
    lk_store_close(st);
    return rc == 0;
}

static bool was_published(const char *topic)
{
    pthread_mutex_lock(&mu);
    bool found = false;
    for (size_t i = 0; i < n_published; i++)
        found = found || strcmp(published[i], topic) == 0;
    pthread_mutex_unlock(&mu);
    return found;
}

/* The fault hook: fails `op` for the job `job` (NULL: a group's rollback),
 * and also a group's rollback when also_rollback is set. */
static struct {
    lk_writer_op_t op;
    const lk_job_t *job;
    bool also_rollback;
    int hits;
} fault;

static int inject(void *ud, lk_writer_op_t op, const lk_job_t *job)
{
    (void)ud;
    if ((op == fault.op && job == fault.job) || (op == LK_WRITER_ROLLBACK && fault.also_rollback)) {
        fault.hits++;
        return LK_EDB;
    }
    return 0;
}

/* From now on the writer's op fails for job (and every rollback too when
 * also_rollback). */
static void fail_at(lk_writer_op_t op, const test_job_t *job, bool also_rollback)
{
    fault.op = op;
    fault.job = &job->job;
    fault.also_rollback = also_rollback;
    lk_pool_set_fault(writer, inject, NULL);
}

/* n jobs made by jobs_make run as one group, the writer failing at op for
 * the second of them. */
static void run_group_failing_at(test_job_t *jobs, size_t n, long failing, lk_writer_op_t op, bool also_rollback)
{
    jobs_make(jobs, n, failing);
    fail_at(op, &jobs[1], also_rollback);
    run_as_group(jobs, n);
}

static void setup(void)
{
    lk_log_set_level(getenv("LK_TEST_LOG") ? LK_LOG_DEBUG : LK_LOG_OFF);
    test_data_dir("writer", tmpdir, datadir);
    n_published = 0;
    memset(&fault, 0, sizeof fault);
    cr_assert_eq(lk_pool_start(LK_POOL_WRITER, 1, datadir, publish, NULL, &writer), 0);
}

static void teardown(void)
{
    lk_pool_stop(writer);
    writer = NULL;
    test_rm_tree(tmpdir);
}

TestSuite(writer, .init = setup, .fini = teardown, .timeout = 60);

Test(writer, requires_a_publish_hook)
{
    lk_pool_t *p = NULL;
    cr_assert_eq(lk_pool_start(LK_POOL_WRITER, 1, datadir, NULL, NULL, &p), LK_EINVAL);
}

Test(writer, a_failed_job_is_rolled_back_alone)
{
    test_job_t jobs[3];
    jobs_make(jobs, 3, 1);
    run_as_group(jobs, 3);
    cr_assert_eq(jobs[0].done_rc, 0);
    cr_assert_eq(jobs[1].done_rc, LK_EINVAL);
    cr_assert_eq(jobs[2].done_rc, 0);
    cr_assert(committed("a"));
    cr_assert_not(committed("b"));
    cr_assert(committed("c"));
    cr_assert(was_published("a"));
    cr_assert_not(was_published("b"));
    cr_assert(was_published("c"));
    cr_assert_eq(n_published, 2);
}

Test(writer, a_job_whose_savepoint_fails_fails_unrun)
{
    test_job_t jobs[3];
    run_group_failing_at(jobs, 3, -1, LK_WRITER_SAVEPOINT, false);
    cr_assert_eq(fault.hits, 1);
    cr_assert_not(jobs[1].ran);
    cr_assert_neq(jobs[1].done_rc, 0);
    cr_assert_not(committed("b"));
    cr_assert_not(was_published("b"));
    /* its neighbours are not affected */
    cr_assert_eq(jobs[0].done_rc, 0);
    cr_assert_eq(jobs[2].done_rc, 0);
    cr_assert(committed("a"));
    cr_assert(committed("c"));
    cr_assert(was_published("a"));
    cr_assert(was_published("c"));
}

/* After a doomed group the writer serves the next one. */
static void next_group_commits(void)
{
    lk_pool_set_fault(writer, NULL, NULL);
    size_t before = n_published;
    test_job_t next;
    job_make(&next, "next", false);
    run_as_group(&next, 1);
    cr_assert_eq(next.done_rc, 0);
    cr_assert(committed("next"));
    cr_assert(was_published("next"));
    cr_assert_eq(n_published, before + 1);
}

static void assert_group_failed(test_job_t *jobs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        cr_assert_neq(jobs[i].done_rc, 0, "job %s was acknowledged", jobs[i].key);
        cr_assert_not(committed(jobs[i].key), "job %s was committed", jobs[i].key);
    }
    cr_assert(!was_published("a") && !was_published("b") && !was_published("c") && !was_published("d"),
              "an event of a failed group was published");
}

Test(writer, a_failed_rollback_fails_the_whole_group)
{
    test_job_t jobs[4];
    run_group_failing_at(jobs, 4, 1, LK_WRITER_ROLLBACK_TO, false);
    cr_assert_eq(fault.hits, 1);
    assert_group_failed(jobs, 4);
    cr_assert_eq(jobs[0].done_rc, LK_EDB);
    cr_assert_eq(jobs[1].done_rc, LK_EINVAL); /* its own answer */
    cr_assert_not(jobs[2].ran, "a job after the failed rollback ran");
    cr_assert_not(jobs[3].ran);
    next_group_commits();
}

Test(writer, a_failed_release_fails_the_whole_group)
{
    test_job_t jobs[3];
    run_group_failing_at(jobs, 3, -1, LK_WRITER_RELEASE, false);
    cr_assert_eq(fault.hits, 1);
    assert_group_failed(jobs, 3);
    cr_assert(jobs[1].ran);
    cr_assert_not(jobs[2].ran);
    next_group_commits();
}

/* Even when the group's rollback fails too, its writes are never committed:
 * the next group's begin rolls the open transaction back first. */
Test(writer, a_failed_group_rollback_is_undone_before_the_next_group)
{
    test_job_t jobs[2];
    run_group_failing_at(jobs, 2, 1, LK_WRITER_ROLLBACK_TO, true);
    cr_assert_eq(fault.hits, 2);
    cr_assert_eq(jobs[0].done_rc, LK_EDB);
    cr_assert_eq(jobs[1].done_rc, LK_EINVAL);
    cr_assert_eq(n_published, 0);
    next_group_commits();
    assert_group_failed(jobs, 2);
}
