"""gem5 v24.0.0.1 X86Board (stub): the constructor's checks, the
set-up hooks our boards override, and what _setup_io_devices fills in."""

from m5.objects import IOXBar, Pc, X86E820Entry, X86FsLinux
from m5.objects.X86Board import X86System

from gem5.components.boards.abstract_board import AbstractBoard
from gem5.components.cachehierarchies.abstract_cache_hierarchy import (
    AbstractCacheHierarchy,
)
from gem5.components.memory.abstract_memory_system import (
    AbstractMemorySystem,
)
from gem5.components.processors.abstract_processor import AbstractProcessor
from gem5.isas import ISA


class X86Board(X86System, AbstractBoard):
    type = "StdlibX86Board"

    def __init__(self, clk_freq: str, processor: AbstractProcessor,
                 memory: AbstractMemorySystem,
                 cache_hierarchy: AbstractCacheHierarchy) -> None:
        super().__init__()
        self._set_components(clk_freq, processor, memory, cache_hierarchy)
        if processor.get_isa() != ISA.X86:
            raise Exception("The X86Board requires a processor using X86")
        self._is_fs = None
        self._setup_board()

    def has_coherent_io(self) -> bool:
        return True

    def get_mem_side_coherent_io_port(self):
        # Where the cache hierarchy's I/O cache (or bridge) takes the I/O
        # bus's memory traffic (DMA).
        return self.iobus.mem_side_ports

    def _set_fullsystem(self, is_fs: bool) -> None:
        self._is_fs = is_fs

    def is_fullsystem(self) -> bool:
        return bool(self._is_fs)

    def _setup_board(self) -> None:
        self.pc = Pc()
        self.workload = X86FsLinux()
        self.iobus = IOXBar()
        self._setup_io_devices()
        self.m5ops_base = 0xFFFF0000

    def _setup_io_devices(self) -> None:
        self.workload.e820_table.entries = [
            X86E820Entry(addr=0, size="639kB", range_type=1),
            X86E820Entry(addr=0x9FC00, size="385kB", range_type=2),
            X86E820Entry(addr=0xFFFF0000, size="64kB", range_type=2),
        ]
