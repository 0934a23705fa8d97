/*
 * text: the language layer under the NLU. Unicode normalisation (NFKC with
 * case folding, optionally without accents), a tokeniser for Dutch and
 * English chat text (apostrophes, hyphens, numbers, order numbers, e-mail
 * addresses, web addresses), Snowball stemming, stop words and language
 * identification (nl / en) that works on messages of a few words.
 *
 * Pure: no I/O, no clock, no mutable globals. Everything here is safe to call
 * from any thread, except that one lk_text_stemmer_t must not be used by two
 * threads at once (libstemmer keeps its work buffers in the stemmer).
 */
#ifndef LK_TEXT_H
#define LK_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- normalisation ----------------------------------------------------- */

enum {
    LK_TEXT_FOLD = 1,        /* NFKC + Unicode case folding ("Straße" -> "strasse") */
    LK_TEXT_STRIP_MARKS = 2, /* also drop accents ("één" -> "een"; "café" -> "cafe") */
};

/* Normalises s[0..len): NFKC, control characters removed, typographic
 * apostrophes and dashes lumped to ASCII "'" and "-", line breaks to spaces,
 * plus what flags asks. s must be valid UTF-8 (LK_EUTF8 otherwise; NUL bytes
 * are invalid). On success *out is a NUL-terminated string the caller frees
 * with free(), *outlen its length (may be NULL). */
int lk_text_normalize(const char *s, size_t len, int flags, char **out /* OUT */, size_t *outlen /* OUT */);

/* For searching: s case-folded and without accents (a plain copy when s is
 * not valid UTF-8). The caller frees it. */
char *lk_text_search_fold(const char *s);
/* Whether every space-separated word of folded_query occurs somewhere in
 * folded_hay (both from lk_text_search_fold). */
bool lk_text_has_words(const char *folded_hay, const char *folded_query);

/* Room for lk_text_normalize_buf(): a normal form of up to LK_TEXT_NORM_MAX
 * code points is written here, without allocating. Meant for the stack. */
#define LK_TEXT_NORM_MAX 1024
typedef struct {
    int32_t cp[LK_TEXT_NORM_MAX + 1]; /* + 1: the terminating NUL always fits */
} lk_text_normbuf_t;

/* The same as lk_text_normalize(), byte for byte, but for the hot path: when
 * the result fits in buf (every chat message does), *out points into buf and
 * nothing is allocated; otherwise *out is allocated as by
 * lk_text_normalize(). Free *out with lk_text_normalized_free(). */
int lk_text_normalize_buf(const char *s, size_t len, int flags, lk_text_normbuf_t *buf, char **out /* OUT */,
                          size_t *outlen /* OUT */);
/* Frees what lk_text_normalize_buf() gave when it did not fit in buf. */
void lk_text_normalized_free(const lk_text_normbuf_t *buf, char *out);

/* ---- tokens ------------------------------------------------------------ */

typedef enum {
    LK_TOK_WORD = 0, /* letters, with inner apostrophes and hyphens: "don't", "zo'n", "e-mail" */
    LK_TOK_NUMBER,   /* digits, with inner "." or ",": "12", "12,50", "1.000" */
    LK_TOK_CODE,     /* letters and digits mixed, or "#" + digits: order numbers "NL12345", "#4411" */
    LK_TOK_EMAIL,    /* "jan@example.nl" */
    LK_TOK_URL,      /* "https://example.nl/retour", "www.example.nl" */
} lk_tok_type_t;

typedef struct {
    size_t off; /* byte offset into the text that was tokenised */
    size_t len; /* bytes */
    lk_tok_type_t type;
} lk_token_t;

/* Splits s[0..len) (valid UTF-8; normalise first for matching) into tokens.
 * Punctuation and spaces separate tokens and are not returned. Writes at most
 * max tokens to toks (which may be NULL when max is 0) and returns how many
 * there are in all, so a return value > max means the array was too small. */
size_t lk_text_tokenize(const char *s, size_t len, lk_token_t *toks /* OUT */, size_t max);

const char *lk_text_token_type_name(lk_tok_type_t type);

/* ---- stemming ---------------------------------------------------------- */

typedef struct lk_text_stemmer lk_text_stemmer_t;

/* A Snowball stemmer for lang ("nl" or "en"; also "dutch", "english").
 * NULL when the language has no stemmer. Free with lk_text_stemmer_free().
 * Not thread-safe: one stemmer per thread (or per call). */
lk_text_stemmer_t *lk_text_stemmer_new(const char *lang);
void lk_text_stemmer_free(lk_text_stemmer_t *st); /* st may be NULL */

/* Stems one folded word w[0..len) into out (NUL-terminated, truncated to
 * outsize - 1 bytes) and returns the stem's length. Words that are not plain
 * words (numbers, codes) come back unchanged. */
size_t lk_text_stem(lk_text_stemmer_t *st, const char *w, size_t len, char *out /* OUT */, size_t outsize);

/* ---- word lists ------------------------------------------------------- */

/* Whether the word w[0..len), its ASCII letters compared as lower case,
 * is s (lower case). */
bool lk_text_word_is(const char *w, size_t len, const char *s);
/* Whether it is one of list (lower case, NULL-terminated): the small word
 * lists of the NLU, the policy and the assistant ("wat", "hoe", "bedankt"). */
bool lk_text_word_in(const char *w, size_t len, const char *const *list);

/* ---- stop words -------------------------------------------------------- */

/* True when the folded word w[0..len) is a stop word of lang ("nl" or "en";
 * any other value: a stop word of either). Words that carry meaning for a
 * customer-service question ("not", "niet", "geen", "no") are not stop words. */
bool lk_text_is_stopword(const char *lang, const char *w, size_t len);

/* ---- month names ----------------------------------------------------------- */

/* The k-th month name that dates are read with (Dutch and English, lower case,
 * full names before their abbreviations, so the first match is the longest),
 * its month (1..12) in *month; NULL past the last. */
const char *lk_text_month_name(size_t k, int *month /* OUT */);

/* ---- language identification ------------------------------------------- */

typedef struct {
    char lang[8];      /* "nl", "en", "de", "fr", or "" when the text gives no evidence */
    double confidence; /* probability of lang among the four, in [0.25, 1]; 0 when "" */
    double score;      /* log-odds nl against en (> 0: Dutch) */
} lk_text_lang_t;

/* Identifies Dutch, English, German or French in s[0..len) (valid UTF-8, any
 * case). Digits and codes give no evidence; text with none at all gives lang
 * "" (or the hint). hint ("nl", "en", "de", "fr" or NULL) is a weak prior,
 * e.g. the conversation's language so far. */
void lk_text_language(const char *s, size_t len, const char *hint, lk_text_lang_t *out /* OUT */);

/* The same from text already normalised with LK_TEXT_FOLD | LK_TEXT_STRIP_MARKS
 * and its tokens (saves normalising twice). */
void lk_text_language_tokens(const char *norm, const lk_token_t *toks, size_t n, const char *hint,
                             lk_text_lang_t *out /* OUT */);

#endif
