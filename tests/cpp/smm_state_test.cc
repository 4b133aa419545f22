// Unit tests for the save-area buffer and attribute packing in
// src_patches/scotch/smm_state.hh.

#include <gtest/gtest.h>

#include "scotch/smm_state.hh"

using gem5::scotch::SaveArea;
using gem5::scotch::SegmentAttrs;
using gem5::scotch::SegmentRecord;

TEST(SmmStateTest, PackMatchesQemuForA64BitCodeSegment)
{
    // Xen's 0xe008 code segment: type 0xb, S, DPL 0, P, L, G.
    SegmentAttrs a;
    a.type = 0xb;
    a.s = true;
    a.p = true;
    a.l = true;
    a.g = true;
    // QEMU: (descriptor flags >> 8) & 0xf0ff = 0xa09b.
    EXPECT_EQ(a.pack(), 0xa09b);
    EXPECT_EQ(SegmentAttrs::unpack(0xa09b), a);
}

TEST(SmmStateTest, EveryAttributeBitRoundTrips)
{
    for (unsigned v = 0; v < 0x10000; v++) {
        if (v & 0x0e00)
            continue; // bits 11:9 are not part of the packing
        EXPECT_EQ(SegmentAttrs::unpack(v).pack(), v) << std::hex << v;
    }
}

TEST(SmmStateTest, UnusableTravelsInBit8)
{
    SegmentAttrs a;
    a.unusable = true;
    EXPECT_EQ(a.pack(), 0x100);
}

TEST(SmmStateTest, AccessRightsFollowTheType)
{
    SegmentAttrs data_rw = SegmentAttrs::unpack(0x93);  // P S type 3
    EXPECT_TRUE(data_rw.readable());
    EXPECT_TRUE(data_rw.writable());
    EXPECT_FALSE(data_rw.expandDown());
    SegmentAttrs code_xo = SegmentAttrs::unpack(0x98);  // execute only
    EXPECT_FALSE(code_xo.readable());
    EXPECT_FALSE(code_xo.writable());
    SegmentAttrs code_xr = SegmentAttrs::unpack(0x9a);
    EXPECT_TRUE(code_xr.readable());
    SegmentAttrs stack_down = SegmentAttrs::unpack(0x97);
    EXPECT_TRUE(stack_down.expandDown());
    SegmentAttrs tss = SegmentAttrs::unpack(0x8b);     // system segment
    EXPECT_TRUE(tss.readable() && tss.writable());
}

TEST(SmmStateTest, SaveAreaFieldsLandAtTheirOffsets)
{
    SaveArea area;
    area.put<uint64_t>(SMM_RAX, 0x1122334455667788ULL);
    area.put<uint32_t>(SMM_REVISION, SMM_REVISION_ID);
    EXPECT_EQ(area.bytes[SMM_RAX - SMM_SAVE_BASE], 0x88);
    EXPECT_EQ(area.bytes[SMM_SAVE_SIZE - 1], 0x11);
    EXPECT_EQ(area.get<uint32_t>(SMM_REVISION), SMM_REVISION_ID);
    EXPECT_TRUE(area.relocatesSmbase());
    EXPECT_EQ(SaveArea::gprOffset(0), unsigned(SMM_RAX));
    EXPECT_EQ(SaveArea::gprOffset(15), unsigned(SMM_R15));
}

TEST(SmmStateTest, SegmentRecordsRoundTrip)
{
    SaveArea area;
    SegmentRecord r;
    r.selector = 0xe008;
    r.attrs = SegmentAttrs::unpack(0xa09b);
    r.limit = 0xffffffff;
    r.base = 0xffff830000000000ULL;
    area.putSegment(SMM_SEG_CS, r);
    EXPECT_EQ(area.segment(SMM_SEG_CS), r);
    EXPECT_EQ(area.get<uint16_t>(SMM_SEG_CS), 0xe008);
    EXPECT_EQ(area.get<uint16_t>(SMM_SEG_CS + 2), 0xa09b);
    // Its neighbours are untouched.
    EXPECT_EQ(area.get<uint64_t>(SMM_SEG_ES + 8), 0u);
    EXPECT_EQ(area.get<uint16_t>(SMM_SEG_SS), 0u);
}
