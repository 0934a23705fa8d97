/*
 * eval.c: `loket eval` (see eval.h and docs/quality.md).
 *
 * Threshold on --val, two ways:
 *  - default: maximise in-scope accuracy + out-of-scope recall (each in
 *    [0, 1], so the few out-of-scope examples weigh as much as the many
 *    in-scope ones);
 *  - --target-error ALPHA: Learn-then-Test with a Bonferroni-corrected
 *    Clopper-Pearson bound over a fixed grid of thresholds, so that with
 *    probability >= 1 - delta (default 0.1) the wrong-answer rate (wrong
 *    answers among answered questions) is at most ALPHA, provided validation
 *    and test questions are exchangeable (drawn from the same distribution,
 *    in particular with the same share of out-of-scope questions).
 */
#include "eval/eval.h"

#include "kb/kb.h"
#include "nlu/nlu.h"
#include "text/text.h"
#include "util/util.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILE (512u << 20)
#define GRID 200 /* threshold steps of 0.005 (the curve) */
#define DEFAULT_DELTA 0.1

/* ---- data files ------------------------------------------------------------ */

typedef struct {
    char **text;
    char **label;
    size_t n, cap;
} data_t;

static void data_free(data_t *d)
{
    lk_strv_free(d->text, d->n);
    lk_strv_free(d->label, d->n);
    memset(d, 0, sizeof *d);
}

static char *read_file(const char *path, size_t *len, char *err, size_t errsize)
{
    /* opened here first: a data file is a file ("-" is no standard input
     * here), and a file that cannot be opened is named with the reason */
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errsize, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    fclose(f);
    char *s = lk_kb_read_file(path, MAX_FILE, len);
    if (!s)
        snprintf(err, errsize, "%s: %s", path, errno == EFBIG ? "file too large" : "read error");
    return s;
}

/* Reads a JSON-lines file of {"text", "label"}; blank lines are skipped. */
static int load_data(const char *path, data_t *d, char *err, size_t errsize)
{
    size_t len;
    char *s = read_file(path, &len, err, errsize);
    if (!s)
        return LK_EIO;
    size_t line = 0;
    for (size_t i = 0; i < len;) {
        size_t j = i;
        while (j < len && s[j] != '\n')
            j++;
        line++;
        size_t a = i, b = j;
        while (a < b && (s[a] == ' ' || s[a] == '\t' || s[a] == '\r'))
            a++;
        while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\r'))
            b--;
        i = j + 1;
        if (a == b)
            continue;
        json_error_t je;
        json_t *o = json_loadb(s + a, b - a, JSON_REJECT_DUPLICATES, &je);
        json_t *t = o ? json_object_get(o, "text") : NULL;
        json_t *l = o ? json_object_get(o, "label") : NULL;
        if (!o || !json_is_object(o) || !json_is_string(t) || !json_is_string(l) || !json_string_length(l)) {
            snprintf(err, errsize, "%s:%zu: expected {\"text\": string, \"label\": non-empty string}", path, line);
            json_decref(o);
            free(s);
            return LK_EJSON;
        }
        if (d->n == d->cap) {
            d->cap = d->cap ? d->cap * 2 : 1024;
            d->text = lk_xrealloc(d->text, d->cap * sizeof *d->text);
            d->label = lk_xrealloc(d->label, d->cap * sizeof *d->label);
        }
        d->text[d->n] = lk_xstrndup(json_string_value(t), json_string_length(t));
        d->label[d->n] = lk_xstrndup(json_string_value(l), json_string_length(l));
        d->n++;
        json_decref(o);
    }
    free(s);
    return 0;
}

/* Reads --labelled: a company's labelled questions, the file `loket kb
 * labelled import` reads and `export` writes, through the same reader
 * (kb/labelled.c: one {"text", "label", "language" (optional)} a line, all
 * or nothing, naming the bad line). Their labels are checked against
 * --train by the caller. */
static int load_labelled(const char *path, lk_kb_labelled_t **out, size_t *n, char *err, size_t errsize)
{
    size_t len;
    char *s = read_file(path, &len, err, errsize);
    if (!s)
        return LK_EIO;
    char why[400];
    int rc = lk_kb_labelled_parse_lines(s, len, NULL, out, n, why, sizeof why);
    free(s);
    if (rc)
        snprintf(err, errsize, "%s: %s", path, why);
    return rc;
}

static bool is_oos(const char *label)
{
    return !strcmp(label, "oos");
}

/* --shots K: keeps the first k texts of each label (oos too), in file order. */
static void keep_shots(data_t *d, size_t k)
{
    const char **seen = lk_xmalloc((d->n ? d->n : 1) * sizeof *seen); /* distinct labels */
    size_t *count = lk_xcalloc(d->n ? d->n : 1, sizeof *count);
    size_t n_seen = 0, m = 0;
    for (size_t i = 0; i < d->n; i++) {
        size_t j = 0;
        while (j < n_seen && strcmp(seen[j], d->label[i]) != 0)
            j++;
        if (j == n_seen)
            seen[n_seen++] = d->label[i];
        if (count[j]++ < k) {
            d->text[m] = d->text[i];
            d->label[m++] = d->label[i];
        } else {
            free(d->text[i]);
            free(d->label[i]);
        }
    }
    d->n = m;
    free(seen);
    free(count);
}

/* ---- the bot from --train --------------------------------------------------- */

/* Article language from its texts: the language most of them are in. */
static const char *guess_language(char *const *texts, size_t n)
{
    double score = 0;
    for (size_t i = 0; i < n && i < 50; i++) {
        lk_text_lang_t lg;
        lk_text_language(texts[i], strlen(texts[i]), NULL, &lg);
        score += lg.score;
    }
    return score > 0 ? "nl" : "en";
}

static void build_kb(const data_t *train, lk_kb_t *kb, const char ***neg, size_t *n_neg)
{
    lk_kb_init(kb);
    *neg = lk_xmalloc((train->n ? train->n : 1) * sizeof **neg);
    *n_neg = 0;
    /* labels in order of first appearance */
    for (size_t i = 0; i < train->n; i++) {
        const char *label = train->label[i];
        if (is_oos(label)) {
            (*neg)[(*n_neg)++] = train->text[i];
            continue;
        }
        long k = -1;
        for (size_t j = kb->n_articles; j-- > 0;)
            if (!strcmp(kb->articles[j].id, label)) {
                k = (long)j;
                break;
            }
        if (k < 0) {
            kb->articles = lk_xrealloc(kb->articles, (kb->n_articles + 1) * sizeof *kb->articles);
            lk_article_t *a = &kb->articles[kb->n_articles++];
            memset(a, 0, sizeof *a);
            a->id = lk_xstrdup(label);
            a->title = lk_xstrdup(label);
            for (char *p = a->title; *p; p++)
                if (*p == '_')
                    *p = ' ';
            a->answer = lk_xstrdup("");
            k = (long)kb->n_articles - 1;
        }
        lk_article_t *a = &kb->articles[k];
        a->questions = lk_xrealloc(a->questions, (a->n_questions + 1) * sizeof *a->questions);
        a->questions[a->n_questions++] = lk_xstrdup(train->text[i]);
    }
    for (size_t j = 0; j < kb->n_articles; j++) {
        lk_article_t *a = &kb->articles[j];
        a->language = lk_xstrdup(guess_language(a->questions, a->n_questions));
    }
}

static json_t *words_json(char (*w)[32], size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(w[i]));
    return a;
}

/* One line of --explain: the decision, the top articles, the words. */
static void explain_one(const lk_nlu_model_t *m, const lk_kb_t *kb, const char *text, const char *label)
{
    lk_nlu_reading_t r;
    lk_nlu_explanation_t ex;
    if (lk_nlu_read(m, text, strlen(text), NULL, &r) != 0 ||
        lk_nlu_explain(m, text, strlen(text), NULL, r.n_top ? r.top[0].article : -1, &ex) != 0)
        return;
    json_t *o = json_object();
    json_object_set_new(o, "text", json_string(text));
    json_object_set_new(o, "label", json_string(label));
    json_object_set_new(o, "decision", json_string(r.answer ? "answer" : r.ask ? "choices" : "decline"));
    json_t *top = json_array();
    for (size_t k = 0; k < r.n_top; k++) {
        json_t *t = json_object();
        json_object_set_new(t, "label", json_string(kb->articles[r.top[k].article].id));
        json_object_set_new(t, "confidence", json_real(r.top[k].confidence));
        json_array_append_new(top, t);
    }
    json_object_set_new(o, "top", top);
    if (r.ask)
        json_object_set_new(o, "n_choices", json_integer((json_int_t)r.n_choices));
    json_object_set_new(o, "matched", words_json(ex.matched, ex.n_matched));
    json_object_set_new(o, "other_known", words_json(ex.other, ex.n_other));
    json_object_set_new(o, "unknown", words_json(ex.unknown, ex.n_unknown));
    json_object_set_new(o, "function_words_only", json_boolean(ex.function_words_only));
    if (ex.n_via) { /* matched through the synonym lexicon: {"word": "known word"} */
        json_t *via = json_object();
        for (size_t i = 0; i < ex.n_via; i++)
            json_object_set_new(via, ex.via[i].word, json_string(ex.via[i].as));
        json_object_set_new(o, "synonyms", via);
    }
    char *s = json_dumps(o, JSON_REAL_PRECISION(4) | JSON_PRESERVE_ORDER | JSON_COMPACT);
    json_decref(o);
    if (s)
        printf("%s\n", s);
    free(s);
}

/* What the bot did with one test text. */
typedef struct {
    bool answered;
    bool asked;      /* offered choices */
    bool in_choices; /* the right label was among them */
} outcome_t;

/* Reads every text of d; fills items (confidence, correct, oos) and, when
 * out is not NULL, what the bot did. With explain, one JSON line per text on
 * stdout says why. */
static int score_all(const lk_nlu_model_t *m, const lk_kb_t *kb, const data_t *d, lk_nlu_item_t *items, outcome_t *out,
                     double *seconds, bool explain)
{
    int64_t t0 = lk_time_mono_ns();
    for (size_t i = 0; i < d->n; i++) {
        lk_nlu_reading_t r;
        int rc = lk_nlu_read(m, d->text[i], strlen(d->text[i]), NULL, &r);
        if (rc)
            return rc;
        bool oos = is_oos(d->label[i]);
        bool right = !oos && r.n_top && !strcmp(kb->articles[r.top[0].article].id, d->label[i]);
        items[i].confidence = r.n_top ? r.top[0].confidence : 0;
        items[i].correct = right;
        items[i].oos = oos;
        if (out) {
            out[i].answered = r.answer;
            out[i].asked = r.ask;
            out[i].in_choices = false;
            for (size_t k = 0; r.ask && !oos && k < r.n_choices && k < r.n_top; k++)
                out[i].in_choices |= !strcmp(kb->articles[r.top[k].article].id, d->label[i]);
        }
    }
    if (seconds)
        *seconds = (double)(lk_time_mono_ns() - t0) / 1e9;
    if (explain) /* after the timing: explaining is not part of a decision */
        for (size_t i = 0; i < d->n; i++)
            explain_one(m, kb, d->text[i], d->label[i]);
    return 0;
}

typedef struct {
    double in_scope_accuracy, oos_recall, answered_precision, coverage;
    double clarification_rate, choice_recall, helped;
    size_t n_in, n_oos, n_answered;
} figures_t;

static figures_t figures(const lk_nlu_item_t *items, const outcome_t *oc, size_t n, double t)
{
    size_t n_in = 0, n_oos = 0, right = 0, ans_in = 0, oos_declined = 0, answered_n = 0, answered_right = 0;
    size_t asked = 0, asked_in = 0, asked_hit = 0;
    for (size_t i = 0; i < n; i++) {
        bool a = oc ? oc[i].answered : items[i].confidence >= t;
        if (oc && oc[i].asked) {
            asked++;
            asked_in += !items[i].oos;
            asked_hit += oc[i].in_choices;
        }
        if (items[i].oos) {
            n_oos++;
            oos_declined += !a;
        } else {
            n_in++;
            ans_in += a;
            right += a && items[i].correct;
        }
        answered_n += a;
        answered_right += a && items[i].correct;
    }
    figures_t f;
    f.n_in = n_in;
    f.n_oos = n_oos;
    f.n_answered = answered_n;
    f.in_scope_accuracy = n_in ? (double)right / (double)n_in : 0;
    f.oos_recall = n_oos ? (double)oos_declined / (double)n_oos : 0;
    f.answered_precision = answered_n ? (double)answered_right / (double)answered_n : 1;
    f.coverage = n_in ? (double)ans_in / (double)n_in : 0;
    f.clarification_rate = n ? (double)asked / (double)n : 0;
    f.choice_recall = asked_in ? (double)asked_hit / (double)asked_in : 0;
    f.helped = n_in ? (double)(right + asked_hit) / (double)n_in : 0;
    return f;
}

/* ---- the command -------------------------------------------------------------- */

static int usage(const char *msg)
{
    fprintf(stderr,
            "loket eval: %s (usage: loket eval --train FILE --test FILE [--val FILE] [--target-error ALPHA] "
            "[--delta DELTA] [--oos-share P | --balanced] [--curve CSV] [--shots K] [--auto] "
            "[--answer-risk ALPHA] [--labelled FILE] [--explain])\n",
            msg);
    return 1;
}

static bool parse_double(const char *s, double lo, double hi, double *out)
{
    if (!s || !*s)
        return false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || !(v >= lo && v <= hi))
        return false;
    *out = v;
    return true;
}

static int write_curve(const char *path, const lk_nlu_item_t *items, size_t n)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return LK_EIO;
    fprintf(f, "threshold,answered_precision,coverage,in_scope_accuracy,oos_recall\n");
    for (int g = 0; g <= GRID; g++) {
        double t = (double)g / GRID;
        figures_t fg = figures(items, NULL, n, t);
        fprintf(f, "%.3f,%.5f,%.5f,%.5f,%.5f\n", t, fg.answered_precision, fg.coverage, fg.in_scope_accuracy,
                fg.oos_recall);
    }
    return fclose(f) ? LK_EIO : 0;
}

/* Sets numbers on o in order: vals[i] under the i-th of the space-separated
 * names in keys, as integers (exact below 2^53) or as reals. */
static void set_numbers(json_t *o, bool integer, const char *keys, const double *vals)
{
    for (size_t i = 0; *keys; i++) {
        size_t n = strcspn(keys, " ");
        char key[64];
        snprintf(key, sizeof key, "%.*s", (int)n, keys);
        json_object_set_new(o, key, integer ? json_integer((json_int_t)vals[i]) : json_real(vals[i]));
        keys += n + (keys[n] == ' ');
    }
}

int lk_eval_command(int argc, char **argv)
{
    const char *train_path = NULL, *test_path = NULL, *val_path = NULL, *curve_path = NULL, *labelled_path = NULL;
    double alpha = -1, delta = DEFAULT_DELTA, oos_share = -1;
    bool balanced = false, automatic = false, explain = false;
    double answer_risk = LK_EVAL_DEFAULT_ANSWER_RISK;
    int64_t epochs = 0, seed = -1, shots = 0;
    /* the options that take a value: a path, a number strictly between 0
     * and 1, or an integer in [min, max] */
    const struct {
        const char *name;
        const char **path;
        double *unit;
        int64_t *num, min, max;
        const char *error;
    } valued[] = {
        {"--train", &train_path, NULL, NULL, 0, 0, NULL},
        {"--test", &test_path, NULL, NULL, 0, 0, NULL},
        {"--val", &val_path, NULL, NULL, 0, 0, NULL},
        {"--curve", &curve_path, NULL, NULL, 0, 0, NULL},
        {"--labelled", &labelled_path, NULL, NULL, 0, 0, NULL},
        {"--target-error", NULL, &alpha, NULL, 0, 0, "--target-error must be a number between 0 and 1"},
        {"--delta", NULL, &delta, NULL, 0, 0, "--delta must be a number between 0 and 1"},
        {"--answer-risk", NULL, &answer_risk, NULL, 0, 0, "--answer-risk must be a number between 0 and 1"},
        {"--shots", NULL, NULL, &shots, 1, 1000000, "--shots must be a positive integer"},
        {"--epochs", NULL, NULL, &epochs, 1, 1000, "--epochs must be an integer from 1 to 1000"},
        {"--seed", NULL, NULL, &seed, 0, INT64_MAX, "--seed must be a non-negative integer"},
    };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        size_t o = 0;
        while (o < sizeof valued / sizeof *valued && strcmp(a, valued[o].name) != 0)
            o++;
        if (o < sizeof valued / sizeof *valued) {
            if (!v) {
                char msg[96];
                snprintf(msg, sizeof msg, "%s needs a value", a);
                return usage(msg);
            }
            i++;
            if (valued[o].path)
                *valued[o].path = v;
            else if (valued[o].unit &&
                     (!parse_double(v, 0, 1, valued[o].unit) || *valued[o].unit <= 0 || *valued[o].unit >= 1))
                return usage(valued[o].error);
            else if (valued[o].num && lk_parse_i64(v, valued[o].min, valued[o].max, valued[o].num))
                return usage(valued[o].error);
        } else if (!strcmp(a, "--balanced")) {
            balanced = true;
        } else if (!strcmp(a, "--auto")) {
            automatic = true;
        } else if (!strcmp(a, "--explain")) {
            explain = true;
        } else if (!strcmp(a, "--oos-share")) {
            if (!v || !parse_double(v, 0, 1, &oos_share))
                return usage("--oos-share must be a number from 0 to 1");
            i++;
        } else {
            char msg[160];
            snprintf(msg, sizeof msg, "unknown argument \"%.100s\"", a);
            return usage(msg);
        }
    }
    if (!train_path || !test_path)
        return usage("--train and --test are required");
    if (alpha > 0 && !val_path)
        return usage("--target-error needs --val");
    if (automatic && val_path)
        return usage("--auto calibrates from --train alone: leave out --val");
    if (labelled_path && !automatic)
        return usage("--labelled joins the calibration of --auto");

    char err[512];
    data_t train = {0}, val = {0}, test = {0};
    lk_kb_labelled_t *lab = NULL;
    size_t n_lab = 0;
    lk_nlu_labelled_t *labelled = NULL;
    int rc = load_data(train_path, &train, err, sizeof err);
    if (!rc && val_path)
        rc = load_data(val_path, &val, err, sizeof err);
    if (!rc && labelled_path)
        rc = load_labelled(labelled_path, &lab, &n_lab, err, sizeof err);
    if (!rc)
        rc = load_data(test_path, &test, err, sizeof err);
    if (rc) {
        fprintf(stderr, "loket eval: %s\n", err);
        data_free(&train);
        data_free(&val);
        data_free(&test);
        lk_kb_labelled_free(lab, n_lab);
        return 1;
    }

    if (shots > 0)
        keep_shots(&train, (size_t)shots);
    int exit_code = 0;
    lk_kb_t kb;
    const char **neg = NULL;
    size_t n_neg = 0;
    build_kb(&train, &kb, &neg, &n_neg);
    lk_nlu_model_t *m = NULL;
    lk_nlu_item_t *vitems = NULL, *titems = NULL;
    outcome_t *toutcome = NULL;
    if (!kb.n_articles) {
        fprintf(stderr, "loket eval: %s has no in-scope examples\n", train_path);
        exit_code = 1;
        goto done;
    }
    if (!test.n) {
        fprintf(stderr, "loket eval: %s has no examples\n", test_path);
        exit_code = 1;
        goto done;
    }

    lk_nlu_options_t opts;
    lk_nlu_options_default(&opts);
    opts.negatives = neg;
    opts.n_negatives = n_neg;
    if (epochs > 0)
        opts.epochs = (int)epochs;
    if (seed >= 0)
        opts.seed = (unsigned long)seed;
    if (automatic) { /* as serve builds the bot of a knowledge base */
        opts.answer_risk = answer_risk;
        opts.builtin_negatives = true;
    }
    if (n_lab) { /* the company's own labelled questions join the calibration */
        labelled = lk_xmalloc(n_lab * sizeof *labelled);
        for (size_t i = 0; i < n_lab; i++) {
            long a = lab[i].label[0] ? lk_kb_find(&kb, lab[i].label) : -1; /* "" = oos */
            if (a < 0 && lab[i].label[0]) {
                fprintf(stderr, "loket eval: %s: label \"%.100s\" (line %zu) is no label of --train\n", labelled_path,
                        lab[i].label, lab[i].line);
                exit_code = 1;
                goto done;
            }
            labelled[i] = (lk_nlu_labelled_t){lab[i].text, a, false};
        }
        opts.labelled = labelled;
        opts.n_labelled = n_lab;
    }
    int64_t t0 = lk_time_mono_ns();
    rc = lk_nlu_build(&kb, &opts, &m);
    double train_seconds = (double)(lk_time_mono_ns() - t0) / 1e9;
    if (rc) {
        fprintf(stderr, "loket eval: building the model failed: %s\n", lk_strerror(rc));
        exit_code = 2;
        goto done;
    }

    /* the threshold */
    const char *method = automatic ? "auto" : "default";
    int target_ok = 0;
    figures_t vf = {0};
    if (val.n) {
        vitems = lk_xmalloc(val.n * sizeof *vitems);
        if ((rc = score_all(m, &kb, &val, vitems, NULL, NULL, false)) != 0) {
            fprintf(stderr, "loket eval: %s: %s\n", val_path, lk_strerror(rc));
            exit_code = rc == LK_EUTF8 ? 1 : 2;
            goto done;
        }
        double t;
        if (alpha > 0) {
            t = lk_nlu_threshold_target(vitems, val.n, alpha, delta, &target_ok);
            method = "target_error";
        } else if (balanced) {
            t = lk_nlu_threshold_balanced(vitems, val.n);
            method = "balanced";
        } else {
            t = lk_nlu_threshold_weighted(vitems, val.n, oos_share);
            method = oos_share < 0 ? "val_accuracy" : "weighted";
        }
        lk_nlu_set_threshold(m, t);
        vf = figures(vitems, NULL, val.n, lk_nlu_threshold(m));
    }

    /* the test, through the server's decision */
    titems = lk_xmalloc(test.n * sizeof *titems);
    toutcome = lk_xmalloc(test.n * sizeof *toutcome);
    double test_seconds = 0;
    if ((rc = score_all(m, &kb, &test, titems, toutcome, &test_seconds, explain)) != 0) {
        fprintf(stderr, "loket eval: %s: %s\n", test_path, lk_strerror(rc));
        exit_code = rc == LK_EUTF8 ? 1 : 2;
        goto done;
    }
    figures_t tf = figures(titems, toutcome, test.n, 0);
    if (curve_path && write_curve(curve_path, titems, test.n)) {
        fprintf(stderr, "loket eval: cannot write %s\n", curve_path);
        exit_code = 1;
        goto done;
    }

    json_t *o = json_object();
    json_object_set_new(o, "n_test", json_integer((json_int_t)test.n));
    const double figs[] = {tf.in_scope_accuracy,
                           tf.oos_recall,
                           tf.answered_precision,
                           tf.coverage,
                           tf.clarification_rate,
                           tf.choice_recall,
                           tf.helped,
                           train_seconds,
                           test_seconds * 1e6 / (double)test.n,
                           lk_nlu_threshold(m)};
    set_numbers(o, false,
                "in_scope_accuracy oos_recall answered_precision coverage clarification_rate choice_recall helped "
                "train_seconds us_per_query threshold",
                figs);
    json_object_set_new(o, "threshold_method", json_string(method));
    const double counts[] = {(double)train.n, (double)kb.n_articles, (double)tf.n_oos};
    set_numbers(o, true, "n_train n_articles n_test_oos", counts);
    json_object_set_new(o, "wrong_answer_rate", json_real(1.0 - tf.answered_precision));
    if (shots > 0)
        json_object_set_new(o, "shots", json_integer((json_int_t)shots));
    if (automatic) {
        lk_nlu_calibration_t c;
        lk_nlu_calibration(m, &c);
        json_object_set_new(o, "answer_risk", json_real(answer_risk));
        json_object_set_new(o, "calibrated", json_boolean(c.done));
        if (c.done) {
            json_t *e = json_object();
            json_object_set_new(e, "risk_bound", json_real(c.risk_bound));
            json_object_set_new(e, "met", json_boolean(c.met));
            const double cal[] = {c.precision, c.coverage, c.accuracy, c.oos_recall, c.helped, c.choice_threshold};
            set_numbers(e, false, "answered_precision coverage in_scope_accuracy oos_recall helped choice_threshold",
                        cal);
            const double n_cal[] = {(double)c.n_in, (double)c.n_oos, (double)c.n_labelled};
            set_numbers(e, true, labelled_path ? "n_in n_oos n_labelled" : "n_in n_oos", n_cal);
            json_object_set_new(o, "calibration", e);
        }
    }
    if (alpha > 0) {
        json_object_set_new(o, "target_error", json_real(alpha));
        json_object_set_new(o, "delta", json_real(delta));
        json_object_set_new(o, "target_met_on_val", json_boolean(target_ok));
    }
    if (val.n) {
        const double n_val[] = {(double)val.n, (double)vf.n_oos};
        set_numbers(o, true, "n_val n_val_oos", n_val);
        const double vfigs[] = {vf.in_scope_accuracy, vf.oos_recall, vf.answered_precision, vf.coverage};
        set_numbers(o, false, "val_in_scope_accuracy val_oos_recall val_answered_precision val_coverage", vfigs);
    }
    char *s = json_dumps(o, JSON_REAL_PRECISION(6) | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (!s) {
        exit_code = 2;
        goto done;
    }
    printf("%s\n", s);
    free(s);
    fflush(stdout);

done:
    free(vitems);
    free(titems);
    free(toutcome);
    lk_nlu_free(m);
    free(neg);
    lk_kb_free(&kb);
    data_free(&train);
    data_free(&val);
    data_free(&test);
    lk_kb_labelled_free(lab, n_lab);
    free(labelled);
    return exit_code;
}
