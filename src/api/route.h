/*
 * api/route: handlers declared in tables (docs/architecture.md, "Routes").
 *
 * Each API area declares its routes in one array of lk_api_route_t, as Redis
 * declares its commands: method, path, who may call it (role), the body's
 * fields with their types and limits, and the steps that do the work, each
 * on a worker pool. The generic code (route.c) does what every handler did
 * by hand: the Origin check of a state-changing request, the body parsed and
 * validated from the field table (the same 400 answers as
 * lk_body_field_string), the session and role checked inside the first step
 * that has a database handle (and again in every later one), the steps run
 * in order on their pools, and the answer: the job's JSON or its error.
 *
 * One generic job type, lk_api_job_t, carries what every step needs; a
 * route's own state lives in job->data (data_size bytes, zeroed, released
 * with data_free).
 */
#ifndef LK_API_ROUTE_H
#define LK_API_ROUTE_H

#include "api/api_int.h"

/* Who may call a route. The session is checked inside each step that runs
 * on a database pool (reader, writer); a refusal by role is a 403 and a
 * security event. */
typedef enum {
    LK_ACCESS_ANYONE,       /* anyone: no session looked at */
    LK_ACCESS_SIGNED_IN,  /* any console user, also one who must still set up two-step login */
    LK_ACCESS_AGENT,      /* any console user (agent, supervisor, admin) */
    LK_ACCESS_SUPERVISOR, /* supervisor or admin */
    LK_ACCESS_ADMIN,      /* admin */
    /* the conversation's customer: the path's :id names a conversation and
     * the request carries its token (Authorization: Bearer); no console
     * session. Checked before the body is read (401 without one) and, as a
     * session is, inside every database step, which finds the conversation
     * in job->conv (a wrong token and an unknown conversation are the same
     * 401). Implies widget. */
    LK_ACCESS_CONVERSATION,
} lk_api_access_t;

/* Where a step runs. */
typedef enum {
    LK_ON_READER, /* a reader's database handle */
    LK_ON_WRITER, /* the writer: inside a savepoint of the group commit */
    LK_ON_CPU,    /* no database (hashing): no session check either */
} lk_api_pool_t;

/* The type of a body field. */
typedef enum {
    LK_FIELD_STRING,   /* a string without NUL, not blank, at most max bytes; null counts as absent unless nullable */
    LK_FIELD_PASSWORD, /* a new password: a string of at most LK_PASSWORD_MAX that lk_password_check accepts */
    LK_FIELD_BOOL,     /* true or false (null is an error) */
    LK_FIELD_INT,      /* an integer in [min, max] (null counts as absent) */
    LK_FIELD_ENUM,     /* a string among values (null counts as absent unless nullable) */
    LK_FIELD_TRUE,     /* true and nothing else: a confirmation ("confirm": true); always required */
} lk_api_field_type_t;

typedef struct {
    const char *name;
    lk_api_field_type_t type;
    bool required;
    size_t max_len;   /* STRING, ENUM: the longest value in bytes (0: LK_API_FIELD_MAX; LK_API_MAX_TEXT: the option
                         max_text) */
    int64_t min, max; /* INT: the range */
    const char *const *values; /* ENUM: the allowed values, NULL-terminated */
    bool nullable;             /* STRING, ENUM: null is a value of its own (given, is_null) */
    /* STRING: a further check of a value that passed the others (NULL: none) */
    bool (*check)(const char *value);
    /* The 400 invalid_field message for a value refused by check, or an
     * ENUM's value not among values (for a nullable ENUM: any wrong value),
     * or a TRUE field missing (then missing_field) or not true; NULL: the
     * generic ones. */
    const char *invalid;
    bool one_of; /* need_one counts the fields marked so (none marked: all) */
} lk_api_field_t;

#define LK_API_FIELD_MAX 65536
#define LK_API_MAX_TEXT ((size_t)-1) /* max_len: the option max_text */
#define LK_API_MAX_FIELDS 16
#define LK_API_MAX_STEPS 4

/* A parsed body field, in the order of the route's fields. Strings are
 * copies, wiped when the job ends (passwords, current passwords, codes). */
typedef struct {
    bool given;   /* present (for a nullable ENUM: also when null) */
    bool is_null; /* a nullable field given as null */
    char *s;      /* STRING, PASSWORD, ENUM */
    bool b;       /* BOOL */
    int64_t i;    /* INT */
} lk_api_value_t;

typedef struct lk_api_job lk_api_job_t;
typedef struct lk_api_route lk_api_route_t;

/* A step's work, on its pool's thread. st is NULL on the CPU pool. On
 * failure it calls lk_api_fail / lk_api_fail_db (the remaining steps are
 * skipped); on success the last step leaves the answer in job->out. */
typedef void (*lk_api_run_fn)(lk_api_job_t *job, lk_store_t *st, int64_t now);

typedef struct {
    lk_api_pool_t pool;
    lk_api_run_fn run;
    /* A database step checks the session and role again, unless keep_user:
     * then it works on behalf of the user the step before checked (an audit
     * record of a read, a checkpoint after a committed erasure). */
    bool keep_user;
} lk_api_step_t;

struct lk_api_route {
    const char *method; /* "GET", "POST", "PATCH", "PUT", "DELETE" */
    const char *path;   /* "/api/v1/admin/users/:id" (lk_http_route_t's pattern) */
    lk_api_access_t role;
    const lk_api_field_t *fields; /* the JSON body's fields; NULL: no body is read */
    size_t n_fields;
    bool body_optional; /* an empty body counts as {} */
    /* With fields: the 400 invalid_body message when none of them (of the
     * one_of fields, when some are marked) is given, checked right after
     * the last of them was read (NULL: a body with none is fine). */
    const char *need_one;
    const char *need_one_code; /* its code (NULL: "invalid_body") */
    /* In order; the first with run NULL ends them. A route without steps
     * answers what prepare left in job->out. */
    lk_api_step_t steps[LK_API_MAX_STEPS];
    bool origin; /* check a browser's Origin on a GET too (a WebSocket); other methods always are */
    /* a customer's route (the widget's): a browser's Origin must be loket's
     * own or one of widget_origins (lk_api_check_customer_origin), on every
     * method, instead of loket's own only */
    bool widget;
    /* Optional, on the loop thread, once the body was read and before the
     * session cookie is looked at: the query's checks, the request's own
     * state in job->data. false after answering itself (e.g. a 400). */
    bool (*prepare)(lk_api_job_t *job);
    /* Optional, on the loop thread: before step `step` (1 or later) is
     * submitted. false after answering itself (e.g. a 429). */
    bool (*before)(lk_api_job_t *job, size_t step);
    /* Optional, on the loop thread: after the last step or a failed one
     * (job->job.rc says which; job->step is the step that ran last), before
     * the answer. false after answering itself (e.g. a 429 with
     * Retry-After). */
    bool (*after)(lk_api_job_t *job);
    size_t data_size;              /* job->data: this many bytes, zeroed */
    void (*data_free)(void *data); /* optional: releases what data holds (not data itself) */
    int status;                    /* the success status (0: 200) */
};

/* The generic job. */
struct lk_api_job {
    lk_job_t job;
    struct lk_app *app;
    lk_http_req_t *req;
    const lk_api_route_t *route;
    size_t step;                              /* the step running or that ran last */
    char session_hash[LK_TOKEN_HASH_LEN + 1]; /* "" without a session cookie */
    char id[LK_ID_MAX];                       /* the :id parameter (lk_api_req_id) */
    lk_user_t user;                           /* who asks (a role other than NONE), after a database step */
    char token[LK_TOKEN_LEN + 8];             /* LK_ACCESS_CONVERSATION: the bearer token (wiped) */
    lk_conv_t conv;                           /* LK_ACCESS_CONVERSATION: the conversation, after a database step */
    bool setup_pending;                       /* LK_ACCESS_SIGNED_IN: two-step login required, not set up yet */
    json_t *json;                             /* the parsed body, during prepare only (NULL without fields) */
    lk_api_value_t body[LK_API_MAX_FIELDS];   /* the route's fields */
    lk_api_error_t err;
    char *long_message; /* lk_api_fail_long: the 400's message, longer than err.message holds */
    json_t *out;        /* the answer of a successful job */
    void *data;  /* the route's own */
};

/* A route table (one per API area), for app.c and the route checks. */
typedef void (*lk_api_table_fn)(const lk_api_route_t **routes /* OUT */, size_t *n /* OUT */);

/* The handler of every table route (lk_http_route_t.fn; lk_api_route_of
 * finds its table entry). */
void lk_api_route_handle(lk_http_req_t *req, void *ud);

/* Parses and validates a request body against fields: true with out[] set
 * (strings copied; release them with lk_api_values_clear), or false with *e
 * set to the 4xx answer, the same codes and messages as lk_body_parse and
 * lk_body_field_string give. need_one as in lk_api_route_t. Pure. */
bool lk_api_body_read(const lk_api_field_t *fields, size_t n_fields, const char *need_one, const char *body, size_t len,
                      bool too_large, lk_api_value_t *out /* OUT */, lk_body_error_t *e /* OUT */);
/* The same for a route (its fields, need_one, need_one_code and
 * body_optional), with max_text the value of the option max_text. */
bool lk_api_route_body(const lk_api_route_t *r, size_t max_text, const char *body, size_t len, bool too_large,
                       lk_api_value_t *out /* OUT */, lk_body_error_t *e /* OUT */);
void lk_api_values_clear(const lk_api_field_t *fields, size_t n_fields, lk_api_value_t *v);

/* Whether user's role satisfies role (a user is needed for all but NONE;
 * no console user stands in for a conversation's customer). */
bool lk_api_role_allows(lk_api_access_t role, const lk_user_t *user);
/* Whether token is conversation c's (its hash compared in constant time). */
bool lk_api_conv_token_ok(const lk_conv_t *c, const char *token);
/* The bearer token of an Authorization header ("Bearer X"; "" without one):
 * false when there is none. */
bool lk_api_bearer(lk_http_req_t *req, lk_str_t *token /* OUT */);

/* Checks that routes[0..n) are well-formed: a method and a path starting
 * with "/", at least one step and each with a run function, body fields
 * with names, no more than LK_API_MAX_FIELDS, an ENUM with values, an INT
 * with min <= max, no duplicate field name, no GET with a body, need_one
 * only with fields, LK_ACCESS_CONVERSATION only on a path with :id. 0, or LK_EINVAL with why (a sentence naming the
 * route) in why[0..whysize). */
int lk_api_routes_check(const lk_api_route_t *routes, size_t n, char *why, size_t whysize);

/* The job's error: lk_job_fail on job (remaining steps are skipped). */
void lk_api_fail(lk_api_job_t *job, int rc, int status, const char *code, const char *msg);
void lk_api_fail_db(lk_api_job_t *job, int rc);
/* lk_api_fail(job, LK_EINVAL, 400, code, msg) for a message that may be
 * longer than job->err holds (one that names a line, an article and a
 * field): the answer carries all of msg. */
void lk_api_fail_long(lk_api_job_t *job, const char *code, const char *msg);
/* A 403 refusal of job->user by an access right (a security event). */
void lk_api_forbid(lk_api_job_t *job, const char *msg);
/* The result rc of a store call that looks one thing up: true for 0;
 * false after lk_api_fail(job, rc, status, code, msg) for LK_ENOENT, or
 * lk_api_fail_db for any other error. */
bool lk_api_found(lk_api_job_t *job, int rc, int status, const char *code, const char *msg);
/* The conversation the path's :id names, for a console route, into *c
 * (zeroed first: lk_conv_clear is safe either way). false after a 404 "no
 * conversation with this id" or lk_api_fail_db. */
bool lk_api_conv_load(lk_api_job_t *job, lk_store_t *st, lk_conv_t *c /* OUT */);
/* Message message_id of conversation c into *m (release it with
 * lk_msg_clear either way). false after a 404 "no message with this id in
 * this conversation" (also for a message of another conversation) or
 * lk_api_fail_db. */
bool lk_api_conv_msg(lk_api_job_t *job, lk_store_t *st, const lk_conv_t *c, const char *message_id,
                     lk_msg_t *m /* OUT */);
/* The records of a store call that lists (its result rc, n records of size
 * bytes each from v) as a new JSON array, each through one; NULL after
 * lk_api_fail_db(job, rc) when rc is an error. Call it after the list call
 * has returned, so that v and n are set. */
json_t *lk_api_list_json(lk_api_job_t *job, int rc, const void *v, size_t n, size_t size,
                         json_t *(*one)(const void *record));

/* Query parameters, read in a route's prepare (on the loop); each is false
 * after answering 400 invalid_field. lk_api_query_choice: name among values
 * (NULL-terminated; absent or empty: values[0]) into out[0..size), msg the
 * 400's message. lk_api_query_search: a text (a search, a filter such as
 * the audit log's actor) of valid UTF-8 and at most max bytes, copied into
 * *out (NULL when absent or empty; the caller frees it). */
bool lk_api_query_choice(lk_api_job_t *job, const char *name, const char *const *values, char *out, size_t size,
                         const char *msg);
bool lk_api_query_search(lk_api_job_t *job, const char *name, size_t max, char **out /* OUT */);
/* lk_api_query_int: a whole number in [min, max] into *out (unchanged when
 * absent or empty); otherwise 400 with msg, or with NULL "the parameter
 * \"NAME\" must be a whole number from MIN to MAX". */
bool lk_api_query_int(lk_api_job_t *job, const char *name, int64_t min, int64_t max, int64_t *out /* OUT */,
                      const char *msg);
/* lk_api_query_flag: "true" or "1" sets *out, "false", "0", absent or
 * empty clears it; otherwise 400 "the parameter \"NAME\" must be \"true\"
 * or \"false\"" (?replace=true). */
bool lk_api_query_flag(lk_api_job_t *job, const char *name, bool *out /* OUT */);
/* The request body as sent, NUL bytes included (a parser refuses them),
 * copied with a NUL after it: for a route without fields that parses its
 * body itself (an import). The caller frees it. */
char *lk_api_body_copy(lk_api_job_t *job, size_t *len /* OUT */);
/* lk_api_query_choice's pure part: the index of v among values (0 for an
 * empty v), -1 when it is none of them. */
int lk_api_query_pick(lk_str_t v, const char *const *values);

/* The tables of the API areas that declare theirs (users.c, ...). */
void lk_api_customer_table(const lk_api_route_t **routes, size_t *n); /* the customer's conversation (widget) */
void lk_api_agent_table(const lk_api_route_t **routes, size_t *n); /* login, queue, conversations, users */
void lk_api_users_table(const lk_api_route_t **routes, size_t *n);
void lk_api_security_table(const lk_api_route_t **routes, size_t *n);
void lk_api_assist_table(const lk_api_route_t **routes, size_t *n);  /* canned responses */
void lk_api_metrics_table(const lk_api_route_t **routes, size_t *n); /* GET /metrics */
void lk_api_privacy_table(const lk_api_route_t **routes, size_t *n); /* export, erasure, retention, audit log */
void lk_api_insights_table(const lk_api_route_t **routes, size_t *n); /* gap report, answer review */
void lk_api_static_table(const lk_api_route_t **routes, size_t *n);   /* GET /healthz */
/* articles, drafts, publishing (docs/kb.md); the dashboard's figures and the compliance report */
void lk_api_knowledge_table(const lk_api_route_t **routes, size_t *n);
void lk_api_knowledge_drafts_table(const lk_api_route_t **routes, size_t *n);
void lk_api_analytics_table(const lk_api_route_t **routes, size_t *n);
/* the company's labelled questions for the calibration (labelled.c) */
void lk_api_labelled_table(const lk_api_route_t **routes, size_t *n);

/* app.c: the tables of all API areas (*n of them), and every route of the
 * server in matching order (malloc'd; free it), the table routes served by
 * lk_api_route_handle. */
const lk_api_table_fn *lk_api_route_tables(size_t *n /* OUT */);
lk_http_route_t *lk_api_all_routes(size_t *n /* OUT */);
/* The table entry of method and path (NULL: none, or a handler of its own). */
const lk_api_route_t *lk_api_route_find(const char *method, const char *path);
/* app.c, before the server starts: the server's routes and, by the same
 * index, their table entries (NULL: a handler of its own). Both stay
 * the caller's and must outlive the server. */
void lk_api_routes_serve(const lk_http_route_t *routes, const lk_api_route_t *const *entries, size_t n);
/* The table entry of one of the served routes (NULL: none). */
const lk_api_route_t *lk_api_route_of(const lk_http_route_t *route);

#endif
