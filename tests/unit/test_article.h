/*
 * test_article.h: the article most unit tests build their small knowledge
 * bases from: an id, a language, a title, example questions and an answer,
 * with no URL, tags or review metadata (a test sets those on the result
 * where it needs them).
 */
#ifndef LK_TEST_ARTICLE_H
#define LK_TEST_ARTICLE_H

#include "kb/kb.h"

#include <stddef.h>

/* The article's fields point at the arguments (nothing is copied; lk_kb_add
 * copies what it keeps). */
static inline lk_article_t test_article(const char *id, const char *lang, const char *title, char **qs, size_t nq,
                                        const char *answer)
{
    return (lk_article_t){.id = (char *)id,
                          .language = (char *)lang,
                          .title = (char *)title,
                          .questions = qs,
                          .n_questions = nq,
                          .answer = (char *)answer};
}

#endif
