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
    X(SENSITIVE_TOPIC, "sensitive_topic")                                     \
    X(LANGUAGE, "language")

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

/* Who wrote a message: "customer" | "bot" | "agent" | "system" (the
 * product's own notices). The policy says as BOT or SYSTEM; the store's
 * message record carries the same set. NONE (0) is what a zeroed record
 * holds: no sender, which the store refuses to write. */
typedef enum { LK_SENDER_NONE, LK_SENDER_CUSTOMER, LK_SENDER_BOT, LK_SENDER_AGENT, LK_SENDER_SYSTEM } lk_sender_t;
/* The name; "" for NONE or a value out of range. */
const char *lk_sender_name(lk_sender_t s);
/* Sets *out (out may be NULL: a check) from a name and returns 0, or sets
 * NONE and returns LK_EINVAL for NULL or an unknown name. */
int lk_sender_parse(const char *s, lk_sender_t *out /* OUT, may be NULL */);

/* ---- configuration ----------------------------------------------------- */

/* Business hours (added by issue 4). One day has up to LK_POLICY_SPANS_PER_DAY
 * opening spans [open_min, close_min) in minutes after local midnight
 * (0..1440); a span with open_min >= close_min is unused. */
#define LK_POLICY_SPANS_PER_DAY 2
#define LK_POLICY_HOLIDAYS_MAX 128

typedef struct {
    int open_min;
    int close_min;
} lk_policy_span_t;

/* Daylight-saving rule of the time zone. LK_POLICY_DST_EU: one hour more from
 * the last Sunday of March 01:00 UTC to the last Sunday of October 01:00 UTC,
 * the rule of every EU time zone (computed in C, no tz database read). */
typedef enum { LK_POLICY_DST_NONE = 0, LK_POLICY_DST_EU } lk_policy_dst_t;

typedef struct {
    int max_consecutive_declines; /* hand over at this many failures in a row: declines, "no" to "did this help?" (2) */
    int loop_repeats;             /* the same question this many times hands over (3) */
    double person_request_min;    /* signal scores at or above these count */
    double bot_question_min;
    double negative_min;
    double complaint_min;
    double multi_question_min;
    double repeat_min;
    /* ---- added by issue 4 (defaults in parentheses; docs/policy.md) ---- */
    double language_min;      /* follow the reading's language at this confidence (0.7) */
    double second_answer_min; /* several questions: the second match needs at least this confidence (0.1) */
    double sensitive_min;     /* a best match tagged "sensitive" at this confidence hands over (0.3) */
    bool ask_feedback;        /* ask "did this help?" after an answer (true) */
    /* week[0] is Monday ... week[6] Sunday, local time. Default: always open,
     * so people count as reachable whenever agents_online says so. */
    lk_policy_span_t week[7][LK_POLICY_SPANS_PER_DAY];
    int32_t holidays[LK_POLICY_HOLIDAYS_MAX]; /* local dates YYYYMMDD, closed all day */
    size_t n_holidays;
    int tz_offset_min;      /* standard-time offset east of UTC (60: Europe/Amsterdam) */
    lk_policy_dst_t tz_dst; /* (LK_POLICY_DST_EU) */
    /* ---- added after the simulation (docs/policy.md, "Several questions") ----
     * The NLU's matches of one message share one probability mass, so two
     * questions show as two matches that split it, each rarely confident on
     * its own. Both are answered when the two together reach pair_answer_min,
     * the second has at least second_answer_ratio of the first's confidence
     * and second_answer_min, and the third has at most second_answer_margin
     * of the second's (the two stand out from the rest). */
    double pair_answer_min;      /* (0.5) */
    double second_answer_ratio;  /* (0.25) */
    double second_answer_margin; /* (0.25) */
    /* ---- added with the languages (issue 14) ----
     * Follow the reading's language into one the knowledge base has no
     * article in (the customer then hears so and gets a person) only at this
     * confidence (0.9): a wrong guess there costs a hand-off. */
    double foreign_language_min;
} lk_policy_config_t;

void lk_policy_config_default(lk_policy_config_t *cfg /* OUT */);

/* Sets one option by name from its text form, as a configuration file holds
 * it; the one option table behind it gives the names, bounds and defaults
 * (docs/policy.md). Examples: ("loop_repeats", "3"), ("ask_feedback",
 * "false"), ("business_hours", "mon-fri 09:00-17:00, sat 10:00-16:00"),
 * ("holidays", "2026-12-25, 2026-12-26"), ("time_zone", "Europe/Amsterdam").
 * 0, LK_ENOENT (no such option) or LK_EINVAL (bad value; cfg unchanged). */
int lk_policy_config_set(lk_policy_config_t *cfg, const char *name, const char *value);

/* Opening hours in text: "always" (or "24/7"), "closed", or groups separated
 * by ',' or ';', each "DAYS SPAN [SPAN]" where DAYS is a day or a range
 * ("mon-fri", Dutch "ma-vr", full names too) and SPAN is "HH:MM-HH:MM"
 * (24:00 allowed). Days not named are closed. Replaces cfg->week; on error
 * (LK_EINVAL) cfg is unchanged. */
int lk_policy_hours_parse(const char *spec, lk_policy_config_t *cfg);
/* Holidays in text: dates "YYYY-MM-DD" separated by ',', ';' or spaces, or
 * "" / "none". Replaces cfg->holidays. 0 or LK_EINVAL (cfg unchanged). */
int lk_policy_holidays_parse(const char *list, lk_policy_config_t *cfg);

/* ---- business hours (pure; time is always an argument) ---------------- */

/* Minutes east of UTC at instant t_ms in cfg's time zone (60 or 120 for
 * Europe/Amsterdam). */
int lk_policy_utc_offset_min(const lk_policy_config_t *cfg, int64_t t_ms);
/* True when t_ms falls inside the business hours (weekly table, holidays). */
bool lk_policy_open_at(const lk_policy_config_t *cfg, int64_t t_ms);
/* The first instant at or after t_ms at which business hours are open
 * (t_ms itself when open), or -1 when none within 400 days. */
int64_t lk_policy_next_open(const lk_policy_config_t *cfg, int64_t t_ms);

/* ---- state ------------------------------------------------------------- */

/* What the bot's last message asked, so that a short "ja"/"nee"/"ok" reply
 * can be read: nothing, "did this help?", "shall I put you through to a
 * person?", and (added after the simulation) "can I help you with anything
 * else?" or "ask your question", and "goodbye" (a further "ok" or "thanks"
 * needs no reply). Only LK_PENDING_OFFER lets a short "ja" or a bare "ok"
 * hand the conversation over. */
typedef enum {
    LK_PENDING_NONE = 0,
    LK_PENDING_FEEDBACK,
    LK_PENDING_OFFER,
    LK_PENDING_MORE,  /* stored as "more" */
    LK_PENDING_BYE,   /* stored as "bye" */
    LK_PENDING_CHOICE /* "is your question about A or B?" (issue 15); stored as "choice" */
} lk_policy_pending_t;

typedef struct {
    lk_conv_status_t status;
    lk_handoff_reason_t handoff_reason;
    char language[8]; /* the language the bot speaks to this customer */
    int consecutive_declines;
    int customer_turns;
    int repeats; /* how often the latest question was asked in a row */
    /* ---- added by issue 4 ---- */
    lk_policy_pending_t pending; /* what the bot's last message asked the customer */
    long last_article;           /* raw top[0] article of the last answer, -1 none */
    bool away;                   /* queued, and told that no person is available now */
    bool callback_hinted;        /* asked once for a phone number or e-mail */
    int callbacks;               /* call-back requests made since the hand-off */
    int64_t notice_pos;          /* queue position the last notice named, 0 none */
    int quiet_msgs;              /* customer messages while queued since the last notice */
} lk_policy_state_t;

/* True when tag is a language loket keeps for a conversation: a BCP 47
 * primary language subtag as the API stores it, 2 or 3 lowercase letters
 * ("nl", "de", "fr", "gsw"). */
bool lk_policy_language_valid(const char *tag);
/* True when loket has its own texts in lang ("nl", "en", "de", "fr"); in
 * any other language it speaks English, and answers from the knowledge
 * base's articles in that language. */
bool lk_policy_language_spoken(const char *lang);

/* A fresh conversation in language (NULL or not valid: "nl"). */
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

/* One question of a message that asks several (nlu's lk_nlu_split): its
 * words (a slice of the message) and the NLU's reading of them alone. */
typedef struct {
    const char *text;
    size_t len;
    const lk_nlu_reading_t *reading;
} lk_policy_part_t;

typedef struct {
    lk_policy_event_type_t type;
    const char *text; /* LK_EV_MESSAGE: the customer's words (valid UTF-8) */
    size_t len;
    const lk_nlu_reading_t *reading; /* LK_EV_MESSAGE: the NLU's reading of text */
    const char *agent_name;          /* LK_EV_AGENT_JOINS: the agent's display name; NULL: none */
    /* ---- added by issue 15 (docs/policy.md, "Choices", "Several questions") ----
     * LK_EV_MESSAGE: chosen when the customer picked article `choice` (index
     * into env->kb) from the bot's last choices; the caller has checked that
     * it was offered. parts: the readings of each question when the message
     * asks two or more (n_parts >= 2), else NULL / 0. */
    bool chosen;
    long choice;
    const lk_policy_part_t *parts;
    size_t n_parts;
} lk_policy_event_t;

typedef struct {
    int64_t now_ms;          /* the current time, read by the caller */
    int agents_online;       /* agents logged in and available; < 0: unknown (counts as available) */
    int64_t queue_length;    /* conversations queued before this one would be (position - 1); -1 unknown */
    int64_t est_wait_s;      /* estimated wait from recent real waits; -1 unknown (say no figure) */
    int64_t est_wait_max_s;  /* the top of the range est_wait_s..est_wait_max_s (lk_analytics_wait_estimate);
                              * not above est_wait_s: one figure */
    const lk_kb_t *kb;       /* the knowledge base the reading refers to */
} lk_policy_env_t;

typedef enum {
    LK_ACTION_SAY,     /* send a message (sender BOT or SYSTEM, always automated) */
    LK_ACTION_HANDOFF, /* move to "queued" for reason */
    /* Added by issue 4: store a call-back request for the agents (text: the
     * customer's message, contact: the phone number or e-mail found in it).
     * Comes before the SAY that confirms it; store both in one transaction. */
    LK_ACTION_CALLBACK_REQUEST
} lk_policy_action_type_t;

/* What a SAY is, for metrics, the simulation and tests (added by issue 4). */
typedef enum {
    LK_SAY_OTHER = 0,
    LK_SAY_GREETING,        /* bot: disclosure + the human option */
    LK_SAY_ANSWER,          /* bot: quotes article */
    LK_SAY_DECLINE,         /* bot: "I don't know this" + the human option */
    LK_SAY_DISCLOSURE,      /* bot: the truth to "are you a bot / a person?" */
    LK_SAY_REPLY,           /* bot: reply to yes/no, hello, thanks */
    LK_SAY_HANDOFF_NOTICE,  /* system: why, queue position and wait, or when people are back */
    LK_SAY_QUEUE_NOTICE,    /* system: queue position update, availability change */
    LK_SAY_AGENT_NOTICE,    /* system: an agent joins or leaves */
    LK_SAY_CALLBACK_NOTICE, /* system: asks for or confirms call-back details */
    LK_SAY_CLOSED_NOTICE,   /* system: the conversation was closed */
    LK_SAY_CHOICES          /* bot: "is your question about A or B?" with choices[] (issue 15) */
} lk_policy_say_kind_t;

/* "greeting", "answer", ... ("other" for LK_SAY_OTHER or an unknown value). */
const char *lk_policy_say_kind_name(lk_policy_say_kind_t k);

typedef struct {
    lk_policy_action_type_t type;
    lk_sender_t sender; /* LK_ACTION_SAY: LK_SENDER_BOT or LK_SENDER_SYSTEM */
    char *text;     /* LK_ACTION_SAY: owned by the action */
    long article;   /* LK_ACTION_SAY: index into env->kb when quoting an article, else -1 */
    double confidence;
    lk_handoff_reason_t reason; /* LK_ACTION_HANDOFF */
    /* ---- added by issue 4 ---- */
    char *contact;             /* LK_ACTION_CALLBACK_REQUEST: owned; else NULL */
    lk_policy_say_kind_t kind; /* LK_ACTION_SAY */
    /* ---- added by issue 15 ---- */
    long choices[LK_NLU_TOP_K]; /* LK_SAY_CHOICES: the articles offered (indexes into env->kb), in order */
    size_t n_choices;
    bool chosen; /* LK_SAY_ANSWER: the answer to the customer's pick of one of the choices */
} lk_policy_action_t;

typedef struct {
    lk_policy_action_t *items;
    size_t n;
} lk_policy_actions_t;

void lk_policy_actions_free(lk_policy_actions_t *a); /* frees the texts and the array; a may be NULL */

/* ---- the texts ----------------------------------------------------------- */

/* The i-th of the policy's built-in texts in lang ("nl", "en", "de", "fr"):
 * whole messages, and templates with printf conversions (%s, %d, %lld) that
 * the step fills in. NULL when i is past the last. For the review of every
 * text the product says (tests/unit/test_texts.c); the pointers are static. */
const char *lk_policy_text(size_t i, const char *lang);

/* ---- the step ---------------------------------------------------------- */

/* Computes the next state and the actions for one event. cfg NULL means the
 * defaults. *next may alias *state. actions is filled (caller frees with
 * lk_policy_actions_free). Every message it asks for is automated; after a
 * hand-off it never answers a customer question with the bot. 0 or LK_EINVAL.
 *
 * The caller must compute the step on the state it reads inside the
 * transaction that stores the result, so a bot reply computed before an agent
 * joined can never be sent after (the bot talking over the agent). The new
 * status is next->status; LK_ACTION_HANDOFF marks the moment of a hand-off
 * (queued_at, audit). A LK_EV_MESSAGE with a NULL reading counts as a
 * message the NLU did not understand. */
int lk_policy_step(const lk_policy_config_t *cfg, const lk_policy_state_t *state, const lk_policy_event_t *ev,
                   const lk_policy_env_t *env, lk_policy_state_t *next /* OUT */,
                   lk_policy_actions_t *actions /* OUT */);

#endif
