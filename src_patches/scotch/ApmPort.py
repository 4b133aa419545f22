# Copyright (c) 2026 The Scotch-gem5 authors
# SPDX-License-Identifier: BSD-3-Clause

from m5.objects.Device import BasicPioDevice
from m5.params import *
from m5.proxy import *


def x86IOAddress(port):
    """Physical address gem5's x86 TLB gives an I/O port access."""
    IO_address_space_base = 0x8000000000000000
    return IO_address_space_base + port


class X86ApmPort(BasicPioDevice):
    """APM control (0xB2) and status (0xB3) ports of a PC chipset.

    A byte written to the control port raises an SMI, as on Intel's ICH
    with SMI_EN.APMC_EN set, by sending an interrupt message with delivery
    mode SMI to the local APIC of the CPU that wrote it (or to every CPU).
    The status port is a scratch byte that firmware uses to pass arguments.
    """

    type = "X86ApmPort"
    cxx_class = "gem5::X86ISA::ApmPort"
    cxx_header = "scotch/apm_port.hh"

    pio_addr = x86IOAddress(0xB2)
    int_requestor = RequestPort("Port for sending interrupt messages")
    int_latency = Param.Latency(
        "1ns", "Latency for an interrupt to propagate through this device."
    )
    broadcast = Param.Bool(
        False, "Send the SMI to every CPU instead of the writer's"
    )
    default_apic_id = Param.UInt8(
        0, "APIC the SMI goes to when the write carries no context ID"
    )
    no_smi_commands = VectorParam.UInt8(
        [0xF0, 0xF1],
        "Commands that raise no SMI (ACPI enable/disable, as in QEMU)",
    )
