/*
 * The application: opens the database (with the demo knowledge base when it
 * never had one), builds the bot, starts the worker pools, the knowledge-base watcher
 * and the HTTP server with the route table; and stops all of it gracefully,
 * in the reverse order, so that every request in flight is answered and
 * every acknowledged write is committed before the database closes.
 */
#include "api/api_int.h"
#include "api/route.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MODULE "app"

/* Every part of the API declares its routes in a table of lk_api_route_t
 * (route.h: the generic handler serves them), added here in this order
 * (the static pages come last). */
static const lk_api_table_fn route_parts[] = {
    lk_api_customer_table,         lk_api_agent_table,     lk_api_security_table, lk_api_users_table,
    lk_api_assist_table,           lk_api_privacy_table,   lk_api_insights_table, lk_api_knowledge_table,
    lk_api_knowledge_drafts_table, lk_api_analytics_table, lk_api_metrics_table,  lk_api_static_table,
    lk_api_labelled_table,
};
#define N_PARTS (sizeof route_parts / sizeof route_parts[0])

const lk_api_table_fn *lk_api_route_tables(size_t *n)
{
    *n = N_PARTS;
    return route_parts;
}

static lk_http_route_t *routes;
static const lk_api_route_t **route_entries;

/* Every table's entries in order, into *entries (when not NULL), and the
 * server's routes made from them. */
static lk_http_route_t *collect_routes(const lk_api_route_t ***entries, size_t *n)
{
    const lk_api_route_t *tables[N_PARTS];
    size_t counts[N_PARTS];
    *n = 0;
    for (size_t p = 0; p < N_PARTS; p++) {
        route_parts[p](&tables[p], &counts[p]);
        *n += counts[p];
    }
    lk_http_route_t *r = lk_xcalloc(*n, sizeof *r);
    if (entries)
        *entries = lk_xcalloc(*n, sizeof **entries);
    size_t k = 0;
    for (size_t p = 0; p < N_PARTS; p++)
        for (size_t i = 0; i < counts[p]; i++, k++) {
            r[k] = (lk_http_route_t){tables[p][i].method, tables[p][i].path, lk_api_route_handle};
            if (entries)
                (*entries)[k] = &tables[p][i];
        }
    return r;
}

lk_http_route_t *lk_api_all_routes(size_t *n)
{
    return collect_routes(NULL, n);
}

/* The server's routes, handed to route.c with their table entries. */
static size_t n_routes_all;

static void make_routes(void)
{
    size_t n;
    free(routes);
    free(route_entries);
    routes = collect_routes(&route_entries, &n);
    lk_api_routes_serve(routes, route_entries, n);
    n_routes_all = n;
}

const lk_api_route_t *lk_api_route_find(const char *method, const char *path)
{
    for (size_t p = 0; p < N_PARTS; p++) {
        const lk_api_route_t *r = NULL;
        size_t n = 0;
        route_parts[p](&r, &n);
        for (size_t i = 0; i < n; i++)
            if (strcmp(r[i].method, method) == 0 && strcmp(r[i].path, path) == 0)
                return &r[i];
    }
    return NULL;
}

/* Refuses to start with a malformed route table (a programming error the
 * unit tests catch first). */
static int check_tables(void)
{
    size_t n_tables;
    const lk_api_table_fn *tables = lk_api_route_tables(&n_tables);
    for (size_t t = 0; t < n_tables; t++) {
        const lk_api_route_t *r;
        size_t n;
        tables[t](&r, &n);
        char why[256];
        if (lk_api_routes_check(r, n, why, sizeof why) != 0) {
            LK_ERROR(MODULE, "route table: %s", why);
            return LK_EINVAL;
        }
    }
    return 0;
}

int lk_app_load_demo(lk_store_t *st, const char *by, bool only_pristine, bool *loaded, lk_kb_import_counts_t *counts)
{
    if (!st || !by)
        return LK_EINVAL;
    if (loaded)
        *loaded = false;
    lk_kb_t kb;
    int rc = lk_kb_demo(&kb);
    if (rc)
        return rc;
    int64_t now = lk_time_now_ms();
    lk_kb_import_counts_t c = {0, 0, 0, 0};
    bool pristine = true;
    rc = lk_store_begin(st); /* IMMEDIATE: two servers starting at once load it once */
    if (rc == 0 && only_pristine)
        rc = lk_store_kb_pristine(st, &pristine);
    if (rc == 0 && pristine) {
        rc = lk_store_kb_import_as(st, &kb, false, NULL, now, &c);
        if (rc == 0)
            rc = lk_store_audit(st, now, by, "kb.demo", NULL, "upsert");
        /* the demo's canned responses, into a database that has none */
        size_t canned = 0;
        if (rc == 0)
            rc = lk_api_demo_canned(st, now, &canned);
        if (rc == 0 && canned > 0)
            LK_INFO(MODULE, "added the demo's %zu canned responses", canned);
    }
    if (rc == 0)
        rc = lk_store_commit(st);
    else
        lk_store_rollback(st);
    lk_kb_free(&kb);
    if (rc == 0 && loaded)
        *loaded = pristine;
    if (rc == 0 && counts)
        *counts = c;
    return rc;
}

/* Whether the published article that names the demo's opening hours still
 * has the demo's text (then LK_KB_DEMO_HOURS are the hours it promises). */
static bool demo_hours_published(lk_store_t *st)
{
    lk_kb_t demo;
    if (lk_kb_demo(&demo) != 0)
        return false;
    bool same = false;
    long k = lk_kb_find(&demo, LK_KB_DEMO_HOURS_ARTICLE);
    lk_article_rec_t rec;
    memset(&rec, 0, sizeof rec);
    if (k >= 0 && lk_store_article_get(st, LK_KB_DEMO_HOURS_ARTICLE, &rec) == 0) {
        same = rec.status == LK_ARTICLE_PUBLISHED && rec.a.answer && strcmp(rec.a.answer, demo.articles[k].answer) == 0;
        lk_article_rec_clear(&rec);
    }
    lk_kb_free(&demo);
    return same;
}

/* The host names requests may name (lk_http_config_t.public_hosts): the
 * option public_hosts, plus the host of public_url. */
static void effective_hosts(const lk_config_t *cfg, char *out, size_t outsize)
{
    if (strcmp(cfg->public_hosts, "*") == 0) {
        snprintf(out, outsize, "*");
        return;
    }
    const char *u = cfg->public_url, *host = strstr(u, "://");
    host = host ? host + 3 : u;
    size_t n = strcspn(host, ":/?#");
    snprintf(out, outsize, "%s %.*s", cfg->public_hosts, (int)(n < 256 ? n : 0), host);
}

/* Opens (and creates when missing) the database. One that never had a
 * knowledge base, whichever command created it, gets the demo knowledge
 * base; *demo_hours tells whether the demo's opening-hours article is
 * published as shipped. */
static int prepare_database(const lk_config_t *cfg, bool *demo_hours)
{
    lk_store_t *st;
    /* the data directory holds the keys also when the database is elsewhere */
    int rc = lk_make_dirs(cfg->data, MODULE);
    if (rc == 0)
        rc = lk_store_open(lk_config_database(cfg), &st, NULL);
    if (rc) {
        LK_ERROR(MODULE, "cannot open the database in %s: %s", lk_config_database(cfg), lk_strerror(rc));
        return rc;
    }
    bool loaded = false;
    lk_kb_import_counts_t counts;
    rc = lk_app_load_demo(st, "system", true, &loaded, &counts);
    if (rc == 0 && loaded)
        LK_INFO(MODULE, "no knowledge base yet: loaded the demo knowledge base (%zu articles)", counts.created);
    else if (rc)
        LK_ERROR(MODULE, "cannot load the demo knowledge base: %s", lk_strerror(rc));
    *demo_hours = rc == 0 && demo_hours_published(st);
    lk_store_close(st);
    return rc;
}

/* The policy options: defaults, then policy.* options. Without business_hours
 * the demo's hours apply while its opening-hours article is published as
 * shipped; otherwise a warning says that people count as reachable at any
 * hour. */
static int policy_options(struct lk_app *app, const lk_config_t *cfg, bool demo_hours)
{
    lk_policy_config_default(&app->policy);
    snprintf(app->time_zone, sizeof app->time_zone, "%s", "Europe/Amsterdam");
    bool hours_set = false;
    for (size_t i = 0; i < cfg->n_extra; i++) {
        if (strcmp(cfg->extra[i].name, "policy.business_hours") == 0)
            hours_set = true;
        size_t tzlen = strlen(cfg->extra[i].value);
        if (strcmp(cfg->extra[i].name, "policy.time_zone") == 0 && tzlen < sizeof app->time_zone)
            memcpy(app->time_zone, cfg->extra[i].value, tzlen + 1);
        int rc = lk_policy_config_set(&app->policy, cfg->extra[i].name + 7, cfg->extra[i].value);
        if (rc) {
            LK_ERROR(MODULE, "option %s: %s", cfg->extra[i].name,
                     rc == LK_ENOENT ? "no such policy option (see docs/policy.md)" : "invalid value");
            return LK_EINVAL;
        }
    }
    if (hours_set)
        return 0;
    if (demo_hours && lk_policy_hours_parse(LK_KB_DEMO_HOURS, &app->policy) == 0) {
        LK_INFO(MODULE, "business hours: %s, as the demo knowledge base says (set policy.business_hours to change)",
                LK_KB_DEMO_HOURS);
        return 0;
    }
    LK_WARN(MODULE, "policy.business_hours is not set: loket tells waiting customers that people are reachable at "
                    "any hour whenever an agent is logged in; set the opening hours (docs/policy.md)");
    return 0;
}

/* The writer's publish hook: a committed job's event to every loop's hub. */
static void app_publish(void *ud, lk_event_t *ev)
{
    lk_app_t *app = ud;
    lk_hub_publish(app->http, ev);
}

int lk_app_start(const lk_config_t *cfg, lk_app_t **out)
{
    bool demo_hours = false;
    int rc = prepare_database(cfg, &demo_hours);
    if (rc)
        return rc;
    struct lk_app *app = lk_xcalloc(1, sizeof *app);
    app->cfg = *cfg;
    if (policy_options(app, cfg, demo_hours) != 0) {
        free(app);
        return LK_EINVAL;
    }
    pthread_mutex_init(&app->bot_mu, NULL);
    pthread_mutex_init(&app->watch_mu, NULL);
    pthread_cond_init(&app->watch_cv, NULL);

    lk_store_t *st;
    rc = lk_store_open(lk_config_database(cfg), &st, NULL);
    if (rc == 0) {
        int64_t t0 = lk_time_mono_ns();
        rc = lk_bot_build(st, lk_bot_answer_risk(app), &app->bot);
        lk_store_close(st);
        if (rc == 0) {
            LK_INFO(MODULE, "bot ready: %zu articles, built in %.0f ms", app->bot->kb.n_articles,
                    (double)(lk_time_mono_ns() - t0) / 1e6);
            lk_bot_log_calibration(app->bot);
        }
        if (rc == 0)
            lk_bot_warn_if_empty(app->bot);
    }
    if (rc == 0)
        rc = check_tables();
    if (rc == 0)
        rc = lk_security_start(app);
    if (rc == 0)
        rc = lk_pool_start(LK_POOL_WRITER, 1, lk_config_database(cfg), app_publish, app, &app->writer);
    if (rc == 0)
        rc = lk_pool_start(LK_POOL_READER, (size_t)cfg->db_readers, lk_config_database(cfg), NULL, NULL, &app->readers);
    if (rc == 0)
        rc = lk_pool_start(LK_POOL_CPU, 2, lk_config_database(cfg), NULL, NULL, &app->cpu);
    if (rc == 0)
        rc = lk_bot_watch_start(app);
    if (rc == 0) {
        make_routes();
        size_t n_routes = n_routes_all;
        lk_metrics_init(routes, n_routes);
        effective_hosts(cfg, app->public_hosts, sizeof app->public_hosts);
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        lk_http_config_t hc = {
            .listen = cfg->listen,
            .threads = cfg->threads > 0 ? (int)cfg->threads : (int)(cores > 0 ? cores : 1),
            .max_body = (size_t)cfg->max_body,
            .routes = routes,
            .n_routes = n_routes,
            .ud = app,
            .not_found = lk_api_not_found,
            .cors_prefix = "/api/v1/conversations",
            .cors_origins = cfg->widget_origins,
            .default_headers = lk_api_default_headers,
            .n_default_headers = lk_api_n_default_headers,
            .on_done = lk_metrics_request,
            .public_hosts = app->public_hosts,
            .no_store_prefix = "/api/",
            .ws_queue_max = (size_t)cfg->ws_queue_max,
            .ws_timer_ms = (uint64_t)cfg->ws_auth_timeout_ms,
        };
        rc = lk_http_server_start(&hc, &app->http);
        if (rc)
            LK_ERROR(MODULE, "cannot start the HTTP server on %s: %s", cfg->listen, lk_strerror(rc));
    }
    if (rc) {
        lk_app_stop(app);
        return rc;
    }
    lk_hub_init_loops(app->http);
    const char *host = strncmp(cfg->listen, "0.0.0.0:", 8) == 0 ? "127.0.0.1" : NULL;
    char hostbuf[128];
    snprintf(hostbuf, sizeof hostbuf, "%s", cfg->listen);
    char *colon = strrchr(hostbuf, ':');
    if (colon)
        *colon = '\0';
    LK_INFO(MODULE, "listening on http://%s:%d", host ? host : hostbuf, lk_http_server_port(app->http));
    if (cfg->public_url[0])
        LK_INFO(MODULE, "open %s", cfg->public_url);
    if (!cfg->metrics_token[0] && !lk_metrics_listen_local(cfg->listen))
        LK_WARN(MODULE, "metrics_token is not set: GET /metrics answers 403 on this address (docs/security.md)");
    *out = app;
    return 0;
}

int lk_app_port(const lk_app_t *app)
{
    return lk_http_server_port(app->http);
}

void lk_app_stop(lk_app_t *app)
{
    if (!app)
        return;
    if (app->http) {
        LK_INFO(MODULE, "stopping: finishing requests in flight");
        lk_http_server_stop(app->http);
    }
    lk_bot_watch_stop(app);
    lk_pool_stop(app->writer); /* runs what is queued, commits, then closes */
    lk_pool_stop(app->readers);
    lk_pool_stop(app->cpu);
    if (app->http) {
        lk_hub_free_loops(app->http);
        lk_http_server_free(app->http);
    }
    lk_security_stop(app);
    lk_bot_release(app->bot);
    pthread_mutex_destroy(&app->bot_mu);
    pthread_mutex_destroy(&app->watch_mu);
    pthread_cond_destroy(&app->watch_cv);
    free(app);
    LK_INFO(MODULE, "stopped; the database is closed");
}
