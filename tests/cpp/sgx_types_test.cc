// Unit tests for the SGX constants in src_patches/scotch/sgx_types.hh
// (the layouts themselves are checked by its static_asserts).

#include <gtest/gtest.h>

#include "scotch/sgx_types.hh"

using namespace gem5::scotch::sgx;

TEST(SgxTypesTest, SecinfoFlagsPackTypeAndPermissions)
{
    // Linux's driver: SGX_SECINFO_TCS 0x100, SGX_SECINFO_REG 0x200.
    EXPECT_EQ(secinfoFlags(PageType::Tcs, 0), 0x100u);
    EXPECT_EQ(secinfoFlags(PageType::Reg, SecinfoR | SecinfoX), 0x205u);
    EXPECT_EQ(secinfoFlags(PageType::Reg, ~0ULL), 0x207u);
    EXPECT_EQ(secinfoPageType(0x205), uint8_t(PageType::Reg));
    EXPECT_EQ(secinfoPageType(0xff00), 0xff);
}

TEST(SgxTypesTest, Sgx1DefinesOnlyRwxAndType)
{
    EXPECT_EQ(SecinfoSgx1Defined, 0xff07u);
    EXPECT_FALSE(SecinfoPending & SecinfoSgx1Defined);
    EXPECT_FALSE(SecinfoModified & SecinfoSgx1Defined);
    EXPECT_FALSE(SecinfoPr & SecinfoSgx1Defined);
}

TEST(SgxTypesTest, LeafNumbersAndErrorCodes)
{
    EXPECT_EQ(uint32_t(Encls::Eextend), 6u);
    EXPECT_EQ(uint32_t(Enclu::Eexit), 4u);
    EXPECT_EQ(uint32_t(SgxError::ChildPresent), 13u);
    EXPECT_EQ(uint32_t(SgxError::InvalidKeyname), 256u);
    EXPECT_EQ(uint16_t(KeyName::Seal), 4u);
    EXPECT_EQ(PfErrSgx, 0x8000u);
}
