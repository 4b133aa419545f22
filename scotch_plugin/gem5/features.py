"""What Scotch-gem5 adds to gem5, and how to see it in a built binary.

``scotch gem5 check`` asks the binary about each feature through
``gem5_configs/check_build.py``. A feature is a SimObject (EXTRAS), a
parameter of a SimObject (a patched class), or a named probe that the
config runs.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Feature:
    description: str
    simobject: str | None = None
    param: str | None = None  # "Class.param"
    probe: str | None = None

    @property
    def key(self) -> str:
        if self.simobject:
            return f"simobject:{self.simobject}"
        if self.param:
            return f"param:{self.param}"
        return f"probe:{self.probe}"


FEATURES: tuple[Feature, ...] = (
    Feature("APM control port 0xB2/0xB3 (EXTRAS)", simobject="X86ApmPort"),
    # X86SmmController cannot compile without patch 0002's core hook, so
    # its presence shows that the ISA changes are in the binary too.
    Feature(
        "SMM: SMI entry, RSM, SMBASE, SMRR (EXTRAS + patch 0002)",
        simobject="X86SmmController",
    ),
    Feature(
        "SMM entry/exit latency parameters",
        param="X86SmmController.entry_latency",
    ),
    Feature(
        "memory-side SMRAM guard against DMA (EXTRAS)",
        simobject="X86SmramGuard",
    ),
    Feature("multiboot v1 loader (EXTRAS)", simobject="X86MultibootWorkload"),
    Feature(
        "hardware SMI triggers: CR3 load, interrupt, random (EXTRAS)",
        simobject="X86ScotchTrigger",
    ),
    Feature(
        "simulator-side ground truth: the domain each CPU runs (EXTRAS)",
        simobject="X86DomainObserver",
    ),
    Feature(
        "context-switch timer from retired PCs, SMM time included " "(EXTRAS)",
        simobject="X86SwitchTimer",
    ),
    # X86EnclaveController cannot compile without patch 0035's SGX hook.
    Feature(
        "SGX enclave page cache: abort page, ENCLS leaves (EXTRAS + patch "
        "0035)",
        simobject="X86EnclaveController",
    ),
    Feature(
        "O3 takes interrupts at the next instruction boundary (patch 0014)",
        param="BaseO3CPU.interruptsAtInstBoundary",
    ),
    Feature(
        "stdlib requires() on a build without Ruby (patch 0001)",
        probe="requires_x86",
    ),
)
