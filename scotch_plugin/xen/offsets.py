"""Struct offsets the Scotch SMM handler needs, read from xen-syms.

The handler finds the vCPU that ran from Xen's per-CPU data: the top of
the Xen stack holds ``struct cpu_info``, whose ``current_vcpu`` points to
``struct vcpu``, whose ``domain`` points to ``struct domain``. The
offsets come from the DWARF debug information of the very Xen build
that boots (never copied by hand), and reach the handler through the
boot shim's command line (``scotch.off=...``).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path

from elftools.elf.elffile import ELFFile

from scotch_plugin.errors import ScotchError

#: (struct, member) pairs, in the order the shim expects them.
FIELDS: tuple[tuple[str, str], ...] = (
    ("cpu_info", "guest_cpu_user_regs"),
    ("cpu_info", "current_vcpu"),
    ("cpu_user_regs", "rdi"),
    ("cpu_user_regs", "rsi"),
    ("vcpu", "vcpu_id"),
    ("vcpu", "domain"),
    ("domain", "domain_id"),
)


@dataclass(frozen=True)
class XenOffsets:
    stack_size: int
    cpu_info_size: int
    cpu_info_regs: int
    cpu_info_current_vcpu: int
    regs_rdi: int
    regs_rsi: int
    vcpu_vcpu_id: int
    vcpu_domain: int
    domain_domain_id: int

    def cmdline(self) -> str:
        """The shim's ``scotch.off=`` value: hex numbers, comma-separated."""
        return ",".join(f"{v:x}" for v in asdict(self).values())

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def stack_size(config_h: Path) -> int:
    """STACK_SIZE from Xen's asm/config.h (PAGE_SIZE << STACK_ORDER)."""
    m = re.search(r"^#define STACK_ORDER\s+(\d+)", config_h.read_text(), re.M)
    if not m:
        raise ScotchError(f"{config_h}: no '#define STACK_ORDER <n>'")
    return 4096 << int(m.group(1))


def _members(die, base: int) -> dict[str, int]:
    """Member offsets of a struct or union DIE, looking through
    anonymous unions and structs (Xen's ``DECL_REG`` register names)."""
    members: dict[str, int] = {}
    for child in die.iter_children():
        if child.tag != "DW_TAG_member":
            continue
        loc = child.attributes.get("DW_AT_data_member_location")
        offset = base + (int(loc.value) if loc is not None else 0)
        cname = child.attributes.get("DW_AT_name")
        if cname is not None:
            members[cname.value.decode()] = offset
        elif "DW_AT_type" in child.attributes:
            inner = child.get_DIE_from_attribute("DW_AT_type")
            for name, off in _members(inner, offset).items():
                members.setdefault(name, off)
    return members


def _structs(path: Path, names: set[str]) -> dict[str, tuple[int, dict]]:
    """Each named struct's size and member offsets, from the first full
    definition found in the DWARF information."""
    found: dict[str, tuple[int, dict]] = {}
    with path.open("rb") as f:
        elf = ELFFile(f)
        if elf.get_section_by_name(".debug_info") is None:
            raise ScotchError(
                f"{path}: no DWARF debug information "
                "(build Xen with CONFIG_DEBUG_INFO=y)"
            )
        dwarf = elf.get_dwarf_info()
        for cu in dwarf.iter_CUs():
            for die in cu.iter_DIEs():
                if die.tag != "DW_TAG_structure_type":
                    continue
                name_attr = die.attributes.get("DW_AT_name")
                if name_attr is None:
                    continue
                name = name_attr.value.decode()
                if name not in names or name in found:
                    continue
                if "DW_AT_declaration" in die.attributes:
                    continue
                size = int(die.attributes["DW_AT_byte_size"].value)
                found[name] = (size, _members(die, 0))
            if len(found) == len(names):
                break
    return found


def read_offsets(xen_syms: Path, config_h: Path) -> XenOffsets:
    """Read every offset the handler needs; fail naming what is missing."""
    names = {s for s, _ in FIELDS}
    structs = _structs(xen_syms, names)
    values: dict[str, int] = {}
    for struct, member in FIELDS:
        if struct not in structs:
            raise ScotchError(f"{xen_syms}: no definition of struct {struct}")
        members = structs[struct][1]
        if member not in members:
            raise ScotchError(
                f"{xen_syms}: struct {struct} has no member {member}"
            )
        values[f"{struct}.{member}"] = members[member]
    return XenOffsets(
        stack_size=stack_size(config_h),
        cpu_info_size=structs["cpu_info"][0],
        cpu_info_regs=values["cpu_info.guest_cpu_user_regs"],
        cpu_info_current_vcpu=values["cpu_info.current_vcpu"],
        regs_rdi=values["cpu_user_regs.rdi"],
        regs_rsi=values["cpu_user_regs.rsi"],
        vcpu_vcpu_id=values["vcpu.vcpu_id"],
        vcpu_domain=values["vcpu.domain"],
        domain_domain_id=values["domain.domain_id"],
    )
