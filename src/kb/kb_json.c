/*
 * The KB JSON format of CONTRACT.md: parsing with strict validation, and
 * export.
 *
 * Import is all or nothing: the first problem stops the parse, nothing of the
 * file is kept, and the caller gets one line that names the article (its id
 * when it has a usable one, and its 1-based position "#N" in the file) and
 * the field, so that whoever keeps the knowledge base can fix the file
 * without guessing. The same content rules apply to articles built in code
 * (lk_article_validate), so nothing reaches the store or the NLU that an
 * import would have refused.
 *
 * Strings are kept exactly as written (validation trims only to decide
 * whether a string is blank), so export followed by import gives back the
 * same articles byte for byte.
 */
#include "kb/kb.h"
#include "kb/kb_int.h"

#include "util/util.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The fields of an article, in the order export writes them. */
static const char *const FIELDS[] = {"id", "language", "title", "questions", "answer", "url", "tags"};
#define N_FIELDS (sizeof FIELDS / sizeof FIELDS[0])

/* Names people often use for a field, to suggest the right one. */
static const struct {
    const char *alias, *field;
} ALIASES[] = {
    {"lang", "language"},      {"locale", "language"}, {"name", "title"},  {"question", "questions"},
    {"examples", "questions"}, {"text", "answer"},     {"body", "answer"}, {"link", "url"},
    {"href", "url"},           {"tag", "tags"},
};

/* ---- error messages ---------------------------------------------------- */

/* Where a problem is: which article, so the message can name it. */
typedef struct {
    char *err;
    size_t errsize;
    const char *id; /* a valid id, or NULL when the article has none (yet) */
    size_t index;   /* 1-based position in the file, 0 when not from a file */
} where_t;

/* Writes "article "ID" (#N): <message>" to err and returns code. */
__attribute__((format(printf, 3, 4))) static int fail(const where_t *w, int code, const char *fmt, ...)
{
    if (!w->err || w->errsize == 0)
        return code;
    int n;
    if (w->id && w->index)
        n = snprintf(w->err, w->errsize, "article \"%s\" (#%zu): ", w->id, w->index);
    else if (w->id)
        n = snprintf(w->err, w->errsize, "article \"%s\": ", w->id);
    else if (w->index)
        n = snprintf(w->err, w->errsize, "article #%zu: ", w->index);
    else
        n = snprintf(w->err, w->errsize, "article: ");
    if (n < 0 || (size_t)n >= w->errsize)
        return code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->err + n, w->errsize - (size_t)n, fmt, ap);
    va_end(ap);
    return code;
}

/* Writes a message that concerns no single article. */
__attribute__((format(printf, 4, 5))) static int fail_top(char *err, size_t errsize, int code, const char *fmt, ...)
{
    if (!err || errsize == 0)
        return code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errsize, fmt, ap);
    va_end(ap);
    return code;
}

/* Copies s (valid UTF-8) into out for quoting in a one-line message: control
 * characters, quotes and backslashes become '?', and a long name is cut at a
 * character boundary and ends in "...". */
static void printable(const char *s, char *out, size_t outsize)
{
    size_t max = outsize - 4, o = 0; /* room for "..." and the NUL */
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        size_t clen = *p < 0x80 ? 1 : *p < 0xE0 ? 2 : *p < 0xF0 ? 3 : 4;
        if (o + clen > max) {
            memcpy(out + o, "...", 3);
            o += 3;
            break;
        }
        if (clen == 1) {
            out[o++] = (*p < 0x20 || *p == 0x7F || *p == '"' || *p == '\\') ? '?' : (char)*p;
            p++;
            continue;
        }
        for (size_t k = 0; k < clen && *p; k++)
            out[o++] = (char)*p++;
    }
    out[o] = '\0';
}

/* Edit distance of two short ASCII-case-folded strings, capped at 9. */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 32 || lb > 32)
        return 9;
    size_t row[33];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            char ca = a[i - 1], cb = b[j - 1];
            if (ca >= 'A' && ca <= 'Z')
                ca = (char)(ca - 'A' + 'a');
            size_t best = diag + (ca == cb ? 0 : 1);
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            diag = row[j];
            row[j] = best;
        }
    }
    return row[lb] > 9 ? 9 : row[lb];
}

/* The known field an unknown one was probably meant to be, or NULL. */
static const char *suggest(const char *key)
{
    for (size_t i = 0; i < sizeof ALIASES / sizeof ALIASES[0]; i++)
        if (strcasecmp(key, ALIASES[i].alias) == 0)
            return ALIASES[i].field;
    const char *best = NULL;
    size_t best_d = 3; /* at most two edits away */
    for (size_t i = 0; i < N_FIELDS; i++) {
        size_t d = distance(key, FIELDS[i]);
        if (d < best_d) {
            best_d = d;
            best = FIELDS[i];
        }
    }
    return best;
}

/* ---- content rules (shared by JSON and articles built in code) --------- */

/* True for the whitespace a blank field may consist of: ASCII white space,
 * no-break and typographic spaces, line separators and the BOM. Returns the
 * length of the space character at s, or 0. */
static size_t space_len(const unsigned char *s, size_t left)
{
    if (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r'))
        return 1;
    if (left >= 2 && s[0] == 0xC2 && (s[1] == 0xA0 || s[1] == 0x85))
        return 2;
    if (left >= 3 && s[0] == 0xE2 && s[1] == 0x80 && (s[2] <= 0x8B || s[2] == 0xA8 || s[2] == 0xA9 || s[2] == 0xAF))
        return 3;
    if (left >= 3 && s[0] == 0xE2 && s[1] == 0x81 && (s[2] == 0x9F || s[2] == 0xA0))
        return 3;
    if (left >= 3 && s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80)
        return 3;
    if (left >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
        return 3;
    return 0;
}

static bool blank(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        size_t n = space_len(s + i, len - i);
        if (n == 0)
            return false;
        i += n;
    }
    return true;
}

/* Describes an array item for messages: "" or " item #N". */
static const char *item_name(size_t item, char *buf, size_t bufsize)
{
    if (item == 0)
        return "";
    snprintf(buf, bufsize, " item #%zu", item);
    return buf;
}

/* A text field: valid UTF-8 without NUL, not blank, at most max bytes.
 * item is the 1-based position in an array field, 0 for a plain field. */
static int check_text(const where_t *w, const char *field, size_t item, const char *s, size_t max)
{
    char ib[32];
    const char *in = item_name(item, ib, sizeof ib);
    if (!s)
        return fail(w, LK_EINVAL, "field \"%s\"%s is missing", field, in);
    size_t len = strlen(s);
    if (!lk_utf8_valid(s, len))
        return fail(w, LK_EINVAL, "field \"%s\"%s is not valid UTF-8", field, in);
    if (blank(s, len))
        return fail(w, LK_EINVAL, "field \"%s\"%s must not be empty", field, in);
    if (len > max)
        return fail(w, LK_EINVAL, "field \"%s\"%s is too long (%zu bytes, at most %zu)", field, in, len, max);
    return 0;
}

/* True when s is usable as an id: 1..LK_KB_ID_MAX bytes of [A-Za-z0-9._-]. */
static bool id_valid(const char *s)
{
    return lk_kb_token_valid(s, LK_KB_ID_MAX);
}

static int check_id(const where_t *w, const char *id)
{
    if (!id)
        return fail(w, LK_EINVAL, "field \"id\" is missing");
    size_t len = strlen(id);
    if (len == 0)
        return fail(w, LK_EINVAL, "field \"id\" must not be empty");
    if (len > LK_KB_ID_MAX)
        return fail(w, LK_EINVAL, "field \"id\" is too long (%zu bytes, at most %d)", len, LK_KB_ID_MAX);
    if (!lk_kb_token_valid(id, len))
        return fail(w, LK_EINVAL, "field \"id\" may only hold the letters A-Z and a-z, digits, '.', '_' and '-'");
    return 0;
}

static int check_language(const where_t *w, const char *lang)
{
    if (!lang)
        return fail(w, LK_EINVAL, "field \"language\" is missing");
    if (!lk_kb_language_valid(lang, strlen(lang)))
        return fail(w, LK_EINVAL,
                    "field \"language\" must be a language code of 2 or 3 lowercase letters, such as \"nl\" or "
                    "\"en\"");
    return 0;
}

static int check_url(const where_t *w, const char *url)
{
    int rc = check_text(w, "url", 0, url, LK_KB_URL_MAX);
    if (rc)
        return rc;
    size_t skip;
    if (strncasecmp(url, "https://", 8) == 0)
        skip = 8;
    else if (strncasecmp(url, "http://", 7) == 0)
        skip = 7;
    else
        return fail(w, LK_EINVAL, "field \"url\" must start with http:// or https://");
    if (url[skip] == '\0' || url[skip] == '/')
        return fail(w, LK_EINVAL, "field \"url\" has no host name after the scheme");
    for (const unsigned char *p = (const unsigned char *)url; *p; p++)
        if (*p <= 0x20 || *p == 0x7F)
            return fail(w, LK_EINVAL, "field \"url\" must not contain spaces or control characters");
    return 0;
}

/* Every content rule, in field order. w->id is set by the caller when the id
 * is usable, so the messages can name the article. */
static int check_article(const where_t *w, const lk_article_t *a)
{
    int rc;
    if ((rc = check_id(w, a->id)) || (rc = check_language(w, a->language)) ||
        (rc = check_text(w, "title", 0, a->title, LK_KB_TITLE_MAX)))
        return rc;
    if (a->n_questions == 0 || !a->questions)
        return fail(w, LK_EINVAL, "field \"questions\" must be a non-empty array of strings");
    if (a->n_questions > LK_KB_QUESTIONS_MAX)
        return fail(w, LK_EINVAL, "field \"questions\" has too many items (%zu, at most %d)", a->n_questions,
                    LK_KB_QUESTIONS_MAX);
    for (size_t i = 0; i < a->n_questions; i++)
        if ((rc = check_text(w, "questions", i + 1, a->questions[i], LK_KB_QUESTION_MAX)))
            return rc;
    if ((rc = check_text(w, "answer", 0, a->answer, LK_KB_ANSWER_MAX)))
        return rc;
    if (a->url && (rc = check_url(w, a->url)))
        return rc;
    if (a->n_tags > 0 && !a->tags)
        return fail(w, LK_EINVAL, "field \"tags\" must be an array of strings");
    if (a->n_tags > LK_KB_TAGS_MAX)
        return fail(w, LK_EINVAL, "field \"tags\" has too many items (%zu, at most %d)", a->n_tags, LK_KB_TAGS_MAX);
    for (size_t i = 0; i < a->n_tags; i++)
        if ((rc = check_text(w, "tags", i + 1, a->tags[i], LK_KB_TAG_MAX)))
            return rc;
    return 0;
}

int lk_article_validate(const lk_article_t *a, char *err, size_t errsize)
{
    where_t w = {err, errsize, NULL, 0};
    if (!a)
        return fail(&w, LK_EINVAL, "no article given");
    if (a->id && id_valid(a->id))
        w.id = a->id;
    return check_article(&w, a);
}

/* ---- parsing ----------------------------------------------------------- */

/* Reads an array of strings into a borrowed vector (the strings stay owned
 * by jansson; the caller frees only the vector). */
static int read_strv(const where_t *w, json_t *arr, const char *field, size_t max, char ***out, size_t *n)
{
    size_t size = json_array_size(arr);
    if (size > max)
        return fail(w, LK_EINVAL, "field \"%s\" has too many items (%zu, at most %zu)", field, size, max);
    *out = size ? lk_xcalloc(size, sizeof **out) : NULL;
    *n = size;
    for (size_t i = 0; i < size; i++) {
        json_t *v = json_array_get(arr, i);
        if (!json_is_string(v))
            return fail(w, LK_EINVAL, "field \"%s\" item #%zu must be a string", field, i + 1);
        (*out)[i] = (char *)json_string_value(v);
    }
    return 0;
}

/* Reads a string field; NULL in *out when absent. */
static int read_str(const where_t *w, json_t *obj, const char *field, bool required, char **out)
{
    json_t *v = json_object_get(obj, field);
    *out = NULL;
    if (!v)
        return required ? fail(w, LK_EINVAL, "field \"%s\" is missing", field) : 0;
    if (!json_is_string(v))
        return fail(w, LK_EINVAL, "field \"%s\" must be a string%s", field,
                    required ? "" : " (leave it out when there is none)");
    *out = (char *)json_string_value(v);
    return 0;
}

/* Checks the shape of one article object and its content, and on success
 * fills out with a deep copy (owned by the caller). */
static int parse_article(json_t *obj, size_t index, lk_article_t *out, char *err, size_t errsize)
{
    where_t w = {err, errsize, NULL, index};
    if (!json_is_object(obj))
        return fail(&w, LK_EINVAL, "must be an object");

    json_t *idv = json_object_get(obj, "id");
    if (json_is_string(idv) && id_valid(json_string_value(idv)))
        w.id = json_string_value(idv);

    /* Unknown fields first: a misspelt field is the likely cause of a
     * "missing" one. */
    const char *key;
    json_t *val;
    json_object_foreach(obj, key, val)
    {
        bool known = false;
        for (size_t i = 0; i < N_FIELDS && !known; i++)
            known = strcmp(key, FIELDS[i]) == 0;
        if (known)
            continue;
        char name[64];
        printable(key, name, sizeof name);
        const char *s = suggest(key);
        if (s)
            return fail(&w, LK_EINVAL, "unknown field \"%s\" (did you mean \"%s\"?)", name, s);
        return fail(&w, LK_EINVAL,
                    "unknown field \"%s\" (the fields are id, language, title, questions, answer, url, tags)", name);
    }

    lk_article_t a;
    memset(&a, 0, sizeof a);
    int rc;
    if ((rc = read_str(&w, obj, "id", true, &a.id)) || (rc = check_id(&w, a.id)) ||
        (rc = read_str(&w, obj, "language", true, &a.language)) || (rc = read_str(&w, obj, "title", true, &a.title)))
        return rc;

    json_t *qv = json_object_get(obj, "questions");
    if (!qv)
        return fail(&w, LK_EINVAL, "field \"questions\" is missing");
    if (!json_is_array(qv) || json_array_size(qv) == 0)
        return fail(&w, LK_EINVAL, "field \"questions\" must be a non-empty array of strings");
    rc = read_strv(&w, qv, "questions", LK_KB_QUESTIONS_MAX, &a.questions, &a.n_questions);
    if (!rc)
        rc = read_str(&w, obj, "answer", true, &a.answer);
    if (!rc)
        rc = read_str(&w, obj, "url", false, &a.url);
    json_t *tv = json_object_get(obj, "tags");
    if (!rc && tv) {
        if (!json_is_array(tv))
            rc = fail(&w, LK_EINVAL, "field \"tags\" must be an array of strings");
        else
            rc = read_strv(&w, tv, "tags", LK_KB_TAGS_MAX, &a.tags, &a.n_tags);
    }
    if (!rc)
        rc = check_article(&w, &a);
    if (!rc)
        lk_article_copy(out, &a);
    free(a.questions); /* the strings belong to jansson */
    free(a.tags);
    return rc;
}

/* An open-addressing set of ids, to find duplicates in one pass. */
typedef struct {
    size_t *slots; /* article index + 1; 0 is empty */
    size_t mask;
} idset_t;

static uint64_t hash_id(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

/* Adds articles[i]'s id; returns the index + 1 of an earlier article with the
 * same id, or 0 when the id is new. */
static size_t idset_add(idset_t *set, const lk_article_t *articles, size_t i)
{
    size_t k = (size_t)hash_id(articles[i].id) & set->mask;
    while (set->slots[k]) {
        size_t other = set->slots[k] - 1;
        if (strcmp(articles[other].id, articles[i].id) == 0)
            return other + 1;
        k = (k + 1) & set->mask;
    }
    set->slots[k] = i + 1;
    return 0;
}

static const char SHAPE[] = "the top level must be an object with an \"articles\" array";

static int parse_root(json_t *root, lk_kb_t *out, char *err, size_t errsize)
{
    if (!json_is_object(root))
        return fail_top(err, errsize, LK_EINVAL, "%s", SHAPE);
    const char *key;
    json_t *val;
    json_object_foreach(root, key, val)
    {
        if (strcmp(key, "articles") != 0) {
            char name[64];
            printable(key, name, sizeof name);
            return fail_top(err, errsize, LK_EINVAL, "unknown top-level field \"%s\" (%s)", name, SHAPE);
        }
    }
    json_t *arr = json_object_get(root, "articles");
    if (!json_is_array(arr))
        return fail_top(err, errsize, LK_EINVAL, "%s", SHAPE);
    size_t n = json_array_size(arr);
    if (n > LK_KB_ARTICLES_MAX)
        return fail_top(err, errsize, LK_EINVAL, "too many articles (%zu, at most %d)", n, LK_KB_ARTICLES_MAX);
    if (n == 0)
        return 0;

    size_t cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    idset_t set = {lk_xcalloc(cap, sizeof *set.slots), cap - 1};
    out->articles = lk_xcalloc(n, sizeof *out->articles);
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        rc = parse_article(json_array_get(arr, i), i + 1, &out->articles[i], err, errsize);
        if (rc)
            break;
        out->n_articles++;
        size_t dup = idset_add(&set, out->articles, i);
        if (dup) {
            where_t w = {err, errsize, out->articles[i].id, i + 1};
            rc = fail(&w, LK_EINVAL, "field \"id\" is a duplicate: article #%zu has the same id", dup);
        }
    }
    free(set.slots);
    return rc;
}

/* jansson's message quotes the input near the error; keep it to one line of
 * valid UTF-8 whatever the input held. */
static void one_line(const char *in, char *out, size_t outsize)
{
    size_t o = 0, len = strlen(in);
    for (size_t i = 0; i < len && o + 1 < outsize;) {
        unsigned char c = (unsigned char)in[i];
        size_t clen = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        if (clen > len - i || !lk_utf8_valid(in + i, clen) || c < 0x20 || c == 0x7F) {
            out[o++] = '?';
            i++;
            continue;
        }
        if (o + clen >= outsize)
            break;
        memcpy(out + o, in + i, clen);
        o += clen;
        i += clen;
    }
    out[o] = '\0';
}

/* The 1-based number of the article that holds byte pos of a KB JSON text,
 * or 0 when pos is not inside an article: a syntax error is easier to find
 * when the message also says which article it is in. Counts the objects
 * opened directly inside the array that the top-level object holds. */
static size_t article_at(const char *json, size_t pos)
{
    char stack[3];
    size_t depth = 0, article = 0;
    bool in_str = false, esc = false;
    for (size_t i = 0; i < pos; i++) {
        char c = json[i];
        if (in_str) {
            if (esc)
                esc = false;
            else if (c == '\\')
                esc = true;
            else if (c == '"')
                in_str = false;
        } else if (c == '"') {
            in_str = true;
        } else if (c == '{' || c == '[') {
            if (depth == 2 && c == '{' && stack[0] == '{' && stack[1] == '[')
                article++;
            if (depth < sizeof stack)
                stack[depth] = c;
            depth++;
        } else if ((c == '}' || c == ']') && depth > 0) {
            depth--;
        }
    }
    return depth >= 3 && stack[0] == '{' && stack[1] == '[' && stack[2] == '{' ? article : 0;
}

int lk_kb_parse(const char *json, size_t len, lk_kb_t *out, char *err, size_t errsize)
{
    if (err && errsize)
        err[0] = '\0';
    if (!out)
        return fail_top(err, errsize, LK_EINVAL, "no output given");
    lk_kb_init(out);
    if (!json)
        return fail_top(err, errsize, LK_EINVAL, "no input");

    /* Duplicate keys would otherwise be resolved silently (the last wins);
     * NUL characters stay rejected (no JSON_ALLOW_NUL). Any top-level value
     * is decoded so that a wrong one gets our message, not jansson's. */
    json_error_t je;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
    if (!root) {
        char text[sizeof je.text], where[48] = "";
        one_line(je.text, text, sizeof text);
        size_t pos = je.position < 0 ? 0 : (size_t)je.position < len ? (size_t)je.position : len;
        size_t article = article_at(json, pos);
        if (article)
            snprintf(where, sizeof where, " (in article #%zu)", article);
        return fail_top(err, errsize, LK_EJSON, "invalid JSON at line %d, column %d%s: %s", je.line, je.column, where,
                        text);
    }
    int rc = parse_root(root, out, err, errsize);
    json_decref(root);
    if (rc)
        lk_kb_free(out);
    return rc;
}

/* ---- export ------------------------------------------------------------ */

/* jansson reports a failed allocation as NULL; loket aborts on those. */
static json_t *must(json_t *v)
{
    if (!v)
        lk_kb__oom();
    return v;
}

static bool text_ok(const char *s)
{
    return s && lk_utf8_valid(s, strlen(s));
}

/* jansson refuses invalid UTF-8; checking first means that a NULL from it
 * can only be a failed allocation. */
static bool exportable(const lk_article_t *a)
{
    if (!text_ok(a->id) || !text_ok(a->language) || !text_ok(a->title) || !text_ok(a->answer) ||
        (a->url && !text_ok(a->url)) || (a->n_questions && !a->questions) || (a->n_tags && !a->tags))
        return false;
    for (size_t i = 0; i < a->n_questions; i++)
        if (!text_ok(a->questions[i]))
            return false;
    for (size_t i = 0; i < a->n_tags; i++)
        if (!text_ok(a->tags[i]))
            return false;
    return true;
}

static void set_str(json_t *obj, const char *key, const char *s)
{
    if (json_object_set_new(obj, key, must(json_string(s))) != 0)
        lk_kb__oom();
}

static void set_strv(json_t *obj, const char *key, char *const *v, size_t n)
{
    json_t *arr = must(json_array());
    for (size_t i = 0; i < n; i++)
        if (json_array_append_new(arr, must(json_string(v[i]))) != 0)
            lk_kb__oom();
    if (json_object_set_new(obj, key, arr) != 0)
        lk_kb__oom();
}

char *lk_kb_to_json(const lk_kb_t *kb)
{
    json_t *arr = must(json_array());
    for (size_t i = 0; kb && i < kb->n_articles; i++) {
        const lk_article_t *a = &kb->articles[i];
        if (!exportable(a)) {
            json_decref(arr);
            return NULL;
        }
        json_t *o = must(json_object());
        set_str(o, "id", a->id);
        set_str(o, "language", a->language);
        set_str(o, "title", a->title);
        set_strv(o, "questions", a->questions, a->n_questions);
        set_str(o, "answer", a->answer);
        if (a->url)
            set_str(o, "url", a->url);
        if (a->n_tags)
            set_strv(o, "tags", a->tags, a->n_tags);
        if (json_array_append_new(arr, o) != 0)
            lk_kb__oom();
    }
    json_t *root = must(json_object());
    if (json_object_set_new(root, "articles", arr) != 0)
        lk_kb__oom();
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (!text)
        lk_kb__oom();

    /* End with a newline, as a text file should. */
    size_t len = strlen(text);
    char *out = lk_xmalloc(len + 2);
    memcpy(out, text, len);
    out[len] = '\n';
    out[len + 1] = '\0';
    free(text);
    return out;
}
