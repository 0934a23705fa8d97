/*
 * Unit tests for the gap report's clustering (src/assist/gaps.c): Dutch and
 * English paraphrases and near-duplicates land in one topic, unrelated
 * questions apart; the result does not depend on the input order; topic
 * fields (id source, label, counts, newest) and the order of topics; the
 * redaction markers count as no content; bad input.
 */
#include "assist/assist.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *id;
    const char *lang;
    const char *text;
    const char *topic; /* the expected group */
} q_t;

/* Questions a furniture shop's bot might not know, in groups that must come
 * out as topics. */
static const q_t QS[] = {
    {"m01", "nl", "Kan ik met PayPal betalen?", "paypal"},
    {"m02", "nl", "Betalen met paypal, kan dat?", "paypal"},
    {"m03", "nl", "kan ik met paypall betalen", "paypal"}, /* typo */
    {"m04", "nl", "Hebben jullie vacatures?", "jobs"},
    {"m05", "nl", "Zijn er vacatures bij jullie?", "jobs"},
    {"m06", "nl", "Ik zoek een vacature in de winkel", "jobs"},
    {"m07", "nl", "Nemen jullie mijn oude bank mee?", "oldsofa"},
    {"m08", "nl", "Kunnen jullie de oude bank meenemen bij levering?", "oldsofa"},
    {"m09", "nl", "Hoe laat gaan jullie open?", "hours"},
    {"m10", "en", "Do you ship to Belgium?", "belgium"},
    {"m11", "en", "Can you deliver to Belgium?", "belgium"},
    {"m12", "en", "shipping to belgium possible?", "belgium"},
    {"m13", "en", "Is the sofa available in green?", "green"},
    {"m14", "en", "Do you have the sofa in green?", "green"},
    {"m15", "en", "Is the table available in oak?", "oak"},
    {"m16", "en", "Are you hiring?", "hiring"},
    {"m17", "nl", "Mijn naam is [naam], hebben jullie vacatures?", "jobs"},
};
#define NQ (sizeof QS / sizeof QS[0])

static void inputs(const q_t *qs, size_t n, lk_gap_input_t *in)
{
    for (size_t i = 0; i < n; i++)
        in[i] = (lk_gap_input_t){qs[i].id, qs[i].text, qs[i].lang,
                                 1000 + (int64_t)(qs[i].id[1] - '0') * 100 + (int64_t)(qs[i].id[2] - '0'),
                                 i % 3 == 0 ? LK_OUTCOME_HANDOFF : LK_OUTCOME_DECLINED};
}

/* The topic index of each input. */
static void topic_of(const lk_gap_topic_t *t, size_t nt, size_t n, size_t *out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = (size_t)-1;
    for (size_t k = 0; k < nt; k++)
        for (size_t j = 0; j < t[k].n_members; j++) {
            cr_assert_eq(out[t[k].members[j]], (size_t)-1, "item %zu in two topics", t[k].members[j]);
            out[t[k].members[j]] = k;
        }
    for (size_t i = 0; i < n; i++)
        cr_assert_neq(out[i], (size_t)-1, "item %zu in no topic", i);
}

/* Declined Dutch questions of these texts, with ids m1, m2, ... and times
 * 1, 2, ... (at most eight). */
static void declined_nl(const char *const *texts, size_t n, lk_gap_input_t *in)
{
    static const char *const ids[] = {"m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8"};
    cr_assert_leq(n, sizeof ids / sizeof ids[0]);
    for (size_t i = 0; i < n; i++)
        in[i] = (lk_gap_input_t){ids[i], texts[i], "nl", (int64_t)(i + 1), LK_OUTCOME_DECLINED};
}

/* Clusters n inputs with the default options, which must succeed: the
 * topics go to *t (lk_gap_topics_free), their number is returned. */
static size_t cluster(const lk_gap_input_t *in, size_t n, lk_gap_topic_t **t)
{
    size_t nt;
    cr_assert_eq(lk_gap_cluster(in, n, NULL, t, &nt), 0);
    return nt;
}

Test(gaps, paraphrases_together_unrelated_apart)
{
    lk_gap_input_t in[NQ];
    inputs(QS, NQ, in);
    lk_gap_topic_t *t;
    size_t nt = cluster(in, NQ, &t);
    size_t of[NQ];
    topic_of(t, nt, NQ, of);
    for (size_t i = 0; i < NQ; i++)
        for (size_t j = i + 1; j < NQ; j++) {
            bool same = strcmp(QS[i].topic, QS[j].topic) == 0;
            cr_expect_eq(of[i] == of[j], same, "\"%s\" and \"%s\" should be %s", QS[i].text, QS[j].text,
                         same ? "together" : "apart");
        }
    cr_assert_eq(nt, 8, "8 groups, got %zu topics", nt);
    lk_gap_topics_free(t, nt);
}

Test(gaps, same_topics_in_any_input_order)
{
    lk_gap_input_t in[NQ], rev[NQ];
    inputs(QS, NQ, in);
    for (size_t i = 0; i < NQ; i++)
        rev[i] = in[NQ - 1 - i];
    lk_gap_topic_t *a, *b;
    size_t na, nb;
    cr_assert_eq(lk_gap_cluster(in, NQ, NULL, &a, &na), 0);
    cr_assert_eq(lk_gap_cluster(rev, NQ, NULL, &b, &nb), 0);
    cr_assert_eq(na, nb);
    for (size_t k = 0; k < na; k++) {
        cr_assert_eq(a[k].n_members, b[k].n_members);
        cr_assert_str_eq(in[a[k].first].id, rev[b[k].first].id, "topic %zu: the same id", k);
        cr_assert_str_eq(in[a[k].label].id, rev[b[k].label].id, "topic %zu: the same label", k);
        for (size_t j = 0; j < a[k].n_members; j++)
            cr_assert_str_eq(in[a[k].members[j]].id, rev[b[k].members[j]].id);
    }
    lk_gap_topics_free(a, na);
    lk_gap_topics_free(b, nb);
}

Test(gaps, topic_fields_and_order)
{
    lk_gap_input_t in[] = {
        {"m1", "Hebben jullie vacatures?", "nl", 5000, LK_OUTCOME_DECLINED},
        {"m2", "Zijn er vacatures in Utrecht?", "nl", 1000, LK_OUTCOME_HANDOFF},
        {"m3", "Hoe laat gaan jullie open?", "nl", 9000, LK_OUTCOME_DECLINED},
        {"m4", "Vacatures in Amsterdam?", "nl", 3000, LK_OUTCOME_DECLINED},
        {"m5", "Do you ship to Belgium?", "en", 2000, LK_OUTCOME_HANDOFF},
        {"m6", "Can you deliver to Belgium?", "en", 8000, LK_OUTCOME_HANDOFF},
    };
    size_t n = sizeof in / sizeof in[0];
    lk_gap_topic_t *t;
    size_t nt = cluster(in, n, &t);
    cr_assert_eq(nt, 3);
    /* largest first, then newest: jobs (3), belgium (2, newest 8000), hours (1) */
    cr_assert_eq(t[0].n_members, 3);
    cr_assert_str_eq(in[t[0].first].id, "m2", "the earliest question names the topic");
    cr_assert_eq(t[0].newest_ms, 5000);
    cr_assert_eq(t[0].n_declined, 2);
    cr_assert_eq(t[0].n_handoff, 1);
    size_t want[] = {0, 3, 1}; /* newest first */
    for (size_t j = 0; j < 3; j++)
        cr_assert_eq(t[0].members[j], want[j]);
    cr_assert_str_eq(in[t[0].label].id, "m1", "the one that shares its words with both others");
    cr_assert_eq(t[1].n_members, 2);
    cr_assert_eq(t[1].newest_ms, 8000);
    cr_assert_eq(t[1].n_handoff, 2);
    cr_assert_str_eq(in[t[1].first].id, "m5");
    cr_assert_str_eq(in[t[1].label].id, "m5", "two are equally central: the earlier");
    cr_assert_eq(t[2].n_members, 1);
    cr_assert_eq(t[2].members[0], 2);
    lk_gap_topics_free(t, nt);

    /* equal sizes: the newest topic first */
    lk_gap_input_t two[] = {
        {"a", "Hoe laat gaan jullie open?", "nl", 100, LK_OUTCOME_DECLINED},
        {"b", "Are you hiring?", "en", 200, LK_OUTCOME_DECLINED},
    };
    nt = cluster(two, 2, &t);
    cr_assert_eq(nt, 2);
    cr_assert_str_eq(two[t[0].first].id, "b");
    lk_gap_topics_free(t, nt);
}

Test(gaps, redaction_markers_are_no_content)
{
    const char *texts[] = {
        "Mijn e-mailadres is [e-mail] en mijn nummer [telefoon], kan ik met PayPal betalen?",
        "[e-mail] [telefoon] hebben jullie vacatures?",
        "Hebben jullie vacatures? Bel me op [telefoon]",
    };
    lk_gap_input_t in[3];
    declined_nl(texts, 3, in);
    lk_gap_topic_t *t;
    size_t nt = cluster(in, 3, &t);
    size_t of[3];
    topic_of(t, nt, 3, of);
    cr_assert_neq(of[0], of[1], "the markers alone join nothing");
    cr_assert_eq(of[1], of[2]);
    lk_gap_topics_free(t, nt);
    cr_assert_float_eq(lk_gap_similarity(&in[0], &in[1], NULL), 0.0, 1e-9);
}

Test(gaps, similarity_of_paraphrases_and_strangers)
{
    lk_gap_input_t a = {"a", "Kan ik met PayPal betalen?", "nl", 1, LK_OUTCOME_NONE};
    lk_gap_input_t b = {"b", "Betalen met paypal, kan dat?", "nl", 2, LK_OUTCOME_NONE};
    lk_gap_input_t c = {"c", "Hoe laat gaan jullie open?", "nl", 3, LK_OUTCOME_NONE};
    lk_gap_input_t d = {"d", "KAN IK MET PAYPAL BETALEN", "", 4, LK_OUTCOME_NONE}; /* language from the text */
    cr_assert_float_eq(lk_gap_similarity(&a, &b, NULL), 1.0, 1e-6, "the same content words");
    cr_assert_float_eq(lk_gap_similarity(&a, &d, NULL), 1.0, 1e-6, "case and punctuation do not count");
    cr_assert_float_eq(lk_gap_similarity(&a, &c, NULL), 0.0, 1e-9);
    lk_gap_options_t o;
    lk_gap_options_default(&o);
    cr_assert_float_eq(o.threshold, 0.3, 1e-12);
    cr_assert_float_eq(o.gram_weight, 0.3, 1e-12);
}

Test(gaps, questions_without_content_words)
{
    const char *texts[] = {"???", "???", "!!", ""};
    lk_gap_input_t in[4];
    declined_nl(texts, 4, in);
    lk_gap_topic_t *t;
    size_t nt = cluster(in, 4, &t);
    cr_assert_eq(nt, 3, "only the same text is the same question");
    cr_assert_eq(t[0].n_members, 2);
    lk_gap_topics_free(t, nt);
}

Test(gaps, bad_input)
{
    lk_gap_topic_t *t = (lk_gap_topic_t *)1;
    size_t nt = 7;
    cr_assert_eq(lk_gap_cluster(NULL, 0, NULL, &t, &nt), 0);
    cr_assert_null(t);
    cr_assert_eq(nt, 0);
    cr_assert_eq(lk_gap_cluster(NULL, 1, NULL, &t, &nt), LK_EINVAL);
    lk_gap_input_t bad[] = {{"m1", "ok", "nl", 1, LK_OUTCOME_NONE}, {"m2", "caf\xc3", "nl", 2, LK_OUTCOME_NONE}};
    cr_assert_eq(lk_gap_cluster(bad, 2, NULL, &t, &nt), LK_EINVAL, "invalid UTF-8");
    cr_assert_eq(lk_gap_cluster(bad, LK_GAP_INPUT_MAX + 1, NULL, &t, &nt), LK_EINVAL, "too many");
    lk_gap_topics_free(NULL, 0);
}

/* The largest input clusters in reasonable time, every item placed once. */
Test(gaps, largest_input, .timeout = 60)
{
    static const char *const words[] = {"paypal",  "vacature", "bank", "belgie", "groen", "eiken", "levering",
                                        "korting", "kussen",   "lamp", "stoel",  "tafel", "kast",  "spiegel"};
    size_t nw = sizeof words / sizeof words[0];
    size_t n = LK_GAP_INPUT_MAX;
    lk_gap_input_t *in = lk_xcalloc(n, sizeof *in);
    char(*text)[64] = lk_xcalloc(n, sizeof *text);
    char(*id)[16] = lk_xcalloc(n, sizeof *id);
    for (size_t i = 0; i < n; i++) {
        snprintf(text[i], sizeof text[i], "vraag over %s en %s nummer %zu", words[i % nw], words[(i / nw) % nw], i);
        snprintf(id[i], sizeof id[i], "m%05zu", i);
        in[i] = (lk_gap_input_t){id[i], text[i], "nl", (int64_t)i, LK_OUTCOME_DECLINED};
    }
    lk_gap_topic_t *t;
    size_t nt = cluster(in, n, &t);
    size_t *of = lk_xcalloc(n, sizeof *of);
    topic_of(t, nt, n, of);
    cr_assert_lt(nt, n / 4, "similar questions were grouped (%zu topics)", nt);
    for (size_t k = 1; k < nt; k++)
        cr_assert_geq(t[k - 1].n_members, t[k].n_members, "largest first");
    free(of);
    lk_gap_topics_free(t, nt);
    free(in);
    free(text);
    free(id);
}
