/*
 * policy: the conversation state machine (see policy.h and docs/policy.md).
 *
 * One function, lk_policy_step(), turns (state, event, NLU reading, the
 * environment the caller observed) into the next state and a list of actions.
 * Everything it needs arrives as an argument: there is no I/O, no clock read
 * and no mutable global, so the exhaustive state test in
 * tests/unit/test_policy.c can walk every short conversation.
 *
 * The rules, in the order a customer message in status "bot" meets them: a
 * request for a person hands over at once; a complaint, anger, or a sensitive
 * topic hand over; a short yes/no answers the bot's last question, and a
 * polite closing ("nee, dank je", "ok", "thanks") gets a short closing reply,
 * never a decline; "are you a bot?" gets a truthful yes; the same question
 * asked loop_repeats times hands over; several questions hand over unless the
 * bot can answer each; otherwise the bot quotes the article or declines
 * honestly, and the second failure in a row hands over. Once queued or
 * assigned, the bot never answers: only system notices about the queue,
 * availability and call-backs. Business hours use a
 * weekly table, holidays and the EU daylight-saving rule computed in
 * calendar.c, so no time-zone database is read.
 *
 * The module's files: policy.c (this file, the step and its cases),
 * state.c (names, state codec, actions), calendar.c (business hours),
 * options.c (the option table), texts.c (the texts), say.c (putting
 * them together, the hand-off), words.c (reading the customer's words),
 * articles.c (which article to quote) and choices.c (choices and several
 * questions); policy_int.h declares what they share.
 */
#include "policy/policy_int.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* ---- the step's cases ---------------------------------------------------- */

static void greet(ctx_t *c)
{
    lk_pol_say(c, LK_SENDER_BOT, LK_SAY_GREETING, T(c, T_GREETING));
}

/* The conversation follows the language the customer writes in: into one
 * the knowledge base has articles in at language_min, into one it has none
 * in (a German message in a Dutch chat) only at foreign_language_min, since
 * the bot then says it has no answer in that language and hands over. */
static void follow_language(ctx_t *c, const lk_nlu_reading_t *r)
{
    char lang[sizeof r->language];
    memcpy(lang, r->language, sizeof lang);
    lang[sizeof lang - 1] = '\0';
    if (!lk_policy_language_valid(lang) || !(r->language_confidence >= c->cfg->language_min) ||
        strcmp(lang, c->st->language) == 0)
        return;
    if (!lk_pol_kb_has_language(c->env->kb, lang) &&
        !(lk_policy_language_spoken(lang) && r->language_confidence >= c->cfg->foreign_language_min))
        return;
    memcpy(c->st->language, lang, strlen(lang) + 1);
}

/* The bot cannot answer in the customer's language: the matched article has
 * no version in it, or (no match) the knowledge base has no article in it
 * at all. An empty knowledge base is a plain decline, not a language gap. */
static bool language_gap(const ctx_t *c, long a0)
{
    if (a0 >= 0)
        return !lk_pol_has_version(c, a0);
    const lk_kb_t *kb = c->env->kb;
    return kb && kb->n_articles > 0 && !lk_pol_kb_has_language(kb, c->st->language);
}

/* The truthful reply to "are you a bot?" as it was asked. */
static int bot_reply(lk_nlu_botq_t kind)
{
    switch (kind) {
    case LK_NLU_BOTQ_PERSON:
        return T_BOT_NOT_PERSON; /* "Nee, ik ben geen mens: ..." */
    case LK_NLU_BOTQ_MACHINE:
        return T_BOT_YES; /* "Ja, ik ben een chatbot: ..." */
    default:
        return T_BOT_IS; /* "Ik ben een digitale assistent, geen mens: ..." */
    }
}

static bool at_least(double score, double min)
{
    return score >= min; /* false for NaN */
}

/* The two articles to answer when a message asks several things (signal
 * multi_question), or false. The matches of one reading share one
 * probability mass, so two questions show as two matches that split it:
 * often neither reaches the NLU's answer threshold alone, while a message
 * about one topic leaves the second match a few per cent of the first. Both
 * are answered when, together, they are as sure as one answer must be
 * (pair_answer_min), the second is strong next to the first
 * (second_answer_ratio, and at least second_answer_min), and the third is weak
 * next to the second (second_answer_margin), so the two stand out from the
 * rest. They must give two different answers (not one article and its
 * version in another language). Sensitive articles are the caller's check. */
static bool answerable_pair(const ctx_t *c, const lk_nlu_reading_t *r, long *p0, long *p1)
{
    const lk_policy_config_t *cfg = c->cfg;
    if (!at_least(r->signals.multi_question, cfg->multi_question_min) || r->n_top < 2 ||
        !lk_pol_valid_article(c->env, r->top[0].article) || !lk_pol_valid_article(c->env, r->top[1].article))
        return false;
    double c0 = r->top[0].confidence, c1 = r->top[1].confidence;
    double c2 = r->n_top > 2 ? r->top[2].confidence : 0;
    if (!at_least(c0 + c1, cfg->pair_answer_min) || !at_least(c1, cfg->second_answer_min) ||
        !at_least(c1, cfg->second_answer_ratio * c0) || !at_least(cfg->second_answer_margin * c1, c2))
        return false;
    const lk_kb_t *kb = c->env->kb;
    if (lk_pol_article_in_language(kb, r->top[0].article, c->st->language) ==
        lk_pol_article_in_language(kb, r->top[1].article, c->st->language))
        return false;
    *p0 = r->top[0].article;
    *p1 = r->top[1].article;
    return true;
}

static bool sensitive_hit(const ctx_t *c, const lk_nlu_reading_t *r)
{
    if (r->n_top == 0 || !lk_pol_valid_article(c->env, r->top[0].article))
        return false;
    const lk_article_t *arts = c->env->kb->articles;
    if ((r->answer || at_least(r->top[0].confidence, c->cfg->sensitive_min)) &&
        lk_pol_tagged_sensitive(&arts[r->top[0].article]))
        return true;
    long p0, p1;
    if (answerable_pair(c, r, &p0, &p1) && (lk_pol_tagged_sensitive(&arts[p0]) || lk_pol_tagged_sensitive(&arts[p1])))
        return true;
    return false;
}

/* The reply to a closing, thanks or a bare "ok" (see read_reply): never a
 * failure, never a hand-off. pend is what the bot's last message asked. */
static void closing_reply(ctx_t *c, lk_policy_pending_t pend, const reply_t *rp)
{
    lk_policy_state_t *st = c->st;
    bool asked = pend != LK_PENDING_NONE && pend != LK_PENDING_BYE;
    bool yes = rp->first == SHORT_YES && !rp->no && !rp->thanks && !rp->bye;
    if (pend == LK_PENDING_BYE && !yes) {
        st->pending = LK_PENDING_BYE; /* "ok" to the goodbye: one goodbye is enough */
        return;
    }
    if (rp->thanks && !asked) {
        /* "bedankt" out of the blue: "you're welcome, anything else?" */
        lk_pol_say(c, LK_SENDER_BOT, LK_SAY_REPLY, T(c, T_THANKS));
        st->pending = LK_PENDING_MORE;
        return;
    }
    if (yes) {
        /* "ja" to "anything else?" (or to nothing): the question is to come */
        lk_pol_say(c, LK_SENDER_BOT, LK_SAY_REPLY, T(c, T_ASK));
        st->pending = LK_PENDING_MORE;
        return;
    }
    if (asked || rp->bye) {
        lk_buf_t b;
        lk_buf_init(&b, LK_POL_TEXT_MAX);
        lk_pol_add(&b, T(c, rp->thanks ? T_BYE_THANKS : T_BYE));
        lk_pol_add(&b, T(c, T_BYE_TAIL));
        lk_pol_say_buf(c, LK_SENDER_BOT, LK_SAY_REPLY, &b);
        st->pending = LK_PENDING_BYE;
        return;
    }
    /* a bare "ok" or "nee" when the bot asked nothing (after the greeting) */
    lk_pol_say(c, LK_SENDER_BOT, LK_SAY_REPLY, T(c, T_ACK));
    st->pending = LK_PENDING_MORE;
}

/* ---- choices and several questions (issue 15) ------------------------------ */

static void bot_message(ctx_t *c, const lk_policy_event_t *ev, const lk_nlu_reading_t *r)
{
    const lk_policy_config_t *cfg = c->cfg;
    lk_policy_state_t *st = c->st;
    const lk_nlu_signals_t *sig = &r->signals;
    st->customer_turns++;
    follow_language(c, r);
    lk_policy_pending_t pend = st->pending;
    st->pending = LK_PENDING_NONE;

    /* A pick from the bot's choices (the caller checked it was offered). */
    if (ev->chosen && lk_pol_valid_article(c->env, ev->choice)) {
        lk_pol_answer_pick(c, ev->choice);
        return;
    }

    /* A person on request, in the same turn, no questions asked. */
    if (at_least(sig->person_request, cfg->person_request_min)) {
        lk_pol_handoff(c, LK_HANDOFF_CUSTOMER_REQUEST);
        return;
    }
    if (at_least(sig->complaint, cfg->complaint_min)) {
        lk_pol_handoff(c, LK_HANDOFF_COMPLAINT);
        return;
    }
    if (at_least(sig->negative, cfg->negative_min)) {
        lk_pol_handoff(c, LK_HANDOFF_NEGATIVE_SENTIMENT);
        return;
    }
    if (sensitive_hit(c, r)) {
        /* asked at the same time whether this is a bot: the truth first */
        if (at_least(sig->bot_question, cfg->bot_question_min))
            lk_pol_say(c, LK_SENDER_BOT, LK_SAY_DISCLOSURE, T(c, bot_reply(sig->bot_question_kind)));
        lk_pol_handoff(c, LK_HANDOFF_SENSITIVE_TOPIC);
        return;
    }

    words_t w;
    lk_pol_split_words(ev->text ? ev->text : "", ev->text ? ev->len : 0, &w);
    reply_t rp;
    lk_pol_read_reply(&w, &rp);
    short_reply_t sr = rp.first;
    bool no_lead = w.total > 0 && lk_pol_in_list(w.w[0], lk_pol_no_words);

    /* "Shall I put you through?" - "ja", or a bare "ok" (it answers exactly
     * that question; nowhere else is an "ok" consent to a hand-off). */
    if (pend == LK_PENDING_OFFER &&
        (sr == SHORT_YES || (sr == SHORT_OK && rp.closing && !rp.no && !rp.thanks && !rp.bye))) {
        lk_pol_handoff(c, LK_HANDOFF_CUSTOMER_REQUEST);
        return;
    }
    if (pend == LK_PENDING_OFFER && sr == SHORT_NO) {
        lk_pol_say(c, LK_SENDER_BOT, LK_SAY_REPLY, T(c, T_OFFER_NO));
        st->pending = LK_PENDING_MORE;
        return;
    }
    /* Choices, and none of them fits: the bot could not tell what the
     * customer means, so a person takes over. */
    if (pend == LK_PENDING_CHOICE && lk_pol_none_of_these(&w)) {
        lk_pol_handoff(c, LK_HANDOFF_LOW_CONFIDENCE);
        return;
    }
    /* "Did this help?" - a "no" is a failure like a decline. */
    if (pend == LK_PENDING_FEEDBACK) {
        if (sr == SHORT_YES || sr == SHORT_OK || sr == SHORT_THANKS) {
            st->consecutive_declines = 0;
            lk_pol_say(c, LK_SENDER_BOT, LK_SAY_REPLY, T(c, T_FEEDBACK_YES));
            st->pending = LK_PENDING_MORE;
            return;
        }
        if (sr == SHORT_NO || no_lead) {
            st->consecutive_declines++;
            if (st->consecutive_declines >= cfg->max_consecutive_declines) {
                lk_pol_handoff(c, LK_HANDOFF_REPEATED_FAILURE);
                return;
            }
            if (sr == SHORT_NO) {
                lk_pol_say(c, LK_SENDER_BOT, LK_SAY_REPLY, T(c, T_FEEDBACK_NO));
                st->pending = LK_PENDING_OFFER;
                return;
            }
            /* "nee, ik bedoel ...": read the rest as a new question */
        }
    }
    /* "nee, dank je", "ok", "top", "thanks, that's all" to any other question
     * (or to none): a warm closing, not a question to decline. */
    if (rp.closing) {
        closing_reply(c, pend, &rp);
        return;
    }

    long a0 = -1;
    if (r->answer && r->n_top > 0 && lk_pol_valid_article(c->env, r->top[0].article))
        a0 = r->top[0].article;

    /* "Are you a bot?" / "Am I talking to a person?" - the truth, in a first
     * sentence that answers the question as it was put, with the human
     * option. */
    if (at_least(sig->bot_question, cfg->bot_question_min)) {
        lk_pol_say(c, LK_SENDER_BOT, LK_SAY_DISCLOSURE, T(c, bot_reply(sig->bot_question_kind)));
        st->pending = LK_PENDING_OFFER;
        if (a0 < 0)
            return;
    } else if (a0 < 0 && sr == SHORT_HELLO) {
        lk_pol_say(c, LK_SENDER_BOT, LK_SAY_REPLY, T(c, T_HELLO));
        return;
    } else if (a0 < 0 && sr == SHORT_THANKS) {
        lk_pol_say(c, LK_SENDER_BOT, LK_SAY_REPLY, T(c, T_THANKS));
        st->pending = LK_PENDING_MORE;
        return;
    }

    /* The same question again (answered or not). */
    bool again = at_least(sig->repeat, cfg->repeat_min) || (a0 >= 0 && a0 == st->last_article);
    st->repeats = again ? st->repeats + 1 : 1;
    if (st->repeats >= cfg->loop_repeats) {
        lk_pol_handoff(c, LK_HANDOFF_LOOP);
        return;
    }

    /* No answer in the customer's language: say so in it, and a person at
     * once (never an answer in another language, never a decline to try
     * again: the second try would fail the same way). */
    if (language_gap(c, a0)) {
        lk_pol_handoff(c, LK_HANDOFF_LANGUAGE);
        return;
    }

    /* Several questions, read one by one: answer each part the knowledge
     * base supports and decline the rest in the same turn. */
    if (ev->n_parts >= 2 && ev->parts && lk_pol_answer_parts(c, ev))
        return;

    /* Several questions: answer each (answerable_pair), or answer what the
     * NLU answers and hand over for the rest. */
    if (at_least(sig->multi_question, cfg->multi_question_min)) {
        long p0, p1;
        if (answerable_pair(c, r, &p0, &p1) && lk_pol_has_version(c, p0) && lk_pol_has_version(c, p1)) {
            lk_pol_answer(c, p0, r->top[0].confidence, false);
            lk_pol_answer(c, p1, r->top[1].confidence, cfg->ask_feedback);
            st->consecutive_declines = 0;
            st->last_article = p0;
            st->pending = cfg->ask_feedback ? LK_PENDING_FEEDBACK : LK_PENDING_NONE;
            return;
        }
        if (a0 >= 0)
            lk_pol_answer(c, a0, r->top[0].confidence, false); /* what it can, then a person for the rest */
        lk_pol_handoff(c, LK_HANDOFF_COMPLEX);
        return;
    }

    /* Ask instead of guess: two or three close articles become choices. A
     * first offer is neither an answer nor a failure; an offer right after
     * an offer (the customer typed on and the bot is still unsure) or right
     * after a decline counts as a failure, so that choices never go round in
     * circles nor stand between a customer the bot failed and a person. */
    long choices[LK_NLU_TOP_K];
    size_t n_choices = a0 < 0 ? lk_pol_choices_of(c, r, choices) : 0;
    if (n_choices > 0) {
        if ((pend == LK_PENDING_CHOICE || st->consecutive_declines > 0) &&
            ++st->consecutive_declines >= cfg->max_consecutive_declines) {
            lk_pol_handoff(c, LK_HANDOFF_REPEATED_FAILURE);
            return;
        }
        lk_pol_offer_choices(c, choices, n_choices);
        return;
    }

    if (a0 >= 0) {
        lk_pol_answer(c, a0, r->top[0].confidence, cfg->ask_feedback);
        st->consecutive_declines = 0;
        st->last_article = a0;
        st->pending = cfg->ask_feedback ? LK_PENDING_FEEDBACK : LK_PENDING_NONE;
        return;
    }

    /* Decline honestly; the second failure in a row hands over. */
    st->last_article = -1;
    st->consecutive_declines++;
    if (st->consecutive_declines >= cfg->max_consecutive_declines) {
        lk_pol_handoff(c, LK_HANDOFF_REPEATED_FAILURE);
        return;
    }
    lk_pol_say(c, LK_SENDER_BOT, LK_SAY_DECLINE, T(c, T_DECLINE));
    st->pending = LK_PENDING_OFFER;
}

/* While queued: tells the customer when availability changed since the last
 * notice. True when it said something. */
static bool refresh_availability(ctx_t *c)
{
    bool avail = lk_pol_people_available(c);
    if (c->st->away == !avail)
        return false;
    lk_buf_t b;
    lk_buf_init(&b, LK_POL_TEXT_MAX);
    if (avail)
        lk_pol_add(&b, T(c, T_BACK));
    lk_pol_availability(c, &b);
    if (avail)
        lk_pol_add(&b, T(c, T_QUEUED_TAIL));
    lk_pol_say_buf(c, LK_SENDER_SYSTEM, LK_SAY_QUEUE_NOTICE, &b);
    return true;
}

static void queue_notice(ctx_t *c)
{
    lk_buf_t b;
    lk_buf_init(&b, LK_POL_TEXT_MAX);
    if (c->st->away) {
        lk_pol_availability(c, &b);
    } else {
        lk_pol_add(&b, T(c, T_QUEUED));
        lk_pol_availability(c, &b);
        lk_pol_add(&b, T(c, T_QUEUED_TAIL));
    }
    lk_pol_say_buf(c, LK_SENDER_SYSTEM, LK_SAY_QUEUE_NOTICE, &b);
}

/* A customer message while queued: never a bot answer. */
static void queued_message(ctx_t *c, const lk_policy_event_t *ev, const lk_nlu_reading_t *r)
{
    lk_policy_state_t *st = c->st;
    st->customer_turns++;
    st->pending = LK_PENDING_NONE;
    bool asked = at_least(r->signals.person_request, c->cfg->person_request_min);
    if (refresh_availability(c))
        return;
    st->quiet_msgs++; /* a message since the last queue notice (the button reads it too) */
    if (st->away) {
        char *contact = ev->text ? lk_pol_find_contact(ev->text, ev->len) : NULL;
        if (contact) {
            lk_policy_action_t *cb = lk_pol_push(c->out, LK_ACTION_CALLBACK_REQUEST);
            cb->text = lk_xstrndup(ev->text, ev->len);
            cb->contact = contact;
            st->callbacks++;
            lk_buf_t b;
            lk_buf_init(&b, LK_POL_TEXT_MAX);
            lk_pol_add_fmt(&b, c, T_CALLBACK_THANKS, contact);
            lk_pol_say_buf(c, LK_SENDER_SYSTEM, LK_SAY_CALLBACK_NOTICE, &b);
        } else if (asked) {
            queue_notice(c);
        } else if (!st->callback_hinted && st->callbacks == 0) {
            st->callback_hinted = true;
            lk_pol_say(c, LK_SENDER_SYSTEM, LK_SAY_CALLBACK_NOTICE, T(c, T_CALLBACK_HINT));
        }
        return;
    }
    int64_t pos = lk_pol_queue_pos(c->env);
    if (asked || (pos > 0 && pos != st->notice_pos) || st->quiet_msgs >= 3)
        queue_notice(c);
}

/* The button again while queued: the customer hears where they stand when
 * that changed since the last notice, or once when their own messages have
 * pushed that notice out of sight. Pressing it again and again adds no
 * identical notices (the server's reply still carries status and position). */
static void queued_button(ctx_t *c)
{
    if (refresh_availability(c))
        return;
    int64_t pos = lk_pol_queue_pos(c->env);
    bool moved = !c->st->away && pos > 0 && pos != c->st->notice_pos;
    if (moved || c->st->quiet_msgs > 0)
        queue_notice(c);
}

static void on_message(ctx_t *c, const lk_policy_event_t *ev)
{
    lk_nlu_reading_t empty;
    const lk_nlu_reading_t *r = ev->reading;
    if (!r) {
        memset(&empty, 0, sizeof empty);
        r = &empty;
    }
    switch (c->st->status) {
    case LK_CONV_CLOSED: {
        /* A reopened conversation starts fresh with the bot. */
        char lang[sizeof c->st->language];
        memcpy(lang, c->st->language, sizeof lang);
        lk_policy_state_init(c->st, lang);
        greet(c);
        bot_message(c, ev, r);
        break;
    }
    case LK_CONV_BOT:
        bot_message(c, ev, r);
        break;
    case LK_CONV_QUEUED:
        queued_message(c, ev, r);
        break;
    case LK_CONV_ASSIGNED:
        c->st->customer_turns++; /* the agent answers; the bot stays silent */
        break;
    }
}

static void on_button(ctx_t *c)
{
    switch (c->st->status) {
    case LK_CONV_CLOSED: {
        char lang[sizeof c->st->language];
        memcpy(lang, c->st->language, sizeof lang);
        lk_policy_state_init(c->st, lang);
        lk_pol_handoff(c, LK_HANDOFF_BUTTON);
        break;
    }
    case LK_CONV_BOT:
        lk_pol_handoff(c, LK_HANDOFF_BUTTON);
        break;
    case LK_CONV_QUEUED:
        queued_button(c);
        break;
    case LK_CONV_ASSIGNED:
        break; /* already with a person */
    }
}

static void on_agent_joins(ctx_t *c, const char *name)
{
    lk_policy_state_t *st = c->st;
    st->status = LK_CONV_ASSIGNED;
    st->pending = LK_PENDING_NONE;
    st->away = false;
    st->quiet_msgs = 0;
    st->notice_pos = 0;
    lk_buf_t b;
    lk_buf_init(&b, LK_POL_TEXT_MAX);
    if (name && *name && strlen(name) <= 200 && lk_utf8_valid(name, strlen(name)))
        lk_pol_add_fmt(&b, c, T_AGENT_JOINS_NAMED, name);
    else
        (void)lk_buf_append_cstr(&b, T(c, T_AGENT_JOINS));
    lk_pol_say_buf(c, LK_SENDER_SYSTEM, LK_SAY_AGENT_NOTICE, &b);
}

static void on_agent_leaves(ctx_t *c)
{
    if (c->st->status != LK_CONV_ASSIGNED)
        return;
    c->st->status = LK_CONV_QUEUED;
    lk_buf_t b;
    lk_buf_init(&b, LK_POL_TEXT_MAX);
    lk_pol_add(&b, T(c, T_AGENT_LEAVES));
    lk_pol_availability(c, &b);
    lk_pol_say_buf(c, LK_SENDER_SYSTEM, LK_SAY_AGENT_NOTICE, &b);
}

static void on_close(ctx_t *c)
{
    if (c->st->status == LK_CONV_CLOSED)
        return;
    c->st->status = LK_CONV_CLOSED;
    c->st->pending = LK_PENDING_NONE;
    c->st->away = false;
    lk_pol_say(c, LK_SENDER_SYSTEM, LK_SAY_CLOSED_NOTICE, T(c, T_CLOSED));
}

static void on_tick(ctx_t *c)
{
    if (c->st->status != LK_CONV_QUEUED)
        return;
    if (refresh_availability(c))
        return;
    int64_t pos = lk_pol_queue_pos(c->env);
    if (!c->st->away && pos > 0 && pos != c->st->notice_pos)
        queue_notice(c);
}

int lk_policy_step(const lk_policy_config_t *cfg, const lk_policy_state_t *state, const lk_policy_event_t *ev,
                   const lk_policy_env_t *env, lk_policy_state_t *next, lk_policy_actions_t *actions)
{
    if (actions) {
        actions->items = NULL;
        actions->n = 0;
    }
    if (!state || !ev || !env || !next || !actions || !lk_pol_state_valid(state))
        return LK_EINVAL;
    lk_policy_config_t def;
    if (!cfg) {
        lk_policy_config_default(&def);
        cfg = &def;
    }
    lk_policy_state_t st = *state;
    ctx_t c = {cfg, env, &st, actions};
    switch (ev->type) {
    case LK_EV_START:
        greet(&c);
        break;
    case LK_EV_MESSAGE:
        on_message(&c, ev);
        break;
    case LK_EV_BUTTON:
        on_button(&c);
        break;
    case LK_EV_AGENT_JOINS:
        on_agent_joins(&c, ev->agent_name);
        break;
    case LK_EV_AGENT_LEAVES:
        on_agent_leaves(&c);
        break;
    case LK_EV_CLOSE:
        on_close(&c);
        break;
    case LK_EV_TICK:
        on_tick(&c);
        break;
    default:
        return LK_EINVAL;
    }
    lk_pol_saturate(&st);
    *next = st;
    return 0;
}
