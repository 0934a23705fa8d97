/*
 * loadgen: loket's own load tool for `make bench` (bench/run.sh).
 *
 * Debian 12 has no load tool that speaks loket's conversation protocol, nor
 * any WebSocket load tool, so this one drives N concurrent customer
 * conversations over loopback HTTP/1.1 keep-alive, like real widgets would:
 *
 *   turn mode (default): each conversation is created (POST
 *     /api/v1/conversations), then in a loop posts a question (POST .../messages)
 *     and waits for the answer. One "turn" is one such request; its latency is
 *     from the first byte sent to the last byte of the answer received. After
 *     a few turns, or when the conversation was handed over (no bot answer),
 *     the client starts a new conversation: creation is counted, not timed.
 *   ws mode: as turn mode, and each client also holds the conversation's
 *     WebSocket (GET .../ws?token=...). A turn then lasts until the WebSocket
 *     has delivered every message of the turn; its latency is the push
 *     latency of the last of them (POST sent -> frame received).
 *
 * It prints one line of figures: turns/s and p50/p99/max latency. One epoll
 * loop per thread (--threads), no thread per connection, libc and pthreads
 * only. Build: cc -O2 -pthread -o loadgen loadgen.c
 *
 * Usage: loadgen --port P [--host 127.0.0.1] [--conns N] [--duration S]
 *                [--warmup S] [--threads T] [--mode turn|ws] [--turns-per-conv K]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ---- options --------------------------------------------------------------- */

static const char *opt_host = "127.0.0.1";
static int opt_port = 0;
static int opt_conns = 16;
static double opt_duration = 10.0;
static double opt_warmup = 1.0;
static int opt_threads = 1;
static bool opt_ws = false;
static int opt_turns_per_conv = 10;

/* Questions from the demo knowledge base, asked in turn. */
static const char *const QUESTIONS[] = {
    "Hoe kan ik mijn bestelling retourneren?",
    "Wat zijn de verzendkosten?",
    "Hoe lang duurt de levering?",
    "Welke betaalmethoden accepteren jullie?",
    "Kan ik mijn bestelling nog wijzigen?",
    "Waar is mijn pakket?",
    "Hoe lang heb ik garantie?",
    "Kan ik een cadeaubon gebruiken?",
};
#define N_QUESTIONS (sizeof QUESTIONS / sizeof QUESTIONS[0])

static uint64_t now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void die(const char *what) {
    fprintf(stderr, "loadgen: %s: %s\n", what, strerror(errno));
    exit(2);
}

/* ---- growable buffers ---------------------------------------------------- */

typedef struct {
    char *p;
    size_t len, cap;
} buf_t;

static void buf_reserve(buf_t *b, size_t extra) {
    if (b->len + extra + 1 <= b->cap) return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra + 1) cap *= 2;
    b->p = realloc(b->p, cap);
    if (!b->p) abort();
    b->cap = cap;
}

static void buf_add(buf_t *b, const char *s, size_t n) {
    buf_reserve(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

static void buf_consume(buf_t *b, size_t n) {
    memmove(b->p, b->p + n, b->len - n);
    b->len -= n;
    if (b->p) b->p[b->len] = 0;
}

/* ---- tiny JSON peeking (the answers' shape is known) ----------------------- */

/* The string value of the first "key" whose value starts with prefix; copies
 * it into out. False when there is none. */
static bool json_str(const char *s, size_t len, const char *key, const char *prefix, char *out, size_t outsize) {
    char pat[64];
    int pl = snprintf(pat, sizeof pat, "\"%s\"", key);
    const char *end = s + len;
    for (const char *p = s; (p = memmem(p, (size_t)(end - p), pat, (size_t)pl)) != NULL; p += pl) {
        const char *v = p + pl;
        while (v < end && (*v == ' ' || *v == ':')) v++;
        if (v >= end || *v != '"') continue;
        v++;
        size_t n = strlen(prefix);
        if ((size_t)(end - v) < n || memcmp(v, prefix, n) != 0) continue;
        const char *q = memchr(v, '"', (size_t)(end - v));
        if (!q || (size_t)(q - v) >= outsize) return false;
        memcpy(out, v, (size_t)(q - v));
        out[q - v] = 0;
        return true;
    }
    return false;
}

/* The largest integer value of "key" in s (-1 when none). */
static long json_max_int(const char *s, size_t len, const char *key) {
    char pat[64];
    int pl = snprintf(pat, sizeof pat, "\"%s\"", key);
    const char *end = s + len;
    long best = -1;
    for (const char *p = s; (p = memmem(p, (size_t)(end - p), pat, (size_t)pl)) != NULL; p += pl) {
        const char *v = p + pl;
        while (v < end && (*v == ' ' || *v == ':')) v++;
        long x = 0;
        bool any = false;
        while (v < end && *v >= '0' && *v <= '9') x = x * 10 + (*v++ - '0'), any = true;
        if (any && x > best) best = x;
    }
    return best;
}

/* ---- connections and clients ------------------------------------------------ */

enum { K_HTTP, K_WS };
enum { ST_CREATE, ST_WS_HANDSHAKE, ST_TURN };

struct client;

typedef struct {
    int fd;
    int kind;
    struct client *cl;
    buf_t in, out;
    size_t out_off;
    bool want_out;
} conn_t;

typedef struct client {
    conn_t http, ws;
    struct worker *w;
    int state;
    char conv_id[64];
    char token[128];
    int turns_in_conv;
    unsigned qidx;
    uint64_t t0;
    bool http_done;
    bool bot_answered; /* the HTTP answer held a bot message */
    long want_seq;    /* ws mode: the turn ends when this seq was pushed */
    long pushed_seq;  /* ws mode: the largest seq pushed so far */
    uint64_t push_t;  /* when pushed_seq arrived */
} client_t;

typedef struct worker {
    int ep;
    client_t *clients;
    int n;
    uint64_t start, record_from, stop;
    /* results */
    uint32_t *lat;
    size_t n_lat, cap_lat;
    uint64_t turns, creates, errors, handoffs, frames;
} worker_t;

static void record(worker_t *w, uint64_t us) {
    if (w->n_lat == w->cap_lat) {
        w->cap_lat = w->cap_lat ? w->cap_lat * 2 : 65536;
        w->lat = realloc(w->lat, w->cap_lat * sizeof *w->lat);
        if (!w->lat) abort();
    }
    w->lat[w->n_lat++] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

static int tcp_connect(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) die("socket");
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)opt_port)};
    if (inet_pton(AF_INET, opt_host, &a.sin_addr) != 1) {
        fprintf(stderr, "loadgen: bad host %s\n", opt_host);
        exit(1);
    }
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) die("connect");
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

static void conn_open(worker_t *w, conn_t *c) {
    c->fd = tcp_connect();
    c->in.len = c->out.len = c->out_off = 0;
    c->want_out = false;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    if (epoll_ctl(w->ep, EPOLL_CTL_ADD, c->fd, &ev) != 0) die("epoll_ctl");
}

static void conn_close(conn_t *c) {
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
}

static void conn_flush(worker_t *w, conn_t *c) {
    while (c->out_off < c->out.len) {
        ssize_t k = write(c->fd, c->out.p + c->out_off, c->out.len - c->out_off);
        if (k > 0) {
            c->out_off += (size_t)k;
            continue;
        }
        if (k < 0 && errno == EINTR) continue;
        if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!c->want_out) {
                struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
                epoll_ctl(w->ep, EPOLL_CTL_MOD, c->fd, &ev);
                c->want_out = true;
            }
            return;
        }
        return; /* an error shows up as EOF on read */
    }
    c->out.len = c->out_off = 0;
    if (c->want_out) {
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        epoll_ctl(w->ep, EPOLL_CTL_MOD, c->fd, &ev);
        c->want_out = false;
    }
}

static void send_request(worker_t *w, client_t *cl, const char *method, const char *path, const char *body) {
    char head[1024];
    size_t blen = body ? strlen(body) : 0;
    int n = snprintf(head, sizeof head,
                     "%s %s HTTP/1.1\r\nHost: %s:%d\r\n%s%s%sContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                     method, path, opt_host, opt_port, cl->token[0] ? "Authorization: Bearer " : "", cl->token,
                     cl->token[0] ? "\r\n" : "", blen);
    buf_add(&cl->http.out, head, (size_t)n);
    if (blen) buf_add(&cl->http.out, body, blen);
    conn_flush(w, &cl->http);
}

static void start_conversation(worker_t *w, client_t *cl) {
    cl->state = ST_CREATE;
    cl->token[0] = 0;
    cl->turns_in_conv = 0;
    if (cl->ws.fd >= 0) {
        conn_close(&cl->ws);
    }
    send_request(w, cl, "POST", "/api/v1/conversations", "{}");
}

static void start_turn(worker_t *w, client_t *cl) {
    char path[256], body[512];
    snprintf(path, sizeof path, "/api/v1/conversations/%s/messages", cl->conv_id);
    snprintf(body, sizeof body, "{\"text\": \"%s\"}", QUESTIONS[cl->qidx++ % N_QUESTIONS]);
    cl->state = ST_TURN;
    cl->http_done = false;
    cl->want_seq = -1;
    cl->t0 = now_us();
    send_request(w, cl, "POST", path, body);
}

static void open_ws(worker_t *w, client_t *cl) {
    conn_open(w, &cl->ws);
    char req[1024];
    int n = snprintf(req, sizeof req,
                     "GET /api/v1/conversations/%s/ws?token=%s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
                     cl->conv_id, cl->token, opt_host, opt_port);
    buf_add(&cl->ws.out, req, (size_t)n);
    conn_flush(w, &cl->ws);
    cl->state = ST_WS_HANDSHAKE;
}

/* A turn is over when its HTTP answer came and, in ws mode, every message of
 * it was pushed. */
static void maybe_end_turn(worker_t *w, client_t *cl) {
    if (!cl->http_done) return;
    bool bot_answered = cl->bot_answered;
    uint64_t end;
    if (opt_ws) {
        if (cl->pushed_seq < cl->want_seq) return;
        end = cl->push_t;
    } else {
        end = now_us();
    }
    w->turns++;
    if (cl->t0 >= w->record_from) record(w, end > cl->t0 ? end - cl->t0 : 0);
    cl->turns_in_conv++;
    if (!bot_answered) w->handoffs++;
    if (!bot_answered || cl->turns_in_conv >= opt_turns_per_conv)
        start_conversation(w, cl);
    else
        start_turn(w, cl);
}

/* One complete HTTP answer arrived on the client's HTTP connection. */
static void on_http_response(worker_t *w, client_t *cl, int status, const char *body, size_t len) {
    if (cl->state == ST_CREATE) {
        if (status != 201 || !json_str(body, len, "id", "c_", cl->conv_id, sizeof cl->conv_id) ||
            !json_str(body, len, "token", "", cl->token, sizeof cl->token)) {
            w->errors++;
            if (w->errors < 5) fprintf(stderr, "loadgen: create: %d %.*s\n", status, (int)(len > 200 ? 200 : len), body);
            cl->token[0] = 0;
            start_conversation(w, cl);
            return;
        }
        w->creates++;
        if (opt_ws) {
            cl->pushed_seq = json_max_int(body, len, "seq");
            open_ws(w, cl);
        } else {
            start_turn(w, cl);
        }
        return;
    }
    if (status != 201) {
        w->errors++;
        if (w->errors < 5) fprintf(stderr, "loadgen: turn: %d %.*s\n", status, (int)(len > 200 ? 200 : len), body);
        start_conversation(w, cl);
        return;
    }
    char sender[16];
    bool bot = json_str(body, len, "sender", "bot", sender, sizeof sender);
    cl->http_done = true;
    cl->bot_answered = bot;
    cl->want_seq = json_max_int(body, len, "seq");
    maybe_end_turn(w, cl);
}

/* Parses complete HTTP answers off c->in; returns false on a protocol error. */
static bool http_parse(worker_t *w, conn_t *c) {
    for (;;) {
        char *hend = c->in.len ? memmem(c->in.p, c->in.len, "\r\n\r\n", 4) : NULL;
        if (!hend) return true;
        size_t hlen = (size_t)(hend - c->in.p) + 4;
        /* "HTTP/1.1 201 ..." */
        if (hlen < 12 || memcmp(c->in.p, "HTTP/1.", 7) != 0) return false;
        int status = (int)strtol(c->in.p + 9, NULL, 10);
        /* headers, case-insensitively, one line at a time */
        long clen = -1;
        bool chunked = false;
        char *line = memchr(c->in.p, '\n', hlen);
        while (line && line + 1 < hend) {
            char *l = line + 1;
            char *eol = memchr(l, '\n', (size_t)(hend + 2 - l));
            size_t ll = eol ? (size_t)(eol - l) : 0;
            if (ll > 15 && !strncasecmp(l, "content-length:", 15)) clen = strtol(l + 15, NULL, 10);
            if (ll > 18 && !strncasecmp(l, "transfer-encoding:", 18) && memmem(l, ll, "chunked", 7)) chunked = true;
            line = eol;
        }
        if (chunked) {
            /* de-chunk into a separate buffer once the last chunk is there */
            size_t off = hlen;
            buf_t body = {0};
            for (;;) {
                char *crlf = memmem(c->in.p + off, c->in.len - off, "\r\n", 2);
                if (!crlf) {
                    free(body.p);
                    return true;
                }
                size_t n = strtoul(c->in.p + off, NULL, 16);
                size_t data = (size_t)(crlf - c->in.p) + 2;
                if (n == 0) {
                    if (c->in.len < data + 2) {
                        free(body.p);
                        return true;
                    }
                    off = data + 2;
                    break;
                }
                if (c->in.len < data + n + 2) {
                    free(body.p);
                    return true;
                }
                buf_add(&body, c->in.p + data, n);
                off = data + n + 2;
            }
            on_http_response(w, c->cl, status, body.p ? body.p : "", body.len);
            free(body.p);
            buf_consume(&c->in, off);
            continue;
        }
        if (clen < 0) clen = 0;
        if (c->in.len < hlen + (size_t)clen) return true;
        /* copy: the handler may send the next request, which does not touch in */
        on_http_response(w, c->cl, status, c->in.p + hlen, (size_t)clen);
        buf_consume(&c->in, hlen + (size_t)clen);
    }
}

/* Parses the WebSocket handshake answer and then frames off c->in. */
static bool ws_parse(worker_t *w, conn_t *c) {
    client_t *cl = c->cl;
    if (cl->state == ST_WS_HANDSHAKE) {
        char *hend = c->in.len ? memmem(c->in.p, c->in.len, "\r\n\r\n", 4) : NULL;
        if (!hend) return true;
        if (strncmp(c->in.p, "HTTP/1.1 101", 12) != 0) {
            fprintf(stderr, "loadgen: WebSocket refused: %.*s\n", 40, c->in.p);
            return false;
        }
        buf_consume(&c->in, (size_t)(hend - c->in.p) + 4);
        start_turn(w, cl);
    }
    for (;;) {
        const unsigned char *p = (const unsigned char *)c->in.p;
        if (c->in.len < 2) return true;
        size_t hl = 2;
        uint64_t n = p[1] & 0x7f;
        if (n == 126) {
            if (c->in.len < 4) return true;
            n = ((uint64_t)p[2] << 8) | p[3];
            hl = 4;
        } else if (n == 127) {
            if (c->in.len < 10) return true;
            n = 0;
            for (int i = 0; i < 8; i++) n = (n << 8) | p[2 + i];
            hl = 10;
        }
        if (p[1] & 0x80) hl += 4; /* a server must not mask, but skip it if it does */
        if (c->in.len < hl + n) return true;
        int op = p[0] & 0x0f;
        if (op == 1) {
            w->frames++;
            long seq = json_max_int(c->in.p + hl, (size_t)n, "seq");
            if (seq > cl->pushed_seq) {
                cl->pushed_seq = seq;
                cl->push_t = now_us();
            }
        } else if (op == 8) {
            return false;
        }
        buf_consume(&c->in, hl + (size_t)n);
        if (cl->state == ST_TURN) maybe_end_turn(w, cl);
        if (c->fd < 0) return true; /* the turn ended the conversation and closed this socket */
    }
}

/* Counts an error and starts the client over on fresh connections. */
static void restart_client(worker_t *w, client_t *cl) {
    w->errors++;
    conn_close(&cl->http);
    conn_close(&cl->ws);
    conn_open(w, &cl->http);
    start_conversation(w, cl);
}

static void on_readable(worker_t *w, conn_t *c) {
    for (;;) {
        buf_reserve(&c->in, 16384);
        ssize_t k = read(c->fd, c->in.p + c->in.len, c->in.cap - c->in.len - 1);
        if (k > 0) {
            c->in.len += (size_t)k;
            c->in.p[c->in.len] = 0;
            continue;
        }
        if (k < 0 && errno == EINTR) continue;
        if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        /* EOF or error: start this client over on fresh connections */
        restart_client(w, c->cl);
        return;
    }
    bool ok = c->kind == K_HTTP ? http_parse(w, c) : ws_parse(w, c);
    if (!ok)
        restart_client(w, c->cl);
}

static void *worker_run(void *arg) {
    worker_t *w = arg;
    w->ep = epoll_create1(0);
    if (w->ep < 0) die("epoll_create1");
    for (int i = 0; i < w->n; i++) {
        client_t *cl = &w->clients[i];
        cl->w = w;
        cl->http.kind = K_HTTP;
        cl->ws.kind = K_WS;
        cl->http.cl = cl->ws.cl = cl;
        cl->ws.fd = -1;
        cl->qidx = (unsigned)i;
        conn_open(w, &cl->http);
        start_conversation(w, cl);
    }
    struct epoll_event evs[256];
    for (;;) {
        uint64_t t = now_us();
        if (t >= w->stop) break;
        int timeout = (int)((w->stop - t) / 1000) + 1;
        int n = epoll_wait(w->ep, evs, 256, timeout > 100 ? 100 : timeout);
        if (n < 0 && errno != EINTR) die("epoll_wait");
        for (int i = 0; i < n; i++) {
            conn_t *c = evs[i].data.ptr;
            if (c->fd < 0) continue;
            if (evs[i].events & EPOLLOUT) conn_flush(w, c);
            if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_readable(w, c);
        }
    }
    for (int i = 0; i < w->n; i++) {
        conn_close(&w->clients[i].http);
        conn_close(&w->clients[i].ws);
    }
    close(w->ep);
    return NULL;
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void usage(void) {
    fprintf(stderr, "usage: loadgen --port P [--host H] [--conns N] [--duration S] [--warmup S] [--threads T] "
                    "[--mode turn|ws] [--turns-per-conv K]\n");
    exit(1);
}

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) usage();
        if (!strcmp(a, "--host")) opt_host = v;
        else if (!strcmp(a, "--port")) opt_port = (int)strtol(v, NULL, 10);
        else if (!strcmp(a, "--conns")) opt_conns = (int)strtol(v, NULL, 10);
        else if (!strcmp(a, "--duration")) opt_duration = strtod(v, NULL);
        else if (!strcmp(a, "--warmup")) opt_warmup = strtod(v, NULL);
        else if (!strcmp(a, "--threads")) opt_threads = (int)strtol(v, NULL, 10);
        else if (!strcmp(a, "--turns-per-conv")) opt_turns_per_conv = (int)strtol(v, NULL, 10);
        else if (!strcmp(a, "--mode")) {
            if (!strcmp(v, "ws")) opt_ws = true;
            else if (strcmp(v, "turn")) usage();
        } else usage();
        i++;
    }
    if (opt_port <= 0 || opt_conns <= 0 || opt_threads <= 0 || opt_duration <= 0 || opt_turns_per_conv <= 0) usage();
    if (opt_threads > opt_conns) opt_threads = opt_conns;

    worker_t *ws = calloc((size_t)opt_threads, sizeof *ws);
    client_t *clients = calloc((size_t)opt_conns, sizeof *clients);
    pthread_t *th = calloc((size_t)opt_threads, sizeof *th);
    if (!ws || !clients || !th) abort();
    uint64_t start = now_us();
    int given = 0;
    for (int t = 0; t < opt_threads; t++) {
        worker_t *w = &ws[t];
        w->n = opt_conns / opt_threads + (t < opt_conns % opt_threads);
        w->clients = clients + given;
        given += w->n;
        w->start = start;
        w->record_from = start + (uint64_t)(opt_warmup * 1e6);
        w->stop = w->record_from + (uint64_t)(opt_duration * 1e6);
        if (pthread_create(&th[t], NULL, worker_run, w) != 0) die("pthread_create");
    }
    uint64_t turns = 0, creates = 0, errors = 0, handoffs = 0, frames = 0;
    size_t n_lat = 0;
    for (int t = 0; t < opt_threads; t++) {
        pthread_join(th[t], NULL);
        n_lat += ws[t].n_lat;
    }
    uint32_t *lat = malloc((n_lat ? n_lat : 1) * sizeof *lat);
    if (!lat) abort();
    size_t k = 0;
    for (int t = 0; t < opt_threads; t++) {
        memcpy(lat + k, ws[t].lat, ws[t].n_lat * sizeof *lat);
        k += ws[t].n_lat;
        turns += ws[t].turns;
        creates += ws[t].creates;
        errors += ws[t].errors;
        handoffs += ws[t].handoffs;
        frames += ws[t].frames;
        free(ws[t].lat);
    }
    qsort(lat, n_lat, sizeof *lat, cmp_u32);
    double p50 = n_lat ? lat[(size_t)(0.50 * (double)(n_lat - 1))] / 1000.0 : 0;
    double p99 = n_lat ? lat[(size_t)(0.99 * (double)(n_lat - 1))] / 1000.0 : 0;
    double mx = n_lat ? lat[n_lat - 1] / 1000.0 : 0;
    /* turns/s over the measured window: the samples recorded in it */
    printf("mode=%s conns=%d duration=%.1f turns=%zu turns_per_s=%.1f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f "
           "creates=%llu handoffs=%llu frames=%llu errors=%llu\n",
           opt_ws ? "ws" : "turn", opt_conns, opt_duration, n_lat, (double)n_lat / opt_duration, p50, p99, mx,
           (unsigned long long)creates, (unsigned long long)handoffs, (unsigned long long)frames,
           (unsigned long long)errors);
    (void)turns;
    free(lat);
    free(ws);
    free(clients);
    free(th);
    return 0;
}
