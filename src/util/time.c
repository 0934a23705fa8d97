/*
 * Clocks: wall-clock milliseconds for timestamps that are stored and shown,
 * monotonic nanoseconds for measuring how long something took.
 */
#include "util.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t lk_time_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t lk_time_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void put_digits(char *p, unsigned v, int n)
{
    for (int i = n - 1; i >= 0; i--, v /= 10)
        p[i] = (char)('0' + v % 10);
}

/* Every JSON record carries a time or two, so this runs for each one: plain
 * arithmetic (the proleptic Gregorian calendar, days to a civil date as in
 * Howard Hinnant's "chrono-compatible low-level date algorithms") instead of
 * gmtime_r, strftime and snprintf; years outside 0..9999 go the slow way. */
void lk_time_rfc3339(int64_t ms, char out[LK_RFC3339_LEN])
{
    int64_t secs = ms / 1000;
    int millis = (int)(ms % 1000);
    if (millis < 0) {
        millis += 1000;
        secs -= 1;
    }
    int64_t days = secs / 86400, rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        days -= 1;
    }
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;                                      /* [0, 146096] */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    int64_t mp = (5 * doy + 2) / 153;                                    /* [0, 11], from March */
    int64_t day = doy - (153 * mp + 2) / 5 + 1;
    int64_t month = mp < 10 ? mp + 3 : mp - 9;
    int64_t year = yoe + era * 400 + (month <= 2);
    if (year < 0 || year > 9999) {
        time_t t = (time_t)secs;
        struct tm tm;
        char head[64] = "";
        if (gmtime_r(&t, &tm))
            strftime(head, sizeof head, "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(out, LK_RFC3339_LEN, "%.19s.%03uZ", head, (unsigned)millis % 1000u);
        return;
    }
    char *p = out;
    put_digits(p, (unsigned)year, 4);
    p[4] = '-';
    put_digits(p + 5, (unsigned)month, 2);
    p[7] = '-';
    put_digits(p + 8, (unsigned)day, 2);
    p[10] = 'T';
    put_digits(p + 11, (unsigned)(rem / 3600), 2);
    p[13] = ':';
    put_digits(p + 14, (unsigned)(rem / 60 % 60), 2);
    p[16] = ':';
    put_digits(p + 17, (unsigned)(rem % 60), 2);
    p[19] = '.';
    put_digits(p + 20, (unsigned)millis, 3);
    p[23] = 'Z';
    p[24] = '\0';
}

/* Reads exactly n digits at *p; -1 when they are not there. */
static int digits(const char **p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++, (*p)++) {
        if (**p < '0' || **p > '9')
            return -1;
        v = v * 10 + (**p - '0');
    }
    return v;
}

int lk_time_parse_rfc3339(const char *s, int64_t *ms)
{
    if (!s || !ms)
        return LK_EINVAL;
    const char *p = s;
    int y = digits(&p, 4);
    if (y < 0 || *p++ != '-')
        return LK_EINVAL;
    int mo = digits(&p, 2);
    if (mo < 0 || *p++ != '-')
        return LK_EINVAL;
    int d = digits(&p, 2);
    if (d < 0 || y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31)
        return LK_EINVAL;
    int h = 0, mi = 0, sec = 0, frac = 0, off = 0;
    if (*p) {
        if (*p != 'T' && *p != 't' && *p != ' ')
            return LK_EINVAL;
        p++;
        h = digits(&p, 2);
        if (h < 0 || *p++ != ':')
            return LK_EINVAL;
        mi = digits(&p, 2);
        if (mi < 0 || *p++ != ':')
            return LK_EINVAL;
        sec = digits(&p, 2);
        if (sec < 0 || h > 23 || mi > 59 || sec > 60)
            return LK_EINVAL;
        if (*p == '.') {
            p++;
            int scale = 100, nd = 0;
            while (*p >= '0' && *p <= '9') {
                frac += (*p - '0') * scale;
                scale /= 10;
                p++;
                nd++;
            }
            if (nd == 0)
                return LK_EINVAL;
        }
        if (*p == 'Z' || *p == 'z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int sign = *p++ == '-' ? -1 : 1;
            int oh = digits(&p, 2);
            if (oh < 0 || *p++ != ':')
                return LK_EINVAL;
            int om = digits(&p, 2);
            if (om < 0 || oh > 23 || om > 59)
                return LK_EINVAL;
            off = sign * (oh * 60 + om);
        } else {
            return LK_EINVAL;
        }
        if (*p)
            return LK_EINVAL;
    }
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    time_t t = timegm(&tm);
    if (tm.tm_mday != d) /* 31 February and the like */
        return LK_EINVAL;
    *ms = ((int64_t)t - (int64_t)off * 60) * 1000 + frac;
    return 0;
}
