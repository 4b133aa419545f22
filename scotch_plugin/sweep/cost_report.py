"""The report of kind ``xen-cost`` (:mod:`.xen_cost`): the per-switch
table, RQ2's overhead table and the distributions' plot, from the
points' records and the switch and SMI files each point left.

Apart from :mod:`.xen_cost` so that redrawing the report (``scotch
report``) or changing it re-runs no point: a point's identity covers
the code that runs it, not this.

The per-switch table pools each configuration's switches over its
repeats (the issue asks for at least 1,000 real switches per
configuration): median, p5 and p95 of the pooled cycles and their
count. Its other columns, and RQ2's table, are means over repeats.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from scotch_plugin.sweep.xen_cost import RESTORE, window_dumps, window_rows

#: What the paper measured on its machine (Leach et al., RAID 2017).
PAPER = {
    "handler_cycles": "2,248 +- 69",
    "xen_switch_cycles": "~20,000 (7.1 us)",
    "scotch_per_switch": "+14 %",
    "system_overhead": "0.0033 % (CPU-bound)",
}
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
#: The handler table's columns (per SMI): metric, heading.
HANDLER_COLUMNS = (
    ("smm_cycles_per_smi", "SMI->RSM"),
    ("smm_latency_cycles", "entry+exit"),
    ("handler_cycles_per_smi", "handler"),
    ("smm_insts_per_smi", "insts"),
    ("handler_ipc", "IPC"),
    ("smm_l1i_misses_per_smi", "L1I misses"),
    ("smm_l1d_misses_per_smi", "L1D misses"),
    ("smm_l2_accesses_per_smi", "L2 lookups"),
    ("smm_l2_misses_per_smi", "L2 misses"),
)
#: A configuration: (CPU model, trigger).
Config = tuple[str, str]


def _mean_by(df: Any, keys: list[str]) -> Any:
    numeric = df.select_dtypes("number").columns.difference(
        ["index", "repeat"]
    )
    return df.groupby(keys, sort=False)[list(numeric)].mean()


def pooled_switches(df: Any, sweep_dir: Path) -> dict[Config, list[float]]:
    """Each configuration's window switches (cycles), over its repeats."""
    pooled: dict[Config, list[float]] = {}
    for _, r in df[df["status"] == "done"].iterrows():
        outdir = sweep_dir / "points" / str(r["point_id"]) / "gem5"
        rows = window_rows(outdir, "switch_cycles.csv", window_dumps(outdir))
        key = (str(r["cpu"]), str(r["trigger"]))
        pooled.setdefault(key, []).extend(rows["cycles"].tolist())
    return pooled


def switch_table(
    df: Any, pooled: dict[Config, list[float]] | None = None
) -> str:
    """Per CPU model and trigger, the switch distribution (cycles) and
    what Scotch adds against trigger none. With ``pooled`` (each
    configuration's switches over its repeats) the count, median, p5 and
    p95 are the pooled ones; else means of each repeat's."""
    import numpy as np

    done = df[df["status"] == "done"]
    if done.empty:
        return "per-switch cost: no point done"
    means = _mean_by(done, ["cpu", "trigger"])
    medians: dict[Config, float] = {}
    for key, r in means.iterrows():
        medians[key] = r["switch_median"]
        values = np.asarray((pooled or {}).get(key, []), dtype=float)
        if values.size:
            means.loc[key, "switch_n"] = values.size
            means.loc[key, "switch_median"] = np.median(values)
            means.loc[key, "switch_p5"] = np.percentile(values, 5)
            means.loc[key, "switch_p95"] = np.percentile(values, 95)
            medians[key] = float(np.median(values))
    how = "pooled over repeats" if pooled else "mean over repeats"
    lines = [f"per-switch cost, cycles (switches, median, p5, p95: {how}; "
             "the rest: mean over repeats)"]  # fmt: skip
    head = ["cpu", "trigger", *[h for _, h in SWITCH_COLUMNS], "Scotch adds"]
    rows = [head]
    for (cpu, trigger), r in means.iterrows():
        base = (cpu, "none")
        added = "-"
        if trigger != "none" and base in medians:
            b = medians[base]
            added = f"{100 * (medians[(cpu, trigger)] / b - 1):+.1f} %"
        cells = [str(cpu), str(trigger)]
        for metric, _ in SWITCH_COLUMNS:
            v = r.get(metric, math.nan)
            cells.append("invalid" if not math.isfinite(v) else f"{v:,.0f}")
        rows.append([*cells, added])
    rows.append(["paper", "software", "-", PAPER["xen_switch_cycles"], "",
                 "", "", "", "", "", "", PAPER["handler_cycles"],
                 PAPER["scotch_per_switch"]])  # fmt: skip
    return "\n".join([lines[0], grid(rows)])


def handler_table(df: Any) -> str | None:
    """Per CPU model and trigger with SMIs, where the handler's cycles
    go (means over repeats, per SMI): the instructions it retired, its
    IPC and its lookups and misses in each cache. None when no point
    has the observer's SMM counts (a binary from before them)."""
    done = df[(df["status"] == "done") & (df["trigger"] != "none")]
    if done.empty or "smm_insts_per_smi" not in done:
        return None
    done = done.assign(handler_ipc=done["smm_insts_per_smi"]
                       / done["handler_cycles_per_smi"])  # fmt: skip
    means = _mean_by(done, ["cpu", "trigger"])
    rows = [["cpu", "trigger", *[h for _, h in HANDLER_COLUMNS]]]
    for (cpu, trigger), r in means.iterrows():
        cells = [str(cpu), str(trigger)]
        for metric, _ in HANDLER_COLUMNS:
            v = r.get(metric, math.nan)
            fmt = "{:.2f}" if metric == "handler_ipc" else "{:,.1f}"
            cells.append(fmt.format(v) if math.isfinite(v) else "invalid")
        rows.append(cells)
    rows.append(["paper", "software", "", "", PAPER["handler_cycles"], "",
                 "", "", "", "", ""])  # fmt: skip
    title = (
        "the handler per SMI: where its cycles go (means over repeats; "
        "its instructions, lookups and misses are the ones a CPU in SMM "
        "made)"
    )
    return "\n".join([title, grid(rows)])


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
    return "\n".join([title, grid(rows)])


def grid(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True))
        for r in rows
    )


def distribution_plot(
    df: Any, sweep_dir: Path, pooled: dict[Config, list[float]]
) -> Path | None:
    """Violins of each configuration's switch cycles (repeats pooled),
    and of the trigger-to-next-instruction gaps."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    gaps: dict[Config, list[float]] = {}
    for _, r in df[df["status"] == "done"].iterrows():
        if r["trigger"] == "none":
            continue
        outdir = sweep_dir / "points" / str(r["point_id"]) / "gem5"
        start, end = window_dumps(outdir)
        rows = window_rows(outdir, "smi_gaps.csv", (start, end))
        # A gap longer than the window did not start in it: the first
        # SMI on the core switched in for the window has no earlier
        # instruction there, and X86SwitchTimer then counts from cycle
        # 0 (a known defect; its median is unaffected).
        span = end["finalTick"] - start["finalTick"]
        rows = rows[rows["cycles"] * end["board.clk_domain.clock"] <= span]
        key = (str(r["cpu"]), str(r["trigger"]))
        gaps.setdefault(key, []).extend(rows["cycles"].tolist())
    configs = [k for k in pooled if pooled[k]]
    if not configs:
        return None
    label = {k: f"{k[0]}\n{k[1]}" for k in (*configs, *gaps)}
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(1.3 * len(configs) + 2, 7))
    a1.violinplot([pooled[k] for k in configs], showmedians=True)
    a1.set_xticks(range(1, len(configs) + 1), [label[k] for k in configs],
                  fontsize=8)  # fmt: skip
    a1.set_ylabel("cycles per Xen switch")
    a1.set_yscale("log")
    a1.grid(alpha=0.3)
    with_gaps = [k for k in gaps if gaps[k]]
    if with_gaps:
        a2.violinplot([gaps[k] for k in with_gaps], showmedians=True)
        a2.set_xticks(range(1, len(with_gaps) + 1),
                      [label[k] for k in with_gaps], fontsize=8)  # fmt: skip
    a2.set_ylabel("cycles, trigger to next instruction")
    a2.grid(alpha=0.3)
    fig.suptitle("Xen context switches and SMIs on gem5 (the window's)")
    fig.tight_layout()
    path = sweep_dir / "plot-switches.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def labelled(df: Any) -> Any:
    """``df`` with each random-interval point's trigger named with its
    mean ("random 50us"): the tables and the plot keep one configuration
    per CPU model and trigger, and two means are two configurations."""
    if "random_mean_us" not in df:
        return df
    random = df["trigger"] == "random"
    out = df.copy()
    out.loc[random, "trigger"] = [
        f"random {m:g}us" for m in df.loc[random, "random_mean_us"]
    ]
    return out


def report(df: Any, sweep_dir: Path) -> tuple[str, list[Path]]:
    """The per-switch, handler and RQ2 tables, and the distributions'
    plot."""
    df = labelled(df)
    restore = json.loads((sweep_dir / RESTORE).read_text())
    names = list(restore["domains"])
    pooled = pooled_switches(df, sweep_dir)
    tables = [switch_table(df, pooled), handler_table(df),
              overhead_table(df, names)]  # fmt: skip
    text = "\n\n".join(t for t in tables if t is not None)
    (sweep_dir / "tables.txt").write_text(text + "\n")
    files = [sweep_dir / "tables.txt"]
    plot = distribution_plot(df, sweep_dir, pooled)
    if plot is not None:
        files.append(plot)
    return text, files
