"""gem5 v24.0.0.1 stdlib MMUCache (stub): the constructor's arguments."""

from gem5.components._checks import size as _size


class MMUCache:
    def __init__(self, size: str, assoc: int = 4, tag_latency: int = 1,
                 data_latency: int = 1, response_latency: int = 1,
                 mshrs: int = 20, tgts_per_mshr: int = 12,
                 writeback_clean: bool = True) -> None:
        self.size = _size("size", size)
