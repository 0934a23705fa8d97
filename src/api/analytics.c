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
#include "api/route.h"

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
#define CSV_MAX (16u << 20)

/* A report's parameters and its CSV (the route's job->data). */
typedef struct {
    const char *name;          /* "summary", "agents", "topics", "compliance": the CSV's file name */
    const char *const *tables; /* the tables a CSV may hold (NULL: no CSV) */
    size_t n_tables;
    int64_t from, to;
    lk_analytics_tz_t tz;
    char language[8];
    char channel[16];
    bool csv;
    char table[16];
    size_t limit;
    char *text; /* CSV */
    size_t text_len;
} params_t;

static void params_free(void *data)
{
    params_t *p = data;
    free(p->text);
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

/* The conversations of the report's range with its language and channel. */
static lk_facts_filter_t filter_of(const params_t *p)
{
    return (lk_facts_filter_t){p->from, p->to, p->language[0] ? p->language : NULL, p->channel[0] ? p->channel : NULL};
}

static void period_json(const params_t *p, json_t *o)
{
    json_object_set_new(o, "from", time_json(p->from));
    json_object_set_new(o, "to", time_json(p->to));
    json_object_set_new(o, "tz", json_string(p->tz.name));
    json_object_set_new(o, "language", p->language[0] ? json_string(p->language) : json_null());
    json_object_set_new(o, "channel", p->channel[0] ? json_string(p->channel) : json_null());
    json_object_set_new(o, "generated_at", time_json(lk_time_now_ms()));
}

/* ---- conversations held for a report ----------------------------------------- */

/* The gap topics: what the bot declined or handed over in [from, to),
 * redacted and clustered like the gap report (the newest LK_GAP_INPUT_MAX
 * questions); each becomes topic "g:<id>" of its conversation. labels
 * (may be NULL) receives, per topic number, the topic's redacted label. */
static int gap_topics(struct lk_app *app, lk_store_t *st, lk_analytics_set_t *h, int64_t from, int64_t to,
                      char ***labels, size_t *n_labels)
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
        long ix = lk_analytics_set_find(h, msgs[i].conversation_id);
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
        uint32_t num = lk_analytics_set_gap_topic(h, in[topics[t].first].id);
        for (size_t m = 0; m < topics[t].n_members; m++)
            lk_analytics_set_add_topic(h, (size_t)conv[topics[t].members[m]], num);
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
 * the report's [from, to) with its filter. */
static int hold(lk_api_job_t *job, lk_store_t *st, int64_t lo, int64_t hi, lk_analytics_set_t *h, char ***labels,
                size_t *n_labels)
{
    const params_t *p = job->data;
    lk_analytics_set_init(h, p->from, p->to, p->language, p->channel);
    lk_facts_filter_t all = {lo, hi, NULL, NULL};
    int rc = lk_store_conv_facts(st, &all, lk_analytics_set_conv, h);
    if (rc == 0)
        rc = lk_store_answered_articles(st, &all, lk_analytics_set_answered, h);
    if (rc == 0)
        rc = gap_topics(job->app, st, h, lo, hi, labels, n_labels);
    return rc;
}

/* ---- summary -------------------------------------------------------------------- */

/* A table of groups as JSON: each group's figures with its key as key. */
static json_t *groups_json(const lk_analytics_group_t *v, size_t n, const char *key)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = figures_json(&v[i].f);
        json_object_set_new(o, key, json_string(v[i].key));
        json_array_append_new(arr, o);
    }
    return arr;
}

static void groups_csv(lk_buf_t *b, const lk_analytics_group_t *v, size_t n, const char *key)
{
    lk_analytics_csv_figures_head(b, key);
    for (size_t i = 0; i < n; i++)
        lk_analytics_csv_figures_row(b, v[i].key, &v[i].f);
}

static void run_summary(lk_api_job_t *job, lk_store_t *st, int64_t now)
{
    params_t *p = job->data;
    lk_analytics_set_t h;
    int rc = hold(job, st, p->from, p->to + LK_ANALYTICS_REPEAT_WINDOW_MS, &h, NULL, NULL);
    if (rc) {
        lk_analytics_set_free(&h);
        lk_api_fail_db(job, rc);
        return;
    }
    bool *followed = lk_analytics_set_repeats(&h);
    lk_analytics_summary_t sum;
    lk_analytics_summary(&h, followed, &p->tz, now, &sum);
    if (p->csv) {
        lk_buf_t b;
        lk_buf_init(&b, CSV_MAX);
        if (strcmp(p->table, "languages") == 0) {
            groups_csv(&b, sum.languages, sum.n_languages, "language");
        } else if (strcmp(p->table, "channels") == 0) {
            groups_csv(&b, sum.channels, sum.n_channels, "channel");
        } else {
            lk_analytics_csv_figures_head(&b, "date");
            for (size_t d = 0; d < sum.n_days; d++) {
                char name[11];
                lk_analytics_day_name(sum.day0 + (int64_t)d, name);
                lk_analytics_csv_figures_row(&b, name, &sum.days[d]);
            }
            lk_analytics_csv_figures_row(&b, "total", &sum.total);
        }
        p->text = lk_buf_steal(&b, &p->text_len);
    } else {
        job->out = json_object();
        period_json(p, job->out);
        json_object_set_new(job->out, "totals", figures_json(&sum.total));
        json_t *arr = json_array();
        for (size_t d = 0; d < sum.n_days; d++) {
            char name[11];
            lk_analytics_day_name(sum.day0 + (int64_t)d, name);
            json_t *o = figures_json(&sum.days[d]);
            json_object_set_new(o, "date", json_string(name));
            json_array_append_new(arr, o);
        }
        json_object_set_new(job->out, "days", arr);
        json_object_set_new(job->out, "languages", groups_json(sum.languages, sum.n_languages, "language"));
        json_object_set_new(job->out, "channels", groups_json(sum.channels, sum.n_channels, "channel"));
    }
    lk_analytics_summary_free(&sum);
    free(followed);
    lk_analytics_set_free(&h);
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

static void run_agents(lk_api_job_t *job, lk_store_t *st, int64_t now)
{
    params_t *p = job->data;
    lk_facts_filter_t f = filter_of(p);
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
        lk_api_fail_db(job, rc);
        return;
    }
    for (size_t i = 0; i < n_counts; i++) {
        lk_analytics_agent_t *x = lk_analytics_agent(&a, counts[i].user_id);
        x->messages = counts[i].messages;
        x->suggested = counts[i].suggested;
        x->suggested_edited = counts[i].suggested_edited;
    }
    lk_analytics_agents_finish(&a);
    lk_analytics_agent_t all;
    lk_analytics_agents_total(&a, &all);

    if (p->csv) {
        lk_buf_t b;
        lk_buf_init(&b, CSV_MAX);
        lk_analytics_csv_agents_head(&b);
        for (size_t i = 0; i <= a.n; i++) {
            const lk_analytics_agent_t *x = i < a.n ? &a.v[i] : &all;
            lk_analytics_csv_agent_row(&b, i < a.n ? x->user_id : "total",
                                       i < a.n ? user_name(users, n_users, x->user_id) : "", x);
        }
        p->text = lk_buf_steal(&b, &p->text_len);
    } else {
        job->out = json_object();
        period_json(p, job->out);
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
                json_object_set_new(job->out, "totals", o);
        }
        json_object_set_new(job->out, "agents", arr);
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
static json_t *topic_json(const lk_analytics_set_t *h, uint32_t t, const lk_bot_t *bot, char **labels, size_t n_labels)
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

static void run_topics(lk_api_job_t *job, lk_store_t *st, int64_t now)
{
    params_t *p = job->data;
    /* the last two weeks of the range for the rise, whatever from says */
    int64_t week1 = p->to - WEEK_MS, week0 = p->to - 2 * WEEK_MS;
    int64_t lo = p->from < week0 ? p->from : week0;
    lk_analytics_set_t h;
    char **labels = NULL;
    size_t n_labels = 0;
    int rc = hold(job, st, lo, p->to, &h, &labels, &n_labels);
    if (rc) {
        lk_analytics_set_free(&h);
        for (size_t i = 0; i < n_labels; i++)
            free(labels[i]);
        free(labels);
        lk_api_fail_db(job, rc);
        return;
    }
    size_t n_t = h.topics.n;
    lk_analytics_topic_count_t *tc = lk_analytics_set_topic_counts(&h, week0, week1, p->to);
    lk_analytics_topic_count_t *rising = lk_xcalloc(n_t ? n_t : 1, sizeof *rising);
    memcpy(rising, tc, n_t * sizeof *tc);
    lk_analytics_topics_top(tc, n_t);
    size_t n_top = 0;
    while (n_top < n_t && tc[n_top].count > 0)
        n_top++;
    size_t n_rising = lk_analytics_topics_rising(rising, n_t);
    if (n_top > p->limit)
        n_top = p->limit;
    if (n_rising > p->limit)
        n_rising = p->limit;

    lk_bot_t *bot = lk_bot_acquire(job->app);
    bool want_rising = strcmp(p->table, "rising") == 0;
    if (p->csv) {
        lk_buf_t b;
        lk_buf_init(&b, CSV_MAX);
        lk_analytics_csv_topics_head(&b, want_rising);
        size_t n_rows = want_rising ? n_rising : n_top;
        for (size_t i = 0; i < n_rows; i++) {
            const lk_analytics_topic_count_t *c = want_rising ? &rising[i] : &tc[i];
            json_t *o = topic_json(&h, c->topic, bot, labels, n_labels);
            lk_analytics_csv_topic_row(&b, json_string_value(json_object_get(o, "kind")),
                                       json_string_value(json_object_get(o, "id")),
                                       json_string_value(json_object_get(o, "label")), c, want_rising);
            json_decref(o);
        }
        p->text = lk_buf_steal(&b, &p->text_len);
    } else {
        job->out = json_object();
        period_json(p, job->out);
        json_t *arr = json_array();
        for (size_t i = 0; i < n_top; i++) {
            json_t *o = topic_json(&h, tc[i].topic, bot, labels, n_labels);
            json_object_set_new(o, "conversations", json_integer(tc[i].count));
            json_array_append_new(arr, o);
        }
        json_object_set_new(job->out, "top", arr);
        arr = json_array();
        for (size_t i = 0; i < n_rising; i++) {
            json_t *o = topic_json(&h, rising[i].topic, bot, labels, n_labels);
            json_object_set_new(o, "this_week", json_integer(rising[i].this_week));
            json_object_set_new(o, "last_week", json_integer(rising[i].last_week));
            json_object_set_new(o, "change", json_integer(rising[i].this_week - rising[i].last_week));
            json_array_append_new(arr, o);
        }
        json_object_set_new(job->out, "rising", arr);
        json_t *w = json_object();
        json_object_set_new(w, "this_week", json_pack("{s:o, s:o}", "from", time_json(week1), "to", time_json(p->to)));
        json_object_set_new(w, "last_week", json_pack("{s:o, s:o}", "from", time_json(week0), "to", time_json(week1)));
        json_object_set_new(job->out, "weeks", w);
    }
    lk_bot_release(bot);
    free(tc);
    free(rising);
    for (size_t i = 0; i < n_labels; i++)
        free(labels[i]);
    free(labels);
    lk_analytics_set_free(&h);
}

/* ---- the compliance report ------------------------------------------------------------ */

/* An id list as "<key>": [ids] and "<key>_truncated". */
static void ids_put(json_t *o, const char *key, const lk_analytics_ids_t *l)
{
    json_t *a = json_array();
    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(a, json_string(l->v[i]));
    json_object_set_new(o, key, a);
    char tk[64];
    snprintf(tk, sizeof tk, "%s_truncated", key);
    json_object_set_new(o, tk, json_boolean(l->count > LK_ANALYTICS_LIST_MAX));
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
    lk_policy_env_t env = {
        .now_ms = lk_time_now_ms(), .agents_online = -1, .queue_length = -1, .est_wait_s = -1, .kb = &bot->kb};
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

static json_t *secs_between(int64_t a, int64_t b)
{
    return a > 0 && b >= a ? json_real((double)(b - a) / 1000.0) : json_null();
}

static json_t *decline_run_json(const lk_analytics_decline_run_t *x)
{
    return json_pack("{s:s, s:s, s:I, s:o, s:b, s:s?, s:b, s:o, s:b, s:b}", "conversation_id", x->conversation_id,
                     "first_message_id", x->first_message_id, "declines", (json_int_t)x->declines, "at",
                     time_json(x->at), "handoff_offered", x->handoff_offered, "followed_by", x->followed_by,
                     "handed_off", x->handed_off, "handoff_reason",
                     x->handed_off && x->handoff_reason != LK_HANDOFF_NONE
                         ? json_string(lk_handoff_reason_name(x->handoff_reason))
                         : json_null(),
                     "person_reached", x->person_reached, "closed", x->closed);
}

static json_t *person_request_json(const lk_conv_facts_t *c)
{
    bool ok = lk_analytics_person_request_met(c);
    return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:b, s:s}", "conversation_id", c->id, "reason",
                     lk_handoff_reason_name(c->handoff_reason), "requested_at", time_or_null(c->queued_at),
                     "assigned_at", time_or_null(c->assigned_at), "first_reply_at",
                     time_or_null(c->first_agent_after_queue), "seconds_to_assign",
                     secs_between(c->queued_at, c->assigned_at), "seconds_to_reply",
                     ok ? secs_between(c->queued_at, c->first_agent_after_queue) : json_null(), "met", ok, "status",
                     lk_conv_status_name(c->status));
}

static json_t *callback_json(const lk_callback_t *cb, bool after_hours)
{
    bool done = cb->handled_at > 0;
    json_t *r = json_object();
    json_object_set_new(r, "id", json_string(cb->id));
    json_object_set_new(r, "conversation_id", cb->conversation_id[0] ? json_string(cb->conversation_id) : json_null());
    json_object_set_new(r, "requested_at", time_json(cb->created_at));
    json_object_set_new(r, "after_hours", json_boolean(after_hours));
    json_object_set_new(r, "status", json_string(lk_callback_status_name(cb->status)));
    json_object_set_new(r, "handled_at", time_or_null(cb->handled_at));
    json_object_set_new(r, "handling_seconds", done ? secs_between(cb->created_at, cb->handled_at) : json_null());
    return r;
}

/* The report as JSON (docs/api.md, "Compliance report"). */
static json_t *compliance_json(const lk_api_job_t *job, const lk_analytics_compliance_t *r, const lk_callback_t *cbs,
                               int64_t total, int64_t labelled)
{
    const params_t *p = job->data;
    json_t *out = json_object();
    json_t *period = json_pack("{s:o, s:o, s:s}", "from", time_json(p->from), "to", time_json(p->to), "tz", p->tz.name);
    json_object_set_new(out, "period", period);
    json_object_set_new(out, "language", p->language[0] ? json_string(p->language) : json_null());
    json_object_set_new(out, "channel", p->channel[0] ? json_string(p->channel) : json_null());
    json_object_set_new(out, "generated_at", time_json(lk_time_now_ms()));
    json_object_set_new(out, "generated_by",
                        json_pack("{s:s, s:s, s:s}", "id", job->user.id, "name",
                                  job->user.display_name ? job->user.display_name : job->user.email, "email",
                                  job->user.email));
    json_object_set_new(out, "conversations", json_integer((json_int_t)r->n_convs));

    json_t *o = json_object();
    json_object_set_new(o, "conversations", json_integer(r->disclosed_all.count));
    json_object_set_new(o, "with_disclosure", json_integer(r->disclosed.count));
    json_object_set_new(o, "share", rate(r->disclosed.count, r->disclosed_all.count));
    ids_put(o, "missing", &r->undisclosed);
    ids_put(o, "conversation_ids", &r->disclosed_all); /* the period's conversations, behind both shares */
    json_object_set_new(out, "disclosure", o);

    o = json_object();
    json_object_set_new(o, "messages", json_integer(total));
    json_object_set_new(o, "labelled", json_integer(labelled));
    json_object_set_new(o, "share", rate(labelled, total));
    json_t *items = json_array();
    for (size_t i = 0; i < r->n_unlabelled; i++)
        json_array_append_new(items, json_pack("{s:s, s:s, s:s}", "conversation_id", r->unlabelled[i].conversation_id,
                                               "message_id", r->unlabelled[i].message_id, "sender",
                                               lk_sender_name(r->unlabelled[i].sender)));
    json_object_set_new(o, "unlabelled", items);
    json_object_set_new(o, "unlabelled_truncated", json_boolean(r->unlabelled_count > LK_ANALYTICS_LIST_MAX));
    json_object_set(o, "conversation_ids", json_object_get(json_object_get(out, "disclosure"), "conversation_ids"));
    json_object_set_new(o, "conversation_ids_truncated", json_boolean(r->disclosed_all.count > LK_ANALYTICS_LIST_MAX));
    json_object_set_new(out, "automated_labels", o);

    items = json_array();
    for (size_t i = 0; i < r->n_request_items; i++)
        json_array_append_new(items, person_request_json(&r->convs[r->request_items[i]]));
    o = json_object();
    json_object_set_new(o, "count", json_integer(r->requests));
    json_object_set_new(o, "met", json_integer(r->requests_met));
    json_object_set_new(o, "unmet", json_integer(r->requests - r->requests_met));
    json_object_set_new(o, "time_to_reply", durations_json(&r->reply_waits));
    json_object_set_new(o, "time_to_assign", durations_json(&r->assign_waits));
    json_object_set_new(o, "items", items);
    json_object_set_new(o, "items_truncated", json_boolean(r->requests > LK_ANALYTICS_LIST_MAX));
    json_object_set_new(out, "person_requests", o);

    items = json_array();
    for (size_t i = 0; i < r->n_runs; i++)
        json_array_append_new(items, decline_run_json(&r->runs[i]));
    o = json_object();
    json_object_set_new(o, "count", json_integer((json_int_t)r->n_runs));
    json_object_set_new(o, "items", items);
    ids_put(o, "conversation_ids", &r->run_ids);
    json_object_set_new(out, "consecutive_declines", o);

    items = json_array();
    for (size_t i = 0; i < r->n_callbacks && i < LK_ANALYTICS_LIST_MAX; i++)
        json_array_append_new(items, callback_json(&cbs[i], r->callback_after_hours[i]));
    o = json_object();
    json_object_set_new(o, "count", json_integer((json_int_t)r->n_callbacks));
    json_object_set_new(o, "after_hours", json_integer(r->callbacks_after_hours));
    json_object_set_new(o, "handled", json_integer(r->callbacks_handled));
    json_object_set_new(o, "open", json_integer((json_int_t)r->n_callbacks - r->callbacks_handled));
    json_object_set_new(o, "handling_time", durations_json(&r->callback_handling));
    json_object_set_new(o, "items", items);
    json_object_set_new(o, "items_truncated", json_boolean(r->n_callbacks > LK_ANALYTICS_LIST_MAX));
    json_object_set_new(out, "callbacks", o);
    return out;
}

static void run_compliance(lk_api_job_t *job, lk_store_t *st, int64_t now)
{
    const params_t *p = job->data;
    lk_facts_filter_t f = filter_of(p);
    policy_texts_t texts = {0};
    policy_texts(job->app, &texts);
    lk_analytics_compliance_t r;
    lk_analytics_compliance_init(&r, texts.greeting, texts.decline, POLICY_LANGS);
    int64_t total = 0, labelled = 0;
    lk_callback_t *cbs = NULL;
    size_t n_cbs = 0;
    int rc = lk_store_conv_facts(st, &f, lk_analytics_compliance_conv, &r);
    if (rc == 0)
        rc = lk_store_first_messages(st, &f, lk_analytics_compliance_first, &r);
    if (rc == 0)
        rc = lk_store_bot_labels(st, &f, &total, &labelled, lk_analytics_compliance_unlabelled, &r);
    if (rc == 0)
        rc = lk_store_decline_messages(st, &f, lk_analytics_compliance_decline, &r);
    if (rc == 0)
        rc = lk_store_callbacks_between(st, p->from, p->to, &cbs, &n_cbs);
    if (rc) {
        lk_api_fail_db(job, rc);
    } else {
        lk_analytics_compliance_finish(&r, cbs, n_cbs, &job->app->policy);
        job->out = compliance_json(job, &r, cbs, total, labelled);
    }
    lk_analytics_compliance_free(&r);
    lk_callbacks_free(cbs, n_cbs);
    policy_texts_free(&texts);
}

/* ---- the answer ----------------------------------------------------------------------- */

/* A CSV is answered here as a download; every answer is not to be cached. */
static bool answer(lk_api_job_t *job)
{
    const params_t *p = job->data;
    if (job->job.rc == 0 && p->csv) {
        char from[11], to[11], disp[160];
        lk_analytics_day_name(lk_analytics_day_of(&p->tz, p->from), from);
        lk_analytics_day_name(lk_analytics_day_of(&p->tz, p->to - 1), to);
        bool one_table = p->n_tables == 1;
        snprintf(disp, sizeof disp, "attachment; filename=\"loket-%s%s%s-%s-%s.csv\"", p->name, one_table ? "" : "-",
                 one_table ? "" : p->table, from, to);
        lk_http_res_header(job->req, "content-disposition", disp);
        lk_http_res_header(job->req, "cache-control", "no-store");
        lk_http_respond(job->req, 200, "text/csv; charset=utf-8; header=present", p->text ? p->text : "", p->text_len);
        return false;
    }
    if (job->job.rc == 0)
        lk_http_res_header(job->req, "cache-control", "no-store");
    return true;
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
static bool read_params(lk_api_job_t *job)
{
    lk_http_req_t *req = job->req;
    params_t *j = job->data;
    const char *const *tables = j->tables;
    size_t n_tables = j->n_tables;
    char v[64];
    bool long_v;
    if (param(req, "tz", v, sizeof v, &long_v)) {
        if (long_v || lk_analytics_tz_parse(v, &j->tz) != 0) {
            lk_respond_error(req, 400, "invalid_field",
                             "the parameter \"tz\" must be UTC or a European time zone such as Europe/Amsterdam");
            return false;
        }
    } else if (lk_analytics_tz_parse(job->app->time_zone, &j->tz) != 0) { /* the deployment's (policy.time_zone) */
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
                             n_tables > 0 ? tables[0] : "(none)", n_tables > 1 ? ", " : "",
                             n_tables > 1 ? tables[1] : "", n_tables > 2 ? ", " : "", n_tables > 2 ? tables[2] : "");
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

/* Each report's parameters: its name and the tables its CSV may hold. */
static bool prepare(lk_api_job_t *job, const char *name, const char *const *tables, size_t n_tables)
{
    params_t *p = job->data;
    p->name = name;
    p->tables = tables;
    p->n_tables = n_tables;
    return read_params(job);
}

static bool prepare_summary(lk_api_job_t *job)
{
    static const char *const tables[] = {"days", "languages", "channels"};
    return prepare(job, "summary", tables, 3);
}

static bool prepare_agents(lk_api_job_t *job)
{
    static const char *const tables[] = {"agents"};
    return prepare(job, "agents", tables, 1);
}

static bool prepare_topics(lk_api_job_t *job)
{
    static const char *const tables[] = {"top", "rising"};
    return prepare(job, "topics", tables, 2);
}

static bool prepare_compliance(lk_api_job_t *job)
{
    return prepare(job, "compliance", NULL, 0);
}

/* ---- the table ---------------------------------------------------------------------- */

#define REPORT(path, prep, fn)                                                                                         \
    {                                                                                                                  \
        "GET", path, LK_ACCESS_SUPERVISOR, .steps = {{.pool = LK_ON_READER, .run = fn}}, .prepare = prep, .after = answer,           \
                                           .data_size = sizeof(params_t), .data_free = params_free                     \
    }

static const lk_api_route_t routes[] = {
    REPORT("/api/v1/analytics/summary", prepare_summary, run_summary),
    REPORT("/api/v1/analytics/agents", prepare_agents, run_agents),
    REPORT("/api/v1/analytics/topics", prepare_topics, run_topics),
    REPORT("/api/v1/reports/compliance", prepare_compliance, run_compliance),
};

void lk_api_analytics_table(const lk_api_route_t **r, size_t *n)
{
    *r = routes;
    *n = sizeof routes / sizeof routes[0];
}
