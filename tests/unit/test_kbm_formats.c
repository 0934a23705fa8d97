/*
 * Unit tests for the import and export formats of knowledge management:
 * CSV (src/kb/kb_csv.c), Markdown files with front matter (src/kb/kb_md.c)
 * and the files and folders around them (src/kb/kb_io.c). Each format must
 * give back exactly what it was given, for the demo knowledge base and for
 * articles written to trip a careless writer (commas, quotes, new lines,
 * colons, leading dashes, "|" in a tag), and refuse bad input whole with a
 * message that names the place.
 */
#include "kb/kb.h"
#include "util/util.h"

#include "test_article.h"
#include "test_tmp.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Asserts that two knowledge bases hold the same articles, field by field. */
static void assert_same_kb(const lk_kb_t *a, const lk_kb_t *b, bool meta)
{
    cr_assert_eq(a->n_articles, b->n_articles);
    for (size_t i = 0; i < a->n_articles; i++) {
        const lk_article_t *x = &a->articles[i], *y = &b->articles[i];
        cr_assert_str_eq(x->id, y->id);
        cr_assert_str_eq(x->language, y->language, "%s", x->id);
        cr_assert_str_eq(x->title, y->title, "%s", x->id);
        cr_assert_str_eq(x->answer, y->answer, "%s", x->id);
        cr_assert_eq(!x->url, !y->url, "%s: url", x->id);
        if (x->url)
            cr_assert_str_eq(x->url, y->url);
        cr_assert_eq(x->n_questions, y->n_questions, "%s", x->id);
        for (size_t q = 0; q < x->n_questions; q++)
            cr_assert_str_eq(x->questions[q], y->questions[q], "%s", x->id);
        cr_assert_eq(x->n_tags, y->n_tags, "%s", x->id);
        for (size_t t = 0; t < x->n_tags; t++)
            cr_assert_str_eq(x->tags[t], y->tags[t], "%s", x->id);
        if (meta) {
            cr_assert_eq(!x->owner, !y->owner, "%s: owner", x->id);
            if (x->owner)
                cr_assert_str_eq(x->owner, y->owner);
            cr_assert_eq(x->review_by, y->review_by, "%s: review_by", x->id);
            cr_assert_eq(!x->translation_group, !y->translation_group, "%s: translation_group", x->id);
            if (x->translation_group)
                cr_assert_str_eq(x->translation_group, y->translation_group);
        }
    }
}

/* Articles with every awkward character in every field. */
static void tricky_kb(lk_kb_t *kb)
{
    lk_kb_init(kb);
    char *q1[] = {"Kan ik betalen, en zo ja: hoe?",
                  "\"Quoted\" question",
                  "- begint met een streepje",
                  "regel een\nregel twee",
                  "  spaties eromheen  ",
                  "# geen commentaar",
                  "café ü 🙂"};
    char *t1[] = {"betalen", "a|b", "met, komma"};
    lk_article_t a = {.id = "betalen.v2_x-1",
                      .language = "nl",
                      .title = "Titel: met \"quotes\", en komma's",
                      .questions = q1,
                      .n_questions = sizeof q1 / sizeof q1[0],
                      .answer = "Regel **een**,\r\nregel \"twee\"\n\n- lijst\n---\nna de streep\n",
                      .url = "https://example.com/a?b=1,2&c=\"3\"",
                      .tags = t1,
                      .n_tags = 3,
                      .owner = "u_owner",
                      .review_by = 1782777600000,
                      .translation_group = "betalen"};
    lk_kb_add(kb, &a);
    char *q2[] = {"plain question"};
    lk_article_t b = test_article("plain", "en", "Plain", q2, 1, "No markup.");
    b.review_by = 1782810123456;
    lk_kb_add(kb, &b);
    char *t3[] = {"[haakje", "x"};
    lk_article_t c = test_article("haakje", "nl", "[Haakje]", q2, 1, "eindigt op een CR\r");
    c.tags = t3;
    c.n_tags = 2;
    lk_kb_add(kb, &c);
}

Test(kbm_formats, csv_round_trips_the_demo)
{
    lk_kb_t demo, back;
    cr_assert_eq(lk_kb_demo(&demo), 0);
    char *csv = lk_kb_to_csv(&demo);
    cr_assert_not_null(csv);
    cr_assert(strncmp(csv, "id,language,title,question,answer,url,tags\r\n", 44) == 0, "header row");
    size_t rows = 0;
    for (const char *p = csv; (p = strstr(p, "\r\n")); p += 2)
        rows++;
    size_t questions = 0;
    for (size_t i = 0; i < demo.n_articles; i++)
        questions += demo.articles[i].n_questions;
    cr_assert_geq(rows, questions + 1, "one row per question at least");
    char err[512];
    cr_assert_eq(lk_kb_parse_csv(csv, strlen(csv), &back, err, sizeof err), 0, "%s", err);
    assert_same_kb(&demo, &back, false);
    char *again = lk_kb_to_csv(&back);
    cr_assert_str_eq(again, csv, "export of an import is the same text");
    free(again);
    free(csv);
    lk_kb_free(&back);
    lk_kb_free(&demo);
}

Test(kbm_formats, csv_round_trips_awkward_fields)
{
    lk_kb_t kb, back;
    tricky_kb(&kb);
    char *csv = lk_kb_to_csv(&kb);
    cr_assert_not_null(csv);
    cr_assert(strstr(csv, "\"Titel: met \"\"quotes\"\", en komma's\""), "RFC 4180 quoting: %s", csv);
    cr_assert(strstr(csv, "[\"betalen\",\"a|b\",\"met, komma\"]") || strstr(csv, "\"[\"\"betalen\"\""),
              "tags with a '|' go as a JSON array");
    char err[512];
    cr_assert_eq(lk_kb_parse_csv(csv, strlen(csv), &back, err, sizeof err), 0, "%s", err);
    assert_same_kb(&kb, &back, false);
    free(csv);
    lk_kb_free(&back);
    lk_kb_free(&kb);
}

Test(kbm_formats, csv_reads_hand_written_files)
{
    /* columns in another order, LF line ends, a BOM, no url column, rows of
     * one article apart, a blank line */
    const char *csv = "\xEF\xBB\xBFquestion,id,title,language,answer,tags\n"
                      "Waar is mijn pakket?,pakket,Pakket,nl,Kijk in je mail.,bezorging|pakket\n"
                      "How do I pay?,pay,Paying,en,With iDEAL.,\n"
                      "\n"
                      "\"Pakket, kwijt\",pakket,Pakket,nl,Kijk in je mail.,bezorging|pakket\n";
    lk_kb_t kb;
    char err[512];
    cr_assert_eq(lk_kb_parse_csv(csv, strlen(csv), &kb, err, sizeof err), 0, "%s", err);
    cr_assert_eq(kb.n_articles, 2);
    cr_assert_str_eq(kb.articles[0].id, "pakket");
    cr_assert_eq(kb.articles[0].n_questions, 2);
    cr_assert_str_eq(kb.articles[0].questions[1], "Pakket, kwijt");
    cr_assert_eq(kb.articles[0].n_tags, 2);
    cr_assert_str_eq(kb.articles[0].tags[1], "pakket");
    cr_assert_null(kb.articles[0].url);
    cr_assert_eq(kb.articles[1].n_tags, 0);
    lk_kb_free(&kb);
}

/* The refusal's message err holds want1 and, unless it is NULL, want2. */
static void assert_message_holds(const char *err, const char *want1, const char *want2)
{
    cr_assert(strstr(err, want1), "message \"%s\" should hold \"%s\"", err, want1);
    if (want2)
        cr_assert(strstr(err, want2), "message \"%s\" should hold \"%s\"", err, want2);
}

/* Parses csv, expects failure, and checks that the message holds want1 and
 * want2. */
static void csv_fails(const char *csv, const char *want1, const char *want2)
{
    lk_kb_t kb;
    char err[512];
    cr_assert_neq(lk_kb_parse_csv(csv, strlen(csv), &kb, err, sizeof err), 0, "should fail: %s", csv);
    cr_assert_eq(kb.n_articles, 0, "nothing is kept");
    assert_message_holds(err, want1, want2);
}

/* The header of the required columns, before the rows under test. */
#define CSV_HEAD "id,language,title,question,answer\n"

Test(kbm_formats, csv_refuses_bad_files_with_a_clear_message)
{
    csv_fails("", "header", NULL);
    csv_fails("id,language,title,answer\nx,nl,T,A\n", "question", "header");
    csv_fails("id,language,title,question,answer,colour\n", "unknown column", "colour");
    csv_fails("id,id,language,title,question,answer\n", "twice", NULL);
    csv_fails(CSV_HEAD "x,nl,T,Q\n", "row 2", "fields");
    csv_fails(CSV_HEAD "x,nl,T,\"open,A\n", "row 2", "not closed");
    csv_fails(CSV_HEAD "x,nl,T,Q\"q,A\n", "row 2", "quote");
    csv_fails(CSV_HEAD "x,nl,T,Q1,A\nx,nl,Other,Q2,A\n", "row 3", "\"title\"");
    csv_fails("id,language,title,question,answer,tags\nx,nl,T,Q1,A,a\nx,nl,T,Q2,A,b\n", "row 3", "\"tags\"");
    csv_fails(CSV_HEAD "x,nl,T,Q1,A\ny,xx-YY,T,Q,A\n", "row 3", "\"language\"");
    csv_fails(CSV_HEAD "x,nl,T, ,A\n", "row 2", "\"questions\"");
    csv_fails(CSV_HEAD "bad id,nl,T,Q,A\n", "row 2", "\"id\"");
    csv_fails("id,language,title,question,answer,url\nx,nl,T,Q,A,ftp://x\n", "row 2", "\"url\"");
    csv_fails(CSV_HEAD "x,nl,T,Q,\xC3\n", "UTF-8", NULL);
}

Test(kbm_formats, markdown_round_trips_with_metadata)
{
    lk_kb_t kb;
    tricky_kb(&kb);
    for (size_t i = 0; i < kb.n_articles; i++) {
        char *md = lk_kb_article_to_md(&kb.articles[i]);
        cr_assert_not_null(md);
        cr_assert(strncmp(md, "---\n", 4) == 0);
        lk_article_t back;
        char err[512];
        cr_assert_eq(lk_kb_parse_md(md, strlen(md), "x.md", &back, err, sizeof err), 0, "%s\n%s", err, md);
        lk_kb_t one = {&kb.articles[i], 1}, got = {&back, 1};
        assert_same_kb(&one, &got, true);
        char *again = lk_kb_article_to_md(&back);
        cr_assert_str_eq(again, md);
        free(again);
        lk_article_free(&back);
        free(md);
    }
    char *md = lk_kb_article_to_md(&kb.articles[0]);
    cr_assert(strstr(md, "review_by: 2026-06-30\n"), "a date alone: %s", md);
    cr_assert(strstr(md, "translation_group: \"betalen\"\n"));
    cr_assert(strstr(md, "owner: \"u_owner\"\n"));
    free(md);
    md = lk_kb_article_to_md(&kb.articles[1]);
    cr_assert(strstr(md, "review_by: 2026-06-30T09:02:03.456Z\n"), "a time when not midnight: %s", md);
    cr_assert_null(strstr(md, "owner:"), "absent fields are left out");
    free(md);
    lk_kb_free(&kb);
}

Test(kbm_formats, markdown_reads_hand_written_front_matter)
{
    const char *md = "---\n"
                     "# a comment\n"
                     "id: retour\n"
                     "language: nl\n"
                     "title: Retourneren: zo werkt het\n"
                     "tags: [retour, 'geld terug', \"a,b\"]\n"
                     "review_by: 2026-01-31\n"
                     "questions:\n"
                     "  - Hoe kan ik iets retourneren?\n"
                     "  - 'Ik wil het ''terug'' sturen'\n"
                     "\n"
                     "  - \"Retour \\\"aanmelden\\\"\"\n"
                     "---\n"
                     "Binnen **30 dagen**.\n";
    lk_article_t a;
    char err[512];
    cr_assert_eq(lk_kb_parse_md(md, strlen(md), "retour.md", &a, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq(a.title, "Retourneren: zo werkt het");
    cr_assert_eq(a.n_tags, 3);
    cr_assert_str_eq(a.tags[1], "geld terug");
    cr_assert_str_eq(a.tags[2], "a,b");
    cr_assert_eq(a.n_questions, 3);
    cr_assert_str_eq(a.questions[1], "Ik wil het 'terug' sturen");
    cr_assert_str_eq(a.questions[2], "Retour \"aanmelden\"");
    cr_assert_str_eq(a.answer, "Binnen **30 dagen**.");
    cr_assert_eq(a.review_by, 1769817600000);
    cr_assert_null(a.url);
    lk_article_free(&a);

    const char *crlf =
        "---\r\nid: x\r\nlanguage: en\r\ntitle: X\r\nquestions:\r\n  - one\r\n---\r\nLine one\r\nLine two\r\n";
    cr_assert_eq(lk_kb_parse_md(crlf, strlen(crlf), "x.md", &a, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq(a.questions[0], "one", "CR LF line ends");
    cr_assert_str_eq(a.answer, "Line one\r\nLine two", "the body's last line end is not part of the answer");
    lk_article_free(&a);

    const char *flow = "---\nid: x\nlanguage: en\ntitle: X\nquestions: [\"one\", two]\n---\nAnswer";
    cr_assert_eq(lk_kb_parse_md(flow, strlen(flow), "x.md", &a, err, sizeof err), 0, "%s", err);
    cr_assert_eq(a.n_questions, 2);
    cr_assert_str_eq(a.questions[1], "two");
    cr_assert_str_eq(a.answer, "Answer");
    lk_article_free(&a);
}

/* Parses md as the file f.md, expects failure, and checks that the message
 * names the file and holds want1 and want2. */
static void md_fails(const char *md, const char *want1, const char *want2)
{
    lk_article_t a;
    char err[512];
    cr_assert_neq(lk_kb_parse_md(md, strlen(md), "f.md", &a, err, sizeof err), 0, "should fail: %s", md);
    cr_assert(strstr(err, "f.md"), "the message names the file: %s", err);
    assert_message_holds(err, want1, want2);
}

Test(kbm_formats, markdown_refuses_bad_files_with_a_clear_message)
{
    md_fails("id: x\n", "front matter", NULL);
    md_fails("---\nid: x\nlanguage: nl\n", "not closed", NULL);
    md_fails("---\nid: x\nlanguage: nl\ncolour: red\n---\nA", "line 4", "unknown key \"colour\"");
    md_fails("---\nid: x\nid: y\n---\nA", "line 3", "twice");
    md_fails("---\nid: x\nlanguage: nl\ntitle: T\n---\nA", "\"questions\"", NULL);
    md_fails("---\nid: x\nlanguage: nl\ntitle: T\nquestions:\n  - q\n---\n", "\"answer\"", NULL);
    md_fails("---\nid: x\nlanguage: nl\ntitle: \"open\nquestions: [q]\n---\nA", "line 4", "not closed");
    md_fails("---\nid: x\nlanguage: nl\ntitle: T\nreview_by: soon\nquestions: [q]\n---\nA", "line 5", "review_by");
    md_fails("---\nid: x\nlanguage: nl\ntitle: T\nquestions: [q\n---\nA", "line 5", "']'");
    md_fails("---\nid: x\nlanguage: nl\ntitle: T\n  - stray\n---\nA", "line 5", "indented");
    md_fails("---\nid: x\nlanguage: nl\ntitle: T\nowner: not a user\nquestions: [q]\n---\nA", "line 5", "owner");
}

/* Found by fuzz/fuzz_kb_csv.c and fuzz_kb_md.c: a message that quotes a
 * column or key name stays one line without control characters, whatever
 * the name holds (a terminal escape, a line break). */
Test(kbm_formats, messages_quoting_input_stay_one_line)
{
    lk_kb_t kb;
    lk_article_t a;
    char err[512];
    const char *csv = "id,language,title,question,answer,\"\x1b[2J\nco\x7flumn\"\n";
    cr_assert_eq(lk_kb_parse_csv(csv, strlen(csv), &kb, err, sizeof err), LK_EINVAL);
    cr_assert(strstr(err, "unknown column \"?[2J?co?lumn\""), "%s", err);
    const char *md = "---\nid: x\n\x1b[31mkey: v\n---\nA";
    cr_assert_eq(lk_kb_parse_md(md, strlen(md), "a\nb.md", &a, err, sizeof err), LK_EINVAL);
    cr_assert(strstr(err, "a?b.md, line 3") && strstr(err, "\"?[31mkey\""), "%s", err);
    for (const char *p = err; *p; p++)
        cr_assert((unsigned char)*p >= 0x20 && *p != 0x7f, "%s", err);
}

Test(kbm_formats, files_and_folders_round_trip_in_every_format)
{
    char tmp[] = "/tmp/loket-kbm-io-XXXXXX";
    cr_assert_not_null(mkdtemp(tmp));
    lk_kb_t demo;
    cr_assert_eq(lk_kb_demo(&demo), 0);
    static const lk_kb_format_t formats[] = {LK_KB_FORMAT_JSON, LK_KB_FORMAT_CSV, LK_KB_FORMAT_MARKDOWN};
    static const char *const names[] = {"kb.json", "kb.csv", "kbdir"};
    for (size_t f = 0; f < 3; f++) {
        char path[256], err[512];
        snprintf(path, sizeof path, "%s/%s", tmp, names[f]);
        cr_assert_eq(lk_kb_write_path(&demo, formats[f], path, err, sizeof err), 0, "%s", err);
        lk_kb_t back;
        cr_assert_eq(lk_kb_read_path(path, formats[f], &back, err, sizeof err), 0, "%s: %s", names[f], err);
        if (formats[f] == LK_KB_FORMAT_MARKDOWN) {
            /* the folder is read in file-name order */
            cr_assert_eq(back.n_articles, demo.n_articles);
            for (size_t i = 0; i < demo.n_articles; i++) {
                long k = lk_kb_find(&back, demo.articles[i].id);
                cr_assert_geq(k, 0, "%s", demo.articles[i].id);
                lk_kb_t one = {&demo.articles[i], 1}, got = {&back.articles[k], 1};
                assert_same_kb(&one, &got, true);
            }
            char file[300];
            snprintf(file, sizeof file, "%s/retourneren.md", path);
            cr_assert_eq(access(file, R_OK), 0, "one <id>.md file per article");
        } else {
            assert_same_kb(&demo, &back, false);
        }
        lk_kb_free(&back);
    }

    /* a Markdown file whose name is not its id is refused, naming it */
    char path[300], err[512];
    snprintf(path, sizeof path, "%s/kbdir/anders.md", tmp);
    FILE *fp = fopen(path, "w");
    cr_assert_not_null(fp);
    fputs("---\nid: iets\nlanguage: nl\ntitle: T\nquestions: [q]\n---\nA\n", fp);
    fclose(fp);
    snprintf(path, sizeof path, "%s/kbdir", tmp);
    lk_kb_t back;
    cr_assert_eq(lk_kb_read_path(path, LK_KB_FORMAT_MARKDOWN, &back, err, sizeof err), LK_EINVAL);
    cr_assert(strstr(err, "anders.md") && strstr(err, "iets.md"), "%s", err);
    cr_assert_eq(back.n_articles, 0);

    /* a file given for the folder format, and a missing file */
    snprintf(path, sizeof path, "%s/kb.json", tmp);
    cr_assert_eq(lk_kb_read_path(path, LK_KB_FORMAT_MARKDOWN, &back, err, sizeof err), LK_EINVAL);
    cr_assert(strstr(err, "not a folder"), "%s", err);
    snprintf(path, sizeof path, "%s/missing.csv", tmp);
    cr_assert_eq(lk_kb_read_path(path, LK_KB_FORMAT_CSV, &back, err, sizeof err), LK_EIO);
    cr_assert(strstr(err, "missing.csv"), "%s", err);

    lk_kb_format_t fmt;
    cr_assert_eq(lk_kb_format_parse("md", &fmt), 0);
    cr_assert_eq(fmt, LK_KB_FORMAT_MARKDOWN);
    cr_assert_eq(lk_kb_format_parse("xml", &fmt), LK_EINVAL);
    lk_kb_free(&demo);
    test_rm_tree(tmp);
}

Test(kbm_formats, the_demo_links_its_translations)
{
    lk_kb_t kb;
    cr_assert_eq(lk_kb_demo(&kb), 0);
    long nl = lk_kb_find(&kb, "retourneren"), en = lk_kb_find(&kb, "retourneren-en");
    cr_assert(nl >= 0 && en >= 0);
    cr_assert_str_eq(kb.articles[nl].translation_group, "retourneren");
    cr_assert_str_eq(kb.articles[en].translation_group, "retourneren");
    long alone = lk_kb_find(&kb, "showroom");
    cr_assert_geq(alone, 0);
    cr_assert_null(kb.articles[alone].translation_group, "an article without a translation has no group");
    lk_kb_free(&kb);
}
