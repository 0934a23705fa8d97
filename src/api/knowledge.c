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
 */
#include "api/api_int.h"

#include "text/text.h"

#include <stdlib.h>
#include <string.h>

#define MODULE "knowledge"

#define QUERY_MAX 200    /* bytes of a search */
#define VERSIONS_MAX 200 /* versions shown with an article */
#define DRAFTS_MAX 500   /* drafts in one listing */
#define CHANGES_MAX 500  /* regression changes listed (all are counted) */
#define SLUG_MAX 60      /* bytes of an id made from a title */
#define NEW_ID_MAX 64    /* bytes of an id given for a new article */

typedef enum {
    OP_LIST,
    OP_GET,
    OP_SET_ARCHIVED,
    OP_DRAFTS,
    OP_DRAFT_GET,
    OP_DRAFT_CREATE,
    OP_DRAFT_UPDATE,
    OP_DRAFT_DELETE,
    OP_PREVIEW,
    OP_PUBLISH_CHECK,
    OP_PUBLISH_WRITE,
    OP_TRY,
    OP_EXPORT,
    OP_IMPORT_PARSE,
    OP_IMPORT_WRITE
} op_t;

/* The fields a draft body gave. */
enum {
    HAS_LANGUAGE = 1 << 0,
    HAS_TITLE = 1 << 1,
    HAS_QUESTIONS = 1 << 2,
    HAS_ANSWER = 1 << 3,
    HAS_URL = 1 << 4,
    HAS_TAGS = 1 << 5,
    HAS_OWNER = 1 << 6,
    HAS_REVIEW_BY = 1 << 7,
    HAS_NEW_ID = 1 << 8,
};

typedef struct {
    lk_job_t job;
    struct lk_app *app;
    lk_http_req_t *req;
    op_t op;
    op_t then; /* after a write: OP_GET reads the article back */
    char session_hash[LK_TOKEN_HASH_LEN + 1];
    char id[LK_KB_ID_MAX + 1]; /* route parameter: an article or draft id */
    /* OP_LIST, OP_DRAFTS */
    char status[16];
    char language[8];
    char *query;
    /* OP_DRAFT_CREATE, OP_DRAFT_UPDATE */
    lk_draft_t in;
    unsigned given;
    char translation_of[LK_KB_ID_MAX + 1];
    /* OP_SET_ARCHIVED */
    bool archive;
    /* OP_PUBLISH_*: what the check saw */
    int64_t draft_updated_at;
    json_t *check; /* {"checked", "changes", ...} */
    /* OP_TRY */
    char *text;
    /* OP_EXPORT, OP_IMPORT_* */
    lk_kb_format_t format;
    bool replace;
    char *raw;
    size_t raw_len;
    lk_kb_t kb;
    lk_user_t user;
    lk_api_error_t err;
    char errmsg[600]; /* a longer 400 message than err holds (import) */
    int status_code;
    json_t *out;
} kjob_t;

static void kjob_free(kjob_t *j)
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

static void fail(kjob_t *j, int rc, int status, const char *code, const char *msg)
{
    lk_job_fail(&j->job, &j->err, rc, status, code, msg);
}

static void fail_db(kjob_t *j, int rc)
{
    lk_job_fail_db(&j->job, &j->err, rc);
}

/* A 400 whose message may be long (it names an article and a field). */
static void fail_long(kjob_t *j, const char *code, const char *msg)
{
    snprintf(j->errmsg, sizeof j->errmsg, "%s", msg);
    fail(j, LK_EINVAL, 400, code, msg);
}

/* ---- JSON ------------------------------------------------------------------ */

static json_t *str_or_null(const char *s)
{
    json_t *v = s && s[0] ? json_string(s) : NULL;
    return v ? v : json_null();
}

static json_t *time_or_null(int64_t ms)
{
    if (!ms)
        return json_null();
    char ts[LK_RFC3339_LEN];
    lk_time_rfc3339(ms, ts);
    return json_string(ts);
}

static json_t *strv_json(char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

/* The users, sorted by id, to name owners and authors. */
typedef struct {
    lk_user_t *v;
    size_t n;
} users_t;

static int cmp_user(const void *a, const void *b)
{
    return strcmp(((const lk_user_t *)a)->id, ((const lk_user_t *)b)->id);
}

static int users_load(lk_store_t *st, users_t *u)
{
    int rc = lk_store_user_list(st, &u->v, &u->n);
    if (rc == 0 && u->n)
        qsort(u->v, u->n, sizeof *u->v, cmp_user);
    return rc;
}

static void users_free(users_t *u)
{
    lk_users_free(u->v, u->n);
    u->v = NULL;
    u->n = 0;
}

/* A user's display name (else e-mail address) as JSON, null when unknown. */
static json_t *user_name(const users_t *u, const char *id)
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

/* The translation group an article belongs to: its translation_group, or
 * its own id (the first language version of a group is its key). */
static const char *group_of(const lk_article_t *a)
{
    return a->translation_group && a->translation_group[0] ? a->translation_group : a->id;
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
    int c = strcmp(group_of(&x->a), group_of(&y->a));
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
    const char *key = group_of(&r->a);
    /* binary search for the first member of the group */
    size_t lo = 0, hi = g->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(group_of(&g->by_group[mid]->a), key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < g->n && strcmp(group_of(&g->by_group[i]->a), key) == 0; i++) {
        const lk_article_rec_t *o = g->by_group[i];
        if (o == r || strcmp(o->a.id, r->a.id) == 0)
            continue;
        json_array_append_new(
            arr, json_pack("{s:s, s:s, s:s}", "id", o->a.id, "language", o->a.language, "status", o->status));
    }
    return arr;
}

static json_t *article_json(const lk_article_rec_t *r, const groups_t *g, const users_t *u, int64_t now)
{
    json_t *o = json_object();
    const lk_article_t *a = &r->a;
    json_object_set_new(o, "id", json_string(a->id));
    json_object_set_new(o, "language", json_string(a->language));
    json_object_set_new(o, "title", json_string(a->title));
    json_object_set_new(o, "questions", strv_json(a->questions, a->n_questions));
    json_object_set_new(o, "answer", json_string(a->answer));
    json_object_set_new(o, "url", str_or_null(a->url));
    json_object_set_new(o, "tags", strv_json(a->tags, a->n_tags));
    json_object_set_new(o, "status", json_string(r->status));
    json_object_set_new(o, "owner", str_or_null(a->owner));
    json_object_set_new(o, "owner_name", user_name(u, a->owner));
    json_object_set_new(o, "review_by", time_or_null(a->review_by));
    json_object_set_new(o, "review_due",
                        json_boolean(a->review_by && a->review_by <= now && strcmp(r->status, "published") == 0));
    json_t *tr = translations_json(g, r);
    bool grouped = json_array_size(tr) > 0 || (a->translation_group && a->translation_group[0]);
    json_object_set_new(o, "translation_group", grouped ? json_string(group_of(a)) : json_null());
    json_object_set_new(o, "translations", tr);
    json_object_set_new(o, "version", json_integer(r->version));
    json_object_set_new(o, "updated_at", time_or_null(r->updated_at));
    json_object_set_new(o, "updated_by", str_or_null(r->updated_by));
    json_object_set_new(o, "updated_by_name", user_name(u, r->updated_by));
    return o;
}

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

static json_t *draft_json(const lk_draft_t *d, const users_t *u)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(d->id));
    json_object_set_new(o, "kind", json_string(d->article_id[0] ? "edit" : "new"));
    json_object_set_new(o, "article_id", str_or_null(d->article_id));
    json_object_set_new(o, "new_id", str_or_null(d->article_id[0] ? NULL : d->new_id));
    json_object_set_new(o, "status", json_string(d->status));
    json_object_set_new(o, "language", json_string(d->language));
    json_object_set_new(o, "title", json_string(d->title ? d->title : ""));
    json_object_set_new(o, "questions", stored_strv(d->questions));
    json_object_set_new(o, "answer", json_string(d->answer ? d->answer : ""));
    json_object_set_new(o, "url", str_or_null(d->url));
    json_object_set_new(o, "tags", stored_strv(d->tags));
    json_object_set_new(o, "owner", str_or_null(d->owner));
    json_object_set_new(o, "owner_name", user_name(u, d->owner));
    json_object_set_new(o, "review_by", time_or_null(d->review_by));
    json_object_set_new(o, "translation_group", str_or_null(d->translation_group));
    json_object_set_new(o, "source", str_or_null(d->source));
    json_object_set_new(o, "created_by", str_or_null(d->created_by));
    json_object_set_new(o, "created_by_name", user_name(u, d->created_by));
    json_object_set_new(o, "created_at", time_or_null(d->created_at));
    json_object_set_new(o, "updated_at", time_or_null(d->updated_at));
    return o;
}

static json_t *version_json(const lk_article_version_t *v, const users_t *u)
{
    json_t *o = json_object();
    json_object_set_new(o, "version", json_integer(v->version));
    json_object_set_new(o, "change", json_string(v->change));
    json_object_set_new(o, "status", json_string(v->status));
    json_object_set_new(o, "changed_by", str_or_null(v->changed_by));
    json_object_set_new(o, "changed_by_name", user_name(u, v->changed_by));
    json_object_set_new(o, "changed_at", time_or_null(v->changed_at));
    json_object_set_new(o, "language", json_string(v->a.language));
    json_object_set_new(o, "title", json_string(v->a.title));
    json_object_set_new(o, "questions", strv_json(v->a.questions, v->a.n_questions));
    json_object_set_new(o, "answer", json_string(v->a.answer));
    json_object_set_new(o, "url", str_or_null(v->a.url));
    json_object_set_new(o, "tags", strv_json(v->a.tags, v->a.n_tags));
    json_object_set_new(o, "owner", str_or_null(v->a.owner));
    json_object_set_new(o, "review_by", time_or_null(v->a.review_by));
    json_object_set_new(o, "translation_group", str_or_null(v->a.translation_group));
    return o;
}

/* ---- search ---------------------------------------------------------------- */

/* Whether every word of the folded query occurs in the article's id, title,
 * questions, answer or tags. */
static bool article_matches(const lk_article_t *a, const char *folded_query)
{
    lk_buf_t b;
    lk_buf_init(&b, SIZE_MAX / 2);
    lk_buf_printf(&b, "%s\n%s\n%s\n", a->id, a->title, a->answer);
    for (size_t i = 0; i < a->n_questions; i++)
        lk_buf_printf(&b, "%s\n", a->questions[i]);
    for (size_t i = 0; i < a->n_tags; i++)
        lk_buf_printf(&b, "%s\n", a->tags[i]);
    char *hay = lk_text_search_fold(b.data ? b.data : "");
    lk_buf_free(&b);
    bool ok = lk_text_has_words(hay, folded_query);
    free(hay);
    return ok;
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

static void run_list(kjob_t *j, lk_store_t *st, int64_t now)
{
    lk_article_rec_t *all = NULL;
    size_t n = 0;
    users_t u = {NULL, 0};
    int rc = lk_store_article_list(st, NULL, &all, &n);
    if (rc == 0)
        rc = users_load(st, &u);
    if (rc) {
        lk_article_recs_free(all, n);
        fail_db(j, rc);
        return;
    }
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
        if (q && !article_matches(&r->a, q))
            continue;
        json_t *o = article_json(r, &g, &u, now);
        due += json_is_true(json_object_get(o, "review_due"));
        json_array_append_new(arr, o);
    }
    free(q);
    free(g.by_group);
    users_free(&u);
    lk_article_recs_free(all, n);
    j->out = json_pack("{s:o, s:I}", "articles", arr, "review_due", (json_int_t)due);
    j->status_code = 200;
}

/* The article j->id with its translations, answer_html and versions. */
static void run_get(kjob_t *j, lk_store_t *st, int64_t now)
{
    lk_article_rec_t *all = NULL;
    size_t n = 0;
    users_t u = {NULL, 0};
    int rc = lk_store_article_list(st, NULL, &all, &n);
    if (rc == 0)
        rc = users_load(st, &u);
    if (rc) {
        lk_article_recs_free(all, n);
        fail_db(j, rc);
        return;
    }
    const lk_article_rec_t *r = NULL;
    for (size_t i = 0; i < n && !r; i++)
        if (strcmp(all[i].a.id, j->id) == 0)
            r = &all[i];
    if (!r) {
        fail(j, LK_ENOENT, 404, "not_found", "no article with this id");
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
        rc = lk_store_article_versions(st, j->id, VERSIONS_MAX, &v, &nv);
        json_t *vers = json_array();
        for (size_t i = 0; rc == 0 && i < nv; i++)
            json_array_append_new(vers, version_json(&v[i], &u));
        lk_article_versions_free(v, nv);
        json_object_set_new(o, "versions", vers);
        if (rc) {
            json_decref(o);
            fail_db(j, rc);
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
    users_free(&u);
    lk_article_recs_free(all, n);
}

static void run_set_archived(kjob_t *j, lk_store_t *st, int64_t now)
{
    int64_t version = 0;
    int rc = lk_store_article_set_archived(st, j->id, j->archive, j->user.id, now, &version);
    if (rc == LK_ENOENT) {
        fail(j, rc, 404, "not_found", "no article with this id");
        return;
    }
    if (rc == LK_ESTATE) {
        fail(j, rc, 409, "conflict", j->archive ? "the article is archived already" : "the article is not archived");
        return;
    }
    char detail[LK_KB_ID_MAX + 48];
    snprintf(detail, sizeof detail, "%s version %lld", j->id, (long long)version);
    if (rc == 0)
        rc = lk_store_audit(st, now, j->user.id, j->archive ? "kb.archive" : "kb.restore", NULL, detail);
    if (rc)
        fail_db(j, rc);
}

/* ---- drafts ------------------------------------------------------------------------ */

static void run_drafts(kjob_t *j, lk_store_t *st)
{
    lk_draft_t *v = NULL;
    size_t n = 0;
    users_t u = {NULL, 0};
    int rc = lk_store_draft_list(st, strcmp(j->status, "all") == 0 ? NULL : j->status, DRAFTS_MAX, &v, &n);
    if (rc == 0)
        rc = users_load(st, &u);
    if (rc) {
        lk_drafts_free(v, n);
        fail_db(j, rc);
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, draft_json(&v[i], &u));
    lk_drafts_free(v, n);
    users_free(&u);
    j->out = json_pack("{s:o}", "drafts", arr);
    j->status_code = 200;
}

/* Loads draft j->id into d; false after fail(). */
static bool load_draft(kjob_t *j, lk_store_t *st, lk_draft_t *d)
{
    int rc = lk_store_draft_get(st, j->id, d);
    if (rc == LK_ENOENT)
        fail(j, rc, 404, "not_found", "no draft with this id");
    else if (rc)
        fail_db(j, rc);
    return rc == 0;
}

static void run_draft_get(kjob_t *j, lk_store_t *st)
{
    lk_draft_t d;
    if (!load_draft(j, st, &d))
        return;
    users_t u = {NULL, 0};
    int rc = users_load(st, &u);
    if (rc) {
        lk_draft_clear(&d);
        fail_db(j, rc);
        return;
    }
    j->out = draft_json(&d, &u);
    j->status_code = 200;
    lk_draft_clear(&d);
    users_free(&u);
}

/* An id from text: lower-case ASCII letters and digits, everything else one
 * '-', accents dropped, at most SLUG_MAX bytes; "artikel" when nothing is
 * left. */
static void slugify(const char *text, char *out, size_t size)
{
    char *f = lk_text_search_fold(text);
    size_t o = 0, max = size - 1 < SLUG_MAX ? size - 1 : SLUG_MAX;
    for (const char *p = f; *p && o < max; p++) {
        char c = *p;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')
            out[o++] = c;
        else if (o > 0 && out[o - 1] != '-')
            out[o++] = '-';
    }
    while (o > 0 && out[o - 1] == '-')
        o--;
    out[o] = '\0';
    free(f);
    if (!o)
        snprintf(out, size, "artikel");
}

/* 1 when an article with id exists, 0 when not, or an error. */
static int article_exists(lk_store_t *st, const char *id)
{
    lk_article_rec_t r;
    int rc = lk_store_article_get(st, id, &r);
    lk_article_rec_clear(&r);
    return rc == 0 ? 1 : rc == LK_ENOENT ? 0 : rc;
}

/* The id a new article from draft d gets: its new_id, else one made from
 * the translation group and language (as the demo names translations:
 * "retourneren-en"), else from the title; with "-2", "-3", ... when taken. */
static int choose_new_id(lk_store_t *st, const lk_draft_t *d, char *out, size_t size)
{
    if (d->new_id[0]) {
        snprintf(out, size, "%s", d->new_id);
        return 0;
    }
    char base[SLUG_MAX + 8];
    if (d->translation_group[0]) {
        char g[SLUG_MAX + 1];
        slugify(d->translation_group, g, sizeof g);
        snprintf(base, sizeof base, "%.*s-%s", SLUG_MAX - 4, g, d->language);
    } else {
        slugify(d->title ? d->title : "", base, sizeof base);
    }
    for (int k = 1; k < 1000; k++) {
        if (k == 1)
            snprintf(out, size, "%s", base);
        else
            snprintf(out, size, "%s-%d", base, k);
        int rc = article_exists(st, out);
        if (rc <= 0)
            return rc;
    }
    return LK_EEXIST;
}

/* A stored JSON array of strings into v (heap strings). */
static bool parse_strv(const char *text, char ***v, size_t *n)
{
    *v = NULL;
    *n = 0;
    json_t *arr = text ? json_loads(text, 0, NULL) : NULL;
    if (!json_is_array(arr)) {
        json_decref(arr);
        return false;
    }
    size_t len = json_array_size(arr);
    *v = len ? lk_xcalloc(len, sizeof **v) : NULL;
    for (size_t i = 0; i < len; i++) {
        const char *s = json_string_value(json_array_get(arr, i));
        (*v)[(*n)++] = lk_xstrdup(s ? s : "");
    }
    json_decref(arr);
    return true;
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
    parse_strv(d->questions, &a->questions, &a->n_questions);
    parse_strv(d->tags, &a->tags, &a->n_tags);
    a->owner = d->owner[0] ? lk_xstrdup(d->owner) : NULL;
    a->review_by = d->review_by;
    a->translation_group = d->translation_group[0] ? lk_xstrdup(d->translation_group) : NULL;
}

/* Checks a draft's content as an article (a draft may still lack its
 * answer: complete is false then); false after a 400 naming the field. */
static bool check_draft(kjob_t *j, const lk_draft_t *d, bool complete)
{
    lk_article_t a;
    draft_article(d, "draft", &a);
    if (!complete && (!a.answer[0])) {
        free(a.answer);
        a.answer = lk_xstrdup("-"); /* written later */
    }
    char msg[400];
    int rc = lk_article_validate(&a, msg, sizeof msg);
    lk_article_free(&a);
    if (rc) {
        /* "article "draft": field ..." reads oddly: name the field only */
        const char *field = strstr(msg, "field ");
        fail_long(j, "invalid_field", field ? field : msg);
        return false;
    }
    return true;
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
    json_t *q = strv_json(a->questions, a->n_questions), *t = strv_json(a->tags, a->n_tags);
    d->questions = lk_json_dump(q, NULL);
    d->tags = lk_json_dump(t, NULL);
    json_decref(q);
    json_decref(t);
    d->answer = lk_xstrdup(a->answer);
    d->url = a->url ? lk_xstrdup(a->url) : NULL;
    snprintf(d->owner, sizeof d->owner, "%s", a->owner ? a->owner : "");
    d->review_by = a->review_by;
    snprintf(d->translation_group, sizeof d->translation_group, "%s", a->translation_group ? a->translation_group : "");
}

/* An owner must be a user; false after a 400. */
static bool check_owner(kjob_t *j, lk_store_t *st, const char *owner)
{
    if (!owner[0])
        return true;
    lk_user_t u;
    memset(&u, 0, sizeof u);
    int rc = lk_store_user_get(st, owner, &u);
    lk_user_clear(&u);
    if (rc == LK_ENOENT)
        fail(j, rc, 400, "invalid_field", "the field \"owner\" names no user");
    else if (rc)
        fail_db(j, rc);
    return rc == 0;
}

static void audit_draft(kjob_t *j, lk_store_t *st, int64_t now, const char *action, const lk_draft_t *d)
{
    char detail[LK_ID_MAX + LK_KB_ID_MAX + 16];
    snprintf(detail, sizeof detail, "%s%s%s", d->id, d->article_id[0] ? " of " : "", d->article_id);
    int rc = lk_store_audit(st, now, j->user.id, action, NULL, detail);
    if (rc)
        fail_db(j, rc);
}

static void answer_draft(kjob_t *j, lk_store_t *st, const lk_draft_t *d, int status)
{
    users_t u = {NULL, 0};
    int rc = users_load(st, &u);
    if (rc) {
        fail_db(j, rc);
        return;
    }
    j->out = draft_json(d, &u);
    j->status_code = status;
    users_free(&u);
}

static void run_draft_create(kjob_t *j, lk_store_t *st, int64_t now)
{
    lk_draft_t d;
    memset(&d, 0, sizeof d);
    int rc = 0;
    if (j->in.article_id[0]) { /* a change: starts from the article */
        lk_article_rec_t r;
        rc = lk_store_article_get(st, j->in.article_id, &r);
        if (rc == LK_ENOENT) {
            fail(j, rc, 400, "invalid_field", "the field \"article_id\" names no article");
            return;
        }
        if (rc) {
            fail_db(j, rc);
            return;
        }
        draft_from_article(&d, &r.a);
        lk_article_rec_clear(&r);
    } else {
        d.title = lk_xstrdup("");
        d.questions = lk_xstrdup("[]");
        d.answer = lk_xstrdup("");
        d.tags = lk_xstrdup("[]");
    }
    merge_fields(&d, &j->in, j->given);
    if (j->translation_of[0]) {
        lk_article_rec_t x;
        rc = lk_store_article_get(st, j->translation_of, &x);
        if (rc == LK_ENOENT)
            fail(j, rc, 400, "invalid_field", "the field \"translation_of\" names no article");
        else if (rc)
            fail_db(j, rc);
        else if (strcmp(x.a.language, d.language) == 0)
            fail(j, LK_EINVAL, 400, "invalid_field",
                 "a translation needs another language than the article it translates");
        else
            snprintf(d.translation_group, sizeof d.translation_group, "%s", group_of(&x.a));
        lk_article_rec_clear(&x);
        if (j->job.rc) {
            lk_draft_clear(&d);
            return;
        }
    }
    if (d.new_id[0] && (rc = article_exists(st, d.new_id)) != 0) {
        if (rc > 0)
            fail(j, LK_EEXIST, 409, "conflict",
                 "an article with this id exists: to change it, make a draft with \"article_id\"");
        else
            fail_db(j, rc);
        lk_draft_clear(&d);
        return;
    }
    if (!check_owner(j, st, d.owner) || !check_draft(j, &d, false)) {
        lk_draft_clear(&d);
        return;
    }
    if (!d.article_id[0] && !d.new_id[0] && (rc = choose_new_id(st, &d, d.new_id, sizeof d.new_id)) != 0) {
        fail_db(j, rc);
        lk_draft_clear(&d);
        return;
    }
    lk_rand_id("d_", d.id, sizeof d.id);
    snprintf(d.status, sizeof d.status, "draft");
    snprintf(d.source, sizeof d.source, "editor");
    snprintf(d.created_by, sizeof d.created_by, "%s", j->user.id);
    d.created_at = d.updated_at = now;
    rc = lk_store_draft_insert(st, &d);
    if (rc)
        fail_db(j, rc);
    else
        audit_draft(j, st, now, "kb.draft.create", &d);
    if (!j->job.rc)
        answer_draft(j, st, &d, 201);
    lk_draft_clear(&d);
}

/* A draft that is no longer a draft cannot change; false after a 409. */
static bool still_draft(kjob_t *j, const lk_draft_t *d)
{
    if (strcmp(d->status, "draft") == 0)
        return true;
    fail(j, LK_ESTATE, 409, "conflict",
         strcmp(d->status, "published") == 0 ? "this draft was published already" : "this draft was discarded");
    return false;
}

static void run_draft_update(kjob_t *j, lk_store_t *st, int64_t now)
{
    lk_draft_t d;
    if (!load_draft(j, st, &d))
        return;
    if (!still_draft(j, &d)) {
        lk_draft_clear(&d);
        return;
    }
    if ((j->given & HAS_NEW_ID) && d.article_id[0]) {
        fail(j, LK_EINVAL, 400, "invalid_field", "the field \"id\" is for a new article; this draft changes one");
        lk_draft_clear(&d);
        return;
    }
    merge_fields(&d, &j->in, j->given);
    int rc = 0;
    if ((j->given & HAS_NEW_ID) && (rc = article_exists(st, d.new_id)) != 0) {
        if (rc > 0)
            fail(j, LK_EEXIST, 409, "conflict", "an article with this id exists");
        else
            fail_db(j, rc);
        lk_draft_clear(&d);
        return;
    }
    if (!check_owner(j, st, d.owner) || !check_draft(j, &d, false)) {
        lk_draft_clear(&d);
        return;
    }
    d.updated_at = now;
    rc = lk_store_draft_update(st, &d);
    if (rc == LK_ENOENT)
        fail(j, rc, 409, "conflict", "this draft is no longer a draft");
    else if (rc)
        fail_db(j, rc);
    else
        audit_draft(j, st, now, "kb.draft.update", &d);
    if (!j->job.rc)
        answer_draft(j, st, &d, 200);
    lk_draft_clear(&d);
}

static void run_draft_delete(kjob_t *j, lk_store_t *st, int64_t now)
{
    lk_draft_t d;
    if (!load_draft(j, st, &d))
        return;
    if (still_draft(j, &d)) {
        int rc = lk_store_draft_finish(st, d.id, "discarded", NULL, now);
        if (rc)
            fail_db(j, rc);
        else
            audit_draft(j, st, now, "kb.draft.discard", &d);
        if (!j->job.rc) {
            j->out = json_pack("{s:s, s:s}", "id", d.id, "status", "discarded");
            j->status_code = 200;
        }
    }
    lk_draft_clear(&d);
}

/* ---- the regression check ------------------------------------------------------- */

/* The article a draft publishes: loads and checks draft j->id into d and
 * *a (id chosen), *create telling a new article from a change. false after
 * fail(). */
static bool publishable(kjob_t *j, lk_store_t *st, lk_draft_t *d, lk_article_t *a, bool *create)
{
    memset(a, 0, sizeof *a);
    if (!load_draft(j, st, d))
        return false;
    if (!still_draft(j, d) || !check_draft(j, d, true)) {
        lk_draft_clear(d);
        return false;
    }
    char id[LK_KB_ID_MAX + 1];
    int rc = 0;
    *create = !d->article_id[0];
    if (*create) {
        rc = choose_new_id(st, d, id, sizeof id);
        if (rc == 0 && d->new_id[0] && (rc = article_exists(st, id)) > 0) {
            fail(j, LK_EEXIST, 409, "conflict", "an article with the draft's id exists now: give the draft another id");
            lk_draft_clear(d);
            return false;
        }
    } else {
        snprintf(id, sizeof id, "%s", d->article_id);
        rc = article_exists(st, id);
        if (rc == 0) {
            fail(j, LK_ENOENT, 409, "conflict", "the article this draft changes does not exist");
            lk_draft_clear(d);
            return false;
        }
        rc = rc > 0 ? 0 : rc;
    }
    if (rc) {
        fail_db(j, rc);
        lk_draft_clear(d);
        return false;
    }
    draft_article(d, id, a);
    return true;
}

/* One question of the regression set. */
typedef struct {
    const char *text;
    const char *language;
} question_t;

static uint64_t hash_q(const char *lang, const char *text)
{
    uint64_t h = 1469598103934665603ULL;
    for (const char *s = lang; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    h = (h ^ 0xFF) * 1099511628211ULL;
    for (const char *s = text; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* Collects every example question of a and b once (by language and text). */
typedef struct {
    question_t *v;
    size_t n, cap;
    size_t *slots; /* index + 1 */
    size_t mask;
} qset_t;

static void qset_add(qset_t *s, const char *text, const char *lang)
{
    if (s->n * 2 >= s->mask) {
        size_t cap = (s->mask + 1) * 4;
        free(s->slots);
        s->slots = lk_xcalloc(cap, sizeof *s->slots);
        s->mask = cap - 1;
        for (size_t i = 0; i < s->n; i++) {
            size_t k = (size_t)hash_q(s->v[i].language, s->v[i].text) & s->mask;
            while (s->slots[k])
                k = (k + 1) & s->mask;
            s->slots[k] = i + 1;
        }
    }
    size_t k = (size_t)hash_q(lang, text) & s->mask;
    while (s->slots[k]) {
        const question_t *q = &s->v[s->slots[k] - 1];
        if (strcmp(q->text, text) == 0 && strcmp(q->language, lang) == 0)
            return;
        k = (k + 1) & s->mask;
    }
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 256;
        s->v = lk_xrealloc(s->v, s->cap * sizeof *s->v);
    }
    s->v[s->n] = (question_t){text, lang};
    s->slots[k] = ++s->n;
}

static void qset_add_kb(qset_t *s, const lk_kb_t *kb)
{
    for (size_t i = 0; i < kb->n_articles; i++)
        for (size_t q = 0; q < kb->articles[i].n_questions; q++)
            qset_add(s, kb->articles[i].questions[q], kb->articles[i].language);
}

/* What a model does with one question. */
typedef struct {
    bool answer;
    const char *article; /* the best article's id, NULL when none */
    double confidence;
} verdict_t;

static verdict_t judge(const lk_nlu_model_t *m, const lk_kb_t *kb, const question_t *q)
{
    verdict_t v = {false, NULL, 0};
    lk_nlu_context_t ctx = {NULL, 0, q->language};
    lk_nlu_reading_t r;
    if (lk_nlu_read(m, q->text, strlen(q->text), &ctx, &r) != 0)
        return v;
    if (r.n_top > 0 && r.top[0].article >= 0 && (size_t)r.top[0].article < kb->n_articles) {
        v.article = kb->articles[r.top[0].article].id;
        v.confidence = r.top[0].confidence;
        v.answer = r.answer;
    }
    return v;
}

static json_t *verdict_json(const verdict_t *v)
{
    return json_pack("{s:s, s:o, s:f}", "decision", v->answer ? "answer" : "decline", "article_id",
                     v->answer && v->article ? json_string(v->article) : json_null(), "confidence", v->confidence);
}

/* Builds the candidate knowledge base (the published one with a applied),
 * its model, and compares what the current bot and the candidate do with
 * every example question of both; fills j->check. On a reader. */
static void regression_check(kjob_t *j, lk_store_t *st, const lk_article_t *a, bool create)
{
    lk_kb_t cand;
    int rc = lk_store_kb_load(st, &cand);
    if (rc) {
        fail_db(j, rc);
        return;
    }
    /* replace or insert in id order, as the store would load it after
     * publishing, so the candidate model is the one the bot will build */
    long k = lk_kb_find(&cand, a->id);
    if (k >= 0) {
        lk_article_free(&cand.articles[k]);
        lk_article_copy(&cand.articles[k], a);
    } else {
        size_t at = 0;
        while (at < cand.n_articles && strcmp(cand.articles[at].id, a->id) < 0)
            at++;
        cand.articles = lk_xrealloc(cand.articles, (cand.n_articles + 1) * sizeof *cand.articles);
        memmove(&cand.articles[at + 1], &cand.articles[at], (cand.n_articles - at) * sizeof *cand.articles);
        memset(&cand.articles[at], 0, sizeof *cand.articles);
        lk_article_copy(&cand.articles[at], a);
        cand.n_articles++;
    }
    lk_kb_answers_to_text(&cand);
    int64_t t0 = lk_time_mono_ns();
    lk_nlu_model_t *model = NULL;
    rc = lk_bot_model_build(st, &cand, lk_bot_answer_risk(j->app), &model, NULL); /* as the bot is built */
    if (rc) {
        lk_kb_free(&cand);
        fail_db(j, rc);
        return;
    }

    lk_bot_t *bot = lk_bot_acquire(j->app);
    qset_t qs = {NULL, 0, 0, lk_xcalloc(64, sizeof(size_t)), 63};
    qset_add_kb(&qs, &cand);
    qset_add_kb(&qs, &bot->kb);
    json_t *changes = json_array();
    size_t n_changes = 0, moved = 0, declined = 0, answered = 0;
    for (size_t i = 0; i < qs.n; i++) {
        verdict_t from = judge(bot->nlu, &bot->kb, &qs.v[i]);
        verdict_t to = judge(model, &cand, &qs.v[i]);
        bool same = from.answer == to.answer &&
                    (!from.answer || (from.article && to.article && strcmp(from.article, to.article) == 0));
        if (same)
            continue;
        n_changes++;
        if (from.answer && to.answer)
            moved++;
        else if (from.answer)
            declined++;
        else
            answered++;
        if (n_changes <= CHANGES_MAX)
            json_array_append_new(changes,
                                  json_pack("{s:s, s:s, s:o, s:o}", "question", qs.v[i].text, "language",
                                            qs.v[i].language, "from", verdict_json(&from), "to", verdict_json(&to)));
    }
    j->check = json_pack("{s:I, s:o, s:I, s:{s:I, s:I, s:I}, s:{s:s, s:s, s:s, s:b}, s:f, s:f}", "checked",
                         (json_int_t)qs.n, "changes", changes, "changes_total", (json_int_t)n_changes, "summary",
                         "moved", (json_int_t)moved, "declined", (json_int_t)declined, "answered", (json_int_t)answered,
                         "candidate", "id", a->id, "language", a->language, "title", a->title, "new", create,
                         "threshold", lk_nlu_threshold(model), "seconds", (double)(lk_time_mono_ns() - t0) / 1e9);
    /* how the change moves the calibration: the bot now, the bot after publishing */
    json_object_set_new(j->check, "calibration",
                        json_pack("{s:o, s:o}", "current", lk_bot_calibration_json(bot->nlu), "candidate",
                                  lk_bot_calibration_json(model)));
    free(qs.v);
    free(qs.slots);
    lk_bot_release(bot);
    lk_nlu_free(model);
    lk_kb_free(&cand);
}

static void run_preview(kjob_t *j, lk_store_t *st)
{
    lk_draft_t d;
    lk_article_t a;
    bool create;
    if (!publishable(j, st, &d, &a, &create))
        return;
    j->draft_updated_at = d.updated_at;
    regression_check(j, st, &a, create);
    lk_article_free(&a);
    lk_draft_clear(&d);
}

static void run_publish_write(kjob_t *j, lk_store_t *st, int64_t now)
{
    lk_draft_t d;
    lk_article_t a;
    bool create;
    if (!publishable(j, st, &d, &a, &create))
        return;
    if (d.updated_at != j->draft_updated_at) {
        fail(j, LK_ESTATE, 409, "conflict", "the draft changed while it was checked: preview it again");
    } else {
        int64_t version = 0;
        int rc = lk_store_article_publish(st, &a, create, j->user.id, now, &version);
        if (rc == LK_EEXIST) {
            fail(j, rc, 409, "conflict", "an article with the draft's id exists now: give the draft another id");
        } else {
            if (rc == 0)
                rc = lk_store_draft_finish(st, d.id, "published", a.id, now);
            char detail[LK_KB_ID_MAX + LK_ID_MAX + 64];
            snprintf(detail, sizeof detail, "%s version %lld from %s", a.id, (long long)version, d.id);
            if (rc == 0)
                rc = lk_store_audit(st, now, j->user.id, "kb.publish", NULL, detail);
            if (rc == 0) /* the reviews' threshold, applied by the bot this publish rebuilds */
                rc = lk_api_recalibrate(st, now);
            if (rc)
                fail_db(j, rc);
            else
                snprintf(j->id, sizeof j->id, "%s", a.id);
        }
    }
    lk_article_free(&a);
    lk_draft_clear(&d);
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
    snprintf(conv.status, sizeof conv.status, "bot");
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
        fail(j, rc, 400, "invalid_field", "the field \"text\" cannot be read");
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
                       "language", str_or_null(r.language), "language_confidence", r.language_confidence, "threshold",
                       lk_nlu_threshold(bot->nlu), "top", top, "signals", signals, "policy_hint",
                       policy_hint(j, st, bot, &r, lang, now), "kb_version", (json_int_t)bot->version);
    /* why: the words that matched the best article, and those it does not know */
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
        fail_db(j, rc);
        return;
    }
    j->raw = j->format == LK_KB_FORMAT_CSV ? lk_kb_to_csv(&j->kb) : lk_kb_to_json(&j->kb);
    if (!j->raw) {
        fail(j, LK_EINVAL, 500, "internal", "the knowledge base holds an article that cannot be exported");
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
        fail_long(j, rc == LK_EJSON ? "invalid_json" : "invalid_kb", err);
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
        fail_db(j, rc);
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
        run_drafts(j, st);
        break;
    case OP_DRAFT_GET:
        run_draft_get(j, st);
        break;
    case OP_DRAFT_CREATE:
        run_draft_create(j, st, now);
        break;
    case OP_DRAFT_UPDATE:
        run_draft_update(j, st, now);
        break;
    case OP_DRAFT_DELETE:
        run_draft_delete(j, st, now);
        break;
    case OP_PREVIEW:
    case OP_PUBLISH_CHECK:
        run_preview(j, st);
        break;
    case OP_PUBLISH_WRITE:
        run_publish_write(j, st, now);
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
        kjob_free(j);
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
    kjob_free(j);
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

static bool is_language(const char *s, size_t len)
{
    return len == 2 && ((s[0] == 'n' && s[1] == 'l') || (s[0] == 'e' && s[1] == 'n'));
}

/* An id for a new article: 1 to NEW_ID_MAX of a-z, 0-9, '_' and '-'. */
static bool is_new_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > NEW_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-'))
            return false;
    return true;
}

/* An existing article's id as the knowledge base allows it. */
static bool is_article_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > LK_KB_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
              s[i] == '.' || s[i] == '_' || s[i] == '-'))
            return false;
    return true;
}

static bool no_body(lk_http_req_t *req)
{
    if (lk_http_req_body_too_large(req)) {
        lk_respond_error(req, 413, "body_too_large", "the request body is larger than the limit");
        return false;
    }
    return true;
}

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

/* Reads a draft body into j->in / j->given (create: also article_id and
 * translation_of). false after answering 400. */
static bool read_draft_body(lk_http_req_t *req, kjob_t *j, bool create)
{
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
            size_t k = 0;
            for (const char *p = key; *p && k + 1 < sizeof name; p++)
                name[k++] = ((unsigned char)*p < 0x20 || *p == '"') ? '?' : *p;
            name[k] = '\0';
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
        !lk_body_string(req, body, "id", NEW_ID_MAX, false, &id) ||
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
    if (article_id && !is_article_id(article_id)) {
        lk_respond_error(req, 400, "invalid_field", "the field \"article_id\" is not an article id");
        goto out;
    }
    if (translation_of && !is_article_id(translation_of)) {
        lk_respond_error(req, 400, "invalid_field", "the field \"translation_of\" is not an article id");
        goto out;
    }
    if (article_id && (translation_of || id)) {
        lk_respond_error(req, 400, "invalid_field",
                         "a draft of a change (\"article_id\") takes neither \"id\" nor \"translation_of\"");
        goto out;
    }
    if (id && !is_new_id(id)) {
        lk_respond_error(req, 400, "invalid_field", "the field \"id\" must be 1 to %d of a-z, 0-9, \"_\" and \"-\"",
                         NEW_ID_MAX);
        goto out;
    }
    if (language && !is_language(language, strlen(language))) {
        lk_respond_error(req, 400, "invalid_field", "the field \"language\" must be \"nl\" or \"en\"");
        goto out;
    }
    if (owner && !is_article_id(owner)) {
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
    lk_draft_t *d = &j->in;
    if (article_id)
        snprintf(d->article_id, sizeof d->article_id, "%s", article_id);
    if (translation_of)
        snprintf(j->translation_of, sizeof j->translation_of, "%s", translation_of);
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
    j->given = (language ? HAS_LANGUAGE : 0) | (title ? HAS_TITLE : 0) | (questions ? HAS_QUESTIONS : 0) |
               (answer ? HAS_ANSWER : 0) | (has_url ? HAS_URL : 0) | (tags ? HAS_TAGS : 0) |
               (has_owner ? HAS_OWNER : 0) | (has_review ? HAS_REVIEW_BY : 0) | (id ? HAS_NEW_ID : 0);
    if (!create && !j->given) {
        lk_respond_error(req, 400, "missing_field", "the body names no field to change");
        goto out;
    }
    ok = true;
out:
    json_decref(body);
    return ok;
}

static void submit(kjob_t *j, lk_pool_t *pool)
{
    lk_pool_submit(pool, &j->job);
}

/* A job for a request that must come without a body; NULL after answering. */
static kjob_t *bodyless_job(lk_http_req_t *req, struct lk_app *app, op_t op)
{
    kjob_t *j = kjob_new(req, app, op);
    if (j && !no_body(req)) {
        kjob_free(j);
        return NULL;
    }
    return j;
}

/* A job carrying a draft's fields from the body; NULL after answering. */
static kjob_t *draft_job(lk_http_req_t *req, struct lk_app *app, op_t op, bool create)
{
    kjob_t *j = kjob_new(req, app, op);
    if (j && !read_draft_body(req, j, create)) {
        kjob_free(j);
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
            kjob_free(j);
            return;
        }
        snprintf(j->status, sizeof j->status, "%.*s", (int)v.len, v.base);
    }
    if (lk_http_req_query(req, "language", &v) && v.len > 0) {
        if (!is_language(v.base, v.len)) {
            lk_respond_error(req, 400, "invalid_field", "the parameter \"language\" must be \"nl\" or \"en\"");
            kjob_free(j);
            return;
        }
        memcpy(j->language, v.base, v.len);
    }
    if (lk_http_req_query(req, "q", &v) && v.len > 0) {
        if (v.len > QUERY_MAX || !lk_utf8_valid(v.base, v.len)) {
            lk_respond_error(req, 400, "invalid_field", "the parameter \"q\" must be valid UTF-8 of at most %d bytes",
                             QUERY_MAX);
            kjob_free(j);
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
            kjob_free(j);
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
    kjob_t *j = draft_job(req, app, OP_DRAFT_CREATE, true);
    if (j)
        submit(j, app->writer);
}

static void h_draft_update(lk_http_req_t *req, void *ud)
{
    struct lk_app *app = ud;
    kjob_t *j = draft_job(req, app, OP_DRAFT_UPDATE, false);
    if (j)
        submit(j, app->writer);
}

static void h_draft_delete(lk_http_req_t *req, void *ud)
{
    struct lk_app *app = ud;
    kjob_t *j = bodyless_job(req, app, OP_DRAFT_DELETE);
    if (j)
        submit(j, app->writer);
}

static void h_preview(lk_http_req_t *req, void *ud)
{
    struct lk_app *app = ud;
    kjob_t *j = bodyless_job(req, app, OP_PREVIEW);
    if (j)
        submit(j, app->readers);
}

static void h_publish(lk_http_req_t *req, void *ud)
{
    struct lk_app *app = ud;
    kjob_t *j = bodyless_job(req, app, OP_PUBLISH_CHECK);
    if (j)
        submit(j, app->readers);
}

static void h_try(lk_http_req_t *req, void *ud)
{
    struct lk_app *app = ud;
    kjob_t *j = kjob_new(req, app, OP_TRY);
    if (!j)
        return;
    json_t *body = lk_parse_body(req);
    if (!body) {
        kjob_free(j);
        return;
    }
    const char *text = NULL, *language = NULL;
    bool ok = lk_body_string(req, body, "text", (size_t)app->cfg.max_text, true, &text) &&
              lk_body_string(req, body, "language", 2, false, &language);
    if (ok && language && !is_language(language, strlen(language))) {
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
        kjob_free(j);
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
        kjob_free(j);
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
        kjob_free(j);
        return;
    }
    lk_str_t v;
    if (lk_http_req_query(req, "replace", &v) && v.len > 0) {
        if (lk_str_eq_cstr(v, "true") || lk_str_eq_cstr(v, "1"))
            j->replace = true;
        else if (!lk_str_eq_cstr(v, "false") && !lk_str_eq_cstr(v, "0")) {
            lk_respond_error(req, 400, "invalid_field", "the parameter \"replace\" must be \"true\" or \"false\"");
            kjob_free(j);
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
