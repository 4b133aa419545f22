"""Runs gem5 configs from the host and collects what they produced."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

from scotch_plugin import project
from scotch_plugin.errors import ScotchError
from scotch_plugin.gem5.check import validate_binary
from scotch_plugin.proc import run_tool

_EXIT = re.compile(r"^SCOTCH-EXIT cause='(.*)' code=(-?\d+) tick=(\d+)$")
CPU_MODELS = ("atomic", "timing", "o3", "minor")


@dataclass
class Gem5Result:
    serial: str
    cause: str
    code: int
    ticks: int
    outdir: Path
    host_seconds: float
    command: list[str]

    def stats_text(self) -> str:
        return (self.outdir / "stats.txt").read_text()

    def stdout_text(self) -> str:
        """What the config printed (its SCOTCH-* lines)."""
        return (self.outdir / "gem5.stdout").read_text()


def run_config(
    binary: Path,
    config: str,
    args: list[str],
    outdir: Path,
    what: str,
    debug_flags: str | None = None,
    timeout: float = 1800.0,
) -> Gem5Result:
    """Run ``gem5_configs/CONFIG ARGS`` with its output in ``outdir``; the
    config's last ``SCOTCH-EXIT`` line says why it stopped."""
    validate_binary(binary)
    outdir.mkdir(parents=True, exist_ok=True)
    cmd = [str(binary), "--outdir", str(outdir)]
    if debug_flags:
        cmd += [f"--debug-flags={debug_flags}"]
    cmd += [str(project.gem5_configs() / config), *args]
    (outdir / "gem5.command.json").write_text(json.dumps(cmd) + "\n")
    start = time.monotonic()
    proc = run_tool(cmd, what=f"gem5 ({what})", timeout=timeout)
    elapsed = time.monotonic() - start
    (outdir / "gem5.stdout").write_text(proc.stdout)
    (outdir / "gem5.stderr").write_text(proc.stderr)
    match = None
    for line in proc.stdout.splitlines():
        match = _EXIT.match(line) or match
    if proc.returncode != 0 or match is None:
        tail = "\n".join(
            (proc.stderr.strip() or proc.stdout.strip()).splitlines()[-15:]
        )
        raise ScotchError(
            f"gem5 failed (exit {proc.returncode}) running {what}; output "
            f"in {outdir}:\n{tail}"
        )
    serial_file = outdir / "board.pc.com_1.device"
    serial = (
        serial_file.read_text(errors="replace")
        if (serial_file.is_file())
        else ""
    )
    return Gem5Result(
        serial=serial.replace("\r\n", "\n"),
        cause=match.group(1),
        code=int(match.group(2)),
        ticks=int(match.group(3)),
        outdir=outdir,
        host_seconds=elapsed,
        command=cmd,
    )


def exit_cause(outdir: Path) -> str | None:
    """The exit cause a finished run in ``outdir`` printed, if any."""
    try:
        text = (outdir / "gem5.stdout").read_text(errors="replace")
    except OSError:
        return None
    cause = None
    for line in text.splitlines():
        m = _EXIT.match(line)
        cause = m.group(1) if m else cause
    return cause


def _check_cpu(cpu: str) -> None:
    if cpu not in CPU_MODELS:
        raise ScotchError(
            f"--cpu {cpu}: expected one of {', '.join(CPU_MODELS)}"
        )


def run_baremetal(
    binary: Path,
    image: Path,
    outdir: Path,
    cpu: str = "atomic",
    clock: str = "3GHz",
    extra: list[str] | None = None,
    debug_flags: str | None = None,
    timeout: float = 1800.0,
) -> Gem5Result:
    """Boot ``image`` on gem5 with gem5_configs/baremetal.py."""
    _check_cpu(cpu)
    args = ["--image", str(image), "--cpu", cpu]
    if "--clock" not in (extra or []):
        args += ["--clock", clock]
    return run_config(binary, "baremetal.py", args + (extra or []), outdir,
                      f"{image.name} on {cpu}", debug_flags,
                      timeout)  # fmt: skip


def run_xen(
    binary: Path,
    xen: Path,
    kernel: Path,
    initrd: Path,
    outdir: Path,
    cpu: str = "atomic",
    extra: list[str] | None = None,
    timeout: float = 1800.0,
) -> Gem5Result:
    """Boot Xen and its dom0 (or restore a checkpoint of them: ``extra``
    ``--restore CPT``) with gem5_configs/xen_boot.py."""
    _check_cpu(cpu)
    args = [
        "--xen", str(xen), "--kernel", str(kernel), "--initrd", str(initrd),
        "--cpu", cpu, "--progress-ticks", "0",
    ]  # fmt: skip
    return run_config(binary, "xen_boot.py", args + (extra or []), outdir,
                      f"Xen on {cpu}", timeout=timeout)  # fmt: skip
