/*
 * Security events (docs/security.md, "Security events"): failed logins,
 * lockouts, requests refused for their Origin, role refusals and 429s. Each
 * is one JSON log line (the account by its user id: log lines hold no e-mail
 * addresses), a counter in /metrics (loket_security_events_total{kind}) and
 * a row of security_events, written by a small writer job of its own, that
 * admins read (GET /api/v1/admin/security-events, security.c). A flood is
 * logged and counted in full but stored at most EVENT_ROWS_PER_MIN rows a
 * minute per kind and address (security.c keeps that limit and the time of
 * the last purge of expired rows).
 */
#include "api/api_int.h"

#include <stdlib.h>
#include <string.h>

#define MODULE "security"

static const char *const sec_kind_names[LK_SEC__COUNT] = {"login_failed", "lockout", "cross_site", "forbidden",
                                                           "rate_limited"};

const char *lk_sec_kind_name(lk_sec_kind_t kind)
{
    return (unsigned)kind < LK_SEC__COUNT ? sec_kind_names[kind] : "unknown";
}

bool lk_sec_kind_parse(const char *name, size_t len, lk_sec_kind_t *out)
{
    for (size_t i = 0; i < LK_SEC__COUNT; i++) {
        if (strlen(sec_kind_names[i]) == len && memcmp(sec_kind_names[i], name, len) == 0) {
            *out = (lk_sec_kind_t)i;
            return true;
        }
    }
    return false;
}

typedef struct {
    lk_job_t job;
    lk_secevent_t ev;
    int64_t purge_before; /* > 0: also delete the events older than this */
} event_job_t;

static void event_run(lk_job_t *job, lk_store_t *st)
{
    event_job_t *e = (event_job_t *)job;
    job->rc = lk_store_secevent_add(st, &e->ev);
    if (job->rc == 0 && e->purge_before > 0)
        job->rc = lk_store_secevent_purge(st, e->purge_before, NULL);
    if (job->rc)
        LK_WARN(MODULE, "cannot store a security event: %s", lk_strerror(job->rc));
}

static void event_done(lk_job_t *job)
{
    event_job_t *e = (event_job_t *)job;
    free(e->ev.account);
    free(e->ev.reason);
    free(e);
}

void lk_security_event(struct lk_app *app, lk_http_req_t *req, lk_sec_kind_t kind, const char *user_id,
                       const char *email, const char *reason)
{
    if (!app)
        app = lk_security_running();
    lk_metrics_security(kind);
    char addr[LK_ADDR_MAX] = "unknown";
    if (app && app->sec && req)
        lk_api_client_addr(app, req, addr);
    char route[160] = "";
    if (req) {
        lk_str_t m = lk_http_req_method(req), p = lk_http_req_path(req);
        if (lk_utf8_valid(p.base, p.len))
            snprintf(route, sizeof route, "%.*s %.*s", (int)(m.len < 10 ? m.len : 10), m.base,
                     (int)(p.len < 140 ? p.len : 140), p.base);
        else
            snprintf(route, sizeof route, "%.*s (a path that is not UTF-8)", (int)(m.len < 10 ? m.len : 10), m.base);
        while (!lk_utf8_valid(route, strlen(route))) /* cut inside a character */
            route[strlen(route) - 1] = '\0';
    }
    /* the log line names the account by its id: log lines hold no e-mail
     * addresses (docs/privacy.md); the stored row, for admins, has it */
    json_t *f = json_pack("{s:s, s:s, s:s, s:s?, s:s, s:s}", "event", "security", "kind", lk_sec_kind_name(kind),
                          "address", addr, "user_id", user_id && user_id[0] ? user_id : NULL, "reason", reason,
                          "route", route);
    char *text = f ? json_dumps(f, JSON_COMPACT) : NULL;
    json_decref(f);
    if (text) {
        size_t n = strlen(text);
        if (n >= 2) {
            text[n - 1] = '\0'; /* the fields without the braces */
            lk_log_fields(LK_LOG_WARN, MODULE, "security event", text + 1);
        }
        free(text);
    }
    char key[LK_ADDR_MAX + 24];
    int64_t now = lk_time_now_ms(), purge_before = 0;
    snprintf(key, sizeof key, "%s|%s", lk_sec_kind_name(kind), addr);
    if (!lk_security_event_store_ok(app, key, now, &purge_before))
        return; /* no server running, or a flood: logged and counted above, stored once a while */
    event_job_t *e = lk_xcalloc(1, sizeof *e);
    e->ev.at = now;
    snprintf(e->ev.kind, sizeof e->ev.kind, "%s", lk_sec_kind_name(kind));
    snprintf(e->ev.address, sizeof e->ev.address, "%s", addr);
    e->ev.account = email && email[0] && lk_utf8_valid(email, strlen(email)) ? lk_xstrdup(email) : NULL;
    e->ev.reason = lk_xstrdup(reason);
    snprintf(e->ev.route, sizeof e->ev.route, "%s", route);
    e->purge_before = purge_before;
    e->job.run = event_run;
    e->job.done = event_done;
    e->job.loop = NULL;
    lk_pool_submit(app->writer, &e->job);
}
