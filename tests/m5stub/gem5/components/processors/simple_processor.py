from gem5.components.processors.abstract_processor import AbstractProcessor
from gem5.components.processors.cpu_types import CPUTypes
from gem5.isas import ISA


class SimpleProcessor(AbstractProcessor):
    def __init__(self, cpu_type: CPUTypes, num_cores: int, isa: ISA) -> None:
        if not isinstance(cpu_type, CPUTypes):
            raise TypeError(f"cpu_type: expected a CPUTypes, got {cpu_type!r}")
        if not isinstance(isa, ISA):
            raise TypeError(f"isa: expected an ISA, got {isa!r}")
        if not isinstance(num_cores, int) or num_cores < 1:
            raise ValueError(f"num_cores: expected >= 1, got {num_cores!r}")
        super().__init__(isa, num_cores)
        self.cpu_type = cpu_type
        self._make_cores(cpu_type)
