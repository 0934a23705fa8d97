/*
 * Clocks: wall-clock milliseconds for timestamps that are stored and shown,
 * monotonic nanoseconds for measuring how long something took.
 */
#include "util.h"

#include <stdio.h>
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
