/*
 * nlu.c: the model's life cycle and the read of one message.
 *
 * Three parts, all built from the knowledge base's example questions (and
 * titles), once per KB version:
 *  1. a multinomial logistic regression (one class per article) over the
 *     features of features.c, trained with SGD; negatives (questions known to
 *     be out of scope) are trained towards the uniform distribution;
 *  2. a nearest-neighbour index (TF-IDF cosine over content stems and
 *     bigrams) that tells how close the message is to any known question;
 *  3. the confidence: a small logistic model over what 1 and 2 say (top
 *     probability, margin, neighbour similarity, unknown words, ...) fitted on
 *     held-out folds of the examples, where a fold also hides some articles
 *     entirely so that their questions stand in for out-of-scope questions.
 *     Its output estimates the probability that the top article is right.
 * The answer-or-decline decision compares that confidence with the
 * threshold: the same code decides for `serve` and for `loket eval`.
 *
 * Deterministic: the shuffles and folds use a seeded generator; the model is
 * read-only once built (but for the stemmers it lends to readers, each
 * behind an atomic flag), so any number of threads may read with it. A read
 * allocates nothing for a chat message (see lk_nlu_read).
 */
#include "nlu/nlu_int.h"

#include "util/util.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_THRESHOLD 0.5
#define DEFAULT_EPOCHS 8
#define DEFAULT_SEED 20240601UL

#define LAMBDA 1e-5 /* L2 on the classifier */
#define ETA0 0.8    /* SGD step size at the start */
/* Cross-validation folds: five when the articles have few example questions
 * (each held-out question is then scored by a model that saw 80% of them,
 * close to the model that answers), three when they have many (cheaper, and
 * on CLINC150's 100 a question the confidence fits better; docs/quality.md). */
#define FOLDS_FEW 5
#define FOLDS_MANY 3
#define MANY_EXAMPLES 20 /* per article, on average */
#define HIDE_SHARE 6       /* each fold hides 1 in this many articles */
#define OOS_WEIGHT 0.25    /* out-of-scope stand-ins weigh this share of the in-scope ones */
#define MAX_KNN_TERMS 256
#define STEMMER_SLOTS 16 /* per language: readers at once without allocating */
#define READ_FEATS 512   /* features of a message read without allocating */
#define READ_CLASSES 512 /* articles scored without allocating */
#define DEFAULT_DELTA 0.1
#define ANSWER_WEIGHT 0.3f /* an answer text's weight in training beside a question's 1 */
#define CALIB_ONLY (-2) /* the label of an example only the calibration scores */
#define NEG_COVERED 0.6 /* a built-in negative this close to an example is in scope */
#define DEFAULT_OOS_SHARE 0.2
#define CHOICE_MAX 3         /* articles offered as choices at most */
#define CHOICE_REL 0.15      /* a further choice has at least this share of the top's probability */
#define CLEAR_ANSWER 0.7 /* an answer at this confidence is clearly right: never turned into choices */
#define RIVAL_SHARE 0.33 /* a second article with this share of the top's confidence is a real competitor */
#define CHOICE_TARGET 0.6   /* choices are offered where the right article is among them this often */
#define CHOICE_MIN_TOP 0.35 /* choices only where the best article is at least this likely right */

void lk_nlu_options_default(lk_nlu_options_t *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->answer_threshold = DEFAULT_THRESHOLD;
    opts->epochs = DEFAULT_EPOCHS;
    opts->seed = DEFAULT_SEED;
    opts->answer_risk = 0;
    opts->risk_delta = DEFAULT_DELTA;
    opts->oos_share = DEFAULT_OOS_SHARE;
    opts->builtin_negatives = false;
}

/* ---- key -> index maps --------------------------------------------------- */

static size_t map_slot(const lk_nlu__map_t *m, uint64_t key)
{
    size_t mask = m->cap - 1;
    size_t i = (size_t)(key & mask);
    while (m->keys[i] && m->keys[i] != key)
        i = (i + 1) & mask;
    return i;
}

static long map_get(const lk_nlu__map_t *m, uint64_t key)
{
    if (!m->cap)
        return -1;
    size_t i = map_slot(m, key);
    return m->keys[i] ? (long)m->vals[i] : -1;
}

/* The key's index, adding it (as the next index) when new. */
static uint32_t map_add(lk_nlu__map_t *m, uint64_t key)
{
    if ((m->n + 1) * 2 > m->cap) {
        lk_nlu__map_t old = *m;
        m->cap = old.cap ? old.cap * 2 : 1024;
        m->keys = lk_xcalloc(m->cap, sizeof *m->keys);
        m->vals = lk_xcalloc(m->cap, sizeof *m->vals);
        for (size_t i = 0; i < old.cap; i++)
            if (old.keys[i]) {
                size_t j = map_slot(m, old.keys[i]);
                m->keys[j] = old.keys[i];
                m->vals[j] = old.vals[i];
            }
        free(old.keys);
        free(old.vals);
    }
    size_t i = map_slot(m, key);
    if (!m->keys[i]) {
        m->keys[i] = key;
        m->vals[i] = (uint32_t)m->n++;
    }
    return m->vals[i];
}

static void map_free(lk_nlu__map_t *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

long lk_nlu__row(const lk_nlu_model_t *m, uint64_t key)
{
    return map_get(&m->feat, key);
}

/* ---- examples ------------------------------------------------------------ */

typedef struct {
    uint32_t *f; /* rows of W */
    float *x;
    size_t n;
    uint64_t *terms; /* kNN terms */
    size_t n_terms;
    long label; /* article index, or -1 for a negative */
    float weight;
    bool answer; /* the article's answer text: always trained on, never held out */
} example_t;

typedef struct {
    example_t *v;
    size_t n, cap;
} examples_t;

static void add_example(lk_nlu__map_t *feat, examples_t *ex, lk_text_stemmer_t *st, const char *text, long label,
                        float weight, lk_nlu__fvec_t *fv, lk_nlu__vocab_t *voc)
{
    lk_nlu__prep_t p;
    if (lk_nlu__prep(text, strlen(text), &p) != 0)
        return; /* the KB is validated UTF-8; skip anything else */
    lk_nlu__prep_stem(&p, st);
    if (voc)
        lk_nlu__vocab_add(voc, &p);
    lk_nlu__features(&p, fv);
    uint64_t terms[MAX_KNN_TERMS];
    size_t nt = lk_nlu__knn_terms(&p, terms, MAX_KNN_TERMS);
    lk_nlu__prep_free(&p);
    if (!fv->n)
        return;
    if (ex->n == ex->cap) {
        ex->cap = ex->cap ? ex->cap * 2 : 256;
        ex->v = lk_xrealloc(ex->v, ex->cap * sizeof *ex->v);
    }
    example_t *e = &ex->v[ex->n++];
    e->n = fv->n;
    e->f = lk_xmalloc(fv->n * sizeof *e->f);
    e->x = lk_xmalloc(fv->n * sizeof *e->x);
    for (size_t i = 0; i < fv->n; i++) {
        e->f[i] = map_add(feat, fv->v[i].key);
        e->x[i] = fv->v[i].val;
    }
    e->n_terms = nt;
    e->terms = lk_xmalloc((nt ? nt : 1) * sizeof *e->terms);
    memcpy(e->terms, terms, nt * sizeof *terms);
    e->label = label;
    e->weight = weight;
    e->answer = false;
}

static void examples_free(examples_t *ex)
{
    for (size_t i = 0; i < ex->n; i++) {
        free(ex->v[i].f);
        free(ex->v[i].x);
        free(ex->v[i].terms);
    }
    free(ex->v);
}

static void knn_build(lk_nlu__knn_t *k, const examples_t *ex, const size_t *idx, size_t n);
static void knn_free(lk_nlu__knn_t *k);
typedef struct {
    double best;       /* highest cosine to any example */
    long best_label;   /* its article */
    double best_in;    /* highest cosine to an example of article `of` */
    double unknown;    /* share of the query's term weight that no example has */
    size_t n_terms;
} knn_result_t;
static void knn_query(const lk_nlu__knn_t *k, const uint64_t *terms, size_t nt, size_t C, knn_result_t *r,
                      float *cls_sim);

/* Drops the built-in out-of-scope questions (ex->v[from..]) that the
 * knowledge base covers: one that nearly repeats an example question of an
 * article (cosine >= NEG_COVERED) is in scope for this knowledge base (a
 * shop with a weather article answers weather questions). */
static void drop_covered_negatives(examples_t *ex, size_t from, size_t C)
{
    if (from >= ex->n || !C)
        return;
    size_t *idx = lk_xmalloc(from ? from * sizeof *idx : sizeof *idx);
    for (size_t i = 0; i < from; i++)
        idx[i] = i;
    lk_nlu__knn_t knn;
    knn_build(&knn, ex, idx, from);
    float *sim = lk_xmalloc(C * sizeof *sim);
    size_t m = from;
    for (size_t i = from; i < ex->n; i++) {
        example_t *e = &ex->v[i];
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
    knn_free(&knn);
}

static uint64_t rng_next(uint64_t *s)
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
static void train_lr(float *W, float *bias, size_t n_feat, size_t C, const examples_t *ex, const size_t *idx,
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
            size_t j = (size_t)(rng_next(&rs) % i);
            size_t tmp = order[i - 1];
            order[i - 1] = order[j];
            order[j] = tmp;
        }
        for (size_t k = 0; k < n; k++) {
            const example_t *e = &ex->v[order[k]];
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

static void knn_build(lk_nlu__knn_t *k, const examples_t *ex, const size_t *idx, size_t n)
{
    memset(k, 0, sizeof *k);
    uint32_t *df = NULL;
    size_t df_cap = 0, n_post = 0;
    for (size_t i = 0; i < n; i++) {
        const example_t *e = &ex->v[idx[i]];
        if (e->label < 0 || e->answer)
            continue;
        k->n_ex++;
        for (size_t j = 0; j < e->n_terms; j++) {
            uint32_t t = map_add(&k->terms, e->terms[j]);
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
        const example_t *e = &ex->v[idx[i]];
        if (e->label < 0 || e->answer)
            continue;
        double ss = 0;
        for (size_t j = 0; j < e->n_terms; j++) {
            float w = k->idf[map_get(&k->terms, e->terms[j])];
            ss += (double)w * w;
        }
        float inv = ss > 0 ? (float)(1.0 / sqrt(ss)) : 0;
        for (size_t j = 0; j < e->n_terms; j++) {
            uint32_t t = (uint32_t)map_get(&k->terms, e->terms[j]);
            uint32_t p = k->post_start[t] + fill[t]++;
            k->post_ex[p] = e_id;
            k->post_w[p] = k->idf[t] * inv;
        }
        k->label[e_id++] = (uint32_t)e->label;
    }
    free(fill);
    free(df);
}

static void knn_free(lk_nlu__knn_t *k)
{
    map_free(&k->terms);
    free(k->idf);
    free(k->post_start);
    free(k->post_ex);
    free(k->post_w);
    free(k->label);
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
    if (nt > MAX_KNN_TERMS)
        nt = MAX_KNN_TERMS;
    long tix[MAX_KNN_TERMS];
    double ss = 0, unk = 0;
    for (size_t j = 0; j < nt; j++) {
        tix[j] = map_get(&k->terms, terms[j]);
        double w = tix[j] >= 0 ? k->idf[tix[j]] : k->idf_unknown;
        ss += w * w;
        if (tix[j] < 0)
            unk += w * w;
    }
    r->unknown = unk / ss;
    double qn = 1.0 / sqrt(ss);
    /* the lists to walk, in the query's term order */
    uint32_t pos[MAX_KNN_TERMS], end[MAX_KNN_TERMS];
    float qw[MAX_KNN_TERMS];
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

/* ---- the confidence ------------------------------------------------------ */

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

/* Used when the knowledge base is too small to fit on held-out folds: fitted
 * on CLINC150 (docs/quality.md), reasonable for any KB of short questions. */
static const double conf_default_w[LK_NLU__N_CONF] = {0.0, 0.167, 0.540, 1.495, 0.190, 0.134, -1.274, 4.905};
static const double conf_default_b = -3.793;

static double sigmoid(double x)
{
    return 1.0 / (1.0 + exp(-x));
}

/* Weighted L2-regularised logistic regression by Newton's method. The ridge
 * is worth about one example: nothing on CLINC150's thousands of held-out
 * questions, but on a knowledge base of a few dozen articles it keeps the
 * confidence from reaching 1 on questions that fit two articles (it was
 * 1e-3, and "how do I send this back" got 1.000 between two return
 * articles). */
#define CONF_RIDGE 1.0

static void fit_logistic(const double *phi, const double *y, const double *w, size_t n, double *coef, double *b)
{
    enum { D = LK_NLU__N_CONF + 1 };
    double th[D] = {0};
    const double ridge = CONF_RIDGE;
    for (int it = 0; it < 30; it++) {
        double H[D][D] = {{0}}, g[D] = {0};
        for (size_t i = 0; i < n; i++) {
            double x[D];
            memcpy(x, phi + i * LK_NLU__N_CONF, LK_NLU__N_CONF * sizeof *x);
            x[D - 1] = 1;
            double z = 0;
            for (int d = 0; d < D; d++)
                z += th[d] * x[d];
            double p = sigmoid(z);
            double r = w[i] * (p - y[i]), s = w[i] * p * (1 - p);
            for (int a = 0; a < D; a++) {
                g[a] += r * x[a];
                for (int c = 0; c < D; c++)
                    H[a][c] += s * x[a] * x[c];
            }
        }
        for (int a = 0; a < D - 1; a++) { /* ridge, not on the intercept */
            g[a] += ridge * th[a];
            H[a][a] += ridge;
        }
        H[D - 1][D - 1] += 1e-9;
        /* solve H step = g (Gaussian elimination, partial pivoting) */
        double A[D][D + 1];
        for (int a = 0; a < D; a++) {
            memcpy(A[a], H[a], sizeof H[a]);
            A[a][D] = g[a];
        }
        for (int c = 0; c < D; c++) {
            int piv = c;
            for (int a = c + 1; a < D; a++)
                if (fabs(A[a][c]) > fabs(A[piv][c]))
                    piv = a;
            if (piv != c)
                for (int j = 0; j <= D; j++) {
                    double t = A[c][j];
                    A[c][j] = A[piv][j];
                    A[piv][j] = t;
                }
            if (fabs(A[c][c]) < 1e-12)
                continue;
            for (int a = c + 1; a < D; a++) {
                double f = A[a][c] / A[c][c];
                for (int j = c; j <= D; j++)
                    A[a][j] -= f * A[c][j];
            }
        }
        double step[D];
        for (int a = D - 1; a >= 0; a--) {
            double s = A[a][D];
            for (int j = a + 1; j < D; j++)
                s -= A[a][j] * step[j];
            step[a] = fabs(A[a][a]) < 1e-12 ? 0 : s / A[a][a];
        }
        double delta = 0;
        for (int a = 0; a < D; a++) {
            th[a] -= step[a];
            delta += fabs(step[a]);
        }
        if (delta < 1e-8)
            break;
    }
    memcpy(coef, th, LK_NLU__N_CONF * sizeof *coef);
    *b = th[D - 1];
}

/* What the classifier and the neighbours say about one example's features. */
typedef struct {
    long top[LK_NLU_TOP_K];
    float prob[LK_NLU_TOP_K];
    size_t n_top;
    double phi[LK_NLU__N_CONF];
} raw_read_t;

/* Weight of the nearest example's cosine beside the classifier's log-odds
 * (chosen on CLINC150's validation set: 2 beat 0, 3, 4, 6, 10). */
#define KNN_BETA 2.0f

static void raw_read(const float *W, const float *bias, size_t C, const lk_nlu__knn_t *knn, const uint32_t *f,
                     const float *x, size_t n, const uint64_t *terms, size_t nt, float *z, float *sim,
                     raw_read_t *r)
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

/* One held-out question of the cross-validation: its confidence inputs,
 * whether the top article was right, where the right article ranked among
 * the top (-1: not there, or out of scope), the top probabilities. */
typedef struct {
    double phi[LK_NLU__N_CONF];
    float prob[LK_NLU_TOP_K];
    size_t n_top;
    int rank;
    uint8_t fold;
    bool oos;
    bool hidden; /* an example of an article hidden in its fold (oos too) */
    bool calib_only; /* a built-in out-of-scope question: not for the confidence model */
    bool labelled;   /* a labelled question read by the finished model: conf is its confidence */
    double conf;
} cv_item_t;

static double conf_with(const double *cw, double cb, const double *phi);

/* The number of choices offered for a reading with these top
 * probabilities, and the confidence that the right article is among them
 * (conf: the calibrated confidence in the top one). */
static size_t choice_set(const float *prob, size_t n_top, double conf, double *set_conf /* OUT */)
{
    size_t k = 1;
    double sum = prob[0];
    while (k < n_top && k < CHOICE_MAX && prob[k] >= CHOICE_REL * prob[0])
        sum += prob[k++];
    double c = prob[0] > 0 ? conf * sum / prob[0] : 0;
    *set_conf = c > 1 ? 1 : c;
    return k;
}

/* The calibration from the cross-validation's held-out questions: each
 * fold's confidences come from a confidence model fitted on the other folds
 * (so that no question grades the model that scored it), then the threshold
 * (lk_nlu_calibrate_items) and the choice threshold: the lowest set
 * confidence at which, among the questions not answered, the right article
 * is still among the choices CHOICE_TARGET of the time (out-of-scope
 * questions weighted to the assumed share, and always a miss). */
static void calibrate(lk_nlu_model_t *m, const cv_item_t *it, size_t n, int folds, const lk_nlu_options_t *o)
{
    double *phi = lk_xmalloc((n ? n : 1) * LK_NLU__N_CONF * sizeof *phi);
    double *y = lk_xmalloc((n ? n : 1) * sizeof *y);
    double *w = lk_xmalloc((n ? n : 1) * sizeof *w);
    double *conf = lk_xmalloc((n ? n : 1) * sizeof *conf);
    for (int k = 0; k < folds; k++) {
        size_t nk = 0, tot_in = 0, tot_oos = 0;
        for (size_t i = 0; i < n; i++) {
            if (it[i].fold == k || it[i].calib_only)
                continue;
            memcpy(phi + nk * LK_NLU__N_CONF, it[i].phi, sizeof it[i].phi);
            y[nk] = !it[i].oos && it[i].rank == 0;
            w[nk] = it[i].oos;
            tot_oos += it[i].oos;
            tot_in += !it[i].oos;
            nk++;
        }
        for (size_t i = 0; i < nk; i++)
            w[i] = w[i] > 0 ? (tot_oos ? OOS_WEIGHT * (double)tot_in / (double)tot_oos : 0) : 1.0;
        double cw[LK_NLU__N_CONF], cb;
        fit_logistic(phi, y, w, nk, cw, &cb);
        for (size_t i = 0; i < n; i++)
            if (it[i].fold == k && !it[i].labelled)
                conf[i] = conf_with(cw, cb, it[i].phi);
    }
    size_t n_lab = 0;
    for (size_t i = 0; i < n; i++)
        if (it[i].labelled) {
            conf[i] = it[i].conf;
            n_lab++;
        }
    lk_nlu_item_t *items = lk_xmalloc((n ? n : 1) * sizeof *items);
    size_t n_cal = 0;
    for (size_t i = 0; i < n; i++)
        if (!it[i].hidden) /* the hidden articles' questions only fit the confidence */
            items[n_cal++] = (lk_nlu_item_t){conf[i], !it[i].oos && it[i].rank == 0, it[i].oos};
    lk_nlu_calibration_t *c = &m->calib;
    m->curve = lk_xmalloc(sizeof *m->curve);
    lk_nlu_curve_build(items, n_cal, m->curve);
    lk_nlu_curve_calibrate(m->curve, o->answer_risk, o->risk_delta, o->oos_share, c);
    if (!c->met) /* the fallback threshold answers; its figures are what the team sees */
        lk_nlu_curve_at(m->curve, o->answer_threshold, o->risk_delta, o->oos_share, c);
    c->done = true;
    c->n_labelled = n_lab;
    double answer_at = c->met ? c->threshold : o->answer_threshold;

    /* choices among the questions the threshold does not answer */
    size_t n_in = c->n_in, n_oos = c->n_oos, n_c = 0;
    double pi = o->oos_share;
    for (size_t i = 0; i < n; i++) {
        if (conf[i] >= answer_at || it[i].n_top < 2 || conf[i] < CHOICE_MIN_TOP)
            continue;
        double sc;
        size_t k = choice_set(it[i].prob, it[i].n_top, conf[i], &sc);
        if (k < 2)
            continue;
        bool hit = !it[i].oos && it[i].rank >= 0 && (size_t)it[i].rank < k;
        items[n_c++] = (lk_nlu_item_t){sc, hit, it[i].oos};
    }
    /* walk down the set confidence; weights as in traffic */
    double w_in = n_in ? (1 - pi) / (double)n_in : 0, w_oos = n_oos ? pi / (double)n_oos : 0;
    for (size_t i = 1; i < n_c; i++) { /* insertion sort, descending: n_c is small */
        lk_nlu_item_t t = items[i];
        size_t j = i;
        while (j > 0 && items[j - 1].confidence < t.confidence) {
            items[j] = items[j - 1];
            j--;
        }
        items[j] = t;
    }
    double hit_mass = 0, all_mass = 0, chosen = 2; /* 2: never */
    size_t hits = 0, hits_chosen = 0;
    for (size_t i = 0; i < n_c; i++) {
        all_mass += items[i].oos ? w_oos : w_in;
        hit_mass += items[i].correct ? w_in : 0;
        hits += items[i].correct != 0;
        if (i + 1 < n_c && items[i + 1].confidence == items[i].confidence)
            continue;
        if (hit_mass >= CHOICE_TARGET * all_mass) {
            chosen = items[i].confidence;
            hits_chosen = hits;
        }
    }
    c->choice_threshold = chosen;
    c->helped = n_in ? c->accuracy + (double)hits_chosen / (double)n_in : 0;
    free(items);
    free(phi);
    free(y);
    free(w);
    free(conf);
}

/* Fits the confidence model on held-out folds; false when there is too
 * little data (then the defaults stay). With o->answer_risk > 0 it hands
 * the held-out questions to the caller for the calibration (*cal, *n_cal
 * of them, free with free(); room is left for o->n_labelled more). */
static bool fit_confidence(lk_nlu_model_t *m, const examples_t *ex, const lk_nlu_options_t *o,
                           cv_item_t **cal /* OUT */, size_t *n_cal /* OUT */, int *n_folds /* OUT */)
{
    int epochs = o->epochs;
    uint64_t seed = o->seed;
    size_t C = m->n_cls;
    size_t n_in = 0;
    for (size_t i = 0; i < ex->n; i++)
        n_in += ex->v[i].label >= 0 && !ex->v[i].answer;
    if (C < 4 || n_in < 8 * C / 2 || n_in < 40)
        return false;
    const int folds = n_in < MANY_EXAMPLES * C ? FOLDS_FEW : FOLDS_MANY;

    /* folds of the examples; each fold also hides 1/HIDE_SHARE of the articles */
    uint64_t rs = seed ^ 0xD1B54A32D192ED03ULL;
    uint8_t *fold = lk_xmalloc(ex->n);
    for (size_t i = 0, j = 0; i < ex->n; i++) /* the built-in questions take turns (no draw) */
        fold[i] = (uint8_t)(ex->v[i].label == CALIB_ONLY || ex->v[i].answer ? j++ % (size_t)folds
                                                                               : rng_next(&rs) % (uint64_t)folds);
    uint32_t *cls_perm = lk_xmalloc(C * sizeof *cls_perm);
    for (size_t c = 0; c < C; c++)
        cls_perm[c] = (uint32_t)c;
    for (size_t i = C; i > 1; i--) {
        size_t j = (size_t)(rng_next(&rs) % i);
        uint32_t t = cls_perm[i - 1];
        cls_perm[i - 1] = cls_perm[j];
        cls_perm[j] = t;
    }
    uint8_t *hidden_in = lk_xmalloc(C); /* article c is hidden in fold hidden_in[c], or none */
    size_t n_hide = C / HIDE_SHARE;
    memset(hidden_in, 0xFF, C);
    for (size_t k = 0; k < (size_t)folds; k++)
        for (size_t j = 0; j < n_hide; j++)
            hidden_in[cls_perm[k * n_hide + j]] = (uint8_t)k;

    cv_item_t *items = lk_xcalloc(ex->n + o->n_labelled, sizeof *items);
    double *phi = lk_xmalloc(ex->n * LK_NLU__N_CONF * sizeof *phi);
    double *y = lk_xmalloc(ex->n * sizeof *y);
    double *w = lk_xmalloc(ex->n * sizeof *w);
    size_t n_items = 0;
    size_t *idx = lk_xmalloc(ex->n * sizeof *idx);
    float *W = lk_xmalloc(m->feat.n * C * sizeof *W);
    float *bias = lk_xmalloc(C * sizeof *bias);
    float *z = lk_xmalloc(C * sizeof *z);
    float *sim = lk_xmalloc(C * sizeof *sim);
    for (int k = 0; k < folds; k++) {
        size_t n = 0;
        for (size_t i = 0; i < ex->n; i++) {
            long l = ex->v[i].label;
            if ((fold[i] != k || ex->v[i].answer) && l != CALIB_ONLY && (l < 0 || hidden_in[l] != k))
                idx[n++] = i;
        }
        train_lr(W, bias, m->feat.n, C, ex, idx, n, epochs, seed + (uint64_t)k + 1);
        lk_nlu__knn_t knn;
        knn_build(&knn, ex, idx, n);
        for (size_t i = 0; i < ex->n; i++) {
            if (fold[i] != k || ex->v[i].answer)
                continue;
            const example_t *e = &ex->v[i];
            raw_read_t r;
            raw_read(W, bias, C, &knn, e->f, e->x, e->n, e->terms, e->n_terms, z, sim, &r);
            bool oos = e->label < 0 || hidden_in[e->label] == k;
            cv_item_t *it = &items[n_items++];
            memcpy(it->phi, r.phi, sizeof r.phi);
            memcpy(it->prob, r.prob, sizeof r.prob);
            it->n_top = r.n_top;
            it->rank = -1;
            for (size_t j = 0; !oos && j < r.n_top; j++)
                if (r.top[j] == e->label)
                    it->rank = (int)j;
            it->fold = (uint8_t)k;
            it->oos = oos;
            it->hidden = e->label >= 0 && oos;
            it->calib_only = e->label == CALIB_ONLY;
        }
        knn_free(&knn);
    }
    double tot_in = 0, tot_oos = 0;
    size_t n_fit = 0;
    for (size_t i = 0; i < n_items; i++) {
        if (items[i].calib_only)
            continue;
        if (items[i].oos)
            tot_oos += 1;
        else
            tot_in += 1;
    }
    for (size_t i = 0; i < n_items; i++) {
        if (items[i].calib_only)
            continue;
        memcpy(phi + n_fit * LK_NLU__N_CONF, items[i].phi, sizeof items[i].phi);
        y[n_fit] = !items[i].oos && items[i].rank == 0;
        w[n_fit++] = items[i].oos ? (tot_oos > 0 ? OOS_WEIGHT * tot_in / tot_oos : 0) : 1.0;
    }
    fit_logistic(phi, y, w, n_fit, m->conf_w, &m->conf_b);
    if (o->answer_risk > 0) {
        *cal = items;
        *n_cal = n_items;
        *n_folds = folds;
        items = NULL;
    }

    free(fold);
    free(cls_perm);
    free(hidden_in);
    free(items);
    free(phi);
    free(y);
    free(w);
    free(idx);
    free(W);
    free(bias);
    free(z);
    free(sim);
    return true;
}

static double conf_with(const double *cw, double cb, const double *phi)
{
    double z = cb;
    for (int d = 0; d < LK_NLU__N_CONF; d++)
        z += cw[d] * phi[d];
    return sigmoid(z);
}

static double confidence_of(const lk_nlu_model_t *m, const double *phi)
{
    return conf_with(m->conf_fitted ? m->conf_w : conf_default_w, m->conf_fitted ? m->conf_b : conf_default_b, phi);
}

/* ---- stemmers for readers -------------------------------------------------- */

/* A libstemmer stemmer keeps its work buffers inside, so two threads must
 * not share one, and creating one per read costs a handful of allocations.
 * The model therefore keeps STEMMER_SLOTS stemmers per language that a read
 * borrows (an atomic flag each) and gives back; a stemmer is created the
 * first time its slot is used. When every slot is busy (more readers at once
 * than slots), the read makes its own, as before. */
struct lk_nlu__stem_slot {
    atomic_bool busy;
    lk_text_stemmer_t *st;
};
typedef struct lk_nlu__stem_slot stem_slot_t;

static const char *const stem_langs[2] = {"nl", "en"};

static void stem_slots_init(lk_nlu_model_t *m)
{
    m->stemmers = lk_xcalloc(2 * STEMMER_SLOTS, sizeof *m->stemmers);
    for (size_t i = 0; i < 2 * STEMMER_SLOTS; i++) {
        atomic_init(&m->stemmers[i].busy, false);
        m->stemmers[i].st = NULL;
    }
}

static void stem_slots_free(lk_nlu_model_t *m)
{
    if (!m->stemmers)
        return;
    for (size_t i = 0; i < 2 * STEMMER_SLOTS; i++)
        lk_text_stemmer_free(m->stemmers[i].st);
    free(m->stemmers);
    m->stemmers = NULL;
}

/* The stemmer lk_text_stemmer_new(lang) would give, borrowed: give it back
 * with stemmer_put(). NULL when lang has none. */
static lk_text_stemmer_t *stemmer_get(const lk_nlu_model_t *m, const char *lang, stem_slot_t **slot /* OUT */)
{
    *slot = NULL;
    size_t li;
    if (!strcmp(lang, "nl") || !strcmp(lang, "dutch"))
        li = 0;
    else if (!strcmp(lang, "en") || !strcmp(lang, "english"))
        li = 1;
    else
        return NULL;
    stem_slot_t *slots = m->stemmers + li * STEMMER_SLOTS;
    for (size_t i = 0; i < STEMMER_SLOTS; i++)
        if (!atomic_load_explicit(&slots[i].busy, memory_order_relaxed) &&
            !atomic_exchange_explicit(&slots[i].busy, true, memory_order_acquire)) {
            if (!slots[i].st)
                slots[i].st = lk_text_stemmer_new(stem_langs[li]);
            *slot = &slots[i];
            return slots[i].st;
        }
    return lk_text_stemmer_new(stem_langs[li]);
}

static void stemmer_put(lk_text_stemmer_t *st, stem_slot_t *slot)
{
    if (slot)
        atomic_store_explicit(&slot->busy, false, memory_order_release);
    else
        lk_text_stemmer_free(st);
}

/* ---- life cycle ---------------------------------------------------------- */

/* Reads the labelled questions of o with the finished model (m's threshold
 * not yet set by the calibration) into it[], as the calibration counts them
 * (see lk_nlu_options_t.labelled); returns how many. A question that
 * matches only on function words is never answered: confidence 0. */
static size_t read_labelled(lk_nlu_model_t *m, const lk_nlu_options_t *o, cv_item_t *it)
{
    size_t n = 0;
    double keep = m->threshold;
    m->threshold = 0; /* answer: the question matches on more than function words */
    for (size_t i = 0; i < o->n_labelled; i++) {
        const lk_nlu_labelled_t *l = &o->labelled[i];
        if (!l->text || l->article < -1 || l->article >= (long)m->n_cls || (l->wrong && l->article < 0))
            continue;
        lk_nlu_reading_t r;
        if (lk_nlu_read(m, l->text, strlen(l->text), NULL, &r) != 0 || !r.n_top)
            continue;
        if (l->wrong && r.top[0].article != l->article)
            continue; /* the model answers otherwise now: the mark tells nothing of that */
        cv_item_t *c = &it[n++];
        memset(c, 0, sizeof *c);
        c->labelled = true;
        c->calib_only = true; /* not for the confidence model */
        c->fold = UINT8_MAX;
        c->oos = !l->wrong && l->article < 0;
        c->conf = r.answer ? r.top[0].confidence : 0;
        c->n_top = r.n_top;
        c->rank = -1;
        for (size_t k = 0; k < r.n_top; k++) {
            c->prob[k] = (float)(r.top[0].confidence > 0 ? r.top[k].confidence / r.top[0].confidence : k == 0);
            if (!c->oos && !l->wrong && r.top[k].article == l->article && c->rank < 0)
                c->rank = (int)k;
        }
    }
    m->threshold = keep;
    return n;
}

static lk_text_stemmer_t *stemmer_for(lk_text_stemmer_t *nl, lk_text_stemmer_t *en, const char *lang)
{
    if (lang && !strcmp(lang, "nl"))
        return nl;
    if (lang && !strcmp(lang, "en"))
        return en;
    return NULL;
}

int lk_nlu_build(const lk_kb_t *kb, const lk_nlu_options_t *opts, lk_nlu_model_t **out)
{
    if (!kb || !out)
        return LK_EINVAL;
    *out = NULL;
    lk_nlu_options_t o;
    if (opts)
        o = *opts;
    else
        lk_nlu_options_default(&o);
    if (!(o.answer_threshold >= 0 && o.answer_threshold <= 1) || (o.n_negatives && !o.negatives) ||
        !(o.answer_risk >= 0 && o.answer_risk < 1) || !(o.risk_delta >= 0 && o.risk_delta < 1) ||
        !(o.oos_share >= 0 && o.oos_share < 1))
        return LK_EINVAL;
    if (o.risk_delta <= 0)
        o.risk_delta = DEFAULT_DELTA;
    if (o.oos_share <= 0)
        o.oos_share = DEFAULT_OOS_SHARE;
    if (o.epochs <= 0)
        o.epochs = DEFAULT_EPOCHS;

    lk_nlu_model_t *m = lk_xcalloc(1, sizeof *m);
    stem_slots_init(m);
    m->kb = kb;
    m->threshold = o.answer_threshold;
    m->n_cls = kb->n_articles;

    /* the knowledge base's main language: the default for messages that
     * give no evidence of their own */
    size_t n_nl = 0, n_en = 0;
    for (size_t i = 0; i < kb->n_articles; i++) {
        const char *l = kb->articles[i].language;
        n_nl += l && !strcmp(l, "nl");
        n_en += l && !strcmp(l, "en");
    }
    memcpy(m->kb_lang, n_nl > n_en ? "nl" : "en", 3);

    lk_text_stemmer_t *st_nl = lk_text_stemmer_new("nl"), *st_en = lk_text_stemmer_new("en");
    examples_t ex = {0};
    lk_nlu__fvec_t fv = {0};
    for (size_t i = 0; i < kb->n_articles; i++) {
        const lk_article_t *a = &kb->articles[i];
        lk_text_stemmer_t *st = stemmer_for(st_nl, st_en, a->language);
        for (size_t q = 0; q < a->n_questions; q++)
            if (a->questions[q])
                add_example(&m->feat, &ex, st, a->questions[q], (long)i, 1.0f, &fv, &m->vocab);
        if (a->title)
            add_example(&m->feat, &ex, st, a->title, (long)i, 1.0f, &fv, &m->vocab);
        /* the answer's text, at a lower weight: the words a customer may ask
         * with that no example question has. The classifier learns from it;
         * the neighbours and the calibration's held-out questions do not use
         * it (an answer is no question). */
        if (a->answer && *a->answer) {
            size_t before = ex.n;
            add_example(&m->feat, &ex, st, a->answer, (long)i, ANSWER_WEIGHT, &fv, &m->vocab);
            if (ex.n > before)
                ex.v[before].answer = true;
        }
    }
    lk_nlu__vocab_link_synonyms(&m->vocab);
    for (size_t i = 0; i < o.n_negatives; i++)
        if (o.negatives[i])
            add_example(&m->feat, &ex, stemmer_for(st_nl, st_en, m->kb_lang), o.negatives[i], -1, 1.0f, &fv, NULL);
    size_t first_builtin = ex.n;
    if (o.builtin_negatives) /* those of each language the articles are in */
        for (size_t li = 0; li < 2; li++) {
            if (!(li == 0 ? n_nl : n_en))
                continue;
            const char *lang = li == 0 ? "nl" : "en";
            size_t n_b;
            const char *data = lk_nlu__builtin_oos(lang, &n_b);
            lk_text_stemmer_t *st = stemmer_for(st_nl, st_en, lang);
            for (size_t i = 0; i < n_b;) { /* one question a line; # comments */
                size_t j = i;
                while (j < n_b && data[j] != '\n')
                    j++;
                if (j > i && data[i] != '#' && j - i < 1024) {
                    char line[1024];
                    memcpy(line, data + i, j - i);
                    line[j - i] = '\0';
                    add_example(&m->feat, &ex, st, line, CALIB_ONLY, 1.0f, &fv, NULL);
                }
                i = j + 1;
            }
        }
    lk_nlu__fvec_free(&fv);
    lk_text_stemmer_free(st_nl);
    lk_text_stemmer_free(st_en);
    drop_covered_negatives(&ex, first_builtin, m->n_cls);

    if (m->n_cls) {
        cv_item_t *cal = NULL;
        size_t n_cal = 0;
        int folds = 0;
        m->conf_fitted = fit_confidence(m, &ex, &o, &cal, &n_cal, &folds);
        size_t *idx = lk_xmalloc((ex.n ? ex.n : 1) * sizeof *idx);
        size_t n_train = 0;
        for (size_t i = 0; i < ex.n; i++)
            if (ex.v[i].label != CALIB_ONLY)
                idx[n_train++] = i;
        m->W = lk_xmalloc((m->feat.n ? m->feat.n : 1) * m->n_cls * sizeof *m->W);
        m->bias = lk_xmalloc(m->n_cls * sizeof *m->bias);
        train_lr(m->W, m->bias, m->feat.n, m->n_cls, &ex, idx, n_train, o.epochs, o.seed);
        knn_build(&m->knn, &ex, idx, n_train);
        free(idx);
        if (cal) {
            n_cal += read_labelled(m, &o, cal + n_cal);
            calibrate(m, cal, n_cal, folds, &o);
            free(cal);
            if (m->calib.met)
                m->threshold = m->calib.threshold;
        }
    }
    examples_free(&ex);
    *out = m;
    return 0;
}

void lk_nlu_free(lk_nlu_model_t *m)
{
    if (!m)
        return;
    map_free(&m->feat);
    knn_free(&m->knn);
    stem_slots_free(m);
    free(m->curve);
    lk_nlu__vocab_free(&m->vocab);
    free(m->W);
    free(m->bias);
    free(m);
}

void lk_nlu_calibration(const lk_nlu_model_t *m, lk_nlu_calibration_t *out)
{
    memset(out, 0, sizeof *out);
    if (m && m->calib.done)
        *out = m->calib;
}

void lk_nlu_calibration_at(const lk_nlu_model_t *m, double t, lk_nlu_calibration_t *out)
{
    memset(out, 0, sizeof *out);
    if (!m || !m->calib.done || !m->curve)
        return;
    *out = m->calib;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    lk_nlu_curve_at(m->curve, t, m->calib.delta, m->calib.oos_share, out);
}

double lk_nlu_threshold(const lk_nlu_model_t *m)
{
    return m ? m->threshold : 1.0;
}

void lk_nlu_set_threshold(lk_nlu_model_t *m, double threshold)
{
    if (!m)
        return;
    m->threshold = threshold < 0 ? 0 : threshold > 1 ? 1 : threshold;
}

/* ---- reading ------------------------------------------------------------- */

static bool explain_prepared(const lk_nlu_model_t *m, const lk_nlu__prep_t *p, long a, lk_nlu_explanation_t *out);

/* Offers the top two or three articles as choices when the bot does not
 * answer, or answers below CLEAR_ANSWER with a second article at least
 * RIVAL_SHARE as likely ("Hoe stuur ik iets terug?" between returning shoes
 * and returning clothes), but the right article is likely among them: the set's confidence
 * (the top's calibrated confidence, scaled by the set's share of the
 * classifier's probability) reaches the choice threshold the calibration
 * chose. Only articles in the message's language are offered, and only
 * when the message matches the top one on more than function words (the
 * caller checks). Without a calibration, no choices. */
static void decide_choices(const lk_nlu_model_t *m, lk_nlu_reading_t *out)
{
    out->ask = false;
    out->n_choices = 0;
    if (out->n_top < 2 || !m->calib.done || out->top[0].confidence <= 0)
        return;
    /* a best article this unlikely is a guess, and so are the others: a
     * menu of unrelated articles helps nobody (an out-of-scope question gets
     * a plain "I don't know" and the person) */
    if (out->top[0].confidence < CHOICE_MIN_TOP)
        return;
    /* an answer that is not clearly right, with a real competitor beside
     * it, becomes a choice between them (below) */
    if (out->answer && (out->top[0].confidence >= CLEAR_ANSWER ||
                        out->top[1].confidence < RIVAL_SHARE * out->top[0].confidence))
        return;
    /* the choices are offered in the message's language (else the
     * knowledge base's): the leading articles in it */
    const char *lang = out->language[0] ? out->language : m->kb_lang;
    size_t n_top = 0;
    while (n_top < out->n_top) {
        const char *al = m->kb->articles[out->top[n_top].article].language;
        if (al && strcmp(al, lang) != 0)
            break;
        n_top++;
    }
    if (n_top < 2)
        return;
    float prob[LK_NLU_TOP_K];
    for (size_t k = 0; k < n_top; k++)
        prob[k] = (float)(out->top[k].confidence / out->top[0].confidence);
    double set_conf;
    size_t k = choice_set(prob, n_top, out->top[0].confidence, &set_conf);
    if (k >= 2 && set_conf >= m->calib.choice_threshold) {
        out->ask = true;
        out->n_choices = k;
        out->answer = false;
    }
}

/* The rows of W of the features the model knows, with their values. The
 * table slots are fetched from memory for all keys first, so that their
 * cache misses overlap instead of following one another. */
static size_t known_features(const lk_nlu_model_t *m, const lk_nlu__fvec_t *fv, uint32_t *f, float *x)
{
    size_t mask = m->feat.cap - 1;
    for (size_t i = 0; i < fv->n; i++) {
        size_t slot = (size_t)(fv->v[i].key & mask);
        __builtin_prefetch(&m->feat.keys[slot], 0, 3);
        __builtin_prefetch(&m->feat.vals[slot], 0, 3);
    }
    size_t n = 0;
    for (size_t i = 0; i < fv->n; i++) {
        long r = map_get(&m->feat, fv->v[i].key);
        if (r >= 0) {
            f[n] = (uint32_t)r;
            x[n++] = fv->v[i].val;
        }
    }
    return n;
}

/* Normalises, tokenises and stems text in the language it is in (the
 * reading's language fields are set when out is not NULL). The caller then
 * reads typos and compounds as known words (lk_nlu__vocab_correct). */
static int prepare(const lk_nlu_model_t *m, const char *text, size_t len, const lk_nlu_context_t *ctx,
                   lk_nlu__prep_t *p /* OUT */, lk_nlu_reading_t *out)
{
    if (!lk_utf8_valid(text, len))
        return LK_EUTF8;
    int rc = lk_nlu__prep(text, len, p);
    if (rc)
        return rc;
    lk_text_lang_t lg;
    lk_text_language_tokens(p->norm, p->toks, p->n_toks, ctx ? ctx->language_hint : NULL, &lg);
    if (out) {
        memcpy(out->language, lg.lang, sizeof out->language);
        out->language_confidence = lg.confidence;
    }
    const char *lang = lg.lang[0] ? lg.lang : (ctx && ctx->language_hint ? ctx->language_hint : m->kb_lang);
    stem_slot_t *slot;
    lk_text_stemmer_t *st = stemmer_get(m, lang, &slot);
    lk_nlu__prep_stem(p, st);
    stemmer_put(st, slot);
    return 0;
}

/* Reading allocates nothing for a chat message: the text, its tokens and
 * features live in buffers on the stack (with a heap fallback for texts far
 * longer than a chat message), and the stemmer is borrowed from the model. */
int lk_nlu_read(const lk_nlu_model_t *m, const char *text, size_t len, const lk_nlu_context_t *ctx,
                lk_nlu_reading_t *out)
{
    if (!m || !out || (!text && len))
        return LK_EINVAL;
    memset(out, 0, sizeof *out);
    if (!text)
        text = "";
    lk_nlu__prep_t p;
    int rc = prepare(m, text, len, ctx, &p, out);
    if (rc)
        return rc;
    /* the signals read the message as written; the matching reads typos and
     * compounds as the knowledge base's words (which changes tokens) */
    lk_nlu__signals(&p, text, len, ctx, &out->signals);
    lk_nlu__vocab_correct(&m->vocab, &p);

    if (m->n_cls && m->feat.n) {
        lk_nlu__feat_t fbuf[READ_FEATS];
        lk_nlu__fvec_t fv = {fbuf, 0, READ_FEATS, false};
        lk_nlu__features(&p, &fv);
        uint64_t terms[MAX_KNN_TERMS];
        size_t nt = lk_nlu__knn_terms(&p, terms, MAX_KNN_TERMS);
        /* keep the features the model knows, as rows */
        uint32_t fb[READ_FEATS];
        float xb[READ_FEATS];
        uint32_t *f = fv.n <= READ_FEATS ? fb : lk_xmalloc(fv.n * sizeof *f);
        float *x = fv.n <= READ_FEATS ? xb : lk_xmalloc(fv.n * sizeof *x);
        size_t n = known_features(m, &fv, f, x);
        lk_nlu__fvec_free(&fv);
        size_t C = m->n_cls;
        float zbuf[READ_CLASSES], sbuf[READ_CLASSES];
        float *z = C <= READ_CLASSES ? zbuf : lk_xmalloc(C * sizeof *z);
        float *sim = C <= READ_CLASSES ? sbuf : lk_xmalloc(C * sizeof *sim);
        raw_read_t r;
        raw_read(m->W, m->bias, C, &m->knn, f, x, n, terms, nt, z, sim, &r);
        if (z != zbuf) {
            free(z);
            free(sim);
        }
        if (f != fb) {
            free(f);
            free(x);
        }
        /* the top article's confidence is the calibrated one; the others
         * keep their share of the classifier's probability */
        double conf = confidence_of(m, r.phi);
        out->n_top = r.n_top;
        for (size_t k = 0; k < r.n_top; k++) {
            out->top[k].article = r.top[k];
            out->top[k].confidence = k == 0 ? conf : conf * r.prob[k] / (r.prob[0] > 0 ? r.prob[0] : 1);
        }
        /* a match on function words alone ("hoe laat", "what is") is none:
         * neither an answer nor choices */
        bool match = out->n_top > 0 && explain_prepared(m, &p, out->top[0].article, NULL);
        out->answer = match && conf >= m->threshold;
        if (match)
            decide_choices(m, out);
    }
    lk_nlu__prep_free(&p);
    return 0;
}

/* ---- explaining ---------------------------------------------------------- */

/* Whether some example of article `a` has the term at index t of the index. */
static bool term_in_article(const lk_nlu__knn_t *k, long t, long a)
{
    if (t < 0 || a < 0)
        return false;
    for (uint32_t p = k->post_start[t]; p < k->post_start[t + 1]; p++)
        if ((long)k->label[k->post_ex[p]] == a)
            return true;
    return false;
}

/* Adds a copy of w to list unless it is there; a word longer than 31 bytes
 * is cut at a character boundary (the copy stays valid UTF-8). */
static void add_word(char (*list)[32], size_t *n, const char *w, size_t len)
{
    if (*n >= LK_NLU_EXPLAIN_WORDS)
        return;
    size_t l = len;
    if (l > 31) {
        l = 31;
        while (l > 0 && ((unsigned char)w[l] & 0xC0) == 0x80)
            l--; /* w[l] continues a character: cut before that character */
    }
    for (size_t i = 0; i < *n; i++)
        if (strlen(list[i]) == l && !memcmp(list[i], w, l))
            return;
    memcpy(list[*n], w, l);
    list[*n][l] = '\0';
    (*n)++;
}

/* The words of a prepared message against article a (see
 * lk_nlu_explanation_t); out may be NULL. Returns false when a matched only
 * on function words while the message has words of its own that a does
 * not have ("hoe laat vertrekt de trein"); a message of function words only
 * ("who are you") has nothing else to match on and is not held to that. */
static bool explain_prepared(const lk_nlu_model_t *m, const lk_nlu__prep_t *p, long a, lk_nlu_explanation_t *out)
{
    bool content = false, any = false, own = false;
    for (size_t i = 0; i < p->n_toks; i++) {
        if (p->toks[i].type != LK_TOK_WORD)
            continue;
        const char *w = p->norm + p->toks[i].off;
        size_t wl = p->toks[i].len;
        bool fw = lk_nlu__function_word(w, wl);
        long t = map_get(&m->knn.terms, lk_nlu__stem_key(p->stems[i], p->stem_len[i]));
        if (term_in_article(&m->knn, t, a)) {
            any = true;
            content |= !fw;
            if (out)
                add_word(out->matched, &out->n_matched, w, wl);
        } else if (fw) {
            continue; /* a function word that did not match: not worth naming */
        } else {
            own = true; /* a word of the message's own */
            if (out)
                add_word(t >= 0 ? out->other : out->unknown, t >= 0 ? &out->n_other : &out->n_unknown, w, wl);
        }
    }
    bool function_only = any && !content && own;
    if (out)
        out->function_words_only = function_only;
    return !function_only;
}

int lk_nlu_explain(const lk_nlu_model_t *m, const char *text, size_t len, const lk_nlu_context_t *ctx, long article,
                   lk_nlu_explanation_t *out)
{
    if (!m || !out || (!text && len))
        return LK_EINVAL;
    memset(out, 0, sizeof *out);
    if (article >= (long)m->n_cls)
        return LK_EINVAL;
    if (article < 0) {
        lk_nlu_reading_t r;
        int rc = lk_nlu_read(m, text, len, ctx, &r);
        if (rc)
            return rc;
        if (!r.n_top)
            return 0;
        article = r.top[0].article;
    }
    if (!text)
        text = "";
    lk_nlu__prep_t p;
    int rc = prepare(m, text, len, ctx, &p, NULL);
    if (rc)
        return rc;
    long via[LK_NLU__MAX_TOKENS]; /* the synonym each token was read as */
    lk_nlu__vocab_correct_via(&m->vocab, &p, via); /* as lk_nlu_read matches */
    explain_prepared(m, &p, article, out);
    for (size_t i = 0; i < p.n_toks && out->n_via < LK_NLU_EXPLAIN_WORDS; i++) {
        if (via[i] < 0)
            continue;
        const lk_nlu__vocab_entry_t *e = &m->vocab.entries[via[i]];
        size_t wl = p.toks[i].len;
        if (wl > 31 || !term_in_article(&m->knn, map_get(&m->knn.terms, lk_nlu__stem_key(e->stem, e->slen)), article))
            continue; /* named only where the synonym made the match */
        memcpy(out->via[out->n_via].word, p.norm + p.toks[i].off, wl);
        out->via[out->n_via].word[wl] = '\0';
        size_t al = e->wlen;
        if (al > 31) /* cut before a character that would not fit whole */
            for (al = 31; al > 0 && ((unsigned char)e->word[al] & 0xC0) == 0x80; al--)
                ;
        memcpy(out->via[out->n_via].as, e->word, al);
        out->via[out->n_via].as[al] = '\0';
        out->n_via++;
    }
    lk_nlu__prep_free(&p);
    return 0;
}
