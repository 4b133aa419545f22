"""An X86 board with Scotch-gem5's SMM devices and a multiboot loader."""

from m5.objects import (
    IOXBar,
    Pc,
    X86ApmPort,
    X86MultibootWorkload,
    X86SmmController,
)

from gem5.components.boards.x86_board import X86Board
from gem5.components.cachehierarchies.abstract_cache_hierarchy import (
    AbstractCacheHierarchy,
)
from gem5.components.memory.abstract_memory_system import (
    AbstractMemorySystem,
)
from gem5.components.processors.abstract_processor import AbstractProcessor


class ScotchX86Board(X86Board):
    """gem5's stdlib X86Board plus System Management Mode.

    Adds an ``X86SmmController`` (SMI entry, RSM, SMBASE, SMRR) and the
    APM control port (0xB2/0xB3, raises SMIs), and boots multiboot images
    (Scotch's bare-metal tests, Xen) through ``X86MultibootWorkload``
    instead of a Linux kernel.
    """

    def __init__(
        self,
        clk_freq: str,
        processor: AbstractProcessor,
        memory: AbstractMemorySystem,
        cache_hierarchy: AbstractCacheHierarchy,
        smm_entry_latency: int = 0,
        smm_exit_latency: int = 0,
        with_smm: bool = True,
    ) -> None:
        self._smm_latencies = (smm_entry_latency, smm_exit_latency)
        self._with_smm = with_smm
        super().__init__(
            clk_freq=clk_freq,
            processor=processor,
            memory=memory,
            cache_hierarchy=cache_hierarchy,
        )

    def _setup_board(self) -> None:
        # X86Board._setup_board with a multiboot loader for the workload:
        # X86MultibootWorkload takes every parameter X86FsLinux does, so
        # the I/O set-up fills its E820, MP and SMBIOS tables unchanged.
        self.pc = Pc()
        self.workload = X86MultibootWorkload()
        self.iobus = IOXBar()
        self._setup_io_devices()
        self.m5ops_base = 0xFFFF0000

        if not self._with_smm:
            # For measuring what the SMM model costs: no hook registered.
            return
        entry, exit_ = self._smm_latencies
        self.smm = X86SmmController(entry_latency=entry, exit_latency=exit_)
        self.apm = X86ApmPort()
        self.apm.pio = self.iobus.mem_side_ports
        self.apm.int_requestor = self.iobus.cpu_side_ports

    def set_multiboot_workload(
        self,
        image: str,
        command_line: str = "",
        modules: tuple[str, ...] = (),
        module_cmdlines: tuple[str, ...] = (),
    ) -> None:
        """Boot ``image`` (a multiboot ELF) with these modules."""
        self._set_fullsystem(True)
        self.workload.object_file = image
        self.workload.command_line = command_line
        self.workload.modules = list(modules)
        self.workload.module_cmdlines = list(module_cmdlines)
