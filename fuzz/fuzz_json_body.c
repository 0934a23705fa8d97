/*
 * fuzz_json_body: the API's reading of request bodies (src/api/respond.c):
 * lk_body_parse() (size flag, UTF-8, JSON with duplicate keys refused, an
 * object at the top) and lk_body_field_string() with the fields, limits and
 * required flags of every endpoint that takes a body.
 *
 * Invariants: a refused body or field gets a 4xx status and one of the
 * documented error codes, and its error answer is a JSON document the
 * server can send; an accepted body is an object; an accepted string field
 * is valid UTF-8 with no NUL, at most its limit, and not blank; an accepted
 * body prints (lk_json_dump, as the API answers) to JSON that reads back
 * and prints the same.
 */
#include "fuzz.h"

#include "api/api_int.h"

static const char *const codes[] = {"invalid_json", "invalid_utf8", "body_too_large", "missing_field",
                                    "invalid_field"};

static void check_error(const lk_body_error_t *e)
{
    FUZZ_CHECK(e->status == 400 || e->status == 413);
    bool known = false;
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        known = known || (e->code && !strcmp(e->code, codes[i]));
    FUZZ_CHECK(known);
    FUZZ_CHECK(memchr(e->message, '\0', sizeof e->message) != NULL);
    /* what lk_respond_error() builds from it: the message, or its fixed
     * text when the message is no valid UTF-8 */
    json_t *m = json_string(e->message);
    FUZZ_CHECK(m != NULL || !fuzz_utf8_ok(e->message, strlen(e->message)));
    json_t *err = json_object();
    json_object_set_new(err, "code", json_string(e->code));
    json_object_set_new(err, "message", m ? m : json_string("invalid request"));
    json_t *body = json_object();
    json_object_set_new(body, "error", err);
    size_t len;
    char *s = lk_json_dump(body, &len);
    json_t *back = json_loadb(s, len, 0, NULL);
    FUZZ_CHECK(back && json_equal(back, body));
    json_decref(back);
    json_decref(body);
    free(s);
}

typedef struct {
    const char *field;
    size_t max;
    bool required;
} field_t;

/* An endpoint's string fields in the order its handler reads them; the
 * first with no name ends the list. */
typedef struct {
    const char *what;
    field_t fields[5];
} endpoint_t;

/* The endpoints that take a body (src/api/customer.c, agent.c, assist.c and
 * the others), with their fields' limits (max_text at its default). */
static const endpoint_t endpoints[] = {
    {.what = "POST /conversations", .fields = {{"language", 8, false}}},
    {.what = "messages, agent reply, note", .fields = {{"text", 4000, true}}},
    {.what = "rating", .fields = {{"comment", 2000, false}}},
    {.what = "feedback", .fields = {{"message_id", 39, true}}},
    {.what = "call-back", .fields = {{"contact", 254, true}, {"text", 2000, false}}},
    {.what = "login", .fields = {{"email", 254, true}, {"password", 1024, true}, {"totp", 16, false}}},
    {.what = "add a user",
     .fields = {{"email", 253, true}, {"role", 15, true}, {"display_name", 200, false}, {"password", 1024, true}}},
    {.what = "close", .fields = {{"disposition", 200, true}}},
    {.what = "assign", .fields = {{"user_id", 39, true}}},
    {.what = "canned replies",
     .fields = {{"language", 3, true}, {"title", 200, true}, {"shortcut", 32, false}, {"text", 4000, true}}},
};

/* Reads one string field as its handler does; false when refused. */
static bool check_string(json_t *body, const field_t *f)
{
    lk_body_error_t e;
    const char *out = (const char *)1;
    if (!lk_body_field_string(body, f->field, f->max, f->required, &out, &e)) {
        FUZZ_CHECK(out == NULL);
        FUZZ_CHECK(e.status == 400);
        check_error(&e);
        return false;
    }
    json_t *v = json_object_get(body, f->field);
    if (!out) {
        FUZZ_CHECK(!f->required && (!v || json_is_null(v)));
        return true;
    }
    FUZZ_CHECK(json_is_string(v) && out == json_string_value(v));
    size_t len = strlen(out);
    FUZZ_CHECK(len == json_string_length(v) && len <= f->max && len > 0);
    FUZZ_CHECK(fuzz_utf8_ok(out, len) && lk_utf8_valid(out, len));
    FUZZ_CHECK(strspn(out, " \t\r\n") < len);
    return true;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    lk_log_set_level(LK_LOG_OFF);
    json_object_seed(1); /* the same hash order in every run */
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lk_body_error_t e;
    memset(&e, 0xa5, sizeof e);
    /* the server's size verdict comes before anything else */
    FUZZ_CHECK(lk_body_parse((const char *)data, size, true, &e) == NULL);
    FUZZ_CHECK(e.status == 413 && !strcmp(e.code, "body_too_large"));

    json_t *body = lk_body_parse((const char *)data, size, false, &e);
    if (!body) {
        check_error(&e);
        FUZZ_CHECK(e.status == 400);
        return 0;
    }
    FUZZ_CHECK(json_is_object(body));
    FUZZ_CHECK(size > 0 && lk_utf8_valid((const char *)data, size));

    /* every endpoint's fields, as its handler reads them: stop at the first
     * refused field as the handler does */
    for (size_t i = 0; i < sizeof endpoints / sizeof endpoints[0]; i++) {
        const field_t *f = endpoints[i].fields;
        for (size_t k = 0; k < sizeof endpoints[i].fields / sizeof *f && f[k].field; k++)
            if (!check_string(body, &f[k]))
                break;
    }

    /* what was accepted prints and reads back (the API echoes customers'
     * fields in its answers) */
    size_t len;
    char *s = lk_json_dump(body, &len);
    json_t *back = json_loadb(s, len, JSON_REJECT_DUPLICATES, NULL);
    FUZZ_CHECK(back != NULL);
    /* reals print with 4 digits (JSON_REAL_PRECISION), so compare the
     * printed forms rather than the values */
    size_t len2;
    char *s2 = lk_json_dump(back, &len2);
    FUZZ_CHECK(len2 == len && memcmp(s, s2, len) == 0);
    free(s2);
    free(s);
    json_decref(back);
    json_decref(body);
    return 0;
}
