/*
 * store: the public functions of store.h. lk_store_open chooses the backend
 * from the location it is given; every other function checks the handle and
 * calls its backend's operation (backend.h). Nothing here touches a database.
 */
#include "store/store.h"

#include "store/backend.h"
#include "store/store_int.h"
#include "util/util.h"

#include <string.h>

/* URL schemes of a PostgreSQL server; the PostgreSQL backend is not built
 * in yet (the next issue adds it). */
static bool is_postgres_url(const char *location)
{
    return strncmp(location, "postgres://", 11) == 0 || strncmp(location, "postgresql://", 13) == 0;
}

int lk_store_open(const char *location, lk_store_t **out, bool *created)
{
    if (!location || !location[0] || !out)
        return LK_EINVAL;
    if (is_postgres_url(location)) {
        *out = NULL;
        if (created)
            *created = false;
        LK_ERROR("store", "database: PostgreSQL is not built in yet; use a path to the SQLite data directory");
        return LK_ECONFIG;
    }
    return lk_sq_open(location, out, created);
}

void lk_store_close(lk_store_t *st)
{
    if (st)
        st->ops->close(st);
}

const char *lk_store_backend(const lk_store_t *st)
{
    return st ? st->ops->name : NULL;
}

int lk_store_schema_version(void)
{
    return (int)lk_store__n_migrations;
}

/* ---- base ------------------------------------------------------------------ */

int lk_store_set_autocheckpoint(lk_store_t *st, bool on)
{
    return st ? st->ops->base->set_autocheckpoint(st, on) : LK_EINVAL;
}

int lk_store_checkpoint_truncate(lk_store_t *st)
{
    return st ? st->ops->base->checkpoint_truncate(st) : LK_EINVAL;
}

int lk_store_checkpoint(lk_store_t *st, int64_t *pages_left /* OUT */)
{
    return st ? st->ops->base->checkpoint(st, pages_left) : LK_EINVAL;
}

int lk_store_begin(lk_store_t *st)
{
    return st ? st->ops->base->begin(st) : LK_EINVAL;
}

int lk_store_commit(lk_store_t *st)
{
    return st ? st->ops->base->commit(st) : LK_EINVAL;
}

int lk_store_rollback(lk_store_t *st)
{
    return st ? st->ops->base->rollback(st) : LK_EINVAL;
}

int lk_store_savepoint(lk_store_t *st, const char *name)
{
    return st ? st->ops->base->savepoint(st, name) : LK_EINVAL;
}

int lk_store_release(lk_store_t *st, const char *name)
{
    return st ? st->ops->base->release(st, name) : LK_EINVAL;
}

int lk_store_rollback_to(lk_store_t *st, const char *name)
{
    return st ? st->ops->base->rollback_to(st, name) : LK_EINVAL;
}

/* ---- conv ------------------------------------------------------------------ */

int lk_store_conv_insert(lk_store_t *st, const lk_conv_t *c)
{
    return st ? st->ops->conv->conv_insert(st, c) : LK_EINVAL;
}

int lk_store_conv_get(lk_store_t *st, const char *id, lk_conv_t *out /* OUT */)
{
    return st ? st->ops->conv->conv_get(st, id, out) : LK_EINVAL;
}

int lk_store_conv_update(lk_store_t *st, const lk_conv_t *c)
{
    return st ? st->ops->conv->conv_update(st, c) : LK_EINVAL;
}

int lk_store_conv_list_queued(lk_store_t *st, size_t limit, lk_conv_t **out /* OUT */, size_t *n /* OUT */)
{
    return st ? st->ops->conv->conv_list_queued(st, limit, out, n) : LK_EINVAL;
}

int lk_store_conv_list_assigned(lk_store_t *st, const char *user_id, size_t limit, lk_conv_t **out /* OUT */,
                                size_t *n /* OUT */)
{
    return st ? st->ops->conv->conv_list_assigned(st, user_id, limit, out, n) : LK_EINVAL;
}

int lk_store_conv_queue_position(lk_store_t *st, const char *id, int64_t *pos /* OUT */)
{
    return st ? st->ops->conv->conv_queue_position(st, id, pos) : LK_EINVAL;
}

int lk_store_msg_insert(lk_store_t *st, const lk_msg_t *m)
{
    return st ? st->ops->conv->msg_insert(st, m) : LK_EINVAL;
}

int lk_store_msg_list(lk_store_t *st, const char *conversation_id, int64_t after_seq, size_t limit,
                      lk_msg_t **out /* OUT */, size_t *n /* OUT */)
{
    return st ? st->ops->conv->msg_list(st, conversation_id, after_seq, limit, out, n) : LK_EINVAL;
}

int lk_store_msg_list_recent(lk_store_t *st, const char *conversation_id, const char *sender, size_t limit,
                             lk_msg_t **out /* OUT */, size_t *n /* OUT */)
{
    return st ? st->ops->conv->msg_list_recent(st, conversation_id, sender, limit, out, n) : LK_EINVAL;
}

int lk_store_conv_list(lk_store_t *st, const char *status, const char *assigned_to, size_t limit,
                       lk_conv_t **out /* OUT */, size_t *n /* OUT */)
{
    return st ? st->ops->conv->conv_list(st, status, assigned_to, limit, out, n) : LK_EINVAL;
}

int lk_store_conv_count_queued(lk_store_t *st, int64_t *n /* OUT */)
{
    return st ? st->ops->conv->conv_count_queued(st, n) : LK_EINVAL;
}

int lk_store_recent_waits(lk_store_t *st, int64_t since, size_t limit, int64_t **out /* OUT */, size_t *n /* OUT */)
{
    return st ? st->ops->conv->recent_waits(st, since, limit, out, n) : LK_EINVAL;
}

int lk_store_note_insert(lk_store_t *st, const lk_note_t *note)
{
    return st ? st->ops->conv->note_insert(st, note) : LK_EINVAL;
}

int lk_store_note_list(lk_store_t *st, const char *conversation_id, lk_note_t **out /* OUT */, size_t *n /* OUT */)
{
    return st ? st->ops->conv->note_list(st, conversation_id, out, n) : LK_EINVAL;
}

int lk_store_callback_insert(lk_store_t *st, const lk_callback_t *cb)
{
    return st ? st->ops->conv->callback_insert(st, cb) : LK_EINVAL;
}

int lk_store_callback_list(lk_store_t *st, const char *status, size_t limit, lk_callback_t **out /* OUT */,
                           size_t *n /* OUT */)
{
    return st ? st->ops->conv->callback_list(st, status, limit, out, n) : LK_EINVAL;
}

int lk_store_callback_done(lk_store_t *st, const char *id, const char *user_id, int64_t now)
{
    return st ? st->ops->conv->callback_done(st, id, user_id, now) : LK_EINVAL;
}

int lk_store_feedback_set(lk_store_t *st, const char *conversation_id, const char *message_id, bool helpful,
                          int64_t now)
{
    return st ? st->ops->conv->feedback_set(st, conversation_id, message_id, helpful, now) : LK_EINVAL;
}

int lk_store_feedback_get(lk_store_t *st, const char *message_id, int *helpful /* OUT */)
{
    return st ? st->ops->conv->feedback_get(st, message_id, helpful) : LK_EINVAL;
}

int lk_store_msg_get(lk_store_t *st, const char *message_id, lk_msg_t *out /* OUT */)
{
    return st ? st->ops->conv->msg_get(st, message_id, out) : LK_EINVAL;
}

int lk_store_msg_last_choices(lk_store_t *st, const char *conversation_id, lk_msg_t *out /* OUT */)
{
    return st ? st->ops->conv->msg_last_choices(st, conversation_id, out) : LK_EINVAL;
}

/* ---- users ----------------------------------------------------------------- */

int lk_store_user_insert(lk_store_t *st, const lk_user_t *u)
{
    return st ? st->ops->users->user_insert(st, u) : LK_EINVAL;
}

int lk_store_user_get_by_email(lk_store_t *st, const char *email, lk_user_t *out /* OUT */)
{
    return st ? st->ops->users->user_get_by_email(st, email, out) : LK_EINVAL;
}

int lk_store_user_get(lk_store_t *st, const char *id, lk_user_t *out /* OUT */)
{
    return st ? st->ops->users->user_get(st, id, out) : LK_EINVAL;
}

int lk_store_session_insert(lk_store_t *st, const lk_session_t *s)
{
    return st ? st->ops->users->session_insert(st, s) : LK_EINVAL;
}

int lk_store_session_delete(lk_store_t *st, const char *id_hash)
{
    return st ? st->ops->users->session_delete(st, id_hash) : LK_EINVAL;
}

int lk_store_session_purge(lk_store_t *st, int64_t now, int64_t *deleted /* OUT */)
{
    return st ? st->ops->users->session_purge(st, now, deleted) : LK_EINVAL;
}

int lk_store_audit(lk_store_t *st, int64_t at, const char *actor, const char *action, const char *conversation_id,
                   const char *detail)
{
    return st ? st->ops->users->audit(st, at, actor, action, conversation_id, detail) : LK_EINVAL;
}

int lk_store_audit_count(lk_store_t *st, const char *action, int64_t *n /* OUT */)
{
    return st ? st->ops->users->audit_count(st, action, n) : LK_EINVAL;
}

int lk_store_user_list(lk_store_t *st, lk_user_t **out /* OUT */, size_t *n /* OUT */)
{
    return st ? st->ops->users->user_list(st, out, n) : LK_EINVAL;
}

int lk_store_session_count_users(lk_store_t *st, int64_t now, int64_t *n /* OUT */)
{
    return st ? st->ops->users->session_count_users(st, now, n) : LK_EINVAL;
}

/* ---- kb -------------------------------------------------------------------- */

int lk_store_draft_insert(lk_store_t *st, const lk_draft_t *d)
{
    return st ? st->ops->kb->draft_insert(st, d) : LK_EINVAL;
}

int lk_store_draft_get(lk_store_t *st, const char *id, lk_draft_t *out /* OUT */)
{
    return st ? st->ops->kb->draft_get(st, id, out) : LK_EINVAL;
}

int lk_store_draft_list(lk_store_t *st, const char *status, size_t limit, lk_draft_t **out /* OUT */,
                        size_t *n /* OUT */)
{
    return st ? st->ops->kb->draft_list(st, status, limit, out, n) : LK_EINVAL;
}

int lk_store_draft_update(lk_store_t *st, const lk_draft_t *d)
{
    return st ? st->ops->kb->draft_update(st, d) : LK_EINVAL;
}

int lk_store_draft_finish(lk_store_t *st, const char *id, const char *status, const char *article_id, int64_t now)
{
    return st ? st->ops->kb->draft_finish(st, id, status, article_id, now) : LK_EINVAL;
}

int lk_store_article_list(lk_store_t *st, const char *status, lk_article_rec_t **out /* OUT */, size_t *n /* OUT */)
{
    return st ? st->ops->kb->article_list(st, status, out, n) : LK_EINVAL;
}

int lk_store_kb_export(lk_store_t *st, lk_kb_t *out /* OUT */)
{
    return st ? st->ops->kb->kb_export(st, out) : LK_EINVAL;
}

int lk_store_article_get(lk_store_t *st, const char *id, lk_article_rec_t *out /* OUT */)
{
    return st ? st->ops->kb->article_get(st, id, out) : LK_EINVAL;
}

int lk_store_kb_pristine(lk_store_t *st, bool *pristine /* OUT */)
{
    return st ? st->ops->kb->kb_pristine(st, pristine) : LK_EINVAL;
}

int lk_store_article_publish(lk_store_t *st, const lk_article_t *a, bool create, const char *by, int64_t now,
                             int64_t *version /* OUT */)
{
    return st ? st->ops->kb->article_publish(st, a, create, by, now, version) : LK_EINVAL;
}

int lk_store_article_set_archived(lk_store_t *st, const char *id, bool archived, const char *by, int64_t now,
                                  int64_t *version /* OUT */)
{
    return st ? st->ops->kb->article_set_archived(st, id, archived, by, now, version) : LK_EINVAL;
}

int lk_store_article_versions(lk_store_t *st, const char *id, size_t limit, lk_article_version_t **out /* OUT */,
                              size_t *n /* OUT */)
{
    return st ? st->ops->kb->article_versions(st, id, limit, out, n) : LK_EINVAL;
}

int lk_store_kb_import_as(lk_store_t *st, const lk_kb_t *kb, bool replace, const char *by, int64_t now,
                          lk_kb_import_counts_t *counts /* OUT */)
{
    return st ? st->ops->kb->kb_import_as(st, kb, replace, by, now, counts) : LK_EINVAL;
}

int lk_store_kb_import(lk_store_t *st, const lk_kb_t *kb, bool replace, int64_t now)
{
    return st ? st->ops->kb->kb_import(st, kb, replace, now) : LK_EINVAL;
}

int lk_store_kb_load(lk_store_t *st, lk_kb_t *out /* OUT */)
{
    return st ? st->ops->kb->kb_load(st, out) : LK_EINVAL;
}

int lk_store_kb_version(lk_store_t *st, int64_t *version /* OUT */)
{
    return st ? st->ops->kb->kb_version(st, version) : LK_EINVAL;
}

/* ---- assist ---------------------------------------------------------------- */

int lk_store_canned_insert(lk_store_t *st, const lk_canned_t *c)
{
    return st ? st->ops->assist->canned_insert(st, c) : LK_EINVAL;
}

int lk_store_canned_get(lk_store_t *st, const char *id, lk_canned_t *out /* OUT */)
{
    return st ? st->ops->assist->canned_get(st, id, out) : LK_EINVAL;
}

int lk_store_canned_update(lk_store_t *st, const lk_canned_t *c)
{
    return st ? st->ops->assist->canned_update(st, c) : LK_EINVAL;
}

int lk_store_canned_archive(lk_store_t *st, const char *id, int64_t now)
{
    return st ? st->ops->assist->canned_archive(st, id, now) : LK_EINVAL;
}

int lk_store_canned_list(lk_store_t *st, const char *language, size_t limit, lk_canned_t **out /* OUT */,
                         size_t *n /* OUT */)
{
    return st ? st->ops->assist->canned_list(st, language, limit, out, n) : LK_EINVAL;
}

int lk_store_conv_history(lk_store_t *st, const char *email, const char *external_id, const char *exclude_id,
                          size_t limit, lk_conv_t **out /* OUT */, size_t *n /* OUT */)
{
    return st ? st->ops->assist->conv_history(st, email, external_id, exclude_id, limit, out, n) : LK_EINVAL;
}

/* ---- console --------------------------------------------------------------- */

int lk_store_user_language_get(lk_store_t *st, const char *user_id, char *out /* OUT */, size_t size)
{
    return st ? st->ops->console->user_language_get(st, user_id, out, size) : LK_EINVAL;
}

int lk_store_user_language_set(lk_store_t *st, const char *user_id, const char *language)
{
    return st ? st->ops->console->user_language_set(st, user_id, language) : LK_EINVAL;
}

int lk_store_conv_set_topic(lk_store_t *st, const char *conv_id, const char *topic, bool *set /* OUT */)
{
    return st ? st->ops->console->conv_set_topic(st, conv_id, topic, set) : LK_EINVAL;
}

int lk_store_conv_identifier_add(lk_store_t *st, const char *conv_id, const char *kind, const char *value, int64_t now)
{
    return st ? st->ops->console->conv_identifier_add(st, conv_id, kind, value, now) : LK_EINVAL;
}

int lk_store_canned_count_all(lk_store_t *st, int64_t *n /* OUT */)
{
    return st ? st->ops->console->canned_count_all(st, n) : LK_EINVAL;
}

/* ---- insights -------------------------------------------------------------- */

int lk_store_meta_get(lk_store_t *st, const char *key, char **value /* OUT */)
{
    return st ? st->ops->insights->meta_get(st, key, value) : LK_EINVAL;
}

int lk_store_meta_set(lk_store_t *st, const char *key, const char *value)
{
    return st ? st->ops->insights->meta_set(st, key, value) : LK_EINVAL;
}

int lk_store_gap_messages(lk_store_t *st, int64_t from, int64_t to, const char *language, size_t limit,
                          lk_gap_msg_t **out /* OUT */, size_t *n /* OUT */)
{
    return st ? st->ops->insights->gap_messages(st, from, to, language, limit, out, n) : LK_EINVAL;
}

int lk_store_review_set(lk_store_t *st, const lk_review_t *r)
{
    return st ? st->ops->insights->review_set(st, r) : LK_EINVAL;
}

int lk_store_review_list_conv(lk_store_t *st, const char *conversation_id, lk_review_t **out /* OUT */,
                              size_t *n /* OUT */)
{
    return st ? st->ops->insights->review_list_conv(st, conversation_id, out, n) : LK_EINVAL;
}

int lk_store_review_list(lk_store_t *st, int64_t from, int64_t to, size_t limit, lk_review_t **out /* OUT */,
                         size_t *n /* OUT */)
{
    return st ? st->ops->insights->review_list(st, from, to, limit, out, n) : LK_EINVAL;
}

int lk_store_review_counts(lk_store_t *st, int64_t from, int64_t to, lk_review_count_t **out /* OUT, free() */,
                           size_t *n /* OUT */)
{
    return st ? st->ops->insights->review_counts(st, from, to, out, n) : LK_EINVAL;
}

int lk_store_review_queue(lk_store_t *st, size_t limit, lk_review_todo_t **out /* OUT */, size_t *n /* OUT */)
{
    return st ? st->ops->insights->review_queue(st, limit, out, n) : LK_EINVAL;
}

/* ---- privacy --------------------------------------------------------------- */

int lk_store_privacy_export(lk_store_t *st, const lk_privacy_subject_t *who, int64_t now, char **json /* OUT */,
                            lk_privacy_counts_t *counts /* OUT, may be NULL */)
{
    return st ? st->ops->privacy->privacy_export(st, who, now, json, counts) : LK_EINVAL;
}

int lk_store_privacy_erase_conv(lk_store_t *st, const char *conv_id, lk_privacy_counts_t *counts /* OUT, may be NULL */)
{
    return st ? st->ops->privacy->privacy_erase_conv(st, conv_id, counts) : LK_EINVAL;
}

int lk_store_privacy_erase(lk_store_t *st, const lk_privacy_subject_t *who, lk_privacy_counts_t *counts /* OUT */)
{
    return st ? st->ops->privacy->privacy_erase(st, who, counts) : LK_EINVAL;
}

int lk_store_privacy_purge(lk_store_t *st, const lk_purge_cutoffs_t *cut, size_t batch,
                           lk_privacy_counts_t *counts /* IN/OUT */, bool *more /* OUT */)
{
    return st ? st->ops->privacy->privacy_purge(st, cut, batch, counts, more) : LK_EINVAL;
}

int lk_store_privacy_purge_count(lk_store_t *st, const lk_purge_cutoffs_t *cut, lk_privacy_counts_t *counts /* OUT */)
{
    return st ? st->ops->privacy->privacy_purge_count(st, cut, counts) : LK_EINVAL;
}

int lk_store_audit_list(lk_store_t *st, const lk_audit_query_t *q, lk_audit_rec_t **out /* OUT */, size_t *n /* OUT */)
{
    return st ? st->ops->privacy->audit_list(st, q, out, n) : LK_EINVAL;
}

/* ---- security -------------------------------------------------------------- */

int lk_store_session_get_active(lk_store_t *st, const char *id_hash, int64_t now, int64_t idle_since,
                                lk_session_t *out /* OUT */, int64_t *last_seen /* OUT */)
{
    return st ? st->ops->security->session_get_active(st, id_hash, now, idle_since, out, last_seen) : LK_EINVAL;
}

int lk_store_session_touch(lk_store_t *st, const char *id_hash, int64_t at)
{
    return st ? st->ops->security->session_touch(st, id_hash, at) : LK_EINVAL;
}

int lk_store_session_delete_user(lk_store_t *st, const char *user_id, const char *keep, int64_t *deleted /* OUT */)
{
    return st ? st->ops->security->session_delete_user(st, user_id, keep, deleted) : LK_EINVAL;
}

int lk_store_session_purge_idle(lk_store_t *st, int64_t idle_since, int64_t *deleted /* OUT */)
{
    return st ? st->ops->security->session_purge_idle(st, idle_since, deleted) : LK_EINVAL;
}

int lk_store_user_update(lk_store_t *st, const lk_user_t *u)
{
    return st ? st->ops->security->user_update(st, u) : LK_EINVAL;
}

int lk_store_user_set_password(lk_store_t *st, const char *id, const char *password_hash)
{
    return st ? st->ops->security->user_set_password(st, id, password_hash) : LK_EINVAL;
}

int lk_store_user_totp_get(lk_store_t *st, const char *user_id, lk_totp_t *out /* OUT */)
{
    return st ? st->ops->security->user_totp_get(st, user_id, out) : LK_EINVAL;
}

int lk_store_user_totp_set(lk_store_t *st, const char *user_id, const char *secret, bool enabled)
{
    return st ? st->ops->security->user_totp_set(st, user_id, secret, enabled) : LK_EINVAL;
}

int lk_store_user_totp_use(lk_store_t *st, const char *user_id, int64_t step)
{
    return st ? st->ops->security->user_totp_use(st, user_id, step) : LK_EINVAL;
}

int lk_store_conv_count_open_by_client(lk_store_t *st, const char *client_hash, int64_t active_since,
                                       int64_t *n /* OUT */, int64_t *oldest /* OUT */)
{
    return st ? st->ops->security->conv_count_open_by_client(st, client_hash, active_since, n, oldest) : LK_EINVAL;
}

int lk_store_login_address_known(lk_store_t *st, const char *user_id, const char *addr_hash, int64_t since,
                                 bool *known /* OUT */)
{
    return st ? st->ops->security->login_address_known(st, user_id, addr_hash, since, known) : LK_EINVAL;
}

int lk_store_login_address_note(lk_store_t *st, const char *user_id, const char *addr_hash, int64_t now,
                                int64_t forget_before)
{
    return st ? st->ops->security->login_address_note(st, user_id, addr_hash, now, forget_before) : LK_EINVAL;
}

int lk_store_secevent_add(lk_store_t *st, lk_secevent_t *e /* id set */)
{
    return st ? st->ops->security->secevent_add(st, e) : LK_EINVAL;
}

int lk_store_secevent_list(lk_store_t *st, const char *kind, int64_t before_id, size_t limit,
                           lk_secevent_t **out /* OUT */, size_t *n /* OUT */)
{
    return st ? st->ops->security->secevent_list(st, kind, before_id, limit, out, n) : LK_EINVAL;
}

int lk_store_secevent_purge(lk_store_t *st, int64_t before, int64_t *deleted /* OUT */)
{
    return st ? st->ops->security->secevent_purge(st, before, deleted) : LK_EINVAL;
}

/* ---- analytics ------------------------------------------------------------- */

int lk_store_conv_facts(lk_store_t *st, const lk_facts_filter_t *f, int (*fn)(const lk_conv_facts_t *c, void *ud),
                        void *ud)
{
    return st ? st->ops->analytics->conv_facts(st, f, fn, ud) : LK_EINVAL;
}

int lk_store_agent_msg_counts(lk_store_t *st, const lk_facts_filter_t *f, lk_agent_msg_count_t **out /* OUT */,
                              size_t *n /* OUT */)
{
    return st ? st->ops->analytics->agent_msg_counts(st, f, out, n) : LK_EINVAL;
}

int lk_store_answered_articles(lk_store_t *st, const lk_facts_filter_t *f,
                               int (*fn)(const char *conversation_id, const char *article_id, void *ud), void *ud)
{
    return st ? st->ops->analytics->answered_articles(st, f, fn, ud) : LK_EINVAL;
}

int lk_store_first_messages(lk_store_t *st, const lk_facts_filter_t *f, int (*fn)(const lk_report_msg_t *m, void *ud),
                            void *ud)
{
    return st ? st->ops->analytics->first_messages(st, f, fn, ud) : LK_EINVAL;
}

int lk_store_decline_messages(lk_store_t *st, const lk_facts_filter_t *f, int (*fn)(const lk_report_msg_t *m, void *ud),
                              void *ud)
{
    return st ? st->ops->analytics->decline_messages(st, f, fn, ud) : LK_EINVAL;
}

int lk_store_bot_labels(lk_store_t *st, const lk_facts_filter_t *f, int64_t *total /* OUT */,
                        int64_t *labelled /* OUT */, int (*fn)(const lk_report_msg_t *m, void *ud), void *ud)
{
    return st ? st->ops->analytics->bot_labels(st, f, total, labelled, fn, ud) : LK_EINVAL;
}

int lk_store_callbacks_between(lk_store_t *st, int64_t from, int64_t to, lk_callback_t **out /* OUT */,
                               size_t *n /* OUT */)
{
    return st ? st->ops->analytics->callbacks_between(st, from, to, out, n) : LK_EINVAL;
}
