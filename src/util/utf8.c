/*
 * UTF-8 validation at the edge: everything loket stores or matches is
 * well-formed UTF-8 without NUL bytes (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF).
 */
#include "util.h"

#include <string.h>

bool lk_utf8_valid(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        if (c == 0)
            return false;
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        unsigned min, cp;
        if ((c & 0xE0) == 0xC0) {
            n = 1;
            cp = c & 0x1F;
            min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2;
            cp = c & 0x0F;
            min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3;
            cp = c & 0x07;
            min = 0x10000;
        } else {
            return false;
        }
        if (len - i <= n)
            return false;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += n + 1;
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
