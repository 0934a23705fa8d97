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

#endif
