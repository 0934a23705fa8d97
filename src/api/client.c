/*
 * Who the client is: the address of a request's client, the peer's or,
 * when the peer is one of the trusted_proxies, the last hop its
 * X-Forwarded-For names (an IPv6 address as its /64). The rate limits, the
 * security events, /metrics' loopback check and the session cookie's Secure
 * flag all ask here; it calls nothing else of the API, so that each of them
 * can (docs/security.md, "The customer API: origins and limits").
 */
#include "api/api_int.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MODULE "security"
#define MAX_PROXIES 32

typedef struct {
    int family;
    unsigned char addr[16];
    int bits;
} cidr_t;

struct lk_proxies {
    cidr_t proxies[MAX_PROXIES];
    size_t n_proxies;
};

void lk_client_proxies_free(struct lk_proxies *p)
{
    free(p);
}

/* Parses an IPv4 or IPv6 address (IPv6 possibly in brackets; a trailing
 * :port is dropped). */
static bool parse_ip(const char *s, size_t len, int *family, unsigned char addr[16])
{
    char buf[LK_ADDR_MAX];
    while (len && (*s == ' ' || *s == '\t')) {
        s++;
        len--;
    }
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (len == 0 || len >= sizeof buf)
        return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *p = buf;
    if (*p == '[') { /* [v6]:port */
        char *end = strchr(p, ']');
        if (!end)
            return false;
        *end = '\0';
        p++;
    } else if (strchr(p, ':') && strchr(p, ':') == strrchr(p, ':') && strchr(p, '.')) {
        *strchr(p, ':') = '\0'; /* v4:port */
    }
    if (inet_pton(AF_INET, p, addr) == 1) {
        *family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, p, addr) == 1) {
        static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (memcmp(addr, mapped, 12) == 0) { /* ::ffff:a.b.c.d is IPv4 */
            memmove(addr, addr + 12, 4);
            *family = AF_INET;
        } else {
            *family = AF_INET6;
        }
        return true;
    }
    return false;
}

static int parse_proxies(struct lk_proxies *sec, const char *list)
{
    size_t n;
    for (const char *next = list, *p; (n = lk_list_next(&next, &p));) {
        if (sec->n_proxies == MAX_PROXIES) {
            LK_ERROR(MODULE, "trusted_proxies: at most %d entries", MAX_PROXIES);
            return LK_ECONFIG;
        }
        cidr_t *c = &sec->proxies[sec->n_proxies];
        const char *slash = memchr(p, '/', n);
        size_t alen = slash ? (size_t)(slash - p) : n;
        if (!parse_ip(p, alen, &c->family, c->addr)) {
            LK_ERROR(MODULE, "trusted_proxies: \"%.*s\" is no IP address", (int)n, p);
            return LK_ECONFIG;
        }
        int max = c->family == AF_INET ? 32 : 128;
        c->bits = max;
        if (slash) {
            char bits[8];
            int64_t v;
            size_t blen = n - alen - 1;
            if (blen == 0 || blen >= sizeof bits)
                return LK_ECONFIG;
            memcpy(bits, slash + 1, blen);
            bits[blen] = '\0';
            if (lk_parse_i64(bits, 0, max, &v) != 0) {
                LK_ERROR(MODULE, "trusted_proxies: \"%.*s\" has a bad prefix length", (int)n, p);
                return LK_ECONFIG;
            }
            c->bits = (int)v;
        }
        sec->n_proxies++;
    }
    return 0;
}

int lk_client_proxies_parse(const char *list, struct lk_proxies **out)
{
    struct lk_proxies *p = lk_xcalloc(1, sizeof *p);
    int rc = parse_proxies(p, list ? list : "");
    if (rc) {
        free(p);
        p = NULL;
    }
    *out = p;
    return rc;
}

static bool in_cidr(const cidr_t *c, int family, const unsigned char addr[16])
{
    if (c->family != family)
        return false;
    int full = c->bits / 8, rest = c->bits % 8;
    if (memcmp(c->addr, addr, (size_t)full) != 0)
        return false;
    if (rest == 0)
        return true;
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return (c->addr[full] & mask) == (addr[full] & mask);
}

/* Whether the request came from a trusted proxy. */
static bool from_proxy(struct lk_app *app, lk_http_req_t *req)
{
    const struct lk_proxies *sec = app->proxies;
    if (!sec || sec->n_proxies == 0)
        return false;
    char peer[LK_ADDR_MAX];
    int family;
    unsigned char addr[16];
    lk_http_req_peer(req, peer, sizeof peer);
    if (!parse_ip(peer, strlen(peer), &family, addr))
        return false;
    for (size_t i = 0; i < sec->n_proxies; i++)
        if (in_cidr(&sec->proxies[i], family, addr))
            return true;
    return false;
}

/* The last element of a comma-separated header value. */
static lk_str_t last_hop(lk_str_t v)
{
    const char *comma = NULL;
    for (size_t i = 0; i < v.len; i++)
        if (v.base[i] == ',')
            comma = v.base + i;
    return comma ? (lk_str_t){comma + 1, (size_t)(v.base + v.len - comma - 1)} : v;
}

void lk_api_client_addr(struct lk_app *app, lk_http_req_t *req, char out[LK_ADDR_MAX])
{
    char peer[LK_ADDR_MAX];
    int family;
    unsigned char addr[16];
    lk_http_req_peer(req, peer, sizeof peer);
    bool ok = parse_ip(peer, strlen(peer), &family, addr);
    lk_str_t xff;
    if (ok && from_proxy(app, req) && lk_http_req_header_last(req, "x-forwarded-for", &xff)) {
        lk_str_t hop = last_hop(xff);
        int f2;
        unsigned char a2[16];
        if (parse_ip(hop.base, hop.len, &f2, a2)) {
            family = f2;
            memcpy(addr, a2, sizeof addr);
        }
    }
    if (!ok) {
        snprintf(out, LK_ADDR_MAX, "unknown");
        return;
    }
    if (family == AF_INET6) { /* one /64 is one household or host */
        char text[INET6_ADDRSTRLEN];
        memset(addr + 8, 0, 8);
        inet_ntop(AF_INET6, addr, text, sizeof text);
        snprintf(out, LK_ADDR_MAX, "%s/64", text);
    } else {
        inet_ntop(AF_INET, addr, out, LK_ADDR_MAX);
    }
}

bool lk_client_forwarded_https(struct lk_app *app, lk_http_req_t *req)
{
    lk_str_t proto;
    if (!from_proxy(app, req) || !lk_http_req_header_last(req, "x-forwarded-proto", &proto))
        return false;
    lk_str_t hop = last_hop(proto);
    while (hop.len && hop.base[0] == ' ') {
        hop.base++;
        hop.len--;
    }
    return hop.len >= 5 && strncasecmp(hop.base, "https", 5) == 0;
}
