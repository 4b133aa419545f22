from gem5.components.processors.abstract_processor import _X86_CPUS
from gem5.components.processors.base_cpu_core import BaseCPUCore
from gem5.components.processors.cpu_types import CPUTypes
from gem5.isas import ISA


class SimpleCore(BaseCPUCore):
    """gem5 v24.0's SimpleCore: one CPU of a CPUTypes (stub)."""

    def __init__(self, cpu_type: CPUTypes, core_id: int, isa: ISA) -> None:
        from m5 import objects

        if not isinstance(cpu_type, CPUTypes):
            raise TypeError(f"cpu_type: expected a CPUTypes, got {cpu_type!r}")
        if not isinstance(core_id, int) or core_id < 0:
            raise ValueError(f"core_id: expected >= 0, got {core_id!r}")
        if not isinstance(isa, ISA):
            raise TypeError(f"isa: expected an ISA, got {isa!r}")
        cls = getattr(objects, _X86_CPUS[cpu_type])
        super().__init__(cls(cpu_id=core_id), isa)
        self.cpu_type = cpu_type
