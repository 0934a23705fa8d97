/*
 * The SQLite side of the knowledge manager's insights (docs/gaps.md): the
 * meta table's settings (the answering threshold recalibration chooses), the
 * customer questions the gap report clusters (messages whose recorded
 * outcome is "declined" or "handoff"), and people's reviews of bot answers
 * (table answer_reviews: one per message, a second one replaces the first).
 */
#include "store/sqlite/sqlite_int.h"

#include "util/util.h"

#include <stdlib.h>
#include <string.h>


/* to 0 means "no end" */
static int64_t end_of(int64_t to)
{
    return to > 0 ? to : INT64_MAX;
}

/* ---- meta ------------------------------------------------------------------ */

static const char sql_meta_get[] = "SELECT value FROM meta WHERE key = ?1";

static int sq_meta_get(lk_store_t *st, const char *key, char **value)
{
    if (!st || !key || !value)
        return LK_EINVAL;
    *value = NULL;
    sqlite3_stmt *s = lk_sq_prepare_bind(st, sql_meta_get, "meta_get", "t", key);
    int r = lk_sq_find(st, s, "meta_get");
    if (r)
        return r;
    *value = lk_sq_col_dup(s, 0);
    lk_sq_done(s);
    if (!*value)
        *value = lk_xstrdup("");
    return 0;
}

static const char sql_meta_set[] = "INSERT INTO meta (key, value) VALUES (?1, ?2) "
                                   "ON CONFLICT (key) DO UPDATE SET value = excluded.value";

static int sq_meta_set(lk_store_t *st, const char *key, const char *value)
{
    if (!st || !key || !key[0] || !value)
        return LK_EINVAL;
    return lk_sq_exec(st, lk_sq_prepare_bind(st, sql_meta_set, "meta_set", "tt", key, value), "meta_set");
}

/* ---- the gap report's questions ---------------------------------------------- */

/* Through the index messages_outcome (outcome, created_at). */
static const char sql_gap_messages[] =
    "SELECT m.id, m.conversation_id, m.text, m.outcome, c.language, m.created_at "
    "FROM messages m JOIN conversations c ON c.id = m.conversation_id "
    "WHERE m.outcome IN ('declined', 'handoff') AND m.sender = 'customer' "
    "AND m.created_at >= ?1 AND m.created_at < ?2 AND (?3 IS NULL OR c.language = ?3) "
    "ORDER BY m.created_at DESC, m.id DESC LIMIT ?4";

static int read_gap_msg(sqlite3_stmt *s, void *row)
{
    lk_gap_msg_t *g = row;
    lk_sq_col_fixed(s, 0, g->id, sizeof g->id);
    lk_sq_col_fixed(s, 1, g->conversation_id, sizeof g->conversation_id);
    g->text = lk_sq_col_dup(s, 2);
    if (!g->text)
        g->text = lk_xstrdup("");
    lk_outcome_parse(lk_sq_col_text(s, 3), &g->outcome);
    lk_sq_col_fixed(s, 4, g->language, sizeof g->language);
    g->created_at = sqlite3_column_int64(s, 5);
    return 0;
}

static int sq_gap_messages(lk_store_t *st, int64_t from, int64_t to, const char *language, size_t limit,
                          lk_gap_msg_t **out, size_t *n)
{
    if (!st || !out || !n)
        return LK_EINVAL;
    sqlite3_stmt *s = lk_sq_prepare_bind(st, sql_gap_messages, "gap_messages", "iitl", from, end_of(to),
                                         language && language[0] ? language : NULL, limit);
    return lk_sq_rows(st, s, "gap_messages", LK_SQ_ROW_GAP_MSG, read_gap_msg, out, n);
}

/* ---- answer reviews ------------------------------------------------------------ */

#define REVIEW_COLS                                                                                                    \
    "message_id, conversation_id, article_id, confidence, verdict, correct_article_id, reviewer_id, created_at"

/* Reads columns 0 to 3 of a review's or a pending review's row: the answer's
 * message, conversation, article and confidence (the arrays as in store.h). */
static void read_answer_cols(sqlite3_stmt *s, char message_id[LK_ID_MAX], char conversation_id[LK_ID_MAX],
                             char article_id[LK_KB_ID_MAX + 1], double *confidence, bool *has_confidence)
{
    lk_sq_col_fixed(s, 0, message_id, LK_ID_MAX);
    lk_sq_col_fixed(s, 1, conversation_id, LK_ID_MAX);
    lk_sq_col_fixed(s, 2, article_id, LK_KB_ID_MAX + 1);
    *confidence = lk_sq_col_opt_double(s, 3, has_confidence);
}

static int read_review(sqlite3_stmt *s, void *row)
{
    lk_review_t *r = row;
    read_answer_cols(s, r->message_id, r->conversation_id, r->article_id, &r->confidence, &r->has_confidence);
    lk_verdict_parse(lk_sq_col_text(s, 4), &r->verdict);
    lk_sq_col_fixed(s, 5, r->correct_article_id, sizeof r->correct_article_id);
    lk_sq_col_fixed(s, 6, r->reviewer_id, sizeof r->reviewer_id);
    r->created_at = sqlite3_column_int64(s, 7);
    return 0;
}

static int read_reviews(lk_store_t *st, sqlite3_stmt *s, const char *what, lk_review_t **out, size_t *n)
{
    return lk_sq_rows(st, s, what, LK_SQ_ROW_REVIEW, read_review, out, n);
}

static const char sql_review_set[] =
    "INSERT INTO answer_reviews (" REVIEW_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
    "ON CONFLICT (message_id) DO UPDATE SET conversation_id = excluded.conversation_id, "
    "article_id = excluded.article_id, confidence = excluded.confidence, verdict = excluded.verdict, "
    "correct_article_id = excluded.correct_article_id, reviewer_id = excluded.reviewer_id, "
    "created_at = excluded.created_at";

static int sq_review_set(lk_store_t *st, const lk_review_t *r)
{
    if (!st || !r || !lk_sq_fixed_ok(r->message_id, sizeof r->message_id) || !r->message_id[0] ||
        !lk_sq_fixed_ok(r->conversation_id, sizeof r->conversation_id) || !r->conversation_id[0] ||
        !lk_sq_fixed_ok(r->article_id, sizeof r->article_id) || !lk_verdict_name(r->verdict)[0] ||
        !lk_sq_fixed_ok(r->correct_article_id, sizeof r->correct_article_id) ||
        !lk_sq_fixed_ok(r->reviewer_id, sizeof r->reviewer_id))
        return LK_EINVAL;
    sqlite3_stmt *s =
        lk_sq_prepare_bind(st, sql_review_set, "review_set", "ttf", r->message_id, r->conversation_id, r->article_id);
    if (!s)
        return LK_EDB;
    lk_sq_bind_opt_double(s, 4, r->has_confidence, r->confidence);
    lk_sq_bind_text(s, 5, lk_verdict_name(r->verdict));
    lk_sq_bind_fixed(s, 6, r->correct_article_id);
    lk_sq_bind_fixed(s, 7, r->reviewer_id);
    sqlite3_bind_int64(s, 8, r->created_at);
    return lk_sq_exec(st, s, "review_set");
}

static const char sql_review_list_conv[] =
    "SELECT " REVIEW_COLS " FROM answer_reviews WHERE conversation_id = ?1 ORDER BY created_at, message_id";

static int sq_review_list_conv(lk_store_t *st, const char *conversation_id, lk_review_t **out, size_t *n)
{
    if (!st || !conversation_id || !out || !n)
        return LK_EINVAL;
    sqlite3_stmt *s = lk_sq_prepare_bind(st, sql_review_list_conv, "review_list_conv", "t", conversation_id);
    return read_reviews(st, s, "review_list_conv", out, n);
}

static const char sql_review_list[] = "SELECT " REVIEW_COLS " FROM answer_reviews "
                                      "WHERE created_at >= ?1 AND created_at < ?2 "
                                      "ORDER BY created_at DESC, message_id DESC LIMIT ?3";

static int sq_review_list(lk_store_t *st, int64_t from, int64_t to, size_t limit, lk_review_t **out, size_t *n)
{
    if (!st || !out || !n)
        return LK_EINVAL;
    sqlite3_stmt *s = lk_sq_prepare_bind(st, sql_review_list, "review_list", "iil", from, end_of(to), limit);
    return read_reviews(st, s, "review_list", out, n);
}

static const char sql_review_counts[] =
    "SELECT article_id, COUNT(*), SUM(CASE WHEN verdict = 'right' THEN 1 ELSE 0 END) FROM answer_reviews "
    "WHERE created_at >= ?1 AND created_at < ?2 GROUP BY article_id ORDER BY article_id";

static int read_review_count(sqlite3_stmt *s, void *row)
{
    lk_review_count_t *c = row;
    lk_sq_col_fixed(s, 0, c->article_id, sizeof c->article_id);
    c->reviewed = sqlite3_column_int64(s, 1);
    c->right = sqlite3_column_int64(s, 2);
    return 0;
}

static int sq_review_counts(lk_store_t *st, int64_t from, int64_t to, lk_review_count_t **out, size_t *n)
{
    if (!st || !out || !n)
        return LK_EINVAL;
    sqlite3_stmt *s = lk_sq_prepare_bind(st, sql_review_counts, "review_counts", "ii", from, end_of(to));
    return lk_sq_rows(st, s, "review_counts", LK_SQ_ROW_REVIEW_COUNT, read_review_count, out, n);
}

/* ---- the review queue ------------------------------------------------------------ */

/* Newest first through the index messages_created; the question is the
 * customer's last message before the answer (index messages_sender). */
static const char sql_review_queue[] =
    "SELECT m.id, m.conversation_id, m.article_id, m.confidence, m.text, "
    "(SELECT q.text FROM messages q WHERE q.conversation_id = m.conversation_id AND q.sender = 'customer' "
    "AND q.seq < m.seq ORDER BY q.seq DESC LIMIT 1), m.created_at "
    "FROM messages m WHERE m.sender = 'bot' AND m.article_id IS NOT NULL "
    "AND NOT EXISTS (SELECT 1 FROM answer_reviews r WHERE r.message_id = m.id) "
    "ORDER BY m.created_at DESC, m.id DESC LIMIT ?1";

static int read_review_pending(sqlite3_stmt *s, void *row)
{
    lk_review_pending_t *t = row;
    read_answer_cols(s, t->message_id, t->conversation_id, t->article_id, &t->confidence, &t->has_confidence);
    t->answer = lk_sq_col_dup(s, 4);
    if (!t->answer)
        t->answer = lk_xstrdup("");
    t->question = lk_sq_col_dup(s, 5);
    t->created_at = sqlite3_column_int64(s, 6);
    return 0;
}

static int sq_review_queue(lk_store_t *st, size_t limit, lk_review_pending_t **out, size_t *n)
{
    if (!st || !out || !n)
        return LK_EINVAL;
    sqlite3_stmt *s = lk_sq_prepare_bind(st, sql_review_queue, "review_queue", "l", limit);
    return lk_sq_rows(st, s, "review_queue", LK_SQ_ROW_REVIEW_PENDING, read_review_pending, out, n);
}

const lk_store_insights_ops_t lk_sq_insights_ops = {LK_STORE_INSIGHTS_OPS(LK_SQ_OP_INIT)};
