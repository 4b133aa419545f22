"""The page walker sets the accessed bit of the entries it walks, and a
store through a 4 KiB page lands where the page maps (workloads/
paging_ad), on QEMU and, given SCOTCH_GEM5_BINARY, on gem5's CPU models
(with the walker caches of WalkerCachedL1L2Hierarchy and patch 0004)."""

import pytest

from scotch_plugin import baremetal
from scotch_plugin.gem5.run import CPU_MODELS


def test_paging_ad_on_qemu():
    run = baremetal.run_on_qemu("paging_ad")
    assert run.report.failed == []
    assert run.report.passed


@pytest.mark.parametrize("cpu", CPU_MODELS)
def test_paging_ad_on_gem5(gem5_binary, cpu, tmp_path):
    run = baremetal.run_on_gem5("paging_ad", gem5_binary, cpu=cpu,
                                outdir=tmp_path)  # fmt: skip
    assert run.report.failed == [], run.report.failed
    assert run.report.passed
