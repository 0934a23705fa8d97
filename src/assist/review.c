/*
 * review.c: the answering threshold that agents' reviews of bot answers
 * support (docs/gaps.md, "Recalibration").
 *
 * The idea is the one `loket eval --target-error` uses on labelled data: the
 * lowest threshold whose wrong-answer rate among the answered questions stays
 * at or below a target. Here the labels are the agents' verdicts on answers
 * the bot gave, so two things differ. Only answers are reviewed, so below
 * the lowest reviewed confidence nothing is known and the threshold never
 * goes there (unless it is there already). And reviews come in tens, not
 * thousands, so the rate is estimated with the rule of succession,
 * (wrong + 1) / (answered + 2), which is never 0 on a handful of right
 * answers, and a threshold needs min_reviews reviewed answers before it can
 * be chosen. Pure: no I/O, no clock.
 */
#include "assist/assist.h"

#include "util/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define GRID 200 /* steps of 0.005, as loket eval */

void lk_review_config_default(lk_review_config_t *cfg)
{
    cfg->target_error = 0.05;
    cfg->min_reviews = 20;
    cfg->min_threshold = 0.30;
    cfg->max_threshold = 0.95;
}

double lk_review_error_estimate(size_t wrong, size_t answered)
{
    if (wrong > answered)
        wrong = answered;
    return ((double)wrong + 1.0) / ((double)answered + 2.0);
}

static int cmp_conf_desc(const void *a, const void *b)
{
    double x = ((const lk_review_item_t *)a)->confidence, y = ((const lk_review_item_t *)b)->confidence;
    return x > y ? -1 : x < y;
}

/* Reviewed answers with confidence >= t among sorted (descending) items. */
static void count_at(const lk_review_item_t *sorted, size_t n, double t, size_t *answered, size_t *wrong)
{
    size_t a = 0, w = 0;
    while (a < n && sorted[a].confidence >= t) {
        w += !sorted[a].right;
        a++;
    }
    *answered = a;
    *wrong = w;
}

static void set_result(lk_review_recommendation_t *out, double t, double current, size_t answered, size_t wrong,
                       double target)
{
    out->threshold = t;
    out->changed = t != current;
    out->answered = answered;
    out->wrong = wrong;
    out->est_error = lk_review_error_estimate(wrong, answered);
    out->target_met = out->est_error <= target;
}

void lk_review_recommend(const lk_review_item_t *items, size_t n, double current, const lk_review_config_t *cfg,
                         lk_review_recommendation_t *out)
{
    lk_review_config_t def;
    if (!cfg) {
        lk_review_config_default(&def);
        cfg = &def;
    }
    memset(out, 0, sizeof *out);
    if (!(current >= 0 && current <= 1))
        current = 0.5;
    size_t min_n = cfg->min_reviews ? cfg->min_reviews : 1;

    /* only reviews with a usable confidence count */
    lk_review_item_t *v = lk_xcalloc(n ? n : 1, sizeof *v);
    size_t m = 0;
    for (size_t i = 0; items && i < n; i++)
        if (items[i].confidence >= 0 && items[i].confidence <= 1)
            v[m++] = items[i];
    qsort(v, m, sizeof *v, cmp_conf_desc);

    size_t a_cur, w_cur;
    count_at(v, m, current, &a_cur, &w_cur);
    set_result(out, current, current, a_cur, w_cur, cfg->target_error);
    out->changed = false;
    if (m < min_n) {
        out->reviews_needed = min_n - m;
        free(v);
        return;
    }

    /* The candidates: from the lower of current and the lowest reviewed
     * confidence (rounded down to the grid), within the range, upwards on
     * the grid. */
    double lowest = floor(v[m - 1].confidence * GRID) / GRID;
    double lo = current < lowest ? current : lowest;
    if (lo < cfg->min_threshold)
        lo = cfg->min_threshold;
    double hi = cfg->max_threshold;
    bool found = false, have_best = false;
    double best_t = current, best_est = 2;
    size_t best_a = 0, best_w = 0, most = 0;
    int g0 = (int)floor(lo * GRID + 1e-9);
    for (int g = g0; g <= GRID; g++) {
        double t = g == g0 ? lo : (double)g / GRID;
        if (t > hi + 1e-12)
            break;
        size_t a, w;
        count_at(v, m, t, &a, &w);
        if (a > most)
            most = a;
        if (a < min_n)
            break; /* higher thresholds have fewer still */
        double est = lk_review_error_estimate(w, a);
        if (est <= cfg->target_error) {
            set_result(out, t, current, a, w, cfg->target_error);
            found = true;
            break;
        }
        if (est < best_est) {
            best_est = est;
            best_t = t;
            best_a = a;
            best_w = w;
            have_best = true;
        }
    }
    if (!found && have_best)
        set_result(out, best_t, current, best_a, best_w, cfg->target_error);
    else if (!found)
        out->reviews_needed = min_n > most ? min_n - most : 0;
    free(v);
}
