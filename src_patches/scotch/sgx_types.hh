/*
 * Copyright (c) 2026 The Scotch-gem5 authors
 * SPDX-License-Identifier: BSD-3-Clause
 */

/**
 * @file
 * The SGX1 architectural data structures, constants and leaf numbers
 * the enclave model and its guests share, as the Intel SDM vol. 3D
 * defines them. Section numbers are those of the editions with SGX in
 * chapters 37-41 (38: data structures, 41: instruction references).
 *
 * The structures are byte images of what software puts in memory:
 * little-endian, every field naturally aligned, so a struct can be
 * memcpy'd from or to guest memory on a little-endian host. Each size
 * and each offset the model reads is checked against the SDM's table.
 * Only what a tenant's enclave and a conformance suite need is here:
 * no SGX2 (EAUG, EMODPR...), no paging out (EWB, ELDU), no KSS.
 */

#ifndef __SCOTCH_SGX_TYPES_HH__
#define __SCOTCH_SGX_TYPES_HH__

#include <cstddef>
#include <cstdint>

namespace gem5
{

namespace scotch
{

namespace sgx
{

constexpr uint64_t PageSize = 4096;
constexpr uint64_t PageOffsetMask = PageSize - 1;

/** ENCLS leaf numbers (EAX), SDM 41.3 (system leaf functions). */
enum class Encls : uint32_t
{
    Ecreate = 0x0,
    Eadd = 0x1,
    Einit = 0x2,
    Eremove = 0x3,
    Edbgrd = 0x4,
    Edbgwr = 0x5,
    Eextend = 0x6,
    Eldb = 0x7,
    Eldu = 0x8,
    Eblock = 0x9,
    Epa = 0xa,
    Ewb = 0xb,
    Etrack = 0xc,
};

/** ENCLU leaf numbers (EAX), SDM 41.4 (user leaf functions). */
enum class Enclu : uint32_t
{
    Ereport = 0x0,
    Egetkey = 0x1,
    Eenter = 0x2,
    Eresume = 0x3,
    Eexit = 0x4,
};

/**
 * Error codes ENCLS/ENCLU leaves return in RAX with ZF set (SDM 41,
 * "Error or Information Codes for Intel SGX Instructions"). The values
 * are the SDM's; the names drop its SGX_ prefix.
 */
enum class SgxError : uint32_t
{
    Success = 0,
    InvalidSigStruct = 1,      ///< SGX_INVALID_SIG_STRUCT (EINIT)
    InvalidAttribute = 2,      ///< SGX_INVALID_ATTRIBUTE (EINIT, EGETKEY)
    InvalidMeasurement = 4,    ///< SGX_INVALID_MEASUREMENT (EINIT)
    InvalidSignature = 8,      ///< SGX_INVALID_SIGNATURE (EINIT)
    ChildPresent = 13,         ///< SGX_CHILD_PRESENT (EREMOVE)
    EnclaveAct = 14,           ///< SGX_ENCLAVE_ACT (EREMOVE)
    InvalidEinitToken = 16,    ///< SGX_INVALID_EINITTOKEN (EINIT)
    InvalidCpuSvn = 32,        ///< SGX_INVALID_CPUSVN (EINIT, EGETKEY)
    InvalidIsvSvn = 64,        ///< SGX_INVALID_ISVSVN (EGETKEY)
    UnmaskedEvent = 128,       ///< SGX_UNMASKED_EVENT (EINIT)
    InvalidKeyname = 256,      ///< SGX_INVALID_KEYNAME (EGETKEY)
};

/** EPC page types, SECINFO.FLAGS.PAGE_TYPE (SDM 38.11.2). */
enum class PageType : uint8_t
{
    Secs = 0,   ///< PT_SECS
    Tcs = 1,    ///< PT_TCS
    Reg = 2,    ///< PT_REG
    Va = 3,     ///< PT_VA
    Trim = 4,   ///< PT_TRIM
};

/** SECINFO.FLAGS bits (SDM 38.11.1, "Layout of SECINFO.FLAGS"). */
constexpr uint64_t SecinfoR = 1ULL << 0;
constexpr uint64_t SecinfoW = 1ULL << 1;
constexpr uint64_t SecinfoX = 1ULL << 2;
constexpr uint64_t SecinfoPending = 1ULL << 3;   ///< SGX2
constexpr uint64_t SecinfoModified = 1ULL << 4;  ///< SGX2
constexpr uint64_t SecinfoPr = 1ULL << 5;        ///< SGX2
constexpr unsigned SecinfoPtShift = 8;
constexpr uint64_t SecinfoPtMask = 0xffULL << SecinfoPtShift;
constexpr uint64_t SecinfoRwx = SecinfoR | SecinfoW | SecinfoX;
/**
 * The bits an SGX1 processor defines: R, W, X and PAGE_TYPE. The
 * SGX1 SECINFO.FLAGS table has bits 7:3 and 63:16 reserved; SGX2 gave
 * 5:3 meanings EADD never takes (it clears the EPCM's copies).
 */
constexpr uint64_t SecinfoSgx1Defined = SecinfoRwx | SecinfoPtMask;

/** SECINFO.FLAGS for a page of type @p pt with permissions @p rwx. */
constexpr uint64_t
secinfoFlags(PageType pt, uint64_t rwx)
{
    return uint64_t(pt) << SecinfoPtShift | (rwx & SecinfoRwx);
}

/** The PAGE_TYPE field (any value: it may name no type). */
constexpr uint8_t
secinfoPageType(uint64_t flags)
{
    return uint8_t((flags & SecinfoPtMask) >> SecinfoPtShift);
}

/** SECS.ATTRIBUTES.FLAGS bits (SDM 38.7.1). */
constexpr uint64_t AttrInit = 1ULL << 0;
constexpr uint64_t AttrDebug = 1ULL << 1;
constexpr uint64_t AttrMode64Bit = 1ULL << 2;
constexpr uint64_t AttrProvisionKey = 1ULL << 4;
constexpr uint64_t AttrEinitTokenKey = 1ULL << 5;

/** SECS.ATTRIBUTES: FLAGS then XFRM, 16 bytes (SDM 38.7.1). */
struct Attributes
{
    uint64_t flags;
    uint64_t xfrm;
};
static_assert(sizeof(Attributes) == 16, "ATTRIBUTES is 16 bytes");

/** SGX Enclave Control Structure (SDM 38.7, "Layout of SECS"). */
struct Secs
{
    uint64_t size;
    uint64_t baseAddr;
    uint32_t ssaFrameSize;  ///< in pages
    uint32_t miscSelect;
    uint8_t reserved1[24];
    Attributes attributes;
    uint8_t mrEnclave[32];
    uint8_t reserved2[32];
    uint8_t mrSigner[32];
    uint8_t reserved3[32];
    uint8_t configId[64];   ///< KSS; must be zero here
    uint16_t isvProdId;
    uint16_t isvSvn;
    uint16_t configSvn;     ///< KSS; must be zero here
    uint8_t reserved4[3834];
};

/** SECS field offsets, as the SDM's table gives them. */
constexpr size_t SecsOffSize = 0;
constexpr size_t SecsOffBaseAddr = 8;
constexpr size_t SecsOffSsaFrameSize = 16;
constexpr size_t SecsOffMiscSelect = 20;
constexpr size_t SecsOffAttributes = 48;
constexpr size_t SecsOffXfrm = 56;
constexpr size_t SecsOffMrEnclave = 64;
constexpr size_t SecsOffMrSigner = 128;
constexpr size_t SecsOffIsvProdId = 256;
constexpr size_t SecsOffIsvSvn = 258;
static_assert(sizeof(Secs) == 4096, "SECS is one page");
static_assert(offsetof(Secs, size) == SecsOffSize);
static_assert(offsetof(Secs, baseAddr) == SecsOffBaseAddr);
static_assert(offsetof(Secs, ssaFrameSize) == SecsOffSsaFrameSize);
static_assert(offsetof(Secs, miscSelect) == SecsOffMiscSelect);
static_assert(offsetof(Secs, attributes) == SecsOffAttributes);
static_assert(offsetof(Secs, attributes) + 8 == SecsOffXfrm);
static_assert(offsetof(Secs, mrEnclave) == SecsOffMrEnclave);
static_assert(offsetof(Secs, mrSigner) == SecsOffMrSigner);
static_assert(offsetof(Secs, isvProdId) == SecsOffIsvProdId);
static_assert(offsetof(Secs, isvSvn) == SecsOffIsvSvn);

/** TCS.FLAGS.DBGOPTIN (SDM 38.8.1); bits 63:1 are reserved. */
constexpr uint64_t TcsFlagDbgOptIn = 1ULL << 0;

/** Thread Control Structure (SDM 38.8, "Layout of TCS"). */
struct Tcs
{
    uint64_t state;     ///< STATE: internal, EADD zeroes it
    uint64_t flags;
    uint64_t ossa;      ///< SSA stack offset from the enclave base
    uint32_t cssa;      ///< current SSA frame
    uint32_t nssa;      ///< number of SSA frames
    uint64_t oentry;    ///< entry point offset from the enclave base
    uint64_t aep;       ///< internal: the AEP saved by EENTER
    uint64_t ofsBasgx;  ///< FS base offset from the enclave base
    uint64_t ogsBasgx;  ///< GS base offset from the enclave base
    uint32_t fsLimit;
    uint32_t gsLimit;
    uint8_t reserved[4024];
};

constexpr size_t TcsOffFlags = 8;
constexpr size_t TcsOffOssa = 16;
constexpr size_t TcsOffCssa = 24;
constexpr size_t TcsOffNssa = 28;
constexpr size_t TcsOffOentry = 32;
constexpr size_t TcsOffAep = 40;
constexpr size_t TcsOffOfsBasgx = 48;
constexpr size_t TcsOffOgsBasgx = 56;
constexpr size_t TcsOffFsLimit = 64;
constexpr size_t TcsOffGsLimit = 68;
constexpr size_t TcsOffReserved = 72;
static_assert(sizeof(Tcs) == 4096, "TCS is one page");
static_assert(offsetof(Tcs, flags) == TcsOffFlags);
static_assert(offsetof(Tcs, ossa) == TcsOffOssa);
static_assert(offsetof(Tcs, cssa) == TcsOffCssa);
static_assert(offsetof(Tcs, nssa) == TcsOffNssa);
static_assert(offsetof(Tcs, oentry) == TcsOffOentry);
static_assert(offsetof(Tcs, aep) == TcsOffAep);
static_assert(offsetof(Tcs, ofsBasgx) == TcsOffOfsBasgx);
static_assert(offsetof(Tcs, ogsBasgx) == TcsOffOgsBasgx);
static_assert(offsetof(Tcs, fsLimit) == TcsOffFsLimit);
static_assert(offsetof(Tcs, gsLimit) == TcsOffGsLimit);
static_assert(offsetof(Tcs, reserved) == TcsOffReserved);

/** Security Information (SDM 38.11), 64-byte aligned. */
struct Secinfo
{
    uint64_t flags;
    uint8_t reserved[56];
};
static_assert(sizeof(Secinfo) == 64, "SECINFO is 64 bytes");

/** EADD measures this much of SECINFO (EADD Operation: [375:0]). */
constexpr size_t SecinfoMeasuredBytes = 48;

/** Page Information (SDM 38.10), the ENCLS page-management operand. */
struct PageInfo
{
    uint64_t linAddr;
    uint64_t srcPge;
    uint64_t secinfo;   ///< or PCMD, for paging leaves
    uint64_t secs;
};
constexpr size_t PageInfoOffLinAddr = 0;
constexpr size_t PageInfoOffSrcPge = 8;
constexpr size_t PageInfoOffSecinfo = 16;
constexpr size_t PageInfoOffSecs = 24;
static_assert(sizeof(PageInfo) == 32, "PAGEINFO is 32 bytes");
static_assert(offsetof(PageInfo, linAddr) == PageInfoOffLinAddr);
static_assert(offsetof(PageInfo, srcPge) == PageInfoOffSrcPge);
static_assert(offsetof(PageInfo, secinfo) == PageInfoOffSecinfo);
static_assert(offsetof(PageInfo, secs) == PageInfoOffSecs);

/** KEYREQUEST.KEYNAME values (SDM 38.17.1). */
enum class KeyName : uint16_t
{
    EinitToken = 0,       ///< EINITTOKEN_KEY
    Provision = 1,        ///< PROVISION_KEY
    ProvisionSeal = 2,    ///< PROVISION_SEAL_KEY
    Report = 3,           ///< REPORT_KEY
    Seal = 4,             ///< SEAL_KEY
};

/** KEYREQUEST.KEYPOLICY bits (SDM 38.17.2); the rest need KSS. */
constexpr uint16_t KeyPolicyMrEnclave = 1 << 0;
constexpr uint16_t KeyPolicyMrSigner = 1 << 1;
constexpr uint16_t KeyPolicyDefined = KeyPolicyMrEnclave | KeyPolicyMrSigner;

/** Key Request (SDM 38.17), 512-byte aligned. */
struct KeyRequest
{
    uint16_t keyName;
    uint16_t keyPolicy;
    uint16_t isvSvn;
    uint16_t reserved1;
    uint8_t cpuSvn[16];
    Attributes attributeMask;
    uint8_t keyId[32];
    uint32_t miscMask;
    uint16_t configSvn;     ///< KSS; must be zero here
    uint8_t reserved2[434];
};
constexpr size_t KeyReqOffKeyName = 0;
constexpr size_t KeyReqOffKeyPolicy = 2;
constexpr size_t KeyReqOffIsvSvn = 4;
constexpr size_t KeyReqOffCpuSvn = 8;
constexpr size_t KeyReqOffAttributeMask = 24;
constexpr size_t KeyReqOffKeyId = 40;
constexpr size_t KeyReqOffMiscMask = 72;
static_assert(sizeof(KeyRequest) == 512, "KEYREQUEST is 512 bytes");
static_assert(offsetof(KeyRequest, keyName) == KeyReqOffKeyName);
static_assert(offsetof(KeyRequest, keyPolicy) == KeyReqOffKeyPolicy);
static_assert(offsetof(KeyRequest, isvSvn) == KeyReqOffIsvSvn);
static_assert(offsetof(KeyRequest, cpuSvn) == KeyReqOffCpuSvn);
static_assert(offsetof(KeyRequest, attributeMask) ==
              KeyReqOffAttributeMask);
static_assert(offsetof(KeyRequest, keyId) == KeyReqOffKeyId);
static_assert(offsetof(KeyRequest, miscMask) == KeyReqOffMiscMask);

/** Report (SDM 38.15), EREPORT's output, 512-byte aligned. */
struct Report
{
    uint8_t cpuSvn[16];
    uint32_t miscSelect;
    uint8_t reserved1[28];
    Attributes attributes;
    uint8_t mrEnclave[32];
    uint8_t reserved2[32];
    uint8_t mrSigner[32];
    uint8_t reserved3[96];
    uint16_t isvProdId;
    uint16_t isvSvn;
    uint8_t reserved4[60];
    uint8_t reportData[64];
    uint8_t keyId[32];
    uint8_t mac[16];
};
constexpr size_t ReportOffMiscSelect = 16;
constexpr size_t ReportOffAttributes = 48;
constexpr size_t ReportOffMrEnclave = 64;
constexpr size_t ReportOffMrSigner = 128;
constexpr size_t ReportOffIsvProdId = 256;
constexpr size_t ReportOffIsvSvn = 258;
constexpr size_t ReportOffReportData = 320;
constexpr size_t ReportOffKeyId = 384;
constexpr size_t ReportOffMac = 416;
/** The MAC covers the body: every field before KEYID (EREPORT). */
constexpr size_t ReportBodySize = ReportOffKeyId;
static_assert(sizeof(Report) == 432, "REPORT is 432 bytes");
static_assert(offsetof(Report, miscSelect) == ReportOffMiscSelect);
static_assert(offsetof(Report, attributes) == ReportOffAttributes);
static_assert(offsetof(Report, mrEnclave) == ReportOffMrEnclave);
static_assert(offsetof(Report, mrSigner) == ReportOffMrSigner);
static_assert(offsetof(Report, isvProdId) == ReportOffIsvProdId);
static_assert(offsetof(Report, isvSvn) == ReportOffIsvSvn);
static_assert(offsetof(Report, reportData) == ReportOffReportData);
static_assert(offsetof(Report, keyId) == ReportOffKeyId);
static_assert(offsetof(Report, mac) == ReportOffMac);

/** Report Target Info (SDM 38.16), 512-byte aligned. */
struct TargetInfo
{
    uint8_t measurement[32];
    Attributes attributes;
    uint8_t reserved1[4];
    uint32_t miscSelect;
    uint8_t reserved2[456];
};
constexpr size_t TargetInfoOffAttributes = 32;
constexpr size_t TargetInfoOffMiscSelect = 52;
static_assert(sizeof(TargetInfo) == 512, "TARGETINFO is 512 bytes");
static_assert(offsetof(TargetInfo, attributes) == TargetInfoOffAttributes);
static_assert(offsetof(TargetInfo, miscSelect) == TargetInfoOffMiscSelect);

/** Enclave Signature Structure (SDM 38.13), EINIT's RBX operand. */
struct Sigstruct
{
    uint8_t header[16];
    uint32_t vendor;
    uint32_t date;
    uint8_t header2[16];
    uint32_t swDefined;
    uint8_t reserved1[84];
    uint8_t modulus[384];
    uint32_t exponent;
    uint8_t signature[384];
    uint32_t miscSelect;
    uint32_t miscMask;
    uint8_t reserved2[20];
    Attributes attributes;
    Attributes attributeMask;
    uint8_t enclaveHash[32];
    uint8_t reserved3[32];
    uint16_t isvProdId;
    uint16_t isvSvn;
    uint8_t reserved4[12];
    uint8_t q1[384];
    uint8_t q2[384];
};
constexpr size_t SigOffModulus = 128;
constexpr size_t SigOffExponent = 512;
constexpr size_t SigOffSignature = 516;
constexpr size_t SigOffMiscSelect = 900;
constexpr size_t SigOffAttributes = 928;
constexpr size_t SigOffEnclaveHash = 960;
constexpr size_t SigOffIsvProdId = 1024;
constexpr size_t SigOffIsvSvn = 1026;
constexpr size_t SigOffQ1 = 1040;
static_assert(sizeof(Sigstruct) == 1808, "SIGSTRUCT is 1808 bytes");
static_assert(offsetof(Sigstruct, modulus) == SigOffModulus);
static_assert(offsetof(Sigstruct, exponent) == SigOffExponent);
static_assert(offsetof(Sigstruct, signature) == SigOffSignature);
static_assert(offsetof(Sigstruct, miscSelect) == SigOffMiscSelect);
static_assert(offsetof(Sigstruct, attributes) == SigOffAttributes);
static_assert(offsetof(Sigstruct, enclaveHash) == SigOffEnclaveHash);
static_assert(offsetof(Sigstruct, isvProdId) == SigOffIsvProdId);
static_assert(offsetof(Sigstruct, isvSvn) == SigOffIsvSvn);
static_assert(offsetof(Sigstruct, q1) == SigOffQ1);

/** EINITTOKEN (SDM 38.14) is only sized: the model has no launch MAC. */
constexpr size_t EinitTokenSize = 304;

/** Page-fault error code bit 15: an EPCM-induced fault (SDM 38.9.2.2). */
constexpr uint32_t PfErrSgx = 1u << 15;

} // namespace sgx
} // namespace scotch
} // namespace gem5

#endif // __SCOTCH_SGX_TYPES_HH__
