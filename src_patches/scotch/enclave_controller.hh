/*
 * Copyright (c) 2026 The Scotch-gem5 authors
 * SPDX-License-Identifier: BSD-3-Clause
 */

/**
 * @file
 * SGX1's enclave memory protection behind the x86 model's SGX hook: the
 * EPC and its EPCM (sgx_epcm.hh holds the rules), the access control on
 * CPU accesses and page walks, and the ENCLS leaves that build an
 * enclave. The memory-side guard asks it about DMA.
 */

#ifndef __SCOTCH_ENCLAVE_CONTROLLER_HH__
#define __SCOTCH_ENCLAVE_CONTROLLER_HH__

#include <memory>
#include <vector>

#include "arch/x86/sgx_hook.hh"
#include "base/statistics.hh"
#include "params/X86EnclaveController.hh"
#include "scotch/sgx_epcm.hh"
#include "scotch/sgx_keys.hh"
#include "sim/sim_object.hh"

namespace gem5
{

class System;

namespace X86ISA
{

class EnclaveController : public SimObject, public SgxHook
{
  public:
    using Params = X86EnclaveControllerParams;

    EnclaveController(const Params &p);

    Fault execute(ThreadContext *tc, bool user,
                  const StaticInstPtr &inst) override;
    Fault checkPhysical(const RequestPtr &req, ThreadContext *tc,
                        BaseMMU::Mode mode) override;
    bool blocksWalk(ThreadContext *tc, Addr paddr,
                    unsigned size) override;
    void asyncExit(ThreadContext *tc) override;

    /**
     * From the memory-side guard: is a DMA access to [@p paddr, +@p size)
     * in the EPC (refused with abort semantics)? Counts it if so.
     */
    bool refusesDma(Addr paddr, unsigned size, bool write);

    void serialize(CheckpointOut &cp) const override;
    void unserialize(CheckpointIn &cp) override;

  protected:
    /** What a logical processor runs (CR_ENCLAVE_MODE and friends). */
    struct Context
    {
        bool inEnclave = false;
        /** CR_ACTIVE_SECS and CR_ELRANGE. */
        scotch::sgx::EnclaveContext enclave;
        /** CR_TCS_PA and the TCS's linear address (AEX's RBX). */
        Addr tcsPaddr = 0;
        Addr tcsLinear = 0;
        /** The AEP, saved by EENTER and ERESUME (AEX's RCX and RIP). */
        Addr aep = 0;
        /** FS and GS bases outside the enclave (CR_SAVE_FS/GS). */
        Addr outsideFs = 0;
        Addr outsideGs = 0;
    };

    /** @p tc's context, or nullptr for a context the system lacks. */
    Context *context(ThreadContext *tc);

    /** The access check in enclave mode (SDM 38.3, 38.5). */
    Fault checkInEnclave(const RequestPtr &req, ThreadContext *tc,
                         BaseMMU::Mode mode, const Context &c);

    /** The ENCLS leaf in EAX. */
    Fault encls(ThreadContext *tc);
    /** The ENCLU leaf in EAX; @p pc_set if it moved the PC itself. */
    Fault enclu(ThreadContext *tc, const StaticInstPtr &inst,
                bool &pc_set);
    /** EENTER, or ERESUME with @p resume. */
    Fault enter(ThreadContext *tc, Context &c, bool resume,
                const StaticInstPtr &inst);
    Fault eexit(ThreadContext *tc, Context &c, const StaticInstPtr &inst);
    Fault egetkey(ThreadContext *tc, Context &c);
    /** Leave enclave mode: the outside FS and GS, the TCS idle. */
    void leave(ThreadContext *tc, Context &c);

    /** Physical address of the GPRSGX region of SSA frame @p frame of
     *  the enclave @p c would run with @p tcs_paddr; 0 if that frame is
     *  not one of the enclave's own R/W pages. */
    Addr gprSgx(ThreadContext *tc, const scotch::sgx::EnclaveContext &e,
                Addr tcs_paddr, uint32_t frame) const;
    /** The PC of the instruction after @p inst. */
    static std::unique_ptr<PCStateBase> nextPc(ThreadContext *tc,
                                               const StaticInstPtr &inst);

    /**
     * The physical address of linear address @p lin (an ENCLS operand),
     * or the fault its translation raises.
     */
    Fault translate(ThreadContext *tc, Addr lin, BaseMMU::Mode mode,
                    Addr &paddr) const;
    /** The linear address of the effective address in @p reg (DS). */
    Addr linear(ThreadContext *tc, const RegId &reg) const;

    /** Turn a leaf's result into its fault or its RAX and RFLAGS. */
    Fault finish(ThreadContext *tc, const scotch::sgx::LeafResult &r,
                 Addr page_lin, Addr secs_lin, bool writes_rax);

    System *system;
    std::unique_ptr<scotch::sgx::Epcm> epcm;
    std::vector<Context> contexts;
    scotch::sgx::PlatformKeys platform;
    const Cycles eenterLatency;
    const Cycles eexitLatency;
    const Cycles aexLatency;
    const Cycles eresumeLatency;

    struct EnclaveStats : public statistics::Group
    {
        EnclaveStats(statistics::Group *parent);

        statistics::Vector leaves;
        statistics::Vector userLeaves;
        statistics::Scalar aexs;
        statistics::Scalar leafFaults;
        statistics::Scalar leafErrors;
        statistics::Scalar blockedReads;
        statistics::Scalar blockedWrites;
        statistics::Scalar blockedFetches;
        statistics::Scalar blockedWalks;
        statistics::Scalar blockedInSmm;
        statistics::Scalar blockedDmaReads;
        statistics::Scalar blockedDmaWrites;
    } stats;
};

} // namespace X86ISA
} // namespace gem5

#endif // __SCOTCH_ENCLAVE_CONTROLLER_HH__
