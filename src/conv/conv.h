/*
 * The conversation engine (docs/architecture.md, "The conversation engine"):
 * one entry point, lk_conv_apply, for every event of a conversation: a
 * customer's message (or pick of one of the bot's choices), the "talk to a
 * person" button, a call-back request, an agent joining, writing, leaving or
 * closing, time passing. It reads the customer's words with the bot's NLU
 * model (the split of a message that asks several questions, the repeat
 * signal from the earlier messages, the choices offered), steps the policy
 * with what it observes of people and the queue, writes what follows through
 * the store (the messages, numbered with the conversation's next seq; the
 * hand-off and call-back records; the audit; the conversation's new state)
 * and returns the messages written and the events to publish as plain C
 * structs. Every channel (the web widget's HTTP API now; e-mail and WhatsApp
 * later) calls it, inside the one transaction that stores the result.
 *
 * No HTTP, no JSON, no threads and no clock here: `now` is a parameter, and
 * the caller turns the result into its own answer and live events.
 *
 * The bot (the knowledge base and the NLU model built from it, with the
 * answering threshold chosen by calibration and by the answer reviews) is a
 * reference-counted, read-only value the engine takes as a parameter.
 */
#ifndef LK_CONV_H
#define LK_CONV_H

#include "analytics/analytics.h"
#include "assist/assist.h"
#include "kb/kb.h"
#include "nlu/nlu.h"
#include "policy/policy.h"
#include "store/store.h"
#include "util/util.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* ---- the bot: knowledge base + NLU model (bot.c) ------------------------ */

typedef struct {
    atomic_int refs;
    int64_t version; /* the knowledge base's version it was built from */
    lk_kb_t kb;      /* answers as plain text */
    lk_nlu_model_t *nlu;
    bool reviews_threshold; /* the threshold is the reviews' recalibration's, not the calibrated one */
    size_t company_questions; /* the company's labelled questions in its calibration (lk_bot_model_build) */
} lk_bot_t;

/* Builds the bot of the stored knowledge base (one reference), its model
 * with lk_bot_model_build. */
int lk_bot_build(lk_store_t *st, double answer_risk, lk_bot_t **out /* OUT */);
/* Builds the NLU model of kb (answers as plain text) the way every model of
 * the server is built (the bot, the publish preview's candidate): options
 * lk_bot_nlu_options(answer_risk); the newest answer reviews (at most 5000)
 * join the calibration as labelled questions (lk_nlu_options_t.labelled:
 * the customer's question before each reviewed answer; "right": the
 * answer's article answers it; "wrong" with a correct article: that one
 * does; "wrong" without: the answer's article does not; a review whose
 * article is not in kb is skipped), and so do the company's own labelled
 * questions (lk_store_labelled_list, the oldest 20,000; one whose article
 * is not in kb is skipped; *company_questions, if not NULL, says how many
 * joined; a review whose redacted question the company keeps with the
 * same answer counts once, as the company's); then the reviews'
 * recalibration may raise the threshold
 * (lk_bot_apply_reviews_threshold; *reviews_threshold, if not NULL, says
 * whether it did). 0, or the store's or the NLU's error. */
int lk_bot_model_build(lk_store_t *st, const lk_kb_t *kb, double answer_risk, lk_nlu_model_t **out /* OUT */,
                       bool *reviews_threshold /* OUT, may be NULL */,
                       size_t *company_questions /* OUT, may be NULL */);
/* Drops a reference; the last frees the bot. bot may be NULL. */
void lk_bot_release(lk_bot_t *bot);
/* The options every model of the server is built with (the bot, the
 * publish preview's candidate). */
void lk_bot_nlu_options(double answer_risk, lk_nlu_options_t *opts /* OUT */);
/* Applies the threshold the reviews' recalibration stored
 * (lk_conv_recalibrate) to a freshly built model: the reviews may raise the
 * bar the calibration set (met or not), never lower it (a model too small to
 * calibrate answers at theirs). True when the reviews' threshold is the one
 * the model answers at. */
bool lk_bot_apply_reviews_threshold(lk_store_t *st, lk_nlu_model_t *nlu);

/* The threshold the reviews' recalibration stored (meta "nlu_threshold"):
 * true with *out set; false when there is none. */
bool lk_conv_stored_threshold(lk_store_t *st, double *out /* OUT */);
/* Inside a writer transaction (publishing the knowledge base runs it):
 * chooses the answering threshold the answer reviews support
 * (lk_review_recommend, from the stored threshold or the NLU's default) and,
 * when it differs, stores it as meta "nlu_threshold" with an audit record
 * "nlu.recalibrate"; the next bot built answers at it. Never moves on fewer
 * than 20 reviewed answers. 0, LK_EINVAL (st NULL) or the store's error. */
int lk_conv_recalibrate(lk_store_t *st, int64_t now);
/* What the newest answer reviews recommend (lk_review_recommend) from the
 * stored threshold, or the NLU's default when none was stored (*current
 * says which). 0 or the store's error. */
int lk_conv_threshold_recommend(lk_store_t *st, double *current /* OUT */, lk_review_recommendation_t *rec /* OUT */);

/* ---- people and the queue ------------------------------------------------ */

/* What the engine observes of people: agents online and the recent real
 * waits (for the wait estimate, lk_analytics_wait_estimate). */
typedef struct {
    int64_t agents_online;              /* -1: unknown */
    int64_t waits[LK_WAIT_MAX_SAMPLES]; /* ms, the most recent first */
    size_t n_waits;
} lk_conv_people_t;

/* Reads the figures from the store (agents with a session, the waits of the
 * last LK_WAIT_WINDOW_MS before now). A figure the store cannot give is
 * unknown (agents -1, no waits). */
void lk_conv_people_read(lk_store_t *st, int64_t now, lk_conv_people_t *out /* OUT */);

/* ---- the engine --------------------------------------------------------- */

typedef struct {
    const lk_policy_config_t *policy; /* the policy's options; NULL: the defaults */
    const lk_bot_t *bot;              /* the bot answering (the caller holds a reference) */
    /* The people figures; NULL: lk_conv_people_read at every event. A server
     * passes a cache (they change slowly and every turn asks for them). */
    void (*people)(void *ud, lk_store_t *st, int64_t now, lk_conv_people_t *out /* OUT */);
    void *people_ud;
} lk_conv_engine_t;

/* What the policy needs to know of people and the queue for conv at now. */
void lk_conv_queue_env(const lk_conv_engine_t *eng, lk_store_t *st, const lk_conv_t *conv, int64_t now,
                       lk_policy_env_t *env /* OUT */);

typedef enum {
    LK_CONV_START,        /* the conversation was just stored: the greeting */
    LK_CONV_MESSAGE,      /* the customer wrote text (or picked choice) */
    LK_CONV_PERSON,       /* the always-visible "talk to a person" button */
    LK_CONV_NOT_HELPED,   /* "did this help?" answered no: the customer's "No" while the bot has it */
    LK_CONV_CALLBACK,     /* a waiting customer asks to be called back (contact, text) */
    LK_CONV_AGENT_JOINS,  /* an agent takes it, from the queue or another agent (agent_id, agent_name) */
    LK_CONV_AGENT_WRITES, /* the assigned agent's reply (msg) */
    LK_CONV_AGENT_LEAVES, /* the agent released it without closing */
    LK_CONV_CLOSE,        /* closed (the caller has set closed_at and the disposition) */
    LK_CONV_TICK          /* time passed: wait notices for the queued */
} lk_conv_event_type_t;

typedef struct {
    lk_conv_event_type_t type;
    /* MESSAGE: the customer's words (valid UTF-8, checked by the channel);
     * CALLBACK: the customer's note, NULL for none */
    const char *text;
    /* MESSAGE: the article_id the customer picked from the bot's choices;
     * NULL: none. It must be one the conversation's last message with
     * choices offered (else refused, LK_CONV_REFUSED_CHOICE). */
    const char *choice;
    const char *contact; /* CALLBACK: a phone number or e-mail address (checked by the channel) */
    /* AGENT_JOINS: the agent (NULL: conv->assigned_to is already set) and
     * their display name (NULL: none); AGENT_WRITES: who must be assigned */
    const char *agent_id;
    const char *agent_name;
    /* AGENT_WRITES: the message (sender, text, author, provenance...); its
     * strings are taken in every case */
    lk_msg_t *msg;
} lk_conv_event_t;

/* Why an event was refused (lk_conv_apply returned LK_EINVAL or LK_ESTATE
 * and stored nothing). */
typedef enum {
    LK_CONV_REFUSED_NONE = 0,
    LK_CONV_REFUSED_CHOICE,      /* the choice was not among the last choices offered (LK_EINVAL) */
    LK_CONV_REFUSED_CHOICE_GONE, /* the chosen article left the knowledge base (LK_ESTATE) */
    LK_CONV_REFUSED_NOT_QUEUED,  /* a call-back outside the queue (LK_ESTATE) */
    LK_CONV_REFUSED_NOT_YOURS,   /* an agent's reply on a conversation not assigned to them (LK_ESTATE) */
    LK_CONV_REFUSED_EVENT        /* an event the engine does not know (LK_EINVAL) */
} lk_conv_refusal_t;

/* What the caller publishes, in order, once the transaction commits. */
typedef enum {
    LK_CONV_OUT_MESSAGE,      /* msgs[msg] was stored: to the conversation's and the agents' streams */
    LK_CONV_OUT_CONVERSATION, /* its status or assignment changed: to every agent's list */
    LK_CONV_OUT_HANDOFF,      /* handed to a person for reason (the moment of the hand-off) */
    LK_CONV_OUT_TURN,         /* a customer message went through the policy: outcome says what the bot made of it */
    LK_CONV_OUT_WAIT_ENDED    /* a queued conversation got a person: a new real wait for the estimates */
} lk_conv_out_type_t;

typedef struct {
    lk_conv_out_type_t type;
    size_t msg;                 /* MESSAGE: index into the result's msgs */
    /* MESSAGE: a customer's text as the agents see it, with each BSN masked
     * (lk_pii_mask_kind; they reveal it on request, audited); NULL when the
     * text holds none or is not a customer's. Owned by the result. */
    char *agents_text;
    lk_handoff_reason_t reason; /* HANDOFF */
    lk_outcome_t outcome;       /* TURN: what the bot made of the customer's message */
} lk_conv_out_t;

typedef struct {
    lk_msg_t *msgs; /* the messages stored, in seq order */
    size_t n_msgs;
    lk_conv_out_t *events;
    size_t n_events;
    lk_conv_refusal_t refused;
} lk_conv_result_t;

/* Applies one event to conv (read inside the caller's transaction; updated
 * in place and stored): reads the NLU for a customer's message, steps the
 * policy, writes the messages, records and the new state through st, and
 * fills *out (zero it first; appended to; free with lk_conv_result_free, also
 * after a failure). 0; LK_EINVAL or LK_ESTATE with out->refused set when the
 * event is refused (nothing stored); or the store's error (the caller rolls
 * back its transaction). */
int lk_conv_apply(const lk_conv_engine_t *eng, lk_store_t *st, lk_conv_t *conv, const lk_conv_event_t *ev, int64_t now,
                  lk_conv_result_t *out /* OUT */);

void lk_conv_result_free(lk_conv_result_t *r); /* r may be NULL; leaves it zeroed */

#endif
