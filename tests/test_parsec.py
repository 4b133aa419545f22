"""Our PARSEC hooks (``workloads/guest/parsec_hooks.c``). No QEMU."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest

from scotch_plugin import project

WORK_BEGIN = b"\x0f\x04\x5a\x00"  # 0F 04, function 0x5a (imm16)
WORK_END = b"\x0f\x04\x5b\x00"

CALLER_C = r"""
#include <stdio.h>
void __parsec_bench_begin(int);
void __parsec_bench_end(void);
void __parsec_roi_begin(void);
void __parsec_roi_end(void);
int main(void)
{
    __parsec_bench_begin(0);
    __parsec_roi_begin();
    puts("work");
    __parsec_roi_end();
    __parsec_bench_end();
    return 0;
}
"""

# -- our hooks --------------------------------------------------------------


@pytest.fixture(scope="module")
def hooked(tmp_path_factory) -> Path:
    """A static program that calls the hooks around its "work"."""
    tmp = tmp_path_factory.mktemp("hooks")
    (tmp / "caller.c").write_text(CALLER_C)
    exe = tmp / "caller"
    subprocess.run(
        ["gcc", "-O2", "-static", "-o", exe, tmp / "caller.c"]
        + [project.root() / "workloads" / "guest" / "parsec_hooks.c"],
        check=True,
    )
    return exe


def run_hooked(exe: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "SCOTCH_M5"}
    return subprocess.run(
        [exe], capture_output=True, text=True, env={**environ, **env}
    )


def test_hooks_mark_the_roi_on_stderr_off_gem5(hooked):
    for env in ({}, {"SCOTCH_M5": "0"}):
        proc = run_hooked(hooked, **env)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout == "work\n"  # what parsec-run hashes: untouched
        assert proc.stderr == (
            "SCOTCH-PARSEC-ROI begin (no m5: SCOTCH_M5 unset)\n"
            "SCOTCH-PARSEC-ROI end\n"
        )


def test_hooks_execute_gem5s_work_begin_with_scotch_m5(hooked):
    # On a real CPU gem5's opcode is undefined: the first hook dies of
    # SIGILL before the work, which shows it runs the m5 op.
    proc = run_hooked(hooked, SCOTCH_M5="1")
    assert proc.returncode == -signal.SIGILL
    assert proc.stdout == ""
    data = hooked.read_bytes()
    assert data.count(WORK_BEGIN) == 1 and data.count(WORK_END) == 1
