/*
 * fuzz_kb_md: one article of the knowledge base's Markdown folder format
 * (`loket kb import --format markdown DIR`, src/kb/kb_md.c): front matter
 * between "---" lines, then the answer. lk_kb_parse_md() with its
 * validation, then lk_kb_article_to_md() and parse again.
 *
 * Invariants: a refused file explains itself in one line of valid UTF-8 and
 * leaves nothing to free; an accepted one is a valid article whose file
 * parses back to the same article (knowledge-management fields included)
 * and writes the same bytes again.
 */
#include "fuzz_kb.h"

FUZZ_INIT_QUIET

static bool article_empty(const lk_article_t *a)
{
    return !a->id && !a->language && !a->title && !a->questions && !a->n_questions && !a->answer && !a->url &&
           !a->tags && !a->n_tags && !a->owner && !a->review_by && !a->translation_group;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lk_article_t a;
    char err[512];
    int rc = lk_kb_parse_md((const char *)data, size, "fuzz.md", &a, err, sizeof err);
    if (rc != 0) {
        FUZZ_CHECK(rc == LK_EINVAL);
        FUZZ_CHECK(article_empty(&a));
        fuzz_check_kb_message(err);
        return 0;
    }
    fuzz_check_article(&a);

    char *md = lk_kb_article_to_md(&a);
    FUZZ_CHECK(md != NULL);
    lk_article_t back;
    rc = lk_kb_parse_md(md, strlen(md), "fuzz.md", &back, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "fuzz: the Markdown export does not import: %s\n", err);
    FUZZ_CHECK(rc == 0);
    FUZZ_CHECK(fuzz_article_eq(&a, &back));
    char *md2 = lk_kb_article_to_md(&back);
    FUZZ_CHECK(md2 && !strcmp(md, md2));

    lk_article_free(&a);
    lk_article_free(&back);
    free(md);
    free(md2);
    return 0;
}
