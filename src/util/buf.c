/*
 * Byte buffers that must be given a maximum size (after curl's dynbuf): no
 * client can make loket grow one without limit, and a caller that appends too
 * much gets LK_ETOOBIG instead of a silent truncation.
 */
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lk_buf_init(lk_buf_t *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void lk_buf_free(lk_buf_t *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void lk_buf_reset(lk_buf_t *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

static int reserve(lk_buf_t *b, size_t extra)
{
    if (extra > b->max || b->len > b->max - extra)
        return LK_ETOOBIG;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    if (cap - 1 > b->max) /* (b->max + 1 would wrap for SIZE_MAX, "no limit") */
        cap = b->max + 1;
    b->data = lk_xrealloc(b->data, cap);
    b->cap = cap;
    return 0;
}

int lk_buf_append(lk_buf_t *b, const void *p, size_t n)
{
    int rc = reserve(b, n);
    if (rc)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int lk_buf_append_cstr(lk_buf_t *b, const char *s)
{
    return lk_buf_append(b, s, strlen(s));
}

int lk_buf_printf(lk_buf_t *b, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        va_end(ap2);
        return LK_EINVAL;
    }
    int rc = reserve(b, (size_t)n);
    if (rc) {
        va_end(ap2);
        return rc;
    }
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    b->len += (size_t)n;
    return 0;
}

char *lk_buf_steal(lk_buf_t *b, size_t *len)
{
    char *p = b->data ? b->data : lk_xstrdup("");
    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    return p;
}
