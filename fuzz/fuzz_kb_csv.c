/*
 * fuzz_kb_csv: the knowledge base's CSV import (`loket kb import --format
 * csv`, src/kb/kb_csv.c): lk_kb_parse_csv() with its validation, then export
 * with lk_kb_to_csv() and import again.
 *
 * Invariants: a refused file leaves the output empty and explains itself in
 * one line of valid UTF-8; an accepted one has valid articles with unique
 * ids; its export imports to the same articles and exports to the same
 * bytes; and the same knowledge base exported as KB JSON imports to the
 * same articles and exports to the same bytes too (the two formats agree).
 */
#include "fuzz_kb.h"

FUZZ_INIT_QUIET

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lk_kb_t kb;
    if (!fuzz_kb_import(&FUZZ_KB_CSV, data, size, &kb))
        return 0;

    /* CSV: export, import, export; and the same articles through KB JSON */
    lk_kb_t again, from_json;
    fuzz_kb_check_round_trip(&FUZZ_KB_CSV, &kb, &again);
    fuzz_kb_check_round_trip(&FUZZ_KB_JSON, &kb, &from_json);

    lk_kb_free(&from_json);
    lk_kb_free(&again);
    lk_kb_free(&kb);
    return 0;
}
