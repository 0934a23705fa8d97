/* Unit tests for kb/draft.c and kb/publish.c: ids of new articles (slugs,
 * translations, taken ids), where a draft publishes, the checks of a
 * draft's content, the draft's JSON string arrays, search, the candidate
 * knowledge base, and the regression check with a judge written here. */
#include "kb/kb.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ----------------------------------------------------------- */

/* Ids that are taken; counts the questions asked, and fails with err
 * from the call numbered fail_at (1-based; 0 = never). */
typedef struct {
    const char *const *ids;
    int asked;
    int fail_at;
} taken_t;

static int taken(void *ud, const char *id)
{
    taken_t *t = ud;
    if (++t->asked == t->fail_at)
        return LK_EIO;
    for (size_t i = 0; t->ids && t->ids[i]; i++)
        if (strcmp(t->ids[i], id) == 0)
            return 1;
    return 0;
}

static void article(lk_article_t *a, const char *id, const char *lang, const char *title, const char *q1,
                    const char *q2)
{
    memset(a, 0, sizeof *a);
    a->id = lk_xstrdup(id);
    a->language = lk_xstrdup(lang);
    a->title = lk_xstrdup(title);
    a->answer = lk_xstrdup("An answer.");
    a->n_questions = q2 ? 2 : 1;
    a->questions = lk_xcalloc(a->n_questions, sizeof *a->questions);
    a->questions[0] = lk_xstrdup(q1);
    if (q2)
        a->questions[1] = lk_xstrdup(q2);
}

static void add(lk_kb_t *kb, const char *id, const char *lang, const char *title, const char *q1, const char *q2)
{
    lk_article_t a;
    article(&a, id, lang, title, q1, q2);
    lk_kb_add(kb, &a);
    lk_article_free(&a);
}

/* ---- ids ------------------------------------------------------------------ */

Test(kb_draft, slugify_folds_accents_and_joins_words)
{
    char out[LK_KB_ID_MAX + 1];
    lk_kb_slugify("Hoe lang duurt bezorging?", out, sizeof out);
    cr_assert_str_eq(out, "hoe-lang-duurt-bezorging");
    lk_kb_slugify("  Café & Crème -- Brûlée!! ", out, sizeof out);
    cr_assert_str_eq(out, "cafe-creme-brulee");
    lk_kb_slugify("snake_case_stays", out, sizeof out);
    cr_assert_str_eq(out, "snake_case_stays");
    lk_kb_slugify("?!", out, sizeof out);
    cr_assert_str_eq(out, "artikel", "nothing usable left");
    lk_kb_slugify("", out, sizeof out);
    cr_assert_str_eq(out, "artikel");
}

Test(kb_draft, slugify_is_cut_at_the_slug_limit_without_a_trailing_dash)
{
    char title[200], out[LK_KB_ID_MAX + 1];
    memset(title, 'a', 59);
    snprintf(title + 59, sizeof title - 59, " bcdefgh");
    lk_kb_slugify(title, out, sizeof out);
    cr_assert_eq(strlen(out), 59, "the '-' at byte 60 is dropped: %s", out);
    memset(title, 'x', 150);
    title[150] = '\0';
    lk_kb_slugify(title, out, sizeof out);
    cr_assert_eq(strlen(out), LK_KB_SLUG_MAX);
    char small[8];
    lk_kb_slugify("abcdefghijkl", small, sizeof small);
    cr_assert_str_eq(small, "abcdefg", "never past the buffer");
}

Test(kb_draft, token_and_new_id_rules)
{
    cr_assert(lk_kb_token_valid("Retour.NL_2-x", LK_KB_ID_MAX));
    cr_assert_not(lk_kb_token_valid("", LK_KB_ID_MAX));
    cr_assert_not(lk_kb_token_valid("a b", LK_KB_ID_MAX));
    cr_assert_not(lk_kb_token_valid("abcd", 3));
    cr_assert(lk_kb_new_id_valid("retour-2_b"));
    cr_assert_not(lk_kb_new_id_valid("Retour"), "upper case is not for new ids");
    cr_assert_not(lk_kb_new_id_valid("a.b"));
    char id[LK_KB_NEW_ID_MAX + 2];
    memset(id, 'a', sizeof id - 1);
    id[sizeof id - 1] = '\0';
    cr_assert_not(lk_kb_new_id_valid(id), "65 bytes");
    id[LK_KB_NEW_ID_MAX] = '\0';
    cr_assert(lk_kb_new_id_valid(id), "64 bytes");
}

Test(kb_draft, choose_id_from_title_counts_past_taken_ones)
{
    static const char *const ids[] = {"bezorging", "bezorging-2", NULL};
    taken_t t = {ids, 0, 0};
    lk_kb_draft_id_t d = {NULL, NULL, NULL, "nl", "Bezorging"};
    char out[LK_KB_ID_MAX + 1];
    cr_assert_eq(lk_kb_choose_id(&d, taken, &t, out, sizeof out), 0);
    cr_assert_str_eq(out, "bezorging-3");
    cr_assert_eq(t.asked, 3);
}

Test(kb_draft, choose_id_of_a_translation_uses_group_and_language)
{
    taken_t t = {NULL, 0, 0};
    lk_kb_draft_id_t d = {NULL, "", "Retourneren", "en", "Returns"};
    char out[LK_KB_ID_MAX + 1];
    cr_assert_eq(lk_kb_choose_id(&d, taken, &t, out, sizeof out), 0);
    cr_assert_str_eq(out, "retourneren-en");
}

Test(kb_draft, choose_id_keeps_the_authors_id_and_reports_errors)
{
    taken_t t = {NULL, 0, 0};
    lk_kb_draft_id_t d = {NULL, "mijn-id", NULL, "nl", "Titel"};
    char out[LK_KB_ID_MAX + 1];
    cr_assert_eq(lk_kb_choose_id(&d, taken, &t, out, sizeof out), 0);
    cr_assert_str_eq(out, "mijn-id");
    cr_assert_eq(t.asked, 0, "the author's id is not looked up here");
    lk_kb_draft_id_t e = {NULL, NULL, NULL, "nl", "Titel"};
    t.fail_at = 1;
    cr_assert_eq(lk_kb_choose_id(&e, taken, &t, out, sizeof out), LK_EIO);
}

static int all_taken(void *ud, const char *id)
{
    (void)id;
    ++*(int *)ud;
    return 1;
}

Test(kb_draft, choose_id_gives_up_after_999_taken)
{
    lk_kb_draft_id_t d = {NULL, NULL, NULL, "nl", "x"};
    char out[LK_KB_ID_MAX + 1];
    int asked = 0;
    cr_assert_eq(lk_kb_choose_id(&d, all_taken, &asked, out, sizeof out), LK_EEXIST);
    cr_assert_eq(asked, 999);
}

/* ---- where a draft publishes ------------------------------------------------ */

Test(kb_draft, publish_target_of_a_new_article)
{
    static const char *const ids[] = {"bezorging", NULL};
    taken_t t = {ids, 0, 0};
    lk_kb_draft_id_t d = {"", "", "", "nl", "Bezorging"};
    char id[LK_KB_ID_MAX + 1];
    bool create = false;
    cr_assert_eq(lk_kb_publish_target(&d, taken, &t, id, sizeof id, &create), 0);
    cr_assert(create);
    cr_assert_str_eq(id, "bezorging-2");
}

Test(kb_draft, publish_target_refuses_an_authors_id_taken_since)
{
    static const char *const ids[] = {"mijn-id", NULL};
    taken_t t = {ids, 0, 0};
    lk_kb_draft_id_t d = {NULL, "mijn-id", NULL, "nl", "Titel"};
    char id[LK_KB_ID_MAX + 1];
    bool create = false;
    cr_assert_eq(lk_kb_publish_target(&d, taken, &t, id, sizeof id, &create), LK_ESTATE);
    cr_assert(create);
}

Test(kb_draft, publish_target_with_no_free_id)
{
    lk_kb_draft_id_t d = {NULL, NULL, NULL, "nl", "Titel"};
    char id[LK_KB_ID_MAX + 1];
    bool create = false;
    int asked = 0;
    cr_assert_eq(lk_kb_publish_target(&d, all_taken, &asked, id, sizeof id, &create), LK_EEXIST,
                 "not the conflict of an author's id");
}

Test(kb_draft, publish_target_of_a_change)
{
    static const char *const ids[] = {"retour", NULL};
    taken_t t = {ids, 0, 0};
    lk_kb_draft_id_t d = {"retour", NULL, NULL, "nl", "Anders"};
    char id[LK_KB_ID_MAX + 1];
    bool create = true;
    cr_assert_eq(lk_kb_publish_target(&d, taken, &t, id, sizeof id, &create), 0);
    cr_assert_not(create);
    cr_assert_str_eq(id, "retour", "a change keeps its article's id, not one from the title");
    lk_kb_draft_id_t gone = {"weg", NULL, NULL, "nl", "Weg"};
    cr_assert_eq(lk_kb_publish_target(&gone, taken, &t, id, sizeof id, &create), LK_ENOENT);
    t.fail_at = t.asked + 1;
    cr_assert_eq(lk_kb_publish_target(&d, taken, &t, id, sizeof id, &create), LK_EIO);
}

/* ---- a draft's content ------------------------------------------------------ */

Test(kb_draft, check_names_the_field_only)
{
    lk_article_t a;
    article(&a, "whatever", "nl", "", "Vraag?", NULL);
    char err[400] = "";
    cr_assert_eq(lk_kb_draft_check(&a, false, err, sizeof err), LK_EINVAL);
    cr_assert(strncmp(err, "field \"title\"", 13) == 0, "%s", err);
    lk_article_free(&a);
}

Test(kb_draft, an_answer_may_be_missing_until_publishing)
{
    lk_article_t a;
    article(&a, "x", "nl", "Titel", "Vraag?", NULL);
    free(a.answer);
    a.answer = lk_xstrdup("");
    char err[400] = "";
    cr_assert_eq(lk_kb_draft_check(&a, false, err, sizeof err), 0, "%s", err);
    cr_assert_eq(lk_kb_draft_check(&a, true, err, sizeof err), LK_EINVAL);
    cr_assert_not_null(strstr(err, "answer"), "%s", err);
    cr_assert_str_eq(a.answer, "", "the article is not changed");
    lk_article_free(&a);
}

Test(kb_draft, the_id_of_a_draft_is_not_checked)
{
    lk_article_t a;
    article(&a, "", "nl", "Titel", "Vraag?", NULL);
    char err[400] = "";
    cr_assert_eq(lk_kb_draft_check(&a, true, err, sizeof err), 0, "%s", err);
    lk_article_free(&a);
}

Test(kb_draft, string_arrays_round_trip_as_json_text)
{
    char *v[] = {"één", "a \"quoted\" one", ""};
    char *text = lk_kb_strv_to_json(v, 3);
    cr_assert_str_eq(text, "[\"één\",\"a \\\"quoted\\\" one\",\"\"]");
    char **back = NULL;
    size_t n = 0;
    cr_assert(lk_kb_strv_parse(text, &back, &n));
    cr_assert_eq(n, 3);
    for (size_t i = 0; i < n; i++) {
        cr_assert_str_eq(back[i], v[i]);
        free(back[i]);
    }
    free(back);
    free(text);
    cr_assert(lk_kb_strv_parse("[1, \"x\"]", &back, &n));
    cr_assert_eq(n, 2);
    cr_assert_str_eq(back[0], "", "not a string: empty");
    free(back[0]);
    free(back[1]);
    free(back);
    cr_assert_not(lk_kb_strv_parse("{\"a\": 1}", &back, &n));
    cr_assert_null(back);
    cr_assert_eq(n, 0);
    cr_assert_not(lk_kb_strv_parse(NULL, &back, &n));
    char *bad[] = {"ok", "\xff\xfe"};
    text = lk_kb_strv_to_json(bad, 2);
    cr_assert_str_eq(text, "[\"ok\"]", "invalid UTF-8 is left out");
    free(text);
}

Test(kb_draft, group_and_search)
{
    lk_article_t a;
    article(&a, "retour", "nl", "Retourneren", "Hoe stuur ik iets terug?", NULL);
    cr_assert_str_eq(lk_kb_article_group(&a), "retour");
    a.translation_group = lk_xstrdup("returns");
    cr_assert_str_eq(lk_kb_article_group(&a), "returns");
    cr_assert(lk_kb_article_matches(&a, "stuur terug"));
    cr_assert(lk_kb_article_matches(&a, "retourneren"));
    cr_assert_not(lk_kb_article_matches(&a, "stuur bezorging"), "every word must occur");
    lk_article_free(&a);
}

/* ---- the candidate ------------------------------------------------------------ */

Test(kb_publish, put_replaces_or_inserts_in_id_order)
{
    lk_kb_t kb;
    lk_kb_init(&kb);
    add(&kb, "b", "nl", "B", "b?", NULL);
    add(&kb, "d", "nl", "D", "d?", NULL);
    static const char *const put[][3] = {{"c", "C", "c?"}, {"a", "A", "a?"}, {"e", "E", "e?"}, {"d", "D2", "d2?"}};
    for (size_t i = 0; i < 4; i++) {
        lk_article_t a;
        article(&a, put[i][0], "nl", put[i][1], put[i][2], NULL);
        lk_kb_put(&kb, &a);
        lk_article_free(&a);
    }
    cr_assert_eq(kb.n_articles, 5);
    const char *want[] = {"a", "b", "c", "d", "e"};
    for (size_t i = 0; i < 5; i++)
        cr_assert_str_eq(kb.articles[i].id, want[i]);
    cr_assert_str_eq(kb.articles[3].title, "D2", "replaced");
    lk_kb_free(&kb);
}

/* ---- the regression check ------------------------------------------------------ */

/* A judge: a question is answered by the first article of that knowledge
 * base that lists it, unless it holds "?!" (declined); counts the calls. */
typedef struct {
    const lk_kb_t *kb[2];
    int calls;
} by_list_t;

static lk_kb_verdict_t by_list(void *ud, bool candidate, const char *text, const char *language)
{
    by_list_t *j = ud;
    j->calls++;
    lk_kb_verdict_t v = {.answer = false};
    const lk_kb_t *kb = j->kb[candidate];
    for (size_t i = 0; i < kb->n_articles && !v.article; i++)
        for (size_t q = 0; q < kb->articles[i].n_questions; q++)
            if (strcmp(kb->articles[i].questions[q], text) == 0 && strcmp(kb->articles[i].language, language) == 0) {
                v.article = kb->articles[i].id;
                v.confidence = 0.9;
                v.answer = strstr(text, "?!") == NULL;
                break;
            }
    return v;
}

Test(kb_publish, regression_counts_moves_declines_and_new_answers)
{
    lk_kb_t cur, cand;
    lk_kb_init(&cur);
    lk_kb_init(&cand);
    add(&cur, "retour", "nl", "Retour", "terugsturen", "geld terug");
    add(&cur, "bezorg", "nl", "Bezorging", "wanneer komt het", NULL);
    add(&cur, "open", "en", "Hours", "when are you open", "terugsturen");
    /* the candidate: "geld terug" moves to a new article; "wanneer komt het"
     * is gone (declined); "nieuw" is new (answered); "oeps?!" is listed but
     * declined before and after (no change) */
    add(&cand, "betaal", "nl", "Betalen", "geld terug", "nieuw");
    add(&cand, "retour", "nl", "Retour", "terugsturen", "oeps?!");
    add(&cand, "open", "en", "Hours", "when are you open", "terugsturen");
    add(&cur, "oeps", "nl", "Oeps", "oeps?!", NULL);

    by_list_t j = {{&cur, &cand}, 0};
    lk_kb_regression_t r;
    lk_kb_regression(&cur, &cand, by_list, &j, 100, &r);
    /* distinct (language, text): geld terug, nieuw, terugsturen (nl),
     * oeps?!, when are you open, terugsturen (en), wanneer komt het */
    cr_assert_eq(r.checked, 7);
    cr_assert_eq(j.calls, 14, "each question once per bot");
    cr_assert_eq(r.total, 3);
    cr_assert_eq(r.moved, 1);
    cr_assert_eq(r.declined, 1);
    cr_assert_eq(r.answered, 1);
    cr_assert_eq(r.n_changes, 3);
    /* in the order seen: the candidate's questions first */
    cr_assert_str_eq(r.changes[0].question, "geld terug");
    cr_assert_str_eq(r.changes[0].from.article, "retour");
    cr_assert_str_eq(r.changes[0].to.article, "betaal");
    cr_assert_str_eq(r.changes[1].question, "nieuw");
    cr_assert_not(r.changes[1].from.answer);
    cr_assert(r.changes[1].to.answer);
    cr_assert_str_eq(r.changes[2].question, "wanneer komt het");
    cr_assert_str_eq(r.changes[2].language, "nl");
    cr_assert(r.changes[2].from.answer);
    cr_assert_not(r.changes[2].to.answer);
    lk_kb_regression_free(&r);
    cr_assert_null(r.changes);

    /* the list is cut, the counts are not */
    lk_kb_regression(&cur, &cand, by_list, &j, 1, &r);
    cr_assert_eq(r.total, 3);
    cr_assert_eq(r.n_changes, 1);
    cr_assert_str_eq(r.changes[0].question, "geld terug");
    lk_kb_regression_free(&r);
    lk_kb_regression(&cur, &cand, by_list, &j, 0, &r);
    cr_assert_eq(r.total, 3);
    cr_assert_eq(r.n_changes, 0);
    lk_kb_regression_free(&r);
    lk_kb_regression_free(NULL);
    lk_kb_free(&cur);
    lk_kb_free(&cand);
}

/* A judge from a table: what each bot does with each question. */
typedef struct {
    const char *text;
    lk_kb_verdict_t v[2]; /* current, candidate */
} table_row_t;

static lk_kb_verdict_t by_table(void *ud, bool candidate, const char *text, const char *language)
{
    (void)language;
    for (const table_row_t *t = ud; t->text; t++)
        if (strcmp(t->text, text) == 0)
            return t->v[candidate];
    return (lk_kb_verdict_t){.answer = false};
}

#define ANSWER(id) {.answer = true, .article = id, .confidence = 0.9}
#define DECLINE {.answer = false, .confidence = 0.1}
#define CHOICE2(a, b) {.answer = false, .article = a, .confidence = 0.3, .n_choices = 2, .choices = {a, b}}

Test(kb_publish, regression_counts_a_choice_as_a_change_not_a_decline)
{
    lk_kb_t cur, cand;
    lk_kb_init(&cur);
    lk_kb_init(&cand);
    add(&cur, "a", "nl", "A", "q1", "q2");
    add(&cur, "b", "nl", "B", "q3", "q4");
    add(&cur, "c", "nl", "C", "q5", "q6");
    add(&cand, "a", "nl", "A", "q1", "q2");
    add(&cand, "b", "nl", "B", "q3", "q4");
    add(&cand, "c", "nl", "C", "q5", "q6");
    table_row_t t[] = {
        {"q1", {ANSWER("a"), CHOICE2("a", "b")}},       /* answered by A, then "A or B?": offered */
        {"q2", {DECLINE, CHOICE2("b", "a")}},           /* declined, then offered */
        {"q3", {CHOICE2("b", "a"), CHOICE2("b", "a")}}, /* the same offer: no change */
        {"q4", {CHOICE2("b", "a"), CHOICE2("a", "b")}}, /* another order: a change the customer sees */
        {"q5", {CHOICE2("c", "a"), DECLINE}},           /* offered, then declined */
        {"q6", {CHOICE2("c", "a"), ANSWER("c")}},       /* offered, then answered */
        {NULL, {DECLINE, DECLINE}},
    };
    lk_kb_regression_t r;
    lk_kb_regression(&cur, &cand, by_table, t, 100, &r);
    cr_assert_eq(r.checked, 6);
    cr_assert_eq(r.total, 5);
    cr_assert_eq(r.offered, 3, "q1, q2, q4");
    cr_assert_eq(r.declined, 1, "q5");
    cr_assert_eq(r.answered, 1, "q6");
    cr_assert_eq(r.moved, 0);
    cr_assert_eq(r.n_changes, 5);
    cr_assert_str_eq(r.changes[0].question, "q1");
    cr_assert(r.changes[0].from.answer);
    cr_assert_str_eq(r.changes[0].from.article, "a");
    cr_assert_not(r.changes[0].to.answer);
    cr_assert_eq(r.changes[0].to.n_choices, 2);
    cr_assert_str_eq(r.changes[0].to.choices[0], "a");
    cr_assert_str_eq(r.changes[0].to.choices[1], "b");
    lk_kb_regression_free(&r);
    lk_kb_free(&cur);
    lk_kb_free(&cand);
}

Test(kb_publish, regression_of_the_same_knowledge_base_finds_nothing_in_a_large_set)
{
    /* enough questions to grow the question table several times */
    lk_kb_t kb;
    lk_kb_init(&kb);
    for (int i = 0; i < 700; i++) {
        char id[16], q1[32], q2[32];
        snprintf(id, sizeof id, "a%04d", i);
        snprintf(q1, sizeof q1, "vraag %d", i);
        snprintf(q2, sizeof q2, "vraag %d", i / 2); /* half repeat another's */
        add(&kb, id, i % 3 ? "nl" : "en", "T", q1, q2);
    }
    by_list_t j = {{&kb, &kb}, 0};
    lk_kb_regression_t r;
    lk_kb_regression(&kb, &kb, by_list, &j, 10, &r);
    size_t want = 0; /* distinct (language, text) pairs, counted the slow way */
    for (size_t a = 0; a < kb.n_articles; a++)
        for (size_t q = 0; q < kb.articles[a].n_questions; q++) {
            bool seen = false;
            for (size_t b = 0; b <= a && !seen; b++)
                for (size_t p = 0; p < kb.articles[b].n_questions && !seen; p++) {
                    if (b == a && p >= q)
                        break;
                    seen = strcmp(kb.articles[b].questions[p], kb.articles[a].questions[q]) == 0 &&
                           strcmp(kb.articles[b].language, kb.articles[a].language) == 0;
                }
            want += !seen;
        }
    cr_assert_eq(r.checked, want);
    cr_assert_eq(r.total, 0);
    lk_kb_regression_free(&r);
    lk_kb_free(&kb);
}
