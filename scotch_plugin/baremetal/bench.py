"""Benchmarks of the gem5 SMM model (they print figures; not tests).

- ``roundtrip``: cycles for one SMI round trip with an empty handler
  (RSM only), per CPU model, from the image's RDTSC deltas and from the
  SMM controller's own per-SMI statistics.
- ``overhead``: host seconds per simulated instruction of a workload
  without SMIs (the pi spigot), with and without the SMM model in the
  board, and on a baseline binary built without the series if given.
- ``handler``: cycles per context-switch SMI of Scotch's real accounting
  handler (``workloads/scotch_bench``: fake Xen state, 64-bit mode),
  against the empty handler in the same image, with the ledger snapshot
  it exports verified by ``scotch-reader``. On QEMU (no gem5 binary) only
  the functional result counts: TCG's TSC is no clock.
"""

from __future__ import annotations

import re
import resource
from dataclasses import dataclass, field
from pathlib import Path

from scotch_plugin import ledger, project, workload_build
from scotch_plugin.baremetal import images, serial_report
from scotch_plugin.errors import ScotchError
from scotch_plugin.gem5 import run as gem5_run

_STAT = re.compile(r"^(\S+)\s+([-\d.eE+]+|nan|inf)\s")


def read_stats(path: Path) -> dict[str, float]:
    """The first dump of a gem5 stats.txt, as name -> value."""
    return read_stats_dumps(path)[0]


def read_stats_dumps(path: Path) -> list[dict[str, float]]:
    """Every dump in a gem5 stats.txt, in order, as name -> value."""
    dumps: list[dict[str, float]] = []
    stats: dict[str, float] = {}
    for line in path.read_text().splitlines():
        if line.startswith("---------- End"):
            if stats:
                dumps.append(stats)
            stats = {}
            continue
        m = _STAT.match(line)
        if m:
            stats[m.group(1)] = float(m.group(2))
    if stats:
        dumps.append(stats)
    if not dumps:
        raise ScotchError(f"{path}: no statistics in it")
    return dumps


def smm_stats(stats: dict[str, float]) -> tuple[int, float]:
    """SMIs and the controller's mean cycles in SMM per SMI (cyclesPerSmi)
    in one dump; a one-context vector prints without ``::cpu0``."""
    smis = int(
        stats.get("board.smm.smis::cpu0", stats.get("board.smm.smis", 0))
    )
    for name in ("board.smm.cyclesPerSmi_cpu0::mean",
                 "board.smm.cyclesPerSmi::cpu0::mean",
                 "board.smm.cyclesPerSmi::mean"):  # fmt: skip
        if name in stats and smis:
            return smis, stats[name]
    total = stats.get(
        "board.smm.cyclesInSmm::cpu0", stats.get("board.smm.cyclesInSmm", 0.0)
    )
    return smis, total / smis if smis else float("nan")


@dataclass
class Roundtrip:
    cpu: str
    tsc_min: int
    tsc_avg: int
    timing_overhead: int
    smis: int
    stat_cycles_per_smi: float


def machine_args(clock: str, entry: int, exit_: int,
                 machine: list[str] | None = None) -> list[str]:  # fmt: skip
    """baremetal.py's options for the clock, the SMM latencies and any
    further machine options (``--l2 4MiB``...)."""
    return ["--clock", clock, "--smm-entry-latency", str(entry),
            "--smm-exit-latency", str(exit_), *(machine or [])]  # fmt: skip


def roundtrip_on_gem5(
    gem5_binary: Path,
    cpu: str,
    outdir: Path,
    clock: str = "3GHz",
    entry: int = 0,
    exit_: int = 0,
    machine: list[str] | None = None,
    build: bool = True,
    timeout: float = 1800.0,
) -> Roundtrip:
    """One run of smm_bench on ``cpu``, its output in ``outdir``."""
    run = images.run_on_gem5(
        "smm_bench", gem5_binary, cpu=cpu, outdir=outdir,
        extra=machine_args(clock, entry, exit_, machine), build=build,
        timeout=timeout,
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
    return Roundtrip(
        cpu, int(v["roundtrip_cycles_min"]),
        int(v["roundtrip_cycles_avg"]), int(v["timing_overhead"]),
        smis, total / smis if smis else float("nan"),
    )  # fmt: skip


def roundtrip(gem5_binary: Path, cpus: tuple[str, ...], clock: str,
              entry: int, exit_: int) -> list[Roundtrip]:  # fmt: skip
    return [
        roundtrip_on_gem5(
            gem5_binary, cpu,
            project.build_dir() / "bench" / f"roundtrip-{cpu}",
            clock, entry, exit_,
        )  # fmt: skip
        for cpu in cpus
    ]


#: The overhead benchmark's workload: the pi spigot (compute) entered
#: through gem5's own loader, so every binary runs the same image.
OVERHEAD_IMAGE = "compute_lm"


@dataclass
class Speed:
    """Host time per simulated instruction of one configuration, over
    repeated runs of the same workload: gem5's ``hostSeconds`` (wall
    time of the simulation loop) or, with ``measure="cpu"``, the gem5
    process's CPU time (user + system, start-up included), which other
    load on the host disturbs less."""

    label: str
    binary: Path
    cpu: str
    sim_insts: float
    host_seconds: list[float]
    cpu_seconds: list[float] = field(default_factory=list)
    measure: str = "wall"

    def as_cpu(self) -> Speed:
        """The same runs, measured in process CPU time."""
        return Speed(self.label, self.binary, self.cpu, self.sim_insts,
                     self.host_seconds, self.cpu_seconds, "cpu")  # fmt: skip

    @property
    def ns_per_inst(self) -> list[float]:
        secs = self.cpu_seconds if self.measure == "cpu" else self.host_seconds
        return [1e9 * s / self.sim_insts for s in secs]

    @property
    def mean(self) -> float:
        v = self.ns_per_inst
        return sum(v) / len(v)

    @property
    def stdev(self) -> float:
        """Sample standard deviation (0 for a single run)."""
        v, m = self.ns_per_inst, self.mean
        if len(v) < 2:
            return 0.0
        return (sum((x - m) ** 2 for x in v) / (len(v) - 1)) ** 0.5

    @property
    def best(self) -> float:
        return min(self.ns_per_inst)

    def versus(self, ref: Speed) -> tuple[float, float]:
        """Difference of the means from ``ref``'s, in percent of ``ref``,
        and its standard error (from both samples' spreads)."""
        diff = 100 * (self.mean / ref.mean - 1)
        se = (
            self.stdev**2 / len(self.ns_per_inst)
            + ref.stdev**2 / len(ref.ns_per_inst)
        ) ** 0.5
        return diff, 100 * se / ref.mean


def overhead_configs(
    gem5_binary: Path,
    baseline_binary: Path | None = None,
    baseline_label: str = "vanilla gem5",
) -> list[tuple[str, Path, list[str]]]:
    """(label, binary, baremetal.py options) of each configuration: the
    series with the SMM devices and an (unused) enclave page cache, with
    the SMM devices alone, with neither, and a gem5 built without the
    series. All boot the image with gem5's own loader (a baseline binary
    has no multiboot loader)."""
    linux64 = ["--loader", "linux64"]
    configs = [
        ("SMM devices, EPC", gem5_binary,
         [*linux64, "--epc-size", "64KiB", "--epc-base", "0x10000000"]),
        ("SMM devices", gem5_binary, linux64),
        ("no SMM devices", gem5_binary, [*linux64, "--no-smm"]),
    ]  # fmt: skip
    if baseline_binary is not None:
        configs.append((baseline_label, baseline_binary,
                        [*linux64, "--no-smm"]))  # fmt: skip
    return configs


def overhead(gem5_binary: Path, cpu: str, repeats: int,
             baseline_binary: Path | None = None,
             baseline_label: str = "vanilla gem5") -> list[Speed]:  # fmt: skip
    """Run each configuration ``repeats`` times, interleaved (a drift in
    the host's speed then hits every configuration alike). They must
    simulate the same number of instructions."""
    configs = overhead_configs(gem5_binary, baseline_binary, baseline_label)
    speeds = {label: Speed(label, binary, cpu, 0.0, [])
              for label, binary, _ in configs}  # fmt: skip
    image = workload_build.image(OVERHEAD_IMAGE, "gem5")
    for i in range(repeats):
        for label, binary, extra in configs:
            outdir = (
                project.build_dir()
                / "bench"
                / f"overhead-{cpu}-{label.replace(' ', '_')}-{i}"
            )
            # gem5 is the only child run between the two readings.
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            result = gem5_run.run_baremetal(binary, image, outdir, cpu=cpu,
                                            extra=extra)  # fmt: skip
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if serial_report.parse(result.serial).verdict != "PASS":
                raise ScotchError(
                    f"{OVERHEAD_IMAGE} failed ({label}):\n{result.serial}"
                )
            stats = read_stats(outdir / "stats.txt")
            speed = speeds[label]
            speed.cpu_seconds.append(
                (after.ru_utime + after.ru_stime)
                - (before.ru_utime + before.ru_stime)
            )
            if speed.sim_insts and speed.sim_insts != stats["simInsts"]:
                raise ScotchError(
                    f"{label}: run {i} simulated {stats['simInsts']:.0f} "
                    f"instructions, run 0 {speed.sim_insts:.0f}"
                )
            speed.sim_insts = stats["simInsts"]
            speed.host_seconds.append(stats["hostSeconds"])
    out = list(speeds.values())
    insts = {s.sim_insts for s in out}
    if len(insts) != 1:
        raise ScotchError(
            "the configurations simulated different instruction counts: "
            + ", ".join(f"{s.label} {s.sim_insts:.0f}" for s in out)
        )
    return out


#: The scotch_bench image's MAC key, a fixed test key
#: (workloads/scotch_bench/main.c), and the nonce it exports with.
HANDLER_KEY = bytes.fromhex(
    "943703dbc155b7015abbde37cfe34139a008a2bcd46d1df1c6b7108edd86a4fb"
)
HANDLER_NONCE = 0x5C07C4B0B3C4
#: The fake domains the image switches between, and its untimed rounds.
HANDLER_DOMAINS = (1, 2)
HANDLER_WARMUP = 2
#: The paper's figures (Leach, Zhang, Weimer, RAID 2017): the handler's
#: cycles per context switch (mean, standard deviation), and what a Xen
#: context switch costs without Scotch.
PAPER_HANDLER_CYCLES = (2248, 69)
PAPER_XEN_SWITCH_CYCLES = 20_000


@dataclass
class Cycles:
    """A distribution of TSC deltas."""

    values: list[int]

    @property
    def min(self) -> int:
        return min(self.values)

    @property
    def avg(self) -> float:
        return sum(self.values) / len(self.values)

    @property
    def median(self) -> float:
        v = sorted(self.values)
        mid = len(v) // 2
        return float(v[mid]) if len(v) % 2 else (v[mid - 1] + v[mid]) / 2


@dataclass
class HandlerRun:
    platform: str
    rounds: int
    scotch: Cycles
    empty: Cycles
    timing_overhead: int
    #: scotch-reader's verdict on the exported snapshot (its JSON).
    usage: dict
    #: gem5 only: (SMIs, cycles in SMM per SMI) in the timed phases.
    stats_scotch: tuple[int, float] | None = None
    stats_empty: tuple[int, float] | None = None

    @property
    def handler_cycles(self) -> float:
        """What the handler adds to an SMI: the medians' difference."""
        return self.scotch.median - self.empty.median


def _cycles(values: dict[str, str], key: str, image: str) -> Cycles:
    try:
        return Cycles([int(x) for x in values[key].split(",")])
    except (KeyError, ValueError):
        raise ScotchError(f"{image}: no {key}= list in its output") from None


def snapshot_line(serial: str) -> tuple[int, str]:
    """The nonce and hex of the image's ``SCOTCH-SNAPSHOT`` line."""
    m = re.search(r"^SCOTCH-SNAPSHOT (\S+) ([0-9a-f]+)$", serial, re.M)
    if not m:
        raise ScotchError("scotch_bench printed no SCOTCH-SNAPSHOT line")
    return int(m.group(1), 0), m.group(2)


def check_usage(usage: dict, switch_smis: int) -> list[str]:
    """What is wrong with a verified snapshot of scotch_bench's ledger:
    each fake domain charged, half the switches each, every SMI seen."""
    problems = []
    doms = {d["domid"]: d for d in usage["domains"]}
    if sorted(doms) != sorted(HANDLER_DOMAINS):
        problems.append(f"domains {sorted(doms)}, not {HANDLER_DOMAINS}")
    for domid in HANDLER_DOMAINS:
        d = doms.get(domid)
        if d is None:
            continue
        if d["switches"] != switch_smis // 2:
            problems.append(
                f"domain {domid}: {d['switches']} switches, not "
                f"{switch_smis // 2}"
            )
        if d["cycles"] <= 0:
            problems.append(f"domain {domid}: no cycles charged")
    if usage["smis"] != switch_smis + 2:  # HELLO and EXPORT too
        problems.append(f"{usage['smis']} SMIs, not {switch_smis + 2}")
    if usage["lookup_failures"]:
        problems.append(f"{usage['lookup_failures']} failed lookups")
    charged = sum(d["cycles"] for d in usage["domains"])
    if charged + usage["unknown_cycles"] != (
        usage["tsc_now"] - usage["tsc_start"]
    ):
        problems.append("charged cycles do not add up to the ledger's span")
    return problems


def verify_handler_run(
    run: images.ImageRun, build: bool = True
) -> tuple[int, dict]:
    """Rounds and scotch-reader's JSON for one run of scotch_bench; a
    ScotchError if the image failed or the ledger is not as it must be.
    With ``build`` false, scotch-reader must have been built already."""
    if not run.report.passed:
        raise ScotchError(
            f"scotch_bench failed on {run.platform} (checks failed: "
            f"{', '.join(run.report.failed) or 'none'}):\n"
            f"{run.serial[-3000:]}"
        )
    rounds = int(run.report.values["rounds"])
    nonce, hexdata = snapshot_line(run.serial)
    if nonce != HANDLER_NONCE:
        raise ScotchError(f"scotch_bench exported with nonce {nonce:#x}")
    if build:
        workload_build.scons(
            str(ledger.reader_binary().relative_to(project.root()))
        )
    usage = ledger.verify_snapshot(HANDLER_KEY, nonce, hexdata)
    problems = check_usage(usage, rounds + HANDLER_WARMUP)
    if problems:
        raise ScotchError(
            f"scotch_bench on {run.platform}: the ledger is wrong: "
            + "; ".join(problems)
        )
    return rounds, usage


def check_rounds(rounds: int | None) -> None:
    if rounds is not None and (rounds % 2 or not 2 <= rounds <= 512):
        raise ScotchError(
            f"--rounds {rounds}: an even number from 2 to 512 (the image "
            "switches between two domains)"
        )


def _handler_result(
    run: images.ImageRun, stats_path: Path | None, build: bool = True
) -> HandlerRun:
    n, usage = verify_handler_run(run, build)
    v = run.report.values
    result = HandlerRun(
        run.platform, n, _cycles(v, "scotch_rt", "scotch_bench"),
        _cycles(v, "empty_rt", "scotch_bench"),
        int(v.get("timing_overhead", 0)), usage,
    )  # fmt: skip
    if stats_path is not None:
        # Dump 1: the empty handler's timed phase; 2: Scotch's.
        dumps = read_stats_dumps(stats_path)
        if len(dumps) < 2:
            raise ScotchError(
                f"{stats_path}: {len(dumps)} dump(s), expected one per "
                "timed phase"
            )
        result.stats_empty = smm_stats(dumps[0])
        result.stats_scotch = smm_stats(dumps[1])
    return result


def handler_on_gem5(
    gem5_binary: Path,
    cpu: str,
    outdir: Path,
    clock: str = "3GHz",
    entry: int = 0,
    exit_: int = 0,
    rounds: int | None = None,
    machine: list[str] | None = None,
    build: bool = True,
    timeout: float = 1800.0,
) -> HandlerRun:
    """One run of scotch_bench on ``cpu``, its output in ``outdir``,
    checked as :func:`handler` checks it."""
    check_rounds(rounds)
    extra = machine_args(clock, entry, exit_, machine)
    if rounds is not None:
        extra += ["--cmdline", f"rounds={rounds}"]
    run = images.run_on_gem5(
        "scotch_bench", gem5_binary, cpu=cpu, outdir=outdir, extra=extra,
        build=build, timeout=timeout,
    )  # fmt: skip
    return _handler_result(run, outdir / "stats.txt", build)


def handler(gem5_binary: Path | None, cpus: tuple[str, ...] = ("o3",),
            clock: str = "3GHz", entry: int = 0, exit_: int = 0,
            rounds: int | None = None) -> list[HandlerRun]:  # fmt: skip
    """Run scotch_bench on each gem5 CPU model, or on QEMU without a
    binary, and check what the handler exported."""
    check_rounds(rounds)
    if gem5_binary is None:
        cmdline = f"rounds={rounds}" if rounds is not None else None
        qrun = images.run_on_qemu("scotch_bench", timeout=120,
                                     cmdline=cmdline)  # fmt: skip
        return [_handler_result(qrun, None)]
    return [
        handler_on_gem5(
            gem5_binary, cpu,
            project.build_dir() / "bench" / f"handler-{cpu}",
            clock, entry, exit_, rounds,
        )  # fmt: skip
        for cpu in cpus
    ]
