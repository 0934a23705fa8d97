/*
 * fuzz_policy_state: the conversation policy's state as the database holds
 * it (conversations.policy_state, JSON written by lk_policy_state_encode()),
 * read back with lk_policy_state_decode(), and then stepped with events.
 * A stored state outlives the knowledge base and the program version that
 * wrote it, so whatever decode accepts must be a state that
 * lk_policy_step() handles: e.g. a last_article beyond today's articles.
 *
 * Input: the state's text, then FUZZ_SEP and up to eight events of four
 * bytes each (type, reading: article and confidence, signals, and (issue
 * 15) whether the reading asks, whether the message is a pick of a choice,
 * and whether it is read in parts as lk_nlu_split cuts it), then FUZZ_SEP
 * and the customer's text for the message events.
 *
 * Invariants: decode accepts exactly what it documents, encode(decode(x))
 * decodes to the same state and encodes to the same text; every step
 * succeeds on a decoded state with a valid result that decode accepts
 * again: messages are non-empty
 * valid UTF-8 from "bot" or "system", quote only existing articles, and the
 * bot never answers from the knowledge base once the conversation is queued
 * for or assigned to a person; the next state round-trips too.
 */
#include "fuzz.h"

#include "kb/kb.h"
#include "policy/policy.h"
#include "util/util.h"

static lk_kb_t kb;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    lk_log_set_level(LK_LOG_OFF);
    FUZZ_CHECK(lk_kb_demo(&kb) == 0);
    return 0;
}

static bool state_eq(const lk_policy_state_t *a, const lk_policy_state_t *b)
{
    return a->status == b->status && a->handoff_reason == b->handoff_reason && !strcmp(a->language, b->language) &&
           a->consecutive_declines == b->consecutive_declines && a->customer_turns == b->customer_turns &&
           a->repeats == b->repeats && a->pending == b->pending && a->last_article == b->last_article &&
           a->away == b->away && a->callback_hinted == b->callback_hinted && a->callbacks == b->callbacks &&
           a->notice_pos == b->notice_pos && a->quiet_msgs == b->quiet_msgs;
}

/* What lk_policy_state_decode() accepts (src/policy/state.c): every state
 * a step writes is stored, so it must lie within these bounds. Checked after
 * each step; the full JSON round trip (check_roundtrip) runs on the first
 * and the last state of an input, as it costs most of the time. */
static void check_bounds(const lk_policy_state_t *st)
{
    const int big = 1000000000;
    FUZZ_CHECK(st->status >= LK_CONV_BOT && st->status <= LK_CONV_CLOSED);
    FUZZ_CHECK((int)st->handoff_reason >= 0 && st->handoff_reason <= LK_HANDOFF_LANGUAGE);
    FUZZ_CHECK(st->pending >= LK_PENDING_NONE && st->pending <= LK_PENDING_CHOICE);
    size_t n = strnlen(st->language, sizeof st->language);
    FUZZ_CHECK(n >= 2 && n < sizeof st->language && strspn(st->language, "abcdefghijklmnopqrstuvwxyz") == n);
    FUZZ_CHECK(st->consecutive_declines >= 0 && st->consecutive_declines <= big);
    FUZZ_CHECK(st->customer_turns >= 0 && st->customer_turns <= big);
    FUZZ_CHECK(st->repeats >= 0 && st->repeats <= big);
    FUZZ_CHECK(st->last_article >= -1 && st->last_article <= big);
    FUZZ_CHECK(st->callbacks >= 0 && st->callbacks <= big);
    FUZZ_CHECK(st->notice_pos >= 0);
    FUZZ_CHECK(st->quiet_msgs >= 0 && st->quiet_msgs <= big);
}

/* encode -> decode -> encode is the identity on a valid state */
static void check_roundtrip(const lk_policy_state_t *st)
{
    char *s = lk_policy_state_encode(st);
    FUZZ_CHECK(s && lk_utf8_valid(s, strlen(s)));
    lk_policy_state_t back;
    if (lk_policy_state_decode(s, &back) != 0)
        fprintf(stderr, "fuzz: decode refuses what encode wrote: %s\n", s);
    FUZZ_CHECK(lk_policy_state_decode(s, &back) == 0);
    FUZZ_CHECK(state_eq(st, &back));
    char *s2 = lk_policy_state_encode(&back);
    FUZZ_CHECK(!strcmp(s, s2));
    free(s);
    free(s2);
}

static void check_actions(const lk_policy_state_t *before, const lk_policy_state_t *after,
                          const lk_policy_actions_t *a, lk_policy_event_type_t type, bool pick)
{
    bool handed = false;
    for (size_t i = 0; i < a->n; i++) {
        const lk_policy_action_t *x = &a->items[i];
        switch (x->type) {
        case LK_ACTION_SAY:
            FUZZ_CHECK(x->sender == LK_SENDER_BOT || x->sender == LK_SENDER_SYSTEM);
            FUZZ_CHECK(x->text && x->text[0] && lk_utf8_valid(x->text, strlen(x->text)));
            FUZZ_CHECK(x->article == -1 || (x->article >= 0 && (size_t)x->article < kb.n_articles));
            FUZZ_CHECK(lk_policy_say_kind_name(x->kind) != NULL);
            /* choices: two or three existing articles, only in an offer;
             * "chosen" only on the answer to a pick */
            FUZZ_CHECK(x->n_choices == 0 || (x->kind == LK_SAY_CHOICES && x->n_choices >= 2 &&
                                             x->n_choices <= LK_NLU_TOP_K && x->article == -1));
            for (size_t k = 0; k < x->n_choices; k++)
                FUZZ_CHECK(x->choices[k] >= 0 && (size_t)x->choices[k] < kb.n_articles);
            FUZZ_CHECK(x->kind != LK_SAY_CHOICES || x->n_choices >= 2);
            FUZZ_CHECK(!x->chosen || (x->kind == LK_SAY_ANSWER && pick));
            /* after the hand-off the bot answers nothing from the KB (a
             * message to a closed conversation reopens it with the bot) */
            if (before->status == LK_CONV_QUEUED || before->status == LK_CONV_ASSIGNED || handed)
                FUZZ_CHECK(x->kind != LK_SAY_ANSWER);
            break;
        case LK_ACTION_HANDOFF:
            handed = true;
            FUZZ_CHECK(x->reason != LK_HANDOFF_NONE);
            break;
        case LK_ACTION_CALLBACK_REQUEST:
            FUZZ_CHECK(x->contact && x->contact[0]);
            break;
        default:
            FUZZ_CHECK(!"unknown action type");
        }
    }
    /* a hand-off is the only way from the bot to the queue */
    if (before->status == LK_CONV_BOT && after->status == LK_CONV_QUEUED)
        FUZZ_CHECK(handed);
    /* only closing closes */
    if (after->status == LK_CONV_CLOSED && before->status != LK_CONV_CLOSED)
        FUZZ_CHECK(type == LK_EV_CLOSE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_part_t parts[3];
    size_t n = fuzz_split(data, size, parts, 3);
    char *json = fuzz_strndup(parts[0].base, parts[0].len);
    lk_policy_state_t st;
    int rc = lk_policy_state_decode(json, &st);
    free(json);
    if (rc != 0) {
        FUZZ_CHECK(rc == LK_EINVAL);
        return 0;
    }
    check_roundtrip(&st);

    const uint8_t *ev = n > 1 ? (const uint8_t *)parts[1].base : NULL;
    size_t n_ev = n > 1 ? parts[1].len / 4 : 0;
    if (n_ev > 8)
        n_ev = 8;
    const char *text = n > 2 ? parts[2].base : "";
    size_t tlen = n > 2 ? parts[2].len : 0;
    if (!lk_utf8_valid(text, tlen)) {
        text = "ok";
        tlen = 2;
    }
    char *text_z = fuzz_strndup(text, tlen);

    int64_t now = 1767225600000; /* 2026-01-01 */
    for (size_t i = 0; i < n_ev; i++) {
        const uint8_t *e = ev + 4 * i;
        lk_nlu_reading_t r;
        memset(&r, 0, sizeof r);
        memcpy(r.language, (e[1] & 0x80) ? "en" : "nl", 3);
        r.language_confidence = (e[1] & 0x40) ? 0.9 : 0.6;
        r.n_top = e[1] & 3;
        for (size_t k = 0; k < r.n_top; k++) {
            r.top[k].article = (long)((e[2] + k) % kb.n_articles);
            r.top[k].confidence = (double)(e[3] >> (2 * k)) / 255.0;
        }
        r.answer = r.n_top > 0 && r.top[0].confidence >= 0.5;
        r.ask = !r.answer && (e[1] & 0x20);
        r.n_choices = r.ask ? r.n_top : 0;
        double sig = (double)(e[0] >> 3) / 31.0;
        switch (e[1] >> 2 & 7) {
        case 1: r.signals.person_request = sig; break;
        case 2: r.signals.bot_question = sig; break;
        case 3: r.signals.negative = sig; break;
        case 4: r.signals.complaint = sig; break;
        case 5: r.signals.multi_question = sig; break;
        case 6: r.signals.repeat = sig; break;
        default: break;
        }
        lk_policy_event_type_t type = (lk_policy_event_type_t)(e[0] % 7);
        lk_policy_event_t event = {.type = type,
                                   .text = text_z,
                                   .len = tlen,
                                   .reading = (e[0] & 0x40) ? NULL : &r,
                                   .agent_name = (e[3] & 1) ? "Anna" : NULL};
        /* a pick of a choice (the server checks it was offered; here any
         * article), or the message read in parts */
        bool pick = (e[3] & 6) == 6;
        event.chosen = pick;
        event.choice = (long)(e[2] % kb.n_articles);
        lk_nlu_span_t spans[LK_NLU_SPLIT_MAX];
        lk_policy_part_t pp[LK_NLU_SPLIT_MAX];
        lk_nlu_reading_t pr[LK_NLU_SPLIT_MAX];
        if ((e[3] & 0x18) == 0x18 && !pick) {
            size_t np = lk_nlu_split(text_z, tlen, spans, LK_NLU_SPLIT_MAX);
            for (size_t k = 0; np >= 2 && k < np; k++) {
                pr[k] = r;
                pr[k].n_top = 1;
                pr[k].top[0].article = (long)((e[2] + 3 * k) % kb.n_articles);
                pr[k].answer = ((e[3] >> k) & 1) != 0;
                pp[k] = (lk_policy_part_t){text_z + spans[k].off, spans[k].len, &pr[k]};
            }
            if (np >= 2) {
                event.parts = pp;
                event.n_parts = np;
            }
        }
        int64_t wait = (int64_t)(e[2] % 3) * 60 - 1; /* -1 unknown, 59 or 119 s */
        lk_policy_env_t env = {
            .now_ms = now,
            .agents_online = (int)(e[2] % 4) - 1,
            .queue_length = (int64_t)(e[3] % 5) - 1,
            .est_wait_s = wait,
            .est_wait_max_s = wait < 0 ? -1 : wait + (int64_t)((e[3] >> 3) % 3) * 120, /* one figure or a range */
            .kb = &kb,
        };
        lk_policy_state_t next;
        lk_policy_actions_t actions;
        rc = lk_policy_step(NULL, &st, &event, &env, &next, &actions);
        FUZZ_CHECK(rc == 0);
        check_actions(&st, &next, &actions, type, pick);
        lk_policy_actions_free(&actions);
        check_bounds(&next);
        st = next;
        now += (int64_t)e[2] * 60000;
    }
    if (n_ev)
        check_roundtrip(&st);
    free(text_z);
    return 0;
}
