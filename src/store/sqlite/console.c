/*
 * The SQLite side of the console's own data (issue 14): a user's console
 * language, a conversation's topic (what titles it when the customer is
 * unknown), and the personal identifiers found in a conversation's messages
 * (normalised e-mail addresses and phone numbers) that make it findable for
 * a data-subject request (docs/privacy.md). Identifiers hang off their
 * conversation (conv_tables[] in privacy.c lists the table), so
 * erasure and the retention purge remove them with it.
 */
#include "store/sqlite/sqlite_int.h"
#include "util/util.h"

#include <string.h>

static const char sql_lang_get[] = "SELECT language FROM users WHERE id = ?1";
static const char sql_lang_set[] = "UPDATE users SET language = ?2 WHERE id = ?1";

static int sq_user_language_get(lk_store_t *st, const char *user_id, char *out, size_t size)
{
    if (!st || !user_id || !out || size == 0)
        return LK_EINVAL;
    out[0] = '\0';
    sqlite3_stmt *s = lk_sq_prepare_bind(st, sql_lang_get, "user_language_get", "t", user_id);
    int r = lk_sq_find(st, s, "user_language_get");
    if (r)
        return r;
    lk_sq_col_fixed(s, 0, out, size);
    lk_sq_done(s);
    return 0;
}

static int sq_user_language_set(lk_store_t *st, const char *user_id, const char *language)
{
    if (!st || !user_id)
        return LK_EINVAL;
    return lk_sq_exec_changed(st,
                              lk_sq_prepare_bind(st, sql_lang_set, "user_language_set", "tt", user_id,
                                                 language && language[0] ? language : NULL),
                              "user_language_set");
}

static const char sql_topic_set[] = "UPDATE conversations SET topic = ?2 WHERE id = ?1 AND topic IS NULL";

static int sq_conv_set_topic(lk_store_t *st, const char *conv_id, const char *topic, bool *set)
{
    if (set)
        *set = false;
    if (!st || !conv_id || !topic || !topic[0])
        return LK_EINVAL;
    sqlite3_stmt *s = lk_sq_prepare_bind(st, sql_topic_set, "conv_set_topic", "tt", conv_id, topic);
    int rc = lk_sq_exec(st, s, "conv_set_topic");
    if (rc == 0 && set)
        *set = sqlite3_changes(lk_sq_db(st)) > 0;
    return rc;
}

static const char sql_ident_add[] = "INSERT INTO conversation_identifiers (conversation_id, kind, value, created_at) "
                                    "VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING";

static int sq_conv_identifier_add(lk_store_t *st, const char *conv_id, const char *kind, const char *value,
                                 int64_t now)
{
    if (!st || !conv_id || !kind || !kind[0] || !value || !value[0])
        return LK_EINVAL;
    return lk_sq_exec(st,
                      lk_sq_prepare_bind(st, sql_ident_add, "conv_identifier_add", "ttti", conv_id, kind, value, now),
                      "conv_identifier_add");
}

static const char sql_canned_count[] = "SELECT COUNT(*) FROM canned_responses";

static int sq_canned_count_all(lk_store_t *st, int64_t *n)
{
    if (!st || !n)
        return LK_EINVAL;
    *n = 0;
    sqlite3_stmt *s = lk_sq_prepare(st, sql_canned_count, "canned_count_all");
    return lk_sq_one_i64(st, s, "canned_count_all", n); /* a COUNT(*): always a row */
}

const lk_store_console_ops_t lk_sq_console_ops = {LK_STORE_CONSOLE_OPS(LK_SQ_OP_INIT)};
