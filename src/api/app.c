/*
 * The application: opens the database (with the demo knowledge base on first
 * start), builds the bot, starts the worker pools, the knowledge-base watcher
 * and the HTTP server with the route table; and stops all of it gracefully,
 * in the reverse order, so that every request in flight is answered and
 * every acknowledged write is committed before the database closes.
 */
#include "api/api_int.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MODULE "app"

/* Every part of the API adds its routes here; the static pages come last. */
static void (*const route_parts[])(const lk_http_route_t **, size_t *) = {
    lk_api_customer_routes,
    lk_api_agent_routes,
    lk_api_security_routes,
    lk_api_users_routes,
    lk_api_assist_routes,
    lk_api_privacy_routes,
    lk_api_insights_routes,
    lk_api_knowledge_routes,
    lk_api_analytics_routes,
    lk_api_metrics_routes,
    lk_api_static_routes,
};
#define N_PARTS (sizeof route_parts / sizeof route_parts[0])

static lk_http_route_t *all_routes(size_t *n)
{
    const lk_http_route_t *parts[N_PARTS];
    size_t counts[N_PARTS];
    *n = 0;
    for (size_t p = 0; p < N_PARTS; p++) {
        route_parts[p](&parts[p], &counts[p]);
        *n += counts[p];
    }
    lk_http_route_t *r = lk_xcalloc(*n, sizeof *r);
    size_t k = 0;
    for (size_t p = 0; p < N_PARTS; p++)
        for (size_t i = 0; i < counts[p]; i++)
            r[k++] = parts[p][i];
    return r;
}

static lk_http_route_t *routes;

/* Creates the database when missing; a new one gets the demo knowledge base. */
static int prepare_database(const lk_config_t *cfg)
{
    lk_store_t *st;
    bool created = false;
    int rc = lk_store_open(cfg->data, &st, &created);
    if (rc) {
        LK_ERROR(MODULE, "cannot open the database in %s: %s", cfg->data, lk_strerror(rc));
        return rc;
    }
    if (created) {
        lk_kb_t kb;
        rc = lk_kb_demo(&kb);
        if (rc == 0) {
            rc = lk_store_begin(st);
            if (rc == 0)
                rc = lk_store_kb_import(st, &kb, false, lk_time_now_ms());
            if (rc == 0)
                rc = lk_store_commit(st);
            else
                lk_store_rollback(st);
            if (rc == 0)
                LK_INFO(MODULE, "new database: loaded the demo knowledge base (%zu articles)", kb.n_articles);
        }
        lk_kb_free(&kb);
        if (rc)
            LK_ERROR(MODULE, "cannot load the demo knowledge base: %s", lk_strerror(rc));
    }
    lk_store_close(st);
    return rc;
}

int lk_app_start(const lk_config_t *cfg, lk_app_t **out)
{
    int rc = prepare_database(cfg);
    if (rc)
        return rc;
    struct lk_app *app = lk_xcalloc(1, sizeof *app);
    app->cfg = *cfg;
    lk_policy_config_default(&app->policy);
    for (size_t i = 0; i < cfg->n_extra; i++) {
        rc = lk_policy_config_set(&app->policy, cfg->extra[i].name + 7, cfg->extra[i].value);
        if (rc) {
            LK_ERROR(MODULE, "option %s: %s", cfg->extra[i].name,
                     rc == LK_ENOENT ? "no such policy option (see docs/policy.md)" : "invalid value");
            free(app);
            return LK_EINVAL;
        }
    }
    pthread_mutex_init(&app->bot_mu, NULL);
    pthread_mutex_init(&app->watch_mu, NULL);
    pthread_cond_init(&app->watch_cv, NULL);

    lk_store_t *st;
    rc = lk_store_open(cfg->data, &st, NULL);
    if (rc == 0) {
        int64_t t0 = lk_time_mono_ns();
        rc = lk_bot_build(st, lk_bot_answer_risk(app), &app->bot);
        lk_store_close(st);
        if (rc == 0) {
            LK_INFO(MODULE, "bot ready: %zu articles, built in %.0f ms", app->bot->kb.n_articles,
                    (double)(lk_time_mono_ns() - t0) / 1e6);
            lk_bot_log_calibration(app->bot);
        }
    }
    if (rc == 0)
        rc = lk_security_start(app);
    if (rc == 0)
        rc = lk_pool_start(LK_POOL_WRITER, 1, cfg->data, app, &app->writer);
    if (rc == 0)
        rc = lk_pool_start(LK_POOL_READER, (size_t)cfg->db_readers, cfg->data, app, &app->readers);
    if (rc == 0)
        rc = lk_pool_start(LK_POOL_CPU, 2, cfg->data, app, &app->cpu);
    if (rc == 0)
        rc = lk_bot_watch_start(app);
    if (rc == 0) {
        size_t n_routes;
        free(routes);
        routes = all_routes(&n_routes);
        lk_metrics_init(routes, n_routes);
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
        };
        rc = lk_http_server_start(&hc, &app->http);
        if (rc)
            LK_ERROR(MODULE, "cannot start the HTTP server on %s: %s", cfg->listen, lk_strerror(rc));
    }
    if (rc) {
        lk_app_stop(app);
        return rc;
    }
    lk_hub_init_loops(app);
    const char *host = strncmp(cfg->listen, "0.0.0.0:", 8) == 0 ? "127.0.0.1" : NULL;
    char hostbuf[128];
    snprintf(hostbuf, sizeof hostbuf, "%s", cfg->listen);
    char *colon = strrchr(hostbuf, ':');
    if (colon)
        *colon = '\0';
    LK_INFO(MODULE, "listening on http://%s:%d", host ? host : hostbuf, lk_http_server_port(app->http));
    if (cfg->public_url[0])
        LK_INFO(MODULE, "open %s", cfg->public_url);
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
        lk_hub_free_loops(app);
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
