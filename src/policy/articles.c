/*
 * policy: the knowledge base's articles as the policy uses them (part of the
 * pure policy module, see policy_int.h).
 *
 * Which article to quote in the conversation's language (the article itself,
 * or a translation in its group), whether an article is tagged sensitive,
 * and the answer itself: the article's text and link, and the "did this
 * help?" question when the configuration asks for it.
 */
#include "policy/policy_int.h"

#include <stdbool.h>
#include <string.h>

bool lk_pol_valid_article(const lk_policy_env_t *env, long i)
{
    return env->kb && i >= 0 && (size_t)i < env->kb->n_articles;
}

bool lk_pol_kb_has_language(const lk_kb_t *kb, const char *lang)
{
    if (!kb)
        return true; /* nothing to check against */
    for (size_t i = 0; i < kb->n_articles; i++)
        if (kb->articles[i].language && strcmp(kb->articles[i].language, lang) == 0)
            return true;
    return false;
}

bool lk_pol_tagged_sensitive(const lk_article_t *a)
{
    for (size_t i = 0; i < a->n_tags; i++)
        if (lk_pol_ieq(a->tags[i], "sensitive") || lk_pol_ieq(a->tags[i], "gevoelig"))
            return true;
    return false;
}

static long find_in_language(const lk_kb_t *kb, const char *id, size_t idlen, const char *suffix,
                             const char *lang)
{
    char buf[LK_KB_ID_MAX + 16];
    size_t sl = suffix ? strlen(suffix) : 0;
    if (idlen + sl + 1 >= sizeof buf)
        return -1;
    memcpy(buf, id, idlen);
    if (sl)
        memcpy(buf + idlen, suffix, sl);
    buf[idlen + sl] = '\0';
    long j = lk_kb_find(kb, buf);
    if (j >= 0 && kb->articles[j].language && strcmp(kb->articles[j].language, lang) == 0)
        return j;
    return -1;
}

static bool same_tags(const lk_article_t *a, const lk_article_t *b)
{
    if (a->n_tags == 0 || a->n_tags != b->n_tags)
        return false;
    for (size_t i = 0; i < a->n_tags; i++) {
        bool found = false;
        for (size_t k = 0; k < b->n_tags && !found; k++)
            found = strcmp(a->tags[i], b->tags[k]) == 0;
        if (!found)
            return false;
    }
    return true;
}

/* The translation of a in lang by its translation group (docs/kb.md: the
 * original's id names the group; the original itself may carry no group), or
 * -1. */
static long translation_in_group(const lk_kb_t *kb, const lk_article_t *a, const char *lang)
{
    const char *group = a->translation_group && *a->translation_group ? a->translation_group : a->id;
    for (size_t k = 0; k < kb->n_articles; k++) {
        const lk_article_t *b = &kb->articles[k];
        if (b == a || !b->language || strcmp(b->language, lang) != 0)
            continue;
        if ((b->translation_group && strcmp(b->translation_group, group) == 0) ||
            (a->translation_group && strcmp(b->id, a->translation_group) == 0))
            return (long)k;
    }
    return -1;
}

/* The version of article i in lang: i itself, or its translation by the
 * translation group, or by the id convention ("X" in Dutch, "X-en" in
 * English; generally "X-<lang>"), or the one article in lang with exactly
 * the same tags; else i. */
long lk_pol_article_in_language(const lk_kb_t *kb, long i, const char *lang)
{
    const lk_article_t *a = &kb->articles[i];
    if (!a->language || strcmp(a->language, lang) == 0)
        return i;
    long g = translation_in_group(kb, a, lang);
    if (g >= 0)
        return g;
    size_t idlen = strlen(a->id), ll = strlen(a->language);
    if (idlen > ll + 1 && a->id[idlen - ll - 1] == '-' && strcmp(a->id + idlen - ll, a->language) == 0)
        idlen -= ll + 1; /* "X-en" -> "X" */
    char suffix[12];
    size_t tl = strlen(lang);
    if (tl + 2 <= sizeof suffix) {
        suffix[0] = '-';
        memcpy(suffix + 1, lang, tl + 1);
        long j = find_in_language(kb, a->id, idlen, suffix, lang);
        if (j >= 0)
            return j;
    }
    long j = find_in_language(kb, a->id, idlen, NULL, lang);
    if (j >= 0)
        return j;
    long found = -1;
    for (size_t k = 0; k < kb->n_articles; k++) {
        const lk_article_t *b = &kb->articles[k];
        if (b->language && strcmp(b->language, lang) == 0 && same_tags(a, b)) {
            if (found >= 0)
                return i; /* ambiguous */
            found = (long)k;
        }
    }
    return found >= 0 ? found : i;
}

/* Quotes article raw (mapped to the customer's language) as a bot answer. */
void lk_pol_answer(ctx_t *c, long raw, double confidence, bool ask)
{
    const lk_kb_t *kb = c->env->kb;
    long i = lk_pol_article_in_language(kb, raw, c->st->language);
    const lk_article_t *a = &kb->articles[i];
    lk_buf_t b;
    lk_buf_init(&b, LK_POL_TEXT_MAX);
    (void)lk_buf_append_cstr(&b, a->answer ? a->answer : "");
    if (a->url && *a->url) {
        (void)lk_buf_append_cstr(&b, "\n\n");
        (void)lk_buf_append_cstr(&b, T(c, T_MORE_INFO));
        (void)lk_buf_append_cstr(&b, a->url);
    }
    if (ask) {
        (void)lk_buf_append_cstr(&b, "\n\n");
        (void)lk_buf_append_cstr(&b, T(c, T_FEEDBACK_Q));
    }
    lk_policy_action_t *x = lk_pol_say_buf(c, LK_SENDER_BOT, LK_SAY_ANSWER, &b);
    x->article = i;
    x->confidence = confidence;
}

/* Has article i a version in the conversation's language (itself, or a
 * translation)? An article without a language counts as every language. */
bool lk_pol_has_version(const ctx_t *c, long i)
{
    const lk_kb_t *kb = c->env->kb;
    const lk_article_t *a = &kb->articles[lk_pol_article_in_language(kb, i, c->st->language)];
    return !a->language || strcmp(a->language, c->st->language) == 0;
}
