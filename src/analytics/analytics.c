/*
 * The analytics' definitions, as code (docs/analytics.md says them in
 * words): local days in a time zone, nearest-rank quantiles, what one
 * conversation counts as (contained, resolved, handed off, abandoned, ...),
 * the figures of a set of conversations and of each agent, repeat contact,
 * the order of topics, and CSV cells. Pure: the store reads the facts, the
 * API turns the figures into JSON and CSV.
 */
#include "analytics/analytics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- time zones and days ------------------------------------------------ */

int lk_analytics_tz_parse(const char *name, lk_analytics_tz_t *out)
{
    if (!name || !out || !name[0] || strlen(name) >= sizeof out->name)
        return LK_EINVAL;
    lk_analytics_tz_t tz;
    memset(&tz, 0, sizeof tz);
    lk_policy_config_default(&tz.zone);
    if (lk_policy_config_set(&tz.zone, "time_zone", name) != 0)
        return LK_EINVAL;
    memcpy(tz.name, name, strlen(name) + 1);
    *out = tz;
    return 0;
}

int lk_analytics_tz_offset_min(const lk_analytics_tz_t *tz, int64_t t_ms)
{
    return lk_policy_utc_offset_min(&tz->zone, t_ms);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int64_t lk_analytics_day_of(const lk_analytics_tz_t *tz, int64_t t_ms)
{
    int64_t local = t_ms + (int64_t)lk_analytics_tz_offset_min(tz, t_ms) * 60000;
    return floor_div(local, LK_ANALYTICS_DAY_MS);
}

int64_t lk_analytics_day_start(const lk_analytics_tz_t *tz, int64_t day)
{
    int64_t local = day * LK_ANALYTICS_DAY_MS;
    /* the offset in force at that local midnight: try the one of the instant
     * the standard offset gives, then correct once (EU zones change at
     * 01:00 UTC, never at a local midnight) */
    int off = lk_analytics_tz_offset_min(tz, local - (int64_t)tz->zone.tz_offset_min * 60000);
    int64_t t = local - (int64_t)off * 60000;
    int off2 = lk_analytics_tz_offset_min(tz, t);
    if (off2 != off)
        t = local - (int64_t)off2 * 60000;
    return t;
}

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

void lk_analytics_day_name(int64_t day, char out[11])
{
    int64_t y;
    int m, d;
    civil_from_days(day, &y, &m, &d);
    if (y < 0 || y > 9999) {
        memcpy(out, "0000-00-00", 11);
        return;
    }
    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
}

int lk_analytics_parse_bound(const char *s, const lk_analytics_tz_t *tz, bool end, int64_t *ms)
{
    if (!s || !tz || !ms)
        return LK_EINVAL;
    if (strlen(s) == 10 && s[4] == '-' && s[7] == '-') {
        int y, m, d;
        if (lk_parse_digits(s, 4, &y) || lk_parse_digits(s + 5, 2, &m) || lk_parse_digits(s + 8, 2, &d) || y < 1970 ||
            m < 1 || m > 12 || d < 1 || d > 31)
            return LK_EINVAL;
        int64_t day = days_from_civil(y, m, d);
        int64_t yy;
        int mm, dd;
        civil_from_days(day, &yy, &mm, &dd);
        if (mm != m || dd != d) /* 31 April */
            return LK_EINVAL;
        *ms = lk_analytics_day_start(tz, end ? day + 1 : day);
        return 0;
    }
    if (!strchr(s, 'T') && !strchr(s, 't'))
        return LK_EINVAL;
    return lk_time_parse_rfc3339(s, ms) == 0 ? 0 : LK_EINVAL;
}

/* ---- quantiles ----------------------------------------------------------- */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

void lk_analytics_sort(int64_t *v, size_t n)
{
    if (v && n > 1)
        qsort(v, n, sizeof *v, cmp_i64);
}

int64_t lk_analytics_quantile(const int64_t *sorted, size_t n, double p)
{
    if (!sorted || n == 0 || !(p > 0))
        return -1;
    if (p > 1)
        p = 1;
    double r = ceil(p * (double)n - 1e-9);
    size_t rank = r < 1 ? 1 : (size_t)r;
    if (rank > n)
        rank = n;
    return sorted[rank - 1];
}

/* The friendly unit (seconds) for a duration of s seconds. */
static int64_t wait_unit(int64_t s)
{
    if (s < 15 * 60)
        return 60;
    if (s < 3600)
        return 5 * 60;
    if (s < 3 * 3600)
        return 15 * 60;
    return 3600;
}

void lk_analytics_wait_estimate(const int64_t *waits_ms, size_t n, int64_t position, lk_analytics_wait_t *out)
{
    out->known = false;
    out->min_s = out->max_s = 0;
    if (!waits_ms || n < LK_WAIT_MIN_SAMPLES || position < 1)
        return;
    int64_t *v = lk_xmalloc(n * sizeof *v);
    memcpy(v, waits_ms, n * sizeof *v);
    lk_analytics_sort(v, n);
    int64_t q1 = lk_analytics_quantile(v, n, 0.25), q3 = lk_analytics_quantile(v, n, 0.75);
    free(v);
    if (q1 < 0)
        q1 = 0;
    if (q3 < q1)
        q3 = q1;
    if (position > 1000) /* a queue this deep is counted in hours anyway */
        position = 1000;
    /* ms to s: the low end rounded down, the high end up */
    int64_t lo = q1 / 1000 * position, hi = (q3 + 999) / 1000 * position;
    if (hi < 60) {
        out->min_s = 0;
        out->max_s = 60;
    } else {
        int64_t ul = wait_unit(lo), uh = wait_unit(hi);
        out->min_s = lo / ul * ul;
        out->max_s = (hi + uh - 1) / uh * uh;
    }
    out->known = true;
}

void lk_analytics_list_add(lk_analytics_list_t *l, int64_t ms)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->v = lk_xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = ms;
}

void lk_analytics_list_free(lk_analytics_list_t *l)
{
    if (!l)
        return;
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* ---- the figures ---------------------------------------------------------- */

const char *lk_analytics_reason_name(size_t i)
{
    if (i + 1 >= LK_ANALYTICS_REASONS)
        return "other";
    return lk_handoff_reason_name((lk_handoff_reason_t)(i + 1));
}

/* The counter of a reason: NONE and one past the known ones count as "other". */
static size_t reason_slot(lk_handoff_reason_t r)
{
    return r > LK_HANDOFF_NONE && (size_t)r < LK_ANALYTICS_REASONS ? (size_t)r - 1 : LK_ANALYTICS_REASONS - 1;
}

size_t lk_analytics_reason_index(const char *reason)
{
    lk_handoff_reason_t r;
    if (!reason || lk_handoff_reason_parse(reason, &r) != 0)
        return LK_ANALYTICS_REASONS - 1;
    return reason_slot(r);
}

void lk_analytics_figures_free(lk_analytics_figures_t *f)
{
    if (!f)
        return;
    lk_analytics_list_free(&f->waits);
    memset(f, 0, sizeof *f);
}

void lk_analytics_classify(const lk_conv_facts_t *c, bool repeat, int64_t now, lk_analytics_class_t *out)
{
    memset(out, 0, sizeof *out);
    out->person = c->assigned_at > 0 || c->first_agent_at > 0;
    out->handed_off = c->queued_at > 0 || c->handoff_reason != LK_HANDOFF_NONE || out->person;
    out->contained = !out->handed_off;
    out->helpful = c->rating >= 4 || c->helpful_yes > 0;
    out->unhelpful = !out->helpful && ((c->rating >= 1 && c->rating <= 2) || c->helpful_no > 0);
    out->resolved = out->contained && (out->helpful || (!repeat && !out->unhelpful));
    out->reached_person = c->queued_at > 0 && c->first_agent_after_queue >= c->queued_at;
    out->wait_ms = out->reached_person ? c->first_agent_after_queue - c->queued_at : -1;
    if (c->queued_at > 0 && !out->reached_person && c->assigned_at == 0 && c->callbacks == 0) {
        if (c->status == LK_CONV_CLOSED) {
            out->abandoned = true;
        } else if (c->status == LK_CONV_QUEUED) {
            int64_t last = c->last_customer_at > c->queued_at ? c->last_customer_at : c->queued_at;
            out->abandoned = now - last >= LK_ANALYTICS_ABANDON_MS;
        }
    }
}

static void csat_add(lk_analytics_csat_t *s, int rating)
{
    s->count++;
    s->sum += rating;
    s->satisfied += rating >= 4;
}

void lk_analytics_add(lk_analytics_figures_t *f, const lk_conv_facts_t *c, bool repeat, int64_t now)
{
    lk_analytics_class_t k;
    lk_analytics_classify(c, repeat, now, &k);
    f->conversations++;
    f->contained += k.contained;
    f->resolved += k.resolved;
    if (k.handed_off) {
        f->handed_off++;
        f->handoffs[reason_slot(c->handoff_reason)]++;
    }
    if (k.reached_person) {
        f->reached_person++;
        lk_analytics_list_add(&f->waits, k.wait_ms);
    }
    f->abandoned += k.abandoned;
    f->answers += c->answered;
    f->declines += c->declined;
    f->reviewed += c->reviewed;
    f->reviewed_right += c->reviewed_right;
    f->repeat_contacts += repeat;
    if (c->rating >= 1 && c->rating <= 5) {
        if (k.contained)
            csat_add(&f->csat_bot, c->rating);
        else if (k.person)
            csat_add(&f->csat_human, c->rating);
    }
    f->callbacks += c->callbacks > 0;
    f->choice_offers += c->choice_offers;
    f->choice_picks += c->choice_picks;
}

void lk_analytics_finish(lk_analytics_figures_t *f)
{
    lk_analytics_sort(f->waits.v, f->waits.n);
}

/* ---- agents ------------------------------------------------------------------ */

lk_analytics_agent_t *lk_analytics_agent(lk_analytics_agents_t *a, const char *user_id)
{
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->v[i].user_id, user_id) == 0)
            return &a->v[i];
    if (a->n == a->cap) {
        a->cap = a->cap ? 2 * a->cap : 8;
        a->v = lk_xrealloc(a->v, a->cap * sizeof *a->v);
    }
    lk_analytics_agent_t *x = &a->v[a->n++];
    memset(x, 0, sizeof *x);
    snprintf(x->user_id, sizeof x->user_id, "%s", user_id);
    return x;
}

void lk_analytics_agents_add(lk_analytics_agents_t *a, const lk_conv_facts_t *c)
{
    if (!c->assigned_to[0])
        return;
    lk_analytics_agent_t *x = lk_analytics_agent(a, c->assigned_to);
    x->conversations++;
    if (c->closed_at > 0 && c->assigned_at > 0 && c->closed_at >= c->assigned_at) {
        x->closed++;
        lk_analytics_list_add(&x->handle, c->closed_at - c->assigned_at);
    }
    if (c->first_owner_reply > 0 && c->assigned_at > 0 && c->first_owner_reply >= c->assigned_at)
        lk_analytics_list_add(&x->first_response, c->first_owner_reply - c->assigned_at);
}

static int cmp_agent(const void *a, const void *b)
{
    return strcmp(((const lk_analytics_agent_t *)a)->user_id, ((const lk_analytics_agent_t *)b)->user_id);
}

void lk_analytics_agents_finish(lk_analytics_agents_t *a)
{
    for (size_t i = 0; i < a->n; i++) {
        lk_analytics_sort(a->v[i].handle.v, a->v[i].handle.n);
        lk_analytics_sort(a->v[i].first_response.v, a->v[i].first_response.n);
    }
    if (a->n > 1)
        qsort(a->v, a->n, sizeof *a->v, cmp_agent);
}

void lk_analytics_agents_free(lk_analytics_agents_t *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n; i++) {
        lk_analytics_list_free(&a->v[i].handle);
        lk_analytics_list_free(&a->v[i].first_response);
    }
    free(a->v);
    memset(a, 0, sizeof *a);
}

/* ---- repeat contact ----------------------------------------------------------- */

typedef struct {
    const char *key;
    int64_t at;
    size_t ix;
} keyed_t;

static int cmp_keyed(const void *a, const void *b)
{
    const keyed_t *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c)
        return c;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return (x->ix > y->ix) - (x->ix < y->ix);
}

static bool known(const char *s)
{
    return s && s[0];
}

static bool topics_meet(const lk_analytics_contact_t *a, const lk_analytics_contact_t *b)
{
    size_t i = 0, j = 0;
    while (i < a->n_topics && j < b->n_topics) {
        if (a->topics[i] == b->topics[j])
            return true;
        if (a->topics[i] < b->topics[j])
            i++;
        else
            j++;
    }
    return false;
}

/* One kind of customer key: 0 e-mail, 1 external id, 2 client hash (only
 * for conversations that know neither of the others). */
static const char *key_of(const lk_analytics_contact_t *c, int kind)
{
    if (kind == 0)
        return known(c->email) ? c->email : NULL;
    if (kind == 1)
        return known(c->external_id) ? c->external_id : NULL;
    return !known(c->email) && !known(c->external_id) && known(c->client_hash) ? c->client_hash : NULL;
}

void lk_analytics_repeats(const lk_analytics_contact_t *c, size_t n, int64_t window_ms, bool *followed, bool *repeat)
{
    for (size_t i = 0; i < n; i++) {
        followed[i] = false;
        if (repeat)
            repeat[i] = false;
    }
    if (n == 0)
        return;
    keyed_t *v = lk_xcalloc(n, sizeof *v);
    for (int kind = 0; kind < 3; kind++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            const char *k = key_of(&c[i], kind);
            if (k && c[i].n_topics > 0)
                v[m++] = (keyed_t){k, c[i].created_at, i};
        }
        qsort(v, m, sizeof *v, cmp_keyed);
        for (size_t a = 0; a < m; a++) {
            for (size_t b = a + 1; b < m && strcmp(v[a].key, v[b].key) == 0; b++) {
                if (v[b].at - v[a].at > window_ms)
                    break;
                if (topics_meet(&c[v[a].ix], &c[v[b].ix])) {
                    followed[v[a].ix] = true;
                    if (repeat)
                        repeat[v[b].ix] = true;
                }
            }
        }
    }
    free(v);
}

/* ---- topics -------------------------------------------------------------------- */

static int cmp_top(const void *a, const void *b)
{
    const lk_analytics_topic_count_t *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return (x->topic > y->topic) - (x->topic < y->topic);
}

void lk_analytics_topics_top(lk_analytics_topic_count_t *v, size_t n)
{
    if (v && n > 1)
        qsort(v, n, sizeof *v, cmp_top);
}

static int cmp_rise(const void *a, const void *b)
{
    const lk_analytics_topic_count_t *x = a, *y = b;
    bool rx = x->this_week > x->last_week, ry = y->this_week > y->last_week;
    if (rx != ry)
        return rx ? -1 : 1;
    int64_t dx = x->this_week - x->last_week, dy = y->this_week - y->last_week;
    if (dx != dy)
        return dx > dy ? -1 : 1;
    if (x->this_week != y->this_week)
        return x->this_week > y->this_week ? -1 : 1;
    return (x->topic > y->topic) - (x->topic < y->topic);
}

size_t lk_analytics_topics_rising(lk_analytics_topic_count_t *v, size_t n)
{
    if (!v || n == 0)
        return 0;
    qsort(v, n, sizeof *v, cmp_rise);
    size_t k = 0;
    while (k < n && v[k].this_week > v[k].last_week)
        k++;
    return k;
}

void lk_analytics_agents_total(const lk_analytics_agents_t *a, lk_analytics_agent_t *all)
{
    memset(all, 0, sizeof *all);
    for (size_t i = 0; i < a->n; i++) {
        all->conversations += a->v[i].conversations;
        all->closed += a->v[i].closed;
        all->messages += a->v[i].messages;
        all->suggested += a->v[i].suggested;
        all->suggested_edited += a->v[i].suggested_edited;
        for (size_t k = 0; k < a->v[i].handle.n; k++)
            lk_analytics_list_add(&all->handle, a->v[i].handle.v[k]);
        for (size_t k = 0; k < a->v[i].first_response.n; k++)
            lk_analytics_list_add(&all->first_response, a->v[i].first_response.v[k]);
    }
    lk_analytics_sort(all->handle.v, all->handle.n);
    lk_analytics_sort(all->first_response.v, all->first_response.n);
}
