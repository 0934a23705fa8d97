/*
 * Static pages: web/ (the demo page, later the widget and the console) and
 * docs/ are compiled into the program, so build/loket serves them from any
 * working directory and a deployment is one file.
 */
#include "api/route.h"

#include <string.h>

struct lk_web_asset {
    const char *path;
    const unsigned char *data;
    size_t len;
};
extern const struct lk_web_asset lk_web_assets[];
extern const struct lk_web_asset lk_doc_assets[];

static const char *mime_type(const char *path)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"},  {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},    {".svg", "image/svg+xml"},
        {".png", "image/png"},                  {".json", "application/json"},
        {".md", "text/markdown; charset=utf-8"}, {".ico", "image/x-icon"},
        {".txt", "text/plain; charset=utf-8"},
    };
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return "application/octet-stream";
}

static bool serve(lk_http_req_t *req, const struct lk_web_asset *table, lk_str_t path)
{
    for (const struct lk_web_asset *a = table; a->path; a++) {
        if (lk_str_eq_cstr(path, a->path)) {
            lk_http_res_header(req, "cache-control", "no-cache");
            /* The console's pages keep the default policy (no inline script
             * or style, not framed) and send no referrer at all. The demo
             * shop page stands for a company's own site: it has inline
             * styles, and the widget it embeds brings its styles in a
             * <style> of its shadow root. */
            if (strncmp(a->path, "/console/", 9) == 0) {
                lk_http_res_header(req, "referrer-policy", "no-referrer");
            } else if (strcmp(a->path, "/index.html") == 0) {
                lk_http_res_header(req, "content-security-policy",
                                   "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                                   "frame-ancestors 'self'; base-uri 'none'; form-action 'self'");
                lk_http_res_header(req, "x-frame-options", "SAMEORIGIN");
            }
            lk_http_respond(req, 200, mime_type(a->path), a->data, a->len);
            return true;
        }
    }
    return false;
}

/* GET /healthz: {"status":"ok"} from the loop thread, no pool involved. */
static bool healthz(lk_api_job_t *j)
{
    j->out = json_pack("{s:s}", "status", "ok");
    return true;
}

/* Every path without a route: a page or a document for GET and HEAD, else 404
 * (so an unknown API path is a 404, not a 405). */
void lk_api_not_found(lk_http_req_t *req, void *ud)
{
    lk_str_t method = lk_http_req_method(req);
    if (!lk_str_eq_cstr(method, "GET") && !lk_str_eq_cstr(method, "HEAD")) {
        lk_respond_error(req, 404, "not_found", "there is nothing at this address");
        return;
    }
    lk_str_t path = lk_http_req_path(req);
    char buf[512];
    if (path.len > 0 && path.len + 10 < sizeof buf && path.base[path.len - 1] == '/') { /* a folder: its index */
        memcpy(buf, path.base, path.len);
        memcpy(buf + path.len, "index.html", 11);
        path = (lk_str_t){buf, path.len + 10};
    }
    if (path.len > 6 && memcmp(path.base, "/docs/", 6) == 0) {
        if (serve(req, lk_doc_assets, (lk_str_t){path.base + 5, path.len - 5}))
            return;
    } else if (serve(req, lk_web_assets, path)) {
        return;
    } else if (path.len + 12 < sizeof buf) { /* "/console": send the browser to "/console/" */
        memcpy(buf, path.base, path.len);
        memcpy(buf + path.len, "/index.html", 12);
        for (const struct lk_web_asset *a = lk_web_assets; a->path; a++) {
            if (strcmp(a->path, buf) == 0) {
                buf[path.len + 1] = '\0';
                lk_http_res_header(req, "location", buf);
                lk_http_respond(req, 301, "text/plain; charset=utf-8", "moved\n", 6);
                return;
            }
        }
    }
    lk_respond_error(req, 404, "not_found", "there is nothing at this address");
}

static const lk_api_route_t routes[] = {
    {"GET", "/healthz", LK_ACCESS_ANYONE, .prepare = healthz},
};

void lk_api_static_table(const lk_api_route_t **r, size_t *n)
{
    *r = routes;
    *n = sizeof routes / sizeof routes[0];
}
