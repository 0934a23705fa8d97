/*
 * api internals shared by the files of src/api/. Not an interface for other
 * modules.
 */
#ifndef LK_API_INT_H
#define LK_API_INT_H

#include "analytics/analytics.h"
#include "api/api.h"
#include "conv/conv.h"
#include "http/http.h"
#include "kb/kb.h"
#include "nlu/nlu.h"
#include "password/password.h"
#include "policy/policy.h"
#include "runtime/runtime.h"
#include "store/store.h"
#include "util/util.h"

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>

/* ---- the bot (lk_bot_t, conv.h), the server's current one (bot.c) ------- */

/* The calibration of a model as the knowledge page shows it: the threshold
 * it answers at, whether that meets answer_risk, the bound and the
 * estimated precision, coverage... there (docs/quality.md), and how many
 * labelled questions joined it: company_questions of the company's own
 * (lk_bot_model_build says how many), the rest from answer reviews. New
 * reference. */
json_t *lk_bot_calibration_json(const lk_nlu_model_t *nlu, size_t company_questions);
/* Logs what the bot's calibration found (at info). */
void lk_bot_log_calibration(const lk_bot_t *bot);
/* The app's answer_risk option as a number. */
double lk_bot_answer_risk(const struct lk_app *app);
lk_bot_t *lk_bot_acquire(struct lk_app *app); /* the current bot, referenced (lk_bot_release) */
/* Builds a new bot when the stored knowledge base's version is not the
 * current bot's, swaps it in (turns in progress keep theirs) and audits a
 * change of threshold its calibration made. On the watcher thread (tick.c),
 * with its own store handle. */
void lk_bot_reload(struct lk_app *app, lk_store_t *st);
/* A warning in the log when bot has no article (at start and after a
 * reload): every question then goes to a person. */
void lk_bot_warn_if_empty(const lk_bot_t *bot);
/* The watcher thread (tick.c): reloads the bot, ticks, checkpoints, purges. */
int lk_bot_watch_start(struct lk_app *app);
void lk_bot_watch_stop(struct lk_app *app);

/* ---- the application ---------------------------------------------------- */

struct lk_app {
    lk_config_t cfg;
    lk_http_server_t *http;
    lk_pool_t *writer;
    lk_pool_t *readers;
    lk_pool_t *cpu;
    pthread_mutex_t bot_mu;
    lk_bot_t *bot;
    pthread_t watch_tid;
    bool watching;
    pthread_mutex_t watch_mu;
    pthread_cond_t watch_cv;
    bool watch_stop;
    lk_policy_config_t policy;
    /* The deployment's time zone by name (policy.time_zone, default
     * Europe/Amsterdam): the dashboard's and reports' default. */
    char time_zone[64];
    struct lk_security *sec;    /* keys, rate limits (security.c) */
    struct lk_proxies *proxies; /* trusted_proxies (client.c) */
    char public_hosts[1400]; /* the server's Host check: public_hosts plus public_url's host */
};

/* ---- failed jobs (respond.c; lk_respond_job_error: route.c) ------------- */

/* The answer a failed API job gives. */
typedef struct {
    int status;       /* 4xx or 500 */
    const char *code; /* "unauthorized", ...; NULL: failed without saying why (the commit) */
    char message[160];
    /* a refusal by role or access right (403) is a security event; who was
     * refused: their user id and e-mail address (lk_respond_job_error
     * records it) */
    bool refused;
    char refused_user[LK_ID_MAX];
    char refused_email[256];
} lk_api_error_t;

/* Marks job as failed with rc (LK_EINVAL when 0) and notes the answer. */
void lk_job_fail(lk_job_t *job, lk_api_error_t *e, int rc, int status, const char *code, const char *msg);
/* The answer for a job that failed on the database (or a commit that did). */
void lk_job_fail_db(lk_job_t *job, lk_api_error_t *e, int rc);
/* Answers req with e; a job that failed without a code answers 500. */
void lk_respond_job_error(lk_http_req_t *req, lk_api_error_t *e);

/* ---- JSON (json.c) and responses (respond.c) --------------------------- */

/* A time as RFC 3339 text; null for 0 (not set). */
json_t *lk_json_time(int64_t ms);
json_t *lk_json_msg(const lk_msg_t *m);
/* A message as agents see it: lk_json_msg plus, on an agent's message,
 * "provenance" and "suggestion_article_id", and on a customer's message its
 * "outcome" (docs/gaps.md). Customers never get these. */
json_t *lk_json_msg_agent(const lk_msg_t *m);
/* Masks the BSNs in the customers' messages among msgs for agents' eyes
 * (text replaced, masked set); the original stays in the database and is
 * revealed by POST .../messages/{id}/reveal, audited (issue 14). */
void lk_api_mask_msgs(lk_msg_t *msgs, size_t n);

/* The demo's Dutch and English canned responses (demo_canned.c), added only
 * when the database has none at all; *added (may be NULL) says how many.
 * Run inside the caller's transaction, with the demo knowledge base. */
int lk_api_demo_canned(lk_store_t *st, int64_t now, size_t *added /* OUT */);
/* The customer's view without the queue figures (lk_json_conv_customer adds
 * them); messages may be NULL. */
json_t *lk_json_conv(const lk_conv_t *c, const lk_msg_t *msgs, size_t n_msgs);
char *lk_json_dump(const json_t *j, size_t *len /* OUT */); /* compact; free() */
/* A console user: id, email, role, display_name (the address when none),
 * and with_state whether the account is "disabled" (the admins' views). */
json_t *lk_json_user(const lk_user_t *u, bool with_state);
void lk_respond_json(lk_http_req_t *req, int status, json_t *body /* taken */);
void lk_respond_error(lk_http_req_t *req, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Parses the request body as a JSON object, answering 413/400 itself on
 * failure (then returns NULL). */
json_t *lk_parse_body(lk_http_req_t *req);
/* A string field: a string without NUL, non-empty after trimming, at most max
 * bytes. true with *out set (NULL when an optional field is absent); false
 * when it answered 400 itself. */
bool lk_body_string(lk_http_req_t *req, json_t *body, const char *field, size_t max, bool required,
                    const char **out /* OUT */);
/* A new password: a required string field that lk_password_check accepts
 * for a user with this e-mail address and name (either may be NULL when not
 * known yet: the job checks again once it is); false after answering 400
 * itself (invalid_field for the length, weak_password otherwise). */
bool lk_body_password(lk_http_req_t *req, json_t *body, const char *field, const char *email, const char *name,
                      const char **out /* OUT */);
/* Whether lk_password_check refuses pw as a new password of the user with
 * this e-mail address and name: true with *e set to the 400 answer. */
bool lk_password_refused(const char *field, const char *pw, const char *email, const char *name,
                         lk_api_error_t *e /* OUT */);
/* The same two checks without a request (the two above answer with what
 * these leave in *e; fuzz/fuzz_json_body.c drives them): the 4xx answer a
 * bad body or field gets. */
typedef struct {
    int status;       /* 400 or 413 */
    const char *code; /* "invalid_json", "invalid_utf8", "body_too_large", "missing_field", "invalid_field" */
    char message[512];
} lk_body_error_t;
/* body[0..len) as a JSON object (too_large: the server cut it off at its
 * limit); NULL with *e set on failure. The caller decrefs the object. */
json_t *lk_body_parse(const char *body, size_t len, bool too_large, lk_body_error_t *e /* OUT */);
bool lk_body_field_string(json_t *body, const char *field, size_t max, bool required, const char **out /* OUT */,
                          lk_body_error_t *e /* OUT */);
/* The checks of a string value s[0..len), named field in the messages: no
 * NUL (one_line: no control character at all, such as a newline), not
 * only white space, at most max bytes. true, or false with *e set to the
 * 400 answer. */
bool lk_body_check_string(const char *s, size_t len, const char *field, size_t max, bool one_line,
                          lk_body_error_t *e /* OUT */);

/* ---- agents' sessions and roles (auth.c) ------------------------------ */

#define LK_SESSION_COOKIE "loket_session"

/* The hex SHA-256 of the request's session cookie; "" when it has none. */
void lk_api_session_hash(lk_http_req_t *req, char out[LK_TOKEN_HASH_LEN + 1]);
/* The request's :id parameter copied into id; "-" when it is too long to
 * exist (the answer is then still 401 or 404 after the session check), ""
 * when there is none. */
void lk_api_req_id(lk_http_req_t *req, char id[LK_ID_MAX]);
/* For state-changing requests: a browser's Origin header must name this
 * host. false after answering 403 itself. */
bool lk_api_check_origin(lk_http_req_t *req);
/* Inside a job: checks the session (by its hash) and loads its user into
 * *user (clear it with lk_user_clear). false after lk_job_fail(): 401 for a
 * missing, expired or disabled session, 403 totp_setup_required for a user
 * who must use two-step login and has not set it up yet (options
 * require_totp_admin, require_totp), 500 on the database. */
bool lk_api_authenticate(lk_job_t *job, lk_api_error_t *e, lk_store_t *st, const char *session_hash, int64_t now,
                         lk_user_t *user /* OUT */);
/* Marks the 403 in e as a refusal of user (a security event when it is
 * answered, lk_respond_job_error). */
void lk_api_error_refused(lk_api_error_t *e, const lk_user_t *user);
/* lk_api_authenticate without the two-step requirement: for what a user
 * who must still set up two-step login may do (who am I, log out, set up
 * TOTP). *setup_pending (may be NULL) says whether that is the case. */
bool lk_api_authenticate_any(lk_job_t *job, lk_api_error_t *e, lk_store_t *st, const char *session_hash, int64_t now,
                             lk_user_t *user /* OUT */, bool *setup_pending /* OUT */);
/* Whether the options require_totp_admin / require_totp ask two-step login
 * of this user. */
bool lk_api_totp_required(const lk_user_t *user);
/* true when user's role is a or b (b may be NULL). */
bool lk_api_is_role(const lk_user_t *user, const char *a, const char *b);
/* false after lk_job_fail() with 403 when user's role is neither a nor b. */
bool lk_api_require_role(lk_job_t *job, lk_api_error_t *e, const lk_user_t *user, const char *a, const char *b);
/* Whether user may read conversation c. Supervisors and admins read every
 * conversation; a plain agent the queue, their own (open or closed), and the
 * earlier conversations of a customer they are serving now (the history
 * beside a conversation assigned to them). false after lk_job_fail(): 403,
 * or 500 on the database. */
bool lk_api_may_read_conv(lk_job_t *job, lk_api_error_t *e, lk_store_t *st, const lk_user_t *user, const lk_conv_t *c);

/* ---- rate limits (ratelimit.c) ----------------------------------------- */

/* A sliding-window limit: at most `limit` events per key within window_ms,
 * kept in memory (so per node) for at most max_keys keys (the least recently
 * used key is forgotten first). Thread-safe. limit 0 never limits. */
typedef struct lk_ratelimit lk_ratelimit_t;

lk_ratelimit_t *lk_ratelimit_new(size_t limit, int64_t window_ms, size_t max_keys);
void lk_ratelimit_free(lk_ratelimit_t *rl); /* rl may be NULL */
/* Counts an event for key at now (ms) and returns true, or, when the key has
 * had `limit` events within the window already, counts nothing and returns
 * false with *retry_ms (may be NULL) set to the wait until one expires. */
bool lk_ratelimit_hit(lk_ratelimit_t *rl, const char *key, int64_t now, int64_t *retry_ms /* OUT */);
/* Removes the key's newest event (an attempt that turned out fine). */
void lk_ratelimit_forgive(lk_ratelimit_t *rl, const char *key);
/* Forgets every event of key. */
void lk_ratelimit_reset(lk_ratelimit_t *rl, const char *key);
/* How many keys are held (for tests). */
size_t lk_ratelimit_keys(lk_ratelimit_t *rl);

/* ---- security (security.c; docs/security.md) --------------------------- */

/* Security events (secevents.c): each is one JSON log line, a count in
 * /metrics (loket_security_events_total{kind}) and a row of security_events
 * that admins see (GET /api/v1/admin/security-events). The kinds are the
 * store's lk_sec_kind_t, with lk_sec_kind_name() and _parse(). */
/* Records a security event about req (its client address and route) on the
 * request's loop thread: logs it (with user_id, never the e-mail address),
 * counts it and stores it (with email) in a writer job of its own. user_id
 * and email may be NULL (not known); reason is loket's own text, never
 * anything the client sent. app may be NULL (the running app). Storing is
 * limited per address and kind (a flood is counted and logged, not stored
 * row by row). */
void lk_security_event(struct lk_app *app, lk_http_req_t *req, lk_sec_kind_t kind, const char *user_id,
                       const char *email, const char *reason);
/* The security events of kind recorded since the process started (for
 * /metrics). */
uint64_t lk_security_event_count(lk_sec_kind_t kind);
/* The running app's security events (lk_security_start calls these): the
 * app recorded when a caller has none at hand, the per-address limit on
 * stored rows, the hourly purge of expired rows. */
void lk_secevents_start(struct lk_app *app);
void lk_secevents_stop(struct lk_app *app);
/* The key of limit_login_account_address for an account (its e-mail
 * address, lower-cased) and a client address. */
#define LK_LOGIN_KEY_MAX 330
void lk_api_login_key(const char *email, const char *addr, char out[LK_LOGIN_KEY_MAX]);

/* The limits an app keeps (options limit_*). */
typedef enum {
    LK_LIMIT_LOGIN_ACCOUNT,         /* per account from every address (the throttle) */
    LK_LIMIT_LOGIN_ACCOUNT_ADDRESS, /* per account and client address together */
    LK_LIMIT_LOGIN_ADDRESS,
    LK_LIMIT_MESSAGES_CONVERSATION,
    LK_LIMIT_MESSAGES_ADDRESS,
    LK_LIMIT_CONVERSATIONS_ADDRESS,
    LK_LIMIT__COUNT
} lk_limit_t;

#define LK_ADDR_MAX 64 /* a client address as text */

/* Loads (creating on first start) the key file of the data directory, parses
 * trusted_proxies and makes the rate limits. 0, LK_EIO, LK_ECONFIG. */
int lk_security_start(struct lk_app *app);
void lk_security_stop(struct lk_app *app);
/* Counts a request against limit `which` for key; false after answering 429
 * (with Retry-After) itself. what names the limit in the message. */
bool lk_security_hit(struct lk_app *app, lk_http_req_t *req, lk_limit_t which, const char *key, const char *what);
/* The login limits' variant of lk_security_hit: a refusal is a lockout
 * event for the account with this e-mail address (may be NULL). */
bool lk_security_hit_login(struct lk_app *app, lk_http_req_t *req, lk_limit_t which, const char *key,
                           const char *email, const char *what);
lk_ratelimit_t *lk_security_limit(struct lk_app *app, lk_limit_t which);
/* Answers 429 too_many_requests with Retry-After (seconds, rounded up). */
void lk_respond_rate_limited(lk_http_req_t *req, int64_t retry_ms, const char *what);
/* The client's address (client.c): the peer's, or the last hop of
 * X-Forwarded-For when the peer is one of trusted_proxies. IPv6 addresses
 * are cut to their /64 (one household or host), so that a client cannot
 * dodge a limit by changing the low bits. */
void lk_api_client_addr(struct lk_app *app, lk_http_req_t *req, char out[LK_ADDR_MAX]);
/* Parses trusted_proxies (addresses and CIDR ranges, comma or space
 * separated, at most 32) into *out (NULL on failure). 0 or LK_ECONFIG. */
int lk_client_proxies_parse(const char *list, struct lk_proxies **out /* OUT */);
void lk_client_proxies_free(struct lk_proxies *p); /* p may be NULL */
/* Whether a trusted proxy says the client came over HTTPS (the last hop of
 * X-Forwarded-Proto): the session cookie is Secure then. */
bool lk_client_forwarded_https(struct lk_app *app, lk_http_req_t *req);
/* The hex keyed hash (BLAKE2b, key from the key file) of a client address:
 * stored on conversations instead of the address. */
void lk_api_client_hash(struct lk_app *app, const char *addr, char out[LK_TOKEN_HASH_LEN + 1]);
/* For the customer API: a browser's Origin must be loket's own or one of
 * widget_origins (or widget_origins is "*"); no Origin (not a browser) is
 * fine. false after answering 403 itself. */
bool lk_api_check_customer_origin(struct lk_app *app, lk_http_req_t *req);
/* Sets the session cookie (value "" and max_age 0 clear it); Secure when
 * cookie_secure is set or the request came through a trusted proxy with
 * X-Forwarded-Proto: https. */
void lk_api_set_session_cookie(struct lk_app *app, lk_http_req_t *req, const char *value, int64_t max_age);
/* Headers every response gets unless its handler set its own (app.c). */
extern const lk_http_header_t lk_api_default_headers[];
extern const size_t lk_api_n_default_headers;

/* Verified customer identity (docs/widget.md, "Verified identity"): the
 * company's site signs "loket-identity-v1\n" EMAIL "\n" EXTERNAL_ID "\n"
 * TIMESTAMP (the values exactly as sent, "" for an absent one; TIMESTAMP in
 * Unix seconds) with HMAC-SHA256 under the secret of identity_secret_file;
 * signature_hex is that in hex. Verified when the signature matches
 * (compared in constant time) and the timestamp lies within identity_max_age
 * before now (ms) or 5 minutes after it. false without a secret configured. */
bool lk_api_identity_verify(struct lk_app *app, const char *email, const char *external_id, const char *timestamp,
                            const char *signature_hex, int64_t now);

/* TOTP (RFC 6238: HMAC-SHA1, 6 digits, 30 s steps, one step of slack each
 * way). The secret is stored encrypted (secretbox with a key derived from
 * the key file and the user id). */
#define LK_TOTP_SECRET_LEN 20
/* Checks code against the stored (encrypted) secret of user_id at now (ms).
 * 0 with *step set to the time step the code belongs to; LK_EAUTH when the
 * code is wrong; LK_EINVAL when the secret cannot be decrypted. */
int lk_totp_verify(struct lk_app *app, const char *user_id, const char *stored, const char *code, int64_t now,
                   int64_t *step /* OUT */);
/* Called by lk_api_authenticate: notes that a session was used at now, and
 * stores that (at most every minute per session) in a small writer job. */
void lk_api_session_used(const char *session_hash, int64_t last_seen, int64_t now);
/* The idle limit in ms (option session_idle). */
int64_t lk_api_session_idle_ms(void);
/* Called by lk_security_start/stop: the app whose options and writer the
 * session check uses (auth.c). */
void lk_api_sessions_start(struct lk_app *app);
void lk_api_sessions_stop(struct lk_app *app);

/* ---- the answer for a path no route serves -------------------------------- */

void lk_api_not_found(lk_http_req_t *req, void *ud);

/* ---- metrics: Prometheus counters, gauges, histograms (metrics.c) -------- */

/* Makes the per-route request histograms for the server's route table
 * (routes must outlive the server); call before the server starts. */
void lk_metrics_init(const lk_http_route_t *routes, size_t n);
/* True when listen ("ADDR:PORT") is a loopback address: only then may
 * /metrics answer without metrics_token. */
bool lk_metrics_listen_local(const char *listen);
/* A customer message went through the policy (turn.c). */
void lk_metrics_turn(void);
/* What the bot made of it. */
void lk_metrics_decision(lk_outcome_t outcome);
/* A hand-off to a person, at the moment it happens. */
void lk_metrics_handoff(lk_handoff_reason_t reason);
/* A queued conversation was claimed after waiting ms. */
void lk_metrics_queue_wait(int64_t ms);
/* The HTTP layer's on_done hook: a request answered with status after ns. */
void lk_metrics_request(void *ud, const lk_http_route_t *route, int status, int64_t ns);

/* ---- insights: gap report, answer review (insights.c; docs/gaps.md) ----- */

/* The reviews' recalibration of the threshold (lk_conv_recalibrate, which
 * the knowledge base's publish runs inside its writer job). */
static inline int lk_api_recalibrate(lk_store_t *st, int64_t now)
{
    return lk_conv_recalibrate(st, now);
}
/* True when a gap question holds no question of its own: only a request
 * for a person ("medewerker") or a bare yes/no/thanks, on the NLU's reading
 * of it. The gap report and the analytics' topics leave those out. */
bool lk_api_gap_is_filler(struct lk_app *app, const lk_bot_t *bot, const lk_gap_msg_t *g);

/* ---- privacy (privacy.c; docs/privacy.md) ------------------------------ */

/* How often the server runs the retention purge (and once at start). */
#define LK_PRIVACY_PURGE_INTERVAL_MS (3600LL * 1000)
/* Starts a retention purge with the configured retention (a chain of short
 * writer jobs, one batch each), unless one is still running. */
void lk_api_privacy_purge_submit(struct lk_app *app);
/* Writes an audit record in a writer job of its own, answering nobody: for
 * reads that run on a reader (an agent opening a conversation). detail
 * must hold no personal data. */
void lk_api_audit_async(struct lk_app *app, const char *actor, const char *action, const char *conversation_id,
                        const char *detail);

/* ---- agent assist (assist.c) -------------------------------------------- */

/* Adds the assist parts to an agent's view of conversation c (msgs: all its
 * messages): "summary" and "summary_fields" in lang ("nl" or "en"),
 * "suggestions", "customer", "channel" and "history". On a reader. */
void lk_api_assist_view(struct lk_app *app, lk_store_t *st, const lk_conv_t *c, const lk_msg_t *msgs, size_t n,
                        const char *lang, json_t *out);
/* Adds "preview": the customer's latest question, at most 140 bytes (null
 * when there is none). */
void lk_api_assist_preview(struct lk_app *app, lk_store_t *st, const lk_conv_t *c, json_t *out);
/* A new conversation's body: the optional "customer" {"email",
 * "external_id", "name", "signature", "timestamp"} and "channel", validated
 * into the customer_* and channel fields of into; customer_verified is set
 * when the signature verifies (lk_api_identity_verify at now, ms); a wrong
 * or expired one leaves the identity unverified, not refused. false after
 * answering 400 itself. */
bool lk_api_customer_parse(struct lk_app *app, lk_http_req_t *req, json_t *body, int64_t now,
                           lk_conv_t *into /* OUT */);
/* Moves the customer fields of from into to (from loses them); channel
 * defaults to "api". */
void lk_api_customer_move(lk_conv_t *from, lk_conv_t *to);
/* An agent reply's optional "provenance" ("human" by default, "suggested",
 * "suggested_edited") and "suggestion_article_id" (required with, and only
 * with, a suggested provenance); *article_id is NULL or a heap string.
 * false after answering 400 itself. */
bool lk_api_provenance_parse(lk_http_req_t *req, json_t *body, char *provenance /* OUT */, size_t size,
                             char **article_id /* OUT */);

/* ---- the conversation engine in a writer job (turn.c; src/conv/) ------- */

/* lk_conv_apply with the server's engine (the policy options, the cached
 * people figures of lk_queue_env) and bot, the one path of every event of
 * every channel and actor; when it succeeded, queues what the result says
 * to publish after the commit: messages to the conversation's and the
 * agents' streams (BSN masked), conversation changes to every agent, the
 * metrics; then brings the job's agents' events for conv up to its status
 * (lk_hub_restate). *out as lk_conv_apply's (free with
 * lk_conv_result_free). msgs (may be NULL): when it succeeded, a new array
 * of the stored messages' JSON (lk_json_msg), the same that was published,
 * so that an answer need not build it again. */
int lk_turn_run(struct lk_app *app, lk_store_t *st, lk_job_t *job, lk_conv_t *conv, const lk_conv_event_t *ev,
                const lk_bot_t *bot, int64_t now, lk_conv_result_t *out /* OUT */, json_t **msgs /* OUT */);

/* Queues a tick job (tick.c) on the writer. */
void lk_tick_submit(struct lk_app *app);

/* Queues {"type": type, type: payload} for the agents' stream (payload
 * taken). conv is the conversation the event is about: its status and
 * assignment decide which agents get it (runtime/hub.c); "conversation" events go to
 * every agent. */
void lk_publish_agents(lk_job_t *job, const lk_conv_t *conv, const char *type, json_t *payload);

/* ---- people and the queue, cached for a second (queue.c) --------------- */

/* What the policy needs to know of people and the queue for conv at now. */
void lk_queue_env(lk_store_t *st, const lk_conv_t *conv, int64_t now, lk_policy_env_t *env);
/* The engine's people hook (lk_conv_engine_t): the cached figures. */
void lk_queue_people(void *ud, lk_store_t *st, int64_t now, lk_conv_people_t *out /* OUT */);
/* Forget the cached agents-online count and waits (after a login or logout,
 * so the policy knows at once that someone is there). */
void lk_queue_stats_invalidate(void);
/* The wait range until a person answers at this queue position, from the
 * recent real waits (lk_analytics_wait_estimate; out->known false: too few). */
void lk_queue_estimate(lk_store_t *st, int64_t position, int64_t now, lk_analytics_wait_t *out /* OUT */);

/* The conversation as agents see it: customer view plus assignment, queue
 * times and (when queued) the wait estimate. */
json_t *lk_json_conv_agent(lk_store_t *st, const lk_conv_t *c, const lk_msg_t *msgs, size_t n, int64_t now);
/* The customer's view with queue position, wait estimate and agent name. */
json_t *lk_json_conv_customer(lk_store_t *st, const lk_conv_t *c, const lk_msg_t *msgs, size_t n, int64_t now);

#endif
