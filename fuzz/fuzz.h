/*
 * fuzz.h: what every libFuzzer driver in fuzz/ shares.
 *
 * Each driver feeds one of loket's parsers with the fuzzer's bytes and checks
 * what the parser promises beyond "does not crash" (FUZZ_CHECK aborts, so a
 * broken promise is a finding like a sanitizer report). FUZZ_SPLIT cuts an
 * input into parts at a separator byte, so one input can carry several texts
 * (a message and the ones before it, a key and a value).
 */
#ifndef LK_FUZZ_H
#define LK_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The two entry points libFuzzer calls. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The set-up of a driver that needs none but quiet logging (it includes
 * util/util.h): FUZZ_INIT_QUIET in place of its LLVMFuzzerInitialize. */
#define FUZZ_INIT_QUIET                                                                                        \
    int LLVMFuzzerInitialize(int *argc, char ***argv)                                                          \
    {                                                                                                          \
        lk_log_set_level(LK_LOG_OFF);                                                                          \
        return 0;                                                                                              \
    }

#define FUZZ_CHECK(cond)                                                                                       \
    do {                                                                                                       \
        if (!(cond)) {                                                                                         \
            fprintf(stderr, "fuzz: invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__);               \
            abort();                                                                                           \
        }                                                                                                      \
    } while (0)

/* The part separator of multi-part inputs: ASCII unit separator, valid
 * UTF-8 that no real text holds. */
#define FUZZ_SEP '\x1f'

typedef struct {
    const char *base;
    size_t len;
} fuzz_part_t;

/* Splits data at FUZZ_SEP into at most max parts (the last one keeps any
 * further separators); returns how many. */
static inline size_t fuzz_split(const uint8_t *data, size_t size, fuzz_part_t *parts, size_t max)
{
    size_t n = 0, start = 0;
    for (size_t i = 0; i < size && n + 1 < max; i++) {
        if (data[i] == (uint8_t)FUZZ_SEP) {
            parts[n++] = (fuzz_part_t){(const char *)data + start, i - start};
            start = i + 1;
        }
    }
    parts[n++] = (fuzz_part_t){(const char *)data + start, size - start};
    return n;
}

/* A NUL-terminated heap copy (free()). */
static inline char *fuzz_strndup(const char *s, size_t len)
{
    char *p = malloc(len + 1);
    if (!p)
        abort();
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

/* Strict UTF-8 check independent of loket's own lk_utf8_valid (so a driver
 * can check loket's output with a second opinion): no overlongs, no
 * surrogates, nothing past U+10FFFF; NUL allowed. */
static inline bool fuzz_utf8_ok(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned c = p[i];
        size_t n;
        unsigned cp, min;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            n = 1, cp = c & 0x1f, min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            n = 2, cp = c & 0x0f, min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
            n = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return false;
        }
        for (size_t k = 1; k <= n; k++) {
            if (i + k >= len || (p[i + k] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += n + 1;
    }
    return true;
}

#endif
