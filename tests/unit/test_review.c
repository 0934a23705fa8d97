/*
 * Unit tests for the recalibration math (src/assist/review.c): the error
 * estimate, never moving on too few reviews, moving up past wrong
 * low-confidence answers to the exact grid point, not creeping up when all
 * is right, moving down only where earlier reviews give evidence, the
 * clamp, and the fallback when no threshold meets the target.
 */
#include "assist/assist.h"

#include <criterion/criterion.h>
#include <stdlib.h>

/* n items at confidence c with verdict right, appended at v[*k]. */
static void add(lk_review_item_t *v, size_t *k, size_t n, double c, bool right)
{
    for (size_t i = 0; i < n; i++)
        v[(*k)++] = (lk_review_item_t){c, right};
}

Test(review, defaults_and_estimate)
{
    lk_review_config_t c;
    lk_review_config_default(&c);
    cr_assert_float_eq(c.target_error, 0.05, 1e-12);
    cr_assert_eq(c.min_reviews, 20);
    cr_assert_float_eq(c.min_threshold, 0.30, 1e-12);
    cr_assert_float_eq(c.max_threshold, 0.95, 1e-12);
    cr_assert_float_eq(lk_review_error_estimate(0, 0), 0.5, 1e-12);
    cr_assert_float_eq(lk_review_error_estimate(0, 18), 1.0 / 20, 1e-12);
    cr_assert_float_eq(lk_review_error_estimate(3, 10), 4.0 / 12, 1e-12);
    cr_assert_float_eq(lk_review_error_estimate(9, 4), 5.0 / 6, 1e-12, "wrong is capped at answered");
}

Test(review, too_few_reviews_never_move)
{
    lk_review_item_t v[19];
    size_t k = 0;
    add(v, &k, 19, 0.55, false);
    lk_review_recommendation_t r;
    lk_review_recommend(v, k, 0.5, NULL, &r);
    cr_assert_float_eq(r.threshold, 0.5, 1e-12);
    cr_assert_not(r.changed);
    cr_assert_eq(r.reviews_needed, 1);
    cr_assert_eq(r.answered, 19);
    cr_assert_eq(r.wrong, 19);
    lk_review_recommend(NULL, 0, 0.5, NULL, &r);
    cr_assert_eq(r.reviews_needed, 20);
    cr_assert_not(r.changed);
}

Test(review, wrong_low_confidence_answers_move_it_up)
{
    lk_review_item_t v[40];
    size_t k = 0;
    add(v, &k, 10, 0.56, false);
    add(v, &k, 30, 0.80, true);
    lk_review_recommendation_t r;
    lk_review_recommend(v, k, 0.5, NULL, &r);
    /* at 0.56: 10 wrong of 40 (11/42); at the next grid point 0.565: 0 of 30 (1/32) */
    cr_assert_float_eq(r.threshold, 0.565, 1e-9);
    cr_assert(r.changed);
    cr_assert(r.target_met);
    cr_assert_eq(r.answered, 30);
    cr_assert_eq(r.wrong, 0);
    cr_assert_float_eq(r.est_error, 1.0 / 32, 1e-12);
    cr_assert_eq(r.reviews_needed, 0);
}

Test(review, all_right_stays_put)
{
    lk_review_item_t v[25];
    size_t k = 0;
    add(v, &k, 25, 0.83, true);
    lk_review_recommendation_t r;
    lk_review_recommend(v, k, 0.5, NULL, &r);
    cr_assert_float_eq(r.threshold, 0.5, 1e-12, "no creeping up to the lowest reviewed confidence");
    cr_assert_not(r.changed);
    cr_assert(r.target_met);
}

Test(review, earlier_reviews_below_allow_moving_down)
{
    lk_review_item_t v[25];
    size_t k = 0;
    add(v, &k, 5, 0.423, true); /* answered when the threshold was lower */
    add(v, &k, 20, 0.9, true);
    lk_review_recommendation_t r;
    lk_review_recommend(v, k, 0.5, NULL, &r);
    cr_assert_float_eq(r.threshold, 0.42, 1e-9, "down to the grid point below the lowest reviewed answer");
    cr_assert(r.changed);
    lk_review_config_t c;
    lk_review_config_default(&c);
    c.min_threshold = 0.45;
    lk_review_recommend(v, k, 0.5, &c, &r);
    cr_assert_float_eq(r.threshold, 0.45, 1e-9, "clamped");
}

Test(review, target_out_of_reach_takes_the_lowest_estimate)
{
    lk_review_item_t v[25];
    size_t k = 0;
    add(v, &k, 5, 0.6, false);
    add(v, &k, 10, 0.7, false);
    add(v, &k, 10, 0.8, false);
    lk_review_recommendation_t r;
    lk_review_recommend(v, k, 0.5, NULL, &r);
    /* 25 wrong of 25 up to 0.6 (26/27), 20 of 20 above it (21/22): the lowest
     * estimate with 20 reviews is just above 0.6 */
    cr_assert_float_eq(r.threshold, 0.605, 1e-9);
    cr_assert_not(r.target_met);
    cr_assert(r.changed);
    cr_assert_eq(r.answered, 20);
    lk_review_config_t c;
    lk_review_config_default(&c);
    c.max_threshold = 0.6;
    lk_review_recommend(v, k, 0.5, &c, &r);
    cr_assert_float_eq(r.threshold, 0.5, 1e-9, "never above the range: the lowest estimate within it");
}

Test(review, range_above_every_review_needs_more)
{
    lk_review_item_t v[25];
    size_t k = 0;
    add(v, &k, 25, 0.8, false);
    lk_review_config_t c;
    lk_review_config_default(&c);
    c.min_threshold = 0.9;
    lk_review_recommendation_t r;
    lk_review_recommend(v, k, 0.5, &c, &r);
    cr_assert_not(r.changed);
    cr_assert_float_eq(r.threshold, 0.5, 1e-12);
    cr_assert_eq(r.reviews_needed, 20, "no reviewed answer in the range");
}
