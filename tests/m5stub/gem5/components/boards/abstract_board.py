"""gem5 v24.0.0.1 AbstractBoard (stub): what every stdlib board's
constructor checks and keeps of its components."""

from gem5.components._checks import frequency
from gem5.components.cachehierarchies.abstract_cache_hierarchy import (
    AbstractCacheHierarchy,
)
from gem5.components.memory.abstract_memory_system import (
    AbstractMemorySystem,
)
from gem5.components.processors.abstract_processor import AbstractProcessor


class AbstractBoard:
    def _set_components(self, clk_freq: str, processor: AbstractProcessor,
                        memory: AbstractMemorySystem,
                        cache_hierarchy: AbstractCacheHierarchy) -> None:
        frequency("clk_freq", clk_freq)
        if not isinstance(processor, AbstractProcessor):
            raise TypeError(f"processor: {processor!r}")
        if not isinstance(memory, AbstractMemorySystem):
            raise TypeError(f"memory: {memory!r}")
        if not isinstance(cache_hierarchy, AbstractCacheHierarchy):
            raise TypeError(f"cache_hierarchy: {cache_hierarchy!r}")
        self._processor = processor
        self._memory = memory
        self._cache_hierarchy = cache_hierarchy

    def get_processor(self) -> AbstractProcessor:
        return self._processor

    def get_cache_hierarchy(self) -> AbstractCacheHierarchy:
        return self._cache_hierarchy

    def _connect_things(self) -> None:
        """What gem5 does before instantiating: the hierarchy builds its
        caches for the board's cores."""
        self._cache_hierarchy.incorporate_cache(self)
