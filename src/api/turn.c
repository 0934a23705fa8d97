/*
 * The HTTP layer's side of the conversation engine (src/conv/, conv.h): runs
 * lk_conv_apply inside a writer job with the current bot and the server's
 * cache of people figures, and turns its result into what the server
 * publishes after the commit: each message to the conversation's stream and
 * (a customer's BSN masked) to the agents' stream, every change of a
 * conversation's status or assignment to every agent, the metrics of turns,
 * decisions and hand-offs.
 */
#include "api/api_int.h"

#include <stdlib.h>
#include <string.h>

#define MODULE "turn"

static void server_engine(struct lk_app *app, const lk_bot_t *bot, lk_conv_engine_t *eng)
{
    *eng = (lk_conv_engine_t){.policy = &app->policy, .bot = bot, .people = lk_queue_people};
}

/* {"type": type, type: payload} for the agents' stream, around a payload
 * already in JSON text (a message's, dumped once for both streams). */
static void publish_agents_text(lk_job_t *job, const lk_conv_t *conv, const char *type, const char *payload,
                                const json_t *brief_of)
{
    lk_buf_t out;
    lk_buf_init(&out, SIZE_MAX);
    /* without a limit only an allocation can fail, and that aborts;
     * type is one of ours, without quotes. The payload (a whole message)
     * is appended as it is, not through printf's %s, which would measure
     * and copy it byte by byte (docs/performance.md, "Instructions per turn"). */
    lk_buf_printf(&out, "{\"type\":\"%s\",\"%s\":", type, type);
    lk_buf_append_cstr(&out, payload);
    lk_buf_append(&out, "}", 1);
    lk_event_t *ev = lk_event_new(LK_TOPIC_AGENTS, 0, lk_buf_steal(&out, NULL));
    ev->everyone = !conv || strcmp(type, "conversation") == 0;
    if (conv && ev->everyone && brief_of) {
        json_t *b = json_object();
        static const char *const keep[] = {"id", "status", "assigned_to", "updated_at"};
        for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
            json_t *v = json_object_get(brief_of, keep[i]);
            if (v)
                json_object_set(b, keep[i], v);
        }
        json_t *bo = json_pack("{s:s, s:o}", "type", type, type, b);
        ev->brief = lk_json_dump(bo, &ev->brief_len);
        json_decref(bo);
    }
    if (conv) {
        snprintf(ev->conv_id, sizeof ev->conv_id, "%s", conv->id);
        ev->conv_status = conv->status;
        snprintf(ev->assigned_to, sizeof ev->assigned_to, "%s", conv->assigned_to);
    }
    lk_job_add_event(job, ev);
}

void lk_publish_agents(lk_job_t *job, const lk_conv_t *conv, const char *type, json_t *payload)
{
    char *text = lk_json_dump(payload, NULL);
    publish_agents_text(job, conv, type, text, payload);
    free(text);
    json_decref(payload);
}

/* A stored message to the conversation's stream and the agents' stream;
 * returns its JSON (the caller's reference). agents_text: the engine's
 * masked text for the agents (lk_conv_out_t), NULL for none. */
static json_t *publish_msg(lk_job_t *job, const lk_conv_t *conv, const lk_msg_t *m, const char *agents_text)
{
    json_t *j = lk_json_msg(m);
    char *text = lk_json_dump(j, NULL);
    lk_job_add_event(job, lk_event_new(conv->id, m->seq, text)); /* the event holds text until published */
    /* agents see a customer's BSN masked until they reveal it (audited) */
    if (agents_text) {
        lk_msg_t view = *m;
        view.text = (char *)agents_text;
        view.masked = true;
        json_t *mj = lk_json_msg(&view);
        char *mt = lk_json_dump(mj, NULL);
        json_decref(mj);
        publish_agents_text(job, conv, "message", mt, NULL);
        free(mt);
    } else {
        publish_agents_text(job, conv, "message", text, NULL);
    }
    return j;
}

/* msgs (NULL: not wanted) gets the JSON of the result's messages, in their
 * order (the engine emits one MESSAGE event per stored message, as it
 * stores them). */
static void publish(lk_store_t *st, lk_job_t *job, const lk_conv_t *conv, const lk_conv_result_t *r, int64_t now,
                    json_t *msgs)
{
    for (size_t i = 0; i < r->n_events; i++) {
        const lk_conv_out_t *e = &r->events[i];
        switch (e->type) {
        case LK_CONV_OUT_MESSAGE: {
            json_t *m = publish_msg(job, conv, &r->msgs[e->msg], e->agents_text);
            if (msgs)
                json_array_append_new(msgs, m);
            else
                json_decref(m);
            break;
        }
        case LK_CONV_OUT_TURN:
            lk_metrics_turn();
            lk_metrics_decision(e->outcome);
            break;
        case LK_CONV_OUT_HANDOFF:
            lk_metrics_handoff(e->reason);
            break;
        case LK_CONV_OUT_WAIT_ENDED:
            lk_queue_stats_invalidate(); /* a new real wait: the next estimate counts it */
            break;
        case LK_CONV_OUT_CONVERSATION:
            lk_publish_agents(job, conv, "conversation", lk_json_conv_agent(st, conv, NULL, 0, now));
            break;
        }
    }
    lk_hub_restate(job, conv); /* the turn's messages go to whom the conversation now belongs */
}

int lk_turn_run(struct lk_app *app, lk_store_t *st, lk_job_t *job, lk_conv_t *conv, const lk_conv_event_t *ev,
                const lk_bot_t *bot, int64_t now, lk_conv_result_t *out, json_t **msgs)
{
    lk_conv_engine_t eng;
    server_engine(app, bot, &eng);
    int rc = lk_conv_apply(&eng, st, conv, ev, now, out);
    if (rc == 0) {
        if (msgs)
            *msgs = json_array();
        publish(st, job, conv, out, now, msgs ? *msgs : NULL);
    }
    return rc;
}
