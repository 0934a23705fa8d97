/* The logger's guarantee: with the filter main() installs (lk_pii_redact),
 * personal data that reaches a log message, whatever its format arguments
 * were, is masked in the line written; without it, it would not be. */
#include "privacy/privacy.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Runs one LK_ERROR with the customer's text as a %s argument and returns
 * what reached stderr (heap). */
static char *logged(const char *customer_text)
{
    char path[] = "/tmp/loket-log-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    int saved = dup(STDERR_FILENO);
    cr_assert_geq(saved, 0);
    dup2(fd, STDERR_FILENO);
    LK_ERROR("test", "a message went wrong: %s (%d bytes)", customer_text, (int)strlen(customer_text));
    dup2(saved, STDERR_FILENO);
    close(saved);
    static char buf[8192];
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    close(fd);
    unlink(path);
    cr_assert_gt(n, 0);
    buf[n] = '\0';
    return lk_xstrdup(buf);
}

static const char *const secrets[] = {"123456782", "NL91ABNA0417164300", "jan@example.nl", "06-12345678",
                                      "4111 1111 1111 1111"};
static const char text[] = "Mijn BSN is 123456782, IBAN NL91ABNA0417164300, mail jan@example.nl, "
                           "bel 06-12345678, kaart 4111 1111 1111 1111";

Test(privacy_log, json_lines_are_redacted)
{
    lk_log_set_plain(false);
    lk_log_set_level(LK_LOG_INFO);
    lk_log_set_filter(lk_pii_redact);
    char *line = logged(text);
    for (size_t i = 0; i < sizeof secrets / sizeof *secrets; i++)
        cr_assert_null(strstr(line, secrets[i]), "%s in %s", secrets[i], line);
    cr_assert_not_null(strstr(line, "[bsn]"), "%s", line);
    cr_assert_not_null(strstr(line, "[kaartnummer]"), "%s", line);
    cr_assert_not_null(strstr(line, "\"module\":\"test\""), "%s", line);
    cr_assert_not_null(strstr(line, "a message went wrong"), "%s", line);
    cr_assert_eq(line[strlen(line) - 1], '\n');
    free(line);
    lk_log_set_filter(NULL);
}

Test(privacy_log, plain_lines_are_redacted)
{
    lk_log_set_plain(true);
    lk_log_set_level(LK_LOG_INFO);
    lk_log_set_filter(lk_pii_redact);
    char *line = logged(text);
    cr_assert_eq(strncmp(line, "loket: a message went wrong: Mijn BSN is [bsn]", 46), 0, "%s", line);
    for (size_t i = 0; i < sizeof secrets / sizeof *secrets; i++)
        cr_assert_null(strstr(line, secrets[i]), "%s in %s", secrets[i], line);
    free(line);
    lk_log_set_filter(NULL);
}

/* The test above can fail: without the filter the data goes through. */
Test(privacy_log, without_the_filter_it_would_leak)
{
    lk_log_set_plain(true);
    lk_log_set_level(LK_LOG_INFO);
    lk_log_set_filter(NULL);
    char *line = logged(text);
    cr_assert_not_null(strstr(line, "123456782"), "%s", line);
    free(line);
}

/* Lines without personal data come out as they went in. */
Test(privacy_log, clean_lines_are_untouched)
{
    lk_log_set_plain(true);
    lk_log_set_level(LK_LOG_INFO);
    lk_log_set_filter(lk_pii_redact);
    char *line = logged("listening on http://127.0.0.1:8080, kb version 12, 2026-01-31T12:00:00.123Z");
    cr_assert_str_eq(line, "loket: a message went wrong: listening on http://127.0.0.1:8080, kb version 12, "
                           "2026-01-31T12:00:00.123Z (75 bytes)\n");
    free(line);
    lk_log_set_filter(NULL);
}

/* A message longer than a log line is cut after the filter: a number at the
 * cut is masked whole, not cut in two first and let through in part. */
Test(privacy_log, redacted_before_the_cut)
{
    lk_log_set_plain(true);
    lk_log_set_level(LK_LOG_INFO);
    lk_log_set_filter(lk_pii_redact);
    /* "a message went wrong: " is 22 bytes; the line's message holds 2047:
     * the BSN starts 5 bytes before the end */
    char long_text[2100];
    memset(long_text, 'y', 2019);
    snprintf(long_text + 2019, sizeof long_text - 2019, " 123456782 en meer");
    char *line = logged(long_text);
    cr_assert_null(strstr(line, "12345"), "%s", line + 2000);
    cr_assert_not_null(strstr(line, "yyyyyyyy "), "%s", line + 2000);
    free(line);
    lk_log_set_filter(NULL);
}
