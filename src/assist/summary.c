/*
 * The hand-off summary: extractive and deterministic. It quotes the
 * customer's own words (the last few questions), names the articles the bot
 * answered with, and says why and when the conversation was handed over.
 */
#include "assist/assist.h"

#include "util/util.h"

#include <string.h>

#define QUOTE_MAX 160 /* bytes of one quoted message */
#define QUESTIONS_MAX 3

static const char *reason_text(const char *reason)
{
    static const struct {
        const char *reason, *text;
    } map[] = {
        {"customer_request", "the customer asked for a person"},
        {"button", "the customer pressed the \"talk to a person\" button"},
        {"low_confidence", "the bot was not sure enough of an answer"},
        {"repeated_failure", "the bot could not answer twice in a row"},
        {"loop", "the customer asked the same question repeatedly"},
        {"negative_sentiment", "the customer sounded angry or frustrated"},
        {"complaint", "the customer filed a complaint"},
        {"complex", "the customer asked several questions at once"},
        {"sensitive_topic", "the question is about a sensitive topic"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i].reason, reason) == 0)
            return map[i].text;
    return reason;
}

/* Appends at most QUOTE_MAX bytes of s, cut at a UTF-8 character boundary. */
static void quote(lk_buf_t *b, const char *s)
{
    size_t len = strlen(s);
    bool cut = len > QUOTE_MAX;
    if (cut) {
        len = QUOTE_MAX;
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
            len--;
    }
    lk_buf_append_cstr(b, "\"");
    for (size_t i = 0; i < len; i++)
        lk_buf_append(b, (s[i] == '\n' || s[i] == '\r') ? " " : &s[i], 1);
    lk_buf_append_cstr(b, cut ? "...\"" : "\"");
}

char *lk_assist_summary(const lk_conv_t *conv, const lk_msg_t *msgs, size_t n_msgs)
{
    lk_buf_t b;
    lk_buf_init(&b, 1 << 16);
    lk_buf_printf(&b, "Language: %s. Status: %s.", conv->language, conv->status);
    if (conv->handoff_reason[0])
        lk_buf_printf(&b, " Handed over because %s.", reason_text(conv->handoff_reason));

    size_t n_customer = 0, first = 0;
    for (size_t i = 0; i < n_msgs; i++)
        if (strcmp(msgs[i].sender, "customer") == 0)
            n_customer++;
    if (n_customer == 0) {
        lk_buf_append_cstr(&b, " The customer has not written anything yet.");
        return lk_buf_steal(&b, NULL);
    }
    lk_buf_printf(&b, "\nThe customer wrote %zu message%s", n_customer, n_customer == 1 ? "" : "s");
    if (n_customer > QUESTIONS_MAX) {
        lk_buf_printf(&b, "; the last %d:", QUESTIONS_MAX);
        first = n_customer - QUESTIONS_MAX;
    } else {
        lk_buf_append_cstr(&b, ":");
    }
    size_t k = 0;
    for (size_t i = 0; i < n_msgs; i++) {
        if (strcmp(msgs[i].sender, "customer") != 0)
            continue;
        if (k++ < first)
            continue;
        lk_buf_append_cstr(&b, "\n- ");
        quote(&b, msgs[i].text ? msgs[i].text : "");
    }

    size_t answers = 0;
    for (size_t i = 0; i < n_msgs; i++)
        if (msgs[i].article_id)
            answers++;
    if (answers == 0) {
        lk_buf_append_cstr(&b, "\nThe bot gave no answer from the knowledge base.");
    } else {
        lk_buf_printf(&b, "\nThe bot answered %zu time%s from the knowledge base:", answers, answers == 1 ? "" : "s");
        for (size_t i = 0; i < n_msgs; i++)
            if (msgs[i].article_id)
                lk_buf_printf(&b, " %s (confidence %.2f);", msgs[i].article_id, msgs[i].confidence);
        b.data[b.len - 1] = '.';
    }
    return lk_buf_steal(&b, NULL);
}
