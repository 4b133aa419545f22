/*
 * SHA-256 and HMAC-SHA256 (FIPS 180-4, RFC 2104), self-contained so the
 * SMM handler (freestanding, 32-bit) and the reader (hosted) share it.
 */
#ifndef SCOTCH_HMAC_SHA256_H
#define SCOTCH_HMAC_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
    uint32_t h[8];
    uint64_t len;
    uint8_t buf[64];
    uint32_t used;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, uint8_t out[32]);
void hmac_sha256(const uint8_t *key, size_t key_len, const void *data,
                 size_t len, uint8_t out[32]);
/** Compare in time independent of where they differ; 1 if equal. */
int mac_equal(const uint8_t *a, const uint8_t *b, size_t len);

#endif
