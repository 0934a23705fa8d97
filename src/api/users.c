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
#include "api/route.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NAME 200

/* The body fields of each route, in the order of the tables' fields below. */
enum { F_ROLE, F_NAME, F_DISABLED };
enum { F_PASSWORD };
enum { F_CURRENT, F_NEW };
enum { F_LANGUAGE };

/* A password change's own state (job->data). */
typedef struct {
    char hash[crypto_pwhash_STRBYTES];
    char limit_key[LK_LOGIN_KEY_MAX]; /* the account's login limit from this address */
} pw_t;

/* Loads the user the request names into *u; false after a 404 or 500. */
static bool load_target(lk_api_job_t *j, lk_store_t *st, lk_user_t *u)
{
    int rc = lk_store_user_get(st, j->id, u);
    return lk_api_found(j, rc, 404, "not_found", "no user with this id");
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
static int release_all(lk_api_job_t *j, lk_store_t *st, const char *user_id, int64_t now, int64_t *released)
{
    lk_conv_t *v = NULL;
    size_t n = 0;
    int rc = lk_store_conv_list_assigned(st, user_id, 0, &v, &n);
    lk_bot_t *bot = rc == 0 && n ? lk_bot_acquire(j->app) : NULL;
    const lk_conv_event_t ev = {.type = LK_CONV_AGENT_LEAVES};
    for (size_t i = 0; rc == 0 && i < n; i++) {
        lk_conv_result_t r = {0};
        rc = lk_turn_run(j->app, st, &j->job, &v[i], &ev, bot, now, &r, NULL);
        lk_conv_result_free(&r);
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

static void run_update(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    lk_user_t u = {0};
    if (!load_target(j, st, &u))
        return;
    const lk_api_value_t *role = &j->body[F_ROLE], *name = &j->body[F_NAME], *dis = &j->body[F_DISABLED];
    bool was_admin = u.role == LK_ROLE_ADMIN && !u.disabled;
    bool role_changes = role->given && strcmp(role->s, lk_role_name(u.role)) != 0;
    bool name_changes = name->given && strcmp(name->s, u.display_name ? u.display_name : "") != 0;
    bool state_changes = dis->given && dis->b != u.disabled;
    bool disabling = state_changes && dis->b;
    if (role->given)
        lk_role_parse(role->s, &u.role);
    if (name->given) {
        free(u.display_name);
        u.display_name = lk_xstrdup(name->s);
    }
    if (dis->given)
        u.disabled = dis->b;
    bool is_admin = u.role == LK_ROLE_ADMIN && !u.disabled;
    int64_t sessions = 0, released = 0;
    int rc = 0;
    if (was_admin && !is_admin) {
        bool found;
        rc = other_admin(st, u.id, &found);
        if (rc == 0 && !found) {
            lk_api_fail(j, LK_ESTATE, 409, "conflict", "this would leave no active admin: make someone else admin first");
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
        lk_api_fail_db(j, rc);
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


/* The CPU step of a password change: the current password verified (a
 * change of one's own), the new one hashed. */
static void run_hash(lk_api_job_t *j, const char *current, const char *password)
{
    pw_t *pw = j->data;
    if (current &&
        (!j->user.password_hash || crypto_pwhash_str_verify(j->user.password_hash, current, strlen(current)) != 0)) {
        lk_api_fail(j, LK_EAUTH, 400, "invalid_field", "the field \"current_password\" is not your password");
        return;
    }
    if (crypto_pwhash_str(pw->hash, password, strlen(password), LK_PWHASH_OPSLIMIT, LK_PWHASH_MEMLIMIT) != 0)
        lk_api_fail(j, LK_ENOMEM, 500, "internal", "not enough memory to hash the password");
}

/* Stores the hashed password as user_id's: whoever knew the old one is
 * logged out, all sessions and their streams but `keep` (NULL: all) end,
 * and the change is audited (action, detail). false after lk_api_fail_db. */
static bool store_password(lk_api_job_t *j, lk_store_t *st, int64_t now, const char *user_id, const char *keep,
                           const char *action, const char *detail, int64_t *sessions)
{
    pw_t *pw = j->data;
    int rc = lk_store_user_set_password(st, user_id, pw->hash);
    if (rc == 0)
        rc = lk_store_session_delete_user(st, user_id, keep, sessions);
    if (rc == 0)
        rc = lk_store_audit(st, now, j->user.id, action, NULL, detail);
    if (rc) {
        lk_api_fail_db(j, rc);
        return false;
    }
    lk_hub_close_streams(&j->job, user_id, keep);
    return true;
}

/* ---- an admin sets someone's password: reader, cpu, writer ------------ */

static void reset_check(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    lk_user_t u = {0};
    if (load_target(j, st, &u) &&
        lk_password_refused("password", j->body[F_PASSWORD].s, u.email, u.display_name, &j->err))
        j->job.rc = LK_EINVAL;
    lk_user_clear(&u);
}

static void reset_hash(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    run_hash(j, NULL, j->body[F_PASSWORD].s);
}

static void reset_store(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
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

/* ---- one's own password: reader, cpu, writer -------------------------- */

static void own_check(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    /* the session, and with it the user and their hash */
    if (lk_password_refused("new_password", j->body[F_NEW].s, j->user.email, j->user.display_name, &j->err))
        j->job.rc = LK_EINVAL;
}

static void own_hash(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    run_hash(j, j->body[F_CURRENT].s, j->body[F_NEW].s);
}

static void own_store(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    int64_t sessions = 0;
    if (store_password(j, st, now, j->user.id, j->session_hash, "auth.password", NULL, &sessions))
        j->out = json_pack("{s:s, s:I}", "status", "ok", "sessions_ended", (json_int_t)sessions);
}

/* Before the hash: every attempt counts against the account, like a login
 * with its address (a success is taken back in own_after). */
static bool own_before(lk_api_job_t *j, size_t step)
{
    if (step != 1)
        return true;
    pw_t *pw = j->data;
    char addr[LK_ADDR_MAX];
    lk_api_client_addr(j->app, j->req, addr);
    lk_api_login_key(j->user.email, addr, pw->limit_key);
    return lk_security_hit_login(j->app, j->req, LK_LIMIT_LOGIN_ACCOUNT_ADDRESS, pw->limit_key, j->user.email,
                                 "failed logins for this account");
}

static void own_after(lk_api_job_t *j)
{
    pw_t *pw = j->data;
    if (j->job.rc == LK_EAUTH && j->step == 1) /* a wrong current password is a failed login */
        lk_security_event(j->app, j->req, LK_SEC_LOGIN_FAILED, j->user.id, j->user.email,
                          "wrong current password at a password change");
    if (j->job.rc == 0) /* the right password does not count against the limit */
        lk_ratelimit_forgive(lk_security_limit(j->app, LK_LIMIT_LOGIN_ACCOUNT_ADDRESS), pw->limit_key);
}

/* After a change of users or passwords: sessions may have ended. */
static bool invalidate_after(lk_api_job_t *j)
{
    if (j->job.rc == 0)
        lk_queue_stats_invalidate();
    return true;
}

static bool own_password_after(lk_api_job_t *j)
{
    own_after(j);
    return invalidate_after(j);
}

/* ---- one's own console language --------------------------------------- */

static void run_language(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    const lk_api_value_t *lang = &j->body[F_LANGUAGE];
    const char *language = lang->is_null ? "" : lang->s;
    int rc = lk_store_user_language_set(st, j->user.id, language);
    if (rc == 0)
        rc = lk_store_audit(st, now, j->user.id, "auth.language", NULL, language[0] ? language : "default");
    if (rc) {
        lk_api_fail_db(j, rc);
        return;
    }
    j->out = json_pack("{s:o}", "language", language[0] ? json_string(language) : json_null());
}

/* ---- the table -------------------------------------------------------- */

static const char *const roles[] = {"agent", "supervisor", "admin", NULL};
static const char *const languages[] = {"nl", "en", NULL};

static const lk_api_field_t update_fields[] = {
    [F_ROLE] = {.name = "role", .type = LK_FIELD_ENUM, .max_len = 15, .values = roles},
    [F_NAME] = {.name = "display_name", .type = LK_FIELD_STRING, .max_len = MAX_NAME},
    [F_DISABLED] = {.name = "disabled", .type = LK_FIELD_BOOL},
};
static const lk_api_field_t reset_fields[] = {
    [F_PASSWORD] = {.name = "password", .type = LK_FIELD_PASSWORD, .required = true},
};
static const lk_api_field_t own_fields[] = {
    [F_CURRENT] = {.name = "current_password", .type = LK_FIELD_STRING, .required = true, .max_len = LK_PASSWORD_MAX},
    [F_NEW] = {.name = "new_password", .type = LK_FIELD_PASSWORD, .required = true},
};
static const lk_api_field_t language_fields[] = {
    [F_LANGUAGE] = {.name = "language", .type = LK_FIELD_ENUM, .values = languages, .nullable = true,
                    .invalid = "the field \"language\" must be \"nl\", \"en\" or null"},
};

#define FIELDS(a) .fields = a, .n_fields = sizeof a / sizeof a[0]

static const lk_api_route_t routes[] = {
    /* the user's own console language; null goes back to the deployment's default */
    {"PATCH", "/api/v1/auth/me", LK_ACCESS_AGENT, FIELDS(language_fields),
     .need_one = "nothing to change: give \"language\"", .steps = {{.pool = LK_ON_WRITER, .run = run_language}},
     .after = invalidate_after},
    {"PATCH", "/api/v1/admin/users/:id", LK_ACCESS_ADMIN, FIELDS(update_fields),
     .need_one = "nothing to change: give \"role\", \"display_name\" or \"disabled\"",
     .steps = {{.pool = LK_ON_WRITER, .run = run_update}}, .after = invalidate_after},
    /* hashed only after a reader checked the session, the role and the
     * password against the user's name; the writer checks again and stores */
    {"POST", "/api/v1/admin/users/:id/password", LK_ACCESS_ADMIN, FIELDS(reset_fields),
     .steps = {{.pool = LK_ON_READER, .run = reset_check}, {.pool = LK_ON_CPU, .run = reset_hash}, {.pool = LK_ON_WRITER, .run = reset_store}},
     .after = invalidate_after, .data_size = sizeof(pw_t)},
    /* every attempt counts against the account's login limit (once the
     * session is known), so that a stolen session cannot guess its way to
     * the password */
    {"POST", "/api/v1/auth/password", LK_ACCESS_AGENT, FIELDS(own_fields),
     .steps = {{.pool = LK_ON_READER, .run = own_check}, {.pool = LK_ON_CPU, .run = own_hash}, {.pool = LK_ON_WRITER, .run = own_store}},
     .before = own_before, .after = own_password_after, .data_size = sizeof(pw_t)},
};

void lk_api_users_table(const lk_api_route_t **r, size_t *n)
{
    *r = routes;
    *n = sizeof routes / sizeof routes[0];
}
