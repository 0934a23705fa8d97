/*
 * Agents' sessions and roles, shared by every file of the agent-facing API
 * (agent.c and the feature files): the session cookie's hash, the
 * cross-site check for state-changing requests, the session check inside a
 * database job, and role checks.
 */
#include "api/api_int.h"

#include <string.h>

void lk_api_session_hash(lk_http_req_t *req, char out[LK_TOKEN_HASH_LEN + 1])
{
    out[0] = '\0';
    lk_str_t cookie;
    if (lk_http_req_cookie(req, LK_SESSION_COOKIE, &cookie) && cookie.len > 0)
        lk_token_hash(cookie.base, cookie.len, out);
}

/* A browser sends Origin on cross-site requests; it must name this host. */
static bool same_origin(lk_http_req_t *req)
{
    lk_str_t origin, host;
    if (!lk_http_req_header(req, "origin", &origin))
        return true;
    if (!lk_http_req_header(req, "host", &host))
        return false;
    const char *p = memchr(origin.base, ':', origin.len);
    if (!p || (size_t)(origin.base + origin.len - p) < 3 || p[1] != '/' || p[2] != '/')
        return false;
    lk_str_t ohost = {p + 3, (size_t)(origin.base + origin.len - (p + 3))};
    return lk_str_eq(ohost, host);
}

bool lk_api_check_origin(lk_http_req_t *req)
{
    if (same_origin(req))
        return true;
    lk_respond_error(req, 403, "forbidden", "cross-site request refused");
    return false;
}

bool lk_api_authenticate(lk_job_t *job, lk_api_error_t *e, lk_store_t *st, const char *session_hash, int64_t now,
                         lk_user_t *user)
{
    lk_session_t s;
    int rc = session_hash[0] ? lk_store_session_get(st, session_hash, now, &s) : LK_ENOENT;
    if (rc == 0) {
        rc = lk_store_user_get(st, s.user_id, user);
        if (rc == 0 && user->disabled)
            rc = LK_ENOENT;
    }
    if (rc == LK_ENOENT) {
        lk_job_fail(job, e, LK_EAUTH, 401, "unauthorized", "log in first: no valid session");
        return false;
    }
    if (rc) {
        lk_job_fail_db(job, e, rc);
        return false;
    }
    return true;
}

bool lk_api_is_role(const lk_user_t *user, const char *a, const char *b)
{
    return strcmp(user->role, a) == 0 || (b && strcmp(user->role, b) == 0);
}

bool lk_api_require_role(lk_job_t *job, lk_api_error_t *e, const lk_user_t *user, const char *a, const char *b)
{
    if (lk_api_is_role(user, a, b))
        return true;
    lk_job_fail(job, e, LK_EAUTH, 403, "forbidden", "your role does not allow this");
    return false;
}
