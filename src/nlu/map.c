/*
 * map.c: the NLU's key -> index tables (open addressing, linear probing;
 * key 0 marks an empty slot), shared by the model's features, the
 * neighbours' terms and the vocabulary's words. The read side is inline in
 * nlu_int.h (it is on the path of every message).
 */
#include "nlu/nlu_int.h"

#include "util/util.h"

#include <stdlib.h>
#include <string.h>

#define MAP_FIRST_CAP 1024

uint32_t lk_nlu__map_put(lk_nlu__map_t *m, uint64_t key, uint32_t val)
{
    if ((m->n + 1) * 2 > m->cap) {
        lk_nlu__map_t old = *m;
        m->cap = old.cap ? old.cap * 2 : MAP_FIRST_CAP;
        m->keys = lk_xcalloc(m->cap, sizeof *m->keys);
        m->vals = lk_xcalloc(m->cap, sizeof *m->vals);
        for (size_t i = 0; i < old.cap; i++)
            if (old.keys[i]) {
                size_t j = lk_nlu__map_slot(m, old.keys[i]);
                m->keys[j] = old.keys[i];
                m->vals[j] = old.vals[i];
            }
        free(old.keys);
        free(old.vals);
    }
    size_t i = lk_nlu__map_slot(m, key);
    if (!m->keys[i]) {
        m->keys[i] = key;
        m->vals[i] = val;
        m->n++;
    }
    return m->vals[i];
}

uint32_t lk_nlu__map_add(lk_nlu__map_t *m, uint64_t key)
{
    return lk_nlu__map_put(m, key, (uint32_t)m->n);
}

void lk_nlu__map_free(lk_nlu__map_t *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}
