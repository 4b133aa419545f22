"""The differential paging suite (workloads/paging): every value a run
printed, and a field-by-field comparison of a gem5 run with QEMU's.

A field is a check's ``got`` value or a ``field NAME=VALUE`` line (what
the SDM leaves to the implementation). Fields may differ only where
:data:`ALLOWED_DIFFERENCES` says why.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass

from scotch_plugin.baremetal.serial_report import Report

_FIELD = re.compile(r"^field (.*)$")
_PAIR = re.compile(r"(\w+)=(\S+)")
_GOT = re.compile(r"\bgot=(\S+)")

#: Fields (fnmatch patterns) that may differ between QEMU and gem5, each
#: with its reason (README, "The paging suite").
ALLOWED_DIFFERENCES: dict[str, str] = {
    "cpuid_page1gb": "gem5's CPUID 8000_0001h does not advertise 1 GiB "
    "pages (EDX bit 26) and its walker has none; QEMU runs the suite "
    "with -cpu qemu64,+pdpe1gb to test them",
    "lm_1g_*": "1 GiB pages are tested only where CPUID advertises them "
    "(QEMU; see cpuid_page1gb)",
    "p32_pde_ro_write_*": "a page fault in 32-bit paging: gem5 delivers "
    "no exceptions in legacy protected mode (its microcode panics), so "
    "the suite takes it on QEMU only",
    "*_global_after_cr3": "SDM 4.10.4.1 lets a CR3 load keep global "
    "translations without requiring it: gem5 keeps them (or, on O3, "
    "may have walked before the store that set G), QEMU 7.2's TCG "
    "flushes its whole TLB on every CR3 load",
    "lm_pf_xd_without_nxe_read_err": "QEMU 7.2 reports a reserved-bit "
    "page fault as RSVD alone (0x8); SDM 4.7 sets P with it, as gem5 "
    "does (0x9)",
}


@dataclass(frozen=True)
class Difference:
    field: str
    reference: str | None  # None: the run has no such field
    other: str | None
    allowed: str | None


def fields(serial: str, report: Report) -> dict[str, str]:
    """Every check's got value and every field line, by name."""
    out = {}
    for name, detail in report.details.items():
        m = _GOT.search(detail)
        out[name] = m.group(1) if m else ("ok" if report.checks[name]
                                          else "FAIL")  # fmt: skip
    for raw in serial.splitlines():
        m = _FIELD.match(raw.strip())
        if m:
            out.update(_PAIR.findall(m.group(1)))
    return out


def allowed(name: str) -> str | None:
    """Why this field may differ between QEMU and gem5, or None."""
    for pattern, why in ALLOWED_DIFFERENCES.items():
        if fnmatch.fnmatchcase(name, pattern):
            return why
    return None


def compare(
    reference: dict[str, str], other: dict[str, str]
) -> list[Difference]:
    """Fields that differ, or that one run lacks, in QEMU's order."""
    names = list(reference) + [n for n in other if n not in reference]
    return [
        Difference(n, reference.get(n), other.get(n), allowed(n))
        for n in names
        if reference.get(n) != other.get(n)
    ]
