/*
 * policy: the conversation state machine, loket's heart.
 *
 * Pure: given the conversation's state, an event (the conversation starts, a
 * customer message with the NLU's reading of it, the hand-off button, an
 * agent joining or leaving, closing, time passing), the environment the
 * caller observed (current time, agents online, queue figures, the knowledge
 * base) and the configuration, lk_policy_step() returns the next state and the
 * actions to carry out (messages to send, a hand-off, a call-back request).
 * No I/O, no clock, no globals: it is tested exhaustively and fuzzed.
 *
 * The rules and the regulations behind them are in docs/policy.md.
 */
#ifndef LK_POLICY_H
#define LK_POLICY_H

#include "kb/kb.h"
#include "nlu/nlu.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- names ------------------------------------------------------------- */

typedef enum { LK_CONV_BOT = 0, LK_CONV_QUEUED, LK_CONV_ASSIGNED, LK_CONV_CLOSED } lk_conv_status_t;

#define LK_HANDOFF_REASON_MAP(X)                                               \
    X(NONE, "")                                                                \
    X(CUSTOMER_REQUEST, "customer_request")                                    \
    X(BUTTON, "button")                                                        \
    X(LOW_CONFIDENCE, "low_confidence")                                        \
    X(REPEATED_FAILURE, "repeated_failure")                                    \
    X(LOOP, "loop")                                                            \
    X(NEGATIVE_SENTIMENT, "negative_sentiment")                                \
    X(COMPLAINT, "complaint")                                                  \
    X(COMPLEX, "complex")                                                      \
    X(SENSITIVE_TOPIC, "sensitive_topic")

typedef enum {
#define LK_HANDOFF_ENUM(name, str) LK_HANDOFF_##name,
    LK_HANDOFF_REASON_MAP(LK_HANDOFF_ENUM)
#undef LK_HANDOFF_ENUM
} lk_handoff_reason_t;

/* "bot", "queued", "assigned", "closed" */
const char *lk_conv_status_name(lk_conv_status_t s);
int lk_conv_status_parse(const char *s, lk_conv_status_t *out /* OUT */); /* 0 or LK_EINVAL */
/* The CONTRACT names ("customer_request", ...); "" for NONE. */
const char *lk_handoff_reason_name(lk_handoff_reason_t r);
int lk_handoff_reason_parse(const char *s, lk_handoff_reason_t *out /* OUT */); /* "" -> NONE */

/* ---- configuration ----------------------------------------------------- */

typedef struct {
    int max_consecutive_declines; /* hand over at this many declines in a row (2) */
    int loop_repeats;             /* the same question this many times hands over (3) */
    double person_request_min;    /* signal scores at or above these count */
    double bot_question_min;
    double negative_min;
    double complaint_min;
    double multi_question_min;
    double repeat_min;
    /* Business hours and holidays are added by the policy issue; until then
     * people are treated as always reachable. */
} lk_policy_config_t;

void lk_policy_config_default(lk_policy_config_t *cfg /* OUT */);

/* ---- state ------------------------------------------------------------- */

typedef struct {
    lk_conv_status_t status;
    lk_handoff_reason_t handoff_reason;
    char language[8]; /* the language the bot speaks to this customer */
    int consecutive_declines;
    int customer_turns;
    int repeats; /* how often the latest question was asked in a row */
} lk_policy_state_t;

/* A fresh conversation in language (NULL or unsupported: "nl"). */
void lk_policy_state_init(lk_policy_state_t *st /* OUT */, const char *language);
/* The state (all of it) as a JSON object text; free with free(). */
char *lk_policy_state_encode(const lk_policy_state_t *st);
/* Parses what encode wrote; NULL or "" gives a fresh "nl" state. LK_EINVAL. */
int lk_policy_state_decode(const char *json, lk_policy_state_t *out /* OUT */);

/* ---- events, environment, actions -------------------------------------- */

typedef enum {
    LK_EV_START,        /* the conversation was created: greet */
    LK_EV_MESSAGE,      /* a customer message; text and reading are set */
    LK_EV_BUTTON,       /* the always-visible "talk to a person" button */
    LK_EV_AGENT_JOINS,  /* an agent claimed the conversation */
    LK_EV_AGENT_LEAVES, /* the agent released it without closing */
    LK_EV_CLOSE,        /* closed by an agent (or by the customer) */
    LK_EV_TICK          /* time passed; lets the policy update wait notices */
} lk_policy_event_type_t;

typedef struct {
    lk_policy_event_type_t type;
    const char *text; /* LK_EV_MESSAGE: the customer's words (valid UTF-8) */
    size_t len;
    const lk_nlu_reading_t *reading; /* LK_EV_MESSAGE: the NLU's reading of text */
} lk_policy_event_t;

typedef struct {
    int64_t now_ms;          /* the current time, read by the caller */
    int agents_online;       /* agents logged in and available */
    int64_t queue_length;    /* conversations queued before this one would be */
    int64_t est_wait_s;      /* estimated wait from recent real waits; -1 unknown */
    const lk_kb_t *kb;       /* the knowledge base the reading refers to */
} lk_policy_env_t;

typedef enum {
    LK_ACTION_SAY,     /* send a message (sender "bot" or "system", always automated) */
    LK_ACTION_HANDOFF  /* move to "queued" for reason */
} lk_policy_action_type_t;

typedef struct {
    lk_policy_action_type_t type;
    char sender[8]; /* LK_ACTION_SAY: "bot" or "system" */
    char *text;     /* LK_ACTION_SAY: owned by the action */
    long article;   /* LK_ACTION_SAY: index into env->kb when quoting an article, else -1 */
    double confidence;
    lk_handoff_reason_t reason; /* LK_ACTION_HANDOFF */
} lk_policy_action_t;

typedef struct {
    lk_policy_action_t *items;
    size_t n;
} lk_policy_actions_t;

void lk_policy_actions_free(lk_policy_actions_t *a); /* frees the texts and the array */

/* ---- the step ---------------------------------------------------------- */

/* Computes the next state and the actions for one event. cfg NULL means the
 * defaults. *next may alias *state. actions is filled (caller frees with
 * lk_policy_actions_free). Every message it asks for is automated; after a
 * hand-off it never answers a customer question with the bot. 0 or LK_EINVAL. */
int lk_policy_step(const lk_policy_config_t *cfg, const lk_policy_state_t *state, const lk_policy_event_t *ev,
                   const lk_policy_env_t *env, lk_policy_state_t *next /* OUT */,
                   lk_policy_actions_t *actions /* OUT */);

#endif
