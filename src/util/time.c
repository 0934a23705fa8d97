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

void lk_time_rfc3339(int64_t ms, char out[LK_RFC3339_LEN])
{
    time_t secs = (time_t)(ms / 1000);
    int millis = (int)(ms % 1000);
    if (millis < 0) {
        millis += 1000;
        secs -= 1;
    }
    struct tm tm;
    gmtime_r(&secs, &tm);
    /* strftime bounds every field, so the result always fits. */
    char head[32];
    strftime(head, sizeof head, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, LK_RFC3339_LEN, "%.19s.%03uZ", head, (unsigned)millis % 1000u);
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
