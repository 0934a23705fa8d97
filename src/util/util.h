/*
 * util: the small pieces every loket module shares.
 *
 * Error codes (one table, lk_strerror), aborting allocation helpers, byte
 * buffers that carry a maximum size, a non-owning string slice, structured
 * logging, wall-clock time in RFC 3339, random identifiers and tokens, and
 * UTF-8 validation. Nothing here knows about conversations or HTTP.
 */
#ifndef LK_UTIL_H
#define LK_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- errors ------------------------------------------------------------ */

/* Every loket error: 0 is success, each code is negative. The X-macro keeps
 * the enum and the messages of lk_strerror() in one place. */
#define LK_ERRNO_MAP(X)                                                        \
    X(EINVAL, "invalid argument")                                              \
    X(ENOMEM, "out of memory")                                                 \
    X(ENOENT, "not found")                                                     \
    X(EEXIST, "already exists")                                                \
    X(EIO, "input/output error")                                               \
    X(ETOOBIG, "too large")                                                    \
    X(EUTF8, "invalid UTF-8")                                                  \
    X(EJSON, "invalid JSON")                                                   \
    X(EAUTH, "not authorised")                                                 \
    X(ESTATE, "not allowed in the current state")                              \
    X(EDB, "database error")                                                   \
    X(EBUSY, "busy")                                                           \
    X(ECONFIG, "invalid configuration")                                        \
    X(ESCHEMA, "database schema is newer than this program")                   \
    X(ESHUTDOWN, "shutting down")

enum {
    LK_OK = 0,
#define LK_ERRNO_ENUM(name, msg) LK_##name,
    LK__ERRNO_FIRST = -1000,
    LK_ERRNO_MAP(LK_ERRNO_ENUM)
#undef LK_ERRNO_ENUM
    LK__ERRNO_LAST
};

/* A static English description of an LK_E... code (or "unknown error"). */
const char *lk_strerror(int err);
/* The code's short name without the prefix, e.g. "ENOENT". */
const char *lk_errname(int err);

/* ---- memory: allocation failure aborts --------------------------------- */

void *lk_xmalloc(size_t n);
void *lk_xcalloc(size_t count, size_t size);
void *lk_xrealloc(void *p, size_t n);
char *lk_xstrdup(const char *s);
char *lk_xstrndup(const char *s, size_t n);
/* Frees the n strings of v and then v (v may be NULL). */
void lk_strv_free(char **v, size_t n);

/* ---- slices ------------------------------------------------------------ */

/* A non-owning view of bytes; base need not be NUL-terminated. */
typedef struct {
    const char *base;
    size_t len;
} lk_str_t;

#define LK_STR(lit) ((lk_str_t){(lit), sizeof(lit) - 1})
lk_str_t lk_str(const char *s); /* s may be NULL: gives the empty slice */
bool lk_str_eq(lk_str_t a, lk_str_t b);
bool lk_str_eq_cstr(lk_str_t a, const char *b);

/* ---- growable buffers with a limit ------------------------------------- */

/* A byte buffer that refuses to grow past max. data is always
 * NUL-terminated (when non-NULL) so it can be used as a C string. */
typedef struct {
    char *data;
    size_t len;
    size_t cap;
    size_t max;
} lk_buf_t;

void lk_buf_init(lk_buf_t *b, size_t max);
void lk_buf_free(lk_buf_t *b); /* b may be zeroed; leaves it empty */
void lk_buf_reset(lk_buf_t *b);
/* Append; LK_ETOOBIG (and no change) when the result would pass max. */
int lk_buf_append(lk_buf_t *b, const void *p, size_t n);
int lk_buf_append_cstr(lk_buf_t *b, const char *s);
int lk_buf_printf(lk_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hand the bytes to the caller (who frees them with free()); b becomes empty. */
char *lk_buf_steal(lk_buf_t *b, size_t *len /* OUT, may be NULL */);

/* ---- logging ----------------------------------------------------------- */

typedef enum { LK_LOG_DEBUG = 0, LK_LOG_INFO, LK_LOG_WARN, LK_LOG_ERROR, LK_LOG_OFF } lk_log_level_t;

/* Logs go to stderr as one JSON object a line:
 * {"ts":"...","level":"info","module":"http","msg":"..."}.
 * Never log a secret or a customer's words. */
extern lk_log_level_t lk_log_min_level;
void lk_log_set_level(lk_log_level_t level);
int lk_log_parse_level(const char *s, lk_log_level_t *out /* OUT */);
void lk_log_write(lk_log_level_t level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A log line with fields of its own beside msg: fields is the inside of a
 * JSON object ("\"kind\":\"...\",\"route\":\"...\"", already escaped),
 * written after "msg" as it is; it passes the filter like a message does.
 * In plain format only msg is written. */
void lk_log_fields(lk_log_level_t level, const char *module, const char *msg, const char *fields);

/* JSON lines (the server's default) or plain "loket: message" lines (for the
 * command line's one-shot commands). */
void lk_log_set_plain(bool plain);
/* A filter every message passes through before it is written: it returns a
 * heap copy (freed with free()) of text with whatever must not be logged
 * masked. main() installs lk_pii_redact, so that personal data that reaches
 * a log line by mistake is masked (util cannot call privacy/ itself). NULL
 * removes it. */
void lk_log_set_filter(char *(*filter)(const char *text, size_t len));
/* How many error lines were written so far (so a caller can tell whether a
 * failure was already explained). */
size_t lk_log_error_count(void);

/* Checks the level before the arguments are evaluated. */
#define LK_LOG(level, module, ...)                                             \
    do {                                                                       \
        if ((level) >= lk_log_min_level)                                       \
            lk_log_write((level), (module), __VA_ARGS__);                      \
    } while (0)
#define LK_DEBUG(module, ...) LK_LOG(LK_LOG_DEBUG, module, __VA_ARGS__)
#define LK_INFO(module, ...) LK_LOG(LK_LOG_INFO, module, __VA_ARGS__)
#define LK_WARN(module, ...) LK_LOG(LK_LOG_WARN, module, __VA_ARGS__)
#define LK_ERROR(module, ...) LK_LOG(LK_LOG_ERROR, module, __VA_ARGS__)

/* ---- time -------------------------------------------------------------- */

/* Milliseconds since the Unix epoch (wall clock). */
int64_t lk_time_now_ms(void);
/* Monotonic nanoseconds, for measuring durations. */
int64_t lk_time_mono_ns(void);
#define LK_RFC3339_LEN 25 /* "2026-11-23T10:31:45.123Z" plus NUL */
/* Formats ms since the epoch as RFC 3339 UTC with milliseconds. */
void lk_time_rfc3339(int64_t ms, char out[LK_RFC3339_LEN]);
/* Parses an RFC 3339 time ("2026-11-23T10:31:45Z", with optional fraction
 * and a Z or +HH:MM offset) or a date alone ("2026-11-23": midnight UTC)
 * into ms since the epoch. LK_EINVAL when s is anything else. */
int lk_time_parse_rfc3339(const char *s, int64_t *ms /* OUT */);

/* ---- randomness -------------------------------------------------------- */

/* Call once before any other lk_rand_* (initialises libsodium). 0 or LK_EIO. */
int lk_rand_init(void);
/* An identifier: prefix followed by 22 base32 characters, e.g. "c_3k9x...":
 * 10 for the time in milliseconds (so ids sort by creation, to the
 * millisecond), then 12 random ones (60 bits). Not a secret: access is
 * granted by tokens, never by knowing an id. out must hold prefix + 23
 * bytes. */
void lk_rand_id(const char *prefix, char *out, size_t outsize);
#define LK_TOKEN_LEN 43 /* 256 random bits as unpadded base64url */
/* A secret token of 256 random bits, base64url, NUL-terminated. */
void lk_rand_token(char out[LK_TOKEN_LEN + 1]);
/* Hex SHA-256 of a token, for storing instead of the token itself. */
#define LK_TOKEN_HASH_LEN 64
void lk_token_hash(const char *token, size_t len, char out[LK_TOKEN_HASH_LEN + 1]);
/* Constant-time comparison of two equal-length strings. */
bool lk_const_eq(const char *a, const char *b, size_t len);

/* ---- UTF-8 ------------------------------------------------------------- */

/* True when s[0..len) is well-formed UTF-8 (no overlongs, no surrogates,
 * nothing past U+10FFFF). NUL bytes are rejected as well. */
bool lk_utf8_valid(const char *s, size_t len);
/* What lk_utf8_decode() gives for a malformed sequence. */
#define LK_UTF8_BAD 0xFFFDu
/* Decodes the code point at s[i] (i < len) as it stands (overlong forms and
 * surrogates decode to their value; lk_utf8_valid() judges them); *used gets
 * its length in bytes. A bad lead byte, a missing continuation byte or a
 * sequence cut off by len gives LK_UTF8_BAD with *used 1. */
uint32_t lk_utf8_decode(const char *s, size_t len, size_t i, size_t *used /* OUT */);
/* Makes the NUL-terminated s one line of valid UTF-8, in place, for a
 * message that quotes input (a file's column or key names, a file name):
 * control characters and DEL become '?', so do the bytes of a broken
 * sequence, and a character cut off at the end (by a truncating snprintf)
 * is dropped. */
void lk_utf8_one_line(char *s);

/* ---- parsing ----------------------------------------------------------- */

/* Parse a whole decimal integer in [min, max]; LK_EINVAL otherwise. */
int lk_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out /* OUT */);
/* The next item of a list separated by spaces or commas (an option's value
 * such as public_hosts or trusted_proxies): skips the separators at *p, sets
 * *item to the item, returns its length and moves *p past it; 0 at the end.
 *   for (const char *p = list, *it; (n = lk_list_next(&p, &it));) ... */
size_t lk_list_next(const char **p, const char **item /* OUT */);
/* Exactly n ASCII digits (1 to 9 of them) at s as a decimal number, as in
 * the fields of a date "2026-12-08" or a time "09:30"; LK_EINVAL
 * otherwise. s need not be NUL-terminated after them. */
int lk_parse_digits(const char *s, size_t n, int *out /* OUT */);
/* Splits "HOST:PORT" (the option listen) at its last colon: HOST, 1 to
 * hostsize - 1 bytes, copied into host[0..hostsize), PORT a whole number
 * from 0 to 65535. 0, or LK_EINVAL (host and *port then unset). HOST is not
 * looked at further: the caller decides which hosts it takes. */
int lk_parse_host_port(const char *s, char *host /* OUT */, size_t hostsize, int *port /* OUT */);
/* Whether s is 1 to max bytes of [a-z0-9_-]: a new article's id, a canned
 * response's shortcut, a conversation's channel. */
bool lk_slug_valid(const char *s, size_t max);

/* ---- files ------------------------------------------------------------- */

/* mkdir -p with mode 0700 for the directories it creates (they hold
 * personal data and keys). 0, or LK_EIO (logged under module) when one
 * cannot be made or dir is not a directory. */
int lk_make_dirs(const char *dir, const char *module);

#endif
