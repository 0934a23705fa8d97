/*
 * Agent assist in the API.
 *
 * - The agent's view of a conversation gets its assist parts here
 *   (lk_api_assist_view): the hand-off summary in the agent's language with
 *   its fields, the suggested replies for the customer's latest question,
 *   who the customer is and their earlier conversations. The customer's
 *   messages are read once with the current bot's NLU; the pure assist
 *   module does the rest.
 * - The queue's items get a preview of the customer's latest question.
 * - Request fields: an agent reply's provenance (human, suggested,
 *   suggested_edited) and the customer and channel a new conversation names.
 * - Canned responses: listing and searching for every agent, creating,
 *   changing and archiving for supervisors and admins, with audit records.
 */
#include "api/api_int.h"
#include "api/route.h"

#include "assist/assist.h"
#include "text/text.h"

#include <stdlib.h>
#include <string.h>

#define MODULE "assist"

#define READ_MAX 50     /* the customer's last messages the NLU reads for one view */
#define HISTORY_MAX 10  /* earlier conversations in a view */
#define HISTORY_MSGS 12 /* first messages read for an earlier conversation's line */
#define PREVIEW_MAX 137 /* bytes of a queue preview before "..." (140 in all) */
#define PREVIEW_MSGS 3  /* the customer's last messages looked at for a preview */
#define CANNED_MAX 500  /* canned responses in one listing */
#define CANNED_TITLE_MAX 200
#define CANNED_SHORTCUT_MAX 32
#define QUERY_MAX 200

/* ---- reading the customer's messages -------------------------------------- */

typedef struct {
    lk_nlu_reading_t *r;        /* parallel to the messages */
    const lk_nlu_reading_t **p; /* &r[i] where read, NULL elsewhere */
} readings_t;

/* Reads the last READ_MAX customer messages of msgs with bot's NLU. */
static void read_msgs(const lk_bot_t *bot, const lk_conv_t *c, const lk_msg_t *msgs, size_t n, readings_t *rd)
{
    rd->r = lk_xcalloc(n ? n : 1, sizeof *rd->r);
    rd->p = lk_xcalloc(n ? n : 1, sizeof *rd->p);
    size_t seen = 0;
    for (size_t i = n; i-- > 0 && seen < READ_MAX;) {
        if (msgs[i].sender != LK_SENDER_CUSTOMER || !msgs[i].text)
            continue;
        seen++;
        lk_nlu_context_t ctx = {NULL, 0, c->language};
        if (lk_nlu_read(bot->nlu, msgs[i].text, strlen(msgs[i].text), &ctx, &rd->r[i]) == 0)
            rd->p[i] = &rd->r[i];
    }
}

static void readings_free(readings_t *rd)
{
    free(rd->r);
    free(rd->p);
}

static json_t *str_or_null(const char *s)
{
    json_t *j = s && s[0] ? json_string(s) : NULL;
    return j ? j : json_null();
}

static json_t *fields_json(const lk_assist_summary_t *f)
{
    json_t *q = json_array(), *a = json_array(), *e = json_array();
    for (size_t i = 0; i < f->n_questions; i++)
        json_array_append_new(q, json_string(f->questions[i]));
    for (size_t i = 0; i < f->n_answers; i++)
        json_array_append_new(a, json_pack("{s:s, s:s}", "article_id", f->answers[i].article_id, "title",
                                           f->answers[i].title));
    for (size_t i = 0; i < f->n_entities; i++)
        json_array_append_new(e, json_pack("{s:s, s:s}", "type", f->entities[i].type, "value",
                                           f->entities[i].value));
    json_t *o = json_object();
    json_object_set_new(o, "questions", q);
    json_object_set_new(o, "bot_answers", a);
    json_object_set_new(o, "handoff_reason", str_or_null(f->handoff_reason));
    json_object_set_new(o, "sentiment", json_string(f->sentiment));
    json_object_set_new(o, "language", json_string(f->language));
    json_object_set_new(o, "entities", e);
    return o;
}

static json_t *history_json(lk_store_t *st, const lk_conv_t *c, const char *lang)
{
    json_t *arr = json_array();
    lk_conv_t *v = NULL;
    size_t n = 0;
    if (lk_store_conv_history(st, c->customer_email, c->customer_external_id, c->id, HISTORY_MAX, &v, &n) != 0)
        return arr; /* logged by the store; the view works without it */
    for (size_t i = 0; i < n; i++) {
        lk_msg_t *msgs = NULL;
        size_t nm = 0;
        if (lk_store_msg_list(st, v[i].id, 0, HISTORY_MSGS, &msgs, &nm) != 0)
            nm = 0;
        lk_api_mask_msgs(msgs, nm);
        char *line = lk_assist_oneline(&v[i], msgs, nm, lang);
        char ts[LK_RFC3339_LEN];
        lk_time_rfc3339(v[i].created_at, ts);
        json_t *o = json_object();
        json_object_set_new(o, "id", json_string(v[i].id));
        json_object_set_new(o, "created_at", json_string(ts));
        json_object_set_new(o, "status", json_string(lk_conv_status_name(v[i].status)));
        json_object_set_new(o, "handoff_reason", str_or_null(lk_handoff_reason_name(v[i].handoff_reason)));
        json_object_set_new(o, "summary", json_string(line));
        json_array_append_new(arr, o);
        free(line);
        lk_msgs_free(msgs, nm);
    }
    lk_convs_free(v, n);
    return arr;
}

void lk_api_assist_view(struct lk_app *app, lk_store_t *st, const lk_conv_t *c, const lk_msg_t *msgs, size_t n,
                        const char *lang, json_t *out)
{
    lk_bot_t *bot = lk_bot_acquire(app);
    readings_t rd;
    read_msgs(bot, c, msgs, n, &rd);
    lk_assist_conv_t cv = {
        .conv = c,
        .msgs = msgs,
        .n_msgs = n,
        .readings = rd.p,
        .kb = &bot->kb,
        .person_min = app->policy.person_request_min,
        .negative_min = app->policy.negative_min,
    };
    lk_assist_summary_t f;
    char *summary = lk_assist_summary(&cv, lang, &f);
    json_object_set_new(out, "summary", json_string(summary));
    json_object_set_new(out, "summary_fields", fields_json(&f));
    free(summary);
    lk_assist_summary_clear(&f);

    lk_assist_suggestion_t sug[LK_ASSIST_SUGGESTIONS_MAX];
    size_t ns = lk_assist_suggest(&cv, sug, NULL);
    /* below the floor (suggest_min_confidence) a match is noise: left out;
     * below the bot's own answering threshold it is marked weak */
    double floor = (double)app->cfg.suggest_min_confidence / 100.0;
    double strong = lk_nlu_threshold(bot->nlu);
    json_t *arr = json_array();
    size_t hidden = 0;
    for (size_t i = 0; i < ns; i++) {
        if (sug[i].confidence < floor) {
            hidden++;
            continue;
        }
        const lk_article_t *a = &bot->kb.articles[sug[i].article];
        json_t *o = json_object();
        json_object_set_new(o, "article_id", json_string(a->id));
        json_object_set_new(o, "title", json_string(a->title));
        json_object_set_new(o, "text", json_string(a->answer));
        json_object_set_new(o, "confidence", json_real(sug[i].confidence));
        json_object_set_new(o, "weak", json_boolean(sug[i].confidence < strong));
        json_array_append_new(arr, o);
    }
    json_object_set_new(out, "suggestions", arr);
    json_object_set_new(out, "suggestions_hidden", json_integer((json_int_t)hidden));
    readings_free(&rd);
    lk_bot_release(bot);

    json_t *who = json_object();
    json_object_set_new(who, "email", str_or_null(c->customer_email));
    json_object_set_new(who, "external_id", str_or_null(c->customer_external_id));
    json_object_set_new(who, "name", str_or_null(c->customer_name));
    /* whether the company's site vouched for email and external_id; an
     * unverified identity is only what the customer claimed */
    json_object_set_new(who, "verified", json_boolean(c->customer_verified));
    json_object_set_new(out, "customer", who);
    json_object_set_new(out, "channel", str_or_null(c->channel));
    /* the earlier conversations only of a verified identity (and only
     * verified ones, lk_store_conv_history): someone who claims another
     * person's address sees nothing of theirs through an agent */
    json_object_set_new(out, "history", c->customer_verified ? history_json(st, c, lang) : json_array());
}

void lk_api_assist_preview(struct lk_app *app, lk_store_t *st, const lk_conv_t *c, json_t *out)
{
    lk_msg_t *msgs = NULL;
    size_t n = 0;
    char *preview = NULL;
    if (lk_store_msg_list_recent(st, c->id, LK_SENDER_CUSTOMER, PREVIEW_MSGS, &msgs, &n) == 0 && n > 0) {
        lk_api_mask_msgs(msgs, n);
        lk_bot_t *bot = lk_bot_acquire(app);
        readings_t rd;
        read_msgs(bot, c, msgs, n, &rd);
        lk_assist_conv_t cv = {.conv = c, .msgs = msgs, .n_msgs = n, .readings = rd.p, .kb = &bot->kb,
                               .person_min = app->policy.person_request_min,
                               .negative_min = app->policy.negative_min};
        long q = lk_assist_last_question(&cv);
        if (q >= 0)
            preview = lk_assist_shorten(msgs[q].text, PREVIEW_MAX);
        readings_free(&rd);
        lk_bot_release(bot);
    }
    json_object_set_new(out, "preview", str_or_null(preview));
    free(preview);
    lk_msgs_free(msgs, n);
}

/* ---- request fields -------------------------------------------------------- */

/* An optional string field of obj, named `name` in messages: a string
 * without NUL or control characters, not only spaces, at most max bytes.
 * true with *out set (NULL when absent or null); false after answering 400. */
static bool opt_string(lk_http_req_t *req, json_t *obj, const char *key, const char *name, size_t max,
                       const char **out)
{
    *out = NULL;
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return true;
    if (!json_is_string(v)) {
        lk_respond_error(req, 400, "invalid_field", "the field \"%s\" must be a string", name);
        return false;
    }
    const char *s = json_string_value(v);
    lk_body_error_t e;
    if (!lk_body_check_string(s, json_string_length(v), name, max, true, &e)) {
        lk_respond_error(req, e.status, e.code, "%s", e.message);
        return false;
    }
    *out = s;
    return true;
}

/* A plausible e-mail address: one "@", a local part, a domain with a dot,
 * no spaces; not a full RFC 5322 parser, on purpose. */
static bool looks_like_email(const char *s)
{
    const char *at = strchr(s, '@');
    if (!at || at == s || strchr(at + 1, '@'))
        return false;
    const char *dom = at + 1, *dot = strrchr(dom, '.');
    if (!dot || dot == dom || dot[1] == '\0' || dom[0] == '.' || strstr(dom, ".."))
        return false;
    for (const char *p = s; *p; p++)
        if (*p == ' ' || *p == ',' || *p == ';' || *p == '<' || *p == '>' || *p == '"' || *p == '(' || *p == ')')
            return false;
    return true;
}

bool lk_api_customer_parse(struct lk_app *app, lk_http_req_t *req, json_t *body, int64_t now, lk_conv_t *into)
{
    json_t *cust = json_object_get(body, "customer");
    if (cust && !json_is_null(cust)) {
        if (!json_is_object(cust)) {
            lk_respond_error(req, 400, "invalid_field", "the field \"customer\" must be an object");
            return false;
        }
        const char *email, *ext, *name, *sig;
        if (!opt_string(req, cust, "email", "customer.email", 254, &email) ||
            !opt_string(req, cust, "external_id", "customer.external_id", 128, &ext) ||
            !opt_string(req, cust, "name", "customer.name", 200, &name) ||
            !opt_string(req, cust, "signature", "customer.signature", 128, &sig))
            return false;
        if (email && !looks_like_email(email)) {
            lk_respond_error(req, 400, "invalid_field", "the field \"customer.email\" must be an e-mail address");
            return false;
        }
        /* the timestamp of the signature: Unix seconds, as a number or in a
         * string (a data attribute's value) */
        char ts[24] = "";
        json_t *tv = json_object_get(cust, "timestamp");
        if (json_is_integer(tv) && json_integer_value(tv) >= 0) {
            snprintf(ts, sizeof ts, "%lld", (long long)json_integer_value(tv));
        } else if (json_is_string(tv) && json_string_length(tv) > 0 && json_string_length(tv) < 16 &&
                   strspn(json_string_value(tv), "0123456789") == json_string_length(tv)) {
            snprintf(ts, sizeof ts, "%s", json_string_value(tv));
        } else if (tv && !json_is_null(tv)) {
            lk_respond_error(req, 400, "invalid_field",
                             "the field \"customer.timestamp\" must be the signature's time in Unix seconds");
            return false;
        }
        /* a signature that does not verify (wrong, expired, or none)
         * leaves the identity unverified: the chat goes on, but the
         * conversation joins no customer's history */
        if (sig && (email || ext)) {
            into->customer_verified = lk_api_identity_verify(app, email, ext, ts, sig, now);
            if (!into->customer_verified)
                LK_INFO("assist", "a customer identity's signature did not verify (wrong, expired or no "
                                  "identity_secret_file): the conversation's identity is unverified");
        }
        if (email) { /* one customer, however the host page spells the address */
            into->customer_email = lk_xstrdup(email);
            for (char *p = into->customer_email; *p; p++)
                if (*p >= 'A' && *p <= 'Z')
                    *p = (char)(*p + 32);
        }
        into->customer_external_id = ext ? lk_xstrdup(ext) : NULL;
        into->customer_name = name ? lk_xstrdup(name) : NULL;
    }
    json_t *ch = json_object_get(body, "channel");
    if (ch && !json_is_null(ch)) {
        if (!json_is_string(ch) || !lk_slug_valid(json_string_value(ch), sizeof into->channel - 1)) {
            lk_respond_error(req, 400, "invalid_field",
                             "the field \"channel\" must be a short name: 1 to %zu of a-z, 0-9, \"_\" and \"-\"",
                             sizeof into->channel - 1);
            return false;
        }
        snprintf(into->channel, sizeof into->channel, "%s", json_string_value(ch));
    }
    return true;
}

void lk_api_customer_move(lk_conv_t *from, lk_conv_t *to)
{
    to->customer_verified = from->customer_verified;
    to->customer_email = from->customer_email;
    to->customer_external_id = from->customer_external_id;
    to->customer_name = from->customer_name;
    from->customer_email = from->customer_external_id = from->customer_name = NULL;
    snprintf(to->channel, sizeof to->channel, "%s", from->channel[0] ? from->channel : "api");
}

/* An article id as the knowledge base allows it: [A-Za-z0-9._-]. */
static bool is_article_id(const char *s)
{
    return lk_kb_token_valid(s, LK_KB_ID_MAX);
}

bool lk_api_provenance_parse(lk_http_req_t *req, json_t *body, char *provenance, size_t size, char **article_id)
{
    *article_id = NULL;
    snprintf(provenance, size, "human");
    json_t *p = json_object_get(body, "provenance");
    if (p && !json_is_null(p)) {
        const char *v = json_is_string(p) ? json_string_value(p) : "";
        if (strcmp(v, "human") != 0 && strcmp(v, "suggested") != 0 && strcmp(v, "suggested_edited") != 0) {
            lk_respond_error(req, 400, "invalid_field",
                             "the field \"provenance\" must be \"human\", \"suggested\" or \"suggested_edited\"");
            return false;
        }
        snprintf(provenance, size, "%s", v);
    }
    json_t *a = json_object_get(body, "suggestion_article_id");
    bool suggested = strcmp(provenance, "human") != 0;
    if (!a || json_is_null(a)) {
        if (suggested) {
            lk_respond_error(req, 400, "missing_field",
                             "the field \"suggestion_article_id\" is required with provenance \"%s\"", provenance);
            return false;
        }
        return true;
    }
    if (!suggested) {
        lk_respond_error(req, 400, "invalid_field",
                         "the field \"suggestion_article_id\" goes only with provenance \"suggested\" or "
                         "\"suggested_edited\"");
        return false;
    }
    if (!json_is_string(a) || !is_article_id(json_string_value(a))) {
        lk_respond_error(req, 400, "invalid_field",
                         "the field \"suggestion_article_id\" must be an article id (1 to %d of A-Z, a-z, 0-9, "
                         "\".\", \"_\" and \"-\")",
                         LK_KB_ID_MAX);
        return false;
    }
    *article_id = lk_xstrdup(json_string_value(a));
    return true;
}

/* ---- canned responses ------------------------------------------------------ */

/* The body fields of a create and an update, in this order. */
enum { F_LANGUAGE, F_TITLE, F_SHORTCUT, F_TEXT };

/* A listing's query (job->data). */
typedef struct {
    char language[8]; /* "" = all */
    char *query;      /* NULL = no search */
} list_t;

static void list_free(void *data)
{
    free(((list_t *)data)->query);
}

static json_t *canned_json(const lk_canned_t *c)
{
    return json_pack("{s:s, s:s, s:s, s:o, s:s, s:o, s:o}", "id", c->id, "language", c->language, "title", c->title,
                     "shortcut", str_or_null(c->shortcut), "text", c->text, "created_at", lk_json_time(c->created_at),
                     "updated_at", lk_json_time(c->updated_at));
}

/* Whether every word of the folded query occurs in title, shortcut or text. */
static bool canned_matches(const lk_canned_t *c, const char *folded_query)
{
    lk_buf_t b;
    lk_buf_init(&b, 1 << 20);
    lk_buf_printf(&b, "%s\n%s\n%s", c->title, c->shortcut ? c->shortcut : "", c->text);
    char *hay = lk_text_search_fold(b.data ? b.data : "");
    lk_buf_free(&b);
    bool ok = lk_text_has_words(hay, folded_query);
    free(hay);
    return ok;
}

static void run_list(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    list_t *l = j->data;
    lk_canned_t *v = NULL;
    size_t n = 0;
    int rc = lk_store_canned_list(st, l->language[0] ? l->language : NULL, CANNED_MAX, &v, &n);
    if (rc) {
        lk_api_fail_db(j, rc);
        return;
    }
    char *q = l->query ? lk_text_search_fold(l->query) : NULL;
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        if (!q || canned_matches(&v[i], q))
            json_array_append_new(arr, canned_json(&v[i]));
    free(q);
    lk_canned_free(v, n);
    j->out = json_pack("{s:o}", "canned", arr);
}

static void not_found(lk_api_job_t *j)
{
    lk_api_fail(j, LK_ENOENT, 404, "not_found", "no canned response with this id");
}

static void run_create(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    lk_canned_t c = {0};
    lk_rand_id("cr_", c.id, sizeof c.id);
    snprintf(c.language, sizeof c.language, "%s", j->body[F_LANGUAGE].s);
    c.title = lk_xstrdup(j->body[F_TITLE].s);
    c.shortcut = j->body[F_SHORTCUT].s ? lk_xstrdup(j->body[F_SHORTCUT].s) : NULL;
    c.text = lk_xstrdup(j->body[F_TEXT].s);
    snprintf(c.created_by, sizeof c.created_by, "%s", j->user.id);
    c.created_at = c.updated_at = now;
    int rc = lk_store_canned_insert(st, &c);
    if (rc == 0)
        rc = lk_store_audit(st, now, j->user.id, "canned.create", NULL, c.id);
    if (rc)
        lk_api_fail_db(j, rc);
    else
        j->out = canned_json(&c);
    lk_canned_clear(&c);
}

/* Replaces *field by the body's value when it was given (null: none). */
static void set_given(char **field, const lk_api_value_t *v)
{
    if (!v->given)
        return;
    free(*field);
    *field = v->s ? lk_xstrdup(v->s) : NULL;
}

static void run_update(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    lk_canned_t c = {0};
    int rc = lk_store_canned_get(st, j->id, &c);
    if (rc == LK_ENOENT || (rc == 0 && c.archived)) {
        lk_canned_clear(&c);
        not_found(j);
        return;
    }
    if (rc) {
        lk_api_fail_db(j, rc);
        return;
    }
    if (j->body[F_LANGUAGE].given)
        snprintf(c.language, sizeof c.language, "%s", j->body[F_LANGUAGE].s);
    set_given(&c.title, &j->body[F_TITLE]);
    set_given(&c.shortcut, &j->body[F_SHORTCUT]);
    set_given(&c.text, &j->body[F_TEXT]);
    c.updated_at = now;
    rc = lk_store_canned_update(st, &c);
    if (rc == 0)
        rc = lk_store_audit(st, now, j->user.id, "canned.update", NULL, c.id);
    if (rc == LK_ENOENT)
        not_found(j);
    else if (rc)
        lk_api_fail_db(j, rc);
    else
        j->out = canned_json(&c);
    lk_canned_clear(&c);
}

static void run_archive(lk_api_job_t *j, lk_store_t *st, int64_t now)
{
    int rc = lk_store_canned_archive(st, j->id, now);
    if (rc == 0)
        rc = lk_store_audit(st, now, j->user.id, "canned.archive", NULL, j->id);
    if (rc == LK_ENOENT)
        not_found(j);
    else if (rc)
        lk_api_fail_db(j, rc);
    else
        j->out = json_pack("{s:s, s:b}", "id", j->id, "archived", 1);
}

/* A language tag as the knowledge base has them. */
static bool language_ok(const char *s)
{
    return lk_kb_language_valid(s, strlen(s));
}

static bool shortcut_ok(const char *s)
{
    return lk_slug_valid(s, CANNED_SHORTCUT_MAX);
}

/* ?language=nl, ?q=words */
static bool list_query(lk_api_job_t *j)
{
    list_t *l = j->data;
    lk_str_t v;
    if (lk_http_req_query(j->req, "language", &v) && v.len > 0) {
        if (!lk_kb_language_valid(v.base, v.len)) {
            lk_respond_error(j->req, 400, "invalid_field",
                             "the parameter \"language\" must be a language code like \"nl\"");
            return false;
        }
        memcpy(l->language, v.base, v.len);
    }
    if (lk_http_req_query(j->req, "q", &v) && v.len > 0) {
        if (v.len > QUERY_MAX || !lk_utf8_valid(v.base, v.len)) {
            lk_respond_error(j->req, 400, "invalid_field",
                             "the parameter \"q\" must be valid UTF-8 of at most %d bytes", QUERY_MAX);
            return false;
        }
        l->query = lk_xstrndup(v.base, v.len);
    }
    return true;
}

#define STR_(x) #x
#define STR(x) STR_(x)
#define LANGUAGE_INVALID "the field \"language\" must be a language code like \"nl\""
#define SHORTCUT_INVALID "the field \"shortcut\" must be 1 to " STR(CANNED_SHORTCUT_MAX) " of a-z, 0-9, \"_\" and \"-\""

/* a create: all required but shortcut */
static const lk_api_field_t create_fields[] = {
    [F_LANGUAGE] = {.name = "language", .type = LK_FIELD_STRING, .required = true, .max_len = 3,
                    .check = language_ok, .invalid = LANGUAGE_INVALID},
    [F_TITLE] = {.name = "title", .type = LK_FIELD_STRING, .required = true, .max_len = CANNED_TITLE_MAX},
    [F_SHORTCUT] = {.name = "shortcut", .type = LK_FIELD_STRING, .max_len = CANNED_SHORTCUT_MAX,
                    .check = shortcut_ok, .invalid = SHORTCUT_INVALID},
    [F_TEXT] = {.name = "text", .type = LK_FIELD_STRING, .required = true, .max_len = LK_API_MAX_TEXT},
};
/* an update: any, at least one; a shortcut of null removes it */
static const lk_api_field_t update_fields[] = {
    [F_LANGUAGE] = {.name = "language", .type = LK_FIELD_STRING, .max_len = 3, .check = language_ok,
                    .invalid = LANGUAGE_INVALID},
    [F_TITLE] = {.name = "title", .type = LK_FIELD_STRING, .max_len = CANNED_TITLE_MAX},
    [F_SHORTCUT] = {.name = "shortcut", .type = LK_FIELD_STRING, .max_len = CANNED_SHORTCUT_MAX, .nullable = true,
                    .check = shortcut_ok, .invalid = SHORTCUT_INVALID},
    [F_TEXT] = {.name = "text", .type = LK_FIELD_STRING, .max_len = LK_API_MAX_TEXT},
};

#define FIELDS(a) .fields = a, .n_fields = sizeof a / sizeof a[0]

/* Listing and searching for every agent; creating, changing and archiving
 * for supervisors and admins. */
static const lk_api_route_t routes[] = {
    {"GET", "/api/v1/agent/canned", LK_ACCESS_AGENT, .steps = {{.pool = LK_ON_READER, .run = run_list}}, .prepare = list_query,
     .data_size = sizeof(list_t), .data_free = list_free},
    {"POST", "/api/v1/agent/canned", LK_ACCESS_SUPERVISOR, FIELDS(create_fields),
     .steps = {{.pool = LK_ON_WRITER, .run = run_create}}, .status = 201},
    {"PUT", "/api/v1/agent/canned/:id", LK_ACCESS_SUPERVISOR, FIELDS(update_fields),
     .need_one = "the body names no field to change (language, title, shortcut, text)",
     .need_one_code = "missing_field", .steps = {{.pool = LK_ON_WRITER, .run = run_update}}},
    {"DELETE", "/api/v1/agent/canned/:id", LK_ACCESS_SUPERVISOR, .steps = {{.pool = LK_ON_WRITER, .run = run_archive}}},
};

void lk_api_assist_table(const lk_api_route_t **r, size_t *n)
{
    *r = routes;
    *n = sizeof routes / sizeof routes[0];
}
