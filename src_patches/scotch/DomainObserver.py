# Copyright (c) 2026 The Scotch-gem5 authors
# SPDX-License-Identifier: BSD-3-Clause

from m5.params import *
from m5.proxy import *
from m5.SimObject import SimObject


class X86DomainObserver(SimObject):
    """Ground truth for Scotch: which domain each CPU runs, tick by tick.

    The observer sees every CR3 load outside SMM (through the SMM
    controller, not through Scotch's handler or the hypervisor's
    trace) and walks the new 4-level page tables itself, reading
    physical memory, to name the address space:

    * the bytes at ``probe_vaddr`` (for a Linux guest, its kernel's
      ``init_uts_ns`` hostname) are searched for each domain's marker;
    * failing that (a PV guest's user page tables do not map its
      kernel), the table that entry ``key_slot`` of the top level
      points to (Xen's per-domain area, in every table Xen builds for
      a domain) names the domain it was last seen with.

    Time from one load to the next is charged to the domain loaded,
    and to "other" when neither names one (Xen's idle tables, paging
    off, legacy modes) and while the CPU sleeps (HLT: Xen's idle vCPU
    halts on the last guest's tables, which it keeps by switching to
    idle lazily; ``sleepTicks``). The instructions ``cores`` retire outside SMM
    are counted to the domain their CPU runs, and apart those at CPL 3
    (the guest's own work, without the hypervisor's). The demand lookups
    and misses of ``caches`` (the L2, for RQ3) are counted to the domain
    the requesting CPU runs. What the cores retire in SMM, and the
    lookups and misses of ``smm_caches`` (each core's L1s and the L2)
    by a CPU in SMM, are counted apart: Scotch's handler's own.
    """

    type = "X86DomainObserver"
    cxx_class = "gem5::X86ISA::DomainObserver"
    cxx_header = "scotch/domain_observer.hh"

    system = Param.System(Parent.any, "System whose CPUs are observed")
    smm = Param.X86SmmController(
        Parent.any, "SMM controller that reports CR3 loads"
    )
    domains = VectorParam.String([], "Names of the domains, in order")
    markers = VectorParam.String(
        [], "For each domain, bytes found at probe_vaddr only in its tables"
    )
    probe_vaddr = Param.Addr(0, "Virtual address read to name a domain")
    probe_len = Param.Unsigned(64, "Bytes read at probe_vaddr (<= 4096)")
    key_slot = Param.Int(
        260,
        "Top-level (PML4) entry whose table is shared by all of a "
        "domain's page tables (Xen: 260, its per-domain area); -1: none",
    )
    cores = VectorParam.BaseCPU(
        [], "CPUs whose retired instructions are counted per domain"
    )
    caches = VectorParam.BaseCache(
        [],
        "Caches whose demand lookups and misses are counted per domain "
        "(their Hit and Miss probes fire in timing mode only)",
    )
    smm_caches = VectorParam.BaseCache(
        [],
        "Caches whose demand lookups and misses by a CPU in SMM are "
        "counted, per cache: where the handler's cycles go",
    )
