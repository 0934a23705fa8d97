/*
 * knowledge_int.h: what the knowledge-management API's files share (not an
 * interface for anything else): a request's own state, the steps, and the
 * helpers that answer with errors and turn users and times into JSON.
 *
 *   knowledge.c         the articles' route table, reading articles, "what
 *                       would the bot do?", import and export, and what both
 *                       files use (below)
 *   knowledge_drafts.c  the drafts' route table: drafts, the regression
 *                       check and publishing (it uses knowledge.c, never the
 *                       other way round)
 *
 * Every function that does store work is a route's step on a pool
 * (route.h); the table's prepare functions only read the query or body.
 */
#ifndef LK_KNOWLEDGE_INT_H
#define LK_KNOWLEDGE_INT_H

#include "api/api_int.h"
#include "api/route.h"

#define QUERY_MAX 200    /* bytes of a search */
#define VERSIONS_MAX 200 /* versions shown with an article */
#define DRAFTS_MAX 500   /* drafts in one listing */
#define CHANGES_MAX 500  /* regression changes listed (all are counted) */

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

/* A request's own state (the route's job->data, route.h). */
typedef struct {
    /* GET articles, GET drafts: the query */
    char status[16];
    char language[8]; /* also "what would the bot do?" */
    char *query;
    /* a draft's body (create: also article_id and translation_of) */
    lk_draft_t in;
    unsigned given;
    char translation_of[LK_KB_ID_MAX + 1];
    /* publish: what the check saw, and the article published (read back
     * for the answer; an article id may be longer than job->id holds) */
    int64_t draft_updated_at;
    json_t *check; /* {"checked", "changes", ...} */
    char article_id[LK_KB_ID_MAX + 1];
    /* "what would the bot do?" */
    char *text;
    /* export, import */
    lk_kb_format_t format;
    bool replace;
    char *raw;
    size_t raw_len;
    lk_kb_t kb;
} lk_knowledge_req_t;

/* The users, sorted by id, to name owners and authors. */
typedef struct {
    lk_user_t *v;
    size_t n;
} lk_knowledge_users_t;

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

/* ---- requests and routes ----------------------------------------------------- */

/* Releases what a request holds (the routes' data_free). */
void lk_knowledge_req_free(void *data);
/* The step that answers with the article j->id (after a publish: the
 * request's article_id) with its translations, answer_html and versions. */
void lk_knowledge_run_get(lk_api_job_t *j, lk_store_t *st, int64_t now);

/* Every logged-in user reads; supervisors and admins change. */
#define KB_READ LK_ACCESS_AGENT
#define KB_MANAGE LK_ACCESS_SUPERVISOR
#define KB_REQ .data_size = sizeof(lk_knowledge_req_t), .data_free = lk_knowledge_req_free

#endif
