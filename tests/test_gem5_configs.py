"""The scripts in gem5_configs/ import and wire up under the strict stub."""

from __future__ import annotations

import json
import runpy
import sys

import pytest
from conftest import ROOT

CONFIGS = ROOT / "gem5_configs"


def run_config(name: str, args: list[str], capsys) -> str:
    argv = sys.argv
    sys.argv = [str(CONFIGS / name), *args]
    try:
        runpy.run_path(str(CONFIGS / name), run_name="__m5_main__")
    finally:
        sys.argv = argv
    return capsys.readouterr().out


def _report(out: str) -> dict:
    lines = [ln for ln in out.splitlines() if ln.startswith("SCOTCH-CHECK ")]
    assert len(lines) == 1, out
    return json.loads(lines[0].split(" ", 1)[1])


def test_check_build_reports_extras_and_probes(m5stub, capsys):
    out = run_config(
        "check_build.py",
        ["--simobject", "X86ApmPort", "--simobject", "NoSuchThing",
         "--param", "X86ApmPort.broadcast", "--param", "X86ApmPort.nope",
         "--probe", "requires_x86"],
        capsys,
    )  # fmt: skip
    rep = _report(out)
    assert rep["gem5_version"] == "24.0.0.1"
    assert rep["isas"] == ["X86"]
    assert rep["protocol"] is None
    assert rep["present"] == {
        "simobject:X86ApmPort": True,
        "simobject:NoSuchThing": False,
        "param:X86ApmPort.broadcast": True,
        "param:X86ApmPort.nope": False,
        "probe:requires_x86": True,
    }


def test_check_build_on_plain_gem5_finds_nothing(plain_m5stub, capsys):
    out = run_config("check_build.py", ["--simobject", "X86ApmPort"], capsys)
    assert _report(out)["present"] == {"simobject:X86ApmPort": False}


def test_check_build_rejects_unknown_probe(m5stub, capsys):
    with pytest.raises(SystemExit):
        run_config("check_build.py", ["--probe", "nope"], capsys)


@pytest.mark.parametrize("cpu", ["atomic", "timing", "o3", "minor"])
def test_baremetal_wires_an_smm_board(m5stub, capsys, tmp_path, cpu):
    image = tmp_path / "image.elf"
    image.write_bytes(b"")
    out = run_config(
        "baremetal.py",
        ["--image", str(image), "--cpu", cpu, "--clock", "2GHz",
         "--smm-entry-latency", "100", "--smm-exit-latency", "200"],
        capsys,
    )  # fmt: skip
    assert out.strip().splitlines()[-1].startswith("SCOTCH-EXIT cause=")
    root = m5stub.record["instantiated"]
    board = root.board
    assert root.full_system is True
    assert board.workload.object_file == str(image)
    assert type(board.workload).__name__ == "X86MultibootWorkload"
    assert board.smm.entry_latency == 100 and board.smm.exit_latency == 200
    assert board.apm.int_requestor.peers[0].owner is board.iobus
    assert board.apm.pio.peers[0].owner is board.iobus
    assert len(board.workload.e820_table.entries) >= 3
    assert m5stub.record["simulate_calls"] == [10**11]


def test_baremetal_switch_and_restore_options(m5stub, capsys, tmp_path):
    image = tmp_path / "image.elf"
    image.write_bytes(b"")
    cpt = tmp_path / "cpt.1000"
    cpt.mkdir()
    run_config(
        "baremetal.py",
        ["--image", str(image), "--cpu", "atomic", "--switch-to", "o3",
         "--restore", str(cpt), "--cmdline", "milestone=switch"],
        capsys,
    )  # fmt: skip
    board = m5stub.record["instantiated"].board
    proc = board.get_processor()
    assert proc.switch_core_type.name == "O3"
    assert m5stub.record["ckpt"] == str(cpt)
    assert board.workload.command_line == "milestone=switch"


def test_baremetal_refuses_a_missing_image(m5stub, capsys, tmp_path):
    with pytest.raises(SystemExit, match="no such file"):
        run_config("baremetal.py", ["--image", str(tmp_path / "x")], capsys)


def test_every_config_is_covered():
    # A new config in gem5_configs/ needs a test here.
    covered = {"check_build.py", "baremetal.py"}
    assert {p.name for p in CONFIGS.glob("*.py")} <= covered
