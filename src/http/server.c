/*
 * The HTTP and WebSocket server on libh2o-evloop and wslay.
 *
 * One event loop per thread, each with its own listening socket bound with
 * SO_REUSEPORT so the kernel spreads connections over the loops. Requests are
 * wrapped in an lk_http_req_t that lives until it has been answered *and*
 * h2o has released the request, whichever comes last: a handler may answer
 * long after it returned (when a worker thread has done the blocking part)
 * without ever touching freed memory. Calls from other threads arrive through
 * h2o's multithread queue.
 *
 * h2o pitfalls handled here (see DESIGN.md): H2O_USE_LIBUV=0 is defined by
 * the build, the cleartext HTTP/2 upgrade is off, and the request size limit
 * is set explicitly instead of h2o's 1 GiB default.
 *
 * Memory a client can make the server hold is bounded: a WebSocket's send
 * queue (wslay copies every message it is given) has a maximum in bytes, a
 * WebSocket that passes it is closed, a close the peer does not answer is
 * ended by dropping the connection after WS_CLOSE_GRACE_MS, and after a
 * large queue was freed the loop hands free heap pages back to the system
 * (malloc_trim), at most once a second.
 */
#define _GNU_SOURCE /* pthread_setname_np */
#include "http/http.h"
#include "http/http_int.h"

#include <h2o.h>
#include <h2o/websocket.h>

#include <arpa/inet.h>
#include <assert.h>
#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define MODULE "http"

/* How long a closing WebSocket waits for its peer's close frame (or for the
 * peer to read the queue ahead of it) before the connection is dropped. */
#define WS_CLOSE_GRACE_MS 3000
/* A WebSocket freed with at least this much queued makes its loop trim. */
#define WS_TRIM_MIN (64u * 1024)
#define TRIM_INTERVAL_MS 1000
/* How often a WebSocket waiting for room in its queue looks again. */
#define WS_DRAIN_POLL_MS 5

struct lk_ws {
    h2o_websocket_conn_t *conn;
    lk_http_loop_t *loop;
    lk_ws_callbacks_t cb;
    void *ud;
    lk_ws_t *prev, *next;
    bool in_send;       /* inside lk_http_ws_send: defer the close */
    bool close_pending; /* h2o reported the close while in_send */
    bool closing;       /* a close frame was queued */
    bool in_recv;       /* inside wslay's receive: wslay must not be re-entered */
    h2o_timeout_entry_t grace; /* closing: drop the connection when it runs out */
    h2o_timeout_entry_t timer; /* lk_http_ws_timer */
    h2o_timeout_entry_t drain; /* lk_http_ws_when_drained */
};

struct lk_http_loop {
    lk_http_server_t *srv;
    pthread_t tid;
    h2o_context_t ctx;
    h2o_accept_ctx_t accept_ctx;
    h2o_socket_t *listener;
    int listen_fd;
    h2o_multithread_queue_t *queue;
    h2o_multithread_receiver_t receiver;
    size_t inflight; /* requests h2o has not released yet */
    lk_ws_t *ws_head;
    bool stopping;
    bool drained;           /* stopping: one pass has read what clients had already sent */
    uint64_t stop_deadline; /* loop time (ms) after which WebSockets are dropped */
    h2o_timeout_t ws_grace; /* WS_CLOSE_GRACE_MS */
    h2o_timeout_t ws_timer; /* cfg.ws_timer_ms */
    h2o_timeout_t ws_drain; /* WS_DRAIN_POLL_MS */
    bool trim_wanted;       /* a large WebSocket queue was freed */
    uint64_t last_trim;     /* loop time (ms) of the last malloc_trim */
    void *data;
};

struct lk_http_server {
    h2o_globalconf_t globalconf;
    h2o_hostconf_t *hostconf;
    lk_http_config_t cfg;
    lk_http_loop_t *loops;
    size_t n_loops;
    int port;
    atomic_size_t ws_count;
    bool started;
    pthread_mutex_t ready_mu;
    pthread_cond_t ready_cv;
    size_t n_ready;
};

struct lk_http_req {
    h2o_req_t *h2o; /* NULL once h2o released the request */
    lk_http_loop_t *loop;
    lk_http_params_t params;
    bool answered;
    bool body_too_large;
    const lk_http_route_t *route; /* the route matched; NULL when none */
    int64_t start_ns;             /* arrival (monotonic), for cfg.on_done */
    char *query_buf; /* decoded query values handed out by lk_http_req_query */
    size_t query_len, query_cap;
};

typedef struct {
    h2o_multithread_message_t super;
    void (*fn)(void *);
    void *arg;
} call_msg_t;

typedef struct {
    h2o_handler_t super;
    lk_http_server_t *srv;
} root_handler_t;

static _Thread_local lk_http_loop_t *current_loop;

/* Kept reachable until the process ends: h2o offers no way to free a
 * context that still has idle keep-alive connections. */
static lk_http_server_t *retired_server;

/* ---- requests ---------------------------------------------------------- */

static void req_free(lk_http_req_t *r)
{
    free(r->query_buf);
    free(r);
}

/* h2o releases the request's memory pool: the request is over for h2o. */
static void on_req_dispose(void *p)
{
    lk_http_req_t *r = *(lk_http_req_t **)p;
    r->loop->inflight--;
    r->h2o = NULL;
    if (r->answered)
        req_free(r);
}

static void json_error(lk_http_req_t *req, int status, const char *code, const char *message)
{
    char body[512];
    /* code and message are ASCII literals or route text without quotes */
    int n = snprintf(body, sizeof body, "{\"error\":{\"code\":\"%s\",\"message\":\"%s\"}}", code, message);
    lk_http_respond(req, status, "application/json", body, n > 0 ? (size_t)n : 0);
}

/* The Access-Control-Allow-Origin value for this request, or NULL. */
static const char *cors_allow(lk_http_server_t *srv, lk_http_req_t *r, lk_str_t path, char *buf, size_t bufsize)
{
    const char *prefix = srv->cfg.cors_prefix, *origins = srv->cfg.cors_origins;
    if (!prefix || !origins || !*origins || path.len < strlen(prefix) ||
        memcmp(path.base, prefix, strlen(prefix)) != 0)
        return NULL;
    if (strcmp(origins, "*") == 0)
        return "*";
    lk_str_t origin;
    if (!lk_http_req_header(r, "origin", &origin) || origin.len == 0 || origin.len >= bufsize)
        return NULL;
    for (const char *p = origins; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t n = strcspn(p, " ,");
        if (n == origin.len && memcmp(p, origin.base, n) == 0) {
            memcpy(buf, origin.base, n);
            buf[n] = '\0';
            return buf;
        }
        p += n;
    }
    return NULL;
}

/* True when name (len bytes, lower- or upper-case) is one of the
 * space/comma-separated names in list; "*.x.y" matches any name under x.y. */
static bool host_listed(const char *list, const char *name, size_t len)
{
    for (const char *p = list; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t n = strcspn(p, " ,");
        if (n == 0)
            break;
        if (n == len && strncasecmp(p, name, n) == 0)
            return true;
        if (n > 2 && p[0] == '*' && p[1] == '.' && len > n - 1 &&
            strncasecmp(p + 1, name + len - (n - 1), n - 1) == 0)
            return true;
        p += n;
    }
    return false;
}

/* Does the request's Host name this server (cfg.public_hosts)? */
static bool host_ok(const lk_http_server_t *srv, const h2o_req_t *hreq)
{
    const char *list = srv->cfg.public_hosts;
    if (!list || strcmp(list, "*") == 0)
        return true;
    h2o_iovec_t a = hreq->input.authority;
    if (a.base == NULL || a.len == 0)
        return true;
    if (a.base[0] == '[') /* an IPv6 address */
        return true;
    char name[256];
    size_t len = a.len;
    const char *colon = memchr(a.base, ':', a.len);
    if (colon)
        len = (size_t)(colon - a.base);
    while (len && a.base[len - 1] == '.') /* the root's dot: "localhost." */
        len--;
    if (len == 0 || len >= sizeof name)
        return false;
    memcpy(name, a.base, len);
    name[len] = '\0';
    struct in_addr v4;
    if (inet_pton(AF_INET, name, &v4) == 1 || strcasecmp(name, "localhost") == 0)
        return true;
    return host_listed(list, name, len);
}

static int on_req(h2o_handler_t *self, h2o_req_t *hreq)
{
    lk_http_server_t *srv = ((root_handler_t *)self)->srv;
    lk_http_loop_t *loop = current_loop;
    lk_http_req_t *r = lk_xcalloc(1, sizeof *r);
    r->h2o = hreq;
    r->loop = loop;
    if (srv->cfg.on_done)
        r->start_ns = lk_time_mono_ns();
    lk_http_req_t **anchor = h2o_mem_alloc_shared(&hreq->pool, sizeof *anchor, on_req_dispose);
    *anchor = r; /* linked to the pool, which holds its only reference */
    loop->inflight++;

    if (hreq->entity.base != NULL && hreq->entity.len > srv->cfg.max_body)
        r->body_too_large = true;
    if (!host_ok(srv, hreq)) {
        json_error(r, 421, "unknown_host", "this server does not answer to the host named in the Host header");
        return 0;
    }

    lk_str_t method = {hreq->method.base, hreq->method.len};
    lk_str_t path = {hreq->path_normalized.base, hreq->path_normalized.len};
    char origin_buf[256];
    const char *allow_origin = cors_allow(srv, r, path, origin_buf, sizeof origin_buf);
    if (allow_origin) {
        lk_http_res_header(r, "access-control-allow-origin", allow_origin);
        if (strcmp(allow_origin, "*") != 0)
            lk_http_res_header(r, "vary", "Origin");
        /* so that the widget on another site can read when to try again */
        lk_http_res_header(r, "access-control-expose-headers", "Retry-After");
        if (lk_str_eq_cstr(method, "OPTIONS")) { /* a preflight */
            lk_http_res_header(r, "access-control-allow-methods", "GET, POST");
            lk_http_res_header(r, "access-control-allow-headers", "Authorization, Content-Type");
            lk_http_res_header(r, "access-control-max-age", "600");
            lk_http_respond(r, 204, NULL, NULL, 0);
            return 0;
        }
    }
    size_t idx;
    lk_buf_t allow;
    lk_buf_init(&allow, 256);
    lk_route_result_t m =
        lk_http_route_match(srv->cfg.routes, srv->cfg.n_routes, method, path, &idx, &r->params, &allow);
    if (m == LK_ROUTE_FOUND) {
        r->route = &srv->cfg.routes[idx];
        srv->cfg.routes[idx].fn(r, srv->cfg.ud);
    } else if (m == LK_ROUTE_NO_METHOD) {
        lk_http_res_header(r, "allow", allow.data ? allow.data : "");
        json_error(r, 405, "method_not_allowed", "this method is not allowed here");
    } else if (srv->cfg.not_found) {
        srv->cfg.not_found(r, srv->cfg.ud);
    } else {
        json_error(r, 404, "not_found", "no such resource");
    }
    lk_buf_free(&allow);
    return 0;
}

lk_str_t lk_http_req_method(const lk_http_req_t *req)
{
    return req->h2o ? (lk_str_t){req->h2o->method.base, req->h2o->method.len} : LK_STR("");
}

lk_str_t lk_http_req_path(const lk_http_req_t *req)
{
    return req->h2o ? (lk_str_t){req->h2o->path_normalized.base, req->h2o->path_normalized.len} : LK_STR("");
}

lk_str_t lk_http_req_param(const lk_http_req_t *req, const char *name)
{
    for (size_t i = 0; i < req->params.n; i++)
        if (lk_str_eq_cstr(req->params.names[i], name))
            return req->params.values[i];
    return LK_STR("");
}

const lk_http_route_t *lk_http_req_route(const lk_http_req_t *req)
{
    return req->route;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool lk_http_req_query(lk_http_req_t *req, const char *name, lk_str_t *out)
{
    if (!req->h2o || req->h2o->query_at == SIZE_MAX)
        return false;
    const char *q = req->h2o->path.base + req->h2o->query_at + 1;
    const char *end = req->h2o->path.base + req->h2o->path.len;
    size_t nlen = strlen(name);
    while (q < end) {
        const char *amp = memchr(q, '&', (size_t)(end - q));
        const char *pend = amp ? amp : end;
        const char *eq = memchr(q, '=', (size_t)(pend - q));
        const char *kend = eq ? eq : pend;
        if ((size_t)(kend - q) == nlen && memcmp(q, name, nlen) == 0) {
            const char *v = eq ? eq + 1 : pend;
            size_t vlen = (size_t)(pend - v);
            /* decoded values are appended to one buffer per request; earlier
             * slices stay valid because the buffer is sized once, generously */
            if (!req->query_buf) {
                req->query_cap = req->h2o->path.len + 1;
                req->query_buf = lk_xmalloc(req->query_cap);
            }
            if (req->query_len + vlen + 1 > req->query_cap)
                return false;
            char *dst = req->query_buf + req->query_len;
            size_t n = 0;
            for (size_t i = 0; i < vlen; i++) {
                if (v[i] == '%' && i + 2 < vlen && hexval(v[i + 1]) >= 0 && hexval(v[i + 2]) >= 0) {
                    dst[n++] = (char)(hexval(v[i + 1]) * 16 + hexval(v[i + 2]));
                    i += 2;
                } else if (v[i] == '+') {
                    dst[n++] = ' ';
                } else {
                    dst[n++] = v[i];
                }
            }
            dst[n] = '\0';
            req->query_len += n + 1;
            *out = (lk_str_t){dst, n};
            return true;
        }
        q = pend + 1;
    }
    return false;
}

/* The value of the request's header at index i (from h2o_find_header*)
 * into *out; false when i < 0 (no such header). */
static bool header_at(const lk_http_req_t *req, ssize_t i, lk_str_t *out)
{
    if (i < 0)
        return false;
    h2o_iovec_t v = req->h2o->headers.entries[i].value;
    *out = (lk_str_t){v.base, v.len};
    return true;
}

bool lk_http_req_header(const lk_http_req_t *req, const char *name, lk_str_t *out)
{
    if (!req->h2o)
        return false;
    if (strcmp(name, "host") == 0) { /* h2o keeps Host (and HTTP/2's :authority) apart */
        h2o_iovec_t a = req->h2o->input.authority;
        if (a.base == NULL || a.len == 0)
            return false;
        *out = (lk_str_t){a.base, a.len};
        return true;
    }
    return header_at(req, h2o_find_header_by_str(&req->h2o->headers, name, strlen(name), -1), out);
}

bool lk_http_req_header_last(const lk_http_req_t *req, const char *name, lk_str_t *out)
{
    if (!req->h2o)
        return false;
    ssize_t last = -1;
    for (ssize_t i = -1; (i = h2o_find_header_by_str(&req->h2o->headers, name, strlen(name), i)) >= 0;)
        last = i;
    return header_at(req, last, out);
}

bool lk_http_req_cookie(const lk_http_req_t *req, const char *name, lk_str_t *out)
{
    if (!req->h2o)
        return false;
    size_t nlen = strlen(name);
    ssize_t cursor = -1;
    while ((cursor = h2o_find_header(&req->h2o->headers, H2O_TOKEN_COOKIE, cursor)) != -1) {
        h2o_iovec_t v = req->h2o->headers.entries[cursor].value;
        const char *p = v.base, *end = v.base + v.len;
        while (p < end) {
            while (p < end && (*p == ' ' || *p == ';'))
                p++;
            const char *semi = memchr(p, ';', (size_t)(end - p));
            const char *pend = semi ? semi : end;
            const char *eq = memchr(p, '=', (size_t)(pend - p));
            if (eq && (size_t)(eq - p) == nlen && memcmp(p, name, nlen) == 0) {
                *out = (lk_str_t){eq + 1, (size_t)(pend - eq - 1)};
                return true;
            }
            p = pend;
        }
    }
    return false;
}

lk_str_t lk_http_req_body(const lk_http_req_t *req)
{
    if (!req->h2o || req->h2o->entity.base == NULL)
        return LK_STR("");
    return (lk_str_t){req->h2o->entity.base, req->h2o->entity.len};
}

bool lk_http_req_body_too_large(const lk_http_req_t *req)
{
    return req->body_too_large;
}

void lk_http_req_peer(const lk_http_req_t *req, char *out, size_t outsize)
{
    out[0] = '\0';
    if (!req->h2o || !req->h2o->conn->callbacks->get_peername)
        return;
    struct sockaddr_storage ss;
    socklen_t len = req->h2o->conn->callbacks->get_peername(req->h2o->conn, (struct sockaddr *)&ss);
    if (len == 0)
        return;
    if (ss.ss_family == AF_INET)
        inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, out, (socklen_t)outsize);
    else if (ss.ss_family == AF_INET6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, out, (socklen_t)outsize);
}

lk_http_loop_t *lk_http_req_loop(const lk_http_req_t *req)
{
    return req->loop;
}

bool lk_http_req_gone(const lk_http_req_t *req)
{
    return req->h2o == NULL;
}

/* ---- responses --------------------------------------------------------- */

void lk_http_res_header(lk_http_req_t *req, const char *name, const char *value)
{
    if (!req->h2o)
        return;
    h2o_req_t *h = req->h2o;
    size_t nlen = strlen(name), vlen = strlen(value);
    char *n = h2o_mem_alloc_pool(&h->pool, nlen + 1);
    for (size_t i = 0; i <= nlen; i++)
        n[i] = (char)((name[i] >= 'A' && name[i] <= 'Z') ? name[i] + 32 : name[i]);
    char *v = h2o_mem_alloc_pool(&h->pool, vlen + 1);
    memcpy(v, value, vlen + 1);
    h2o_add_header_by_str(&h->pool, &h->res.headers, n, nlen, 1, NULL, v, vlen);
}

static h2o_generator_t plain_generator = {NULL, NULL};

static const char *reason_phrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 204:
        return "No Content";
    case 301:
        return "Moved Permanently";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 413:
        return "Payload Too Large";
    case 421:
        return "Misdirected Request";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "";
    }
}

/* Tells the application's hook (metrics) that req was answered. */
static void report_done(lk_http_req_t *req, int status)
{
    const lk_http_config_t *cfg = &req->loop->srv->cfg;
    if (cfg->on_done)
        cfg->on_done(cfg->ud, req->route, status, lk_time_mono_ns() - req->start_ns);
}

void lk_http_respond(lk_http_req_t *req, int status, const char *content_type, const void *body, size_t len)
{
    assert(!req->answered);
    req->answered = true;
    report_done(req, status);
    h2o_req_t *h = req->h2o;
    if (!h) { /* the client went away; h2o already released its side */
        req_free(req);
        return;
    }
    h->res.status = status;
    h->res.reason = reason_phrase(status);
    if (content_type)
        h2o_add_header(&h->pool, &h->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, content_type, strlen(content_type));
    h2o_add_header_by_str(&h->pool, &h->res.headers, H2O_STRLIT("x-content-type-options"), 0, NULL,
                          H2O_STRLIT("nosniff"));
    const lk_http_config_t *cfg = &req->loop->srv->cfg;
    for (size_t i = 0; i < cfg->n_default_headers; i++) {
        const lk_http_header_t *d = &cfg->default_headers[i];
        if (h2o_find_header_by_str(&h->res.headers, d->name, strlen(d->name), -1) < 0)
            h2o_add_header_by_str(&h->pool, &h->res.headers, d->name, strlen(d->name), 0, NULL, d->value,
                                  strlen(d->value));
    }
    const char *ns = cfg->no_store_prefix;
    if (ns && h->path_normalized.len >= strlen(ns) && memcmp(h->path_normalized.base, ns, strlen(ns)) == 0 &&
        h2o_find_header(&h->res.headers, H2O_TOKEN_CACHE_CONTROL, -1) < 0)
        h2o_add_header(&h->pool, &h->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL, H2O_STRLIT("no-store"));
    h->res.content_length = len;
    h2o_iovec_t buf = {NULL, 0};
    if (len) {
        buf.base = h2o_mem_alloc_pool(&h->pool, len);
        memcpy(buf.base, body, len);
        buf.len = len;
    }
    h2o_start_response(h, &plain_generator);
    /* req may be freed by h2o from here on (on_req_dispose) */
    h2o_send(h, &buf, len ? 1 : 0, H2O_SEND_STATE_FINAL);
}

/* ---- h2o's own errors as JSON ------------------------------------------ */

/* h2o answers some requests itself before any handler sees them: a body over
 * max_request_entity_size (413), a malformed request or a header line too
 * long (400), a broken chunked body, a request h2o could not route (404),
 * its own 5xx. Those answers pass through the filters of the host's fallback
 * path; this filter replaces the plain-text body of every such 4xx and 5xx
 * with loket's JSON error, so every error a client gets has the same
 * shape. */
typedef struct {
    h2o_ostream_t super;
    h2o_iovec_t body;
    bool sent;
} json_error_ostream_t;

static void json_error_send(h2o_ostream_t *self, h2o_req_t *req, h2o_iovec_t *bufs, size_t bufcnt,
                            h2o_send_state_t state)
{
    json_error_ostream_t *os = (json_error_ostream_t *)self;
    if (!os->sent) {
        os->sent = true;
        h2o_ostream_send_next(&os->super, req, &os->body, 1, state);
    } else {
        h2o_ostream_send_next(&os->super, req, NULL, 0, state);
    }
}

static void json_error_setup(h2o_filter_t *self, h2o_req_t *req, h2o_ostream_t **slot)
{
    const char *code = NULL, *message = NULL;
    int st = req->res.status;
    if (st == 413) {
        code = "body_too_large";
        message = "the request body is larger than the limit";
    } else if (st == 404) {
        code = "not_found";
        message = "no such resource";
    } else if (st == 405) {
        code = "method_not_allowed";
        message = "this method is not allowed here";
    } else if (st == 414 || st == 431) {
        code = "request_too_large";
        message = "the request line or headers are longer than the limit";
    } else if (st >= 400 && st < 500) {
        code = "bad_request";
        message = "the request could not be read as HTTP";
    } else if (st >= 500 && st < 600) {
        code = "server_error";
        message = "the server could not answer this request";
    }
    if (code) {
        json_error_ostream_t *os = (json_error_ostream_t *)h2o_add_ostream(req, sizeof *os, slot);
        os->super.do_send = json_error_send;
        os->sent = false; /* h2o's pool memory is not zeroed */
        char buf[256];
        int n = snprintf(buf, sizeof buf, "{\"error\":{\"code\":\"%s\",\"message\":\"%s\"}}", code, message);
        os->body = h2o_strdup(&req->pool, buf, (size_t)n);
        req->res.content_length = os->body.len;
        h2o_set_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, H2O_STRLIT("application/json"), 1);
        h2o_set_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, H2O_STRLIT("no-store"), 1);
        slot = &os->super.next;
    }
    h2o_setup_next_ostream(req, slot);
}

/* h2o's HTTP/1 parser answers a request it cannot parse at all (a broken
 * request line, a header block too long, an unknown HTTP version) with one
 * fixed plain-text 400 that it writes straight to the socket (http1.c,
 * send_bad_request), past every filter. loket defines h2o_socket_write
 * itself, which the dynamic linker puts before libh2o's own (symbol
 * interposition, as with malloc): it swaps exactly that text for the same
 * answer in loket's JSON shape and passes every other write on unchanged.
 * tests/integration/hardening.test.mjs holds it to that. */
static const char h2o_raw_400[] = "HTTP/1.1 400 Bad Request\r\n"
                                  "Content-Type: text/plain; charset=utf-8\r\n"
                                  "Connection: close\r\n"
                                  "Content-Length: 11\r\n"
                                  "\r\n"
                                  "Bad Request";
static char json_raw_400[] = "HTTP/1.1 400 Bad Request\r\n"
                             "Content-Type: application/json\r\n"
                             "Cache-Control: no-store\r\n"
                             "X-Content-Type-Options: nosniff\r\n"
                             "Connection: close\r\n"
                             "Content-Length: 82\r\n"
                             "\r\n"
                             "{\"error\":{\"code\":\"bad_request\",\"message\":\"the request could not be read as HTTP\"}}";

typedef void (*socket_write_fn)(h2o_socket_t *, h2o_iovec_t *, size_t, h2o_socket_cb);
static socket_write_fn real_socket_write;
static pthread_once_t real_socket_write_once = PTHREAD_ONCE_INIT;

static void find_real_socket_write(void)
{
    real_socket_write = (socket_write_fn)dlsym(RTLD_NEXT, "h2o_socket_write");
}

__attribute__((visibility("default"))) void h2o_socket_write(h2o_socket_t *sock, h2o_iovec_t *bufs, size_t bufcnt,
                                                             h2o_socket_cb cb)
{
    pthread_once(&real_socket_write_once, find_real_socket_write);
    h2o_iovec_t json;
    if (bufcnt == 1 && bufs[0].len == sizeof h2o_raw_400 - 1 &&
        memcmp(bufs[0].base, h2o_raw_400, sizeof h2o_raw_400 - 1) == 0) {
        json = h2o_iovec_init(json_raw_400, sizeof json_raw_400 - 1);
        bufs = &json;
    }
    real_socket_write(sock, bufs, bufcnt, cb);
}

/* ---- WebSockets -------------------------------------------------------- */

static void ws_unlink(lk_ws_t *ws)
{
    if (ws->prev)
        ws->prev->next = ws->next;
    else
        ws->loop->ws_head = ws->next;
    if (ws->next)
        ws->next->prev = ws->prev;
    ws->prev = ws->next = NULL;
}

static void ws_finish(lk_ws_t *ws)
{
    if (h2o_timeout_is_linked(&ws->grace))
        h2o_timeout_unlink(&ws->grace);
    if (h2o_timeout_is_linked(&ws->timer))
        h2o_timeout_unlink(&ws->timer);
    if (h2o_timeout_is_linked(&ws->drain))
        h2o_timeout_unlink(&ws->drain);
    if (wslay_event_get_queued_msg_length(ws->conn->ws_ctx) >= WS_TRIM_MIN)
        ws->loop->trim_wanted = true;
    ws_unlink(ws);
    atomic_fetch_sub(&ws->loop->srv->ws_count, 1);
    if (ws->cb.on_close)
        ws->cb.on_close(ws, ws->ud);
    h2o_websocket_close(ws->conn);
    free(ws);
}

void lk_http__ws_setup(wslay_event_context_ptr ctx, size_t max_msg)
{
    wslay_event_config_set_max_recv_msg_length(ctx, max_msg);
}

static void on_ws_message(h2o_websocket_conn_t *conn, const struct wslay_event_on_msg_recv_arg *arg)
{
    lk_ws_t *ws = conn->data;
    ws->conn = conn;
    if (arg == NULL) {
        if (ws->in_send)
            ws->close_pending = true;
        else
            ws_finish(ws);
        return;
    }
    if (arg->opcode == WSLAY_TEXT_FRAME && ws->cb.on_text && !ws->closing) {
        /* called from inside wslay_event_recv: what on_text queues is sent
         * by h2o_websocket_proceed's loop once the receive returns */
        ws->in_recv = true;
        ws->cb.on_text(ws, (const char *)arg->msg, arg->msg_length, ws->ud);
        ws->in_recv = false;
    }
}

/* The peer neither answered the close nor read what was queued before it. */
static void on_ws_grace(h2o_timeout_entry_t *entry)
{
    lk_ws_t *ws = H2O_STRUCT_FROM_MEMBER(lk_ws_t, grace, entry);
    if (ws->conn->sock == NULL) { /* the 101 is still being written: h2o still owns the connection */
        h2o_timeout_link(ws->loop->ctx.loop, &ws->loop->ws_grace, &ws->grace);
        return;
    }
    LK_DEBUG(MODULE, "a WebSocket did not answer its close in %d ms: dropped", WS_CLOSE_GRACE_MS);
    ws_finish(ws);
}

static void on_ws_drain(h2o_timeout_entry_t *entry)
{
    lk_ws_t *ws = H2O_STRUCT_FROM_MEMBER(lk_ws_t, drain, entry);
    if (ws->closing)
        return;
    if (lk_http_ws_busy(ws))
        h2o_timeout_link(ws->loop->ctx.loop, &ws->loop->ws_drain, &ws->drain);
    else if (ws->cb.on_drain)
        ws->cb.on_drain(ws, ws->ud);
}

static void on_ws_timer(h2o_timeout_entry_t *entry)
{
    lk_ws_t *ws = H2O_STRUCT_FROM_MEMBER(lk_ws_t, timer, entry);
    if (ws->cb.on_timer && !ws->closing)
        ws->cb.on_timer(ws, ws->ud);
}

bool lk_http_req_is_websocket(const lk_http_req_t *req)
{
    const char *key = NULL;
    return req->h2o && h2o_is_websocket_handshake(req->h2o, &key) == 0 && key != NULL;
}

lk_ws_t *lk_http_ws_accept(lk_http_req_t *req, const lk_ws_callbacks_t *cb, void *ud)
{
    if (!req->h2o) {
        req->answered = true;
        req_free(req);
        return NULL;
    }
    const char *key = NULL;
    if (h2o_is_websocket_handshake(req->h2o, &key) != 0 || key == NULL) {
        json_error(req, 400, "not_websocket", "this endpoint expects a WebSocket upgrade");
        return NULL;
    }
    lk_ws_t *ws = lk_xcalloc(1, sizeof *ws);
    ws->loop = req->loop;
    ws->cb = *cb;
    ws->ud = ud;
    ws->grace.cb = on_ws_grace;
    ws->timer.cb = on_ws_timer;
    ws->drain.cb = on_ws_drain;
    ws->next = ws->loop->ws_head;
    if (ws->next)
        ws->next->prev = ws;
    ws->loop->ws_head = ws;
    atomic_fetch_add(&ws->loop->srv->ws_count, 1);
    req->answered = true;
    report_done(req, 101);
    ws->conn = h2o_upgrade_to_websocket(req->h2o, key, ws, on_ws_message);
    /* a peer's message gets no more room than a request body */
    lk_http__ws_setup(ws->conn->ws_ctx, ws->loop->srv->cfg.max_body);
    return ws;
}

int lk_http_ws_send(lk_ws_t *ws, const char *data, size_t len)
{
    if (ws->closing)
        return LK_EIO;
    size_t max = ws->loop->srv->cfg.ws_queue_max;
    size_t queued = wslay_event_get_queued_msg_length(ws->conn->ws_ctx);
    if (max && queued > 0 && queued + len > max) {
        LK_INFO(MODULE, "a WebSocket fell behind (%zu bytes waiting to be sent): closed with %d", queued,
                LK_WS_TRY_AGAIN);
        lk_http_ws_close_with(ws, LK_WS_TRY_AGAIN, "too far behind: reconnect with after=<the last seq you saw>");
        return LK_EIO;
    }
    struct wslay_event_msg msg = {WSLAY_TEXT_FRAME, (const uint8_t *)data, len};
    if (wslay_event_queue_msg(ws->conn->ws_ctx, &msg) != 0)
        return LK_EIO;
    if (ws->conn->sock == NULL || ws->in_recv)
        return 0; /* the 101 is still being written, or h2o is reading: it flushes the queue after that */
    ws->in_send = true;
    h2o_websocket_proceed(ws->conn);
    ws->in_send = false;
    if (ws->close_pending) {
        ws_finish(ws);
        return LK_EIO;
    }
    return 0;
}

void lk_http_ws_close(lk_ws_t *ws)
{
    lk_http_ws_close_with(ws, LK_WS_GOING_AWAY, NULL);
}

void lk_http_ws_close_with(lk_ws_t *ws, uint16_t code, const char *reason)
{
    if (ws->closing)
        return;
    ws->closing = true;
    if (h2o_timeout_is_linked(&ws->timer))
        h2o_timeout_unlink(&ws->timer);
    if (h2o_timeout_is_linked(&ws->drain))
        h2o_timeout_unlink(&ws->drain);
    h2o_timeout_link(ws->loop->ctx.loop, &ws->loop->ws_grace, &ws->grace);
    size_t rlen = reason ? strlen(reason) : 0;
    if (rlen > 120)
        rlen = 120;
    wslay_event_queue_close(ws->conn->ws_ctx, code, (const uint8_t *)reason, rlen);
    if (ws->conn->sock == NULL || ws->in_recv)
        return;
    ws->in_send = true;
    h2o_websocket_proceed(ws->conn);
    ws->in_send = false;
    if (ws->close_pending)
        ws_finish(ws);
}

void lk_http_ws_timer(lk_ws_t *ws, bool on)
{
    if (h2o_timeout_is_linked(&ws->timer))
        h2o_timeout_unlink(&ws->timer);
    if (on && !ws->closing)
        h2o_timeout_link(ws->loop->ctx.loop, &ws->loop->ws_timer, &ws->timer);
}

bool lk_http_ws_busy(const lk_ws_t *ws)
{
    size_t max = ws->loop->srv->cfg.ws_queue_max;
    return max && wslay_event_get_queued_msg_length(ws->conn->ws_ctx) >= max / 2;
}

void lk_http_ws_when_drained(lk_ws_t *ws)
{
    if (!ws->closing && !h2o_timeout_is_linked(&ws->drain))
        h2o_timeout_link(ws->loop->ctx.loop, &ws->loop->ws_drain, &ws->drain);
}

void lk_http_ws_set_callbacks(lk_ws_t *ws, const lk_ws_callbacks_t *cb, void *ud)
{
    ws->cb = *cb;
    ws->ud = ud;
}

size_t lk_http_server_ws_count(const lk_http_server_t *srv)
{
    return atomic_load(&((lk_http_server_t *)srv)->ws_count);
}

/* ---- loops ------------------------------------------------------------- */

static void on_call(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages)
{
    while (!h2o_linklist_is_empty(messages)) {
        call_msg_t *m = H2O_STRUCT_FROM_MEMBER(call_msg_t, super.link, messages->next);
        h2o_linklist_unlink(&m->super.link);
        m->fn(m->arg);
        free(m);
    }
}

void lk_http_loop_call(lk_http_loop_t *loop, void (*fn)(void *arg), void *arg)
{
    call_msg_t *m = lk_xcalloc(1, sizeof *m);
    m->fn = fn;
    m->arg = arg;
    h2o_multithread_send_message(&loop->receiver, &m->super);
}

lk_http_loop_t *lk_http_loop_current(void)
{
    return current_loop;
}

void lk_http_loop_hold(lk_http_loop_t *loop, bool on)
{
    if (on)
        loop->inflight++;
    else
        loop->inflight--;
}

void lk_http_loop_set_data(lk_http_loop_t *loop, void *data)
{
    loop->data = data;
}

void *lk_http_loop_data(const lk_http_loop_t *loop)
{
    return loop->data;
}

size_t lk_http_server_loop_count(const lk_http_server_t *srv)
{
    return srv->n_loops;
}

lk_http_loop_t *lk_http_server_loop(const lk_http_server_t *srv, size_t i)
{
    return i < srv->n_loops ? &srv->loops[i] : NULL;
}

static void on_accept(h2o_socket_t *listener, const char *err)
{
    lk_http_loop_t *loop = listener->data;
    if (err != NULL)
        return;
    h2o_socket_t *sock = h2o_evloop_socket_accept(listener);
    if (sock == NULL)
        return;
    h2o_accept(&loop->accept_ctx, sock);
}

static void begin_stop(void *arg)
{
    lk_http_loop_t *loop = arg;
    loop->stopping = true;
    loop->stop_deadline = h2o_now(loop->ctx.loop) + 3000;
    if (loop->listener) {
        h2o_socket_read_stop(loop->listener);
        h2o_socket_close(loop->listener);
        loop->listener = NULL;
    }
    h2o_context_request_shutdown(&loop->ctx);
    for (lk_ws_t *ws = loop->ws_head, *next; ws; ws = next) {
        next = ws->next;
        lk_http_ws_close(ws);
    }
}

static void *loop_main(void *arg)
{
    lk_http_loop_t *loop = arg;
    lk_http_server_t *srv = loop->srv;
    current_loop = loop;
    h2o_context_init(&loop->ctx, h2o_evloop_create(), &srv->globalconf);
    h2o_timeout_init(loop->ctx.loop, &loop->ws_grace, WS_CLOSE_GRACE_MS);
    h2o_timeout_init(loop->ctx.loop, &loop->ws_timer, srv->cfg.ws_timer_ms ? srv->cfg.ws_timer_ms : 5000);
    h2o_timeout_init(loop->ctx.loop, &loop->ws_drain, WS_DRAIN_POLL_MS);
    loop->accept_ctx.ctx = &loop->ctx;
    loop->accept_ctx.hosts = srv->globalconf.hosts;
    loop->queue = h2o_multithread_create_queue(loop->ctx.loop);
    h2o_multithread_register_receiver(loop->queue, &loop->receiver, on_call);
    loop->listener = h2o_evloop_socket_create(loop->ctx.loop, loop->listen_fd, H2O_SOCKET_FLAG_DONT_READ);
    loop->listener->data = loop;
    h2o_socket_read_start(loop->listener, on_accept);
    pthread_mutex_lock(&srv->ready_mu);
    srv->n_ready++;
    pthread_cond_signal(&srv->ready_cv);
    pthread_mutex_unlock(&srv->ready_mu);

    for (;;) {
        if (loop->stopping) {
            if (loop->ws_head && h2o_now(loop->ctx.loop) >= loop->stop_deadline) {
                while (loop->ws_head) /* peers that never answered the close */
                    ws_finish(loop->ws_head);
            }
            if (loop->inflight == 0 && loop->ws_head == NULL) {
                /* A request a client sent before the stop may still wait,
                 * unread, on a kept-alive connection: one more pass without
                 * waiting reads it (and counts it in flight). */
                if (loop->drained)
                    break;
                loop->drained = true;
                h2o_evloop_run(loop->ctx.loop, 0);
                continue;
            }
            loop->drained = false;
        }
        h2o_evloop_run(loop->ctx.loop, loop->stopping ? 50 : 1000);
        if (loop->trim_wanted && h2o_now(loop->ctx.loop) - loop->last_trim >= TRIM_INTERVAL_MS) {
            /* freed WebSocket queues leave free pages in this thread's
             * arena that glibc keeps; give them back */
            loop->trim_wanted = false;
            loop->last_trim = h2o_now(loop->ctx.loop);
            malloc_trim(0);
        }
    }
    return NULL;
}

/* ---- server ------------------------------------------------------------ */

static int parse_listen(const char *listen, struct sockaddr_in *sa)
{
    char host[64];
    int port;
    if (lk_parse_host_port(listen, host, sizeof host, &port) != 0)
        return LK_EINVAL;
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    if (strcmp(host, "localhost") == 0)
        memcpy(host, "127.0.0.1", 10);
    if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
        return LK_EINVAL;
    return 0;
}

static int open_listener(struct sockaddr_in *sa)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int on = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0 ||
        bind(fd, (struct sockaddr *)sa, sizeof *sa) != 0 || listen(fd, 1024) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int lk_http_server_start(const lk_http_config_t *cfg, lk_http_server_t **out)
{
    struct sockaddr_in sa;
    if (!cfg->listen || parse_listen(cfg->listen, &sa) != 0 || cfg->threads < 1)
        return LK_EINVAL;

    lk_http_server_t *srv = lk_xcalloc(1, sizeof *srv);
    srv->cfg = *cfg;
    srv->n_loops = (size_t)cfg->threads;
    srv->loops = lk_xcalloc(srv->n_loops, sizeof *srv->loops);
    atomic_init(&srv->ws_count, 0);

    /* Bind every socket first, so a bad address fails before any thread runs. */
    for (size_t i = 0; i < srv->n_loops; i++) {
        int fd = open_listener(&sa);
        if (fd < 0) {
            int e = errno;
            for (size_t k = 0; k < i; k++)
                close(srv->loops[k].listen_fd);
            LK_ERROR(MODULE, "cannot listen on %s: %s", cfg->listen, strerror(e));
            free(srv->loops);
            free(srv);
            return LK_EIO;
        }
        if (i == 0 && sa.sin_port == 0) { /* port 0: every loop takes the port the first got */
            socklen_t len = sizeof sa;
            getsockname(fd, (struct sockaddr *)&sa, &len);
        }
        srv->loops[i].listen_fd = fd;
    }
    srv->port = ntohs(sa.sin_port);

    h2o_config_init(&srv->globalconf);
    srv->globalconf.server_name = h2o_iovec_init(H2O_STRLIT("loket"));
    srv->globalconf.http1.upgrade_to_http2 = 0;
    /* Bodies up to max_body are answered normally. Somewhat larger ones are
     * still read and then refused by the handler (lk_http_req_body_too_large),
     * so that a client that is still sending gets its 413 on a connection that
     * stays open: closing on unread data would reset the connection and could
     * destroy the answer. Far larger ones h2o refuses as soon as their length
     * is known, without reading them; the filter below gives that 413 loket's
     * JSON shape too. */
    size_t hard = cfg->max_body * 16;
    srv->globalconf.max_request_entity_size = hard < (2u << 20) ? (2u << 20) : hard;
    srv->hostconf = h2o_config_register_host(&srv->globalconf, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    h2o_filter_t *filter = h2o_create_filter(&srv->hostconf->fallback_path, sizeof *filter);
    filter->on_setup_ostream = json_error_setup;
    h2o_pathconf_t *pathconf = h2o_config_register_path(srv->hostconf, "/", 0);
    root_handler_t *h = (root_handler_t *)h2o_create_handler(pathconf, sizeof *h);
    h->super.on_req = on_req;
    h->srv = srv;

    /* Each loop sets itself up on its own thread: h2o keeps per-thread buffer
     * caches (thread-local), and a socket created on one thread keeps using
     * that thread's cache wherever it is read, which two loops would then
     * share without a lock. Wait until every loop is ready, so that
     * lk_http_loop_call() works as soon as this returns. */
    pthread_mutex_init(&srv->ready_mu, NULL);
    pthread_cond_init(&srv->ready_cv, NULL);
    for (size_t i = 0; i < srv->n_loops; i++) {
        srv->loops[i].srv = srv;
        pthread_create(&srv->loops[i].tid, NULL, loop_main, &srv->loops[i]);
        char name[16];
        snprintf(name, sizeof name, "loket-loop%u", (unsigned)(i % 100));
        pthread_setname_np(srv->loops[i].tid, name);
    }
    pthread_mutex_lock(&srv->ready_mu);
    while (srv->n_ready < srv->n_loops)
        pthread_cond_wait(&srv->ready_cv, &srv->ready_mu);
    pthread_mutex_unlock(&srv->ready_mu);
    srv->started = true;
    *out = srv;
    return 0;
}

int lk_http_server_port(const lk_http_server_t *srv)
{
    return srv->port;
}

void lk_http_server_stop(lk_http_server_t *srv)
{
    if (!srv || !srv->started)
        return;
    for (size_t i = 0; i < srv->n_loops; i++)
        lk_http_loop_call(&srv->loops[i], begin_stop, &srv->loops[i]);
    for (size_t i = 0; i < srv->n_loops; i++)
        pthread_join(srv->loops[i].tid, NULL);
    srv->started = false;
}

void lk_http_server_free(lk_http_server_t *srv)
{
    if (!srv)
        return;
    lk_http_server_stop(srv);
    /* Idle keep-alive connections may still hang on the contexts, and h2o
     * 2.2 cannot dispose a context under them: keep it all reachable for the
     * little time until the process exits. */
    retired_server = srv;
}
