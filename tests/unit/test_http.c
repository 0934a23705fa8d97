/* Unit tests for http/router.c: route matching, parameters, 404 versus 405. */
#include "http/http.h"

#include <criterion/criterion.h>
#include <string.h>

static void h(lk_http_req_t *req, void *ud)
{
    (void)req;
    (void)ud;
}

static const lk_http_route_t routes[] = {
    {"POST", "/api/v1/conversations", h},
    {"GET", "/api/v1/conversations/:id", h},
    {"POST", "/api/v1/conversations/:id/messages", h},
    {"GET", "/healthz", h},
};
#define N (sizeof routes / sizeof routes[0])

static lk_route_result_t match(const char *method, const char *path, size_t *idx, lk_http_params_t *p, lk_buf_t *allow)
{
    return lk_http_route_match(routes, N, lk_str(method), lk_str(path), idx, p, allow);
}

Test(router, literal_and_parameters)
{
    size_t idx;
    lk_http_params_t p;
    cr_assert_eq(match("POST", "/api/v1/conversations", &idx, &p, NULL), LK_ROUTE_FOUND);
    cr_assert_eq(idx, 0);
    cr_assert_eq(p.n, 0);
    cr_assert_eq(match("POST", "/api/v1/conversations/c_123/messages", &idx, &p, NULL), LK_ROUTE_FOUND);
    cr_assert_eq(idx, 2);
    cr_assert_eq(p.n, 1);
    cr_assert(lk_str_eq_cstr(p.names[0], "id"));
    cr_assert(lk_str_eq_cstr(p.values[0], "c_123"));
}

Test(router, method_mismatch_is_405_with_allow)
{
    size_t idx;
    lk_http_params_t p;
    lk_buf_t allow;
    lk_buf_init(&allow, 256);
    cr_assert_eq(match("DELETE", "/api/v1/conversations/c_1/messages", &idx, &p, &allow), LK_ROUTE_NO_METHOD);
    cr_assert_str_eq(allow.data, "POST");
    lk_buf_free(&allow);
    lk_buf_init(&allow, 256);
    cr_assert_eq(match("PUT", "/healthz", &idx, &p, &allow), LK_ROUTE_NO_METHOD);
    cr_assert_str_eq(allow.data, "GET");
    lk_buf_free(&allow);
}

Test(router, head_is_served_by_get)
{
    size_t idx;
    lk_http_params_t p;
    cr_assert_eq(match("HEAD", "/healthz", &idx, &p, NULL), LK_ROUTE_FOUND);
    cr_assert_eq(idx, 3);
}

Test(router, unknown_and_partial_paths)
{
    static const lk_http_route_t api_only[] = {{"GET", "/api/v1/conversations/:id", h}};
    size_t idx;
    lk_http_params_t p;
    cr_assert_eq(lk_http_route_match(api_only, 1, LK_STR("GET"), LK_STR("/api/v1/conversations"), &idx, &p, NULL),
                 LK_ROUTE_NO_PATH);
    cr_assert_eq(lk_http_route_match(api_only, 1, LK_STR("GET"), LK_STR("/api/v1/conversations/x/y"), &idx, &p, NULL),
                 LK_ROUTE_NO_PATH);
    cr_assert_eq(lk_http_route_match(api_only, 1, LK_STR("GET"), LK_STR("/api/v1/conversations/"), &idx, &p, NULL),
                 LK_ROUTE_NO_PATH, "an empty parameter does not match");
    cr_assert_eq(lk_http_route_match(api_only, 1, LK_STR("GET"), LK_STR(""), &idx, &p, NULL), LK_ROUTE_NO_PATH);
}

Test(router, catch_all_takes_the_rest)
{
    static const lk_http_route_t docs[] = {{"GET", "/docs/*", h}};
    size_t idx;
    lk_http_params_t p;
    cr_assert_eq(lk_http_route_match(docs, 1, LK_STR("GET"), LK_STR("/docs/api.md"), &idx, &p, NULL), LK_ROUTE_FOUND);
    cr_assert_eq(lk_http_route_match(docs, 1, LK_STR("GET"), LK_STR("/docs/a/b"), &idx, &p, NULL), LK_ROUTE_FOUND);
    cr_assert_eq(lk_http_route_match(docs, 1, LK_STR("GET"), LK_STR("/doc"), &idx, &p, NULL), LK_ROUTE_NO_PATH);
}
