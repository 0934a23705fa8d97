/*
 * The backend-independent part of the labelled questions' group (store.h,
 * "the company's labelled questions"): the record's free and the names of
 * its sources, as the database and the API's JSON hold them.
 */
#include "store/store.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

static const char *const source_names[] = {"", "import", "console", "review"};
#define N_SOURCES (sizeof source_names / sizeof source_names[0])

const char *lk_labelled_source_name(lk_labelled_source_t s)
{
    return (size_t)s < N_SOURCES ? source_names[s] : "";
}

int lk_labelled_source_parse(const char *name, lk_labelled_source_t *out)
{
    for (size_t i = 1; name && i < N_SOURCES; i++)
        if (strcmp(name, source_names[i]) == 0) {
            if (out)
                *out = (lk_labelled_source_t)i;
            return 0;
        }
    if (out)
        *out = LK_LABELLED_NONE;
    return LK_EINVAL;
}

void lk_labelled_free(lk_labelled_t *v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i].text);
    free(v);
}
