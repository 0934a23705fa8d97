/*
 * test_rows.h: a growing list of texts, each with a label, for unit tests
 * that read many texts from files: the CLINC150 rows with their intent
 * (test_nlu.c), the product's Dutch texts with where each came from
 * (test_texts.c). The list owns copies of what is added.
 */
#ifndef LK_TEST_ROWS_H
#define LK_TEST_ROWS_H

#include "util/util.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    char *text;
    char *label;
} test_row_t;

typedef struct {
    test_row_t *v;
    size_t n, cap;
} test_rows_t;

/* Adds a copy of the len bytes at text and of label. */
static inline void test_rows_add(test_rows_t *r, const char *text, size_t len, const char *label)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 256;
        r->v = lk_xrealloc(r->v, r->cap * sizeof *r->v);
    }
    r->v[r->n].text = lk_xstrndup(text, len);
    r->v[r->n].label = lk_xstrdup(label);
    r->n++;
}

/* Frees every row and leaves an empty list. */
static inline void test_rows_free(test_rows_t *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->v[i].text);
        free(r->v[i].label);
    }
    free(r->v);
    memset(r, 0, sizeof *r);
}

#endif
