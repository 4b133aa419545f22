"""A domU's result line against the host's build of its workload
(scotch_plugin.xen.guest_check): real programs, run here."""

from __future__ import annotations

import subprocess

import pytest

from scotch_plugin import workload_build
from scotch_plugin.xen import guest_check
from scotch_plugin.xen.dom0_report import DomainReport, lcg_checksum


@pytest.fixture(scope="module")
def programs():
    return workload_build.guest_programs()


def _domain(output: str) -> DomainReport:
    return DomainReport("victim", 2, 0.1, "?", output)


@pytest.mark.parametrize("workload", ["naps", "pi"])
def test_a_result_the_host_reproduces_passes(programs, workload):
    line = subprocess.run(
        [programs[workload], "--name", "victim", "--iterations", "3"],
        capture_output=True, text=True, check=True,
    ).stdout.strip().splitlines()[-1]  # fmt: skip
    assert guest_check.work_problem(_domain(line)) is None


def test_a_wrong_checksum_names_both(programs):
    line = (
        "SCOTCH-WORK name=victim workload=naps seconds=0.010 iterations=3 "
        "checksum=12345"
    )
    problem = guest_check.work_problem(_domain(line))
    assert problem == (
        "victim: naps after 3 iterations printed checksum 12345, the "
        "host's build 2828757232489732750"
    )


def test_lcg_and_what_is_not_checked():
    ok = (
        "SCOTCH-WORK name=v workload=lcg seconds=1 iterations=9 "
        f"checksum={lcg_checksum(9)}"
    )
    assert guest_check.work_problem(_domain(ok)) is None
    # Still running at the window's end: no result line, nothing to check.
    assert guest_check.work_problem(_domain("")) is None
    none = "SCOTCH-WORK name=v workload=pi seconds=0 iterations=0 checksum=0"
    assert "ran no iteration" in str(guest_check.work_problem(_domain(none)))


def _parsec_dir(tmp_path, monkeypatch):
    """A PARSEC directory with one program (a shell script: parsec-run
    runs whatever is executable there), named in SCOTCH_PARSEC_DIR."""
    parsec = tmp_path / "parsec-out"
    parsec.mkdir()
    prog = parsec / "tiny"
    prog.write_text('#!/bin/sh\necho "tiny $*"\n')
    prog.chmod(0o755)
    (parsec / "tiny.args").write_text("1 2 3\n")
    monkeypatch.setenv("SCOTCH_PARSEC_DIR", str(parsec))
    return parsec


def test_a_parsec_result_is_checked_against_the_host(tmp_path, monkeypatch):
    parsec = _parsec_dir(tmp_path, monkeypatch)
    ours = guest_check.parsec_checksum(parsec.resolve(), "tiny")
    ok = (
        "SCOTCH-WORK name=victim workload=parsec:tiny seconds=1.00 "
        f"iterations=4 checksum={ours}"
    )
    assert guest_check.work_problem(_domain(ok)) is None
    wrong = ok.replace(f"checksum={ours}", "checksum=7")
    assert guest_check.work_problem(_domain(wrong)) == (
        f"victim: parsec:tiny printed checksum 7, the same program on this "
        f"host {ours} ({parsec})"
    )
    none = ok.replace("iterations=4", "iterations=0")
    assert guest_check.work_problem(_domain(none)) == (
        "victim: parsec:tiny finished no run"
    )
