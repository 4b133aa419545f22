# Copyright (c) 2026 The Scotch-gem5 authors
# SPDX-License-Identifier: BSD-3-Clause

from m5.params import *
from m5.proxy import *
from m5.SimObject import SimObject


class X86SmmController(SimObject):
    """System Management Mode for every CPU of an x86 system.

    Registers itself with the x86 model's SMM hook: an SMI saves the
    state to SMBASE + 0xFE00 in the AMD64 map (revision 0x00020064, as
    QEMU) and enters SMM at SMBASE + 0x8000; RSM restores it. Provides
    IA32_SMBASE (0x9E), the SMRR pair (0x1F2/0x1F3, MTRRcap bit 11) and
    the SMRAM range check for CPU accesses and page walks.
    """

    type = "X86SmmController"
    cxx_class = "gem5::X86ISA::SmmController"
    cxx_header = "scotch/smm_controller.hh"

    system = Param.System(Parent.any, "System whose CPUs get SMM")
    smbase = Param.Addr(0x30000, "SMBASE after reset (Intel SDM, AMD APM)")
    entry_latency = Param.Cycles(
        0, "Cycles an SMI takes to save the state and enter SMM"
    )
    exit_latency = Param.Cycles(
        0, "Cycles RSM takes to restore the state and leave SMM"
    )
    fault_on_smram_access = Param.Bool(
        False,
        "Outside SMM, SMRAM data accesses raise #GP(0) instead of the "
        "SDM's abort semantics (reads all ones, writes dropped)",
    )
    smm_cycles_max = Param.Cycles(
        200000, "Upper end of the per-SMI cycles histogram"
    )
