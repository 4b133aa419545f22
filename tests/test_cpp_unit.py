"""Builds and runs the standalone C++ unit tests (GoogleTest) of the
gem5-independent code in EXTRAS."""

import subprocess

from conftest import ROOT

from scotch_plugin import workload_build


def test_cpp_unit_tests_pass():
    workload_build.scons("cpp-tests")
    proc = subprocess.run(
        [str(ROOT / "build" / "tests" / "cpp" / "unit_tests")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout
    assert "[  PASSED  ]" in proc.stdout
    assert "FAILED" not in proc.stdout
