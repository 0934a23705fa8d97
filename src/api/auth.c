/*
 * Agents' sessions and roles, shared by every file of the agent-facing API
 * (agent.c and the feature files): the session cookie's hash, the
 * cross-site check for state-changing requests, the session check inside a
 * database job (absolute and idle expiry, the last use written now and
 * then), and role checks. Also the origin check of the customer API, which
 * shares the same-origin test. It calls nothing of security.c (which calls
 * it): security.c hands it the running app (lk_api_sessions_start).
 */
#include "api/api_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define MODULE "auth"

void lk_api_session_hash(lk_http_req_t *req, char out[LK_TOKEN_HASH_LEN + 1])
{
    out[0] = '\0';
    lk_str_t cookie;
    if (lk_http_req_cookie(req, LK_SESSION_COOKIE, &cookie) && cookie.len > 0)
        lk_token_hash(cookie.base, cookie.len, out);
}

/* A browser sends Origin on cross-site requests; it must name this host. */
static bool same_origin(lk_http_req_t *req)
{
    lk_str_t origin, host;
    if (!lk_http_req_header(req, "origin", &origin))
        return true;
    if (!lk_http_req_header(req, "host", &host))
        return false;
    const char *p = memchr(origin.base, ':', origin.len);
    if (!p || (size_t)(origin.base + origin.len - p) < 3 || p[1] != '/' || p[2] != '/')
        return false;
    lk_str_t ohost = {p + 3, (size_t)(origin.base + origin.len - (p + 3))};
    return lk_str_eq(ohost, host);
}

/* Origin is one of the space- or comma-separated origins of list. */
static bool listed(const char *list, lk_str_t origin)
{
    size_t n;
    for (const char *next = list, *p; (n = lk_list_next(&next, &p));)
        if (lk_str_eq(origin, (lk_str_t){p, n}) || (n == 1 && *p == '*'))
            return true;
    return false;
}

bool lk_api_check_customer_origin(struct lk_app *app, lk_http_req_t *req)
{
    lk_str_t origin;
    if (!lk_http_req_header(req, "origin", &origin) || same_origin(req) || listed(app->cfg.widget_origins, origin))
        return true;
    lk_security_event(app, req, LK_SEC_CROSS_SITE, NULL, NULL, "the page's origin is not in widget_origins");
    lk_respond_error(req, 403, "forbidden",
                     "this web page may not use loket's customer API (its origin is not in widget_origins)");
    return false;
}

bool lk_api_check_origin(lk_http_req_t *req)
{
    if (same_origin(req))
        return true;
    lk_security_event(NULL, req, LK_SEC_CROSS_SITE, NULL, NULL, "cross-site request to the agents' API");
    lk_respond_error(req, 403, "forbidden", "cross-site request refused");
    return false;
}

bool lk_api_authenticate(lk_job_t *job, lk_api_error_t *e, lk_store_t *st, const char *session_hash, int64_t now,
                         lk_user_t *user)
{
    bool pending = false;
    if (!lk_api_authenticate_any(job, e, st, session_hash, now, user, &pending))
        return false;
    if (!pending)
        return true;
    lk_job_fail(job, e, LK_EAUTH, 403, "totp_setup_required",
                "set up two-step login first (the console's account page, POST /api/v1/auth/totp/setup): it is "
                "required for your account");
    return false;
}

bool lk_api_authenticate_any(lk_job_t *job, lk_api_error_t *e, lk_store_t *st, const char *session_hash, int64_t now,
                             lk_user_t *user, bool *setup_pending)
{
    if (setup_pending)
        *setup_pending = false;
    lk_session_t s;
    int64_t last_seen = 0;
    int rc = session_hash[0]
                 ? lk_store_session_get_active(st, session_hash, now, now - lk_api_session_idle_ms(), &s, &last_seen)
                 : LK_ENOENT;
    if (rc == 0)
        lk_api_session_used(session_hash, last_seen, now);
    if (rc == 0) {
        rc = lk_store_user_get(st, s.user_id, user);
        if (rc == 0 && user->disabled)
            rc = LK_ENOENT;
    }
    if (rc == LK_ENOENT) {
        lk_job_fail(job, e, LK_EAUTH, 401, "unauthorized", "log in first: no valid session");
        return false;
    }
    if (rc == 0 && lk_api_totp_required(user)) {
        lk_totp_t t;
        rc = lk_store_user_totp_get(st, user->id, &t);
        if (rc == 0 && setup_pending)
            *setup_pending = !t.enabled;
        lk_totp_clear(&t);
    }
    if (rc) {
        lk_job_fail_db(job, e, rc);
        return false;
    }
    return true;
}

void lk_api_error_refused(lk_api_error_t *e, const lk_user_t *user)
{
    e->refused = true;
    snprintf(e->refused_user, sizeof e->refused_user, "%s", user->id);
    snprintf(e->refused_email, sizeof e->refused_email, "%s", user->email);
}

bool lk_api_is_role(const lk_user_t *user, const char *a, const char *b)
{
    return strcmp(lk_role_name(user->role), a) == 0 || (b && strcmp(lk_role_name(user->role), b) == 0);
}

bool lk_api_require_role(lk_job_t *job, lk_api_error_t *e, const lk_user_t *user, const char *a, const char *b)
{
    if (lk_api_is_role(user, a, b))
        return true;
    lk_job_fail(job, e, LK_EAUTH, 403, "forbidden", "your role does not allow this");
    lk_api_error_refused(e, user);
    return false;
}

/* Whether a and b name the same customer (by e-mail, stored lower-cased, or
 * the host's id), both verified: an identity anyone could claim is nobody's
 * history. */
static bool same_customer(const lk_conv_t *a, const lk_conv_t *b)
{
    if (!a->customer_verified || !b->customer_verified)
        return false;
    return (a->customer_email && b->customer_email && strcmp(a->customer_email, b->customer_email) == 0) ||
           (a->customer_external_id && b->customer_external_id &&
            strcmp(a->customer_external_id, b->customer_external_id) == 0);
}

bool lk_api_may_read_conv(lk_job_t *job, lk_api_error_t *e, lk_store_t *st, const lk_user_t *user, const lk_conv_t *c)
{
    if (!lk_api_is_role(user, "agent", NULL) || c->status == LK_CONV_QUEUED ||
        strcmp(c->assigned_to, user->id) == 0)
        return true;
    bool ok = false;
    if (c->customer_verified && (c->customer_email || c->customer_external_id)) {
        lk_conv_t *v = NULL;
        size_t n = 0;
        lk_conv_status_t assigned = LK_CONV_ASSIGNED;
        int rc = lk_store_conv_list(st, &assigned, user->id, 0, &v, &n);
        if (rc) {
            lk_job_fail_db(job, e, rc);
            return false;
        }
        for (size_t i = 0; i < n && !ok; i++)
            ok = same_customer(&v[i], c);
        lk_convs_free(v, n);
    }
    if (!ok)
        lk_job_fail(job, e, LK_EAUTH, 403, "forbidden",
                    "this conversation is neither in the queue nor yours, nor an earlier one of a customer you are serving");
    if (!ok)
        lk_api_error_refused(e, user);
    return ok;
}

void lk_api_req_id(lk_http_req_t *req, char id[LK_ID_MAX])
{
    lk_str_t v = lk_http_req_param(req, "id");
    id[0] = '\0';
    if (v.len > 0 && v.len < LK_ID_MAX) {
        memcpy(id, v.base, v.len);
        id[v.len] = '\0';
    } else if (v.len > 0) {
        memcpy(id, "-", 2);
    }
}

/* ---- sessions: idle expiry ---------------------------------------------- */

#define TOUCH_EVERY_MS 60000 /* a session's last use is written at most this often */
#define TOUCH_RECENT 64      /* sessions remembered as just touched */

/* The app whose sessions lk_api_session_used() touches and whose options
 * the session check reads: loket runs one per process, and the session check
 * has no app at hand. */
static struct lk_app *running;
static pthread_mutex_t touch_mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
    char hash[LK_TOKEN_HASH_LEN + 1];
    int64_t at;
} touched[TOUCH_RECENT];
static size_t touch_next;

void lk_api_sessions_start(struct lk_app *app)
{
    pthread_mutex_lock(&touch_mu);
    memset(touched, 0, sizeof touched);
    touch_next = 0;
    pthread_mutex_unlock(&touch_mu);
    running = app;
}

void lk_api_sessions_stop(struct lk_app *app)
{
    if (running == app)
        running = NULL;
}

bool lk_api_totp_required(const lk_user_t *user)
{
    struct lk_app *app = running;
    return app && (app->cfg.require_totp || (app->cfg.require_totp_admin && user->role == LK_ROLE_ADMIN));
}

int64_t lk_api_session_idle_ms(void)
{
    return running ? running->cfg.session_idle * 1000 : INT64_MAX / 4;
}

typedef struct {
    lk_job_t job;
    char hash[LK_TOKEN_HASH_LEN + 1];
    int64_t at;
} touch_job_t;

static void touch_run(lk_job_t *job, lk_store_t *st)
{
    touch_job_t *t = (touch_job_t *)job;
    job->rc = lk_store_session_touch(st, t->hash, t->at);
    if (job->rc)
        LK_WARN(MODULE, "cannot record a session's use: %s", lk_strerror(job->rc));
}

static void touch_done(lk_job_t *job)
{
    free(job);
}

void lk_api_session_used(const char *session_hash, int64_t last_seen, int64_t now)
{
    struct lk_app *app = running;
    if (!app || !session_hash[0])
        return;
    /* often enough that idle expiry stays accurate to a quarter of it */
    int64_t every = app->cfg.session_idle * 1000 / 4;
    if (every > TOUCH_EVERY_MS)
        every = TOUCH_EVERY_MS;
    if (now - last_seen < every)
        return;
    pthread_mutex_lock(&touch_mu);
    for (size_t i = 0; i < TOUCH_RECENT; i++) {
        if (touched[i].at > now - every && strcmp(touched[i].hash, session_hash) == 0) {
            pthread_mutex_unlock(&touch_mu);
            return; /* on its way already */
        }
    }
    size_t k = touch_next++ % TOUCH_RECENT;
    snprintf(touched[k].hash, sizeof touched[k].hash, "%s", session_hash);
    touched[k].at = now;
    pthread_mutex_unlock(&touch_mu);
    touch_job_t *t = lk_xcalloc(1, sizeof *t);
    snprintf(t->hash, sizeof t->hash, "%s", session_hash);
    t->at = now;
    t->job.run = touch_run;
    t->job.done = touch_done;
    t->job.loop = NULL; /* done runs on the writer */
    lk_pool_submit(app->writer, &t->job);
}
