/*
 * Copyright (c) 2026 The Scotch-gem5 authors
 * SPDX-License-Identifier: BSD-3-Clause
 */

#include "scotch/smram_guard.hh"

#include <cstring>

#include "base/logging.hh"
#include "base/trace.hh"
#include "debug/SmmSmrr.hh"
#include "mem/packet.hh"
#include "scotch/enclave_controller.hh"
#include "scotch/smm_controller.hh"

namespace gem5
{

namespace X86ISA
{

SmramGuard::SmramGuard(const Params &p)
    : SimObject(p), cpuSide(name() + ".cpu_side", *this),
      memSide(name() + ".mem_side", *this), smm(p.smm), epc(p.epc),
      latency(p.latency), stats(this)
{
}

Port &
SmramGuard::getPort(const std::string &if_name, PortID idx)
{
    if (if_name == "cpu_side")
        return cpuSide;
    if (if_name == "mem_side")
        return memSide;
    return SimObject::getPort(if_name, idx);
}

void
SmramGuard::init()
{
    SimObject::init();
    fatal_if(!cpuSide.isConnected() || !memSide.isConnected(),
             "%s: connect cpu_side to the I/O bus and mem_side to memory.",
             name());
    cpuSide.sendRangeChange();
}

bool
SmramGuard::refuse(PacketPtr pkt)
{
    const bool smram = smm->inSmram(pkt->getAddr(), pkt->getSize());
    // The enclave controller counts what it refuses.
    if (!smram && !(epc && epc->refusesDma(pkt->getAddr(), pkt->getSize(),
                                           pkt->isWrite())))
        return false;
    DPRINTF(SmmSmrr, "DMA %s of %d bytes at %#x refused: %s\n",
            pkt->cmdString(), pkt->getSize(), pkt->getAddr(),
            smram ? "SMRAM" : "EPC");
    if (pkt->isRead()) {
        stats.blockedReads += smram;
        std::memset(pkt->getPtr<uint8_t>(), 0xff, pkt->getSize());
    } else if (pkt->isWrite()) {
        stats.blockedWrites += smram;
    }
    if (pkt->needsResponse())
        pkt->makeResponse();
    return true;
}

SmramGuard::CpuSidePort::CpuSidePort(const std::string &name,
                                     SmramGuard &guard)
    : QueuedResponsePort(name, queue), guard(guard),
      queue(guard, *this)
{
}

Tick
SmramGuard::CpuSidePort::recvAtomic(PacketPtr pkt)
{
    if (guard.refuse(pkt))
        return guard.latency;
    ++guard.stats.forwarded;
    return guard.memSide.sendAtomic(pkt);
}

void
SmramGuard::CpuSidePort::recvFunctional(PacketPtr pkt)
{
    // Loaders, checkpoints and debuggers see memory as it is.
    guard.memSide.sendFunctional(pkt);
}

bool
SmramGuard::CpuSidePort::recvTimingReq(PacketPtr pkt)
{
    if (guard.refuse(pkt)) {
        if (pkt->isResponse())
            schedTimingResp(pkt, curTick() + guard.latency);
        else
            delete pkt; // a writeback or other no-response request
        return true;
    }
    if (!guard.memSide.sendTimingReq(pkt)) {
        guard.retryPending = true;
        return false;
    }
    ++guard.stats.forwarded;
    return true;
}

AddrRangeList
SmramGuard::CpuSidePort::getAddrRanges() const
{
    return guard.memSide.getAddrRanges();
}

SmramGuard::MemSidePort::MemSidePort(const std::string &name,
                                     SmramGuard &guard)
    : RequestPort(name), guard(guard)
{
}

bool
SmramGuard::MemSidePort::recvTimingResp(PacketPtr pkt)
{
    guard.cpuSide.schedTimingResp(pkt, curTick());
    return true;
}

void
SmramGuard::MemSidePort::recvReqRetry()
{
    if (guard.retryPending) {
        guard.retryPending = false;
        guard.cpuSide.sendRetryReq();
    }
}

void
SmramGuard::MemSidePort::recvRangeChange()
{
    guard.cpuSide.sendRangeChange();
}

SmramGuard::GuardStats::GuardStats(statistics::Group *parent)
    : statistics::Group(parent),
      ADD_STAT(blockedReads, statistics::units::Count::get(),
               "DMA reads of SMRAM refused (all ones returned)"),
      ADD_STAT(blockedWrites, statistics::units::Count::get(),
               "DMA writes to SMRAM refused (dropped)"),
      ADD_STAT(forwarded, statistics::units::Count::get(),
               "Requests passed on to memory")
{
}

} // namespace X86ISA
} // namespace gem5
