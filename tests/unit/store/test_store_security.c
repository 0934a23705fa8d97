/*
 * Unit tests for the security part: the sliding-window rate limit
 * (src/api/ratelimit.c: exact window, retry time, forgive and reset, the
 * bound on remembered keys, limit 0) and its store functions
 * (src/store/sqlite/security.c on SQLite: idle sessions, touching, logging a
 * user out everywhere (or everywhere else), changing a user's role, name,
 * state and password, the TOTP columns with their once-only step, and open
 * conversations per client hash, the addresses users logged in from, the
 * security events newest first by kind, and their purge). Each store test works in a fresh temporary
 * directory that it removes afterwards.
 */
#include "api/api_int.h"
#include "store/store.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- rate limits --------------------------------------------------------- */

Test(ratelimit, allows_limit_events_per_window_then_says_when)
{
    lk_ratelimit_t *rl = lk_ratelimit_new(3, 1000, 100);
    int64_t retry = -1;
    cr_assert(lk_ratelimit_hit(rl, "a", 10000, &retry));
    cr_assert_eq(retry, 0);
    cr_assert(lk_ratelimit_hit(rl, "a", 10100, NULL));
    cr_assert(lk_ratelimit_hit(rl, "a", 10200, NULL));
    cr_assert_not(lk_ratelimit_hit(rl, "a", 10300, &retry));
    cr_assert_eq(retry, 700, "the oldest event leaves the window at 11000: %lld", (long long)retry);
    cr_assert(lk_ratelimit_hit(rl, "b", 10300, NULL), "keys are apart");
    /* a refused event is not counted: at 11000 the first one has left */
    cr_assert(lk_ratelimit_hit(rl, "a", 11000, NULL));
    cr_assert_not(lk_ratelimit_hit(rl, "a", 11050, &retry));
    cr_assert_eq(retry, 50);
    /* sliding, not fixed windows: three events near the end of one second
     * still block the start of the next */
    cr_assert(lk_ratelimit_hit(rl, "c", 19900, NULL));
    cr_assert(lk_ratelimit_hit(rl, "c", 19950, NULL));
    cr_assert(lk_ratelimit_hit(rl, "c", 19990, NULL));
    cr_assert_not(lk_ratelimit_hit(rl, "c", 20010, NULL));
    lk_ratelimit_free(rl);
}

Test(ratelimit, forgive_and_reset)
{
    lk_ratelimit_t *rl = lk_ratelimit_new(2, 60000, 100);
    cr_assert(lk_ratelimit_hit(rl, "k", 1, NULL));
    cr_assert(lk_ratelimit_hit(rl, "k", 2, NULL));
    cr_assert_not(lk_ratelimit_hit(rl, "k", 3, NULL));
    lk_ratelimit_forgive(rl, "k");
    cr_assert(lk_ratelimit_hit(rl, "k", 4, NULL), "one taken back: room for one");
    cr_assert_not(lk_ratelimit_hit(rl, "k", 5, NULL));
    lk_ratelimit_reset(rl, "k");
    cr_assert_eq(lk_ratelimit_keys(rl), 0);
    cr_assert(lk_ratelimit_hit(rl, "k", 6, NULL));
    cr_assert(lk_ratelimit_hit(rl, "k", 7, NULL));
    lk_ratelimit_forgive(rl, "nobody"); /* unknown keys are fine */
    lk_ratelimit_reset(rl, "nobody");
    lk_ratelimit_free(rl);
}

Test(ratelimit, remembers_at_most_max_keys_and_drops_expired_ones)
{
    lk_ratelimit_t *rl = lk_ratelimit_new(1, 1000, 50);
    char key[32];
    for (int i = 0; i < 500; i++) {
        snprintf(key, sizeof key, "addr-%d", i);
        cr_assert(lk_ratelimit_hit(rl, key, 5000, NULL));
    }
    cr_assert_eq(lk_ratelimit_keys(rl), 50, "bounded: %zu", lk_ratelimit_keys(rl));
    cr_assert_not(lk_ratelimit_hit(rl, "addr-499", 5001, NULL), "the most recent keys are kept");
    /* later, keys whose events expired go as new ones come */
    for (int i = 0; i < 20; i++) {
        snprintf(key, sizeof key, "late-%d", i);
        cr_assert(lk_ratelimit_hit(rl, key, 9000, NULL));
    }
    cr_assert_leq(lk_ratelimit_keys(rl), 50);
    cr_assert(lk_ratelimit_hit(rl, "addr-499", 9000, NULL), "expired: allowed again");
    lk_ratelimit_free(rl);
}

Test(ratelimit, limit_zero_never_limits)
{
    lk_ratelimit_t *rl = lk_ratelimit_new(0, 1000, 10);
    for (int i = 0; i < 1000; i++)
        cr_assert(lk_ratelimit_hit(rl, "x", i, NULL));
    cr_assert_eq(lk_ratelimit_keys(rl), 0);
    lk_ratelimit_free(rl);
    cr_assert(lk_ratelimit_hit(NULL, "x", 0, NULL), "no limit at all");
}

Test(ratelimit, a_clock_that_steps_back_keeps_counting)
{
    lk_ratelimit_t *rl = lk_ratelimit_new(2, 1000, 10);
    cr_assert(lk_ratelimit_hit(rl, "x", 5000, NULL));
    cr_assert(lk_ratelimit_hit(rl, "x", 4000, NULL));
    int64_t retry = 0;
    cr_assert_not(lk_ratelimit_hit(rl, "x", 4100, &retry));
    cr_assert_gt(retry, 0);
    lk_ratelimit_free(rl);
}

/* ---- store --------------------------------------------------------------- */

#include "store_fixture.h"

static void add_user(const char *id, const char *email)
{
    lk_user_t u = {0};
    snprintf(u.id, sizeof u.id, "%s", id);
    snprintf(u.email, sizeof u.email, "%s", email);
    u.role = LK_ROLE_AGENT;
    u.created_at = 1;
    cr_assert_eq(lk_store_user_insert(st, &u), 0);
}

static void add_session(const char *hash, const char *user, int64_t created, int64_t expires)
{
    lk_session_t s = {0};
    snprintf(s.id_hash, sizeof s.id_hash, "%s", hash);
    snprintf(s.user_id, sizeof s.user_id, "%s", user);
    s.created_at = created;
    s.expires_at = expires;
    cr_assert_eq(lk_store_session_insert(st, &s), 0);
}

Test(store_security, idle_and_absolute_expiry, .init = store_fixture_setup, .fini = store_fixture_teardown)
{
    add_user("u_1", "a@example.com");
    add_session("h1", "u_1", 1000, 100000);
    lk_session_t s;
    int64_t seen = 0;
    cr_assert_eq(lk_store_session_get_active(st, "h1", 2000, 500, &s, &seen), 0);
    cr_assert_eq(seen, 1000, "never touched: its creation counts");
    cr_assert_str_eq(s.user_id, "u_1");
    cr_assert_eq(lk_store_session_get_active(st, "h1", 2000, 1000, &s, &seen), LK_ENOENT, "idle since 1000");
    cr_assert_eq(lk_store_session_touch(st, "h1", 5000), 0);
    cr_assert_eq(lk_store_session_touch(st, "h1", 4000), 0, "an older time is no error");
    cr_assert_eq(lk_store_session_get_active(st, "h1", 6000, 1000, &s, &seen), 0);
    cr_assert_eq(seen, 5000, "the last use does not move back");
    cr_assert_eq(lk_store_session_get_active(st, "h1", 100000, 1000, &s, &seen), LK_ENOENT, "absolute expiry");
    cr_assert_eq(lk_store_session_get_active(st, "nope", 6000, 0, &s, &seen), LK_ENOENT);
    int64_t n = -1;
    add_session("h2", "u_1", 1000, 100000);
    cr_assert_eq(lk_store_session_purge_idle(st, 4999, &n), 0);
    cr_assert_eq(n, 1, "h2 was never used after 1000; h1 at 5000");
    cr_assert_eq(lk_store_session_get_active(st, "h1", 6000, 0, &s, &seen), 0);
}

Test(store_security, logout_everywhere, .init = store_fixture_setup, .fini = store_fixture_teardown)
{
    add_user("u_1", "a@example.com");
    add_user("u_2", "b@example.com");
    add_session("a1", "u_1", 1, 1000);
    add_session("a2", "u_1", 1, 1000);
    add_session("b1", "u_2", 1, 1000);
    int64_t n = 0;
    cr_assert_eq(lk_store_session_delete_user(st, "u_1", NULL, &n), 0);
    cr_assert_eq(n, 2);
    lk_session_t s;
    int64_t seen;
    cr_assert_eq(lk_store_session_get_active(st, "a1", 2, 0, &s, &seen), LK_ENOENT);
    cr_assert_eq(lk_store_session_get_active(st, "b1", 2, 0, &s, &seen), 0);
    cr_assert_eq(lk_store_session_delete_user(st, "u_1", NULL, &n), 0);
    cr_assert_eq(n, 0);
}

Test(store_security, logout_everywhere_but_this_session, .init = store_fixture_setup,
     .fini = store_fixture_teardown)
{
    add_user("u_1", "a@example.com");
    add_session("a1", "u_1", 1, 1000);
    add_session("a2", "u_1", 1, 1000);
    add_session("a3", "u_1", 1, 1000);
    int64_t n = 0;
    cr_assert_eq(lk_store_session_delete_user(st, "u_1", "a2", &n), 0);
    cr_assert_eq(n, 2);
    lk_session_t s;
    int64_t seen;
    cr_assert_eq(lk_store_session_get_active(st, "a2", 2, 0, &s, &seen), 0);
    cr_assert_eq(lk_store_session_get_active(st, "a1", 2, 0, &s, &seen), LK_ENOENT);
    cr_assert_eq(lk_store_session_get_active(st, "a3", 2, 0, &s, &seen), LK_ENOENT);
}

Test(store_security, user_update_and_password, .init = store_fixture_setup, .fini = store_fixture_teardown)
{
    add_user("u_1", "a@example.com");
    add_user("u_2", "b@example.com");
    lk_user_t u = {0};
    snprintf(u.id, sizeof u.id, "u_1");
    u.role = LK_ROLE_SUPERVISOR;
    u.display_name = "Anna de Vries";
    u.disabled = true;
    cr_assert_eq(lk_store_user_update(st, &u), 0);
    cr_assert_eq(lk_store_user_set_password(st, "u_1", "$argon2id$v=19$m=65536,t=2,p=1$new"), 0);
    lk_user_t got;
    cr_assert_eq(lk_store_user_get(st, "u_1", &got), 0);
    cr_assert_str_eq(lk_role_name(got.role), "supervisor");
    cr_assert_str_eq(got.display_name, "Anna de Vries");
    cr_assert(got.disabled);
    cr_assert_str_eq(got.email, "a@example.com", "the address stays");
    cr_assert_str_eq(got.password_hash, "$argon2id$v=19$m=65536,t=2,p=1$new");
    lk_user_clear(&got);
    cr_assert_eq(lk_store_user_get(st, "u_2", &got), 0);
    cr_assert_str_eq(lk_role_name(got.role), "agent", "the other user is untouched");
    cr_assert_not(got.disabled);
    lk_user_clear(&got);
    snprintf(u.id, sizeof u.id, "u_9");
    cr_assert_eq(lk_store_user_update(st, &u), LK_ENOENT);
    cr_assert_eq(lk_store_user_set_password(st, "u_9", "$argon2id$x"), LK_ENOENT);
}

Test(store_security, totp_columns_and_once_only_steps, .init = store_fixture_setup, .fini = store_fixture_teardown)
{
    add_user("u_1", "a@example.com");
    lk_totp_t t;
    cr_assert_eq(lk_store_user_totp_get(st, "u_1", &t), 0);
    cr_assert_null(t.secret);
    cr_assert_not(t.enabled);
    cr_assert_eq(t.last_step, 0);
    cr_assert_eq(lk_store_user_totp_get(st, "u_x", &t), LK_ENOENT);
    cr_assert_eq(lk_store_user_totp_set(st, "u_1", "v1:abcd", false), 0);
    cr_assert_eq(lk_store_user_totp_set(st, "u_1", NULL, true), LK_EINVAL, "on without a secret");
    cr_assert_eq(lk_store_user_totp_set(st, "u_x", "v1:abcd", false), LK_ENOENT);
    cr_assert_eq(lk_store_user_totp_set(st, "u_1", "v1:abcd", true), 0);
    cr_assert_eq(lk_store_user_totp_use(st, "u_1", 100), 0);
    cr_assert_eq(lk_store_user_totp_use(st, "u_1", 100), LK_EEXIST, "a step works once");
    cr_assert_eq(lk_store_user_totp_use(st, "u_1", 99), LK_EEXIST, "and no older one after it");
    cr_assert_eq(lk_store_user_totp_use(st, "u_1", 101), 0);
    cr_assert_eq(lk_store_user_totp_use(st, "u_x", 200), LK_ENOENT);
    cr_assert_eq(lk_store_user_totp_get(st, "u_1", &t), 0);
    cr_assert_str_eq(t.secret, "v1:abcd");
    cr_assert(t.enabled);
    cr_assert_eq(t.last_step, 101);
    lk_totp_clear(&t);
    cr_assert_eq(lk_store_user_totp_set(st, "u_1", NULL, false), 0);
    cr_assert_eq(lk_store_user_totp_get(st, "u_1", &t), 0);
    cr_assert_null(t.secret);
    cr_assert_eq(t.last_step, 0, "a new secret starts afresh");
    lk_totp_clear(&t);
}

static void add_conv(const char *id, const char *status, const char *client, int64_t updated)
{
    lk_conv_t c = {0};
    snprintf(c.id, sizeof c.id, "%s", id);
    snprintf(c.token_hash, sizeof c.token_hash, "%064d", 0);
    lk_conv_status_parse(status, &c.status);
    snprintf(c.language, sizeof c.language, "nl");
    snprintf(c.client_hash, sizeof c.client_hash, "%s", client);
    c.created_at = 1;
    c.updated_at = updated;
    c.next_seq = 1;
    cr_assert_eq(lk_store_conv_insert(st, &c), 0);
}

Test(store_security, open_conversations_per_client, .init = store_fixture_setup, .fini = store_fixture_teardown)
{
    add_conv("c_1", "bot", "aa", 1000);
    add_conv("c_2", "queued", "aa", 2000);
    add_conv("c_3", "closed", "aa", 3000);
    add_conv("c_4", "bot", "aa", 10); /* quiet too long: no longer counts */
    add_conv("c_5", "assigned", "bb", 5000);
    int64_t n = -1, oldest = -1;
    cr_assert_eq(lk_store_conv_count_open_by_client(st, "aa", 100, &n, &oldest), 0);
    cr_assert_eq(n, 2);
    cr_assert_eq(oldest, 1000);
    cr_assert_eq(lk_store_conv_count_open_by_client(st, "cc", 100, &n, &oldest), 0);
    cr_assert_eq(n, 0);
    cr_assert_eq(oldest, 0);
    cr_assert_eq(lk_store_conv_count_open_by_client(st, "", 100, &n, &oldest), LK_EINVAL);
}

/* ---- known login addresses, security events (issue 16) ------------------ */

/* Whether user logged in from addr_hash since the time given, asserting
 * that the store answers. */
static bool known_since(const char *user, const char *addr_hash, int64_t since)
{
    bool known = true;
    cr_assert_eq(lk_store_login_address_known(st, user, addr_hash, since, &known), 0);
    return known;
}

Test(store_security, known_login_addresses, .init = store_fixture_setup, .fini = store_fixture_teardown)
{
    add_user("u_1", "a@example.com");
    add_user("u_2", "b@example.com");
    cr_assert_not(known_since("u_1", "h1", 0), "never logged in from it");
    cr_assert_eq(lk_store_login_address_note(st, "u_1", "h1", 1000, 0), 0);
    cr_assert_eq(lk_store_login_address_note(st, "u_1", "h2", 2000, 0), 0);
    cr_assert(known_since("u_1", "h1", 0));
    cr_assert_not(known_since("u_2", "h1", 0), "per user");
    cr_assert_not(known_since("u_1", "h1", 1500), "not since 1500");
    /* a later login moves it forward, never back; old ones are forgotten */
    cr_assert_eq(lk_store_login_address_note(st, "u_1", "h1", 5000, 0), 0);
    cr_assert_eq(lk_store_login_address_note(st, "u_1", "h1", 4000, 0), 0);
    cr_assert(known_since("u_1", "h1", 4500));
    cr_assert_eq(lk_store_login_address_note(st, "u_1", "h3", 9000, 3000), 0);
    cr_assert_not(known_since("u_1", "h2", 0), "h2 (2000) was older than 3000: forgotten");
    cr_assert(known_since("u_1", "h1", 0));
    cr_assert_eq(lk_store_login_address_note(st, "u_1", "", 1, 0), LK_EINVAL);
}

static void add_event(int64_t at, const char *kind, const char *account)
{
    lk_secevent_t e = {.at = at};
    lk_sec_kind_parse(kind, &e.kind);
    snprintf(e.address, sizeof e.address, "203.0.113.7");
    snprintf(e.route, sizeof e.route, "POST /api/v1/auth/login");
    e.account = (char *)account;
    e.reason = (char *)"wrong password";
    cr_assert_eq(lk_store_secevent_add(st, &e), 0);
    cr_assert_gt(e.id, 0);
}

Test(store_security, security_events_newest_first_by_kind_and_purged, .init = store_fixture_setup,
     .fini = store_fixture_teardown)
{
    add_event(1000, "login_failed", "a@example.com");
    add_event(2000, "lockout", "a@example.com");
    add_event(3000, "login_failed", NULL);
    add_event(4000, "forbidden", "b@example.com");
    lk_secevent_t *v;
    size_t n;
    cr_assert_eq(lk_store_secevent_list(st, LK_SEC_NONE, 0, 10, &v, &n), 0);
    cr_assert_eq(n, 4);
    cr_assert_str_eq(lk_sec_kind_name(v[0].kind), "forbidden", "newest first");
    cr_assert_str_eq(lk_sec_kind_name(v[3].kind), "login_failed");
    cr_assert_str_eq(v[3].account, "a@example.com");
    cr_assert_str_eq(v[3].address, "203.0.113.7");
    cr_assert_str_eq(v[3].route, "POST /api/v1/auth/login");
    cr_assert_str_eq(v[3].reason, "wrong password");
    cr_assert_eq(v[3].at, 1000);
    int64_t second = v[1].id;
    lk_secevents_free(v, n);
    cr_assert_eq(lk_store_secevent_list(st, LK_SEC_LOGIN_FAILED, 0, 10, &v, &n), 0);
    cr_assert_eq(n, 2, "by kind");
    cr_assert_null(v[0].account, "no account");
    cr_assert_eq(v[0].at, 3000);
    lk_secevents_free(v, n);
    cr_assert_eq(lk_store_secevent_list(st, LK_SEC_NONE, second, 10, &v, &n), 0);
    cr_assert_eq(n, 2, "the page before an id");
    cr_assert_str_eq(lk_sec_kind_name(v[0].kind), "lockout");
    lk_secevents_free(v, n);
    cr_assert_eq(lk_store_secevent_list(st, LK_SEC_NONE, 0, 1, &v, &n), 0);
    cr_assert_eq(n, 1, "at most the limit");
    lk_secevents_free(v, n);
    int64_t deleted = 0;
    cr_assert_eq(lk_store_secevent_purge(st, 2500, &deleted), 0);
    cr_assert_eq(deleted, 2);
    cr_assert_eq(lk_store_secevent_list(st, LK_SEC_NONE, 0, 10, &v, &n), 0);
    cr_assert_eq(n, 2, "the two before 2500 are gone");
    lk_secevents_free(v, n);
}
