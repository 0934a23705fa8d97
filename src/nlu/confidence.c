/*
 * confidence.c: the model's confidence, a small logistic model over what the
 * classifier and the neighbours say (top probability, margin, neighbour
 * similarity, unknown words, ...) fitted on held-out folds of the examples,
 * where a fold also hides some articles entirely so that their questions
 * stand in for out-of-scope questions. Its output estimates the probability
 * that the top article is right. The same held-out questions lk_nlu__calibrate the
 * answering threshold and the choices (with lk_nlu_curve_* of stats.c).
 */
#include "nlu/nlu_int.h"

#include "util/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Cross-validation folds: five when the articles have few example questions
 * (each held-out question is then scored by a model that saw 80% of them,
 * close to the model that answers), three when they have many (cheaper, and
 * on CLINC150's 100 a question the confidence fits better; docs/quality.md). */
#define FOLDS_FEW 5
#define FOLDS_MANY 3
#define MANY_EXAMPLES 20  /* per article, on average */
#define HIDE_SHARE 6      /* each fold hides 1 in this many articles */
#define OOS_WEIGHT 0.25   /* out-of-scope stand-ins weigh this share of the in-scope ones */
#define CHOICE_MAX 3      /* articles offered as choices at most */
#define CHOICE_REL 0.15   /* a further choice has at least this share of the top's probability */
#define CHOICE_TARGET 0.6 /* choices are offered where the right article is among them this often */

/* Used when the knowledge base is too small to fit on held-out folds: fitted
 * on CLINC150 (docs/quality.md), reasonable for any KB of short questions. */
static const double conf_default_w[LK_NLU__N_CONF] = {0.0, 0.167, 0.540, 1.495, 0.190, 0.134, -1.274, 4.905};
static const double conf_default_b = -3.793;

static double sigmoid(double x)
{
    return 1.0 / (1.0 + exp(-x));
}

/* Weighted L2-regularised logistic regression by Newton's method. The ridge
 * is worth about one example: nothing on CLINC150's thousands of held-out
 * questions, but on a knowledge base of a few dozen articles it keeps the
 * confidence from reaching 1 on questions that fit two articles (it was
 * 1e-3, and "how do I send this back" got 1.000 between two return
 * articles). */
#define CONF_RIDGE 1.0

static void fit_logistic(const double *phi, const double *y, const double *w, size_t n, double *coef, double *b)
{
    enum { D = LK_NLU__N_CONF + 1 };
    double th[D] = {0};
    const double ridge = CONF_RIDGE;
    for (int it = 0; it < 30; it++) {
        double H[D][D] = {{0}}, g[D] = {0};
        for (size_t i = 0; i < n; i++) {
            double x[D];
            memcpy(x, phi + i * LK_NLU__N_CONF, LK_NLU__N_CONF * sizeof *x);
            x[D - 1] = 1;
            double z = 0;
            for (int d = 0; d < D; d++)
                z += th[d] * x[d];
            double p = sigmoid(z);
            double r = w[i] * (p - y[i]), s = w[i] * p * (1 - p);
            for (int a = 0; a < D; a++) {
                g[a] += r * x[a];
                for (int c = 0; c < D; c++)
                    H[a][c] += s * x[a] * x[c];
            }
        }
        for (int a = 0; a < D - 1; a++) { /* ridge, not on the intercept */
            g[a] += ridge * th[a];
            H[a][a] += ridge;
        }
        H[D - 1][D - 1] += 1e-9;
        /* solve H step = g (Gaussian elimination, partial pivoting) */
        double A[D][D + 1];
        for (int a = 0; a < D; a++) {
            memcpy(A[a], H[a], sizeof H[a]);
            A[a][D] = g[a];
        }
        for (int c = 0; c < D; c++) {
            int piv = c;
            for (int a = c + 1; a < D; a++)
                if (fabs(A[a][c]) > fabs(A[piv][c]))
                    piv = a;
            if (piv != c)
                for (int j = 0; j <= D; j++) {
                    double t = A[c][j];
                    A[c][j] = A[piv][j];
                    A[piv][j] = t;
                }
            if (fabs(A[c][c]) < 1e-12)
                continue;
            for (int a = c + 1; a < D; a++) {
                double f = A[a][c] / A[c][c];
                for (int j = c; j <= D; j++)
                    A[a][j] -= f * A[c][j];
            }
        }
        double step[D];
        for (int a = D - 1; a >= 0; a--) {
            double s = A[a][D];
            for (int j = a + 1; j < D; j++)
                s -= A[a][j] * step[j];
            step[a] = fabs(A[a][a]) < 1e-12 ? 0 : s / A[a][a];
        }
        double delta = 0;
        for (int a = 0; a < D; a++) {
            th[a] -= step[a];
            delta += fabs(step[a]);
        }
        if (delta < 1e-8)
            break;
    }
    memcpy(coef, th, LK_NLU__N_CONF * sizeof *coef);
    *b = th[D - 1];
}

static double conf_with(const double *cw, double cb, const double *phi)
{
    double z = cb;
    for (int d = 0; d < LK_NLU__N_CONF; d++)
        z += cw[d] * phi[d];
    return sigmoid(z);
}

double lk_nlu__confidence(const lk_nlu_model_t *m, const double *phi)
{
    return conf_with(m->conf_fitted ? m->conf_w : conf_default_w, m->conf_fitted ? m->conf_b : conf_default_b, phi);
}

/* The number of choices offered for a reading with these top
 * probabilities, and the confidence that the right article is among them
 * (conf: the calibrated confidence in the top one). The top two at least:
 * a question the bot does not answer although one article is a clear
 * favourite is asked as "A or B?" (the favourite first) rather than
 * declined; it was declined when no second article had CHOICE_REL of the
 * top's probability, and once the fallback answers only where the bound is
 * lowest (stats.c), those questions are many (docs/quality.md). */
size_t lk_nlu__choice_set(const float *prob, size_t n_top, double conf, double *set_conf /* OUT */)
{
    size_t k = 1;
    double sum = prob[0];
    if (n_top >= 2) /* the top two at least: "A or B?" */
        sum += prob[k++];
    while (k < n_top && k < CHOICE_MAX && prob[k] >= CHOICE_REL * prob[0])
        sum += prob[k++];
    double c = prob[0] > 0 ? conf * sum / prob[0] : 0;
    *set_conf = c > 1 ? 1 : c;
    return k;
}

/* The calibration from the cross-validation's held-out questions: each
 * fold's confidences come from a confidence model fitted on the other folds
 * (so that no question grades the model that scored it), then the threshold
 * (lk_nlu_calibrate_items) and the choice threshold: the lowest set
 * confidence at which, among the questions not answered, the right article
 * is still among the choices CHOICE_TARGET of the time (out-of-scope
 * questions weighted to the assumed share, and always a miss). */
void lk_nlu__calibrate(lk_nlu_model_t *m, const lk_nlu__cv_item_t *it, size_t n, int folds, const lk_nlu_options_t *o)
{
    double *phi = lk_xmalloc((n ? n : 1) * LK_NLU__N_CONF * sizeof *phi);
    double *y = lk_xmalloc((n ? n : 1) * sizeof *y);
    double *w = lk_xmalloc((n ? n : 1) * sizeof *w);
    double *conf = lk_xmalloc((n ? n : 1) * sizeof *conf);
    for (int k = 0; k < folds; k++) {
        size_t nk = 0, tot_in = 0, tot_oos = 0;
        for (size_t i = 0; i < n; i++) {
            if (it[i].fold == k || it[i].calib_only)
                continue;
            memcpy(phi + nk * LK_NLU__N_CONF, it[i].phi, sizeof it[i].phi);
            y[nk] = !it[i].oos && it[i].rank == 0;
            w[nk] = it[i].oos;
            tot_oos += it[i].oos;
            tot_in += !it[i].oos;
            nk++;
        }
        for (size_t i = 0; i < nk; i++)
            w[i] = w[i] > 0 ? (tot_oos ? OOS_WEIGHT * (double)tot_in / (double)tot_oos : 0) : 1.0;
        double cw[LK_NLU__N_CONF], cb;
        fit_logistic(phi, y, w, nk, cw, &cb);
        for (size_t i = 0; i < n; i++)
            if (it[i].fold == k && !it[i].labelled)
                conf[i] = conf_with(cw, cb, it[i].phi);
    }
    size_t n_lab = 0;
    for (size_t i = 0; i < n; i++)
        if (it[i].labelled) {
            conf[i] = it[i].conf;
            n_lab++;
        }
    lk_nlu_item_t *items = lk_xmalloc((n ? n : 1) * sizeof *items);
    size_t n_cal = 0;
    for (size_t i = 0; i < n; i++)
        if (!it[i].hidden) /* the hidden articles' questions only fit the confidence */
            items[n_cal++] = (lk_nlu_item_t){conf[i], !it[i].oos && it[i].rank == 0, it[i].oos};
    lk_nlu_calibration_t *c = &m->calib;
    m->curve = lk_xmalloc(sizeof *m->curve);
    lk_nlu_curve_build(items, n_cal, m->curve);
    lk_nlu_curve_calibrate(m->curve, o->answer_risk, o->risk_delta, o->oos_share, o->answer_threshold, c);
    c->done = true;
    c->n_labelled = n_lab;
    double answer_at = c->threshold;

    /* choices among the questions the threshold does not answer */
    size_t n_in = c->n_in, n_oos = c->n_oos, n_c = 0;
    double pi = o->oos_share;
    for (size_t i = 0; i < n; i++) {
        if (conf[i] >= answer_at || it[i].n_top < 2 || conf[i] < LK_NLU__CHOICE_MIN_TOP)
            continue;
        double sc;
        size_t k = lk_nlu__choice_set(it[i].prob, it[i].n_top, conf[i], &sc);
        if (k < 2)
            continue;
        bool hit = !it[i].oos && it[i].rank >= 0 && (size_t)it[i].rank < k;
        items[n_c++] = (lk_nlu_item_t){sc, hit, it[i].oos};
    }
    /* walk down the set confidence; weights as in traffic */
    double w_in = n_in ? (1 - pi) / (double)n_in : 0, w_oos = n_oos ? pi / (double)n_oos : 0;
    for (size_t i = 1; i < n_c; i++) { /* insertion sort, descending: n_c is small */
        lk_nlu_item_t t = items[i];
        size_t j = i;
        while (j > 0 && items[j - 1].confidence < t.confidence) {
            items[j] = items[j - 1];
            j--;
        }
        items[j] = t;
    }
    double hit_mass = 0, all_mass = 0, chosen = 2; /* 2: never */
    size_t hits = 0, hits_chosen = 0;
    for (size_t i = 0; i < n_c; i++) {
        all_mass += items[i].oos ? w_oos : w_in;
        hit_mass += items[i].correct ? w_in : 0;
        hits += items[i].correct != 0;
        if (i + 1 < n_c && items[i + 1].confidence == items[i].confidence)
            continue;
        if (hit_mass >= CHOICE_TARGET * all_mass) {
            chosen = items[i].confidence;
            hits_chosen = hits;
        }
    }
    c->choice_threshold = chosen;
    c->helped = n_in ? c->accuracy + (double)hits_chosen / (double)n_in : 0;
    free(items);
    free(phi);
    free(y);
    free(w);
    free(conf);
}

/* Fits the confidence model on held-out folds; false when there is too
 * little data (then the defaults stay). With o->answer_risk > 0 it hands
 * the held-out questions to the caller for the calibration (*cal, *n_cal
 * of them, free with free(); room is left for o->n_labelled more). */
bool lk_nlu__fit_confidence(lk_nlu_model_t *m, const lk_nlu__examples_t *ex, const lk_nlu_options_t *o,
                            lk_nlu__cv_item_t **cal /* OUT */, size_t *n_cal /* OUT */, int *n_folds /* OUT */)
{
    int epochs = o->epochs;
    uint64_t seed = o->seed;
    size_t C = m->n_cls;
    size_t n_in = 0;
    for (size_t i = 0; i < ex->n; i++)
        n_in += ex->v[i].label >= 0 && !ex->v[i].answer;
    if (C < 4 || n_in < 8 * C / 2 || n_in < 40)
        return false;
    const int folds = n_in < MANY_EXAMPLES * C ? FOLDS_FEW : FOLDS_MANY;

    /* folds of the examples; each fold also hides 1/HIDE_SHARE of the articles */
    uint64_t rs = seed ^ 0xD1B54A32D192ED03ULL;
    uint8_t *fold = lk_xmalloc(ex->n);
    for (size_t i = 0, j = 0; i < ex->n; i++) /* the built-in questions take turns (no draw) */
        fold[i] = (uint8_t)(ex->v[i].label == LK_NLU__CALIB_ONLY || ex->v[i].answer
                                ? j++ % (size_t)folds
                                : lk_nlu__rng_next(&rs) % (uint64_t)folds);
    uint32_t *cls_perm = lk_xmalloc(C * sizeof *cls_perm);
    for (size_t c = 0; c < C; c++)
        cls_perm[c] = (uint32_t)c;
    for (size_t i = C; i > 1; i--) {
        size_t j = (size_t)(lk_nlu__rng_next(&rs) % i);
        uint32_t t = cls_perm[i - 1];
        cls_perm[i - 1] = cls_perm[j];
        cls_perm[j] = t;
    }
    uint8_t *hidden_in = lk_xmalloc(C); /* article c is hidden in fold hidden_in[c], or none */
    size_t n_hide = C / HIDE_SHARE;
    memset(hidden_in, 0xFF, C);
    for (size_t k = 0; k < (size_t)folds; k++)
        for (size_t j = 0; j < n_hide; j++)
            hidden_in[cls_perm[k * n_hide + j]] = (uint8_t)k;

    lk_nlu__cv_item_t *items = lk_xcalloc(ex->n + o->n_labelled, sizeof *items);
    double *phi = lk_xmalloc(ex->n * LK_NLU__N_CONF * sizeof *phi);
    double *y = lk_xmalloc(ex->n * sizeof *y);
    double *w = lk_xmalloc(ex->n * sizeof *w);
    size_t n_items = 0;
    size_t *idx = lk_xmalloc(ex->n * sizeof *idx);
    float *W = lk_xmalloc(m->feat.n * C * sizeof *W);
    float *bias = lk_xmalloc(C * sizeof *bias);
    float *z = lk_xmalloc(C * sizeof *z);
    float *sim = lk_xmalloc(C * sizeof *sim);
    for (int k = 0; k < folds; k++) {
        size_t n = 0;
        for (size_t i = 0; i < ex->n; i++) {
            long l = ex->v[i].label;
            if ((fold[i] != k || ex->v[i].answer) && l != LK_NLU__CALIB_ONLY && (l < 0 || hidden_in[l] != k))
                idx[n++] = i;
        }
        lk_nlu__train_lr(W, bias, m->feat.n, C, ex, idx, n, epochs, seed + (uint64_t)k + 1);
        lk_nlu__knn_t knn;
        lk_nlu__knn_build(&knn, ex, idx, n);
        for (size_t i = 0; i < ex->n; i++) {
            if (fold[i] != k || ex->v[i].answer)
                continue;
            const lk_nlu__example_t *e = &ex->v[i];
            lk_nlu__raw_read_t r;
            lk_nlu__raw_read(W, bias, C, &knn, e->f, e->x, e->n, e->terms, e->n_terms, z, sim, &r);
            bool oos = e->label < 0 || hidden_in[e->label] == k;
            lk_nlu__cv_item_t *it = &items[n_items++];
            memcpy(it->phi, r.phi, sizeof r.phi);
            memcpy(it->prob, r.prob, sizeof r.prob);
            it->n_top = r.n_top;
            it->rank = -1;
            for (size_t j = 0; !oos && j < r.n_top; j++)
                if (r.top[j] == e->label)
                    it->rank = (int)j;
            it->fold = (uint8_t)k;
            it->oos = oos;
            it->hidden = e->label >= 0 && oos;
            it->calib_only = e->label == LK_NLU__CALIB_ONLY;
        }
        lk_nlu__knn_free(&knn);
    }
    double tot_in = 0, tot_oos = 0;
    size_t n_fit = 0;
    for (size_t i = 0; i < n_items; i++) {
        if (items[i].calib_only)
            continue;
        if (items[i].oos)
            tot_oos += 1;
        else
            tot_in += 1;
    }
    for (size_t i = 0; i < n_items; i++) {
        if (items[i].calib_only)
            continue;
        memcpy(phi + n_fit * LK_NLU__N_CONF, items[i].phi, sizeof items[i].phi);
        y[n_fit] = !items[i].oos && items[i].rank == 0;
        w[n_fit++] = items[i].oos ? (tot_oos > 0 ? OOS_WEIGHT * tot_in / tot_oos : 0) : 1.0;
    }
    fit_logistic(phi, y, w, n_fit, m->conf_w, &m->conf_b);
    if (o->answer_risk > 0) {
        *cal = items;
        *n_cal = n_items;
        *n_folds = folds;
        items = NULL;
    }

    free(fold);
    free(cls_perm);
    free(hidden_in);
    free(items);
    free(phi);
    free(y);
    free(w);
    free(idx);
    free(W);
    free(bias);
    free(z);
    free(sim);
    return true;
}

/* Reads the labelled questions of o with the finished model (m's threshold
 * not yet set by the calibration) into it[], as the calibration counts them
 * (see lk_nlu_options_t.labelled); returns how many. A question that
 * matches only on function words is never answered: confidence 0. */
size_t lk_nlu__read_labelled(lk_nlu_model_t *m, const lk_nlu_options_t *o, lk_nlu__cv_item_t *it)
{
    size_t n = 0;
    double keep = m->threshold;
    m->threshold = 0; /* answer: the question matches on more than function words */
    for (size_t i = 0; i < o->n_labelled; i++) {
        const lk_nlu_labelled_t *l = &o->labelled[i];
        if (!l->text || l->article < -1 || l->article >= (long)m->n_cls || (l->wrong && l->article < 0))
            continue;
        lk_nlu_reading_t r;
        if (lk_nlu_read(m, l->text, strlen(l->text), NULL, &r) != 0 || !r.n_top)
            continue;
        if (l->wrong && r.top[0].article != l->article)
            continue; /* the model answers otherwise now: the mark tells nothing of that */
        lk_nlu__cv_item_t *c = &it[n++];
        memset(c, 0, sizeof *c);
        c->labelled = true;
        c->calib_only = true; /* not for the confidence model */
        c->fold = UINT8_MAX;
        c->oos = !l->wrong && l->article < 0;
        c->conf = r.answer ? r.top[0].confidence : 0;
        c->n_top = r.n_top;
        c->rank = -1;
        for (size_t k = 0; k < r.n_top; k++) {
            c->prob[k] = (float)(r.top[0].confidence > 0 ? r.top[k].confidence / r.top[0].confidence : k == 0);
            if (!c->oos && !l->wrong && r.top[k].article == l->article && c->rank < 0)
                c->rank = (int)k;
        }
    }
    m->threshold = keep;
    return n;
}
