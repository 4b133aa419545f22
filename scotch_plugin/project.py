"""Where the project's own files are.

Scotch-gem5 is used from a checkout (``pip install -e .``): the patch
series, EXTRAS, workloads and gem5 configs are read from the tree, not
copied into site-packages. ``SCOTCH_ROOT`` overrides the location.
"""

from __future__ import annotations

import os
from pathlib import Path

from scotch_plugin.errors import ScotchError

_MARKER = "SConstruct.extra"


def root() -> Path:
    """The checkout that holds this package (or ``$SCOTCH_ROOT``)."""
    env = os.environ.get("SCOTCH_ROOT")
    if env:
        path = Path(env).resolve()
        if not (path / _MARKER).is_file():
            raise ScotchError(
                f"SCOTCH_ROOT={env}: no {_MARKER} there; it must point to "
                "a Scotch-gem5 checkout"
            )
        return path
    path = Path(__file__).resolve().parent.parent
    if not (path / _MARKER).is_file():
        raise ScotchError(
            f"{path}: not a Scotch-gem5 checkout (no {_MARKER}); install "
            "with 'pip install -e .' from the checkout or set SCOTCH_ROOT"
        )
    return path


def src_patches() -> Path:
    return root() / "src_patches"


def extras_dir() -> Path:
    """The EXTRAS directory to give gem5's SCons."""
    return src_patches() / "scotch"


def gem5_configs() -> Path:
    return root() / "gem5_configs"


def build_dir() -> Path:
    return root() / "build"
