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

FUZZ_INIT_QUIET

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lk_kb_t kb;
    char err[512];
    int rc = lk_kb_parse((const char *)data, size, &kb, err, sizeof err);
    if (!fuzz_kb_import_ok(rc, &kb, err))
        return 0;
    FUZZ_CHECK(kb.n_articles <= LK_KB_ARTICLES_MAX);

    /* export, import again, export again */
    char *out = lk_kb_to_json(&kb);
    FUZZ_CHECK(out != NULL);
    lk_kb_t again;
    rc = lk_kb_parse(out, strlen(out), &again, err, sizeof err);
    fuzz_kb_check_reimport(rc, "the export", err, &kb, &again);
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
