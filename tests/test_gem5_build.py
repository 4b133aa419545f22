"""``scotch gem5 build``: the SCons it picks, when it configures, and (with
SCOTCH_GEM5_TREE naming a built, patched checkout) that a rerun is an
incremental build that ends in a checked binary."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from scotch_plugin.errors import ScotchError
from scotch_plugin.gem5 import build


def fake_scons(tmp: Path, version: str) -> str:
    path = tmp / f"scons-{version}"
    path.write_text(
        "#!/bin/sh\n"
        "echo 'SCons by Steven Knight et al.:'\n"
        f"echo '\tSCons: v{version}.0123abcd, by nobody'\n"
    )
    path.chmod(0o755)
    return str(path)


def test_the_test_extras_scons_builds_gem5():
    """pyproject pins scons==4.4.0: the one on PATH is in range."""
    found = build.find_scons()
    assert build.SCONS_WORKS[0] <= found.version[:2] < build.SCONS_WORKS[1]


def test_a_scons_that_breaks_gem5_is_passed_over(tmp_path):
    bad, good = fake_scons(tmp_path, "4.11.1"), fake_scons(tmp_path, "4.4.0")
    assert build.find_scons([bad, good]) == build.Scons(good, (4, 4, 0))


def test_no_working_scons_is_an_error_naming_each(tmp_path):
    bad = fake_scons(tmp_path, "4.11.1")
    with pytest.raises(ScotchError) as err:
        build.find_scons([bad, str(tmp_path / "absent")])
    assert f"{bad} is 4.11.1" in str(err.value)
    assert "scons==4.4.0" in str(err.value)


def test_scotch_scons_comes_first(tmp_path, monkeypatch):
    mine = fake_scons(tmp_path, "4.3.0")
    monkeypatch.setenv("SCOTCH_SCONS", mine)
    assert build.scons_candidates()[0] == mine
    assert build.find_scons().path == mine


def test_configures_only_without_ruby_and_systemc(tmp_path):
    assert build.needs_config(tmp_path)
    config = tmp_path / build.CONFIG
    config.parent.mkdir(parents=True)
    config.write_text("CONFIG_RUBY=y\n# USE_SYSTEMC is not set\n")
    assert build.needs_config(tmp_path)
    config.write_text("# RUBY is not set\n# USE_SYSTEMC is not set\n")
    assert not build.needs_config(tmp_path)


def test_a_tree_that_is_not_gem5_is_refused(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "scotch_plugin", "gem5", "build",
         "--gem5", str(tmp_path)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 2
    assert str(tmp_path) in proc.stderr and "not a gem5" in proc.stderr


def test_a_rerun_is_incremental():
    tree = os.environ.get("SCOTCH_GEM5_TREE")
    if not tree:
        pytest.skip("needs a built gem5 checkout: set SCOTCH_GEM5_TREE")
    proc = subprocess.run(
        [sys.executable, "-m", "scotch_plugin", "gem5", "build",
         "--gem5", tree],
        capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "already applied" in proc.stdout
    assert "all Scotch-gem5 features present" in proc.stdout
