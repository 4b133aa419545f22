# Copyright (c) 2026 The Scotch-gem5 authors
# SPDX-License-Identifier: BSD-3-Clause

from m5.params import *
from m5.proxy import *
from m5.SimObject import SimObject


class X86SmramGuard(SimObject):
    """The memory-side SMRAM and EPC filter for requestors that are not
    CPUs.

    CPU accesses are checked in the TLB and the page-table walker; DMA
    never goes through them. Placed between the I/O bus and memory, this
    object refuses every request that touches the SMRAM range of a valid
    SMRR (any CPU's), with the SDM's abort semantics: a read returns all
    ones, a write is dropped. With ``epc``, requests that touch the
    enclave page cache are refused the same way (SGX's abort page).
    Functional accesses (loaders, checkpoints, debuggers) pass.
    """

    type = "X86SmramGuard"
    cxx_class = "gem5::X86ISA::SmramGuard"
    cxx_header = "scotch/smram_guard.hh"

    cpu_side = ResponsePort("From the DMA requestors (the I/O bus)")
    mem_side = RequestPort("To memory (the I/O cache or memory bus)")
    smm = Param.X86SmmController(
        Parent.any, "The SMM controller that holds the SMRRs"
    )
    epc = Param.X86EnclaveController(
        NULL, "The SGX model whose EPC DMA may not touch (none: no EPC)"
    )
    latency = Param.Latency(
        "1ns", "When a refused request gets its (aborted) response"
    )
