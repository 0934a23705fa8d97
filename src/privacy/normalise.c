/*
 * Identifiers in one canonical form, so that the same e-mail address or
 * phone number written in different ways is found as one (issue 14): the
 * data-subject export and erasure find a conversation by what the customer
 * typed in it. Pure: no I/O.
 *
 * E-mail addresses: trimmed, ASCII letters lower-cased (as loket stores the
 * host page's customer_email). Phone numbers: E.164, "+" and the digits,
 * with the Netherlands (+31) for a national number ("06-12345678",
 * "+31 (0)6 1234 5678", "0031 6 12345678" and "+31612345678" are all
 * "+31612345678").
 */
#include "privacy/privacy.h"

#include "util/util.h"

#include <stdlib.h>
#include <string.h>

static int normalise_email(const char *s, size_t len, char *out, size_t size)
{
    while (len && (*s == ' ' || *s == '\t'))
        s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (len == 0 || len >= size || !memchr(s, '@', len))
        return LK_EINVAL;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if ((unsigned char)c <= ' ' || c == 0x7f) /* spaces and control characters (NUL too) */
            return LK_EINVAL;
        out[i] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
    }
    out[len] = '\0';
    return 0;
}

static int normalise_phone(const char *s, size_t len, char *out, size_t size)
{
    char d[32];
    size_t nd = 0;
    bool plus = false, any = false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '+' && !any && !plus) {
            plus = true;
        } else if (c >= '0' && c <= '9') {
            any = true;
            if (nd == sizeof d)
                return LK_EINVAL;
            d[nd++] = c;
        } else if (c == '(' && i + 2 < len && s[i + 1] == '0' && s[i + 2] == ')' && (plus || nd >= 2)) {
            i += 2; /* "+31 (0)20": the trunk 0 in brackets is not dialled */
        } else if (c != ' ' && c != '-' && c != '.' && c != '/' && c != '(' && c != ')') {
            return LK_EINVAL;
        }
    }
    const char *p = d;
    size_t n = nd;
    if (!plus && n >= 2 && p[0] == '0' && p[1] == '0') { /* 0031 ... */
        p += 2;
        n -= 2;
        plus = true;
    }
    char norm[40];
    size_t k = 0;
    norm[k++] = '+';
    if (plus) {
        if (n == 0 || p[0] == '0')
            return LK_EINVAL;
        if (n == 12 && p[0] == '3' && p[1] == '1' && p[2] == '0') { /* the slip "+31 06 ..." */
            memcpy(norm + k, "31", 2);
            k += 2;
            p += 3;
            n -= 3;
        }
    } else {
        if (n != 10 || p[0] != '0' || p[1] == '0') /* a Dutch national number: 0 and nine digits */
            return LK_EINVAL;
        memcpy(norm + k, "31", 2);
        k += 2;
        p++;
        n--;
    }
    memcpy(norm + k, p, n);
    k += n;
    if (k - 1 < 8 || k - 1 > 15 || k + 1 > size)
        return LK_EINVAL;
    memcpy(out, norm, k);
    out[k] = '\0';
    return 0;
}

int lk_pii_normalise(lk_pii_kind_t kind, const char *text, size_t len, char *out, size_t size)
{
    if (!text || !out || size == 0)
        return LK_EINVAL;
    out[0] = '\0';
    switch (kind) {
    case LK_PII_EMAIL:
        return normalise_email(text, len, out, size);
    case LK_PII_PHONE:
        return normalise_phone(text, len, out, size);
    default:
        return LK_EINVAL;
    }
}

char *lk_pii_mask_kind(const char *text, size_t len, lk_pii_kind_t kind)
{
    if (!text)
        return NULL;
    size_t ns = lk_pii_detect(text, len, NULL, 0);
    if (ns == 0)
        return NULL;
    lk_pii_span_t *spans = lk_xmalloc(ns * sizeof *spans);
    lk_pii_detect(text, len, spans, ns);
    const char *m = lk_pii_marker(kind);
    size_t ml = strlen(m), outlen = len, hits = 0;
    for (size_t k = 0; k < ns; k++)
        if (spans[k].kind == kind) {
            outlen = outlen - spans[k].len + ml;
            hits++;
        }
    char *out = NULL;
    if (hits) {
        out = lk_xmalloc(outlen + 1);
        size_t o = 0, i = 0;
        for (size_t k = 0; k < ns; k++) {
            if (spans[k].kind != kind)
                continue;
            memcpy(out + o, text + i, spans[k].start - i);
            o += spans[k].start - i;
            memcpy(out + o, m, ml);
            o += ml;
            i = spans[k].start + spans[k].len;
        }
        memcpy(out + o, text + i, len - i);
        o += len - i;
        out[o] = '\0';
    }
    free(spans);
    return out;
}
