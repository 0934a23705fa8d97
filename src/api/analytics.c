/*
 * The team lead's figures (docs/analytics.md): what the bot does on its own,
 * how long people wait for a person and why they were handed over, how the
 * agents work, what customers contact us about; and the compliance report a
 * regulator can be given: the automated-assistant disclosure, bot messages
 * labelled automated, every request for a person and how fast it was met,
 * runs of declines and what followed, after-hours call-back requests.
 *
 *   GET /api/v1/analytics/summary     totals, per day, per language, per channel
 *   GET /api/v1/analytics/agents      per agent
 *   GET /api/v1/analytics/topics      top contact reasons, rising topics
 *   GET /api/v1/reports/compliance    the compliance report
 *
 * Each takes from/to (dates in the time zone tz, or RFC 3339 times),
 * tz, language and channel; the first three also ?format=csv. Supervisors
 * and admins only. Everything runs on a reader: the store streams one row
 * per conversation (lk_store_conv_facts) and the pure analytics module
 * (src/analytics/) turns them into figures; topic texts are redacted
 * (lk_pii_redact) before they are clustered or shown.
 */
#include "api/api_int.h"

#include "analytics/analytics.h"
#include "assist/assist.h"
#include "privacy/privacy.h"

#include <stdlib.h>
#include <string.h>

#define MODULE "analytics"

#define DAY_MS LK_ANALYTICS_DAY_MS
#define WEEK_MS (7 * DAY_MS)
#define DEFAULT_DAYS 7
#define TOPICS_DEFAULT 20
#define TOPICS_MAX 100
#define LIST_MAX 10000 /* conversation ids one figure of the report lists at most */
#define CSV_MAX (16u << 20)

typedef enum { OP_SUMMARY, OP_AGENTS, OP_TOPICS, OP_COMPLIANCE } op_t;

typedef struct {
    lk_job_t job;
    struct lk_app *app;
    lk_http_req_t *req;
    op_t op;
    char session_hash[LK_TOKEN_HASH_LEN + 1];
    int64_t from, to;
    lk_analytics_tz_t tz;
    char language[8];
    char channel[16];
    bool csv;
    char table[16];
    size_t limit;
    lk_user_t user;
    lk_api_error_t err;
    json_t *out;
    char *text; /* CSV */
    size_t text_len;
} xjob_t;

static void xjob_free(xjob_t *j)
{
    lk_user_clear(&j->user);
    if (j->out)
        json_decref(j->out);
    free(j->text);
    free(j);
}

static void fail_db(xjob_t *j, int rc)
{
    lk_job_fail_db(&j->job, &j->err, rc);
}

/* ---- JSON helpers ----------------------------------------------------- */

static json_t *time_json(int64_t ms)
{
    char ts[LK_RFC3339_LEN];
    lk_time_rfc3339(ms, ts);
    return json_string(ts);
}

static json_t *time_or_null(int64_t ms)
{
    return ms > 0 ? time_json(ms) : json_null();
}

static json_t *rate(int64_t num, int64_t den)
{
    return den > 0 ? json_real((double)num / (double)den) : json_null();
}

static json_t *seconds(int64_t ms)
{
    return ms >= 0 ? json_real((double)ms / 1000.0) : json_null();
}

/* {"count", "p50_seconds", "p90_seconds", "mean_seconds"} of a sorted list. */
static json_t *durations_json(const lk_analytics_list_t *l)
{
    int64_t sum = 0;
    for (size_t i = 0; i < l->n; i++)
        sum += l->v[i];
    json_t *o = json_object();
    json_object_set_new(o, "count", json_integer((json_int_t)l->n));
    json_object_set_new(o, "p50_seconds", seconds(lk_analytics_quantile(l->v, l->n, 0.5)));
    json_object_set_new(o, "p90_seconds", seconds(lk_analytics_quantile(l->v, l->n, 0.9)));
    json_object_set_new(o, "mean_seconds", l->n ? json_real((double)sum / (double)l->n / 1000.0) : json_null());
    return o;
}

static json_t *csat_json(const lk_analytics_csat_t *c)
{
    json_t *o = json_object();
    json_object_set_new(o, "count", json_integer(c->count));
    json_object_set_new(o, "mean", c->count ? json_real((double)c->sum / (double)c->count) : json_null());
    json_object_set_new(o, "satisfied", json_integer(c->satisfied));
    json_object_set_new(o, "satisfied_rate", rate(c->satisfied, c->count));
    return o;
}

static json_t *figures_json(const lk_analytics_figures_t *f)
{
    json_t *o = json_object();
    json_object_set_new(o, "conversations", json_integer(f->conversations));
    json_object_set_new(o, "contained", json_integer(f->contained));
    json_object_set_new(o, "containment_rate", rate(f->contained, f->conversations));
    json_object_set_new(o, "resolved", json_integer(f->resolved));
    json_object_set_new(o, "resolution_rate", rate(f->resolved, f->conversations));
    json_object_set_new(o, "handed_off", json_integer(f->handed_off));
    json_t *h = json_object();
    for (size_t i = 0; i < LK_ANALYTICS_REASONS; i++)
        json_object_set_new(h, lk_analytics_reason_name(i), json_integer(f->handoffs[i]));
    json_object_set_new(o, "handoffs", h);
    json_object_set_new(o, "reached_person", json_integer(f->reached_person));
    json_object_set_new(o, "time_to_person", durations_json(&f->waits));
    json_object_set_new(o, "abandoned", json_integer(f->abandoned));
    json_object_set_new(o, "bot_answers", json_integer(f->answers));
    json_object_set_new(o, "bot_declines", json_integer(f->declines));
    json_t *acc = json_object();
    json_object_set_new(acc, "reviewed", json_integer(f->reviewed));
    json_object_set_new(acc, "right", json_integer(f->reviewed_right));
    json_object_set_new(acc, "rate", rate(f->reviewed_right, f->reviewed));
    json_object_set_new(o, "accuracy", acc);
    json_object_set_new(o, "repeat_contacts", json_integer(f->repeat_contacts));
    json_object_set_new(o, "repeat_rate", rate(f->repeat_contacts, f->conversations));
    json_t *csat = json_object();
    json_object_set_new(csat, "bot_only", csat_json(&f->csat_bot));
    json_object_set_new(csat, "human", csat_json(&f->csat_human));
    json_object_set_new(o, "csat", csat);
    json_object_set_new(o, "callbacks", json_integer(f->callbacks));
    /* ask instead of guess (issue 15): offers, and picks of one of the choices */
    json_object_set_new(o, "bot_choices_offered", json_integer(f->choice_offers));
    json_object_set_new(o, "bot_choices_picked", json_integer(f->choice_picks));
    json_object_set_new(o, "choice_pick_rate", rate(f->choice_picks, f->choice_offers));
    return o;
}

static void period_json(const xjob_t *j, json_t *o)
{
    json_object_set_new(o, "from", time_json(j->from));
    json_object_set_new(o, "to", time_json(j->to));
    json_object_set_new(o, "tz", json_string(j->tz.name));
    json_object_set_new(o, "language", j->language[0] ? json_string(j->language) : json_null());
    json_object_set_new(o, "channel", j->channel[0] ? json_string(j->channel) : json_null());
    json_object_set_new(o, "generated_at", time_json(lk_time_now_ms()));
}

/* ---- CSV helpers ---------------------------------------------------------- */

static void csv_s(lk_buf_t *b, const char *s, bool *first)
{
    lk_analytics_csv_field(b, s, *first);
    *first = false;
}

static void csv_i(lk_buf_t *b, int64_t v, bool *first)
{
    char n[24];
    snprintf(n, sizeof n, "%lld", (long long)v);
    csv_s(b, n, first);
}

/* A number with up to 4 decimals, "" when den is 0 (rates) or v < 0. */
static void csv_real(lk_buf_t *b, double v, bool known, bool *first)
{
    char n[32] = "";
    if (known)
        snprintf(n, sizeof n, "%.4f", v);
    csv_s(b, n, first);
}

static void csv_rate(lk_buf_t *b, int64_t num, int64_t den, bool *first)
{
    csv_real(b, den ? (double)num / (double)den : 0, den > 0, first);
}

static void csv_secs(lk_buf_t *b, int64_t ms, bool *first)
{
    csv_real(b, (double)ms / 1000.0, ms >= 0, first);
}

/* The columns of a figures row (after the row's own first column). */
static void figures_csv_head(lk_buf_t *b, const char *first_col)
{
    bool first = true;
    csv_s(b, first_col, &first);
    static const char *const cols[] = {"conversations", "contained", "containment_rate", "resolved", "resolution_rate",
                                       "handed_off"};
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        csv_s(b, cols[i], &first);
    for (size_t i = 0; i < LK_ANALYTICS_REASONS; i++) {
        char name[48];
        snprintf(name, sizeof name, "handoffs_%s", lk_analytics_reason_name(i));
        csv_s(b, name, &first);
    }
    static const char *const rest[] = {"reached_person", "time_to_person_p50_seconds", "time_to_person_p90_seconds",
                                       "abandoned", "bot_answers", "bot_declines", "reviewed", "reviewed_right",
                                       "accuracy", "repeat_contacts", "repeat_rate", "csat_bot_only_count",
                                       "csat_bot_only_mean", "csat_human_count", "csat_human_mean", "callbacks",
                                       "bot_choices_offered", "bot_choices_picked", "choice_pick_rate"};
    for (size_t i = 0; i < sizeof rest / sizeof rest[0]; i++)
        csv_s(b, rest[i], &first);
    lk_analytics_csv_end(b);
}

static void figures_csv_row(lk_buf_t *b, const char *key, const lk_analytics_figures_t *f)
{
    bool first = true;
    csv_s(b, key, &first);
    csv_i(b, f->conversations, &first);
    csv_i(b, f->contained, &first);
    csv_rate(b, f->contained, f->conversations, &first);
    csv_i(b, f->resolved, &first);
    csv_rate(b, f->resolved, f->conversations, &first);
    csv_i(b, f->handed_off, &first);
    for (size_t i = 0; i < LK_ANALYTICS_REASONS; i++)
        csv_i(b, f->handoffs[i], &first);
    csv_i(b, f->reached_person, &first);
    csv_secs(b, lk_analytics_quantile(f->waits.v, f->waits.n, 0.5), &first);
    csv_secs(b, lk_analytics_quantile(f->waits.v, f->waits.n, 0.9), &first);
    csv_i(b, f->abandoned, &first);
    csv_i(b, f->answers, &first);
    csv_i(b, f->declines, &first);
    csv_i(b, f->reviewed, &first);
    csv_i(b, f->reviewed_right, &first);
    csv_rate(b, f->reviewed_right, f->reviewed, &first);
    csv_i(b, f->repeat_contacts, &first);
    csv_rate(b, f->repeat_contacts, f->conversations, &first);
    csv_i(b, f->csat_bot.count, &first);
    csv_rate(b, f->csat_bot.sum, f->csat_bot.count, &first);
    csv_i(b, f->csat_human.count, &first);
    csv_rate(b, f->csat_human.sum, f->csat_human.count, &first);
    csv_i(b, f->callbacks, &first);
    csv_i(b, f->choice_offers, &first);
    csv_i(b, f->choice_picks, &first);
    csv_rate(b, f->choice_picks, f->choice_offers, &first);
    lk_analytics_csv_end(b);
}

/* ---- conversations held for a report ----------------------------------------- */

/* An interned string table (article ids, topic ids) with numbers 0, 1, ... */
typedef struct {
    char **keys;
    size_t n, cap;
    uint32_t *slots; /* open addressing: number + 1, 0 = empty */
    size_t n_slots;
} intern_t;

static uint64_t fnv(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static uint32_t intern(intern_t *t, const char *key)
{
    if ((t->n + 1) * 2 > t->n_slots) { /* grow and rehash */
        size_t ns = t->n_slots ? t->n_slots * 2 : 64;
        uint32_t *slots = lk_xcalloc(ns, sizeof *slots);
        for (size_t i = 0; i < t->n; i++) {
            size_t k = (size_t)(fnv(t->keys[i]) & (ns - 1));
            while (slots[k])
                k = (k + 1) & (ns - 1);
            slots[k] = (uint32_t)i + 1;
        }
        free(t->slots);
        t->slots = slots;
        t->n_slots = ns;
    }
    size_t k = (size_t)(fnv(key) & (t->n_slots - 1));
    while (t->slots[k]) {
        if (strcmp(t->keys[t->slots[k] - 1], key) == 0)
            return t->slots[k] - 1;
        k = (k + 1) & (t->n_slots - 1);
    }
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 64;
        t->keys = lk_xrealloc(t->keys, t->cap * sizeof *t->keys);
    }
    t->keys[t->n] = lk_xstrdup(key);
    t->slots[k] = (uint32_t)t->n + 1;
    return (uint32_t)t->n++;
}

/* The number of key, or -1 when it was never interned. */
static long intern_find(const intern_t *t, const char *key)
{
    if (!t->n_slots)
        return -1;
    size_t k = (size_t)(fnv(key) & (t->n_slots - 1));
    while (t->slots[k]) {
        if (strcmp(t->keys[t->slots[k] - 1], key) == 0)
            return (long)t->slots[k] - 1;
        k = (k + 1) & (t->n_slots - 1);
    }
    return -1;
}

static void intern_free(intern_t *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->keys[i]);
    free(t->keys);
    free(t->slots);
    memset(t, 0, sizeof *t);
}

typedef struct {
    lk_conv_facts_t f; /* its strings owned */
    uint32_t *topics;  /* sorted, unique */
    size_t n_topics, cap_topics;
    bool in_population; /* created in [from, to) and of the language and channel asked */
} held_t;

typedef struct {
    held_t *v;
    size_t n, cap;
    intern_t ids;    /* conversation id -> index into v (interned in order) */
    intern_t topics; /* "a:<article>" / "g:<topic id>" -> topic number */
    /* the population's filter */
    int64_t from, to;
    const char *language, *channel;
} held_set_t;

static int hold_fn(const lk_conv_facts_t *c, void *ud)
{
    held_set_t *h = ud;
    if (h->n == h->cap) {
        h->cap = h->cap ? 2 * h->cap : 256;
        h->v = lk_xrealloc(h->v, h->cap * sizeof *h->v);
    }
    held_t *x = &h->v[h->n];
    memset(x, 0, sizeof *x);
    x->f = *c;
    x->f.customer_email = c->customer_email ? lk_xstrdup(c->customer_email) : NULL;
    x->f.customer_external_id = c->customer_external_id ? lk_xstrdup(c->customer_external_id) : NULL;
    x->in_population = c->created_at >= h->from && c->created_at < h->to &&
                       (!h->language || strcmp(c->language, h->language) == 0) &&
                       (!h->channel || strcmp(c->channel, h->channel) == 0);
    uint32_t ix = intern(&h->ids, c->id);
    (void)ix;
    h->n++;
    return 0;
}

static void held_free(held_set_t *h)
{
    for (size_t i = 0; i < h->n; i++) {
        free(h->v[i].f.customer_email);
        free(h->v[i].f.customer_external_id);
        free(h->v[i].topics);
    }
    free(h->v);
    intern_free(&h->ids);
    intern_free(&h->topics);
    memset(h, 0, sizeof *h);
}

static void add_topic(held_t *x, uint32_t t)
{
    for (size_t i = 0; i < x->n_topics; i++)
        if (x->topics[i] == t)
            return;
    if (x->n_topics == x->cap_topics) {
        x->cap_topics = x->cap_topics ? 2 * x->cap_topics : 4;
        x->topics = lk_xrealloc(x->topics, x->cap_topics * sizeof *x->topics);
    }
    size_t i = x->n_topics++;
    while (i > 0 && x->topics[i - 1] > t) { /* keep sorted */
        x->topics[i] = x->topics[i - 1];
        i--;
    }
    x->topics[i] = t;
}

static int answered_fn(const char *conversation_id, const char *article_id, void *ud)
{
    held_set_t *h = ud;
    long ix = intern_find(&h->ids, conversation_id);
    if (ix < 0)
        return 0;
    char key[LK_KB_ID_MAX + 8];
    snprintf(key, sizeof key, "a:%s", article_id);
    add_topic(&h->v[ix], intern(&h->topics, key));
    return 0;
}

/* The gap topics: what the bot declined or handed over in [from, to),
 * redacted and clustered like the gap report (the newest LK_GAP_INPUT_MAX
 * questions); each becomes topic "g:<id>" of its conversation. labels
 * (may be NULL) receives, per topic number, the topic's redacted label. */
static int gap_topics(struct lk_app *app, lk_store_t *st, held_set_t *h, int64_t from, int64_t to, char ***labels,
                      size_t *n_labels)
{
    lk_gap_msg_t *msgs = NULL;
    size_t n = 0;
    int rc = lk_store_gap_messages(st, from, to, NULL, LK_GAP_INPUT_MAX, &msgs, &n);
    if (rc)
        return rc;
    lk_gap_input_t *in = lk_xcalloc(n ? n : 1, sizeof *in);
    char **red = lk_xcalloc(n ? n : 1, sizeof *red);
    long *conv = lk_xcalloc(n ? n : 1, sizeof *conv);
    size_t k = 0;
    lk_bot_t *bot = lk_bot_acquire(app);
    for (size_t i = 0; i < n; i++) {
        long ix = intern_find(&h->ids, msgs[i].conversation_id);
        if (ix < 0 || lk_api_gap_is_filler(app, bot, &msgs[i]))
            continue;
        red[k] = lk_pii_redact(msgs[i].text, strlen(msgs[i].text));
        in[k] = (lk_gap_input_t){msgs[i].id, red[k], msgs[i].language, msgs[i].created_at, msgs[i].outcome};
        conv[k++] = ix;
    }
    lk_bot_release(bot);
    lk_gap_topic_t *topics = NULL;
    size_t n_topics = 0;
    rc = lk_gap_cluster(in, k, NULL, &topics, &n_topics);
    for (size_t t = 0; rc == 0 && t < n_topics; t++) {
        /* named like the gap report's topics: "t_" and the earliest question's id without "m_" */
        const char *mid = in[topics[t].first].id;
        char key[LK_ID_MAX + 8];
        snprintf(key, sizeof key, "g:t_%s", strncmp(mid, "m_", 2) == 0 ? mid + 2 : mid);
        uint32_t num = intern(&h->topics, key);
        for (size_t m = 0; m < topics[t].n_members; m++)
            add_topic(&h->v[conv[topics[t].members[m]]], num);
        if (labels) {
            if (num >= *n_labels) {
                size_t nn = (size_t)num + 1;
                *labels = lk_xrealloc(*labels, nn * sizeof **labels);
                for (size_t z = *n_labels; z < nn; z++)
                    (*labels)[z] = NULL;
                *n_labels = nn;
            }
            free((*labels)[num]);
            (*labels)[num] = lk_xstrdup(in[topics[t].label].text);
        }
    }
    lk_gap_topics_free(topics, n_topics);
    for (size_t i = 0; i < k; i++)
        free(red[i]);
    free(red);
    free(in);
    free(conv);
    lk_gap_msgs_free(msgs, n);
    return rc;
}

/* Reads the conversations of [lo, hi) (every language and channel: a
 * repeat contact may change either) with their topics; the population is
 * [j->from, j->to) with j's filter. */
static int hold(xjob_t *j, lk_store_t *st, int64_t lo, int64_t hi, held_set_t *h, char ***labels, size_t *n_labels)
{
    memset(h, 0, sizeof *h);
    h->from = j->from;
    h->to = j->to;
    h->language = j->language[0] ? j->language : NULL;
    h->channel = j->channel[0] ? j->channel : NULL;
    lk_facts_filter_t all = {lo, hi, NULL, NULL};
    int rc = lk_store_conv_facts(st, &all, hold_fn, h);
    if (rc == 0)
        rc = lk_store_answered_articles(st, &all, answered_fn, h);
    if (rc == 0)
        rc = gap_topics(j->app, st, h, lo, hi, labels, n_labels);
    return rc;
}

/* followed[i]: conversation i was followed by a repeat contact. */
static bool *repeats(const held_set_t *h)
{
    lk_analytics_contact_t *c = lk_xcalloc(h->n ? h->n : 1, sizeof *c);
    for (size_t i = 0; i < h->n; i++) {
        const held_t *x = &h->v[i];
        c[i] = (lk_analytics_contact_t){x->f.created_at, x->f.customer_email, x->f.customer_external_id,
                                        x->f.client_hash, x->topics, x->n_topics};
    }
    bool *followed = lk_xcalloc(h->n ? h->n : 1, sizeof *followed);
    lk_analytics_repeats(c, h->n, LK_ANALYTICS_REPEAT_WINDOW_MS, followed, NULL);
    free(c);
    return followed;
}

/* ---- summary -------------------------------------------------------------------- */

typedef struct {
    char key[16];
    lk_analytics_figures_t f;
} group_t;

static lk_analytics_figures_t *group(group_t **v, size_t *n, const char *key)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*v)[i].key, key) == 0)
            return &(*v)[i].f;
    *v = lk_xrealloc(*v, (*n + 1) * sizeof **v);
    group_t *g = &(*v)[(*n)++];
    memset(g, 0, sizeof *g);
    snprintf(g->key, sizeof g->key, "%s", key);
    return &g->f;
}

static int cmp_group(const void *a, const void *b)
{
    return strcmp(((const group_t *)a)->key, ((const group_t *)b)->key);
}

static void groups_free(group_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        lk_analytics_figures_free(&v[i].f);
    free(v);
}

static void run_summary(xjob_t *j, lk_store_t *st, int64_t now)
{
    held_set_t h;
    int rc = hold(j, st, j->from, j->to + LK_ANALYTICS_REPEAT_WINDOW_MS, &h, NULL, NULL);
    if (rc) {
        held_free(&h);
        fail_db(j, rc);
        return;
    }
    bool *followed = repeats(&h);
    int64_t day0 = lk_analytics_day_of(&j->tz, j->from);
    int64_t day1 = lk_analytics_day_of(&j->tz, j->to - 1);
    size_t n_days = (size_t)(day1 - day0 + 1);
    lk_analytics_figures_t total = {0};
    lk_analytics_figures_t *days = lk_xcalloc(n_days, sizeof *days);
    group_t *langs = NULL, *chans = NULL;
    size_t n_langs = 0, n_chans = 0;
    for (size_t i = 0; i < h.n; i++) {
        const held_t *x = &h.v[i];
        if (!x->in_population)
            continue;
        lk_analytics_add(&total, &x->f, followed[i], now);
        int64_t d = lk_analytics_day_of(&j->tz, x->f.created_at) - day0;
        if (d >= 0 && (size_t)d < n_days)
            lk_analytics_add(&days[d], &x->f, followed[i], now);
        lk_analytics_add(group(&langs, &n_langs, x->f.language), &x->f, followed[i], now);
        lk_analytics_add(group(&chans, &n_chans, x->f.channel[0] ? x->f.channel : "unknown"), &x->f, followed[i],
                         now);
    }
    lk_analytics_finish(&total);
    for (size_t d = 0; d < n_days; d++)
        lk_analytics_finish(&days[d]);
    for (size_t i = 0; i < n_langs; i++)
        lk_analytics_finish(&langs[i].f);
    for (size_t i = 0; i < n_chans; i++)
        lk_analytics_finish(&chans[i].f);
    if (n_langs > 1)
        qsort(langs, n_langs, sizeof *langs, cmp_group);
    if (n_chans > 1)
        qsort(chans, n_chans, sizeof *chans, cmp_group);

    if (j->csv) {
        lk_buf_t b;
        lk_buf_init(&b, CSV_MAX);
        if (strcmp(j->table, "languages") == 0) {
            figures_csv_head(&b, "language");
            for (size_t i = 0; i < n_langs; i++)
                figures_csv_row(&b, langs[i].key, &langs[i].f);
        } else if (strcmp(j->table, "channels") == 0) {
            figures_csv_head(&b, "channel");
            for (size_t i = 0; i < n_chans; i++)
                figures_csv_row(&b, chans[i].key, &chans[i].f);
        } else {
            figures_csv_head(&b, "date");
            for (size_t d = 0; d < n_days; d++) {
                char name[11];
                lk_analytics_day_name(day0 + (int64_t)d, name);
                figures_csv_row(&b, name, &days[d]);
            }
            figures_csv_row(&b, "total", &total);
        }
        j->text = lk_buf_steal(&b, &j->text_len);
    } else {
        j->out = json_object();
        period_json(j, j->out);
        json_object_set_new(j->out, "totals", figures_json(&total));
        json_t *arr = json_array();
        for (size_t d = 0; d < n_days; d++) {
            char name[11];
            lk_analytics_day_name(day0 + (int64_t)d, name);
            json_t *o = figures_json(&days[d]);
            json_object_set_new(o, "date", json_string(name));
            json_array_append_new(arr, o);
        }
        json_object_set_new(j->out, "days", arr);
        arr = json_array();
        for (size_t i = 0; i < n_langs; i++) {
            json_t *o = figures_json(&langs[i].f);
            json_object_set_new(o, "language", json_string(langs[i].key));
            json_array_append_new(arr, o);
        }
        json_object_set_new(j->out, "languages", arr);
        arr = json_array();
        for (size_t i = 0; i < n_chans; i++) {
            json_t *o = figures_json(&chans[i].f);
            json_object_set_new(o, "channel", json_string(chans[i].key));
            json_array_append_new(arr, o);
        }
        json_object_set_new(j->out, "channels", arr);
    }
    lk_analytics_figures_free(&total);
    for (size_t d = 0; d < n_days; d++)
        lk_analytics_figures_free(&days[d]);
    free(days);
    groups_free(langs, n_langs);
    groups_free(chans, n_chans);
    free(followed);
    held_free(&h);
}

/* ---- agents ----------------------------------------------------------------------- */

static int agents_fn(const lk_conv_facts_t *c, void *ud)
{
    lk_analytics_agents_add(ud, c);
    return 0;
}

static const char *user_name(const lk_user_t *users, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(users[i].id, id) == 0)
            return users[i].display_name && users[i].display_name[0] ? users[i].display_name : users[i].email;
    return id;
}

static void run_agents(xjob_t *j, lk_store_t *st)
{
    lk_facts_filter_t f = {j->from, j->to, j->language[0] ? j->language : NULL, j->channel[0] ? j->channel : NULL};
    lk_analytics_agents_t a = {0};
    lk_agent_msg_count_t *counts = NULL;
    size_t n_counts = 0;
    lk_user_t *users = NULL;
    size_t n_users = 0;
    int rc = lk_store_conv_facts(st, &f, agents_fn, &a);
    if (rc == 0)
        rc = lk_store_agent_msg_counts(st, &f, &counts, &n_counts);
    if (rc == 0)
        rc = lk_store_user_list(st, &users, &n_users);
    if (rc) {
        lk_analytics_agents_free(&a);
        free(counts);
        lk_users_free(users, n_users);
        fail_db(j, rc);
        return;
    }
    for (size_t i = 0; i < n_counts; i++) {
        lk_analytics_agent_t *x = lk_analytics_agent(&a, counts[i].user_id);
        x->messages = counts[i].messages;
        x->suggested = counts[i].suggested;
        x->suggested_edited = counts[i].suggested_edited;
    }
    lk_analytics_agents_finish(&a);
    /* every agent's conversations, lists and messages together */
    lk_analytics_agent_t all = {0};
    for (size_t i = 0; i < a.n; i++) {
        all.conversations += a.v[i].conversations;
        all.closed += a.v[i].closed;
        all.messages += a.v[i].messages;
        all.suggested += a.v[i].suggested;
        all.suggested_edited += a.v[i].suggested_edited;
        for (size_t k = 0; k < a.v[i].handle.n; k++)
            lk_analytics_list_add(&all.handle, a.v[i].handle.v[k]);
        for (size_t k = 0; k < a.v[i].first_response.n; k++)
            lk_analytics_list_add(&all.first_response, a.v[i].first_response.v[k]);
    }
    lk_analytics_sort(all.handle.v, all.handle.n);
    lk_analytics_sort(all.first_response.v, all.first_response.n);

    if (j->csv) {
        lk_buf_t b;
        lk_buf_init(&b, CSV_MAX);
        bool first = true;
        static const char *const cols[] = {
            "user_id", "name", "conversations", "closed", "handle_time_p50_seconds", "handle_time_mean_seconds",
            "first_response_p50_seconds", "first_response_p90_seconds", "messages", "suggested", "suggested_edited",
            "assist_share"};
        for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
            csv_s(&b, cols[i], &first);
        lk_analytics_csv_end(&b);
        for (size_t i = 0; i <= a.n; i++) {
            const lk_analytics_agent_t *x = i < a.n ? &a.v[i] : &all;
            first = true;
            csv_s(&b, i < a.n ? x->user_id : "total", &first);
            csv_s(&b, i < a.n ? user_name(users, n_users, x->user_id) : "", &first);
            csv_i(&b, x->conversations, &first);
            csv_i(&b, x->closed, &first);
            csv_secs(&b, lk_analytics_quantile(x->handle.v, x->handle.n, 0.5), &first);
            int64_t sum = 0;
            for (size_t k = 0; k < x->handle.n; k++)
                sum += x->handle.v[k];
            csv_real(&b, x->handle.n ? (double)sum / (double)x->handle.n / 1000.0 : 0, x->handle.n > 0, &first);
            csv_secs(&b, lk_analytics_quantile(x->first_response.v, x->first_response.n, 0.5), &first);
            csv_secs(&b, lk_analytics_quantile(x->first_response.v, x->first_response.n, 0.9), &first);
            csv_i(&b, x->messages, &first);
            csv_i(&b, x->suggested, &first);
            csv_i(&b, x->suggested_edited, &first);
            csv_rate(&b, x->suggested + x->suggested_edited, x->messages, &first);
            lk_analytics_csv_end(&b);
        }
        j->text = lk_buf_steal(&b, &j->text_len);
    } else {
        j->out = json_object();
        period_json(j, j->out);
        json_t *arr = json_array();
        for (size_t i = 0; i <= a.n; i++) {
            const lk_analytics_agent_t *x = i < a.n ? &a.v[i] : &all;
            json_t *o = json_object();
            if (i < a.n) {
                json_object_set_new(o, "user_id", json_string(x->user_id));
                json_object_set_new(o, "name", json_string(user_name(users, n_users, x->user_id)));
            }
            json_object_set_new(o, "conversations", json_integer(x->conversations));
            json_object_set_new(o, "closed", json_integer(x->closed));
            json_object_set_new(o, "handle_time", durations_json(&x->handle));
            json_object_set_new(o, "first_response", durations_json(&x->first_response));
            json_object_set_new(o, "messages", json_integer(x->messages));
            json_object_set_new(o, "suggested", json_integer(x->suggested));
            json_object_set_new(o, "suggested_edited", json_integer(x->suggested_edited));
            json_object_set_new(o, "assist_share", rate(x->suggested + x->suggested_edited, x->messages));
            if (i < a.n)
                json_array_append_new(arr, o);
            else
                json_object_set_new(j->out, "totals", o);
        }
        json_object_set_new(j->out, "agents", arr);
    }
    lk_analytics_list_free(&all.handle);
    lk_analytics_list_free(&all.first_response);
    lk_analytics_agents_free(&a);
    free(counts);
    lk_users_free(users, n_users);
}

/* ---- topics ------------------------------------------------------------------------- */

/* The topic's kind, id and label: an article's title from the knowledge
 * base, a gap topic's redacted question. */
static json_t *topic_json(const held_set_t *h, uint32_t t, const lk_bot_t *bot, char **labels, size_t n_labels)
{
    const char *key = h->topics.keys[t];
    json_t *o = json_object();
    bool article = key[0] == 'a';
    json_object_set_new(o, "kind", json_string(article ? "article" : "gap"));
    json_object_set_new(o, "id", json_string(key + 2));
    const char *label = key + 2;
    if (article) {
        for (size_t i = 0; i < bot->kb.n_articles; i++)
            if (strcmp(bot->kb.articles[i].id, key + 2) == 0)
                label = bot->kb.articles[i].title;
    } else if (t < n_labels && labels[t]) {
        label = labels[t];
    }
    json_object_set_new(o, "label", json_string(label));
    return o;
}

static void run_topics(xjob_t *j, lk_store_t *st)
{
    /* the last two weeks of the range for the rise, whatever from says */
    int64_t week1 = j->to - WEEK_MS, week0 = j->to - 2 * WEEK_MS;
    int64_t lo = j->from < week0 ? j->from : week0;
    held_set_t h;
    char **labels = NULL;
    size_t n_labels = 0;
    int rc = hold(j, st, lo, j->to, &h, &labels, &n_labels);
    if (rc) {
        held_free(&h);
        for (size_t i = 0; i < n_labels; i++)
            free(labels[i]);
        free(labels);
        fail_db(j, rc);
        return;
    }
    size_t n_t = h.topics.n;
    lk_analytics_topic_count_t *tc = lk_xcalloc(n_t ? n_t : 1, sizeof *tc);
    for (size_t t = 0; t < n_t; t++)
        tc[t].topic = (uint32_t)t;
    for (size_t i = 0; i < h.n; i++) {
        const held_t *x = &h.v[i];
        bool match = (!h.language || strcmp(x->f.language, h.language) == 0) &&
                     (!h.channel || strcmp(x->f.channel, h.channel) == 0);
        if (!match)
            continue;
        for (size_t k = 0; k < x->n_topics; k++) {
            lk_analytics_topic_count_t *c = &tc[x->topics[k]];
            c->count += x->in_population;
            c->this_week += x->f.created_at >= week1 && x->f.created_at < j->to;
            c->last_week += x->f.created_at >= week0 && x->f.created_at < week1;
        }
    }
    lk_analytics_topic_count_t *rising = lk_xcalloc(n_t ? n_t : 1, sizeof *rising);
    memcpy(rising, tc, n_t * sizeof *tc);
    lk_analytics_topics_top(tc, n_t);
    size_t n_top = 0;
    while (n_top < n_t && tc[n_top].count > 0)
        n_top++;
    size_t n_rising = lk_analytics_topics_rising(rising, n_t);
    if (n_top > j->limit)
        n_top = j->limit;
    if (n_rising > j->limit)
        n_rising = j->limit;

    lk_bot_t *bot = lk_bot_acquire(j->app);
    bool want_rising = strcmp(j->table, "rising") == 0;
    if (j->csv) {
        lk_buf_t b;
        lk_buf_init(&b, CSV_MAX);
        bool first = true;
        static const char *const top_cols[] = {"kind", "id", "label", "conversations"};
        static const char *const rise_cols[] = {"kind", "id", "label", "this_week", "last_week", "change"};
        const char *const *cols = want_rising ? rise_cols : top_cols;
        size_t n_cols = want_rising ? 6 : 4;
        for (size_t i = 0; i < n_cols; i++)
            csv_s(&b, cols[i], &first);
        lk_analytics_csv_end(&b);
        size_t n_rows = want_rising ? n_rising : n_top;
        for (size_t i = 0; i < n_rows; i++) {
            const lk_analytics_topic_count_t *c = want_rising ? &rising[i] : &tc[i];
            json_t *o = topic_json(&h, c->topic, bot, labels, n_labels);
            first = true;
            csv_s(&b, json_string_value(json_object_get(o, "kind")), &first);
            csv_s(&b, json_string_value(json_object_get(o, "id")), &first);
            csv_s(&b, json_string_value(json_object_get(o, "label")), &first);
            if (want_rising) {
                csv_i(&b, c->this_week, &first);
                csv_i(&b, c->last_week, &first);
                csv_i(&b, c->this_week - c->last_week, &first);
            } else {
                csv_i(&b, c->count, &first);
            }
            lk_analytics_csv_end(&b);
            json_decref(o);
        }
        j->text = lk_buf_steal(&b, &j->text_len);
    } else {
        j->out = json_object();
        period_json(j, j->out);
        json_t *arr = json_array();
        for (size_t i = 0; i < n_top; i++) {
            json_t *o = topic_json(&h, tc[i].topic, bot, labels, n_labels);
            json_object_set_new(o, "conversations", json_integer(tc[i].count));
            json_array_append_new(arr, o);
        }
        json_object_set_new(j->out, "top", arr);
        arr = json_array();
        for (size_t i = 0; i < n_rising; i++) {
            json_t *o = topic_json(&h, rising[i].topic, bot, labels, n_labels);
            json_object_set_new(o, "this_week", json_integer(rising[i].this_week));
            json_object_set_new(o, "last_week", json_integer(rising[i].last_week));
            json_object_set_new(o, "change", json_integer(rising[i].this_week - rising[i].last_week));
            json_array_append_new(arr, o);
        }
        json_object_set_new(j->out, "rising", arr);
        json_t *w = json_object();
        json_object_set_new(w, "this_week", json_pack("{s:o, s:o}", "from", time_json(week1), "to", time_json(j->to)));
        json_object_set_new(w, "last_week", json_pack("{s:o, s:o}", "from", time_json(week0), "to", time_json(week1)));
        json_object_set_new(j->out, "weeks", w);
    }
    lk_bot_release(bot);
    free(tc);
    free(rising);
    for (size_t i = 0; i < n_labels; i++)
        free(labels[i]);
    free(labels);
    held_free(&h);
}

/* ---- the compliance report ------------------------------------------------------------ */

/* An id list with a cap: {"count", "ids", "truncated"}. */
typedef struct {
    json_t *ids;
    int64_t count;
} idlist_t;

static void idlist_init(idlist_t *l)
{
    l->ids = json_array();
    l->count = 0;
}

static void idlist_add(idlist_t *l, const char *id)
{
    if (l->count++ < LIST_MAX)
        json_array_append_new(l->ids, json_string(id));
}

static void idlist_put(json_t *o, const char *key, idlist_t *l)
{
    json_object_set_new(o, key, l->ids);
    char tk[64];
    snprintf(tk, sizeof tk, "%s_truncated", key);
    json_object_set_new(o, tk, json_boolean(l->count > LIST_MAX));
    l->ids = NULL;
}

/* The texts the policy says first (the greeting with the disclosure) and
 * on a question it cannot answer (the decline with the offer of a person),
 * in each language it speaks, from the policy itself. */
#define POLICY_LANGS 2
typedef struct {
    char *greeting[POLICY_LANGS];
    char *decline[POLICY_LANGS];
} policy_texts_t;

static char *policy_say(struct lk_app *app, const lk_bot_t *bot, const char *lang, lk_policy_event_type_t type,
                        lk_policy_say_kind_t kind)
{
    lk_policy_config_t cfg = app->policy;
    cfg.max_consecutive_declines = 1000; /* the first decline, never a hand-off */
    lk_policy_state_t s, next;
    lk_policy_state_init(&s, lang);
    lk_policy_env_t env = {.now_ms = lk_time_now_ms(), .agents_online = -1, .queue_length = -1, .est_wait_s = -1,
                           .kb = &bot->kb};
    lk_policy_event_t ev = {.type = type, .text = "?", .len = 1, .reading = NULL};
    lk_policy_actions_t acts = {NULL, 0};
    char *out = NULL;
    if (lk_policy_step(&cfg, &s, &ev, &env, &next, &acts) == 0)
        for (size_t i = 0; i < acts.n && !out; i++)
            if (acts.items[i].type == LK_ACTION_SAY && acts.items[i].kind == kind && acts.items[i].text)
                out = lk_xstrdup(acts.items[i].text);
    lk_policy_actions_free(&acts);
    return out;
}

static void policy_texts(struct lk_app *app, policy_texts_t *p)
{
    static const char *const langs[POLICY_LANGS] = {"nl", "en"};
    lk_bot_t *bot = lk_bot_acquire(app);
    for (size_t i = 0; i < POLICY_LANGS; i++) {
        p->greeting[i] = policy_say(app, bot, langs[i], LK_EV_START, LK_SAY_GREETING);
        p->decline[i] = policy_say(app, bot, langs[i], LK_EV_MESSAGE, LK_SAY_DECLINE);
    }
    lk_bot_release(bot);
}

static void policy_texts_free(policy_texts_t *p)
{
    for (size_t i = 0; i < POLICY_LANGS; i++) {
        free(p->greeting[i]);
        free(p->decline[i]);
    }
}

static bool is_one_of(char *const *texts, const char *s)
{
    for (size_t i = 0; s && i < POLICY_LANGS; i++)
        if (texts[i] && strcmp(texts[i], s) == 0)
            return true;
    return false;
}

typedef struct {
    const policy_texts_t *texts;
    idlist_t all, with, without;
} disclosure_t;

static int disclosure_fn(const lk_report_msg_t *m, void *ud)
{
    disclosure_t *d = ud;
    idlist_add(&d->all, m->conversation_id);
    bool ok = m->id[0] && strcmp(m->sender, "bot") == 0 && m->automated && is_one_of(d->texts->greeting, m->text);
    idlist_add(ok ? &d->with : &d->without, m->conversation_id);
    return 0;
}

typedef struct {
    json_t *items;
    int64_t count;
} unlabelled_t;

static int unlabelled_fn(const lk_report_msg_t *m, void *ud)
{
    unlabelled_t *u = ud;
    if (u->count++ < LIST_MAX)
        json_array_append_new(u->items, json_pack("{s:s, s:s, s:s}", "conversation_id", m->conversation_id,
                                                  "message_id", m->id, "sender", m->sender));
    return 0;
}

/* The conversations of the period, by id, for the declines' "what followed". */
typedef struct {
    lk_conv_facts_t *v;
    size_t n, cap;
    intern_t ids;
} facts_set_t;

static int facts_set_fn(const lk_conv_facts_t *c, void *ud)
{
    facts_set_t *s = ud;
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 256;
        s->v = lk_xrealloc(s->v, s->cap * sizeof *s->v);
    }
    s->v[s->n] = *c;
    s->v[s->n].customer_email = NULL; /* not needed here */
    s->v[s->n].customer_external_id = NULL;
    intern(&s->ids, c->id);
    s->n++;
    return 0;
}

/* Runs of declines, one conversation at a time (messages in seq order). */
typedef struct {
    const policy_texts_t *texts;
    const facts_set_t *convs;
    json_t *items;
    idlist_t ids;
    /* the conversation being read */
    char conv[LK_ID_MAX];
    int run;                 /* declines in a row so far */
    char run_first[LK_ID_MAX];
    int64_t run_at, run_last_at;
    bool offered;            /* every decline so far got the reply that offers a person */
    bool await_reply;        /* the last message was a declined question */
} declines_t;

static void run_end(declines_t *d, const char *followed_by)
{
    if (d->await_reply)
        d->offered = false; /* the bot said nothing to the last declined question */
    if (d->run >= 2) {
        long ix = intern_find(&d->convs->ids, d->conv);
        const lk_conv_facts_t *c = ix >= 0 ? &d->convs->v[ix] : NULL;
        bool handed = c && c->queued_at >= d->run_at;
        json_t *o = json_object();
        json_object_set_new(o, "conversation_id", json_string(d->conv));
        json_object_set_new(o, "first_message_id", json_string(d->run_first));
        json_object_set_new(o, "declines", json_integer(d->run));
        json_object_set_new(o, "at", time_json(d->run_at));
        json_object_set_new(o, "handoff_offered", json_boolean(d->offered));
        json_object_set_new(o, "followed_by", json_string(followed_by));
        json_object_set_new(o, "handed_off", json_boolean(handed));
        json_object_set_new(o, "handoff_reason",
                            handed && c->handoff_reason[0] ? json_string(c->handoff_reason) : json_null());
        json_object_set_new(o, "person_reached", json_boolean(handed && c->first_agent_after_queue > 0));
        json_object_set_new(o, "closed", json_boolean(c && c->status == LK_CONV_CLOSED));
        json_array_append_new(d->items, o);
        idlist_add(&d->ids, d->conv);
    }
    d->run = 0;
    d->offered = true;
    d->await_reply = false;
}

static int declines_fn(const lk_report_msg_t *m, void *ud)
{
    declines_t *d = ud;
    if (strcmp(d->conv, m->conversation_id) != 0) {
        if (d->conv[0])
            run_end(d, "nothing");
        snprintf(d->conv, sizeof d->conv, "%s", m->conversation_id);
    }
    if (d->await_reply) {
        /* the message after a declined question must be the bot's decline,
         * which offers a person */
        if (strcmp(m->sender, "customer") == 0 || !is_one_of(d->texts->decline, m->text))
            d->offered = false;
        d->await_reply = false;
    }
    if (strcmp(m->sender, "customer") != 0)
        return 0;
    if (strcmp(m->outcome, "declined") == 0) {
        if (d->run == 0) {
            snprintf(d->run_first, sizeof d->run_first, "%s", m->id);
            d->run_at = m->created_at;
        }
        d->run++;
        d->run_last_at = m->created_at;
        d->await_reply = true;
        return 0;
    }
    if (d->run == 0)
        return 0;
    if (strcmp(m->outcome, "handoff") == 0) {
        /* the failure that handed over (repeated_failure) is a decline too */
        long ix = intern_find(&d->convs->ids, d->conv);
        if (ix >= 0 && strcmp(d->convs->v[ix].handoff_reason, "repeated_failure") == 0)
            d->run++;
        run_end(d, "handoff");
    } else if (strcmp(m->outcome, "answered") == 0) {
        run_end(d, "answered");
    } else if (m->outcome[0]) {
        run_end(d, strcmp(m->outcome, "none") == 0 ? "person" : "reply");
    }
    return 0;
}

static json_t *secs_between(int64_t a, int64_t b)
{
    return a > 0 && b >= a ? json_real((double)(b - a) / 1000.0) : json_null();
}

static void run_compliance(xjob_t *j, lk_store_t *st)
{
    lk_facts_filter_t f = {j->from, j->to, j->language[0] ? j->language : NULL, j->channel[0] ? j->channel : NULL};
    policy_texts_t texts = {0};
    policy_texts(j->app, &texts);
    facts_set_t convs = {0};
    disclosure_t disc = {.texts = &texts};
    idlist_init(&disc.all);
    idlist_init(&disc.with);
    idlist_init(&disc.without);
    unlabelled_t unl = {json_array(), 0};
    declines_t dec = {.texts = &texts, .convs = &convs, .items = json_array(), .offered = true};
    idlist_init(&dec.ids);
    int64_t total = 0, labelled = 0;
    lk_callback_t *cbs = NULL;
    size_t n_cbs = 0;
    int rc = lk_store_conv_facts(st, &f, facts_set_fn, &convs);
    if (rc == 0)
        rc = lk_store_first_messages(st, &f, disclosure_fn, &disc);
    if (rc == 0)
        rc = lk_store_bot_labels(st, &f, &total, &labelled, unlabelled_fn, &unl);
    if (rc == 0)
        rc = lk_store_decline_messages(st, &f, declines_fn, &dec);
    if (rc == 0 && dec.conv[0])
        run_end(&dec, "nothing");
    if (rc == 0)
        rc = lk_store_callbacks_between(st, j->from, j->to, &cbs, &n_cbs);
    if (rc) {
        fail_db(j, rc);
        goto out;
    }

    j->out = json_object();
    json_t *period = json_pack("{s:o, s:o, s:s}", "from", time_json(j->from), "to", time_json(j->to), "tz", j->tz.name);
    json_object_set_new(j->out, "period", period);
    json_object_set_new(j->out, "language", j->language[0] ? json_string(j->language) : json_null());
    json_object_set_new(j->out, "channel", j->channel[0] ? json_string(j->channel) : json_null());
    json_object_set_new(j->out, "generated_at", time_json(lk_time_now_ms()));
    json_object_set_new(j->out, "generated_by",
                        json_pack("{s:s, s:s, s:s}", "id", j->user.id, "name",
                                  j->user.display_name ? j->user.display_name : j->user.email, "email", j->user.email));
    json_object_set_new(j->out, "conversations", json_integer((json_int_t)convs.n));

    json_t *o = json_object();
    json_object_set_new(o, "conversations", json_integer(disc.all.count));
    json_object_set_new(o, "with_disclosure", json_integer(disc.with.count));
    json_object_set_new(o, "share", rate(disc.with.count, disc.all.count));
    idlist_put(o, "missing", &disc.without);
    json_t *all_ids = disc.all.ids; /* the period's conversations, behind both shares */
    idlist_put(o, "conversation_ids", &disc.all);
    json_object_set_new(j->out, "disclosure", o);

    o = json_object();
    json_object_set_new(o, "messages", json_integer(total));
    json_object_set_new(o, "labelled", json_integer(labelled));
    json_object_set_new(o, "share", rate(labelled, total));
    json_object_set_new(o, "unlabelled", unl.items);
    unl.items = NULL;
    json_object_set_new(o, "unlabelled_truncated", json_boolean(unl.count > LIST_MAX));
    json_object_set(o, "conversation_ids", all_ids);
    json_object_set_new(o, "conversation_ids_truncated", json_boolean(disc.all.count > LIST_MAX));
    json_object_set_new(j->out, "automated_labels", o);

    /* every request for a person: the customer asked (in words or with the button) */
    json_t *items = json_array();
    lk_analytics_list_t waits = {0}, assigns = {0};
    int64_t n_req = 0, met = 0;
    for (size_t i = 0; i < convs.n; i++) {
        const lk_conv_facts_t *c = &convs.v[i];
        if (strcmp(c->handoff_reason, "customer_request") != 0 && strcmp(c->handoff_reason, "button") != 0)
            continue;
        n_req++;
        bool ok = c->queued_at > 0 && c->first_agent_after_queue >= c->queued_at;
        met += ok;
        if (ok)
            lk_analytics_list_add(&waits, c->first_agent_after_queue - c->queued_at);
        if (c->queued_at > 0 && c->assigned_at >= c->queued_at)
            lk_analytics_list_add(&assigns, c->assigned_at - c->queued_at);
        if (n_req > LIST_MAX)
            continue;
        json_t *r = json_object();
        json_object_set_new(r, "conversation_id", json_string(c->id));
        json_object_set_new(r, "reason", json_string(c->handoff_reason));
        json_object_set_new(r, "requested_at", time_or_null(c->queued_at));
        json_object_set_new(r, "assigned_at", time_or_null(c->assigned_at));
        json_object_set_new(r, "first_reply_at", time_or_null(c->first_agent_after_queue));
        json_object_set_new(r, "seconds_to_assign", secs_between(c->queued_at, c->assigned_at));
        json_object_set_new(r, "seconds_to_reply", ok ? secs_between(c->queued_at, c->first_agent_after_queue)
                                                       : json_null());
        json_object_set_new(r, "met", json_boolean(ok));
        json_object_set_new(r, "status", json_string(lk_conv_status_name(c->status)));
        json_array_append_new(items, r);
    }
    lk_analytics_sort(waits.v, waits.n);
    lk_analytics_sort(assigns.v, assigns.n);
    o = json_object();
    json_object_set_new(o, "count", json_integer(n_req));
    json_object_set_new(o, "met", json_integer(met));
    json_object_set_new(o, "unmet", json_integer(n_req - met));
    json_object_set_new(o, "time_to_reply", durations_json(&waits));
    json_object_set_new(o, "time_to_assign", durations_json(&assigns));
    json_object_set_new(o, "items", items);
    json_object_set_new(o, "items_truncated", json_boolean(n_req > LIST_MAX));
    json_object_set_new(j->out, "person_requests", o);
    lk_analytics_list_free(&waits);
    lk_analytics_list_free(&assigns);

    o = json_object();
    json_object_set_new(o, "count", json_integer((json_int_t)json_array_size(dec.items)));
    json_object_set_new(o, "items", dec.items);
    dec.items = NULL;
    idlist_put(o, "conversation_ids", &dec.ids);
    json_object_set_new(j->out, "consecutive_declines", o);

    /* call-back requests (left when no person was there), after hours or not */
    items = json_array();
    lk_analytics_list_t handling = {0};
    int64_t after_hours = 0, handled = 0;
    for (size_t i = 0; i < n_cbs; i++) {
        const lk_callback_t *cb = &cbs[i];
        bool closed_hours = !lk_policy_open_at(&j->app->policy, cb->created_at);
        after_hours += closed_hours;
        bool done = cb->handled_at > 0;
        handled += done;
        if (done && cb->handled_at >= cb->created_at)
            lk_analytics_list_add(&handling, cb->handled_at - cb->created_at);
        if (i >= LIST_MAX)
            continue;
        json_t *r = json_object();
        json_object_set_new(r, "id", json_string(cb->id));
        json_object_set_new(r, "conversation_id", cb->conversation_id[0] ? json_string(cb->conversation_id) : json_null());
        json_object_set_new(r, "requested_at", time_json(cb->created_at));
        json_object_set_new(r, "after_hours", json_boolean(closed_hours));
        json_object_set_new(r, "status", json_string(lk_callback_status_name(cb->status)));
        json_object_set_new(r, "handled_at", time_or_null(cb->handled_at));
        json_object_set_new(r, "handling_seconds", done ? secs_between(cb->created_at, cb->handled_at) : json_null());
        json_array_append_new(items, r);
    }
    lk_analytics_sort(handling.v, handling.n);
    o = json_object();
    json_object_set_new(o, "count", json_integer((json_int_t)n_cbs));
    json_object_set_new(o, "after_hours", json_integer(after_hours));
    json_object_set_new(o, "handled", json_integer(handled));
    json_object_set_new(o, "open", json_integer((json_int_t)n_cbs - handled));
    json_object_set_new(o, "handling_time", durations_json(&handling));
    json_object_set_new(o, "items", items);
    json_object_set_new(o, "items_truncated", json_boolean(n_cbs > LIST_MAX));
    json_object_set_new(j->out, "callbacks", o);
    lk_analytics_list_free(&handling);

out:
    if (disc.all.ids)
        json_decref(disc.all.ids);
    if (disc.with.ids)
        json_decref(disc.with.ids);
    if (disc.without.ids)
        json_decref(disc.without.ids);
    if (unl.items)
        json_decref(unl.items);
    if (dec.items)
        json_decref(dec.items);
    if (dec.ids.ids)
        json_decref(dec.ids.ids);
    lk_callbacks_free(cbs, n_cbs);
    free(convs.v);
    intern_free(&convs.ids);
    policy_texts_free(&texts);
}

/* ---- the job ------------------------------------------------------------------------- */

static void job_run(lk_job_t *job, lk_store_t *st)
{
    xjob_t *j = (xjob_t *)job;
    int64_t now = lk_time_now_ms();
    if (!lk_api_authenticate(job, &j->err, st, j->session_hash, now, &j->user) ||
        !lk_api_require_role(job, &j->err, &j->user, "supervisor", "admin"))
        return;
    switch (j->op) {
    case OP_SUMMARY:
        run_summary(j, st, now);
        break;
    case OP_AGENTS:
        run_agents(j, st);
        break;
    case OP_TOPICS:
        run_topics(j, st);
        break;
    case OP_COMPLIANCE:
        run_compliance(j, st);
        break;
    }
}

static void job_done(lk_job_t *job)
{
    xjob_t *j = (xjob_t *)job;
    if (job->rc) {
        lk_respond_job_error(j->req, &j->err);
    } else if (j->csv) {
        static const char *const names[] = {"summary", "agents", "topics", "compliance"};
        char from[11], to[11], disp[160];
        lk_analytics_day_name(lk_analytics_day_of(&j->tz, j->from), from);
        lk_analytics_day_name(lk_analytics_day_of(&j->tz, j->to - 1), to);
        bool one_table = j->op == OP_AGENTS;
        snprintf(disp, sizeof disp, "attachment; filename=\"loket-%s%s%s-%s-%s.csv\"", names[j->op],
                 one_table ? "" : "-", one_table ? "" : j->table, from, to);
        lk_http_res_header(j->req, "content-disposition", disp);
        lk_http_res_header(j->req, "cache-control", "no-store");
        lk_http_respond(j->req, 200, "text/csv; charset=utf-8; header=present", j->text ? j->text : "",
                        j->text_len);
    } else {
        lk_http_res_header(j->req, "cache-control", "no-store");
        lk_respond_json(j->req, 200, j->out);
        j->out = NULL;
    }
    xjob_free(j);
}

/* ---- handlers: parameters checked on the loop ----------------------------------------- */

/* A query parameter into out (at most size - 1 bytes); false when absent. */
static bool param(lk_http_req_t *req, const char *name, char *out, size_t size, bool *too_long)
{
    lk_str_t v;
    *too_long = false;
    if (!lk_http_req_query(req, name, &v) || v.len == 0)
        return false;
    if (v.len >= size || memchr(v.base, '\0', v.len)) {
        *too_long = true;
        return true;
    }
    memcpy(out, v.base, v.len);
    out[v.len] = '\0';
    return true;
}

static bool charset_ok(const char *s, const char *allowed_extra)
{
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr(allowed_extra, *p)))
            return false;
    return s[0] != '\0';
}

/* Reads from, to, tz, language, channel, format, table and limit; false
 * after answering 400 (naming the parameter). */
static bool read_params(lk_http_req_t *req, xjob_t *j, const char *const *tables, size_t n_tables)
{
    char v[64];
    bool long_v;
    if (param(req, "tz", v, sizeof v, &long_v)) {
        if (long_v || lk_analytics_tz_parse(v, &j->tz) != 0) {
            lk_respond_error(req, 400, "invalid_field",
                             "the parameter \"tz\" must be UTC or a European time zone such as Europe/Amsterdam");
            return false;
        }
    } else if (lk_analytics_tz_parse(j->app->time_zone, &j->tz) != 0) { /* the deployment's (policy.time_zone) */
        lk_analytics_tz_parse("UTC", &j->tz);
    }
    int64_t today = lk_analytics_day_of(&j->tz, lk_time_now_ms());
    j->to = lk_analytics_day_start(&j->tz, today + 1);
    j->from = lk_analytics_day_start(&j->tz, today + 1 - DEFAULT_DAYS);
    bool has_from = param(req, "from", v, sizeof v, &long_v);
    if (has_from && (long_v || lk_analytics_parse_bound(v, &j->tz, false, &j->from) != 0)) {
        lk_respond_error(req, 400, "invalid_field",
                         "the parameter \"from\" must be a date (YYYY-MM-DD) or an RFC 3339 time");
        return false;
    }
    if (param(req, "to", v, sizeof v, &long_v)) {
        if (long_v || lk_analytics_parse_bound(v, &j->tz, true, &j->to) != 0) {
            lk_respond_error(req, 400, "invalid_field",
                             "the parameter \"to\" must be a date (YYYY-MM-DD) or an RFC 3339 time");
            return false;
        }
        if (!has_from) /* the week up to to */
            j->from = j->to - DEFAULT_DAYS * DAY_MS;
    }
    if (j->to <= j->from) {
        lk_respond_error(req, 400, "invalid_range", "the parameter \"to\" must come after \"from\"");
        return false;
    }
    /* 366 local days; an hour more for a change of summer time */
    if (j->to - j->from > LK_ANALYTICS_MAX_DAYS * DAY_MS + 3600 * 1000) {
        lk_respond_error(req, 400, "invalid_range", "the range from \"from\" to \"to\" must be at most %d days",
                         LK_ANALYTICS_MAX_DAYS);
        return false;
    }
    if (param(req, "language", j->language, sizeof j->language, &long_v) &&
        (long_v || !charset_ok(j->language, "") || strlen(j->language) < 2 || strlen(j->language) > 3)) {
        lk_respond_error(req, 400, "invalid_field", "the parameter \"language\" must be a language code such as nl");
        return false;
    }
    if (param(req, "channel", j->channel, sizeof j->channel, &long_v) && (long_v || !charset_ok(j->channel, "_-"))) {
        lk_respond_error(req, 400, "invalid_field",
                         "the parameter \"channel\" must be a channel name such as web (a-z, 0-9, _ and -)");
        return false;
    }
    if (param(req, "format", v, sizeof v, &long_v)) {
        if (strcmp(v, "csv") == 0 && n_tables > 0) {
            j->csv = true;
        } else if (strcmp(v, "json") != 0) {
            lk_respond_error(req, 400, "invalid_field", "the parameter \"format\" must be json%s",
                             n_tables > 0 ? " or csv" : "");
            return false;
        }
    }
    if (param(req, "table", j->table, sizeof j->table, &long_v)) {
        bool ok = false;
        for (size_t i = 0; !long_v && i < n_tables; i++)
            ok = ok || strcmp(j->table, tables[i]) == 0;
        if (!ok) {
            lk_respond_error(req, 400, "invalid_field", "the parameter \"table\" must be one of %s%s%s%s%s",
                             n_tables > 0 ? tables[0] : "(none)", n_tables > 1 ? ", " : "", n_tables > 1 ? tables[1] : "",
                             n_tables > 2 ? ", " : "", n_tables > 2 ? tables[2] : "");
            return false;
        }
    } else if (n_tables > 0) {
        snprintf(j->table, sizeof j->table, "%s", tables[0]);
    }
    j->limit = TOPICS_DEFAULT;
    if (param(req, "limit", v, sizeof v, &long_v)) {
        int64_t l;
        if (long_v || lk_parse_i64(v, 1, TOPICS_MAX, &l) != 0) {
            lk_respond_error(req, 400, "invalid_field", "the parameter \"limit\" must be a whole number from 1 to %d",
                             TOPICS_MAX);
            return false;
        }
        j->limit = (size_t)l;
    }
    return true;
}

static void submit(lk_http_req_t *req, void *ud, op_t op, const char *const *tables, size_t n_tables)
{
    struct lk_app *app = ud;
    xjob_t *j = lk_xcalloc(1, sizeof *j);
    j->app = app;
    j->req = req;
    j->op = op;
    lk_job_init(&j->job, req, job_run, job_done);
    lk_api_session_hash(req, j->session_hash);
    if (!read_params(req, j, tables, n_tables)) {
        xjob_free(j);
        return;
    }
    lk_pool_submit(app->readers, &j->job);
}

static void h_summary(lk_http_req_t *req, void *ud)
{
    static const char *const tables[] = {"days", "languages", "channels"};
    submit(req, ud, OP_SUMMARY, tables, 3);
}

static void h_agents(lk_http_req_t *req, void *ud)
{
    static const char *const tables[] = {"agents"};
    submit(req, ud, OP_AGENTS, tables, 1);
}

static void h_topics(lk_http_req_t *req, void *ud)
{
    static const char *const tables[] = {"top", "rising"};
    submit(req, ud, OP_TOPICS, tables, 2);
}

static void h_compliance(lk_http_req_t *req, void *ud)
{
    submit(req, ud, OP_COMPLIANCE, NULL, 0);
}

static const lk_http_route_t routes[] = {
    {"GET", "/api/v1/analytics/summary", h_summary},
    {"GET", "/api/v1/analytics/agents", h_agents},
    {"GET", "/api/v1/analytics/topics", h_topics},
    {"GET", "/api/v1/reports/compliance", h_compliance},
};

void lk_api_analytics_routes(const lk_http_route_t **r, size_t *n)
{
    *r = routes;
    *n = sizeof routes / sizeof routes[0];
}
