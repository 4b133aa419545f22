/*
 * Copyright (c) 2026 The Scotch-gem5 authors
 * SPDX-License-Identifier: BSD-3-Clause
 */

/**
 * @file
 * System Management Mode for gem5's x86 CPUs, behind the core's SmmHook.
 * State lives here, per hardware context (keyed by context ID), so it
 * survives CPU switching and is checkpointed with this object.
 */

#ifndef __SCOTCH_SMM_CONTROLLER_HH__
#define __SCOTCH_SMM_CONTROLLER_HH__

#include <string>
#include <vector>

#include "arch/x86/smm_hook.hh"
#include "base/statistics.hh"
#include "params/X86SmmController.hh"
#include "scotch/smm_state.hh"
#include "scotch/smrr.hh"
#include "sim/sim_object.hh"

namespace gem5
{

class System;

namespace X86ISA
{

class SmmController : public SimObject, public SmmHook
{
  public:
    using Params = X86SmmControllerParams;

    SmmController(const Params &p);

    void regStats() override;

    bool inSmm(ThreadContext *tc) const override;
    void enterSmm(ThreadContext *tc) override;
    void resume(ThreadContext *tc) override;

    bool ownsMsr(uint32_t msr) const override;
    Fault checkMsr(ThreadContext *tc, uint32_t msr, bool read) override;
    uint64_t readMsr(ThreadContext *tc, uint32_t msr) override;
    void writeMsr(ThreadContext *tc, uint32_t msr, uint64_t value) override;

    Fault checkPhysical(const RequestPtr &req, ThreadContext *tc,
                        BaseMMU::Mode mode) override;
    bool blocksWalk(ThreadContext *tc, Addr paddr, unsigned size) override;
    void cr3Written(ThreadContext *tc, RegVal old_cr3,
                    RegVal new_cr3) override;
    void interruptAccepted(ThreadContext *tc, uint8_t vector) override;

    /**
     * Told of what a hardware SMI trigger watches, with whether the CPU
     * is in SMM (which only the controller knows): X86ScotchTrigger.
     */
    class Observer
    {
      public:
        virtual ~Observer() = default;
        /**
         * Software loaded @p new_cr3 (MOV to CR3; not SMM entry or
         * RSM). The register still holds the old value.
         */
        virtual void cr3Loaded(ThreadContext *tc, RegVal new_cr3,
                               bool in_smm) = 0;
        /** The CPU accepted a maskable interrupt with @p vector. */
        virtual void interruptAccepted(ThreadContext *tc, uint8_t vector,
                                       bool in_smm) = 0;
        /**
         * RSM left SMM after @p cycles (from the SMI to the end of the
         * exit latency): X86SwitchTimer adds them to the switch.
         */
        virtual void smmLeft(ThreadContext *tc, Cycles cycles) {}
    };

    void addObserver(Observer *o) { observers.push_back(o); }

    void serialize(CheckpointOut &cp) const override;
    void unserialize(CheckpointIn &cp) override;

    /**
     * Whether [@p paddr, @p paddr + @p size) overlaps the SMRAM range of
     * any context whose SMRR is valid: what the memory-side guard
     * (X86SmramGuard) refuses to DMA and other non-CPU requestors.
     */
    bool inSmram(Addr paddr, unsigned size) const;

    /** SMBASE of context @p id (for tests and tracing). */
    Addr smbase(ContextID id) const { return contexts.at(id).smbase; }

  protected:
    /** What a hardware context adds to the architectural state. */
    struct Context
    {
        bool inSmm = false;
        Addr smbase = 0;
        scotch::Smrr smrr;
        /** When the current SMI was taken. */
        Tick entryTick = 0;
    };

    Context &context(ThreadContext *tc);
    const Context &context(ThreadContext *tc) const;

    /** Capture the architectural state into a save area. */
    scotch::SaveArea saveState(ThreadContext *tc, const Context &c) const;
    /** Why a saved state cannot be restored, or "" if it can. */
    std::string invalidState(const scotch::SaveArea &area) const;
    void restoreState(ThreadContext *tc, const scotch::SaveArea &area);
    /** Load the SMM environment: real-mode-like, CS.base = SMBASE. */
    void loadSmmEnvironment(ThreadContext *tc, Addr smbase);
    /** Tell the core whether any context's SMRR is valid. */
    void updateGuard();

    System *system;
    const Addr resetSmbase;
    const Cycles entryLatency;
    const Cycles exitLatency;
    const bool faultOnSmramAccess;
    const Cycles smmCyclesMax;
    std::vector<Context> contexts;
    std::vector<Observer *> observers;

    struct SmmStats : public statistics::Group
    {
        SmmStats(statistics::Group *parent);

        /** Size the per-context vectors once the CPUs exist. */
        void init(size_t contexts, Cycles max_cycles);

        statistics::Vector smis;
        statistics::Vector rsms;
        statistics::Vector cyclesInSmm;
        statistics::VectorDistribution cyclesPerSmi;
        statistics::Vector blockedSmramAccesses;
        statistics::Vector blockedWalks;
        statistics::Vector refusedMsrWrites;
    } stats;
};

} // namespace X86ISA
} // namespace gem5

#endif // __SCOTCH_SMM_CONTROLLER_HH__
