from m5.objects.BaseCPU import BaseCPU

from gem5.isas import ISA


class BaseCPUCore:
    """gem5's core around one BaseCPU SimObject (stub)."""

    def __init__(self, core: BaseCPU, isa: ISA) -> None:
        if not isinstance(core, BaseCPU):
            raise TypeError(f"core: expected a BaseCPU, got {core!r}")
        self.core = core
        self._isa = isa

    def get_simobject(self) -> BaseCPU:
        return self.core

    def get_isa(self) -> ISA:
        return self._isa
