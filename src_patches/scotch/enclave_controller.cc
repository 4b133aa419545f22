/*
 * Copyright (c) 2026 The Scotch-gem5 authors
 * SPDX-License-Identifier: BSD-3-Clause
 */

#include "scotch/enclave_controller.hh"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <string>
#include <tuple>
#include <vector>

#include "arch/x86/regs/int.hh"
#include "arch/x86/regs/misc.hh"
#include "arch/x86/smm_hook.hh"
#include "arch/x86/types.hh"
#include "arch/x86/utility.hh"
#include "base/bitfield.hh"
#include "base/logging.hh"
#include "base/trace.hh"
#include "cpu/base.hh"
#include "cpu/thread_context.hh"
#include "debug/Sgx.hh"
#include "mem/port_proxy.hh"
#include "scotch/abort_page.hh"
#include "scotch/stall.hh"
#include "sim/serialize.hh"
#include "sim/system.hh"

namespace gem5
{

namespace X86ISA
{

namespace sgx = scotch::sgx;

namespace
{

/** The ENCLS leaves modelled, in the order of the leaves stat. */
constexpr sgx::Encls Leaves[] = {
    sgx::Encls::Ecreate, sgx::Encls::Eadd, sgx::Encls::Einit,
    sgx::Encls::Eremove, sgx::Encls::Eextend,
};
constexpr const char *LeafNames[] = {
    "ecreate", "eadd", "einit", "eremove", "eextend",
};

/** The ENCLU leaves modelled, in the order of the userLeaves stat. */
constexpr sgx::Enclu UserLeaves[] = {
    sgx::Enclu::Eenter, sgx::Enclu::Eresume, sgx::Enclu::Eexit,
    sgx::Enclu::Egetkey,
};
constexpr const char *UserLeafNames[] = {
    "eenter", "eresume", "eexit", "egetkey",
};

int
userLeafIndex(uint32_t leaf)
{
    for (int i = 0; i < int(std::size(UserLeaves)); i++)
        if (uint32_t(UserLeaves[i]) == leaf)
            return i;
    return -1;
}

/** GPRSGX (SDM 38.9.1): RAX..R15 in gem5's order, then these. */
constexpr Addr GprRflags = 128;
constexpr Addr GprRip = 136;
constexpr Addr GprUrsp = 144;
constexpr Addr GprUrbp = 152;
constexpr Addr GprFsBase = 168;
constexpr Addr GprGsBase = 176;
constexpr unsigned NumGprs = 16;
/** TCS.STATE: the model's busy flag (a logical processor is inside). */
constexpr uint64_t TcsBusy = 1;

/** The platform secret from its hex parameter. */
std::array<uint8_t, 32>
parseSecret(const std::string &name, const std::string &hex)
{
    std::array<uint8_t, 32> out = {};
    auto digit = [](char c) {
        return c >= '0' && c <= '9' ? c - '0'
             : c >= 'a' && c <= 'f' ? c - 'a' + 10
             : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    };
    bool ok = hex.size() == 2 * out.size();
    for (size_t i = 0; ok && i < out.size(); i++) {
        const int hi = digit(hex[2 * i]), lo = digit(hex[2 * i + 1]);
        ok = hi >= 0 && lo >= 0;
        out[i] = uint8_t(hi << 4 | lo);
    }
    fatal_if(!ok, "%s: platform_secret '%s' is not 64 hex digits", name,
             hex);
    return out;
}

int
leafIndex(uint32_t leaf)
{
    for (int i = 0; i < int(std::size(Leaves)); i++)
        if (uint32_t(Leaves[i]) == leaf)
            return i;
    return -1;
}

/** RFLAGS bits an ENCLS leaf that returns an error code writes. */
constexpr uint64_t FlagCf = 1 << 0;
constexpr uint64_t FlagPf = 1 << 2;
constexpr uint64_t FlagAf = 1 << 4;
constexpr uint64_t FlagZf = 1 << 6;
constexpr uint64_t FlagSf = 1 << 7;
constexpr uint64_t FlagOf = 1 << 11;
constexpr uint64_t FlagRf = 1 << 16;

Fault
gp()
{
    return std::make_shared<GeneralProtection>(0);
}

} // anonymous namespace

EnclaveController::EnclaveController(const Params &p)
    : SimObject(p), system(p.system),
      eenterLatency(p.eenter_latency), eexitLatency(p.eexit_latency),
      aexLatency(p.aex_latency), eresumeLatency(p.eresume_latency),
      stats(this)
{
    platform.secret = parseSecret(name(), p.platform_secret);
    fatal_if(p.epc_base & sgx::PageOffsetMask,
             "%s: epc_base %#x is not 4 KiB aligned", name(), p.epc_base);
    fatal_if(p.epc_size % sgx::PageSize,
             "%s: epc_size %d is not a multiple of 4 KiB", name(),
             p.epc_size);
    if (p.epc_size == 0)
        return; // no SGX: ENCLS and ENCLU stay #UD
    epcm = std::make_unique<sgx::Epcm>(p.epc_base,
                                       p.epc_size / sgx::PageSize);
    SgxHook::registerHook(system, this);
    setGuardsMemory(true);
}

Addr
EnclaveController::linear(ThreadContext *tc, const RegId &reg) const
{
    const RegVal v = tc->getReg(reg);
    const HandyM5Reg m5reg = tc->readMiscRegNoEffect(misc_reg::M5Reg);
    if (m5reg.mode == LongMode && m5reg.submode == SixtyFourBitMode)
        return v;
    // Outside 64-bit mode the operands are 32-bit offsets in DS.
    return (tc->readMiscRegNoEffect(misc_reg::DsBase) + bits(v, 31, 0)) &
           mask(32);
}

Fault
EnclaveController::translate(ThreadContext *tc, Addr lin,
                             BaseMMU::Mode mode, Addr &paddr) const
{
    auto req = std::make_shared<Request>(
        lin, 1, 0, Request::funcRequestorId, tc->pcState().instAddr(),
        tc->contextId());
    Fault fault = tc->getMMUPtr()->translateFunctional(req, tc, mode);
    if (fault == NoFault)
        paddr = req->getPaddr();
    return fault;
}

Fault
EnclaveController::execute(ThreadContext *tc, bool user,
                           const StaticInstPtr &inst)
{
    const CR0 cr0 = tc->readMiscRegNoEffect(misc_reg::Cr0);
    const RFLAGS rflags = getRFlags(tc);
    const HandyM5Reg m5reg = tc->readMiscRegNoEffect(misc_reg::M5Reg);
    // ENCLS and ENCLU (SDM vol. 2A): #UD in real or virtual-8086 mode,
    // in SMM, and at the wrong privilege (ENCLS at CPL 0 only, ENCLU at
    // CPL 3 only).
    if (!cr0.pe || rflags.vm || inSmm(tc) ||
            (user ? m5reg.cpl != 3 : m5reg.cpl != 0))
        return std::make_shared<InvalidOpcode>();
    // #GP(0) without paging (ENCLU: or without CR0.NE).
    if (!cr0.pg || (user && !cr0.ne)) {
        ++stats.leafFaults;
        return gp();
    }
    bool pc_set = false;
    Fault fault = user ? enclu(tc, inst, pc_set) : encls(tc);
    if (fault != NoFault) {
        ++stats.leafFaults;
        DPRINTF(Sgx, "ctx %d: %s leaf %d: %s\n", tc->contextId(),
                user ? "ENCLU" : "ENCLS",
                bits(tc->getReg(int_reg::Rax), 31, 0), fault->name());
        return fault;
    }
    if (!pc_set)
        tc->pcState(*nextPc(tc, inst));
    return NoFault;
}

Fault
EnclaveController::finish(ThreadContext *tc, const sgx::LeafResult &r,
                          Addr page_lin, Addr secs_lin, bool writes_rax)
{
    switch (r.fault) {
      case sgx::Fault::GeneralProtection:
        return gp();
      case sgx::Fault::PageFaultSgx:
        // An EPCM fault on a present translation the leaf writes.
        return std::make_shared<PageFault>(
            r.operand == sgx::Operand::Page ? page_lin : secs_lin,
            sgx::Epcm::pageFaultCode(sgx::AccessKind::Write, false));
      case sgx::Fault::None:
        break;
    }
    if (writes_rax) {
        // EINIT and EREMOVE: RAX is the error code, ZF says it is not 0;
        // CF, PF, AF, OF and SF are cleared.
        const uint32_t err = uint32_t(r.error);
        tc->setReg(int_reg::Rax, RegVal(err));
        uint64_t flags = getRFlags(tc);
        flags &= ~(FlagCf | FlagPf | FlagAf | FlagZf | FlagSf | FlagOf);
        if (err)
            flags |= FlagZf;
        setRFlags(tc, flags);
        if (err)
            ++stats.leafErrors;
    }
    return NoFault;
}

Fault
EnclaveController::encls(ThreadContext *tc)
{
    PortProxy &mem = system->physProxy;
    const uint32_t leaf = bits(tc->getReg(int_reg::Rax), 31, 0);
    const int idx = leafIndex(leaf);
    if (idx < 0)
        return gp(); // an undefined leaf, or one not modelled
    ++stats.leaves[idx];
    const Addr rbx = linear(tc, int_reg::Rbx);
    const Addr rcx = linear(tc, int_reg::Rcx);
    const Addr rdx = linear(tc, int_reg::Rdx);
    DPRINTF(Sgx, "ctx %d: ENCLS %s rbx %#x rcx %#x rdx %#x\n",
            tc->contextId(), LeafNames[idx], rbx, rcx, rdx);
    Addr pa_rcx = 0;
    Fault fault;

    switch (sgx::Encls(leaf)) {
      case sgx::Encls::Ecreate:
      case sgx::Encls::Eadd:
        {
            // RBX: PAGEINFO; RCX: the EPC page (ECREATE and EADD
            // Operation, in the SDM's order).
            const bool create = sgx::Encls(leaf) == sgx::Encls::Ecreate;
            if ((rbx & 31) || (rcx & sgx::PageOffsetMask))
                return gp();
            if ((fault = translate(tc, rcx, BaseMMU::Write, pa_rcx)))
                return fault;
            if (!epcm->contains(pa_rcx)) {
                return finish(tc, sgx::LeafResult::pf(sgx::Operand::Page),
                              rcx, 0, false);
            }
            Addr pa_info;
            if ((fault = translate(tc, rbx, BaseMMU::Read, pa_info)))
                return fault;
            sgx::PageInfo info;
            mem.readBlob(pa_info, &info, sizeof(info));
            if ((info.srcPge & sgx::PageOffsetMask) || (info.secinfo & 63))
                return gp();
            if (create && (info.linAddr || info.secs))
                return gp();
            Addr pa_src, pa_secinfo;
            if ((fault = translate(tc, info.srcPge, BaseMMU::Read,
                                   pa_src)) ||
                    (fault = translate(tc, info.secinfo, BaseMMU::Read,
                                       pa_secinfo)))
                return fault;
            sgx::Secinfo secinfo;
            mem.readBlob(pa_secinfo, &secinfo, sizeof(secinfo));
            std::vector<uint8_t> page(sgx::PageSize);
            mem.readBlob(pa_src, page.data(), page.size());
            sgx::LeafResult r;
            if (create) {
                sgx::Secs src;
                std::memcpy(&src, page.data(), sizeof(src));
                r = epcm->ecreate(pa_rcx, secinfo, src);
            } else {
                Addr pa_secs;
                if ((fault = translate(tc, info.secs, BaseMMU::Write,
                                       pa_secs)))
                    return fault;
                const bool tcs = sgx::secinfoPageType(secinfo.flags) ==
                                 uint8_t(sgx::PageType::Tcs);
                sgx::Tcs tcs_page;
                std::memcpy(&tcs_page, page.data(), sizeof(tcs_page));
                r = epcm->eadd(pa_rcx, pa_secs, info.linAddr, secinfo,
                               tcs ? &tcs_page : nullptr);
                // EADD zeroes a TCS's STATE (its first 8 bytes).
                if (tcs)
                    std::memset(page.data(), 0, 8);
            }
            if (r.succeeded())
                mem.writeBlob(pa_rcx, page.data(), page.size());
            return finish(tc, r, rcx, info.secs, false);
        }
      case sgx::Encls::Eextend:
        {
            // RBX: the SECS; RCX: the 256-byte chunk.
            Addr pa_secs;
            if ((fault = translate(tc, rbx, BaseMMU::Write, pa_secs)) ||
                    (fault = translate(tc, rcx, BaseMMU::Read, pa_rcx)))
                return fault;
            uint8_t chunk[sgx::Measurement::ChunkSize];
            if (epcm->contains(pa_rcx))
                mem.readBlob(pa_rcx, chunk, sizeof(chunk));
            return finish(tc, epcm->eextend(pa_secs, pa_rcx, chunk), rcx,
                          rbx, false);
        }
      case sgx::Encls::Einit:
        {
            // RBX: SIGSTRUCT; RCX: the SECS; RDX: EINITTOKEN.
            if ((rbx & sgx::PageOffsetMask) || (rcx & sgx::PageOffsetMask) ||
                    (rdx & 511))
                return gp();
            Addr pa_sig, pa_token;
            if ((fault = translate(tc, rbx, BaseMMU::Read, pa_sig)) ||
                    (fault = translate(tc, rcx, BaseMMU::Write, pa_rcx)) ||
                    (fault = translate(tc, rdx, BaseMMU::Read, pa_token)))
                return fault;
            sgx::Sigstruct sig;
            mem.readBlob(pa_sig, &sig, sizeof(sig));
            // Launch control relaxed: no RSA check, no EINITTOKEN; the
            // SIGSTRUCT names the measurement and the identity.
            auto verify = [&sig](const sgx::Digest &mr,
                                 sgx::Identity &id) {
                if (std::memcmp(sig.enclaveHash, mr.data(), mr.size()))
                    return sgx::SgxError::InvalidMeasurement;
                id.mrSigner = sgx::Sha256::hash(sig.modulus,
                                                sizeof(sig.modulus));
                id.isvProdId = sig.isvProdId;
                id.isvSvn = sig.isvSvn;
                return sgx::SgxError::Success;
            };
            return finish(tc, epcm->einit(pa_rcx, verify), rcx, rcx, true);
        }
      case sgx::Encls::Eremove:
        if ((fault = translate(tc, rcx, BaseMMU::Write, pa_rcx)))
            return fault;
        return finish(tc, epcm->eremove(pa_rcx), rcx, 0, true);
      default:
        return gp();
    }
}

Fault
EnclaveController::checkPhysical(const RequestPtr &req, ThreadContext *tc,
                                 BaseMMU::Mode mode)
{
    const Context *c = context(tc);
    if (c && c->inEnclave)
        return checkInEnclave(req, tc, mode, *c);
    if (!epcm->blocksOutside(req->getPaddr(), req->getSize()))
        return NoFault;
    // From outside an enclave the EPC is the abort page (SDM 38.3), in
    // SMM too (processor-reserved memory).
    if (inSmm(tc))
        ++stats.blockedInSmm;
    DPRINTF(Sgx, "ctx %d: %s of %#x (%d bytes) in the EPC aborted\n",
            tc->contextId(), mode == BaseMMU::Execute ? "fetch" :
            mode == BaseMMU::Write ? "write" : "read", req->getPaddr(),
            req->getSize());
    if (mode == BaseMMU::Execute) {
        // The abort page's bytes, FF FF, decode to no instruction.
        ++stats.blockedFetches;
        return std::make_shared<InvalidOpcode>();
    }
    if (mode == BaseMMU::Write)
        ++stats.blockedWrites;
    else
        ++stats.blockedReads;
    abortAccess(req);
    return NoFault;
}

bool
EnclaveController::blocksWalk(ThreadContext *tc, Addr paddr,
                              unsigned size)
{
    if (!epcm->blocksOutside(paddr, size))
        return false;
    ++stats.blockedWalks;
    DPRINTF(Sgx, "ctx %d: page walk at %#x in the EPC aborted\n",
            tc->contextId(), paddr);
    return true;
}

bool
EnclaveController::refusesDma(Addr paddr, unsigned size, bool write)
{
    if (!epcm || !epcm->blocksOutside(paddr, size))
        return false;
    if (write)
        ++stats.blockedDmaWrites;
    else
        ++stats.blockedDmaReads;
    return true;
}

void
EnclaveController::serialize(CheckpointOut &cp) const
{
    if (!epcm)
        return;
    // The EPCM, entry by entry.
    const sgx::Epcm::State st = epcm->state();
    std::vector<uint8_t> valid, type, perms;
    std::vector<uint64_t> secs_page, lin_addr;
    for (const sgx::EpcmEntry &e : st.entries) {
        valid.push_back(e.valid);
        type.push_back(uint8_t(e.pageType));
        perms.push_back(e.r | e.w << 1 | e.x << 2);
        secs_page.push_back(e.secsPage);
        lin_addr.push_back(e.linAddr);
    }
    SERIALIZE_CONTAINER(valid);
    SERIALIZE_CONTAINER(type);
    SERIALIZE_CONTAINER(perms);
    SERIALIZE_CONTAINER(secs_page);
    SERIALIZE_CONTAINER(lin_addr);
    // A checkpoint file is written in order: every value of this
    // section comes before its subsections.
    const int enclaves = st.enclaves.size();
    SERIALIZE_SCALAR(enclaves);
    const int n = contexts.size();
    SERIALIZE_SCALAR(n);
    // The enclaves' hidden state, measurement included.
    for (int i = 0; i < enclaves; i++) {
        ScopedCheckpointSection sec(cp, csprintf("enclave%d", i));
        const sgx::Enclave &e = st.enclaves[i].enclave;
        const sgx::Measurement::State m = e.measurement.state();
        paramOut(cp, "secs_page", st.enclaves[i].secsPage);
        paramOut(cp, "base", e.baseAddr);
        paramOut(cp, "size", e.size);
        paramOut(cp, "ssa_frame_size", e.ssaFrameSize);
        paramOut(cp, "misc_select", e.miscSelect);
        paramOut(cp, "attr_flags", e.attributes.flags);
        paramOut(cp, "attr_xfrm", e.attributes.xfrm);
        paramOut(cp, "initialized", e.initialized);
        paramOut(cp, "children", e.children);
        paramOut(cp, "active_threads", e.activeThreads);
        arrayParamOut(cp, "sha_h", std::vector<uint32_t>(m.sha.h.begin(),
                                                         m.sha.h.end()));
        paramOut(cp, "sha_length", m.sha.length);
        arrayParamOut(cp, "sha_buf", std::vector<uint8_t>(
            m.sha.buf.begin(), m.sha.buf.end()));
        paramOut(cp, "sha_used", m.sha.used);
        paramOut(cp, "updates", m.updates);
        const sgx::Identity &id = e.identity;
        arrayParamOut(cp, "mr_enclave", std::vector<uint8_t>(
            id.mrEnclave.begin(), id.mrEnclave.end()));
        arrayParamOut(cp, "mr_signer", std::vector<uint8_t>(
            id.mrSigner.begin(), id.mrSigner.end()));
        paramOut(cp, "isv_prod_id", id.isvProdId);
        paramOut(cp, "isv_svn", id.isvSvn);
    }
    // What each logical processor runs.
    for (int i = 0; i < n; i++) {
        ScopedCheckpointSection sec(cp, csprintf("context%d", i));
        const Context &c = contexts[i];
        paramOut(cp, "in_enclave", c.inEnclave);
        paramOut(cp, "secs", c.enclave.secsPage);
        paramOut(cp, "base", c.enclave.base);
        paramOut(cp, "size", c.enclave.size);
        paramOut(cp, "tcs_paddr", c.tcsPaddr);
        paramOut(cp, "tcs_linear", c.tcsLinear);
        paramOut(cp, "aep", c.aep);
        paramOut(cp, "outside_fs", c.outsideFs);
        paramOut(cp, "outside_gs", c.outsideGs);
    }
}

void
EnclaveController::unserialize(CheckpointIn &cp)
{
    if (!epcm)
        return;
    std::vector<uint8_t> valid, type, perms;
    std::vector<uint64_t> secs_page, lin_addr;
    UNSERIALIZE_CONTAINER(valid);
    UNSERIALIZE_CONTAINER(type);
    UNSERIALIZE_CONTAINER(perms);
    UNSERIALIZE_CONTAINER(secs_page);
    UNSERIALIZE_CONTAINER(lin_addr);
    sgx::Epcm::State st;
    st.base = epcm->base();
    for (size_t i = 0; i < valid.size(); i++) {
        sgx::EpcmEntry e;
        e.valid = valid.at(i);
        e.pageType = sgx::PageType(type.at(i));
        e.r = perms.at(i) & 1;
        e.w = perms.at(i) & 2;
        e.x = perms.at(i) & 4;
        e.secsPage = secs_page.at(i);
        e.linAddr = lin_addr.at(i);
        st.entries.push_back(e);
    }
    int enclaves;
    UNSERIALIZE_SCALAR(enclaves);
    for (int i = 0; i < enclaves; i++) {
        ScopedCheckpointSection sec(cp, csprintf("enclave%d", i));
        sgx::Epcm::SavedEnclave se;
        sgx::Enclave &e = se.enclave;
        paramIn(cp, "secs_page", se.secsPage);
        paramIn(cp, "base", e.baseAddr);
        paramIn(cp, "size", e.size);
        paramIn(cp, "ssa_frame_size", e.ssaFrameSize);
        paramIn(cp, "misc_select", e.miscSelect);
        paramIn(cp, "attr_flags", e.attributes.flags);
        paramIn(cp, "attr_xfrm", e.attributes.xfrm);
        paramIn(cp, "initialized", e.initialized);
        paramIn(cp, "children", e.children);
        paramIn(cp, "active_threads", e.activeThreads);
        sgx::Measurement::State m;
        std::vector<uint32_t> h;
        std::vector<uint8_t> buf, mr_enclave, mr_signer;
        arrayParamIn(cp, "sha_h", h);
        arrayParamIn(cp, "sha_buf", buf);
        arrayParamIn(cp, "mr_enclave", mr_enclave);
        arrayParamIn(cp, "mr_signer", mr_signer);
        fatal_if(h.size() != m.sha.h.size() ||
                 buf.size() != m.sha.buf.size() ||
                 mr_enclave.size() != e.identity.mrEnclave.size() ||
                 mr_signer.size() != e.identity.mrSigner.size(),
                 "%s: enclave%d's digests in the checkpoint have the "
                 "wrong sizes", name(), i);
        std::copy(h.begin(), h.end(), m.sha.h.begin());
        std::copy(buf.begin(), buf.end(), m.sha.buf.begin());
        paramIn(cp, "sha_length", m.sha.length);
        paramIn(cp, "sha_used", m.sha.used);
        paramIn(cp, "updates", m.updates);
        fatal_if(!e.measurement.restore(m),
                 "%s: enclave%d's measurement in the checkpoint is not a "
                 "SHA-256 state of whole fields", name(), i);
        std::copy(mr_enclave.begin(), mr_enclave.end(),
                  e.identity.mrEnclave.begin());
        std::copy(mr_signer.begin(), mr_signer.end(),
                  e.identity.mrSigner.begin());
        paramIn(cp, "isv_prod_id", e.identity.isvProdId);
        paramIn(cp, "isv_svn", e.identity.isvSvn);
        st.enclaves.push_back(se);
    }
    fatal_if(!epcm->restore(st),
             "%s: the checkpoint's EPCM does not fit this EPC (%d pages "
             "at %#x) or is inconsistent", name(), epcm->pages(),
             epcm->base());
    int n;
    UNSERIALIZE_SCALAR(n);
    contexts.assign(n, Context());
    for (int i = 0; i < n; i++) {
        ScopedCheckpointSection sec(cp, csprintf("context%d", i));
        Context &c = contexts[i];
        paramIn(cp, "in_enclave", c.inEnclave);
        paramIn(cp, "secs", c.enclave.secsPage);
        paramIn(cp, "base", c.enclave.base);
        paramIn(cp, "size", c.enclave.size);
        paramIn(cp, "tcs_paddr", c.tcsPaddr);
        paramIn(cp, "tcs_linear", c.tcsLinear);
        paramIn(cp, "aep", c.aep);
        paramIn(cp, "outside_fs", c.outsideFs);
        paramIn(cp, "outside_gs", c.outsideGs);
    }
}

EnclaveController::Context *
EnclaveController::context(ThreadContext *tc)
{
    const ContextID id = tc->contextId();
    const size_t n = system->threads.size();
    if (id < 0 || size_t(id) >= n)
        return nullptr;
    if (contexts.size() < n)
        contexts.resize(n);
    return &contexts[id];
}

std::unique_ptr<PCStateBase>
EnclaveController::nextPc(ThreadContext *tc, const StaticInstPtr &inst)
{
    std::unique_ptr<PCStateBase> pc(tc->pcState().clone());
    inst->advancePC(*pc);
    return pc;
}

Fault
EnclaveController::checkInEnclave(const RequestPtr &req, ThreadContext *tc,
                                  BaseMMU::Mode mode, const Context &c)
{
    const sgx::AccessKind kind =
        mode == BaseMMU::Execute ? sgx::AccessKind::Fetch
        : mode == BaseMMU::Write ? sgx::AccessKind::Write
                                 : sgx::AccessKind::Read;
    const Addr lin = req->getVaddr();
    switch (epcm->checkEnclaveAccess(c.enclave, lin, req->getPaddr(),
                                     kind)) {
      case sgx::AccessResult::Ok:
        return NoFault;
      case sgx::AccessResult::AbortPage:
        ++(mode == BaseMMU::Write ? stats.blockedWrites
                                  : stats.blockedReads);
        abortAccess(req);
        return NoFault;
      case sgx::AccessResult::GeneralProtection:
        return gp();
      case sgx::AccessResult::PageFaultSgx:
        break;
    }
    // An EPCM fault reports the page, not the byte (SDM 38.9.2.2).
    const HandyM5Reg m5reg = tc->readMiscRegNoEffect(misc_reg::M5Reg);
    DPRINTF(Sgx, "ctx %d: enclave %s of %#x (paddr %#x): EPCM #PF\n",
            tc->contextId(), mode == BaseMMU::Execute ? "fetch" :
            mode == BaseMMU::Write ? "write" : "read", lin,
            req->getPaddr());
    return std::make_shared<PageFault>(
        lin & ~sgx::PageOffsetMask,
        sgx::Epcm::pageFaultCode(kind, m5reg.cpl == 3));
}

Addr
EnclaveController::gprSgx(ThreadContext *tc,
                          const sgx::EnclaveContext &e, Addr tcs_paddr,
                          uint32_t frame) const
{
    PortProxy &mem = system->physProxy;
    const uint64_t ossa = mem.read<uint64_t>(tcs_paddr + sgx::TcsOffOssa,
                                             ByteOrder::little);
    const sgx::Enclave *encl = epcm->enclave(e.secsPage);
    const uint64_t frame_bytes = uint64_t(encl->ssaFrameSize) *
                                 sgx::PageSize;
    // GPRSGX ends the frame, on its last page.
    const Addr lin = e.base + ossa + (frame + 1) * frame_bytes -
                     sgx::GprSgxSize;
    Addr paddr;
    if (translate(tc, lin, BaseMMU::Write, paddr) != NoFault)
        return 0;
    const sgx::AccessResult r = epcm->checkEnclaveAccess(
        e, lin, paddr, sgx::AccessKind::Write, true);
    return r == sgx::AccessResult::Ok ? paddr : 0;
}

Fault
EnclaveController::enclu(ThreadContext *tc, const StaticInstPtr &inst,
                         bool &pc_set)
{
    Context *c = context(tc);
    const uint32_t leaf = bits(tc->getReg(int_reg::Rax), 31, 0);
    const int idx = userLeafIndex(leaf);
    if (!c || idx < 0)
        return gp(); // an undefined leaf, or one not modelled
    ++stats.userLeaves[idx];
    switch (sgx::Enclu(leaf)) {
      case sgx::Enclu::Eenter:
      case sgx::Enclu::Eresume:
        pc_set = true;
        return enter(tc, *c, sgx::Enclu(leaf) == sgx::Enclu::Eresume,
                     inst);
      case sgx::Enclu::Eexit:
        pc_set = true;
        return eexit(tc, *c, inst);
      case sgx::Enclu::Egetkey:
        return egetkey(tc, *c);
      default:
        return gp();
    }
}

Fault
EnclaveController::enter(ThreadContext *tc, Context &c, bool resume,
                         const StaticInstPtr &inst)
{
    // EENTER and ERESUME Operation (SDM 41.4), for a 64-bit enclave
    // entered from 64-bit mode.
    PortProxy &mem = system->physProxy;
    const HandyM5Reg m5reg = tc->readMiscRegNoEffect(misc_reg::M5Reg);
    if (c.inEnclave || m5reg.submode != SixtyFourBitMode)
        return gp();
    const Addr tcs_lin = tc->getReg(int_reg::Rbx);
    const Addr aep = tc->getReg(int_reg::Rcx);
    if (tcs_lin & sgx::PageOffsetMask)
        return gp();
    Addr tcs;
    if (Fault fault = translate(tc, tcs_lin, BaseMMU::Read, tcs))
        return fault;
    const auto pf = [tcs_lin]() -> Fault {
        return std::make_shared<PageFault>(
            tcs_lin, sgx::Epcm::pageFaultCode(sgx::AccessKind::Read, true));
    };
    if (!epcm->contains(tcs))
        return pf();
    const sgx::EpcmEntry &e = epcm->entry(tcs);
    if (!e.valid || e.pageType != sgx::PageType::Tcs)
        return pf();
    if (e.linAddr != tcs_lin)
        return gp();
    const Addr secs = epcm->address(e.secsPage);
    const sgx::Enclave *encl = epcm->enclave(secs);
    if (!encl || !encl->initialized ||
            !(encl->attributes.flags & sgx::AttrMode64Bit))
        return gp();
    auto tcs_read = [&](size_t off, unsigned size) -> uint64_t {
        uint64_t v = 0;
        mem.readBlob(tcs + off, &v, size);
        return v;
    };
    const uint32_t cssa = tcs_read(sgx::TcsOffCssa, 4);
    const uint32_t nssa = tcs_read(sgx::TcsOffNssa, 4);
    if (tcs_read(0, 8) & TcsBusy)
        return gp(); // another logical processor is inside
    if (resume ? cssa == 0 : cssa >= nssa)
        return gp();
    const sgx::EnclaveContext ec = epcm->context(secs);
    const uint32_t frame = resume ? cssa - 1 : cssa;
    const Addr gpr = gprSgx(tc, ec, tcs, frame);
    if (!gpr)
        return gp();

    const Addr next = nextPc(tc, inst)->instAddr();
    c.inEnclave = true;
    c.enclave = ec;
    c.tcsPaddr = tcs;
    c.tcsLinear = tcs_lin;
    c.aep = aep;
    c.outsideFs = tc->readMiscRegNoEffect(misc_reg::FsBase);
    c.outsideGs = tc->readMiscRegNoEffect(misc_reg::GsBase);
    epcm->threadEntered(secs);
    mem.write<uint64_t>(tcs, TcsBusy, ByteOrder::little);
    mem.write<uint64_t>(tcs + sgx::TcsOffAep, aep, ByteOrder::little);
    // The outside stack, for AEX to restore.
    mem.write<uint64_t>(gpr + GprUrsp, tc->getReg(int_reg::Rsp),
                        ByteOrder::little);
    mem.write<uint64_t>(gpr + GprUrbp, tc->getReg(int_reg::Rbp),
                        ByteOrder::little);
    Addr pc;
    if (resume) {
        // The state AEX saved in that frame.
        for (unsigned i = 0; i < NumGprs; i++) {
            tc->setReg(intRegClass[i],
                       mem.read<uint64_t>(gpr + 8 * i, ByteOrder::little));
        }
        setRFlags(tc, mem.read<uint64_t>(gpr + GprRflags,
                                         ByteOrder::little));
        tc->setMiscReg(misc_reg::FsBase,
                       mem.read<uint64_t>(gpr + GprFsBase,
                                          ByteOrder::little));
        tc->setMiscReg(misc_reg::GsBase,
                       mem.read<uint64_t>(gpr + GprGsBase,
                                          ByteOrder::little));
        pc = mem.read<uint64_t>(gpr + GprRip, ByteOrder::little);
        mem.write<uint32_t>(tcs + sgx::TcsOffCssa, cssa - 1,
                            ByteOrder::little);
    } else {
        tc->setReg(int_reg::Rcx, next);
        tc->setReg(int_reg::Rax, cssa);
        tc->setMiscReg(misc_reg::FsBase,
                       ec.base + tcs_read(sgx::TcsOffOfsBasgx, 8));
        tc->setMiscReg(misc_reg::GsBase,
                       ec.base + tcs_read(sgx::TcsOffOgsBasgx, 8));
        pc = ec.base + tcs_read(sgx::TcsOffOentry, 8);
    }
    tc->pcState(PCState(pc));
    DPRINTF(Sgx, "ctx %d: %s TCS %#x at %#x (AEP %#x)\n", tc->contextId(),
            resume ? "ERESUME" : "EENTER", tcs_lin, pc, aep);
    stallCore(tc, resume ? eresumeLatency : eenterLatency);
    return NoFault;
}

void
EnclaveController::leave(ThreadContext *tc, Context &c)
{
    tc->setMiscReg(misc_reg::FsBase, c.outsideFs);
    tc->setMiscReg(misc_reg::GsBase, c.outsideGs);
    system->physProxy.write<uint64_t>(c.tcsPaddr, 0, ByteOrder::little);
    epcm->threadLeft(c.enclave.secsPage);
    c.inEnclave = false;
}

Fault
EnclaveController::eexit(ThreadContext *tc, Context &c,
                         const StaticInstPtr &inst)
{
    // EEXIT Operation: to RBX, RCX the address after EEXIT.
    if (!c.inEnclave)
        return gp();
    const Addr target = tc->getReg(int_reg::Rbx);
    tc->setReg(int_reg::Rcx, nextPc(tc, inst)->instAddr());
    leave(tc, c);
    tc->pcState(PCState(target));
    DPRINTF(Sgx, "ctx %d: EEXIT to %#x\n", tc->contextId(), target);
    stallCore(tc, eexitLatency);
    return NoFault;
}

void
EnclaveController::asyncExit(ThreadContext *tc)
{
    // An interrupt, exception or SMI in enclave mode (SDM 40.4, AEX):
    // the enclave's state to the current SSA frame, the synthetic state
    // to the registers, and the event is taken at the AEP.
    Context *c = context(tc);
    if (!c || !c->inEnclave)
        return;
    PortProxy &mem = system->physProxy;
    const Addr tcs = c->tcsPaddr;
    uint32_t cssa = mem.read<uint32_t>(tcs + sgx::TcsOffCssa,
                                       ByteOrder::little);
    const Addr gpr = gprSgx(tc, c->enclave, tcs, cssa);
    // EENTER and ERESUME checked the frame; only software that remaps
    // its SSA while inside could move it.
    panic_if(!gpr, "%s: AEX with no SSA frame %d", name(), cssa);
    for (unsigned i = 0; i < NumGprs; i++) {
        mem.write<uint64_t>(gpr + 8 * i, tc->getReg(intRegClass[i]),
                            ByteOrder::little);
    }
    mem.write<uint64_t>(gpr + GprRflags, getRFlags(tc), ByteOrder::little);
    mem.write<uint64_t>(gpr + GprRip, tc->pcState().instAddr(),
                        ByteOrder::little);
    mem.write<uint64_t>(gpr + GprFsBase,
                        tc->readMiscRegNoEffect(misc_reg::FsBase),
                        ByteOrder::little);
    mem.write<uint64_t>(gpr + GprGsBase,
                        tc->readMiscRegNoEffect(misc_reg::GsBase),
                        ByteOrder::little);
    mem.write<uint32_t>(tcs + sgx::TcsOffCssa, cssa + 1, ByteOrder::little);

    const Addr ursp = mem.read<uint64_t>(gpr + GprUrsp, ByteOrder::little);
    const Addr urbp = mem.read<uint64_t>(gpr + GprUrbp, ByteOrder::little);
    for (unsigned i = 0; i < NumGprs; i++)
        tc->setReg(intRegClass[i], RegVal(0));
    tc->setReg(int_reg::Rax, RegVal(sgx::Enclu::Eresume));
    tc->setReg(int_reg::Rbx, c->tcsLinear);
    tc->setReg(int_reg::Rcx, c->aep);
    tc->setReg(int_reg::Rsp, ursp);
    tc->setReg(int_reg::Rbp, urbp);
    // Synthetic RFLAGS (SDM table 40-1): CF, PF, AF, ZF, SF, OF and RF
    // cleared, the rest kept.
    setRFlags(tc, getRFlags(tc) & ~(FlagCf | FlagPf | FlagAf | FlagZf |
                                    FlagSf | FlagOf | FlagRf));
    leave(tc, *c);
    tc->pcState(PCState(c->aep));
    ++stats.aexs;
    DPRINTF(Sgx, "ctx %d: AEX to %#x\n", tc->contextId(), c->aep);
    stallCore(tc, aexLatency);
}

Fault
EnclaveController::egetkey(ThreadContext *tc, Context &c)
{
    // EGETKEY Operation: RBX the KEYREQUEST, RCX where the key goes,
    // both in the enclave.
    if (!c.inEnclave)
        return gp();
    const Addr req_lin = tc->getReg(int_reg::Rbx);
    const Addr out_lin = tc->getReg(int_reg::Rcx);
    if ((req_lin & 511) || (out_lin & 15))
        return gp();
    Addr req_pa, out_pa;
    if (Fault fault = translate(tc, req_lin, BaseMMU::Read, req_pa))
        return fault;
    if (Fault fault = translate(tc, out_lin, BaseMMU::Write, out_pa))
        return fault;
    for (auto [lin, pa, kind] :
            {std::tuple{req_lin, req_pa, sgx::AccessKind::Read},
             std::tuple{out_lin, out_pa, sgx::AccessKind::Write}}) {
        const sgx::AccessResult r =
            epcm->checkEnclaveAccess(c.enclave, lin, pa, kind);
        if (r == sgx::AccessResult::PageFaultSgx) {
            return std::make_shared<PageFault>(
                lin & ~sgx::PageOffsetMask,
                sgx::Epcm::pageFaultCode(kind, true));
        }
        if (r != sgx::AccessResult::Ok)
            return gp();
    }
    sgx::KeyRequest req;
    system->physProxy.readBlob(req_pa, &req, sizeof(req));
    const sgx::Enclave *encl = epcm->enclave(c.enclave.secsPage);
    sgx::KeyIdentity id;
    id.mrEnclave = encl->identity.mrEnclave;
    id.mrSigner = encl->identity.mrSigner;
    id.isvProdId = encl->identity.isvProdId;
    id.isvSvn = encl->identity.isvSvn;
    id.attributes = encl->attributes;
    id.attributes.flags |= sgx::AttrInit;
    id.miscSelect = encl->miscSelect;
    const sgx::KeyResult r = sgx::egetkey(platform, id, req);
    if (r.generalProtection)
        return gp();
    if (r.succeeded())
        system->physProxy.writeBlob(out_pa, r.key.data(), r.key.size());
    return finish(tc, sgx::LeafResult::fail(r.error), 0, 0, true);
}

EnclaveController::EnclaveStats::EnclaveStats(statistics::Group *parent)
    : statistics::Group(parent),
      ADD_STAT(leaves, statistics::units::Count::get(),
               "ENCLS leaves executed, by leaf"),
      ADD_STAT(userLeaves, statistics::units::Count::get(),
               "ENCLU leaves executed, by leaf (EENTER and ERESUME are "
               "the entries, EEXIT the exits)"),
      ADD_STAT(aexs, statistics::units::Count::get(),
               "Asynchronous enclave exits (an interrupt, exception or "
               "SMI in enclave mode)"),
      ADD_STAT(leafFaults, statistics::units::Count::get(),
               "ENCLS and ENCLU executions that faulted (#GP, #PF)"),
      ADD_STAT(leafErrors, statistics::units::Count::get(),
               "Leaves that returned an error code in RAX"),
      ADD_STAT(blockedReads, statistics::units::Count::get(),
               "CPU reads of the EPC from outside an enclave (all ones)"),
      ADD_STAT(blockedWrites, statistics::units::Count::get(),
               "CPU writes to the EPC from outside an enclave (dropped)"),
      ADD_STAT(blockedFetches, statistics::units::Count::get(),
               "Instruction fetches from the EPC outside an enclave (#UD)"),
      ADD_STAT(blockedWalks, statistics::units::Count::get(),
               "Page walks that read a paging structure in the EPC"),
      ADD_STAT(blockedInSmm, statistics::units::Count::get(),
               "Of the CPU accesses above, those made in SMM"),
      ADD_STAT(blockedDmaReads, statistics::units::Count::get(),
               "DMA reads of the EPC refused (all ones)"),
      ADD_STAT(blockedDmaWrites, statistics::units::Count::get(),
               "DMA writes to the EPC refused (dropped)")
{
    leaves.init(std::size(Leaves));
    for (size_t i = 0; i < std::size(Leaves); i++)
        leaves.subname(i, LeafNames[i]);
    userLeaves.init(std::size(UserLeaves));
    for (size_t i = 0; i < std::size(UserLeaves); i++)
        userLeaves.subname(i, UserLeafNames[i]);
}

} // namespace X86ISA
} // namespace gem5
