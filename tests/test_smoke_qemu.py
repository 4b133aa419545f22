"""The SMM smoke image on QEMU (TCG, q35, smm=on): an SMI through the APM
port and one through a local-APIC self IPI, a handler in SMRAM, RSM."""

from __future__ import annotations

import subprocess
import sys

import pytest

from scotch_plugin.baremetal import images


@pytest.fixture(scope="module")
def result():
    return images.run_on_qemu("smm_smoke")


def test_every_check_passes(result):
    assert result.report.failed == []
    assert result.report.verdict == "PASS"
    assert len(result.report.checks) >= 25


def test_state_save_area_is_qemus_amd64_map(result):
    values = result.report.values
    assert values["revision"] == "0x00020064"
    # SeaBIOS relocated SMBASE before handing over.
    assert values["smbase"] == "0x000a0000"


def test_both_smi_sources_were_taken(result):
    checks = result.report.checks
    assert checks["smi_taken"] and checks["apic_ipi_smi_taken"]
    assert result.report.values["smi_count"] == "2"


def test_rsm_restored_every_register(result):
    names = [n for n in result.report.checks if n.startswith("rsm_")]
    assert len(names) == 8
    assert all(result.report.checks[n] for n in names)


def test_smram_is_hidden_outside_smm(result):
    assert result.report.checks["smram_hidden_outside_smm"]


def test_runs_are_deterministic(result):
    again = images.run_on_qemu("smm_smoke")
    assert again.serial == result.serial


def test_main_job_command(capsys):
    proc = subprocess.run(
        [sys.executable, "-m", "scotch_plugin", "smoke"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout
    assert "running smm_smoke on QEMU" in proc.stdout
    assert proc.stdout.rstrip().endswith(": PASS")
