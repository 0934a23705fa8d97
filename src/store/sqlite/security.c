/*
 * The SQLite side of loket's security features: sessions that end when they
 * go unused (idle expiry) or all at once (logout everywhere), users' second
 * factor (the encrypted TOTP secret and the last time step a code was
 * accepted for, so that a code works only once), and the count of open
 * conversations per client address (a keyed hash, never the address).
 */
#include "store/sqlite/sqlite_int.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

/* ---- sessions ----------------------------------------------------------- */

static const char sql_session_active[] =
    "SELECT id_hash, user_id, created_at, expires_at, COALESCE(last_seen_at, created_at) FROM sessions "
    "WHERE id_hash = ?1 AND expires_at > ?2 AND COALESCE(last_seen_at, created_at) > ?3";

static int sq_session_get_active(lk_store_t *st, const char *id_hash, int64_t now, int64_t idle_since, lk_session_t *out,
                                int64_t *last_seen)
{
    if (!st || !id_hash || !out || !last_seen)
        return LK_EINVAL;
    sqlite3_stmt *s = lk_sq_prepare_bind(st, sql_session_active, "session_get_active", "tii", id_hash, now, idle_since);
    int r = lk_sq_find(st, s, "session_get_active");
    if (r)
        return r;
    memset(out, 0, sizeof *out);
    lk_sq_col_fixed(s, 0, out->id_hash, sizeof out->id_hash);
    lk_sq_col_fixed(s, 1, out->user_id, sizeof out->user_id);
    out->created_at = sqlite3_column_int64(s, 2);
    out->expires_at = sqlite3_column_int64(s, 3);
    *last_seen = sqlite3_column_int64(s, 4);
    lk_sq_done(s);
    return 0;
}

static const char sql_session_touch[] =
    "UPDATE sessions SET last_seen_at = ?2 WHERE id_hash = ?1 AND (last_seen_at IS NULL OR last_seen_at < ?2)";

static int sq_session_touch(lk_store_t *st, const char *id_hash, int64_t at)
{
    if (!st || !id_hash)
        return LK_EINVAL;
    return lk_sq_exec(st, lk_sq_prepare_bind(st, sql_session_touch, "session_touch", "ti", id_hash, at),
                      "session_touch");
}

static const char sql_session_delete_user[] =
    "DELETE FROM sessions WHERE user_id = ?1 AND (?2 IS NULL OR id_hash <> ?2)";

static int sq_session_delete_user(lk_store_t *st, const char *user_id, const char *keep, int64_t *deleted)
{
    if (deleted)
        *deleted = 0;
    if (!st || !user_id)
        return LK_EINVAL;
    return lk_sq_exec_count(st,
                            lk_sq_prepare_bind(st, sql_session_delete_user, "session_delete_user", "tt", user_id, keep),
                            "session_delete_user", deleted);
}

static const char sql_session_purge_idle[] = "DELETE FROM sessions WHERE COALESCE(last_seen_at, created_at) <= ?1";

/* Runs the DELETE sql with ?1 = before; *deleted (when not NULL) gets the
 * rows it deleted. */
static int purge_before(lk_store_t *st, const char *sql, const char *what, int64_t before, int64_t *deleted)
{
    if (deleted)
        *deleted = 0;
    if (!st)
        return LK_EINVAL;
    return lk_sq_exec_count(st, lk_sq_prepare_bind(st, sql, what, "i", before), what, deleted);
}

static int sq_session_purge_idle(lk_store_t *st, int64_t idle_since, int64_t *deleted)
{
    return purge_before(st, sql_session_purge_idle, "session_purge_idle", idle_since, deleted);
}

/* ---- accounts ------------------------------------------------------------ */

static const char sql_user_update[] = "UPDATE users SET role = ?2, display_name = ?3, disabled = ?4 WHERE id = ?1";

static int sq_user_update(lk_store_t *st, const lk_user_t *u)
{
    if (!st || !u || !u->id[0] || !lk_role_name(u->role)[0])
        return LK_EINVAL;
    return lk_sq_exec_changed(st,
                              lk_sq_prepare_bind(st, sql_user_update, "user_update", "tttn", u->id,
                                                 lk_role_name(u->role), u->display_name, u->disabled ? 1 : 0),
                              "user_update");
}

static const char sql_user_password[] = "UPDATE users SET password_hash = ?2 WHERE id = ?1";

static int sq_user_set_password(lk_store_t *st, const char *id, const char *password_hash)
{
    if (!st || !id || !password_hash || !password_hash[0])
        return LK_EINVAL;
    return lk_sq_exec_changed(st,
                              lk_sq_prepare_bind(st, sql_user_password, "user_set_password", "tt", id, password_hash),
                              "user_set_password");
}

/* ---- the second factor -------------------------------------------------- */

static const char sql_totp_get[] = "SELECT totp_secret, totp_enabled, totp_last_step FROM users WHERE id = ?1";

static int sq_user_totp_get(lk_store_t *st, const char *user_id, lk_totp_t *out)
{
    if (!st || !user_id || !out)
        return LK_EINVAL;
    memset(out, 0, sizeof *out);
    sqlite3_stmt *s = lk_sq_prepare_bind(st, sql_totp_get, "user_totp_get", "t", user_id);
    int r = lk_sq_find(st, s, "user_totp_get");
    if (r)
        return r;
    out->secret = lk_sq_col_dup(s, 0);
    out->enabled = sqlite3_column_int(s, 1) != 0;
    out->last_step = sqlite3_column_int64(s, 2);
    lk_sq_done(s);
    return 0;
}

static const char sql_totp_set[] =
    "UPDATE users SET totp_secret = ?2, totp_enabled = ?3, totp_last_step = NULL WHERE id = ?1";

static int sq_user_totp_set(lk_store_t *st, const char *user_id, const char *secret, bool enabled)
{
    if (!st || !user_id || (enabled && !secret))
        return LK_EINVAL;
    return lk_sq_exec_changed(
        st, lk_sq_prepare_bind(st, sql_totp_set, "user_totp_set", "ttn", user_id, secret, enabled ? 1 : 0),
        "user_totp_set");
}

static const char sql_totp_use[] =
    "UPDATE users SET totp_last_step = ?2 WHERE id = ?1 AND (totp_last_step IS NULL OR totp_last_step < ?2)";
static const char sql_user_exists[] = "SELECT 1 FROM users WHERE id = ?1";

static int sq_user_totp_use(lk_store_t *st, const char *user_id, int64_t step)
{
    if (!st || !user_id || step <= 0)
        return LK_EINVAL;
    sqlite3_stmt *s = lk_sq_prepare_bind(st, sql_totp_use, "user_totp_use", "ti", user_id, step);
    int rc = lk_sq_exec(st, s, "user_totp_use");
    if (rc || sqlite3_changes(lk_sq_db(st)) > 0)
        return rc;
    s = lk_sq_prepare_bind(st, sql_user_exists, "user_exists", "t", user_id);
    int r = lk_sq_row(st, s, "user_exists");
    if (r < 0)
        return r;
    if (r == 1)
        lk_sq_done(s);
    return r == 1 ? LK_EEXIST : LK_ENOENT;
}

/* ---- open conversations per client -------------------------------------- */

static const char sql_count_open_client[] = "SELECT COUNT(*), MIN(updated_at) FROM conversations "
                                            "WHERE client_hash = ?1 AND status <> 'closed' AND updated_at > ?2";

static int sq_conv_count_open_by_client(lk_store_t *st, const char *client_hash, int64_t active_since, int64_t *n,
                                       int64_t *oldest)
{
    if (!st || !client_hash || !client_hash[0] || !n || !oldest)
        return LK_EINVAL;
    *n = 0;
    *oldest = 0;
    sqlite3_stmt *s =
        lk_sq_prepare_bind(st, sql_count_open_client, "conv_count_open_by_client", "ti", client_hash, active_since);
    int r = lk_sq_row(st, s, "conv_count_open_by_client");
    if (r <= 0)
        return r < 0 ? r : LK_EDB;
    *n = sqlite3_column_int64(s, 0);
    *oldest = sqlite3_column_type(s, 1) == SQLITE_NULL ? 0 : sqlite3_column_int64(s, 1);
    lk_sq_done(s);
    return 0;
}

/* ---- known login addresses (issue 16) ------------------------------------ */

static const char sql_login_known[] =
    "SELECT 1 FROM login_addresses WHERE user_id = ?1 AND addr_hash = ?2 AND last_at >= ?3";

static int sq_login_address_known(lk_store_t *st, const char *user_id, const char *addr_hash, int64_t since,
                                 bool *known)
{
    if (!st || !user_id || !addr_hash || !known)
        return LK_EINVAL;
    *known = false;
    sqlite3_stmt *s = lk_sq_prepare_bind(st, sql_login_known, "login_address_known", "tti", user_id, addr_hash, since);
    int r = lk_sq_row(st, s, "login_address_known");
    if (r < 0)
        return r;
    if (r == 1)
        lk_sq_done(s);
    *known = r == 1;
    return 0;
}

static const char sql_login_note[] =
    "INSERT INTO login_addresses (user_id, addr_hash, last_at) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (user_id, addr_hash) DO UPDATE SET last_at = MAX(last_at, excluded.last_at)";
static const char sql_login_forget[] = "DELETE FROM login_addresses WHERE user_id = ?1 AND last_at < ?2";

static int sq_login_address_note(lk_store_t *st, const char *user_id, const char *addr_hash, int64_t now,
                                int64_t forget_before)
{
    if (!st || !user_id || !addr_hash || !addr_hash[0])
        return LK_EINVAL;
    sqlite3_stmt *s = lk_sq_prepare_bind(st, sql_login_note, "login_address_note", "tti", user_id, addr_hash, now);
    int rc = lk_sq_exec(st, s, "login_address_note");
    if (rc)
        return rc;
    s = lk_sq_prepare_bind(st, sql_login_forget, "login_address_forget", "ti", user_id, forget_before);
    return lk_sq_exec(st, s, "login_address_forget");
}

/* ---- security events (issue 16) ----------------------------------------- */

static const char sql_secevent_add[] =
    "INSERT INTO security_events (at, kind, address, account, reason, route) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

static int sq_secevent_add(lk_store_t *st, lk_secevent_t *e)
{
    if (!st || !e || !lk_sec_kind_name(e->kind)[0] || !e->reason)
        return LK_EINVAL;
    sqlite3_stmt *s = lk_sq_prepare_bind(st, sql_secevent_add, "secevent_add", "itfttf", e->at,
                                         lk_sec_kind_name(e->kind), e->address, e->account, e->reason, e->route);
    int rc = lk_sq_exec(st, s, "secevent_add");
    if (rc == 0)
        e->id = sqlite3_last_insert_rowid(lk_sq_db(st));
    return rc;
}

static const char sql_secevent_list[] =
    "SELECT id, at, kind, address, account, reason, route FROM security_events "
    "WHERE (?1 IS NULL OR kind = ?1) AND (?2 = 0 OR id < ?2) ORDER BY id DESC LIMIT ?3";

/* Reads a sql_secevent_list row into row (an lk_secevent_t). */
static int read_secevent(sqlite3_stmt *s, void *row)
{
    lk_secevent_t *e = row;
    e->id = sqlite3_column_int64(s, 0);
    e->at = sqlite3_column_int64(s, 1);
    lk_sec_kind_parse(lk_sq_col_text(s, 2), &e->kind);
    lk_sq_col_fixed(s, 3, e->address, sizeof e->address);
    e->account = lk_sq_col_dup(s, 4);
    e->reason = lk_sq_col_dup(s, 5);
    lk_sq_col_fixed(s, 6, e->route, sizeof e->route);
    return 0;
}

static int sq_secevent_list(lk_store_t *st, lk_sec_kind_t kind, int64_t before_id, size_t limit, lk_secevent_t **out,
                            size_t *n)
{
    if (!st || !out || !n || limit == 0)
        return LK_EINVAL;
    sqlite3_stmt *s = lk_sq_prepare_bind(st, sql_secevent_list, "secevent_list", "fii", lk_sec_kind_name(kind),
                                         before_id, (int64_t)limit);
    return lk_sq_rows(st, s, "secevent_list", LK_SQ_ROW_SECEVENT, read_secevent, out, n);
}

static const char sql_secevent_purge[] = "DELETE FROM security_events WHERE at < ?1";

static int sq_secevent_purge(lk_store_t *st, int64_t before, int64_t *deleted)
{
    return purge_before(st, sql_secevent_purge, "secevent_purge", before, deleted);
}

const lk_store_security_ops_t lk_sq_security_ops = {LK_STORE_SECURITY_OPS(LK_SQ_OP_INIT)};
