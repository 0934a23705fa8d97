/*
 * The SQLite side of loket's privacy features (docs/privacy.md): a
 * customer's records found by e-mail address or external id, exported as
 * one JSON document or erased; the retention purge, in batches so that the
 * single writer is never held for long; and the audit log read back for the
 * admins' viewer.
 *
 * What belongs to a conversation is listed once, in conv_tables[] below:
 * the export reads those tables, the erasure and the purge delete from
 * them, and a unit test checks that every table with a conversation_id
 * column is listed, so a table added later cannot be forgotten here. The
 * export turns rows into JSON by their column names, so new columns show
 * up in it without a change; only secrets (the customer's token hash) are
 * left out. Times (columns named *_at, and "at") are written as RFC 3339.
 */
#include "store/sqlite/sqlite_int.h"
#include "util/util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define MODULE "store"

/* ---- rows as JSON ------------------------------------------------------- */

static bool is_time_column(const char *name)
{
    size_t n = strlen(name);
    return strcmp(name, "at") == 0 || (n > 3 && strcmp(name + n - 3, "_at") == 0);
}

/* The current row of s as an object; columns named in skip (NULL-ended)
 * are left out. */
static json_t *row_json(sqlite3_stmt *s, const char *const *skip)
{
    json_t *o = json_object();
    int nc = sqlite3_column_count(s);
    for (int i = 0; i < nc; i++) {
        const char *name = sqlite3_column_name(s, i);
        bool skipped = false;
        for (const char *const *k = skip; k && *k && !skipped; k++)
            skipped = strcmp(*k, name) == 0;
        if (skipped)
            continue;
        json_t *v;
        switch (sqlite3_column_type(s, i)) {
        case SQLITE_INTEGER: {
            int64_t x = sqlite3_column_int64(s, i);
            if (is_time_column(name)) {
                char ts[LK_RFC3339_LEN];
                lk_time_rfc3339(x, ts);
                v = json_string(ts);
            } else {
                v = json_integer(x);
            }
            break;
        }
        case SQLITE_FLOAT:
            v = json_real(sqlite3_column_double(s, i));
            break;
        case SQLITE_TEXT: {
            const char *t = (const char *)sqlite3_column_text(s, i);
            size_t len = (size_t)sqlite3_column_bytes(s, i);
            v = json_stringn(t, len);
            if (!v) /* not UTF-8: only a damaged row; keep the field, say so */
                v = json_string("(not UTF-8)");
            break;
        }
        case SQLITE_NULL:
            v = json_null();
            break;
        default: /* BLOB: loket stores none */
            v = json_null();
        }
        json_object_set_new(o, name, v);
    }
    return o;
}

/* Appends the row as an object to ud, a JSON array (for lk_sq_each). */
static int append_row_json(sqlite3_stmt *s, void *ud)
{
    json_array_append_new(ud, row_json(s, NULL));
    return 0;
}

/* Every row of s (bound by the caller) as an array; resets s. */
static int rows_json(lk_store_t *st, sqlite3_stmt *s, const char *what, json_t **out, int64_t *count)
{
    json_t *arr = json_array();
    int err = lk_sq_each(st, s, what, append_row_json, arr);
    if (err) {
        json_decref(arr);
        return err;
    }
    if (count)
        *count += (int64_t)json_array_size(arr);
    *out = arr;
    return 0;
}

/* ---- what hangs off a conversation ------------------------------------- */

/* Each table holding rows of a conversation: the key in the export, the
 * export query, the delete, and which count it adds to. Deletes run in
 * this order, children first, the conversation last (foreign keys would
 * cascade anyway; explicit deletes count the rows and do not depend on
 * them). */
typedef enum { C_MESSAGES, C_NOTES, C_CALLBACKS, C_FEEDBACK, C_REVIEWS, C_IDENTIFIERS } child_t;

static const struct {
    const char *key;
    const char *select;
    const char *del;
    child_t count;
} conv_tables[] = {
    {"feedback", "SELECT * FROM message_feedback WHERE conversation_id = ?1 ORDER BY created_at, message_id",
     "DELETE FROM message_feedback WHERE conversation_id = ?1", C_FEEDBACK},
    {"reviews", "SELECT * FROM answer_reviews WHERE conversation_id = ?1 ORDER BY created_at, message_id",
     "DELETE FROM answer_reviews WHERE conversation_id = ?1", C_REVIEWS},
    {"notes", "SELECT * FROM notes WHERE conversation_id = ?1 ORDER BY created_at, id",
     "DELETE FROM notes WHERE conversation_id = ?1", C_NOTES},
    {"callback_requests", "SELECT * FROM callback_requests WHERE conversation_id = ?1 ORDER BY created_at, id",
     "DELETE FROM callback_requests WHERE conversation_id = ?1", C_CALLBACKS},
    {"identifiers",
     "SELECT * FROM conversation_identifiers WHERE conversation_id = ?1 ORDER BY created_at, kind, value",
     "DELETE FROM conversation_identifiers WHERE conversation_id = ?1", C_IDENTIFIERS},
    {"messages", "SELECT * FROM messages WHERE conversation_id = ?1 ORDER BY seq",
     "DELETE FROM messages WHERE conversation_id = ?1", C_MESSAGES},
};
#define N_CONV_TABLES (sizeof conv_tables / sizeof conv_tables[0])

static int64_t *count_field(lk_privacy_counts_t *c, child_t which)
{
    switch (which) {
    case C_MESSAGES:
        return &c->messages;
    case C_NOTES:
        return &c->notes;
    case C_CALLBACKS:
        return &c->callbacks;
    case C_FEEDBACK:
        return &c->feedback;
    case C_IDENTIFIERS:
        return &c->identifiers;
    case C_REVIEWS:
        break;
    }
    return &c->reviews;
}

static const char sql_conv_row[] = "SELECT * FROM conversations WHERE id = ?1";
static const char sql_conv_delete[] = "DELETE FROM conversations WHERE id = ?1";
static const char sql_conv_audit[] =
    "SELECT id, at, actor, action, detail FROM audit_log WHERE conversation_id = ?1 ORDER BY id";
static const char sql_audit_unlink[] = "UPDATE audit_log SET conversation_id = NULL WHERE conversation_id = ?1";

/* Runs the DELETE or UPDATE sql with id as ?1 and adds the rows it changed
 * to *count. */
static int delete_counted(lk_store_t *st, const char *sql, const char *what, const char *id, int64_t *count)
{
    int64_t changed = 0;
    int rc = lk_sq_exec_count(st, lk_sq_prepare_bind(st, sql, what, "t", id), what, &changed);
    *count += changed;
    return rc;
}

/* Deletes conversation id and its rows; with unlink, also takes its id off
 * the audit records. */
static int delete_conv(lk_store_t *st, const char *id, bool unlink, lk_privacy_counts_t *counts)
{
    int rc = 0;
    for (size_t t = 0; t < N_CONV_TABLES && rc == 0; t++)
        rc = delete_counted(st, conv_tables[t].del, "privacy_delete", id, count_field(counts, conv_tables[t].count));
    if (rc == 0)
        rc = delete_counted(st, sql_conv_delete, "privacy_delete_conv", id, &counts->conversations);
    if (rc == 0 && unlink)
        rc = delete_counted(st, sql_audit_unlink, "privacy_audit_unlink", id, &counts->audit);
    return rc;
}

/* ---- finding a customer ------------------------------------------------- */

typedef struct {
    char (*v)[LK_ID_MAX];
    size_t n, cap;
} idlist_t;

static void ids_add(idlist_t *l, const char *id)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->v = lk_xrealloc(l->v, l->cap * sizeof *l->v);
    }
    snprintf(l->v[l->n++], LK_ID_MAX, "%s", id);
}

static bool ids_has(const idlist_t *l, const char *id)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i], id) == 0)
            return true;
    return false;
}

/* Adds the row's first column to ud, an idlist_t (for lk_sq_each). */
static int add_row_id(sqlite3_stmt *s, void *ud)
{
    const char *id = lk_sq_col_text(s, 0);
    if (id && strlen(id) < LK_ID_MAX)
        ids_add(ud, id);
    return 0;
}

/* Reads the first column of every row of s into l; resets s. */
static int read_ids(lk_store_t *st, sqlite3_stmt *s, const char *what, idlist_t *l)
{
    return lk_sq_each(st, s, what, add_row_id, l);
}

/* By what the host page said (customer_email, customer_external_id) and by
 * what the customer typed (conversation_identifiers: normalised e-mail
 * addresses and phone numbers, issue 14). */
static const char sql_customer_convs[] =
    "SELECT id FROM conversations WHERE (?1 IS NOT NULL AND customer_email = ?1) OR "
    "(?2 IS NOT NULL AND customer_external_id = ?2) OR id IN (SELECT conversation_id FROM "
    "conversation_identifiers WHERE (?1 IS NOT NULL AND kind = 'email' AND value = ?1) OR "
    "(?3 IS NOT NULL AND kind = 'phone' AND value = ?3)) ORDER BY created_at, id";
/* Call-back requests left by e-mail address outside the customer's
 * conversations (the contact is what the customer typed). */
static const char sql_contact_callbacks[] =
    "SELECT * FROM callback_requests WHERE ?1 IS NOT NULL AND lower(contact) = ?1 ORDER BY created_at, id";
static const char sql_contact_callback_ids[] =
    "SELECT id, conversation_id FROM callback_requests WHERE ?1 IS NOT NULL AND lower(contact) = ?1";
static const char sql_callback_delete[] = "DELETE FROM callback_requests WHERE id = ?1";

/* The customer's conversations; *low gets the lower-cased e-mail address
 * (NULL without one; the caller frees it). */
static int find_customer(lk_store_t *st, const lk_privacy_subject_t *who, idlist_t *convs, char **low)
{
    *low = who->email && who->email[0] ? lk_sq_lower_dup(who->email) : NULL;
    const char *phone = who->phone && who->phone[0] ? who->phone : NULL;
    sqlite3_stmt *s = lk_sq_prepare_bind(st, sql_customer_convs, "privacy_find", "ttt", *low,
                                         who->external_id && who->external_id[0] ? who->external_id : NULL, phone);
    return read_ids(st, s, "privacy_find", convs);
}

static bool key_given(const lk_privacy_subject_t *who)
{
    return who && ((who->email && who->email[0]) || (who->external_id && who->external_id[0]) ||
                   (who->phone && who->phone[0]));
}

/* ---- export ------------------------------------------------------------- */

static const char *const conv_secret_columns[] = {"token_hash", NULL};

static int export_conv(lk_store_t *st, const char *id, lk_privacy_counts_t *counts, json_t **out)
{
    sqlite3_stmt *s = lk_sq_prepare_bind(st, sql_conv_row, "privacy_export_conv", "t", id);
    int r = lk_sq_find(st, s, "privacy_export_conv");
    if (r)
        return r;
    json_t *conv = row_json(s, conv_secret_columns);
    lk_sq_done(s);
    counts->conversations++;
    int rc = 0;
    for (size_t t = N_CONV_TABLES; t-- > 0 && rc == 0;) { /* messages first in the document */
        s = lk_sq_prepare_bind(st, conv_tables[t].select, "privacy_export_rows", "t", id);
        json_t *arr = NULL;
        rc = rows_json(st, s, "privacy_export_rows", &arr, count_field(counts, conv_tables[t].count));
        if (rc == 0)
            json_object_set_new(conv, conv_tables[t].key, arr);
    }
    if (rc == 0) {
        s = lk_sq_prepare_bind(st, sql_conv_audit, "privacy_export_audit", "t", id);
        json_t *arr = NULL;
        rc = rows_json(st, s, "privacy_export_audit", &arr, &counts->audit);
        if (rc == 0)
            json_object_set_new(conv, "audit", arr);
    }
    if (rc) {
        json_decref(conv);
        return rc;
    }
    *out = conv;
    return 0;
}

static int sq_privacy_export(lk_store_t *st, const lk_privacy_subject_t *who, int64_t now, char **json,
                            lk_privacy_counts_t *counts)
{
    if (!st || !json || !key_given(who))
        return LK_EINVAL;
    const char *external_id = who->external_id;
    *json = NULL;
    lk_privacy_counts_t local = {0};
    idlist_t convs = {0};
    char *low = NULL;
    int rc = find_customer(st, who, &convs, &low);
    json_t *doc = json_object();
    char ts[LK_RFC3339_LEN];
    lk_time_rfc3339(now, ts);
    json_object_set_new(doc, "format", json_string("loket-privacy-export/1"));
    json_object_set_new(doc, "generated_at", json_string(ts));
    json_t *subject = json_object();
    json_object_set_new(subject, "email", low ? json_string(low) : json_null());
    json_object_set_new(subject, "external_id", external_id && external_id[0] ? json_string(external_id) : json_null());
    json_object_set_new(subject, "phone", who->phone && who->phone[0] ? json_string(who->phone) : json_null());
    json_object_set_new(doc, "subject", subject);
    json_t *arr = json_array();
    json_object_set_new(doc, "conversations", arr);
    for (size_t i = 0; i < convs.n && rc == 0; i++) {
        json_t *conv = NULL;
        rc = export_conv(st, convs.v[i], &local, &conv);
        if (rc == LK_ENOENT) /* gone meanwhile (the reader sees one snapshot per statement) */
            rc = 0;
        else if (rc == 0)
            json_array_append_new(arr, conv);
    }
    /* call-back requests by e-mail address outside those conversations */
    json_t *cbs = json_array();
    json_object_set_new(doc, "callback_requests", cbs);
    if (rc == 0 && low) {
        sqlite3_stmt *s = lk_sq_prepare_bind(st, sql_contact_callbacks, "privacy_export_callbacks", "t", low);
        json_t *all = NULL;
        rc = rows_json(st, s, "privacy_export_callbacks", &all, NULL);
        for (size_t i = 0; rc == 0 && i < json_array_size(all); i++) {
            json_t *cb = json_array_get(all, i);
            const char *conv = json_string_value(json_object_get(cb, "conversation_id"));
            if (conv && ids_has(&convs, conv))
                continue; /* listed with its conversation */
            json_array_append(cbs, cb);
            local.callbacks++;
        }
        json_decref(all);
    }
    if (rc == 0) {
        json_t *c = json_object();
        json_object_set_new(c, "conversations", json_integer(local.conversations));
        json_object_set_new(c, "messages", json_integer(local.messages));
        json_object_set_new(c, "notes", json_integer(local.notes));
        json_object_set_new(c, "callback_requests", json_integer(local.callbacks));
        json_object_set_new(c, "feedback", json_integer(local.feedback));
        json_object_set_new(c, "reviews", json_integer(local.reviews));
        json_object_set_new(c, "audit", json_integer(local.audit));
        json_object_set_new(c, "identifiers", json_integer(local.identifiers));
        json_object_set_new(doc, "counts", c);
        *json = json_dumps(doc, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
        if (!*json)
            abort(); /* jansson fails here only on allocation */
        if (counts)
            *counts = local;
    }
    json_decref(doc);
    free(convs.v);
    free(low);
    return rc;
}

/* ---- erasure ------------------------------------------------------------ */

static int sq_privacy_erase_conv(lk_store_t *st, const char *conv_id, lk_privacy_counts_t *counts)
{
    if (!st || !conv_id || !conv_id[0])
        return LK_EINVAL;
    lk_privacy_counts_t local = {0};
    int rc = delete_conv(st, conv_id, true, &local);
    if (rc == 0 && local.conversations == 0)
        rc = LK_ENOENT;
    if (rc == 0 && counts)
        *counts = local;
    return rc;
}

static int sq_privacy_erase(lk_store_t *st, const lk_privacy_subject_t *who, lk_privacy_counts_t *counts)
{
    if (!st || !key_given(who))
        return LK_EINVAL;
    lk_privacy_counts_t local = {0};
    idlist_t convs = {0}, cbs = {0};
    char *low = NULL;
    int rc = find_customer(st, who, &convs, &low);
    for (size_t i = 0; i < convs.n && rc == 0; i++)
        rc = delete_conv(st, convs.v[i], true, &local);
    if (rc == 0 && low) {
        sqlite3_stmt *s = lk_sq_prepare_bind(st, sql_contact_callback_ids, "privacy_erase_callbacks", "t", low);
        rc = read_ids(st, s, "privacy_erase_callbacks", &cbs);
        for (size_t i = 0; i < cbs.n && rc == 0; i++)
            rc = delete_counted(st, sql_callback_delete, "privacy_erase_callback", cbs.v[i], &local.callbacks);
    }
    free(convs.v);
    free(cbs.v);
    free(low);
    if (rc == 0 && counts)
        *counts = local;
    return rc;
}

/* ---- retention purge ---------------------------------------------------- */

/* Handled call-back requests past their cutoff (?1; 0 keeps them). */
#define CALLBACK_EXPIRED(cb)                                                                                           \
    "(" cb ".status = 'done' AND ?1 > 0 AND COALESCE(" cb ".handled_at, " cb ".created_at) < ?1)"
/* Closed conversations past their cutoff (?2) with no call-back request
 * that must stay. */
#define CONV_EXPIRED                                                                                                   \
    "c.status = 'closed' AND c.closed_at IS NOT NULL AND c.closed_at < ?2 AND NOT EXISTS "                             \
    "(SELECT 1 FROM callback_requests cb WHERE cb.conversation_id = c.id AND NOT " CALLBACK_EXPIRED("cb") ")"

static const char sql_purge_callbacks[] =
    "DELETE FROM callback_requests WHERE id IN (SELECT cb.id FROM callback_requests cb WHERE " CALLBACK_EXPIRED(
        "cb") " ORDER BY cb.created_at LIMIT ?2)";
static const char sql_purge_convs[] =
    "SELECT c.id FROM conversations c WHERE " CONV_EXPIRED " ORDER BY c.closed_at LIMIT ?3";
static const char sql_purge_audit[] =
    "DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < ?1 ORDER BY id LIMIT ?2)";

static const char sql_count_callbacks[] = "SELECT COUNT(*) FROM callback_requests cb WHERE " CALLBACK_EXPIRED("cb");
static const char sql_count_convs[] = "SELECT COUNT(*) FROM conversations c WHERE " CONV_EXPIRED;
#define COUNT_CHILD(table)                                                                                             \
    "SELECT COUNT(*) FROM " table " WHERE conversation_id IN (SELECT c.id FROM conversations c WHERE " CONV_EXPIRED ")"
static const char sql_count_messages[] = COUNT_CHILD("messages");
static const char sql_count_notes[] = COUNT_CHILD("notes");
static const char sql_count_feedback[] = COUNT_CHILD("message_feedback");
static const char sql_count_reviews[] = COUNT_CHILD("answer_reviews");
static const char sql_count_identifiers[] = COUNT_CHILD("conversation_identifiers");
static const char sql_count_audit[] = "SELECT COUNT(*) FROM audit_log WHERE at < ?1";

static int sq_privacy_purge(lk_store_t *st, const lk_purge_cutoffs_t *cut, size_t batch, lk_privacy_counts_t *counts,
                           bool *more)
{
    if (!st || !cut || !counts || !more || batch == 0 || batch > 100000)
        return LK_EINVAL;
    *more = false;
    int rc;
    if (cut->callback_before > 0) {
        int64_t k = 0;
        rc = lk_sq_exec_count(
            st,
            lk_sq_prepare_bind(st, sql_purge_callbacks, "purge_callbacks", "ii", cut->callback_before, (int64_t)batch),
            "purge_callbacks", &k);
        if (rc)
            return rc;
        counts->callbacks += k;
        *more = *more || k == (int64_t)batch;
    }
    if (cut->conv_before > 0) {
        sqlite3_stmt *s = lk_sq_prepare_bind(st, sql_purge_convs, "purge_convs", "iii", cut->callback_before,
                                             cut->conv_before, (int64_t)batch);
        idlist_t ids = {0};
        rc = read_ids(st, s, "purge_convs", &ids);
        for (size_t i = 0; i < ids.n && rc == 0; i++)
            rc = delete_conv(st, ids.v[i], false, counts);
        free(ids.v);
        if (rc)
            return rc;
        *more = *more || ids.n == batch;
    }
    if (cut->audit_before > 0) {
        int64_t k = 0;
        rc = lk_sq_exec_count(
            st, lk_sq_prepare_bind(st, sql_purge_audit, "purge_audit", "ii", cut->audit_before, (int64_t)batch * 10),
            "purge_audit", &k);
        if (rc)
            return rc;
        counts->audit += k;
        *more = *more || k == (int64_t)batch * 10;
    }
    return 0;
}

static int count_one(lk_store_t *st, const char *sql, int64_t p1, int64_t p2, int64_t *out)
{
    sqlite3_stmt *s = lk_sq_prepare(st, sql, "purge_count");
    if (!s)
        return LK_EDB;
    if (sqlite3_bind_parameter_count(s) >= 1)
        sqlite3_bind_int64(s, 1, p1);
    if (sqlite3_bind_parameter_count(s) >= 2)
        sqlite3_bind_int64(s, 2, p2);
    return lk_sq_one_i64(st, s, "purge_count", out);
}

static int sq_privacy_purge_count(lk_store_t *st, const lk_purge_cutoffs_t *cut, lk_privacy_counts_t *counts)
{
    if (!st || !cut || !counts)
        return LK_EINVAL;
    memset(counts, 0, sizeof *counts);
    int rc = 0;
    if (cut->callback_before > 0)
        rc = count_one(st, sql_count_callbacks, cut->callback_before, 0, &counts->callbacks);
    if (rc == 0 && cut->conv_before > 0) {
        const struct {
            const char *sql;
            int64_t *out;
        } q[] = {
            {sql_count_convs, &counts->conversations}, {sql_count_messages, &counts->messages},
            {sql_count_notes, &counts->notes},         {sql_count_feedback, &counts->feedback},
            {sql_count_reviews, &counts->reviews},     {sql_count_identifiers, &counts->identifiers},
        };
        for (size_t i = 0; i < sizeof q / sizeof q[0] && rc == 0; i++)
            rc = count_one(st, q[i].sql, cut->callback_before, cut->conv_before, q[i].out);
    }
    if (rc == 0 && cut->audit_before > 0)
        rc = count_one(st, sql_count_audit, cut->audit_before, 0, &counts->audit);
    return rc;
}

/* ---- the audit log, read back ------------------------------------------- */

static const char sql_audit_list[] =
    "SELECT a.id, a.at, a.actor, COALESCE(u.display_name, u.email), a.action, a.conversation_id, a.detail "
    "FROM audit_log a LEFT JOIN users u ON u.id = a.actor "
    "WHERE (?1 IS NULL OR a.at >= ?1) AND (?2 IS NULL OR a.at < ?2) "
    "AND (?3 IS NULL OR a.actor = ?3 OR a.actor IN (SELECT id FROM users WHERE email = ?4)) "
    "AND (?5 IS NULL OR a.action = ?5 OR a.action LIKE ?6) "
    "AND (?7 IS NULL OR a.conversation_id = ?7) AND (?8 IS NULL OR a.id < ?8) "
    "ORDER BY a.id DESC LIMIT ?9";

/* Reads a sql_audit_list row into row (an lk_audit_rec_t). */
static int read_audit_rec(sqlite3_stmt *s, void *row)
{
    lk_audit_rec_t *r = row;
    r->id = sqlite3_column_int64(s, 0);
    r->at = sqlite3_column_int64(s, 1);
    lk_sq_col_fixed(s, 2, r->actor, sizeof r->actor);
    r->actor_name = lk_sq_col_dup(s, 3);
    lk_sq_col_fixed(s, 4, r->action, sizeof r->action);
    lk_sq_col_fixed(s, 5, r->conversation_id, sizeof r->conversation_id);
    r->detail = lk_sq_col_dup(s, 6);
    return 0;
}

static int sq_audit_list(lk_store_t *st, const lk_audit_query_t *q, lk_audit_rec_t **out, size_t *n)
{
    if (!st || !q || !out || !n)
        return LK_EINVAL;
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s = lk_sq_prepare_bind(st, sql_audit_list, "audit_list", "oo", q->from, q->to);
    if (!s)
        return LK_EDB;
    const char *actor = q->actor && q->actor[0] ? q->actor : NULL;
    char *low = actor ? lk_sq_lower_dup(actor) : NULL;
    lk_sq_bind_text(s, 3, actor);
    lk_sq_bind_text(s, 4, low);
    const char *action = q->action && q->action[0] ? q->action : NULL;
    char *prefix = NULL;
    if (action && action[strlen(action) - 1] == '.') {
        size_t len = strlen(action);
        prefix = lk_xmalloc(len + 2);
        memcpy(prefix, action, len);
        memcpy(prefix + len, "%", 2);
    }
    lk_sq_bind_text(s, 5, action);
    lk_sq_bind_text(s, 6, prefix);
    lk_sq_bind_text(s, 7, q->conversation_id && q->conversation_id[0] ? q->conversation_id : NULL);
    lk_sq_bind_opt_i64(s, 8, q->before);
    lk_sq_bind_limit(s, 9, q->limit);
    int err = lk_sq_rows(st, s, "audit_list", LK_SQ_ROW_AUDIT, read_audit_rec, out, n);
    free(low);
    free(prefix);
    return err;
}

const lk_store_privacy_ops_t lk_sq_privacy_ops = {LK_STORE_PRIVACY_OPS(LK_SQ_OP_INIT)};
