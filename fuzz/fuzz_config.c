/*
 * fuzz_config: the configuration of `loket serve` (src/config/config.h):
 * the config file (read through a memory file), LOKET_* environment
 * variables and command-line flags, all through lk_config_from_args() as
 * main.c calls it, then the conversation policy's options ("policy.NAME",
 * src/policy/policy.h) applied as the server applies them, including the
 * business-hours and holiday parsers, and the business-hours arithmetic on
 * the result.
 *
 * Input: the file's text, FUZZ_SEP, flags one per line, FUZZ_SEP,
 * environment entries one per line, FUZZ_SEP, a time (8 bytes).
 *
 * Invariants: an accepted configuration has every option within its
 * documented bounds (integers in range, strings terminated in their arrays,
 * listen and log_level valid, at most 32 policy options, each named
 * "policy.NAME"); a refused one says why; a policy option that is refused
 * leaves the policy configuration unchanged, as documented; business hours
 * are spans within a day and holidays real dates; the next opening time is
 * never before the time asked about, and open at that moment.
 */
#define _GNU_SOURCE /* memfd_create */
#include "fuzz.h"

#include "config/config.h"
#include "policy/policy.h"
#include "util/util.h"

#include <sys/mman.h>
#include <unistd.h>

static int memfd = -1;
static char memfd_path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    lk_log_set_level(LK_LOG_OFF);
    memfd = memfd_create("loket-fuzz-config", 0);
    FUZZ_CHECK(memfd >= 0);
    snprintf(memfd_path, sizeof memfd_path, "/proc/self/fd/%d", memfd);
    return 0;
}

/* Splits s[0..len) at '\n' into at most max NUL-terminated strings in v;
 * they live in *store (free()). */
static size_t lines(const char *s, size_t len, char **v, size_t max, char **store)
{
    *store = fuzz_strndup(s, len);
    size_t n = 0;
    char *p = *store;
    while (n < max && p < *store + len) {
        char *nl = memchr(p, '\n', (size_t)(*store + len - p));
        if (nl)
            *nl = '\0';
        v[n++] = p;
        if (!nl)
            break;
        p = nl + 1;
    }
    return n;
}

/* Appends the lines of part (at most max, max <= 64) that do not start with
 * skip to v[*n]; they live in *store (free()). */
static void lines_except(const fuzz_part_t *part, const char *skip, char **v, size_t *n, size_t max, char **store)
{
    char *tmp[64];
    size_t k = lines(part->base, part->len, tmp, max, store);
    for (size_t i = 0; i < k; i++)
        if (strncmp(tmp[i], skip, strlen(skip)) != 0)
            v[(*n)++] = tmp[i];
}

static void check_config(const lk_config_t *c)
{
    for (const lk_option_t *o = lk_options; o->name; o++) {
        const char *field = (const char *)c + o->offset;
        switch (o->type) {
        case LK_OPT_INT: {
            int64_t v;
            memcpy(&v, field, sizeof v);
            FUZZ_CHECK(v >= o->min && v <= o->max);
            break;
        }
        case LK_OPT_STRING:
            FUZZ_CHECK(memchr(field, '\0', o->size) != NULL);
            break;
        case LK_OPT_BOOL:
            FUZZ_CHECK(*(const unsigned char *)field <= 1);
            break;
        }
    }
    lk_log_level_t l;
    FUZZ_CHECK(lk_log_parse_level(c->log_level, &l) == 0);
    FUZZ_CHECK(strrchr(c->listen, ':') != NULL);
    FUZZ_CHECK(c->n_extra <= sizeof c->extra / sizeof c->extra[0]);
    for (size_t i = 0; i < c->n_extra; i++) {
        FUZZ_CHECK(!strncmp(c->extra[i].name, "policy.", 7) && c->extra[i].name[7]);
        FUZZ_CHECK(memchr(c->extra[i].value, '\0', sizeof c->extra[i].value) != NULL);
    }
}

static void check_policy(const lk_policy_config_t *p, int64_t t)
{
    for (int d = 0; d < 7; d++)
        for (int k = 0; k < LK_POLICY_SPANS_PER_DAY; k++) {
            const lk_policy_span_t *s = &p->week[d][k];
            FUZZ_CHECK(s->open_min >= 0 && s->open_min <= 1440 && s->close_min >= 0 && s->close_min <= 1440);
        }
    FUZZ_CHECK(p->n_holidays <= LK_POLICY_HOLIDAYS_MAX);
    for (size_t i = 0; i < p->n_holidays; i++) {
        int32_t y = p->holidays[i] / 10000, m = p->holidays[i] / 100 % 100, d = p->holidays[i] % 100;
        FUZZ_CHECK(y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= 31);
    }
    int off = lk_policy_utc_offset_min(p, t);
    FUZZ_CHECK(off >= -24 * 60 && off <= 24 * 60);
    int64_t next = lk_policy_next_open(p, t);
    FUZZ_CHECK(next == -1 || next >= t);
    if (next >= 0)
        FUZZ_CHECK(lk_policy_open_at(p, next));
    FUZZ_CHECK((next == t) == lk_policy_open_at(p, t));
}

/* lk_policy_config_set: 0, or an error and cfg unchanged */
static void set_policy(lk_policy_config_t *p, const char *name, const char *value)
{
    lk_policy_config_t before;
    memcpy(&before, p, sizeof before); /* with the padding, for memcmp */
    int rc = lk_policy_config_set(p, name, value);
    FUZZ_CHECK(rc == 0 || rc == LK_EINVAL || rc == LK_ENOENT);
    if (rc != 0)
        FUZZ_CHECK(memcmp(&before, p, sizeof before) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_part_t parts[4];
    size_t n = fuzz_split(data, size, parts, 4);

    /* the config file */
    FUZZ_CHECK(ftruncate(memfd, 0) == 0 && lseek(memfd, 0, SEEK_SET) == 0);
    if (parts[0].len)
        FUZZ_CHECK(write(memfd, parts[0].base, parts[0].len) == (ssize_t)parts[0].len);

    /* flags and environment; the config file is always the memory file
     * (any other path in the input would make the fuzzer open real files) */
    char *argv[66], *env[34], *astore = NULL, *estore = NULL;
    size_t argc = 0;
    argv[argc++] = "serve";
    if (n > 1)
        lines_except(&parts[1], "--config", argv, &argc, 62, &astore);
    argv[argc++] = "--config";
    argv[argc++] = memfd_path;
    argv[argc] = NULL;
    size_t envc = 0;
    if (n > 2)
        lines_except(&parts[2], "LOKET_CONFIG", env, &envc, 32, &estore);
    env[envc] = NULL;
    int64_t t = 1767225600000; /* 2026-01-01 */
    if (n > 3 && parts[3].len >= 8) {
        uint64_t u;
        memcpy(&u, parts[3].base, 8);
        t = (int64_t)(u % 253402300800000u); /* until the year 9999 */
    }

    lk_config_t cfg;
    char err[512];
    err[0] = '\0';
    int rc = lk_config_from_args(&cfg, (int)argc, argv, env, err, sizeof err);
    if (rc != 0) {
        FUZZ_CHECK(rc == LK_EINVAL && err[0] && memchr(err, '\0', sizeof err));
    } else {
        check_config(&cfg);
        /* the server applies the policy options one by one (src/api/app.c) */
        lk_policy_config_t p;
        lk_policy_config_default(&p);
        for (size_t i = 0; i < cfg.n_extra; i++)
            set_policy(&p, cfg.extra[i].name + 7, cfg.extra[i].value);
        check_policy(&p, t);
    }

    /* the two list parsers directly on each line of the file */
    lk_policy_config_t p;
    lk_policy_config_default(&p);
    char *lv[16], *lstore = NULL;
    size_t nl = lines(parts[0].base, parts[0].len, lv, 16, &lstore);
    for (size_t i = 0; i < nl; i++) {
        lk_policy_config_t before;
        memcpy(&before, &p, sizeof p);
        if (lk_policy_hours_parse(lv[i], &p) != 0)
            FUZZ_CHECK(memcmp(&before, &p, sizeof p) == 0);
        memcpy(&before, &p, sizeof p);
        if (lk_policy_holidays_parse(lv[i], &p) != 0)
            FUZZ_CHECK(memcmp(&before, &p, sizeof p) == 0);
    }
    check_policy(&p, t);
    free(lstore);
    free(astore);
    free(estore);
    return 0;
}
