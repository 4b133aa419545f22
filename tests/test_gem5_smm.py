"""The SMM images on a real gem5 binary (SCOTCH_GEM5_BINARY), on every
CPU model, compared field by field with QEMU. Skipped without gem5."""

from __future__ import annotations

import re

import pytest

from scotch_plugin.baremetal import images, save_map
from scotch_plugin.gem5.run import CPU_MODELS


@pytest.fixture(scope="module")
def qemu_saves():
    return images.run_on_qemu("smm_conformance").report.saves


@pytest.mark.parametrize("cpu", CPU_MODELS)
def test_smoke_on_gem5(gem5_binary, cpu, tmp_path):
    run = images.run_on_gem5("smm_smoke", gem5_binary, cpu=cpu,
                                outdir=tmp_path)  # fmt: skip
    assert run.report.failed == [], run.report.failed
    assert run.report.passed


@pytest.mark.parametrize("cpu", CPU_MODELS)
def test_conformance_on_gem5_matches_qemu(gem5_binary, cpu, tmp_path,
                                          qemu_saves):  # fmt: skip
    run = images.run_on_gem5("smm_conformance", gem5_binary, cpu=cpu,
                                outdir=tmp_path)  # fmt: skip
    assert run.report.failed == [], run.report.failed
    assert set(run.report.saves) == set(qemu_saves)
    for name, area in run.report.saves.items():
        diffs = save_map.compare(qemu_saves[name], area, name)
        assert [d for d in diffs if d.allowed is None] == [], (name, diffs)
    stats = (tmp_path / "stats.txt").read_text()
    assert re.search(r"^board\.smm\.smis(::cpu0)?\s+14\b", stats, re.M)


@pytest.mark.parametrize("cpu", CPU_MODELS)
def test_dma_is_kept_out_of_smram(gem5_binary, cpu, tmp_path):
    run = images.run_on_gem5("smm_dma", gem5_binary, cpu=cpu,
                                outdir=tmp_path)  # fmt: skip
    assert run.report.failed == [], run.report.failed
    assert run.report.checks["dma_read_of_smram_all_ones"] is True
    assert run.report.checks["dma_below_smram_has_pattern"] is True
    stats = (tmp_path / "stats.txt").read_text()
    # One write into SMRAM (a 512-byte sector) and one read of it, refused
    # by the memory-side guard in whatever chunks the IDE model uses.
    writes = re.search(r"^board\.smram_guard\.blockedWrites\s+(\d+)", stats,
                       re.M)  # fmt: skip
    reads = re.search(r"^board\.smram_guard\.blockedReads\s+(\d+)", stats,
                      re.M)  # fmt: skip
    assert writes and int(writes.group(1)) > 0, stats[:2000]
    assert reads and int(reads.group(1)) > 0
