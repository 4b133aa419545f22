// Unit tests for the multiboot information block builder in
// src_patches/scotch/multiboot_info.hh.

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "scotch/multiboot_info.hh"

namespace mb = gem5::scotch::multiboot;

namespace
{

constexpr uint32_t Base = 0x6100;

uint32_t
word(const std::vector<uint8_t> &v, uint32_t addr)
{
    uint32_t w;
    std::memcpy(&w, &v.at(addr - Base), 4);
    return w;
}

uint64_t
quad(const std::vector<uint8_t> &v, uint32_t addr)
{
    uint64_t q;
    std::memcpy(&q, &v.at(addr - Base), 8);
    return q;
}

std::string
str(const std::vector<uint8_t> &v, uint32_t addr)
{
    return reinterpret_cast<const char *>(&v.at(addr - Base));
}

// The map gem5's stdlib X86Board gives a 512 MiB machine.
const std::vector<mb::MemRegion> Memory = {
    {0, 639 << 10, 1},
    {0x9fc00, 385 << 10, 2},
    {0x100000, (512 << 20) - 0x100000, 1},
    {0xffff0000, 64 << 10, 2},
};

} // namespace

TEST(MultibootInfoTest, MemoryFieldsAndMap)
{
    auto v = mb::buildInfo(Base, Memory, "console=com1", {}, "gem5");
    const uint32_t flags = word(v, Base);
    EXPECT_TRUE(flags & mb::InfoMem);
    EXPECT_TRUE(flags & mb::InfoMmap);
    EXPECT_FALSE(flags & mb::InfoMods);
    EXPECT_EQ(word(v, Base + 4), 639u);
    EXPECT_EQ(word(v, Base + 8), (512u << 10) - 1024);
    const uint32_t len = word(v, Base + 44), addr = word(v, Base + 48);
    ASSERT_EQ(len, 4u * 24);
    for (unsigned i = 0; i < 4; i++) {
        const uint32_t e = addr + 24 * i;
        EXPECT_EQ(word(v, e), 20u);
        EXPECT_EQ(quad(v, e + 4), Memory[i].base);
        EXPECT_EQ(quad(v, e + 12), Memory[i].size);
        EXPECT_EQ(word(v, e + 20), Memory[i].type);
    }
}

TEST(MultibootInfoTest, StringsAreNulTerminatedAndPointedTo)
{
    auto v = mb::buildInfo(Base, Memory, "dom0_mem=1024M noreboot", {},
                           "Scotch-gem5");
    EXPECT_TRUE(word(v, Base) & mb::InfoCmdline);
    EXPECT_EQ(str(v, word(v, Base + 16)), "dom0_mem=1024M noreboot");
    EXPECT_EQ(str(v, word(v, Base + 64)), "Scotch-gem5");
}

TEST(MultibootInfoTest, ModulesListStartEndAndCmdline)
{
    std::vector<mb::Module> mods = {
        {0x400000, 0x9a0000, "vmlinuz console=hvc0"},
        {0x9a0000, 0xa00000, "initrd"},
    };
    auto v = mb::buildInfo(Base, Memory, "", mods, "gem5");
    EXPECT_TRUE(word(v, Base) & mb::InfoMods);
    ASSERT_EQ(word(v, Base + 20), 2u);
    const uint32_t list = word(v, Base + 24);
    EXPECT_EQ(list % 4, 0u);
    for (unsigned i = 0; i < 2; i++) {
        EXPECT_EQ(word(v, list + 16 * i), mods[i].start);
        EXPECT_EQ(word(v, list + 16 * i + 4), mods[i].end);
        EXPECT_EQ(str(v, word(v, list + 16 * i + 8)), mods[i].cmdline);
    }
}

TEST(MultibootInfoTest, FindsOnlyAValidHeader)
{
    std::vector<uint8_t> image(8192 + 64, 0);
    const uint32_t good[3] = {mb::HeaderMagic, 3, uint32_t(-(
        mb::HeaderMagic + 3))};
    const uint32_t bad[3] = {mb::HeaderMagic, 3, 0};
    std::memcpy(&image[64], bad, sizeof(bad));
    EXPECT_EQ(mb::findHeader(image.data(), image.size()), -1);
    std::memcpy(&image[128], good, sizeof(good));
    EXPECT_EQ(mb::findHeader(image.data(), image.size()), 128);
    // Past the first 8 KiB it does not count.
    std::memset(&image[128], 0, 12);
    std::memcpy(&image[8192], good, sizeof(good));
    EXPECT_EQ(mb::findHeader(image.data(), image.size()), -1);
}

TEST(MultibootInfoTest, BackwardsModuleIsRejected)
{
    EXPECT_THROW(mb::buildInfo(Base, Memory, "", {{0x2000, 0x1000, "x"}},
                               "gem5"),
                 std::invalid_argument);
}
