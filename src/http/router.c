/*
 * Route matching: a request's method and path against the route table.
 * Patterns are literal segments, ":name" segments that capture one segment,
 * and a trailing "*" that matches whatever follows. A path that matches some
 * pattern under another method is a 405 (with the allowed methods), not a 404.
 */
#include "http/http.h"

#include <string.h>

/* Next segment of s after position *pos (skipping one '/'). */
static bool next_segment(lk_str_t s, size_t *pos, lk_str_t *seg)
{
    if (*pos >= s.len)
        return false;
    if (s.base[*pos] == '/')
        (*pos)++;
    size_t start = *pos;
    while (*pos < s.len && s.base[*pos] != '/')
        (*pos)++;
    *seg = (lk_str_t){s.base + start, *pos - start};
    return true;
}

static bool match_path(const char *pattern, lk_str_t path, lk_http_params_t *params)
{
    lk_str_t pat = lk_str(pattern);
    size_t pp = 0, sp = 0;
    params->n = 0;
    if (path.len == 0 || path.base[0] != '/')
        return false;
    if (pat.len == 1 && path.len == 1)
        return true; /* "/" */
    for (;;) {
        lk_str_t pseg, sseg;
        bool have_p = next_segment(pat, &pp, &pseg);
        if (have_p && pseg.len == 1 && pseg.base[0] == '*')
            return true;
        bool have_s = next_segment(path, &sp, &sseg);
        if (!have_p || !have_s)
            return have_p == have_s;
        if (pseg.len > 0 && pseg.base[0] == ':') {
            if (sseg.len == 0 || params->n == LK_HTTP_MAX_PARAMS)
                return false;
            params->names[params->n] = (lk_str_t){pseg.base + 1, pseg.len - 1};
            params->values[params->n] = sseg;
            params->n++;
        } else if (!lk_str_eq(pseg, sseg)) {
            return false;
        }
    }
}

lk_route_result_t lk_http_route_match(const lk_http_route_t *routes, size_t n_routes, lk_str_t method, lk_str_t path,
                                      size_t *index, lk_http_params_t *params, lk_buf_t *allow)
{
    bool path_seen = false;
    lk_http_params_t scratch;
    for (size_t i = 0; i < n_routes; i++) {
        if (!match_path(routes[i].pattern, path, &scratch))
            continue;
        if (lk_str_eq_cstr(method, routes[i].method) ||
            (lk_str_eq_cstr(method, "HEAD") && strcmp(routes[i].method, "GET") == 0)) {
            *index = i;
            *params = scratch;
            return LK_ROUTE_FOUND;
        }
        if (allow && (!allow->data || !strstr(allow->data, routes[i].method))) {
            if (allow->len)
                lk_buf_append_cstr(allow, ", ");
            lk_buf_append_cstr(allow, routes[i].method);
        }
        path_seen = true;
    }
    return path_seen ? LK_ROUTE_NO_METHOD : LK_ROUTE_NO_PATH;
}
