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
#include "api/route.h"

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

/* The body fields of export and erase, and of one conversation's erasure. */
enum { F_EMAIL, F_EXTERNAL_ID, F_PHONE, F_CONFIRM };
enum { F_CONV_CONFIRM };

/* A request's own state (job->data). */
typedef struct {
    char request_id[LK_ID_MAX];
    char phone[LK_PII_NORM_MAX]; /* the subject's, normalised; "" = none */
    lk_privacy_counts_t counts;
    char *doc; /* export: the document */
    lk_audit_query_t q; /* the audit log's query; its strings point at the three below */
    char *q_actor, *q_action, *q_conv;
    char filters[128]; /* the names of the filters used */
    size_t n_records;
} priv_t;

static void priv_free(void *data)
{
    priv_t *d = data;
    free(d->doc);
    free(d->q_actor);
    free(d->q_action);
    free(d->q_conv);
}

static lk_privacy_subject_t subject_of(const lk_api_job_t *j)
{
    const priv_t *d = j->data;
    return (lk_privacy_subject_t){.email = j->body[F_EMAIL].s, .external_id = j->body[F_EXTERNAL_ID].s,
                                  .phone = d->phone[0] ? d->phone : NULL};
}

static void run_export(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    priv_t *d = j->data;
    lk_privacy_subject_t who = subject_of(j);
    int rc = lk_store_privacy_export(st, &who, now, &d->doc, &d->counts);
    if (rc)
        lk_api_fail_db(j, rc);
}

static void run_erase(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    priv_t *d = j->data;
    lk_privacy_subject_t who = subject_of(j);
    int rc = lk_store_privacy_erase(st, &who, &d->counts);
    if (rc == 0) {
        char *detail = audit_detail(d->request_id, key_kind(&who), &d->counts);
        rc = lk_store_audit(st, now, j->user.id, "privacy.erase", NULL, detail);
        free(detail);
    }
    if (rc) {
        lk_api_fail_db(j, rc);
        return;
    }
    j->out = json_pack("{s:s, s:o}", "request_id", d->request_id, "erased", counts_json(&d->counts));
}

/* One conversation erased by an admin: with everything hanging off it, its
 * id taken off earlier audit records; the audit record holds the counts and
 * the request id only. Agents who have it open are told it is gone. */
static void run_erase_conv(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    priv_t *d = j->data;
    lk_conv_t c;
    int rc = lk_store_conv_get(st, j->id, &c);
    if (rc == LK_ENOENT) {
        lk_api_fail(j, rc, 404, "not_found", "no such conversation");
        return;
    }
    if (rc == 0)
        rc = lk_store_privacy_erase_conv(st, j->id, &d->counts);
    if (rc == 0) {
        char *detail = audit_detail(d->request_id, "conversation", &d->counts);
        rc = lk_store_audit(st, now, j->user.id, "privacy.erase_conversation", NULL, detail);
        free(detail);
    }
    if (rc) {
        lk_conv_clear(&c);
        lk_api_fail_db(j, rc);
        return;
    }
    json_t *gone = json_pack("{s:s, s:s}", "id", c.id, "status", "erased");
    lk_publish_agents(&j->job, &c, "conversation", gone);
    lk_conv_clear(&c);
    j->out = json_pack("{s:s, s:o}", "request_id", d->request_id, "erased", counts_json(&d->counts));
}

/* After the erasure's commit, on a reader thread (off the event loop and
 * the writer): copy the write-ahead log into the database and truncate it,
 * so that the erased text no longer sits in the log's older frames
 * (secure_delete has zeroed it in the database's pages). The answer waits
 * for this; if readers hold the log past the busy timeout, the answer says
 * "log_truncated": false and the next checkpoints copy it over (the erased
 * frames are overwritten as the log is reused). */
static void run_erase_checkpoint(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    priv_t *d = j->data;
    int rc = lk_store_checkpoint_truncate(st);
    if (rc)
        LK_WARN(MODULE, "erasure %s: the write-ahead log could not be truncated now: %s", d->request_id,
                lk_strerror(rc));
    json_object_set_new(j->out, "log_truncated", json_boolean(rc == 0));
}

static void run_retention(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
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
        lk_api_fail_db(j, rc);
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

static json_t *audit_json(const void *record)
{
    const lk_audit_rec_t *r = record;
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

static void run_audit(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    priv_t *d = j->data;
    lk_audit_rec_t *v = NULL;
    size_t n = 0;
    int rc = lk_store_audit_list(st, &d->q, &v, &n);
    json_t *arr = lk_api_list_json(j, rc, v, n, sizeof *v, audit_json);
    if (!arr)
        return;
    j->out = json_pack("{s:o}", "records", arr);
    json_object_set_new(j->out, "next_before", n > 0 && n == d->q.limit ? json_integer(v[n - 1].id) : json_null());
    d->n_records = n;
    lk_audit_recs_free(v, n);
}

/* The audit record of a read, before its answer goes out. */
static void record(lk_api_job_t *j, lk_store_t *st, int64_t now, const char *action, char *detail)
{
    int rc = lk_store_audit(st, now, j->user.id, action, NULL, detail);
    free(detail);
    if (rc)
        lk_api_fail_db(j, rc);
}

static void run_export_record(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    priv_t *d = j->data;
    lk_privacy_subject_t who = subject_of(j);
    record(j, st, now, "privacy.export", audit_detail(d->request_id, key_kind(&who), &d->counts));
}

static void run_audit_record(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    priv_t *d = j->data;
    json_t *detail = json_pack("{s:I, s:s}", "records", (json_int_t)d->n_records, "filters", d->filters);
    record(j, st, now, "audit.read", lk_json_dump(detail, NULL));
    json_decref(detail);
}

/* Every request gets an id (in the audit record and the answer). */
static bool request_id(lk_api_job_t *j)
{
    priv_t *d = j->data;
    lk_rand_id("pr_", d->request_id, sizeof d->request_id);
    return true;
}

/* export and erase: the phone number normalised (phone_ok accepted it) */
static bool subject_prepare(lk_api_job_t *j)
{
    priv_t *d = j->data;
    if (j->body[F_PHONE].s)
        phone_key(j->body[F_PHONE].s, d->phone, sizeof d->phone);
    return request_id(j);
}

/* The export's answer: the document as a download. */
static bool export_answer(lk_api_job_t *j)
{
    if (j->job.rc)
        return true;
    priv_t *d = j->data;
    char disp[96];
    snprintf(disp, sizeof disp, "attachment; filename=\"loket-export-%s.json\"", d->request_id);
    lk_http_res_header(j->req, "Content-Disposition", disp);
    lk_http_res_header(j->req, "Cache-Control", "no-store");
    lk_http_res_header(j->req, "X-Loket-Request-Id", d->request_id);
    lk_http_respond(j->req, 200, "application/json", d->doc, strlen(d->doc));
    return false;
}

static bool no_store(lk_api_job_t *j)
{
    if (j->job.rc == 0)
        lk_http_res_header(j->req, "Cache-Control", "no-store");
    return true;
}

static bool query_time(lk_api_job_t *j, const char *name, int64_t *out)
{
    char *s;
    if (!lk_api_query_search(j, name, 64, &s))
        return false;
    *out = 0;
    if (!s)
        return true;
    int rc = lk_time_parse_rfc3339(s, out);
    free(s);
    if (rc || *out <= 0) {
        lk_respond_error(j->req, 400, "invalid_field",
                         "the parameter \"%s\" must be an RFC 3339 time (2026-01-31T12:00:00Z) or a date", name);
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

/* ?from, ?to, ?actor, ?action, ?conversation_id, ?limit, ?before */
static bool audit_query(lk_api_job_t *j)
{
    priv_t *d = j->data;
    lk_http_req_t *req = j->req;
    int64_t limit = AUDIT_PAGE_DEFAULT, before = 0;
    if (!query_time(j, "from", &d->q.from) || !query_time(j, "to", &d->q.to) ||
        !lk_api_query_search(j, "actor", 254, &d->q_actor) || !lk_api_query_search(j, "action", 47, &d->q_action) ||
        !lk_api_query_search(j, "conversation_id", LK_ID_MAX - 1, &d->q_conv) ||
        !lk_api_query_int(j, "limit", 1, AUDIT_PAGE_MAX, &limit, NULL) ||
        !lk_api_query_int(j, "before", 1, INT64_MAX, &before, NULL))
        return false;
    if (d->q_action && !is_action_name(d->q_action)) {
        lk_respond_error(req, 400, "invalid_field",
                         "the parameter \"action\" must be an action name such as privacy.erase, or a prefix "
                         "ending in a dot such as privacy.");
        return false;
    }
    if (d->q.from && d->q.to && d->q.to <= d->q.from) {
        lk_respond_error(req, 400, "invalid_field", "the parameter \"to\" must be later than \"from\"");
        return false;
    }
    d->q.actor = d->q_actor;
    d->q.action = d->q_action;
    d->q.conversation_id = d->q_conv;
    d->q.limit = (size_t)limit;
    d->q.before = before;
    static const char *const names[] = {"from", "to", "actor", "action", "conversation_id", "before"};
    const bool used[] = {d->q.from != 0, d->q.to != 0, d->q_actor, d->q_action, d->q_conv, before != 0};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (used[i])
            snprintf(d->filters + strlen(d->filters), sizeof d->filters - strlen(d->filters), "%s%s",
                     d->filters[0] ? "," : "", names[i]);
    return true;
}

static bool email_ok(const char *email)
{
    const char *at = strchr(email, '@');
    return at && at != email && at[1] && !strchr(email, ' ');
}

static bool phone_ok(const char *phone)
{
    char key[LK_PII_NORM_MAX];
    return phone_key(phone, key, sizeof key);
}

/* A data-subject request's body: "email", "phone" and/or "external_id"
 * (the same limits as the customer fields of a new conversation); erase
 * also needs "confirm": true. */
#define SUBJECT_FIELDS                                                                                               \
    [F_EMAIL] = {.name = "email", .type = LK_FIELD_STRING, .max_len = 254, .check = email_ok,                       \
                 .invalid = "the field \"email\" must be an e-mail address", .one_of = true},                       \
    [F_EXTERNAL_ID] = {.name = "external_id", .type = LK_FIELD_STRING, .max_len = 128, .one_of = true},             \
    [F_PHONE] = {.name = "phone", .type = LK_FIELD_STRING, .max_len = 64, .check = phone_ok,                        \
                 .invalid = "the field \"phone\" must be a phone number: 06-12345678, 020 123 4567 or +31 6 12345678", \
                 .one_of = true}

static const lk_api_field_t export_fields[] = {SUBJECT_FIELDS};
static const lk_api_field_t erase_fields[] = {
    SUBJECT_FIELDS,
    [F_CONFIRM] = {.name = "confirm", .type = LK_FIELD_TRUE, .required = true,
                   .invalid = "erasing a customer cannot be undone: send \"confirm\": true"},
};
static const lk_api_field_t erase_conv_fields[] = {
    [F_CONV_CONFIRM] = {.name = "confirm", .type = LK_FIELD_TRUE, .required = true,
                        .invalid = "erasing a conversation cannot be undone: send \"confirm\": true"},
};

#define FIELDS(a) .fields = a, .n_fields = sizeof a / sizeof a[0]
#define NEED_SUBJECT .need_one = "name the customer: give \"email\", \"phone\" or \"external_id\"", \
                     .need_one_code = "missing_field"
#define PRIV .data_size = sizeof(priv_t), .data_free = priv_free

/* Admins only. A read (an export, the audit log) is audited by a writer
 * step before its answer goes out; an erasure is followed by a checkpoint
 * on a reader, so that the erased text leaves the write-ahead log. */
static const lk_api_route_t routes[] = {
    {"POST", "/api/v1/admin/privacy/export", LK_ACCESS_ADMIN, FIELDS(export_fields), NEED_SUBJECT,
     .steps = {{.pool = LK_ON_READER, .run = run_export}, {.pool = LK_ON_WRITER, .run = run_export_record, .keep_user = true}},
     .prepare = subject_prepare, .after = export_answer, PRIV},
    {"POST", "/api/v1/admin/privacy/erase", LK_ACCESS_ADMIN, FIELDS(erase_fields), NEED_SUBJECT,
     .steps = {{.pool = LK_ON_WRITER, .run = run_erase}, {.pool = LK_ON_READER, .run = run_erase_checkpoint, .keep_user = true}},
     .prepare = subject_prepare, .after = no_store, PRIV},
    {"POST", "/api/v1/admin/conversations/:id/erase", LK_ACCESS_ADMIN, FIELDS(erase_conv_fields),
     .steps = {{.pool = LK_ON_WRITER, .run = run_erase_conv}, {.pool = LK_ON_READER, .run = run_erase_checkpoint, .keep_user = true}},
     .prepare = request_id, .after = no_store, PRIV},
    {"GET", "/api/v1/admin/privacy/retention", LK_ACCESS_ADMIN, .steps = {{.pool = LK_ON_READER, .run = run_retention}},
     .after = no_store, PRIV},
    {"GET", "/api/v1/admin/audit", LK_ACCESS_ADMIN,
     .steps = {{.pool = LK_ON_READER, .run = run_audit}, {.pool = LK_ON_WRITER, .run = run_audit_record, .keep_user = true}},
     .prepare = audit_query, .after = no_store, PRIV},
};

void lk_api_privacy_table(const lk_api_route_t **r, size_t *n)
{
    *r = routes;
    *n = sizeof routes / sizeof routes[0];
}

/* ---- the command line: loket privacy export|erase|purge ------------------ */

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

/* Ends a command's transaction: with rc 0 and an action, its audit record
 * (by "cli": the request id, the kind of key, the counts), then the commit;
 * otherwise the rollback. rc, or the audit's or the commit's error. */
static int cli_finish(lk_store_t *st, int rc, const char *action, const char *request_id, const char *kind,
                      const lk_privacy_counts_t *counts)
{
    if (rc == 0 && action) {
        char *detail = audit_detail(request_id, kind, counts);
        rc = lk_store_audit(st, lk_time_now_ms(), "cli", action, NULL, detail);
        free(detail);
    }
    if (rc == 0)
        rc = lk_store_commit(st);
    else
        lk_store_rollback(st);
    return rc;
}

/* Opens the database for a data-subject request, gives the request its id
 * and begins its transaction (*rc: the begin's result). The exit code when
 * the database does not open, else 0. */
static int cli_begin(const lk_config_t *cfg, lk_store_t **st, char id[LK_ID_MAX], int *rc)
{
    int ret = lk_cli_open_store(lk_config_database(cfg), st);
    if (ret)
        return ret;
    lk_rand_id("pr_", id, LK_ID_MAX);
    *rc = lk_store_begin(*st);
    return 0;
}

static int cli_export(const lk_config_t *cfg, const lk_privacy_subject_t *who, const char *out)
{
    lk_store_t *st;
    char id[LK_ID_MAX];
    int rc, ret = cli_begin(cfg, &st, id, &rc); /* one snapshot, and its audit record with it */
    if (ret)
        return ret;
    int64_t now = lk_time_now_ms();
    char *doc = NULL;
    lk_privacy_counts_t counts;
    if (rc == 0)
        rc = lk_store_privacy_export(st, who, now, &doc, &counts);
    rc = cli_finish(st, rc, "privacy.export", id, key_kind(who), &counts);
    lk_store_close(st);
    if ((ret = lk_cli_failed(rc, "export")) != 0) {
        free(doc);
        return ret;
    }
    if (out) {
        if (write_private_file(out, doc) != 0) {
            fprintf(stderr, "loket: cannot write %s: %s\n", out, strerror(errno));
            free(doc);
            return LK_EXIT_USAGE;
        }
    } else {
        fputs(doc, stdout);
        fputc('\n', stdout);
    }
    free(doc);
    fprintf(stderr, "loket: exported %lld conversations, %lld messages, %lld call-back requests (request %s)\n",
            (long long)counts.conversations, (long long)counts.messages, (long long)counts.callbacks, id);
    return fflush(stdout) == 0 ? 0 : LK_EXIT_INTERNAL;
}

static int cli_erase(const lk_config_t *cfg, const lk_privacy_subject_t *who)
{
    lk_store_t *st;
    char id[LK_ID_MAX];
    int rc, ret = cli_begin(cfg, &st, id, &rc);
    if (ret)
        return ret;
    lk_privacy_counts_t counts;
    if (rc == 0)
        rc = lk_store_privacy_erase(st, who, &counts);
    rc = cli_finish(st, rc, "privacy.erase", id, key_kind(who), &counts);
    if (rc == 0 && lk_store_checkpoint_truncate(st) != 0) /* a running server's readers hold the log */
        fprintf(stderr, "loket: erased; the write-ahead log could not be truncated now (a server is reading)\n");
    lk_store_close(st);
    if ((ret = lk_cli_failed(rc, "erase")) != 0)
        return ret;
    print_json_line(json_pack("{s:s, s:o}", "request_id", id, "erased", counts_json(&counts)));
    return fflush(stdout) == 0 ? 0 : LK_EXIT_INTERNAL;
}

static int cli_purge(const lk_config_t *cfg, int64_t now, bool dry_run)
{
    lk_store_t *st;
    int ret = lk_cli_open_store(lk_config_database(cfg), &st);
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
            rc = cli_finish(st, rc, more ? NULL : "privacy.purge", NULL, NULL, &counts); /* the last batch audits */
            batches++;
        }
    }
    lk_store_close(st);
    if (rc) {
        fprintf(stderr, "loket: the purge failed after %d batches: %s\n", batches, lk_strerror(rc));
        return LK_EXIT_INTERNAL;
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
    return fflush(stdout) == 0 ? 0 : LK_EXIT_INTERNAL;
}

int lk_api_privacy_cli(int argc, char **argv, char *const *env)
{
    if (argc < 2)
        return lk_cli_usage("privacy", "needs a subcommand: export, erase or purge");
    const char *sub = argv[1];
    bool is_export = strcmp(sub, "export") == 0, is_erase = strcmp(sub, "erase") == 0,
         is_purge = strcmp(sub, "purge") == 0;
    if (!is_export && !is_erase && !is_purge)
        return lk_cli_usage("privacy", "%s: unknown subcommand; expected export, erase or purge", sub);
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
            ret = lk_cli_usage("privacy", "%s: %s needs a value", sub, a);
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
            ret = lk_cli_usage("privacy", "%s: %s does not apply here", sub, a);
            goto out;
        } else
            rest[n++] = argv[i];
    }
    lk_config_t cfg;
    char err[512];
    if (lk_config_from_args(&cfg, n, rest, env, err, sizeof err) != 0) {
        ret = lk_cli_usage("privacy", "%s: %s", sub, err);
        goto out;
    }
    if (is_purge) {
        int64_t now = lk_time_now_ms();
        if (now_s && (lk_time_parse_rfc3339(now_s, &now) != 0 || now <= 0)) {
            ret = lk_cli_usage("privacy", "purge: --now must be an RFC 3339 time such as 2026-01-31T12:00:00Z");
            goto out;
        }
        ret = cli_purge(&cfg, now, dry_run);
        goto out;
    }
    if ((!email || !*email) && (!ext || !*ext) && (!phone || !*phone)) {
        ret = lk_cli_usage("privacy", "%s: name the customer with --email ADDRESS, --phone NUMBER or --external-id ID",
                           sub);
        goto out;
    }
    char phone_norm[LK_PII_NORM_MAX] = "";
    if (phone && (strlen(phone) > 64 || !phone_key(phone, phone_norm, sizeof phone_norm))) {
        ret = lk_cli_usage("privacy", "%s: --phone needs a phone number such as 06-12345678 or +31 6 12345678", sub);
        goto out;
    }
    if (email && (!*email || !strchr(email, '@') || strlen(email) > 254 || !lk_utf8_valid(email, strlen(email)))) {
        ret = lk_cli_usage("privacy", "%s: --email needs an e-mail address", sub);
        goto out;
    }
    if (ext && (!*ext || strlen(ext) > 128 || !lk_utf8_valid(ext, strlen(ext)))) {
        ret = lk_cli_usage("privacy", "%s: --external-id must be 1 to 128 bytes of text", sub);
        goto out;
    }
    if (email && !*email)
        email = NULL;
    lk_privacy_subject_t who = {.email = email, .external_id = ext && *ext ? ext : NULL,
                                .phone = phone_norm[0] ? phone_norm : NULL};
    if (is_export) {
        ret = cli_export(&cfg, &who, out);
    } else if (!yes) {
        ret = lk_cli_usage("privacy", "erase: this deletes the customer's records for good; add --yes to go ahead");
    } else {
        ret = cli_erase(&cfg, &who);
    }
out:
    free(rest);
    return ret;
}
