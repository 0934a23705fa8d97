/*
 * Entities: the details a customer gives that an agent needs at hand: order
 * numbers, postcodes, e-mail addresses, phone numbers, dates and amounts.
 *
 * E-mail addresses, phone numbers and postcodes come from the privacy
 * module's detector (lk_pii_detect), so the two never disagree on what
 * personal data looks like. Order numbers, dates and amounts are found here:
 *
 * - order numbers: Tulp & Tafel's own form "TT-2024-0012" (with or without
 *   "#" and dashes), "#" followed by five or more digits, and any code with
 *   at least four digits after a word that names it: "bestelnummer 123456",
 *   "ordernr: 4411-22", "order number #98765", "mijn bestelling 12345678";
 * - dates: "12-03-2024", "12/3/24", "2024-03-12", "12 maart (2024)",
 *   "3rd March", "March 3, 2024" (Dutch and English month names);
 * - amounts: "€ 12,50", "€12", "EUR 30", "12.50 euro", "12,- euro".
 *
 * Where two findings overlap, the more specific one wins (an e-mail address
 * over everything, an order number over a phone number, a date over an
 * amount), so every byte belongs to at most one entity.
 */
#include "assist/assist.h"

#include "privacy/privacy.h"
#include "text/text.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name, *nl, *en;
} kinds[LK_ENT__COUNT] = {
    [LK_ENT_ORDER] = {"order_number", "bestelnummer", "order number"},
    [LK_ENT_POSTCODE] = {"postcode", "postcode", "postcode"},
    [LK_ENT_EMAIL] = {"email", "e-mail", "e-mail"},
    [LK_ENT_PHONE] = {"phone", "telefoon", "phone"},
    [LK_ENT_DATE] = {"date", "datum", "date"},
    [LK_ENT_AMOUNT] = {"amount", "bedrag", "amount"},
};

const char *lk_entity_kind_name(lk_entity_kind_t kind)
{
    return kind >= 0 && kind < LK_ENT__COUNT ? kinds[kind].name : "unknown";
}

const char *lk_entity_kind_label(lk_entity_kind_t kind, const char *lang)
{
    if (kind < 0 || kind >= LK_ENT__COUNT)
        return "?";
    return lang && strcmp(lang, "en") == 0 ? kinds[kind].en : kinds[kind].nl;
}

/* ---- characters ----------------------------------------------------------- */

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Part of a word: ASCII letters and digits, and every byte of a multi-byte
 * UTF-8 character (letters like "é"). */
static bool is_wordc(unsigned char c)
{
    return is_digit(c) || is_alpha(c) || c >= 0x80;
}

static unsigned char lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

typedef struct {
    const unsigned char *s;
    size_t len;
} text_t;

static bool starts_word(const text_t *t, size_t i)
{
    return i == 0 || !is_wordc(t->s[i - 1]);
}

static bool ends_word(const text_t *t, size_t j)
{
    return j >= t->len || !is_wordc(t->s[j]);
}

/* When the word w (lower case ASCII) stands at i, case-insensitively and
 * followed by a word boundary: its end; otherwise 0. */
static size_t word_at(const text_t *t, size_t i, const char *w)
{
    size_t n = strlen(w);
    if (i + n > t->len)
        return 0;
    for (size_t k = 0; k < n; k++)
        if (lower(t->s[i + k]) != (unsigned char)w[k])
            return 0;
    return ends_word(t, i + n) ? i + n : 0;
}

static size_t skip_spaces(const text_t *t, size_t i)
{
    while (i < t->len && (t->s[i] == ' ' || t->s[i] == '\t' || t->s[i] == '\n' || t->s[i] == '\r'))
        i++;
    return i;
}

/* Digits from i: how many (at most max + 1, to tell "too many"). */
static size_t digits_at(const text_t *t, size_t i, size_t max)
{
    size_t n = 0;
    while (i + n < t->len && is_digit(t->s[i + n]) && n <= max)
        n++;
    return n;
}

static int number_value(const text_t *t, size_t i, size_t n)
{
    int v = 0;
    for (size_t k = 0; k < n; k++)
        v = v * 10 + (t->s[i + k] - '0');
    return v;
}

/* ---- candidates ------------------------------------------------------------- */

/* Lower wins where candidates overlap. */
enum { PRIO_EMAIL, PRIO_ORDER, PRIO_DATE, PRIO_AMOUNT, PRIO_POSTCODE, PRIO_PHONE };

typedef struct {
    lk_entity_t e;
    int prio;
} cand_t;

typedef struct {
    cand_t *v;
    size_t n, cap;
} cands_t;

static void add(cands_t *c, lk_entity_kind_t kind, size_t start, size_t len, int prio)
{
    if (len == 0)
        return;
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 16;
        c->v = lk_xrealloc(c->v, c->cap * sizeof *c->v);
    }
    c->v[c->n++] = (cand_t){{kind, start, len}, prio};
}

/* ---- order numbers ---------------------------------------------------------- */

/* "TT-2024-0012", "TT20240012", "tt-2024-12": TT, a year, a serial. End or 0. */
static size_t shop_code_at(const text_t *t, size_t i)
{
    if (i + 2 > t->len || lower(t->s[i]) != 't' || lower(t->s[i + 1]) != 't')
        return 0;
    size_t j = i + 2;
    if (j < t->len && (t->s[j] == '-' || t->s[j] == ' '))
        j++;
    size_t n = digits_at(t, j, 12);
    if (j + n < t->len && t->s[j + n] == '-') { /* TT-2024-0012 */
        if (n != 4)
            return 0;
        j += 5;
        n = digits_at(t, j, 8);
        if (n < 2 || n > 8)
            return 0;
    } else if (n < 6 || n > 12) { /* TT20240012 */
        return 0;
    }
    j += n;
    return ends_word(t, j) ? j : 0;
}

/* A code after an order word: letters, digits and inner dashes with at least
 * four digits. End or 0. */
static size_t code_at(const text_t *t, size_t i)
{
    size_t j = i, digits = 0;
    if (i >= t->len || !(is_digit(t->s[i]) || is_alpha(t->s[i])))
        return 0;
    while (j < t->len && (is_digit(t->s[j]) || is_alpha(t->s[j]) ||
                          (t->s[j] == '-' && j + 1 < t->len && (is_digit(t->s[j + 1]) || is_alpha(t->s[j + 1]))))) {
        digits += is_digit(t->s[j]);
        j++;
    }
    if (digits < 4 || j - i > 32 || !ends_word(t, j))
        return 0;
    return j;
}

/* Words that announce an order number, longest first where one starts
 * another. */
static const char *const order_words[] = {
    "bestelnummer", "bestelnr", "bestelling", "ordernummer", "ordernumber", "ordernr", "order",
};
static const char *const number_words[] = {"nummer", "number", "nr", "no", "num", "id"};
static const char *const copula_words[] = {"is", "was", "luidt"};

static size_t any_word_at(const text_t *t, size_t i, const char *const *words, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        size_t e = word_at(t, i, words[k]);
        if (e)
            return e;
    }
    return 0;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void find_orders(const text_t *t, cands_t *c)
{
    for (size_t i = 0; i < t->len; i++) {
        if (!starts_word(t, i))
            continue;
        size_t e = shop_code_at(t, i);
        if (e) {
            add(c, LK_ENT_ORDER, i, e - i, PRIO_ORDER);
            i = e - 1;
            continue;
        }
        if (t->s[i] == '#') {
            size_t n = digits_at(t, i + 1, 16);
            if (n >= 5 && n <= 16 && ends_word(t, i + 1 + n)) {
                add(c, LK_ENT_ORDER, i + 1, n, PRIO_ORDER);
                i += n;
            }
            continue;
        }
        e = any_word_at(t, i, order_words, COUNT(order_words));
        if (!e)
            continue;
        /* "bestelnummer 123456", "order nr. 4411", "bestelling #12345678",
         * "ordernummer is: TT-2024-0012" */
        size_t j = skip_spaces(t, e);
        size_t w = any_word_at(t, j, number_words, COUNT(number_words));
        if (w) {
            j = w;
            if (j < t->len && t->s[j] == '.')
                j++;
            j = skip_spaces(t, j);
        }
        w = any_word_at(t, j, copula_words, COUNT(copula_words));
        if (w)
            j = skip_spaces(t, w);
        if (j < t->len && t->s[j] == ':')
            j = skip_spaces(t, j + 1);
        if (j < t->len && t->s[j] == '#')
            j++;
        size_t end = shop_code_at(t, j);
        if (!end)
            end = code_at(t, j);
        if (end) {
            add(c, LK_ENT_ORDER, j, end - j, PRIO_ORDER);
            i = end - 1;
        }
    }
}

/* ---- dates ------------------------------------------------------------------ */

/* A month name at i (optionally followed by "."): its end, or 0. */
static size_t month_at(const text_t *t, size_t i)
{
    int month;
    const char *name;
    for (size_t k = 0; (name = lk_text_month_name(k, &month)); k++) {
        size_t e = word_at(t, i, name);
        if (e)
            return (e < t->len && t->s[e] == '.') ? e + 1 : e;
    }
    return 0;
}

/* A day of the month at i ("3", "03", "3rd", "3e", "3de"): its end, or 0. */
static size_t day_at(const text_t *t, size_t i)
{
    size_t n = digits_at(t, i, 2);
    if (n == 0 || n > 2 || !starts_word(t, i))
        return 0;
    int d = number_value(t, i, n);
    if (d < 1 || d > 31)
        return 0;
    size_t j = i + n;
    static const char *const suffix[] = {"ste", "st", "nd", "rd", "th", "de", "e"};
    for (size_t k = 0; k < COUNT(suffix); k++) {
        size_t n2 = strlen(suffix[k]);
        if (j + n2 <= t->len && strncmp((const char *)t->s + j, suffix[k], n2) == 0 && ends_word(t, j + n2))
            return j + n2;
    }
    return ends_word(t, j) ? j : 0;
}

/* A year after a date's day and month (" 2024", ", 2024"): its end, or from. */
static size_t year_after(const text_t *t, size_t from)
{
    size_t j = from;
    if (j < t->len && t->s[j] == ',')
        j++;
    j = skip_spaces(t, j);
    if (j == from)
        return from;
    size_t n = digits_at(t, j, 4);
    return n == 4 && ends_word(t, j + 4) ? j + 4 : from;
}

/* "12-03-2024", "12/3/24", "12.03.2024", "2024-03-12": its end, or 0. */
static size_t numeric_date_at(const text_t *t, size_t i)
{
    size_t a = digits_at(t, i, 4);
    if (a == 0 || a == 3 || a > 4)
        return 0;
    size_t j = i + a;
    if (j >= t->len || (t->s[j] != '-' && t->s[j] != '/' && t->s[j] != '.'))
        return 0;
    unsigned char sep = t->s[j++];
    size_t b = digits_at(t, j, 2);
    if (b == 0 || b > 2)
        return 0;
    size_t jb = j;
    j += b;
    if (j >= t->len || t->s[j] != sep)
        return 0;
    j++;
    size_t c = digits_at(t, j, 4);
    size_t jc = j;
    if (!((a == 4 && (c == 1 || c == 2)) || (a <= 2 && (c == 2 || c == 4))))
        return 0;
    j += c;
    /* not a longer run of numbers (a version, an address) */
    if (!ends_word(t, j) || (j + 1 < t->len && (t->s[j] == sep || t->s[j] == '.') && is_digit(t->s[j + 1])))
        return 0;
    int day, month = number_value(t, jb, b);
    day = a == 4 ? number_value(t, jc, c) : number_value(t, i, a);
    return day >= 1 && day <= 31 && month >= 1 && month <= 12 ? j : 0;
}

static void find_dates(const text_t *t, cands_t *c)
{
    for (size_t i = 0; i < t->len; i++) {
        if (!starts_word(t, i))
            continue;
        size_t e = 0;
        if (is_digit(t->s[i])) {
            e = numeric_date_at(t, i);
            if (!e) { /* "12 maart", "3rd of March" */
                size_t d = day_at(t, i);
                if (d) {
                    size_t j = skip_spaces(t, d);
                    size_t of = word_at(t, j, "of");
                    if (of)
                        j = skip_spaces(t, of);
                    size_t m = j > d ? month_at(t, j) : 0;
                    if (m)
                        e = year_after(t, m);
                }
            }
        } else if (is_alpha(t->s[i])) { /* "March 3", "maart 12, 2024" */
            size_t m = month_at(t, i);
            if (m) {
                size_t j = skip_spaces(t, m);
                size_t d = j > m ? day_at(t, j) : 0;
                if (d)
                    e = year_after(t, d);
            }
        }
        if (e) {
            add(c, LK_ENT_DATE, i, e - i, PRIO_DATE);
            i = e - 1;
        } else {
            while (i + 1 < t->len && is_wordc(t->s[i + 1]))
                i++; /* next word */
        }
    }
}

/* ---- amounts ---------------------------------------------------------------- */

static size_t euro_sign_at(const text_t *t, size_t i)
{
    if (i + 3 <= t->len && t->s[i] == 0xE2 && t->s[i + 1] == 0x82 && t->s[i + 2] == 0xAC)
        return i + 3;
    return 0;
}

/* A number at i: "12", "12,50", "1.250,00", "12.50", "12,-": its end, or 0. */
static size_t amount_number_at(const text_t *t, size_t i)
{
    size_t n = digits_at(t, i, 9);
    if (n == 0 || n > 9)
        return 0;
    size_t j = i + n;
    while (j + 1 < t->len && (t->s[j] == '.' || t->s[j] == ',') && is_digit(t->s[j + 1])) {
        size_t g = digits_at(t, j + 1, 3);
        if (g > 3)
            return 0;
        j += 1 + g;
    }
    if (j + 1 < t->len && t->s[j] == ',' && t->s[j + 1] == '-')
        j += 2;
    else if (!ends_word(t, j) && !euro_sign_at(t, j))
        return 0;
    return j;
}

static void find_amounts(const text_t *t, cands_t *c)
{
    for (size_t i = 0; i < t->len; i++) {
        size_t e = euro_sign_at(t, i);
        if (!e && starts_word(t, i))
            e = word_at(t, i, "eur");
        if (e) { /* "€ 12,50", "EUR 30" */
            size_t j = skip_spaces(t, e);
            if (j < t->len && is_digit(t->s[j])) {
                size_t end = amount_number_at(t, j);
                if (end) {
                    add(c, LK_ENT_AMOUNT, i, end - i, PRIO_AMOUNT);
                    i = end - 1;
                    continue;
                }
            }
            i = e - 1;
            continue;
        }
        if (is_digit(t->s[i]) && starts_word(t, i)) { /* "12.50 euro", "12,50€" */
            size_t end = amount_number_at(t, i);
            if (!end)
                continue;
            size_t j = skip_spaces(t, end);
            size_t unit = euro_sign_at(t, j);
            if (!unit)
                unit = word_at(t, j, "euro");
            if (!unit)
                unit = word_at(t, j, "euros");
            if (!unit)
                unit = word_at(t, j, "eur");
            if (unit) {
                add(c, LK_ENT_AMOUNT, i, unit - i, PRIO_AMOUNT);
                i = unit - 1;
            } else {
                i = end - 1;
            }
        }
    }
}

/* ---- all of it -------------------------------------------------------------- */

static void find_pii(const char *text, size_t len, cands_t *c)
{
    lk_pii_span_t spans[64];
    size_t n = lk_pii_detect(text, len, spans, sizeof spans / sizeof spans[0]);
    if (n > sizeof spans / sizeof spans[0])
        n = sizeof spans / sizeof spans[0];
    for (size_t i = 0; i < n; i++) {
        if (spans[i].kind == LK_PII_EMAIL)
            add(c, LK_ENT_EMAIL, spans[i].start, spans[i].len, PRIO_EMAIL);
        else if (spans[i].kind == LK_PII_PHONE)
            add(c, LK_ENT_PHONE, spans[i].start, spans[i].len, PRIO_PHONE);
        else if (spans[i].kind == LK_PII_POSTCODE)
            add(c, LK_ENT_POSTCODE, spans[i].start, spans[i].len, PRIO_POSTCODE);
    }
}

static int by_prio(const void *a, const void *b)
{
    const cand_t *x = a, *y = b;
    if (x->prio != y->prio)
        return x->prio - y->prio;
    return (x->e.start > y->e.start) - (x->e.start < y->e.start);
}

static int by_start(const void *a, const void *b)
{
    const cand_t *x = a, *y = b;
    return (x->e.start > y->e.start) - (x->e.start < y->e.start);
}

size_t lk_assist_entities(const char *text, size_t len, lk_entity_t *out, size_t max)
{
    if (!text || len == 0)
        return 0;
    text_t t = {(const unsigned char *)text, len};
    cands_t c = {NULL, 0, 0};
    find_pii(text, len, &c);
    find_orders(&t, &c);
    find_dates(&t, &c);
    find_amounts(&t, &c);
    if (c.n == 0)
        return 0;
    /* keep the more specific where findings overlap */
    qsort(c.v, c.n, sizeof *c.v, by_prio);
    size_t kept = 0;
    for (size_t i = 0; i < c.n; i++) {
        bool clash = false;
        for (size_t k = 0; k < kept && !clash; k++)
            clash = c.v[i].e.start < c.v[k].e.start + c.v[k].e.len && c.v[k].e.start < c.v[i].e.start + c.v[i].e.len;
        if (!clash)
            c.v[kept++] = c.v[i];
    }
    qsort(c.v, kept, sizeof *c.v, by_start);
    for (size_t i = 0; i < kept && i < max; i++)
        out[i] = c.v[i].e;
    free(c.v);
    return kept;
}
