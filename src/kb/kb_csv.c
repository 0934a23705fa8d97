/*
 * The knowledge base as CSV (RFC 4180): one row per example question, so a
 * spreadsheet shows every question on its own line and a knowledge manager
 * can sort, filter and add questions there. An article's other fields repeat
 * on each of its rows; on import the rows of one id become one article, and
 * their repeated fields must agree (a typo in one row would otherwise change
 * the article silently).
 *
 * Tags go in one field, joined with "|"; when a tag holds a "|" itself (or
 * the first one starts with '[') the field is written as a JSON array
 * instead, which the parser recognises by its leading '[', so every
 * knowledge base round-trips.
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

enum { COL_ID, COL_LANGUAGE, COL_TITLE, COL_QUESTION, COL_ANSWER, COL_URL, COL_TAGS, N_COLS };
static const char *const COLS[N_COLS] = {"id", "language", "title", "question", "answer", "url", "tags"};

/* ---- writing --------------------------------------------------------------- */

static void put_field(lk_buf_t *b, const char *s)
{
    if (!s)
        s = "";
    bool quote = strpbrk(s, ",\"\r\n") != NULL;
    if (!quote) {
        lk_buf_append_cstr(b, s);
        return;
    }
    lk_buf_append(b, "\"", 1);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            lk_buf_append(b, "\"\"", 2);
        else
            lk_buf_append(b, p, 1);
    }
    lk_buf_append(b, "\"", 1);
}

/* The tags field: "a|b", or a JSON array when a tag holds '|'. */
static char *tags_field(const lk_article_t *a)
{
    /* a first tag starting with '[' would read as a JSON array */
    bool json = a->n_tags > 0 && a->tags[0][0] == '[';
    for (size_t i = 0; i < a->n_tags; i++)
        json = json || strchr(a->tags[i], '|');
    if (json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < a->n_tags; i++)
            json_array_append_new(arr, json_string(a->tags[i]));
        char *s = json_dumps(arr, JSON_COMPACT);
        json_decref(arr);
        if (!s)
            lk_kb__oom();
        return s;
    }
    lk_buf_t b;
    lk_buf_init(&b, SIZE_MAX / 2);
    for (size_t i = 0; i < a->n_tags; i++) {
        if (i)
            lk_buf_append(&b, "|", 1);
        lk_buf_append_cstr(&b, a->tags[i]);
    }
    char *s = b.data ? lk_buf_steal(&b, NULL) : lk_xstrdup("");
    lk_buf_free(&b);
    return s;
}

static bool article_ok(const lk_article_t *a)
{
    if (!a->id || !a->language || !a->title || !a->answer || (a->n_questions && !a->questions) ||
        (a->n_tags && !a->tags) || a->n_questions == 0)
        return false;
    for (size_t i = 0; i < a->n_questions; i++)
        if (!a->questions[i])
            return false;
    for (size_t i = 0; i < a->n_tags; i++)
        if (!a->tags[i] || !lk_utf8_valid(a->tags[i], strlen(a->tags[i])))
            return false;
    return true;
}

char *lk_kb_to_csv(const lk_kb_t *kb)
{
    lk_buf_t b;
    lk_buf_init(&b, SIZE_MAX / 2);
    for (size_t c = 0; c < N_COLS; c++) {
        if (c)
            lk_buf_append(&b, ",", 1);
        lk_buf_append_cstr(&b, COLS[c]);
    }
    lk_buf_append(&b, "\r\n", 2);
    for (size_t i = 0; kb && i < kb->n_articles; i++) {
        const lk_article_t *a = &kb->articles[i];
        if (!article_ok(a)) {
            lk_buf_free(&b);
            return NULL;
        }
        char *tags = tags_field(a);
        for (size_t q = 0; q < a->n_questions; q++) {
            const char *f[N_COLS] = {a->id, a->language, a->title, a->questions[q], a->answer, a->url, tags};
            for (size_t c = 0; c < N_COLS; c++) {
                if (c)
                    lk_buf_append(&b, ",", 1);
                put_field(&b, f[c]);
            }
            lk_buf_append(&b, "\r\n", 2);
        }
        free(tags);
    }
    char *out = lk_buf_steal(&b, NULL);
    lk_buf_free(&b);
    return out;
}

/* ---- reading --------------------------------------------------------------- */

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t errsize, const char *fmt, ...)
{
    if (err && errsize) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errsize, fmt, ap);
        va_end(ap);
        lk_utf8_one_line(err); /* it may quote a column name (found by fuzz/fuzz_kb_csv.c) */
    }
    return LK_EINVAL;
}

/* One record: its fields as heap strings. */
typedef struct {
    char **f;
    size_t n;
} record_t;

static void record_free(record_t *r)
{
    lk_strv_free(r->f, r->n);
    r->f = NULL;
    r->n = 0;
}

/* Reads the record at *pos: 1 with r filled, 0 at the end of the input,
 * LK_EINVAL for a broken quote (err names the row). */
static int next_record(const char *s, size_t len, size_t *pos, size_t row, record_t *r, char *err, size_t errsize)
{
    size_t p = *pos;
    if (p >= len)
        return 0;
    lk_buf_t field;
    lk_buf_init(&field, len + 1);
    for (;;) {
        lk_buf_reset(&field);
        if (p < len && s[p] == '"') {
            p++;
            for (;;) {
                if (p >= len) {
                    lk_buf_free(&field);
                    record_free(r);
                    return fail(err, errsize, "row %zu: a quoted field is not closed", row);
                }
                if (s[p] == '"') {
                    if (p + 1 < len && s[p + 1] == '"') {
                        lk_buf_append(&field, "\"", 1);
                        p += 2;
                        continue;
                    }
                    p++;
                    break;
                }
                lk_buf_append(&field, s + p, 1);
                p++;
            }
            if (p < len && s[p] != ',' && s[p] != '\n' && s[p] != '\r') {
                lk_buf_free(&field);
                record_free(r);
                return fail(err, errsize, "row %zu, column %zu: text after the closing quote of a field", row,
                            r->n + 1);
            }
        } else {
            size_t start = p;
            while (p < len && s[p] != ',' && s[p] != '\n' && s[p] != '\r') {
                if (s[p] == '"') {
                    lk_buf_free(&field);
                    record_free(r);
                    return fail(err, errsize,
                                "row %zu, column %zu: a quote inside a field that does not start with one", row,
                                r->n + 1);
                }
                p++;
            }
            lk_buf_append(&field, s + start, p - start);
        }
        r->f = lk_xrealloc(r->f, (r->n + 1) * sizeof *r->f);
        r->f[r->n++] = field.data ? lk_xstrndup(field.data, field.len) : lk_xstrdup("");
        if (p < len && s[p] == ',') {
            p++;
            continue;
        }
        if (p < len && s[p] == '\r')
            p++;
        if (p < len && s[p] == '\n')
            p++;
        break;
    }
    lk_buf_free(&field);
    *pos = p;
    return 1;
}

static bool blank_record(const record_t *r)
{
    return r->n == 1 && r->f[0][0] == '\0';
}

/* Splits the tags field into a->tags. */
static int parse_tags(const char *s, lk_article_t *a, size_t row, char *err, size_t errsize)
{
    if (!s[0])
        return 0;
    if (s[0] == '[') {
        json_t *arr = json_loads(s, JSON_REJECT_DUPLICATES, NULL);
        if (!json_is_array(arr)) {
            json_decref(arr);
            return fail(err, errsize, "row %zu: field \"tags\" starts with '[' but is not a JSON array of strings",
                        row);
        }
        size_t n = json_array_size(arr);
        a->tags = n ? lk_xcalloc(n, sizeof *a->tags) : NULL;
        for (size_t i = 0; i < n; i++) {
            json_t *v = json_array_get(arr, i);
            if (!json_is_string(v)) {
                json_decref(arr);
                return fail(err, errsize, "row %zu: field \"tags\" item #%zu must be a string", row, i + 1);
            }
            a->tags[a->n_tags++] = lk_xstrdup(json_string_value(v));
        }
        json_decref(arr);
        return 0;
    }
    size_t n = 1;
    for (const char *p = s; *p; p++)
        n += *p == '|';
    a->tags = lk_xcalloc(n, sizeof *a->tags);
    const char *p = s;
    for (;;) {
        size_t k = strcspn(p, "|");
        a->tags[a->n_tags++] = lk_xstrndup(p, k);
        if (!p[k])
            break;
        p += k + 1;
    }
    return 0;
}

/* An id -> article index table for grouping rows. */
typedef struct {
    size_t *slots; /* index + 1; 0 empty */
    size_t mask;
} idmap_t;

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

static void idmap_grow(idmap_t *m, const lk_kb_t *kb)
{
    size_t cap = (m->mask + 1) * 2;
    free(m->slots);
    m->slots = lk_xcalloc(cap, sizeof *m->slots);
    m->mask = cap - 1;
    for (size_t i = 0; i < kb->n_articles; i++) {
        size_t k = (size_t)hash_str(kb->articles[i].id) & m->mask;
        while (m->slots[k])
            k = (k + 1) & m->mask;
        m->slots[k] = i + 1;
    }
}

/* The index of id in kb, or -1 (then *slot is where it goes). */
static long idmap_find(const idmap_t *m, const lk_kb_t *kb, const char *id, size_t *slot)
{
    size_t k = (size_t)hash_str(id) & m->mask;
    while (m->slots[k]) {
        if (strcmp(kb->articles[m->slots[k] - 1].id, id) == 0)
            return (long)(m->slots[k] - 1);
        k = (k + 1) & m->mask;
    }
    *slot = k;
    return -1;
}

static bool same_opt(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* The fields of a later row of an article must repeat the first row's. */
static int check_agrees(const lk_article_t *a, char *const *f, const int *col, size_t row, size_t first_row, char *err,
                        size_t errsize)
{
    const char *names[] = {"language", "title", "answer", "url"};
    const char *have[] = {a->language, a->title, a->answer, a->url};
    int cols[] = {col[COL_LANGUAGE], col[COL_TITLE], col[COL_ANSWER], col[COL_URL]};
    for (size_t i = 0; i < 4; i++) {
        const char *v = cols[i] >= 0 ? f[cols[i]] : NULL;
        if (i == 3 && v && !v[0])
            v = NULL;
        if (!same_opt(have[i], v))
            return fail(err, errsize,
                        "row %zu: article \"%s\": field \"%s\" differs from the article's first row (row %zu)", row,
                        a->id, names[i], first_row);
    }
    return 0;
}

static int parse_header(const record_t *h, int *col, char *err, size_t errsize)
{
    for (size_t c = 0; c < N_COLS; c++)
        col[c] = -1;
    for (size_t i = 0; i < h->n; i++) {
        const char *name = h->f[i];
        size_t c = 0;
        while (c < N_COLS && strcmp(name, COLS[c]) != 0)
            c++;
        if (c == N_COLS) {
            char shown[48];
            size_t k = 0;
            for (const char *p = name; *p && k + 1 < sizeof shown; p++)
                shown[k++] = ((unsigned char)*p < 0x20 || *p == '"') ? '?' : *p;
            shown[k] = '\0';
            return fail(err, errsize,
                        "row 1: unknown column \"%s\" (the columns are id, language, title, question, answer, url, "
                        "tags)",
                        shown);
        }
        if (col[c] >= 0)
            return fail(err, errsize, "row 1: column \"%s\" appears twice", COLS[c]);
        col[c] = (int)i;
    }
    for (size_t c = 0; c <= COL_ANSWER; c++)
        if (col[c] < 0)
            return fail(err, errsize,
                        "row 1: the header has no column \"%s\" (the header row names the columns: "
                        "id,language,title,question,answer,url,tags)",
                        COLS[c]);
    return 0;
}

int lk_kb_parse_csv(const char *csv, size_t len, lk_kb_t *out, char *err, size_t errsize)
{
    if (err && errsize)
        err[0] = '\0';
    if (!out)
        return LK_EINVAL;
    lk_kb_init(out);
    if (!csv)
        return fail(err, errsize, "no input");
    if (!lk_utf8_valid(csv, len))
        return fail(err, errsize, "the file is not valid UTF-8 (or holds a NUL byte)");
    size_t pos = len >= 3 && memcmp(csv, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;

    record_t r = {NULL, 0};
    size_t row = 1;
    int rc = next_record(csv, len, &pos, row, &r, err, errsize);
    if (rc <= 0)
        return rc < 0 ? rc : fail(err, errsize, "the file is empty: it needs a header row");
    int col[N_COLS];
    rc = parse_header(&r, col, err, errsize);
    size_t n_cols = r.n;
    record_free(&r);
    if (rc)
        return rc;

    idmap_t map = {lk_xcalloc(64, sizeof *map.slots), 63};
    size_t *first_row = NULL, cap = 0;
    while (rc == 0) {
        row++;
        int got = next_record(csv, len, &pos, row, &r, err, errsize);
        if (got < 0) {
            rc = got;
            break;
        }
        if (got == 0)
            break;
        if (blank_record(&r)) {
            record_free(&r);
            continue;
        }
        if (r.n != n_cols) {
            rc = fail(err, errsize, "row %zu has %zu fields, the header has %zu", row, r.n, n_cols);
            record_free(&r);
            break;
        }
        const char *id = r.f[col[COL_ID]];
        size_t slot = 0;
        long k = idmap_find(&map, out, id, &slot);
        if (k < 0) {
            if (out->n_articles >= LK_KB_ARTICLES_MAX) {
                rc = fail(err, errsize, "too many articles (more than %d)", LK_KB_ARTICLES_MAX);
                record_free(&r);
                break;
            }
            if (out->n_articles == cap) {
                cap = cap ? cap * 2 : 16;
                out->articles = lk_xrealloc(out->articles, cap * sizeof *out->articles);
                first_row = lk_xrealloc(first_row, cap * sizeof *first_row);
            }
            lk_article_t *a = &out->articles[out->n_articles];
            memset(a, 0, sizeof *a);
            first_row[out->n_articles] = row;
            out->n_articles++;
            a->id = lk_xstrdup(id);
            a->language = lk_xstrdup(r.f[col[COL_LANGUAGE]]);
            a->title = lk_xstrdup(r.f[col[COL_TITLE]]);
            a->answer = lk_xstrdup(r.f[col[COL_ANSWER]]);
            if (col[COL_URL] >= 0 && r.f[col[COL_URL]][0])
                a->url = lk_xstrdup(r.f[col[COL_URL]]);
            if (col[COL_TAGS] >= 0)
                rc = parse_tags(r.f[col[COL_TAGS]], a, row, err, errsize);
            map.slots[slot] = out->n_articles;
            if (out->n_articles * 2 > map.mask)
                idmap_grow(&map, out);
            k = (long)out->n_articles - 1;
        } else {
            lk_article_t *a = &out->articles[k];
            rc = check_agrees(a, r.f, col, row, first_row[k], err, errsize);
            if (rc == 0 && col[COL_TAGS] >= 0) {
                lk_article_t t;
                memset(&t, 0, sizeof t);
                rc = parse_tags(r.f[col[COL_TAGS]], &t, row, err, errsize);
                bool same = rc == 0 && t.n_tags == a->n_tags;
                for (size_t i = 0; same && i < t.n_tags; i++)
                    same = strcmp(t.tags[i], a->tags[i]) == 0;
                lk_article_free(&t);
                if (rc == 0 && !same)
                    rc = fail(err, errsize,
                              "row %zu: article \"%s\": field \"tags\" differs from the article's first row (row %zu)",
                              row, a->id, first_row[k]);
            }
        }
        if (rc == 0) {
            lk_article_t *a = &out->articles[k];
            if (a->n_questions >= LK_KB_QUESTIONS_MAX)
                rc = fail(err, errsize, "row %zu: article \"%s\": field \"questions\" has too many items (at most %d)",
                          row, a->id, LK_KB_QUESTIONS_MAX);
            else {
                a->questions = lk_xrealloc(a->questions, (a->n_questions + 1) * sizeof *a->questions);
                a->questions[a->n_questions++] = lk_xstrdup(r.f[col[COL_QUESTION]]);
            }
        }
        record_free(&r);
    }
    for (size_t i = 0; rc == 0 && i < out->n_articles; i++) {
        char msg[400];
        if (lk_article_validate(&out->articles[i], msg, sizeof msg) != 0)
            rc = fail(err, errsize, "row %zu: %s", first_row[i], msg);
    }
    free(map.slots);
    free(first_row);
    if (rc)
        lk_kb_free(out);
    return rc;
}
