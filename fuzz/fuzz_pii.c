/*
 * fuzz_pii: the personal-data detector and redactor (src/privacy/privacy.h)
 * on any bytes: customers type anything, and everything that leaves a
 * conversation (logs, analytics, exports, training data) passes through
 * lk_pii_redact().
 *
 * Invariants: the spans are in text order, inside the text, non-empty and
 * apart, of a known kind with a name and a marker; asking for fewer spans
 * gives the same first ones and the same total; lk_pii_any() agrees with the
 * count; the redacted text is exactly the text with each span replaced by
 * its marker, and valid UTF-8 whenever the text was; no span starts or ends
 * inside a UTF-8 character of valid text. Issue 14: lk_pii_mask_kind()
 * gives a text exactly when a BSN was found, with no BSN left in it; and
 * lk_pii_normalise() of any bytes either fails or gives a NUL-terminated
 * identifier that fits (a phone number: "+" and 8 to 15 digits).
 */
#include "fuzz.h"

#include "privacy/privacy.h"
#include "util/util.h"

#define MAX_SPANS 512

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    lk_log_set_level(LK_LOG_OFF);
    for (int k = 0; k < LK_PII__COUNT; k++)
        FUZZ_CHECK(lk_pii_kind_name((lk_pii_kind_t)k) && lk_pii_marker((lk_pii_kind_t)k)[0]);
    return 0;
}

static bool char_start(const char *s, size_t len, size_t i)
{
    return i >= len || ((unsigned char)s[i] & 0xc0) != 0x80;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    static lk_pii_span_t spans[MAX_SPANS], few[4];
    size_t n = lk_pii_detect(text, size, spans, MAX_SPANS);
    size_t shown = n < MAX_SPANS ? n : MAX_SPANS;
    bool utf8 = fuzz_utf8_ok(text, size);
    size_t end = 0;
    for (size_t i = 0; i < shown; i++) {
        const lk_pii_span_t *s = &spans[i];
        FUZZ_CHECK((int)s->kind >= 0 && s->kind < LK_PII__COUNT);
        FUZZ_CHECK(s->len > 0 && s->start >= end && s->start + s->len <= size);
        if (utf8)
            FUZZ_CHECK(char_start(text, size, s->start) && char_start(text, size, s->start + s->len));
        end = s->start + s->len;
    }
    FUZZ_CHECK(lk_pii_detect(text, size, NULL, 0) == n);
    FUZZ_CHECK(lk_pii_detect(text, size, few, 4) == n);
    for (size_t i = 0; i < (n < 4 ? n : 4); i++)
        FUZZ_CHECK(few[i].kind == spans[i].kind && few[i].start == spans[i].start && few[i].len == spans[i].len);
    FUZZ_CHECK(lk_pii_any(text, size) == (n > 0));

    /* the redaction is the text with the spans replaced by their markers */
    char *red = lk_pii_redact(text, size);
    FUZZ_CHECK(red != NULL);
    if (n <= MAX_SPANS) {
        size_t want_len = size;
        for (size_t i = 0; i < n; i++)
            want_len = want_len - spans[i].len + strlen(lk_pii_marker(spans[i].kind));
        char *want = malloc(want_len + 1);
        FUZZ_CHECK(want != NULL);
        size_t o = 0, at = 0;
        for (size_t i = 0; i < n; i++) {
            memcpy(want + o, text + at, spans[i].start - at);
            o += spans[i].start - at;
            const char *m = lk_pii_marker(spans[i].kind);
            memcpy(want + o, m, strlen(m));
            o += strlen(m);
            at = spans[i].start + spans[i].len;
        }
        memcpy(want + o, text + at, size - at);
        o += size - at;
        want[o] = '\0';
        FUZZ_CHECK(o == want_len);
        FUZZ_CHECK(memcmp(red, want, want_len + 1) == 0);
        if (utf8)
            FUZZ_CHECK(fuzz_utf8_ok(red, want_len));
        free(want);
    }
    free(red);

    bool bsn = false;
    for (size_t i = 0; i < shown; i++)
        bsn = bsn || spans[i].kind == LK_PII_BSN;
    char *masked = lk_pii_mask_kind(text, size, LK_PII_BSN);
    if (n <= MAX_SPANS)
        FUZZ_CHECK((masked != NULL) == bsn);
    free(masked);
    char norm[LK_PII_NORM_MAX];
    if (lk_pii_normalise(LK_PII_PHONE, text, size, norm, sizeof norm) == 0) {
        size_t k = strlen(norm);
        FUZZ_CHECK(norm[0] == '+' && k >= 9 && k <= 16);
        for (size_t i = 1; i < k; i++)
            FUZZ_CHECK(norm[i] >= '0' && norm[i] <= '9');
    }
    if (lk_pii_normalise(LK_PII_EMAIL, text, size, norm, sizeof norm) == 0)
        FUZZ_CHECK(strlen(norm) < sizeof norm && strchr(norm, '@'));
    return 0;
}
