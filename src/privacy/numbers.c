/*
 * privacy: the detectors of numbers (part of the pure privacy module, see
 * privacy_int.h).
 *
 * BSNs, card numbers, phone numbers, IBANs and postcodes. Numbers are
 * checked, not guessed: a BSN must pass the 11-proef, a card number Luhn, an
 * IBAN mod-97 with its country's length, a phone number a country calling
 * code or the Dutch national form (never a service number), and a postcode
 * is taken with the house number around it. lk_pv_scan_number() at the end
 * sends the start of a number to the right scanner.
 */
#include "privacy/privacy_int.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* ---- numbers: groups of digits ----------------------------------------- */

#define MAX_DIGITS 24

/* Digits in groups separated by single separator characters, e.g.
 * "1234 5678-90". stop[k] says whether the number may end after group k. */
typedef struct {
    char d[MAX_DIGITS];
    int nd;
    int ng;
    size_t end[MAX_DIGITS];
    int cnt[MAX_DIGITS];
    bool stop[MAX_DIGITS];
} chain_t;

static void chain_parse(const char *s, size_t n, size_t p, const char *seps, chain_t *c)
{
    c->nd = c->ng = 0;
    size_t i = p;
    for (;;) {
        while (i < n && lk_pv_is_digit((unsigned char)s[i])) {
            if (c->nd == MAX_DIGITS)
                return;
            c->d[c->nd++] = s[i++];
        }
        c->end[c->ng] = i;
        c->cnt[c->ng] = c->nd;
        c->stop[c->ng] = lk_pv_num_end_ok(s, n, i) || (i + 1 < n && s[i] == ' ' && lk_pv_is_digit((unsigned char)s[i + 1]));
        c->ng++;
        if (i + 1 < n && strchr(seps, s[i]) && lk_pv_is_digit((unsigned char)s[i + 1]))
            i++;
        else
            return;
    }
}

static bool bsn_ok(const char *d)
{
    int sum = 0;
    bool zero = true;
    for (int k = 0; k < 8; k++) {
        sum += (9 - k) * (d[k] - '0');
        zero = zero && d[k] == '0';
    }
    sum -= d[8] - '0';
    return !zero && sum % 11 == 0;
}

static bool luhn_ok(const char *d, int nd)
{
    int sum = 0;
    for (int k = 0; k < nd; k++) {
        int v = d[nd - 1 - k] - '0';
        if (k & 1) {
            v *= 2;
            if (v > 9)
                v -= 9;
        }
        sum += v;
    }
    return d[0] != '0' && sum % 10 == 0;
}

/* A BSN (9 digits, as "123456782", "123 456 782" or "1234.56.782") or a
 * payment-card number (13..19 digits, spaces or dashes between groups). */
static void scan_bsn_card(const char *s, size_t n, size_t p, cands_t *out)
{
    if (lk_pv_after_reference_word(s, p))
        return;
    chain_t c;
    chain_parse(s, n, p, " -", &c);
    for (int g = c.ng - 1; g >= 0; g--) {
        if (c.stop[g] && c.cnt[g] >= 13 && c.cnt[g] <= 19 && luhn_ok(c.d, c.cnt[g])) {
            lk_pv_add(out, LK_PII_CARD, p, c.end[g]);
            return;
        }
    }
    chain_parse(s, n, p, " -.", &c);
    for (int g = 0; g < c.ng && c.cnt[g] <= 9; g++) {
        if (c.cnt[g] == 9 && c.stop[g] && bsn_ok(c.d)) {
            lk_pv_add(out, LK_PII_BSN, p, c.end[g]);
            return;
        }
    }
}

/* ---- phone numbers ----------------------------------------------------- */

/* ITU country calling codes: 1 and 7, the two-digit codes, and the
 * two-digit prefixes under which three-digit codes live. */
static bool cc2(int v)
{
    static const unsigned char two[] = {20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46,
                                        47, 48, 49, 51, 52, 53, 54, 55, 56, 57, 58, 60, 61, 62, 63,
                                        64, 65, 66, 81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98};
    for (size_t i = 0; i < sizeof two; i++)
        if (two[i] == v)
            return true;
    return false;
}

static bool cc3_prefix(int v)
{
    static const unsigned char pre[] = {21, 22, 23, 24, 25, 26, 29, 35, 37, 38, 42, 50,
                                        59, 67, 68, 69, 80, 85, 87, 88, 96, 97, 99};
    for (size_t i = 0; i < sizeof pre; i++)
        if (pre[i] == v)
            return true;
    return false;
}

/* Length of the country code at the start of d (nd digits), or 0. */
static int country_code(const char *d, int nd)
{
    if (nd < 1 || d[0] == '0')
        return 0;
    if (d[0] == '1' || d[0] == '7')
        return 1;
    if (nd < 2)
        return 0;
    int two = (d[0] - '0') * 10 + (d[1] - '0');
    if (cc2(two))
        return 2;
    if (nd >= 3 && cc3_prefix(two))
        return 3;
    return 0;
}

/* A Dutch national number without its leading 0 (nine digits): not a
 * service number (0800, 0900, 0906, 0909), which belongs to no person. */
static bool nl_national_ok(const char *d, int nd)
{
    if (nd != 9 || d[0] == '0')
        return false;
    if ((d[0] == '8' || d[0] == '9') && d[1] == '0' && d[2] == '0')
        return false;
    if (d[0] == '9' && d[1] == '0' && (d[2] == '6' || d[2] == '9'))
        return false;
    return true;
}

static bool phone_ok(const char *d, int nd, bool intl)
{
    if (!intl)
        return nd == 10 && d[0] == '0' && nl_national_ok(d + 1, 9);
    int cc = country_code(d, nd);
    if (cc == 0)
        return false;
    if (cc == 2 && d[0] == '3' && d[1] == '1') {
        /* +31 6 12345678, and the common slip +31 06 12345678 */
        if (nd - 2 == 10 && d[2] == '0')
            return nl_national_ok(d + 3, 9);
        return nl_national_ok(d + 2, nd - 2);
    }
    return nd >= 8 && nd <= 15 && nd - cc >= 6;
}

/* A separator between phone digit groups: " ", "-", ".", "/", or one of
 * "-./" with a space on either side. Returns its length, or 0. */
static size_t phone_sep(const char *s, size_t n, size_t i)
{
    size_t j = i;
    if (j < n && s[j] == ' ')
        j++;
    if (j < n && (s[j] == '-' || s[j] == '.' || s[j] == '/'))
        j++;
    if (j < n && s[j] == ' ' && j > i && s[j - 1] != ' ')
        j++;
    return j - i;
}

/* Phone numbers: Dutch national ("06-12345678", "020 123 45 67",
 * "(020) 1234567"), and international with + or 00 ("+31 6 1234 5678",
 * "+31 (0)20 123 4567", "0044 20 7946 0958", "+1 (555) 123-4567"). */
static void scan_phone(const char *s, size_t n, size_t p, cands_t *out)
{
    size_t i = p;
    bool intl;
    if (s[i] == '+') {
        if (i + 1 >= n || !lk_pv_is_digit((unsigned char)s[i + 1]) || s[i + 1] == '0')
            return;
        if (p > 0 && (lk_pv_word_before(s, p) || lk_pv_is_digit((unsigned char)s[p - 1])))
            return;
        intl = true;
        i++;
    } else if (s[i] == '(') {
        if (p > 0 && lk_pv_word_before(s, p))
            return;
        if (i + 2 >= n || s[i + 1] != '0' || !lk_pv_is_digit((unsigned char)s[i + 2]) || s[i + 2] == '0')
            return;
        intl = false;
    } else {
        if (i + 2 >= n || s[i] != '0')
            return;
        if (s[i + 1] == '0') {
            if (!lk_pv_is_digit((unsigned char)s[i + 2]) || s[i + 2] == '0')
                return;
            intl = true;
            i += 2;
        } else {
            if (!lk_pv_is_digit((unsigned char)s[i + 1]))
                return;
            intl = false;
        }
    }
    char d[MAX_DIGITS];
    int nd = 0;
    size_t best = 0;
    int groups = 0;
    for (;;) {
        bool paren = false;
        if (i < n && s[i] == '(') {
            paren = true;
            i++;
        }
        size_t g0 = i, mark = (size_t)nd;
        while (i < n && lk_pv_is_digit((unsigned char)s[i]) && nd < MAX_DIGITS)
            d[nd++] = s[i++];
        if (i == g0 || (i < n && lk_pv_is_digit((unsigned char)s[i])))
            break;
        if (paren) {
            if (i >= n || s[i] != ')')
                break;
            i++;
            /* "+31 (0)20 ...": the trunk 0 in brackets is not dialled */
            if (intl && groups > 0 && i - g0 == 2 && s[g0] == '0')
                nd = (int)mark;
        }
        groups++;
        if (lk_pv_num_end_ok(s, n, i) && phone_ok(d, nd, intl))
            best = i;
        size_t sep = phone_sep(s, n, i);
        if (paren && i < n && lk_pv_is_digit((unsigned char)s[i]))
            sep = 0;
        else if (sep == 0 && !(i < n && s[i] == '('))
            break;
        if (i + sep >= n || !(lk_pv_is_digit((unsigned char)s[i + sep]) || s[i + sep] == '('))
            break;
        i += sep;
    }
    if (best)
        lk_pv_add(out, LK_PII_PHONE, p, best);
}

/* ---- IBAN -------------------------------------------------------------- */

static int iban_length(char a, char b)
{
    static const struct {
        char cc[3];
        unsigned char len;
    } tab[] = {
        {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20}, {"BE", 16}, {"BG", 22}, {"BH", 22},
        {"BR", 29}, {"CH", 21}, {"CR", 22}, {"CY", 28}, {"CZ", 24}, {"DE", 22}, {"DK", 18}, {"DO", 28}, {"EE", 20},
        {"ES", 24}, {"FI", 18}, {"FO", 18}, {"FR", 27}, {"GB", 22}, {"GE", 22}, {"GI", 23}, {"GL", 18}, {"GR", 27},
        {"GT", 28}, {"HR", 21}, {"HU", 28}, {"IE", 22}, {"IL", 23}, {"IS", 26}, {"IT", 27}, {"JO", 30}, {"KW", 30},
        {"KZ", 20}, {"LB", 28}, {"LI", 21}, {"LT", 20}, {"LU", 20}, {"LV", 21}, {"MC", 27}, {"MD", 24}, {"ME", 22},
        {"MK", 19}, {"MR", 27}, {"MT", 31}, {"MU", 30}, {"NL", 18}, {"NO", 15}, {"PK", 24}, {"PL", 28}, {"PS", 29},
        {"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22}, {"SA", 24}, {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27},
        {"TN", 24}, {"TR", 26}, {"UA", 29}, {"VG", 24}, {"XK", 20},
    };
    for (size_t i = 0; i < sizeof tab / sizeof *tab; i++)
        if (tab[i].cc[0] == a && tab[i].cc[1] == b)
            return tab[i].len;
    return 0;
}

static bool iban_mod97(const char *c, int len)
{
    unsigned r = 0;
    for (int k = 0; k < len; k++) {
        char ch = c[(k + 4) % len];
        if (lk_pv_is_digit((unsigned char)ch))
            r = (r * 10 + (unsigned)(ch - '0')) % 97;
        else
            r = (r * 100 + (unsigned)(ch - 'A' + 10)) % 97;
    }
    return r == 1;
}

/* IBANs, with or without spaces ("NL91 ABNA 0417 1643 00"), either case. */
void lk_pv_scan_iban(const char *s, size_t n, size_t p, cands_t *out)
{
    if (p + 4 > n || !lk_pv_is_alpha((unsigned char)s[p + 1]) || !lk_pv_is_digit((unsigned char)s[p + 2]) ||
        !lk_pv_is_digit((unsigned char)s[p + 3]) || lk_pv_word_before(s, p))
        return;
    char c[34];
    int len = 0, ng = 0;
    int cnt[34];
    size_t end[34];
    size_t i = p;
    for (;;) {
        while (i < n && lk_pv_is_alnum((unsigned char)s[i]) && len < 34) {
            c[len++] = (char)(lk_pv_is_alpha((unsigned char)s[i]) ? s[i] & ~0x20 : s[i]);
            i++;
        }
        if (i < n && lk_pv_is_alnum((unsigned char)s[i]))
            break;
        if (!lk_pv_word_at(s, n, i) &&
            (i + 1 >= n || !lk_pv_binds_letter((unsigned char)s[i]) || !lk_pv_is_alnum((unsigned char)s[i + 1]))) {
            end[ng] = i;
            cnt[ng++] = len;
        }
        if (i + 1 < n && s[i] == ' ' && lk_pv_is_alnum((unsigned char)s[i + 1]) && len < 34)
            i++;
        else
            break;
    }
    int want = iban_length(c[0], c[1]);
    int check = (c[2] - '0') * 10 + (c[3] - '0');
    if (check < 2 || check > 98)
        return;
    for (int g = ng - 1; g >= 0; g--) {
        if (want ? cnt[g] != want : cnt[g] < 15)
            continue;
        if (iban_mod97(c, cnt[g])) {
            lk_pv_add(out, LK_PII_IBAN, p, end[g]);
            return;
        }
    }
}

/* ---- postcodes --------------------------------------------------------- */

static bool ends_with_ci(const char *s, size_t start, size_t end, const char *suffix)
{
    size_t k = strlen(suffix);
    return end - start >= k && lk_pv_match_ci(s, end, end - k, suffix);
}

/* The start of a street name ending just before p ("Kerkstraat"), or
 * (size_t)-1. */
static size_t street_before(const char *s, size_t p)
{
    static const char *const suffixes[] = {"straat", "laan",   "weg",   "plein",     "gracht", "kade",
                                           "singel", "dijk",   "steeg", "pad",       "hof",    "park",
                                           "markt",  "dreef",  "baan",  "plantsoen", "erf",    "street",
                                           "road",   "avenue", "lane",  "drive",     "square"};
    size_t i = p;
    while (i > 0) {
        size_t b = i - 1, used;
        while (b > 0 && i - b < 4 && (((unsigned char)s[b]) & 0xC0) == 0x80)
            b--;
        if (!lk_pv_cp_is_word(lk_utf8_decode(s, i, b, &used)) || b + used != i)
            break;
        i = b;
    }
    if (p - i < 4)
        return (size_t)-1;
    for (size_t k = 0; k < sizeof suffixes / sizeof *suffixes; k++)
        if (ends_with_ci(s, i, p, suffixes[k]))
            return i;
    return (size_t)-1;
}

/* House number ending at e ("12", "12a", "12-3"); returns its start or
 * (size_t)-1. */
static size_t house_number_before(const char *s, size_t e)
{
    size_t i = e;
    if (i > 0 && lk_pv_is_alpha((unsigned char)s[i - 1]))
        i--;
    else if (i > 2 && lk_pv_is_alnum((unsigned char)s[i - 1]) && s[i - 2] == '-')
        i -= 2;
    size_t de = i;
    while (i > 0 && lk_pv_is_digit((unsigned char)s[i - 1]) && de - i < 5)
        i--;
    if (i == de || s[i] == '0' || (i > 0 && (lk_pv_word_before(s, i) || lk_pv_binds_digit((unsigned char)s[i - 1]))))
        return (size_t)-1;
    return i;
}

/* Dutch postcodes ("1234 AB", "1234AB", "1234ab") with the house number
 * that follows ("1234 AB 12a") or precedes ("Kerkstraat 12, 1234 AB"). */
static void scan_postcode(const char *s, size_t n, size_t p, cands_t *out)
{
    if (p + 6 > n || s[p] == '0')
        return;
    for (int k = 1; k < 4; k++)
        if (!lk_pv_is_digit((unsigned char)s[p + k]))
            return;
    size_t i = p + 4;
    bool space = s[i] == ' ';
    if (space)
        i++;
    if (i + 2 > n || !lk_pv_is_alpha((unsigned char)s[i]) || !lk_pv_is_alpha((unsigned char)s[i + 1]))
        return;
    bool up = lk_pv_is_upper((unsigned char)s[i]) && lk_pv_is_upper((unsigned char)s[i + 1]);
    bool low = !lk_pv_is_upper((unsigned char)s[i]) && !lk_pv_is_upper((unsigned char)s[i + 1]);
    if (!(up || (low && !space)))
        return;
    char a = (char)(s[i] & ~0x20), b = (char)(s[i + 1] & ~0x20);
    if (a == 'S' && (b == 'A' || b == 'D' || b == 'S'))
        return;
    i += 2;
    if (lk_pv_word_at(s, n, i) || (i + 1 < n && lk_pv_binds_letter((unsigned char)s[i]) && lk_pv_is_alnum((unsigned char)s[i + 1])))
        return;
    size_t start = p, end = i;
    /* house number after: " 12", ", 12a", "-12" */
    size_t j = i;
    if (j < n && (s[j] == ',' || s[j] == '-'))
        j++;
    if (j < n && s[j] == ' ')
        j++;
    if (j > i && j < n && lk_pv_is_digit((unsigned char)s[j]) && s[j] != '0') {
        size_t k = j;
        while (k < n && lk_pv_is_digit((unsigned char)s[k]) && k - j < 5)
            k++;
        if (k < n && lk_pv_is_alpha((unsigned char)s[k]) && !lk_pv_word_at(s, n, k + 1))
            k++;
        if (lk_pv_num_end_ok(s, n, k) && !(k < n && lk_pv_is_digit((unsigned char)s[k])))
            end = k;
    }
    /* house number (and street) before: "12, ", "12a " */
    j = p;
    if (j > 0 && s[j - 1] == ' ')
        j--;
    if (j > 0 && s[j - 1] == ',')
        j--;
    if (j < p && j > 0 && lk_pv_is_alnum((unsigned char)s[j - 1])) {
        size_t h = house_number_before(s, j);
        if (h != (size_t)-1) {
            start = h;
            if (h > 1 && s[h - 1] == ' ') {
                size_t st = street_before(s, h - 1);
                if (st != (size_t)-1)
                    start = st;
            }
        }
    }
    lk_pv_add(out, LK_PII_POSTCODE, start, end);
}

/* ---- numbers: dispatch ------------------------------------------------- */

/* Is p inside an IBAN-shaped run of groups ("NL92 ABNA 0417 1643 00" with a
 * bad check)? Such digits belong to a mistyped account number, not a phone
 * number or BSN. */
static bool inside_iban_shape(const char *s, size_t p)
{
    size_t i = p;
    for (int groups = 0; groups < 8; groups++) {
        if (i < 2 || s[i - 1] != ' ' || !lk_pv_is_alnum((unsigned char)s[i - 2]))
            return false;
        size_t e = i - 1;
        i = e;
        while (i > 0 && lk_pv_is_alnum((unsigned char)s[i - 1]) && e - i < 5)
            i--;
        if (e - i != 4 || lk_pv_word_before(s, i))
            return false;
        if (lk_pv_is_alpha((unsigned char)s[i]) && lk_pv_is_alpha((unsigned char)s[i + 1]) && lk_pv_is_digit((unsigned char)s[i + 2]) &&
            lk_pv_is_digit((unsigned char)s[i + 3]))
            return true;
    }
    return false;
}

void lk_pv_scan_number(const char *s, size_t n, size_t p, cands_t *out)
{
    unsigned char c = (unsigned char)s[p];
    if (c == '+' || c == '(') {
        scan_phone(s, n, p, out);
        return;
    }
    if (!lk_pv_num_start_ok(s, p) || inside_iban_shape(s, p))
        return;
    if (c == '0')
        scan_phone(s, n, p, out);
    scan_bsn_card(s, n, p, out);
    scan_postcode(s, n, p, out);
}
