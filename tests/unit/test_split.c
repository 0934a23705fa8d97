/* Unit tests for lk_nlu_split (nlu/split.c): a message is cut into the
 * questions it asks, and a message that asks one thing stays whole. */
#include "nlu/nlu.h"

#include <criterion/criterion.h>
#include <string.h>

/* Splits text and compares the parts with want[] (NULL-terminated). */
static void expect_parts(const char *text, const char *const *want)
{
    lk_nlu_span_t parts[LK_NLU_SPLIT_MAX];
    size_t n = lk_nlu_split(text, strlen(text), parts, LK_NLU_SPLIT_MAX);
    size_t n_want = 0;
    while (want[n_want])
        n_want++;
    cr_assert_eq(n, n_want, "\"%s\": %zu parts, want %zu", text, n, n_want);
    for (size_t i = 0; i < n; i++) {
        cr_assert_leq(parts[i].off + parts[i].len, strlen(text));
        cr_assert(parts[i].len == strlen(want[i]) && memcmp(text + parts[i].off, want[i], parts[i].len) == 0,
                  "\"%s\" part %zu: \"%.*s\", want \"%s\"", text, i, (int)parts[i].len, text + parts[i].off, want[i]);
    }
}

/* SPLITS_INTO(text, part, ...): text splits into exactly these parts. */
#define SPLITS_INTO(text, ...) expect_parts((text), (const char *const[]){__VA_ARGS__, NULL})

/* One question (or none): one part, the whole text unchanged. */
static void whole(const char *text)
{
    lk_nlu_span_t parts[LK_NLU_SPLIT_MAX];
    size_t n = lk_nlu_split(text, strlen(text), parts, LK_NLU_SPLIT_MAX);
    cr_assert_eq(n, 1, "\"%s\": %zu parts, want 1", text, n);
    cr_assert_eq(parts[0].off, 0);
    cr_assert_eq(parts[0].len, strlen(text), "\"%s\" must stay whole", text);
}

Test(split, one_question_stays_whole)
{
    whole("Hoe kan ik mijn bestelling retourneren?");
    whole("hoe lang duurt de levering");
    whole("Hoi! Hoe kan ik retourneren?");
    whole("Dank je. Wat kost verzending?");
    whole("Ik heb gisteren schoenen besteld. Wanneer komen ze?");
    whole("Kan ik betalen met iDEAL en creditcard?");
    whole("I bought shoes and they do not fit. How do I return them?");
    whole("Wat kost verzending naar België?!");
    whole("Prijs is 2.50 euro, klopt dat?");
    whole("");
    whole("ok");
    whole("Ik heb schoenen gekocht en kan ze niet dragen.");
}

Test(split, question_marks_and_sentences)
{
    SPLITS_INTO("Hoe lang duurt de levering? Wat kost verzending?", "Hoe lang duurt de levering?",
                "Wat kost verzending?");
    SPLITS_INTO("How long does delivery take? And can I pay with PayPal?", "How long does delivery take?",
                "And can I pay with PayPal?");
    SPLITS_INTO("wat kost verzending?hoe kan ik retourneren??", "wat kost verzending?", "hoe kan ik retourneren??");
    /* a question without a question mark, after a sentence end */
    SPLITS_INTO("Wat zijn de openingstijden. Hoe kan ik betalen", "Wat zijn de openingstijden.", "Hoe kan ik betalen");
}

Test(split, context_stays_with_its_question)
{
    SPLITS_INTO("Hallo! Ik heb gisteren besteld. Wanneer wordt het bezorgd? En wat kost retourneren? Alvast bedankt.",
                "Hallo! Ik heb gisteren besteld. Wanneer wordt het bezorgd?",
                "En wat kost retourneren? Alvast bedankt.");
}

Test(split, joined_by_en_or_and)
{
    SPLITS_INTO("Hoe lang duurt de levering en wat kost verzending?", "Hoe lang duurt de levering",
                "wat kost verzending?");
    SPLITS_INTO("how long does delivery take, and can I return my order?", "how long does delivery take",
                "can I return my order?");
    SPLITS_INTO("wat zijn jullie openingstijden en hoe kan ik retourneren en is verzenden gratis?",
                "wat zijn jullie openingstijden", "hoe kan ik retourneren", "is verzenden gratis?");
}

Test(split, lists)
{
    SPLITS_INTO("Twee vragen:\n- hoe kan ik retourneren\n- wat kost verzending",
                "Twee vragen:\n- hoe kan ik retourneren", "wat kost verzending");
    SPLITS_INTO("1. openingstijden\n2. retourneren\n3) betalen met iDEAL", "openingstijden", "retourneren",
                "betalen met iDEAL");
    SPLITS_INTO("\xE2\x80\xA2 delivery time\n\xE2\x80\xA2 return costs", "delivery time", "return costs");
}

Test(split, at_most_max_parts)
{
    const char *t = "Wat kost a? Wat kost b? Wat kost c? Wat kost d? Wat kost e? Wat kost f?";
    lk_nlu_span_t parts[LK_NLU_SPLIT_MAX];
    size_t n = lk_nlu_split(t, strlen(t), parts, LK_NLU_SPLIT_MAX);
    cr_assert_eq(n, LK_NLU_SPLIT_MAX);
    /* the last part runs to the end of the last question */
    cr_assert_eq(parts[n - 1].off + parts[n - 1].len, strlen(t));
    cr_assert_eq(lk_nlu_split(t, strlen(t), parts, 2), 2);
    cr_assert_eq(parts[1].off + parts[1].len, strlen(t));
    cr_assert_eq(lk_nlu_split(t, strlen(t), parts, 0), 0);
}

Test(split, not_terminated_and_odd_bytes)
{
    /* the length bounds the text: what follows is never read */
    const char buf[] = "Wat kost verzending? Hoe kan ik retourneren?XXXXXXXX";
    lk_nlu_span_t parts[LK_NLU_SPLIT_MAX];
    size_t n = lk_nlu_split(buf, strlen(buf) - 8, parts, LK_NLU_SPLIT_MAX);
    cr_assert_eq(n, 2);
    cr_assert_eq(parts[1].off + parts[1].len, strlen(buf) - 8);
    const char *odd[] = {"?", "??? ...", "- \n- \n", "1.\n2.", "\xE2\x80", "en and en?", "-", ". . . ?"};
    for (size_t i = 0; i < sizeof odd / sizeof *odd; i++) {
        n = lk_nlu_split(odd[i], strlen(odd[i]), parts, LK_NLU_SPLIT_MAX);
        cr_assert_geq(n, 1);
        for (size_t k = 0; k < n; k++)
            cr_assert_leq(parts[k].off + parts[k].len, strlen(odd[i]));
    }
}
