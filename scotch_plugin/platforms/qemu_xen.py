"""Xen 4.17 with a dom0 and PV domUs on QEMU (TCG), from the images
:mod:`scotch_plugin.xen.boot_images` builds.

``run_xen`` boots Xen on QEMU; dom0's ``/init`` starts the domUs with
``xl create``, waits for them, prints Xen's per-domain CPU time as
``SCOTCH-XEN {json}`` lines and powers the machine off. The lines are
parsed into a :class:`~scotch_plugin.xen.dom0_report.XenReport`.
:func:`machine` is the machine Scotch's runs boot too
(:mod:`scotch_plugin.platforms.scotch_qemu`).

Command line: ``python3 -m scotch_plugin.platforms.qemu_xen build|run``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path

from scotch_plugin.errors import ScotchError
from scotch_plugin.platforms import qemu
from scotch_plugin.xen.boot_images import XenImages, build_images
from scotch_plugin.xen.dom0_report import XenReport, parse_report

#: QEMU 7.2's TCG ``max`` CPU without SMAP (dom0 takes a #PF under it)
#: and without XSAVEC, XSAVEOPT and XGETBV1. With them, while two domUs
#: ran, about one shell pipeline in five inside a domU lost its output,
#: and ``xl create`` in dom0 now and then failed to unpack the domU
#: kernel ("unable to XZ decompress kernel"). Dropping any one or two of
#: the three did not help; dropping all three (or QEMU's default qemu64
#: CPU) did: 0 of 900 pipelines lost.
CPU = "max,-smap,-xsavec,-xsaveopt,-xgetbv1"


def machine(smp: int, memory_mb: int, smm: bool = False) -> list[str]:
    """QEMU's options for the Xen machine, up to the kernel: q35 (with
    SMM for Scotch), TCG, the CPU above, the serial console on stdio and
    the debug-exit port."""
    return qemu.q35(memory_mb, smm=smm, cpu=CPU, smp=smp)


def check_initrd_paths(paths: Iterable[Path]) -> None:
    """QEMU's multiboot ``-initrd`` list is split at commas and each item
    at its first space: the paths in it may hold neither."""
    for path in paths:
        if "," in str(path) or " " in str(path):
            raise ScotchError(
                f"{path}: QEMU's multiboot -initrd list cannot hold a path "
                "with a comma or a space; build elsewhere"
            )


def xen_command(
    images: XenImages,
    domus: int = 2,
    seconds: int = 3,
    domu_memory_mb: int = 128,
    dom0_memory_mb: int = 512,
    smp: int = 1,
    dom0_extra: str = "",
) -> list[str]:
    """The QEMU command that boots Xen with dom0 and its parameters
    (``dom0_extra``: more of dom0's ``scotch.*`` options)."""
    check_initrd_paths(images.paths())
    memory = dom0_memory_mb + domus * (domu_memory_mb + 16) + 256
    xen_args = (
        f"console=com1 dom0_mem={dom0_memory_mb}M,max:{dom0_memory_mb}M "
        f"dom0_max_vcpus=1"
    )
    dom0_args = (
        f"console=hvc0 quiet scotch.domus={domus} "
        f"scotch.seconds={seconds} scotch.mem={domu_memory_mb}"
    )
    if dom0_extra:
        dom0_args += f" {dom0_extra}"
    return [
        *machine(smp, memory),
        "-kernel", str(images.xen),
        "-append", xen_args,
        "-initrd",
        # A comma in dom0's options (scotch.workloads=a,b) is doubled.
        f"{qemu.module_item(f'{images.kernel} {dom0_args}')},"
        f"{qemu.module_item(str(images.dom0_initrd))}",
    ]  # fmt: skip


def run_xen(
    images: XenImages,
    domus: int = 2,
    seconds: int = 3,
    timeout: float = 900.0,
    **kwargs: int | str,
) -> XenReport:
    """Boot Xen on QEMU, run ``domus`` domUs for ``seconds`` each, and
    return what dom0 reported."""
    cmd = xen_command(images, domus, seconds, **kwargs)
    result = qemu.run(cmd, timeout=timeout)
    return parse_report(result.serial, result.host_seconds, cmd)


# -- command line ---------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python3 -m scotch_plugin.platforms.qemu_xen",
        description="Build the Xen images from Debian packages; run Xen "
        "with dom0 and PV domUs on QEMU (TCG).",
    )
    parser.add_argument("action", choices=["build", "run"])
    parser.add_argument("--out", type=Path, help="artefact directory")
    parser.add_argument("--domus", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--smp", type=int, default=1)
    parser.add_argument(
        "--workloads",
        default="",
        metavar="W1,W2",
        help="each domU's workload (dom0's scotch.workloads; e.g. "
        "parsec:canneal with SCOTCH_PARSEC_DIR); default pi",
    )
    parser.add_argument("--serial", action="store_true", help="echo it")
    parser.add_argument(
        "--pv-kernel",
        action="store_true",
        help="Scotch's PV kernel instead of Debian's (the images for gem5)",
    )
    args = parser.parse_args(argv)
    try:
        images = build_images(args.out, pv_kernel=args.pv_kernel)
        if args.action == "build":
            for path in images.paths():
                print(f"{path}  {path.stat().st_size} bytes")
            return 0
        extra = f"scotch.workloads={args.workloads}" if args.workloads else ""
        report = run_xen(
            images, args.domus, args.seconds, smp=args.smp, dom0_extra=extra
        )
    except ScotchError as exc:
        print(f"scotch xen: {exc}", file=sys.stderr)
        return 1
    if args.serial:
        print(report.serial)
    _print_report(report)
    return 0


def _print_report(report: XenReport) -> None:
    for dom in [report.dom0, *report.domus]:
        print(
            f"{dom.name:12} domid {dom.domid:2}  cpu {dom.cpu_seconds:7.1f} s"
            f"  {dom.output}"
        )
    print(f"host time {report.host_seconds:.1f} s")


if __name__ == "__main__":
    sys.exit(main())
