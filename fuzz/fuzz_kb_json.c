/*
 * fuzz_kb_json: the KB JSON import (`loket kb import`, the knowledge
 * editor's import): lk_kb_parse() with its validation, then export and
 * import again.
 *
 * Invariants: a refused document leaves the output empty and explains itself
 * in one line of valid UTF-8; an accepted one has articles that pass
 * lk_article_validate() with unique ids that lk_kb_find() finds; exporting
 * it with lk_kb_to_json() gives a document that imports to the same
 * articles and exports to the same bytes (import and export agree).
 */
#include "fuzz_kb.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    lk_log_set_level(LK_LOG_OFF);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lk_kb_t kb;
    char err[512];
    int rc = lk_kb_parse((const char *)data, size, &kb, err, sizeof err);
    if (rc != 0) {
        FUZZ_CHECK(rc == LK_EJSON || rc == LK_EINVAL);
        FUZZ_CHECK(kb.n_articles == 0 && kb.articles == NULL);
        fuzz_check_kb_message(err);
        lk_kb_free(&kb);
        return 0;
    }
    FUZZ_CHECK(kb.n_articles <= LK_KB_ARTICLES_MAX);
    for (size_t i = 0; i < kb.n_articles; i++) {
        const lk_article_t *a = &kb.articles[i];
        fuzz_check_article(a);
        FUZZ_CHECK(lk_kb_find(&kb, a->id) == (long)i);
    }

    /* export, import again, export again */
    char *out = lk_kb_to_json(&kb);
    FUZZ_CHECK(out != NULL);
    lk_kb_t again;
    rc = lk_kb_parse(out, strlen(out), &again, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "fuzz: the export does not import: %s\n", err);
    FUZZ_CHECK(rc == 0);
    FUZZ_CHECK(again.n_articles == kb.n_articles);
    for (size_t i = 0; i < kb.n_articles; i++)
        FUZZ_CHECK(fuzz_article_eq(&kb.articles[i], &again.articles[i]));
    char *out2 = lk_kb_to_json(&again);
    FUZZ_CHECK(out2 && !strcmp(out, out2));

    /* a deep copy is equal and independent */
    lk_kb_t copy;
    lk_kb_init(&copy);
    for (size_t i = 0; i < kb.n_articles; i++)
        lk_kb_add(&copy, &kb.articles[i]);
    lk_kb_free(&kb);
    for (size_t i = 0; i < copy.n_articles; i++)
        FUZZ_CHECK(fuzz_article_eq(&copy.articles[i], &again.articles[i]));
    lk_kb_free(&copy);
    lk_kb_free(&again);
    free(out);
    free(out2);
    return 0;
}
