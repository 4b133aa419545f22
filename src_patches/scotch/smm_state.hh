/*
 * Copyright (c) 2026 The Scotch-gem5 authors
 * SPDX-License-Identifier: BSD-3-Clause
 */

/**
 * @file
 * The SMM state-save area as a byte buffer, and the packing of segment
 * attributes into it. Plain C++ (no gem5 headers) so the layout rules
 * are unit-tested outside gem5; the SMM controller fills and reads it.
 */

#ifndef __SCOTCH_SMM_STATE_HH__
#define __SCOTCH_SMM_STATE_HH__

#include <array>
#include <cassert>
#include <cstdint>
#include <cstring>

#include "scotch/smm_save_map.h"

namespace gem5
{

namespace scotch
{

/**
 * A segment's attributes as the descriptor holds them, plus gem5's
 * "unusable" flag (a null selector loaded outside long mode).
 */
struct SegmentAttrs
{
    uint8_t type = 0;   ///< descriptor type, 4 bits
    bool s = false;     ///< code/data (1) or system (0)
    uint8_t dpl = 0;    ///< 2 bits
    bool p = false;     ///< present
    bool avl = false;
    bool l = false;     ///< 64-bit code
    bool db = false;    ///< default operation size
    bool g = false;     ///< granularity
    bool unusable = false;

    bool
    operator==(const SegmentAttrs &o) const
    {
        return pack() == o.pack();
    }

    /**
     * The AMD64 map's 16-bit form, as QEMU writes it: descriptor bits
     * 15:8 in 7:0 and bits 23:20 in 15:12. Bit 8 (a limit bit in the
     * descriptor, which QEMU leaves zero and ignores) carries gem5's
     * "unusable" flag so a round trip through SMM is exact.
     */
    uint16_t
    pack() const
    {
        return (type & 0xf) | s << 4 | (dpl & 3) << 5 | p << 7 |
               unusable << 8 | avl << 12 | l << 13 | db << 14 | g << 15;
    }

    static SegmentAttrs
    unpack(uint16_t v)
    {
        SegmentAttrs a;
        a.type = v & 0xf;
        a.s = v >> 4 & 1;
        a.dpl = v >> 5 & 3;
        a.p = v >> 7 & 1;
        a.unusable = v >> 8 & 1;
        a.avl = v >> 12 & 1;
        a.l = v >> 13 & 1;
        a.db = v >> 14 & 1;
        a.g = v >> 15 & 1;
        return a;
    }

    /** Access rights a descriptor load derives from the type (as gem5). */
    bool
    readable() const
    {
        return !s || !(type & 8) || (type & 2);
    }

    bool
    writable() const
    {
        return !s || (!(type & 8) && (type & 2));
    }

    bool
    expandDown() const
    {
        return s && !(type & 8) && (type & 4);
    }
};

/** One segment record of the map: selector, attributes, limit, base. */
struct SegmentRecord
{
    uint16_t selector = 0;
    SegmentAttrs attrs;
    uint32_t limit = 0;
    uint64_t base = 0;

    bool
    operator==(const SegmentRecord &o) const
    {
        return selector == o.selector && attrs == o.attrs &&
               limit == o.limit && base == o.base;
    }
};

/**
 * The 512-byte save area at SMBASE + 0xFE00, addressed by the
 * SMBASE-relative offsets of smm_save_map.h. Little-endian, as x86.
 */
class SaveArea
{
  public:
    std::array<uint8_t, SMM_SAVE_SIZE> bytes{};

    template <typename T>
    T
    get(unsigned offset) const
    {
        T v;
        std::memcpy(&v, &bytes[index(offset, sizeof(T))], sizeof(T));
        return v;
    }

    template <typename T>
    void
    put(unsigned offset, T v)
    {
        std::memcpy(&bytes[index(offset, sizeof(T))], &v, sizeof(T));
    }

    SegmentRecord
    segment(unsigned offset) const
    {
        SegmentRecord r;
        r.selector = get<uint16_t>(offset + SMM_SEG_SEL);
        r.attrs = SegmentAttrs::unpack(get<uint16_t>(offset + SMM_SEG_ATTR));
        r.limit = get<uint32_t>(offset + SMM_SEG_LIMIT);
        r.base = get<uint64_t>(offset + SMM_SEG_BASE);
        return r;
    }

    void
    putSegment(unsigned offset, const SegmentRecord &r)
    {
        put<uint16_t>(offset + SMM_SEG_SEL, r.selector);
        put<uint16_t>(offset + SMM_SEG_ATTR, r.attrs.pack());
        put<uint32_t>(offset + SMM_SEG_LIMIT, r.limit);
        put<uint64_t>(offset + SMM_SEG_BASE, r.base);
    }

    /** Offset of general-purpose register @p i (0 = RAX .. 15 = R15). */
    static constexpr unsigned
    gprOffset(unsigned i)
    {
        return SMM_RAX - 8 * i;
    }

    /** Does RSM take a new SMBASE from this area (revision bit 17)? */
    bool
    relocatesSmbase() const
    {
        return get<uint32_t>(SMM_REVISION) & SMM_REV_SMBASE_RELOC;
    }

  private:
    static unsigned
    index(unsigned offset, unsigned size)
    {
        // Offsets come from smm_save_map.h: a bad one is a programming
        // error, not a guest's doing.
        assert(offset >= SMM_SAVE_BASE &&
               offset + size <= SMM_SAVE_BASE + SMM_SAVE_SIZE);
        return offset - SMM_SAVE_BASE;
    }
};

} // namespace scotch
} // namespace gem5

#endif // __SCOTCH_SMM_STATE_HH__
