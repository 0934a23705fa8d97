/*
 * JSON out of the API: conversations, messages and users as CONTRACT.md
 * shows them. (Answers, error bodies and the strict reading of request
 * bodies are respond.c's.)
 */
#include "api/api_int.h"
#include "assist/assist.h"
#include "privacy/privacy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_t *lk_json_time(int64_t ms)
{
    if (ms <= 0)
        return json_null();
    char ts[LK_RFC3339_LEN];
    lk_time_rfc3339(ms, ts);
    return json_string(ts);
}

json_t *lk_json_msg(const lk_msg_t *m)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", json_string(m->id));
    json_object_set_new(j, "conversation_id", json_string(m->conversation_id));
    json_object_set_new(j, "seq", json_integer(m->seq));
    json_object_set_new(j, "sender", json_string(lk_sender_name(m->sender)));
    json_object_set_new(j, "automated", json_boolean(m->automated));
    json_object_set_new(j, "text", json_string(m->text ? m->text : ""));
    json_object_set_new(j, "created_at", lk_json_time(m->created_at));
    if (m->article_id)
        json_object_set_new(j, "article_id", json_string(m->article_id));
    if (m->has_confidence)
        json_object_set_new(j, "confidence", json_real(m->confidence));
    if (m->author_name)
        json_object_set_new(j, "author_name", json_string(m->author_name));
    if (m->n_choices > 0) { /* CONTRACT.md, "Choices" */
        json_t *arr = json_array();
        for (size_t i = 0; i < m->n_choices; i++)
            json_array_append_new(
                arr, json_pack("{s:s, s:s}", "article_id", m->choices[i].article_id, "title", m->choices[i].title));
        json_object_set_new(j, "choices", arr);
    }
    if (m->chosen)
        json_object_set_new(j, "chosen", json_true());
    if (m->masked)
        json_object_set_new(j, "masked", json_true());
    return j;
}

/* Where an agent's message came from, and what the bot made of a
 * customer's message (docs/gaps.md); agents' views only. */
static void add_provenance(json_t *j, const lk_msg_t *m)
{
    if (m->sender == LK_SENDER_CUSTOMER && m->outcome != LK_OUTCOME_NONE)
        json_object_set_new(j, "outcome", json_string(lk_outcome_name(m->outcome)));
    if (m->sender != LK_SENDER_AGENT)
        return;
    json_object_set_new(j, "provenance", json_string(m->provenance ? lk_provenance_name(m->provenance) : "human"));
    if (m->suggestion_article_id)
        json_object_set_new(j, "suggestion_article_id", json_string(m->suggestion_article_id));
}

void lk_api_mask_msgs(lk_msg_t *msgs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (msgs[i].sender != LK_SENDER_CUSTOMER || !msgs[i].text)
            continue;
        char *masked = lk_pii_mask_kind(msgs[i].text, strlen(msgs[i].text), LK_PII_BSN);
        if (!masked)
            continue;
        free(msgs[i].text);
        msgs[i].text = masked;
        msgs[i].masked = true;
    }
}

json_t *lk_json_msg_agent(const lk_msg_t *m)
{
    json_t *j = lk_json_msg(m);
    add_provenance(j, m);
    return j;
}

json_t *lk_json_conv(const lk_conv_t *c, const lk_msg_t *msgs, size_t n_msgs)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", json_string(c->id));
    json_object_set_new(j, "status", json_string(lk_conv_status_name(c->status)));
    json_object_set_new(j, "language", json_string(c->language));
    json_object_set_new(j, "handoff_reason",
                        c->handoff_reason != LK_HANDOFF_NONE ? json_string(lk_handoff_reason_name(c->handoff_reason))
                                                             : json_null());
    json_object_set_new(j, "queue_position", json_null()); /* lk_json_conv_customer fills it */
    json_object_set_new(j, "created_at", lk_json_time(c->created_at));
    json_object_set_new(j, "updated_at", lk_json_time(c->updated_at));
    if (c->rating > 0)
        json_object_set_new(j, "rating", json_integer(c->rating));
    if (msgs) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n_msgs; i++)
            json_array_append_new(arr, lk_json_msg(&msgs[i]));
        json_object_set_new(j, "messages", arr);
    }
    return j;
}

static void set_time(json_t *o, const char *key, int64_t ms)
{
    if (ms > 0)
        json_object_set_new(o, key, lk_json_time(ms));
}

/* Queue position, whether people are there, and the wait estimate of a
 * queued conversation. people_available is what the policy last told the
 * customer (its state's "away": outside business hours or nobody online);
 * then there is no estimate, as past waits say nothing about when someone
 * comes back. The estimate is a range (docs/widget.md): no figures until
 * there are enough recent waits. */
static void add_queue(lk_store_t *st, json_t *o, const lk_conv_t *c, int64_t now)
{
    int64_t pos = 0;
    if (c->status == LK_CONV_QUEUED)
        lk_store_conv_queue_position(st, c->id, &pos);
    json_object_set_new(o, "queue_position", pos > 0 ? json_integer(pos) : json_null());
    if (pos > 0) {
        lk_policy_state_t ps;
        bool away = lk_policy_state_decode(c->policy_state, &ps) == 0 && ps.away;
        lk_analytics_wait_t est = {false, 0, 0};
        if (!away)
            lk_queue_estimate(st, pos, now, &est);
        json_object_set_new(o, "people_available", json_boolean(!away));
        json_object_set_new(o, "estimated_wait_seconds", est.known ? json_integer(est.max_s) : json_null());
        json_object_set_new(o, "estimated_wait_min_seconds", est.known ? json_integer(est.min_s) : json_null());
        json_object_set_new(o, "estimated_wait_max_seconds", est.known ? json_integer(est.max_s) : json_null());
    }
}

json_t *lk_json_conv_customer(lk_store_t *st, const lk_conv_t *c, const lk_msg_t *msgs, size_t n, int64_t now)
{
    json_t *o = lk_json_conv(c, msgs, n);
    add_queue(st, o, c, now);
    if (c->status == LK_CONV_ASSIGNED && c->assigned_to[0]) {
        lk_user_t u = {0};
        if (lk_store_user_get(st, c->assigned_to, &u) == 0)
            json_object_set_new(o, "agent_name", json_string(u.display_name ? u.display_name : ""));
        lk_user_clear(&u);
    }
    return o;
}

json_t *lk_json_conv_agent(lk_store_t *st, const lk_conv_t *c, const lk_msg_t *msgs, size_t n, int64_t now)
{
    json_t *o = lk_json_conv_customer(st, c, msgs, n, now);
    json_t *arr = json_object_get(o, "messages");
    for (size_t i = 0; arr && i < n && i < json_array_size(arr); i++)
        add_provenance(json_array_get(arr, i), &msgs[i]);
    json_object_set_new(o, "assigned_to", c->assigned_to[0] ? json_string(c->assigned_to) : json_null());
    /* what the console calls it: the customer, else their first question's topic (issue 14) */
    const char *title = lk_assist_title(c);
    json_object_set_new(o, "title", title ? json_string(title) : json_null());
    json_object_set_new(o, "topic", c->topic ? json_string(c->topic) : json_null());
    set_time(o, "queued_at", c->queued_at);
    set_time(o, "assigned_at", c->assigned_at);
    set_time(o, "closed_at", c->closed_at);
    if (c->status == LK_CONV_QUEUED && c->queued_at > 0)
        json_object_set_new(o, "waiting_seconds", json_integer((now - c->queued_at) / 1000));
    if (c->disposition)
        json_object_set_new(o, "disposition", json_string(c->disposition));
    if (c->rating_comment)
        json_object_set_new(o, "rating_comment", json_string(c->rating_comment));
    return o;
}


json_t *lk_json_user(const lk_user_t *u, bool with_state)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "id", u->id, "email", u->email, "role", lk_role_name(u->role), "display_name",
                          u->display_name ? u->display_name : u->email);
    if (with_state)
        json_object_set_new(o, "disabled", json_boolean(u->disabled));
    return o;
}
