/*
 * store backends: the operations table a backend fills in (for src/store/ and
 * the backends under it only; users of the store include store/store.h).
 *
 * A handle (lk_store_t) starts with a pointer to its backend's table; every
 * public lk_store_* function (store.c) checks the handle and calls the
 * operation of the same name through it, e.g. lk_store_conv_get(st, ...)
 * calls st->ops->conv->conv_get(st, ...). The table is grouped by feature,
 * one group per part of store.h, and a backend implements each group in its
 * own file (the SQLite backend: src/store/sqlite/<feature>.c). Each operation
 * has exactly the signature and the contract of its public function in
 * store.h, checking its arguments (LK_EINVAL) itself; the handle is never
 * NULL.
 *
 * How to add an operation and how to add a backend: docs/storage.md.
 */
#ifndef LK_STORE_BACKEND_H
#define LK_STORE_BACKEND_H

#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- the operations, one list per group, in the order of store.h ------ */

/* Each X(group, name, (parameters), (arguments)) is one operation: the
 * public function lk_store_<name>(parameters) of store.h and the member
 * <name> of the group's table with the same parameters. From these lists
 * come the group structs below, every public function in store.c and each
 * backend's tables (LK_SQ_OP_INIT in sqlite_int.h), so that an operation
 * added here and in store.h must be implemented by every backend before
 * loket builds. */

// clang-format off
#define LK_STORE_BASE_OPS(X)                                                               \
    X(base, set_autocheckpoint, (lk_store_t *st, bool on), (st, on))                       \
    X(base, checkpoint_truncate, (lk_store_t *st), (st))                                   \
    X(base, checkpoint, (lk_store_t *st, int64_t *pages_left /* OUT */), (st, pages_left)) \
    X(base, begin, (lk_store_t *st), (st))                                                 \
    X(base, commit, (lk_store_t *st), (st))                                                \
    X(base, rollback, (lk_store_t *st), (st))                                              \
    X(base, savepoint, (lk_store_t *st, const char *name), (st, name))                     \
    X(base, release, (lk_store_t *st, const char *name), (st, name))                       \
    X(base, rollback_to, (lk_store_t *st, const char *name), (st, name))

#define LK_STORE_CONV_OPS(X)                                                                                    \
    X(conv, conv_insert, (lk_store_t *st, const lk_conv_t *c), (st, c))                                         \
    X(conv, conv_get, (lk_store_t *st, const char *id, lk_conv_t *out /* OUT */), (st, id, out))                \
    X(conv, conv_update, (lk_store_t *st, const lk_conv_t *c), (st, c))                                         \
    X(conv, conv_list_queued,                                                                                   \
      (lk_store_t *st, size_t limit, lk_conv_t **out /* OUT */, size_t *n /* OUT */),                           \
      (st, limit, out, n))                                                                                      \
    X(conv, conv_list_assigned,                                                                                 \
      (lk_store_t *st, const char *user_id, size_t limit, lk_conv_t **out /* OUT */, size_t *n /* OUT */),      \
      (st, user_id, limit, out, n))                                                                             \
    X(conv, conv_queue_position, (lk_store_t *st, const char *id, int64_t *pos /* OUT */), (st, id, pos))       \
    X(conv, msg_insert, (lk_store_t *st, const lk_msg_t *m), (st, m))                                           \
    X(conv, msg_list,                                                                                           \
      (lk_store_t *st, const char *conversation_id, int64_t after_seq, size_t limit, lk_msg_t **out /* OUT */,  \
       size_t *n /* OUT */),                                                                                    \
      (st, conversation_id, after_seq, limit, out, n))                                                          \
    X(conv, msg_list_recent,                                                                                    \
      (lk_store_t *st, const char *conversation_id, lk_sender_t sender, size_t limit, lk_msg_t **out /* OUT */, \
       size_t *n /* OUT */),                                                                                    \
      (st, conversation_id, sender, limit, out, n))                                                             \
    X(conv, msg_texts_recent,                                                                                   \
      (lk_store_t *st, const char *conversation_id, lk_sender_t sender, size_t limit, char ***out /* OUT */,    \
       size_t *n /* OUT */),                                                                                    \
      (st, conversation_id, sender, limit, out, n))                                                             \
    X(conv, conv_list,                                                                                          \
      (lk_store_t *st, const lk_conv_status_t *status, const char *assigned_to, size_t limit,                   \
       lk_conv_t **out /* OUT */, size_t *n /* OUT */),                                                         \
      (st, status, assigned_to, limit, out, n))                                                                 \
    X(conv, conv_count_queued, (lk_store_t *st, int64_t *n /* OUT */), (st, n))                                 \
    X(conv, recent_waits,                                                                                       \
      (lk_store_t *st, int64_t since, size_t limit, int64_t **out /* OUT */, size_t *n /* OUT */),              \
      (st, since, limit, out, n))                                                                               \
    X(conv, note_insert, (lk_store_t *st, const lk_note_t *note), (st, note))                                   \
    X(conv, note_list,                                                                                          \
      (lk_store_t *st, const char *conversation_id, lk_note_t **out /* OUT */, size_t *n /* OUT */),            \
      (st, conversation_id, out, n))                                                                            \
    X(conv, callback_insert, (lk_store_t *st, const lk_callback_t *cb), (st, cb))                               \
    X(conv, callback_list,                                                                                      \
      (lk_store_t *st, lk_callback_status_t status, size_t limit, lk_callback_t **out /* OUT */,                \
       size_t *n /* OUT */),                                                                                    \
      (st, status, limit, out, n))                                                                              \
    X(conv, callback_done,                                                                                      \
      (lk_store_t *st, const char *id, const char *user_id, int64_t now),                                       \
      (st, id, user_id, now))                                                                                   \
    X(conv, feedback_set,                                                                                       \
      (lk_store_t *st, const char *conversation_id, const char *message_id, bool helpful, int64_t now),         \
      (st, conversation_id, message_id, helpful, now))                                                          \
    X(conv, feedback_get,                                                                                       \
      (lk_store_t *st, const char *message_id, int *helpful /* OUT */),                                         \
      (st, message_id, helpful))                                                                                \
    X(conv, msg_get, (lk_store_t *st, const char *message_id, lk_msg_t *out /* OUT */), (st, message_id, out))  \
    X(conv, msg_last_choices,                                                                                   \
      (lk_store_t *st, const char *conversation_id, lk_msg_t *out /* OUT */),                                   \
      (st, conversation_id, out))

#define LK_STORE_USERS_OPS(X)                                                                                    \
    X(users, user_insert, (lk_store_t *st, const lk_user_t *u), (st, u))                                         \
    X(users, user_get_by_email, (lk_store_t *st, const char *email, lk_user_t *out /* OUT */), (st, email, out)) \
    X(users, user_get, (lk_store_t *st, const char *id, lk_user_t *out /* OUT */), (st, id, out))                \
    X(users, session_insert, (lk_store_t *st, const lk_session_t *s), (st, s))                                   \
    X(users, session_delete, (lk_store_t *st, const char *id_hash), (st, id_hash))                               \
    X(users, session_purge, (lk_store_t *st, int64_t now, int64_t *deleted /* OUT */), (st, now, deleted))       \
    X(users, audit,                                                                                              \
      (lk_store_t *st, int64_t at, const char *actor, const char *action, const char *conversation_id,           \
       const char *detail),                                                                                      \
      (st, at, actor, action, conversation_id, detail))                                                          \
    X(users, audit_count, (lk_store_t *st, const char *action, int64_t *n /* OUT */), (st, action, n))           \
    X(users, user_list, (lk_store_t *st, lk_user_t **out /* OUT */, size_t *n /* OUT */), (st, out, n))          \
    X(users, session_count_users, (lk_store_t *st, int64_t now, int64_t *n /* OUT */), (st, now, n))

#define LK_STORE_KB_OPS(X)                                                                                       \
    X(kb, draft_insert, (lk_store_t *st, const lk_draft_t *d), (st, d))                                          \
    X(kb, draft_get, (lk_store_t *st, const char *id, lk_draft_t *out /* OUT */), (st, id, out))                 \
    X(kb, draft_list,                                                                                            \
      (lk_store_t *st, lk_draft_status_t status, size_t limit, lk_draft_t **out /* OUT */, size_t *n /* OUT */), \
      (st, status, limit, out, n))                                                                               \
    X(kb, draft_update, (lk_store_t *st, const lk_draft_t *d), (st, d))                                          \
    X(kb, draft_finish,                                                                                          \
      (lk_store_t *st, const char *id, lk_draft_status_t status, const char *article_id, int64_t now),           \
      (st, id, status, article_id, now))                                                                         \
    X(kb, article_list,                                                                                          \
      (lk_store_t *st, lk_article_status_t status, lk_article_rec_t **out /* OUT */, size_t *n /* OUT */),       \
      (st, status, out, n))                                                                                      \
    X(kb, kb_export, (lk_store_t *st, lk_kb_t *out /* OUT */), (st, out))                                        \
    X(kb, article_get, (lk_store_t *st, const char *id, lk_article_rec_t *out /* OUT */), (st, id, out))         \
    X(kb, kb_pristine, (lk_store_t *st, bool *pristine /* OUT */), (st, pristine))                               \
    X(kb, article_publish,                                                                                       \
      (lk_store_t *st, const lk_article_t *a, bool create, const char *by, int64_t now,                          \
       int64_t *version /* OUT */),                                                                              \
      (st, a, create, by, now, version))                                                                         \
    X(kb, article_set_archived,                                                                                  \
      (lk_store_t *st, const char *id, bool archived, const char *by, int64_t now, int64_t *version /* OUT */),  \
      (st, id, archived, by, now, version))                                                                      \
    X(kb, article_versions,                                                                                      \
      (lk_store_t *st, const char *id, size_t limit, lk_article_version_t **out /* OUT */, size_t *n /* OUT */), \
      (st, id, limit, out, n))                                                                                   \
    X(kb, kb_import_as,                                                                                          \
      (lk_store_t *st, const lk_kb_t *kb, bool replace, const char *by, int64_t now,                             \
       lk_kb_import_counts_t *counts /* OUT */),                                                                 \
      (st, kb, replace, by, now, counts))                                                                        \
    X(kb, kb_import, (lk_store_t *st, const lk_kb_t *kb, bool replace, int64_t now), (st, kb, replace, now))     \
    X(kb, kb_load, (lk_store_t *st, lk_kb_t *out /* OUT */), (st, out))                                          \
    X(kb, kb_version, (lk_store_t *st, int64_t *version /* OUT */), (st, version))

#define LK_STORE_ASSIST_OPS(X)                                                                                \
    X(assist, canned_insert, (lk_store_t *st, const lk_canned_t *c), (st, c))                                 \
    X(assist, canned_get, (lk_store_t *st, const char *id, lk_canned_t *out /* OUT */), (st, id, out))        \
    X(assist, canned_update, (lk_store_t *st, const lk_canned_t *c), (st, c))                                 \
    X(assist, canned_archive, (lk_store_t *st, const char *id, int64_t now), (st, id, now))                   \
    X(assist, canned_list,                                                                                    \
      (lk_store_t *st, const char *language, size_t limit, lk_canned_t **out /* OUT */, size_t *n /* OUT */), \
      (st, language, limit, out, n))                                                                          \
    X(assist, conv_history,                                                                                   \
      (lk_store_t *st, const char *email, const char *external_id, const char *exclude_id, size_t limit,      \
       lk_conv_t **out /* OUT */, size_t *n /* OUT */),                                                       \
      (st, email, external_id, exclude_id, limit, out, n))

#define LK_STORE_CONSOLE_OPS(X)                                                                \
    X(console, user_language_get,                                                              \
      (lk_store_t *st, const char *user_id, char *out /* OUT */, size_t size),                 \
      (st, user_id, out, size))                                                                \
    X(console, user_language_set,                                                              \
      (lk_store_t *st, const char *user_id, const char *language),                             \
      (st, user_id, language))                                                                 \
    X(console, conv_set_topic,                                                                 \
      (lk_store_t *st, const char *conv_id, const char *topic, bool *set /* OUT */),           \
      (st, conv_id, topic, set))                                                               \
    X(console, conv_identifier_add,                                                            \
      (lk_store_t *st, const char *conv_id, const char *kind, const char *value, int64_t now), \
      (st, conv_id, kind, value, now))                                                         \
    X(console, canned_count_all, (lk_store_t *st, int64_t *n /* OUT */), (st, n))

#define LK_STORE_INSIGHTS_OPS(X)                                                                       \
    X(insights, meta_get, (lk_store_t *st, const char *key, char **value /* OUT */), (st, key, value)) \
    X(insights, meta_set, (lk_store_t *st, const char *key, const char *value), (st, key, value))      \
    X(insights, gap_messages,                                                                          \
      (lk_store_t *st, int64_t from, int64_t to, const char *language, size_t limit,                   \
       lk_gap_msg_t **out /* OUT */, size_t *n /* OUT */),                                             \
      (st, from, to, language, limit, out, n))                                                         \
    X(insights, review_set, (lk_store_t *st, const lk_review_t *r), (st, r))                           \
    X(insights, review_list_conv,                                                                      \
      (lk_store_t *st, const char *conversation_id, lk_review_t **out /* OUT */, size_t *n /* OUT */), \
      (st, conversation_id, out, n))                                                                   \
    X(insights, review_list,                                                                           \
      (lk_store_t *st, int64_t from, int64_t to, size_t limit, lk_review_t **out /* OUT */,            \
       size_t *n /* OUT */),                                                                           \
      (st, from, to, limit, out, n))                                                                   \
    X(insights, review_counts,                                                                         \
      (lk_store_t *st, int64_t from, int64_t to, lk_review_count_t **out /* OUT, free() */,            \
       size_t *n /* OUT */),                                                                           \
      (st, from, to, out, n))                                                                          \
    X(insights, review_queue,                                                                          \
      (lk_store_t *st, size_t limit, lk_review_pending_t **out /* OUT */, size_t *n /* OUT */),           \
      (st, limit, out, n))

#define LK_STORE_PRIVACY_OPS(X)                                                                               \
    X(privacy, privacy_export,                                                                                \
      (lk_store_t *st, const lk_privacy_subject_t *who, int64_t now, char **json /* OUT */,                   \
       lk_privacy_counts_t *counts /* OUT, may be NULL */),                                                   \
      (st, who, now, json, counts))                                                                           \
    X(privacy, privacy_erase_conv,                                                                            \
      (lk_store_t *st, const char *conv_id, lk_privacy_counts_t *counts /* OUT, may be NULL */),              \
      (st, conv_id, counts))                                                                                  \
    X(privacy, privacy_erase,                                                                                 \
      (lk_store_t *st, const lk_privacy_subject_t *who, lk_privacy_counts_t *counts /* OUT */),               \
      (st, who, counts))                                                                                      \
    X(privacy, privacy_purge,                                                                                 \
      (lk_store_t *st, const lk_purge_cutoffs_t *cut, size_t batch, lk_privacy_counts_t *counts /* IN/OUT */, \
       bool *more /* OUT */),                                                                                 \
      (st, cut, batch, counts, more))                                                                         \
    X(privacy, privacy_purge_count,                                                                           \
      (lk_store_t *st, const lk_purge_cutoffs_t *cut, lk_privacy_counts_t *counts /* OUT */),                 \
      (st, cut, counts))                                                                                      \
    X(privacy, audit_list,                                                                                    \
      (lk_store_t *st, const lk_audit_query_t *q, lk_audit_rec_t **out /* OUT */, size_t *n /* OUT */),       \
      (st, q, out, n))

#define LK_STORE_SECURITY_OPS(X)                                                                                     \
    X(security, session_get_active,                                                                                  \
      (lk_store_t *st, const char *id_hash, int64_t now, int64_t idle_since, lk_session_t *out /* OUT */,            \
       int64_t *last_seen /* OUT */),                                                                                \
      (st, id_hash, now, idle_since, out, last_seen))                                                                \
    X(security, session_touch, (lk_store_t *st, const char *id_hash, int64_t at), (st, id_hash, at))                 \
    X(security, session_delete_user,                                                                                 \
      (lk_store_t *st, const char *user_id, const char *keep, int64_t *deleted /* OUT */),                           \
      (st, user_id, keep, deleted))                                                                                  \
    X(security, session_purge_idle,                                                                                  \
      (lk_store_t *st, int64_t idle_since, int64_t *deleted /* OUT */),                                              \
      (st, idle_since, deleted))                                                                                     \
    X(security, user_update, (lk_store_t *st, const lk_user_t *u), (st, u))                                          \
    X(security, user_set_password,                                                                                   \
      (lk_store_t *st, const char *id, const char *password_hash),                                                   \
      (st, id, password_hash))                                                                                       \
    X(security, user_totp_get, (lk_store_t *st, const char *user_id, lk_totp_t *out /* OUT */), (st, user_id, out))  \
    X(security, user_totp_set,                                                                                       \
      (lk_store_t *st, const char *user_id, const char *secret, bool enabled),                                       \
      (st, user_id, secret, enabled))                                                                                \
    X(security, user_totp_use, (lk_store_t *st, const char *user_id, int64_t step), (st, user_id, step))             \
    X(security, conv_count_open_by_client,                                                                           \
      (lk_store_t *st, const char *client_hash, int64_t active_since, int64_t *n /* OUT */,                          \
       int64_t *oldest /* OUT */),                                                                                   \
      (st, client_hash, active_since, n, oldest))                                                                    \
    X(security, login_address_known,                                                                                 \
      (lk_store_t *st, const char *user_id, const char *addr_hash, int64_t since, bool *known /* OUT */),            \
      (st, user_id, addr_hash, since, known))                                                                        \
    X(security, login_address_note,                                                                                  \
      (lk_store_t *st, const char *user_id, const char *addr_hash, int64_t now, int64_t forget_before),              \
      (st, user_id, addr_hash, now, forget_before))                                                                  \
    X(security, secevent_add, (lk_store_t *st, lk_secevent_t *e /* id set */), (st, e))                              \
    X(security, secevent_list,                                                                                       \
      (lk_store_t *st, lk_sec_kind_t kind, int64_t before_id, size_t limit, lk_secevent_t **out /* OUT */,           \
       size_t *n /* OUT */),                                                                                         \
      (st, kind, before_id, limit, out, n))                                                                          \
    X(security, secevent_purge, (lk_store_t *st, int64_t before, int64_t *deleted /* OUT */), (st, before, deleted))

#define LK_STORE_ANALYTICS_OPS(X)                                                                              \
    X(analytics, conv_facts,                                                                                   \
      (lk_store_t *st, const lk_facts_filter_t *f, int (*fn)(const lk_conv_facts_t *c, void *ud), void *ud),   \
      (st, f, fn, ud))                                                                                         \
    X(analytics, agent_msg_counts,                                                                             \
      (lk_store_t *st, const lk_facts_filter_t *f, lk_agent_msg_count_t **out /* OUT */, size_t *n /* OUT */), \
      (st, f, out, n))                                                                                         \
    X(analytics, answered_articles,                                                                            \
      (lk_store_t *st, const lk_facts_filter_t *f, int (*fn)(const char *conversation_id,                      \
       const char *article_id, void *ud), void *ud),                                                           \
      (st, f, fn, ud))                                                                                         \
    X(analytics, first_messages,                                                                               \
      (lk_store_t *st, const lk_facts_filter_t *f, int (*fn)(const lk_report_msg_t *m, void *ud), void *ud),   \
      (st, f, fn, ud))                                                                                         \
    X(analytics, decline_messages,                                                                             \
      (lk_store_t *st, const lk_facts_filter_t *f, int (*fn)(const lk_report_msg_t *m, void *ud), void *ud),   \
      (st, f, fn, ud))                                                                                         \
    X(analytics, bot_labels,                                                                                   \
      (lk_store_t *st, const lk_facts_filter_t *f, int64_t *total /* OUT */, int64_t *labelled /* OUT */,      \
       int (*fn)(const lk_report_msg_t *m, void *ud), void *ud),                                               \
      (st, f, total, labelled, fn, ud))                                                                        \
    X(analytics, callbacks_between,                                                                            \
      (lk_store_t *st, int64_t from, int64_t to, lk_callback_t **out /* OUT */, size_t *n /* OUT */),          \
      (st, from, to, out, n))
#define LK_STORE_LABELLED_OPS(X)                                                                                \
    X(labelled, labelled_add,                                                                                   \
      (lk_store_t *st, const lk_labelled_t *v, size_t n, bool replace, int64_t *added /* OUT */,                \
       int64_t *deleted /* OUT */),                                                                             \
      (st, v, n, replace, added, deleted))                                                                      \
    X(labelled, labelled_list,                                                                                  \
      (lk_store_t *st, const char *article, int64_t after_id, size_t limit, lk_labelled_t **out /* OUT */,      \
       size_t *n /* OUT */),                                                                                    \
      (st, article, after_id, limit, out, n))                                                                   \
    X(labelled, labelled_delete, (lk_store_t *st, int64_t id), (st, id))                                        \
    X(labelled, labelled_counts, (lk_store_t *st, lk_labelled_count_t **out /* OUT */, size_t *n /* OUT */),     \
      (st, out, n))
// clang-format on

/* ---- the groups -------------------------------------------------------- */

#define LK_STORE_OP_MEMBER(group, name, params, args) int(*name) params;
typedef struct {
    LK_STORE_BASE_OPS(LK_STORE_OP_MEMBER)
} lk_store_base_ops_t;
typedef struct {
    LK_STORE_CONV_OPS(LK_STORE_OP_MEMBER)
} lk_store_conv_ops_t;
typedef struct {
    LK_STORE_USERS_OPS(LK_STORE_OP_MEMBER)
} lk_store_users_ops_t;
typedef struct {
    LK_STORE_KB_OPS(LK_STORE_OP_MEMBER)
} lk_store_kb_ops_t;
typedef struct {
    LK_STORE_ASSIST_OPS(LK_STORE_OP_MEMBER)
} lk_store_assist_ops_t;
typedef struct {
    LK_STORE_CONSOLE_OPS(LK_STORE_OP_MEMBER)
} lk_store_console_ops_t;
typedef struct {
    LK_STORE_INSIGHTS_OPS(LK_STORE_OP_MEMBER)
} lk_store_insights_ops_t;
typedef struct {
    LK_STORE_PRIVACY_OPS(LK_STORE_OP_MEMBER)
} lk_store_privacy_ops_t;
typedef struct {
    LK_STORE_SECURITY_OPS(LK_STORE_OP_MEMBER)
} lk_store_security_ops_t;
typedef struct {
    LK_STORE_ANALYTICS_OPS(LK_STORE_OP_MEMBER)
} lk_store_analytics_ops_t;
typedef struct {
    LK_STORE_LABELLED_OPS(LK_STORE_OP_MEMBER)
} lk_store_labelled_ops_t;

/* A backend: its name, how to close a handle, and its groups. */
typedef struct {
    const char *name;                          /* "sqlite", ... */
    void (*close)(lk_store_t *st);             /* frees the handle; st is never NULL */
    const lk_store_base_ops_t *base;           /* checkpoints and transactions */
    const lk_store_conv_ops_t *conv;           /* conversations, messages, notes, call-backs, feedback */
    const lk_store_users_ops_t *users;         /* users, sessions, audit log */
    const lk_store_kb_ops_t *kb;               /* knowledge base and its management */
    const lk_store_assist_ops_t *assist;       /* canned responses, customer history */
    const lk_store_console_ops_t *console;     /* the console's own data */
    const lk_store_insights_ops_t *insights;   /* meta values, gaps, answer reviews */
    const lk_store_privacy_ops_t *privacy;     /* export, erasure, retention, audit viewer */
    const lk_store_security_ops_t *security;   /* sessions, second factor, login addresses, events */
    const lk_store_analytics_ops_t *analytics; /* per-conversation facts, compliance */
    const lk_store_labelled_ops_t *labelled;   /* the company's labelled questions */
} lk_store_ops_t;

/* Every handle starts with this (a backend's handle embeds it first). */
struct lk_store {
    const lk_store_ops_t *ops;
};

/* ---- the backends ------------------------------------------------------ */

/* SQLite (src/store/sqlite/): opens DATA_DIR/loket.db as lk_store_open
 * describes. */
int lk_sq_open(const char *data_dir, lk_store_t **out /* OUT */, bool *created /* OUT, may be NULL */);
extern const lk_store_ops_t lk_sq_ops;

#endif
