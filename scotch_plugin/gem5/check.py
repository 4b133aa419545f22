"""Asks a gem5 binary which of Scotch-gem5's features it has."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from scotch_plugin import project
from scotch_plugin.errors import ScotchError
from scotch_plugin.gem5.features import FEATURES, Feature
from scotch_plugin.proc import run_tool

MARKER = "SCOTCH-CHECK "


@dataclass
class CheckReport:
    binary: Path
    gem5_version: str
    isas: list[str]
    protocol: str | None
    present: dict[str, bool]

    def missing(self) -> list[Feature]:
        return [f for f in FEATURES if not self.present.get(f.key)]

    @property
    def is_plain(self) -> bool:
        return all(
            not self.present.get(f.key) for f in FEATURES if f.simobject
        )


def validate_binary(binary: Path) -> None:
    if not binary.exists():
        raise ScotchError(f"gem5 binary {binary}: no such file")
    if binary.is_dir():
        raise ScotchError(f"gem5 binary {binary}: is a directory")
    if not os.access(binary, os.X_OK):
        raise ScotchError(f"gem5 binary {binary}: not executable")


def run_check(binary: Path, timeout: float = 300.0) -> CheckReport:
    """Run ``binary`` on the check config and parse its report."""
    validate_binary(binary)
    config = project.gem5_configs() / "check_build.py"
    args: list[str] = []
    for f in FEATURES:
        if f.simobject:
            args += ["--simobject", f.simobject]
        elif f.param:
            args += ["--param", f.param]
        else:
            args += ["--probe", str(f.probe)]
    with tempfile.TemporaryDirectory(prefix="scotch-check-") as outdir:
        cmd = [str(binary), "--outdir", outdir, str(config), *args]
        proc = run_tool(cmd, what=f"gem5 binary {binary}",
                        timeout=timeout)  # fmt: skip
    for line in proc.stdout.splitlines():
        if line.startswith(MARKER):
            data = json.loads(line[len(MARKER) :])
            return CheckReport(
                binary=binary,
                gem5_version=data["gem5_version"],
                isas=data["isas"],
                protocol=data["protocol"],
                present=data["present"],
            )
    tail = (proc.stderr.strip() or proc.stdout.strip()).splitlines()[-1:]
    raise ScotchError(
        f"gem5 binary {binary}: did not run as gem5 (exit "
        f"{proc.returncode}): {tail[0] if tail else 'no output'}"
    )
