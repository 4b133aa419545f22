# Copyright (c) 2026 The Scotch-gem5 authors
# SPDX-License-Identifier: BSD-3-Clause

from m5.params import *
from m5.proxy import *
from m5.SimObject import SimObject


class X86SwitchTimer(SimObject):
    """Cycles of the hypervisor's context switches, from retired PCs.

    A switch starts when a CPU retires the instruction at ``start_pc``
    (Xen: ``context_switch``'s entry, from xen-syms) and ends at the
    first instruction it retires outside SMM and outside the hypervisor's
    text, ``[hypervisor_start, hypervisor_end)``: back in a guest. SMIs
    taken inside a switch are counted with their cycles (SMI to the end
    of RSM, from the SMM controller), so the same switch can be measured
    with and without Scotch. A switch that reaches ``start_pc`` again
    before any guest code (to the idle vCPU and on) is counted as
    aborted, not sampled.

    Every SMI also gives one sample of the trigger's cost as software
    sees it: cycles from the last instruction retired before SMM (the
    OUT, the CR3 load) to the first retired after RSM.

    Samples go to ``switch_cycles.csv`` and ``smi_gaps.csv`` in the
    output directory (for medians and percentiles), each row with the
    tick it ended at, and into the stats.
    """

    type = "X86SwitchTimer"
    cxx_class = "gem5::X86ISA::SwitchTimer"
    cxx_header = "scotch/switch_timer.hh"

    cpus = VectorParam.BaseCPU("CPUs whose retired instructions are watched")
    smm = Param.X86SmmController(
        Parent.any, "SMM controller that reports SMM time"
    )
    start_pc = Param.Addr("Virtual address that starts a switch")
    hypervisor_start = Param.Addr("Start of the hypervisor's text")
    hypervisor_end = Param.Addr("End of the hypervisor's text (exclusive)")
    max_cycles = Param.Cycles(
        200000, "Upper end of the stats' distributions (cycles)"
    )
