/*
 * nlu: reads a customer's text against a knowledge base.
 *
 * A model is built once per knowledge-base version and then shared read-only
 * by every thread. Reading a message gives its language, the best-matching
 * articles with a calibrated confidence, the answer-or-decline decision, and
 * the signals the conversation policy needs. Pure: no I/O, no clock, no
 * globals that change after lk_nlu_build() returns.
 */
#ifndef LK_NLU_H
#define LK_NLU_H

#include "kb/kb.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct lk_nlu_model lk_nlu_model_t;

#define LK_NLU_TOP_K 3

/* A question whose right answer is known, for the calibration
 * (lk_nlu_options_t.labelled): the company's own labelled questions, or a
 * customer's question with a review mark on the bot's answer to it. */
typedef struct {
    const char *text; /* the question (UTF-8) */
    /* wrong false: the index of the article that answers text in the
     * knowledge base being built, or -1 when it is out of scope.
     * wrong true: an article known NOT to answer text (a "wrong" review
     * mark on that answer); the right one is unknown. */
    long article;
    bool wrong;
} lk_nlu_labelled_t;

typedef struct {
    /* Confidence at or above which the bot answers; in [0, 1]. */
    double answer_threshold;
    /* Optional examples of questions the knowledge base must NOT answer
     * (e.g. CLINC150's "oos" training texts): the model learns to be unsure
     * on them. Not copied: must stay alive during lk_nlu_build() only. */
    const char *const *negatives;
    size_t n_negatives;
    /* Training passes over the examples (0: the default). */
    int epochs;
    /* Seed of the training's shuffles; equal seeds give identical models. */
    unsigned long seed;
    /* > 0: calibrate (docs/quality.md): choose the threshold from the
     * knowledge base itself so that, with probability >= 1 - risk_delta, the
     * wrong-answer rate among answered questions is at most answer_risk;
     * answer_threshold is then only the fallback when there is too little
     * data to calibrate. 0: answer at answer_threshold. */
    double answer_risk;
    double risk_delta; /* 0: the default (0.1) */
    /* Assumed share of out-of-scope questions in traffic (0: the default, 0.2). */
    double oos_share;
    /* true: the built-in out-of-scope questions of the knowledge base's
     * languages (src/nlu/data/) join the negatives, for training and for
     * calibration. */
    bool builtin_negatives;
    /* Labelled questions that join the calibration's held-out ones (never
     * the training): each is read by the finished model as a customer's
     * message is, and counts as an in-scope question answered right or
     * wrong, or an out-of-scope one, at the confidence it gets. A "wrong"
     * mark counts only while the model still answers with that article
     * (then: in scope, answered wrong); otherwise it tells nothing and is
     * left out. Not copied: must stay alive during lk_nlu_build() only. */
    const lk_nlu_labelled_t *labelled;
    size_t n_labelled;
} lk_nlu_options_t;

/* The defaults: answer_threshold chosen on held-out data (docs/quality.md). */
void lk_nlu_options_default(lk_nlu_options_t *opts /* OUT */);

typedef struct {
    long article;      /* index into the knowledge base the model was built from */
    double confidence; /* calibrated probability that this article is right */
} lk_nlu_match_t;

typedef enum { LK_NLU_BOTQ_UNCLEAR = 0, LK_NLU_BOTQ_PERSON, LK_NLU_BOTQ_MACHINE } lk_nlu_botq_t;

/* Signal scores in [0, 1]; the policy compares them with its thresholds. */
typedef struct {
    double person_request; /* asks for a human ("medewerker", "agent please") */
    double bot_question;   /* asks whether this is a bot */
    double negative;       /* anger or frustration */
    double complaint;      /* files a complaint */
    double multi_question; /* several questions at once */
    double repeat;         /* repeats one of the earlier customer messages */
    /* How a bot question (bot_question) is put, so that the reply's first
     * word answers the question asked: "are you a person / a real human?"
     * (LK_NLU_BOTQ_PERSON: "no"), "are you a bot / a computer / AI?"
     * (LK_NLU_BOTQ_MACHINE: "yes"), or both, negated or unclear
     * (LK_NLU_BOTQ_UNCLEAR, 0: a plain statement without yes or no). */
    lk_nlu_botq_t bot_question_kind;
} lk_nlu_signals_t;

typedef struct {
    char language[8]; /* "nl", "en"; "" when it cannot tell */
    double language_confidence;
    lk_nlu_match_t top[LK_NLU_TOP_K];
    size_t n_top;   /* how many of top[] are filled, best first */
    bool answer;    /* true: answer with top[0]; false: decline */
    /* true: the bot is unsure between top[0..n_choices-1] and offers them as
     * choices instead of answering one (answer is then false). */
    bool ask;
    size_t n_choices;
    lk_nlu_signals_t signals;
} lk_nlu_reading_t;

/* What the reader may know of the conversation so far (for `repeat`). */
typedef struct {
    const char *const *previous; /* earlier customer messages, oldest first */
    size_t n_previous;
    const char *language_hint; /* the conversation's language, or NULL */
} lk_nlu_context_t;

/* ---- life cycle -------------------------------------------------------- */

/* Builds a model from kb (each article's title, example questions and answer).
 * kb must stay alive and unchanged as long as the model. opts may be NULL for
 * the defaults. 0 and *out (free with lk_nlu_free), or LK_EINVAL. */
int lk_nlu_build(const lk_kb_t *kb, const lk_nlu_options_t *opts, lk_nlu_model_t **out /* OUT */);
void lk_nlu_free(lk_nlu_model_t *model); /* model may be NULL */

/* ---- operations -------------------------------------------------------- */

/* Reads one message (valid UTF-8, len bytes). ctx may be NULL. Thread-safe
 * for concurrent readers of the same model. 0, or LK_EUTF8 / LK_EINVAL. */
int lk_nlu_read(const lk_nlu_model_t *model, const char *text, size_t len, const lk_nlu_context_t *ctx,
                lk_nlu_reading_t *out /* OUT */);

/* ---- splitting a message into its questions (split.c) ----------------- */

#define LK_NLU_SPLIT_MAX 4

/* One question of a message: bytes [off, off + len) of the text. */
typedef struct {
    size_t off;
    size_t len;
} lk_nlu_span_t;

/* Splits a customer's message into the questions it asks: at sentence ends
 * and question marks, at list items (lines starting with "-", "*", "1." ...),
 * and at "en"/"and" (also after a comma) when the words after it start a
 * new question ("... en hoe lang duurt het?"). A sentence that asks nothing
 * ("Ik heb gisteren besteld.") stays with the question after it (or before
 * it, at the end), so that each part keeps its context; a greeting alone
 * ("Hoi!") is no part. Each span is trimmed of spaces and list markers.
 * At most max (<= LK_NLU_SPLIT_MAX) parts; further questions stay in the
 * last one. Returns the number of parts: 1 (the whole text as one span)
 * when the message asks one question or none, so that a caller treats it
 * exactly as before. Pure; text need not be NUL-terminated. */
size_t lk_nlu_split(const char *text, size_t len, lk_nlu_span_t *parts /* OUT */, size_t max);

/* The threshold the model answers at. */
double lk_nlu_threshold(const lk_nlu_model_t *model);

/* Changes the threshold (clamped to [0, 1]), e.g. after choosing it on
 * held-out data. Not safe while other threads read with the model: call it
 * before sharing the model. */
void lk_nlu_set_threshold(lk_nlu_model_t *model, double threshold);

/* ---- calibration ------------------------------------------------------- */

/* What the calibration at build time found (lk_nlu_options_t.answer_risk),
 * estimated by cross-validation over the knowledge base's example questions
 * (held out in turn, some articles hidden entirely) and the out-of-scope
 * questions. */
typedef struct {
    bool done;          /* false: not asked for, or too little data */
    double answer_risk; /* the wrong-answer rate asked for */
    double delta;       /* the bound holds with probability >= 1 - delta */
    double oos_share;   /* assumed share of out-of-scope questions */
    double threshold;   /* the model answers at it: the lowest that met answer_risk, else the fallback's */
    bool met;           /* risk_bound is within answer_risk */
    double risk_bound;  /* upper bound on the wrong-answer rate at threshold (the fallback's: Bonferroni) */
    double precision;   /* estimated answered precision at threshold (point) */
    double coverage;    /* estimated share of in-scope questions answered */
    double accuracy;    /* estimated share of in-scope questions answered right */
    double oos_recall;  /* estimated share of out-of-scope questions declined */
    double choice_threshold; /* choices offered at or above this set confidence */
    double helped;      /* estimated share of in-scope questions answered right or offered the right choice */
    size_t n_in, n_oos; /* held-out questions it was estimated on */
    size_t n_labelled;  /* of them: labelled questions (lk_nlu_options_t.labelled) */
} lk_nlu_calibration_t;

/* The model's calibration (out->done false when there was none). The model
 * answers at its threshold: the one that met answer_risk, or when none did,
 * the fallback's (lk_nlu_curve_calibrate), never below
 * lk_nlu_options_t.answer_threshold; met says which. */
void lk_nlu_calibration(const lk_nlu_model_t *model, lk_nlu_calibration_t *out /* OUT */);

/* The calibration's figures were the model to answer at threshold t (the
 * bound, the estimated precision, coverage...), e.g. for a threshold a team
 * lead considers; out->done false when the model has no calibration. At
 * the calibration's own threshold, its own figures (when that is the
 * fallback's, with the bound that counts how it was chosen). */
void lk_nlu_calibration_at(const lk_nlu_model_t *model, double t, lk_nlu_calibration_t *out /* OUT */);

/* ---- explanation -------------------------------------------------------- */

#define LK_NLU_EXPLAIN_WORDS 16

/* Why the model read a message as it did: its content words, split into
 * those some example question of the top article shares (matched), those the
 * knowledge base knows but not from that article, and those no article has
 * (unknown); and which matched words did so through a synonym or
 * translation (via). Each word is a NUL-terminated folded copy. */
typedef struct {
    char matched[LK_NLU_EXPLAIN_WORDS][32];
    size_t n_matched;
    char other[LK_NLU_EXPLAIN_WORDS][32];
    size_t n_other;
    char unknown[LK_NLU_EXPLAIN_WORDS][32];
    size_t n_unknown;
    bool function_words_only; /* only function words matched: no match */
    /* matched words that the knowledge base does not have but read as one
     * of its words through the synonym lexicon: word, and the known word */
    struct {
        char word[32], as[32];
    } via[LK_NLU_EXPLAIN_WORDS];
    size_t n_via;
} lk_nlu_explanation_t;

/* Explains the reading of text (as lk_nlu_read) with respect to article
 * (an index, e.g. reading.top[0].article; -1: the top one). 0, LK_EUTF8 or
 * LK_EINVAL. */
int lk_nlu_explain(const lk_nlu_model_t *model, const char *text, size_t len, const lk_nlu_context_t *ctx,
                   long article, lk_nlu_explanation_t *out /* OUT */);

/* ---- statistics (pure; also used by `loket eval`) ------------------------ */

/* Clopper-Pearson bounds for a binomial proportion with k of n: the upper
 * bound p with P(X <= k | n, p) = delta (n = 0 or k = n gives 1), and the
 * lower bound with P(X >= k | n, p) = delta (k = 0 gives 0). */
double lk_nlu_binom_upper(size_t k, size_t n, double delta);
double lk_nlu_binom_lower(size_t k, size_t n, double delta);

/* One scored held-out question: the model's confidence in its top answer,
 * whether that answer is right (false for every out-of-scope question), and
 * whether the question is out of scope. */
typedef struct {
    double confidence;
    int correct;
    int oos;
} lk_nlu_item_t;

/* The threshold that maximises (1 - w) * in-scope accuracy + w * out-of-scope
 * recall on items, w = oos_weight; a negative oos_weight means the share of
 * out-of-scope items, i.e. the share of all items handled right. Ties: the
 * highest such threshold. Sorts items. */
double lk_nlu_threshold_weighted(lk_nlu_item_t *items, size_t n, double oos_weight);
/* The same with w = 0.5: in-scope accuracy + out-of-scope recall. */
double lk_nlu_threshold_balanced(lk_nlu_item_t *items, size_t n);

/* The lowest threshold on the grid 0, 0.005, ..., 1 whose Clopper-Pearson
 * upper bound (at delta / grid size: Bonferroni) on the wrong-answer rate
 * among answered items is <= alpha; 1 when none is. With exchangeable data
 * the chosen threshold's true wrong-answer rate is <= alpha with probability
 * >= 1 - delta. *ok tells whether one passed. */
double lk_nlu_threshold_target(const lk_nlu_item_t *items, size_t n, double alpha, double delta, int *ok /* OUT */);

/* Counts of held-out questions answered at each threshold of the grid
 * 0, 0.005, ..., 1: in-scope answered wrong and right, out-of-scope
 * answered (each at confidence >= step / LK_NLU_GRID). */
#define LK_NLU_GRID 200
typedef struct {
    size_t wrong[LK_NLU_GRID + 1], right[LK_NLU_GRID + 1], acc[LK_NLU_GRID + 1];
    size_t n_in, n_oos;
} lk_nlu_curve_t;

void lk_nlu_curve_build(const lk_nlu_item_t *items, size_t n, lk_nlu_curve_t *out /* OUT */);
/* The figures of answering at threshold t (out->answer_risk is kept, and
 * met says whether the bound is within it). */
void lk_nlu_curve_at(const lk_nlu_curve_t *curve, double t, double delta, double oos_share,
                     lk_nlu_calibration_t *out /* IN/OUT */);
/* lk_nlu_calibrate_items on counts already made. */
void lk_nlu_curve_calibrate(const lk_nlu_curve_t *curve, double alpha, double delta, double oos_share,
                            double floor, lk_nlu_calibration_t *out /* OUT */);

/* The calibration of items (held-out in-scope and out-of-scope questions):
 * walking the thresholds 1, 0.995, ..., 0 down (fixed-sequence testing, as
 * in Learn-then-Test: the first that fails ends the walk, which starts at the
 * highest threshold where the bound would be alpha / 2 had every answered
 * in-scope question been right and no out-of-scope one answered), the lowest
 * at which an upper bound on the wrong-answer rate among answered questions,
 * for traffic with out-of-scope share oos_share, stays <= alpha. The bound
 * combines Clopper-Pearson bounds on the share of in-scope questions
 * answered (lower), the share of those answered wrong (upper) and the
 * out-of-scope answer rate (upper), each at delta / 3, so that all three
 * hold at once with probability >= 1 - delta. When the walk finds none
 * (the fallback), the threshold at or above floor where that bound (at
 * delta / 3 each) is lowest among those answering at least 30 in-scope
 * questions (floor itself when none does); its risk_bound then holds for
 * all those candidates at once (Bonferroni), and met says whether even
 * that is within alpha. Fills out's threshold, met, risk_bound and the
 * point estimates. */
void lk_nlu_calibrate_items(const lk_nlu_item_t *items, size_t n, double alpha, double delta, double oos_share,
                            double floor, lk_nlu_calibration_t *out /* OUT */);

#endif
