"""A domU's result line checked against the host.

Each guest workload's checksum is a pure function of its iteration
count (``workloads/guest/README.md``), so the same static program run
on the host for as many iterations must print the same one. A mismatch
means the simulated machine computed something else: a fault in the
CPU model or the hypervisor (as gzip's SIGSEGV on gem5 was, when Xen
switched the FPU lazily and gem5 raised no #NM).
"""

from __future__ import annotations

import functools
import re
import subprocess
import tempfile
from pathlib import Path

from scotch_plugin import project
from scotch_plugin.xen.dom0_report import DomainReport, lcg_checksum
from scotch_plugin.xen.guest_workloads import WORKLOADS

CHECKSUM = re.compile(r" checksum=(\d+)\s*$", re.M)


def host_checksum(workload: str, iterations: int) -> int:
    """The checksum the host's build of ``workload`` prints after
    ``iterations`` (built already: ``build/guest/<workload>``)."""
    if workload == "lcg":
        return lcg_checksum(iterations)
    program = project.build_dir() / "guest" / workload
    if not program.is_file():
        raise FileNotFoundError(f"{program}: not built (scons guest)")
    out = subprocess.run(
        [str(program), "--iterations", str(iterations)],
        capture_output=True, text=True, check=True, timeout=600,
    ).stdout  # fmt: skip
    m = CHECKSUM.search(out)
    if not m:
        raise ValueError(f"{program} printed no checksum: {out[-200:]!r}")
    return int(m.group(1))


@functools.cache
def parsec_checksum(directory: Path, name: str) -> int:
    """The checksum ``parsec-run`` prints on the host for PARSEC program
    ``name`` in ``directory`` (the last run's output hashed: the same
    for any number of runs)."""
    from scotch_plugin.xen.parsec import run_natively

    with tempfile.TemporaryDirectory(prefix="scotch-parsec-") as scratch:
        line = run_natively(directory, name, Path(scratch))
    m = CHECKSUM.search(line)
    if not m:
        raise ValueError(f"parsec-run printed no checksum: {line!r}")
    return int(m.group(1))


def work_problem(domain: DomainReport) -> str | None:
    """Why ``domain``'s result line disagrees with the host, or None
    (also when it has none: a workload still running at the end of a
    window). A PARSEC program's is checked against the same program run
    on the host from ``$SCOTCH_PARSEC_DIR``, when that is set (as it was
    for the images that ran it)."""
    work = domain.work
    workload = work.get("workload", "")
    if work and workload.startswith("parsec:"):
        return _parsec_problem(domain, workload.split(":", 1)[1])
    if not work or (workload not in WORKLOADS and workload != "lcg"):
        return None
    numbers = _numbers(domain)
    if isinstance(numbers, str):
        return numbers
    iterations, theirs = numbers
    if iterations == 0:
        return f"{domain.name}: {workload} ran no iteration"
    ours = host_checksum(workload, iterations)
    if theirs != ours:
        return (
            f"{domain.name}: {workload} after {iterations} iterations "
            f"printed checksum {theirs}, the host's build {ours}"
        )
    return None


def _numbers(domain: DomainReport) -> tuple[int, int] | str:
    """A result line's iterations and checksum, or why it has none."""
    work = domain.work
    try:
        return int(work["iterations"]), int(work["checksum"])
    except (KeyError, ValueError):
        return f"{domain.name}: a result line without a number: {work}"


def _parsec_problem(domain: DomainReport, name: str) -> str | None:
    from scotch_plugin.xen.guest_image import parsec_dir

    directory = parsec_dir()
    if directory is None:
        return None
    numbers = _numbers(domain)
    if isinstance(numbers, str):
        return numbers
    iterations, theirs = numbers
    if iterations == 0:
        return f"{domain.name}: parsec:{name} finished no run"
    ours = parsec_checksum(directory.resolve(), name)
    if theirs != ours:
        return (
            f"{domain.name}: parsec:{name} printed checksum {theirs}, the "
            f"same program on this host {ours} ({directory})"
        )
    return None
