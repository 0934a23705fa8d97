/*
 * The SQLite side of users, their login sessions and the audit log.
 */
#include "store/sqlite/sqlite_int.h"

#include "util/util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* ---- users and sessions ------------------------------------------------ */

/* Lower-cases the ASCII letters of email into out; false when it does not fit. */
static bool lower_email(const char *email, char *out, size_t outsize)
{
    size_t len = strlen(email);
    if (len >= outsize)
        return false;
    for (size_t i = 0; i <= len; i++) {
        char ch = email[i];
        out[i] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
    }
    return true;
}

/* Reads a USER_COLS row into u. */
static int read_user(sqlite3_stmt *s, void *row)
{
    lk_user_t *u = row;
    lk_sq_col_fixed(s, 0, u->id, sizeof u->id);
    lk_sq_col_fixed(s, 1, u->email, sizeof u->email);
    lk_role_parse(lk_sq_col_text(s, 2), &u->role);
    u->display_name = lk_sq_col_dup(s, 3);
    u->password_hash = lk_sq_col_dup(s, 4);
    u->created_at = sqlite3_column_int64(s, 5);
    u->disabled = sqlite3_column_int(s, 6) != 0;
    return 0;
}

static int sq_user_insert(lk_store_t *st, const lk_user_t *u)
{
    if (!st || !u || !FIXED_OK(u->id) || !u->id[0] || !FIXED_OK(u->email) || !u->email[0] || !lk_role_name(u->role)[0])
        return LK_EINVAL;
    char email[sizeof u->email];
    lower_email(u->email, email, sizeof email);
    sqlite3_stmt *s = lk_sq_stmt(st, S_USER_INSERT);
    lk_sq_bind(s, "tttttin", u->id, email, lk_role_name(u->role), u->display_name, u->password_hash, u->created_at,
               u->disabled ? 1 : 0);
    return lk_sq_exec(st, s, "user_insert");
}

/* Runs a one-row user query bound to key. */
static int user_get(lk_store_t *st, int id, const char *key, lk_user_t *out, const char *what)
{
    return lk_sq_get_by_key(st, lk_sq_stmt(st, id), key, what, LK_SQ_ROW_USER, read_user, out);
}

static int sq_user_get_by_email(lk_store_t *st, const char *email, lk_user_t *out)
{
    if (!st || !email || !out)
        return LK_EINVAL;
    char lower[sizeof out->email];
    if (!lower_email(email, lower, sizeof lower))
        return LK_ENOENT; /* longer than any stored address */
    return user_get(st, S_USER_GET_EMAIL, lower, out, "user_get_by_email");
}

static int sq_user_get(lk_store_t *st, const char *id, lk_user_t *out)
{
    if (!st || !id || !out)
        return LK_EINVAL;
    return user_get(st, S_USER_GET, id, out, "user_get");
}

static int sq_session_insert(lk_store_t *st, const lk_session_t *sess)
{
    if (!st || !sess || !FIXED_OK(sess->id_hash) || !sess->id_hash[0] || !FIXED_OK(sess->user_id) || !sess->user_id[0])
        return LK_EINVAL;
    sqlite3_stmt *s = lk_sq_stmt(st, S_SESSION_INSERT);
    lk_sq_bind(s, "ttii", sess->id_hash, sess->user_id, sess->created_at, sess->expires_at);
    return lk_sq_exec(st, s, "session_insert");
}

static int sq_session_delete(lk_store_t *st, const char *id_hash)
{
    if (!st || !id_hash)
        return LK_EINVAL;
    sqlite3_stmt *s = lk_sq_stmt(st, S_SESSION_DELETE);
    lk_sq_bind_text(s, 1, id_hash);
    return lk_sq_exec_changed(st, s, "session_delete");
}

static int sq_session_purge(lk_store_t *st, int64_t now, int64_t *deleted)
{
    if (deleted)
        *deleted = 0;
    if (!st)
        return LK_EINVAL;
    sqlite3_stmt *s = lk_sq_stmt(st, S_SESSION_PURGE);
    sqlite3_bind_int64(s, 1, now);
    int err = lk_sq_exec(st, s, "session_purge");
    if (!err && deleted)
        *deleted = sqlite3_changes64(SQ(st)->db);
    return err;
}

/* ---- audit log --------------------------------------------------------- */

static int sq_audit(lk_store_t *st, int64_t at, const char *actor, const char *action, const char *conversation_id,
                   const char *detail)
{
    if (!st || !actor || !actor[0] || !action || !action[0])
        return LK_EINVAL;
    sqlite3_stmt *s = lk_sq_stmt(st, S_AUDIT_INSERT);
    lk_sq_bind(s, "itttt", at, actor, action, conversation_id, detail);
    return lk_sq_exec(st, s, "audit");
}

static int sq_audit_count(lk_store_t *st, const char *action, int64_t *n)
{
    if (!st || !action || !n)
        return LK_EINVAL;
    *n = 0;
    sqlite3_stmt *s = lk_sq_stmt(st, S_AUDIT_COUNT);
    lk_sq_bind_text(s, 1, action);
    return lk_sq_one_i64(st, s, "audit_count", n);
}

static int sq_user_list(lk_store_t *st, lk_user_t **out, size_t *n)
{
    if (!st || !out || !n)
        return LK_EINVAL;
    /* USER_COLS_NO_HASH selects NULL in the hash's place: read_user leaves
     * password_hash NULL. */
    sqlite3_stmt *s = lk_sq_stmt(st, S_USER_LIST);
    return lk_sq_rows(st, s, "user_list", LK_SQ_ROW_USER, read_user, out, n);
}

static int sq_session_count_users(lk_store_t *st, int64_t now, int64_t *n)
{
    if (!st || !n)
        return LK_EINVAL;
    *n = 0;
    sqlite3_stmt *s = lk_sq_stmt(st, S_SESSION_COUNT_USERS);
    sqlite3_bind_int64(s, 1, now);
    return lk_sq_one_i64(st, s, "session_count_users", n);
}

const lk_store_users_ops_t lk_sq_users_ops = {LK_STORE_USERS_OPS(LK_SQ_OP_INIT)};
