"""Kind ``xen-interference``: RQ3, resource interference, on gem5.

The points are :mod:`.xen_cost`'s (the same restore of a cached Xen
boot, the same window metrics); what differs is the question and so the
report. The victim is the boot's second domU, the attacker its first;
each point names both workloads. A point whose attacker runs ``thrash``
(4 MiB line sweep: it evicts the L2 at every slice) is compared with the
same victim beside a CPU-bound neighbour that fits its L1 (``pi``, the
baseline), so both points share the CPU alike and differ in the cache.

Two views of the victim:

* **gem5's** (the detailed window): its IPC (CPL-3 instructions per
  cycle it ran), its L2 miss rate and misses per thousand instructions
  (the observer counts the L2's demand lookups per domain), and its
  work per simulated second.
* **the tenant's** (through Scotch's verified ledger, between dom0's two
  exports): the CPU seconds the ledger charged it, and its own progress
  (CPL-3 instructions) per accounted CPU second, with a 95 % t interval
  over repeats. Interference shows as the same or more CPU time charged
  for less work.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from scotch_plugin.errors import ScotchError
from scotch_plugin.sweep.cost_report import grid
from scotch_plugin.sweep.xen_cost import RESTORE

#: The attacker's workload that does not interfere through the cache.
BASELINE = "pi"

#: (metric prefix, heading, format) of the victim's columns.
COLUMNS = (
    ("ipc", "IPC", "{:.3f}"),
    ("l2_miss_rate", "L2 miss rate", "{:.3f}"),
    ("l2_mpki", "L2 MPKI", "{:.2f}"),
    ("work", "work/sim-s", "{:.4g}"),
    ("ledger_seconds", "ledger CPU s", "{:.4f}"),
    ("tenant_work_per_cpu_s", "work/ledger-s", "{:.4g}"),
)


def roles(sweep_dir: Path) -> tuple[str, str]:
    """The boot's (attacker, victim) domU names."""
    restore = json.loads((sweep_dir / RESTORE).read_text())
    names = list(restore["domains"])
    if len(names) != 2:
        raise ScotchError(
            f"{sweep_dir / RESTORE}: {len(names)} domUs; RQ3 needs two "
            "(the attacker, then the victim)"
        )
    return names[0], names[1]


def _interval(values: Any) -> tuple[float, float]:
    """Mean and 95 % t half-width (nan with one repeat)."""
    import numpy as np
    from scipy import stats as st

    a = np.asarray(values, dtype=float)
    if a.size < 2:
        return float(a.mean()), math.nan
    half = st.t.ppf(0.975, a.size - 1) * a.std(ddof=1) / math.sqrt(a.size)
    return float(a.mean()), float(half)


def table(df: Any, attacker: str, victim: str) -> str:
    """Per CPU model, trigger and victim workload: the victim's columns
    beside each attacker workload, and the change against BASELINE."""
    done = df[df["status"] == "done"].copy()
    if done.empty:
        return "RQ3 interference: no point done"
    split = done["workloads"].astype(str).str.split(",", expand=True)
    done["attacker_runs"], done["victim_runs"] = split[0], split[1]
    head = ["cpu", "trigger", "victim runs", "attacker runs",
            *[h for _, h, _ in COLUMNS], "+- 95 %", "repeats",
            "work/ledger-s vs " + BASELINE]  # fmt: skip
    rows = [head]
    keys = ["cpu", "trigger", "victim_runs"]
    for key, g in done.groupby(keys, sort=False):
        base = g[g["attacker_runs"] == BASELINE]
        for attacker_runs, a in g.groupby("attacker_runs", sort=False):
            cells = [*map(str, key), str(attacker_runs)]
            for metric, _, fmt in COLUMNS:
                col = f"{metric}_{victim}"
                v = a[col].mean() if col in a else math.nan
                cells.append(fmt.format(v) if math.isfinite(v) else "invalid")
            col = f"tenant_work_per_cpu_s_{victim}"
            mean, half = _interval(a[col]) if col in a else (math.nan,) * 2
            cells.append(
                f"{100 * half / mean:.2f} %" if math.isfinite(half)
                else "n/a (1 repeat)"
            )  # fmt: skip
            cells.append(str(len(a)))
            change = "-"
            if attacker_runs != BASELINE and col in base and len(base):
                b = base[col].mean()
                change = f"{100 * (mean / b - 1):+.2f} %"
            rows.append([*cells, change])
    title = (
        f"RQ3 resource interference: the victim ({victim}) beside the "
        f"attacker ({attacker}); gem5's view in the detailed window, the "
        "tenant's through the verified ledger between the exports"
    )
    return "\n".join([title, grid(rows)])


def plot(df: Any, sweep_dir: Path, victim: str) -> Path | None:
    """Bars of the victim's IPC, L2 miss rate and work per accounted
    CPU second per attacker workload, with 95 % error bars."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    done = df[df["status"] == "done"]
    if done.empty:
        return None
    metrics = [("ipc", "IPC"), ("l2_miss_rate", "L2 miss rate"),
               ("tenant_work_per_cpu_s", "work per ledger CPU-s")]  # fmt: skip
    fig, axes = plt.subplots(1, len(metrics), figsize=(12, 4))
    labels = [str(w) for w in done["workloads"].unique()]
    for ax, (metric, title) in zip(axes, metrics, strict=True):
        col = f"{metric}_{victim}"
        means, halves = [], []
        for w in labels:
            values = done[done["workloads"] == w].get(col)
            m, h = _interval(values) if values is not None else (math.nan,) * 2
            means.append(m)
            halves.append(0.0 if not math.isfinite(h) else h)
        ax.bar(range(len(labels)), means, yerr=halves, capsize=4)
        ax.set_xticks(range(len(labels)), labels, fontsize=8)
        ax.set_title(title)
        ax.grid(alpha=0.3, axis="y")
    fig.suptitle(f"RQ3: the victim ({victim}) on gem5")
    fig.tight_layout()
    path = sweep_dir / "plot-interference.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def report(df: Any, sweep_dir: Path) -> tuple[str, list[Path]]:
    """The RQ3 table and its plot."""
    attacker, victim = roles(sweep_dir)
    text = table(df, attacker, victim)
    (sweep_dir / "tables.txt").write_text(text + "\n")
    files = [sweep_dir / "tables.txt"]
    path = plot(df, sweep_dir, victim)
    if path is not None:
        files.append(path)
    return text, files
