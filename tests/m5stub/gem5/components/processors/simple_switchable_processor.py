from gem5.components.processors.abstract_processor import AbstractProcessor
from gem5.components.processors.cpu_types import CPUTypes
from gem5.isas import ISA


class SimpleSwitchableProcessor(AbstractProcessor):
    def __init__(self, starting_core_type: CPUTypes,
                 switch_core_type: CPUTypes, num_cores: int,
                 isa: ISA = None) -> None:
        for name, t in (("starting_core_type", starting_core_type),
                        ("switch_core_type", switch_core_type)):
            if not isinstance(t, CPUTypes):
                raise TypeError(f"{name}: expected a CPUTypes, got {t!r}")
        if not isinstance(num_cores, int) or num_cores < 1:
            raise ValueError(f"num_cores: expected >= 1, got {num_cores!r}")
        super().__init__(isa, num_cores)
        self.starting_core_type = starting_core_type
        self.switch_core_type = switch_core_type
        self._make_cores(starting_core_type)
