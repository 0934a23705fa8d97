/*
 * The company's own labelled questions (docs/quality.md, "Labelled questions
 * and review marks"; docs/api.md): questions whose right answer is known, an
 * article or out of scope, that join the calibration of the answering
 * threshold of every bot built after they were stored (src/conv/bot.c). Two
 * ways in, with the same checks: the API's route table (list with counts
 * per article and the stale ones, add one or a batch or a JSON-lines file,
 * delete one; team leads and admins) and `loket kb labelled import|export`.
 *
 * The reading and checking of a file or body is kb/'s (lk_kb_labelled_parse_*,
 * pure: all or nothing, naming the bad line); here the texts are redacted
 * (lk_pii_redact, as every customer text that leaves its conversation),
 * their labels checked against the published articles inside the write,
 * and they are stored with an audit record. Nothing here rebuilds the bot:
 * the change counts from the next knowledge-base build (a publish or an
 * import), whose threshold change is audited as nlu.calibrate (bot.c).
 */
#include "api/api_int.h"
#include "api/route.h"
#include "privacy/privacy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_DEFAULT 100
#define PAGE_MAX 500
#define ERR_MAX 600

/* A request's own state (job->data). */
typedef struct {
    /* GET: the query */
    int64_t after;
    size_t limit;
    bool by_article;
    char article[LK_KB_ID_MAX + 1]; /* "" with by_article: the out-of-scope ones */
    /* POST: the body, then what it holds */
    bool lines;                  /* ?format=jsonl: a JSON-lines file as `kb labelled import` reads */
    lk_labelled_source_t source; /* ?source=console|review for a JSON body; a file is "import" */
    bool replace;                /* ?replace=true: the stored ones go first */
    char *raw;
    size_t raw_len;
    lk_kb_labelled_t *items;
    size_t n_items;
} req_t;

static void req_free(void *data)
{
    req_t *r = data;
    free(r->raw);
    lk_kb_labelled_free(r->items, r->n_items);
}

/* Replaces each text by its redacted copy (docs/privacy.md). */
static void redact(lk_kb_labelled_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *red = lk_pii_redact(v[i].text, strlen(v[i].text));
        free(v[i].text);
        v[i].text = red;
    }
}

/* Checks every label of v against the published articles (inside the
 * write, so an article archived meanwhile is refused) and fills in the
 * article's language where none was given. 0, LK_EINVAL with err naming
 * the first unknown label, or the store's error. */
static int check_labels(lk_store_t *st, lk_kb_labelled_t *v, size_t n, char *err, size_t errsize)
{
    const char *last = NULL; /* labels repeat: look each run up once */
    char language[8] = "";
    for (size_t i = 0; i < n; i++) {
        if (!v[i].label[0])
            continue; /* out of scope */
        if (!last || strcmp(last, v[i].label) != 0) {
            lk_article_rec_t a;
            memset(&a, 0, sizeof a);
            int rc = lk_store_article_get(st, v[i].label, &a);
            bool published = rc == 0 && a.status == LK_ARTICLE_PUBLISHED;
            snprintf(language, sizeof language, "%s", rc == 0 && a.a.language ? a.a.language : "");
            if (rc == 0)
                lk_article_rec_clear(&a);
            if (rc && rc != LK_ENOENT)
                return rc;
            if (!published) {
                char where[40]; /* named as the reading names it (lk_kb_labelled_parse_*) */
                if (v[i].line)
                    snprintf(where, sizeof where, "line %zu", v[i].line);
                else if (n == 1)
                    snprintf(where, sizeof where, "the body");
                else
                    snprintf(where, sizeof where, "questions[%zu]", i);
                snprintf(err, errsize, "%s: \"label\" \"%s\" is no published article of the knowledge base", where,
                         v[i].label);
                return LK_EINVAL;
            }
            last = v[i].label;
        }
        if (!v[i].language[0])
            snprintf(v[i].language, sizeof v[i].language, "%s", language);
    }
    return 0;
}

/* Stores v as source, by whom (a user id, or "cli"), at now. */
static int store_items(lk_store_t *st, const lk_kb_labelled_t *v, size_t n, lk_labelled_source_t source, const char *by,
                       bool replace, int64_t now, int64_t *added, int64_t *deleted)
{
    lk_labelled_t *rec = lk_xcalloc(n ? n : 1, sizeof *rec);
    for (size_t i = 0; i < n; i++) {
        rec[i].text = v[i].text; /* borrowed */
        snprintf(rec[i].article_id, sizeof rec[i].article_id, "%s", v[i].label);
        snprintf(rec[i].language, sizeof rec[i].language, "%s", v[i].language);
        rec[i].source = source;
        snprintf(rec[i].added_by, sizeof rec[i].added_by, "%s", by);
        rec[i].created_at = now;
    }
    int rc = lk_store_labelled_add(st, rec, n, replace, added, deleted);
    free(rec);
    return rc;
}

/* Adds v (redacted) as one change: the labels checked against the published
 * articles, the questions stored as source by whom at now, and the audit
 * record. 0, LK_EINVAL with err naming the first unknown label, or the
 * store's error; the caller's write (a job on the writer, or the CLI's
 * transaction) keeps all or nothing of it. */
static int add_items(lk_store_t *st, lk_kb_labelled_t *v, size_t n, lk_labelled_source_t source, const char *by,
                     bool replace, int64_t now, int64_t *added, int64_t *deleted, char *err, size_t errsize)
{
    *added = *deleted = 0;
    int rc = check_labels(st, v, n, err, errsize);
    if (rc == 0)
        rc = store_items(st, v, n, source, by, replace, now, added, deleted);
    if (rc)
        return rc;
    char detail[160];
    snprintf(detail, sizeof detail, "%s%s: %zu received, %lld added, %lld removed",
             source == LK_LABELLED_IMPORT ? "file" : "questions", replace ? " replace" : "", n, (long long)*added,
             (long long)*deleted);
    return lk_store_audit(st, now, by, "kb.labelled_add", NULL, detail);
}

/* ---- GET /api/v1/kb/labelled ------------------------------------------------ */

static json_t *question_json(const lk_labelled_t *q, bool stale)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer((json_int_t)q->id));
    json_object_set_new(o, "text", json_string(q->text));
    json_object_set_new(o, "label", json_string(q->article_id[0] ? q->article_id : LK_KB_OOS));
    json_object_set_new(o, "article_id", q->article_id[0] ? json_string(q->article_id) : json_null());
    json_object_set_new(o, "language", q->language[0] ? json_string(q->language) : json_null());
    json_object_set_new(o, "source", json_string(lk_labelled_source_name(q->source)));
    json_object_set_new(o, "added_by", json_string(q->added_by));
    json_object_set_new(o, "created_at", lk_json_time(q->created_at));
    json_object_set_new(o, "stale", json_boolean(stale));
    return o;
}

/* Whether article id is published now; its title into title (may be ""). */
static int article_state(lk_store_t *st, const char *id, bool *published, char *title, size_t size)
{
    lk_article_rec_t a;
    memset(&a, 0, sizeof a);
    title[0] = '\0';
    *published = false;
    int rc = lk_store_article_get(st, id, &a);
    if (rc == LK_ENOENT)
        return 0;
    if (rc)
        return rc;
    *published = a.status == LK_ARTICLE_PUBLISHED;
    snprintf(title, size, "%s", a.a.title ? a.a.title : "");
    lk_article_rec_clear(&a);
    return 0;
}

static void run_list(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    req_t *r = j->data;
    lk_labelled_count_t *counts = NULL;
    size_t n_counts = 0;
    int rc = lk_store_labelled_counts(st, &counts, &n_counts);
    if (rc) {
        lk_api_fail_db(j, rc);
        return;
    }
    /* per label: the count, the article's title, whether it is gone */
    json_t *by = json_array();
    bool *stale = lk_xcalloc(n_counts ? n_counts : 1, sizeof *stale);
    int64_t total = 0, n_stale = 0, n_oos = 0;
    for (size_t i = 0; i < n_counts && rc == 0; i++) {
        total += counts[i].count;
        if (!counts[i].article_id[0]) {
            n_oos += counts[i].count;
            continue;
        }
        bool published;
        char title[LK_KB_TITLE_MAX + 1];
        rc = article_state(st, counts[i].article_id, &published, title, sizeof title);
        stale[i] = !published;
        if (stale[i])
            n_stale += counts[i].count;
        json_array_append_new(by, json_pack("{s:s, s:o, s:I, s:b}", "article_id", counts[i].article_id, "title",
                                            title[0] ? json_string(title) : json_null(), "count",
                                            (json_int_t)counts[i].count, "stale", stale[i]));
    }
    lk_labelled_t *v = NULL;
    size_t n = 0;
    if (rc == 0)
        rc = lk_store_labelled_list(st, r->by_article ? r->article : NULL, r->after, r->limit + 1, &v, &n);
    if (rc) {
        json_decref(by);
        free(stale);
        free(counts);
        lk_api_fail_db(j, rc);
        return;
    }
    bool more = n > r->limit;
    if (more)
        n = r->limit;
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        bool gone = false;
        for (size_t c = 0; c < n_counts && v[i].article_id[0]; c++)
            if (strcmp(counts[c].article_id, v[i].article_id) == 0) {
                gone = stale[c];
                break;
            }
        json_array_append_new(list, question_json(&v[i], gone));
    }
    lk_bot_t *bot = lk_bot_acquire(j->app);
    j->out = json_object();
    json_object_set_new(j->out, "questions", list);
    json_object_set_new(j->out, "next_after", more ? json_integer((json_int_t)v[n - 1].id) : json_null());
    json_object_set_new(j->out, "total", json_integer((json_int_t)total));
    json_object_set_new(j->out, "out_of_scope", json_integer((json_int_t)n_oos));
    json_object_set_new(j->out, "stale", json_integer((json_int_t)n_stale));
    json_object_set_new(j->out, "by_article", by);
    /* what the bot answering now counted (the rest counts from the next build) */
    json_object_set_new(j->out, "in_calibration", json_integer((json_int_t)bot->company_questions));
    json_object_set_new(j->out, "kb_version", json_integer((json_int_t)bot->version));
    lk_bot_release(bot);
    lk_labelled_free(v, n + (more ? 1 : 0));
    free(stale);
    free(counts);
}

/* ?after=ID&limit=N&article=ID|oos */
static bool prepare_list(lk_api_job_t *j)
{
    req_t *r = j->data;
    int64_t limit = PAGE_DEFAULT;
    if (!lk_api_query_int(j, "after", 0, INT64_MAX, &r->after, "the parameter \"after\" must be a question's id") ||
        !lk_api_query_int(j, "limit", 1, PAGE_MAX, &limit, NULL))
        return false;
    r->limit = (size_t)limit;
    lk_str_t v;
    if (lk_http_req_query(j->req, "article", &v) && v.len) {
        snprintf(r->article, sizeof r->article, "%.*s", (int)(v.len <= LK_KB_ID_MAX ? v.len : 0), v.base);
        bool oos = strcmp(r->article, LK_KB_OOS) == 0;
        if (v.len > LK_KB_ID_MAX || (!oos && !lk_kb_token_valid(r->article, LK_KB_ID_MAX))) {
            lk_respond_error(j->req, 400, "invalid_field",
                             "the parameter \"article\" must be an article id or \"oos\"");
            return false;
        }
        if (oos)
            r->article[0] = '\0';
        r->by_article = true;
    }
    return true;
}

/* ---- POST /api/v1/kb/labelled ----------------------------------------------- */

/* ?format=json|jsonl, ?replace=true|false, and the body as sent. */
static bool prepare_add(lk_api_job_t *j)
{
    static const char *const formats[] = {"json", "jsonl", NULL};
    req_t *r = j->data;
    char f[8];
    if (!lk_api_query_choice(j, "format", formats, f, sizeof f,
                             "the parameter \"format\" must be \"json\" or \"jsonl\"") ||
        !lk_api_query_flag(j, "replace", &r->replace))
        return false;
    r->lines = strcmp(f, "jsonl") == 0;
    /* where typed questions came from: a team lead's own, or taken over
     * from an answer review (which the conversation's retention deletes) */
    static const char *const sources[] = {"", "console", "review", NULL};
    char src[8];
    lk_str_t given;
    if (!lk_api_query_choice(j, "source", sources, src, sizeof src,
                             "the parameter \"source\" must be \"console\" or \"review\""))
        return false;
    if (r->lines && lk_http_req_query(j->req, "source", &given) && given.len) {
        lk_respond_error(j->req, 400, "invalid_field",
                         "a file's questions have the source \"import\": leave out \"source\"");
        return false;
    }
    r->source = r->lines ? LK_LABELLED_IMPORT : strcmp(src, "review") == 0 ? LK_LABELLED_REVIEW : LK_LABELLED_CONSOLE;
    r->raw = lk_api_body_copy(j, &r->raw_len);
    return true;
}

/* On a reader (after the session check): parsed and redacted, no store. */
static void run_parse(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    req_t *r = j->data;
    char err[ERR_MAX];
    int rc = r->lines ? lk_kb_labelled_parse_lines(r->raw, r->raw_len, NULL, &r->items, &r->n_items, err, sizeof err)
                      : lk_kb_labelled_parse_json(r->raw, r->raw_len, NULL, &r->items, &r->n_items, err, sizeof err);
    free(r->raw);
    r->raw = NULL;
    if (rc) {
        lk_api_fail_long(j, "invalid_labelled", err);
        return;
    }
    redact(r->items, r->n_items);
}

static void run_add(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    req_t *r = j->data;
    char err[ERR_MAX];
    int64_t added = 0, deleted = 0;
    int rc = add_items(st, r->items, r->n_items, r->source, j->user.id, r->replace, now, &added, &deleted, err,
                       sizeof err);
    if (rc == LK_EINVAL) {
        lk_api_fail_long(j, "invalid_labelled", err);
        return;
    }
    if (rc) {
        lk_api_fail_db(j, rc);
        return;
    }
    j->out = json_pack("{s:I, s:I, s:I, s:I, s:b}", "received", (json_int_t)r->n_items, "added", (json_int_t)added,
                       "duplicates", (json_int_t)((int64_t)r->n_items - added), "removed", (json_int_t)deleted,
                       "replace", r->replace);
}

/* ---- DELETE /api/v1/kb/labelled/:id ----------------------------------------- */

static void run_delete(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    int64_t id = 0;
    int rc = lk_parse_i64(j->id, 1, INT64_MAX, &id) ? LK_ENOENT : lk_store_labelled_delete(st, id);
    if (!lk_api_found(j, rc, 404, "not_found", "no labelled question with this id"))
        return;
    char detail[64];
    snprintf(detail, sizeof detail, "labelled question %lld", (long long)id);
    rc = lk_store_audit(st, now, j->user.id, "kb.labelled_delete", NULL, detail);
    if (rc) {
        lk_api_fail_db(j, rc);
        return;
    }
    j->out = json_pack("{s:I}", "deleted", (json_int_t)id);
}

/* ---- the table -------------------------------------------------------------- */

/* Team leads and admins: the questions are customers' words (redacted). */
#define MANAGE LK_ACCESS_SUPERVISOR
#define REQ .data_size = sizeof(req_t), .data_free = req_free

static const lk_api_route_t routes[] = {
    {"GET", "/api/v1/kb/labelled", MANAGE, .steps = {{.pool = LK_ON_READER, .run = run_list}}, .prepare = prepare_list,
     REQ},
    /* parsed on a reader, checked and written on the writer */
    {"POST", "/api/v1/kb/labelled", MANAGE,
     .steps = {{.pool = LK_ON_READER, .run = run_parse}, {.pool = LK_ON_WRITER, .run = run_add}},
     .prepare = prepare_add, REQ},
    {"DELETE", "/api/v1/kb/labelled/:id", MANAGE, .steps = {{.pool = LK_ON_WRITER, .run = run_delete}}, REQ},
};

void lk_api_labelled_table(const lk_api_route_t **r, size_t *n)
{
    *r = routes;
    *n = sizeof routes / sizeof routes[0];
}

/* ---- loket kb labelled import|export ----------------------------------------- */

#define FILE_MAX (256u << 20)

static int cli_import(lk_store_t *st, const char *path, bool replace)
{
    lk_kb_t kb;
    lk_kb_init(&kb);
    int rc = lk_store_kb_load(st, &kb); /* the published articles */
    if (rc)
        return lk_cli_failed(rc, "read the knowledge base");
    size_t len = 0;
    char *text = lk_kb_read_file(path, FILE_MAX, &len);
    if (!text) {
        fprintf(stderr, "loket: kb labelled import: cannot read %s: %s\n", path, strerror(errno));
        lk_kb_free(&kb);
        return LK_EXIT_USAGE;
    }
    lk_kb_labelled_t *v = NULL;
    size_t n = 0;
    char err[ERR_MAX];
    rc = lk_kb_labelled_parse_lines(text, len, &kb, &v, &n, err, sizeof err);
    free(text);
    lk_kb_free(&kb);
    if (rc) {
        fprintf(stderr, "loket: kb labelled import: %s: %s; nothing was imported\n", path, err);
        return LK_EXIT_USAGE;
    }
    redact(v, n);
    int64_t added = 0, deleted = 0, now = lk_time_now_ms();
    rc = lk_store_begin(st);
    if (rc == 0) {
        /* the same check inside the write as the API's */
        rc = add_items(st, v, n, LK_LABELLED_IMPORT, "cli", replace, now, &added, &deleted, err, sizeof err);
        if (rc == 0)
            rc = lk_store_commit(st);
        else
            lk_store_rollback(st);
    }
    lk_kb_labelled_free(v, n);
    if (rc == LK_EINVAL) {
        fprintf(stderr, "loket: kb labelled import: %s: %s; nothing was imported\n", path, err);
        return LK_EXIT_USAGE;
    }
    if ((rc = lk_cli_failed(rc, "import the labelled questions")) != 0)
        return rc;
    printf("imported %zu labelled questions from %s: %lld new, %lld already there, %lld removed first; they count "
           "in the calibration from the next knowledge-base build (a publish or an import)\n",
           n, path, (long long)added, (long long)((int64_t)n - added), (long long)deleted);
    return 0;
}

static int cli_export(lk_store_t *st, const char *path)
{
    lk_labelled_t *v = NULL;
    size_t n = 0;
    int rc = lk_store_labelled_list(st, NULL, 0, 0, &v, &n);
    if ((rc = lk_cli_failed(rc, "read the labelled questions")) != 0)
        return rc;
    FILE *f = path ? fopen(path, "wb") : stdout;
    if (!f) {
        fprintf(stderr, "loket: kb labelled export: cannot write %s: %s\n", path, strerror(errno));
        lk_labelled_free(v, n);
        return LK_EXIT_USAGE;
    }
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        json_t *o =
            json_pack("{s:s, s:s}", "text", v[i].text, "label", v[i].article_id[0] ? v[i].article_id : LK_KB_OOS);
        if (v[i].language[0])
            json_object_set_new(o, "language", json_string(v[i].language));
        char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
        ok = line && fprintf(f, "%s\n", line) >= 0;
        free(line);
        json_decref(o);
    }
    if (path)
        ok = fclose(f) == 0 && ok;
    else
        ok = fflush(f) == 0 && ok;
    lk_labelled_free(v, n);
    if (!ok) {
        fprintf(stderr, "loket: kb labelled export: cannot write %s\n", path ? path : "the output");
        return LK_EXIT_INTERNAL;
    }
    if (path)
        printf("exported %zu labelled questions to %s\n", n, path);
    return 0;
}

int lk_api_labelled_cli(const char *dir, char **argv, int argc)
{
    const char *sub = argc >= 1 ? argv[0] : NULL;
    bool import = sub && strcmp(sub, "import") == 0, export = sub && strcmp(sub, "export") == 0;
    if (!import && !export)
        return lk_cli_usage("kb",
                            "labelled: expected `kb labelled import FILE [--replace]` or `kb labelled export [FILE]`");
    const char *path = NULL;
    bool replace = false;
    for (int i = 1; i < argc; i++) {
        if (import && strcmp(argv[i], "--replace") == 0)
            replace = true;
        else if (argv[i][0] == '-' && argv[i][1] != '\0')
            return lk_cli_usage("kb", "labelled %s: unknown option %s", sub, argv[i]);
        else if (path)
            return lk_cli_usage("kb", "labelled %s: more than one file given", sub);
        else
            path = argv[i];
    }
    if (import && !path)
        return lk_cli_usage("kb", "labelled import: name the file of labelled questions (JSON lines)");
    lk_store_t *st;
    int ret = lk_cli_open_store(dir, &st);
    if (ret)
        return ret;
    ret = import ? cli_import(st, path, replace) : cli_export(st, path);
    lk_store_close(st);
    return ret;
}
