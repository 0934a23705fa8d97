/*
 * Interned strings (conversation ids, topic keys) numbered 0, 1, ... in the
 * order first seen: a report refers to a conversation or a topic by its
 * number, and finds the number of an id in constant time. Pure.
 */
#include "analytics/analytics.h"

#include <stdlib.h>
#include <string.h>

static uint64_t fnv(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

uint32_t lk_analytics_intern(lk_analytics_intern_t *t, const char *key)
{
    if ((t->n + 1) * 2 > t->n_slots) { /* grow and rehash */
        size_t ns = t->n_slots ? t->n_slots * 2 : 64;
        uint32_t *slots = lk_xcalloc(ns, sizeof *slots);
        for (size_t i = 0; i < t->n; i++) {
            size_t k = (size_t)(fnv(t->keys[i]) & (ns - 1));
            while (slots[k])
                k = (k + 1) & (ns - 1);
            slots[k] = (uint32_t)i + 1;
        }
        free(t->slots);
        t->slots = slots;
        t->n_slots = ns;
    }
    size_t k = (size_t)(fnv(key) & (t->n_slots - 1));
    while (t->slots[k]) {
        if (strcmp(t->keys[t->slots[k] - 1], key) == 0)
            return t->slots[k] - 1;
        k = (k + 1) & (t->n_slots - 1);
    }
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 64;
        t->keys = lk_xrealloc(t->keys, t->cap * sizeof *t->keys);
    }
    t->keys[t->n] = lk_xstrdup(key);
    t->slots[k] = (uint32_t)t->n + 1;
    return (uint32_t)t->n++;
}

long lk_analytics_intern_find(const lk_analytics_intern_t *t, const char *key)
{
    if (!t->n_slots)
        return -1;
    size_t k = (size_t)(fnv(key) & (t->n_slots - 1));
    while (t->slots[k]) {
        if (strcmp(t->keys[t->slots[k] - 1], key) == 0)
            return (long)t->slots[k] - 1;
        k = (k + 1) & (t->n_slots - 1);
    }
    return -1;
}

void lk_analytics_intern_free(lk_analytics_intern_t *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->keys[i]);
    free(t->keys);
    free(t->slots);
    memset(t, 0, sizeof *t);
}
