/*
 * Copyright (c) 2026 The Scotch-gem5 authors
 * SPDX-License-Identifier: BSD-3-Clause
 */

/**
 * @file
 * The cost of a hypervisor's context switch, in cycles, from the PCs the
 * CPUs retire: from the switch routine's entry to the first guest
 * instruction, with the SMM time of Scotch's SMIs inside it. It reads no
 * hypervisor data and needs no hypervisor change, only the addresses of
 * its symbols.
 */

#ifndef __SCOTCH_SWITCH_TIMER_HH__
#define __SCOTCH_SWITCH_TIMER_HH__

#include <map>
#include <memory>
#include <vector>

#include "base/output.hh"
#include "base/statistics.hh"
#include "params/X86SwitchTimer.hh"
#include "scotch/smm_controller.hh"
#include "sim/probe/probe.hh"
#include "sim/sim_object.hh"

namespace gem5
{

class BaseCPU;

namespace X86ISA
{

class SwitchTimer : public SimObject, public SmmController::Observer
{
  public:
    using Params = X86SwitchTimerParams;

    SwitchTimer(const Params &p);

    void init() override;
    void regProbeListeners() override;

    void cr3Loaded(ThreadContext *tc, RegVal new_cr3,
                   bool in_smm) override {}
    void interruptAccepted(ThreadContext *tc, uint8_t vector,
                           bool in_smm) override {}
    void smmLeft(ThreadContext *tc, Cycles cycles) override;

  protected:
    /** CPU @p i retired the instruction at @p pc. */
    void retired(unsigned i, Addr pc);

    bool inHypervisor(Addr pc) const
    {
        return pc >= hypStart && pc < hypEnd;
    }

    /** What each watched CPU is in the middle of. */
    struct Cpu
    {
        BaseCPU *cpu = nullptr;
        /** A switch began and no guest instruction retired yet. */
        bool open = false;
        Cycles start = Cycles(0);
        Cycles smmCycles = Cycles(0);
        unsigned smis = 0;
        /** The next retired instruction is RSM itself (in SMRAM). */
        bool skipNext = false;
        /** An SMI ended: the next retired instruction closes its gap. */
        bool gapOpen = false;
        /** When the last instruction outside SMM retired. */
        Cycles lastOutside = Cycles(0);
        /** lastOutside is set: a CPU switched in has retired nothing,
         *  and its first gap would count from cycle 0. */
        bool outsideSeen = false;
    };

    const std::vector<BaseCPU *> watched;
    SmmController *smm;
    const Addr startPc;
    const Addr hypStart;
    const Addr hypEnd;

    std::vector<Cpu> cpus;
    /** Context ID -> index into cpus. */
    std::map<ContextID, unsigned> byContext;
    std::vector<std::unique_ptr<ProbeListenerArgFunc<uint64_t>>>
        listeners;

    OutputStream *switchFile = nullptr;
    OutputStream *gapFile = nullptr;

    struct SwitchStats : public statistics::Group
    {
        SwitchStats(statistics::Group *parent, Cycles max_cycles);

        statistics::Scalar switches;
        statistics::Scalar aborted;
        statistics::Scalar smisInSwitches;
        statistics::Distribution switchCycles;
        statistics::Distribution smmCyclesPerSwitch;
        statistics::Distribution smiGapCycles;
    } stats;
};

} // namespace X86ISA
} // namespace gem5

#endif // __SCOTCH_SWITCH_TIMER_HH__
