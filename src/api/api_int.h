/*
 * api internals shared by the files of src/api/. Not an interface for other
 * modules.
 */
#ifndef LK_API_INT_H
#define LK_API_INT_H

#include "api/api.h"
#include "http/http.h"
#include "kb/kb.h"
#include "nlu/nlu.h"
#include "policy/policy.h"
#include "store/store.h"
#include "util/util.h"

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>

/* ---- worker pools (exec.c) --------------------------------------------- */

typedef struct lk_event lk_event_t;
typedef struct lk_job lk_job_t;

/* A unit of blocking work. run() executes on a worker thread with that
 * thread's database handle (NULL in the CPU pool); then done() executes on
 * the loop thread of `loop` (or at once on the worker when loop is NULL).
 * In the writer pool every job runs inside a savepoint of a shared
 * transaction: a job that sets rc != 0 is rolled back alone; done() runs only
 * after the commit, and the events the job collected are published right
 * after the commit, in commit order. */
struct lk_job {
    lk_job_t *next;
    void (*run)(lk_job_t *job, lk_store_t *st);
    void (*done)(lk_job_t *job);
    lk_http_loop_t *loop;
    int rc;
    lk_event_t **events; /* to publish after commit (writer pool only) */
    size_t n_events;
};

typedef struct lk_pool lk_pool_t;
typedef enum { LK_POOL_WRITER, LK_POOL_READER, LK_POOL_CPU } lk_pool_kind_t;

int lk_pool_start(lk_pool_kind_t kind, size_t threads, const char *data_dir, struct lk_app *app,
                  lk_pool_t **out /* OUT */);
void lk_pool_submit(lk_pool_t *pool, lk_job_t *job);
/* Runs the jobs still queued, then joins the threads and closes the handles. */
void lk_pool_stop(lk_pool_t *pool);
void lk_job_add_event(lk_job_t *job, lk_event_t *ev); /* takes ownership */

/* ---- the bot: knowledge base + NLU model, reloaded live (bot.c) -------- */

typedef struct {
    atomic_int refs;
    int64_t version;
    lk_kb_t kb;
    lk_nlu_model_t *nlu;
} lk_bot_t;

int lk_bot_build(lk_store_t *st, lk_bot_t **out /* OUT */);
lk_bot_t *lk_bot_acquire(struct lk_app *app); /* the current bot, referenced */
void lk_bot_release(lk_bot_t *bot);
int lk_bot_watch_start(struct lk_app *app);
void lk_bot_watch_stop(struct lk_app *app);

/* ---- WebSocket hub (hub.c) --------------------------------------------- */

/* An event for the subscribers of one conversation (topic). */
struct lk_event {
    atomic_int refs;
    char topic[LK_ID_MAX];
    int64_t seq;
    char *json;
    size_t len;
};

lk_event_t *lk_event_new(const char *topic, int64_t seq, char *json /* taken */);
void lk_event_release(lk_event_t *ev);
/* Hands the event to every loop (from any thread); consumes the caller's ref. */
void lk_hub_publish(struct lk_app *app, lk_event_t *ev);
void lk_hub_init_loops(struct lk_app *app);
void lk_hub_free_loops(struct lk_app *app);

typedef struct lk_sub lk_sub_t;
/* On a loop thread: registers interest in topic before the backlog is read,
 * so nothing committed meanwhile is missed. */
lk_sub_t *lk_hub_sub_new(lk_http_loop_t *loop, const char *topic, int64_t after_seq);
/* Attaches the accepted WebSocket, sends backlog (JSON texts with their seq,
 * in seq order) and whatever arrived meanwhile with a seq above after_seq,
 * then goes live. */
void lk_hub_sub_attach(lk_sub_t *sub, lk_ws_t *ws, int64_t after_seq, char **backlog_json, const int64_t *backlog_seq,
                       size_t n);
/* Drops a subscription that never got its WebSocket. */
void lk_hub_sub_cancel(lk_sub_t *sub);
/* The callbacks to accept a subscriber's WebSocket with (ud: the lk_sub_t). */
extern const lk_ws_callbacks_t lk_hub_ws_callbacks;

/* ---- the application ---------------------------------------------------- */

struct lk_app {
    lk_config_t cfg;
    lk_http_server_t *http;
    lk_pool_t *writer;
    lk_pool_t *readers;
    lk_pool_t *cpu;
    pthread_mutex_t bot_mu;
    lk_bot_t *bot;
    pthread_t watch_tid;
    bool watching;
    pthread_mutex_t watch_mu;
    pthread_cond_t watch_cv;
    bool watch_stop;
    lk_policy_config_t policy;
};

/* ---- failed jobs (json.c) ----------------------------------------------- */

/* The answer a failed API job gives. */
typedef struct {
    int status;       /* 4xx or 500 */
    const char *code; /* "unauthorized", ...; NULL: failed without saying why (the commit) */
    char message[160];
} lk_api_error_t;

/* Marks job as failed with rc (LK_EINVAL when 0) and notes the answer. */
void lk_job_fail(lk_job_t *job, lk_api_error_t *e, int rc, int status, const char *code, const char *msg);
/* The answer for a job that failed on the database (or a commit that did). */
void lk_job_fail_db(lk_job_t *job, lk_api_error_t *e, int rc);
/* Answers req with e; a job that failed without a code answers 500. */
void lk_respond_job_error(lk_http_req_t *req, lk_api_error_t *e);

/* ---- JSON and responses (json.c) --------------------------------------- */

json_t *lk_json_msg(const lk_msg_t *m);
/* The customer's view without the queue figures (lk_json_conv_customer adds
 * them); messages may be NULL. */
json_t *lk_json_conv(const lk_conv_t *c, const lk_msg_t *msgs, size_t n_msgs);
char *lk_json_dump(const json_t *j, size_t *len /* OUT */); /* compact; free() */
void lk_respond_json(lk_http_req_t *req, int status, json_t *body /* taken */);
void lk_respond_error(lk_http_req_t *req, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Parses the request body as a JSON object, answering 413/400 itself on
 * failure (then returns NULL). */
json_t *lk_parse_body(lk_http_req_t *req);
/* A string field: a string without NUL, non-empty after trimming, at most max
 * bytes. true with *out set (NULL when an optional field is absent); false
 * when it answered 400 itself. */
bool lk_body_string(lk_http_req_t *req, json_t *body, const char *field, size_t max, bool required,
                    const char **out /* OUT */);

/* ---- agents' sessions and roles (auth.c) ------------------------------ */

#define LK_SESSION_COOKIE "loket_session"

/* The hex SHA-256 of the request's session cookie; "" when it has none. */
void lk_api_session_hash(lk_http_req_t *req, char out[LK_TOKEN_HASH_LEN + 1]);
/* For state-changing requests: a browser's Origin header must name this
 * host. false after answering 403 itself. */
bool lk_api_check_origin(lk_http_req_t *req);
/* Inside a job: checks the session (by its hash) and loads its user into
 * *user (clear it with lk_user_clear). false after lk_job_fail(): 401 for a
 * missing, expired or disabled session, 500 on the database. */
bool lk_api_authenticate(lk_job_t *job, lk_api_error_t *e, lk_store_t *st, const char *session_hash, int64_t now,
                         lk_user_t *user /* OUT */);
/* true when user's role is a or b (b may be NULL). */
bool lk_api_is_role(const lk_user_t *user, const char *a, const char *b);
/* false after lk_job_fail() with 403 when user's role is neither a nor b. */
bool lk_api_require_role(lk_job_t *job, lk_api_error_t *e, const lk_user_t *user, const char *a, const char *b);

/* ---- route handlers ---------------------------------------------------- */

void lk_api_customer_routes(const lk_http_route_t **routes, size_t *n);
void lk_api_agent_routes(const lk_http_route_t **routes, size_t *n);
void lk_api_static_routes(const lk_http_route_t **routes, size_t *n);
void lk_api_not_found(lk_http_req_t *req, void *ud);

/* Runs the policy for one event on a conversation inside a writer job:
 * stores the messages it asks for and the new state. msgs receives the
 * messages written (appended; caller frees). Used by customer and agent
 * handlers alike. */
int lk_turn_apply(struct lk_app *app, lk_store_t *st, lk_job_t *job, lk_conv_t *conv, const lk_policy_event_t *ev,
                  const lk_bot_t *bot, int64_t now, lk_msg_t **msgs, size_t *n_msgs);
/* Stores one message with the conversation's next seq and queues its events
 * (the conversation's stream and the agents' stream). */
int lk_turn_store_msg(lk_store_t *st, lk_job_t *job, lk_conv_t *conv, lk_msg_t *m, lk_msg_t **msgs,
                      size_t *n_msgs);

/* Queues a tick job (tick.c) on the writer. */
void lk_tick_submit(struct lk_app *app);

/* The topic of the agents' stream (every message and conversation change). */
#define LK_TOPIC_AGENTS "agents"
/* Queues {"type": type, type: payload} for the agents' stream (payload taken). */
void lk_publish_agents(lk_job_t *job, const char *type, json_t *payload);
/* What the policy needs to know of people and the queue for conv at now. */
void lk_queue_env(lk_store_t *st, const lk_conv_t *conv, int64_t now, lk_policy_env_t *env);
/* Forget the cached agents-online count and waits (after a login or logout,
 * so the policy knows at once that someone is there). */
void lk_queue_stats_invalidate(void);
/* Seconds until a person answers at this queue position; -1 unknown. */
int64_t lk_queue_estimate_wait_s(lk_store_t *st, int64_t position, int64_t now);
/* The conversation as agents see it: customer view plus assignment, queue
 * times and (when queued) the wait estimate. */
json_t *lk_json_conv_agent(lk_store_t *st, const lk_conv_t *c, const lk_msg_t *msgs, size_t n, int64_t now);
/* The customer's view with queue position, wait estimate and agent name. */
json_t *lk_json_conv_customer(lk_store_t *st, const lk_conv_t *c, const lk_msg_t *msgs, size_t n, int64_t now);

#endif
