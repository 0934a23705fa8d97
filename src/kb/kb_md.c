/*
 * One article as a Markdown file with front matter: the form in which a
 * knowledge base fits a folder under version control, one file per article,
 * the answer written as Markdown in the body where it reads naturally in any
 * editor or code review.
 *
 * The front matter is the small, predictable subset of YAML that such files
 * use: "key: value" lines, block lists ("  - item") for the questions, flow
 * lists ("[a, b]") for tags, values plain, 'single-quoted' or
 * "double-quoted". Export writes every string as a JSON string in double
 * quotes (a subset of YAML's double-quoted style), so nothing a title or a
 * question holds (a colon, a quote, a leading dash) can change its meaning,
 * and the parser reads exactly that back.
 */
#include "kb/kb.h"

#include "util/util.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- writing --------------------------------------------------------------- */

/* s as a JSON string (UTF-8 kept, escapes for quotes and controls). */
static void put_quoted(lk_buf_t *b, const char *s)
{
    json_t *j = json_string(s);
    char *q = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
    json_decref(j);
    if (!q) {
        /* only invalid UTF-8 (which validation rules out) or no memory */
        lk_buf_append_cstr(b, "\"\"");
        return;
    }
    lk_buf_append_cstr(b, q);
    free(q);
}

static void put_key_str(lk_buf_t *b, const char *key, const char *s)
{
    lk_buf_printf(b, "%s: ", key);
    put_quoted(b, s);
    lk_buf_append(b, "\n", 1);
}

char *lk_kb_article_to_md(const lk_article_t *a)
{
    if (!a || !a->id || !a->language || !a->title || !a->answer || (a->n_questions && !a->questions) ||
        (a->n_tags && !a->tags))
        return NULL;
    lk_buf_t b;
    lk_buf_init(&b, SIZE_MAX / 2);
    lk_buf_append_cstr(&b, "---\n");
    put_key_str(&b, "id", a->id);
    put_key_str(&b, "language", a->language);
    put_key_str(&b, "title", a->title);
    if (a->url)
        put_key_str(&b, "url", a->url);
    if (a->n_tags) {
        lk_buf_append_cstr(&b, "tags: [");
        for (size_t i = 0; i < a->n_tags; i++) {
            if (i)
                lk_buf_append_cstr(&b, ", ");
            put_quoted(&b, a->tags[i]);
        }
        lk_buf_append_cstr(&b, "]\n");
    }
    if (a->owner)
        put_key_str(&b, "owner", a->owner);
    if (a->review_by) {
        char ts[LK_RFC3339_LEN];
        lk_time_rfc3339(a->review_by, ts);
        if (a->review_by % 86400000 == 0)
            ts[10] = '\0'; /* a date alone reads better */
        lk_buf_printf(&b, "review_by: %s\n", ts);
    }
    if (a->translation_group)
        put_key_str(&b, "translation_group", a->translation_group);
    lk_buf_append_cstr(&b, "questions:\n");
    for (size_t i = 0; i < a->n_questions; i++) {
        lk_buf_append_cstr(&b, "  - ");
        put_quoted(&b, a->questions[i]);
        lk_buf_append(&b, "\n", 1);
    }
    lk_buf_append_cstr(&b, "---\n");
    lk_buf_append_cstr(&b, a->answer);
    lk_buf_append(&b, "\n", 1);
    char *out = lk_buf_steal(&b, NULL);
    lk_buf_free(&b);
    return out;
}

/* ---- reading --------------------------------------------------------------- */

typedef struct {
    char *err;
    size_t errsize;
    const char *name;
} ctx_t;

__attribute__((format(printf, 3, 4))) static int fail(const ctx_t *c, size_t line, const char *fmt, ...)
{
    if (!c->err || !c->errsize)
        return LK_EINVAL;
    int n = line ? snprintf(c->err, c->errsize, "%s, line %zu: ", c->name, line)
                 : snprintf(c->err, c->errsize, "%s: ", c->name);
    if (n < 0 || (size_t)n >= c->errsize) {
        lk_utf8_one_line(c->err);
        return LK_EINVAL;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err + n, c->errsize - (size_t)n, fmt, ap);
    va_end(ap);
    lk_utf8_one_line(c->err); /* it may quote a key or the file name (found by fuzz/fuzz_kb_md.c) */
    return LK_EINVAL;
}

static bool is_space(char ch)
{
    return ch == ' ' || ch == '\t';
}

/* s[0..n) without leading and trailing blanks. */
static void trim(const char **s, size_t *n)
{
    while (*n && is_space(**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && is_space((*s)[*n - 1]))
        (*n)--;
}

/* Reads one scalar at s[0..n): "double" (JSON escapes), 'single' ('' is a
 * quote) or plain (as written, trimmed). *used is how many bytes it took
 * (for flow lists, where a plain value ends at ',' or ']'). NULL with err. */
static char *scalar(const ctx_t *c, size_t line, const char *s, size_t n, bool in_list, size_t *used, int *rc)
{
    size_t i = 0;
    while (i < n && is_space(s[i]))
        i++;
    if (i < n && s[i] == '"') {
        size_t j = i + 1;
        while (j < n && s[j] != '"') {
            if (s[j] == '\\')
                j++;
            j++;
        }
        if (j >= n) {
            *rc = fail(c, line, "a double-quoted value is not closed");
            return NULL;
        }
        json_error_t je;
        json_t *v = json_loadb(s + i, j + 1 - i, JSON_DECODE_ANY, &je);
        if (!json_is_string(v)) {
            json_decref(v);
            *rc = fail(c, line, "a double-quoted value has a bad escape (it is read as a JSON string)");
            return NULL;
        }
        char *out = lk_xstrdup(json_string_value(v));
        json_decref(v);
        *used = j + 1;
        return out;
    }
    if (i < n && s[i] == '\'') {
        lk_buf_t b;
        lk_buf_init(&b, n + 1);
        size_t j = i + 1;
        for (;;) {
            if (j >= n) {
                lk_buf_free(&b);
                *rc = fail(c, line, "a single-quoted value is not closed");
                return NULL;
            }
            if (s[j] == '\'') {
                if (j + 1 < n && s[j + 1] == '\'') {
                    lk_buf_append(&b, "'", 1);
                    j += 2;
                    continue;
                }
                break;
            }
            lk_buf_append(&b, s + j, 1);
            j++;
        }
        *used = j + 1;
        char *out = b.data ? lk_buf_steal(&b, NULL) : lk_xstrdup("");
        lk_buf_free(&b);
        return out;
    }
    size_t j = i;
    while (j < n && !(in_list && (s[j] == ',' || s[j] == ']')))
        j++;
    const char *v = s + i;
    size_t vn = j - i;
    trim(&v, &vn);
    *used = j;
    return lk_xstrndup(v, vn);
}

/* True when only blanks (or a "# comment") follow at s[0..n). */
static bool rest_empty(const char *s, size_t n)
{
    const char *p = s;
    size_t k = n;
    trim(&p, &k);
    return k == 0 || p[0] == '#';
}

/* A whole-line value: a scalar with nothing after it. */
static char *line_value(const ctx_t *c, size_t line, const char *s, size_t n, int *rc)
{
    size_t used = 0;
    char *v = scalar(c, line, s, n, false, &used, rc);
    if (v && !rest_empty(s + used, n - used)) {
        free(v);
        *rc = fail(c, line, "unexpected text after a quoted value");
        return NULL;
    }
    return v;
}

/* A flow list "[a, "b", 'c']" into *v / *nv (appended). */
static int flow_list(const ctx_t *c, size_t line, const char *s, size_t n, char ***v, size_t *nv)
{
    size_t i = 0;
    while (i < n && is_space(s[i]))
        i++;
    if (i >= n || s[i] != '[')
        return fail(c, line, "expected a list like [a, b]");
    i++;
    for (;;) {
        while (i < n && is_space(s[i]))
            i++;
        if (i < n && s[i] == ']' && *nv == 0) {
            i++;
            break;
        }
        int rc = 0;
        size_t used = 0;
        char *item = scalar(c, line, s + i, n - i, true, &used, &rc);
        if (!item)
            return rc;
        *v = lk_xrealloc(*v, (*nv + 1) * sizeof **v);
        (*v)[(*nv)++] = item;
        i += used;
        while (i < n && is_space(s[i]))
            i++;
        if (i < n && s[i] == ',') {
            i++;
            continue;
        }
        if (i < n && s[i] == ']') {
            i++;
            break;
        }
        return fail(c, line, "a list is not closed with ']'");
    }
    if (!rest_empty(s + i, n - i))
        return fail(c, line, "unexpected text after a list");
    return 0;
}

static const char *const KEYS[] = {"id",        "language",          "title",    "url", "tags", "owner",
                                   "review_by", "translation_group", "questions"};
#define N_KEYS (sizeof KEYS / sizeof KEYS[0])

/* Sets one string field; a key given twice is an error. */
static int set_once(const ctx_t *c, size_t line, const char *key, char **field, char *v)
{
    if (*field) {
        free(v);
        return fail(c, line, "\"%s\" is given twice", key);
    }
    *field = v;
    return 0;
}

static int front_matter_line(const ctx_t *c, size_t line, const char *s, size_t n, lk_article_t *a,
                             const char **list_key, bool *seen_tags, bool *seen_questions)
{
    const char *p = s;
    size_t k = n;
    /* an item of the block list opened by "questions:" or "tags:" */
    if (k && is_space(p[0])) {
        trim(&p, &k);
        if (k == 0 || p[0] == '#')
            return 0;
        if (!*list_key || p[0] != '-' || (k > 1 && !is_space(p[1])))
            return fail(c, line, "unexpected indented line (list items look like \"  - text\")");
        int rc = 0;
        char *v = line_value(c, line, p + 1, k - 1, &rc);
        if (!v)
            return rc;
        if (strcmp(*list_key, "questions") == 0) {
            a->questions = lk_xrealloc(a->questions, (a->n_questions + 1) * sizeof *a->questions);
            a->questions[a->n_questions++] = v;
        } else {
            a->tags = lk_xrealloc(a->tags, (a->n_tags + 1) * sizeof *a->tags);
            a->tags[a->n_tags++] = v;
        }
        return 0;
    }
    trim(&p, &k);
    if (k == 0 || p[0] == '#')
        return 0; /* blank lines and comments keep a block list open */
    *list_key = NULL;
    size_t colon = 0;
    while (colon < k && p[colon] != ':')
        colon++;
    if (colon == k)
        return fail(c, line, "expected \"key: value\"");
    char key[32];
    const char *kp = p;
    size_t kn = colon;
    trim(&kp, &kn);
    if (kn == 0 || kn >= sizeof key)
        return fail(c, line, "expected \"key: value\"");
    memcpy(key, kp, kn);
    key[kn] = '\0';
    size_t which = 0;
    while (which < N_KEYS && strcmp(key, KEYS[which]) != 0)
        which++;
    if (which == N_KEYS) {
        for (char *q = key; *q; q++)
            if ((unsigned char)*q < 0x20 || *q == '"')
                *q = '?';
        return fail(c, line,
                    "unknown key \"%s\" (the keys are id, language, title, url, tags, owner, review_by, "
                    "translation_group, questions)",
                    key);
    }
    const char *v = p + colon + 1;
    size_t vn = k - colon - 1;
    int rc = 0;
    if (strcmp(key, "questions") == 0 || strcmp(key, "tags") == 0) {
        bool *seen = key[0] == 'q' ? seen_questions : seen_tags;
        if (*seen)
            return fail(c, line, "\"%s\" is given twice", key);
        *seen = true;
        if (rest_empty(v, vn)) {
            *list_key = KEYS[which];
            return 0;
        }
        if (key[0] == 'q')
            return flow_list(c, line, v, vn, &a->questions, &a->n_questions);
        return flow_list(c, line, v, vn, &a->tags, &a->n_tags);
    }
    char *val = line_value(c, line, v, vn, &rc);
    if (!val)
        return rc;
    if (strcmp(key, "id") == 0)
        return set_once(c, line, key, &a->id, val);
    if (strcmp(key, "language") == 0)
        return set_once(c, line, key, &a->language, val);
    if (strcmp(key, "title") == 0)
        return set_once(c, line, key, &a->title, val);
    if (strcmp(key, "url") == 0) {
        if (!val[0]) {
            free(val);
            return 0;
        }
        return set_once(c, line, key, &a->url, val);
    }
    if (strcmp(key, "owner") == 0) {
        if (!val[0]) {
            free(val);
            return 0;
        }
        if (!lk_kb_token_valid(val, 39)) {
            free(val);
            return fail(c, line, "\"owner\" must be a user id (1 to 39 of A-Z, a-z, 0-9, '.', '_' and '-')");
        }
        return set_once(c, line, key, &a->owner, val);
    }
    if (strcmp(key, "translation_group") == 0) {
        if (!val[0]) {
            free(val);
            return 0;
        }
        if (!lk_kb_token_valid(val, LK_KB_ID_MAX)) {
            free(val);
            return fail(c, line, "\"translation_group\" must be an article id (A-Z, a-z, 0-9, '.', '_' and '-')");
        }
        return set_once(c, line, key, &a->translation_group, val);
    }
    /* review_by */
    if (a->review_by) {
        free(val);
        return fail(c, line, "\"review_by\" is given twice");
    }
    if (val[0] && lk_time_parse_rfc3339(val, &a->review_by) != 0) {
        free(val);
        return fail(c, line, "\"review_by\" must be a date (2026-06-30) or an RFC 3339 time");
    }
    free(val);
    return 0;
}

/* The next line at *pos (without its CR LF or LF); false at the end. */
static bool next_line(const char *text, size_t len, size_t *pos, const char **s, size_t *n)
{
    if (*pos >= len)
        return false;
    const char *start = text + *pos;
    const char *nl = memchr(start, '\n', len - *pos);
    size_t k = nl ? (size_t)(nl - start) : len - *pos;
    *pos += nl ? k + 1 : k;
    if (k && start[k - 1] == '\r')
        k--;
    *s = start;
    *n = k;
    return true;
}

static bool is_fence(const char *s, size_t n)
{
    trim(&s, &n);
    return n == 3 && memcmp(s, "---", 3) == 0;
}

int lk_kb_parse_md(const char *text, size_t len, const char *name, lk_article_t *out, char *err, size_t errsize)
{
    ctx_t c = {err, errsize, name ? name : "article"};
    if (err && errsize)
        err[0] = '\0';
    if (!out)
        return LK_EINVAL;
    memset(out, 0, sizeof *out);
    if (!text)
        return fail(&c, 0, "no input");
    if (!lk_utf8_valid(text, len))
        return fail(&c, 0, "the file is not valid UTF-8 (or holds a NUL byte)");
    size_t pos = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    const char *s;
    size_t n, line = 1;
    if (!next_line(text, len, &pos, &s, &n) || !is_fence(s, n))
        return fail(&c, 1,
                    "the file must start with a front matter block: a line \"---\", the fields, and "
                    "\"---\" again");
    /* a file saved with CR LF line ends ends its body with one too */
    bool crlf = pos >= 2 && text[pos - 1] == '\n' && text[pos - 2] == '\r';
    lk_article_t a;
    memset(&a, 0, sizeof a);
    const char *list_key = NULL;
    bool seen_tags = false, seen_questions = false, closed = false;
    int rc = 0;
    while (rc == 0 && next_line(text, len, &pos, &s, &n)) {
        line++;
        if (is_fence(s, n)) {
            closed = true;
            break;
        }
        rc = front_matter_line(&c, line, s, n, &a, &list_key, &seen_tags, &seen_questions);
    }
    if (rc == 0 && !closed)
        rc = fail(&c, 0, "the front matter block is not closed with a line \"---\"");
    if (rc == 0) {
        /* the body is the answer, without the newline that ends the file */
        size_t blen = len - pos;
        if (blen && text[pos + blen - 1] == '\n') {
            blen--;
            if (crlf && blen && text[pos + blen - 1] == '\r')
                blen--;
        }
        a.answer = lk_xstrndup(text + pos, blen);
        char msg[400];
        if (lk_article_validate(&a, msg, sizeof msg) != 0)
            rc = fail(&c, 0, "%s", msg);
    }
    if (rc) {
        lk_article_free(&a);
        return rc;
    }
    *out = a;
    return 0;
}
