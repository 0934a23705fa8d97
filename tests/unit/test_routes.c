/* Unit tests for api/route.c: the body validated from a route's field table
 * (the same 400 answers the hand-written handlers gave), the roles, and the
 * well-formedness of every route table of the server. */
#include "api/route.h"

#include <criterion/criterion.h>
#include <string.h>

/* The table route with this method and path (the real tables). */
static const lk_api_route_t *find(const char *method, const char *path)
{
    const lk_api_route_t *r = lk_api_route_find(method, path);
    cr_assert_not_null(r, "no table route %s %s", method, path);
    return r;
}

typedef struct {
    bool ok;
    lk_body_error_t e;
    lk_api_value_t v[LK_API_MAX_FIELDS];
} result_t;

static result_t read_body(const lk_api_route_t *r, const char *body)
{
    result_t res;
    memset(&res, 0, sizeof res);
    res.ok = lk_api_route_body(r, 5000, body, strlen(body), false, res.v, &res.e);
    return res;
}

static void expect_error(const lk_api_route_t *r, const char *body, int status, const char *code, const char *message)
{
    result_t res = read_body(r, body);
    cr_assert(!res.ok, "%s should be refused", body);
    cr_assert_eq(res.e.status, status, "%s: status %d", body, res.e.status);
    cr_assert_str_eq(res.e.code, code, "%s", body);
    cr_assert_str_eq(res.e.message, message, "%s", body);
    for (size_t i = 0; i < r->n_fields; i++)
        cr_assert_null(res.v[i].s, "a refused body leaves no value behind");
}

/* Each of bodies[0..n) refused with 400, code and message. */
static void expect_each(const lk_api_route_t *r, const char *const *bodies, size_t n, const char *code,
                        const char *message)
{
    for (size_t i = 0; i < n; i++)
        expect_error(r, bodies[i], 400, code, message);
}

#define UPDATE "/api/v1/admin/users/:id"

Test(route_body, a_valid_body_gives_each_field)
{
    const lk_api_route_t *r = find("PATCH", UPDATE);
    result_t res = read_body(r, "{\"role\": \"supervisor\", \"disabled\": true}");
    cr_assert(res.ok, "%s", res.e.message);
    cr_assert(res.v[0].given);
    cr_assert_str_eq(res.v[0].s, "supervisor");
    cr_assert(!res.v[1].given, "display_name was not given");
    cr_assert_null(res.v[1].s);
    cr_assert(res.v[2].given);
    cr_assert(res.v[2].b);
    lk_api_values_clear(r->fields, r->n_fields, res.v);
    cr_assert_null(res.v[0].s);
}

Test(route_body, a_missing_required_field)
{
    expect_error(find("POST", "/api/v1/auth/password"), "{\"new_password\": \"a long enough passphrase 42\"}", 400,
                 "missing_field", "the field \"current_password\" is required");
    expect_error(find("POST", UPDATE "/password"), "{\"password\": null}", 400, "missing_field",
                 "the field \"password\" is required");
}

Test(route_body, a_field_too_long)
{
    char body[400];
    char name[202];
    memset(name, 'x', 201);
    name[201] = '\0';
    snprintf(body, sizeof body, "{\"display_name\": \"%s\"}", name);
    expect_error(find("PATCH", UPDATE), body, 400, "invalid_field",
                 "the field \"display_name\" is longer than 200 bytes");
    name[200] = '\0'; /* exactly the limit is fine */
    snprintf(body, sizeof body, "{\"display_name\": \"%s\"}", name);
    result_t res = read_body(find("PATCH", UPDATE), body);
    cr_assert(res.ok, "%s", res.e.message);
    lk_api_values_clear(find("PATCH", UPDATE)->fields, 3, res.v);
}

Test(route_body, a_field_of_the_wrong_type)
{
    const lk_api_route_t *r = find("PATCH", UPDATE);
    expect_error(r, "{\"display_name\": 7}", 400, "invalid_field", "the field \"display_name\" must be a string");
    expect_error(r, "{\"display_name\": \"  \"}", 400, "invalid_field", "the field \"display_name\" must not be empty");
    expect_error(r, "{\"disabled\": \"yes\"}", 400, "invalid_field", "the field \"disabled\" must be true or false");
    expect_error(r, "{\"disabled\": null}", 400, "invalid_field", "the field \"disabled\" must be true or false");
}

Test(route_body, a_bad_enum_value)
{
    const lk_api_route_t *r = find("PATCH", UPDATE);
    expect_error(r, "{\"role\": \"owner\"}", 400, "invalid_field",
                 "the field \"role\" must be agent, supervisor or admin");
    expect_error(r, "{\"role\": \"administrator-of-all\"}", 400, "invalid_field",
                 "the field \"role\" is longer than 15 bytes");
    /* a nullable enum with its own message: null is a value, anything else wrong gets the message */
    const lk_api_route_t *me = find("PATCH", "/api/v1/auth/me");
    const char *msg = "the field \"language\" must be \"nl\", \"en\" or null";
    expect_each(me, (const char *const[]){"{\"language\": \"de\"}", "{\"language\": 1}", "{\"language\": \"\"}"}, 3,
                "invalid_field", msg);
    result_t res = read_body(me, "{\"language\": null}");
    cr_assert(res.ok, "%s", res.e.message);
    cr_assert(res.v[0].given && res.v[0].is_null);
}

Test(route_body, nothing_to_change)
{
    expect_error(find("PATCH", UPDATE), "{\"role\": null, \"other\": 1}", 400, "invalid_body",
                 "nothing to change: give \"role\", \"display_name\" or \"disabled\"");
    expect_error(find("PATCH", "/api/v1/auth/me"), "{}", 400, "invalid_body", "nothing to change: give \"language\"");
}

Test(route_body, not_a_json_object)
{
    const lk_api_route_t *r = find("PATCH", UPDATE);
    expect_error(r, "", 400, "invalid_json", "the request body is empty; a JSON object was expected");
    expect_error(r, "[1]", 400, "invalid_json", "the request body must be a JSON object");
    expect_error(r, "\xff", 400, "invalid_utf8", "the request body is not valid UTF-8");
    lk_api_value_t v[LK_API_MAX_FIELDS];
    lk_body_error_t e;
    cr_assert(!lk_api_body_read(r->fields, r->n_fields, r->need_one, "{}", 2, true, v, &e));
    cr_assert_eq(e.status, 413);
    cr_assert_str_eq(e.code, "body_too_large");
}

Test(route_body, a_weak_new_password)
{
    expect_error(find("POST", UPDATE "/password"), "{\"password\": \"short\"}", 400, "invalid_field",
                 "the field \"password\" is not accepted as a password: it must have at least 8 characters; a sentence "
                 "of several words is easiest to remember");
    result_t res = read_body(find("POST", UPDATE "/password"), "{\"password\": \"password1234\"}");
    cr_assert(!res.ok);
    cr_assert_str_eq(res.e.code, "weak_password");
}

/* The same answers as the hand-written checks (lk_body_field_string). */
Test(route_body, strings_answer_as_lk_body_field_string)
{
    static const lk_api_field_t f[] = {{.name = "text", .type = LK_FIELD_STRING, .required = true, .max_len = 5}};
    const char *bodies[] = {"{}", "{\"text\": 1}", "{\"text\": null}", "{\"text\": \" \"}", "{\"text\": \"123456\"}"};
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        lk_api_value_t v[1];
        lk_body_error_t a, b;
        cr_assert(!lk_api_body_read(f, 1, NULL, bodies[i], strlen(bodies[i]), false, v, &a));
        json_t *j = lk_body_parse(bodies[i], strlen(bodies[i]), false, &b);
        const char *s;
        cr_assert(!lk_body_field_string(j, "text", 5, true, &s, &b));
        json_decref(j);
        cr_assert_eq(a.status, b.status);
        cr_assert_str_eq(a.code, b.code);
        cr_assert_str_eq(a.message, b.message, "%s", bodies[i]);
    }
}

Test(route_body, integers_in_range)
{
    static const lk_api_field_t f[] = {{.name = "days", .type = LK_FIELD_INT, .min = 1, .max = 365}};
    lk_api_value_t v[1];
    lk_body_error_t e;
    cr_assert(lk_api_body_read(f, 1, NULL, "{\"days\": 30}", 12, false, v, &e));
    cr_assert(v[0].given);
    cr_assert_eq(v[0].i, 30);
    cr_assert(lk_api_body_read(f, 1, NULL, "{}", 2, false, v, &e));
    cr_assert(!v[0].given);
    cr_assert(!lk_api_body_read(f, 1, NULL, "{\"days\": 0}", 11, false, v, &e));
    cr_assert_str_eq(e.message, "the field \"days\" must be between 1 and 365");
    cr_assert(!lk_api_body_read(f, 1, NULL, "{\"days\": 1.5}", 13, false, v, &e));
    cr_assert_str_eq(e.message, "the field \"days\" must be an integer");
}

/* ---- roles ------------------------------------------------------------ */

Test(route_role, each_role_admits_whom_it_names)
{
    lk_user_t agent = {.role = LK_ROLE_AGENT}, sup = {.role = LK_ROLE_SUPERVISOR}, admin = {.role = LK_ROLE_ADMIN},
              other = {.role = LK_ROLE_NONE}; /* no console role (the store's name for "customer" and the like) */
    cr_assert(lk_api_role_allows(LK_ACCESS_ANYONE, NULL));
    cr_assert(!lk_api_role_allows(LK_ACCESS_AGENT, NULL));
    cr_assert(lk_api_role_allows(LK_ACCESS_AGENT, &agent));
    cr_assert(lk_api_role_allows(LK_ACCESS_AGENT, &admin));
    cr_assert(!lk_api_role_allows(LK_ACCESS_AGENT, &other));
    cr_assert(!lk_api_role_allows(LK_ACCESS_SUPERVISOR, &agent), "an agent is refused a supervisor's route");
    cr_assert(lk_api_role_allows(LK_ACCESS_SUPERVISOR, &sup));
    cr_assert(lk_api_role_allows(LK_ACCESS_SUPERVISOR, &admin));
    cr_assert(!lk_api_role_allows(LK_ACCESS_ADMIN, &agent), "an agent is refused an admin's route");
    cr_assert(!lk_api_role_allows(LK_ACCESS_ADMIN, &sup), "a supervisor is refused an admin's route");
    cr_assert(lk_api_role_allows(LK_ACCESS_ADMIN, &admin));
}

Test(route_role, the_admin_routes_ask_for_an_admin)
{
    cr_assert_eq(find("PATCH", UPDATE)->role, LK_ACCESS_ADMIN);
    cr_assert_eq(find("POST", UPDATE "/password")->role, LK_ACCESS_ADMIN);
    cr_assert_eq(find("PATCH", "/api/v1/auth/me")->role, LK_ACCESS_AGENT);
}

/* ---- the tables --------------------------------------------------------- */

Test(route_tables, every_table_is_well_formed)
{
    size_t n_tables;
    const lk_api_table_fn *tables = lk_api_route_tables(&n_tables);
    cr_assert_geq(n_tables, 1);
    for (size_t t = 0; t < n_tables; t++) {
        const lk_api_route_t *r;
        size_t n;
        tables[t](&r, &n);
        char why[256] = "";
        cr_assert_eq(lk_api_routes_check(r, n, why, sizeof why), 0, "%s", why);
        for (size_t i = 0; i < n; i++) {
            /* a GET writes nothing but the audit record of what it read */
            if (strcmp(r[i].method, "GET") == 0)
                for (size_t s = 0; s < LK_API_MAX_STEPS && r[i].steps[s].run; s++)
                    cr_assert(r[i].steps[s].pool != LK_ON_WRITER || r[i].steps[s].keep_user, "GET %s writes",
                              r[i].path);
        }
    }
}

Test(route_tables, no_route_is_declared_twice_in_the_server)
{
    size_t n;
    lk_http_route_t *all = lk_api_all_routes(&n);
    cr_assert_gt(n, 10);
    for (size_t i = 0; i < n; i++) {
        cr_assert_not_null(all[i].fn);
        for (size_t k = 0; k < i; k++)
            cr_assert(strcmp(all[i].method, all[k].method) != 0 || strcmp(all[i].pattern, all[k].pattern) != 0,
                      "%s %s twice", all[i].method, all[i].pattern);
    }
    free(all);
}

static void run_nothing(lk_api_job_t *job, lk_store_t *st, int64_t now)
{
    (void)job;
    (void)st;
    (void)now;
}

static void expect_malformed(const lk_api_route_t *r, size_t n, const char *why_has)
{
    char why[256] = "";
    cr_assert_eq(lk_api_routes_check(r, n, why, sizeof why), LK_EINVAL, "should be refused: %s", why_has);
    cr_assert(strstr(why, why_has), "'%s' does not say '%s'", why, why_has);
}

Test(route_tables, the_check_refuses_what_is_malformed)
{
    static const char *const none[] = {NULL};
    static const lk_api_field_t bad_enum[] = {{.name = "x", .type = LK_FIELD_ENUM, .values = none}};
    static const lk_api_field_t twice[] = {{.name = "x", .type = LK_FIELD_STRING},
                                           {.name = "x", .type = LK_FIELD_BOOL}};
    static const lk_api_field_t range[] = {{.name = "x", .type = LK_FIELD_INT, .min = 2, .max = 1}};
    const lk_api_route_t ok = {"POST", "/a", LK_ACCESS_AGENT, .steps = {{.pool = LK_ON_WRITER, .run = run_nothing}}};
    char why[256];
    cr_assert_eq(lk_api_routes_check(&ok, 1, why, sizeof why), 0, "%s", why);

    const lk_api_route_t dup[] = {ok, ok};
    expect_malformed(dup, 2, "declared twice");
    lk_api_route_t r = ok;
    r.steps[0].run = NULL;
    expect_malformed(&r, 1, "no step with a run function");
    r = ok;
    r.method = "FETCH";
    expect_malformed(&r, 1, "no method");
    r = ok;
    r.path = "a";
    expect_malformed(&r, 1, "must start with /");
    r = ok;
    r.steps[0].pool = LK_ON_CPU;
    expect_malformed(&r, 1, "check the session before it hashes");
    r = ok;
    r.fields = bad_enum;
    r.n_fields = 1;
    expect_malformed(&r, 1, "an enum field without values");
    r.fields = twice;
    r.n_fields = 2;
    expect_malformed(&r, 1, "declared twice");
    r.fields = range;
    r.n_fields = 1;
    expect_malformed(&r, 1, "min is above its max");
    r.method = "GET";
    r.fields = twice;
    expect_malformed(&r, 1, "a GET route with a body");
    r = ok;
    r.need_one = "give something";
    expect_malformed(&r, 1, "need_one without body fields");
}

/* ---- confirmations and one-of fields (privacy.c's tables) -------------- */

Test(route_body, a_confirmation_must_be_true)
{
    const lk_api_route_t *r = find("POST", "/api/v1/admin/conversations/:id/erase");
    result_t res = read_body(r, "{\"confirm\": true}");
    cr_assert(res.ok && res.v[0].given && res.v[0].b, "%s", res.e.message);
    const char *msg = "erasing a conversation cannot be undone: send \"confirm\": true";
    expect_error(r, "{}", 400, "missing_field", msg);
    expect_each(r, (const char *const[]){"{\"confirm\": null}", "{\"confirm\": false}", "{\"confirm\": \"true\"}"}, 3,
                "invalid_field", msg);
}

Test(route_body, one_of_is_checked_before_the_fields_after_it)
{
    const lk_api_route_t *r = find("POST", "/api/v1/admin/privacy/erase");
    /* no customer named: that is said first, before the missing confirmation */
    expect_error(r, "{}", 400, "missing_field", "name the customer: give \"email\", \"phone\" or \"external_id\"");
    expect_error(r, "{\"confirm\": true}", 400, "missing_field",
                 "name the customer: give \"email\", \"phone\" or \"external_id\"");
    expect_error(r, "{\"email\": \"ann@example.com\"}", 400, "missing_field",
                 "erasing a customer cannot be undone: send \"confirm\": true");
    expect_error(r, "{\"email\": \"not an address\", \"confirm\": true}", 400, "invalid_field",
                 "the field \"email\" must be an e-mail address");
    expect_error(r, "{\"phone\": \"call me\", \"confirm\": true}", 400, "invalid_field",
                 "the field \"phone\" must be a phone number: 06-12345678, 020 123 4567 or +31 6 12345678");
    result_t res = read_body(r, "{\"phone\": \"06-12345678\", \"confirm\": true}");
    cr_assert(res.ok, "%s", res.e.message);
    lk_api_values_clear(r->fields, r->n_fields, res.v);
}

Test(route_tables, a_later_step_may_keep_the_checked_user_the_first_may_not)
{
    const lk_api_route_t r = {"POST", "/a", LK_ACCESS_ADMIN, .steps = {{.pool = LK_ON_WRITER, .run = run_nothing, .keep_user = true}}};
    expect_malformed(&r, 1, "keep_user on the first step");
}

static bool prepare_nothing(lk_api_job_t *job)
{
    (void)job;
    return true;
}

Test(route_tables, a_route_without_steps_answers_from_prepare_and_has_no_role)
{
    lk_api_route_t r = {"GET", "/a", LK_ACCESS_ANYONE, .prepare = prepare_nothing};
    char why[256];
    cr_assert_eq(lk_api_routes_check(&r, 1, why, sizeof why), 0, "%s", why);
    r.prepare = NULL;
    expect_malformed(&r, 1, "no prepare to answer");
    r.prepare = prepare_nothing;
    r.role = LK_ACCESS_AGENT;
    expect_malformed(&r, 1, "a route with a role and no step to check it");
}

/* ---- the customer's routes: the conversation's token (customer.c) -------- */

#define CONV_PATH "/api/v1/conversations/:id"

Test(route_role, a_conversation_is_the_customer_s_by_its_token_only)
{
    lk_user_t admin = {.role = LK_ROLE_ADMIN};
    cr_assert(!lk_api_role_allows(LK_ACCESS_CONVERSATION, &admin), "no console user stands in for the customer");
    cr_assert(!lk_api_role_allows(LK_ACCESS_CONVERSATION, NULL));
    const char *token = "tok-0123456789abcdef0123456789abcdef";
    lk_conv_t c;
    memset(&c, 0, sizeof c);
    cr_assert(!lk_api_conv_token_ok(&c, token), "a conversation without a token hash admits nobody");
    lk_token_hash(token, strlen(token), c.token_hash);
    cr_assert(lk_api_conv_token_ok(&c, token));
    cr_assert(!lk_api_conv_token_ok(&c, "tok-0123456789abcdef0123456789abcdeF"), "one character off");
    cr_assert(!lk_api_conv_token_ok(&c, ""));
}

Test(route_tables, the_customer_routes_ask_for_the_conversation_s_token)
{
    static const char *const conv_routes[][2] = {
        {"GET", CONV_PATH},
        {"POST", CONV_PATH "/messages"},
        {"POST", CONV_PATH "/handoff"},
        {"POST", CONV_PATH "/rating"},
        {"POST", CONV_PATH "/feedback"},
        {"POST", CONV_PATH "/callback"},
    };
    for (size_t i = 0; i < sizeof conv_routes / sizeof conv_routes[0]; i++)
        cr_assert_eq(find(conv_routes[i][0], conv_routes[i][1])->role, LK_ACCESS_CONVERSATION, "%s %s",
                     conv_routes[i][0], conv_routes[i][1]);
    const lk_api_route_t *create = find("POST", "/api/v1/conversations");
    cr_assert_eq(create->role, LK_ACCESS_ANYONE, "anyone starts a conversation");
    cr_assert(create->widget, "from a page with the widget: widget_origins apply");
    cr_assert(find("GET", CONV_PATH "/ws")->widget);
    /* the insights are the console's */
    cr_assert_eq(find("GET", "/api/v1/kb/gaps")->role, LK_ACCESS_SUPERVISOR);
    cr_assert_eq(find("POST", "/api/v1/agent/conversations/:id/messages/:message_id/review")->role, LK_ACCESS_AGENT);
}

Test(route_tables, a_conversation_s_route_names_its_conversation)
{
    lk_api_route_t r = {"POST", "/api/v1/conversations", LK_ACCESS_CONVERSATION,
                        .steps = {{.pool = LK_ON_WRITER, .run = run_nothing}}};
    expect_malformed(&r, 1, "without :id");
    r.path = CONV_PATH "/x";
    char why[256];
    cr_assert_eq(lk_api_routes_check(&r, 1, why, sizeof why), 0, "%s", why);
    r.steps[0].pool = LK_ON_CPU;
    expect_malformed(&r, 1, "check the session before it hashes");
}

Test(route_body, the_customer_bodies_keep_their_answers)
{
    const lk_api_route_t *m = find("POST", CONV_PATH "/messages");
    expect_error(m, "{}", 400, "missing_field", "the field \"text\" is required");
    expect_error(m, "{\"text\": \"hoi\", \"choice\": \"\"}", 400, "invalid_field",
                 "the field \"choice\" must not be empty");
    const lk_api_route_t *rating = find("POST", CONV_PATH "/rating");
    expect_error(rating, "{}", 400, "missing_field", "the field \"score\" is required");
    expect_each(rating, (const char *const[]){"{\"score\": 0}", "{\"score\": 6}", "{\"score\": \"5\"}"}, 3,
                "invalid_field", "the field \"score\" must be a whole number from 1 to 5");
    const lk_api_route_t *fb = find("POST", CONV_PATH "/feedback");
    expect_error(fb, "{\"message_id\": \"m_1\"}", 400, "missing_field", "the field \"helpful\" is required");
    expect_error(fb, "{\"message_id\": \"m_1\", \"helpful\": 1}", 400, "invalid_field",
                 "the field \"helpful\" must be true or false");
    const lk_api_route_t *cb = find("POST", CONV_PATH "/callback");
    expect_error(cb, "{\"contact\": \"call me\"}", 400, "invalid_field",
                 "the field \"contact\" must be a phone number or an e-mail address");
    result_t res = read_body(cb, "{\"contact\": \" ann@example.com \"}");
    cr_assert(res.ok, "%s", res.e.message);
    lk_api_values_clear(cb->fields, cb->n_fields, res.v);
    const lk_api_route_t *create = find("POST", "/api/v1/conversations");
    expect_error(create, "{\"language\": \"Dutch\"}", 400, "invalid_field",
                 "the field \"language\" must be a language tag: 2 or 3 lowercase letters, optionally with a region "
                 "(\"nl\", \"de\", \"fr-BE\")");
    res = read_body(create, "{\"language\": \"fr-BE\", \"customer\": {\"name\": \"Ann\"}}");
    cr_assert(res.ok, "%s", res.e.message);
    lk_api_values_clear(create->fields, create->n_fields, res.v);
    const lk_api_route_t *review = find("POST", "/api/v1/agent/conversations/:id/messages/:message_id/review");
    expect_error(review, "{\"verdict\": \"maybe\"}", 400, "invalid_field",
                 "the field \"verdict\" must be \"right\" or \"wrong\"");
    expect_error(review, "{\"verdict\": \"wrong\", \"correct_article_id\": \"a b\"}", 400, "invalid_field",
                 "the field \"correct_article_id\" must be an article id");
}

/* ---- knowledge management and the reports (knowledge.c, analytics.c) ---- */

Test(route_tables, knowledge_changes_are_for_supervisors_and_reads_for_every_user)
{
    static const char *const manage[][2] = {
        {"POST", "/api/v1/kb/articles/:id/archive"},
        {"POST", "/api/v1/kb/articles/:id/restore"},
        {"POST", "/api/v1/kb/drafts"},
        {"PUT", "/api/v1/kb/drafts/:id"},
        {"DELETE", "/api/v1/kb/drafts/:id"},
        {"POST", "/api/v1/kb/drafts/:id/preview"},
        {"POST", "/api/v1/kb/drafts/:id/publish"},
        {"POST", "/api/v1/kb/import"},
    };
    for (size_t i = 0; i < sizeof manage / sizeof manage[0]; i++)
        cr_expect_eq(find(manage[i][0], manage[i][1])->role, LK_ACCESS_SUPERVISOR, "%s %s", manage[i][0], manage[i][1]);
    static const char *const read[][2] = {
        {"GET", "/api/v1/kb/articles"},   {"GET", "/api/v1/kb/articles/:id"}, {"GET", "/api/v1/kb/drafts"},
        {"GET", "/api/v1/kb/drafts/:id"}, {"POST", "/api/v1/kb/try"},         {"GET", "/api/v1/kb/export"},
    };
    for (size_t i = 0; i < sizeof read / sizeof read[0]; i++)
        cr_expect_eq(find(read[i][0], read[i][1])->role, LK_ACCESS_AGENT, "%s %s", read[i][0], read[i][1]);
}

Test(route_tables, publishing_checks_on_a_reader_writes_on_the_writer_and_reads_back)
{
    const lk_api_route_t *r = find("POST", "/api/v1/kb/drafts/:id/publish");
    cr_assert_eq(r->steps[0].pool, LK_ON_READER); /* the regression check builds a model: never on the writer */
    cr_assert_eq(r->steps[1].pool, LK_ON_WRITER);
    cr_assert_eq(r->steps[2].pool, LK_ON_READER);
    cr_assert_null(r->steps[3].run);
    r = find("POST", "/api/v1/kb/import");
    cr_assert_eq(r->steps[0].pool, LK_ON_READER); /* parsed after the session check, off the writer */
    cr_assert_eq(r->steps[1].pool, LK_ON_WRITER);
    cr_assert_eq(find("POST", "/api/v1/kb/drafts")->status, 201);
}

Test(route_body, what_would_the_bot_do_takes_a_text_and_nl_or_en)
{
    const lk_api_route_t *r = find("POST", "/api/v1/kb/try");
    expect_error(r, "{}", 400, "missing_field", "the field \"text\" is required");
    expect_error(r, "{\"text\": \"hoi\", \"language\": \"de\"}", 400, "invalid_field",
                 "the field \"language\" must be \"nl\" or \"en\"");
    result_t res = read_body(r, "{\"text\": \"waar is mijn pakket\", \"language\": \"en\"}");
    cr_assert(res.ok, "%s", res.e.message);
    cr_assert_str_eq(res.v[0].s, "waar is mijn pakket");
    cr_assert_str_eq(res.v[1].s, "en");
    lk_api_values_clear(r->fields, r->n_fields, res.v);
}

Test(route_tables, the_reports_are_for_supervisors_on_a_reader)
{
    static const char *const paths[] = {"/api/v1/analytics/summary", "/api/v1/analytics/agents",
                                        "/api/v1/analytics/topics", "/api/v1/reports/compliance"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        const lk_api_route_t *r = find("GET", paths[i]);
        cr_expect_eq(r->role, LK_ACCESS_SUPERVISOR, "%s", paths[i]);
        cr_expect_eq(r->steps[0].pool, LK_ON_READER, "%s", paths[i]);
        cr_expect_not_null(r->prepare, "%s reads its query", paths[i]);
        cr_expect_not_null(r->after, "%s answers a CSV and no-store", paths[i]);
    }
}

Test(route_query, a_choice_is_one_of_its_values_and_empty_is_the_first)
{
    static const char *const statuses[] = {"published", "archived", "all", NULL};
    cr_assert_eq(lk_api_query_pick((lk_str_t){.base = "", .len = 0}, statuses), 0);
    cr_assert_eq(lk_api_query_pick((lk_str_t){.base = "archived", .len = 8}, statuses), 1);
    cr_assert_eq(lk_api_query_pick((lk_str_t){.base = "all", .len = 3}, statuses), 2);
    cr_assert_eq(lk_api_query_pick((lk_str_t){.base = "al", .len = 2}, statuses), -1, "a prefix is no value");
    cr_assert_eq(lk_api_query_pick((lk_str_t){.base = "allx", .len = 4}, statuses), -1);
    cr_assert_eq(lk_api_query_pick((lk_str_t){.base = "ALL", .len = 3}, statuses), -1, "values are exact");
    /* an empty first value stands for "not given" and never matches */
    static const char *const languages[] = {"", "nl", "en", NULL};
    cr_assert_eq(lk_api_query_pick((lk_str_t){.base = "en", .len = 2}, languages), 2);
    cr_assert_eq(lk_api_query_pick((lk_str_t){.base = "de", .len = 2}, languages), -1);
}

Test(route_job, a_lookup_fails_with_its_own_answer_only_when_nothing_was_found)
{
    lk_api_job_t j;
    memset(&j, 0, sizeof j);
    cr_assert(lk_api_found(&j, 0, 404, "not_found", "no draft with this id"));
    cr_assert_eq(j.job.rc, 0);
    cr_assert_not(lk_api_found(&j, LK_ENOENT, 404, "not_found", "no draft with this id"));
    cr_assert_eq(j.err.status, 404);
    cr_assert_str_eq(j.err.code, "not_found");
    cr_assert_str_eq(j.err.message, "no draft with this id");
    memset(&j, 0, sizeof j);
    cr_assert_not(lk_api_found(&j, LK_EDB, 404, "not_found", "no draft with this id"));
    cr_assert_eq(j.err.status, 500, "another error is the database's, not a 404");
}
