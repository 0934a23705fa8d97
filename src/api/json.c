/*
 * JSON in and out of the API: conversations and messages as CONTRACT.md
 * shows them, error bodies, and the strict reading of request bodies (size,
 * UTF-8, JSON, field types) that keeps unchecked input out of the rest.
 */
#include "api/api_int.h"
#include "assist/assist.h"
#include "privacy/privacy.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *time_or_null(int64_t ms)
{
    if (ms <= 0)
        return json_null();
    char ts[LK_RFC3339_LEN];
    lk_time_rfc3339(ms, ts);
    return json_string(ts);
}

json_t *lk_json_msg(const lk_msg_t *m)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", json_string(m->id));
    json_object_set_new(j, "conversation_id", json_string(m->conversation_id));
    json_object_set_new(j, "seq", json_integer(m->seq));
    json_object_set_new(j, "sender", json_string(m->sender));
    json_object_set_new(j, "automated", json_boolean(m->automated));
    json_object_set_new(j, "text", json_string(m->text ? m->text : ""));
    json_object_set_new(j, "created_at", time_or_null(m->created_at));
    if (m->article_id)
        json_object_set_new(j, "article_id", json_string(m->article_id));
    if (m->has_confidence)
        json_object_set_new(j, "confidence", json_real(m->confidence));
    if (m->author_name)
        json_object_set_new(j, "author_name", json_string(m->author_name));
    if (m->n_choices > 0) { /* CONTRACT.md, "Choices" */
        json_t *arr = json_array();
        for (size_t i = 0; i < m->n_choices; i++)
            json_array_append_new(
                arr, json_pack("{s:s, s:s}", "article_id", m->choices[i].article_id, "title", m->choices[i].title));
        json_object_set_new(j, "choices", arr);
    }
    if (m->chosen)
        json_object_set_new(j, "chosen", json_true());
    if (m->masked)
        json_object_set_new(j, "masked", json_true());
    return j;
}

/* Where an agent's message came from, and what the bot made of a
 * customer's message (docs/gaps.md); agents' views only. */
static void add_provenance(json_t *j, const lk_msg_t *m)
{
    if (strcmp(m->sender, "customer") == 0 && m->outcome[0])
        json_object_set_new(j, "outcome", json_string(m->outcome));
    if (strcmp(m->sender, "agent") != 0)
        return;
    json_object_set_new(j, "provenance", json_string(m->provenance[0] ? m->provenance : "human"));
    if (m->suggestion_article_id)
        json_object_set_new(j, "suggestion_article_id", json_string(m->suggestion_article_id));
}

void lk_api_mask_msgs(lk_msg_t *msgs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(msgs[i].sender, "customer") != 0 || !msgs[i].text)
            continue;
        char *masked = lk_pii_mask_kind(msgs[i].text, strlen(msgs[i].text), LK_PII_BSN);
        if (!masked)
            continue;
        free(msgs[i].text);
        msgs[i].text = masked;
        msgs[i].masked = true;
    }
}

json_t *lk_json_msg_agent(const lk_msg_t *m)
{
    json_t *j = lk_json_msg(m);
    add_provenance(j, m);
    return j;
}

json_t *lk_json_conv(const lk_conv_t *c, const lk_msg_t *msgs, size_t n_msgs)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", json_string(c->id));
    json_object_set_new(j, "status", json_string(lk_conv_status_name(c->status)));
    json_object_set_new(j, "language", json_string(c->language));
    json_object_set_new(j, "handoff_reason", c->handoff_reason[0] ? json_string(c->handoff_reason) : json_null());
    json_object_set_new(j, "queue_position", json_null()); /* lk_json_conv_customer fills it */
    json_object_set_new(j, "created_at", time_or_null(c->created_at));
    json_object_set_new(j, "updated_at", time_or_null(c->updated_at));
    if (c->rating > 0)
        json_object_set_new(j, "rating", json_integer(c->rating));
    if (msgs) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n_msgs; i++)
            json_array_append_new(arr, lk_json_msg(&msgs[i]));
        json_object_set_new(j, "messages", arr);
    }
    return j;
}

static void set_time(json_t *o, const char *key, int64_t ms)
{
    if (ms > 0)
        json_object_set_new(o, key, time_or_null(ms));
}

/* Queue position, whether people are there, and the wait estimate of a
 * queued conversation. people_available is what the policy last told the
 * customer (its state's "away": outside business hours or nobody online);
 * then there is no estimate, as past waits say nothing about when someone
 * comes back. The estimate is a range (docs/widget.md): no figures until
 * there are enough recent waits. */
static void add_queue(lk_store_t *st, json_t *o, const lk_conv_t *c, int64_t now)
{
    int64_t pos = 0;
    if (c->status == LK_CONV_QUEUED)
        lk_store_conv_queue_position(st, c->id, &pos);
    json_object_set_new(o, "queue_position", pos > 0 ? json_integer(pos) : json_null());
    if (pos > 0) {
        lk_policy_state_t ps;
        bool away = lk_policy_state_decode(c->policy_state, &ps) == 0 && ps.away;
        lk_analytics_wait_t est = {false, 0, 0};
        if (!away)
            lk_queue_estimate(st, pos, now, &est);
        json_object_set_new(o, "people_available", json_boolean(!away));
        json_object_set_new(o, "estimated_wait_seconds", est.known ? json_integer(est.max_s) : json_null());
        json_object_set_new(o, "estimated_wait_min_seconds", est.known ? json_integer(est.min_s) : json_null());
        json_object_set_new(o, "estimated_wait_max_seconds", est.known ? json_integer(est.max_s) : json_null());
    }
}

json_t *lk_json_conv_customer(lk_store_t *st, const lk_conv_t *c, const lk_msg_t *msgs, size_t n, int64_t now)
{
    json_t *o = lk_json_conv(c, msgs, n);
    add_queue(st, o, c, now);
    if (c->status == LK_CONV_ASSIGNED && c->assigned_to[0]) {
        lk_user_t u = {0};
        if (lk_store_user_get(st, c->assigned_to, &u) == 0)
            json_object_set_new(o, "agent_name", json_string(u.display_name ? u.display_name : ""));
        lk_user_clear(&u);
    }
    return o;
}

json_t *lk_json_conv_agent(lk_store_t *st, const lk_conv_t *c, const lk_msg_t *msgs, size_t n, int64_t now)
{
    json_t *o = lk_json_conv_customer(st, c, msgs, n, now);
    json_t *arr = json_object_get(o, "messages");
    for (size_t i = 0; arr && i < n && i < json_array_size(arr); i++)
        add_provenance(json_array_get(arr, i), &msgs[i]);
    json_object_set_new(o, "assigned_to", c->assigned_to[0] ? json_string(c->assigned_to) : json_null());
    /* what the console calls it: the customer, else their first question's topic (issue 14) */
    const char *title = lk_assist_title(c);
    json_object_set_new(o, "title", title ? json_string(title) : json_null());
    json_object_set_new(o, "topic", c->topic ? json_string(c->topic) : json_null());
    set_time(o, "queued_at", c->queued_at);
    set_time(o, "assigned_at", c->assigned_at);
    set_time(o, "closed_at", c->closed_at);
    if (c->status == LK_CONV_QUEUED && c->queued_at > 0)
        json_object_set_new(o, "waiting_seconds", json_integer((now - c->queued_at) / 1000));
    if (c->disposition)
        json_object_set_new(o, "disposition", json_string(c->disposition));
    if (c->rating_comment)
        json_object_set_new(o, "rating_comment", json_string(c->rating_comment));
    return o;
}

char *lk_json_dump(const json_t *j, size_t *len)
{
    char *s = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(4));
    if (!s)
        abort(); /* only on allocation failure */
    if (len)
        *len = strlen(s);
    return s;
}

json_t *lk_json_user(const lk_user_t *u, bool with_state)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "id", u->id, "email", u->email, "role", lk_role_name(u->role), "display_name",
                          u->display_name ? u->display_name : u->email);
    if (with_state)
        json_object_set_new(o, "disabled", json_boolean(u->disabled));
    return o;
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

void lk_respond_job_error(lk_http_req_t *req, lk_api_error_t *e)
{
    if (!e->code)
        lk_job_fail_db(&(lk_job_t){0}, e, LK_EDB);
    if (e->refused && e->status == 403)
        lk_security_event(NULL, req, LK_SEC_FORBIDDEN, e->refused_user, e->refused_email, e->message);
    lk_respond_error(req, e->status, e->code, "%s", e->message);
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
    size_t len = json_string_length(v);
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
    *out = s;
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
