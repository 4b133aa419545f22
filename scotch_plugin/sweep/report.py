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
    primary = manifest.get("primary")
    if primary in metrics:
        metrics.remove(primary)
        metrics.insert(0, primary)
    cols = [*manifest["axes"], "repeat", "status", *metrics[:width]]
    shown = df[[c for c in cols if c in df.columns]]
    return str(shown.to_string(index=False, float_format=lambda v: f"{v:.1f}"))


def plot(df: Any, manifest: dict[str, Any], sweep_dir: Path) -> list[Path]:
    """One PNG per axis other than cpu: the main metric against it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metric = manifest.get("primary")
    if metric is None:
        metrics = metric_columns(df, manifest)
        metric = metrics[0] if metrics else None
    done = df[df["status"] == "done"]
    if metric is None or metric not in done.columns or done.empty:
        return []
    axes = list(manifest["axes"])
    facet = "cpu" if "cpu" in axes else None
    panels = list(dict.fromkeys(done[facet])) if facet else [None]
    out = []
    for axis in [a for a in axes if a != facet]:
        others = [a for a in axes if a not in (axis, facet)]
        xs = list(dict.fromkeys(df[axis]))
        fig, subplots = plt.subplots(
            1, len(panels), figsize=(3.6 * len(panels) + 1, 3.6),
            sharey=True, squeeze=False,
        )  # fmt: skip
        for ax, panel in zip(subplots[0], panels, strict=True):
            sub = done if facet is None else done[done[facet] == panel]
            groups = (
                [((), sub)]
                if not others
                else list(sub.groupby(others, sort=False))
            )
            for key, g in groups:
                stats = g.groupby(axis, sort=False)[metric].agg(
                    ["mean", "min", "max"]
                )
                stats = stats.reindex([x for x in xs if x in stats.index])
                pos = [xs.index(x) for x in stats.index]
                key = key if isinstance(key, tuple) else (key,)
                label = ", ".join(
                    f"{a}={v}" for a, v in zip(others, key, strict=True)
                )
                ax.errorbar(
                    pos,
                    stats["mean"],
                    yerr=[
                        stats["mean"] - stats["min"],
                        stats["max"] - stats["mean"],
                    ],
                    marker="o",
                    capsize=3,
                    label=label or None,
                )
            ax.set_xticks(range(len(xs)), [str(x) for x in xs])
            ax.set_xlabel(axis)
            if panel is not None:
                ax.set_title(f"cpu={panel}")
            ax.grid(alpha=0.3)
        subplots[0][0].set_ylabel(metric)
        handles, labels = subplots[0][0].get_legend_handles_labels()
        if labels:
            fig.legend(handles, labels, loc="upper center", fontsize=7,
                       ncol=min(4, len(labels)), frameon=False)  # fmt: skip
            fig.subplots_adjust(top=0.78)
        fig.suptitle(
            f"{manifest['name']}: {metric} against {axis} (mean, min-max "
            "over repeats)",
            fontsize=9,
            y=0.99,
        )
        path = sweep_dir / f"plot-{axis}.png"
        fig.savefig(path, dpi=110, bbox_inches="tight")
        plt.close(fig)
        out.append(path)
    return out


def report(sweep_dir: Path) -> tuple[Any, str, list[Path]]:
    """Write the tables and the plots from the records; return the
    table, its text and the files written."""
    manifest = read_manifest(sweep_dir)
    df = table(sweep_dir)
    files = write_tables(df, sweep_dir)
    files += plot(df, manifest, sweep_dir)
    return df, format_table(df, manifest), files
