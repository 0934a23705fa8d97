/*
 * The agent's side of the API: login and logout with a session cookie, the
 * queue, claiming a conversation, reading it with its hand-off summary,
 * replying, and closing. Every agent endpoint checks the session in the same
 * database job that does the work. State-changing requests from a browser
 * must come from loket's own origin (Origin checked against Host), on top of
 * the SameSite=Strict cookie: cross-site request forgery gets 403.
 *
 * Password hashing (argon2id) is slow on purpose, so it runs in the CPU pool:
 * login reads the user (reader), verifies the password (CPU), then stores the
 * new session (writer), each step handing the job on from its loop. Logins
 * are rate-limited per account and per client address before any of that
 * (ratelimit.c); a user with two-step login on also needs the current TOTP
 * code, which works only once. Every login gets a fresh session id and ends
 * the session the browser came with (docs/security.md).
 */
#include "api/api_int.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define MODULE "agent"

typedef enum {
    OP_LOGIN_READ,
    OP_LOGIN_VERIFY,
    OP_LOGIN_STORE,
    OP_LOGOUT,
    OP_ME,
    OP_QUEUE,
    OP_VIEW,
    OP_CLAIM,
    OP_REPLY,
    OP_CLOSE,
    OP_LIST,
    OP_NOTE,
    OP_RELEASE,
    OP_ASSIGN,
    OP_USERS,
    OP_TEAM,
    OP_USER_HASH,
    OP_USER_STORE,
    OP_CALLBACKS,
    OP_CALLBACK_DONE,
    OP_REVEAL,
    OP_WS
} op_t;

typedef struct {
    lk_job_t job;
    struct lk_app *app;
    lk_http_req_t *req;
    op_t op;
    char session_hash[LK_TOKEN_HASH_LEN + 1];
    char new_session[LK_TOKEN_LEN + 1];
    char id[LK_ID_MAX];
    char *email;
    char *password;
    char *text; /* the body field: reply or note text, disposition (close), user_id (assign) */
    char filter[16];   /* OP_LIST: status; OP_CALLBACKS: status; OP_VIEW: the summary's language */
    char provenance[20];         /* OP_REPLY (assist.c) */
    char *suggestion_article_id; /* OP_REPLY: NULL unless suggested */
    bool mine;         /* OP_LIST */
    lk_user_t new_user;     /* OP_USER_*: the user to create */
    lk_sub_t *sub;          /* OP_WS */
    lk_user_t user;
    bool user_found;
    bool verified;
    /* login: the second factor, and the rate limits' keys */
    char totp[8];         /* the code sent, "" when none */
    lk_totp_t totp_state; /* the user's */
    bool totp_missing;
    int64_t totp_step;
    char *rehash; /* login: the password hashed anew when its parameters are not LK_PWHASH_* */
    char limit_account[270];
    char limit_addr[LK_ADDR_MAX];
    char limit_pair[LK_LOGIN_KEY_MAX]; /* account and address */
    char addr_hash[LK_TOKEN_HASH_LEN + 1];
    bool throttled;   /* past limit_login_account: only known addresses and second factors */
    int64_t retry_ms; /* with throttled: when the throttle lets the next attempt through */
    lk_api_error_t err;
    json_t *out;
} ajob_t;

static void ajob_free(ajob_t *j)
{
    free(j->email);
    if (j->rehash) {
        sodium_memzero(j->rehash, strlen(j->rehash));
        free(j->rehash);
    }
    if (j->password) {
        sodium_memzero(j->password, strlen(j->password));
        free(j->password);
    }
    free(j->text);
    free(j->suggestion_article_id);
    sodium_memzero(j->totp, sizeof j->totp);
    lk_totp_clear(&j->totp_state);
    lk_user_clear(&j->user);
    free(j->new_user.display_name);
    free(j->new_user.password_hash);
    if (j->out)
        json_decref(j->out);
    sodium_memzero(j->new_session, sizeof j->new_session);
    free(j);
}

static void fail(ajob_t *j, int rc, int status, const char *code, const char *msg)
{
    lk_job_fail(&j->job, &j->err, rc, status, code, msg);
}

static void fail_db(ajob_t *j, int rc)
{
    lk_job_fail_db(&j->job, &j->err, rc);
}

/* Checks the session; false after fail(). */
static bool authenticate(ajob_t *j, lk_store_t *st, int64_t now)
{
    return lk_api_authenticate(&j->job, &j->err, st, j->session_hash, now, &j->user);
}

static bool load_conv(ajob_t *j, lk_store_t *st, lk_conv_t *c)
{
    memset(c, 0, sizeof *c);
    int rc = lk_store_conv_get(st, j->id, c);
    if (rc == LK_ENOENT) {
        fail(j, rc, 404, "not_found", "no conversation with this id");
        return false;
    }
    if (rc) {
        fail_db(j, rc);
        return false;
    }
    return true;
}

static json_t *agent_conv_json(lk_store_t *st, const lk_conv_t *c, const lk_msg_t *msgs, size_t n)
{
    return lk_json_conv_agent(st, c, msgs, n, lk_time_now_ms());
}

static json_t *note_json(const lk_note_t *n)
{
    char ts[LK_RFC3339_LEN];
    lk_time_rfc3339(n->created_at, ts);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", n->id, "conversation_id", n->conversation_id,
                     "author_id", n->author_id, "author_name", n->author_name ? n->author_name : "", "text",
                     n->text ? n->text : "", "created_at", ts);
}

static bool is_role(const ajob_t *j, const char *a, const char *b)
{
    return lk_api_is_role(&j->user, a, b);
}

/* false after fail() when the user's role is not one of a, b. */
static bool require_role(ajob_t *j, const char *a, const char *b)
{
    return lk_api_require_role(&j->job, &j->err, &j->user, a, b);
}

static bool may_act(const ajob_t *j, const lk_conv_t *c)
{
    return strcmp(c->assigned_to, j->user.id) == 0 || j->user.role != LK_ROLE_AGENT;
}

/* ---- the operations ---------------------------------------------------- */

/* How long a client address an account logged in from stays "known": it
 * passes the per-account throttle (docs/security.md, "Login limits"). */
#define KNOWN_ADDRESS_MS (90LL * 24 * 3600 * 1000)

static void run_login_read(ajob_t *j, lk_store_t *st, int64_t now)
{
    int rc = lk_store_user_get_by_email(st, j->email, &j->user);
    if (rc == 0)
        j->user_found = !j->user.disabled;
    if (rc == 0 && j->user_found)
        rc = lk_store_user_totp_get(st, j->user.id, &j->totp_state);
    if (rc != 0 && rc != LK_ENOENT) {
        fail_db(j, rc);
        return;
    }
    if (!j->throttled)
        return;
    /* the account is past its throttle (many failures from many addresses):
     * its owner still gets in from an address they logged in from before,
     * or with their second factor; everyone else waits */
    bool pass = false;
    if (j->user_found) {
        rc = lk_store_login_address_known(st, j->user.id, j->addr_hash, now - KNOWN_ADDRESS_MS, &pass);
        if (rc) {
            fail_db(j, rc);
            return;
        }
        pass = pass || (j->totp_state.enabled && j->totp[0]);
    }
    if (!pass)
        fail(j, LK_EBUSY, 429, "too_many_requests", "too many failed logins for this account");
}

/* Without a user, the password is verified against this hash, so that an
 * unknown address takes as long as a wrong password. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void init_dummy_hash(void)
{
    const char pw[] = "loket-no-such-user";
    if (crypto_pwhash_str(dummy_hash, pw, strlen(pw), LK_PWHASH_OPSLIMIT,
                          LK_PWHASH_MEMLIMIT) != 0)
        dummy_hash[0] = '\0';
}

static void run_login_verify(ajob_t *j)
{
    if (!j->user_found) {
        pthread_once(&dummy_once, init_dummy_hash);
        if (dummy_hash[0] && crypto_pwhash_str_verify(dummy_hash, j->password, strlen(j->password)) == 0)
            LK_WARN(MODULE, "a password matched the placeholder hash");
        j->verified = false;
        return;
    }
    j->verified = j->user.password_hash &&
                  crypto_pwhash_str_verify(j->user.password_hash, j->password, strlen(j->password)) == 0;
    if (j->verified && j->totp_state.enabled) { /* the second factor */
        j->totp_missing = !j->totp[0];
        j->verified = !j->totp_missing && lk_totp_verify(j->app, j->user.id, j->totp_state.secret, j->totp,
                                                         lk_time_now_ms(), &j->totp_step) == 0;
    }
    /* a hash made with other parameters (an older loket) is made anew with
     * today's, now that the password is at hand */
    char hash[crypto_pwhash_STRBYTES];
    if (j->verified &&
        crypto_pwhash_str_needs_rehash(j->user.password_hash, LK_PWHASH_OPSLIMIT, LK_PWHASH_MEMLIMIT) != 0 &&
        crypto_pwhash_str(hash, j->password, strlen(j->password), LK_PWHASH_OPSLIMIT, LK_PWHASH_MEMLIMIT) == 0)
        j->rehash = lk_xstrdup(hash);
    sodium_memzero(hash, sizeof hash);
}

static void run_login_store(ajob_t *j, lk_store_t *st, int64_t now)
{
    /* while the password was being checked, the account may have been
     * deactivated or given a new password: then the check is void */
    lk_user_t cur = {0};
    int urc = lk_store_user_get(st, j->user.id, &cur);
    bool same = urc == 0 && !cur.disabled && cur.password_hash && j->user.password_hash &&
                strcmp(cur.password_hash, j->user.password_hash) == 0;
    lk_user_clear(&cur);
    if (urc && urc != LK_ENOENT) {
        fail_db(j, urc);
        return;
    }
    if (!same) {
        fail(j, LK_EAUTH, 401, "unauthorized", "wrong e-mail address or password");
        return;
    }
    if (j->totp_state.enabled) {
        int trc = lk_store_user_totp_use(st, j->user.id, j->totp_step);
        if (trc == LK_EEXIST) {
            fail(j, LK_EAUTH, 401, "unauthorized", "this code was used already; wait for the next one");
            return;
        }
        if (trc) {
            fail_db(j, trc);
            return;
        }
    }
    /* a fresh session every login; the one the browser had ends */
    if (j->session_hash[0]) {
        int drc = lk_store_session_delete(st, j->session_hash);
        if (drc && drc != LK_ENOENT) {
            fail_db(j, drc);
            return;
        }
        if (drc == 0)
            lk_hub_close_streams(&j->job, NULL, j->session_hash);
    }
    lk_session_t s = {0};
    lk_rand_token(j->new_session);
    lk_token_hash(j->new_session, strlen(j->new_session), s.id_hash);
    snprintf(s.user_id, sizeof s.user_id, "%s", j->user.id);
    s.created_at = now;
    s.expires_at = now + j->app->cfg.session_ttl * 1000;
    int rc = lk_store_session_insert(st, &s);
    if (rc == 0)
        rc = lk_store_audit(st, now, j->user.id, "auth.login", NULL, NULL);
    if (rc == 0) /* this address now passes the account's throttle */
        rc = lk_store_login_address_note(st, j->user.id, j->addr_hash, now, now - KNOWN_ADDRESS_MS);
    if (rc == 0 && j->rehash) {
        rc = lk_store_user_set_password(st, j->user.id, j->rehash);
        if (rc == 0)
            LK_INFO(MODULE, "the password hash of user %s now has today's argon2id parameters", j->user.id);
    }
    if (rc)
        fail_db(j, rc);
}

static void run_logout(ajob_t *j, lk_store_t *st, int64_t now)
{
    if (!lk_api_authenticate_any(&j->job, &j->err, st, j->session_hash, now, &j->user, NULL))
        return;
    int rc = lk_store_session_delete(st, j->session_hash);
    if (rc == 0)
        rc = lk_store_audit(st, now, j->user.id, "auth.logout", NULL, NULL);
    if (rc == 0)
        lk_hub_close_streams(&j->job, NULL, j->session_hash);
    if (rc)
        fail_db(j, rc);
    else
        j->out = json_pack("{s:s}", "status", "ok");
}

static void run_queue(ajob_t *j, lk_store_t *st, int64_t now)
{
    if (!authenticate(j, st, now))
        return;
    lk_conv_t *q = NULL;
    size_t n = 0;
    int rc = lk_store_conv_list_queued(st, 1000, &q, &n);
    if (rc) {
        fail_db(j, rc);
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *c = agent_conv_json(st, &q[i], NULL, 0);
        json_object_set_new(c, "queue_position", json_integer((json_int_t)i + 1));
        json_object_set_new(c, "waiting_seconds", json_integer((now - q[i].queued_at) / 1000));
        lk_api_assist_preview(j->app, st, &q[i], c);
        json_array_append_new(arr, c);
    }
    lk_convs_free(q, n);
    j->out = json_pack("{s:o}", "conversations", arr);
}

static void run_view(ajob_t *j, lk_store_t *st, int64_t now)
{
    if (!authenticate(j, st, now))
        return;
    lk_conv_t c;
    if (!load_conv(j, st, &c))
        return;
    if (!lk_api_may_read_conv(&j->job, &j->err, st, &j->user, &c)) {
        lk_conv_clear(&c);
        return;
    }
    lk_msg_t *msgs = NULL;
    size_t n = 0;
    int rc = lk_store_msg_list(st, c.id, 0, 0, &msgs, &n);
    if (rc) {
        fail_db(j, rc);
    } else {
        lk_api_mask_msgs(msgs, n);
        j->out = agent_conv_json(st, &c, msgs, n);
        lk_api_assist_view(j->app, st, &c, msgs, n, j->filter[0] ? j->filter : "nl", j->out);
        lk_note_t *notes = NULL;
        size_t n_notes = 0;
        json_t *arr = json_array();
        if (lk_store_note_list(st, c.id, &notes, &n_notes) == 0)
            for (size_t i = 0; i < n_notes; i++)
                json_array_append_new(arr, note_json(&notes[i]));
        lk_notes_free(notes, n_notes);
        json_object_set_new(j->out, "notes", arr);
    }
    lk_msgs_free(msgs, n);
    lk_conv_clear(&c);
}

/* Runs the policy for an agent's event on c, stores it with an audit record
 * and answers with the conversation (claim, close). */
static void agent_event(ajob_t *j, lk_store_t *st, lk_conv_t *c, const lk_policy_event_t *ev, int64_t now,
                        const char *action)
{
    lk_msg_t *msgs = NULL;
    size_t n = 0;
    lk_bot_t *bot = lk_bot_acquire(j->app);
    int rc = lk_turn_apply(j->app, st, &j->job, c, ev, bot, now, &msgs, &n);
    lk_bot_release(bot);
    if (rc == 0)
        rc = lk_store_audit(st, now, j->user.id, action, c->id, NULL);
    if (rc)
        fail_db(j, rc);
    else
        j->out = agent_conv_json(st, c, NULL, 0);
    lk_msgs_free(msgs, n);
}

static void run_claim(ajob_t *j, lk_store_t *st, int64_t now)
{
    if (!authenticate(j, st, now))
        return;
    lk_conv_t c;
    if (!load_conv(j, st, &c))
        return;
    if (c.status != LK_CONV_QUEUED) {
        fail(j, LK_ESTATE, 409, "conflict", "this conversation is not waiting in the queue");
        lk_conv_clear(&c);
        return;
    }
    lk_policy_event_t ev = {.type = LK_EV_AGENT_JOINS, .agent_name = j->user.display_name};
    snprintf(c.assigned_to, sizeof c.assigned_to, "%s", j->user.id);
    c.assigned_at = now;
    int64_t queued_at = c.queued_at;
    agent_event(j, st, &c, &ev, now, "conversation.claim");
    if (j->job.rc == 0 && queued_at > 0)
        lk_metrics_queue_wait(now - queued_at);
    lk_conv_clear(&c);
}

static void run_reply(ajob_t *j, lk_store_t *st, int64_t now)
{
    if (!authenticate(j, st, now))
        return;
    lk_conv_t c;
    if (!load_conv(j, st, &c))
        return;
    if (c.status != LK_CONV_ASSIGNED || strcmp(c.assigned_to, j->user.id) != 0) {
        fail(j, LK_ESTATE, 409, "conflict", "this conversation is not assigned to you; claim it first");
        lk_conv_clear(&c);
        return;
    }
    lk_msg_t *msgs = NULL;
    size_t n = 0;
    lk_msg_t m = {0};
    snprintf(m.sender, sizeof m.sender, "agent");
    m.automated = false;
    m.text = lk_xstrdup(j->text);
    m.created_at = now;
    snprintf(m.author_id, sizeof m.author_id, "%s", j->user.id);
    m.author_name = lk_xstrdup(j->user.display_name ? j->user.display_name : j->user.email);
    snprintf(m.provenance, sizeof m.provenance, "%s", j->provenance[0] ? j->provenance : "human");
    m.suggestion_article_id = j->suggestion_article_id;
    j->suggestion_article_id = NULL;
    int rc = lk_turn_store_msg(st, &j->job, &c, &m, &msgs, &n);
    if (rc == 0) {
        c.updated_at = now;
        rc = lk_store_conv_update(st, &c);
    }
    if (rc)
        fail_db(j, rc);
    else
        j->out = lk_json_msg_agent(&msgs[0]);
    lk_msgs_free(msgs, n);
    lk_conv_clear(&c);
}

static void run_close(ajob_t *j, lk_store_t *st, int64_t now)
{
    if (!authenticate(j, st, now))
        return;
    lk_conv_t c;
    if (!load_conv(j, st, &c))
        return;
    if (c.status == LK_CONV_CLOSED || !may_act(j, &c) || c.status == LK_CONV_BOT) {
        fail(j, LK_ESTATE, 409, "conflict", "only an open conversation assigned to you can be closed by you");
        lk_conv_clear(&c);
        return;
    }
    lk_policy_event_t ev = {.type = LK_EV_CLOSE};
    c.closed_at = now;
    free(c.disposition);
    c.disposition = lk_xstrdup(j->text);
    agent_event(j, st, &c, &ev, now, "conversation.close");
    lk_conv_clear(&c);
}

static void run_list(ajob_t *j, lk_store_t *st, int64_t now)
{
    if (!authenticate(j, st, now))
        return;
    /* agents see the queue and their own; supervisors and admins everything */
    const char *status = strcmp(j->filter, "all") == 0 || !j->filter[0] ? NULL : j->filter;
    bool queue_only = status && strcmp(status, "queued") == 0;
    const char *who = NULL;
    if (j->mine || (is_role(j, "agent", NULL) && !queue_only))
        who = j->user.id;
    lk_conv_t *v = NULL;
    size_t n = 0;
    int rc = lk_store_conv_list(st, status, who, 500, &v, &n);
    if (rc) {
        fail_db(j, rc);
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, agent_conv_json(st, &v[i], NULL, 0));
    lk_convs_free(v, n);
    j->out = json_pack("{s:o}", "conversations", arr);
}

static void run_note(ajob_t *j, lk_store_t *st, int64_t now)
{
    if (!authenticate(j, st, now))
        return;
    lk_conv_t c;
    if (!load_conv(j, st, &c))
        return;
    /* notes go to those who handle it: the queue's, your own, any for leads */
    if (c.status != LK_CONV_QUEUED && !may_act(j, &c)) {
        fail(j, LK_EAUTH, 403, "forbidden", "only the agent handling this conversation or a supervisor may add a note");
        lk_api_error_refused(&j->err, &j->user);
        lk_conv_clear(&c);
        return;
    }
    lk_note_t note = {0};
    lk_rand_id("n_", note.id, sizeof note.id);
    snprintf(note.conversation_id, sizeof note.conversation_id, "%s", c.id);
    snprintf(note.author_id, sizeof note.author_id, "%s", j->user.id);
    note.author_name = j->user.display_name ? j->user.display_name : j->user.email;
    note.text = j->text;
    note.created_at = now;
    int rc = lk_store_note_insert(st, &note);
    if (rc) {
        fail_db(j, rc);
    } else {
        j->out = note_json(&note);
        lk_publish_agents(&j->job, &c, "note", json_deep_copy(j->out));
    }
    lk_conv_clear(&c);
}

/* release (back to the queue) and assign (to another agent) */
static void run_move(ajob_t *j, lk_store_t *st, int64_t now)
{
    if (!authenticate(j, st, now))
        return;
    if (j->op == OP_ASSIGN && !require_role(j, "supervisor", "admin"))
        return;
    lk_conv_t c;
    if (!load_conv(j, st, &c))
        return;
    lk_user_t target = {0};
    int rc = 0;
    if (j->op == OP_RELEASE && (c.status != LK_CONV_ASSIGNED || !may_act(j, &c))) {
        fail(j, LK_ESTATE, 409, "conflict", "only a conversation assigned to you can be released by you");
        goto out;
    }
    if (j->op == OP_ASSIGN) {
        if (c.status != LK_CONV_QUEUED && c.status != LK_CONV_ASSIGNED) {
            fail(j, LK_ESTATE, 409, "conflict", "only a queued or assigned conversation can be assigned");
            goto out;
        }
        rc = lk_store_user_get(st, j->text, &target); /* text: the user_id */
        if (rc == LK_ENOENT || (rc == 0 && target.disabled)) {
            fail(j, LK_ENOENT, 400, "invalid_field", "the field \"user_id\" names no active user");
            goto out;
        }
        if (rc) {
            fail_db(j, rc);
            goto out;
        }
    }
    lk_msg_t *msgs = NULL;
    size_t n = 0;
    lk_bot_t *bot = lk_bot_acquire(j->app);
    if (j->op == OP_RELEASE) {
        lk_policy_event_t ev = {.type = LK_EV_AGENT_LEAVES};
        rc = lk_turn_apply(j->app, st, &j->job, &c, &ev, bot, now, &msgs, &n);
    } else {
        bool was_queued = c.status == LK_CONV_QUEUED;
        snprintf(c.assigned_to, sizeof c.assigned_to, "%s", target.id);
        c.assigned_at = now;
        lk_policy_event_t ev = {.type = LK_EV_AGENT_JOINS, .agent_name = target.display_name};
        if (was_queued) {
            rc = lk_turn_apply(j->app, st, &j->job, &c, &ev, bot, now, &msgs, &n);
        } else { /* from one agent to another: the policy state stays; tell the customer */
            lk_policy_state_t state, next;
            lk_policy_actions_t actions = {NULL, 0};
            lk_policy_env_t env = {.kb = &bot->kb};
            lk_queue_env(st, &c, now, &env);
            if (lk_policy_state_decode(c.policy_state, &state) != 0)
                lk_policy_state_init(&state, c.language);
            state.status = LK_CONV_ASSIGNED;
            rc = lk_policy_step(&j->app->policy, &state, &ev, &env, &next, &actions);
            for (size_t i = 0; rc == 0 && i < actions.n; i++) {
                if (actions.items[i].type != LK_ACTION_SAY)
                    continue;
                lk_msg_t m = {0};
                snprintf(m.sender, sizeof m.sender, "%s", actions.items[i].sender);
                m.automated = true;
                m.text = actions.items[i].text;
                actions.items[i].text = NULL;
                m.created_at = now;
                rc = lk_turn_store_msg(st, &j->job, &c, &m, &msgs, &n);
            }
            lk_policy_actions_free(&actions);
            c.updated_at = now;
            if (rc == 0)
                rc = lk_store_conv_update(st, &c);
            if (rc == 0)
                lk_publish_agents(&j->job, &c, "conversation", agent_conv_json(st, &c, NULL, 0));
        }
    }
    lk_bot_release(bot);
    lk_msgs_free(msgs, n);
    if (rc == 0)
        rc = lk_store_audit(st, now, j->user.id, j->op == OP_RELEASE ? "conversation.release" : "conversation.assign",
                            c.id, j->op == OP_ASSIGN ? target.id : NULL);
    if (rc)
        fail_db(j, rc);
    else
        j->out = agent_conv_json(st, &c, NULL, 0);
out:
    lk_user_clear(&target);
    lk_conv_clear(&c);
}

static void run_users(ajob_t *j, lk_store_t *st, int64_t now)
{
    if (!authenticate(j, st, now) || !require_role(j, "admin", NULL))
        return;
    lk_user_t *v = NULL;
    size_t n = 0;
    int rc = lk_store_user_list(st, &v, &n);
    if (rc) {
        fail_db(j, rc);
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(arr, lk_json_user(&v[i], true));
    }
    lk_users_free(v, n);
    j->out = json_pack("{s:o}", "users", arr);
}

/* The colleagues one may assign to: every signed-up user, without e-mail. */
static void run_team(ajob_t *j, lk_store_t *st, int64_t now)
{
    if (!authenticate(j, st, now))
        return;
    lk_user_t *v = NULL;
    size_t n = 0;
    int rc = lk_store_user_list(st, &v, &n);
    if (rc) {
        fail_db(j, rc);
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        if (!v[i].disabled)
            json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "id", v[i].id, "display_name",
                                                 v[i].display_name ? v[i].display_name : v[i].email, "role",
                                                 lk_role_name(v[i].role)));
    lk_users_free(v, n);
    j->out = json_pack("{s:o}", "users", arr);
}

static void run_user_hash(ajob_t *j)
{
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(hash, j->password, strlen(j->password), LK_PWHASH_OPSLIMIT,
                          LK_PWHASH_MEMLIMIT) != 0) {
        fail(j, LK_ENOMEM, 500, "internal", "not enough memory to hash the password");
        return;
    }
    j->new_user.password_hash = lk_xstrdup(hash);
}

static void run_user_store(ajob_t *j, lk_store_t *st, int64_t now)
{
    if (!authenticate(j, st, now) || !require_role(j, "admin", NULL))
        return;
    lk_rand_id("u_", j->new_user.id, sizeof j->new_user.id);
    j->new_user.created_at = now;
    int rc = lk_store_user_insert(st, &j->new_user);
    if (rc == LK_EEXIST) {
        fail(j, rc, 409, "conflict", "a user with this e-mail address exists already");
        return;
    }
    if (rc == 0)
        rc = lk_store_audit(st, now, j->user.id, "user.add", NULL, j->new_user.id);
    if (rc)
        fail_db(j, rc);
    else
        j->out = lk_json_user(&j->new_user, false);
}

static void run_callbacks(ajob_t *j, lk_store_t *st, int64_t now)
{
    if (!authenticate(j, st, now))
        return;
    lk_callback_t *v = NULL;
    size_t n = 0;
    int rc = lk_store_callback_list(st, strcmp(j->filter, "all") == 0 ? NULL : j->filter, 500, &v, &n);
    if (rc) {
        fail_db(j, rc);
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        char ts[LK_RFC3339_LEN];
        lk_time_rfc3339(v[i].created_at, ts);
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", v[i].id, "conversation_id",
                                             v[i].conversation_id, "contact", v[i].contact ? v[i].contact : "",
                                             "text", v[i].text ? v[i].text : "", "status", lk_callback_status_name(v[i].status),
                                             "created_at", ts));
    }
    lk_callbacks_free(v, n);
    j->out = json_pack("{s:o}", "callbacks", arr);
}

static void run_callback_done(ajob_t *j, lk_store_t *st, int64_t now)
{
    if (!authenticate(j, st, now))
        return;
    int rc = lk_store_callback_done(st, j->id, j->user.id, now);
    if (rc == LK_ENOENT)
        fail(j, rc, 404, "not_found", "no call-back request with this id");
    else if (rc)
        fail_db(j, rc);
    else if ((rc = lk_store_audit(st, now, j->user.id, "callback.done", NULL, j->id)) != 0)
        fail_db(j, rc);
    else
        j->out = json_pack("{s:s, s:s}", "id", j->id, "status", "done");
}

/* Who is logged in, and what the console needs to know before it draws:
 * the language (the user's own choice, else the deployment's default, else
 * null: the browser's) and the deployment's time zone. */
static void run_me(ajob_t *j, lk_store_t *st)
{
    char own[8] = "";
    int rc = lk_store_user_language_get(st, j->user.id, own, sizeof own);
    if (rc && rc != LK_ENOENT) {
        fail_db(j, rc);
        return;
    }
    json_t *u = lk_json_user(&j->user, false);
    json_object_set_new(u, "language", own[0] ? json_string(own) : json_null());
    const char *def = j->app->cfg.console_language;
    json_t *console = json_object();
    json_object_set_new(console, "language", own[0] ? json_string(own) : def[0] ? json_string(def) : json_null());
    json_object_set_new(console, "default_language", def[0] ? json_string(def) : json_null());
    json_object_set_new(console, "time_zone", json_string(j->app->time_zone));
    j->out = json_pack("{s:o, s:o}", "user", u, "console", console);
}

/* The original text of a customer's message that agents see masked (a
 * BSN), for whoever may read the conversation; every reveal is audited
 * ("message.reveal", with the conversation and the message id, never the
 * text) in the same transaction, before the text goes out. */
static void run_reveal(ajob_t *j, lk_store_t *st, int64_t now)
{
    if (!authenticate(j, st, now))
        return;
    lk_conv_t c;
    if (!load_conv(j, st, &c))
        return;
    lk_msg_t m = {0};
    if (lk_api_may_read_conv(&j->job, &j->err, st, &j->user, &c)) {
        int rc = lk_store_msg_get(st, j->text, &m);
        if (rc == LK_ENOENT || (rc == 0 && strcmp(m.conversation_id, c.id) != 0)) {
            fail(j, LK_ENOENT, 404, "not_found", "no message with this id in this conversation");
        } else if (rc) {
            fail_db(j, rc);
        } else {
            json_t *d = json_pack("{s:s}", "message_id", m.id);
            char *detail = lk_json_dump(d, NULL);
            json_decref(d);
            rc = lk_store_audit(st, now, j->user.id, "message.reveal", c.id, detail);
            free(detail);
            if (rc)
                fail_db(j, rc);
            else
                j->out = json_pack("{s:s, s:I, s:s}", "id", m.id, "seq", (json_int_t)m.seq, "text",
                                   m.text ? m.text : "");
        }
    }
    lk_msg_clear(&m);
    lk_conv_clear(&c);
}

static void job_run(lk_job_t *job, lk_store_t *st)
{
    ajob_t *j = (ajob_t *)job;
    int64_t now = lk_time_now_ms();
    switch (j->op) {
    case OP_LOGIN_READ:
        run_login_read(j, st, now);
        break;
    case OP_LOGIN_VERIFY:
        run_login_verify(j);
        break;
    case OP_LOGIN_STORE:
        run_login_store(j, st, now);
        break;
    case OP_LOGOUT:
        run_logout(j, st, now);
        break;
    case OP_ME: {
        bool pending = false;
        if (lk_api_authenticate_any(&j->job, &j->err, st, j->session_hash, now, &j->user, &pending)) {
            run_me(j, st);
            json_t *u = j->out ? json_object_get(j->out, "user") : NULL;
            if (u)
                json_object_set_new(u, "totp_setup_required", json_boolean(pending));
        }
        break;
    }
    case OP_QUEUE:
        run_queue(j, st, now);
        break;
    case OP_VIEW:
        run_view(j, st, now);
        break;
    case OP_CLAIM:
        run_claim(j, st, now);
        break;
    case OP_REPLY:
        run_reply(j, st, now);
        break;
    case OP_CLOSE:
        run_close(j, st, now);
        break;
    case OP_LIST:
        run_list(j, st, now);
        break;
    case OP_NOTE:
        run_note(j, st, now);
        break;
    case OP_RELEASE:
    case OP_ASSIGN:
        run_move(j, st, now);
        break;
    case OP_USERS:
        run_users(j, st, now);
        break;
    case OP_TEAM:
        run_team(j, st, now);
        break;
    case OP_USER_HASH:
        run_user_hash(j);
        break;
    case OP_USER_STORE:
        run_user_store(j, st, now);
        break;
    case OP_CALLBACKS:
        run_callbacks(j, st, now);
        break;
    case OP_CALLBACK_DONE:
        run_callback_done(j, st, now);
        break;
    case OP_REVEAL:
        run_reveal(j, st, now);
        break;
    case OP_WS:
        authenticate(j, st, now);
        break;
    }
}

static void set_cookie(ajob_t *j, const char *value, int64_t max_age)
{
    lk_api_set_session_cookie(j->app, j->req, value, max_age);
}

static void job_done(lk_job_t *job)
{
    ajob_t *j = (ajob_t *)job;
    if (j->op == OP_WS) {
        if (j->job.rc) {
            lk_hub_sub_cancel(j->sub);
            lk_respond_job_error(j->req, &j->err);
        } else {
            lk_hub_sub_set_viewer(j->sub, j->user.id, j->session_hash, !lk_api_is_role(&j->user, "agent", NULL));
            lk_ws_t *ws = lk_http_ws_accept(j->req, &lk_hub_ws_callbacks, j->sub);
            if (ws)
                lk_hub_sub_attach(j->sub, ws, 0, NULL, NULL, 0);
            else
                lk_hub_sub_cancel(j->sub);
        }
        ajob_free(j);
        return;
    }
    if (j->job.rc) {
        if (j->err.status == 401 && j->op == OP_LOGOUT)
            set_cookie(j, "", 0);
        if (j->op == OP_LOGIN_READ && j->err.status == 429) {
            lk_security_event(j->app, j->req, LK_SEC_LOCKOUT, j->user_found ? j->user.id : NULL,
                              j->user_found ? j->user.email : NULL,
                              "too many failed logins for this account from many addresses; this address is not "
                              "one it logged in from before");
            char ra[24];
            snprintf(ra, sizeof ra, "%lld", (long long)((j->retry_ms + 999) / 1000));
            lk_http_res_header(j->req, "retry-after", ra);
            lk_respond_error(j->req, 429, "too_many_requests",
                             "too many failed logins for this account; try again in %lld s, from an address you "
                             "logged in from before, or with your two-step code",
                             (long long)((j->retry_ms + 999) / 1000));
            ajob_free(j);
            return;
        }
        if (j->op == OP_LOGIN_STORE && j->err.status == 401)
            lk_security_event(j->app, j->req, LK_SEC_LOGIN_FAILED, j->user.id, j->user.email, j->err.message);
        lk_respond_job_error(j->req, &j->err);
        ajob_free(j);
        return;
    }
    switch (j->op) {
    case OP_LOGIN_READ: /* next: verify the password, away from the database threads */
        j->op = OP_LOGIN_VERIFY;
        lk_pool_submit(j->app->cpu, &j->job);
        return;
    case OP_LOGIN_VERIFY:
        if (!j->verified) {
            lk_security_event(j->app, j->req, LK_SEC_LOGIN_FAILED, j->user_found ? j->user.id : NULL,
                              j->user_found ? j->user.email : NULL,
                              !j->user_found     ? "no active account with this e-mail address"
                              : j->totp_missing  ? "right password, second factor missing"
                              : j->totp_state.enabled && j->totp[0] ? "wrong password or second factor"
                                                 : "wrong password");
            if (j->totp_missing)
                lk_respond_error(j->req, 401, "totp_required",
                                 "this account has two-step login: send the current code as \"totp\"");
            else
                lk_respond_error(j->req, 401, "unauthorized",
                                 j->totp[0] ? "wrong e-mail address, password or code"
                                            : "wrong e-mail address or password");
            ajob_free(j);
            return;
        }
        j->op = OP_LOGIN_STORE;
        lk_pool_submit(j->app->writer, &j->job);
        return;
    case OP_LOGIN_STORE:
        /* a success wipes the account's failures and does not count
         * against the address */
        lk_ratelimit_reset(lk_security_limit(j->app, LK_LIMIT_LOGIN_ACCOUNT), j->limit_account);
        lk_ratelimit_reset(lk_security_limit(j->app, LK_LIMIT_LOGIN_ACCOUNT_ADDRESS), j->limit_pair);
        lk_ratelimit_forgive(lk_security_limit(j->app, LK_LIMIT_LOGIN_ADDRESS), j->limit_addr);
        lk_queue_stats_invalidate();
        set_cookie(j, j->new_session, j->app->cfg.session_ttl);
        {
            /* required but not set up: the console sends them to set it up,
             * and every other request answers 403 totp_setup_required */
            json_t *u = lk_json_user(&j->user, false);
            json_object_set_new(u, "totp_setup_required",
                                json_boolean(lk_api_totp_required(&j->user) && !j->totp_state.enabled));
            lk_respond_json(j->req, 200, json_pack("{s:o}", "user", u));
        }
        break;
    case OP_LOGOUT:
        lk_queue_stats_invalidate();
        set_cookie(j, "", 0);
        lk_respond_json(j->req, 200, j->out);
        j->out = NULL;
        break;
    case OP_USER_HASH:
        j->op = OP_USER_STORE;
        lk_pool_submit(j->app->writer, &j->job);
        return;
    case OP_REPLY:
    case OP_NOTE:
    case OP_USER_STORE:
        lk_respond_json(j->req, 201, j->out);
        j->out = NULL;
        break;
    default:
        lk_respond_json(j->req, 200, j->out);
        j->out = NULL;
        if (j->op == OP_VIEW) /* who read which conversation: recorded after the answer, in a writer job */
            lk_api_audit_async(j->app, j->user.id, "conversation.view", j->id, NULL);
    }
    ajob_free(j);
}

/* ---- handlers ---------------------------------------------------------- */

static ajob_t *ajob_new(lk_http_req_t *req, struct lk_app *app, op_t op, bool changes_state)
{
    if (changes_state && !lk_api_check_origin(req))
        return NULL;
    ajob_t *j = lk_xcalloc(1, sizeof *j);
    j->app = app;
    j->req = req;
    j->op = op;
    lk_job_init(&j->job, req, job_run, job_done);
    lk_api_session_hash(req, j->session_hash);
    lk_api_req_id(req, j->id);
    return j;
}

static void h_login(lk_http_req_t *req, void *ud)
{
    struct lk_app *app = ud;
    ajob_t *j = ajob_new(req, app, OP_LOGIN_READ, true);
    if (!j)
        return;
    json_t *body = lk_parse_body(req);
    const char *email = NULL, *password = NULL, *totp = NULL;
    if (body && lk_body_string(req, body, "email", 254, true, &email) &&
        lk_body_string(req, body, "password", 1024, true, &password) &&
        lk_body_string(req, body, "totp", 16, false, &totp)) {
        if (totp && (strlen(totp) != 6 || strspn(totp, "0123456789") != 6)) {
            lk_respond_error(req, 400, "invalid_field",
                             "the field \"totp\" must be the 6 digits of the authenticator app");
            goto out;
        }
        /* the limits count every attempt; a success is taken back (job_done) */
        lk_api_client_addr(app, req, j->limit_addr);
        for (size_t i = 0; email[i] && i + 1 < sizeof j->limit_account; i++)
            j->limit_account[i] = (char)(email[i] >= 'A' && email[i] <= 'Z' ? email[i] + 32 : email[i]);
        lk_api_login_key(email, j->limit_addr, j->limit_pair);
        lk_api_client_hash(app, j->limit_addr, j->addr_hash);
        if (!lk_security_hit_login(app, req, LK_LIMIT_LOGIN_ADDRESS, j->limit_addr, email,
                                   "failed logins from this address"))
            goto out;
        if (!lk_security_hit_login(app, req, LK_LIMIT_LOGIN_ACCOUNT_ADDRESS, j->limit_pair, email,
                                   "failed logins for this account from this address")) {
            lk_ratelimit_forgive(lk_security_limit(app, LK_LIMIT_LOGIN_ADDRESS), j->limit_addr);
            goto out;
        }
        /* the account's throttle over all addresses does not refuse here:
         * its owner's known addresses and second factor pass it
         * (run_login_read) */
        j->throttled = !lk_ratelimit_hit(lk_security_limit(app, LK_LIMIT_LOGIN_ACCOUNT), j->limit_account,
                                         lk_time_now_ms(), &j->retry_ms);
        j->email = lk_xstrdup(email);
        j->password = lk_xstrdup(password);
        if (totp)
            memcpy(j->totp, totp, 7);
        json_decref(body);
        lk_pool_submit(app->readers, &j->job);
        return;
    }
out:
    json_decref(body);
    ajob_free(j);
}

static void submit(lk_http_req_t *req, void *ud, op_t op, bool write)
{
    struct lk_app *app = ud;
    ajob_t *j = ajob_new(req, app, op, write);
    if (!j)
        return;
    if (lk_http_req_body_too_large(req)) {
        lk_respond_error(req, 413, "body_too_large", "the request body is larger than the limit");
        ajob_free(j);
        return;
    }
    lk_pool_submit(write ? app->writer : app->readers, &j->job);
}

static void h_logout(lk_http_req_t *req, void *ud)
{
    submit(req, ud, OP_LOGOUT, true);
}

static void h_me(lk_http_req_t *req, void *ud)
{
    submit(req, ud, OP_ME, false);
}

static void h_queue(lk_http_req_t *req, void *ud)
{
    submit(req, ud, OP_QUEUE, false);
}

static void h_view(lk_http_req_t *req, void *ud)
{
    struct lk_app *app = ud;
    lk_str_t lang;
    if (lk_http_req_query(req, "lang", &lang) && !lk_str_eq_cstr(lang, "nl") && !lk_str_eq_cstr(lang, "en")) {
        lk_respond_error(req, 400, "invalid_field", "the parameter \"lang\" must be nl or en");
        return;
    }
    ajob_t *j = ajob_new(req, app, OP_VIEW, false);
    if (!j)
        return;
    if (lk_http_req_query(req, "lang", &lang))
        memcpy(j->filter, lang.base, lang.len);
    lk_pool_submit(app->readers, &j->job);
}

static void h_claim(lk_http_req_t *req, void *ud)
{
    submit(req, ud, OP_CLAIM, true);
}

static void with_text(lk_http_req_t *req, void *ud, op_t op, const char *field, size_t max)
{
    struct lk_app *app = ud;
    ajob_t *j = ajob_new(req, app, op, true);
    if (!j)
        return;
    json_t *body = lk_parse_body(req);
    const char *text = NULL;
    if (body && lk_body_string(req, body, field, max, true, &text)) {
        j->text = lk_xstrdup(text);
        json_decref(body);
        lk_pool_submit(app->writer, &j->job);
        return;
    }
    json_decref(body);
    ajob_free(j);
}

static void h_reply(lk_http_req_t *req, void *ud)
{
    struct lk_app *app = ud;
    ajob_t *j = ajob_new(req, app, OP_REPLY, true);
    if (!j)
        return;
    json_t *body = lk_parse_body(req);
    const char *text = NULL;
    if (body && lk_body_string(req, body, "text", (size_t)app->cfg.max_text, true, &text) &&
        lk_api_provenance_parse(req, body, j->provenance, sizeof j->provenance, &j->suggestion_article_id)) {
        j->text = lk_xstrdup(text);
        json_decref(body);
        lk_pool_submit(app->writer, &j->job);
        return;
    }
    json_decref(body);
    ajob_free(j);
}

static void h_close(lk_http_req_t *req, void *ud)
{
    with_text(req, ud, OP_CLOSE, "disposition", 200);
}

static void h_list(lk_http_req_t *req, void *ud)
{
    struct lk_app *app = ud;
    ajob_t *j = ajob_new(req, app, OP_LIST, false);
    if (!j)
        return;
    lk_str_t v;
    if (lk_http_req_query(req, "status", &v)) {
        static const char *const ok[] = {"queued", "assigned", "closed", "bot", "all"};
        bool valid = false;
        for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
            valid = valid || lk_str_eq_cstr(v, ok[i]);
        if (!valid) {
            lk_respond_error(req, 400, "invalid_field",
                             "the parameter \"status\" must be queued, assigned, closed, bot or all");
            ajob_free(j);
            return;
        }
        memcpy(j->filter, v.base, v.len);
    }
    j->mine = lk_http_req_query(req, "mine", &v) && (lk_str_eq_cstr(v, "1") || lk_str_eq_cstr(v, "true"));
    lk_pool_submit(app->readers, &j->job);
}

static void h_note(lk_http_req_t *req, void *ud)
{
    struct lk_app *app = ud;
    with_text(req, ud, OP_NOTE, "text", (size_t)app->cfg.max_text);
}

static void h_release(lk_http_req_t *req, void *ud)
{
    submit(req, ud, OP_RELEASE, true);
}

static void h_assign(lk_http_req_t *req, void *ud)
{
    with_text(req, ud, OP_ASSIGN, "user_id", LK_ID_MAX - 1);
}

static void h_team(lk_http_req_t *req, void *ud)
{
    submit(req, ud, OP_TEAM, false);
}

static void h_users(lk_http_req_t *req, void *ud)
{
    submit(req, ud, OP_USERS, false);
}

static void h_user_add(lk_http_req_t *req, void *ud)
{
    struct lk_app *app = ud;
    ajob_t *j = ajob_new(req, app, OP_USER_HASH, true);
    if (!j)
        return;
    json_t *body = lk_parse_body(req);
    const char *email = NULL, *role = NULL, *name = NULL, *password = NULL;
    if (!body || !lk_body_string(req, body, "email", 253, true, &email) ||
        !lk_body_string(req, body, "role", 15, true, &role) ||
        !lk_body_string(req, body, "display_name", 200, false, &name) ||
        !lk_body_password(req, body, "password", email, name, &password)) {
        json_decref(body);
        ajob_free(j);
        return;
    }
    if (!strchr(email, '@')) {
        lk_respond_error(req, 400, "invalid_field", "the field \"email\" must be an e-mail address");
    } else if (lk_role_parse(role, NULL) != 0) {
        lk_respond_error(req, 400, "invalid_field", "the field \"role\" must be agent, supervisor or admin");
    } else {
        snprintf(j->new_user.email, sizeof j->new_user.email, "%s", email);
        lk_role_parse(role, &j->new_user.role);
        j->new_user.display_name = lk_xstrdup(name ? name : email);
        j->password = lk_xstrdup(password);
        json_decref(body);
        lk_pool_submit(app->cpu, &j->job); /* hash first, then store (job_done) */
        return;
    }
    json_decref(body);
    ajob_free(j);
}

static void h_callbacks(lk_http_req_t *req, void *ud)
{
    struct lk_app *app = ud;
    ajob_t *j = ajob_new(req, app, OP_CALLBACKS, false);
    if (!j)
        return;
    lk_str_t v;
    snprintf(j->filter, sizeof j->filter, "open");
    if (lk_http_req_query(req, "status", &v)) {
        if (!lk_str_eq_cstr(v, "open") && !lk_str_eq_cstr(v, "done") && !lk_str_eq_cstr(v, "all")) {
            lk_respond_error(req, 400, "invalid_field", "the parameter \"status\" must be open, done or all");
            ajob_free(j);
            return;
        }
        snprintf(j->filter, sizeof j->filter, "%.*s", (int)v.len, v.base);
    }
    lk_pool_submit(app->readers, &j->job);
}

static void h_callback_done(lk_http_req_t *req, void *ud)
{
    submit(req, ud, OP_CALLBACK_DONE, true);
}

/* POST /api/v1/agent/conversations/:id/messages/:message_id/reveal */
static void h_reveal(lk_http_req_t *req, void *ud)
{
    struct lk_app *app = ud;
    lk_str_t mid = lk_http_req_param(req, "message_id");
    if (mid.len == 0 || mid.len >= LK_ID_MAX) {
        lk_respond_error(req, 404, "not_found", "no message with this id in this conversation");
        return;
    }
    ajob_t *j = ajob_new(req, app, OP_REVEAL, true);
    if (!j)
        return;
    j->text = lk_xstrndup(mid.base, mid.len);
    lk_pool_submit(app->writer, &j->job);
}

/* GET /api/v1/auth/console: what the login form may know before anyone has
 * logged in: the deployment's console language (console_language; null =
 * the browser's). Public: it says nothing about anyone. */
static void h_console_defaults(lk_http_req_t *req, void *ud)
{
    struct lk_app *app = ud;
    const char *def = app->cfg.console_language;
    lk_respond_json(req, 200, json_pack("{s:o}", "default_language", def[0] ? json_string(def) : json_null()));
}

static void h_agent_ws(lk_http_req_t *req, void *ud)
{
    struct lk_app *app = ud;
    if (!lk_http_req_is_websocket(req)) {
        lk_respond_error(req, 400, "not_websocket", "this endpoint expects a WebSocket upgrade");
        return;
    }
    ajob_t *j = ajob_new(req, app, OP_WS, true); /* a browser's WebSocket carries Origin */
    if (!j)
        return;
    j->sub = lk_hub_sub_new(lk_http_req_loop(req), LK_TOPIC_AGENTS, 0);
    lk_pool_submit(app->readers, &j->job);
}

static const lk_http_route_t routes[] = {
    {"GET", "/api/v1/agent/ws", h_agent_ws},
    {"GET", "/api/v1/agent/conversations", h_list},
    {"POST", "/api/v1/agent/conversations/:id/notes", h_note},
    {"POST", "/api/v1/agent/conversations/:id/release", h_release},
    {"POST", "/api/v1/agent/conversations/:id/assign", h_assign},
    {"GET", "/api/v1/agent/callbacks", h_callbacks},
    {"POST", "/api/v1/agent/callbacks/:id/done", h_callback_done},
    {"GET", "/api/v1/agent/users", h_team},
    {"GET", "/api/v1/admin/users", h_users},
    {"POST", "/api/v1/admin/users", h_user_add},
    {"POST", "/api/v1/auth/login", h_login},
    {"POST", "/api/v1/auth/logout", h_logout},
    {"GET", "/api/v1/auth/me", h_me},
    {"GET", "/api/v1/auth/console", h_console_defaults},
    {"GET", "/api/v1/agent/queue", h_queue},
    {"GET", "/api/v1/agent/conversations/:id", h_view},
    {"POST", "/api/v1/agent/conversations/:id/claim", h_claim},
    {"POST", "/api/v1/agent/conversations/:id/messages", h_reply},
    {"POST", "/api/v1/agent/conversations/:id/close", h_close},
    {"POST", "/api/v1/agent/conversations/:id/messages/:message_id/reveal", h_reveal},
};

void lk_api_agent_routes(const lk_http_route_t **r, size_t *n)
{
    *r = routes;
    *n = sizeof routes / sizeof routes[0];
}
