/*
 * Copyright (c) 2026 The Scotch-gem5 authors
 * SPDX-License-Identifier: BSD-3-Clause
 */

/**
 * @file
 * The simulator's own view of which domain runs on each CPU: Scotch's
 * ground truth on gem5. It depends on neither Scotch's SMM handler nor
 * the hypervisor's trace, only on CR3 loads and the page tables they
 * point to.
 */

#ifndef __SCOTCH_DOMAIN_OBSERVER_HH__
#define __SCOTCH_DOMAIN_OBSERVER_HH__

#include <map>
#include <string>
#include <vector>

#include <memory>

#include "base/statistics.hh"
#include "mem/cache/cache_probe_arg.hh"
#include "params/X86DomainObserver.hh"
#include "scotch/smm_controller.hh"
#include "sim/probe/probe.hh"
#include "sim/sim_object.hh"

namespace gem5
{

class BaseCache;
class BaseCPU;
class System;

namespace X86ISA
{

class DomainObserver : public SimObject, public SmmController::Observer
{
  public:
    using Params = X86DomainObserverParams;

    DomainObserver(const Params &p);

    void startup() override;
    void regProbeListeners() override;

    void cr3Loaded(ThreadContext *tc, RegVal new_cr3,
                   bool in_smm) override;
    void interruptAccepted(ThreadContext *tc, uint8_t vector,
                           bool in_smm) override {}

    /** Charge the open intervals, so a dump is exact to the tick. */
    void preDumpStats() override;
    void resetStats() override;

    void serialize(CheckpointOut &cp) const override;
    void unserialize(CheckpointIn &cp) override;

    /** The domain @p cr3 belongs to on @p tc: an index, or other(). */
    unsigned classify(ThreadContext *tc, RegVal cr3);

  protected:
    unsigned other() const { return names.size(); }
    const std::string &domainName(unsigned d) const;

    /** Physical address of @p vaddr under 4-level @p cr3, or false. */
    bool translate(Addr cr3, Addr vaddr, Addr &paddr) const;
    /** The table entry key_slot of @p cr3 points to, or 0. */
    Addr keyOf(Addr cr3) const;

    struct Cpu;
    /** Charge @p c's open interval up to now. */
    void close(Cpu &c);
    /** Close @p cpu's interval now and start one in @p domain. */
    void charge(ContextID cpu, unsigned domain);

    /** Core @p i retired @p n instructions. */
    void retired(unsigned i, uint64_t n);

    /** Core @p i went to sleep (HLT, MWAIT) or woke. */
    void sleeping(unsigned i, bool asleep);

    /** One of the caches looked up what @p arg asks (@p miss or hit). */
    void cacheAccess(const CacheAccessProbeArg &arg, bool miss);
    /** smm_caches[@p i] looked up what @p arg asks. */
    void smmCacheAccess(unsigned i, const CacheAccessProbeArg &arg,
                        bool miss);

    System *system;
    SmmController *smm;
    /** Whose retired instructions are counted (may be none). */
    const std::vector<BaseCPU *> cores;
    /** Whose demand lookups are counted (may be none). */
    const std::vector<BaseCache *> caches;
    /** Whose lookups in SMM are counted, each apart (may be none). */
    const std::vector<BaseCache *> smmCaches;
    std::vector<std::unique_ptr<ProbeListener>> listeners;
    const std::vector<std::string> names;
    const std::vector<std::string> markers;
    const Addr probeVaddr;
    const unsigned probeLen;
    const int keySlot;

    /** What each CPU runs and since when. */
    struct Cpu
    {
        /** The domain whose tables the CPU is on. */
        unsigned domain = 0;
        Tick since = 0;
        /** Asleep (HLT, MWAIT), the CPU runs no domain. */
        bool asleep = false;
    };
    /** The domain @p c's time is charged to. */
    unsigned charged(const Cpu &c) const
    {
        return c.asleep ? other() : c.domain;
    }
    std::vector<Cpu> cpus;
    /** key_slot's table -> the domain whose marker was seen with it. */
    std::map<Addr, unsigned> keys;

    struct ObserverStats : public statistics::Group
    {
        ObserverStats(statistics::Group *parent);
        void init(const std::vector<std::string> &names,
                  const std::vector<BaseCache *> &smm_caches);

        statistics::Vector ticks;
        statistics::Scalar sleepTicks;
        statistics::Vector switches;
        statistics::Vector insts;
        statistics::Vector guestInsts;
        statistics::Vector cacheAccesses;
        statistics::Vector cacheMisses;
        statistics::Scalar smmInsts;
        statistics::Vector smmCacheAccesses;
        statistics::Vector smmCacheMisses;
        statistics::Scalar cr3Loads;
        statistics::Scalar namedByMarker;
        statistics::Scalar namedByKey;
        statistics::Scalar unnamed;
    } stats;
};

} // namespace X86ISA
} // namespace gem5

#endif // __SCOTCH_DOMAIN_OBSERVER_HH__
