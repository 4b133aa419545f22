"""Runs images on QEMU (TCG), Scotch-gem5's functional reference."""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from scotch_plugin.errors import ScotchError
from scotch_plugin.proc import run_tool

#: ``isa-debug-exit`` port: the guest writes a code, QEMU exits with
#: status ``(code << 1) | 1``.
DEBUG_EXIT_PORT = 0xF4

#: Console input is typed in pieces this long, this far apart (seconds).
SEND_CHUNK = 32
SEND_PAUSE = 0.1


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


def q35(
    memory_mb: int,
    smm: bool = True,
    cpu: str | None = None,
    smp: int | None = None,
) -> list[str]:
    """QEMU's options for a q35 machine on TCG, up to what it boots: no
    display or reboot, the serial console on stdio and the debug-exit
    port (every run here)."""
    return [
        qemu_binary(),
        "-machine", "q35,smm=on" if smm else "q35",
        "-accel", "tcg",
        *(["-cpu", cpu] if cpu else []),
        *(["-smp", str(smp)] if smp else []),
        "-m", str(memory_mb),
        "-display", "none",
        "-no-reboot",
        "-serial", "stdio",
        "-monitor", "none",
        "-device",
        f"isa-debug-exit,iobase={DEBUG_EXIT_PORT:#x},iosize=0x04",
    ]  # fmt: skip


def module_item(arg: str) -> str:
    """One item of QEMU's multiboot module list (``-initrd``: items
    separated by commas), a comma inside it written twice."""
    return arg.replace(",", ",,")


def multiboot_command(
    image: Path,
    memory_mb: int = 128,
    deterministic: bool = True,
    extra: list[str] | None = None,
    icount_shift: int = 0,
) -> list[str]:
    """QEMU command that boots a multiboot image on q35 with SMM on.
    Deterministic runs count 2**icount_shift ns an instruction."""
    cmd = [*q35(memory_mb), "-kernel", str(image)]
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


#: QEMU's run states in which the guest will run no more.
STOPPED_STATES = frozenset({"shutdown", "guest-panicked", "internal-error"})


class Session:
    """A QEMU run the host talks to while it runs: the serial console's
    lines as they arrive (:meth:`expect`), lines typed into the console
    (:meth:`send`), and, once the guest has powered off, its RAM as the
    CPU sees it outside SMM (:meth:`dump_ram`, through QMP ``pmemsave``).

    The machine gets ``-no-shutdown``: a guest's power-off stops it with
    RAM intact instead of ending the process. Use as a context manager;
    :meth:`close` quits QEMU and returns a :class:`QemuResult`.
    """

    def __init__(self, cmd: list[str], workdir: Path, timeout: float):
        from qemu.qmp import ConnectError
        from qemu.qmp.legacy import QEMUMonitorProtocol

        # Each try before QEMU opens the socket is logged as an error.
        logging.getLogger("qemu.qmp").setLevel(logging.CRITICAL)

        self._qmp_path = workdir / "qmp.sock"
        self.command = [
            *cmd,
            "-qmp", f"unix:{self._qmp_path},server=on,wait=off",
            "-no-shutdown",
        ]  # fmt: skip
        self._deadline = time.monotonic() + timeout
        self._start = time.monotonic()
        self._lines: list[str] = []
        self._cursor = 0
        self._cond = threading.Condition()
        self._eof = False
        try:
            self._proc = subprocess.Popen(
                self.command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        except OSError as exc:
            raise ScotchError(f"QEMU: cannot run it: {exc.strerror}") from None
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._qmp = QEMUMonitorProtocol(str(self._qmp_path))
        for _ in range(200):
            try:
                self._qmp.connect()
                break
            except (OSError, ConnectError):
                if self._proc.poll() is not None:
                    break
                time.sleep(0.05)
        else:
            self._fail("QEMU's monitor socket did not open")

    def _read(self) -> None:
        assert self._proc.stdout is not None
        for raw in self._proc.stdout:
            line = raw.decode(errors="replace").rstrip("\r\n")
            with self._cond:
                self._lines.append(line)
                self._cond.notify_all()
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    @property
    def serial(self) -> str:
        with self._cond:
            return "".join(line + "\n" for line in self._lines)

    def _remaining(self) -> float:
        return self._deadline - time.monotonic()

    def _fail(self, why: str) -> None:
        self.kill()
        raise ScotchError(f"{why}; console so far:\n{self.serial[-3000:]}")

    def expect(
        self, pattern: re.Pattern[str], timeout: float | None = None
    ) -> re.Match[str] | None:
        """The next console line (after the last one matched) that matches
        ``pattern``; None if none came within ``timeout`` seconds (or the
        run's own limit) or QEMU ended first."""
        limit = time.monotonic() + min(
            timeout if timeout is not None else self._remaining(),
            self._remaining(),
        )
        with self._cond:
            while True:
                while self._cursor < len(self._lines):
                    line = self._lines[self._cursor]
                    self._cursor += 1
                    m = pattern.match(line)
                    if m:
                        return m
                left = limit - time.monotonic()
                if self._eof or left <= 0:
                    return None
                self._cond.wait(min(left, 1.0))

    @property
    def running(self) -> bool:
        """QEMU is still running (the guest may be stopped)."""
        return self._proc.poll() is None

    def send(self, line: str) -> None:
        """Type ``line`` into the serial console, a few bytes at a time:
        Xen buffers only 128 bytes of console input for dom0, and a
        dom0 slowed by a busy host lost a 270-byte line's middle."""
        assert self._proc.stdin is not None
        data = line.encode() + b"\n"
        for at in range(0, len(data), SEND_CHUNK):
            if at:
                time.sleep(SEND_PAUSE)
            self._proc.stdin.write(data[at : at + SEND_CHUNK])
            self._proc.stdin.flush()

    def status(self) -> str:
        return str(self._qmp.cmd_obj({"execute": "query-status"})["return"]
                   ["status"])  # fmt: skip

    def wait_stopped(self, timeout: float | None = None) -> str:
        """Wait until the guest has powered off (or panicked); its state.
        A QEMU that exits instead (the debug-exit port) is an error: its
        RAM is gone."""
        limit = time.monotonic() + min(
            timeout if timeout is not None else self._remaining(),
            self._remaining(),
        )
        while time.monotonic() < limit:
            if self._proc.poll() is not None:
                self._fail(
                    f"QEMU exited (status {self._proc.returncode}) before "
                    "the guest powered off: no RAM to dump"
                )
            state = self.status()
            if state in STOPPED_STATES:
                return state
            time.sleep(0.2)
        self._fail("the guest did not power off in time")
        return ""

    def dump_ram(self, path: Path, size: int) -> None:
        """The first ``size`` bytes of physical memory, as a CPU outside
        SMM reads them (SMRAM is not visible there), into ``path``."""
        reply = self._qmp.cmd_obj(
            {
                "execute": "pmemsave",
                "arguments": {"val": 0, "size": size, "filename": str(path)},
            }
        )
        if "error" in reply:
            raise ScotchError(f"QEMU pmemsave: {reply['error']}")

    def kill(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()

    def close(self) -> QemuResult:
        """Quit QEMU; the run's console and time."""
        if self._proc.poll() is None:
            try:
                self._qmp.cmd_obj({"execute": "quit"})
            except (OSError, EOFError):
                pass  # QEMU quit before it answered
            try:
                self._proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        self._close_qmp()
        self._reader.join(timeout=10)
        return QemuResult(
            self.serial,
            None,
            time.monotonic() - self._start,
            self.command,
        )

    def __enter__(self) -> Session:
        return self

    def _close_qmp(self) -> None:
        try:
            self._qmp.close()
        except (OSError, EOFError):
            pass  # the socket went with QEMU

    def __exit__(self, *exc: object) -> None:
        self.kill()
        self._close_qmp()
