"""A sweep's results from its records: the tidy table and the plots.

``scotch report SWEEP_DIR`` calls :func:`report`: it reads
``SWEEP_DIR/sweep.json`` (the points, in order) and each point's record,
and writes ``results.csv`` and ``results.parquet`` (one row per point and
repeat) and one plot per axis (``plot-<axis>.png``): the kind's main
metric against the axis, one panel per CPU model, one line per value of
the other axes, the mean over repeats with their min-max as error bars.
Nothing is rerun; a point without a record is listed as ``missing``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scotch_plugin.errors import ScotchError
from scotch_plugin.sweep.records import read_record

MANIFEST = "sweep.json"
#: Columns that say how a row was made, not what it measured (they
#: differ between runs and executors; every other column does not for a
#: deterministic point).
PROVENANCE = ("host", "executor", "start", "end", "seconds")


def read_manifest(sweep_dir: Path) -> dict[str, Any]:
    path = sweep_dir / MANIFEST
    try:
        return dict(json.loads(path.read_text()))
    except FileNotFoundError:
        raise ScotchError(
            f"{sweep_dir}: not a sweep directory (no {MANIFEST}; "
            "'scotch run SWEEP.yaml' makes one)"
        ) from None
    except (OSError, ValueError) as exc:
        raise ScotchError(f"{path}: unreadable: {exc}") from None


def table(sweep_dir: Path, provenance: bool = False) -> Any:
    """One row per point and repeat, in the sweep's order: index,
    repeat, point id, every parameter, status, exit cause, every metric
    (empty for a point that failed: its status says so)."""
    import pandas as pd

    manifest = read_manifest(sweep_dir)
    rows: list[dict[str, Any]] = []
    for entry in manifest["points"]:
        record = read_record(sweep_dir / "points" / entry["point_id"])
        row: dict[str, Any] = {
            "index": entry["index"],
            "repeat": entry["repeat"],
            "point_id": entry["point_id"],
            **entry["params"],
        }
        if record is None:
            row |= {"status": "missing", "exit_cause": ""}
        else:
            row |= {"status": record.status, "exit_cause": record.exit_cause}
            row |= record.metrics
            if provenance:
                row |= {k: getattr(record, k) for k in PROVENANCE}
        rows.append(row)
    return pd.DataFrame(rows)


def write_tables(df: Any, sweep_dir: Path) -> list[Path]:
    csv = sweep_dir / "results.csv"
    parquet = sweep_dir / "results.parquet"
    df.to_csv(csv, index=False)
    df.to_parquet(parquet, index=False)
    return [csv, parquet]


def metric_columns(df: Any, manifest: dict[str, Any]) -> list[str]:
    fixed = {"index", "repeat", "point_id", "status", "exit_cause",
             *PROVENANCE, *manifest["param_names"]}  # fmt: skip
    return [c for c in df.columns if c not in fixed]


def format_table(df: Any, manifest: dict[str, Any], width: int = 4) -> str:
    """The axes, status and the first metrics, as text."""
    metrics = metric_columns(df, manifest)
    for name in reversed(manifest.get("plotted") or []):
        if name in metrics:
            metrics.remove(name)
            metrics.insert(0, name)
    cols = [*manifest["axes"], "repeat", "status", *metrics[:width]]
    shown = df[[c for c in cols if c in df.columns]]
    return str(shown.to_string(index=False, float_format=lambda v: f"{v:.1f}"))


def plot(df: Any, manifest: dict[str, Any], sweep_dir: Path) -> list[Path]:
    """One PNG per axis other than cpu: a row per plotted metric, a
    column per CPU model, a line per value of the other axes (mean over
    repeats, min-max as error bars). Points not done are left out, and
    counted in their panel's title."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    present = metric_columns(df, manifest)
    metrics = [m for m in manifest.get("plotted") or [] if m in present]
    metrics = metrics or present[:1]
    if not metrics or df.empty:
        return []
    done = df[df["status"] == "done"]
    axes = list(manifest["axes"])
    facet = "cpu" if "cpu" in axes else None
    panels = list(dict.fromkeys(df[facet])) if facet else [None]
    out = []
    for axis in [a for a in axes if a != facet]:
        others = [a for a in axes if a not in (axis, facet)]
        xs = list(dict.fromkeys(df[axis]))
        fig, grid = plt.subplots(
            len(metrics), len(panels),
            figsize=(3.4 * len(panels) + 0.8, 2.9 * len(metrics) + 0.9),
            sharey="row", squeeze=False,
        )  # fmt: skip
        for row, metric in enumerate(metrics):
            for col, panel in enumerate(panels):
                ax = grid[row][col]
                whole = df if facet is None else df[df[facet] == panel]
                sub = done if facet is None else done[done[facet] == panel]
                _lines(ax, sub, axis, xs, others, metric)
                ax.set_xticks(range(len(xs)), [str(x) for x in xs])
                ax.grid(alpha=0.3)
                if row == len(metrics) - 1:
                    ax.set_xlabel(axis)
                if col == 0:
                    ax.set_ylabel(metric)
                if row == 0:
                    lost = len(whole) - len(sub)
                    title = f"cpu={panel}" if panel is not None else ""
                    if lost:
                        title += f" ({lost} not done)"
                    ax.set_title(title, fontsize=9)
        handles, labels = grid[0][0].get_legend_handles_labels()
        for r in grid:
            for ax in r:
                h, lab = ax.get_legend_handles_labels()
                if len(lab) > len(labels):
                    handles, labels = h, lab
        fig.suptitle(
            f"{manifest['name']}: against {axis} (mean, min-max over "
            "repeats)",
            fontsize=10,
        )
        fig.tight_layout()
        if labels:
            fig.legend(handles, labels, loc="upper center", fontsize=8,
                       ncol=min(4, len(labels)), frameon=False,
                       bbox_to_anchor=(0.5, 0.0))  # fmt: skip
        path = sweep_dir / f"plot-{axis}.png"
        fig.savefig(path, dpi=110, bbox_inches="tight")
        plt.close(fig)
        out.append(path)
    return out


def _lines(ax: Any, sub: Any, axis: str, xs: list[Any],
           others: list[str], metric: str) -> None:  # fmt: skip
    if sub.empty or metric not in sub.columns:
        ax.text(0.5, 0.5, "no point done", ha="center", va="center",
                transform=ax.transAxes, color="grey")  # fmt: skip
        return
    groups = [((), sub)] if not others else sub.groupby(others, sort=False)
    for key, g in groups:
        stats = g.groupby(axis, sort=False)[metric].agg(["mean", "min", "max"])
        stats = stats.reindex([x for x in xs if x in stats.index])
        key = key if isinstance(key, tuple) else (key,)
        label = ", ".join(f"{a}={v}" for a, v in zip(others, key, strict=True))
        ax.errorbar(
            [xs.index(x) for x in stats.index],
            stats["mean"],
            yerr=[stats["mean"] - stats["min"], stats["max"] - stats["mean"]],
            marker="o",
            capsize=3,
            label=label or None,
        )


def report(sweep_dir: Path) -> tuple[Any, str, list[Path]]:
    """Write the tables and the plots from the records; return the
    table, its text and the files written."""
    manifest = read_manifest(sweep_dir)
    df = table(sweep_dir)
    files = write_tables(df, sweep_dir)
    files += plot(df, manifest, sweep_dir)
    text = format_table(df, manifest)
    if manifest["kind"] == "xen-cost":
        from scotch_plugin.sweep import cost_report

        more, extra = cost_report.report(df, sweep_dir)
        text += "\n\n" + more
        files += extra
    if manifest["kind"] == "xen-interference":
        from scotch_plugin.sweep import interference

        more, extra = interference.report(df, sweep_dir)
        text += "\n\n" + more
        files += extra
    return df, text, files
