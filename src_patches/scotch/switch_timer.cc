/*
 * Copyright (c) 2026 The Scotch-gem5 authors
 * SPDX-License-Identifier: BSD-3-Clause
 */

#include "scotch/switch_timer.hh"

#include "base/logging.hh"
#include "base/trace.hh"
#include "cpu/base.hh"
#include "cpu/thread_context.hh"
#include "debug/SwitchTimer.hh"

namespace gem5
{

namespace X86ISA
{

SwitchTimer::SwitchTimer(const Params &p)
    : SimObject(p), watched(p.cpus), smm(p.smm), startPc(p.start_pc),
      hypStart(p.hypervisor_start), hypEnd(p.hypervisor_end),
      stats(this, p.max_cycles)
{
    fatal_if(watched.empty(), "%s: no CPUs to watch", name());
    fatal_if(hypStart >= hypEnd,
             "%s: hypervisor text [%#x, %#x) is empty", name(), hypStart,
             hypEnd);
    fatal_if(!inHypervisor(startPc),
             "%s: start_pc %#x is outside the hypervisor's text "
             "[%#x, %#x)", name(), startPc, hypStart, hypEnd);
    smm->addObserver(this);
}

void
SwitchTimer::init()
{
    SimObject::init();
    cpus.assign(watched.size(), Cpu());
    for (unsigned i = 0; i < watched.size(); i++) {
        cpus[i].cpu = watched[i];
        for (ThreadID t = 0; t < watched[i]->numThreads; t++)
            byContext[watched[i]->getContext(t)->contextId()] = i;
    }
    switchFile = simout.create("switch_cycles.csv");
    // The tick each row ends at: a run keeps the rows of its window.
    *switchFile->stream() << "tick,cpu,cycles,smm_cycles,smis\n";
    gapFile = simout.create("smi_gaps.csv");
    *gapFile->stream() << "tick,cpu,cycles\n";
}

void
SwitchTimer::regProbeListeners()
{
    for (unsigned i = 0; i < watched.size(); i++) {
        listeners.push_back(
            std::make_unique<ProbeListenerArgFunc<uint64_t>>(
                watched[i]->getProbeManager(), "RetiredInstsPC",
                [this, i](const uint64_t &pc) { retired(i, pc); }));
    }
}

void
SwitchTimer::smmLeft(ThreadContext *tc, Cycles cycles)
{
    auto it = byContext.find(tc->contextId());
    if (it == byContext.end())
        return;
    Cpu &c = cpus[it->second];
    // RSM itself retires next, from SMRAM, after the controller has
    // left SMM: not a guest instruction.
    c.skipNext = true;
    c.gapOpen = true;
    if (c.open) {
        c.smmCycles += cycles;
        c.smis++;
    }
}

void
SwitchTimer::retired(unsigned i, Addr pc)
{
    Cpu &c = cpus[i];
    if (c.skipNext) {
        c.skipNext = false;
        return;
    }
    if (smm->inSmm(c.cpu->getContext(0)))
        return;
    const Cycles now = c.cpu->curCycle();
    if (c.gapOpen && c.outsideSeen) {
        const Cycles gap = now - c.lastOutside;
        stats.smiGapCycles.sample(gap);
        *gapFile->stream() << curTick() << ',' << i << ',' << gap
                           << std::endl;
    }
    c.gapOpen = false;
    c.lastOutside = now;
    c.outsideSeen = true;

    if (pc == startPc) {
        if (c.open)
            stats.aborted++;
        c.open = true;
        c.start = now;
        c.smmCycles = Cycles(0);
        c.smis = 0;
        return;
    }
    if (!c.open || inHypervisor(pc))
        return;
    const Cycles cycles = now - c.start;
    DPRINTF(SwitchTimer, "cpu %d: switch of %d cycles (%d in %d SMIs), "
            "into %#x\n", i, cycles, c.smmCycles, c.smis, pc);
    stats.switches++;
    stats.smisInSwitches += c.smis;
    stats.switchCycles.sample(cycles);
    stats.smmCyclesPerSwitch.sample(c.smmCycles);
    *switchFile->stream() << curTick() << ',' << i << ',' << cycles << ','
                          << c.smmCycles << ',' << c.smis << std::endl;
    c.open = false;
}

SwitchTimer::SwitchStats::SwitchStats(statistics::Group *parent,
                                      Cycles max_cycles)
    : statistics::Group(parent),
      ADD_STAT(switches, statistics::units::Count::get(),
               "Context switches timed, entry to the first guest "
               "instruction"),
      ADD_STAT(aborted, statistics::units::Count::get(),
               "Switches that reached the start again before a guest "
               "instruction (through the idle vCPU)"),
      ADD_STAT(smisInSwitches, statistics::units::Count::get(),
               "SMIs taken inside timed switches"),
      ADD_STAT(switchCycles, statistics::units::Cycle::get(),
               "Cycles per switch, SMM time included"),
      ADD_STAT(smmCyclesPerSwitch, statistics::units::Cycle::get(),
               "Cycles in SMM per switch (SMI to the end of RSM)"),
      ADD_STAT(smiGapCycles, statistics::units::Cycle::get(),
               "Cycles from the last instruction before an SMI to the "
               "first after RSM")
{
    const uint64_t max = max_cycles;
    switchCycles.init(0, max, std::max<uint64_t>(max / 200, 1))
        .flags(statistics::pdf);
    smmCyclesPerSwitch.init(0, max, std::max<uint64_t>(max / 200, 1))
        .flags(statistics::pdf);
    smiGapCycles.init(0, max / 4, std::max<uint64_t>(max / 800, 1))
        .flags(statistics::pdf);
}

} // namespace X86ISA
} // namespace gem5
