/*
 * Unit tests for the bot's threshold (src/conv/bot.c): the calibration at
 * answer_risk and the threshold the reviews' recalibration stored, on a real
 * SQLite store in a temporary directory.
 */
#include "api/api_int.h"
#include "kb/kb.h"
#include "nlu/nlu.h"

#include "store/store_fixture.h"

TestSuite(bot_threshold, .init = store_fixture_setup, .fini = store_fixture_teardown);

static lk_nlu_model_t *demo_model(lk_kb_t *kb, double risk)
{
    cr_assert_eq(lk_kb_demo(kb), 0);
    lk_kb_answers_to_text(kb);
    lk_nlu_options_t o;
    lk_bot_nlu_options(risk, &o);
    lk_nlu_model_t *m;
    cr_assert_eq(lk_nlu_build(kb, &o, &m), 0);
    return m;
}

Test(bot_threshold, the_reviews_raise_the_bar_but_never_lower_a_calibrated_one)
{
    lk_kb_t kb;
    lk_nlu_model_t *m = demo_model(&kb, 0.3); /* loose: the demo meets it */
    lk_nlu_calibration_t c;
    lk_nlu_calibration(m, &c);
    cr_assert(c.done && c.met, "bound %f", c.risk_bound);
    double cal = lk_nlu_threshold(m);
    cr_assert_eq(cal, c.threshold);

    /* no stored threshold: the calibrated one */
    cr_assert_not(lk_bot_apply_reviews_threshold(st, m));
    cr_assert_eq(lk_nlu_threshold(m), cal);
    /* the reviews ask for less: the calibration stands */
    char v[32];
    snprintf(v, sizeof v, "%.4f", cal / 2);
    cr_assert_eq(lk_store_meta_set(st, "nlu_threshold", v), 0);
    cr_assert_not(lk_bot_apply_reviews_threshold(st, m));
    cr_assert_eq(lk_nlu_threshold(m), cal);
    /* the reviews ask for more: they raise it */
    snprintf(v, sizeof v, "%.4f", cal + (1 - cal) / 2);
    cr_assert_eq(lk_store_meta_set(st, "nlu_threshold", v), 0);
    cr_assert(lk_bot_apply_reviews_threshold(st, m));
    cr_assert_float_eq(lk_nlu_threshold(m), cal + (1 - cal) / 2, 1e-4);
    lk_nlu_free(m);
    lk_kb_free(&kb);

    /* a calibration that is not met answers where its bound is lowest, at
     * or above the old fixed 0.5; the reviews raise that too, but never
     * lower it (the reviewed answers all lie above it) */
    m = demo_model(&kb, 0.01);
    lk_nlu_calibration(m, &c);
    cr_assert(c.done);
    cr_assert_not(c.met);
    double fb = lk_nlu_threshold(m);
    cr_assert_eq(fb, c.threshold);
    cr_assert_geq(fb, 0.5);
    cr_assert_lt(fb, 0.99, "the fallback %f still answers", fb);
    cr_assert_eq(lk_store_meta_set(st, "nlu_threshold", "0.3000"), 0);
    cr_assert_not(lk_bot_apply_reviews_threshold(st, m));
    cr_assert_eq(lk_nlu_threshold(m), fb);
    snprintf(v, sizeof v, "%.4f", fb + (1 - fb) / 2);
    cr_assert_eq(lk_store_meta_set(st, "nlu_threshold", v), 0);
    cr_assert(lk_bot_apply_reviews_threshold(st, m));
    cr_assert_float_eq(lk_nlu_threshold(m), fb + (1 - fb) / 2, 1e-4);
    lk_nlu_free(m);
    lk_kb_free(&kb);
}
