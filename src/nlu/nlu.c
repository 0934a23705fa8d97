/*
 * nlu.c: the model's life cycle and the read of one message.
 *
 * The matcher is a multinomial logistic regression (one class per article)
 * over the features of features.c, trained with plain SGD on each article's
 * example questions and title; negatives (questions known to be out of
 * scope) are trained towards the uniform distribution, so the model learns to
 * be unsure on them. The confidence is then calibrated (calib.c) and compared
 * with the answering threshold: the same code decides for `serve` and for
 * `loket eval`.
 *
 * Everything is deterministic: the shuffles use a seeded generator, and the
 * model is read-only once built, so any number of threads may read with it.
 */
#include "nlu/nlu_int.h"

#include "util/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_THRESHOLD 0.5
#define DEFAULT_EPOCHS 10
#define DEFAULT_SEED 20240601UL

void lk_nlu_options_default(lk_nlu_options_t *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->answer_threshold = DEFAULT_THRESHOLD;
    opts->epochs = DEFAULT_EPOCHS;
    opts->seed = DEFAULT_SEED;
}

/* ---- the feature table ------------------------------------------------- */

static size_t slot_of(const lk_nlu_model_t *m, uint64_t key)
{
    size_t mask = m->cap - 1;
    size_t i = (size_t)(key & mask);
    while (m->keys[i] && m->keys[i] != key)
        i = (i + 1) & mask;
    return i;
}

long lk_nlu__row(const lk_nlu_model_t *m, uint64_t key)
{
    if (!m->cap)
        return -1;
    size_t i = slot_of(m, key);
    return m->keys[i] ? (long)m->rows[i] : -1;
}

static uint32_t row_add(lk_nlu_model_t *m, uint64_t key)
{
    if ((m->n_feat + 1) * 2 > m->cap) {
        size_t ocap = m->cap;
        uint64_t *ok = m->keys;
        uint32_t *orows = m->rows;
        m->cap = ocap ? ocap * 2 : 1024;
        m->keys = lk_xcalloc(m->cap, sizeof *m->keys);
        m->rows = lk_xcalloc(m->cap, sizeof *m->rows);
        for (size_t i = 0; i < ocap; i++)
            if (ok[i]) {
                size_t j = slot_of(m, ok[i]);
                m->keys[j] = ok[i];
                m->rows[j] = orows[i];
            }
        free(ok);
        free(orows);
    }
    size_t i = slot_of(m, key);
    if (!m->keys[i]) {
        m->keys[i] = key;
        m->rows[i] = (uint32_t)m->n_feat++;
    }
    return m->rows[i];
}

/* ---- training ------------------------------------------------------------ */

typedef struct {
    uint32_t *f; /* rows */
    float *x;
    size_t n;
    long label; /* article index, or -1 for a negative */
    float weight;
} example_t;

typedef struct {
    example_t *v;
    size_t n, cap;
} examples_t;

static void add_example(lk_nlu_model_t *m, examples_t *ex, lk_text_stemmer_t *st, const char *text, long label,
                        float weight, lk_nlu__fvec_t *fv)
{
    lk_nlu__prep_t p;
    if (lk_nlu__prep(text, strlen(text), &p) != 0)
        return; /* the KB is validated UTF-8; skip anything else */
    lk_nlu__prep_stem(&p, st);
    lk_nlu__features(&p, fv);
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
        e->f[i] = row_add(m, fv->v[i].key);
        e->x[i] = fv->v[i].val;
    }
    e->label = label;
    e->weight = weight;
}

static void examples_free(examples_t *ex)
{
    for (size_t i = 0; i < ex->n; i++) {
        free(ex->v[i].f);
        free(ex->v[i].x);
    }
    free(ex->v);
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

/* Scores z[c] = bias[c] + scale * sum_f x_f W[f][c]. */
static void scores(const float *W, const float *bias, size_t C, const uint32_t *f, const float *x, size_t n,
                   float scale, float *z)
{
    for (size_t c = 0; c < C; c++)
        z[c] = 0;
    for (size_t i = 0; i < n; i++) {
        const float *w = W + (size_t)f[i] * C;
        float xi = x[i];
        for (size_t c = 0; c < C; c++)
            z[c] += xi * w[c];
    }
    for (size_t c = 0; c < C; c++)
        z[c] = z[c] * scale + bias[c];
}

/* In place: z becomes softmax(z / temp); returns the index of the maximum. */
static size_t softmax(float *z, size_t C, double temp)
{
    size_t best = 0;
    for (size_t c = 1; c < C; c++)
        if (z[c] > z[best])
            best = c;
    double mx = z[best], sum = 0;
    for (size_t c = 0; c < C; c++) {
        double e = exp((z[c] - mx) / temp);
        z[c] = (float)e;
        sum += e;
    }
    for (size_t c = 0; c < C; c++)
        z[c] = (float)(z[c] / sum);
    return best;
}

#include <stdio.h>
double knob(const char *n, double d);
double knob(const char *n, double d) { const char *v = getenv(n); return v ? strtod(v, NULL) : d; } /* TEMP */
#define LAMBDA knob("K_LAMBDA", 2e-5)
#define ETA0 knob("K_ETA", 0.8)

static void train(lk_nlu_model_t *m, const examples_t *ex, int epochs, unsigned long seed)
{
    size_t C = m->n_cls;
    m->W = lk_xcalloc(m->n_feat * C, sizeof *m->W);
    m->bias = lk_xcalloc(C, sizeof *m->bias);
    float *z = lk_xmalloc(C * sizeof *z);
    size_t *order = lk_xmalloc((ex->n ? ex->n : 1) * sizeof *order);
    for (size_t i = 0; i < ex->n; i++)
        order[i] = i;
    uint64_t rs = seed * 0x9E3779B97F4A7C15ULL + 1;
    double scale = 1.0;
    double t = 0;
    for (int ep = 0; ep < epochs; ep++) {
        for (size_t i = ex->n; i > 1; i--) {
            size_t j = (size_t)(rng_next(&rs) % i);
            size_t tmp = order[i - 1];
            order[i - 1] = order[j];
            order[j] = tmp;
        }
        for (size_t k = 0; k < ex->n; k++) {
            const example_t *e = &ex->v[order[k]];
            double eta = ETA0 / (1.0 + ETA0 * LAMBDA * t);
            t += 1;
            scores(m->W, m->bias, C, e->f, e->x, e->n, (float)scale, z);
            softmax(z, C, 1.0);
            /* gradient of the cross-entropy: p - y */
            if (e->label >= 0)
                z[e->label] -= 1.0f;
            else
                for (size_t c = 0; c < C; c++)
                    z[c] -= 1.0f / (float)C;
            scale *= 1.0 - eta * LAMBDA;
            float step = (float)(eta * e->weight / scale);
            for (size_t i = 0; i < e->n; i++) {
                float *w = m->W + (size_t)e->f[i] * C;
                float a = step * e->x[i];
                for (size_t c = 0; c < C; c++)
                    w[c] -= a * z[c];
            }
            for (size_t c = 0; c < C; c++)
                m->bias[c] -= (float)(eta * e->weight * 0.1) * z[c];
            if (scale < 1e-4) {
                for (size_t i = 0; i < m->n_feat * C; i++)
                    m->W[i] *= (float)scale;
                scale = 1.0;
            }
        }
    }
    for (size_t i = 0; i < m->n_feat * C; i++)
        m->W[i] *= (float)scale;
    free(z);
    free(order);
}

/* ---- life cycle ---------------------------------------------------------- */

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
    if (!(o.answer_threshold >= 0 && o.answer_threshold <= 1) || (o.n_negatives && !o.negatives))
        return LK_EINVAL;
    if (o.epochs <= 0)
        o.epochs = DEFAULT_EPOCHS;

    lk_nlu_model_t *m = lk_xcalloc(1, sizeof *m);
    m->kb = kb;
    m->threshold = o.answer_threshold;
    m->n_cls = kb->n_articles;
    m->temp = 1.0;

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
                add_example(m, &ex, st, a->questions[q], (long)i, 1.0f, &fv);
        if (a->title)
            add_example(m, &ex, st, a->title, (long)i, 1.0f, &fv);
    }
    for (size_t i = 0; i < o.n_negatives; i++)
        if (o.negatives[i])
            add_example(m, &ex, stemmer_for(st_nl, st_en, m->kb_lang), o.negatives[i], -1, 1.0f, &fv);
    lk_nlu__fvec_free(&fv);
    lk_text_stemmer_free(st_nl);
    lk_text_stemmer_free(st_en);

    if (m->n_cls)
        train(m, &ex, o.epochs, o.seed);
    examples_free(&ex);
    *out = m;
    return 0;
}

void lk_nlu_free(lk_nlu_model_t *m)
{
    if (!m)
        return;
    free(m->keys);
    free(m->rows);
    free(m->W);
    free(m->bias);
    free(m);
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

int lk_nlu_read(const lk_nlu_model_t *m, const char *text, size_t len, const lk_nlu_context_t *ctx,
                lk_nlu_reading_t *out)
{
    if (!m || !out || (!text && len))
        return LK_EINVAL;
    memset(out, 0, sizeof *out);
    if (!text)
        text = "";
    if (!lk_utf8_valid(text, len))
        return LK_EUTF8;

    lk_nlu__prep_t p;
    int rc = lk_nlu__prep(text, len, &p);
    if (rc)
        return rc;
    lk_text_lang_t lg;
    lk_text_language_tokens(p.norm, p.toks, p.n_toks, ctx ? ctx->language_hint : NULL, &lg);
    memcpy(out->language, lg.lang, sizeof out->language);
    out->language_confidence = lg.confidence;
    const char *lang = lg.lang[0] ? lg.lang : (ctx && ctx->language_hint ? ctx->language_hint : m->kb_lang);
    lk_text_stemmer_t *st = lk_text_stemmer_new(lang);
    lk_nlu__prep_stem(&p, st);
    lk_text_stemmer_free(st);

    if (m->n_cls && m->n_feat) {
        lk_nlu__fvec_t fv = {0};
        lk_nlu__features(&p, &fv);
        size_t C = m->n_cls;
        float zbuf[512];
        float *z = C <= 512 ? zbuf : lk_xmalloc(C * sizeof *z);
        for (size_t c = 0; c < C; c++)
            z[c] = m->bias[c];
        for (size_t i = 0; i < fv.n; i++) {
            long r = lk_nlu__row(m, fv.v[i].key);
            if (r < 0)
                continue;
            const float *w = m->W + (size_t)r * C;
            float xi = fv.v[i].val;
            for (size_t c = 0; c < C; c++)
                z[c] += xi * w[c];
        }
        lk_nlu__fvec_free(&fv);
        softmax(z, C, m->temp);
        /* top K by probability, ties to the lower index (deterministic) */
        for (size_t k = 0; k < LK_NLU_TOP_K && k < C; k++) {
            long best = -1;
            for (size_t c = 0; c < C; c++) {
                bool taken = false;
                for (size_t j = 0; j < k; j++)
                    taken |= out->top[j].article == (long)c;
                if (!taken && (best < 0 || z[c] > z[best]))
                    best = (long)c;
            }
            out->top[k].article = best;
            out->top[k].confidence = z[best];
            out->n_top = k + 1;
        }
        if (z != zbuf)
            free(z);
        out->answer = out->n_top > 0 && out->top[0].confidence >= m->threshold;
    }
    lk_nlu__signals(&p, text, len, ctx, &out->signals);
    lk_nlu__prep_free(&p);
    return 0;
}
