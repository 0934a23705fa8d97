/*
 * eval: `loket eval`, the measurement of the bot's answers on labelled data
 * (CONTRACT.md, "Evaluation data and loket eval"; method in docs/quality.md).
 *
 * It reads JSON-lines files ({"text", "label"}; label "oos" = must decline),
 * builds the NLU from --train exactly as the server builds it from a
 * knowledge base (one article per label), chooses the answering threshold on
 * --val, and asks every --test text through lk_nlu_read(), the decision code
 * the server uses. This is the module that does the file I/O and the timing,
 * so that nlu/ stays pure.
 */
#ifndef LK_EVAL_H
#define LK_EVAL_H

#include <stddef.h>

/* ---- the command ------------------------------------------------------- */

/* `loket eval --train FILE --test FILE [--val FILE] [--target-error ALPHA]
 *  [--delta DELTA] [--oos-share P | --balanced] [--curve CSV] [--epochs N] [--seed N]`.
 * argv[0] is "eval". Prints one JSON object on stdout; a usage or input
 * error gives one line on stderr. Returns the exit code: 0 success, 1 usage
 * or input error, 2 internal failure. */
int lk_eval_command(int argc, char **argv);

/* ---- the statistics behind it (pure; tested on their own) -------------- */

/* Clopper-Pearson upper confidence bound for a binomial proportion: the p
 * with P(X <= k | n, p) = delta. k <= n; n = 0 gives 1. */
double lk_eval_binom_upper(size_t k, size_t n, double delta);

/* One scored held-out example: the model's confidence in its top answer,
 * whether that answer is right (false for every out-of-scope example), and
 * whether the example is out of scope. */
typedef struct {
    double confidence;
    int correct;
    int oos;
} lk_eval_item_t;

/* The threshold that maximises (1 - w) * in-scope accuracy + w * out-of-scope
 * recall on items, w = oos_weight; a negative oos_weight means the share of
 * out-of-scope items, i.e. the share of all items handled right (answered
 * with the right article, or declined when out of scope). Ties: the highest
 * such threshold. Sorts items. */
double lk_eval_threshold_weighted(lk_eval_item_t *items, size_t n, double oos_weight);
/* The same with w = 0.5: in-scope accuracy + out-of-scope recall. */
double lk_eval_threshold_balanced(lk_eval_item_t *items, size_t n);

/* The lowest threshold on the grid 0, 0.005, ..., 1 whose Clopper-Pearson
 * upper bound (at delta / grid size: Bonferroni) on the wrong-answer rate
 * among answered items is <= alpha; 1 (answer only certainties) when none
 * is. With exchangeable data the chosen threshold's true wrong-answer rate
 * is <= alpha with probability >= 1 - delta. *ok tells whether one passed. */
double lk_eval_threshold_target(const lk_eval_item_t *items, size_t n, double alpha, double delta, int *ok /* OUT */);

#endif
