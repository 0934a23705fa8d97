/*
 * The bot: the knowledge base and the NLU model built from it, as one
 * reference-counted, read-only bundle shared by every thread. A watcher
 * thread looks at the database's knowledge-base version every kb_poll_ms and,
 * when `loket kb import` (from any process) changed it, builds a new bundle
 * off to the side and swaps it in; turns in progress keep the bundle they
 * started with. The same thread hands the writer a tick job every tick_ms
 * (tick.c), and checkpoints the write-ahead log every kb_poll_ms so that the
 * writer's commits never have to. It also starts the retention purge
 * (privacy.c) at start and every hour.
 */
#define _GNU_SOURCE /* pthread_setname_np */
#include "api/api_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define MODULE "bot"

void lk_bot_nlu_options(double answer_risk, lk_nlu_options_t *opts)
{
    lk_nlu_options_default(opts);
    opts->answer_risk = answer_risk;
    opts->builtin_negatives = true;
}

double lk_bot_answer_risk(const struct lk_app *app)
{
    double v;
    return lk_config_answer_risk(app->cfg.answer_risk, &v) ? v : 0.05;
}

int lk_bot_build(lk_store_t *st, double answer_risk, lk_bot_t **out)
{
    lk_bot_t *bot = lk_xcalloc(1, sizeof *bot);
    atomic_init(&bot->refs, 1);
    lk_kb_init(&bot->kb);
    int rc = lk_store_kb_version(st, &bot->version);
    if (rc == 0)
        rc = lk_store_kb_load(st, &bot->kb);
    if (rc == 0) /* answers are Markdown; the chat shows plain text (docs/kb.md) */
        lk_kb_answers_to_text(&bot->kb);
    if (rc == 0)
    {
        lk_nlu_options_t opts;
        lk_bot_nlu_options(answer_risk, &opts);
        rc = lk_nlu_build(&bot->kb, &opts, &bot->nlu);
    }
    if (rc == 0)
        bot->reviews_threshold = lk_bot_apply_reviews_threshold(st, bot->nlu);
    if (rc) {
        lk_kb_free(&bot->kb);
        free(bot);
        return rc;
    }
    *out = bot;
    return 0;
}

bool lk_bot_apply_reviews_threshold(lk_store_t *st, lk_nlu_model_t *nlu)
{
    double reviewed; /* recalibrated from answer reviews (insights.c) */
    if (!lk_api_stored_threshold(st, &reviewed))
        return false;
    lk_nlu_calibration_t c;
    lk_nlu_calibration(nlu, &c);
    if (c.done && c.met && c.threshold >= reviewed)
        return false; /* the calibration asks for more than the reviews: it stands */
    lk_nlu_set_threshold(nlu, reviewed);
    return true;
}

json_t *lk_bot_calibration_json(const lk_nlu_model_t *nlu)
{
    lk_nlu_calibration_t c;
    lk_nlu_calibration(nlu, &c);
    json_t *o = json_object();
    json_object_set_new(o, "threshold", json_real(lk_nlu_threshold(nlu)));
    json_object_set_new(o, "calibrated", json_boolean(c.done));
    if (!c.done)
        return o;
    /* the figures at the threshold the bot answers at */
    lk_nlu_calibration_t at;
    lk_nlu_calibration_at(nlu, lk_nlu_threshold(nlu), &at);
    json_object_set_new(o, "answer_risk", json_real(c.answer_risk));
    json_object_set_new(o, "met", json_boolean(at.met));
    json_object_set_new(o, "calibrated_threshold", c.met ? json_real(c.threshold) : json_null());
    json_object_set_new(o, "risk_bound", json_real(at.risk_bound));
    json_object_set_new(o, "confidence_level", json_real(1 - c.delta));
    json_object_set_new(o, "precision", json_real(at.precision));
    json_object_set_new(o, "coverage", json_real(at.coverage));
    json_object_set_new(o, "in_scope_accuracy", json_real(at.accuracy));
    json_object_set_new(o, "oos_recall", json_real(at.oos_recall));
    json_object_set_new(o, "oos_share", json_real(c.oos_share));
    json_object_set_new(o, "questions", json_integer((json_int_t)c.n_in));
    json_object_set_new(o, "out_of_scope_questions", json_integer((json_int_t)c.n_oos));
    return o;
}

void lk_bot_log_calibration(const lk_bot_t *bot)
{
    lk_nlu_calibration_t c;
    lk_nlu_calibration(bot->nlu, &c);
    if (!c.done)
        LK_INFO(MODULE, "answering threshold %.3f (too few example questions to calibrate)",
                lk_nlu_threshold(bot->nlu));
    else
        LK_INFO(MODULE,
                "answering threshold %.3f; calibration: %s answer_risk %.3f (bound %.3f at %.3f; estimated "
                "precision %.3f, coverage %.3f)",
                lk_nlu_threshold(bot->nlu), c.met ? "meets" : "cannot meet", c.answer_risk, c.risk_bound,
                c.threshold, c.precision, c.coverage);
}

lk_bot_t *lk_bot_acquire(struct lk_app *app)
{
    pthread_mutex_lock(&app->bot_mu);
    lk_bot_t *bot = app->bot;
    atomic_fetch_add(&bot->refs, 1);
    pthread_mutex_unlock(&app->bot_mu);
    return bot;
}

void lk_bot_warn_if_empty(const lk_bot_t *bot)
{
    if (bot && bot->kb.n_articles == 0)
        LK_WARN(MODULE, "the knowledge base is empty: the bot answers nothing and hands every question to a person. "
                        "Import articles (loket kb import FILE), write them in the console, or load the demo "
                        "(loket kb demo)");
}

void lk_bot_release(lk_bot_t *bot)
{
    if (bot && atomic_fetch_sub(&bot->refs, 1) == 1) {
        lk_nlu_free(bot->nlu);
        lk_kb_free(&bot->kb);
        free(bot);
    }
}

/* ---- a threshold never changes silently -------------------------------- */

/* An audit record, written by the writer (the watcher does not write). */
typedef struct {
    lk_job_t job;
    char detail[320];
} audit_job_t;

static void audit_run(lk_job_t *job, lk_store_t *st)
{
    audit_job_t *a = (audit_job_t *)job;
    job->rc = lk_store_audit(st, lk_time_now_ms(), "system", "nlu.calibrate", NULL, a->detail);
    if (job->rc)
        LK_ERROR(MODULE, "cannot audit the threshold change: %s", lk_strerror(job->rc));
}

static void audit_done(lk_job_t *job)
{
    free(job);
}

/* When a rebuilt bot answers at another threshold than the one before it
 * (its calibration moved it), says so in the audit log: which threshold,
 * why, for which knowledge-base version. */
static void audit_threshold_change(struct lk_app *app, double before, const lk_bot_t *fresh)
{
    double after = lk_nlu_threshold(fresh->nlu);
    if (fabs(after - before) < 1e-9 || fresh->reviews_threshold)
        return; /* the same, or the reviews' recalibration's (audited as nlu.recalibrate) */
    lk_nlu_calibration_t c;
    lk_nlu_calibration(fresh->nlu, &c);
    audit_job_t *a = lk_xcalloc(1, sizeof *a);
    if (c.done)
        snprintf(a->detail, sizeof a->detail,
                 "threshold %.4f -> %.4f for knowledge-base version %lld: calibration %s answer_risk %.3f "
                 "(bound %.4f; estimated precision %.4f, coverage %.4f)",
                 before, after, (long long)fresh->version, c.met ? "meets" : "cannot meet", c.answer_risk,
                 c.risk_bound, c.precision, c.coverage);
    else
        snprintf(a->detail, sizeof a->detail,
                 "threshold %.4f -> %.4f for knowledge-base version %lld: too few example questions to calibrate",
                 before, after, (long long)fresh->version);
    a->job.run = audit_run;
    a->job.done = audit_done;
    a->job.loop = NULL; /* done runs on the writer thread */
    lk_pool_submit(app->writer, &a->job);
    LK_INFO(MODULE, "answering threshold %.4f -> %.4f (audited as nlu.calibrate)", before, after);
}

static void *watch_main(void *arg)
{
    struct lk_app *app = arg;
    lk_store_t *st = NULL;
    int rc = lk_store_open(lk_config_database(&app->cfg), &st, NULL);
    if (rc) {
        LK_ERROR(MODULE, "knowledge-base watcher cannot open the database: %s", lk_strerror(rc));
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
        int64_t version = 0;
        lk_bot_t *cur = lk_bot_acquire(app);
        int64_t have = cur->version;
        lk_bot_release(cur);
        if (lk_store_kb_version(st, &version) == 0 && version != have) {
            lk_bot_t *fresh;
            int64_t t0 = lk_time_mono_ns();
            rc = lk_bot_build(st, lk_bot_answer_risk(app), &fresh);
            if (rc) {
                LK_ERROR(MODULE, "cannot rebuild the bot for knowledge-base version %lld: %s", (long long)version,
                         lk_strerror(rc));
            } else {
                pthread_mutex_lock(&app->bot_mu);
                lk_bot_t *old = app->bot;
                app->bot = fresh;
                pthread_mutex_unlock(&app->bot_mu);
                double before = lk_nlu_threshold(old->nlu);
                lk_bot_release(old);
                audit_threshold_change(app, before, fresh);
                LK_INFO(MODULE, "knowledge base version %lld loaded: %zu articles in %.0f ms", (long long)version,
                        fresh->kb.n_articles, (double)(lk_time_mono_ns() - t0) / 1e6);
                lk_bot_log_calibration(fresh);
                lk_bot_warn_if_empty(fresh);
            }
        }
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
