/*
 * Knowledge management (docs/kb.md): the articles with their history, drafts
 * of new articles and of changes, the regression check before publishing,
 * archiving and restoring, "what would the bot do?", and import and export
 * in KB JSON and CSV.
 *
 * Every logged-in user may read; changes (drafts, publishing, archiving,
 * import) are for supervisors and admins. Reads run on the readers. The
 * regression check builds a whole NLU model, which is CPU work of up to a
 * few seconds for a large knowledge base, so it runs on a reader too and
 * never on the writer: publishing is a route of three steps, check (reader),
 * then the write itself in one short writer step (article, version row, audit
 * record, the draft marked published, the answering threshold recalibrated
 * and the KB version bumped, in one transaction), then the published article
 * read back for the answer (reader). The running server's watcher sees the
 * new KB version and swaps in the new bot within kb_poll_ms.
 *
 * The rules of drafts and publishing are kb/'s (draft.c, publish.c); the
 * drafts' and publishing's steps are in knowledge_drafts.c, this file holds
 * reading articles, "what would the bot do?", import and export, and the
 * route table with its prepare and after functions (route.h; knowledge_int.h
 * between the two files).
 */
#include "api/knowledge_int.h"

#include "text/text.h"

#include <stdlib.h>
#include <string.h>

#define MODULE "knowledge"

/* Releases what a request holds (the route's data_free). */
void lk_knowledge_req_free(void *data)
{
    lk_knowledge_req_t *k = data;
    free(k->query);
    lk_draft_clear(&k->in);
    free(k->text);
    free(k->raw);
    lk_kb_free(&k->kb);
    if (k->check)
        json_decref(k->check);
}

/* ---- JSON ------------------------------------------------------------------ */

json_t *lk_knowledge_str_or_null(const char *s)
{
    json_t *v = s && s[0] ? json_string(s) : NULL;
    return v ? v : json_null();
}

json_t *lk_knowledge_time_or_null(int64_t ms)
{
    if (!ms)
        return json_null();
    char ts[LK_RFC3339_LEN];
    lk_time_rfc3339(ms, ts);
    return json_string(ts);
}

json_t *lk_knowledge_strv_json(char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

static int cmp_user(const void *a, const void *b)
{
    return strcmp(((const lk_user_t *)a)->id, ((const lk_user_t *)b)->id);
}

int lk_knowledge_users_load(lk_store_t *st, lk_knowledge_users_t *u)
{
    int rc = lk_store_user_list(st, &u->v, &u->n);
    if (rc == 0 && u->n)
        qsort(u->v, u->n, sizeof *u->v, cmp_user);
    return rc;
}

void lk_knowledge_users_free(lk_knowledge_users_t *u)
{
    lk_users_free(u->v, u->n);
    u->v = NULL;
    u->n = 0;
}

/* A user's display name (else e-mail address) as JSON, null when unknown. */
json_t *lk_knowledge_user_name(const lk_knowledge_users_t *u, const char *id)
{
    if (!id || !id[0] || !u->n)
        return json_null();
    lk_user_t key;
    snprintf(key.id, sizeof key.id, "%s", id);
    const lk_user_t *f = bsearch(&key, u->v, u->n, sizeof *u->v, cmp_user);
    if (!f)
        return json_null();
    return json_string(f->display_name && f->display_name[0] ? f->display_name : f->email);
}

/* Articles sorted by group, to list translations without a quadratic
 * search. */
typedef struct {
    const lk_article_rec_t **by_group;
    size_t n;
} groups_t;

static int cmp_group(const void *a, const void *b)
{
    const lk_article_rec_t *x = *(const lk_article_rec_t *const *)a, *y = *(const lk_article_rec_t *const *)b;
    int c = strcmp(lk_kb_article_group(&x->a), lk_kb_article_group(&y->a));
    return c ? c : strcmp(x->a.language, y->a.language);
}

static void groups_init(groups_t *g, const lk_article_rec_t *all, size_t n)
{
    g->n = n;
    g->by_group = n ? lk_xcalloc(n, sizeof *g->by_group) : NULL;
    for (size_t i = 0; i < n; i++)
        g->by_group[i] = &all[i];
    if (n)
        qsort(g->by_group, n, sizeof *g->by_group, cmp_group);
}

/* The other language versions of r: [{id, language, status}]. */
static json_t *translations_json(const groups_t *g, const lk_article_rec_t *r)
{
    json_t *arr = json_array();
    const char *key = lk_kb_article_group(&r->a);
    /* binary search for the first member of the group */
    size_t lo = 0, hi = g->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(lk_kb_article_group(&g->by_group[mid]->a), key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < g->n && strcmp(lk_kb_article_group(&g->by_group[i]->a), key) == 0; i++) {
        const lk_article_rec_t *o = g->by_group[i];
        if (o == r || strcmp(o->a.id, r->a.id) == 0)
            continue;
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "id", o->a.id, "language", o->a.language, "status",
                                             lk_article_status_name(o->status)));
    }
    return arr;
}

static json_t *article_json(const lk_article_rec_t *r, const groups_t *g, const lk_knowledge_users_t *u, int64_t now)
{
    json_t *o = json_object();
    const lk_article_t *a = &r->a;
    json_object_set_new(o, "id", json_string(a->id));
    json_object_set_new(o, "language", json_string(a->language));
    json_object_set_new(o, "title", json_string(a->title));
    json_object_set_new(o, "questions", lk_knowledge_strv_json(a->questions, a->n_questions));
    json_object_set_new(o, "answer", json_string(a->answer));
    json_object_set_new(o, "url", lk_knowledge_str_or_null(a->url));
    json_object_set_new(o, "tags", lk_knowledge_strv_json(a->tags, a->n_tags));
    json_object_set_new(o, "status", json_string(lk_article_status_name(r->status)));
    json_object_set_new(o, "owner", lk_knowledge_str_or_null(a->owner));
    json_object_set_new(o, "owner_name", lk_knowledge_user_name(u, a->owner));
    json_object_set_new(o, "review_by", lk_knowledge_time_or_null(a->review_by));
    json_object_set_new(o, "review_due",
                        json_boolean(a->review_by && a->review_by <= now && r->status == LK_ARTICLE_PUBLISHED));
    json_t *tr = translations_json(g, r);
    bool grouped = json_array_size(tr) > 0 || (a->translation_group && a->translation_group[0]);
    json_object_set_new(o, "translation_group", grouped ? json_string(lk_kb_article_group(a)) : json_null());
    json_object_set_new(o, "translations", tr);
    json_object_set_new(o, "version", json_integer(r->version));
    json_object_set_new(o, "updated_at", lk_knowledge_time_or_null(r->updated_at));
    json_object_set_new(o, "updated_by", lk_knowledge_str_or_null(r->updated_by));
    json_object_set_new(o, "updated_by_name", lk_knowledge_user_name(u, r->updated_by));
    return o;
}

static json_t *version_json(const lk_article_version_t *v, const lk_knowledge_users_t *u)
{
    json_t *o = json_object();
    json_object_set_new(o, "version", json_integer(v->version));
    json_object_set_new(o, "change", json_string(lk_change_name(v->change)));
    json_object_set_new(o, "status", json_string(lk_article_status_name(v->status)));
    json_object_set_new(o, "changed_by", lk_knowledge_str_or_null(v->changed_by));
    json_object_set_new(o, "changed_by_name", lk_knowledge_user_name(u, v->changed_by));
    json_object_set_new(o, "changed_at", lk_knowledge_time_or_null(v->changed_at));
    json_object_set_new(o, "language", json_string(v->a.language));
    json_object_set_new(o, "title", json_string(v->a.title));
    json_object_set_new(o, "questions", lk_knowledge_strv_json(v->a.questions, v->a.n_questions));
    json_object_set_new(o, "answer", json_string(v->a.answer));
    json_object_set_new(o, "url", lk_knowledge_str_or_null(v->a.url));
    json_object_set_new(o, "tags", lk_knowledge_strv_json(v->a.tags, v->a.n_tags));
    json_object_set_new(o, "owner", lk_knowledge_str_or_null(v->a.owner));
    json_object_set_new(o, "review_by", lk_knowledge_time_or_null(v->a.review_by));
    json_object_set_new(o, "translation_group", lk_knowledge_str_or_null(v->a.translation_group));
    return o;
}

/* ---- reading articles -------------------------------------------------------- */

/* Every article and every user (to name owners and authors); false after
 * a database error. */
static bool load_all(lk_api_job_t *j, lk_store_t *st, lk_article_rec_t **all, size_t *n, lk_knowledge_users_t *u)
{
    int rc = lk_store_article_list(st, LK_ARTICLE_NONE, all, n);
    if (rc == 0)
        rc = lk_knowledge_users_load(st, u);
    if (rc) {
        lk_article_recs_free(*all, *n);
        lk_api_fail_db(j, rc);
    }
    return rc == 0;
}

static void run_list(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    lk_knowledge_req_t *k = j->data;
    lk_article_rec_t *all = NULL;
    size_t n = 0;
    lk_knowledge_users_t u = {NULL, 0};
    if (!load_all(j, st, &all, &n, &u))
        return;
    groups_t g;
    groups_init(&g, all, n);
    char *q = k->query ? lk_text_search_fold(k->query) : NULL;
    lk_article_status_t status; /* NONE for "all" */
    lk_article_status_parse(k->status, &status);
    json_t *arr = json_array();
    size_t due = 0;
    for (size_t i = 0; i < n; i++) {
        const lk_article_rec_t *r = &all[i];
        if (status != LK_ARTICLE_NONE && r->status != status)
            continue;
        if (k->language[0] && strcmp(r->a.language, k->language) != 0)
            continue;
        if (q && !lk_kb_article_matches(&r->a, q))
            continue;
        json_t *o = article_json(r, &g, &u, now);
        due += json_is_true(json_object_get(o, "review_due"));
        json_array_append_new(arr, o);
    }
    free(q);
    free(g.by_group);
    lk_knowledge_users_free(&u);
    lk_article_recs_free(all, n);
    j->out = json_pack("{s:o, s:I}", "articles", arr, "review_due", (json_int_t)due);
}

/* The article j->id (after a publish: the one published) with its
 * translations, answer_html and versions. */
void lk_knowledge_run_get(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    lk_knowledge_req_t *k = j->data;
    const char *id = k->article_id[0] ? k->article_id : j->id;
    lk_article_rec_t *all = NULL;
    size_t n = 0;
    lk_knowledge_users_t u = {NULL, 0};
    if (!load_all(j, st, &all, &n, &u))
        return;
    const lk_article_rec_t *r = NULL;
    for (size_t i = 0; i < n && !r; i++)
        if (strcmp(all[i].a.id, id) == 0)
            r = &all[i];
    if (!r) {
        lk_api_fail(j, LK_ENOENT, 404, "not_found", "no article with this id");
    } else {
        groups_t g;
        groups_init(&g, all, n);
        json_t *o = article_json(r, &g, &u, now);
        free(g.by_group);
        char *html = lk_md_to_html(r->a.answer, strlen(r->a.answer));
        json_object_set_new(o, "answer_html", json_string(html));
        free(html);
        char *text = lk_md_to_text(r->a.answer, strlen(r->a.answer));
        json_object_set_new(o, "answer_text", json_string(text));
        free(text);
        lk_article_version_t *v = NULL;
        size_t nv = 0;
        int rc = lk_store_article_versions(st, id, VERSIONS_MAX, &v, &nv);
        json_t *vers = json_array();
        for (size_t i = 0; rc == 0 && i < nv; i++)
            json_array_append_new(vers, version_json(&v[i], &u));
        lk_article_versions_free(v, nv);
        json_object_set_new(o, "versions", vers);
        if (rc) {
            json_decref(o);
            lk_api_fail_db(j, rc);
        } else {
            if (k->check) { /* after a publish: the regression check it ran */
                json_object_set(k->check, "article", o);
                json_decref(o);
                o = json_incref(k->check);
            }
            j->out = o;
        }
    }
    lk_knowledge_users_free(&u);
    lk_article_recs_free(all, n);
}

static void set_archived(lk_api_job_t *j, lk_store_t *st, int64_t now, bool archive)
{
    int64_t version = 0;
    int rc = lk_store_article_set_archived(st, j->id, archive, j->user.id, now, &version);
    if (rc == LK_ENOENT) {
        lk_api_fail(j, rc, 404, "not_found", "no article with this id");
        return;
    }
    if (rc == LK_ESTATE) {
        lk_api_fail(j, rc, 409, "conflict",
                    archive ? "the article is archived already" : "the article is not archived");
        return;
    }
    char detail[LK_KB_ID_MAX + 48];
    snprintf(detail, sizeof detail, "%s version %lld", j->id, (long long)version);
    if (rc == 0)
        rc = lk_store_audit(st, now, j->user.id, archive ? "kb.archive" : "kb.restore", NULL, detail);
    if (rc)
        lk_api_fail_db(j, rc);
}

static void run_archive(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    set_archived(j, st, now, true);
}

static void run_restore(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    set_archived(j, st, now, false);
}

/* ---- "what would the bot do?" ------------------------------------------------------ */

/* What the conversation policy would do with the reading as the first
 * question of a new conversation: {"action", "handoff_reason",
 * "article_ids", "choices" (the articles offered, in order), "replies"}. */
static json_t *policy_hint(lk_api_job_t *j, lk_store_t *st, const lk_bot_t *bot, const lk_nlu_reading_t *r,
                           const char *lang, int64_t now)
{
    lk_knowledge_req_t *k = j->data;
    lk_policy_state_t s0, s1, s2;
    lk_policy_state_init(&s0, lang);
    lk_conv_t conv;
    memset(&conv, 0, sizeof conv);
    conv.status = LK_CONV_BOT;
    lk_policy_env_t env = {.kb = &bot->kb};
    lk_queue_env(st, &conv, now, &env);
    lk_policy_actions_t acts = {NULL, 0};
    lk_policy_event_t start = {.type = LK_EV_START};
    if (lk_policy_step(&j->app->policy, &s0, &start, &env, &s1, &acts) != 0)
        return json_null();
    lk_policy_actions_free(&acts);
    lk_policy_event_t ev = {.type = LK_EV_MESSAGE, .text = k->text, .len = strlen(k->text), .reading = r};
    if (lk_policy_step(&j->app->policy, &s1, &ev, &env, &s2, &acts) != 0)
        return json_null();
    const char *action = "other";
    lk_handoff_reason_t reason = LK_HANDOFF_NONE;
    json_t *ids = json_array(), *replies = json_array(), *offered = json_array();
    bool answered = false, declined = false, disclosed = false, replied = false, handoff = false, chose = false;
    for (size_t i = 0; i < acts.n; i++) {
        const lk_policy_action_t *a = &acts.items[i];
        if (a->type == LK_ACTION_HANDOFF) {
            handoff = true;
            reason = a->reason;
        } else if (a->type == LK_ACTION_SAY) {
            answered |= a->kind == LK_SAY_ANSWER;
            declined |= a->kind == LK_SAY_DECLINE;
            disclosed |= a->kind == LK_SAY_DISCLOSURE;
            replied |= a->kind == LK_SAY_REPLY;
            chose |= a->kind == LK_SAY_CHOICES;
            for (size_t c = 0; c < a->n_choices; c++)
                if (a->choices[c] >= 0 && (size_t)a->choices[c] < bot->kb.n_articles)
                    json_array_append_new(offered,
                                          json_pack("{s:s, s:s}", "article_id", bot->kb.articles[a->choices[c]].id,
                                                    "title", bot->kb.articles[a->choices[c]].title));
            if (a->kind == LK_SAY_ANSWER && a->article >= 0 && (size_t)a->article < bot->kb.n_articles)
                json_array_append_new(ids, json_string(bot->kb.articles[a->article].id));
            json_array_append_new(replies, json_pack("{s:s, s:s, s:s}", "sender", lk_sender_name(a->sender), "kind",
                                                     lk_policy_say_kind_name(a->kind), "text", a->text ? a->text : ""));
        }
    }
    lk_policy_actions_free(&acts);
    action = handoff     ? "handoff"
             : answered  ? "answer"
             : chose     ? "choices"
             : declined  ? "decline"
             : disclosed ? "disclosure"
             : replied   ? "reply"
                         : "other";
    return json_pack("{s:s, s:o, s:o, s:o, s:o}", "action", action, "handoff_reason",
                     handoff ? json_string(lk_handoff_reason_name(reason)) : json_null(), "article_ids", ids, "choices",
                     offered, "replies", replies);
}

static void run_try(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    lk_knowledge_req_t *k = j->data;
    lk_bot_t *bot = lk_bot_acquire(j->app);
    lk_nlu_context_t ctx = {NULL, 0, k->language[0] ? k->language : NULL};
    lk_nlu_reading_t r;
    int rc = lk_nlu_read(bot->nlu, k->text, strlen(k->text), &ctx, &r);
    if (rc) {
        lk_bot_release(bot);
        lk_api_fail(j, rc, 400, "invalid_field", "the field \"text\" cannot be read");
        return;
    }
    json_t *top = json_array();
    for (size_t i = 0; i < r.n_top; i++) {
        if (r.top[i].article < 0 || (size_t)r.top[i].article >= bot->kb.n_articles)
            continue;
        const lk_article_t *a = &bot->kb.articles[r.top[i].article];
        json_array_append_new(top, json_pack("{s:s, s:s, s:s, s:f}", "article_id", a->id, "title", a->title, "language",
                                             a->language, "confidence", r.top[i].confidence));
    }
    /* a conversation starts in the language the widget asks for, "nl" by
     * default; the policy follows the reading from there */
    const char *lang = k->language[0] ? k->language : "nl";
    json_t *signals =
        json_pack("{s:f, s:f, s:f, s:f, s:f, s:f}", "person_request", r.signals.person_request, "bot_question",
                  r.signals.bot_question, "negative", r.signals.negative, "complaint", r.signals.complaint,
                  "multi_question", r.signals.multi_question, "repeat", r.signals.repeat);
    /* unsure between a few articles: the bot offers them ("choices", in order) */
    json_t *choices = json_array();
    for (size_t i = 0; !r.answer && r.ask && i < r.n_choices && i < r.n_top; i++)
        if (r.top[i].article >= 0 && (size_t)r.top[i].article < bot->kb.n_articles)
            json_array_append_new(choices, json_pack("{s:s, s:s}", "article_id", bot->kb.articles[r.top[i].article].id,
                                                     "title", bot->kb.articles[r.top[i].article].title));
    const char *decision = r.answer ? "answer" : json_array_size(choices) >= 2 ? "choice" : "decline";
    if (strcmp(decision, "choice") != 0)
        json_array_clear(choices);
    j->out = json_pack("{s:s, s:o, s:o, s:f, s:f, s:o, s:o, s:o, s:I}", "decision", decision, "choices", choices,
                       "language", lk_knowledge_str_or_null(r.language), "language_confidence", r.language_confidence,
                       "threshold", lk_nlu_threshold(bot->nlu), "top", top, "signals", signals, "policy_hint",
                       policy_hint(j, st, bot, &r, lang, now), "kb_version", (json_int_t)bot->version);
    /* why: the words that matched the best article (and the synonyms read as
     * its words), and those it does not know */
    lk_nlu_explanation_t ex;
    if (lk_nlu_explain(bot->nlu, k->text, strlen(k->text), &ctx, r.n_top ? r.top[0].article : -1, &ex) == 0) {
        json_t *e = json_object();
        json_t *m = json_array(), *o = json_array(), *u = json_array();
        for (size_t i = 0; i < ex.n_matched; i++)
            json_array_append_new(m, json_string(ex.matched[i]));
        for (size_t i = 0; i < ex.n_other; i++)
            json_array_append_new(o, json_string(ex.other[i]));
        for (size_t i = 0; i < ex.n_unknown; i++)
            json_array_append_new(u, json_string(ex.unknown[i]));
        json_object_set_new(e, "matched", m);
        json_object_set_new(e, "other_known", o);
        json_object_set_new(e, "unknown", u);
        json_object_set_new(e, "function_words_only", json_boolean(ex.function_words_only));
        json_t *via = json_object(); /* matched through the synonym lexicon: {"word": "known word"} */
        for (size_t i = 0; i < ex.n_via; i++)
            json_object_set_new(via, ex.via[i].word, json_string(ex.via[i].as));
        json_object_set_new(e, "synonyms", via);
        json_object_set_new(j->out, "explanation", e);
    }
    json_object_set_new(j->out, "calibration", lk_bot_calibration_json(bot->nlu, bot->company_questions));
    lk_bot_release(bot);
}

/* ---- import and export --------------------------------------------------------------- */

static void run_export(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    lk_knowledge_req_t *k = j->data;
    int rc = lk_store_kb_export(st, &k->kb);
    if (rc) {
        lk_api_fail_db(j, rc);
        return;
    }
    k->raw = k->format == LK_KB_FORMAT_CSV ? lk_kb_to_csv(&k->kb) : lk_kb_to_json(&k->kb);
    if (!k->raw) {
        lk_api_fail(j, LK_EINVAL, 500, "internal", "the knowledge base holds an article that cannot be exported");
        return;
    }
    k->raw_len = strlen(k->raw);
}

static void run_import_parse(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    lk_knowledge_req_t *k = j->data;
    char err[512];
    int rc = k->format == LK_KB_FORMAT_CSV ? lk_kb_parse_csv(k->raw, k->raw_len, &k->kb, err, sizeof err)
                                           : lk_kb_parse(k->raw, k->raw_len, &k->kb, err, sizeof err);
    free(k->raw);
    k->raw = NULL;
    if (rc)
        lk_api_fail_long(j, rc == LK_EJSON ? "invalid_json" : "invalid_kb", err);
}

static void run_import_write(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    lk_knowledge_req_t *k = j->data;
    lk_kb_import_counts_t c;
    int rc = lk_store_kb_import_as(st, &k->kb, k->replace, j->user.id, now, &c);
    char detail[160];
    snprintf(detail, sizeof detail, "%s%s: %zu created, %zu updated, %zu unchanged, %zu archived",
             k->format == LK_KB_FORMAT_CSV ? "csv" : "json", k->replace ? " replace" : "", c.created, c.updated,
             c.unchanged, c.archived);
    if (rc == 0)
        rc = lk_store_audit(st, now, j->user.id, "kb.import", NULL, detail);
    if (rc) {
        lk_api_fail_db(j, rc);
        return;
    }
    j->out = json_pack("{s:I, s:I, s:I, s:I, s:I, s:b}", "articles", (json_int_t)k->kb.n_articles, "created",
                       (json_int_t)c.created, "updated", (json_int_t)c.updated, "unchanged", (json_int_t)c.unchanged,
                       "archived", (json_int_t)c.archived, "replace", k->replace);
}

/* ---- the answers ------------------------------------------------------------------- */

/* The export is a download in its format. */
static bool answer_export(lk_api_job_t *j)
{
    const lk_knowledge_req_t *k = j->data;
    if (j->job.rc)
        return true;
    bool csv = k->format == LK_KB_FORMAT_CSV;
    lk_http_res_header(j->req, "content-disposition",
                       csv ? "attachment; filename=\"loket-kb.csv\"" : "attachment; filename=\"loket-kb.json\"");
    lk_http_res_header(j->req, "cache-control", "no-store");
    lk_http_respond(j->req, 200, csv ? "text/csv; charset=utf-8" : "application/json", k->raw, k->raw_len);
    return false;
}

/* ---- the query and the body, on the loop ------------------------------------------------ */

bool lk_knowledge_is_language(const char *s, size_t len)
{
    return len == 2 && ((s[0] == 'n' && s[1] == 'l') || (s[0] == 'e' && s[1] == 'n'));
}

static bool prepare_list(lk_api_job_t *j)
{
    static const char *const statuses[] = {"published", "archived", "all", NULL};
    static const char *const languages[] = {"", "nl", "en", NULL};
    lk_knowledge_req_t *k = j->data;
    if (!lk_api_query_choice(j, "status", statuses, k->status, sizeof k->status,
                             "the parameter \"status\" must be \"published\", \"archived\" or \"all\"") ||
        !lk_api_query_choice(j, "language", languages, k->language, sizeof k->language,
                             "the parameter \"language\" must be \"nl\" or \"en\""))
        return false;
    return lk_api_query_search(j, "q", QUERY_MAX, &k->query);
}

/* ?format=json|csv (json by default); false after a 400. */
static bool prepare_export(lk_api_job_t *j)
{
    static const char *const formats[] = {"json", "csv", NULL};
    lk_knowledge_req_t *k = j->data;
    char format[8];
    if (!lk_api_query_choice(j, "format", formats, format, sizeof format,
                             "the parameter \"format\" must be \"json\" or \"csv\""))
        return false;
    k->format = strcmp(format, "csv") == 0 ? LK_KB_FORMAT_CSV : LK_KB_FORMAT_JSON;
    return true;
}

/* The format, ?replace=true|false, and the body as sent (NUL bytes
 * included: the parsers refuse them), parsed on a reader after the session
 * check, then written. */
static bool prepare_import(lk_api_job_t *j)
{
    lk_knowledge_req_t *k = j->data;
    if (!prepare_export(j) || !lk_api_query_flag(j, "replace", &k->replace))
        return false;
    k->raw = lk_api_body_copy(j, &k->raw_len);
    return true;
}

enum { F_TEXT, F_LANGUAGE };

static bool prepare_try(lk_api_job_t *j)
{
    lk_knowledge_req_t *k = j->data;
    k->text = lk_xstrdup(j->body[F_TEXT].s);
    if (j->body[F_LANGUAGE].given)
        snprintf(k->language, sizeof k->language, "%s", j->body[F_LANGUAGE].s);
    return true;
}

/* ---- the table ------------------------------------------------------------------------ */

static const char *const languages[] = {"nl", "en", NULL};

static const lk_api_field_t try_fields[] = {
    [F_TEXT] = {.name = "text", .type = LK_FIELD_STRING, .required = true, .max_len = LK_API_MAX_TEXT},
    [F_LANGUAGE] = {.name = "language",
                    .type = LK_FIELD_ENUM,
                    .max_len = 2,
                    .values = languages,
                    .invalid = "the field \"language\" must be \"nl\" or \"en\""},
};

static const lk_api_route_t routes[] = {
    {"GET", "/api/v1/kb/articles", KB_READ, .steps = {{.pool = LK_ON_READER, .run = run_list}}, .prepare = prepare_list, KB_REQ},
    {"GET", "/api/v1/kb/articles/:id", KB_READ, .steps = {{.pool = LK_ON_READER, .run = lk_knowledge_run_get}}, KB_REQ},
    /* archived or restored, then answered with the article as it is now */
    {"POST", "/api/v1/kb/articles/:id/archive", KB_MANAGE, .steps = {{.pool = LK_ON_WRITER, .run = run_archive}, {.pool = LK_ON_READER, .run = lk_knowledge_run_get}},
     KB_REQ},
    {"POST", "/api/v1/kb/articles/:id/restore", KB_MANAGE, .steps = {{.pool = LK_ON_WRITER, .run = run_restore}, {.pool = LK_ON_READER, .run = lk_knowledge_run_get}},
     KB_REQ},
    {"POST", "/api/v1/kb/try", KB_READ, .fields = try_fields, .n_fields = 2, .steps = {{.pool = LK_ON_READER, .run = run_try}},
     .prepare = prepare_try, KB_REQ},
    {"GET", "/api/v1/kb/export", KB_READ, .steps = {{.pool = LK_ON_READER, .run = run_export}}, .prepare = prepare_export,
     .after = answer_export, KB_REQ},
    {"POST", "/api/v1/kb/import", KB_MANAGE, .steps = {{.pool = LK_ON_READER, .run = run_import_parse}, {.pool = LK_ON_WRITER, .run = run_import_write}},
     .prepare = prepare_import, KB_REQ},
};

void lk_api_knowledge_table(const lk_api_route_t **r, size_t *n)
{
    *r = routes;
    *n = sizeof routes / sizeof routes[0];
}
