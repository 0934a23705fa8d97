/*
 * builtin.c: the built-in out-of-scope questions (src/nlu/data/oos_*.txt,
 * compiled into the program by CMakeLists.txt): questions a customer-service
 * knowledge base must not answer, across everyday domains, that the model
 * trains towards "unsure" and the calibration counts as the questions it
 * must decline. Their sources and licences are in the files' '#' lines.
 */
#include "nlu/nlu_int.h"

#include <string.h>

extern const unsigned char lk_nlu_oos_nl[], lk_nlu_oos_en[];
extern const unsigned long lk_nlu_oos_nl_len, lk_nlu_oos_en_len;

const char *lk_nlu__builtin_oos(const char *lang, size_t *len)
{
    if (lang && !strcmp(lang, "nl")) {
        *len = (size_t)lk_nlu_oos_nl_len;
        return (const char *)lk_nlu_oos_nl;
    }
    if (lang && !strcmp(lang, "en")) {
        *len = (size_t)lk_nlu_oos_en_len;
        return (const char *)lk_nlu_oos_en;
    }
    *len = 0;
    return "";
}
