/*
 * Personal-data detection and redaction: hand-written scanners over bytes.
 *
 * One pass over the text tries, at each place where a kind of personal data
 * can begin, the scanner for that kind: '@' for e-mail addresses, the start
 * of a number for phone numbers, BSNs, card numbers and postcodes, two
 * letters and two digits for IBANs, and a few trigger phrases ("geboren op",
 * "mijn naam is", ...) for dates of birth and names. Every scanner proposes
 * candidate spans; the candidates are sorted and the earliest (then the
 * longest) wins where they overlap.
 *
 * Numbers are checked, not guessed: an IBAN must pass mod-97, a BSN the
 * 11-proef, a card number Luhn, so an order number or an amount rarely
 * matches. A number never matches inside a longer number or word ("#...",
 * "AB-...", "1.234,56", "12:30" stay), nor next to a currency ("€ ...",
 * "... euro"). Bytes >= 0x80 are decoded as UTF-8 only to tell letters from
 * punctuation at word edges; invalid UTF-8 never makes a scanner read past
 * the text. No regular expressions, no allocation for texts with up to 32
 * findings, no I/O.
 *
 * The module's detection files: detect.c (this file: the kinds, the pass
 * and redaction), scan.c (characters, candidates, the edges of a number),
 * numbers.c (BSN, card, phone, IBAN, postcode), email.c (e-mail addresses)
 * and phrases.c (dates of birth and names after a trigger phrase);
 * privacy_int.h declares what they share.
 */
#include "privacy/privacy_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- kinds ------------------------------------------------------------- */

static const char *const kind_names[LK_PII__COUNT] = {
    "email", "phone", "iban", "bsn", "card", "postcode", "birthdate", "name",
};
static const char *const kind_markers[LK_PII__COUNT] = {
    "[e-mail]", "[telefoon]", "[iban]", "[bsn]", "[kaartnummer]", "[postcode]", "[geboortedatum]", "[naam]",
};

const char *lk_pii_kind_name(lk_pii_kind_t kind)
{
    return (unsigned)kind < LK_PII__COUNT ? kind_names[kind] : "unknown";
}

const char *lk_pii_marker(lk_pii_kind_t kind)
{
    return (unsigned)kind < LK_PII__COUNT ? kind_markers[kind] : "[?]";
}

/* ---- the pass ---------------------------------------------------------- */

static int span_cmp(const void *a, const void *b)
{
    const lk_pii_span_t *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->len != y->len)
        return x->len > y->len ? -1 : 1;
    return 0;
}

static void collect(const char *s, size_t n, cands_t *c)
{
    for (size_t p = 0; p < n; p++) {
        unsigned char ch = (unsigned char)s[p];
        if (ch == '@') {
            lk_pv_scan_email(s, n, p, c);
        } else if (lk_pv_is_digit(ch) || ch == '+' || ch == '(') {
            lk_pv_scan_number(s, n, p, c);
            if (lk_pv_is_digit(ch)) /* the rest of this digit run cannot start a number */
                while (p + 1 < n && lk_pv_is_digit((unsigned char)s[p + 1]))
                    p++;
        } else if (lk_pv_is_alpha(ch) && !lk_pv_word_before(s, p)) {
            lk_pv_scan_iban(s, n, p, c);
            unsigned char l = lk_pv_lower(ch);
            if (l == 'g' || l == 'd' || l == 'b')
                lk_pv_scan_birthdate(s, n, p, c);
            if (l == 'm' || l == 'i' || l == 'n' || l == 't')
                lk_pv_scan_name(s, n, p, c);
        }
    }
}

size_t lk_pii_detect(const char *text, size_t len, lk_pii_span_t *out, size_t max)
{
    if (!text || len == 0)
        return 0;
    cands_t c = {.n = 0, .cap = sizeof c.local / sizeof *c.local};
    c.v = c.local;
    collect(text, len, &c);
    qsort(c.v, c.n, sizeof *c.v, span_cmp);
    size_t kept = 0, end = 0;
    for (size_t k = 0; k < c.n; k++) {
        if (c.v[k].start < end && kept > 0)
            continue;
        if (kept < max)
            out[kept] = c.v[k];
        kept++;
        end = c.v[k].start + c.v[k].len;
    }
    if (c.v != c.local)
        free(c.v);
    return kept;
}

bool lk_pii_any(const char *text, size_t len)
{
    return lk_pii_detect(text, len, NULL, 0) > 0;
}

char *lk_pii_redact(const char *text, size_t len)
{
    lk_pii_span_t local[16];
    lk_pii_span_t *spans = local;
    size_t ns = lk_pii_detect(text, len, local, sizeof local / sizeof *local);
    if (ns > sizeof local / sizeof *local) {
        spans = lk_xmalloc(ns * sizeof *spans);
        lk_pii_detect(text, len, spans, ns);
    }
    size_t outlen = len;
    for (size_t k = 0; k < ns; k++)
        outlen = outlen - spans[k].len + strlen(lk_pii_marker(spans[k].kind));
    char *out = lk_xmalloc(outlen + 1);
    size_t o = 0, i = 0;
    for (size_t k = 0; k < ns; k++) {
        memcpy(out + o, text + i, spans[k].start - i);
        o += spans[k].start - i;
        const char *m = lk_pii_marker(spans[k].kind);
        size_t ml = strlen(m);
        memcpy(out + o, m, ml);
        o += ml;
        i = spans[k].start + spans[k].len;
    }
    if (len > i)
        memcpy(out + o, text + i, len - i);
    o += len > i ? len - i : 0;
    out[o] = 0;
    if (spans != local)
        free(spans);
    return out;
}
