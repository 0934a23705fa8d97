/*
 * One policy step applied to a stored conversation, inside a writer job: the
 * policy decides (pure), this file observes what it needs to know (agents
 * online, queue, recent waits) and carries out its actions durably: the
 * messages it asks for (numbered with the conversation's next seq and queued
 * for the WebSocket hub), the hand-off, call-back requests, and the new state.
 * Every change of a conversation's status or assignment is also published to
 * the agents' stream.
 */
#include "api/api_int.h"
#include "assist/assist.h"
#include "privacy/privacy.h"

#include <stdlib.h>
#include <string.h>

#define MODULE "turn"

/* How many agents are online and the recent real waits change slowly, but
 * every turn asks for them: they are read from the database at most once a
 * second, and shared by all threads. (One server has one database, so one
 * cache per process is enough.) The estimate itself is pure
 * (lk_analytics_wait_estimate: how many samples, which window, the range). */
#define STATS_TTL_MS 1000

static struct {
    pthread_mutex_t mu;
    int64_t at;
    int64_t agents_online;
    int64_t waits[LK_WAIT_MAX_SAMPLES]; /* ms, the most recent first */
    size_t n_waits;
} stats = {PTHREAD_MUTEX_INITIALIZER, 0, -1, {0}, 0};

/* Reads the figures into the cache when it is stale; call with stats.mu held. */
static void refresh_stats(lk_store_t *st, int64_t now)
{
    if (stats.at != 0 && now - stats.at < STATS_TTL_MS && now >= stats.at)
        return;
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
        memcpy(stats.waits, waits, n * sizeof *waits);
    free(waits);
    stats.n_waits = n;
    stats.at = now;
    stats.agents_online = n_agents;
}

void lk_queue_stats_invalidate(void)
{
    pthread_mutex_lock(&stats.mu);
    stats.at = 0;
    pthread_mutex_unlock(&stats.mu);
}

void lk_queue_estimate(lk_store_t *st, int64_t position, int64_t now, lk_analytics_wait_t *out)
{
    pthread_mutex_lock(&stats.mu);
    refresh_stats(st, now);
    lk_analytics_wait_estimate(stats.waits, stats.n_waits, position, out);
    pthread_mutex_unlock(&stats.mu);
}

void lk_queue_env(lk_store_t *st, const lk_conv_t *conv, int64_t now, lk_policy_env_t *env)
{
    int64_t position = 0, queued = 0;
    if (conv->status == LK_CONV_QUEUED)
        lk_store_conv_queue_position(st, conv->id, &position);
    if (position == 0 && lk_store_conv_count_queued(st, &queued) == 0)
        position = queued + 1; /* where it would stand if it joined now */
    lk_analytics_wait_t est;
    pthread_mutex_lock(&stats.mu);
    refresh_stats(st, now);
    int64_t agents = stats.agents_online;
    lk_analytics_wait_estimate(stats.waits, stats.n_waits, position, &est);
    pthread_mutex_unlock(&stats.mu);
    env->now_ms = now;
    env->agents_online = agents > INT32_MAX ? INT32_MAX : (int)agents;
    env->queue_length = position > 0 ? position - 1 : -1;
    env->est_wait_s = est.known ? est.min_s : -1;
    env->est_wait_max_s = est.known ? est.max_s : -1;
}

/* {"type": type, type: payload} for the agents' stream, around a payload
 * already in JSON text (a message's, dumped once for both streams). */
static void publish_agents_text(lk_job_t *job, const lk_conv_t *conv, const char *type, const char *payload,
                                const json_t *brief_of)
{
    lk_buf_t out;
    lk_buf_init(&out, SIZE_MAX);
    /* without a limit only an allocation can fail, and that aborts;
     * type is one of ours, without quotes */
    lk_buf_printf(&out, "{\"type\":\"%s\",\"%s\":%s}", type, type, payload);
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
        snprintf(ev->conv_status, sizeof ev->conv_status, "%s", lk_conv_status_name(conv->status));
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
    char *text = lk_json_dump(j, NULL);
    json_decref(j);
    lk_job_add_event(job, lk_event_new(conv->id, m->seq, text)); /* the event holds text until published */
    /* agents see a customer's BSN masked until they reveal it (audited) */
    char *masked = strcmp(m->sender, "customer") == 0 && m->text ? lk_pii_mask_kind(m->text, strlen(m->text), LK_PII_BSN)
                                                                  : NULL;
    if (masked) {
        lk_msg_t view = *m;
        view.text = masked;
        view.masked = true;
        json_t *mj = lk_json_msg(&view);
        char *mt = lk_json_dump(mj, NULL);
        json_decref(mj);
        publish_agents_text(job, conv, "message", mt, NULL);
        free(mt);
        free(masked);
    } else {
        publish_agents_text(job, conv, "message", text, NULL);
    }
    *msgs = lk_xrealloc(*msgs, (*n_msgs + 1) * sizeof **msgs);
    (*msgs)[(*n_msgs)++] = *m; /* the array takes over m's strings */
    memset(m, 0, sizeof *m);
    return 0;
}

static int store_callback(lk_store_t *st, const lk_conv_t *conv, const lk_policy_action_t *a, int64_t now)
{
    lk_callback_t cb = {0};
    lk_rand_id("cb_", cb.id, sizeof cb.id);
    snprintf(cb.conversation_id, sizeof cb.conversation_id, "%s", conv->id);
    cb.contact = a->contact ? a->contact : "";
    cb.text = a->text ? a->text : "";
    cb.status = LK_CALLBACK_OPEN;
    cb.created_at = now;
    int rc = lk_store_callback_insert(st, &cb);
    if (rc == 0)
        rc = lk_store_audit(st, now, "customer", "callback.request", conv->id, NULL);
    return rc;
}

/* What the bot made of a customer's message (docs/gaps.md), read off the
 * policy's actions: "none" when a person had the conversation (queued or
 * assigned before the step), else "handoff" when the step handed over (for
 * any reason, even after answering part of it), "answered" with the first
 * quoted article (also the answer to a pick of one of the bot's choices,
 * then without a confidence), "clarify" when the bot offered choices
 * instead of answering, "declined", or "reply" for a reply that is neither
 * (hello, thanks, yes/no, "are you a bot?"). article/confidence: the
 * answer's, else the NLU's best match; NULL / -1 when none. */
static const char *outcome_of(lk_conv_status_t before, const lk_policy_event_t *ev, const lk_policy_actions_t *actions,
                              const lk_kb_t *kb, const char **article, double *confidence)
{
    *article = NULL;
    *confidence = -1;
    if (before == LK_CONV_QUEUED || before == LK_CONV_ASSIGNED)
        return "none";
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
        return "answered";
    }
    const lk_nlu_reading_t *r = ev->reading;
    if (r && r->n_top > 0 && r->top[0].article >= 0 && (size_t)r->top[0].article < kb->n_articles) {
        *article = kb->articles[r->top[0].article].id;
        *confidence = r->top[0].confidence;
    }
    return handoff ? "handoff" : offer ? "clarify" : decline ? "declined" : "reply";
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

/* ---- issue 14: topic, identifiers, BSN ------------------------------------ */

/* The topic of the conversation from this customer message, or NULL when it
 * asks nothing of its own (small talk, a bare yes/no/thanks or request for a
 * person): the title of the article the bot answered with, else the
 * message's first words (masked). free(). */
static char *topic_of(struct lk_app *app, const lk_conv_t *conv, const lk_msg_t *customer,
                      const lk_policy_event_t *ev, const char *outcome, const lk_kb_t *kb)
{
    if (!customer->text || strcmp(outcome, "reply") == 0)
        return NULL;
    const lk_nlu_reading_t *reading = ev->reading;
    lk_assist_conv_t cv = {.conv = conv, .msgs = customer, .n_msgs = 1, .readings = &reading, .kb = kb,
                           .person_min = app->policy.person_request_min, .negative_min = app->policy.negative_min};
    if (lk_assist_is_filler(&cv, 0))
        return NULL;
    const char *title = NULL;
    if (strcmp(outcome, "answered") == 0 && customer->outcome_article_id)
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

/* The bot's word after a customer typed a BSN: not to share it here. */
static int say_no_bsn(lk_store_t *st, lk_job_t *job, lk_conv_t *conv, int64_t now, lk_msg_t **msgs, size_t *n_msgs)
{
    lk_msg_t m = {0};
    snprintf(m.sender, sizeof m.sender, "%s", "system");
    m.automated = true;
    m.text = lk_xstrdup(strcmp(conv->language, "nl") == 0
                            ? "Deel je burgerservicenummer (BSN) liever niet in de chat: we hebben het hier niet "
                              "nodig. Onze medewerkers zien het afgeschermd."
                            : "Please do not share your citizen service number (BSN) in the chat: we do not need it "
                              "here. Our staff see it masked.");
    m.created_at = now;
    return lk_turn_store_msg(st, job, conv, &m, msgs, n_msgs);
}

int lk_turn_apply(struct lk_app *app, lk_store_t *st, lk_job_t *job, lk_conv_t *conv, const lk_policy_event_t *ev,
                  const lk_bot_t *bot, int64_t now, lk_msg_t **msgs, size_t *n_msgs)
{
    return lk_turn_apply_customer(app, st, job, conv, ev, bot, now, NULL, msgs, n_msgs);
}

int lk_turn_apply_customer(struct lk_app *app, lk_store_t *st, lk_job_t *job, lk_conv_t *conv,
                           const lk_policy_event_t *ev, const lk_bot_t *bot, int64_t now, lk_msg_t *customer,
                           lk_msg_t **msgs, size_t *n_msgs)
{
    lk_policy_state_t state, next;
    if (lk_policy_state_decode(conv->policy_state, &state) != 0)
        lk_policy_state_init(&state, conv->language);
    /* the row is the truth for what is also queryable */
    state.status = conv->status;
    lk_handoff_reason_parse(conv->handoff_reason, &state.handoff_reason);
    snprintf(state.language, sizeof state.language, "%s", conv->language);
    char old_assigned[LK_ID_MAX];
    snprintf(old_assigned, sizeof old_assigned, "%s", conv->assigned_to);

    lk_policy_env_t env = {.kb = &bot->kb};
    lk_queue_env(st, conv, now, &env);
    lk_policy_actions_t actions = {NULL, 0};
    int rc = lk_policy_step(&app->policy, &state, ev, &env, &next, &actions);
    if (rc) {
        lk_msg_clear(customer);
        return rc;
    }

    if (customer) { /* stored once, with its outcome, before the bot's reply */
        const char *article;
        double confidence;
        const char *outcome = outcome_of(state.status, ev, &actions, &bot->kb, &article, &confidence);
        snprintf(customer->outcome, sizeof customer->outcome, "%s", outcome);
        free(customer->outcome_article_id);
        customer->outcome_article_id = article ? lk_xstrdup(article) : NULL;
        customer->outcome_confidence = confidence;
        customer->has_outcome_confidence = confidence >= 0;
        char *topic = conv->topic ? NULL : topic_of(app, conv, customer, ev, outcome, &bot->kb);
        char *bsn_masked = customer->text ? lk_pii_mask_kind(customer->text, strlen(customer->text), LK_PII_BSN) : NULL;
        bool bsn = bsn_masked != NULL;
        free(bsn_masked);
        rc = identifiers_of(st, conv, customer, now);
        if (rc == 0)
            rc = lk_turn_store_msg(st, job, conv, customer, msgs, n_msgs);
        if (rc == 0) {
            lk_metrics_turn();
            lk_metrics_decision(outcome);
        }
        if (rc == 0 && topic) {
            rc = lk_store_conv_set_topic(st, conv->id, topic, NULL);
            if (rc == 0) {
                conv->topic = topic;
                topic = NULL;
            }
        }
        free(topic);
        if (rc == 0 && bsn)
            rc = say_no_bsn(st, job, conv, now, msgs, n_msgs);
    }

    bool handed_off = false;
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
                m.chosen = a->chosen; /* the customer's pick: no confidence of the NLU's */
                m.confidence = a->chosen ? 0 : a->confidence;
                m.has_confidence = !a->chosen;
            }
            msg_choices(&m, a, &bot->kb);
            rc = lk_turn_store_msg(st, job, conv, &m, msgs, n_msgs);
        } else if (a->type == LK_ACTION_HANDOFF) {
            handed_off = true;
            conv->queued_at = now;
            lk_metrics_handoff(a->reason);
            rc = lk_store_audit(st, now, "system", "conversation.handoff", conv->id,
                                lk_handoff_reason_name(a->reason));
        } else if (a->type == LK_ACTION_CALLBACK_REQUEST) {
            rc = store_callback(st, conv, a, now);
        }
    }
    lk_policy_actions_free(&actions);
    if (rc)
        return rc;

    lk_conv_status_t old_status = state.status;
    conv->status = next.status;
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
        lk_queue_stats_invalidate(); /* a new real wait: the next estimate counts it */
    if (rc == 0 && (next.status != old_status || strcmp(old_assigned, conv->assigned_to) != 0))
        lk_publish_agents(job, conv, "conversation", lk_json_conv_agent(st, conv, NULL, 0, now));
    if (rc == 0)
        lk_hub_restate(job, conv); /* the turn's messages go to whom the conversation now belongs */
    return rc;
}
