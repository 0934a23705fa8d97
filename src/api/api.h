/*
 * api: loket's HTTP API on top of the http/ interface: the customer's
 * conversation endpoints and WebSocket stream, the agent's login and
 * conversation handling, the static pages, and what they share (the
 * knowledge base's bot model with live reload). Jobs, the worker pools and
 * the WebSocket hub they use live in runtime/ (runtime/runtime.h).
 *
 * This header is the module's whole outside interface: main.c starts and
 * stops the application; everything else is internal (api_int.h).
 */
#ifndef LK_API_H
#define LK_API_H

#include "config/config.h"
#include "store/store.h"

typedef struct lk_app lk_app_t;

/* The argon2id parameters of every password hash loket makes (libsodium's
 * crypto_pwhash_str with its "interactive" limits: 2 passes over 64 MiB, one
 * lane; docs/security.md says why). Written out here so that a libsodium
 * update cannot change them unnoticed; the hash string records them, so
 * older hashes keep verifying whatever these become. */
#define LK_PWHASH_OPSLIMIT 2ULL
#define LK_PWHASH_MEMLIMIT (64ULL * 1024 * 1024)

/* Opens the database (loading the demo knowledge base when the database
 * never had a knowledge base, lk_store_kb_pristine), builds the bot, starts
 * the worker pools and the HTTP server, and logs `listening on
 * http://ADDR:PORT`. 0, or an LK_E... code (logged). */
int lk_app_start(const lk_config_t *cfg, lk_app_t **out /* OUT */);
/* Loads the built-in demo knowledge base into st in one transaction: its
 * articles are upserted by id (a demo article that was changed or archived
 * gets the demo's text back, as a new version), no other article is
 * touched, nothing is deleted; an audit record "kb.demo" names by ("cli",
 * "system"). With only_pristine it does so only when the database never had
 * a knowledge base (lk_store_kb_pristine, checked in the same transaction).
 * *loaded (may be NULL) says whether it loaded, *counts (may be NULL) what
 * it did. 0 or an LK_E... code. */
int lk_app_load_demo(lk_store_t *st, const char *by, bool only_pristine, bool *loaded /* OUT */,
                     lk_kb_import_counts_t *counts /* OUT */);
/* The port the server listens on. */
int lk_app_port(const lk_app_t *app);
/* Graceful stop: stop accepting, finish requests in flight, drain the
 * database queue, close the database. Then frees app. */
void lk_app_stop(lk_app_t *app);

/* `loket privacy export|erase|purge` (argv[0] is "privacy"; env as for
 * the option table): data-subject requests and the retention purge from
 * the command line (docs/privacy.md). Returns the exit code. */
int lk_api_privacy_cli(int argc, char **argv, char *const *env);
/* `loket kb labelled import FILE [--replace] | export [FILE]` (argv[0] is
 * "import" or "export"), on the database of dir: the company's labelled
 * questions (docs/quality.md) in the JSON-lines format of `loket eval
 * --labelled`. A bad line or an unknown article fails the whole import
 * (exit 1, one line naming it) and changes nothing. Returns the exit code. */
int lk_api_labelled_cli(const char *dir, char **argv, int argc);

/* ---- what the one-shot commands share (cli.c) ---------------------------- */

/* Exit codes: a wrong command line or input the user must fix, and an
 * internal failure (the database, the disk). */
#define LK_EXIT_USAGE 1
#define LK_EXIT_INTERNAL 2
/* Writes "loket: [COMMAND ]MESSAGE (see `loket help[ COMMAND]`)" to stderr
 * (command may be NULL) and returns LK_EXIT_USAGE. */
int lk_cli_usage(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Opens the database in dir; on failure explains why on stderr (unless the
 * store logged it) and returns the exit code: LK_EXIT_USAGE for a database
 * of a newer schema or a backend that is not built in, else
 * LK_EXIT_INTERNAL. 0 when open. */
int lk_cli_open_store(const char *dir, lk_store_t **st /* OUT */);
/* The exit code for rc, a command's store result: 0 for 0; else
 * LK_EXIT_INTERNAL after "loket: cannot WHAT: reason" on stderr. */
int lk_cli_failed(int rc, const char *what);

#endif
