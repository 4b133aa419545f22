"""Benchmarks of the gem5 SMM model (they print figures; not tests).

- ``roundtrip``: cycles for one SMI round trip with an empty handler
  (RSM only), per CPU model, from the image's RDTSC deltas and from the
  SMM controller's own per-SMI statistics.
- ``overhead``: host seconds per simulated instruction of a workload
  without SMIs (the pi spigot), with and without the SMM model in the
  board, and on a baseline binary built without the series if given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from scotch_plugin import baremetal, project
from scotch_plugin.errors import ScotchError

_STAT = re.compile(r"^(\S+)\s+([-\d.eE+]+|nan|inf)\s")


def read_stats(path: Path) -> dict[str, float]:
    """The first dump of a gem5 stats.txt, as name -> value."""
    stats: dict[str, float] = {}
    for line in path.read_text().splitlines():
        if line.startswith("---------- End"):
            break
        m = _STAT.match(line)
        if m:
            stats[m.group(1)] = float(m.group(2))
    if not stats:
        raise ScotchError(f"{path}: no statistics in it")
    return stats


@dataclass
class Roundtrip:
    cpu: str
    tsc_min: int
    tsc_avg: int
    timing_overhead: int
    smis: int
    stat_cycles_per_smi: float


def roundtrip(gem5_binary: Path, cpus: tuple[str, ...], clock: str,
              entry: int, exit_: int) -> list[Roundtrip]:  # fmt: skip
    out = []
    for cpu in cpus:
        outdir = project.build_dir() / "bench" / f"roundtrip-{cpu}"
        run = baremetal.run_on_gem5(
            "smm_bench", gem5_binary, cpu=cpu, outdir=outdir,
            extra=["--clock", clock, "--smm-entry-latency", str(entry),
                   "--smm-exit-latency", str(exit_)],
        )  # fmt: skip
        if run.report.verdict != "PASS":
            raise ScotchError(f"smm_bench failed on {cpu}:\n{run.serial}")
        v = run.report.values
        stats = read_stats(outdir / "stats.txt")
        # A one-element vector stat prints without its "::cpu0" subname.
        smis = int(
            stats.get("board.smm.smis::cpu0", stats.get("board.smm.smis", 0))
        )
        total = stats.get(
            "board.smm.cyclesInSmm::cpu0",
            stats.get("board.smm.cyclesInSmm", 0.0),
        )
        out.append(Roundtrip(
            cpu, int(v["roundtrip_cycles_min"]),
            int(v["roundtrip_cycles_avg"]), int(v["timing_overhead"]),
            smis, total / smis if smis else float("nan"),
        ))  # fmt: skip
    return out


@dataclass
class Speed:
    label: str
    cpu: str
    sim_insts: float
    host_seconds: float

    @property
    def ns_per_inst(self) -> float:
        return 1e9 * self.host_seconds / self.sim_insts


def overhead(gem5_binary: Path, cpu: str, repeats: int,
             baseline_binary: Path | None = None) -> list[Speed]:  # fmt: skip
    configs = [("SMM model", gem5_binary, []),
               ("no SMM devices", gem5_binary, ["--no-smm"])]  # fmt: skip
    if baseline_binary is not None:
        configs.append(("baseline binary", baseline_binary, ["--no-smm"]))
    out = []
    for label, binary, extra in configs:
        best = None
        for i in range(repeats):
            outdir = (
                project.build_dir()
                / "bench"
                / f"overhead-{cpu}-{label.replace(' ', '_')}-{i}"
            )
            run = baremetal.run_on_gem5(
                "compute", binary, cpu=cpu, outdir=outdir, extra=extra
            )
            if run.report.verdict != "PASS":
                raise ScotchError(f"compute failed ({label}):\n{run.serial}")
            stats = read_stats(outdir / "stats.txt")
            speed = Speed(label, cpu, stats["simInsts"],
                          stats["hostSeconds"])  # fmt: skip
            if best is None or speed.host_seconds < best.host_seconds:
                best = speed
        out.append(best)
    return out
