/*
 * Knowledge bases in memory: life cycle and lookup. Parsing, validation and
 * the JSON format live in kb_json.c; the built-in demo in kb_demo.c.
 */
#include "kb/kb.h"
#include "kb/kb_int.h"

#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lk_kb_init(lk_kb_t *kb)
{
    kb->articles = NULL;
    kb->n_articles = 0;
}

static char **copy_strv(char *const *v, size_t n)
{
    if (n == 0)
        return NULL;
    char **out = lk_xcalloc(n, sizeof *out);
    for (size_t i = 0; i < n; i++)
        out[i] = lk_xstrdup(v[i]);
    return out;
}

void lk_article_free(lk_article_t *a)
{
    if (!a)
        return;
    free(a->id);
    free(a->language);
    free(a->title);
    lk_strv_free(a->questions, a->n_questions);
    free(a->answer);
    free(a->url);
    lk_strv_free(a->tags, a->n_tags);
    free(a->owner);
    free(a->translation_group);
    memset(a, 0, sizeof *a);
}

void lk_article_copy(lk_article_t *dst, const lk_article_t *src)
{
    dst->id = lk_xstrdup(src->id);
    dst->language = lk_xstrdup(src->language);
    dst->title = lk_xstrdup(src->title);
    dst->questions = copy_strv(src->questions, src->n_questions);
    dst->n_questions = src->n_questions;
    dst->answer = lk_xstrdup(src->answer);
    dst->url = src->url ? lk_xstrdup(src->url) : NULL;
    dst->tags = copy_strv(src->tags, src->n_tags);
    dst->n_tags = src->n_tags;
    dst->owner = src->owner ? lk_xstrdup(src->owner) : NULL;
    dst->review_by = src->review_by;
    dst->translation_group = src->translation_group ? lk_xstrdup(src->translation_group) : NULL;
}

void lk_kb_free(lk_kb_t *kb)
{
    if (!kb)
        return;
    for (size_t i = 0; i < kb->n_articles; i++)
        lk_article_free(&kb->articles[i]);
    free(kb->articles);
    lk_kb_init(kb);
}

void lk_kb_add(lk_kb_t *kb, const lk_article_t *a)
{
    kb->articles = lk_xrealloc(kb->articles, (kb->n_articles + 1) * sizeof *kb->articles);
    lk_article_copy(&kb->articles[kb->n_articles], a);
    kb->n_articles++;
}

long lk_kb_find(const lk_kb_t *kb, const char *id)
{
    for (size_t i = 0; i < kb->n_articles; i++)
        if (strcmp(kb->articles[i].id, id) == 0)
            return (long)i;
    return -1;
}

_Noreturn void lk_kb__oom(void)
{
    fputs("loket: out of memory\n", stderr);
    abort();
}
