/*
 * gaps.c: the gap report's clustering (docs/gaps.md, "Topics").
 *
 * Customers' questions that the bot declined or handed over are grouped
 * into topics so that a knowledge manager sees "34 people asked about
 * paying with PayPal" rather than 34 loose lines. The method is plain and
 * deterministic, so the same questions always give the same topics:
 *
 * 1. Each question becomes a set of features: its content words (normalised
 *    with case folding and accents stripped, stop words dropped, a word in
 *    square brackets such as a redaction marker dropped, Snowball-stemmed in
 *    the question's language) and the character 4-grams of those stems with
 *    "^" and "$" at the ends, which join typos ("paypall") and compounds
 *    ("cadeaubon", "cadeaukaart").
 * 2. Each feature is weighted by TF-IDF over the questions being clustered
 *    ((1 + ln tf) * (1 + ln((N + 1) / (df + 1)))); the stems and the grams
 *    are L2-normalised separately and mixed as (1 - g) and g (gram_weight),
 *    so the dot product of two vectors is their mixed cosine similarity.
 * 3. Clusters are merged bottom-up by average linkage (the mean similarity
 *    between their members) while that mean is at least the threshold. The
 *    nearest-neighbour chain algorithm gives the same merges as the greedy
 *    "merge the most similar pair first" in O(N^2) time, and with a
 *    similarity matrix of N (N - 1) / 2 floats (8 MB at LK_GAP_INPUT_MAX).
 *    Average linkage is reducible (a merged cluster is never more similar to
 *    a third than the closer of its two parts), which makes the chain exact
 *    and lets a cluster whose best partner is below the threshold be set
 *    aside for good.
 * 4. A topic's label is its most central question: the one with the
 *    highest dot product with the sum of the members' vectors.
 */
#include "assist/assist.h"

#include "text/text.h"
#include "util/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TOKENS 256 /* content words per question that count */
#define STEM_MAX 64
#define GRAM 4

void lk_gap_options_default(lk_gap_options_t *opts)
{
    opts->threshold = 0.3;
    opts->gram_weight = 0.3;
}

/* ---- features ------------------------------------------------------------ */

typedef struct {
    uint64_t h; /* FNV-1a of the feature, its top bit telling grams from stems */
    float w;
} feat_t;

typedef struct {
    feat_t *f; /* sorted by h, unique */
    size_t n;
    char *norm; /* the normalised text (exact duplicates of featureless texts) */
} vec_t;

#define GRAM_BIT (1ull << 63)

static uint64_t fnv1a(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

static int cmp_feat(const void *a, const void *b)
{
    uint64_t x = ((const feat_t *)a)->h, y = ((const feat_t *)b)->h;
    return (x > y) - (x < y);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

typedef struct {
    feat_t *f;
    size_t n, cap;
} flist_t;

static void fl_push(flist_t *l, uint64_t h)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 32;
        l->f = lk_xrealloc(l->f, l->cap * sizeof *l->f);
    }
    l->f[l->n].h = h;
    l->f[l->n].w = 1;
    l->n++;
}

/* Sorts and merges equal features, summing their counts into w. */
static void fl_unique(flist_t *l)
{
    if (!l->n)
        return;
    qsort(l->f, l->n, sizeof *l->f, cmp_feat);
    size_t k = 0;
    for (size_t i = 1; i < l->n; i++) {
        if (l->f[i].h == l->f[k].h)
            l->f[k].w += l->f[i].w;
        else
            l->f[++k] = l->f[i];
    }
    l->n = k + 1;
}

/* A word that stands in square brackets in the text (a redaction marker). */
static bool bracketed(const char *s, size_t len, const lk_token_t *t)
{
    size_t a = t->off, b = t->off + t->len;
    while (a > 0 && s[a - 1] == ' ')
        a--;
    while (b < len && s[b] == ' ')
        b++;
    return a > 0 && s[a - 1] == '[' && b < len && s[b] == ']';
}

typedef struct {
    lk_text_stemmer_t *nl, *en;
} stemmers_t;

/* A Dutch word of five letters or more ending in a vowel and "s": the
 * plural that the Snowball stemmer leaves alone ("vacatures" stays, while
 * "vacature" becomes "vacatur"). */
static bool dutch_vowel_s(const char *w, size_t len)
{
    return len >= 5 && w[len - 1] == 's' && w[len - 2] && strchr("aeiouy", w[len - 2]) != NULL;
}

/* The raw features (counts) of one question; its normal form in *norm. */
static int raw_features(const lk_gap_input_t *it, stemmers_t *sm, flist_t *out, char **norm)
{
    const char *text = it->text ? it->text : "";
    size_t tlen = strlen(text);
    char *s = NULL;
    size_t len = 0;
    int rc = lk_text_normalize(text, tlen, LK_TEXT_FOLD | LK_TEXT_STRIP_MARKS, &s, &len);
    if (rc)
        return rc;
    lk_token_t toks[MAX_TOKENS];
    size_t nt = lk_text_tokenize(s, len, toks, MAX_TOKENS);
    if (nt > MAX_TOKENS)
        nt = MAX_TOKENS;
    const char *lang = it->language && it->language[0] ? it->language : NULL;
    if (!lang) {
        lk_text_lang_t li;
        lk_text_language_tokens(s, toks, nt, NULL, &li);
        lang = li.lang[0] ? (strcmp(li.lang, "en") == 0 ? "en" : "nl") : "";
    }
    lk_text_stemmer_t *stem = strcmp(lang, "en") == 0 ? sm->en : strcmp(lang, "nl") == 0 ? sm->nl : NULL;
    for (size_t i = 0; i < nt; i++) {
        const lk_token_t *t = &toks[i];
        if (t->type != LK_TOK_WORD || t->len < 2 || bracketed(s, len, t))
            continue;
        if (lk_text_is_stopword(lang[0] ? lang : NULL, s + t->off, t->len))
            continue;
        char st[STEM_MAX + 2];
        size_t sl, wl = t->len;
        if (stem && stem == sm->nl && dutch_vowel_s(s + t->off, wl))
            wl--; /* "vacatures", "cadeaus": a plural Snowball keeps whole */
        if (stem) {
            sl = lk_text_stem(stem, s + t->off, wl, st + 1, STEM_MAX);
        } else {
            sl = t->len < STEM_MAX ? t->len : STEM_MAX - 1;
            memcpy(st + 1, s + t->off, sl);
        }
        fl_push(out, fnv1a(st + 1, sl) & ~GRAM_BIT);
        /* "^stem$" in 4-byte windows (bytes: a multi-byte letter spans two
         * grams, which is harmless for similarity) */
        st[0] = '^';
        st[sl + 1] = '$';
        size_t gl = sl + 2;
        if (gl <= GRAM)
            fl_push(out, fnv1a(st, gl) | GRAM_BIT);
        for (size_t k = 0; k + GRAM <= gl; k++)
            fl_push(out, fnv1a(st + k, GRAM) | GRAM_BIT);
    }
    fl_unique(out);
    *norm = s;
    return 0;
}

/* Document frequencies: sorted unique hashes and their counts. */
typedef struct {
    uint64_t *h;
    size_t *df;
    size_t n;
} dfs_t;

static void dfs_build(const flist_t *raw, size_t n_items, dfs_t *d)
{
    size_t total = 0;
    for (size_t i = 0; i < n_items; i++)
        total += raw[i].n;
    uint64_t *all = lk_xcalloc(total ? total : 1, sizeof *all);
    size_t k = 0;
    for (size_t i = 0; i < n_items; i++)
        for (size_t j = 0; j < raw[i].n; j++)
            all[k++] = raw[i].f[j].h; /* unique within an item */
    qsort(all, total, sizeof *all, cmp_u64);
    d->h = lk_xcalloc(total ? total : 1, sizeof *d->h);
    d->df = lk_xcalloc(total ? total : 1, sizeof *d->df);
    d->n = 0;
    for (size_t i = 0; i < total; i++) {
        if (d->n && d->h[d->n - 1] == all[i]) {
            d->df[d->n - 1]++;
        } else {
            d->h[d->n] = all[i];
            d->df[d->n] = 1;
            d->n++;
        }
    }
    free(all);
}

static size_t dfs_get(const dfs_t *d, uint64_t h)
{
    size_t lo = 0, hi = d->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->h[mid] < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < d->n && d->h[lo] == h ? d->df[lo] : 1;
}

/* TF-IDF weights, each group L2-normalised and scaled so that the dot
 * product is (1 - g) * cos(stems) + g * cos(grams). Takes raw's array. */
static void weigh(flist_t *raw, const dfs_t *d, size_t n_items, double g, vec_t *v)
{
    double ss[2] = {0, 0};
    for (size_t j = 0; j < raw->n; j++) {
        feat_t *f = &raw->f[j];
        double idf = 1.0 + log((double)(n_items + 1) / (double)(dfs_get(d, f->h) + 1));
        double w = (1.0 + log((double)f->w)) * idf;
        f->w = (float)w;
        ss[(f->h & GRAM_BIT) != 0] += w * w;
    }
    double scale[2] = {ss[0] > 0 ? sqrt(1.0 - g) / sqrt(ss[0]) : 0, ss[1] > 0 ? sqrt(g) / sqrt(ss[1]) : 0};
    for (size_t j = 0; j < raw->n; j++)
        raw->f[j].w = (float)(raw->f[j].w * scale[(raw->f[j].h & GRAM_BIT) != 0]);
    v->f = raw->f;
    v->n = raw->n;
    raw->f = NULL;
    raw->n = raw->cap = 0;
}

static double dot(const vec_t *a, const vec_t *b)
{
    double s = 0;
    size_t i = 0, j = 0;
    while (i < a->n && j < b->n) {
        if (a->f[i].h < b->f[j].h) {
            i++;
        } else if (a->f[i].h > b->f[j].h) {
            j++;
        } else {
            s += (double)a->f[i].w * (double)b->f[j].w;
            i++;
            j++;
        }
    }
    return s;
}

static double similarity(const vec_t *a, const vec_t *b)
{
    if (a->n == 0 && b->n == 0) /* no content words: only the same text is the same question */
        return strcmp(a->norm, b->norm) == 0 ? 1.0 : 0.0;
    double s = dot(a, b);
    return s > 1 ? 1 : s;
}

static void vecs_free(vec_t *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        free(v[i].f);
        free(v[i].norm);
    }
    free(v);
}

/* The vectors of items[0..n); NULL after LK_EINVAL (text not UTF-8). */
static vec_t *vectorise(const lk_gap_input_t *items, size_t n, double g, int *rc)
{
    stemmers_t sm = {lk_text_stemmer_new("nl"), lk_text_stemmer_new("en")};
    flist_t *raw = lk_xcalloc(n ? n : 1, sizeof *raw);
    vec_t *v = lk_xcalloc(n ? n : 1, sizeof *v);
    *rc = 0;
    for (size_t i = 0; i < n && *rc == 0; i++)
        if (raw_features(&items[i], &sm, &raw[i], &v[i].norm) != 0)
            *rc = LK_EINVAL;
    lk_text_stemmer_free(sm.nl);
    lk_text_stemmer_free(sm.en);
    if (*rc == 0) {
        dfs_t d;
        dfs_build(raw, n, &d);
        for (size_t i = 0; i < n; i++)
            weigh(&raw[i], &d, n, g, &v[i]);
        free(d.h);
        free(d.df);
    }
    for (size_t i = 0; i < n; i++)
        free(raw[i].f);
    free(raw);
    if (*rc) {
        vecs_free(v, n);
        return NULL;
    }
    return v;
}

/* ---- clustering ---------------------------------------------------------- */

/* The similarity matrix, lower triangle without the diagonal. */
typedef struct {
    float *s;
} tri_t;

static size_t tri_ix(size_t i, size_t j)
{
    if (i < j) {
        size_t t = i;
        i = j;
        j = t;
    }
    return i * (i - 1) / 2 + j;
}

/* Average-linkage clustering with the nearest-neighbour chain. Fills
 * root[i] (the cluster representative of item i). */
static void cluster(const vec_t *v, size_t n, double threshold, size_t *root)
{
    for (size_t i = 0; i < n; i++)
        root[i] = i;
    if (n < 2)
        return;
    tri_t m = {lk_xcalloc(n * (n - 1) / 2, sizeof(float))};
    for (size_t i = 1; i < n; i++)
        for (size_t j = 0; j < i; j++)
            m.s[tri_ix(i, j)] = (float)similarity(&v[i], &v[j]);
    size_t *size = lk_xcalloc(n, sizeof *size);
    bool *active = lk_xcalloc(n, sizeof *active);
    size_t *next = lk_xcalloc(n, sizeof *next); /* member lists: n = end */
    size_t *tail = lk_xcalloc(n, sizeof *tail);
    for (size_t i = 0; i < n; i++) {
        size[i] = 1;
        active[i] = true;
        next[i] = n;
        tail[i] = i;
    }
    size_t *chain = lk_xcalloc(n, sizeof *chain);
    size_t depth = 0, n_active = n, scan = 0;
    float thr = (float)threshold;
    while (n_active > 0) {
        if (depth == 0) {
            while (!active[scan])
                scan++;
            chain[depth++] = scan;
        }
        size_t a = chain[depth - 1];
        size_t prev = depth > 1 ? chain[depth - 2] : n;
        /* a's most similar active cluster; the previous link wins ties, so
         * the chain ends in a reciprocal pair */
        size_t best = n;
        float bs = -1;
        if (prev < n) {
            best = prev;
            bs = m.s[tri_ix(a, prev)];
        }
        for (size_t c = 0; c < n; c++) {
            if (!active[c] || c == a || c == prev)
                continue;
            float s = m.s[tri_ix(a, c)];
            if (s > bs) {
                bs = s;
                best = c;
            }
        }
        if (best == n || bs < thr) {
            /* nothing close enough: a is final (reducibility: a's best never grows) */
            active[a] = false;
            n_active--;
            depth--;
            continue;
        }
        if (best != prev) {
            chain[depth++] = best;
            continue;
        }
        /* a and prev are each other's nearest: merge them into the lower slot */
        size_t keep = a < prev ? a : prev, gone = a < prev ? prev : a;
        depth -= 2;
        for (size_t c = 0; c < n; c++) {
            if (!active[c] || c == keep || c == gone)
                continue;
            double s = ((double)size[keep] * m.s[tri_ix(keep, c)] + (double)size[gone] * m.s[tri_ix(gone, c)]) /
                       (double)(size[keep] + size[gone]);
            m.s[tri_ix(keep, c)] = (float)s;
        }
        size[keep] += size[gone];
        active[gone] = false;
        n_active--;
        next[tail[keep]] = gone;
        tail[keep] = tail[gone];
    }
    /* every list head is a cluster */
    bool *member = lk_xcalloc(n, sizeof *member);
    for (size_t i = 0; i < n; i++)
        for (size_t k = next[i]; k < n; k = next[k])
            member[k] = true;
    for (size_t i = 0; i < n; i++)
        if (!member[i])
            for (size_t k = i; k < n; k = next[k])
                root[k] = i;
    free(member);
    free(chain);
    free(tail);
    free(next);
    free(active);
    free(size);
    free(m.s);
}

/* ---- topics -------------------------------------------------------------- */

/* Sort keys carry what the comparison needs (qsort has no context). */
typedef struct {
    int64_t at;
    size_t ix;
} by_time_t;

static int cmp_newest(const void *a, const void *b)
{
    const by_time_t *x = a, *y = b;
    if (x->at != y->at)
        return x->at > y->at ? -1 : 1;
    return (x->ix > y->ix) - (x->ix < y->ix);
}

static void sort_newest(const lk_gap_input_t *items, size_t *mem, size_t n)
{
    by_time_t *k = lk_xcalloc(n ? n : 1, sizeof *k);
    for (size_t i = 0; i < n; i++)
        k[i] = (by_time_t){items[mem[i]].at_ms, mem[i]};
    qsort(k, n, sizeof *k, cmp_newest);
    for (size_t i = 0; i < n; i++)
        mem[i] = k[i].ix;
    free(k);
}

/* earlier than: at_ms, then id, then index */
static bool earlier(const lk_gap_input_t *items, size_t x, size_t y)
{
    if (items[x].at_ms != items[y].at_ms)
        return items[x].at_ms < items[y].at_ms;
    int c = strcmp(items[x].id ? items[x].id : "", items[y].id ? items[y].id : "");
    if (c)
        return c < 0;
    return x < y;
}

typedef struct {
    lk_gap_topic_t t;
    const char *first_id;
} topic_key_t;

static int cmp_topic(const void *a, const void *b)
{
    const topic_key_t *x = a, *y = b;
    if (x->t.n_members != y->t.n_members)
        return x->t.n_members > y->t.n_members ? -1 : 1;
    if (x->t.newest_ms != y->t.newest_ms)
        return x->t.newest_ms > y->t.newest_ms ? -1 : 1;
    int c = strcmp(x->first_id, y->first_id);
    if (c)
        return c;
    return (x->t.first > y->t.first) - (x->t.first < y->t.first);
}

/* The member whose vector has the highest dot product with the sum of all
 * members' vectors (ties: the earliest). */
static size_t central(const lk_gap_input_t *items, const vec_t *v, const size_t *mem, size_t n_mem)
{
    if (n_mem <= 2) { /* two are equally central: the earlier one */
        size_t e = mem[0];
        for (size_t i = 1; i < n_mem; i++)
            if (earlier(items, mem[i], e))
                e = mem[i];
        return e;
    }
    flist_t sum = {0};
    for (size_t i = 0; i < n_mem; i++)
        for (size_t j = 0; j < v[mem[i]].n; j++) {
            fl_push(&sum, v[mem[i]].f[j].h);
            sum.f[sum.n - 1].w = v[mem[i]].f[j].w;
        }
    fl_unique(&sum);
    vec_t c = {sum.f, sum.n, NULL};
    size_t best = mem[0];
    double bs = -1;
    for (size_t i = 0; i < n_mem; i++) {
        double s = dot(&v[mem[i]], &c);
        if (s > bs + 1e-9 || (fabs(s - bs) <= 1e-9 && earlier(items, mem[i], best))) {
            bs = s;
            best = mem[i];
        }
    }
    free(sum.f);
    return best;
}

int lk_gap_cluster(const lk_gap_input_t *items, size_t n, const lk_gap_options_t *opts, lk_gap_topic_t **out,
                   size_t *n_out)
{
    if (!out || !n_out || (n && !items) || n > LK_GAP_INPUT_MAX)
        return LK_EINVAL;
    *out = NULL;
    *n_out = 0;
    if (n == 0)
        return 0;
    lk_gap_options_t def;
    if (!opts) {
        lk_gap_options_default(&def);
        opts = &def;
    }
    double g = opts->gram_weight < 0 ? 0 : opts->gram_weight > 1 ? 1 : opts->gram_weight;
    int rc;
    vec_t *v = vectorise(items, n, g, &rc);
    if (!v)
        return rc;
    size_t *root = lk_xcalloc(n, sizeof *root);
    cluster(v, n, opts->threshold, root);

    /* topics in order of their representative; members gathered per root */
    size_t *slot = lk_xcalloc(n, sizeof *slot);
    size_t n_topics = 0;
    for (size_t i = 0; i < n; i++)
        if (root[i] == i)
            slot[i] = n_topics++;
    lk_gap_topic_t *t = lk_xcalloc(n_topics, sizeof *t);
    for (size_t i = 0; i < n; i++)
        t[slot[root[i]]].n_members++;
    for (size_t k = 0; k < n_topics; k++) {
        t[k].members = lk_xcalloc(t[k].n_members, sizeof *t[k].members);
        t[k].n_members = 0;
    }
    for (size_t i = 0; i < n; i++) {
        lk_gap_topic_t *x = &t[slot[root[i]]];
        x->members[x->n_members++] = i;
    }
    for (size_t k = 0; k < n_topics; k++) {
        lk_gap_topic_t *x = &t[k];
        sort_newest(items, x->members, x->n_members);
        x->newest_ms = items[x->members[0]].at_ms;
        x->first = x->members[0];
        for (size_t i = 0; i < x->n_members; i++) {
            size_t m = x->members[i];
            if (earlier(items, m, x->first))
                x->first = m;
            x->n_declined += items[m].outcome == LK_OUTCOME_DECLINED;
            x->n_handoff += items[m].outcome == LK_OUTCOME_HANDOFF;
        }
        x->label = central(items, v, x->members, x->n_members);
    }
    topic_key_t *keys = lk_xcalloc(n_topics, sizeof *keys);
    for (size_t k = 0; k < n_topics; k++)
        keys[k] = (topic_key_t){t[k], items[t[k].first].id ? items[t[k].first].id : ""};
    qsort(keys, n_topics, sizeof *keys, cmp_topic);
    for (size_t k = 0; k < n_topics; k++)
        t[k] = keys[k].t;
    free(keys);
    free(slot);
    free(root);
    vecs_free(v, n);
    *out = t;
    *n_out = n_topics;
    return 0;
}

void lk_gap_topics_free(lk_gap_topic_t *topics, size_t n)
{
    if (!topics)
        return;
    for (size_t i = 0; i < n; i++)
        free(topics[i].members);
    free(topics);
}

double lk_gap_similarity(const lk_gap_input_t *a, const lk_gap_input_t *b, const lk_gap_options_t *opts)
{
    if (!a || !b)
        return 0;
    lk_gap_options_t def;
    if (!opts) {
        lk_gap_options_default(&def);
        opts = &def;
    }
    lk_gap_input_t two[2] = {*a, *b};
    int rc;
    vec_t *v = vectorise(two, 2, opts->gram_weight < 0 ? 0 : opts->gram_weight > 1 ? 1 : opts->gram_weight, &rc);
    if (!v)
        return 0;
    double s = similarity(&v[0], &v[1]);
    vecs_free(v, 2);
    return s;
}
