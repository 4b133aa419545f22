"""gem5 v24.0.0.1 SimpleBoard (stub): a board for syscall emulation
only, and its SE workload hook."""

from m5.objects.Device import System

from gem5.components.boards.abstract_board import AbstractBoard
from gem5.components.cachehierarchies.abstract_cache_hierarchy import (
    AbstractCacheHierarchy,
)
from gem5.components.memory.abstract_memory_system import (
    AbstractMemorySystem,
)
from gem5.components.processors.abstract_processor import AbstractProcessor
from gem5.resources.resource import BinaryResource


class SimpleBoard(System, AbstractBoard):
    type = "System"
    abstract = False

    def __init__(self, clk_freq: str, processor: AbstractProcessor,
                 memory: AbstractMemorySystem,
                 cache_hierarchy: AbstractCacheHierarchy) -> None:
        super().__init__()
        self._set_components(clk_freq, processor, memory, cache_hierarchy)
        self._binary = None

    def is_fullsystem(self) -> bool:
        return False

    def set_se_binary_workload(self, binary: BinaryResource,
                               exit_on_work_items: bool = True,
                               stdin_file=None, stdout_file=None,
                               stderr_file=None, env_list=None,
                               arguments: list | None = None,
                               checkpoint=None) -> None:
        if not isinstance(binary, BinaryResource):
            raise TypeError(f"binary: expected a BinaryResource: {binary!r}")
        self._binary = binary
        self._arguments = list(arguments or [])
        self.exit_on_work_items = exit_on_work_items
