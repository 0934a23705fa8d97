/*
 * nlu.c: the model's life cycle and the read of one message.
 *
 * The model has three parts, all built from the knowledge base's example
 * questions (and titles), once per KB version: a classifier and a
 * nearest-neighbour index (model.c) and the confidence fitted on what they
 * say about held-out folds of the examples (confidence.c). The
 * answer-or-decline decision compares that confidence with the threshold:
 * the same code decides for `serve` and for `loket eval`.
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
#define STEMMER_SLOTS 16 /* per language: readers at once without allocating */
#define READ_FEATS 512   /* features of a message read without allocating */
#define READ_CLASSES 512 /* articles scored without allocating */
#define DEFAULT_DELTA 0.1
#define ANSWER_WEIGHT 0.3f /* an answer text's weight in training beside a question's 1 */
#define DEFAULT_OOS_SHARE 0.2
#define CLEAR_ANSWER 0.7 /* an answer at this confidence is clearly right: never turned into choices */
#define RIVAL_SHARE 0.33 /* a second article with this share of the top's confidence is a real competitor */

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
    lk_nlu__examples_t ex = {0};
    lk_nlu__fvec_t fv = {0};
    for (size_t i = 0; i < kb->n_articles; i++) {
        const lk_article_t *a = &kb->articles[i];
        lk_text_stemmer_t *st = stemmer_for(st_nl, st_en, a->language);
        for (size_t q = 0; q < a->n_questions; q++)
            if (a->questions[q])
                lk_nlu__add_example(&m->feat, &ex, st, a->questions[q], (long)i, 1.0f, &fv, &m->vocab);
        if (a->title)
            lk_nlu__add_example(&m->feat, &ex, st, a->title, (long)i, 1.0f, &fv, &m->vocab);
        /* the answer's text, at a lower weight: the words a customer may ask
         * with that no example question has. The classifier learns from it;
         * the neighbours and the calibration's held-out questions do not use
         * it (an answer is no question). */
        if (a->answer && *a->answer) {
            size_t before = ex.n;
            lk_nlu__add_example(&m->feat, &ex, st, a->answer, (long)i, ANSWER_WEIGHT, &fv, &m->vocab);
            if (ex.n > before)
                ex.v[before].answer = true;
        }
    }
    lk_nlu__vocab_link_synonyms(&m->vocab);
    for (size_t i = 0; i < o.n_negatives; i++)
        if (o.negatives[i])
            lk_nlu__add_example(&m->feat, &ex, stemmer_for(st_nl, st_en, m->kb_lang), o.negatives[i], -1, 1.0f, &fv,
                                NULL);
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
                    lk_nlu__add_example(&m->feat, &ex, st, line, LK_NLU__CALIB_ONLY, 1.0f, &fv, NULL);
                }
                i = j + 1;
            }
        }
    lk_nlu__fvec_free(&fv);
    lk_text_stemmer_free(st_nl);
    lk_text_stemmer_free(st_en);
    lk_nlu__drop_covered_negatives(&ex, first_builtin, m->n_cls);

    if (m->n_cls) {
        lk_nlu__cv_item_t *cal = NULL;
        size_t n_cal = 0;
        int folds = 0;
        m->conf_fitted = lk_nlu__fit_confidence(m, &ex, &o, &cal, &n_cal, &folds);
        size_t *idx = lk_xmalloc((ex.n ? ex.n : 1) * sizeof *idx);
        size_t n_train = 0;
        for (size_t i = 0; i < ex.n; i++)
            if (ex.v[i].label != LK_NLU__CALIB_ONLY)
                idx[n_train++] = i;
        m->W = lk_xmalloc((m->feat.n ? m->feat.n : 1) * m->n_cls * sizeof *m->W);
        m->bias = lk_xmalloc(m->n_cls * sizeof *m->bias);
        lk_nlu__train_lr(m->W, m->bias, m->feat.n, m->n_cls, &ex, idx, n_train, o.epochs, o.seed);
        lk_nlu__knn_build(&m->knn, &ex, idx, n_train);
        free(idx);
        if (cal) {
            n_cal += lk_nlu__read_labelled(m, &o, cal + n_cal);
            lk_nlu__calibrate(m, cal, n_cal, folds, &o);
            free(cal);
            m->threshold = m->calib.threshold;
        }
    }
    lk_nlu__examples_free(&ex);
    *out = m;
    return 0;
}

void lk_nlu_free(lk_nlu_model_t *m)
{
    if (!m)
        return;
    lk_nlu__map_free(&m->feat);
    lk_nlu__knn_free(&m->knn);
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
    if (t == m->calib.threshold)
        return; /* its own: with the fallback's bound, which counts how it was chosen */
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
    if (out->top[0].confidence < LK_NLU__CHOICE_MIN_TOP)
        return;
    /* an answer that is not clearly right, with a real competitor beside
     * it, becomes a choice between them (below) */
    if (out->answer &&
        (out->top[0].confidence >= CLEAR_ANSWER || out->top[1].confidence < RIVAL_SHARE * out->top[0].confidence))
        return;
    /* the choices are offered in the message's language (else the
     * knowledge base's): the best article, which must be in it, and the
     * next ones in it (an article in another language, such as the best
     * one's translation, is passed over, not an end) */
    const char *lang = out->language[0] ? out->language : m->kb_lang;
    size_t in_lang[LK_NLU_TOP_K], n_top = 0;
    for (size_t k = 0; k < out->n_top && k < LK_NLU_TOP_K; k++) {
        const char *al = m->kb->articles[out->top[k].article].language;
        if (al && strcmp(al, lang) != 0) {
            if (k == 0)
                return;
            continue;
        }
        in_lang[n_top++] = k;
    }
    if (n_top < 2)
        return;
    float prob[LK_NLU_TOP_K];
    for (size_t k = 0; k < n_top; k++)
        prob[k] = (float)(out->top[in_lang[k]].confidence / out->top[0].confidence);
    double set_conf;
    size_t k = lk_nlu__choice_set(prob, n_top, out->top[0].confidence, &set_conf);
    if (k >= 2 && set_conf >= m->calib.choice_threshold) {
        out->ask = true;
        out->n_choices = k;
        out->answer = false;
        /* the choices are top[0..k): those in the language first, in order */
        lk_nlu_match_t moved[LK_NLU_TOP_K];
        bool taken[LK_NLU_TOP_K] = {false};
        size_t n = 0;
        for (size_t j = 0; j < n_top; j++) {
            moved[n++] = out->top[in_lang[j]];
            taken[in_lang[j]] = true;
        }
        for (size_t j = 0; j < out->n_top && j < LK_NLU_TOP_K; j++)
            if (!taken[j])
                moved[n++] = out->top[j];
        memcpy(out->top, moved, n * sizeof *moved);
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
        long r = lk_nlu__map_get(&m->feat, fv->v[i].key);
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
        uint64_t terms[LK_NLU__MAX_KNN_TERMS];
        size_t nt = lk_nlu__knn_terms(&p, terms, LK_NLU__MAX_KNN_TERMS);
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
        lk_nlu__raw_read_t r;
        lk_nlu__raw_read(m->W, m->bias, C, &m->knn, f, x, n, terms, nt, z, sim, &r);
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
        double conf = lk_nlu__confidence(m, r.phi);
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
        long t = lk_nlu__map_get(&m->knn.terms, lk_nlu__stem_key(p->stems[i], p->stem_len[i]));
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
    long via[LK_NLU__MAX_TOKENS];                  /* the synonym each token was read as */
    lk_nlu__vocab_correct_via(&m->vocab, &p, via); /* as lk_nlu_read matches */
    explain_prepared(m, &p, article, out);
    for (size_t i = 0; i < p.n_toks && out->n_via < LK_NLU_EXPLAIN_WORDS; i++) {
        if (via[i] < 0)
            continue;
        const lk_nlu__vocab_entry_t *e = &m->vocab.entries[via[i]];
        size_t wl = p.toks[i].len;
        if (wl > 31 ||
            !term_in_article(&m->knn, lk_nlu__map_get(&m->knn.terms, lk_nlu__stem_key(e->stem, e->slen)), article))
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
