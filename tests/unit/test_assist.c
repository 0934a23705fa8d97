/* Unit tests for assist/: the hand-off summary. */
#include "assist/assist.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static lk_msg_t msg(const char *sender, const char *text, const char *article)
{
    lk_msg_t m = {0};
    snprintf(m.sender, sizeof m.sender, "%s", sender);
    m.text = (char *)text;
    m.article_id = (char *)article;
    m.confidence = 0.87;
    m.has_confidence = article != NULL;
    return m;
}

Test(assist, summary_tells_question_answers_and_reason)
{
    lk_conv_t c = {0};
    snprintf(c.language, sizeof c.language, "nl");
    snprintf(c.status, sizeof c.status, "queued");
    snprintf(c.handoff_reason, sizeof c.handoff_reason, "repeated_failure");
    lk_msg_t msgs[] = {
        msg("bot", "Hallo! Ik ben de digitale assistent.", NULL),
        msg("customer", "Waar blijft bestelling 12345678?", NULL),
        msg("bot", "Je kunt je pakket volgen met de track-and-trace-code.", "track-trace"),
        msg("customer", "Die code werkt niet\nen nu?", NULL),
    };
    char *s = lk_assist_summary(&c, msgs, 4);
    cr_assert(strstr(s, "Language: nl"), "%s", s);
    cr_assert(strstr(s, "could not answer twice in a row"), "%s", s);
    cr_assert(strstr(s, "\"Waar blijft bestelling 12345678?\""), "%s", s);
    cr_assert(strstr(s, "\"Die code werkt niet en nu?\""), "newlines are folded: %s", s);
    cr_assert(strstr(s, "track-trace (confidence 0.87)"), "%s", s);
    char *again = lk_assist_summary(&c, msgs, 4);
    cr_assert_str_eq(s, again, "deterministic");
    free(s);
    free(again);
}

Test(assist, long_messages_are_cut_at_a_character_boundary)
{
    char text[400];
    for (size_t i = 0; i + 2 < sizeof text; i += 2)
        memcpy(text + i, "\xc3\xa9", 2); /* é */
    text[sizeof text - 2] = '\0';
    lk_conv_t c = {0};
    snprintf(c.language, sizeof c.language, "nl");
    snprintf(c.status, sizeof c.status, "bot");
    lk_msg_t m = msg("customer", text, NULL);
    char *s = lk_assist_summary(&c, &m, 1);
    cr_assert(strstr(s, "...\""), "%s", s);
    cr_assert(lk_utf8_valid(s, strlen(s)), "the cut keeps UTF-8 valid");
    cr_assert(strstr(s, "no answer from the knowledge base"));
    free(s);
}
