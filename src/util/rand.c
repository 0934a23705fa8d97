/*
 * Random identifiers and secret tokens from libsodium's CSPRNG, and the
 * hashing and constant-time comparison used to check a token without storing
 * it: only SHA-256(token) is kept, so a copy of the database does not let
 * anyone into a conversation.
 */
#include "util.h"

#include <sodium.h>
#include <string.h>

int lk_rand_init(void)
{
    return sodium_init() < 0 ? LK_EIO : 0;
}

void lk_rand_id(const char *prefix, char *out, size_t outsize)
{
    static const char alphabet[] = "0123456789abcdefghjkmnpqrstvwxyz"; /* Crockford base32, in ASCII order */
    size_t plen = strlen(prefix);
    if (outsize < plen + 23) {
        if (outsize)
            out[0] = '\0';
        return;
    }
    memcpy(out, prefix, plen);
    /* the time first, most significant digit first: ids made later sort
     * later, so a new row's index entry lands beside the last ones made
     * instead of on a random page (fewer pages written per commit) */
    uint64_t ms = (uint64_t)lk_time_now_ms();
    for (size_t i = 0; i < 10; i++)
        out[plen + i] = alphabet[(ms >> (5 * (9 - i))) & 31];
    unsigned char rnd[12];
    randombytes_buf(rnd, sizeof rnd);
    for (size_t i = 0; i < 12; i++)
        out[plen + 10 + i] = alphabet[rnd[i] & 31];
    out[plen + 22] = '\0';
}

void lk_rand_token(char out[LK_TOKEN_LEN + 1])
{
    unsigned char rnd[32];
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2base64(out, LK_TOKEN_LEN + 1, rnd, sizeof rnd, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(rnd, sizeof rnd);
}

void lk_token_hash(const char *token, size_t len, char out[LK_TOKEN_HASH_LEN + 1])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)token, len);
    sodium_bin2hex(out, LK_TOKEN_HASH_LEN + 1, h, sizeof h);
}

bool lk_const_eq(const char *a, const char *b, size_t len)
{
    return sodium_memcmp(a, b, len) == 0;
}
