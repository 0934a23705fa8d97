/*
 * What the server knows of people and the queue, for the conversation
 * engine (lk_conv_engine_t's people hook) and the views of a queued
 * conversation: how many agents are online and the recent real waits
 * change slowly, but every turn asks for them, so they are read from the
 * database at most once a second and shared by all threads (one server has
 * one database, so one cache per process is enough). The estimate itself is
 * pure (lk_analytics_wait_estimate: how many samples, which window, the
 * range).
 */
#include "api/api_int.h"

#include <string.h>

#define STATS_TTL_MS 1000

static struct {
    pthread_mutex_t mu;
    int64_t at;
    int64_t agents_online;
    int64_t waits[LK_WAIT_MAX_SAMPLES]; /* ms, the most recent first */
    size_t n_waits;
} stats = {PTHREAD_MUTEX_INITIALIZER, 0, -1, {0}, 0};

/* Reads the figures into the cache when it is stale; call with stats.mu held. */
static void refresh_stats(lk_store_t *st, int64_t now)
{
    if (stats.at != 0 && now - stats.at < STATS_TTL_MS && now >= stats.at)
        return;
    lk_conv_people_t p;
    lk_conv_people_read(st, now, &p);
    memcpy(stats.waits, p.waits, p.n_waits * sizeof *p.waits);
    stats.n_waits = p.n_waits;
    stats.at = now;
    stats.agents_online = p.agents_online;
}

void lk_queue_people(void *ud, lk_store_t *st, int64_t now, lk_conv_people_t *out)
{
    (void)ud;
    pthread_mutex_lock(&stats.mu);
    refresh_stats(st, now);
    out->agents_online = stats.agents_online;
    memcpy(out->waits, stats.waits, stats.n_waits * sizeof *stats.waits);
    out->n_waits = stats.n_waits;
    pthread_mutex_unlock(&stats.mu);
}

void lk_queue_stats_invalidate(void)
{
    pthread_mutex_lock(&stats.mu);
    stats.at = 0;
    pthread_mutex_unlock(&stats.mu);
}

void lk_queue_estimate(lk_store_t *st, int64_t position, int64_t now, lk_analytics_wait_t *out)
{
    pthread_mutex_lock(&stats.mu);
    refresh_stats(st, now);
    lk_analytics_wait_estimate(stats.waits, stats.n_waits, position, out);
    pthread_mutex_unlock(&stats.mu);
}

void lk_queue_env(lk_store_t *st, const lk_conv_t *conv, int64_t now, lk_policy_env_t *env)
{
    lk_conv_engine_t eng = {.people = lk_queue_people};
    lk_conv_queue_env(&eng, st, conv, now, env);
}

