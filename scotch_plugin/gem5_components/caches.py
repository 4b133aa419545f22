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

    def __init__(
        self,
        l1d_size: str,
        l1i_size: str,
        l2_size: str,
        l1d_assoc: int = 0,
        l1i_assoc: int = 0,
        l2_assoc: int = 0,
    ) -> None:
        """Sizes as the stdlib's; an associativity of 0 keeps the stdlib
        caches' own (L1 8 ways, L2 16)."""
        super().__init__(l1d_size=l1d_size, l1i_size=l1i_size,
                         l2_size=l2_size)  # fmt: skip
        self._scotch_assoc = (l1d_assoc, l1i_assoc, l2_assoc)

    def incorporate_cache(self, board) -> None:  # type: ignore[no-untyped-def]
        super().incorporate_cache(board)
        from gem5.components.cachehierarchies.classic.caches.l1dcache import (
            L1DCache,
        )
        from gem5.components.cachehierarchies.classic.caches.l1icache import (
            L1ICache,
        )
        from gem5.components.cachehierarchies.classic.caches.l2cache import (
            L2Cache,
        )

        kinds = (L1DCache, L1ICache, L2Cache)
        for obj in self.descendants():
            for kind, assoc in zip(kinds, self._scotch_assoc, strict=True):
                if assoc and type(obj) is kind:
                    obj.assoc = assoc

    def _connect_table_walker(self, cpu_id: int, cpu: "AbstractCore") -> None:
        iptw = MMUCache(size="8KiB")
        dptw = MMUCache(size="8KiB")
        iptw.mem_side = self.l2buses[cpu_id].cpu_side_ports
        dptw.mem_side = self.l2buses[cpu_id].cpu_side_ports
        setattr(self, f"iptw_cache_{cpu_id}", iptw)
        setattr(self, f"dptw_cache_{cpu_id}", dptw)
        cpu.connect_walker_ports(iptw.cpu_side, dptw.cpu_side)
