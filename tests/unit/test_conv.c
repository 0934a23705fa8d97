/*
 * Unit tests of the conversation engine (src/conv/, conv.h) on its own: a
 * real SQLite store in a temporary directory, a small web-shop knowledge
 * base (tests/integration/choices_kb.json: two close return articles, six
 * others) imported into it, and the bot built from the store as the server
 * builds it. Each test drives lk_conv_apply with one event after another and
 * checks the messages and events it returns and what the store holds after.
 */
#include "conv/conv.h"
#include "kb/kb.h"
#include "policy/policy.h"

#include "store/store_fixture.h"

#include <string.h>

static lk_bot_t *bot;
static lk_conv_engine_t eng;
static int64_t clock_ms = 1800000000000; /* the engine reads no clock: the tests keep this one */
static lk_conv_t c;                      /* each test's conversation, started (greeted) by setup */
static lk_conv_result_t r;               /* the result of the last event; freed by teardown */

/* A fixed view of people (the engine's hook): two agents online, no waits. */
static void two_agents(void *ud, lk_store_t *s, int64_t now, lk_conv_people_t *out)
{
    (void)ud;
    (void)s;
    (void)now;
    memset(out, 0, sizeof *out);
    out->agents_online = 2;
}

static void start(lk_conv_t *conv);

static void setup(void)
{
    store_fixture_setup();
    lk_kb_t kb;
    char err[256] = "";
    cr_assert_eq(
        lk_kb_read_path(LOKET_SOURCE_DIR "/tests/integration/choices_kb.json", LK_KB_FORMAT_JSON, &kb, err, sizeof err),
        0, "%s", err);
    cr_assert_eq(lk_store_kb_import(st, &kb, true, clock_ms), 0);
    lk_kb_free(&kb);
    cr_assert_eq(lk_bot_build(st, 0.05, &bot), 0);
    cr_assert_eq(bot->kb.n_articles, 8);
    eng = (lk_conv_engine_t){.policy = NULL, .bot = bot, .people = two_agents};
    start(&c);
}

static void teardown(void)
{
    lk_conv_result_free(&r);
    lk_conv_clear(&c);
    lk_bot_release(bot);
    bot = NULL;
    store_fixture_teardown();
}

TestSuite(conv, .init = setup, .fini = teardown);

/* The events of res of one type. */
static size_t count(const lk_conv_result_t *res, lk_conv_out_type_t type)
{
    size_t n = 0;
    for (size_t i = 0; i < res->n_events; i++)
        n += res->events[i].type == type;
    return n;
}

static size_t stored_msgs(const lk_conv_t *conv)
{
    lk_msg_t *m = NULL;
    size_t n = 0;
    cr_assert_eq(lk_store_msg_list(st, conv->id, 0, 0, &m, &n), 0);
    lk_msgs_free(m, n);
    return n;
}

static size_t audits(const lk_conv_t *conv, const char *action)
{
    lk_audit_query_t q = {.conversation_id = conv->id, .action = action};
    lk_audit_rec_t *v = NULL;
    size_t n = 0;
    cr_assert_eq(lk_store_audit_list(st, &q, &v, &n), 0);
    lk_audit_recs_free(v, n);
    return n;
}

/* The conversation as the store has it now. */
static void reload(lk_conv_t *conv)
{
    char id[LK_ID_MAX];
    snprintf(id, sizeof id, "%s", conv->id);
    lk_conv_clear(conv);
    cr_assert_eq(lk_store_conv_get(st, id, conv), 0);
}

/* A new Dutch conversation, greeted (as POST /api/v1/conversations). */
static void start(lk_conv_t *conv)
{
    memset(conv, 0, sizeof *conv);
    lk_rand_id("c_", conv->id, sizeof conv->id);
    conv->status = LK_CONV_BOT;
    snprintf(conv->language, sizeof conv->language, "nl");
    snprintf(conv->token_hash, sizeof conv->token_hash, "%064d", 0);
    conv->created_at = conv->updated_at = clock_ms;
    conv->next_seq = 1;
    cr_assert_eq(lk_store_conv_insert(st, conv), 0);
    lk_conv_result_t res = {0};
    cr_assert_eq(lk_conv_apply(&eng, st, conv, &(lk_conv_event_t){.type = LK_CONV_START}, clock_ms, &res), 0);
    cr_assert_eq(res.n_msgs, 1);
    cr_assert_str_eq(lk_sender_name(res.msgs[0].sender), "bot");
    cr_assert(res.msgs[0].automated);
    cr_assert_eq(res.msgs[0].seq, 1);
    cr_assert_eq(res.n_events, 1);
    cr_assert_eq(res.events[0].type, LK_CONV_OUT_MESSAGE);
    lk_conv_result_free(&res);
}

static int say(lk_conv_t *conv, const char *text, const char *choice, lk_conv_result_t *out)
{
    clock_ms += 1000;
    lk_conv_event_t ev = {.type = LK_CONV_MESSAGE, .text = text, .choice = choice};
    return lk_conv_apply(&eng, st, conv, &ev, clock_ms, out);
}

/* A customer message the bot replies to with one message: out holds the
 * customer's message (with outcome) and the reply. */
static void ask(lk_conv_t *conv, const char *text, const char *choice, const char *outcome, lk_conv_result_t *out)
{
    cr_assert_eq(say(conv, text, choice, out), 0, "%s", text);
    cr_assert_eq(out->n_msgs, 2, "%s", text);
    cr_assert_str_eq(lk_sender_name(out->msgs[0].sender), "customer");
    cr_assert_str_eq(out->msgs[0].text, text);
    cr_assert_str_eq(lk_outcome_name(out->msgs[0].outcome), outcome, "%s", text);
}

static int event(lk_conv_t *conv, lk_conv_event_type_t type, lk_conv_result_t *out)
{
    clock_ms += 1000;
    return lk_conv_apply(&eng, st, conv, &(lk_conv_event_t){.type = type}, clock_ms, out);
}

Test(conv, a_question_the_knowledge_base_answers)
{
    /* the customer's message, stored with its outcome, then the answer */
    ask(&c, "Wat kost verzending?", NULL, "answered", &r);
    cr_assert_str_eq(r.msgs[0].outcome_article_id, "verzendkosten");
    cr_assert_eq(r.msgs[0].seq, 2);
    cr_assert_str_eq(lk_sender_name(r.msgs[1].sender), "bot");
    cr_assert_str_eq(r.msgs[1].article_id, "verzendkosten");
    cr_assert(r.msgs[1].has_confidence && r.msgs[1].confidence > 0);
    cr_assert_eq(r.msgs[1].seq, 3);
    /* events: the customer's message, the turn's outcome, the answer */
    cr_assert_eq(r.n_events, 3);
    cr_assert_eq(r.events[0].type, LK_CONV_OUT_MESSAGE);
    cr_assert_eq(r.events[0].msg, 0);
    cr_assert_eq(r.events[1].type, LK_CONV_OUT_TURN);
    cr_assert_str_eq(lk_outcome_name(r.events[1].outcome), "answered");
    cr_assert_eq(r.events[2].type, LK_CONV_OUT_MESSAGE);
    cr_assert_eq(r.events[2].msg, 1);
    cr_assert_eq(count(&r, LK_CONV_OUT_CONVERSATION), 0, "still the bot's: no change for the agents");
    lk_conv_result_free(&r);

    /* stored: the three messages, the state, the topic */
    cr_assert_eq(stored_msgs(&c), 3);
    reload(&c);
    cr_assert_str_eq(lk_conv_status_name(c.status), "bot");
    cr_assert_eq(c.next_seq, 4);
    cr_assert_eq(c.updated_at, clock_ms);
    cr_assert_not_null(c.topic);
    cr_assert_str_eq(c.topic, "Verzendkosten");
}

Test(conv, a_question_outside_it_is_declined_then_handed_over)
{
    ask(&c, "Wat is de hoofdstad van Australië?", NULL, "declined", &r);
    cr_assert_null(r.msgs[1].article_id);
    cr_assert_str_eq(lk_outcome_name(r.events[1].outcome), "declined");
    cr_assert_eq(count(&r, LK_CONV_OUT_HANDOFF), 0);
    lk_conv_result_free(&r);
    reload(&c);
    cr_assert_str_eq(lk_conv_status_name(c.status), "bot");

    /* then the customer asks for a person: handed over, in the queue */
    cr_assert_eq(say(&c, "Ik wil een medewerker spreken", NULL, &r), 0);
    cr_assert_str_eq(lk_outcome_name(r.msgs[0].outcome), "handoff");
    cr_assert_eq(count(&r, LK_CONV_OUT_HANDOFF), 1);
    cr_assert_eq(count(&r, LK_CONV_OUT_CONVERSATION), 1);
    cr_assert_eq(r.events[r.n_events - 1].type, LK_CONV_OUT_CONVERSATION, "the change comes after the messages");
    bool notice = false;
    for (size_t i = 1; i < r.n_msgs; i++)
        notice |= r.msgs[i].sender == LK_SENDER_SYSTEM;
    cr_assert(notice, "the hand-off is announced");
    lk_conv_result_free(&r);
    reload(&c);
    cr_assert_str_eq(lk_conv_status_name(c.status), "queued");
    cr_assert_str_eq(lk_handoff_reason_name(c.handoff_reason), "customer_request");
    cr_assert_eq(c.queued_at, clock_ms);
    cr_assert_eq(audits(&c, "conversation.handoff"), 1);
}

Test(conv, did_not_help_is_the_customers_no_while_the_bot_has_it)
{
    ask(&c, "Wat kost verzending?", NULL, "answered", &r);
    lk_conv_result_free(&r);
    cr_assert_eq(event(&c, LK_CONV_NOT_HELPED, &r), 0);
    cr_assert_geq(r.n_msgs, 2);
    cr_assert_str_eq(lk_sender_name(r.msgs[0].sender), "customer");
    cr_assert_str_eq(r.msgs[0].text, "Nee");
    cr_assert_eq(count(&r, LK_CONV_OUT_TURN), 1);
    lk_conv_result_free(&r);

    /* with a person: only recorded by the channel, nothing said */
    cr_assert_eq(event(&c, LK_CONV_PERSON, &r), 0);
    lk_conv_result_free(&r);
    size_t before = stored_msgs(&c);
    cr_assert_eq(event(&c, LK_CONV_NOT_HELPED, &r), 0);
    cr_assert_eq(r.n_msgs, 0);
    cr_assert_eq(r.n_events, 0);
    cr_assert_eq(stored_msgs(&c), before);
}

Test(conv, what_a_customer_message_reveals_is_recorded)
{
    cr_assert_eq(say(&c, "Mijn e-mail is Jan@Example.nl en mijn BSN is 111222333", NULL, &r), 0);
    /* the customer's message as typed, and the word about the BSN */
    cr_assert_str_eq(lk_sender_name(r.msgs[0].sender), "customer");
    cr_assert_not_null(strstr(r.msgs[0].text, "111222333"), "stored as typed; agents see it masked");
    bool bsn_word = false;
    for (size_t i = 1; i < r.n_msgs; i++)
        bsn_word |= r.msgs[i].sender == LK_SENDER_SYSTEM && strstr(r.msgs[i].text, "burgerservicenummer");
    cr_assert(bsn_word);
    /* scanned once, in the engine: the agents' text has the BSN masked,
     * every other message goes to them as it is */
    size_t n_message_events = 0;
    for (size_t i = 0; i < r.n_events; i++) {
        if (r.events[i].type != LK_CONV_OUT_MESSAGE)
            continue;
        n_message_events++;
        const char *agents = r.events[i].agents_text;
        if (r.events[i].msg == 0) {
            cr_assert_not_null(agents);
            cr_assert_str_eq(agents, "Mijn e-mail is Jan@Example.nl en mijn BSN is [bsn]");
        } else {
            cr_assert_null(agents, "message %zu: %s", r.events[i].msg, agents);
        }
    }
    cr_assert_eq(n_message_events, r.n_msgs);
    /* the address is the conversation's identifier: a data-subject request finds it */
    lk_privacy_subject_t who = {.email = "jan@example.nl"};
    lk_privacy_counts_t n;
    char *json = NULL;
    cr_assert_eq(lk_store_privacy_export(st, &who, clock_ms, &json, &n), 0);
    free(json);
    cr_assert_eq(n.conversations, 1);
    cr_assert_eq(n.identifiers, 1);
}

Test(conv, the_person_button)
{
    cr_assert_eq(event(&c, LK_CONV_PERSON, &r), 0);
    cr_assert_geq(r.n_msgs, 1);
    cr_assert_str_eq(lk_sender_name(r.msgs[0].sender), "system");
    cr_assert_eq(count(&r, LK_CONV_OUT_TURN), 0, "no customer message");
    cr_assert_eq(count(&r, LK_CONV_OUT_HANDOFF), 1);
    cr_assert_eq(count(&r, LK_CONV_OUT_CONVERSATION), 1);
    lk_conv_result_free(&r);
    reload(&c);
    cr_assert_str_eq(lk_conv_status_name(c.status), "queued");
    cr_assert_str_eq(lk_handoff_reason_name(c.handoff_reason), "button");
    cr_assert_eq(audits(&c, "conversation.handoff"), 1);

    /* pressed again while queued: no second hand-off */
    cr_assert_eq(event(&c, LK_CONV_PERSON, &r), 0);
    cr_assert_eq(count(&r, LK_CONV_OUT_HANDOFF), 0);
    lk_conv_result_free(&r);
    cr_assert_eq(audits(&c, "conversation.handoff"), 1);
}

Test(conv, a_choice_offered_and_chosen)
{
    ask(&c, "Hoe stuur ik iets terug?", NULL, "clarify", &r);
    const lk_msg_t *offer = &r.msgs[1];
    cr_assert_eq(offer->n_choices, 2);
    bool shoes = false, clothes = false;
    for (size_t i = 0; i < offer->n_choices; i++) {
        shoes |= strcmp(offer->choices[i].article_id, "retour-schoenen") == 0 &&
                 strcmp(offer->choices[i].title, "Schoenen retourneren") == 0;
        clothes |= strcmp(offer->choices[i].article_id, "retour-kleding") == 0;
    }
    cr_assert(shoes && clothes);
    lk_conv_result_free(&r);
    size_t before = stored_msgs(&c);

    /* an article that was not offered: refused, nothing stored */
    cr_assert_eq(say(&c, "Levertijd", "levertijd", &r), LK_EINVAL);
    cr_assert_eq(r.refused, LK_CONV_REFUSED_CHOICE);
    cr_assert_eq(r.n_msgs, 0);
    cr_assert_eq(r.n_events, 0);
    lk_conv_result_free(&r);
    cr_assert_eq(stored_msgs(&c), before);

    /* the pick: answered with that article, without the NLU's confidence */
    ask(&c, "Schoenen retourneren", "retour-schoenen", "answered", &r);
    cr_assert_str_eq(r.msgs[0].outcome_article_id, "retour-schoenen");
    cr_assert_not(r.msgs[0].has_outcome_confidence);
    cr_assert_str_eq(r.msgs[1].article_id, "retour-schoenen");
    cr_assert(r.msgs[1].chosen);
    cr_assert_not(r.msgs[1].has_confidence);
    lk_conv_result_free(&r);
    cr_assert_eq(stored_msgs(&c), before + 2);
}

Test(conv, an_agent_joins_writes_and_leaves)
{
    cr_assert_eq(event(&c, LK_CONV_PERSON, &r), 0);
    lk_conv_result_free(&r);

    clock_ms += 5000;
    lk_conv_event_t join = {.type = LK_CONV_AGENT_JOINS, .agent_id = "u_anna", .agent_name = "Anna"};
    cr_assert_eq(lk_conv_apply(&eng, st, &c, &join, clock_ms, &r), 0);
    cr_assert_eq(count(&r, LK_CONV_OUT_WAIT_ENDED), 1);
    cr_assert_eq(count(&r, LK_CONV_OUT_CONVERSATION), 1);
    cr_assert_eq(r.n_msgs, 1);
    cr_assert_str_eq(lk_sender_name(r.msgs[0].sender), "system");
    cr_assert_not_null(strstr(r.msgs[0].text, "Anna"), "%s", r.msgs[0].text);
    lk_conv_result_free(&r);
    reload(&c);
    cr_assert_str_eq(lk_conv_status_name(c.status), "assigned");
    cr_assert_str_eq(c.assigned_to, "u_anna");
    cr_assert_eq(c.assigned_at, clock_ms);

    /* the assigned agent writes: stored as it is */
    lk_msg_t m = {0};
    m.sender = LK_SENDER_AGENT;
    snprintf(m.author_id, sizeof m.author_id, "u_anna");
    m.text = lk_xstrdup("Ik kijk het voor je na.");
    m.created_at = clock_ms;
    lk_conv_event_t write = {.type = LK_CONV_AGENT_WRITES, .agent_id = "u_anna", .msg = &m};
    cr_assert_eq(lk_conv_apply(&eng, st, &c, &write, clock_ms, &r), 0);
    cr_assert_eq(r.n_msgs, 1);
    cr_assert_str_eq(lk_sender_name(r.msgs[0].sender), "agent");
    cr_assert_not(r.msgs[0].automated);
    cr_assert_eq(r.n_events, 1);
    lk_conv_result_free(&r);

    /* another agent may not */
    lk_msg_t other = {0};
    other.sender = LK_SENDER_AGENT;
    other.text = lk_xstrdup("Hallo");
    write = (lk_conv_event_t){.type = LK_CONV_AGENT_WRITES, .agent_id = "u_bob", .msg = &other};
    cr_assert_eq(lk_conv_apply(&eng, st, &c, &write, clock_ms, &r), LK_ESTATE);
    cr_assert_eq(r.refused, LK_CONV_REFUSED_NOT_YOURS);
    lk_conv_result_free(&r);

    /* the customer writes: the bot stays out of it */
    cr_assert_eq(say(&c, "Wat kost verzending?", NULL, &r), 0);
    cr_assert_eq(r.n_msgs, 1);
    cr_assert_str_eq(lk_outcome_name(r.msgs[0].outcome), "none");
    lk_conv_result_free(&r);

    /* the agent leaves: back in the queue */
    cr_assert_eq(event(&c, LK_CONV_AGENT_LEAVES, &r), 0);
    cr_assert_eq(count(&r, LK_CONV_OUT_CONVERSATION), 1);
    lk_conv_result_free(&r);
    reload(&c);
    cr_assert_str_eq(lk_conv_status_name(c.status), "queued");
    cr_assert_str_eq(c.assigned_to, "");
    cr_assert_eq(c.queued_at, clock_ms);
}

Test(conv, a_call_back_request_only_while_queued)
{
    lk_conv_event_t cb = {.type = LK_CONV_CALLBACK, .contact = "0612345678", .text = "na vijven"};
    cr_assert_eq(lk_conv_apply(&eng, st, &c, &cb, clock_ms, &r), LK_ESTATE);
    cr_assert_eq(r.refused, LK_CONV_REFUSED_NOT_QUEUED);
    lk_conv_result_free(&r);

    cr_assert_eq(event(&c, LK_CONV_PERSON, &r), 0);
    lk_conv_result_free(&r);
    cr_assert_eq(lk_conv_apply(&eng, st, &c, &cb, clock_ms, &r), 0);
    cr_assert_eq(r.n_msgs, 1);
    cr_assert_not_null(strstr(r.msgs[0].text, "0612345678"));
    lk_conv_result_free(&r);
    lk_callback_t *v = NULL;
    size_t n = 0;
    cr_assert_eq(lk_store_callback_list(st, LK_CALLBACK_OPEN, 0, &v, &n), 0);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(v[0].contact, "0612345678");
    cr_assert_str_eq(v[0].conversation_id, c.id);
    lk_callbacks_free(v, n);
    reload(&c);
    lk_policy_state_t ps;
    cr_assert_eq(lk_policy_state_decode(c.policy_state, &ps), 0);
    cr_assert_eq(ps.callbacks, 1);
    cr_assert_str_eq(lk_conv_status_name(c.status), "queued");
}

Test(conv, a_tick_tells_the_waiting_their_new_place)
{
    lk_conv_t *first = &c, second;
    start(&second);
    cr_assert_eq(event(first, LK_CONV_PERSON, &r), 0);
    lk_conv_result_free(&r);
    cr_assert_eq(event(&second, LK_CONV_PERSON, &r), 0);
    lk_conv_result_free(&r);

    /* nothing changed: a tick says nothing */
    cr_assert_eq(event(&second, LK_CONV_TICK, &r), 0);
    cr_assert_eq(r.n_msgs, 0);
    lk_conv_result_free(&r);

    /* the first is taken: the second moves up, and the tick says so */
    lk_conv_event_t join = {.type = LK_CONV_AGENT_JOINS, .agent_id = "u_anna", .agent_name = "Anna"};
    cr_assert_eq(lk_conv_apply(&eng, st, first, &join, clock_ms, &r), 0);
    lk_conv_result_free(&r);
    size_t before = stored_msgs(&second);
    cr_assert_eq(event(&second, LK_CONV_TICK, &r), 0);
    cr_assert_eq(r.n_msgs, 1);
    cr_assert_str_eq(lk_sender_name(r.msgs[0].sender), "system");
    cr_assert_eq(count(&r, LK_CONV_OUT_CONVERSATION), 0, "still queued");
    lk_conv_result_free(&r);
    cr_assert_eq(stored_msgs(&second), before + 1);
    reload(&second);
    cr_assert_eq(second.updated_at, clock_ms);

    /* a tick on a conversation that is not queued does nothing */
    cr_assert_eq(event(first, LK_CONV_TICK, &r), 0);
    cr_assert_eq(r.n_msgs, 0);
    lk_conv_result_free(&r);
    lk_conv_clear(&second);
}

Test(conv, the_bot_threshold_from_the_reviews)
{
    double t;
    cr_assert_not(lk_conv_stored_threshold(st, &t));
    cr_assert_eq(lk_store_meta_set(st, "nlu_threshold", "0.4200"), 0);
    cr_assert(lk_conv_stored_threshold(st, &t));
    cr_assert_float_eq(t, 0.42, 1e-9);
    cr_assert_eq(lk_store_meta_set(st, "nlu_threshold", "1.5"), 0);
    cr_assert_not(lk_conv_stored_threshold(st, &t), "out of range: none");
    /* too few reviews: nothing moves, nothing is audited */
    cr_assert_eq(lk_store_meta_set(st, "nlu_threshold", "0.4200"), 0);
    cr_assert_eq(lk_conv_recalibrate(st, clock_ms), 0);
    cr_assert(lk_conv_stored_threshold(st, &t));
    cr_assert_float_eq(t, 0.42, 1e-9);
    cr_assert_eq(lk_conv_recalibrate(NULL, clock_ms), LK_EINVAL);
}

/* A new conversation in which the bot answers text with article; reviews
 * that answer with verdict (and correct, the article that should have
 * answered, "" for none). */
static void reviewed_answer(const char *text, const char *article, const char *verdict, const char *correct)
{
    lk_conv_t conv;
    lk_conv_result_t res = {0};
    start(&conv);
    ask(&conv, text, NULL, "answered", &res);
    cr_assert_str_eq(res.msgs[1].article_id, article, "%s", text);
    lk_review_t rv = {.has_confidence = res.msgs[1].has_confidence, .confidence = res.msgs[1].confidence,
                      .created_at = clock_ms};
    snprintf(rv.message_id, sizeof rv.message_id, "%s", res.msgs[1].id);
    snprintf(rv.conversation_id, sizeof rv.conversation_id, "%s", conv.id);
    snprintf(rv.article_id, sizeof rv.article_id, "%s", article);
    lk_verdict_parse(verdict, &rv.verdict);
    snprintf(rv.correct_article_id, sizeof rv.correct_article_id, "%s", correct);
    snprintf(rv.reviewer_id, sizeof rv.reviewer_id, "u_lead");
    cr_assert_eq(lk_store_review_set(st, &rv), 0);
    lk_conv_result_free(&res);
    lk_conv_clear(&conv);
}

static lk_nlu_calibration_t model_calibration(const lk_kb_t *kb, double at, lk_nlu_calibration_t *bound_at)
{
    lk_nlu_model_t *m = NULL;
    bool raised = true;
    cr_assert_eq(lk_bot_model_build(st, kb, 0.05, &m, &raised, NULL), 0);
    cr_assert_not(raised, "no threshold stored by the reviews' recalibration");
    lk_nlu_calibration_t cal;
    lk_nlu_calibration(m, &cal);
    if (bound_at)
        lk_nlu_calibration_at(m, at, bound_at);
    lk_nlu_free(m);
    return cal;
}

Test(conv, review_marks_join_the_calibration_of_the_bot_built_after_them)
{
    lk_nlu_calibration_t before = model_calibration(&bot->kb, 0, NULL);
    cr_assert(before.done);
    cr_assert_eq(before.n_labelled, 0, "no reviews: no labelled questions");
    double t = before.threshold;
    lk_nlu_calibration_t before_at;
    model_calibration(&bot->kb, t, &before_at);
    cr_assert_float_eq(before_at.risk_bound, before.risk_bound, 1e-12, "the same build without reviews");

    /* a lead marks the delivery-time answers wrong (no better article), the
     * payment answers right, and one gift-card answer wrong in favour of
     * the payment article */
    for (int i = 0; i < 8; i++)
        reviewed_answer("Hoe lang duurt de levering?", "levertijd", "wrong", "");
    for (int i = 0; i < 3; i++)
        reviewed_answer("Hoe kan ik betalen?", "betalen", "right", "");
    reviewed_answer("Hoe gebruik ik een cadeaubon?", "cadeaubon", "wrong", "betalen");

    lk_nlu_calibration_t after_at, after = model_calibration(&bot->kb, t, &after_at);
    cr_assert(after.done);
    cr_assert_eq(after.n_labelled, 12, "every mark counts: %zu", after.n_labelled);
    cr_assert_eq(after.n_in, before.n_in + 12, "the marks are in-scope questions: %zu", after.n_in);
    cr_assert_gt(after_at.risk_bound, before_at.risk_bound, "nine wrong answers raise the bound at %.4f", t);
    cr_assert(after.threshold > before.threshold || !after.met, "the threshold moves up (%.4f -> %.4f) or is not met",
              before.threshold, after.threshold);

    /* the delivery-time article is archived (a new one keeps the knowledge
     * base large enough to calibrate): its reviews no longer count */
    int64_t v;
    char *qs[] = {"Hoe lang heb ik om iets terug te sturen?", "Wat is de retourtermijn?", "Hoeveel dagen bedenktijd?",
                  "Tot wanneer kan ik retourneren?", "Mag ik na twee weken nog terugsturen?"};
    lk_article_t extra = {.id = "retourtermijn", .language = "nl", .title = "Retourtermijn", .questions = qs,
                          .n_questions = 5, .answer = "Je hebt 30 dagen bedenktijd."};
    cr_assert_eq(lk_store_article_publish(st, &extra, true, "u_lead", clock_ms, &v), 0);
    cr_assert_eq(lk_store_article_set_archived(st, "levertijd", true, "u_lead", clock_ms, &v), 0);
    lk_kb_t kb;
    cr_assert_eq(lk_store_kb_load(st, &kb), 0);
    lk_kb_answers_to_text(&kb);
    cr_assert_lt(lk_kb_find(&kb, "levertijd"), 0);
    lk_nlu_calibration_t gone = model_calibration(&kb, 0, NULL);
    cr_assert(gone.done);
    cr_assert_eq(gone.n_labelled, 4, "the payment and gift-card marks only: %zu (%zu in)", gone.n_labelled, gone.n_in);
    lk_kb_free(&kb);

    /* the bot built from the store is built the same way */
    lk_bot_t *fresh = NULL;
    cr_assert_eq(lk_bot_build(st, 0.05, &fresh), 0);
    lk_nlu_calibration_t fc;
    lk_nlu_calibration(fresh->nlu, &fc);
    cr_assert_eq(fc.n_labelled, 4);
    lk_bot_release(fresh);
}

/* conv handed to a person and taken by Anna. */
static void with_anna(lk_conv_t *conv)
{
    lk_conv_result_t res = {0};
    cr_assert_eq(event(conv, LK_CONV_PERSON, &res), 0);
    lk_conv_result_free(&res);
    lk_conv_event_t join = {.type = LK_CONV_AGENT_JOINS, .agent_id = "u_anna", .agent_name = "Anna"};
    cr_assert_eq(lk_conv_apply(&eng, st, conv, &join, clock_ms, &res), 0);
    lk_conv_result_free(&res);
}

Test(conv, an_agent_hands_it_to_another_agent)
{
    with_anna(&c);

    /* assigned to another agent while Anna has it: the customer is told who
     * takes over, every agent's list hears of the new assignment, and no new
     * wait ends (the conversation was not queued) */
    clock_ms += 7000;
    size_t before = stored_msgs(&c);
    lk_conv_event_t join = {.type = LK_CONV_AGENT_JOINS, .agent_id = "u_bob", .agent_name = "Bob"};
    cr_assert_eq(lk_conv_apply(&eng, st, &c, &join, clock_ms, &r), 0);
    cr_assert_eq(r.n_msgs, 1);
    cr_assert_str_eq(lk_sender_name(r.msgs[0].sender), "system");
    cr_assert_not_null(strstr(r.msgs[0].text, "Bob"), "%s", r.msgs[0].text);
    cr_assert_eq(count(&r, LK_CONV_OUT_CONVERSATION), 1, "the assignment changed");
    cr_assert_eq(count(&r, LK_CONV_OUT_WAIT_ENDED), 0);
    lk_conv_result_free(&r);
    cr_assert_eq(stored_msgs(&c), before + 1);
    reload(&c);
    cr_assert_str_eq(lk_conv_status_name(c.status), "assigned");
    cr_assert_str_eq(c.assigned_to, "u_bob");
    cr_assert_eq(c.assigned_at, clock_ms);
    cr_assert_eq(c.updated_at, clock_ms);

    /* now Bob's: Anna may no longer write in it, Bob may */
    lk_msg_t m = {0};
    m.sender = LK_SENDER_AGENT;
    m.text = lk_xstrdup("Nog even geduld.");
    lk_conv_event_t write = {.type = LK_CONV_AGENT_WRITES, .agent_id = "u_anna", .msg = &m};
    cr_assert_eq(lk_conv_apply(&eng, st, &c, &write, clock_ms, &r), LK_ESTATE);
    cr_assert_eq(r.refused, LK_CONV_REFUSED_NOT_YOURS);
    lk_conv_result_free(&r);
    m = (lk_msg_t){0};
    m.sender = LK_SENDER_AGENT;
    m.text = lk_xstrdup("Ik help je verder.");
    clock_ms += 1000;
    write = (lk_conv_event_t){.type = LK_CONV_AGENT_WRITES, .agent_id = "u_bob", .msg = &m};
    cr_assert_eq(lk_conv_apply(&eng, st, &c, &write, clock_ms, &r), 0);
    cr_assert_eq(r.n_msgs, 1);
    lk_conv_result_free(&r);
    reload(&c);
    cr_assert_eq(c.updated_at, clock_ms, "a reply updates the conversation");
}

Test(conv, closing_ends_it_and_a_new_message_starts_fresh)
{
    with_anna(&c);

    /* the caller sets closed_at and the disposition; the engine closes */
    clock_ms += 1000;
    c.closed_at = clock_ms;
    c.disposition = lk_xstrdup("opgelost");
    cr_assert_eq(lk_conv_apply(&eng, st, &c, &(lk_conv_event_t){.type = LK_CONV_CLOSE}, clock_ms, &r), 0);
    cr_assert_eq(r.n_msgs, 1, "the customer is told");
    cr_assert_str_eq(lk_sender_name(r.msgs[0].sender), "system");
    cr_assert_eq(count(&r, LK_CONV_OUT_CONVERSATION), 1);
    lk_conv_result_free(&r);
    reload(&c);
    cr_assert_str_eq(lk_conv_status_name(c.status), "closed");
    cr_assert_eq(c.closed_at, clock_ms);
    cr_assert_str_eq(c.disposition, "opgelost");
    cr_assert_str_eq(c.assigned_to, "u_anna", "who closed it stays on record");

    /* closing again says nothing more */
    cr_assert_eq(lk_conv_apply(&eng, st, &c, &(lk_conv_event_t){.type = LK_CONV_CLOSE}, clock_ms, &r), 0);
    cr_assert_eq(r.n_msgs, 0);
    cr_assert_eq(count(&r, LK_CONV_OUT_CONVERSATION), 0);
    lk_conv_result_free(&r);

    /* the customer writes again: the bot has it, fresh */
    cr_assert_eq(say(&c, "Wat kost verzending?", NULL, &r), 0);
    cr_assert_geq(r.n_msgs, 2, "the customer's message and the bot's");
    cr_assert_str_eq(lk_sender_name(r.msgs[0].sender), "customer");
    cr_assert_str_eq(lk_sender_name(r.msgs[r.n_msgs - 1].sender), "bot");
    cr_assert_eq(count(&r, LK_CONV_OUT_CONVERSATION), 1);
    lk_conv_result_free(&r);
    reload(&c);
    cr_assert_str_eq(lk_conv_status_name(c.status), "bot");
    cr_assert_eq(c.closed_at, 0);
    cr_assert_null(c.disposition);
    cr_assert_str_eq(c.assigned_to, "");
}

/* The company's own labelled questions (store.h, group labelled) join the
 * calibration of every model built after them, as review marks do: here
 * questions the bot answers confidently with the delivery-time article that
 * the company labels with another article (wrong answers), payment
 * questions labelled with their article, and out-of-scope ones. */
Test(conv, company_labelled_questions_join_the_calibration)
{
    lk_nlu_calibration_t before = model_calibration(&bot->kb, 0, NULL);
    cr_assert(before.done);
    double t = before.threshold;
    lk_nlu_calibration_t before_at;
    model_calibration(&bot->kb, t, &before_at);

    static const char *const other[] = {"Hoe lang duurt de levering?",
                                        "Hoe lang duurt de levering nog?",
                                        "Hoe lang duurt de levering naar België?",
                                        "Hoe lang duurt levering?",
                                        "Hoe lang duurt de levering eigenlijk?",
                                        "Hoe lang duurt de levering ongeveer?",
                                        "Hoe lang duurt de levering meestal?",
                                        "Hoe lang duurt de levering nu?"};
    static const char *const pay[] = {"Hoe kan ik betalen?", "Kan ik met iDEAL betalen?",
                                      "Welke betaalmethodes zijn er?"};
    static const char *const oos[] = {"Wat voor weer wordt het morgen?", "Wie wint het WK?"};
    lk_labelled_t v[14];
    memset(v, 0, sizeof v);
    size_t n = 0;
    for (size_t i = 0; i < 8; i++) {
        v[n] = (lk_labelled_t){.text = (char *)other[i], .source = LK_LABELLED_IMPORT, .created_at = clock_ms};
        snprintf(v[n++].article_id, sizeof v[0].article_id, "cadeaubon");
    }
    for (size_t i = 0; i < 2; i++)
        v[n++] = (lk_labelled_t){.text = (char *)oos[i], .source = LK_LABELLED_IMPORT, .created_at = clock_ms};
    for (size_t i = 0; i < 3; i++) {
        v[n] = (lk_labelled_t){.text = (char *)pay[i], .source = LK_LABELLED_CONSOLE, .created_at = clock_ms};
        snprintf(v[n++].article_id, sizeof v[0].article_id, "betalen");
    }
    /* one whose article is gone: stale, it does not count */
    v[n] = (lk_labelled_t){.text = "Waar staat jullie winkel?", .source = LK_LABELLED_IMPORT, .created_at = clock_ms};
    snprintf(v[n++].article_id, sizeof v[0].article_id, "winkel-bestaat-niet");
    int64_t added = 0;
    cr_assert_eq(lk_store_labelled_add(st, v, n, false, &added, NULL), 0);
    cr_assert_eq(added, 14);

    lk_nlu_model_t *m = NULL;
    size_t company = 0;
    cr_assert_eq(lk_bot_model_build(st, &bot->kb, 0.05, &m, NULL, &company), 0);
    cr_assert_eq(company, 13, "the stale one is skipped: %zu", company);
    lk_nlu_calibration_t after, after_at;
    lk_nlu_calibration(m, &after);
    lk_nlu_calibration_at(m, t, &after_at);
    lk_nlu_free(m);
    cr_assert(after.done);
    cr_assert_eq(after.n_labelled, 13, "%zu", after.n_labelled);
    cr_assert_eq(after.n_in, before.n_in + 11, "eleven in scope: %zu", after.n_in);
    cr_assert_gt(after_at.risk_bound, before_at.risk_bound,
                 "answers the company labels with another article raise the bound: %.4f -> %.4f at %.4f",
                 before_at.risk_bound, after_at.risk_bound, t);
    cr_assert(after.threshold > before.threshold || !after.met, "the threshold moves up (%.4f -> %.4f) or is not met",
              before.threshold, after.threshold);

    /* the bot built from the store says how many it counted */
    lk_bot_t *fresh = NULL;
    cr_assert_eq(lk_bot_build(st, 0.05, &fresh), 0);
    cr_assert_eq(fresh->company_questions, 13);
    lk_bot_release(fresh);
}

/* A reviewed customer's question that the company also keeps as a labelled
 * question (e.g. taken over from the review) counts once in the bound. */
Test(conv, a_reviewed_question_the_company_keeps_counts_once)
{
    reviewed_answer("Hoe kan ik betalen?", "betalen", "right", "");
    lk_nlu_calibration_t cal = model_calibration(&bot->kb, 0, NULL);
    cr_assert_eq(cal.n_labelled, 1, "the review: %zu", cal.n_labelled);

    lk_labelled_t v[2] = {{.text = "Hoe kan ik betalen?", .source = LK_LABELLED_REVIEW, .created_at = clock_ms},
                          {.text = "Kan ik met iDEAL betalen?", .source = LK_LABELLED_CONSOLE, .created_at = clock_ms}};
    snprintf(v[0].article_id, sizeof v[0].article_id, "betalen");
    snprintf(v[1].article_id, sizeof v[1].article_id, "betalen");
    cr_assert_eq(lk_store_labelled_add(st, v, 2, false, NULL, NULL), 0);
    lk_nlu_model_t *m = NULL;
    size_t company = 0;
    cr_assert_eq(lk_bot_model_build(st, &bot->kb, 0.05, &m, NULL, &company), 0);
    lk_nlu_calibration(m, &cal);
    lk_nlu_free(m);
    cr_assert_eq(company, 2);
    cr_assert_eq(cal.n_labelled, 2, "the company's two, the review not again: %zu", cal.n_labelled);

    /* with another answer the company's label and the review are two things to count */
    lk_labelled_t w = {.text = "Hoe kan ik betalen?", .source = LK_LABELLED_CONSOLE, .created_at = clock_ms};
    cr_assert_eq(lk_store_begin(st), 0);
    cr_assert_eq(lk_store_labelled_add(st, &w, 1, true, NULL, NULL), 0); /* out of scope, the only one */
    cr_assert_eq(lk_store_commit(st), 0);
    cr_assert_eq(lk_bot_model_build(st, &bot->kb, 0.05, &m, NULL, &company), 0);
    lk_nlu_calibration(m, &cal);
    lk_nlu_free(m);
    cr_assert_eq(company, 1);
    cr_assert_eq(cal.n_labelled, 2, "%zu", cal.n_labelled);
}
