/*
 * Copyright (c) 2026 The Scotch-gem5 authors
 * SPDX-License-Identifier: BSD-3-Clause
 */

/**
 * @file
 * A memory-side filter that keeps DMA out of SMRAM. The SMRRs protect
 * SMRAM from the CPU only (the TLB and walker check them); on hardware
 * the chipset also refuses DMA to TSEG. This object is that chipset
 * check, driven by the same SMRRs.
 */

#ifndef __SCOTCH_SMRAM_GUARD_HH__
#define __SCOTCH_SMRAM_GUARD_HH__

#include "base/statistics.hh"
#include "mem/port.hh"
#include "mem/qport.hh"
#include "params/X86SmramGuard.hh"
#include "sim/sim_object.hh"

namespace gem5
{

namespace X86ISA
{

class EnclaveController;
class SmmController;

class SmramGuard : public SimObject
{
  public:
    using Params = X86SmramGuardParams;

    SmramGuard(const Params &p);

    Port &getPort(const std::string &if_name,
                  PortID idx = InvalidPortID) override;
    void init() override;

  private:
    /** Requests from the DMA side; responses queue back through it. */
    class CpuSidePort : public QueuedResponsePort
    {
      public:
        CpuSidePort(const std::string &name, SmramGuard &guard);

      protected:
        Tick recvAtomic(PacketPtr pkt) override;
        void recvFunctional(PacketPtr pkt) override;
        bool recvTimingReq(PacketPtr pkt) override;
        AddrRangeList getAddrRanges() const override;

      private:
        SmramGuard &guard;
        RespPacketQueue queue;
    };

    class MemSidePort : public RequestPort
    {
      public:
        MemSidePort(const std::string &name, SmramGuard &guard);

      protected:
        bool recvTimingResp(PacketPtr pkt) override;
        void recvReqRetry() override;
        void recvRangeChange() override;

      private:
        SmramGuard &guard;
    };

    /**
     * If @p pkt touches SMRAM, turn it into its aborted response (reads
     * all ones, writes dropped), count it and return true.
     */
    bool refuse(PacketPtr pkt);

    CpuSidePort cpuSide;
    MemSidePort memSide;
    SmmController *smm;
    EnclaveController *epc;
    const Tick latency;
    /** A timing request memory refused: retry the DMA side later. */
    bool retryPending = false;

    struct GuardStats : public statistics::Group
    {
        GuardStats(statistics::Group *parent);

        statistics::Scalar blockedReads;
        statistics::Scalar blockedWrites;
        statistics::Scalar forwarded;
    } stats;
};

} // namespace X86ISA
} // namespace gem5

#endif // __SCOTCH_SMRAM_GUARD_HH__
