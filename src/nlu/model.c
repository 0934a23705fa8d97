/*
 * model.c: the two parts of the model that read a message's features, built
 * from the knowledge base's example questions (nlu.c builds the model,
 * confidence.c fits the confidence on their output):
 *  1. a multinomial logistic regression (one class per article) over the
 *     features of features.c, trained with SGD; negatives (questions known to
 *     be out of scope) are trained towards the uniform distribution;
 *  2. a nearest-neighbour index (TF-IDF cosine over content stems and
 *     bigrams) that tells how close the message is to any known question.
 * lk_nlu__raw_read combines them for one feature vector.
 */
#include "nlu/nlu_int.h"

#include "util/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LAMBDA 1e-5     /* L2 on the classifier */
#define ETA0 0.8        /* SGD step size at the start */
#define NEG_COVERED 0.6 /* a built-in negative this close to an example is in scope */

/* ---- examples ------------------------------------------------------------ */

void lk_nlu__add_example(lk_nlu__map_t *feat, lk_nlu__examples_t *ex, lk_text_stemmer_t *st, const char *text,
                         long label, float weight, lk_nlu__fvec_t *fv, lk_nlu__vocab_t *voc)
{
    lk_nlu__prep_t p;
    if (lk_nlu__prep(text, strlen(text), &p) != 0)
        return; /* the KB is validated UTF-8; skip anything else */
    lk_nlu__prep_stem(&p, st);
    if (voc)
        lk_nlu__vocab_add(voc, &p);
    lk_nlu__features(&p, fv);
    uint64_t terms[LK_NLU__MAX_KNN_TERMS];
    size_t nt = lk_nlu__knn_terms(&p, terms, LK_NLU__MAX_KNN_TERMS);
    lk_nlu__prep_free(&p);
    if (!fv->n)
        return;
    if (ex->n == ex->cap) {
        ex->cap = ex->cap ? ex->cap * 2 : 256;
        ex->v = lk_xrealloc(ex->v, ex->cap * sizeof *ex->v);
    }
    lk_nlu__example_t *e = &ex->v[ex->n++];
    e->n = fv->n;
    e->f = lk_xmalloc(fv->n * sizeof *e->f);
    e->x = lk_xmalloc(fv->n * sizeof *e->x);
    for (size_t i = 0; i < fv->n; i++) {
        e->f[i] = lk_nlu__map_add(feat, fv->v[i].key);
        e->x[i] = fv->v[i].val;
    }
    e->n_terms = nt;
    e->terms = lk_xmalloc((nt ? nt : 1) * sizeof *e->terms);
    memcpy(e->terms, terms, nt * sizeof *terms);
    e->label = label;
    e->weight = weight;
    e->answer = false;
}

void lk_nlu__examples_free(lk_nlu__examples_t *ex)
{
    for (size_t i = 0; i < ex->n; i++) {
        free(ex->v[i].f);
        free(ex->v[i].x);
        free(ex->v[i].terms);
    }
    free(ex->v);
}

typedef struct {
    double best;     /* highest cosine to any example */
    long best_label; /* its article */
    double best_in;  /* highest cosine to an example of article `of` */
    double unknown;  /* share of the query's term weight that no example has */
    size_t n_terms;
} knn_result_t;
static void knn_query(const lk_nlu__knn_t *k, const uint64_t *terms, size_t nt, size_t C, knn_result_t *r,
                      float *cls_sim);

/* Drops the built-in out-of-scope questions (ex->v[from..]) that the
 * knowledge base covers: one that nearly repeats an example question of an
 * article (cosine >= NEG_COVERED) is in scope for this knowledge base (a
 * shop with a weather article answers weather questions). */
void lk_nlu__drop_covered_negatives(lk_nlu__examples_t *ex, size_t from, size_t C)
{
    if (from >= ex->n || !C)
        return;
    size_t *idx = lk_xmalloc(from ? from * sizeof *idx : sizeof *idx);
    for (size_t i = 0; i < from; i++)
        idx[i] = i;
    lk_nlu__knn_t knn;
    lk_nlu__knn_build(&knn, ex, idx, from);
    float *sim = lk_xmalloc(C * sizeof *sim);
    size_t m = from;
    for (size_t i = from; i < ex->n; i++) {
        lk_nlu__example_t *e = &ex->v[i];
        memset(sim, 0, C * sizeof *sim);
        knn_result_t kr;
        knn_query(&knn, e->terms, e->n_terms, C, &kr, sim);
        if (kr.best >= NEG_COVERED) {
            free(e->f);
            free(e->x);
            free(e->terms);
        } else {
            ex->v[m++] = *e;
        }
    }
    ex->n = m;
    free(sim);
    free(idx);
    lk_nlu__knn_free(&knn);
}

uint64_t lk_nlu__rng_next(uint64_t *s)
{
    /* xorshift64* */
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* ---- the classifier ------------------------------------------------------ */

/* Four floats at a time (SSE on x86-64, NEON on ARM; the compiler splits
 * them where there is no such unit). Each lane does what the scalar loop
 * did, the same multiply and add in the same order, so vectorising changes
 * no bit of the model or of its decisions. */
typedef float v4f __attribute__((vector_size(16)));

static inline v4f v4f_load(const float *p)
{
    v4f v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline void v4f_store(float *p, v4f v)
{
    memcpy(p, &v, sizeof v);
}

/* y[c] += a * x[c] for c < n. */
static void add_scaled(float *restrict y, const float *restrict x, float a, size_t n)
{
    v4f av = {a, a, a, a};
    size_t c = 0;
    for (; c + 8 <= n; c += 8) {
        v4f_store(y + c, v4f_load(y + c) + av * v4f_load(x + c));
        v4f_store(y + c + 4, v4f_load(y + c + 4) + av * v4f_load(x + c + 4));
    }
    for (; c + 4 <= n; c += 4)
        v4f_store(y + c, v4f_load(y + c) + av * v4f_load(x + c));
    for (; c < n; c++)
        y[c] += a * x[c];
}

/* y[c] -= a * x[c] for c < n. */
static void sub_scaled(float *restrict y, const float *restrict x, float a, size_t n)
{
    v4f av = {a, a, a, a};
    size_t c = 0;
    for (; c + 4 <= n; c += 4)
        v4f_store(y + c, v4f_load(y + c) - av * v4f_load(x + c));
    for (; c < n; c++)
        y[c] -= a * x[c];
}

/* Asks the memory for a row of W a little before it is needed: the rows of
 * one message are scattered over a matrix far larger than the caches. */
static inline void prefetch_row(const float *w, size_t C)
{
    const char *p = (const char *)w, *end = (const char *)(w + C);
    for (; p < end; p += 64)
        __builtin_prefetch(p, 0, 3);
}

#define PREFETCH_AHEAD 4 /* rows */

/* z[c] = bias[c] + scale * sum_f x_f W[f][c]. */
static void scores(const float *W, const float *bias, size_t C, const uint32_t *f, const float *x, size_t n,
                   float scale, float *z)
{
    for (size_t c = 0; c < C; c++)
        z[c] = 0;
    for (size_t i = 0; i < n && i < PREFETCH_AHEAD; i++)
        prefetch_row(W + (size_t)f[i] * C, C);
    for (size_t i = 0; i < n; i++) {
        if (i + PREFETCH_AHEAD < n)
            prefetch_row(W + (size_t)f[i + PREFETCH_AHEAD] * C, C);
        add_scaled(z, W + (size_t)f[i] * C, x[i], C);
    }
    for (size_t c = 0; c < C; c++)
        z[c] = z[c] * scale + bias[c];
}

/* In place: z becomes softmax(z); returns the index of the maximum. */
static size_t softmax(float *z, size_t C)
{
    size_t best = 0;
    for (size_t c = 1; c < C; c++)
        if (z[c] > z[best])
            best = c;
    double mx = z[best], sum = 0;
    for (size_t c = 0; c < C; c++) {
        double e = exp(z[c] - mx);
        z[c] = (float)e;
        sum += e;
    }
    for (size_t c = 0; c < C; c++)
        z[c] = (float)(z[c] / sum);
    return best;
}

/* Trains W (n_feat x C) and bias on the examples idx[0..n) with SGD. */
void lk_nlu__train_lr(float *W, float *bias, size_t n_feat, size_t C, const lk_nlu__examples_t *ex, const size_t *idx,
                      size_t n, int epochs, uint64_t seed)
{
    memset(W, 0, n_feat * C * sizeof *W);
    memset(bias, 0, C * sizeof *bias);
    float *z = lk_xmalloc(C * sizeof *z);
    size_t *order = lk_xmalloc((n ? n : 1) * sizeof *order);
    memcpy(order, idx, n * sizeof *order);
    uint64_t rs = seed * 0x9E3779B97F4A7C15ULL + 1;
    double scale = 1.0, t = 0;
    for (int ep = 0; ep < epochs; ep++) {
        for (size_t i = n; i > 1; i--) {
            size_t j = (size_t)(lk_nlu__rng_next(&rs) % i);
            size_t tmp = order[i - 1];
            order[i - 1] = order[j];
            order[j] = tmp;
        }
        for (size_t k = 0; k < n; k++) {
            const lk_nlu__example_t *e = &ex->v[order[k]];
            double eta = ETA0 / (1.0 + ETA0 * LAMBDA * t);
            t += 1;
            scores(W, bias, C, e->f, e->x, e->n, (float)scale, z);
            softmax(z, C);
            /* gradient of the cross-entropy: p - y (y uniform for a negative) */
            if (e->label >= 0)
                z[e->label] -= 1.0f;
            else
                for (size_t c = 0; c < C; c++)
                    z[c] -= 1.0f / (float)C;
            scale *= 1.0 - eta * LAMBDA;
            float step = (float)(eta * e->weight / scale);
            for (size_t i = 0; i < e->n; i++)
                sub_scaled(W + (size_t)e->f[i] * C, z, step * e->x[i], C);
            for (size_t c = 0; c < C; c++)
                bias[c] -= (float)(eta * e->weight * 0.1) * z[c];
            if (scale < 1e-4) {
                for (size_t i = 0; i < n_feat * C; i++)
                    W[i] *= (float)scale;
                scale = 1.0;
            }
        }
    }
    for (size_t i = 0; i < n_feat * C; i++)
        W[i] *= (float)scale;
    free(z);
    free(order);
}

/* ---- nearest neighbours -------------------------------------------------- */

void lk_nlu__knn_build(lk_nlu__knn_t *k, const lk_nlu__examples_t *ex, const size_t *idx, size_t n)
{
    memset(k, 0, sizeof *k);
    uint32_t *df = NULL;
    size_t df_cap = 0, n_post = 0;
    for (size_t i = 0; i < n; i++) {
        const lk_nlu__example_t *e = &ex->v[idx[i]];
        if (e->label < 0 || e->answer)
            continue;
        k->n_ex++;
        for (size_t j = 0; j < e->n_terms; j++) {
            uint32_t t = lk_nlu__map_add(&k->terms, e->terms[j]);
            if (t >= df_cap) {
                size_t nc = df_cap ? df_cap * 2 : 1024;
                df = lk_xrealloc(df, nc * sizeof *df);
                memset(df + df_cap, 0, (nc - df_cap) * sizeof *df);
                df_cap = nc;
            }
            df[t]++;
            n_post++;
        }
    }
    size_t T = k->terms.n;
    k->idf = lk_xmalloc((T ? T : 1) * sizeof *k->idf);
    k->post_start = lk_xcalloc(T + 1, sizeof *k->post_start);
    k->post_ex = lk_xmalloc((n_post ? n_post : 1) * sizeof *k->post_ex);
    k->post_w = lk_xmalloc((n_post ? n_post : 1) * sizeof *k->post_w);
    k->label = lk_xmalloc((k->n_ex ? k->n_ex : 1) * sizeof *k->label);
    double N = (double)k->n_ex;
    for (size_t t = 0; t < T; t++) {
        k->idf[t] = (float)(log((N + 1) / (df[t] + 1)) + 1);
        k->post_start[t + 1] = k->post_start[t] + df[t];
    }
    k->idf_unknown = (float)(log(N + 1) + 1);
    k->df_max = (uint32_t)(n / 8 > 50 ? n / 8 : 50);
    uint32_t *fill = lk_xcalloc(T ? T : 1, sizeof *fill);
    uint32_t e_id = 0;
    for (size_t i = 0; i < n; i++) {
        const lk_nlu__example_t *e = &ex->v[idx[i]];
        if (e->label < 0 || e->answer)
            continue;
        double ss = 0;
        for (size_t j = 0; j < e->n_terms; j++) {
            float w = k->idf[lk_nlu__map_get(&k->terms, e->terms[j])];
            ss += (double)w * w;
        }
        float inv = ss > 0 ? (float)(1.0 / sqrt(ss)) : 0;
        for (size_t j = 0; j < e->n_terms; j++) {
            uint32_t t = (uint32_t)lk_nlu__map_get(&k->terms, e->terms[j]);
            uint32_t p = k->post_start[t] + fill[t]++;
            k->post_ex[p] = e_id;
            k->post_w[p] = k->idf[t] * inv;
        }
        k->label[e_id++] = (uint32_t)e->label;
    }
    free(fill);
    free(df);
}

void lk_nlu__knn_free(lk_nlu__knn_t *k)
{
    lk_nlu__map_free(&k->terms);
    void *arrays[] = {k->idf, k->post_start, k->post_ex, k->post_w, k->label};
    for (size_t i = 0; i < sizeof arrays / sizeof *arrays; i++)
        free(arrays[i]);
    memset(k, 0, sizeof *k);
}

/* The examples are scored in blocks of KNN_BLOCK consecutive ids, each
 * summed in a small accumulator on the stack: a dense accumulator over the
 * whole index would have to be allocated and cleared for each query. Within
 * a block the query's terms are walked in order, as a dense accumulator
 * would walk them, so every example's cosine is the same sum to the bit
 * (posting lists are sorted by example id, so each list is walked once in
 * all). */
#define KNN_BLOCK 2048

/* cls_sim (C floats, zeroed by the caller): per article, the highest cosine
 * to one of its examples (0 when none shares a term). r->best_in is left 0:
 * the caller takes it from cls_sim. */
static void knn_query(const lk_nlu__knn_t *k, const uint64_t *terms, size_t nt, size_t C, knn_result_t *r,
                      float *cls_sim)
{
    memset(r, 0, sizeof *r);
    r->best_label = -1;
    r->n_terms = nt;
    if (!nt || !k->n_ex)
        return;
    if (nt > LK_NLU__MAX_KNN_TERMS)
        nt = LK_NLU__MAX_KNN_TERMS;
    long tix[LK_NLU__MAX_KNN_TERMS];
    double ss = 0, unk = 0;
    for (size_t j = 0; j < nt; j++) {
        tix[j] = lk_nlu__map_get(&k->terms, terms[j]);
        double w = tix[j] >= 0 ? k->idf[tix[j]] : k->idf_unknown;
        ss += w * w;
        if (tix[j] < 0)
            unk += w * w;
    }
    r->unknown = unk / ss;
    double qn = 1.0 / sqrt(ss);
    /* the lists to walk, in the query's term order */
    uint32_t pos[LK_NLU__MAX_KNN_TERMS], end[LK_NLU__MAX_KNN_TERMS];
    float qw[LK_NLU__MAX_KNN_TERMS];
    size_t L = 0;
    uint32_t first = UINT32_MAX;
    for (size_t j = 0; j < nt; j++) {
        if (tix[j] < 0)
            continue;
        uint32_t t = (uint32_t)tix[j];
        uint32_t a = k->post_start[t], b = k->post_start[t + 1];
        if (b - a > k->df_max || a == b)
            continue;
        pos[L] = a;
        end[L] = b;
        qw[L] = (float)(k->idf[t] * qn);
        if (k->post_ex[a] < first)
            first = k->post_ex[a];
        L++;
    }
    if (!L)
        return;
    float acc[KNN_BLOCK];
    uint32_t touched[KNN_BLOCK + 1]; /* + 1: written before it is known to count */
    memset(acc, 0, sizeof acc);
    for (uint32_t b0 = first / KNN_BLOCK * KNN_BLOCK; b0 < k->n_ex; b0 += KNN_BLOCK) {
        uint32_t b1 = b0 + KNN_BLOCK;
        size_t n_touched = 0;
        bool more = false;
        for (size_t l = 0; l < L; l++) {
            uint32_t p = pos[l], pe = end[l];
            float w = qw[l];
            for (; p < pe; p++) {
                uint32_t e = k->post_ex[p];
                if (e >= b1)
                    break;
                uint32_t i = e - b0;
                float c = w * k->post_w[p];
                if (!(c > 0))
                    continue; /* adds nothing; and so each example is touched once */
                /* without a branch: whether an example is new is a coin toss */
                touched[n_touched] = i;
                n_touched += acc[i] == 0;
                acc[i] += c;
            }
            pos[l] = p;
            more |= p < pe;
        }
        for (size_t t = 0; t < n_touched; t++) { /* the larger, without a branch */
            uint32_t i = touched[t], lab = k->label[b0 + i];
            float v = acc[i], old = cls_sim[lab];
            acc[i] = 0;
            cls_sim[lab] = v > old ? v : old;
        }
        if (!more)
            break;
    }
    /* the best example overall: the best of the articles' best, the lowest
     * article among equals */
    for (size_t c = 0; c < C; c++)
        if (cls_sim[c] > r->best) {
            r->best = cls_sim[c];
            r->best_label = (long)c;
        }
}

/* ---- one read ------------------------------------------------------------ */

/* Weight of the nearest example's cosine beside the classifier's log-odds
 * (chosen on CLINC150's validation set: 2 beat 0, 3, 4, 6, 10). */
#define KNN_BETA 2.0f

/* The inputs of the confidence model from the classifier's probabilities
 * (top two) and the neighbours. */
static void conf_inputs(double p1, double p2, const knn_result_t *kr, long top, double *phi)
{
    double lp1 = log(p1 > 1e-12 ? p1 : 1e-12), lp2 = log(p2 > 1e-12 ? p2 : 1e-12);
    double margin = lp1 - lp2;
    phi[0] = lp1;
    phi[1] = margin > 10 ? 10 : margin;
    phi[2] = kr->best;
    phi[3] = kr->best_in;
    phi[4] = kr->unknown;
    phi[5] = kr->best_label == top ? 1.0 : 0.0;
    phi[6] = 1.0 / (1.0 + (double)kr->n_terms);
    phi[7] = p1;
}

void lk_nlu__raw_read(const float *W, const float *bias, size_t C, const lk_nlu__knn_t *knn, const uint32_t *f,
                      const float *x, size_t n, const uint64_t *terms, size_t nt, float *z, float *sim,
                      lk_nlu__raw_read_t *r)
{
    /* the rows of W are asked for first and arrive while the neighbours
     * are found (the two do not depend on each other) */
    for (size_t i = 0; i < n; i++)
        prefetch_row(W + (size_t)f[i] * C, C);
    memset(sim, 0, C * sizeof *sim);
    knn_result_t kr;
    knn_query(knn, terms, nt, C, &kr, sim);
    scores(W, bias, C, f, x, n, 1.0f, z);
    /* product of experts: the classifier's probability times
     * exp(beta * the nearest example's cosine), renormalised */
    for (size_t c = 0; c < C; c++)
        z[c] += KNN_BETA * sim[c];
    softmax(z, C);
    /* the K best in one pass, best first; among equal probabilities the
     * lower index first (strict comparisons, ascending c) */
    size_t K = C < LK_NLU_TOP_K ? C : LK_NLU_TOP_K;
    r->n_top = 0;
    for (size_t c = 0; c < C; c++) {
        size_t k = r->n_top;
        while (k > 0 && z[c] > r->prob[k - 1])
            k--;
        if (k >= K)
            continue;
        size_t last = r->n_top < K ? r->n_top : K - 1;
        for (size_t j = last; j > k; j--) {
            r->top[j] = r->top[j - 1];
            r->prob[j] = r->prob[j - 1];
        }
        r->top[k] = (long)c;
        r->prob[k] = z[c];
        if (r->n_top < K)
            r->n_top++;
    }
    kr.best_in = sim[r->top[0]];
    conf_inputs(r->prob[0], r->n_top > 1 ? r->prob[1] : 0, &kr, r->top[0], r->phi);
}
