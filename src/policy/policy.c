/*
 * policy: the conversation state machine (see policy.h and docs/policy.md).
 *
 * One function, lk_policy_step(), turns (state, event, NLU reading, the
 * environment the caller observed) into the next state and a list of actions.
 * Everything it needs arrives as an argument: there is no I/O, no clock read
 * and no mutable global, so the exhaustive state test in
 * tests/unit/test_policy.c can walk every short conversation.
 *
 * The rules, in the order a customer message in status "bot" meets them: a
 * request for a person hands over at once; a complaint, anger, or a sensitive
 * topic hand over; a short yes/no answers the bot's last question, and a
 * polite closing ("nee, dank je", "ok", "thanks") gets a short closing reply,
 * never a decline; "are you a bot?" gets a truthful yes; the same question
 * asked loop_repeats times hands over; several questions hand over unless the
 * bot can answer each; otherwise the bot quotes the article or declines
 * honestly, and the second failure in a row hands over. Once queued or
 * assigned, the bot never answers: only system notices about the queue,
 * availability and call-backs. Business hours use a
 * weekly table, holidays and the EU daylight-saving rule computed here, so no
 * time-zone database is read.
 */
#include "policy/policy.h"

#include "util/util.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- names ------------------------------------------------------------- */

static const char *const status_names[] = {"bot", "queued", "assigned", "closed"};

const char *lk_conv_status_name(lk_conv_status_t s)
{
    if ((int)s < 0 || (size_t)s >= sizeof status_names / sizeof status_names[0])
        return "bot";
    return status_names[s];
}

int lk_conv_status_parse(const char *s, lk_conv_status_t *out)
{
    if (!s || !out)
        return LK_EINVAL;
    for (size_t i = 0; i < sizeof status_names / sizeof status_names[0]; i++) {
        if (strcmp(s, status_names[i]) == 0) {
            *out = (lk_conv_status_t)i;
            return 0;
        }
    }
    return LK_EINVAL;
}

static const char *const reason_names[] = {
#define LK_HANDOFF_STR(name, str) str,
    LK_HANDOFF_REASON_MAP(LK_HANDOFF_STR)
#undef LK_HANDOFF_STR
};
#define N_REASONS (sizeof reason_names / sizeof reason_names[0])

const char *lk_handoff_reason_name(lk_handoff_reason_t r)
{
    if ((int)r < 0 || (size_t)r >= N_REASONS)
        return "";
    return reason_names[r];
}

int lk_handoff_reason_parse(const char *s, lk_handoff_reason_t *out)
{
    if (!s || !out)
        return LK_EINVAL;
    for (size_t i = 0; i < N_REASONS; i++) {
        if (strcmp(s, reason_names[i]) == 0) {
            *out = (lk_handoff_reason_t)i;
            return 0;
        }
    }
    return LK_EINVAL;
}

static const char *const say_kind_names[] = {"other",        "greeting",        "answer",         "decline",
                                             "disclosure",   "reply",           "handoff_notice", "queue_notice",
                                             "agent_notice", "callback_notice", "closed_notice",  "choices"};

const char *lk_policy_say_kind_name(lk_policy_say_kind_t k)
{
    if ((int)k < 0 || (size_t)k >= sizeof say_kind_names / sizeof say_kind_names[0])
        return "other";
    return say_kind_names[k];
}

/* Indexed by lk_policy_pending_t; the stored state uses these names. */
static const char *const pending_names[] = {"", "feedback", "offer", "more", "bye", "choice"};
#define N_PENDING (sizeof pending_names / sizeof pending_names[0])

/* ---- calendar arithmetic (proleptic Gregorian, after H. Hinnant) -------- */

#define MS_PER_MIN INT64_C(60000)
#define MS_PER_DAY INT64_C(86400000)

static int64_t floor_div(int64_t a, int64_t b)
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

static void civil_from_days(int64_t z, int *y, int *m, int *d)
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
static int iso_weekday(int64_t days)
{
    return (int)(((days % 7) + 7 + 3) % 7);
}

static bool leap_year(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
    static const int md[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap_year(y) ? 29 : md[m - 1];
}

/* Days since the epoch of the last Sunday of month m (31 days: March, October). */
static int64_t last_sunday(int y, int m)
{
    int64_t last = days_from_civil(y, m, month_days(y, m));
    return last - (iso_weekday(last) + 1) % 7;
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
        civil_from_days(floor_div(t_ms, MS_PER_DAY), &y, &m, &d);
        /* Summer time runs from the last Sunday of March 01:00 UTC to the
         * last Sunday of October 01:00 UTC (Directive 2000/84/EC). */
        int64_t start = last_sunday(y, 3) * MS_PER_DAY + 60 * MS_PER_MIN;
        int64_t end = last_sunday(y, 10) * MS_PER_DAY + 60 * MS_PER_MIN;
        if (t_ms >= start && t_ms < end)
            off += 60;
    }
    return off;
}

static int32_t ymd(int y, int m, int d)
{
    return (int32_t)(y * 10000 + m * 100 + d);
}

static bool is_holiday(const lk_policy_config_t *cfg, int64_t local_day)
{
    if (cfg->n_holidays == 0)
        return false;
    int y, m, d;
    civil_from_days(local_day, &y, &m, &d);
    int32_t key = ymd(y, m, d);
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
    int64_t local = t_ms + (int64_t)lk_policy_utc_offset_min(cfg, t_ms) * MS_PER_MIN;
    int64_t day = floor_div(local, MS_PER_DAY);
    int minute = (int)((local - day * MS_PER_DAY) / MS_PER_MIN);
    if (is_holiday(cfg, day))
        return false;
    const lk_policy_span_t *spans = cfg->week[iso_weekday(day)];
    for (int i = 0; i < LK_POLICY_SPANS_PER_DAY; i++)
        if (span_used(&spans[i]) && minute >= spans[i].open_min && minute < spans[i].close_min)
            return true;
    return false;
}

/* The UTC instant of a local wall-clock time. Inside the spring gap or the
 * autumn overlap the result is off by at most the hour that moved. */
static int64_t local_to_utc(const lk_policy_config_t *cfg, int64_t local_ms)
{
    int64_t guess = local_ms - (int64_t)cfg->tz_offset_min * MS_PER_MIN;
    int off = lk_policy_utc_offset_min(cfg, guess);
    return local_ms - (int64_t)off * MS_PER_MIN;
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
    int64_t local = t_ms + (int64_t)lk_policy_utc_offset_min(cfg, t_ms) * MS_PER_MIN;
    int64_t today = floor_div(local, MS_PER_DAY);
    for (int64_t d = 0; d <= 400; d++) {
        int64_t day = today + d;
        if (is_holiday(cfg, day))
            continue;
        const lk_policy_span_t *spans = cfg->week[iso_weekday(day)];
        int64_t best = -1;
        for (int i = 0; i < LK_POLICY_SPANS_PER_DAY; i++) {
            if (!span_used(&spans[i]))
                continue;
            int64_t open_local = day * MS_PER_DAY + (int64_t)spans[i].open_min * MS_PER_MIN;
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

/* ---- configuration: one option table ----------------------------------- */

typedef enum { OPT_INT, OPT_DOUBLE, OPT_BOOL, OPT_HOURS, OPT_HOLIDAYS, OPT_TZ } opt_type_t;

typedef struct {
    const char *name;
    opt_type_t type;
    size_t offset;
    double min, max;
    double def;           /* numbers and booleans */
    const char *def_text; /* hours, holidays, time zone */
} opt_t;

#define OPT_NUM(field, type, min, max, def) {#field, type, offsetof(lk_policy_config_t, field), min, max, def, NULL}

static const opt_t options[] = {
    OPT_NUM(max_consecutive_declines, OPT_INT, 1, 10, 2),
    OPT_NUM(loop_repeats, OPT_INT, 2, 10, 3),
    OPT_NUM(person_request_min, OPT_DOUBLE, 0, 1, 0.5),
    OPT_NUM(bot_question_min, OPT_DOUBLE, 0, 1, 0.5),
    OPT_NUM(negative_min, OPT_DOUBLE, 0, 1, 0.5),
    OPT_NUM(complaint_min, OPT_DOUBLE, 0, 1, 0.5),
    OPT_NUM(multi_question_min, OPT_DOUBLE, 0, 1, 0.5),
    OPT_NUM(repeat_min, OPT_DOUBLE, 0, 1, 0.5),
    OPT_NUM(language_min, OPT_DOUBLE, 0, 1, 0.7),
    OPT_NUM(second_answer_min, OPT_DOUBLE, 0, 1, 0.1),
    OPT_NUM(pair_answer_min, OPT_DOUBLE, 0, 1, 0.5),
    OPT_NUM(second_answer_ratio, OPT_DOUBLE, 0, 1, 0.25),
    OPT_NUM(second_answer_margin, OPT_DOUBLE, 0, 1, 0.25),
    OPT_NUM(sensitive_min, OPT_DOUBLE, 0, 1, 0.3),
    OPT_NUM(ask_feedback, OPT_BOOL, 0, 1, 1),
    OPT_NUM(foreign_language_min, OPT_DOUBLE, 0, 1, 0.9),
    {"business_hours", OPT_HOURS, 0, 0, 0, 0, "always"},
    {"holidays", OPT_HOLIDAYS, 0, 0, 0, 0, ""},
    {"time_zone", OPT_TZ, 0, 0, 0, 0, "Europe/Amsterdam"},
};
#define N_OPTIONS (sizeof options / sizeof options[0])

typedef struct {
    const char *name;
    int offset_min;
    lk_policy_dst_t dst;
} tz_t;

/* The zones of the EU (all follow the same summer-time rule) and UTC. */
static const tz_t zones[] = {
    {"Europe/Amsterdam", 60, LK_POLICY_DST_EU},   {"Europe/Brussels", 60, LK_POLICY_DST_EU},
    {"Europe/Luxembourg", 60, LK_POLICY_DST_EU},  {"Europe/Paris", 60, LK_POLICY_DST_EU},
    {"Europe/Berlin", 60, LK_POLICY_DST_EU},      {"Europe/Vienna", 60, LK_POLICY_DST_EU},
    {"Europe/Madrid", 60, LK_POLICY_DST_EU},      {"Europe/Rome", 60, LK_POLICY_DST_EU},
    {"Europe/Copenhagen", 60, LK_POLICY_DST_EU},  {"Europe/Stockholm", 60, LK_POLICY_DST_EU},
    {"Europe/Warsaw", 60, LK_POLICY_DST_EU},      {"Europe/Prague", 60, LK_POLICY_DST_EU},
    {"Europe/Budapest", 60, LK_POLICY_DST_EU},    {"Europe/Bratislava", 60, LK_POLICY_DST_EU},
    {"Europe/Ljubljana", 60, LK_POLICY_DST_EU},   {"Europe/Zagreb", 60, LK_POLICY_DST_EU},
    {"Europe/Malta", 60, LK_POLICY_DST_EU},       {"Europe/Oslo", 60, LK_POLICY_DST_EU},
    {"Europe/Zurich", 60, LK_POLICY_DST_EU},      {"Europe/Dublin", 0, LK_POLICY_DST_EU},
    {"Europe/Lisbon", 0, LK_POLICY_DST_EU},       {"Europe/London", 0, LK_POLICY_DST_EU},
    {"Europe/Helsinki", 120, LK_POLICY_DST_EU},   {"Europe/Tallinn", 120, LK_POLICY_DST_EU},
    {"Europe/Riga", 120, LK_POLICY_DST_EU},       {"Europe/Vilnius", 120, LK_POLICY_DST_EU},
    {"Europe/Athens", 120, LK_POLICY_DST_EU},     {"Europe/Sofia", 120, LK_POLICY_DST_EU},
    {"Europe/Bucharest", 120, LK_POLICY_DST_EU},  {"Asia/Nicosia", 120, LK_POLICY_DST_EU},
    {"UTC", 0, LK_POLICY_DST_NONE},               {"Etc/UTC", 0, LK_POLICY_DST_NONE},
};

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool ieq(const char *a, const char *b)
{
    while (*a && *b && lower(*a) == lower(*b)) {
        a++;
        b++;
    }
    return *a == '\0' && *b == '\0';
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static const char *skip_space(const char *p)
{
    while (is_space(*p))
        p++;
    return p;
}

/* A whole word of letters, lowercased into out; false when too long. */
static bool read_word(const char **pp, char *out, size_t outsize)
{
    const char *p = *pp;
    size_t n = 0;
    while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')) {
        if (n + 1 >= outsize)
            return false;
        out[n++] = lower(*p++);
    }
    out[n] = '\0';
    *pp = p;
    return n > 0;
}

/* Exactly `digits` decimal digits. */
static bool read_digits(const char **pp, int digits, int *out)
{
    const char *p = *pp;
    int v = 0;
    for (int i = 0; i < digits; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        v = v * 10 + (p[i] - '0');
    }
    *pp = p + digits;
    *out = v;
    return true;
}

static int day_index(const char *w)
{
    static const char *const names[7][4] = {
        {"mon", "ma", "monday", "maandag"},   {"tue", "di", "tuesday", "dinsdag"},
        {"wed", "wo", "wednesday", "woensdag"}, {"thu", "do", "thursday", "donderdag"},
        {"fri", "vr", "friday", "vrijdag"},   {"sat", "za", "saturday", "zaterdag"},
        {"sun", "zo", "sunday", "zondag"},
    };
    for (int d = 0; d < 7; d++)
        for (int k = 0; k < 4; k++)
            if (strcmp(w, names[d][k]) == 0)
                return d;
    return -1;
}

/* "H:MM" or "HH:MM", 00:00..24:00, as minutes. */
static bool read_clock(const char **pp, int *minutes)
{
    const char *p = *pp;
    int h = 0, m = 0, nd = 0;
    while (*p >= '0' && *p <= '9' && nd < 2) {
        h = h * 10 + (*p - '0');
        p++;
        nd++;
    }
    if (nd == 0 || *p != ':')
        return false;
    p++;
    if (!read_digits(&p, 2, &m) || m > 59 || h > 24 || (h == 24 && m != 0))
        return false;
    *pp = p;
    *minutes = h * 60 + m;
    return true;
}

int lk_policy_hours_parse(const char *spec, lk_policy_config_t *cfg)
{
    if (!spec || !cfg)
        return LK_EINVAL;
    lk_policy_span_t week[7][LK_POLICY_SPANS_PER_DAY];
    memset(week, 0, sizeof week);
    const char *p = skip_space(spec);
    if (ieq(p, "always") || ieq(p, "24/7")) {
        for (int d = 0; d < 7; d++)
            week[d][0] = (lk_policy_span_t){0, 1440};
        memcpy(cfg->week, week, sizeof week);
        return 0;
    }
    if (ieq(p, "closed") || ieq(p, "never")) {
        memcpy(cfg->week, week, sizeof week);
        return 0;
    }
    int used[7] = {0};
    while (*p) {
        char w[16];
        if (!read_word(&p, w, sizeof w))
            return LK_EINVAL;
        int d0 = day_index(w), d1 = d0;
        if (d0 < 0)
            return LK_EINVAL;
        if (*p == '-') {
            p++;
            if (!read_word(&p, w, sizeof w) || (d1 = day_index(w)) < 0)
                return LK_EINVAL;
        }
        int nspans = 0;
        for (;;) {
            p = skip_space(p);
            int open_m, close_m;
            if (!(*p >= '0' && *p <= '9'))
                break;
            if (!read_clock(&p, &open_m) || *p != '-')
                return LK_EINVAL;
            p++;
            if (!read_clock(&p, &close_m) || open_m >= close_m)
                return LK_EINVAL;
            nspans++;
            for (int d = d0;; d = (d + 1) % 7) {
                if (used[d] >= LK_POLICY_SPANS_PER_DAY)
                    return LK_EINVAL;
                week[d][used[d]++] = (lk_policy_span_t){open_m, close_m};
                if (d == d1)
                    break;
            }
        }
        if (nspans == 0)
            return LK_EINVAL;
        p = skip_space(p);
        if (*p == ',' || *p == ';')
            p = skip_space(p + 1);
        else if (*p)
            return LK_EINVAL;
    }
    memcpy(cfg->week, week, sizeof week);
    return 0;
}

int lk_policy_holidays_parse(const char *list, lk_policy_config_t *cfg)
{
    if (!list || !cfg)
        return LK_EINVAL;
    int32_t days[LK_POLICY_HOLIDAYS_MAX];
    size_t n = 0;
    const char *p = list;
    if (ieq(skip_space(p), "none"))
        p = "";
    for (;;) {
        while (is_space(*p) || *p == ',' || *p == ';')
            p++;
        if (!*p)
            break;
        int y, m, d;
        if (!read_digits(&p, 4, &y) || *p++ != '-' || !read_digits(&p, 2, &m) || *p++ != '-' ||
            !read_digits(&p, 2, &d))
            return LK_EINVAL;
        if (y < 1970 || m < 1 || m > 12 || d < 1 || d > month_days(y, m))
            return LK_EINVAL;
        if (*p && !is_space(*p) && *p != ',' && *p != ';')
            return LK_EINVAL;
        if (n >= LK_POLICY_HOLIDAYS_MAX)
            return LK_EINVAL;
        days[n++] = ymd(y, m, d);
    }
    memcpy(cfg->holidays, days, n * sizeof days[0]);
    cfg->n_holidays = n;
    return 0;
}

static int set_option(lk_policy_config_t *cfg, const opt_t *o, const char *value)
{
    char *field = (char *)cfg + o->offset;
    switch (o->type) {
    case OPT_INT: {
        int64_t v;
        if (lk_parse_i64(value, (int64_t)o->min, (int64_t)o->max, &v))
            return LK_EINVAL;
        *(int *)(void *)field = (int)v;
        return 0;
    }
    case OPT_DOUBLE: {
        char *end = NULL;
        double v = strtod(value, &end);
        if (end == value || *skip_space(end) != '\0' || !isfinite(v) || v < o->min || v > o->max)
            return LK_EINVAL;
        *(double *)(void *)field = v;
        return 0;
    }
    case OPT_BOOL:
        if (ieq(value, "true") || ieq(value, "yes") || ieq(value, "on") || strcmp(value, "1") == 0)
            *(bool *)(void *)field = true;
        else if (ieq(value, "false") || ieq(value, "no") || ieq(value, "off") || strcmp(value, "0") == 0)
            *(bool *)(void *)field = false;
        else
            return LK_EINVAL;
        return 0;
    case OPT_HOURS:
        return lk_policy_hours_parse(value, cfg);
    case OPT_HOLIDAYS:
        return lk_policy_holidays_parse(value, cfg);
    case OPT_TZ:
        for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
            if (ieq(value, zones[i].name)) {
                cfg->tz_offset_min = zones[i].offset_min;
                cfg->tz_dst = zones[i].dst;
                return 0;
            }
        }
        return LK_EINVAL;
    }
    return LK_EINVAL;
}

int lk_policy_config_set(lk_policy_config_t *cfg, const char *name, const char *value)
{
    if (!cfg || !name || !value)
        return LK_EINVAL;
    for (size_t i = 0; i < N_OPTIONS; i++)
        if (strcmp(name, options[i].name) == 0)
            return set_option(cfg, &options[i], value);
    return LK_ENOENT;
}

void lk_policy_config_default(lk_policy_config_t *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    for (size_t i = 0; i < N_OPTIONS; i++) {
        const opt_t *o = &options[i];
        char *field = (char *)cfg + o->offset;
        switch (o->type) {
        case OPT_INT:
            *(int *)(void *)field = (int)o->def;
            break;
        case OPT_DOUBLE:
            *(double *)(void *)field = o->def;
            break;
        case OPT_BOOL:
            *(bool *)(void *)field = o->def != 0;
            break;
        default: {
            int rc = set_option(cfg, o, o->def_text);
            (void)rc;
            break;
        }
        }
    }
}

/* ---- state ------------------------------------------------------------- */

bool lk_policy_language_valid(const char *tag)
{
    if (!tag)
        return false;
    size_t n = 0;
    for (; tag[n]; n++)
        if (n >= 3 || tag[n] < 'a' || tag[n] > 'z')
            return false;
    return n >= 2;
}

/* The languages loket has its own texts in, in the order of the text
 * tables' columns. */
static const char *const spoken[] = {"nl", "en", "de", "fr"};
#define N_SPOKEN (sizeof spoken / sizeof spoken[0])

bool lk_policy_language_spoken(const char *lang)
{
    for (size_t i = 0; lang && i < N_SPOKEN; i++)
        if (strcmp(lang, spoken[i]) == 0)
            return true;
    return false;
}

void lk_policy_state_init(lk_policy_state_t *st, const char *language)
{
    memset(st, 0, sizeof *st);
    st->status = LK_CONV_BOT;
    st->handoff_reason = LK_HANDOFF_NONE;
    st->pending = LK_PENDING_NONE;
    st->last_article = -1;
    const char *lang = lk_policy_language_valid(language) ? language : "nl";
    memcpy(st->language, lang, strlen(lang) + 1);
}

/* The state as JSON, the way every turn stores it: one snprintf (jansson
 * took a noticeable share of the writer's time per turn). The same bytes as
 * encode_json() below, which handles a language with other characters than
 * a-z (never made by decode, nor by the API). */
static char *encode_json(const lk_policy_state_t *st);

char *lk_policy_state_encode(const lk_policy_state_t *st)
{
    char lang[sizeof st->language];
    memcpy(lang, st->language, sizeof lang);
    lang[sizeof lang - 1] = '\0';
    for (const char *c = lang; *c; c++)
        if (*c < 'a' || *c > 'z')
            return encode_json(st);
    size_t pend = (size_t)st->pending < N_PENDING ? (size_t)st->pending : 0;
    char buf[512];
    int n = snprintf(buf, sizeof buf,
                     "{\"v\":1,\"status\":\"%s\",\"handoff_reason\":\"%s\",\"language\":\"%s\","
                     "\"consecutive_declines\":%d,\"customer_turns\":%d,\"repeats\":%d,\"pending\":\"%s\","
                     "\"last_article\":%ld,\"away\":%s,\"callback_hinted\":%s,\"callbacks\":%d,\"notice_pos\":%lld,"
                     "\"quiet_msgs\":%d}",
                     lk_conv_status_name(st->status), lk_handoff_reason_name(st->handoff_reason), lang,
                     st->consecutive_declines, st->customer_turns, st->repeats, pending_names[pend],
                     (long)st->last_article, st->away ? "true" : "false", st->callback_hinted ? "true" : "false",
                     st->callbacks, (long long)st->notice_pos, st->quiet_msgs);
    if (n < 0 || (size_t)n >= sizeof buf)
        return encode_json(st);
    return lk_xstrdup(buf);
}

static char *encode_json(const lk_policy_state_t *st)
{
    json_t *o = json_object();
    json_object_set_new(o, "v", json_integer(1));
    json_object_set_new(o, "status", json_string(lk_conv_status_name(st->status)));
    json_object_set_new(o, "handoff_reason", json_string(lk_handoff_reason_name(st->handoff_reason)));
    char lang[sizeof st->language];
    memcpy(lang, st->language, sizeof lang);
    lang[sizeof lang - 1] = '\0';
    json_object_set_new(o, "language", json_string(lang));
    json_object_set_new(o, "consecutive_declines", json_integer(st->consecutive_declines));
    json_object_set_new(o, "customer_turns", json_integer(st->customer_turns));
    json_object_set_new(o, "repeats", json_integer(st->repeats));
    size_t pend = (size_t)st->pending < N_PENDING ? (size_t)st->pending : 0;
    json_object_set_new(o, "pending", json_string(pending_names[pend]));
    json_object_set_new(o, "last_article", json_integer(st->last_article));
    json_object_set_new(o, "away", json_boolean(st->away));
    json_object_set_new(o, "callback_hinted", json_boolean(st->callback_hinted));
    json_object_set_new(o, "callbacks", json_integer(st->callbacks));
    json_object_set_new(o, "notice_pos", json_integer(st->notice_pos));
    json_object_set_new(o, "quiet_msgs", json_integer(st->quiet_msgs));
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (!s)
        abort(); /* only on allocation failure */
    return s;
}

/* The state's counters (turns, declines, repeats, call-backs, quiet
 * messages) stop here: decode accepts up to this value and every step
 * saturates at it, so whatever a step writes can be read back, and an int
 * never overflows (found by fuzz/fuzz_policy_state.c). */
#define COUNTER_MAX 1000000000

static void saturate(lk_policy_state_t *st)
{
    int *counters[] = {&st->consecutive_declines, &st->customer_turns, &st->repeats, &st->callbacks,
                       &st->quiet_msgs};
    for (size_t i = 0; i < sizeof counters / sizeof counters[0]; i++)
        if (*counters[i] > COUNTER_MAX)
            *counters[i] = COUNTER_MAX;
}

static int get_int(json_t *o, const char *key, int64_t min, int64_t max, int64_t *out)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return 0; /* absent: keep the fresh state's value */
    if (!json_is_integer(v))
        return LK_EINVAL;
    json_int_t i = json_integer_value(v);
    if (i < min || i > max)
        return LK_EINVAL;
    *out = i;
    return 0;
}

static int get_bool(json_t *o, const char *key, bool *out)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return 0;
    if (!json_is_boolean(v))
        return LK_EINVAL;
    *out = json_is_true(v);
    return 0;
}

static const char *get_str(json_t *o, const char *key, bool *bad)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return NULL;
    if (!json_is_string(v)) {
        *bad = true;
        return NULL;
    }
    return json_string_value(v);
}

int lk_policy_state_decode(const char *json, lk_policy_state_t *out)
{
    if (!out)
        return LK_EINVAL;
    lk_policy_state_t st;
    lk_policy_state_init(&st, "nl");
    if (!json || !*json) {
        *out = st;
        return 0;
    }
    json_t *o = json_loads(json, JSON_REJECT_DUPLICATES, NULL);
    if (!o || !json_is_object(o)) {
        json_decref(o);
        return LK_EINVAL;
    }
    int rc = 0;
    bool bad = false;
    const char *s;
    if ((s = get_str(o, "status", &bad)) && lk_conv_status_parse(s, &st.status))
        bad = true;
    if ((s = get_str(o, "handoff_reason", &bad)) && lk_handoff_reason_parse(s, &st.handoff_reason))
        bad = true;
    if ((s = get_str(o, "language", &bad))) {
        size_t n = strlen(s);
        if (n < 2 || n >= sizeof st.language)
            bad = true;
        for (size_t i = 0; i < n && !bad; i++)
            if (s[i] < 'a' || s[i] > 'z')
                bad = true;
        if (!bad)
            memcpy(st.language, s, n + 1);
    }
    if ((s = get_str(o, "pending", &bad))) {
        bool found = false;
        for (size_t i = 0; i < N_PENDING; i++) {
            if (strcmp(s, pending_names[i]) == 0) {
                st.pending = (lk_policy_pending_t)i;
                found = true;
            }
        }
        bad = bad || !found;
    }
    int64_t v;
    const int64_t big = COUNTER_MAX;
    v = st.consecutive_declines;
    rc |= get_int(o, "consecutive_declines", 0, big, &v);
    st.consecutive_declines = (int)v;
    v = st.customer_turns;
    rc |= get_int(o, "customer_turns", 0, big, &v);
    st.customer_turns = (int)v;
    v = st.repeats;
    rc |= get_int(o, "repeats", 0, big, &v);
    st.repeats = (int)v;
    v = st.last_article;
    rc |= get_int(o, "last_article", -1, big, &v);
    st.last_article = (long)v;
    v = st.callbacks;
    rc |= get_int(o, "callbacks", 0, big, &v);
    st.callbacks = (int)v;
    v = st.notice_pos;
    rc |= get_int(o, "notice_pos", 0, INT64_MAX, &v);
    st.notice_pos = v;
    v = st.quiet_msgs;
    rc |= get_int(o, "quiet_msgs", 0, big, &v);
    st.quiet_msgs = (int)v;
    rc |= get_bool(o, "away", &st.away);
    rc |= get_bool(o, "callback_hinted", &st.callback_hinted);
    json_decref(o);
    if (rc || bad)
        return LK_EINVAL;
    *out = st;
    return 0;
}

/* ---- actions ----------------------------------------------------------- */

void lk_policy_actions_free(lk_policy_actions_t *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n; i++) {
        free(a->items[i].text);
        free(a->items[i].contact);
    }
    free(a->items);
    a->items = NULL;
    a->n = 0;
}

static lk_policy_action_t *push(lk_policy_actions_t *a, lk_policy_action_type_t type)
{
    a->items = lk_xrealloc(a->items, (a->n + 1) * sizeof a->items[0]);
    lk_policy_action_t *x = &a->items[a->n++];
    memset(x, 0, sizeof *x);
    x->type = type;
    x->article = -1;
    x->reason = LK_HANDOFF_NONE;
    x->kind = LK_SAY_OTHER;
    return x;
}

/* ---- the messages ------------------------------------------------------- */

/* Index 0 Dutch (B1, "je"), 1 English. Every Dutch text here is also in
 * tests/data/reviewed_nl.txt, the list of reviewed sentences that a unit test
 * holds them to (docs/policy.md, "Texts"). */
enum {
    T_GREETING,
    T_BOT_YES,
    T_DECLINE,
    T_FEEDBACK_Q,
    T_MORE_INFO,
    T_FEEDBACK_YES,
    T_FEEDBACK_NO,
    T_OFFER_NO,
    T_HELLO,
    T_THANKS,
    T_BYE,
    T_BYE_THANKS,
    T_BYE_TAIL,
    T_ACK,
    T_ASK,
    T_WHY_REQUEST,
    T_WHY_FAILURE,
    T_WHY_LOOP,
    T_WHY_NEGATIVE,
    T_WHY_COMPLAINT,
    T_WHY_COMPLEX,
    T_WHY_SENSITIVE,
    T_TAIL,
    T_QUEUED,
    T_QUEUED_TAIL,
    T_SOON,
    T_AWAY_CLOSED,
    T_AWAY_OFFLINE,
    T_AWAY_TAIL,
    T_BACK,
    T_CALLBACK_HINT,
    T_AGENT_JOINS,
    T_AGENT_LEAVES,
    T_CLOSED,
    T_CHOICES_INTRO,
    T_CHOICES_OR,
    T_CHOICES_TAIL,
    T_PART_DECLINE,
    T_PART_DECLINE_MANY,
    T_PART_DECLINE_TAIL,
    /* ---- added with issue 14: the truthful reply to each way of asking
     * "are you a bot?", the language hand-off, and the templates that were
     * inline, so that every text sits in the tables below ---- */
    T_BOT_NOT_PERSON, /* "are you a person?" */
    T_BOT_IS,         /* asked unclearly ("a person or a bot?", "ben je geen mens?") */
    T_WHY_LANGUAGE,
    T_QUEUE_POS,   /* %lld: the position */
    T_WAIT_IS,     /* %s: the estimate in words (below) */
    T_DUR_LESS_1MIN,
    T_DUR_LESS,    /* %s: a duration */
    T_DUR_ABOUT,   /* %s: a duration */
    T_DUR_RANGE,   /* %s to %s: a number or duration, a duration */
    T_DUR_1MIN,
    T_DUR_MIN,     /* %lld minutes */
    T_DUR_1HOUR,
    T_DUR_HOURS,   /* %lld hours */
    T_DUR_HALF,    /* %lld and a half hours */
    T_DUR_1HOUR_Q, /* 1 hour and %lld minutes */
    T_DUR_HOURS_Q, /* %lld hours and %lld minutes */
    T_BACK_TODAY,  /* %02d:%02d */
    T_BACK_TOMORROW,
    T_BACK_DAY,    /* weekday, day, month, hour, minute */
    T_BACK_DATE,   /* day, month, year, hour, minute */
    T_CALLBACK_THANKS, /* %s: the contact */
    T_AGENT_JOINS_NAMED, /* %s: the agent's name */
    T__COUNT
};

static const char *const texts[T__COUNT][2] = {
    [T_GREETING] = {"Hallo! Ik ben de digitale assistent van onze klantenservice: een computerprogramma, geen mens. "
                    "Ik beantwoord je vragen met informatie uit onze kennisbank. Wil je liever met een medewerker "
                    "praten? Dat kan altijd: typ 'medewerker' of gebruik de knop voor een medewerker.",
                    "Hello! I am the automated assistant of our customer service: a computer program, not a person. "
                    "I answer your questions with information from our knowledge base. Would you rather talk to a "
                    "person? You can at any time: type 'person' or use the button to reach a person."},
    /* "Are you a bot?": the first word answers the question as asked. */
    [T_BOT_YES] = {"Ja, ik ben een chatbot: een digitale assistent, geen mens. Wil je met een medewerker praten? Typ "
                   "dan 'ja' of 'medewerker', of gebruik de knop.",
                   "Yes, I am a chatbot: an automated assistant, not a person. Would you like to talk to a person? "
                   "Type 'yes' or 'person', or use the button."},
    [T_DECLINE] = {"Sorry, dat weet ik niet. Ik kan alleen vragen beantwoorden waarover informatie in onze "
                   "kennisbank staat. Je kunt je vraag anders stellen. Wil je liever met een medewerker praten? "
                   "Typ dan 'ja' of 'medewerker', of gebruik de knop.",
                   "Sorry, I don't know this. I can only answer questions that our knowledge base has information "
                   "about. You can ask your question in another way. Would you rather talk to a person? Type 'yes' "
                   "or 'person', or use the button."},
    [T_FEEDBACK_Q] = {"Heeft dit je geholpen?", "Did this help?"},
    [T_MORE_INFO] = {"Meer informatie: ", "More information: "},
    [T_FEEDBACK_YES] = {"Fijn! Kan ik je nog ergens anders mee helpen?",
                        "Good to hear! Is there anything else I can help you with?"},
    [T_FEEDBACK_NO] = {"Jammer dat dit je niet verder hielp. Je kunt je vraag anders stellen. Wil je liever met een "
                       "medewerker praten? Typ dan 'ja' of 'medewerker', of gebruik de knop.",
                       "Sorry that this did not help. You can ask your question in another way. Would you rather "
                       "talk to a person? Type 'yes' or 'person', or use the button."},
    [T_OFFER_NO] = {"Prima. Stel je vraag gerust op een andere manier.",
                    "All right. Feel free to ask your question in another way."},
    [T_HELLO] = {"Hallo! Waar kan ik je mee helpen?", "Hello! What can I help you with?"},
    [T_THANKS] = {"Graag gedaan! Kan ik je nog ergens anders mee helpen?",
                  "You're welcome! Is there anything else I can help you with?"},
    /* The closing reply: warm, short, and the human route stays in sight. */
    [T_BYE] = {"Prima, fijne dag nog!", "All right, have a nice day!"},
    [T_BYE_THANKS] = {"Graag gedaan, fijne dag nog!", "You're welcome, have a nice day!"},
    [T_BYE_TAIL] = {"Heb je later nog een vraag? Stel die hier gerust. Met een medewerker praten kan ook altijd: "
                    "typ 'medewerker' of gebruik de knop.",
                    "If you have another question later, just ask it here. You can also talk to a person at any "
                    "time: type 'person' or use the button."},
    /* A bare "ok" when the bot asked nothing (after the greeting, say). */
    [T_ACK] = {"Prima. Stel gerust je vraag. Met een medewerker praten kan ook altijd: typ 'medewerker' of gebruik "
               "de knop.",
               "All right. Just ask your question. You can also talk to a person at any time: type 'person' or use "
               "the button."},
    [T_ASK] = {"Stel je vraag maar.", "Go ahead and ask your question."},
    [T_WHY_REQUEST] = {"Je gesprek gaat naar een medewerker.",
                       "Your conversation is being passed to a person from our team."},
    [T_WHY_FAILURE] = {"De digitale assistent kan je vraag niet goed beantwoorden. Daarom gaat je gesprek naar een "
                       "medewerker.",
                       "The automated assistant cannot answer your question well, so your conversation is being "
                       "passed to a person from our team."},
    [T_WHY_LOOP] = {"Je stelt deze vraag niet voor het eerst, dus de digitale assistent helpt je niet verder. Daarom "
                    "gaat je gesprek naar een medewerker.",
                    "You have asked this more than once, so the automated assistant is not helping you. Your "
                    "conversation is being passed to a person from our team."},
    [T_WHY_NEGATIVE] = {"Het spijt ons dat het niet gaat zoals je wilt. Je gesprek gaat naar een medewerker.",
                        "We are sorry this is not going the way you want. Your conversation is being passed to a "
                        "person from our team."},
    [T_WHY_COMPLAINT] = {"Een klacht wordt behandeld door een medewerker, niet door de digitale assistent. Je gesprek "
                         "gaat naar een medewerker.",
                         "A complaint is handled by a person, not by the automated assistant. Your conversation is "
                         "being passed to a person from our team."},
    [T_WHY_COMPLEX] = {"Je stelt meerdere vragen tegelijk. Een medewerker kan die het best samen met je bekijken. "
                       "Je gesprek gaat naar een medewerker.",
                       "You are asking several things at once. A person can best go through them with you. Your "
                       "conversation is being passed to a person from our team."},
    [T_WHY_SENSITIVE] = {"Hierover praat je beter met een mens dan met een digitale assistent. Je gesprek gaat naar "
                         "een medewerker.",
                         "This is a subject for a person rather than an automated assistant. Your conversation is "
                         "being passed to a person from our team."},
    [T_TAIL] = {"Je kunt alvast meer vertellen: de medewerker ziet dit hele gesprek.",
                "You can already add details: the person will see this whole conversation."},
    [T_QUEUED] = {"Je staat in de wachtrij voor een medewerker.", "You are in the queue for a person from our team."},
    [T_QUEUED_TAIL] = {"Een medewerker leest je berichten zodra die er is.",
                       "A person will read your messages as soon as they are available."},
    [T_SOON] = {"Een medewerker helpt je zo snel mogelijk.", "A person will help you as soon as possible."},
    [T_AWAY_CLOSED] = {"Onze medewerkers zijn er nu niet.", "Our team is not available right now."},
    [T_AWAY_OFFLINE] = {"Er is op dit moment geen medewerker online.",
                        "No one from our team is online at the moment."},
    [T_AWAY_TAIL] = {"Je gesprek blijft in de wachtrij staan. Laat hier je vraag achter met je telefoonnummer of "
                     "e-mailadres, dan nemen we contact met je op.",
                     "Your conversation stays in the queue. Leave your question here with your phone number or "
                     "e-mail address and we will get back to you."},
    [T_BACK] = {"Er is weer een medewerker beschikbaar.", "A person from our team is available again."},
    [T_CALLBACK_HINT] = {"Laat je ook je telefoonnummer of e-mailadres achter? Dan kunnen we contact met je opnemen.",
                         "Would you also leave your phone number or e-mail address? Then we can get back to you."},
    [T_AGENT_JOINS] = {"Een medewerker neemt het gesprek nu over.",
                       "A person from our team is taking over the conversation now."},
    [T_AGENT_LEAVES] = {"De medewerker heeft het gesprek teruggezet in de wachtrij.",
                        "The person has put the conversation back in the queue."},
    [T_CLOSED] = {"Dit gesprek is afgesloten. Heb je nog een vraag? Stuur dan gerust een nieuw bericht.",
                  "This conversation has been closed. If you have another question, just send a new message."},
    /* Ask instead of guess (issue 15): "Gaat je vraag over A, B of C?" */
    [T_CHOICES_INTRO] = {"Ik weet niet zeker wat je bedoelt. Gaat je vraag over ",
                         "I am not sure what you mean. Is your question about "},
    [T_CHOICES_OR] = {" of ", " or "},
    [T_CHOICES_TAIL] = {"Kies een onderwerp, of 'Geen van deze' als het iets anders is. Met een medewerker praten kan "
                        "ook altijd: typ 'medewerker' of gebruik de knop.",
                        "Pick a subject, or 'None of these' if it is something else. You can also talk to a person "
                        "at any time: type 'person' or use the button."},
    /* Several questions, some without an answer (issue 15). */
    [T_PART_DECLINE] = {"Op deze vraag weet ik geen antwoord: ", "I don't have an answer to this question: "},
    [T_PART_DECLINE_MANY] = {"Op deze vragen weet ik geen antwoord: ", "I don't have an answer to these questions: "},
    [T_PART_DECLINE_TAIL] = {"Daarover staat niets in onze kennisbank. Wil je daarvoor met een medewerker praten? "
                             "Typ dan 'ja' of 'medewerker', of gebruik de knop.",
                             "Our knowledge base has no information about it. Would you like to talk to a person "
                             "about it? Type 'yes' or 'person', or use the button."},
    [T_BOT_NOT_PERSON] = {"Nee, ik ben geen mens: ik ben een digitale assistent, een computerprogramma. Wil je met een "
                          "medewerker praten? Typ dan 'ja' of 'medewerker', of gebruik de knop.",
                          "No, I am not a person: I am an automated assistant, a computer program. Would you like to "
                          "talk to a person? Type 'yes' or 'person', or use the button."},
    [T_BOT_IS] = {"Ik ben een digitale assistent, geen mens: een computerprogramma. Wil je met een medewerker praten? "
                  "Typ dan 'ja' of 'medewerker', of gebruik de knop.",
                  "I am an automated assistant, not a person: a computer program. Would you like to talk to a person? "
                  "Type 'yes' or 'person', or use the button."},
    [T_WHY_LANGUAGE] = {"Ik heb hierop geen antwoord in jouw taal. Daarom gaat je gesprek naar een medewerker.",
                        "I have no answer to this in your language, so your conversation is being passed to a person "
                        "from our team."},
    [T_QUEUE_POS] = {"Je bent nummer %lld in de wachtrij.", "You are number %lld in the queue."},
    [T_WAIT_IS] = {"De verwachte wachttijd is %s.", "The expected wait is %s."},
    [T_DUR_LESS_1MIN] = {"minder dan een minuut", "less than a minute"},
    [T_DUR_LESS] = {"minder dan %s", "less than %s"},
    [T_DUR_ABOUT] = {"ongeveer %s", "about %s"},
    [T_DUR_RANGE] = {"%s tot %s", "%s to %s"},
    [T_DUR_1MIN] = {"1 minuut", "1 minute"},
    [T_DUR_MIN] = {"%lld minuten", "%lld minutes"},
    [T_DUR_1HOUR] = {"1 uur", "1 hour"},
    [T_DUR_HOURS] = {"%lld uur", "%lld hours"},
    [T_DUR_HALF] = {"%lld,5 uur", "%lld.5 hours"},
    [T_DUR_1HOUR_Q] = {"1 uur en %lld minuten", "1 hour and %lld minutes"},
    [T_DUR_HOURS_Q] = {"%lld uur en %lld minuten", "%lld hours and %lld minutes"},
    [T_BACK_TODAY] = {"Ze zijn er vandaag weer vanaf %02d:%02d.", "They are back today from %02d:%02d."},
    [T_BACK_TOMORROW] = {"Ze zijn er morgen weer vanaf %02d:%02d.", "They are back tomorrow from %02d:%02d."},
    [T_BACK_DAY] = {"Ze zijn er op %s %d %s weer vanaf %02d:%02d.", "They are back on %s %d %s from %02d:%02d."},
    [T_BACK_DATE] = {"Ze zijn er op %d %s %d weer vanaf %02d:%02d.", "They are back on %d %s %d from %02d:%02d."},
    [T_CALLBACK_THANKS] = {"Dank je. Je bericht en je contactgegevens (%s) staan klaar voor onze medewerkers. Zodra ze "
                           "er zijn, nemen ze contact met je op.",
                           "Thank you. Your message and your contact details (%s) are ready for our team. They will "
                           "get back to you as soon as they are available."},
    [T_AGENT_JOINS_NAMED] = {"%s (medewerker) neemt het gesprek nu over.",
                             "%s from our team is taking over the conversation now."},
};
/* German ("Sie") and French ("vous"), the languages of the Belgian and German
 * customers a Dutch shop meets. A text missing here (NULL) is said in
 * English. Column 0 German, 1 French. */
static const char *const texts_de_fr[T__COUNT][2] = {
    [T_GREETING] = {"Hallo! Ich bin der digitale Assistent unseres Kundenservice: ein Computerprogramm, kein Mensch. "
                    "Ich beantworte Ihre Fragen mit Informationen aus unserer Wissensdatenbank. Möchten Sie lieber mit "
                    "einem Mitarbeiter sprechen? Das geht jederzeit: Tippen Sie 'Mitarbeiter' oder nutzen Sie die "
                    "Schaltfläche für einen Mitarbeiter.",
                    "Bonjour ! Je suis l'assistant numérique de notre service client : un programme informatique, pas "
                    "une personne. Je réponds à vos questions avec les informations de notre base de connaissances. "
                    "Vous préférez parler à un conseiller ? C'est possible à tout moment : tapez 'conseiller' ou "
                    "utilisez le bouton pour joindre un conseiller."},
    [T_BOT_YES] = {"Ja, ich bin ein Chatbot: ein digitaler Assistent, kein Mensch. Möchten Sie mit einem Mitarbeiter "
                   "sprechen? Tippen Sie 'ja' oder 'Mitarbeiter', oder nutzen Sie die Schaltfläche.",
                   "Oui, je suis un chatbot : un assistant numérique, pas une personne. Voulez-vous parler à un "
                   "conseiller ? Tapez 'oui' ou 'conseiller', ou utilisez le bouton."},
    [T_BOT_NOT_PERSON] = {"Nein, ich bin kein Mensch: Ich bin ein digitaler Assistent, ein Computerprogramm. Möchten "
                          "Sie mit einem Mitarbeiter sprechen? Tippen Sie 'ja' oder 'Mitarbeiter', oder nutzen Sie die "
                          "Schaltfläche.",
                          "Non, je ne suis pas une personne : je suis un assistant numérique, un programme "
                          "informatique. Voulez-vous parler à un conseiller ? Tapez 'oui' ou 'conseiller', ou utilisez "
                          "le bouton."},
    [T_BOT_IS] = {"Ich bin ein digitaler Assistent, kein Mensch: ein Computerprogramm. Möchten Sie mit einem "
                  "Mitarbeiter sprechen? Tippen Sie 'ja' oder 'Mitarbeiter', oder nutzen Sie die Schaltfläche.",
                  "Je suis un assistant numérique, pas une personne : un programme informatique. Voulez-vous parler à "
                  "un conseiller ? Tapez 'oui' ou 'conseiller', ou utilisez le bouton."},
    [T_DECLINE] = {"Das weiß ich leider nicht. Ich kann nur Fragen beantworten, zu denen unsere Wissensdatenbank "
                   "Informationen hat. Sie können Ihre Frage anders stellen. Möchten Sie lieber mit einem Mitarbeiter "
                   "sprechen? Tippen Sie 'ja' oder 'Mitarbeiter', oder nutzen Sie die Schaltfläche.",
                   "Désolé, je ne sais pas. Je ne peux répondre qu'aux questions sur lesquelles notre base de "
                   "connaissances contient des informations. Vous pouvez poser votre question autrement. Vous préférez "
                   "parler à un conseiller ? Tapez 'oui' ou 'conseiller', ou utilisez le bouton."},
    [T_FEEDBACK_Q] = {"Hat Ihnen das geholfen?", "Cela vous a-t-il aidé ?"},
    [T_MORE_INFO] = {"Weitere Informationen: ", "Plus d'informations : "},
    [T_FEEDBACK_YES] = {"Schön! Kann ich Ihnen noch bei etwas anderem helfen?",
                        "Très bien ! Puis-je vous aider pour autre chose ?"},
    [T_FEEDBACK_NO] = {"Schade, dass Ihnen das nicht weitergeholfen hat. Sie können Ihre Frage anders stellen. Möchten "
                       "Sie lieber mit einem Mitarbeiter sprechen? Tippen Sie 'ja' oder 'Mitarbeiter', oder nutzen Sie "
                       "die Schaltfläche.",
                       "Dommage que cela ne vous ait pas aidé. Vous pouvez poser votre question autrement. Vous "
                       "préférez parler à un conseiller ? Tapez 'oui' ou 'conseiller', ou utilisez le bouton."},
    [T_OFFER_NO] = {"In Ordnung. Stellen Sie Ihre Frage gern auf eine andere Weise.",
                    "D'accord. N'hésitez pas à poser votre question autrement."},
    [T_HELLO] = {"Hallo! Wobei kann ich Ihnen helfen?", "Bonjour ! Comment puis-je vous aider ?"},
    [T_THANKS] = {"Gern geschehen! Kann ich Ihnen noch bei etwas anderem helfen?",
                  "Avec plaisir ! Puis-je vous aider pour autre chose ?"},
    [T_BYE] = {"In Ordnung, einen schönen Tag noch!", "D'accord, bonne journée !"},
    [T_BYE_THANKS] = {"Gern geschehen, einen schönen Tag noch!", "Avec plaisir, bonne journée !"},
    [T_BYE_TAIL] = {"Wenn Sie später noch eine Frage haben, stellen Sie sie einfach hier. Sie können auch jederzeit "
                    "mit einem Mitarbeiter sprechen: Tippen Sie 'Mitarbeiter' oder nutzen Sie die Schaltfläche.",
                    "Si vous avez une autre question plus tard, posez-la simplement ici. Vous pouvez aussi parler à un "
                    "conseiller à tout moment : tapez 'conseiller' ou utilisez le bouton."},
    [T_ACK] = {"In Ordnung. Stellen Sie gern Ihre Frage. Sie können auch jederzeit mit einem Mitarbeiter sprechen: "
               "Tippen Sie 'Mitarbeiter' oder nutzen Sie die Schaltfläche.",
               "D'accord. Posez votre question. Vous pouvez aussi parler à un conseiller à tout moment : tapez "
               "'conseiller' ou utilisez le bouton."},
    [T_ASK] = {"Stellen Sie Ihre Frage.", "Posez votre question."},
    [T_WHY_REQUEST] = {"Ihr Gespräch wird an einen Mitarbeiter weitergegeben.",
                       "Votre conversation est transmise à un conseiller."},
    [T_WHY_FAILURE] = {"Der digitale Assistent kann Ihre Frage nicht gut beantworten. Deshalb wird Ihr Gespräch an "
                       "einen Mitarbeiter weitergegeben.",
                       "L'assistant numérique ne peut pas bien répondre à votre question. Votre conversation est donc "
                       "transmise à un conseiller."},
    [T_WHY_LOOP] = {"Sie stellen diese Frage nicht zum ersten Mal, der digitale Assistent hilft Ihnen also nicht "
                    "weiter. Deshalb wird Ihr Gespräch an einen Mitarbeiter weitergegeben.",
                    "Ce n'est pas la première fois que vous posez cette question : l'assistant numérique ne vous aide "
                    "pas. Votre conversation est donc transmise à un conseiller."},
    [T_WHY_NEGATIVE] = {"Es tut uns leid, dass es nicht so läuft, wie Sie möchten. Ihr Gespräch wird an einen "
                        "Mitarbeiter weitergegeben.",
                        "Nous sommes désolés que les choses ne se passent pas comme vous le souhaitez. Votre "
                        "conversation est transmise à un conseiller."},
    [T_WHY_COMPLAINT] = {"Eine Beschwerde bearbeitet ein Mitarbeiter, nicht der digitale Assistent. Ihr Gespräch wird "
                         "an einen Mitarbeiter weitergegeben.",
                         "Une réclamation est traitée par un conseiller, pas par l'assistant numérique. Votre "
                         "conversation est transmise à un conseiller."},
    [T_WHY_COMPLEX] = {"Sie stellen mehrere Fragen auf einmal. Ein Mitarbeiter kann sie am besten mit Ihnen zusammen "
                       "durchgehen. Ihr Gespräch wird an einen Mitarbeiter weitergegeben.",
                       "Vous posez plusieurs questions à la fois. Un conseiller peut les examiner au mieux avec vous. "
                       "Votre conversation est transmise à un conseiller."},
    [T_WHY_SENSITIVE] = {"Darüber sprechen Sie besser mit einem Menschen als mit einem digitalen Assistenten. Ihr "
                         "Gespräch wird an einen Mitarbeiter weitergegeben.",
                         "Il vaut mieux parler de ce sujet avec une personne qu'avec un assistant numérique. Votre "
                         "conversation est transmise à un conseiller."},
    [T_WHY_LANGUAGE] = {"Darauf habe ich leider keine Antwort in Ihrer Sprache. Deshalb wird Ihr Gespräch an einen "
                        "Mitarbeiter weitergegeben.",
                        "Je n'ai pas de réponse à cette question dans votre langue. Votre conversation est donc "
                        "transmise à un conseiller."},
    [T_TAIL] = {"Sie können uns schon mehr erzählen: Der Mitarbeiter sieht dieses ganze Gespräch.",
                "Vous pouvez déjà nous en dire plus : le conseiller verra toute cette conversation."},
    [T_QUEUED] = {"Sie sind in der Warteschlange für einen Mitarbeiter.",
                  "Vous êtes dans la file d'attente pour un conseiller."},
    [T_QUEUED_TAIL] = {"Ein Mitarbeiter liest Ihre Nachrichten, sobald er verfügbar ist.",
                       "Un conseiller lira vos messages dès qu'il sera disponible."},
    [T_SOON] = {"Ein Mitarbeiter hilft Ihnen so schnell wie möglich.", "Un conseiller vous aidera dès que possible."},
    [T_AWAY_CLOSED] = {"Unsere Mitarbeiter sind gerade nicht da.",
                       "Nos conseillers ne sont pas disponibles pour le moment."},
    [T_AWAY_OFFLINE] = {"Im Moment ist kein Mitarbeiter online.", "Aucun conseiller n'est en ligne pour le moment."},
    [T_AWAY_TAIL] = {"Ihr Gespräch bleibt in der Warteschlange. Hinterlassen Sie hier Ihre Frage mit Ihrer "
                     "Telefonnummer oder E-Mail-Adresse, dann melden wir uns bei Ihnen.",
                     "Votre conversation reste dans la file d'attente. Laissez ici votre question avec votre numéro "
                     "de téléphone ou votre adresse e-mail, et nous vous recontacterons."},
    [T_BACK] = {"Es ist wieder ein Mitarbeiter verfügbar.", "Un conseiller est de nouveau disponible."},
    [T_CALLBACK_HINT] = {"Hinterlassen Sie auch Ihre Telefonnummer oder E-Mail-Adresse? Dann können wir uns bei Ihnen "
                         "melden.",
                         "Voulez-vous aussi laisser votre numéro de téléphone ou votre adresse e-mail ? Nous pourrons "
                         "ainsi vous recontacter."},
    [T_AGENT_JOINS] = {"Ein Mitarbeiter übernimmt jetzt das Gespräch.",
                       "Un conseiller reprend maintenant la conversation."},
    [T_AGENT_LEAVES] = {"Der Mitarbeiter hat das Gespräch in die Warteschlange zurückgestellt.",
                        "Le conseiller a remis la conversation dans la file d'attente."},
    [T_CLOSED] = {"Dieses Gespräch ist beendet. Haben Sie noch eine Frage? Dann schicken Sie gern eine neue Nachricht.",
                  "Cette conversation est terminée. Vous avez une autre question ? Envoyez simplement un nouveau "
                  "message."},
    [T_QUEUE_POS] = {"Sie sind Nummer %lld in der Warteschlange.", "Vous êtes numéro %lld dans la file d'attente."},
    /* French: the wait sentence's "de" goes with the words of the estimate
     * ("est d'environ 3 minutes", "est de 2 à 5 minutes") */
    [T_WAIT_IS] = {"Die voraussichtliche Wartezeit beträgt %s.", "L'attente prévue est %s."},
    [T_DUR_LESS_1MIN] = {"weniger als eine Minute", "de moins d'une minute"},
    [T_DUR_LESS] = {"weniger als %s", "de moins de %s"},
    [T_DUR_ABOUT] = {"etwa %s", "d'environ %s"},
    [T_DUR_RANGE] = {"%s bis %s", "de %s à %s"},
    [T_DUR_1MIN] = {"1 Minute", "1 minute"},
    [T_DUR_MIN] = {"%lld Minuten", "%lld minutes"},
    [T_DUR_1HOUR] = {"1 Stunde", "1 heure"},
    [T_DUR_HOURS] = {"%lld Stunden", "%lld heures"},
    [T_DUR_HALF] = {"%lld,5 Stunden", "%lld h 30"},
    [T_DUR_1HOUR_Q] = {"1 Stunde und %lld Minuten", "1 heure et %lld minutes"},
    [T_DUR_HOURS_Q] = {"%lld Stunden und %lld Minuten", "%lld heures et %lld minutes"},
    [T_BACK_TODAY] = {"Sie sind heute ab %02d:%02d Uhr wieder da.",
                      "Ils sont de retour aujourd'hui à partir de %02dh%02d."},
    [T_BACK_TOMORROW] = {"Sie sind morgen ab %02d:%02d Uhr wieder da.",
                         "Ils sont de retour demain à partir de %02dh%02d."},
    [T_BACK_DAY] = {"Sie sind am %s, %d. %s ab %02d:%02d Uhr wieder da.",
                    "Ils sont de retour le %s %d %s à partir de %02dh%02d."},
    [T_BACK_DATE] = {"Sie sind am %d. %s %d ab %02d:%02d Uhr wieder da.",
                     "Ils sont de retour le %d %s %d à partir de %02dh%02d."},
    [T_CALLBACK_THANKS] = {"Vielen Dank. Ihre Nachricht und Ihre Kontaktdaten (%s) liegen für unsere Mitarbeiter "
                           "bereit. Sobald sie da sind, melden sie sich bei Ihnen.",
                           "Merci. Votre message et vos coordonnées (%s) sont transmis à nos conseillers. Ils vous "
                           "recontacteront dès qu'ils seront disponibles."},
    [T_AGENT_JOINS_NAMED] = {"%s aus unserem Team übernimmt jetzt das Gespräch.",
                             "%s, de notre équipe, reprend maintenant la conversation."},
    [T_CHOICES_INTRO] = {"Ich bin nicht sicher, was Sie meinen. Geht es bei Ihrer Frage um ",
                         "Je ne suis pas sûr de comprendre. Votre question porte-t-elle sur "},
    [T_CHOICES_OR] = {" oder ", " ou "},
    [T_CHOICES_TAIL] = {"Wählen Sie ein Thema. Sie können auch jederzeit mit einem Mitarbeiter sprechen: Tippen Sie "
                        "'Mitarbeiter' oder nutzen Sie die Schaltfläche.",
                        "Choisissez un sujet. Vous pouvez aussi parler à un conseiller à tout moment : tapez "
                        "'conseiller' ou utilisez le bouton."},
    [T_PART_DECLINE] = {"Auf diese Frage habe ich keine Antwort: ", "Je n'ai pas de réponse à cette question : "},
    [T_PART_DECLINE_MANY] = {"Auf diese Fragen habe ich keine Antwort: ", "Je n'ai pas de réponse à ces questions : "},
    [T_PART_DECLINE_TAIL] = {"Dazu steht nichts in unserer Wissensdatenbank. Möchten Sie darüber mit einem Mitarbeiter "
                             "sprechen? Tippen Sie 'ja' oder 'Mitarbeiter', oder nutzen Sie die Schaltfläche.",
                             "Notre base de connaissances ne contient rien à ce sujet. Voulez-vous en parler à un "
                             "conseiller ? Tapez 'oui' ou 'conseiller', ou utilisez le bouton."},
};

#define TEXT_MAX (LK_KB_ANSWER_MAX + LK_KB_URL_MAX + 4096)

/* The step's working set. */
typedef struct {
    const lk_policy_config_t *cfg;
    const lk_policy_env_t *env;
    lk_policy_state_t *st;
    lk_policy_actions_t *out;
} ctx_t;

/* The column of lang in the text tables: 0 nl, 1 en, 2 de, 3 fr; any
 * other language gets English. */
static int text_ix(const char *lang)
{
    for (size_t i = 0; lang && i < N_SPOKEN; i++)
        if (strcmp(lang, spoken[i]) == 0)
            return (int)i;
    return 1;
}

static const char *text_in(int id, int ix)
{
    if (ix >= 2 && texts_de_fr[id][ix - 2])
        return texts_de_fr[id][ix - 2];
    return texts[id][ix >= 2 ? 1 : ix];
}

static int lang_ix(const ctx_t *c)
{
    return text_ix(c->st->language);
}

static const char *T(const ctx_t *c, int id)
{
    return text_in(id, lang_ix(c));
}

const char *lk_policy_text(size_t i, const char *lang)
{
    if (i >= T__COUNT || !lk_policy_language_spoken(lang))
        return NULL;
    return text_in((int)i, text_ix(lang));
}

/* Appends a template of the tables filled in. The templates of one id take
 * the same conversions in every language (tests/unit/test_texts.c checks). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static void add_fmt(lk_buf_t *b, const ctx_t *c, int id, ...)
{
    va_list ap;
    va_start(ap, id);
    char line[1024];
    int n = vsnprintf(line, sizeof line, T(c, id), ap);
    va_end(ap);
    if (n < 0)
        return;
    if (b->len)
        (void)lk_buf_append_cstr(b, " ");
    (void)lk_buf_append_cstr(b, line);
}
#pragma GCC diagnostic pop

static void say_buf(ctx_t *c, const char *sender, lk_policy_say_kind_t kind, lk_buf_t *b)
{
    lk_policy_action_t *a = push(c->out, LK_ACTION_SAY);
    memcpy(a->sender, sender, strlen(sender) + 1);
    a->kind = kind;
    a->text = lk_buf_steal(b, NULL);
}

static void say(ctx_t *c, const char *sender, lk_policy_say_kind_t kind, const char *text)
{
    lk_policy_action_t *a = push(c->out, LK_ACTION_SAY);
    memcpy(a->sender, sender, strlen(sender) + 1);
    a->kind = kind;
    a->text = lk_xstrdup(text);
}

/* Appends sentence s with a space before it when b is not empty. */
static void add(lk_buf_t *b, const char *s)
{
    if (b->len)
        (void)lk_buf_append_cstr(b, " ");
    (void)lk_buf_append_cstr(b, s);
}

/* A template of the tables filled in, into out (cut at n bytes). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static void fmt_text(char *out, size_t n, const ctx_t *c, int id, ...)
{
    va_list ap;
    va_start(ap, id);
    if (vsnprintf(out, n, T(c, id), ap) < 0)
        out[0] = '\0';
    va_end(ap);
}
#pragma GCC diagnostic pop

/* One duration in words without "about": "3 minuten", "1 uur", "1,5 uur",
 * "1 uur en 15 minuten" / "3 minutes", "1 hour", "1.5 hours", "1 hour and
 * 15 minutes" (the estimate rounds to whole minutes, 5 or 15 minutes, or
 * hours). */
static void duration_words(char *out, size_t n, const ctx_t *c, int64_t secs)
{
    long long min = (long long)((secs + 30) / 60);
    if (min < 60 || min % 15 != 0) {
        if (min == 1)
            fmt_text(out, n, c, T_DUR_1MIN);
        else
            fmt_text(out, n, c, T_DUR_MIN, min);
        return;
    }
    long long h = min / 60, q = min % 60; /* q is 0, 15, 30 or 45 */
    if (q == 0)
        fmt_text(out, n, c, h == 1 ? T_DUR_1HOUR : T_DUR_HOURS, h);
    else if (q == 30)
        fmt_text(out, n, c, T_DUR_HALF, h);
    else if (h == 1)
        fmt_text(out, n, c, T_DUR_1HOUR_Q, q);
    else
        fmt_text(out, n, c, T_DUR_HOURS_Q, h, q);
}

/* One figure: "ongeveer 3 minuten" / "about 3 minutes" (hours rounded). */
static void wait_figure(char *out, size_t n, const ctx_t *c, int64_t secs)
{
    if (secs < 60) {
        fmt_text(out, n, c, T_DUR_LESS_1MIN);
        return;
    }
    char d[128];
    int64_t min = (secs + 30) / 60;
    duration_words(d, sizeof d, c, min < 60 ? secs : (min + 30) / 60 * 3600);
    fmt_text(out, n, c, T_DUR_ABOUT, d);
}

/* The estimate in words. One figure (hi not above lo): wait_figure. A range
 * (lk_analytics_wait_estimate's friendly units): "minder dan een minuut",
 * "minder dan 4 minuten", "2 tot 5 minuten", "45 minuten tot 1,5 uur" /
 * "less than a minute", "less than 4 minutes", "2 to 5 minutes". */
static void wait_words(char *out, size_t n, const ctx_t *c, int64_t lo, int64_t hi)
{
    char a[128], d[128];
    if (hi <= lo) {
        wait_figure(out, n, c, lo);
    } else if (hi <= 60) {
        fmt_text(out, n, c, T_DUR_LESS_1MIN);
    } else if (lo < 60) {
        duration_words(d, sizeof d, c, hi);
        fmt_text(out, n, c, T_DUR_LESS, d);
    } else {
        long long lo_min = (long long)((lo + 30) / 60), hi_min = (long long)((hi + 30) / 60);
        bool hi_in_minutes = hi_min < 60 || hi_min % 15 != 0, lo_in_minutes = lo_min < 60 || lo_min % 15 != 0;
        if (hi_in_minutes && lo_in_minutes) /* "2 tot 5 minuten" */
            snprintf(a, sizeof a, "%lld", lo_min);
        else
            duration_words(a, sizeof a, c, lo);
        duration_words(d, sizeof d, c, hi);
        fmt_text(out, n, c, T_DUR_RANGE, a, d);
    }
}

static int64_t queue_pos(const lk_policy_env_t *env)
{
    return env->queue_length >= 0 ? env->queue_length + 1 : 0;
}

/* "Je bent nummer 3 in de wachtrij. De verwachte wachttijd is ongeveer 3
 * minuten." or, with no figures, "Een medewerker helpt je zo snel mogelijk." */
static void queue_sentence(const ctx_t *c, lk_buf_t *b)
{
    int64_t pos = queue_pos(c->env);
    if (pos > 0)
        add_fmt(b, c, T_QUEUE_POS, (long long)pos);
    if (c->env->est_wait_s >= 0) {
        char w[256];
        wait_words(w, sizeof w, c, c->env->est_wait_s, c->env->est_wait_max_s);
        add_fmt(b, c, T_WAIT_IS, w);
    }
    if (pos <= 0 && c->env->est_wait_s < 0)
        add(b, T(c, T_SOON));
}

static const char *const weekday_names[N_SPOKEN][7] = {
    {"maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"},
    {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"},
    {"Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"},
    {"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"},
};
static const char *const month_names[N_SPOKEN][12] = {
    {"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november",
     "december"},
    {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
     "December"},
    {"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November",
     "Dezember"},
    {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre",
     "décembre"},
};

/* "Ze zijn er morgen weer vanaf 09:00." / "They are back tomorrow from 09:00." */
static void back_sentence(const ctx_t *c, lk_buf_t *b, int64_t now, int64_t next)
{
    int li = lang_ix(c);
    int64_t lnow = now + (int64_t)lk_policy_utc_offset_min(c->cfg, now) * MS_PER_MIN;
    int64_t lnext = next + (int64_t)lk_policy_utc_offset_min(c->cfg, next) * MS_PER_MIN;
    int64_t dnow = floor_div(lnow, MS_PER_DAY), dnext = floor_div(lnext, MS_PER_DAY);
    int minute = (int)((lnext - dnext * MS_PER_DAY) / MS_PER_MIN);
    int y, m, d;
    civil_from_days(dnext, &y, &m, &d);
    int hh = minute / 60, mm = minute % 60;
    if (dnext == dnow)
        add_fmt(b, c, T_BACK_TODAY, hh, mm);
    else if (dnext == dnow + 1)
        add_fmt(b, c, T_BACK_TOMORROW, hh, mm);
    else if (dnext < dnow + 7)
        add_fmt(b, c, T_BACK_DAY, weekday_names[li][iso_weekday(dnext)], d, month_names[li][m - 1], hh, mm);
    else
        add_fmt(b, c, T_BACK_DATE, d, month_names[li][m - 1], y, hh, mm);
}

static bool people_available(const ctx_t *c)
{
    if (c->env->agents_online == 0)
        return false;
    return lk_policy_open_at(c->cfg, c->env->now_ms);
}

/* Why nobody is there, when they are back, and the call-back offer. */
static void away_sentences(const ctx_t *c, lk_buf_t *b)
{
    int64_t now = c->env->now_ms;
    if (!lk_policy_open_at(c->cfg, now)) {
        add(b, T(c, T_AWAY_CLOSED));
        int64_t next = lk_policy_next_open(c->cfg, now);
        if (next > now)
            back_sentence(c, b, now, next);
    } else {
        add(b, T(c, T_AWAY_OFFLINE));
    }
    add(b, T(c, T_AWAY_TAIL));
}

/* Availability part of a notice; updates the state's away flag. */
static void availability(ctx_t *c, lk_buf_t *b)
{
    if (people_available(c)) {
        queue_sentence(c, b);
        c->st->away = false;
        c->st->notice_pos = queue_pos(c->env);
    } else {
        away_sentences(c, b);
        c->st->away = true;
        c->st->callback_hinted = false;
    }
    c->st->quiet_msgs = 0;
}

static int why_text(lk_handoff_reason_t r)
{
    switch (r) {
    case LK_HANDOFF_LOW_CONFIDENCE:
    case LK_HANDOFF_REPEATED_FAILURE:
        return T_WHY_FAILURE;
    case LK_HANDOFF_LOOP:
        return T_WHY_LOOP;
    case LK_HANDOFF_NEGATIVE_SENTIMENT:
        return T_WHY_NEGATIVE;
    case LK_HANDOFF_COMPLAINT:
        return T_WHY_COMPLAINT;
    case LK_HANDOFF_COMPLEX:
        return T_WHY_COMPLEX;
    case LK_HANDOFF_SENSITIVE_TOPIC:
        return T_WHY_SENSITIVE;
    case LK_HANDOFF_LANGUAGE:
        return T_WHY_LANGUAGE;
    default:
        return T_WHY_REQUEST;
    }
}

/* Moves the conversation to "queued" and tells the customer why, their place
 * and wait, or honestly that nobody is there and how to get a call-back. */
static void handoff(ctx_t *c, lk_handoff_reason_t reason)
{
    lk_policy_state_t *st = c->st;
    st->status = LK_CONV_QUEUED;
    st->handoff_reason = reason;
    st->pending = LK_PENDING_NONE;
    st->consecutive_declines = 0;
    st->repeats = 0;
    st->callbacks = 0;
    lk_policy_action_t *h = push(c->out, LK_ACTION_HANDOFF);
    h->reason = reason;
    lk_buf_t b;
    lk_buf_init(&b, TEXT_MAX);
    add(&b, T(c, why_text(reason)));
    bool avail = people_available(c);
    availability(c, &b);
    if (avail)
        add(&b, T(c, T_TAIL));
    say_buf(c, "system", LK_SAY_HANDOFF_NOTICE, &b);
}

/* ---- reading the customer's words (small, pure checks) ------------------ */

/* SHORT_OK (added with the closings): an acknowledgement ("ok", "oké",
 * "prima", "top") rather than a real yes; it counts as yes to "did this
 * help?", and as consent to a person only when the bot offered exactly that. */
typedef enum { SHORT_NONE, SHORT_YES, SHORT_NO, SHORT_HELLO, SHORT_THANKS, SHORT_OK } short_reply_t;

#define MAX_WORDS 8
typedef struct {
    char w[MAX_WORDS][24];
    int n;     /* words kept (at most MAX_WORDS) */
    int total; /* words in the text */
} words_t;

/* Splits text into lowercased words: ASCII letters and digits and every
 * non-ASCII byte (so "oké" and emoji stay words); the rest separates. */
static void split_words(const char *text, size_t len, words_t *w)
{
    w->n = 0;
    w->total = 0;
    size_t i = 0;
    while (i < len) {
        while (i < len && !((unsigned char)text[i] >= 0x80 || (text[i] >= '0' && text[i] <= '9') ||
                            (lower(text[i]) >= 'a' && lower(text[i]) <= 'z')))
            i++;
        if (i >= len)
            break;
        size_t n = 0;
        char *dst = w->n < MAX_WORDS ? w->w[w->n] : NULL;
        while (i < len && ((unsigned char)text[i] >= 0x80 || (text[i] >= '0' && text[i] <= '9') ||
                           (lower(text[i]) >= 'a' && lower(text[i]) <= 'z'))) {
            if (dst && n + 1 < sizeof w->w[0])
                dst[n++] = lower(text[i]);
            i++;
        }
        if (dst) {
            dst[n] = '\0';
            w->n++;
        }
        w->total++;
    }
}

static bool in_list(const char *w, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(w, *list) == 0)
            return true;
    return false;
}

static const char *const yes_words[] = {"ja",   "jazeker", "jawel", "jep",  "jup",   "yes",  "yep",  "yeah",
                                        "yup",  "graag",   "zeker", "sure", "please", "oui", "gerne", NULL};
static const char *const ok_words[] = {"ok",     "oke",  "oké", "okay", "okee",  "okido",     "prima",
                                       "goed",   "top",  "super", "great", "perfect", "fijn",   "mooi",
                                       "cool",   "fine", "alright", "helder", "duidelijk", "\xF0\x9F\x91\x8D",
                                       "\xF0\x9F\x91\x8C", NULL};
static const char *const no_words[] = {"nee", "neen", "neuh", "nope", "no", "nah", "niet", "helaas", "not",
                                       "nein", "non", "\xF0\x9F\x91\x8E", NULL};
static const char *const hello_words[] = {"hallo", "hoi", "hey", "hi", "hello", "hee", "goedemorgen", "goedemiddag",
                                          "goedenavond", "dag", "morning", "good", "beste", NULL};
static const char *const thanks_words[] = {"bedankt", "dank", "dankjewel", "dankuwel", "danku", "thanks", "thank",
                                           "thx", "ty", "merci", "\xF0\x9F\x99\x8F", NULL};

/* Reads a short reply ("ja", "nee hoor", "thanks!") by its first word. */
static short_reply_t short_reply(const words_t *w)
{
    if (w->total == 0 || w->total > 4)
        return SHORT_NONE;
    const char *first = w->w[0];
    if (in_list(first, thanks_words))
        return SHORT_THANKS;
    if (in_list(first, no_words))
        return SHORT_NO;
    if (in_list(first, yes_words))
        return SHORT_YES;
    if (in_list(first, ok_words))
        return SHORT_OK;
    if (w->total <= 3 && in_list(first, hello_words))
        return SHORT_HELLO;
    return SHORT_NONE;
}

/* Closings. "nee, dank je", "nee hoor", "ok", "top", "no thanks", "dat was
 * het", "thanks, that's all": a reply made only of yes/ok/no/thanks/goodbye
 * words and a few fillers asks nothing, so it must never be read as a
 * question (and declined) nor as a request for a person. "niet"/"not" is a
 * filler too ("nee, nu niet"), except beside an ok word ("niet goed"). */
static const char *const closing_no_words[] = {"nee", "neen", "neuh", "nope", "no", "nah", "nein", "non", NULL};
static const char *const bye_words[] = {"doei", "bye", "goodbye", "ciao", "ziens", "groetjes", "groet", "cheers",
                                        NULL};
/* Words that end the conversation by themselves ("niks", "that's all"). */
static const char *const done_words[] = {"alles", "all", "niks", "niets", "nothing", "klaar", "done", NULL};
/* Fillers carry no question ("dag" alone is a hello, "fijne dag" a goodbye). */
static const char *const filler_words[] = {
    "je",    "jij",   "u",       "you",     "wel",   "hoor",   "heel",  "erg",   "hartelijk", "vriendelijk",
    "veel",  "very",  "much",    "so",      "zo",    "dan",    "then",  "maar",  "verder",    "voor",
    "for",   "nu",    "now",     "vandaag", "today", "else",   "anders", "meer", "more",      "was",
    "is",    "het",   "dat",     "that",    "thats", "s",      "it",    "a",     "lot",       "too",
    "tot",   "fijne", "prettige", "nice",   "have",  "day",    "dag",   "avond", "evening",   "weekend",
    "nog",   "een",   "hoeft",   "nodig",   "needed", "later", "nou",   "toch",  "good",      "niet",
    "not",   "that\xE2\x80\x99s", NULL};

typedef struct {
    short_reply_t first; /* by the first word, for a reply of at most four words */
    bool closing;        /* only the words above, at most MAX_WORDS, at least one that means something */
    /* which kinds a closing holds */
    bool yes, ok, no, thanks, bye;
} reply_t;

static void read_reply(const words_t *w, reply_t *rp)
{
    memset(rp, 0, sizeof *rp);
    rp->first = short_reply(w);
    if (w->total == 0 || w->total > w->n)
        return;
    bool meaning = false, negated = false;
    for (int i = 0; i < w->n; i++) {
        const char *x = w->w[i];
        if (in_list(x, yes_words))
            rp->yes = true;
        else if (in_list(x, ok_words))
            rp->ok = true;
        else if (in_list(x, closing_no_words))
            rp->no = true;
        else if (in_list(x, thanks_words))
            rp->thanks = true;
        else if (in_list(x, bye_words) || in_list(x, done_words))
            rp->bye = true;
        else if (in_list(x, filler_words)) {
            negated = negated || strcmp(x, "niet") == 0 || strcmp(x, "not") == 0;
            /* "dat was het", "that's it": done, said in fillers */
            if (i > 0 && (strcmp(x, "het") == 0 || strcmp(x, "it") == 0) &&
                (strcmp(w->w[i - 1], "was") == 0 || strcmp(w->w[i - 1], "is") == 0 || strcmp(w->w[i - 1], "s") == 0))
                rp->bye = true;
            continue;
        } else
            return; /* a word that carries a question */
        meaning = true;
    }
    rp->closing = (meaning || rp->bye) && !(negated && rp->ok);
}

static bool email_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
           ch == '_' || ch == '%' || ch == '+' || ch == '-';
}

/* The first e-mail address or phone number (9 to 15 digits, with spaces,
 * dashes, dots, slashes or parentheses between them, an optional leading
 * '+') in text, as a new string; NULL when none. */
static char *find_contact(const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (text[i] != '@')
            continue;
        size_t s = i, e = i + 1;
        while (s > 0 && email_char(text[s - 1]))
            s--;
        while (e < len && email_char(text[e]))
            e++;
        while (e > i + 1 && (text[e - 1] == '.' || text[e - 1] == '-'))
            e--; /* a full stop after the address */
        const char *dot = memchr(text + i + 1, '.', e - i - 1);
        if (s < i && dot && dot > text + i + 1 && (size_t)(text + e - dot) > 2 && e - s <= 254)
            return lk_xstrndup(text + s, e - s);
    }
    for (size_t i = 0; i < len; i++) {
        /* a number starts with a digit, '+' or '(' and not inside another one */
        bool lead = text[i] == '+' || text[i] == '(';
        if (!lead && !(text[i] >= '0' && text[i] <= '9'))
            continue;
        if (i > 0 && ((text[i - 1] >= '0' && text[i - 1] <= '9') || text[i - 1] == '+' || text[i - 1] == '('))
            continue;
        size_t e = i, last_digit = i;
        int digits = 0;
        if (lead)
            e++;
        while (e < len && ((text[e] >= '0' && text[e] <= '9') || text[e] == ' ' || text[e] == '-' ||
                           text[e] == '.' || text[e] == '/' || text[e] == '(' || text[e] == ')')) {
            if (text[e] >= '0' && text[e] <= '9') {
                digits++;
                last_digit = e;
            }
            e++;
        }
        if (digits >= 9 && digits <= 15)
            return lk_xstrndup(text + i, last_digit + 1 - i);
        i = e > i ? e - 1 : i;
    }
    return NULL;
}

/* ---- articles ------------------------------------------------------------ */

static bool valid_article(const lk_policy_env_t *env, long i)
{
    return env->kb && i >= 0 && (size_t)i < env->kb->n_articles;
}

static bool kb_has_language(const lk_kb_t *kb, const char *lang)
{
    if (!kb)
        return true; /* nothing to check against */
    for (size_t i = 0; i < kb->n_articles; i++)
        if (kb->articles[i].language && strcmp(kb->articles[i].language, lang) == 0)
            return true;
    return false;
}

static bool tagged_sensitive(const lk_article_t *a)
{
    for (size_t i = 0; i < a->n_tags; i++)
        if (ieq(a->tags[i], "sensitive") || ieq(a->tags[i], "gevoelig"))
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
static long article_in_language(const lk_kb_t *kb, long i, const char *lang)
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
static void answer(ctx_t *c, long raw, double confidence, bool ask)
{
    const lk_kb_t *kb = c->env->kb;
    long i = article_in_language(kb, raw, c->st->language);
    const lk_article_t *a = &kb->articles[i];
    lk_buf_t b;
    lk_buf_init(&b, TEXT_MAX);
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
    lk_policy_action_t *x = push(c->out, LK_ACTION_SAY);
    memcpy(x->sender, "bot", 4);
    x->kind = LK_SAY_ANSWER;
    x->text = lk_buf_steal(&b, NULL);
    x->article = i;
    x->confidence = confidence;
}

/* ---- the step's cases ---------------------------------------------------- */

static void greet(ctx_t *c)
{
    say(c, "bot", LK_SAY_GREETING, T(c, T_GREETING));
}

/* The conversation follows the language the customer writes in: into one
 * the knowledge base has articles in at language_min, into one it has none
 * in (a German message in a Dutch chat) only at foreign_language_min, since
 * the bot then says it has no answer in that language and hands over. */
static void follow_language(ctx_t *c, const lk_nlu_reading_t *r)
{
    char lang[sizeof r->language];
    memcpy(lang, r->language, sizeof lang);
    lang[sizeof lang - 1] = '\0';
    if (!lk_policy_language_valid(lang) || !(r->language_confidence >= c->cfg->language_min) ||
        strcmp(lang, c->st->language) == 0)
        return;
    if (!kb_has_language(c->env->kb, lang) &&
        !(lk_policy_language_spoken(lang) && r->language_confidence >= c->cfg->foreign_language_min))
        return;
    memcpy(c->st->language, lang, strlen(lang) + 1);
}

/* Has article i a version in the conversation's language (itself, or a
 * translation)? An article without a language counts as every language. */
static bool has_version(const ctx_t *c, long i)
{
    const lk_kb_t *kb = c->env->kb;
    const lk_article_t *a = &kb->articles[article_in_language(kb, i, c->st->language)];
    return !a->language || strcmp(a->language, c->st->language) == 0;
}

/* The bot cannot answer in the customer's language: the matched article has
 * no version in it, or (no match) the knowledge base has no article in it
 * at all. An empty knowledge base is a plain decline, not a language gap. */
static bool language_gap(const ctx_t *c, long a0)
{
    if (a0 >= 0)
        return !has_version(c, a0);
    const lk_kb_t *kb = c->env->kb;
    return kb && kb->n_articles > 0 && !kb_has_language(kb, c->st->language);
}

/* The truthful reply to "are you a bot?" as it was asked. */
static int bot_reply(lk_nlu_botq_t kind)
{
    switch (kind) {
    case LK_NLU_BOTQ_PERSON:
        return T_BOT_NOT_PERSON; /* "Nee, ik ben geen mens: ..." */
    case LK_NLU_BOTQ_MACHINE:
        return T_BOT_YES; /* "Ja, ik ben een chatbot: ..." */
    default:
        return T_BOT_IS; /* "Ik ben een digitale assistent, geen mens: ..." */
    }
}

static bool at_least(double score, double min)
{
    return score >= min; /* false for NaN */
}

/* The two articles to answer when a message asks several things (signal
 * multi_question), or false. The matches of one reading share one
 * probability mass, so two questions show as two matches that split it:
 * often neither reaches the NLU's answer threshold alone, while a message
 * about one topic leaves the second match a few per cent of the first. Both
 * are answered when, together, they are as sure as one answer must be
 * (pair_answer_min), the second is strong next to the first
 * (second_answer_ratio, and at least second_answer_min), and the third is weak
 * next to the second (second_answer_margin), so the two stand out from the
 * rest. They must give two different answers (not one article and its
 * version in another language). Sensitive articles are the caller's check. */
static bool answerable_pair(const ctx_t *c, const lk_nlu_reading_t *r, long *p0, long *p1)
{
    const lk_policy_config_t *cfg = c->cfg;
    if (!at_least(r->signals.multi_question, cfg->multi_question_min) || r->n_top < 2 ||
        !valid_article(c->env, r->top[0].article) || !valid_article(c->env, r->top[1].article))
        return false;
    double c0 = r->top[0].confidence, c1 = r->top[1].confidence;
    double c2 = r->n_top > 2 ? r->top[2].confidence : 0;
    if (!at_least(c0 + c1, cfg->pair_answer_min) || !at_least(c1, cfg->second_answer_min) ||
        !at_least(c1, cfg->second_answer_ratio * c0) || !at_least(cfg->second_answer_margin * c1, c2))
        return false;
    const lk_kb_t *kb = c->env->kb;
    if (article_in_language(kb, r->top[0].article, c->st->language) ==
        article_in_language(kb, r->top[1].article, c->st->language))
        return false;
    *p0 = r->top[0].article;
    *p1 = r->top[1].article;
    return true;
}

static bool sensitive_hit(const ctx_t *c, const lk_nlu_reading_t *r)
{
    if (r->n_top == 0 || !valid_article(c->env, r->top[0].article))
        return false;
    const lk_article_t *arts = c->env->kb->articles;
    if ((r->answer || at_least(r->top[0].confidence, c->cfg->sensitive_min)) &&
        tagged_sensitive(&arts[r->top[0].article]))
        return true;
    long p0, p1;
    if (answerable_pair(c, r, &p0, &p1) && (tagged_sensitive(&arts[p0]) || tagged_sensitive(&arts[p1])))
        return true;
    return false;
}

/* The reply to a closing, thanks or a bare "ok" (see read_reply): never a
 * failure, never a hand-off. pend is what the bot's last message asked. */
static void closing_reply(ctx_t *c, lk_policy_pending_t pend, const reply_t *rp)
{
    lk_policy_state_t *st = c->st;
    bool asked = pend != LK_PENDING_NONE && pend != LK_PENDING_BYE;
    bool yes = rp->first == SHORT_YES && !rp->no && !rp->thanks && !rp->bye;
    if (pend == LK_PENDING_BYE && !yes) {
        st->pending = LK_PENDING_BYE; /* "ok" to the goodbye: one goodbye is enough */
        return;
    }
    if (rp->thanks && !asked) {
        /* "bedankt" out of the blue: "you're welcome, anything else?" */
        say(c, "bot", LK_SAY_REPLY, T(c, T_THANKS));
        st->pending = LK_PENDING_MORE;
        return;
    }
    if (yes) {
        /* "ja" to "anything else?" (or to nothing): the question is to come */
        say(c, "bot", LK_SAY_REPLY, T(c, T_ASK));
        st->pending = LK_PENDING_MORE;
        return;
    }
    if (asked || rp->bye) {
        lk_buf_t b;
        lk_buf_init(&b, TEXT_MAX);
        add(&b, T(c, rp->thanks ? T_BYE_THANKS : T_BYE));
        add(&b, T(c, T_BYE_TAIL));
        say_buf(c, "bot", LK_SAY_REPLY, &b);
        st->pending = LK_PENDING_BYE;
        return;
    }
    /* a bare "ok" or "nee" when the bot asked nothing (after the greeting) */
    say(c, "bot", LK_SAY_REPLY, T(c, T_ACK));
    st->pending = LK_PENDING_MORE;
}

/* ---- choices and several questions (issue 15) ------------------------------ */

/* "geen van deze", "none of these", "nee, iets anders": the customer's
 * answer to choices when none fits. Only these words, and at least one
 * that says no. */
static const char *const none_key_words[] = {"geen", "none",  "neither", "nee",    "neen", "no", "nope",
                                             "niks", "niets", "nothing", "anders", "else", NULL};
static const char *const none_filler_words[] = {"van",   "deze",   "beide", "allebei", "allen", "of",        "these",
                                                "them",  "those",  "the",   "above",   "iets",  "something", "is",
                                                "het",   "it",     "dat",   "bedoel",  "ik",    "i",         "mean",
                                                "sorry", "helaas", "zijn",  "are",     "een",   "other",     NULL};

static bool none_of_these(const words_t *w)
{
    if (w->total == 0 || w->total > 6 || w->total > w->n)
        return false;
    bool key = false;
    for (int i = 0; i < w->n; i++) {
        if (in_list(w->w[i], none_key_words))
            key = true;
        else if (!in_list(w->w[i], none_filler_words))
            return false;
    }
    return key;
}

/* The articles to offer for a reading that asks (r->ask): its candidates
 * mapped to the customer's language, each once. A candidate tagged
 * sensitive is never offered (those subjects go to a person). Returns how
 * many, or 0 when fewer than two remain. */
static size_t choices_of(const ctx_t *c, const lk_nlu_reading_t *r, long out[LK_NLU_TOP_K])
{
    if (!r->ask || r->answer)
        return 0;
    const lk_kb_t *kb = c->env->kb;
    size_t n = 0;
    for (size_t k = 0; k < r->n_choices && k < r->n_top && k < LK_NLU_TOP_K; k++) {
        if (!valid_article(c->env, r->top[k].article))
            return 0;
        long i = article_in_language(kb, r->top[k].article, c->st->language);
        if (tagged_sensitive(&kb->articles[i]))
            return 0;
        bool dup = false;
        for (size_t j = 0; j < n; j++)
            dup = dup || out[j] == i;
        if (!dup)
            out[n++] = i;
    }
    return n >= 2 ? n : 0;
}

/* "Gaat je vraag over 'A' of 'B'?" with the articles as choices; the
 * customer picks one (ev->chosen), says none fits, or types on. */
static void offer_choices(ctx_t *c, const long *choices, size_t n)
{
    const lk_kb_t *kb = c->env->kb;
    lk_buf_t b;
    lk_buf_init(&b, TEXT_MAX);
    (void)lk_buf_append_cstr(&b, T(c, T_CHOICES_INTRO));
    for (size_t k = 0; k < n; k++) {
        const lk_article_t *a = &kb->articles[choices[k]];
        if (k > 0)
            (void)lk_buf_append_cstr(&b, k + 1 == n ? T(c, T_CHOICES_OR) : ", ");
        (void)lk_buf_append_cstr(&b, "'");
        (void)lk_buf_append_cstr(&b, a->title && *a->title ? a->title : a->id);
        (void)lk_buf_append_cstr(&b, "'");
    }
    (void)lk_buf_append_cstr(&b, "? ");
    (void)lk_buf_append_cstr(&b, T(c, T_CHOICES_TAIL));
    lk_policy_action_t *x = push(c->out, LK_ACTION_SAY);
    memcpy(x->sender, "bot", 4);
    x->kind = LK_SAY_CHOICES;
    x->text = lk_buf_steal(&b, NULL);
    memcpy(x->choices, choices, n * sizeof *choices);
    x->n_choices = n;
    c->st->pending = LK_PENDING_CHOICE;
    c->st->last_article = -1;
}

/* The customer picked article raw from the bot's choices: an answer the
 * customer chose (no confidence of the NLU's), which resets the failures
 * like any answer. */
static void answer_pick(ctx_t *c, long raw)
{
    lk_policy_state_t *st = c->st;
    if (tagged_sensitive(&c->env->kb->articles[raw])) {
        handoff(c, LK_HANDOFF_SENSITIVE_TOPIC);
        return;
    }
    answer(c, raw, 0, c->cfg->ask_feedback);
    c->out->items[c->out->n - 1].chosen = true;
    st->consecutive_declines = 0;
    st->repeats = 1;
    st->last_article = raw;
    st->pending = c->cfg->ask_feedback ? LK_PENDING_FEEDBACK : LK_PENDING_NONE;
}

#define PART_QUOTE_MAX 200 /* bytes of a declined part quoted back */

/* Appends part text as a quote, on one line, cut at a character boundary. */
static void quote_part(lk_buf_t *b, const char *text, size_t len)
{
    bool cut = len > PART_QUOTE_MAX;
    if (cut) {
        len = PART_QUOTE_MAX;
        while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80)
            len--; /* not inside a UTF-8 sequence */
    }
    (void)lk_buf_append_cstr(b, "'");
    for (size_t i = 0; i < len; i++) {
        char ch = text[i] == '\n' || text[i] == '\r' || text[i] == '\t' ? ' ' : text[i];
        (void)lk_buf_append(b, &ch, 1);
    }
    (void)lk_buf_append_cstr(b, cut ? "...'" : "'");
}

/* A message that asks several questions, read one by one (ev->parts):
 * answers each part the NLU answers (each article once, in the customer's
 * language), then one message that names the parts it cannot answer and
 * offers a person. False, having said nothing, when no part is answered:
 * the caller goes on with the message as a whole. A part whose answer is
 * tagged sensitive hands the conversation over. */
static bool answer_parts(ctx_t *c, const lk_policy_event_t *ev)
{
    const lk_kb_t *kb = c->env->kb;
    lk_policy_state_t *st = c->st;
    size_t n = ev->n_parts < LK_NLU_SPLIT_MAX ? ev->n_parts : LK_NLU_SPLIT_MAX;
    long raw[LK_NLU_SPLIT_MAX];
    size_t n_ok = 0, n_no = 0, last_ok = 0;
    for (size_t k = 0; k < n; k++) {
        const lk_nlu_reading_t *r = ev->parts[k].reading;
        raw[k] = -1;
        if (r && r->answer && r->n_top > 0 && valid_article(c->env, r->top[0].article) &&
            has_version(c, r->top[0].article)) {
            raw[k] = r->top[0].article;
            n_ok++;
            last_ok = k;
        } else if (ev->parts[k].text && ev->parts[k].len) {
            n_no++;
        }
    }
    if (n_ok == 0)
        return false;
    for (size_t k = 0; k < n; k++)
        if (raw[k] >= 0 && tagged_sensitive(&kb->articles[raw[k]])) {
            handoff(c, LK_HANDOFF_SENSITIVE_TOPIC);
            return true;
        }
    long done[LK_NLU_SPLIT_MAX];
    size_t n_done = 0;
    for (size_t k = 0; k < n; k++) {
        if (raw[k] < 0)
            continue;
        long i = article_in_language(kb, raw[k], st->language);
        bool dup = false;
        for (size_t j = 0; j < n_done; j++)
            dup = dup || done[j] == i;
        if (dup)
            continue;
        done[n_done++] = i;
        answer(c, raw[k], ev->parts[k].reading->top[0].confidence, c->cfg->ask_feedback && n_no == 0 && k == last_ok);
    }
    /* answered parts reset the failures; a declined part leaves one, so
     * that a decline right after it hands over (never two declines in a
     * row without a person) */
    st->consecutive_declines = n_no > 0 ? 1 : 0;
    for (size_t k = 0; k < n; k++)
        if (raw[k] >= 0) { /* the raw index, as every answer keeps it (loop detection) */
            st->last_article = raw[k];
            break;
        }
    if (n_no == 0) {
        st->pending = c->cfg->ask_feedback ? LK_PENDING_FEEDBACK : LK_PENDING_NONE;
        return true;
    }
    lk_buf_t b;
    lk_buf_init(&b, TEXT_MAX);
    (void)lk_buf_append_cstr(&b, T(c, n_no > 1 ? T_PART_DECLINE_MANY : T_PART_DECLINE));
    size_t said = 0;
    for (size_t k = 0; k < n; k++) {
        if (raw[k] >= 0 || !ev->parts[k].text || !ev->parts[k].len)
            continue;
        if (said++)
            (void)lk_buf_append_cstr(&b, ", ");
        quote_part(&b, ev->parts[k].text, ev->parts[k].len);
    }
    (void)lk_buf_append_cstr(&b, ". ");
    (void)lk_buf_append_cstr(&b, T(c, T_PART_DECLINE_TAIL));
    say_buf(c, "bot", LK_SAY_DECLINE, &b);
    st->pending = LK_PENDING_OFFER;
    return true;
}

/* A customer message while the bot has the conversation. */
static void bot_message(ctx_t *c, const lk_policy_event_t *ev, const lk_nlu_reading_t *r)
{
    const lk_policy_config_t *cfg = c->cfg;
    lk_policy_state_t *st = c->st;
    const lk_nlu_signals_t *sig = &r->signals;
    st->customer_turns++;
    follow_language(c, r);
    lk_policy_pending_t pend = st->pending;
    st->pending = LK_PENDING_NONE;

    /* A pick from the bot's choices (the caller checked it was offered). */
    if (ev->chosen && valid_article(c->env, ev->choice)) {
        answer_pick(c, ev->choice);
        return;
    }

    /* A person on request, in the same turn, no questions asked. */
    if (at_least(sig->person_request, cfg->person_request_min)) {
        handoff(c, LK_HANDOFF_CUSTOMER_REQUEST);
        return;
    }
    if (at_least(sig->complaint, cfg->complaint_min)) {
        handoff(c, LK_HANDOFF_COMPLAINT);
        return;
    }
    if (at_least(sig->negative, cfg->negative_min)) {
        handoff(c, LK_HANDOFF_NEGATIVE_SENTIMENT);
        return;
    }
    if (sensitive_hit(c, r)) {
        /* asked at the same time whether this is a bot: the truth first */
        if (at_least(sig->bot_question, cfg->bot_question_min))
            say(c, "bot", LK_SAY_DISCLOSURE, T(c, bot_reply(sig->bot_question_kind)));
        handoff(c, LK_HANDOFF_SENSITIVE_TOPIC);
        return;
    }

    words_t w;
    split_words(ev->text ? ev->text : "", ev->text ? ev->len : 0, &w);
    reply_t rp;
    read_reply(&w, &rp);
    short_reply_t sr = rp.first;
    bool no_lead = w.total > 0 && in_list(w.w[0], no_words);

    /* "Shall I put you through?" - "ja", or a bare "ok" (it answers exactly
     * that question; nowhere else is an "ok" consent to a hand-off). */
    if (pend == LK_PENDING_OFFER &&
        (sr == SHORT_YES || (sr == SHORT_OK && rp.closing && !rp.no && !rp.thanks && !rp.bye))) {
        handoff(c, LK_HANDOFF_CUSTOMER_REQUEST);
        return;
    }
    if (pend == LK_PENDING_OFFER && sr == SHORT_NO) {
        say(c, "bot", LK_SAY_REPLY, T(c, T_OFFER_NO));
        st->pending = LK_PENDING_MORE;
        return;
    }
    /* Choices, and none of them fits: the bot could not tell what the
     * customer means, so a person takes over. */
    if (pend == LK_PENDING_CHOICE && none_of_these(&w)) {
        handoff(c, LK_HANDOFF_LOW_CONFIDENCE);
        return;
    }
    /* "Did this help?" - a "no" is a failure like a decline. */
    if (pend == LK_PENDING_FEEDBACK) {
        if (sr == SHORT_YES || sr == SHORT_OK || sr == SHORT_THANKS) {
            st->consecutive_declines = 0;
            say(c, "bot", LK_SAY_REPLY, T(c, T_FEEDBACK_YES));
            st->pending = LK_PENDING_MORE;
            return;
        }
        if (sr == SHORT_NO || no_lead) {
            st->consecutive_declines++;
            if (st->consecutive_declines >= cfg->max_consecutive_declines) {
                handoff(c, LK_HANDOFF_REPEATED_FAILURE);
                return;
            }
            if (sr == SHORT_NO) {
                say(c, "bot", LK_SAY_REPLY, T(c, T_FEEDBACK_NO));
                st->pending = LK_PENDING_OFFER;
                return;
            }
            /* "nee, ik bedoel ...": read the rest as a new question */
        }
    }
    /* "nee, dank je", "ok", "top", "thanks, that's all" to any other question
     * (or to none): a warm closing, not a question to decline. */
    if (rp.closing) {
        closing_reply(c, pend, &rp);
        return;
    }

    long a0 = -1;
    if (r->answer && r->n_top > 0 && valid_article(c->env, r->top[0].article))
        a0 = r->top[0].article;

    /* "Are you a bot?" / "Am I talking to a person?" - the truth, in a first
     * sentence that answers the question as it was put, with the human
     * option. */
    if (at_least(sig->bot_question, cfg->bot_question_min)) {
        say(c, "bot", LK_SAY_DISCLOSURE, T(c, bot_reply(sig->bot_question_kind)));
        st->pending = LK_PENDING_OFFER;
        if (a0 < 0)
            return;
    } else if (a0 < 0 && sr == SHORT_HELLO) {
        say(c, "bot", LK_SAY_REPLY, T(c, T_HELLO));
        return;
    } else if (a0 < 0 && sr == SHORT_THANKS) {
        say(c, "bot", LK_SAY_REPLY, T(c, T_THANKS));
        st->pending = LK_PENDING_MORE;
        return;
    }

    /* The same question again (answered or not). */
    bool again = at_least(sig->repeat, cfg->repeat_min) || (a0 >= 0 && a0 == st->last_article);
    st->repeats = again ? st->repeats + 1 : 1;
    if (st->repeats >= cfg->loop_repeats) {
        handoff(c, LK_HANDOFF_LOOP);
        return;
    }

    /* No answer in the customer's language: say so in it, and a person at
     * once (never an answer in another language, never a decline to try
     * again: the second try would fail the same way). */
    if (language_gap(c, a0)) {
        handoff(c, LK_HANDOFF_LANGUAGE);
        return;
    }

    /* Several questions, read one by one: answer each part the knowledge
     * base supports and decline the rest in the same turn. */
    if (ev->n_parts >= 2 && ev->parts && answer_parts(c, ev))
        return;

    /* Several questions: answer each (answerable_pair), or answer what the
     * NLU answers and hand over for the rest. */
    if (at_least(sig->multi_question, cfg->multi_question_min)) {
        long p0, p1;
        if (answerable_pair(c, r, &p0, &p1) && has_version(c, p0) && has_version(c, p1)) {
            answer(c, p0, r->top[0].confidence, false);
            answer(c, p1, r->top[1].confidence, cfg->ask_feedback);
            st->consecutive_declines = 0;
            st->last_article = p0;
            st->pending = cfg->ask_feedback ? LK_PENDING_FEEDBACK : LK_PENDING_NONE;
            return;
        }
        if (a0 >= 0)
            answer(c, a0, r->top[0].confidence, false); /* what it can, then a person for the rest */
        handoff(c, LK_HANDOFF_COMPLEX);
        return;
    }

    /* Ask instead of guess: two or three close articles become choices. A
     * first offer is neither an answer nor a failure; an offer right after
     * an offer (the customer typed on and the bot is still unsure) or right
     * after a decline counts as a failure, so that choices never go round in
     * circles nor stand between a customer the bot failed and a person. */
    long choices[LK_NLU_TOP_K];
    size_t n_choices = a0 < 0 ? choices_of(c, r, choices) : 0;
    if (n_choices > 0) {
        if ((pend == LK_PENDING_CHOICE || st->consecutive_declines > 0) &&
            ++st->consecutive_declines >= cfg->max_consecutive_declines) {
            handoff(c, LK_HANDOFF_REPEATED_FAILURE);
            return;
        }
        offer_choices(c, choices, n_choices);
        return;
    }

    if (a0 >= 0) {
        answer(c, a0, r->top[0].confidence, cfg->ask_feedback);
        st->consecutive_declines = 0;
        st->last_article = a0;
        st->pending = cfg->ask_feedback ? LK_PENDING_FEEDBACK : LK_PENDING_NONE;
        return;
    }

    /* Decline honestly; the second failure in a row hands over. */
    st->last_article = -1;
    st->consecutive_declines++;
    if (st->consecutive_declines >= cfg->max_consecutive_declines) {
        handoff(c, LK_HANDOFF_REPEATED_FAILURE);
        return;
    }
    say(c, "bot", LK_SAY_DECLINE, T(c, T_DECLINE));
    st->pending = LK_PENDING_OFFER;
}

/* While queued: tells the customer when availability changed since the last
 * notice. True when it said something. */
static bool refresh_availability(ctx_t *c)
{
    bool avail = people_available(c);
    if (c->st->away == !avail)
        return false;
    lk_buf_t b;
    lk_buf_init(&b, TEXT_MAX);
    if (avail)
        add(&b, T(c, T_BACK));
    availability(c, &b);
    if (avail)
        add(&b, T(c, T_QUEUED_TAIL));
    say_buf(c, "system", LK_SAY_QUEUE_NOTICE, &b);
    return true;
}

static void queue_notice(ctx_t *c)
{
    lk_buf_t b;
    lk_buf_init(&b, TEXT_MAX);
    if (c->st->away) {
        availability(c, &b);
    } else {
        add(&b, T(c, T_QUEUED));
        availability(c, &b);
        add(&b, T(c, T_QUEUED_TAIL));
    }
    say_buf(c, "system", LK_SAY_QUEUE_NOTICE, &b);
}

/* A customer message while queued: never a bot answer. */
static void queued_message(ctx_t *c, const lk_policy_event_t *ev, const lk_nlu_reading_t *r)
{
    lk_policy_state_t *st = c->st;
    st->customer_turns++;
    st->pending = LK_PENDING_NONE;
    bool asked = at_least(r->signals.person_request, c->cfg->person_request_min);
    if (refresh_availability(c))
        return;
    st->quiet_msgs++; /* a message since the last queue notice (the button reads it too) */
    if (st->away) {
        char *contact = ev->text ? find_contact(ev->text, ev->len) : NULL;
        if (contact) {
            lk_policy_action_t *cb = push(c->out, LK_ACTION_CALLBACK_REQUEST);
            cb->text = lk_xstrndup(ev->text, ev->len);
            cb->contact = contact;
            st->callbacks++;
            lk_buf_t b;
            lk_buf_init(&b, TEXT_MAX);
            add_fmt(&b, c, T_CALLBACK_THANKS, contact);
            say_buf(c, "system", LK_SAY_CALLBACK_NOTICE, &b);
        } else if (asked) {
            queue_notice(c);
        } else if (!st->callback_hinted && st->callbacks == 0) {
            st->callback_hinted = true;
            say(c, "system", LK_SAY_CALLBACK_NOTICE, T(c, T_CALLBACK_HINT));
        }
        return;
    }
    int64_t pos = queue_pos(c->env);
    if (asked || (pos > 0 && pos != st->notice_pos) || st->quiet_msgs >= 3)
        queue_notice(c);
}

/* The button again while queued: the customer hears where they stand when
 * that changed since the last notice, or once when their own messages have
 * pushed that notice out of sight. Pressing it again and again adds no
 * identical notices (the server's reply still carries status and position). */
static void queued_button(ctx_t *c)
{
    if (refresh_availability(c))
        return;
    int64_t pos = queue_pos(c->env);
    bool moved = !c->st->away && pos > 0 && pos != c->st->notice_pos;
    if (moved || c->st->quiet_msgs > 0)
        queue_notice(c);
}

static void on_message(ctx_t *c, const lk_policy_event_t *ev)
{
    lk_nlu_reading_t empty;
    const lk_nlu_reading_t *r = ev->reading;
    if (!r) {
        memset(&empty, 0, sizeof empty);
        r = &empty;
    }
    switch (c->st->status) {
    case LK_CONV_CLOSED: {
        /* A reopened conversation starts fresh with the bot. */
        char lang[sizeof c->st->language];
        memcpy(lang, c->st->language, sizeof lang);
        lk_policy_state_init(c->st, lang);
        greet(c);
        bot_message(c, ev, r);
        break;
    }
    case LK_CONV_BOT:
        bot_message(c, ev, r);
        break;
    case LK_CONV_QUEUED:
        queued_message(c, ev, r);
        break;
    case LK_CONV_ASSIGNED:
        c->st->customer_turns++; /* the agent answers; the bot stays silent */
        break;
    }
}

static void on_button(ctx_t *c)
{
    switch (c->st->status) {
    case LK_CONV_CLOSED: {
        char lang[sizeof c->st->language];
        memcpy(lang, c->st->language, sizeof lang);
        lk_policy_state_init(c->st, lang);
        handoff(c, LK_HANDOFF_BUTTON);
        break;
    }
    case LK_CONV_BOT:
        handoff(c, LK_HANDOFF_BUTTON);
        break;
    case LK_CONV_QUEUED:
        queued_button(c);
        break;
    case LK_CONV_ASSIGNED:
        break; /* already with a person */
    }
}

static void on_agent_joins(ctx_t *c, const char *name)
{
    lk_policy_state_t *st = c->st;
    st->status = LK_CONV_ASSIGNED;
    st->pending = LK_PENDING_NONE;
    st->away = false;
    st->quiet_msgs = 0;
    st->notice_pos = 0;
    lk_buf_t b;
    lk_buf_init(&b, TEXT_MAX);
    if (name && *name && strlen(name) <= 200 && lk_utf8_valid(name, strlen(name)))
        add_fmt(&b, c, T_AGENT_JOINS_NAMED, name);
    else
        (void)lk_buf_append_cstr(&b, T(c, T_AGENT_JOINS));
    say_buf(c, "system", LK_SAY_AGENT_NOTICE, &b);
}

static void on_agent_leaves(ctx_t *c)
{
    if (c->st->status != LK_CONV_ASSIGNED)
        return;
    c->st->status = LK_CONV_QUEUED;
    lk_buf_t b;
    lk_buf_init(&b, TEXT_MAX);
    add(&b, T(c, T_AGENT_LEAVES));
    availability(c, &b);
    say_buf(c, "system", LK_SAY_AGENT_NOTICE, &b);
}

static void on_close(ctx_t *c)
{
    if (c->st->status == LK_CONV_CLOSED)
        return;
    c->st->status = LK_CONV_CLOSED;
    c->st->pending = LK_PENDING_NONE;
    c->st->away = false;
    say(c, "system", LK_SAY_CLOSED_NOTICE, T(c, T_CLOSED));
}

static void on_tick(ctx_t *c)
{
    if (c->st->status != LK_CONV_QUEUED)
        return;
    if (refresh_availability(c))
        return;
    int64_t pos = queue_pos(c->env);
    if (!c->st->away && pos > 0 && pos != c->st->notice_pos)
        queue_notice(c);
}

static bool state_valid(const lk_policy_state_t *st)
{
    if ((int)st->status < LK_CONV_BOT || st->status > LK_CONV_CLOSED)
        return false;
    if ((int)st->handoff_reason < 0 || (size_t)st->handoff_reason >= N_REASONS)
        return false;
    if ((int)st->pending < LK_PENDING_NONE || st->pending > LK_PENDING_CHOICE)
        return false;
    return memchr(st->language, '\0', sizeof st->language) != NULL;
}

int lk_policy_step(const lk_policy_config_t *cfg, const lk_policy_state_t *state, const lk_policy_event_t *ev,
                   const lk_policy_env_t *env, lk_policy_state_t *next, lk_policy_actions_t *actions)
{
    if (actions) {
        actions->items = NULL;
        actions->n = 0;
    }
    if (!state || !ev || !env || !next || !actions || !state_valid(state))
        return LK_EINVAL;
    lk_policy_config_t def;
    if (!cfg) {
        lk_policy_config_default(&def);
        cfg = &def;
    }
    lk_policy_state_t st = *state;
    ctx_t c = {cfg, env, &st, actions};
    switch (ev->type) {
    case LK_EV_START:
        greet(&c);
        break;
    case LK_EV_MESSAGE:
        on_message(&c, ev);
        break;
    case LK_EV_BUTTON:
        on_button(&c);
        break;
    case LK_EV_AGENT_JOINS:
        on_agent_joins(&c, ev->agent_name);
        break;
    case LK_EV_AGENT_LEAVES:
        on_agent_leaves(&c);
        break;
    case LK_EV_CLOSE:
        on_close(&c);
        break;
    case LK_EV_TICK:
        on_tick(&c);
        break;
    default:
        return LK_EINVAL;
    }
    saturate(&st);
    *next = st;
    return 0;
}
