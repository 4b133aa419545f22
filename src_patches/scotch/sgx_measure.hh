/*
 * Copyright (c) 2026 The Scotch-gem5 authors
 * SPDX-License-Identifier: BSD-3-Clause
 */

/**
 * @file
 * MRENCLAVE as the SDM builds it (vol. 3D 39.4.1.1 and the Operation
 * sections of ECREATE, EADD, EEXTEND and EINIT): a SHA-256 over 64-byte
 * update fields that ECREATE starts, EADD and EEXTEND extend and EINIT
 * finalizes. scotch_plugin/sgx/measure.py computes the same on the host;
 * both are tested against the same digests. Plain C++, no gem5 headers.
 */

#ifndef __SCOTCH_SGX_MEASURE_HH__
#define __SCOTCH_SGX_MEASURE_HH__

#include <cstdint>

#include "scotch/sgx_sha256.hh"
#include "scotch/sgx_types.hh"

namespace gem5
{

namespace scotch
{

namespace sgx
{

class Measurement
{
  public:
    /** EEXTEND measures this many bytes at a time. */
    static constexpr uint64_t ChunkSize = 256;
    /** Every update field is one SHA-256 block. */
    static constexpr size_t FieldSize = 64;

    /**
     * The SECINFO.FLAGS EADD hashes: for a PT_TCS page EADD clears
     * R, W and X before measuring (EADD Operation, "For TCS pages,
     * force EPCM.rwx bits to 0"); everything else is kept as given.
     */
    static constexpr uint64_t
    eaddMeasuredFlags(uint64_t flags)
    {
        return secinfoPageType(flags) == uint8_t(PageType::Tcs)
                   ? flags & ~SecinfoRwx
                   : flags;
    }

    /**
     * ECREATE: start over and hash "ECREATE\0", SSAFRAMESIZE (4 bytes),
     * SIZE (8 bytes) and 44 zero bytes (ECREATE Operation; the CONFIGSVN
     * slot stays zero without KSS).
     */
    void
    ecreate(uint32_t ssa_frame_size, uint64_t size)
    {
        sha.reset();
        updates = 0;
        uint8_t f[FieldSize] = {'E', 'C', 'R', 'E', 'A', 'T', 'E', 0};
        putLe(f + 8, ssa_frame_size, 4);
        putLe(f + 12, size, 8);
        update(f);
    }

    /**
     * EADD: hash "EADD\0\0\0\0", the page's offset from the enclave base
     * (8 bytes) and the first 48 bytes of SECINFO as EADD leaves them:
     * the flags, then reserved bytes EADD has checked are zero.
     */
    void
    eadd(uint64_t offset, uint64_t secinfo_flags)
    {
        uint8_t f[FieldSize] = {'E', 'A', 'D', 'D'};
        putLe(f + 8, offset, 8);
        putLe(f + 16, eaddMeasuredFlags(secinfo_flags), 8);
        update(f);
    }

    /**
     * EEXTEND: hash "EEXTEND\0", the chunk's offset from the enclave base
     * (8 bytes) and 48 zero bytes, then the 256 bytes of @p chunk.
     */
    void
    eextend(uint64_t offset, const uint8_t *chunk)
    {
        uint8_t f[FieldSize] = {'E', 'E', 'X', 'T', 'E', 'N', 'D', 0};
        putLe(f + 8, offset, 8);
        update(f);
        for (uint64_t i = 0; i < ChunkSize; i += FieldSize)
            update(chunk + i);
    }

    /** EEXTEND all 16 chunks of the page at @p offset, in order. */
    void
    eextendPage(uint64_t offset, const uint8_t *page)
    {
        for (uint64_t i = 0; i < PageSize; i += ChunkSize)
            eextend(offset + i, page + i);
    }

    /**
     * EINIT's SHA256FINAL: the digest of every field so far (its length
     * is updateCount() * 512 bits). The measurement is left as is, so
     * an EINIT that fails on the SIGSTRUCT leaves it unchanged.
     */
    Digest digest() const { return sha.peek(); }

    /** The "MRENCLAVE update counter" the SECS keeps: fields hashed. */
    uint64_t updateCount() const { return updates; }

    /** A measurement in progress as plain data, for checkpoints. */
    struct State
    {
        Sha256::State sha;
        uint64_t updates;
    };

    State state() const { return {sha.state(), updates}; }

    /**
     * Continue the measurement @p s was taken of. Every update is one
     * whole field, so the hash has taken exactly updates * 64 bytes; a
     * state that disagrees (or an invalid hash state) is refused
     * (false) and this measurement is left as it was.
     */
    bool
    restore(const State &s)
    {
        if (s.sha.length % FieldSize ||
            s.sha.length / FieldSize != s.updates)
            return false;
        Sha256 restored;
        if (!restored.restore(s.sha))
            return false;
        sha = restored;
        updates = s.updates;
        return true;
    }

  private:
    static void
    putLe(uint8_t *p, uint64_t v, unsigned bytes)
    {
        for (unsigned i = 0; i < bytes; i++)
            p[i] = uint8_t(v >> (8 * i));
    }

    void
    update(const uint8_t *field)
    {
        sha.update(field, FieldSize);
        updates++;
    }

    Sha256 sha;
    uint64_t updates = 0;
};

} // namespace sgx
} // namespace scotch
} // namespace gem5

#endif // __SCOTCH_SGX_MEASURE_HH__
