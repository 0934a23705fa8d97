/*
 * analytics: the figures of the dashboard and the compliance report,
 * computed from per-conversation facts (store.h, lk_conv_facts_t) that the
 * store reads in one pass. Pure: no I/O, no clock (the report's time is an
 * argument), no globals, so every definition of docs/analytics.md is tested
 * here on hand-made facts.
 *
 * - days and time zones: a range's bounds from dates or RFC 3339 times, and
 *   the local day of an instant (EU summer time from the policy module);
 * - quantiles: nearest rank;
 * - the figures of a set of conversations (lk_analytics_figures_t), per day,
 *   per language, per channel, and per agent;
 * - repeat contact: the same customer about the same topic within a window;
 * - topics: the most frequent contact reasons and the ones rising week over
 *   week;
 * - the conversations a report holds, their topics and the summary
 *   (report.c);
 * - the compliance report's findings (compliance.c);
 * - CSV (RFC 4180): cells and the report tables (csv.c).
 */
#ifndef LK_ANALYTICS_H
#define LK_ANALYTICS_H

#include "policy/policy.h"
#include "store/store.h"
#include "util/util.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LK_ANALYTICS_DAY_MS (24LL * 3600 * 1000)
/* A repeat contact counts within this long after a conversation started. */
#define LK_ANALYTICS_REPEAT_WINDOW_MS (7 * LK_ANALYTICS_DAY_MS)
/* A queued conversation nobody answered and the customer left alone this
 * long counts as abandoned. */
#define LK_ANALYTICS_ABANDON_MS (30LL * 60 * 1000)
/* The longest range a report covers. */
#define LK_ANALYTICS_MAX_DAYS 366

/* ---- time zones and days ------------------------------------------------ */

/* A time zone: UTC or one of the EU zones the policy knows (its offset and
 * summer-time rule). */
typedef struct {
    char name[32];
    lk_policy_config_t zone; /* only tz_offset_min and tz_dst are used */
} lk_analytics_tz_t;

/* "UTC", "Europe/Amsterdam", ... (the names of the policy's time_zone
 * option). 0 or LK_EINVAL. */
int lk_analytics_tz_parse(const char *name, lk_analytics_tz_t *out /* OUT */);
/* Minutes east of UTC at t_ms. */
int lk_analytics_tz_offset_min(const lk_analytics_tz_t *tz, int64_t t_ms);
/* The local day of t_ms: days since 1970-01-01 (local calendar). */
int64_t lk_analytics_day_of(const lk_analytics_tz_t *tz, int64_t t_ms);
/* The instant (UTC ms) at which local day `day` begins. */
int64_t lk_analytics_day_start(const lk_analytics_tz_t *tz, int64_t day);
/* "YYYY-MM-DD" of a day number. */
void lk_analytics_day_name(int64_t day, char out[11] /* OUT */);
/* One bound of a range: "YYYY-MM-DD" is a local day in tz (as `from` its
 * start; as `to` (end true) the start of the next day, so that the day is
 * included), anything else must be an RFC 3339 time and is taken as it is.
 * 0 or LK_EINVAL. */
int lk_analytics_parse_bound(const char *s, const lk_analytics_tz_t *tz, bool end, int64_t *ms /* OUT */);

/* ---- quantiles ----------------------------------------------------------- */

/* Sorts v[0..n) ascending. */
void lk_analytics_sort(int64_t *v, size_t n);
/* The nearest-rank quantile p (0 < p <= 1) of sorted[0..n): the value at
 * rank ceil(p * n) (1-based). -1 when n is 0. */
int64_t lk_analytics_quantile(const int64_t *sorted, size_t n, double p);

/* ---- the wait estimate a queued customer hears ---------------------------- */

/* No estimate from fewer than LK_WAIT_MIN_SAMPLES real waits (a hand-off
 * until an agent claimed it) that ended within the last LK_WAIT_WINDOW_MS:
 * a quartile of fewer than 8 numbers is one of a handful of waits, and one
 * slow or quick pick-up would swing it (the estimate once promised "less
 * than a minute" from a single sample); waits older than 3 hours belong to
 * another staffing of the day. At most LK_WAIT_MAX_SAMPLES of the most
 * recent count, so that the estimate follows the day. */
#define LK_WAIT_MIN_SAMPLES 8
#define LK_WAIT_WINDOW_MS (3LL * 3600 * 1000)
#define LK_WAIT_MAX_SAMPLES 50

typedef struct {
    bool known;    /* false: too few recent waits, say no figure */
    int64_t min_s; /* the range in seconds, rounded to friendly units (below) */
    int64_t max_s; /* >= min_s; equal when the range rounds to one figure */
} lk_analytics_wait_t;

/* The wait range for the customer at queue position (1 = next) from the
 * recent waits (ms, any order; not changed): the interquartile range (25th
 * to 75th percentile, nearest rank) of the waits, once for each conversation
 * up to and including this one (position times: the waits were measured
 * from the head of the queue, so a deeper queue waits longer; for a queue
 * deeper than the ones measured this errs long, never short). The bounds are
 * rounded outwards to friendly units: whole minutes below 15 minutes, 5
 * minutes below an hour, 15 minutes below 3 hours, whole hours beyond; a
 * range below one minute is [0, 60]. Unknown with fewer than
 * LK_WAIT_MIN_SAMPLES waits or a position below 1. Pure. */
void lk_analytics_wait_estimate(const int64_t *waits_ms, size_t n, int64_t position,
                                lk_analytics_wait_t *out /* OUT */);

/* A growable list of durations (ms). */
typedef struct {
    int64_t *v;
    size_t n, cap;
} lk_analytics_list_t;

void lk_analytics_list_add(lk_analytics_list_t *l, int64_t ms);
void lk_analytics_list_free(lk_analytics_list_t *l); /* l may be zeroed */

/* ---- the figures of a set of conversations -------------------------------- */

/* The hand-off reasons, in the order of LK_HANDOFF_REASON_MAP without NONE;
 * a reason loket does not know is counted as the last, "other". */
#define LK_ANALYTICS_REASONS 11
/* "customer_request", ..., "sensitive_topic", "language", "other". */
const char *lk_analytics_reason_name(size_t i);
/* The index of a reason's name (unknown ones: "other"). */
size_t lk_analytics_reason_index(const char *reason);

typedef struct {
    int64_t count;     /* rated conversations */
    int64_t sum;       /* of the ratings (1..5) */
    int64_t satisfied; /* rated 4 or 5 */
} lk_analytics_csat_t;

typedef struct {
    int64_t conversations;
    int64_t contained; /* no hand-off and no person, ever */
    int64_t resolved;  /* contained, and helpful or not repeated (docs/analytics.md) */
    int64_t handed_off;
    int64_t handoffs[LK_ANALYTICS_REASONS]; /* handed-off conversations by their reason */
    int64_t reached_person;                 /* handed off, and an agent wrote after the hand-off */
    lk_analytics_list_t waits;              /* of those: queued_at to the first agent message, ms */
    int64_t abandoned;
    int64_t answers;  /* customer messages the bot answered */
    int64_t declines; /* customer messages the bot declined */
    int64_t reviewed; /* bot answers a person reviewed */
    int64_t reviewed_right;
    int64_t repeat_contacts;        /* conversations followed by a repeat contact */
    lk_analytics_csat_t csat_bot;   /* contained conversations */
    lk_analytics_csat_t csat_human; /* conversations a person took part in */
    int64_t callbacks;              /* conversations with a call-back request */
    /* ---- added by issue 15 ---- */
    int64_t choice_offers; /* bot messages that offered choices instead of answering */
    int64_t choice_picks;  /* bot answers to the customer's pick of one of them */
} lk_analytics_figures_t;

void lk_analytics_figures_free(lk_analytics_figures_t *f); /* f may be zeroed */

/* What one conversation is, by the definitions of docs/analytics.md,
 * at report time now. repeat: whether a repeat contact followed it. */
typedef struct {
    bool person;     /* an agent was assigned or wrote */
    bool handed_off; /* a hand-off was asked, or a person took part */
    bool contained;
    bool helpful;   /* rated 4-5, or a bot answer marked helpful */
    bool unhelpful; /* not helpful, and rated 1-2 or an answer marked not helpful */
    bool resolved;
    bool reached_person;
    int64_t wait_ms; /* queued_at to the first agent message; -1 when none */
    bool abandoned;
} lk_analytics_class_t;

void lk_analytics_classify(const lk_conv_facts_t *c, bool repeat, int64_t now, lk_analytics_class_t *out /* OUT */);
/* Adds one conversation to f. */
void lk_analytics_add(lk_analytics_figures_t *f, const lk_conv_facts_t *c, bool repeat, int64_t now);
/* Sorts the waits (call before reading quantiles). */
void lk_analytics_finish(lk_analytics_figures_t *f);

/* ---- agents ---------------------------------------------------------------- */

typedef struct {
    char user_id[LK_ID_MAX];
    int64_t conversations;              /* assigned to this agent (the last owner) */
    int64_t closed;                     /* of those, closed */
    lk_analytics_list_t handle;         /* assigned_at to closed_at, ms */
    lk_analytics_list_t first_response; /* assigned_at to the agent's first message, ms */
    int64_t messages;                   /* agent messages written */
    int64_t suggested;                  /* of those, sent from a suggestion unchanged */
    int64_t suggested_edited;           /* of those, from a suggestion, edited */
} lk_analytics_agent_t;

typedef struct {
    lk_analytics_agent_t *v;
    size_t n, cap;
} lk_analytics_agents_t;

/* The agent with this user id, added when missing. */
lk_analytics_agent_t *lk_analytics_agent(lk_analytics_agents_t *a, const char *user_id);
/* Adds a conversation to its owner's figures (none when it has no owner). */
void lk_analytics_agents_add(lk_analytics_agents_t *a, const lk_conv_facts_t *c);
/* Sorts every list and the agents by user id. */
void lk_analytics_agents_finish(lk_analytics_agents_t *a);
void lk_analytics_agents_free(lk_analytics_agents_t *a);
/* Every agent's figures together into *all (counts summed, lists joined
 * and sorted); free it with lk_analytics_list_free on both lists. */
void lk_analytics_agents_total(const lk_analytics_agents_t *a, lk_analytics_agent_t *all /* OUT */);

/* ---- repeat contact -------------------------------------------------------- */

/* One conversation as repeat detection sees it. Strings are borrowed; ""
 * or NULL = unknown. topics: sorted ids of what it was about (the answered
 * articles and the gap topics, numbered by the caller). */
typedef struct {
    int64_t created_at;
    const char *email;
    const char *external_id;
    const char *client_hash;
    const uint32_t *topics;
    size_t n_topics;
} lk_analytics_contact_t;

/* followed[i] becomes true when a later conversation j (created after i,
 * within window_ms of it) is by the same customer and about a topic in
 * common: the same customer is the same e-mail address (both known), or
 * the same external id (both known), or, when neither conversation knows
 * either, the same client_hash. repeat[i] (may be NULL) becomes true for
 * the j's. Both arrays have n entries (set to false first). */
void lk_analytics_repeats(const lk_analytics_contact_t *c, size_t n, int64_t window_ms, bool *followed /* OUT */,
                          bool *repeat /* OUT, may be NULL */);

/* ---- topics ----------------------------------------------------------------- */

/* Counts of one topic in the range, the week before its end and the week
 * before that. */
typedef struct {
    uint32_t topic;
    int64_t count;
    int64_t this_week;
    int64_t last_week;
} lk_analytics_topic_count_t;

/* Orders counts by count (largest first), then topic number. */
void lk_analytics_topics_top(lk_analytics_topic_count_t *v, size_t n);
/* Moves the topics that rose (this_week > last_week) to the front, ordered
 * by the rise (largest first), then this_week, then topic number; returns
 * how many rose. */
size_t lk_analytics_topics_rising(lk_analytics_topic_count_t *v, size_t n);

/* ---- interned strings (intern.c) ------------------------------------------ */

/* Strings numbered 0, 1, ... in the order first interned (conversation
 * ids, topic keys). Zero it to start; free with lk_analytics_intern_free. */
typedef struct {
    char **keys; /* keys[number], owned */
    size_t n, cap;
    uint32_t *slots; /* open addressing: number + 1, 0 = empty */
    size_t n_slots;
} lk_analytics_intern_t;

/* The number of key, interned (copied) when new. */
uint32_t lk_analytics_intern(lk_analytics_intern_t *t, const char *key);
/* The number of key, or -1 when it was never interned. */
long lk_analytics_intern_find(const lk_analytics_intern_t *t, const char *key);
void lk_analytics_intern_free(lk_analytics_intern_t *t);

/* ---- the conversations a report holds (report.c) ------------------------------ */

/* One conversation with what it was about. */
typedef struct {
    lk_conv_facts_t f; /* its strings owned */
    uint32_t *topics;  /* topic numbers (lk_analytics_set_t.topics), sorted, unique */
    size_t n_topics, cap_topics;
    bool in_population; /* created in [from, to) and of the language and channel asked */
} lk_analytics_held_t;

/* The conversations of a range wider than the report's (a repeat contact
 * or the week before may lie outside it), and the population: created in
 * [from, to), of language and channel (NULL = any; borrowed). */
typedef struct {
    lk_analytics_held_t *v;
    size_t n, cap;
    lk_analytics_intern_t ids;    /* conversation id -> index into v */
    lk_analytics_intern_t topics; /* "a:<article id>" / "g:<gap topic id>" -> topic number */
    int64_t from, to;
    const char *language, *channel;
} lk_analytics_set_t;

void lk_analytics_set_init(lk_analytics_set_t *h, int64_t from, int64_t to, const char *language, const char *channel);
/* Callbacks of lk_store_conv_facts and lk_store_answered_articles (ud is
 * the set; they return 0): a conversation, and an article the bot answered
 * with in one (topic "a:<article id>"). */
int lk_analytics_set_conv(const lk_conv_facts_t *c, void *ud);
int lk_analytics_set_answered(const char *conversation_id, const char *article_id, void *ud);
/* The index of a conversation, or -1. */
long lk_analytics_set_find(const lk_analytics_set_t *h, const char *conversation_id);
/* The number of the gap topic whose earliest question has this message id:
 * "g:t_<id without m_>", as the gap report names its topics. */
uint32_t lk_analytics_set_gap_topic(lk_analytics_set_t *h, const char *first_message_id);
/* Adds topic t to conversation conv (an index). */
void lk_analytics_set_add_topic(lk_analytics_set_t *h, size_t conv, uint32_t t);
/* Whether c is of the set's language and channel. */
bool lk_analytics_set_matches(const lk_analytics_set_t *h, const lk_conv_facts_t *c);
/* followed[i]: conversation i was followed by a repeat contact
 * (lk_analytics_repeats over the whole set). The caller frees it. */
bool *lk_analytics_set_repeats(const lk_analytics_set_t *h);
/* Every topic's counts (indexed by topic number, h->topics.n of them):
 * conversations of the population, and of the set's language and channel
 * created in [week1, end) (this week) and [week0, week1) (last week). The
 * caller frees the array. */
lk_analytics_topic_count_t *lk_analytics_set_topic_counts(const lk_analytics_set_t *h, int64_t week0, int64_t week1,
                                                          int64_t end);
void lk_analytics_set_free(lk_analytics_set_t *h);

/* The figures of one language or channel. */
typedef struct {
    char key[16];
    lk_analytics_figures_t f;
} lk_analytics_group_t;

/* The summary: the population's figures in total, per local day of
 * [from, to) (day0 the first) and per language and channel ("unknown" when
 * none), groups ordered by key, every figure finished. */
typedef struct {
    lk_analytics_figures_t total;
    lk_analytics_figures_t *days;
    size_t n_days;
    int64_t day0;
    lk_analytics_group_t *languages, *channels;
    size_t n_languages, n_channels;
} lk_analytics_summary_t;

/* followed: of lk_analytics_set_repeats. Free out with
 * lk_analytics_summary_free. */
void lk_analytics_summary(const lk_analytics_set_t *h, const bool *followed, const lk_analytics_tz_t *tz, int64_t now,
                          lk_analytics_summary_t *out /* OUT */);
void lk_analytics_summary_free(lk_analytics_summary_t *s);

/* ---- the compliance report (compliance.c) ------------------------------------ */

/* Ids one finding lists at most (all are counted). */
#define LK_ANALYTICS_LIST_MAX 10000

/* A list of ids: the first LK_ANALYTICS_LIST_MAX of count. Zero it to
 * start. */
typedef struct {
    char (*v)[LK_ID_MAX];
    size_t n, cap;
    int64_t count;
} lk_analytics_ids_t;

void lk_analytics_ids_add(lk_analytics_ids_t *l, const char *id);
void lk_analytics_ids_free(lk_analytics_ids_t *l);

/* A bot or system message not labelled automated. */
typedef struct {
    char conversation_id[LK_ID_MAX];
    char message_id[LK_ID_MAX];
    lk_sender_t sender;
} lk_analytics_msg_ref_t;

/* Two or more declined questions in a row, and what followed. */
typedef struct {
    char conversation_id[LK_ID_MAX];
    char first_message_id[LK_ID_MAX];
    int declines;
    int64_t at;              /* the first decline */
    bool handoff_offered;    /* every decline got the reply that offers a person */
    const char *followed_by; /* "handoff", "answered", "person", "reply", "nothing" (static) */
    bool handed_off;         /* queued at or after the run began */
    lk_handoff_reason_t handoff_reason; /* when handed off */
    bool person_reached;
    bool closed;
} lk_analytics_decline_run_t;

/* The report: filled by the callbacks below (in this order: conversations
 * first, since the others look them up), then lk_analytics_compliance_finish.
 * Fields after the inputs are results; the rest is reading state. */
typedef struct {
    /* inputs (borrowed): the policy's greeting (with the disclosure) and
     * decline (with the offer of a person) in each of n_texts languages */
    char *const *greetings;
    char *const *declines;
    size_t n_texts;
    /* the conversations of the period (strings of the customer left out) */
    lk_conv_facts_t *convs;
    size_t n_convs, cap_convs;
    lk_analytics_intern_t conv_ids; /* conversation id -> index into convs */
    /* the disclosure: every conversation, those that opened with it, the rest */
    lk_analytics_ids_t disclosed_all, disclosed, undisclosed;
    /* automated labels: the first LK_ANALYTICS_LIST_MAX of unlabelled_count */
    lk_analytics_msg_ref_t *unlabelled;
    size_t n_unlabelled, cap_unlabelled;
    int64_t unlabelled_count;
    /* runs of declines, and their conversations */
    lk_analytics_decline_run_t *runs;
    size_t n_runs, cap_runs;
    lk_analytics_ids_t run_ids;
    /* requests for a person (lk_analytics_person_request): the indices into
     * convs of the first LK_ANALYTICS_LIST_MAX, the waits (sorted) from the
     * request to the first agent message (met ones) and to the assignment */
    int64_t requests, requests_met;
    size_t *request_items;
    size_t n_request_items, cap_request_items;
    lk_analytics_list_t reply_waits, assign_waits;
    /* call-back requests: after_hours per request (as given to finish) */
    bool *callback_after_hours;
    size_t n_callbacks;
    int64_t callbacks_after_hours, callbacks_handled;
    lk_analytics_list_t callback_handling; /* created to handled, sorted */
    /* reading the declines: the conversation, the run so far */
    char conv[LK_ID_MAX];
    int run;
    char run_first[LK_ID_MAX];
    int64_t run_at;
    bool offered;
    bool await_reply; /* the last message was a declined question */
} lk_analytics_compliance_t;

void lk_analytics_compliance_init(lk_analytics_compliance_t *r, char *const *greetings, char *const *declines,
                                  size_t n_texts);
/* The store's callbacks (ud is the report; they return 0):
 * lk_store_conv_facts, lk_store_first_messages, lk_store_bot_labels,
 * lk_store_decline_messages. */
int lk_analytics_compliance_conv(const lk_conv_facts_t *c, void *ud);
int lk_analytics_compliance_first(const lk_report_msg_t *m, void *ud);
int lk_analytics_compliance_unlabelled(const lk_report_msg_t *m, void *ud);
int lk_analytics_compliance_decline(const lk_report_msg_t *m, void *ud);
/* Ends the last run of declines, counts the requests for a person, and
 * reads the call-back requests (borrowed, not kept), after hours by the
 * business hours of hours (lk_policy_open_at). */
void lk_analytics_compliance_finish(lk_analytics_compliance_t *r, const lk_callback_t *cbs, size_t n_cbs,
                                    const lk_policy_config_t *hours);
/* The period's conversation with this id, or NULL. */
const lk_conv_facts_t *lk_analytics_compliance_find(const lk_analytics_compliance_t *r, const char *conversation_id);
void lk_analytics_compliance_free(lk_analytics_compliance_t *r);
/* Whether the customer asked for a person (in words or with the button),
 * and whether an agent wrote after the request. */
bool lk_analytics_person_request(const lk_conv_facts_t *c);
bool lk_analytics_person_request_met(const lk_conv_facts_t *c);

/* ---- CSV (csv.c) ------------------------------------------------------------ */

/* Appends one field as RFC 4180 wants it (quoted when it holds a comma,
 * quote, CR or LF; quotes doubled), preceded by a comma unless first.
 * A field that starts with =, +, - or @ gets a leading apostrophe inside
 * quotes, so that a spreadsheet does not run it as a formula. */
int lk_analytics_csv_field(lk_buf_t *b, const char *s, bool first);
/* Ends a record (CRLF). */
int lk_analytics_csv_end(lk_buf_t *b);

/* Cells of a record: *first is true for the record's first cell and false
 * after any. A buffer at its maximum takes no more (the export is cut). */
void lk_analytics_csv_str(lk_buf_t *b, const char *s, bool *first);
void lk_analytics_csv_int(lk_buf_t *b, int64_t v, bool *first);
/* v with 4 decimals, "" when not known. */
void lk_analytics_csv_real(lk_buf_t *b, double v, bool known, bool *first);
/* num / den, "" when den is not positive. */
void lk_analytics_csv_rate(lk_buf_t *b, int64_t num, int64_t den, bool *first);
/* ms in seconds, "" when negative (a quantile of nothing). */
void lk_analytics_csv_secs(lk_buf_t *b, int64_t ms, bool *first);

/* The summary's tables (per day, language or channel): the header with
 * first_col for the key, and one record of figures (finished). */
void lk_analytics_csv_figures_head(lk_buf_t *b, const char *first_col);
void lk_analytics_csv_figures_row(lk_buf_t *b, const char *key, const lk_analytics_figures_t *f);
/* The agents' table: the header, and one agent (key its user id or
 * "total", name its display name or ""), its lists sorted. */
void lk_analytics_csv_agents_head(lk_buf_t *b);
void lk_analytics_csv_agent_row(lk_buf_t *b, const char *key, const char *name, const lk_analytics_agent_t *x);
/* The topics' tables: top (conversations) or rising (this_week,
 * last_week, change). kind "article" or "gap". */
void lk_analytics_csv_topics_head(lk_buf_t *b, bool rising);
void lk_analytics_csv_topic_row(lk_buf_t *b, const char *kind, const char *id, const char *label,
                                const lk_analytics_topic_count_t *c, bool rising);

#endif
