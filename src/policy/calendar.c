/*
 * policy: the calendar and business hours (part of the pure policy module,
 * see policy.h and policy_int.h).
 *
 * Whether people are there at a moment, and when they are back, computed from
 * the weekly table, the holidays and the EU daylight-saving rule of the
 * configuration alone: proleptic Gregorian day arithmetic, so no time-zone
 * database is read and no clock: the moment is always an argument.
 */
#include "policy/policy_int.h"

#include <stdbool.h>
#include <stdint.h>

/* ---- calendar arithmetic (proleptic Gregorian, after H. Hinnant) -------- */

int64_t lk_pol_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

/* Days since 1970-01-01 of the date y-m-d. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void lk_pol_civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int dd = (int)(doy - (153 * mp + 2) / 5 + 1);
    int mm = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (mm <= 2));
    *m = mm;
    *d = dd;
}

/* 0 = Monday ... 6 = Sunday; 1970-01-01 was a Thursday. */
int lk_pol_iso_weekday(int64_t days)
{
    return (int)(((days % 7) + 7 + 3) % 7);
}

static bool leap_year(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int lk_pol_month_days(int y, int m)
{
    static const int md[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap_year(y) ? 29 : md[m - 1];
}

/* Days since the epoch of the last Sunday of month m (31 days: March, October). */
static int64_t last_sunday(int y, int m)
{
    int64_t last = days_from_civil(y, m, lk_pol_month_days(y, m));
    return last - (lk_pol_iso_weekday(last) + 1) % 7;
}

int lk_policy_utc_offset_min(const lk_policy_config_t *cfg, int64_t t_ms)
{
    lk_policy_config_t def;
    if (!cfg) {
        lk_policy_config_default(&def);
        cfg = &def;
    }
    int off = cfg->tz_offset_min;
    if (cfg->tz_dst == LK_POLICY_DST_EU) {
        int y, m, d;
        lk_pol_civil_from_days(lk_pol_floor_div(t_ms, LK_POL_MS_PER_DAY), &y, &m, &d);
        /* Summer time runs from the last Sunday of March 01:00 UTC to the
         * last Sunday of October 01:00 UTC (Directive 2000/84/EC). */
        int64_t start = last_sunday(y, 3) * LK_POL_MS_PER_DAY + 60 * LK_POL_MS_PER_MIN;
        int64_t end = last_sunday(y, 10) * LK_POL_MS_PER_DAY + 60 * LK_POL_MS_PER_MIN;
        if (t_ms >= start && t_ms < end)
            off += 60;
    }
    return off;
}

int32_t lk_pol_ymd(int y, int m, int d)
{
    return (int32_t)(y * 10000 + m * 100 + d);
}

static bool is_holiday(const lk_policy_config_t *cfg, int64_t local_day)
{
    if (cfg->n_holidays == 0)
        return false;
    int y, m, d;
    lk_pol_civil_from_days(local_day, &y, &m, &d);
    int32_t key = lk_pol_ymd(y, m, d);
    for (size_t i = 0; i < cfg->n_holidays && i < LK_POLICY_HOLIDAYS_MAX; i++)
        if (cfg->holidays[i] == key)
            return true;
    return false;
}

static bool span_used(const lk_policy_span_t *s)
{
    return s->open_min < s->close_min;
}

bool lk_policy_open_at(const lk_policy_config_t *cfg, int64_t t_ms)
{
    lk_policy_config_t def;
    if (!cfg) {
        lk_policy_config_default(&def);
        cfg = &def;
    }
    int64_t local = t_ms + (int64_t)lk_policy_utc_offset_min(cfg, t_ms) * LK_POL_MS_PER_MIN;
    int64_t day = lk_pol_floor_div(local, LK_POL_MS_PER_DAY);
    int minute = (int)((local - day * LK_POL_MS_PER_DAY) / LK_POL_MS_PER_MIN);
    if (is_holiday(cfg, day))
        return false;
    const lk_policy_span_t *spans = cfg->week[lk_pol_iso_weekday(day)];
    for (int i = 0; i < LK_POLICY_SPANS_PER_DAY; i++)
        if (span_used(&spans[i]) && minute >= spans[i].open_min && minute < spans[i].close_min)
            return true;
    return false;
}

/* The UTC instant of a local wall-clock time. Inside the spring gap or the
 * autumn overlap the result is off by at most the hour that moved. */
static int64_t local_to_utc(const lk_policy_config_t *cfg, int64_t local_ms)
{
    int64_t guess = local_ms - (int64_t)cfg->tz_offset_min * LK_POL_MS_PER_MIN;
    int off = lk_policy_utc_offset_min(cfg, guess);
    return local_ms - (int64_t)off * LK_POL_MS_PER_MIN;
}

int64_t lk_policy_next_open(const lk_policy_config_t *cfg, int64_t t_ms)
{
    lk_policy_config_t def;
    if (!cfg) {
        lk_policy_config_default(&def);
        cfg = &def;
    }
    if (lk_policy_open_at(cfg, t_ms))
        return t_ms;
    int64_t local = t_ms + (int64_t)lk_policy_utc_offset_min(cfg, t_ms) * LK_POL_MS_PER_MIN;
    int64_t today = lk_pol_floor_div(local, LK_POL_MS_PER_DAY);
    for (int64_t d = 0; d <= 400; d++) {
        int64_t day = today + d;
        if (is_holiday(cfg, day))
            continue;
        const lk_policy_span_t *spans = cfg->week[lk_pol_iso_weekday(day)];
        int64_t best = -1;
        for (int i = 0; i < LK_POLICY_SPANS_PER_DAY; i++) {
            if (!span_used(&spans[i]))
                continue;
            int64_t open_local = day * LK_POL_MS_PER_DAY + (int64_t)spans[i].open_min * LK_POL_MS_PER_MIN;
            if (open_local <= local)
                continue; /* today's span that already started (and is over: we are closed) */
            if (best < 0 || open_local < best)
                best = open_local;
        }
        if (best >= 0) {
            int64_t utc = local_to_utc(cfg, best);
            return utc > t_ms ? utc : t_ms + 1;
        }
    }
    return -1;
}
