/*
 * store: loket's durable state behind one interface.
 *
 * Conversations, their messages (numbered by seq per conversation), the
 * knowledge base's articles, users, login sessions and an append-only audit
 * log. The SQLite backend (store_sqlite.c) is the embedded default; a
 * PostgreSQL backend will sit behind the same functions, so the SQL and the
 * types stay portable: times are int64 milliseconds since the epoch, ids are
 * text, flags are integers.
 *
 * A handle is one database connection and belongs to one thread at a time.
 * Writes happen inside lk_store_begin()/lk_store_commit(); nothing is
 * acknowledged to a client before its commit returned 0.
 *
 * Strings in the record types below are either fixed arrays (ids and enum-like
 * values, always NUL-terminated, "" for SQL NULL) or heap strings owned by the
 * record and freed by its *_clear() function (NULL for SQL NULL).
 */
#ifndef LK_STORE_H
#define LK_STORE_H

#include "kb/kb.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct lk_store lk_store_t;

#define LK_ID_MAX 40 /* ids like "c_" + 22 characters, with room to spare */

/* ---- records ----------------------------------------------------------- */

typedef struct {
    char id[LK_ID_MAX];
    char token_hash[65];   /* hex SHA-256 of the customer's token */
    char status[16];       /* "bot" | "queued" | "assigned" | "closed" */
    char language[8];      /* "nl", "en", ... */
    char handoff_reason[24]; /* "" when none */
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
} lk_conv_t;

typedef struct {
    char id[LK_ID_MAX];
    char conversation_id[LK_ID_MAX];
    int64_t seq;
    char sender[12]; /* "customer" | "bot" | "agent" | "system" */
    bool automated;
    char *text;
    int64_t created_at;
    char *article_id; /* NULL unless a bot answer from the knowledge base */
    double confidence; /* meaningful only when has_confidence */
    bool has_confidence;
    char author_id[LK_ID_MAX]; /* the agent's user id, "" otherwise */
    char *author_name;         /* the agent's display name, NULL otherwise */
    /* An agent's message: "human", "suggested" or "suggested_edited"; "" for
     * other senders. suggestion_article_id: the suggestion's article. */
    char provenance[20];
    char *suggestion_article_id;
    /* A customer's message: what the bot made of it ("answered",
     * "declined", "handoff", "clarify", "none" when a person had the
     * conversation); "" = not recorded. The NLU's best article and its
     * confidence, when it had one. Set by lk_store_msg_set_outcome. */
    char outcome[12];
    char *outcome_article_id;
    double outcome_confidence; /* meaningful only when has_outcome_confidence */
    bool has_outcome_confidence;
} lk_msg_t;

typedef struct {
    char id[LK_ID_MAX];
    char email[256];
    char role[16]; /* "agent" | "supervisor" | "admin" */
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
    char status[16]; /* "open" | "done" */
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

/* Opens (creating when missing) the SQLite database in data_dir (created with
 * mode 0700 when missing), sets WAL and synchronous=FULL, and brings the
 * schema up to date. *created tells whether the database file was new
 * (precisely: this call created its schema, so when several processes open a
 * new database at once exactly one is told so). The caller closes *out.
 * 0, LK_EINVAL, LK_EIO (cannot create or open, not a database), LK_ESCHEMA
 * (a newer loket made it), LK_EBUSY (locked past the 5 s busy timeout),
 * LK_EDB (a migration failed). */
int lk_store_open(const char *data_dir, lk_store_t **out /* OUT */, bool *created /* OUT, may be NULL */);
void lk_store_close(lk_store_t *st); /* st may be NULL */
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

/* ---- transactions ------------------------------------------------------ */

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

/* ---- conversations ----------------------------------------------------- */

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
int lk_store_msg_list_recent(lk_store_t *st, const char *conversation_id, const char *sender, size_t limit,
                             lk_msg_t **out /* OUT */, size_t *n /* OUT */);

/* ---- knowledge base ---------------------------------------------------- */

/* Inserts or replaces every article of kb by id; with replace, also deletes
 * articles whose id is not in kb. Bumps the KB version. Atomic on its own:
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

/* ---- users and sessions ------------------------------------------------ */

/* LK_EEXIST when the e-mail address (case-insensitive) is taken. The
 * address is stored with its ASCII letters lower-cased; lookups by e-mail
 * are case-insensitive the same way. The get functions overwrite *out;
 * clear it with lk_user_clear(). */
int lk_store_user_insert(lk_store_t *st, const lk_user_t *u);
int lk_store_user_get_by_email(lk_store_t *st, const char *email, lk_user_t *out /* OUT */);
int lk_store_user_get(lk_store_t *st, const char *id, lk_user_t *out /* OUT */);

int lk_store_session_insert(lk_store_t *st, const lk_session_t *s);
/* LK_ENOENT when missing or expired at now. */
int lk_store_session_get(lk_store_t *st, const char *id_hash, int64_t now, lk_session_t *out /* OUT */);
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

/* ---- added for the console, the policy and the widget (schema version 2) -- */

/* Conversations filtered by status ("queued", "assigned", "closed", "bot", or
 * NULL for all) and assigned_to (NULL for anyone), newest updated_at first,
 * at most limit (0 = no limit). */
int lk_store_conv_list(lk_store_t *st, const char *status, const char *assigned_to, size_t limit,
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
/* Call-back requests with status ("open", "done", NULL = all), oldest first. */
int lk_store_callback_list(lk_store_t *st, const char *status, size_t limit, lk_callback_t **out /* OUT */,
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
/* Records what the bot made of a customer's message (see lk_msg_t);
 * article_id may be NULL, confidence < 0 means none. LK_ENOENT. */
int lk_store_msg_set_outcome(lk_store_t *st, const char *message_id, const char *outcome, const char *article_id,
                             double confidence);
/* One message by id (LK_ENOENT). */
int lk_store_msg_get(lk_store_t *st, const char *message_id, lk_msg_t *out /* OUT */);

/* Every user, ordered by e-mail (the password hash is not read: NULL). */
int lk_store_user_list(lk_store_t *st, lk_user_t **out /* OUT */, size_t *n /* OUT */);
/* How many distinct enabled users hold a session that is valid at now. */
int lk_store_session_count_users(lk_store_t *st, int64_t now, int64_t *n /* OUT */);

/* ---- knowledge management (schema version 3) --------------------------- */

/* An unpublished article: new (article_id "") or a change to a published
 * one. questions and tags are JSON arrays of strings as text. */
typedef struct {
    char id[LK_ID_MAX];
    char article_id[LK_ID_MAX]; /* "" for a new article */
    char status[16];            /* "draft" | "published" | "discarded" */
    char language[8];
    char *title;
    char *questions; /* JSON array text */
    char *answer;    /* Markdown */
    char *url;       /* NULL = none */
    char *tags;      /* JSON array text */
    char owner[LK_ID_MAX]; /* user id, "" = none */
    int64_t review_by;     /* 0 = none */
    char translation_group[LK_ID_MAX]; /* "" = none */
    char source[24];       /* "editor" | "gap_report" | "import" */
    char created_by[LK_ID_MAX];
    int64_t created_at;
    int64_t updated_at;
} lk_draft_t;

void lk_draft_clear(lk_draft_t *d);
/* Stores a new draft (id set by the caller, e.g. lk_rand_id("d_", ...)). */
int lk_store_draft_insert(lk_store_t *st, const lk_draft_t *d);

#endif
