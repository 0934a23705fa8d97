/*
 * privacy: personal data in customers' texts, found and masked.
 *
 * Detection is pure (no I/O, no clock, no globals) and works on UTF-8 text.
 * It finds e-mail addresses, phone numbers (Dutch and international
 * formats), IBANs (mod-97 checked), BSNs (the Dutch citizen service number,
 * 11-proef checked), payment-card numbers (Luhn checked), Dutch postcodes
 * with their house number, dates of birth named as such, and names given
 * after "mijn naam is" / "my name is" and the like.
 *
 * Redaction replaces each found span with a marker naming its kind
 * ("[e-mail]", "[telefoon]", ...: see lk_pii_marker), wherever text leaves
 * the conversation itself: logs, analytics, the gap report, exports, the
 * NLU's training data and anything sent to another service.
 */
#ifndef LK_PRIVACY_H
#define LK_PRIVACY_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    LK_PII_EMAIL,
    LK_PII_PHONE,
    LK_PII_IBAN,
    LK_PII_BSN,
    LK_PII_CARD,
    LK_PII_POSTCODE, /* postcode with house number, or a postcode alone */
    LK_PII_BIRTHDATE,
    LK_PII_NAME,
    LK_PII__COUNT
} lk_pii_kind_t;

typedef struct {
    lk_pii_kind_t kind;
    size_t start; /* byte offset in the text */
    size_t len;   /* bytes */
} lk_pii_span_t;

/* "email", "phone", "iban", "bsn", "card", "postcode", "birthdate", "name". */
const char *lk_pii_kind_name(lk_pii_kind_t kind);
/* The text that replaces a span of this kind: "[e-mail]", "[telefoon]", ... */
const char *lk_pii_marker(lk_pii_kind_t kind);

/* Finds the personal data in text (len bytes), in text order and without
 * overlaps; writes at most max spans to out (may be NULL when max is 0) and
 * returns how many there are in all. */
size_t lk_pii_detect(const char *text, size_t len, lk_pii_span_t *out /* OUT */, size_t max);

/* A heap copy of text (NUL-terminated) with every span replaced by its
 * marker; the caller frees it. Never NULL (aborts when out of memory). */
char *lk_pii_redact(const char *text, size_t len);

/* True when text holds any personal data. */
bool lk_pii_any(const char *text, size_t len);

/* ---- identifiers (normalise.c) ------------------------------------------ */

#define LK_PII_NORM_MAX 256 /* room for any normalised identifier and its NUL */

/* The canonical form of an e-mail address (trimmed, ASCII letters lower-
 * cased) or a phone number (E.164: "+31612345678" for "06-12345678",
 * "+31 (0)6 1234 5678" or "0031 6 12345678"; a national number is Dutch)
 * into out (size bytes). 0, or LK_EINVAL for another kind, a text that is no
 * such identifier, or one that does not fit. */
int lk_pii_normalise(lk_pii_kind_t kind, const char *text, size_t len, char *out /* OUT */, size_t size);

/* A heap copy of text in which every span of kind is replaced by its marker
 * ("[bsn]"), or NULL when text holds none. free(). */
char *lk_pii_mask_kind(const char *text, size_t len, lk_pii_kind_t kind);

#endif
