"""Runs images on QEMU (TCG), Scotch-gem5's functional reference."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from scotch_plugin.errors import ScotchError
from scotch_plugin.proc import run_tool

#: ``isa-debug-exit`` port: the guest writes a code, QEMU exits with
#: status ``(code << 1) | 1``.
DEBUG_EXIT_PORT = 0xF4


@dataclass
class QemuResult:
    """Serial output and how the guest ended."""

    serial: str
    guest_code: int | None
    host_seconds: float
    command: list[str]


def qemu_binary() -> str:
    exe = shutil.which("qemu-system-x86_64")
    if exe is None:
        raise ScotchError(
            "qemu-system-x86_64 not found: install Debian's "
            "qemu-system-x86 package (bash .ci/setup does)"
        )
    return exe


def multiboot_command(
    image: Path,
    memory_mb: int = 128,
    deterministic: bool = True,
    extra: list[str] | None = None,
    icount_shift: int = 0,
) -> list[str]:
    """QEMU command that boots a multiboot image on q35 with SMM on.
    Deterministic runs count 2**icount_shift ns an instruction."""
    cmd = [
        qemu_binary(),
        "-machine", "q35,smm=on",
        "-accel", "tcg",
        "-m", str(memory_mb),
        "-display", "none",
        "-no-reboot",
        "-serial", "stdio",
        "-monitor", "none",
        "-device",
        f"isa-debug-exit,iobase={DEBUG_EXIT_PORT:#x},iosize=0x04",
        "-kernel", str(image),
    ]  # fmt: skip
    if deterministic:
        # Count instructions: runs repeat exactly, and an I/O write that
        # raises an SMI ends its translation block, so the SMI is taken
        # right after the OUT as on hardware.
        cmd += ["-icount", f"shift={icount_shift},sleep=off"]
        # The RTC on that clock too, not the host's: its update flag
        # (244 us a second) is then seen however busy the host is.
        cmd += ["-rtc", "clock=vm"]
    return cmd + (extra or [])


def run(cmd: list[str], timeout: float = 60.0) -> QemuResult:
    """Run a QEMU command to completion and collect the serial output."""
    start = time.monotonic()
    proc = run_tool(cmd, what="QEMU", timeout=timeout)
    elapsed = time.monotonic() - start
    serial = proc.stdout.replace("\r\n", "\n")
    code = proc.returncode
    if code > 0 and code & 1:
        guest = code >> 1
    elif code == 0:
        guest = None  # left without the debug-exit device
    else:
        raise ScotchError(
            f"QEMU failed (exit {code}): " f"{proc.stderr.strip()[-2000:]}"
        )
    return QemuResult(serial, guest, elapsed, cmd)
