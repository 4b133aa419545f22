from gem5.components._checks import size as _size
from gem5.components.memory.abstract_memory_system import (
    AbstractMemorySystem,
)


def SingleChannelDDR3_1600(size=None) -> AbstractMemorySystem:
    return AbstractMemorySystem(_size("size", size or "512MiB"))
