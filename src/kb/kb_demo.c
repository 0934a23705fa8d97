/*
 * The built-in demo knowledge base: the customer service of "Tulp & Tafel", a
 * fictional Dutch shop for home and kitchen goods. The build compiles
 * src/kb/demo_kb.json into the program (cmake/embed.cmake), so that a first
 * `loket serve` shows a working bot without any set-up; it goes through the
 * same strict parser as any import, and a unit test keeps it valid.
 */
#include "kb/kb.h"

#include "util/util.h"

#include <stdlib.h>
#include <string.h>

/* Defined by the generated demo_kb.c: the file's bytes, NUL-terminated. */
extern const unsigned char lk_kb_demo_json[];
extern const unsigned long lk_kb_demo_json_len;

int lk_kb_demo(lk_kb_t *out)
{
    char err[512];
    int rc = lk_kb_parse((const char *)lk_kb_demo_json, (size_t)lk_kb_demo_json_len, out, err, sizeof err);
    if (rc) {
        LK_ERROR("kb", "the built-in demo knowledge base is broken: %s", err);
        return rc;
    }
    /* An English version has the Dutch id plus "-en" (docs/kb.md): link the
     * two as translations of one article. */
    for (size_t i = 0; i < out->n_articles; i++) {
        lk_article_t *a = &out->articles[i];
        size_t len = strlen(a->id);
        if (len <= 3 || strcmp(a->id + len - 3, "-en") != 0)
            continue;
        char *base = lk_xstrndup(a->id, len - 3);
        long k = lk_kb_find(out, base);
        if (k >= 0) {
            a->translation_group = base;
            out->articles[k].translation_group = lk_xstrdup(base);
        } else {
            free(base);
        }
    }
    return 0;
}
