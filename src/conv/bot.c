/*
 * The bot (conv.h): the knowledge base and the NLU model built from it, as
 * one reference-counted, read-only bundle, and the answering threshold: the
 * one the calibration chose for answer_risk, raised by the one the answer
 * reviews support (chosen here at publishing, stored as meta
 * "nlu_threshold", applied by the next bot built).
 */
#include "conv/conv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MODULE "conv"
#define RECAL_REVIEWS 5000 /* the newest reviews recalibration looks at */
#define META_THRESHOLD "nlu_threshold"

void lk_bot_nlu_options(double answer_risk, lk_nlu_options_t *opts)
{
    lk_nlu_options_default(opts);
    opts->answer_risk = answer_risk;
    opts->builtin_negatives = true;
}

int lk_bot_build(lk_store_t *st, double answer_risk, lk_bot_t **out)
{
    lk_bot_t *bot = lk_xcalloc(1, sizeof *bot);
    atomic_init(&bot->refs, 1);
    lk_kb_init(&bot->kb);
    int rc = lk_store_kb_version(st, &bot->version);
    if (rc == 0)
        rc = lk_store_kb_load(st, &bot->kb);
    if (rc == 0) /* answers are Markdown; the chat shows plain text (docs/kb.md) */
        lk_kb_answers_to_text(&bot->kb);
    if (rc == 0) {
        lk_nlu_options_t opts;
        lk_bot_nlu_options(answer_risk, &opts);
        rc = lk_nlu_build(&bot->kb, &opts, &bot->nlu);
    }
    if (rc == 0)
        bot->reviews_threshold = lk_bot_apply_reviews_threshold(st, bot->nlu);
    if (rc) {
        lk_kb_free(&bot->kb);
        free(bot);
        return rc;
    }
    *out = bot;
    return 0;
}

void lk_bot_release(lk_bot_t *bot)
{
    if (bot && atomic_fetch_sub(&bot->refs, 1) == 1) {
        lk_nlu_free(bot->nlu);
        lk_kb_free(&bot->kb);
        free(bot);
    }
}

bool lk_bot_apply_reviews_threshold(lk_store_t *st, lk_nlu_model_t *nlu)
{
    double reviewed;
    if (!lk_conv_stored_threshold(st, &reviewed))
        return false;
    lk_nlu_calibration_t c;
    lk_nlu_calibration(nlu, &c);
    if (c.done && c.met && c.threshold >= reviewed)
        return false; /* the calibration asks for more than the reviews: it stands */
    lk_nlu_set_threshold(nlu, reviewed);
    return true;
}

bool lk_conv_stored_threshold(lk_store_t *st, double *out)
{
    char *v = NULL;
    if (lk_store_meta_get(st, META_THRESHOLD, &v) != 0)
        return false;
    char *end = NULL;
    double t = strtod(v, &end);
    bool ok = end != v && *end == '\0' && t >= 0 && t <= 1;
    free(v);
    if (ok)
        *out = t;
    return ok;
}

int lk_conv_threshold_recommend(lk_store_t *st, double *current, lk_review_recommendation_t *rec)
{
    if (!lk_conv_stored_threshold(st, current)) {
        lk_nlu_options_t o; /* the threshold the bot answers at when nothing was recalibrated */
        lk_nlu_options_default(&o);
        *current = o.answer_threshold;
    }
    lk_review_t *v = NULL;
    size_t n = 0;
    int rc = lk_store_review_list(st, 0, 0, RECAL_REVIEWS, &v, &n);
    if (rc)
        return rc;
    lk_review_item_t *items = lk_xcalloc(n ? n : 1, sizeof *items);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (v[i].has_confidence)
            items[k++] = (lk_review_item_t){v[i].confidence, strcmp(v[i].verdict, "right") == 0};
    lk_review_recommend(items, k, *current, NULL, rec);
    free(items);
    free(v);
    return 0;
}

int lk_conv_recalibrate(lk_store_t *st, int64_t now)
{
    if (!st)
        return LK_EINVAL;
    double current;
    lk_review_recommendation_t rec;
    int rc = lk_conv_threshold_recommend(st, &current, &rec);
    if (rc || !rec.changed)
        return rc;
    char value[32], detail[128];
    snprintf(value, sizeof value, "%.4f", rec.threshold);
    rc = lk_store_meta_set(st, META_THRESHOLD, value);
    if (rc == 0) {
        snprintf(detail, sizeof detail, "threshold %.4f -> %.4f (%zu reviewed answers, %zu wrong, target %s)", current,
                 rec.threshold, rec.answered, rec.wrong, rec.target_met ? "met" : "not met");
        rc = lk_store_audit(st, now, "system", "nlu.recalibrate", NULL, detail);
    }
    if (rc == 0)
        LK_INFO(MODULE, "answering threshold recalibrated from %.4f to %.4f", current, rec.threshold);
    return rc;
}
