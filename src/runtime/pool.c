/*
 * Worker pools: where everything that blocks runs, away from the event loops.
 *
 * The writer pool is a single thread with group commit: it takes every job
 * waiting, runs each in its own savepoint of one transaction, commits once
 * (one fsync for the whole group), publishes the jobs' events in commit
 * order (through the publish hook it was started with: the WebSocket hub in
 * the server), and only then hands each job back to its loop to answer the
 * client.
 * So nothing is acknowledged before it is durable, one bad job cannot spoil
 * its neighbours, and the fsync cost is shared under load.
 *
 * When the savepoint machinery itself fails, nothing half-done may reach the
 * commit: a job whose savepoint cannot be opened fails without running; a
 * job whose rollback-to or release fails dooms its whole group, whose
 * transaction is then rolled back, every job of it failed (none
 * acknowledged, no event of it published; the jobs not yet run do not run),
 * and the writer goes on with the next group (docs/architecture.md).
 *
 * Reader threads run read-only jobs on their own connections (WAL lets them
 * read while the writer writes); the CPU pool has no database and hashes
 * passwords.
 */
#define _GNU_SOURCE /* pthread_setname_np */
#include "runtime/runtime.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define MODULE "writer"
#define GROUP_MAX 128

struct lk_pool {
    lk_pool_kind_t kind;
    lk_pool_publish_fn publish;
    void *publish_ud;
    lk_pool_fault_fn fault; /* tests only (lk_pool_set_fault); read under mu */
    void *fault_ud;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    lk_job_t *head, *tail;
    bool stop;
    pthread_t *threads;
    size_t n_threads;
    char *data_dir;
    int start_rc;
    size_t started;
};

static void job_done_tramp(void *arg)
{
    lk_job_t *job = arg;
    job->done(job);
}

static void finish(lk_job_t *job)
{
    for (size_t i = 0; i < job->n_events; i++)
        lk_event_release(job->events[i]);
    free(job->events);
    job->events = NULL;
    job->n_events = 0;
    if (job->loop)
        lk_http_loop_call(job->loop, job_done_tramp, job);
    else
        job->done(job);
}

void lk_job_init(lk_job_t *job, lk_http_req_t *req, void (*run)(lk_job_t *job, lk_store_t *st),
                 void (*done)(lk_job_t *job))
{
    job->run = run;
    job->done = done;
    job->loop = lk_http_req_loop(req);
}

void lk_job_add_event(lk_job_t *job, lk_event_t *ev)
{
    job->events = lk_xrealloc(job->events, (job->n_events + 1) * sizeof *job->events);
    job->events[job->n_events++] = ev;
}

/* Takes up to max jobs off the queue, waiting for one; NULL when stopping
 * and empty. */
static lk_job_t *take(lk_pool_t *p, size_t max, lk_pool_fault_fn *fault /* OUT */, void **fault_ud /* OUT */)
{
    pthread_mutex_lock(&p->mu);
    while (!p->head && !p->stop)
        pthread_cond_wait(&p->cv, &p->mu);
    lk_job_t *first = p->head, *last = NULL;
    size_t n = 0;
    for (lk_job_t *j = p->head; j && n < max; j = j->next, n++)
        last = j;
    if (last) {
        p->head = last->next;
        if (!p->head)
            p->tail = NULL;
        last->next = NULL;
    }
    *fault = p->fault;
    *fault_ud = p->fault_ud;
    pthread_mutex_unlock(&p->mu);
    return first;
}

/* One savepoint operation of the writer, through the test-only fault hook
 * (job is NULL for the group's rollback). */
static int writer_op(lk_pool_fault_fn fault, void *fault_ud, lk_store_t *st, lk_writer_op_t op,
                     const lk_job_t *job)
{
    if (fault) {
        int rc = fault(fault_ud, op, job);
        if (rc)
            return rc;
    }
    switch (op) {
    case LK_WRITER_SAVEPOINT:
        return lk_store_savepoint(st, "job");
    case LK_WRITER_ROLLBACK_TO:
        return lk_store_rollback_to(st, "job");
    case LK_WRITER_RELEASE:
        return lk_store_release(st, "job");
    case LK_WRITER_ROLLBACK:
        return lk_store_rollback(st);
    }
    return LK_EINVAL;
}

static void drop_events(lk_job_t *job)
{
    for (size_t i = 0; i < job->n_events; i++)
        lk_event_release(job->events[i]);
    job->n_events = 0;
}

/* Begins the group's transaction. A transaction still open here is one whose
 * rollback failed in the group before: it is rolled back now, so that one
 * failed rollback does not fail every later group too. */
static int begin_group(lk_store_t *st)
{
    int rc = lk_store_begin(st);
    if (rc == LK_ESTATE) {
        LK_WARN(MODULE, "a transaction was still open; rolling it back");
        rc = lk_store_rollback(st);
        if (rc == 0)
            rc = lk_store_begin(st);
    }
    return rc;
}

static void run_group(lk_pool_t *p, lk_store_t *st, lk_job_t *group, lk_pool_fault_fn fault, void *fault_ud)
{
    for (lk_job_t *j = group; j; j = j->next)
        j->rc = 0;
    int rc = begin_group(st);
    if (rc) {
        LK_ERROR(MODULE, "cannot begin a transaction: %s", lk_strerror(rc));
        for (lk_job_t *j = group, *next; j; j = next) {
            next = j->next;
            j->rc = LK_EDB;
            finish(j);
        }
        return;
    }
    /* group_rc != 0: a rollback-to or release failed, so what the
     * transaction holds is no longer known to be only the good jobs'
     * writes; the whole group is rolled back and no further job runs. */
    int group_rc = 0;
    for (lk_job_t *j = group; j && group_rc == 0; j = j->next) {
        int sp = writer_op(fault, fault_ud, st, LK_WRITER_SAVEPOINT, j);
        if (sp) {
            LK_ERROR(MODULE, "cannot open a job's savepoint: %s; the job fails unrun", lk_strerror(sp));
            j->rc = sp;
            continue;
        }
        j->run(j, st);
        if (j->rc != 0) {
            drop_events(j); /* nothing happened: nothing to publish */
            int r = writer_op(fault, fault_ud, st, LK_WRITER_ROLLBACK_TO, j);
            if (r) {
                LK_ERROR(MODULE, "cannot roll back a failed job: %s; its whole group fails", lk_strerror(r));
                group_rc = r;
                break;
            }
        }
        int r = writer_op(fault, fault_ud, st, LK_WRITER_RELEASE, j);
        if (r) {
            LK_ERROR(MODULE, "cannot release a job's savepoint: %s; its whole group fails", lk_strerror(r));
            group_rc = r;
        }
    }
    if (group_rc) {
        rc = group_rc;
        int r = writer_op(fault, fault_ud, st, LK_WRITER_ROLLBACK, NULL);
        if (r) /* the next group's begin rolls it back (begin_group) */
            LK_ERROR(MODULE, "cannot roll back a failed group: %s", lk_strerror(r));
    } else {
        rc = lk_store_commit(st);
        if (rc) {
            LK_ERROR(MODULE, "commit failed: %s", lk_strerror(rc));
            lk_store_rollback(st);
        }
    }
    for (lk_job_t *j = group, *next; j; j = next) {
        next = j->next;
        if (rc && j->rc == 0)
            j->rc = LK_EDB;
        if (j->rc == 0)
            for (size_t i = 0; i < j->n_events; i++) {
                p->publish(p->publish_ud, j->events[i]);
                j->events[i] = NULL;
            }
        finish(j); /* releases the events of a job that failed with its group */
    }
}

static void *worker_main(void *arg)
{
    lk_pool_t *p = arg;
    lk_store_t *st = NULL;
    if (p->kind != LK_POOL_CPU) {
        int rc = lk_store_open(p->data_dir, &st, NULL);
        if (rc) {
            LK_ERROR(MODULE, "worker cannot open the database: %s", lk_strerror(rc));
            pthread_mutex_lock(&p->mu);
            p->start_rc = rc;
            p->started++;
            pthread_cond_broadcast(&p->cv);
            pthread_mutex_unlock(&p->mu);
            return NULL;
        }
    }
    if (p->kind == LK_POOL_WRITER) /* the watcher thread checkpoints (bot.c) */
        lk_store_set_autocheckpoint(st, false);
    pthread_mutex_lock(&p->mu);
    p->started++;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);

    for (;;) {
        lk_pool_fault_fn fault;
        void *fault_ud;
        lk_job_t *group = take(p, p->kind == LK_POOL_WRITER ? GROUP_MAX : 1, &fault, &fault_ud);
        if (!group)
            break;
        if (p->kind == LK_POOL_WRITER) {
            run_group(p, st, group, fault, fault_ud);
        } else {
            group->rc = 0;
            group->run(group, st);
            finish(group);
        }
    }
    lk_store_close(st);
    return NULL;
}

int lk_pool_start(lk_pool_kind_t kind, size_t threads, const char *data_dir, lk_pool_publish_fn publish,
                  void *publish_ud, lk_pool_t **out)
{
    if (kind == LK_POOL_WRITER && !publish)
        return LK_EINVAL;
    lk_pool_t *p = lk_xcalloc(1, sizeof *p);
    p->kind = kind;
    p->publish = publish;
    p->publish_ud = publish_ud;
    p->data_dir = lk_xstrdup(data_dir);
    p->n_threads = kind == LK_POOL_WRITER ? 1 : threads;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    p->threads = lk_xcalloc(p->n_threads, sizeof *p->threads);
    for (size_t i = 0; i < p->n_threads; i++)
    {
        pthread_create(&p->threads[i], NULL, worker_main, p);
        static const char *const names[] = {"loket-writer", "loket-reader", "loket-cpu"};
        pthread_setname_np(p->threads[i], names[kind]);
    }
    pthread_mutex_lock(&p->mu);
    while (p->started < p->n_threads)
        pthread_cond_wait(&p->cv, &p->mu);
    int rc = p->start_rc;
    pthread_mutex_unlock(&p->mu);
    if (rc) {
        lk_pool_stop(p);
        return rc;
    }
    *out = p;
    return 0;
}

void lk_pool_set_fault(lk_pool_t *p, lk_pool_fault_fn fault, void *ud)
{
    pthread_mutex_lock(&p->mu);
    p->fault = fault;
    p->fault_ud = ud;
    pthread_mutex_unlock(&p->mu);
}

void lk_pool_submit(lk_pool_t *p, lk_job_t *job)
{
    job->next = NULL;
    pthread_mutex_lock(&p->mu);
    if (p->tail)
        p->tail->next = job;
    else
        p->head = job;
    p->tail = job;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

void lk_pool_stop(lk_pool_t *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (size_t i = 0; i < p->n_threads; i++)
        pthread_join(p->threads[i], NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p->threads);
    free(p->data_dir);
    free(p);
}
