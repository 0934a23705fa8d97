/*
 * test_nlu_kb.h: building the small knowledge bases the NLU's unit tests
 * read (test_nlu.c, test_synonyms.c): an article of example questions.
 */
#ifndef LK_TEST_NLU_KB_H
#define LK_TEST_NLU_KB_H

#include "kb/kb.h"
#include "test_article.h"

#include <stddef.h>

/* Adds an article with these example questions (copied by lk_kb_add) and a
 * placeholder answer. */
static inline void add_article(lk_kb_t *kb, const char *id, const char *lang, const char *title, const char **qs,
                               size_t nq)
{
    lk_article_t a = test_article(id, lang, title, (char **)qs, nq, "...");
    lk_kb_add(kb, &a);
}

#endif
