"""Builds gem5 with Scotch-gem5 from a checkout the user already has.

``scotch gem5 build --gem5 DIR`` applies the series (as ``scotch gem5
patch`` does), configures ``build/X86`` without Ruby or SystemC once,
and builds ``build/X86/gem5.opt`` with this checkout's EXTRAS, showing
progress and keeping the whole log in ``build/X86/scotch-build.log``.
gem5's own SCons build is incremental: a rerun recompiles only what
changed (EXTRAS must stay the same path, which it does).

SCons: gem5 v24.0's configure fails with SCons 4.5 and later ("Did not
find needed zlib"; ``-l( -l)`` on the link line, seen with 4.11), and
builds with 4.4 (Debian 12's, or PyPI's ``scons==4.4.0``, which the test
extras pin). The first SCons in ``$SCOTCH_SCONS``, ``PATH`` and
``/usr/bin/scons`` that is in the working range is used; none is an
error that says what to install.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from scotch_plugin import project
from scotch_plugin.errors import ScotchError
from scotch_plugin.gem5 import series

#: SCons versions known to build gem5 v24.0.0.1: [low, high).
SCONS_WORKS = ((4, 0), (4, 5))
TARGET = "build/X86/gem5.opt"
CONFIG = Path("build/X86/gem5.build/config")
#: Kconfig settings the build needs (``scons setconfig``).
SETTINGS = ("RUBY=n", "USE_SYSTEMC=n")
STEP_RE = re.compile(r"^ \[ *([A-Z ]+)\] (.*)$")


@dataclass(frozen=True)
class Scons:
    path: str
    version: tuple[int, ...]

    @property
    def version_text(self) -> str:
        return ".".join(map(str, self.version))


def scons_version(path: str) -> tuple[int, ...] | None:
    """The version ``path --version`` reports (its engine's), or None."""
    try:
        proc = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r"SCons: v(\d+)\.(\d+)\.(\d+)", proc.stdout)
    return tuple(int(x) for x in m.groups()) if m else None


def scons_candidates() -> list[str]:
    """Where to look for SCons, in order."""
    candidates = []
    if os.environ.get("SCOTCH_SCONS"):
        candidates.append(os.environ["SCOTCH_SCONS"])
    on_path = shutil.which("scons")
    if on_path:
        candidates.append(on_path)
    return [*candidates, "/usr/bin/scons"]


def find_scons(candidates: list[str] | None = None) -> Scons:
    """The first SCons that builds gem5 v24.0; an error naming what was
    found otherwise."""
    if candidates is None:
        candidates = scons_candidates()
    seen = []
    low, high = SCONS_WORKS
    for path in dict.fromkeys(candidates):
        version = scons_version(path)
        if version is None:
            continue
        if low <= version[:2] < high:
            return Scons(path, version)
        seen.append(f"{path} is {'.'.join(map(str, version))}")
    found = "; ".join(seen) or "no scons found"
    raise ScotchError(
        "no SCons that builds gem5 v24.0 (4.0 to 4.4; 4.5 and later fail "
        f"its configure): {found}. Install Debian's (apt-get install "
        "scons) or pip's scons==4.4.0, or name one with SCOTCH_SCONS"
    )


def needs_config(gem5: Path) -> bool:
    """Whether build/X86 is unconfigured or configured with Ruby or
    SystemC."""
    try:
        text = (gem5 / CONFIG).read_text()
    except OSError:
        return True
    return "# RUBY is not set" not in text or (
        "# USE_SYSTEMC is not set" not in text
    )


def _run(
    cmd: list[str],
    gem5: Path,
    log,
    on_line: Callable[[str], None] | None = None,
) -> None:
    log.write(f"$ {' '.join(cmd)}\n")
    log.flush()
    proc = subprocess.Popen(
        cmd,
        cwd=gem5,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    )
    assert proc.stdout is not None
    tail: list[str] = []
    for line in proc.stdout:
        log.write(line)
        tail = [*tail[-39:], line.rstrip()]
        if on_line:
            on_line(line.rstrip())
    if proc.wait() != 0:
        raise ScotchError(
            f"{' '.join(cmd[:3])}… failed (exit {proc.returncode}); the "
            f"log is {log.name}; its end:\n" + "\n".join(tail)
        )


def build(
    gem5: Path,
    jobs: int,
    say: Callable[[str], None] = print,
) -> Path:
    """Patch, configure (once) and build; the binary's path."""
    result = series.apply(gem5, project.src_patches())
    say(f"scotch gem5 build: {gem5}: {result.message}")
    scons = find_scons()
    say(f"scotch gem5 build: SCons {scons.version_text} ({scons.path})")
    extras = project.extras_dir()
    (gem5 / "build" / "X86").mkdir(parents=True, exist_ok=True)
    log_path = gem5 / "build" / "X86" / "scotch-build.log"
    start = time.monotonic()
    with log_path.open("a") as log:
        if needs_config(gem5):
            say(
                "scotch gem5 build: configuring build/X86 (no Ruby or "
                "SystemC)"
            )
            if not (gem5 / CONFIG).exists():
                _run(
                    [scons.path, "defconfig", "build/X86", "build_opts/X86"],
                    gem5,
                    log,
                )
            _run([scons.path, "setconfig", "build/X86", *SETTINGS], gem5, log)
        steps = 0

        def progress(line: str) -> None:
            nonlocal steps
            m = STEP_RE.match(line)
            if not m:
                return
            steps += 1
            if steps % 100 == 0 or m.group(1).strip() == "LINK":
                say(
                    f"scotch gem5 build: {steps} steps, "
                    f"{time.monotonic() - start:.0f} s: "
                    f"[{m.group(1).strip()}] {m.group(2)[:60]}"
                )

        _run(
            [scons.path, TARGET, f"-j{jobs}", f"EXTRAS={extras}"],
            gem5,
            log,
            progress,
        )
    binary = gem5 / TARGET
    say(
        f"scotch gem5 build: {binary} ({steps} steps in "
        f"{time.monotonic() - start:.0f} s; log {log_path})"
    )
    return binary
