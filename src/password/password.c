/*
 * The check of new passwords (password.h). The list of common passwords is
 * compiled into the program (CMakeLists.txt embeds John the Ripper's
 * password.lst as lk_password_list); on first use its lines are lower-cased
 * and sorted once, so a check is a few binary searches. Comparisons ignore
 * ASCII case: "PassWord" is as common as "password".
 */
#include "password/password.h"

#include "util/util.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Defined by the generated password_list.c: the file's bytes, NUL-terminated. */
extern const unsigned char lk_password_list[];
extern const unsigned long lk_password_list_len;

#define MIN_WORD 3      /* context words shorter than this are not looked for */
#define MIN_OWN 4       /* letters a password needs beyond the context words */
#define MAX_WORDS 32    /* context words looked for */
#define PRODUCT "loket" /* always a context word */

static char **common;   /* lower-cased, sorted, unique */
static size_t n_common;
static pthread_once_t common_once = PTHREAD_ONCE_INIT;

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void load_common(void)
{
    const char *p = (const char *)lk_password_list, *end = p + lk_password_list_len;
    size_t cap = 4096;
    common = lk_xmalloc(cap * sizeof *common);
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (len && p[len - 1] == '\r')
            len--;
        /* "#!comment:" lines are the list's header (its source and licence) */
        if (len > 0 && !(len >= 2 && p[0] == '#' && p[1] == '!')) {
            if (n_common == cap) {
                cap *= 2;
                common = lk_xrealloc(common, cap * sizeof *common);
            }
            char *w = lk_xmalloc(len + 1);
            for (size_t i = 0; i < len; i++)
                w[i] = lower(p[i]);
            w[len] = '\0';
            common[n_common++] = w;
        }
        if (!nl)
            break;
        p = nl + 1;
    }
    qsort(common, n_common, sizeof *common, cmp_str);
    size_t k = 0;
    for (size_t i = 0; i < n_common; i++) {
        if (k > 0 && strcmp(common[k - 1], common[i]) == 0)
            free(common[i]);
        else
            common[k++] = common[i];
    }
    n_common = k;
}

size_t lk_password_list_size(void)
{
    pthread_once(&common_once, load_common);
    return n_common;
}

/* Whether s (lower-case) is on the list. */
static bool is_common(const char *s)
{
    pthread_once(&common_once, load_common);
    return s[0] && bsearch(&s, common, n_common, sizeof *common, cmp_str) != NULL;
}

static bool is_letter(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

static size_t code_points(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        n += (*p & 0xc0) != 0x80;
    return n;
}

/* Adds the lower-cased s[0..len) to words when it is long enough. */
static void add_word(char words[][256], size_t *n, const char *s, size_t len)
{
    if (len < MIN_WORD || len >= 256 || *n == MAX_WORDS)
        return;
    for (size_t i = 0; i < len; i++)
        words[*n][i] = lower(s[i]);
    words[*n][len] = '\0';
    (*n)++;
}

/* Adds s whole and each of its runs of letters and digits (the parts of
 * "anna.de-vries@example.nl", of "Anna de Vries"). */
static void add_context(char words[][256], size_t *n, const char *s)
{
    size_t len = strlen(s);
    add_word(words, n, s, len);
    const char *at = strchr(s, '@');
    if (at)
        add_word(words, n, s, (size_t)(at - s)); /* the local part */
    for (size_t i = 0; i < len;) {
        size_t j = i;
        while (j < len && (is_letter((unsigned char)s[j]) || (s[j] >= '0' && s[j] <= '9')))
            j++;
        add_word(words, n, s + i, j - i);
        i = j > i ? j : i + 1;
    }
}

static int cmp_len_desc(const void *a, const void *b)
{
    size_t la = strlen(a), lb = strlen(b);
    return la < lb ? 1 : la > lb ? -1 : 0;
}

/* Removes every occurrence of w from s (in place); whether there was one. */
static bool remove_all(char *s, const char *w)
{
    size_t wl = strlen(w);
    bool any = false;
    for (char *p; (p = strstr(s, w)) != NULL;) {
        memmove(p, p + wl, strlen(p + wl) + 1);
        any = true;
    }
    return any;
}

/* Keeps only the letters of s (in place); returns their count in bytes. */
static size_t keep_letters(char *s)
{
    size_t k = 0;
    for (size_t i = 0; s[i]; i++)
        if (is_letter((unsigned char)s[i]))
            s[k++] = s[i];
    s[k] = '\0';
    return k;
}

lk_password_verdict_t lk_password_check(const char *pw, const char *const *context, size_t n_context)
{
    size_t len = strlen(pw);
    if (len > LK_PASSWORD_MAX)
        return LK_PW_TOO_LONG;
    if (code_points(pw) < LK_PASSWORD_MIN)
        return LK_PW_TOO_SHORT;
    char *low = lk_xmalloc(len + 1);
    for (size_t i = 0; i <= len; i++)
        low[i] = lower(pw[i]);
    lk_password_verdict_t v = LK_PW_OK;

    /* fewer than 3 different bytes: "aaaaaaaa", "abababab" */
    unsigned char seen[3] = {0};
    size_t distinct = 0;
    for (size_t i = 0; i < len && distinct < 3; i++) {
        unsigned char c = (unsigned char)low[i];
        if (memchr(seen, c, distinct) == NULL)
            seen[distinct++] = c;
    }
    if (distinct < 3)
        v = LK_PW_REPETITIVE;
    else if (is_common(low))
        v = LK_PW_COMMON;

    /* a common password with digits or symbols before or after it */
    if (v == LK_PW_OK) {
        size_t a = 0, b = len;
        while (a < b && !is_letter((unsigned char)low[a]))
            a++;
        while (b > a && !is_letter((unsigned char)low[b - 1]))
            b--;
        if (b - a >= MIN_OWN && b - a < len) {
            char *core = lk_xmalloc(b - a + 1);
            memcpy(core, low + a, b - a);
            core[b - a] = '\0';
            if (is_common(core))
                v = LK_PW_COMMON_VARIANT;
            free(core);
        }
    }

    /* little more than the e-mail address, the name or the product name:
     * without them, fewer than MIN_OWN letters are left, or a common word */
    if (v == LK_PW_OK) {
        char words[MAX_WORDS][256];
        size_t n = 0;
        add_word(words, &n, PRODUCT, strlen(PRODUCT));
        for (size_t i = 0; i < n_context; i++)
            if (context[i])
                add_context(words, &n, context[i]);
        qsort(words, n, sizeof words[0], cmp_len_desc);
        char *rest = lk_xstrdup(low);
        bool any = false;
        for (size_t i = 0; i < n; i++)
            any = remove_all(rest, words[i]) || any;
        if (any && (keep_letters(rest) < MIN_OWN || is_common(rest)))
            v = LK_PW_PERSONAL;
        memset(rest, 0, strlen(rest));
        free(rest);
    }
    memset(low, 0, len);
    free(low);
    return v;
}

const char *lk_password_reason(lk_password_verdict_t v)
{
    switch (v) {
    case LK_PW_OK:
        return "";
    case LK_PW_TOO_SHORT:
        return "it must have at least 8 characters; a sentence of several words is easiest to remember";
    case LK_PW_TOO_LONG:
        return "it may have at most 1024 bytes";
    case LK_PW_COMMON:
        return "it is one of the most common passwords, which attackers try first; choose another, such as a "
               "sentence of several words";
    case LK_PW_COMMON_VARIANT:
        return "it is a common password with digits or symbols added, which attackers try early; choose "
               "another, such as a sentence of several words";
    case LK_PW_PERSONAL:
        return "it is too close to the e-mail address, the name or the product name (loket); choose one "
               "that does not build on them";
    case LK_PW_REPETITIVE:
        return "it repeats one or two characters; choose one with more variety, such as a sentence of several "
               "words";
    }
    return "it is not accepted";
}
