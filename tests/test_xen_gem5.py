"""Xen 4.17 in gem5 (gem5_configs/xen_boot.py): the multiboot loader
starts Debian's Xen on AtomicSimpleCPU, a periodic checkpoint is taken,
and it restores on O3 for a bounded region, as the full-system
experiments do after dom0's m5 checkpoint. A whole boot takes hours
(README: "Xen in gem5"); this runs 20 ms of it.

Needs a gem5 binary (SCOTCH_GEM5_BINARY) and the Xen images (built from
Debian's packages, as for the QEMU runs).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scotch_plugin.gem5 import run
from scotch_plugin.xen import boot_images

pytestmark = pytest.mark.xen

BOOT_TICKS = 20 * 10**9  # 20 ms simulated
CHECKPOINT_TICK = 10 * 10**9
#: Xen is calibrating its clocks there, polling the 8254 through port
#: 0x61: about 0.0005 instructions a cycle on O3 (a minute of host time).
REGION_INSTS = 20_000


@pytest.fixture(scope="module")
def images() -> boot_images.XenImages:
    return boot_images.build_images()


@pytest.fixture(scope="module")
def boot(gem5_binary: Path, images, tmp_path_factory) -> run.Gem5Result:
    assert images.vmlinux is not None
    return run.run_xen(
        gem5_binary, images.xen, images.vmlinux, images.dom0_initrd,
        tmp_path_factory.mktemp("xen-boot"),
        extra=["--max-ticks", str(BOOT_TICKS),
               "--checkpoint-every", str(CHECKPOINT_TICK)],
    )  # fmt: skip


def _stat(stats: str, name: str) -> float:
    match = re.search(rf"^{re.escape(name)}\s+(\S+)", stats, re.M)
    assert match, f"stats.txt: no {name}"
    return float(match.group(1))


def _checkpoints(boot: run.Gem5Result) -> dict[int, Path]:
    """The periodic checkpoints the boot printed, by the tick each holds."""
    found = re.findall(r"^SCOTCH-CHECKPOINT (\S+) tick=(\d+)$",
                       boot.stdout_text(), re.M)  # fmt: skip
    return {int(tick): Path(path) for path, tick in found}


def test_multiboot_loader_starts_xen(boot):
    assert boot.cause == "simulate() limit reached", boot.cause
    # Draining for the checkpoint may run past it: a CPU drains only at
    # an instruction boundary, and Xen moves its modules with rep movs.
    assert boot.ticks >= BOOT_TICKS
    assert "(XEN) Xen version 4.17" in boot.serial
    assert "(XEN) Bootloader: gem5 (Scotch-gem5 multiboot)" in boot.serial
    # The loader's memory map: 1 GiB of RAM above the legacy hole.
    assert "(XEN) Multiboot-e820 RAM map:" in boot.serial
    assert "[0000000000100000, 000000003fffffff] (usable)" in boot.serial


def test_xen_checkpoint_restores_on_o3(boot, gem5_binary, images, tmp_path):
    (tick, cpt), *_ = _checkpoints(boot).items()
    assert tick >= CHECKPOINT_TICK
    assert cpt == boot.outdir / f"cpt.periodic.{tick}"  # named for it
    assert (cpt / "m5.cpt").is_file(), sorted(boot.outdir.iterdir())
    result = run.run_xen(
        gem5_binary, images.xen, images.vmlinux, images.dom0_initrd,
        tmp_path, cpu="o3",
        extra=["--restore", str(cpt), "--max-insts", str(REGION_INSTS)],
    )  # fmt: skip
    assert "max instruction count" in result.cause, result.cause
    assert result.ticks > tick
    stats = result.stats_text()
    # O3 commits several a cycle: the limit can be passed by a few.
    assert REGION_INSTS <= _stat(stats, "simInsts") < REGION_INSTS + 16
    assert _stat(stats, "board.processor.cores.core.ipc") > 0
