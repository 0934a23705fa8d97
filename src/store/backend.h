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

/* ---- the groups, in the order of store.h ------------------------------- */

typedef struct {
    int (*set_autocheckpoint)(lk_store_t *st, bool on);
    int (*checkpoint_truncate)(lk_store_t *st);
    int (*checkpoint)(lk_store_t *st, int64_t *pages_left /* OUT */);
    int (*begin)(lk_store_t *st);
    int (*commit)(lk_store_t *st);
    int (*rollback)(lk_store_t *st);
    int (*savepoint)(lk_store_t *st, const char *name);
    int (*release)(lk_store_t *st, const char *name);
    int (*rollback_to)(lk_store_t *st, const char *name);
} lk_store_base_ops_t;

typedef struct {
    int (*conv_insert)(lk_store_t *st, const lk_conv_t *c);
    int (*conv_get)(lk_store_t *st, const char *id, lk_conv_t *out /* OUT */);
    int (*conv_update)(lk_store_t *st, const lk_conv_t *c);
    int (*conv_list_queued)(lk_store_t *st, size_t limit, lk_conv_t **out /* OUT */, size_t *n /* OUT */);
    int (*conv_list_assigned)(lk_store_t *st, const char *user_id, size_t limit, lk_conv_t **out /* OUT */,
                              size_t *n /* OUT */);
    int (*conv_queue_position)(lk_store_t *st, const char *id, int64_t *pos /* OUT */);
    int (*msg_insert)(lk_store_t *st, const lk_msg_t *m);
    int (*msg_list)(lk_store_t *st, const char *conversation_id, int64_t after_seq, size_t limit,
                    lk_msg_t **out /* OUT */, size_t *n /* OUT */);
    int (*msg_list_recent)(lk_store_t *st, const char *conversation_id, const char *sender, size_t limit,
                           lk_msg_t **out /* OUT */, size_t *n /* OUT */);
    int (*conv_list)(lk_store_t *st, const char *status, const char *assigned_to, size_t limit,
                     lk_conv_t **out /* OUT */, size_t *n /* OUT */);
    int (*conv_count_queued)(lk_store_t *st, int64_t *n /* OUT */);
    int (*recent_waits)(lk_store_t *st, int64_t since, size_t limit, int64_t **out /* OUT */, size_t *n /* OUT */);
    int (*note_insert)(lk_store_t *st, const lk_note_t *note);
    int (*note_list)(lk_store_t *st, const char *conversation_id, lk_note_t **out /* OUT */, size_t *n /* OUT */);
    int (*callback_insert)(lk_store_t *st, const lk_callback_t *cb);
    int (*callback_list)(lk_store_t *st, const char *status, size_t limit, lk_callback_t **out /* OUT */,
                         size_t *n /* OUT */);
    int (*callback_done)(lk_store_t *st, const char *id, const char *user_id, int64_t now);
    int (*feedback_set)(lk_store_t *st, const char *conversation_id, const char *message_id, bool helpful, int64_t now);
    int (*feedback_get)(lk_store_t *st, const char *message_id, int *helpful /* OUT */);
    int (*msg_get)(lk_store_t *st, const char *message_id, lk_msg_t *out /* OUT */);
    int (*msg_last_choices)(lk_store_t *st, const char *conversation_id, lk_msg_t *out /* OUT */);
} lk_store_conv_ops_t;

typedef struct {
    int (*user_insert)(lk_store_t *st, const lk_user_t *u);
    int (*user_get_by_email)(lk_store_t *st, const char *email, lk_user_t *out /* OUT */);
    int (*user_get)(lk_store_t *st, const char *id, lk_user_t *out /* OUT */);
    int (*session_insert)(lk_store_t *st, const lk_session_t *s);
    int (*session_delete)(lk_store_t *st, const char *id_hash);
    int (*session_purge)(lk_store_t *st, int64_t now, int64_t *deleted /* OUT */);
    int (*audit)(lk_store_t *st, int64_t at, const char *actor, const char *action, const char *conversation_id,
                 const char *detail);
    int (*audit_count)(lk_store_t *st, const char *action, int64_t *n /* OUT */);
    int (*user_list)(lk_store_t *st, lk_user_t **out /* OUT */, size_t *n /* OUT */);
    int (*session_count_users)(lk_store_t *st, int64_t now, int64_t *n /* OUT */);
} lk_store_users_ops_t;

typedef struct {
    int (*draft_insert)(lk_store_t *st, const lk_draft_t *d);
    int (*draft_get)(lk_store_t *st, const char *id, lk_draft_t *out /* OUT */);
    int (*draft_list)(lk_store_t *st, const char *status, size_t limit, lk_draft_t **out /* OUT */,
                      size_t *n /* OUT */);
    int (*draft_update)(lk_store_t *st, const lk_draft_t *d);
    int (*draft_finish)(lk_store_t *st, const char *id, const char *status, const char *article_id, int64_t now);
    int (*article_list)(lk_store_t *st, const char *status, lk_article_rec_t **out /* OUT */, size_t *n /* OUT */);
    int (*kb_export)(lk_store_t *st, lk_kb_t *out /* OUT */);
    int (*article_get)(lk_store_t *st, const char *id, lk_article_rec_t *out /* OUT */);
    int (*kb_pristine)(lk_store_t *st, bool *pristine /* OUT */);
    int (*article_publish)(lk_store_t *st, const lk_article_t *a, bool create, const char *by, int64_t now,
                           int64_t *version /* OUT */);
    int (*article_set_archived)(lk_store_t *st, const char *id, bool archived, const char *by, int64_t now,
                                int64_t *version /* OUT */);
    int (*article_versions)(lk_store_t *st, const char *id, size_t limit, lk_article_version_t **out /* OUT */,
                            size_t *n /* OUT */);
    int (*kb_import_as)(lk_store_t *st, const lk_kb_t *kb, bool replace, const char *by, int64_t now,
                        lk_kb_import_counts_t *counts /* OUT */);
    int (*kb_import)(lk_store_t *st, const lk_kb_t *kb, bool replace, int64_t now);
    int (*kb_load)(lk_store_t *st, lk_kb_t *out /* OUT */);
    int (*kb_version)(lk_store_t *st, int64_t *version /* OUT */);
} lk_store_kb_ops_t;

typedef struct {
    int (*canned_insert)(lk_store_t *st, const lk_canned_t *c);
    int (*canned_get)(lk_store_t *st, const char *id, lk_canned_t *out /* OUT */);
    int (*canned_update)(lk_store_t *st, const lk_canned_t *c);
    int (*canned_archive)(lk_store_t *st, const char *id, int64_t now);
    int (*canned_list)(lk_store_t *st, const char *language, size_t limit, lk_canned_t **out /* OUT */,
                       size_t *n /* OUT */);
    int (*conv_history)(lk_store_t *st, const char *email, const char *external_id, const char *exclude_id,
                        size_t limit, lk_conv_t **out /* OUT */, size_t *n /* OUT */);
} lk_store_assist_ops_t;

typedef struct {
    int (*user_language_get)(lk_store_t *st, const char *user_id, char *out /* OUT */, size_t size);
    int (*user_language_set)(lk_store_t *st, const char *user_id, const char *language);
    int (*conv_set_topic)(lk_store_t *st, const char *conv_id, const char *topic, bool *set /* OUT */);
    int (*conv_identifier_add)(lk_store_t *st, const char *conv_id, const char *kind, const char *value, int64_t now);
    int (*canned_count_all)(lk_store_t *st, int64_t *n /* OUT */);
} lk_store_console_ops_t;

typedef struct {
    int (*meta_get)(lk_store_t *st, const char *key, char **value /* OUT */);
    int (*meta_set)(lk_store_t *st, const char *key, const char *value);
    int (*gap_messages)(lk_store_t *st, int64_t from, int64_t to, const char *language, size_t limit,
                        lk_gap_msg_t **out /* OUT */, size_t *n /* OUT */);
    int (*review_set)(lk_store_t *st, const lk_review_t *r);
    int (*review_list_conv)(lk_store_t *st, const char *conversation_id, lk_review_t **out /* OUT */,
                            size_t *n /* OUT */);
    int (*review_list)(lk_store_t *st, int64_t from, int64_t to, size_t limit, lk_review_t **out /* OUT */,
                       size_t *n /* OUT */);
    int (*review_counts)(lk_store_t *st, int64_t from, int64_t to, lk_review_count_t **out /* OUT, free() */,
                         size_t *n /* OUT */);
    int (*review_queue)(lk_store_t *st, size_t limit, lk_review_todo_t **out /* OUT */, size_t *n /* OUT */);
} lk_store_insights_ops_t;

typedef struct {
    int (*privacy_export)(lk_store_t *st, const lk_privacy_subject_t *who, int64_t now, char **json /* OUT */,
                          lk_privacy_counts_t *counts /* OUT, may be NULL */);
    int (*privacy_erase_conv)(lk_store_t *st, const char *conv_id, lk_privacy_counts_t *counts /* OUT, may be NULL */);
    int (*privacy_erase)(lk_store_t *st, const lk_privacy_subject_t *who, lk_privacy_counts_t *counts /* OUT */);
    int (*privacy_purge)(lk_store_t *st, const lk_purge_cutoffs_t *cut, size_t batch,
                         lk_privacy_counts_t *counts /* IN/OUT */, bool *more /* OUT */);
    int (*privacy_purge_count)(lk_store_t *st, const lk_purge_cutoffs_t *cut, lk_privacy_counts_t *counts /* OUT */);
    int (*audit_list)(lk_store_t *st, const lk_audit_query_t *q, lk_audit_rec_t **out /* OUT */, size_t *n /* OUT */);
} lk_store_privacy_ops_t;

typedef struct {
    int (*session_get_active)(lk_store_t *st, const char *id_hash, int64_t now, int64_t idle_since,
                              lk_session_t *out /* OUT */, int64_t *last_seen /* OUT */);
    int (*session_touch)(lk_store_t *st, const char *id_hash, int64_t at);
    int (*session_delete_user)(lk_store_t *st, const char *user_id, const char *keep, int64_t *deleted /* OUT */);
    int (*session_purge_idle)(lk_store_t *st, int64_t idle_since, int64_t *deleted /* OUT */);
    int (*user_update)(lk_store_t *st, const lk_user_t *u);
    int (*user_set_password)(lk_store_t *st, const char *id, const char *password_hash);
    int (*user_totp_get)(lk_store_t *st, const char *user_id, lk_totp_t *out /* OUT */);
    int (*user_totp_set)(lk_store_t *st, const char *user_id, const char *secret, bool enabled);
    int (*user_totp_use)(lk_store_t *st, const char *user_id, int64_t step);
    int (*conv_count_open_by_client)(lk_store_t *st, const char *client_hash, int64_t active_since,
                                     int64_t *n /* OUT */, int64_t *oldest /* OUT */);
    int (*login_address_known)(lk_store_t *st, const char *user_id, const char *addr_hash, int64_t since,
                               bool *known /* OUT */);
    int (*login_address_note)(lk_store_t *st, const char *user_id, const char *addr_hash, int64_t now,
                              int64_t forget_before);
    int (*secevent_add)(lk_store_t *st, lk_secevent_t *e /* id set */);
    int (*secevent_list)(lk_store_t *st, const char *kind, int64_t before_id, size_t limit,
                         lk_secevent_t **out /* OUT */, size_t *n /* OUT */);
    int (*secevent_purge)(lk_store_t *st, int64_t before, int64_t *deleted /* OUT */);
} lk_store_security_ops_t;

typedef struct {
    int (*conv_facts)(lk_store_t *st, const lk_facts_filter_t *f, int (*fn)(const lk_conv_facts_t *c, void *ud),
                      void *ud);
    int (*agent_msg_counts)(lk_store_t *st, const lk_facts_filter_t *f, lk_agent_msg_count_t **out /* OUT */,
                            size_t *n /* OUT */);
    int (*answered_articles)(lk_store_t *st, const lk_facts_filter_t *f,
                             int (*fn)(const char *conversation_id, const char *article_id, void *ud), void *ud);
    int (*first_messages)(lk_store_t *st, const lk_facts_filter_t *f, int (*fn)(const lk_report_msg_t *m, void *ud),
                          void *ud);
    int (*decline_messages)(lk_store_t *st, const lk_facts_filter_t *f, int (*fn)(const lk_report_msg_t *m, void *ud),
                            void *ud);
    int (*bot_labels)(lk_store_t *st, const lk_facts_filter_t *f, int64_t *total /* OUT */, int64_t *labelled /* OUT */,
                      int (*fn)(const lk_report_msg_t *m, void *ud), void *ud);
    int (*callbacks_between)(lk_store_t *st, int64_t from, int64_t to, lk_callback_t **out /* OUT */,
                             size_t *n /* OUT */);
} lk_store_analytics_ops_t;
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
