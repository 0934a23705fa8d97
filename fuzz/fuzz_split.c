/*
 * fuzz_split: lk_nlu_split (src/nlu/split.c), the cutting of a customer's
 * message into its questions, on any bytes.
 *
 * Invariants: one to max parts; one part is the whole text unchanged; two
 * or more are non-empty, inside the text, in order and apart, and start and
 * end on a character boundary when the text is valid UTF-8 (each part is
 * then valid UTF-8 itself, as the NLU requires); a smaller max gives no
 * more parts, and the same first ones but the last.
 */
#include "fuzz.h"

#include "nlu/nlu.h"
#include "util/util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    lk_log_set_level(LK_LOG_OFF);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    lk_nlu_span_t parts[LK_NLU_SPLIT_MAX], few[LK_NLU_SPLIT_MAX];
    size_t n = lk_nlu_split(s, size, parts, LK_NLU_SPLIT_MAX);
    FUZZ_CHECK(n >= 1 && n <= LK_NLU_SPLIT_MAX);
    if (n == 1) {
        FUZZ_CHECK(parts[0].off == 0 && parts[0].len == size);
    } else {
        bool utf8 = lk_utf8_valid(s, size);
        size_t prev_end = 0;
        for (size_t i = 0; i < n; i++) {
            FUZZ_CHECK(parts[i].len > 0);
            FUZZ_CHECK(parts[i].off >= prev_end);
            FUZZ_CHECK(parts[i].off + parts[i].len <= size);
            if (utf8)
                FUZZ_CHECK(lk_utf8_valid(s + parts[i].off, parts[i].len));
            prev_end = parts[i].off + parts[i].len;
        }
    }
    size_t m = lk_nlu_split(s, size, few, 2);
    FUZZ_CHECK(m >= 1 && m <= 2 && m <= n);
    if (n >= 2) {
        FUZZ_CHECK(m == 2);
        FUZZ_CHECK(few[0].off == parts[0].off && few[0].len == parts[0].len);
        FUZZ_CHECK(few[1].off == parts[1].off);
        FUZZ_CHECK(few[1].off + few[1].len == parts[n - 1].off + parts[n - 1].len);
    }
    FUZZ_CHECK(lk_nlu_split(s, size, few, 0) == 0);
    return 0;
}
