/*
 * Time passing, as an event: every tick_ms the watcher thread hands the
 * writer a tick job that gives each queued conversation an LK_EV_TICK, so the
 * policy can tell waiting customers when their place in the queue or the
 * availability of people changed (it decides whether that is worth a
 * message), and that purges expired and idle login sessions; the agents'
 * live streams of sessions that ended by any path close.
 */
#include "api/api_int.h"

#include <stdlib.h>

#define MODULE "tick"
#define TICK_MAX 2000 /* queued conversations looked at per tick */

typedef struct {
    lk_job_t job;
    struct lk_app *app;
} tick_job_t;

static void tick_run(lk_job_t *job, lk_store_t *st)
{
    tick_job_t *t = (tick_job_t *)job;
    int64_t now = lk_time_now_ms();
    lk_conv_t *queued = NULL;
    size_t n = 0;
    int rc = lk_store_conv_list_queued(st, TICK_MAX, &queued, &n);
    if (rc) {
        job->rc = rc;
        return;
    }
    lk_bot_t *bot = lk_bot_acquire(t->app);
    for (size_t i = 0; i < n && rc == 0; i++) {
        lk_msg_t *msgs = NULL;
        size_t n_msgs = 0;
        lk_policy_event_t ev = {.type = LK_EV_TICK};
        rc = lk_turn_apply(t->app, st, job, &queued[i], &ev, bot, now, &msgs, &n_msgs);
        lk_msgs_free(msgs, n_msgs);
    }
    lk_bot_release(bot);
    lk_convs_free(queued, n);
    /* the live streams of sessions that ended, by expiry, idle time or
     * any other path (the command line), close */
    int64_t idle_since = now - t->app->cfg.session_idle * 1000;
    size_t n_open = 0;
    lk_session_hash_t *open = lk_hub_stream_sessions(&n_open);
    for (size_t i = 0; rc == 0 && i < n_open; i++) {
        lk_session_t s;
        int64_t seen;
        int grc = lk_store_session_get_active(st, open[i], now, idle_since, &s, &seen);
        if (grc == LK_ENOENT)
            lk_hub_close_streams(job, NULL, open[i]);
        else if (grc)
            rc = grc;
    }
    free(open);
    int64_t purged = 0;
    if (rc == 0)
        rc = lk_store_session_purge(st, now, &purged);
    if (rc == 0) /* and those unused past session_idle (no longer "online") */
        rc = lk_store_session_purge_idle(st, idle_since, NULL);
    if (rc)
        LK_ERROR(MODULE, "the tick failed: %s", lk_strerror(rc));
    job->rc = rc;
}

static void tick_done(lk_job_t *job)
{
    free(job);
}

void lk_tick_submit(struct lk_app *app)
{
    tick_job_t *t = lk_xcalloc(1, sizeof *t);
    t->app = app;
    t->job.run = tick_run;
    t->job.done = tick_done;
    t->job.loop = NULL; /* done runs on the writer thread */
    lk_pool_submit(app->writer, &t->job);
}
