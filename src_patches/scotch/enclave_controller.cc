/*
 * Copyright (c) 2026 The Scotch-gem5 authors
 * SPDX-License-Identifier: BSD-3-Clause
 */

#include "scotch/enclave_controller.hh"

#include <cstring>
#include <iterator>
#include <vector>

#include "arch/x86/regs/int.hh"
#include "arch/x86/regs/misc.hh"
#include "arch/x86/smm_hook.hh"
#include "arch/x86/types.hh"
#include "arch/x86/utility.hh"
#include "base/bitfield.hh"
#include "base/logging.hh"
#include "base/trace.hh"
#include "cpu/thread_context.hh"
#include "debug/Sgx.hh"
#include "mem/port_proxy.hh"
#include "scotch/abort_page.hh"
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

Fault
gp()
{
    return std::make_shared<GeneralProtection>(0);
}

} // anonymous namespace

EnclaveController::EnclaveController(const Params &p)
    : SimObject(p), system(p.system), stats(this)
{
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
    // No ENCLU leaf is modelled yet: each is an undefined leaf, #GP(0).
    if (user || !cr0.pg) {
        ++stats.leafFaults;
        return gp();
    }
    Fault fault = encls(tc);
    if (fault != NoFault) {
        ++stats.leafFaults;
        DPRINTF(Sgx, "ctx %d: ENCLS leaf %d: %s\n", tc->contextId(),
                bits(tc->getReg(int_reg::Rax), 31, 0), fault->name());
        return fault;
    }
    std::unique_ptr<PCStateBase> pc(tc->pcState().clone());
    inst->advancePC(*pc);
    tc->pcState(*pc);
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
    if (!epcm->blocksOutside(req->getPaddr(), req->getSize()))
        return NoFault;
    // No CPU runs in enclave mode (ENCLU has no leaves yet), so every
    // access to the EPC comes from outside: abort-page semantics (SDM
    // 38.3), in SMM too (the EPC is processor-reserved memory).
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
    // The EPCM and the enclaves' measurements are not checkpointed yet:
    // refuse rather than restore an EPC whose pages lost their owners.
    if (!epcm)
        return;
    for (uint64_t i = 0; i < epcm->pages(); i++) {
        fatal_if(epcm->entry(epcm->address(i)).valid,
                 "%s: cannot checkpoint with EPC pages in use (page %#x): "
                 "the EPCM is not serialized yet", name(),
                 epcm->address(i));
    }
}

void
EnclaveController::unserialize(CheckpointIn &cp)
{
}

EnclaveController::EnclaveStats::EnclaveStats(statistics::Group *parent)
    : statistics::Group(parent),
      ADD_STAT(leaves, statistics::units::Count::get(),
               "ENCLS leaves executed, by leaf"),
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
}

} // namespace X86ISA
} // namespace gem5
