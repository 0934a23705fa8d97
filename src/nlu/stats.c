/*
 * stats.c: the statistics behind the answering threshold, shared by the
 * calibration that runs when a model is built (confidence.c) and by `loket eval`:
 * exact binomial (Clopper-Pearson) confidence bounds and the ways to choose
 * a threshold from scored held-out questions. Pure.
 */
#include "nlu/nlu_int.h"

#include <math.h>
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

#define GRID LK_NLU_GRID
#define CALIB_MIN_ANSWERED 30 /* where the calibration's walk starts */

/* P(X <= k) for X ~ Binomial(n, p). */
static double binom_cdf(size_t k, size_t n, double p)
{
    if (p <= 0)
        return 1;
    if (p >= 1)
        return k >= n ? 1 : 0;
    double lp = log(p), lq = log1p(-p), sum = 0;
    double lgn = lgamma((double)n + 1);
    for (size_t i = 0; i <= k && i <= n; i++) {
        double lc = lgn - lgamma((double)i + 1) - lgamma((double)(n - i) + 1);
        sum += exp(lc + (double)i * lp + (double)(n - i) * lq);
    }
    return sum > 1 ? 1 : sum;
}

double lk_nlu_binom_upper(size_t k, size_t n, double delta)
{
    if (n == 0 || k >= n)
        return 1;
    double lo = (double)k / (double)n, hi = 1;
    for (int it = 0; it < 60; it++) {
        double mid = (lo + hi) / 2;
        if (binom_cdf(k, n, mid) > delta)
            lo = mid;
        else
            hi = mid;
    }
    return hi;
}

double lk_nlu_binom_lower(size_t k, size_t n, double delta)
{
    if (n == 0 || k == 0)
        return 0;
    if (k > n)
        k = n;
    /* the lower bound of k successes is 1 - the upper bound of n - k failures */
    return 1 - lk_nlu_binom_upper(n - k, n, delta);
}

static int cmp_conf_desc(const void *a, const void *b)
{
    double x = ((const lk_nlu_item_t *)a)->confidence, y = ((const lk_nlu_item_t *)b)->confidence;
    return x > y ? -1 : x < y;
}

double lk_nlu_threshold_weighted(lk_nlu_item_t *items, size_t n, double oos_weight)
{
    size_t n_in = 0, n_oos = 0;
    for (size_t i = 0; i < n; i++) {
        n_in += !items[i].oos;
        n_oos += items[i].oos != 0;
    }
    if (!n)
        return 0.5;
    if (oos_weight < 0) /* each question once: the share handled right */
        oos_weight = (double)n_oos / (double)n;
    double w_in = n_in ? (1.0 - oos_weight) / (double)n_in : 0;
    double w_oos = n_oos ? oos_weight / (double)n_oos : 0;
    qsort(items, n, sizeof *items, cmp_conf_desc);
    /* Start just above the highest confidence: nothing answered. */
    double score = w_oos * (double)n_oos, best = score;
    double best_t = nextafter(items[0].confidence, 2.0);
    if (best_t > 1)
        best_t = 1;
    for (size_t i = 0; i < n; i++) {
        if (items[i].correct)
            score += w_in;
        if (items[i].oos)
            score -= w_oos;
        if (i + 1 < n && items[i + 1].confidence == items[i].confidence)
            continue; /* equal confidences are answered together */
        if (score > best + 1e-12) {
            best = score;
            best_t = items[i].confidence;
        }
    }
    return best_t;
}

double lk_nlu_threshold_balanced(lk_nlu_item_t *items, size_t n)
{
    return lk_nlu_threshold_weighted(items, n, 0.5);
}

double lk_nlu_threshold_target(const lk_nlu_item_t *items, size_t n, double alpha, double delta, int *ok)
{
    double chosen = 1.0;
    *ok = 0;
    for (int g = GRID; g >= 0; g--) {
        double t = (double)g / GRID;
        size_t answered = 0, wrong = 0;
        for (size_t i = 0; i < n; i++)
            if (items[i].confidence >= t) {
                answered++;
                wrong += !items[i].correct;
            }
        if (answered && lk_nlu_binom_upper(wrong, answered, delta / (GRID + 1)) <= alpha) {
            chosen = t;
            *ok = 1;
        }
    }
    return chosen;
}

/* The risk bound at one threshold from the counts there (see
 * lk_nlu_calibrate_items); *point gets the point estimate of the rate.
 *
 * With c the share of in-scope questions answered, q the share of those
 * answered wrong and a the share of out-of-scope questions answered, the
 * wrong-answer rate among answered questions is
 *   (pi a + (1 - pi) c q) / (pi a + (1 - pi) c),
 * which grows with a and q and falls with c. Clopper-Pearson bounds at d
 * each, upper for a (of the out-of-scope questions) and q (of the answered
 * in-scope ones: given how many were answered, the wrong ones among them
 * are binomial) and lower for c (of all in-scope ones), give an upper bound
 * that holds when all three do. (Bounding the wrong and the right answers
 * each as a share of all in-scope questions, as before, counted the same
 * questions twice: 3 wrong of 201 answered bounded the rate at 0.060, now
 * 0.055.) */
static double risk_bound_at(size_t wrong_in, size_t right_in, size_t n_in, size_t acc_oos, size_t n_oos, double pi,
                            double d, double *point)
{
    size_t answered = wrong_in + right_in;
    double uq = lk_nlu_binom_upper(wrong_in, answered, d);
    double lc = lk_nlu_binom_lower(answered, n_in, d);
    double ua = lk_nlu_binom_upper(acc_oos, n_oos, d);
    double x = pi * ua + (1 - pi) * lc * uq, y = (1 - pi) * lc * (1 - uq);
    double pw = n_in ? (double)wrong_in / (double)n_in : 0, pr = n_in ? (double)right_in / (double)n_in : 0;
    double pa = n_oos ? (double)acc_oos / (double)n_oos : 0;
    double px = pi * pa + (1 - pi) * pw, py = (1 - pi) * pr;
    *point = px + py > 0 ? px / (px + py) : 0;
    return x + y > 0 ? x / (x + y) : 1;
}

void lk_nlu_curve_build(const lk_nlu_item_t *items, size_t n, lk_nlu_curve_t *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < n; i++) {
        double c = items[i].confidence;
        int g = c >= 1 ? GRID : c <= 0 ? 0 : (int)floor(c * GRID + 1e-9);
        if (items[i].oos) {
            out->n_oos++;
            out->acc[g]++;
        } else {
            out->n_in++;
            if (items[i].correct)
                out->right[g]++;
            else
                out->wrong[g]++;
        }
    }
    for (int g = GRID; g > 0; g--) { /* cumulative from the top */
        out->wrong[g - 1] += out->wrong[g];
        out->right[g - 1] += out->right[g];
        out->acc[g - 1] += out->acc[g];
    }
}

/* The grid step a threshold falls on (thresholds between steps answer as
 * the next step up). */
static int grid_of(double t)
{
    if (!(t > 0))
        return 0;
    if (t >= 1)
        return GRID;
    return (int)ceil(t * GRID - 1e-9);
}

void lk_nlu_curve_at(const lk_nlu_curve_t *cv, double t, double delta, double oos_share, lk_nlu_calibration_t *out)
{
    int g = grid_of(t);
    double point;
    out->threshold = t;
    out->delta = delta;
    out->oos_share = oos_share;
    out->n_in = cv->n_in;
    out->n_oos = cv->n_oos;
    out->risk_bound = risk_bound_at(cv->wrong[g], cv->right[g], cv->n_in, cv->acc[g], cv->n_oos, oos_share,
                                    delta / 3, &point);
    out->met = out->answer_risk > 0 && out->risk_bound <= out->answer_risk;
    out->precision = 1 - point;
    out->coverage = cv->n_in ? (double)(cv->wrong[g] + cv->right[g]) / (double)cv->n_in : 0;
    out->accuracy = cv->n_in ? (double)cv->right[g] / (double)cv->n_in : 0;
    out->oos_recall = cv->n_oos ? 1 - (double)cv->acc[g] / (double)cv->n_oos : 1;
}

/* The threshold to answer at when no threshold passes the walk: the grid
 * step of the lowest bound (the tightest the data can show) among those
 * where at least CALIB_MIN_ANSWERED in-scope questions are answered, at or
 * above floor_t; a tie goes to the higher step. Where no step has that
 * support, the highest step at or above floor_t that has any answered. */
static int fallback_step(const lk_nlu_curve_t *cv, double delta, double pi, double floor_t, int *n_cand /* OUT */)
{
    int lo = grid_of(floor_t), best = -1;
    double best_b = 2, d = delta / 3, point;
    *n_cand = 0;
    for (int g = GRID; g >= lo; g--) {
        if (cv->wrong[g] + cv->right[g] < CALIB_MIN_ANSWERED)
            continue;
        ++*n_cand;
        double b = risk_bound_at(cv->wrong[g], cv->right[g], cv->n_in, cv->acc[g], cv->n_oos, pi, d, &point);
        if (b < best_b - 1e-12) {
            best_b = b;
            best = g;
        }
    }
    return best >= 0 ? best : lo;
}

void lk_nlu_curve_calibrate(const lk_nlu_curve_t *cv, double alpha, double delta, double oos_share, double floor_t,
                            lk_nlu_calibration_t *out)
{
    /* Fixed-sequence testing (Learn-then-Test): the thresholds are tested
     * from the top down, each at delta / 3 for its three bounds, and the
     * first that fails ends the walk. It starts at the highest threshold at
     * which the bound would be at most alpha / 2 had none of the answered
     * in-scope questions been wrong and no out-of-scope question been
     * answered: above it too few questions are answered for a bound to pass,
     * and one early wrong answer would end the walk. That start depends on
     * how many questions are answered, not on whether they were right. */
    double d = delta / 3;
    int chosen = -1;
    bool started = false;
    for (int g = GRID; g >= 0; g--) {
        double point;
        if (!started) {
            size_t answered = cv->wrong[g] + cv->right[g];
            if (answered < CALIB_MIN_ANSWERED ||
                risk_bound_at(0, answered, cv->n_in, 0, cv->n_oos, oos_share, d, &point) > alpha / 2)
                continue;
            started = true;
        }
        double b = risk_bound_at(cv->wrong[g], cv->right[g], cv->n_in, cv->acc[g], cv->n_oos, oos_share, d, &point);
        if (b > alpha)
            break;
        chosen = g;
    }
    out->answer_risk = alpha;
    if (chosen >= 0) {
        lk_nlu_curve_at(cv, (double)chosen / GRID, delta, oos_share, out);
        out->met = true;
        return;
    }
    /* The walk failed: answer where the bound is lowest (fallback_step).
     * That step was picked as the lowest of n_cand bounds, so its own bound
     * is optimistic; the bound reported holds for all n_cand steps at once
     * (Bonferroni: each at delta / n_cand), and when even that is within
     * alpha the target is met after all. */
    int n_cand;
    chosen = fallback_step(cv, delta, oos_share, floor_t, &n_cand);
    lk_nlu_curve_at(cv, (double)chosen / GRID, delta, oos_share, out);
    if (n_cand > 1) {
        double point;
        out->risk_bound = risk_bound_at(cv->wrong[chosen], cv->right[chosen], cv->n_in, cv->acc[chosen], cv->n_oos,
                                        oos_share, d / n_cand, &point);
    }
    out->met = out->risk_bound <= alpha;
}

void lk_nlu_calibrate_items(const lk_nlu_item_t *items, size_t n, double alpha, double delta, double oos_share,
                            double floor_t, lk_nlu_calibration_t *out)
{
    lk_nlu_curve_t *cv = lk_xmalloc(sizeof *cv);
    lk_nlu_curve_build(items, n, cv);
    lk_nlu_curve_calibrate(cv, alpha, delta, oos_share, floor_t, out);
    free(cv);
}
