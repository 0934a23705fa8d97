/*
 * http: loket's own small HTTP and WebSocket interface.
 *
 * The rest of loket sees routes, requests, responses, WebSockets and event
 * loops through this header only; the implementation (server.c) sits on
 * libh2o-evloop and wslay, and could be replaced by another library without
 * touching anything above it.
 *
 * Threads: the server runs one event loop per thread, each accepting on its
 * own SO_REUSEPORT socket. A request, a WebSocket and a loop belong to one
 * thread; everything that blocks (database, password hashing) runs elsewhere
 * and comes back with lk_http_loop_call(). A handler may answer at once or
 * later: a request stays valid until it is answered, also when its client
 * has gone away meanwhile (lk_http_req_gone() tells), and it must be answered
 * exactly once.
 */
#ifndef LK_HTTP_H
#define LK_HTTP_H

#include "util/util.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct lk_http_server lk_http_server_t;
typedef struct lk_http_loop lk_http_loop_t;
typedef struct lk_http_req lk_http_req_t;
typedef struct lk_ws lk_ws_t;

typedef void (*lk_http_handler_fn)(lk_http_req_t *req, void *ud);

typedef struct {
    const char *method;  /* "GET", "POST", ... */
    const char *pattern; /* "/api/v1/conversations/:id/messages"; a trailing "*" matches any rest */
    lk_http_handler_fn fn;
} lk_http_route_t;

#define LK_HTTP_MAX_PARAMS 4

/* A response header (lower-case name). */
typedef struct {
    const char *name;
    const char *value;
} lk_http_header_t;

/* ---- routing (pure; used by the server, testable on its own) ----------- */

typedef enum { LK_ROUTE_FOUND, LK_ROUTE_NO_PATH, LK_ROUTE_NO_METHOD } lk_route_result_t;

typedef struct {
    lk_str_t names[LK_HTTP_MAX_PARAMS];
    lk_str_t values[LK_HTTP_MAX_PARAMS];
    size_t n;
} lk_http_params_t;

/* Finds the route for method and path (without query). On LK_ROUTE_FOUND,
 * *index and params are set; on LK_ROUTE_NO_METHOD, allow (when not NULL)
 * receives the allowed methods, e.g. "GET, POST". */
lk_route_result_t lk_http_route_match(const lk_http_route_t *routes, size_t n_routes, lk_str_t method, lk_str_t path,
                                      size_t *index /* OUT */, lk_http_params_t *params /* OUT */,
                                      lk_buf_t *allow /* OUT, may be NULL */);

/* ---- server life cycle ------------------------------------------------- */

typedef struct {
    const char *listen;  /* "127.0.0.1:8080"; port 0 picks a free one */
    int threads;         /* event loops; >= 1 */
    size_t max_body;     /* largest request body answered normally; bigger gets 413 */
    const lk_http_route_t *routes;
    size_t n_routes;
    void *ud; /* passed to every handler */
    /* Called on a loop thread when a request has no route (NULL: 404 JSON). */
    lk_http_handler_fn not_found;
    /* Cross-origin use (CORS) of the paths that start with cors_prefix (NULL:
     * none): cors_origins is "*" (any page may call them; they must then not
     * rely on cookies) or a space-separated list of origins
     * ("https://shop.example https://www.shop.example"). Preflight OPTIONS
     * requests are answered here. */
    const char *cors_prefix;
    const char *cors_origins;
    /* Headers every response (lk_http_respond) gets, unless its handler set
     * a header of the same name (e.g. a page's own Content-Security-Policy).
     * X-Content-Type-Options: nosniff is always sent. */
    const lk_http_header_t *default_headers;
    size_t n_default_headers;
    /* Called on the loop thread for every answered request (a WebSocket
     * upgrade counts as 101): the route it matched (an entry of routes;
     * NULL when none did), the status, and the nanoseconds from its arrival
     * to its answer. For metrics: it must be cheap (atomics, no locks).
     * NULL: none. */
    void (*on_done)(void *ud, const lk_http_route_t *route, int status, int64_t ns);
    /* The names this server answers to (DNS rebinding, docs/security.md):
     * a request whose Host names another host gets 421 with a JSON error.
     * Space- or comma-separated host names without port, case-insensitive;
     * "*.example.com" matches any name under example.com. An IP address in
     * Host, "localhost" and a missing Host are always accepted (a rebinding
     * attack needs a host name of its own). NULL or "*": any Host. */
    const char *public_hosts;
    /* Responses to paths that start with no_store_prefix get
     * "Cache-Control: no-store" unless their handler set Cache-Control
     * (personal data stays out of browser and proxy caches). NULL: none. */
    const char *no_store_prefix;
    /* The most bytes of messages a WebSocket may have waiting to be sent.
     * A message that would pass it closes the WebSocket with code 1013 (its
     * peer does not read fast enough, or at all); 0: no limit. */
    size_t ws_queue_max;
    /* Milliseconds of a WebSocket's timer (lk_http_ws_timer); >= 1. */
    uint64_t ws_timer_ms;
} lk_http_config_t;

/* Binds the listening sockets (one per loop) and starts the loop threads.
 * 0, LK_EINVAL (bad listen address), LK_EIO (cannot bind). */
int lk_http_server_start(const lk_http_config_t *cfg, lk_http_server_t **out /* OUT */);
/* The port actually bound (useful with port 0). */
int lk_http_server_port(const lk_http_server_t *srv);
/* Graceful stop: stops accepting, lets requests in flight finish (each
 * handler still answers), closes WebSockets, joins the threads. Call from a
 * thread that is not a loop thread. */
void lk_http_server_stop(lk_http_server_t *srv);
/* Frees what stop left; srv may be NULL. */
void lk_http_server_free(lk_http_server_t *srv);

size_t lk_http_server_loop_count(const lk_http_server_t *srv);
lk_http_loop_t *lk_http_server_loop(const lk_http_server_t *srv, size_t i);

/* Runs fn(arg) on loop's thread, soon. Callable from any thread. */
void lk_http_loop_call(lk_http_loop_t *loop, void (*fn)(void *arg), void *arg);
/* The loop whose thread is running now, or NULL outside loop threads. */
lk_http_loop_t *lk_http_loop_current(void);
/* Work of the application that will come back to loop (lk_http_loop_call)
 * without a request to hold it: a graceful stop waits for it like for a
 * request in flight. Call with true before it starts, false when it is
 * back, on loop's thread. */
void lk_http_loop_hold(lk_http_loop_t *loop, bool on);
/* A small per-loop slot for the application (e.g. its WebSocket hub). */
void lk_http_loop_set_data(lk_http_loop_t *loop, void *data);
void *lk_http_loop_data(const lk_http_loop_t *loop);

/* ---- requests ---------------------------------------------------------- */

lk_str_t lk_http_req_method(const lk_http_req_t *req);
lk_str_t lk_http_req_path(const lk_http_req_t *req); /* without the query */
lk_str_t lk_http_req_param(const lk_http_req_t *req, const char *name); /* route parameter */
/* The route the request matched (NULL when none did). */
const lk_http_route_t *lk_http_req_route(const lk_http_req_t *req);
/* A query parameter, percent-decoded into a buffer the request owns; false when absent. */
bool lk_http_req_query(lk_http_req_t *req, const char *name, lk_str_t *out /* OUT */);
/* A request header (name in lowercase); false when absent. */
bool lk_http_req_header(const lk_http_req_t *req, const char *name, lk_str_t *out /* OUT */);
/* The last line of a header that may come on several lines, each a list
 * (X-Forwarded-For: a proxy may add its own line instead of appending to the
 * client's, and the hops that count are the last ones); false when absent. */
bool lk_http_req_header_last(const lk_http_req_t *req, const char *name, lk_str_t *out /* OUT */);
/* A cookie's value; false when absent. */
bool lk_http_req_cookie(const lk_http_req_t *req, const char *name, lk_str_t *out /* OUT */);
lk_str_t lk_http_req_body(const lk_http_req_t *req);
/* True when the body was larger than max_body (the handler should 413). */
bool lk_http_req_body_too_large(const lk_http_req_t *req);
/* The peer's address as text ("127.0.0.1"; "" when unknown); outsize of 46
 * or more holds any IPv4 or IPv6 address. */
void lk_http_req_peer(const lk_http_req_t *req, char *out, size_t outsize);
lk_http_loop_t *lk_http_req_loop(const lk_http_req_t *req);
/* True when the client went away; the request must still be answered (the
 * answer is then dropped) so that its memory is released. */
bool lk_http_req_gone(const lk_http_req_t *req);

/* ---- responses (each request is answered exactly once) ----------------- */

/* Adds a response header; name and value are copied. */
void lk_http_res_header(lk_http_req_t *req, const char *name, const char *value);
/* Sends status with body (copied). content_type may be NULL. */
void lk_http_respond(lk_http_req_t *req, int status, const char *content_type, const void *body, size_t len);

/* ---- WebSockets -------------------------------------------------------- */

typedef struct {
    /* The peer closed, or the connection failed; ws is freed after it returns. */
    void (*on_close)(lk_ws_t *ws, void *ud);
    /* A text message from the peer (may be NULL: such messages are ignored). */
    void (*on_text)(lk_ws_t *ws, const char *data, size_t len, void *ud);
    /* The timer started with lk_http_ws_timer ran out (may be NULL). */
    void (*on_timer)(lk_ws_t *ws, void *ud);
    /* After lk_http_ws_when_drained: the send queue has room again (may be
     * NULL). */
    void (*on_drain)(lk_ws_t *ws, void *ud);
} lk_ws_callbacks_t;

/* WebSocket close codes loket sends (RFC 6455, section 7.4). */
#define LK_WS_GOING_AWAY 1001    /* the server stops */
#define LK_WS_POLICY 1008        /* no valid token in time, or too many sockets */
#define LK_WS_TRY_AGAIN 1013     /* the peer fell behind (ws_queue_max): resume with after= */

/* True when req asks to be upgraded to a WebSocket. */
bool lk_http_req_is_websocket(const lk_http_req_t *req);
/* Answers req by upgrading it (101). Returns the WebSocket (owned by the
 * server until on_close), or NULL when req is no WebSocket handshake (req was
 * then answered with 400) or the client went away (req released). */
lk_ws_t *lk_http_ws_accept(lk_http_req_t *req, const lk_ws_callbacks_t *cb, void *ud);
/* Queues a text message (copied). LK_EIO when the WebSocket is closing, or
 * when the message would pass cfg.ws_queue_max: the WebSocket is then
 * closed with LK_WS_TRY_AGAIN. Must run on the WebSocket's loop; may call
 * on_close before it returns. */
int lk_http_ws_send(lk_ws_t *ws, const char *data, size_t len);
/* Starts a clean close (close frame, code LK_WS_GOING_AWAY); on_close
 * follows, at the latest a few seconds later when the peer does not answer
 * (the connection is then dropped). */
void lk_http_ws_close(lk_ws_t *ws);
/* The same with a close code and a short reason (ASCII, at most 120 bytes). */
void lk_http_ws_close_with(lk_ws_t *ws, uint16_t code, const char *reason);
/* Starts (on) or stops the WebSocket's one timer: on_timer is called once
 * cfg.ws_timer_ms after the start unless it is stopped before. */
void lk_http_ws_timer(lk_ws_t *ws, bool on);
/* True when the send queue holds half of cfg.ws_queue_max or more: a
 * sender with much to send (a backlog) should wait for on_drain rather than
 * queue more and be closed for it. Always false without a maximum. */
bool lk_http_ws_busy(const lk_ws_t *ws);
/* Asks for one on_drain call once lk_http_ws_busy is false again (checked
 * every few milliseconds while the peer reads). */
void lk_http_ws_when_drained(lk_ws_t *ws);
/* Hands the WebSocket to other callbacks (e.g. once it has authenticated). */
void lk_http_ws_set_callbacks(lk_ws_t *ws, const lk_ws_callbacks_t *cb, void *ud);
/* How many WebSockets are open on all loops. */
size_t lk_http_server_ws_count(const lk_http_server_t *srv);

#endif
