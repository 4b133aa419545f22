"""The SMM conformance suite on QEMU, the functional reference."""

from __future__ import annotations

import pytest

from scotch_plugin.baremetal import images, save_map

MODES = ("protected", "paged32", "compat", "long64", "real")


@pytest.fixture(scope="module")
def run():
    return images.run_on_qemu("smm_conformance")


def test_suite_passes(run):
    assert run.report.failed == [], run.report.failed
    assert run.report.verdict == "PASS"


@pytest.mark.parametrize("mode", MODES)
def test_smi_from_every_mode_saved_its_state(run, mode):
    assert mode in run.report.saves
    area = run.report.saves[mode]
    fields = {f.name: f for f in save_map.fields()}
    assert save_map.value(area, fields["REVISION"]) == 0x00020064
    cr0 = save_map.value(area, fields["CR0"])
    efer = save_map.value(area, fields["EFER"])
    assert bool(cr0 & 1) == (mode != "real")
    assert bool(cr0 & 0x80000000) == (mode in ("paged32", "compat",
                                               "long64"))  # fmt: skip
    assert bool(efer & 0x400) == (mode in ("compat", "long64"))


def test_every_gpr_survives_an_smi_in_64_bit_mode(run):
    gprs = [n for n in run.report.checks if n.startswith("long64_rsm_")]
    assert len(gprs) == 16
    assert all(run.report.checks[n] for n in gprs)


@pytest.mark.parametrize(
    "check",
    [
        "rsm_outside_smm_ud",
        "smi_in_smm_latched_then_taken",
        "smi_in_smm_not_nested",
        "nmi_held_in_smm",
        "nmi_taken_after_rsm",
        "relocate_new_cs",
        "relocate_back",
        "smram_ordinary_in_smm",
        "smram_read_outside_hidden",
        "smram_write_outside_dropped",
        "smram_chipset_lock_holds",
    ],
)
def test_smm_semantics(run, check):
    assert run.report.checks.get(check) is True, run.report.details.get(check)


def test_qemu_run_compares_equal_to_itself(run):
    again = images.run_on_qemu("smm_conformance")
    for name, area in run.report.saves.items():
        assert save_map.compare(area, again.report.saves[name]) == []


@pytest.fixture(scope="module")
def dma_run():
    return images.run_on_qemu("smm_dma")


def test_dma_never_reaches_smram(dma_run):
    # q35's chipset routes no DMA to closed SMRAM; the same image checks
    # gem5's memory-side guard (tests/test_gem5_smm.py).
    assert dma_run.report.failed == [], dma_run.report.failed
    checks = dma_run.report.checks
    for name in (
        "dma_read_into_ram",  # the control: DMA itself works
        "dma_ram_has_pattern",
        "dma_below_smram_has_pattern",
        "dma_write_into_smram_dropped",
        "dma_read_of_smram_hidden",
    ):
        assert checks.get(name) is True, (name, dma_run.serial)
