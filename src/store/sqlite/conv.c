/*
 * The SQLite side of conversations and what hangs off them: the
 * conversations themselves (the queue, the lists), their messages, agents'
 * notes, call-back requests and the customers' "did this help?" answers.
 */
#include "store/sqlite/sqlite_int.h"

#include "util/util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* ---- conversations ----------------------------------------------------- */

static bool conv_ok(const lk_conv_t *c)
{
    return c && FIXED_OK(c->id) && c->id[0] && FIXED_OK(c->token_hash) &&
           (unsigned)c->status <= (unsigned)LK_CONV_CLOSED && FIXED_OK(c->language) &&
           (c->handoff_reason == LK_HANDOFF_NONE || lk_handoff_reason_name(c->handoff_reason)[0]) &&
           FIXED_OK(c->assigned_to) && FIXED_OK(c->channel) && FIXED_OK(c->client_hash);
}

/* Reads a CONV_COLS row into c. */
int lk_sq_read_conv(sqlite3_stmt *s, void *row)
{
    lk_conv_t *c = row;
    lk_sq_col_fixed(s, 0, c->id, sizeof c->id);
    lk_sq_col_fixed(s, 1, c->token_hash, sizeof c->token_hash);
    lk_conv_status_parse(lk_sq_col_text(s, 2), &c->status);
    lk_sq_col_fixed(s, 3, c->language, sizeof c->language);
    lk_handoff_reason_parse(lk_sq_col_text(s, 4), &c->handoff_reason); /* NULL or unknown: stays NONE */
    c->created_at = sqlite3_column_int64(s, 5);
    c->updated_at = sqlite3_column_int64(s, 6);
    c->queued_at = sqlite3_column_int64(s, 7);
    c->assigned_at = sqlite3_column_int64(s, 8);
    c->closed_at = sqlite3_column_int64(s, 9);
    lk_sq_col_fixed(s, 10, c->assigned_to, sizeof c->assigned_to);
    c->next_seq = sqlite3_column_int64(s, 11);
    c->rating = sqlite3_column_int(s, 12);
    c->rating_comment = lk_sq_col_dup(s, 13);
    c->disposition = lk_sq_col_dup(s, 14);
    c->policy_state = lk_sq_col_dup(s, 15);
    c->customer_email = lk_sq_col_dup(s, 16);
    c->customer_external_id = lk_sq_col_dup(s, 17);
    c->customer_name = lk_sq_col_dup(s, 18);
    lk_sq_col_fixed(s, 19, c->channel, sizeof c->channel);
    lk_sq_col_fixed(s, 20, c->client_hash, sizeof c->client_hash);
    c->topic = lk_sq_col_dup(s, 21);
    c->customer_verified = sqlite3_column_int(s, 22) != 0;
    return 0;
}

/* Binds the mutable fields of c from index i on (the CONV_UPDATE order). */
static void bind_conv_mutable(sqlite3_stmt *s, int i, const lk_conv_t *c)
{
    lk_sq_bind_text(s, i++, lk_conv_status_name(c->status));
    lk_sq_bind_text(s, i++, c->language);
    lk_sq_bind_fixed(s, i++, lk_handoff_reason_name(c->handoff_reason));
    sqlite3_bind_int64(s, i++, c->updated_at);
    lk_sq_bind_opt_i64(s, i++, c->queued_at);
    lk_sq_bind_opt_i64(s, i++, c->assigned_at);
    lk_sq_bind_opt_i64(s, i++, c->closed_at);
    lk_sq_bind_fixed(s, i++, c->assigned_to);
    sqlite3_bind_int64(s, i++, c->next_seq);
    lk_sq_bind_opt_i64(s, i++, c->rating);
    lk_sq_bind_text(s, i++, c->rating_comment);
    lk_sq_bind_text(s, i++, c->disposition);
    lk_sq_bind_text(s, i, c->policy_state);
}

static int sq_conv_insert(lk_store_t *st, const lk_conv_t *c)
{
    if (!st || !conv_ok(c))
        return LK_EINVAL;
    sqlite3_stmt *s = lk_sq_stmt(st, S_CONV_INSERT);
    lk_sq_bind(s, "ttttfiiooofiottttttfftn", c->id, c->token_hash, lk_conv_status_name(c->status), c->language,
               lk_handoff_reason_name(c->handoff_reason), c->created_at, c->updated_at, c->queued_at, c->assigned_at,
               c->closed_at, c->assigned_to, c->next_seq, (int64_t)c->rating, c->rating_comment, c->disposition,
               c->policy_state, c->customer_email, c->customer_external_id, c->customer_name, c->channel,
               c->client_hash, c->topic, c->customer_verified ? 1 : 0);
    return lk_sq_exec(st, s, "conv_insert");
}

static int sq_conv_get(lk_store_t *st, const char *id, lk_conv_t *out)
{
    if (!st || !id || !out)
        return LK_EINVAL;
    return lk_sq_get_by_key(st, lk_sq_stmt(st, S_CONV_GET), id, "conv_get", LK_SQ_ROW_CONV, lk_sq_read_conv, out);
}

/* The UPDATE for the indexed columns in mask (bits CI_...): the others are
 * always set. Parameters by number, the same for every mask. */
static sqlite3_stmt *conv_update_stmt(lk_store_t *st, unsigned mask)
{
    if (SQ(st)->conv_update[mask])
        return SQ(st)->conv_update[mask];
    static const char *const indexed[CI__COUNT] = {
        [CI_STATUS] = "status = ?1",       [CI_UPDATED_AT] = "updated_at = ?4",
        [CI_QUEUED_AT] = "queued_at = ?5", [CI_ASSIGNED_AT] = "assigned_at = ?6",
        [CI_CLOSED_AT] = "closed_at = ?7", [CI_ASSIGNED_TO] = "assigned_to = ?8",
    };
    lk_buf_t sql;
    lk_buf_init(&sql, 1024); /* the longest (every column) is under 400 bytes */
    int rc = lk_buf_append_cstr(&sql, "UPDATE conversations SET language = ?2, handoff_reason = ?3, next_seq = ?9, "
                                      "rating = ?10, rating_comment = ?11, disposition = ?12, policy_state = ?13");
    for (int i = 0; i < CI__COUNT && rc == 0; i++)
        if (mask & (1u << i))
            rc = lk_buf_printf(&sql, ", %s", indexed[i]);
    if (rc == 0)
        rc = lk_buf_append_cstr(&sql, " WHERE id = ?14");
    if (rc == 0)
        rc = sqlite3_prepare_v3(SQ(st)->db, sql.data, -1, SQLITE_PREPARE_PERSISTENT, &SQ(st)->conv_update[mask], NULL);
    else
        rc = SQLITE_TOOBIG;
    lk_buf_free(&sql);
    if (rc != SQLITE_OK) {
        lk_sq_error(st, rc, "conv_update: prepare");
        sqlite3_finalize(SQ(st)->conv_update[mask]);
        SQ(st)->conv_update[mask] = NULL;
    }
    return SQ(st)->conv_update[mask];
}

static int sq_conv_update(lk_store_t *st, const lk_conv_t *c)
{
    if (!st || !conv_ok(c))
        return LK_EINVAL;
    /* which indexed columns change (the row's page is in the cache: the
     * caller has just read it) */
    sqlite3_stmt *s = lk_sq_stmt(st, S_CONV_INDEXED);
    lk_sq_bind_text(s, 1, c->id);
    int rc = lk_sq_row(st, s, "conv_update: read");
    if (rc != 1)
        return rc == 0 ? LK_ENOENT : rc;
    char assigned_to[LK_ID_MAX];
    lk_sq_col_fixed(s, CI_ASSIGNED_TO, assigned_to, sizeof assigned_to);
    unsigned mask = 0;
    lk_conv_status_t status;
    if (lk_conv_status_parse(lk_sq_col_text(s, CI_STATUS), &status) != 0 || status != c->status)
        mask |= 1u << CI_STATUS;
    if (sqlite3_column_int64(s, CI_UPDATED_AT) != c->updated_at)
        mask |= 1u << CI_UPDATED_AT;
    if (sqlite3_column_int64(s, CI_QUEUED_AT) != c->queued_at)
        mask |= 1u << CI_QUEUED_AT;
    if (sqlite3_column_int64(s, CI_ASSIGNED_AT) != c->assigned_at)
        mask |= 1u << CI_ASSIGNED_AT;
    if (sqlite3_column_int64(s, CI_CLOSED_AT) != c->closed_at)
        mask |= 1u << CI_CLOSED_AT;
    if (strcmp(assigned_to, c->assigned_to) != 0)
        mask |= 1u << CI_ASSIGNED_TO;
    lk_sq_done(s);

    s = conv_update_stmt(st, mask);
    if (!s)
        return LK_EDB;
    bind_conv_mutable(s, 1, c);
    lk_sq_bind_text(s, 14, c->id);
    return lk_sq_exec(st, s, "conv_update");
}

/* Reads every row of s (bound by the caller) into a conversation array. */
static int read_convs(lk_store_t *st, sqlite3_stmt *s, const char *what, lk_conv_t **out, size_t *n)
{
    return lk_sq_rows(st, s, what, LK_SQ_ROW_CONV, lk_sq_read_conv, out, n);
}

static int sq_conv_list_queued(lk_store_t *st, size_t limit, lk_conv_t **out, size_t *n)
{
    if (!st || !out || !n)
        return LK_EINVAL;
    sqlite3_stmt *s = lk_sq_stmt(st, S_CONV_LIST_QUEUED);
    lk_sq_bind_limit(s, 1, limit);
    return read_convs(st, s, "conv_list_queued", out, n);
}

static int sq_conv_list_assigned(lk_store_t *st, const char *user_id, size_t limit, lk_conv_t **out, size_t *n)
{
    if (!st || !user_id || !out || !n)
        return LK_EINVAL;
    sqlite3_stmt *s = lk_sq_stmt(st, S_CONV_LIST_ASSIGNED);
    lk_sq_bind(s, "tl", user_id, limit);
    return read_convs(st, s, "conv_list_assigned", out, n);
}

static int sq_conv_queue_position(lk_store_t *st, const char *id, int64_t *pos)
{
    if (!st || !id || !pos)
        return LK_EINVAL;
    *pos = 0;
    sqlite3_stmt *s = lk_sq_stmt(st, S_CONV_QUEUE_STATE);
    lk_sq_bind_text(s, 1, id);
    int r = lk_sq_find(st, s, "conv_queue_position");
    if (r)
        return r;
    lk_conv_status_t status;
    bool queued = lk_conv_status_parse(lk_sq_col_text(s, 0), &status) == 0 && status == LK_CONV_QUEUED;
    int64_t queued_at = sqlite3_column_int64(s, 1);
    lk_sq_done(s);
    if (!queued)
        return 0;
    s = lk_sq_stmt(st, S_CONV_QUEUE_RANK);
    lk_sq_bind(s, "iit", queued_at, queued_at, id);
    return lk_sq_one_i64(st, s, "conv_queue_position", pos);
}

/* ---- messages ---------------------------------------------------------- */

/* The choices as the JSON text the column holds; NULL when none. */
static char *choices_to_json(const lk_msg_t *m)
{
    if (!m->choices || m->n_choices == 0)
        return NULL;
    json_t *arr = json_array();
    for (size_t i = 0; i < m->n_choices; i++)
        json_array_append_new(arr, json_pack("{s:s, s:s}", "article_id",
                                             m->choices[i].article_id ? m->choices[i].article_id : "", "title",
                                             m->choices[i].title ? m->choices[i].title : ""));
    char *text = json_dumps(arr, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(arr);
    if (!text)
        abort(); /* only on allocation failure */
    return text;
}

/* Reads the choices column; what is not a list of {article_id, title} is
 * read as no choices. */
static void choices_from_json(const char *text, lk_msg_t *m)
{
    if (!text)
        return;
    json_t *arr = json_loads(text, 0, NULL);
    size_t n = json_is_array(arr) ? json_array_size(arr) : 0;
    if (n > 0) {
        m->choices = lk_xcalloc(n, sizeof *m->choices);
        for (size_t i = 0; i < n; i++) {
            json_t *o = json_array_get(arr, i);
            const char *id = json_string_value(json_object_get(o, "article_id"));
            const char *title = json_string_value(json_object_get(o, "title"));
            if (!id)
                continue;
            m->choices[m->n_choices].article_id = lk_xstrdup(id);
            m->choices[m->n_choices].title = lk_xstrdup(title ? title : id);
            m->n_choices++;
        }
    }
    json_decref(arr);
}

static int sq_msg_insert(lk_store_t *st, const lk_msg_t *m)
{
    if (!st || !m || !FIXED_OK(m->id) || !m->id[0] || !FIXED_OK(m->conversation_id) || !m->conversation_id[0] ||
        !lk_sender_name(m->sender)[0] || !FIXED_OK(m->author_id) || !m->text ||
        (m->provenance != LK_PROVENANCE_NONE && !lk_provenance_name(m->provenance)[0]) ||
        (m->outcome != LK_OUTCOME_NONE && !lk_outcome_name(m->outcome)[0]))
        return LK_EINVAL;
    sqlite3_stmt *s = lk_sq_stmt(st, S_MSG_INSERT);
    lk_sq_bind(s, "ttitntit", m->id, m->conversation_id, m->seq, lk_sender_name(m->sender), m->automated ? 1 : 0,
               m->text, m->created_at, m->article_id);
    lk_sq_bind_opt_double(s, 9, m->has_confidence, m->confidence);
    lk_sq_bind_fixed(s, 10, m->author_id);
    lk_sq_bind_text(s, 11, m->author_name);
    lk_sq_bind_fixed(s, 12, lk_provenance_name(m->provenance));
    lk_sq_bind_text(s, 13, m->suggestion_article_id);
    lk_sq_bind_fixed(s, 14, lk_outcome_name(m->outcome));
    lk_sq_bind_text(s, 15, m->outcome_article_id);
    lk_sq_bind_opt_double(s, 16, m->has_outcome_confidence, m->outcome_confidence);
    char *choices = choices_to_json(m); /* bound without a copy: freed after the step */
    lk_sq_bind_text(s, 17, choices);
    sqlite3_bind_int(s, 18, m->chosen ? 1 : 0);
    int rc = lk_sq_exec(st, s, "msg_insert");
    free(choices);
    return rc;
}

/* Reads a MSG_COLS row into m. */
static int read_msg(sqlite3_stmt *s, void *row)
{
    lk_msg_t *m = row;
    lk_sq_col_fixed(s, 0, m->id, sizeof m->id);
    lk_sq_col_fixed(s, 1, m->conversation_id, sizeof m->conversation_id);
    m->seq = sqlite3_column_int64(s, 2);
    lk_sender_parse(lk_sq_col_text(s, 3), &m->sender);
    m->automated = sqlite3_column_int(s, 4) != 0;
    m->text = lk_sq_col_dup(s, 5);
    if (!m->text)
        m->text = lk_xstrdup("");
    m->created_at = sqlite3_column_int64(s, 6);
    m->article_id = lk_sq_col_dup(s, 7);
    m->confidence = lk_sq_col_opt_double(s, 8, &m->has_confidence);
    lk_sq_col_fixed(s, 9, m->author_id, sizeof m->author_id);
    m->author_name = lk_sq_col_dup(s, 10);
    lk_provenance_parse(lk_sq_col_text(s, 11), &m->provenance);
    m->suggestion_article_id = lk_sq_col_dup(s, 12);
    lk_outcome_parse(lk_sq_col_text(s, 13), &m->outcome);
    m->outcome_article_id = lk_sq_col_dup(s, 14);
    m->outcome_confidence = lk_sq_col_opt_double(s, 15, &m->has_outcome_confidence);
    choices_from_json((const char *)sqlite3_column_text(s, 16), m);
    m->chosen = sqlite3_column_int(s, 17) != 0;
    return 0;
}

/* Flips the order of the n elements of size bytes at v (a "last n" read
 * newest first, handed out oldest first: cheaper than a second ORDER BY in
 * SQL, which sorts in a temporary b-tree). */
static void reverse(void *v, size_t n, size_t size)
{
    unsigned char *a = v;
    for (size_t i = 0; i < n / 2; i++) {
        unsigned char *x = a + i * size, *y = a + (n - 1 - i) * size;
        for (size_t b = 0; b < size; b++) {
            unsigned char tmp = x[b];
            x[b] = y[b];
            y[b] = tmp;
        }
    }
}

/* Reads every row of s into a message array; reversed flips the order. */
static int read_msgs(lk_store_t *st, sqlite3_stmt *s, const char *what, bool reversed, lk_msg_t **out, size_t *n)
{
    int err = lk_sq_rows(st, s, what, LK_SQ_ROW_MSG, read_msg, out, n);
    if (reversed)
        reverse(*out, *n, sizeof **out);
    return err;
}

static int sq_msg_list(lk_store_t *st, const char *conversation_id, int64_t after_seq, size_t limit, lk_msg_t **out,
                      size_t *n)
{
    if (!st || !conversation_id || !out || !n)
        return LK_EINVAL;
    sqlite3_stmt *s = lk_sq_stmt(st, S_MSG_LIST);
    lk_sq_bind(s, "til", conversation_id, after_seq, limit);
    return read_msgs(st, s, "msg_list", false, out, n);
}

static int sq_msg_list_recent(lk_store_t *st, const char *conversation_id, lk_sender_t sender, size_t limit,
                              lk_msg_t **out, size_t *n)
{
    if (!st || !conversation_id || !lk_sender_name(sender)[0] || !out || !n)
        return LK_EINVAL;
    sqlite3_stmt *s = lk_sq_stmt(st, S_MSG_RECENT);
    lk_sq_bind(s, "ttl", conversation_id, lk_sender_name(sender), limit);
    return read_msgs(st, s, "msg_list_recent", true, out, n);
}

static int sq_msg_texts_recent(lk_store_t *st, const char *conversation_id, lk_sender_t sender, size_t limit,
                               char ***out, size_t *n)
{
    if (!st || !conversation_id || !lk_sender_name(sender)[0] || !out || !n)
        return LK_EINVAL;
    static const char sql[] = "SELECT text FROM messages WHERE conversation_id = ?1 AND sender = ?2 "
                              "ORDER BY seq DESC LIMIT ?3";
    sqlite3_stmt *s =
        lk_sq_prepare_bind(st, sql, "msg_texts_recent", "ttl", conversation_id, lk_sender_name(sender), limit);
    int err = lk_sq_rows(st, s, "msg_texts_recent", LK_SQ_ROW_TEXT, lk_sq_read_text, out, n);
    reverse(*out, *n, sizeof **out);
    return err;
}

/* ---- added for the console, the policy and the widget (schema v2) ------ */

static int sq_conv_list(lk_store_t *st, const lk_conv_status_t *status, const char *assigned_to, size_t limit, lk_conv_t **out,
                       size_t *n)
{
    if (!st || !out || !n)
        return LK_EINVAL;
    /* One statement per combination of filters, so each can use its index
     * (an "? IS NULL OR status = ?" form would defeat them). */
    int id = status ? (assigned_to ? S_CONV_LIST_STATUS_USER : S_CONV_LIST_STATUS)
                    : (assigned_to ? S_CONV_LIST_USER : S_CONV_LIST_ALL);
    sqlite3_stmt *s = lk_sq_stmt(st, id);
    int i = 1;
    if (status)
        lk_sq_bind_text(s, i++, lk_conv_status_name(*status));
    if (assigned_to)
        lk_sq_bind_text(s, i++, assigned_to);
    lk_sq_bind_limit(s, i, limit);
    return read_convs(st, s, "conv_list", out, n);
}

static int sq_conv_count_queued(lk_store_t *st, int64_t *n)
{
    if (!st || !n)
        return LK_EINVAL;
    *n = 0;
    sqlite3_stmt *s = lk_sq_stmt(st, S_CONV_COUNT_QUEUED);
    return lk_sq_one_i64(st, s, "conv_count_queued", n);
}

static int sq_recent_waits(lk_store_t *st, int64_t since, size_t limit, int64_t **out, size_t *n)
{
    if (!st || !out || !n)
        return LK_EINVAL;
    sqlite3_stmt *s = lk_sq_stmt(st, S_RECENT_WAITS);
    lk_sq_bind(s, "il", since, limit);
    return lk_sq_rows(st, s, "recent_waits", LK_SQ_ROW_I64, lk_sq_read_i64, out, n);
}

/* Reads a NOTE_COLS row into note. */
static int read_note(sqlite3_stmt *s, void *row)
{
    lk_note_t *note = row;
    lk_sq_col_fixed(s, 0, note->id, sizeof note->id);
    lk_sq_col_fixed(s, 1, note->conversation_id, sizeof note->conversation_id);
    lk_sq_col_fixed(s, 2, note->author_id, sizeof note->author_id);
    note->author_name = lk_sq_col_dup(s, 3);
    note->text = lk_sq_col_dup(s, 4);
    if (!note->text)
        note->text = lk_xstrdup("");
    note->created_at = sqlite3_column_int64(s, 5);
    return 0;
}

static int sq_note_insert(lk_store_t *st, const lk_note_t *note)
{
    if (!st || !note || !FIXED_OK(note->id) || !note->id[0] || !FIXED_OK(note->conversation_id) ||
        !note->conversation_id[0] || !FIXED_OK(note->author_id) || !note->text)
        return LK_EINVAL;
    sqlite3_stmt *s = lk_sq_stmt(st, S_NOTE_INSERT);
    lk_sq_bind(s, "ttftti", note->id, note->conversation_id, note->author_id, note->author_name, note->text,
               note->created_at);
    return lk_sq_exec(st, s, "note_insert");
}

static int sq_note_list(lk_store_t *st, const char *conversation_id, lk_note_t **out, size_t *n)
{
    if (!st || !conversation_id || !out || !n)
        return LK_EINVAL;
    sqlite3_stmt *s = lk_sq_stmt(st, S_NOTE_LIST);
    lk_sq_bind_text(s, 1, conversation_id);
    return lk_sq_rows(st, s, "note_list", LK_SQ_ROW_NOTE, read_note, out, n);
}

/* Reads a CALLBACK_COLS row into row (see sqlite_int.h). */
int lk_sq_read_callback(sqlite3_stmt *s, void *row)
{
    lk_callback_t *cb = row;
    lk_sq_col_fixed(s, 0, cb->id, sizeof cb->id);
    lk_sq_col_fixed(s, 1, cb->conversation_id, sizeof cb->conversation_id);
    cb->contact = lk_sq_col_dup(s, 2);
    cb->text = lk_sq_col_dup(s, 3);
    lk_callback_status_parse(lk_sq_col_text(s, 4), &cb->status);
    cb->created_at = sqlite3_column_int64(s, 5);
    cb->handled_at = sqlite3_column_int64(s, 6);
    lk_sq_col_fixed(s, 7, cb->handled_by, sizeof cb->handled_by);
    return 0;
}

/* lk_sq_read_callback for a whole request: contact is NOT NULL, so NULL
 * (only in a damaged row) reads as "". */
static int read_callback(sqlite3_stmt *s, void *row)
{
    lk_sq_read_callback(s, row);
    lk_callback_t *cb = row;
    if (!cb->contact)
        cb->contact = lk_xstrdup("");
    return 0;
}

static int sq_callback_insert(lk_store_t *st, const lk_callback_t *cb)
{
    if (!st || !cb || !FIXED_OK(cb->id) || !cb->id[0] || !FIXED_OK(cb->conversation_id) || !cb->contact ||
        !lk_callback_status_name(cb->status)[0] || !FIXED_OK(cb->handled_by))
        return LK_EINVAL;
    sqlite3_stmt *s = lk_sq_stmt(st, S_CALLBACK_INSERT);
    lk_sq_bind(s, "tftttiof", cb->id, cb->conversation_id, cb->contact, cb->text, lk_callback_status_name(cb->status),
               cb->created_at, cb->handled_at, cb->handled_by);
    return lk_sq_exec(st, s, "callback_insert");
}

static int sq_callback_list(lk_store_t *st, lk_callback_status_t status, size_t limit, lk_callback_t **out, size_t *n)
{
    if (!st || !out || !n)
        return LK_EINVAL;
    bool any = status == LK_CALLBACK_NONE;
    sqlite3_stmt *s = lk_sq_stmt(st, any ? S_CALLBACK_LIST_ALL : S_CALLBACK_LIST_STATUS);
    int i = 1;
    if (!any)
        lk_sq_bind_text(s, i++, lk_callback_status_name(status));
    lk_sq_bind_limit(s, i, limit);
    return lk_sq_rows(st, s, "callback_list", LK_SQ_ROW_CALLBACK, read_callback, out, n);
}

static int sq_callback_done(lk_store_t *st, const char *id, const char *user_id, int64_t now)
{
    if (!st || !id || !user_id || !user_id[0])
        return LK_EINVAL;
    sqlite3_stmt *s = lk_sq_stmt(st, S_CALLBACK_DONE);
    lk_sq_bind(s, "itt", now, user_id, id);
    return lk_sq_exec_changed(st, s, "callback_done");
}

static int sq_feedback_set(lk_store_t *st, const char *conversation_id, const char *message_id, bool helpful,
                          int64_t now)
{
    if (!st || !conversation_id || !message_id)
        return LK_EINVAL;
    /* One statement: it inserts (or replaces) only when the message is in
     * that conversation, so no row changed means LK_ENOENT. */
    sqlite3_stmt *s = lk_sq_stmt(st, S_FEEDBACK_SET);
    lk_sq_bind(s, "nitt", helpful ? 1 : 0, now, message_id, conversation_id);
    return lk_sq_exec_changed(st, s, "feedback_set");
}

static int sq_feedback_get(lk_store_t *st, const char *message_id, int *helpful)
{
    if (!st || !message_id || !helpful)
        return LK_EINVAL;
    *helpful = -1;
    sqlite3_stmt *s = lk_sq_stmt(st, S_FEEDBACK_GET);
    lk_sq_bind_text(s, 1, message_id);
    int r = lk_sq_row(st, s, "feedback_get");
    if (r <= 0)
        return r;
    *helpful = sqlite3_column_int(s, 0) != 0 ? 1 : 0;
    lk_sq_done(s);
    return 0;
}

static int sq_msg_get(lk_store_t *st, const char *message_id, lk_msg_t *out)
{
    if (!st || !message_id || !out)
        return LK_EINVAL;
    return lk_sq_get_by_key(st, lk_sq_stmt(st, S_MSG_GET), message_id, "msg_get", LK_SQ_ROW_MSG, read_msg, out);
}

static int sq_msg_last_choices(lk_store_t *st, const char *conversation_id, lk_msg_t *out)
{
    if (!st || !conversation_id || !out)
        return LK_EINVAL;
    return lk_sq_get_by_key(st, lk_sq_stmt(st, S_MSG_LAST_CHOICES), conversation_id, "msg_last_choices", LK_SQ_ROW_MSG,
                            read_msg, out);
}

const lk_store_conv_ops_t lk_sq_conv_ops = {LK_STORE_CONV_OPS(LK_SQ_OP_INIT)};
