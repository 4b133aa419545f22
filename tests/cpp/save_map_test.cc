// Unit tests for the AMD64 SMM state-save map in
// src_patches/scotch/smm_save_map.h: every field inside the save area,
// naturally aligned, and no two fields overlapping.

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "scotch/smm_save_map.h"

namespace
{

struct Field
{
    const char *name;
    unsigned offset;
    unsigned size;
};

std::vector<Field>
fields()
{
    std::vector<Field> f;
    const unsigned segs[] = {SMM_SEG_ES, SMM_SEG_CS, SMM_SEG_SS,
                             SMM_SEG_DS, SMM_SEG_FS, SMM_SEG_GS,
                             SMM_LDTR, SMM_TR};
    for (unsigned s : segs) {
        f.push_back({"sel", s + SMM_SEG_SEL, 2});
        f.push_back({"attr", s + SMM_SEG_ATTR, 2});
        f.push_back({"limit", s + SMM_SEG_LIMIT, 4});
        f.push_back({"base", s + SMM_SEG_BASE, 8});
    }
    f.push_back({"gdtr.limit", SMM_GDTR + 4, 4});
    f.push_back({"gdtr.base", SMM_GDTR + 8, 8});
    f.push_back({"idtr.limit", SMM_IDTR + 4, 4});
    f.push_back({"idtr.base", SMM_IDTR + 8, 8});
    f.push_back({"io_restart", SMM_IO_RESTART, 1});
    f.push_back({"auto_halt", SMM_AUTO_HALT, 1});
    f.push_back({"efer", SMM_EFER, 8});
    f.push_back({"revision", SMM_REVISION, 4});
    f.push_back({"smbase", SMM_SMBASE, 4});
    const unsigned q[] = {SMM_CR4, SMM_CR3, SMM_CR0, SMM_DR7, SMM_DR6,
                          SMM_RFLAGS, SMM_RIP};
    for (unsigned o : q)
        f.push_back({"ctl", o, 8});
    for (unsigned o = SMM_R15; o <= SMM_RAX; o += 8)
        f.push_back({"gpr", o, 8});
    return f;
}

} // namespace

TEST(SaveMapTest, FieldsLieInsideTheSaveArea)
{
    for (const auto &f : fields()) {
        EXPECT_GE(f.offset, SMM_SAVE_BASE) << f.name;
        EXPECT_LE(f.offset + f.size, SMM_SAVE_BASE + SMM_SAVE_SIZE)
            << f.name;
        EXPECT_EQ(f.offset % f.size, 0u) << f.name << " misaligned";
    }
}

TEST(SaveMapTest, NoFieldsOverlap)
{
    auto f = fields();
    std::sort(f.begin(), f.end(),
              [](const Field &a, const Field &b) {
                  return a.offset < b.offset;
              });
    for (size_t i = 1; i < f.size(); i++)
        EXPECT_LE(f[i - 1].offset + f[i - 1].size, f[i].offset)
            << f[i - 1].name << " overlaps " << f[i].name;
}

TEST(SaveMapTest, GprsAreInQemuOrder)
{
    // QEMU stores regs[i] at 0x7ff8 - 8 * i: RAX, RCX, RDX, RBX, RSP,
    // RBP, RSI, RDI, then R8 .. R15.
    const unsigned order[] = {SMM_RAX, SMM_RCX, SMM_RDX, SMM_RBX,
                              SMM_RSP, SMM_RBP, SMM_RSI, SMM_RDI,
                              SMM_R8,  SMM_R9,  SMM_R10, SMM_R11,
                              SMM_R12, SMM_R13, SMM_R14, SMM_R15};
    for (unsigned i = 0; i < 16; i++)
        EXPECT_EQ(order[i], 0xfff8u - 8 * i) << "register " << i;
}

TEST(SaveMapTest, EntryConstants)
{
    EXPECT_EQ(SMM_REVISION_ID, 0x00020064u);
    EXPECT_TRUE(SMM_REVISION_ID & SMM_REV_SMBASE_RELOC);
    EXPECT_EQ(SMM_DEFAULT_SMBASE + SMM_HANDLER_OFFSET, 0x38000u);
}
