/*
 * New passwords: whether one is good enough to be set (docs/security.md,
 * "Passwords: what is accepted").
 *
 * Following NIST SP 800-63B and OWASP ASVS 2.1: at least 8 characters, long
 * passphrases welcome (up to LK_PASSWORD_MAX bytes, spaces and any Unicode
 * allowed), no composition rules, but a password is refused when it is on a
 * list of common passwords (John the Ripper's password.lst, embedded at build
 * time from Debian's john-data package), when it is such a password with
 * digits or symbols around it ("Password2024!"), when it is little more than
 * the user's e-mail address, name or the product's name ("loket2026",
 * "anna.jansen1"), or when it repeats one or two characters.
 *
 * Pure: no I/O, no clock. The list is parsed once, on first use.
 */
#ifndef LK_PASSWORD_H
#define LK_PASSWORD_H

#include <stddef.h>

#define LK_PASSWORD_MIN 8    /* characters (UTF-8 code points) */
#define LK_PASSWORD_MAX 1024 /* bytes */

typedef enum {
    LK_PW_OK = 0,
    LK_PW_TOO_SHORT,      /* fewer than LK_PASSWORD_MIN characters */
    LK_PW_TOO_LONG,       /* more than LK_PASSWORD_MAX bytes */
    LK_PW_COMMON,         /* on the list of common passwords */
    LK_PW_COMMON_VARIANT, /* a common password with digits or symbols around it */
    LK_PW_PERSONAL,       /* little more than the e-mail address, the name or the product */
    LK_PW_REPETITIVE      /* fewer than 3 different characters */
} lk_password_verdict_t;

/* Checks password pw (NUL-terminated UTF-8) for a user; context holds the
 * words it must not be derived from (the e-mail address, the display name;
 * NULL entries are skipped); the product name "loket" is always one. */
lk_password_verdict_t lk_password_check(const char *pw, const char *const *context, size_t n_context);

/* A sentence in English for the user saying why (without the password), for
 * the API's error message; "" for LK_PW_OK. Static. */
const char *lk_password_reason(lk_password_verdict_t v);

/* How many entries the embedded list has (for tests and the docs). */
size_t lk_password_list_size(void);

#endif
