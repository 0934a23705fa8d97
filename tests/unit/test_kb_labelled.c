/* Unit tests for kb/labelled.c: the company's labelled questions read from
 * JSON lines (`loket kb labelled import`, `loket eval --labelled`) and from
 * the API's body, checked against a knowledge base: all or nothing, and the
 * message names the bad line or item. A table of bad inputs and one loop
 * keep every case visible. */
#include "kb/kb.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void kb_of_two(lk_kb_t *kb)
{
    lk_kb_init(kb);
    const char *ids[] = {"returns", "opening-hours"}, *langs[] = {"nl", "en"};
    for (int i = 0; i < 2; i++) {
        lk_article_t a;
        memset(&a, 0, sizeof a);
        a.id = (char *)ids[i];
        a.language = (char *)langs[i];
        a.title = (char *)"t";
        a.answer = (char *)"a";
        lk_kb_add(kb, &a);
    }
}

/* A refused input: the parse's message starts with want. */
typedef struct {
    const char *input, *want;
} refused_t;

typedef int (*parse_fn)(const char *s, size_t len, const lk_kb_t *kb, lk_kb_labelled_t **out, size_t *n, char *err,
                        size_t errsize);

/* Every case of cases is refused by parse against kb: LK_EINVAL, nothing
 * in the output, and the message naming the bad line or item. */
static void expect_refused(parse_fn parse, const lk_kb_t *kb, const refused_t *cases, size_t n_cases)
{
    for (size_t i = 0; i < n_cases; i++) {
        lk_kb_labelled_t *v = (lk_kb_labelled_t *)1;
        size_t n = 99;
        char err[256] = "";
        int rc = parse(cases[i].input, strlen(cases[i].input), kb, &v, &n, err, sizeof err);
        cr_assert_eq(rc, LK_EINVAL, "case %zu", i);
        cr_assert_null(v, "case %zu", i);
        cr_assert_eq(n, 0, "case %zu", i);
        cr_assert(strncmp(err, cases[i].want, strlen(cases[i].want)) == 0, "case %zu: %s", i, err);
    }
}

Test(kb_labelled, reads_lines)
{
    lk_kb_t kb;
    kb_of_two(&kb);
    const char *file = "{\"text\": \"Kan ik iets terugsturen?\", \"label\": \"returns\"}\n"
                       "\n"
                       "  {\"text\":\"Wat voor weer wordt het?\",\"label\":\"oos\"}\r\n"
                       "{\"text\": \"When are you open?\", \"label\": \"opening-hours\", \"language\": \"en\"}";
    lk_kb_labelled_t *v = NULL;
    size_t n = 0;
    char err[256] = "";
    cr_assert_eq(lk_kb_labelled_parse_lines(file, strlen(file), &kb, &v, &n, err, sizeof err), 0, "%s", err);
    cr_assert_eq(n, 3);
    cr_assert_str_eq(v[0].text, "Kan ik iets terugsturen?");
    cr_assert_str_eq(v[0].label, "returns");
    cr_assert_str_eq(v[0].language, "nl"); /* the article's */
    cr_assert_str_eq(v[1].label, "");      /* out of scope */
    cr_assert_str_eq(v[1].language, "");
    cr_assert_str_eq(v[2].label, "opening-hours");
    cr_assert_str_eq(v[2].language, "en");
    cr_assert(v[0].line == 1 && v[1].line == 3 && v[2].line == 4, "the lines of the file, empty ones counted");
    lk_kb_labelled_free(v, n);
    lk_kb_free(&kb);
}

Test(kb_labelled, bad_lines_name_the_line)
{
    lk_kb_t kb;
    kb_of_two(&kb);
    static const refused_t cases[] = {
        {"{\"text\": \"a\", \"label\": \"returns\"}\n{\"text\": \"b\", \"label\": \"gone\"}\n",
         "line 2: \"label\" \"gone\" is no article of the knowledge base"},
        {"{\"text\": \"a\", \"label\": \"returns\"}\n\nnot json\n", "line 3: not JSON"},
        {"{\"text\": \"\", \"label\": \"returns\"}", "line 1: \"text\" must be a non-empty string"},
        {"{\"text\": \"  \", \"label\": \"returns\"}", "line 1: \"text\" must be a non-empty string"},
        {"{\"text\": 3, \"label\": \"returns\"}", "line 1: \"text\" must be a non-empty string"},
        {"{\"text\": \"a\"}", "line 1: \"label\" must be an article id or \"oos\""},
        {"{\"text\": \"a\", \"label\": \"no spaces\"}", "line 1: \"label\" must be an article id or \"oos\""},
        {"{\"text\": \"a\", \"label\": \"oos\", \"intent\": 1}", "line 1: unknown field \"intent\""},
        {"{\"text\": \"a\", \"label\": \"oos\", \"in\\ttent\": 1}", "line 1: an unknown field"},
        {"{\"text\": \"a\", \"label\": \"oos\"}\n{\"text\": \"a\", \"label\": \"oos\"} x",
         "line 2: not JSON (at character"},
        {"{\"text\": \"a\", \"label\": \"oos\", \"language\": \"Dutch\"}",
         "line 1: \"language\" must be a language tag"},
        {"[\"a\", \"oos\"]", "line 1: expected an object"},
        {"{\"text\": \"a\\u0000b\", \"label\": \"oos\"}", "line 1: not JSON"},
        {"{\"text\": \"a\", \"text\": \"b\", \"label\": \"oos\"}", "line 1: not JSON"},
        {"", "the file: holds no labelled questions"},
        {"\n  \n", "the file: holds no labelled questions"},
        {"{\"text\": \"\xff\", \"label\": \"oos\"}", "the file: is not valid UTF-8"},
    };
    expect_refused(lk_kb_labelled_parse_lines, &kb, cases, sizeof cases / sizeof cases[0]);
    /* a text longer than an example question may be */
    size_t len = LK_KB_QUESTION_MAX + 40;
    char *big = lk_xmalloc(len + 1);
    int w = snprintf(big, len + 1, "{\"text\": \"");
    memset(big + w, 'x', len - (size_t)w);
    big[len] = '\0';
    char *file = lk_xmalloc(len + 40);
    snprintf(file, len + 40, "%s\", \"label\": \"oos\"}", big);
    lk_kb_labelled_t *v = NULL;
    size_t n = 0;
    char err[256] = "";
    cr_assert_eq(lk_kb_labelled_parse_lines(file, strlen(file), &kb, &v, &n, err, sizeof err), LK_EINVAL);
    cr_assert(strstr(err, "longer than") != NULL, "%s", err);
    free(big);
    free(file);
    lk_kb_free(&kb);
}

Test(kb_labelled, without_a_knowledge_base_checks_the_form_only)
{
    const char *file = "{\"text\": \"a\", \"label\": \"anything-else\"}";
    lk_kb_labelled_t *v = NULL;
    size_t n = 0;
    char err[256] = "";
    cr_assert_eq(lk_kb_labelled_parse_lines(file, strlen(file), NULL, &v, &n, err, sizeof err), 0, "%s", err);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(v[0].label, "anything-else");
    cr_assert_str_eq(v[0].language, "");
    lk_kb_labelled_free(v, n);
}

Test(kb_labelled, reads_the_api_body)
{
    lk_kb_t kb;
    kb_of_two(&kb);
    lk_kb_labelled_t *v = NULL;
    size_t n = 0;
    char err[256] = "";
    const char *one = "{\"text\": \"Retour?\", \"label\": \"returns\"}";
    cr_assert_eq(lk_kb_labelled_parse_json(one, strlen(one), &kb, &v, &n, err, sizeof err), 0, "%s", err);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(v[0].label, "returns");
    lk_kb_labelled_free(v, n);
    const char *batch = "{\"questions\": [{\"text\": \"Retour?\", \"label\": \"returns\"}, "
                        "{\"text\": \"Weer?\", \"label\": \"oos\", \"language\": \"nl\"}]}";
    cr_assert_eq(lk_kb_labelled_parse_json(batch, strlen(batch), &kb, &v, &n, err, sizeof err), 0, "%s", err);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(v[1].label, "");
    cr_assert_str_eq(v[1].language, "nl");
    lk_kb_labelled_free(v, n);

    static const refused_t bad[] = {
        {"{\"questions\": [{\"text\": \"a\", \"label\": \"returns\"}, {\"text\": \"b\", \"label\": \"x\"}]}",
         "questions[1]: \"label\" \"x\" is no article"},
        {"{\"questions\": []}", "the body: \"questions\" is empty"},
        {"{\"questions\": {}}", "the body: \"questions\" must be an array"},
        {"{\"questions\": [], \"replace\": true}", "the body: \"questions\" must be an array, and the only field"},
        {"", "the body: expected"},
        {"{", "the body: expected"},
        {"{\"label\": \"oos\"}", "the body: \"text\" must be a non-empty string"},
    };
    expect_refused(lk_kb_labelled_parse_json, &kb, bad, sizeof bad / sizeof bad[0]);
    lk_kb_free(&kb);
}
