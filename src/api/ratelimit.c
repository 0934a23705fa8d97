/*
 * Rate limits: a sliding window per key, in memory.
 *
 * Each key (an account, a client address, a conversation) keeps the times of
 * its recent events, at most `limit` of them, oldest first; an event is
 * allowed when fewer than `limit` of them lie within the window. That is
 * exact (no fixed-window bursts at the edges) and costs at most limit * 8
 * bytes per key. Keys live in a hash table with a least-recently-used list:
 * keys whose events have all expired are dropped as new ones come in, and
 * when max_keys are held the least recently used key is forgotten, so the
 * memory is bounded whatever clients send.
 *
 * The limits are per process: with several loket nodes behind a load
 * balancer, each node counts for itself (docs/security.md).
 */
#include "api/api_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct entry entry_t;
struct entry {
    entry_t *chain;         /* next in the bucket */
    entry_t *newer, *older; /* the LRU list */
    char *key;
    int64_t *ts; /* event times; ts[head .. head+n) oldest first */
    size_t head, n, cap;
};

struct lk_ratelimit {
    pthread_mutex_t mu;
    size_t limit;
    int64_t window_ms;
    size_t max_keys;
    size_t n_keys;
    entry_t **buckets;
    size_t n_buckets; /* a power of two */
    entry_t *newest, *oldest;
};

static uint64_t hash_key(const char *key)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    return h;
}

lk_ratelimit_t *lk_ratelimit_new(size_t limit, int64_t window_ms, size_t max_keys)
{
    lk_ratelimit_t *rl = lk_xcalloc(1, sizeof *rl);
    pthread_mutex_init(&rl->mu, NULL);
    rl->limit = limit;
    rl->window_ms = window_ms > 0 ? window_ms : 1;
    rl->max_keys = max_keys > 0 ? max_keys : 1;
    rl->n_buckets = 64;
    while (rl->n_buckets < rl->max_keys && rl->n_buckets < (1u << 20))
        rl->n_buckets <<= 1;
    rl->buckets = lk_xcalloc(rl->n_buckets, sizeof *rl->buckets);
    return rl;
}

static void entry_free(entry_t *e)
{
    free(e->key);
    free(e->ts);
    free(e);
}

void lk_ratelimit_free(lk_ratelimit_t *rl)
{
    if (!rl)
        return;
    for (entry_t *e = rl->newest, *next; e; e = next) {
        next = e->older;
        entry_free(e);
    }
    free(rl->buckets);
    pthread_mutex_destroy(&rl->mu);
    free(rl);
}

static entry_t **slot_of(lk_ratelimit_t *rl, const char *key)
{
    entry_t **slot = &rl->buckets[hash_key(key) & (rl->n_buckets - 1)];
    while (*slot && strcmp((*slot)->key, key) != 0)
        slot = &(*slot)->chain;
    return slot;
}

static void lru_unlink(lk_ratelimit_t *rl, entry_t *e)
{
    if (e->newer)
        e->newer->older = e->older;
    else
        rl->newest = e->older;
    if (e->older)
        e->older->newer = e->newer;
    else
        rl->oldest = e->newer;
    e->newer = e->older = NULL;
}

static void lru_push(lk_ratelimit_t *rl, entry_t *e)
{
    e->older = rl->newest;
    e->newer = NULL;
    if (rl->newest)
        rl->newest->newer = e;
    rl->newest = e;
    if (!rl->oldest)
        rl->oldest = e;
}

static void remove_entry(lk_ratelimit_t *rl, entry_t *e)
{
    entry_t **slot = slot_of(rl, e->key);
    *slot = e->chain;
    lru_unlink(rl, e);
    entry_free(e);
    rl->n_keys--;
}

static void expire(lk_ratelimit_t *rl, entry_t *e, int64_t now)
{
    while (e->n > 0 && e->ts[e->head] <= now - rl->window_ms) {
        e->head++;
        e->n--;
    }
    if (e->n == 0)
        e->head = 0;
}

/* Drops a few least recently used keys whose events have all expired. */
static void sweep(lk_ratelimit_t *rl, int64_t now)
{
    for (int i = 0; i < 4 && rl->oldest; i++) {
        entry_t *e = rl->oldest;
        if (e->n > 0 && e->ts[e->head + e->n - 1] > now - rl->window_ms)
            break;
        remove_entry(rl, e);
    }
}

bool lk_ratelimit_hit(lk_ratelimit_t *rl, const char *key, int64_t now, int64_t *retry_ms)
{
    if (retry_ms)
        *retry_ms = 0;
    if (!rl || rl->limit == 0)
        return true;
    pthread_mutex_lock(&rl->mu);
    sweep(rl, now);
    entry_t **slot = slot_of(rl, key);
    entry_t *e = *slot;
    if (!e) {
        if (rl->n_keys >= rl->max_keys && rl->oldest) {
            remove_entry(rl, rl->oldest);
            slot = slot_of(rl, key);
        }
        e = lk_xcalloc(1, sizeof *e);
        e->key = lk_xstrdup(key);
        *slot = e;
        rl->n_keys++;
    } else {
        lru_unlink(rl, e);
    }
    lru_push(rl, e);
    expire(rl, e, now);
    if (e->n >= rl->limit) {
        int64_t wait = e->ts[e->head] + rl->window_ms - now;
        if (retry_ms)
            *retry_ms = wait > 0 ? wait : 1;
        pthread_mutex_unlock(&rl->mu);
        return false;
    }
    if (e->head + e->n == e->cap) {
        if (e->head > 0) { /* room at the front: move down */
            memmove(e->ts, e->ts + e->head, e->n * sizeof *e->ts);
            e->head = 0;
        } else {
            size_t cap = e->cap ? e->cap * 2 : 4;
            if (cap > rl->limit)
                cap = rl->limit;
            e->ts = lk_xrealloc(e->ts, cap * sizeof *e->ts);
            e->cap = cap;
        }
    }
    /* a clock that stepped back must not unsort the window */
    int64_t last = e->n ? e->ts[e->head + e->n - 1] : now;
    e->ts[e->head + e->n++] = now > last ? now : last;
    pthread_mutex_unlock(&rl->mu);
    return true;
}

void lk_ratelimit_forgive(lk_ratelimit_t *rl, const char *key)
{
    if (!rl || rl->limit == 0)
        return;
    pthread_mutex_lock(&rl->mu);
    entry_t *e = *slot_of(rl, key);
    if (e && e->n > 0)
        e->n--;
    if (e && e->n == 0)
        remove_entry(rl, e);
    pthread_mutex_unlock(&rl->mu);
}

void lk_ratelimit_reset(lk_ratelimit_t *rl, const char *key)
{
    if (!rl || rl->limit == 0)
        return;
    pthread_mutex_lock(&rl->mu);
    entry_t *e = *slot_of(rl, key);
    if (e)
        remove_entry(rl, e);
    pthread_mutex_unlock(&rl->mu);
}

size_t lk_ratelimit_keys(lk_ratelimit_t *rl)
{
    if (!rl)
        return 0;
    pthread_mutex_lock(&rl->mu);
    size_t n = rl->n_keys;
    pthread_mutex_unlock(&rl->mu);
    return n;
}
