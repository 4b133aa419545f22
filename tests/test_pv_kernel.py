"""Scotch's PV kernel (workloads/xen/kernel/scotch-pv.config): the images
for gem5 boot Xen, dom0 and two domUs on QEMU with it, with no kernel
module and nothing compressed; and a Kconfig option the build drops is
an error naming it."""

from __future__ import annotations

import gzip

import pytest

from scotch_plugin.errors import ScotchError
from scotch_plugin.platforms import qemu_xen
from scotch_plugin.xen import boot_images, kernel


def test_fragment_options_parse():
    wanted = kernel.wanted_options(kernel.fragment())
    assert wanted["XEN_PV"] == "y"
    # What a gem5 boot must not spend its instructions on.
    for off in ("XEN_BALLOON_MEMORY_HOTPLUG", "DEBUG_WX", "MODULES"):
        assert wanted[off] == "n"
    # scotch-reader's OUT to the APM port from dom0's user space.
    assert wanted["X86_IOPL_IOPERM"] == "y"


def test_a_dropped_option_is_named(tmp_path):
    config = tmp_path / ".config"
    config.write_text("CONFIG_XEN=y\n# CONFIG_DEBUG_WX is not set\n")
    problems = kernel.config_problems(
        config, {"XEN": "y", "XEN_PV": "y", "DEBUG_WX": "n"}
    )
    assert problems == ["CONFIG_XEN_PV: wanted y, got n"]


def test_a_bad_fragment_line_is_named(tmp_path):
    bad = tmp_path / "frag.config"
    bad.write_text("CONFIG_XEN=y\nXEN_PV=y\n")
    with pytest.raises(ScotchError, match=r"frag.config:2: expected"):
        kernel.wanted_options(bad)


@pytest.fixture(scope="module")
def pv_images() -> boot_images.XenImages:
    return boot_images.build_images(pv_kernel=True)


@pytest.mark.xen
def test_pv_images_hold_nothing_to_inflate(pv_images):
    assert pv_images.system_map is not None
    for initrd in (pv_images.dom0_initrd, pv_images.domu_initrd):
        head = initrd.read_bytes()[:6]
        assert head == b"070701", f"{initrd}: not a bare newc cpio"
    assert pv_images.vmlinux is not None
    assert pv_images.vmlinux.read_bytes()[:4] == b"\x7fELF"
    dom0 = pv_images.dom0_initrd.read_bytes()
    assert b"lib/modules/xen/xenfs.ko\x00" not in dom0
    assert b"boot/vmlinux\x00" in dom0 and b"boot/domU.cpio\x00" in dom0
    # The hostname the domain observer reads is in the kernel's data.
    addr = kernel.symbol(pv_images.system_map, "init_uts_ns")
    assert addr >= 0xFFFFFFFF80000000
    with pytest.raises(gzip.BadGzipFile):
        gzip.decompress(pv_images.domu_initrd.read_bytes())


@pytest.mark.xen
def test_xen_boots_dom0_and_two_domus_on_the_pv_kernel(pv_images):
    report = qemu_xen.run_xen(pv_images, domus=2, seconds=2)
    assert report.dom0.cpu_seconds > 0
    assert len(report.domus) == 2
    for dom in report.domus:
        assert dom.output.startswith(f"SCOTCH-WORK name={dom.name} "), dom
        assert dom.cpu_seconds > 0
