/*
 * The knowledge manager's insights (docs/gaps.md): the gap report (what
 * customers ask that the bot declined or handed over, redacted and grouped
 * into topics, one click from a draft article), people's reviews of bot
 * answers (right or wrong, per conversation and as an accuracy figure with
 * a queue of answers nobody reviewed yet), and what those reviews
 * recommend for the answering threshold (chosen by the conversation
 * engine's lk_conv_recalibrate, src/conv/bot.c, which the knowledge base's
 * publish runs and the next bot built applies).
 *
 * Reads run on the readers; the clustering too (it is CPU work of up to a
 * few hundred milliseconds, never for the writer). Turning a topic into a
 * draft clusters on a reader, then stores the draft in a short writer job.
 */
#include "api/route.h"

#include "assist/assist.h"
#include "privacy/privacy.h"
#include "text/text.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MODULE "insights"

#define DAY_MS (24LL * 3600 * 1000)
#define DEFAULT_RANGE_MS (30 * DAY_MS) /* from = now - 30 days when not given */
#define TOPICS_DEFAULT 50
#define TOPICS_MAX 200
#define EXAMPLES_MAX 5
#define QUEUE_DEFAULT 20
#define QUEUE_MAX 100
#define DRAFT_QUESTIONS_MAX 50
#define DRAFT_TITLE_MAX 120
#define ANSWER_PREVIEW 400

/* ---- the request's own state (lk_api_job_t's data) ----------------------- */

typedef struct {
    char message_id[LK_ID_MAX]; /* the review's :message_id */
    int64_t from, to;           /* to 0: no end */
    char language[8];           /* "" = any */
    size_t limit;
    lk_draft_t draft; /* the draft: made by the reader, stored by the writer */
} idata_t;

static void idata_free(void *data)
{
    lk_draft_clear(&((idata_t *)data)->draft);
}

#define D(j) ((idata_t *)(j)->data)

/* The review's body fields, in the order of review_fields. */
enum { F_VERDICT, F_CORRECT };

static const char *article_title(const lk_bot_t *bot, const char *id)
{
    long i = lk_kb_find(&bot->kb, id);
    return i >= 0 ? bot->kb.articles[i].title : NULL;
}

/* ---- the gap report --------------------------------------------------------- */

typedef struct {
    lk_gap_msg_t *msgs; /* from the store, newest first */
    size_t n_msgs;
    char **redacted;    /* per kept question */
    const char **langs; /* per kept question: its conversation's language */
    lk_gap_input_t *in; /* the kept questions */
    size_t n_in;
    lk_gap_topic_t *topics;
    size_t n_topics;
} report_t;

static void report_free(report_t *r)
{
    lk_strv_free(r->redacted, r->n_in);
    free(r->langs);
    free(r->in);
    lk_gap_topics_free(r->topics, r->n_topics);
    lk_gap_msgs_free(r->msgs, r->n_msgs);
    memset(r, 0, sizeof *r);
}

/* True when a question holds no question of its own: only a request for a
 * person ("medewerker") or a bare yes/no/thanks (lk_assist_is_filler, on
 * the NLU's reading of it). */
bool lk_api_gap_is_filler(struct lk_app *app, const lk_bot_t *bot, const lk_gap_msg_t *g)
{
    lk_nlu_reading_t reading;
    const lk_nlu_reading_t *rp = NULL;
    lk_nlu_context_t ctx = {NULL, 0, g->language};
    if (lk_nlu_read(bot->nlu, g->text, strlen(g->text), &ctx, &reading) == 0)
        rp = &reading;
    lk_msg_t m = {0};
    m.sender = LK_SENDER_CUSTOMER;
    m.text = g->text;
    lk_assist_conv_t cv = {.msgs = &m,
                           .n_msgs = 1,
                           .readings = &rp,
                           .kb = &bot->kb,
                           .person_min = app->policy.person_request_min,
                           .negative_min = app->policy.negative_min};
    return lk_assist_is_filler(&cv, 0);
}

/* The questions of [from, to) in language, filtered, redacted and
 * clustered. */
static int report_build(struct lk_app *app, lk_store_t *st, int64_t from, int64_t to, const char *language, report_t *r)
{
    memset(r, 0, sizeof *r);
    int rc = lk_store_gap_messages(st, from, to, language[0] ? language : NULL, LK_GAP_INPUT_MAX, &r->msgs, &r->n_msgs);
    if (rc)
        return rc;
    size_t n = r->n_msgs ? r->n_msgs : 1;
    r->redacted = lk_xcalloc(n, sizeof *r->redacted);
    r->langs = lk_xcalloc(n, sizeof *r->langs);
    r->in = lk_xcalloc(n, sizeof *r->in);
    lk_bot_t *bot = lk_bot_acquire(app);
    for (size_t i = 0; i < r->n_msgs; i++) {
        const lk_gap_msg_t *g = &r->msgs[i];
        if (lk_api_gap_is_filler(app, bot, g))
            continue;
        size_t k = r->n_in++;
        r->redacted[k] = lk_pii_redact(g->text, strlen(g->text));
        r->langs[k] = g->language;
        r->in[k] = (lk_gap_input_t){g->id, r->redacted[k], g->language, g->created_at, g->outcome};
    }
    lk_bot_release(bot);
    rc = lk_gap_cluster(r->in, r->n_in, NULL, &r->topics, &r->n_topics);
    if (rc)
        report_free(r);
    return rc;
}

/* "t_" and the id of the topic's earliest question without its "m_". */
static void topic_id(const report_t *r, const lk_gap_topic_t *t, char *out, size_t size)
{
    const char *mid = r->in[t->first].id;
    snprintf(out, size, "t_%s", strncmp(mid, "m_", 2) == 0 ? mid + 2 : mid);
}

/* The topic's distinct questions, the label first, then newest first; at
 * most max. Returns how many; texts point into r. */
static size_t topic_questions(const report_t *r, const lk_gap_topic_t *t, const char **out, size_t max)
{
    char **seen = lk_xcalloc(max ? max : 1, sizeof *seen);
    size_t n = 0;
    for (size_t j = 0; j <= t->n_members && n < max; j++) {
        size_t ix = j == 0 ? t->label : t->members[j - 1];
        if (j > 0 && ix == t->label)
            continue;
        char *f = lk_text_search_fold(r->in[ix].text);
        bool dup = false;
        for (size_t k = 0; k < n && !dup; k++)
            dup = strcmp(seen[k], f) == 0;
        if (dup) {
            free(f);
            continue;
        }
        seen[n] = f;
        out[n++] = r->in[ix].text;
    }
    for (size_t k = 0; k < n; k++)
        free(seen[k]);
    free(seen);
    return n;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The languages of a topic's questions, sorted, each once. */
static json_t *topic_languages(const report_t *r, const lk_gap_topic_t *t)
{
    const char **v = lk_xcalloc(t->n_members, sizeof *v);
    for (size_t j = 0; j < t->n_members; j++)
        v[j] = r->langs[t->members[j]];
    qsort(v, t->n_members, sizeof *v, cmp_str);
    json_t *arr = json_array();
    for (size_t j = 0; j < t->n_members; j++)
        if (v[j][0] && (j == 0 || strcmp(v[j], v[j - 1]) != 0))
            json_array_append_new(arr, json_string(v[j]));
    free(v);
    return arr;
}

/* The language most of the topic's questions are in (ties: the label's). */
static const char *topic_language(const report_t *r, const lk_gap_topic_t *t)
{
    const char *best = r->langs[t->label];
    size_t best_n = 0;
    for (size_t j = 0; j < t->n_members; j++) {
        const char *l = r->langs[t->members[j]];
        size_t c = 0;
        for (size_t k = 0; k < t->n_members; k++)
            c += strcmp(r->langs[t->members[k]], l) == 0;
        if (c > best_n || (c == best_n && strcmp(l, r->langs[t->label]) == 0)) {
            best = l;
            best_n = c;
        }
    }
    return best[0] ? best : "nl";
}

static json_t *topic_json(const report_t *r, const lk_gap_topic_t *t)
{
    char id[LK_ID_MAX + 8];
    topic_id(r, t, id, sizeof id);
    const char *ex[EXAMPLES_MAX];
    size_t n_ex = topic_questions(r, t, ex, EXAMPLES_MAX);
    json_t *examples = json_array();
    for (size_t k = 0; k < n_ex; k++)
        json_array_append_new(examples, json_string(ex[k]));
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(id));
    json_object_set_new(o, "label", json_string(r->in[t->label].text));
    json_object_set_new(o, "count", json_integer((json_int_t)t->n_members));
    json_object_set_new(o, "newest_at", lk_json_time(t->newest_ms));
    json_object_set_new(o, "examples", examples);
    json_object_set_new(o, "languages", topic_languages(r, t));
    json_object_set_new(o, "declined", json_integer((json_int_t)t->n_declined));
    json_object_set_new(o, "handoff", json_integer((json_int_t)t->n_handoff));
    return o;
}

/* The report of the request's range and language; false after failing j. */
static bool job_report(lk_api_job_t *j, lk_store_t *st, report_t *r)
{
    int rc = report_build(j->app, st, D(j)->from, D(j)->to, D(j)->language, r);
    if (rc)
        lk_api_fail_db(j, rc);
    return rc == 0;
}

static void run_gaps(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    report_t r;
    if (!job_report(j, st, &r))
        return;
    json_t *topics = json_array();
    for (size_t k = 0; k < r.n_topics && k < D(j)->limit; k++)
        json_array_append_new(topics, topic_json(&r, &r.topics[k]));
    j->out = json_object();
    json_object_set_new(j->out, "from", lk_json_time(D(j)->from));
    json_object_set_new(j->out, "to", lk_json_time(D(j)->to));
    json_object_set_new(j->out, "language", D(j)->language[0] ? json_string(D(j)->language) : json_null());
    json_object_set_new(j->out, "questions", json_integer((json_int_t)r.n_in));
    json_object_set_new(j->out, "topic_count", json_integer((json_int_t)r.n_topics));
    json_object_set_new(j->out, "topics", topics);
    report_free(&r);
}

/* On a reader: finds the topic and prepares its draft in D(j)->draft. */
static void run_draft_read(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    report_t r;
    if (!job_report(j, st, &r))
        return;
    const lk_gap_topic_t *t = NULL;
    for (size_t k = 0; k < r.n_topics && !t; k++) {
        char id[LK_ID_MAX + 8];
        topic_id(&r, &r.topics[k], id, sizeof id);
        if (strcmp(id, j->id) == 0)
            t = &r.topics[k];
    }
    if (!t) {
        lk_api_fail(j, LK_ENOENT, 404, "not_found",
             "no gap topic with this id in this range and language (the report may have changed: reload it)");
        report_free(&r);
        return;
    }
    const char **qs = lk_xcalloc(DRAFT_QUESTIONS_MAX, sizeof *qs);
    size_t nq = topic_questions(&r, t, qs, DRAFT_QUESTIONS_MAX);
    json_t *arr = json_array();
    for (size_t k = 0; k < nq; k++) {
        char *q = lk_assist_shorten(qs[k], LK_KB_QUESTION_MAX - 3);
        json_array_append_new(arr, json_string(q));
        free(q);
    }
    free(qs);
    lk_draft_t *d = &D(j)->draft;
    lk_rand_id("d_", d->id, sizeof d->id);
    d->status = LK_DRAFT_OPEN;
    snprintf(d->language, sizeof d->language, "%s", topic_language(&r, t));
    d->title = lk_assist_shorten(r.in[t->label].text, DRAFT_TITLE_MAX);
    d->questions = lk_json_dump(arr, NULL);
    json_decref(arr);
    d->answer = lk_xstrdup(""); /* the knowledge manager writes it */
    d->tags = lk_xstrdup("[]");
    d->source = LK_DRAFT_SOURCE_GAP_REPORT;
    snprintf(d->created_by, sizeof d->created_by, "%s", j->user.id);
    report_free(&r);
}

static json_t *draft_json(const lk_draft_t *d, const char *topic)
{
    json_error_t e;
    json_t *qs = json_loads(d->questions, 0, &e);
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(d->id));
    json_object_set_new(o, "article_id", json_null());
    json_object_set_new(o, "status", json_string(lk_draft_status_name(d->status)));
    json_object_set_new(o, "language", json_string(d->language));
    json_object_set_new(o, "title", json_string(d->title));
    json_object_set_new(o, "questions", qs ? qs : json_array());
    json_object_set_new(o, "answer", json_string(d->answer));
    json_object_set_new(o, "url", json_null());
    json_object_set_new(o, "tags", json_array());
    json_object_set_new(o, "source", json_string(lk_draft_source_name(d->source)));
    json_object_set_new(o, "created_by", json_string(d->created_by));
    json_object_set_new(o, "created_at", lk_json_time(d->created_at));
    json_object_set_new(o, "updated_at", lk_json_time(d->updated_at));
    json_object_set_new(o, "topic_id", json_string(topic));
    return o;
}

static void run_draft_store(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    D(j)->draft.created_at = D(j)->draft.updated_at = now;
    int rc = lk_store_draft_insert(st, &D(j)->draft);
    char detail[128];
    snprintf(detail, sizeof detail, "%s from gap topic %s", D(j)->draft.id, j->id);
    if (rc == 0)
        rc = lk_store_audit(st, now, j->user.id, "draft.create", NULL, detail);
    if (rc) {
        lk_api_fail_db(j, rc);
        return;
    }
    j->out = draft_json(&D(j)->draft, j->id);
}

/* ---- answer reviews ---------------------------------------------------------- */

static json_t *review_json(const void *record)
{
    const lk_review_t *r = record;
    json_t *o = json_object();
    json_object_set_new(o, "message_id", json_string(r->message_id));
    json_object_set_new(o, "conversation_id", json_string(r->conversation_id));
    json_object_set_new(o, "article_id", r->article_id[0] ? json_string(r->article_id) : json_null());
    json_object_set_new(o, "verdict", json_string(lk_verdict_name(r->verdict)));
    json_object_set_new(o, "correct_article_id",
                        r->correct_article_id[0] ? json_string(r->correct_article_id) : json_null());
    json_object_set_new(o, "reviewer_id", json_string(r->reviewer_id));
    json_object_set_new(o, "created_at", lk_json_time(r->created_at));
    return o;
}

static void run_review(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    lk_conv_t c;
    if (!lk_api_conv_load(j, st, &c))
        return;
    lk_msg_t m = {0};
    lk_review_t r = {0};
    lk_bot_t *bot = NULL;
    /* an agent reviews the conversations they handle; supervisors any */
    if (lk_api_is_role(&j->user, "agent", NULL) && strcmp(c.assigned_to, j->user.id) != 0) {
        lk_api_forbid(j, "only the agent handling this conversation or a supervisor may review it");
        goto out;
    }
    if (!lk_api_conv_msg(j, st, &c, D(j)->message_id, &m))
        goto out;
    if (m.sender != LK_SENDER_BOT || !m.article_id) {
        lk_api_fail(j, LK_EINVAL, 400, "not_an_answer", "only a bot answer from the knowledge base can be reviewed");
        goto out;
    }
    if (j->body[F_CORRECT].s) {
        bot = lk_bot_acquire(j->app);
        if (lk_kb_find(&bot->kb, j->body[F_CORRECT].s) < 0) {
            lk_api_fail(j, LK_EINVAL, 400, "invalid_field", "the field \"correct_article_id\" names no article");
            goto out;
        }
    }
    snprintf(r.message_id, sizeof r.message_id, "%s", m.id);
    snprintf(r.conversation_id, sizeof r.conversation_id, "%s", c.id);
    snprintf(r.article_id, sizeof r.article_id, "%s", m.article_id);
    r.confidence = m.confidence;
    r.has_confidence = m.has_confidence;
    lk_verdict_parse(j->body[F_VERDICT].s, &r.verdict); /* one of verdicts[] */
    snprintf(r.correct_article_id, sizeof r.correct_article_id, "%s", j->body[F_CORRECT].s ? j->body[F_CORRECT].s : "");
    snprintf(r.reviewer_id, sizeof r.reviewer_id, "%s", j->user.id);
    r.created_at = now;
    int rc = lk_store_review_set(st, &r);
    char detail[96];
    snprintf(detail, sizeof detail, "%s %s", m.id, lk_verdict_name(r.verdict));
    if (rc == 0)
        rc = lk_store_audit(st, now, j->user.id, "answer.review", c.id, detail);
    if (rc) {
        lk_api_fail_db(j, rc);
        goto out;
    }
    j->out = review_json(&r);
out:
    lk_bot_release(bot);
    lk_msg_clear(&m);
    lk_conv_clear(&c);
}

static void run_reviews_conv(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    lk_conv_t c;
    lk_review_t *v = NULL;
    size_t n = 0;
    bool may = lk_api_conv_load(j, st, &c) && lk_api_may_read_conv(&j->job, &j->err, st, &j->user, &c);
    int rc = may ? lk_store_review_list_conv(st, c.id, &v, &n) : 0;
    lk_conv_clear(&c);
    if (!may)
        return;
    json_t *arr = lk_api_list_json(j, rc, v, n, sizeof *v, review_json);
    free(v);
    if (arr)
        j->out = json_pack("{s:o}", "reviews", arr);
}

static json_t *real_or_null(double v, bool has)
{
    return has ? json_real(round(v * 10000) / 10000) : json_null();
}

static void run_summary(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    lk_review_count_t *counts = NULL;
    size_t n = 0;
    int rc = lk_store_review_counts(st, D(j)->from, D(j)->to, &counts, &n);
    double stored;
    lk_review_recommendation_t rec;
    if (rc == 0)
        rc = lk_conv_threshold_recommend(st, &stored, &rec);
    if (rc) {
        free(counts);
        lk_api_fail_db(j, rc);
        return;
    }
    lk_bot_t *bot = lk_bot_acquire(j->app);
    int64_t reviewed = 0, right = 0;
    json_t *by = json_array();
    for (size_t i = 0; i < n; i++) {
        reviewed += counts[i].reviewed;
        right += counts[i].right;
        const char *title = article_title(bot, counts[i].article_id);
        json_array_append_new(by, json_pack("{s:s, s:o, s:I, s:I, s:I}", "article_id", counts[i].article_id, "title",
                                            title ? json_string(title) : json_null(), "reviewed",
                                            (json_int_t)counts[i].reviewed, "right", (json_int_t)counts[i].right,
                                            "wrong", (json_int_t)(counts[i].reviewed - counts[i].right)));
    }
    free(counts);
    lk_review_config_t cfg;
    lk_review_config_default(&cfg);
    json_t *th = json_object();
    json_object_set_new(th, "current", real_or_null(lk_nlu_threshold(bot->nlu), true));
    json_object_set_new(th, "recommended", real_or_null(rec.threshold, true));
    json_object_set_new(th, "reviews_needed", json_integer((json_int_t)rec.reviews_needed));
    json_object_set_new(th, "target_error", json_real(cfg.target_error));
    json_object_set_new(th, "min_reviews", json_integer((json_int_t)cfg.min_reviews));
    json_object_set_new(th, "estimated_error", real_or_null(rec.est_error, rec.answered > 0));
    json_object_set_new(th, "target_met", json_boolean(rec.target_met && rec.reviews_needed == 0));
    json_object_set_new(th, "calibration", lk_bot_calibration_json(bot->nlu, bot->company_questions));
    lk_bot_release(bot);
    j->out = json_object();
    json_object_set_new(j->out, "from", lk_json_time(D(j)->from));
    json_object_set_new(j->out, "to", lk_json_time(D(j)->to));
    json_object_set_new(j->out, "reviewed", json_integer(reviewed));
    json_object_set_new(j->out, "right", json_integer(right));
    json_object_set_new(j->out, "wrong", json_integer(reviewed - right));
    json_object_set_new(j->out, "accuracy",
                        real_or_null(reviewed ? (double)right / (double)reviewed : 0, reviewed > 0));
    json_object_set_new(j->out, "by_article", by);
    json_object_set_new(j->out, "threshold", th);
}

static void run_queue(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    lk_review_pending_t *v = NULL;
    size_t n = 0;
    int rc = lk_store_review_queue(st, D(j)->limit, &v, &n);
    if (rc) {
        lk_api_fail_db(j, rc);
        return;
    }
    lk_bot_t *bot = lk_bot_acquire(j->app);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        const lk_review_pending_t *t = &v[i];
        char *q = t->question ? lk_pii_redact(t->question, strlen(t->question)) : NULL;
        char *a = lk_assist_shorten(t->answer, ANSWER_PREVIEW);
        const char *title = article_title(bot, t->article_id);
        json_t *o = json_object();
        json_object_set_new(o, "message_id", json_string(t->message_id));
        json_object_set_new(o, "conversation_id", json_string(t->conversation_id));
        json_object_set_new(o, "question", q ? json_string(q) : json_null());
        json_object_set_new(o, "article_id", json_string(t->article_id));
        json_object_set_new(o, "title", title ? json_string(title) : json_null());
        json_object_set_new(o, "answer", json_string(a));
        json_object_set_new(o, "confidence", real_or_null(t->confidence, t->has_confidence));
        json_object_set_new(o, "created_at", lk_json_time(t->created_at));
        json_array_append_new(arr, o);
        free(q);
        free(a);
    }
    lk_bot_release(bot);
    lk_review_pendings_free(v, n);
    j->out = json_pack("{s:o}", "answers", arr);
}

/* ---- request parameters ------------------------------------------------------------ */

/* A time parameter (RFC 3339, or a date: its midnight, or for an end the
 * midnight after it, so "to=2026-11-23" includes that day). false after 400. */
static bool parse_time(lk_http_req_t *req, const char *name, const char *v, size_t len, bool end, int64_t *out)
{
    char buf[64];
    int64_t ms = 0;
    if (len > 0 && len < sizeof buf) {
        memcpy(buf, v, len);
        buf[len] = '\0';
    }
    if (len == 0 || len >= sizeof buf || lk_time_parse_rfc3339(buf, &ms) != 0) {
        lk_respond_error(req, 400, "invalid_field", "the parameter \"%s\" must be an RFC 3339 time or a date", name);
        return false;
    }
    if (end && len == 10) /* a date alone */
        ms += DAY_MS;
    *out = ms;
    return true;
}

/* The draft's body fields (each also a query parameter; the body's wins). */
static const lk_api_field_t range_fields[] = {
    {"from", LK_FIELD_STRING, .max_len = 63},
    {"to", LK_FIELD_STRING, .max_len = 63},
    {"language", LK_FIELD_STRING, .max_len = 63},
};

/* from, to and (with_language) language from the query, or from the body's
 * fields when the route has them; false after 400. */
static bool read_range(lk_api_job_t *j, bool with_language)
{
    idata_t *d = D(j);
    d->from = lk_time_now_ms() - DEFAULT_RANGE_MS;
    d->to = 0;
    for (size_t k = 0; k < (with_language ? 3u : 2u); k++) {
        const char *name = range_fields[k].name;
        lk_str_t v = {NULL, 0};
        bool given = lk_http_req_query(j->req, name, &v);
        if (j->route->n_fields && j->body[k].given) {
            v = (lk_str_t){j->body[k].s, strlen(j->body[k].s)};
            given = true;
        }
        if (!given || v.len == 0)
            continue;
        if (k == 2) {
            if (v.len >= sizeof d->language)
                v.len = 0; /* too long for any language */
            memcpy(d->language, v.base, v.len);
            d->language[v.len] = '\0';
            if (strlen(d->language) != v.len || !lk_policy_language_valid(d->language)) {
                lk_respond_error(j->req, 400, "invalid_field",
                                 "the parameter \"language\" must be a language code like \"nl\"");
                return false;
            }
        } else if (!parse_time(j->req, name, v.base, v.len, k == 1, k == 0 ? &d->from : &d->to)) {
            return false;
        }
    }
    if (d->to > 0 && d->to <= d->from) {
        lk_respond_error(j->req, 400, "invalid_field", "the parameter \"to\" must be later than \"from\"");
        return false;
    }
    return true;
}

/* limit from the query (default def, 1..max); false after 400. */
static bool read_limit(lk_api_job_t *j, size_t def, size_t max)
{
    D(j)->limit = def;
    lk_str_t v;
    if (!lk_http_req_query(j->req, "limit", &v) || v.len == 0)
        return true;
    char buf[24];
    int64_t n = -1;
    if (v.len < sizeof buf) {
        memcpy(buf, v.base, v.len);
        buf[v.len] = '\0';
        lk_parse_i64(buf, 1, (int64_t)max, &n);
    }
    if (n < 1) {
        lk_respond_error(j->req, 400, "invalid_field", "the parameter \"limit\" must be a whole number from 1 to %zu",
                         max);
        return false;
    }
    D(j)->limit = (size_t)n;
    return true;
}

static bool prepare_gaps(lk_api_job_t *j)
{
    return read_range(j, true) && read_limit(j, TOPICS_DEFAULT, TOPICS_MAX);
}

static bool prepare_draft(lk_api_job_t *j)
{
    return read_range(j, true);
}

static bool prepare_summary(lk_api_job_t *j)
{
    return read_range(j, false);
}

static bool prepare_queue(lk_api_job_t *j)
{
    return read_limit(j, QUEUE_DEFAULT, QUEUE_MAX);
}

static bool is_article_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > LK_KB_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-'))
            return false;
    }
    return true;
}

static const char *const verdicts[] = {"right", "wrong", NULL};
static const lk_api_field_t review_fields[] = {
    [F_VERDICT] = {"verdict", LK_FIELD_ENUM, true, .max_len = 16, .values = verdicts,
                   .invalid = "the field \"verdict\" must be \"right\" or \"wrong\""},
    [F_CORRECT] = {"correct_article_id", LK_FIELD_STRING, .max_len = LK_KB_ID_MAX, .check = is_article_id,
                   .invalid = "the field \"correct_article_id\" must be an article id"},
};

/* The message id from the path; a correct article only with "wrong". */
static bool prepare_review(lk_api_job_t *j)
{
    lk_str_t mid = lk_http_req_param(j->req, "message_id");
    if (mid.len > 0 && mid.len < sizeof D(j)->message_id)
        memcpy(D(j)->message_id, mid.base, mid.len);
    else if (mid.len > 0)
        memcpy(D(j)->message_id, "-", 2);
    lk_verdict_t verdict;
    lk_verdict_parse(j->body[F_VERDICT].s, &verdict);
    if (j->body[F_CORRECT].s && verdict != LK_VERDICT_WRONG) {
        lk_respond_error(j->req, 400, "invalid_field", "the field \"correct_article_id\" goes only with \"wrong\"");
        return false;
    }
    return true;
}

/* ---- the routes -------------------------------------------------------------------- */

#define FIELDS(a) .fields = a, .n_fields = sizeof a / sizeof a[0]
#define DATA .data_size = sizeof(idata_t), .data_free = idata_free

static const lk_api_route_t routes[] = {
    {"GET", "/api/v1/kb/gaps", LK_ACCESS_SUPERVISOR, .steps = {{.pool = LK_ON_READER, .run = run_gaps}}, .prepare = prepare_gaps,
     DATA},
    /* the topic clustered on a reader, its draft stored by the writer */
    {"POST", "/api/v1/kb/gaps/:id/draft", LK_ACCESS_SUPERVISOR, FIELDS(range_fields), .body_optional = true,
     .steps = {{.pool = LK_ON_READER, .run = run_draft_read}, {.pool = LK_ON_WRITER, .run = run_draft_store, .keep_user = true}},
     .prepare = prepare_draft, DATA, .status = 201},
    {"GET", "/api/v1/kb/reviews", LK_ACCESS_SUPERVISOR, .steps = {{.pool = LK_ON_READER, .run = run_summary}},
     .prepare = prepare_summary, DATA},
    {"GET", "/api/v1/kb/reviews/queue", LK_ACCESS_SUPERVISOR, .steps = {{.pool = LK_ON_READER, .run = run_queue}},
     .prepare = prepare_queue, DATA},
    {"POST", "/api/v1/agent/conversations/:id/messages/:message_id/review", LK_ACCESS_AGENT, FIELDS(review_fields),
     .steps = {{.pool = LK_ON_WRITER, .run = run_review}}, .prepare = prepare_review, DATA},
    {"GET", "/api/v1/agent/conversations/:id/reviews", LK_ACCESS_AGENT, .steps = {{.pool = LK_ON_READER, .run = run_reviews_conv}}},
};

void lk_api_insights_table(const lk_api_route_t **r, size_t *n)
{
    *r = routes;
    *n = sizeof routes / sizeof routes[0];
}
