"""gem5 v24.0.0.1 stdlib L2Cache (stub): a Cache with the stdlib's default
associativity."""

from m5.objects import Cache


class L2Cache(Cache):
    def __init__(self, size: str, assoc: int = 16) -> None:
        super().__init__()
        self.size = size
        self.assoc = assoc
