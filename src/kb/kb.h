/*
 * kb: knowledge-base articles in memory, their validation, and the KB JSON
 * format of CONTRACT.md (import and export). Also the built-in demo knowledge
 * base of a fictional Dutch web shop, compiled into the program.
 *
 * A knowledge base is a plain array of articles; every string is owned by the
 * article that holds it and freed by lk_kb_free().
 *
 * Knowledge management's rules live here too, pure (no I/O, no clock): the
 * ids of new articles and the checks of drafts (draft.c), and the candidate
 * knowledge base and regression check of publishing (publish.c).
 */
#ifndef LK_KB_H
#define LK_KB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits that validation enforces (and documents in docs/kb.md). */
#define LK_KB_ID_MAX 128         /* bytes; [A-Za-z0-9._-] only */
#define LK_KB_TITLE_MAX 300      /* bytes */
#define LK_KB_QUESTION_MAX 1000  /* bytes, each */
#define LK_KB_QUESTIONS_MAX 500  /* example questions per article */
#define LK_KB_ANSWER_MAX 20000   /* bytes */
#define LK_KB_URL_MAX 2000       /* bytes; http:// or https:// */
#define LK_KB_TAGS_MAX 50        /* tags per article */
#define LK_KB_TAG_MAX 100        /* bytes, each */
#define LK_KB_ARTICLES_MAX 20000 /* articles per file */

typedef struct {
    char *id;
    char *language; /* BCP 47 primary tag: 2 or 3 lowercase letters */
    char *title;
    char **questions;
    size_t n_questions;
    char *answer;
    char *url; /* NULL when absent */
    char **tags;
    size_t n_tags;
    /* Knowledge management (docs/kb.md): optional, not part of KB JSON or
     * CSV; the Markdown folder format carries them. NULL / 0 when absent. */
    char *owner;             /* a user id */
    int64_t review_by;       /* ms since the epoch */
    char *translation_group; /* links the language versions of one article */
} lk_article_t;

typedef struct {
    lk_article_t *articles;
    size_t n_articles;
} lk_kb_t;

/* ---- life cycle -------------------------------------------------------- */

void lk_kb_init(lk_kb_t *kb);
/* Frees every article and leaves kb empty; kb may be NULL. */
void lk_kb_free(lk_kb_t *kb);
void lk_article_free(lk_article_t *a); /* frees the strings, not a itself */
/* Deep copy of src into dst (dst's old contents are not freed). */
void lk_article_copy(lk_article_t *dst, const lk_article_t *src);
/* Appends a deep copy of a. */
void lk_kb_add(lk_kb_t *kb, const lk_article_t *a);
/* Index of the article with this id, or -1. */
long lk_kb_find(const lk_kb_t *kb, const char *id);

/* ---- KB JSON ----------------------------------------------------------- */

/* Parses and validates a whole KB JSON document. On success fills out (which
 * the caller frees with lk_kb_free) and returns 0. On failure returns LK_EJSON
 * or LK_EINVAL, leaves out empty, and writes a one-line message to err that
 * names the article (by id, or by index when it has no usable id) and the
 * field, e.g. `article "return" (#3): field "questions" must be a non-empty
 * array of strings`. Duplicate ids within one file are an error. */
int lk_kb_parse(const char *json, size_t len, lk_kb_t *out /* OUT */, char *err, size_t errsize);

/* Validates one article as lk_kb_parse() would; 0 or LK_EINVAL with err. */
int lk_article_validate(const lk_article_t *a, char *err, size_t errsize);

/* Serialises kb as KB JSON (pretty-printed, articles in the given order,
 * UTF-8). The caller frees the result with free(). Returns NULL only when an
 * article has a NULL required field or invalid UTF-8, which validation rules
 * out; a failed allocation aborts as everywhere. */
char *lk_kb_to_json(const lk_kb_t *kb);

/* ---- Markdown answers (markdown.c) ------------------------------------- */

/* Answers are CommonMark. lk_md_to_html renders md (len bytes of UTF-8) with
 * cmark in its safe mode: raw HTML is left out and links or images whose
 * URL is not http(s), mailto, tel or relative (javascript:, data:, ...) get
 * an empty one, so the result may be put into a page as HTML. lk_md_to_text
 * turns it into plain text for the customer's chat: paragraphs separated by
 * a blank line, list items as "- item" (or "1. item"), links as
 * "text (url)" (only the text when the URL is not http(s), mailto or tel,
 * only the URL when both are the same), emphasis and raw HTML dropped, code
 * kept as its text (cut off at four times the answer's length plus 4 KiB,
 * which only freak answers reach, e.g. reference links repeating a long
 * URL). Both return
 * a NUL-terminated string the caller frees (never NULL). */
char *lk_md_to_html(const char *md, size_t len);
char *lk_md_to_text(const char *md, size_t len);
/* Replaces every article's answer by lk_md_to_text of it (how the bot
 * quotes answers). */
void lk_kb_answers_to_text(lk_kb_t *kb);

/* ---- CSV (kb_csv.c) ---------------------------------------------------- */

/* One row per example question, RFC 4180 (comma, CRLF, fields quoted when
 * they hold a comma, quote, CR or LF), with a header row:
 *     id,language,title,question,answer,url,tags
 * An article's rows are consecutive and repeat its fields; tags are joined
 * with "|" (a tag holding "|" cannot be written: lk_kb_to_csv returns NULL).
 * The caller frees the result. */
char *lk_kb_to_csv(const lk_kb_t *kb);
/* Parses CSV as written above (the header row is required, its columns in
 * any order; url and tags may be left out; a UTF-8 BOM is skipped; LF or
 * CRLF). Rows with the same id make one article; their language, title,
 * answer, url and tags must agree. Validated as lk_kb_parse does, all or
 * nothing, with a message naming the row, the article and the field. 0,
 * LK_EINVAL. */
int lk_kb_parse_csv(const char *csv, size_t len, lk_kb_t *out /* OUT */, char *err, size_t errsize);

/* ---- Markdown files with front matter (kb_md.c) ------------------------ */

/* One article as a Markdown file: a front matter block between two "---"
 * lines, then the answer as the body:
 *     ---
 *     id: retourneren
 *     language: nl
 *     title: "Retourneren"
 *     url: https://example.com/retour
 *     tags: [retour, "geld terug"]
 *     owner: u_abc
 *     review_by: 2026-06-30
 *     translation_group: retourneren
 *     questions:
 *       - "Hoe kan ik iets retourneren?"
 *     ---
 *     Je kunt een artikel binnen **30 dagen** ...
 * Strings are written as JSON strings (double quotes, escapes), which the
 * parser also reads; plain unquoted values are read as written (trimmed).
 * The caller frees the result. */
char *lk_kb_article_to_md(const lk_article_t *a);
/* Parses one such file into out (the caller frees it with
 * lk_article_free) and validates it. name is used in messages (e.g. the
 * file name). 0 or LK_EINVAL with err. */
int lk_kb_parse_md(const char *text, size_t len, const char *name, lk_article_t *out /* OUT */, char *err,
                   size_t errsize);

/* ---- files and folders (kb_io.c) --------------------------------------- */

typedef enum { LK_KB_FORMAT_JSON, LK_KB_FORMAT_CSV, LK_KB_FORMAT_MARKDOWN } lk_kb_format_t;

/* "json", "csv" or "markdown" (also "md"). 0 or LK_EINVAL. */
int lk_kb_format_parse(const char *name, lk_kb_format_t *out /* OUT */);
/* Reads a knowledge base: a JSON or CSV file ("-" is standard input), or a
 * folder of <id>.md files (other files are ignored; the file name must be
 * the article's id). All or nothing, validated, duplicate ids refused.
 * 0; LK_EIO when it cannot be read (errno kept); LK_EJSON / LK_EINVAL with
 * err naming the file, article and field. */
int lk_kb_read_path(const char *path, lk_kb_format_t format, lk_kb_t *out /* OUT */, char *err, size_t errsize);
/* The whole file path ("-" is standard input) as lk_kb_read_path reads
 * it, NUL-terminated, *len bytes (free with free()); NULL with errno set
 * (EFBIG past max bytes, EIO for a read error, else fopen's). */
char *lk_kb_read_file(const char *path, size_t max, size_t *len /* OUT */);
/* Writes kb: JSON or CSV to the file path (NULL: standard output), or one
 * <id>.md file per article into the folder path (created when missing;
 * existing files of the same names are replaced, others left alone).
 * 0, LK_EINVAL (an article that cannot be written), LK_EIO (errno kept),
 * with err. */
int lk_kb_write_path(const lk_kb_t *kb, lk_kb_format_t format, const char *path, char *err, size_t errsize);

/* ---- drafts (draft.c) ---------------------------------------------------- */

/* Docs/kb.md, "Drafts". Pure: whether an id is taken is asked through
 * lk_kb_taken_fn, so that these functions never read the store. */

#define LK_KB_SLUG_MAX 60   /* bytes of an id made from a title */
#define LK_KB_NEW_ID_MAX 64 /* bytes of an id given for a new article */

/* 1..max bytes of [A-Za-z0-9._-] (an article id with max LK_KB_ID_MAX). */
bool lk_kb_token_valid(const char *s, size_t max);
/* Whether s[0..len) is a language tag as an article carries it: 2 or 3
 * lowercase letters ("nl", "en"). */
bool lk_kb_language_valid(const char *s, size_t len);
/* An id a user may give a new article: 1..LK_KB_NEW_ID_MAX of [a-z0-9_-]. */
bool lk_kb_new_id_valid(const char *s);
/* An id from text into out (size bytes): lower-case ASCII letters, digits
 * and '_', every other run one '-', accents dropped, at most
 * LK_KB_SLUG_MAX bytes, no '-' at the end; "artikel" when nothing is left. */
void lk_kb_slugify(const char *text, char *out, size_t size);

/* 1 when an article with id exists, 0 when not, or a negative error. */
typedef int (*lk_kb_taken_fn)(void *ud, const char *id);

/* What decides the id a draft publishes under. Strings are borrowed;
 * NULL or "" = none. */
typedef struct {
    const char *article_id;        /* a change to this article; else a new one */
    const char *new_id;            /* the id the author gave a new article */
    const char *translation_group; /* a translation of this group */
    const char *language;
    const char *title;
} lk_kb_draft_id_t;

/* The id of a new article from d: its new_id; else one made from the
 * translation group and language (as the demo names translations:
 * "retourneren-en"); else from the title; with "-2", "-3", ... while taken.
 * 0, LK_EEXIST (999 taken), or the callback's error. */
int lk_kb_choose_id(const lk_kb_draft_id_t *d, lk_kb_taken_fn taken, void *ud, char *out /* OUT */, size_t size);
/* Where publishing d goes: for a new article (*create true) the id of
 * lk_kb_choose_id (LK_EEXIST when none is free), LK_ESTATE when the
 * author's new_id was taken since; for a change its article_id, LK_ENOENT
 * when that article is gone. 0, those, or the callback's error. */
int lk_kb_publish_target(const lk_kb_draft_id_t *d, lk_kb_taken_fn taken, void *ud, char *id /* OUT */, size_t size,
                         bool *create /* OUT */);
/* Checks a draft's content a (its id is not checked: a draft may have none
 * yet) as lk_article_validate would; a draft being written may lack its
 * answer (complete false), one to publish may not. 0, or LK_EINVAL with err
 * naming the field ("field \"title\" must not be empty"). */
int lk_kb_draft_check(const lk_article_t *a, bool complete, char *err, size_t errsize);
/* The translation group of a: its translation_group, else its own id (the
 * first language version of a group is its key). */
const char *lk_kb_article_group(const lk_article_t *a);
/* Whether every word of folded_query (lk_text_search_fold) occurs in a's
 * id, title, answer, questions or tags. */
bool lk_kb_article_matches(const lk_article_t *a, const char *folded_query);
/* A draft keeps its questions and tags as a JSON array of strings (text).
 * lk_kb_strv_parse reads one into *v (heap strings, non-strings as ""; the
 * caller frees each and v); false when text is not an array. */
bool lk_kb_strv_parse(const char *text, char ***v /* OUT */, size_t *n /* OUT */);
/* The compact JSON array text of v (strings that are not UTF-8 are left
 * out); the caller frees it. */
char *lk_kb_strv_to_json(char *const *v, size_t n);

/* ---- publishing (publish.c) ------------------------------------------------ */

/* Puts a deep copy of a into kb: replaces the article of the same id, or
 * inserts it where id order puts it (as the store loads a knowledge base,
 * so that a model built on the result is the one the bot will build). */
void lk_kb_put(lk_kb_t *kb, const lk_article_t *a);

#define LK_KB_VERDICT_CHOICES 3 /* as many as the bot offers at most */

/* What a bot does with one question. article: the best article's id (NULL
 * when none), borrowed from the knowledge base judged. Not answered, the bot
 * may offer a choice of articles instead of declining: choices[0..
 * n_choices-1] (ids in the bot's order, borrowed; n_choices 0 or 2..3). */
typedef struct {
    bool answer;
    const char *article;
    double confidence;
    size_t n_choices;
    const char *choices[LK_KB_VERDICT_CHOICES];
} lk_kb_verdict_t;

/* Judges text (in language) with the current bot (candidate false) or the
 * bot of the candidate knowledge base (true). */
typedef lk_kb_verdict_t (*lk_kb_judge_fn)(void *ud, bool candidate, const char *text, const char *language);

/* A question whose verdict differs. Strings borrowed from the knowledge
 * bases. */
typedef struct {
    const char *question;
    const char *language;
    lk_kb_verdict_t from, to;
} lk_kb_change_t;

typedef struct {
    size_t checked;          /* distinct example questions (language and text) */
    size_t total;            /* of those, judged differently */
    size_t moved;            /* answered before and after, by another article */
    size_t declined;         /* answered (or offered choices) before, declined after */
    size_t answered;         /* declined (or offered choices) before, answered after */
    size_t offered;          /* answered or declined before (or other choices), offered choices after */
    lk_kb_change_t *changes; /* the first n_changes (at most max_changes) */
    size_t n_changes, cap;
} lk_kb_regression_t;

/* The regression check: judges every example question of candidate and
 * of current (each once, the candidate's first) before and after; two
 * verdicts are the same when both decline, both answer with the same
 * article, or both offer the same choices in the same order. out borrows
 * from both knowledge bases; free it with lk_kb_regression_free. */
void lk_kb_regression(const lk_kb_t *current, const lk_kb_t *candidate, lk_kb_judge_fn judge, void *ud,
                      size_t max_changes, lk_kb_regression_t *out /* OUT */);
void lk_kb_regression_free(lk_kb_regression_t *r); /* r may be NULL */

/* ---- labelled questions (labelled.c) ------------------------------------ */

/* A company's own question whose right answer is known (docs/quality.md):
 * it joins the calibration of the answering threshold, never the training. */
#define LK_KB_OOS "oos"          /* the label of a question the knowledge base must not answer */
#define LK_KB_LABELLED_MAX 50000 /* labelled questions per file or request */
typedef struct {
    char *text;                   /* as given (the caller redacts it before storing) */
    char label[LK_KB_ID_MAX + 1]; /* the article that answers it; "" = out of scope */
    char language[8];             /* as given, else the article's; "" for an out-of-scope one without */
    size_t line;                  /* its line in a JSON-lines file (1 for the first); 0 in an API body */
} lk_kb_labelled_t;

/* Frees v[0..n) and v; v may be NULL. */
void lk_kb_labelled_free(lk_kb_labelled_t *v, size_t n);
/* Reads JSON lines, one {"text", "label": ARTICLE_ID | "oos", "language"
 * (optional)} a line (empty lines skipped; `loket eval --labelled`'s
 * format), each label checked against kb (NULL: only its form). All or
 * nothing: on the first bad line LK_EINVAL with err naming it ("line 3:
 * \"label\" \"x\" is no article of the knowledge base"), and nothing in *out.
 * A file without any question is an error too. *out: free with
 * lk_kb_labelled_free. */
int lk_kb_labelled_parse_lines(const char *s, size_t len, const lk_kb_t *kb, lk_kb_labelled_t **out /* OUT */,
                               size_t *n /* OUT */, char *err, size_t errsize);
/* The same for the API's body: one such object, or {"questions": [objects]}
 * (err names "questions[2]"). */
int lk_kb_labelled_parse_json(const char *s, size_t len, const lk_kb_t *kb, lk_kb_labelled_t **out /* OUT */,
                              size_t *n /* OUT */, char *err, size_t errsize);

/* ---- the built-in demo ------------------------------------------------- */

/* Parses the built-in demo knowledge base into out. 0, or an error when the
 * embedded file is broken (a test guards against that). */
int lk_kb_demo(lk_kb_t *out /* OUT */);
/* The opening hours the demo knowledge base names (in its article
 * LK_KB_DEMO_HOURS_ARTICLE), in the form of the policy option
 * business_hours. A server whose published article of that id still has the
 * demo's text, and whose business_hours is not set, uses these hours, so
 * that what the bot says about opening hours and what the hand-off says
 * agree (docs/policy.md). A unit test keeps the two in step. */
#define LK_KB_DEMO_HOURS "mon-fri 08:30-18:00, sat 10:00-16:00"
#define LK_KB_DEMO_HOURS_ARTICLE "contact"

#endif
