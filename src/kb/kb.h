/*
 * kb: knowledge-base articles in memory, their validation, and the KB JSON
 * format of CONTRACT.md (import and export). Also the built-in demo knowledge
 * base of a fictional Dutch web shop, compiled into the program.
 *
 * A knowledge base is a plain array of articles; every string is owned by the
 * article that holds it and freed by lk_kb_free().
 */
#ifndef LK_KB_H
#define LK_KB_H

#include <stdbool.h>
#include <stddef.h>

/* Limits that validation enforces (and documents in docs/kb.md). */
#define LK_KB_ID_MAX 128         /* bytes; [A-Za-z0-9._-] only */
#define LK_KB_TITLE_MAX 300      /* bytes */
#define LK_KB_QUESTION_MAX 1000  /* bytes, each */
#define LK_KB_QUESTIONS_MAX 500  /* example questions per article */
#define LK_KB_ANSWER_MAX 20000   /* bytes */
#define LK_KB_URL_MAX 2000       /* bytes; http:// or https:// */
#define LK_KB_TAGS_MAX 50        /* tags per article */
#define LK_KB_TAG_MAX 100        /* bytes, each */
#define LK_KB_ARTICLES_MAX 20000 /* articles per file */

typedef struct {
    char *id;
    char *language; /* BCP 47 primary tag: 2 or 3 lowercase letters */
    char *title;
    char **questions;
    size_t n_questions;
    char *answer;
    char *url; /* NULL when absent */
    char **tags;
    size_t n_tags;
} lk_article_t;

typedef struct {
    lk_article_t *articles;
    size_t n_articles;
} lk_kb_t;

/* ---- life cycle -------------------------------------------------------- */

void lk_kb_init(lk_kb_t *kb);
/* Frees every article and leaves kb empty; kb may be NULL. */
void lk_kb_free(lk_kb_t *kb);
void lk_article_free(lk_article_t *a); /* frees the strings, not a itself */
/* Deep copy of src into dst (dst's old contents are not freed). */
void lk_article_copy(lk_article_t *dst, const lk_article_t *src);
/* Appends a deep copy of a. */
void lk_kb_add(lk_kb_t *kb, const lk_article_t *a);
/* Index of the article with this id, or -1. */
long lk_kb_find(const lk_kb_t *kb, const char *id);

/* ---- KB JSON ----------------------------------------------------------- */

/* Parses and validates a whole KB JSON document. On success fills out (which
 * the caller frees with lk_kb_free) and returns 0. On failure returns LK_EJSON
 * or LK_EINVAL, leaves out empty, and writes a one-line message to err that
 * names the article (by id, or by index when it has no usable id) and the
 * field, e.g. `article "return" (#3): field "questions" must be a non-empty
 * array of strings`. Duplicate ids within one file are an error. */
int lk_kb_parse(const char *json, size_t len, lk_kb_t *out /* OUT */, char *err, size_t errsize);

/* Validates one article as lk_kb_parse() would; 0 or LK_EINVAL with err. */
int lk_article_validate(const lk_article_t *a, char *err, size_t errsize);

/* Serialises kb as KB JSON (pretty-printed, articles in the given order,
 * UTF-8). The caller frees the result with free(). Returns NULL only when an
 * article has a NULL required field or invalid UTF-8, which validation rules
 * out; a failed allocation aborts as everywhere. */
char *lk_kb_to_json(const lk_kb_t *kb);

/* ---- the built-in demo ------------------------------------------------- */

/* Parses the built-in demo knowledge base into out. 0, or an error when the
 * embedded file is broken (a test guards against that). */
int lk_kb_demo(lk_kb_t *out /* OUT */);

#endif
