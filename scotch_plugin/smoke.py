"""The SMM smoke run: one SMI through the APM port, one through a local
APIC self-IPI, a handler in SMRAM, RSM, and the checks the image makes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scotch_plugin import project, qemu, serial_report, workload_build
from scotch_plugin.errors import ScotchError
from scotch_plugin.gem5 import run

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


def run_on_gem5(
    gem5_binary: Path, cpu: str = "atomic", outdir: Path | None = None
) -> SmokeResult:
    """Run the smoke image on gem5 (Scotch-gem5's SMM model) on ``cpu``."""
    image = workload_build.image(IMAGE, "gem5")
    outdir = outdir or project.build_dir() / "gem5-runs" / f"smoke-{cpu}"
    result = run.run_baremetal(gem5_binary, image, outdir, cpu=cpu)
    report = serial_report.parse(result.serial)
    return SmokeResult(
        f"gem5 ({cpu})", report, result.serial, result.host_seconds
    )
