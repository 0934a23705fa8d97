/* Unit tests for assist/: the hand-off summary, suggested replies, entities,
 * the customer history's one-line summaries. */
#include "assist/assist.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static lk_msg_t msg(const char *sender, const char *text, const char *article)
{
    lk_msg_t m = {0};
    lk_sender_parse(sender, &m.sender);
    m.text = (char *)text;
    m.article_id = (char *)article;
    m.confidence = 0.87;
    m.has_confidence = article != NULL;
    return m;
}

static lk_conv_t conv(const char *language, const char *status, const char *reason)
{
    lk_conv_t c = {0};
    snprintf(c.language, sizeof c.language, "%s", language);
    lk_conv_status_parse(status, &c.status);
    lk_handoff_reason_parse(reason, &c.handoff_reason);
    return c;
}

/* Without readings and knowledge base: what the summary can say from the
 * messages alone. */
static char *summary_plain(const lk_conv_t *c, const lk_msg_t *msgs, size_t n, const char *lang,
                           lk_assist_summary_t *fields)
{
    lk_assist_conv_t cv = {.conv = c, .msgs = msgs, .n_msgs = n, .person_min = 0.5, .negative_min = 0.5};
    return lk_assist_summary(&cv, lang, fields);
}

/* ---- the summary ---------------------------------------------------------- */

Test(assist, summary_tells_question_answers_and_reason)
{
    lk_conv_t c = conv("nl", "queued", "repeated_failure");
    lk_msg_t msgs[] = {
        msg("bot", "Hallo! Ik ben de digitale assistent.", NULL),
        msg("customer", "Waar blijft bestelling 12345678?", NULL),
        msg("bot", "Je kunt je pakket volgen met de track-and-trace-code.", "track-trace"),
        msg("customer", "Die code werkt niet\nen nu?", NULL),
    };
    char *s = summary_plain(&c, msgs, 4, "en", NULL);
    cr_assert(strstr(s, "Language: nl"), "%s", s);
    cr_assert(strstr(s, "could not answer twice in a row"), "%s", s);
    cr_assert(strstr(s, "\"Waar blijft bestelling 12345678?\""), "%s", s);
    cr_assert(strstr(s, "\"Die code werkt niet en nu?\""), "newlines are folded: %s", s);
    cr_assert(strstr(s, "track-trace (confidence 0.87)"), "%s", s);
    cr_assert(strstr(s, "order number 12345678"), "the order number is a recognised detail: %s", s);
    char *again = summary_plain(&c, msgs, 4, "en", NULL);
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
    lk_conv_t c = conv("nl", "bot", "");
    lk_msg_t m = msg("customer", text, NULL);
    char *s = summary_plain(&c, &m, 1, "en", NULL);
    cr_assert(strstr(s, "...\""), "%s", s);
    cr_assert(lk_utf8_valid(s, strlen(s)), "the cut keeps UTF-8 valid");
    cr_assert(strstr(s, "no answer from the knowledge base"));
    free(s);
}

Test(assist, summary_in_dutch_with_fields_and_titles)
{
    lk_kb_t kb;
    lk_kb_init(&kb);
    lk_article_t a = {.id = "pakket-volgen", .language = "nl", .title = "Waar is mijn pakket?", .answer = "Volg het."};
    lk_kb_add(&kb, &a);
    lk_conv_t c = conv("nl", "queued", "customer_request");
    lk_msg_t msgs[] = {
        msg("bot", "Hallo!", NULL),
        msg("customer", "Waar is mijn pakket? Bestelnummer TT-2024-0012", NULL),
        msg("bot", "Volg het.", "pakket-volgen"),
        msg("customer", "Nee", NULL),
        msg("bot", "Volg het nog eens.", "pakket-volgen"),
        msg("customer", "Het kostte € 12,50 en ik bestelde op 3 maart 2024", NULL),
        msg("agent", "Ik kijk even. Bestelnummer 99999999?", NULL),
    };
    lk_assist_conv_t cv = {.conv = &c, .msgs = msgs, .n_msgs = 7, .kb = &kb, .person_min = 0.5, .negative_min = 0.5};
    lk_assist_summary_t f;
    char *s = lk_assist_summary(&cv, "nl", &f);
    cr_assert(strstr(s, "Taal: nl (Nederlands)"), "%s", s);
    cr_assert(strstr(s, "Overgedragen omdat de klant om een medewerker vroeg."), "%s", s);
    cr_assert(strstr(s, "pakket-volgen (zekerheid 0,87) \"Waar is mijn pakket?\""), "%s", s);
    cr_assert(strstr(s, "Gegevens: bestelnummer TT-2024-0012; bedrag € 12,50; datum 3 maart 2024"), "%s", s);
    cr_assert_null(strstr(s, "\"Nee\""), "a bare no is no question: %s", s);
    cr_assert_null(strstr(s, "99999999"), "only the customer's details: %s", s);

    cr_assert_eq(f.n_questions, 2);
    cr_assert_str_eq(f.questions[0], "Waar is mijn pakket? Bestelnummer TT-2024-0012");
    cr_assert_eq(f.n_answers, 1, "each article once");
    cr_assert_str_eq(f.answers[0].article_id, "pakket-volgen");
    cr_assert_str_eq(f.answers[0].title, "Waar is mijn pakket?");
    cr_assert_str_eq(f.handoff_reason, "customer_request");
    cr_assert_str_eq(f.language, "nl");
    cr_assert_str_eq(f.sentiment, "neutral");
    const char *types[] = {"order_number", "amount", "date"}; /* in the order they were said */
    cr_assert_eq(f.n_entities, 3);
    for (size_t i = 0; i < 3; i++)
        cr_assert_str_eq(f.entities[i].type, types[i]);
    cr_assert_str_eq(f.entities[0].value, "TT-2024-0012");
    lk_assist_summary_clear(&f);
    free(s);
    lk_kb_free(&kb);
}

Test(assist, summary_keeps_the_last_three_questions_and_says_when_there_is_none)
{
    lk_conv_t c = conv("en", "queued", "button");
    lk_msg_t msgs[] = {
        msg("customer", "first question about chairs", NULL), msg("customer", "second question about tables", NULL),
        msg("customer", "third question about lamps", NULL),  msg("customer", "fourth question about rugs", NULL),
    };
    lk_assist_summary_t f;
    char *s = summary_plain(&c, msgs, 4, "en", &f);
    cr_assert_eq(f.n_questions, 3);
    cr_assert_str_eq(f.questions[0], "second question about tables");
    cr_assert_null(strstr(s, "chairs"), "%s", s);
    cr_assert(strstr(s, "the \"talk to a person\" button"), "%s", s);
    lk_assist_summary_clear(&f);
    free(s);

    lk_msg_t only = msg("customer", "ok thanks", NULL);
    s = summary_plain(&c, &only, 1, "en", &f);
    cr_assert_eq(f.n_questions, 0);
    cr_assert(strstr(s, "no question of their own"), "%s", s);
    cr_assert_str_eq(f.sentiment, "positive");
    lk_assist_summary_clear(&f);
    free(s);

    s = summary_plain(&c, NULL, 0, "nl", NULL);
    cr_assert(strstr(s, "nog niets geschreven"), "%s", s);
    free(s);
}

/* ---- sentiment ------------------------------------------------------------ */

static lk_nlu_reading_t reading(double negative, double person, bool answer)
{
    lk_nlu_reading_t r;
    memset(&r, 0, sizeof r);
    r.signals.negative = negative;
    r.signals.person_request = person;
    r.answer = answer;
    return r;
}

Test(assist, sentiment_follows_the_last_clear_sign)
{
    lk_conv_t c = conv("nl", "queued", "");
    lk_msg_t msgs[] = {
        msg("customer", "Dit is echt belachelijk", NULL),
        msg("bot", "Sorry", NULL),
        msg("customer", "Super, bedankt!", NULL),
    };
    lk_nlu_reading_t r0 = reading(0.9, 0, false), r2 = reading(0, 0, false);
    const lk_nlu_reading_t *rs[] = {&r0, NULL, &r2};
    lk_assist_conv_t cv = {.conv = &c, .msgs = msgs, .n_msgs = 3, .readings = rs, .negative_min = 0.5};
    cr_assert_str_eq(lk_assist_sentiment(&cv), "positive", "thanks after anger");
    cv.n_msgs = 1;
    cr_assert_str_eq(lk_assist_sentiment(&cv), "negative");
    cv.readings = NULL;
    cr_assert_str_eq(lk_assist_sentiment(&cv), "neutral", "no NLU, no praise");

    lk_msg_t neg[] = {msg("customer", "Ik ben niet tevreden en not happy", NULL)};
    lk_assist_conv_t cn = {.conv = &c, .msgs = neg, .n_msgs = 1, .negative_min = 0.5};
    cr_assert_str_eq(lk_assist_sentiment(&cn), "neutral", "negated praise is no praise");
    lk_msg_t pos[] = {msg("customer", "Thank you, that was very helpful", NULL)};
    cn.msgs = pos;
    cr_assert_str_eq(lk_assist_sentiment(&cn), "positive");
    lk_msg_t word[] = {msg("customer", "Stop met die supermarktfolder", NULL)};
    cn.msgs = word;
    cr_assert_str_eq(lk_assist_sentiment(&cn), "neutral", "whole words only");
}

/* ---- suggestions ---------------------------------------------------------- */

static void small_kb(lk_kb_t *kb)
{
    lk_kb_init(kb);
    const char *ids[] = {"retourneren", "verzendkosten", "returns-en", "levertijd"};
    const char *langs[] = {"nl", "nl", "en", "nl"};
    for (int i = 0; i < 4; i++) {
        lk_article_t a = {.id = (char *)ids[i], .language = (char *)langs[i], .title = (char *)ids[i],
                          .answer = (char *)"..."};
        lk_kb_add(kb, &a);
    }
}

static lk_nlu_reading_t ranked(long a, double ca, long b, double cb, long c, double cc)
{
    lk_nlu_reading_t r = reading(0, 0, ca >= 0.5);
    r.top[0] = (lk_nlu_match_t){a, ca};
    r.top[1] = (lk_nlu_match_t){b, cb};
    r.top[2] = (lk_nlu_match_t){c, cc};
    r.n_top = 3;
    return r;
}

Test(assist, suggestions_answer_the_latest_question_in_the_conversation_language)
{
    lk_kb_t kb;
    small_kb(&kb);
    lk_conv_t c = conv("nl", "queued", "");
    lk_msg_t msgs[] = {
        msg("customer", "Wat kost verzenden?", NULL),
        msg("bot", "...", "verzendkosten"),
        msg("customer", "En terugsturen?", NULL),
    };
    lk_nlu_reading_t r0 = ranked(1, 0.9, 3, 0.05, 0, 0.03);
    lk_nlu_reading_t r2 = ranked(0, 0.31, 2, 0.3, 3, 0.2); /* below the threshold, one in English */
    const lk_nlu_reading_t *rs[] = {&r0, NULL, &r2};
    lk_assist_conv_t cv = {.conv = &c, .msgs = msgs, .n_msgs = 3, .readings = rs, .kb = &kb, .person_min = 0.5};
    lk_assist_suggestion_t s[LK_ASSIST_SUGGESTIONS_MAX];
    long q;
    size_t n = lk_assist_suggest(&cv, s, &q);
    cr_assert_eq(q, 2, "the latest customer message");
    cr_assert_eq(n, 2, "the English article is left out");
    cr_assert_eq(s[0].article, 0);
    cr_assert_float_eq(s[0].confidence, 0.31, 1e-9, "confidence below the threshold is kept");
    cr_assert_eq(s[1].article, 3);

    cv.n_msgs = 0;
    cr_assert_eq(lk_assist_suggest(&cv, s, &q), 0, "none for an empty conversation");
    cr_assert_eq(q, -1);
    lk_kb_free(&kb);
}

Test(assist, after_a_bare_request_for_a_person_the_question_before_it)
{
    lk_kb_t kb;
    small_kb(&kb);
    lk_conv_t c = conv("nl", "queued", "customer_request");
    lk_msg_t msgs[] = {
        msg("customer", "Hoe lang duurt de levering?", NULL),
        msg("bot", "...", "levertijd"),
        msg("customer", "Nee", NULL),
        msg("customer", "Ik wil een medewerker spreken", NULL),
    };
    lk_nlu_reading_t r0 = ranked(3, 0.8, 1, 0.1, 0, 0.05);
    lk_nlu_reading_t r2 = ranked(0, 0.1, 1, 0.1, 3, 0.1);
    lk_nlu_reading_t r3 = ranked(1, 0.2, 0, 0.1, 3, 0.05);
    r3.signals.person_request = 0.95;
    const lk_nlu_reading_t *rs[] = {&r0, NULL, &r2, &r3};
    lk_assist_conv_t cv = {.conv = &c, .msgs = msgs, .n_msgs = 4, .readings = rs, .kb = &kb, .person_min = 0.5};
    cr_assert(lk_assist_is_filler(&cv, 3), "a bare request for a person");
    cr_assert(lk_assist_is_filler(&cv, 2), "a bare no");
    cr_assert_not(lk_assist_is_filler(&cv, 0));
    lk_assist_suggestion_t s[LK_ASSIST_SUGGESTIONS_MAX];
    long q;
    size_t n = lk_assist_suggest(&cv, s, &q);
    cr_assert_eq(q, 0);
    cr_assert_eq(n, 3);
    cr_assert_eq(s[0].article, 3, "levertijd first");

    /* a request for a person that also asks something the NLU would answer
     * is a question of its own */
    r3.answer = true;
    cr_assert_not(lk_assist_is_filler(&cv, 3));
    cr_assert_eq(lk_assist_last_question(&cv), 3);
    lk_kb_free(&kb);
}

Test(assist, suggestions_with_the_real_nlu_on_the_demo_kb)
{
    lk_kb_t kb;
    cr_assert_eq(lk_kb_demo(&kb), 0);
    lk_nlu_model_t *nlu;
    cr_assert_eq(lk_nlu_build(&kb, NULL, &nlu), 0);
    lk_conv_t c = conv("nl", "queued", "customer_request");
    lk_msg_t msgs[] = {
        msg("customer", "Hoe kan ik iets retourneren?", NULL),
        msg("customer", "Ik wil een medewerker spreken", NULL),
    };
    lk_nlu_reading_t r[2];
    const lk_nlu_reading_t *rs[2];
    for (int i = 0; i < 2; i++) {
        lk_nlu_context_t ctx = {NULL, 0, "nl"};
        cr_assert_eq(lk_nlu_read(nlu, msgs[i].text, strlen(msgs[i].text), &ctx, &r[i]), 0);
        rs[i] = &r[i];
    }
    lk_assist_conv_t cv = {.conv = &c, .msgs = msgs, .n_msgs = 2, .readings = rs, .kb = &kb, .person_min = 0.5};
    lk_assist_suggestion_t s[LK_ASSIST_SUGGESTIONS_MAX];
    long q;
    size_t n = lk_assist_suggest(&cv, s, &q);
    cr_assert_eq(q, 0, "the request for a person is passed over");
    cr_assert_geq(n, 1);
    cr_assert_str_eq(kb.articles[s[0].article].id, "retourneren");
    for (size_t i = 1; i < n; i++)
        cr_assert_geq(s[i - 1].confidence, s[i].confidence, "best first");
    lk_nlu_free(nlu);
    lk_kb_free(&kb);
}

/* ---- entities ------------------------------------------------------------- */

/* "kind=value|kind=value" of text's entities. */
static char *ents(const char *text)
{
    lk_entity_t e[16];
    size_t n = lk_assist_entities(text, strlen(text), e, 16);
    lk_buf_t b;
    lk_buf_init(&b, 4096);
    lk_buf_append_cstr(&b, "");
    for (size_t i = 0; i < n && i < 16; i++)
        lk_buf_printf(&b, "%s%s=%.*s", i ? "|" : "", lk_entity_kind_name(e[i].kind), (int)e[i].len,
                      text + e[i].start);
    return lk_buf_steal(&b, NULL);
}

static void expect_ents(const char *text, const char *want)
{
    char *got = ents(text);
    cr_expect_str_eq(got, want, "in \"%s\"", text);
    free(got);
}

Test(assist, order_numbers)
{
    expect_ents("Mijn bestelnummer is 123456", "order_number=123456");
    expect_ents("bestelnummer: 123456.", "order_number=123456");
    expect_ents("Het gaat om #TT-2024-0012!", "order_number=TT-2024-0012");
    expect_ents("ordernr tt20240012", "order_number=tt20240012");
    expect_ents("order number #98765 please", "order_number=98765");
    expect_ents("Order no. AB-4411-22 is late", "order_number=AB-4411-22");
    expect_ents("Waar blijft bestelling 12345678?", "order_number=12345678");
    expect_ents("zie #55123", "order_number=55123");
    expect_ents("Mijn bestelling is kapot", "");
    expect_ents("Ik heb 3 stoelen besteld, order 12", "");
    expect_ents("nummer #123 en TT-12", "");
}

Test(assist, dates)
{
    expect_ents("bezorgd op 12-03-2024", "date=12-03-2024");
    expect_ents("op 1/2/24 besteld", "date=1/2/24");
    expect_ents("since 2024-03-12", "date=2024-03-12");
    expect_ents("ik bestelde op 3 maart", "date=3 maart");
    expect_ents("op 21 okt. 2023", "date=21 okt. 2023");
    expect_ents("ordered on March 3rd, 2024", "date=March 3rd, 2024");
    expect_ents("the 3rd of March", "date=3rd of March");
    expect_ents("versie 1.2.3 en 32-13-2024 en 10.20.30.40", "");
    expect_ents("om 12.30 uur", "");
}

Test(assist, amounts)
{
    expect_ents("het kostte € 12,50", "amount=€ 12,50");
    expect_ents("het kostte €12", "amount=€12");
    expect_ents("I paid 12.50 euro", "amount=12.50 euro");
    expect_ents("EUR 1.250,00 terug", "amount=EUR 1.250,00");
    expect_ents("12,- euro", "amount=12,- euro");
    expect_ents("49,95€", "amount=49,95€");
    expect_ents("3 stoelen van 20 cm", "");
}

Test(assist, email_phone_and_postcode_come_from_the_privacy_detector)
{
    char *got = ents("Mail jan.de.vries@example.nl of bel 06-12345678, postcode 1234 AB");
    cr_assert(strstr(got, "email=jan.de.vries@example.nl"), "%s", got);
    cr_assert(strstr(got, "phone=06-12345678"), "%s", got);
    cr_assert(strstr(got, "postcode=1234 AB"), "%s", got);
    free(got);
    /* the more specific wins where findings overlap: an order number is no
     * phone number, an e-mail address holds no date */
    expect_ents("bestelnummer 0612345678", "order_number=0612345678");
    expect_ents("jan-12-03-2024@example.nl", "email=jan-12-03-2024@example.nl");
}

Test(assist, entity_names_and_labels)
{
    cr_assert_str_eq(lk_entity_kind_name(LK_ENT_EMAIL), "email");
    cr_assert_str_eq(lk_entity_kind_label(LK_ENT_ORDER, "nl"), "bestelnummer");
    cr_assert_str_eq(lk_entity_kind_label(LK_ENT_ORDER, "en"), "order number");
    expect_ents("", "");
}

/* ---- one line of history -------------------------------------------------- */

Test(assist, oneline_summaries)
{
    lk_conv_t c = conv("nl", "closed", "low_confidence");
    c.disposition = (char *)"resolved";
    lk_msg_t msgs[] = {msg("bot", "Hallo!", NULL), msg("customer", "Kan ik\nbetalen met iDEAL?", NULL)};
    char *s = lk_assist_oneline(&c, msgs, 2, "nl");
    cr_assert_str_eq(s, "\"Kan ik betalen met iDEAL?\" · overgedragen: de bot niet zeker genoeg was van een antwoord "
                        "· afgesloten: resolved");
    free(s);
    lk_conv_t b = conv("en", "bot", "");
    s = lk_assist_oneline(&b, msgs, 1, "en");
    cr_assert_str_eq(s, "(no message from the customer) · with the bot");
    free(s);
}

Test(assist, shorten)
{
    char *s = lk_assist_shorten("  a\r\nb\tc  ", 100);
    cr_assert_str_eq(s, "a b c");
    free(s);
    s = lk_assist_shorten("abcdef", 3);
    cr_assert_str_eq(s, "abc...");
    free(s);
    cr_assert_str_eq(lk_assist_reason_text("complaint", "en"), "the customer filed a complaint");
    cr_assert_str_eq(lk_assist_reason_text("something_new", "nl"), "something_new");
}
