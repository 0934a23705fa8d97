/*
 * loket's command line: parse, dispatch, report. Each command is a thin
 * shell around the modules; the commands and their exit codes are part of
 * the outside contract (CONTRACT.md): 0 success, 1 usage or input error
 * (one line on stderr naming the problem), 2 internal failure.
 */
#include "api/api.h"
#include "config/config.h"
#include "eval/eval.h"
#include "kb/kb.h"
#include "password/password.h"
#include "privacy/privacy.h"
#include "store/store.h"
#include "util/util.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

static const struct {
    const char *name, *synopsis, *text;
} commands[] = {
    {"serve", "loket serve [--listen ADDR:PORT] [--data DIR] [--config FILE] [--OPTION VALUE ...]",
     "Starts the server. A database that never had a knowledge base (whichever command created\n"
     "it) gets the built-in demo knowledge base; an empty knowledge base is a warning in the log.\n"
     "Stops gracefully on SIGTERM or SIGINT. Every option below also comes from a config file\n"
     "or a LOKET_* environment variable (docs/configuration.md); the conversation rules are\n"
     "options with the prefix policy. (docs/policy.md), e.g. --policy.business_hours."},
    {"kb",
     "loket kb import [--format json|csv|markdown] [--replace] PATH [--data DIR]\n"
     "       loket kb export [--format json|csv|markdown] [PATH] [--data DIR]\n"
     "       loket kb demo [--data DIR]\n"
     "       loket kb labelled import [--replace] FILE [--data DIR]\n"
     "       loket kb labelled export [FILE] [--data DIR]",
     "import: adds or updates the articles of PATH by id; --replace also archives the published\n"
     "articles that are not in PATH (their history stays). A bad file changes nothing. A running\n"
     "server picks the change up within 2 seconds.\n"
     "export: writes the published knowledge base to PATH, or prints it (JSON, CSV).\n"
     "demo: loads the built-in demo knowledge base (the web shop Tulp & Tafel): adds its articles,\n"
     "and gives a demo article that was changed or archived the demo's text back (its history\n"
     "stays). Other articles are not touched; nothing is deleted. (The first `serve` of a database\n"
     "that never had a knowledge base loads it by itself.)\n"
     "Formats (docs/kb.md): json (KB JSON, the default), csv (one row per question), markdown\n"
     "(a folder of <id>.md files with front matter). Without --format, a folder means markdown\n"
     "and a name ending in .csv means csv.\n"
     "labelled import: stores the company's own labelled questions of FILE, JSON lines\n"
     "{\"text\": ..., \"label\": ARTICLE_ID or \"oos\"} (the format of `loket eval --labelled`), redacted;\n"
     "--replace removes the stored ones first. A bad line or an unknown article changes nothing.\n"
     "They join the calibration of the answering threshold from the next knowledge-base build\n"
     "(docs/quality.md). labelled export: writes them to FILE, or prints them."},
    {"user",
     "loket user add --email EMAIL --role agent|supervisor|admin [--name NAME] [--password-stdin] [--data DIR]\n"
     "       loket user password --email EMAIL [--password-stdin] [--data DIR]",
     "add: adds a console user.\n"
     "password: gives an existing user a new password and ends all their sessions (for an admin\n"
     "who cannot log in; in the console an admin does this under \"Manage users\").\n"
     "With --password-stdin the password is read from standard input (8 characters or more, not a\n"
     "common password nor one built on the e-mail address, the name or \"loket\"; a sentence of\n"
     "several words is best); without it, one is generated and printed once."},
    {"privacy",
     "loket privacy export --email ADDRESS | --phone NUMBER | --external-id ID [--out FILE] [--data DIR]\n"
     "       loket privacy erase --email ADDRESS | --phone NUMBER | --external-id ID --yes [--data DIR]\n"
     "       loket privacy purge [--now RFC3339] [--dry-run] [--data DIR] [--config FILE] [--retention_days N ...]",
     "export: writes every record about the customer (conversations, messages, notes, call-back\n"
     "requests, ratings, feedback, reviews, audit records) as one JSON document to FILE (mode 0600)\n"
     "or standard output.\n"
     "erase: deletes all of it for good (--yes confirms) and prints the counts as JSON.\n"
     "purge: deletes what is past the retention options (retention_days, callback_retention_days,\n"
     "audit_retention_days, read like serve's) as of --now (default: the clock); --dry-run only\n"
     "counts. Each writes an audit record with counts only (docs/privacy.md)."},
    {"eval", "loket eval --train FILE --test FILE [--val FILE] [--target-error ALPHA] [--shots K] [--auto]\n"
             "           [--answer-risk ALPHA] [--labelled FILE] [--explain]",
     "Builds the bot from --train, chooses its answering threshold on --val, asks it every\n"
     "--test text and prints the figures as one JSON object (see docs/quality.md).\n"
     "--shots K keeps the first K training texts of each label; --auto calibrates as serve\n"
     "does, from --train and the built-in out-of-scope questions, at --answer-risk (0.05);\n"
     "--labelled FILE adds labelled questions (not trained on) to that calibration;\n"
     "--explain first prints one JSON line per test text: the decision and its words."},
    {"help", "loket help [COMMAND]  (or: loket COMMAND --help)", "Shows this help, or a command's."},
    {"--version", "loket --version", "Prints the version."},
};

static void print_help(const char *command)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (command && strcmp(command, commands[i].name) != 0)
            continue;
        printf("%s\n", commands[i].synopsis);
        if (command) {
            printf("\n%s\n", commands[i].text);
            if (strcmp(command, "serve") == 0) {
                printf("\n");
                lk_config_print_help();
            }
        }
    }
    if (!command)
        printf("\nloket %s: a hybrid customer-contact server. `loket help COMMAND` for details.\n", LOKET_VERSION);
}

/* Where the store is: --database LOCATION, else LOKET_DATABASE, else the
 * data directory (--data DIR, else LOKET_DATA, else the default), as
 * `serve` decides (docs/configuration.md). Removes the flags from the
 * argument list it returns in rest/n_rest. */
static int data_dir_from(int argc, char **argv, char *out, size_t outsize, char **rest, int *n_rest)
{
    const char *dir = getenv("LOKET_DATA");
    if (!dir || !*dir)
        dir = "./loket-data";
    const char *database = getenv("LOKET_DATABASE");
    *n_rest = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--data") == 0 || strcmp(argv[i], "--database") == 0) {
            if (i + 1 >= argc)
                return lk_cli_usage(NULL, "%s needs a %s", argv[i], argv[i][6] ? "location" : "directory");
            if (argv[i][6])
                database = argv[++i];
            else
                dir = argv[++i];
        } else if (strncmp(argv[i], "--data=", 7) == 0) {
            dir = argv[i] + 7;
        } else if (strncmp(argv[i], "--database=", 11) == 0) {
            database = argv[i] + 11;
        } else {
            rest[(*n_rest)++] = argv[i];
        }
    }
    if (database && *database)
        dir = database;
    if (strlen(dir) >= outsize)
        return lk_cli_usage(NULL, "the data directory's name is too long");
    memcpy(out, dir, strlen(dir) + 1);
    return 0;
}

/* The format of a knowledge-base PATH: --format when given, else a folder
 * is markdown and a name ending in .csv is csv, else json. 0 or a usage
 * error (already reported). */
static int kb_format(const char *cmd, const char *given, const char *path, lk_kb_format_t *out)
{
    if (given) {
        if (lk_kb_format_parse(given, out) != 0)
            return lk_cli_usage(NULL, "kb %s: --format must be json, csv or markdown, not %s", cmd, given);
        return 0;
    }
    struct stat sb;
    size_t len = path ? strlen(path) : 0;
    if (path && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        *out = LK_KB_FORMAT_MARKDOWN;
    else if (len > 4 && strcmp(path + len - 4, ".csv") == 0)
        *out = LK_KB_FORMAT_CSV;
    else
        *out = LK_KB_FORMAT_JSON;
    return 0;
}

/* The arguments of kb import and kb export after the subcommand: --format
 * (or --format=), --replace (import only) and one PATH. */
static int kb_args(const char *cmd, char **rest, int n, const char **format, bool *replace, const char **path)
{
    for (int i = 1; i < n; i++) {
        if (strcmp(rest[i], "--format") == 0) {
            if (i + 1 >= n)
                return lk_cli_usage(NULL, "kb %s: --format needs json, csv or markdown", cmd);
            *format = rest[++i];
        } else if (strncmp(rest[i], "--format=", 9) == 0) {
            *format = rest[i] + 9;
        } else if (replace && strcmp(rest[i], "--replace") == 0) {
            *replace = true;
        } else if (rest[i][0] == '-' && rest[i][1] != '\0') {
            return lk_cli_usage(NULL, "kb %s: unknown option %s", cmd, rest[i]);
        } else if (!*path) {
            *path = rest[i];
        } else {
            return lk_cli_usage(NULL, "kb %s: more than one path given", cmd);
        }
    }
    return 0;
}

static int cmd_kb(int argc, char **argv)
{
    char dir[1024];
    char **rest = lk_xcalloc((size_t)argc + 1, sizeof *rest);
    int n, ret = data_dir_from(argc - 1, argv + 1, dir, sizeof dir, rest, &n);
    if (ret)
        goto out;
    if (n >= 1 && strcmp(rest[0], "labelled") == 0) {
        ret = lk_api_labelled_cli(dir, rest + 1, n - 1);
    } else if (n >= 1 && strcmp(rest[0], "export") == 0) {
        const char *format_name = NULL, *path = NULL;
        lk_kb_format_t format;
        if ((ret = kb_args("export", rest, n, &format_name, NULL, &path)) != 0 ||
            (ret = kb_format("export", format_name, path, &format)) != 0)
            goto out;
        if (format == LK_KB_FORMAT_MARKDOWN && !path) {
            ret = lk_cli_usage(NULL, "kb export: the markdown format needs a folder to write to");
            goto out;
        }
        lk_store_t *st;
        if ((ret = lk_cli_open_store(dir, &st)) != 0)
            goto out;
        lk_kb_t kb;
        int rc = lk_store_kb_export(st, &kb);
        lk_store_close(st);
        if ((ret = lk_cli_failed(rc, "read the knowledge base")) != 0)
            goto out;
        char err[512];
        rc = lk_kb_write_path(&kb, format, path, err, sizeof err);
        lk_kb_free(&kb);
        if (rc) {
            fprintf(stderr, "loket: %s\n", err);
            ret = LK_EXIT_INTERNAL;
        }
    } else if (n >= 1 && strcmp(rest[0], "import") == 0) {
        const char *format_name = NULL, *file = NULL;
        bool replace = false;
        lk_kb_format_t format;
        if ((ret = kb_args("import", rest, n, &format_name, &replace, &file)) != 0)
            goto out;
        if (!file) {
            ret = lk_cli_usage(NULL, "kb import: name the file (or, for markdown, the folder) to import");
            goto out;
        }
        if ((ret = kb_format("import", format_name, file, &format)) != 0)
            goto out;
        lk_kb_t kb;
        char err[512];
        int rc = lk_kb_read_path(file, format, &kb, err, sizeof err);
        if (rc) {
            if (rc == LK_EIO || format == LK_KB_FORMAT_MARKDOWN)
                fprintf(stderr, "loket: %s\n", err);
            else
                fprintf(stderr, "loket: %s: %s\n", file, err);
            ret = LK_EXIT_USAGE;
            goto out;
        }
        lk_store_t *st;
        if ((ret = lk_cli_open_store(dir, &st)) != 0) {
            lk_kb_free(&kb);
            goto out;
        }
        lk_kb_import_counts_t counts = {0, 0, 0, 0};
        rc = lk_store_begin(st);
        if (rc == 0)
            rc = lk_store_kb_import_as(st, &kb, replace, NULL, lk_time_now_ms(), &counts);
        if (rc == 0)
            rc = lk_store_audit(st, lk_time_now_ms(), "cli", "kb.import", NULL, replace ? "replace" : "upsert");
        if (rc == 0)
            rc = lk_store_commit(st);
        else
            lk_store_rollback(st);
        lk_store_close(st);
        if ((ret = lk_cli_failed(rc, "import the knowledge base")) == 0)
            fprintf(stderr, "loket: imported %zu articles from %s: %zu new, %zu changed, %zu unchanged, %zu archived\n",
                    kb.n_articles, file, counts.created, counts.updated, counts.unchanged, counts.archived);
        lk_kb_free(&kb);
    } else if (n >= 1 && strcmp(rest[0], "demo") == 0) {
        if (n > 1) {
            ret = lk_cli_usage(NULL, "kb demo: unexpected argument %s", rest[1]);
            goto out;
        }
        lk_store_t *st;
        if ((ret = lk_cli_open_store(dir, &st)) != 0)
            goto out;
        lk_kb_import_counts_t counts = {0, 0, 0, 0};
        int rc = lk_app_load_demo(st, "cli", false, NULL, &counts);
        lk_store_close(st);
        if ((ret = lk_cli_failed(rc, "load the demo knowledge base")) == 0)
            fprintf(stderr, "loket: loaded the demo knowledge base: %zu new, %zu changed, %zu unchanged\n",
                    counts.created, counts.updated, counts.unchanged);
    } else if (n >= 1) {
        ret = lk_cli_usage(NULL,
                           "kb: unknown subcommand %s; expected `kb import PATH`, `kb export`, `kb demo` or `kb "
                           "labelled import|export`",
                           rest[0]);
    } else {
        ret =
            lk_cli_usage(NULL, "kb: expected `kb import PATH`, `kb export`, `kb demo` or `kb labelled import|export`");
    }
out:
    free(rest);
    return ret;
}

/* `loket user password`: stores hash as the password of the user with this
 * address; every session of theirs ends (a running server refuses them at
 * once and closes their live streams at its next tick). */
static int user_password(const char *dir, const char *email, const char *hash, const char *password, bool print)
{
    lk_store_t *st;
    int ret = lk_cli_open_store(dir, &st);
    if (ret)
        return ret;
    lk_user_t u = {0};
    int64_t sessions = 0;
    int rc = lk_store_begin(st);
    if (rc == 0)
        rc = lk_store_user_get_by_email(st, email, &u);
    if (rc == 0)
        rc = lk_store_user_set_password(st, u.id, hash);
    if (rc == 0)
        rc = lk_store_session_delete_user(st, u.id, NULL, &sessions);
    if (rc == 0)
        rc = lk_store_audit(st, lk_time_now_ms(), "cli", "user.password_reset", NULL, u.id);
    if (rc == 0)
        rc = lk_store_commit(st);
    else
        lk_store_rollback(st);
    lk_store_close(st);
    if (rc == LK_ENOENT) {
        ret = lk_cli_usage(NULL, "user password: no user with the e-mail address %s", email);
    } else if ((ret = lk_cli_failed(rc, "set the password")) == 0) {
        fprintf(stderr, "loket: new password for %s (%s); %lld sessions ended\n", email, u.id, (long long)sessions);
        if (print)
            printf("password: %s\n", password);
    }
    lk_user_clear(&u);
    return ret;
}

static int cmd_user(int argc, char **argv)
{
    char dir[1024];
    char **rest = lk_xcalloc((size_t)argc + 1, sizeof *rest);
    int n, ret = data_dir_from(argc - 1, argv + 1, dir, sizeof dir, rest, &n);
    const char *email = NULL, *role = NULL, *name = NULL;
    bool from_stdin = false;
    if (ret)
        goto out;
    bool add = n >= 1 && strcmp(rest[0], "add") == 0;
    if (n < 1 || (!add && strcmp(rest[0], "password") != 0)) {
        ret = lk_cli_usage(NULL,
                           "user: %s%s; expected `user add --email EMAIL --role ROLE` or `user password --email EMAIL`",
                           n >= 1 ? "unknown subcommand " : "missing subcommand", n >= 1 ? rest[0] : "");
        goto out;
    }
    for (int i = 1; i < n; i++) {
        if (strcmp(rest[i], "--email") == 0 && i + 1 < n)
            email = rest[++i];
        else if (add && strcmp(rest[i], "--role") == 0 && i + 1 < n)
            role = rest[++i];
        else if (add && strcmp(rest[i], "--name") == 0 && i + 1 < n)
            name = rest[++i];
        else if (strcmp(rest[i], "--password-stdin") == 0)
            from_stdin = true;
        else {
            ret = lk_cli_usage(NULL, "user %s: unexpected argument %s", rest[0], rest[i]);
            goto out;
        }
    }
    if (!email || !*email || !strchr(email, '@') || strlen(email) >= 254 || !lk_utf8_valid(email, strlen(email))) {
        ret = lk_cli_usage(NULL, "user %s: --email needs an e-mail address", rest[0]);
        goto out;
    }
    if (add && lk_role_parse(role, NULL) != 0) {
        ret = lk_cli_usage(NULL, "user add: --role must be agent, supervisor or admin");
        goto out;
    }
    if (name && (!*name || strlen(name) > 200 || !lk_utf8_valid(name, strlen(name)))) {
        ret = lk_cli_usage(NULL, "user add: --name must be 1 to 200 bytes of text");
        goto out;
    }
    char password[1025];
    if (from_stdin) {
        size_t len = fread(password, 1, sizeof password - 1, stdin);
        password[len] = '\0';
        while (len && (password[len - 1] == '\n' || password[len - 1] == '\r'))
            password[--len] = '\0';
        const char *const context[] = {email, name};
        lk_password_verdict_t v = lk_password_check(password, context, 2);
        if (v != LK_PW_OK) {
            sodium_memzero(password, sizeof password);
            ret = lk_cli_usage(NULL, "user %s: the password is not accepted: %s", rest[0], lk_password_reason(v));
            goto out;
        }
    } else {
        lk_rand_token(password); /* 256 random bits */
        password[20] = '\0';
    }
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(hash, password, strlen(password), LK_PWHASH_OPSLIMIT, LK_PWHASH_MEMLIMIT) != 0) {
        fprintf(stderr, "loket: not enough memory to hash the password\n");
        sodium_memzero(password, sizeof password);
        ret = LK_EXIT_INTERNAL;
        goto out;
    }
    if (!add) {
        ret = user_password(dir, email, hash, password, !from_stdin);
        sodium_memzero(password, sizeof password);
        sodium_memzero(hash, sizeof hash);
        goto out;
    }
    lk_user_t u = {0};
    lk_rand_id("u_", u.id, sizeof u.id);
    snprintf(u.email, sizeof u.email, "%s", email);
    lk_role_parse(role, &u.role);
    u.display_name = lk_xstrdup(name ? name : email);
    u.password_hash = hash;
    u.created_at = lk_time_now_ms();
    lk_store_t *st;
    if ((ret = lk_cli_open_store(dir, &st)) != 0) {
        free(u.display_name);
        goto out;
    }
    int rc = lk_store_begin(st);
    if (rc == 0)
        rc = lk_store_user_insert(st, &u);
    if (rc == 0)
        rc = lk_store_audit(st, u.created_at, "cli", "user.add", NULL, u.id);
    if (rc == 0)
        rc = lk_store_commit(st);
    else
        lk_store_rollback(st);
    lk_store_close(st);
    free(u.display_name);
    if (rc == LK_EEXIST) {
        ret = lk_cli_usage(NULL, "user add: a user with the e-mail address %s exists already", email);
    } else if ((ret = lk_cli_failed(rc, "add the user")) == 0) {
        fprintf(stderr, "loket: added %s (%s) as %s\n", email, u.id, role);
        if (!from_stdin)
            printf("password: %s\n", password);
    }
    sodium_memzero(password, sizeof password);
out:
    free(rest);
    return ret;
}

static int cmd_serve(int argc, char **argv)
{
    lk_config_t cfg;
    char err[512];
    if (lk_config_from_args(&cfg, argc, argv, environ, err, sizeof err) != 0)
        return lk_cli_usage(NULL, "%s", err);
    lk_log_level_t level;
    if (lk_log_parse_level(cfg.log_level, &level) == 0)
        lk_log_set_level(level);

    /* Signals are taken by this thread alone, with sigwait(); every thread
     * started from here inherits the blocked mask. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    lk_app_t *app;
    int rc = lk_app_start(&cfg, &app);
    if (rc)
        return rc == LK_EINVAL || rc == LK_ESCHEMA || rc == LK_ECONFIG ? LK_EXIT_USAGE : LK_EXIT_INTERNAL;
    int sig = 0;
    sigwait(&set, &sig);
    LK_INFO("main", "received %s", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    lk_app_stop(app);
    return 0;
}

int main(int argc, char **argv)
{
    if (lk_rand_init() != 0) {
        fprintf(stderr, "loket: cannot initialise the random number generator\n");
        return LK_EXIT_INTERNAL;
    }
    lk_log_set_filter(lk_pii_redact); /* personal data never reaches a log line */
    if (argc < 2) {
        print_help(NULL);
        return LK_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "serve") != 0) { /* one-shot commands speak plainly, and only of problems */
        lk_log_set_plain(true);
        lk_log_set_level(LK_LOG_WARN);
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("loket %s\n", LOKET_VERSION);
        return 0;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        if (argc > 2) {
            for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
                if (strcmp(argv[2], commands[i].name) == 0) {
                    print_help(argv[2]);
                    return 0;
                }
            return lk_cli_usage(NULL, "help: no command called %s", argv[2]);
        }
        print_help(NULL);
        return 0;
    }
    /* `loket COMMAND ... --help` (or -h) anywhere after the command: that
     * command's help, as with `loket help COMMAND` */
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--help") != 0 && strcmp(argv[i], "-h") != 0)
            continue;
        for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++)
            if (strcmp(cmd, commands[k].name) == 0) {
                print_help(cmd);
                return 0;
            }
        break;
    }
    if (strcmp(cmd, "serve") == 0)
        return cmd_serve(argc - 1, argv + 1);
    if (strcmp(cmd, "kb") == 0)
        return cmd_kb(argc - 1, argv + 1);
    if (strcmp(cmd, "user") == 0)
        return cmd_user(argc - 1, argv + 1);
    if (strcmp(cmd, "eval") == 0)
        return lk_eval_command(argc - 1, argv + 1);
    if (strcmp(cmd, "privacy") == 0)
        return lk_api_privacy_cli(argc - 1, argv + 1, environ);
    return lk_cli_usage(NULL, "unknown command %s", cmd);
}
