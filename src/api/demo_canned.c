/*
 * The demo's canned responses (issue 14): a useful Dutch and English set of
 * ready texts for the agents of the demo shop (Tulp & Tafel), loaded with
 * the demo knowledge base, and only into a database that has no canned
 * responses yet (archived ones count), so that an operator's own set is
 * never mixed with or brought back by the demo's. Placeholders as
 * docs/assist.md describes them.
 *
 * The texts are data, as the demo knowledge base is: demo_canned.json,
 * compiled into the program (CMakeLists.txt, loket_embed), read here.
 */
#include "api/api_int.h"

#include <jansson.h>
#include <string.h>

#define MODULE "api"

extern const unsigned char lk_api_demo_canned_json[];
extern const unsigned long lk_api_demo_canned_json_len;

/* The string member key of entry e ("" when there is none). */
static const char *member(json_t *e, const char *key)
{
    const char *s = json_string_value(json_object_get(e, key));
    return s ? s : "";
}

int lk_api_demo_canned(lk_store_t *st, int64_t now, size_t *added)
{
    if (added)
        *added = 0;
    int64_t have = 0;
    int rc = lk_store_canned_count_all(st, &have);
    if (rc || have > 0)
        return rc;
    json_error_t err;
    json_t *doc = json_loadb((const char *)lk_api_demo_canned_json, (size_t)lk_api_demo_canned_json_len,
                             JSON_REJECT_DUPLICATES, &err);
    json_t *list = json_object_get(doc, "canned");
    if (!json_is_array(list)) {
        LK_ERROR(MODULE, "the demo's canned responses are not a JSON object with an array \"canned\": %s",
                 doc ? "no such array" : err.text);
        json_decref(doc);
        return LK_EJSON;
    }
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e)
    {
        lk_canned_t c = {0};
        lk_rand_id("cr_", c.id, sizeof c.id);
        snprintf(c.language, sizeof c.language, "%s", member(e, "language"));
        c.title = (char *)member(e, "title");
        c.shortcut = (char *)member(e, "shortcut");
        c.text = (char *)member(e, "text");
        c.created_at = c.updated_at = now;
        if (!c.language[0] || !c.title[0] || !c.shortcut[0] || !c.text[0]) {
            LK_ERROR(MODULE, "the demo's canned response %zu lacks a language, title, shortcut or text", i);
            rc = LK_EJSON;
            break;
        }
        rc = lk_store_canned_insert(st, &c);
        if (rc)
            break;
        if (added)
            (*added)++;
    }
    json_decref(doc);
    return rc;
}
