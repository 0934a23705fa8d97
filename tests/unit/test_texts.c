/*
 * Every built-in Dutch text that loket says, held to one list of reviewed
 * texts (tests/data/reviewed_nl.txt), so that a new or changed Dutch text
 * fails here until someone has read it and added it to the list (issue 14:
 * grammar mistakes are caught in one place).
 *
 * The texts come from where the product keeps them:
 *   - the conversation policy's messages and templates (lk_policy_text),
 *   - the hand-off summary's sentences, templates, reasons, language names
 *     and entity labels (lk_assist_text),
 *   - the widget's and the console's strings: the `nl: { key: '...' }`
 *     blocks of web/widget.js and of each script in web/console.
 * And the templates of one text take the same printf conversions in every
 * language (a German template with a %s where Dutch has a %lld would be
 * undefined behaviour at run time).
 *
 * The list's format: one text a line, exactly as the product has it (a
 * template with its %s, a widget string with its {name}); lines starting
 * with '#' and blank lines are comments. Texts are compared with leading and
 * trailing white space trimmed.
 */
#include "assist/assist.h"
#include "policy/policy.h"
#include "test_rows.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef LOKET_SOURCE_DIR
#define LOKET_SOURCE_DIR "."
#endif

/* ---- a list of strings ------------------------------------------------------ */

/* Each text is labelled with where it came from, for the failure message.
 * Adds the len bytes at s without the white space around them, unless
 * nothing else is left. */
static void push(test_rows_t *l, const char *s, size_t len, const char *where)
{
    while (len && (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r'))
        s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\n' || s[len - 1] == '\t' || s[len - 1] == '\r'))
        len--;
    if (len)
        test_rows_add(l, s, len, where);
}

static bool in_list(const test_rows_t *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].text, s) == 0)
            return true;
    return false;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    lk_buf_t b;
    lk_buf_init(&b, 1 << 24);
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        cr_assert_eq(lk_buf_append(&b, chunk, n), 0, "%s is too large", path);
    fclose(f);
    return lk_buf_steal(&b, NULL);
}

/* ---- the reviewed list --------------------------------------------------------- */

static void load_reviewed(test_rows_t *out)
{
    char *text = read_file(LOKET_SOURCE_DIR "/tests/data/reviewed_nl.txt");
    cr_assert(text, "tests/data/reviewed_nl.txt is missing");
    for (char *line = text; *line;) {
        char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (len && line[0] != '#')
            push(out, line, len, "reviewed_nl.txt");
        line += len + (end ? 1 : 0);
    }
    free(text);
}

/* ---- the product's Dutch texts ------------------------------------------------------ */

static void collect_c(test_rows_t *out)
{
    for (size_t i = 0; lk_policy_text(i, "nl"); i++) {
        char where[64];
        snprintf(where, sizeof where, "policy text %zu", i);
        push(out, lk_policy_text(i, "nl"), strlen(lk_policy_text(i, "nl")), where);
    }
    for (size_t i = 0; lk_assist_text(i, "nl"); i++) {
        char where[64];
        snprintf(where, sizeof where, "summary text %zu", i);
        push(out, lk_assist_text(i, "nl"), strlen(lk_assist_text(i, "nl")), where);
    }
}

/* The string literals of the `nl: {` block of a JavaScript file that are
 * values (the literal follows a ':'): 'x', "x" or `x`. Escapes stay as they
 * are in the source, except \' and \" (so the list reads naturally). */
static void collect_js(test_rows_t *out, const char *path, const char *name)
{
    char *src = read_file(path);
    cr_assert(src, "cannot read %s", path);
    size_t blocks = 0;
    for (const char *p = src; (p = strstr(p, "nl: {")) != NULL; p++) {
        /* only a block that opens a line ("    nl: {" of a strings table) */
        const char *bol = p;
        while (bol > src && bol[-1] == ' ')
            bol--;
        if (bol > src && bol[-1] != '\n')
            continue;
        blocks++;
        int depth = 0;
        char prev = 0; /* the last character outside literals that is not white space */
        const char *q = p + 4;
        for (; *q; q++) {
            char c = *q;
            if (c == ' ' || c == '\n' || c == '\t' || c == '\r')
                continue;
            if (c == '/' && q[1] == '/') { /* a comment to the end of the line */
                while (*q && *q != '\n')
                    q++;
                if (!*q)
                    break;
                continue;
            }
            if (c == '{') {
                depth++;
            } else if (c == '}') {
                if (--depth == 0)
                    break;
            } else if (c == '\'' || c == '"' || c == '`') {
                lk_buf_t lit;
                lk_buf_init(&lit, 1 << 16);
                const char *r = q + 1;
                for (; *r && *r != c; r++) {
                    if (*r == '\\' && r[1]) {
                        if (r[1] == '\'' || r[1] == '"') {
                            (void)lk_buf_append(&lit, r + 1, 1);
                            r++;
                            continue;
                        }
                        (void)lk_buf_append(&lit, r, 2);
                        r++;
                        continue;
                    }
                    (void)lk_buf_append(&lit, r, 1);
                }
                cr_assert(*r, "%s: an unterminated string", name);
                if (prev == ':' && depth == 1) {
                    char where[128];
                    snprintf(where, sizeof where, "%s", name);
                    push(out, lit.data ? lit.data : "", lit.len, where);
                }
                lk_buf_free(&lit);
                q = r;
                c = 'x';
            }
            prev = c;
        }
    }
    cr_assert_geq(blocks, 1, "%s has no nl: { ... } block of strings", name);
    free(src);
}

static void collect_web(test_rows_t *out)
{
    collect_js(out, LOKET_SOURCE_DIR "/web/widget.js", "web/widget.js");
    DIR *d = opendir(LOKET_SOURCE_DIR "/web/console");
    cr_assert(d, "web/console is missing");
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 4 || strcmp(e->d_name + n - 3, ".js") != 0)
            continue;
        char path[1024], name[512];
        snprintf(path, sizeof path, "%s/web/console/%s", LOKET_SOURCE_DIR, e->d_name);
        snprintf(name, sizeof name, "web/console/%s", e->d_name);
        char *src = read_file(path);
        bool has_block = src && strstr(src, "nl: {");
        free(src);
        if (has_block)
            collect_js(out, path, name);
    }
    closedir(d);
}

/* ---- the tests ------------------------------------------------------------------------- */

static void check_all_reviewed(const test_rows_t *texts)
{
    test_rows_t reviewed = {0};
    load_reviewed(&reviewed);
    lk_buf_t missing;
    lk_buf_init(&missing, 1 << 20);
    size_t n_missing = 0;
    for (size_t i = 0; i < texts->n; i++)
        if (!in_list(&reviewed, texts->v[i].text)) {
            n_missing++;
            (void)lk_buf_printf(&missing, "\n  %s: %s", texts->v[i].label, texts->v[i].text);
        }
    cr_expect_eq(n_missing, 0,
                 "%zu Dutch text(s) not in tests/data/reviewed_nl.txt: read each (grammar, B1, 'je'), then add it "
                 "as it is, one a line:%s",
                 n_missing, missing.data ? missing.data : "");
    lk_buf_free(&missing);
    test_rows_free(&reviewed);
}

/* Collects texts, checks there are at least min of them (what: which, for
 * the message) and that every one is reviewed. */
static void check_collected(void (*collect)(test_rows_t *), size_t min, const char *what)
{
    test_rows_t texts = {0};
    collect(&texts);
    cr_assert_geq(texts.n, min, "%s: %zu", what, texts.n);
    check_all_reviewed(&texts);
    test_rows_free(&texts);
}

Test(texts, every_dutch_text_of_the_policy_and_the_summary_is_reviewed)
{
    check_collected(collect_c, 60, "the policy's and the summary's texts");
}

Test(texts, every_dutch_string_of_the_widget_and_the_console_is_reviewed)
{
    check_collected(collect_web, 500, "the pages' Dutch strings");
}

/* The fixed texts of the hand-off summary's example in the issue: the
 * corrected word order is the one the product says. */
Test(texts, the_summary_says_kon_at_the_end)
{
    const char *t = lk_assist_reason_text("repeated_failure", "nl");
    cr_assert_str_eq(t, "de bot twee keer achter elkaar geen antwoord kon geven");
}

/* The printf conversions of a template, in order ("%s%d%lld"). */
static void conversions(const char *t, char *out, size_t max)
{
    size_t k = 0;
    for (const char *p = t; *p; p++) {
        if (*p != '%')
            continue;
        p++;
        if (*p == '%')
            continue;
        while (*p && strchr("0123456789.-+ #", *p))
            p++;
        while (*p && strchr("hlLqjzt", *p))
            if (k + 1 < max)
                out[k++] = *p++;
            else
                p++;
        if (*p && k + 1 < max)
            out[k++] = *p;
        if (!*p)
            break;
    }
    out[k] = '\0';
}

Test(texts, templates_take_the_same_conversions_in_every_language)
{
    const char *langs[] = {"en", "de", "fr"};
    size_t n = 0;
    for (size_t i = 0; lk_policy_text(i, "nl"); i++, n++) {
        char want[32], got[32];
        conversions(lk_policy_text(i, "nl"), want, sizeof want);
        for (size_t l = 0; l < 3; l++) {
            const char *t = lk_policy_text(i, langs[l]);
            cr_assert(t, "policy text %zu has no %s version", i, langs[l]);
            conversions(t, got, sizeof got);
            cr_expect_str_eq(got, want, "policy text %zu in %s: \"%s\" against \"%s\"", i, langs[l], t,
                             lk_policy_text(i, "nl"));
        }
    }
    cr_assert_geq(n, 40);
    cr_assert_null(lk_policy_text(0, "xx"));
    for (size_t i = 0; lk_assist_text(i, "nl"); i++) {
        char want[32], got[32];
        conversions(lk_assist_text(i, "nl"), want, sizeof want);
        conversions(lk_assist_text(i, "en"), got, sizeof got);
        cr_expect_str_eq(got, want, "summary text %zu: \"%s\"", i, lk_assist_text(i, "en"));
    }
}
