# Copyright (c) 2026 The Scotch-gem5 authors
# SPDX-License-Identifier: BSD-3-Clause

from m5.params import *
from m5.proxy import *
from m5.SimObject import SimObject


class X86ScotchTrigger(SimObject):
    """Hardware SMI triggers for Scotch's accounting handler.

    Scotch enters its SMM handler at every context switch. Instead of a
    patched hypervisor writing the APM port, this models hardware that
    raises the SMI itself: on every CR3 load outside SMM (the loading
    CPU gets it), on every maskable interrupt a CPU accepts outside SMM,
    and at exponentially distributed random intervals (every CPU gets
    it, as a chipset SMI). A CR3 load's SMI is the loading core's own:
    pending in its local APIC before the next instruction, so the saved
    RIP follows the MOV (the handler tells the cause by it). The others
    travel as interrupt messages to the local APICs, as the APM port's
    do (``int_latency``).
    """

    type = "X86ScotchTrigger"
    cxx_class = "gem5::X86ISA::ScotchTrigger"
    cxx_header = "scotch/scotch_trigger.hh"

    system = Param.System(Parent.any, "System whose CPUs are watched")
    smm = Param.X86SmmController(
        Parent.any, "SMM controller that reports CR3 loads and interrupts"
    )
    int_requestor = RequestPort("Port for sending interrupt messages")
    int_latency = Param.Latency(
        "1ns",
        "Latency for an SMI message to reach a local APIC (interrupt "
        "and random SMIs)",
    )
    on_cr3 = Param.Bool(True, "Raise an SMI at every CR3 load outside SMM")
    on_external_interrupt = Param.Bool(
        False,
        "Raise an SMI whenever a CPU accepts a maskable interrupt "
        "outside SMM",
    )
    random_mean = Param.Latency(
        "0ns", "Mean interval of random SMIs to every CPU (0: none)"
    )
    random_start = Param.Latency(
        "0ns",
        "When random SMIs begin: firmware enables them once its handler "
        "is in SMRAM",
    )
    seed = Param.UInt64(1, "Seed of the random-interval generator")
