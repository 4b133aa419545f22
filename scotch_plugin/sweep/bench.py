"""``scotch bench sweep``: the sweep runner's own figures (printed, not
tested): how the local pool scales from one worker to two on the same
8-point sweep of gem5 points, and what the runner costs per point apart
from what it runs."""

from __future__ import annotations

import sys
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

from scotch_plugin.sweep.records import read_record
from scotch_plugin.sweep.runner import Options, Summary, run_sweep
from scotch_plugin.sweep.schema import load_sweep

#: Eight points of equal cost (o3, 16 rounds, entry latency varied), so
#: that two workers can share them evenly.
GEM5_SWEEP = """\
name: bench-pool
kind: handler
base: {cpu: o3, rounds: 16}
grid:
  product:
    smm_entry_latency: [0, 100, 200, 300, 400, 500, 600, 700]
output: out
"""
#: Eight points that do next to nothing: a Python that prints a metric.
NULL_SWEEP = """\
name: bench-null
kind: command
command: [{python}, -c, "print('SCOTCH-METRIC one=1')", "{{i}}"]
grid:
  product:
    i: [0, 1, 2, 3, 4, 5, 6, 7]
output: out
"""


@dataclass
class PoolRun:
    workers: int
    points: int
    seconds: float
    payload_seconds: float

    @property
    def overhead_per_point(self) -> float:
        """Runner seconds per point beyond its payload (one worker: the
        points run one after another)."""
        return (self.seconds * self.workers - self.payload_seconds) / (
            self.points
        )


def _run(text: str, workers: int, gem5_binary: Path | None) -> PoolRun:
    with tempfile.TemporaryDirectory(prefix="scotch-bench-sweep-") as tmp:
        path = Path(tmp) / "sweep.yaml"
        path.write_text(text)
        sweep = load_sweep(path, gem5_binary=gem5_binary)
        summary: Summary = run_sweep(
            sweep, Options(workers=workers, quiet=True, resume=False)
        )
        if summary.failed:
            raise SystemExit(
                f"scotch bench sweep: {summary.failed} point(s) failed:\n"
                f"{summary.text}"
            )
        payload = 0.0
        for point_dir in (sweep.output / "points").iterdir():
            record = read_record(point_dir)
            assert record is not None and record.payload_seconds is not None
            payload += record.payload_seconds
        return PoolRun(workers, summary.total, summary.run_seconds, payload)


def run(gem5_binary: Path | None, repeats: int = 1) -> list[str]:
    """The figures, as lines to print."""
    lines = []
    null = [
        _run(textwrap.dedent(NULL_SWEEP.format(python=sys.executable)), 1,
             None)  # fmt: skip
        for _ in range(repeats)
    ]
    best = min(null, key=lambda r: r.overhead_per_point)
    lines.append(
        f"runner overhead per point (8 near-empty command points, 1 "
        f"worker; wall minus the commands' own time): "
        f"{best.overhead_per_point:.3f} s (target < 1 s)"
    )
    if gem5_binary is None:
        lines.append("pool scaling: needs --gem5-binary (gem5 points)")
        return lines
    _run(GEM5_SWEEP, 2, gem5_binary)  # warm: builds, gem5 identity
    for _ in range(repeats):
        one = _run(GEM5_SWEEP, 1, gem5_binary)
        two = _run(GEM5_SWEEP, 2, gem5_binary)
        lines.append(
            f"8 gem5 points (handler bench, o3): 1 worker {one.seconds:.1f} "
            f"s, 2 workers {two.seconds:.1f} s: ratio "
            f"{one.seconds / two.seconds:.2f} (target >= 1.8); runner "
            f"overhead per point {one.overhead_per_point:.3f} s"
        )
    return lines
