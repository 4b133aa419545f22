"""The SMM smoke run: one SMI through the APM port, one through a local
APIC self-IPI, a handler in SMRAM, RSM, and the checks the image makes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scotch_plugin import qemu, serial_report, workload_build
from scotch_plugin.errors import ScotchError

IMAGE = "smm_smoke"


@dataclass
class SmokeResult:
    platform: str
    report: serial_report.Report
    serial: str
    host_seconds: float


def run_on_qemu(timeout: float = 60.0) -> SmokeResult:
    image = workload_build.image(IMAGE, "qemu")
    result = qemu.run(qemu.multiboot_command(image), timeout=timeout)
    report = serial_report.parse(result.serial)
    if result.guest_code is None:
        raise ScotchError(
            f"{IMAGE} on QEMU ended without reporting an exit code; "
            f"serial:\n{result.serial[-2000:]}"
        )
    return SmokeResult("qemu", report, result.serial, result.host_seconds)


def run_on_gem5(gem5_binary: Path) -> SmokeResult:
    raise ScotchError(
        f"{gem5_binary}: bare-metal images cannot run on gem5 yet: they "
        "need the SMM model and the multiboot loader of the patch series "
        "(issue 3), which this checkout does not have. Run without "
        "--gem5-binary to use QEMU; 'scotch gem5 check' lists what a "
        "binary has."
    )
