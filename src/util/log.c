/*
 * Structured logging: one JSON object a line on stderr, with a level and the
 * module that speaks. The LK_LOG macro checks the level before its arguments
 * are evaluated, so a debug line costs nothing when debug is off. Each line
 * is written with a single write(2) so lines from several threads never mix.
 * Every message passes through the filter main() installs (lk_pii_redact)
 * before it is written: no call site logs a customer's words, and if one
 * ever did, personal data in them would still be masked.
 */
#include "util.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

lk_log_level_t lk_log_min_level = LK_LOG_INFO;
static bool plain_format;
static atomic_size_t error_count;

void lk_log_set_plain(bool plain)
{
    plain_format = plain;
}

/* Set once at start, before other threads exist. */
static char *(*log_filter)(const char *text, size_t len);

void lk_log_set_filter(char *(*filter)(const char *text, size_t len))
{
    log_filter = filter;
}

size_t lk_log_error_count(void)
{
    return atomic_load(&error_count);
}

static const char *const level_names[] = {"debug", "info", "warn", "error", "off"};

void lk_log_set_level(lk_log_level_t level)
{
    lk_log_min_level = level;
}

int lk_log_parse_level(const char *s, lk_log_level_t *out)
{
    for (int i = 0; i <= LK_LOG_OFF; i++) {
        if (strcmp(s, level_names[i]) == 0) {
            *out = (lk_log_level_t)i;
            return 0;
        }
    }
    return LK_EINVAL;
}

/* Appends s to out as the inside of a JSON string. */
static size_t json_escape(char *out, size_t cap, const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && n + 7 < cap; p++) {
        switch (*p) {
        case '"':
        case '\\':
            out[n++] = '\\';
            out[n++] = (char)*p;
            break;
        case '\n':
            out[n++] = '\\';
            out[n++] = 'n';
            break;
        case '\t':
            out[n++] = '\\';
            out[n++] = 't';
            break;
        default:
            if (*p < 0x20)
                n += (size_t)snprintf(out + n, cap - n, "\\u%04x", *p);
            else
                out[n++] = (char)*p;
        }
    }
    return n;
}

void lk_log_write(lk_log_level_t level, const char *module, const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    if (log_filter) {
        /* the filter sees the whole message before it is cut to size, so
         * that nothing it would mask is cut in two first */
        va_list ap2;
        va_copy(ap2, ap);
        int len = vsnprintf(NULL, 0, fmt, ap2);
        va_end(ap2);
        char *full = lk_xmalloc(len < 0 ? 1 : (size_t)len + 1);
        full[0] = '\0';
        if (len >= 0)
            vsnprintf(full, (size_t)len + 1, fmt, ap);
        char *clean = log_filter(full, strlen(full));
        snprintf(msg, sizeof msg, "%s", clean);
        free(clean);
        free(full);
    } else {
        vsnprintf(msg, sizeof msg, fmt, ap);
    }
    va_end(ap);

    if (level >= LK_LOG_ERROR)
        atomic_fetch_add(&error_count, 1);
    char line[4608];
    if (plain_format) {
        int n = snprintf(line, sizeof line, "loket: %s\n", msg);
        ssize_t w = write(STDERR_FILENO, line, n < 0 ? 0 : (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
        (void)w;
        return;
    }
    char ts[LK_RFC3339_LEN];
    lk_time_rfc3339(lk_time_now_ms(), ts);
    int n = snprintf(line, sizeof line, "{\"ts\":\"%s\",\"level\":\"%s\",\"module\":\"%s\",\"msg\":\"", ts,
                     level_names[level <= LK_LOG_ERROR ? level : LK_LOG_ERROR], module);
    if (n < 0)
        return;
    size_t len = (size_t)n;
    len += json_escape(line + len, sizeof line - len - 4, msg);
    memcpy(line + len, "\"}\n", 3);
    len += 3;
    ssize_t w = write(STDERR_FILENO, line, len);
    (void)w;
}

void lk_log_fields(lk_log_level_t level, const char *module, const char *msg, const char *fields)
{
    if (level < lk_log_min_level)
        return;
    if (plain_format || !fields || !fields[0]) {
        lk_log_write(level, module, "%s", msg);
        return;
    }
    char *clean = log_filter ? log_filter(fields, strlen(fields)) : NULL;
    const char *f = clean ? clean : fields;
    char ts[LK_RFC3339_LEN];
    lk_time_rfc3339(lk_time_now_ms(), ts);
    char line[4608];
    int n = snprintf(line, sizeof line, "{\"ts\":\"%s\",\"level\":\"%s\",\"module\":\"%s\",\"msg\":\"", ts,
                     level_names[level <= LK_LOG_ERROR ? level : LK_LOG_ERROR], module);
    if (n < 0) {
        free(clean);
        return;
    }
    size_t len = (size_t)n;
    len += json_escape(line + len, sizeof line / 2, msg);
    size_t flen = strlen(f);
    if (len + 3 + flen + 3 > sizeof line) { /* too long for one line: drop the fields rather than cut JSON */
        free(clean);
        lk_log_write(level, module, "%s", msg);
        return;
    }
    memcpy(line + len, "\",", 2);
    len += 2;
    memcpy(line + len, f, flen);
    len += flen;
    memcpy(line + len, "}\n", 2);
    len += 2;
    if (level >= LK_LOG_ERROR)
        atomic_fetch_add(&error_count, 1);
    ssize_t w = write(STDERR_FILENO, line, len);
    (void)w;
    free(clean);
}
