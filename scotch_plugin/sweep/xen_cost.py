"""Kind ``xen-cost``: what Scotch costs on a full Xen host in gem5.

Every point restores the cached gem5 boot of an experiment file (the
sweep's ``boot``, e.g. ``experiments/rq1-gem5.yaml``: Scotch's Xen, dom0
and two domUs waiting; booted once, on the Atomic CPU) on one CPU model
with one SMI trigger, starts the domUs' workloads and measures a
window. Nothing in Xen is changed for it: the simulator measures.

* **Per switch** (``X86SwitchTimer``): the cycles of every Xen context
  switch, from ``context_switch()``'s entry to the first instruction
  outside Xen's text (addresses from ``xen-syms``), with the SMM time
  of the SMIs inside it; and per SMI, the cycles from the last
  instruction before it (the OUT, the CR3 load) to the first after RSM.
* **SMM** (the SMM controller): cycles from SMI to the end of RSM,
  minus the configured entry and exit latencies, is the handler's.
* **Work** (``X86DomainObserver``): each domain's cycles and the
  instructions it retired at CPL 3 (its own, not Xen's or SMM's); per
  simulated second, the work rate RQ2 compares with Scotch off.
* **Accounting**: with a trigger that charges switches, the verified
  ledger's growth against the observer's cycles between dom0's two
  exports, which bracket the window (``exports_at_window``: the start
  export once the workloads have started, the end export after it).

Only the window counts. A point on a model other than Atomic is
fast-forwarded (``fast_forward``, the default): restored on Atomic, it
switches to its model at dom0's ``m5 work-begin`` and back at its
``work-end``, and the window is the stretch between the two switches
(gem5 dumps the statistics at each); else the window runs from dom0's
start export to its end export (its two ``m5 dumpstats``). The
accounting compares the ledger and the observer between the exports,
as RQ1 does. The report (:mod:`.cost_report`, apart so that redrawing
it re-runs no point) prints the per-switch table and the RQ2 overhead
table with the paper's figures beside, and draws the distributions.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scotch_plugin import project
from scotch_plugin.errors import ScotchError
from scotch_plugin.proc import elf_symbols
from scotch_plugin.sweep import identity
from scotch_plugin.sweep.records import PointSpec

#: The file a prepared sweep leaves for its workers: the boot to restore.
RESTORE = "restore.json"
#: Xen's symbols the switch timer needs.
SWITCH_SYMBOLS = ("context_switch", "_stext", "_etext")


@dataclasses.dataclass(frozen=True)
class Prepared:
    restore_file: Path
    identity: dict[str, Any]


def prepare(
    boot_file: Path, gem5_binary: Path, output: Path, say: Any = print
) -> Prepared:
    """Boot (or reuse the cached boot of) ``boot_file``'s experiment and
    leave what the workers need in ``output``/restore.json."""
    from scotch_plugin.experiments.load import load_experiment
    from scotch_plugin.platforms import scotch_gem5
    from scotch_plugin.platforms.scotch_run import run_spec

    env = {"SCOTCH_GEM5_BINARY": str(gem5_binary)}
    exp = load_experiment(boot_file, env=env, check_files=False)
    assert exp.gem5 is not None
    spec = run_spec(exp, exp.attack.severities[0])
    boot = scotch_gem5.prepare(gem5_binary, spec, exp.gem5.frequency)
    if exp.gem5.checkpoint is not None:
        booted = scotch_gem5.named(boot, exp.gem5.checkpoint)
        say(f"scotch run: restoring {booted.directory} (gem5.checkpoint)")
    else:
        booted = scotch_gem5.boot(boot)
    syms = elf_symbols(boot.xen.xen_syms, SWITCH_SYMBOLS)
    data = {
        "boot": dataclasses.asdict(scotch_gem5.SavedBoot.of(boot)),
        "frequency": exp.gem5.frequency,
        "domains": [d.name for d in spec.domains],
        "memory_mb": spec.memory_mb,
        "time_switches": [syms[n] for n in SWITCH_SYMBOLS],
    }
    output.mkdir(parents=True, exist_ok=True)
    path = output / RESTORE
    path.write_text(json.dumps(data, indent=1, default=str) + "\n")
    return Prepared(
        path,
        {
            # The boot's key covers gem5, the board and the images.
            "boot": boot.key,
            "checkpoint": str(booted.checkpoint.name),
            "time_switches": data["time_switches"],
            "configs": identity.configs_digest(),
            "runner": runner_digest(),
        },
    )


def runner_digest() -> str:
    """The Python that runs a point and turns it into metrics."""
    root = project.root()
    pkg = root / "scotch_plugin"
    files = [
        pkg / "sweep" / "xen_cost.py", pkg / "sweep" / "kinds.py",
        pkg / "platforms" / "scotch_gem5.py",
        pkg / "platforms" / "scotch_run.py",
        pkg / "xen" / "dom0_report.py", pkg / "baremetal" / "bench.py",
    ]  # fmt: skip
    return identity.files_digest(root, files)


# -- one point -----------------------------------------------------------


def run(
    spec: PointSpec, point_dir: Path
) -> tuple[list[str], dict[str, float]]:
    """Restore the boot with the point's choices; the gem5 command and
    the window's metrics."""
    from scotch_plugin.platforms import scotch_gem5
    from scotch_plugin.platforms.scotch_run import DomainSpec, RunSpec

    restore = json.loads(Path(spec.images["restore"]).read_text())
    b = restore["boot"]
    saved = scotch_gem5.SavedBoot(
        Path(b["binary"]), tuple(b["args"]), Path(b["directory"])
    )
    booted = scotch_gem5.load(saved.directory)
    p = spec.params
    names = list(restore["domains"])
    workloads = str(p["workloads"]).split(",")
    window = float(p["window"])
    run_spec = RunSpec(
        domains=tuple(
            DomainSpec(n, w) for n, w in zip(names, workloads, strict=True)
        ),
        seconds=max(1, math.ceil(window)),
        window=window,
        memory_mb=int(restore["memory_mb"]),
        # Severity 0: the attack's parameters set, and no attack.
        attacker_domid=1,
        severity=0,
        software_smi=p["trigger"] in ("software", "random"),
        staged=True,
        dom0_weight=scotch_gem5.DOM0_WEIGHT,
        ratelimit_us=int(p["ratelimit_us"]),
        # The ledger's interval is the window's: the tenant's view of
        # the work it measured (the exports' SMIs stay outside it).
        exports_at_window=True,
    )
    # Fast-forward: Atomic up to the window, the model in it.
    detailed = p["cpu"] != "atomic" and bool(p["fast_forward"])
    choice = scotch_gem5.RestoreChoice(
        cpu="atomic" if detailed else str(p["cpu"]),
        switch_cpu=str(p["cpu"]) if detailed else None,
        trigger=str(p["trigger"]),
        random_mean_us=float(p["random_mean_us"]),
        time_switches=tuple(restore["time_switches"]),  # type: ignore[arg-type]
    )
    outdir = point_dir / "gem5"
    sim = scotch_gem5.simulate(
        saved, booted, run_spec, choice, outdir, timeout=spec.timeout_s
    )
    from scotch_plugin.platforms.scotch_gem5 import run_dumps

    dumps = run_dumps(outdir)
    metrics = window_metrics(
        outdir, names, (dumps.window_start, dumps.window_end)
    )
    if p["trigger"] != "none":
        metrics |= accounting(sim, run_spec, names, dumps)
    return sim.command, metrics


def _quantiles(values: list[float], prefix: str) -> dict[str, float]:
    import numpy as np

    if not values:
        raise ScotchError(f"no {prefix} samples in the window")
    a = np.asarray(values, dtype=float)
    return {
        f"{prefix}_n": float(a.size),
        f"{prefix}_median": float(np.median(a)),
        f"{prefix}_p5": float(np.percentile(a, 5)),
        f"{prefix}_p95": float(np.percentile(a, 95)),
        f"{prefix}_mean": float(a.mean()),
    }


def window_dumps(outdir: Path) -> tuple[dict[str, float], dict[str, float]]:
    """The statistics at the window's two ends: the switches in and out
    of the measured CPU model (fast-forwarded), else dom0's exports."""
    from scotch_plugin.platforms.scotch_gem5 import run_dumps

    d = run_dumps(outdir)
    return d.window_start, d.window_end


def window_rows(
    outdir: Path,
    csv: str,
    dumps: tuple[dict[str, float], dict[str, float]] | None = None,
) -> Any:
    """The rows of one of the switch timer's files that end in the
    window (``dumps``: its two ends, if read already)."""
    import pandas as pd

    start, end = dumps or window_dumps(outdir)
    rows = pd.read_csv(outdir / csv)
    t0, t1 = start["finalTick"], end["finalTick"]
    return rows[(rows["tick"] > t0) & (rows["tick"] <= t1)]


def window_metrics(
    outdir: Path,
    names: list[str],
    dumps: tuple[dict[str, float], dict[str, float]] | None = None,
) -> dict[str, float]:
    """The window's switches, SMIs and work, from gem5's output
    (``dumps``: the window's two ends, if read already)."""
    stats_file = outdir / "stats.txt"
    start, end = ends = dumps or window_dumps(outdir)
    t0, t1 = start["finalTick"], end["finalTick"]
    period = end.get("board.clk_domain.clock")
    if not period:
        raise ScotchError(f"{stats_file}: no board.clk_domain.clock")

    def grew(name: str) -> float:
        if name not in end:
            raise ScotchError(f"{stats_file}: no {name}")
        return end[name] - start.get(name, 0.0)

    window_cycles = (t1 - t0) / period
    seconds = (t1 - t0) / 1e12
    m: dict[str, float] = {"window_cycles": window_cycles}

    switches = window_rows(outdir, "switch_cycles.csv", ends)
    m |= _quantiles(switches["cycles"].tolist(), "switch")
    own = (switches["cycles"] - switches["smm_cycles"]).tolist()
    m |= _quantiles(own, "switch_xen")
    m["smm_per_switch_mean"] = float(switches["smm_cycles"].mean())
    m["smis_per_switch"] = float(switches["smis"].mean())

    smis = grew("board.smm.smis")
    m["smis"] = smis
    if smis:
        gaps = window_rows(outdir, "smi_gaps.csv", ends)
        m |= _quantiles(gaps["cycles"].tolist(), "smi_gap")
        per_smi = grew("board.smm.cyclesInSmm") / smis
        entry, exit_ = smm_latencies(outdir)
        m["smm_cycles_per_smi"] = per_smi
        m["smm_latency_cycles"] = float(entry + exit_)
        m["handler_cycles_per_smi"] = per_smi - entry - exit_
        m |= handler_breakdown(end, grew, smis)

    # The shared L2's (all domains', the hypervisor's and SMM's).
    l2 = "board.cache_hierarchy.l2-cache-0."
    m["l2_accesses"] = grew(l2 + "overallAccesses::total")
    m["l2_misses"] = grew(l2 + "overallMisses::total")
    if m["l2_accesses"]:
        m["l2_miss_rate"] = m["l2_misses"] / m["l2_accesses"]

    for name in [*names, "dom0", "other"]:
        cycles = grew(f"board.observer.ticks::{name}") / period
        guest = grew(f"board.observer.guestInsts::{name}")
        m[f"cycles_{name}"] = cycles
        m[f"insts_{name}"] = grew(f"board.observer.insts::{name}")
        m[f"guest_insts_{name}"] = guest
        # Work per simulated second of the window (RQ2's rate).
        m[f"work_{name}"] = guest / seconds
        if cycles:
            m[f"ipc_{name}"] = guest / cycles
        # The L2's demand lookups by a CPU running the domain (RQ3).
        lookups = f"board.observer.cacheAccesses::{name}"
        if lookups in end:
            accesses = grew(lookups)
            misses = grew(f"board.observer.cacheMisses::{name}")
            m[f"l2_accesses_{name}"] = accesses
            m[f"l2_misses_{name}"] = misses
            if accesses:
                m[f"l2_miss_rate_{name}"] = misses / accesses
            if guest:
                m[f"l2_mpki_{name}"] = 1000 * misses / guest
    return m


#: The observer's SMM cache counts (``smm_caches``), by the name each
#: cache has in ``WalkerCachedL1L2Hierarchy``, to the metric's infix.
SMM_CACHES = {"l1i-cache-0": "l1i", "l1d-cache-0": "l1d", "l2-cache-0": "l2"}


def handler_breakdown(
    end: dict[str, float], grew: Callable[[str], float], smis: float
) -> dict[str, float]:
    """Where the handler's cycles go, per SMI: the instructions the
    core retired in SMM, and its lookups and misses in each cache (the
    observer's SMM counts; none from a binary without them)."""
    m: dict[str, float] = {}
    if "board.observer.smmInsts" not in end:
        return m
    m["smm_insts_per_smi"] = grew("board.observer.smmInsts") / smis
    for cache, short in SMM_CACHES.items():
        name = f"board.observer.smmCacheAccesses::{cache}"
        if name in end:
            m[f"smm_{short}_accesses_per_smi"] = grew(name) / smis
            misses = grew(f"board.observer.smmCacheMisses::{cache}")
            m[f"smm_{short}_misses_per_smi"] = misses / smis
    return m


def smm_latencies(outdir: Path) -> tuple[int, int]:
    """The SMM controller's entry and exit latency (cycles), as run."""
    config = json.loads((outdir / "config.json").read_text())
    smm = config.get("board", {}).get("smm")
    if not isinstance(smm, dict):
        raise ScotchError(f"{outdir}/config.json: no board.smm")
    return int(smm["entry_latency"]), int(smm["exit_latency"])


def accounting(
    sim: Any, spec: Any, names: list[str], dumps: Any
) -> dict[str, float]:
    """The verified ledger's growth per domU between dom0's two exports,
    against the observer (the run is invalid if they cannot be
    compared); and the tenant's own evidence over the same stretch: the
    domain's CPL-3 instructions (its progress) per second the ledger
    charged it (``dumps``: the run's, :func:`run_dumps`)."""
    from scotch_plugin.platforms.scotch_gem5 import read_views

    run = read_views(sim, spec)
    # Ticks per cycle, as the observer's cycles were counted.
    period = dumps.end["board.clk_domain.clock"]
    m: dict[str, float] = {}
    for name, d in run.domains.items():
        m[f"ledger_{name}"] = float(d.scotch_cycles)
        m[f"ledger_error_{name}"] = (
            d.scotch_cycles - d.truth_cycles
        ) / d.truth_cycles
        stat = f"board.observer.guestInsts::{name}"
        work = dumps.end[stat] - dumps.start.get(stat, 0.0)
        seconds = d.scotch_cycles * period / 1e12
        m[f"ledger_seconds_{name}"] = seconds
        m[f"export_work_{name}"] = work
        m[f"tenant_work_per_cpu_s_{name}"] = work / seconds
    return m
