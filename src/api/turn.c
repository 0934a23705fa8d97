/*
 * One policy step applied to a stored conversation, inside a writer job: the
 * policy decides (pure), this file carries out its actions durably: the
 * messages it asks for (numbered with the conversation's next seq and queued
 * for the WebSocket hub), the hand-off, and the new state.
 */
#include "api/api_int.h"

#include <stdlib.h>
#include <string.h>

#define MODULE "turn"

int lk_turn_store_msg(lk_store_t *st, lk_job_t *job, lk_conv_t *conv, lk_msg_t *m, lk_msg_t **msgs, size_t *n_msgs)
{
    lk_rand_id("m_", m->id, sizeof m->id);
    snprintf(m->conversation_id, sizeof m->conversation_id, "%s", conv->id);
    m->seq = conv->next_seq;
    int rc = lk_store_msg_insert(st, m);
    if (rc) {
        lk_msg_clear(m);
        return rc;
    }
    conv->next_seq++;
    json_t *j = lk_json_msg(m);
    lk_job_add_event(job, lk_event_new(conv->id, m->seq, lk_json_dump(j, NULL)));
    json_decref(j);
    *msgs = lk_xrealloc(*msgs, (*n_msgs + 1) * sizeof **msgs);
    (*msgs)[(*n_msgs)++] = *m; /* the array takes over m's strings */
    memset(m, 0, sizeof *m);
    return 0;
}

static int64_t queued_count(lk_store_t *st)
{
    lk_conv_t *q = NULL;
    size_t n = 0;
    if (lk_store_conv_list_queued(st, 100000, &q, &n) != 0)
        return 0;
    lk_convs_free(q, n);
    return (int64_t)n;
}

int lk_turn_apply(struct lk_app *app, lk_store_t *st, lk_job_t *job, lk_conv_t *conv, const lk_policy_event_t *ev,
                  const lk_bot_t *bot, int64_t now, lk_msg_t **msgs, size_t *n_msgs)
{
    lk_policy_state_t state, next;
    if (lk_policy_state_decode(conv->policy_state, &state) != 0)
        lk_policy_state_init(&state, conv->language);
    /* the row is the truth for what is also queryable */
    lk_conv_status_parse(conv->status, &state.status);
    lk_handoff_reason_parse(conv->handoff_reason, &state.handoff_reason);
    snprintf(state.language, sizeof state.language, "%s", conv->language);

    int64_t position = 0;
    if (state.status == LK_CONV_QUEUED)
        lk_store_conv_queue_position(st, conv->id, &position);
    lk_policy_env_t env = {
        .now_ms = now,
        .agents_online = 1, /* presence of agents arrives with the console */
        .queue_length = position > 0 ? position - 1 : queued_count(st),
        .est_wait_s = -1,
        .kb = &bot->kb,
    };
    lk_policy_actions_t actions = {NULL, 0};
    int rc = lk_policy_step(&app->policy, &state, ev, &env, &next, &actions);
    if (rc)
        return rc;

    for (size_t i = 0; i < actions.n && rc == 0; i++) {
        lk_policy_action_t *a = &actions.items[i];
        if (a->type == LK_ACTION_SAY) {
            lk_msg_t m = {0};
            snprintf(m.sender, sizeof m.sender, "%s", a->sender);
            m.automated = true;
            m.text = a->text;
            a->text = NULL;
            m.created_at = now;
            if (a->article >= 0 && (size_t)a->article < bot->kb.n_articles) {
                m.article_id = lk_xstrdup(bot->kb.articles[a->article].id);
                m.confidence = a->confidence;
                m.has_confidence = true;
            }
            rc = lk_turn_store_msg(st, job, conv, &m, msgs, n_msgs);
        } else if (a->type == LK_ACTION_HANDOFF) {
            conv->queued_at = now;
            snprintf(conv->handoff_reason, sizeof conv->handoff_reason, "%s", lk_handoff_reason_name(a->reason));
            lk_store_audit(st, now, "system", "conversation.handoff", conv->id, lk_handoff_reason_name(a->reason));
        }
    }
    lk_policy_actions_free(&actions);
    if (rc)
        return rc;

    lk_conv_status_t old_status = state.status;
    snprintf(conv->status, sizeof conv->status, "%s", lk_conv_status_name(next.status));
    snprintf(conv->handoff_reason, sizeof conv->handoff_reason, "%s", lk_handoff_reason_name(next.handoff_reason));
    snprintf(conv->language, sizeof conv->language, "%s", next.language);
    if (next.status == LK_CONV_BOT && old_status == LK_CONV_CLOSED) { /* reopened: starts fresh */
        conv->closed_at = 0;
        conv->queued_at = 0;
        conv->assigned_at = 0;
        conv->assigned_to[0] = '\0';
        free(conv->disposition);
        conv->disposition = NULL;
    }
    if (next.status == LK_CONV_QUEUED && old_status != LK_CONV_QUEUED && conv->queued_at != now)
        conv->queued_at = now;
    free(conv->policy_state);
    conv->policy_state = lk_policy_state_encode(&next);
    conv->updated_at = now;
    return lk_store_conv_update(st, conv);
}
