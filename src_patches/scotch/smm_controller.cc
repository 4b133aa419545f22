/*
 * Copyright (c) 2026 The Scotch-gem5 authors
 * SPDX-License-Identifier: BSD-3-Clause
 */

#include "scotch/smm_controller.hh"

#include <algorithm>
#include <cstring>

#include "arch/x86/faults.hh"
#include "arch/x86/pcstate.hh"
#include "arch/x86/regs/int.hh"
#include "arch/x86/regs/misc.hh"
#include "arch/x86/regs/segment.hh"
#include "arch/x86/sgx_hook.hh"
#include "arch/x86/utility.hh"
#include "base/logging.hh"
#include "base/trace.hh"
#include "cpu/base.hh"
#include "cpu/thread_context.hh"
#include "debug/Smm.hh"
#include "debug/SmmSmrr.hh"
#include "mem/packet.hh"
#include "scotch/abort_page.hh"
#include "scotch/stall.hh"
#include "sim/serialize.hh"
#include "sim/system.hh"

namespace gem5
{

namespace X86ISA
{

namespace
{

using scotch::SaveArea;
using scotch::SegmentAttrs;
using scotch::SegmentRecord;

/** ES, CS, SS, DS, FS, GS: the map's order and gem5's. */
constexpr int SaveSegments[] = {
    segment_idx::Es, segment_idx::Cs, segment_idx::Ss,
    segment_idx::Ds, segment_idx::Fs, segment_idx::Gs,
};

constexpr uint64_t MtrrcapMsr = 0xfe;

SegmentAttrs
toAttrs(SegAttr a)
{
    SegmentAttrs s;
    s.type = a.type;
    s.s = a.system;
    s.dpl = a.dpl;
    s.p = a.present;
    s.avl = a.avl;
    s.l = a.longMode;
    s.db = a.defaultSize;
    s.g = a.granularity;
    s.unusable = a.unusable;
    return s;
}

SegAttr
fromAttrs(const SegmentAttrs &s)
{
    SegAttr a = 0;
    a.type = s.type;
    a.system = s.s;
    a.dpl = s.dpl;
    a.present = s.p;
    a.avl = s.avl;
    a.longMode = s.l;
    a.defaultSize = s.db;
    a.granularity = s.g;
    a.unusable = s.unusable;
    a.readable = s.readable();
    a.writable = s.writable();
    a.expandDown = s.expandDown();
    return a;
}

SegmentRecord
readSegment(ThreadContext *tc, int idx)
{
    SegmentRecord r;
    r.selector = tc->readMiscRegNoEffect(misc_reg::segSel(idx));
    r.attrs = toAttrs(tc->readMiscRegNoEffect(misc_reg::segAttr(idx)));
    r.limit = tc->readMiscRegNoEffect(misc_reg::segLimit(idx));
    r.base = tc->readMiscRegNoEffect(misc_reg::segBase(idx));
    return r;
}

/** Write a segment without side effects; the caller fixes eff. bases. */
void
writeSegment(ThreadContext *tc, int idx, const SegmentRecord &r,
             SegAttr attr)
{
    tc->setMiscRegNoEffect(misc_reg::segSel(idx), r.selector);
    tc->setMiscRegNoEffect(misc_reg::segBase(idx), r.base);
    tc->setMiscRegNoEffect(misc_reg::segEffBase(idx), r.base);
    tc->setMiscRegNoEffect(misc_reg::segLimit(idx), r.limit);
    tc->setMiscRegNoEffect(misc_reg::segAttr(idx), attr);
}

/** Recompute the mode (M5Reg) and drop translations after a switch. */
void
modeChanged(ThreadContext *tc)
{
    tc->setMiscReg(misc_reg::M5Reg, 0);
    tc->getMMUPtr()->flushAll();
}

} // anonymous namespace

SmmController::SmmController(const Params &p)
    : SimObject(p), system(p.system), resetSmbase(p.smbase),
      entryLatency(p.entry_latency), exitLatency(p.exit_latency),
      faultOnSmramAccess(p.fault_on_smram_access),
      smmCyclesMax(p.smm_cycles_max), stats(this)
{
    fatal_if(resetSmbase & 0xfff || resetSmbase >= (1ULL << 32),
             "%s: smbase %#x must be 4 KiB aligned and below 4 GiB.",
             name(), resetSmbase);
    SmmHook::registerHook(system, this);
}

void
SmmController::regStats()
{
    SimObject::regStats();
    // CPUs register their thread contexts in their init(), which may run
    // after ours; by now every init() has run.
    const size_t n = system->threads.size();
    fatal_if(n == 0, "%s: the system has no CPUs.", name());
    stats.init(n, smmCyclesMax);
    if (contexts.size() < n) {
        Context fresh;
        fresh.smbase = resetSmbase;
        contexts.resize(n, fresh);
    }
}

SmmController::Context &
SmmController::context(ThreadContext *tc)
{
    const ContextID id = tc->contextId();
    if (id >= (ContextID)contexts.size()) {
        Context fresh;
        fresh.smbase = resetSmbase;
        contexts.resize(id + 1, fresh);
    }
    return contexts[id];
}

const SmmController::Context &
SmmController::context(ThreadContext *tc) const
{
    return const_cast<SmmController *>(this)->context(tc);
}

bool
SmmController::inSmm(ThreadContext *tc) const
{
    const ContextID id = tc->contextId();
    return id < (ContextID)contexts.size() && contexts[id].inSmm;
}

SaveArea
SmmController::saveState(ThreadContext *tc, const Context &c) const
{
    SaveArea area;
    for (int i = 0; i < 6; i++)
        area.putSegment(SMM_SEG_ES + 16 * i,
                        readSegment(tc, SaveSegments[i]));
    area.putSegment(SMM_LDTR, readSegment(tc, segment_idx::Tsl));
    area.putSegment(SMM_TR, readSegment(tc, segment_idx::Tr));
    // GDTR and IDTR limits are 16 bits; gem5's LGDT/LIDT leave stale
    // upper bits in the register (a 2-byte load written as 4 bytes).
    area.put<uint32_t>(SMM_GDTR + 4,
                       tc->readMiscRegNoEffect(misc_reg::TsgLimit) & 0xffff);
    area.put<uint64_t>(SMM_GDTR + 8,
                       tc->readMiscRegNoEffect(misc_reg::TsgBase));
    area.put<uint32_t>(SMM_IDTR + 4,
                       tc->readMiscRegNoEffect(misc_reg::IdtrLimit) & 0xffff);
    area.put<uint64_t>(SMM_IDTR + 8,
                       tc->readMiscRegNoEffect(misc_reg::IdtrBase));

    area.put<uint64_t>(SMM_EFER, tc->readMiscRegNoEffect(misc_reg::Efer));
    area.put<uint32_t>(SMM_REVISION, SMM_REVISION_ID);
    area.put<uint32_t>(SMM_SMBASE, c.smbase);
    area.put<uint64_t>(SMM_CR4, tc->readMiscRegNoEffect(misc_reg::Cr4));
    area.put<uint64_t>(SMM_CR3, tc->readMiscRegNoEffect(misc_reg::Cr3));
    area.put<uint64_t>(SMM_CR0, tc->readMiscRegNoEffect(misc_reg::Cr0));
    area.put<uint64_t>(SMM_DR7, tc->readMiscRegNoEffect(misc_reg::Dr7));
    area.put<uint64_t>(SMM_DR6, tc->readMiscRegNoEffect(misc_reg::Dr6));
    area.put<uint64_t>(SMM_RFLAGS, getRFlags(tc));
    const Addr cs_base = tc->readMiscRegNoEffect(misc_reg::CsEffBase);
    area.put<uint64_t>(SMM_RIP, tc->pcState().instAddr() - cs_base);
    for (int i = 0; i < 16; i++)
        area.put<uint64_t>(SaveArea::gprOffset(i),
                           tc->getReg(intRegClass[i]));
    return area;
}

void
SmmController::loadSmmEnvironment(ThreadContext *tc, Addr smbase)
{
    CR0 cr0 = tc->readMiscRegNoEffect(misc_reg::Cr0);
    cr0.pe = 0;
    cr0.em = 0;
    cr0.ts = 0;
    cr0.pg = 0;
    tc->setMiscRegNoEffect(misc_reg::Cr0, cr0);
    tc->setMiscRegNoEffect(misc_reg::Cr4, 0);
    tc->setMiscRegNoEffect(misc_reg::Efer, 0);
    tc->setMiscRegNoEffect(misc_reg::Dr7, 0x400);
    setRFlags(tc, 0x2);

    // Flat 4 GiB segments, 16-bit default size (Intel SDM 32.5.1).
    SegmentRecord data;
    data.limit = 0xffffffff;
    data.attrs.type = 0x3;  // read/write, accessed
    data.attrs.s = true;
    data.attrs.p = true;
    data.attrs.g = true;
    for (int idx : SaveSegments) {
        if (idx != segment_idx::Cs)
            writeSegment(tc, idx, data, fromAttrs(data.attrs));
    }
    SegmentRecord code = data;
    code.selector = (smbase >> 4) & 0xffff;
    code.base = smbase;
    code.attrs.type = 0xb;  // execute/read, accessed
    writeSegment(tc, segment_idx::Cs, code, fromAttrs(code.attrs));

    modeChanged(tc);
    tc->pcState(PCState(smbase + SMM_HANDLER_OFFSET));
}

void
SmmController::enterSmm(ThreadContext *tc)
{
    Context &c = context(tc);
    panic_if(c.inSmm, "%s: SMI delivered in SMM.", name());
    // An SMI in enclave mode exits the enclave first (AEX): the save
    // area holds the synthetic state, never the enclave's registers.
    if (SgxHook *sgx = SgxHook::find(tc))
        sgx->asyncExit(tc);
    const SaveArea area = saveState(tc, c);
    system->physProxy.writeBlob(c.smbase + SMM_SAVE_BASE,
                                area.bytes.data(), area.bytes.size());
    DPRINTF(Smm, "ctx %d: SMI at rip %#x (cr0 %#x efer %#x), "
            "SMBASE %#x\n", tc->contextId(), area.get<uint64_t>(SMM_RIP),
            area.get<uint64_t>(SMM_CR0), area.get<uint64_t>(SMM_EFER),
            c.smbase);

    c.inSmm = true;
    c.entryTick = curTick();
    loadSmmEnvironment(tc, c.smbase);
    stats.smis[tc->contextId()]++;
    stallCore(tc, entryLatency);
}

std::string
SmmController::invalidState(const SaveArea &area) const
{
    const CR0 cr0 = area.get<uint64_t>(SMM_CR0);
    const CR4 cr4 = area.get<uint64_t>(SMM_CR4);
    const Efer efer = area.get<uint64_t>(SMM_EFER);
    const SegmentAttrs cs = area.segment(SMM_SEG_CS).attrs;
    if (cr0.pg && !cr0.pe)
        return "CR0.PG set with CR0.PE clear";
    if (cr0.nw && !cr0.cd)
        return "CR0.NW set with CR0.CD clear";
    if (area.get<uint64_t>(SMM_CR0) >> 32)
        return "reserved bits set in CR0";
    if (area.get<uint64_t>(SMM_CR4) >> 32)
        return "reserved bits set in CR4";
    if (efer.lma != (efer.lme && cr0.pg))
        return "EFER.LMA inconsistent with EFER.LME and CR0.PG";
    if (efer.lma && !cr4.pae)
        return "long mode without CR4.PAE";
    if (efer.lma && cs.l && cs.db)
        return "CS.L and CS.D both set in long mode";
    return "";
}

void
SmmController::restoreState(ThreadContext *tc, const SaveArea &area)
{
    const Efer efer = area.get<uint64_t>(SMM_EFER);
    tc->setMiscRegNoEffect(misc_reg::Efer, efer);
    tc->setMiscRegNoEffect(misc_reg::Cr4, area.get<uint64_t>(SMM_CR4));
    tc->setMiscRegNoEffect(misc_reg::Cr3, area.get<uint64_t>(SMM_CR3));
    tc->setMiscRegNoEffect(misc_reg::Cr0, area.get<uint64_t>(SMM_CR0));
    tc->setMiscRegNoEffect(misc_reg::Dr7, area.get<uint64_t>(SMM_DR7));
    tc->setMiscRegNoEffect(misc_reg::Dr6, area.get<uint64_t>(SMM_DR6));

    const SegmentAttrs cs = area.segment(SMM_SEG_CS).attrs;
    const bool sixty_four = efer.lma && cs.l;
    for (int i = 0; i < 6; i++) {
        const int idx = SaveSegments[i];
        const SegmentRecord r = area.segment(SMM_SEG_ES + 16 * i);
        writeSegment(tc, idx, r, fromAttrs(r.attrs));
        // In 64-bit mode ES, CS, SS and DS have base 0 whatever they hold.
        if (sixty_four && idx != segment_idx::Fs && idx != segment_idx::Gs)
            tc->setMiscRegNoEffect(misc_reg::segEffBase(idx), 0);
    }
    const SegmentRecord ldtr = area.segment(SMM_LDTR);
    writeSegment(tc, segment_idx::Tsl, ldtr, fromAttrs(ldtr.attrs));
    const SegmentRecord tr = area.segment(SMM_TR);
    writeSegment(tc, segment_idx::Tr, tr, fromAttrs(tr.attrs));
    tc->setMiscRegNoEffect(misc_reg::TsgLimit,
                           area.get<uint32_t>(SMM_GDTR + 4));
    tc->setMiscRegNoEffect(misc_reg::TsgBase,
                           area.get<uint64_t>(SMM_GDTR + 8));
    tc->setMiscRegNoEffect(misc_reg::TsgEffBase,
                           area.get<uint64_t>(SMM_GDTR + 8));
    tc->setMiscRegNoEffect(misc_reg::IdtrLimit,
                           area.get<uint32_t>(SMM_IDTR + 4));
    tc->setMiscRegNoEffect(misc_reg::IdtrBase,
                           area.get<uint64_t>(SMM_IDTR + 8));
    tc->setMiscRegNoEffect(misc_reg::IdtrEffBase,
                           area.get<uint64_t>(SMM_IDTR + 8));

    for (int i = 0; i < 16; i++)
        tc->setReg(intRegClass[i],
                   (RegVal)area.get<uint64_t>(SaveArea::gprOffset(i)));
    setRFlags(tc, area.get<uint64_t>(SMM_RFLAGS));
    modeChanged(tc);
    const Addr cs_base = tc->readMiscRegNoEffect(misc_reg::CsEffBase);
    tc->pcState(PCState(cs_base + area.get<uint64_t>(SMM_RIP)));
}

void
SmmController::resume(ThreadContext *tc)
{
    Context &c = context(tc);
    panic_if(!c.inSmm, "%s: RSM outside SMM reached the hook.", name());
    SaveArea area;
    system->physProxy.readBlob(c.smbase + SMM_SAVE_BASE,
                               area.bytes.data(), area.bytes.size());
    const std::string why = invalidState(area);
    // The processor shuts down (Intel SDM 34.11): end the simulation with
    // the reason rather than run on in a corrupt state.
    fatal_if(!why.empty(), "%s: x86 shutdown: RSM on context %d found an "
             "invalid saved state at SMBASE %#x: %s.", name(),
             tc->contextId(), c.smbase, why);
    if (area.relocatesSmbase())
        c.smbase = area.get<uint32_t>(SMM_SMBASE);
    restoreState(tc, area);
    c.inSmm = false;

    const ContextID id = tc->contextId();
    const Cycles cycles = tc->getCpuPtr()->ticksToCycles(
        curTick() - c.entryTick) + exitLatency;
    stats.rsms[id]++;
    stats.cyclesInSmm[id] += cycles;
    stats.cyclesPerSmi[id].sample(cycles);
    DPRINTF(Smm, "ctx %d: RSM to rip %#x after %d cycles, SMBASE %#x\n",
            id, area.get<uint64_t>(SMM_RIP), cycles, c.smbase);
    for (Observer *o : observers)
        o->smmLeft(tc, cycles);
    stallCore(tc, exitLatency);
}

bool
SmmController::ownsMsr(uint32_t msr) const
{
    return msr == scotch::MsrSmbase || msr == scotch::MsrSmrrPhysBase ||
           msr == scotch::MsrSmrrPhysMask || msr == MtrrcapMsr;
}

Fault
SmmController::checkMsr(ThreadContext *tc, uint32_t msr, bool read)
{
    const bool smm = inSmm(tc);
    bool ok = true;
    if (msr == scotch::MsrSmbase)
        ok = read && smm;           // readable in SMM only
    else if (msr == MtrrcapMsr)
        ok = read;                  // read-only
    else
        ok = read || smm;           // SMRRs: writable in SMM only
    if (ok)
        return NoFault;
    if (!read && msr != scotch::MsrSmbase && msr != MtrrcapMsr)
        stats.refusedMsrWrites[tc->contextId()]++;
    DPRINTF(Smm, "ctx %d: #GP on %s of MSR %#x (%s SMM)\n",
            tc->contextId(), read ? "read" : "write", msr,
            smm ? "in" : "outside");
    return std::make_shared<GeneralProtection>(0);
}

uint64_t
SmmController::readMsr(ThreadContext *tc, uint32_t msr)
{
    const Context &c = context(tc);
    switch (msr) {
      case scotch::MsrSmbase:
        return c.smbase;
      case scotch::MsrSmrrPhysBase:
        return c.smrr.base();
      case scotch::MsrSmrrPhysMask:
        return c.smrr.mask();
      default:
        return tc->readMiscReg(misc_reg::Mtrrcap) | scotch::MtrrcapSmrr;
    }
}

void
SmmController::writeMsr(ThreadContext *tc, uint32_t msr, uint64_t value)
{
    Context &c = context(tc);
    const bool base = msr == scotch::MsrSmrrPhysBase;
    if (base ? !scotch::Smrr::validBase(value)
             : !scotch::Smrr::validMask(value)) {
        // The value is only known once the access is performed, when
        // gem5 can no longer raise #GP: drop the write and say so.
        warn("%s: ctx %d: WRMSR %#x with reserved bits or type (%#x) "
             "ignored; hardware raises #GP.", name(), tc->contextId(),
             msr, value);
        stats.refusedMsrWrites[tc->contextId()]++;
        return;
    }
    if (base)
        c.smrr.setBase(value);
    else
        c.smrr.setMask(value);
    updateGuard();
    DPRINTF(Smm, "ctx %d: SMRR base %#x mask %#x\n", tc->contextId(),
            c.smrr.base(), c.smrr.mask());
}

Fault
SmmController::checkPhysical(const RequestPtr &req, ThreadContext *tc,
                             BaseMMU::Mode mode)
{
    const ContextID id = tc->contextId();
    if (id >= (ContextID)contexts.size())
        return NoFault;
    const Context &c = contexts[id];
    if (c.inSmm || !c.smrr.enabled() ||
            !c.smrr.overlaps(req->getPaddr(), req->getSize()))
        return NoFault;

    stats.blockedSmramAccesses[id]++;
    DPRINTF(SmmSmrr, "ctx %d: blocked %s of %#x (%d bytes) in SMRAM\n",
            id, mode == BaseMMU::Execute ? "fetch" :
            mode == BaseMMU::Write ? "write" : "read",
            req->getPaddr(), req->getSize());
    if (mode == BaseMMU::Execute) {
        // A fetch reads the fixed value 0xff..: FF FF decodes to no
        // instruction, so fetching from SMRAM outside SMM is #UD.
        return std::make_shared<InvalidOpcode>();
    }
    if (faultOnSmramAccess)
        return std::make_shared<GeneralProtection>(0);
    // Abort semantics (Intel SDM 11.11.2.4): writes are ignored and
    // reads return a fixed value, all ones here.
    abortAccess(req);
    return NoFault;
}

bool
SmmController::blocksWalk(ThreadContext *tc, Addr paddr, unsigned size)
{
    const ContextID id = tc->contextId();
    if (id >= (ContextID)contexts.size())
        return false;
    const Context &c = contexts[id];
    if (c.inSmm || !c.smrr.overlaps(paddr, size))
        return false;
    stats.blockedWalks[id]++;
    DPRINTF(SmmSmrr, "ctx %d: blocked page walk at %#x\n", id, paddr);
    return true;
}

void
SmmController::serialize(CheckpointOut &cp) const
{
    const int n = contexts.size();
    SERIALIZE_SCALAR(n);
    for (int i = 0; i < n; i++) {
        ScopedCheckpointSection sec(cp, csprintf("context%d", i));
        const Context &c = contexts[i];
        paramOut(cp, "in_smm", c.inSmm);
        paramOut(cp, "smbase", c.smbase);
        paramOut(cp, "smrr_base", c.smrr.base());
        paramOut(cp, "smrr_mask", c.smrr.mask());
        paramOut(cp, "entry_tick", c.entryTick);
    }
}

void
SmmController::unserialize(CheckpointIn &cp)
{
    int n;
    UNSERIALIZE_SCALAR(n);
    contexts.assign(n, Context());
    for (int i = 0; i < n; i++) {
        ScopedCheckpointSection sec(cp, csprintf("context%d", i));
        Context &c = contexts[i];
        uint64_t base, mask;
        paramIn(cp, "in_smm", c.inSmm);
        paramIn(cp, "smbase", c.smbase);
        paramIn(cp, "smrr_base", base);
        paramIn(cp, "smrr_mask", mask);
        paramIn(cp, "entry_tick", c.entryTick);
        c.smrr = scotch::Smrr(base, mask);
    }
    updateGuard();
}

bool
SmmController::inSmram(Addr paddr, unsigned size) const
{
    return std::any_of(contexts.begin(), contexts.end(),
                       [&](const Context &c) {
                           return c.smrr.overlaps(paddr, size);
                       });
}

void
SmmController::updateGuard()
{
    setGuardsMemory(std::any_of(contexts.begin(), contexts.end(),
                                [](const Context &c)
                                { return c.smrr.enabled(); }));
}

void
SmmController::cr3Written(ThreadContext *tc, RegVal old_cr3,
                          RegVal new_cr3)
{
    const bool smm = inSmm(tc);
    for (Observer *o : observers)
        o->cr3Loaded(tc, new_cr3, smm);
}

void
SmmController::interruptAccepted(ThreadContext *tc, uint8_t vector)
{
    const bool smm = inSmm(tc);
    for (Observer *o : observers)
        o->interruptAccepted(tc, vector, smm);
}

SmmController::SmmStats::SmmStats(statistics::Group *parent)
    : statistics::Group(parent),
      ADD_STAT(smis, statistics::units::Count::get(),
               "SMIs taken, per hardware context"),
      ADD_STAT(rsms, statistics::units::Count::get(),
               "RSMs executed in SMM, per hardware context"),
      ADD_STAT(cyclesInSmm, statistics::units::Cycle::get(),
               "Cycles from SMI to the end of RSM, per context"),
      ADD_STAT(cyclesPerSmi, statistics::units::Cycle::get(),
               "Cycles in SMM per SMI, per context"),
      ADD_STAT(blockedSmramAccesses, statistics::units::Count::get(),
               "CPU accesses to SMRAM blocked outside SMM"),
      ADD_STAT(blockedWalks, statistics::units::Count::get(),
               "Page-table walks into SMRAM blocked outside SMM"),
      ADD_STAT(refusedMsrWrites, statistics::units::Count::get(),
               "SMRR writes refused (outside SMM or invalid value)")
{
}

void
SmmController::SmmStats::init(size_t n, Cycles max_cycles)
{
    for (auto *v : {&smis, &rsms, &cyclesInSmm, &blockedSmramAccesses,
                    &blockedWalks, &refusedMsrWrites}) {
        v->init(n);
        for (size_t i = 0; i < n; i++)
            v->subname(i, csprintf("cpu%d", i));
    }
    const uint64_t max = max_cycles;
    cyclesPerSmi.init(n, 0, max, std::max<uint64_t>(1, max / 200));
    for (size_t i = 0; i < n; i++)
        cyclesPerSmi.subname(i, csprintf("cpu%d", i));
}

} // namespace X86ISA
} // namespace gem5
