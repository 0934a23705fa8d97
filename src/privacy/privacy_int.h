/*
 * Internals of the privacy module's detection, shared by its files
 * (detect.c, scan.c, numbers.c, email.c, phrases.c). Never included from
 * outside src/privacy/: privacy.h is the module's whole interface.
 *
 * A detector (lk_pv_scan_<kind>) is called by the pass in detect.c at a
 * place in the text where its kind can begin, and proposes the spans it
 * finds with lk_pv_add(); the pass sorts the candidates and keeps the
 * earliest, then the longest, where they overlap:
 *
 *     if (lk_pv_num_start_ok(s, p) && ...)
 *         lk_pv_add(out, LK_PII_BSN, p, end);
 *
 * Like the rest of the module, nothing here does I/O or reads a clock.
 */
#ifndef LK_PRIVACY_INT_H
#define LK_PRIVACY_INT_H

#include "privacy/privacy.h"

#include "util/util.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The candidate spans of one pass: in local while they fit, then on the
 * heap (the pass frees v when it is not local). */
typedef struct {
    lk_pii_span_t *v;
    size_t n, cap;
    lk_pii_span_t local[32];
} cands_t;

/* ---- scan.c: characters -------------------------------------------------- */

/* The ASCII classes, inline: every scanner calls them on every byte. */
static inline bool lk_pv_is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static inline bool lk_pv_is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline bool lk_pv_is_alnum(unsigned char c)
{
    return lk_pv_is_digit(c) || lk_pv_is_alpha(c);
}

static inline bool lk_pv_is_upper(unsigned char c)
{
    return c >= 'A' && c <= 'Z';
}

static inline unsigned char lk_pv_lower(unsigned char c)
{
    return lk_pv_is_upper(c) ? (unsigned char)(c + 32) : c;
}

/* Letters and digits of any script count as word characters; punctuation,
 * symbols (currency signs, typographic quotes and dashes) and spaces do not. */
bool lk_pv_cp_is_word(uint32_t cp);
/* Does a word character end just before s[p]? */
bool lk_pv_word_before(const char *s, size_t p);
/* Does a word character start at s[i] (i < n)? */
bool lk_pv_word_at(const char *s, size_t n, size_t i);
/* An upper-case letter: ASCII, Latin-1 (U+00C0..U+00DE) or Latin
 * Extended-A, where capitals have even code points. */
bool lk_pv_cp_is_upper(uint32_t cp);
/* Case-insensitive ASCII comparison of s[i..] with the lower-case word w. */
bool lk_pv_match_ci(const char *s, size_t n, size_t i, const char *w);
/* Matches a trigger phrase at s[i]: its single spaces match one or more
 * spaces, and it must end at a word edge (unless it ends in punctuation).
 * Returns the end offset, or 0. */
size_t lk_pv_match_phrase(const char *s, size_t n, size_t i, const char *w);

/* ---- scan.c: candidates and the edges of a number ------------------------ */

/* Adds the span [start, end) of kind to c (grows it onto the heap). */
void lk_pv_add(cands_t *c, lk_pii_kind_t kind, size_t start, size_t end);
/* Punctuation that binds a number to what follows or precedes it: "12-34",
 * "1.234,56", "12:30", "AB-1234", "12/05". */
static inline bool lk_pv_binds_letter(unsigned char c)
{
    return c == '-' || c == '_' || c == '/';
}

static inline bool lk_pv_binds_digit(unsigned char c)
{
    return lk_pv_binds_letter(c) || c == '.' || c == ',' || c == ':';
}

/* May a number begin at s[p]? Not inside a word or a longer number, not
 * after '#' (an order number), '+' (the phone scanner takes those), '@' or
 * a currency sign, nor after "EUR ". */
bool lk_pv_num_start_ok(const char *s, size_t p);
/* May a number end at s[i]? Not when a letter or digit follows, nor binding
 * punctuation with a letter or digit behind it, nor a currency ("euro",
 * "EUR", "€", ",-"). */
bool lk_pv_num_end_ok(const char *s, size_t n, size_t i);
/* Words before a number that say it is a reference, not a person's number:
 * "ordernummer 123456782", "factuur #...". Looks at up to three words
 * before p. */
bool lk_pv_after_reference_word(const char *s, size_t p);

/* ---- the detectors --------------------------------------------------------- */

/* numbers.c: a phone number, BSN, card number or postcode starting at s[p]
 * (a digit, '+' or '('). */
void lk_pv_scan_number(const char *s, size_t n, size_t p, cands_t *out);
/* numbers.c: IBANs, with or without spaces ("NL91 ABNA 0417 1643 00"),
 * either case, starting at the letter s[p]. */
void lk_pv_scan_iban(const char *s, size_t n, size_t p, cands_t *out);
/* email.c: an address around the '@' at s[at]. */
void lk_pv_scan_email(const char *s, size_t n, size_t at, cands_t *out);
/* phrases.c: a date of birth after a trigger phrase at s[p]; the end of
 * what it found, or 0. */
size_t lk_pv_scan_birthdate(const char *s, size_t n, size_t p, cands_t *out);
/* phrases.c: a name after a trigger phrase at s[p]; the end of what it
 * found, or 0. */
size_t lk_pv_scan_name(const char *s, size_t n, size_t p, cands_t *out);

#endif
