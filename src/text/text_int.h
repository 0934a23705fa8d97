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

/* True when the word w[0..len) is in list, sorted in byte order (strcmp);
 * w holds no NUL (valid, normalised text). Inline: a call to strncmp costs
 * more than the comparison of two short words. */
static inline bool lk_text__in_sorted(const char *const *list, size_t n, const char *w, size_t len)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const char *m = list[mid];
        int c = 0;
        size_t i = 0;
        for (; i < len && c == 0; i++) {
            unsigned char a = (unsigned char)m[i], b = (unsigned char)w[i];
            if (a != b)
                c = a < b ? -1 : 1;
        }
        if (c == 0 && m[len]) /* m is longer: it sorts after w */
            c = 1;
        if (c == 0)
            return true;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

#endif
