/*
 * Copyright (c) 2026 The Scotch-gem5 authors
 * SPDX-License-Identifier: BSD-3-Clause
 */

/**
 * @file
 * The Enclave Page Cache Map (SDM vol. 3D 38.19) over the platform's EPC
 * range, with the SGX1 rules that read and change it: ECREATE, EADD,
 * EEXTEND, EINIT and EREMOVE as their Operation sections check them
 * (SDM 41.3), and the page-level access control of SDM 38.3 and 38.5.
 * Plain C++ with no gem5 headers: each rule returns a result that the
 * gem5 side turns into #GP, an SGX #PF, abort-page semantics or an error
 * code in RAX, and is unit-tested outside gem5.
 *
 * The per-enclave state the processor keeps in its SECS page and no
 * software can read (ELRANGE, ATTRIBUTES, the INIT flag, the running
 * MRENCLAVE) is kept here, next to the EPCM entry of that SECS page.
 *
 * Not modelled: concurrency (the "in use by another thread" #GPs), the
 * EPCM's BLOCKED, PENDING and MODIFIED bits (SGX2 and paging leaves are
 * not supported, so they are always 0), and VA pages (no EPA).
 */

#ifndef __SCOTCH_SGX_EPCM_HH__
#define __SCOTCH_SGX_EPCM_HH__

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "scotch/sgx_measure.hh"
#include "scotch/sgx_sha256.hh"
#include "scotch/sgx_types.hh"

namespace gem5
{

namespace scotch
{

namespace sgx
{

/** The fault an ENCLS leaf raises, if any. */
enum class Fault : uint8_t
{
    None,
    GeneralProtection,  ///< #GP(0)
    PageFaultSgx,       ///< #PF, error code with the SGX bit (15) set
};

/** Which operand a #PF names (its linear address goes to CR2). */
enum class Operand : uint8_t
{
    Page,   ///< the leaf's RCX: the EPC page, chunk or SECS it works on
    Secs,   ///< the SECS named apart from RCX: PAGEINFO.SECS or RBX
};

/** What an ENCLS leaf did: a fault, or RAX (ZF = RAX != 0). */
struct LeafResult
{
    Fault fault = Fault::None;
    Operand operand = Operand::Page;
    SgxError error = SgxError::Success;

    static LeafResult ok() { return {}; }
    static LeafResult gp() { return {Fault::GeneralProtection}; }

    static LeafResult
    pf(Operand on)
    {
        return {Fault::PageFaultSgx, on};
    }

    static LeafResult
    fail(SgxError e)
    {
        return {Fault::None, Operand::Page, e};
    }

    bool
    succeeded() const
    {
        return fault == Fault::None && error == SgxError::Success;
    }

    bool
    operator==(const LeafResult &o) const
    {
        return fault == o.fault && error == o.error &&
               (fault != Fault::PageFaultSgx || operand == o.operand);
    }
};

/** The kind of a memory access, for the EPCM permission check. */
enum class AccessKind : uint8_t
{
    Read,
    Write,
    Fetch,
};

/** The outcome of the access check on one page of an access. */
enum class AccessResult : uint8_t
{
    Ok,                 ///< an ordinary access
    AbortPage,          ///< reads return all ones, writes are dropped
    GeneralProtection,  ///< #GP(0)
    PageFaultSgx,       ///< #PF with the SGX bit; see pageFaultCode()
};

/** One EPCM entry (SDM 38.19, "Content of an EPCM Entry"). */
struct EpcmEntry
{
    bool valid = false;
    PageType pageType = PageType::Secs;
    bool r = false;
    bool w = false;
    bool x = false;
    /** ENCLAVESECS: the EPC index of the enclave's SECS page. */
    uint64_t secsPage = 0;
    /** ENCLAVEADDRESS: the page's linear address (0 for an SECS). */
    uint64_t linAddr = 0;
};

/** SGX capabilities, as CPUID leaf 12H would report them. */
struct SgxCaps
{
    /** ATTRIBUTES.FLAGS bits ECREATE accepts (INIT is never one). */
    uint64_t attributes = AttrDebug | AttrMode64Bit | AttrProvisionKey |
                          AttrEinitTokenKey;
    /** XFRM bits ECREATE accepts: x87 and SSE. */
    uint64_t xfrm = 0x3;
    /** MISCSELECT bits ECREATE accepts (bit 0: EXINFO). */
    uint32_t miscSelect = 0;
    /** log2 of the largest enclave, 32-bit and 64-bit (EDX[7:0], [15:8]). */
    uint8_t maxEnclaveSize32 = 31;
    uint8_t maxEnclaveSize64 = 36;
    /** XSAVE area for the XFRM values accepted: legacy 512 + header 64. */
    uint32_t xsaveBytes = 576;
};

/** Size of an SSA frame's GPRSGX region (SDM 38.9.1). */
constexpr uint32_t GprSgxSize = 184;
/** Size of the MISC region's EXINFO (SDM 38.9.2). */
constexpr uint32_t ExinfoSize = 16;

/** What EINIT takes from the SIGSTRUCT into the SECS. */
struct Identity
{
    Digest mrEnclave = {};
    Digest mrSigner = {};
    uint16_t isvProdId = 0;
    uint16_t isvSvn = 0;
};

/** The hidden state of one enclave, kept with its SECS page. */
struct Enclave
{
    uint64_t baseAddr = 0;
    uint64_t size = 0;
    uint32_t ssaFrameSize = 0;
    uint32_t miscSelect = 0;
    Attributes attributes = {};
    bool initialized = false;
    /** Valid EPC pages that name this SECS (EREMOVE: CHILD_PRESENT). */
    uint64_t children = 0;
    /** Logical processors inside (EREMOVE: ENCLAVE_ACT). */
    uint64_t activeThreads = 0;
    Measurement measurement;
    /** Set by EINIT. */
    Identity identity;

    bool
    inElrange(uint64_t lin) const
    {
        return lin >= baseAddr && lin - baseAddr < size;
    }
};

/** The CPU's view of the enclave it runs (CR_ACTIVE_SECS, CR_ELRANGE). */
struct EnclaveContext
{
    uint64_t secsPage = 0;  ///< physical address of the SECS
    uint64_t base = 0;
    uint64_t size = 0;

    bool
    inElrange(uint64_t lin) const
    {
        return lin >= base && lin - base < size;
    }
};

class Epcm
{
  public:
    /**
     * An EPCM over @p pages 4 KiB pages of EPC at physical address
     * @p base (page-aligned), both from the platform configuration.
     */
    Epcm(uint64_t base, uint64_t pages, const SgxCaps &caps = {})
        : epcBase(base), epcPages(pages), entries(pages), sgxCaps(caps)
    {}

    uint64_t base() const { return epcBase; }
    uint64_t pages() const { return epcPages; }
    uint64_t bytes() const { return epcPages * PageSize; }
    const SgxCaps &caps() const { return sgxCaps; }

    /** Is @p paddr in the EPC? */
    bool
    contains(uint64_t paddr) const
    {
        return paddr >= epcBase && paddr - epcBase < bytes();
    }

    /** EPC page index of @p paddr, which must be in the EPC. */
    uint64_t index(uint64_t paddr) const { return (paddr - epcBase) >> 12; }

    /** Physical address of EPC page @p idx. */
    uint64_t address(uint64_t idx) const { return epcBase + idx * PageSize; }

    /** The entry of the page holding @p paddr (in the EPC). */
    const EpcmEntry &
    entry(uint64_t paddr) const
    {
        return entries[index(paddr)];
    }

    /** The enclave whose valid SECS is at @p secs, or nullptr. */
    const Enclave *
    enclave(uint64_t secs) const
    {
        auto it = contains(secs) ? enclaves.find(index(secs))
                                 : enclaves.end();
        return it == enclaves.end() ? nullptr : &it->second;
    }

    /** The CPU context for running the enclave whose SECS is @p secs. */
    EnclaveContext
    context(uint64_t secs) const
    {
        const Enclave *e = enclave(secs);
        return e ? EnclaveContext{secs, e->baseAddr, e->size}
                 : EnclaveContext{secs, 0, 0};
    }

    /**
     * Outside enclave mode, does an access to [@p paddr, + @p size) get
     * abort-page semantics? Any byte in the EPC does (SDM 38.3: "non-
     * enclave accesses to EPC memory result in abort page semantics";
     * 38.5.1): reads return all ones and writes are dropped. Ranges
     * that straddle either bound of the EPC count, and so do ranges
     * that wrap around the top of the address space.
     */
    bool
    blocksOutside(uint64_t paddr, uint64_t size) const
    {
        if (size == 0 || epcPages == 0)
            return false;
        const uint64_t last = paddr + (size - 1);
        if (last < paddr) // wraps: [paddr, 2^64) and [0, last]
            return overlaps(paddr, ~0ULL) || overlaps(0, last);
        return overlaps(paddr, last);
    }

    /**
     * ECREATE (SDM 41.3, ECREATE Operation): @p secs is the destination
     * EPC page (RCX), @p secinfo and @p src what PAGEINFO points to.
     * Checks in the SDM's order; on success the page becomes the SECS of
     * an uninitialized enclave whose measurement has begun. PAGEINFO's
     * own checks (alignment of it, SRCPGE and SECINFO; LINADDR and SECS
     * zero: #GP) come after the #PF for an RCX outside the EPC: the
     * caller makes them between contains() and this call.
     */
    LeafResult
    ecreate(uint64_t secs, const Secinfo &secinfo, const Secs &src)
    {
        if (secs & PageOffsetMask)
            return LeafResult::gp();
        if (!contains(secs))
            return LeafResult::pf(Operand::Page);
        if (!reservedZero(secinfo.reserved, sizeof(secinfo.reserved)) ||
            (secinfo.flags & ~SecinfoSgx1Defined) ||
            secinfoPageType(secinfo.flags) != uint8_t(PageType::Secs))
            return LeafResult::gp();
        if (entries[index(secs)].valid)
            return LeafResult::pf(Operand::Page);
        if (!validSecs(src))
            return LeafResult::gp();

        const uint64_t idx = index(secs);
        EpcmEntry &e = entries[idx];
        e = EpcmEntry{};
        e.valid = true;
        e.pageType = PageType::Secs;
        e.secsPage = idx;
        Enclave &encl = enclaves[idx];
        encl = Enclave{};
        encl.baseAddr = src.baseAddr;
        encl.size = src.size;
        encl.ssaFrameSize = src.ssaFrameSize;
        encl.miscSelect = src.miscSelect;
        encl.attributes = src.attributes;
        encl.measurement.ecreate(src.ssaFrameSize, src.size);
        return LeafResult::ok();
    }

    /**
     * May EADD take this TCS (EADD Operation, PT_TCS case)? Its reserved
     * bytes (72-4095) must be zero, and a 32-bit enclave's FS and GS
     * limits must end on a page's last byte. TCS.FLAGS reserved bits
     * are EENTER's check, not EADD's.
     */
    static bool
    tcsAcceptable(const Tcs &tcs, bool mode64)
    {
        if (!reservedZero(tcs.reserved, sizeof(tcs.reserved)))
            return false;
        return mode64 || ((tcs.fsLimit & 0xfff) == 0xfff &&
                          (tcs.gsLimit & 0xfff) == 0xfff);
    }

    /**
     * EADD (SDM 41.3, EADD Operation): add EPC page @p page (RCX) to the
     * enclave whose SECS is @p secs (PAGEINFO.SECS) at linear address
     * @p lin_addr (PAGEINFO.LINADDR), with @p secinfo. For a PT_TCS page
     * pass the source page as @p tcs for EADD's TCS checks.
     *
     * The checks are the SDM's, in its order (the caller checks PAGEINFO,
     * SRCPGE and SECINFO alignment after contains(), as for ECREATE).
     * SGX1 has SECINFO.FLAGS
     * bits 7:3 reserved, so PENDING, MODIFIED and PR set are #GP here.
     * Like the SDM, EADD does not check that the enclave has no other
     * page at @p lin_addr: the EPCM then holds two pages for it, both
     * are measured, and the page tables pick the one that is used.
     */
    LeafResult
    eadd(uint64_t page, uint64_t secs, uint64_t lin_addr,
         const Secinfo &secinfo, const Tcs *tcs = nullptr)
    {
        if (page & PageOffsetMask)
            return LeafResult::gp();
        if (!contains(page))
            return LeafResult::pf(Operand::Page);
        if ((secs & PageOffsetMask) || (lin_addr & PageOffsetMask))
            return LeafResult::gp();
        if (!contains(secs))
            return LeafResult::pf(Operand::Secs);
        const uint8_t pt = secinfoPageType(secinfo.flags);
        if (!reservedZero(secinfo.reserved, sizeof(secinfo.reserved)) ||
            (secinfo.flags & ~SecinfoSgx1Defined) ||
            (pt != uint8_t(PageType::Reg) && pt != uint8_t(PageType::Tcs)))
            return LeafResult::gp();
        if (entries[index(page)].valid)
            return LeafResult::pf(Operand::Page);
        const EpcmEntry &s = entries[index(secs)];
        if (!s.valid || s.pageType != PageType::Secs)
            return LeafResult::pf(Operand::Secs);
        Enclave &encl = enclaves.at(index(secs));
        if (pt == uint8_t(PageType::Tcs) && tcs &&
            !tcsAcceptable(*tcs, encl.attributes.flags & AttrMode64Bit))
            return LeafResult::gp();
        if (pt == uint8_t(PageType::Reg) && (secinfo.flags & SecinfoW) &&
            !(secinfo.flags & SecinfoR))
            return LeafResult::gp();
        if (!encl.inElrange(lin_addr))
            return LeafResult::gp();
        if (encl.initialized)
            return LeafResult::gp();

        const uint64_t flags = Measurement::eaddMeasuredFlags(secinfo.flags);
        encl.measurement.eadd(lin_addr - encl.baseAddr, flags);
        EpcmEntry &e = entries[index(page)];
        e.valid = true;
        e.pageType = PageType(pt);
        e.r = flags & SecinfoR;
        e.w = flags & SecinfoW;
        e.x = flags & SecinfoX;
        e.secsPage = index(secs);
        e.linAddr = lin_addr;
        encl.children++;
        return LeafResult::ok();
    }

    /**
     * EEXTEND (SDM 41.3, EEXTEND Operation): measure the 256 bytes
     * @p data of the chunk at @p chunk (RCX) into the enclave whose SECS
     * is @p secs (RBX).
     */
    LeafResult
    eextend(uint64_t secs, uint64_t chunk, const uint8_t *data)
    {
        if (secs & PageOffsetMask)
            return LeafResult::gp();
        if (!contains(secs))
            return LeafResult::pf(Operand::Secs);
        if (chunk & (Measurement::ChunkSize - 1))
            return LeafResult::gp();
        if (!contains(chunk))
            return LeafResult::pf(Operand::Page);
        const EpcmEntry &e = entries[index(chunk)];
        if (!e.valid || (e.pageType != PageType::Reg &&
                         e.pageType != PageType::Tcs))
            return LeafResult::pf(Operand::Page);
        if (e.secsPage != index(secs))
            return LeafResult::gp();
        Enclave &encl = enclaves.at(e.secsPage);
        if (encl.initialized)
            return LeafResult::gp();
        encl.measurement.eextend(
            e.linAddr - encl.baseAddr + (chunk & PageOffsetMask), data);
        return LeafResult::ok();
    }

    /**
     * EINIT (SDM 41.3, EINIT Operation) from the EPCM checks on: the
     * caller has checked the SIGSTRUCT's header and signature (which the
     * SDM does first). @p verify gets the final MRENCLAVE and an
     * Identity to fill from the SIGSTRUCT; it returns the SgxError the
     * remaining checks give (SGX_INVALID_MEASUREMENT...). Only on
     * Success is the enclave initialized; otherwise nothing changes.
     */
    template <typename Verify>
    LeafResult
    einit(uint64_t secs, Verify &&verify)
    {
        if (secs & PageOffsetMask)
            return LeafResult::gp();
        if (!contains(secs))
            return LeafResult::pf(Operand::Page);
        const EpcmEntry &s = entries[index(secs)];
        if (!s.valid || s.pageType != PageType::Secs)
            return LeafResult::pf(Operand::Page);
        Enclave &encl = enclaves.at(index(secs));
        if (encl.initialized)
            return LeafResult::gp();
        const Digest mr_enclave = encl.measurement.digest();
        Identity id;
        const SgxError err = verify(mr_enclave, id);
        if (err != SgxError::Success)
            return LeafResult::fail(err);
        encl.identity = id;
        encl.identity.mrEnclave = mr_enclave;
        encl.initialized = true;
        return LeafResult::ok();
    }

    /** EINIT accepting any SIGSTRUCT. */
    LeafResult
    einit(uint64_t secs)
    {
        return einit(secs, [](const Digest &, Identity &) {
            return SgxError::Success;
        });
    }

    /**
     * EREMOVE (SDM 41.3, EREMOVE Operation): free EPC page @p page. An
     * invalid page is already free (success). An SECS is freed only
     * once no page names it (else SGX_CHILD_PRESENT); a page of an
     * enclave a logical processor runs gives SGX_ENCLAVE_ACT.
     */
    LeafResult
    eremove(uint64_t page)
    {
        if (page & PageOffsetMask)
            return LeafResult::gp();
        if (!contains(page))
            return LeafResult::pf(Operand::Page);
        EpcmEntry &e = entries[index(page)];
        if (!e.valid)
            return LeafResult::ok();
        if (e.pageType == PageType::Secs) {
            if (enclaves.at(index(page)).children)
                return LeafResult::fail(SgxError::ChildPresent);
            enclaves.erase(index(page));
            e = EpcmEntry{};
            return LeafResult::ok();
        }
        if (e.pageType == PageType::Va) {
            e = EpcmEntry{};
            return LeafResult::ok();
        }
        Enclave &encl = enclaves.at(e.secsPage);
        if (encl.activeThreads)
            return LeafResult::fail(SgxError::EnclaveAct);
        encl.children--;
        e = EpcmEntry{};
        return LeafResult::ok();
    }

    /**
     * Count a logical processor in or out of the enclave whose SECS is
     * @p secs (EENTER/ERESUME, EEXIT/AEX), for EREMOVE's ENCLAVE_ACT.
     */
    void
    threadEntered(uint64_t secs)
    {
        enclaves.at(index(secs)).activeThreads++;
    }

    void
    threadLeft(uint64_t secs)
    {
        enclaves.at(index(secs)).activeThreads--;
    }

    /**
     * The access check in enclave mode (SDM 38.3, "Access-control
     * requirements"; 38.5.1; 38.5.2), for one page of an access: the
     * processor runs the enclave of @p ctx, the access of @p kind is to
     * linear address @p lin, which paging translated to @p paddr.
     *
     * - Inside ELRANGE, the page must be a valid EPC page of this
     *   enclave, of type PT_REG (PT_TCS too for the processor's own
     *   @p implicit accesses, which bypass R/W/X), whose ENCLAVEADDRESS
     *   is the page of @p lin, and its EPCM R/W/X must allow the access;
     *   else #PF with the SGX bit.
     * - Outside ELRANGE, an instruction fetch is #GP(0) ("code fetches
     *   from inside an enclave to a linear address outside that enclave
     *   result in a #GP(0)", 38.3; a fetch that splits across ELRANGE
     *   faults likewise, 38.5.2), whatever it maps to. Data accesses
     *   that map into the EPC get abort-page semantics, as accesses
     *   from outside the enclave do; the rest are ordinary.
     *
     * ELRANGE is page-aligned, so no page straddles its bounds: the
     * caller checks each page of an access that crosses pages.
     */
    AccessResult
    checkEnclaveAccess(const EnclaveContext &ctx, uint64_t lin,
                       uint64_t paddr, AccessKind kind,
                       bool implicit = false) const
    {
        if (!ctx.inElrange(lin)) {
            if (kind == AccessKind::Fetch)
                return AccessResult::GeneralProtection;
            return contains(paddr) ? AccessResult::AbortPage
                                   : AccessResult::Ok;
        }
        if (!contains(paddr) || !contains(ctx.secsPage))
            return AccessResult::PageFaultSgx;
        const EpcmEntry &e = entries[index(paddr)];
        if (!e.valid || e.secsPage != index(ctx.secsPage) ||
            e.linAddr != (lin & ~PageOffsetMask))
            return AccessResult::PageFaultSgx;
        if (e.pageType == PageType::Tcs && implicit)
            return AccessResult::Ok;
        if (e.pageType != PageType::Reg)
            return AccessResult::PageFaultSgx;
        const bool allowed = kind == AccessKind::Read    ? e.r
                             : kind == AccessKind::Write ? e.w
                                                         : e.x;
        return allowed ? AccessResult::Ok : AccessResult::PageFaultSgx;
    }

    /**
     * The error code of an EPCM-induced #PF: P (an EPCM fault happens
     * only on a present translation), W/R, U/S for CPL 3 (@p user),
     * I/D for a fetch, and SGX (SDM 38.9.2.2; vol. 3A 4.7). The caller
     * clears I/D where paging would not report it (no NX, no SMEP).
     */
    static uint32_t
    pageFaultCode(AccessKind kind, bool user)
    {
        return 1u | (kind == AccessKind::Write ? 2u : 0u) |
               (user ? 4u : 0u) | (kind == AccessKind::Fetch ? 16u : 0u) |
               PfErrSgx;
    }

    /** An enclave and the EPC index of its SECS page, for State. */
    struct SavedEnclave
    {
        uint64_t secsPage;
        Enclave enclave;
    };

    /**
     * The EPCM and its enclaves as data, for a checkpoint of the gem5
     * object that owns this Epcm. Each Enclave is plain data but for
     * its Measurement, which has a state() and restore() of its own.
     */
    struct State
    {
        /** The EPC's base, so that a restore onto another EPC fails. */
        uint64_t base;
        /** One per EPC page, in index order. */
        std::vector<EpcmEntry> entries;
        /** Every enclave, by ascending SECS index. */
        std::vector<SavedEnclave> enclaves;
    };

    State
    state() const
    {
        State s{epcBase, entries, {}};
        // In EPC order rather than the map's, so that equal EPCMs give
        // equal checkpoints. Every valid SECS has its enclave.
        for (uint64_t i = 0; i < epcPages; i++) {
            if (entries[i].valid && entries[i].pageType == PageType::Secs)
                s.enclaves.push_back({i, enclaves.at(i)});
        }
        return s;
    }

    /**
     * Make this EPCM the one @p s was taken of; it must cover the same
     * EPC (base and pages). The leaves rely on what they keep true (an
     * enclave per valid SECS and none elsewhere, a SECS for each page,
     * CHILD_PRESENT counts), so a state that breaks any of it is refused
     * (false) and this EPCM is left as it was. The capabilities are the
     * platform's, not saved: enclaves stay as ECREATE took them. The
     * caller restores the CPUs' enclave contexts, which activeThreads
     * counts, itself.
     */
    bool
    restore(const State &s)
    {
        if (s.base != epcBase || s.entries.size() != epcPages)
            return false;
        std::unordered_map<uint64_t, Enclave> restored;
        for (const SavedEnclave &se : s.enclaves) {
            const uint64_t k = se.secsPage;
            if (k >= epcPages || !s.entries[k].valid ||
                s.entries[k].pageType != PageType::Secs ||
                s.entries[k].secsPage != k)
                return false;
            // EINIT froze the measurement into MRENCLAVE.
            const Enclave &encl = se.enclave;
            if (encl.initialized &&
                encl.identity.mrEnclave != encl.measurement.digest())
                return false;
            if (!restored.emplace(k, encl).second)
                return false;
        }
        std::unordered_map<uint64_t, uint64_t> children;
        for (uint64_t i = 0; i < epcPages; i++) {
            const EpcmEntry &e = s.entries[i];
            if (!e.valid)
                continue;
            if (e.pageType == PageType::Secs) {
                if (!restored.count(i))
                    return false;
                continue;
            }
            // EADD makes no other type (no EPA, no SGX2).
            if (e.pageType != PageType::Reg && e.pageType != PageType::Tcs)
                return false;
            auto it = restored.find(e.secsPage);
            if (it == restored.end() || (e.linAddr & PageOffsetMask) ||
                !it->second.inElrange(e.linAddr))
                return false;
            children[e.secsPage]++;
        }
        for (const auto &[k, encl] : restored) {
            auto it = children.find(k);
            if (encl.children != (it == children.end() ? 0 : it->second))
                return false;
        }
        entries = s.entries;
        enclaves.swap(restored);
        return true;
    }

  private:
    static bool
    reservedZero(const uint8_t *p, size_t n)
    {
        for (size_t i = 0; i < n; i++)
            if (p[i])
                return false;
        return true;
    }

    /** Does [lo, hi] (inclusive) meet the EPC? */
    bool
    overlaps(uint64_t lo, uint64_t hi) const
    {
        return lo <= epcBase + (bytes() - 1) && hi >= epcBase;
    }

    /** ECREATE's checks of the source SECS, after the EPCM ones. */
    bool
    validSecs(const Secs &src) const
    {
        const uint64_t xfrm = src.attributes.xfrm;
        if ((xfrm & 3) != 3 || (xfrm & ~sgxCaps.xfrm))
            return false;
        if (src.miscSelect & ~sgxCaps.miscSelect)
            return false;
        const uint64_t ssa_need = uint64_t(sgxCaps.xsaveBytes) +
                                  GprSgxSize +
                                  (src.miscSelect & 1 ? ExinfoSize : 0);
        if (uint64_t(src.ssaFrameSize) * PageSize < ssa_need)
            return false;
        const bool mode64 = src.attributes.flags & AttrMode64Bit;
        if (mode64 && !canonical(src.baseAddr))
            return false;
        if (!mode64 && (src.baseAddr >> 32))
            return false;
        const unsigned max_log2 = mode64 ? sgxCaps.maxEnclaveSize64
                                         : sgxCaps.maxEnclaveSize32;
        if (max_log2 < 64 && src.size >= (1ULL << max_log2))
            return false;
        // At least two pages, a power of two, and BASEADDR aligned on it.
        if (src.size < 2 * PageSize || (src.size & (src.size - 1)))
            return false;
        if (src.baseAddr & (src.size - 1))
            return false;
        if (src.attributes.flags & ~sgxCaps.attributes)
            return false;
        // Reserved fields, and KSS's CONFIGID/CONFIGSVN (no KSS here).
        return reservedZero(src.reserved1, sizeof(src.reserved1)) &&
               reservedZero(src.reserved2, sizeof(src.reserved2)) &&
               reservedZero(src.reserved3, sizeof(src.reserved3)) &&
               reservedZero(src.configId, sizeof(src.configId)) &&
               src.configSvn == 0 &&
               reservedZero(src.reserved4, sizeof(src.reserved4));
    }

    /** 48-bit canonical: bits 63:47 all equal. */
    static bool
    canonical(uint64_t a)
    {
        const uint64_t top = a >> 47;
        return top == 0 || top == (~0ULL >> 47);
    }

    uint64_t epcBase;
    uint64_t epcPages;
    std::vector<EpcmEntry> entries;
    std::unordered_map<uint64_t, Enclave> enclaves;
    SgxCaps sgxCaps;
};

} // namespace sgx
} // namespace scotch
} // namespace gem5

#endif // __SCOTCH_SGX_EPCM_HH__
