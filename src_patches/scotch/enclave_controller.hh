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

#include "arch/x86/sgx_hook.hh"
#include "base/statistics.hh"
#include "params/X86EnclaveController.hh"
#include "scotch/sgx_epcm.hh"
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

    /**
     * From the memory-side guard: is a DMA access to [@p paddr, +@p size)
     * in the EPC (refused with abort semantics)? Counts it if so.
     */
    bool refusesDma(Addr paddr, unsigned size, bool write);

    void serialize(CheckpointOut &cp) const override;
    void unserialize(CheckpointIn &cp) override;

  protected:
    /** The ENCLS leaf in EAX. */
    Fault encls(ThreadContext *tc);

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

    struct EnclaveStats : public statistics::Group
    {
        EnclaveStats(statistics::Group *parent);

        statistics::Vector leaves;
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
