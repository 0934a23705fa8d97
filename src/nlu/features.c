/*
 * features.c: from a message to the sparse feature vector the classifier
 * reads. Words are reduced to Snowball stems so "bestelling"/"bestellingen"
 * and "refund"/"refunds" meet; stem bigrams keep some word order ("not
 * working" vs "working"); character 3..5-grams of each word (with word
 * boundaries) make the match tolerant of typos and of compounds. Each feature
 * is a 64-bit FNV-1a hash of its group and content, so no vocabulary is
 * needed while extracting.
 */
#include "nlu/nlu_int.h"

#include "util/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Group weights, applied after each group is L2-normalised. */
#define W_STEM 1.0f
#define W_BIGRAM 0.6f
#define W_CHAR 0.8f
#define W_SPECIAL 0.5f

enum { G_STEM = 1, G_BIGRAM, G_CHAR, G_SPECIAL };

#define FNV_OFFSET 1469598103934665603ULL
#define FNV_PRIME 1099511628211ULL

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= FNV_PRIME;
    }
    return h;
}

static uint64_t key_start(int group)
{
    unsigned char g = (unsigned char)group;
    return fnv(FNV_OFFSET, &g, 1);
}

static uint64_t finish(uint64_t h)
{
    /* splitmix64 finaliser: spreads FNV's low bits for the hash tables */
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return h ? h : 1;
}

void lk_nlu__fvec_free(lk_nlu__fvec_t *fv)
{
    if (!fv)
        return;
    free(fv->v);
    fv->v = NULL;
    fv->n = fv->cap = 0;
}

static void push(lk_nlu__fvec_t *fv, uint64_t key, float val)
{
    if (fv->n == fv->cap) {
        fv->cap = fv->cap ? fv->cap * 2 : 256;
        fv->v = lk_xrealloc(fv->v, fv->cap * sizeof *fv->v);
    }
    fv->v[fv->n++] = (lk_nlu__feat_t){key, val};
}

int lk_nlu__prep(const char *text, size_t len, lk_nlu__prep_t *out)
{
    memset(out, 0, sizeof *out);
    int rc = lk_text_normalize(text, len, LK_TEXT_FOLD | LK_TEXT_STRIP_MARKS, &out->norm, &out->len);
    if (rc)
        return rc;
    size_t n = lk_text_tokenize(out->norm, out->len, out->toks, LK_NLU__MAX_TOKENS);
    out->n_toks = n > LK_NLU__MAX_TOKENS ? LK_NLU__MAX_TOKENS : n;
    return 0;
}

void lk_nlu__prep_stem(lk_nlu__prep_t *p, lk_text_stemmer_t *st)
{
    free(p->stems);
    p->stems = lk_xmalloc((p->n_toks ? p->n_toks : 1) * sizeof *p->stems);
    for (size_t i = 0; i < p->n_toks; i++) {
        const char *w = p->norm + p->toks[i].off;
        lk_text_stem(p->toks[i].type == LK_TOK_WORD ? st : NULL, w, p->toks[i].len, p->stems[i],
                     sizeof p->stems[i]);
    }
}

void lk_nlu__prep_free(lk_nlu__prep_t *p)
{
    if (!p)
        return;
    free(p->norm);
    free(p->stems);
    memset(p, 0, sizeof *p);
}

/* Sorts by key: insertion sort for short runs, quicksort above (qsort's
 * indirect comparisons cost more than the rest of feature extraction). */
static void sort_feats(lk_nlu__feat_t *v, size_t n)
{
    while (n > 16) {
        uint64_t a = v[0].key, b = v[n / 2].key, c = v[n - 1].key;
        uint64_t pivot = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
        size_t i = 0, j = n - 1;
        for (;;) {
            while (v[i].key < pivot)
                i++;
            while (v[j].key > pivot)
                j--;
            if (i >= j)
                break;
            lk_nlu__feat_t t = v[i];
            v[i] = v[j];
            v[j] = t;
            i++;
            j--;
        }
        /* recurse into the smaller part, loop on the larger */
        size_t left = j + 1;
        if (left < n - left) {
            sort_feats(v, left);
            v += left;
            n -= left;
        } else {
            sort_feats(v + left, n - left);
            n = left;
        }
    }
    for (size_t i = 1; i < n; i++) {
        lk_nlu__feat_t t = v[i];
        size_t j = i;
        while (j > 0 && v[j - 1].key > t.key) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = t;
    }
}

/* Sums duplicates of fv->v[from..n), then scales that range to norm w. */
static void close_group(lk_nlu__fvec_t *fv, size_t from, float w)
{
    size_t n = fv->n - from;
    if (!n)
        return;
    lk_nlu__feat_t *v = fv->v + from;
    sort_feats(v, n);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m && v[m - 1].key == v[i].key)
            v[m - 1].val += v[i].val;
        else
            v[m++] = v[i];
    }
    double ss = 0;
    for (size_t i = 0; i < m; i++) {
        v[i].val = (float)(1.0 + log(v[i].val)); /* sublinear term frequency */
        ss += (double)v[i].val * v[i].val;
    }
    float scale = (float)(w / sqrt(ss));
    for (size_t i = 0; i < m; i++)
        v[i].val *= scale;
    fv->n = from + m;
}

static const char *special_name(lk_tok_type_t t)
{
    switch (t) {
    case LK_TOK_NUMBER:
        return "#num";
    case LK_TOK_CODE:
        return "#code";
    case LK_TOK_EMAIL:
        return "#email";
    case LK_TOK_URL:
        return "#url";
    default:
        return "#word";
    }
}

void lk_nlu__features(const lk_nlu__prep_t *p, lk_nlu__fvec_t *out)
{
    out->n = 0;
    /* stems; numbers and codes by their kind, not their digits */
    size_t g0 = out->n;
    for (size_t i = 0; i < p->n_toks; i++) {
        const char *s = p->toks[i].type == LK_TOK_WORD ? p->stems[i] : special_name(p->toks[i].type);
        push(out, finish(fnv(key_start(G_STEM), s, strlen(s))), 1.0f);
    }
    close_group(out, g0, W_STEM);
    /* stem bigrams, with sentence boundaries */
    g0 = out->n;
    for (size_t i = 0; i + 1 <= p->n_toks; i++) {
        const char *a = i ? (p->toks[i - 1].type == LK_TOK_WORD ? p->stems[i - 1] : special_name(p->toks[i - 1].type))
                          : "<s>";
        const char *b = p->toks[i].type == LK_TOK_WORD ? p->stems[i] : special_name(p->toks[i].type);
        uint64_t h = fnv(key_start(G_BIGRAM), a, strlen(a));
        h = fnv(h, "|", 1);
        h = fnv(h, b, strlen(b));
        push(out, finish(h), 1.0f);
    }
    close_group(out, g0, W_BIGRAM);
    /* character n-grams of each word, " word " padded */
    g0 = out->n;
    for (size_t i = 0; i < p->n_toks; i++) {
        if (p->toks[i].type != LK_TOK_WORD)
            continue;
        char buf[72];
        size_t wl = p->toks[i].len;
        if (wl > sizeof buf - 2)
            wl = sizeof buf - 2;
        buf[0] = ' ';
        memcpy(buf + 1, p->norm + p->toks[i].off, wl);
        buf[wl + 1] = ' ';
        size_t bl = wl + 2;
        for (size_t n = 3; n <= 5; n++)
            for (size_t j = 0; j + n <= bl; j++)
                push(out, finish(fnv(key_start(G_CHAR), buf + j, n)), 1.0f);
    }
    close_group(out, g0, W_CHAR);
    /* what kind of special tokens there are */
    g0 = out->n;
    for (size_t i = 0; i < p->n_toks; i++)
        if (p->toks[i].type != LK_TOK_WORD) {
            const char *s = special_name(p->toks[i].type);
            push(out, finish(fnv(key_start(G_SPECIAL), s, strlen(s))), 1.0f);
        }
    close_group(out, g0, W_SPECIAL);
}

size_t lk_nlu__knn_terms(const lk_nlu__prep_t *p, uint64_t *keys, size_t max)
{
    size_t n = 0;
    const char *prev = NULL;
    for (size_t i = 0; i < p->n_toks; i++) {
        bool word = p->toks[i].type == LK_TOK_WORD;
        const char *s = word ? p->stems[i] : special_name(p->toks[i].type);
        if (word && lk_text_is_stopword(NULL, p->norm + p->toks[i].off, p->toks[i].len)) {
            prev = NULL;
            continue;
        }
        uint64_t k = finish(fnv(key_start(G_STEM), s, strlen(s)));
        if (n < max)
            keys[n++] = k;
        if (prev && n < max) {
            uint64_t h = fnv(key_start(G_BIGRAM), prev, strlen(prev));
            h = fnv(h, "|", 1);
            keys[n++] = finish(fnv(h, s, strlen(s)));
        }
        prev = s;
    }
    /* unique */
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        bool dup = false;
        for (size_t j = 0; j < m && !dup; j++)
            dup = keys[j] == keys[i];
        if (!dup)
            keys[m++] = keys[i];
    }
    return m;
}
