/*
 * The conversation engine's one entry point (conv.h): an event in, the
 * policy's step on the stored state, its actions carried out durably
 * through the store, and the messages and events to publish out. The policy
 * decides (pure); this file observes what it needs to know (the customer's
 * words through the NLU, agents online, the queue, recent waits) and writes
 * the result: the messages it asks for (numbered with the conversation's
 * next seq), the hand-off, call-back requests, the customer message's
 * outcome and topic, the identifiers in it, and the new state.
 */
#include "conv/conv.h"
#include "privacy/privacy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MODULE "conv"
#define RECENT_CUSTOMER 5 /* earlier customer messages the NLU's repeat signal looks at */

/* ---- results -------------------------------------------------------------- */

void lk_conv_result_free(lk_conv_result_t *r)
{
    if (!r)
        return;
    lk_msgs_free(r->msgs, r->n_msgs);
    for (size_t i = 0; i < r->n_events; i++)
        free(r->events[i].agents_text);
    free(r->events);
    memset(r, 0, sizeof *r);
}

static void emit(lk_conv_result_t *out, lk_conv_out_t ev)
{
    out->events = lk_xrealloc(out->events, (out->n_events + 1) * sizeof *out->events);
    out->events[out->n_events++] = ev;
}

/* Stores m (its strings taken in every case) as the conversation's next
 * message: a new id, conv's id, conv->next_seq (then incremented); appended
 * to out->msgs with its LK_CONV_OUT_MESSAGE event (a customer's text scanned
 * for a BSN once, here: the event's agents_text). */
static int store_msg(lk_store_t *st, lk_conv_t *conv, lk_msg_t *m, lk_conv_result_t *out)
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
    out->msgs = lk_xrealloc(out->msgs, (out->n_msgs + 1) * sizeof *out->msgs);
    out->msgs[out->n_msgs] = *m; /* the array takes over m's strings */
    memset(m, 0, sizeof *m);
    const lk_msg_t *stored = &out->msgs[out->n_msgs];
    char *agents_text = stored->sender == LK_SENDER_CUSTOMER && stored->text
                            ? lk_pii_mask_kind(stored->text, strlen(stored->text), LK_PII_BSN)
                            : NULL;
    emit(out, (lk_conv_out_t){.type = LK_CONV_OUT_MESSAGE, .msg = out->n_msgs, .agents_text = agents_text});
    out->n_msgs++;
    return 0;
}

static int refuse(lk_conv_result_t *out, lk_conv_refusal_t why, int rc)
{
    out->refused = why;
    return rc;
}

/* ---- people and the queue -------------------------------------------------- */

void lk_conv_people_read(lk_store_t *st, int64_t now, lk_conv_people_t *out)
{
    int64_t n_agents = -1;
    if (lk_store_session_count_users(st, now, &n_agents) != 0)
        n_agents = -1;
    int64_t *waits = NULL;
    size_t n = 0;
    if (lk_store_recent_waits(st, now - LK_WAIT_WINDOW_MS, LK_WAIT_MAX_SAMPLES, &waits, &n) != 0)
        n = 0;
    if (n > LK_WAIT_MAX_SAMPLES)
        n = LK_WAIT_MAX_SAMPLES;
    if (n)
        memcpy(out->waits, waits, n * sizeof *waits);
    free(waits);
    out->n_waits = n;
    out->agents_online = n_agents;
}

void lk_conv_queue_env(const lk_conv_engine_t *eng, lk_store_t *st, const lk_conv_t *conv, int64_t now,
                       lk_policy_env_t *env)
{
    int64_t position = 0, queued = 0;
    if (conv->status == LK_CONV_QUEUED)
        lk_store_conv_queue_position(st, conv->id, &position);
    if (position == 0 && lk_store_conv_count_queued(st, &queued) == 0)
        position = queued + 1; /* where it would stand if it joined now */
    lk_conv_people_t people;
    if (eng && eng->people)
        eng->people(eng->people_ud, st, now, &people);
    else
        lk_conv_people_read(st, now, &people);
    lk_analytics_wait_t est;
    lk_analytics_wait_estimate(people.waits, people.n_waits, position, &est);
    env->now_ms = now;
    env->agents_online = people.agents_online > INT32_MAX ? INT32_MAX : (int)people.agents_online;
    env->queue_length = position > 0 ? position - 1 : -1;
    env->est_wait_s = est.known ? est.min_s : -1;
    env->est_wait_max_s = est.known ? est.max_s : -1;
}

/* ---- what a customer message was ------------------------------------------- */

/* What the bot made of a customer's message (docs/gaps.md), read off the
 * policy's actions: PERSON ("none") when a person had the conversation
 * (queued or assigned before the step), else HANDOFF when the step handed
 * over (for any reason, even after answering part of it), ANSWERED with the
 * first quoted article (also the answer to a pick of one of the bot's
 * choices, then without a confidence), CLARIFY when the bot offered choices
 * instead of answering, DECLINED, or REPLY for a reply that is neither
 * (hello, thanks, yes/no, "are you a bot?"). article/confidence: the
 * answer's, else the NLU's best match; NULL / -1 when none. */
static lk_outcome_t outcome_of(lk_conv_status_t before, const lk_policy_event_t *ev, const lk_policy_actions_t *actions,
                               const lk_kb_t *kb, const char **article, double *confidence)
{
    *article = NULL;
    *confidence = -1;
    if (before == LK_CONV_QUEUED || before == LK_CONV_ASSIGNED)
        return LK_OUTCOME_PERSON;
    const lk_policy_action_t *answer = NULL;
    bool handoff = false, decline = false, offer = false;
    for (size_t i = 0; i < actions->n; i++) {
        const lk_policy_action_t *a = &actions->items[i];
        if (a->type == LK_ACTION_HANDOFF)
            handoff = true;
        else if (a->type == LK_ACTION_SAY && a->kind == LK_SAY_ANSWER && !answer)
            answer = a;
        else if (a->type == LK_ACTION_SAY && a->kind == LK_SAY_DECLINE)
            decline = true;
        else if (a->type == LK_ACTION_SAY && a->kind == LK_SAY_CHOICES)
            offer = true;
    }
    if (answer && !handoff && answer->article >= 0 && (size_t)answer->article < kb->n_articles) {
        *article = kb->articles[answer->article].id;
        *confidence = answer->chosen ? -1 : answer->confidence;
        return LK_OUTCOME_ANSWERED;
    }
    const lk_nlu_reading_t *r = ev->reading;
    if (r && r->n_top > 0 && r->top[0].article >= 0 && (size_t)r->top[0].article < kb->n_articles) {
        *article = kb->articles[r->top[0].article].id;
        *confidence = r->top[0].confidence;
    }
    return handoff ? LK_OUTCOME_HANDOFF : offer ? LK_OUTCOME_CLARIFY : decline ? LK_OUTCOME_DECLINED : LK_OUTCOME_REPLY;
}

/* The articles a SAY offers as choices, with their titles (issue 15). */
static void msg_choices(lk_msg_t *m, const lk_policy_action_t *a, const lk_kb_t *kb)
{
    if (a->kind != LK_SAY_CHOICES || a->n_choices == 0)
        return;
    m->choices = lk_xcalloc(a->n_choices, sizeof *m->choices);
    for (size_t i = 0; i < a->n_choices && i < LK_NLU_TOP_K; i++) {
        long k = a->choices[i];
        if (k < 0 || (size_t)k >= kb->n_articles)
            continue;
        const lk_article_t *art = &kb->articles[k];
        m->choices[m->n_choices].article_id = lk_xstrdup(art->id);
        m->choices[m->n_choices].title = lk_xstrdup(art->title && *art->title ? art->title : art->id);
        m->n_choices++;
    }
}

/* The topic of the conversation from this customer message, or NULL when it
 * asks nothing of its own (small talk, a bare yes/no/thanks or request for a
 * person): the title of the article the bot answered with, else the
 * message's first words (masked). free(). */
static char *topic_of(const lk_conv_engine_t *eng, const lk_conv_t *conv, const lk_msg_t *customer,
                      const lk_policy_event_t *ev, const lk_kb_t *kb)
{
    if (!customer->text || customer->outcome == LK_OUTCOME_REPLY)
        return NULL;
    lk_policy_config_t defaults;
    const lk_policy_config_t *cfg = eng->policy;
    if (!cfg) {
        lk_policy_config_default(&defaults);
        cfg = &defaults;
    }
    const lk_nlu_reading_t *reading = ev->reading;
    lk_assist_conv_t cv = {.conv = conv,
                           .msgs = customer,
                           .n_msgs = 1,
                           .readings = &reading,
                           .kb = kb,
                           .person_min = cfg->person_request_min,
                           .negative_min = cfg->negative_min};
    if (lk_assist_is_filler(&cv, 0))
        return NULL;
    const char *title = NULL;
    if (customer->outcome == LK_OUTCOME_ANSWERED && customer->outcome_article_id)
        for (size_t i = 0; i < kb->n_articles && !title; i++)
            if (strcmp(kb->articles[i].id, customer->outcome_article_id) == 0)
                title = kb->articles[i].title;
    return lk_assist_topic(customer->text, strlen(customer->text), title);
}

/* Records the e-mail addresses and phone numbers in the customer's message
 * (normalised) as the conversation's identifiers, so that a data-subject
 * request by that address or number finds it (docs/privacy.md). */
static int identifiers_of(lk_store_t *st, const lk_conv_t *conv, const lk_msg_t *m, int64_t now)
{
    if (!m->text)
        return 0;
    size_t len = strlen(m->text);
    lk_pii_span_t local[16];
    size_t ns = lk_pii_detect(m->text, len, local, sizeof local / sizeof *local);
    if (ns > sizeof local / sizeof *local)
        ns = sizeof local / sizeof *local; /* a message with more than 16 findings: the first 16 */
    int rc = 0;
    for (size_t i = 0; i < ns && rc == 0; i++) {
        if (local[i].kind != LK_PII_EMAIL && local[i].kind != LK_PII_PHONE)
            continue;
        char norm[LK_PII_NORM_MAX];
        if (lk_pii_normalise(local[i].kind, m->text + local[i].start, local[i].len, norm, sizeof norm) == 0)
            rc = lk_store_conv_identifier_add(st, conv->id, lk_pii_kind_name(local[i].kind), norm, now);
    }
    return rc;
}

/* A system message in conv's language (Dutch, else English). */
static int say_system(lk_store_t *st, lk_conv_t *conv, char *text /* taken */, int64_t now, lk_conv_result_t *out)
{
    lk_msg_t m = {0};
    m.sender = LK_SENDER_SYSTEM;
    m.automated = true;
    m.text = text;
    m.created_at = now;
    return store_msg(st, conv, &m, out);
}

/* The bot's word after a customer typed a BSN: not to share it here. */
static int say_no_bsn(lk_store_t *st, lk_conv_t *conv, int64_t now, lk_conv_result_t *out)
{
    return say_system(st, conv,
                      lk_xstrdup(strcmp(conv->language, "nl") == 0
                                     ? "Deel je burgerservicenummer (BSN) liever niet in de chat: we hebben het hier "
                                       "niet nodig. Onze medewerkers zien het afgeschermd."
                                     : "Please do not share your citizen service number (BSN) in the chat: we do not "
                                       "need it here. Our staff see it masked."),
                      now, out);
}

/* The customer's message, stored once the policy has decided, before the
 * bot's reply, with its outcome, and what follows from it: the identifiers
 * in it, the conversation's topic, the word about a BSN. */
static int store_customer(const lk_conv_engine_t *eng, lk_store_t *st, lk_conv_t *conv, lk_msg_t *customer,
                          lk_conv_status_t before, const lk_policy_event_t *ev, const lk_policy_actions_t *actions,
                          int64_t now, lk_conv_result_t *out)
{
    const lk_kb_t *kb = &eng->bot->kb;
    const char *article;
    double confidence;
    lk_outcome_t outcome = outcome_of(before, ev, actions, kb, &article, &confidence);
    customer->outcome = outcome;
    free(customer->outcome_article_id);
    customer->outcome_article_id = article ? lk_xstrdup(article) : NULL;
    customer->outcome_confidence = confidence;
    customer->has_outcome_confidence = confidence >= 0;
    char *topic = conv->topic ? NULL : topic_of(eng, conv, customer, ev, kb);
    int rc = identifiers_of(st, conv, customer, now);
    if (rc == 0)
        rc = store_msg(st, conv, customer, out);
    else
        lk_msg_clear(customer);
    /* store_msg scanned the text for a BSN: masked for the agents */
    bool bsn = rc == 0 && out->events[out->n_events - 1].agents_text != NULL;
    if (rc == 0)
        emit(out, (lk_conv_out_t){.type = LK_CONV_OUT_TURN, .outcome = outcome}); /* store_msg took customer */
    if (rc == 0 && topic) {
        rc = lk_store_conv_set_topic(st, conv->id, topic, NULL);
        if (rc == 0) {
            conv->topic = topic;
            topic = NULL;
        }
    }
    free(topic);
    if (rc == 0 && bsn)
        rc = say_no_bsn(st, conv, now, out);
    return rc;
}

static int store_callback(lk_store_t *st, const lk_conv_t *conv, const char *contact, const char *text, int64_t now)
{
    lk_callback_t cb = {0};
    lk_rand_id("cb_", cb.id, sizeof cb.id);
    snprintf(cb.conversation_id, sizeof cb.conversation_id, "%s", conv->id);
    cb.contact = contact ? (char *)contact : "";
    cb.text = text ? (char *)text : "";
    cb.status = LK_CALLBACK_OPEN;
    cb.created_at = now;
    int rc = lk_store_callback_insert(st, &cb);
    if (rc == 0)
        rc = lk_store_audit(st, now, "customer", "callback.request", conv->id, NULL);
    return rc;
}

/* ---- the step --------------------------------------------------------------- */

/* One policy step on conv; customer (not yet stored, strings taken in every
 * case) is the customer's message of an LK_EV_MESSAGE; joining (NULL: none)
 * the agent an LK_EV_AGENT_JOINS assigns it to, also from another agent. */
static int step(const lk_conv_engine_t *eng, lk_store_t *st, lk_conv_t *conv, const lk_policy_event_t *ev,
                lk_msg_t *customer, const char *joining, int64_t now, lk_conv_result_t *out)
{
    const lk_kb_t *kb = &eng->bot->kb;
    lk_policy_state_t state, next;
    if (lk_policy_state_decode(conv->policy_state, &state) != 0)
        lk_policy_state_init(&state, conv->language);
    /* the row is the truth for what is also queryable */
    state.status = conv->status;
    state.handoff_reason = conv->handoff_reason;
    snprintf(state.language, sizeof state.language, "%s", conv->language);
    char old_assigned[LK_ID_MAX];
    snprintf(old_assigned, sizeof old_assigned, "%s", conv->assigned_to);
    if (joining) {
        snprintf(conv->assigned_to, sizeof conv->assigned_to, "%s", joining);
        conv->assigned_at = now;
    }

    lk_policy_env_t env = {.kb = kb};
    lk_conv_queue_env(eng, st, conv, now, &env);
    lk_policy_actions_t actions = {NULL, 0};
    int rc = lk_policy_step(eng->policy, &state, ev, &env, &next, &actions);
    if (rc) {
        lk_msg_clear(customer);
        return rc;
    }
    if (customer)
        rc = store_customer(eng, st, conv, customer, state.status, ev, &actions, now, out);

    bool handed_off = false;
    for (size_t i = 0; i < actions.n && rc == 0; i++) {
        lk_policy_action_t *a = &actions.items[i];
        if (a->type == LK_ACTION_SAY) {
            lk_msg_t m = {0};
            m.sender = a->sender; /* BOT or SYSTEM */
            m.automated = true;
            m.text = a->text;
            a->text = NULL;
            m.created_at = now;
            if (a->article >= 0 && (size_t)a->article < kb->n_articles) {
                m.article_id = lk_xstrdup(kb->articles[a->article].id);
                m.chosen = a->chosen; /* the customer's pick: no confidence of the NLU's */
                m.confidence = a->chosen ? 0 : a->confidence;
                m.has_confidence = !a->chosen;
            }
            msg_choices(&m, a, kb);
            rc = store_msg(st, conv, &m, out);
        } else if (a->type == LK_ACTION_HANDOFF) {
            handed_off = true;
            conv->queued_at = now;
            emit(out, (lk_conv_out_t){.type = LK_CONV_OUT_HANDOFF, .reason = a->reason});
            rc = lk_store_audit(st, now, "system", "conversation.handoff", conv->id, lk_handoff_reason_name(a->reason));
        } else if (a->type == LK_ACTION_CALLBACK_REQUEST) {
            rc = store_callback(st, conv, a->contact, a->text, now);
        }
    }
    lk_policy_actions_free(&actions);
    if (rc)
        return rc;

    lk_conv_status_t old_status = state.status;
    conv->status = next.status;
    conv->handoff_reason = next.handoff_reason;
    snprintf(conv->language, sizeof conv->language, "%s", next.language);
    if (next.status == LK_CONV_BOT && old_status == LK_CONV_CLOSED) { /* reopened: starts fresh */
        conv->closed_at = 0;
        conv->queued_at = 0;
        conv->assigned_at = 0;
        conv->assigned_to[0] = '\0';
        free(conv->disposition);
        conv->disposition = NULL;
    }
    if (next.status == LK_CONV_QUEUED && old_status != LK_CONV_QUEUED && !handed_off)
        conv->queued_at = now; /* back in the queue (an agent released it) */
    if (next.status == LK_CONV_QUEUED) {
        conv->assigned_to[0] = '\0';
        conv->assigned_at = 0;
    }
    free(conv->policy_state);
    conv->policy_state = lk_policy_state_encode(&next);
    conv->updated_at = now;
    rc = lk_store_conv_update(st, conv);
    if (rc == 0 && next.status == LK_CONV_ASSIGNED && old_status == LK_CONV_QUEUED)
        emit(out, (lk_conv_out_t){.type = LK_CONV_OUT_WAIT_ENDED});
    if (rc == 0 && (next.status != old_status || strcmp(old_assigned, conv->assigned_to) != 0))
        emit(out, (lk_conv_out_t){.type = LK_CONV_OUT_CONVERSATION});
    return rc;
}

/* ---- the customer's message ---------------------------------------------------- */

/* A message that asks several questions: reads each (lk_nlu_split) into
 * parts[] / readings[]; returns how many (0: one question, read as a whole). */
static size_t read_parts(const lk_nlu_model_t *nlu, const char *text, const lk_nlu_context_t *ctx,
                         lk_policy_part_t parts[LK_NLU_SPLIT_MAX], lk_nlu_reading_t readings[LK_NLU_SPLIT_MAX])
{
    lk_nlu_span_t spans[LK_NLU_SPLIT_MAX];
    size_t n = lk_nlu_split(text, strlen(text), spans, LK_NLU_SPLIT_MAX);
    if (n < 2)
        return 0;
    for (size_t i = 0; i < n; i++) {
        parts[i] = (lk_policy_part_t){text + spans[i].off, spans[i].len, &readings[i]};
        /* a span ends at a character boundary (the splitter cuts at ASCII) */
        if (lk_nlu_read(nlu, parts[i].text, parts[i].len, ctx, &readings[i]) != 0)
            return 0;
    }
    return n;
}

/* The pick of an article from the bot's choices (issue 15): it must be one
 * the conversation's last choice message offered, and still in the
 * knowledge base. 0 with *k its index in the bot's knowledge base. */
static int check_choice(const lk_conv_engine_t *eng, lk_store_t *st, const lk_conv_t *c, const char *choice, long *k,
                        lk_conv_result_t *out)
{
    lk_msg_t offer = {0};
    int rc = lk_store_msg_last_choices(st, c->id, &offer);
    if (rc && rc != LK_ENOENT)
        return rc;
    bool offered = false;
    for (size_t i = 0; rc == 0 && i < offer.n_choices && !offered; i++)
        offered = strcmp(offer.choices[i].article_id, choice) == 0;
    lk_msg_clear(&offer);
    if (!offered)
        return refuse(out, LK_CONV_REFUSED_CHOICE, LK_EINVAL);
    *k = lk_kb_find(&eng->bot->kb, choice);
    if (*k < 0)
        return refuse(out, LK_CONV_REFUSED_CHOICE_GONE, LK_ESTATE);
    return 0;
}

static int customer_message(const lk_conv_engine_t *eng, lk_store_t *st, lk_conv_t *c, const lk_conv_event_t *ev,
                            int64_t now, lk_conv_result_t *out)
{
    const char *text = ev->text;
    if (!text)
        return refuse(out, LK_CONV_REFUSED_EVENT, LK_EINVAL);
    long choice = -1;
    int rc = 0;
    if (ev->choice && (rc = check_choice(eng, st, c, ev->choice, &choice, out)) != 0)
        return rc;
    /* what the customer said before, for the NLU's repeat signal */
    char **prev = NULL;
    size_t n_prev = 0;
    rc = lk_store_msg_texts_recent(st, c->id, LK_SENDER_CUSTOMER, RECENT_CUSTOMER, &prev, &n_prev);
    if (rc)
        return rc;
    lk_nlu_context_t ctx = {(const char *const *)prev, n_prev, c->language};
    lk_nlu_reading_t reading;
    rc = lk_nlu_read(eng->bot->nlu, text, strlen(text), &ctx, &reading);
    lk_policy_part_t parts[LK_NLU_SPLIT_MAX];
    lk_nlu_reading_t part_readings[LK_NLU_SPLIT_MAX];
    size_t n_parts = rc == 0 && choice < 0 ? read_parts(eng->bot->nlu, text, &ctx, parts, part_readings) : 0;
    if (rc == 0) {
        lk_msg_t m = {0}; /* stored by the step, with its outcome */
        m.sender = LK_SENDER_CUSTOMER;
        m.automated = false;
        m.text = lk_xstrdup(text);
        m.created_at = now;
        lk_policy_event_t pev = {.type = LK_EV_MESSAGE,
                                 .text = text,
                                 .len = strlen(text),
                                 .reading = &reading,
                                 .chosen = choice >= 0,
                                 .choice = choice,
                                 .parts = n_parts ? parts : NULL,
                                 .n_parts = n_parts};
        rc = step(eng, st, c, &pev, &m, NULL, now, out);
    }
    lk_strv_free(prev, n_prev);
    return rc;
}

/* "No" in the conversation's language: the "did this help?" button's "no"
 * is read as the customer saying it, so the policy counts it as a failure
 * and offers a person. */
static const char *no_word(const char *lang)
{
    static const char *const words[][2] = {{"nl", "Nee"}, {"en", "No"}, {"de", "Nein"}, {"fr", "Non"}};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcmp(lang, words[i][0]) == 0)
            return words[i][1];
    return "No";
}

/* ---- the other events ------------------------------------------------------------ */

/* The waiting customer's call-back request: stored for the agents with a
 * confirmation in the conversation, which stays in the queue; the policy
 * hears of it through its state (no further call-back hint). Only while
 * queued: with the bot the person button comes first, with a person there
 * is nobody to call back. */
static int callback_request(lk_store_t *st, lk_conv_t *c, const lk_conv_event_t *ev, int64_t now, lk_conv_result_t *out)
{
    if (c->status != LK_CONV_QUEUED)
        return refuse(out, LK_CONV_REFUSED_NOT_QUEUED, LK_ESTATE);
    if (!ev->contact || !*ev->contact)
        return refuse(out, LK_CONV_REFUSED_EVENT, LK_EINVAL);
    int rc = store_callback(st, c, ev->contact, ev->text, now);
    lk_policy_state_t ps;
    if (rc == 0 && lk_policy_state_decode(c->policy_state, &ps) == 0) {
        ps.callbacks++;
        ps.callback_hinted = true;
        free(c->policy_state);
        c->policy_state = lk_policy_state_encode(&ps);
    }
    if (rc == 0) {
        bool en = strcmp(c->language, "en") == 0;
        lk_buf_t b;
        lk_buf_init(&b, SIZE_MAX);
        lk_buf_printf(&b,
                      en ? "Thank you. Our team will contact you at %s. Your conversation also stays in the queue: "
                           "if a person is free before then, they will answer you here."
                         : "Dank je. Een medewerker neemt contact met je op via %s. Je gesprek blijft ook in de "
                           "wachtrij staan: is er eerder iemand vrij, dan krijg je hier antwoord.",
                      ev->contact);
        rc = say_system(st, c, lk_buf_steal(&b, NULL), now, out);
    }
    if (rc == 0) {
        c->updated_at = now;
        rc = lk_store_conv_update(st, c);
    }
    return rc;
}

/* The assigned agent's reply: stored as it is; the bot stays silent. */
static int agent_writes(lk_store_t *st, lk_conv_t *c, const lk_conv_event_t *ev, int64_t now, lk_conv_result_t *out)
{
    if (!ev->msg)
        return refuse(out, LK_CONV_REFUSED_EVENT, LK_EINVAL);
    if (c->status != LK_CONV_ASSIGNED || !ev->agent_id || strcmp(c->assigned_to, ev->agent_id) != 0) {
        lk_msg_clear(ev->msg);
        return refuse(out, LK_CONV_REFUSED_NOT_YOURS, LK_ESTATE);
    }
    int rc = store_msg(st, c, ev->msg, out);
    if (rc == 0) {
        c->updated_at = now;
        rc = lk_store_conv_update(st, c);
    }
    return rc;
}

int lk_conv_apply(const lk_conv_engine_t *eng, lk_store_t *st, lk_conv_t *conv, const lk_conv_event_t *ev, int64_t now,
                  lk_conv_result_t *out)
{
    if (!eng || !eng->bot) {
        if (ev->type == LK_CONV_AGENT_WRITES && ev->msg)
            lk_msg_clear(ev->msg);
        return refuse(out, LK_CONV_REFUSED_EVENT, LK_EINVAL);
    }
    lk_policy_event_t pev = {0};
    switch (ev->type) {
    case LK_CONV_MESSAGE:
        return customer_message(eng, st, conv, ev, now, out);
    case LK_CONV_NOT_HELPED: {
        if (conv->status != LK_CONV_BOT)
            return 0; /* a person has it (or it is closed): the answer is only recorded */
        lk_conv_event_t no = {.type = LK_CONV_MESSAGE, .text = no_word(conv->language)};
        return customer_message(eng, st, conv, &no, now, out);
    }
    case LK_CONV_CALLBACK:
        return callback_request(st, conv, ev, now, out);
    case LK_CONV_AGENT_WRITES:
        return agent_writes(st, conv, ev, now, out);
    case LK_CONV_START:
        pev.type = LK_EV_START;
        break;
    case LK_CONV_PERSON:
        pev.type = LK_EV_BUTTON;
        break;
    case LK_CONV_AGENT_JOINS:
        pev.type = LK_EV_AGENT_JOINS;
        pev.agent_name = ev->agent_name;
        return step(eng, st, conv, &pev, NULL, ev->agent_id, now, out);
    case LK_CONV_AGENT_LEAVES:
        pev.type = LK_EV_AGENT_LEAVES;
        break;
    case LK_CONV_CLOSE:
        pev.type = LK_EV_CLOSE;
        break;
    case LK_CONV_TICK:
        pev.type = LK_EV_TICK;
        break;
    default:
        return refuse(out, LK_CONV_REFUSED_EVENT, LK_EINVAL);
    }
    return step(eng, st, conv, &pev, NULL, NULL, now, out);
}
