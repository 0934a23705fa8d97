/*
 * text.c: normalisation (utf8proc), the tokeniser, the Snowball stemmer
 * wrapper and the stop-word lists. Language identification is in langid.c.
 *
 * The tokeniser works on whitespace-separated chunks: a chunk that looks like
 * an e-mail or web address is one token; any other chunk is split at
 * punctuation, keeping apostrophes and hyphens inside words ("zo'n",
 * "e-mail") and dots and commas inside numbers ("12,50"), so that a customer's
 * order number or address survives as one token the NLU can recognise.
 */
#include "text/text.h"
#include "text/text_int.h"

#include "util/util.h"

#include <libstemmer.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* ---- normalisation ----------------------------------------------------- */

/* Before utf8proc's own mapping: accents used as apostrophes become "'",
 * line breaks and tabs become spaces (so tokens never span them). */
static utf8proc_int32_t premap(utf8proc_int32_t cp, void *data)
{
    (void)data;
    switch (cp) {
    case 0x60:   /* ` */
    case 0xB4:   /* acute accent */
    case 0x2018: /* left single quotation mark */
    case 0x2019: /* right single quotation mark */
    case 0x201B:
    case 0x2032: /* prime */
    case 0x02BC: /* modifier letter apostrophe */
        return '\'';
    case '\t':
    case '\n':
    case '\r':
    case 0x0B:
    case 0x0C:
    case 0x85:
    case 0x2028:
    case 0x2029:
        return ' ';
    default:
        return cp;
    }
}

static int utf8proc_options(int flags)
{
    int opts = UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_IGNORE | UTF8PROC_STRIPCC |
               UTF8PROC_LUMP;
    if (flags & LK_TEXT_FOLD)
        opts |= UTF8PROC_CASEFOLD;
    if (flags & LK_TEXT_STRIP_MARKS)
        opts |= UTF8PROC_STRIPMARK;
    return opts;
}

/* Printable ASCII (0x20..0x7E) is what most chat messages are, and on it the
 * whole utf8proc mapping above is the identity apart from two things: the
 * premap's "`" -> "'" and, when folding, A-Z -> a-z (NFKC, LUMP, IGNORE,
 * STRIPCC and STRIPMARK change no printable ASCII character; a unit test
 * compares every one with utf8proc). */
static bool printable_ascii(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7E)
            return false;
    return true;
}

static void map_ascii(const char *s, size_t len, int flags, char *dst)
{
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '`')
            c = '\'';
        else if ((flags & LK_TEXT_FOLD) && c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        dst[i] = c;
    }
    dst[len] = 0;
}

static int check_args(const char *s, size_t len, char **out, size_t *outlen)
{
    if (!out || (!s && len))
        return LK_EINVAL;
    *out = NULL;
    if (outlen)
        *outlen = 0;
    if (!lk_utf8_valid(s ? s : "", len))
        return LK_EUTF8;
    return 0;
}

int lk_text__normalize_utf8proc(const char *s, size_t len, int flags, char **out, size_t *outlen)
{
    int rc = check_args(s, len, out, outlen);
    if (rc)
        return rc;
    utf8proc_uint8_t *dst = NULL;
    utf8proc_ssize_t n = utf8proc_map_custom((const utf8proc_uint8_t *)(s ? s : ""), (utf8proc_ssize_t)len, &dst,
                                             (utf8proc_option_t)utf8proc_options(flags), premap, NULL);
    if (n < 0) {
        free(dst);
        return n == UTF8PROC_ERROR_NOMEM ? LK_ENOMEM : LK_EUTF8;
    }
    if (!dst) { /* utf8proc returns NULL for empty input on some versions */
        dst = lk_xmalloc(1);
        dst[0] = 0;
    }
    *out = (char *)dst;
    if (outlen)
        *outlen = (size_t)n;
    return 0;
}

int lk_text_normalize(const char *s, size_t len, int flags, char **out, size_t *outlen)
{
    if (s && printable_ascii(s, len)) {
        int rc = check_args(s, len, out, outlen);
        if (rc)
            return rc;
        *out = lk_xmalloc(len + 1);
        map_ascii(s, len, flags, *out);
        if (outlen)
            *outlen = len;
        return 0;
    }
    return lk_text__normalize_utf8proc(s, len, flags, out, outlen);
}

int lk_text_normalize_buf(const char *s, size_t len, int flags, lk_text_normbuf_t *buf, char **out, size_t *outlen)
{
    int rc = check_args(s, len, out, outlen);
    if (rc || !buf)
        return rc ? rc : LK_EINVAL;
    if (!s)
        s = "";
    char *dst = (char *)buf->cp;
    if (len < sizeof buf->cp && printable_ascii(s, len)) {
        map_ascii(s, len, flags, dst);
    } else {
        /* what utf8proc_map_custom() does, in buf instead of on the heap;
         * LK_TEXT_NORM_MAX code points leave room for utf8proc_reencode()'s
         * terminating NUL (at most 4 bytes a code point) */
        utf8proc_option_t opts = (utf8proc_option_t)utf8proc_options(flags);
        utf8proc_ssize_t n = utf8proc_decompose_custom((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, buf->cp,
                                                       LK_TEXT_NORM_MAX, opts, premap, NULL);
        if (n > LK_TEXT_NORM_MAX)
            return lk_text__normalize_utf8proc(s, len, flags, out, outlen);
        if (n >= 0)
            n = utf8proc_reencode(buf->cp, n, opts);
        if (n < 0)
            return n == UTF8PROC_ERROR_NOMEM ? LK_ENOMEM : LK_EUTF8;
        len = (size_t)n;
    }
    *out = dst;
    if (outlen)
        *outlen = len;
    return 0;
}

void lk_text_normalized_free(const lk_text_normbuf_t *buf, char *out)
{
    if (out != (const char *)buf->cp)
        free(out);
}

/* ---- tokens ------------------------------------------------------------ */

typedef enum { C_SPACE, C_LETTER, C_DIGIT, C_PUNCT } cclass_t;

/* Decodes one code point at s[i] (valid UTF-8 assumed; a broken byte counts
 * as one punctuation byte) and classifies it. */
static cclass_t decode(const char *s, size_t len, size_t i, utf8proc_int32_t *cp, size_t *n)
{
    utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), cp);
    if (k <= 0) {
        *cp = -1;
        *n = 1;
        return C_PUNCT;
    }
    *n = (size_t)k;
    if (*cp < 0x80) {
        int c = *cp;
        if (c == ' ' || c < 0x20 || c == 0x7F)
            return C_SPACE;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
            return C_LETTER;
        if (c >= '0' && c <= '9')
            return C_DIGIT;
        return C_PUNCT;
    }
    switch (utf8proc_category(*cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
        return C_LETTER;
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        return C_DIGIT;
    case UTF8PROC_CATEGORY_ZS:
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
    case UTF8PROC_CATEGORY_CC:
    case UTF8PROC_CATEGORY_CF:
        return C_SPACE;
    default:
        return C_PUNCT;
    }
}

static bool ascii_alnum(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool has_prefix_ci(const char *s, size_t len, const char *p)
{
    size_t n = strlen(p);
    if (len < n)
        return false;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (c >= 'A' && c <= 'Z')
            c += 32;
        if (c != p[i])
            return false;
    }
    return true;
}

/* "jan.de-vries@example.nl": local part of [A-Za-z0-9._%+-], one "@", a
 * domain of labels with at least one dot. Non-ASCII letters are allowed too. */
static bool is_email(const char *s, size_t len)
{
    size_t at = len;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '@') {
            if (at != len)
                return false;
            at = i;
        } else if (!(c >= 0x80 || ascii_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-')) {
            return false;
        }
    }
    if (at == 0 || at == len || at + 1 >= len)
        return false;
    const char *dom = s + at + 1;
    size_t dl = len - at - 1;
    const char *dot = memchr(dom, '.', dl);
    return dot && dot != dom && dom[dl - 1] != '.' && dom[0] != '.';
}

typedef struct {
    lk_token_t *toks;
    size_t max;
    size_t n;
} tokout_t;

static void emit(tokout_t *o, size_t off, size_t len, lk_tok_type_t type)
{
    if (o->n < o->max)
        o->toks[o->n] = (lk_token_t){off, len, type};
    o->n++;
}

/* Splits one chunk s[a..b) at punctuation. */
static void split_chunk(const char *s, size_t len, size_t a, size_t b, tokout_t *o)
{
    size_t i = a;
    while (i < b) {
        utf8proc_int32_t cp;
        size_t n;
        cclass_t c = decode(s, len, i, &cp, &n);
        size_t start = i;
        bool hash = false;
        if (c == C_PUNCT) {
            /* "#12345" is a code; "'s" / "'t" / "'n" (Dutch clitics) a word. */
            size_t n2 = 0;
            utf8proc_int32_t cp2 = -1;
            cclass_t c2 = i + n < b ? decode(s, len, i + n, &cp2, &n2) : C_SPACE;
            if (cp == '#' && c2 == C_DIGIT) {
                hash = true;
            } else if (cp == '\'' && c2 == C_LETTER && i == a) {
                size_t n3 = 0;
                utf8proc_int32_t cp3;
                cclass_t c3 = i + n + n2 < b ? decode(s, len, i + n + n2, &cp3, &n3) : C_SPACE;
                if (c3 != C_LETTER && c3 != C_DIGIT && (cp2 == 's' || cp2 == 't' || cp2 == 'n' || cp2 == 'k'))
                    ;
                else {
                    i += n;
                    continue;
                }
            } else {
                i += n;
                continue;
            }
            i += n;
            c = decode(s, len, i, &cp, &n);
        }
        bool letters = false, digits = hash;
        size_t end = i;
        for (;;) {
            if (c == C_LETTER)
                letters = true;
            else if (c == C_DIGIT)
                digits = true;
            end = i + n;
            i = end;
            if (i >= b)
                break;
            c = decode(s, len, i, &cp, &n);
            if (c == C_LETTER || c == C_DIGIT)
                continue;
            if (c != C_PUNCT || i + n >= b)
                break;
            /* A joiner stays inside the token when alphanumerics follow. */
            utf8proc_int32_t nx;
            size_t nn;
            cclass_t cn = decode(s, len, i + n, &nx, &nn);
            utf8proc_int32_t pv = (unsigned char)s[end - 1];
            bool prev_digit = pv >= '0' && pv <= '9';
            bool ok = false;
            if ((cp == '\'' || cp == '-') && (cn == C_LETTER || cn == C_DIGIT))
                ok = true;
            else if ((cp == '.' || cp == ',') && prev_digit && cn == C_DIGIT)
                ok = true;
            if (!ok)
                break;
            i += n;
            c = cn;
            cp = nx;
            n = nn;
        }
        lk_tok_type_t t = LK_TOK_WORD;
        if (hash || (digits && letters))
            t = LK_TOK_CODE;
        else if (digits)
            t = LK_TOK_NUMBER;
        emit(o, start, end - start, t);
        i = end;
    }
}

size_t lk_text_tokenize(const char *s, size_t len, lk_token_t *toks, size_t max)
{
    tokout_t o = {toks, toks ? max : 0, 0};
    if (!s)
        return 0;
    size_t i = 0;
    while (i < len) {
        utf8proc_int32_t cp;
        size_t n;
        if (decode(s, len, i, &cp, &n) == C_SPACE) {
            i += n;
            continue;
        }
        size_t a = i;
        while (i < len && decode(s, len, i, &cp, &n) != C_SPACE)
            i += n;
        size_t b = i;
        /* Trim what cannot start or end an address: brackets, quotes, and
         * sentence punctuation at the end. */
        size_t ta = a, tb = b;
        while (ta < tb && s[ta] && strchr("([{<\"'", s[ta]))
            ta++;
        while (tb > ta && s[tb - 1] && strchr(".,;:!?)]}>\"'", s[tb - 1]))
            tb--;
        if (tb > ta && is_email(s + ta, tb - ta)) {
            emit(&o, ta, tb - ta, LK_TOK_EMAIL);
        } else if (tb > ta && (has_prefix_ci(s + ta, tb - ta, "http://") || has_prefix_ci(s + ta, tb - ta, "https://") ||
                               (has_prefix_ci(s + ta, tb - ta, "www.") && tb - ta > 5))) {
            emit(&o, ta, tb - ta, LK_TOK_URL);
        } else {
            split_chunk(s, len, a, b, &o);
        }
    }
    return o.n;
}

const char *lk_text_token_type_name(lk_tok_type_t type)
{
    static const char *const names[] = {
        [LK_TOK_WORD] = "word",   [LK_TOK_NUMBER] = "number", [LK_TOK_CODE] = "code",
        [LK_TOK_EMAIL] = "email", [LK_TOK_URL] = "url",
    };
    return (size_t)type < sizeof names / sizeof *names && names[type] ? names[type] : "?";
}

/* ---- stemming ---------------------------------------------------------- */

struct lk_text_stemmer {
    struct sb_stemmer *sb;
};

lk_text_stemmer_t *lk_text_stemmer_new(const char *lang)
{
    if (!lang)
        return NULL;
    const char *alg = NULL;
    if (!strcmp(lang, "nl") || !strcmp(lang, "dutch"))
        alg = "dutch";
    else if (!strcmp(lang, "en") || !strcmp(lang, "english"))
        alg = "english";
    if (!alg)
        return NULL;
    struct sb_stemmer *sb = sb_stemmer_new(alg, "UTF_8");
    if (!sb)
        abort(); /* only on allocation failure: the names above exist */
    lk_text_stemmer_t *st = lk_xmalloc(sizeof *st);
    st->sb = sb;
    return st;
}

void lk_text_stemmer_free(lk_text_stemmer_t *st)
{
    if (!st)
        return;
    sb_stemmer_delete(st->sb);
    free(st);
}

static size_t copy_out(const char *w, size_t len, char *out, size_t outsize)
{
    if (!outsize)
        return 0;
    size_t n = len < outsize - 1 ? len : outsize - 1;
    memcpy(out, w, n);
    out[n] = 0;
    return n;
}

size_t lk_text_stem(lk_text_stemmer_t *st, const char *w, size_t len, char *out, size_t outsize)
{
    bool plain = len > 0 && len < 64;
    for (size_t i = 0; i < len && plain; i++)
        if ((w[i] >= '0' && w[i] <= '9') || w[i] == '@' || w[i] == '#')
            plain = false;
    if (!st || !plain)
        return copy_out(w, len, out, outsize);
    const sb_symbol *r = sb_stemmer_stem(st->sb, (const sb_symbol *)w, (int)len);
    if (!r)
        abort();
    return copy_out((const char *)r, (size_t)sb_stemmer_length(st->sb), out, outsize);
}

/* ---- stop words -------------------------------------------------------- */

/* Sorted bytewise (LC_ALL=C sort) for bsearch; a unit test checks the order. */
static const char *const stop_en[] = {
    "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "as", "at", "be",
    "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do",
    "does", "doing", "down", "during", "each", "few", "for", "from", "further", "had", "has", "have", "having",
    "he", "her", "here", "hers", "herself", "him", "himself", "his", "i", "i'd", "i'm", "i've", "if", "in",
    "into", "is", "it", "it's", "its", "itself", "just", "let's", "me", "more", "most", "my", "myself", "nor",
    "of", "off", "on", "once", "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own", "same",
    "she", "should", "so", "some", "such", "than", "that", "that's", "the", "their", "theirs", "them",
    "themselves", "then", "there", "there's", "these", "they", "this", "those", "through", "to", "too", "under",
    "until", "up", "very", "was", "we", "were", "which", "while", "will", "with", "would", "you", "you're",
    "your", "yours", "yourself", "yourselves",
};

static const char *const stop_nl[] = {
    "'s", "'t", "aan", "al", "alle", "als", "ben", "bij", "dan", "dat", "de", "deze", "die", "dit", "doch",
    "door", "dus", "een", "en", "er", "haar", "had", "heb", "hebben", "heeft", "hem", "het", "hier", "hij",
    "hun", "ik", "in", "is", "je", "jij", "jou", "jouw", "jullie", "kan", "kon", "kunnen", "maar", "mag", "me",
    "men", "met", "mij", "mijn", "moet", "moeten", "mogen", "na", "naar", "nog", "nu", "of", "om", "omdat",
    "onder", "ons", "onze", "ook", "op", "over", "reeds", "te", "tegen", "toch", "toen", "tot", "u", "uit",
    "uw", "van", "veel", "voor", "want", "waren", "was", "we", "wel", "werd", "wij", "wil", "willen", "word",
    "worden", "wordt", "zal", "ze", "zelf", "zich", "zij", "zijn", "zo", "zo'n", "zou",
};

bool lk_text_word_is(const char *w, size_t len, const char *s)
{
    if (strlen(s) != len)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = w[i] >= 'A' && w[i] <= 'Z' ? (char)(w[i] - 'A' + 'a') : w[i];
        if (c != s[i])
            return false;
    }
    return true;
}

bool lk_text_word_in(const char *w, size_t len, const char *const *list)
{
    for (; *list; list++)
        if (lk_text_word_is(w, len, *list))
            return true;
    return false;
}

bool lk_text_is_stopword(const char *lang, const char *w, size_t len)
{
    if (!w || !len)
        return false;
    bool en = !lang || strcmp(lang, "nl") != 0;
    bool nl = !lang || strcmp(lang, "en") != 0;
    return (en && lk_text__in_sorted(stop_en, sizeof stop_en / sizeof *stop_en, w, len)) ||
           (nl && lk_text__in_sorted(stop_nl, sizeof stop_nl / sizeof *stop_nl, w, len));
}

bool lk_text__stoplists_sorted(void)
{
    for (size_t i = 1; i < sizeof stop_en / sizeof *stop_en; i++)
        if (strcmp(stop_en[i - 1], stop_en[i]) >= 0)
            return false;
    for (size_t i = 1; i < sizeof stop_nl / sizeof *stop_nl; i++)
        if (strcmp(stop_nl[i - 1], stop_nl[i]) >= 0)
            return false;
    return true;
}

char *lk_text_search_fold(const char *s)
{
    char *out = NULL;
    if (lk_text_normalize(s, strlen(s), LK_TEXT_FOLD | LK_TEXT_STRIP_MARKS, &out, NULL) != 0)
        out = lk_xstrdup(s);
    return out;
}

bool lk_text_has_words(const char *folded_hay, const char *folded_query)
{
    for (const char *p = folded_query; *p;) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " ");
        if (n == 0)
            break;
        char *word = lk_xstrndup(p, n);
        bool found = strstr(folded_hay, word) != NULL;
        free(word);
        if (!found)
            return false;
        p += n;
    }
    return true;
}

/* ---- month names ------------------------------------------------------------ */

const char *lk_text_month_name(size_t k, int *month)
{
    static const struct {
        const char *name;
        int month;
    } months[] = {
        {"januari", 1},   {"january", 1},   {"februari", 2}, {"february", 2},  {"maart", 3},    {"march", 3},
        {"april", 4},     {"mei", 5},       {"may", 5},      {"juni", 6},      {"june", 6},     {"juli", 7},
        {"july", 7},      {"augustus", 8},  {"august", 8},   {"september", 9}, {"oktober", 10}, {"october", 10},
        {"november", 11}, {"december", 12}, {"jan", 1},      {"feb", 2},       {"mrt", 3},      {"mar", 3},
        {"apr", 4},       {"jun", 6},       {"jul", 7},      {"aug", 8},       {"sept", 9},     {"sep", 9},
        {"okt", 10},      {"oct", 10},      {"nov", 11},     {"dec", 12},
    };
    if (k >= sizeof months / sizeof *months)
        return NULL;
    *month = months[k].month;
    return months[k].name;
}
