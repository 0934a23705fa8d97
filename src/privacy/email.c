/*
 * privacy: the detector of e-mail addresses (part of the pure privacy
 * module, see privacy_int.h).
 *
 * Starts at each '@' and reads back over the local part and ahead over the
 * domain, so an address is found without a regular expression and in one
 * look at its bytes.
 */
#include "privacy/privacy_int.h"

#include <stdbool.h>
#include <string.h>

/* ---- e-mail ------------------------------------------------------------ */

/* The length of the character of a local part that ends just before p (0
 * when there is none): ASCII letters, digits and the RFC 5322 atom
 * symbols, and letters of any script. */
static size_t local_char_before(const char *s, size_t p)
{
    unsigned char c = (unsigned char)s[p - 1];
    if (c < 0x80)
        return c && (lk_pv_is_alnum(c) || strchr(".!#$%&'*+/=?^_`{|}~-", c)) ? 1 : 0;
    size_t b = p - 1, used;
    while (b > 0 && p - b < 4 && (((unsigned char)s[b]) & 0xC0) == 0x80)
        b--;
    uint32_t cp = lk_utf8_decode(s, p, b, &used);
    return b + used == p && lk_pv_cp_is_word(cp) ? p - b : 0;
}

/* The length of the domain character at s[i] (0 when there is none):
 * ASCII letters, digits and '-', and letters of any script. */
static size_t domain_char(const char *s, size_t n, size_t i)
{
    unsigned char c = (unsigned char)s[i];
    if (lk_pv_is_alnum(c) || c == '-')
        return 1;
    if (c < 0x80)
        return 0;
    size_t used;
    return lk_pv_cp_is_word(lk_utf8_decode(s, n, i, &used)) ? used : 0;
}

/* An address around the '@' at s[at]: local part back to the first
 * character that cannot be in one, domain of at least two labels with a
 * top-level label of two or more letters. */
void lk_pv_scan_email(const char *s, size_t n, size_t at, cands_t *out)
{
    size_t b = at, k;
    while (b > 0 && at - b < 64 && (k = local_char_before(s, b)) != 0)
        b -= k;
    while (b < at && (unsigned char)s[b] < 0x80 && !lk_pv_is_alnum((unsigned char)s[b]))
        b++; /* quotes, dots, dashes before the address are not part of it */
    if (b == at)
        return;
    size_t i = at + 1, label = i, last_label = 0, labels = 0;
    while (i < n && i - at <= 255) {
        if ((k = domain_char(s, n, i)) != 0) {
            i += k;
            continue;
        }
        if (s[i] == '.' && i > label && i + 1 < n && domain_char(s, n, i + 1)) {
            labels++;
            last_label = ++i;
            label = i;
            continue;
        }
        break;
    }
    while (i > label && s[i - 1] == '-')
        i--;
    if (labels == 0 || i - last_label < 2)
        return;
    if (!lk_pv_match_ci(s, i, last_label, "xn--"))
        for (size_t j = last_label; j < i; j++)
            if (lk_pv_is_digit((unsigned char)s[j]) || s[j] == '-')
                return; /* a top-level label is letters */
    lk_pv_add(out, LK_PII_EMAIL, b, i);
}
