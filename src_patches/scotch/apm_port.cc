/*
 * Copyright (c) 2026 The Scotch-gem5 authors
 * SPDX-License-Identifier: BSD-3-Clause
 */

#include "scotch/apm_port.hh"

#include "arch/x86/x86_traits.hh"
#include "base/logging.hh"
#include "base/trace.hh"
#include "cpu/base.hh"
#include "cpu/thread_context.hh"
#include "debug/ApmPort.hh"
#include "dev/x86/intdev.hh"
#include "mem/packet_access.hh"
#include "sim/system.hh"

namespace gem5
{

namespace X86ISA
{

namespace
{
/** Offsets of the two ports from pio_addr. */
constexpr Addr ControlOffset = 0;
constexpr Addr StatusOffset = 1;
} // anonymous namespace

ApmPort::ApmPort(const Params &p)
    : BasicPioDevice(p, 2),
      intRequestPort(name() + ".int_request", this, this, p.int_latency),
      broadcast(p.broadcast), defaultApicId(p.default_apic_id),
      noSmiCommands(p.no_smi_commands.begin(), p.no_smi_commands.end()),
      stats(this)
{
}

void
ApmPort::init()
{
    BasicPioDevice::init();
    fatal_if(!intRequestPort.isConnected(),
             "%s: int_requestor is not connected: wire it to the "
             "interrupt crossbar like the I/O APIC's.", name());
}

Port &
ApmPort::getPort(const std::string &if_name, PortID idx)
{
    if (if_name == "int_requestor")
        return intRequestPort;
    return BasicPioDevice::getPort(if_name, idx);
}

Tick
ApmPort::read(PacketPtr pkt)
{
    const Addr offset = pkt->getAddr() - pioAddr;
    if (pkt->getSize() != 1)
        warn("%s: %d-byte read at offset %d; APM ports are byte wide.",
             name(), pkt->getSize(), offset);
    pkt->setLE<uint8_t>(offset == ControlOffset ? control : status);
    pkt->makeAtomicResponse();
    return pioDelay;
}

Tick
ApmPort::write(PacketPtr pkt)
{
    const Addr offset = pkt->getAddr() - pioAddr;
    const uint8_t value = pkt->getLE<uint8_t>();
    if (offset == StatusOffset) {
        DPRINTF(ApmPort, "status <- %#x\n", value);
        status = value;
    } else {
        DPRINTF(ApmPort, "control <- %#x\n", value);
        control = value;
        ++stats.commands;
        if (!noSmiCommands.count(value))
            raiseSmi(pkt);
    }
    pkt->makeAtomicResponse();
    return pioDelay;
}

void
ApmPort::raiseSmi(PacketPtr pkt)
{
    TriggerIntMessage message = 0;
    message.deliveryMode = delivery_mode::SMI;
    message.destMode = 0; // physical
    message.trigger = 0;  // edge

    std::vector<int> apics;
    if (broadcast) {
        for (int i = 0; i < sys->threads.size(); i++)
            apics.push_back(i);
    } else if (pkt->req->hasContextId()) {
        // gem5's x86 systems number APICs by context ID (as the I/O APIC
        // assumes too).
        apics.push_back(pkt->req->contextId());
    } else {
        apics.push_back(defaultApicId);
    }

    for (int id : apics) {
        DPRINTF(ApmPort, "SMI -> APIC %d\n", id);
        message.destination = id;
        intRequestPort.sendMessage(buildIntTriggerPacket(id, message),
                                   sys->isTimingMode());
        ++stats.smisSent;
    }
}

void
ApmPort::serialize(CheckpointOut &cp) const
{
    SERIALIZE_SCALAR(control);
    SERIALIZE_SCALAR(status);
}

void
ApmPort::unserialize(CheckpointIn &cp)
{
    UNSERIALIZE_SCALAR(control);
    UNSERIALIZE_SCALAR(status);
}

ApmPort::ApmStats::ApmStats(statistics::Group *parent)
    : statistics::Group(parent),
      ADD_STAT(commands, statistics::units::Count::get(),
               "Bytes written to the APM control port"),
      ADD_STAT(smisSent, statistics::units::Count::get(),
               "SMI messages sent to local APICs")
{
}

} // namespace X86ISA
} // namespace gem5
