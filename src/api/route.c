/*
 * The generic handler of the route tables (route.h): origin, body, session
 * and role, the steps on their pools, the answer. Written once for every
 * table route, instead of a job type, a switch and a done function per file.
 */
#include "api/route.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- the body --------------------------------------------------------- */

static bool field_fail(lk_body_error_t *e, const lk_api_field_t *f, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A 400 invalid_field: f->invalid when the field has one, else fmt. */
static bool field_fail(lk_body_error_t *e, const lk_api_field_t *f, const char *fmt, ...)
{
    e->status = 400;
    e->code = "invalid_field";
    if (f->invalid) {
        snprintf(e->message, sizeof e->message, "%s", f->invalid);
        return false;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    return false;
}

/* "a, b or c" */
static void enum_list(const char *const *values, char *out, size_t outsize)
{
    lk_buf_t b;
    lk_buf_init(&b, outsize - 1);
    for (size_t i = 0; values[i]; i++) {
        if (i > 0)
            lk_buf_append_cstr(&b, values[i + 1] ? ", " : " or ");
        lk_buf_append_cstr(&b, values[i]);
    }
    snprintf(out, outsize, "%.*s", (int)b.len, b.data ? b.data : "");
    lk_buf_free(&b);
}

static bool read_enum(const lk_api_field_t *f, json_t *v, lk_api_value_t *out, lk_body_error_t *e)
{
    if (json_is_null(v)) {
        out->given = out->is_null = true;
        return true;
    }
    if (!json_is_string(v))
        return field_fail(e, f, "the field \"%s\" must be a string", f->name);
    const char *s = json_string_value(v);
    for (size_t i = 0; f->values[i]; i++)
        if (strcmp(s, f->values[i]) == 0 && json_string_length(v) == strlen(s)) {
            out->given = true;
            out->s = lk_xstrdup(s);
            return true;
        }
    char list[256];
    enum_list(f->values, list, sizeof list);
    return field_fail(e, f, "the field \"%s\" must be %s", f->name, list);
}

static bool read_field(const lk_api_field_t *f, size_t max_text, json_t *body, lk_api_value_t *out, lk_body_error_t *e)
{
    json_t *v = json_object_get(body, f->name);
    const char *s = NULL;
    switch (f->type) {
    case LK_FIELD_BOOL:
        if (!v) {
            if (!f->required)
                return true;
            break;
        }
        if (!json_is_boolean(v))
            return field_fail(e, f, "the field \"%s\" must be true or false", f->name);
        out->given = true;
        out->b = json_is_true(v);
        return true;
    case LK_FIELD_INT:
        if (!v || json_is_null(v)) {
            if (!f->required)
                return true;
            break;
        }
        if (!json_is_integer(v))
            return field_fail(e, f, "the field \"%s\" must be an integer", f->name);
        if (json_integer_value(v) < f->min || json_integer_value(v) > f->max)
            return field_fail(e, f, "the field \"%s\" must be between %lld and %lld", f->name, (long long)f->min,
                              (long long)f->max);
        out->given = true;
        out->i = json_integer_value(v);
        return true;
    case LK_FIELD_TRUE:
        if (!v) {
            if (f->invalid) {
                e->status = 400;
                e->code = "missing_field";
                snprintf(e->message, sizeof e->message, "%s", f->invalid);
                return false;
            }
            break;
        }
        if (!json_is_true(v))
            return field_fail(e, f, "the field \"%s\" must be true", f->name);
        out->given = out->b = true;
        return true;
    case LK_FIELD_ENUM:
        if (f->nullable && v)
            return read_enum(f, v, out, e);
        /* a string first (its length, blank, NUL), then among the values */
        /* fall through */
    case LK_FIELD_STRING:
    case LK_FIELD_PASSWORD: {
        size_t max = f->type == LK_FIELD_PASSWORD    ? LK_PASSWORD_MAX
                     : f->max_len == LK_API_MAX_TEXT ? max_text
                     : f->max_len                    ? f->max_len
                                                     : LK_API_FIELD_MAX;
        if (f->nullable && v && json_is_null(v)) {
            out->given = out->is_null = true;
            return true;
        }
        if (!lk_body_field_string(body, f->name, max, f->required, &s, e))
            return false;
        if (!s)
            return true;
        if (f->type == LK_FIELD_ENUM)
            return read_enum(f, v, out, e);
        if (f->check && !f->check(s))
            return field_fail(e, f, "the field \"%s\" is not valid", f->name);
        if (f->type == LK_FIELD_PASSWORD) {
            lk_api_error_t pe;
            if (lk_password_refused(f->name, s, NULL, NULL, &pe)) {
                e->status = pe.status;
                e->code = pe.code;
                snprintf(e->message, sizeof e->message, "%s", pe.message);
                return false;
            }
        }
        out->given = true;
        out->s = lk_xstrdup(s);
        return true;
    }
    }
    e->status = 400;
    e->code = "missing_field";
    snprintf(e->message, sizeof e->message, "the field \"%s\" is required", f->name);
    return false;
}

static bool body_read(const lk_api_field_t *fields, size_t n_fields, const char *need_one, const char *need_one_code,
                      size_t max_text, const char *body, size_t len, bool too_large, lk_api_value_t *out,
                      lk_body_error_t *e, json_t **keep)
{
    memset(out, 0, n_fields * sizeof *out);
    json_t *j = lk_body_parse(body, len, too_large, e);
    if (!j)
        return false;
    size_t last_one = n_fields; /* need_one is checked once this many fields were read */
    bool marked = false;
    for (size_t i = 0; i < n_fields; i++)
        if (fields[i].one_of) {
            marked = true;
            last_one = i + 1;
        }
    bool ok = true, any = false;
    for (size_t i = 0; ok && i < n_fields; i++) {
        ok = read_field(&fields[i], max_text, j, &out[i], e);
        any = any || (out[i].given && (!marked || fields[i].one_of));
        if (ok && need_one && !any && i + 1 == last_one) {
            e->status = 400;
            e->code = need_one_code ? need_one_code : "invalid_body";
            snprintf(e->message, sizeof e->message, "%s", need_one);
            ok = false;
        }
    }
    if (ok && keep)
        *keep = j;
    else
        json_decref(j);
    if (!ok)
        lk_api_values_clear(fields, n_fields, out);
    return ok;
}

bool lk_api_body_read(const lk_api_field_t *fields, size_t n_fields, const char *need_one, const char *body, size_t len,
                      bool too_large, lk_api_value_t *out, lk_body_error_t *e)
{
    return body_read(fields, n_fields, need_one, NULL, LK_API_FIELD_MAX, body, len, too_large, out, e, NULL);
}

/* lk_api_route_body, keeping the parsed body in *keep (may be NULL) on success. */
static bool route_body(const lk_api_route_t *r, size_t max_text, const char *body, size_t len, bool too_large,
                       lk_api_value_t *out, lk_body_error_t *e, json_t **keep)
{
    if (r->body_optional && len == 0 && !too_large)
        body = "{}", len = 2;
    return body_read(r->fields, r->n_fields, r->need_one, r->need_one_code, max_text, body, len, too_large, out, e,
                     keep);
}

bool lk_api_route_body(const lk_api_route_t *r, size_t max_text, const char *body, size_t len, bool too_large,
                       lk_api_value_t *out, lk_body_error_t *e)
{
    return route_body(r, max_text, body, len, too_large, out, e, NULL);
}

void lk_api_values_clear(const lk_api_field_t *fields, size_t n_fields, lk_api_value_t *v)
{
    (void)fields;
    for (size_t i = 0; i < n_fields; i++) {
        if (v[i].s) /* a password or a current one, a code: wiped, as any other field */
            sodium_memzero(v[i].s, strlen(v[i].s));
        free(v[i].s);
        memset(&v[i], 0, sizeof v[i]);
    }
}

/* ---- roles ------------------------------------------------------------ */

bool lk_api_role_allows(lk_api_access_t role, const lk_user_t *user)
{
    switch (role) {
    case LK_ACCESS_ANYONE:
        return true;
    case LK_ACCESS_SIGNED_IN:
    case LK_ACCESS_AGENT:
        return user && user->role >= LK_ROLE_AGENT;
    case LK_ACCESS_SUPERVISOR:
        return user && user->role >= LK_ROLE_SUPERVISOR;
    case LK_ACCESS_ADMIN:
        return user && user->role == LK_ROLE_ADMIN;
    case LK_ACCESS_CONVERSATION:
        return false;
    }
    return false;
}

bool lk_api_conv_token_ok(const lk_conv_t *c, const char *token)
{
    char h[LK_TOKEN_HASH_LEN + 1];
    lk_token_hash(token, strlen(token), h);
    return strlen(c->token_hash) == LK_TOKEN_HASH_LEN && lk_const_eq(h, c->token_hash, LK_TOKEN_HASH_LEN);
}

bool lk_api_bearer(lk_http_req_t *req, lk_str_t *token)
{
    lk_str_t h;
    *token = LK_STR("");
    if (!lk_http_req_header(req, "authorization", &h) || h.len <= 7 || strncasecmp(h.base, "Bearer ", 7) != 0)
        return false;
    *token = (lk_str_t){h.base + 7, h.len - 7};
    while (token->len && token->base[0] == ' ') {
        token->base++;
        token->len--;
    }
    return token->len > 0;
}

/* ---- the table checks ------------------------------------------------- */

static int bad(char *why, size_t whysize, const lk_api_route_t *r, const char *what)
{
    snprintf(why, whysize, "%s %s: %s", r->method ? r->method : "(no method)", r->path ? r->path : "(no path)", what);
    return LK_EINVAL;
}

static int check_fields(const lk_api_route_t *r, char *why, size_t whysize)
{
    if (r->n_fields > LK_API_MAX_FIELDS)
        return bad(why, whysize, r, "more body fields than LK_API_MAX_FIELDS");
    if (r->n_fields && !r->fields)
        return bad(why, whysize, r, "n_fields without fields");
    if (r->need_one && !r->n_fields)
        return bad(why, whysize, r, "need_one without body fields");
    if (r->body_optional && !r->n_fields)
        return bad(why, whysize, r, "body_optional without body fields");
    if (r->n_fields && strcmp(r->method, "GET") == 0)
        return bad(why, whysize, r, "a GET route with a body");
    for (size_t i = 0; i < r->n_fields; i++) {
        const lk_api_field_t *f = &r->fields[i];
        if (!f->name || !f->name[0])
            return bad(why, whysize, r, "a body field without a name");
        if (f->type == LK_FIELD_ENUM && (!f->values || !f->values[0]))
            return bad(why, whysize, r, "an enum field without values");
        if (f->type != LK_FIELD_ENUM && f->values)
            return bad(why, whysize, r, "values on a field that is no enum");
        if (f->nullable && f->type != LK_FIELD_ENUM && f->type != LK_FIELD_STRING)
            return bad(why, whysize, r, "nullable on a field that is neither string nor enum");
        if (f->type == LK_FIELD_TRUE && !f->required)
            return bad(why, whysize, r, "a TRUE field that is not required");
        if (f->check && f->type != LK_FIELD_STRING)
            return bad(why, whysize, r, "a check on a field that is no string");
        if (f->type == LK_FIELD_INT && f->min > f->max)
            return bad(why, whysize, r, "an integer field whose min is above its max");
        for (size_t k = 0; k < i; k++)
            if (strcmp(r->fields[k].name, f->name) == 0)
                return bad(why, whysize, r, "a body field declared twice");
    }
    return 0;
}

int lk_api_routes_check(const lk_api_route_t *routes, size_t n, char *why, size_t whysize)
{
    static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
    for (size_t i = 0; i < n; i++) {
        const lk_api_route_t *r = &routes[i];
        bool method_ok = false;
        for (size_t m = 0; r->method && m < sizeof methods / sizeof methods[0]; m++)
            method_ok = method_ok || strcmp(r->method, methods[m]) == 0;
        if (!method_ok)
            return bad(why, whysize, r, "no method, or one loket does not route");
        if (!r->path || r->path[0] != '/')
            return bad(why, whysize, r, "the path must start with /");
        if (!r->steps[0].run && !r->prepare)
            return bad(why, whysize, r, "no step with a run function, and no prepare to answer");
        if (!r->steps[0].run && r->role != LK_ACCESS_ANYONE)
            return bad(why, whysize, r, "a route with a role and no step to check it");
        for (size_t s = 0; s < LK_API_MAX_STEPS && r->steps[s].run; s++)
            if (r->steps[s].pool != LK_ON_READER && r->steps[s].pool != LK_ON_WRITER && r->steps[s].pool != LK_ON_CPU)
                return bad(why, whysize, r, "a step on no pool");
        if (r->steps[0].keep_user)
            return bad(why, whysize, r, "keep_user on the first step");
        if (r->role == LK_ACCESS_CONVERSATION && !strstr(r->path, "/:id"))
            return bad(why, whysize, r, "a conversation's route without :id in its path");
        if (r->role != LK_ACCESS_ANYONE && r->steps[0].pool == LK_ON_CPU)
            return bad(why, whysize, r, "a route with a role must check the session before it hashes");
        if (r->data_free && !r->data_size)
            return bad(why, whysize, r, "data_free without data_size");
        if (r->status && (r->status < 200 || r->status > 299))
            return bad(why, whysize, r, "a success status outside 2xx");
        int rc = check_fields(r, why, whysize);
        if (rc)
            return rc;
        for (size_t k = 0; k < i; k++)
            if (strcmp(routes[k].method, r->method) == 0 && strcmp(routes[k].path, r->path) == 0)
                return bad(why, whysize, r, "declared twice");
    }
    return 0;
}

/* ---- the server's routes ---------------------------------------------- */

/* The routes the server was started with and their table entries (NULL for
 * a handler of its own), by index: set once before the server starts. */
static const lk_http_route_t *served;
static const lk_api_route_t *const *served_entries;
static size_t n_served;

void lk_api_routes_serve(const lk_http_route_t *routes, const lk_api_route_t *const *entries, size_t n)
{
    served = routes;
    served_entries = entries;
    n_served = n;
}

const lk_api_route_t *lk_api_route_of(const lk_http_route_t *hr)
{
    if (!hr || !served || hr < served || hr >= served + n_served)
        return NULL;
    return served_entries[hr - served];
}

/* ---- the job ---------------------------------------------------------- */

/* A refusal by role or access right is a security event (secevents.c). */
void lk_respond_job_error(lk_http_req_t *req, lk_api_error_t *e)
{
    if (!e->code)
        lk_job_fail_db(&(lk_job_t){0}, e, LK_EDB);
    if (e->refused && e->status == 403)
        lk_security_event(NULL, req, LK_SEC_FORBIDDEN, e->refused_user, e->refused_email, e->message);
    lk_respond_error(req, e->status, e->code, "%s", e->message);
}

void lk_api_fail(lk_api_job_t *job, int rc, int status, const char *code, const char *msg)
{
    lk_job_fail(&job->job, &job->err, rc, status, code, msg);
}

void lk_api_fail_db(lk_api_job_t *job, int rc)
{
    lk_job_fail_db(&job->job, &job->err, rc);
}

void lk_api_fail_long(lk_api_job_t *job, const char *code, const char *msg)
{
    lk_api_fail(job, LK_EINVAL, 400, code, msg);
    free(job->long_message);
    job->long_message = lk_xstrdup(msg);
}

json_t *lk_api_list_json(lk_api_job_t *job, int rc, const void *v, size_t n, size_t size,
                         json_t *(*one)(const void *record))
{
    if (rc) {
        lk_api_fail_db(job, rc);
        return NULL;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, one((const char *)v + i * size));
    return arr;
}

void lk_api_forbid(lk_api_job_t *job, const char *msg)
{
    lk_api_fail(job, LK_EAUTH, 403, "forbidden", msg);
    lk_api_error_refused(&job->err, &job->user);
}

bool lk_api_found(lk_api_job_t *job, int rc, int status, const char *code, const char *msg)
{
    if (rc == LK_ENOENT)
        lk_api_fail(job, rc, status, code, msg);
    else if (rc)
        lk_api_fail_db(job, rc);
    return rc == 0;
}

bool lk_api_conv_load(lk_api_job_t *job, lk_store_t *st, lk_conv_t *c)
{
    memset(c, 0, sizeof *c);
    return lk_api_found(job, lk_store_conv_get(st, job->id, c), 404, "not_found", "no conversation with this id");
}

bool lk_api_conv_msg(lk_api_job_t *job, lk_store_t *st, const lk_conv_t *c, const char *message_id, lk_msg_t *m)
{
    memset(m, 0, sizeof *m);
    int rc = lk_store_msg_get(st, message_id, m);
    if (rc == 0 && strcmp(m->conversation_id, c->id) != 0)
        rc = LK_ENOENT;
    return lk_api_found(job, rc, 404, "not_found", "no message with this id in this conversation");
}

/* ---- query parameters ------------------------------------------------- */

int lk_api_query_pick(lk_str_t v, const char *const *values)
{
    if (v.len == 0)
        return 0;
    for (size_t i = 0; values[i]; i++)
        if (values[i][0] && lk_str_eq_cstr(v, values[i]))
            return (int)i;
    return -1;
}

bool lk_api_query_choice(lk_api_job_t *job, const char *name, const char *const *values, char *out, size_t size,
                         const char *msg)
{
    lk_str_t v;
    if (!lk_http_req_query(job->req, name, &v))
        v.len = 0;
    int i = lk_api_query_pick(v, values);
    if (i < 0) {
        lk_respond_error(job->req, 400, "invalid_field", "%s", msg);
        return false;
    }
    snprintf(out, size, "%s", values[i]);
    return true;
}

bool lk_api_query_search(lk_api_job_t *job, const char *name, size_t max, char **out)
{
    lk_str_t v;
    *out = NULL;
    if (!lk_http_req_query(job->req, name, &v) || v.len == 0)
        return true;
    if (v.len > max || !lk_utf8_valid(v.base, v.len)) {
        lk_respond_error(job->req, 400, "invalid_field",
                         "the parameter \"%s\" must be valid UTF-8 of at most %zu bytes", name, max);
        return false;
    }
    *out = lk_xstrndup(v.base, v.len);
    return true;
}

bool lk_api_query_int(lk_api_job_t *job, const char *name, int64_t min, int64_t max, int64_t *out, const char *msg)
{
    lk_str_t v;
    if (!lk_http_req_query(job->req, name, &v) || v.len == 0)
        return true;
    char num[24];
    if (v.len < sizeof num) {
        memcpy(num, v.base, v.len);
        num[v.len] = '\0';
        if (lk_parse_i64(num, min, max, out) == 0)
            return true;
    }
    if (msg)
        lk_respond_error(job->req, 400, "invalid_field", "%s", msg);
    else
        lk_respond_error(job->req, 400, "invalid_field", "the parameter \"%s\" must be a whole number from %lld to %lld",
                         name, (long long)min, (long long)max);
    return false;
}

bool lk_api_query_flag(lk_api_job_t *job, const char *name, bool *out)
{
    static const char *const values[] = {"false", "true", "0", "1", NULL};
    char msg[128], v[8];
    snprintf(msg, sizeof msg, "the parameter \"%s\" must be \"true\" or \"false\"", name);
    if (!lk_api_query_choice(job, name, values, v, sizeof v, msg))
        return false;
    *out = strcmp(v, "true") == 0 || strcmp(v, "1") == 0;
    return true;
}

char *lk_api_body_copy(lk_api_job_t *job, size_t *len)
{
    lk_str_t body = lk_http_req_body(job->req);
    char *copy = lk_xmalloc(body.len + 1);
    if (body.len)
        memcpy(copy, body.base, body.len);
    copy[body.len] = '\0';
    *len = body.len;
    return copy;
}

static void job_free(lk_api_job_t *j)
{
    const lk_api_route_t *r = j->route;
    lk_user_clear(&j->user);
    lk_conv_clear(&j->conv);
    sodium_memzero(j->token, sizeof j->token);
    lk_api_values_clear(r->fields, r->n_fields, j->body);
    if (j->data) {
        if (r->data_free)
            r->data_free(j->data);
        sodium_memzero(j->data, r->data_size);
        free(j->data);
    }
    if (j->out)
        json_decref(j->out);
    free(j->long_message);
    free(j);
}

static lk_pool_t *pool_of(struct lk_app *app, lk_api_pool_t p)
{
    return p == LK_ON_WRITER ? app->writer : p == LK_ON_READER ? app->readers : app->cpu;
}

/* A wrong token and an unknown conversation look the same from outside. */
#define CONV_UNAUTHORIZED "missing or wrong token for this conversation"

/* LK_ACCESS_CONVERSATION: the conversation :id into job->conv, with the
 * request's token checked against it; false after failing the job. */
static bool conv_authenticate(lk_api_job_t *j, lk_store_t *st)
{
    lk_conv_clear(&j->conv);
    memset(&j->conv, 0, sizeof j->conv);
    int rc = lk_store_conv_get(st, j->id, &j->conv);
    if (rc == LK_ENOENT || (rc == 0 && !lk_api_conv_token_ok(&j->conv, j->token))) {
        lk_conv_clear(&j->conv);
        memset(&j->conv, 0, sizeof j->conv);
        lk_api_fail(j, LK_EAUTH, 401, "unauthorized", CONV_UNAUTHORIZED);
        return false;
    }
    if (rc)
        lk_api_fail_db(j, rc);
    return rc == 0;
}

/* A step on a database pool checks the session (or the conversation's
 * token) and the role first. */
static void job_run(lk_job_t *job, lk_store_t *st)
{
    lk_api_job_t *j = (lk_api_job_t *)job;
    const lk_api_route_t *r = j->route;
    const lk_api_step_t *s = &r->steps[j->step];
    int64_t now = lk_time_now_ms();
    if (st && r->role == LK_ACCESS_CONVERSATION && !s->keep_user) {
        if (!conv_authenticate(j, st))
            return;
    } else if (st && r->role != LK_ACCESS_ANYONE && !s->keep_user) {
        lk_user_clear(&j->user);
        bool ok = r->role == LK_ACCESS_SIGNED_IN
                      ? lk_api_authenticate_any(job, &j->err, st, j->session_hash, now, &j->user, &j->setup_pending)
                      : lk_api_authenticate(job, &j->err, st, j->session_hash, now, &j->user);
        if (!ok)
            return;
        if (!lk_api_role_allows(r->role, &j->user)) {
            lk_api_forbid(j, "your role does not allow this");
            return;
        }
    }
    s->run(j, st, now);
}

static bool submit(lk_api_job_t *j)
{
    const lk_api_route_t *r = j->route;
    if (r->before && !r->before(j, j->step))
        return false;
    lk_pool_submit(pool_of(j->app, r->steps[j->step].pool), &j->job);
    return true;
}

/* The answer: the after hook, then the job's JSON or its error. */
static void finish(lk_api_job_t *j)
{
    const lk_api_route_t *r = j->route;
    if (r->after && !r->after(j)) {
        job_free(j);
        return;
    }
    if (j->job.rc && j->long_message) {
        lk_respond_error(j->req, j->err.status, j->err.code, "%s", j->long_message);
    } else if (j->job.rc) {
        lk_respond_job_error(j->req, &j->err);
    } else {
        lk_respond_json(j->req, r->status ? r->status : 200, j->out ? j->out : json_object());
        j->out = NULL;
    }
    job_free(j);
}

static void job_done(lk_job_t *job)
{
    lk_api_job_t *j = (lk_api_job_t *)job;
    const lk_api_route_t *r = j->route;
    if (j->job.rc == 0 && j->step + 1 < LK_API_MAX_STEPS && r->steps[j->step + 1].run) {
        j->step++;
        if (!submit(j))
            job_free(j);
        return;
    }
    finish(j);
}

static bool changes_state(const char *method)
{
    return strcmp(method, "GET") != 0;
}

void lk_api_route_handle(lk_http_req_t *req, void *ud)
{
    struct lk_app *app = ud;
    const lk_api_route_t *r = lk_api_route_of(lk_http_req_route(req));
    if (!r) {
        lk_respond_error(req, 500, "internal", "loket could not complete this request; please try again");
        return;
    }
    bool widget = r->widget || r->role == LK_ACCESS_CONVERSATION;
    if (widget ? !lk_api_check_customer_origin(app, req)
               : (r->origin || changes_state(r->method)) && !lk_api_check_origin(req))
        return;
    lk_api_job_t *j = lk_xcalloc(1, sizeof *j);
    j->app = app;
    j->req = req;
    j->route = r;
    lk_job_init(&j->job, req, job_run, job_done);
    lk_api_session_hash(req, j->session_hash);
    lk_api_req_id(req, j->id);
    if (r->data_size)
        j->data = lk_xcalloc(1, r->data_size);
    if (r->role == LK_ACCESS_CONVERSATION) { /* the conversation and its token, before the body */
        lk_str_t id = lk_http_req_param(req, "id"), token;
        lk_api_bearer(req, &token);
        if (id.len == 0 || id.len >= sizeof j->id || token.len == 0 || token.len >= sizeof j->token) {
            lk_respond_error(req, 401, "unauthorized", CONV_UNAUTHORIZED);
            job_free(j);
            return;
        }
        memcpy(j->token, token.base, token.len);
    }
    lk_body_error_t e = {
        .status = 413, .code = "body_too_large", .message = "the request body is larger than the limit"};
    lk_str_t body = lk_http_req_body(req);
    bool too_large = lk_http_req_body_too_large(req);
    if (r->n_fields ? !route_body(r, (size_t)app->cfg.max_text, body.base, body.len, too_large, j->body, &e, &j->json)
                    : too_large) {
        lk_respond_error(req, e.status, e.code, "%s", e.message);
        job_free(j);
        return;
    }
    bool prepared = !r->prepare || r->prepare(j);
    json_decref(j->json);
    j->json = NULL;
    if (!prepared) {
        job_free(j);
        return;
    }
    /* no session cookie: the answer the session check would give, without a
     * trip to a pool (through the after hook, as any failed job) */
    if (r->role != LK_ACCESS_ANYONE && r->role != LK_ACCESS_CONVERSATION && !j->session_hash[0]) {
        lk_api_fail(j, LK_EAUTH, 401, "unauthorized", "log in first: no valid session");
        finish(j);
        return;
    }
    if (!r->steps[0].run) {
        finish(j);
        return;
    }
    lk_pool_submit(pool_of(app, r->steps[0].pool), &j->job);
}
