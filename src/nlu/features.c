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
    if (fv->heap)
        free(fv->v);
    memset(fv, 0, sizeof *fv);
}

static void push(lk_nlu__fvec_t *fv, uint64_t key, float val)
{
    if (fv->n == fv->cap) {
        size_t cap = fv->cap ? fv->cap * 2 : 256;
        if (fv->heap) {
            fv->v = lk_xrealloc(fv->v, cap * sizeof *fv->v);
        } else { /* outgrew the caller's buffer */
            lk_nlu__feat_t *v = lk_xmalloc(cap * sizeof *v);
            if (fv->n)
                memcpy(v, fv->v, fv->n * sizeof *v);
            fv->v = v;
            fv->heap = true;
        }
        fv->cap = cap;
    }
    fv->v[fv->n++] = (lk_nlu__feat_t){key, val};
}

int lk_nlu__prep(const char *text, size_t len, lk_nlu__prep_t *out)
{
    /* no memset: the struct is large and every field read is set here or
     * by lk_nlu__prep_stem() */
    out->norm = NULL;
    out->len = 0;
    out->n_toks = 0;
    int rc = lk_text_normalize_buf(text, len, LK_TEXT_FOLD | LK_TEXT_STRIP_MARKS, &out->normbuf, &out->norm,
                                   &out->len);
    if (rc)
        return rc;
    size_t n = lk_text_tokenize(out->norm, out->len, out->toks, LK_NLU__MAX_TOKENS);
    out->n_toks = n > LK_NLU__MAX_TOKENS ? LK_NLU__MAX_TOKENS : n;
    return 0;
}

void lk_nlu__prep_stem(lk_nlu__prep_t *p, lk_text_stemmer_t *st)
{
    for (size_t i = 0; i < p->n_toks; i++) {
        const char *w = p->norm + p->toks[i].off;
        p->stem_len[i] = (uint8_t)lk_text_stem(p->toks[i].type == LK_TOK_WORD ? st : NULL, w, p->toks[i].len,
                                               p->stems[i], sizeof p->stems[i]);
    }
}

void lk_nlu__prep_free(lk_nlu__prep_t *p)
{
    if (!p)
        return;
    if (p->norm)
        lk_text_normalized_free(&p->normbuf, p->norm);
    p->norm = NULL;
    p->len = 0;
    p->n_toks = 0;
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
        /* sublinear term frequency; log(1) is exactly 0, and most counts are 1 */
        v[i].val = v[i].val == 1.0f ? 1.0f : (float)(1.0 + log(v[i].val));
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

/* Token i as the stem features see it: its stem, or the name of its kind. */
static const char *term_of(const lk_nlu__prep_t *p, size_t i, size_t *len /* OUT */)
{
    if (p->toks[i].type == LK_TOK_WORD) {
        *len = p->stem_len[i];
        return p->stems[i];
    }
    const char *s = special_name(p->toks[i].type);
    *len = strlen(s);
    return s;
}

void lk_nlu__features(const lk_nlu__prep_t *p, lk_nlu__fvec_t *out)
{
    out->n = 0;
    /* stems; numbers and codes by their kind, not their digits */
    size_t g0 = out->n;
    for (size_t i = 0; i < p->n_toks; i++) {
        size_t sl;
        const char *s = term_of(p, i, &sl);
        push(out, finish(fnv(key_start(G_STEM), s, sl)), 1.0f);
    }
    close_group(out, g0, W_STEM);
    /* stem bigrams, with sentence boundaries */
    g0 = out->n;
    uint64_t h_bigram = key_start(G_BIGRAM);
    for (size_t i = 0; i + 1 <= p->n_toks; i++) {
        size_t al = 3, bl;
        const char *a = i ? term_of(p, i - 1, &al) : "<s>";
        const char *b = term_of(p, i, &bl);
        uint64_t h = fnv(h_bigram, a, al);
        h = fnv(h, "|", 1);
        h = fnv(h, b, bl);
        push(out, finish(h), 1.0f);
    }
    close_group(out, g0, W_BIGRAM);
    /* character n-grams of each word, " word " padded; the 4- and 5-grams
     * extend the hash of the 3-gram at the same place (FNV is a running hash) */
    g0 = out->n;
    uint64_t h_char = key_start(G_CHAR);
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
        uint64_t h4[sizeof buf], h5[sizeof buf];
        for (size_t j = 0; j + 3 <= bl; j++) {
            uint64_t h = fnv(h_char, buf + j, 3);
            push(out, finish(h), 1.0f);
            if (j + 4 <= bl) {
                h = fnv(h, buf + j + 3, 1);
                h4[j] = h;
                if (j + 5 <= bl)
                    h5[j] = fnv(h, buf + j + 4, 1);
            }
        }
        for (size_t j = 0; j + 4 <= bl; j++)
            push(out, finish(h4[j]), 1.0f);
        for (size_t j = 0; j + 5 <= bl; j++)
            push(out, finish(h5[j]), 1.0f);
    }
    close_group(out, g0, W_CHAR);
    /* what kind of special tokens there are */
    g0 = out->n;
    uint64_t h_special = key_start(G_SPECIAL);
    for (size_t i = 0; i < p->n_toks; i++)
        if (p->toks[i].type != LK_TOK_WORD) {
            const char *s = special_name(p->toks[i].type);
            push(out, finish(fnv(h_special, s, strlen(s))), 1.0f);
        }
    close_group(out, g0, W_SPECIAL);
}

uint64_t lk_nlu__stem_key(const char *stem, size_t len)
{
    return finish(fnv(key_start(G_STEM), stem, len));
}

size_t lk_nlu__knn_terms(const lk_nlu__prep_t *p, uint64_t *keys, size_t max)
{
    size_t n = 0;
    const char *prev = NULL;
    size_t prev_len = 0;
    for (size_t i = 0; i < p->n_toks; i++) {
        bool word = p->toks[i].type == LK_TOK_WORD;
        if (word && lk_text_is_stopword(NULL, p->norm + p->toks[i].off, p->toks[i].len)) {
            prev = NULL;
            continue;
        }
        size_t sl;
        const char *s = term_of(p, i, &sl);
        uint64_t k = finish(fnv(key_start(G_STEM), s, sl));
        if (n < max)
            keys[n++] = k;
        if (prev && n < max) {
            uint64_t h = fnv(key_start(G_BIGRAM), prev, prev_len);
            h = fnv(h, "|", 1);
            keys[n++] = finish(fnv(h, s, sl));
        }
        prev = s;
        prev_len = sl;
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

/* Question words and the light verbs and phrases of asking ("hoe laat",
 * "hoe kan ik", "what is", "can you tell me"): they are in nearly every
 * question, so a match on them alone says nothing about the subject.
 * Sorted (strcmp), for the binary search. */
static const char *const function_words[] = {
    "a", "al", "alsjeblieft", "alstublieft", "am", "an", "any", "are", "ask", "be", "can", "could", "dank", "do",
    "doen", "does", "even", "find", "gaat", "get", "graag", "hallo", "heb", "hello", "help", "hey", "hi", "hoe",
    "hoeveel", "how", "i", "iemand", "iets", "ik", "is", "je", "jij", "kan", "know", "kun", "kunnen", "kunt",
    "laat", "like", "look", "me", "mijn", "moet", "my", "need", "please", "tell", "thank", "thanks", "the", "u",
    "vraag", "vragen", "waar", "waarom", "wanneer", "want", "wat", "weet", "welk", "welke", "weten", "what",
    "what's", "when", "where", "which", "who", "why", "wie", "wil", "wilt", "would", "you", "zeggen",
};

bool lk_nlu__function_word(const char *w, size_t len)
{
    if (lk_text_is_stopword(NULL, w, len))
        return true;
    size_t lo = 0, hi = sizeof function_words / sizeof *function_words;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const char *f = function_words[mid];
        size_t fl = strlen(f);
        int c = memcmp(f, w, fl < len ? fl : len);
        if (!c)
            c = fl < len ? -1 : fl > len;
        if (c < 0)
            lo = mid + 1;
        else if (c > 0)
            hi = mid;
        else
            return true;
    }
    return false;
}
