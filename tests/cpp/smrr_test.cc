// Unit tests for the SMRR rules in src_patches/scotch/smrr.hh.

#include <gtest/gtest.h>

#include "scotch/smrr.hh"

using gem5::scotch::Smrr;

namespace
{
// 1 MiB of SMRAM at 0x7f000000, write-back, valid: what firmware sets.
constexpr uint64_t Base = 0x7f000000 | 6;
constexpr uint64_t Mask = 0xfff00000 | Smrr::MaskValid;
} // namespace

TEST(SmrrTest, ResetStateMatchesNothing)
{
    Smrr smrr;
    EXPECT_FALSE(smrr.enabled());
    EXPECT_FALSE(smrr.contains(0));
    EXPECT_FALSE(smrr.overlaps(0, 1ULL << 32));
}

TEST(SmrrTest, RangeBoundaries)
{
    Smrr smrr(Base, Mask);
    EXPECT_TRUE(smrr.enabled());
    EXPECT_EQ(smrr.rangeStart(), 0x7f000000u);
    EXPECT_EQ(smrr.rangeEnd(), 0x7f100000u);
    EXPECT_FALSE(smrr.contains(0x7effffff));
    EXPECT_TRUE(smrr.contains(0x7f000000));
    EXPECT_TRUE(smrr.contains(0x7f0fffff));
    EXPECT_FALSE(smrr.contains(0x7f100000));
}

TEST(SmrrTest, AddressesAbove4GiBNeverMatch)
{
    Smrr smrr(Base, Mask);
    EXPECT_FALSE(smrr.contains(0x17f000000ULL));
    EXPECT_FALSE(smrr.overlaps(0x17f000000ULL, 64));
}

TEST(SmrrTest, OverlapCatchesStraddlingAccesses)
{
    Smrr smrr(Base, Mask);
    EXPECT_TRUE(smrr.overlaps(0x7efffffc, 8));   // ends inside
    EXPECT_TRUE(smrr.overlaps(0x7f0ffffc, 8));   // starts inside
    EXPECT_FALSE(smrr.overlaps(0x7efffff8, 8));  // ends at the base
    EXPECT_FALSE(smrr.overlaps(0x7f100000, 8));
    EXPECT_FALSE(smrr.overlaps(0x7f000000, 0));
}

TEST(SmrrTest, ValidBitGatesEverything)
{
    Smrr smrr(Base, Mask & ~Smrr::MaskValid);
    EXPECT_FALSE(smrr.contains(0x7f000000));
    smrr.setMask(Mask);
    EXPECT_TRUE(smrr.contains(0x7f000000));
}

TEST(SmrrTest, NonContiguousMaskChecksPageByPage)
{
    // Bits 31:22 and 20 set, bit 21 clear: the range repeats.
    Smrr smrr(0x7f000000, 0xffd00000 | Smrr::MaskValid);
    EXPECT_FALSE(smrr.contiguous());
    EXPECT_TRUE(smrr.contains(0x7f000000));
    EXPECT_TRUE(smrr.contains(0x7f200000));   // bit 21 is "don't care"
    EXPECT_FALSE(smrr.contains(0x7f100000));  // bit 20 must match
    EXPECT_TRUE(smrr.overlaps(0x7f0ff000, 0x2000));
    EXPECT_FALSE(smrr.overlaps(0x7f100000, 0x1000));
}

TEST(SmrrTest, ReservedBitsAndTypesAreRejected)
{
    EXPECT_TRUE(Smrr::validBase(Base));
    EXPECT_TRUE(Smrr::validBase(0x7f000000));            // UC
    EXPECT_FALSE(Smrr::validBase(0x7f000000 | 2));       // reserved type
    EXPECT_FALSE(Smrr::validBase(0x7f000000 | 7));
    EXPECT_FALSE(Smrr::validBase(0x7f000100 | 6));       // bits 11:8
    EXPECT_FALSE(Smrr::validBase(0x100000000ULL | 6));   // above bit 31
    EXPECT_TRUE(Smrr::validMask(Mask));
    EXPECT_TRUE(Smrr::validMask(0));
    EXPECT_FALSE(Smrr::validMask(Mask | 1));             // bits 10:0
    EXPECT_FALSE(Smrr::validMask(Mask | (1ULL << 40)));
}
