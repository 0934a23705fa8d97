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
    if (!fuzz_kb_import(&FUZZ_KB_JSON, data, size, &kb))
        return 0;
    FUZZ_CHECK(kb.n_articles <= LK_KB_ARTICLES_MAX);

    /* export, import again, export again */
    lk_kb_t again;
    fuzz_kb_check_round_trip(&FUZZ_KB_JSON, &kb, &again);

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
    return 0;
}
