/*
 * Security events (docs/security.md, "Security events"): failed logins,
 * lockouts, requests refused for their Origin, role refusals and 429s. Each
 * is one JSON log line (the account by its user id: log lines hold no e-mail
 * addresses), a counter in /metrics (loket_security_events_total{kind}) and
 * a row of security_events, written by a small writer job of its own, that
 * admins read (GET /api/v1/admin/security-events, security.c). A flood is
 * logged and counted in full but stored at most EVENT_ROWS_PER_MIN rows a
 * minute per kind and address, and expired rows are purged at most hourly.
 *
 * Below everything else of the API that records events (auth.c, route.c,
 * security.c) and /metrics that shows their counts: it asks only client.c
 * for the client's address.
 */
#include "api/api_int.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define MODULE "security"
#define EVENT_ROWS_PER_MIN 30                /* security events stored per address and kind per minute */
#define EVENT_PURGE_EVERY_MS (3600LL * 1000) /* old security events are deleted at most this often */
#define EVENT_KEYS 50000                     /* addresses and kinds the row limit remembers at most */

/* The running app (loket runs one per process, and a security event may
 * come from code without the app at hand), its limit on stored rows and
 * the time of the last purge; the counts since the process started. */
static struct {
    struct lk_app *running;
    lk_ratelimit_t *rows;
    atomic_llong purged_at;
    atomic_uint_fast64_t counts[LK_SEC__COUNT];
} events;

void lk_secevents_start(struct lk_app *app)
{
    lk_ratelimit_free(events.rows);
    events.rows = lk_ratelimit_new(EVENT_ROWS_PER_MIN, 60000, EVENT_KEYS);
    atomic_store(&events.purged_at, 0);
    events.running = app;
}

void lk_secevents_stop(struct lk_app *app)
{
    if (events.running != app)
        return;
    events.running = NULL;
    lk_ratelimit_free(events.rows);
    events.rows = NULL;
}

uint64_t lk_security_event_count(lk_sec_kind_t kind)
{
    return (unsigned)kind < LK_SEC__COUNT ? atomic_load_explicit(&events.counts[kind], memory_order_relaxed) : 0;
}

/* Whether an event with this key (kind and address) may be stored now;
 * *purge_before > 0 asks to delete the events older than it too. */
static bool store_ok(struct lk_app *app, const char *key, int64_t now, int64_t *purge_before)
{
    *purge_before = 0;
    if (!app || app != events.running || !app->writer)
        return false;
    if (!lk_ratelimit_hit(events.rows, key, now, NULL))
        return false; /* a flood: logged and counted, stored once a while */
    long long last = atomic_load(&events.purged_at);
    if (app->cfg.security_event_retention_days > 0 && now - last >= EVENT_PURGE_EVERY_MS &&
        atomic_compare_exchange_strong(&events.purged_at, &last, now))
        *purge_before = now - app->cfg.security_event_retention_days * 86400LL * 1000;
    return true;
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
        app = events.running;
    if ((unsigned)kind < LK_SEC__COUNT)
        atomic_fetch_add_explicit(&events.counts[kind], 1, memory_order_relaxed);
    char addr[LK_ADDR_MAX] = "unknown";
    if (app && req)
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
    if (!store_ok(app, key, now, &purge_before))
        return; /* no server running, or a flood: logged and counted above, stored once a while */
    event_job_t *e = lk_xcalloc(1, sizeof *e);
    e->ev.at = now;
    e->ev.kind = kind;
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
