/*
 * fuzz_text: the text pipeline under the NLU (src/text/text.h):
 * normalisation (both entry points and both of its code paths), the
 * tokeniser, the Snowball stemmers, the stop-word lists and language
 * identification, on any bytes.
 *
 * Invariants: invalid UTF-8 is refused with LK_EUTF8 and valid UTF-8 is
 * accepted; a normal form is valid UTF-8 with no NUL, the same from
 * lk_text_normalize(), lk_text_normalize_buf() and the utf8proc-only path;
 * tokens are in order, inside the text, non-empty and apart, and a smaller
 * token array gets the same first tokens; a stem fits its buffer; the
 * language is "nl", "en" or "" with a confidence that fits it, and the same
 * from lk_text_language() and lk_text_language_tokens().
 */
#include "fuzz.h"

#include "text/text.h"
#include "text/text_int.h"
#include "util/util.h"

#include <math.h>

static lk_text_stemmer_t *stem_nl, *stem_en;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    lk_log_set_level(LK_LOG_OFF);
    stem_nl = lk_text_stemmer_new("nl");
    stem_en = lk_text_stemmer_new("en");
    FUZZ_CHECK(stem_nl && stem_en);
    FUZZ_CHECK(lk_text_stemmer_new("xx") == NULL);
    return 0;
}

#define MAX_TOKS 256

static void check_tokens(const char *s, size_t len)
{
    static lk_token_t toks[MAX_TOKS], few[8];
    size_t n = lk_text_tokenize(s, len, toks, MAX_TOKS);
    size_t shown = n < MAX_TOKS ? n : MAX_TOKS;
    size_t prev_end = 0;
    for (size_t i = 0; i < shown; i++) {
        FUZZ_CHECK(toks[i].len > 0);
        FUZZ_CHECK(toks[i].off >= prev_end);
        FUZZ_CHECK(toks[i].off + toks[i].len <= len);
        FUZZ_CHECK(toks[i].type <= LK_TOK_URL);
        FUZZ_CHECK(lk_text_token_type_name(toks[i].type) != NULL);
        prev_end = toks[i].off + toks[i].len;
    }
    /* counting alone, and a smaller array, agree with the full run */
    FUZZ_CHECK(lk_text_tokenize(s, len, NULL, 0) == n);
    size_t m = lk_text_tokenize(s, len, few, 8);
    FUZZ_CHECK(m == n);
    for (size_t i = 0; i < (n < 8 ? n : 8); i++)
        FUZZ_CHECK(few[i].off == toks[i].off && few[i].len == toks[i].len && few[i].type == toks[i].type);
}

static void check_language(const char *s, size_t len, const char *hint)
{
    lk_text_lang_t lg;
    lk_text_language(s, len, hint, &lg);
    FUZZ_CHECK(!strcmp(lg.lang, "nl") || !strcmp(lg.lang, "en") || !strcmp(lg.lang, "de") || !strcmp(lg.lang, "fr") ||
               !strcmp(lg.lang, ""));
    FUZZ_CHECK(isfinite(lg.score) && isfinite(lg.confidence));
    if (lg.lang[0])
        FUZZ_CHECK(lg.confidence >= 0.25 && lg.confidence <= 1.0); /* the best of four */
    else
        FUZZ_CHECK(lg.confidence == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    /* the first byte picks the flags and the hint; the rest is the text */
    int flags = data[0] & 3;
    const char *hints[4] = {NULL, "nl", "en", "xx"};
    const char *hint = hints[(data[0] >> 2) & 3];
    const char *s = (const char *)data + 1;
    size_t len = size - 1;
    bool valid = fuzz_utf8_ok(s, len) && memchr(s, 0, len) == NULL;

    /* the tokeniser copes with any bytes (a broken byte is punctuation) */
    check_tokens(s, len);
    FUZZ_CHECK(lk_utf8_valid(s, len) == valid);

    char *norm = NULL;
    size_t nlen = 0;
    int rc = lk_text_normalize(s, len, flags, &norm, &nlen);
    if (!valid) {
        FUZZ_CHECK(rc == LK_EUTF8 && norm == NULL);
        lk_text_normbuf_t nb;
        char *o = NULL;
        FUZZ_CHECK(lk_text_normalize_buf(s, len, flags, &nb, &o, NULL) == LK_EUTF8);
        check_language(s, len, hint);
        return 0;
    }
    FUZZ_CHECK(rc == 0 && norm != NULL);
    FUZZ_CHECK(strlen(norm) == nlen);
    FUZZ_CHECK(fuzz_utf8_ok(norm, nlen));

    /* the allocation-free entry point and the utf8proc-only path agree */
    static lk_text_normbuf_t nb;
    char *nb_out = NULL;
    size_t nb_len = 0;
    FUZZ_CHECK(lk_text_normalize_buf(s, len, flags, &nb, &nb_out, &nb_len) == 0);
    FUZZ_CHECK(nb_len == nlen && memcmp(nb_out, norm, nlen) == 0 && nb_out[nb_len] == '\0');
    lk_text_normalized_free(&nb, nb_out);
    char *u = NULL;
    size_t ulen = 0;
    FUZZ_CHECK(lk_text__normalize_utf8proc(s, len, flags, &u, &ulen) == 0);
    FUZZ_CHECK(ulen == nlen && memcmp(u, norm, nlen) == 0);
    free(u);

    /* tokens of the normal form, their stems and stop words */
    check_tokens(norm, nlen);
    static lk_token_t toks[MAX_TOKS];
    size_t nt = lk_text_tokenize(norm, nlen, toks, MAX_TOKS);
    if (nt > MAX_TOKS)
        nt = MAX_TOKS;
    char stem[64];
    for (size_t i = 0; i < nt; i++) {
        const char *w = norm + toks[i].off;
        lk_text_stemmer_t *st = (i & 1) ? stem_en : stem_nl;
        size_t sl = lk_text_stem(st, w, toks[i].len, stem, sizeof stem);
        FUZZ_CHECK(sl < sizeof stem && strlen(stem) == sl);
        FUZZ_CHECK(lk_text_stem(NULL, w, toks[i].len, stem, sizeof stem) == (toks[i].len < 63 ? toks[i].len : 63));
        (void)lk_text_is_stopword(hints[i & 3], w, toks[i].len);
    }
    free(norm);

    /* language: from the text, and from its folded form and tokens */
    check_language(s, len, hint);
    lk_text_lang_t a, b;
    lk_text_language(s, len, hint, &a);
    char *folded = NULL;
    size_t flen = 0;
    FUZZ_CHECK(lk_text_normalize(s, len, LK_TEXT_FOLD | LK_TEXT_STRIP_MARKS, &folded, &flen) == 0);
    nt = lk_text_tokenize(folded, flen, toks, 64);
    lk_text_language_tokens(folded, toks, nt > 64 ? 64 : nt, hint, &b);
    FUZZ_CHECK(!strcmp(a.lang, b.lang) && a.score == b.score && a.confidence == b.confidence);
    free(folded);
    return 0;
}
