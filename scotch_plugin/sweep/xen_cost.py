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
as RQ1 does. The report (:func:`report`) prints
the per-switch table and the RQ2 overhead table with the paper's
figures beside, and draws the distributions.
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Any

from scotch_plugin import project
from scotch_plugin.errors import ScotchError
from scotch_plugin.proc import elf_symbols
from scotch_plugin.sweep import identity
from scotch_plugin.sweep.records import PointSpec

#: What the paper measured on its machine (Leach et al., RAID 2017).
PAPER = {
    "handler_cycles": "2,248 +- 69",
    "xen_switch_cycles": "~20,000 (7.1 us)",
    "scotch_per_switch": "+14 %",
    "system_overhead": "0.0033 % (CPU-bound)",
}
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


# -- the report ----------------------------------------------------------

#: The per-switch table's columns: metric, heading.
SWITCH_COLUMNS = (
    ("switch_n", "switches"),
    ("switch_median", "switch median"),
    ("switch_p5", "p5"),
    ("switch_p95", "p95"),
    ("switch_xen_median", "Xen's part"),
    ("smm_per_switch_mean", "SMM/switch"),
    ("smis_per_switch", "SMIs/switch"),
    ("smi_gap_median", "trigger->next"),
    ("smm_cycles_per_smi", "SMI->RSM"),
    ("handler_cycles_per_smi", "handler"),
)


def _mean_by(df: Any, keys: list[str]) -> Any:
    numeric = df.select_dtypes("number").columns.difference(
        ["index", "repeat"]
    )
    return df.groupby(keys, sort=False)[list(numeric)].mean()


def switch_table(df: Any) -> str:
    """Per CPU model and trigger, the switch distribution (cycles, mean
    over repeats), and what Scotch adds against trigger none."""
    done = df[df["status"] == "done"]
    if done.empty:
        return "per-switch cost: no point done"
    means = _mean_by(done, ["cpu", "trigger"])
    lines = ["per-switch cost, cycles (median over the window's switches; "
             "mean over repeats)"]  # fmt: skip
    head = ["cpu", "trigger", *[h for _, h in SWITCH_COLUMNS], "Scotch adds"]
    rows = [head]
    for (cpu, trigger), r in means.iterrows():
        base = (cpu, "none")
        added = "-"
        if trigger != "none" and base in means.index:
            b = means.loc[base, "switch_median"]
            added = f"{100 * (r['switch_median'] / b - 1):+.1f} %"
        cells = [str(cpu), str(trigger)]
        for metric, _ in SWITCH_COLUMNS:
            v = r.get(metric, math.nan)
            cells.append("invalid" if not math.isfinite(v) else f"{v:,.0f}")
        rows.append([*cells, added])
    rows.append(["paper", "software", "-", PAPER["xen_switch_cycles"], "",
                 "", "", "", "", "", "", PAPER["handler_cycles"],
                 PAPER["scotch_per_switch"]])  # fmt: skip
    return "\n".join([lines[0], _grid(rows)])


def overhead_table(df: Any, names: list[str]) -> str:
    """RQ2: each domU's work rate (CPL-3 instructions per simulated
    second) with a trigger against trigger none on the same CPU model;
    the interval is 95 % over repeats (t), or none with one repeat."""
    import numpy as np
    from scipy import stats as st

    done = df[df["status"] == "done"]
    rows = [["cpu", "trigger", "domU", "work/s", "overhead", "95 % CI",
             "repeats", "switches", "SMIs"]]  # fmt: skip
    for (cpu, trigger), g in done.groupby(["cpu", "trigger"], sort=False):
        base = done[(done["cpu"] == cpu) & (done["trigger"] == "none")]
        for name in names:
            col = f"work_{name}"
            if col not in g:
                continue
            w = g[col].to_numpy(float)
            b = base[col].to_numpy(float) if col in base else np.array([])
            over, ci = "-", "-"
            if trigger != "none" and b.size and not b.mean() > 0:
                # A domain that did no work with Scotch off (a workload
                # that never ran in the window) has no overhead to give.
                over, ci = "invalid", "no work with trigger none"
            elif trigger != "none" and b.size:
                over = f"{100 * (1 - w.mean() / b.mean()):.4f} %"
                if w.size > 1 and b.size > 1:
                    se = math.sqrt(w.var(ddof=1) / w.size
                                   + b.var(ddof=1) / b.size)  # fmt: skip
                    dof = min(w.size, b.size) - 1
                    half = st.t.ppf(0.975, dof) * se / b.mean()
                    ci = f"+- {100 * half:.4f} %"
                else:
                    ci = "n/a (1 repeat)"
            rows.append([str(cpu), str(trigger), name, f"{w.mean():.4g}",
                         over, ci, str(w.size),
                         f"{g['switch_n'].mean():.0f}",
                         f"{g['smis'].mean():.0f}"])  # fmt: skip
    paper = PAPER["system_overhead"]
    rows.append(["paper", "software", "CPU-bound", "", paper, "", "", "",
                 ""])  # fmt: skip
    title = (
        "RQ2 system overhead: each domU's own instructions (CPL 3) per "
        "simulated second, against Scotch off (trigger none)"
    )
    return "\n".join([title, _grid(rows)])


def _grid(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True))
        for r in rows
    )


def distribution_plot(df: Any, sweep_dir: Path) -> Path | None:
    """Violins of the window's switch cycles, one per point (repeats
    pooled), and of the trigger-to-next-instruction gaps."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    done = df[df["status"] == "done"]
    groups: dict[str, tuple[list[float], list[float]]] = {}
    for _, r in done.iterrows():
        outdir = sweep_dir / "points" / str(r["point_id"]) / "gem5"
        label = f"{r['cpu']}\n{r['trigger']}"
        sw, gaps = groups.setdefault(label, ([], []))
        ends = window_dumps(outdir)
        sw += window_rows(outdir, "switch_cycles.csv", ends)["cycles"].tolist()
        if r["trigger"] != "none":
            gaps += window_rows(outdir, "smi_gaps.csv", ends)[
                "cycles"
            ].tolist()
    if not groups:
        return None
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(1.3 * len(groups) + 2, 7))
    labels = list(groups)
    a1.violinplot([groups[k][0] for k in labels], showmedians=True)
    a1.set_xticks(range(1, len(labels) + 1), labels, fontsize=8)
    a1.set_ylabel("cycles per Xen switch")
    a1.set_yscale("log")
    a1.grid(alpha=0.3)
    with_gaps = [k for k in labels if groups[k][1]]
    if with_gaps:
        a2.violinplot([groups[k][1] for k in with_gaps], showmedians=True)
        a2.set_xticks(range(1, len(with_gaps) + 1), with_gaps, fontsize=8)
    a2.set_ylabel("cycles, trigger to next instruction")
    a2.grid(alpha=0.3)
    fig.suptitle("Xen context switches and SMIs on gem5 (the window's)")
    fig.tight_layout()
    path = sweep_dir / "plot-switches.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def report(df: Any, sweep_dir: Path) -> tuple[str, list[Path]]:
    """The per-switch and RQ2 tables, and the distributions' plot."""
    restore = json.loads((sweep_dir / RESTORE).read_text())
    names = list(restore["domains"])
    text = "\n\n".join([switch_table(df), overhead_table(df, names)])
    (sweep_dir / "tables.txt").write_text(text + "\n")
    files = [sweep_dir / "tables.txt"]
    plot = distribution_plot(df, sweep_dir)
    if plot is not None:
        files.append(plot)
    return text, files
