"""Runs Scotch's bare-metal images (workloads/) on QEMU or gem5.

The same image source builds for both platforms (one platform layer
differs); each run's serial output is parsed into a Report.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from scotch_plugin import project, workload_build
from scotch_plugin.baremetal import dma_disk, serial_report
from scotch_plugin.errors import ScotchError
from scotch_plugin.gem5 import run
from scotch_plugin.platforms import qemu

#: Images and what they are for (``workloads/<name>/``).
IMAGES = {
    "smm_smoke": "one SMI by APM port and one by APIC IPI; RSM",
    "smm_conformance": "SMM conformance suite: every mode, SMBASE "
    "relocation, latched SMI, held NMI, SMRAM lockdown, RSM #UD",
    "paging_ad": "the page walker sets accessed and dirty bits",
    "paging": "the differential paging suite: every mode and page size, "
    "accessed and dirty bits, permissions, NX, global pages, INVLPG, #PF "
    "error codes and CR2, page-straddling accesses",
    "smm_dma": "SMRAM against DMA: a bus-master IDE controller neither "
    "writes nor reads SMRAM (gem5: the memory-side guard)",
    "cr3_trigger": "hardware SMI triggers: one SMI per CR3 load and per "
    "interrupt outside SMM, none for CR3 loads in SMM (gem5 --trigger)",
    "domain_observer": "the simulator's ground truth: which domain each "
    "CPU runs, named from its page tables (gem5 --observe)",
    "switch_timer": "the switch timer: a context switch's cycles from "
    "retired PCs, SMM time included (gem5 --time-switches)",
    "o3_smi_fetch": "random SMIs while O3 has fetch walks queued at a "
    "Xen-like address; a fetch #PF with NX off (gem5 --trigger)",
    "sgx_conformance": "SGX1 on gem5: the EPC as an abort page from "
    "outside (CPU, page walk, SMM, DMA) and ENCLS building an enclave "
    "whose MRENCLAVE the host computes",
    "smm_bench": "SMI round-trip timing (benchmark)",
    "scotch_bench": "Scotch's accounting handler per context-switch SMI, "
    "on fake Xen state, against an empty handler (benchmark)",
    "compute": "pi spigot without SMIs (benchmark)",
}


#: Images that drive an IDE disk (made by :mod:`.dma_disk`).
NEEDS_DISK = {"smm_dma", "sgx_conformance"}
#: QEMU's virtual ns an instruction, as a power of two, where 1 ns makes
#: a run too long: pc_devices polls the RTC for 0.5 s of virtual time.
ICOUNT_SHIFT = {"pc_devices": 4}
#: QEMU CPU options an image needs: the paging suite tests 1 GiB pages,
#: which QEMU's default CPU model does not advertise.
QEMU_CPU = {"paging": "qemu64,+pdpe1gb", "time_stamp": "qemu64,+rdtscp"}


@dataclass
class ImageRun:
    image: str
    platform: str
    report: serial_report.Report
    serial: str
    host_seconds: float


def run_on_qemu(
    image: str, timeout: float = 60.0, cmdline: str | None = None
) -> ImageRun:
    path = workload_build.image(image, "qemu")
    extra = ["-append", cmdline] if cmdline else []
    if image in QEMU_CPU:
        extra += ["-cpu", QEMU_CPU[image]]
    with tempfile.TemporaryDirectory(prefix="scotch-disk-") as tmp:
        if image in NEEDS_DISK:
            extra += dma_disk.qemu_args(dma_disk.make_disk(Path(tmp) / "d"))
        cmd = qemu.multiboot_command(
            path, extra=extra, icount_shift=ICOUNT_SHIFT.get(image, 0)
        )
        result = qemu.run(cmd, timeout=timeout)
    if result.guest_code is None:
        raise ScotchError(
            f"{image} on QEMU ended without reporting an exit code; "
            f"serial:\n{result.serial[-2000:]}"
        )
    report = serial_report.parse(result.serial)
    return ImageRun(image, "qemu", report, result.serial, result.host_seconds)


def run_on_gem5(
    image: str,
    gem5_binary: Path,
    cpu: str = "atomic",
    outdir: Path | None = None,
    extra: list[str] | None = None,
    build: bool = True,
    timeout: float = 1800.0,
) -> ImageRun:
    """Run ``image`` on gem5 (Scotch-gem5's SMM model) on ``cpu``; with
    ``build`` false the image must have been built already (a sweep's
    points build nothing: they may run at once)."""
    if build:
        path = workload_build.image(image, "gem5")
    else:
        path = workload_build.image_path(image, "gem5")
        if not path.is_file():
            raise ScotchError(f"{path}: not built")
    outdir = outdir or project.build_dir() / "gem5-runs" / f"{image}-{cpu}"
    if image in NEEDS_DISK:
        outdir.mkdir(parents=True, exist_ok=True)
        disk = dma_disk.make_disk(outdir / "dma-disk.img")
        extra = [*(extra or []), "--disk", str(disk)]
    result = run.run_baremetal(gem5_binary, path, outdir, cpu=cpu,
                               extra=extra, timeout=timeout)  # fmt: skip
    report = serial_report.parse(result.serial)
    return ImageRun(
        image, f"gem5-{cpu}", report, result.serial, result.host_seconds
    )
