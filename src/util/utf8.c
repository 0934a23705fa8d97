/*
 * UTF-8 validation at the edge: everything loket stores or matches is
 * well-formed UTF-8 without NUL bytes (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF).
 */
#include "util.h"

#include <string.h>

uint32_t lk_utf8_decode(const char *str, size_t len, size_t i, size_t *used)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned c = s[i];
    size_t k;
    uint32_t cp;
    *used = 1;
    if (c < 0x80)
        return c;
    if ((c & 0xE0) == 0xC0) {
        k = 1;
        cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        k = 2;
        cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        k = 3;
        cp = c & 0x07;
    } else {
        return LK_UTF8_BAD;
    }
    if (len - i <= k)
        return LK_UTF8_BAD;
    for (size_t j = 1; j <= k; j++) {
        if ((s[i + j] & 0xC0) != 0x80)
            return LK_UTF8_BAD;
        cp = (cp << 6) | (s[i + j] & 0x3F);
    }
    *used = k + 1;
    return cp;
}

bool lk_utf8_valid(const char *str, size_t len)
{
    /* the smallest code point of a sequence of 2, 3 and 4 bytes */
    static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
    size_t i = 0;
    while (i < len) {
        unsigned c = (unsigned char)str[i];
        if (c == 0)
            return false;
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        uint32_t cp = lk_utf8_decode(str, len, i, &n);
        if (n == 1 || cp < min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += n;
    }
    return true;
}

void lk_utf8_one_line(char *str)
{
    unsigned char *s = (unsigned char *)str;
    size_t len = strlen(str), i = 0;
    while (i < len) {
        unsigned c = s[i];
        if (c < 0x20 || c == 0x7F) {
            s[i++] = '?';
            continue;
        }
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
        if (n > 1 && len - i < n) { /* cut off at the end: drop it if that is all that is wrong */
            size_t k = 1;
            while (i + k < len && (s[i + k] & 0xC0) == 0x80)
                k++;
            if (i + k == len) {
                s[i] = '\0';
                return;
            }
        }
        if (n > 1 && len - i >= n && lk_utf8_valid((const char *)s + i, n)) {
            i += n;
            continue;
        }
        s[i++] = '?';
    }
}
