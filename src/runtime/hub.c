/*
 * The WebSocket hub: who listens to which conversation, per event loop.
 *
 * Events are published by the writer thread right after their commit, in
 * commit order, to every loop; each loop delivers them to its own
 * subscribers. A subscriber remembers the last seq it sent, so a message is
 * never sent twice. A new subscription registers before its backlog is read
 * from the database and buffers what arrives until the backlog is out, so a
 * client that resumes with after=SEQ gets every message exactly once, in
 * order.
 *
 * The agents' stream is one topic with a filter per subscriber: a plain
 * agent gets every change of a conversation's status or assignment (the
 * queue), but messages and notes only of conversations that are queued (for
 * the preview) or assigned to them; supervisors and admins get everything.
 * The event carries what the filter needs (status, assignee), so publishing
 * stays one JSON text for everybody and filtering is two string compares.
 * The sessions those streams belong to are known to all threads, so that
 * the tick can close the streams of sessions that ended.
 *
 * The customers' WebSockets are counted per conversation and per client
 * address over all loops (limit_ws_conversation, limit_ws_address), so that
 * nobody can open sockets without end: each place taken is held by the
 * subscription and given back when it ends.
 */
#include "runtime/runtime.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUCKETS 1024

struct lk_sub {
    lk_sub_t *next, *prev; /* in its bucket */
    struct hub *hub;
    char topic[LK_ID_MAX];
    lk_ws_t *ws; /* NULL while the backlog is being read */
    int64_t last_seq;
    lk_event_t **pending; /* arrived before the WebSocket was attached */
    size_t n_pending;
    /* the agents' stream: whose it is ("" on a conversation's stream) */
    char viewer[LK_ID_MAX];
    char session[LK_TOKEN_HASH_LEN + 1];
    bool sees_all;
    bool must_close; /* logged out before the WebSocket was attached */
    char held[2][LK_WS_KEY_MAX]; /* the places it holds (lk_hub_ws_take); "" when none */
    /* Owed to the WebSocket before it goes live (sub_pump): the backlog,
     * then pending; events that arrive meanwhile join pending. */
    bool draining;
    char **backlog;
    int64_t *backlog_seq;
    size_t n_backlog, next_backlog, next_pending;
};

struct hub {
    lk_sub_t *buckets[BUCKETS];
};

/* The sessions agents' streams are open for, over all loops, each with its
 * number of streams (lk_hub_stream_sessions). */
static struct {
    pthread_mutex_t mu;
    struct open_session {
        lk_session_hash_t hash;
        size_t streams;
    } *v;
    size_t n, cap;
} open_sessions = {PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0};

static void session_opened(const char *hash)
{
    pthread_mutex_lock(&open_sessions.mu);
    size_t i = 0;
    while (i < open_sessions.n && strcmp(open_sessions.v[i].hash, hash) != 0)
        i++;
    if (i == open_sessions.n) {
        if (open_sessions.n == open_sessions.cap) {
            open_sessions.cap = open_sessions.cap ? open_sessions.cap * 2 : 16;
            open_sessions.v = lk_xrealloc(open_sessions.v, open_sessions.cap * sizeof *open_sessions.v);
        }
        snprintf(open_sessions.v[i].hash, sizeof open_sessions.v[i].hash, "%s", hash);
        open_sessions.v[i].streams = 0;
        open_sessions.n++;
    }
    open_sessions.v[i].streams++;
    pthread_mutex_unlock(&open_sessions.mu);
}

static void session_closed(const char *hash)
{
    pthread_mutex_lock(&open_sessions.mu);
    for (size_t i = 0; i < open_sessions.n; i++)
        if (strcmp(open_sessions.v[i].hash, hash) == 0) {
            if (--open_sessions.v[i].streams == 0)
                open_sessions.v[i] = open_sessions.v[--open_sessions.n];
            break;
        }
    if (open_sessions.n == 0) {
        free(open_sessions.v);
        open_sessions.v = NULL;
        open_sessions.cap = 0;
    }
    pthread_mutex_unlock(&open_sessions.mu);
}

lk_session_hash_t *lk_hub_stream_sessions(size_t *n)
{
    pthread_mutex_lock(&open_sessions.mu);
    *n = open_sessions.n;
    lk_session_hash_t *out = lk_xcalloc(open_sessions.n ? open_sessions.n : 1, sizeof *out);
    for (size_t i = 0; i < open_sessions.n; i++)
        memcpy(out[i], open_sessions.v[i].hash, sizeof out[i]);
    pthread_mutex_unlock(&open_sessions.mu);
    return out;
}

static size_t bucket_of(const char *topic)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)topic; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h % BUCKETS;
}

/* ---- places: open WebSockets per key, over all loops -------------------- */

typedef struct place {
    struct place *next;
    size_t n;
    char key[LK_WS_KEY_MAX];
} place_t;

static struct {
    pthread_mutex_t mu;
    place_t *b[BUCKETS];
} places = {PTHREAD_MUTEX_INITIALIZER, {NULL}};

bool lk_hub_ws_take(const char *key, int64_t max)
{
    if (max <= 0 || !key[0])
        return true;
    size_t b = bucket_of(key);
    bool ok = true;
    pthread_mutex_lock(&places.mu);
    place_t *p = places.b[b];
    while (p && strcmp(p->key, key) != 0)
        p = p->next;
    if (!p) {
        p = lk_xcalloc(1, sizeof *p);
        snprintf(p->key, sizeof p->key, "%s", key);
        p->next = places.b[b];
        places.b[b] = p;
    }
    if (p->n >= (size_t)max)
        ok = false;
    else
        p->n++;
    pthread_mutex_unlock(&places.mu);
    return ok;
}

void lk_hub_ws_give(const char *key)
{
    if (!key[0])
        return;
    size_t b = bucket_of(key);
    pthread_mutex_lock(&places.mu);
    for (place_t **pp = &places.b[b]; *pp; pp = &(*pp)->next) {
        place_t *p = *pp;
        if (strcmp(p->key, key) != 0)
            continue;
        if (p->n > 0)
            p->n--;
        if (p->n == 0) {
            *pp = p->next;
            free(p);
        }
        break;
    }
    pthread_mutex_unlock(&places.mu);
}

void lk_hub_ws_key(const char *kind, const char *value, char out[LK_WS_KEY_MAX])
{
    snprintf(out, LK_WS_KEY_MAX, "%s:%s", kind, value);
}

void lk_hub_sub_hold(lk_sub_t *sub, const char *conv_key, const char *addr_key)
{
    snprintf(sub->held[0], sizeof sub->held[0], "%s", conv_key ? conv_key : "");
    snprintf(sub->held[1], sizeof sub->held[1], "%s", addr_key ? addr_key : "");
}

static void sub_unlink(lk_sub_t *s)
{
    size_t b = bucket_of(s->topic);
    if (s->prev)
        s->prev->next = s->next;
    else
        s->hub->buckets[b] = s->next;
    if (s->next)
        s->next->prev = s->prev;
}

/* Frees the backlog and the pending events (sent or not). */
static void sub_drop_owed(lk_sub_t *s)
{
    for (size_t i = 0; i < s->n_backlog; i++)
        free(s->backlog[i]);
    free(s->backlog);
    free(s->backlog_seq);
    s->backlog = NULL;
    s->backlog_seq = NULL;
    s->n_backlog = s->next_backlog = 0;
    for (size_t i = 0; i < s->n_pending; i++)
        lk_event_release(s->pending[i]);
    free(s->pending);
    s->pending = NULL;
    s->n_pending = s->next_pending = 0;
}

static void sub_free(lk_sub_t *s)
{
    if (s->session[0])
        session_closed(s->session);
    lk_hub_ws_give(s->held[0]);
    lk_hub_ws_give(s->held[1]);
    sub_drop_owed(s);
    free(s);
}

/* What s gets of ev (the agents' stream's filter): the event, its brief
 * form, or nothing (NULL). Plain agents see the messages and notes of the
 * queue and of their own conversations, and of the others only that they
 * changed hands (the brief form, without the customer's rating comment or
 * the outcome); supervisors and admins see everything. */
static const char *view_of(const lk_sub_t *s, const lk_event_t *ev, size_t *len)
{
    if (ev->close_user[0] || ev->close_session[0])
        return NULL;
    *len = ev->len;
    if (!s->viewer[0] || s->sees_all || !ev->conv_id[0] || ev->conv_status == LK_CONV_QUEUED ||
        strcmp(ev->assigned_to, s->viewer) == 0)
        return ev->json;
    if (!ev->everyone)
        return NULL;
    if (!ev->brief)
        return ev->json;
    *len = ev->brief_len;
    return ev->brief;
}

/* A logout's control event: does it end s? */
static bool closes(const lk_sub_t *s, const lk_event_t *ev)
{
    if (!s->viewer[0])
        return false;
    if (ev->close_user[0]) /* close_session, if any, is the one to keep */
        return strcmp(ev->close_user, s->viewer) == 0 &&
               !(ev->close_session[0] && strcmp(ev->close_session, s->session) == 0);
    return ev->close_session[0] && strcmp(ev->close_session, s->session) == 0;
}

/* Sends ev if it is new to s. false when the WebSocket closed. */
static bool sub_send(lk_sub_t *s, const char *json, size_t len, int64_t seq)
{
    if (seq <= s->last_seq)
        return true;
    s->last_seq = seq;
    return lk_http_ws_send(s->ws, json, len) == 0;
}

static void deliver(void *arg)
{
    lk_event_t *ev = arg;
    lk_http_loop_t *loop = lk_http_loop_current();
    struct hub *hub = lk_http_loop_data(loop);
    for (lk_sub_t *s = hub->buckets[bucket_of(ev->topic)], *next; s; s = next) {
        next = s->next; /* s may go away while sending */
        if (strcmp(s->topic, ev->topic) != 0)
            continue;
        if (closes(s, ev)) {
            if (s->ws)
                lk_http_ws_close(s->ws); /* on_close frees s */
            else
                s->must_close = true;
            continue;
        }
        if (s->ws == NULL || s->draining) {
            atomic_fetch_add(&ev->refs, 1);
            s->pending = lk_xrealloc(s->pending, (s->n_pending + 1) * sizeof *s->pending);
            s->pending[s->n_pending++] = ev;
        } else {
            size_t len;
            const char *json = view_of(s, ev, &len);
            if (json)
                sub_send(s, json, len, ev->seq);
        }
    }
    lk_event_release(ev);
}

void lk_hub_restate(lk_job_t *job, const lk_conv_t *conv)
{
    for (size_t i = 0; i < job->n_events; i++) {
        lk_event_t *ev = job->events[i];
        if (strcmp(ev->conv_id, conv->id) == 0 && strcmp(ev->topic, LK_TOPIC_AGENTS) == 0) {
            ev->conv_status = conv->status;
            snprintf(ev->assigned_to, sizeof ev->assigned_to, "%s", conv->assigned_to);
        }
    }
}

void lk_hub_close_streams(lk_job_t *job, const char *user_id, const char *session_hash)
{
    lk_event_t *ev = lk_event_new(LK_TOPIC_AGENTS, 0, lk_xstrdup(""));
    if (user_id)
        snprintf(ev->close_user, sizeof ev->close_user, "%s", user_id);
    if (session_hash)
        snprintf(ev->close_session, sizeof ev->close_session, "%s", session_hash);
    lk_job_add_event(job, ev);
}

void lk_hub_sub_set_viewer(lk_sub_t *sub, const char *user_id, const char *session_hash, bool sees_all)
{
    if (sub->session[0])
        session_closed(sub->session);
    snprintf(sub->viewer, sizeof sub->viewer, "%s", user_id);
    snprintf(sub->session, sizeof sub->session, "%s", session_hash ? session_hash : "");
    sub->sees_all = sees_all;
    if (sub->session[0])
        session_opened(sub->session);
}

/* Events of topics without their own numbering (the agents' stream) are
 * numbered here; only the writer thread publishes, so in commit order. */
static atomic_llong stream_seq;

void lk_hub_publish(lk_http_server_t *http, lk_event_t *ev)
{
    if (ev->seq == 0)
        ev->seq = (int64_t)atomic_fetch_add(&stream_seq, 1) + 1;
    size_t n = lk_http_server_loop_count(http);
    for (size_t i = 0; i < n; i++) {
        atomic_fetch_add(&ev->refs, 1);
        lk_http_loop_call(lk_http_server_loop(http, i), deliver, ev);
    }
    lk_event_release(ev);
}

void lk_hub_init_loops(lk_http_server_t *http)
{
    size_t n = lk_http_server_loop_count(http);
    for (size_t i = 0; i < n; i++)
        lk_http_loop_set_data(lk_http_server_loop(http, i), lk_xcalloc(1, sizeof(struct hub)));
}

void lk_hub_free_loops(lk_http_server_t *http)
{
    size_t n = lk_http_server_loop_count(http);
    for (size_t i = 0; i < n; i++) {
        lk_http_loop_t *loop = lk_http_server_loop(http, i);
        struct hub *hub = lk_http_loop_data(loop);
        if (!hub)
            continue;
        for (size_t b = 0; b < BUCKETS; b++)
            for (lk_sub_t *s = hub->buckets[b], *next; s; s = next) {
                next = s->next;
                sub_free(s);
            }
        free(hub);
        lk_http_loop_set_data(loop, NULL);
    }
}

lk_sub_t *lk_hub_sub_new(lk_http_loop_t *loop, const char *topic, int64_t after_seq)
{
    struct hub *hub = lk_http_loop_data(loop);
    lk_sub_t *s = lk_xcalloc(1, sizeof *s);
    s->hub = hub;
    snprintf(s->topic, sizeof s->topic, "%s", topic);
    s->last_seq = after_seq;
    size_t b = bucket_of(topic);
    s->next = hub->buckets[b];
    if (s->next)
        s->next->prev = s;
    hub->buckets[b] = s;
    return s;
}

void lk_hub_sub_cancel(lk_sub_t *sub)
{
    sub_unlink(sub);
    sub_free(sub);
}

static void on_ws_close(lk_ws_t *ws, void *ud)
{
    lk_hub_sub_cancel(ud);
}

/* Sends what sub owes its WebSocket, the backlog and then what arrived
 * meanwhile, as long as the socket has room (lk_http_ws_busy), and goes
 * live when all is out; else asks to be called again (on_ws_drain) once the
 * peer has read some. A backlog larger than ws_queue_max thus goes out at
 * the pace the peer reads it, instead of closing the socket. */
static void sub_pump(lk_sub_t *s)
{
    while (s->next_backlog < s->n_backlog) {
        if (lk_http_ws_busy(s->ws)) {
            lk_http_ws_when_drained(s->ws);
            return;
        }
        size_t i = s->next_backlog++;
        if (!sub_send(s, s->backlog[i], strlen(s->backlog[i]), s->backlog_seq[i]))
            return; /* closing; on_ws_close frees s (maybe already has) */
    }
    while (s->next_pending < s->n_pending) {
        if (lk_http_ws_busy(s->ws)) {
            lk_http_ws_when_drained(s->ws);
            return;
        }
        lk_event_t *ev = s->pending[s->next_pending++];
        size_t len;
        const char *json = view_of(s, ev, &len);
        if (json && !sub_send(s, json, len, ev->seq))
            return;
    }
    sub_drop_owed(s);
    s->draining = false;
}

static void on_ws_drain(lk_ws_t *ws, void *ud)
{
    (void)ws;
    sub_pump(ud);
}

void lk_hub_sub_attach(lk_sub_t *sub, lk_ws_t *ws, int64_t after_seq, char **backlog_json, int64_t *backlog_seq,
                       size_t n)
{
    sub->ws = ws;
    sub->backlog = backlog_json;
    sub->backlog_seq = backlog_seq;
    sub->n_backlog = n;
    sub->draining = true;
    if (after_seq > sub->last_seq)
        sub->last_seq = after_seq;
    /* a logout while the stream was being set up (its viewer is known now) */
    for (size_t i = 0; i < sub->n_pending && !sub->must_close; i++)
        sub->must_close = closes(sub, sub->pending[i]);
    if (sub->must_close) {
        lk_http_ws_close(ws); /* on_close frees sub */
        return;
    }
    sub_pump(sub);
}

const lk_ws_callbacks_t lk_hub_ws_callbacks = {on_ws_close, NULL, NULL, on_ws_drain};
