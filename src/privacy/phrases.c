/*
 * privacy: dates of birth and names, found after a trigger phrase (part of
 * the pure privacy module, see privacy_int.h).
 *
 * A date or a name on its own is not personal data loket can recognise
 * safely, so these detectors look only behind what says it is one: a date
 * ("3 mei 1980", "03-05-1980", "May 3, 1980") after "geboren op",
 * "geboortedatum", "born on", "dob" and the like; a name after "mijn naam
 * is", "ik heet", "my name is", "this is" (capitalised words there, with
 * particles such as "van der"), never a stop word.
 */
#include "privacy/privacy_int.h"
#include "text/text.h"

#include <stdbool.h>
#include <string.h>

/* ---- dates of birth ---------------------------------------------------- */

static int read_int(const char *s, size_t n, size_t *i, int maxdig, int *ndig)
{
    int v = 0, k = 0;
    while (*i < n && lk_pv_is_digit((unsigned char)s[*i]) && k < maxdig) {
        v = v * 10 + (s[*i] - '0');
        (*i)++;
        k++;
    }
    *ndig = k;
    if (*i < n && lk_pv_is_digit((unsigned char)s[*i]))
        *ndig = 0;
    return v;
}

/* A month name (Dutch or English, full or abbreviated) at s[i]: its number
 * and end, or 0. */
static int month_at(const char *s, size_t n, size_t i, size_t *end)
{
    int month;
    const char *name;
    for (size_t k = 0; (name = lk_text_month_name(k, &month)); k++) {
        size_t e = lk_pv_match_phrase(s, n, i, name);
        if (e) {
            if (e < n && s[e] == '.')
                e++;
            *end = e;
            return month;
        }
    }
    return 0;
}

static bool year_ok(int y, int nd)
{
    return nd == 2 || (nd == 4 && y >= 1900 && y <= 2099);
}

/* A four-digit year after a date's month or day at s[i] (", 2024" or
 * " 2024"): its end, or 0 when none follows. */
static size_t year_after(const char *s, size_t n, size_t i)
{
    if (i < n && s[i] == ',')
        i++;
    if (i + 1 >= n || s[i] != ' ' || !lk_pv_is_digit((unsigned char)s[i + 1]))
        return 0;
    i++;
    int nd;
    int yr = read_int(s, n, &i, 4, &nd);
    return nd == 4 && year_ok(yr, 4) && lk_pv_num_end_ok(s, n, i) ? i : 0;
}

/* Skips an English or Dutch ordinal ending after a day number. */
static size_t skip_ordinal(const char *s, size_t n, size_t i)
{
    static const char *const ord[] = {"ste", "de", "e", "st", "nd", "rd", "th"};
    for (size_t k = 0; k < sizeof ord / sizeof *ord; k++) {
        size_t e = lk_pv_match_phrase(s, n, i, ord[k]);
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
    if (q < n && lk_pv_is_digit((unsigned char)s[q])) {
        int a = read_int(s, n, &i, 4, &nd1);
        if (nd1 == 0)
            return 0;
        if (i + 1 < n && (s[i] == '-' || s[i] == '/' || s[i] == '.') && lk_pv_is_digit((unsigned char)s[i + 1])) {
            char sep = s[i++];
            int b = read_int(s, n, &i, 2, &nd2);
            if (nd2 == 0 || i + 1 >= n || s[i] != sep || !lk_pv_is_digit((unsigned char)s[i + 1]))
                return 0;
            i++;
            int c = read_int(s, n, &i, 4, &nd3);
            if (nd3 == 0 || !lk_pv_num_end_ok(s, n, i))
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
        size_t of = lk_pv_match_phrase(s, n, i, "of ");
        if (of)
            i = of;
        size_t e;
        if (!month_at(s, n, i, &e))
            return 0;
        size_t y = year_after(s, n, e);
        return y ? y : e;
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
    size_t y = year_after(s, n, i);
    if (y)
        return y;
    return lk_pv_num_end_ok(s, n, i) ? i : 0;
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
            e = lk_pv_match_phrase(s, n, i, fill[k]);
        if (!e)
            break;
        i = e;
    }
    return i;
}

size_t lk_pv_scan_birthdate(const char *s, size_t n, size_t p, cands_t *out)
{
    for (size_t k = 0; k < sizeof birth_triggers / sizeof *birth_triggers; k++) {
        size_t e = lk_pv_match_phrase(s, n, p, birth_triggers[k]);
        if (!e)
            continue;
        size_t q = skip_fillers(s, n, e);
        size_t end = parse_date(s, n, q);
        if (end) {
            lk_pv_add(out, LK_PII_BIRTHDATE, q, end);
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
        if (strlen(stop[k]) == e - b && lk_pv_match_ci(s, e, b, stop[k]))
            return true;
    return false;
}

static bool name_particle(const char *s, size_t b, size_t e)
{
    static const char *const part[] = {"van", "de", "der", "den", "het", "'t", "ter", "ten", "te",
                                       "von", "la", "le",  "du",  "di",  "da", "del", "dos", "el"};
    for (size_t k = 0; k < sizeof part / sizeof *part; k++)
        if (strlen(part[k]) == e - b && lk_pv_match_ci(s, e, b, part[k]))
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
    uint32_t cp = lk_utf8_decode(s, n, i, &used);
    if (!lk_pv_cp_is_word(cp) || (cp < 0x80 && lk_pv_is_digit((unsigned char)cp)))
        return 0;
    *cap = lk_pv_cp_is_upper(cp);
    size_t e = i + used;
    for (;;) {
        if (e >= n)
            break;
        cp = lk_utf8_decode(s, n, e, &used);
        if (lk_pv_cp_is_word(cp) && !(cp < 0x80 && lk_pv_is_digit((unsigned char)cp))) {
            e += used;
            continue;
        }
        if ((cp == '-' || cp == '\'' || cp == 0x2019) && e + used < n) {
            size_t u2;
            uint32_t nx = lk_utf8_decode(s, n, e + used, &u2);
            if (lk_pv_cp_is_word(nx) && !(nx < 0x80 && lk_pv_is_digit((unsigned char)nx))) {
                e += used;
                continue;
            }
        }
        break;
    }
    if (e < n && lk_pv_is_digit((unsigned char)s[e]))
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

size_t lk_pv_scan_name(const char *s, size_t n, size_t p, cands_t *out)
{
    for (size_t k = 0; k < sizeof name_triggers / sizeof *name_triggers; k++) {
        size_t i = lk_pv_match_phrase(s, n, p, name_triggers[k].w);
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
            lk_pv_add(out, LK_PII_NAME, start, end);
            return end;
        }
        return 0;
    }
    return 0;
}
