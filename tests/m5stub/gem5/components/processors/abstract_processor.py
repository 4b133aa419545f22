from gem5.components.processors.base_cpu_core import BaseCPUCore
from gem5.components.processors.cpu_types import CPUTypes
from gem5.isas import ISA

#: The x86 CPU SimObject each CPUTypes makes (gem5's cpu_types.py).
_X86_CPUS = {
    CPUTypes.ATOMIC: "X86AtomicSimpleCPU",
    CPUTypes.TIMING: "X86TimingSimpleCPU",
    CPUTypes.O3: "X86O3CPU",
    CPUTypes.MINOR: "X86MinorCPU",
    CPUTypes.KVM: "X86KvmCPU",
}


class AbstractProcessor:
    """gem5's abstract processor (stub)."""

    def __init__(self, isa: ISA, num_cores: int) -> None:
        self._isa = isa
        self._num_cores = num_cores
        self._cores: list[BaseCPUCore] = []

    def _make_cores(self, cpu_type: CPUTypes) -> None:
        from m5 import objects

        cls = getattr(objects, _X86_CPUS[cpu_type])
        self._cores = [
            BaseCPUCore(cls(cpu_id=i), self._isa)
            for i in range(self._num_cores)
        ]

    def get_isa(self) -> ISA:
        return self._isa

    def get_num_cores(self) -> int:
        return self._num_cores

    def get_cores(self) -> list[BaseCPUCore]:
        """The cores the processor runs first (a switchable processor's
        starting cores)."""
        return list(self._cores)
