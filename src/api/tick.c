/*
 * Time passing. The watcher thread (one per server, with a store handle of
 * its own) wakes every kb_poll_ms: it checkpoints the write-ahead log (so
 * that the writer's commits never have to), reloads the bot when the
 * knowledge base's version changed (lk_bot_reload, bot.c), starts the
 * retention purge (privacy.c) at start and every hour, and every tick_ms
 * hands the writer a tick job. The tick gives each queued conversation the
 * engine's LK_CONV_TICK, so the policy can tell waiting customers when their
 * place in the queue or the availability of people changed (it decides
 * whether that is worth a message), and purges expired and idle login
 * sessions; the agents' live streams of sessions that ended by any path
 * close.
 */
#define _GNU_SOURCE /* pthread_setname_np */
#include "api/api_int.h"

#include <stdlib.h>
#include <time.h>

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
    const lk_conv_event_t ev = {.type = LK_CONV_TICK};
    for (size_t i = 0; i < n && rc == 0; i++) {
        lk_conv_result_t r = {0};
        rc = lk_turn_run(t->app, st, job, &queued[i], &ev, bot, now, &r, NULL);
        lk_conv_result_free(&r);
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

/* ---- the watcher thread ---------------------------------------------------- */

static void *watch_main(void *arg)
{
    struct lk_app *app = arg;
    lk_store_t *st = NULL;
    int rc = lk_store_open(lk_config_database(&app->cfg), &st, NULL);
    if (rc) {
        LK_ERROR(MODULE, "the watcher cannot open the database: %s", lk_strerror(rc));
        return NULL;
    }
    int64_t next_tick = lk_time_mono_ns() / 1000000 + app->cfg.tick_ms;
    int64_t next_purge = 0; /* the retention purge (privacy.c): at start, then every hour */
    pthread_mutex_lock(&app->watch_mu);
    while (!app->watch_stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        int64_t ns = until.tv_nsec + (app->cfg.kb_poll_ms % 1000) * 1000000;
        until.tv_sec += app->cfg.kb_poll_ms / 1000 + ns / 1000000000;
        until.tv_nsec = ns % 1000000000;
        pthread_cond_timedwait(&app->watch_cv, &app->watch_mu, &until);
        if (app->watch_stop)
            break;
        pthread_mutex_unlock(&app->watch_mu);

        /* copy the write-ahead log back into the database here, not in the
         * writer's commits (which would wait for it) */
        int64_t left = 0;
        if (lk_store_checkpoint(st, &left) == 0 && left > 0)
            LK_DEBUG(MODULE, "checkpoint: %lld log pages still in use by readers", (long long)left);
        int64_t now_ms = lk_time_mono_ns() / 1000000;
        if (now_ms >= next_tick) {
            lk_tick_submit(app);
            next_tick = now_ms + app->cfg.tick_ms;
        }
        if (now_ms >= next_purge) {
            lk_api_privacy_purge_submit(app);
            next_purge = now_ms + LK_PRIVACY_PURGE_INTERVAL_MS;
        }
        lk_bot_reload(app, st);
        pthread_mutex_lock(&app->watch_mu);
    }
    pthread_mutex_unlock(&app->watch_mu);
    lk_store_close(st);
    return NULL;
}

int lk_bot_watch_start(struct lk_app *app)
{
    app->watch_stop = false;
    if (pthread_create(&app->watch_tid, NULL, watch_main, app) != 0)
        return LK_EIO;
    pthread_setname_np(app->watch_tid, "loket-watch");
    app->watching = true;
    return 0;
}

void lk_bot_watch_stop(struct lk_app *app)
{
    if (!app->watching)
        return;
    pthread_mutex_lock(&app->watch_mu);
    app->watch_stop = true;
    pthread_cond_signal(&app->watch_cv);
    pthread_mutex_unlock(&app->watch_mu);
    pthread_join(app->watch_tid, NULL);
    app->watching = false;
}
