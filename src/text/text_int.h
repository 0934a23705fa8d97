/*
 * text_int.h: details of the text module shared between its files and its
 * unit tests; not part of the interface.
 */
#ifndef LK_TEXT_INT_H
#define LK_TEXT_INT_H

#include <stdbool.h>
#include <stddef.h>

/* Log-odds nl:en that one folded word gives (0: no evidence). */
double lk_text__word_langscore(const char *w, size_t len);
/* The lists that bsearch reads are in order (for a unit test). */
bool lk_text__wordlists_sorted(void);
bool lk_text__stoplists_sorted(void);
/* lk_text_normalize() through utf8proc alone, without the fast path for
 * printable ASCII (for a unit test that the two agree). */
int lk_text__normalize_utf8proc(const char *s, size_t len, int flags, char **out, size_t *outlen);

#endif
