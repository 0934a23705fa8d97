/*
 * knowledge_int.h: what the knowledge-management API's files share (not an
 * interface for anything else): the job, its steps, and the helpers that
 * answer with errors and turn users and times into JSON.
 *
 *   knowledge.c         the job (run, done, chains), reading articles, "what
 *                       would the bot do?", import and export, the routes
 *   knowledge_drafts.c  drafts, the regression check and publishing
 *
 * Every function that does store work runs on a pool (the job's step);
 * the handlers only read the request and submit.
 */
#ifndef LK_KNOWLEDGE_INT_H
#define LK_KNOWLEDGE_INT_H

#include "api/api_int.h"

#define QUERY_MAX 200    /* bytes of a search */
#define VERSIONS_MAX 200 /* versions shown with an article */
#define DRAFTS_MAX 500   /* drafts in one listing */
#define CHANGES_MAX 500  /* regression changes listed (all are counted) */

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

/* The users, sorted by id, to name owners and authors. */
typedef struct {
    lk_user_t *v;
    size_t n;
} lk_knowledge_users_t;

/* ---- the job -------------------------------------------------------------- */

void lk_knowledge_job_free(kjob_t *j);
void lk_knowledge_fail(kjob_t *j, int rc, int status, const char *code, const char *msg);
void lk_knowledge_fail_db(kjob_t *j, int rc);
/* A 400 whose message may be long (it names an article and a field). */
void lk_knowledge_fail_long(kjob_t *j, const char *code, const char *msg);

/* ---- JSON ----------------------------------------------------------------- */

json_t *lk_knowledge_str_or_null(const char *s); /* null for NULL or "" */
json_t *lk_knowledge_time_or_null(int64_t ms);   /* RFC 3339; null for 0 */
json_t *lk_knowledge_strv_json(char *const *v, size_t n);
/* Loads every user, sorted by id; free with lk_knowledge_users_free. */
int lk_knowledge_users_load(lk_store_t *st, lk_knowledge_users_t *u);
void lk_knowledge_users_free(lk_knowledge_users_t *u);
/* A user's display name (else e-mail address) as JSON, null when unknown. */
json_t *lk_knowledge_user_name(const lk_knowledge_users_t *u, const char *id);
/* "nl" or "en" (len bytes). */
bool lk_knowledge_is_language(const char *s, size_t len);

/* ---- drafts and publishing (knowledge_drafts.c) ------------------------------ */

/* The steps, each on its pool; a failure after lk_knowledge_fail*(). */
void lk_knowledge_run_drafts(kjob_t *j, lk_store_t *st);
void lk_knowledge_run_draft_get(kjob_t *j, lk_store_t *st);
void lk_knowledge_run_draft_create(kjob_t *j, lk_store_t *st, int64_t now);
void lk_knowledge_run_draft_update(kjob_t *j, lk_store_t *st, int64_t now);
void lk_knowledge_run_draft_delete(kjob_t *j, lk_store_t *st, int64_t now);
/* The regression check of draft j->id into j->check (a reader). */
void lk_knowledge_run_preview(kjob_t *j, lk_store_t *st);
/* Publishes draft j->id if it did not change since the check (the writer). */
void lk_knowledge_run_publish_write(kjob_t *j, lk_store_t *st, int64_t now);
/* Reads a draft body into j->in / j->given (create: also article_id and
 * translation_of); false after answering 400. On the loop. */
bool lk_knowledge_read_draft_body(lk_http_req_t *req, kjob_t *j, bool create);

#endif
