/*
 * The compliance report's findings (docs/analytics.md, "The compliance
 * report"): whether every conversation opened with the disclosure that the
 * assistant is automated, which bot messages were not labelled automated,
 * every request for a person and whether a person replied, runs of two or
 * more declines and what followed them, and the call-back requests, after
 * hours or not.
 *
 * Pure: the caller streams the store's rows into the lk_analytics_compliance_*
 * callbacks (their signatures are the store's) and passes the texts the
 * policy says; no I/O, no clock. The handler turns the result into JSON.
 */
#include "analytics/analytics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lk_analytics_ids_add(lk_analytics_ids_t *l, const char *id)
{
    if (l->count++ >= LK_ANALYTICS_LIST_MAX)
        return;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->v = lk_xrealloc(l->v, l->cap * sizeof *l->v);
    }
    snprintf(l->v[l->n++], LK_ID_MAX, "%s", id);
}

void lk_analytics_ids_free(lk_analytics_ids_t *l)
{
    free(l->v);
    memset(l, 0, sizeof *l);
}

void lk_analytics_compliance_init(lk_analytics_compliance_t *r, char *const *greetings, char *const *declines,
                                  size_t n_texts)
{
    memset(r, 0, sizeof *r);
    r->greetings = greetings;
    r->declines = declines;
    r->n_texts = n_texts;
    r->offered = true;
}

static bool is_one_of(char *const *texts, size_t n, const char *s)
{
    for (size_t i = 0; s && i < n; i++)
        if (texts[i] && strcmp(texts[i], s) == 0)
            return true;
    return false;
}

int lk_analytics_compliance_conv(const lk_conv_facts_t *c, void *ud)
{
    lk_analytics_compliance_t *r = ud;
    if (r->n_convs == r->cap_convs) {
        r->cap_convs = r->cap_convs ? 2 * r->cap_convs : 256;
        r->convs = lk_xrealloc(r->convs, r->cap_convs * sizeof *r->convs);
    }
    r->convs[r->n_convs] = *c;
    r->convs[r->n_convs].customer_email = NULL; /* not needed here */
    r->convs[r->n_convs].customer_external_id = NULL;
    lk_analytics_intern(&r->conv_ids, c->id);
    r->n_convs++;
    return 0;
}

int lk_analytics_compliance_first(const lk_report_msg_t *m, void *ud)
{
    lk_analytics_compliance_t *r = ud;
    lk_analytics_ids_add(&r->disclosed_all, m->conversation_id);
    bool ok = m->id[0] && m->sender == LK_SENDER_BOT && m->automated && is_one_of(r->greetings, r->n_texts, m->text);
    lk_analytics_ids_add(ok ? &r->disclosed : &r->undisclosed, m->conversation_id);
    return 0;
}

int lk_analytics_compliance_unlabelled(const lk_report_msg_t *m, void *ud)
{
    lk_analytics_compliance_t *r = ud;
    if (r->unlabelled_count++ >= LK_ANALYTICS_LIST_MAX)
        return 0;
    if (r->n_unlabelled == r->cap_unlabelled) {
        r->cap_unlabelled = r->cap_unlabelled ? 2 * r->cap_unlabelled : 64;
        r->unlabelled = lk_xrealloc(r->unlabelled, r->cap_unlabelled * sizeof *r->unlabelled);
    }
    lk_analytics_msg_ref_t *x = &r->unlabelled[r->n_unlabelled++];
    snprintf(x->conversation_id, sizeof x->conversation_id, "%s", m->conversation_id);
    snprintf(x->message_id, sizeof x->message_id, "%s", m->id);
    x->sender = m->sender;
    return 0;
}

const lk_conv_facts_t *lk_analytics_compliance_find(const lk_analytics_compliance_t *r, const char *conversation_id)
{
    long ix = lk_analytics_intern_find(&r->conv_ids, conversation_id);
    return ix >= 0 ? &r->convs[ix] : NULL;
}

/* Ends the run of declines being read: recorded when it has two or more. */
static void run_end(lk_analytics_compliance_t *r, const char *followed_by)
{
    if (r->await_reply)
        r->offered = false; /* the bot said nothing to the last declined question */
    if (r->run >= 2) {
        const lk_conv_facts_t *c = lk_analytics_compliance_find(r, r->conv);
        bool handed = c && c->queued_at >= r->run_at;
        if (r->n_runs == r->cap_runs) {
            r->cap_runs = r->cap_runs ? 2 * r->cap_runs : 16;
            r->runs = lk_xrealloc(r->runs, r->cap_runs * sizeof *r->runs);
        }
        lk_analytics_decline_run_t *x = &r->runs[r->n_runs++];
        memset(x, 0, sizeof *x);
        snprintf(x->conversation_id, sizeof x->conversation_id, "%s", r->conv);
        snprintf(x->first_message_id, sizeof x->first_message_id, "%s", r->run_first);
        x->declines = r->run;
        x->at = r->run_at;
        x->handoff_offered = r->offered;
        x->followed_by = followed_by;
        x->handed_off = handed;
        if (handed)
            x->handoff_reason = c->handoff_reason;
        x->person_reached = handed && c->first_agent_after_queue > 0;
        x->closed = c && c->status == LK_CONV_CLOSED;
        lk_analytics_ids_add(&r->run_ids, r->conv);
    }
    r->run = 0;
    r->offered = true;
    r->await_reply = false;
}

int lk_analytics_compliance_decline(const lk_report_msg_t *m, void *ud)
{
    lk_analytics_compliance_t *r = ud;
    if (strcmp(r->conv, m->conversation_id) != 0) {
        if (r->conv[0])
            run_end(r, "nothing");
        snprintf(r->conv, sizeof r->conv, "%s", m->conversation_id);
    }
    if (r->await_reply) {
        /* the message after a declined question must be the bot's decline,
         * which offers a person */
        if (m->sender == LK_SENDER_CUSTOMER || !is_one_of(r->declines, r->n_texts, m->text))
            r->offered = false;
        r->await_reply = false;
    }
    if (m->sender != LK_SENDER_CUSTOMER)
        return 0;
    if (m->outcome == LK_OUTCOME_DECLINED) {
        if (r->run == 0) {
            snprintf(r->run_first, sizeof r->run_first, "%s", m->id);
            r->run_at = m->created_at;
        }
        r->run++;
        r->await_reply = true;
        return 0;
    }
    if (r->run == 0)
        return 0;
    if (m->outcome == LK_OUTCOME_HANDOFF) {
        /* the failure that handed over (repeated_failure) is a decline too */
        const lk_conv_facts_t *c = lk_analytics_compliance_find(r, r->conv);
        if (c && c->handoff_reason == LK_HANDOFF_REPEATED_FAILURE)
            r->run++;
        run_end(r, "handoff");
    } else if (m->outcome == LK_OUTCOME_ANSWERED) {
        run_end(r, "answered");
    } else if (m->outcome != LK_OUTCOME_NONE) {
        run_end(r, m->outcome == LK_OUTCOME_PERSON ? "person" : "reply");
    }
    return 0;
}

bool lk_analytics_person_request(const lk_conv_facts_t *c)
{
    return c->handoff_reason == LK_HANDOFF_CUSTOMER_REQUEST || c->handoff_reason == LK_HANDOFF_BUTTON;
}

bool lk_analytics_person_request_met(const lk_conv_facts_t *c)
{
    return c->queued_at > 0 && c->first_agent_after_queue >= c->queued_at;
}

void lk_analytics_compliance_finish(lk_analytics_compliance_t *r, const lk_callback_t *cbs, size_t n_cbs,
                                    const lk_policy_config_t *hours)
{
    if (r->conv[0])
        run_end(r, "nothing");
    r->conv[0] = '\0';
    /* every request for a person: the customer asked (in words or with the button) */
    for (size_t i = 0; i < r->n_convs; i++) {
        const lk_conv_facts_t *c = &r->convs[i];
        if (!lk_analytics_person_request(c))
            continue;
        r->requests++;
        bool ok = lk_analytics_person_request_met(c);
        r->requests_met += ok;
        if (ok)
            lk_analytics_list_add(&r->reply_waits, c->first_agent_after_queue - c->queued_at);
        if (c->queued_at > 0 && c->assigned_at >= c->queued_at)
            lk_analytics_list_add(&r->assign_waits, c->assigned_at - c->queued_at);
        if (r->n_request_items < LK_ANALYTICS_LIST_MAX) {
            if (r->n_request_items == r->cap_request_items) {
                r->cap_request_items = r->cap_request_items ? 2 * r->cap_request_items : 64;
                r->request_items = lk_xrealloc(r->request_items, r->cap_request_items * sizeof *r->request_items);
            }
            r->request_items[r->n_request_items++] = i;
        }
    }
    lk_analytics_sort(r->reply_waits.v, r->reply_waits.n);
    lk_analytics_sort(r->assign_waits.v, r->assign_waits.n);
    /* call-back requests (left when no person was there), after hours or not */
    free(r->callback_after_hours);
    r->callback_after_hours = lk_xcalloc(n_cbs ? n_cbs : 1, sizeof *r->callback_after_hours);
    r->n_callbacks = n_cbs;
    for (size_t i = 0; i < n_cbs; i++) {
        const lk_callback_t *cb = &cbs[i];
        bool closed_hours = !lk_policy_open_at(hours, cb->created_at);
        r->callback_after_hours[i] = closed_hours;
        r->callbacks_after_hours += closed_hours;
        bool done = cb->handled_at > 0;
        r->callbacks_handled += done;
        if (done && cb->handled_at >= cb->created_at)
            lk_analytics_list_add(&r->callback_handling, cb->handled_at - cb->created_at);
    }
    lk_analytics_sort(r->callback_handling.v, r->callback_handling.n);
}

void lk_analytics_compliance_free(lk_analytics_compliance_t *r)
{
    free(r->convs);
    lk_analytics_intern_free(&r->conv_ids);
    lk_analytics_ids_free(&r->disclosed_all);
    lk_analytics_ids_free(&r->disclosed);
    lk_analytics_ids_free(&r->undisclosed);
    free(r->unlabelled);
    free(r->runs);
    lk_analytics_ids_free(&r->run_ids);
    free(r->request_items);
    lk_analytics_list_free(&r->reply_waits);
    lk_analytics_list_free(&r->assign_waits);
    free(r->callback_after_hours);
    lk_analytics_list_free(&r->callback_handling);
    memset(r, 0, sizeof *r);
}
