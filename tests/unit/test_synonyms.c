/* Unit tests for the synonym lexicon (src/nlu/synonyms.c, scripts/lexicon.sh)
 * and its use in the NLU: the lexicon compiled into the program loads, has
 * the pairs Debian's dictionaries give, and a question in words the knowledge
 * base has never seen finds the article through them, with the explanation
 * naming the synonym. */
#include "kb/kb.h"
#include "nlu/nlu.h"
#include "nlu/nlu_int.h"
#include "test_nlu_kb.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#define S(x) (x), strlen(x)

/* A small Dutch web shop: the questions say "verzenden", "factuur",
 * "korting", never "opsturen", "invoice" or "rabat". */
static void shop_kb(lk_kb_t *kb)
{
    static const char *q[6][5] = {
        {"hoe kan ik iets retourneren", "ik wil mijn bestelling terugsturen", "retour aanmelden",
         "kan ik het terugsturen", "binnen hoeveel dagen retourneren"},
        {"waar blijft mijn pakket", "mijn pakket is nog niet bezorgd", "wanneer wordt mijn pakket geleverd",
         "track and trace werkt niet", "pakket niet ontvangen"},
        {"hoe lang duurt het verzenden", "wanneer gaan jullie mijn spullen verzenden", "verzenden naar belgie",
         "kunnen jullie vandaag nog verzenden", "verzenden met postnl"},
        {"waar vind ik mijn factuur", "factuur downloaden", "ik heb een factuur nodig", "factuur kwijt",
         "factuur op bedrijfsnaam"},
        {"hoe krijg ik korting", "kortingscode werkt niet", "korting voor studenten",
         "is er korting op grote bestellingen", "waar voer ik de korting in"},
        {"wat zijn de openingstijden", "hoe laat gaan jullie open", "zijn jullie zondag open", "openingstijden winkel",
         "is de winkel open op feestdagen"},
    };
    static const char *ids[6] = {"retour", "pakket", "verzenden", "factuur", "korting", "open"};
    static const char *titles[6] = {"Retourneren", "Waar is mijn pakket", "Verzenden", "Factuur",
                                    "Korting",     "Openingstijden"};
    lk_kb_init(kb);
    for (size_t i = 0; i < 6; i++)
        add_article(kb, ids[i], "nl", titles[i], q[i], 5);
}

static bool all_lower_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < 'a' || s[i] > 'z')
            return false;
    return n > 0 && s[n] == '\0';
}

Test(synonyms, the_lexicon_loads_with_the_pairs_of_the_data)
{
    size_t n;
    const lk_nlu__syn_pair_t *p = lk_nlu__lexicon(&n);
    cr_assert_gt(n, 10000, "%zu pairs", n);
    size_t kinds[4] = {0};
    for (size_t i = 0; i < n; i++) {
        cr_assert(p[i].kind >= LK_NLU__SYN_EN && p[i].kind <= LK_NLU__SYN_NL_EN);
        kinds[p[i].kind]++;
        cr_assert(all_lower_ascii(p[i].a, p[i].la), "word %s", p[i].a);
        cr_assert(all_lower_ascii(p[i].b, p[i].lb), "word %s", p[i].b);
        cr_assert(strcmp(p[i].a, p[i].b) != 0 || p[i].kind == LK_NLU__SYN_NL_EN, "%s with itself", p[i].a);
        cr_assert(p[i].lsa > 0 && p[i].lsa <= p[i].la && strlen(p[i].sa) == p[i].lsa);
        cr_assert(p[i].lsb > 0 && p[i].lsb <= p[i].lb && strlen(p[i].sb) == p[i].lsb);
        /* the synonym pairs are listed both ways */
        if (i % 97 == 0 && p[i].kind != LK_NLU__SYN_NL_EN)
            cr_assert(lk_nlu__lexicon_has(p[i].kind, p[i].b, p[i].a), "%s %s one way only", p[i].a, p[i].b);
    }
    for (int k = LK_NLU__SYN_EN; k <= LK_NLU__SYN_NL_EN; k++)
        cr_assert_gt(kinds[k], 1000, "kind %d: %zu pairs", k, kinds[k]);
    /* what the sources say: WordNet's first sense of "parcel" is the
     * synset {package, parcel}; FreeDict translates "factuur" as "invoice"
     * and both "verzenden" and "opsturen" as "send" and "transmit" */
    cr_assert(lk_nlu__lexicon_has(LK_NLU__SYN_EN, "parcel", "package"));
    cr_assert(lk_nlu__lexicon_has(LK_NLU__SYN_NL_EN, "factuur", "invoice"));
    cr_assert(lk_nlu__lexicon_has(LK_NLU__SYN_NL, "opsturen", "verzenden"));
    cr_assert(lk_nlu__lexicon_has(LK_NLU__SYN_NL, "verzenden", "opsturen"));
    /* and the filters keep what is only loosely related out: "bestelling"
     * translates as "order", as do words of other senses of "order" */
    cr_assert(!lk_nlu__lexicon_has(LK_NLU__SYN_NL, "bestelling", "volgorde"));
    cr_assert(!lk_nlu__lexicon_has(LK_NLU__SYN_NL, "bestelling", "bevel"));
    cr_assert(!lk_nlu__lexicon_has(LK_NLU__SYN_NL, "verzenden", "verzenden"));
    /* the same copy every time */
    size_t n2;
    cr_assert_eq(lk_nlu__lexicon(&n2), p);
    cr_assert_eq(n2, n);
}

Test(synonyms, a_question_in_other_words_finds_the_article)
{
    lk_kb_t kb;
    shop_kb(&kb);
    lk_nlu_model_t *m;
    cr_assert_eq(lk_nlu_build(&kb, NULL, &m), 0);
    /* the word is not the knowledge base's, and no typo of one of its words */
    const char *cases[][3] = {
        {"wanneer gaan jullie het opsturen", "opsturen", "2"}, /* Dutch synonym (FreeDict) */
        {"where can i find my invoice", "invoice", "3"},       /* English question, Dutch article */
    };
    for (size_t c = 0; c < 2; c++) {
        const char *text = cases[c][0], *word = cases[c][1];
        long want = strtol(cases[c][2], NULL, 10);
        lk_nlu__prep_t p;
        cr_assert_eq(lk_nlu__prep(S(word), &p), 0);
        lk_nlu__prep_stem(&p, NULL);
        long via[LK_NLU__MAX_TOKENS];
        cr_assert_eq(lk_nlu__vocab_correct_via(&m->vocab, &p, via), 1, "%s reads as a known word", word);
        cr_assert_geq(via[0], 0, "%s: through the lexicon, not as a typo", word);
        lk_nlu__prep_free(&p);

        lk_nlu_reading_t r;
        cr_assert_eq(lk_nlu_read(m, S(text), NULL, &r), 0);
        cr_assert_eq(r.n_top ? r.top[0].article : -1, want, "%s", text);
        lk_nlu_explanation_t ex;
        cr_assert_eq(lk_nlu_explain(m, S(text), NULL, -1, &ex), 0);
        long v = -1;
        for (size_t i = 0; i < ex.n_via; i++)
            if (!strcmp(ex.via[i].word, word))
                v = (long)i;
        cr_assert_geq(v, 0, "%s: the synonym is named", text);
        cr_assert_str_eq(ex.via[v].as, kb.articles[want].id); /* each article's id is its key word */
        bool matched = false;
        for (size_t i = 0; i < ex.n_matched; i++)
            matched |= !strcmp(ex.matched[i], word);
        cr_assert(matched, "%s: the word as written is among the matched ones", text);
        for (size_t i = 0; i < ex.n_unknown; i++)
            cr_assert(strcmp(ex.unknown[i], word) != 0);
    }
    /* a word the lexicon does not have stays unknown, and no synonym is named */
    lk_nlu_explanation_t ex;
    cr_assert_eq(lk_nlu_explain(m, S("wanneer gaan jullie het blorpen"), NULL, -1, &ex), 0);
    cr_assert_eq(ex.n_via, 0);
    cr_assert_eq(ex.n_unknown, 1);
    cr_assert_str_eq(ex.unknown[0], "blorpen");
    /* a known word is read as itself, not as a synonym */
    cr_assert_eq(lk_nlu_explain(m, S("wanneer gaan jullie verzenden"), NULL, -1, &ex), 0);
    cr_assert_eq(ex.n_via, 0);
    lk_nlu_free(m);
    lk_kb_free(&kb);
}

Test(synonyms, the_synonym_raises_the_confidence_of_the_right_article)
{
    lk_kb_t kb;
    shop_kb(&kb);
    lk_nlu_model_t *m;
    cr_assert_eq(lk_nlu_build(&kb, NULL, &m), 0);
    /* the same question with a word no dictionary has, and with the
     * synonym: only the synonym points at the shipping article */
    lk_nlu_reading_t with, without;
    cr_assert_eq(lk_nlu_read(m, S("kunnen jullie het vandaag nog opsturen"), NULL, &with), 0);
    cr_assert_eq(lk_nlu_read(m, S("kunnen jullie het vandaag nog blorpen"), NULL, &without), 0);
    cr_assert_eq(with.top[0].article, 2);
    double p_with = with.top[0].confidence, p_without = -1;
    for (size_t k = 0; k < without.n_top; k++)
        if (without.top[k].article == 2)
            p_without = without.top[k].confidence;
    cr_assert_gt(p_with, p_without, "%f vs %f", p_with, p_without);
    lk_nlu_free(m);
    lk_kb_free(&kb);
}
