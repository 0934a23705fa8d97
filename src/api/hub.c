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
 */
#include "api/api_int.h"

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
};

struct hub {
    lk_sub_t *buckets[BUCKETS];
};

static size_t bucket_of(const char *topic)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)topic; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h % BUCKETS;
}

lk_event_t *lk_event_new(const char *topic, int64_t seq, char *json)
{
    lk_event_t *ev = lk_xcalloc(1, sizeof *ev);
    atomic_init(&ev->refs, 1);
    snprintf(ev->topic, sizeof ev->topic, "%s", topic);
    ev->seq = seq;
    ev->json = json;
    ev->len = strlen(json);
    return ev;
}

void lk_event_release(lk_event_t *ev)
{
    if (ev && atomic_fetch_sub(&ev->refs, 1) == 1) {
        free(ev->json);
        free(ev);
    }
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

static void sub_free(lk_sub_t *s)
{
    for (size_t i = 0; i < s->n_pending; i++)
        lk_event_release(s->pending[i]);
    free(s->pending);
    free(s);
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
        if (s->ws == NULL) {
            atomic_fetch_add(&ev->refs, 1);
            s->pending = lk_xrealloc(s->pending, (s->n_pending + 1) * sizeof *s->pending);
            s->pending[s->n_pending++] = ev;
        } else {
            sub_send(s, ev->json, ev->len, ev->seq);
        }
    }
    lk_event_release(ev);
}

/* Events of topics without their own numbering (the agents' stream) are
 * numbered here; only the writer thread publishes, so in commit order. */
static atomic_llong stream_seq;

void lk_hub_publish(struct lk_app *app, lk_event_t *ev)
{
    if (ev->seq == 0)
        ev->seq = (int64_t)atomic_fetch_add(&stream_seq, 1) + 1;
    size_t n = lk_http_server_loop_count(app->http);
    for (size_t i = 0; i < n; i++) {
        atomic_fetch_add(&ev->refs, 1);
        lk_http_loop_call(lk_http_server_loop(app->http, i), deliver, ev);
    }
    lk_event_release(ev);
}

void lk_hub_init_loops(struct lk_app *app)
{
    size_t n = lk_http_server_loop_count(app->http);
    for (size_t i = 0; i < n; i++)
        lk_http_loop_set_data(lk_http_server_loop(app->http, i), lk_xcalloc(1, sizeof(struct hub)));
}

void lk_hub_free_loops(struct lk_app *app)
{
    size_t n = lk_http_server_loop_count(app->http);
    for (size_t i = 0; i < n; i++) {
        lk_http_loop_t *loop = lk_http_server_loop(app->http, i);
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

void lk_hub_sub_attach(lk_sub_t *sub, lk_ws_t *ws, int64_t after_seq, char **backlog_json, const int64_t *backlog_seq,
                       size_t n)
{
    sub->ws = ws;
    if (after_seq > sub->last_seq)
        sub->last_seq = after_seq;
    bool open = true;
    for (size_t i = 0; i < n && open; i++)
        open = sub_send(sub, backlog_json[i], strlen(backlog_json[i]), backlog_seq[i]);
    /* sub is freed by on_ws_close if the socket closed while sending */
    if (!open)
        return;
    for (size_t i = 0; i < sub->n_pending; i++) {
        lk_event_t *ev = sub->pending[i];
        if (open)
            open = sub_send(sub, ev->json, ev->len, ev->seq);
        if (!open)
            return; /* sub (and its pending list) are gone */
    }
    for (size_t i = 0; i < sub->n_pending; i++)
        lk_event_release(sub->pending[i]);
    free(sub->pending);
    sub->pending = NULL;
    sub->n_pending = 0;
}

const lk_ws_callbacks_t lk_hub_ws_callbacks = {on_ws_close, NULL};
