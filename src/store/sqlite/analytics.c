/*
 * The SQLite side of the analytics and the compliance report
 * (docs/analytics.md): one pass over the conversations of a range with what
 * each one's messages, feedback, reviews and call-back requests say
 * (correlated subqueries that each use the index on a conversation's
 * messages), the agents' message counts, the answered articles, and the
 * messages the compliance report checks. Every function streams its rows to
 * a callback or returns a small array, so a long range costs no more memory
 * than the caller keeps. Plain SQL, portable to PostgreSQL.
 */
#include "store/sqlite/sqlite_int.h"

#include "util/util.h"

#include <stdlib.h>
#include <string.h>

/* The filter of every query below: ?1 from, ?2 to, ?3 language, ?4 channel. */
#define FILTER                                                                                              \
    "c.created_at >= ?1 AND c.created_at < ?2 AND (?3 IS NULL OR c.language = ?3) "                       \
    "AND (?4 IS NULL OR c.channel = ?4)"

static bool filter_ok(const lk_facts_filter_t *f)
{
    return f && f->from <= f->to;
}

/* sql, whose ?1 to ?4 are the filter's (FILTER), prepared and bound to f;
 * NULL when it did not prepare (logged). */
static sqlite3_stmt *prepare_filtered(lk_store_t *st, const char *sql, const char *what, const lk_facts_filter_t *f)
{
    return lk_sq_prepare_bind(st, sql, what, "iitt", f->from, f->to, f->language && f->language[0] ? f->language : NULL,
                              f->channel && f->channel[0] ? f->channel : NULL);
}

static int64_t col_i64(sqlite3_stmt *s, int i)
{
    return sqlite3_column_type(s, i) == SQLITE_NULL ? 0 : sqlite3_column_int64(s, i);
}

/* ---- per-conversation facts --------------------------------------------------- */

static const char sql_facts[] =
    "SELECT c.id, c.created_at, c.language, c.channel, c.status, c.handoff_reason, c.queued_at, "
    "c.assigned_at, c.closed_at, c.assigned_to, c.rating, c.customer_email, c.customer_external_id, "
    "c.client_hash, "
    "(SELECT MIN(m.created_at) FROM messages m WHERE m.conversation_id = c.id AND m.sender = 'agent'), "
    "(SELECT MIN(m.created_at) FROM messages m WHERE m.conversation_id = c.id AND m.sender = 'agent' "
    "   AND c.queued_at IS NOT NULL AND m.created_at >= c.queued_at), "
    "(SELECT MIN(m.created_at) FROM messages m WHERE m.conversation_id = c.id AND m.sender = 'agent' "
    "   AND c.assigned_at IS NOT NULL AND m.author_id = c.assigned_to AND m.created_at >= c.assigned_at), "
    "(SELECT MAX(m.created_at) FROM messages m WHERE m.conversation_id = c.id AND m.sender = 'customer'), "
    "(SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id AND m.sender = 'customer' "
    "   AND m.outcome = 'answered'), "
    "(SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id AND m.sender = 'customer' "
    "   AND m.outcome = 'declined'), "
    "(SELECT COUNT(*) FROM messages m JOIN message_feedback f ON f.message_id = m.id "
    "   WHERE m.conversation_id = c.id AND f.helpful = 1), "
    "(SELECT COUNT(*) FROM messages m JOIN message_feedback f ON f.message_id = m.id "
    "   WHERE m.conversation_id = c.id AND f.helpful = 0), "
    "(SELECT COUNT(*) FROM messages m JOIN answer_reviews r ON r.message_id = m.id "
    "   WHERE m.conversation_id = c.id), "
    "(SELECT COUNT(*) FROM messages m JOIN answer_reviews r ON r.message_id = m.id "
    "   WHERE m.conversation_id = c.id AND r.verdict = 'right'), "
    "(SELECT COUNT(*) FROM callback_requests b WHERE b.conversation_id = c.id), "
    "(SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id AND m.sender = 'bot' "
    "   AND m.choices IS NOT NULL), "
    "(SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id AND m.sender = 'bot' AND m.chosen = 1) "
    "FROM conversations c WHERE " FILTER " ORDER BY c.created_at, c.id";

typedef struct {
    int (*fn)(const lk_conv_facts_t *c, void *ud);
    void *ud;
} facts_walk_t;

static int facts_row(sqlite3_stmt *s, void *ud)
{
    facts_walk_t *w = ud;
    lk_conv_facts_t c;
    memset(&c, 0, sizeof c);
    lk_sq_col_fixed(s, 0, c.id, sizeof c.id);
    c.created_at = col_i64(s, 1);
    lk_sq_col_fixed(s, 2, c.language, sizeof c.language);
    lk_sq_col_fixed(s, 3, c.channel, sizeof c.channel);
    lk_conv_status_parse(lk_sq_col_text(s, 4), &c.status);
    lk_handoff_reason_parse(lk_sq_col_text(s, 5), &c.handoff_reason); /* NULL or unknown: stays NONE */
    c.queued_at = col_i64(s, 6);
    c.assigned_at = col_i64(s, 7);
    c.closed_at = col_i64(s, 8);
    lk_sq_col_fixed(s, 9, c.assigned_to, sizeof c.assigned_to);
    c.rating = (int)col_i64(s, 10);
    c.customer_email = lk_sq_col_dup(s, 11);
    c.customer_external_id = lk_sq_col_dup(s, 12);
    lk_sq_col_fixed(s, 13, c.client_hash, sizeof c.client_hash);
    c.first_agent_at = col_i64(s, 14);
    c.first_agent_after_queue = col_i64(s, 15);
    c.first_owner_reply = col_i64(s, 16);
    c.last_customer_at = col_i64(s, 17);
    c.answered = col_i64(s, 18);
    c.declined = col_i64(s, 19);
    c.helpful_yes = col_i64(s, 20);
    c.helpful_no = col_i64(s, 21);
    c.reviewed = col_i64(s, 22);
    c.reviewed_right = col_i64(s, 23);
    c.callbacks = col_i64(s, 24);
    c.choice_offers = col_i64(s, 25);
    c.choice_picks = col_i64(s, 26);
    int r = w->fn(&c, w->ud);
    free(c.customer_email);
    free(c.customer_external_id);
    return r;
}

static int sq_conv_facts(lk_store_t *st, const lk_facts_filter_t *f, int (*fn)(const lk_conv_facts_t *c, void *ud),
                        void *ud)
{
    if (!st || !filter_ok(f) || !fn)
        return LK_EINVAL;
    facts_walk_t w = {fn, ud};
    return lk_sq_each(st, prepare_filtered(st, sql_facts, "conv_facts", f), "conv_facts", facts_row, &w);
}

/* ---- agents' messages ----------------------------------------------------------- */

static const char sql_agent_msgs[] =
    "SELECT m.author_id, COUNT(*), "
    "SUM(CASE WHEN m.provenance = 'suggested' THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN m.provenance = 'suggested_edited' THEN 1 ELSE 0 END) "
    "FROM messages m JOIN conversations c ON c.id = m.conversation_id "
    "WHERE m.sender = 'agent' AND m.author_id IS NOT NULL AND " FILTER " "
    "GROUP BY m.author_id ORDER BY m.author_id";

static int read_agent_count(sqlite3_stmt *s, void *row)
{
    lk_agent_msg_count_t *a = row;
    lk_sq_col_fixed(s, 0, a->user_id, sizeof a->user_id);
    a->messages = col_i64(s, 1);
    a->suggested = col_i64(s, 2);
    a->suggested_edited = col_i64(s, 3);
    return 0;
}

static int sq_agent_msg_counts(lk_store_t *st, const lk_facts_filter_t *f, lk_agent_msg_count_t **out, size_t *n)
{
    if (!st || !filter_ok(f) || !out || !n)
        return LK_EINVAL;
    sqlite3_stmt *s = prepare_filtered(st, sql_agent_msgs, "agent_msg_counts", f);
    return lk_sq_rows(st, s, "agent_msg_counts", LK_SQ_ROW_AGENT_MSG_COUNT, read_agent_count, out, n);
}

/* ---- answered articles ---------------------------------------------------------- */

static const char sql_answered[] =
    "SELECT DISTINCT m.conversation_id, m.outcome_article_id "
    "FROM messages m JOIN conversations c ON c.id = m.conversation_id "
    "WHERE m.sender = 'customer' AND m.outcome = 'answered' AND m.outcome_article_id IS NOT NULL AND " FILTER
    " ORDER BY m.conversation_id, m.outcome_article_id";

typedef struct {
    int (*fn)(const char *conversation_id, const char *article_id, void *ud);
    void *ud;
} pair_walk_t;

static int answered_row(sqlite3_stmt *s, void *ud)
{
    pair_walk_t *w = ud;
    const unsigned char *conv = sqlite3_column_text(s, 0), *article = sqlite3_column_text(s, 1);
    if (!conv || !article)
        return 0;
    return w->fn((const char *)conv, (const char *)article, w->ud);
}

static int sq_answered_articles(lk_store_t *st, const lk_facts_filter_t *f,
                               int (*fn)(const char *conversation_id, const char *article_id, void *ud), void *ud)
{
    if (!st || !filter_ok(f) || !fn)
        return LK_EINVAL;
    pair_walk_t w = {fn, ud};
    return lk_sq_each(st, prepare_filtered(st, sql_answered, "answered_articles", f), "answered_articles", answered_row,
                      &w);
}

/* ---- the compliance report's messages --------------------------------------------- */

typedef struct {
    int (*fn)(const lk_report_msg_t *m, void *ud);
    void *ud;
} msg_walk_t;

/* Columns: conversation id, message id, seq, sender, automated, text,
 * outcome, created_at. */
static int msg_row(sqlite3_stmt *s, void *ud)
{
    msg_walk_t *w = ud;
    lk_report_msg_t m;
    memset(&m, 0, sizeof m);
    lk_sq_col_fixed(s, 0, m.conversation_id, sizeof m.conversation_id);
    lk_sq_col_fixed(s, 1, m.id, sizeof m.id);
    m.seq = col_i64(s, 2);
    lk_sender_parse(lk_sq_col_text(s, 3), &m.sender);
    m.automated = col_i64(s, 4) != 0;
    if (m.sender == LK_SENDER_BOT || m.sender == LK_SENDER_SYSTEM)
        m.text = lk_sq_col_dup(s, 5);
    lk_outcome_parse(lk_sq_col_text(s, 6), &m.outcome);
    m.created_at = col_i64(s, 7);
    int r = w->fn(&m, w->ud);
    free(m.text);
    return r;
}

static const char sql_first[] =
    "SELECT c.id, m.id, m.seq, m.sender, m.automated, m.text, m.outcome, m.created_at "
    "FROM conversations c LEFT JOIN messages m ON m.conversation_id = c.id "
    "AND m.seq = (SELECT MIN(x.seq) FROM messages x WHERE x.conversation_id = c.id) "
    "WHERE " FILTER " ORDER BY c.created_at, c.id";

/* Hands each row of sql (the columns msg_row reads), filtered by f, to fn. */
static int walk_messages(lk_store_t *st, const lk_facts_filter_t *f, const char *sql, const char *what,
                         int (*fn)(const lk_report_msg_t *m, void *ud), void *ud)
{
    if (!st || !filter_ok(f) || !fn)
        return LK_EINVAL;
    msg_walk_t w = {fn, ud};
    return lk_sq_each(st, prepare_filtered(st, sql, what, f), what, msg_row, &w);
}

static int sq_first_messages(lk_store_t *st, const lk_facts_filter_t *f, int (*fn)(const lk_report_msg_t *m, void *ud),
                             void *ud)
{
    return walk_messages(st, f, sql_first, "first_messages", fn, ud);
}

static const char sql_declines[] =
    "SELECT c.id, m.id, m.seq, m.sender, m.automated, m.text, m.outcome, m.created_at "
    "FROM conversations c JOIN messages m ON m.conversation_id = c.id "
    "WHERE " FILTER " AND EXISTS (SELECT 1 FROM messages d WHERE d.conversation_id = c.id "
    "AND d.sender = 'customer' AND d.outcome = 'declined') "
    "ORDER BY c.created_at, c.id, m.seq";

static int sq_decline_messages(lk_store_t *st, const lk_facts_filter_t *f,
                              int (*fn)(const lk_report_msg_t *m, void *ud), void *ud)
{
    return walk_messages(st, f, sql_declines, "decline_messages", fn, ud);
}

static const char sql_labels_count[] =
    "SELECT COUNT(*), SUM(CASE WHEN m.automated <> 0 THEN 1 ELSE 0 END) "
    "FROM messages m JOIN conversations c ON c.id = m.conversation_id "
    "WHERE m.sender IN ('bot', 'system') AND " FILTER;

static const char sql_labels_missing[] =
    "SELECT c.id, m.id, m.seq, m.sender, m.automated, NULL, m.outcome, m.created_at "
    "FROM messages m JOIN conversations c ON c.id = m.conversation_id "
    "WHERE m.sender IN ('bot', 'system') AND m.automated = 0 AND " FILTER " ORDER BY c.created_at, c.id, m.seq";

static int sq_bot_labels(lk_store_t *st, const lk_facts_filter_t *f, int64_t *total, int64_t *labelled,
                        int (*fn)(const lk_report_msg_t *m, void *ud), void *ud)
{
    if (!st || !filter_ok(f) || !total || !labelled)
        return LK_EINVAL;
    *total = *labelled = 0;
    sqlite3_stmt *s = prepare_filtered(st, sql_labels_count, "bot_labels", f);
    int r = lk_sq_row(st, s, "bot_labels");
    if (r < 0)
        return r;
    if (r == 1) {
        *total = col_i64(s, 0);
        *labelled = col_i64(s, 1);
        lk_sq_done(s);
    }
    if (!fn || *labelled == *total)
        return 0;
    s = prepare_filtered(st, sql_labels_missing, "bot_labels_missing", f);
    if (!s)
        return LK_EDB;
    msg_walk_t w = {fn, ud};
    return lk_sq_each(st, s, "bot_labels_missing", msg_row, &w);
}

/* ---- call-back requests ------------------------------------------------------------ */

static const char sql_callbacks[] = "SELECT " CALLBACK_COLS_NO_TEXT " FROM callback_requests "
                                   "WHERE created_at >= ?1 AND created_at < ?2 ORDER BY created_at, id";

static int sq_callbacks_between(lk_store_t *st, int64_t from, int64_t to, lk_callback_t **out, size_t *n)
{
    if (!st || !out || !n || from > to)
        return LK_EINVAL;
    sqlite3_stmt *s = lk_sq_prepare_bind(st, sql_callbacks, "callbacks_between", "ii", from, to);
    return lk_sq_rows(st, s, "callbacks_between", LK_SQ_ROW_CALLBACK, lk_sq_read_callback, out, n);
}

const lk_store_analytics_ops_t lk_sq_analytics_ops = {LK_STORE_ANALYTICS_OPS(LK_SQ_OP_INIT)};
