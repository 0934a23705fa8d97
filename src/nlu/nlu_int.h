/*
 * nlu_int.h: the parts of the NLU that its files share with each other and
 * with the unit tests: feature extraction, the model's layout, the signal
 * functions. Not part of the module's interface (that is nlu.h).
 */
#ifndef LK_NLU_INT_H
#define LK_NLU_INT_H

#include "nlu/nlu.h"
#include "text/text.h"

#include <stdint.h>

/* ---- features ---------------------------------------------------------- */

/* One feature of a text: a 64-bit hash of its kind and content, a value. */
typedef struct {
    uint64_t key;
    float val;
} lk_nlu__feat_t;

/* A growable feature vector. It may start on caller memory ({buf, 0, cap,
 * false}: nothing is allocated until cap is exceeded) or empty ({0}). */
typedef struct {
    lk_nlu__feat_t *v;
    size_t n, cap;
    bool heap; /* v was allocated here (free with lk_nlu__fvec_free) */
} lk_nlu__fvec_t;

void lk_nlu__fvec_free(lk_nlu__fvec_t *fv);

#define LK_NLU__MAX_TOKENS 128
#define LK_NLU__STEM_MAX 48

/* A message prepared for matching: its folded text, tokens and stems. All
 * in the struct itself (a chat message needs no allocation), so it must not
 * be copied or moved once prepared: norm may point into normbuf. */
typedef struct {
    char *norm; /* NFKC + case fold + accents stripped; freed by lk_nlu__prep_free */
    size_t len;
    lk_token_t toks[LK_NLU__MAX_TOKENS];
    size_t n_toks; /* tokens past the first LK_NLU__MAX_TOKENS are ignored */
    /* one per token once lk_nlu__prep_stem() ran, with its length */
    char stems[LK_NLU__MAX_TOKENS][LK_NLU__STEM_MAX];
    uint8_t stem_len[LK_NLU__MAX_TOKENS];
    lk_text_normbuf_t normbuf;
} lk_nlu__prep_t;

/* Normalises and tokenises text. 0 or LK_EUTF8. */
int lk_nlu__prep(const char *text, size_t len, lk_nlu__prep_t *out /* OUT */);
/* Stems the words with st (NULL: words stay as they are). */
void lk_nlu__prep_stem(lk_nlu__prep_t *p, lk_text_stemmer_t *st);
void lk_nlu__prep_free(lk_nlu__prep_t *p);

/* The features of a prepared text: stems, stem bigrams, character 3..5-grams
 * of each word, a feature per number / code / address; each group
 * L2-normalised and weighted, keys unique (sorted within each group). out is
 * reset first. */
void lk_nlu__features(const lk_nlu__prep_t *p, lk_nlu__fvec_t *out /* OUT */);

/* The terms the nearest-neighbour index matches on: stems of the words that
 * are not stop words, numbers and codes by their kind, and bigrams of
 * neighbouring such terms; unique. Writes at most max keys; returns the count. */
size_t lk_nlu__knn_terms(const lk_nlu__prep_t *p, uint64_t *keys /* OUT */, size_t max);

/* The kNN term key of a stem (as lk_nlu__knn_terms makes it). */
uint64_t lk_nlu__stem_key(const char *stem, size_t len);

/* True when the folded word w[0..len) is a function word: a stop word, or a
 * word that asks without saying what about ("hoe", "laat", "wat", "what",
 * "how", "can"), which alone makes no match. */
bool lk_nlu__function_word(const char *w, size_t len);

/* ---- key -> index maps (map.c) ----------------------------------------- */

/* Open addressing with linear probing; key 0 marks an empty slot; cap is 0
 * or a power of two, at most half full. {0} is an empty map. */
typedef struct {
    uint64_t *keys;
    uint32_t *vals;
    size_t cap, n;
} lk_nlu__map_t;

/* The slot of key: where it is, or the empty slot where it would go. */
static inline size_t lk_nlu__map_slot(const lk_nlu__map_t *m, uint64_t key)
{
    size_t mask = m->cap - 1;
    size_t i = (size_t)(key & mask);
    while (m->keys[i] && m->keys[i] != key)
        i = (i + 1) & mask;
    return i;
}

/* The key's value, or -1. */
static inline long lk_nlu__map_get(const lk_nlu__map_t *m, uint64_t key)
{
    if (!m->cap)
        return -1;
    size_t i = lk_nlu__map_slot(m, key);
    return m->keys[i] ? (long)m->vals[i] : -1;
}

/* The key's value, storing val first when the key is new. */
uint32_t lk_nlu__map_put(lk_nlu__map_t *m, uint64_t key, uint32_t val);
/* The key's index, adding it (as the next index, m->n) when new. */
uint32_t lk_nlu__map_add(lk_nlu__map_t *m, uint64_t key);
void lk_nlu__map_free(lk_nlu__map_t *m);

/* ---- the knowledge base's words (vocab.c) ------------------------------ */

typedef struct {
    char word[LK_NLU__STEM_MAX], stem[LK_NLU__STEM_MAX];
    uint8_t wlen, slen;
} lk_nlu__vocab_entry_t;

typedef struct {
    lk_nlu__vocab_entry_t *entries; /* in the order first seen */
    size_t n, n_cap;
    lk_nlu__map_t index; /* word and stem hashes -> entry */
} lk_nlu__vocab_t;

/* Adds the content words of a prepared, stemmed text. */
void lk_nlu__vocab_add(lk_nlu__vocab_t *v, const lk_nlu__prep_t *p);
void lk_nlu__vocab_free(lk_nlu__vocab_t *v);
/* Reads p's words that the vocabulary does not know as the known words
 * they most likely are: a word one or two letters off takes the known
 * word's stem; a compound of two known parts becomes the two (the second
 * appended as a token of its own). Returns how many words changed. */
size_t lk_nlu__vocab_correct(const lk_nlu__vocab_t *v, lk_nlu__prep_t *p);
/* The same, and via[i] (LK_NLU__MAX_TOKENS of them) the entry token i was
 * read as through the synonym lexicon, or -1. */
size_t lk_nlu__vocab_correct_via(const lk_nlu__vocab_t *v, lk_nlu__prep_t *p, long *via /* OUT */);

/* Links each word of the synonym lexicon that v does not know to a word v
 * knows that it is a synonym or translation of (the first in the
 * lexicon's order), by word and by stem. Call once the last text is added. */
void lk_nlu__vocab_link_synonyms(lk_nlu__vocab_t *v);
/* The entry that the unknown word w[0..wl) with stem s[0..sl) reads as
 * through the synonym lexicon, or -1. */
long lk_nlu__vocab_synonym(const lk_nlu__vocab_t *v, const char *w, size_t wl, const char *s, size_t sl);

/* ---- the synonym lexicon (synonyms.c) ---------------------------------- */

typedef enum {
    LK_NLU__SYN_EN = 1, /* English synonyms (WordNet) */
    LK_NLU__SYN_NL,     /* Dutch words that share translations (FreeDict) */
    LK_NLU__SYN_NL_EN,  /* a Dutch word a and its English translation b */
} lk_nlu__syn_kind_t;

/* One pair of the lexicon: folded words and their Snowball stems (a's and
 * b's language by kind). Either may be read as the other. */
typedef struct {
    const char *a, *sa, *b, *sb;
    uint8_t la, lsa, lb, lsb;
    uint8_t kind; /* lk_nlu__syn_kind_t */
} lk_nlu__syn_pair_t;

/* The lexicon's pairs in its file order (parsed once, on first use, from
 * the copy compiled into the program; shared and read-only). */
const lk_nlu__syn_pair_t *lk_nlu__lexicon(size_t *n /* OUT */);
/* True when the lexicon has the pair (kind, a, b) in that order. */
bool lk_nlu__lexicon_has(lk_nlu__syn_kind_t kind, const char *a, const char *b);

/* ---- signals ----------------------------------------------------------- */

/* Each takes the raw message (valid UTF-8) and gives a score in [0, 1]. */
double lk_nlu_signal_person_request(const char *text, size_t len);
double lk_nlu_signal_bot_question(const char *text, size_t len);
double lk_nlu_signal_negative(const char *text, size_t len);
double lk_nlu_signal_complaint(const char *text, size_t len);
double lk_nlu_signal_multi_question(const char *text, size_t len);
/* How a bot question is put (see lk_nlu_signals_t.bot_question_kind). */
lk_nlu_botq_t lk_nlu_signal_bot_question_kind(const char *text, size_t len);
/* 1 when text says (nearly) the same as one of previous, else the highest
 * word-overlap similarity found, scaled to [0, 1). */
double lk_nlu_signal_repeat(const char *text, size_t len, const char *const *previous, size_t n_previous);

/* ---- the model --------------------------------------------------------- */

/* Nearest neighbours over the example questions: TF-IDF cosine through an
 * inverted index. */
typedef struct {
    lk_nlu__map_t terms;  /* term key -> term index */
    float *idf;           /* per term */
    uint32_t *post_start; /* n_terms + 1 */
    uint32_t *post_ex;
    float *post_w;   /* idf / |example| */
    uint32_t *label; /* per example */
    size_t n_ex;
    float idf_unknown; /* for query terms no example has */
    uint32_t df_max;   /* terms in more examples than this are not walked */
} lk_nlu__knn_t;

#define LK_NLU__N_CONF 8 /* inputs of the confidence model */

struct lk_nlu_model {
    const lk_kb_t *kb;
    double threshold;
    char kb_lang[8];    /* the KB's main language: for messages without evidence */
    size_t n_cls;       /* classes = articles */
    lk_nlu__map_t feat; /* feature key -> row of W */
    float *W;           /* feat.n x n_cls, row-major */
    float *bias;        /* n_cls */
    lk_nlu__knn_t knn;
    /* confidence = sigmoid(conf_w . inputs + conf_b), fitted on held-out folds */
    double conf_w[LK_NLU__N_CONF];
    double conf_b;
    bool conf_fitted;           /* false: too little data to fit; the defaults are used */
    lk_nlu_calibration_t calib; /* done: the threshold and choices came from it */
    lk_nlu_curve_t *curve;      /* the held-out counts behind calib (NULL: none) */
    lk_nlu__vocab_t vocab;      /* the words of the articles, for typos and compounds */
    /* Snowball stemmers (nl, en) that readers borrow, so that a read
     * allocates nothing; nlu.c. Not part of the model's meaning. */
    struct lk_nlu__stem_slot *stemmers;
};

/* ---- building the model (model.c) --------------------------------------- */

#define LK_NLU__MAX_KNN_TERMS 256
#define LK_NLU__CALIB_ONLY (-2) /* the label of an example only the calibration scores */

/* One example question (or title, or answer text) with its features. */
typedef struct {
    uint32_t *f; /* rows of W */
    float *x;
    size_t n;
    uint64_t *terms; /* kNN terms */
    size_t n_terms;
    long label; /* article index, or -1 for a negative */
    float weight;
    bool answer; /* the article's answer text: always trained on, never held out */
} lk_nlu__example_t;

typedef struct {
    lk_nlu__example_t *v;
    size_t n, cap;
} lk_nlu__examples_t;

/* Adds text as an example of label (its features' keys added to feat as
 * rows of W, its words to voc unless NULL); fv is working memory. */
void lk_nlu__add_example(lk_nlu__map_t *feat, lk_nlu__examples_t *ex, lk_text_stemmer_t *st, const char *text,
                         long label, float weight, lk_nlu__fvec_t *fv, lk_nlu__vocab_t *voc);
void lk_nlu__examples_free(lk_nlu__examples_t *ex);
/* Drops the built-in out-of-scope questions ex->v[from..] that nearly repeat
 * an example question of one of the C articles. */
void lk_nlu__drop_covered_negatives(lk_nlu__examples_t *ex, size_t from, size_t C);
/* The next number of a seeded xorshift64* generator. */
uint64_t lk_nlu__rng_next(uint64_t *s);
/* Trains W (n_feat x C) and bias on the examples idx[0..n) with SGD. */
void lk_nlu__train_lr(float *W, float *bias, size_t n_feat, size_t C, const lk_nlu__examples_t *ex, const size_t *idx,
                      size_t n, int epochs, uint64_t seed);
/* The nearest-neighbour index over the in-scope questions of idx[0..n). */
void lk_nlu__knn_build(lk_nlu__knn_t *k, const lk_nlu__examples_t *ex, const size_t *idx, size_t n);
void lk_nlu__knn_free(lk_nlu__knn_t *k);

/* What the classifier and the neighbours say about one example's features. */
typedef struct {
    long top[LK_NLU_TOP_K];
    float prob[LK_NLU_TOP_K];
    size_t n_top;
    double phi[LK_NLU__N_CONF]; /* the confidence model's inputs */
} lk_nlu__raw_read_t;

/* Reads the features f/x[0..n) and kNN terms[0..nt) with W, bias (C
 * classes) and knn; z and sim are C floats of working memory. */
void lk_nlu__raw_read(const float *W, const float *bias, size_t C, const lk_nlu__knn_t *knn, const uint32_t *f,
                      const float *x, size_t n, const uint64_t *terms, size_t nt, float *z, float *sim,
                      lk_nlu__raw_read_t *r /* OUT */);

/* ---- the confidence and the calibration (confidence.c) ------------------ */

#define LK_NLU__CHOICE_MIN_TOP 0.35 /* choices only where the best article is at least this likely right */

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
    bool hidden;     /* an example of an article hidden in its fold (oos too) */
    bool calib_only; /* a built-in out-of-scope question: not for the confidence model */
    bool labelled;   /* a labelled question read by the finished model: conf is its confidence */
    double conf;
} lk_nlu__cv_item_t;

/* Fits m's confidence model on held-out folds of ex; false when there is
 * too little data (then the defaults stay). With o->answer_risk > 0 it hands
 * the held-out questions to the caller for the calibration (*cal, *n_cal of
 * them, free with free(); room is left for o->n_labelled more). */
bool lk_nlu__fit_confidence(lk_nlu_model_t *m, const lk_nlu__examples_t *ex, const lk_nlu_options_t *o,
                            lk_nlu__cv_item_t **cal /* OUT */, size_t *n_cal /* OUT */, int *n_folds /* OUT */);
/* Reads o's labelled questions with the finished model into it[], as the
 * calibration counts them; returns how many. */
size_t lk_nlu__read_labelled(lk_nlu_model_t *m, const lk_nlu_options_t *o, lk_nlu__cv_item_t *it /* OUT */);
/* Sets m->calib (the threshold and the choice threshold) and m->curve from
 * the held-out questions it[0..n). */
void lk_nlu__calibrate(lk_nlu_model_t *m, const lk_nlu__cv_item_t *it, size_t n, int folds, const lk_nlu_options_t *o);
/* The calibrated confidence for the inputs phi (lk_nlu__raw_read_t.phi). */
double lk_nlu__confidence(const lk_nlu_model_t *m, const double *phi);
/* The number of choices offered for a reading with these top
 * probabilities (the top two, and a third with at least 15% of the top's
 * probability), and the confidence that the right article is among them
 * (conf: the calibrated confidence in the top one). */
size_t lk_nlu__choice_set(const float *prob, size_t n_top, double conf, double *set_conf /* OUT */);

/* The built-in out-of-scope questions of lang ("nl", "en"): one a line,
 * '#' lines are comments; *len bytes (0 and "" for other languages). */
const char *lk_nlu__builtin_oos(const char *lang, size_t *len /* OUT */);

/* All signals of one prepared message (text is the raw message). */
void lk_nlu__signals(const lk_nlu__prep_t *p, const char *text, size_t len, const lk_nlu_context_t *ctx,
                     lk_nlu_signals_t *out /* OUT */);

/* Levenshtein distance between a[0..na) and b[0..nb) (bytes), capped at max+1. */
size_t lk_nlu__edit_distance(const char *a, size_t na, const char *b, size_t nb, size_t max);

#endif
