/*
 * GET /metrics: loket's counters, gauges and histograms in the Prometheus
 * text format (version 0.0.4), for a monitoring system to scrape
 * (docs/analytics.md lists them).
 *
 * The registry is a set of process-wide atomics, bumped where things happen:
 * turn.c counts customer turns, the bot's decisions and hand-offs, agent.c
 * the queue wait at each claim, and the HTTP layer reports every answered
 * request through its on_done hook (lk_metrics_request) into a histogram per
 * route and status class; the security events' counts are secevents.c's,
 * read when the text is rendered. Incrementing is a relaxed atomic add,
 * never a lock, so the hot path stays cheap. Gauges that the database knows (queue length)
 * or the server counts (open WebSockets) are read at scrape time.
 *
 * With the option metrics_token set, a request needs "Authorization: Bearer
 * <token>" (compared in constant time over the tokens' hashes, so neither
 * content nor length leaks). Without it the endpoint answers only while
 * loket listens on a loopback address and the client is local too (not a
 * client a trusted proxy forwards); everyone else gets 403, so that a server
 * opened to the network does not show its figures to the world.
 */
#include "api/api_int.h"
#include "api/route.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MODULE "metrics"
#define MAX_TEXT (4u << 20)

/* ---- the registry ------------------------------------------------------- */

typedef atomic_uint_fast64_t counter_t;

static void inc(counter_t *c, uint64_t by)
{
    atomic_fetch_add_explicit(c, by, memory_order_relaxed);
}

static uint64_t get(counter_t *c)
{
    return atomic_load_explicit(c, memory_order_relaxed);
}

/* A histogram: upper bounds in seconds; buckets[i] counts observations
 * <= bounds[i] (not cumulative here; the text is), buckets[n] the rest. */
#define HIST_MAX_BUCKETS 16
typedef struct {
    counter_t buckets[HIST_MAX_BUCKETS + 1];
    counter_t sum_us; /* microseconds */
    counter_t count;
} hist_t;

static const double http_bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
#define N_HTTP_BOUNDS (sizeof http_bounds / sizeof http_bounds[0])
static const double wait_bounds[] = {5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400};
#define N_WAIT_BOUNDS (sizeof wait_bounds / sizeof wait_bounds[0])

static void observe(hist_t *h, const double *bounds, size_t n, int64_t us)
{
    if (us < 0)
        us = 0;
    double s = (double)us / 1e6;
    size_t i = 0;
    while (i < n && s > bounds[i])
        i++;
    inc(&h->buckets[i], 1);
    inc(&h->sum_us, (uint64_t)us);
    inc(&h->count, 1);
}

/* decisions by outcome (docs/gaps.md): the outcomes without NONE, and "other" */
#define N_OUTCOMES ((size_t)LK_OUTCOME_PERSON + 1)
/* the hand-off reasons without NONE, and "other" */
#define N_REASONS ((size_t)LK_HANDOFF_LANGUAGE + 1)
#define STATUS_CLASSES 5 /* 1xx .. 5xx */

static struct {
    counter_t turns;
    counter_t decisions[N_OUTCOMES];
    counter_t handoffs[N_REASONS];
    hist_t queue_wait;
    /* per route (and one for requests without a route) and status class */
    const lk_http_route_t *routes;
    size_t n_routes;
    hist_t *http; /* (n_routes + 1) * STATUS_CLASSES */
} reg;

void lk_metrics_init(const lk_http_route_t *routes, size_t n)
{
    free(reg.http);
    reg.routes = routes;
    reg.n_routes = n;
    reg.http = lk_xcalloc((n + 1) * STATUS_CLASSES, sizeof *reg.http);
}

void lk_metrics_turn(void)
{
    inc(&reg.turns, 1);
}

void lk_metrics_decision(lk_outcome_t outcome)
{
    size_t i = outcome >= LK_OUTCOME_ANSWERED && (size_t)outcome < N_OUTCOMES ? (size_t)outcome - 1 : N_OUTCOMES - 1;
    inc(&reg.decisions[i], 1);
}

void lk_metrics_handoff(lk_handoff_reason_t reason)
{
    size_t i = reason >= LK_HANDOFF_CUSTOMER_REQUEST && (size_t)reason < N_REASONS ? (size_t)reason - 1
                                                                                   : N_REASONS - 1;
    inc(&reg.handoffs[i], 1);
}

void lk_metrics_queue_wait(int64_t ms)
{
    observe(&reg.queue_wait, wait_bounds, N_WAIT_BOUNDS, ms * 1000);
}

void lk_metrics_request(void *ud, const lk_http_route_t *route, int status, int64_t ns)
{
    (void)ud;
    if (!reg.http)
        return;
    size_t r = reg.n_routes; /* no route: static pages and unknown paths */
    if (route && route >= reg.routes && route < reg.routes + reg.n_routes)
        r = (size_t)(route - reg.routes);
    int cls = status / 100;
    if (cls < 1 || cls > STATUS_CLASSES)
        cls = STATUS_CLASSES;
    observe(&reg.http[r * STATUS_CLASSES + (size_t)(cls - 1)], http_bounds, N_HTTP_BOUNDS, ns / 1000);
}

/* ---- the text format ---------------------------------------------------- */

static void header(lk_buf_t *b, const char *name, const char *type, const char *help)
{
    lk_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value with \, " and newline escaped. */
static void label_value(lk_buf_t *b, const char *v)
{
    for (const char *p = v; *p; p++) {
        if (*p == '\\' || *p == '"')
            lk_buf_printf(b, "\\%c", *p);
        else if (*p == '\n')
            lk_buf_append_cstr(b, "\\n");
        else
            lk_buf_append(b, p, 1);
    }
}

/* labels: the series' labels without braces ("" for none), already escaped. */
static void hist_text(lk_buf_t *b, const char *name, const char *labels, hist_t *h, const double *bounds, size_t n)
{
    uint64_t cum = 0;
    const char *sep = labels[0] ? "," : "";
    for (size_t i = 0; i <= n; i++) {
        cum += get(&h->buckets[i]);
        if (i < n)
            lk_buf_printf(b, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, labels, sep, bounds[i], (unsigned long long)cum);
        else
            lk_buf_printf(b, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, labels, sep, (unsigned long long)cum);
    }
    /* the count is the +Inf bucket (read once, so both agree under load) */
    lk_buf_printf(b, "%s_sum%s%s%s %.6f\n", name, labels[0] ? "{" : "", labels, labels[0] ? "}" : "",
                  (double)get(&h->sum_us) / 1e6);
    lk_buf_printf(b, "%s_count%s%s%s %llu\n", name, labels[0] ? "{" : "", labels, labels[0] ? "}" : "",
                  (unsigned long long)cum);
}

static char *render(int64_t queued, size_t websockets, size_t *len)
{
    lk_buf_t b;
    lk_buf_init(&b, MAX_TEXT);
    header(&b, "loket_build_info", "gauge", "loket's version; always 1");
    lk_buf_printf(&b, "loket_build_info{version=\"%s\"} 1\n", LOKET_VERSION);

    header(&b, "loket_turns_total", "counter", "customer messages the conversation policy handled");
    lk_buf_printf(&b, "loket_turns_total %llu\n", (unsigned long long)get(&reg.turns));

    header(&b, "loket_decisions_total", "counter", "what the bot made of customer messages, by outcome");
    for (size_t i = 0; i < N_OUTCOMES; i++) {
        const char *name = i + 1 < N_OUTCOMES ? lk_outcome_name((lk_outcome_t)(i + 1)) : "other";
        lk_buf_printf(&b, "loket_decisions_total{outcome=\"%s\"} %llu\n", name,
                      (unsigned long long)get(&reg.decisions[i]));
    }

    header(&b, "loket_handoffs_total", "counter", "hand-offs to a person, by reason");
    for (size_t i = 0; i < N_REASONS; i++) {
        const char *name = i + 1 < N_REASONS ? lk_handoff_reason_name((lk_handoff_reason_t)(i + 1)) : "other";
        lk_buf_printf(&b, "loket_handoffs_total{reason=\"%s\"} %llu\n", name,
                      (unsigned long long)get(&reg.handoffs[i]));
    }

    header(&b, "loket_security_events_total", "counter",
           "security events (docs/security.md): failed logins, lockouts, refused cross-site requests, role "
           "refusals, 429s; by kind");
    for (size_t i = LK_SEC_LOGIN_FAILED; i < LK_SEC__COUNT; i++)
        lk_buf_printf(&b, "loket_security_events_total{kind=\"%s\"} %llu\n", lk_sec_kind_name((lk_sec_kind_t)i),
                      (unsigned long long)lk_security_event_count((lk_sec_kind_t)i));

    header(&b, "loket_queue_length", "gauge", "conversations waiting in the queue for a person");
    lk_buf_printf(&b, "loket_queue_length %lld\n", (long long)queued);

    header(&b, "loket_queue_wait_seconds", "histogram",
           "time conversations waited in the queue, observed when an agent claimed them");
    hist_text(&b, "loket_queue_wait_seconds", "", &reg.queue_wait, wait_bounds, N_WAIT_BOUNDS);

    header(&b, "loket_http_request_duration_seconds", "histogram",
           "time from a request's arrival to its answer, by route pattern and status class");
    for (size_t r = 0; reg.http && r <= reg.n_routes; r++) {
        for (size_t k = 0; k < STATUS_CLASSES; k++) {
            hist_t *h = &reg.http[r * STATUS_CLASSES + k];
            if (get(&h->count) == 0)
                continue;
            lk_buf_t l;
            lk_buf_init(&l, 1024);
            lk_buf_append_cstr(&l, "method=\"");
            label_value(&l, r < reg.n_routes ? reg.routes[r].method : "");
            lk_buf_append_cstr(&l, "\",route=\"");
            label_value(&l, r < reg.n_routes ? reg.routes[r].pattern : "other");
            lk_buf_printf(&l, "\",status=\"%zuxx\"", k + 1);
            char *labels = lk_buf_steal(&l, NULL);
            hist_text(&b, "loket_http_request_duration_seconds", labels ? labels : "", h, http_bounds, N_HTTP_BOUNDS);
            free(labels);
        }
    }

    header(&b, "loket_websocket_connections", "gauge", "open WebSocket connections (customers' and agents')");
    lk_buf_printf(&b, "loket_websocket_connections %zu\n", websockets);
    return lk_buf_steal(&b, len);
}

/* ---- the endpoint -------------------------------------------------------- */

/* The queue's length (job->data). */
typedef struct {
    int64_t queued;
} queued_t;

/* It calls lk_job_fail (respond.c), not route.c's lk_api_fail: metrics.c
 * sits below route.c and secevents.c, which count into it. */
static void metrics_run(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    queued_t *q = j->data;
    if (lk_store_conv_count_queued(st, &q->queued) != 0)
        lk_job_fail(&j->job, &j->err, LK_EDB, 500, "internal", "the metrics could not be read");
}

static bool metrics_answer(lk_api_job_t *j)
{
    if (j->job.rc)
        return true;
    queued_t *q = j->data;
    size_t len = 0;
    char *text = render(q->queued, lk_http_server_ws_count(j->app->http), &len);
    lk_http_res_header(j->req, "cache-control", "no-store");
    lk_http_respond(j->req, 200, "text/plain; version=0.0.4; charset=utf-8", text ? text : "", len);
    free(text);
    return false;
}

static bool loopback(const char *host)
{
    return strcmp(host, "localhost") == 0 || strncmp(host, "127.", 4) == 0 || strcmp(host, "::1") == 0;
}

bool lk_metrics_listen_local(const char *listen)
{
    char host[128];
    snprintf(host, sizeof host, "%s", listen);
    char *colon = strrchr(host, ':');
    if (colon)
        *colon = '\0';
    return loopback(host);
}

/* True when the request may read the metrics; false after answering 401
 * (no or a wrong token) or 403 (no token configured, not local). */
static bool authorized(struct lk_app *app, lk_http_req_t *req)
{
    const char *want = app->cfg.metrics_token;
    if (!want[0]) {
        char addr[LK_ADDR_MAX];
        lk_api_client_addr(app, req, addr);
        if (lk_metrics_listen_local(app->cfg.listen) && loopback(addr))
            return true;
        lk_respond_error(req, 403, "metrics_token_required",
                         "set the option metrics_token: without it the metrics are shown only on a loopback "
                         "listen address, to local clients");
        return false;
    }
    lk_str_t h;
    bool ok = false;
    if (lk_http_req_header(req, "authorization", &h) && h.len > 7 && strncasecmp(h.base, "bearer ", 7) == 0) {
        char got_hash[LK_TOKEN_HASH_LEN + 1], want_hash[LK_TOKEN_HASH_LEN + 1];
        lk_token_hash(h.base + 7, h.len - 7, got_hash);
        lk_token_hash(want, strlen(want), want_hash);
        ok = lk_const_eq(got_hash, want_hash, LK_TOKEN_HASH_LEN);
    }
    if (!ok) {
        lk_http_res_header(req, "www-authenticate", "Bearer realm=\"loket metrics\"");
        lk_respond_error(req, 401, "unauthorized", "the metrics need \"Authorization: Bearer\" with the metrics token");
    }
    return ok;
}

static bool metrics_prepare(lk_api_job_t *j)
{
    return authorized(j->app, j->req);
}

/* The metrics token (or a loopback listen address and client) instead of a
 * session; the answer is Prometheus text. */
static const lk_api_route_t routes[] = {
    {"GET", "/metrics", LK_ACCESS_ANYONE, .steps = {{.pool = LK_ON_READER, .run = metrics_run}}, .prepare = metrics_prepare,
     .after = metrics_answer, .data_size = sizeof(queued_t)},
};

void lk_api_metrics_table(const lk_api_route_t **r, size_t *n)
{
    *r = routes;
    *n = sizeof routes / sizeof routes[0];
}
