"""Builds bare-metal images, guest programs and unit tests with
``SConstruct.extra``."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from scotch_plugin import project
from scotch_plugin.errors import ScotchError
from scotch_plugin.xen.guest_workloads import WORKLOADS


def scons(*targets: str) -> None:
    """Run ``scons -f SConstruct.extra TARGETS`` in the checkout."""
    exe = shutil.which("scons")
    if exe is None:
        raise ScotchError(
            "scons not found: install it (pip install scons, or the "
            "project's test extras)"
        )
    cmd = [exe, "-Q", "-f", "SConstruct.extra", *targets]
    proc = subprocess.run(
        cmd,
        cwd=project.root(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    if proc.returncode != 0:
        raise ScotchError(
            f"building {' '.join(targets) or 'everything'} failed "
            f"(scons exit {proc.returncode}):\n{proc.stdout[-4000:]}"
        )


def _built(rel: str) -> Path:
    """Build (if needed) the target ``rel`` and return its path."""
    scons(rel)
    path = project.root() / rel
    if not path.is_file():
        raise ScotchError(f"{rel}: the build did not produce it")
    return path


def image_path(name: str, platform: str) -> Path:
    """Where the image ``name`` for ``platform`` is built (built or not)."""
    return project.build_dir() / "workloads" / platform / f"{name}.elf"


def image(name: str, platform: str) -> Path:
    """Build (if needed) and return the image ``name`` for ``platform``."""
    return _built(f"build/workloads/{platform}/{name}.elf")


def guest_programs() -> dict[str, Path]:
    """Build (if needed) the guest workloads (``workloads/guest/``, the
    ``guest`` alias) and return ``{name: static executable}``."""
    scons("guest")
    out = project.build_dir() / "guest"
    programs = {name: out / name for name in WORKLOADS}
    for path in programs.values():
        if not path.is_file():
            raise ScotchError(f"{path}: the guest build did not produce it")
    return programs


def se_check(name: str) -> Path:
    """Build (if needed) and return ``build/se_checks/NAME``, a static
    program that checks gem5's x86 model against the host CPU."""
    return _built(f"build/se_checks/{name}")
