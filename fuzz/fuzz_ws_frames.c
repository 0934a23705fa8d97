/*
 * fuzz_ws_frames: the WebSocket frames a client sends to loket. loket's
 * WebSockets (src/http/server.c) are h2o's websocket layer over wslay; this
 * driver builds the same server-side wslay context with loket's settings
 * (lk_http__ws_setup, src/http/http_int.h) and drives it the way h2o 2.2's
 * lib/websocket.c does (its receive and send callbacks, its proceed loop,
 * one write in flight at a time), through a memory transport: the fuzzer's
 * bytes are what the client sends, delivered in chunks of a size the first
 * byte picks, while the server side sends its own messages as the hub does
 * (lk_http_ws_send: queue, then proceed) and may close (lk_http_ws_close).
 *
 * Invariants: every message wslay hands to loket is a known opcode within
 * loket's size limit (control frames within 125 bytes); the server never
 * spins (the proceed loop ends); and what the server wrote is a valid
 * WebSocket stream for a client: unmasked frames that a wslay client
 * context reads back as exactly the messages the server queued, in order
 * (a prefix of them when the connection closed first).
 */
#include "fuzz.h"

#include "http/http_int.h"
#include "util/util.h"

#define MAX_SENT 16

typedef struct {
    wslay_event_context_ptr ctx;
    /* the socket: bytes from the client not yet delivered, the chunk h2o's
     * read put into sock->input, and what the server wrote */
    const uint8_t *wire;
    size_t wire_len, chunk;
    const uint8_t *input;
    size_t input_len;
    uint8_t *pending; /* the one write in flight (h2o's _write_buf) */
    size_t pending_len;
    bool writing;
    uint8_t *out;
    size_t out_len, out_cap;
    bool closed; /* h2o called loket's callback with NULL */
    size_t max_msg;
    /* what the server side queued */
    char sent[MAX_SENT][32];
    size_t n_sent;
    bool closing;
} conn_t;

/* ---- the server side, as h2o 2.2 drives wslay ---------------------------- */

/* A wslay read callback's work: up to len bytes from *src (*left of them)
 * into buf, or "would block" when none are left. */
static ssize_t read_from(wslay_event_context_ptr ctx, const uint8_t **src, size_t *left, uint8_t *buf, size_t len)
{
    if (*left == 0) {
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
        return -1;
    }
    if (len > *left)
        len = *left;
    memcpy(buf, *src, len);
    *src += len;
    *left -= len;
    return (ssize_t)len;
}

static ssize_t recv_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags, void *ud)
{
    conn_t *c = ud;
    return read_from(ctx, &c->input, &c->input_len, buf, len);
}

static ssize_t send_cb(wslay_event_context_ptr ctx, const uint8_t *data, size_t len, int flags, void *ud)
{
    conn_t *c = ud;
    if (c->writing) {
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
        return -1;
    }
    c->pending = realloc(c->pending, len ? len : 1);
    FUZZ_CHECK(c->pending != NULL);
    memcpy(c->pending, data, len);
    c->pending_len = len;
    c->writing = true;
    return (ssize_t)len;
}

/* loket's on_ws_message: text messages go to the WebSocket's on_text
 * callback (the hub's WebSockets have none: clients only listen); NULL is
 * the close. */
static void on_msg(wslay_event_context_ptr ctx, const struct wslay_event_on_msg_recv_arg *arg, void *ud)
{
    conn_t *c = ud;
    FUZZ_CHECK(arg->opcode == WSLAY_TEXT_FRAME || arg->opcode == WSLAY_BINARY_FRAME ||
               arg->opcode == WSLAY_CONNECTION_CLOSE || arg->opcode == WSLAY_PING || arg->opcode == WSLAY_PONG);
    FUZZ_CHECK(arg->msg_length <= c->max_msg);
    if (arg->opcode >= WSLAY_CONNECTION_CLOSE)
        FUZZ_CHECK(arg->msg_length <= 125);
    if (arg->msg_length)
        FUZZ_CHECK(arg->msg != NULL);
}

static void proceed(conn_t *c)
{
    if (c->closed)
        return;
    bool handled;
    size_t rounds = 0;
    do {
        handled = false;
        FUZZ_CHECK(++rounds < 100000); /* the loop must come to rest */
        if (!c->writing && wslay_event_want_write(c->ctx)) {
            if (wslay_event_send(c->ctx) != 0)
                goto close;
            handled = true;
        }
        if (c->input_len != 0 && wslay_event_want_read(c->ctx)) {
            if (wslay_event_recv(c->ctx) != 0)
                goto close;
            handled = true;
        }
    } while (handled);
    if (wslay_event_want_read(c->ctx) || c->writing || wslay_event_want_write(c->ctx))
        return;
close:
    c->closed = true;
}

/* lk_http_ws_send */
static void server_send(conn_t *c)
{
    if (c->closing || c->closed || c->n_sent == MAX_SENT)
        return;
    char *m = c->sent[c->n_sent];
    snprintf(m, sizeof c->sent[0], "{\"seq\":%zu}", c->n_sent + 1);
    struct wslay_event_msg msg = {WSLAY_TEXT_FRAME, (const uint8_t *)m, strlen(m)};
    if (wslay_event_queue_msg(c->ctx, &msg) != 0)
        return;
    c->n_sent++;
    proceed(c);
}

/* lk_http_ws_close */
static void server_close(conn_t *c)
{
    if (c->closing || c->closed)
        return;
    c->closing = true;
    wslay_event_queue_close(c->ctx, WSLAY_CODE_GOING_AWAY, NULL, 0);
    proceed(c);
}

/* The event loop: finish writes, deliver the client's bytes chunk by chunk. */
static void run_loop(conn_t *c, unsigned ops)
{
    size_t step = 0;
    while (!c->closed) {
        if (c->writing) { /* the write completed: on_write_complete */
            if (c->out_len + c->pending_len > c->out_cap) {
                c->out_cap = (c->out_len + c->pending_len) * 2;
                c->out = realloc(c->out, c->out_cap);
                FUZZ_CHECK(c->out != NULL);
            }
            memcpy(c->out + c->out_len, c->pending, c->pending_len);
            c->out_len += c->pending_len;
            c->writing = false;
            proceed(c);
            continue;
        }
        if (c->wire_len == 0 || !wslay_event_want_read(c->ctx))
            break;
        /* a read: the next chunk lands in sock->input (on_recv) */
        size_t n = c->chunk < c->wire_len ? c->chunk : c->wire_len;
        c->input = c->wire;
        c->input_len = n;
        c->wire += n;
        c->wire_len -= n;
        proceed(c);
        FUZZ_CHECK(c->closed || c->input_len == 0);
        /* meanwhile the hub publishes, or the server stops */
        step++;
        if (ops & (1u << (step % 8)))
            server_send(c);
        if ((ops & 0x100) && step == 3)
            server_close(c);
    }
}

/* ---- the client's view of what the server wrote -------------------------- */

typedef struct {
    const uint8_t *data;
    size_t len;
    char got[MAX_SENT][32];
    size_t n_got;
    bool got_close, bad;
} client_t;

static ssize_t client_recv(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags, void *ud)
{
    client_t *cl = ud;
    return read_from(ctx, &cl->data, &cl->len, buf, len);
}

static ssize_t client_send(wslay_event_context_ptr ctx, const uint8_t *data, size_t len, int flags, void *ud)
{
    return (ssize_t)len; /* the client's pongs and close replies go nowhere */
}

static int client_mask(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, void *ud)
{
    memset(buf, 0x5a, len);
    return 0;
}

static void client_msg(wslay_event_context_ptr ctx, const struct wslay_event_on_msg_recv_arg *arg, void *ud)
{
    client_t *cl = ud;
    if (arg->opcode == WSLAY_CONNECTION_CLOSE) {
        cl->got_close = true;
    } else if (arg->opcode == WSLAY_TEXT_FRAME && cl->n_got < MAX_SENT && arg->msg_length < sizeof cl->got[0]) {
        memcpy(cl->got[cl->n_got], arg->msg, arg->msg_length);
        cl->got[cl->n_got][arg->msg_length] = '\0';
        cl->n_got++;
    } else if (arg->opcode != WSLAY_PONG && arg->opcode != WSLAY_PING) {
        cl->bad = true; /* loket sends text only */
    }
}

static void check_output(const conn_t *c)
{
    client_t cl = {c->out, c->out_len, {{0}}, 0, false, false};
    struct wslay_event_callbacks cb = {client_recv, client_send, client_mask, NULL, NULL, NULL, client_msg};
    wslay_event_context_ptr ctx;
    FUZZ_CHECK(wslay_event_context_client_init(&ctx, &cb, &cl) == 0);
    /* a protocol error here (e.g. a masked frame from the server) fails the
     * read and leaves bytes unread */
    int rc = 0;
    while (cl.len > 0 && wslay_event_want_read(ctx) && rc == 0)
        rc = wslay_event_recv(ctx);
    FUZZ_CHECK(rc == 0 && !cl.bad);
    FUZZ_CHECK(cl.len == 0 || cl.got_close);
    FUZZ_CHECK(cl.n_got <= c->n_sent);
    for (size_t i = 0; i < cl.n_got; i++)
        FUZZ_CHECK(!strcmp(cl.got[i], c->sent[i]));
    /* an open connection delivered everything it queued */
    if (!c->closed && !c->closing && !cl.got_close && !wslay_event_want_write(c->ctx))
        FUZZ_CHECK(cl.n_got == c->n_sent);
    wslay_event_context_free(ctx);
}

/* The input as frames whose payloads are in the clear: each frame is its
 * wire header (FIN, RSV, opcode; MASK and length, extended length, masking
 * key) followed by up to the declared length of payload, which is masked
 * here with the frame's key. Mutations then change what the server reads
 * (close codes, text) instead of scrambling it through the mask. wslay is a
 * system library without coverage instrumentation, so this is how the
 * fuzzer reaches its deeper states (fragments, control frames between them,
 * lengths at 125/126/65535 and at loket's limit). */
static uint8_t *mask_frames(const uint8_t *in, size_t len, size_t *outlen)
{
    uint8_t *out = malloc(len ? len : 1);
    FUZZ_CHECK(out != NULL);
    memcpy(out, in, len);
    size_t i = 0;
    while (i + 2 <= len) {
        bool masked = out[i + 1] & 0x80;
        uint64_t plen = out[i + 1] & 0x7f;
        size_t h = 2;
        if (plen == 126 || plen == 127) {
            size_t n = plen == 126 ? 2 : 8;
            if (i + h + n > len)
                break;
            plen = 0;
            for (size_t k = 0; k < n; k++)
                plen = plen << 8 | out[i + h + k];
            h += n;
        }
        const uint8_t *key = NULL;
        if (masked) {
            if (i + h + 4 > len)
                break;
            key = out + i + h;
            h += 4;
        }
        i += h;
        size_t avail = len - i;
        size_t n = plen < avail ? (size_t)plen : avail;
        for (size_t k = 0; key && k < n; k++)
            out[i + k] ^= key[k & 3];
        i += n;
    }
    *outlen = len;
    return out;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    lk_log_set_level(LK_LOG_OFF);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* three bytes of set-up, then what the client sends:
     * data[0]: bits 0-2 the read size, 3-4 the message limit, 5 the server
     *          closes after the third read, 6-7 backlog messages sent first;
     * data[1]: after which reads the server sends a message (bit per read);
     * data[2]: bit 0: payloads in the clear (mask_frames) */
    if (size < 3)
        return 0;
    static const size_t chunks[8] = {1, 2, 3, 7, 14, 64, 1000, 1u << 20};
    /* loket's limit is max_body: 65536 by default, at least 1024 */
    static const size_t limits[4] = {16, 125, 1024, 65536};
    conn_t c = {0};
    c.chunk = chunks[data[0] & 7];
    c.max_msg = limits[(data[0] >> 3) & 3];
    unsigned ops = data[1] | (unsigned)(data[0] & 0x20) << 3;
    size_t backlog = (data[0] >> 6) & 3;
    uint8_t *wire = NULL;
    if (data[2] & 1) {
        size_t wlen = 0;
        wire = mask_frames(data + 3, size - 3, &wlen);
        c.wire = wire;
        c.wire_len = wlen;
    } else {
        c.wire = data + 3;
        c.wire_len = size - 3;
    }

    struct wslay_event_callbacks cb = {recv_cb, send_cb, NULL, NULL, NULL, NULL, on_msg};
    FUZZ_CHECK(wslay_event_context_server_init(&c.ctx, &cb, &c) == 0);
    lk_http__ws_setup(c.ctx, c.max_msg);

    /* the hub sends the backlog right after the upgrade, before any read */
    for (size_t i = 0; i < backlog; i++)
        server_send(&c);
    run_loop(&c, ops);
    check_output(&c);

    wslay_event_context_free(c.ctx);
    free(c.pending);
    free(c.out);
    free(wire);
    return 0;
}
