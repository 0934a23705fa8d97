/*
 * The customer's side of the API (CONTRACT.md): start a conversation, send a
 * message and get the bot's turn back, read the conversation, press the
 * "talk to a person" button, rate, and follow the conversation live over a
 * WebSocket. Requests are checked on the event loop (size, UTF-8, JSON,
 * fields); the database work and the bot's turn run in one writer job, so
 * what the client is told has been committed.
 */
#include "api/api_int.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define MODULE "customer"

typedef enum { OP_CREATE, OP_MESSAGE, OP_GET, OP_HANDOFF, OP_RATING, OP_WS, OP_FEEDBACK } op_t;

typedef struct {
    lk_job_t job;
    struct lk_app *app;
    lk_http_req_t *req;
    op_t op;
    char id[LK_ID_MAX];
    char token[LK_TOKEN_LEN + 8];
    char language[8];
    char *text;
    int score;
    char *comment;
    char message_id[LK_ID_MAX];
    bool helpful;
    int64_t after;
    bool has_after; /* OP_WS: resume after a seq (else only new messages) */
    lk_sub_t *sub;
    lk_conv_t who; /* OP_CREATE: the customer and channel the body names (assist.c) */
    char client_hash[LK_TOKEN_HASH_LEN + 1]; /* OP_CREATE: the client address's keyed hash */
    int64_t retry_ms;                        /* with a 429: when to try again */
    /* results */
    int status;
    lk_api_error_t err;
    json_t *out;
    char **backlog;
    int64_t *backlog_seq;
    size_t n_backlog;
} cjob_t;

static void cjob_free(cjob_t *j)
{
    free(j->text);
    free(j->comment);
    lk_conv_clear(&j->who);
    if (j->out)
        json_decref(j->out);
    for (size_t i = 0; i < j->n_backlog; i++)
        free(j->backlog[i]);
    free(j->backlog);
    free(j->backlog_seq);
    free(j);
}

static void fail(cjob_t *j, int rc, int status, const char *code, const char *msg)
{
    lk_job_fail(&j->job, &j->err, rc, status, code, msg);
}

static void fail_db(cjob_t *j, int rc)
{
    lk_job_fail_db(&j->job, &j->err, rc);
}

/* A wrong token and an unknown conversation look the same from outside. */
static void fail_auth(cjob_t *j)
{
    fail(j, LK_EAUTH, 401, "unauthorized", "missing or wrong token for this conversation");
}

static bool token_ok(const lk_conv_t *c, const char *token)
{
    char h[LK_TOKEN_HASH_LEN + 1];
    lk_token_hash(token, strlen(token), h);
    return strlen(c->token_hash) == LK_TOKEN_HASH_LEN && lk_const_eq(h, c->token_hash, LK_TOKEN_HASH_LEN);
}

/* Loads the conversation and checks the token; false after fail(). */
static bool load_conv(cjob_t *j, lk_store_t *st, lk_conv_t *c)
{
    memset(c, 0, sizeof *c);
    int rc = lk_store_conv_get(st, j->id, c);
    if (rc == LK_ENOENT || (rc == 0 && !token_ok(c, j->token))) {
        lk_conv_clear(c);
        fail_auth(j);
        return false;
    }
    if (rc) {
        fail_db(j, rc);
        return false;
    }
    return true;
}

static void run_create(cjob_t *j, lk_store_t *st, int64_t now)
{
    lk_conv_t c = {0};
    lk_rand_id("c_", c.id, sizeof c.id);
    char token[LK_TOKEN_LEN + 1];
    lk_rand_token(token);
    lk_token_hash(token, strlen(token), c.token_hash);
    snprintf(c.status, sizeof c.status, "bot");
    snprintf(c.language, sizeof c.language, "%s", j->language);
    c.created_at = c.updated_at = now;
    c.next_seq = 1;
    lk_api_customer_move(&j->who, &c);
    snprintf(c.client_hash, sizeof c.client_hash, "%s", j->client_hash);
    int rc = 0;
    int64_t max_open = j->app->cfg.limit_open_conversations;
    if (max_open > 0 && c.client_hash[0]) { /* open conversations per address */
        int64_t idle = j->app->cfg.limit_open_idle * 1000, n_open = 0, oldest = 0;
        rc = lk_store_conv_count_open_by_client(st, c.client_hash, now - idle, &n_open, &oldest);
        if (rc == 0 && n_open >= max_open) {
            j->retry_ms = oldest + idle - now;
            fail(j, LK_EBUSY, 429, "too_many_requests", "too many open conversations from this address");
            lk_conv_clear(&c);
            return;
        }
    }
    if (rc == 0)
        rc = lk_store_conv_insert(st, &c);
    if (rc) {
        fail_db(j, rc);
        lk_conv_clear(&c);
        return;
    }
    lk_bot_t *bot = lk_bot_acquire(j->app);
    lk_msg_t *msgs = NULL;
    size_t n = 0;
    lk_policy_event_t ev = {.type = LK_EV_START};
    rc = lk_turn_apply(j->app, st, &j->job, &c, &ev, bot, now, &msgs, &n);
    lk_bot_release(bot);
    if (rc == 0)
        rc = lk_store_audit(st, now, "customer", "conversation.create", c.id, NULL);
    if (rc) {
        fail_db(j, rc);
    } else {
        j->out = lk_json_conv(&c, msgs, n); /* new: not queued */
        json_object_set_new(j->out, "token", json_string(token));
        j->status = 201;
    }
    sodium_memzero(token, sizeof token);
    lk_msgs_free(msgs, n);
    lk_conv_clear(&c);
}

/* Stores text as the customer's message and runs the bot's turn on it. */
static int customer_turn(cjob_t *j, lk_store_t *st, lk_conv_t *c, const char *text, int64_t now, lk_msg_t **msgs,
                         size_t *n)
{
    /* what the customer said before, for the NLU's repeat signal */
    lk_msg_t *prev = NULL;
    size_t n_prev = 0;
    int rc = lk_store_msg_list_recent(st, c->id, "customer", 5, &prev, &n_prev);
    if (rc)
        return rc;
    lk_bot_t *bot = lk_bot_acquire(j->app);
    const char **texts = lk_xcalloc(n_prev ? n_prev : 1, sizeof *texts);
    for (size_t i = 0; i < n_prev; i++)
        texts[i] = prev[i].text;
    lk_nlu_context_t ctx = {texts, n_prev, c->language};
    lk_nlu_reading_t reading;
    rc = lk_nlu_read(bot->nlu, text, strlen(text), &ctx, &reading);
    free(texts);
    if (rc == 0) {
        lk_msg_t m = {0}; /* stored by the turn, with its outcome */
        snprintf(m.sender, sizeof m.sender, "customer");
        m.automated = false;
        m.text = lk_xstrdup(text);
        m.created_at = now;
        lk_policy_event_t ev = {.type = LK_EV_MESSAGE, .text = text, .len = strlen(text), .reading = &reading};
        rc = lk_turn_apply_customer(j->app, st, &j->job, c, &ev, bot, now, &m, msgs, n);
    }
    lk_bot_release(bot);
    lk_msgs_free(prev, n_prev);
    return rc;
}

static void turn_result(cjob_t *j, lk_store_t *st, lk_conv_t *c, lk_msg_t *msgs, size_t n, int64_t now)
{
    j->out = json_object();
    json_object_set_new(j->out, "conversation", lk_json_conv_customer(st, c, NULL, 0, now));
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, lk_json_msg(&msgs[i]));
    json_object_set_new(j->out, "messages", arr);
}

static void run_message(cjob_t *j, lk_store_t *st, int64_t now)
{
    lk_conv_t c;
    if (!load_conv(j, st, &c))
        return;
    lk_msg_t *msgs = NULL;
    size_t n = 0;
    int rc = customer_turn(j, st, &c, j->text, now, &msgs, &n);
    if (rc) {
        fail_db(j, rc);
    } else {
        turn_result(j, st, &c, msgs, n, now);
        j->status = 201;
    }
    lk_msgs_free(msgs, n);
    lk_conv_clear(&c);
}

/* "Did this help?" answered with a button. The answer is recorded on the bot
 * message; a "no" while the bot still has the conversation is also the
 * customer's reply in the conversation (as if they typed it), so the policy
 * counts it as a failure and offers a person. */
static void run_feedback(cjob_t *j, lk_store_t *st, int64_t now)
{
    lk_conv_t c;
    if (!load_conv(j, st, &c))
        return;
    lk_msg_t target = {0};
    int rc = lk_store_msg_get(st, j->message_id, &target);
    if (rc == LK_ENOENT || (rc == 0 && (strcmp(target.conversation_id, c.id) != 0 ||
                                        strcmp(target.sender, "bot") != 0 || !target.article_id))) {
        fail(j, LK_ENOENT, 404, "not_found", "no bot answer with this message_id in this conversation");
        lk_msg_clear(&target);
        lk_conv_clear(&c);
        return;
    }
    lk_msg_clear(&target);
    lk_msg_t *msgs = NULL;
    size_t n = 0;
    if (rc == 0)
        rc = lk_store_feedback_set(st, c.id, j->message_id, j->helpful, now);
    if (rc == 0 && !j->helpful && strcmp(c.status, "bot") == 0)
        rc = customer_turn(j, st, &c, strcmp(c.language, "en") == 0 ? "No" : "Nee", now, &msgs, &n);
    if (rc) {
        fail_db(j, rc);
    } else {
        turn_result(j, st, &c, msgs, n, now);
        j->status = 200;
    }
    lk_msgs_free(msgs, n);
    lk_conv_clear(&c);
}

static void run_get(cjob_t *j, lk_store_t *st)
{
    lk_conv_t c;
    if (!load_conv(j, st, &c))
        return;
    lk_msg_t *msgs = NULL;
    size_t n = 0;
    int rc = lk_store_msg_list(st, c.id, 0, 0, &msgs, &n);
    if (rc) {
        fail_db(j, rc);
    } else {
        j->out = lk_json_conv_customer(st, &c, msgs, n, lk_time_now_ms());
        j->status = 200;
    }
    lk_msgs_free(msgs, n);
    lk_conv_clear(&c);
}

static void run_handoff(cjob_t *j, lk_store_t *st, int64_t now)
{
    lk_conv_t c;
    if (!load_conv(j, st, &c))
        return;
    lk_msg_t *msgs = NULL;
    size_t n = 0;
    lk_bot_t *bot = lk_bot_acquire(j->app);
    lk_policy_event_t ev = {.type = LK_EV_BUTTON};
    int rc = lk_turn_apply(j->app, st, &j->job, &c, &ev, bot, now, &msgs, &n);
    lk_bot_release(bot);
    if (rc) {
        fail_db(j, rc);
    } else {
        j->out = lk_json_conv_customer(st, &c, NULL, 0, now);
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(arr, lk_json_msg(&msgs[i]));
        json_object_set_new(j->out, "new_messages", arr);
        j->status = 200;
    }
    lk_msgs_free(msgs, n);
    lk_conv_clear(&c);
}

static void run_rating(cjob_t *j, lk_store_t *st, int64_t now)
{
    lk_conv_t c;
    if (!load_conv(j, st, &c))
        return;
    c.rating = j->score;
    free(c.rating_comment);
    c.rating_comment = j->comment ? lk_xstrdup(j->comment) : NULL;
    c.updated_at = now;
    int rc = lk_store_conv_update(st, &c);
    if (rc == 0)
        rc = lk_store_audit(st, now, "customer", "conversation.rating", c.id, NULL);
    if (rc) {
        fail_db(j, rc);
    } else {
        j->out = lk_json_conv_customer(st, &c, NULL, 0, now);
        j->status = 200;
    }
    lk_conv_clear(&c);
}

static void run_ws(cjob_t *j, lk_store_t *st)
{
    lk_conv_t c;
    if (!load_conv(j, st, &c))
        return;
    lk_msg_t *msgs = NULL;
    size_t n = 0;
    int rc = 0;
    if (j->has_after)
        rc = lk_store_msg_list(st, c.id, j->after, 0, &msgs, &n);
    else
        j->after = c.next_seq - 1; /* only what comes after this moment */
    if (rc) {
        fail_db(j, rc);
    } else {
        j->backlog = lk_xcalloc(n ? n : 1, sizeof *j->backlog);
        j->backlog_seq = lk_xcalloc(n ? n : 1, sizeof *j->backlog_seq);
        for (size_t i = 0; i < n; i++) {
            json_t *mj = lk_json_msg(&msgs[i]);
            j->backlog[i] = lk_json_dump(mj, NULL);
            j->backlog_seq[i] = msgs[i].seq;
            json_decref(mj);
        }
        j->n_backlog = n;
        j->status = 101;
    }
    lk_msgs_free(msgs, n);
    lk_conv_clear(&c);
}

static void job_run(lk_job_t *job, lk_store_t *st)
{
    cjob_t *j = (cjob_t *)job;
    int64_t now = lk_time_now_ms();
    switch (j->op) {
    case OP_CREATE:
        run_create(j, st, now);
        break;
    case OP_MESSAGE:
        run_message(j, st, now);
        break;
    case OP_GET:
        run_get(j, st);
        break;
    case OP_HANDOFF:
        run_handoff(j, st, now);
        break;
    case OP_RATING:
        run_rating(j, st, now);
        break;
    case OP_WS:
        run_ws(j, st);
        break;
    case OP_FEEDBACK:
        run_feedback(j, st, now);
        break;
    }
}

static void job_done(lk_job_t *job)
{
    cjob_t *j = (cjob_t *)job;
    if (j->op == OP_WS) {
        if (j->job.rc) {
            lk_hub_sub_cancel(j->sub);
            lk_respond_job_error(j->req, &j->err);
        } else {
            lk_ws_t *ws = lk_http_ws_accept(j->req, &lk_hub_ws_callbacks, j->sub);
            if (ws)
                lk_hub_sub_attach(j->sub, ws, j->after, j->backlog, j->backlog_seq, j->n_backlog);
            else
                lk_hub_sub_cancel(j->sub);
        }
    } else if (j->job.rc && j->err.status == 429) {
        lk_respond_rate_limited(j->req, j->retry_ms, "open conversations from this address");
    } else if (j->job.rc) {
        lk_respond_job_error(j->req, &j->err);
    } else {
        lk_respond_json(j->req, j->status, j->out);
        j->out = NULL;
    }
    cjob_free(j);
}

static cjob_t *cjob_new(struct lk_app *app, lk_http_req_t *req, op_t op)
{
    cjob_t *j = lk_xcalloc(1, sizeof *j);
    j->app = app;
    j->req = req;
    j->op = op;
    lk_job_init(&j->job, req, job_run, job_done);
    return j;
}

/* Reads the conversation id and the bearer token; answers 401 itself. */
static bool read_auth(lk_http_req_t *req, cjob_t *j, lk_str_t token)
{
    lk_str_t id = lk_http_req_param(req, "id");
    if (id.len == 0 || id.len >= sizeof j->id || token.len == 0 || token.len >= sizeof j->token) {
        lk_respond_error(req, 401, "unauthorized", "missing or wrong token for this conversation");
        return false;
    }
    memcpy(j->id, id.base, id.len);
    memcpy(j->token, token.base, token.len);
    return true;
}

static bool bearer(lk_http_req_t *req, lk_str_t *token)
{
    lk_str_t h;
    *token = LK_STR("");
    if (!lk_http_req_header(req, "authorization", &h))
        return false;
    if (h.len > 7 && strncasecmp(h.base, "Bearer ", 7) == 0) {
        *token = (lk_str_t){h.base + 7, h.len - 7};
        while (token->len && token->base[0] == ' ') {
            token->base++;
            token->len--;
        }
        return token->len > 0;
    }
    return false;
}

/* The rate limits of requests on a conversation: per client address, and
 * per conversation. The latter's key includes a digest of the token, so that
 * requests with a wrong token cannot use up the real client's allowance. */
static bool conv_limits(lk_http_req_t *req, struct lk_app *app, const cjob_t *j)
{
    char addr[LK_ADDR_MAX], key[LK_ID_MAX + 20];
    lk_api_client_addr(app, req, addr);
    if (!lk_security_hit(app, req, LK_LIMIT_MESSAGES_ADDRESS, addr, "requests from this address"))
        return false;
    char th[LK_TOKEN_HASH_LEN + 1];
    lk_token_hash(j->token, strlen(j->token), th);
    snprintf(key, sizeof key, "%s:%.16s", j->id, th);
    if (!lk_security_hit(app, req, LK_LIMIT_MESSAGES_CONVERSATION, key, "messages in this conversation")) {
        lk_ratelimit_forgive(lk_security_limit(app, LK_LIMIT_MESSAGES_ADDRESS), addr);
        return false;
    }
    return true;
}

/* A job for a request on one conversation: origin, token and (for the
 * requests that change it) rate limits checked; NULL after answering. */
static cjob_t *authed_job(lk_http_req_t *req, struct lk_app *app, op_t op)
{
    lk_str_t token;
    bearer(req, &token);
    if (!lk_api_check_customer_origin(app, req))
        return NULL;
    cjob_t *j = cjob_new(app, req, op);
    if (!read_auth(req, j, token) || (op != OP_GET && !conv_limits(req, app, j))) {
        cjob_free(j);
        return NULL;
    }
    return j;
}

static void h_create(lk_http_req_t *req, void *ud)
{
    struct lk_app *app = ud;
    char addr[LK_ADDR_MAX];
    lk_api_client_addr(app, req, addr);
    if (!lk_api_check_customer_origin(app, req) ||
        !lk_security_hit(app, req, LK_LIMIT_CONVERSATIONS_ADDRESS, addr, "new conversations from this address"))
        return;
    cjob_t *j = cjob_new(app, req, OP_CREATE);
    lk_api_client_hash(app, addr, j->client_hash);
    snprintf(j->language, sizeof j->language, "nl");
    if (lk_http_req_body(req).len > 0 || lk_http_req_body_too_large(req)) {
        json_t *body = lk_parse_body(req);
        if (!body) {
            cjob_free(j);
            return;
        }
        const char *lang;
        if (!lk_body_string(req, body, "language", 8, false, &lang)) {
            json_decref(body);
            cjob_free(j);
            return;
        }
        if (lang && strcmp(lang, "nl") != 0 && strcmp(lang, "en") != 0) {
            lk_respond_error(req, 400, "invalid_field", "the field \"language\" must be \"nl\" or \"en\"");
            json_decref(body);
            cjob_free(j);
            return;
        }
        if (lang)
            snprintf(j->language, sizeof j->language, "%s", lang);
        if (!lk_api_customer_parse(app, req, body, lk_time_now_ms(), &j->who)) {
            json_decref(body);
            cjob_free(j);
            return;
        }
        json_decref(body);
    }
    lk_pool_submit(app->writer, &j->job);
}

static void h_message(lk_http_req_t *req, void *ud)
{
    struct lk_app *app = ud;
    cjob_t *j = authed_job(req, app, OP_MESSAGE);
    if (!j)
        return;
    json_t *body = lk_parse_body(req);
    const char *text = NULL;
    if (!body || !lk_body_string(req, body, "text", (size_t)app->cfg.max_text, true, &text)) {
        json_decref(body);
        cjob_free(j);
        return;
    }
    j->text = lk_xstrdup(text);
    json_decref(body);
    lk_pool_submit(app->writer, &j->job);
}

static void h_get(lk_http_req_t *req, void *ud)
{
    struct lk_app *app = ud;
    cjob_t *j = authed_job(req, app, OP_GET);
    if (j)
        lk_pool_submit(app->readers, &j->job);
}

static void h_handoff(lk_http_req_t *req, void *ud)
{
    struct lk_app *app = ud;
    cjob_t *j = authed_job(req, app, OP_HANDOFF);
    if (!j)
        return;
    if (lk_http_req_body_too_large(req)) { /* the button takes no body; a huge one is still refused */
        lk_respond_error(req, 413, "body_too_large", "the request body is larger than the limit");
        cjob_free(j);
        return;
    }
    lk_pool_submit(app->writer, &j->job);
}

static void h_rating(lk_http_req_t *req, void *ud)
{
    struct lk_app *app = ud;
    cjob_t *j = authed_job(req, app, OP_RATING);
    if (!j)
        return;
    json_t *body = lk_parse_body(req);
    if (!body) {
        cjob_free(j);
        return;
    }
    json_t *score = json_object_get(body, "score");
    const char *comment = NULL;
    if (!score) {
        lk_respond_error(req, 400, "missing_field", "the field \"score\" is required");
    } else if (!json_is_integer(score) || json_integer_value(score) < 1 || json_integer_value(score) > 5) {
        lk_respond_error(req, 400, "invalid_field", "the field \"score\" must be a whole number from 1 to 5");
    } else if (lk_body_string(req, body, "comment", 2000, false, &comment)) {
        j->score = (int)json_integer_value(score);
        j->comment = comment ? lk_xstrdup(comment) : NULL;
        json_decref(body);
        lk_pool_submit(app->writer, &j->job);
        return;
    }
    json_decref(body);
    cjob_free(j);
}

static void h_feedback(lk_http_req_t *req, void *ud)
{
    struct lk_app *app = ud;
    cjob_t *j = authed_job(req, app, OP_FEEDBACK);
    if (!j)
        return;
    json_t *body = lk_parse_body(req);
    const char *mid = NULL;
    if (body && lk_body_string(req, body, "message_id", LK_ID_MAX - 1, true, &mid)) {
        json_t *helpful = json_object_get(body, "helpful");
        if (!helpful) {
            lk_respond_error(req, 400, "missing_field", "the field \"helpful\" is required");
        } else if (!json_is_boolean(helpful)) {
            lk_respond_error(req, 400, "invalid_field", "the field \"helpful\" must be true or false");
        } else {
            snprintf(j->message_id, sizeof j->message_id, "%s", mid);
            j->helpful = json_is_true(helpful);
            json_decref(body);
            lk_pool_submit(app->writer, &j->job);
            return;
        }
    }
    json_decref(body);
    cjob_free(j);
}

static void h_ws(lk_http_req_t *req, void *ud)
{
    struct lk_app *app = ud;
    lk_str_t token = LK_STR(""), after;
    if (!lk_http_req_query(req, "token", &token))
        bearer(req, &token);
    if (!lk_api_check_customer_origin(app, req)) /* a browser's WebSocket carries Origin */
        return;
    cjob_t *j = cjob_new(app, req, OP_WS);
    if (!read_auth(req, j, token)) {
        cjob_free(j);
        return;
    }
    if (lk_http_req_query(req, "after", &after) && after.len > 0) {
        char buf[24];
        int64_t v = -1;
        if (after.len < sizeof buf) {
            memcpy(buf, after.base, after.len);
            buf[after.len] = '\0';
            lk_parse_i64(buf, 0, INT64_MAX, &v);
        }
        if (v < 0) {
            lk_respond_error(req, 400, "invalid_field", "the parameter \"after\" must be a message seq (0 or more)");
            cjob_free(j);
            return;
        }
        j->after = v;
        j->has_after = true;
    }
    if (!lk_http_req_is_websocket(req)) {
        lk_respond_error(req, 400, "not_websocket", "this endpoint expects a WebSocket upgrade");
        cjob_free(j);
        return;
    }
    j->sub = lk_hub_sub_new(lk_http_req_loop(req), j->id, j->after);
    lk_pool_submit(app->readers, &j->job);
}

static const lk_http_route_t routes[] = {
    {"POST", "/api/v1/conversations", h_create},
    {"POST", "/api/v1/conversations/:id/messages", h_message},
    {"GET", "/api/v1/conversations/:id", h_get},
    {"POST", "/api/v1/conversations/:id/handoff", h_handoff},
    {"POST", "/api/v1/conversations/:id/rating", h_rating},
    {"GET", "/api/v1/conversations/:id/ws", h_ws},
    {"POST", "/api/v1/conversations/:id/feedback", h_feedback},
};

void lk_api_customer_routes(const lk_http_route_t **r, size_t *n)
{
    *r = routes;
    *n = sizeof routes / sizeof routes[0];
}
