/*
 * fuzz_kb_csv: the knowledge base's CSV import (`loket kb import --format
 * csv`, src/kb/kb_csv.c): lk_kb_parse_csv() with its validation, then export
 * with lk_kb_to_csv() and import again.
 *
 * Invariants: a refused file leaves the output empty and explains itself in
 * one line of valid UTF-8; an accepted one has valid articles with unique
 * ids; its export imports to the same articles and exports to the same
 * bytes; and the same knowledge base exported as KB JSON imports to the
 * same articles too (the two formats agree).
 */
#include "fuzz_kb.h"

FUZZ_INIT_QUIET

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lk_kb_t kb;
    char err[512];
    int rc = lk_kb_parse_csv((const char *)data, size, &kb, err, sizeof err);
    if (!fuzz_kb_import_ok(rc, &kb, err))
        return 0;

    /* CSV: export, import, export */
    char *csv = lk_kb_to_csv(&kb);
    FUZZ_CHECK(csv != NULL); /* a tag read from CSV cannot hold "|" */
    lk_kb_t again;
    rc = lk_kb_parse_csv(csv, strlen(csv), &again, err, sizeof err);
    fuzz_kb_check_reimport(rc, "the CSV export", err, &kb, &again);
    char *csv2 = lk_kb_to_csv(&again);
    FUZZ_CHECK(csv2 && !strcmp(csv, csv2));

    /* the same articles through KB JSON */
    char *json = lk_kb_to_json(&kb);
    FUZZ_CHECK(json != NULL);
    lk_kb_t from_json;
    rc = lk_kb_parse(json, strlen(json), &from_json, err, sizeof err);
    fuzz_kb_check_reimport(rc, "the JSON export of a CSV import", err, &kb, &from_json);

    lk_kb_free(&from_json);
    lk_kb_free(&again);
    lk_kb_free(&kb);
    free(json);
    free(csv);
    free(csv2);
    return 0;
}
