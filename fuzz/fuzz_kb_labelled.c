/*
 * fuzz_kb_labelled: the company's labelled questions (`loket kb labelled
 * import`, POST /api/v1/kb/labelled; src/kb/labelled.c): the JSON-lines
 * reader and the API body's reader, each against a small knowledge base and
 * without one.
 *
 * Invariants: a refused input leaves no questions and explains itself in one
 * line of valid UTF-8; an accepted one has questions with a text that is
 * valid UTF-8, not blank and at most LK_KB_QUESTION_MAX bytes, a label that
 * is "" (out of scope) or an article of the knowledge base, a language of 2
 * or 3 lowercase letters or "", and (from a file) lines that rise; written
 * back as JSON lines they read to the same questions.
 */
#include "fuzz_kb.h"

#include <jansson.h>

FUZZ_INIT_QUIET

static lk_kb_t *small_kb(void)
{
    static lk_kb_t kb;
    static bool made;
    if (!made) {
        lk_kb_init(&kb);
        const char *ids[] = {"returns", "opening-hours", "a"};
        for (int i = 0; i < 3; i++) {
            lk_article_t a;
            memset(&a, 0, sizeof a);
            a.id = (char *)ids[i];
            a.language = (char *)(i == 1 ? "en" : "nl");
            a.title = (char *)"t";
            a.answer = (char *)"a";
            lk_kb_add(&kb, &a);
        }
        made = true;
    }
    return &kb;
}

static void check_items(const lk_kb_labelled_t *v, size_t n, const lk_kb_t *kb, bool lines)
{
    size_t last = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(v[i].text);
        FUZZ_CHECK(len > 0 && len <= LK_KB_QUESTION_MAX);
        FUZZ_CHECK(fuzz_utf8_ok(v[i].text, len));
        bool blank = true;
        for (size_t k = 0; k < len && blank; k++)
            blank = v[i].text[k] == ' ' || v[i].text[k] == '\t' || v[i].text[k] == '\r' || v[i].text[k] == '\n';
        FUZZ_CHECK(!blank);
        FUZZ_CHECK(!v[i].label[0] || !kb || lk_kb_find(kb, v[i].label) >= 0);
        size_t ll = strlen(v[i].language);
        FUZZ_CHECK(ll == 0 || ll == 2 || ll == 3);
        if (lines) {
            FUZZ_CHECK(v[i].line > last);
            last = v[i].line;
        } else {
            FUZZ_CHECK(v[i].line == 0);
        }
    }
}

/* The questions written as JSON lines read to the same questions. */
static void check_roundtrip(const lk_kb_labelled_t *v, size_t n, const lk_kb_t *kb)
{
    size_t cap = 64, len = 0;
    char *out = malloc(cap);
    FUZZ_CHECK(out != NULL);
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_pack("{s:s, s:s}", "text", v[i].text, "label", v[i].label[0] ? v[i].label : LK_KB_OOS);
        FUZZ_CHECK(o != NULL);
        if (v[i].language[0])
            json_object_set_new(o, "language", json_string(v[i].language));
        char *line = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
        json_decref(o);
        FUZZ_CHECK(line != NULL);
        size_t l = strlen(line);
        while (len + l + 2 > cap) {
            cap *= 2;
            out = realloc(out, cap);
            FUZZ_CHECK(out != NULL);
        }
        memcpy(out + len, line, l);
        len += l;
        out[len++] = '\n';
        free(line);
    }
    lk_kb_labelled_t *w = NULL;
    size_t m = 0;
    char err[600];
    int rc = lk_kb_labelled_parse_lines(out, len, kb, &w, &m, err, sizeof err);
    if (rc)
        fprintf(stderr, "fuzz: the written questions are refused: %s\n", err);
    FUZZ_CHECK(rc == 0 && m == n);
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK(!strcmp(v[i].text, w[i].text) && !strcmp(v[i].label, w[i].label) &&
                   !strcmp(v[i].language, w[i].language));
    lk_kb_labelled_free(w, m);
    free(out);
}

static void one(const char *s, size_t len, const lk_kb_t *kb, bool lines)
{
    lk_kb_labelled_t *v = (lk_kb_labelled_t *)&v; /* must be reset */
    size_t n = 99;
    char err[600] = "";
    int rc = lines ? lk_kb_labelled_parse_lines(s, len, kb, &v, &n, err, sizeof err)
                   : lk_kb_labelled_parse_json(s, len, kb, &v, &n, err, sizeof err);
    if (rc) {
        FUZZ_CHECK(rc == LK_EINVAL);
        FUZZ_CHECK(v == NULL && n == 0);
        fuzz_check_kb_message(err);
        return;
    }
    FUZZ_CHECK(v != NULL && n > 0 && n <= LK_KB_LABELLED_MAX);
    check_items(v, n, kb, lines);
    check_roundtrip(v, n, kb);
    lk_kb_labelled_free(v, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    one(s, size, small_kb(), true);
    one(s, size, NULL, true);
    one(s, size, small_kb(), false);
    return 0;
}
