/*
 * synonyms.c: the synonym lexicon, so that a customer's word the knowledge
 * base has never seen can still find an article that says the same in other
 * words ("opsturen" / "verzenden", "refund" / "repayment"), and an English
 * question a Dutch article ("invoice" / "factuur").
 *
 * The lexicon is derived at build time by scripts/lexicon.sh from Debian's
 * hunspell-nl, wordnet-base and FreeDict Dutch-English dictionaries (their
 * sources, licences and the filters are in that script and in
 * docs/quality.md) and compiled into the program (CMakeLists.txt). It is
 * parsed and stemmed once per process, on first use; read-only afterwards.
 * vocab.c links its words to a knowledge base's words when a model is built.
 */
#include "nlu/nlu_int.h"

#include "util/util.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

extern const unsigned char lk_nlu_lexicon[];
extern const unsigned long lk_nlu_lexicon_len;

static lk_nlu__syn_pair_t *pairs;
static size_t n_pairs;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* Copies w[0..n) and its stem into the arena at *at. */
static void put_word(char **at, lk_text_stemmer_t *st, const char *w, size_t n, const char **word, uint8_t *wl,
                     const char **stem, uint8_t *sl)
{
    memcpy(*at, w, n);
    (*at)[n] = '\0';
    *word = *at;
    *wl = (uint8_t)n;
    *at += n + 1;
    /* a Snowball stem is no longer than its word; were it, it is cut */
    size_t k = lk_text_stem(st, w, n, *at, n + 2);
    *stem = *at;
    *sl = (uint8_t)k;
    *at += k + 1;
}

static void load(void)
{
    const char *s = (const char *)lk_nlu_lexicon;
    size_t len = (size_t)lk_nlu_lexicon_len, lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += s[i] == '\n';
    pairs = lk_xcalloc(lines ? lines : 1, sizeof *pairs);
    /* per line the two words and their stems with NULs: at most
     * 2 (|a| + |b|) + 6 bytes, less than three times the line */
    char *arena = lk_xmalloc(len * 3 + 64), *at = arena;
    lk_text_stemmer_t *st_nl = lk_text_stemmer_new("nl"), *st_en = lk_text_stemmer_new("en");
    for (size_t i = 0; i < len;) {
        size_t j = i;
        while (j < len && s[j] != '\n')
            j++;
        const char *f[3];
        size_t fl[3], nf = 0;
        if (s[i] != '#')
            for (size_t k = i; k <= j && nf < 3;) {
                size_t e = k;
                while (e < j && s[e] != '\t')
                    e++;
                f[nf] = s + k;
                fl[nf++] = e - k;
                k = e + 1;
            }
        i = j + 1;
        if (nf != 3 || !fl[1] || !fl[2] || fl[1] > LK_NLU__STEM_MAX - 8 || fl[2] > LK_NLU__STEM_MAX - 8)
            continue;
        lk_nlu__syn_pair_t *p = &pairs[n_pairs];
        if (fl[0] == 2 && !memcmp(f[0], "nl", 2))
            p->kind = LK_NLU__SYN_NL;
        else if (fl[0] == 2 && !memcmp(f[0], "en", 2))
            p->kind = LK_NLU__SYN_EN;
        else if (fl[0] == 5 && !memcmp(f[0], "nl-en", 5))
            p->kind = LK_NLU__SYN_NL_EN;
        else
            continue;
        put_word(&at, p->kind == LK_NLU__SYN_EN ? st_en : st_nl, f[1], fl[1], &p->a, &p->la, &p->sa, &p->lsa);
        put_word(&at, p->kind == LK_NLU__SYN_NL ? st_nl : st_en, f[2], fl[2], &p->b, &p->lb, &p->sb, &p->lsb);
        n_pairs++;
    }
    lk_text_stemmer_free(st_nl);
    lk_text_stemmer_free(st_en);
}

const lk_nlu__syn_pair_t *lk_nlu__lexicon(size_t *n)
{
    pthread_once(&once, load);
    *n = n_pairs;
    return pairs;
}

bool lk_nlu__lexicon_has(lk_nlu__syn_kind_t kind, const char *a, const char *b)
{
    size_t n;
    const lk_nlu__syn_pair_t *p = lk_nlu__lexicon(&n);
    for (size_t i = 0; i < n; i++)
        if (p[i].kind == kind && !strcmp(p[i].a, a) && !strcmp(p[i].b, b))
            return true;
    return false;
}
