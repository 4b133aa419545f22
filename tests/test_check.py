"""`scotch gem5 check`: clear one-line errors for bad binaries, and the
report of a binary with and without Scotch-gem5.

Without a gem5 binary in CI, a stand-in runs the real check config under
the strict stub (with or without our EXTRAS compiled in); the same test
runs on a real binary when SCOTCH_GEM5_BINARY is set.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from conftest import EXTRAS, STUB

from scotch_plugin.cli import main
from scotch_plugin.gem5 import check

STAND_IN = """#!{python}
# gem5 stand-in: gem5.opt --outdir DIR CONFIG ARGS...
import runpy, sys
sys.path.insert(0, {stub!r})
import m5.objects
m5.objects.load_sim_object_files({extras!r})
config = sys.argv[3]
sys.argv = [config] + sys.argv[4:]
runpy.run_path(config, run_name="__m5_main__")
"""


def stand_in(tmp_path: Path, with_extras: bool) -> Path:
    path = tmp_path / ("gem5-scotch" if with_extras else "gem5-plain")
    extras = (
        [str(p) for p in EXTRAS.glob("*.py")]
        + [str(STUB / "series_objects.py")]
        if with_extras
        else []
    )
    path.write_text(
        STAND_IN.format(python=sys.executable, stub=str(STUB), extras=extras)
    )
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def run_cli(binary: Path, capsys) -> tuple[int, str, str]:
    code = main(["gem5", "check", "--gem5-binary", str(binary)])
    out, err = capsys.readouterr()
    return code, out, err


def test_missing_binary(tmp_path, capsys):
    code, _, err = run_cli(tmp_path / "gem5.opt", capsys)
    assert code == 2 and "no such file" in err and err.count("\n") == 1


def test_non_executable_binary(tmp_path, capsys):
    path = tmp_path / "gem5.opt"
    path.write_text("")
    code, _, err = run_cli(path, capsys)
    assert code == 2 and "not executable" in err


def test_binary_that_is_not_gem5(tmp_path, capsys):
    code, _, err = run_cli(Path("/bin/false"), capsys)
    assert code == 2 and "did not run as gem5 (exit 1)" in err


def test_plain_gem5_is_named_as_such(tmp_path, capsys):
    code, out, err = run_cli(stand_in(tmp_path, with_extras=False), capsys)
    assert code == 2
    assert "gem5 24.0.0.1" in out
    assert "a plain gem5 without Scotch-gem5" in err
    assert f"EXTRAS={EXTRAS}" in err


def test_scotch_gem5_reports_every_feature(tmp_path, capsys):
    code, out, _ = run_cli(stand_in(tmp_path, with_extras=True), capsys)
    assert code == 0, out
    for feature in check.FEATURES:
        assert f"yes {feature.description}" in out
    assert "all Scotch-gem5 features present" in out


def test_real_gem5_binary_has_every_feature(gem5_binary):
    report = check.run_check(gem5_binary)
    assert report.gem5_version == "24.0.0.1"
    assert "X86" in report.isas
    assert report.missing() == [], [f.description for f in report.missing()]
    assert os.access(gem5_binary, os.X_OK)
