/*
 * Copyright (c) 2026 The Scotch-gem5 authors
 * SPDX-License-Identifier: BSD-3-Clause
 */

/**
 * @file
 * The APM control/status port pair (I/O ports 0xB2/0xB3). Software
 * raises an SMI by writing a command byte to 0xB2; this is how Scotch's
 * software trigger (a patched hypervisor) enters the accounting handler.
 */

#ifndef __SCOTCH_APM_PORT_HH__
#define __SCOTCH_APM_PORT_HH__

#include <cstdint>
#include <set>

#include "arch/x86/intmessage.hh"
#include "base/statistics.hh"
#include "dev/io_device.hh"
#include "dev/x86/intdev.hh"
#include "params/X86ApmPort.hh"

namespace gem5
{

namespace X86ISA
{

class ApmPort : public BasicPioDevice
{
  public:
    using Params = X86ApmPortParams;

    ApmPort(const Params &p);

    void init() override;
    Port &getPort(const std::string &if_name,
                  PortID idx=InvalidPortID) override;

    Tick read(PacketPtr pkt) override;
    Tick write(PacketPtr pkt) override;

    /** Needed by IntRequestPort; this device receives no messages. */
    AddrRangeList getIntAddrRange() const { return AddrRangeList(); }

    void serialize(CheckpointOut &cp) const override;
    void unserialize(CheckpointIn &cp) override;

  protected:
    /** Send an SMI message to the APIC(s) the write selects. */
    void raiseSmi(PacketPtr pkt);

    IntRequestPort<ApmPort> intRequestPort;
    const bool broadcast;
    const uint8_t defaultApicId;
    /** Commands that only latch (no SMI), e.g. ACPI enable/disable. */
    std::set<uint8_t> noSmiCommands;

    /** Last byte written to the control port (0xB2). */
    uint8_t control = 0;
    /** Scratch status byte (0xB3). */
    uint8_t status = 0;

    struct ApmStats : public statistics::Group
    {
        ApmStats(statistics::Group *parent);

        statistics::Scalar commands;
        statistics::Scalar smisSent;
    } stats;
};

} // namespace X86ISA
} // namespace gem5

#endif // __SCOTCH_APM_PORT_HH__
