// Unit tests for the EPCM and its SGX1 rules in
// src_patches/scotch/sgx_epcm.hh: ECREATE, EADD, EEXTEND, EINIT and
// EREMOVE as their SDM Operation sections check them, and the access
// control of SDM vol. 3D 38.3 / 38.5.

#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <string>

#include "scotch/sgx_epcm.hh"
#include "sgx_hex.hh"

using namespace gem5::scotch::sgx;

namespace
{

// 16 pages of EPC at 2 GiB; one 16 KiB enclave at 256 MiB.
constexpr uint64_t EpcBase = 0x80000000;
constexpr uint64_t EpcPages = 16;
constexpr uint64_t EpcEnd = EpcBase + EpcPages * PageSize;
constexpr uint64_t Base = 0x10000000;
constexpr uint64_t Size = 0x4000;

constexpr uint64_t
epc(uint64_t i)
{
    return EpcBase + i * PageSize;
}

// The enclave's pages: SECS, TCS, data (RW) and code (RX) in the EPC.
constexpr uint64_t SecsPa = epc(0);
constexpr uint64_t TcsPa = epc(1);
constexpr uint64_t DataPa = epc(2);
constexpr uint64_t CodePa = epc(3);

const uint64_t TcsFlags = secinfoFlags(PageType::Tcs, 0);
const uint64_t RwFlags = secinfoFlags(PageType::Reg, SecinfoR | SecinfoW);
const uint64_t RxFlags = secinfoFlags(PageType::Reg, SecinfoR | SecinfoX);

// Shared with sgx_measure_test.cc and tests/test_sgx_measure.py.
const char *const EcreateOnly =
    "1ae08d565db91bba3113eb03c476049ee802c1df05465ddf7cbebfd256e60114";
const char *const ThreePages =
    "842037e077a9723ec30068c2cf63b508c87876560fc989afc4d0b186fe4943ec";

Secs
secs(uint64_t base = Base, uint64_t size = Size)
{
    Secs s;
    std::memset(&s, 0, sizeof(s));
    s.size = size;
    s.baseAddr = base;
    s.ssaFrameSize = 1;
    s.attributes.flags = AttrMode64Bit;
    s.attributes.xfrm = 3;
    return s;
}

Secinfo
secinfo(uint64_t flags)
{
    Secinfo si;
    std::memset(&si, 0, sizeof(si));
    si.flags = flags;
    return si;
}

const Secinfo SecsInfo = secinfo(secinfoFlags(PageType::Secs, 0));

Tcs
tcs()
{
    Tcs t;
    std::memset(&t, 0, sizeof(t));
    t.ossa = 0x1000;
    t.nssa = 1;
    t.oentry = 0x2000;
    t.fsLimit = 0xfff;
    t.gsLimit = 0xfff;
    return t;
}

const LeafResult Ok = LeafResult::ok();
const LeafResult Gp = LeafResult::gp();
const LeafResult PfPage = LeafResult::pf(Operand::Page);
const LeafResult PfSecs = LeafResult::pf(Operand::Secs);

std::string
str(const LeafResult &r)
{
    if (r.fault == Fault::GeneralProtection)
        return "#GP";
    if (r.fault == Fault::PageFaultSgx)
        return r.operand == Operand::Page ? "#PF(page)" : "#PF(secs)";
    return "RAX=" + std::to_string(unsigned(r.error));
}

#define EXPECT_LEAF(expr, want) EXPECT_EQ(str(expr), str(want))

/** An EPCM with the test enclave created and its three pages added. */
class SgxEnclaveTest : public ::testing::Test
{
  protected:
    Epcm epcm{EpcBase, EpcPages};

    void
    SetUp() override
    {
        ASSERT_LEAF_OK(epcm.ecreate(SecsPa, SecsInfo, secs()));
        const Tcs t = tcs();
        ASSERT_LEAF_OK(epcm.eadd(TcsPa, SecsPa, Base, secinfo(TcsFlags),
                                 &t));
        ASSERT_LEAF_OK(epcm.eadd(DataPa, SecsPa, Base + 0x1000,
                                 secinfo(RwFlags)));
        ASSERT_LEAF_OK(epcm.eadd(CodePa, SecsPa, Base + 0x2000,
                                 secinfo(RxFlags)));
    }

    static void
    ASSERT_LEAF_OK(const LeafResult &r)
    {
        ASSERT_TRUE(r.succeeded()) << str(r);
    }

    const Enclave &encl() const { return *epcm.enclave(SecsPa); }
};

} // namespace

// ECREATE

TEST(SgxEpcmTest, ConstructedEmpty)
{
    Epcm epcm(EpcBase, EpcPages);
    EXPECT_EQ(epcm.bytes(), 0x10000u);
    EXPECT_TRUE(epcm.contains(EpcBase));
    EXPECT_TRUE(epcm.contains(EpcEnd - 1));
    EXPECT_FALSE(epcm.contains(EpcBase - 1));
    EXPECT_FALSE(epcm.contains(EpcEnd));
    EXPECT_EQ(epcm.index(epc(5) + 123), 5u);
    EXPECT_EQ(epcm.address(5), epc(5));
    for (uint64_t i = 0; i < EpcPages; i++)
        EXPECT_FALSE(epcm.entry(epc(i)).valid);
    EXPECT_EQ(epcm.enclave(SecsPa), nullptr);
}

TEST(SgxEpcmTest, EcreateMakesAnSecsAndStartsTheMeasurement)
{
    Epcm epcm(EpcBase, EpcPages);
    EXPECT_LEAF(epcm.ecreate(SecsPa, SecsInfo, secs()), Ok);
    const EpcmEntry &e = epcm.entry(SecsPa);
    EXPECT_TRUE(e.valid);
    EXPECT_EQ(e.pageType, PageType::Secs);
    EXPECT_FALSE(e.r || e.w || e.x);
    const Enclave *encl = epcm.enclave(SecsPa);
    ASSERT_NE(encl, nullptr);
    EXPECT_EQ(encl->baseAddr, Base);
    EXPECT_EQ(encl->size, Size);
    EXPECT_FALSE(encl->initialized);
    EXPECT_EQ(encl->children, 0u);
    // The same ECREATE field as the measurement tests.
    EXPECT_EQ(hex(encl->measurement.digest()), EcreateOnly);
}

TEST(SgxEpcmTest, EcreateNeedsAFreeAlignedEpcPage)
{
    Epcm epcm(EpcBase, EpcPages);
    EXPECT_LEAF(epcm.ecreate(SecsPa + 8, SecsInfo, secs()), Gp);
    EXPECT_LEAF(epcm.ecreate(EpcBase - PageSize, SecsInfo, secs()), PfPage);
    EXPECT_LEAF(epcm.ecreate(EpcEnd, SecsInfo, secs()), PfPage);
    EXPECT_LEAF(epcm.ecreate(epc(EpcPages - 1), SecsInfo, secs()), Ok);
    EXPECT_LEAF(epcm.ecreate(epc(EpcPages - 1), SecsInfo, secs()), PfPage);
}

TEST(SgxEpcmTest, EcreateChecksSecinfo)
{
    Epcm epcm(EpcBase, EpcPages);
    EXPECT_LEAF(epcm.ecreate(SecsPa, secinfo(RwFlags), secs()), Gp);
    EXPECT_LEAF(epcm.ecreate(SecsPa, secinfo(SecinfoPending), secs()), Gp);
    EXPECT_LEAF(epcm.ecreate(SecsPa, secinfo(1ULL << 16), secs()), Gp);
    Secinfo si = SecsInfo;
    si.reserved[55] = 1;
    EXPECT_LEAF(epcm.ecreate(SecsPa, si, secs()), Gp);
    // R/W/X are not reserved: ECREATE ignores them.
    EXPECT_LEAF(epcm.ecreate(SecsPa, secinfo(SecinfoRwx), secs()), Ok);
    EXPECT_FALSE(epcm.entry(SecsPa).r);
}

TEST(SgxEpcmTest, EcreateFaultOrder)
{
    Epcm epcm(EpcBase, EpcPages);
    ASSERT_TRUE(epcm.ecreate(SecsPa, SecsInfo, secs()).succeeded());
    // A bad SECINFO is #GP before the valid page's #PF...
    EXPECT_LEAF(epcm.ecreate(SecsPa, secinfo(RwFlags), secs()), Gp);
    // ...and the valid page's #PF comes before the SECS's #GP.
    EXPECT_LEAF(epcm.ecreate(SecsPa, SecsInfo, secs(Base, 3)), PfPage);
}

TEST(SgxEpcmTest, EcreateChecksTheSecs)
{
    auto check = [](const Secs &s) {
        Epcm epcm(EpcBase, EpcPages);
        return str(epcm.ecreate(SecsPa, SecsInfo, s));
    };
    EXPECT_EQ(check(secs()), str(Ok));
    EXPECT_EQ(check(secs(Base, 0x2000)), str(Ok));  // two pages
    EXPECT_EQ(check(secs(Base, 0x1000)), str(Gp));  // one page
    EXPECT_EQ(check(secs(Base, 0x6000)), str(Gp));  // not a power of two
    EXPECT_EQ(check(secs(Base + 0x2000, Size)), str(Gp));  // misaligned
    EXPECT_EQ(check(secs(0, 1ULL << 36)), str(Gp));  // too large
    EXPECT_EQ(check(secs(0, 1ULL << 35)), str(Ok));
    Secs s = secs();
    s.attributes.xfrm = 1;  // x87 without SSE
    EXPECT_EQ(check(s), str(Gp));
    s.attributes.xfrm = 7;  // AVX: not supported
    EXPECT_EQ(check(s), str(Gp));
    s = secs();
    s.attributes.flags |= AttrInit;
    EXPECT_EQ(check(s), str(Gp));
    s = secs();
    s.attributes.flags |= 1ULL << 7;  // KSS
    EXPECT_EQ(check(s), str(Gp));
    s = secs();
    s.attributes.flags |= AttrDebug | AttrProvisionKey;
    EXPECT_EQ(check(s), str(Ok));
    s = secs();
    s.ssaFrameSize = 0;
    EXPECT_EQ(check(s), str(Gp));
    s = secs();
    s.miscSelect = 1;  // EXINFO: not offered by default
    EXPECT_EQ(check(s), str(Gp));
    s = secs();
    s.reserved1[0] = 1;
    EXPECT_EQ(check(s), str(Gp));
    s = secs();
    s.configSvn = 1;
    EXPECT_EQ(check(s), str(Gp));
    s = secs();
    s.reserved4[3833] = 1;
    EXPECT_EQ(check(s), str(Gp));
    // 64-bit: BASEADDR canonical; 32-bit: below 4 GiB.
    EXPECT_EQ(check(secs(0xffff800000000000ULL, Size)), str(Ok));
    EXPECT_EQ(check(secs(0x0000800000000000ULL, Size)), str(Gp));
    s = secs(0x100000000ULL, Size);
    EXPECT_EQ(check(s), str(Ok));
    s.attributes.flags = 0;
    EXPECT_EQ(check(s), str(Gp));
    s = secs(0, 1ULL << 31);
    s.attributes.flags = 0;
    EXPECT_EQ(check(s), str(Gp));
}

TEST(SgxEpcmTest, CapsWidenWhatEcreateTakes)
{
    SgxCaps caps;
    caps.miscSelect = 1;
    caps.xfrm = 7;
    Epcm epcm(EpcBase, EpcPages, caps);
    Secs s = secs();
    s.miscSelect = 1;
    s.attributes.xfrm = 7;
    EXPECT_LEAF(epcm.ecreate(SecsPa, SecsInfo, s), Ok);
}

// EADD

TEST_F(SgxEnclaveTest, EaddRecordsThePageInTheEpcm)
{
    const EpcmEntry &d = epcm.entry(DataPa);
    EXPECT_TRUE(d.valid);
    EXPECT_EQ(d.pageType, PageType::Reg);
    EXPECT_TRUE(d.r && d.w && !d.x);
    EXPECT_EQ(d.secsPage, epcm.index(SecsPa));
    EXPECT_EQ(d.linAddr, Base + 0x1000);
    const EpcmEntry &c = epcm.entry(CodePa);
    EXPECT_TRUE(c.r && !c.w && c.x);
    EXPECT_EQ(encl().children, 3u);
}

TEST_F(SgxEnclaveTest, EaddClearsTcsPermissions)
{
    const EpcmEntry &t = epcm.entry(TcsPa);
    EXPECT_EQ(t.pageType, PageType::Tcs);
    EXPECT_FALSE(t.r || t.w || t.x);
    // Even when SECINFO asks for them.
    EXPECT_LEAF(epcm.eadd(epc(4), SecsPa, Base + 0x3000,
                          secinfo(secinfoFlags(PageType::Tcs, SecinfoRwx))),
                Ok);
    EXPECT_FALSE(epcm.entry(epc(4)).r || epcm.entry(epc(4)).x);
}

TEST_F(SgxEnclaveTest, EaddOperandsMustBeAlignedAndInTheEpc)
{
    const Secinfo rw = secinfo(RwFlags);
    const uint64_t lin = Base + 0x3000;
    EXPECT_LEAF(epcm.eadd(epc(4) + 16, SecsPa, lin, rw), Gp);
    EXPECT_LEAF(epcm.eadd(EpcEnd, SecsPa, lin, rw), PfPage);
    EXPECT_LEAF(epcm.eadd(epc(4), SecsPa + 16, lin, rw), Gp);
    EXPECT_LEAF(epcm.eadd(epc(4), SecsPa, lin + 16, rw), Gp);
    EXPECT_LEAF(epcm.eadd(epc(4), EpcBase - PageSize, lin, rw), PfSecs);
    EXPECT_LEAF(epcm.eadd(epc(4), SecsPa, lin, rw), Ok);
}

TEST_F(SgxEnclaveTest, EaddChecksSecinfo)
{
    const uint64_t lin = Base + 0x3000;
    for (PageType pt : {PageType::Secs, PageType::Va, PageType::Trim})
        EXPECT_LEAF(epcm.eadd(epc(4), SecsPa, lin,
                              secinfo(secinfoFlags(pt, SecinfoR))),
                    Gp);
    EXPECT_LEAF(epcm.eadd(epc(4), SecsPa, lin, secinfo(0x900)), Gp);
    // SGX1: PENDING, MODIFIED, PR and bits 7:6, 63:16 are reserved.
    for (uint64_t bit : {3, 4, 5, 6, 7, 16, 63})
        EXPECT_LEAF(epcm.eadd(epc(4), SecsPa, lin,
                              secinfo(RwFlags | 1ULL << bit)),
                    Gp);
    Secinfo si = secinfo(RwFlags);
    si.reserved[0] = 1;
    EXPECT_LEAF(epcm.eadd(epc(4), SecsPa, lin, si), Gp);
    // A writable page must be readable.
    EXPECT_LEAF(epcm.eadd(epc(4), SecsPa, lin,
                          secinfo(secinfoFlags(PageType::Reg, SecinfoW))),
                Gp);
    // Any other combination of R, W, X is fine, even none.
    EXPECT_LEAF(epcm.eadd(epc(4), SecsPa, lin,
                          secinfo(secinfoFlags(PageType::Reg, 0))),
                Ok);
    EXPECT_LEAF(epcm.eadd(epc(5), SecsPa, lin,
                          secinfo(secinfoFlags(PageType::Reg, SecinfoX))),
                Ok);
}

TEST_F(SgxEnclaveTest, EaddNeedsAFreePageAndAValidSecs)
{
    const uint64_t lin = Base + 0x3000;
    EXPECT_LEAF(epcm.eadd(DataPa, SecsPa, lin, secinfo(RwFlags)), PfPage);
    // The SECS operand must be a valid PT_SECS page.
    EXPECT_LEAF(epcm.eadd(epc(4), epc(5), lin, secinfo(RwFlags)), PfSecs);
    EXPECT_LEAF(epcm.eadd(epc(4), DataPa, lin, secinfo(RwFlags)), PfSecs);
    // A page cannot be added twice, nor an SECS be added as a page.
    EXPECT_LEAF(epcm.eadd(SecsPa, SecsPa, lin, secinfo(RwFlags)), PfPage);
}

TEST_F(SgxEnclaveTest, EaddStaysInsideElrange)
{
    const Secinfo rw = secinfo(RwFlags);
    EXPECT_LEAF(epcm.eadd(epc(4), SecsPa, Base - PageSize, rw), Gp);
    EXPECT_LEAF(epcm.eadd(epc(4), SecsPa, Base + Size, rw), Gp);
    EXPECT_LEAF(epcm.eadd(epc(4), SecsPa, Base + Size - PageSize, rw), Ok);
    // The SDM's order: the valid page's #PF before ELRANGE's #GP.
    EXPECT_LEAF(epcm.eadd(DataPa, SecsPa, Base + Size, rw), PfPage);
}

TEST_F(SgxEnclaveTest, EaddChecksTheTcs)
{
    const Secinfo ts = secinfo(TcsFlags);
    Tcs t = tcs();
    t.reserved[100] = 1;
    EXPECT_LEAF(epcm.eadd(epc(4), SecsPa, Base + 0x3000, ts, &t), Gp);
    t = tcs();
    t.fsLimit = 0x1000;  // fine for a 64-bit enclave
    EXPECT_LEAF(epcm.eadd(epc(4), SecsPa, Base + 0x3000, ts, &t), Ok);
}

TEST(SgxEpcmTest, EaddChecksA32BitEnclavesTcsLimits)
{
    Epcm epcm(EpcBase, EpcPages);
    Secs s = secs();
    s.attributes.flags = 0;
    ASSERT_TRUE(epcm.ecreate(SecsPa, SecsInfo, s).succeeded());
    Tcs t = tcs();
    t.gsLimit = 0x1000;
    EXPECT_LEAF(epcm.eadd(TcsPa, SecsPa, Base, secinfo(TcsFlags), &t), Gp);
    t.gsLimit = 0x1fff;
    EXPECT_LEAF(epcm.eadd(TcsPa, SecsPa, Base, secinfo(TcsFlags), &t), Ok);
}

TEST_F(SgxEnclaveTest, EaddAllowsASecondPageAtTheSameAddress)
{
    // The SDM does not check for it; both EADDs are measured.
    const uint64_t before = encl().measurement.updateCount();
    EXPECT_LEAF(epcm.eadd(epc(4), SecsPa, Base + 0x1000, secinfo(RwFlags)),
                Ok);
    EXPECT_EQ(encl().measurement.updateCount(), before + 1);
    EXPECT_EQ(epcm.entry(epc(4)).linAddr, epcm.entry(DataPa).linAddr);
}

TEST_F(SgxEnclaveTest, EaddAfterEinitIsRefused)
{
    ASSERT_TRUE(epcm.einit(SecsPa).succeeded());
    EXPECT_LEAF(epcm.eadd(epc(4), SecsPa, Base + 0x3000, secinfo(RwFlags)),
                Gp);
    EXPECT_FALSE(epcm.entry(epc(4)).valid);
}

// EEXTEND and the measurement

TEST(SgxEpcmTest, BuildingThroughTheEpcmMeasuresAsTheLoaderDoes)
{
    // The pages of sgx_measure_test.cc's three-page enclave.
    Epcm epcm(EpcBase, EpcPages);
    ASSERT_TRUE(epcm.ecreate(SecsPa, SecsInfo, secs()).succeeded());
    std::array<uint8_t, PageSize> tcs_page = {}, data = {}, code = {};
    const Tcs t = tcs();
    std::memcpy(tcs_page.data(), &t, sizeof(t));
    for (size_t i = 0; i < data.size(); i++)
        data[i] = i & 0xff;
    code.fill(0xcc);
    const uint8_t insns[] = {0xb8, 0x04, 0x00, 0x00, 0x00, 0x0f, 0x01, 0xd7};
    std::memcpy(code.data(), insns, sizeof(insns));
    const struct
    {
        uint64_t pa, lin, flags;
        const uint8_t *bytes;
    } pages[] = {
        {TcsPa, Base, TcsFlags, tcs_page.data()},
        {DataPa, Base + 0x1000, RwFlags, data.data()},
        {CodePa, Base + 0x2000, RxFlags, code.data()},
    };
    for (const auto &p : pages) {
        ASSERT_TRUE(epcm.eadd(p.pa, SecsPa, p.lin, secinfo(p.flags))
                        .succeeded());
        for (uint64_t c = 0; c < PageSize; c += 256)
            ASSERT_TRUE(epcm.eextend(SecsPa, p.pa + c, p.bytes + c)
                            .succeeded());
    }
    Digest seen = {};
    EXPECT_LEAF(epcm.einit(SecsPa,
                           [&](const Digest &mr, Identity &) {
                               seen = mr;
                               return SgxError::Success;
                           }),
                Ok);
    EXPECT_EQ(hex(seen), ThreePages);
    EXPECT_EQ(hex(epcm.enclave(SecsPa)->identity.mrEnclave), ThreePages);
}

TEST_F(SgxEnclaveTest, EextendChecks)
{
    const uint8_t chunk[256] = {};
    EXPECT_LEAF(epcm.eextend(SecsPa, DataPa + 0x100, chunk), Ok);
    EXPECT_LEAF(epcm.eextend(SecsPa, DataPa + 0x80, chunk), Gp);
    EXPECT_LEAF(epcm.eextend(SecsPa + 8, DataPa, chunk), Gp);
    EXPECT_LEAF(epcm.eextend(EpcEnd, DataPa, chunk), PfSecs);
    EXPECT_LEAF(epcm.eextend(SecsPa, EpcEnd, chunk), PfPage);
    EXPECT_LEAF(epcm.eextend(SecsPa, epc(9), chunk), PfPage);  // invalid
    EXPECT_LEAF(epcm.eextend(SecsPa, SecsPa, chunk), PfPage);  // PT_SECS
    EXPECT_LEAF(epcm.eextend(SecsPa, TcsPa + 0xf00, chunk), Ok);
    // RBX must be the SECS of the chunk's enclave.
    ASSERT_TRUE(epcm.ecreate(epc(8), SecsInfo, secs()).succeeded());
    EXPECT_LEAF(epcm.eextend(epc(8), DataPa, chunk), Gp);
    ASSERT_TRUE(epcm.einit(SecsPa).succeeded());
    EXPECT_LEAF(epcm.eextend(SecsPa, DataPa, chunk), Gp);
}

TEST_F(SgxEnclaveTest, EextendMeasuresTheChunksEnclaveOffset)
{
    const uint8_t chunk[256] = {1, 2, 3};
    Measurement expect = encl().measurement;
    expect.eextend(0x1000 + 0x300, chunk);
    ASSERT_TRUE(epcm.eextend(SecsPa, DataPa + 0x300, chunk).succeeded());
    EXPECT_EQ(encl().measurement.digest(), expect.digest());
}

// EINIT

TEST_F(SgxEnclaveTest, EinitInitializesOnceWithTheSigstructsIdentity)
{
    EXPECT_LEAF(epcm.einit(SecsPa,
                           [](const Digest &, Identity &id) {
                               id.mrSigner[0] = 0xab;
                               id.isvProdId = 7;
                               id.isvSvn = 3;
                               // The SIGSTRUCT cannot set MRENCLAVE.
                               id.mrEnclave[0] ^= 0xff;
                               return SgxError::Success;
                           }),
                Ok);
    EXPECT_TRUE(encl().initialized);
    EXPECT_EQ(encl().identity.mrSigner[0], 0xab);
    EXPECT_EQ(encl().identity.isvProdId, 7);
    EXPECT_EQ(encl().identity.isvSvn, 3);
    EXPECT_EQ(encl().identity.mrEnclave, encl().measurement.digest());
    EXPECT_LEAF(epcm.einit(SecsPa), Gp);
}

TEST_F(SgxEnclaveTest, EinitThatFailsVerificationChangesNothing)
{
    auto reject = [](const Digest &, Identity &) {
        return SgxError::InvalidMeasurement;
    };
    EXPECT_LEAF(epcm.einit(SecsPa, reject),
                LeafResult::fail(SgxError::InvalidMeasurement));
    EXPECT_FALSE(encl().initialized);
    // Still buildable, and EINIT may be retried.
    EXPECT_LEAF(epcm.eadd(epc(4), SecsPa, Base + 0x3000, secinfo(RwFlags)),
                Ok);
    EXPECT_LEAF(epcm.einit(SecsPa), Ok);
}

TEST_F(SgxEnclaveTest, EinitNeedsAnSecs)
{
    EXPECT_LEAF(epcm.einit(SecsPa + 8), Gp);
    EXPECT_LEAF(epcm.einit(EpcEnd), PfPage);
    EXPECT_LEAF(epcm.einit(DataPa), PfPage);
    EXPECT_LEAF(epcm.einit(epc(9)), PfPage);
}

// EREMOVE

TEST_F(SgxEnclaveTest, EremoveFreesPagesThenTheSecs)
{
    EXPECT_LEAF(epcm.eremove(epc(9)), Ok);  // already free
    EXPECT_LEAF(epcm.eremove(SecsPa),
                LeafResult::fail(SgxError::ChildPresent));
    EXPECT_TRUE(epcm.entry(SecsPa).valid);
    EXPECT_LEAF(epcm.eremove(DataPa), Ok);
    EXPECT_FALSE(epcm.entry(DataPa).valid);
    EXPECT_EQ(encl().children, 2u);
    EXPECT_LEAF(epcm.eremove(TcsPa), Ok);
    EXPECT_LEAF(epcm.eremove(SecsPa),
                LeafResult::fail(SgxError::ChildPresent));
    EXPECT_LEAF(epcm.eremove(CodePa), Ok);
    EXPECT_LEAF(epcm.eremove(SecsPa), Ok);
    EXPECT_FALSE(epcm.entry(SecsPa).valid);
    EXPECT_EQ(epcm.enclave(SecsPa), nullptr);
    // The page is free for a new enclave.
    EXPECT_LEAF(epcm.ecreate(SecsPa, SecsInfo, secs()), Ok);
    EXPECT_EQ(epcm.enclave(SecsPa)->children, 0u);
}

TEST_F(SgxEnclaveTest, EremoveRefusesPagesOfARunningEnclave)
{
    ASSERT_TRUE(epcm.einit(SecsPa).succeeded());
    epcm.threadEntered(SecsPa);
    EXPECT_LEAF(epcm.eremove(DataPa),
                LeafResult::fail(SgxError::EnclaveAct));
    EXPECT_TRUE(epcm.entry(DataPa).valid);
    epcm.threadLeft(SecsPa);
    EXPECT_LEAF(epcm.eremove(DataPa), Ok);
}

TEST_F(SgxEnclaveTest, EremoveOperand)
{
    EXPECT_LEAF(epcm.eremove(DataPa + 1), Gp);
    EXPECT_LEAF(epcm.eremove(EpcEnd), PfPage);
    EXPECT_LEAF(epcm.eremove(EpcBase - PageSize), PfPage);
}

// Access control in enclave mode (SDM 38.3, 38.5)

TEST_F(SgxEnclaveTest, AccessesInsideElrangeFollowTheEpcm)
{
    const EnclaveContext ctx = epcm.context(SecsPa);
    EXPECT_EQ(ctx.base, Base);
    EXPECT_EQ(ctx.size, Size);
    auto check = [&](uint64_t lin, uint64_t pa, AccessKind k,
                     bool implicit = false) {
        return epcm.checkEnclaveAccess(ctx, lin, pa, k, implicit);
    };
    const uint64_t data = Base + 0x1000, code = Base + 0x2000;
    EXPECT_EQ(check(data + 8, DataPa + 8, AccessKind::Read),
              AccessResult::Ok);
    EXPECT_EQ(check(data + 8, DataPa + 8, AccessKind::Write),
              AccessResult::Ok);
    EXPECT_EQ(check(data, DataPa, AccessKind::Fetch),
              AccessResult::PageFaultSgx);
    EXPECT_EQ(check(code, CodePa, AccessKind::Fetch), AccessResult::Ok);
    EXPECT_EQ(check(code, CodePa, AccessKind::Read), AccessResult::Ok);
    EXPECT_EQ(check(code + 0xfff, CodePa + 0xfff, AccessKind::Write),
              AccessResult::PageFaultSgx);
}

TEST_F(SgxEnclaveTest, AccessesInsideElrangeMustMapTheirOwnPage)
{
    const EnclaveContext ctx = epcm.context(SecsPa);
    const uint64_t data = Base + 0x1000;
    auto read = [&](uint64_t lin, uint64_t pa) {
        return epcm.checkEnclaveAccess(ctx, lin, pa, AccessKind::Read);
    };
    // Not EPC: ELRANGE must map to the EPC.
    EXPECT_EQ(read(data, 0x1000), AccessResult::PageFaultSgx);
    // EPC, but a free page.
    EXPECT_EQ(read(data, epc(9)), AccessResult::PageFaultSgx);
    // The enclave's code page mapped at the data page's address.
    EXPECT_EQ(read(data, CodePa), AccessResult::PageFaultSgx);
    // Its SECS, and another enclave's page at the same offset.
    EXPECT_EQ(read(data, SecsPa), AccessResult::PageFaultSgx);
    ASSERT_TRUE(epcm.ecreate(epc(8), SecsInfo, secs()).succeeded());
    ASSERT_TRUE(epcm.eadd(epc(10), epc(8), data, secinfo(RwFlags))
                    .succeeded());
    EXPECT_EQ(read(data, epc(10)), AccessResult::PageFaultSgx);
    EXPECT_EQ(epcm.checkEnclaveAccess(epcm.context(epc(8)), data, epc(10),
                                      AccessKind::Read),
              AccessResult::Ok);
}

TEST_F(SgxEnclaveTest, TcsIsForTheProcessorsImplicitAccessesOnly)
{
    const EnclaveContext ctx = epcm.context(SecsPa);
    for (AccessKind k : {AccessKind::Read, AccessKind::Write}) {
        EXPECT_EQ(epcm.checkEnclaveAccess(ctx, Base, TcsPa, k),
                  AccessResult::PageFaultSgx);
        EXPECT_EQ(epcm.checkEnclaveAccess(ctx, Base, TcsPa, k, true),
                  AccessResult::Ok);
    }
    // Implicit accesses to a REG page (the SSA) still obey R/W/X.
    const uint64_t code = Base + 0x2000;
    EXPECT_EQ(epcm.checkEnclaveAccess(ctx, code, CodePa, AccessKind::Write,
                                      true),
              AccessResult::PageFaultSgx);
}

TEST_F(SgxEnclaveTest, AccessesOutsideElrange)
{
    const EnclaveContext ctx = epcm.context(SecsPa);
    auto check = [&](uint64_t lin, uint64_t pa, AccessKind k) {
        return epcm.checkEnclaveAccess(ctx, lin, pa, k);
    };
    const uint64_t outside[] = {Base - 1, Base + Size, 0, ~0ULL};
    for (uint64_t lin : outside) {
        // Ordinary memory: an ordinary access.
        EXPECT_EQ(check(lin, 0x5000, AccessKind::Read), AccessResult::Ok);
        EXPECT_EQ(check(lin, 0x5000, AccessKind::Write), AccessResult::Ok);
        // The EPC through an alias: abort-page semantics, even for the
        // enclave's own pages.
        EXPECT_EQ(check(lin, DataPa, AccessKind::Read),
                  AccessResult::AbortPage);
        EXPECT_EQ(check(lin, DataPa, AccessKind::Write),
                  AccessResult::AbortPage);
        // Code fetches outside the enclave: #GP, wherever they land.
        EXPECT_EQ(check(lin, 0x5000, AccessKind::Fetch),
                  AccessResult::GeneralProtection);
        EXPECT_EQ(check(lin, CodePa, AccessKind::Fetch),
                  AccessResult::GeneralProtection);
    }
    // ELRANGE's last byte is inside.
    EXPECT_EQ(check(Base + Size - 1, 0x5000, AccessKind::Read),
              AccessResult::PageFaultSgx);
}

TEST(SgxEpcmTest, PageFaultErrorCodeCarriesTheSgxBit)
{
    EXPECT_EQ(Epcm::pageFaultCode(AccessKind::Read, true), 0x8005u);
    EXPECT_EQ(Epcm::pageFaultCode(AccessKind::Write, true), 0x8007u);
    EXPECT_EQ(Epcm::pageFaultCode(AccessKind::Fetch, true), 0x8015u);
    EXPECT_EQ(Epcm::pageFaultCode(AccessKind::Read, false), 0x8001u);
}

// Outside enclave mode

TEST(SgxEpcmTest, BlocksOutsideCatchesEveryByteOfTheEpc)
{
    Epcm epcm(EpcBase, EpcPages);
    EXPECT_TRUE(epcm.blocksOutside(EpcBase, 1));
    EXPECT_TRUE(epcm.blocksOutside(EpcEnd - 1, 1));
    EXPECT_TRUE(epcm.blocksOutside(epc(3) + 100, 8));
    EXPECT_FALSE(epcm.blocksOutside(EpcBase - 1, 1));
    EXPECT_FALSE(epcm.blocksOutside(EpcEnd, 64));
    EXPECT_FALSE(epcm.blocksOutside(EpcBase, 0));
}

TEST(SgxEpcmTest, BlocksOutsideCatchesStraddlingRanges)
{
    Epcm epcm(EpcBase, EpcPages);
    EXPECT_TRUE(epcm.blocksOutside(EpcBase - 4, 8));    // into the start
    EXPECT_FALSE(epcm.blocksOutside(EpcBase - 8, 8));   // ends at it
    EXPECT_TRUE(epcm.blocksOutside(EpcEnd - 4, 8));     // out of the end
    EXPECT_TRUE(epcm.blocksOutside(0, 1ULL << 40));     // covers it all
    // Ranges that wrap past the top of the address space.
    EXPECT_TRUE(epcm.blocksOutside(~0ULL - 15, EpcBase + 32));
    EXPECT_FALSE(epcm.blocksOutside(~0ULL - 15, 32));
    Epcm top(~0ULL - PageSize + 1, 1);
    EXPECT_TRUE(top.blocksOutside(~0ULL, 1));
    EXPECT_TRUE(top.blocksOutside(~0ULL - PageSize - 3, 8));
    EXPECT_FALSE(top.blocksOutside(~0ULL - PageSize - 7, 8));
    Epcm none(EpcBase, 0);
    EXPECT_FALSE(none.blocksOutside(EpcBase, 4096));
}

// Checkpoints: Epcm::state() and restore()

namespace
{

std::string
diff(const EpcmEntry &a, const EpcmEntry &b)
{
    if (a.valid != b.valid || a.pageType != b.pageType || a.r != b.r ||
        a.w != b.w || a.x != b.x || a.secsPage != b.secsPage ||
        a.linAddr != b.linAddr)
        return "entries differ";
    return "";
}

std::string
diff(const Enclave &a, const Enclave &b)
{
    const Measurement::State ma = a.measurement.state();
    const Measurement::State mb = b.measurement.state();
    if (a.baseAddr != b.baseAddr || a.size != b.size ||
        a.ssaFrameSize != b.ssaFrameSize || a.miscSelect != b.miscSelect ||
        a.attributes.flags != b.attributes.flags ||
        a.attributes.xfrm != b.attributes.xfrm)
        return "SECS fields differ";
    if (a.initialized != b.initialized || a.children != b.children ||
        a.activeThreads != b.activeThreads)
        return "flags or counters differ";
    if (ma.updates != mb.updates || ma.sha.h != mb.sha.h ||
        ma.sha.length != mb.sha.length || ma.sha.buf != mb.sha.buf ||
        ma.sha.used != mb.sha.used)
        return "measurements differ";
    if (a.identity.mrEnclave != b.identity.mrEnclave ||
        a.identity.mrSigner != b.identity.mrSigner ||
        a.identity.isvProdId != b.identity.isvProdId ||
        a.identity.isvSvn != b.identity.isvSvn)
        return "identities differ";
    return "";
}

::testing::AssertionResult
sameState(const Epcm::State &a, const Epcm::State &b)
{
    if (a.base != b.base || a.entries.size() != b.entries.size() ||
        a.enclaves.size() != b.enclaves.size())
        return ::testing::AssertionFailure() << "shapes differ";
    for (size_t i = 0; i < a.entries.size(); i++) {
        const std::string d = diff(a.entries[i], b.entries[i]);
        if (!d.empty())
            return ::testing::AssertionFailure() << "page " << i << ": " << d;
    }
    for (size_t i = 0; i < a.enclaves.size(); i++) {
        const Epcm::SavedEnclave &x = a.enclaves[i], &y = b.enclaves[i];
        const std::string d = x.secsPage != y.secsPage
                                  ? "SECS pages differ"
                                  : diff(x.enclave, y.enclave);
        if (!d.empty())
            return ::testing::AssertionFailure()
                   << "enclave " << i << ": " << d;
    }
    return ::testing::AssertionSuccess();
}

// The second enclave: 32 KiB at 512 MiB, SECS at page 8.
constexpr uint64_t Base2 = 0x20000000;
constexpr uint64_t Size2 = 0x8000;
constexpr uint64_t Secs2Pa = epc(8);
constexpr uint64_t Tcs2Pa = epc(9);
constexpr uint64_t Data2Pa = epc(10);

/**
 * An EPCM with an initialized enclave that a thread runs (the test
 * enclave, pages 0-3), an enclave mid-build (pages 8-9, its TCS half
 * extended), a page freed by EREMOVE (4) and pages never used.
 */
class SgxEpcmStateTest : public ::testing::Test
{
  protected:
    Epcm epcm{EpcBase, EpcPages};
    std::array<uint8_t, PageSize> bytes = {};

    void
    SetUp() override
    {
        for (size_t i = 0; i < bytes.size(); i++)
            bytes[i] = uint8_t(i * 7);
        ASSERT_TRUE(epcm.ecreate(SecsPa, SecsInfo, secs()).succeeded());
        const Tcs t = tcs();
        ASSERT_TRUE(epcm.eadd(TcsPa, SecsPa, Base, secinfo(TcsFlags), &t)
                        .succeeded());
        ASSERT_TRUE(epcm.eadd(DataPa, SecsPa, Base + 0x1000,
                              secinfo(RwFlags)).succeeded());
        ASSERT_TRUE(epcm.eadd(CodePa, SecsPa, Base + 0x2000,
                              secinfo(RxFlags)).succeeded());
        ASSERT_TRUE(epcm.eadd(epc(4), SecsPa, Base + 0x3000,
                              secinfo(RwFlags)).succeeded());
        ASSERT_TRUE(epcm.eremove(epc(4)).succeeded());
        for (uint64_t c = 0; c < PageSize; c += 256)
            ASSERT_TRUE(epcm.eextend(SecsPa, CodePa + c, bytes.data() + c)
                            .succeeded());
        ASSERT_TRUE(epcm.einit(SecsPa, [](const Digest &, Identity &id) {
            id.mrSigner.fill(0x5a);
            id.isvProdId = 3;
            id.isvSvn = 9;
            return SgxError::Success;
        }).succeeded());
        epcm.threadEntered(SecsPa);

        Secs s = secs(Base2, Size2);
        s.attributes.flags |= AttrDebug;
        s.ssaFrameSize = 2;
        ASSERT_TRUE(epcm.ecreate(Secs2Pa, SecsInfo, s).succeeded());
        ASSERT_TRUE(epcm.eadd(Tcs2Pa, Secs2Pa, Base2 + 0x4000,
                              secinfo(TcsFlags), &t).succeeded());
        for (uint64_t c = 0; c < PageSize / 2; c += 256)
            ASSERT_TRUE(epcm.eextend(Secs2Pa, Tcs2Pa + c, bytes.data() + c)
                            .succeeded());
    }

    /** Finish building the second enclave; its EINIT's MRENCLAVE. */
    static Digest
    finishSecond(Epcm &e, const uint8_t *bytes)
    {
        for (uint64_t c = PageSize / 2; c < PageSize; c += 256)
            EXPECT_TRUE(e.eextend(Secs2Pa, Tcs2Pa + c, bytes + c)
                            .succeeded());
        EXPECT_TRUE(e.eadd(Data2Pa, Secs2Pa, Base2, secinfo(RwFlags))
                        .succeeded());
        Digest mr = {};
        EXPECT_TRUE(e.einit(Secs2Pa, [&](const Digest &d, Identity &) {
            mr = d;
            return SgxError::Success;
        }).succeeded());
        return mr;
    }

    /** Every access check answer, over both enclaves and the EPC. */
    static std::vector<AccessResult>
    accessAnswers(const Epcm &e)
    {
        std::vector<AccessResult> out;
        for (uint64_t secs : {SecsPa, Secs2Pa}) {
            const EnclaveContext ctx = e.context(secs);
            for (uint64_t lin = ctx.base - PageSize;
                 lin <= ctx.base + ctx.size; lin += PageSize)
                for (uint64_t pa = EpcBase - PageSize; pa <= EpcEnd;
                     pa += PageSize)
                    for (AccessKind k : {AccessKind::Read,
                                         AccessKind::Write,
                                         AccessKind::Fetch})
                        for (bool implicit : {false, true})
                            out.push_back(e.checkEnclaveAccess(
                                ctx, lin + 8, pa + 8, k, implicit));
        }
        return out;
    }
};

} // namespace

TEST_F(SgxEpcmStateTest, StateListsEveryPageAndEnclaveInOrder)
{
    const Epcm::State st = epcm.state();
    EXPECT_EQ(st.base, EpcBase);
    ASSERT_EQ(st.entries.size(), EpcPages);
    EXPECT_TRUE(st.entries[1].valid);
    EXPECT_FALSE(st.entries[4].valid);  // removed
    EXPECT_FALSE(st.entries[10].valid);
    ASSERT_EQ(st.enclaves.size(), 2u);
    EXPECT_EQ(st.enclaves[0].secsPage, 0u);
    EXPECT_EQ(st.enclaves[1].secsPage, 8u);
    EXPECT_TRUE(st.enclaves[0].enclave.initialized);
    EXPECT_EQ(st.enclaves[0].enclave.children, 3u);
    EXPECT_EQ(st.enclaves[0].enclave.activeThreads, 1u);
    EXPECT_EQ(st.enclaves[0].enclave.identity.isvSvn, 9);
    EXPECT_FALSE(st.enclaves[1].enclave.initialized);
    EXPECT_EQ(st.enclaves[1].enclave.children, 1u);
}

TEST_F(SgxEpcmStateTest, RestoredEpcmBehavesAsTheOriginal)
{
    Epcm copy(EpcBase, EpcPages);
    ASSERT_TRUE(copy.restore(epcm.state()));
    EXPECT_TRUE(sameState(copy.state(), epcm.state()));
    for (uint64_t i = 0; i < EpcPages; i++)
        EXPECT_EQ(diff(copy.entry(epc(i)), epcm.entry(epc(i))), "")
            << "page " << i;
    EXPECT_EQ(accessAnswers(copy), accessAnswers(epcm));
    EXPECT_EQ(copy.enclave(SecsPa)->identity.mrEnclave,
              epcm.enclave(SecsPa)->identity.mrEnclave);

    // The first enclave is initialized in both; the second one builds
    // on to the same MRENCLAVE.
    for (Epcm *e : {&epcm, &copy}) {
        EXPECT_LEAF(e->einit(SecsPa), Gp);
        EXPECT_LEAF(e->eadd(epc(4), SecsPa, Base + 0x3000,
                            secinfo(RwFlags)),
                    Gp);
    }
    const Digest mr = finishSecond(epcm, bytes.data());
    EXPECT_EQ(finishSecond(copy, bytes.data()), mr);
    EXPECT_EQ(copy.enclave(Secs2Pa)->identity.mrEnclave, mr);
    EXPECT_TRUE(sameState(copy.state(), epcm.state()));
    EXPECT_EQ(accessAnswers(copy), accessAnswers(epcm));

    // EREMOVE sees the same threads and children.
    for (Epcm *e : {&epcm, &copy}) {
        EXPECT_LEAF(e->eremove(DataPa),
                    LeafResult::fail(SgxError::EnclaveAct));
        e->threadLeft(SecsPa);
        EXPECT_LEAF(e->eremove(SecsPa),
                    LeafResult::fail(SgxError::ChildPresent));
        for (uint64_t pa : {TcsPa, DataPa, CodePa})
            EXPECT_LEAF(e->eremove(pa), Ok);
        EXPECT_LEAF(e->eremove(SecsPa), Ok);
        EXPECT_LEAF(e->eremove(Secs2Pa),
                    LeafResult::fail(SgxError::ChildPresent));
        EXPECT_EQ(e->enclave(Secs2Pa)->children, 2u);
    }
    EXPECT_TRUE(sameState(copy.state(), epcm.state()));
}

TEST_F(SgxEpcmStateTest, RestoreReplacesWhatWasThere)
{
    Epcm other(EpcBase, EpcPages);
    ASSERT_TRUE(other.ecreate(epc(5), SecsInfo, secs()).succeeded());
    ASSERT_TRUE(other.restore(epcm.state()));
    EXPECT_EQ(other.enclave(epc(5)), nullptr);
    EXPECT_FALSE(other.entry(epc(5)).valid);
    EXPECT_TRUE(sameState(other.state(), epcm.state()));
    // And an empty state empties it.
    ASSERT_TRUE(other.restore(Epcm(EpcBase, EpcPages).state()));
    EXPECT_EQ(other.enclave(SecsPa), nullptr);
    EXPECT_TRUE(other.state().enclaves.empty());
}

TEST_F(SgxEpcmStateTest, RestoreNeedsTheSameEpc)
{
    const Epcm::State st = epcm.state();
    Epcm more(EpcBase, EpcPages + 1), fewer(EpcBase, EpcPages - 1);
    Epcm moved(EpcBase + PageSize, EpcPages);
    EXPECT_FALSE(more.restore(st));
    EXPECT_FALSE(fewer.restore(st));
    EXPECT_FALSE(moved.restore(st));
    EXPECT_TRUE(more.state().enclaves.empty());
}

TEST_F(SgxEpcmStateTest, RestoreRefusesInconsistentStatesAndChangesNothing)
{
    // The target holds an enclave of its own, which must survive.
    Epcm target(EpcBase, EpcPages);
    ASSERT_TRUE(target.ecreate(epc(5), SecsInfo, secs()).succeeded());
    ASSERT_TRUE(target.eadd(epc(6), epc(5), Base, secinfo(RwFlags))
                    .succeeded());
    const Epcm::State before = target.state();
    const Epcm::State good = epcm.state();
    const std::pair<const char *, void (*)(Epcm::State &)> cases[] = {
        {"too few entries", [](Epcm::State &s) { s.entries.pop_back(); }},
        {"too many entries",
         [](Epcm::State &s) { s.entries.push_back({}); }},
        {"a page names a free SECS page",
         [](Epcm::State &s) { s.entries[2].secsPage = 5; }},
        {"a page names a non-SECS page",
         [](Epcm::State &s) { s.entries[2].secsPage = 1; }},
        {"a page names an SECS beyond the EPC",
         [](Epcm::State &s) { s.entries[2].secsPage = 99; }},
        {"an enclave is missing",
         [](Epcm::State &s) { s.enclaves.pop_back(); }},
        {"an enclave sits on a regular page",
         [](Epcm::State &s) { s.enclaves[1].secsPage = 9; }},
        {"an enclave sits on a free page",
         [](Epcm::State &s) { s.enclaves[1].secsPage = 12; }},
        {"an enclave sits beyond the EPC",
         [](Epcm::State &s) { s.enclaves[1].secsPage = EpcPages; }},
        {"an enclave twice",
         [](Epcm::State &s) { s.enclaves.push_back(s.enclaves[0]); }},
        {"a valid SECS entry without an enclave",
         [](Epcm::State &s) {
             s.entries[12].valid = true;
             s.entries[12].secsPage = 12;
         }},
        {"an SECS entry naming another SECS",
         [](Epcm::State &s) { s.entries[8].secsPage = 0; }},
        {"too many children",
         [](Epcm::State &s) { s.enclaves[0].enclave.children++; }},
        {"too few children",
         [](Epcm::State &s) { s.enclaves[1].enclave.children = 0; }},
        {"a page of a type EADD does not make",
         [](Epcm::State &s) { s.entries[2].pageType = PageType::Va; }},
        {"a page outside its enclave's ELRANGE",
         [](Epcm::State &s) { s.entries[2].linAddr = Base + Size; }},
        {"a misaligned page address",
         [](Epcm::State &s) { s.entries[2].linAddr += 8; }},
        {"an MRENCLAVE that is not the measurement",
         [](Epcm::State &s) {
             s.enclaves[0].enclave.identity.mrEnclave[0] ^= 1;
         }},
    };
    for (const auto &[what, spoil] : cases) {
        Epcm::State bad = good;
        spoil(bad);
        EXPECT_FALSE(target.restore(bad)) << what;
        EXPECT_TRUE(sameState(target.state(), before)) << what;
    }
    EXPECT_TRUE(target.restore(good));
}
