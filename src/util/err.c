/*
 * Error codes and their descriptions, from the one table in util.h, and the
 * allocation helpers: a long-running server cannot recover sensibly from an
 * exhausted heap, so every allocation failure aborts with a message. Then
 * the small parsers of util.h's "parsing" section.
 */
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every code with its short name and its description: one row per entry
 * of the X-macro in util.h, so that the two lookups below cannot drift. */
typedef struct {
    int code;
    const char *name;
    const char *msg;
} err_row_t;

static const err_row_t err_rows[] = {
    {LK_OK, "OK", "success"},
#define LK_ERRNO_ROW(name, msg) {LK_##name, #name, msg},
    LK_ERRNO_MAP(LK_ERRNO_ROW)
#undef LK_ERRNO_ROW
};

static const err_row_t *err_row(int err)
{
    for (size_t i = 0; i < sizeof err_rows / sizeof err_rows[0]; i++)
        if (err_rows[i].code == err)
            return &err_rows[i];
    return NULL;
}

const char *lk_strerror(int err)
{
    const err_row_t *r = err_row(err);
    return r ? r->msg : "unknown error";
}

const char *lk_errname(int err)
{
    const err_row_t *r = err_row(err);
    return r ? r->name : "EUNKNOWN";
}

static void oom(size_t n)
{
    fprintf(stderr, "{\"level\":\"error\",\"module\":\"util\",\"msg\":\"out of memory allocating %zu bytes\"}\n", n);
    abort();
}

void *lk_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

void *lk_xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        oom(count * size);
    return p;
}

void *lk_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom(n);
    return q;
}

char *lk_xstrdup(const char *s)
{
    return lk_xstrndup(s, strlen(s));
}

char *lk_xstrndup(const char *s, size_t n)
{
    char *p = lk_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void lk_strv_free(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

lk_str_t lk_str(const char *s)
{
    return s ? (lk_str_t){s, strlen(s)} : (lk_str_t){"", 0};
}

bool lk_str_eq(lk_str_t a, lk_str_t b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.base, b.base, a.len) == 0);
}

bool lk_str_eq_cstr(lk_str_t a, const char *b)
{
    return lk_str_eq(a, lk_str(b));
}

int lk_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
    if (!s || !*s)
        return LK_EINVAL;
    const char *p = s;
    bool neg = false;
    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    if (!*p)
        return LK_EINVAL;
    uint64_t v = 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9')
            return LK_EINVAL;
        if (v > (UINT64_MAX - 9) / 10)
            return LK_EINVAL;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    if (v > (uint64_t)INT64_MAX + (neg ? 1u : 0u))
        return LK_EINVAL;
    int64_t r = neg ? (int64_t)(0 - v) : (int64_t)v;
    if (r < min || r > max)
        return LK_EINVAL;
    *out = r;
    return 0;
}

size_t lk_list_next(const char **p, const char **item)
{
    const char *s = *p;
    while (*s == ' ' || *s == ',')
        s++;
    size_t n = strcspn(s, " ,");
    *item = s;
    *p = s + n;
    return n;
}

int lk_parse_digits(const char *s, size_t n, int *out)
{
    if (!s || n == 0 || n > 9)
        return LK_EINVAL;
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return LK_EINVAL;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int lk_parse_host_port(const char *s, char *host, size_t hostsize, int *port)
{
    const char *colon = s ? strrchr(s, ':') : NULL;
    if (!colon || colon == s || (size_t)(colon - s) >= hostsize)
        return LK_EINVAL;
    int64_t p;
    if (lk_parse_i64(colon + 1, 0, 65535, &p) != 0)
        return LK_EINVAL;
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = '\0';
    *port = (int)p;
    return 0;
}

bool lk_slug_valid(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-'))
            return false;
    return true;
}
