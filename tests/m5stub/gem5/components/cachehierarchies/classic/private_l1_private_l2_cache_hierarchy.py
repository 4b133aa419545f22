from gem5.components._checks import size
from gem5.components.cachehierarchies.abstract_cache_hierarchy import (
    AbstractCacheHierarchy,
)
from gem5.components.cachehierarchies.classic.caches.l1dcache import L1DCache
from gem5.components.cachehierarchies.classic.caches.l1icache import L1ICache
from gem5.components.cachehierarchies.classic.caches.l2cache import L2Cache


class PrivateL1PrivateL2CacheHierarchy(AbstractCacheHierarchy):
    def __init__(self, l1d_size: str, l1i_size: str, l2_size: str,
                 membus=None) -> None:
        self.l1d_size = size("l1d_size", l1d_size)
        self.l1i_size = size("l1i_size", l1i_size)
        self.l2_size = size("l2_size", l2_size)

    def incorporate_cache(self, board) -> None:
        """The caches gem5's builds for each core (no ports: the stub
        checks objects and parameters, not the wiring)."""
        self._stub_children = []
        for _ in board.get_processor().get_cores():
            self._stub_children += [
                L2Cache(size=self.l2_size),
                L1ICache(size=self.l1i_size),
                L1DCache(size=self.l1d_size),
            ]
