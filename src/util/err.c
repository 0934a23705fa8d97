/*
 * Error codes and their descriptions, from the one table in util.h, and the
 * allocation helpers: a long-running server cannot recover sensibly from an
 * exhausted heap, so every allocation failure aborts with a message.
 */
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *lk_strerror(int err)
{
    switch (err) {
    case LK_OK:
        return "success";
#define LK_ERRNO_CASE(name, msg)                                               \
    case LK_##name:                                                            \
        return msg;
        LK_ERRNO_MAP(LK_ERRNO_CASE)
#undef LK_ERRNO_CASE
    default:
        return "unknown error";
    }
}

const char *lk_errname(int err)
{
    switch (err) {
    case LK_OK:
        return "OK";
#define LK_ERRNO_NAME(name, msg)                                               \
    case LK_##name:                                                            \
        return #name;
        LK_ERRNO_MAP(LK_ERRNO_NAME)
#undef LK_ERRNO_NAME
    default:
        return "EUNKNOWN";
    }
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
