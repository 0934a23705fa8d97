/*
 * Internals of the policy module shared by its files (policy.c, state.c,
 * calendar.c, options.c, texts.c, say.c, words.c, articles.c, choices.c).
 * Never included from outside src/policy/: policy.h is the module's whole
 * interface.
 *
 * A rule of the step (policy.c, choices.c) works on the step's working set,
 * ctx_t: it reads the configuration and the environment, changes the state
 * and appends actions. It says something with a text of texts.c in the
 * conversation's language:
 *
 *     lk_pol_say(c, LK_SENDER_BOT, LK_SAY_REPLY, T(c, T_ACK));
 *
 * or builds a longer message in a buffer and hands it over:
 *
 *     lk_buf_t b;
 *     lk_buf_init(&b, LK_POL_TEXT_MAX);
 *     lk_pol_add(&b, T(c, T_AWAY_CLOSED));
 *     lk_pol_add_fmt(&b, c, T_QUEUE_POS, (long long)pos);
 *     lk_pol_say_buf(c, LK_SENDER_SYSTEM, LK_SAY_QUEUE_NOTICE, &b);
 *
 * Like the rest of the module, nothing here does I/O or reads a clock.
 */
#ifndef LK_POLICY_INT_H
#define LK_POLICY_INT_H

#include "policy/policy.h"

#include "util/util.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LK_POL_MS_PER_MIN INT64_C(60000)
#define LK_POL_MS_PER_DAY INT64_C(86400000)

/* The most a message the policy composes may hold: an article's answer and
 * link with the sentences around them. */
#define LK_POL_TEXT_MAX (LK_KB_ANSWER_MAX + LK_KB_URL_MAX + 4096)

/* The languages loket has its own texts in (texts.c: nl, en, de, fr, the
 * text tables' columns in that order). */
#define LK_POL_N_SPOKEN 4

/* ---- the step's working set ------------------------------------------------ */

/* The step's working set. */
typedef struct {
    const lk_policy_config_t *cfg;
    const lk_policy_env_t *env;
    lk_policy_state_t *st;
    lk_policy_actions_t *out;
} ctx_t;

/* ---- state.c ------------------------------------------------------------ */

/* Appends an action of type to a (its article -1, no reason, kind other);
 * a owns it (lk_policy_actions_free). */
lk_policy_action_t *lk_pol_push(lk_policy_actions_t *a, lk_policy_action_type_t type);
/* Caps the state's counters so that whatever a step writes decodes again. */
void lk_pol_saturate(lk_policy_state_t *st);
/* Is st a state the step can start from (enums in range, language ended)? */
bool lk_pol_state_valid(const lk_policy_state_t *st);

/* ---- calendar.c --------------------------------------------------------- */

/* a / b rounded toward minus infinity (b > 0). */
int64_t lk_pol_floor_div(int64_t a, int64_t b);
/* The civil date of day z since 1970-01-01. */
void lk_pol_civil_from_days(int64_t z, int *y, int *m, int *d);
/* 0 Monday .. 6 Sunday for day number days since 1970-01-01. */
int lk_pol_iso_weekday(int64_t days);
/* The days in month m (1-12) of year y. */
int lk_pol_month_days(int y, int m);
/* A date as the number yyyymmdd (the holidays' form). */
int32_t lk_pol_ymd(int y, int m, int d);

/* ---- options.c ---------------------------------------------------------- */

/* c lowercased (ASCII only). */
char lk_pol_lower(char c);
/* a and b equal but for ASCII case. */
bool lk_pol_ieq(const char *a, const char *b);

/* ---- texts.c ------------------------------------------------------------ */

/* The ids of the texts, the rows of both text tables. */
enum {
    T_GREETING,
    T_BOT_YES,
    T_DECLINE,
    T_FEEDBACK_Q,
    T_MORE_INFO,
    T_FEEDBACK_YES,
    T_FEEDBACK_NO,
    T_OFFER_NO,
    T_HELLO,
    T_THANKS,
    T_BYE,
    T_BYE_THANKS,
    T_BYE_TAIL,
    T_ACK,
    T_ASK,
    T_WHY_REQUEST,
    T_WHY_FAILURE,
    T_WHY_LOOP,
    T_WHY_NEGATIVE,
    T_WHY_COMPLAINT,
    T_WHY_COMPLEX,
    T_WHY_SENSITIVE,
    T_TAIL,
    T_QUEUED,
    T_QUEUED_TAIL,
    T_SOON,
    T_AWAY_CLOSED,
    T_AWAY_OFFLINE,
    T_AWAY_TAIL,
    T_BACK,
    T_CALLBACK_HINT,
    T_AGENT_JOINS,
    T_AGENT_LEAVES,
    T_CLOSED,
    T_CHOICES_INTRO,
    T_CHOICES_OR,
    T_CHOICES_TAIL,
    T_PART_DECLINE,
    T_PART_DECLINE_MANY,
    T_PART_DECLINE_TAIL,
    /* ---- added with issue 14: the truthful reply to each way of asking
     * "are you a bot?", the language hand-off, and the templates that were
     * inline, so that every text sits in the tables below ---- */
    T_BOT_NOT_PERSON, /* "are you a person?" */
    T_BOT_IS,         /* asked unclearly ("a person or a bot?", "ben je geen mens?") */
    T_WHY_LANGUAGE,
    T_QUEUE_POS,   /* %lld: the position */
    T_WAIT_IS,     /* %s: the estimate in words (below) */
    T_DUR_LESS_1MIN,
    T_DUR_LESS,    /* %s: a duration */
    T_DUR_ABOUT,   /* %s: a duration */
    T_DUR_RANGE,   /* %s to %s: a number or duration, a duration */
    T_DUR_1MIN,
    T_DUR_MIN,     /* %lld minutes */
    T_DUR_1HOUR,
    T_DUR_HOURS,   /* %lld hours */
    T_DUR_HALF,    /* %lld and a half hours */
    T_DUR_1HOUR_Q, /* 1 hour and %lld minutes */
    T_DUR_HOURS_Q, /* %lld hours and %lld minutes */
    T_BACK_TODAY,  /* %02d:%02d */
    T_BACK_TOMORROW,
    T_BACK_DAY,    /* weekday, day, month, hour, minute */
    T_BACK_DATE,   /* day, month, year, hour, minute */
    T_CALLBACK_THANKS, /* %s: the contact */
    T_AGENT_JOINS_NAMED, /* %s: the agent's name */
    T__COUNT
};

/* The column of lang in the text tables: 0 nl, 1 en, 2 de, 3 fr; any other
 * language gets English. */
int lk_pol_text_ix(const char *lang);
/* Text id in column ix (English where German or French has none); static
 * storage. */
const char *lk_pol_text_in(int id, int ix);

/* The column of the conversation's language. */
static inline int lang_ix(const ctx_t *c)
{
    return lk_pol_text_ix(c->st->language);
}

/* Text id in the conversation's language. */
static inline const char *T(const ctx_t *c, int id)
{
    return lk_pol_text_in(id, lang_ix(c));
}

/* ---- say.c -------------------------------------------------------------- */

/* Appends text id filled in with the arguments (a space before it when b is
 * not empty). The templates of one id take the same conversions in every
 * language (tests/unit/test_texts.c checks). */
void lk_pol_add_fmt(lk_buf_t *b, const ctx_t *c, int id, ...);
/* Appends sentence s with a space before it when b is not empty. */
void lk_pol_add(lk_buf_t *b, const char *s);
/* Says b's text (taken from b) as sender; the action, for what else it
 * carries (an answer's article, the choices offered). */
lk_policy_action_t *lk_pol_say_buf(ctx_t *c, lk_sender_t sender, lk_policy_say_kind_t kind, lk_buf_t *b);
/* Says a copy of text as sender. */
void lk_pol_say(ctx_t *c, lk_sender_t sender, lk_policy_say_kind_t kind, const char *text);
/* The customer's place in the queue once queued (0: not known). */
int64_t lk_pol_queue_pos(const lk_policy_env_t *env);
/* Is a person there now (agents online or their number not known, within
 * business hours)? */
bool lk_pol_people_available(const ctx_t *c);
/* Availability part of a notice; updates the state's away flag. */
void lk_pol_availability(ctx_t *c, lk_buf_t *b);
/* Moves the conversation to "queued" and tells the customer why, their place
 * and wait, or honestly that nobody is there and how to get a call-back. */
void lk_pol_handoff(ctx_t *c, lk_handoff_reason_t reason);

/* ---- words.c ------------------------------------------------------------ */

/* SHORT_OK (added with the closings): an acknowledgement ("ok", "oké",
 * "prima", "top") rather than a real yes; it counts as yes to "did this
 * help?", and as consent to a person only when the bot offered exactly that. */
typedef enum { SHORT_NONE, SHORT_YES, SHORT_NO, SHORT_HELLO, SHORT_THANKS, SHORT_OK } short_reply_t;

#define MAX_WORDS 8
typedef struct {
    char w[MAX_WORDS][24];
    int n;     /* words kept (at most MAX_WORDS) */
    int total; /* words in the text */
} words_t;

typedef struct {
    short_reply_t first; /* by the first word, for a reply of at most four words */
    bool closing;        /* only closing words (words.c), at most MAX_WORDS, at least one that means something */
    /* which kinds a closing holds */
    bool yes, ok, no, thanks, bye;
} reply_t;


/* "nee", "no", ...: a first word that says no. NULL-terminated. */
extern const char *const lk_pol_no_words[];

/* Splits text into lowercased words: ASCII letters and digits and every
 * non-ASCII byte (so "oké" and emoji stay words); the rest separates. */
void lk_pol_split_words(const char *text, size_t len, words_t *w);
/* Is w one of the NULL-terminated list? */
bool lk_pol_in_list(const char *w, const char *const *list);
/* What a short reply or closing says. */
void lk_pol_read_reply(const words_t *w, reply_t *rp);
/* The first e-mail address or phone number (9 to 15 digits) in text, as a
 * new string the caller frees; NULL when none. */
char *lk_pol_find_contact(const char *text, size_t len);
/* "geen van deze", "none of these": the answer to choices when none fits. */
bool lk_pol_none_of_these(const words_t *w);

/* ---- articles.c --------------------------------------------------------- */

/* Is i an article of the environment's knowledge base? */
bool lk_pol_valid_article(const lk_policy_env_t *env, long i);
/* Has kb an article in lang? */
bool lk_pol_kb_has_language(const lk_kb_t *kb, const char *lang);
/* Is a tagged "sensitive" (or "gevoelig")? */
bool lk_pol_tagged_sensitive(const lk_article_t *a);
/* Article i, or its version in lang when it has one. */
long lk_pol_article_in_language(const lk_kb_t *kb, long i, const char *lang);
/* Has article i a version in the conversation's language? */
bool lk_pol_has_version(const ctx_t *c, long i);
/* Quotes article raw (mapped to the customer's language) as a bot answer,
 * its link after it; ask: "did this help?" after that. */
void lk_pol_answer(ctx_t *c, long raw, double confidence, bool ask);

/* ---- choices.c ---------------------------------------------------------- */

/* The articles to offer for a reading that asks, into out; how many, or 0
 * when fewer than two remain. */
size_t lk_pol_choices_of(const ctx_t *c, const lk_nlu_reading_t *r, long out[LK_NLU_TOP_K]);
/* "Gaat je vraag over 'A' of 'B'?" with the n articles as choices. */
void lk_pol_offer_choices(ctx_t *c, const long *choices, size_t n);
/* The customer picked article raw from the bot's choices: answers it. */
void lk_pol_answer_pick(ctx_t *c, long raw);
/* A message with several questions (ev->parts): answers each part it can
 * and names the others; false, having said nothing, when no part is
 * answered. */
bool lk_pol_answer_parts(ctx_t *c, const lk_policy_event_t *ev);

#endif
