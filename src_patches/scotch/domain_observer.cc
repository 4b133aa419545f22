/*
 * Copyright (c) 2026 The Scotch-gem5 authors
 * SPDX-License-Identifier: BSD-3-Clause
 */

#include "scotch/domain_observer.hh"

#include <algorithm>

#include "arch/x86/regs/misc.hh"
#include "base/logging.hh"
#include "base/trace.hh"
#include "cpu/base.hh"
#include "cpu/thread_context.hh"
#include "debug/DomainObserver.hh"
#include "mem/cache/base.hh"
#include "sim/byteswap.hh"
#include "sim/serialize.hh"
#include "sim/system.hh"

namespace gem5
{

namespace X86ISA
{

namespace
{
constexpr Addr FrameMask = 0x000ffffffffff000ULL;
constexpr uint64_t Present = 0x1;
constexpr uint64_t Large = 0x80;
constexpr Addr Page = 0x1000;
} // anonymous namespace

DomainObserver::DomainObserver(const Params &p)
    : SimObject(p), system(p.system), smm(p.smm), cores(p.cores),
      caches(p.caches), smmCaches(p.smm_caches), names(p.domains),
      markers(p.markers), probeVaddr(p.probe_vaddr),
      probeLen(p.probe_len), keySlot(p.key_slot), stats(this)
{
    fatal_if(names.size() != markers.size(),
             "%s: %d domains but %d markers: give one marker per domain",
             name(), names.size(), markers.size());
    fatal_if(probeLen == 0 || probeLen > Page,
             "%s: probe_len %d is not in 1..4096", name(), probeLen);
    for (size_t i = 0; i < markers.size(); i++) {
        fatal_if(markers[i].empty() || markers[i].size() > probeLen,
                 "%s: marker %d ('%s') must be 1..probe_len bytes",
                 name(), i, markers[i]);
    }
    fatal_if(keySlot < -1 || keySlot > 511,
             "%s: key_slot %d is not -1 or a PML4 index 0..511", name(),
             keySlot);
    stats.init(names, smmCaches);
    p.smm->addObserver(this);
}

void
DomainObserver::startup()
{
    SimObject::startup();
    const size_t n = system->threads.size();
    if (cpus.size() != n) {
        // A fresh start: name what each CPU runs now. On a restore the
        // checkpoint says, since the tables may not name it by marker.
        cpus.assign(n, Cpu());
        for (size_t i = 0; i < n; i++) {
            ThreadContext *tc = system->threads[i];
            cpus[i].domain =
                classify(tc, tc->readMiscRegNoEffect(misc_reg::Cr3));
        }
    }
    for (size_t i = 0; i < n; i++) {
        cpus[i].since = curTick();
        cpus[i].asleep =
            system->threads[i]->status() == ThreadContext::Suspended;
    }
}

void
DomainObserver::regProbeListeners()
{
    SimObject::regProbeListeners();
    for (unsigned i = 0; i < cores.size(); i++) {
        listeners.push_back(
            std::make_unique<ProbeListenerArgFunc<uint64_t>>(
                cores[i]->getProbeManager(), "RetiredInsts",
                [this, i](const uint64_t &n) { retired(i, n); }));
        listeners.push_back(
            std::make_unique<ProbeListenerArgFunc<bool>>(
                cores[i]->getProbeManager(), "Sleeping",
                [this, i](const bool &asleep) { sleeping(i, asleep); }));
    }
    for (BaseCache *cache : caches) {
        for (bool miss : {false, true}) {
            listeners.push_back(
                std::make_unique<ProbeListenerArgFunc<CacheAccessProbeArg>>(
                    cache->getProbeManager(), miss ? "Miss" : "Hit",
                    [this, miss](const CacheAccessProbeArg &arg) {
                        cacheAccess(arg, miss);
                    }));
        }
    }
    for (unsigned i = 0; i < smmCaches.size(); i++) {
        for (bool miss : {false, true}) {
            listeners.push_back(
                std::make_unique<ProbeListenerArgFunc<CacheAccessProbeArg>>(
                    smmCaches[i]->getProbeManager(), miss ? "Miss" : "Hit",
                    [this, i, miss](const CacheAccessProbeArg &arg) {
                        smmCacheAccess(i, arg, miss);
                    }));
        }
    }
}

void
DomainObserver::smmCacheAccess(unsigned i, const CacheAccessProbeArg &arg,
                               bool miss)
{
    const RequestPtr &req = arg.pkt->req;
    if (!req || !req->hasContextId())
        return;
    const ContextID id = req->contextId();
    if (id < 0 || size_t(id) >= system->threads.size() ||
        !smm->inSmm(system->threads[id]))
        return;
    stats.smmCacheAccesses[i]++;
    if (miss)
        stats.smmCacheMisses[i]++;
}

void
DomainObserver::cacheAccess(const CacheAccessProbeArg &arg, bool miss)
{
    // Demand lookups carry the requesting CPU's context; writebacks and
    // the walker cache's own fills do not, and belong to no domain.
    const RequestPtr &req = arg.pkt->req;
    if (!req || !req->hasContextId())
        return;
    const ContextID id = req->contextId();
    if (id < 0 || size_t(id) >= cpus.size())
        return;
    // The handler's lookups are Scotch's cost, as its instructions are.
    if (smm->inSmm(system->threads[id]))
        return;
    const unsigned d = charged(cpus[id]);
    stats.cacheAccesses[d]++;
    if (miss)
        stats.cacheMisses[d]++;
}

void
DomainObserver::retired(unsigned i, uint64_t n)
{
    ThreadContext *tc = cores[i]->getContext(0);
    // The handler's instructions are Scotch's cost, not the domain's.
    if (smm->inSmm(tc)) {
        stats.smmInsts += n;
        return;
    }
    const ContextID id = tc->contextId();
    if (id < 0 || size_t(id) >= cpus.size())
        return;
    const unsigned d = charged(cpus[id]);
    stats.insts[d] += n;
    // CPL 3: the guest itself (a 64-bit PV kernel runs in ring 3 too);
    // the hypervisor runs in ring 0 on the guest's tables.
    const HandyM5Reg m5reg = tc->readMiscRegNoEffect(misc_reg::M5Reg);
    if (m5reg.cpl == 3)
        stats.guestInsts[d] += n;
}

void
DomainObserver::sleeping(unsigned i, bool asleep)
{
    // A halted CPU runs no domain, even on the tables of the last guest
    // that ran (Xen switches to its idle vCPU lazily).
    const ContextID id = cores[i]->getContext(0)->contextId();
    if (id < 0 || size_t(id) >= cpus.size())
        return;
    Cpu &c = cpus[id];
    // A CPU switch may repeat a state: only changes count.
    if (asleep == c.asleep)
        return;
    close(c);
    c.asleep = asleep;
}

const std::string &
DomainObserver::domainName(unsigned d) const
{
    static const std::string other_name = "other";
    return d < names.size() ? names[d] : other_name;
}

bool
DomainObserver::translate(Addr cr3, Addr vaddr, Addr &paddr) const
{
    auto &mem = system->physProxy;
    Addr table = cr3 & FrameMask;
    // PML4, PDPT (1 GiB leaves), PD (2 MiB leaves), PT.
    for (int level = 3; level >= 0; level--) {
        const unsigned shift = 12 + 9 * level;
        const Addr index = (vaddr >> shift) & 0x1ff;
        const uint64_t e = mem.read<uint64_t>(table + index * 8,
                                              ByteOrder::little);
        if (!(e & Present))
            return false;
        if (level == 0 || ((e & Large) && level <= 2)) {
            const Addr size_mask = (Addr(1) << shift) - 1;
            paddr = (e & FrameMask & ~size_mask) | (vaddr & size_mask);
            return true;
        }
        table = e & FrameMask;
    }
    return false;
}

Addr
DomainObserver::keyOf(Addr cr3) const
{
    if (keySlot < 0)
        return 0;
    const uint64_t e = system->physProxy.read<uint64_t>(
        (cr3 & FrameMask) + keySlot * 8, ByteOrder::little);
    return (e & Present) ? (e & FrameMask) : 0;
}

unsigned
DomainObserver::classify(ThreadContext *tc, RegVal cr3)
{
    // Only 4-level paging (Xen's) names a domain.
    const Efer efer = tc->readMiscRegNoEffect(misc_reg::Efer);
    const CR0 cr0 = tc->readMiscRegNoEffect(misc_reg::Cr0);
    if (!efer.lma || !cr0.pg)
        return other();

    const Addr key = keyOf(cr3);
    Addr paddr;
    if (!names.empty() && translate(cr3, probeVaddr, paddr)) {
        const unsigned len = std::min<Addr>(
            probeLen, Page - (paddr & (Page - 1)));
        std::string bytes(len, '\0');
        system->physProxy.readBlob(paddr, bytes.data(), len);
        for (unsigned d = 0; d < names.size(); d++) {
            if (bytes.find(markers[d]) != std::string::npos) {
                ++stats.namedByMarker;
                if (key)
                    keys[key] = d;
                return d;
            }
        }
    }
    auto it = key ? keys.find(key) : keys.end();
    if (it != keys.end()) {
        ++stats.namedByKey;
        return it->second;
    }
    ++stats.unnamed;
    return other();
}

void
DomainObserver::close(Cpu &c)
{
    stats.ticks[charged(c)] += curTick() - c.since;
    if (c.asleep)
        stats.sleepTicks += curTick() - c.since;
    c.since = curTick();
}

void
DomainObserver::charge(ContextID cpu, unsigned domain)
{
    Cpu &c = cpus.at(cpu);
    close(c);
    if (domain != c.domain) {
        ++stats.switches[domain];
        DPRINTF(DomainObserver, "cpu%d: %s -> %s\n", cpu,
                domainName(c.domain), domainName(domain));
    }
    c.domain = domain;
}

void
DomainObserver::cr3Loaded(ThreadContext *tc, RegVal new_cr3, bool in_smm)
{
    // The handler's own loads are undone by RSM: the domain goes on.
    if (in_smm || cpus.empty())
        return;
    ++stats.cr3Loads;
    charge(tc->contextId(), classify(tc, new_cr3));
}

void
DomainObserver::preDumpStats()
{
    for (Cpu &c : cpus)
        close(c);
    SimObject::preDumpStats();
}

void
DomainObserver::resetStats()
{
    SimObject::resetStats();
    for (Cpu &c : cpus)
        c.since = curTick();
}

void
DomainObserver::serialize(CheckpointOut &cp) const
{
    // Whose tables each CPU is on; whether it sleeps, the restored
    // thread's status says (startup()).
    std::vector<unsigned> domains;
    for (const Cpu &c : cpus)
        domains.push_back(c.domain);
    SERIALIZE_CONTAINER(domains);
    std::vector<Addr> key_tables;
    std::vector<unsigned> key_domains;
    for (const auto &[table, domain] : keys) {
        key_tables.push_back(table);
        key_domains.push_back(domain);
    }
    SERIALIZE_CONTAINER(key_tables);
    SERIALIZE_CONTAINER(key_domains);
}

void
DomainObserver::unserialize(CheckpointIn &cp)
{
    std::vector<unsigned> domains;
    UNSERIALIZE_CONTAINER(domains);
    cpus.clear();
    for (unsigned d : domains) {
        fatal_if(d > other(), "%s: checkpoint names domain %d of %d",
                 name(), d, names.size());
        cpus.push_back(Cpu{d, 0, false});
    }
    std::vector<Addr> key_tables;
    std::vector<unsigned> key_domains;
    UNSERIALIZE_CONTAINER(key_tables);
    UNSERIALIZE_CONTAINER(key_domains);
    keys.clear();
    for (size_t i = 0; i < key_tables.size(); i++)
        keys[key_tables[i]] = key_domains.at(i);
}

DomainObserver::ObserverStats::ObserverStats(statistics::Group *parent)
    : statistics::Group(parent),
      ADD_STAT(ticks, statistics::units::Tick::get(),
               "Ticks each domain ran, summed over the CPUs"),
      ADD_STAT(sleepTicks, statistics::units::Tick::get(),
               "Of other's ticks, those the CPUs slept (HLT, MWAIT)"),
      ADD_STAT(switches, statistics::units::Count::get(),
               "CR3 loads that switched a CPU to each domain"),
      ADD_STAT(insts, statistics::units::Count::get(),
               "Instructions the cores retired outside SMM in each "
               "domain's address space"),
      ADD_STAT(guestInsts, statistics::units::Count::get(),
               "Of those, the ones at CPL 3: the domain's own (a PV "
               "kernel runs at CPL 3 too), not the hypervisor's"),
      ADD_STAT(cacheAccesses, statistics::units::Count::get(),
               "Demand lookups in the observed caches by a CPU running "
               "each domain, outside SMM (timing-mode CPUs only)"),
      ADD_STAT(cacheMisses, statistics::units::Count::get(),
               "Of those, the misses"),
      ADD_STAT(smmInsts, statistics::units::Count::get(),
               "Instructions the cores retired in SMM"),
      ADD_STAT(smmCacheAccesses, statistics::units::Count::get(),
               "Demand lookups in each of smm_caches by a CPU in SMM"),
      ADD_STAT(smmCacheMisses, statistics::units::Count::get(),
               "Of those, the misses"),
      ADD_STAT(cr3Loads, statistics::units::Count::get(),
               "CR3 loads outside SMM"),
      ADD_STAT(namedByMarker, statistics::units::Count::get(),
               "CR3 loads named by the marker at probe_vaddr"),
      ADD_STAT(namedByKey, statistics::units::Count::get(),
               "CR3 loads named by the table at key_slot"),
      ADD_STAT(unnamed, statistics::units::Count::get(),
               "CR3 loads in 4-level paging that named no domain")
{
}

void
DomainObserver::ObserverStats::init(const std::vector<std::string> &names,
                                    const std::vector<BaseCache *> &smm_caches)
{
    for (auto *v : {&smmCacheAccesses, &smmCacheMisses}) {
        // Each cache by its own name (l1i-cache-0, l2-cache-0, ...).
        v->init(std::max<size_t>(smm_caches.size(), 1));
        for (size_t i = 0; i < smm_caches.size(); i++) {
            const std::string &full = smm_caches[i]->name();
            v->subname(i, full.substr(full.rfind('.') + 1));
        }
    }
    for (auto *v : {&ticks, &switches, &insts, &guestInsts,
                   &cacheAccesses, &cacheMisses}) {
        v->init(names.size() + 1);
        for (size_t d = 0; d < names.size(); d++)
            v->subname(d, names[d]);
        v->subname(names.size(), "other");
    }
}

} // namespace X86ISA
} // namespace gem5
