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

/* The server's default answer_risk (docs/configuration.md), --answer-risk's default. */
#define LK_EVAL_DEFAULT_ANSWER_RISK 0.05

/* ---- the command ------------------------------------------------------- */

/* `loket eval --train FILE --test FILE [--val FILE] [--target-error ALPHA]
 *  [--delta DELTA] [--oos-share P | --balanced] [--curve CSV] [--epochs N] [--seed N]
 *  [--shots K] [--auto] [--answer-risk ALPHA] [--explain]`.
 * --shots K keeps the first K training texts of each label; --auto
 * calibrates as `serve` does (from --train and the built-in out-of-scope
 * questions, at --answer-risk, default 0.05); --explain prints, before the
 * figures, one JSON line per test text with its decision and the words that
 * matched or were unknown.
 * argv[0] is "eval". Prints one JSON object on stdout; a usage or input
 * error gives one line on stderr. Returns the exit code: 0 success, 1 usage
 * or input error, 2 internal failure. */
int lk_eval_command(int argc, char **argv);

#endif
