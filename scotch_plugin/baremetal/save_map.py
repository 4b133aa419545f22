"""The AMD64 SMM state-save map, read from the one C header that gem5,
the workloads and the unit tests share (src_patches/scotch/smm_save_map.h),
and a field-by-field comparison of two save areas."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from scotch_plugin import project
from scotch_plugin.errors import ScotchError

_DEFINE = re.compile(r"^#define\s+(SMM_\w+)\s+(0x[0-9A-Fa-f]+|\d+)\b", re.M)
_SEGMENTS = ("ES", "CS", "SS", "DS", "FS", "GS", "LDTR", "TR")
_GPRS = ("R15", "R14", "R13", "R12", "R11", "R10", "R9", "R8", "RDI",
         "RSI", "RBP", "RSP", "RBX", "RDX", "RCX", "RAX")  # fmt: skip

#: Fields that may differ between QEMU and gem5, each with its reason
#: (observed in the conformance runs; README, "QEMU and gem5 save areas").
ALLOWED_DIFFERENCES: dict[str, str] = {
    "SMBASE": "firmware state: QEMU's SeaBIOS relocated SMBASE to "
    "0xA0000 before the image ran; gem5 starts at the reset value "
    "0x30000",
    "LDTR.attr": "bit 8 carries gem5's 'unusable' flag (QEMU leaves it "
    "zero and ignores it on RSM); the tests never load an LDT",
    "TR.attr": "reset state: QEMU's TR is a busy 32-bit TSS (type 0xb), "
    "gem5's InitInterrupt leaves a busy 16-bit TSS (type 3); the tests "
    "never load a TSS",
}

#: CF, PF, AF, ZF, SF and OF: no test controls them at its OUT (in the
#: protected-mode SMI they come from the platform layer's code).
ARITHMETIC_FLAGS = 0x8D5

#: The SMIs in which the test controls every general-purpose register;
#: elsewhere they hold whatever each platform's compiled code left.
GPRS_CONTROLLED = {"long64"}


@dataclass(frozen=True)
class Field:
    name: str
    offset: int  # SMBASE-relative
    size: int


@cache
def constants(header: Path | None = None) -> dict[str, int]:
    path = header or project.extras_dir() / "smm_save_map.h"
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise ScotchError(f"{path}: the save-map header is missing") from None
    return {name: int(value, 0) for name, value in _DEFINE.findall(text)}


def fields() -> list[Field]:
    c = constants()
    out = []
    for seg in _SEGMENTS:
        base = (
            c[f"SMM_SEG_{seg}"] if f"SMM_SEG_{seg}" in c else c[f"SMM_{seg}"]
        )
        out += [
            Field(f"{seg}.sel", base + c["SMM_SEG_SEL"], 2),
            Field(f"{seg}.attr", base + c["SMM_SEG_ATTR"], 2),
            Field(f"{seg}.limit", base + c["SMM_SEG_LIMIT"], 4),
            Field(f"{seg}.base", base + c["SMM_SEG_BASE"], 8),
        ]
    for table in ("GDTR", "IDTR"):
        out += [
            Field(f"{table}.limit", c[f"SMM_{table}"] + 4, 4),
            Field(f"{table}.base", c[f"SMM_{table}"] + 8, 8),
        ]
    out += [Field("EFER", c["SMM_EFER"], 8),
            Field("REVISION", c["SMM_REVISION"], 4),
            Field("SMBASE", c["SMM_SMBASE"], 4)]  # fmt: skip
    for reg in ("CR4", "CR3", "CR0", "DR7", "DR6", "RFLAGS", "RIP"):
        out.append(Field(reg, c[f"SMM_{reg}"], 8))
    out += [Field(reg, c[f"SMM_{reg}"], 8) for reg in _GPRS]
    return out


def value(area: bytes, f: Field) -> int:
    start = f.offset - constants()["SMM_SAVE_BASE"]
    return int.from_bytes(area[start : start + f.size], "little")


@dataclass(frozen=True)
class Difference:
    field: str
    reference: int
    other: int
    allowed: str | None


def allowed(
    smi_name: str, field_name: str, reference: int = 0, other: int = 0
) -> str | None:
    """Why this field may differ in this SMI's save area, or None."""
    if field_name in _GPRS and smi_name not in GPRS_CONTROLLED:
        return "not controlled by the test in this SMI"
    if field_name == "RFLAGS" and not (reference ^ other) & ~(
        ARITHMETIC_FLAGS
    ):
        return "arithmetic flags only: left by the code before the OUT"
    return ALLOWED_DIFFERENCES.get(field_name)


def compare(
    reference: bytes, other: bytes, smi_name: str = ""
) -> list[Difference]:
    """Fields whose values differ between two save areas."""
    size = constants()["SMM_SAVE_SIZE"]
    for area in (reference, other):
        if len(area) != size:
            raise ScotchError(
                f"a save area has {len(area)} bytes, expected {size}"
            )
    out = []
    for f in fields():
        ref, oth = value(reference, f), value(other, f)
        if ref != oth:
            out.append(
                Difference(f.name, ref, oth, allowed(smi_name, f.name,
                                                     ref, oth))  # fmt: skip
            )
    return out
