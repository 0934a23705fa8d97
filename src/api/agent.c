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
#include "api/route.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define MODULE "agent"

static json_t *note_json(const lk_note_t *n)
{
    char ts[LK_RFC3339_LEN];
    lk_time_rfc3339(n->created_at, ts);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", n->id, "conversation_id", n->conversation_id, "author_id",
                     n->author_id, "author_name", n->author_name ? n->author_name : "", "text", n->text ? n->text : "",
                     "created_at", ts);
}

/* How long a client address an account logged in from stays "known": it
 * passes the per-account throttle (docs/security.md, "Login limits"). */
#define KNOWN_ADDRESS_MS (90LL * 24 * 3600 * 1000)

/* The body fields: a login's, a new user's, and the one text field of a
 * reply, a note, a close (disposition) and an assignment (user_id). */
enum { F_EMAIL, F_PASSWORD, F_TOTP };
enum { F_UEMAIL, F_UROLE, F_UNAME, F_UPASSWORD };
enum { F_TEXT };

/* The state of an agent route (job->data). */
typedef struct {
    char new_session[LK_TOKEN_LEN + 1];
    char filter[16];             /* list: status; callbacks: status; view: the summary's language */
    char provenance[20];         /* reply (assist.c) */
    char *suggestion_article_id; /* reply: NULL unless suggested */
    bool mine;                   /* list */
    lk_user_t new_user;          /* a new user */
    lk_sub_t *sub;               /* the agents' stream */
    char message_id[LK_ID_MAX];  /* reveal */
    /* login: the account, the second factor and the rate limits' keys */
    bool user_found;
    bool verified;
    lk_totp_t totp_state; /* the user's */
    bool totp_missing;
    int64_t totp_step;
    char *rehash; /* the password hashed anew when its parameters are not LK_PWHASH_* */
    char limit_account[270];
    char limit_addr[LK_ADDR_MAX];
    char limit_pair[LK_LOGIN_KEY_MAX]; /* account and address */
    char addr_hash[LK_TOKEN_HASH_LEN + 1];
    bool throttled;   /* past limit_login_account: only known addresses and second factors */
    int64_t retry_ms; /* with throttled: when the throttle lets the next attempt through */
} agent_t;

static void agent_free(void *data)
{
    agent_t *d = data;
    free(d->suggestion_article_id);
    if (d->rehash) {
        sodium_memzero(d->rehash, strlen(d->rehash));
        free(d->rehash);
    }
    lk_totp_clear(&d->totp_state);
    free(d->new_user.display_name);
    free(d->new_user.password_hash);
}

static agent_t *data_of(const lk_api_job_t *j)
{
    return j->data;
}

/* The login's two-step code, "" when none was sent. */
static const char *totp_of(const lk_api_job_t *j)
{
    return j->body[F_TOTP].s ? j->body[F_TOTP].s : "";
}

static json_t *agent_conv_json(lk_store_t *st, const lk_conv_t *c, const lk_msg_t *msgs, size_t n)
{
    return lk_json_conv_agent(st, c, msgs, n, lk_time_now_ms());
}

static bool may_act(const lk_api_job_t *j, const lk_conv_t *c)
{
    return strcmp(c->assigned_to, j->user.id) == 0 || j->user.role != LK_ROLE_AGENT;
}

/* ---- the operations ---------------------------------------------------- */

static void run_login_read(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    agent_t *d = data_of(j);
    int rc = lk_store_user_get_by_email(st, j->body[F_EMAIL].s, &j->user);
    if (rc == 0)
        d->user_found = !j->user.disabled;
    if (rc == 0 && d->user_found)
        rc = lk_store_user_totp_get(st, j->user.id, &d->totp_state);
    if (rc != 0 && rc != LK_ENOENT) {
        lk_api_fail_db(j, rc);
        return;
    }
    if (!d->throttled)
        return;
    /* the account is past its throttle (many failures from many addresses):
     * its owner still gets in from an address they logged in from before,
     * or with their second factor; everyone else waits */
    bool pass = false;
    if (d->user_found) {
        rc = lk_store_login_address_known(st, j->user.id, d->addr_hash, now - KNOWN_ADDRESS_MS, &pass);
        if (rc) {
            lk_api_fail_db(j, rc);
            return;
        }
        pass = pass || (d->totp_state.enabled && totp_of(j)[0]);
    }
    if (!pass)
        lk_api_fail(j, LK_EBUSY, 429, "too_many_requests", "too many failed logins for this account");
}

/* Without a user, the password is verified against this hash, so that an
 * unknown address takes as long as a wrong password. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void init_dummy_hash(void)
{
    const char pw[] = "loket-no-such-user";
    if (crypto_pwhash_str(dummy_hash, pw, strlen(pw), LK_PWHASH_OPSLIMIT, LK_PWHASH_MEMLIMIT) != 0)
        dummy_hash[0] = '\0';
}

static void run_login_verify(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    agent_t *d = data_of(j);
    if (!d->user_found) {
        pthread_once(&dummy_once, init_dummy_hash);
        if (dummy_hash[0] &&
            crypto_pwhash_str_verify(dummy_hash, j->body[F_PASSWORD].s, strlen(j->body[F_PASSWORD].s)) == 0)
            LK_WARN(MODULE, "a password matched the placeholder hash");
        d->verified = false;
        return;
    }
    d->verified = j->user.password_hash && crypto_pwhash_str_verify(j->user.password_hash, j->body[F_PASSWORD].s,
                                                                    strlen(j->body[F_PASSWORD].s)) == 0;
    if (d->verified && d->totp_state.enabled) { /* the second factor */
        d->totp_missing = !totp_of(j)[0];
        d->verified = !d->totp_missing && lk_totp_verify(j->app, j->user.id, d->totp_state.secret, totp_of(j),
                                                         lk_time_now_ms(), &d->totp_step) == 0;
    }
    /* a hash made with other parameters (an older loket) is made anew with
     * today's, now that the password is at hand */
    char hash[crypto_pwhash_STRBYTES];
    if (d->verified &&
        crypto_pwhash_str_needs_rehash(j->user.password_hash, LK_PWHASH_OPSLIMIT, LK_PWHASH_MEMLIMIT) != 0 &&
        crypto_pwhash_str(hash, j->body[F_PASSWORD].s, strlen(j->body[F_PASSWORD].s), LK_PWHASH_OPSLIMIT,
                          LK_PWHASH_MEMLIMIT) == 0)
        d->rehash = lk_xstrdup(hash);
    sodium_memzero(hash, sizeof hash);
}

static void run_login_store(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    agent_t *d = data_of(j);
    /* while the password was being checked, the account may have been
     * deactivated or given a new password: then the check is void */
    lk_user_t cur = {0};
    int urc = lk_store_user_get(st, j->user.id, &cur);
    bool same = urc == 0 && !cur.disabled && cur.password_hash && j->user.password_hash &&
                strcmp(cur.password_hash, j->user.password_hash) == 0;
    lk_user_clear(&cur);
    if (urc && urc != LK_ENOENT) {
        lk_api_fail_db(j, urc);
        return;
    }
    if (!same) {
        lk_api_fail(j, LK_EAUTH, 401, "unauthorized", "wrong e-mail address or password");
        return;
    }
    if (d->totp_state.enabled) {
        int trc = lk_store_user_totp_use(st, j->user.id, d->totp_step);
        if (trc == LK_EEXIST) {
            lk_api_fail(j, LK_EAUTH, 401, "unauthorized", "this code was used already; wait for the next one");
            return;
        }
        if (trc) {
            lk_api_fail_db(j, trc);
            return;
        }
    }
    /* a fresh session every login; the one the browser had ends */
    if (j->session_hash[0]) {
        int drc = lk_store_session_delete(st, j->session_hash);
        if (drc && drc != LK_ENOENT) {
            lk_api_fail_db(j, drc);
            return;
        }
        if (drc == 0)
            lk_hub_close_streams(&j->job, NULL, j->session_hash);
    }
    lk_session_t s = {0};
    lk_rand_token(d->new_session);
    lk_token_hash(d->new_session, strlen(d->new_session), s.id_hash);
    snprintf(s.user_id, sizeof s.user_id, "%s", j->user.id);
    s.created_at = now;
    s.expires_at = now + j->app->cfg.session_ttl * 1000;
    int rc = lk_store_session_insert(st, &s);
    if (rc == 0)
        rc = lk_store_audit(st, now, j->user.id, "auth.login", NULL, NULL);
    if (rc == 0) /* this address now passes the account's throttle */
        rc = lk_store_login_address_note(st, j->user.id, d->addr_hash, now, now - KNOWN_ADDRESS_MS);
    if (rc == 0 && d->rehash) {
        rc = lk_store_user_set_password(st, j->user.id, d->rehash);
        if (rc == 0)
            LK_INFO(MODULE, "the password hash of user %s now has today's argon2id parameters", j->user.id);
    }
    if (rc)
        lk_api_fail_db(j, rc);
}

static void run_logout(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    int rc = lk_store_session_delete(st, j->session_hash);
    if (rc == 0)
        rc = lk_store_audit(st, now, j->user.id, "auth.logout", NULL, NULL);
    if (rc == 0)
        lk_hub_close_streams(&j->job, NULL, j->session_hash);
    if (rc)
        lk_api_fail_db(j, rc);
    else
        j->out = json_pack("{s:s}", "status", "ok");
}

static void run_queue(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    lk_conv_t *q = NULL;
    size_t n = 0;
    int rc = lk_store_conv_list_queued(st, 1000, &q, &n);
    if (rc) {
        lk_api_fail_db(j, rc);
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

static void run_view(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    agent_t *d = data_of(j);
    lk_conv_t c;
    if (!lk_api_conv_load(j, st, &c))
        return;
    if (!lk_api_may_read_conv(&j->job, &j->err, st, &j->user, &c)) {
        lk_conv_clear(&c);
        return;
    }
    lk_msg_t *msgs = NULL;
    size_t n = 0;
    int rc = lk_store_msg_list(st, c.id, 0, 0, &msgs, &n);
    if (rc) {
        lk_api_fail_db(j, rc);
    } else {
        lk_api_mask_msgs(msgs, n);
        j->out = agent_conv_json(st, &c, msgs, n);
        lk_api_assist_view(j->app, st, &c, msgs, n, d->filter[0] ? d->filter : "nl", j->out);
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

/* Applies an agent's event to c through the conversation engine (turn.c),
 * the one path of every channel and actor, with the current bot; with
 * action, an audit record of the agent's act (detail may be NULL). 0, or the
 * failure answered: the engine's refusal of a reply by someone else 409. */
static int conv_event(lk_api_job_t *j, lk_store_t *st, lk_conv_t *c, const lk_conv_event_t *ev, int64_t now,
                      const char *action, const char *detail, lk_conv_result_t *r)
{
    lk_bot_t *bot = lk_bot_acquire(j->app);
    int rc = lk_turn_run(j->app, st, &j->job, c, ev, bot, now, r, NULL);
    lk_bot_release(bot);
    if (rc == 0 && action)
        rc = lk_store_audit(st, now, j->user.id, action, c->id, detail);
    if (r->refused == LK_CONV_REFUSED_NOT_YOURS)
        lk_api_fail(j, rc, 409, "conflict", "this conversation is not assigned to you; claim it first");
    else if (rc)
        lk_api_fail_db(j, rc);
    return rc;
}

/* An agent's event that answers with the conversation (claim, close,
 * release, assign). */
static void agent_event(lk_api_job_t *j, lk_store_t *st, lk_conv_t *c, const lk_conv_event_t *ev, int64_t now,
                        const char *action, const char *detail)
{
    lk_conv_result_t r = {0};
    if (conv_event(j, st, c, ev, now, action, detail, &r) == 0)
        j->out = agent_conv_json(st, c, NULL, 0);
    lk_conv_result_free(&r);
}

static void run_claim(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    lk_conv_t c;
    if (!lk_api_conv_load(j, st, &c))
        return;
    if (c.status != LK_CONV_QUEUED) {
        lk_api_fail(j, LK_ESTATE, 409, "conflict", "this conversation is not waiting in the queue");
        lk_conv_clear(&c);
        return;
    }
    lk_conv_event_t ev = {.type = LK_CONV_AGENT_JOINS, .agent_id = j->user.id, .agent_name = j->user.display_name};
    int64_t queued_at = c.queued_at;
    agent_event(j, st, &c, &ev, now, "conversation.claim", NULL);
    if (j->job.rc == 0 && queued_at > 0)
        lk_metrics_queue_wait(now - queued_at);
    lk_conv_clear(&c);
}

static void run_reply(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    agent_t *d = data_of(j);
    lk_conv_t c;
    if (!lk_api_conv_load(j, st, &c))
        return;
    lk_msg_t m = {0};
    m.sender = LK_SENDER_AGENT;
    m.automated = false;
    m.text = lk_xstrdup(j->body[F_TEXT].s);
    m.created_at = now;
    snprintf(m.author_id, sizeof m.author_id, "%s", j->user.id);
    m.author_name = lk_xstrdup(j->user.display_name ? j->user.display_name : j->user.email);
    lk_provenance_parse(d->provenance[0] ? d->provenance : "human", &m.provenance);
    m.suggestion_article_id = d->suggestion_article_id;
    d->suggestion_article_id = NULL;
    /* the engine refuses a reply on a conversation not assigned to this agent */
    lk_conv_event_t ev = {.type = LK_CONV_AGENT_WRITES, .agent_id = j->user.id, .msg = &m};
    lk_conv_result_t r = {0};
    if (conv_event(j, st, &c, &ev, now, NULL, NULL, &r) == 0)
        j->out = lk_json_msg_agent(&r.msgs[0]);
    lk_conv_result_free(&r);
    lk_conv_clear(&c);
}

static void run_close(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    lk_conv_t c;
    if (!lk_api_conv_load(j, st, &c))
        return;
    if (c.status == LK_CONV_CLOSED || !may_act(j, &c) || c.status == LK_CONV_BOT) {
        lk_api_fail(j, LK_ESTATE, 409, "conflict", "only an open conversation assigned to you can be closed by you");
        lk_conv_clear(&c);
        return;
    }
    lk_conv_event_t ev = {.type = LK_CONV_CLOSE};
    c.closed_at = now;
    free(c.disposition);
    c.disposition = lk_xstrdup(j->body[F_TEXT].s);
    agent_event(j, st, &c, &ev, now, "conversation.close", NULL);
    lk_conv_clear(&c);
}

static void run_list(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    agent_t *d = data_of(j);
    /* agents see the queue and their own; supervisors and admins everything */
    lk_conv_status_t want; /* list_prepare let only the statuses and "all" through */
    bool filtered = d->filter[0] && strcmp(d->filter, "all") != 0 && lk_conv_status_parse(d->filter, &want) == 0;
    bool queue_only = filtered && want == LK_CONV_QUEUED;
    const char *who = NULL;
    if (d->mine || (lk_api_is_role(&j->user, "agent", NULL) && !queue_only))
        who = j->user.id;
    lk_conv_t *v = NULL;
    size_t n = 0;
    int rc = lk_store_conv_list(st, filtered ? &want : NULL, who, 500, &v, &n);
    if (rc) {
        lk_api_fail_db(j, rc);
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, agent_conv_json(st, &v[i], NULL, 0));
    lk_convs_free(v, n);
    j->out = json_pack("{s:o}", "conversations", arr);
}

static void run_note(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    lk_conv_t c;
    if (!lk_api_conv_load(j, st, &c))
        return;
    /* notes go to those who handle it: the queue's, your own, any for leads */
    if (c.status != LK_CONV_QUEUED && !may_act(j, &c)) {
        lk_api_fail(j, LK_EAUTH, 403, "forbidden",
                    "only the agent handling this conversation or a supervisor may add a note");
        lk_api_error_refused(&j->err, &j->user);
        lk_conv_clear(&c);
        return;
    }
    lk_note_t note = {0};
    lk_rand_id("n_", note.id, sizeof note.id);
    snprintf(note.conversation_id, sizeof note.conversation_id, "%s", c.id);
    snprintf(note.author_id, sizeof note.author_id, "%s", j->user.id);
    note.author_name = j->user.display_name ? j->user.display_name : j->user.email;
    note.text = j->body[F_TEXT].s;
    note.created_at = now;
    int rc = lk_store_note_insert(st, &note);
    if (rc) {
        lk_api_fail_db(j, rc);
    } else {
        j->out = note_json(&note);
        lk_publish_agents(&j->job, &c, "note", json_deep_copy(j->out));
    }
    lk_conv_clear(&c);
}

/* release (back to the queue) and assign (to another agent, from the queue
 * or from the agent who has it: the customer is told who takes over) */
static void move(lk_api_job_t *j, lk_store_t *st, int64_t now, bool assign)
{
    lk_conv_t c;
    if (!lk_api_conv_load(j, st, &c))
        return;
    lk_user_t target = {0};
    if (!assign && (c.status != LK_CONV_ASSIGNED || !may_act(j, &c))) {
        lk_api_fail(j, LK_ESTATE, 409, "conflict", "only a conversation assigned to you can be released by you");
        goto out;
    }
    if (!assign) {
        agent_event(j, st, &c, &(lk_conv_event_t){.type = LK_CONV_AGENT_LEAVES}, now, "conversation.release", NULL);
        goto out;
    }
    if (c.status != LK_CONV_QUEUED && c.status != LK_CONV_ASSIGNED) {
        lk_api_fail(j, LK_ESTATE, 409, "conflict", "only a queued or assigned conversation can be assigned");
        goto out;
    }
    int rc = lk_store_user_get(st, j->body[F_TEXT].s, &target); /* text: the user_id */
    if (rc == LK_ENOENT || (rc == 0 && target.disabled)) {
        lk_api_fail(j, LK_ENOENT, 400, "invalid_field", "the field \"user_id\" names no active user");
        goto out;
    }
    if (rc) {
        lk_api_fail_db(j, rc);
        goto out;
    }
    lk_conv_event_t ev = {.type = LK_CONV_AGENT_JOINS, .agent_id = target.id, .agent_name = target.display_name};
    agent_event(j, st, &c, &ev, now, "conversation.assign", target.id);
out:
    lk_user_clear(&target);
    lk_conv_clear(&c);
}

static void run_release(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    move(j, st, now, false);
}

static void run_assign(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    move(j, st, now, true);
}

/* The users: all of them with their e-mail addresses (admins), or the team,
 * the colleagues one may assign to: every active user, without e-mail. */
static void list_users(lk_api_job_t *j, lk_store_t *st, bool team)
{
    lk_user_t *v = NULL;
    size_t n = 0;
    int rc = lk_store_user_list(st, &v, &n);
    if (rc) {
        lk_api_fail_db(j, rc);
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        if (!team)
            json_array_append_new(arr, lk_json_user(&v[i], true));
        else if (!v[i].disabled)
            json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "id", v[i].id, "display_name",
                                                 v[i].display_name ? v[i].display_name : v[i].email, "role",
                                                 lk_role_name(v[i].role)));
    }
    lk_users_free(v, n);
    j->out = json_pack("{s:o}", "users", arr);
}

static void run_users(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    list_users(j, st, false);
}

static void run_team(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    list_users(j, st, true);
}

static void run_user_hash(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    agent_t *d = data_of(j);
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(hash, j->body[F_UPASSWORD].s, strlen(j->body[F_UPASSWORD].s), LK_PWHASH_OPSLIMIT,
                          LK_PWHASH_MEMLIMIT) != 0) {
        lk_api_fail(j, LK_ENOMEM, 500, "internal", "not enough memory to hash the password");
        return;
    }
    d->new_user.password_hash = lk_xstrdup(hash);
}

static void run_user_store(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    agent_t *d = data_of(j);
    lk_rand_id("u_", d->new_user.id, sizeof d->new_user.id);
    d->new_user.created_at = now;
    int rc = lk_store_user_insert(st, &d->new_user);
    if (rc == LK_EEXIST) {
        lk_api_fail(j, rc, 409, "conflict", "a user with this e-mail address exists already");
        return;
    }
    if (rc == 0)
        rc = lk_store_audit(st, now, j->user.id, "user.add", NULL, d->new_user.id);
    if (rc)
        lk_api_fail_db(j, rc);
    else
        j->out = lk_json_user(&d->new_user, false);
}

/* One call-back request as the agents' list shows it. */
static json_t *callback_json(const void *record)
{
    const lk_callback_t *c = record;
    char ts[LK_RFC3339_LEN];
    lk_time_rfc3339(c->created_at, ts);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", c->id, "conversation_id", c->conversation_id, "contact",
                     c->contact ? c->contact : "", "text", c->text ? c->text : "", "status",
                     lk_callback_status_name(c->status), "created_at", ts);
}

static void run_callbacks(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    agent_t *d = data_of(j);
    lk_callback_t *v = NULL;
    size_t n = 0;
    lk_callback_status_t status; /* NONE (all) for "all" */
    lk_callback_status_parse(d->filter, &status);
    int rc = lk_store_callback_list(st, status, 500, &v, &n);
    json_t *arr = lk_api_list_json(j, rc, v, n, sizeof *v, callback_json);
    lk_callbacks_free(v, n);
    if (arr)
        j->out = json_pack("{s:o}", "callbacks", arr);
}

static void run_callback_done(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    int rc = lk_store_callback_done(st, j->id, j->user.id, now);
    if (rc == LK_ENOENT)
        lk_api_fail(j, rc, 404, "not_found", "no call-back request with this id");
    else if (rc)
        lk_api_fail_db(j, rc);
    else if ((rc = lk_store_audit(st, now, j->user.id, "callback.done", NULL, j->id)) != 0)
        lk_api_fail_db(j, rc);
    else
        j->out = json_pack("{s:s, s:s}", "id", j->id, "status", "done");
}

/* Who is logged in, and what the console needs to know before it draws:
 * the language (the user's own choice, else the deployment's default, else
 * null: the browser's) and the deployment's time zone. */
static void run_me(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    char own[8] = "";
    int rc = lk_store_user_language_get(st, j->user.id, own, sizeof own);
    if (rc && rc != LK_ENOENT) {
        lk_api_fail_db(j, rc);
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
    /* required but not set up: the console sends them to set it up */
    json_object_set_new(u, "totp_setup_required", json_boolean(j->setup_pending));
}

/* The original text of a customer's message that agents see masked (a
 * BSN), for whoever may read the conversation; every reveal is audited
 * ("message.reveal", with the conversation and the message id, never the
 * text) in the same transaction, before the text goes out. */
static void run_reveal(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    lk_conv_t c;
    lk_msg_t m = {0};
    if (lk_api_conv_load(j, st, &c) && lk_api_may_read_conv(&j->job, &j->err, st, &j->user, &c) &&
        lk_api_conv_msg(j, st, &c, data_of(j)->message_id, &m)) {
        json_t *what = json_pack("{s:s}", "message_id", m.id);
        char *detail = lk_json_dump(what, NULL);
        json_decref(what);
        int rc = lk_store_audit(st, now, j->user.id, "message.reveal", c.id, detail);
        free(detail);
        if (rc)
            lk_api_fail_db(j, rc);
        else
            j->out = json_pack("{s:s, s:I, s:s}", "id", m.id, "seq", (json_int_t)m.seq, "text", m.text ? m.text : "");
    }
    lk_msg_clear(&m);
    lk_conv_clear(&c);
}

/* A no-op step: the session and role checks of the generic code are the
 * work (a new user's are checked before their password is hashed). */
static void run_checked(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
}

/* ---- what the loop thread does around the steps --------------------------- */

/* The login's limits count every attempt; a success is taken back
 * (login_after). */
static bool login_prepare(lk_api_job_t *j)
{
    agent_t *d = data_of(j);
    struct lk_app *app = j->app;
    const char *email = j->body[F_EMAIL].s;
    lk_api_client_addr(app, j->req, d->limit_addr);
    for (size_t i = 0; email[i] && i + 1 < sizeof d->limit_account; i++)
        d->limit_account[i] = (char)(email[i] >= 'A' && email[i] <= 'Z' ? email[i] + 32 : email[i]);
    lk_api_login_key(email, d->limit_addr, d->limit_pair);
    lk_api_client_hash(app, d->limit_addr, d->addr_hash);
    if (!lk_security_hit_login(app, j->req, LK_LIMIT_LOGIN_ADDRESS, d->limit_addr, email,
                               "failed logins from this address"))
        return false;
    if (!lk_security_hit_login(app, j->req, LK_LIMIT_LOGIN_ACCOUNT_ADDRESS, d->limit_pair, email,
                               "failed logins for this account from this address")) {
        lk_ratelimit_forgive(lk_security_limit(app, LK_LIMIT_LOGIN_ADDRESS), d->limit_addr);
        return false;
    }
    /* the account's throttle over all addresses does not refuse here: its
     * owner's known addresses and second factor pass it (run_login_read) */
    d->throttled = !lk_ratelimit_hit(lk_security_limit(app, LK_LIMIT_LOGIN_ACCOUNT), d->limit_account, lk_time_now_ms(),
                                     &d->retry_ms);
    return true;
}

/* Before the session is stored: a wrong password or code is answered here. */
static bool login_before(lk_api_job_t *j, size_t step)
{
    agent_t *d = data_of(j);
    if (step != 2 || d->verified)
        return true;
    lk_security_event(j->app, j->req, LK_SEC_LOGIN_FAILED, d->user_found ? j->user.id : NULL,
                      d->user_found ? j->user.email : NULL,
                      !d->user_found                           ? "no active account with this e-mail address"
                      : d->totp_missing                        ? "right password, second factor missing"
                      : d->totp_state.enabled && totp_of(j)[0] ? "wrong password or second factor"
                                                               : "wrong password");
    if (d->totp_missing)
        lk_respond_error(j->req, 401, "totp_required",
                         "this account has two-step login: send the current code as \"totp\"");
    else
        lk_respond_error(j->req, 401, "unauthorized",
                         totp_of(j)[0] ? "wrong e-mail address, password or code" : "wrong e-mail address or password");
    return false;
}

static bool login_after(lk_api_job_t *j)
{
    agent_t *d = data_of(j);
    if (j->job.rc && j->step == 0 && j->err.status == 429) {
        long long s = (long long)((d->retry_ms + 999) / 1000);
        lk_security_event(j->app, j->req, LK_SEC_LOCKOUT, d->user_found ? j->user.id : NULL,
                          d->user_found ? j->user.email : NULL,
                          "too many failed logins for this account from many addresses; this address is not "
                          "one it logged in from before");
        char ra[24];
        snprintf(ra, sizeof ra, "%lld", s);
        lk_http_res_header(j->req, "retry-after", ra);
        lk_respond_error(j->req, 429, "too_many_requests",
                         "too many failed logins for this account; try again in %lld s, from an address you "
                         "logged in from before, or with your two-step code",
                         s);
        return false;
    }
    if (j->job.rc) {
        if (j->step == 2 && j->err.status == 401)
            lk_security_event(j->app, j->req, LK_SEC_LOGIN_FAILED, j->user.id, j->user.email, j->err.message);
        return true;
    }
    /* a success wipes the account's failures and does not count against the address */
    lk_ratelimit_reset(lk_security_limit(j->app, LK_LIMIT_LOGIN_ACCOUNT), d->limit_account);
    lk_ratelimit_reset(lk_security_limit(j->app, LK_LIMIT_LOGIN_ACCOUNT_ADDRESS), d->limit_pair);
    lk_ratelimit_forgive(lk_security_limit(j->app, LK_LIMIT_LOGIN_ADDRESS), d->limit_addr);
    lk_queue_stats_invalidate();
    lk_api_set_session_cookie(j->app, j->req, d->new_session, j->app->cfg.session_ttl);
    /* required but not set up: the console sends them to set it up, and
     * every other request answers 403 totp_setup_required */
    json_t *u = lk_json_user(&j->user, false);
    json_object_set_new(u, "totp_setup_required",
                        json_boolean(lk_api_totp_required(&j->user) && !d->totp_state.enabled));
    j->out = json_pack("{s:o}", "user", u);
    return true;
}

static bool logout_after(lk_api_job_t *j)
{
    if (j->job.rc == 0)
        lk_queue_stats_invalidate();
    if (j->job.rc == 0 || j->err.status == 401)
        lk_api_set_session_cookie(j->app, j->req, "", 0);
    return true;
}

/* who read which conversation: recorded after the answer, in a writer job */
static bool view_after(lk_api_job_t *j)
{
    if (j->job.rc == 0)
        lk_api_audit_async(j->app, j->user.id, "conversation.view", j->id, NULL);
    return true;
}

/* ?lang=nl|en: the hand-off summary's language */
static bool view_prepare(lk_api_job_t *j)
{
    agent_t *d = data_of(j);
    lk_str_t lang;
    if (!lk_http_req_query(j->req, "lang", &lang))
        return true;
    if (!lk_str_eq_cstr(lang, "nl") && !lk_str_eq_cstr(lang, "en")) {
        lk_respond_error(j->req, 400, "invalid_field", "the parameter \"lang\" must be nl or en");
        return false;
    }
    memcpy(d->filter, lang.base, lang.len);
    return true;
}

/* ?status=queued|assigned|closed|bot|all, ?mine=1 */
static bool list_prepare(lk_api_job_t *j)
{
    agent_t *d = data_of(j);
    lk_str_t v;
    if (lk_http_req_query(j->req, "status", &v)) {
        static const char *const ok[] = {"queued", "assigned", "closed", "bot", "all"};
        bool valid = false;
        for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
            valid = valid || lk_str_eq_cstr(v, ok[i]);
        if (!valid) {
            lk_respond_error(j->req, 400, "invalid_field",
                             "the parameter \"status\" must be queued, assigned, closed, bot or all");
            return false;
        }
        memcpy(d->filter, v.base, v.len);
    }
    d->mine = lk_http_req_query(j->req, "mine", &v) && (lk_str_eq_cstr(v, "1") || lk_str_eq_cstr(v, "true"));
    return true;
}

/* ?status=open|done|all (open) */
static bool callbacks_prepare(lk_api_job_t *j)
{
    agent_t *d = data_of(j);
    lk_str_t v;
    snprintf(d->filter, sizeof d->filter, "open");
    if (!lk_http_req_query(j->req, "status", &v))
        return true;
    if (!lk_str_eq_cstr(v, "open") && !lk_str_eq_cstr(v, "done") && !lk_str_eq_cstr(v, "all")) {
        lk_respond_error(j->req, 400, "invalid_field", "the parameter \"status\" must be open, done or all");
        return false;
    }
    snprintf(d->filter, sizeof d->filter, "%.*s", (int)v.len, v.base);
    return true;
}

/* an agent reply's provenance (assist.c) */
static bool reply_prepare(lk_api_job_t *j)
{
    agent_t *d = data_of(j);
    return lk_api_provenance_parse(j->req, j->json, d->provenance, sizeof d->provenance, &d->suggestion_article_id);
}

/* a new user: the password is checked against their address and name too */
static bool user_add_prepare(lk_api_job_t *j)
{
    agent_t *d = data_of(j);
    const char *email = j->body[F_UEMAIL].s, *name = j->body[F_UNAME].s;
    lk_api_error_t e;
    if (lk_password_refused("password", j->body[F_UPASSWORD].s, email, name, &e)) {
        lk_respond_error(j->req, e.status, e.code, "%s", e.message);
        return false;
    }
    snprintf(d->new_user.email, sizeof d->new_user.email, "%s", email);
    lk_role_parse(j->body[F_UROLE].s, &d->new_user.role);
    d->new_user.display_name = lk_xstrdup(name ? name : email);
    return true;
}

/* POST /api/v1/agent/conversations/:id/messages/:message_id/reveal */
static bool reveal_prepare(lk_api_job_t *j)
{
    agent_t *d = data_of(j);
    lk_str_t mid = lk_http_req_param(j->req, "message_id");
    if (mid.len == 0 || mid.len >= LK_ID_MAX) {
        lk_respond_error(j->req, 404, "not_found", "no message with this id in this conversation");
        return false;
    }
    memcpy(d->message_id, mid.base, mid.len);
    return true;
}

/* GET /api/v1/auth/console: what the login form may know before anyone has
 * logged in: the deployment's console language (console_language; null =
 * the browser's). Public: it says nothing about anyone. */
static bool console_prepare(lk_api_job_t *j)
{
    const char *def = j->app->cfg.console_language;
    j->out = json_pack("{s:o}", "default_language", def[0] ? json_string(def) : json_null());
    return true;
}

/* The agents' stream: subscribed before the session check, so that nothing
 * committed meanwhile is missed; accepted once the session is checked. */
static bool ws_prepare(lk_api_job_t *j)
{
    agent_t *d = data_of(j);
    if (!lk_http_req_is_websocket(j->req)) {
        lk_respond_error(j->req, 400, "not_websocket", "this endpoint expects a WebSocket upgrade");
        return false;
    }
    d->sub = lk_hub_sub_new(lk_http_req_loop(j->req), LK_TOPIC_AGENTS, 0);
    return true;
}

static bool ws_after(lk_api_job_t *j)
{
    agent_t *d = data_of(j);
    if (j->job.rc) {
        lk_hub_sub_cancel(d->sub);
        return true;
    }
    lk_hub_sub_set_viewer(d->sub, j->user.id, j->session_hash, !lk_api_is_role(&j->user, "agent", NULL));
    lk_ws_t *ws = lk_http_ws_accept(j->req, &lk_hub_ws_callbacks, d->sub);
    if (ws)
        lk_hub_sub_attach(d->sub, ws, 0, NULL, NULL, 0);
    else
        lk_hub_sub_cancel(d->sub);
    return false;
}

/* ---- the table ------------------------------------------------------------ */

static bool six_digits(const char *code)
{
    return strlen(code) == 6 && strspn(code, "0123456789") == 6;
}

static bool has_at(const char *email)
{
    return strchr(email, '@') != NULL;
}

static const char *const roles[] = {"agent", "supervisor", "admin", NULL};

static const lk_api_field_t login_fields[] = {
    [F_EMAIL] = {.name = "email", .type = LK_FIELD_STRING, .required = true, .max_len = 254},
    [F_PASSWORD] = {.name = "password", .type = LK_FIELD_STRING, .required = true, .max_len = 1024},
    [F_TOTP] = {.name = "totp",
                .type = LK_FIELD_STRING,
                .max_len = 16,
                .check = six_digits,
                .invalid = "the field \"totp\" must be the 6 digits of the authenticator app"},
};
static const lk_api_field_t user_add_fields[] = {
    [F_UEMAIL] = {.name = "email",
                  .type = LK_FIELD_STRING,
                  .required = true,
                  .max_len = 253,
                  .check = has_at,
                  .invalid = "the field \"email\" must be an e-mail address"},
    [F_UROLE] = {.name = "role", .type = LK_FIELD_ENUM, .required = true, .max_len = 15, .values = roles},
    [F_UNAME] = {.name = "display_name", .type = LK_FIELD_STRING, .max_len = 200},
    [F_UPASSWORD] = {.name = "password", .type = LK_FIELD_PASSWORD, .required = true},
};
static const lk_api_field_t reply_fields[] = {
    [F_TEXT] = {.name = "text", .type = LK_FIELD_STRING, .required = true, .max_len = LK_API_MAX_TEXT},
};
static const lk_api_field_t close_fields[] = {
    [F_TEXT] = {.name = "disposition", .type = LK_FIELD_STRING, .required = true, .max_len = 200},
};
static const lk_api_field_t assign_fields[] = {
    [F_TEXT] = {.name = "user_id", .type = LK_FIELD_STRING, .required = true, .max_len = LK_ID_MAX - 1},
};

#define FIELDS(a) .fields = a, .n_fields = sizeof a / sizeof a[0]
#define AGENT .data_size = sizeof(agent_t), .data_free = agent_free
#define READ(fn) .steps = {{.pool = LK_ON_READER, .run = fn}}
#define WRITE(fn) .steps = {{.pool = LK_ON_WRITER, .run = fn}}

static const lk_api_route_t routes[] = {
    {"GET", "/api/v1/agent/ws", LK_ACCESS_AGENT, READ(run_checked), .origin = true, .prepare = ws_prepare,
     .after = ws_after, AGENT},
    {"GET", "/api/v1/agent/conversations", LK_ACCESS_AGENT, READ(run_list), .prepare = list_prepare, AGENT},
    {"POST", "/api/v1/agent/conversations/:id/notes", LK_ACCESS_AGENT, FIELDS(reply_fields), WRITE(run_note),
     .status = 201, AGENT},
    {"POST", "/api/v1/agent/conversations/:id/release", LK_ACCESS_AGENT, WRITE(run_release), AGENT},
    {"POST", "/api/v1/agent/conversations/:id/assign", LK_ACCESS_SUPERVISOR, FIELDS(assign_fields), WRITE(run_assign),
     AGENT},
    {"GET", "/api/v1/agent/callbacks", LK_ACCESS_AGENT, READ(run_callbacks), .prepare = callbacks_prepare, AGENT},
    {"POST", "/api/v1/agent/callbacks/:id/done", LK_ACCESS_AGENT, WRITE(run_callback_done), AGENT},
    {"GET", "/api/v1/agent/users", LK_ACCESS_AGENT, READ(run_team), AGENT},
    {"GET", "/api/v1/admin/users", LK_ACCESS_ADMIN, READ(run_users), AGENT},
    /* hashed only after a reader checked the session and the role */
    {"POST", "/api/v1/admin/users", LK_ACCESS_ADMIN, FIELDS(user_add_fields),
     .steps = {{.pool = LK_ON_READER, .run = run_checked}, {.pool = LK_ON_CPU, .run = run_user_hash}, {.pool = LK_ON_WRITER, .run = run_user_store}},
     .prepare = user_add_prepare, .status = 201, AGENT},
    /* reader (the account), cpu (the password), writer (the session) */
    {"POST", "/api/v1/auth/login", LK_ACCESS_ANYONE, FIELDS(login_fields),
     .steps = {{.pool = LK_ON_READER, .run = run_login_read}, {.pool = LK_ON_CPU, .run = run_login_verify}, {.pool = LK_ON_WRITER, .run = run_login_store}},
     .prepare = login_prepare, .before = login_before, .after = login_after, AGENT},
    {"POST", "/api/v1/auth/logout", LK_ACCESS_SIGNED_IN, WRITE(run_logout), .after = logout_after, AGENT},
    {"GET", "/api/v1/auth/me", LK_ACCESS_SIGNED_IN, READ(run_me), AGENT},
    {"GET", "/api/v1/auth/console", LK_ACCESS_ANYONE, .prepare = console_prepare},
    {"GET", "/api/v1/agent/queue", LK_ACCESS_AGENT, READ(run_queue), AGENT},
    {"GET", "/api/v1/agent/conversations/:id", LK_ACCESS_AGENT, READ(run_view), .prepare = view_prepare,
     .after = view_after, AGENT},
    {"POST", "/api/v1/agent/conversations/:id/claim", LK_ACCESS_AGENT, WRITE(run_claim), AGENT},
    {"POST", "/api/v1/agent/conversations/:id/messages", LK_ACCESS_AGENT, FIELDS(reply_fields), WRITE(run_reply),
     .prepare = reply_prepare, .status = 201, AGENT},
    {"POST", "/api/v1/agent/conversations/:id/close", LK_ACCESS_AGENT, FIELDS(close_fields), WRITE(run_close), AGENT},
    {"POST", "/api/v1/agent/conversations/:id/messages/:message_id/reveal", LK_ACCESS_AGENT, WRITE(run_reveal),
     .prepare = reveal_prepare, AGENT},
};

void lk_api_agent_table(const lk_api_route_t **r, size_t *n)
{
    *r = routes;
    *n = sizeof routes / sizeof routes[0];
}
