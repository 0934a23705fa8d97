/* Unit tests for nlu/: signals (Dutch and English), features, the model on a
 * small knowledge base and on a slice of CLINC150, determinism, and the
 * statistics of `loket eval`. */
#include "eval/eval.h"
#include "kb/kb.h"
#include "nlu/nlu.h"
#include "nlu/nlu_int.h"
#include "test_nlu_kb.h"
#include "test_rows.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <pthread.h>
#include <string.h>

#define S(x) (x), strlen(x)

/* ---- signals ------------------------------------------------------------- */

Test(nlu_signals, person_request)
{
    const char *yes[] = {"medewerker", "medewerkr", "medewwerker", "medewerrker", "mens!!", "kan ik iemand spreken",
                         "Ik wil een mens spreken", "agent please", "can I talk to a human", "real person please",
                         "representative", "ik wil graag met een medewerker praten", "connect me to someone",
                         "doorverbinden aub", "I want to talk to customer service"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        cr_assert_geq(lk_nlu_signal_person_request(S(yes[i])), 0.5, "person request: %s", yes[i]);
    const char *no[] = {"waar is mijn pakket", "where is my refund", "hoe kan ik betalen", "what time is it",
                        "ben ik met een robot aan het praten?", "opening hours customer service",
                        "what are the customer service hours"};
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        cr_assert_lt(lk_nlu_signal_person_request(S(no[i])), 0.5, "not a person request: %s", no[i]);
}

Test(nlu_signals, bot_question)
{
    const char *yes[] = {"ben ik met een robot aan het praten?", "are you a bot", "Is dit een chatbot?",
                         "am i talking to a machine?", "ben jij een mens?", "are you human?", "bot?"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        cr_assert_geq(lk_nlu_signal_bot_question(S(yes[i])), 0.5, "bot question: %s", yes[i]);
    const char *no[] = {"waar is mijn pakket", "my robot vacuum is broken", "medewerker", "agent please"};
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        cr_assert_lt(lk_nlu_signal_bot_question(S(no[i])), 0.5, "not a bot question: %s", no[i]);
}

Test(nlu_signals, negative)
{
    const char *yes[] = {"Dit is belachelijk!!!", "waardeloze service", "ik ben er spuugzat van", "wat een bagger",
                         "this is ridiculous", "WHERE IS MY PACKAGE I HAVE BEEN WAITING", "worst service ever",
                         "I am so frustrated", "godverdomme"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        cr_assert_geq(lk_nlu_signal_negative(S(yes[i])), 0.5, "negative: %s", yes[i]);
    const char *no[] = {"waar is mijn pakket?", "hoe kan ik retourneren", "thanks, that helps", "Where is my order?",
                        "Wanneer wordt mijn bestelling bezorgd?", /* "wordt" is a word, not a typo of "worst" */
                        "wie is eigenlijk de burgemeester", "waar betaal ik eigenlijk servicekosten voor"};
    /* "eigenlijk" is two letters from "ergerlijk", but no typo of it */
    const char *typos[] = {"dit is belachlijk", "ik ben teleugesteld"}; /* one letter off: still read */
    for (size_t i = 0; i < sizeof typos / sizeof *typos; i++)
        cr_assert_geq(lk_nlu_signal_negative(S(typos[i])), 0.5, "negative: %s", typos[i]);
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        cr_assert_lt(lk_nlu_signal_negative(S(no[i])), 0.5, "not negative: %s", no[i]);
    cr_assert_gt(lk_nlu_signal_negative(S("waar is mijn pakket!!!")), lk_nlu_signal_negative(S("waar is mijn pakket")));
}

Test(nlu_signals, complaint)
{
    const char *yes[] = {"ik wil een klacht indienen", "Klachten over de bezorger", "I want to file a complaint",
                         "I'd like to complain about the delivery", "ik ga naar de geschillencommissie"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        cr_assert_geq(lk_nlu_signal_complaint(S(yes[i])), 0.5, "complaint: %s", yes[i]);
    const char *no[] = {"waar is mijn pakket", "how do I return this", "medewerker"};
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        cr_assert_lt(lk_nlu_signal_complaint(S(no[i])), 0.5, "not a complaint: %s", no[i]);
}

Test(nlu_signals, multi_question)
{
    const char *yes[] = {"Waar is mijn pakket? En kan ik ook retourneren?", "How do I pay? When will it ship?",
                         "wat kost verzending? hoe lang duurt het? kan ik afhalen?"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        cr_assert_geq(lk_nlu_signal_multi_question(S(yes[i])), 0.5, "multi: %s", yes[i]);
    const char *no[] = {"waar is mijn pakket?", "how do I pay?", "??", "hoi"};
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        cr_assert_lt(lk_nlu_signal_multi_question(S(no[i])), 0.5, "single: %s", no[i]);
    cr_assert_gt(lk_nlu_signal_multi_question(S("where is my order and how can I return it")), 0.3);
}

Test(nlu_signals, repeat)
{
    const char *prev[] = {"Waar is mijn pakket?", "where is my refund"};
    cr_assert_eq(lk_nlu_signal_repeat(S("waar is mijn pakket"), prev, 2), 1.0);
    cr_assert_eq(lk_nlu_signal_repeat(S("waar is mijn pakkett??"), prev, 2), 1.0); /* typo */
    cr_assert_eq(lk_nlu_signal_repeat(S("Where is my refund?!"), prev, 2), 1.0);
    cr_assert_lt(lk_nlu_signal_repeat(S("hoe kan ik betalen"), prev, 2), 0.5);
    cr_assert_eq(lk_nlu_signal_repeat(S("waar is mijn pakket"), NULL, 0), 0.0);
}

Test(nlu_signals, edit_distance)
{
    cr_assert_eq(lk_nlu__edit_distance(S("medewerker"), S("medewerkr"), 2), 1);
    cr_assert_eq(lk_nlu__edit_distance(S("kitten"), S("sitting"), 5), 3);
    cr_assert_eq(lk_nlu__edit_distance(S("kitten"), S("sitting"), 1), 2); /* capped at max + 1 */
    cr_assert_eq(lk_nlu__edit_distance(S(""), S("abc"), 5), 3);
}

/* ---- features ------------------------------------------------------------ */

Test(nlu, features_are_normalised_and_typo_tolerant)
{
    lk_text_stemmer_t *st = lk_text_stemmer_new("nl");
    lk_nlu__prep_t a, b;
    cr_assert_eq(lk_nlu__prep(S("Waar blijft mijn bestelling?"), &a), 0);
    cr_assert_eq(lk_nlu__prep(S("waar blijft mijn bestellingen"), &b), 0);
    lk_nlu__prep_stem(&a, st);
    lk_nlu__prep_stem(&b, st);
    lk_nlu__fvec_t fa = {0}, fb = {0};
    lk_nlu__features(&a, &fa);
    lk_nlu__features(&b, &fb);
    cr_assert_gt(fa.n, 10);
    double ss = 0, dot = 0, nb = 0;
    for (size_t i = 0; i < fa.n; i++) {
        ss += (double)fa.v[i].val * fa.v[i].val;
        for (size_t j = 0; j < fb.n; j++)
            if (fb.v[j].key == fa.v[i].key)
                dot += (double)fa.v[i].val * fb.v[j].val;
    }
    for (size_t j = 0; j < fb.n; j++)
        nb += (double)fb.v[j].val * fb.v[j].val;
    cr_assert_gt(dot / sqrt(ss * nb), 0.8); /* same stems, most n-grams shared */
    lk_nlu__fvec_free(&fa);
    lk_nlu__fvec_free(&fb);
    lk_nlu__prep_free(&a);
    lk_nlu__prep_free(&b);
    lk_text_stemmer_free(st);
}

/* ---- a small knowledge base ---------------------------------------------- */

/* Options that calibrate the answering threshold (at a 5% wrong-answer
 * rate, with the built-in out-of-scope questions). */
static lk_nlu_options_t calibrated_options(void)
{
    lk_nlu_options_t o;
    lk_nlu_options_default(&o);
    o.answer_risk = 0.05;
    o.builtin_negatives = true;
    return o;
}

static void small_kb(lk_kb_t *kb)
{
    lk_kb_init(kb);
    const char *ret[] = {"Hoe kan ik iets retourneren?", "Ik wil mijn bestelling terugsturen",
                         "retour sturen", "kan ik het terugsturen"};
    const char *where[] = {"Waar blijft mijn pakket?", "Mijn bestelling is nog niet bezorgd",
                           "wanneer wordt mijn pakket geleverd", "track and trace"};
    const char *pay[] = {"Hoe kan ik betalen?", "Kan ik met iDEAL betalen", "welke betaalmethodes zijn er",
                         "achteraf betalen"};
    const char *ret_en[] = {"How do I return an item?", "I want to send my order back", "return policy"};
    add_article(kb, "return", "nl", "Retourneren", ret, 4);
    add_article(kb, "where", "nl", "Waar is mijn pakket", where, 4);
    add_article(kb, "pay", "nl", "Betalen", pay, 4);
    add_article(kb, "return-en", "en", "Returns", ret_en, 3);
}

static long top_of(const lk_nlu_model_t *m, const char *text, lk_nlu_reading_t *r)
{
    cr_assert_eq(lk_nlu_read(m, S(text), NULL, r), 0, "read %s", text);
    return r->n_top ? r->top[0].article : -1;
}

Test(nlu, small_kb_matches_and_reads)
{
    lk_kb_t kb;
    small_kb(&kb);
    lk_nlu_model_t *m;
    cr_assert_eq(lk_nlu_build(&kb, NULL, &m), 0);
    lk_nlu_reading_t r;
    cr_assert_eq(top_of(m, "ik wil iets retourneren", &r), 0);
    cr_assert_str_eq(r.language, "nl");
    cr_assert_eq(r.n_top, 3);
    cr_assert_eq(top_of(m, "waar blijft mijn pakketje", &r), 1);
    cr_assert_eq(top_of(m, "kan ik met ideal betalen?", &r), 2);
    cr_assert_eq(top_of(m, "how can I return my order", &r), 3);
    cr_assert_str_eq(r.language, "en");
    for (size_t k = 0; k < r.n_top; k++) {
        cr_assert_geq(r.top[k].confidence, 0);
        cr_assert_leq(r.top[k].confidence, 1);
        if (k)
            cr_assert_leq(r.top[k].confidence, r.top[k - 1].confidence);
    }
    cr_assert_eq(r.answer, r.top[0].confidence >= lk_nlu_threshold(m));
    /* signals come with the same read */
    top_of(m, "medewerker!!", &r);
    cr_assert_geq(r.signals.person_request, 0.5);
    const char *prev[] = {"waar is mijn pakket"};
    lk_nlu_context_t ctx = {prev, 1, "nl"};
    cr_assert_eq(lk_nlu_read(m, S("Waar is mijn pakket?"), &ctx, &r), 0);
    cr_assert_eq(r.signals.repeat, 1.0);
    /* errors */
    cr_assert_eq(lk_nlu_read(m, S("\xC3"), NULL, &r), LK_EUTF8);
    cr_assert_eq(lk_nlu_read(NULL, S("x"), NULL, &r), LK_EINVAL);
    cr_assert_eq(lk_nlu_read(m, "", 0, NULL, &r), 0);
    lk_nlu_set_threshold(m, 2.0);
    cr_assert_eq(lk_nlu_threshold(m), 1.0);
    lk_nlu_free(m);
    lk_nlu_free(NULL);
    lk_nlu_options_t o;
    lk_nlu_options_default(&o);
    o.answer_threshold = 1.5;
    cr_assert_eq(lk_nlu_build(&kb, &o, &m), LK_EINVAL);
    lk_kb_free(&kb);
}

Test(nlu, empty_kb_declines)
{
    lk_kb_t kb;
    lk_kb_init(&kb);
    lk_nlu_model_t *m;
    cr_assert_eq(lk_nlu_build(&kb, NULL, &m), 0);
    lk_nlu_reading_t r;
    cr_assert_eq(lk_nlu_read(m, S("hallo"), NULL, &r), 0);
    cr_assert_eq(r.n_top, 0);
    cr_assert_not(r.answer);
    lk_nlu_free(m);
}

Test(nlu, demo_kb_builds_and_answers_its_own_questions)
{
    lk_kb_t kb;
    cr_assert_eq(lk_kb_demo(&kb), 0);
    lk_nlu_model_t *m;
    cr_assert_eq(lk_nlu_build(&kb, NULL, &m), 0);
    size_t n = 0, right = 0;
    for (size_t i = 0; i < kb.n_articles; i++) {
        const lk_article_t *a = &kb.articles[i];
        for (size_t q = 0; q < a->n_questions; q++) {
            lk_nlu_reading_t r;
            cr_assert_eq(lk_nlu_read(m, S(a->questions[q]), NULL, &r), 0);
            n++;
            right += r.n_top && r.top[0].article == (long)i;
        }
    }
    if (n)
        cr_assert_geq((double)right / (double)n, 0.9, "%zu/%zu", right, n);
    lk_nlu_free(m);
    lk_kb_free(&kb);
}

/* ---- reading: no allocation, any number of threads ------------------------ */

/* A feature vector that starts on a small caller buffer and outgrows it
 * holds what one grown on the heap from the start holds. */
Test(nlu, features_on_a_caller_buffer)
{
    lk_text_stemmer_t *st = lk_text_stemmer_new("en");
    lk_nlu__prep_t p;
    cr_assert_eq(lk_nlu__prep(S("Where is my order #4411? It was sent to jan@example.nl on 12-05"), &p), 0);
    lk_nlu__prep_stem(&p, st);
    lk_nlu__feat_t small[4];
    lk_nlu__fvec_t a = {small, 0, 4, false}, b = {0};
    lk_nlu__features(&p, &a);
    lk_nlu__features(&p, &b);
    cr_assert(a.heap);
    cr_assert_eq(a.n, b.n);
    for (size_t i = 0; i < a.n; i++) {
        cr_assert_eq(a.v[i].key, b.v[i].key);
        cr_assert_eq(a.v[i].val, b.v[i].val);
    }
    lk_nlu__fvec_free(&a);
    lk_nlu__fvec_free(&b);
    lk_nlu__prep_free(&p);
    lk_text_stemmer_free(st);
}

/* A message far longer than a chat message takes the heap fallbacks (text,
 * features) and still reads. */
Test(nlu, reads_a_very_long_message)
{
    lk_kb_t kb;
    small_kb(&kb);
    lk_nlu_model_t *m;
    cr_assert_eq(lk_nlu_build(&kb, NULL, &m), 0);
    const char *words[] = {"waar", "blijft", "mijn", "pakketje", "retourneren", "betalen", "bestelling", "NL12345"};
    size_t cap = 20000, n = 0;
    char *text = lk_xmalloc(cap);
    for (size_t i = 0; n + 32 < cap; i++)
        n += (size_t)snprintf(text + n, cap - n, "%s ", words[i % 8]);
    lk_nlu_reading_t r;
    cr_assert_eq(lk_nlu_read(m, text, n, NULL, &r), 0);
    cr_assert_eq(r.n_top, 3);
    cr_assert_geq(r.top[0].confidence, 0);
    cr_assert_leq(r.top[0].confidence, 1);
    cr_assert_str_eq(r.language, "nl");
    free(text);
    lk_nlu_free(m);
    lk_kb_free(&kb);
}

#define N_READERS 24 /* more than the model's stemmers per language */
#define N_READ_TEXTS 8
#define READ_ROUNDS 60

static const char *const read_texts[N_READ_TEXTS] = {
    "ik wil iets retourneren", "waar blijft mijn pakketje", "kan ik met ideal betalen?", "how can I return my order",
    "medewerker!!", "Waar is mijn pakket? En kan ik ook retourneren?", "are you a bot", "Dit is belachelijk!!!"};

typedef struct {
    const lk_nlu_model_t *m;
    lk_nlu_reading_t got[READ_ROUNDS][N_READ_TEXTS];
    int rc;
} reader_t;

static void *reader_main(void *arg)
{
    reader_t *rd = arg;
    for (size_t k = 0; k < READ_ROUNDS; k++)
        for (size_t i = 0; i < N_READ_TEXTS; i++)
            rd->rc |= lk_nlu_read(rd->m, S(read_texts[i]), NULL, &rd->got[k][i]);
    return NULL;
}

static void assert_same_reading(const lk_nlu_reading_t *a, const lk_nlu_reading_t *b)
{
    cr_assert_str_eq(a->language, b->language);
    cr_assert_eq(a->language_confidence, b->language_confidence);
    cr_assert_eq(a->n_top, b->n_top);
    for (size_t k = 0; k < a->n_top; k++) {
        cr_assert_eq(a->top[k].article, b->top[k].article);
        cr_assert_eq(a->top[k].confidence, b->top[k].confidence, "bitwise equal confidences");
    }
    cr_assert_eq(a->answer, b->answer);
    cr_assert_eq(a->signals.person_request, b->signals.person_request);
    cr_assert_eq(a->signals.bot_question, b->signals.bot_question);
    cr_assert_eq(a->signals.negative, b->signals.negative);
    cr_assert_eq(a->signals.complaint, b->signals.complaint);
    cr_assert_eq(a->signals.multi_question, b->signals.multi_question);
    cr_assert_eq(a->signals.repeat, b->signals.repeat);
}

/* Readers share the model and borrow its stemmers: many at once read what
 * one alone reads. */
Test(nlu, concurrent_readers_read_alike)
{
    lk_kb_t kb;
    small_kb(&kb);
    lk_nlu_model_t *m;
    cr_assert_eq(lk_nlu_build(&kb, NULL, &m), 0);
    lk_nlu_reading_t want[N_READ_TEXTS];
    for (size_t i = 0; i < N_READ_TEXTS; i++)
        cr_assert_eq(lk_nlu_read(m, S(read_texts[i]), NULL, &want[i]), 0);
    reader_t *rd = lk_xcalloc(N_READERS, sizeof *rd);
    pthread_t th[N_READERS];
    for (size_t t = 0; t < N_READERS; t++) {
        rd[t].m = m;
        cr_assert_eq(pthread_create(&th[t], NULL, reader_main, &rd[t]), 0);
    }
    for (size_t t = 0; t < N_READERS; t++)
        pthread_join(th[t], NULL);
    for (size_t t = 0; t < N_READERS; t++) {
        cr_assert_eq(rd[t].rc, 0);
        for (size_t k = 0; k < READ_ROUNDS; k++)
            for (size_t i = 0; i < N_READ_TEXTS; i++)
                assert_same_reading(&rd[t].got[k][i], &want[i]);
    }
    free(rd);
    lk_nlu_free(m);
    lk_kb_free(&kb);
}

/* ---- a slice of CLINC150 --------------------------------------------------- */

/* The rows of a CLINC150 file whose label is among the first n_labels
 * labels of train (in order of appearance) or "oos" when with_oos. */
static bool load_rows(const char *file, char labels[][64], size_t *n_labels, size_t max_labels, bool with_oos,
                      test_rows_t *out)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/../shared/data/clinc150/%s", LOKET_SOURCE_DIR, file);
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    memset(out, 0, sizeof *out);
    char line[4096];
    while (fgets(line, sizeof line, f)) {
        json_t *o = json_loads(line, 0, NULL);
        if (!o)
            continue;
        const char *t = json_string_value(json_object_get(o, "text"));
        const char *l = json_string_value(json_object_get(o, "label"));
        bool keep = false;
        if (t && l && !strcmp(l, "oos")) {
            keep = with_oos;
        } else if (t && l) {
            for (size_t i = 0; i < *n_labels && !keep; i++)
                keep = !strcmp(labels[i], l);
            if (!keep && *n_labels < max_labels) {
                snprintf(labels[(*n_labels)++], 64, "%s", l);
                keep = true;
            }
        }
        if (keep)
            test_rows_add(out, t, strlen(t), l);
        json_decref(o);
    }
    fclose(f);
    return true;
}

#define SLICE_LABELS 20

static void slice_model(test_rows_t *train, lk_kb_t *kb, lk_nlu_model_t **m, char labels[][64], size_t *n_labels)
{
    *n_labels = 0;
    if (!load_rows("train.jsonl", labels, n_labels, SLICE_LABELS, true, train))
        cr_skip_test("CLINC150 not found beside the project");
    lk_kb_init(kb);
    const char **neg = lk_xmalloc(train->n * sizeof *neg);
    size_t n_neg = 0;
    for (size_t l = 0; l < *n_labels; l++) {
        const char **qs = lk_xmalloc(train->n * sizeof *qs);
        size_t nq = 0;
        for (size_t i = 0; i < train->n; i++)
            if (!strcmp(train->v[i].label, labels[l]))
                qs[nq++] = train->v[i].text;
        add_article(kb, labels[l], "en", labels[l], qs, nq);
        free(qs);
    }
    for (size_t i = 0; i < train->n; i++)
        if (!strcmp(train->v[i].label, "oos"))
            neg[n_neg++] = train->v[i].text;
    lk_nlu_options_t o;
    lk_nlu_options_default(&o);
    o.negatives = neg;
    o.n_negatives = n_neg;
    cr_assert_eq(lk_nlu_build(kb, &o, m), 0);
    free(neg);
}

Test(nlu, clinc150_slice_accuracy_above_floor)
{
    test_rows_t train, test;
    lk_kb_t kb;
    lk_nlu_model_t *m;
    char labels[SLICE_LABELS][64];
    size_t n_labels;
    slice_model(&train, &kb, &m, labels, &n_labels);
    size_t nl2 = n_labels;
    cr_assert(load_rows("test.jsonl", labels, &nl2, n_labels, true, &test));
    size_t n_in = 0, right = 0, n_oos = 0;
    double conf_in = 0, conf_oos = 0;
    for (size_t i = 0; i < test.n; i++) {
        lk_nlu_reading_t r;
        cr_assert_eq(lk_nlu_read(m, S(test.v[i].text), NULL, &r), 0);
        if (!strcmp(test.v[i].label, "oos")) {
            n_oos++;
            conf_oos += r.top[0].confidence;
        } else {
            n_in++;
            right += !strcmp(kb.articles[r.top[0].article].id, test.v[i].label);
            conf_in += r.top[0].confidence;
        }
    }
    cr_assert_eq(n_in, SLICE_LABELS * 30);
    /* the real figure on this slice is ~0.97; the floor leaves room */
    cr_assert_geq((double)right / (double)n_in, 0.85, "top-1 %zu/%zu", right, n_in);
    /* out-of-scope questions get clearly less confidence */
    cr_assert_lt(conf_oos / (double)n_oos, 0.8 * conf_in / (double)n_in);
    lk_nlu_free(m);
    lk_kb_free(&kb);
    test_rows_free(&train);
    test_rows_free(&test);
}

Test(nlu, identical_decisions_across_builds)
{
    test_rows_t train1, train2;
    lk_kb_t kb1, kb2;
    lk_nlu_model_t *m1, *m2;
    char labels[SLICE_LABELS][64];
    size_t n_labels;
    slice_model(&train1, &kb1, &m1, labels, &n_labels);
    slice_model(&train2, &kb2, &m2, labels, &n_labels);
    for (size_t i = 0; i < train1.n; i += 7) {
        lk_nlu_reading_t a, b;
        cr_assert_eq(lk_nlu_read(m1, S(train1.v[i].text), NULL, &a), 0);
        cr_assert_eq(lk_nlu_read(m2, S(train1.v[i].text), NULL, &b), 0);
        cr_assert_eq(a.n_top, b.n_top);
        for (size_t k = 0; k < a.n_top; k++) {
            cr_assert_eq(a.top[k].article, b.top[k].article);
            cr_assert_eq(a.top[k].confidence, b.top[k].confidence, "bitwise equal confidences");
        }
        cr_assert_eq(a.answer, b.answer);
    }
    lk_nlu_free(m1);
    lk_nlu_free(m2);
    lk_kb_free(&kb1);
    lk_kb_free(&kb2);
    test_rows_free(&train1);
    test_rows_free(&train2);
}

/* ---- the statistics (nlu, used by eval too) ----------------------------------------------------- */

Test(eval, clopper_pearson_upper_bound)
{
    /* 0 of n: the exact bound is 1 - delta^(1/n) */
    cr_assert_float_eq(lk_nlu_binom_upper(0, 100, 0.05), 1 - pow(0.05, 0.01), 1e-6);
    /* 5 of 100 at 95%: about 0.1024 (tables) */
    cr_assert_float_eq(lk_nlu_binom_upper(5, 100, 0.05), 0.1024, 5e-4);
    cr_assert_eq(lk_nlu_binom_upper(3, 3, 0.05), 1.0);
    cr_assert_eq(lk_nlu_binom_upper(0, 0, 0.05), 1.0);
}

Test(eval, thresholds)
{
    lk_nlu_item_t it[] = {{0.9, 1, 0}, {0.8, 1, 0}, {0.7, 0, 0}, {0.6, 1, 0}, {0.5, 0, 1}, {0.4, 0, 1},
                           {0.3, 1, 0}, {0.2, 0, 1}};
    /* balanced: answer down to 0.6 (3/5 in-scope right, 3/3 oos declined) */
    cr_assert_float_eq(lk_nlu_threshold_balanced(it, 8), 0.6, 1e-12);
    /* the share handled right: same here */
    cr_assert_float_eq(lk_nlu_threshold_weighted(it, 8, -1), 0.6, 1e-12);
    /* target error: a big sample with a clean top */
    size_t n = 2000;
    lk_nlu_item_t *v = lk_xmalloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++) {
        v[i].confidence = (double)(n - i) / (double)n;
        v[i].oos = 0;
        v[i].correct = i < 1000 ? (i % 100 != 0) : (i % 2 == 0); /* 1% wrong on top, then 50% */
    }
    int ok;
    double t = lk_nlu_threshold_target(v, n, 0.05, 0.1, &ok);
    cr_assert(ok);
    cr_assert_geq(t, 0.4);
    cr_assert_leq(t, 0.6);
    t = lk_nlu_threshold_target(v, 10, 0.001, 0.1, &ok);
    cr_assert_not(ok);
    cr_assert_eq(t, 1.0);
    free(v);
}

Test(eval, clopper_pearson_lower_bound)
{
    /* n of n: the exact lower bound is delta^(1/n) */
    cr_assert_float_eq(lk_nlu_binom_lower(100, 100, 0.05), pow(0.05, 0.01), 1e-6);
    /* symmetric to the upper bound */
    cr_assert_float_eq(lk_nlu_binom_lower(95, 100, 0.05), 1 - lk_nlu_binom_upper(5, 100, 0.05), 1e-12);
    cr_assert_eq(lk_nlu_binom_lower(0, 50, 0.05), 0.0);
    cr_assert_eq(lk_nlu_binom_lower(0, 0, 0.05), 0.0);
    cr_assert_lt(lk_nlu_binom_lower(30, 100, 0.05), 0.30);
}

/* n_in in-scope items with confidence falling from 1, the first `clean` of
 * them right but every 100th, the rest right every other time; n_oos
 * out-of-scope items with confidence below oos_max. */
static lk_nlu_item_t *synthetic_items(size_t n_in, size_t clean, size_t n_oos, double oos_max, size_t *n)
{
    *n = n_in + n_oos;
    lk_nlu_item_t *v = lk_xmalloc(*n * sizeof *v);
    for (size_t i = 0; i < n_in; i++)
        v[i] = (lk_nlu_item_t){1.0 - (double)i / (double)n_in, i < clean ? i % 100 != 50 : i % 2 == 0, 0};
    for (size_t i = 0; i < n_oos; i++)
        v[n_in + i] = (lk_nlu_item_t){oos_max * (double)i / (double)n_oos, 0, 1};
    return v;
}

Test(nlu_calibration, meets_the_risk_with_a_finite_sample_bound)
{
    size_t n;
    lk_nlu_item_t *v = synthetic_items(2000, 1200, 1000, 0.3, &n);
    lk_nlu_calibration_t c;
    lk_nlu_calibrate_items(v, n, 0.05, 0.1, 0.2, 0.5, &c);
    cr_assert(c.met);
    cr_assert_leq(c.risk_bound, 0.05);
    /* the clean top ends at confidence 0.4: the threshold must not go below it much */
    cr_assert_geq(c.threshold, 0.35, "threshold %f", c.threshold);
    cr_assert_leq(c.threshold, 0.7, "threshold %f", c.threshold);
    cr_assert_gt(c.precision, 0.95);
    cr_assert_float_eq(c.oos_recall, 1.0, 1e-12);
    cr_assert_eq(c.n_in, 2000);
    cr_assert_eq(c.n_oos, 1000);
    /* the bound is above the point estimate of the wrong-answer rate */
    cr_assert_gt(c.risk_bound, 1 - c.precision);
    /* a stricter risk needs a higher threshold */
    lk_nlu_calibration_t strict;
    lk_nlu_calibrate_items(v, n, 0.02, 0.1, 0.2, 0.5, &strict);
    cr_assert_geq(strict.threshold, c.threshold);
    free(v);
}

Test(nlu_calibration, too_few_questions_meet_nothing)
{
    size_t n;
    lk_nlu_item_t *v = synthetic_items(40, 40, 20, 0.3, &n);
    lk_nlu_calibration_t c;
    lk_nlu_calibrate_items(v, n, 0.01, 0.1, 0.2, 0.5, &c); /* 0.01 cannot be shown with 40 questions */
    cr_assert_not(c.met);
    /* no threshold at or above the floor answers the 30 questions a bound
     * needs: the floor */
    cr_assert_float_eq(c.threshold, 0.5, 1e-12);
    free(v);
    /* out-of-scope questions answered with high confidence break the bound */
    v = synthetic_items(2000, 1200, 1000, 1.0, &n);
    lk_nlu_calibrate_items(v, n, 0.05, 0.1, 0.2, 0.5, &c);
    cr_assert(!c.met || c.risk_bound <= 0.05);
    lk_nlu_calibration_t at;
    at.answer_risk = 0.05;
    lk_nlu_curve_t *cv = lk_xmalloc(sizeof *cv);
    lk_nlu_curve_build(v, n, cv);
    lk_nlu_curve_at(cv, 0.0, 0.1, 0.2, &at);
    cr_assert_not(at.met, "answering everything cannot meet 0.05");
    cr_assert_float_eq(at.coverage, 1.0, 1e-12);
    free(cv);
    free(v);
}

/* The true wrong-answer rate among answered questions at threshold t of
 * the synthetic traffic below: in-scope confidence c uniform with P(wrong |
 * c) = (1 - c) / 2, out-of-scope confidence u^20 (u uniform), a share pi
 * out of scope. */
static double true_risk(double t, double pi)
{
    double w = (1 - t) * (1 - t) / 4, r = (1 - t) - w, a = 1 - pow(t, 1.0 / 20);
    double x = pi * a + (1 - pi) * w, y = (1 - pi) * r;
    return x + y > 0 ? x / (x + y) : 0;
}

static double uniform01(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*s >> 11) / 9007199254740992.0;
}

/* Where the walk cannot show the risk, the bot answers where the bound is
 * lowest: a few confident wrong answers at the top end the walk at once,
 * but lower down many right answers make the bound tight. */
static lk_nlu_item_t *walk_breaker(size_t *n)
{
    /* 600 in-scope: 4 of the 40 above 0.95 wrong, then 1 in 50 wrong down to
     * 0.7, then every other one wrong; 500 out-of-scope below 0.3, 2 of
     * them at 0.96 */
    size_t n_in = 600, n_oos = 500, k = 0;
    lk_nlu_item_t *v = lk_xmalloc((n_in + n_oos) * sizeof *v);
    for (size_t i = 0; i < n_in; i++) {
        double c = 1.0 - 0.9 * (double)i / (double)n_in;
        int right = i < 40 ? i % 10 != 3 : c >= 0.7 ? i % 50 != 7 : i % 2 == 0;
        v[k++] = (lk_nlu_item_t){c, right, 0};
    }
    for (size_t i = 0; i < n_oos; i++)
        v[k++] = (lk_nlu_item_t){i < 2 ? 0.96 : 0.3 * (double)i / (double)n_oos, 0, 1};
    *n = k;
    return v;
}

Test(nlu_calibration, when_the_walk_fails_it_answers_where_the_bound_is_lowest)
{
    size_t n;
    lk_nlu_item_t *v = walk_breaker(&n);
    const double alpha = 0.05, delta = 0.1, pi = 0.2, floor_t = 0.5;
    lk_nlu_calibration_t c;
    lk_nlu_calibrate_items(v, n, alpha, delta, pi, floor_t, &c);
    cr_assert_not(c.met, "bound %f at %f", c.risk_bound, c.threshold);
    lk_nlu_curve_t *cv = lk_xmalloc(sizeof *cv);
    lk_nlu_curve_build(v, n, cv);
    /* the threshold is not the floor, and of all thresholds at or above the
     * floor that answer enough questions for a bound, none has a lower one */
    cr_assert_gt(c.threshold, floor_t + 0.1, "threshold %f", c.threshold);
    lk_nlu_calibration_t at = {.answer_risk = alpha}, fl = {.answer_risk = alpha};
    lk_nlu_curve_at(cv, c.threshold, delta, pi, &at);
    lk_nlu_curve_at(cv, floor_t, delta, pi, &fl);
    for (int g = LK_NLU_GRID; g >= (int)(floor_t * LK_NLU_GRID); g--) {
        if (cv->wrong[g] + cv->right[g] < 30)
            continue;
        lk_nlu_calibration_t x = {.answer_risk = alpha};
        lk_nlu_curve_at(cv, (double)g / LK_NLU_GRID, delta, pi, &x);
        cr_assert_geq(x.risk_bound, at.risk_bound - 1e-12, "%f at %f below %f at %f", x.risk_bound, x.threshold,
                      at.risk_bound, c.threshold);
    }
    /* it moves the right way from the old fallback: fewer wrong answers,
     * fewer answers */
    cr_assert_lt(at.risk_bound, fl.risk_bound);
    cr_assert_gt(c.precision, fl.precision, "precision %f, at the floor %f", c.precision, fl.precision);
    cr_assert_lt(c.coverage, fl.coverage);
    /* chosen as the lowest of many, its own bound is optimistic: the bound
     * reported holds for all the candidates at once, and is the looser */
    cr_assert_gt(c.risk_bound, at.risk_bound, "reported %f, its own %f", c.risk_bound, at.risk_bound);
    cr_assert_gt(c.risk_bound, alpha);
    /* a higher floor is respected */
    lk_nlu_calibration_t hi;
    lk_nlu_calibrate_items(v, n, alpha, delta, pi, 0.9, &hi);
    cr_assert_geq(hi.threshold, 0.9, "threshold %f", hi.threshold);
    free(cv);
    free(v);
}

/* A fresh sample of traffic whose true risk at every threshold is known
 * (true_risk): n_in in-scope questions, right with probability (1 + c) / 2
 * at confidence c (uniform), then n_oos out-of-scope ones at confidence
 * u^20, into v. */
static void synthetic_traffic(lk_nlu_item_t *v, size_t n_in, size_t n_oos, uint64_t *seed)
{
    for (size_t i = 0; i < n_in; i++) {
        double c = uniform01(seed);
        v[i] = (lk_nlu_item_t){c, uniform01(seed) >= (1 - c) / 2, 0};
    }
    for (size_t i = 0; i < n_oos; i++)
        v[n_in + i] = (lk_nlu_item_t){pow(uniform01(seed), 20), 0, 1};
}

Test(nlu_calibration, the_fallback_answers_where_the_true_risk_is_below_the_old_defaults)
{
    /* On fresh samples of the traffic of the_bound_holds_where_the_truth_is_known
     * with a risk the data cannot show (0.01), the fallback answers where
     * the true risk is lower than at the old fixed 0.5, every time. */
    const double alpha = 0.01, delta = 0.1, pi = 0.2;
    const size_t n_in = 400, n_oos = 300;
    lk_nlu_item_t *v = lk_xmalloc((n_in + n_oos) * sizeof *v);
    uint64_t seed = 7;
    for (int k = 0; k < 20; k++) {
        synthetic_traffic(v, n_in, n_oos, &seed);
        lk_nlu_calibration_t c;
        lk_nlu_calibrate_items(v, n_in + n_oos, alpha, delta, pi, 0.5, &c);
        cr_assert_not(c.met);
        cr_assert_geq(c.threshold, 0.5);
        cr_assert_lt(true_risk(c.threshold, pi), true_risk(0.5, pi), "threshold %f", c.threshold);
        cr_assert_gt(c.risk_bound, true_risk(c.threshold, pi), "the bound reported is above the truth");
    }
    free(v);
}

Test(nlu_calibration, the_bound_counts_each_answered_question_once)
{
    /* CLINC150 at 5 shots, at confidence 0.965: 3 of 201 answered in-scope
     * questions wrong (of 743), 3 of 544 out-of-scope ones answered. The
     * wrong ones are bounded as a share of the answered ones, the answered
     * as a share of all: 0.055 (bounding wrong and right answers each as a
     * share of all in-scope questions gave 0.060). */
    size_t n = 743 + 544, k = 0;
    lk_nlu_item_t *v = lk_xmalloc(n * sizeof *v);
    for (size_t i = 0; i < 743; i++)
        v[k++] = (lk_nlu_item_t){i < 201 ? 0.99 : 0.2, i >= 3, 0};
    for (size_t i = 0; i < 544; i++)
        v[k++] = (lk_nlu_item_t){i < 3 ? 0.99 : 0.0, 0, 1};
    lk_nlu_curve_t *cv = lk_xmalloc(sizeof *cv);
    lk_nlu_curve_build(v, n, cv);
    lk_nlu_calibration_t c = {.answer_risk = 0.05};
    lk_nlu_curve_at(cv, 0.99, 0.1, 0.2, &c);
    cr_assert_float_eq(c.coverage, 201.0 / 743, 1e-12);
    cr_assert_lt(c.risk_bound, 0.057, "bound %f", c.risk_bound);
    cr_assert_gt(c.risk_bound, 1 - c.precision, "above the point estimate %f", 1 - c.precision);
    /* more answered questions, as few wrong: a tighter bound */
    lk_nlu_calibration_t lo = {.answer_risk = 0.05};
    lk_nlu_curve_at(cv, 0.1, 0.1, 0.2, &lo);
    cr_assert_lt(lo.risk_bound, c.risk_bound, "%f", lo.risk_bound);
    free(cv);
    free(v);
}

Test(nlu_calibration, the_bound_holds_where_the_truth_is_known)
{
    /* 40 calibrations on fresh samples of traffic whose true risk at every
     * threshold is known: the chosen threshold's true risk may exceed
     * answer_risk in at most delta of them (the guarantee), and the
     * threshold is not needlessly high (its true risk is mostly near the
     * target, not far below it). */
    const double alpha = 0.15, delta = 0.1, pi = 0.2;
    const size_t n_in = 2000, n_oos = 1000, trials = 40;
    lk_nlu_item_t *v = lk_xmalloc((n_in + n_oos) * sizeof *v);
    uint64_t seed = 42;
    size_t violations = 0, met = 0, near = 0;
    double max_t = 0;
    for (size_t k = 0; k < trials; k++) {
        synthetic_traffic(v, n_in, n_oos, &seed);
        lk_nlu_calibration_t c;
        lk_nlu_calibrate_items(v, n_in + n_oos, alpha, delta, pi, 0.5, &c);
        if (!c.met)
            continue;
        met++;
        double risk = true_risk(c.threshold, pi);
        violations += risk > alpha;
        near += risk > alpha / 2;
        max_t = c.threshold > max_t ? c.threshold : max_t;
    }
    cr_log_info("met %zu, violations %zu, near %zu, highest threshold %f", met, violations, near, max_t);
    cr_assert_geq(met, trials * 3 / 4, "met in %zu of %zu", met, trials);
    cr_assert_leq(violations, (size_t)(delta * (double)trials), "violations %zu of %zu", violations, met);
    cr_assert_geq(near, met / 2, "true risk above alpha / 2 in %zu of %zu", near, met);
    free(v);
}

/* A knowledge base of ten articles with six questions each, enough to
 * calibrate on. */
static void calib_kb(lk_kb_t *kb)
{
    static const char *q[10][6] = {
        {"hoe laat gaan jullie open", "wat zijn de openingstijden", "zijn jullie zondag open", "openingstijden winkel",
         "tot hoe laat is de winkel open", "is de winkel open op feestdagen"},
        {"hoe kan ik iets retourneren", "ik wil mijn bestelling terugsturen", "retour sturen", "kan ik het terugsturen",
         "retourneren hoe werkt dat", "binnen hoeveel dagen retourneren"},
        {"waar blijft mijn pakket", "mijn bestelling is nog niet bezorgd", "wanneer wordt mijn pakket geleverd",
         "track and trace werkt niet", "pakket niet ontvangen", "levering duurt lang"},
        {"hoe kan ik betalen", "kan ik met ideal betalen", "welke betaalmethodes zijn er", "achteraf betalen",
         "betalen met creditcard", "kan ik contant betalen"},
        {"wat zijn de verzendkosten", "hoeveel kost verzenden", "gratis verzending vanaf welk bedrag",
         "verzendkosten buitenland", "waarom betaal ik verzendkosten", "kosten van de bezorging"},
        {"mijn product is kapot", "artikel beschadigd ontvangen", "garantie op mijn stoel", "defect product melden",
         "de lamp doet het niet meer", "kapotte levering"},
        {"hoe wijzig ik mijn adres", "verkeerd adres opgegeven", "adres aanpassen na bestellen", "ander bezorgadres",
         "verhuisd nieuw adres", "adreswijziging doorgeven"},
        {"hoe maak ik een account aan", "wachtwoord vergeten", "inloggen lukt niet", "account verwijderen",
         "mijn account is geblokkeerd", "e-mailadres van account wijzigen"},
        {"hebben jullie een cadeaubon", "cadeaubon kopen", "saldo cadeaubon bekijken", "cadeaubon verzilveren",
         "cadeaukaart geldig tot wanneer", "cadeaubon kwijt"},
        {"kan ik mijn bestelling annuleren", "bestelling annuleren", "order cancelen", "annuleren na betalen",
         "ik wil mijn order intrekken", "bestelling stopzetten"},
    };
    static const char *ids[10] = {"open", "retour", "pakket", "betalen", "verzendkosten",
                                  "kapot", "adres", "account", "cadeaubon", "annuleren"};
    static const char *titles[10] = {"Openingstijden", "Retourneren", "Waar is mijn pakket", "Betalen",
                                     "Verzendkosten", "Kapot product", "Adres wijzigen", "Account",
                                     "Cadeaubon", "Annuleren"};
    lk_kb_init(kb);
    for (size_t i = 0; i < 10; i++)
        add_article(kb, ids[i], "nl", titles[i], q[i], 6);
}

/* Questions of calib_kb's articles (index, text) that no example has, as
 * a company would label them, and two out of scope (-1). */
static const struct {
    long article;
    const char *text;
} labelled_nl[] = {
    {0, "vanaf hoe laat kan ik langskomen in de winkel"},
    {1, "ik wil de schoenen terug sturen, hoe doe ik dat"},
    {2, "mijn pakket is er nog steeds niet"},
    {3, "kan ik ook met paypal betalen"},
    {4, "moet ik betalen voor de verzending"},
    {5, "de stoel die ik kreeg is kapot"},
    {6, "ik ben verhuisd, waar geef ik mijn nieuwe adres door"},
    {7, "ik kan niet inloggen met mijn wachtwoord"},
    {8, "hoeveel staat er nog op mijn cadeaubon"},
    {9, "ik wil de bestelling van gisteren annuleren"},
    {-1, "wat voor weer wordt het morgen"},
    {-1, "hoe laat vertrekt de trein naar utrecht"},
};

Test(nlu_calibration, labelled_questions_and_review_marks_join_it)
{
    lk_kb_t kb;
    calib_kb(&kb);
    lk_nlu_options_t o;
    lk_nlu_options_default(&o);
    o.answer_risk = 0.05;
    o.builtin_negatives = true;
    lk_nlu_model_t *base;
    cr_assert_eq(lk_nlu_build(&kb, &o, &base), 0);
    lk_nlu_calibration_t c0;
    lk_nlu_calibration(base, &c0);
    cr_assert(c0.done);
    cr_assert_eq(c0.n_labelled, 0);

    /* the company's labelled questions: each counts once, in or out of
     * scope; the model itself (its readings) does not change */
    size_t n_lab = sizeof labelled_nl / sizeof labelled_nl[0];
    lk_nlu_labelled_t lab[64];
    for (size_t i = 0; i < n_lab; i++)
        lab[i] = (lk_nlu_labelled_t){labelled_nl[i].text, labelled_nl[i].article, false};
    lab[n_lab] = (lk_nlu_labelled_t){"naar welk artikel?", 99, false}; /* no such article: left out */
    lab[n_lab + 1] = (lk_nlu_labelled_t){NULL, 0, false};              /* no text: left out */
    o.labelled = lab;
    o.n_labelled = n_lab + 2;
    lk_nlu_model_t *with;
    cr_assert_eq(lk_nlu_build(&kb, &o, &with), 0);
    lk_nlu_calibration_t c1;
    lk_nlu_calibration(with, &c1);
    cr_assert_eq(c1.n_labelled, n_lab);
    cr_assert_eq(c1.n_in, c0.n_in + n_lab - 2);
    cr_assert_eq(c1.n_oos, c0.n_oos + 2);
    for (size_t i = 0; i < n_lab; i++) {
        lk_nlu_reading_t ra, rb;
        cr_assert_eq(lk_nlu_read(base, S(labelled_nl[i].text), NULL, &ra), 0);
        cr_assert_eq(lk_nlu_read(with, S(labelled_nl[i].text), NULL, &rb), 0);
        cr_assert_eq(ra.top[0].article, rb.top[0].article);
        cr_assert_eq(ra.top[0].confidence, rb.top[0].confidence, "labelled questions are not trained on");
    }

    /* "wrong" review marks on answers the bot gives with high confidence
     * raise the bound there, and so the threshold (or the target is no
     * longer met); a mark on an article the bot no longer answers with
     * tells nothing and is left out */
    size_t n_wrong = 0;
    for (size_t i = 0; i < n_lab - 2; i++) {
        lk_nlu_reading_t r;
        cr_assert_eq(lk_nlu_read(base, S(labelled_nl[i].text), NULL, &r), 0);
        for (int rep = 0; rep < 4; rep++) /* several customers asked it */
            lab[n_wrong++] = (lk_nlu_labelled_t){labelled_nl[i].text, r.top[0].article, true};
    }
    lab[n_wrong] = (lk_nlu_labelled_t){labelled_nl[0].text, labelled_nl[0].article == 0 ? 5 : 0, true};
    lab[n_wrong + 1] = (lk_nlu_labelled_t){labelled_nl[1].text, -1, true}; /* wrong needs an article */
    o.labelled = lab;
    o.n_labelled = n_wrong + 2;
    lk_nlu_model_t *marked;
    cr_assert_eq(lk_nlu_build(&kb, &o, &marked), 0);
    lk_nlu_calibration_t c2, at0, base_at;
    lk_nlu_calibration(marked, &c2);
    cr_assert_eq(c2.n_labelled, n_wrong);
    cr_assert_eq(c2.n_in, c0.n_in + n_wrong);
    lk_nlu_calibration_at(marked, c0.threshold, &at0);
    lk_nlu_calibration_at(base, c0.threshold, &base_at);
    cr_assert_gt(at0.risk_bound, base_at.risk_bound, "%f vs %f", at0.risk_bound, base_at.risk_bound);
    cr_assert_lt(at0.precision, base_at.precision);
    if (c0.met)
        cr_assert(!c2.met || c2.threshold > c0.threshold, "threshold %f -> %f", c0.threshold, c2.threshold);

    /* "right" marks on the same answers lower the bound there */
    for (size_t i = 0; i < n_wrong; i++)
        lab[i].wrong = false;
    o.n_labelled = n_wrong;
    lk_nlu_model_t *right;
    cr_assert_eq(lk_nlu_build(&kb, &o, &right), 0);
    lk_nlu_calibration_t c3, at3;
    lk_nlu_calibration(right, &c3);
    lk_nlu_calibration_at(right, c0.threshold, &at3);
    cr_assert_eq(c3.n_labelled, n_wrong);
    cr_assert_lt(at3.risk_bound, at0.risk_bound);
    cr_assert_geq(at3.precision, base_at.precision - 1e-12);

    lk_nlu_free(base);
    lk_nlu_free(with);
    lk_nlu_free(marked);
    lk_nlu_free(right);
    lk_kb_free(&kb);
}

Test(nlu_calibration, a_build_calibrates_deterministically)
{
    lk_kb_t kb;
    calib_kb(&kb);
    lk_nlu_options_t o = calibrated_options();
    lk_nlu_model_t *a, *b, *plain;
    cr_assert_eq(lk_nlu_build(&kb, &o, &a), 0);
    cr_assert_eq(lk_nlu_build(&kb, &o, &b), 0);
    cr_assert_eq(lk_nlu_build(&kb, NULL, &plain), 0);
    lk_nlu_calibration_t ca, cb, cp;
    lk_nlu_calibration(a, &ca);
    lk_nlu_calibration(b, &cb);
    lk_nlu_calibration(plain, &cp);
    cr_assert(ca.done);
    cr_assert_not(cp.done, "no answer_risk: no calibration");
    cr_assert_gt(ca.n_oos, 400, "the built-in Dutch out-of-scope questions: %zu", ca.n_oos);
    cr_assert_geq(ca.n_in, 40);
    cr_assert_eq(ca.threshold, cb.threshold);
    cr_assert_eq(ca.risk_bound, cb.risk_bound, "bitwise equal");
    cr_assert_eq(ca.precision, cb.precision);
    cr_assert_eq(ca.choice_threshold, cb.choice_threshold);
    /* met or not, the model answers at the calibration's threshold (when
     * not met: where the bound is lowest, never below the floor) */
    cr_assert_eq(lk_nlu_threshold(a), ca.threshold);
    cr_assert_geq(ca.threshold, ca.met ? 0.0 : o.answer_threshold);
    /* the calibration's figures at another threshold */
    lk_nlu_calibration_t hi, lo;
    lk_nlu_calibration_at(a, 0.95, &hi);
    lk_nlu_calibration_at(a, 0.05, &lo);
    cr_assert(hi.done && lo.done);
    cr_assert_geq(lo.coverage, hi.coverage);
    cr_assert_leq(lo.oos_recall, hi.oos_recall);
    /* the calibration scores the built-in questions but does not train on
     * them: the readings are those of the model without them */
    const char *texts[] = {"ik wil iets terugsturen", "wat kost de verzending", "wachtwoord kwijt", "weerbericht"};
    for (size_t i = 0; i < 4; i++) {
        lk_nlu_reading_t ra, rp;
        cr_assert_eq(lk_nlu_read(a, S(texts[i]), NULL, &ra), 0);
        cr_assert_eq(lk_nlu_read(plain, S(texts[i]), NULL, &rp), 0);
        cr_assert_eq(ra.top[0].article, rp.top[0].article, "%s", texts[i]);
        cr_assert_eq(ra.top[0].confidence, rp.top[0].confidence, "%s", texts[i]);
        /* a choice is never offered beside an answer, and holds 2 or 3 */
        cr_assert(!(ra.ask && ra.answer));
        cr_assert(!ra.ask || (ra.n_choices >= 2 && ra.n_choices <= 3));
    }
    o.answer_risk = 1.5;
    lk_nlu_model_t *bad;
    cr_assert_eq(lk_nlu_build(&kb, &o, &bad), LK_EINVAL);
    lk_nlu_free(a);
    lk_nlu_free(b);
    lk_nlu_free(plain);
    lk_kb_free(&kb);
}

Test(nlu_explain, function_words_alone_are_no_match)
{
    lk_kb_t kb;
    calib_kb(&kb);
    lk_nlu_model_t *m;
    cr_assert_eq(lk_nlu_build(&kb, NULL, &m), 0);
    lk_nlu_set_threshold(m, 0.0); /* whatever the confidence: only the words decide here */
    lk_nlu_reading_t r;
    /* "hoe laat" matches the opening hours only on function words */
    cr_assert_eq(lk_nlu_read(m, S("hoe laat vertrekt de trein naar utrecht"), NULL, &r), 0);
    cr_assert_not(r.answer, "a train question is not answered with %ld", r.top[0].article);
    lk_nlu_explanation_t ex;
    cr_assert_eq(lk_nlu_explain(m, S("hoe laat vertrekt de trein naar utrecht"), NULL, 0, &ex), 0);
    cr_assert(ex.function_words_only);
    bool trein = false;
    for (size_t i = 0; i < ex.n_unknown; i++)
        trein |= !strcmp(ex.unknown[i], "trein");
    cr_assert(trein, "\"trein\" is named as unknown");
    /* a real match answers, and names its words */
    cr_assert_eq(lk_nlu_read(m, S("hoe laat is de winkel open op zaterdag"), NULL, &r), 0);
    cr_assert(r.answer);
    cr_assert_eq(r.top[0].article, 0);
    cr_assert_eq(lk_nlu_explain(m, S("hoe laat is de winkel open op zaterdag"), NULL, -1, &ex), 0);
    cr_assert_not(ex.function_words_only);
    bool winkel = false;
    for (size_t i = 0; i < ex.n_matched; i++)
        winkel |= !strcmp(ex.matched[i], "winkel");
    cr_assert(winkel, "\"winkel\" matched");
    /* a long word of two-byte letters is cut whole: the copy stays UTF-8 */
    cr_assert_eq(lk_nlu_explain(m, S("\xC3\xB8\xC3\xB8\xC3\xB8\xC3\xB8\xC3\xB8\xC3\xB8\xC3\xB8\xC3\xB8"
                                     "\xC3\xB8\xC3\xB8\xC3\xB8\xC3\xB8\xC3\xB8\xC3\xB8\xC3\xB8\xC3\xB8q"),
                                 NULL, 0, &ex), 0);
    cr_assert_eq(ex.n_unknown, 1);
    cr_assert(lk_utf8_valid(ex.unknown[0], strlen(ex.unknown[0])), "%s", ex.unknown[0]);
    cr_assert_eq(lk_nlu_explain(m, S("x"), NULL, 99, &ex), LK_EINVAL);
    cr_assert_eq(lk_nlu_explain(m, S("\xC3"), NULL, 0, &ex), LK_EUTF8);
    lk_nlu_free(m);
    lk_kb_free(&kb);
}

Test(nlu_words, typos_and_compounds_read_as_known_words)
{
    lk_kb_t kb;
    calib_kb(&kb);
    lk_nlu_model_t *m;
    cr_assert_eq(lk_nlu_build(&kb, NULL, &m), 0);
    lk_nlu_reading_t r;
    lk_nlu_explanation_t ex;
    /* one and two letters off */
    const char *typo[][2] = {{"wachtwoord vergeeten", "7"}, {"wachtwrd vergeten", "7"},
                             {"cadaubon verzilveren", "8"}, {"bestelling anuleren", "9"}};
    for (size_t i = 0; i < 4; i++) {
        cr_assert_eq(top_of(m, typo[i][0], &r), strtol(typo[i][1], NULL, 10), "%s", typo[i][0]);
        cr_assert_eq(lk_nlu_explain(m, S(typo[i][0]), NULL, -1, &ex), 0);
        cr_assert_eq(ex.n_unknown, 0, "%s: every word read as a known one", typo[i][0]);
    }
    /* a compound of known words: its parts match */
    cr_assert_eq(lk_nlu_explain(m, S("cadeaubonsaldo"), NULL, 8, &ex), 0);
    cr_assert_eq(ex.n_unknown, 0);
    cr_assert_geq(ex.n_matched, 2, "both parts match the gift-card article");
    cr_assert_eq(top_of(m, "cadeaubonsaldo", &r), 8);
    lk_nlu__prep_t p;
    cr_assert_eq(lk_nlu__prep(S("retourkosten"), &p), 0);
    lk_nlu__prep_stem(&p, NULL);
    cr_assert_eq(lk_nlu__vocab_correct(&m->vocab, &p), 1);
    cr_assert_eq(p.n_toks, 2, "split in two");
    cr_assert_eq(p.toks[0].len, 6); /* retour */
    lk_nlu__prep_free(&p);
    /* a word far from every known word stays unknown */
    cr_assert_eq(lk_nlu_explain(m, S("zonnebrandcreme"), NULL, 0, &ex), 0);
    cr_assert_eq(ex.n_unknown, 1);
    lk_nlu_free(m);
    lk_kb_free(&kb);
}

Test(nlu_choices, none_on_function_words_alone_nor_without_a_calibration)
{
    lk_kb_t kb;
    calib_kb(&kb);
    lk_nlu_options_t o = calibrated_options();
    lk_nlu_model_t *m, *plain;
    cr_assert_eq(lk_nlu_build(&kb, &o, &m), 0);
    cr_assert_eq(lk_nlu_build(&kb, NULL, &plain), 0);
    lk_nlu_set_threshold(m, 0.0);
    /* a weather question matches the opening hours on "wat" alone: with any
     * threshold, neither an answer nor choices */
    lk_nlu_reading_t r;
    cr_assert_eq(lk_nlu_read(m, S("wat is het weer morgen"), NULL, &r), 0);
    cr_assert_gt(r.n_top, 1);
    cr_assert_not(r.answer);
    cr_assert_not(r.ask);
    /* without a calibration there are no choices, whatever the reading */
    const char *texts[] = {"hoe stuur ik iets terug", "wat kost het", "wachtwoord", "cadeaubon of annuleren",
                           "ik wil iets terugsturen"};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        cr_assert_eq(lk_nlu_read(plain, S(texts[i]), NULL, &r), 0);
        cr_assert_not(r.ask, "%s", texts[i]);
        cr_assert_eq(r.n_choices, 0);
    }
    lk_nlu_free(m);
    lk_nlu_free(plain);
    lk_kb_free(&kb);
}

Test(nlu_words, the_signals_read_the_message_as_written)
{
    lk_kb_t kb;
    calib_kb(&kb);
    /* "mede" and "werker" are known words: "medewerker" would split into them */
    const char *q[] = {"mede eigenaar worden", "werker in de winkel", "word ik mede eigenaar", "ben je werker"};
    add_article(&kb, "mede", "nl", "Mede-eigenaar", q, 4);
    lk_nlu_model_t *m;
    cr_assert_eq(lk_nlu_build(&kb, NULL, &m), 0);
    lk_nlu_explanation_t ex;
    cr_assert_eq(lk_nlu_explain(m, S("medewerker"), NULL, 10, &ex), 0);
    cr_assert_eq(ex.n_unknown, 0, "the compound reads as its known parts");
    lk_nlu_reading_t r;
    cr_assert_eq(lk_nlu_read(m, S("medewerker"), NULL, &r), 0);
    cr_assert_geq(r.signals.person_request, 0.5, "still a request for a person: %f", r.signals.person_request);
    lk_nlu_free(m);
    lk_kb_free(&kb);
}

Test(nlu_choices, an_unclear_answer_between_two_close_articles_becomes_a_choice)
{
    lk_kb_t kb;
    lk_kb_init(&kb);
    /* eight web-shop articles, two of them close (h15-choices' fixture) */
    static const struct {
        const char *id, *title, *answer;
        const char *questions[4];
    } shop[8] = {
        {"retour-schoenen",
         "Schoenen retourneren",
         "Schoenen stuur je binnen 30 dagen ongedragen terug in de originele doos, met het retourlabel uit je account.",
         {"Hoe stuur ik schoenen terug?", "Kan ik mijn schoenen retourneren?",
          "Mijn schoenen passen niet, hoe stuur ik ze terug?", "Retour van sneakers"}},
        {"retour-kleding",
         "Kleding retourneren",
         "Kleding stuur je binnen 30 dagen terug met de labels er nog aan, met het retourlabel uit je account.",
         {"Hoe stuur ik kleding terug?", "Kan ik mijn jurk retourneren?",
          "Mijn broek past niet, hoe stuur ik hem terug?", "Retour van een jas"}},
        {"levertijd",
         "Levertijd",
         "We bezorgen binnen 2 werkdagen.",
         {"Hoe lang duurt de levering?", "Wanneer wordt mijn bestelling bezorgd?", "Wat is de levertijd?",
          "Hoe snel leveren jullie?"}},
        {"betalen",
         "Betalen",
         "Je betaalt met iDEAL, creditcard of achteraf met Klarna.",
         {"Hoe kan ik betalen?", "Kan ik met iDEAL betalen?", "Welke betaalmethoden zijn er?",
          "Kan ik achteraf betalen?"}},
        {"verzendkosten",
         "Verzendkosten",
         "Verzending is gratis vanaf 20 euro; daaronder kost het 3,95 euro.",
         {"Wat kost verzending?", "Zijn er verzendkosten?", "Is verzenden gratis?",
          "Hoeveel kost het om te verzenden?"}},
        {"openingstijden",
         "Openingstijden klantenservice",
         "De klantenservice is open van maandag tot en met vrijdag van 9 tot 17 uur.",
         {"Wanneer is de klantenservice open?", "Wat zijn jullie openingstijden?", "Tot hoe laat kan ik bellen?",
          "Zijn jullie in het weekend bereikbaar?"}},
        {"cadeaubon",
         "Cadeaubon",
         "Je vult de code van je cadeaubon in bij het afrekenen. Een cadeaubon is twee jaar geldig.",
         {"Hoe gebruik ik een cadeaubon?", "Kan ik met een cadeaubon betalen?", "Waar vul ik mijn cadeaukaart in?",
          "Is mijn cadeaubon nog geldig?"}},
        {"account",
         "Account aanmaken",
         "Een account maak je aan via Inloggen, Registreren. Bestellen kan ook zonder account.",
         {"Hoe maak ik een account aan?", "Moet ik een account hebben om te bestellen?", "Ik wil me registreren",
          "Wachtwoord vergeten"}},
    };
    for (size_t i = 0; i < 8; i++) {
        lk_article_t a = test_article(shop[i].id, "nl", shop[i].title, (char **)shop[i].questions, 4, shop[i].answer);
        lk_kb_add(&kb, &a);
    }
    lk_nlu_options_t o = calibrated_options();
    lk_nlu_model_t *m;
    cr_assert_eq(lk_nlu_build(&kb, &o, &m), 0);
    lk_nlu_reading_t r;
    cr_assert_eq(lk_nlu_read(m, S("Hoe stuur ik iets terug?"), NULL, &r), 0);
    cr_assert(r.ask, "asked, not guessed: %s %.3f / %s %.3f", kb.articles[r.top[0].article].id, r.top[0].confidence,
              kb.articles[r.top[1].article].id, r.top[1].confidence);
    cr_assert_not(r.answer);
    cr_assert_eq(r.n_choices, 2);
    long a = r.top[0].article, b = r.top[1].article;
    cr_assert((a == 0 && b == 1) || (a == 1 && b == 0), "the two return articles");
    /* clear questions are answered */
    cr_assert_eq(lk_nlu_read(m, S("Kan ik mijn schoenen retourneren?"), NULL, &r), 0);
    cr_assert(r.answer && !r.ask);
    cr_assert_eq(r.top[0].article, 0);
    cr_assert_eq(lk_nlu_read(m, S("Hoe lang duurt de levering?"), NULL, &r), 0);
    cr_assert(r.answer && !r.ask);
    lk_nlu_free(m);
    lk_kb_free(&kb);
}

Test(nlu_choices, a_question_not_answered_is_offered_its_top_two_at_least)
{
    /* a clear favourite with weak others: still "A or B?" (the question is
     * not answered, and the right article is often the first); a third only
     * when it has at least 15% of the first's probability */
    float weak[3] = {1.0f, 0.05f, 0.01f}, close[3] = {1.0f, 0.5f, 0.2f}, mid[3] = {1.0f, 0.5f, 0.1f};
    double sc;
    cr_assert_eq(lk_nlu__choice_set(weak, 3, 0.6, &sc), 2);
    cr_assert_float_eq(sc, 0.6 * 1.05, 1e-6, "the set's confidence: %f", sc);
    cr_assert_eq(lk_nlu__choice_set(close, 3, 0.4, &sc), 3);
    cr_assert_float_eq(sc, 0.4 * 1.7, 1e-6);
    cr_assert_eq(lk_nlu__choice_set(mid, 3, 0.4, &sc), 2);
    cr_assert_eq(lk_nlu__choice_set(weak, 1, 0.6, &sc), 1, "one candidate is no choice");
    cr_assert_float_eq(lk_nlu__choice_set(close, 3, 0.9, &sc) ? sc : 0, 1.0, 1e-12, "capped at 1");
}

Test(nlu_choices, another_languages_article_is_passed_over_not_an_end)
{
    /* on the demo web shop, a Dutch complaint about the tracking link finds
     * the Dutch tracking article first and its English translation second
     * ("track", "trace" and "link" are words of both): the choices are the
     * Dutch article and the next Dutch one, not nothing */
    lk_kb_t kb;
    cr_assert_eq(lk_kb_demo(&kb), 0);
    lk_kb_answers_to_text(&kb);
    lk_nlu_options_t o = calibrated_options();
    lk_nlu_model_t *m;
    cr_assert_eq(lk_nlu_build(&kb, &o, &m), 0);
    lk_nlu_reading_t r;
    cr_assert_eq(lk_nlu_read(m, S("De track en trace link doet niks, er staat geen informatie"), NULL, &r), 0);
    cr_assert_not(r.answer, "below the calibrated threshold: %f < %f", r.top[0].confidence, lk_nlu_threshold(m));
    cr_assert(r.ask, "asked: %s %s", kb.articles[r.top[0].article].id, kb.articles[r.top[1].article].id);
    cr_assert_geq(r.n_choices, 2);
    cr_assert_str_eq(kb.articles[r.top[0].article].id, "pakket-volgen");
    for (size_t k = 0; k < r.n_choices; k++)
        cr_assert_str_eq(kb.articles[r.top[k].article].language, "nl", "choice %zu: %s", k,
                         kb.articles[r.top[k].article].id);
    /* the translation is still among the readings, after the choices */
    bool en = false;
    for (size_t k = r.n_choices; k < r.n_top; k++)
        en = en || !strcmp(kb.articles[r.top[k].article].id, "pakket-volgen-en");
    cr_assert(en, "the English article stays in top[] after the choices");
    lk_nlu_free(m);
    lk_kb_free(&kb);
}
