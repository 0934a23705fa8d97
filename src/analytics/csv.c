/*
 * The report tables as CSV (RFC 4180; docs/analytics.md, "CSV"): the cells,
 * and the rows of the summary's figures, the agents and the topics, so that
 * every export has its columns in one place and the handlers only pick the
 * rows. Pure: writes into a caller's buffer (its maximum bounds the export).
 */
#include "analytics/analytics.h"

#include <stdio.h>
#include <string.h>

/* A plain number ("-12", "3.5"): no formula guard needed. */
static bool is_number(const char *s)
{
    const char *p = s;
    if (*p == '-' || *p == '+')
        p++;
    if (!*p)
        return false;
    bool dot = false;
    for (; *p; p++) {
        if (*p == '.' && !dot)
            dot = true;
        else if (*p < '0' || *p > '9')
            return false;
    }
    return true;
}

int lk_analytics_csv_field(lk_buf_t *b, const char *s, bool first)
{
    if (!s)
        s = "";
    int rc = first ? 0 : lk_buf_append(b, ",", 1);
    bool guard = strchr("=+-@\t\r", s[0]) != NULL && s[0] && !is_number(s);
    bool quote = strpbrk(s, ",\"\r\n") != NULL;
    if (rc == 0 && quote)
        rc = lk_buf_append(b, "\"", 1);
    if (rc == 0 && guard)
        rc = lk_buf_append(b, "'", 1);
    for (const char *p = s; rc == 0 && *p; p++)
        rc = *p == '"' ? lk_buf_append(b, "\"\"", 2) : lk_buf_append(b, p, 1);
    if (rc == 0 && quote)
        rc = lk_buf_append(b, "\"", 1);
    return rc;
}

int lk_analytics_csv_end(lk_buf_t *b)
{
    return lk_buf_append(b, "\r\n", 2);
}

/* ---- cells ------------------------------------------------------------------ */

void lk_analytics_csv_str(lk_buf_t *b, const char *s, bool *first)
{
    lk_analytics_csv_field(b, s, *first);
    *first = false;
}

void lk_analytics_csv_int(lk_buf_t *b, int64_t v, bool *first)
{
    char n[24];
    snprintf(n, sizeof n, "%lld", (long long)v);
    lk_analytics_csv_str(b, n, first);
}

void lk_analytics_csv_real(lk_buf_t *b, double v, bool known, bool *first)
{
    char n[32] = "";
    if (known)
        snprintf(n, sizeof n, "%.4f", v);
    lk_analytics_csv_str(b, n, first);
}

void lk_analytics_csv_rate(lk_buf_t *b, int64_t num, int64_t den, bool *first)
{
    lk_analytics_csv_real(b, den ? (double)num / (double)den : 0, den > 0, first);
}

void lk_analytics_csv_secs(lk_buf_t *b, int64_t ms, bool *first)
{
    lk_analytics_csv_real(b, (double)ms / 1000.0, ms >= 0, first);
}

static void header(lk_buf_t *b, const char *const *cols, size_t n, bool *first)
{
    for (size_t i = 0; i < n; i++)
        lk_analytics_csv_str(b, cols[i], first);
}

/* ---- the summary's figures ------------------------------------------------------- */

void lk_analytics_csv_figures_head(lk_buf_t *b, const char *first_col)
{
    bool first = true;
    lk_analytics_csv_str(b, first_col, &first);
    static const char *const cols[] = {"conversations", "contained",       "containment_rate",
                                       "resolved",      "resolution_rate", "handed_off"};
    header(b, cols, sizeof cols / sizeof cols[0], &first);
    for (size_t i = 0; i < LK_ANALYTICS_REASONS; i++) {
        char name[48];
        snprintf(name, sizeof name, "handoffs_%s", lk_analytics_reason_name(i));
        lk_analytics_csv_str(b, name, &first);
    }
    static const char *const rest[] = {"reached_person",
                                       "time_to_person_p50_seconds",
                                       "time_to_person_p90_seconds",
                                       "abandoned",
                                       "bot_answers",
                                       "bot_declines",
                                       "reviewed",
                                       "reviewed_right",
                                       "accuracy",
                                       "repeat_contacts",
                                       "repeat_rate",
                                       "csat_bot_only_count",
                                       "csat_bot_only_mean",
                                       "csat_human_count",
                                       "csat_human_mean",
                                       "callbacks",
                                       "bot_choices_offered",
                                       "bot_choices_picked",
                                       "choice_pick_rate"};
    header(b, rest, sizeof rest / sizeof rest[0], &first);
    lk_analytics_csv_end(b);
}

void lk_analytics_csv_figures_row(lk_buf_t *b, const char *key, const lk_analytics_figures_t *f)
{
    bool first = true;
    lk_analytics_csv_str(b, key, &first);
    lk_analytics_csv_int(b, f->conversations, &first);
    lk_analytics_csv_int(b, f->contained, &first);
    lk_analytics_csv_rate(b, f->contained, f->conversations, &first);
    lk_analytics_csv_int(b, f->resolved, &first);
    lk_analytics_csv_rate(b, f->resolved, f->conversations, &first);
    lk_analytics_csv_int(b, f->handed_off, &first);
    for (size_t i = 0; i < LK_ANALYTICS_REASONS; i++)
        lk_analytics_csv_int(b, f->handoffs[i], &first);
    lk_analytics_csv_int(b, f->reached_person, &first);
    lk_analytics_csv_secs(b, lk_analytics_quantile(f->waits.v, f->waits.n, 0.5), &first);
    lk_analytics_csv_secs(b, lk_analytics_quantile(f->waits.v, f->waits.n, 0.9), &first);
    lk_analytics_csv_int(b, f->abandoned, &first);
    lk_analytics_csv_int(b, f->answers, &first);
    lk_analytics_csv_int(b, f->declines, &first);
    lk_analytics_csv_int(b, f->reviewed, &first);
    lk_analytics_csv_int(b, f->reviewed_right, &first);
    lk_analytics_csv_rate(b, f->reviewed_right, f->reviewed, &first);
    lk_analytics_csv_int(b, f->repeat_contacts, &first);
    lk_analytics_csv_rate(b, f->repeat_contacts, f->conversations, &first);
    lk_analytics_csv_int(b, f->csat_bot.count, &first);
    lk_analytics_csv_rate(b, f->csat_bot.sum, f->csat_bot.count, &first);
    lk_analytics_csv_int(b, f->csat_human.count, &first);
    lk_analytics_csv_rate(b, f->csat_human.sum, f->csat_human.count, &first);
    lk_analytics_csv_int(b, f->callbacks, &first);
    lk_analytics_csv_int(b, f->choice_offers, &first);
    lk_analytics_csv_int(b, f->choice_picks, &first);
    lk_analytics_csv_rate(b, f->choice_picks, f->choice_offers, &first);
    lk_analytics_csv_end(b);
}

/* ---- agents ------------------------------------------------------------------------ */

void lk_analytics_csv_agents_head(lk_buf_t *b)
{
    bool first = true;
    static const char *const cols[] = {"user_id",
                                       "name",
                                       "conversations",
                                       "closed",
                                       "handle_time_p50_seconds",
                                       "handle_time_mean_seconds",
                                       "first_response_p50_seconds",
                                       "first_response_p90_seconds",
                                       "messages",
                                       "suggested",
                                       "suggested_edited",
                                       "assist_share"};
    header(b, cols, sizeof cols / sizeof cols[0], &first);
    lk_analytics_csv_end(b);
}

void lk_analytics_csv_agent_row(lk_buf_t *b, const char *key, const char *name, const lk_analytics_agent_t *x)
{
    bool first = true;
    lk_analytics_csv_str(b, key, &first);
    lk_analytics_csv_str(b, name, &first);
    lk_analytics_csv_int(b, x->conversations, &first);
    lk_analytics_csv_int(b, x->closed, &first);
    lk_analytics_csv_secs(b, lk_analytics_quantile(x->handle.v, x->handle.n, 0.5), &first);
    int64_t sum = 0;
    for (size_t k = 0; k < x->handle.n; k++)
        sum += x->handle.v[k];
    lk_analytics_csv_real(b, x->handle.n ? (double)sum / (double)x->handle.n / 1000.0 : 0, x->handle.n > 0, &first);
    lk_analytics_csv_secs(b, lk_analytics_quantile(x->first_response.v, x->first_response.n, 0.5), &first);
    lk_analytics_csv_secs(b, lk_analytics_quantile(x->first_response.v, x->first_response.n, 0.9), &first);
    lk_analytics_csv_int(b, x->messages, &first);
    lk_analytics_csv_int(b, x->suggested, &first);
    lk_analytics_csv_int(b, x->suggested_edited, &first);
    lk_analytics_csv_rate(b, x->suggested + x->suggested_edited, x->messages, &first);
    lk_analytics_csv_end(b);
}

/* ---- topics ------------------------------------------------------------------------ */

void lk_analytics_csv_topics_head(lk_buf_t *b, bool rising)
{
    bool first = true;
    static const char *const top_cols[] = {"kind", "id", "label", "conversations"};
    static const char *const rise_cols[] = {"kind", "id", "label", "this_week", "last_week", "change"};
    if (rising)
        header(b, rise_cols, 6, &first);
    else
        header(b, top_cols, 4, &first);
    lk_analytics_csv_end(b);
}

void lk_analytics_csv_topic_row(lk_buf_t *b, const char *kind, const char *id, const char *label,
                                const lk_analytics_topic_count_t *c, bool rising)
{
    bool first = true;
    lk_analytics_csv_str(b, kind, &first);
    lk_analytics_csv_str(b, id, &first);
    lk_analytics_csv_str(b, label, &first);
    if (rising) {
        lk_analytics_csv_int(b, c->this_week, &first);
        lk_analytics_csv_int(b, c->last_week, &first);
        lk_analytics_csv_int(b, c->this_week - c->last_week, &first);
    } else {
        lk_analytics_csv_int(b, c->count, &first);
    }
    lk_analytics_csv_end(b);
}
