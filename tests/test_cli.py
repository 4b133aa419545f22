"""Every command explains itself."""

import subprocess
import sys

import pytest

COMMANDS = [
    [], ["run"], ["smoke"], ["conformance"], ["bench"], ["gem5"],
    ["gem5", "patch"],
    ["gem5", "check"],
    ["parsec"], ["parsec", "build"],
]  # fmt: skip


@pytest.mark.parametrize("words", COMMANDS, ids=lambda w: " ".join(w))
def test_help(words):
    out = subprocess.run(
        [sys.executable, "-m", "scotch_plugin", *words, "--help"],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    assert out.startswith("usage: scotch")
    assert len(out.splitlines()) > 4


def test_missing_subcommand_is_a_usage_error():
    proc = subprocess.run(
        [sys.executable, "-m", "scotch_plugin", "gem5"],
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.returncode == 2 and "required" in proc.stderr
