/*
 * The conversations a dashboard report holds (docs/analytics.md): the
 * conversations of a range with what each was about (topics: the articles
 * the bot answered with and the gap topics it could not answer), the
 * population the report counts, repeat contacts, the topics' counts, and
 * the summary's figures per day, language and channel.
 *
 * Pure: the caller streams the store's rows into lk_analytics_set_conv and
 * lk_analytics_set_answered and adds the gap topics it clustered; no I/O,
 * no clock (now is an argument).
 */
#include "analytics/analytics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lk_analytics_set_init(lk_analytics_set_t *h, int64_t from, int64_t to, const char *language, const char *channel)
{
    memset(h, 0, sizeof *h);
    h->from = from;
    h->to = to;
    h->language = language && language[0] ? language : NULL;
    h->channel = channel && channel[0] ? channel : NULL;
}

bool lk_analytics_set_matches(const lk_analytics_set_t *h, const lk_conv_facts_t *c)
{
    return (!h->language || strcmp(c->language, h->language) == 0) &&
           (!h->channel || strcmp(c->channel, h->channel) == 0);
}

int lk_analytics_set_conv(const lk_conv_facts_t *c, void *ud)
{
    lk_analytics_set_t *h = ud;
    if (h->n == h->cap) {
        h->cap = h->cap ? 2 * h->cap : 256;
        h->v = lk_xrealloc(h->v, h->cap * sizeof *h->v);
    }
    lk_analytics_held_t *x = &h->v[h->n];
    memset(x, 0, sizeof *x);
    x->f = *c;
    x->f.customer_email = c->customer_email ? lk_xstrdup(c->customer_email) : NULL;
    x->f.customer_external_id = c->customer_external_id ? lk_xstrdup(c->customer_external_id) : NULL;
    x->in_population = c->created_at >= h->from && c->created_at < h->to && lk_analytics_set_matches(h, c);
    lk_analytics_intern(&h->ids, c->id);
    h->n++;
    return 0;
}

void lk_analytics_set_add_topic(lk_analytics_set_t *h, size_t conv, uint32_t t)
{
    lk_analytics_held_t *x = &h->v[conv];
    for (size_t i = 0; i < x->n_topics; i++)
        if (x->topics[i] == t)
            return;
    if (x->n_topics == x->cap_topics) {
        x->cap_topics = x->cap_topics ? 2 * x->cap_topics : 4;
        x->topics = lk_xrealloc(x->topics, x->cap_topics * sizeof *x->topics);
    }
    size_t i = x->n_topics++;
    while (i > 0 && x->topics[i - 1] > t) { /* keep sorted */
        x->topics[i] = x->topics[i - 1];
        i--;
    }
    x->topics[i] = t;
}

long lk_analytics_set_find(const lk_analytics_set_t *h, const char *conversation_id)
{
    return lk_analytics_intern_find(&h->ids, conversation_id);
}

int lk_analytics_set_answered(const char *conversation_id, const char *article_id, void *ud)
{
    lk_analytics_set_t *h = ud;
    long ix = lk_analytics_set_find(h, conversation_id);
    if (ix < 0)
        return 0;
    char key[LK_KB_ID_MAX + 8];
    snprintf(key, sizeof key, "a:%s", article_id);
    lk_analytics_set_add_topic(h, (size_t)ix, lk_analytics_intern(&h->topics, key));
    return 0;
}

uint32_t lk_analytics_set_gap_topic(lk_analytics_set_t *h, const char *first_message_id)
{
    /* named like the gap report's topics: "t_" and the earliest question's id without "m_" */
    const char *mid = first_message_id;
    char key[LK_ID_MAX + 8];
    snprintf(key, sizeof key, "g:t_%s", strncmp(mid, "m_", 2) == 0 ? mid + 2 : mid);
    return lk_analytics_intern(&h->topics, key);
}

bool *lk_analytics_set_repeats(const lk_analytics_set_t *h)
{
    lk_analytics_contact_t *c = lk_xcalloc(h->n ? h->n : 1, sizeof *c);
    for (size_t i = 0; i < h->n; i++) {
        const lk_analytics_held_t *x = &h->v[i];
        c[i] = (lk_analytics_contact_t){x->f.created_at,  x->f.customer_email, x->f.customer_external_id,
                                        x->f.client_hash, x->topics,           x->n_topics};
    }
    bool *followed = lk_xcalloc(h->n ? h->n : 1, sizeof *followed);
    lk_analytics_repeats(c, h->n, LK_ANALYTICS_REPEAT_WINDOW_MS, followed, NULL);
    free(c);
    return followed;
}

lk_analytics_topic_count_t *lk_analytics_set_topic_counts(const lk_analytics_set_t *h, int64_t week0, int64_t week1,
                                                          int64_t end)
{
    size_t n_t = h->topics.n;
    lk_analytics_topic_count_t *tc = lk_xcalloc(n_t ? n_t : 1, sizeof *tc);
    for (size_t t = 0; t < n_t; t++)
        tc[t].topic = (uint32_t)t;
    for (size_t i = 0; i < h->n; i++) {
        const lk_analytics_held_t *x = &h->v[i];
        if (!lk_analytics_set_matches(h, &x->f))
            continue;
        for (size_t k = 0; k < x->n_topics; k++) {
            lk_analytics_topic_count_t *c = &tc[x->topics[k]];
            c->count += x->in_population;
            c->this_week += x->f.created_at >= week1 && x->f.created_at < end;
            c->last_week += x->f.created_at >= week0 && x->f.created_at < week1;
        }
    }
    return tc;
}

void lk_analytics_set_free(lk_analytics_set_t *h)
{
    for (size_t i = 0; i < h->n; i++) {
        free(h->v[i].f.customer_email);
        free(h->v[i].f.customer_external_id);
        free(h->v[i].topics);
    }
    free(h->v);
    lk_analytics_intern_free(&h->ids);
    lk_analytics_intern_free(&h->topics);
    memset(h, 0, sizeof *h);
}

/* ---- the summary ------------------------------------------------------------------ */

static lk_analytics_figures_t *group(lk_analytics_group_t **v, size_t *n, const char *key)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*v)[i].key, key) == 0)
            return &(*v)[i].f;
    *v = lk_xrealloc(*v, (*n + 1) * sizeof **v);
    lk_analytics_group_t *g = &(*v)[(*n)++];
    memset(g, 0, sizeof *g);
    snprintf(g->key, sizeof g->key, "%s", key);
    return &g->f;
}

static int cmp_group(const void *a, const void *b)
{
    return strcmp(((const lk_analytics_group_t *)a)->key, ((const lk_analytics_group_t *)b)->key);
}

static void groups_finish(lk_analytics_group_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        lk_analytics_finish(&v[i].f);
    if (n > 1)
        qsort(v, n, sizeof *v, cmp_group);
}

void lk_analytics_summary(const lk_analytics_set_t *h, const bool *followed, const lk_analytics_tz_t *tz, int64_t now,
                          lk_analytics_summary_t *out)
{
    memset(out, 0, sizeof *out);
    out->day0 = lk_analytics_day_of(tz, h->from);
    int64_t day1 = lk_analytics_day_of(tz, h->to - 1);
    out->n_days = (size_t)(day1 - out->day0 + 1);
    out->days = lk_xcalloc(out->n_days, sizeof *out->days);
    for (size_t i = 0; i < h->n; i++) {
        const lk_analytics_held_t *x = &h->v[i];
        if (!x->in_population)
            continue;
        lk_analytics_add(&out->total, &x->f, followed[i], now);
        int64_t d = lk_analytics_day_of(tz, x->f.created_at) - out->day0;
        if (d >= 0 && (size_t)d < out->n_days)
            lk_analytics_add(&out->days[d], &x->f, followed[i], now);
        lk_analytics_add(group(&out->languages, &out->n_languages, x->f.language), &x->f, followed[i], now);
        lk_analytics_add(group(&out->channels, &out->n_channels, x->f.channel[0] ? x->f.channel : "unknown"), &x->f,
                         followed[i], now);
    }
    lk_analytics_finish(&out->total);
    for (size_t d = 0; d < out->n_days; d++)
        lk_analytics_finish(&out->days[d]);
    groups_finish(out->languages, out->n_languages);
    groups_finish(out->channels, out->n_channels);
}

void lk_analytics_summary_free(lk_analytics_summary_t *s)
{
    lk_analytics_figures_free(&s->total);
    for (size_t d = 0; d < s->n_days; d++)
        lk_analytics_figures_free(&s->days[d]);
    free(s->days);
    for (size_t i = 0; i < s->n_languages; i++)
        lk_analytics_figures_free(&s->languages[i].f);
    free(s->languages);
    for (size_t i = 0; i < s->n_channels; i++)
        lk_analytics_figures_free(&s->channels[i].f);
    free(s->channels);
    memset(s, 0, sizeof *s);
}
