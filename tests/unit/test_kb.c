/* Unit tests for kb/: KB JSON parsing and its error messages, limits,
 * validation of articles built in code, export and round trip, and the
 * built-in demo knowledge base. */
#include "kb/kb.h"
#include "policy/policy.h"
#include "util/util.h"

#include "test_article.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ----------------------------------------------------------- */

static const char VALID[] =
    "{\"articles\": [\n"
    "  {\"id\": \"retour\", \"language\": \"nl\", \"title\": \"Retourneren\",\n"
    "   \"questions\": [\"Hoe kan ik iets retourneren?\", \"Ik wil mijn bestelling terugsturen\"],\n"
    "   \"answer\": \"Je kunt een artikel binnen 30 dagen terugsturen.\",\n"
    "   \"url\": \"https://example.com/retour\", \"tags\": [\"retour\", \"bestelling\"]},\n"
    "  {\"id\": \"contact.EN_2\", \"language\": \"en\", \"title\": \"Contact \\u00e9 \\ud83d\\ude00\",\n"
    "   \"questions\": [\"How can I reach you\"], \"answer\": \"Call us.\\nOr mail \\\"us\\\".\"},\n"
    "  {\"tags\": [], \"answer\": \"x\", \"questions\": [\"  padded  \"], \"title\": \"T\", \"language\": \"fry\",\n"
    "   \"id\": \"z\"}\n"
    "]}\n";

/* Parses json, expects failure with code, and checks that the message holds
 * every one of the NULL-terminated needles and is one line. */
static void expect_fail_n(const char *json, size_t len, int code, const char *const *needles)
{
    lk_kb_t kb;
    char err[512];
    memset(err, 'X', sizeof err);
    kb.n_articles = 99;
    int rc = lk_kb_parse(json, len, &kb, err, sizeof err);
    cr_assert_eq(rc, code, "rc %d (%s), want %d; message: %s", rc, lk_errname(rc), code, rc ? err : "(none)");
    cr_assert_eq(kb.n_articles, 0, "out must be left empty");
    cr_assert_null(kb.articles);
    cr_assert_null(strchr(err, '\n'), "one line: %s", err);
    for (size_t i = 0; needles[i]; i++)
        cr_assert_not_null(strstr(err, needles[i]), "message \"%s\" lacks \"%s\"", err, needles[i]);
}

#define EXPECT_FAIL(json, code, ...)                                                                                   \
    do {                                                                                                               \
        const char *const needles_[] = {__VA_ARGS__, NULL};                                                            \
        expect_fail_n((json), strlen(json), (code), needles_);                                                         \
    } while (0)

/* One article as JSON, with the fields given as raw JSON text after the id. */
static char *one(const char *fields)
{
    lk_buf_t b;
    lk_buf_init(&b, 1 << 24);
    cr_assert_eq(lk_buf_printf(&b, "{\"articles\": [{%s}]}", fields), 0);
    return lk_buf_steal(&b, NULL);
}

#define BASE "\"id\": \"a\", \"language\": \"nl\", \"title\": \"T\", \"answer\": \"A\""

static void expect_one_fail(const char *fields, const char *needle1, const char *needle2)
{
    char *json = one(fields);
    const char *const needles[] = {needle1, needle2, NULL};
    expect_fail_n(json, strlen(json), LK_EINVAL, needles); /* needle2 may be NULL */
    free(json);
}

/* A string of n copies of c, as JSON text (without quotes). */
static char *repeat(char c, size_t n)
{
    char *s = lk_xmalloc(n + 1);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

/* ---- parsing: success -------------------------------------------------- */

Test(kb_parse, valid_file_gives_every_field)
{
    lk_kb_t kb;
    char err[256] = "";
    cr_assert_eq(lk_kb_parse(VALID, strlen(VALID), &kb, err, sizeof err), 0, "%s", err);
    cr_assert_eq(kb.n_articles, 3);

    const lk_article_t *a = &kb.articles[0];
    cr_assert_str_eq(a->id, "retour");
    cr_assert_str_eq(a->language, "nl");
    cr_assert_str_eq(a->title, "Retourneren");
    cr_assert_eq(a->n_questions, 2);
    cr_assert_str_eq(a->questions[0], "Hoe kan ik iets retourneren?");
    cr_assert_str_eq(a->questions[1], "Ik wil mijn bestelling terugsturen");
    cr_assert_str_eq(a->answer, "Je kunt een artikel binnen 30 dagen terugsturen.");
    cr_assert_str_eq(a->url, "https://example.com/retour");
    cr_assert_eq(a->n_tags, 2);
    cr_assert_str_eq(a->tags[1], "bestelling");

    a = &kb.articles[1];
    cr_assert_str_eq(a->id, "contact.EN_2");
    cr_assert_str_eq(a->title, "Contact \xC3\xA9 \xF0\x9F\x98\x80"); /* escapes decoded, surrogate pair joined */
    cr_assert_str_eq(a->answer, "Call us.\nOr mail \"us\".");
    cr_assert_null(a->url);
    cr_assert_eq(a->n_tags, 0);

    a = &kb.articles[2]; /* any key order; 3-letter language; empty tags */
    cr_assert_str_eq(a->id, "z");
    cr_assert_str_eq(a->language, "fry");
    cr_assert_str_eq(a->questions[0], "  padded  ", "strings are kept as written");
    cr_assert_eq(a->n_tags, 0);

    cr_assert_eq(lk_kb_find(&kb, "z"), 2);
    lk_kb_free(&kb);
}

Test(kb_parse, empty_article_list_is_fine)
{
    lk_kb_t kb;
    char err[128];
    const char *json = "{\"articles\": []}";
    cr_assert_eq(lk_kb_parse(json, strlen(json), &kb, err, sizeof err), 0);
    cr_assert_eq(kb.n_articles, 0);
    lk_kb_free(&kb);
    /* but only the whole document: the same bytes cut short are not */
    cr_assert_eq(lk_kb_parse(json, strlen(json) - 1, &kb, err, sizeof err), LK_EJSON);
}

Test(kb_parse, input_need_not_be_nul_terminated)
{
    char *copy = lk_xmalloc(sizeof VALID + 10);
    memcpy(copy, VALID, strlen(VALID));
    memcpy(copy + strlen(VALID), "garbage!!", 10);
    lk_kb_t kb;
    char err[256];
    cr_assert_eq(lk_kb_parse(copy, strlen(VALID), &kb, err, sizeof err), 0, "%s", err);
    cr_assert_eq(kb.n_articles, 3);
    lk_kb_free(&kb);
    free(copy);
}

/* ---- parsing: the shape of the file ------------------------------------ */

Test(kb_parse, syntax_errors_give_line_and_column)
{
    EXPECT_FAIL("{\"articles\": [\n  {\"id\": \"a\",,}\n]}", LK_EJSON, "invalid JSON", "line 2", "column");
    EXPECT_FAIL("", LK_EJSON, "invalid JSON", "line");
    EXPECT_FAIL("{\"articles\": []} trailing", LK_EJSON, "invalid JSON", "line 1");
    EXPECT_FAIL("{\"articles\": [{\"id\": \"a\", \"id\": \"b\"}]}", LK_EJSON, "duplicate");
    EXPECT_FAIL("{\"articles\": [{\"id\": \"a\\u0000b\"}]}", LK_EJSON, "invalid JSON");
    EXPECT_FAIL("{\"articles\": [{\"id\": \"a\\ud800\"}]}", LK_EJSON, "invalid JSON");
}

Test(kb_parse, syntax_errors_say_which_article_they_are_in)
{
    EXPECT_FAIL("{\"articles\": [{" BASE ", \"questions\": [\"q\"]},\n"
                "{\"id\": \"b}{\", \"questions\": [\"q\" \"r\"]}]}",
                LK_EJSON, "line 2", "(in article #2)");
    /* between the articles, or outside the list, no article is named */
    char err[256];
    lk_kb_t kb;
    const char *json = "{\"articles\": [{" BASE ", \"questions\": [\"q\"]},,]}";
    cr_assert_eq(lk_kb_parse(json, strlen(json), &kb, err, sizeof err), LK_EJSON);
    cr_assert_null(strstr(err, "in article"), "%s", err);
}

Test(kb_parse, invalid_utf8_in_a_string_is_rejected)
{
    const char json[] = "{\"articles\": [\n{\"id\": \"a\", \"language\": \"nl\", \"title\": \"caf\xC3\x28\","
                        " \"questions\": [\"q\"], \"answer\": \"a\"}]}";
    EXPECT_FAIL(json, LK_EJSON, "invalid JSON", "line 2", "(in article #1)");
    const char json2[] = "{\"articles\": [{\"id\": \"a\", \"language\": \"nl\", \"title\": \"t\","
                         " \"questions\": [\"\xFF\"], \"answer\": \"a\"}]}";
    EXPECT_FAIL(json2, LK_EJSON, "invalid JSON");
}

Test(kb_parse, nul_byte_in_input_is_rejected)
{
    const char json[] = "{\"articles\": [{\"id\": \"a\0\"}]}";
    const char *const needles[] = {"invalid JSON", NULL};
    expect_fail_n(json, sizeof json - 1, LK_EJSON, needles);
}

Test(kb_parse, top_level_must_be_an_object_with_articles)
{
    EXPECT_FAIL("[]", LK_EINVAL, "top level", "\"articles\" array");
    EXPECT_FAIL("{}", LK_EINVAL, "top level", "\"articles\" array");
    EXPECT_FAIL("{\"articles\": {}}", LK_EINVAL, "\"articles\" array");
    EXPECT_FAIL("{\"articles\": null}", LK_EINVAL, "\"articles\" array");
    EXPECT_FAIL("{\"articles\": [], \"version\": 2}", LK_EINVAL, "unknown top-level field \"version\"");
    EXPECT_FAIL("\"articles\"", LK_EINVAL, "top level");
}

Test(kb_parse, article_must_be_an_object)
{
    char *json = lk_xstrdup("{\"articles\": [{" BASE ", \"questions\": [\"q\"]}, [1, 2]]}");
    EXPECT_FAIL(json, LK_EINVAL, "article #2: must be an object");
    free(json);
}

/* ---- parsing: every field's errors name the article and the field ------- */

Test(kb_fields, id)
{
    EXPECT_FAIL("{\"articles\": [{\"language\": \"nl\", \"title\": \"T\", \"questions\": [\"q\"], \"answer\": \"A\"}]}",
                LK_EINVAL, "article #1: field \"id\" is missing");
    expect_one_fail("\"id\": 7, \"language\": \"nl\", \"title\": \"T\", \"questions\": [\"q\"], \"answer\": \"A\"",
                    "article #1: field \"id\" must be a string", NULL);
    expect_one_fail("\"id\": \"\", \"language\": \"nl\", \"title\": \"T\", \"questions\": [\"q\"], \"answer\": \"A\"",
                    "article #1: field \"id\" must not be empty", NULL);
    expect_one_fail("\"id\": \"two words\", \"language\": \"nl\", \"title\": \"T\", \"questions\": [\"q\"], "
                    "\"answer\": \"A\"",
                    "article #1: field \"id\"", "A-Z and a-z, digits, '.', '_' and '-'");
    expect_one_fail("\"id\": \"caf\\u00e9\", \"language\": \"nl\", \"title\": \"T\", \"questions\": [\"q\"], "
                    "\"answer\": \"A\"",
                    "article #1: field \"id\"", "A-Z");
    expect_one_fail(
        "\"id\": \"a/b\", \"language\": \"nl\", \"title\": \"T\", \"questions\": [\"q\"], \"answer\": \"A\"",
        "article #1: field \"id\"", "A-Z");
}

Test(kb_fields, id_length_limit)
{
    char *ok = repeat('x', LK_KB_ID_MAX), *bad = repeat('x', LK_KB_ID_MAX + 1);
    char fields[1024];
    snprintf(fields, sizeof fields,
             "\"id\": \"%s\", \"language\": \"nl\", \"title\": \"T\", \"questions\": [\"q\"], "
             "\"answer\": \"A\"",
             ok);
    char *json = one(fields);
    lk_kb_t kb;
    char err[512];
    cr_assert_eq(lk_kb_parse(json, strlen(json), &kb, err, sizeof err), 0, "%s", err);
    lk_kb_free(&kb);
    free(json);
    snprintf(fields, sizeof fields,
             "\"id\": \"%s\", \"language\": \"nl\", \"title\": \"T\", \"questions\": [\"q\"], "
             "\"answer\": \"A\"",
             bad);
    expect_one_fail(fields, "article #1: field \"id\" is too long", "at most 128");
    free(ok);
    free(bad);
}

Test(kb_fields, language)
{
    const char *bad[] = {"\"NL\"", "\"nl-NL\"", "\"n\"", "\"dutc\"", "\"n1\"", "\"\""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char fields[256];
        snprintf(fields, sizeof fields,
                 "\"id\": \"a\", \"language\": %s, \"title\": \"T\", \"questions\": [\"q\"], \"answer\": \"A\"",
                 bad[i]);
        expect_one_fail(fields, "article \"a\" (#1): field \"language\"", "2 or 3 lowercase letters");
    }
    expect_one_fail("\"id\": \"a\", \"title\": \"T\", \"questions\": [\"q\"], \"answer\": \"A\"",
                    "article \"a\" (#1): field \"language\" is missing", NULL);
    expect_one_fail(
        "\"id\": \"a\", \"language\": [\"nl\"], \"title\": \"T\", \"questions\": [\"q\"], \"answer\": \"A\"",
        "article \"a\" (#1): field \"language\" must be a string", NULL);
}

Test(kb_fields, title)
{
    expect_one_fail("\"id\": \"a\", \"language\": \"nl\", \"questions\": [\"q\"], \"answer\": \"A\"",
                    "article \"a\" (#1): field \"title\" is missing", NULL);
    expect_one_fail("\"id\": \"a\", \"language\": \"nl\", \"title\": null, \"questions\": [\"q\"], \"answer\": \"A\"",
                    "article \"a\" (#1): field \"title\" must be a string", NULL);
    expect_one_fail("\"id\": \"a\", \"language\": \"nl\", \"title\": \" \\t\\n \", \"questions\": [\"q\"], "
                    "\"answer\": \"A\"",
                    "article \"a\" (#1): field \"title\" must not be empty", NULL);
    /* no-break space and ideographic space count as blank too */
    expect_one_fail("\"id\": \"a\", \"language\": \"nl\", \"title\": \"\\u00a0\\u3000\", \"questions\": [\"q\"], "
                    "\"answer\": \"A\"",
                    "article \"a\" (#1): field \"title\" must not be empty", NULL);
}

Test(kb_fields, questions)
{
    expect_one_fail(BASE, "article \"a\" (#1): field \"questions\" is missing", NULL);
    expect_one_fail(BASE ", \"questions\": []", "article \"a\" (#1): field \"questions\"",
                    "must be a non-empty array of strings");
    expect_one_fail(BASE ", \"questions\": \"q\"", "article \"a\" (#1): field \"questions\"",
                    "must be a non-empty array of strings");
    expect_one_fail(BASE ", \"questions\": [\"q\", 3]",
                    "article \"a\" (#1): field \"questions\" item #2 must be a string", NULL);
    expect_one_fail(BASE ", \"questions\": [\"q\", \"r\", \"  \"]",
                    "article \"a\" (#1): field \"questions\" item #3 must not be empty", NULL);
}

Test(kb_fields, answer)
{
    expect_one_fail("\"id\": \"a\", \"language\": \"nl\", \"title\": \"T\", \"questions\": [\"q\"]",
                    "article \"a\" (#1): field \"answer\" is missing", NULL);
    expect_one_fail("\"id\": \"a\", \"language\": \"nl\", \"title\": \"T\", \"questions\": [\"q\"], \"answer\": 1",
                    "article \"a\" (#1): field \"answer\" must be a string", NULL);
    expect_one_fail("\"id\": \"a\", \"language\": \"nl\", \"title\": \"T\", \"questions\": [\"q\"], \"answer\": \"\"",
                    "article \"a\" (#1): field \"answer\" must not be empty", NULL);
}

Test(kb_fields, url)
{
    expect_one_fail(BASE ", \"questions\": [\"q\"], \"url\": \"ftp://example.com\"",
                    "article \"a\" (#1): field \"url\" must start with http:// or https://", NULL);
    expect_one_fail(BASE ", \"questions\": [\"q\"], \"url\": \"www.example.com\"",
                    "article \"a\" (#1): field \"url\" must start with http:// or https://", NULL);
    expect_one_fail(BASE ", \"questions\": [\"q\"], \"url\": \"https://\"", "article \"a\" (#1): field \"url\"",
                    "host");
    expect_one_fail(BASE ", \"questions\": [\"q\"], \"url\": \"https://example.com/a b\"",
                    "article \"a\" (#1): field \"url\"", "spaces");
    expect_one_fail(BASE ", \"questions\": [\"q\"], \"url\": 42", "article \"a\" (#1): field \"url\" must be a string",
                    NULL);
    expect_one_fail(BASE ", \"questions\": [\"q\"], \"url\": null",
                    "article \"a\" (#1): field \"url\" must be a string", NULL);
    expect_one_fail(BASE ", \"questions\": [\"q\"], \"url\": \"\"",
                    "article \"a\" (#1): field \"url\" must not be empty", NULL);
}

Test(kb_fields, tags)
{
    expect_one_fail(BASE ", \"questions\": [\"q\"], \"tags\": \"retour\"",
                    "article \"a\" (#1): field \"tags\" must be an array of strings", NULL);
    expect_one_fail(BASE ", \"questions\": [\"q\"], \"tags\": [\"ok\", {}]",
                    "article \"a\" (#1): field \"tags\" item #2 must be a string", NULL);
    expect_one_fail(BASE ", \"questions\": [\"q\"], \"tags\": [\" \"]",
                    "article \"a\" (#1): field \"tags\" item #1 must not be empty", NULL);
}

Test(kb_fields, unknown_fields_are_named)
{
    expect_one_fail(BASE ", \"questions\": [\"q\"], \"qestions\": [\"q\"]",
                    "article \"a\" (#1): unknown field \"qestions\"", "did you mean \"questions\"?");
    expect_one_fail(BASE ", \"questions\": [\"q\"], \"colour\": \"red\"",
                    "article \"a\" (#1): unknown field \"colour\"",
                    "id, language, title, questions, answer, url, tags");
    expect_one_fail(BASE ", \"questions\": [\"q\"], \"Title\": \"x\"", "unknown field \"Title\"",
                    "did you mean \"title\"?");
    expect_one_fail(BASE ", \"questions\": [\"q\"], \"link\": \"https://x\"", "unknown field \"link\"",
                    "did you mean \"url\"?");
    /* an unknown field is reported before the missing one it was meant to be */
    expect_one_fail(BASE ", \"question\": [\"q\"]", "unknown field \"question\"", "did you mean \"questions\"?");
    /* a name with a line break or quote stays on one line */
    expect_one_fail(BASE ", \"questions\": [\"q\"], \"x\\n\\\"y\": 1", "unknown field \"x??y\"", NULL);
}

Test(kb_fields, later_articles_are_named_by_position_and_id)
{
    const char *json =
        "{\"articles\": ["
        "{" BASE ", \"questions\": [\"q\"]},"
        "{\"id\": \"b\", \"language\": \"nl\", \"title\": \"T\", \"questions\": [\"q\"], \"answer\": \"A\"},"
        "{\"id\": \"tweede-keer\", \"language\": \"nl\", \"title\": \"T\", \"questions\": [\"q\"],"
        " \"answer\": \"A\", \"tags\": [1]}]}";
    EXPECT_FAIL(json, LK_EINVAL, "article \"tweede-keer\" (#3): field \"tags\" item #1 must be a string");
}

Test(kb_parse, duplicate_ids_are_rejected)
{
    const char *json =
        "{\"articles\": ["
        "{" BASE ", \"questions\": [\"q\"]},"
        "{\"id\": \"b\", \"language\": \"nl\", \"title\": \"T\", \"questions\": [\"q\"], \"answer\": \"A\"},"
        "{" BASE ", \"questions\": [\"other\"]}]}";
    EXPECT_FAIL(json, LK_EINVAL, "article \"a\" (#3): field \"id\"", "duplicate", "#1");
    /* ids differ by case: not duplicates */
    const char *ok =
        "{\"articles\": [{" BASE ", \"questions\": [\"q\"]},"
        "{\"id\": \"A\", \"language\": \"nl\", \"title\": \"T\", \"questions\": [\"q\"], \"answer\": \"A\"}]}";
    lk_kb_t kb;
    char err[256];
    cr_assert_eq(lk_kb_parse(ok, strlen(ok), &kb, err, sizeof err), 0, "%s", err);
    lk_kb_free(&kb);
}

Test(kb_parse, many_articles_with_one_duplicate_at_the_end)
{
    lk_buf_t b;
    lk_buf_init(&b, 1 << 26);
    lk_buf_append_cstr(&b, "{\"articles\": [");
    for (int i = 0; i < 5000; i++)
        lk_buf_printf(&b,
                      "{\"id\": \"art-%d\", \"language\": \"nl\", \"title\": \"T\", \"questions\": [\"q\"], "
                      "\"answer\": \"A\"},",
                      i);
    lk_buf_append_cstr(&b, "{\"id\": \"art-1234\", \"language\": \"nl\", \"title\": \"T\", \"questions\": [\"q\"], "
                           "\"answer\": \"A\"}]}");
    const char *const needles[] = {"article \"art-1234\" (#5001)", "duplicate", "#1235", NULL};
    expect_fail_n(b.data, b.len, LK_EINVAL, needles);
    lk_buf_free(&b);
}

/* ---- limits ------------------------------------------------------------ */

/* Parses one article whose field has a string of n bytes; returns rc. */
static int parse_with(const char *fmt, size_t n, char *err, size_t errsize)
{
    char *s = repeat('x', n);
    lk_buf_t b;
    lk_buf_init(&b, 1 << 24);
    cr_assert_eq(lk_buf_printf(&b, fmt, s), 0);
    char *json = one(b.data);
    lk_kb_t kb;
    int rc = lk_kb_parse(json, strlen(json), &kb, err, errsize);
    lk_kb_free(&kb);
    free(json);
    lk_buf_free(&b);
    free(s);
    return rc;
}

Test(kb_limits, string_lengths)
{
    static const struct {
        const char *fmt, *field;
        size_t max;
    } cases[] = {
        {"\"id\": \"a\", \"language\": \"nl\", \"title\": \"%s\", \"questions\": [\"q\"], \"answer\": \"A\"", "title\"",
         LK_KB_TITLE_MAX},
        {"\"id\": \"a\", \"language\": \"nl\", \"title\": \"T\", \"questions\": [\"q\", \"%s\"], \"answer\": \"A\"",
         "questions\" item #2", LK_KB_QUESTION_MAX},
        {"\"id\": \"a\", \"language\": \"nl\", \"title\": \"T\", \"questions\": [\"q\"], \"answer\": \"%s\"",
         "answer\"", LK_KB_ANSWER_MAX},
        {BASE ", \"questions\": [\"q\"], \"url\": \"https://%s\"", "url\"", LK_KB_URL_MAX - 8},
        {BASE ", \"questions\": [\"q\"], \"tags\": [\"%s\"]", "tags\" item #1", LK_KB_TAG_MAX},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char err[512] = "";
        cr_assert_eq(parse_with(cases[i].fmt, cases[i].max, err, sizeof err), 0, "%s at its limit: %s", cases[i].field,
                     err);
        cr_assert_eq(parse_with(cases[i].fmt, cases[i].max + 1, err, sizeof err), LK_EINVAL, "%s past its limit",
                     cases[i].field);
        char want[128];
        snprintf(want, sizeof want, "article \"a\" (#1): field \"%s is too long", cases[i].field);
        cr_assert_not_null(strstr(err, want), "\"%s\" lacks \"%s\"", err, want);
    }
}

/* One article with n items "x0", "x1", ... in the given array field. */
static int parse_items(const char *field, size_t n, char *err, size_t errsize)
{
    lk_buf_t b;
    lk_buf_init(&b, 1 << 24);
    lk_buf_printf(&b, "{\"articles\": [{" BASE "%s, \"%s\": [",
                  strcmp(field, "tags") == 0 ? ", \"questions\": [\"q\"]" : "", field);
    for (size_t i = 0; i < n; i++)
        lk_buf_printf(&b, "%s\"x%zu\"", i ? ", " : "", i);
    lk_buf_append_cstr(&b, "]}]}");
    lk_kb_t kb;
    int rc = lk_kb_parse(b.data, b.len, &kb, err, errsize);
    lk_kb_free(&kb);
    lk_buf_free(&b);
    return rc;
}

Test(kb_limits, item_counts)
{
    char err[512] = "";
    cr_assert_eq(parse_items("questions", LK_KB_QUESTIONS_MAX, err, sizeof err), 0, "%s", err);
    cr_assert_eq(parse_items("questions", LK_KB_QUESTIONS_MAX + 1, err, sizeof err), LK_EINVAL);
    cr_assert_not_null(strstr(err, "article \"a\" (#1): field \"questions\" has too many items (501, at most 500)"),
                       "%s", err);
    cr_assert_eq(parse_items("tags", LK_KB_TAGS_MAX, err, sizeof err), 0, "%s", err);
    cr_assert_eq(parse_items("tags", LK_KB_TAGS_MAX + 1, err, sizeof err), LK_EINVAL);
    cr_assert_not_null(strstr(err, "article \"a\" (#1): field \"tags\" has too many items (51, at most 50)"), "%s",
                       err);
}

Test(kb_limits, article_count)
{
    lk_buf_t b;
    lk_buf_init(&b, 1 << 26);
    lk_buf_append_cstr(&b, "{\"articles\": [");
    for (int i = 0; i <= LK_KB_ARTICLES_MAX; i++)
        lk_buf_printf(&b,
                      "%s{\"id\": \"a%d\", \"language\": \"nl\", \"title\": \"T\", \"questions\": [\"q\"], "
                      "\"answer\": \"A\"}",
                      i ? "," : "", i);
    lk_buf_append_cstr(&b, "]}");
    const char *const needles[] = {"too many articles (20001, at most 20000)", NULL};
    expect_fail_n(b.data, b.len, LK_EINVAL, needles);

    /* one fewer is accepted */
    char *last = strrchr(b.data, '{');
    last[-1] = ']';
    last[0] = '}';
    last[1] = '\0';
    lk_kb_t kb;
    char err[256] = "";
    cr_assert_eq(lk_kb_parse(b.data, strlen(b.data), &kb, err, sizeof err), 0, "%s", err);
    cr_assert_eq(kb.n_articles, LK_KB_ARTICLES_MAX);
    cr_assert_str_eq(kb.articles[LK_KB_ARTICLES_MAX - 1].id, "a19999");
    lk_kb_free(&kb);
    lk_buf_free(&b);
}

/* ---- articles built in code -------------------------------------------- */

static char *QS[] = {"Hoe retourneer ik iets?", "retour"};
static char *TAGS[] = {"retour"};

static lk_article_t sample(void)
{
    lk_article_t a = test_article("retour", "nl", "Retourneren", QS, 2, "Binnen 30 dagen.");
    a.tags = TAGS;
    a.n_tags = 1;
    return a;
}

static void expect_invalid(const lk_article_t *a, const char *needle)
{
    char err[512] = "";
    cr_assert_eq(lk_article_validate(a, err, sizeof err), LK_EINVAL, "want \"%s\"", needle);
    cr_assert_not_null(strstr(err, needle), "\"%s\" lacks \"%s\"", err, needle);
}

Test(kb_validate, articles_built_in_code)
{
    lk_article_t a = sample();
    char err[256] = "";
    cr_assert_eq(lk_article_validate(&a, err, sizeof err), 0, "%s", err);

    a.url = "https://www.tulpentafel.example/retour";
    cr_assert_eq(lk_article_validate(&a, err, sizeof err), 0, "%s", err);

    a = sample();
    a.title = "caf\xC3\x28";
    expect_invalid(&a, "article \"retour\": field \"title\" is not valid UTF-8");

    a = sample();
    char *bad_q[] = {"ok", "\xED\xA0\x80 surrogate"};
    a.questions = bad_q;
    expect_invalid(&a, "article \"retour\": field \"questions\" item #2 is not valid UTF-8");

    a = sample();
    a.answer = NULL;
    expect_invalid(&a, "article \"retour\": field \"answer\" is missing");

    a = sample();
    a.n_questions = 0;
    expect_invalid(&a, "field \"questions\" must be a non-empty array of strings");

    a = sample();
    a.id = "met spatie";
    expect_invalid(&a, "article: field \"id\" may only hold");

    a = sample();
    a.id = NULL;
    expect_invalid(&a, "article: field \"id\" is missing");

    a = sample();
    a.language = "EN";
    expect_invalid(&a, "article \"retour\": field \"language\"");

    a = sample();
    char *bad_tag[] = {"\xC3"};
    a.tags = bad_tag;
    expect_invalid(&a, "article \"retour\": field \"tags\" item #1 is not valid UTF-8");

    a = sample();
    a.url = "javascript:alert(1)";
    expect_invalid(&a, "article \"retour\": field \"url\" must start with http:// or https://");

    cr_assert_eq(lk_article_validate(NULL, err, sizeof err), LK_EINVAL);
    cr_assert_eq(lk_article_validate(&a, NULL, 0), LK_EINVAL, "err may be NULL");
}

/* ---- export and round trip --------------------------------------------- */

static void assert_same_article(const lk_article_t *a, const lk_article_t *b)
{
    cr_assert_str_eq(a->id, b->id);
    cr_assert_str_eq(a->language, b->language);
    cr_assert_str_eq(a->title, b->title);
    cr_assert_eq(a->n_questions, b->n_questions, "%s", a->id);
    for (size_t i = 0; i < a->n_questions; i++)
        cr_assert_str_eq(a->questions[i], b->questions[i]);
    cr_assert_str_eq(a->answer, b->answer);
    cr_assert_eq(a->url == NULL, b->url == NULL, "%s: url", a->id);
    if (a->url)
        cr_assert_str_eq(a->url, b->url);
    cr_assert_eq(a->n_tags, b->n_tags, "%s: tags", a->id);
    for (size_t i = 0; i < a->n_tags; i++)
        cr_assert_str_eq(a->tags[i], b->tags[i]);
}

static void assert_round_trip(const lk_kb_t *kb)
{
    char *text = lk_kb_to_json(kb);
    cr_assert_not_null(text);
    lk_kb_t again;
    char err[512] = "";
    cr_assert_eq(lk_kb_parse(text, strlen(text), &again, err, sizeof err), 0, "%s", err);
    cr_assert_eq(again.n_articles, kb->n_articles);
    for (size_t i = 0; i < kb->n_articles; i++)
        assert_same_article(&kb->articles[i], &again.articles[i]);
    char *text2 = lk_kb_to_json(&again);
    cr_assert_str_eq(text, text2, "export is stable");
    free(text);
    free(text2);
    lk_kb_free(&again);
}

Test(kb_export, round_trip_is_exact)
{
    lk_kb_t kb;
    char err[256];
    cr_assert_eq(lk_kb_parse(VALID, strlen(VALID), &kb, err, sizeof err), 0, "%s", err);
    assert_round_trip(&kb);

    /* and for articles built in code, with awkward characters */
    lk_kb_t built;
    lk_kb_init(&built);
    lk_article_t a = sample();
    char *qs[] = {"tab\there", "quote \" backslash \\ slash /", "\xE2\x82\xAC 5,- \xF0\x9F\x8C\xB7", " lead"};
    a.questions = qs;
    a.n_questions = 4;
    a.answer = "line 1\nline 2\r\n\x01 control";
    a.url = "https://www.tulpentafel.example/klantenservice?x=1&y=\"2\"";
    lk_kb_add(&built, &a);
    cr_assert_eq(lk_article_validate(&built.articles[0], err, sizeof err), 0, "%s", err);
    assert_round_trip(&built);
    lk_kb_free(&built);
    lk_kb_free(&kb);
}

Test(kb_export, format_and_key_order)
{
    lk_kb_t kb;
    char err[256];
    cr_assert_eq(lk_kb_parse(VALID, strlen(VALID), &kb, err, sizeof err), 0, "%s", err);
    char *text = lk_kb_to_json(&kb);
    cr_assert_not_null(text);
    const char *head = "{\n  \"articles\": [\n    {\n      \"id\": \"retour\",\n      \"language\": \"nl\",\n";
    cr_assert(strncmp(text, head, strlen(head)) == 0, "%s", text);
    cr_assert_eq(text[strlen(text) - 1], '\n');
    const char *keys[] = {"\"id\"", "\"language\"", "\"title\"", "\"questions\"", "\"answer\"", "\"url\"", "\"tags\""};
    const char *prev = text;
    for (size_t i = 0; i < 7; i++) {
        const char *p = strstr(text, keys[i]);
        cr_assert_not_null(p, "%s", keys[i]);
        cr_assert(p >= prev, "%s out of order", keys[i]);
        prev = p;
    }
    /* the third article (last in the file) has no url and empty tags: neither is written */
    const char *third = strstr(text, "\"id\": \"z\"");
    cr_assert_not_null(third);
    cr_assert_null(strstr(third, "\"url\""));
    cr_assert_null(strstr(third, "\"tags\""));
    /* the file is UTF-8, not \u escapes */
    cr_assert_not_null(strstr(text, "Contact \xC3\xA9 \xF0\x9F\x98\x80"));
    free(text);

    lk_kb_t empty;
    lk_kb_init(&empty);
    text = lk_kb_to_json(&empty);
    cr_assert_not_null(text);
    lk_kb_t back;
    cr_assert_eq(lk_kb_parse(text, strlen(text), &back, err, sizeof err), 0, "%s", err);
    cr_assert_eq(back.n_articles, 0);
    free(text);
    lk_kb_free(&kb);
}

Test(kb_export, refuses_invalid_utf8)
{
    lk_kb_t kb;
    lk_kb_init(&kb);
    lk_article_t a = sample();
    a.answer = "caf\xC3\x28";
    lk_kb_add(&kb, &a);
    cr_assert_null(lk_kb_to_json(&kb));
    lk_kb_free(&kb);
}

/* ---- the built-in demo ------------------------------------------------- */

static size_t count_lang(const lk_kb_t *kb, const char *lang)
{
    size_t n = 0;
    for (size_t i = 0; i < kb->n_articles; i++)
        n += strcmp(kb->articles[i].language, lang) == 0;
    return n;
}

static bool has_tag(const lk_article_t *a, const char *tag)
{
    for (size_t i = 0; i < a->n_tags; i++)
        if (strcmp(a->tags[i], tag) == 0)
            return true;
    return false;
}

Test(kb_demo, parses_and_is_complete)
{
    lk_kb_t kb;
    cr_assert_eq(lk_kb_demo(&kb), 0);
    cr_assert_geq(count_lang(&kb, "nl"), 44);
    cr_assert_geq(count_lang(&kb, "en"), 10);
    cr_assert_eq(count_lang(&kb, "nl") + count_lang(&kb, "en"), kb.n_articles, "only nl and en");

    size_t sensitive = 0;
    for (size_t i = 0; i < kb.n_articles; i++) {
        const lk_article_t *a = &kb.articles[i];
        cr_assert_geq(a->n_questions, 5, "%s has %zu questions", a->id, a->n_questions);
        cr_assert_not_null(a->url, "%s has no url", a->id);
        cr_assert(strncmp(a->url, "https://www.tulpentafel.example/", 32) == 0, "%s: %s", a->id, a->url);
        cr_assert_geq(a->n_tags, 1, "%s has no tags", a->id);
        sensitive += has_tag(a, "sensitive");

        size_t len = strlen(a->id);
        bool en_id = len > 3 && strcmp(a->id + len - 3, "-en") == 0;
        if (strcmp(a->language, "en") == 0) {
            cr_assert(en_id, "English article %s must end in -en", a->id);
            char *nl = lk_xstrndup(a->id, len - 3);
            long k = lk_kb_find(&kb, nl);
            cr_assert_geq(k, 0, "%s has no Dutch counterpart %s", a->id, nl);
            cr_assert_str_eq(kb.articles[k].language, "nl");
            cr_assert_eq(has_tag(a, "sensitive"), has_tag(&kb.articles[k], "sensitive"), "%s", a->id);
            free(nl);
        } else {
            cr_assert_not(en_id, "Dutch article %s must not end in -en", a->id);
        }
    }
    cr_assert_geq(sensitive, 2);
    lk_kb_free(&kb);
}

/* The hours a demo server uses (LK_KB_DEMO_HOURS) are the hours its
 * knowledge base tells customers, in Dutch and in English. */
Test(kb_demo, hours_agree_with_the_article)
{
    lk_kb_t kb;
    cr_assert_eq(lk_kb_demo(&kb), 0);
    long nl = lk_kb_find(&kb, LK_KB_DEMO_HOURS_ARTICLE);
    long en = lk_kb_find(&kb, LK_KB_DEMO_HOURS_ARTICLE "-en");
    cr_assert_geq(nl, 0);
    cr_assert_geq(en, 0);
    const char *a_nl = kb.articles[nl].answer, *a_en = kb.articles[en].answer;
    cr_assert_not_null(strstr(a_nl, "maandag tot en met vrijdag van 8:30 tot 18:00 uur"), "%s", a_nl);
    cr_assert_not_null(strstr(a_nl, "zaterdag van 10:00 tot 16:00 uur"), "%s", a_nl);
    cr_assert_not_null(strstr(a_nl, "zondag zijn we gesloten"), "%s", a_nl);
    cr_assert_not_null(strstr(a_en, "Monday to Friday from 8:30 am to 6 pm"), "%s", a_en);
    cr_assert_not_null(strstr(a_en, "Saturday from 10 am to 4 pm"), "%s", a_en);

    lk_policy_config_t cfg;
    lk_policy_config_default(&cfg);
    cr_assert_eq(lk_policy_hours_parse(LK_KB_DEMO_HOURS, &cfg), 0);
    for (int d = 0; d < 5; d++) {
        cr_assert_eq(cfg.week[d][0].open_min, 8 * 60 + 30, "day %d", d);
        cr_assert_eq(cfg.week[d][0].close_min, 18 * 60, "day %d", d);
    }
    cr_assert_eq(cfg.week[5][0].open_min, 10 * 60);
    cr_assert_eq(cfg.week[5][0].close_min, 16 * 60);
    cr_assert_eq(cfg.week[6][0].open_min, cfg.week[6][0].close_min, "Sunday is closed");
    /* Monday 7 December 2026, 18:47 in Amsterdam (17:47 UTC): closed */
    cr_assert_not(lk_policy_open_at(&cfg, 1796665620000LL));
    /* the same day at 10:00 (09:00 UTC): open */
    cr_assert(lk_policy_open_at(&cfg, 1796634000000LL));
    lk_kb_free(&kb);
}

Test(kb_demo, round_trips)
{
    lk_kb_t kb;
    cr_assert_eq(lk_kb_demo(&kb), 0);
    cr_assert_geq(kb.n_articles, 54);
    assert_round_trip(&kb);
    lk_kb_free(&kb);
}

Test(kb_demo, answers_never_claim_the_bot_did_something)
{
    /* The bot only explains; a person or the customer acts. */
    static const char *const claims[] = {"Ik heb", "ik heb", "heb ik", "Ik ", " ik ", "I have", "I've", "I "};
    lk_kb_t kb;
    cr_assert_eq(lk_kb_demo(&kb), 0);
    cr_assert_geq(kb.n_articles, 54);
    for (size_t i = 0; i < kb.n_articles; i++)
        for (size_t k = 0; k < sizeof claims / sizeof claims[0]; k++)
            cr_assert_null(strstr(kb.articles[i].answer, claims[k]), "%s: \"%s\"", kb.articles[i].id, claims[k]);
    lk_kb_free(&kb);
}
