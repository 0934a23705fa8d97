/* Unit tests for util/: errors, buffers with limits, UTF-8, ids and tokens. */
#include "util/util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

Test(util, strerror_names_every_code)
{
    cr_assert_str_eq(lk_strerror(LK_ENOENT), "not found");
    cr_assert_str_eq(lk_errname(LK_ETOOBIG), "ETOOBIG");
    cr_assert_str_eq(lk_strerror(12345), "unknown error");
    cr_assert_str_eq(lk_strerror(0), "success");
}

Test(util, buf_refuses_to_pass_its_limit)
{
    lk_buf_t b;
    lk_buf_init(&b, 8);
    cr_assert_eq(lk_buf_append_cstr(&b, "12345"), 0);
    cr_assert_eq(lk_buf_append_cstr(&b, "6789"), LK_ETOOBIG);
    cr_assert_str_eq(b.data, "12345");
    cr_assert_eq(lk_buf_printf(&b, "%d", 678), 0);
    cr_assert_str_eq(b.data, "12345678");
    cr_assert_eq(lk_buf_printf(&b, "x"), LK_ETOOBIG);
    cr_assert_eq(b.len, 8);
    lk_buf_free(&b);

    /* SIZE_MAX: no limit (the capacity must not wrap to 0) */
    lk_buf_init(&b, SIZE_MAX);
    for (int i = 0; i < 100; i++)
        cr_assert_eq(lk_buf_printf(&b, "%s", "0123456789"), 0);
    cr_assert_eq(b.len, 1000);
    cr_assert_geq(b.cap, 1001);
    cr_assert_eq(b.data[999], '9');
    char *out = lk_buf_steal(&b, NULL);
    cr_assert_eq(strlen(out), 1000);
    free(out);
}

Test(util, utf8_validation)
{
    cr_assert(lk_utf8_valid("héllo €", strlen("héllo €")));
    cr_assert(lk_utf8_valid("\xF0\x9F\x98\x80", 4)); /* emoji */
    cr_assert_not(lk_utf8_valid("\xC3", 1));         /* truncated */
    cr_assert_not(lk_utf8_valid("\xC0\xAF", 2));     /* overlong */
    cr_assert_not(lk_utf8_valid("\xED\xA0\x80", 3)); /* surrogate */
    cr_assert_not(lk_utf8_valid("\xF4\x90\x80\x80", 4)); /* > U+10FFFF */
    cr_assert_not(lk_utf8_valid("a\0b", 3));
    cr_assert_not(lk_utf8_valid("\xFF", 1));
}

Test(util, ids_and_tokens_are_random_and_well_formed)
{
    cr_assert_eq(lk_rand_init(), 0);
    char a[32], b[32];
    lk_rand_id("c_", a, sizeof a);
    lk_rand_id("c_", b, sizeof b);
    cr_assert_eq(strlen(a), 24);
    cr_assert_str_neq(a, b);
    cr_assert_eq(strncmp(a, "c_", 2), 0);
    cr_assert_eq(strspn(a + 2, "0123456789abcdefghjkmnpqrstvwxyz"), 22);
    /* the first ten characters are the time: later ids sort later */
    struct timespec pause = {0, 2 * 1000 * 1000};
    nanosleep(&pause, NULL);
    char c[32];
    lk_rand_id("c_", c, sizeof c);
    cr_assert_lt(strcmp(a, c), 0, "%s made before %s", a, c);
    cr_assert_lt(strncmp(a, c, 12), 0);
    char small[10] = "x";
    lk_rand_id("c_", small, sizeof small); /* too small: empty, not cut short */
    cr_assert_str_eq(small, "");
    char t[LK_TOKEN_LEN + 1];
    lk_rand_token(t);
    cr_assert_eq(strlen(t), LK_TOKEN_LEN);
    char h1[LK_TOKEN_HASH_LEN + 1], h2[LK_TOKEN_HASH_LEN + 1];
    lk_token_hash(t, strlen(t), h1);
    lk_token_hash(t, strlen(t), h2);
    cr_assert(lk_const_eq(h1, h2, LK_TOKEN_HASH_LEN));
    lk_token_hash("other", 5, h2);
    cr_assert_not(lk_const_eq(h1, h2, LK_TOKEN_HASH_LEN));
}

Test(util, rfc3339)
{
    char ts[LK_RFC3339_LEN];
    lk_time_rfc3339(1795430000123, ts);
    cr_assert_str_eq(ts, "2026-11-23T10:33:20.123Z");
    lk_time_rfc3339(0, ts);
    cr_assert_str_eq(ts, "1970-01-01T00:00:00.000Z");
    lk_time_rfc3339(-1, ts);
    cr_assert_str_eq(ts, "1969-12-31T23:59:59.999Z");
    lk_time_rfc3339(951782400000, ts); /* a leap day in a year divisible by 400 */
    cr_assert_str_eq(ts, "2000-02-29T00:00:00.000Z");
    lk_time_rfc3339(4107542399999, ts); /* no leap day in 2100 */
    cr_assert_str_eq(ts, "2100-02-28T23:59:59.999Z");
    lk_time_rfc3339(4107542400000, ts);
    cr_assert_str_eq(ts, "2100-03-01T00:00:00.000Z");

    /* the same as gmtime_r, over a spread of times from year 0 to 9999 */
    unsigned seed = 7;
    for (int i = 0; i < 200000; i++) {
        int64_t ms = ((int64_t)rand_r(&seed) << 31 | rand_r(&seed)) % 315537897600000LL - 62167219200000LL;
        if (i % 4 == 0)
            ms = 1700000000000LL + (int64_t)rand_r(&seed) * 1000; /* around now */
        lk_time_rfc3339(ms, ts);
        time_t secs = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
        struct tm tm;
        cr_assert_not_null(gmtime_r(&secs, &tm));
        char want[64]; /* (strftime's %Y would not pad a year below 1000 to four digits) */
        snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms - (int64_t)secs * 1000));
        cr_assert_str_eq(ts, want, "ms %lld", (long long)ms);
    }
}

Test(util, parse_i64_bounds)
{
    int64_t v;
    cr_assert_eq(lk_parse_i64("42", 0, 100, &v), 0);
    cr_assert_eq(v, 42);
    cr_assert_eq(lk_parse_i64("101", 0, 100, &v), LK_EINVAL);
    cr_assert_eq(lk_parse_i64("4x", 0, 100, &v), LK_EINVAL);
    cr_assert_eq(lk_parse_i64("", 0, 100, &v), LK_EINVAL);
    cr_assert_eq(lk_parse_i64("-5", -10, 100, &v), 0);
    cr_assert_eq(v, -5);
}

Test(util, parse_rfc3339)
{
    int64_t ms;
    cr_assert_eq(lk_time_parse_rfc3339("2026-11-23T10:33:20.123Z", &ms), 0);
    cr_assert_eq(ms, 1795430000123);
    cr_assert_eq(lk_time_parse_rfc3339("2026-11-23T11:33:20.123+01:00", &ms), 0);
    cr_assert_eq(ms, 1795430000123);
    cr_assert_eq(lk_time_parse_rfc3339("2026-11-23T10:33:20Z", &ms), 0);
    cr_assert_eq(ms, 1795430000000);
    cr_assert_eq(lk_time_parse_rfc3339("2026-11-23", &ms), 0);
    cr_assert_eq(ms, 1795392000000);
    char back[LK_RFC3339_LEN];
    lk_time_rfc3339(ms, back);
    cr_assert_str_eq(back, "2026-11-23T00:00:00.000Z");
    const char *bad[] = {"", "2026", "2026-11-23T", "2026-11-23T10:33Z", "2026-02-30", "2026-13-01",
                         "2026-11-23T10:33:20", "2026-11-23T10:33:20.Z", "2026-11-23T25:00:00Z",
                         "2026-11-23T10:33:20Zjunk", "gisteren"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_eq(lk_time_parse_rfc3339(bad[i], &ms), LK_EINVAL, "%s", bad[i]);
}

Test(util, utf8_one_line)
{
    char a[] = "line\none\ttab\x1b[0m\x7f \xc3\xa9 \xff end";
    lk_utf8_one_line(a);
    cr_assert_str_eq(a, "line?one?tab?[0m? \xc3\xa9 ? end");
    char b[] = "cut \xe2\x82"; /* a euro sign cut off by snprintf */
    lk_utf8_one_line(b);
    cr_assert_str_eq(b, "cut ");
    char c[] = "\xe2\x82x \xc0\xaf \xed\xa0\x80"; /* broken, overlong, surrogate */
    lk_utf8_one_line(c);
    cr_assert(lk_utf8_valid(c, strlen(c)), "%s", c);
    cr_assert_eq(c[0], '?');
}

Test(util, utf8_decode_one_code_point)
{
    static const struct {
        const char *s;
        size_t len;
        uint32_t cp;
        size_t used;
    } cases[] = {
        {"a", 1, 'a', 1},
        {"\xC3\xAB", 2, 0xEB, 2},            /* ë */
        {"\xE2\x82\xAC", 3, 0x20AC, 3},      /* € */
        {"\xF0\x9F\x98\x80", 4, 0x1F600, 4}, /* an emoji */
        {"\xEF\xBF\xBD", 3, 0xFFFD, 3},      /* U+FFFD itself: length 3 */
        {"\xC0\x80", 2, 0, 2},               /* overlong: decoded as it stands */
        {"\xED\xA0\x80", 3, 0xD800, 3},      /* a surrogate: likewise */
        {"\xFF", 1, LK_UTF8_BAD, 1},         /* no lead byte */
        {"\x80", 1, LK_UTF8_BAD, 1},         /* a continuation byte alone */
        {"\xE2\x82", 2, LK_UTF8_BAD, 1},     /* cut off */
        {"\xE2\x82\xAC", 2, LK_UTF8_BAD, 1}, /* cut off by len */
        {"\xE2(\xAC", 3, LK_UTF8_BAD, 1},    /* a bad continuation */
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        size_t used = 99;
        uint32_t cp = lk_utf8_decode(cases[k].s, cases[k].len, 0, &used);
        cr_assert_eq(cp, cases[k].cp, "case %zu: U+%04X", k, (unsigned)cp);
        cr_assert_eq(used, cases[k].used, "case %zu: %zu bytes", k, used);
    }
    /* at an offset, within the length */
    size_t used;
    cr_assert_eq(lk_utf8_decode("x\xC3\xAB", 3, 1, &used), 0xEB);
    cr_assert_eq(used, 2);
    cr_assert_eq(lk_utf8_decode("x\xC3\xAB", 2, 1, &used), LK_UTF8_BAD);
    cr_assert_eq(used, 1);
}

Test(util, list_items_separated_by_spaces_or_commas)
{
    static const char *const want[] = {"a.example", "*.b.example", "10.0.0.0/8", "x"};
    const char *rest = " ,a.example,*.b.example  10.0.0.0/8,, x ,", *item;
    size_t n, k = 0;
    while ((n = lk_list_next(&rest, &item))) {
        cr_assert_lt(k, 4, "one item too many: %.*s", (int)n, item);
        cr_assert_eq(n, strlen(want[k]));
        cr_assert_eq(memcmp(item, want[k], n), 0, "item %zu: %.*s", k, (int)n, item);
        k++;
    }
    cr_assert_eq(k, 4);
    cr_assert_eq(lk_list_next(&rest, &item), 0, "stays at the end");
    rest = "";
    cr_assert_eq(lk_list_next(&rest, &item), 0);
    rest = " , ";
    cr_assert_eq(lk_list_next(&rest, &item), 0);
}

Test(util, errname_and_strerror_come_from_one_table)
{
    cr_assert_str_eq(lk_errname(0), "OK");
    cr_assert_str_eq(lk_errname(LK_EINVAL), "EINVAL");
    cr_assert_str_eq(lk_errname(LK_ESHUTDOWN), "ESHUTDOWN");
    cr_assert_str_eq(lk_strerror(LK_ESHUTDOWN), "shutting down");
    cr_assert_str_eq(lk_errname(-1), "EUNKNOWN");
    /* every code between the first and the last has a name and a text of its own */
    for (int c = LK__ERRNO_FIRST + 1; c < LK__ERRNO_LAST; c++) {
        cr_assert_str_neq(lk_errname(c), "EUNKNOWN", "code %d", c);
        cr_assert_str_neq(lk_strerror(c), "unknown error", "code %d", c);
    }
}

Test(util, parse_digits_takes_exactly_n_digits)
{
    int v = -1;
    cr_assert_eq(lk_parse_digits("2026-12-08", 4, &v), 0);
    cr_assert_eq(v, 2026);
    cr_assert_eq(lk_parse_digits("08", 2, &v), 0);
    cr_assert_eq(v, 8);
    v = -1;
    cr_assert_eq(lk_parse_digits("2a", 2, &v), LK_EINVAL);
    cr_assert_eq(lk_parse_digits("7", 2, &v), LK_EINVAL); /* stops at the NUL */
    cr_assert_eq(lk_parse_digits("-1", 2, &v), LK_EINVAL);
    cr_assert_eq(lk_parse_digits("12", 0, &v), LK_EINVAL);
    cr_assert_eq(lk_parse_digits("1234567890", 10, &v), LK_EINVAL); /* more than an int holds for sure */
    cr_assert_eq(v, -1);
}

Test(util, parse_host_port_splits_at_the_last_colon)
{
    char host[16];
    int port = -1;
    cr_assert_eq(lk_parse_host_port("127.0.0.1:8080", host, sizeof host, &port), 0);
    cr_assert_str_eq(host, "127.0.0.1");
    cr_assert_eq(port, 8080);
    cr_assert_eq(lk_parse_host_port("localhost:0", host, sizeof host, &port), 0);
    cr_assert_str_eq(host, "localhost");
    cr_assert_eq(port, 0);
    cr_assert_eq(lk_parse_host_port("a:b:65535", host, sizeof host, &port), 0);
    cr_assert_str_eq(host, "a:b");
    cr_assert_eq(port, 65535);
    cr_assert_eq(lk_parse_host_port("host:65536", host, sizeof host, &port), LK_EINVAL);
    cr_assert_eq(lk_parse_host_port("host:", host, sizeof host, &port), LK_EINVAL);
    cr_assert_eq(lk_parse_host_port(":80", host, sizeof host, &port), LK_EINVAL);
    cr_assert_eq(lk_parse_host_port("8080", host, sizeof host, &port), LK_EINVAL);
    cr_assert_eq(lk_parse_host_port("a-very-long-host-name:80", host, sizeof host, &port), LK_EINVAL);
    cr_assert_eq(lk_parse_host_port("123456789012345:80", host, sizeof host, &port), 0); /* 15 bytes fit */
    cr_assert_eq(lk_parse_host_port("1234567890123456:80", host, sizeof host, &port), LK_EINVAL);
}

Test(util, slug_valid_takes_lower_case_letters_digits_dash_underscore)
{
    cr_assert(lk_slug_valid("opening-hours_2", 32));
    cr_assert(lk_slug_valid("a", 1));
    cr_assert_not(lk_slug_valid("", 32));
    cr_assert_not(lk_slug_valid("ab", 1));
    cr_assert_not(lk_slug_valid("Opening", 32));
    cr_assert_not(lk_slug_valid("a b", 32));
    cr_assert_not(lk_slug_valid("a.b", 32));
    cr_assert_not(lk_slug_valid("caf\xC3\xA9", 32));
}

Test(util, strv_free_frees_strings_and_array)
{
    lk_strv_free(NULL, 3); /* nothing to free */
    char **v = lk_xcalloc(2, sizeof *v);
    v[0] = lk_xstrdup("a");
    v[1] = lk_xstrdup("b");
    lk_strv_free(v, 2); /* the sanitizer build finds a leak or a double free */
}
