/*
 * Copyright (c) 2026 The Scotch-gem5 authors
 * SPDX-License-Identifier: BSD-3-Clause
 */

/**
 * @file
 * The SMM range registers (IA32_SMRR_PHYSBASE 0x1F2, IA32_SMRR_PHYSMASK
 * 0x1F3): write validation and the physical range check. Plain C++ with
 * no gem5 headers, so the rules are unit-tested outside gem5 and the same
 * code decides in the TLB hook and in the memory-side guard.
 */

#ifndef __SCOTCH_SMRR_HH__
#define __SCOTCH_SMRR_HH__

#include <cstdint>

namespace gem5
{

namespace scotch
{

/** MSR numbers, as in the Intel SDM, vol. 4. */
constexpr uint32_t MsrSmbase = 0x9e;
constexpr uint32_t MsrSmrrPhysBase = 0x1f2;
constexpr uint32_t MsrSmrrPhysMask = 0x1f3;

/** MTRRcap bit 11: SMRR supported. */
constexpr uint64_t MtrrcapSmrr = 1ULL << 11;

class Smrr
{
  public:
    /** PHYSBASE: type in bits 7:0, base in 31:12; the rest reserved. */
    static constexpr uint64_t BaseAddrMask = 0xfffff000ULL;
    static constexpr uint64_t BaseTypeMask = 0xffULL;
    /** PHYSMASK: valid in bit 11, mask in 31:12; the rest reserved. */
    static constexpr uint64_t MaskAddrMask = 0xfffff000ULL;
    static constexpr uint64_t MaskValid = 1ULL << 11;

    /** Would writing @p v to PHYSBASE raise #GP (reserved bits, type)? */
    static bool
    validBase(uint64_t v)
    {
        if (v & ~(BaseAddrMask | BaseTypeMask))
            return false;
        // Memory types an MTRR may hold: UC, WC, WT, WP, WB.
        const uint64_t type = v & BaseTypeMask;
        return type == 0 || type == 1 || type == 4 || type == 5 ||
               type == 6;
    }

    /** Would writing @p v to PHYSMASK raise #GP (reserved bits)? */
    static bool
    validMask(uint64_t v)
    {
        return !(v & ~(MaskAddrMask | MaskValid));
    }

    Smrr() = default;
    Smrr(uint64_t base, uint64_t mask) : physBase(base), physMask(mask) {}

    uint64_t base() const { return physBase; }
    uint64_t mask() const { return physMask; }
    void setBase(uint64_t v) { physBase = v; }
    void setMask(uint64_t v) { physMask = v; }

    bool enabled() const { return physMask & MaskValid; }

    /**
     * Is @p paddr inside SMRAM? The register pair only describes memory
     * below 4 GiB, so bits above 31 must be zero to match.
     */
    bool
    contains(uint64_t paddr) const
    {
        if (!enabled())
            return false;
        const uint64_t m = (physMask & MaskAddrMask) | ~0xffffffffULL;
        return (paddr & m) == (physBase & BaseAddrMask & m);
    }

    /** Does any byte of [paddr, paddr + size) lie in SMRAM? */
    bool
    overlaps(uint64_t paddr, uint64_t size) const
    {
        if (!enabled() || size == 0)
            return false;
        // A contiguous mask makes SMRAM one aligned block: compare the
        // ends. Otherwise fall back to checking page by page.
        const uint64_t lo = rangeStart(), hi = rangeEnd();
        if (contiguous())
            return paddr < hi && paddr + size > lo;
        for (uint64_t a = paddr & ~0xfffULL; a < paddr + size; a += 0x1000)
            if (contains(a))
                return true;
        return false;
    }

    /** True when the mask is ones from bit 31 down to some bit >= 12. */
    bool
    contiguous() const
    {
        const uint64_t inv = ~physMask & MaskAddrMask;
        return (inv & (inv + 0x1000)) == 0;
    }

    /** First byte of SMRAM (for a contiguous mask). */
    uint64_t rangeStart() const { return physBase & physMask & MaskAddrMask; }

    /** One past the last byte of SMRAM (for a contiguous mask). */
    uint64_t
    rangeEnd() const
    {
        return rangeStart() + ((~physMask & MaskAddrMask) + 0x1000);
    }

  private:
    uint64_t physBase = 0;
    uint64_t physMask = 0;
};

} // namespace scotch
} // namespace gem5

#endif // __SCOTCH_SMRR_HH__
