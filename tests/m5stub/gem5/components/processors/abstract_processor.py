from gem5.isas import ISA


class AbstractProcessor:
    """gem5's abstract processor (stub)."""

    def __init__(self, isa: ISA, num_cores: int) -> None:
        self._isa = isa
        self._num_cores = num_cores

    def get_isa(self) -> ISA:
        return self._isa

    def get_num_cores(self) -> int:
        return self._num_cores
