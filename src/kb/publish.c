/*
 * Publishing: the knowledge base a draft would make (the candidate), and the
 * regression check that compares what the bot does with every example
 * question before and after (docs/kb.md, "Publishing").
 *
 * Pure: no I/O, no clock, no NLU. The caller judges each question through
 * a callback (the server builds an NLU model of each knowledge base), so the
 * comparison and its counts are tested here with any judge.
 */
#include "kb/kb.h"

#include "util/util.h"

#include <stdlib.h>
#include <string.h>

void lk_kb_put(lk_kb_t *kb, const lk_article_t *a)
{
    long k = lk_kb_find(kb, a->id);
    if (k >= 0) {
        lk_article_free(&kb->articles[k]);
        lk_article_copy(&kb->articles[k], a);
        return;
    }
    size_t at = 0;
    while (at < kb->n_articles && strcmp(kb->articles[at].id, a->id) < 0)
        at++;
    kb->articles = lk_xrealloc(kb->articles, (kb->n_articles + 1) * sizeof *kb->articles);
    memmove(&kb->articles[at + 1], &kb->articles[at], (kb->n_articles - at) * sizeof *kb->articles);
    memset(&kb->articles[at], 0, sizeof *kb->articles);
    lk_article_copy(&kb->articles[at], a);
    kb->n_articles++;
}

/* ---- the set of example questions ------------------------------------------ */

typedef struct {
    const char *text;
    const char *language;
} question_t;

/* Every example question of the knowledge bases once (by language and
 * text), in the order first seen; an open-addressing table over v. */
typedef struct {
    question_t *v;
    size_t n, cap;
    size_t *slots; /* index + 1 */
    size_t mask;
} qset_t;

static uint64_t hash_q(const char *lang, const char *text)
{
    uint64_t h = 1469598103934665603ULL;
    for (const char *s = lang; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    h = (h ^ 0xFF) * 1099511628211ULL;
    for (const char *s = text; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static void qset_add(qset_t *s, const char *text, const char *lang)
{
    if (s->n * 2 >= s->mask) {
        size_t cap = (s->mask + 1) * 4;
        free(s->slots);
        s->slots = lk_xcalloc(cap, sizeof *s->slots);
        s->mask = cap - 1;
        for (size_t i = 0; i < s->n; i++) {
            size_t k = (size_t)hash_q(s->v[i].language, s->v[i].text) & s->mask;
            while (s->slots[k])
                k = (k + 1) & s->mask;
            s->slots[k] = i + 1;
        }
    }
    size_t k = (size_t)hash_q(lang, text) & s->mask;
    while (s->slots[k]) {
        const question_t *q = &s->v[s->slots[k] - 1];
        if (strcmp(q->text, text) == 0 && strcmp(q->language, lang) == 0)
            return;
        k = (k + 1) & s->mask;
    }
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 256;
        s->v = lk_xrealloc(s->v, s->cap * sizeof *s->v);
    }
    s->v[s->n] = (question_t){text, lang};
    s->slots[k] = ++s->n;
}

static void qset_add_kb(qset_t *s, const lk_kb_t *kb)
{
    for (size_t i = 0; i < kb->n_articles; i++)
        for (size_t q = 0; q < kb->articles[i].n_questions; q++)
            qset_add(s, kb->articles[i].questions[q], kb->articles[i].language);
}

/* ---- the check ----------------------------------------------------------------- */

static bool same_id(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* A verdict that offers choices: not answered, two or more offered. */
static bool offers(const lk_kb_verdict_t *v)
{
    return !v->answer && v->n_choices >= 2;
}

static bool same_verdict(const lk_kb_verdict_t *a, const lk_kb_verdict_t *b)
{
    if (a->answer != b->answer)
        return false;
    if (a->answer)
        return same_id(a->article, b->article);
    if (offers(a) != offers(b))
        return false;
    if (!offers(a))
        return true; /* both decline */
    if (a->n_choices != b->n_choices)
        return false;
    for (size_t k = 0; k < a->n_choices && k < LK_KB_VERDICT_CHOICES; k++)
        if (!same_id(a->choices[k], b->choices[k]))
            return false;
    return true;
}

void lk_kb_regression(const lk_kb_t *current, const lk_kb_t *candidate, lk_kb_judge_fn judge, void *ud,
                      size_t max_changes, lk_kb_regression_t *out)
{
    memset(out, 0, sizeof *out);
    qset_t qs = {NULL, 0, 0, lk_xcalloc(64, sizeof(size_t)), 63};
    qset_add_kb(&qs, candidate);
    qset_add_kb(&qs, current);
    out->checked = qs.n;
    for (size_t i = 0; i < qs.n; i++) {
        lk_kb_verdict_t from = judge(ud, false, qs.v[i].text, qs.v[i].language);
        lk_kb_verdict_t to = judge(ud, true, qs.v[i].text, qs.v[i].language);
        if (same_verdict(&from, &to))
            continue;
        out->total++;
        if (from.answer && to.answer)
            out->moved++;
        else if (to.answer)
            out->answered++;
        else if (offers(&to))
            out->offered++; /* e.g. answered by A before, "A or B?" after */
        else
            out->declined++; /* answered or offered before */
        if (out->n_changes < max_changes) {
            if (out->n_changes == out->cap) {
                out->cap = out->cap ? 2 * out->cap : 16;
                out->changes = lk_xrealloc(out->changes, out->cap * sizeof *out->changes);
            }
            out->changes[out->n_changes++] = (lk_kb_change_t){qs.v[i].text, qs.v[i].language, from, to};
        }
    }
    free(qs.v);
    free(qs.slots);
}

void lk_kb_regression_free(lk_kb_regression_t *r)
{
    if (!r)
        return;
    free(r->changes);
    memset(r, 0, sizeof *r);
}
