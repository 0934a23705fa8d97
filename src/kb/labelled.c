/*
 * A company's own labelled questions (docs/quality.md, "Labelled questions
 * and review marks"): questions whose right answer is known, an article of
 * the knowledge base or none ("oos"), which join the calibration of the
 * answering threshold. This file reads them: the JSON-lines file of
 * `loket eval --labelled` and `loket kb labelled import`, one
 * {"text": ..., "label": ARTICLE_ID | "oos"} a line, and the API's body (one
 * such object, or {"questions": [...]}), checked whole against the
 * knowledge base they are for: one bad line or item fails all of them,
 * naming it, so that an import changes nothing or everything.
 *
 * Pure: no I/O, no clock. Redacting personal data is the caller's (the
 * privacy module), as is storing them.
 */
#include "kb/kb.h"

#include "util/util.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lk_kb_labelled_free(lk_kb_labelled_t *v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i].text);
    free(v);
}

/* Whether text holds more than white space. */
static bool blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
            return false;
    return true;
}

static int fail(char *err, size_t errsize, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errsize, const char *where, const char *fmt, ...)
{
    if (!err || !errsize)
        return LK_EINVAL;
    int w = snprintf(err, errsize, "%s: ", where);
    if (w < 0 || (size_t)w >= errsize)
        return LK_EINVAL;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err + w, errsize - (size_t)w, fmt, ap);
    va_end(ap);
    return LK_EINVAL;
}

/* One item, checked: {"text", "label", "language" (optional)} and nothing
 * else. where names it in the message ("line 3", "questions[2]"). */
static int read_item(const json_t *o, const lk_kb_t *kb, const char *where, lk_kb_labelled_t *out, char *err,
                     size_t errsize)
{
    if (!json_is_object(o))
        return fail(err, errsize, where, "expected an object {\"text\": ..., \"label\": ARTICLE_ID or \"oos\"}");
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)o, key, v)
    {
        if (strcmp(key, "text") != 0 && strcmp(key, "label") != 0 && strcmp(key, "language") != 0) {
            /* named only when it is a plain word: the message is one line of UTF-8 */
            if (lk_kb_token_valid(key, 40))
                return fail(err, errsize, where, "unknown field \"%s\" (the fields are text, label and language)", key);
            return fail(err, errsize, where, "an unknown field (the fields are text, label and language)");
        }
    }
    const json_t *t = json_object_get(o, "text"), *l = json_object_get(o, "label"), *g = json_object_get(o, "language");
    if (!json_is_string(t) || blank(json_string_value(t)))
        return fail(err, errsize, where, "\"text\" must be a non-empty string");
    if (json_string_length(t) > LK_KB_QUESTION_MAX)
        return fail(err, errsize, where, "\"text\" is longer than %d bytes", LK_KB_QUESTION_MAX);
    if (!json_is_string(l) || json_string_length(l) == 0)
        return fail(err, errsize, where, "\"label\" must be an article id or \"oos\"");
    const char *label = json_string_value(l);
    bool oos = strcmp(label, LK_KB_OOS) == 0;
    long a = -1;
    if (!oos) {
        if (json_string_length(l) > LK_KB_ID_MAX || !lk_kb_token_valid(label, LK_KB_ID_MAX))
            return fail(err, errsize, where, "\"label\" must be an article id or \"oos\"");
        if (kb && (a = lk_kb_find(kb, label)) < 0)
            return fail(err, errsize, where, "\"label\" \"%s\" is no article of the knowledge base", label);
    }
    const char *language = "";
    if (g && !json_is_null(g)) {
        if (!json_is_string(g) || !lk_kb_language_valid(json_string_value(g), json_string_length(g)))
            return fail(err, errsize, where, "\"language\" must be a language tag such as \"nl\" or \"en\"");
        language = json_string_value(g);
    } else if (a >= 0 && kb->articles[a].language) {
        language = kb->articles[a].language; /* the article's */
    }
    out->text = lk_xstrdup(json_string_value(t));
    out->line = 0;
    snprintf(out->label, sizeof out->label, "%s", oos ? "" : label);
    snprintf(out->language, sizeof out->language, "%s", language);
    return 0;
}

/* Appends one item to a growing array. */
static lk_kb_labelled_t *grow(lk_kb_labelled_t *v, size_t n, size_t *cap)
{
    if (n < *cap)
        return v;
    *cap = *cap ? *cap * 2 : 64;
    return lk_xrealloc(v, *cap * sizeof *v);
}

int lk_kb_labelled_parse_lines(const char *s, size_t len, const lk_kb_t *kb, lk_kb_labelled_t **out, size_t *n_out,
                               char *err, size_t errsize)
{
    if (!out || !n_out || (!s && len))
        return LK_EINVAL;
    *out = NULL;
    *n_out = 0;
    if (len && memchr(s, '\0', len))
        return fail(err, errsize, "the file", "holds a NUL byte: expected JSON lines");
    if (len && !lk_utf8_valid(s, len))
        return fail(err, errsize, "the file", "is not valid UTF-8");
    lk_kb_labelled_t *v = NULL;
    size_t n = 0, cap = 0, line = 0;
    int rc = 0;
    for (size_t i = 0; i < len && rc == 0;) {
        size_t j = i;
        while (j < len && s[j] != '\n')
            j++;
        line++;
        size_t a = i, b = j;
        i = j + 1;
        while (a < b && (s[a] == ' ' || s[a] == '\t' || s[a] == '\r'))
            a++;
        while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\r'))
            b--;
        if (a == b)
            continue; /* an empty line */
        char where[32];
        snprintf(where, sizeof where, "line %zu", line);
        if (n == LK_KB_LABELLED_MAX) {
            rc = fail(err, errsize, where, "more than %d labelled questions in one file", LK_KB_LABELLED_MAX);
            break;
        }
        json_error_t je;
        json_t *o = json_loadb(s + a, b - a, JSON_REJECT_DUPLICATES, &je);
        if (!o) {
            /* the position, not jansson's text: that quotes the input */
            rc = fail(err, errsize, where, "not JSON (at character %d)", je.column > 0 ? je.column : 1);
            break;
        }
        v = grow(v, n, &cap);
        rc = read_item(o, kb, where, &v[n], err, errsize);
        json_decref(o);
        if (rc == 0)
            v[n++].line = line;
    }
    if (rc == 0 && n == 0)
        rc = fail(err, errsize, "the file", "holds no labelled questions");
    if (rc) {
        lk_kb_labelled_free(v, n);
        return rc;
    }
    *out = v;
    *n_out = n;
    return 0;
}

int lk_kb_labelled_parse_json(const char *s, size_t len, const lk_kb_t *kb, lk_kb_labelled_t **out, size_t *n_out,
                              char *err, size_t errsize)
{
    if (!out || !n_out || (!s && len))
        return LK_EINVAL;
    *out = NULL;
    *n_out = 0;
    json_error_t je;
    json_t *root = len ? json_loadb(s, len, JSON_REJECT_DUPLICATES, &je) : NULL;
    if (!root)
        return fail(err, errsize, "the body", "expected {\"text\", \"label\"} or {\"questions\": [...]}");
    int rc = 0;
    lk_kb_labelled_t *v = NULL;
    size_t n = 0;
    json_t *list = json_is_object(root) ? json_object_get(root, "questions") : NULL;
    if (list) {
        if (!json_is_array(list) || json_object_size(root) != 1)
            rc = fail(err, errsize, "the body", "\"questions\" must be an array, and the only field");
        else if (json_array_size(list) == 0)
            rc = fail(err, errsize, "the body", "\"questions\" is empty");
        else if (json_array_size(list) > LK_KB_LABELLED_MAX)
            rc = fail(err, errsize, "the body", "more than %d labelled questions", LK_KB_LABELLED_MAX);
        else {
            v = lk_xcalloc(json_array_size(list), sizeof *v);
            for (size_t i = 0; i < json_array_size(list) && rc == 0; i++) {
                char where[40];
                snprintf(where, sizeof where, "questions[%zu]", i);
                rc = read_item(json_array_get(list, i), kb, where, &v[n], err, errsize);
                if (rc == 0)
                    n++;
            }
        }
    } else {
        v = lk_xcalloc(1, sizeof *v);
        rc = read_item(root, kb, "the body", &v[0], err, errsize);
        if (rc == 0)
            n = 1;
    }
    json_decref(root);
    if (rc) {
        lk_kb_labelled_free(v, n);
        return rc;
    }
    *out = v;
    *n_out = n;
    return 0;
}
