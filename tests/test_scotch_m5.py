"""dom0's m5 tool (workloads/xen/tools/scotch-m5.c) on gem5: `readfile`
copies the run's parameter file, named at restore time by the config
(System.readfile), to standard output. This is how a restored dom0
learns what its run is to do. The test runs the static tool in gem5's
SE mode, where the same pseudo-instruction reaches the same file."""

from __future__ import annotations

import subprocess

import pytest

from scotch_plugin import workload_build
from scotch_plugin.gem5 import run


@pytest.fixture(scope="module")
def scotch_m5():
    workload_build.scons("build/workloads/xen/scotch-m5")
    from scotch_plugin import project

    return project.build_dir() / "workloads" / "xen" / "scotch-m5"


def test_scotch_m5_refuses_an_unknown_command(scotch_m5):
    done = subprocess.run([scotch_m5, "nonsense"], capture_output=True,
                          text=True)  # fmt: skip
    assert done.returncode == 2
    assert "unknown command 'nonsense'" in done.stderr
    assert "readfile" in subprocess.run([scotch_m5], capture_output=True,
                                        text=True).stderr  # fmt: skip


def test_readfile_hands_the_program_the_run_s_file(
    gem5_binary, scotch_m5, tmp_path
):
    # Longer than one 4 KiB chunk, so the tool's offsets are exercised.
    lines = [f"scotch.severity={i} scotch.hide={i % 2}" for i in range(300)]
    params = tmp_path / "run.params"
    params.write_text("\n".join(lines) + "\n")
    assert params.stat().st_size > 8192
    args = ["--program", str(scotch_m5), "--arg", "readfile",
            "--readfile", str(params)]  # fmt: skip
    result = run.run_config(
        gem5_binary, "se_program.py", args, tmp_path / "out", "readfile"
    )
    assert result.code == 0, result.cause
    # gem5 prints its own lines around the program's output.
    assert params.read_text() in result.stdout_text()
