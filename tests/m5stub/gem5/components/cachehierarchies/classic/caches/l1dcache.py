"""gem5 v24.0.0.1 stdlib L1DCache (stub): a Cache with the stdlib's default
associativity."""

from m5.objects import Cache


class L1DCache(Cache):
    def __init__(self, size: str, assoc: int = 8) -> None:
        super().__init__()
        self.size = size
        self.assoc = assoc
