"""Running the external tools (QEMU, gem5) with a time limit."""

from __future__ import annotations

import subprocess
from pathlib import Path

from scotch_plugin.errors import ScotchError


class ToolTimeout(ScotchError):
    """A tool that did not finish in its time limit."""

    cause = "timeout"


def run_tool(
    cmd: list[str], *, what: str, timeout: float, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``cmd`` to completion; a tool that cannot start or does not
    finish in time is a ScotchError naming ``what``."""
    try:
        return subprocess.run(
            cmd,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            cwd=cwd,
        )
    except OSError as exc:
        raise ScotchError(f"{what}: cannot run it: {exc.strerror}") from None
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout or ""
        if isinstance(out, bytes):
            out = out.decode(errors="replace")
        raise ToolTimeout(
            f"{what} did not finish within {timeout:.0f} s; output so "
            f"far:\n{out[-2000:]}"
        ) from None


def elf_symbols(elf: Path, names: tuple[str, ...]) -> dict[str, int]:
    """The addresses of ``names`` in ``elf``'s symbol table (nm), each
    required."""
    try:
        out = subprocess.run(
            ["nm", str(elf)], capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        raise ScotchError(f"{elf}: nm failed: {exc}") from None
    found: dict[str, int] = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2] in names:
            found[parts[2]] = int(parts[0], 16)
    missing = [n for n in names if n not in found]
    if missing:
        raise ScotchError(f"{elf}: no symbol {', '.join(missing)}")
    return found
