/*
 * The option table of `loket serve` and the code that fills it from defaults,
 * a config file, the environment and the command line, in that order. One
 * table drives all of them, `loket help serve` and docs/configuration.md.
 */
#include "config/config.h"

#include "util/util.h"

#include <arpa/inet.h>
#include <assert.h>
#include <ctype.h>
#include <stddef.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OPT_STR(name, field, def, doc)                                                                          \
    {name, LK_OPT_STRING, offsetof(lk_config_t, field), sizeof(((lk_config_t *)0)->field), 0, 0, def, doc}
#define OPT_INT(name, field, min, max, def, doc)                                                                \
    {name, LK_OPT_INT, offsetof(lk_config_t, field), sizeof(int64_t), min, max, def, doc}
#define OPT_BOOL(name, field, def, doc) {name, LK_OPT_BOOL, offsetof(lk_config_t, field), sizeof(bool), 0, 1, def, doc}

const lk_option_t lk_options[] = {
    OPT_STR("listen", listen, "127.0.0.1:8080", "address and port to listen on; port 0 picks a free port"),
    OPT_STR("data", data, "./loket-data", "data directory; the embedded SQLite database lives there"),
    OPT_STR("database", database, "",
            "where the database lives: a directory for the embedded SQLite database (loket.db); empty = the data "
            "directory. A postgres:// URL will name a PostgreSQL server once that backend is built in"),
    OPT_STR("config", config, "", "config file with `key = value` lines"),
    OPT_INT("threads", threads, 0, 64, "0", "event-loop threads; 0 = one per CPU core"),
    OPT_INT("max_body", max_body, 1024, 16 * 1024 * 1024, "65536", "largest request body in bytes (larger: 413)"),
    OPT_INT("max_text", max_text, 16, 65536, "4000", "largest message text in bytes"),
    OPT_STR("log_level", log_level, "info", "debug, info, warn, error or off"),
    OPT_INT("session_ttl", session_ttl, 1, 30 * 24 * 3600, "43200",
            "seconds an agent's login session lasts at most (absolute expiry)"),
    OPT_INT("session_idle", session_idle, 1, 30 * 24 * 3600, "1800",
            "seconds an agent's session may go unused before it ends (idle expiry)"),
    OPT_BOOL("cookie_secure", cookie_secure, "false",
             "mark the session cookie Secure (set this when loket is behind an HTTPS reverse proxy)"),
    OPT_INT("kb_poll_ms", kb_poll_ms, 100, 60000, "500",
            "how often a running server looks for knowledge-base changes, in ms"),
    OPT_INT("db_readers", db_readers, 1, 16, "2", "database reader threads"),
    OPT_STR("public_url", public_url, "", "the URL people open, for the start-up message; default from listen"),
    OPT_STR("widget_origins", widget_origins, "",
            "other web sites (origins, space-separated) that may embed the widget and call the customer API; "
            "loket's own origin always may; * for any"),
    OPT_STR("identity_secret_file", identity_secret_file, "",
            "file with the secret the company's site signs customer identities with (docs/widget.md); unset: "
            "every identity from a host page is unverified"),
    OPT_INT("identity_max_age", identity_max_age, 60, 7 * 24 * 3600, "86400",
            "seconds a signed customer identity stays valid after its timestamp"),
    OPT_BOOL("require_totp_admin", require_totp_admin, "false",
             "admins must use two-step login: one without it is sent to set it up after login and can do nothing "
             "else"),
    OPT_BOOL("require_totp", require_totp, "false",
             "everyone must use two-step login: a user without it is sent to set it up after login and can do "
             "nothing else"),
    OPT_STR("trusted_proxies", trusted_proxies, "",
            "reverse proxies (addresses or CIDR ranges, space-separated) whose X-Forwarded-For and "
            "X-Forwarded-Proto loket believes"),
    OPT_INT("limit_login_account_address", limit_login_account_address, 0, 1000, "5",
            "failed logins per account from one client address within limit_login_window before 429; 0 = no limit"),
    OPT_INT("limit_login_account", limit_login_account, 0, 10000, "25",
            "failed logins per account from all addresses within limit_login_window; past it only the addresses "
            "the account logged in from before and logins with a second factor are let through; 0 = no limit"),
    OPT_INT("limit_login_address", limit_login_address, 0, 10000, "20",
            "failed logins per client address within limit_login_window before 429; 0 = no limit"),
    OPT_INT("limit_login_window", limit_login_window, 1, 24 * 3600, "900", "seconds the login limits look back"),
    OPT_INT("limit_messages_conversation", limit_messages_conversation, 0, 10000, "20",
            "customer requests per conversation per minute; 0 = no limit"),
    OPT_INT("limit_messages_address", limit_messages_address, 0, 10000, "600",
            "customer requests on conversations per client address per minute; 0 = no limit"),
    OPT_INT("limit_conversations_address", limit_conversations_address, 0, 10000, "60",
            "new conversations per client address within limit_conversations_window; 0 = no limit"),
    OPT_INT("limit_conversations_window", limit_conversations_window, 1, 24 * 3600, "60",
            "seconds the new-conversation limit looks back"),
    OPT_INT("limit_open_conversations", limit_open_conversations, 0, 10000, "200",
            "open conversations per client address; 0 = no limit"),
    OPT_INT("limit_open_idle", limit_open_idle, 60, 30 * 24 * 3600, "3600",
            "seconds without activity after which a conversation no longer counts as open for that limit"),
    OPT_INT("tick_ms", tick_ms, 1000, 600000, "15000",
            "how often the queue is looked at to update waiting customers' position notices, in ms"),
    OPT_INT("retention_days", retention_days, 0, 36500, "90",
            "days a closed conversation (messages, notes, feedback, reviews) is kept after it closed, then "
            "deleted; 0 = keep forever"),
    OPT_INT("callback_retention_days", callback_retention_days, 0, 36500, "90",
            "days a handled call-back request is kept after it was handled, then deleted; 0 = keep forever"),
    OPT_INT("audit_retention_days", audit_retention_days, 0, 36500, "730",
            "days an audit record is kept, then deleted; 0 = keep forever"),
    OPT_INT("security_event_retention_days", security_event_retention_days, 0, 36500, "90",
            "days a security event (failed login, lockout, refused request) is kept, then deleted; 0 = keep forever"),
    OPT_STR("metrics_token", metrics_token, "",
            "when set, GET /metrics (Prometheus) wants \"Authorization: Bearer TOKEN\"; unset: open only while "
            "loket listens on a loopback address (else 403)"),
    OPT_STR("public_hosts", public_hosts, "",
            "host names (space-separated; *.example.com for any under it) that requests may name in Host; "
            "IP addresses, localhost and the host of public_url always may; * for any"),
    OPT_INT("ws_queue_max", ws_queue_max, 65536, 64 * 1024 * 1024, "1048576",
            "bytes a WebSocket may have waiting to be sent before it is closed as too far behind (code 1013)"),
    OPT_INT("limit_ws_conversation", limit_ws_conversation, 0, 1000, "5",
            "open WebSockets per conversation; 0 = no limit"),
    OPT_INT("limit_ws_address", limit_ws_address, 0, 100000, "20",
            "open customer WebSockets per client address; 0 = no limit"),
    OPT_INT("ws_auth_timeout_ms", ws_auth_timeout_ms, 500, 60000, "5000",
            "how long a customer WebSocket opened without a token may take to send it, in ms"),
    OPT_STR("console_language", console_language, "",
            "the console's language for users who chose none on \"My account\": nl or en; empty = the browser's"),
    OPT_INT("suggest_min_confidence", suggest_min_confidence, 0, 100, "20",
            "suggested replies below this confidence (percent) are left out of the agent's view; 0 = show all"),
    OPT_STR("answer_risk", answer_risk, "0.05",
            "the wrong-answer rate among the bot's answers to stay at or under (0.001 to 0.5): the answering "
            "threshold is calibrated on the knowledge base itself whenever it changes (docs/quality.md)"),
    {NULL, LK_OPT_STRING, 0, 0, 0, 0, NULL, NULL},
};

const char *lk_config_database(const lk_config_t *cfg)
{
    return cfg->database[0] ? cfg->database : cfg->data;
}

bool lk_config_answer_risk(const char *s, double *out)
{
    if (!s || !*s)
        return false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || !(v >= 0.001 && v <= 0.5))
        return false;
    if (out)
        *out = v;
    return true;
}

static const lk_option_t *find_option(const char *name, size_t len)
{
    for (const lk_option_t *o = lk_options; o->name; o++)
        if (strlen(o->name) == len && memcmp(o->name, name, len) == 0)
            return o;
    return NULL;
}

static int set_option(lk_config_t *cfg, const lk_option_t *o, const char *value, char *err, size_t errsize)
{
    char *field = (char *)cfg + o->offset;
    switch (o->type) {
    case LK_OPT_STRING:
        if (strlen(value) >= o->size) {
            snprintf(err, errsize, "option %s: value is too long (at most %zu bytes)", o->name, o->size - 1);
            return LK_EINVAL;
        }
        memcpy(field, value, strlen(value) + 1);
        return 0;
    case LK_OPT_INT: {
        int64_t v;
        if (lk_parse_i64(value, o->min, o->max, &v) != 0) {
            snprintf(err, errsize, "option %s: \"%s\" is not a whole number from %lld to %lld", o->name, value,
                     (long long)o->min, (long long)o->max);
            return LK_EINVAL;
        }
        memcpy(field, &v, sizeof v);
        return 0;
    }
    case LK_OPT_BOOL: {
        bool v;
        if (!strcmp(value, "true") || !strcmp(value, "1") || !strcmp(value, "yes") || !strcmp(value, "on"))
            v = true;
        else if (!strcmp(value, "false") || !strcmp(value, "0") || !strcmp(value, "no") || !strcmp(value, "off"))
            v = false;
        else {
            snprintf(err, errsize, "option %s: \"%s\" is not true or false", o->name, value);
            return LK_EINVAL;
        }
        memcpy(field, &v, sizeof v);
        return 0;
    }
    }
    return LK_EINVAL;
}

void lk_config_defaults(lk_config_t *cfg)
{
    char err[256];
    memset(cfg, 0, sizeof *cfg);
    for (const lk_option_t *o = lk_options; o->name; o++) {
        int rc = set_option(cfg, o, o->def, err, sizeof err);
        (void)rc;
        assert(rc == 0);
    }
}

/* "policy.x" or "policy_x": kept for the policy module's own table. */
static int set_extra(lk_config_t *cfg, const char *name, const char *value, char *err, size_t errsize)
{
    char norm[64];
    if (strlen(name) >= sizeof norm || strlen(value) >= sizeof cfg->extra[0].value) {
        snprintf(err, errsize, "option %s: name or value too long", name);
        return LK_EINVAL;
    }
    snprintf(norm, sizeof norm, "policy.%s", name + 7);
    for (size_t i = 0; i < cfg->n_extra; i++)
        if (strcmp(cfg->extra[i].name, norm) == 0) {
            snprintf(cfg->extra[i].value, sizeof cfg->extra[i].value, "%s", value);
            return 0;
        }
    if (cfg->n_extra == sizeof cfg->extra / sizeof cfg->extra[0]) {
        snprintf(err, errsize, "option %s: too many policy options", name);
        return LK_EINVAL;
    }
    snprintf(cfg->extra[cfg->n_extra].name, sizeof cfg->extra[0].name, "%s", norm);
    snprintf(cfg->extra[cfg->n_extra].value, sizeof cfg->extra[0].value, "%s", value);
    cfg->n_extra++;
    return 0;
}

static bool valid_listen(const char *v)
{
    char host[64];
    int port;
    struct in_addr addr;
    return lk_parse_host_port(v, host, sizeof host, &port) == 0 &&
           (strcmp(host, "localhost") == 0 || inet_pton(AF_INET, host, &addr) == 1);
}

/* "*" alone, or host names (letters, digits, '-', '.'; "*." in front for
 * any name under it), separated by spaces or commas. */
static bool valid_hosts(const char *v)
{
    if (strcmp(v, "*") == 0)
        return true;
    size_t n;
    for (const char *rest = v, *p; (n = lk_list_next(&rest, &p));) {
        size_t i = (n > 2 && p[0] == '*' && p[1] == '.') ? 2 : 0;
        if (i == n)
            return false;
        for (; i < n; i++)
            if (!(isalnum((unsigned char)p[i]) || p[i] == '.' || p[i] == '-'))
                return false;
    }
    return true;
}

/* "*" alone, or origins: http(s)://host[:port] without path, separated by
 * spaces or commas. */
static bool valid_origins(const char *v)
{
    size_t n_items = 0;
    bool star = false;
    size_t n;
    for (const char *rest = v, *p; (n = lk_list_next(&rest, &p));) {
        n_items++;
        if (n == 1 && *p == '*') {
            star = true;
        } else {
            size_t scheme = strncmp(p, "https://", 8) == 0 ? 8 : strncmp(p, "http://", 7) == 0 ? 7 : 0;
            if (scheme == 0 || n == scheme)
                return false;
            for (size_t i = scheme; i < n; i++) {
                char c = p[i];
                if (!(isalnum((unsigned char)c) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']'))
                    return false;
            }
        }
    }
    return !star || n_items == 1;
}

/* IPv4 or IPv6 addresses with an optional /prefix, separated by spaces or
 * commas. */
static bool valid_proxies(const char *v)
{
    size_t n;
    for (const char *rest = v, *p; (n = lk_list_next(&rest, &p));) {
        char item[64];
        if (n >= sizeof item)
            return false;
        memcpy(item, p, n);
        item[n] = '\0';
        char *slash = strchr(item, '/');
        if (slash)
            *slash = '\0';
        unsigned char addr[16];
        int family = strchr(item, ':') ? AF_INET6 : AF_INET;
        if (inet_pton(family, item, addr) != 1)
            return false;
        int64_t bits;
        if (slash && lk_parse_i64(slash + 1, 0, family == AF_INET ? 32 : 128, &bits) != 0)
            return false;
    }
    return true;
}

static bool valid_console_language(const char *v)
{
    return !v[0] || strcmp(v, "nl") == 0 || strcmp(v, "en") == 0;
}

static bool valid_database(const char *v)
{
    return strncmp(v, "postgres://", 11) != 0 && strncmp(v, "postgresql://", 13) != 0;
}

static bool valid_answer_risk(const char *v)
{
    return lk_config_answer_risk(v, NULL);
}

static bool valid_log_level(const char *v)
{
    lk_log_level_t l;
    return lk_log_parse_level(v, &l) == 0;
}

/* The options whose values need more than their type's check: the check,
 * and what the error says of a value it refuses, after "option NAME:
 * \"VALUE\" " (plain: after "option NAME: ", the value not repeated). */
typedef struct {
    const char *name;
    bool (*valid)(const char *value);
    const char *refused;
    bool plain;
} value_check_t;

static const value_check_t value_checks[] = {
    {"listen", valid_listen, "is not ADDR:PORT with an IPv4 address (or localhost) and a port from 0 to 65535", false},
    {"widget_origins", valid_origins,
     "is not * or a space-separated list of origins like https://www.shop.example (scheme, host, optional port; "
     "no path)",
     false},
    {"public_hosts", valid_hosts,
     "is not * or a space-separated list of host names like chat.shop.example or *.shop.example (no scheme, no "
     "port)",
     false},
    {"trusted_proxies", valid_proxies,
     "is not a space-separated list of IP addresses or CIDR ranges like 10.0.0.0/8", false},
    {"console_language", valid_console_language, "is not nl or en (or empty for the browser's)", false},
    {"database", valid_database,
     "PostgreSQL is not built in yet; leave database empty (the data directory) or give a directory for the "
     "embedded SQLite database",
     true},
    {"answer_risk", valid_answer_risk, "is not a number from 0.001 to 0.5", false},
    {"log_level", valid_log_level, "is not debug, info, warn, error or off", false},
};

int lk_config_set(lk_config_t *cfg, const char *name, const char *value, char *err, size_t errsize)
{
    if ((strncmp(name, "policy.", 7) == 0 || strncmp(name, "policy_", 7) == 0) && name[7])
        return set_extra(cfg, name, value, err, errsize);
    const lk_option_t *o = find_option(name, strlen(name));
    if (!o) {
        snprintf(err, errsize, "unknown option: %s", name);
        return LK_ENOENT;
    }
    int rc = set_option(cfg, o, value, err, errsize);
    if (rc)
        return rc;
    for (size_t i = 0; i < sizeof value_checks / sizeof value_checks[0]; i++) {
        const value_check_t *k = &value_checks[i];
        if (strcmp(name, k->name) != 0 || k->valid(value))
            continue;
        if (k->plain)
            snprintf(err, errsize, "option %s: %s", name, k->refused);
        else
            snprintf(err, errsize, "option %s: \"%s\" %s", name, value, k->refused);
        return LK_EINVAL;
    }
    return 0;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

int lk_config_load_file(lk_config_t *cfg, const char *path, char *err, size_t errsize)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errsize, "cannot read config file %s: %s", path, strerror(errno));
        return LK_EIO;
    }
    char line[2048];
    int lineno = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *s = trim(line);
        if (!*s)
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            snprintf(err, errsize, "%s:%d: expected `key = value`", path, lineno);
            rc = LK_EINVAL;
            break;
        }
        *eq = '\0';
        char *key = trim(s), *value = trim(eq + 1);
        size_t vl = strlen(value);
        if (vl >= 2 && value[0] == '"' && value[vl - 1] == '"') {
            value[vl - 1] = '\0';
            value++;
        }
        if (strcmp(key, "config") == 0) {
            snprintf(err, errsize, "%s:%d: a config file cannot name another config file", path, lineno);
            rc = LK_EINVAL;
            break;
        }
        char inner[512];
        if (lk_config_set(cfg, key, value, inner, sizeof inner) != 0) {
            snprintf(err, errsize, "%s:%d: %s", path, lineno, inner);
            rc = LK_EINVAL;
            break;
        }
    }
    fclose(f);
    return rc;
}

/* LOKET_MAX_BODY -> max_body */
static bool env_to_name(const char *env, size_t len, char *name, size_t namesize)
{
    if (len <= 6 || memcmp(env, "LOKET_", 6) != 0 || len - 6 >= namesize)
        return false;
    for (size_t i = 6; i < len; i++)
        name[i - 6] = (char)tolower((unsigned char)env[i]);
    name[len - 6] = '\0';
    return true;
}

int lk_config_load_env(lk_config_t *cfg, char *const *env, char *err, size_t errsize)
{
    for (; env && *env; env++) {
        const char *eq = strchr(*env, '=');
        char name[64];
        if (!eq || !env_to_name(*env, (size_t)(eq - *env), name, sizeof name))
            continue;
        bool policy = strncmp(name, "policy_", 7) == 0 && name[7];
        if (strcmp(name, "config") == 0 || (!policy && !find_option(name, strlen(name))))
            continue; /* LOKET_CONFIG is read first; other LOKET_* variables are not ours */
        char inner[512];
        if (lk_config_set(cfg, name, eq + 1, inner, sizeof inner) != 0) {
            snprintf(err, errsize, "environment LOKET_%s: %s", name, inner);
            for (char *p = err; *p && *p != ':'; p++)
                *p = (char)toupper((unsigned char)*p);
            return LK_EINVAL;
        }
    }
    return 0;
}

static const char *env_get(char *const *env, const char *key)
{
    size_t kl = strlen(key);
    for (; env && *env; env++)
        if (strncmp(*env, key, kl) == 0 && (*env)[kl] == '=')
            return *env + kl + 1;
    return NULL;
}

int lk_config_from_args(lk_config_t *cfg, int argc, char **argv, char *const *env, char *err, size_t errsize)
{
    lk_config_defaults(cfg);
    /* The config file is named by the flag or, failing that, the environment. */
    const char *file = env_get(env, "LOKET_CONFIG");
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            file = argv[i + 1];
        else if (strncmp(argv[i], "--config=", 9) == 0)
            file = argv[i] + 9;
    }
    if (file && *file) {
        int rc = lk_config_load_file(cfg, file, err, errsize);
        if (rc)
            return LK_EINVAL;
        snprintf(cfg->config, sizeof cfg->config, "%s", file);
    }
    if (lk_config_load_env(cfg, env, err, errsize) != 0)
        return LK_EINVAL;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strncmp(arg, "--", 2) != 0) {
            snprintf(err, errsize, "unexpected argument: %s", arg);
            return LK_EINVAL;
        }
        const char *name = arg + 2, *value;
        const char *eq = strchr(name, '=');
        char namebuf[64];
        size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
        if (nlen >= sizeof namebuf) {
            snprintf(err, errsize, "unknown option: %s", arg);
            return LK_EINVAL;
        }
        memcpy(namebuf, name, nlen);
        namebuf[nlen] = '\0';
        for (char *p = namebuf; *p; p++)
            if (*p == '-')
                *p = '_';
        const lk_option_t *o = find_option(namebuf, nlen);
        bool policy = (strncmp(namebuf, "policy.", 7) == 0 || strncmp(namebuf, "policy_", 7) == 0) && namebuf[7];
        if (!o && !policy) {
            snprintf(err, errsize, "unknown option: --%s", namebuf);
            return LK_EINVAL;
        }
        if (eq) {
            value = eq + 1;
        } else if (o && o->type == LK_OPT_BOOL && (i + 1 >= argc || strncmp(argv[i + 1], "--", 2) == 0)) {
            value = "true";
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else {
            snprintf(err, errsize, "option --%s needs a value", namebuf);
            return LK_EINVAL;
        }
        if (strcmp(namebuf, "config") == 0)
            continue;
        if (lk_config_set(cfg, namebuf, value, err, errsize) != 0)
            return LK_EINVAL;
    }
    return 0;
}

void lk_config_print_help(void)
{
    printf("Options (flag --NAME VALUE, environment LOKET_NAME, config file `name = value`):\n");
    for (const lk_option_t *o = lk_options; o->name; o++)
        printf("  --%-14s %s (default: %s)\n", o->name, o->doc, *o->def ? o->def : "none");
    printf("  --policy.NAME    an option of the conversation policy (docs/policy.md), e.g.\n"
           "                   --policy.business_hours \"ma-vr 09:00-17:00\"\n");
}
