/*
 * Copyright (c) 2026 The Scotch-gem5 authors
 * SPDX-License-Identifier: BSD-3-Clause
 */

/**
 * @file
 * SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104), incremental and
 * self-contained. The enclave model measures enclaves (MRENCLAVE) and
 * derives keys with them; plain C++ with no gem5 headers, so they are
 * unit-tested outside gem5 against the NIST and RFC 4231 vectors.
 */

#ifndef __SCOTCH_SGX_SHA256_HH__
#define __SCOTCH_SGX_SHA256_HH__

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace gem5
{

namespace scotch
{

namespace sgx
{

/** A SHA-256 digest. */
using Digest = std::array<uint8_t, 32>;

class Sha256
{
  public:
    static constexpr size_t BlockSize = 64;
    static constexpr size_t DigestSize = 32;

    Sha256() { reset(); }

    /** Start over with the FIPS 180-4 5.3.3 initial hash value. */
    void
    reset()
    {
        static constexpr uint32_t init[8] = {
            0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
            0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
        };
        std::memcpy(h, init, sizeof(h));
        length = 0;
        used = 0;
    }

    void
    update(const void *data, size_t len)
    {
        auto p = static_cast<const uint8_t *>(data);
        length += len;
        if (used) {
            const size_t n = len < BlockSize - used ? len : BlockSize - used;
            std::memcpy(buf + used, p, n);
            used += n;
            p += n;
            len -= n;
            if (used < BlockSize)
                return;
            compress(buf);
            used = 0;
        }
        for (; len >= BlockSize; p += BlockSize, len -= BlockSize)
            compress(p);
        std::memcpy(buf, p, len);
        used = len;
    }

    /** Bytes hashed so far. */
    uint64_t bytes() const { return length; }

    /**
     * Pad (FIPS 180-4 5.1.1) and return the digest. The object is left
     * finished: reset() it before hashing anew.
     */
    Digest
    finish()
    {
        const uint64_t bits = length * 8;
        static const uint8_t pad[BlockSize] = {0x80};
        const size_t fill = used < 56 ? 56 - used : BlockSize + 56 - used;
        update(pad, fill);
        uint8_t len_be[8];
        for (int i = 0; i < 8; i++)
            len_be[i] = uint8_t(bits >> (56 - 8 * i));
        update(len_be, 8);
        Digest out;
        for (int i = 0; i < 8; i++) {
            out[4 * i] = uint8_t(h[i] >> 24);
            out[4 * i + 1] = uint8_t(h[i] >> 16);
            out[4 * i + 2] = uint8_t(h[i] >> 8);
            out[4 * i + 3] = uint8_t(h[i]);
        }
        return out;
    }

    /** The digest of what was hashed so far, leaving this one as is. */
    Digest
    peek() const
    {
        Sha256 copy = *this;
        return copy.finish();
    }

    static Digest
    hash(const void *data, size_t len)
    {
        Sha256 s;
        s.update(data, len);
        return s.finish();
    }

    /**
     * Everything a hash in progress is, as plain data: what a gem5
     * checkpoint saves so that a measurement survives a restore.
     */
    struct State
    {
        std::array<uint32_t, 8> h;
        /** Bytes hashed so far (bytes()). */
        uint64_t length;
        /** The partial block: its first @p used bytes, then zeros. */
        std::array<uint8_t, BlockSize> buf;
        uint32_t used;
    };

    State
    state() const
    {
        State s = {};
        std::memcpy(s.h.data(), h, sizeof(h));
        s.length = length;
        // Only the partial block's bytes: what lies beyond is stale, and
        // equal hashes should give equal checkpoints.
        std::memcpy(s.buf.data(), buf, used);
        s.used = uint32_t(used);
        return s;
    }

    /**
     * Continue the hash that @p s was taken of. Every update() hashes
     * whole blocks and keeps the rest, so the partial block is always
     * bytes() mod 64 long; a state that breaks this is not one state()
     * gave, and is refused (false) leaving this hash as it was.
     */
    bool
    restore(const State &s)
    {
        if (s.used >= BlockSize || s.used != s.length % BlockSize)
            return false;
        std::memcpy(h, s.h.data(), sizeof(h));
        length = s.length;
        std::memcpy(buf, s.buf.data(), sizeof(buf));
        used = s.used;
        return true;
    }

  private:
    static uint32_t
    rotr(uint32_t x, unsigned n)
    {
        return x >> n | x << (32 - n);
    }

    /** One block of the FIPS 180-4 6.2.2 hash computation. */
    void
    compress(const uint8_t *block)
    {
        static constexpr uint32_t k[64] = {
            0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b,
            0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
            0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7,
            0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
            0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152,
            0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
            0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
            0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
            0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
            0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
            0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
            0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
            0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
        };
        uint32_t w[64];
        for (int t = 0; t < 16; t++) {
            w[t] = uint32_t(block[4 * t]) << 24 |
                   uint32_t(block[4 * t + 1]) << 16 |
                   uint32_t(block[4 * t + 2]) << 8 | block[4 * t + 3];
        }
        for (int t = 16; t < 64; t++) {
            const uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^
                                w[t - 15] >> 3;
            const uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^
                                w[t - 2] >> 10;
            w[t] = w[t - 16] + s0 + w[t - 7] + s1;
        }
        uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
        uint32_t e = h[4], f = h[5], g = h[6], hh = h[7];
        for (int t = 0; t < 64; t++) {
            const uint32_t t1 = hh + (rotr(e, 6) ^ rotr(e, 11) ^
                                      rotr(e, 25)) +
                                ((e & f) ^ (~e & g)) + k[t] + w[t];
            const uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) +
                                ((a & b) ^ (a & c) ^ (b & c));
            hh = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        h[0] += a;
        h[1] += b;
        h[2] += c;
        h[3] += d;
        h[4] += e;
        h[5] += f;
        h[6] += g;
        h[7] += hh;
    }

    uint32_t h[8];
    uint64_t length;
    uint8_t buf[BlockSize];
    size_t used;
};

/** HMAC (RFC 2104) with SHA-256: H(K ^ opad, H(K ^ ipad, text)). */
class HmacSha256
{
  public:
    HmacSha256(const void *key, size_t key_len)
    {
        uint8_t k[Sha256::BlockSize] = {};
        // Keys longer than a block are hashed first (RFC 2104, 2).
        if (key_len > Sha256::BlockSize) {
            const Digest d = Sha256::hash(key, key_len);
            std::memcpy(k, d.data(), d.size());
        } else if (key_len) {
            std::memcpy(k, key, key_len);
        }
        uint8_t pad[Sha256::BlockSize];
        for (size_t i = 0; i < sizeof(pad); i++)
            pad[i] = uint8_t(k[i] ^ 0x36);
        inner.update(pad, sizeof(pad));
        for (size_t i = 0; i < sizeof(pad); i++)
            pad[i] = uint8_t(k[i] ^ 0x5c);
        outer.update(pad, sizeof(pad));
    }

    void update(const void *data, size_t len) { inner.update(data, len); }

    Digest
    finish()
    {
        const Digest d = inner.finish();
        outer.update(d.data(), d.size());
        return outer.finish();
    }

    static Digest
    mac(const void *key, size_t key_len, const void *data, size_t len)
    {
        HmacSha256 m(key, key_len);
        m.update(data, len);
        return m.finish();
    }

  private:
    Sha256 inner;
    Sha256 outer;
};

} // namespace sgx
} // namespace scotch
} // namespace gem5

#endif // __SCOTCH_SGX_SHA256_HH__
