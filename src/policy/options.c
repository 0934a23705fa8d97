/*
 * policy: the configuration, one option table (part of the pure policy
 * module, see policy.h and docs/policy.md, "Configuration").
 *
 * Every option's name, type, bounds and default sit in the table below, and
 * lk_policy_config_set() validates a value against it; the business hours,
 * holidays and time zone have their small parsers here. The config module
 * (src/config/) reads the options from the file and environment and hands
 * each one to lk_policy_config_set().
 */
#include "policy/policy_int.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

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

char lk_pol_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

bool lk_pol_ieq(const char *a, const char *b)
{
    while (*a && *b && lk_pol_lower(*a) == lk_pol_lower(*b)) {
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
        out[n++] = lk_pol_lower(*p++);
    }
    out[n] = '\0';
    *pp = p;
    return n > 0;
}

/* Exactly `digits` decimal digits at *pp, which then moves past them. */
static bool read_digits(const char **pp, size_t digits, int *out)
{
    if (lk_parse_digits(*pp, digits, out) != 0)
        return false;
    *pp += digits;
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
    if (lk_pol_ieq(p, "always") || lk_pol_ieq(p, "24/7")) {
        for (int d = 0; d < 7; d++)
            week[d][0] = (lk_policy_span_t){0, 1440};
        memcpy(cfg->week, week, sizeof week);
        return 0;
    }
    if (lk_pol_ieq(p, "closed") || lk_pol_ieq(p, "never")) {
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
    if (lk_pol_ieq(skip_space(p), "none"))
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
        if (y < 1970 || m < 1 || m > 12 || d < 1 || d > lk_pol_month_days(y, m))
            return LK_EINVAL;
        if (*p && !is_space(*p) && *p != ',' && *p != ';')
            return LK_EINVAL;
        if (n >= LK_POLICY_HOLIDAYS_MAX)
            return LK_EINVAL;
        days[n++] = lk_pol_ymd(y, m, d);
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
        if (lk_pol_ieq(value, "true") || lk_pol_ieq(value, "yes") || lk_pol_ieq(value, "on") || strcmp(value, "1") == 0)
            *(bool *)(void *)field = true;
        else if (lk_pol_ieq(value, "false") || lk_pol_ieq(value, "no") || lk_pol_ieq(value, "off") || strcmp(value, "0") == 0)
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
            if (lk_pol_ieq(value, zones[i].name)) {
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
