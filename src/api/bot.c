/*
 * The server's bot: the current one of the bots (lk_bot_t, src/conv/bot.c:
 * the knowledge base and the NLU model built from it, reference-counted and
 * read-only), shared by every thread. The watcher thread (tick.c) calls
 * lk_bot_reload every kb_poll_ms: when `loket kb import` (from any process)
 * or a publish changed the knowledge base's version, a new bot is built off
 * to the side and swapped in; turns in progress keep the bot they started
 * with. Also the calibration as the knowledge page shows it (with how many
 * reviewed questions and company's labelled questions joined it:
 * lk_bot_model_build) and the log.
 */
#include "api/api_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define MODULE "bot"

double lk_bot_answer_risk(const struct lk_app *app)
{
    double v;
    return lk_config_answer_risk(app->cfg.answer_risk, &v) ? v : 0.05;
}

/* Of the n_labelled questions a calibration counted, how many were the
 * company's own (all of those that apply count: lk_bot_model_build); the
 * rest are answer reviews'. */
static size_t company_of(const lk_nlu_calibration_t *c, size_t company_questions)
{
    return company_questions < c->n_labelled ? company_questions : c->n_labelled;
}

json_t *lk_bot_calibration_json(const lk_nlu_model_t *nlu, size_t company_questions)
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
    size_t company = company_of(&c, company_questions);
    json_object_set_new(o, "labelled_questions", json_integer((json_int_t)(c.n_labelled - company)));
    json_object_set_new(o, "company_questions", json_integer((json_int_t)company));
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
                "precision %.3f, coverage %.3f; %zu company questions; %zu reviewed questions)",
                lk_nlu_threshold(bot->nlu), c.met ? "meets" : "cannot meet", c.answer_risk, c.risk_bound, c.threshold,
                c.precision, c.coverage, company_of(&c, bot->company_questions),
                c.n_labelled - company_of(&c, bot->company_questions));
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
                 "(bound %.4f; estimated precision %.4f, coverage %.4f; %zu company questions; %zu reviewed questions)",
                 before, after, (long long)fresh->version, c.met ? "meets" : "cannot meet", c.answer_risk, c.risk_bound,
                 c.precision, c.coverage, company_of(&c, fresh->company_questions),
                 c.n_labelled - company_of(&c, fresh->company_questions));
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

void lk_bot_reload(struct lk_app *app, lk_store_t *st)
{
    int64_t version = 0;
    lk_bot_t *cur = lk_bot_acquire(app);
    int64_t have = cur->version;
    lk_bot_release(cur);
    if (lk_store_kb_version(st, &version) != 0 || version == have)
        return;
    lk_bot_t *fresh;
    int64_t t0 = lk_time_mono_ns();
    int rc = lk_bot_build(st, lk_bot_answer_risk(app), &fresh);
    if (rc) {
        LK_ERROR(MODULE, "cannot rebuild the bot for knowledge-base version %lld: %s", (long long)version,
                 lk_strerror(rc));
        return;
    }
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
