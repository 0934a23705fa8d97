/*
 * vocab.c: the words of a knowledge base, so that a customer's word the
 * knowledge base does not know can still find the one it means: a word one
 * or two letters off ("retourneeren", "bestelng") reads as the known word,
 * and a Dutch compound of known words ("retourzending", "verzendkosten")
 * reads as its parts; a word of the synonym lexicon (synonyms.c) reads as
 * the known word it is a synonym or translation of ("opsturen" as
 * "verzenden", "invoice" as "factuur"). Built with the model; read-only
 * afterwards.
 */
#include "nlu/nlu_int.h"

#include "util/util.h"

#include <stdlib.h>
#include <string.h>

#define MIN_FUZZY 4    /* shorter words are not corrected */
#define MIN_COMPOUND 7 /* shorter words are not split */
#define MIN_PART 3     /* each part of a compound has at least this many letters */
#define MIN_SYNONYM 3  /* shorter words are not read through the lexicon */
#define LEN_MAX (LK_NLU__STEM_MAX - 1)

static uint64_t hash(char kind, const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    h = (h ^ (unsigned char)kind) * 1099511628211ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    h ^= h >> 31;
    return h ? h : 1;
}

/* The entry of a word (kind 'w') or stem (kind 's'), or -1. */
static long find(const lk_nlu__vocab_t *v, char kind, const char *s, size_t n)
{
    return lk_nlu__map_get(&v->index, hash(kind, s, n));
}

void lk_nlu__vocab_add(lk_nlu__vocab_t *v, const lk_nlu__prep_t *p)
{
    for (size_t i = 0; i < p->n_toks; i++) {
        const char *w = p->norm + p->toks[i].off;
        size_t wl = p->toks[i].len;
        if (p->toks[i].type != LK_TOK_WORD || wl < MIN_PART || wl > LEN_MAX || lk_nlu__function_word(w, wl) ||
            (find(v, 'w', w, wl) >= 0 && find(v, 's', p->stems[i], p->stem_len[i]) >= 0))
            continue; /* a word is added again when it has another stem (in the other language) */
        if (v->n == v->n_cap) {
            v->n_cap = v->n_cap ? v->n_cap * 2 : 256;
            v->entries = lk_xrealloc(v->entries, v->n_cap * sizeof *v->entries);
        }
        lk_nlu__vocab_entry_t *e = &v->entries[v->n];
        memcpy(e->word, w, wl);
        e->word[wl] = '\0';
        e->wlen = (uint8_t)wl;
        memcpy(e->stem, p->stems[i], p->stem_len[i]);
        e->stem[p->stem_len[i]] = '\0';
        e->slen = p->stem_len[i];
        lk_nlu__map_put(&v->index, hash('w', w, wl), (uint32_t)v->n);
        lk_nlu__map_put(&v->index, hash('s', e->stem, e->slen), (uint32_t)v->n);
        v->n++;
    }
}

void lk_nlu__vocab_free(lk_nlu__vocab_t *v)
{
    lk_nlu__map_free(&v->index);
    free(v->entries);
    memset(v, 0, sizeof *v);
}

/* The entry of a known word or stem, or -1. */
static long known(const lk_nlu__vocab_t *v, const char *w, size_t wl, const char *s, size_t sl)
{
    long e = find(v, 'w', w, wl);
    return e >= 0 ? e : find(v, 's', s, sl);
}

/* Lets x (unknown) read as y (known), by x's word ('z') and stem ('y'). */
static void link_pair(lk_nlu__vocab_t *v, const char *x, size_t xl, const char *xs, size_t xsl, const char *y,
                      size_t yl, const char *ys, size_t ysl)
{
    if (xl < MIN_SYNONYM || lk_nlu__function_word(x, xl) || known(v, x, xl, xs, xsl) >= 0)
        return;
    long e = known(v, y, yl, ys, ysl);
    if (e < 0)
        return;
    lk_nlu__map_put(&v->index, hash('z', x, xl), (uint32_t)e); /* the first link of a word stays */
    lk_nlu__map_put(&v->index, hash('y', xs, xsl), (uint32_t)e);
}

void lk_nlu__vocab_link_synonyms(lk_nlu__vocab_t *v)
{
    if (!v->n)
        return;
    size_t n;
    const lk_nlu__syn_pair_t *p = lk_nlu__lexicon(&n);
    for (size_t i = 0; i < n; i++) {
        link_pair(v, p[i].a, p[i].la, p[i].sa, p[i].lsa, p[i].b, p[i].lb, p[i].sb, p[i].lsb);
        link_pair(v, p[i].b, p[i].lb, p[i].sb, p[i].lsb, p[i].a, p[i].la, p[i].sa, p[i].lsa);
    }
}

long lk_nlu__vocab_synonym(const lk_nlu__vocab_t *v, const char *w, size_t wl, const char *s, size_t sl)
{
    if (wl < MIN_SYNONYM || wl > LEN_MAX)
        return -1;
    long e = find(v, 'z', w, wl);
    return e >= 0 ? e : find(v, 'y', s, sl);
}

/* The entry one or two letters from w (two for words of 8 letters or more)
 * with the same first letter, the closest and then the first added; -1. */
static long nearest(const lk_nlu__vocab_t *v, const char *w, size_t wl)
{
    size_t max = wl >= 8 ? 2 : 1;
    long best = -1;
    size_t best_d = max + 1;
    for (size_t i = 0; i < v->n; i++) {
        const lk_nlu__vocab_entry_t *e = &v->entries[i];
        if (e->word[0] != w[0] || e->wlen + max < wl || wl + max < e->wlen || e->wlen < MIN_FUZZY)
            continue;
        size_t d = lk_nlu__edit_distance(w, wl, e->word, e->wlen, best_d - 1 < max ? best_d - 1 : max);
        if (d < best_d) {
            best_d = d;
            best = (long)i;
            if (d == 1 && max == 1)
                break;
        }
    }
    return best_d <= max ? best : -1;
}

/* A known word or stem that s[0..n) is, or is with a linking s or e. */
static long part(const lk_nlu__vocab_t *v, const char *s, size_t n, bool left)
{
    long e = find(v, 'w', s, n);
    if (e < 0)
        e = find(v, 's', s, n);
    if (e < 0 && left && n > MIN_PART && (s[n - 1] == 's' || s[n - 1] == 'e')) {
        e = find(v, 'w', s, n - 1);
        if (e < 0)
            e = find(v, 's', s, n - 1);
    }
    return e;
}

static void set_stem(lk_nlu__prep_t *p, size_t i, const lk_nlu__vocab_entry_t *e)
{
    memcpy(p->stems[i], e->stem, e->slen);
    p->stems[i][e->slen] = '\0';
    p->stem_len[i] = e->slen;
}

size_t lk_nlu__vocab_correct(const lk_nlu__vocab_t *v, lk_nlu__prep_t *p)
{
    return lk_nlu__vocab_correct_via(v, p, NULL);
}

size_t lk_nlu__vocab_correct_via(const lk_nlu__vocab_t *v, lk_nlu__prep_t *p, long *via)
{
    if (via)
        for (size_t i = 0; i < LK_NLU__MAX_TOKENS; i++)
            via[i] = -1;
    if (!v->n)
        return 0;
    size_t n = p->n_toks, changed = 0;
    for (size_t i = 0; i < n; i++) {
        const char *w = p->norm + p->toks[i].off;
        size_t wl = p->toks[i].len;
        if (p->toks[i].type != LK_TOK_WORD || wl < MIN_SYNONYM || wl > LEN_MAX ||
            find(v, 's', p->stems[i], p->stem_len[i]) >= 0 || find(v, 'w', w, wl) >= 0 || lk_nlu__function_word(w, wl))
            continue; /* known, or a known word stemmed in another language */
        long e = wl >= MIN_FUZZY ? nearest(v, w, wl) : -1;
        if (e < 0) { /* not a typo of a known word: a synonym of one? */
            e = lk_nlu__vocab_synonym(v, w, wl, p->stems[i], p->stem_len[i]);
            if (e >= 0 && via)
                via[i] = e;
        }
        if (e >= 0) {
            set_stem(p, i, &v->entries[e]);
            changed++;
            continue;
        }
        if (wl < MIN_COMPOUND || p->n_toks >= LK_NLU__MAX_TOKENS)
            continue;
        for (size_t j = wl - MIN_PART; j >= MIN_PART; j--) { /* the longest known first part */
            long a = part(v, w, j, true), b = a >= 0 ? part(v, w + j, wl - j, false) : -1;
            if (b < 0)
                continue;
            size_t k = p->n_toks++;
            p->toks[k] = p->toks[i];
            p->toks[k].off += j;
            p->toks[k].len = wl - j;
            p->toks[i].len = j;
            set_stem(p, i, &v->entries[a]);
            set_stem(p, k, &v->entries[b]);
            changed++;
            break;
        }
    }
    return changed;
}
