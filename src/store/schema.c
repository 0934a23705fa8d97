/*
 * The database schema, as an ordered list of migrations (see store_int.h and
 * docs/storage.md). A migration is never edited once released: a change to
 * the schema is a new entry at the end. The SQL is kept portable to
 * PostgreSQL: times are BIGINT milliseconds since the epoch (NULL = never),
 * ids TEXT, flags INTEGER, lists JSON text; no SQLite-only functions.
 */
#include "store/store_int.h"

/* The columns of an article's content and metadata, as the tables made in
 * migration 3 hold them (article_versions, article_drafts). */
#define ARTICLE_CONTENT_COLUMNS                                                                                        \
    "  language          TEXT NOT NULL,\n"                                                                             \
    "  title             TEXT NOT NULL,\n"                                                                             \
    "  questions         TEXT NOT NULL,\n"                                                                             \
    "  answer            TEXT NOT NULL,\n"                                                                             \
    "  url               TEXT,\n"                                                                                      \
    "  tags              TEXT NOT NULL,\n"                                                                             \
    "  owner             TEXT,\n"                                                                                      \
    "  review_by         BIGINT,\n"                                                                                    \
    "  translation_group TEXT,\n"

/* Version 1: conversations, messages, articles, users, sessions, audit log. */
static const char migration_1[] =
    "CREATE TABLE meta (\n"
    "  key   TEXT PRIMARY KEY,\n"
    "  value TEXT NOT NULL\n"
    ");\n"
    "INSERT INTO meta (key, value) VALUES ('kb_version', '0');\n"
    "\n"
    "CREATE TABLE conversations (\n"
    "  id             TEXT PRIMARY KEY,\n"
    "  token_hash     TEXT NOT NULL,\n"
    "  status         TEXT NOT NULL,\n"
    "  language       TEXT NOT NULL,\n"
    "  handoff_reason TEXT,\n"
    "  created_at     BIGINT NOT NULL,\n"
    "  updated_at     BIGINT NOT NULL,\n"
    "  queued_at      BIGINT,\n"
    "  assigned_at    BIGINT,\n"
    "  closed_at      BIGINT,\n"
    "  assigned_to    TEXT,\n"
    "  next_seq       BIGINT NOT NULL,\n"
    "  rating         INTEGER,\n"
    "  rating_comment TEXT,\n"
    "  disposition    TEXT,\n"
    "  policy_state   TEXT\n"
    ");\n"
    "CREATE INDEX conversations_queue ON conversations (status, queued_at);\n"
    "CREATE INDEX conversations_assigned ON conversations (assigned_to, status);\n"
    "\n"
    "CREATE TABLE messages (\n"
    "  id              TEXT PRIMARY KEY,\n"
    "  conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,\n"
    "  seq             BIGINT NOT NULL,\n"
    "  sender          TEXT NOT NULL,\n"
    "  automated       INTEGER NOT NULL,\n"
    "  text            TEXT NOT NULL,\n"
    "  created_at      BIGINT NOT NULL,\n"
    "  article_id      TEXT,\n"
    "  confidence      DOUBLE PRECISION,\n"
    "  author_id       TEXT,\n"
    "  author_name     TEXT,\n"
    "  UNIQUE (conversation_id, seq)\n"
    ");\n"
    "CREATE INDEX messages_sender ON messages (conversation_id, sender, seq);\n"
    "\n"
    "CREATE TABLE articles (\n"
    "  id         TEXT PRIMARY KEY,\n"
    "  language   TEXT NOT NULL,\n"
    "  title      TEXT NOT NULL,\n"
    "  questions  TEXT NOT NULL,\n"
    "  answer     TEXT NOT NULL,\n"
    "  url        TEXT,\n"
    "  tags       TEXT NOT NULL,\n"
    "  updated_at BIGINT NOT NULL\n"
    ");\n"
    "\n"
    "CREATE TABLE users (\n"
    "  id            TEXT PRIMARY KEY,\n"
    "  email         TEXT NOT NULL UNIQUE,\n"
    "  role          TEXT NOT NULL,\n"
    "  display_name  TEXT,\n"
    "  password_hash TEXT,\n"
    "  created_at    BIGINT NOT NULL,\n"
    "  disabled      INTEGER NOT NULL DEFAULT 0\n"
    ");\n"
    "\n"
    "CREATE TABLE sessions (\n"
    "  id_hash    TEXT PRIMARY KEY,\n"
    "  user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,\n"
    "  created_at BIGINT NOT NULL,\n"
    "  expires_at BIGINT NOT NULL\n"
    ");\n"
    "CREATE INDEX sessions_user ON sessions (user_id);\n"
    "CREATE INDEX sessions_expires ON sessions (expires_at);\n"
    "\n"
    "CREATE TABLE audit_log (\n"
    "  id              INTEGER PRIMARY KEY,\n"
    "  at              BIGINT NOT NULL,\n"
    "  actor           TEXT NOT NULL,\n"
    "  action          TEXT NOT NULL,\n"
    "  conversation_id TEXT,\n"
    "  detail          TEXT\n"
    ");\n"
    "CREATE INDEX audit_log_action ON audit_log (action);\n"
    "CREATE INDEX audit_log_conversation ON audit_log (conversation_id);\n";

/* Version 2: agents' notes, call-back requests, "did this help?" feedback on
 * messages, and indexes for the console's conversation list and the wait
 * estimate. */
static const char migration_2[] =
    "CREATE TABLE notes (\n"
    "  id              TEXT PRIMARY KEY,\n"
    "  conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,\n"
    "  author_id       TEXT,\n"
    "  author_name     TEXT,\n"
    "  text            TEXT NOT NULL,\n"
    "  created_at      BIGINT NOT NULL\n"
    ");\n"
    "CREATE INDEX notes_conversation ON notes (conversation_id, created_at);\n"
    "\n"
    "CREATE TABLE callback_requests (\n"
    "  id              TEXT PRIMARY KEY,\n"
    "  conversation_id TEXT REFERENCES conversations (id) ON DELETE CASCADE,\n"
    "  contact         TEXT NOT NULL,\n"
    "  text            TEXT,\n"
    "  status          TEXT NOT NULL,\n"
    "  created_at      BIGINT NOT NULL,\n"
    "  handled_at      BIGINT,\n"
    "  handled_by      TEXT\n"
    ");\n"
    "CREATE INDEX callback_requests_status ON callback_requests (status, created_at);\n"
    "CREATE INDEX callback_requests_conversation ON callback_requests (conversation_id);\n"
    "\n"
    "CREATE TABLE message_feedback (\n"
    "  message_id      TEXT PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,\n"
    "  conversation_id TEXT NOT NULL,\n"
    "  helpful         INTEGER NOT NULL,\n"
    "  created_at      BIGINT NOT NULL\n"
    ");\n"
    "\n"
    "CREATE INDEX conversations_status_updated ON conversations (status, updated_at);\n"
    "CREATE INDEX conversations_updated ON conversations (updated_at);\n"
    "CREATE INDEX conversations_assigned_at ON conversations (assigned_at);\n";

/* Version 3: agent assist, knowledge management, answer review, analytics,
 * privacy and security (issues 6, 7, 8).
 * - conversations: who the customer is, as the host page tells it (for the
 *   customer's history and data-subject requests) and the address the
 *   conversation came from, hashed (per-address limits).
 * - messages: where an agent's message came from (provenance) and, on a
 *   customer's message, what the bot decided about it (outcome).
 * - canned responses; article history, drafts and review marks; sessions
 *   that know when they were last used; users' second factor. */
static const char migration_3[] =
    "ALTER TABLE conversations ADD COLUMN customer_email TEXT;\n"
    "ALTER TABLE conversations ADD COLUMN customer_external_id TEXT;\n"
    "ALTER TABLE conversations ADD COLUMN customer_name TEXT;\n"
    "ALTER TABLE conversations ADD COLUMN channel TEXT;\n"
    "ALTER TABLE conversations ADD COLUMN client_hash TEXT;\n"
    "CREATE INDEX conversations_customer_email ON conversations (customer_email);\n"
    "CREATE INDEX conversations_customer_external ON conversations (customer_external_id);\n"
    "CREATE INDEX conversations_created ON conversations (created_at);\n"
    "CREATE INDEX conversations_closed ON conversations (closed_at);\n"
    "\n"
    /* agent messages: "human" | "suggested" | "suggested_edited" (NULL otherwise);
     * suggestion_article_id: the article a suggested message came from. */
    "ALTER TABLE messages ADD COLUMN provenance TEXT;\n"
    "ALTER TABLE messages ADD COLUMN suggestion_article_id TEXT;\n"
    /* customer messages: "answered" | "declined" | "handoff" | "clarify" |
     * "none" (the bot was not asked: a person had the conversation);
     * outcome_article_id/outcome_confidence: the NLU's best article. */
    "ALTER TABLE messages ADD COLUMN outcome TEXT;\n"
    "ALTER TABLE messages ADD COLUMN outcome_article_id TEXT;\n"
    "ALTER TABLE messages ADD COLUMN outcome_confidence DOUBLE PRECISION;\n"
    "CREATE INDEX messages_created ON messages (created_at);\n"
    "CREATE INDEX messages_outcome ON messages (outcome, created_at);\n"
    "\n"
    "CREATE TABLE canned_responses (\n"
    "  id         TEXT PRIMARY KEY,\n"
    "  language   TEXT NOT NULL,\n"
    "  title      TEXT NOT NULL,\n"
    "  shortcut   TEXT,\n"
    "  text       TEXT NOT NULL,\n"
    "  created_by TEXT,\n"
    "  created_at BIGINT NOT NULL,\n"
    "  updated_at BIGINT NOT NULL,\n"
    "  archived   INTEGER NOT NULL DEFAULT 0\n"
    ");\n"
    "CREATE INDEX canned_responses_language ON canned_responses (language, archived);\n"
    "\n"
    /* articles: "published" | "archived" (the bot answers from published
     * ones only); translation_group links the language versions of one
     * article; version counts its published changes. */
    "ALTER TABLE articles ADD COLUMN status TEXT NOT NULL DEFAULT 'published';\n"
    "ALTER TABLE articles ADD COLUMN owner TEXT;\n"
    "ALTER TABLE articles ADD COLUMN review_by BIGINT;\n"
    "ALTER TABLE articles ADD COLUMN translation_group TEXT;\n"
    "ALTER TABLE articles ADD COLUMN version BIGINT NOT NULL DEFAULT 1;\n"
    "ALTER TABLE articles ADD COLUMN updated_by TEXT;\n"
    "\n"
    /* Every published state of every article, with who and when. */
    "CREATE TABLE article_versions (\n"
    "  article_id        TEXT NOT NULL,\n"
    "  version           BIGINT NOT NULL,\n"
    "  status            TEXT NOT NULL,\n"
    ARTICLE_CONTENT_COLUMNS
    "  changed_by        TEXT,\n"
    "  changed_at        BIGINT NOT NULL,\n"
    "  change            TEXT NOT NULL,\n"
    "  PRIMARY KEY (article_id, version)\n"
    ");\n"
    "\n"
    /* Unpublished changes: a new article (article_id NULL until published)
     * or an edit of a published one; source says where it came from
     * ("editor", "gap_report", "import"). */
    "CREATE TABLE article_drafts (\n"
    "  id                TEXT PRIMARY KEY,\n"
    "  article_id        TEXT,\n"
    "  status            TEXT NOT NULL,\n"
    ARTICLE_CONTENT_COLUMNS
    "  source            TEXT,\n"
    "  created_by        TEXT,\n"
    "  created_at        BIGINT NOT NULL,\n"
    "  updated_at        BIGINT NOT NULL\n"
    ");\n"
    "CREATE INDEX article_drafts_status ON article_drafts (status, updated_at);\n"
    /* knowledge management: the id a new article gets when its draft is
     * published (NULL: one made from the title). */
    "ALTER TABLE article_drafts ADD COLUMN new_id TEXT;\n"
    "\n"
    /* Agents' and supervisors' marks on bot answers: verdict "right" |
     * "wrong"; correct_article_id: the article that should have answered. */
    "CREATE TABLE answer_reviews (\n"
    "  message_id         TEXT PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,\n"
    "  conversation_id    TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,\n"
    "  article_id         TEXT,\n"
    "  confidence         DOUBLE PRECISION,\n"
    "  verdict            TEXT NOT NULL,\n"
    "  correct_article_id TEXT,\n"
    "  reviewer_id        TEXT,\n"
    "  created_at         BIGINT NOT NULL\n"
    ");\n"
    "CREATE INDEX answer_reviews_created ON answer_reviews (created_at);\n"
    "\n"
    "ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT;\n"
    "ALTER TABLE users ADD COLUMN totp_secret TEXT;\n"
    "ALTER TABLE users ADD COLUMN totp_enabled INTEGER NOT NULL DEFAULT 0;\n"
    "CREATE INDEX audit_log_at ON audit_log (at);\n"
    /* security: the last TOTP time step accepted (a code works once); open
     * conversations per client address. */
    "ALTER TABLE users ADD COLUMN totp_last_step BIGINT;\n"
    "CREATE INDEX conversations_client ON conversations (client_hash, status);\n";

/* Choices (issue 15): a bot message that offers articles instead of
 * answering stores them as a JSON array [{"article_id", "title"}, ...]
 * (NULL otherwise); chosen is 1 on the bot's answer to the customer's pick
 * of one. The partial index finds a conversation's last offer. */
static const char migration_4[] =
    "ALTER TABLE messages ADD COLUMN choices TEXT;\n"
    "ALTER TABLE messages ADD COLUMN chosen INTEGER NOT NULL DEFAULT 0;\n"
    "CREATE INDEX messages_choices ON messages (conversation_id, seq) WHERE choices IS NOT NULL;\n";
/* Issue 14, the console and privacy details: a user's own console language
 * (NULL = the deployment's default, then the browser's); a conversation's
 * topic (the title of the article the bot matched for the customer's first
 * question, else that question's first words, redacted), which titles it in
 * the console when the customer is unknown; and the personal identifiers
 * (normalised e-mail addresses and phone numbers) that the privacy detector
 * found in the customer's messages, so that a data-subject request finds the
 * conversation by them. They hang off the conversation and go with it. */
static const char migration_5[] =
    "ALTER TABLE users ADD COLUMN language TEXT;\n"
    "ALTER TABLE conversations ADD COLUMN topic TEXT;\n"
    "CREATE TABLE conversation_identifiers (\n"
    "  conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,\n"
    "  kind            TEXT NOT NULL,\n"
    "  value           TEXT NOT NULL,\n"
    "  created_at      BIGINT NOT NULL,\n"
    "  PRIMARY KEY (conversation_id, kind, value)\n"
    ");\n"
    "CREATE INDEX conversation_identifiers_value ON conversation_identifiers (kind, value);\n";
/* Issue 16 (docs/security.md): the client addresses (keyed hashes) each user
 * logged in from successfully, which pass the per-account login throttle;
 * the security events (failed logins, lockouts, refused cross-site
 * requests, role refusals, 429s) shown to admins; whether a conversation's
 * customer identity was signed by the company's site. */
static const char migration_6[] =
    "CREATE TABLE login_addresses (\n"
    "  user_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,\n"
    "  addr_hash TEXT NOT NULL,\n"
    "  last_at   BIGINT NOT NULL,\n"
    "  PRIMARY KEY (user_id, addr_hash)\n"
    ");\n"
    "CREATE TABLE security_events (\n"
    "  id      INTEGER PRIMARY KEY,\n"
    "  at      BIGINT NOT NULL,\n"
    "  kind    TEXT NOT NULL,\n"
    "  address TEXT,\n"
    "  account TEXT,\n"
    "  reason  TEXT NOT NULL,\n"
    "  route   TEXT\n"
    ");\n"
    "CREATE INDEX security_events_at ON security_events (at);\n"
    "CREATE INDEX security_events_kind ON security_events (kind, id);\n"
    "ALTER TABLE conversations ADD COLUMN customer_verified INTEGER NOT NULL DEFAULT 0;\n";

/* Issue 15, part 1 (docs/quality.md, "Labelled questions and review marks"):
 * the company's own labelled questions, which join the calibration of the
 * answering threshold. The text is stored redacted (docs/privacy.md);
 * article_id '' marks an out-of-scope question, so that the unique key also
 * keeps the same out-of-scope question from counting twice. */
static const char migration_7[] =
    "CREATE TABLE labelled_questions (\n"
    "  id         INTEGER PRIMARY KEY,\n"
    "  text       TEXT NOT NULL,\n"
    "  article_id TEXT NOT NULL DEFAULT '',\n"
    "  language   TEXT,\n"
    "  source     TEXT NOT NULL,\n"
    "  added_by   TEXT NOT NULL,\n"
    "  created_at BIGINT NOT NULL,\n"
    "  UNIQUE (article_id, text)\n"
    ");\n";

const char *const lk_store__migrations[] = {
    migration_1,
    migration_2,
    migration_3,
    migration_4,
    migration_5,
    migration_6,
    migration_7,
};

const size_t lk_store__n_migrations = sizeof lk_store__migrations / sizeof lk_store__migrations[0];
