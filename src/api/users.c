/*
 * Managing the people who use the console (docs/api.md, "Users"): an admin
 * changes a user's role or name, deactivates them (their sessions end at
 * once, their live streams close and the conversations assigned to them go
 * back to the queue, the customers told) or activates them again, and sets a
 * new password for someone who lost theirs; every user changes their own
 * password (their other sessions end) and their console language. No change
 * may leave the team without an active admin.
 *
 * A password is hashed (argon2id, on the CPU threads) only after a reader has
 * checked the session and the role, so that nobody without a session can
 * make loket hash; the writer then checks the session again and stores.
 */
#include "api/api.h"
#include "api/api_int.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NAME 200

typedef enum {
    OP_UPDATE,      /* writer */
    OP_RESET_CHECK, /* reader, then: */
    OP_RESET_HASH,  /* cpu, then: */
    OP_RESET_STORE, /* writer */
    OP_OWN_READ,    /* reader, then: */
    OP_OWN_HASH,    /* cpu: verify the current password, hash the new one; then: */
    OP_OWN_STORE,   /* writer */
    OP_OWN_LANGUAGE /* writer */
} op_t;

typedef struct {
    lk_job_t job;
    struct lk_app *app;
    lk_http_req_t *req;
    op_t op;
    char session_hash[LK_TOKEN_HASH_LEN + 1];
    char target[LK_ID_MAX];
    /* OP_UPDATE: what to change */
    char role[16];  /* "" keeps it */
    char *name;     /* NULL keeps it */
    int disabled;   /* -1 keeps it */
    char *password; /* the new one */
    char *current;  /* OP_OWN_*: the one to check */
    char hash[crypto_pwhash_STRBYTES];
    char limit_key[LK_LOGIN_KEY_MAX]; /* OP_OWN_*: the account's login limit from this address */
    char language[8];    /* OP_OWN_LANGUAGE: "nl", "en", "" = the deployment's default */
    lk_user_t user;      /* the one asking */
    lk_api_error_t err;
    json_t *out;
} ujob_t;

static void wipe_free(char *s)
{
    if (s) {
        sodium_memzero(s, strlen(s));
        free(s);
    }
}

static void ujob_free(ujob_t *j)
{
    lk_user_clear(&j->user);
    free(j->name);
    wipe_free(j->password);
    wipe_free(j->current);
    sodium_memzero(j->hash, sizeof j->hash);
    if (j->out)
        json_decref(j->out);
    free(j);
}

static void fail(ujob_t *j, int rc, int status, const char *code, const char *msg)
{
    lk_job_fail(&j->job, &j->err, rc, status, code, msg);
}

/* Loads the user the request names into *u; false after a 404 or 500. */
static bool load_target(ujob_t *j, lk_store_t *st, lk_user_t *u)
{
    int rc = lk_store_user_get(st, j->target, u);
    if (rc == LK_ENOENT)
        fail(j, rc, 404, "not_found", "no user with this id");
    else if (rc)
        lk_job_fail_db(&j->job, &j->err, rc);
    return rc == 0;
}

/* Whether an active admin other than the user with id `except` exists. */
static int other_admin(lk_store_t *st, const char *except, bool *found)
{
    lk_user_t *v = NULL;
    size_t n = 0;
    int rc = lk_store_user_list(st, &v, &n);
    *found = false;
    for (size_t i = 0; rc == 0 && i < n && !*found; i++)
        *found = !v[i].disabled && v[i].role == LK_ROLE_ADMIN && strcmp(v[i].id, except) != 0;
    lk_users_free(v, n);
    return rc;
}

/* Puts every open conversation assigned to user_id back in the queue, as
 * if its agent had released it (the customer is told). */
static int release_all(ujob_t *j, lk_store_t *st, const char *user_id, int64_t now, int64_t *released)
{
    lk_conv_t *v = NULL;
    size_t n = 0;
    int rc = lk_store_conv_list_assigned(st, user_id, 0, &v, &n);
    lk_bot_t *bot = rc == 0 && n ? lk_bot_acquire(j->app) : NULL;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        lk_msg_t *msgs = NULL;
        size_t n_msgs = 0;
        lk_policy_event_t ev = {.type = LK_EV_AGENT_LEAVES};
        rc = lk_turn_apply(j->app, st, &j->job, &v[i], &ev, bot, now, &msgs, &n_msgs);
        lk_msgs_free(msgs, n_msgs);
        if (rc == 0)
            rc = lk_store_audit(st, now, j->user.id, "conversation.release", v[i].id, user_id);
        if (rc == 0)
            (*released)++;
    }
    if (bot)
        lk_bot_release(bot);
    lk_convs_free(v, n);
    return rc;
}

static void run_update(ujob_t *j, lk_store_t *st, int64_t now)
{
    if (!lk_api_require_role(&j->job, &j->err, &j->user, "admin", NULL))
        return;
    lk_user_t u = {0};
    if (!load_target(j, st, &u))
        return;
    bool was_admin = u.role == LK_ROLE_ADMIN && !u.disabled;
    bool role_changes = j->role[0] && strcmp(j->role, lk_role_name(u.role)) != 0;
    bool name_changes = j->name && strcmp(j->name, u.display_name ? u.display_name : "") != 0;
    bool state_changes = j->disabled >= 0 && (j->disabled == 1) != u.disabled;
    bool disabling = state_changes && j->disabled == 1;
    if (j->role[0])
        lk_role_parse(j->role, &u.role);
    if (j->name) {
        free(u.display_name);
        u.display_name = lk_xstrdup(j->name);
    }
    if (j->disabled >= 0)
        u.disabled = j->disabled == 1;
    bool is_admin = u.role == LK_ROLE_ADMIN && !u.disabled;
    int64_t sessions = 0, released = 0;
    int rc = 0;
    if (was_admin && !is_admin) {
        bool found;
        rc = other_admin(st, u.id, &found);
        if (rc == 0 && !found) {
            fail(j, LK_ESTATE, 409, "conflict", "this would leave no active admin: make someone else admin first");
            goto out;
        }
    }
    if (rc == 0)
        rc = lk_store_user_update(st, &u);
    if (rc == 0 && disabling) {
        rc = lk_store_session_delete_user(st, u.id, NULL, &sessions);
        /* the customers are told whether someone is there: count without them */
        lk_queue_stats_invalidate();
        if (rc == 0)
            rc = release_all(j, st, u.id, now, &released);
    }
    if (rc == 0 && (role_changes || name_changes || state_changes)) {
        /* what changed, never the name itself */
        json_t *what = json_array();
        if (role_changes)
            json_array_append_new(what, json_string("role"));
        if (name_changes)
            json_array_append_new(what, json_string("display_name"));
        if (state_changes)
            json_array_append_new(what, json_string(u.disabled ? "disabled" : "enabled"));
        json_t *detail = json_pack("{s:s, s:o}", "user_id", u.id, "changed", what);
        char *text = lk_json_dump(detail, NULL);
        json_decref(detail);
        rc = lk_store_audit(st, now, j->user.id, "user.update", NULL, text);
        free(text);
    }
    if (rc) {
        lk_job_fail_db(&j->job, &j->err, rc);
        goto out;
    }
    /* their streams see by role: a new role or no account ends them (the
     * console connects again with the new view, or finds itself logged out) */
    if (disabling || role_changes)
        lk_hub_close_streams(&j->job, u.id, NULL);
    j->out = json_pack("{s:o, s:I, s:I}", "user", lk_json_user(&u, true), "sessions_ended", (json_int_t)sessions,
                       "conversations_released", (json_int_t)released);
out:
    lk_user_clear(&u);
}

static void run_hash(ujob_t *j)
{
    if (j->op == OP_OWN_HASH) {
        if (!j->user.password_hash ||
            crypto_pwhash_str_verify(j->user.password_hash, j->current, strlen(j->current)) != 0) {
            fail(j, LK_EAUTH, 400, "invalid_field", "the field \"current_password\" is not your password");
            return;
        }
    }
    if (crypto_pwhash_str(j->hash, j->password, strlen(j->password), LK_PWHASH_OPSLIMIT, LK_PWHASH_MEMLIMIT) != 0)
        fail(j, LK_ENOMEM, 500, "internal", "not enough memory to hash the password");
}

/* Stores j->hash as user_id's password: whoever knew the old one is logged
 * out, all sessions and their streams but `keep` (NULL: all) end, and the
 * change is audited (action, detail). false after lk_job_fail_db. */
static bool store_password(ujob_t *j, lk_store_t *st, int64_t now, const char *user_id, const char *keep,
                           const char *action, const char *detail, int64_t *sessions)
{
    int rc = lk_store_user_set_password(st, user_id, j->hash);
    if (rc == 0)
        rc = lk_store_session_delete_user(st, user_id, keep, sessions);
    if (rc == 0)
        rc = lk_store_audit(st, now, j->user.id, action, NULL, detail);
    if (rc) {
        lk_job_fail_db(&j->job, &j->err, rc);
        return false;
    }
    lk_hub_close_streams(&j->job, user_id, keep);
    return true;
}

static void run_reset_store(ujob_t *j, lk_store_t *st, int64_t now)
{
    if (!lk_api_require_role(&j->job, &j->err, &j->user, "admin", NULL))
        return;
    lk_user_t u = {0};
    if (!load_target(j, st, &u))
        return;
    /* an admin setting their own keeps the session they do it from */
    const char *keep = strcmp(u.id, j->user.id) == 0 ? j->session_hash : NULL;
    int64_t sessions = 0;
    if (store_password(j, st, now, u.id, keep, "user.password_reset", u.id, &sessions))
        j->out = json_pack("{s:s, s:I}", "user_id", u.id, "sessions_ended", (json_int_t)sessions);
    lk_user_clear(&u);
}

static void run_own_store(ujob_t *j, lk_store_t *st, int64_t now)
{
    int64_t sessions = 0;
    if (store_password(j, st, now, j->user.id, j->session_hash, "auth.password", NULL, &sessions))
        j->out = json_pack("{s:s, s:I}", "status", "ok", "sessions_ended", (json_int_t)sessions);
}

static void ujob_run(lk_job_t *job, lk_store_t *st)
{
    ujob_t *j = (ujob_t *)job;
    if (j->op == OP_RESET_HASH || j->op == OP_OWN_HASH) {
        run_hash(j);
        return;
    }
    int64_t now = lk_time_now_ms();
    lk_user_clear(&j->user);
    if (!lk_api_authenticate(job, &j->err, st, j->session_hash, now, &j->user))
        return;
    switch (j->op) {
    case OP_UPDATE:
        run_update(j, st, now);
        break;
    case OP_RESET_CHECK:
        if (lk_api_require_role(&j->job, &j->err, &j->user, "admin", NULL)) {
            lk_user_t u = {0};
            if (load_target(j, st, &u) && lk_password_refused("password", j->password, u.email, u.display_name, &j->err))
                j->job.rc = LK_EINVAL;
            lk_user_clear(&u);
        }
        break;
    case OP_RESET_STORE:
        run_reset_store(j, st, now);
        break;
    case OP_OWN_READ: /* the session, and with it the user and their hash */
        if (lk_password_refused("new_password", j->password, j->user.email, j->user.display_name, &j->err))
            j->job.rc = LK_EINVAL;
        break;
    case OP_OWN_STORE:
        run_own_store(j, st, now);
        break;
    case OP_OWN_LANGUAGE:
    {
        int rc = lk_store_user_language_set(st, j->user.id, j->language);
        if (rc == 0)
            rc = lk_store_audit(st, now, j->user.id, "auth.language", NULL, j->language[0] ? j->language : "default");
        if (rc) {
            lk_job_fail_db(&j->job, &j->err, rc);
            break;
        }
        j->out = json_pack("{s:o}", "language", j->language[0] ? json_string(j->language) : json_null());
        break;
    }
    default:
        break;
    }
}

static void ujob_done(lk_job_t *job)
{
    ujob_t *j = (ujob_t *)job;
    if (j->job.rc) {
        if (j->op == OP_OWN_HASH && j->job.rc == LK_EAUTH) /* a wrong current password is a failed login */
            lk_security_event(j->app, j->req, LK_SEC_LOGIN_FAILED, j->user.id, j->user.email,
                              "wrong current password at a password change");
        lk_respond_job_error(j->req, &j->err);
        ujob_free(j);
        return;
    }
    switch (j->op) {
    case OP_OWN_READ:
        /* every attempt counts against the account, like a login with its
         * address (a success is taken back below) */
        {
            char addr[LK_ADDR_MAX];
            lk_api_client_addr(j->app, j->req, addr);
            lk_api_login_key(j->user.email, addr, j->limit_key);
        }
        if (!lk_security_hit_login(j->app, j->req, LK_LIMIT_LOGIN_ACCOUNT_ADDRESS, j->limit_key, j->user.email,
                                   "failed logins for this account")) {
            ujob_free(j);
            return;
        }
        /* fall through */
    case OP_RESET_CHECK:
        j->op = j->op == OP_RESET_CHECK ? OP_RESET_HASH : OP_OWN_HASH;
        lk_pool_submit(j->app->cpu, &j->job);
        return;
    case OP_RESET_HASH:
    case OP_OWN_HASH:
        j->op = j->op == OP_RESET_HASH ? OP_RESET_STORE : OP_OWN_STORE;
        lk_pool_submit(j->app->writer, &j->job);
        return;
    default:
        break;
    }
    if (j->op == OP_OWN_STORE) /* the right password does not count against the limit */
        lk_ratelimit_forgive(lk_security_limit(j->app, LK_LIMIT_LOGIN_ACCOUNT_ADDRESS), j->limit_key);
    lk_queue_stats_invalidate(); /* sessions may have ended */
    lk_respond_json(j->req, 200, j->out);
    j->out = NULL;
    ujob_free(j);
}

static ujob_t *ujob_new(lk_http_req_t *req, struct lk_app *app, op_t op)
{
    if (!lk_api_check_origin(req))
        return NULL;
    ujob_t *j = lk_xcalloc(1, sizeof *j);
    j->app = app;
    j->req = req;
    j->op = op;
    j->disabled = -1;
    lk_job_init(&j->job, req, ujob_run, ujob_done);
    lk_api_session_hash(req, j->session_hash);
    lk_api_req_id(req, j->target);
    return j;
}

/* PATCH /api/v1/admin/users/:id {"role"?, "display_name"?, "disabled"?} */
static void h_update(lk_http_req_t *req, void *ud)
{
    struct lk_app *app = ud;
    ujob_t *j = ujob_new(req, app, OP_UPDATE);
    if (!j)
        return;
    json_t *body = lk_parse_body(req);
    const char *role = NULL, *name = NULL;
    if (!body || !lk_body_string(req, body, "role", 15, false, &role) ||
        !lk_body_string(req, body, "display_name", MAX_NAME, false, &name))
        goto out;
    json_t *dis = json_object_get(body, "disabled");
    if (role && lk_role_parse(role, NULL) != 0) {
        lk_respond_error(req, 400, "invalid_field", "the field \"role\" must be agent, supervisor or admin");
        goto out;
    }
    if (dis && !json_is_boolean(dis)) {
        lk_respond_error(req, 400, "invalid_field", "the field \"disabled\" must be true or false");
        goto out;
    }
    if (!role && !name && !dis) {
        lk_respond_error(req, 400, "invalid_body",
                         "nothing to change: give \"role\", \"display_name\" or \"disabled\"");
        goto out;
    }
    if (role)
        snprintf(j->role, sizeof j->role, "%s", role);
    if (name)
        j->name = lk_xstrdup(name);
    if (dis)
        j->disabled = json_is_true(dis) ? 1 : 0;
    json_decref(body);
    lk_pool_submit(app->writer, &j->job);
    return;
out:
    json_decref(body);
    ujob_free(j);
}

/* POST /api/v1/admin/users/:id/password {"password"} */
static void h_reset(lk_http_req_t *req, void *ud)
{
    struct lk_app *app = ud;
    ujob_t *j = ujob_new(req, app, OP_RESET_CHECK);
    if (!j)
        return;
    json_t *body = lk_parse_body(req);
    const char *pw = NULL;
    if (body && lk_body_password(req, body, "password", NULL, NULL, &pw)) {
        j->password = lk_xstrdup(pw);
        json_decref(body);
        lk_pool_submit(app->readers, &j->job);
        return;
    }
    json_decref(body);
    ujob_free(j);
}

/* POST /api/v1/auth/password {"current_password", "new_password"}: every
 * attempt counts against the account's login limit (once the session is
 * known), so that a stolen session cannot guess its way to the password. */
static void h_own(lk_http_req_t *req, void *ud)
{
    struct lk_app *app = ud;
    ujob_t *j = ujob_new(req, app, OP_OWN_READ);
    if (!j)
        return;
    json_t *body = lk_parse_body(req);
    const char *cur = NULL, *pw = NULL;
    if (!body || !lk_body_string(req, body, "current_password", LK_PASSWORD_MAX, true, &cur) ||
        !lk_body_password(req, body, "new_password", NULL, NULL, &pw))
        goto out;
    if (!j->session_hash[0]) {
        lk_respond_error(req, 401, "unauthorized", "log in first: no valid session");
        goto out;
    }
    j->current = lk_xstrdup(cur);
    j->password = lk_xstrdup(pw);
    json_decref(body);
    lk_pool_submit(app->readers, &j->job);
    return;
out:
    json_decref(body);
    ujob_free(j);
}

/* PATCH /api/v1/auth/me {"language": "nl" | "en" | null}: the user's own
 * console language; null goes back to the deployment's default. */
static void h_me_update(lk_http_req_t *req, void *ud)
{
    struct lk_app *app = ud;
    ujob_t *j = ujob_new(req, app, OP_OWN_LANGUAGE);
    if (!j)
        return;
    json_t *body = lk_parse_body(req);
    if (!body)
        goto out;
    json_t *lang = json_object_get(body, "language");
    if (!lang) {
        lk_respond_error(req, 400, "invalid_body", "nothing to change: give \"language\"");
        goto out;
    }
    if (!json_is_null(lang) && !(json_is_string(lang) && (strcmp(json_string_value(lang), "nl") == 0 ||
                                                          strcmp(json_string_value(lang), "en") == 0))) {
        lk_respond_error(req, 400, "invalid_field", "the field \"language\" must be \"nl\", \"en\" or null");
        goto out;
    }
    if (json_is_string(lang))
        snprintf(j->language, sizeof j->language, "%s", json_string_value(lang));
    json_decref(body);
    lk_pool_submit(app->writer, &j->job);
    return;
out:
    json_decref(body);
    ujob_free(j);
}

static const lk_http_route_t routes[] = {
    {"PATCH", "/api/v1/auth/me", h_me_update},
    {"PATCH", "/api/v1/admin/users/:id", h_update},
    {"POST", "/api/v1/admin/users/:id/password", h_reset},
    {"POST", "/api/v1/auth/password", h_own},
};

void lk_api_users_routes(const lk_http_route_t **r, size_t *n)
{
    *r = routes;
    *n = sizeof routes / sizeof routes[0];
}
