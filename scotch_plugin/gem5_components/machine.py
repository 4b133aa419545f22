"""The machine options every Scotch-gem5 config takes (CPU model, cores,
clock, memory, caches), and the stdlib components they make."""

import argparse

from gem5.components.memory import single_channel
from gem5.components.memory.abstract_memory_system import (
    AbstractMemorySystem,
)
from gem5.components.processors.cpu_types import CPUTypes

from scotch_plugin.gem5_components.caches import WalkerCachedL1L2Hierarchy

CPUS = {
    "atomic": CPUTypes.ATOMIC,
    "timing": CPUTypes.TIMING,
    "o3": CPUTypes.O3,
    "minor": CPUTypes.MINOR,
}
#: The stdlib's single-channel memories (``SingleChannel<type>``).
MEMORY_TYPES = ("DDR3_1600", "DDR3_2133", "DDR4_2400", "LPDDR3_1600", "HBM")


def add_machine_args(parser: argparse.ArgumentParser, memory: str) -> None:
    """``--cpu --cores --clock --memory --memory-type --l1d --l1i --l2``
    and the caches' associativity (``--l1d-assoc --l1i-assoc
    --l2-assoc``; 0, the default, keeps the stdlib's)."""
    parser.add_argument("--cpu", choices=sorted(CPUS), default="atomic")
    parser.add_argument("--cores", type=int, default=1)
    parser.add_argument("--clock", default="3GHz")
    parser.add_argument("--memory", default=memory)
    parser.add_argument(
        "--memory-type", choices=MEMORY_TYPES, default="DDR3_1600"
    )
    parser.add_argument("--l1d", default="32KiB")
    parser.add_argument("--l1i", default="32KiB")
    parser.add_argument("--l2", default="1MiB")
    for cache in ("l1d", "l1i", "l2"):
        parser.add_argument(f"--{cache}-assoc", type=int, default=0)


def memory_system(args: argparse.Namespace) -> AbstractMemorySystem:
    kind = getattr(args, "memory_type", "DDR3_1600")
    return getattr(single_channel, f"SingleChannel{kind}")(args.memory)


def cache_hierarchy(args: argparse.Namespace) -> WalkerCachedL1L2Hierarchy:
    """Private L1s and L2 with an MMU cache in front of each page walker
    (see ``WalkerCachedL1L2Hierarchy``)."""
    return WalkerCachedL1L2Hierarchy(
        l1d_size=args.l1d,
        l1i_size=args.l1i,
        l2_size=args.l2,
        l1d_assoc=getattr(args, "l1d_assoc", 0),
        l1i_assoc=getattr(args, "l1i_assoc", 0),
        l2_assoc=getattr(args, "l2_assoc", 0),
    )
