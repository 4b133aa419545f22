"""An X86 board with Scotch-gem5's SMM devices and a multiboot loader.

The EXTRAS SimObjects are imported only when the board uses them, so
that a gem5 built without Scotch-gem5 can build the board without SMM
and with gem5's own loader (the overhead benchmark's baseline).
"""

from m5.objects import IOXBar, Pc, X86FsLinux

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

    Adds an ``X86SmmController`` (SMI entry, RSM, SMBASE, SMRR), the
    APM control port (0xB2/0xB3, raises SMIs) and an ``X86SmramGuard``
    between the I/O bus and memory (DMA never reaches SMRAM), and boots
    multiboot images (Scotch's bare-metal tests, Xen) through
    ``X86MultibootWorkload`` instead of a Linux kernel; with
    ``loader="linux64"`` it keeps the stock ``X86FsLinux``, which enters
    an image in 64-bit mode (see ``workloads/lib/lm64_entry.S``).

    Optionally (all off by default) an ``X86ScotchTrigger`` raises SMIs
    in hardware: at every CR3 load outside SMM (``trigger_on_cr3``), at
    every maskable interrupt accepted outside SMM
    (``trigger_on_interrupt``), and at random intervals with mean
    ``trigger_random_mean`` (a latency such as ``"20us"``) from
    ``trigger_seed``, beginning at ``trigger_random_start`` (after the
    image has installed its handler).
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
        loader: str = "multiboot",
        trigger_on_cr3: bool = False,
        trigger_on_interrupt: bool = False,
        trigger_random_mean: str | None = None,
        trigger_random_start: str = "0ns",
        trigger_seed: int = 1,
    ) -> None:
        if loader not in LOADERS:
            raise ValueError(
                f"loader {loader!r}: expected one of {', '.join(LOADERS)}"
            )
        self._smm_latencies = (smm_entry_latency, smm_exit_latency)
        self._with_smm = with_smm
        self._loader = loader
        self._trigger = (
            trigger_on_cr3,
            trigger_on_interrupt,
            trigger_random_mean,
            trigger_random_start,
            trigger_seed,
        )
        if not with_smm and (
            trigger_on_cr3 or trigger_on_interrupt or trigger_random_mean
        ):
            raise ValueError("an SMI trigger needs the SMM model (with_smm)")
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
        if self._loader == "multiboot":
            from m5.objects import X86MultibootWorkload

            self.workload = X86MultibootWorkload()
        else:
            self.workload = X86FsLinux()
        self.iobus = IOXBar()
        self._setup_io_devices()
        self.m5ops_base = 0xFFFF0000

        if not self._with_smm:
            # For measuring what the SMM model costs: no hook registered.
            return
        from m5.objects import (
            X86ApmPort,
            X86ScotchTrigger,
            X86SmmController,
            X86SmramGuard,
        )

        entry, exit_ = self._smm_latencies
        self.smm = X86SmmController(entry_latency=entry, exit_latency=exit_)
        self.apm = X86ApmPort()
        self.apm.pio = self.iobus.mem_side_ports
        self.apm.int_requestor = self.iobus.cpu_side_ports
        # DMA reaches memory through the guard (get_mem_side_coherent_io_
        # port below): the chipset's half of SMRAM protection.
        self.smram_guard = X86SmramGuard()
        self.smram_guard.cpu_side = self.iobus.mem_side_ports

        on_cr3, on_interrupt, random_mean, random_start, seed = self._trigger
        if on_cr3 or on_interrupt or random_mean:
            self.trigger = X86ScotchTrigger(
                on_cr3=on_cr3,
                on_external_interrupt=on_interrupt,
                random_mean=random_mean or "0ns",
                random_start=random_start,
                seed=seed,
            )
            self.trigger.int_requestor = self.iobus.cpu_side_ports

    def observe_domains(
        self,
        markers: dict[str, str],
        probe_vaddr: int,
        probe_len: int = 64,
        key_slot: int = 260,
    ) -> None:
        """Add an ``X86DomainObserver``: the simulator's own record of
        which domain each CPU runs, named by ``markers`` (domain name to
        the bytes found at ``probe_vaddr`` only in that domain's page
        tables) and by the table at PML4 entry ``key_slot`` (-1: none).
        Its ``ticks`` statistic is the ground truth Scotch's ledger is
        checked against; ``insts`` and ``guestInsts`` count what every
        core retired in each domain (the work done), and
        ``cacheAccesses``/``cacheMisses`` the L2's demand lookups by
        each domain's CPU (the caches exist once the board connects its
        hierarchy: ``_connect_things``)."""
        if not self._with_smm:
            raise ValueError("the domain observer needs the SMM model "
                             "(it hears of CR3 loads from it)")  # fmt: skip
        from m5.objects import X86DomainObserver

        self.observer = X86DomainObserver(
            domains=list(markers),
            markers=list(markers.values()),
            probe_vaddr=probe_vaddr,
            probe_len=probe_len,
            key_slot=key_slot,
            cores=[
                c.get_simobject() for c in self.get_processor().get_cores()
            ],
        )

    def _connect_things(self) -> None:
        super()._connect_things()
        observer = getattr(self, "observer", None)
        if observer is not None:
            from gem5.components.cachehierarchies.classic.caches.l1dcache import (  # noqa: E501
                L1DCache,
            )
            from gem5.components.cachehierarchies.classic.caches.l1icache import (  # noqa: E501
                L1ICache,
            )
            from gem5.components.cachehierarchies.classic.caches.l2cache import (  # noqa: E501
                L2Cache,
            )

            caches = list(self.get_cache_hierarchy().descendants())
            observer.caches = [c for c in caches if isinstance(c, L2Cache)]
            # Where the handler's cycles go: its lookups in each cache.
            observer.smm_caches = [
                c for c in caches
                if isinstance(c, (L1ICache, L1DCache, L2Cache))
            ]  # fmt: skip

    def time_switches(
        self, start_pc: int, hypervisor_start: int, hypervisor_end: int
    ) -> None:
        """Add an ``X86SwitchTimer`` over every core: the cycles of each
        context switch, from the retired instruction at ``start_pc`` to
        the first retired outside SMM and outside the hypervisor's text
        ``[hypervisor_start, hypervisor_end)``, SMIs included."""
        if not self._with_smm:
            raise ValueError("the switch timer needs the SMM model (it "
                             "hears of SMM time from it)")  # fmt: skip
        from m5.objects import X86SwitchTimer

        self.switch_timer = X86SwitchTimer(
            cpus=[c.get_simobject() for c in self.get_processor().get_cores()],
            start_pc=start_pc,
            hypervisor_start=hypervisor_start,
            hypervisor_end=hypervisor_end,
        )

    def add_enclave_page_cache(
        self,
        base: int,
        size: str,
        latencies: tuple[int, int, int, int] = (0, 0, 0, 0),
    ) -> None:
        """Add SGX1's enclave memory protection (``X86EnclaveController``):
        an EPC of ``size`` (such as ``"64KiB"``) at physical ``base``,
        which CPUs, page walks and SMM outside an enclave see as SGX's
        abort page, and DMA, refused by the SMRAM guard, too. ENCLS
        builds enclaves in it. The E820 map still lists it as RAM: the
        bare-metal images know where it is. ``latencies`` are the cycles
        EENTER, EEXIT, an AEX and ERESUME add (scotch_plugin/sgx/
        latency.py has published figures)."""
        if not self._with_smm:
            raise ValueError("the EPC's DMA guard is the SMRAM guard: it "
                             "needs the SMM model")  # fmt: skip
        from m5.objects import X86EnclaveController

        eenter, eexit, aex, eresume = latencies
        self.sgx = X86EnclaveController(
            epc_base=base,
            epc_size=size,
            eenter_latency=eenter,
            eexit_latency=eexit,
            aex_latency=aex,
            eresume_latency=eresume,
        )
        self.smram_guard.epc = self.sgx

    def get_mem_side_coherent_io_port(self):  # type: ignore[override]
        """Where the cache hierarchy connects the I/O bus's memory side:
        through the SMRAM guard when the board has SMM."""
        if self._with_smm:
            return self.smram_guard.mem_side
        return super().get_mem_side_coherent_io_port()

    def attach_disk(self, path: str) -> None:
        """Make ``path`` (a raw image) the primary master IDE disk, copy on
        write: the image's DMA writes never reach the file."""
        from m5.objects import CowDiskImage, IdeDisk, RawDiskImage

        disk = IdeDisk(
            driveID="device0",
            image=CowDiskImage(
                child=RawDiskImage(image_file=path, read_only=True),
                read_only=False,
            ),
        )
        self.pc.south_bridge.ide.disks = [disk]

    def set_multiboot_workload(
        self,
        image: str,
        command_line: str = "",
        modules: tuple[str, ...] = (),
        module_cmdlines: tuple[str, ...] = (),
        exit_on_work_items: bool = True,
    ) -> None:
        """Boot ``image`` (a multiboot ELF) with these modules. As the
        stdlib's workloads do, m5 work-begin/work-end end the simulation
        loop (the WORKBEGIN/WORKEND exit events) unless told not to."""
        if self._loader != "multiboot":
            raise ValueError("set_multiboot_workload needs the multiboot "
                             "loader")  # fmt: skip
        self._set_fullsystem(True)
        self.workload.object_file = image
        self.workload.command_line = command_line
        self.workload.modules = list(modules)
        self.workload.module_cmdlines = list(module_cmdlines)
        self.exit_on_work_items = exit_on_work_items

    def set_linux64_workload(self, image: str, command_line: str = "") -> None:
        """Boot ``image`` with gem5's stock loader: its ELF entry point is
        entered in 64-bit mode, as a Linux kernel's is."""
        if self._loader != "linux64":
            raise ValueError("set_linux64_workload needs loader='linux64'")
        self._set_fullsystem(True)
        self.workload.object_file = image
        self.workload.command_line = command_line


#: The loaders ScotchX86Board can boot an image with.
LOADERS = ("multiboot", "linux64")
