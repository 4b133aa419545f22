/*
 * Copyright (c) 2026 The Scotch-gem5 authors
 * SPDX-License-Identifier: BSD-3-Clause
 */

#include "scotch/scotch_trigger.hh"

#include <algorithm>
#include <cmath>

#include "arch/x86/interrupts.hh"
#include "arch/x86/intmessage.hh"
#include "base/logging.hh"
#include "base/trace.hh"
#include "cpu/base.hh"
#include "cpu/thread_context.hh"
#include "debug/ScotchTrigger.hh"
#include "sim/serialize.hh"
#include "sim/system.hh"

namespace gem5
{

namespace X86ISA
{

namespace
{
const char *const CauseNames[] = {"cr3", "interrupt", "random"};
} // anonymous namespace

ScotchTrigger::ScotchTrigger(const Params &p)
    : SimObject(p), system(p.system),
      intRequestPort(name() + ".int_request", this, this, p.int_latency),
      onCr3(p.on_cr3), onInterrupt(p.on_external_interrupt),
      randomMean(p.random_mean), randomStart(p.random_start),
      seed(p.seed), rng(p.seed),
      randomEvent([this]{ randomSmi(); }, name() + ".random"),
      stats(this)
{
    p.smm->addObserver(this);
}

void
ScotchTrigger::init()
{
    SimObject::init();
    fatal_if(!intRequestPort.isConnected(),
             "%s: int_requestor is not connected: wire it to the "
             "interrupt crossbar like the I/O APIC's.", name());
}

void
ScotchTrigger::startup()
{
    SimObject::startup();
    running = true;
    // On a restore, unserialize() has scheduled the pending one.
    if (randomMean && !randomEvent.scheduled()) {
        schedule(randomEvent,
                 std::max(curTick(), randomStart) + drawInterval());
    }
}

Port &
ScotchTrigger::getPort(const std::string &if_name, PortID idx)
{
    if (if_name == "int_requestor")
        return intRequestPort;
    return SimObject::getPort(if_name, idx);
}

void
ScotchTrigger::cr3Loaded(ThreadContext *tc, RegVal new_cr3, bool in_smm)
{
    if (!running)
        return;
    if (in_smm) {
        // Scotch's handler may switch address spaces itself; an SMI
        // for that would be latched and re-enter it after RSM.
        ++stats.cr3LoadsInSmm;
        DPRINTF(ScotchTrigger, "ctx %d: CR3 load in SMM, no SMI\n",
                tc->contextId());
        return;
    }
    ++stats.cr3LoadsOutsideSmm;
    // At the boundary right after the MOV: the handler tells a CR3
    // load's SMI by the MOV before the saved RIP. Through the bus it
    // came a few instructions late (two on Atomic at 3 GHz, more on O3,
    // where a ledger then charged a switch to the wrong domain).
    if (onCr3)
        raiseSmiNow(tc, Cr3);
}

void
ScotchTrigger::interruptAccepted(ThreadContext *tc, uint8_t vector,
                                 bool in_smm)
{
    if (!running || in_smm)
        return;
    ++stats.interruptsOutsideSmm;
    DPRINTF(ScotchTrigger, "ctx %d: interrupt %#x accepted\n",
            tc->contextId(), vector);
    if (onInterrupt)
        raiseSmi(tc->contextId(), Interrupt);
}

void
ScotchTrigger::raiseSmi(int apic, Cause cause)
{
    TriggerIntMessage message = 0;
    message.deliveryMode = delivery_mode::SMI;
    message.destMode = 0; // physical
    message.trigger = 0;  // edge
    // gem5's x86 systems number APICs by context ID.
    message.destination = apic;
    DPRINTF(ScotchTrigger, "SMI (%s) -> APIC %d\n", CauseNames[cause],
            apic);
    intRequestPort.sendMessage(buildIntTriggerPacket(apic, message),
                               system->isTimingMode());
    stats.smisRaised[cause]++;
}

void
ScotchTrigger::raiseSmiNow(ThreadContext *tc, Cause cause)
{
    auto *apic = dynamic_cast<X86ISA::Interrupts *>(
        tc->getCpuPtr()->getInterruptController(tc->threadId()));
    panic_if(!apic, "%s: context %d has no x86 local APIC", name(),
             tc->contextId());
    TriggerIntMessage message = 0;
    message.deliveryMode = delivery_mode::SMI;
    message.destMode = 0; // physical
    message.trigger = 0;  // edge
    message.destination = tc->contextId();
    DPRINTF(ScotchTrigger, "SMI (%s) -> APIC %d, now\n", CauseNames[cause],
            tc->contextId());
    // The APIC's own entry for a message: it only marks the SMI pending.
    PacketPtr pkt = buildIntTriggerPacket(tc->contextId(), message);
    apic->recvMessage(pkt);
    delete pkt;
    stats.smisRaised[cause]++;
}

Tick
ScotchTrigger::drawInterval()
{
    // One 64-bit output per draw (see rng): u in [0, 1) with 53 bits.
    const double u = (rng() >> 11) * 0x1.0p-53;
    ++draws;
    const double ticks = -std::log1p(-u) * (double)randomMean;
    return std::max<Tick>(1, (Tick)std::llround(ticks));
}

void
ScotchTrigger::randomSmi()
{
    // A chipset SMI reaches every processor.
    for (int i = 0; i < system->threads.size(); i++)
        raiseSmi(i, Random);
    schedule(randomEvent, curTick() + drawInterval());
}

void
ScotchTrigger::serialize(CheckpointOut &cp) const
{
    SERIALIZE_SCALAR(draws);
    const bool random_pending = randomEvent.scheduled();
    SERIALIZE_SCALAR(random_pending);
    const Tick random_when = random_pending ? randomEvent.when() : 0;
    SERIALIZE_SCALAR(random_when);
}

void
ScotchTrigger::unserialize(CheckpointIn &cp)
{
    UNSERIALIZE_SCALAR(draws);
    rng.seed(seed);
    rng.discard(draws);
    bool random_pending;
    Tick random_when;
    UNSERIALIZE_SCALAR(random_pending);
    UNSERIALIZE_SCALAR(random_when);
    if (random_pending && randomMean)
        schedule(randomEvent, random_when);
}

ScotchTrigger::TriggerStats::TriggerStats(statistics::Group *parent)
    : statistics::Group(parent),
      ADD_STAT(cr3LoadsOutsideSmm, statistics::units::Count::get(),
               "CR3 loads by software outside SMM"),
      ADD_STAT(cr3LoadsInSmm, statistics::units::Count::get(),
               "CR3 loads in SMM (never raise an SMI)"),
      ADD_STAT(interruptsOutsideSmm, statistics::units::Count::get(),
               "Maskable interrupts accepted outside SMM"),
      ADD_STAT(smisRaised, statistics::units::Count::get(),
               "SMI messages sent, by cause")
{
    smisRaised.init(NumCauses);
    for (int i = 0; i < NumCauses; i++)
        smisRaised.subname(i, CauseNames[i]);
}

} // namespace X86ISA
} // namespace gem5
