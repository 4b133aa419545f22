from gem5.components._checks import size
from gem5.components.cachehierarchies.abstract_cache_hierarchy import (
    AbstractCacheHierarchy,
)


class PrivateL1PrivateL2CacheHierarchy(AbstractCacheHierarchy):
    def __init__(self, l1d_size: str, l1i_size: str, l2_size: str,
                 membus=None) -> None:
        self.l1d_size = size("l1d_size", l1d_size)
        self.l1i_size = size("l1i_size", l1i_size)
        self.l2_size = size("l2_size", l2_size)
