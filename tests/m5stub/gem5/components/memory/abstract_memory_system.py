class AbstractMemorySystem:
    """gem5's abstract memory system (stub)."""

    def __init__(self, size: str) -> None:
        self._size = size

    def get_size(self) -> str:
        return self._size
