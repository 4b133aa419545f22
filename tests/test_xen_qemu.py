"""Xen 4.17 (Debian's) on QEMU TCG: dom0 starts two PV domUs with ``xl``,
each runs a CPU-bound workload, dom0 reports Xen's per-domain CPU time.

Slow (about 30 s of host time with the images built, plus about 40 s for
a first build that downloads the packages): select or skip it with
``-m xen`` / ``-m "not xen"``.
"""

from __future__ import annotations

import subprocess

import pytest

from scotch_plugin import workload_build
from scotch_plugin.platforms import qemu_xen
from scotch_plugin.xen import boot_images, dom0_report

pytestmark = pytest.mark.xen

DOMUS = 2
SECONDS = 4  # not the scripts' default: checks it got through


@pytest.fixture(scope="module")
def images() -> boot_images.XenImages:
    return boot_images.build_images()


@pytest.fixture(scope="module")
def report(images: boot_images.XenImages) -> dom0_report.XenReport:
    return qemu_xen.run_xen(images, DOMUS, SECONDS, timeout=600)


def test_images_come_from_debian_packages(images):
    assert images.xen.read_bytes()[:4] == b"\x7fELF"
    assert images.kernel.read_bytes()[0x202:0x206] == b"HdrS"
    assert images.versions["xen-hypervisor-4.17-amd64"].startswith("4.17")
    assert any(p.startswith("linux-image-6.") for p in images.versions)


def test_unchanged_inputs_reuse_the_build(images):
    before = [p.stat().st_mtime_ns for p in images.paths()]
    again = boot_images.build_images()
    assert [p.stat().st_mtime_ns for p in again.paths()] == before


def test_recipe_change_changes_the_build_key(images, tmp_path):
    recipe = boot_images.read_recipe()
    key = boot_images.build_key(recipe, images.versions)
    for name in ("recipe.txt", "dom0-init", "domU-init"):
        (tmp_path / name).write_bytes((recipe.directory / name).read_bytes())
    (tmp_path / "domU-init").write_text(recipe.domu_init.read_text() + "#\n")
    changed = boot_images.read_recipe(tmp_path)
    assert boot_images.build_key(changed, images.versions) != key
    newer = {**images.versions, "libc6": images.versions["libc6"] + "+x"}
    assert boot_images.build_key(recipe, newer) != key


def test_both_domus_ran_and_shut_down(report):
    names = sorted(d.name for d in report.domus)
    assert names == [f"scotch-w{i}" for i in range(1, DOMUS + 1)]
    for dom in report.domus:
        assert dom.domid > 0
        assert "s" in dom.state, dom  # shut down, not crashed
    assert report.events["domus-finished"]["running"] == 0
    assert report.events["toolstack-up"]["domus"] == DOMUS
    assert report.events["toolstack-up"]["seconds"] == SECONDS
    assert report.dom0.name == "Domain-0"


def test_each_domu_reported_its_workload(report):
    # The domUs' default workload, pi (workloads/guest/): its checksum is
    # a function of the iteration count, so the same static program run
    # here for as many iterations must print the same one.
    pi = workload_build.guest_programs()["pi"]
    for dom in report.domus:
        work = dom.work
        assert work["name"] == dom.name
        assert work["workload"] == "pi"
        assert float(work["seconds"]) >= SECONDS
        iterations = int(work["iterations"])
        assert iterations > 0
        native = subprocess.run(
            [pi, "--iterations", str(iterations)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert f" checksum={work['checksum']}\n" in native
    assert "SCOTCH-PI digits=3.14159265358979323846" in report.serial


def test_cpu_times_are_positive_and_plausible(report):
    uptime = float(str(report.events["done"]["uptime"]))
    total = report.dom0.cpu_seconds
    for dom in report.domus:
        # Busy for SECONDS of its own wall clock on a shared CPU.
        assert SECONDS / (DOMUS + 1) < dom.cpu_seconds < uptime, dom
        total += dom.cpu_seconds
    assert report.dom0.cpu_seconds > 0
    # One physical CPU: Xen cannot hand out more time than has passed.
    assert total <= uptime + 0.5


def test_vcpu_times_agree_with_domain_times(report):
    by_domid = {int(str(v["domid"])): v for v in report.vcpus}
    for dom in report.domus:
        vcpu = by_domid[dom.domid]
        assert abs(float(str(vcpu["cpu_seconds"])) - dom.cpu_seconds) < 0.2


def test_machine_powered_off_by_itself(report):
    # qemu.run returned without the timeout: dom0's poweroff reached Xen,
    # which entered ACPI S5.
    assert "Entering ACPI S5 state" in report.serial
    assert report.host_seconds < 600


def test_domus_boot_from_the_gzipped_elf_kernel(images):
    # gem5's dom0 gives xl /boot/vmlinux.gz (xen_boot.py's default): the
    # same kernel, which xl inflates far faster than the bzImage's XZ.
    report = qemu_xen.run_xen(
        images, 1, 2, timeout=600,
        dom0_extra="scotch.domu_kernel=/boot/vmlinux.gz",
    )  # fmt: skip
    (dom,) = report.domus
    assert "s" in dom.state, dom
    assert dom.output.startswith("SCOTCH-WORK "), dom
