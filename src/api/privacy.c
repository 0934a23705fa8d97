/*
 * Personal data, the operator's side (docs/privacy.md): the admins' API for
 * data-subject requests (export and erasure by e-mail address, phone number
 * or external id; also by what the customer typed in a conversation), the
 * erasure of one conversation, the retention settings with the last purge, and the audit log
 * viewer; the retention purge the server runs at start and every hour; the
 * audit records written after a read (an agent opening a conversation);
 * and the `loket privacy` command line.
 *
 * Every data-subject request and every purge leaves an audit record that
 * holds counts and a random request id, never the e-mail address or the
 * external id it was about. An export is handed out only after its audit
 * record is committed (a reader builds it, the writer records it, then the
 * loop answers). The purge deletes in batches, each a short writer job of
 * its own, so customers' messages never wait long behind it.
 */
#include "api/api_int.h"

#include "privacy/privacy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MODULE "privacy"
#define DAY_MS (24LL * 3600 * 1000)
#define PURGE_BATCH 200 /* conversations (and call-backs) per writer job */
#define AUDIT_PAGE_DEFAULT 100
#define AUDIT_PAGE_MAX 500

/* ---- shared pieces ------------------------------------------------------ */

static json_t *counts_json(const lk_privacy_counts_t *c)
{
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "conversations", (json_int_t)c->conversations,
                     "messages", (json_int_t)c->messages, "notes", (json_int_t)c->notes, "callback_requests",
                     (json_int_t)c->callbacks, "feedback", (json_int_t)c->feedback, "reviews", (json_int_t)c->reviews,
                     "audit", (json_int_t)c->audit, "identifiers", (json_int_t)c->identifiers);
}

/* The detail of a privacy audit record: counts, and the request id and the
 * kind of key when there is one; never the key itself. Heap text. */
static char *audit_detail(const char *request_id, const char *by, const lk_privacy_counts_t *c)
{
    json_t *d = counts_json(c);
    if (request_id)
        json_object_set_new(d, "request_id", json_string(request_id));
    if (by)
        json_object_set_new(d, "by", json_string(by));
    char *s = lk_json_dump(d, NULL);
    json_decref(d);
    return s;
}

/* The kinds of key a request named ("email+phone"), never the keys. */
static const char *key_kind(const lk_privacy_subject_t *who)
{
    static const char *const kinds[8] = {"",      "email",       "external_id",       "email+external_id",
                                         "phone", "email+phone", "external_id+phone", "email+external_id+phone"};
    unsigned k = (who->email ? 1u : 0u) | (who->external_id ? 2u : 0u) | (who->phone ? 4u : 0u);
    return kinds[k];
}

/* The phone number of a request in its canonical form (E.164) into out;
 * false when it is no phone number. */
static bool phone_key(const char *phone, char *out, size_t size)
{
    return lk_pii_normalise(LK_PII_PHONE, phone, strlen(phone), out, size) == 0;
}

static void cutoffs_at(const lk_config_t *cfg, int64_t now, lk_purge_cutoffs_t *cut)
{
    memset(cut, 0, sizeof *cut);
    if (cfg->retention_days > 0)
        cut->conv_before = now - cfg->retention_days * DAY_MS;
    if (cfg->callback_retention_days > 0)
        cut->callback_before = now - cfg->callback_retention_days * DAY_MS;
    if (cfg->audit_retention_days > 0)
        cut->audit_before = now - cfg->audit_retention_days * DAY_MS;
}

/* ---- audit records after reads ------------------------------------------ */

typedef struct {
    lk_job_t job;
    char actor[LK_ID_MAX];
    char action[48];
    char conversation_id[LK_ID_MAX];
    char *detail;
    int64_t at;
} audit_job_t;

static void audit_run(lk_job_t *job, lk_store_t *st)
{
    audit_job_t *a = (audit_job_t *)job;
    job->rc =
        lk_store_audit(st, a->at, a->actor, a->action, a->conversation_id[0] ? a->conversation_id : NULL, a->detail);
    if (job->rc)
        LK_ERROR(MODULE, "cannot write the audit record %s: %s", a->action, lk_strerror(job->rc));
}

static void audit_done(lk_job_t *job)
{
    audit_job_t *a = (audit_job_t *)job;
    free(a->detail);
    free(a);
}

void lk_api_audit_async(struct lk_app *app, const char *actor, const char *action, const char *conversation_id,
                        const char *detail)
{
    audit_job_t *a = lk_xcalloc(1, sizeof *a);
    snprintf(a->actor, sizeof a->actor, "%s", actor);
    snprintf(a->action, sizeof a->action, "%s", action);
    if (conversation_id)
        snprintf(a->conversation_id, sizeof a->conversation_id, "%s", conversation_id);
    a->detail = detail ? lk_xstrdup(detail) : NULL;
    a->at = lk_time_now_ms();
    a->job.run = audit_run;
    a->job.done = audit_done;
    a->job.loop = NULL; /* done runs on the writer: nobody waits for it */
    lk_pool_submit(app->writer, &a->job);
}

/* ---- the scheduled purge ------------------------------------------------ */

typedef struct {
    lk_job_t job;
    struct lk_app *app;
    lk_purge_cutoffs_t cut;
    lk_privacy_counts_t counts;
    int64_t now;
    int64_t t0_ns;
    int batches;
    bool more;
    bool stopping; /* the server stops: record what was done, go no further */
} purge_job_t;

static atomic_bool purge_running;

static void purge_record(purge_job_t *p, lk_store_t *st)
{
    char *detail = audit_detail(NULL, NULL, &p->counts);
    int rc = lk_store_audit(st, lk_time_now_ms(), "system", "privacy.purge", NULL, detail);
    free(detail);
    if (rc)
        p->job.rc = rc;
}

static void purge_run(lk_job_t *job, lk_store_t *st)
{
    purge_job_t *p = (purge_job_t *)job;
    if (!p->stopping) {
        job->rc = lk_store_privacy_purge(st, &p->cut, PURGE_BATCH, &p->counts, &p->more);
        p->batches++;
    }
    if (job->rc == 0 && (!p->more || p->stopping))
        purge_record(p, st);
}

static bool app_stopping(struct lk_app *app)
{
    pthread_mutex_lock(&app->watch_mu);
    bool stop = app->watch_stop;
    pthread_mutex_unlock(&app->watch_mu);
    return stop;
}

static void purge_done(lk_job_t *job)
{
    purge_job_t *p = (purge_job_t *)job;
    if (job->rc) {
        LK_ERROR(MODULE, "the retention purge failed: %s", lk_strerror(job->rc));
    } else if (p->more && !p->stopping) {
        /* the next batch, as a job of its own: whatever queued meanwhile goes first */
        p->stopping = app_stopping(p->app);
        lk_pool_submit(p->app->writer, &p->job);
        return;
    } else {
        const lk_privacy_counts_t *c = &p->counts;
        LK_INFO(MODULE,
                "retention purge%s: %lld conversations, %lld messages, %lld call-back requests, %lld audit "
                "records deleted in %d batches, %.0f ms",
                p->stopping ? " (cut short by the stop)" : "", (long long)c->conversations, (long long)c->messages,
                (long long)c->callbacks, (long long)c->audit, p->batches, (double)(lk_time_mono_ns() - p->t0_ns) / 1e6);
    }
    atomic_store(&purge_running, false);
    free(p);
}

void lk_api_privacy_purge_submit(struct lk_app *app)
{
    bool expected = false;
    if (!atomic_compare_exchange_strong(&purge_running, &expected, true))
        return; /* the last one is still at work */
    purge_job_t *p = lk_xcalloc(1, sizeof *p);
    p->app = app;
    p->now = lk_time_now_ms();
    p->t0_ns = lk_time_mono_ns();
    cutoffs_at(&app->cfg, p->now, &p->cut);
    p->job.run = purge_run;
    p->job.done = purge_done;
    p->job.loop = NULL;
    lk_pool_submit(app->writer, &p->job);
}

/* ---- the admins' API ----------------------------------------------------- */

typedef enum {
    OP_EXPORT,
    OP_EXPORT_RECORD,
    OP_ERASE,
    OP_ERASE_CONV,
    OP_ERASE_CHECKPOINT,
    OP_RETENTION,
    OP_AUDIT,
    OP_AUDIT_RECORD
} op_t;

typedef struct {
    lk_job_t job;
    struct lk_app *app;
    lk_http_req_t *req;
    op_t op;
    char session_hash[LK_TOKEN_HASH_LEN + 1];
    char *email; /* the data subject's keys (export, erase) */
    char *external_id;
    char phone[LK_PII_NORM_MAX]; /* normalised; "" = none */
    char conv_id[LK_ID_MAX];     /* OP_ERASE_CONV */
    lk_audit_query_t q; /* OP_AUDIT; its strings point at the three below */
    char *q_actor, *q_action, *q_conv;
    char filters[128]; /* OP_AUDIT: the names of the filters used */
    lk_user_t user;
    char request_id[LK_ID_MAX];
    lk_privacy_counts_t counts;
    char *doc; /* OP_EXPORT: the document */
    size_t n_records;
    lk_api_error_t err;
    json_t *out;
} pjob_t;

static void pjob_free(pjob_t *j)
{
    free(j->email);
    free(j->external_id);
    free(j->q_actor);
    free(j->q_action);
    free(j->q_conv);
    free(j->doc);
    lk_user_clear(&j->user);
    if (j->out)
        json_decref(j->out);
    free(j);
}

static bool admin(pjob_t *j, lk_store_t *st, int64_t now)
{
    return lk_api_authenticate(&j->job, &j->err, st, j->session_hash, now, &j->user) &&
           lk_api_require_role(&j->job, &j->err, &j->user, "admin", NULL);
}

static lk_privacy_subject_t subject_of(const pjob_t *j)
{
    return (lk_privacy_subject_t){.email = j->email, .external_id = j->external_id,
                                  .phone = j->phone[0] ? j->phone : NULL};
}

static void run_export(pjob_t *j, lk_store_t *st, int64_t now)
{
    if (!admin(j, st, now))
        return;
    lk_privacy_subject_t who = subject_of(j);
    int rc = lk_store_privacy_export(st, &who, now, &j->doc, &j->counts);
    if (rc)
        lk_job_fail_db(&j->job, &j->err, rc);
}

static void run_erase(pjob_t *j, lk_store_t *st, int64_t now)
{
    if (!admin(j, st, now))
        return;
    lk_privacy_subject_t who = subject_of(j);
    int rc = lk_store_privacy_erase(st, &who, &j->counts);
    if (rc == 0) {
        char *detail = audit_detail(j->request_id, key_kind(&who), &j->counts);
        rc = lk_store_audit(st, now, j->user.id, "privacy.erase", NULL, detail);
        free(detail);
    }
    if (rc) {
        lk_job_fail_db(&j->job, &j->err, rc);
        return;
    }
    j->out = json_pack("{s:s, s:o}", "request_id", j->request_id, "erased", counts_json(&j->counts));
}

/* One conversation erased by an admin: with everything hanging off it, its
 * id taken off earlier audit records; the audit record holds the counts and
 * the request id only. Agents who have it open are told it is gone. */
static void run_erase_conv(pjob_t *j, lk_store_t *st, int64_t now)
{
    if (!admin(j, st, now))
        return;
    lk_conv_t c;
    int rc = lk_store_conv_get(st, j->conv_id, &c);
    if (rc == LK_ENOENT) {
        lk_job_fail(&j->job, &j->err, rc, 404, "not_found", "no such conversation");
        return;
    }
    if (rc == 0)
        rc = lk_store_privacy_erase_conv(st, j->conv_id, &j->counts);
    if (rc == 0) {
        char *detail = audit_detail(j->request_id, "conversation", &j->counts);
        rc = lk_store_audit(st, now, j->user.id, "privacy.erase_conversation", NULL, detail);
        free(detail);
    }
    if (rc) {
        lk_conv_clear(&c);
        lk_job_fail_db(&j->job, &j->err, rc);
        return;
    }
    json_t *gone = json_pack("{s:s, s:s}", "id", c.id, "status", "erased");
    lk_publish_agents(&j->job, &c, "conversation", gone);
    lk_conv_clear(&c);
    j->out = json_pack("{s:s, s:o}", "request_id", j->request_id, "erased", counts_json(&j->counts));
}

/* After the erasure's commit, on a reader thread (off the event loop and
 * the writer): copy the write-ahead log into the database and truncate it,
 * so that the erased text no longer sits in the log's older frames
 * (secure_delete has zeroed it in the database's pages). The answer waits
 * for this; if readers hold the log past the busy timeout, the answer says
 * "log_truncated": false and the next checkpoints copy it over (the erased
 * frames are overwritten as the log is reused). */
static void run_erase_checkpoint(pjob_t *j, lk_store_t *st)
{
    int rc = lk_store_checkpoint_truncate(st);
    if (rc)
        LK_WARN(MODULE, "erasure %s: the write-ahead log could not be truncated now: %s", j->request_id,
                lk_strerror(rc));
    json_object_set_new(j->out, "log_truncated", json_boolean(rc == 0));
}

static void run_retention(pjob_t *j, lk_store_t *st, int64_t now)
{
    if (!admin(j, st, now))
        return;
    const lk_config_t *cfg = &j->app->cfg;
    lk_purge_cutoffs_t cut;
    cutoffs_at(cfg, now, &cut);
    lk_privacy_counts_t due;
    lk_audit_rec_t *last = NULL;
    size_t n = 0;
    lk_audit_query_t q = {.action = "privacy.purge", .limit = 1};
    int rc = lk_store_privacy_purge_count(st, &cut, &due);
    if (rc == 0)
        rc = lk_store_audit_list(st, &q, &last, &n);
    if (rc) {
        lk_job_fail_db(&j->job, &j->err, rc);
        return;
    }
    json_t *lp = json_null();
    if (n == 1) {
        char ts[LK_RFC3339_LEN];
        lk_time_rfc3339(last[0].at, ts);
        json_t *deleted = last[0].detail ? json_loads(last[0].detail, 0, NULL) : NULL;
        lp = json_pack("{s:s, s:s, s:o}", "at", ts, "actor", last[0].actor, "deleted",
                       deleted && json_is_object(deleted) ? deleted : json_object());
        if (deleted && !json_is_object(deleted))
            json_decref(deleted);
    }
    lk_audit_recs_free(last, n);
    j->out = json_pack("{s:I, s:I, s:I, s:I, s:o, s:o}", "retention_days", (json_int_t)cfg->retention_days,
                       "callback_retention_days", (json_int_t)cfg->callback_retention_days, "audit_retention_days",
                       (json_int_t)cfg->audit_retention_days, "purge_interval_s",
                       (json_int_t)(LK_PRIVACY_PURGE_INTERVAL_MS / 1000), "last_purge", lp, "due", counts_json(&due));
}

static json_t *audit_json(const lk_audit_rec_t *r)
{
    char ts[LK_RFC3339_LEN];
    lk_time_rfc3339(r->at, ts);
    json_t *o =
        json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)r->id, "at", ts, "actor", r->actor, "action", r->action);
    json_object_set_new(o, "actor_name", r->actor_name ? json_string(r->actor_name) : json_null());
    json_object_set_new(o, "conversation_id", r->conversation_id[0] ? json_string(r->conversation_id) : json_null());
    json_t *detail = NULL;
    if (r->detail) {
        detail = json_loads(r->detail, JSON_DECODE_ANY, NULL);
        if (!detail)
            detail = json_string(r->detail);
    }
    json_object_set_new(o, "detail", detail ? detail : json_null());
    return o;
}

static void run_audit(pjob_t *j, lk_store_t *st, int64_t now)
{
    if (!admin(j, st, now))
        return;
    lk_audit_rec_t *v = NULL;
    size_t n = 0;
    int rc = lk_store_audit_list(st, &j->q, &v, &n);
    if (rc) {
        lk_job_fail_db(&j->job, &j->err, rc);
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, audit_json(&v[i]));
    j->out = json_pack("{s:o}", "records", arr);
    json_object_set_new(j->out, "next_before", n > 0 && n == j->q.limit ? json_integer(v[n - 1].id) : json_null());
    j->n_records = n;
    lk_audit_recs_free(v, n);
}

/* The audit record of a read, before its answer goes out. */
static void run_record(pjob_t *j, lk_store_t *st, int64_t now)
{
    char *detail;
    const char *action;
    if (j->op == OP_EXPORT_RECORD) {
        action = "privacy.export";
        lk_privacy_subject_t who = subject_of(j);
        detail = audit_detail(j->request_id, key_kind(&who), &j->counts);
    } else {
        action = "audit.read";
        json_t *d = json_pack("{s:I, s:s}", "records", (json_int_t)j->n_records, "filters", j->filters);
        detail = lk_json_dump(d, NULL);
        json_decref(d);
    }
    int rc = lk_store_audit(st, now, j->user.id, action, NULL, detail);
    free(detail);
    if (rc)
        lk_job_fail_db(&j->job, &j->err, rc);
}

static void job_run(lk_job_t *job, lk_store_t *st)
{
    pjob_t *j = (pjob_t *)job;
    int64_t now = lk_time_now_ms();
    switch (j->op) {
    case OP_EXPORT:
        run_export(j, st, now);
        break;
    case OP_ERASE:
        run_erase(j, st, now);
        break;
    case OP_ERASE_CONV:
        run_erase_conv(j, st, now);
        break;
    case OP_ERASE_CHECKPOINT:
        run_erase_checkpoint(j, st);
        break;
    case OP_RETENTION:
        run_retention(j, st, now);
        break;
    case OP_AUDIT:
        run_audit(j, st, now);
        break;
    case OP_EXPORT_RECORD:
    case OP_AUDIT_RECORD:
        run_record(j, st, now);
        break;
    }
}

static void job_done(lk_job_t *job)
{
    pjob_t *j = (pjob_t *)job;
    if (job->rc) {
        lk_respond_job_error(j->req, &j->err);
        pjob_free(j);
        return;
    }
    switch (j->op) {
    case OP_EXPORT:
    case OP_AUDIT: /* next: the audit record, then the answer */
        j->op = j->op == OP_EXPORT ? OP_EXPORT_RECORD : OP_AUDIT_RECORD;
        lk_pool_submit(j->app->writer, &j->job);
        return;
    case OP_ERASE: /* committed: next, the log */
    case OP_ERASE_CONV:
        j->op = OP_ERASE_CHECKPOINT;
        lk_pool_submit(j->app->readers, &j->job);
        return;
    case OP_EXPORT_RECORD: {
        char disp[96];
        snprintf(disp, sizeof disp, "attachment; filename=\"loket-export-%s.json\"", j->request_id);
        lk_http_res_header(j->req, "Content-Disposition", disp);
        lk_http_res_header(j->req, "Cache-Control", "no-store");
        lk_http_res_header(j->req, "X-Loket-Request-Id", j->request_id);
        lk_http_respond(j->req, 200, "application/json", j->doc, strlen(j->doc));
        break;
    }
    case OP_ERASE_CHECKPOINT:
    case OP_RETENTION:
    case OP_AUDIT_RECORD:
        lk_http_res_header(j->req, "Cache-Control", "no-store");
        lk_respond_json(j->req, 200, j->out);
        j->out = NULL;
        break;
    }
    pjob_free(j);
}

static pjob_t *pjob_new(lk_http_req_t *req, struct lk_app *app, op_t op)
{
    pjob_t *j = lk_xcalloc(1, sizeof *j);
    j->app = app;
    j->req = req;
    j->op = op;
    lk_job_init(&j->job, req, job_run, job_done);
    lk_api_session_hash(req, j->session_hash);
    lk_rand_id("pr_", j->request_id, sizeof j->request_id);
    return j;
}

/* A data-subject request's body: "email", "phone" and/or "external_id"
 * (the same limits as the customer fields of a new conversation); erase
 * also needs "confirm": true. false after answering 400 itself. */
static bool subject_parse(lk_http_req_t *req, json_t *body, bool erase, pjob_t *j)
{
    const char *email = NULL, *ext = NULL, *phone = NULL;
    if (!lk_body_string(req, body, "email", 254, false, &email) ||
        !lk_body_string(req, body, "external_id", 128, false, &ext) ||
        !lk_body_string(req, body, "phone", 64, false, &phone))
        return false;
    if (!email && !ext && !phone) {
        lk_respond_error(req, 400, "missing_field",
                         "name the customer: give \"email\", \"phone\" or \"external_id\"");
        return false;
    }
    if (phone && !phone_key(phone, j->phone, sizeof j->phone)) {
        lk_respond_error(req, 400, "invalid_field",
                         "the field \"phone\" must be a phone number: 06-12345678, 020 123 4567 or +31 6 12345678");
        return false;
    }
    if (email) {
        const char *at = strchr(email, '@');
        if (!at || at == email || !at[1] || strchr(email, ' ')) {
            lk_respond_error(req, 400, "invalid_field", "the field \"email\" must be an e-mail address");
            return false;
        }
    }
    if (erase) {
        json_t *c = json_object_get(body, "confirm");
        if (!json_is_true(c)) {
            lk_respond_error(req, 400, c ? "invalid_field" : "missing_field",
                             "erasing a customer cannot be undone: send \"confirm\": true");
            return false;
        }
    }
    j->email = email ? lk_xstrdup(email) : NULL;
    j->external_id = ext ? lk_xstrdup(ext) : NULL;
    return true;
}

static void h_subject(lk_http_req_t *req, struct lk_app *app, op_t op)
{
    if (!lk_api_check_origin(req))
        return;
    json_t *body = lk_parse_body(req);
    if (!body)
        return;
    pjob_t *j = pjob_new(req, app, op);
    bool ok = subject_parse(req, body, op == OP_ERASE, j);
    json_decref(body);
    if (!ok) {
        pjob_free(j);
        return;
    }
    lk_pool_submit(op == OP_ERASE ? app->writer : app->readers, &j->job);
}

static void h_export(lk_http_req_t *req, void *ud)
{
    h_subject(req, ud, OP_EXPORT);
}

static void h_erase(lk_http_req_t *req, void *ud)
{
    h_subject(req, ud, OP_ERASE);
}

/* POST /api/v1/admin/conversations/:id/erase {"confirm": true} */
static void h_erase_conv(lk_http_req_t *req, void *ud)
{
    struct lk_app *app = ud;
    if (!lk_api_check_origin(req))
        return;
    json_t *body = lk_parse_body(req);
    if (!body)
        return;
    json_t *c = json_object_get(body, "confirm");
    if (!json_is_true(c)) {
        lk_respond_error(req, 400, c ? "invalid_field" : "missing_field",
                         "erasing a conversation cannot be undone: send \"confirm\": true");
        json_decref(body);
        return;
    }
    json_decref(body);
    pjob_t *j = pjob_new(req, app, OP_ERASE_CONV);
    lk_api_req_id(req, j->conv_id);
    lk_pool_submit(app->writer, &j->job);
}

static void h_retention(lk_http_req_t *req, void *ud)
{
    struct lk_app *app = ud;
    pjob_t *j = pjob_new(req, app, OP_RETENTION);
    lk_pool_submit(app->readers, &j->job);
}

/* A query parameter as a fresh string of at most max bytes of UTF-8;
 * *out NULL when absent. false after answering 400 itself. */
static bool query_string(lk_http_req_t *req, const char *name, size_t max, char **out)
{
    lk_str_t v;
    *out = NULL;
    if (!lk_http_req_query(req, name, &v) || v.len == 0)
        return true;
    if (v.len > max || !lk_utf8_valid(v.base, v.len)) {
        lk_respond_error(req, 400, "invalid_field", "the parameter \"%s\" must be text of at most %zu bytes", name,
                         max);
        return false;
    }
    *out = lk_xstrndup(v.base, v.len);
    return true;
}

static bool query_time(lk_http_req_t *req, const char *name, int64_t *out)
{
    char *s;
    if (!query_string(req, name, 64, &s))
        return false;
    *out = 0;
    if (!s)
        return true;
    int rc = lk_time_parse_rfc3339(s, out);
    free(s);
    if (rc || *out <= 0) {
        lk_respond_error(req, 400, "invalid_field",
                         "the parameter \"%s\" must be an RFC 3339 time (2026-01-31T12:00:00Z) or a date", name);
        return false;
    }
    return true;
}

static bool query_int(lk_http_req_t *req, const char *name, int64_t min, int64_t max, int64_t *out)
{
    char *s;
    if (!query_string(req, name, 20, &s))
        return false;
    if (!s)
        return true;
    int rc = lk_parse_i64(s, min, max, out);
    free(s);
    if (rc) {
        lk_respond_error(req, 400, "invalid_field", "the parameter \"%s\" must be a whole number from %lld to %lld",
                         name, (long long)min, (long long)max);
        return false;
    }
    return true;
}

static bool is_action_name(const char *s)
{
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || *s == '.' || *s == '_'))
            return false;
    return true;
}

static void h_audit(lk_http_req_t *req, void *ud)
{
    struct lk_app *app = ud;
    pjob_t *j = pjob_new(req, app, OP_AUDIT);
    int64_t limit = AUDIT_PAGE_DEFAULT, before = 0;
    if (!query_time(req, "from", &j->q.from) || !query_time(req, "to", &j->q.to) ||
        !query_string(req, "actor", 254, &j->q_actor) || !query_string(req, "action", 47, &j->q_action) ||
        !query_string(req, "conversation_id", LK_ID_MAX - 1, &j->q_conv) ||
        !query_int(req, "limit", 1, AUDIT_PAGE_MAX, &limit) || !query_int(req, "before", 1, INT64_MAX, &before))
        goto bad;
    if (j->q_action && !is_action_name(j->q_action)) {
        lk_respond_error(req, 400, "invalid_field",
                         "the parameter \"action\" must be an action name such as privacy.erase, or a prefix "
                         "ending in a dot such as privacy.");
        goto bad;
    }
    if (j->q.from && j->q.to && j->q.to <= j->q.from) {
        lk_respond_error(req, 400, "invalid_field", "the parameter \"to\" must be later than \"from\"");
        goto bad;
    }
    j->q.actor = j->q_actor;
    j->q.action = j->q_action;
    j->q.conversation_id = j->q_conv;
    j->q.limit = (size_t)limit;
    j->q.before = before;
    static const char *const names[] = {"from", "to", "actor", "action", "conversation_id", "before"};
    const bool used[] = {j->q.from != 0, j->q.to != 0, j->q_actor, j->q_action, j->q_conv, before != 0};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (used[i])
            snprintf(j->filters + strlen(j->filters), sizeof j->filters - strlen(j->filters), "%s%s",
                     j->filters[0] ? "," : "", names[i]);
    lk_pool_submit(app->readers, &j->job);
    return;
bad:
    pjob_free(j);
}

static const lk_http_route_t routes[] = {
    {"POST", "/api/v1/admin/privacy/export", h_export},
    {"POST", "/api/v1/admin/privacy/erase", h_erase},
    {"POST", "/api/v1/admin/conversations/:id/erase", h_erase_conv},
    {"GET", "/api/v1/admin/privacy/retention", h_retention},
    {"GET", "/api/v1/admin/audit", h_audit},
};

void lk_api_privacy_routes(const lk_http_route_t **r, size_t *n)
{
    *r = routes;
    *n = sizeof routes / sizeof routes[0];
}

/* ---- the command line: loket privacy export|erase|purge ------------------ */

#define EXIT_USAGE 1
#define EXIT_INTERNAL 2

static int cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int cli_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("loket: privacy ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs(" (see `loket help privacy`)\n", stderr);
    va_end(ap);
    return EXIT_USAGE;
}

static int cli_open(const lk_config_t *cfg, lk_store_t **st)
{
    size_t errors = lk_log_error_count();
    int rc = lk_store_open(lk_config_database(cfg), st, NULL);
    if (rc) {
        if (lk_log_error_count() == errors)
            fprintf(stderr, "loket: cannot open the database in %s: %s\n", lk_config_database(cfg), lk_strerror(rc));
        return rc == LK_ESCHEMA ? EXIT_USAGE : EXIT_INTERNAL;
    }
    return 0;
}

/* Writes text to path, readable by its owner only (it holds personal data). */
static int write_private_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    size_t len = strlen(text), off = 0;
    while (off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            close(fd);
            return -1;
        }
        off += (size_t)w;
    }
    return close(fd);
}

static void print_json_line(json_t *j)
{
    char *s = lk_json_dump(j, NULL);
    json_decref(j);
    printf("%s\n", s);
    free(s);
}

static int cli_export(const lk_config_t *cfg, const lk_privacy_subject_t *who, const char *out)
{
    lk_store_t *st;
    int ret = cli_open(cfg, &st);
    if (ret)
        return ret;
    char id[LK_ID_MAX];
    lk_rand_id("pr_", id, sizeof id);
    int64_t now = lk_time_now_ms();
    char *doc = NULL;
    lk_privacy_counts_t counts;
    int rc = lk_store_begin(st); /* one snapshot, and its audit record with it */
    if (rc == 0)
        rc = lk_store_privacy_export(st, who, now, &doc, &counts);
    if (rc == 0) {
        char *detail = audit_detail(id, key_kind(who), &counts);
        rc = lk_store_audit(st, now, "cli", "privacy.export", NULL, detail);
        free(detail);
    }
    if (rc == 0)
        rc = lk_store_commit(st);
    else
        lk_store_rollback(st);
    lk_store_close(st);
    if (rc) {
        fprintf(stderr, "loket: cannot export: %s\n", lk_strerror(rc));
        free(doc);
        return EXIT_INTERNAL;
    }
    if (out) {
        if (write_private_file(out, doc) != 0) {
            fprintf(stderr, "loket: cannot write %s: %s\n", out, strerror(errno));
            free(doc);
            return EXIT_USAGE;
        }
    } else {
        fputs(doc, stdout);
        fputc('\n', stdout);
    }
    free(doc);
    fprintf(stderr, "loket: exported %lld conversations, %lld messages, %lld call-back requests (request %s)\n",
            (long long)counts.conversations, (long long)counts.messages, (long long)counts.callbacks, id);
    return fflush(stdout) == 0 ? 0 : EXIT_INTERNAL;
}

static int cli_erase(const lk_config_t *cfg, const lk_privacy_subject_t *who)
{
    lk_store_t *st;
    int ret = cli_open(cfg, &st);
    if (ret)
        return ret;
    char id[LK_ID_MAX];
    lk_rand_id("pr_", id, sizeof id);
    lk_privacy_counts_t counts;
    int rc = lk_store_begin(st);
    if (rc == 0)
        rc = lk_store_privacy_erase(st, who, &counts);
    if (rc == 0) {
        char *detail = audit_detail(id, key_kind(who), &counts);
        rc = lk_store_audit(st, lk_time_now_ms(), "cli", "privacy.erase", NULL, detail);
        free(detail);
    }
    if (rc == 0)
        rc = lk_store_commit(st);
    else
        lk_store_rollback(st);
    if (rc == 0 && lk_store_checkpoint_truncate(st) != 0) /* a running server's readers hold the log */
        fprintf(stderr, "loket: erased; the write-ahead log could not be truncated now (a server is reading)\n");
    lk_store_close(st);
    if (rc) {
        fprintf(stderr, "loket: cannot erase: %s\n", lk_strerror(rc));
        return EXIT_INTERNAL;
    }
    print_json_line(json_pack("{s:s, s:o}", "request_id", id, "erased", counts_json(&counts)));
    return fflush(stdout) == 0 ? 0 : EXIT_INTERNAL;
}

static int cli_purge(const lk_config_t *cfg, int64_t now, bool dry_run)
{
    lk_store_t *st;
    int ret = cli_open(cfg, &st);
    if (ret)
        return ret;
    lk_purge_cutoffs_t cut;
    cutoffs_at(cfg, now, &cut);
    lk_privacy_counts_t counts = {0};
    int rc = 0, batches = 0;
    if (dry_run) {
        rc = lk_store_privacy_purge_count(st, &cut, &counts);
    } else {
        bool more = true;
        while (rc == 0 && more) { /* one transaction a batch: a running server's writer waits little */
            rc = lk_store_begin(st);
            if (rc == 0)
                rc = lk_store_privacy_purge(st, &cut, PURGE_BATCH, &counts, &more);
            if (rc == 0 && !more) {
                char *detail = audit_detail(NULL, NULL, &counts);
                rc = lk_store_audit(st, lk_time_now_ms(), "cli", "privacy.purge", NULL, detail);
                free(detail);
            }
            if (rc == 0)
                rc = lk_store_commit(st);
            else
                lk_store_rollback(st);
            batches++;
        }
    }
    lk_store_close(st);
    if (rc) {
        fprintf(stderr, "loket: the purge failed after %d batches: %s\n", batches, lk_strerror(rc));
        return EXIT_INTERNAL;
    }
    char ts[LK_RFC3339_LEN];
    lk_time_rfc3339(now, ts);
    json_t *cuts = json_object();
    const struct {
        const char *name;
        int64_t at;
    } c[] = {
        {"conversations", cut.conv_before}, {"callback_requests", cut.callback_before}, {"audit", cut.audit_before}};
    for (size_t i = 0; i < 3; i++) {
        char t[LK_RFC3339_LEN];
        lk_time_rfc3339(c[i].at, t);
        json_object_set_new(cuts, c[i].name, c[i].at ? json_string(t) : json_null());
    }
    print_json_line(json_pack("{s:b, s:s, s:o, s:o}", "dry_run", dry_run, "now", ts, "before", cuts,
                              dry_run ? "would_delete" : "deleted", counts_json(&counts)));
    return fflush(stdout) == 0 ? 0 : EXIT_INTERNAL;
}

int lk_api_privacy_cli(int argc, char **argv, char *const *env)
{
    if (argc < 2)
        return cli_usage("needs a subcommand: export, erase or purge");
    const char *sub = argv[1];
    bool is_export = strcmp(sub, "export") == 0, is_erase = strcmp(sub, "erase") == 0,
         is_purge = strcmp(sub, "purge") == 0;
    if (!is_export && !is_erase && !is_purge)
        return cli_usage("%s: unknown subcommand; expected export, erase or purge", sub);
    const char *email = NULL, *ext = NULL, *phone = NULL, *out = NULL, *now_s = NULL;
    bool dry_run = false, yes = false;
    /* our own flags out; the rest (--data, --config, the retention options)
     * go to the option table, as for serve */
    char **rest = lk_xcalloc((size_t)argc + 1, sizeof *rest);
    int n = 0, ret = 0;
    rest[n++] = argv[1];
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        bool takes = strcmp(a, "--email") == 0 || strcmp(a, "--external-id") == 0 || strcmp(a, "--out") == 0 ||
                     strcmp(a, "--now") == 0 || strcmp(a, "--phone") == 0;
        if (takes && i + 1 >= argc) {
            ret = cli_usage("%s: %s needs a value", sub, a);
            goto out;
        }
        if (strcmp(a, "--email") == 0 && !is_purge)
            email = argv[++i];
        else if (strcmp(a, "--external-id") == 0 && !is_purge)
            ext = argv[++i];
        else if (strcmp(a, "--phone") == 0 && !is_purge)
            phone = argv[++i];
        else if (strcmp(a, "--out") == 0 && is_export)
            out = argv[++i];
        else if (strcmp(a, "--now") == 0 && is_purge)
            now_s = argv[++i];
        else if (strcmp(a, "--dry-run") == 0 && is_purge)
            dry_run = true;
        else if (strcmp(a, "--yes") == 0 && is_erase)
            yes = true;
        else if (takes) {
            ret = cli_usage("%s: %s does not apply here", sub, a);
            goto out;
        } else
            rest[n++] = argv[i];
    }
    lk_config_t cfg;
    char err[512];
    if (lk_config_from_args(&cfg, n, rest, env, err, sizeof err) != 0) {
        ret = cli_usage("%s: %s", sub, err);
        goto out;
    }
    if (is_purge) {
        int64_t now = lk_time_now_ms();
        if (now_s && (lk_time_parse_rfc3339(now_s, &now) != 0 || now <= 0)) {
            ret = cli_usage("purge: --now must be an RFC 3339 time such as 2026-01-31T12:00:00Z");
            goto out;
        }
        ret = cli_purge(&cfg, now, dry_run);
        goto out;
    }
    if ((!email || !*email) && (!ext || !*ext) && (!phone || !*phone)) {
        ret = cli_usage("%s: name the customer with --email ADDRESS, --phone NUMBER or --external-id ID", sub);
        goto out;
    }
    char phone_norm[LK_PII_NORM_MAX] = "";
    if (phone && (strlen(phone) > 64 || !phone_key(phone, phone_norm, sizeof phone_norm))) {
        ret = cli_usage("%s: --phone needs a phone number such as 06-12345678 or +31 6 12345678", sub);
        goto out;
    }
    if (email && (!*email || !strchr(email, '@') || strlen(email) > 254 || !lk_utf8_valid(email, strlen(email)))) {
        ret = cli_usage("%s: --email needs an e-mail address", sub);
        goto out;
    }
    if (ext && (!*ext || strlen(ext) > 128 || !lk_utf8_valid(ext, strlen(ext)))) {
        ret = cli_usage("%s: --external-id must be 1 to 128 bytes of text", sub);
        goto out;
    }
    if (email && !*email)
        email = NULL;
    lk_privacy_subject_t who = {.email = email, .external_id = ext && *ext ? ext : NULL,
                                .phone = phone_norm[0] ? phone_norm : NULL};
    if (is_export) {
        ret = cli_export(&cfg, &who, out);
    } else if (!yes) {
        ret = cli_usage("erase: this deletes the customer's records for good; add --yes to go ahead");
    } else {
        ret = cli_erase(&cfg, &who);
    }
out:
    free(rest);
    return ret;
}
