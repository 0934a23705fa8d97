/*
 * What loket's one-shot commands share (main.c's `kb` and `user`, and
 * privacy.c's `privacy`): the usage error and opening the database.
 */
#include "api/api.h"
#include "util/util.h"

#include <stdarg.h>
#include <stdio.h>

int lk_cli_usage(const char *command, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("loket: ", stderr);
    if (command)
        fprintf(stderr, "%s ", command);
    vfprintf(stderr, fmt, ap);
    if (command)
        fprintf(stderr, " (see `loket help %s`)\n", command);
    else
        fputs(" (see `loket help`)\n", stderr);
    va_end(ap);
    return LK_EXIT_USAGE;
}

int lk_cli_open_store(const char *dir, lk_store_t **st)
{
    size_t errors = lk_log_error_count();
    int rc = lk_store_open(dir, st, NULL);
    if (rc) {
        if (lk_log_error_count() == errors) /* the store did not say why itself */
            fprintf(stderr, "loket: cannot open the database in %s: %s\n", dir, lk_strerror(rc));
        return rc == LK_ESCHEMA || rc == LK_ECONFIG ? LK_EXIT_USAGE : LK_EXIT_INTERNAL;
    }
    return 0;
}

int lk_cli_failed(int rc, const char *what)
{
    if (rc == 0)
        return 0;
    fprintf(stderr, "loket: cannot %s: %s\n", what, lk_strerror(rc));
    return LK_EXIT_INTERNAL;
}
