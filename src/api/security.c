/*
 * Security: what protects loket's two kinds of users and its data
 * (docs/security.md has the threat model).
 *
 * - The key file (loket.key in the data directory, 32 random bytes made on
 *   first start, mode 0600): sub-keys derived from it hash client addresses
 *   (so conversations record a keyed hash, never the address) and encrypt
 *   users' TOTP secrets at rest (so a copy of the database alone gives
 *   neither away).
 * - Client addresses: the peer's, or X-Forwarded-For's last hop when the peer
 *   is a trusted reverse proxy (option trusted_proxies); the same proxies'
 *   X-Forwarded-Proto decides whether the session cookie is Secure.
 * - The rate limits (ratelimit.c) of logins and of the customer API, and the
 *   429 answer with Retry-After.
 * - Sessions: idle expiry (option session_idle); a session's last use is
 *   written at most every minute, by a small writer job, not on every request.
 * - Security events (failed logins, lockouts, cross-site and role refusals,
 *   429s): a JSON log line, a counter in /metrics and a stored row each.
 * - Verified customer identity: the HMAC-SHA256 the company's site signs a
 *   customer's e-mail address and id with (option identity_secret_file).
 * - Two-step login required of admins or everyone (require_totp_admin,
 *   require_totp).
 * - The endpoints of this part: two-step login with TOTP (RFC 6238, liboath)
 *   set up, switched on and off by the user, reset by an admin; logging out
 *   everywhere; the admins' list of security events.
 * - The headers added to every response (Content-Security-Policy and others).
 */
#include "api/api_int.h"
#include "api/route.h"

#include <errno.h>
#include <fcntl.h>
#include <liboath/oath.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MODULE "security"
#define KEY_FILE "loket.key"
#define LIMIT_KEYS 50000     /* keys each rate limit remembers at most */
#define TOTP_STEP_S 30
#define TOTP_DIGITS 6
#define TOTP_WINDOW 1 /* steps accepted before and after the current one */
#define TOTP_ISSUER "loket"
#define IDENTITY_SECRET_MIN 16  /* bytes; 32 random bytes (64 hex digits) recommended */
#define IDENTITY_SECRET_MAX 512
#define IDENTITY_FUTURE_S 300    /* a signature's timestamp may lie this far ahead (clock skew) */
#define IDENTITY_PREFIX "loket-identity-v1\n"

struct lk_security {
    unsigned char client_key[crypto_generichash_KEYBYTES];
    unsigned char totp_key[crypto_generichash_KEYBYTES];
    lk_ratelimit_t *limits[LK_LIMIT__COUNT];
    unsigned char identity_secret[IDENTITY_SECRET_MAX];
    size_t identity_secret_len; /* 0: no identity_secret_file */
    bool oath_on;
};

const lk_http_header_t lk_api_default_headers[] = {
    {"content-security-policy", "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"},
    {"x-frame-options", "DENY"},
    {"referrer-policy", "strict-origin-when-cross-origin"},
};
const size_t lk_api_n_default_headers = sizeof lk_api_default_headers / sizeof lk_api_default_headers[0];

/* ---- the key file ------------------------------------------------------- */

static int load_master_key(const char *dir, unsigned char key[crypto_kdf_KEYBYTES])
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", dir, KEY_FILE);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
        crypto_kdf_keygen(key);
        bool ok = write(fd, key, crypto_kdf_KEYBYTES) == crypto_kdf_KEYBYTES && fsync(fd) == 0;
        close(fd);
        if (!ok) {
            LK_ERROR(MODULE, "cannot write the key file %s: %s", path, strerror(errno));
            unlink(path);
            return LK_EIO;
        }
        LK_INFO(MODULE, "made the key file %s: back it up with the database, keep it apart from database copies", path);
        return 0;
    }
    if (errno != EEXIST) {
        LK_ERROR(MODULE, "cannot create the key file %s: %s", path, strerror(errno));
        return LK_EIO;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0 || sb.st_size != crypto_kdf_KEYBYTES ||
        read(fd, key, crypto_kdf_KEYBYTES) != crypto_kdf_KEYBYTES) {
        LK_ERROR(MODULE, "cannot read the key file %s (it must hold exactly %d bytes)", path, crypto_kdf_KEYBYTES);
        if (fd >= 0)
            close(fd);
        return LK_EIO;
    }
    close(fd);
    if (sb.st_mode & 077)
        LK_WARN(MODULE, "the key file %s can be read by other users: chmod 600 it", path);
    return 0;
}

/* ---- verified customer identity ------------------------------------------ */

/* Reads identity_secret_file: the secret the company's site shares with
 * loket, trailing white space (a newline) dropped. */
static int load_identity_secret(struct lk_security *sec, const char *path)
{
    if (!path[0])
        return 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        LK_ERROR(MODULE, "identity_secret_file: cannot open %s: %s", path, strerror(errno));
        return LK_ECONFIG;
    }
    ssize_t n = read(fd, sec->identity_secret, sizeof sec->identity_secret);
    struct stat sb;
    bool shared = fstat(fd, &sb) == 0 && (sb.st_mode & 077);
    close(fd);
    if (n == (ssize_t)sizeof sec->identity_secret)
        n = -1; /* longer than any secret loket takes: not cut silently */
    while (n > 0 && (sec->identity_secret[n - 1] == '\n' || sec->identity_secret[n - 1] == '\r' ||
                     sec->identity_secret[n - 1] == ' ' || sec->identity_secret[n - 1] == '\t'))
        n--;
    if (n < IDENTITY_SECRET_MIN) {
        LK_ERROR(MODULE, "identity_secret_file: %s must hold a secret of %d to %d bytes (e.g. 64 hex digits from "
                         "`openssl rand -hex 32`)", path, IDENTITY_SECRET_MIN, IDENTITY_SECRET_MAX - 1);
        sodium_memzero(sec->identity_secret, sizeof sec->identity_secret);
        return LK_ECONFIG;
    }
    if (shared)
        LK_WARN(MODULE, "identity_secret_file %s can be read by other users: chmod 600 it", path);
    sec->identity_secret_len = (size_t)n;
    return 0;
}

bool lk_api_identity_verify(struct lk_app *app, const char *email, const char *external_id, const char *timestamp,
                            const char *signature_hex, int64_t now)
{
    struct lk_security *sec = app ? app->sec : NULL;
    if (!sec || sec->identity_secret_len == 0 || !signature_hex || !timestamp || !timestamp[0])
        return false;
    int64_t ts;
    if (lk_parse_i64(timestamp, 0, INT64_MAX / 1000, &ts) != 0)
        return false;
    int64_t now_s = now / 1000;
    if (ts < now_s - app->cfg.identity_max_age || ts > now_s + IDENTITY_FUTURE_S)
        return false; /* expired, or from the future */
    unsigned char given[crypto_auth_hmacsha256_BYTES];
    size_t len = 0;
    if (strlen(signature_hex) != 2 * sizeof given ||
        sodium_hex2bin(given, sizeof given, signature_hex, strlen(signature_hex), NULL, &len, NULL) != 0 ||
        len != sizeof given)
        return false;
    crypto_auth_hmacsha256_state st;
    unsigned char want[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_init(&st, sec->identity_secret, sec->identity_secret_len);
    const char *parts[] = {IDENTITY_PREFIX, email ? email : "", "\n", external_id ? external_id : "", "\n", timestamp};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        crypto_auth_hmacsha256_update(&st, (const unsigned char *)parts[i], strlen(parts[i]));
    crypto_auth_hmacsha256_final(&st, want);
    bool ok = sodium_memcmp(want, given, sizeof want) == 0;
    sodium_memzero(&st, sizeof st);
    return ok;
}

void lk_api_client_hash(struct lk_app *app, const char *addr, char out[LK_TOKEN_HASH_LEN + 1])
{
    unsigned char h[LK_TOKEN_HASH_LEN / 2];
    crypto_generichash(h, sizeof h, (const unsigned char *)addr, strlen(addr), app->sec->client_key,
                       sizeof app->sec->client_key);
    sodium_bin2hex(out, LK_TOKEN_HASH_LEN + 1, h, sizeof h);
}

/* ---- rate limits, cookies ------------------------------------------------ */

/* The 429 answer itself, without a security event. */
static void respond_429(lk_http_req_t *req, int64_t retry_ms, const char *what)
{
    long long s = (long long)((retry_ms + 999) / 1000);
    if (s < 1)
        s = 1;
    char v[24];
    snprintf(v, sizeof v, "%lld", s);
    lk_http_res_header(req, "retry-after", v);
    lk_respond_error(req, 429, "too_many_requests", "too many %s; try again in %lld s", what, s);
}

void lk_respond_rate_limited(lk_http_req_t *req, int64_t retry_ms, const char *what)
{
    char reason[160];
    snprintf(reason, sizeof reason, "too many %s", what);
    lk_security_event(NULL, req, LK_SEC_RATE_LIMITED, NULL, NULL, reason);
    respond_429(req, retry_ms, what);
}

lk_ratelimit_t *lk_security_limit(struct lk_app *app, lk_limit_t which)
{
    return app->sec ? app->sec->limits[which] : NULL;
}

bool lk_security_hit(struct lk_app *app, lk_http_req_t *req, lk_limit_t which, const char *key, const char *what)
{
    int64_t retry;
    if (lk_ratelimit_hit(lk_security_limit(app, which), key, lk_time_now_ms(), &retry))
        return true;
    lk_respond_rate_limited(req, retry, what);
    return false;
}

bool lk_security_hit_login(struct lk_app *app, lk_http_req_t *req, lk_limit_t which, const char *key,
                           const char *email, const char *what)
{
    int64_t retry;
    if (lk_ratelimit_hit(lk_security_limit(app, which), key, lk_time_now_ms(), &retry))
        return true;
    char reason[160];
    snprintf(reason, sizeof reason, "too many %s", what);
    lk_security_event(app, req, LK_SEC_LOCKOUT, NULL, email, reason);
    respond_429(req, retry, what);
    return false;
}

void lk_api_login_key(const char *email, const char *addr, char out[LK_LOGIN_KEY_MAX])
{
    size_t n = 0;
    for (; email[n] && n + 1 < 256; n++)
        out[n] = (char)(email[n] >= 'A' && email[n] <= 'Z' ? email[n] + 32 : email[n]);
    snprintf(out + n, LK_LOGIN_KEY_MAX - n, "|%s", addr);
}

void lk_api_set_session_cookie(struct lk_app *app, lk_http_req_t *req, const char *value, int64_t max_age)
{
    bool secure = app->cfg.cookie_secure || lk_client_forwarded_https(app, req);
    char c[256];
    snprintf(c, sizeof c, LK_SESSION_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld%s", value,
             (long long)max_age, secure ? "; Secure" : "");
    lk_http_res_header(req, "set-cookie", c);
}

/* ---- TOTP --------------------------------------------------------------- */

/* The key that seals user_id's secret: bound to the user, so that a secret
 * copied to another user's row does not open. */
static void user_totp_key(struct lk_app *app, const char *user_id, unsigned char key[crypto_secretbox_KEYBYTES])
{
    crypto_generichash(key, crypto_secretbox_KEYBYTES, (const unsigned char *)user_id, strlen(user_id),
                       app->sec->totp_key, sizeof app->sec->totp_key);
}

#define SEALED_BYTES (crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + LK_TOTP_SECRET_LEN)
#define SEALED_PREFIX "v1:"

/* "v1:" + hex(nonce || secretbox(secret)); free() it. */
static char *totp_seal(struct lk_app *app, const char *user_id, const unsigned char secret[LK_TOTP_SECRET_LEN])
{
    unsigned char key[crypto_secretbox_KEYBYTES], box[SEALED_BYTES];
    user_totp_key(app, user_id, key);
    randombytes_buf(box, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, secret, LK_TOTP_SECRET_LEN, box, key);
    sodium_memzero(key, sizeof key);
    char *out = lk_xmalloc(sizeof SEALED_PREFIX + 2 * SEALED_BYTES);
    memcpy(out, SEALED_PREFIX, sizeof SEALED_PREFIX - 1);
    sodium_bin2hex(out + sizeof SEALED_PREFIX - 1, 2 * SEALED_BYTES + 1, box, SEALED_BYTES);
    return out;
}

static int totp_open(struct lk_app *app, const char *user_id, const char *stored,
                     unsigned char secret[LK_TOTP_SECRET_LEN])
{
    unsigned char box[SEALED_BYTES], key[crypto_secretbox_KEYBYTES];
    size_t len = 0;
    if (!stored || strncmp(stored, SEALED_PREFIX, sizeof SEALED_PREFIX - 1) != 0 ||
        sodium_hex2bin(box, sizeof box, stored + sizeof SEALED_PREFIX - 1, strlen(stored) - (sizeof SEALED_PREFIX - 1),
                       NULL, &len, NULL) != 0 ||
        len != SEALED_BYTES)
        return LK_EINVAL;
    user_totp_key(app, user_id, key);
    int rc = crypto_secretbox_open_easy(secret, box + crypto_secretbox_NONCEBYTES,
                                        SEALED_BYTES - crypto_secretbox_NONCEBYTES, box, key);
    sodium_memzero(key, sizeof key);
    return rc == 0 ? 0 : LK_EINVAL;
}

/* liboath's comparison callback: constant time; 0 means equal. */
static int otp_equal(void *handle, const char *test_otp)
{
    const char *code = handle;
    return strlen(test_otp) == TOTP_DIGITS && sodium_memcmp(test_otp, code, TOTP_DIGITS) == 0 ? 0 : 1;
}

int lk_totp_verify(struct lk_app *app, const char *user_id, const char *stored, const char *code, int64_t now,
                   int64_t *step)
{
    *step = 0;
    if (!code || strlen(code) != TOTP_DIGITS || strspn(code, "0123456789") != TOTP_DIGITS)
        return LK_EAUTH;
    unsigned char secret[LK_TOTP_SECRET_LEN];
    if (totp_open(app, user_id, stored, secret) != 0) {
        LK_ERROR(MODULE, "a user's TOTP secret does not open with this key file");
        return LK_EINVAL;
    }
    int pos = 0;
    uint64_t counter = 0;
    int rc = oath_totp_validate3_callback((const char *)secret, sizeof secret, (time_t)(now / 1000), TOTP_STEP_S, 0,
                                          TOTP_DIGITS, TOTP_WINDOW, &pos, &counter, otp_equal, (void *)code);
    sodium_memzero(secret, sizeof secret);
    if (rc < 0)
        return LK_EAUTH;
    *step = (int64_t)counter;
    return 0;
}

/* Percent-encodes s for a URI. */
static void uri_escape(lk_buf_t *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr("-._~", *p))
            lk_buf_append(b, (const char *)p, 1);
        else
            lk_buf_printf(b, "%%%02X", *p);
    }
}

/* ---- the endpoints ------------------------------------------------------ */

#define EVENTS_DEFAULT 100
#define EVENTS_MAX 500

/* The body field of enable and disable. */
enum { F_CODE };
/* logout-all's */
enum { F_USER_ID };

/* The state of a route (job->data). */
typedef struct {
    char addr[LK_ADDR_MAX];           /* the client's address */
    char limit_key[LK_LOGIN_KEY_MAX]; /* enable/disable: the account's login limit from this address */
    int64_t retry_ms;                 /* > 0: refused by that limit */
    bool clear_cookie;                /* logout-all of oneself */
    /* the security events' list: which */
    lk_sec_kind_t kind; /* LK_SEC_NONE: all */
    int64_t before_id;
    size_t limit;
} sec_t;

static void totp_status(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    lk_totp_t t;
    int rc = lk_store_user_totp_get(st, j->user.id, &t);
    if (rc) {
        lk_api_fail_db(j, rc);
        return;
    }
    j->out = json_pack("{s:b, s:b, s:b}", "enabled", t.enabled, "pending", t.secret && !t.enabled, "required",
                       lk_api_totp_required(&j->user));
    lk_totp_clear(&t);
}

static void totp_setup(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    lk_totp_t t;
    int rc = lk_store_user_totp_get(st, j->user.id, &t);
    bool on = rc == 0 && t.enabled;
    lk_totp_clear(&t);
    if (rc) {
        lk_api_fail_db(j, rc);
        return;
    }
    if (on) {
        lk_api_fail(j, LK_ESTATE, 409, "conflict", "two-step login is on already; switch it off first");
        return;
    }
    unsigned char secret[LK_TOTP_SECRET_LEN];
    randombytes_buf(secret, sizeof secret);
    char *sealed = totp_seal(j->app, j->user.id, secret);
    char *b32 = NULL;
    size_t b32len = 0;
    if (oath_base32_encode((const char *)secret, sizeof secret, &b32, &b32len) != OATH_OK)
        rc = LK_ENOMEM;
    sodium_memzero(secret, sizeof secret);
    if (rc == 0)
        rc = lk_store_user_totp_set(st, j->user.id, sealed, false);
    if (rc == 0)
        rc = lk_store_audit(st, now, j->user.id, "auth.totp_setup", NULL, NULL);
    free(sealed);
    if (rc) {
        lk_api_fail_db(j, rc);
    } else {
        lk_buf_t uri;
        lk_buf_init(&uri, 1024);
        lk_buf_printf(&uri, "otpauth://totp/%s:", TOTP_ISSUER);
        uri_escape(&uri, j->user.email);
        lk_buf_printf(&uri, "?secret=%s&issuer=%s&algorithm=SHA1&digits=%d&period=%d", b32, TOTP_ISSUER, TOTP_DIGITS,
                      TOTP_STEP_S);
        j->out = json_pack("{s:s, s:s, s:b}", "secret", b32, "uri", uri.data ? uri.data : "", "enabled", 0);
        lk_buf_free(&uri);
    }
    if (b32) {
        sodium_memzero(b32, b32len);
        free(b32);
    }
}

/* Every code counts against the account like a login (a right one is taken
 * back, code_after), once the session is known; false after failing with
 * 429. */
static bool code_limit(lk_api_job_t *j, int64_t now)
{
    sec_t *d = j->data;
    lk_api_login_key(j->user.email, d->addr, d->limit_key);
    if (lk_ratelimit_hit(lk_security_limit(j->app, LK_LIMIT_LOGIN_ACCOUNT_ADDRESS), d->limit_key, now, &d->retry_ms))
        return true;
    if (d->retry_ms < 1)
        d->retry_ms = 1;
    lk_api_fail(j, LK_EBUSY, 429, "too_many_requests", "too many failed logins for this account");
    return false;
}

/* enable (with the code of the secret just set up) and disable (with a
 * current code) */
static void totp_switch(lk_api_job_t *j, lk_store_t *st, int64_t now, bool enable)
{
    if (!code_limit(j, now))
        return;
    lk_totp_t t;
    int rc = lk_store_user_totp_get(st, j->user.id, &t);
    if (rc) {
        lk_api_fail_db(j, rc);
        return;
    }
    if (enable && (!t.secret || t.enabled)) {
        lk_api_fail(j, LK_ESTATE, 409, "conflict",
                    t.enabled ? "two-step login is on already"
                              : "set two-step login up first (POST /api/v1/auth/totp/setup)");
        goto out;
    }
    if (!enable && !t.enabled) {
        lk_api_fail(j, LK_ESTATE, 409, "conflict", "two-step login is not on");
        goto out;
    }
    int64_t step = 0;
    const char *code = j->body[F_CODE].s;
    rc = lk_totp_verify(j->app, j->user.id, t.secret, code, now, &step);
    if (rc == LK_EAUTH) {
        lk_api_fail(j, rc, 400, "invalid_field", "the field \"code\" is not the current code of the authenticator app");
        goto out;
    }
    if (rc) {
        lk_api_fail_db(j, rc);
        goto out;
    }
    if (enable) {
        rc = lk_store_user_totp_set(st, j->user.id, t.secret, true);
        if (rc == 0)
            rc = lk_store_user_totp_use(st, j->user.id, step); /* the code that switched it on is spent */
    } else {
        rc = lk_store_user_totp_use(st, j->user.id, step);
        if (rc == LK_EEXIST) {
            lk_api_fail(j, rc, 400, "invalid_field", "this code was used already; wait for the next one");
            goto out;
        }
        if (rc == 0)
            rc = lk_store_user_totp_set(st, j->user.id, NULL, false);
    }
    if (rc == 0)
        rc = lk_store_audit(st, now, j->user.id, enable ? "auth.totp_enable" : "auth.totp_disable", NULL, NULL);
    if (rc)
        lk_api_fail_db(j, rc);
    else
        j->out = json_pack("{s:b, s:b}", "enabled", enable, "pending", 0);
out:
    lk_totp_clear(&t);
}

static void totp_enable(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    totp_switch(j, st, now, true);
}

static void totp_disable(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    if (lk_api_totp_required(&j->user)) {
        lk_api_fail(j, LK_ESTATE, 409, "conflict",
                    "two-step login is required for your account: it cannot be switched off");
        return;
    }
    totp_switch(j, st, now, false);
}

static void totp_reset(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    int rc = lk_store_user_totp_set(st, j->id, NULL, false);
    if (!lk_api_found(j, rc, 404, "not_found", "no user with this id"))
        return;
    rc = lk_store_audit(st, now, j->user.id, "auth.totp_reset", NULL, j->id);
    if (rc)
        lk_api_fail_db(j, rc);
    else
        j->out = json_pack("{s:s, s:b}", "user_id", j->id, "enabled", 0);
}

/* body optional: {"user_id"} (admins, for someone else) */
static void logout_all(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    sec_t *d = j->data;
    const char *target = j->body[F_USER_ID].given ? j->body[F_USER_ID].s : j->user.id;
    bool self = strcmp(target, j->user.id) == 0;
    if (!self) {
        if (!lk_api_require_role(&j->job, &j->err, &j->user, "admin", NULL))
            return;
        lk_user_t other = {0};
        int rc = lk_store_user_get(st, target, &other);
        lk_user_clear(&other);
        if (!lk_api_found(j, rc, 404, "not_found", "no user with this id"))
            return;
    }
    int64_t n = 0;
    int rc = lk_store_session_delete_user(st, target, NULL, &n);
    if (rc == 0)
        rc = lk_store_audit(st, now, j->user.id, "auth.logout_all", NULL, target);
    if (rc) {
        lk_api_fail_db(j, rc);
        return;
    }
    lk_hub_close_streams(&j->job, target, NULL);
    d->clear_cookie = self;
    j->out = json_pack("{s:s, s:s, s:I}", "status", "ok", "user_id", target, "sessions", (json_int_t)n);
}

/* One security event as the admins' list shows it. */
static json_t *secevent_json(const void *record)
{
    const lk_secevent_t *e = record;
    char ts[LK_RFC3339_LEN];
    lk_time_rfc3339(e->at, ts);
    json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)e->id, "at", ts, "kind",
                          lk_sec_kind_name(e->kind), "address", e->address, "reason", e->reason ? e->reason : "",
                          "route", e->route);
    json_object_set_new(o, "account", e->account ? json_string(e->account) : json_null());
    return o;
}

/* GET /api/v1/admin/security-events: admins only, newest first. */
static void events_list(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    sec_t *d = j->data;
    lk_secevent_t *v = NULL;
    size_t n = 0;
    int rc = lk_store_secevent_list(st, d->kind, d->before_id, d->limit, &v, &n);
    json_t *arr = lk_api_list_json(j, rc, v, n, sizeof *v, secevent_json);
    if (!arr)
        return;
    j->out = json_pack("{s:o, s:o}", "events", arr, "next_before",
                       n == d->limit && n > 0 ? json_integer((json_int_t)v[n - 1].id) : json_null());
    lk_secevents_free(v, n);
}

/* ?kind=login_failed|lockout|cross_site|forbidden|rate_limited, ?before=ID
 * (the next page), ?limit=1..500 (100) */
static bool events_query(lk_api_job_t *j)
{
    sec_t *d = j->data;
    lk_str_t v;
    if (lk_http_req_query(j->req, "kind", &v) && v.len > 0) {
        char name[16] = ""; /* longer than any kind's name, or with a NUL: none */
        if (v.len < sizeof name && !memchr(v.base, '\0', v.len))
            memcpy(name, v.base, v.len);
        if (lk_sec_kind_parse(name, &d->kind) != 0) {
            lk_respond_error(j->req, 400, "invalid_field", "the parameter \"kind\" must be login_failed, lockout, "
                                                           "cross_site, forbidden or rate_limited");
            return false;
        }
    }
    int64_t limit = EVENTS_DEFAULT;
    if (!lk_api_query_int(j, "before", 1, INT64_MAX, &d->before_id, "the parameter \"before\" must be an event id") ||
        !lk_api_query_int(j, "limit", 1, EVENTS_MAX, &limit, "the parameter \"limit\" must be 1 to 500"))
        return false;
    d->limit = (size_t)limit;
    return true;
}

/* enable and disable: the client's address for the login limit */
static bool code_prepare(lk_api_job_t *j)
{
    sec_t *d = j->data;
    lk_api_client_addr(j->app, j->req, d->addr);
    return true;
}

/* enable and disable: a refusal by the limit is a lockout, a wrong code a
 * failed login; a right code does not count against the limit */
static bool code_after(lk_api_job_t *j)
{
    sec_t *d = j->data;
    bool enable = strcmp(j->route->path, "/api/v1/auth/totp/enable") == 0;
    if (j->job.rc && d->retry_ms > 0) {
        lk_security_event(j->app, j->req, LK_SEC_LOCKOUT, j->user.id, j->user.email,
                          "too many wrong two-step codes for this account from this address");
        respond_429(j->req, d->retry_ms, "failed logins for this account");
        return false;
    }
    if (j->job.rc == LK_EAUTH && j->err.status == 400)
        lk_security_event(j->app, j->req, LK_SEC_LOGIN_FAILED, j->user.id, j->user.email,
                          enable ? "wrong two-step code at switching two-step login on"
                                 : "wrong two-step code at switching two-step login off");
    if (j->job.rc == 0)
        lk_ratelimit_forgive(lk_security_limit(j->app, LK_LIMIT_LOGIN_ACCOUNT_ADDRESS), d->limit_key);
    return true;
}

static bool logout_all_after(lk_api_job_t *j)
{
    sec_t *d = j->data;
    if (j->job.rc == 0) {
        if (d->clear_cookie)
            lk_api_set_session_cookie(j->app, j->req, "", 0);
        lk_queue_stats_invalidate();
    }
    return true;
}

static bool six_digits(const char *code)
{
    return strlen(code) == TOTP_DIGITS && strspn(code, "0123456789") == TOTP_DIGITS;
}

static const lk_api_field_t code_fields[] = {
    [F_CODE] = {.name = "code", .type = LK_FIELD_STRING, .required = true, .max_len = 16, .check = six_digits,
                .invalid = "the field \"code\" must be the 6 digits of the authenticator app"},
};
static const lk_api_field_t logout_fields[] = {
    [F_USER_ID] = {.name = "user_id", .type = LK_FIELD_STRING, .max_len = LK_ID_MAX - 1},
};

#define FIELDS(a) .fields = a, .n_fields = sizeof a / sizeof a[0]

/* A user who must still set up two-step login may do that (and log out
 * everywhere), nothing else: LK_ACCESS_SIGNED_IN. Wrong codes count like
 * failed logins of the account, so a stolen session cannot guess its way to
 * switching the second factor off. */
static const lk_api_route_t routes[] = {
    {"GET", "/api/v1/admin/security-events", LK_ACCESS_ADMIN, .steps = {{.pool = LK_ON_READER, .run = events_list}},
     .prepare = events_query, .data_size = sizeof(sec_t)},
    {"GET", "/api/v1/auth/totp", LK_ACCESS_SIGNED_IN, .steps = {{.pool = LK_ON_READER, .run = totp_status}}},
    {"POST", "/api/v1/auth/totp/setup", LK_ACCESS_SIGNED_IN, .steps = {{.pool = LK_ON_WRITER, .run = totp_setup}}},
    {"POST", "/api/v1/auth/totp/enable", LK_ACCESS_SIGNED_IN, FIELDS(code_fields),
     .steps = {{.pool = LK_ON_WRITER, .run = totp_enable}}, .prepare = code_prepare, .after = code_after, .data_size = sizeof(sec_t)},
    {"POST", "/api/v1/auth/totp/disable", LK_ACCESS_AGENT, FIELDS(code_fields),
     .steps = {{.pool = LK_ON_WRITER, .run = totp_disable}}, .prepare = code_prepare, .after = code_after, .data_size = sizeof(sec_t)},
    {"POST", "/api/v1/auth/logout-all", LK_ACCESS_SIGNED_IN, FIELDS(logout_fields), .body_optional = true,
     .steps = {{.pool = LK_ON_WRITER, .run = logout_all}}, .after = logout_all_after, .data_size = sizeof(sec_t)},
    {"POST", "/api/v1/admin/users/:id/totp-reset", LK_ACCESS_ADMIN, .steps = {{.pool = LK_ON_WRITER, .run = totp_reset}}},
};

void lk_api_security_table(const lk_api_route_t **r, size_t *n)
{
    *r = routes;
    *n = sizeof routes / sizeof routes[0];
}

/* ---- life cycle --------------------------------------------------------- */

int lk_security_start(struct lk_app *app)
{
    struct lk_security *sec = lk_xcalloc(1, sizeof *sec);
    app->sec = sec;
    unsigned char master[crypto_kdf_KEYBYTES];
    int rc = load_master_key(app->cfg.data, master);
    if (rc == 0) {
        crypto_kdf_derive_from_key(sec->client_key, sizeof sec->client_key, 1, "lkclient", master);
        crypto_kdf_derive_from_key(sec->totp_key, sizeof sec->totp_key, 2, "lk_totp_", master);
        sodium_memzero(master, sizeof master);
        rc = lk_client_proxies_parse(app->cfg.trusted_proxies, &app->proxies);
    }
    if (rc == 0)
        rc = load_identity_secret(sec, app->cfg.identity_secret_file);
    if (rc == 0 && sec->identity_secret_len == 0)
        LK_INFO(MODULE, "no identity_secret_file: customer identities from host pages stay unverified and show "
                        "no history (docs/widget.md)");
    if (rc == 0) {
        sec->oath_on = oath_init() == OATH_OK;
        if (!sec->oath_on) {
            LK_ERROR(MODULE, "liboath does not start");
            rc = LK_EIO;
        }
    }
    if (rc) {
        lk_security_stop(app);
        return rc;
    }
    const lk_config_t *c = &app->cfg;
    sec->limits[LK_LIMIT_LOGIN_ACCOUNT] =
        lk_ratelimit_new((size_t)c->limit_login_account, c->limit_login_window * 1000, LIMIT_KEYS);
    sec->limits[LK_LIMIT_LOGIN_ACCOUNT_ADDRESS] =
        lk_ratelimit_new((size_t)c->limit_login_account_address, c->limit_login_window * 1000, LIMIT_KEYS);
    sec->limits[LK_LIMIT_LOGIN_ADDRESS] =
        lk_ratelimit_new((size_t)c->limit_login_address, c->limit_login_window * 1000, LIMIT_KEYS);
    sec->limits[LK_LIMIT_MESSAGES_CONVERSATION] =
        lk_ratelimit_new((size_t)c->limit_messages_conversation, 60000, LIMIT_KEYS);
    sec->limits[LK_LIMIT_MESSAGES_ADDRESS] = lk_ratelimit_new((size_t)c->limit_messages_address, 60000, LIMIT_KEYS);
    sec->limits[LK_LIMIT_CONVERSATIONS_ADDRESS] =
        lk_ratelimit_new((size_t)c->limit_conversations_address, c->limit_conversations_window * 1000, LIMIT_KEYS);
    lk_secevents_start(app);
    lk_api_sessions_start(app);
    return 0;
}

void lk_security_stop(struct lk_app *app)
{
    struct lk_security *sec = app->sec;
    if (!sec)
        return;
    lk_secevents_stop(app);
    lk_api_sessions_stop(app);
    for (size_t i = 0; i < LK_LIMIT__COUNT; i++)
        lk_ratelimit_free(sec->limits[i]);
    lk_client_proxies_free(app->proxies);
    app->proxies = NULL;
    if (sec->oath_on)
        oath_done();
    sodium_memzero(sec, sizeof *sec);
    free(sec);
    app->sec = NULL;
}
