/*
 * assist: help for the agents, computed from a conversation's messages and
 * the NLU's readings of them. Pure: no I/O, no clock, no globals.
 *
 * - suggested replies (suggest.c): the knowledge-base articles that best
 *   answer the customer's latest question, for the agent to insert;
 * - the hand-off summary (summary.c): a short, structured, deterministic
 *   text (Dutch or English) that tells the agent, before reading the
 *   transcript, what the customer asked in their own words, what the bot
 *   answered, why the conversation came to a person, the customer's mood,
 *   and the details the customer gave (order numbers, postcodes, ...);
 * - entities (entities.c): those details, found in a text;
 * - the one-line summary of an earlier conversation (customer history).
 *
 * The caller reads the customer's messages with the NLU (lk_nlu_read) and
 * hands the readings in, so the same readings serve the suggestions and the
 * summary, and everything here can be tested without building a model.
 */
#ifndef LK_ASSIST_H
#define LK_ASSIST_H

#include "kb/kb.h"
#include "nlu/nlu.h"
#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>

/* ---- agent assist: the conversation as assist sees it ------------------- */

typedef struct {
    const lk_conv_t *conv;
    const lk_msg_t *msgs; /* in seq order */
    size_t n_msgs;
    /* Parallel to msgs: the NLU's reading of each customer message, NULL
     * where there is none (other senders, or not read). readings itself may
     * be NULL: then nothing is known of any message. */
    const lk_nlu_reading_t *const *readings;
    /* The knowledge base the readings' article indexes point into (titles,
     * languages); NULL: articles are named by the messages' article ids. */
    const lk_kb_t *kb;
    /* Signal scores at or above these count (the policy's thresholds). */
    double person_min;
    double negative_min;
} lk_assist_conv_t;

/* True when customer message i is no question of its own: only a request for
 * a person (the reading's person_request signal, with no article the NLU
 * would answer with), or a bare yes/no/thanks ("Nee", "ok, bedankt"). */
bool lk_assist_is_filler(const lk_assist_conv_t *cv, size_t i);

/* The index of the customer's latest question: the latest customer message
 * that is no filler; -1 when there is none. */
long lk_assist_last_question(const lk_assist_conv_t *cv);

/* ---- titles (title.c) ----------------------------------------------------- */

#define LK_ASSIST_TOPIC_MAX 80 /* bytes of a topic, before "..." */

/* A conversation's topic from the customer's first question: article_title
 * (the article the bot matched; may be NULL), else the first eight words of
 * text (len bytes) with personal data masked (lk_pii_redact), at most
 * LK_ASSIST_TOPIC_MAX bytes, "..." when cut. NULL when there are no words.
 * free(). */
char *lk_assist_topic(const char *text, size_t len, const char *article_title);

/* The conversation's title: the customer's name, else e-mail address, else
 * its topic; NULL when none is known (the console then names it by id).
 * Points into c. */
const char *lk_assist_title(const lk_conv_t *c);

/* ---- suggested replies (suggest.c) -------------------------------------- */

#define LK_ASSIST_SUGGESTIONS_MAX 3

typedef struct {
    long article;      /* index into cv->kb */
    double confidence; /* the NLU's calibrated confidence, also below the answering threshold */
} lk_assist_suggestion_t;

/* The best articles (at most LK_ASSIST_SUGGESTIONS_MAX, best first) in the
 * conversation's language for the customer's latest question (so, right
 * after a hand-off by a bare request for a person, for the question before
 * it). Needs cv->kb and readings; returns how many were written to out;
 * *question (may be NULL) gets the message index they answer, or -1. */
size_t lk_assist_suggest(const lk_assist_conv_t *cv, lk_assist_suggestion_t out[LK_ASSIST_SUGGESTIONS_MAX],
                         long *question /* OUT, may be NULL */);

/* ---- entities (entities.c) ---------------------------------------------- */

typedef enum {
    LK_ENT_ORDER,    /* "bestelnummer 123456", "#TT-2024-0012" */
    LK_ENT_POSTCODE, /* "1234 AB" (lk_pii_detect) */
    LK_ENT_EMAIL,    /* lk_pii_detect */
    LK_ENT_PHONE,    /* lk_pii_detect */
    LK_ENT_DATE,     /* "12-03-2024", "3 maart", "March 3rd, 2024" */
    LK_ENT_AMOUNT,   /* "€ 12,50", "12.50 euro", "EUR 30" */
    LK_ENT__COUNT
} lk_entity_kind_t;

typedef struct {
    lk_entity_kind_t kind;
    size_t start; /* byte offset of the value in the text */
    size_t len;   /* bytes of the value (for an order number: the number itself, without "#" or the word before it) */
} lk_entity_t;

/* "order_number", "postcode", "email", "phone", "date", "amount". */
const char *lk_entity_kind_name(lk_entity_kind_t kind);
/* The kind in words, lower case: "bestelnummer" / "order number", ... lang
 * "en" gives English, anything else Dutch. */
const char *lk_entity_kind_label(lk_entity_kind_t kind, const char *lang);

/* Finds the entities in text (len bytes of UTF-8), in text order and without
 * overlaps; writes at most max to out (may be NULL when max is 0) and returns
 * how many there are in all. */
size_t lk_assist_entities(const char *text, size_t len, lk_entity_t *out /* OUT */, size_t max);

/* ---- the hand-off summary (summary.c) ----------------------------------- */

typedef struct {
    const char *type; /* lk_entity_kind_name() */
    char *value;      /* as the customer wrote it */
} lk_assist_entity_value_t;

typedef struct {
    char article_id[LK_KB_ID_MAX + 1];
    char *title; /* the article's title; its id when the knowledge base does not know it */
} lk_assist_answer_t;

/* The summary's parts, for the agent API's "summary_fields". */
typedef struct {
    char **questions; /* the customer's questions in their own words, shortened; oldest first */
    size_t n_questions;
    lk_assist_answer_t *answers; /* the bot's answers from the knowledge base, in order, each article once */
    size_t n_answers;
    const char *handoff_reason; /* the conversation's, "" when none */
    const char *sentiment;      /* "negative" | "neutral" | "positive" */
    char language[8];
    lk_assist_entity_value_t *entities; /* each type and value once, in order of appearance */
    size_t n_entities;
} lk_assist_summary_t;

/* The hand-off summary of cv in lang ("en" English, anything else Dutch):
 * plain text, a few lines, deterministic. The caller frees the result with
 * free(). fields (may be NULL) receives the parts; clear it with
 * lk_assist_summary_clear(). */
char *lk_assist_summary(const lk_assist_conv_t *cv, const char *lang,
                        lk_assist_summary_t *fields /* OUT, may be NULL */);
void lk_assist_summary_clear(lk_assist_summary_t *fields); /* fields may be zeroed */

/* The customer's mood over their messages: "negative" when the last clear
 * sign is the NLU's negative signal, "positive" when it is thanks or praise,
 * "neutral" otherwise. */
const char *lk_assist_sentiment(const lk_assist_conv_t *cv);

/* The hand-off reason in words, as a clause after "omdat" / "because" ("de
 * klant om een medewerker vroeg"), lang as above; the reason itself when
 * unknown. */
const char *lk_assist_reason_text(const char *reason, const char *lang);

/* The i-th of the summary's built-in texts in lang ("nl" or "en"): its
 * sentences and templates (printf %s), the reasons, language names and
 * entity labels; NULL when i is past the last. For the review of every text
 * the product says (tests/unit/test_texts.c); the pointers are static. */
const char *lk_assist_text(size_t i, const char *lang);

/* s trimmed, with line breaks as spaces, and cut to at most max bytes on a
 * character boundary, "..." appended when cut (so at most max + 3 bytes).
 * free(). */
char *lk_assist_shorten(const char *s, size_t max);

/* One line about an earlier conversation, for the customer's history: its
 * first question (quoted, shortened), why it was handed over and how it
 * ended. msgs: its first messages in seq order (may be few). free(). */
char *lk_assist_oneline(const lk_conv_t *conv, const lk_msg_t *msgs, size_t n_msgs, const char *lang);

/* ---- the gap report and answer review (gaps.c, review.c; docs/gaps.md) --
 * Section of helper "gaps". Pure like the rest; the analytics reuse the
 * clustering. */

/* One customer question for the gap report's clustering. Strings are
 * borrowed (must outlive the call); text should already be redacted
 * (lk_pii_redact): a word in square brackets, such as the markers
 * "[e-mail]", counts as no content. */
typedef struct {
    const char *id;       /* the message's id: the earliest member's id names the topic */
    const char *text;     /* valid UTF-8 */
    const char *language; /* "nl", "en"; "" or NULL: identified from the text */
    int64_t at_ms;        /* when it was asked */
    lk_outcome_t outcome; /* DECLINED and HANDOFF are counted per topic; NONE = not known */
} lk_gap_input_t;

/* One topic: questions that say the same thing. Indexes point into the
 * input array. */
typedef struct {
    size_t *members;   /* newest first (at_ms, then input order); owned */
    size_t n_members;
    size_t label;      /* the most central question (highest summed similarity to the others) */
    size_t first;      /* the earliest question (at_ms, then id): its id is the topic's id */
    int64_t newest_ms; /* the newest question's at_ms */
    size_t n_declined; /* members with outcome "declined" */
    size_t n_handoff;  /* members with outcome "handoff" */
} lk_gap_topic_t;

typedef struct {
    /* Two clusters merge while their average-linkage similarity is at
     * least this (cosine of TF-IDF vectors; docs/gaps.md). (0.3) */
    double threshold;
    /* Weight of the character 4-grams of the stems against the stems
     * themselves in the similarity (typos, compounds). (0.3) */
    double gram_weight;
} lk_gap_options_t;

/* The most questions one call clusters (the caller passes the newest). */
#define LK_GAP_INPUT_MAX 2000

void lk_gap_options_default(lk_gap_options_t *opts /* OUT */);

/* Groups items[0..n) into topics by similarity: each question becomes a
 * TF-IDF vector over its normalised, stemmed content words (stop words
 * dropped) and their character 4-grams, and clusters are merged bottom-up
 * by average linkage while their similarity reaches opts->threshold.
 * Deterministic and independent of the input order (but for exact ties).
 * Every item lands in exactly one topic. *out is ordered by size (largest
 * first), then newest_ms (newest first), then the first question's id;
 * free it with lk_gap_topics_free(). opts may be NULL (defaults). 0, or
 * LK_EINVAL (NULL arguments, n > LK_GAP_INPUT_MAX, text not UTF-8). */
int lk_gap_cluster(const lk_gap_input_t *items, size_t n, const lk_gap_options_t *opts,
                   lk_gap_topic_t **out /* OUT */, size_t *n_out /* OUT */);
void lk_gap_topics_free(lk_gap_topic_t *topics, size_t n); /* topics may be NULL */

/* The similarity (0..1) of two texts as the clustering sees it, in a
 * collection of just the two (for tests and tuning). */
double lk_gap_similarity(const lk_gap_input_t *a, const lk_gap_input_t *b, const lk_gap_options_t *opts);

/* ---- answer review: the answering threshold from reviewed answers ------- */

/* One reviewed bot answer: the confidence it was given with, the verdict. */
typedef struct {
    double confidence;
    bool right;
} lk_review_item_t;

typedef struct {
    double target_error;  /* the wrong-answer rate among answers to stay at or below (0.05) */
    size_t min_reviews;   /* reviewed answers needed at a threshold before it may be chosen (20) */
    double min_threshold; /* the range the threshold is kept in ([0.30, 0.95]) */
    double max_threshold;
} lk_review_config_t;

void lk_review_config_default(lk_review_config_t *cfg /* OUT */);

/* The estimated wrong-answer rate of answers of which `wrong` out of
 * `answered` were reviewed wrong: (wrong + 1) / (answered + 2), the rule of
 * succession (never 0 on few reviews). */
double lk_review_error_estimate(size_t wrong, size_t answered);

typedef struct {
    double threshold;      /* recommended; the current one when it may not move */
    bool changed;          /* threshold != current */
    bool target_met;       /* its estimated error is at or below the target */
    size_t reviews_needed; /* how many more reviews before it can move (0: enough) */
    size_t answered;       /* reviewed answers with confidence >= threshold */
    size_t wrong;          /* of those, reviewed wrong */
    double est_error;      /* lk_review_error_estimate(wrong, answered) */
} lk_review_recommendation_t;

/* The answering threshold the reviews support (docs/gaps.md): the lowest
 * threshold t (on the grid 0.005 apart, and not below both current and the
 * lowest reviewed confidence, about which nothing is known) with at least
 * min_reviews reviewed answers at confidence >= t and an estimated
 * wrong-answer rate among them at or below target_error; when no t meets the
 * target, the one with the lowest estimate; the current threshold when
 * there are too few reviews. Always within [min_threshold, max_threshold]
 * once it moves. cfg NULL: the defaults. */
void lk_review_recommend(const lk_review_item_t *items, size_t n, double current, const lk_review_config_t *cfg,
                         lk_review_recommendation_t *out /* OUT */);

#endif
