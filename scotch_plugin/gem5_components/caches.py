"""Cache hierarchies for Scotch-gem5's boards."""

from typing import TYPE_CHECKING

from gem5.components.cachehierarchies.classic.caches.mmu_cache import (
    MMUCache,
)
from gem5.components.cachehierarchies.classic.private_l1_private_l2_cache_hierarchy import (  # noqa: E501
    PrivateL1PrivateL2CacheHierarchy,
)

if TYPE_CHECKING:
    from gem5.components.processors.abstract_core import AbstractCore


class WalkerCachedL1L2Hierarchy(PrivateL1PrivateL2CacheHierarchy):
    """The stdlib's private L1/L2 hierarchy with a small cache in front of
    each page-table walker.

    The stdlib connects x86 walkers straight to the memory bus, so the
    walker's write of an accessed bit reaches the bus's snoop filter as a
    bare WriteReq and trips its assertion (seen on every CPU model once a
    page-directory entry starts with A clear). Behind an MMU cache, as in
    gem5's classic configs, the write is an ordinary coherent access.
    """

    def _connect_table_walker(self, cpu_id: int, cpu: "AbstractCore") -> None:
        iptw = MMUCache(size="8KiB")
        dptw = MMUCache(size="8KiB")
        iptw.mem_side = self.l2buses[cpu_id].cpu_side_ports
        dptw.mem_side = self.l2buses[cpu_id].cpu_side_ports
        setattr(self, f"iptw_cache_{cpu_id}", iptw)
        setattr(self, f"dptw_cache_{cpu_id}", dptw)
        cpu.connect_walker_ports(iptw.cpu_side, dptw.cpu_side)
