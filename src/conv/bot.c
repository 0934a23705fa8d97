/*
 * The bot (conv.h): the knowledge base and the NLU model built from it, as
 * one reference-counted, read-only bundle, and the answering threshold: the
 * one the calibration chose for answer_risk, with the answer reviews' right
 * and wrong marks and the company's own labelled questions among the
 * calibration's questions (lk_bot_model_build),
 * raised by the one the answer reviews support (chosen here at publishing,
 * stored as meta "nlu_threshold", applied by the next bot built).
 */
#include "conv/conv.h"
#include "privacy/privacy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MODULE "conv"
#define RECAL_REVIEWS 5000 /* the newest reviews recalibration looks at */
#define META_THRESHOLD "nlu_threshold"
#define COMPANY_QUESTIONS 20000 /* the company's labelled questions a build reads (the oldest) */

void lk_bot_nlu_options(double answer_risk, lk_nlu_options_t *opts)
{
    lk_nlu_options_default(opts);
    opts->answer_risk = answer_risk;
    opts->builtin_negatives = true;
}

/* The reviews in conversation order, so each conversation is read once. */
static int review_by_conversation(const void *a, const void *b)
{
    const lk_review_t *x = a, *y = b;
    return strcmp(x->conversation_id, y->conversation_id);
}

/* The text of the customer's message that the bot message message_id
 * answered: the nearest customer message before it in msgs (one
 * conversation, seq order); NULL when there is none. */
static const char *question_of(const lk_msg_t *msgs, size_t n, const char *message_id)
{
    size_t at = n;
    for (size_t i = 0; i < n && at == n; i++)
        if (strcmp(msgs[i].id, message_id) == 0)
            at = i;
    if (at == n)
        return NULL; /* the reviewed message is gone */
    while (at-- > 0)
        if (msgs[at].sender == LK_SENDER_CUSTOMER)
            return msgs[at].text && msgs[at].text[0] ? msgs[at].text : NULL;
    return NULL;
}

/* The labelled questions the newest answer reviews make for kb: the
 * customer's question before each reviewed answer, with the verdict mapped
 * (right: the answer's article answers it; wrong with the article that
 * should have answered: that one does; wrong without: the answer's article
 * does not). Reviews whose article is no longer in kb, or whose question
 * cannot be found, are skipped. The texts are copies: free with
 * labelled_free. */
static int review_labelled(lk_store_t *st, const lk_kb_t *kb, lk_nlu_labelled_t **out, size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    lk_review_t *v = NULL;
    size_t n = 0;
    int rc = lk_store_review_list(st, 0, 0, RECAL_REVIEWS, &v, &n);
    if (rc)
        return rc;
    if (n == 0) {
        free(v);
        return 0;
    }
    qsort(v, n, sizeof *v, review_by_conversation);
    lk_nlu_labelled_t *lab = lk_xcalloc(n, sizeof *lab);
    size_t k = 0;
    lk_msg_t *msgs = NULL;
    size_t n_msgs = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (i == 0 || strcmp(v[i].conversation_id, v[i - 1].conversation_id) != 0) {
            lk_msgs_free(msgs, n_msgs);
            msgs = NULL;
            n_msgs = 0;
            rc = lk_store_msg_list(st, v[i].conversation_id, 0, 0, &msgs, &n_msgs);
            if (rc)
                break;
        }
        bool wrong = v[i].verdict != LK_VERDICT_RIGHT;
        const char *id = wrong && v[i].correct_article_id[0] ? v[i].correct_article_id : v[i].article_id;
        long article = lk_kb_find(kb, id);
        const char *q = question_of(msgs, n_msgs, v[i].message_id);
        if (article < 0 || !q)
            continue; /* the article was deleted, or the question is gone */
        lab[k++] = (lk_nlu_labelled_t){lk_xstrdup(q), article, wrong && !v[i].correct_article_id[0]};
    }
    lk_msgs_free(msgs, n_msgs);
    free(v);
    if (rc) {
        for (size_t i = 0; i < k; i++)
            free((char *)lab[i].text);
        free(lab);
        return rc;
    }
    *out = lab;
    *n_out = k;
    return 0;
}

/* The company's own labelled questions (store.h, group labelled) that kb
 * can take, appended to *lab (*n entries, grown): an article's that is in
 * kb, and every out-of-scope one; those of an article no longer in kb are
 * skipped. *n_company counts the ones appended. The texts are copies. */
static int company_labelled(lk_store_t *st, const lk_kb_t *kb, lk_nlu_labelled_t **lab, size_t *n, size_t *n_company)
{
    *n_company = 0;
    lk_labelled_t *v = NULL;
    size_t m = 0;
    int rc = lk_store_labelled_list(st, NULL, 0, COMPANY_QUESTIONS, &v, &m);
    if (rc || m == 0)
        return rc;
    *lab = lk_xrealloc(*lab, (*n + m) * sizeof **lab);
    for (size_t i = 0; i < m; i++) {
        long article = v[i].article_id[0] ? lk_kb_find(kb, v[i].article_id) : -1;
        if (v[i].article_id[0] && article < 0)
            continue; /* stale: the article is gone */
        (*lab)[(*n)++] = (lk_nlu_labelled_t){lk_xstrdup(v[i].text), article, false};
        (*n_company)++;
    }
    lk_labelled_free(v, m);
    return 0;
}

/* Orders labelled questions by text, then article (for the search below). */
static int by_text_article(const void *a, const void *b)
{
    const lk_nlu_labelled_t *x = a, *y = b;
    int c = strcmp(x->text, y->text);
    return c ? c : (x->article > y->article) - (x->article < y->article);
}

/* The same order's first key alone: a search for the text, whatever its label. */
static int by_text(const void *a, const void *b)
{
    return strcmp(((const lk_nlu_labelled_t *)a)->text, ((const lk_nlu_labelled_t *)b)->text);
}

/* A customer's question that is both reviewed (lab[0..*n_review)) and kept
 * by the company as a labelled question (lab[*n_review..n), e.g. taken over
 * from the review) would count twice in the bound: such a review, its
 * question redacted as the company's is, is dropped when the company gives
 * it the same answer or, for a "wrong" mark without the right article, any
 * label (the company's says more). The company's stays when the review
 * leaves with its conversation. Compacts lab; *n_review and *n shrink by
 * the drops. */
static void drop_reviews_kept(lk_nlu_labelled_t *lab, size_t *n_review, size_t *n)
{
    size_t n_company = *n - *n_review;
    if (n_company == 0 || *n_review == 0)
        return;
    lk_nlu_labelled_t *company = lk_xmalloc(n_company * sizeof *company);
    memcpy(company, lab + *n_review, n_company * sizeof *company);
    qsort(company, n_company, sizeof *company, by_text_article);
    size_t k = 0;
    for (size_t i = 0; i < *n_review; i++) {
        char *red = lk_pii_redact(lab[i].text, strlen(lab[i].text));
        lk_nlu_labelled_t key = {red, lab[i].article, false};
        bool kept = bsearch(&key, company, n_company, sizeof *company, lab[i].wrong ? by_text : by_text_article);
        free(red);
        if (kept)
            free((char *)lab[i].text);
        else
            lab[k++] = lab[i];
    }
    free(company);
    size_t dropped = *n_review - k;
    memmove(lab + k, lab + *n_review, n_company * sizeof *lab);
    *n_review = k;
    *n -= dropped;
}

int lk_bot_model_build(lk_store_t *st, const lk_kb_t *kb, double answer_risk, lk_nlu_model_t **out,
                       bool *reviews_threshold, size_t *company_questions)
{
    lk_nlu_labelled_t *lab = NULL;
    size_t n_lab = 0, n_company = 0;
    int rc = review_labelled(st, kb, &lab, &n_lab);
    size_t n_review = n_lab;
    if (rc == 0)
        rc = company_labelled(st, kb, &lab, &n_lab, &n_company);
    if (rc == 0)
        drop_reviews_kept(lab, &n_review, &n_lab);
    if (rc) {
        for (size_t i = 0; i < n_lab; i++)
            free((char *)lab[i].text);
        free(lab);
        return rc;
    }
    if (company_questions)
        *company_questions = n_company;
    lk_nlu_options_t opts;
    lk_bot_nlu_options(answer_risk, &opts);
    opts.labelled = lab;
    opts.n_labelled = n_lab;
    lk_nlu_model_t *model = NULL;
    rc = lk_nlu_build(kb, &opts, &model);
    for (size_t i = 0; i < n_lab; i++)
        free((char *)lab[i].text);
    free(lab);
    if (rc)
        return rc;
    bool raised = lk_bot_apply_reviews_threshold(st, model);
    if (reviews_threshold)
        *reviews_threshold = raised;
    *out = model;
    return 0;
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
    if (rc == 0)
        rc = lk_bot_model_build(st, &bot->kb, answer_risk, &bot->nlu, &bot->reviews_threshold, &bot->company_questions);
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
    /* A calibrated bot's threshold (met, or where the bound is lowest when
     * not) is only raised by the reviews: reviewed answers all lie above the
     * threshold they were given at, and say nothing of the questions below
     * it (their marks join the calibration itself, lk_bot_model_build). */
    if (c.done && c.threshold >= reviewed)
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
            items[k++] = (lk_review_item_t){v[i].confidence, v[i].verdict == LK_VERDICT_RIGHT};
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
