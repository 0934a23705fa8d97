/*
 * The customer's side of the API (CONTRACT.md): start a conversation, send a
 * message and get the bot's turn back, read the conversation, press the
 * "talk to a person" button, rate, and follow the conversation live over a
 * WebSocket. The routes are declared in a table (route.h): the requests on
 * one conversation are LK_ACCESS_CONVERSATION, checked by the generic code
 * against the conversation's token; the database work and the bot's turn
 * run in one writer step, so what the client is told has been committed.
 *
 * The WebSocket takes the token in its URL (?token=, or Authorization), or,
 * so that the token stays out of proxy logs, in its first message
 * {"type":"auth","token":"..."} within ws_auth_timeout_ms: the upgrade is
 * then accepted first, and the token checked as for any other request.
 * Open WebSockets are limited per conversation and per client address.
 */
#include "api/route.h"
#include "privacy/privacy.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define MODULE "customer"
/* The longest Retry-After of the open-conversations limit (docs/security.md). */
#define OPEN_RETRY_MS 60000
#define CONTACT_MAX 254

/* A request's own state (lk_api_job_t's data). */
typedef struct {
    char language[8];                        /* a new conversation's language */
    lk_conv_t who;                           /* a new conversation's customer and channel (assist.c) */
    char client_hash[LK_TOKEN_HASH_LEN + 1]; /* a new conversation's client address, keyed hash */
    int64_t retry_ms;                        /* with a 429: when to try again */
    char contact[CONTACT_MAX + 1];           /* a call-back's contact, trimmed */
} cdata_t;

static void cdata_free(void *data)
{
    lk_conv_clear(&((cdata_t *)data)->who);
}

#define D(j) ((cdata_t *)(j)->data)

/* The body fields, each route's in the order of its enum. */
enum { F_MESSAGE_TEXT, F_MESSAGE_CHOICE };
enum { F_RATING_SCORE, F_RATING_COMMENT };
enum { F_FEEDBACK_MESSAGE, F_FEEDBACK_HELPFUL };
enum { F_CALLBACK_CONTACT, F_CALLBACK_TEXT };
enum { F_CREATE_LANGUAGE };

/* One event of the conversation engine with the current bot (turn.c) on
 * the request's conversation. An event the engine refuses fails the job
 * with its answer: 400 invalid_choice, 409 choice_unavailable or conflict.
 * msgs (may be NULL) as lk_turn_run's. */
static int conv_event(lk_api_job_t *j, lk_store_t *st, lk_conv_t *c, const lk_conv_event_t *ev, int64_t now,
                      lk_conv_result_t *r, json_t **msgs)
{
    lk_bot_t *bot = lk_bot_acquire(j->app);
    int rc = lk_turn_run(j->app, st, &j->job, c, ev, bot, now, r, msgs);
    lk_bot_release(bot);
    switch (r->refused) {
    case LK_CONV_REFUSED_CHOICE:
        lk_api_fail(j, rc, 400, "invalid_choice",
                    "the field \"choice\" must be the article_id of one of the choices in this conversation's last "
                    "message with choices");
        break;
    case LK_CONV_REFUSED_CHOICE_GONE:
        lk_api_fail(j, rc, 409, "choice_unavailable",
                    "the chosen article is no longer in the knowledge base; please ask your question again");
        break;
    case LK_CONV_REFUSED_NOT_QUEUED:
        lk_api_fail(j, rc, 409, "conflict", "a call-back can be requested while waiting in the queue only");
        break;
    default:
        if (rc)
            lk_api_fail_db(j, rc);
        break;
    }
    return rc;
}

static void run_create(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    cdata_t *d = D(j);
    lk_conv_t c = {0};
    lk_rand_id("c_", c.id, sizeof c.id);
    char token[LK_TOKEN_LEN + 1];
    lk_rand_token(token);
    lk_token_hash(token, strlen(token), c.token_hash);
    c.status = LK_CONV_BOT;
    snprintf(c.language, sizeof c.language, "%s", d->language);
    c.created_at = c.updated_at = now;
    c.next_seq = 1;
    lk_api_customer_move(&d->who, &c);
    snprintf(c.client_hash, sizeof c.client_hash, "%s", d->client_hash);
    int rc = 0;
    int64_t max_open = j->app->cfg.limit_open_conversations;
    if (max_open > 0 && c.client_hash[0]) { /* open conversations per address */
        int64_t idle = j->app->cfg.limit_open_idle * 1000, n_open = 0, oldest = 0;
        rc = lk_store_conv_count_open_by_client(st, c.client_hash, now - idle, &n_open, &oldest);
        if (rc == 0 && n_open >= max_open) {
            /* The oldest stops counting at oldest + idle, but any of them
             * may close before that (an agent closes it, the customer
             * leaves): a chat retries within OPEN_RETRY_MS, never an hour. */
            d->retry_ms = oldest + idle - now;
            if (d->retry_ms > OPEN_RETRY_MS)
                d->retry_ms = OPEN_RETRY_MS;
            lk_api_fail(j, LK_EBUSY, 429, "too_many_requests", "too many open conversations from this address");
            lk_conv_clear(&c);
            return;
        }
    }
    if (rc == 0)
        rc = lk_store_conv_insert(st, &c);
    if (rc) {
        lk_api_fail_db(j, rc);
        lk_conv_clear(&c);
        return;
    }
    lk_conv_result_t r = {0};
    rc = conv_event(j, st, &c, &(lk_conv_event_t){.type = LK_CONV_START}, now, &r, NULL);
    if (rc == 0 && (rc = lk_store_audit(st, now, "customer", "conversation.create", c.id, NULL)) != 0)
        lk_api_fail_db(j, rc);
    if (rc == 0) {
        j->out = lk_json_conv(&c, r.msgs, r.n_msgs); /* new: not queued */
        json_object_set_new(j->out, "token", json_string(token));
    }
    sodium_memzero(token, sizeof token);
    lk_conv_result_free(&r);
    lk_conv_clear(&c);
}

/* The answer to an event: {"conversation": ..., "messages": [...]} (a
 * message, feedback), or the conversation with "new_messages" (the
 * button, a call-back). msgs (taken; NULL: built here) is the JSON of
 * r's messages that lk_turn_run published. */
static void event_result(lk_api_job_t *j, lk_store_t *st, const lk_conv_result_t *r, json_t *msgs, bool nested,
                         int64_t now)
{
    json_t *conv = lk_json_conv_customer(st, &j->conv, NULL, 0, now);
    json_t *arr = msgs;
    if (!arr) {
        arr = json_array();
        for (size_t i = 0; i < r->n_msgs; i++)
            json_array_append_new(arr, lk_json_msg(&r->msgs[i]));
    }
    if (nested) {
        j->out = json_pack("{s:o, s:o}", "conversation", conv, "messages", arr);
    } else {
        j->out = conv;
        json_object_set_new(j->out, "new_messages", arr);
    }
}

/* One engine event on the request's conversation, answered with
 * event_result. */
static void run_event(lk_api_job_t *j, lk_store_t *st, const lk_conv_event_t *ev, bool nested, int64_t now)
{
    lk_conv_result_t r = {0};
    json_t *msgs = NULL;
    if (conv_event(j, st, &j->conv, ev, now, &r, &msgs) == 0)
        event_result(j, st, &r, msgs, nested, now);
    else
        json_decref(msgs);
    lk_conv_result_free(&r);
}

/* The customer's text, or a pick of one of the bot's choices. */
static void run_message(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    lk_conv_event_t ev = {
        .type = LK_CONV_MESSAGE, .text = j->body[F_MESSAGE_TEXT].s, .choice = j->body[F_MESSAGE_CHOICE].s};
    run_event(j, st, &ev, true, now);
}

/* The "talk to a person" button. */
static void run_handoff(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    run_event(j, st, &(lk_conv_event_t){.type = LK_CONV_PERSON}, false, now);
}

/* The waiting customer's "call me back", stored for the agents (docs/api.md). */
static void run_callback(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    lk_conv_event_t ev = {.type = LK_CONV_CALLBACK, .contact = D(j)->contact, .text = j->body[F_CALLBACK_TEXT].s};
    run_event(j, st, &ev, false, now);
}

/* "Did this help?" answered with a button. The answer is recorded on the bot
 * message; a "no" while the bot still has the conversation is also the
 * customer's reply in the conversation (as if they typed it), so the policy
 * counts it as a failure and offers a person. */
static void run_feedback(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    lk_conv_t *c = &j->conv;
    const char *message_id = j->body[F_FEEDBACK_MESSAGE].s;
    bool helpful = j->body[F_FEEDBACK_HELPFUL].b;
    lk_msg_t target = {0};
    int rc = lk_store_msg_get(st, message_id, &target);
    if (rc == LK_ENOENT || (rc == 0 && (strcmp(target.conversation_id, c->id) != 0 || target.sender != LK_SENDER_BOT ||
                                        !target.article_id))) {
        lk_api_fail(j, LK_ENOENT, 404, "not_found", "no bot answer with this message_id in this conversation");
        lk_msg_clear(&target);
        return;
    }
    lk_msg_clear(&target);
    lk_conv_result_t r = {0};
    json_t *msgs = NULL;
    if (rc == 0)
        rc = lk_store_feedback_set(st, c->id, message_id, helpful, now);
    if (rc)
        lk_api_fail_db(j, rc);
    else if (!helpful)
        rc = conv_event(j, st, c, &(lk_conv_event_t){.type = LK_CONV_NOT_HELPED}, now, &r, &msgs);
    if (rc == 0)
        event_result(j, st, &r, msgs, true, now);
    else
        json_decref(msgs);
    lk_conv_result_free(&r);
}

static void run_get(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    lk_msg_t *msgs = NULL;
    size_t n = 0;
    int rc = lk_store_msg_list(st, j->conv.id, 0, 0, &msgs, &n);
    if (rc)
        lk_api_fail_db(j, rc);
    else
        j->out = lk_json_conv_customer(st, &j->conv, msgs, n, now);
    lk_msgs_free(msgs, n);
}

static void run_rating(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    lk_conv_t *c = &j->conv;
    c->rating = (int)j->body[F_RATING_SCORE].i;
    free(c->rating_comment);
    c->rating_comment = j->body[F_RATING_COMMENT].s ? lk_xstrdup(j->body[F_RATING_COMMENT].s) : NULL;
    c->updated_at = now;
    int rc = lk_store_conv_update(st, c);
    if (rc == 0)
        rc = lk_store_audit(st, now, "customer", "conversation.rating", c->id, NULL);
    if (rc)
        lk_api_fail_db(j, rc);
    else
        j->out = lk_json_conv_customer(st, c, NULL, 0, now);
}

/* ---- on the loop thread: limits and the checks the field table cannot say -- */

/* The rate limits of requests that change a conversation: per client
 * address, and per conversation. The latter's key includes a digest of the
 * token, so that requests with a wrong token cannot use up the real
 * client's allowance. */
static bool conv_limits(lk_api_job_t *j)
{
    char addr[LK_ADDR_MAX], key[LK_ID_MAX + 20];
    lk_api_client_addr(j->app, j->req, addr);
    if (!lk_security_hit(j->app, j->req, LK_LIMIT_MESSAGES_ADDRESS, addr, "requests from this address"))
        return false;
    char th[LK_TOKEN_HASH_LEN + 1];
    lk_token_hash(j->token, strlen(j->token), th);
    snprintf(key, sizeof key, "%s:%.16s", j->id, th);
    if (!lk_security_hit(j->app, j->req, LK_LIMIT_MESSAGES_CONVERSATION, key, "messages in this conversation")) {
        lk_ratelimit_forgive(lk_security_limit(j->app, LK_LIMIT_MESSAGES_ADDRESS), addr);
        return false;
    }
    return true;
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

static bool language_ok(const char *tag)
{
    char out[8];
    return language_tag(tag, out);
}

/* A new conversation: the limit of new conversations per address, the
 * language ("nl" when not given), the customer and channel (assist.c). */
static bool prepare_create(lk_api_job_t *j)
{
    cdata_t *d = D(j);
    char addr[LK_ADDR_MAX];
    lk_api_client_addr(j->app, j->req, addr);
    if (!lk_security_hit(j->app, j->req, LK_LIMIT_CONVERSATIONS_ADDRESS, addr, "new conversations from this address"))
        return false;
    lk_api_client_hash(j->app, addr, d->client_hash);
    if (!j->body[F_CREATE_LANGUAGE].given || !language_tag(j->body[F_CREATE_LANGUAGE].s, d->language))
        snprintf(d->language, sizeof d->language, "nl");
    return lk_api_customer_parse(j->app, j->req, j->json, lk_time_now_ms(), &d->who);
}

/* The open-conversations limit answers 429 with its own Retry-After. */
static bool after_create(lk_api_job_t *j)
{
    if (j->job.rc && j->err.status == 429) {
        lk_respond_rate_limited(j->req, D(j)->retry_ms, "open conversations from this address");
        return false;
    }
    return true;
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

/* s without its leading and trailing spaces: *len bytes from the result. */
static const char *trim_spaces(const char *s, size_t *len)
{
    while (*s == ' ')
        s++;
    *len = strlen(s);
    while (*len && s[*len - 1] == ' ')
        (*len)--;
    return s;
}

static bool contact_check(const char *s)
{
    size_t len;
    s = trim_spaces(s, &len);
    return contact_ok(s, len);
}

static bool prepare_callback(lk_api_job_t *j)
{
    if (!conv_limits(j))
        return false;
    size_t len;
    const char *s = trim_spaces(j->body[F_CALLBACK_CONTACT].s, &len);
    snprintf(D(j)->contact, sizeof D(j)->contact, "%.*s", (int)len, s);
    return true;
}

/* ---- the WebSocket ----------------------------------------------------------- */

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

/* The token check and backlog of a WebSocket: a job of its own, as the
 * upgrade (or, with the token in the first message, the socket) is answered
 * with a WebSocket, not JSON. */
typedef struct {
    lk_job_t job;
    struct lk_app *app;
    lk_http_req_t *req;
    wsauth_t *auth;               /* the token from the first message */
    char addr_key[LK_WS_KEY_MAX]; /* the address's place it holds */
    char id[LK_ID_MAX];
    char token[LK_TOKEN_LEN + 8];
    int64_t after;
    bool has_after; /* resume after a seq (else only new messages) */
    lk_sub_t *sub;
    lk_api_error_t err;
    char **backlog;
    int64_t *backlog_seq;
    size_t n_backlog;
} wsjob_t;

static void wsjob_free(wsjob_t *j)
{
    sodium_memzero(j->token, sizeof j->token);
    free(j->backlog_seq);
    while (j->n_backlog > 0)
        free(j->backlog[--j->n_backlog]);
    free(j->backlog);
    free(j);
}

/* The token checked, the backlog read (on a reader). */
static void ws_run(lk_job_t *job, lk_store_t *st)
{
    wsjob_t *j = (wsjob_t *)job;
    lk_conv_t c = {0};
    int rc = lk_store_conv_get(st, j->id, &c);
    if (rc == LK_ENOENT || (rc == 0 && !lk_api_conv_token_ok(&c, j->token))) {
        lk_conv_clear(&c);
        lk_job_fail(&j->job, &j->err, LK_EAUTH, 401, "unauthorized", "missing or wrong token for this conversation");
        return;
    }
    if (rc) {
        lk_conv_clear(&c);
        lk_job_fail_db(&j->job, &j->err, rc);
        return;
    }
    lk_msg_t *msgs = NULL;
    size_t n = 0;
    if (j->has_after)
        rc = lk_store_msg_list(st, c.id, j->after, 0, &msgs, &n);
    else
        j->after = c.next_seq - 1; /* only what comes after this moment */
    if (rc) {
        lk_job_fail_db(&j->job, &j->err, rc);
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
    }
    lk_msgs_free(msgs, n);
    lk_conv_clear(&c);
}

#define WS_READY "{\"type\":\"ready\"}"

/* The token from the URL was checked: accept the upgrade (or refuse it
 * with the error, or 429 when the conversation has its WebSockets). */
static void ws_url_done(wsjob_t *j)
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
static void ws_auth_done(wsjob_t *j)
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

static void ws_done(lk_job_t *job)
{
    wsjob_t *j = (wsjob_t *)job;
    if (j->auth)
        ws_auth_done(j);
    else
        ws_url_done(j);
    wsjob_free(j);
}

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
    wsjob_t *j = lk_xcalloc(1, sizeof *j);
    j->app = w->app;
    j->auth = w;
    j->job.run = ws_run;
    j->job.done = ws_done;
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

/* GET .../ws: the upgrade answered here (prepare; the customer's Origin was
 * checked by the generic code): with the token in the URL, after its check
 * on a reader (ws_url_done); without one, accepted at once and waiting for
 * the first message (wsauth_callbacks). false: answered. */
static bool ws_open(lk_api_job_t *rj)
{
    struct lk_app *app = rj->app;
    lk_http_req_t *req = rj->req;
    lk_str_t token = LK_STR(""), after, id = lk_http_req_param(req, "id");
    bool has_token = lk_http_req_query(req, "token", &token) || lk_api_bearer(req, &token);
    if (!has_token)
        token = LK_STR("-");
    if (id.len == 0 || id.len >= LK_ID_MAX || token.len == 0 || token.len >= LK_TOKEN_LEN + 8) {
        lk_respond_error(req, 401, "unauthorized", "missing or wrong token for this conversation");
        return false;
    }
    wsjob_t *j = lk_xcalloc(1, sizeof *j);
    j->app = app;
    j->req = req;
    lk_job_init(&j->job, req, ws_run, ws_done);
    memcpy(j->id, id.base, id.len);
    memcpy(j->token, token.base, token.len);
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
            wsjob_free(j);
            return false;
        }
        j->after = v;
        j->has_after = true;
    }
    if (!lk_http_req_is_websocket(req)) {
        lk_respond_error(req, 400, "not_websocket", "this endpoint expects a WebSocket upgrade");
        wsjob_free(j);
        return false;
    }
    char addr[LK_ADDR_MAX];
    lk_api_client_addr(app, req, addr);
    lk_hub_ws_key("addr", addr, j->addr_key);
    if (!lk_hub_ws_take(j->addr_key, app->cfg.limit_ws_address)) {
        lk_respond_rate_limited(req, 5000, "open WebSockets from this address");
        wsjob_free(j);
        return false;
    }
    if (has_token) {
        j->sub = lk_hub_sub_new(lk_http_req_loop(req), j->id, j->after);
        lk_pool_submit(app->readers, &j->job);
        return false;
    }
    wsauth_t *w = lk_xcalloc(1, sizeof *w);
    w->app = app;
    snprintf(w->id, sizeof w->id, "%s", j->id);
    w->after = j->after;
    w->has_after = j->has_after;
    snprintf(w->addr_key, sizeof w->addr_key, "%s", j->addr_key);
    wsjob_free(j);
    w->ws = lk_http_ws_accept(req, &wsauth_callbacks, w);
    if (!w->ws) {
        lk_hub_ws_give(w->addr_key);
        free(w);
        return false;
    }
    lk_http_ws_timer(w->ws, true);
    return false;
}

/* ---- the routes ----------------------------------------------------------------- */

#define FIELDS(a) .fields = a, .n_fields = sizeof a / sizeof a[0]
#define DATA .data_size = sizeof(cdata_t), .data_free = cdata_free

static const lk_api_field_t create_fields[] = {
    [F_CREATE_LANGUAGE] = {"language", LK_FIELD_STRING, .max_len = 8, .check = language_ok,
                           .invalid = "the field \"language\" must be a language tag: 2 or 3 lowercase letters, "
                                      "optionally with a region (\"nl\", \"de\", \"fr-BE\")"},
};
static const lk_api_field_t message_fields[] = {
    [F_MESSAGE_TEXT] = {"text", LK_FIELD_STRING, true, .max_len = LK_API_MAX_TEXT},
    /* a pick of one of the bot's choices (CONTRACT.md, "Choices") */
    [F_MESSAGE_CHOICE] = {"choice", LK_FIELD_STRING, .max_len = LK_KB_ID_MAX},
};
static const lk_api_field_t rating_fields[] = {
    [F_RATING_SCORE] = {"score", LK_FIELD_INT, true, .min = 1, .max = 5,
                        .invalid = "the field \"score\" must be a whole number from 1 to 5"},
    [F_RATING_COMMENT] = {"comment", LK_FIELD_STRING, .max_len = 2000},
};
static const lk_api_field_t feedback_fields[] = {
    [F_FEEDBACK_MESSAGE] = {"message_id", LK_FIELD_STRING, true, .max_len = LK_ID_MAX - 1},
    [F_FEEDBACK_HELPFUL] = {.name = "helpful", .type = LK_FIELD_BOOL, .required = true},
};
static const lk_api_field_t callback_fields[] = {
    [F_CALLBACK_CONTACT] = {"contact", LK_FIELD_STRING, true, .max_len = CONTACT_MAX, .check = contact_check,
                            .invalid = "the field \"contact\" must be a phone number or an e-mail address"},
    [F_CALLBACK_TEXT] = {"text", LK_FIELD_STRING, .max_len = 2000},
};

#define CONV LK_ACCESS_CONVERSATION

static const lk_api_route_t routes[] = {
    {"POST", "/api/v1/conversations", LK_ACCESS_ANYONE, FIELDS(create_fields), .body_optional = true,
     .steps = {{.pool = LK_ON_WRITER, .run = run_create}}, .widget = true, .prepare = prepare_create, .after = after_create, DATA,
     .status = 201},
    {"POST", "/api/v1/conversations/:id/messages", CONV, FIELDS(message_fields),
     .steps = {{.pool = LK_ON_WRITER, .run = run_message}}, .prepare = conv_limits, .status = 201},
    {"GET", "/api/v1/conversations/:id", CONV, .steps = {{.pool = LK_ON_READER, .run = run_get}}},
    /* the button takes no body (a huge one is still refused) */
    {"POST", "/api/v1/conversations/:id/handoff", CONV, .steps = {{.pool = LK_ON_WRITER, .run = run_handoff}}, .prepare = conv_limits},
    {"POST", "/api/v1/conversations/:id/rating", CONV, FIELDS(rating_fields), .steps = {{.pool = LK_ON_WRITER, .run = run_rating}},
     .prepare = conv_limits},
    {"GET", "/api/v1/conversations/:id/ws", LK_ACCESS_ANYONE, .widget = true, .prepare = ws_open},
    {"POST", "/api/v1/conversations/:id/feedback", CONV, FIELDS(feedback_fields),
     .steps = {{.pool = LK_ON_WRITER, .run = run_feedback}}, .prepare = conv_limits},
    {"POST", "/api/v1/conversations/:id/callback", CONV, FIELDS(callback_fields),
     .steps = {{.pool = LK_ON_WRITER, .run = run_callback}}, .prepare = prepare_callback, DATA, .status = 201},
};

void lk_api_customer_table(const lk_api_route_t **r, size_t *n)
{
    *r = routes;
    *n = sizeof routes / sizeof routes[0];
}
