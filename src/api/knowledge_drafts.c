/*
 * Knowledge management's drafts and publishing (docs/kb.md, "Drafts" and
 * "Publishing"): the draft endpoints' bodies, the jobs that list, create,
 * change, discard, preview and publish drafts, and the regression check on
 * a reader. The rules (ids, checks, the candidate and the comparison) are
 * kb/'s (draft.c, publish.c); this file reads and writes the store and
 * turns results into JSON. The route table: knowledge.c.
 */
#include "api/knowledge_int.h"

#include <stdlib.h>
#include <string.h>

#define MODULE "knowledge"

/* ---- JSON ------------------------------------------------------------------ */

/* A stored JSON array of strings as JSON (an empty array when damaged). */
static json_t *stored_strv(const char *text)
{
    json_t *v = text ? json_loads(text, 0, NULL) : NULL;
    if (!json_is_array(v)) {
        json_decref(v);
        return json_array();
    }
    return v;
}

static json_t *draft_json(const lk_draft_t *d, const lk_knowledge_users_t *u)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(d->id));
    json_object_set_new(o, "kind", json_string(d->article_id[0] ? "edit" : "new"));
    json_object_set_new(o, "article_id", lk_knowledge_str_or_null(d->article_id));
    json_object_set_new(o, "new_id", lk_knowledge_str_or_null(d->article_id[0] ? NULL : d->new_id));
    json_object_set_new(o, "status", json_string(lk_draft_status_name(d->status)));
    json_object_set_new(o, "language", json_string(d->language));
    json_object_set_new(o, "title", json_string(d->title ? d->title : ""));
    json_object_set_new(o, "questions", stored_strv(d->questions));
    json_object_set_new(o, "answer", json_string(d->answer ? d->answer : ""));
    json_object_set_new(o, "url", lk_knowledge_str_or_null(d->url));
    json_object_set_new(o, "tags", stored_strv(d->tags));
    json_object_set_new(o, "owner", lk_knowledge_str_or_null(d->owner));
    json_object_set_new(o, "owner_name", lk_knowledge_user_name(u, d->owner));
    json_object_set_new(o, "review_by", lk_knowledge_time_or_null(d->review_by));
    json_object_set_new(o, "translation_group", lk_knowledge_str_or_null(d->translation_group));
    json_object_set_new(o, "source", lk_knowledge_str_or_null(lk_draft_source_name(d->source)));
    json_object_set_new(o, "created_by", lk_knowledge_str_or_null(d->created_by));
    json_object_set_new(o, "created_by_name", lk_knowledge_user_name(u, d->created_by));
    json_object_set_new(o, "created_at", lk_knowledge_time_or_null(d->created_at));
    json_object_set_new(o, "updated_at", lk_knowledge_time_or_null(d->updated_at));
    return o;
}

/* ---- drafts ------------------------------------------------------------------------ */

static void run_drafts(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    lk_knowledge_req_t *k = j->data;
    lk_draft_t *v = NULL;
    size_t n = 0;
    lk_knowledge_users_t u = {NULL, 0};
    lk_draft_status_t status; /* NONE (any) for "all" */
    lk_draft_status_parse(k->status, &status);
    int rc = lk_store_draft_list(st, status, DRAFTS_MAX, &v, &n);
    if (rc == 0)
        rc = lk_knowledge_users_load(st, &u);
    if (rc) {
        lk_drafts_free(v, n);
        lk_api_fail_db(j, rc);
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, draft_json(&v[i], &u));
    lk_drafts_free(v, n);
    lk_knowledge_users_free(&u);
    j->out = json_pack("{s:o}", "drafts", arr);
}

/* Loads draft j->id into d; false after lk_api_fail(). */
static bool load_draft(lk_api_job_t *j, lk_store_t *st, lk_draft_t *d)
{
    return lk_api_found(j, lk_store_draft_get(st, j->id, d), 404, "not_found", "no draft with this id");
}

static void run_draft_get(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    lk_draft_t d;
    if (!load_draft(j, st, &d))
        return;
    lk_knowledge_users_t u = {NULL, 0};
    int rc = lk_knowledge_users_load(st, &u);
    if (rc) {
        lk_draft_clear(&d);
        lk_api_fail_db(j, rc);
        return;
    }
    j->out = draft_json(&d, &u);
    lk_draft_clear(&d);
    lk_knowledge_users_free(&u);
}

/* 1 when an article with id exists, 0 when not, or an error. */
static int article_exists(lk_store_t *st, const char *id)
{
    lk_article_rec_t r;
    int rc = lk_store_article_get(st, id, &r);
    lk_article_rec_clear(&r);
    return rc == 0 ? 1 : rc == LK_ENOENT ? 0 : rc;
}

/* Whether no article has id; false after a 409 with msg (or a database
 * error). */
static bool id_free(lk_api_job_t *j, lk_store_t *st, const char *id, const char *msg)
{
    int rc = article_exists(st, id);
    if (rc > 0)
        lk_api_fail(j, LK_EEXIST, 409, "conflict", msg);
    else if (rc < 0)
        lk_api_fail_db(j, rc);
    return rc == 0;
}

static int taken_fn(void *ud, const char *id)
{
    return article_exists(ud, id);
}

/* What decides the id draft d publishes under (borrows from d). */
static lk_kb_draft_id_t draft_id(const lk_draft_t *d)
{
    return (lk_kb_draft_id_t){d->article_id, d->new_id, d->translation_group, d->language, d->title};
}

/* The article draft d describes, with id (the caller frees it with
 * lk_article_free). */
static void draft_article(const lk_draft_t *d, const char *id, lk_article_t *a)
{
    memset(a, 0, sizeof *a);
    a->id = lk_xstrdup(id);
    a->language = lk_xstrdup(d->language);
    a->title = lk_xstrdup(d->title ? d->title : "");
    a->answer = lk_xstrdup(d->answer ? d->answer : "");
    a->url = d->url && d->url[0] ? lk_xstrdup(d->url) : NULL;
    lk_kb_strv_parse(d->questions, &a->questions, &a->n_questions);
    lk_kb_strv_parse(d->tags, &a->tags, &a->n_tags);
    a->owner = d->owner[0] ? lk_xstrdup(d->owner) : NULL;
    a->review_by = d->review_by;
    a->translation_group = d->translation_group[0] ? lk_xstrdup(d->translation_group) : NULL;
}

/* Checks a draft's content as an article (a draft may still lack its
 * answer: complete is false then); false after a 400 naming the field. */
static bool check_draft(lk_api_job_t *j, const lk_draft_t *d, bool complete)
{
    lk_article_t a;
    draft_article(d, "draft", &a);
    char msg[400];
    int rc = lk_kb_draft_check(&a, complete, msg, sizeof msg);
    lk_article_free(&a);
    if (rc)
        lk_api_fail_long(j, "invalid_field", msg);
    return rc == 0;
}

/* Copies the fields the body gave from src into dst. */
static void merge_fields(lk_draft_t *dst, const lk_draft_t *src, unsigned given)
{
    if (given & HAS_LANGUAGE)
        snprintf(dst->language, sizeof dst->language, "%s", src->language);
    if (given & HAS_TITLE) {
        free(dst->title);
        dst->title = lk_xstrdup(src->title);
    }
    if (given & HAS_QUESTIONS) {
        free(dst->questions);
        dst->questions = lk_xstrdup(src->questions);
    }
    if (given & HAS_ANSWER) {
        free(dst->answer);
        dst->answer = lk_xstrdup(src->answer);
    }
    if (given & HAS_URL) {
        free(dst->url);
        dst->url = src->url ? lk_xstrdup(src->url) : NULL;
    }
    if (given & HAS_TAGS) {
        free(dst->tags);
        dst->tags = lk_xstrdup(src->tags);
    }
    if (given & HAS_OWNER)
        snprintf(dst->owner, sizeof dst->owner, "%s", src->owner);
    if (given & HAS_REVIEW_BY)
        dst->review_by = src->review_by;
    if (given & HAS_NEW_ID)
        snprintf(dst->new_id, sizeof dst->new_id, "%s", src->new_id);
}

/* The draft fields of an article (for a draft of a change). */
static void draft_from_article(lk_draft_t *d, const lk_article_t *a)
{
    snprintf(d->article_id, sizeof d->article_id, "%s", a->id);
    snprintf(d->language, sizeof d->language, "%s", a->language);
    d->title = lk_xstrdup(a->title);
    d->questions = lk_kb_strv_to_json(a->questions, a->n_questions);
    d->tags = lk_kb_strv_to_json(a->tags, a->n_tags);
    d->answer = lk_xstrdup(a->answer);
    d->url = a->url ? lk_xstrdup(a->url) : NULL;
    snprintf(d->owner, sizeof d->owner, "%s", a->owner ? a->owner : "");
    d->review_by = a->review_by;
    snprintf(d->translation_group, sizeof d->translation_group, "%s", a->translation_group ? a->translation_group : "");
}

/* An owner must be a user; false after a 400. */
static bool check_owner(lk_api_job_t *j, lk_store_t *st, const char *owner)
{
    if (!owner[0])
        return true;
    lk_user_t u;
    memset(&u, 0, sizeof u);
    int rc = lk_store_user_get(st, owner, &u);
    lk_user_clear(&u);
    return lk_api_found(j, rc, 400, "invalid_field", "the field \"owner\" names no user");
}

static void audit_draft(lk_api_job_t *j, lk_store_t *st, int64_t now, const char *action, const lk_draft_t *d)
{
    char detail[LK_ID_MAX + LK_KB_ID_MAX + 16];
    snprintf(detail, sizeof detail, "%s%s%s", d->id, d->article_id[0] ? " of " : "", d->article_id);
    int rc = lk_store_audit(st, now, j->user.id, action, NULL, detail);
    if (rc)
        lk_api_fail_db(j, rc);
}

static void answer_draft(lk_api_job_t *j, lk_store_t *st, const lk_draft_t *d)
{
    lk_knowledge_users_t u = {NULL, 0};
    int rc = lk_knowledge_users_load(st, &u);
    if (rc) {
        lk_api_fail_db(j, rc);
        return;
    }
    j->out = draft_json(d, &u);
    lk_knowledge_users_free(&u);
}

/* After writing draft d (rc the write's result): the audit record and the
 * answer, or the database error. */
static void wrote_draft(lk_api_job_t *j, lk_store_t *st, int64_t now, int rc, const char *action, const lk_draft_t *d)
{
    if (rc)
        lk_api_fail_db(j, rc);
    else
        audit_draft(j, st, now, action, d);
    if (!j->job.rc)
        answer_draft(j, st, d);
}

static void run_draft_create(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    lk_knowledge_req_t *k = j->data;
    lk_draft_t d;
    memset(&d, 0, sizeof d);
    int rc = 0;
    if (k->in.article_id[0]) { /* a change: starts from the article */
        lk_article_rec_t r;
        rc = lk_store_article_get(st, k->in.article_id, &r);
        if (!lk_api_found(j, rc, 400, "invalid_field", "the field \"article_id\" names no article"))
            return;
        draft_from_article(&d, &r.a);
        lk_article_rec_clear(&r);
    } else {
        d.title = lk_xstrdup("");
        d.questions = lk_xstrdup("[]");
        d.answer = lk_xstrdup("");
        d.tags = lk_xstrdup("[]");
    }
    merge_fields(&d, &k->in, k->given);
    if (k->translation_of[0]) {
        lk_article_rec_t x;
        rc = lk_store_article_get(st, k->translation_of, &x);
        if (rc == LK_ENOENT)
            lk_api_fail(j, rc, 400, "invalid_field", "the field \"translation_of\" names no article");
        else if (rc)
            lk_api_fail_db(j, rc);
        else if (strcmp(x.a.language, d.language) == 0)
            lk_api_fail(j, LK_EINVAL, 400, "invalid_field",
                        "a translation needs another language than the article it translates");
        else
            snprintf(d.translation_group, sizeof d.translation_group, "%s", lk_kb_article_group(&x.a));
        lk_article_rec_clear(&x);
        if (j->job.rc) {
            lk_draft_clear(&d);
            return;
        }
    }
    if (d.new_id[0] &&
        !id_free(j, st, d.new_id, "an article with this id exists: to change it, make a draft with \"article_id\"")) {
        lk_draft_clear(&d);
        return;
    }
    if (!check_owner(j, st, d.owner) || !check_draft(j, &d, false)) {
        lk_draft_clear(&d);
        return;
    }
    lk_kb_draft_id_t did = draft_id(&d);
    if (!d.article_id[0] && !d.new_id[0] &&
        (rc = lk_kb_choose_id(&did, taken_fn, st, d.new_id, sizeof d.new_id)) != 0) {
        lk_api_fail_db(j, rc);
        lk_draft_clear(&d);
        return;
    }
    lk_rand_id("d_", d.id, sizeof d.id);
    d.status = LK_DRAFT_OPEN;
    d.source = LK_DRAFT_SOURCE_EDITOR;
    snprintf(d.created_by, sizeof d.created_by, "%s", j->user.id);
    d.created_at = d.updated_at = now;
    wrote_draft(j, st, now, lk_store_draft_insert(st, &d), "kb.draft.create", &d);
    lk_draft_clear(&d);
}

/* A draft that is no longer a draft cannot change; false after a 409. */
static bool still_draft(lk_api_job_t *j, const lk_draft_t *d)
{
    if (d->status == LK_DRAFT_OPEN)
        return true;
    lk_api_fail(j, LK_ESTATE, 409, "conflict",
                d->status == LK_DRAFT_PUBLISHED ? "this draft was published already" : "this draft was discarded");
    return false;
}

static void run_draft_update(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    lk_knowledge_req_t *k = j->data;
    lk_draft_t d;
    if (!load_draft(j, st, &d))
        return;
    if (!still_draft(j, &d)) {
        lk_draft_clear(&d);
        return;
    }
    if ((k->given & HAS_NEW_ID) && d.article_id[0]) {
        lk_api_fail(j, LK_EINVAL, 400, "invalid_field",
                    "the field \"id\" is for a new article; this draft changes one");
        lk_draft_clear(&d);
        return;
    }
    merge_fields(&d, &k->in, k->given);
    if ((k->given & HAS_NEW_ID) && !id_free(j, st, d.new_id, "an article with this id exists")) {
        lk_draft_clear(&d);
        return;
    }
    if (!check_owner(j, st, d.owner) || !check_draft(j, &d, false)) {
        lk_draft_clear(&d);
        return;
    }
    d.updated_at = now;
    int rc = lk_store_draft_update(st, &d);
    if (rc == LK_ENOENT)
        lk_api_fail(j, rc, 409, "conflict", "this draft is no longer a draft");
    else
        wrote_draft(j, st, now, rc, "kb.draft.update", &d);
    lk_draft_clear(&d);
}

static void run_draft_delete(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    lk_draft_t d;
    if (!load_draft(j, st, &d))
        return;
    if (still_draft(j, &d)) {
        int rc = lk_store_draft_finish(st, d.id, LK_DRAFT_DISCARDED, NULL, now);
        if (rc)
            lk_api_fail_db(j, rc);
        else
            audit_draft(j, st, now, "kb.draft.discard", &d);
        if (!j->job.rc) {
            j->out = json_pack("{s:s, s:s}", "id", d.id, "status", "discarded");
        }
    }
    lk_draft_clear(&d);
}

/* ---- the regression check ------------------------------------------------------- */

/* What a draft publishes: the draft, the article it becomes (its id
 * chosen) and whether that article is new. */
typedef struct {
    lk_draft_t d;
    lk_article_t a;
    bool create;
} target_t;

static void target_clear(target_t *t)
{
    lk_article_free(&t->a);
    lk_draft_clear(&t->d);
}

/* Loads and checks draft j->id into *t; false after lk_api_fail() (and
 * nothing to clear). */
static bool publishable(lk_api_job_t *j, lk_store_t *st, target_t *t)
{
    memset(&t->a, 0, sizeof t->a);
    if (!load_draft(j, st, &t->d))
        return false;
    if (!still_draft(j, &t->d) || !check_draft(j, &t->d, true)) {
        lk_draft_clear(&t->d);
        return false;
    }
    char id[LK_KB_ID_MAX + 1];
    lk_kb_draft_id_t did = draft_id(&t->d);
    int rc = lk_kb_publish_target(&did, taken_fn, st, id, sizeof id, &t->create);
    if (rc == LK_ESTATE)
        lk_api_fail(j, LK_EEXIST, 409, "conflict",
                    "an article with the draft's id exists now: give the draft another id");
    else if (rc == LK_ENOENT)
        lk_api_fail(j, rc, 409, "conflict", "the article this draft changes does not exist");
    else if (rc)
        lk_api_fail_db(j, rc);
    if (rc) {
        lk_draft_clear(&t->d);
        return false;
    }
    draft_article(&t->d, id, &t->a);
    return true;
}

/* The two bots the regression check compares. */
typedef struct {
    const lk_nlu_model_t *model[2]; /* current, candidate */
    const lk_kb_t *kb[2];
} judges_t;

static lk_kb_verdict_t judge(void *ud, bool candidate, const char *text, const char *language)
{
    const judges_t *jd = ud;
    const lk_kb_t *kb = jd->kb[candidate];
    lk_kb_verdict_t v = {.answer = false};
    lk_nlu_context_t ctx = {NULL, 0, language};
    lk_nlu_reading_t r;
    if (lk_nlu_read(jd->model[candidate], text, strlen(text), &ctx, &r) != 0)
        return v;
    if (r.n_top > 0 && r.top[0].article >= 0 && (size_t)r.top[0].article < kb->n_articles) {
        v.article = kb->articles[r.top[0].article].id;
        v.confidence = r.top[0].confidence;
        v.answer = r.answer;
    }
    /* not answered but unsure between a few: the bot offers them */
    if (!r.answer && r.ask)
        for (size_t k = 0; k < r.n_choices && k < r.n_top && v.n_choices < LK_KB_VERDICT_CHOICES; k++)
            if (r.top[k].article >= 0 && (size_t)r.top[k].article < kb->n_articles)
                v.choices[v.n_choices++] = kb->articles[r.top[k].article].id;
    if (v.n_choices < 2)
        v.n_choices = 0;
    return v;
}

/* {"decision": "answer" | "choice" | "decline", "article_id", "confidence"},
 * and "choices" (the ids offered, in order) with a choice. */
static json_t *verdict_json(const lk_kb_verdict_t *v)
{
    bool choice = !v->answer && v->n_choices >= 2;
    json_t *o = json_pack("{s:s, s:o, s:f}", "decision", v->answer ? "answer" : choice ? "choice" : "decline",
                          "article_id", v->answer && v->article ? json_string(v->article) : json_null(), "confidence",
                          v->confidence);
    if (choice) {
        json_t *ids = json_array();
        for (size_t k = 0; k < v->n_choices; k++)
            json_array_append_new(ids, json_string(v->choices[k]));
        json_object_set_new(o, "choices", ids);
    }
    return o;
}

/* Builds the candidate knowledge base (the published one with a put in),
 * its model, and compares what the current bot and the candidate do with
 * every example question of both (lk_kb_regression); fills k->check. On a
 * reader. */
static void regression_check(lk_api_job_t *j, lk_store_t *st, const lk_article_t *a, bool create)
{
    lk_knowledge_req_t *k = j->data;
    lk_kb_t cand;
    int rc = lk_store_kb_load(st, &cand);
    if (rc) {
        lk_api_fail_db(j, rc);
        return;
    }
    lk_kb_put(&cand, a);
    lk_kb_answers_to_text(&cand);
    int64_t t0 = lk_time_mono_ns();
    lk_nlu_model_t *model = NULL;
    size_t company = 0; /* as the bot is built */
    rc = lk_bot_model_build(st, &cand, lk_bot_answer_risk(j->app), &model, NULL, &company);
    if (rc) {
        lk_kb_free(&cand);
        lk_api_fail_db(j, rc);
        return;
    }

    lk_bot_t *bot = lk_bot_acquire(j->app);
    judges_t jd = {{bot->nlu, model}, {&bot->kb, &cand}};
    lk_kb_regression_t reg;
    lk_kb_regression(&bot->kb, &cand, judge, &jd, CHANGES_MAX, &reg);
    json_t *changes = json_array();
    for (size_t i = 0; i < reg.n_changes; i++) {
        const lk_kb_change_t *c = &reg.changes[i];
        json_array_append_new(changes,
                              json_pack("{s:s, s:s, s:o, s:o}", "question", c->question, "language", c->language,
                                        "from", verdict_json(&c->from), "to", verdict_json(&c->to)));
    }
    k->check = json_pack("{s:I, s:o, s:I, s:{s:I, s:I, s:I, s:I}, s:{s:s, s:s, s:s, s:b}, s:f, s:f}", "checked",
                         (json_int_t)reg.checked, "changes", changes, "changes_total", (json_int_t)reg.total, "summary",
                         "moved", (json_int_t)reg.moved, "declined", (json_int_t)reg.declined, "answered",
                         (json_int_t)reg.answered, "offered", (json_int_t)reg.offered, "candidate", "id", a->id,
                         "language", a->language, "title", a->title, "new", create, "threshold",
                         lk_nlu_threshold(model), "seconds", (double)(lk_time_mono_ns() - t0) / 1e9);
    /* how the change moves the calibration: the bot now, the bot after publishing */
    json_object_set_new(k->check, "calibration",
                        json_pack("{s:o, s:o}", "current", lk_bot_calibration_json(bot->nlu, bot->company_questions),
                                  "candidate", lk_bot_calibration_json(model, company)));
    lk_kb_regression_free(&reg);
    lk_bot_release(bot);
    lk_nlu_free(model);
    lk_kb_free(&cand);
}

static void run_preview(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    lk_knowledge_req_t *k = j->data;
    target_t t;
    if (!publishable(j, st, &t))
        return;
    k->draft_updated_at = t.d.updated_at;
    regression_check(j, st, &t.a, t.create);
    target_clear(&t);
}

static void run_publish_write(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    lk_knowledge_req_t *k = j->data;
    target_t t;
    if (!publishable(j, st, &t))
        return;
    if (t.d.updated_at != k->draft_updated_at) {
        lk_api_fail(j, LK_ESTATE, 409, "conflict", "the draft changed while it was checked: preview it again");
    } else {
        int64_t version = 0;
        int rc = lk_store_article_publish(st, &t.a, t.create, j->user.id, now, &version);
        if (rc == LK_EEXIST) {
            lk_api_fail(j, rc, 409, "conflict", "an article with the draft's id exists now: give the draft another id");
        } else {
            if (rc == 0)
                rc = lk_store_draft_finish(st, t.d.id, LK_DRAFT_PUBLISHED, t.a.id, now);
            char detail[LK_KB_ID_MAX + LK_ID_MAX + 64];
            snprintf(detail, sizeof detail, "%s version %lld from %s", t.a.id, (long long)version, t.d.id);
            if (rc == 0)
                rc = lk_store_audit(st, now, j->user.id, "kb.publish", NULL, detail);
            if (rc == 0) /* the reviews' threshold, applied by the bot this publish rebuilds */
                rc = lk_api_recalibrate(st, now);
            if (rc)
                lk_api_fail_db(j, rc);
            else
                snprintf(k->article_id, sizeof k->article_id, "%s", t.a.id);
        }
    }
    target_clear(&t);
}

/* ---- the body of a draft ------------------------------------------------------ */

/* An array of 0..max strings, each valid for check_text later; as JSON
 * text into *out. false after answering 400. */
static bool body_strv(lk_http_req_t *req, json_t *v, const char *field, size_t max_items, size_t max_len, char **out)
{
    if (!json_is_array(v)) {
        lk_respond_error(req, 400, "invalid_field", "the field \"%s\" must be an array of strings", field);
        return false;
    }
    size_t n = json_array_size(v);
    if (n > max_items) {
        lk_respond_error(req, 400, "invalid_field", "the field \"%s\" has too many items (%zu, at most %zu)", field, n,
                         max_items);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *s = json_array_get(v, i);
        if (!json_is_string(s)) {
            lk_respond_error(req, 400, "invalid_field", "the field \"%s\" item #%zu must be a string", field, i + 1);
            return false;
        }
        if (json_string_length(s) > max_len) {
            lk_respond_error(req, 400, "invalid_field", "the field \"%s\" item #%zu is too long (at most %zu bytes)",
                             field, i + 1, max_len);
            return false;
        }
        if (strlen(json_string_value(s)) != json_string_length(s)) {
            lk_respond_error(req, 400, "invalid_field", "the field \"%s\" item #%zu holds a NUL character", field,
                             i + 1);
            return false;
        }
    }
    *out = lk_json_dump(v, NULL);
    return true;
}

/* An optional string field that may also be null (clears it): true with
 * *out (NULL for null or absent) and *present; false after a 400. */
static bool body_opt_string(lk_http_req_t *req, json_t *body, const char *field, size_t max, const char **out,
                            bool *present)
{
    json_t *v = json_object_get(body, field);
    *out = NULL;
    *present = v != NULL;
    if (!v || json_is_null(v))
        return true;
    return lk_body_string(req, body, field, max, false, out);
}

/* Reads a draft body into k->in / k->given (create: also article_id and
 * translation_of). false after answering 400. */
static bool read_draft_body(lk_api_job_t *j, bool create)
{
    lk_http_req_t *req = j->req;
    lk_knowledge_req_t *k = j->data;
    json_t *body = lk_parse_body(req);
    if (!body)
        return false;
    bool ok = false;
    static const char *const known[] = {"id",   "language", "title",     "questions",  "answer",        "url",
                                        "tags", "owner",    "review_by", "article_id", "translation_of"};
    const char *key;
    json_t *val;
    json_object_foreach(body, key, val)
    {
        size_t i = 0;
        while (i < sizeof known / sizeof known[0] && strcmp(key, known[i]) != 0)
            i++;
        if (i == sizeof known / sizeof known[0] || (!create && i >= 9)) {
            char name[48];
            size_t len = 0;
            for (const char *p = key; *p && len + 1 < sizeof name; p++)
                name[len++] = ((unsigned char)*p < 0x20 || *p == '"') ? '?' : *p;
            name[len] = '\0';
            lk_respond_error(req, 400, "invalid_field",
                             "unknown field \"%s\" (the fields are id, language, title, questions, answer, url, tags, "
                             "owner, review_by%s)",
                             name, create ? ", article_id, translation_of" : "");
            goto out;
        }
    }
    const char *article_id = NULL, *translation_of = NULL, *id = NULL, *language = NULL, *title = NULL, *answer = NULL,
               *url = NULL, *owner = NULL, *review_by = NULL;
    bool has_url, has_owner, has_review;
    if (!lk_body_string(req, body, "article_id", LK_KB_ID_MAX, false, &article_id) ||
        !lk_body_string(req, body, "translation_of", LK_KB_ID_MAX, false, &translation_of) ||
        !lk_body_string(req, body, "id", LK_KB_NEW_ID_MAX, false, &id) ||
        !lk_body_string(req, body, "language", 2, false, &language) ||
        !lk_body_string(req, body, "title", LK_KB_TITLE_MAX, false, &title) ||
        !body_opt_string(req, body, "url", LK_KB_URL_MAX, &url, &has_url) ||
        !body_opt_string(req, body, "owner", LK_ID_MAX - 1, &owner, &has_owner) ||
        !body_opt_string(req, body, "review_by", 40, &review_by, &has_review))
        goto out;
    json_t *av = json_object_get(body, "answer");
    if (av && !json_is_string(av)) {
        lk_respond_error(req, 400, "invalid_field", "the field \"answer\" must be a string (Markdown)");
        goto out;
    }
    if (av) {
        answer = json_string_value(av);
        if (json_string_length(av) > LK_KB_ANSWER_MAX || strlen(answer) != json_string_length(av)) {
            lk_respond_error(req, 400, "invalid_field",
                             "the field \"answer\" is too long (at most %d bytes) or holds NUL", LK_KB_ANSWER_MAX);
            goto out;
        }
    }
    if (article_id && !lk_kb_token_valid(article_id, LK_KB_ID_MAX)) {
        lk_respond_error(req, 400, "invalid_field", "the field \"article_id\" is not an article id");
        goto out;
    }
    if (translation_of && !lk_kb_token_valid(translation_of, LK_KB_ID_MAX)) {
        lk_respond_error(req, 400, "invalid_field", "the field \"translation_of\" is not an article id");
        goto out;
    }
    if (article_id && (translation_of || id)) {
        lk_respond_error(req, 400, "invalid_field",
                         "a draft of a change (\"article_id\") takes neither \"id\" nor \"translation_of\"");
        goto out;
    }
    if (id && !lk_kb_new_id_valid(id)) {
        lk_respond_error(req, 400, "invalid_field", "the field \"id\" must be 1 to %d of a-z, 0-9, \"_\" and \"-\"",
                         LK_KB_NEW_ID_MAX);
        goto out;
    }
    if (language && !lk_knowledge_is_language(language, strlen(language))) {
        lk_respond_error(req, 400, "invalid_field", "the field \"language\" must be \"nl\" or \"en\"");
        goto out;
    }
    if (owner && !lk_kb_token_valid(owner, LK_KB_ID_MAX)) {
        lk_respond_error(req, 400, "invalid_field", "the field \"owner\" must be a user id");
        goto out;
    }
    int64_t review_ms = 0;
    if (review_by && lk_time_parse_rfc3339(review_by, &review_ms) != 0) {
        lk_respond_error(req, 400, "invalid_field",
                         "the field \"review_by\" must be a date (2026-06-30) or an RFC 3339 time, or null");
        goto out;
    }
    char *questions = NULL, *tags = NULL;
    json_t *qv = json_object_get(body, "questions");
    if (qv && !body_strv(req, qv, "questions", LK_KB_QUESTIONS_MAX, LK_KB_QUESTION_MAX, &questions))
        goto out;
    json_t *tv = json_object_get(body, "tags");
    if (tv && !json_is_null(tv) && !body_strv(req, tv, "tags", LK_KB_TAGS_MAX, LK_KB_TAG_MAX, &tags)) {
        free(questions);
        goto out;
    }
    if (tv && json_is_null(tv))
        tags = lk_xstrdup("[]");
    if (create && !article_id && (!language || !title || !questions)) {
        lk_respond_error(req, 400, "missing_field", "a new article needs \"language\", \"title\" and \"questions\"%s",
                         translation_of ? "" : " (and usually \"answer\")");
        free(questions);
        free(tags);
        goto out;
    }
    lk_draft_t *d = &k->in;
    if (article_id)
        snprintf(d->article_id, sizeof d->article_id, "%s", article_id);
    if (translation_of)
        snprintf(k->translation_of, sizeof k->translation_of, "%s", translation_of);
    if (id)
        snprintf(d->new_id, sizeof d->new_id, "%s", id);
    if (language)
        snprintf(d->language, sizeof d->language, "%s", language);
    d->title = title ? lk_xstrdup(title) : NULL;
    d->questions = questions;
    d->answer = answer ? lk_xstrdup(answer) : NULL;
    d->url = url ? lk_xstrdup(url) : NULL;
    d->tags = tags;
    if (owner)
        snprintf(d->owner, sizeof d->owner, "%s", owner);
    d->review_by = review_ms;
    k->given = (language ? HAS_LANGUAGE : 0) | (title ? HAS_TITLE : 0) | (questions ? HAS_QUESTIONS : 0) |
               (answer ? HAS_ANSWER : 0) | (has_url ? HAS_URL : 0) | (tags ? HAS_TAGS : 0) |
               (has_owner ? HAS_OWNER : 0) | (has_review ? HAS_REVIEW_BY : 0) | (id ? HAS_NEW_ID : 0);
    if (!create && !k->given) {
        lk_respond_error(req, 400, "missing_field", "the body names no field to change");
        goto out;
    }
    ok = true;
out:
    json_decref(body);
    return ok;
}

/* ---- the table ------------------------------------------------------------------------ */

/* The preview answers with the regression check. */
static void answer_preview(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    lk_knowledge_req_t *k = j->data;
    run_preview(j, st, now);
    if (!j->job.rc) {
        j->out = k->check;
        k->check = NULL;
    }
}

static bool prepare_drafts(lk_api_job_t *j)
{
    static const char *const statuses[] = {"draft", "published", "discarded", "all", NULL};
    lk_knowledge_req_t *k = j->data;
    return lk_api_query_choice(j, "status", statuses, k->status, sizeof k->status,
                               "the parameter \"status\" must be \"draft\", \"published\", \"discarded\" or \"all\"");
}

static bool prepare_draft_create(lk_api_job_t *j)
{
    return read_draft_body(j, true);
}

static bool prepare_draft_update(lk_api_job_t *j)
{
    return read_draft_body(j, false);
}

static const lk_api_route_t routes[] = {
    {"GET", "/api/v1/kb/drafts", KB_READ, .steps = {{.pool = LK_ON_READER, .run = run_drafts}}, .prepare = prepare_drafts,
     KB_REQ},
    {"POST", "/api/v1/kb/drafts", KB_MANAGE, .steps = {{.pool = LK_ON_WRITER, .run = run_draft_create}},
     .prepare = prepare_draft_create, .status = 201, KB_REQ},
    {"GET", "/api/v1/kb/drafts/:id", KB_READ, .steps = {{.pool = LK_ON_READER, .run = run_draft_get}}, KB_REQ},
    {"PUT", "/api/v1/kb/drafts/:id", KB_MANAGE, .steps = {{.pool = LK_ON_WRITER, .run = run_draft_update}},
     .prepare = prepare_draft_update, KB_REQ},
    {"DELETE", "/api/v1/kb/drafts/:id", KB_MANAGE, .steps = {{.pool = LK_ON_WRITER, .run = run_draft_delete}}, KB_REQ},
    {"POST", "/api/v1/kb/drafts/:id/preview", KB_MANAGE, .steps = {{.pool = LK_ON_READER, .run = answer_preview}}, KB_REQ},
    /* the regression check builds a whole model: on a reader, never on the
     * writer; then the short write, then the article read back */
    {"POST", "/api/v1/kb/drafts/:id/publish", KB_MANAGE,
     .steps = {{.pool = LK_ON_READER, .run = run_preview},
               {.pool = LK_ON_WRITER, .run = run_publish_write},
               {.pool = LK_ON_READER, .run = lk_knowledge_run_get}},
     KB_REQ},
};

void lk_api_knowledge_drafts_table(const lk_api_route_t **r, size_t *n)
{
    *r = routes;
    *n = sizeof routes / sizeof routes[0];
}
