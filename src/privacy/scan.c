/*
 * privacy: what the detectors share (part of the pure privacy module, see
 * privacy_int.h).
 *
 * The characters at a place in the text (ASCII classes, and UTF-8 decoded
 * only to tell letters from punctuation at word edges: invalid UTF-8 never
 * makes a scanner read past the text), the phrase matcher for trigger
 * phrases, the list of candidate spans, and the edges every number must
 * have: not inside a longer number or word, not next to a currency, not
 * after a word that makes it a reference ("ordernummer 123456782").
 */
#include "privacy/privacy_int.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- characters -------------------------------------------------------- */

#define BAD_CP LK_UTF8_BAD

/* The code point that ends just before s[p] (p > 0). */
static uint32_t cp_before(const char *s, size_t p)
{
    size_t i = p - 1;
    while (i > 0 && p - i < 4 && (((unsigned char)s[i]) & 0xC0) == 0x80)
        i--;
    size_t used;
    uint32_t cp = lk_utf8_decode(s, p, i, &used);
    return i + used == p ? cp : BAD_CP;
}

/* Letters and digits of any script count as word characters; punctuation,
 * symbols (currency signs, typographic quotes and dashes) and spaces do not. */
bool lk_pv_cp_is_word(uint32_t cp)
{
    if (cp < 0x80)
        return lk_pv_is_alnum((unsigned char)cp);
    if (cp == BAD_CP || cp < 0xC0 || cp == 0xD7 || cp == 0xF7)
        return false;
    if ((cp >= 0x2000 && cp <= 0x2BFF) || (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFE10 && cp <= 0xFE6F) ||
        (cp >= 0xFF00 && cp <= 0xFF0F))
        return false;
    return true;
}

bool lk_pv_word_before(const char *s, size_t p)
{
    return p > 0 && lk_pv_cp_is_word(cp_before(s, p));
}

bool lk_pv_word_at(const char *s, size_t n, size_t i)
{
    size_t used;
    return i < n && lk_pv_cp_is_word(lk_utf8_decode(s, n, i, &used));
}

/* An upper-case letter: ASCII, Latin-1 (U+00C0..U+00DE) or Latin
 * Extended-A, where capitals have even code points. */
bool lk_pv_cp_is_upper(uint32_t cp)
{
    if (cp < 0x80)
        return lk_pv_is_upper((unsigned char)cp);
    if (cp >= 0xC0 && cp <= 0xDE)
        return cp != 0xD7;
    if (cp >= 0x100 && cp <= 0x17F)
        return (cp & 1) == 0;
    return false;
}

/* Case-insensitive ASCII comparison of s[i..] with the lower-case word w. */
bool lk_pv_match_ci(const char *s, size_t n, size_t i, const char *w)
{
    size_t k = 0;
    for (; w[k]; k++)
        if (i + k >= n || lk_pv_lower((unsigned char)s[i + k]) != (unsigned char)w[k])
            return false;
    return true;
}

/* Matches a trigger phrase at s[i]: its single spaces match one or more
 * spaces, and it must end at a word edge (unless it ends in punctuation).
 * Returns the end offset, or 0. */
size_t lk_pv_match_phrase(const char *s, size_t n, size_t i, const char *w)
{
    for (; *w; w++) {
        if (*w == ' ') {
            if (i >= n || s[i] != ' ')
                return 0;
            while (i < n && s[i] == ' ')
                i++;
            continue;
        }
        if (i >= n || lk_pv_lower((unsigned char)s[i]) != (unsigned char)*w)
            return 0;
        i++;
    }
    if (lk_pv_is_alnum((unsigned char)w[-1]) && lk_pv_word_at(s, n, i))
        return 0;
    return i;
}

/* ---- candidates -------------------------------------------------------- */

void lk_pv_add(cands_t *c, lk_pii_kind_t kind, size_t start, size_t end)
{
    if (c->n == c->cap) {
        size_t cap = c->cap * 2;
        if (c->v == c->local) {
            c->v = lk_xmalloc(cap * sizeof *c->v);
            memcpy(c->v, c->local, c->n * sizeof *c->v);
        } else {
            c->v = lk_xrealloc(c->v, cap * sizeof *c->v);
        }
        c->cap = cap;
    }
    c->v[c->n++] = (lk_pii_span_t){kind, start, end - start};
}

/* ---- numbers: shared edges --------------------------------------------- */

static bool is_currency_cp(uint32_t cp)
{
    return cp == '$' || cp == 0xA3 /* £ */ || cp == 0x20AC /* € */;
}

/* May a number begin at s[p]? Not inside a word or a longer number, not
 * after '#' (an order number), '+' (the phone scanner takes those), '@' or
 * a currency sign, nor after "EUR ". */
bool lk_pv_num_start_ok(const char *s, size_t p)
{
    if (p == 0)
        return true;
    unsigned char c = (unsigned char)s[p - 1];
    if (c == '#' || c == '+' || c == '@' || c == '%')
        return false;
    if (p >= 2) {
        unsigned char b = (unsigned char)s[p - 2];
        if (lk_pv_binds_letter(c) && lk_pv_is_alnum(b))
            return false;
        if (lk_pv_binds_digit(c) && lk_pv_is_digit(b))
            return false;
    }
    if (lk_pv_word_before(s, p))
        return false;
    size_t q = p;
    while (q > 0 && s[q - 1] == ' ')
        q--;
    if (q > 0 && is_currency_cp(cp_before(s, q)))
        return false;
    if (q >= 3 && lk_pv_match_ci(s, p, q - 3, "eur") && !lk_pv_word_before(s, q - 3))
        return false;
    return true;
}

/* May a number end at s[i]? Not when a letter or digit follows, nor binding
 * punctuation with a letter or digit behind it, nor a currency ("euro",
 * "EUR", "€", ",-"). */
bool lk_pv_num_end_ok(const char *s, size_t n, size_t i)
{
    if (i >= n)
        return true;
    unsigned char c = (unsigned char)s[i];
    if (lk_pv_word_at(s, n, i) || c == '@' || c == '%')
        return false;
    if (i + 1 < n) {
        unsigned char d = (unsigned char)s[i + 1];
        if (lk_pv_binds_letter(c) && lk_pv_is_alnum(d))
            return false;
        if (lk_pv_binds_digit(c) && lk_pv_is_digit(d))
            return false;
        if (c == ',' && d == '-')
            return false;
    }
    size_t q = i;
    while (q < n && s[q] == ' ')
        q++;
    size_t used;
    if (q < n && is_currency_cp(lk_utf8_decode(s, n, q, &used)))
        return false;
    if (q > i && q + 3 <= n && lk_pv_match_ci(s, n, q, "eur"))
        return false;
    return true;
}

/* Words before a number that say it is a reference, not a person's number:
 * "ordernummer 123456782", "factuur #...". Looks at up to three words
 * before p. */
bool lk_pv_after_reference_word(const char *s, size_t p)
{
    static const char *const refs[] = {"order",   "bestel",      "factuur", "invoice",  "ticket",
                                       "referen", "kenmerk",     "zending", "tracking", "pakket",
                                       "parcel",  "klantnummer", "artikel", "article",  "product"};
    size_t i = p;
    for (int w = 0; w < 3; w++) {
        while (i > 0 && !lk_pv_is_alpha((unsigned char)s[i - 1]) && p - i < 12)
            i--;
        if (i == 0 || !lk_pv_is_alpha((unsigned char)s[i - 1]))
            return false;
        size_t e = i;
        while (i > 0 && lk_pv_is_alpha((unsigned char)s[i - 1]))
            i--;
        for (size_t r = 0; r < sizeof refs / sizeof *refs; r++) {
            size_t k = strlen(refs[r]);
            for (size_t j = i; j + k <= e; j++)
                if (lk_pv_match_ci(s, e, j, refs[r]))
                    return true;
        }
    }
    return false;
}
