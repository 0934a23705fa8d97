/*
 * fuzz_kb.h: what the knowledge-base import drivers (fuzz_kb_json,
 * fuzz_kb_csv, fuzz_kb_md) share: article equality, the checks on an
 * import's error message and on an accepted article, on a whole import, on
 * an export imported again and on a format's whole round trip.
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

/* The checks on a knowledge base import that returned rc: a refused one
 * (LK_EJSON or LK_EINVAL) left kb empty and explains itself, and kb is freed;
 * an accepted one has valid articles with ids that lk_kb_find() finds.
 * Returns whether the import was accepted. */
static inline bool fuzz_kb_import_ok(int rc, lk_kb_t *kb, const char *err)
{
    if (rc != 0) {
        FUZZ_CHECK(rc == LK_EJSON || rc == LK_EINVAL);
        FUZZ_CHECK(kb->n_articles == 0 && kb->articles == NULL);
        fuzz_check_kb_message(err);
        lk_kb_free(kb);
        return false;
    }
    for (size_t i = 0; i < kb->n_articles; i++) {
        fuzz_check_article(&kb->articles[i]);
        FUZZ_CHECK(lk_kb_find(kb, kb->articles[i].id) == (long)i);
    }
    return true;
}

/* An export of kb (what: which, for the message) imported again with rc into
 * again: it imports, to the same articles. */
static inline void fuzz_kb_check_reimport(int rc, const char *what, const char *err, const lk_kb_t *kb,
                                          const lk_kb_t *again)
{
    if (rc != 0)
        fprintf(stderr, "fuzz: %s does not import: %s\n", what, err);
    FUZZ_CHECK(rc == 0);
    FUZZ_CHECK(again->n_articles == kb->n_articles);
    for (size_t i = 0; i < kb->n_articles; i++)
        FUZZ_CHECK(fuzz_article_eq(&kb->articles[i], &again->articles[i]));
}

/* A knowledge base format that writes a whole knowledge base and reads it
 * back: KB JSON or CSV. */
typedef struct {
    const char *what; /* for the message: "the CSV export" */
    int (*parse)(const char *text, size_t len, lk_kb_t *out, char *err, size_t errsize);
    char *(*write)(const lk_kb_t *kb);
} fuzz_kb_format_t;

static const fuzz_kb_format_t FUZZ_KB_JSON = {
    .what = "the KB JSON export", .parse = lk_kb_parse, .write = lk_kb_to_json};
static const fuzz_kb_format_t FUZZ_KB_CSV = {.what = "the CSV export", .parse = lk_kb_parse_csv, .write = lk_kb_to_csv};

/* Imports the fuzzer's input in fmt into kb and checks the result as
 * fuzz_kb_import_ok() does; returns whether it was accepted (kb is then the
 * caller's to free). */
static inline bool fuzz_kb_import(const fuzz_kb_format_t *fmt, const uint8_t *data, size_t size, lk_kb_t *kb /* OUT */)
{
    char err[512];
    int rc = fmt->parse((const char *)data, size, kb, err, sizeof err);
    return fuzz_kb_import_ok(rc, kb, err);
}

/* kb written in fmt imports again into again (the caller frees it) to the
 * same articles, and again writes to the same bytes. */
static inline void fuzz_kb_check_round_trip(const fuzz_kb_format_t *fmt, const lk_kb_t *kb, lk_kb_t *again /* OUT */)
{
    char err[512];
    char *out = fmt->write(kb);
    FUZZ_CHECK(out != NULL); /* a tag read from CSV cannot hold "|" */
    int rc = fmt->parse(out, strlen(out), again, err, sizeof err);
    fuzz_kb_check_reimport(rc, fmt->what, err, kb, again);
    char *out2 = fmt->write(again);
    FUZZ_CHECK(out2 && !strcmp(out, out2));
    free(out);
    free(out2);
}

#endif
