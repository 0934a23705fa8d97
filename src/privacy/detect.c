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
 */
#include "privacy/privacy.h"

#include "util/util.h"

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

/* ---- characters -------------------------------------------------------- */

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_alnum(unsigned char c)
{
    return is_digit(c) || is_alpha(c);
}

static bool is_upper(unsigned char c)
{
    return c >= 'A' && c <= 'Z';
}

static unsigned char lower(unsigned char c)
{
    return is_upper(c) ? (unsigned char)(c + 32) : c;
}

#define BAD_CP 0xFFFDu

/* Decodes the code point at s[i] (i < n); *used gets its length in bytes.
 * Malformed bytes give BAD_CP with length 1. */
static uint32_t cp_at(const char *str, size_t n, size_t i, size_t *used)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned c = s[i];
    size_t k;
    uint32_t cp;
    *used = 1;
    if (c < 0x80)
        return c;
    if ((c & 0xE0) == 0xC0) {
        k = 1;
        cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        k = 2;
        cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        k = 3;
        cp = c & 0x07;
    } else {
        return BAD_CP;
    }
    if (n - i <= k)
        return BAD_CP;
    for (size_t j = 1; j <= k; j++) {
        if ((s[i + j] & 0xC0) != 0x80)
            return BAD_CP;
        cp = (cp << 6) | (s[i + j] & 0x3F);
    }
    *used = k + 1;
    return cp;
}

/* The code point that ends just before s[p] (p > 0). */
static uint32_t cp_before(const char *s, size_t p)
{
    size_t i = p - 1;
    while (i > 0 && p - i < 4 && (((unsigned char)s[i]) & 0xC0) == 0x80)
        i--;
    size_t used;
    uint32_t cp = cp_at(s, p, i, &used);
    return i + used == p ? cp : BAD_CP;
}

/* Letters and digits of any script count as word characters; punctuation,
 * symbols (currency signs, typographic quotes and dashes) and spaces do not. */
static bool cp_is_word(uint32_t cp)
{
    if (cp < 0x80)
        return is_alnum((unsigned char)cp);
    if (cp == BAD_CP || cp < 0xC0 || cp == 0xD7 || cp == 0xF7)
        return false;
    if ((cp >= 0x2000 && cp <= 0x2BFF) || (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFE10 && cp <= 0xFE6F) ||
        (cp >= 0xFF00 && cp <= 0xFF0F))
        return false;
    return true;
}

static bool word_before(const char *s, size_t p)
{
    return p > 0 && cp_is_word(cp_before(s, p));
}

static bool word_at(const char *s, size_t n, size_t i)
{
    size_t used;
    return i < n && cp_is_word(cp_at(s, n, i, &used));
}

/* An upper-case letter: ASCII, Latin-1 (U+00C0..U+00DE) or Latin
 * Extended-A, where capitals have even code points. */
static bool cp_is_upper(uint32_t cp)
{
    if (cp < 0x80)
        return is_upper((unsigned char)cp);
    if (cp >= 0xC0 && cp <= 0xDE)
        return cp != 0xD7;
    if (cp >= 0x100 && cp <= 0x17F)
        return (cp & 1) == 0;
    return false;
}

/* Case-insensitive ASCII comparison of s[i..] with the lower-case word w. */
static bool match_ci(const char *s, size_t n, size_t i, const char *w)
{
    size_t k = 0;
    for (; w[k]; k++)
        if (i + k >= n || lower((unsigned char)s[i + k]) != (unsigned char)w[k])
            return false;
    return true;
}

/* Matches a trigger phrase at s[i]: its single spaces match one or more
 * spaces, and it must end at a word edge (unless it ends in punctuation).
 * Returns the end offset, or 0. */
static size_t match_phrase(const char *s, size_t n, size_t i, const char *w)
{
    for (; *w; w++) {
        if (*w == ' ') {
            if (i >= n || s[i] != ' ')
                return 0;
            while (i < n && s[i] == ' ')
                i++;
            continue;
        }
        if (i >= n || lower((unsigned char)s[i]) != (unsigned char)*w)
            return 0;
        i++;
    }
    if (is_alnum((unsigned char)w[-1]) && word_at(s, n, i))
        return 0;
    return i;
}

/* ---- candidates -------------------------------------------------------- */

typedef struct {
    lk_pii_span_t *v;
    size_t n, cap;
    lk_pii_span_t local[32];
} cands_t;

static void add(cands_t *c, lk_pii_kind_t kind, size_t start, size_t end)
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

/* Punctuation that binds a number to what follows or precedes it: "12-34",
 * "1.234,56", "12:30", "AB-1234", "12/05". */
static bool binds_letter(unsigned char c)
{
    return c == '-' || c == '_' || c == '/';
}

static bool binds_digit(unsigned char c)
{
    return binds_letter(c) || c == '.' || c == ',' || c == ':';
}

static bool is_currency_cp(uint32_t cp)
{
    return cp == '$' || cp == 0xA3 /* £ */ || cp == 0x20AC /* € */;
}

/* May a number begin at s[p]? Not inside a word or a longer number, not
 * after '#' (an order number), '+' (the phone scanner takes those), '@' or
 * a currency sign, nor after "EUR ". */
static bool num_start_ok(const char *s, size_t p)
{
    if (p == 0)
        return true;
    unsigned char c = (unsigned char)s[p - 1];
    if (c == '#' || c == '+' || c == '@' || c == '%')
        return false;
    if (p >= 2) {
        unsigned char b = (unsigned char)s[p - 2];
        if (binds_letter(c) && is_alnum(b))
            return false;
        if (binds_digit(c) && is_digit(b))
            return false;
    }
    if (word_before(s, p))
        return false;
    size_t q = p;
    while (q > 0 && s[q - 1] == ' ')
        q--;
    if (q > 0 && is_currency_cp(cp_before(s, q)))
        return false;
    if (q >= 3 && match_ci(s, p, q - 3, "eur") && !word_before(s, q - 3))
        return false;
    return true;
}

/* May a number end at s[i]? Not when a letter or digit follows, nor binding
 * punctuation with a letter or digit behind it, nor a currency ("euro",
 * "EUR", "€", ",-"). */
static bool num_end_ok(const char *s, size_t n, size_t i)
{
    if (i >= n)
        return true;
    unsigned char c = (unsigned char)s[i];
    if (word_at(s, n, i) || c == '@' || c == '%')
        return false;
    if (i + 1 < n) {
        unsigned char d = (unsigned char)s[i + 1];
        if (binds_letter(c) && is_alnum(d))
            return false;
        if (binds_digit(c) && is_digit(d))
            return false;
        if (c == ',' && d == '-')
            return false;
    }
    size_t q = i;
    while (q < n && s[q] == ' ')
        q++;
    size_t used;
    if (q < n && is_currency_cp(cp_at(s, n, q, &used)))
        return false;
    if (q > i && q + 3 <= n && match_ci(s, n, q, "eur"))
        return false;
    return true;
}

/* Words before a number that say it is a reference, not a person's number:
 * "ordernummer 123456782", "factuur #...". Looks at up to three words
 * before p. */
static bool after_reference_word(const char *s, size_t p)
{
    static const char *const refs[] = {"order",   "bestel",      "factuur", "invoice",  "ticket",
                                       "referen", "kenmerk",     "zending", "tracking", "pakket",
                                       "parcel",  "klantnummer", "artikel", "article",  "product"};
    size_t i = p;
    for (int w = 0; w < 3; w++) {
        while (i > 0 && !is_alpha((unsigned char)s[i - 1]) && p - i < 12)
            i--;
        if (i == 0 || !is_alpha((unsigned char)s[i - 1]))
            return false;
        size_t e = i;
        while (i > 0 && is_alpha((unsigned char)s[i - 1]))
            i--;
        for (size_t r = 0; r < sizeof refs / sizeof *refs; r++) {
            size_t k = strlen(refs[r]);
            for (size_t j = i; j + k <= e; j++)
                if (match_ci(s, e, j, refs[r]))
                    return true;
        }
    }
    return false;
}

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
        while (i < n && is_digit((unsigned char)s[i])) {
            if (c->nd == MAX_DIGITS)
                return;
            c->d[c->nd++] = s[i++];
        }
        c->end[c->ng] = i;
        c->cnt[c->ng] = c->nd;
        c->stop[c->ng] = num_end_ok(s, n, i) || (i + 1 < n && s[i] == ' ' && is_digit((unsigned char)s[i + 1]));
        c->ng++;
        if (i + 1 < n && strchr(seps, s[i]) && is_digit((unsigned char)s[i + 1]))
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
    if (after_reference_word(s, p))
        return;
    chain_t c;
    chain_parse(s, n, p, " -", &c);
    for (int g = c.ng - 1; g >= 0; g--) {
        if (c.stop[g] && c.cnt[g] >= 13 && c.cnt[g] <= 19 && luhn_ok(c.d, c.cnt[g])) {
            add(out, LK_PII_CARD, p, c.end[g]);
            return;
        }
    }
    chain_parse(s, n, p, " -.", &c);
    for (int g = 0; g < c.ng && c.cnt[g] <= 9; g++) {
        if (c.cnt[g] == 9 && c.stop[g] && bsn_ok(c.d)) {
            add(out, LK_PII_BSN, p, c.end[g]);
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
        if (i + 1 >= n || !is_digit((unsigned char)s[i + 1]) || s[i + 1] == '0')
            return;
        if (p > 0 && (word_before(s, p) || is_digit((unsigned char)s[p - 1])))
            return;
        intl = true;
        i++;
    } else if (s[i] == '(') {
        if (p > 0 && word_before(s, p))
            return;
        if (i + 2 >= n || s[i + 1] != '0' || !is_digit((unsigned char)s[i + 2]) || s[i + 2] == '0')
            return;
        intl = false;
    } else {
        if (i + 2 >= n || s[i] != '0')
            return;
        if (s[i + 1] == '0') {
            if (!is_digit((unsigned char)s[i + 2]) || s[i + 2] == '0')
                return;
            intl = true;
            i += 2;
        } else {
            if (!is_digit((unsigned char)s[i + 1]))
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
        while (i < n && is_digit((unsigned char)s[i]) && nd < MAX_DIGITS)
            d[nd++] = s[i++];
        if (i == g0 || (i < n && is_digit((unsigned char)s[i])))
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
        if (num_end_ok(s, n, i) && phone_ok(d, nd, intl))
            best = i;
        size_t sep = phone_sep(s, n, i);
        if (paren && i < n && is_digit((unsigned char)s[i]))
            sep = 0;
        else if (sep == 0 && !(i < n && s[i] == '('))
            break;
        if (i + sep >= n || !(is_digit((unsigned char)s[i + sep]) || s[i + sep] == '('))
            break;
        i += sep;
    }
    if (best)
        add(out, LK_PII_PHONE, p, best);
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
        if (is_digit((unsigned char)ch))
            r = (r * 10 + (unsigned)(ch - '0')) % 97;
        else
            r = (r * 100 + (unsigned)(ch - 'A' + 10)) % 97;
    }
    return r == 1;
}

/* IBANs, with or without spaces ("NL91 ABNA 0417 1643 00"), either case. */
static void scan_iban(const char *s, size_t n, size_t p, cands_t *out)
{
    if (p + 4 > n || !is_alpha((unsigned char)s[p + 1]) || !is_digit((unsigned char)s[p + 2]) ||
        !is_digit((unsigned char)s[p + 3]) || word_before(s, p))
        return;
    char c[34];
    int len = 0, ng = 0;
    int cnt[34];
    size_t end[34];
    size_t i = p;
    for (;;) {
        while (i < n && is_alnum((unsigned char)s[i]) && len < 34) {
            c[len++] = (char)(is_alpha((unsigned char)s[i]) ? s[i] & ~0x20 : s[i]);
            i++;
        }
        if (i < n && is_alnum((unsigned char)s[i]))
            break;
        if (!word_at(s, n, i) &&
            (i + 1 >= n || !binds_letter((unsigned char)s[i]) || !is_alnum((unsigned char)s[i + 1]))) {
            end[ng] = i;
            cnt[ng++] = len;
        }
        if (i + 1 < n && s[i] == ' ' && is_alnum((unsigned char)s[i + 1]) && len < 34)
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
            add(out, LK_PII_IBAN, p, end[g]);
            return;
        }
    }
}

/* ---- postcodes --------------------------------------------------------- */

static bool ends_with_ci(const char *s, size_t start, size_t end, const char *suffix)
{
    size_t k = strlen(suffix);
    return end - start >= k && match_ci(s, end, end - k, suffix);
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
        if (!cp_is_word(cp_at(s, i, b, &used)) || b + used != i)
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
    if (i > 0 && is_alpha((unsigned char)s[i - 1]))
        i--;
    else if (i > 2 && is_alnum((unsigned char)s[i - 1]) && s[i - 2] == '-')
        i -= 2;
    size_t de = i;
    while (i > 0 && is_digit((unsigned char)s[i - 1]) && de - i < 5)
        i--;
    if (i == de || s[i] == '0' || (i > 0 && (word_before(s, i) || binds_digit((unsigned char)s[i - 1]))))
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
        if (!is_digit((unsigned char)s[p + k]))
            return;
    size_t i = p + 4;
    bool space = s[i] == ' ';
    if (space)
        i++;
    if (i + 2 > n || !is_alpha((unsigned char)s[i]) || !is_alpha((unsigned char)s[i + 1]))
        return;
    bool up = is_upper((unsigned char)s[i]) && is_upper((unsigned char)s[i + 1]);
    bool low = !is_upper((unsigned char)s[i]) && !is_upper((unsigned char)s[i + 1]);
    if (!(up || (low && !space)))
        return;
    char a = (char)(s[i] & ~0x20), b = (char)(s[i + 1] & ~0x20);
    if (a == 'S' && (b == 'A' || b == 'D' || b == 'S'))
        return;
    i += 2;
    if (word_at(s, n, i) || (i + 1 < n && binds_letter((unsigned char)s[i]) && is_alnum((unsigned char)s[i + 1])))
        return;
    size_t start = p, end = i;
    /* house number after: " 12", ", 12a", "-12" */
    size_t j = i;
    if (j < n && (s[j] == ',' || s[j] == '-'))
        j++;
    if (j < n && s[j] == ' ')
        j++;
    if (j > i && j < n && is_digit((unsigned char)s[j]) && s[j] != '0') {
        size_t k = j;
        while (k < n && is_digit((unsigned char)s[k]) && k - j < 5)
            k++;
        if (k < n && is_alpha((unsigned char)s[k]) && !word_at(s, n, k + 1))
            k++;
        if (num_end_ok(s, n, k) && !(k < n && is_digit((unsigned char)s[k])))
            end = k;
    }
    /* house number (and street) before: "12, ", "12a " */
    j = p;
    if (j > 0 && s[j - 1] == ' ')
        j--;
    if (j > 0 && s[j - 1] == ',')
        j--;
    if (j < p && j > 0 && is_alnum((unsigned char)s[j - 1])) {
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
    add(out, LK_PII_POSTCODE, start, end);
}

/* ---- numbers: dispatch ------------------------------------------------- */

/* Is p inside an IBAN-shaped run of groups ("NL92 ABNA 0417 1643 00" with a
 * bad check)? Such digits belong to a mistyped account number, not a phone
 * number or BSN. */
static bool inside_iban_shape(const char *s, size_t p)
{
    size_t i = p;
    for (int groups = 0; groups < 8; groups++) {
        if (i < 2 || s[i - 1] != ' ' || !is_alnum((unsigned char)s[i - 2]))
            return false;
        size_t e = i - 1;
        i = e;
        while (i > 0 && is_alnum((unsigned char)s[i - 1]) && e - i < 5)
            i--;
        if (e - i != 4 || word_before(s, i))
            return false;
        if (is_alpha((unsigned char)s[i]) && is_alpha((unsigned char)s[i + 1]) && is_digit((unsigned char)s[i + 2]) &&
            is_digit((unsigned char)s[i + 3]))
            return true;
    }
    return false;
}

static void scan_number(const char *s, size_t n, size_t p, cands_t *out)
{
    unsigned char c = (unsigned char)s[p];
    if (c == '+' || c == '(') {
        scan_phone(s, n, p, out);
        return;
    }
    if (!num_start_ok(s, p) || inside_iban_shape(s, p))
        return;
    if (c == '0')
        scan_phone(s, n, p, out);
    scan_bsn_card(s, n, p, out);
    scan_postcode(s, n, p, out);
}

/* ---- e-mail ------------------------------------------------------------ */

/* The length of the character of a local part that ends just before p (0
 * when there is none): ASCII letters, digits and the RFC 5322 atom
 * symbols, and letters of any script. */
static size_t local_char_before(const char *s, size_t p)
{
    unsigned char c = (unsigned char)s[p - 1];
    if (c < 0x80)
        return c && (is_alnum(c) || strchr(".!#$%&'*+/=?^_`{|}~-", c)) ? 1 : 0;
    size_t b = p - 1, used;
    while (b > 0 && p - b < 4 && (((unsigned char)s[b]) & 0xC0) == 0x80)
        b--;
    uint32_t cp = cp_at(s, p, b, &used);
    return b + used == p && cp_is_word(cp) ? p - b : 0;
}

/* The length of the domain character at s[i] (0 when there is none):
 * ASCII letters, digits and '-', and letters of any script. */
static size_t domain_char(const char *s, size_t n, size_t i)
{
    unsigned char c = (unsigned char)s[i];
    if (is_alnum(c) || c == '-')
        return 1;
    if (c < 0x80)
        return 0;
    size_t used;
    return cp_is_word(cp_at(s, n, i, &used)) ? used : 0;
}

/* An address around the '@' at s[at]: local part back to the first
 * character that cannot be in one, domain of at least two labels with a
 * top-level label of two or more letters. */
static void scan_email(const char *s, size_t n, size_t at, cands_t *out)
{
    size_t b = at, k;
    while (b > 0 && at - b < 64 && (k = local_char_before(s, b)) != 0)
        b -= k;
    while (b < at && (unsigned char)s[b] < 0x80 && !is_alnum((unsigned char)s[b]))
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
    if (!match_ci(s, i, last_label, "xn--"))
        for (size_t j = last_label; j < i; j++)
            if (is_digit((unsigned char)s[j]) || s[j] == '-')
                return; /* a top-level label is letters */
    add(out, LK_PII_EMAIL, b, i);
}

/* ---- dates of birth ---------------------------------------------------- */

static int read_int(const char *s, size_t n, size_t *i, int maxdig, int *ndig)
{
    int v = 0, k = 0;
    while (*i < n && is_digit((unsigned char)s[*i]) && k < maxdig) {
        v = v * 10 + (s[*i] - '0');
        (*i)++;
        k++;
    }
    *ndig = k;
    if (*i < n && is_digit((unsigned char)s[*i]))
        *ndig = 0;
    return v;
}

/* A month name (Dutch or English, full or abbreviated) at s[i]: its number
 * and end, or 0. */
static int month_at(const char *s, size_t n, size_t i, size_t *end)
{
    static const struct {
        const char *w;
        int m;
    } months[] = {
        {"januari", 1},   {"january", 1},   {"februari", 2}, {"february", 2},  {"maart", 3},    {"march", 3},
        {"april", 4},     {"mei", 5},       {"may", 5},      {"juni", 6},      {"june", 6},     {"juli", 7},
        {"july", 7},      {"augustus", 8},  {"august", 8},   {"september", 9}, {"oktober", 10}, {"october", 10},
        {"november", 11}, {"december", 12}, {"jan", 1},      {"feb", 2},       {"mrt", 3},      {"mar", 3},
        {"apr", 4},       {"jun", 6},       {"jul", 7},      {"aug", 8},       {"sept", 9},     {"sep", 9},
        {"okt", 10},      {"oct", 10},      {"nov", 11},     {"dec", 12},
    };
    for (size_t k = 0; k < sizeof months / sizeof *months; k++) {
        size_t e = match_phrase(s, n, i, months[k].w);
        if (e) {
            if (e < n && s[e] == '.')
                e++;
            *end = e;
            return months[k].m;
        }
    }
    return 0;
}

static bool year_ok(int y, int nd)
{
    return nd == 2 || (nd == 4 && y >= 1900 && y <= 2099);
}

/* Skips an English or Dutch ordinal ending after a day number. */
static size_t skip_ordinal(const char *s, size_t n, size_t i)
{
    static const char *const ord[] = {"ste", "de", "e", "st", "nd", "rd", "th"};
    for (size_t k = 0; k < sizeof ord / sizeof *ord; k++) {
        size_t e = match_phrase(s, n, i, ord[k]);
        if (e)
            return e;
    }
    return i;
}

/* A date at s[q]: "03-05-1980", "3/5/80", "1980-05-03", "3 mei 1980",
 * "3rd of May 1980", "May 3, 1980". Returns its end, or 0. */
static size_t parse_date(const char *s, size_t n, size_t q)
{
    size_t i = q;
    int nd1, nd2, nd3;
    if (q < n && is_digit((unsigned char)s[q])) {
        int a = read_int(s, n, &i, 4, &nd1);
        if (nd1 == 0)
            return 0;
        if (i + 1 < n && (s[i] == '-' || s[i] == '/' || s[i] == '.') && is_digit((unsigned char)s[i + 1])) {
            char sep = s[i++];
            int b = read_int(s, n, &i, 2, &nd2);
            if (nd2 == 0 || i + 1 >= n || s[i] != sep || !is_digit((unsigned char)s[i + 1]))
                return 0;
            i++;
            int c = read_int(s, n, &i, 4, &nd3);
            if (nd3 == 0 || !num_end_ok(s, n, i))
                return 0;
            if (nd1 == 4)
                return year_ok(a, 4) && b >= 1 && b <= 12 && nd3 <= 2 && c >= 1 && c <= 31 ? i : 0;
            if (nd1 > 2 || !year_ok(c, nd3))
                return 0;
            bool dm = a >= 1 && a <= 31 && b >= 1 && b <= 12;
            bool md = b >= 1 && b <= 31 && a >= 1 && a <= 12;
            return dm || md ? i : 0;
        }
        if (nd1 > 2 || a < 1 || a > 31)
            return 0;
        i = skip_ordinal(s, n, i);
        if (i >= n || s[i] != ' ')
            return 0;
        while (i < n && s[i] == ' ')
            i++;
        size_t of = match_phrase(s, n, i, "of ");
        if (of)
            i = of;
        size_t e;
        if (!month_at(s, n, i, &e))
            return 0;
        size_t y = e;
        if (y < n && s[y] == ',')
            y++;
        if (y + 1 < n && s[y] == ' ' && is_digit((unsigned char)s[y + 1])) {
            y++;
            int yr = read_int(s, n, &y, 4, &nd3);
            if (nd3 == 4 && year_ok(yr, 4) && num_end_ok(s, n, y))
                return y;
        }
        return e;
    }
    size_t e;
    if (!month_at(s, n, i, &e) || e >= n || s[e] != ' ')
        return 0;
    i = e;
    while (i < n && s[i] == ' ')
        i++;
    int d = read_int(s, n, &i, 2, &nd1);
    if (nd1 == 0 || d < 1 || d > 31)
        return 0;
    i = skip_ordinal(s, n, i);
    size_t y = i;
    if (y < n && s[y] == ',')
        y++;
    if (y + 1 < n && s[y] == ' ' && is_digit((unsigned char)s[y + 1])) {
        y++;
        int yr = read_int(s, n, &y, 4, &nd3);
        if (nd3 == 4 && year_ok(yr, 4) && num_end_ok(s, n, y))
            return y;
    }
    return num_end_ok(s, n, i) ? i : 0;
}

static const char *const birth_triggers[] = {
    "geboortedatum", "geboren op", "geboren", "geb.", "date of birth", "birth date",
    "birthdate",     "birthday",   "born on", "born", "d.o.b.",        "dob",
};

/* Words that may stand between a trigger and the date: "geboortedatum is",
 * "born on the". */
static size_t skip_fillers(const char *s, size_t n, size_t i)
{
    static const char *const fill[] = {"is", "was", "op", "on", "the", "de", "mijn", "my", "d.d."};
    for (int round = 0; round < 3; round++) {
        while (i < n && (s[i] == ' ' || s[i] == ':' || s[i] == '='))
            i++;
        size_t e = 0;
        for (size_t k = 0; k < sizeof fill / sizeof *fill && !e; k++)
            e = match_phrase(s, n, i, fill[k]);
        if (!e)
            break;
        i = e;
    }
    return i;
}

static size_t scan_birthdate(const char *s, size_t n, size_t p, cands_t *out)
{
    for (size_t k = 0; k < sizeof birth_triggers / sizeof *birth_triggers; k++) {
        size_t e = match_phrase(s, n, p, birth_triggers[k]);
        if (!e)
            continue;
        size_t q = skip_fillers(s, n, e);
        size_t end = parse_date(s, n, q);
        if (end) {
            add(out, LK_PII_BIRTHDATE, q, end);
            return end;
        }
        return 0;
    }
    return 0;
}

/* ---- names ------------------------------------------------------------- */

/* Words that, right after "my name is" or "this is", are not a name. */
static bool name_stopword(const char *s, size_t b, size_t e)
{
    static const char *const stop[] = {
        "a",          "about",  "al",        "also",       "am",      "an",     "and",      "anders", "are",
        "bekend",     "ben",    "bel",       "but",        "can",     "daar",   "dat",      "de",     "dus",
        "een",        "en",     "erg",       "geen",       "gewoon",  "have",   "heb",      "heel",   "here",
        "het",        "hier",   "how",       "i",          "ik",      "in",     "is",       "it",     "je",
        "jouw",       "just",   "kan",       "klaar",      "maar",    "me",     "met",      "mijn",   "my",
        "niet",       "nog",    "not",       "nu",         "of",      "ok",     "okay",     "ons",    "onze",
        "ook",        "or",     "our",       "so",         "still",   "that",   "the",      "there",  "this",
        "u",          "uw",     "very",      "voor",       "want",    "was",    "we",       "wel",    "what",
        "why",        "wij",    "wil",       "with",       "woon",    "would",  "you",      "your",   "zo",
        "zou",        "urgent", "important", "belangrijk", "correct", "fine",   "goed",     "great",  "graag",
        "please",     "hoe",    "wat",       "waar",       "wanneer", "waarom", "welke",    "die",    "dit",
        "zijn",       "hallo",  "hoi",       "hi",         "hello",   "dank",   "bedankt",  "thanks", "thank",
        "bestelling", "order",  "vraag",     "question",   "pakket",  "klant",  "customer", "from",   "van",
        "uit",        "bij",    "at",        "to",         "naar",    "op",     "on",       "heet",
    };
    for (size_t k = 0; k < sizeof stop / sizeof *stop; k++)
        if (strlen(stop[k]) == e - b && match_ci(s, e, b, stop[k]))
            return true;
    return false;
}

static bool name_particle(const char *s, size_t b, size_t e)
{
    static const char *const part[] = {"van", "de", "der", "den", "het", "'t", "ter", "ten", "te",
                                       "von", "la", "le",  "du",  "di",  "da", "del", "dos", "el"};
    for (size_t k = 0; k < sizeof part / sizeof *part; k++)
        if (strlen(part[k]) == e - b && match_ci(s, e, b, part[k]))
            return true;
    return false;
}

/* A word of a name at s[i]: letters of any script, with inner '-' or
 * apostrophes ("Jan-Willem", "O'Brien"), or an initial ("J."). Returns its
 * end (0 when none); *cap says whether it starts with a capital. */
static size_t name_word(const char *s, size_t n, size_t i, bool *cap)
{
    size_t used;
    if (i >= n)
        return 0;
    uint32_t cp = cp_at(s, n, i, &used);
    if (!cp_is_word(cp) || (cp < 0x80 && is_digit((unsigned char)cp)))
        return 0;
    *cap = cp_is_upper(cp);
    size_t e = i + used;
    for (;;) {
        if (e >= n)
            break;
        cp = cp_at(s, n, e, &used);
        if (cp_is_word(cp) && !(cp < 0x80 && is_digit((unsigned char)cp))) {
            e += used;
            continue;
        }
        if ((cp == '-' || cp == '\'' || cp == 0x2019) && e + used < n) {
            size_t u2;
            uint32_t nx = cp_at(s, n, e + used, &u2);
            if (cp_is_word(nx) && !(nx < 0x80 && is_digit((unsigned char)nx))) {
                e += used;
                continue;
            }
        }
        break;
    }
    if (e < n && is_digit((unsigned char)s[e]))
        return 0;
    if (e - i == 1 && *cap && e < n && s[e] == '.')
        e++; /* an initial */
    return e;
}

static const struct {
    const char *w;
    bool strong; /* the name may be written in lower case */
} name_triggers[] = {
    {"mijn naam is", true}, {"my name is", true}, {"my name's", true}, {"ik heet", true},
    {"naam:", true},        {"name:", true},      {"this is", false},
};

static size_t scan_name(const char *s, size_t n, size_t p, cands_t *out)
{
    for (size_t k = 0; k < sizeof name_triggers / sizeof *name_triggers; k++) {
        size_t i = match_phrase(s, n, p, name_triggers[k].w);
        if (!i)
            continue;
        bool strong = name_triggers[k].strong;
        while (i < n && s[i] == ' ')
            i++;
        size_t start = i, end = 0;
        bool lower_mode = false;
        int words = 0, pending = 0; /* particles waiting for a surname */
        while (words < (lower_mode ? 4 : 6)) {
            bool cap;
            size_t e = name_word(s, n, i, &cap);
            if (!e)
                break;
            bool particle = name_particle(s, i, e);
            if (particle) {
                pending++;
            } else if (cap && !name_stopword(s, i, e)) {
                end = e;
                pending = 0;
            } else if (!cap && (pending || (strong && (words == 0 || lower_mode))) && !name_stopword(s, i, e)) {
                if (words == 0)
                    lower_mode = true;
                end = e;
                pending = 0;
            } else {
                break;
            }
            words++;
            size_t j = e;
            if (j < n && s[j] == ' ' && j + 1 < n && s[j + 1] != ' ')
                i = j + 1;
            else
                break;
        }
        if (end > start) {
            add(out, LK_PII_NAME, start, end);
            return end;
        }
        return 0;
    }
    return 0;
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
            scan_email(s, n, p, c);
        } else if (is_digit(ch) || ch == '+' || ch == '(') {
            scan_number(s, n, p, c);
            if (is_digit(ch)) /* the rest of this digit run cannot start a number */
                while (p + 1 < n && is_digit((unsigned char)s[p + 1]))
                    p++;
        } else if (is_alpha(ch) && !word_before(s, p)) {
            scan_iban(s, n, p, c);
            unsigned char l = lower(ch);
            if (l == 'g' || l == 'd' || l == 'b')
                scan_birthdate(s, n, p, c);
            if (l == 'm' || l == 'i' || l == 'n' || l == 't')
                scan_name(s, n, p, c);
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
