/* Unit tests for config/: defaults, file, environment and flags in order of precedence, validation. */
#include "config/config.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

Test(config, defaults_match_the_contract)
{
    lk_config_t c;
    lk_config_defaults(&c);
    cr_assert_str_eq(c.listen, "127.0.0.1:8080");
    cr_assert_str_eq(c.data, "./loket-data");
    cr_assert_eq(c.max_body, 65536);
    cr_assert_eq(c.threads, 0);
    cr_assert_eq(c.cookie_secure, false);
}

static char *write_tmp(const char *text)
{
    char *path = lk_xstrdup("/tmp/loket-config-XXXXXX");
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

Test(config, file_then_env_then_flags)
{
    char *path = write_tmp("# comment\nlisten = 127.0.0.1:9000\nmax_body = 2048 # trailing\nlog_level = \"warn\"\n");
    char *argv[] = {"serve", "--config", path, "--max-body", "4096", NULL};
    char *env[] = {"LOKET_LISTEN=127.0.0.1:9100", "LOKET_UNRELATED=1", "PATH=/bin", NULL};
    lk_config_t c;
    char err[256] = "";
    cr_assert_eq(lk_config_from_args(&c, 5, argv, env, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq(c.listen, "127.0.0.1:9100", "the environment wins over the file");
    cr_assert_eq(c.max_body, 4096, "flags win over the file");
    cr_assert_str_eq(c.log_level, "warn");
    cr_assert_str_eq(c.config, path);
    unlink(path);
    free(path);
}

Test(config, bad_values_name_the_option)
{
    lk_config_t c;
    char err[256] = "";
    char *argv1[] = {"serve", "--max-body", "12", NULL};
    cr_assert_neq(lk_config_from_args(&c, 3, argv1, NULL, err, sizeof err), 0);
    cr_assert(strstr(err, "max_body"), "%s", err);
    char *argv2[] = {"serve", "--no-such-option", "1", NULL};
    cr_assert_neq(lk_config_from_args(&c, 3, argv2, NULL, err, sizeof err), 0);
    cr_assert(strstr(err, "no_such_option"), "%s", err);
    char *argv3[] = {"serve", "--log-level", "loud", NULL};
    cr_assert_neq(lk_config_from_args(&c, 3, argv3, NULL, err, sizeof err), 0);
    cr_assert(strstr(err, "log_level"), "%s", err);
    char *env[] = {"LOKET_THREADS=many", NULL};
    char *argv4[] = {"serve", NULL};
    cr_assert_neq(lk_config_from_args(&c, 1, argv4, env, err, sizeof err), 0);
    cr_assert(strstr(err, "LOKET_THREADS"), "%s", err);
}

Test(config, file_errors_name_the_line)
{
    char *path = write_tmp("listen = 127.0.0.1:1\nthis line is wrong\n");
    lk_config_t c;
    lk_config_defaults(&c);
    char err[256] = "";
    cr_assert_neq(lk_config_load_file(&c, path, err, sizeof err), 0);
    cr_assert(strstr(err, ":2:"), "%s", err);
    unlink(path);
    free(path);
    cr_assert_neq(lk_config_load_file(&c, "/nonexistent/loket.conf", err, sizeof err), 0);
}

Test(config, boolean_flag_without_value)
{
    lk_config_t c;
    char err[256] = "";
    char *argv[] = {"serve", "--cookie-secure", "--listen", "127.0.0.1:0", NULL};
    cr_assert_eq(lk_config_from_args(&c, 4, argv, NULL, err, sizeof err), 0, "%s", err);
    cr_assert_eq(c.cookie_secure, true);
    cr_assert_str_eq(c.listen, "127.0.0.1:0");
}

/* docs/configuration.md must describe every option of the table. */
Test(config, every_option_is_documented)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/docs/configuration.md", LOKET_SOURCE_DIR);
    FILE *f = fopen(path, "r");
    cr_assert(f, "cannot read %s", path);
    static char doc[65536];
    size_t n = fread(doc, 1, sizeof doc - 1, f);
    doc[n] = '\0';
    fclose(f);
    for (const lk_option_t *o = lk_options; o->name; o++) {
        char needle[80];
        snprintf(needle, sizeof needle, "| `%s` |", o->name);
        cr_expect(strstr(doc, needle), "option %s is missing from docs/configuration.md", o->name);
    }
}

Test(config, policy_options_are_passed_on)
{
    lk_config_t c;
    char err[256] = "";
    char *argv[] = {"serve", "--policy.loop-repeats", "4", "--policy.business_hours", "ma-vr 09:00-17:00", NULL};
    char *env[] = {"LOKET_POLICY_HOLIDAYS=2026-12-25", NULL};
    cr_assert_eq(lk_config_from_args(&c, 5, argv, env, err, sizeof err), 0, "%s", err);
    cr_assert_eq(c.n_extra, 3);
    cr_assert_str_eq(c.extra[0].name, "policy.holidays");
    cr_assert_str_eq(c.extra[0].value, "2026-12-25");
    cr_assert_str_eq(c.extra[1].name, "policy.loop_repeats");
    cr_assert_str_eq(c.extra[1].value, "4");
    cr_assert_str_eq(c.extra[2].value, "ma-vr 09:00-17:00");
}

Test(config, hardening_defaults_and_public_hosts)
{
    lk_config_t c;
    lk_config_defaults(&c);
    cr_assert_eq(c.ws_queue_max, 1048576);
    cr_assert_eq(c.limit_ws_conversation, 5);
    cr_assert_eq(c.limit_ws_address, 20);
    cr_assert_eq(c.ws_auth_timeout_ms, 5000);
    cr_assert_str_eq(c.public_hosts, "");
    char err[256] = "";
    static const char *const good[] = {"*", "chat.shop.example", "chat.shop.example *.shop.example", "a-b.c,d.e", ""};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        cr_assert_eq(lk_config_set(&c, "public_hosts", good[i], err, sizeof err), 0, "%s: %s", good[i], err);
    static const char *const bad[] = {"https://chat.shop.example", "chat.shop.example:443", "*.", "a/b", "**.x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_neq(lk_config_set(&c, "public_hosts", bad[i], err, sizeof err), 0, "%s", bad[i]);
        cr_assert(strstr(err, "public_hosts"), "%s", err);
    }
    cr_assert_neq(lk_config_set(&c, "ws_queue_max", "1000", err, sizeof err), 0, "below 64 KiB");
}

Test(config, database_defaults_to_the_data_directory)
{
    lk_config_t c;
    char err[256] = "";
    char *argv1[] = {"serve", "--data", "/srv/loket", NULL};
    cr_assert_eq(lk_config_from_args(&c, 3, argv1, NULL, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq(c.database, "");
    cr_assert_str_eq(lk_config_database(&c), "/srv/loket", "no database option: the store is in the data directory");
    char *argv2[] = {"serve", "--data", "/srv/loket", "--database", "/var/lib/loket-db", NULL};
    cr_assert_eq(lk_config_from_args(&c, 5, argv2, NULL, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq(lk_config_database(&c), "/var/lib/loket-db");
    cr_assert_str_eq(c.data, "/srv/loket", "the data directory stays for everything else");
}

Test(config, database_postgres_url_is_refused_until_built_in)
{
    lk_config_t c;
    char err[256] = "";
    char *env[] = {"LOKET_DATABASE=postgres://loket@db.example/loket", NULL};
    char *argv[] = {"serve", NULL};
    cr_assert_neq(lk_config_from_args(&c, 1, argv, env, err, sizeof err), 0);
    cr_assert(strstr(err, "database") && strstr(err, "PostgreSQL is not built in yet"), "%s", err);
    char *argv2[] = {"serve", "--database", "postgresql://db.example/loket", NULL};
    cr_assert_neq(lk_config_from_args(&c, 3, argv2, NULL, err, sizeof err), 0);
    cr_assert(strstr(err, "PostgreSQL is not built in yet"), "%s", err);
}
