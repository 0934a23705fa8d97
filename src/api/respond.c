/*
 * Answers and request bodies, below every other file of the API: JSON
 * answers and error bodies, a failed job's answer, and the strict reading of
 * request bodies (size, UTF-8, JSON, field types) that keeps unchecked input
 * out of the rest. It calls nothing else of api/, so that every file may
 * call it without an import circle (docs/architecture.md, "Routes").
 */
#include "api/api_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *lk_json_dump(const json_t *j, size_t *len)
{
    char *s = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(4));
    if (!s)
        abort(); /* only on allocation failure */
    if (len)
        *len = strlen(s);
    return s;
}

void lk_respond_json(lk_http_req_t *req, int status, json_t *body)
{
    size_t len;
    char *s = lk_json_dump(body, &len);
    json_decref(body);
    lk_http_respond(req, status, "application/json", s, len);
    free(s);
}

void lk_respond_error(lk_http_req_t *req, int status, const char *code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *e = json_object();
    json_object_set_new(e, "code", json_string(code));
    /* messages are our own text; json_string refuses invalid UTF-8, so fall
     * back to a fixed text rather than send nothing */
    json_t *m = json_string(msg);
    json_object_set_new(e, "message", m ? m : json_string("invalid request"));
    json_t *body = json_object();
    json_object_set_new(body, "error", e);
    lk_respond_json(req, status, body);
}

void lk_job_fail(lk_job_t *job, lk_api_error_t *e, int rc, int status, const char *code, const char *msg)
{
    job->rc = rc ? rc : LK_EINVAL;
    e->status = status;
    e->code = code;
    snprintf(e->message, sizeof e->message, "%s", msg);
    e->refused = false;
    e->refused_user[0] = e->refused_email[0] = '\0';
}

void lk_job_fail_db(lk_job_t *job, lk_api_error_t *e, int rc)
{
    lk_job_fail(job, e, rc, 500, "internal", "loket could not complete this request; please try again");
}

static void body_fail(lk_body_error_t *e, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void body_fail(lk_body_error_t *e, int status, const char *code, const char *fmt, ...)
{
    e->status = status;
    e->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
}

json_t *lk_body_parse(const char *body, size_t len, bool too_large, lk_body_error_t *e)
{
    if (too_large) {
        body_fail(e, 413, "body_too_large", "the request body is larger than the limit");
        return NULL;
    }
    if (len == 0) {
        body_fail(e, 400, "invalid_json", "the request body is empty; a JSON object was expected");
        return NULL;
    }
    if (!lk_utf8_valid(body, len)) {
        body_fail(e, 400, "invalid_utf8", "the request body is not valid UTF-8");
        return NULL;
    }
    json_error_t err;
    json_t *j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &err);
    if (!j) {
        body_fail(e, 400, "invalid_json", "the request body is not valid JSON: %s (line %d, column %d)", err.text,
                  err.line, err.column);
        return NULL;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        body_fail(e, 400, "invalid_json", "the request body must be a JSON object");
        return NULL;
    }
    return j;
}

json_t *lk_parse_body(lk_http_req_t *req)
{
    lk_body_error_t e;
    lk_str_t body = lk_http_req_body(req);
    json_t *j = lk_body_parse(body.base, body.len, lk_http_req_body_too_large(req), &e);
    if (!j)
        lk_respond_error(req, e.status, e.code, "%s", e.message);
    return j;
}

bool lk_body_field_string(json_t *body, const char *field, size_t max, bool required, const char **out,
                          lk_body_error_t *e)
{
    *out = NULL;
    json_t *v = json_object_get(body, field);
    if (!v || json_is_null(v)) {
        if (!required)
            return true;
        body_fail(e, 400, "missing_field", "the field \"%s\" is required", field);
        return false;
    }
    if (!json_is_string(v)) {
        body_fail(e, 400, "invalid_field", "the field \"%s\" must be a string", field);
        return false;
    }
    const char *s = json_string_value(v);
    if (!lk_body_check_string(s, json_string_length(v), field, max, false, e))
        return false;
    *out = s;
    return true;
}

bool lk_body_check_string(const char *s, size_t len, const char *field, size_t max, bool one_line,
                          lk_body_error_t *e)
{
    for (size_t i = 0; one_line && i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
            body_fail(e, 400, "invalid_field", "the field \"%s\" must not contain control characters", field);
            return false;
        }
    if (strlen(s) != len) {
        body_fail(e, 400, "invalid_field", "the field \"%s\" must not contain NUL characters", field);
        return false;
    }
    size_t start = 0, end = len;
    while (start < end && (s[start] == ' ' || s[start] == '\t' || s[start] == '\n' || s[start] == '\r'))
        start++;
    while (end > start && (s[end - 1] == ' ' || s[end - 1] == '\t' || s[end - 1] == '\n' || s[end - 1] == '\r'))
        end--;
    if (start == end) {
        body_fail(e, 400, "invalid_field", "the field \"%s\" must not be empty", field);
        return false;
    }
    if (len > max) {
        body_fail(e, 400, "invalid_field", "the field \"%s\" is longer than %zu bytes", field, max);
        return false;
    }
    return true;
}

bool lk_body_string(lk_http_req_t *req, json_t *body, const char *field, size_t max, bool required,
                    const char **out)
{
    lk_body_error_t e;
    if (lk_body_field_string(body, field, max, required, out, &e))
        return true;
    lk_respond_error(req, e.status, e.code, "%s", e.message);
    return false;
}

bool lk_password_refused(const char *field, const char *pw, const char *email, const char *name,
                         lk_api_error_t *e)
{
    const char *const context[] = {email, name};
    lk_password_verdict_t v = lk_password_check(pw, context, 2);
    if (v == LK_PW_OK)
        return false;
    e->status = 400;
    e->refused = false;
    e->code = v == LK_PW_TOO_SHORT || v == LK_PW_TOO_LONG ? "invalid_field" : "weak_password";
    snprintf(e->message, sizeof e->message, "the field \"%s\" is not accepted as a password: %s", field,
             lk_password_reason(v));
    return true;
}

bool lk_body_password(lk_http_req_t *req, json_t *body, const char *field, const char *email, const char *name,
                      const char **out)
{
    if (!lk_body_string(req, body, field, LK_PASSWORD_MAX, true, out))
        return false;
    lk_api_error_t e;
    if (!lk_password_refused(field, *out, email, name, &e))
        return true;
    lk_respond_error(req, e.status, e.code, "%s", e.message);
    return false;
}
