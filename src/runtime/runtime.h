/*
 * runtime: what runs loket's work between the HTTP layer and the database,
 * independent of any one API: jobs and the worker pools that run them (the
 * writer with its group commit, the readers, the CPU pool; pool.c), the
 * events a committed job publishes (event.c), and the WebSocket hub that
 * delivers them to each event loop's subscribers (hub.c).
 *
 * api/ only calls this interface; http/ stays the thin wrapper around the
 * server library (docs/architecture.md says why these are not in http/).
 * Dependencies inside the module point one way: hub -> pool -> event.
 */
#ifndef LK_RUNTIME_H
#define LK_RUNTIME_H

#include "http/http.h"
#include "store/store.h"
#include "util/util.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct lk_event lk_event_t;

/* ---- events (event.c) ------------------------------------------------- */

/* The topic of the agents' stream (every message and conversation change). */
#define LK_TOPIC_AGENTS "agents"

/* An event for the subscribers of one conversation (topic). */
struct lk_event {
    atomic_int refs;
    char topic[LK_ID_MAX];
    int64_t seq;
    char *json;
    size_t len;
    /* The agents' stream only (api's lk_publish_agents): which agents may see it.
     * everyone: a change of a conversation's status or assignment, for every
     * agent; otherwise (messages, notes) plain agents see it only while the
     * conversation is queued or assigned to them; supervisors and admins
     * see everything. */
    bool everyone;
    /* What the agents who do not see the conversation get of an `everyone`
     * event (its id, status and owner: enough to take it off their queue);
     * NULL: the whole event. */
    char *brief;
    size_t brief_len;
    char conv_id[LK_ID_MAX];
    lk_conv_status_t conv_status;
    char assigned_to[LK_ID_MAX];
    /* A control event: close the agents' streams of this user (all but
     * close_session's, when both are set) or of this session (logout);
     * json is then empty and nothing is sent. */
    char close_user[LK_ID_MAX];
    char close_session[LK_TOKEN_HASH_LEN + 1];
};

lk_event_t *lk_event_new(const char *topic, int64_t seq, char *json /* taken */);
/* Drops a reference; the last one frees the event (ev may be NULL). */
void lk_event_release(lk_event_t *ev);

/* ---- jobs and worker pools (pool.c) ------------------------------------ */

typedef struct lk_job lk_job_t;

/* A unit of blocking work. run() executes on a worker thread with that
 * thread's database handle (NULL in the CPU pool); then done() executes on
 * the loop thread of `loop` (or at once on the worker when loop is NULL).
 * In the writer pool every job runs inside a savepoint of a shared
 * transaction: a job that sets rc != 0 is rolled back alone; done() runs only
 * after the commit, and the events the job collected are published right
 * after the commit, in commit order. done() sees rc != 0 also when the job
 * never ran or its writes were rolled back with its group (its savepoint
 * could not be opened, a rollback-to or release in its group failed, the
 * commit failed): rc is then an LK_E... code and nothing of the job was
 * written. */
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

/* Hands one committed job's event to its subscribers (the writer calls it
 * after the commit, in commit order); consumes the event's reference. */
typedef void (*lk_pool_publish_fn)(void *ud, lk_event_t *ev);
/* Starts a pool of `threads` threads (the writer always has one), each with
 * its own database handle on data_dir (none in the CPU pool). publish (with
 * publish_ud) is required for the writer, unused otherwise. 0, LK_EINVAL,
 * or the store's error opening the database. */
int lk_pool_start(lk_pool_kind_t kind, size_t threads, const char *data_dir, lk_pool_publish_fn publish,
                  void *publish_ud, lk_pool_t **out /* OUT */);
void lk_pool_submit(lk_pool_t *pool, lk_job_t *job);
/* The savepoint operations of the writer's group commit, for the fault
 * hook: a job's savepoint, its rollback-to (after it failed), its release,
 * and the rollback of a whole group. */
typedef enum { LK_WRITER_SAVEPOINT, LK_WRITER_ROLLBACK_TO, LK_WRITER_RELEASE, LK_WRITER_ROLLBACK } lk_writer_op_t;
/* For tests only: called before each savepoint operation of the writer with
 * the job it is for (NULL for a group's rollback); a non-zero return is
 * taken as that operation's error, without running it. */
typedef int (*lk_pool_fault_fn)(void *ud, lk_writer_op_t op, const lk_job_t *job);
/* Sets (NULL: clears) the writer's fault hook; it applies from the next
 * group the writer takes. */
void lk_pool_set_fault(lk_pool_t *pool, lk_pool_fault_fn fault, void *ud);
/* Runs the jobs still queued, then joins the threads and closes the handles. */
void lk_pool_stop(lk_pool_t *pool);
void lk_job_add_event(lk_job_t *job, lk_event_t *ev); /* takes ownership */
/* Readies a job for a request: its two callbacks and the request's loop. */
void lk_job_init(lk_job_t *job, lk_http_req_t *req, void (*run)(lk_job_t *job, lk_store_t *st),
                 void (*done)(lk_job_t *job));

/* ---- WebSocket hub (hub.c) ------------------------------------------- */

/* Hands the event to every loop (from any thread); consumes the caller's ref. */
void lk_hub_publish(lk_http_server_t *http, lk_event_t *ev);
/* Gives every loop of http its hub (after the server started), and frees
 * them with their subscriptions (after it stopped). */
void lk_hub_init_loops(lk_http_server_t *http);
void lk_hub_free_loops(lk_http_server_t *http);

typedef struct lk_sub lk_sub_t;
/* On a loop thread: registers interest in topic before the backlog is read,
 * so nothing committed meanwhile is missed. */
lk_sub_t *lk_hub_sub_new(lk_http_loop_t *loop, const char *topic, int64_t after_seq);
/* Attaches the accepted WebSocket, sends backlog (JSON texts with their seq,
 * in seq order) and whatever arrived meanwhile with a seq above after_seq,
 * then goes live. The backlog goes out at the pace the peer reads it (never
 * more than half of ws_queue_max queued at once). Takes over backlog_json,
 * its strings and backlog_seq (malloc'd; the hub frees them). */
void lk_hub_sub_attach(lk_sub_t *sub, lk_ws_t *ws, int64_t after_seq, char **backlog_json, int64_t *backlog_seq,
                       size_t n);
/* The agents' stream: whose stream sub is (user id, the session's hash),
 * and whether the user sees every conversation (supervisor, admin) or only
 * the queue and their own. Call before lk_hub_sub_attach. */
void lk_hub_sub_set_viewer(lk_sub_t *sub, const char *user_id, const char *session_hash, bool sees_all);
/* Brings the agents' stream events that job holds for conv up to conv's
 * status and assignment: a message is shown to whom the conversation
 * belongs when its transaction commits (lk_turn_run calls this). */
void lk_hub_restate(lk_job_t *job, const lk_conv_t *conv);
/* Queues the closing of the agents' streams of user_id (or, when user_id is
 * NULL, of the one session) after the job's commit. With a user_id, the
 * stream of session_hash (may be NULL) stays: "everywhere else". */
void lk_hub_close_streams(lk_job_t *job, const char *user_id, const char *session_hash);
/* Drops a subscription that never got its WebSocket. */
void lk_hub_sub_cancel(lk_sub_t *sub);
/* The sessions (hashes) that agents' streams are open for, on every loop:
 * a malloc'd array (free it) of *n entries. The tick checks each and closes
 * the streams of those that ended by any path (expiry, idle, the command
 * line). Thread-safe. */
typedef char lk_session_hash_t[LK_TOKEN_HASH_LEN + 1];
lk_session_hash_t *lk_hub_stream_sessions(size_t *n /* OUT */);
/* The callbacks to accept a subscriber's WebSocket with (ud: the lk_sub_t). */
extern const lk_ws_callbacks_t lk_hub_ws_callbacks;

/* Places: the open WebSockets per key ("conv:ID", "addr:ADDRESS"), counted
 * over all loops for limit_ws_conversation and limit_ws_address.
 * lk_hub_ws_take takes a place: false when max are taken (max 0: no limit,
 * nothing counted); lk_hub_ws_give gives one back ("" : nothing).
 * Thread-safe. */
#define LK_WS_KEY_MAX (LK_ID_MAX + 72)
void lk_hub_ws_key(const char *kind, const char *value, char out[LK_WS_KEY_MAX]);
bool lk_hub_ws_take(const char *key, int64_t max);
void lk_hub_ws_give(const char *key);
/* Hands sub the places its WebSocket holds (either may be "" or NULL); it
 * gives them back when it ends. Call before lk_hub_sub_attach. */
void lk_hub_sub_hold(lk_sub_t *sub, const char *conv_key, const char *addr_key);

#endif
