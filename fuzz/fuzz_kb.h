/*
 * fuzz_kb.h: what the knowledge-base import drivers (fuzz_kb_json,
 * fuzz_kb_csv, fuzz_kb_md) share: article equality and the checks on an
 * import's error message and on an accepted article.
 */
#ifndef LK_FUZZ_KB_H
#define LK_FUZZ_KB_H

#include "fuzz.h"

#include "kb/kb.h"
#include "util/util.h"

static inline bool fuzz_str_eq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

/* All fields, the knowledge-management ones too. */
static inline bool fuzz_article_eq(const lk_article_t *a, const lk_article_t *b)
{
    if (!fuzz_str_eq(a->id, b->id) || !fuzz_str_eq(a->language, b->language) || !fuzz_str_eq(a->title, b->title) ||
        !fuzz_str_eq(a->answer, b->answer) || !fuzz_str_eq(a->url, b->url) || a->n_questions != b->n_questions ||
        a->n_tags != b->n_tags || !fuzz_str_eq(a->owner, b->owner) || a->review_by != b->review_by ||
        !fuzz_str_eq(a->translation_group, b->translation_group))
        return false;
    for (size_t i = 0; i < a->n_questions; i++)
        if (!fuzz_str_eq(a->questions[i], b->questions[i]))
            return false;
    for (size_t i = 0; i < a->n_tags; i++)
        if (!fuzz_str_eq(a->tags[i], b->tags[i]))
            return false;
    return true;
}

/* A refused import explains itself in one line of valid UTF-8. */
static inline void fuzz_check_kb_message(const char *err)
{
    size_t n = strlen(err);
    bool one_line = true;
    for (size_t i = 0; i < n; i++)
        one_line = one_line && (unsigned char)err[i] >= 0x20 && err[i] != 0x7f;
    if (!one_line || !fuzz_utf8_ok(err, n))
        fprintf(stderr, "fuzz: the message is not one line of UTF-8: \"%s\"\n", err);
    FUZZ_CHECK(n > 0);
    FUZZ_CHECK(fuzz_utf8_ok(err, n));
    FUZZ_CHECK(one_line);
}

/* An accepted article is one lk_article_validate() accepts. */
static inline void fuzz_check_article(const lk_article_t *a)
{
    char verr[512];
    if (lk_article_validate(a, verr, sizeof verr) != 0)
        fprintf(stderr, "fuzz: an accepted article does not validate: %s\n", verr);
    FUZZ_CHECK(lk_article_validate(a, verr, sizeof verr) == 0);
    FUZZ_CHECK(a->n_questions >= 1 && a->n_questions <= LK_KB_QUESTIONS_MAX);
    FUZZ_CHECK(a->n_tags <= LK_KB_TAGS_MAX);
}

#endif
