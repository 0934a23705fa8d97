/*
 * fuzz_nlu: lk_nlu_read() (src/nlu/nlu.h) on any text, with a model built
 * once from the built-in demo knowledge base, as `loket serve` builds it on
 * a first run. The input is the customer's message, optionally preceded by
 * earlier messages of the conversation (parts separated by FUZZ_SEP), so the
 * repeat signal sees real history; the first byte picks the language hint.
 *
 * Invariants: invalid UTF-8 is refused (LK_EUTF8), valid UTF-8 read; the
 * language is "nl", "en", "de", "fr" or ""; at most LK_NLU_TOP_K distinct articles of
 * the knowledge base, best first, with confidences in [0, 1]; the bot answers
 * exactly when the best confidence reaches the threshold; every signal is in
 * [0, 1]; and reading is pure: the same input gives the same reading.
 */
#include "fuzz.h"

#include "kb/kb.h"
#include "nlu/nlu.h"
#include "util/util.h"

#include <math.h>

static lk_kb_t kb;
static lk_nlu_model_t *model;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    lk_log_set_level(LK_LOG_OFF);
    FUZZ_CHECK(lk_kb_demo(&kb) == 0);
    FUZZ_CHECK(lk_nlu_build(&kb, NULL, &model) == 0);
    return 0;
}

static bool unit(double x)
{
    return isfinite(x) && x >= 0 && x <= 1;
}

#define MAX_PREV 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const char *hints[4] = {NULL, "nl", "en", "de"};
    const char *hint = hints[data[0] & 3];
    fuzz_part_t parts[MAX_PREV + 1];
    size_t n = fuzz_split(data + 1, size - 1, parts, MAX_PREV + 1);
    const char *text = parts[n - 1].base;
    size_t len = parts[n - 1].len;

    /* the earlier messages: NUL-terminated, as the store gives them */
    char *prev[MAX_PREV];
    size_t n_prev = 0;
    for (size_t i = 0; i + 1 < n; i++)
        if (lk_utf8_valid(parts[i].base, parts[i].len))
            prev[n_prev++] = fuzz_strndup(parts[i].base, parts[i].len);
    lk_nlu_context_t ctx = {(const char *const *)prev, n_prev, hint};

    lk_nlu_reading_t r, r2;
    int rc = lk_nlu_read(model, text, len, (data[0] & 4) ? NULL : &ctx, &r);
    bool valid = fuzz_utf8_ok(text, len) && memchr(text, 0, len) == NULL;
    if (!valid) {
        FUZZ_CHECK(rc == LK_EUTF8);
    } else {
        FUZZ_CHECK(rc == 0);
        /* the four languages of lk_text_language (src/text/text.h), or "" */
        FUZZ_CHECK(!strcmp(r.language, "nl") || !strcmp(r.language, "en") || !strcmp(r.language, "de") ||
                   !strcmp(r.language, "fr") || !strcmp(r.language, ""));
        FUZZ_CHECK(unit(r.language_confidence));
        FUZZ_CHECK(r.n_top <= LK_NLU_TOP_K);
        for (size_t k = 0; k < r.n_top; k++) {
            FUZZ_CHECK(r.top[k].article >= 0 && (size_t)r.top[k].article < kb.n_articles);
            FUZZ_CHECK(unit(r.top[k].confidence));
            for (size_t j = 0; j < k; j++) {
                FUZZ_CHECK(r.top[j].article != r.top[k].article);
                FUZZ_CHECK(r.top[j].confidence >= r.top[k].confidence);
            }
        }
        /* an answer is at or above the threshold (at or above it the bot may
         * still decline a match on function words alone, or offer choices
         * instead of an unclear answer) */
        if (r.answer)
            FUZZ_CHECK(r.n_top > 0 && r.top[0].confidence >= lk_nlu_threshold(model));
        /* choices: two or three of the top articles, never with an answer */
        if (r.ask)
            FUZZ_CHECK(!r.answer && r.n_choices >= 2 && r.n_choices <= 3 && r.n_choices <= r.n_top);
        else
            FUZZ_CHECK(r.n_choices == 0);
        const lk_nlu_signals_t *s = &r.signals;
        FUZZ_CHECK(unit(s->person_request) && unit(s->bot_question) && unit(s->negative) && unit(s->complaint) &&
                   unit(s->multi_question) && unit(s->repeat));
        if (!(data[0] & 4) && n_prev == 0)
            FUZZ_CHECK(s->repeat == 0);

        /* pure: the same reading again (for a quarter of the inputs: it
         * halves the speed) */
        if ((data[0] & 0x18) == 0) {
            FUZZ_CHECK(lk_nlu_read(model, text, len, (data[0] & 4) ? NULL : &ctx, &r2) == 0);
            FUZZ_CHECK(memcmp(&r, &r2, sizeof r) == 0);
        }
    }
    for (size_t i = 0; i < n_prev; i++)
        free(prev[i]);
    return 0;
}
