/*
 * Copyright (c) 2026 The Scotch-gem5 authors
 * SPDX-License-Identifier: BSD-3-Clause
 */

/**
 * @file
 * Hardware SMI triggers for Scotch: an SMI at every CR3 load (a context
 * switch) or accepted interrupt outside SMM, or at random intervals.
 * With them Scotch's handler runs without a cooperating hypervisor,
 * which is the point of measuring it against a malicious one.
 */

#ifndef __SCOTCH_SCOTCH_TRIGGER_HH__
#define __SCOTCH_SCOTCH_TRIGGER_HH__

#include <cstdint>
#include <random>

#include "base/statistics.hh"
#include "dev/x86/intdev.hh"
#include "params/X86ScotchTrigger.hh"
#include "scotch/smm_controller.hh"
#include "sim/eventq.hh"
#include "sim/sim_object.hh"

namespace gem5
{

class System;

namespace X86ISA
{

class ScotchTrigger : public SimObject, public SmmController::Observer
{
  public:
    using Params = X86ScotchTriggerParams;

    ScotchTrigger(const Params &p);

    void init() override;
    void startup() override;
    Port &getPort(const std::string &if_name,
                  PortID idx=InvalidPortID) override;

    void cr3Loaded(ThreadContext *tc, RegVal new_cr3,
                   bool in_smm) override;
    void interruptAccepted(ThreadContext *tc, uint8_t vector,
                           bool in_smm) override;

    /** Needed by IntRequestPort; this device receives no messages. */
    AddrRangeList getIntAddrRange() const { return AddrRangeList(); }

    void serialize(CheckpointOut &cp) const override;
    void unserialize(CheckpointIn &cp) override;

    /** Why an SMI was raised: the subnames of smisRaised. */
    enum Cause { Cr3, Interrupt, Random, NumCauses };

  protected:
    /** Send an SMI interrupt message to local APIC @p apic. */
    void raiseSmi(int apic, Cause cause);
    /** Make an SMI pending in @p tc's local APIC now, before its next
     *  instruction: not through the interrupt bus. */
    void raiseSmiNow(ThreadContext *tc, Cause cause);
    /** A random SMI to every CPU, and the next one scheduled. */
    void randomSmi();
    /** Ticks to the next random SMI: exponential, mean randomMean. */
    Tick drawInterval();

    System *system;
    IntRequestPort<ScotchTrigger> intRequestPort;
    const bool onCr3;
    const bool onInterrupt;
    const Tick randomMean;
    const Tick randomStart;
    const uint64_t seed;

    /**
     * The generator, replayed from the seed on restore: each interval
     * uses exactly one output, so the number drawn is its state.
     */
    std::mt19937_64 rng;
    uint64_t draws = 0;
    /** CR3 loads before startup() are the loader's reset, not software. */
    bool running = false;
    EventFunctionWrapper randomEvent;

    struct TriggerStats : public statistics::Group
    {
        TriggerStats(statistics::Group *parent);

        statistics::Scalar cr3LoadsOutsideSmm;
        statistics::Scalar cr3LoadsInSmm;
        statistics::Scalar interruptsOutsideSmm;
        statistics::Vector smisRaised;
    } stats;
};

} // namespace X86ISA
} // namespace gem5

#endif // __SCOTCH_SCOTCH_TRIGGER_HH__
