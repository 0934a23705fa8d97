/*
 * config: every option of `loket serve` in one table.
 *
 * Each option has a name, a type, bounds, a default and a description. A value
 * comes, in rising order of precedence, from the default, the config file
 * (`key = value` lines, `#` comments), the environment (LOKET_<NAME>, upper
 * case), and the command line (--name VALUE). Everything is validated at start;
 * a bad value stops loket with a message that names the option and the source.
 */
#ifndef LK_CONFIG_H
#define LK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    char listen[128];     /* ADDR:PORT */
    char data[1024];      /* data directory */
    char database[1024];  /* the store: "" = the SQLite database in data; a directory; a postgres:// URL (refused) */
    char config[1024];    /* the config file read, "" when none */
    int64_t threads;      /* event loops; 0 = one per core */
    int64_t max_body;     /* bytes */
    int64_t max_text;     /* bytes of one message's text */
    char log_level[8];
    int64_t session_ttl;  /* seconds */
    bool cookie_secure;
    int64_t kb_poll_ms;
    int64_t db_readers;
    char public_url[256]; /* how people reach loket, for the log line; "" = from listen */
    int64_t tick_ms;      /* how often queued customers' notices are brought up to date */
    char widget_origins[2048]; /* origins whose pages may use the customer API ("*": any) */
    /* Security (docs/security.md): sessions, client addresses, rate limits. */
    int64_t session_idle;        /* seconds a session may go unused */
    char trusted_proxies[1024];  /* addresses or CIDR ranges whose X-Forwarded-* loket believes */
    bool require_totp_admin; /* admins must have two-step login */
    bool require_totp;       /* everyone must */
    char identity_secret_file[1024]; /* the secret customer identities are signed with; "" = none */
    int64_t identity_max_age;        /* seconds a signed identity is valid */
    int64_t limit_login_account; /* failed logins per account per limit_login_window; 0 = off */
    int64_t limit_login_account_address; /* failed logins per account and address; 0 = off */
    int64_t limit_login_address;
    int64_t limit_login_window;  /* seconds */
    int64_t security_event_retention_days; /* 0 = keep forever */
    int64_t limit_messages_conversation; /* per minute */
    int64_t limit_messages_address;      /* per minute */
    int64_t limit_conversations_address; /* new conversations per limit_conversations_window */
    int64_t limit_conversations_window;  /* seconds */
    int64_t limit_open_conversations;    /* open conversations per address */
    int64_t limit_open_idle;             /* seconds after which a quiet conversation no longer counts as open */
    /* Privacy (docs/privacy.md): how long personal data is kept, in days;
     * 0 keeps it forever. */
    int64_t retention_days;          /* closed conversations, from closed_at */
    int64_t callback_retention_days; /* handled call-back requests */
    int64_t audit_retention_days;    /* audit records */
    /* Analytics (docs/analytics.md): while this is "", GET /metrics answers
     * only when loket listens on loopback; else it wants
     * "Authorization: Bearer <metrics_token>". */
    char metrics_token[256];
    /* The console's language for users without their own choice: "nl",
     * "en", or "" for the browser's (issue 14). */
    char console_language[8];
    /* Suggested replies below this confidence, in percent, are not shown. */
    int64_t suggest_min_confidence;
    /* HTTP and WebSocket hardening (docs/security.md). */
    char public_hosts[1024];          /* host names Host may name, besides IPs and localhost; "*": any */
    int64_t ws_queue_max;             /* bytes waiting on one WebSocket before it is closed */
    int64_t limit_ws_conversation;    /* open WebSockets per conversation; 0 = off */
    int64_t limit_ws_address;         /* open customer WebSockets per client address; 0 = off */
    int64_t ws_auth_timeout_ms;       /* a token-less customer WebSocket's time to send its token */
    /* The NLU (docs/quality.md): the wrong-answer rate to calibrate for. */
    char answer_risk[16];
    /* Options of other modules' tables, passed on by name: "policy.NAME"
     * (file: `policy.loop_repeats = 3`, flag: --policy.loop_repeats 3,
     * environment: LOKET_POLICY_LOOP_REPEATS). Checked by their module. */
    struct {
        char name[64];
        char value[512];
    } extra[32];
    size_t n_extra;
} lk_config_t;

typedef enum { LK_OPT_STRING, LK_OPT_INT, LK_OPT_BOOL } lk_opt_type_t;

typedef struct {
    const char *name; /* also the flag (--name) and, upper-cased, LOKET_NAME */
    lk_opt_type_t type;
    size_t offset;   /* into lk_config_t */
    size_t size;     /* for strings: the array size */
    int64_t min, max; /* for integers */
    const char *def;  /* the default, as text */
    const char *doc;
} lk_option_t;

/* The table, ending with an entry whose name is NULL. */
extern const lk_option_t lk_options[];

/* Fills cfg with the defaults. */
void lk_config_defaults(lk_config_t *cfg /* OUT */);
/* Sets one option from text; 0, or LK_EINVAL/LK_ENOENT with a message in err. */
int lk_config_set(lk_config_t *cfg, const char *name, const char *value, char *err, size_t errsize);
/* Reads a config file; 0, or LK_EIO/LK_EINVAL with a message naming the line. */
int lk_config_load_file(lk_config_t *cfg, const char *path, char *err, size_t errsize);
/* Applies LOKET_* environment variables (env: NULL-terminated "K=V" list). */
int lk_config_load_env(lk_config_t *cfg, char *const *env, char *err, size_t errsize);

/* Builds the configuration of `loket serve`: defaults, then the config file
 * (--config, LOKET_CONFIG), then the environment, then the flags in argv
 * (argv[0] is the subcommand). 0, or LK_EINVAL with a message in err. */
int lk_config_from_args(lk_config_t *cfg /* OUT */, int argc, char **argv, char *const *env, char *err,
                        size_t errsize);
/* Parses an answer_risk value (0.001 to 0.5); false when it is not one. */
bool lk_config_answer_risk(const char *s, double *out /* OUT, may be NULL */);
/* Where the store is (lk_store_open's location): the database option, or
 * the data directory when it is empty. */
const char *lk_config_database(const lk_config_t *cfg);
/* Prints the option table (for `loket help serve` and docs). */
void lk_config_print_help(void);

#endif
