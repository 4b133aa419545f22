"""SMIs while instruction fetch has page walks queued (patches 0033 and
0034; workloads/o3_smi_fetch).

On O3 with Xen, random-interval SMIs ended in an assertion in O3's fetch
stage (``FetchTranslation::finish: mode == BaseMMU::Execute``): a fetch's
walk queued behind another started after SMM entry had turned paging
off, walked Xen's linear address as a 32-bit walk with NX off, and its
page fault rewrote the walk's mode. The image first takes a fetch #PF
with EFER.NXE clear (the same rewrite without any SMI: O3 asserted), then
hops between 512 code pages at 0xffff82d040200000 by indirect jumps with
uncacheable page tables while the trigger raises random SMIs; a canary
PML4 entry shows whether any walk ran with SMM's paging mode.

On QEMU (CI) there is no trigger: the image must see no SMI and pass.
"""

from __future__ import annotations

import pytest

from scotch_plugin.baremetal import images

IMAGE = "o3_smi_fetch"
SMIS = 200
MEAN_NS = 5_000
START_NS = 200_000


def test_fetch_fault_without_nx_on_qemu():
    run = images.run_on_qemu(IMAGE)
    assert run.report.failed == [], run.serial
    assert run.report.passed
    assert run.report.values["smis"] == "0"
    assert "nxe0_fetch_pf_err" in run.report.checks


@pytest.mark.parametrize("cpu", ["o3", "atomic", "timing", "minor"])
def test_random_smis_with_fetch_walks_queued(gem5_binary, cpu, tmp_path):
    run = images.run_on_gem5(
        IMAGE, gem5_binary, cpu=cpu, outdir=tmp_path,
        extra=["--cmdline", f"smis={SMIS}",
               "--trigger-random-mean", str(MEAN_NS),
               "--trigger-random-start", str(START_NS)],
    )  # fmt: skip
    assert run.report.failed == [], run.serial
    assert run.report.passed, run.serial
    assert int(run.report.values["smis"]) >= SMIS
    assert "no_walk_in_smm_canary_a" in run.report.checks
