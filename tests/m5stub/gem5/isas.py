"""gem5 v24.0.0.1 src/python/gem5/isas.py."""

from enum import Enum


class ISA(Enum):
    X86 = "x86"
    RISCV = "riscv"
    ARM = "arm"
    MIPS = "mips"
    POWER = "power"
    SPARC = "sparc"
    NULL = "null"


def get_isa_from_str(input: str) -> ISA:
    for isa in ISA:
        if input.lower() == isa.value:
            return isa
    raise Exception(f"Value '{input}' does not correspond to a known ISA.")
