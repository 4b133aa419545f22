// Unit tests for MRENCLAVE in src_patches/scotch/sgx_measure.hh.
//
// The expected digests are the SAME as in tests/test_sgx_measure.py,
// which checks the host's computation (scotch_plugin/sgx/measure.py) on
// the same pages: the two tests tie the two implementations together,
// so a change to either must show in both.

#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <string>
#include <vector>

#include "scotch/sgx_measure.hh"
#include "sgx_hex.hh"

using namespace gem5::scotch::sgx;

namespace
{

constexpr uint64_t Size = 0x4000;
constexpr uint32_t SsaFrameSize = 1;

// Shared with tests/test_sgx_measure.py.
const char *const EcreateOnly =
    "1ae08d565db91bba3113eb03c476049ee802c1df05465ddf7cbebfd256e60114";
const char *const ThreePages =
    "842037e077a9723ec30068c2cf63b508c87876560fc989afc4d0b186fe4943ec";
const char *const WithUnmeasuredPage =
    "e33e7041aa35a8fcf713100bf346c1437bc5c14af2139da05cb4af3090bc81c7";

using Page = std::array<uint8_t, PageSize>;

/** A TCS: one SSA frame at 0x1000, entry at 0x2000, 4 KiB FS/GS. */
Page
tcsPage()
{
    Tcs tcs = {};
    tcs.ossa = 0x1000;
    tcs.nssa = 1;
    tcs.oentry = 0x2000;
    tcs.fsLimit = 0xfff;
    tcs.gsLimit = 0xfff;
    Page p;
    std::memcpy(p.data(), &tcs, sizeof(tcs));
    return p;
}

/** RW data: byte i of the page is i mod 256. */
Page
dataPage()
{
    Page p;
    for (size_t i = 0; i < p.size(); i++)
        p[i] = i & 0xff;
    return p;
}

/** RX code: mov eax, 4 (EEXIT); enclu; then int3 to the end. */
Page
codePage()
{
    Page p;
    p.fill(0xcc);
    const uint8_t code[] = {0xb8, 0x04, 0x00, 0x00, 0x00, 0x0f, 0x01, 0xd7};
    std::memcpy(p.data(), code, sizeof(code));
    return p;
}

struct Added
{
    uint64_t offset;
    uint64_t flags;
    Page data;
    bool measured;
};

std::vector<Added>
threePages()
{
    return {
        {0x0000, secinfoFlags(PageType::Tcs, 0), tcsPage(), true},
        {0x1000, secinfoFlags(PageType::Reg, SecinfoR | SecinfoW),
         dataPage(), true},
        {0x2000, secinfoFlags(PageType::Reg, SecinfoR | SecinfoX),
         codePage(), true},
    };
}

/** Build as a loader does: ECREATE, EADD (+ EEXTEND) per page. */
Measurement
build(const std::vector<Added> &pages)
{
    Measurement m;
    m.ecreate(SsaFrameSize, Size);
    for (const Added &p : pages) {
        m.eadd(p.offset, p.flags);
        if (p.measured)
            m.eextendPage(p.offset, p.data.data());
    }
    return m;
}

} // namespace

TEST(SgxMeasureTest, EcreateAlone)
{
    Measurement m;
    m.ecreate(SsaFrameSize, Size);
    EXPECT_EQ(m.updateCount(), 1u);
    EXPECT_EQ(hex(m.digest()), EcreateOnly);
}

TEST(SgxMeasureTest, OneTcsAndTwoRegPagesFullyExtended)
{
    Measurement m = build(threePages());
    EXPECT_EQ(m.updateCount(), 1u + 3 * (1 + 16 * 5));
    EXPECT_EQ(hex(m.digest()), ThreePages);
}

TEST(SgxMeasureTest, APageAddedButNotExtended)
{
    for (uint8_t fill : {0x00, 0x5a}) {
        auto pages = threePages();
        Page heap;
        heap.fill(fill);
        pages.push_back({0x3000, secinfoFlags(PageType::Reg,
                                              SecinfoR | SecinfoW),
                         heap, false});
        // Only its offset and flags are measured, not its content.
        EXPECT_EQ(hex(build(pages).digest()), WithUnmeasuredPage);
    }
}

TEST(SgxMeasureTest, TcsPermissionsAreNotMeasured)
{
    auto pages = threePages();
    pages[0].flags = secinfoFlags(PageType::Tcs, SecinfoRwx);
    EXPECT_EQ(hex(build(pages).digest()), ThreePages);
    EXPECT_EQ(Measurement::eaddMeasuredFlags(0x107), 0x100u);
    EXPECT_EQ(Measurement::eaddMeasuredFlags(0x207), 0x207u);
}

TEST(SgxMeasureTest, DigestLeavesTheMeasurementGoing)
{
    // EINIT may fail on the SIGSTRUCT: reading the digest changes nothing.
    Measurement m;
    m.ecreate(SsaFrameSize, Size);
    EXPECT_EQ(hex(m.digest()), EcreateOnly);
    EXPECT_EQ(hex(m.digest()), EcreateOnly);
    m.eadd(0, secinfoFlags(PageType::Reg, SecinfoR));
    EXPECT_NE(hex(m.digest()), EcreateOnly);
}

TEST(SgxMeasureTest, EcreateStartsOver)
{
    Measurement m = build(threePages());
    m.ecreate(SsaFrameSize, Size);
    EXPECT_EQ(m.updateCount(), 1u);
    EXPECT_EQ(hex(m.digest()), EcreateOnly);
}

TEST(SgxMeasureTest, EverythingMeasuredChangesTheDigest)
{
    auto pages = threePages();
    pages[2].offset = 0x3000;
    EXPECT_NE(hex(build(pages).digest()), ThreePages);
    pages = threePages();
    pages[2].flags |= SecinfoW;
    EXPECT_NE(hex(build(pages).digest()), ThreePages);
    pages = threePages();
    pages[1].data[4095] ^= 1;
    EXPECT_NE(hex(build(pages).digest()), ThreePages);
    Measurement m;
    m.ecreate(SsaFrameSize + 1, Size);
    EXPECT_NE(hex(m.digest()), EcreateOnly);
    m.ecreate(SsaFrameSize, Size * 2);
    EXPECT_NE(hex(m.digest()), EcreateOnly);
}

// Snapshots (Measurement::State), which gem5 checkpoints carry.

TEST(SgxMeasureTest, RestoredMidBuildGivesTheSameMrenclave)
{
    const auto pages = threePages();
    // Cut after ECREATE, after an EADD, and inside a page's EEXTENDs.
    for (int cut = 0; cut < 4; cut++) {
        Measurement m;
        m.ecreate(SsaFrameSize, Size);
        if (cut >= 1)
            m.eadd(pages[0].offset, pages[0].flags);
        if (cut >= 2)
            m.eextendPage(pages[0].offset, pages[0].data.data());
        if (cut >= 3) {
            m.eadd(pages[1].offset, pages[1].flags);
            for (uint64_t i = 0; i < 0x500; i += Measurement::ChunkSize)
                m.eextend(pages[1].offset + i, pages[1].data.data() + i);
        }
        const Measurement::State st = m.state();
        EXPECT_EQ(st.updates, m.updateCount());
        Measurement r;
        ASSERT_TRUE(r.restore(st));
        EXPECT_EQ(r.updateCount(), m.updateCount());
        EXPECT_EQ(r.digest(), m.digest());
        // The same remaining updates on both.
        for (Measurement *x : {&m, &r}) {
            if (cut < 1)
                x->eadd(pages[0].offset, pages[0].flags);
            if (cut < 2)
                x->eextendPage(pages[0].offset, pages[0].data.data());
            if (cut < 3) {
                x->eadd(pages[1].offset, pages[1].flags);
                x->eextendPage(pages[1].offset, pages[1].data.data());
            } else {
                for (uint64_t i = 0x500; i < PageSize;
                     i += Measurement::ChunkSize)
                    x->eextend(pages[1].offset + i,
                               pages[1].data.data() + i);
            }
            x->eadd(pages[2].offset, pages[2].flags);
            x->eextendPage(pages[2].offset, pages[2].data.data());
        }
        EXPECT_EQ(r.updateCount(), m.updateCount());
        EXPECT_EQ(hex(m.digest()), ThreePages) << "cut " << cut;
        EXPECT_EQ(hex(r.digest()), ThreePages) << "cut " << cut;
    }
}

TEST(SgxMeasureTest, RestoreRefusesAnInconsistentSnapshot)
{
    Measurement m;
    m.ecreate(SsaFrameSize, Size);
    Measurement::State bad = m.state();
    bad.updates = 2;  // the hash took one field
    Measurement r;
    r.ecreate(SsaFrameSize, Size);
    r.eadd(0, secinfoFlags(PageType::Reg, SecinfoR));
    const Digest before = r.digest();
    EXPECT_FALSE(r.restore(bad));
    bad = m.state();
    bad.sha.length += 1;  // not whole fields
    bad.sha.used = 1;
    EXPECT_FALSE(r.restore(bad));
    bad = m.state();
    bad.sha.used = 64;  // an invalid hash state
    EXPECT_FALSE(r.restore(bad));
    EXPECT_EQ(r.updateCount(), 2u);
    EXPECT_EQ(r.digest(), before);
    // An untouched Measurement's snapshot is valid too.
    EXPECT_TRUE(r.restore(Measurement().state()));
    EXPECT_EQ(r.updateCount(), 0u);
}
