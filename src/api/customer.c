/*
 * The customer's side of the API (CONTRACT.md): start a conversation, send a
 * message and get the bot's turn back, read the conversation, press the
 * "talk to a person" button, rate, and follow the conversation live over a
 * WebSocket. Requests are checked on the event loop (size, UTF-8, JSON,
 * fields); the database work and the bot's turn run in one writer job, so
 * what the client is told has been committed.
 *
 * The WebSocket takes the token in its URL (?token=, or Authorization), or,
 * so that the token stays out of proxy logs, in its first message
 * {"type":"auth","token":"..."} within ws_auth_timeout_ms: the upgrade is
 * then accepted first, and the token checked as for any other request.
 * Open WebSockets are limited per conversation and per client address.
 */
#include "api/api_int.h"
#include "privacy/privacy.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define MODULE "customer"
/* The longest Retry-After of the open-conversations limit (docs/security.md). */
#define OPEN_RETRY_MS 60000

typedef enum { OP_CREATE, OP_MESSAGE, OP_GET, OP_HANDOFF, OP_RATING, OP_WS, OP_FEEDBACK, OP_CALLBACK } op_t;

/* A customer's WebSocket opened without a token, waiting for its first
 * message. Freed when the socket closes (on_close) unless a token check is
 * running (busy): then when the check is done. */
typedef struct {
    struct lk_app *app;
    lk_ws_t *ws; /* NULL once the socket closed */
    bool busy;   /* the token is being checked */
    char id[LK_ID_MAX];
    int64_t after;
    bool has_after;
    char addr_key[LK_WS_KEY_MAX]; /* the address's place it holds */
} wsauth_t;

typedef struct {
    lk_job_t job;
    struct lk_app *app;
    lk_http_req_t *req;
    wsauth_t *auth; /* OP_WS with the token in the first message */
    char addr_key[LK_WS_KEY_MAX]; /* OP_WS: the address's place it holds */
    op_t op;
    char id[LK_ID_MAX];
    char token[LK_TOKEN_LEN + 8];
    char language[8];
    char *text;
    char choice[LK_KB_ID_MAX + 1]; /* OP_MESSAGE: the article picked from the bot's choices; "" none */
    int score;
    char *comment;
    char *contact; /* OP_CALLBACK: a phone number or e-mail address */
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
    free(j->contact);
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

/* One event of the conversation engine with the current bot (turn.c). An
 * event the engine refuses fails the job with its answer: 400
 * invalid_choice, 409 choice_unavailable or conflict. */
static int conv_event(cjob_t *j, lk_store_t *st, lk_conv_t *c, const lk_conv_event_t *ev, int64_t now,
                      lk_conv_result_t *r)
{
    lk_bot_t *bot = lk_bot_acquire(j->app);
    int rc = lk_turn_run(j->app, st, &j->job, c, ev, bot, now, r);
    lk_bot_release(bot);
    switch (r->refused) {
    case LK_CONV_REFUSED_CHOICE:
        fail(j, rc, 400, "invalid_choice",
             "the field \"choice\" must be the article_id of one of the choices in this conversation's last "
             "message with choices");
        break;
    case LK_CONV_REFUSED_CHOICE_GONE:
        fail(j, rc, 409, "choice_unavailable",
             "the chosen article is no longer in the knowledge base; please ask your question again");
        break;
    case LK_CONV_REFUSED_NOT_QUEUED:
        fail(j, rc, 409, "conflict", "a call-back can be requested while waiting in the queue only");
        break;
    default:
        if (rc)
            fail_db(j, rc);
        break;
    }
    return rc;
}

static void run_create(cjob_t *j, lk_store_t *st, int64_t now)
{
    lk_conv_t c = {0};
    lk_rand_id("c_", c.id, sizeof c.id);
    char token[LK_TOKEN_LEN + 1];
    lk_rand_token(token);
    lk_token_hash(token, strlen(token), c.token_hash);
    c.status = LK_CONV_BOT;
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
            /* The oldest stops counting at oldest + idle, but any of them
             * may close before that (an agent closes it, the customer
             * leaves): a chat retries within OPEN_RETRY_MS, never an hour. */
            j->retry_ms = oldest + idle - now;
            if (j->retry_ms > OPEN_RETRY_MS)
                j->retry_ms = OPEN_RETRY_MS;
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
    lk_conv_result_t r = {0};
    rc = conv_event(j, st, &c, &(lk_conv_event_t){.type = LK_CONV_START}, now, &r);
    if (rc == 0 && (rc = lk_store_audit(st, now, "customer", "conversation.create", c.id, NULL)) != 0)
        fail_db(j, rc);
    if (rc == 0) {
        j->out = lk_json_conv(&c, r.msgs, r.n_msgs); /* new: not queued */
        json_object_set_new(j->out, "token", json_string(token));
        j->status = 201;
    }
    sodium_memzero(token, sizeof token);
    lk_conv_result_free(&r);
    lk_conv_clear(&c);
}

/* The answer to an event: {"conversation": ..., "messages": [...]} (a
 * message, feedback), or the conversation with "new_messages" (the
 * button, a call-back). */
static void event_result(cjob_t *j, lk_store_t *st, lk_conv_t *c, const lk_conv_result_t *r, bool nested,
                         int64_t now)
{
    json_t *conv = lk_json_conv_customer(st, c, NULL, 0, now);
    json_t *arr = json_array();
    for (size_t i = 0; i < r->n_msgs; i++)
        json_array_append_new(arr, lk_json_msg(&r->msgs[i]));
    if (nested) {
        j->out = json_pack("{s:o, s:o}", "conversation", conv, "messages", arr);
    } else {
        j->out = conv;
        json_object_set_new(j->out, "new_messages", arr);
    }
}

/* One engine event on the request's conversation, answered with
 * event_result and status. */
static void run_event(cjob_t *j, lk_store_t *st, const lk_conv_event_t *ev, bool nested, int status, int64_t now)
{
    lk_conv_t c;
    if (!load_conv(j, st, &c))
        return;
    lk_conv_result_t r = {0};
    if (conv_event(j, st, &c, ev, now, &r) == 0) {
        event_result(j, st, &c, &r, nested, now);
        j->status = status;
    }
    lk_conv_result_free(&r);
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
    lk_conv_result_t r = {0};
    if (rc == 0)
        rc = lk_store_feedback_set(st, c.id, j->message_id, j->helpful, now);
    if (rc) {
        fail_db(j, rc);
    } else if (!j->helpful) {
        rc = conv_event(j, st, &c, &(lk_conv_event_t){.type = LK_CONV_NOT_HELPED}, now, &r);
    }
    if (rc == 0) {
        event_result(j, st, &c, &r, true, now);
        j->status = 200;
    }
    lk_conv_result_free(&r);
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
    case OP_MESSAGE: { /* the customer's text, or a pick of one of the bot's choices */
        lk_conv_event_t ev = {.type = LK_CONV_MESSAGE, .text = j->text, .choice = j->choice[0] ? j->choice : NULL};
        run_event(j, st, &ev, true, 201, now);
        break;
    }
    case OP_GET:
        run_get(j, st);
        break;
    case OP_HANDOFF: /* the "talk to a person" button */
        run_event(j, st, &(lk_conv_event_t){.type = LK_CONV_PERSON}, false, 200, now);
        break;
    case OP_RATING:
        run_rating(j, st, now);
        break;
    case OP_WS:
        run_ws(j, st);
        break;
    case OP_CALLBACK: /* the waiting customer's "call me back", stored for the agents (docs/api.md) */
        run_event(j, st, &(lk_conv_event_t){.type = LK_CONV_CALLBACK, .contact = j->contact, .text = j->text}, false,
                  201, now);
        break;
    case OP_FEEDBACK:
        run_feedback(j, st, now);
        break;
    }
}

#define WS_READY "{\"type\":\"ready\"}"

/* The token from the URL was checked: accept the upgrade (or refuse it
 * with the error, or 429 when the conversation has its WebSockets). */
static void ws_url_done(cjob_t *j)
{
    char conv_key[LK_WS_KEY_MAX];
    lk_hub_ws_key("conv", j->id, conv_key);
    if (j->job.rc) {
        lk_hub_sub_cancel(j->sub);
        lk_hub_ws_give(j->addr_key);
        lk_respond_job_error(j->req, &j->err);
    } else if (!lk_hub_ws_take(conv_key, j->app->cfg.limit_ws_conversation)) {
        lk_hub_sub_cancel(j->sub);
        lk_hub_ws_give(j->addr_key);
        lk_respond_rate_limited(j->req, 5000, "open WebSockets on this conversation");
    } else {
        lk_ws_t *ws = lk_http_ws_accept(j->req, &lk_hub_ws_callbacks, j->sub);
        if (ws) {
            lk_hub_sub_hold(j->sub, conv_key, j->addr_key);
            lk_hub_sub_attach(j->sub, ws, j->after, j->backlog, j->backlog_seq, j->n_backlog);
            j->backlog = NULL; /* the hub's now */
            j->backlog_seq = NULL;
            j->n_backlog = 0;
        } else {
            lk_hub_sub_cancel(j->sub);
            lk_hub_ws_give(conv_key);
            lk_hub_ws_give(j->addr_key);
        }
    }
}

/* The token from the first message was checked: the WebSocket goes live
 * ({"type":"ready"}, then the backlog), or closes with 1008. */
static void ws_auth_done(cjob_t *j)
{
    wsauth_t *w = j->auth;
    lk_http_loop_hold(j->job.loop, false);
    char conv_key[LK_WS_KEY_MAX];
    lk_hub_ws_key("conv", j->id, conv_key);
    const char *refusal = NULL;
    bool conv_taken = false;
    if (j->job.rc)
        refusal = "unauthorized: missing or wrong token for this conversation";
    else if (w->ws && !(conv_taken = lk_hub_ws_take(conv_key, j->app->cfg.limit_ws_conversation)))
        refusal = "too many open WebSockets on this conversation";
    if (w->ws && !refusal)
        lk_http_ws_send(w->ws, WS_READY, strlen(WS_READY)); /* w->ws is NULL if that closed it */
    if (!w->ws || refusal) {
        lk_hub_sub_cancel(j->sub);
        if (conv_taken)
            lk_hub_ws_give(conv_key);
        w->busy = false;
        if (w->ws) {
            lk_http_ws_close_with(w->ws, LK_WS_POLICY, refusal); /* its on_close frees w */
        } else {
            lk_hub_ws_give(w->addr_key);
            free(w);
        }
        return;
    }
    lk_ws_t *ws = w->ws;
    lk_http_ws_set_callbacks(ws, &lk_hub_ws_callbacks, j->sub);
    lk_hub_sub_hold(j->sub, conv_key, w->addr_key);
    free(w);
    lk_hub_sub_attach(j->sub, ws, j->after, j->backlog, j->backlog_seq, j->n_backlog);
    j->backlog = NULL; /* the hub's now */
    j->backlog_seq = NULL;
    j->n_backlog = 0;
}

static void job_done(lk_job_t *job)
{
    cjob_t *j = (cjob_t *)job;
    if (j->op == OP_WS) {
        if (j->auth)
            ws_auth_done(j);
        else
            ws_url_done(j);
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

/* A BCP 47 tag as a conversation's language: the primary language subtag,
 * 2 or 3 lowercase letters, optionally followed by a region (2 letters or 3
 * digits: "fr-BE", "es-419"), which is dropped. out gets the primary tag. */
static bool language_tag(const char *tag, char out[8])
{
    size_t n = 0;
    while (n < 4 && tag[n] >= 'a' && tag[n] <= 'z')
        n++;
    if (n < 2 || n > 3)
        return false;
    const char *r = tag + n;
    if (*r) {
        if (*r != '-')
            return false;
        r++;
        size_t rl = strlen(r);
        bool alpha = rl == 2 && ((r[0] | 0x20) >= 'a' && (r[0] | 0x20) <= 'z') &&
                     ((r[1] | 0x20) >= 'a' && (r[1] | 0x20) <= 'z');
        bool digits = rl == 3 && r[0] >= '0' && r[0] <= '9' && r[1] >= '0' && r[1] <= '9' && r[2] >= '0' &&
                      r[2] <= '9';
        if (!alpha && !digits)
            return false;
    }
    memcpy(out, tag, n);
    out[n] = '\0';
    return true;
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
        if (lang && !language_tag(lang, j->language)) {
            lk_respond_error(req, 400, "invalid_field",
                             "the field \"language\" must be a language tag: 2 or 3 lowercase letters, optionally "
                             "with a region (\"nl\", \"de\", \"fr-BE\")");
            json_decref(body);
            cjob_free(j);
            return;
        }
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
    const char *choice = NULL; /* a pick of one of the bot's choices (CONTRACT.md, "Choices") */
    if (!lk_body_string(req, body, "choice", LK_KB_ID_MAX, false, &choice)) {
        json_decref(body);
        cjob_free(j);
        return;
    }
    if (choice && !*choice) {
        lk_respond_error(req, 400, "invalid_field", "the field \"choice\" must be an article_id, not empty");
        json_decref(body);
        cjob_free(j);
        return;
    }
    if (choice)
        snprintf(j->choice, sizeof j->choice, "%s", choice);
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

/* A contact a person can use: the whole (trimmed) text is one phone number
 * or e-mail address as the personal-data detector reads them. */
static bool contact_ok(const char *s, size_t len)
{
    lk_pii_span_t span;
    if (len < 5 || len > 254 || lk_pii_detect(s, len, &span, 1) != 1)
        return false;
    return (span.kind == LK_PII_EMAIL || span.kind == LK_PII_PHONE) && span.start == 0 && span.len == len;
}

static void h_callback(lk_http_req_t *req, void *ud)
{
    struct lk_app *app = ud;
    cjob_t *j = authed_job(req, app, OP_CALLBACK);
    if (!j)
        return;
    json_t *body = lk_parse_body(req);
    const char *contact = NULL, *note = NULL;
    if (body && lk_body_string(req, body, "contact", 254, true, &contact) &&
        lk_body_string(req, body, "text", 2000, false, &note)) {
        while (*contact == ' ')
            contact++;
        size_t len = strlen(contact);
        while (len && contact[len - 1] == ' ')
            len--;
        if (!contact_ok(contact, len)) {
            lk_respond_error(req, 400, "invalid_field",
                             "the field \"contact\" must be a phone number or an e-mail address");
        } else {
            j->contact = lk_xstrndup(contact, len);
            j->text = note ? lk_xstrdup(note) : NULL;
            json_decref(body);
            lk_pool_submit(app->writer, &j->job);
            return;
        }
    }
    json_decref(body);
    cjob_free(j);
}

/* ---- the WebSocket with the token in its first message ------------------ */

static void wsauth_on_close(lk_ws_t *ws, void *ud)
{
    wsauth_t *w = ud;
    (void)ws;
    w->ws = NULL;
    if (w->busy)
        return; /* ws_auth_done frees it */
    lk_hub_ws_give(w->addr_key);
    free(w);
}

static void wsauth_on_timer(lk_ws_t *ws, void *ud)
{
    (void)ud;
    lk_http_ws_close_with(ws, LK_WS_POLICY, "no token: send {\"type\":\"auth\",\"token\":\"...\"} first");
}

static void wsauth_on_text(lk_ws_t *ws, const char *data, size_t len, void *ud)
{
    wsauth_t *w = ud;
    if (w->busy)
        return; /* the first message is being checked */
    json_t *msg = json_loadb(data, len, JSON_REJECT_DUPLICATES, NULL);
    json_t *type = json_object_get(msg, "type"), *token = json_object_get(msg, "token");
    size_t tlen = json_string_length(token);
    if (!json_is_object(msg) || !json_is_string(type) || strcmp(json_string_value(type), "auth") != 0 ||
        !json_is_string(token) || tlen == 0 || tlen > LK_TOKEN_LEN + 6) {
        json_decref(msg);
        lk_http_ws_close_with(ws, LK_WS_POLICY, "the first message must be {\"type\":\"auth\",\"token\":\"...\"}");
        return;
    }
    lk_http_ws_timer(ws, false);
    cjob_t *j = lk_xcalloc(1, sizeof *j);
    j->app = w->app;
    j->op = OP_WS;
    j->auth = w;
    j->job.run = job_run;
    j->job.done = job_done;
    j->job.loop = lk_http_loop_current();
    snprintf(j->id, sizeof j->id, "%s", w->id);
    memcpy(j->token, json_string_value(token), tlen);
    j->after = w->after;
    j->has_after = w->has_after;
    json_decref(msg);
    w->busy = true;
    lk_http_loop_hold(j->job.loop, true); /* a stop waits for the check */
    j->sub = lk_hub_sub_new(j->job.loop, j->id, j->after);
    lk_pool_submit(w->app->readers, &j->job);
}

static const lk_ws_callbacks_t wsauth_callbacks = {wsauth_on_close, wsauth_on_text, wsauth_on_timer, NULL};

static void h_ws(lk_http_req_t *req, void *ud)
{
    struct lk_app *app = ud;
    lk_str_t token = LK_STR(""), after;
    bool has_token = lk_http_req_query(req, "token", &token) || bearer(req, &token);
    if (!lk_api_check_customer_origin(app, req)) /* a browser's WebSocket carries Origin */
        return;
    cjob_t *j = cjob_new(app, req, OP_WS);
    if (has_token ? !read_auth(req, j, token) : !read_auth(req, j, LK_STR("-"))) {
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
    char addr[LK_ADDR_MAX];
    lk_api_client_addr(app, req, addr);
    lk_hub_ws_key("addr", addr, j->addr_key);
    if (!lk_hub_ws_take(j->addr_key, app->cfg.limit_ws_address)) {
        lk_respond_rate_limited(req, 5000, "open WebSockets from this address");
        cjob_free(j);
        return;
    }
    if (has_token) {
        j->sub = lk_hub_sub_new(lk_http_req_loop(req), j->id, j->after);
        lk_pool_submit(app->readers, &j->job);
        return;
    }
    wsauth_t *w = lk_xcalloc(1, sizeof *w);
    w->app = app;
    snprintf(w->id, sizeof w->id, "%s", j->id);
    w->after = j->after;
    w->has_after = j->has_after;
    snprintf(w->addr_key, sizeof w->addr_key, "%s", j->addr_key);
    cjob_free(j);
    w->ws = lk_http_ws_accept(req, &wsauth_callbacks, w);
    if (!w->ws) {
        lk_hub_ws_give(w->addr_key);
        free(w);
        return;
    }
    lk_http_ws_timer(w->ws, true);
}

static const lk_http_route_t routes[] = {
    {"POST", "/api/v1/conversations", h_create},
    {"POST", "/api/v1/conversations/:id/messages", h_message},
    {"GET", "/api/v1/conversations/:id", h_get},
    {"POST", "/api/v1/conversations/:id/handoff", h_handoff},
    {"POST", "/api/v1/conversations/:id/rating", h_rating},
    {"GET", "/api/v1/conversations/:id/ws", h_ws},
    {"POST", "/api/v1/conversations/:id/feedback", h_feedback},
    {"POST", "/api/v1/conversations/:id/callback", h_callback},
};

void lk_api_customer_routes(const lk_http_route_t **r, size_t *n)
{
    *r = routes;
    *n = sizeof routes / sizeof routes[0];
}
