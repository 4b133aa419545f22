"""Shared fixtures: the strict m5 stub, the checkout, gem5 binaries."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STUB = ROOT / "tests" / "m5stub"
EXTRAS = ROOT / "src_patches" / "scotch"

#: Environment variable naming a gem5.opt built with the series and EXTRAS.
GEM5_ENV = "SCOTCH_GEM5_BINARY"


def _purge_stub_modules() -> None:
    # Also forget our in-gem5 components: they hold the stub's classes.
    for name in list(sys.modules):
        if name.split(".")[0] in {"m5", "_m5", "gem5"} or name.startswith(
            "scotch_plugin.gem5_components"
        ):
            del sys.modules[name]


@pytest.fixture
def m5stub() -> Iterator[object]:
    """The strict stub ``m5`` with Scotch-gem5's EXTRAS compiled in."""
    _purge_stub_modules()
    sys.path.insert(0, str(STUB))
    try:
        import m5
        import m5.objects

        m5.objects.load_sim_object_files(sorted(EXTRAS.glob("*.py")))
        yield m5
    finally:
        sys.path.remove(str(STUB))
        _purge_stub_modules()


@pytest.fixture
def plain_m5stub() -> Iterator[object]:
    """The stub as a plain gem5 would be: no EXTRAS SimObjects."""
    _purge_stub_modules()
    sys.path.insert(0, str(STUB))
    try:
        import m5

        yield m5
    finally:
        sys.path.remove(str(STUB))
        _purge_stub_modules()


@pytest.fixture(scope="session")
def gem5_binary() -> Path:
    """A gem5 binary with Scotch-gem5, or a visible skip."""
    value = os.environ.get(GEM5_ENV)
    if not value:
        pytest.skip(f"needs a gem5 binary: set {GEM5_ENV}=/path/gem5.opt")
    path = Path(value)
    if not path.is_file():
        pytest.fail(f"{GEM5_ENV}={value}: no such file")
    return path
