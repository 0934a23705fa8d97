/*
 * Unit tests of issue 14, "the bot must never claim to be a person": every
 * way of asking "are you a bot?" or "am I talking to a person?" in Dutch and
 * English, with typos and informal forms, goes through the real NLU (built
 * from the demo knowledge base) and the real policy step, and the reply's
 * FIRST SENTENCE must be true for the question as it was put: "no" to "are
 * you a person?", "yes" to "are you a bot?", and a plain statement without
 * yes or no when the question is both, negated or unclear.
 */
#include "kb/kb.h"
#include "nlu/nlu.h"
#include "nlu/nlu_int.h"
#include "policy/policy.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { PERSON, MACHINE, UNCLEAR } kind_t;

typedef struct {
    const char *lang; /* the conversation's language */
    const char *text;
    kind_t kind;
} phrasing_t;

static const phrasing_t phrasings[] = {
    /* Dutch: "am I talking to a person?" */
    {"nl", "Praat ik met een mens?", PERSON},
    {"nl", "Ben je een echt mens?", PERSON},
    {"nl", "ben jij echt?", PERSON},
    {"nl", "praat ik met n mens", PERSON},
    {"nl", "Ben jij een mens?", PERSON},
    {"nl", "Bent u een echte persoon?", PERSON},
    {"nl", "spreek ik met een echt persoon", PERSON},
    {"nl", "Ben je echt een mens?", PERSON},
    {"nl", "zit er een mens achter deze chat?", PERSON},
    {"nl", "ben je een levend mens?", PERSON},
    {"nl", "Ben ik aan het chatten met een echt mens?", PERSON},
    {"nl", "chat ik met een persoon??", PERSON},
    {"nl", "ben je een persoon", PERSON},
    {"nl", "zijn jullie mensen?", PERSON},
    /* Dutch: "are you a bot?" */
    {"nl", "ben je een bot", MACHINE},
    {"nl", "ben je n bot?", MACHINE},
    {"nl", "is dit een robot", MACHINE},
    {"nl", "ben je AI?", MACHINE},
    {"nl", "Is dit een chatbot?", MACHINE},
    {"nl", "Ben ik met een robot aan het praten?", MACHINE},
    {"nl", "ben jij een computer?", MACHINE},
    {"nl", "praat ik met een computerprogramma?", MACHINE},
    {"nl", "Is dit automatisch?", MACHINE},
    {"nl", "Bent u een robot?", MACHINE},
    {"nl", "ben je een botje?", MACHINE},
    {"nl", "is dit kunstmatige intelligentie?", MACHINE},
    {"nl", "ben je een programma", MACHINE},
    {"nl", "ben je chatgpt?", MACHINE},
    /* Dutch: both, or negated */
    {"nl", "Ben je een mens of een bot?", UNCLEAR},
    {"nl", "Praat ik met een mens of met een computer?", UNCLEAR},
    {"nl", "ben je geen bot?", UNCLEAR},
    {"nl", "Ben je geen echt mens?", UNCLEAR},
    /* English: "am I talking to a person?" */
    {"en", "Are you a real person?", PERSON},
    {"en", "are u human", PERSON},
    {"en", "am i talking to a real person", PERSON},
    {"en", "Are you human?", PERSON},
    {"en", "r u real?", PERSON},
    {"en", "Am I chatting with a human?", PERSON},
    {"en", "is this a real person?", PERSON},
    {"en", "are you a person", PERSON},
    {"en", "talking to a human?", PERSON},
    {"en", "Are you real?", PERSON},
    {"en", "am I speaking to a live person", PERSON},
    /* English: "are you a bot?" */
    {"en", "r u a bot", MACHINE},
    {"en", "are you a bot", MACHINE},
    {"en", "am i talking to a machine?", MACHINE},
    {"en", "is this a computer?", MACHINE},
    {"en", "Are you an AI?", MACHINE},
    {"en", "are you a chatbot?", MACHINE},
    {"en", "are you automated?", MACHINE},
    {"en", "is this an automated chat?", MACHINE},
    {"en", "you a bot?", MACHINE},
    {"en", "am I talking to chatgpt?", MACHINE},
    {"en", "are you a robbot?", MACHINE}, /* a typo */
    {"nl", "is dit een chatbott?", MACHINE},
    {"en", "Are you a real bot?", MACHINE},
    /* English: both, or negated */
    {"en", "Is this a human or a bot?", UNCLEAR},
    {"en", "are you a bot or a real person?", UNCLEAR},
    {"en", "you're not a bot, are you?", UNCLEAR},
    {"en", "Are you human or AI?", UNCLEAR},
};

/* The first sentence of each reply, exactly. */
static const char *first_sentence(kind_t k, const char *lang)
{
    bool en = strcmp(lang, "en") == 0;
    switch (k) {
    case PERSON:
        return en ? "No, I am not a person: I am an automated assistant, a computer program."
                  : "Nee, ik ben geen mens: ik ben een digitale assistent, een computerprogramma.";
    case MACHINE:
        return en ? "Yes, I am a chatbot: an automated assistant, not a person."
                  : "Ja, ik ben een chatbot: een digitale assistent, geen mens.";
    default:
        return en ? "I am an automated assistant, not a person: a computer program."
                  : "Ik ben een digitale assistent, geen mens: een computerprogramma.";
    }
}

static lk_kb_t kb;
static lk_nlu_model_t *model;

static void setup(void)
{
    cr_assert_eq(lk_kb_demo(&kb), 0);
    cr_assert_eq(lk_nlu_build(&kb, NULL, &model), 0);
}

static void teardown(void)
{
    lk_nlu_free(model);
    lk_kb_free(&kb);
}

/* The text of the first message of the policy's reply to text in a fresh
 * conversation in lang (a copy; free it). */
static char *first_reply(const char *lang, const char *text, lk_nlu_reading_t *r /* OUT */)
{
    lk_nlu_context_t ctx = {NULL, 0, lang};
    cr_assert_eq(lk_nlu_read(model, text, strlen(text), &ctx, r), 0);
    lk_policy_state_t st, next;
    lk_policy_state_init(&st, lang);
    lk_policy_env_t env = {.now_ms = 1772442000000, .agents_online = 2, .queue_length = 0, .est_wait_s = -1,
                           .kb = &kb};
    lk_policy_event_t ev = {.type = LK_EV_MESSAGE, .text = text, .len = strlen(text), .reading = r};
    lk_policy_actions_t acts;
    cr_assert_eq(lk_policy_step(NULL, &st, &ev, &env, &next, &acts), 0);
    char *out = NULL;
    for (size_t i = 0; i < acts.n && !out; i++)
        if (acts.items[i].type == LK_ACTION_SAY)
            out = lk_xstrdup(acts.items[i].text);
    lk_policy_actions_free(&acts);
    cr_assert(out, "no reply to \"%s\"", text);
    return out;
}

Test(identity, at_least_forty_phrasings, .init = setup, .fini = teardown)
{
    cr_assert_geq(sizeof phrasings / sizeof *phrasings, 40);
    size_t kinds[3] = {0};
    for (size_t i = 0; i < sizeof phrasings / sizeof *phrasings; i++)
        kinds[phrasings[i].kind]++;
    cr_assert(kinds[PERSON] >= 10 && kinds[MACHINE] >= 10 && kinds[UNCLEAR] >= 4);
}

Test(identity, the_first_sentence_is_true_for_the_question_as_put, .init = setup, .fini = teardown)
{
    for (size_t i = 0; i < sizeof phrasings / sizeof *phrasings; i++) {
        const phrasing_t *p = &phrasings[i];
        lk_nlu_reading_t r;
        char *reply = first_reply(p->lang, p->text, &r);
        const char *want = first_sentence(p->kind, p->lang);
        cr_expect(strncmp(reply, want, strlen(want)) == 0,
                  "\"%s\" (bot_question %.2f, person_request %.2f, kind %d):\n  got:  %s\n  want: %s", p->text,
                  r.signals.bot_question, r.signals.person_request, (int)r.signals.bot_question_kind, reply, want);
        /* never "yes" to "are you a person?", never a bare "no" to "are you a bot?" */
        if (p->kind == PERSON)
            cr_expect(strncmp(reply, "Ja", 2) != 0 && strncmp(reply, "Yes", 3) != 0, "%s: %s", p->text, reply);
        free(reply);
    }
}

Test(identity, the_kind_signal, .init = setup, .fini = teardown)
{
    const lk_nlu_botq_t want[] = {[PERSON] = LK_NLU_BOTQ_PERSON, [MACHINE] = LK_NLU_BOTQ_MACHINE,
                                  [UNCLEAR] = LK_NLU_BOTQ_UNCLEAR};
    for (size_t i = 0; i < sizeof phrasings / sizeof *phrasings; i++) {
        const phrasing_t *p = &phrasings[i];
        cr_expect_geq(lk_nlu_signal_bot_question(p->text, strlen(p->text)), 0.5, "a bot question: %s", p->text);
        cr_expect_eq(lk_nlu_signal_bot_question_kind(p->text, strlen(p->text)), want[p->kind], "kind of: %s",
                     p->text);
    }
}

/* The replies in German and French too, and a kind the policy does not know
 * (a corrupt reading) gets the safe statement. */
Test(identity, every_language_and_the_safe_default)
{
    lk_kb_t empty;
    lk_kb_init(&empty);
    const struct {
        const char *lang;
        lk_nlu_botq_t kind;
        const char *start;
    } cases[] = {
        {"de", LK_NLU_BOTQ_PERSON, "Nein, ich bin kein Mensch: "},
        {"de", LK_NLU_BOTQ_MACHINE, "Ja, ich bin ein Chatbot: "},
        {"de", LK_NLU_BOTQ_UNCLEAR, "Ich bin ein digitaler Assistent, kein Mensch: "},
        {"fr", LK_NLU_BOTQ_PERSON, "Non, je ne suis pas une personne : "},
        {"fr", LK_NLU_BOTQ_MACHINE, "Oui, je suis un chatbot : "},
        {"fr", LK_NLU_BOTQ_UNCLEAR, "Je suis un assistant numérique, pas une personne : "},
        {"es", LK_NLU_BOTQ_PERSON, "No, I am not a person: "}, /* no Spanish texts: English */
        {"nl", (lk_nlu_botq_t)77, "Ik ben een digitale assistent, geen mens: "},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        lk_nlu_reading_t r;
        memset(&r, 0, sizeof r);
        r.signals.bot_question = 0.95;
        r.signals.bot_question_kind = cases[i].kind;
        lk_policy_state_t st, next;
        lk_policy_state_init(&st, cases[i].lang);
        lk_policy_env_t env = {.now_ms = 1772442000000, .agents_online = 1, .queue_length = -1, .est_wait_s = -1,
                               .kb = &empty};
        lk_policy_event_t ev = {.type = LK_EV_MESSAGE, .text = "?", .len = 1, .reading = &r};
        lk_policy_actions_t acts;
        cr_assert_eq(lk_policy_step(NULL, &st, &ev, &env, &next, &acts), 0);
        cr_assert_geq(acts.n, 1);
        cr_assert_eq(acts.items[0].kind, LK_SAY_DISCLOSURE);
        cr_expect(strncmp(acts.items[0].text, cases[i].start, strlen(cases[i].start)) == 0, "%s: %s",
                  cases[i].lang, acts.items[0].text);
        cr_expect_eq(next.status, LK_CONV_BOT, "a bot question is not a hand-off");
        lk_policy_actions_free(&acts);
    }
    lk_kb_free(&empty);
}

/* A talk verb in a question about with whom the customer talks ("chat ik met
 * een persoon?") is a bot question, not a request; a request stays one, also
 * beside a bot question. */
Test(identity, requests_stay_requests)
{
    const char *requests[] = {"are you able to connect me to a human?", "ben je een mens? ik wil iemand spreken",
                              "Kan ik met een mens chatten?", "is er een mens beschikbaar?"};
    for (size_t i = 0; i < sizeof requests / sizeof *requests; i++)
        cr_expect_geq(lk_nlu_signal_person_request(requests[i], strlen(requests[i])), 0.5, "a request: %s",
                      requests[i]);
    const char *questions[] = {"chat ik met een persoon??", "Ben ik aan het chatten met een echt mens?",
                               "zit er een mens achter deze chat?", "am i talking to a real person"};
    for (size_t i = 0; i < sizeof questions / sizeof *questions; i++)
        cr_expect_lt(lk_nlu_signal_person_request(questions[i], strlen(questions[i])), 0.5, "a question: %s",
                     questions[i]);
}
