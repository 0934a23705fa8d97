/*
 * store: loket's durable state behind one interface.
 *
 * Conversations, their messages (numbered by seq per conversation), the
 * knowledge base's articles, users, login sessions and an append-only audit
 * log. The SQLite backend (src/store/sqlite/) is the embedded default; a
 * PostgreSQL backend will sit behind the same functions, so the SQL and the
 * types stay portable: times are int64 milliseconds since the epoch, ids are
 * text, flags are integers.
 *
 * A handle is one database connection and belongs to one thread at a time.
 * Writes happen inside lk_store_begin()/lk_store_commit(); nothing is
 * acknowledged to a client before its commit returned 0.
 *
 * The operations come in groups, one section each below (conv, users, kb,
 * assist, console, insights, privacy, security, analytics; base for the
 * checkpoints and transactions), the groups of a backend's operations table
 * (store/backend.h, docs/storage.md); callers need only this header.
 *
 * Closed sets (a conversation's status, a user's role, ...) are enums in the
 * records (see "closed sets"). Strings in the record types below are either
 * fixed arrays (ids and other short values, always NUL-terminated, "" for SQL
 * NULL) or heap strings owned by the
 * record and freed by its *_clear() function (NULL for SQL NULL).
 */
#ifndef LK_STORE_H
#define LK_STORE_H

#include "kb/kb.h"
#include "policy/policy.h" /* lk_conv_status_t, lk_handoff_reason_t */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct lk_store lk_store_t;

#define LK_ID_MAX 40 /* ids like "c_" + 22 characters, with room to spare */

/* ---- closed sets -------------------------------------------------------- */

/* The records carry these as enums; the database and the API's JSON hold
 * their names. NONE (0) is what a zeroed record holds: the store refuses to
 * write it where a value is required. Each set has two functions, declared
 * by LK_SET_DECLARE(set, type) and defined in records.c:
 *
 *     const char *lk_<set>_name(type v);
 *         the name ("" for NONE or a value out of range)
 *     int lk_<set>_parse(const char *name, type *out);
 *         sets *out (out may be NULL: a check) from a name and returns 0,
 *         or sets NONE and returns LK_EINVAL for NULL or an unknown name */
#define LK_SET_DECLARE(set, type)                                                                                      \
    const char *lk_##set##_name(type v);                                                                               \
    int lk_##set##_parse(const char *name, type *out /* OUT, may be NULL */)

/* A conversation's status is the policy's lk_conv_status_t (LK_CONV_BOT,
 * _QUEUED, _ASSIGNED, _CLOSED; "bot" | "queued" | "assigned" | "closed"), with
 * lk_conv_status_name() and _parse() from policy/policy.h: one set for the
 * state machine and the record. It has no NONE: a zeroed record is "bot".
 * A message's sender is the policy's lk_sender_t too (LK_SENDER_CUSTOMER,
 * _BOT, _AGENT, _SYSTEM; NONE for a zeroed record), with lk_sender_name()
 * and _parse() from policy/policy.h: the policy says as BOT or SYSTEM. */

/* A user's role: "agent" | "supervisor" | "admin" (each may do what the one
 * before may, so the values rise with the rights). */
typedef enum { LK_ROLE_NONE, LK_ROLE_AGENT, LK_ROLE_SUPERVISOR, LK_ROLE_ADMIN } lk_role_t;
LK_SET_DECLARE(role, lk_role_t);

/* A call-back request's status: "open" | "done". */
typedef enum { LK_CALLBACK_NONE, LK_CALLBACK_OPEN, LK_CALLBACK_DONE } lk_callback_status_t;
LK_SET_DECLARE(callback_status, lk_callback_status_t);

/* A draft's status: "draft" (LK_DRAFT_OPEN: still being edited) |
 * "published" | "discarded". */
typedef enum { LK_DRAFT_NONE, LK_DRAFT_OPEN, LK_DRAFT_PUBLISHED, LK_DRAFT_DISCARDED } lk_draft_status_t;
LK_SET_DECLARE(draft_status, lk_draft_status_t);

/* Where a draft came from: "editor" (written in the console) | "gap_report"
 * (started from a question the bot could not answer) | "import"; NONE (SQL
 * NULL) for drafts that do not say. */
typedef enum {
    LK_DRAFT_SOURCE_NONE,
    LK_DRAFT_SOURCE_EDITOR,
    LK_DRAFT_SOURCE_GAP_REPORT,
    LK_DRAFT_SOURCE_IMPORT
} lk_draft_source_t;
LK_SET_DECLARE(draft_source, lk_draft_source_t);

/* An article's status: "published" (the bot answers with it) | "archived"
 * (kept for its history, answers nothing). */
typedef enum { LK_ARTICLE_NONE, LK_ARTICLE_PUBLISHED, LK_ARTICLE_ARCHIVED } lk_article_status_t;
LK_SET_DECLARE(article_status, lk_article_status_t);

/* Where an agent's message came from: "human" (typed), "suggested" (a
 * suggested answer sent as it was), "suggested_edited"; NONE ("") for the
 * messages of other senders. */
typedef enum {
    LK_PROVENANCE_NONE,
    LK_PROVENANCE_HUMAN,
    LK_PROVENANCE_SUGGESTED,
    LK_PROVENANCE_SUGGESTED_EDITED
} lk_provenance_t;
LK_SET_DECLARE(provenance, lk_provenance_t);

/* What the bot made of a customer's message (docs/gaps.md): "answered",
 * "declined", "handoff", "clarify" (offered choices instead of answering),
 * "reply" (to small talk such as hello/thanks/yes/no), or "none"
 * (LK_OUTCOME_PERSON: a person had the conversation, the bot was not asked).
 * NONE ("", SQL NULL) = not recorded: the messages of other senders and
 * those stored before outcomes were; the store writes it as NULL. */
typedef enum {
    LK_OUTCOME_NONE,
    LK_OUTCOME_ANSWERED,
    LK_OUTCOME_DECLINED,
    LK_OUTCOME_HANDOFF,
    LK_OUTCOME_CLARIFY,
    LK_OUTCOME_REPLY,
    LK_OUTCOME_PERSON
} lk_outcome_t;
LK_SET_DECLARE(outcome, lk_outcome_t);

/* What made a version of an article: "created" | "edited" | "archived" |
 * "restored" | "imported". */
typedef enum {
    LK_CHANGE_NONE,
    LK_CHANGE_CREATED,
    LK_CHANGE_EDITED,
    LK_CHANGE_ARCHIVED,
    LK_CHANGE_RESTORED,
    LK_CHANGE_IMPORTED
} lk_change_t;
LK_SET_DECLARE(change, lk_change_t);

/* A person's verdict on a bot answer: "right" | "wrong". */
typedef enum { LK_VERDICT_NONE, LK_VERDICT_RIGHT, LK_VERDICT_WRONG } lk_verdict_t;
LK_SET_DECLARE(verdict, lk_verdict_t);

/* A security event's kind (docs/security.md, "Security events"):
 * "login_failed" (a wrong password, second factor or account) | "lockout" (a
 * login or password/TOTP change refused by the login limits) | "cross_site"
 * (a request refused for its Origin) | "forbidden" (a signed-in user refused
 * by role or access right) | "rate_limited" (any other 429). LK_SEC__COUNT
 * sizes arrays indexed by kind. */
typedef enum {
    LK_SEC_NONE,
    LK_SEC_LOGIN_FAILED,
    LK_SEC_LOCKOUT,
    LK_SEC_CROSS_SITE,
    LK_SEC_FORBIDDEN,
    LK_SEC_RATE_LIMITED,
    LK_SEC__COUNT
} lk_sec_kind_t;
LK_SET_DECLARE(sec_kind, lk_sec_kind_t);

/* ---- records ----------------------------------------------------------- */

typedef struct {
    char id[LK_ID_MAX];
    char token_hash[65];   /* hex SHA-256 of the customer's token */
    lk_conv_status_t status;
    char language[8];      /* "nl", "en", ... */
    lk_handoff_reason_t handoff_reason; /* the policy's; NONE when none */
    int64_t created_at;
    int64_t updated_at;
    int64_t queued_at;   /* 0 when never queued (last time it entered "queued") */
    int64_t assigned_at; /* 0 when not assigned */
    int64_t closed_at;   /* 0 when open */
    char assigned_to[LK_ID_MAX]; /* user id, "" when none */
    int64_t next_seq;    /* seq the next message gets; starts at 1 */
    int rating;          /* 1..5, 0 when not rated */
    char *rating_comment; /* NULL when none */
    char *disposition;    /* NULL while open */
    char *policy_state;   /* the policy's own state as JSON text; NULL = fresh */
    /* Set when the conversation is created, never updated (schema 3). */
    char *customer_email;       /* as the host page gave it; NULL = unknown */
    char *customer_external_id; /* the host's own id of the customer; NULL = unknown */
    char *customer_name;        /* NULL = unknown */
    char channel[16];           /* "web" (the widget), "api", ...; "" = unknown */
    char client_hash[65];       /* keyed hash of the client's address; "" = unknown */
    /* What the customer first asked about (schema 4): the title of the
     * article the bot matched, else the question's first words with personal
     * data masked; set once by lk_store_conv_set_topic. NULL = not yet. */
    char *topic;
    /* whether the company's site signed customer_email and
     * customer_external_id (docs/widget.md, "Verified identity"); only
     * verified conversations share a history */
    bool customer_verified;
} lk_conv_t;

/* One of the articles a bot message offers as a choice (issue 15). */
typedef struct {
    char *article_id;
    char *title;
} lk_msg_choice_t;

typedef struct {
    char id[LK_ID_MAX];
    char conversation_id[LK_ID_MAX];
    int64_t seq;
    lk_sender_t sender;
    bool automated;
    char *text;
    int64_t created_at;
    char *article_id; /* NULL unless a bot answer from the knowledge base */
    double confidence; /* meaningful only when has_confidence */
    bool has_confidence;
    char author_id[LK_ID_MAX]; /* the agent's user id, "" otherwise */
    char *author_name;         /* the agent's display name, NULL otherwise */
    /* An agent's message: where it came from; NONE for other senders.
     * suggestion_article_id: the suggestion's article. */
    lk_provenance_t provenance;
    char *suggestion_article_id;
    /* A customer's message: what the bot made of it (NONE = not
     * recorded), the answer's article, else the NLU's best one, and its
     * confidence. Stored with the message (lk_store_msg_insert), once the
     * bot's turn has decided. */
    lk_outcome_t outcome;
    char *outcome_article_id;
    double outcome_confidence; /* meaningful only when has_outcome_confidence */
    bool has_outcome_confidence;
    /* ---- added by issue 15 ----
     * A bot message that offers articles as choices instead of answering
     * (CONTRACT.md, "Choices"): the articles, in order (owned; NULL / 0
     * otherwise). chosen: a bot answer to the customer's pick of one. */
    lk_msg_choice_t *choices;
    size_t n_choices;
    bool chosen;
    /* Not stored: set by the API when text is a copy for agents with
     * personal data masked (a BSN, issue 14); the original is revealed on
     * request, audited. */
    bool masked;
} lk_msg_t;

typedef struct {
    char id[LK_ID_MAX];
    char email[256];
    lk_role_t role;
    char *display_name;
    char *password_hash; /* argon2id string (libsodium crypto_pwhash_str) */
    int64_t created_at;
    bool disabled;
} lk_user_t;

typedef struct {
    char id_hash[65]; /* hex SHA-256 of the session cookie's value */
    char user_id[LK_ID_MAX];
    int64_t created_at;
    int64_t expires_at;
} lk_session_t;

typedef struct {
    char id[LK_ID_MAX];
    char conversation_id[LK_ID_MAX];
    char author_id[LK_ID_MAX];
    char *author_name;
    char *text;
    int64_t created_at;
} lk_note_t;

/* A customer's request to be called or mailed back (when no person is
 * available), stored for the agents. */
typedef struct {
    char id[LK_ID_MAX];
    char conversation_id[LK_ID_MAX];
    char *contact; /* phone number or e-mail as the customer gave it */
    char *text;    /* the customer's message */
    lk_callback_status_t status;
    int64_t created_at;
    int64_t handled_at; /* 0 while open */
    char handled_by[LK_ID_MAX];
} lk_callback_t;

void lk_note_clear(lk_note_t *n);
void lk_notes_free(lk_note_t *notes, size_t n);
void lk_callback_clear(lk_callback_t *c);
void lk_callbacks_free(lk_callback_t *cbs, size_t n);
void lk_users_free(lk_user_t *users, size_t n);

void lk_conv_clear(lk_conv_t *c);       /* frees the heap strings; c may be zeroed */
void lk_msg_clear(lk_msg_t *m);
void lk_msgs_free(lk_msg_t *msgs, size_t n); /* clears each and frees the array */
void lk_convs_free(lk_conv_t *convs, size_t n);
void lk_user_clear(lk_user_t *u);

/* ---- life cycle -------------------------------------------------------- */

/* Opens the database at location and chooses its backend by it: a path is a
 * data directory holding the SQLite database loket.db (the default: the
 * `database` option, else the data directory); a postgres:// or
 * postgresql:// URL names a PostgreSQL server, whose backend is not built in
 * yet (LK_ECONFIG, logged).
 *
 * SQLite: opens (creating when missing) the database in the directory
 * (created with mode 0700 when missing), sets WAL and synchronous=FULL, and
 * brings the schema up to date. *created tells whether the database file was
 * new (precisely: this call created its schema, so when several processes
 * open a new database at once exactly one is told so). The caller closes
 * *out. 0, LK_EINVAL, LK_EIO (cannot create or open, not a database),
 * LK_ESCHEMA (a newer loket made it), LK_EBUSY (locked past the 5 s busy
 * timeout), LK_EDB (a migration failed), LK_ECONFIG (a backend that is not
 * built in). */
int lk_store_open(const char *location, lk_store_t **out /* OUT */, bool *created /* OUT, may be NULL */);
void lk_store_close(lk_store_t *st); /* st may be NULL */
/* The handle's backend: "sqlite" (NULL for a NULL handle). */
const char *lk_store_backend(const lk_store_t *st);
/* The schema version this program writes. */
int lk_store_schema_version(void);
/* By default SQLite copies the write-ahead log back into the database
 * (a checkpoint) inside whichever commit makes the log long enough, and that
 * commit then takes much longer. A server turns this off on its writer's
 * handle (auto = false) and calls lk_store_checkpoint() from another thread
 * instead. */
int lk_store_set_autocheckpoint(lk_store_t *st, bool on);
/* A checkpoint that waits for nobody (SQLite's PASSIVE): copies what it can
 * of the log into the database. *pages_left (may be NULL) is how many log
 * pages remain. */
int lk_store_checkpoint(lk_store_t *st, int64_t *pages_left /* OUT */);
/* A checkpoint that copies the whole log into the database and truncates
 * the log file to zero bytes (SQLite's TRUNCATE), so that what a commit
 * deleted (an erasure) no longer lingers in the log's older frames. It waits
 * (busy timeout) for the writer and for readers on older snapshots;
 * LK_EBUSY when they did not finish in time (the log then stays). */
int lk_store_checkpoint_truncate(lk_store_t *st);

/* ---- transactions (group base, with the checkpoints) -------------------- */

/* begin takes the write lock at once (SQLite: BEGIN IMMEDIATE) so a
 * transaction never fails half-way for lack of it. Savepoints nest inside a
 * transaction; a group of client requests can share one commit, each in its
 * own savepoint.
 * begin inside a transaction and commit outside one give LK_ESTATE; rollback
 * outside one is a no-op (0), so error paths may call it freely. A failed
 * commit rolls the transaction back. Savepoint names must match
 * [A-Za-z0-9_]{1,64} (LK_EINVAL otherwise).
 *
 * Errors of every operation below: LK_EINVAL (bad argument, checked first),
 * LK_ENOENT (missing row, or a row that refers to a missing one: a message
 * of an unknown conversation, a session of an unknown user), LK_EEXIST
 * (unique key taken), LK_EBUSY (locked past the busy timeout), LK_EDB.
 * A limit of 0 means no limit in every listing. */
int lk_store_begin(lk_store_t *st);
int lk_store_commit(lk_store_t *st);
int lk_store_rollback(lk_store_t *st);
int lk_store_savepoint(lk_store_t *st, const char *name);
int lk_store_release(lk_store_t *st, const char *name);
int lk_store_rollback_to(lk_store_t *st, const char *name);

/* ---- conversations (group conv) ----------------------------------------- */

int lk_store_conv_insert(lk_store_t *st, const lk_conv_t *c);
/* LK_ENOENT when there is none. *out is overwritten; clear it after use. */
int lk_store_conv_get(lk_store_t *st, const char *id, lk_conv_t *out /* OUT */);
/* Writes every field of c except id, token_hash and created_at. LK_ENOENT. */
int lk_store_conv_update(lk_store_t *st, const lk_conv_t *c);
/* Conversations with status "queued", oldest queued_at first, at most limit. */
int lk_store_conv_list_queued(lk_store_t *st, size_t limit, lk_conv_t **out /* OUT */, size_t *n /* OUT */);
/* Conversations assigned to user_id that are not closed, oldest first. */
int lk_store_conv_list_assigned(lk_store_t *st, const char *user_id, size_t limit, lk_conv_t **out /* OUT */,
                                size_t *n /* OUT */);
/* 1-based place of conversation id in the queue (by queued_at, then id);
 * 0 when it is not queued. */
int lk_store_conv_queue_position(lk_store_t *st, const char *id, int64_t *pos /* OUT */);

/* ---- messages ---------------------------------------------------------- */

/* Appends m; m->seq must be unused in its conversation (LK_EEXIST if not). */
int lk_store_msg_insert(lk_store_t *st, const lk_msg_t *m);
/* Messages of a conversation with seq > after_seq, in seq order, at most
 * limit (0 = no limit). The caller frees with lk_msgs_free(). */
int lk_store_msg_list(lk_store_t *st, const char *conversation_id, int64_t after_seq, size_t limit,
                      lk_msg_t **out /* OUT */, size_t *n /* OUT */);
/* The last `limit` messages of sender in the conversation, oldest first. */
int lk_store_msg_list_recent(lk_store_t *st, const char *conversation_id, lk_sender_t sender, size_t limit,
                             lk_msg_t **out /* OUT */, size_t *n /* OUT */);
/* Only the texts of those messages (the NLU's context, read every turn:
 * whole rows cost several times more), oldest first; a NULL text reads as
 * "". The caller frees with lk_strv_free(*out, *n). */
int lk_store_msg_texts_recent(lk_store_t *st, const char *conversation_id, lk_sender_t sender, size_t limit,
                              char ***out /* OUT */, size_t *n /* OUT */);
/* The conversation's last message that offered choices (issue 15): 0 and
 * *out (clear with lk_msg_clear), LK_ENOENT when none ever did. */
int lk_store_msg_last_choices(lk_store_t *st, const char *conversation_id, lk_msg_t *out /* OUT */);

/* ---- notes, call-backs, feedback, listings ------------------------------ */

/* Conversations filtered by status (NULL for all) and assigned_to (NULL for
 * anyone), newest updated_at first, at most limit (0 = no limit). */
int lk_store_conv_list(lk_store_t *st, const lk_conv_status_t *status, const char *assigned_to, size_t limit,
                       lk_conv_t **out /* OUT */, size_t *n /* OUT */);
/* How many conversations are queued now. */
int lk_store_conv_count_queued(lk_store_t *st, int64_t *n /* OUT */);
/* The waits (assigned_at - queued_at, ms) of the last `limit` conversations
 * assigned at or after `since`, most recent first; for the wait estimate. */
int lk_store_recent_waits(lk_store_t *st, int64_t since, size_t limit, int64_t **out /* OUT */, size_t *n /* OUT */);

/* Internal notes of agents on a conversation (never shown to the customer). */
int lk_store_note_insert(lk_store_t *st, const lk_note_t *note);
/* Notes of a conversation, oldest first. */
int lk_store_note_list(lk_store_t *st, const char *conversation_id, lk_note_t **out /* OUT */, size_t *n /* OUT */);

int lk_store_callback_insert(lk_store_t *st, const lk_callback_t *cb);
/* Call-back requests with status (LK_CALLBACK_NONE = all), oldest first. */
int lk_store_callback_list(lk_store_t *st, lk_callback_status_t status, size_t limit, lk_callback_t **out /* OUT */,
                           size_t *n /* OUT */);
/* Marks a request done by user_id at now. LK_ENOENT. */
int lk_store_callback_done(lk_store_t *st, const char *id, const char *user_id, int64_t now);

/* Records the customer's answer to "did this help?" on a bot message
 * (helpful true/false); a second answer on the same message replaces the
 * first. LK_ENOENT when the message is not in that conversation. */
int lk_store_feedback_set(lk_store_t *st, const char *conversation_id, const char *message_id, bool helpful,
                          int64_t now);
/* The recorded answer: 1 helpful, 0 not helpful, -1 none. */
int lk_store_feedback_get(lk_store_t *st, const char *message_id, int *helpful /* OUT */);
/* One message by id (LK_ENOENT). */
int lk_store_msg_get(lk_store_t *st, const char *message_id, lk_msg_t *out /* OUT */);

/* ---- users and sessions (group users) ----------------------------------- */

/* LK_EEXIST when the e-mail address (case-insensitive) is taken. The
 * address is stored with its ASCII letters lower-cased; lookups by e-mail
 * are case-insensitive the same way. The get functions overwrite *out;
 * clear it with lk_user_clear(). */
int lk_store_user_insert(lk_store_t *st, const lk_user_t *u);
int lk_store_user_get_by_email(lk_store_t *st, const char *email, lk_user_t *out /* OUT */);
int lk_store_user_get(lk_store_t *st, const char *id, lk_user_t *out /* OUT */);
/* Writes u's role, display_name and disabled to the user with u->id (the
 * e-mail address, password and creation time stay). LK_ENOENT. */
int lk_store_user_update(lk_store_t *st, const lk_user_t *u);
/* Replaces the password hash of user id. LK_ENOENT. */
int lk_store_user_set_password(lk_store_t *st, const char *id, const char *password_hash);

int lk_store_session_insert(lk_store_t *st, const lk_session_t *s);
/* (A session is read with lk_store_session_get_active, below.) */
/* LK_ENOENT when there was none. */
int lk_store_session_delete(lk_store_t *st, const char *id_hash);
/* Deletes sessions that expired at or before now; *deleted may be NULL. */
int lk_store_session_purge(lk_store_t *st, int64_t now, int64_t *deleted /* OUT */);

/* ---- audit log (append-only) ------------------------------------------- */

/* actor: "customer", "system" or a user id; action: e.g. "conversation.create";
 * conversation_id and detail may be NULL. detail must not hold personal data. */
int lk_store_audit(lk_store_t *st, int64_t at, const char *actor, const char *action,
                   const char *conversation_id, const char *detail);
/* How many audit records there are with this action (for tests and metrics). */
int lk_store_audit_count(lk_store_t *st, const char *action, int64_t *n /* OUT */);

/* Every user, ordered by e-mail (the password hash is not read: NULL). */
int lk_store_user_list(lk_store_t *st, lk_user_t **out /* OUT */, size_t *n /* OUT */);
/* How many distinct enabled users hold a session that is valid at now. */
int lk_store_session_count_users(lk_store_t *st, int64_t now, int64_t *n /* OUT */);

/* ---- knowledge base (group kb) ------------------------------------------ */

/* Inserts or replaces every article of kb by id (status "published"); with
 * replace, also archives the published articles whose id is not in kb
 * (lk_store_kb_import_as; the history keeps them). Bumps the KB version,
 * and records a version of every article it changes. Atomic on its own:
 * it runs in its own transaction when the caller has none, and in a
 * savepoint inside the caller's transaction otherwise, so a failure changes
 * nothing. Does not validate articles beyond non-NULL fields (the caller ran
 * lk_kb_parse/lk_article_validate). */
int lk_store_kb_import(lk_store_t *st, const lk_kb_t *kb, bool replace, int64_t now);
/* Every article, ordered by id (byte order). out is overwritten; the caller
 * frees it with lk_kb_free(). */
int lk_store_kb_load(lk_store_t *st, lk_kb_t *out /* OUT */);
/* A number that changes whenever the articles change (also from another
 * process). */
int lk_store_kb_version(lk_store_t *st, int64_t *version /* OUT */);
/* Whether the database never had a knowledge base: no article was ever
 * imported, published or edited (the KB version is still 0) and there is
 * no article and no draft. What decides that the first `serve` loads the
 * demo knowledge base, whichever command created the database. */
int lk_store_kb_pristine(lk_store_t *st, bool *pristine /* OUT */);

/* ---- knowledge management (schema version 3) --------------------------- */

/* An unpublished article: new (article_id "") or a change to a published
 * one. questions and tags are JSON arrays of strings as text. */
typedef struct {
    char id[LK_ID_MAX];
    char article_id[LK_KB_ID_MAX + 1]; /* "" for a new article */
    lk_draft_status_t status;
    char language[8];
    char *title;
    char *questions; /* JSON array text */
    char *answer;    /* Markdown */
    char *url;       /* NULL = none */
    char *tags;      /* JSON array text */
    char owner[LK_ID_MAX]; /* user id, "" = none */
    int64_t review_by;     /* 0 = none */
    char translation_group[LK_KB_ID_MAX + 1]; /* "" = none */
    lk_draft_source_t source;
    char created_by[LK_ID_MAX];
    int64_t created_at;
    int64_t updated_at;
    /* A new article: the id it gets when published ("" = one made from the
     * title); unused for a change to a published article. */
    char new_id[LK_KB_ID_MAX + 1];
} lk_draft_t;

void lk_draft_clear(lk_draft_t *d);
void lk_drafts_free(lk_draft_t *v, size_t n); /* clears each and frees the array */
/* Stores a new draft (id set by the caller, e.g. lk_rand_id("d_", ...)). */
int lk_store_draft_insert(lk_store_t *st, const lk_draft_t *d);
/* LK_ENOENT when there is none. Clear *out with lk_draft_clear. */
int lk_store_draft_get(lk_store_t *st, const char *id, lk_draft_t *out /* OUT */);
/* Drafts with status (LK_DRAFT_NONE = any), most recently updated first, at
 * most limit. Free with lk_drafts_free. */
int lk_store_draft_list(lk_store_t *st, lk_draft_status_t status, size_t limit, lk_draft_t **out /* OUT */,
                        size_t *n /* OUT */);
/* Writes the content fields of d (language, title, questions, answer, url,
 * tags, owner, review_by, translation_group, new_id) and updated_at.
 * LK_ENOENT when there is no such draft or it is no longer a "draft". */
int lk_store_draft_update(lk_store_t *st, const lk_draft_t *d);
/* Moves a draft from "draft" to status (LK_DRAFT_PUBLISHED or
 * LK_DRAFT_DISCARDED; LK_EINVAL otherwise) at now; article_id (may be NULL)
 * records the article it became. LK_ENOENT as above. */
int lk_store_draft_finish(lk_store_t *st, const char *id, lk_draft_status_t status, const char *article_id,
                          int64_t now);

/* An article as knowledge management sees it: its content and metadata
 * (a.owner, a.review_by, a.translation_group), status, version (1 for the
 * first), and the last change. */
typedef struct {
    lk_article_t a;
    lk_article_status_t status;
    int64_t version;
    int64_t updated_at;
    char updated_by[LK_ID_MAX]; /* user id; "" = the command line or the system */
} lk_article_rec_t;

void lk_article_rec_clear(lk_article_rec_t *r);
void lk_article_recs_free(lk_article_rec_t *v, size_t n);
/* Articles with status (LK_ARTICLE_NONE = any), ordered by id (byte order). */
int lk_store_article_list(lk_store_t *st, lk_article_status_t status, lk_article_rec_t **out /* OUT */,
                          size_t *n /* OUT */);
/* The published articles with their metadata (owner, review_by,
 * translation_group), ordered by id: what an export writes. lk_store_kb_load
 * gives the same articles without the metadata (what the bot needs). The
 * caller frees *out with lk_kb_free. */
int lk_store_kb_export(lk_store_t *st, lk_kb_t *out /* OUT */);
/* LK_ENOENT when there is none. Clear *out with lk_article_rec_clear. */
int lk_store_article_get(lk_store_t *st, const char *id, lk_article_rec_t *out /* OUT */);
/* Publishes a (validated by the caller): a new article (create: LK_EEXIST
 * when the id is taken; change "created") or a new version of an existing
 * one (LK_ENOENT when missing; change "edited"; an archived article is
 * published again). Writes the version row and bumps the KB version.
 * *version (may be NULL) receives the article's new version. */
int lk_store_article_publish(lk_store_t *st, const lk_article_t *a, bool create, const char *by, int64_t now,
                             int64_t *version /* OUT */);
/* Archives (archived true) or restores a published or archived article:
 * change "archived" / "restored", a version row, the KB version bumped.
 * LK_ENOENT when there is none, LK_ESTATE when it is in that state already. */
int lk_store_article_set_archived(lk_store_t *st, const char *id, bool archived, const char *by, int64_t now,
                                  int64_t *version /* OUT */);

/* One row of an article's history: its state after the change. */
typedef struct {
    int64_t version;
    lk_article_status_t status;
    lk_article_t a; /* content and metadata then */
    char changed_by[LK_ID_MAX]; /* "" = the command line or the system */
    int64_t changed_at;
    lk_change_t change;
} lk_article_version_t;

void lk_article_versions_free(lk_article_version_t *v, size_t n);
/* The history of an article, newest first, at most limit. */
int lk_store_article_versions(lk_store_t *st, const char *id, size_t limit, lk_article_version_t **out /* OUT */,
                              size_t *n /* OUT */);

/* What an import did. */
typedef struct {
    size_t created;   /* new articles */
    size_t updated;   /* changed (or archived ones published again) */
    size_t unchanged; /* identical to what was stored: no new version */
    size_t archived;  /* with replace: published articles not in the import */
} lk_kb_import_counts_t;

/* lk_store_kb_import with who did it (by: a user id, NULL for the command
 * line or the system) and what it did (counts, may be NULL). Every new or
 * changed article gets a version row with change "imported"; an article
 * imported unchanged gets none. The metadata of an article (owner,
 * review_by, translation_group) is taken from the import when it has them
 * and kept otherwise. With replace, published articles not in kb are
 * archived (change "archived"), never deleted. */
int lk_store_kb_import_as(lk_store_t *st, const lk_kb_t *kb, bool replace, const char *by, int64_t now,
                          lk_kb_import_counts_t *counts /* OUT */);

/* ---- agent assist: canned responses, customer history (group assist) ---- */

/* A canned response: a ready text for agents, per language, with
 * placeholders ({customer_name}, {agent_name}) the console fills in. */
typedef struct {
    char id[LK_ID_MAX];
    char language[8];
    char *title;
    char *shortcut; /* NULL = none */
    char *text;
    char created_by[LK_ID_MAX]; /* user id, "" = unknown */
    int64_t created_at;
    int64_t updated_at;
    bool archived;
} lk_canned_t;

void lk_canned_clear(lk_canned_t *c);
void lk_canned_free(lk_canned_t *v, size_t n); /* clears each and frees the array */
/* Stores a new one (id set by the caller, e.g. lk_rand_id("cr_", ...)). */
int lk_store_canned_insert(lk_store_t *st, const lk_canned_t *c);
/* LK_ENOENT when there is none (archived ones are found too). */
int lk_store_canned_get(lk_store_t *st, const char *id, lk_canned_t *out /* OUT */);
/* Writes language, title, shortcut, text and updated_at of c. LK_ENOENT when
 * there is none or it is archived. */
int lk_store_canned_update(lk_store_t *st, const lk_canned_t *c);
/* Archives it (hidden from then on) at now. LK_ENOENT when there is none or
 * it is archived already. */
int lk_store_canned_archive(lk_store_t *st, const char *id, int64_t now);
/* The canned responses that are not archived, of language (NULL = all),
 * ordered by title, at most limit. */
int lk_store_canned_list(lk_store_t *st, const char *language, size_t limit, lk_canned_t **out /* OUT */,
                         size_t *n /* OUT */);

/* Earlier conversations of one customer: those with customer_email equal to
 * email (compared as stored: the API stores addresses with their ASCII
 * letters lower-cased, and this function lower-cases email the same way) or
 * customer_external_id equal to external_id (either may be NULL), except
 * the conversation exclude_id; newest created_at first, at most limit. Only
 * conversations whose identity was verified (customer_verified) count: an
 * identity anyone could claim joins no history. Only id, status, language,
 * handoff_reason, created_at, updated_at, closed_at and disposition are
 * read. */
int lk_store_conv_history(lk_store_t *st, const char *email, const char *external_id, const char *exclude_id,
                          size_t limit, lk_conv_t **out /* OUT */, size_t *n /* OUT */);

/* ---- the console's own data (group console) ----------------------------- */

/* The user's own console language into out ("" when they chose none, i.e.
 * the deployment's default applies). LK_ENOENT when there is no such user. */
int lk_store_user_language_get(lk_store_t *st, const char *user_id, char *out /* OUT */, size_t size);
/* Sets it; NULL or "" goes back to the default. LK_ENOENT. */
int lk_store_user_language_set(lk_store_t *st, const char *user_id, const char *language);
/* Sets the conversation's topic unless it has one; *set (may be NULL) tells
 * whether it did. LK_EINVAL for an empty topic. */
int lk_store_conv_set_topic(lk_store_t *st, const char *conv_id, const char *topic, bool *set /* OUT */);
/* Records that the conversation's messages hold this identifier (kind
 * "email" or "phone", value normalised: lk_pii_normalise); recording it
 * again changes nothing. Found by lk_store_privacy_export and _erase. */
int lk_store_conv_identifier_add(lk_store_t *st, const char *conv_id, const char *kind, const char *value,
                                 int64_t now);
/* How many canned responses the database holds, archived ones included. */
int lk_store_canned_count_all(lk_store_t *st, int64_t *n /* OUT */);
/* ---- insights: gap report, answer reviews, threshold (group insights) --- */

/* A value of the meta table (settings such as "nlu_threshold"); *value is a
 * heap string the caller frees. LK_ENOENT when the key is not set. */
int lk_store_meta_get(lk_store_t *st, const char *key, char **value /* OUT */);
/* Sets (inserting or replacing) a meta value. */
int lk_store_meta_set(lk_store_t *st, const char *key, const char *value);

/* A customer's question for the gap report: a message with outcome
 * "declined" or "handoff", with its conversation's language. */
typedef struct {
    char id[LK_ID_MAX];
    char conversation_id[LK_ID_MAX];
    char *text;
    lk_outcome_t outcome;
    char language[8]; /* the conversation's */
    int64_t created_at;
} lk_gap_msg_t;

void lk_gap_msgs_free(lk_gap_msg_t *v, size_t n); /* v may be NULL */
/* Customer messages with outcome "declined" or "handoff" created in
 * [from, to) (to 0: no end), of conversations in language (NULL: any),
 * newest first (created_at, then id), at most limit. */
int lk_store_gap_messages(lk_store_t *st, int64_t from, int64_t to, const char *language, size_t limit,
                          lk_gap_msg_t **out /* OUT */, size_t *n /* OUT */);

/* A person's verdict on a bot answer (table answer_reviews). */
typedef struct {
    char message_id[LK_ID_MAX];
    char conversation_id[LK_ID_MAX];
    char article_id[LK_KB_ID_MAX + 1]; /* the answer's article */
    double confidence;          /* meaningful only when has_confidence */
    bool has_confidence;
    lk_verdict_t verdict;
    char correct_article_id[LK_KB_ID_MAX + 1]; /* the article that should have answered; "" = none */
    char reviewer_id[LK_ID_MAX];
    int64_t created_at;
} lk_review_t;

/* Stores a review; a second review of the same message replaces the first.
 * LK_ENOENT when the message or conversation does not exist. */
int lk_store_review_set(lk_store_t *st, const lk_review_t *r);
/* The reviews of one conversation, oldest first. free() *out. */
int lk_store_review_list_conv(lk_store_t *st, const char *conversation_id, lk_review_t **out /* OUT */,
                              size_t *n /* OUT */);
/* Reviews made in [from, to) (to 0: no end), newest first, at most limit.
 * free() *out. */
int lk_store_review_list(lk_store_t *st, int64_t from, int64_t to, size_t limit, lk_review_t **out /* OUT */,
                         size_t *n /* OUT */);

/* Reviews per article made in [from, to) (to 0: no end), by article id. */
typedef struct {
    char article_id[LK_KB_ID_MAX + 1];
    int64_t reviewed;
    int64_t right;
} lk_review_count_t;
int lk_store_review_counts(lk_store_t *st, int64_t from, int64_t to, lk_review_count_t **out /* OUT, free() */,
                           size_t *n /* OUT */);

/* A bot answer nobody reviewed yet, with the customer's message before it. */
typedef struct {
    char message_id[LK_ID_MAX];
    char conversation_id[LK_ID_MAX];
    char article_id[LK_KB_ID_MAX + 1];
    double confidence; /* meaningful only when has_confidence */
    bool has_confidence;
    char *answer;   /* the bot's message */
    char *question; /* the customer's message before it; NULL when none */
    int64_t created_at;
} lk_review_pending_t;

void lk_review_pendings_free(lk_review_pending_t *v, size_t n); /* v may be NULL */
/* Unreviewed bot answers from the knowledge base, newest first, at most
 * limit. */
int lk_store_review_queue(lk_store_t *st, size_t limit, lk_review_pending_t **out /* OUT */, size_t *n /* OUT */);

/* ---- privacy: retention, data-subject rights, audit viewer (group privacy) --- */

/* What an export, an erasure or a purge found or deleted, per kind of row. */
typedef struct {
    int64_t conversations;
    int64_t messages;
    int64_t notes;
    int64_t callbacks; /* call-back requests */
    int64_t feedback;  /* "did this help?" answers */
    int64_t reviews;   /* answer reviews */
    int64_t audit;     /* audit records (about the conversations; purged) */
    int64_t identifiers; /* identifiers found in the messages (conversation_identifiers) */
} lk_privacy_counts_t;

/* Whom a data-subject request is about: any of these may be NULL or "",
 * not all. email is compared with its ASCII letters lower-cased; phone must
 * be normalised by the caller (lk_pii_normalise in privacy/: "06-12345678"
 * and "+31 6 1234 5678" are both "+31612345678"). */
typedef struct {
    const char *email;
    const char *external_id;
    const char *phone;
} lk_privacy_subject_t;

/* Every record about one customer as one JSON document (text, UTF-8; the
 * caller frees *json): the conversations whose customer_email is who->email
 * (ASCII letters compared lower-cased) or whose customer_external_id is
 * who->external_id, or in whose messages the customer typed that e-mail
 * address or who->phone (conversation_identifiers), each with its messages,
 * notes, call-back requests, feedback, answer reviews and audit records,
 * plus call-back requests whose contact is the e-mail address. Times are
 * RFC 3339. Nothing about anyone else and no secret (token hashes) is in
 * it. counts (may be NULL) tells what it holds. LK_EINVAL when neither key
 * is given. */
int lk_store_privacy_export(lk_store_t *st, const lk_privacy_subject_t *who, int64_t now, char **json /* OUT */,
                            lk_privacy_counts_t *counts /* OUT, may be NULL */);
/* Deletes everything lk_store_privacy_export would return, and removes the
 * erased conversations' ids from earlier audit records (conversation_id set
 * to NULL; the records themselves stay). Run inside the caller's
 * transaction. counts (may be NULL) receives what was deleted (audit: the
 * records unlinked). */
int lk_store_privacy_erase(lk_store_t *st, const lk_privacy_subject_t *who, lk_privacy_counts_t *counts /* OUT */);
/* Deletes one conversation and everything hanging off it, and removes its
 * id from earlier audit records, like an erasure. LK_ENOENT when there is no
 * such conversation. Run inside the caller's transaction. */
int lk_store_privacy_erase_conv(lk_store_t *st, const char *conv_id, lk_privacy_counts_t *counts /* OUT, may be NULL */);

/* What a purge deletes: rows older than these times (ms since the epoch;
 * 0 keeps that kind forever). */
typedef struct {
    int64_t conv_before;     /* closed conversations with closed_at before this */
    int64_t callback_before; /* handled call-back requests, by handled_at (else created_at) */
    int64_t audit_before;    /* audit records with at before this */
} lk_purge_cutoffs_t;

/* One batch of a retention purge: deletes the handled call-back requests
 * past their cutoff, then the closed conversations past theirs that have no
 * call-back request left that must stay (with their messages, notes,
 * feedback and reviews), then audit records past theirs: at most `batch` of
 * each (conversations, call-backs; 10 * batch audit records). Adds what it
 * deleted to *counts; *more says whether another batch has work. Run inside
 * the caller's transaction and commit between batches. */
int lk_store_privacy_purge(lk_store_t *st, const lk_purge_cutoffs_t *cut, size_t batch,
                           lk_privacy_counts_t *counts /* IN/OUT */, bool *more /* OUT */);
/* What lk_store_privacy_purge would delete in all its batches; deletes
 * nothing. *counts is overwritten. */
int lk_store_privacy_purge_count(lk_store_t *st, const lk_purge_cutoffs_t *cut, lk_privacy_counts_t *counts /* OUT */);

/* One audit record, as the admin's viewer shows it. */
typedef struct {
    int64_t id; /* rises with every record: the paging cursor */
    int64_t at;
    char actor[LK_ID_MAX]; /* a user id, "system", "cli" or "customer" */
    char *actor_name;      /* the user's display name (else e-mail); NULL when the actor is no user */
    char action[48];
    char conversation_id[LK_ID_MAX]; /* "" when none */
    char *detail;                    /* NULL when none */
} lk_audit_rec_t;

void lk_audit_recs_free(lk_audit_rec_t *v, size_t n); /* v may be NULL */

/* A query of the audit log; every filter is optional (0 / NULL). */
typedef struct {
    int64_t from;                /* at >= from */
    int64_t to;                  /* at < to */
    const char *actor;           /* a user id or e-mail address, "system", "cli", "customer" */
    const char *action;          /* exact, or a prefix ending in '.' ("privacy.") */
    const char *conversation_id;
    int64_t before;              /* id < before: the next page */
    size_t limit;                /* 0 = no limit */
} lk_audit_query_t;

/* Audit records matching q, newest (highest id) first. The caller frees
 * *out with lk_audit_recs_free. */
int lk_store_audit_list(lk_store_t *st, const lk_audit_query_t *q, lk_audit_rec_t **out /* OUT */,
                        size_t *n /* OUT */);

/* ---- security: sessions, second factor, client limits (group security) --- */

/* The session with id_hash when it is valid at now: not past expires_at,
 * and used (last_seen_at, or created_at when never touched) after
 * idle_since. *last_seen receives that last use. LK_ENOENT otherwise. */
int lk_store_session_get_active(lk_store_t *st, const char *id_hash, int64_t now, int64_t idle_since,
                                lk_session_t *out /* OUT */, int64_t *last_seen /* OUT */);
/* Records that the session was used at `at` (never moves it back). */
int lk_store_session_touch(lk_store_t *st, const char *id_hash, int64_t at);
/* Deletes every session of user_id but the one with id_hash keep (NULL:
 * every one); *deleted (may be NULL) counts them. */
int lk_store_session_delete_user(lk_store_t *st, const char *user_id, const char *keep, int64_t *deleted /* OUT */);
/* Deletes sessions not used since idle_since; *deleted may be NULL. */
int lk_store_session_purge_idle(lk_store_t *st, int64_t idle_since, int64_t *deleted /* OUT */);

/* A user's second factor: the TOTP secret as stored (encrypted text, NULL
 * when none), whether it is switched on, and the last time step a code was
 * accepted for (0 when none). */
typedef struct {
    char *secret;
    bool enabled;
    int64_t last_step;
} lk_totp_t;

void lk_totp_clear(lk_totp_t *t);
/* LK_ENOENT when there is no such user. Clear *out with lk_totp_clear. */
int lk_store_user_totp_get(lk_store_t *st, const char *user_id, lk_totp_t *out /* OUT */);
/* Sets the secret (NULL removes it) and whether it is on, and forgets the
 * last step used (mark the code that switched it on with
 * lk_store_user_totp_use afterwards). LK_ENOENT. */
int lk_store_user_totp_set(lk_store_t *st, const char *user_id, const char *secret, bool enabled);
/* Marks time step `step` used: LK_EEXIST when a code of this or a later
 * step was accepted already (a code works once), LK_ENOENT. */
int lk_store_user_totp_use(lk_store_t *st, const char *user_id, int64_t step);

/* How many conversations with this client_hash are open (not closed) and
 * were active (updated_at) after active_since; *oldest receives the
 * earliest updated_at among them (0 when none). */
int lk_store_conv_count_open_by_client(lk_store_t *st, const char *client_hash, int64_t active_since,
                                       int64_t *n /* OUT */, int64_t *oldest /* OUT */);

/* ---- security: known login addresses, security events ------------------- */

/* Whether user_id logged in successfully from the client address with this
 * keyed hash since `since`. */
int lk_store_login_address_known(lk_store_t *st, const char *user_id, const char *addr_hash, int64_t since,
                                 bool *known /* OUT */);
/* Notes a successful login of user_id from addr_hash at now, and forgets
 * that user's addresses not used since forget_before. */
int lk_store_login_address_note(lk_store_t *st, const char *user_id, const char *addr_hash, int64_t now,
                                int64_t forget_before);

/* A security event (docs/security.md, "Security events"); account is an
 * e-mail address or NULL; never a secret. */
typedef struct {
    int64_t id; /* set by lk_store_secevent_add */
    int64_t at;
    lk_sec_kind_t kind;
    char address[64];
    char *account;
    char *reason;
    char route[160];
} lk_secevent_t;

int lk_store_secevent_add(lk_store_t *st, lk_secevent_t *e /* id set */);
/* The newest events first, of one kind (LK_SEC_NONE: all), with id below before_id
 * (0: from the newest), at most limit. Free with lk_secevents_free. */
int lk_store_secevent_list(lk_store_t *st, lk_sec_kind_t kind, int64_t before_id, size_t limit,
                           lk_secevent_t **out /* OUT */, size_t *n /* OUT */);
void lk_secevents_free(lk_secevent_t *v, size_t n);
/* Deletes events older than before; *deleted may be NULL. */
int lk_store_secevent_purge(lk_store_t *st, int64_t before, int64_t *deleted /* OUT */);

/* ---- analytics: per-conversation facts, compliance (group analytics) ---- */

/* Which conversations a report covers: created in [from, to), of language
 * and channel when given (NULL: any). */
typedef struct {
    int64_t from;
    int64_t to;
    const char *language;
    const char *channel;
} lk_facts_filter_t;

/* One conversation with what the analytics need to know of its messages,
 * feedback, reviews and call-back requests (docs/analytics.md). Times are
 * 0 when there is none. */
typedef struct {
    char id[LK_ID_MAX];
    int64_t created_at;
    char language[8];
    char channel[16]; /* "" = unknown */
    lk_conv_status_t status;
    lk_handoff_reason_t handoff_reason;
    int64_t queued_at;
    int64_t assigned_at;
    int64_t closed_at;
    char assigned_to[LK_ID_MAX];
    int rating; /* 0 = none */
    char *customer_email;       /* NULL = unknown */
    char *customer_external_id; /* NULL = unknown */
    char client_hash[65];
    int64_t first_agent_at;          /* the first agent message */
    int64_t first_agent_after_queue; /* the first agent message at or after queued_at */
    int64_t first_owner_reply;       /* assigned_to's first message at or after assigned_at */
    int64_t last_customer_at;        /* the last customer message */
    int64_t answered;                /* customer messages with outcome "answered" */
    int64_t declined;                /* ... "declined" */
    int64_t helpful_yes;             /* bot messages marked helpful */
    int64_t helpful_no;              /* ... not helpful */
    int64_t reviewed;                /* bot messages with an answer review */
    int64_t reviewed_right;          /* ... with verdict "right" */
    int64_t callbacks;               /* call-back requests */
    /* ---- added by issue 15 ---- */
    int64_t choice_offers; /* bot messages that offered choices */
    int64_t choice_picks;  /* bot answers to a pick of one of them */
} lk_conv_facts_t;

/* Calls fn once per conversation matching f, oldest created_at first (then
 * id). The record and its strings are valid during the call only. fn
 * returns 0 to go on; anything else stops the walk and is returned. */
int lk_store_conv_facts(lk_store_t *st, const lk_facts_filter_t *f,
                        int (*fn)(const lk_conv_facts_t *c, void *ud), void *ud);

/* Agent messages per author in the conversations matching f. */
typedef struct {
    char user_id[LK_ID_MAX];
    int64_t messages;
    int64_t suggested;        /* provenance "suggested" */
    int64_t suggested_edited; /* provenance "suggested_edited" */
} lk_agent_msg_count_t;
/* Ordered by user id; free() *out. */
int lk_store_agent_msg_counts(lk_store_t *st, const lk_facts_filter_t *f, lk_agent_msg_count_t **out /* OUT */,
                              size_t *n /* OUT */);

/* The articles the bot answered customers with (customer messages with
 * outcome "answered"), each (conversation, article) pair once, for the
 * conversations matching f; fn as above. */
int lk_store_answered_articles(lk_store_t *st, const lk_facts_filter_t *f,
                               int (*fn)(const char *conversation_id, const char *article_id, void *ud), void *ud);

/* One message for the compliance report: the first message of each
 * conversation (lk_store_first_messages) or the messages of conversations
 * with a declined question (lk_store_decline_messages). text is read only
 * for the bot's and system's messages (NULL otherwise). */
typedef struct {
    char conversation_id[LK_ID_MAX];
    char id[LK_ID_MAX]; /* "" when the conversation has no message */
    int64_t seq;
    lk_sender_t sender;
    bool automated;
    char *text;
    lk_outcome_t outcome;
    int64_t created_at;
} lk_report_msg_t;

/* The first message (lowest seq) of every conversation matching f, oldest
 * conversation first; a conversation without messages comes with id "". */
int lk_store_first_messages(lk_store_t *st, const lk_facts_filter_t *f,
                            int (*fn)(const lk_report_msg_t *m, void *ud), void *ud);
/* Every message of the conversations matching f that hold at least one
 * customer message with outcome "declined", by conversation (oldest first)
 * and seq. */
int lk_store_decline_messages(lk_store_t *st, const lk_facts_filter_t *f,
                              int (*fn)(const lk_report_msg_t *m, void *ud), void *ud);
/* The bot's and system's messages in the conversations matching f: how many
 * (*total) and how many are marked automated (*labelled); fn (may be NULL)
 * gets each one that is not (text NULL). */
int lk_store_bot_labels(lk_store_t *st, const lk_facts_filter_t *f, int64_t *total /* OUT */,
                        int64_t *labelled /* OUT */, int (*fn)(const lk_report_msg_t *m, void *ud), void *ud);
/* Call-back requests created in [from, to), oldest first, without the
 * contact and text (the report shows no personal data: both NULL). Free
 * *out with lk_callbacks_free. */
int lk_store_callbacks_between(lk_store_t *st, int64_t from, int64_t to, lk_callback_t **out /* OUT */,
                               size_t *n /* OUT */);

/* ---- the company's labelled questions (group labelled) ------------------ */

/* Questions whose right answer is known (docs/quality.md): they join the
 * calibration of every bot built (lk_bot_model_build), never its training.
 * The text is stored as the privacy module redacts it (lk_pii_redact: the
 * caller's), holds no link to a customer or conversation, and is unique per
 * label: the same question with the same label twice would count twice in
 * the bound. */

/* Where one came from: "import" (a file: `loket kb labelled import`, the
 * console's upload), "console" (typed by a knowledge manager), "review" (a
 * customer's question taken over from an answer review). */
typedef enum { LK_LABELLED_NONE, LK_LABELLED_IMPORT, LK_LABELLED_CONSOLE, LK_LABELLED_REVIEW } lk_labelled_source_t;
LK_SET_DECLARE(labelled_source, lk_labelled_source_t);

typedef struct {
    int64_t id;                        /* set by the store */
    char *text;                        /* redacted */
    char article_id[LK_KB_ID_MAX + 1]; /* the article that answers it; "" = out of scope */
    char language[8];                  /* "" = not known */
    lk_labelled_source_t source;
    char added_by[LK_ID_MAX]; /* the user's id; "cli" for the command line */
    int64_t created_at;
} lk_labelled_t;

/* Frees v[0..n) and v; v may be NULL. */
void lk_labelled_free(lk_labelled_t *v, size_t n);

/* Stores v[0..n) (ids ignored); with replace, deletes every stored one
 * first (*deleted, may be NULL, says how many). A question already stored
 * with the same label is left as it is: *added (may be NULL) counts the new
 * ones. Run it inside a transaction: on an error the caller rolls back.
 * LK_EINVAL for an empty text or a NONE source. */
int lk_store_labelled_add(lk_store_t *st, const lk_labelled_t *v, size_t n, bool replace, int64_t *added /* OUT */,
                          int64_t *deleted /* OUT */);
/* Oldest first (by id), with id above after_id, at most limit (0: all); of
 * one article (article "": the out-of-scope ones; NULL: any). Free *out with
 * lk_labelled_free. */
int lk_store_labelled_list(lk_store_t *st, const char *article, int64_t after_id, size_t limit,
                           lk_labelled_t **out /* OUT */, size_t *n /* OUT */);
/* Deletes one; LK_ENOENT when there is no such id. */
int lk_store_labelled_delete(lk_store_t *st, int64_t id);

/* How many are labelled with one article ("" = out of scope). */
typedef struct {
    char article_id[LK_KB_ID_MAX + 1];
    int64_t count;
} lk_labelled_count_t;
/* Per label, ordered by article id ("" first); free() *out. */
int lk_store_labelled_counts(lk_store_t *st, lk_labelled_count_t **out /* OUT */, size_t *n /* OUT */);

#endif
