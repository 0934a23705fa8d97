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

/* n reviews of answers at confidence c with verdict right. */
typedef struct {
    size_t n;
    double c;
    bool right;
} group_t;

typedef struct {
    lk_review_item_t v[40];
    size_t k;
} reviews_t;

/* The reviews of the groups, up to the one with n 0. */
static reviews_t reviews(const group_t *g)
{
    reviews_t rv = {.k = 0};
    for (; g->n; g++)
        for (size_t i = 0; i < g->n; i++) {
            cr_assert_lt(rv.k, sizeof rv.v / sizeof rv.v[0]);
            rv.v[rv.k++] = (lk_review_item_t){g->c, g->right};
        }
    return rv;
}

/* The recommendation from 0.5 with the default configuration. */
static lk_review_recommendation_t recommend(const reviews_t *rv)
{
    lk_review_recommendation_t r;
    lk_review_recommend(rv->v, rv->k, 0.5, NULL, &r);
    return r;
}

/* The recommendation from 0.5 with the default configuration's range narrowed
 * to [lo, hi] (the defaults are 0.30 and 0.95). */
static void recommend_within(const reviews_t *rv, double lo, double hi, lk_review_recommendation_t *r)
{
    lk_review_config_t c;
    lk_review_config_default(&c);
    c.min_threshold = lo;
    c.max_threshold = hi;
    lk_review_recommend(rv->v, rv->k, 0.5, &c, r);
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
    reviews_t rv = reviews((const group_t[]){{19, 0.55, false}, {0}});
    lk_review_recommendation_t r = recommend(&rv);
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
    reviews_t rv = reviews((const group_t[]){{10, 0.56, false}, {30, 0.80, true}, {0}});
    lk_review_recommendation_t r = recommend(&rv);
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
    reviews_t rv = reviews((const group_t[]){{25, 0.83, true}, {0}});
    lk_review_recommendation_t r = recommend(&rv);
    cr_assert_float_eq(r.threshold, 0.5, 1e-12, "no creeping up to the lowest reviewed confidence");
    cr_assert_not(r.changed);
    cr_assert(r.target_met);
}

Test(review, earlier_reviews_below_allow_moving_down)
{
    /* the five at 0.423 were answered when the threshold was lower */
    reviews_t rv = reviews((const group_t[]){{5, 0.423, true}, {20, 0.9, true}, {0}});
    lk_review_recommendation_t r = recommend(&rv);
    cr_assert_float_eq(r.threshold, 0.42, 1e-9, "down to the grid point below the lowest reviewed answer");
    cr_assert(r.changed);
    recommend_within(&rv, 0.45, 0.95, &r);
    cr_assert_float_eq(r.threshold, 0.45, 1e-9, "clamped");
}

Test(review, target_out_of_reach_takes_the_lowest_estimate)
{
    reviews_t rv = reviews((const group_t[]){{5, 0.6, false}, {10, 0.7, false}, {10, 0.8, false}, {0}});
    lk_review_recommendation_t r = recommend(&rv);
    /* 25 wrong of 25 up to 0.6 (26/27), 20 of 20 above it (21/22): the lowest
     * estimate with 20 reviews is just above 0.6 */
    cr_assert_float_eq(r.threshold, 0.605, 1e-9);
    cr_assert_not(r.target_met);
    cr_assert(r.changed);
    cr_assert_eq(r.answered, 20);
    recommend_within(&rv, 0.30, 0.6, &r);
    cr_assert_float_eq(r.threshold, 0.5, 1e-9, "never above the range: the lowest estimate within it");
}

Test(review, range_above_every_review_needs_more)
{
    reviews_t rv = reviews((const group_t[]){{25, 0.8, false}, {0}});
    lk_review_recommendation_t r;
    recommend_within(&rv, 0.9, 0.95, &r);
    cr_assert_not(r.changed);
    cr_assert_float_eq(r.threshold, 0.5, 1e-12);
    cr_assert_eq(r.reviews_needed, 20, "no reviewed answer in the range");
}
