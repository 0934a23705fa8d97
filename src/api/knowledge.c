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
 * never on the writer: publishing is a chain of jobs, check (reader), then
 * the write itself in one short writer job (article, version row, audit
 * record, the draft marked published, the answering threshold recalibrated
 * and the KB version bumped, in one transaction), then the published article
 * read back for the answer (reader). The running server's watcher sees the
 * new KB version and swaps in the new bot within kb_poll_ms.
 *
 * The rules of drafts and publishing are kb/'s (draft.c, publish.c); the
 * drafts' and publishing's steps are in knowledge_drafts.c, this file holds
 * the job, reading articles, "what would the bot do?", import and export,
 * and the handlers (knowledge_int.h between the two).
 */
#include "api/knowledge_int.h"

#include "text/text.h"

#include <stdlib.h>
#include <string.h>

#define MODULE "knowledge"

void lk_knowledge_job_free(kjob_t *j)
{
    free(j->query);
    lk_draft_clear(&j->in);
    free(j->text);
    free(j->raw);
    lk_kb_free(&j->kb);
    lk_user_clear(&j->user);
    if (j->check)
        json_decref(j->check);
    if (j->out)
        json_decref(j->out);
    free(j);
}

void lk_knowledge_fail(kjob_t *j, int rc, int status, const char *code, const char *msg)
{
    lk_job_fail(&j->job, &j->err, rc, status, code, msg);
}

void lk_knowledge_fail_db(kjob_t *j, int rc)
{
    lk_job_fail_db(&j->job, &j->err, rc);
}

/* A 400 whose message may be long (it names an article and a field). */
void lk_knowledge_fail_long(kjob_t *j, const char *code, const char *msg)
{
    snprintf(j->errmsg, sizeof j->errmsg, "%s", msg);
    lk_knowledge_fail(j, LK_EINVAL, 400, code, msg);
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
        json_array_append_new(
            arr, json_pack("{s:s, s:s, s:s}", "id", o->a.id, "language", o->a.language, "status", o->status));
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
    json_object_set_new(o, "status", json_string(r->status));
    json_object_set_new(o, "owner", lk_knowledge_str_or_null(a->owner));
    json_object_set_new(o, "owner_name", lk_knowledge_user_name(u, a->owner));
    json_object_set_new(o, "review_by", lk_knowledge_time_or_null(a->review_by));
    json_object_set_new(o, "review_due",
                        json_boolean(a->review_by && a->review_by <= now && strcmp(r->status, "published") == 0));
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
    json_object_set_new(o, "change", json_string(v->change));
    json_object_set_new(o, "status", json_string(v->status));
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

static bool authenticate(kjob_t *j, lk_store_t *st, int64_t now)
{
    return lk_api_authenticate(&j->job, &j->err, st, j->session_hash, now, &j->user);
}

static bool require_manager(kjob_t *j)
{
    return lk_api_require_role(&j->job, &j->err, &j->user, "supervisor", "admin");
}

/* Every article and every user (to name owners and authors); false after
 * a database error. */
static bool load_all(kjob_t *j, lk_store_t *st, lk_article_rec_t **all, size_t *n, lk_knowledge_users_t *u)
{
    int rc = lk_store_article_list(st, NULL, all, n);
    if (rc == 0)
        rc = lk_knowledge_users_load(st, u);
    if (rc) {
        lk_article_recs_free(*all, *n);
        lk_knowledge_fail_db(j, rc);
    }
    return rc == 0;
}

static void run_list(kjob_t *j, lk_store_t *st, int64_t now)
{
    lk_article_rec_t *all = NULL;
    size_t n = 0;
    lk_knowledge_users_t u = {NULL, 0};
    if (!load_all(j, st, &all, &n, &u))
        return;
    groups_t g;
    groups_init(&g, all, n);
    char *q = j->query ? lk_text_search_fold(j->query) : NULL;
    json_t *arr = json_array();
    size_t due = 0;
    for (size_t i = 0; i < n; i++) {
        const lk_article_rec_t *r = &all[i];
        if (strcmp(j->status, "all") != 0 && strcmp(r->status, j->status) != 0)
            continue;
        if (j->language[0] && strcmp(r->a.language, j->language) != 0)
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
    j->status_code = 200;
}

/* The article j->id with its translations, answer_html and versions. */
static void run_get(kjob_t *j, lk_store_t *st, int64_t now)
{
    lk_article_rec_t *all = NULL;
    size_t n = 0;
    lk_knowledge_users_t u = {NULL, 0};
    if (!load_all(j, st, &all, &n, &u))
        return;
    const lk_article_rec_t *r = NULL;
    for (size_t i = 0; i < n && !r; i++)
        if (strcmp(all[i].a.id, j->id) == 0)
            r = &all[i];
    if (!r) {
        lk_knowledge_fail(j, LK_ENOENT, 404, "not_found", "no article with this id");
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
        int rc = lk_store_article_versions(st, j->id, VERSIONS_MAX, &v, &nv);
        json_t *vers = json_array();
        for (size_t i = 0; rc == 0 && i < nv; i++)
            json_array_append_new(vers, version_json(&v[i], &u));
        lk_article_versions_free(v, nv);
        json_object_set_new(o, "versions", vers);
        if (rc) {
            json_decref(o);
            lk_knowledge_fail_db(j, rc);
        } else {
            if (j->check) { /* after a publish: the regression check it ran */
                json_object_set(j->check, "article", o);
                json_decref(o);
                o = json_incref(j->check);
            }
            j->out = o;
            j->status_code = 200;
        }
    }
    lk_knowledge_users_free(&u);
    lk_article_recs_free(all, n);
}

static void run_set_archived(kjob_t *j, lk_store_t *st, int64_t now)
{
    int64_t version = 0;
    int rc = lk_store_article_set_archived(st, j->id, j->archive, j->user.id, now, &version);
    if (rc == LK_ENOENT) {
        lk_knowledge_fail(j, rc, 404, "not_found", "no article with this id");
        return;
    }
    if (rc == LK_ESTATE) {
        lk_knowledge_fail(j, rc, 409, "conflict",
                          j->archive ? "the article is archived already" : "the article is not archived");
        return;
    }
    char detail[LK_KB_ID_MAX + 48];
    snprintf(detail, sizeof detail, "%s version %lld", j->id, (long long)version);
    if (rc == 0)
        rc = lk_store_audit(st, now, j->user.id, j->archive ? "kb.archive" : "kb.restore", NULL, detail);
    if (rc)
        lk_knowledge_fail_db(j, rc);
}

/* ---- "what would the bot do?" ------------------------------------------------------ */

/* What the conversation policy would do with the reading as the first
 * question of a new conversation: {"action", "handoff_reason",
 * "article_ids", "replies"}. */
static json_t *policy_hint(kjob_t *j, lk_store_t *st, const lk_bot_t *bot, const lk_nlu_reading_t *r, const char *lang,
                           int64_t now)
{
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
    lk_policy_event_t ev = {.type = LK_EV_MESSAGE, .text = j->text, .len = strlen(j->text), .reading = r};
    if (lk_policy_step(&j->app->policy, &s1, &ev, &env, &s2, &acts) != 0)
        return json_null();
    const char *action = "other";
    lk_handoff_reason_t reason = LK_HANDOFF_NONE;
    json_t *ids = json_array(), *replies = json_array();
    bool answered = false, declined = false, disclosed = false, replied = false, handoff = false;
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
            if (a->kind == LK_SAY_ANSWER && a->article >= 0 && (size_t)a->article < bot->kb.n_articles)
                json_array_append_new(ids, json_string(bot->kb.articles[a->article].id));
            json_array_append_new(replies, json_pack("{s:s, s:s, s:s}", "sender", a->sender, "kind",
                                                     lk_policy_say_kind_name(a->kind), "text", a->text ? a->text : ""));
        }
    }
    lk_policy_actions_free(&acts);
    action = handoff     ? "handoff"
             : answered  ? "answer"
             : declined  ? "decline"
             : disclosed ? "disclosure"
             : replied   ? "reply"
                         : "other";
    return json_pack("{s:s, s:o, s:o, s:o}", "action", action, "handoff_reason",
                     handoff ? json_string(lk_handoff_reason_name(reason)) : json_null(), "article_ids", ids, "replies",
                     replies);
}

static void run_try(kjob_t *j, lk_store_t *st, int64_t now)
{
    lk_bot_t *bot = lk_bot_acquire(j->app);
    lk_nlu_context_t ctx = {NULL, 0, j->language[0] ? j->language : NULL};
    lk_nlu_reading_t r;
    int rc = lk_nlu_read(bot->nlu, j->text, strlen(j->text), &ctx, &r);
    if (rc) {
        lk_bot_release(bot);
        lk_knowledge_fail(j, rc, 400, "invalid_field", "the field \"text\" cannot be read");
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
    const char *lang = j->language[0] ? j->language : "nl";
    json_t *signals =
        json_pack("{s:f, s:f, s:f, s:f, s:f, s:f}", "person_request", r.signals.person_request, "bot_question",
                  r.signals.bot_question, "negative", r.signals.negative, "complaint", r.signals.complaint,
                  "multi_question", r.signals.multi_question, "repeat", r.signals.repeat);
    j->out = json_pack("{s:s, s:o, s:f, s:f, s:o, s:o, s:o, s:I}", "decision", r.answer ? "answer" : "decline",
                       "language", lk_knowledge_str_or_null(r.language), "language_confidence", r.language_confidence,
                       "threshold", lk_nlu_threshold(bot->nlu), "top", top, "signals", signals, "policy_hint",
                       policy_hint(j, st, bot, &r, lang, now), "kb_version", (json_int_t)bot->version);
    /* why: the words that matched the best article (and the synonyms read as
     * its words), and those it does not know */
    lk_nlu_explanation_t ex;
    if (lk_nlu_explain(bot->nlu, j->text, strlen(j->text), &ctx, r.n_top ? r.top[0].article : -1, &ex) == 0) {
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
    json_object_set_new(j->out, "calibration", lk_bot_calibration_json(bot->nlu));
    j->status_code = 200;
    lk_bot_release(bot);
}

/* ---- import and export --------------------------------------------------------------- */

static void run_export(kjob_t *j, lk_store_t *st)
{
    int rc = lk_store_kb_export(st, &j->kb);
    if (rc) {
        lk_knowledge_fail_db(j, rc);
        return;
    }
    j->raw = j->format == LK_KB_FORMAT_CSV ? lk_kb_to_csv(&j->kb) : lk_kb_to_json(&j->kb);
    if (!j->raw) {
        lk_knowledge_fail(j, LK_EINVAL, 500, "internal", "the knowledge base holds an article that cannot be exported");
        return;
    }
    j->raw_len = strlen(j->raw);
    j->status_code = 200;
}

static void run_import_parse(kjob_t *j)
{
    char err[512];
    int rc = j->format == LK_KB_FORMAT_CSV ? lk_kb_parse_csv(j->raw, j->raw_len, &j->kb, err, sizeof err)
                                           : lk_kb_parse(j->raw, j->raw_len, &j->kb, err, sizeof err);
    free(j->raw);
    j->raw = NULL;
    if (rc)
        lk_knowledge_fail_long(j, rc == LK_EJSON ? "invalid_json" : "invalid_kb", err);
}

static void run_import_write(kjob_t *j, lk_store_t *st, int64_t now)
{
    lk_kb_import_counts_t c;
    int rc = lk_store_kb_import_as(st, &j->kb, j->replace, j->user.id, now, &c);
    char detail[160];
    snprintf(detail, sizeof detail, "%s%s: %zu created, %zu updated, %zu unchanged, %zu archived",
             j->format == LK_KB_FORMAT_CSV ? "csv" : "json", j->replace ? " replace" : "", c.created, c.updated,
             c.unchanged, c.archived);
    if (rc == 0)
        rc = lk_store_audit(st, now, j->user.id, "kb.import", NULL, detail);
    if (rc) {
        lk_knowledge_fail_db(j, rc);
        return;
    }
    j->out = json_pack("{s:I, s:I, s:I, s:I, s:I, s:b}", "articles", (json_int_t)j->kb.n_articles, "created",
                       (json_int_t)c.created, "updated", (json_int_t)c.updated, "unchanged", (json_int_t)c.unchanged,
                       "archived", (json_int_t)c.archived, "replace", j->replace);
    j->status_code = 200;
}

/* ---- the job ------------------------------------------------------------------------ */

static bool is_change(op_t op)
{
    return op != OP_LIST && op != OP_GET && op != OP_DRAFTS && op != OP_DRAFT_GET && op != OP_TRY && op != OP_EXPORT;
}

static void job_run(lk_job_t *job, lk_store_t *st)
{
    kjob_t *j = (kjob_t *)job;
    int64_t now = lk_time_now_ms();
    if (!authenticate(j, st, now))
        return;
    if (is_change(j->op) && !require_manager(j))
        return;
    switch (j->op) {
    case OP_LIST:
        run_list(j, st, now);
        break;
    case OP_GET:
        run_get(j, st, now);
        break;
    case OP_SET_ARCHIVED:
        run_set_archived(j, st, now);
        break;
    case OP_DRAFTS:
        lk_knowledge_run_drafts(j, st);
        break;
    case OP_DRAFT_GET:
        lk_knowledge_run_draft_get(j, st);
        break;
    case OP_DRAFT_CREATE:
        lk_knowledge_run_draft_create(j, st, now);
        break;
    case OP_DRAFT_UPDATE:
        lk_knowledge_run_draft_update(j, st, now);
        break;
    case OP_DRAFT_DELETE:
        lk_knowledge_run_draft_delete(j, st, now);
        break;
    case OP_PREVIEW:
    case OP_PUBLISH_CHECK:
        lk_knowledge_run_preview(j, st);
        break;
    case OP_PUBLISH_WRITE:
        lk_knowledge_run_publish_write(j, st, now);
        break;
    case OP_TRY:
        run_try(j, st, now);
        break;
    case OP_EXPORT:
        run_export(j, st);
        break;
    case OP_IMPORT_PARSE:
        run_import_parse(j);
        break;
    case OP_IMPORT_WRITE:
        run_import_write(j, st, now);
        break;
    }
}

static void job_done(lk_job_t *job)
{
    kjob_t *j = (kjob_t *)job;
    if (j->job.rc) {
        if (j->errmsg[0] && j->err.status == 400)
            lk_respond_error(j->req, 400, j->err.code, "%s", j->errmsg);
        else
            lk_respond_job_error(j->req, &j->err);
        lk_knowledge_job_free(j);
        return;
    }
    /* the next step of a chain */
    op_t next = j->op;
    lk_pool_t *pool = NULL;
    switch (j->op) {
    case OP_PUBLISH_CHECK:
        next = OP_PUBLISH_WRITE;
        pool = j->app->writer;
        break;
    case OP_IMPORT_PARSE:
        next = OP_IMPORT_WRITE;
        pool = j->app->writer;
        break;
    case OP_PUBLISH_WRITE:
    case OP_SET_ARCHIVED:
        next = OP_GET; /* answer with the article as it is now */
        pool = j->app->readers;
        break;
    default:
        break;
    }
    if (pool) {
        lk_user_clear(&j->user);
        j->op = next;
        lk_pool_submit(pool, &j->job);
        return;
    }
    if (j->op == OP_EXPORT) {
        bool csv = j->format == LK_KB_FORMAT_CSV;
        lk_http_res_header(j->req, "content-disposition",
                           csv ? "attachment; filename=\"loket-kb.csv\"" : "attachment; filename=\"loket-kb.json\"");
        lk_http_res_header(j->req, "cache-control", "no-store");
        lk_http_respond(j->req, 200, csv ? "text/csv; charset=utf-8" : "application/json", j->raw, j->raw_len);
    } else if (j->op == OP_PREVIEW) {
        lk_respond_json(j->req, 200, j->check);
        j->check = NULL;
    } else {
        lk_respond_json(j->req, j->status_code ? j->status_code : 200, j->out);
        j->out = NULL;
    }
    lk_knowledge_job_free(j);
}

/* ---- handlers ------------------------------------------------------------------------ */

static kjob_t *kjob_new(lk_http_req_t *req, struct lk_app *app, op_t op)
{
    if (is_change(op) || op == OP_TRY) {
        if (!lk_api_check_origin(req))
            return NULL;
    }
    kjob_t *j = lk_xcalloc(1, sizeof *j);
    j->app = app;
    j->req = req;
    j->op = op;
    lk_job_init(&j->job, req, job_run, job_done);
    lk_api_session_hash(req, j->session_hash);
    lk_api_req_id(req, j->id);
    return j;
}

bool lk_knowledge_is_language(const char *s, size_t len)
{
    return len == 2 && ((s[0] == 'n' && s[1] == 'l') || (s[0] == 'e' && s[1] == 'n'));
}

static bool no_body(lk_http_req_t *req)
{
    if (lk_http_req_body_too_large(req)) {
        lk_respond_error(req, 413, "body_too_large", "the request body is larger than the limit");
        return false;
    }
    return true;
}

/* Submits j to pool; nothing when j is NULL (the request was answered). */
static void submit(kjob_t *j, lk_pool_t *pool)
{
    if (j)
        lk_pool_submit(pool, &j->job);
}

/* A job for a request that must come without a body; NULL after answering. */
static kjob_t *bodyless_job(lk_http_req_t *req, struct lk_app *app, op_t op)
{
    kjob_t *j = kjob_new(req, app, op);
    if (j && !no_body(req)) {
        lk_knowledge_job_free(j);
        return NULL;
    }
    return j;
}

/* A job carrying a draft's fields from the body; NULL after answering. */
static kjob_t *draft_job(lk_http_req_t *req, struct lk_app *app, op_t op, bool create)
{
    kjob_t *j = kjob_new(req, app, op);
    if (j && !lk_knowledge_read_draft_body(req, j, create)) {
        lk_knowledge_job_free(j);
        return NULL;
    }
    return j;
}

static void h_list(lk_http_req_t *req, void *ud)
{
    struct lk_app *app = ud;
    kjob_t *j = kjob_new(req, app, OP_LIST);
    snprintf(j->status, sizeof j->status, "published");
    lk_str_t v;
    if (lk_http_req_query(req, "status", &v) && v.len > 0) {
        if (!lk_str_eq_cstr(v, "published") && !lk_str_eq_cstr(v, "archived") && !lk_str_eq_cstr(v, "all")) {
            lk_respond_error(req, 400, "invalid_field",
                             "the parameter \"status\" must be \"published\", \"archived\" or \"all\"");
            lk_knowledge_job_free(j);
            return;
        }
        snprintf(j->status, sizeof j->status, "%.*s", (int)v.len, v.base);
    }
    if (lk_http_req_query(req, "language", &v) && v.len > 0) {
        if (!lk_knowledge_is_language(v.base, v.len)) {
            lk_respond_error(req, 400, "invalid_field", "the parameter \"language\" must be \"nl\" or \"en\"");
            lk_knowledge_job_free(j);
            return;
        }
        memcpy(j->language, v.base, v.len);
    }
    if (lk_http_req_query(req, "q", &v) && v.len > 0) {
        if (v.len > QUERY_MAX || !lk_utf8_valid(v.base, v.len)) {
            lk_respond_error(req, 400, "invalid_field", "the parameter \"q\" must be valid UTF-8 of at most %d bytes",
                             QUERY_MAX);
            lk_knowledge_job_free(j);
            return;
        }
        j->query = lk_xstrndup(v.base, v.len);
    }
    submit(j, app->readers);
}

static void h_get(lk_http_req_t *req, void *ud)
{
    struct lk_app *app = ud;
    submit(kjob_new(req, app, OP_GET), app->readers);
}

static void set_archived(lk_http_req_t *req, struct lk_app *app, bool archive)
{
    kjob_t *j = bodyless_job(req, app, OP_SET_ARCHIVED);
    if (!j)
        return;
    j->archive = archive;
    submit(j, app->writer);
}

static void h_archive(lk_http_req_t *req, void *ud)
{
    set_archived(req, ud, true);
}

static void h_restore(lk_http_req_t *req, void *ud)
{
    set_archived(req, ud, false);
}

static void h_drafts(lk_http_req_t *req, void *ud)
{
    struct lk_app *app = ud;
    kjob_t *j = kjob_new(req, app, OP_DRAFTS);
    snprintf(j->status, sizeof j->status, "draft");
    lk_str_t v;
    if (lk_http_req_query(req, "status", &v) && v.len > 0) {
        if (!lk_str_eq_cstr(v, "draft") && !lk_str_eq_cstr(v, "published") && !lk_str_eq_cstr(v, "discarded") &&
            !lk_str_eq_cstr(v, "all")) {
            lk_respond_error(req, 400, "invalid_field",
                             "the parameter \"status\" must be \"draft\", \"published\", \"discarded\" or \"all\"");
            lk_knowledge_job_free(j);
            return;
        }
        snprintf(j->status, sizeof j->status, "%.*s", (int)v.len, v.base);
    }
    submit(j, app->readers);
}

static void h_draft_get(lk_http_req_t *req, void *ud)
{
    struct lk_app *app = ud;
    submit(kjob_new(req, app, OP_DRAFT_GET), app->readers);
}

static void h_draft_create(lk_http_req_t *req, void *ud)
{
    struct lk_app *app = ud;
    submit(draft_job(req, app, OP_DRAFT_CREATE, true), app->writer);
}

static void h_draft_update(lk_http_req_t *req, void *ud)
{
    struct lk_app *app = ud;
    submit(draft_job(req, app, OP_DRAFT_UPDATE, false), app->writer);
}

static void h_draft_delete(lk_http_req_t *req, void *ud)
{
    struct lk_app *app = ud;
    submit(bodyless_job(req, app, OP_DRAFT_DELETE), app->writer);
}

static void h_preview(lk_http_req_t *req, void *ud)
{
    struct lk_app *app = ud;
    submit(bodyless_job(req, app, OP_PREVIEW), app->readers);
}

static void h_publish(lk_http_req_t *req, void *ud)
{
    struct lk_app *app = ud;
    submit(bodyless_job(req, app, OP_PUBLISH_CHECK), app->readers);
}

static void h_try(lk_http_req_t *req, void *ud)
{
    struct lk_app *app = ud;
    kjob_t *j = kjob_new(req, app, OP_TRY);
    if (!j)
        return;
    json_t *body = lk_parse_body(req);
    if (!body) {
        lk_knowledge_job_free(j);
        return;
    }
    const char *text = NULL, *language = NULL;
    bool ok = lk_body_string(req, body, "text", (size_t)app->cfg.max_text, true, &text) &&
              lk_body_string(req, body, "language", 2, false, &language);
    if (ok && language && !lk_knowledge_is_language(language, strlen(language))) {
        lk_respond_error(req, 400, "invalid_field", "the field \"language\" must be \"nl\" or \"en\"");
        ok = false;
    }
    if (ok) {
        j->text = lk_xstrdup(text);
        if (language)
            snprintf(j->language, sizeof j->language, "%s", language);
    }
    json_decref(body);
    if (!ok) {
        lk_knowledge_job_free(j);
        return;
    }
    submit(j, app->readers);
}

/* ?format=json|csv (json by default); false after a 400. */
static bool read_format(lk_http_req_t *req, kjob_t *j)
{
    lk_str_t v;
    j->format = LK_KB_FORMAT_JSON;
    if (lk_http_req_query(req, "format", &v) && v.len > 0) {
        if (lk_str_eq_cstr(v, "csv"))
            j->format = LK_KB_FORMAT_CSV;
        else if (!lk_str_eq_cstr(v, "json")) {
            lk_respond_error(req, 400, "invalid_field", "the parameter \"format\" must be \"json\" or \"csv\"");
            return false;
        }
    }
    return true;
}

static void h_export(lk_http_req_t *req, void *ud)
{
    struct lk_app *app = ud;
    kjob_t *j = kjob_new(req, app, OP_EXPORT);
    if (!read_format(req, j)) {
        lk_knowledge_job_free(j);
        return;
    }
    submit(j, app->readers);
}

static void h_import(lk_http_req_t *req, void *ud)
{
    struct lk_app *app = ud;
    kjob_t *j = kjob_new(req, app, OP_IMPORT_PARSE);
    if (!j)
        return;
    if (!read_format(req, j) || !no_body(req)) {
        lk_knowledge_job_free(j);
        return;
    }
    lk_str_t v;
    if (lk_http_req_query(req, "replace", &v) && v.len > 0) {
        if (lk_str_eq_cstr(v, "true") || lk_str_eq_cstr(v, "1"))
            j->replace = true;
        else if (!lk_str_eq_cstr(v, "false") && !lk_str_eq_cstr(v, "0")) {
            lk_respond_error(req, 400, "invalid_field", "the parameter \"replace\" must be \"true\" or \"false\"");
            lk_knowledge_job_free(j);
            return;
        }
    }
    lk_str_t body = lk_http_req_body(req);
    j->raw = lk_xmalloc(body.len + 1); /* as sent, NUL bytes included: the parsers refuse them */
    if (body.len)
        memcpy(j->raw, body.base, body.len);
    j->raw[body.len] = '\0';
    j->raw_len = body.len;
    /* parsed on a reader after the session check, then written */
    submit(j, app->readers);
}

static const lk_http_route_t routes[] = {
    {"GET", "/api/v1/kb/articles", h_list},
    {"GET", "/api/v1/kb/articles/:id", h_get},
    {"POST", "/api/v1/kb/articles/:id/archive", h_archive},
    {"POST", "/api/v1/kb/articles/:id/restore", h_restore},
    {"GET", "/api/v1/kb/drafts", h_drafts},
    {"POST", "/api/v1/kb/drafts", h_draft_create},
    {"GET", "/api/v1/kb/drafts/:id", h_draft_get},
    {"PUT", "/api/v1/kb/drafts/:id", h_draft_update},
    {"DELETE", "/api/v1/kb/drafts/:id", h_draft_delete},
    {"POST", "/api/v1/kb/drafts/:id/preview", h_preview},
    {"POST", "/api/v1/kb/drafts/:id/publish", h_publish},
    {"POST", "/api/v1/kb/try", h_try},
    {"GET", "/api/v1/kb/export", h_export},
    {"POST", "/api/v1/kb/import", h_import},
};

void lk_api_knowledge_routes(const lk_http_route_t **r, size_t *n)
{
    *r = routes;
    *n = sizeof routes / sizeof routes[0];
}
