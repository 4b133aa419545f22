"""RQ1's results: the attacker/victim CPU-time ratio per attack severity.

Each run of the scheduler-attack experiment gives one :class:`RatioRow`:
the CPU time of the attacker and of the victim as three views saw it,
and the ratio attacker / victim for each view:

- ``scotch``: Scotch's ledger, kept by the SMM handler;
- ``xen``: Xen's own accounting (``xl``), which the attack may falsify;
- ``truth``: ground truth: ``xentrace`` on QEMU, the simulator's
  domain observer on gem5.

The raw numbers are in each view's own unit (whatever the runner
records, e.g. TSC cycles for the ledger and xentrace, seconds for xl);
only the ratios are compared across views. This module prints the table
(:func:`format_table`), writes and reads the CSV (:func:`write_csv`,
:func:`read_csv`) and draws the figure (:func:`plot`, matplotlib's Agg
backend, no display needed).
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from scotch_plugin.errors import ScotchError

#: The views, in the order tables and plots show them.
VIEWS = ("truth", "scotch", "xen")
#: Where ground truth comes from, by platform.
TRUTH_SOURCES = {"qemu": "xentrace", "gem5": "gem5's domain observer"}
VIEW_LABELS = {
    "truth": "ground truth (xentrace)",
    "scotch": "Scotch (SMM ledger)",
    "xen": "Xen (getdomaininfo)",
}


@dataclass(frozen=True)
class RatioRow:
    """One run at one attack severity.

    ``scotch``, ``xen`` and ``truth`` are attacker / victim ratios; the
    ``<view>_attacker`` / ``<view>_victim`` fields are the raw CPU times
    they came from. ``repeat`` numbers the runs at one severity from 0.
    """

    severity: int
    scotch: float
    xen: float
    truth: float
    scotch_attacker: float
    scotch_victim: float
    xen_attacker: float
    xen_victim: float
    truth_attacker: float
    truth_victim: float
    repeat: int = 0

    def __post_init__(self) -> None:
        for name in ("severity", "repeat"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(
                    f"RatioRow.{name}: expected an int, found {value!r}"
                )

    @classmethod
    def from_times(
        cls,
        severity: int,
        *,
        scotch: tuple[float, float],
        xen: tuple[float, float],
        truth: tuple[float, float],
        repeat: int = 0,
    ) -> RatioRow:
        """A row from ``(attacker, victim)`` CPU times of each view."""
        return cls(
            severity=severity,
            scotch=ratio(*scotch),
            xen=ratio(*xen),
            truth=ratio(*truth),
            scotch_attacker=float(scotch[0]),
            scotch_victim=float(scotch[1]),
            xen_attacker=float(xen[0]),
            xen_victim=float(xen[1]),
            truth_attacker=float(truth[0]),
            truth_victim=float(truth[1]),
            repeat=repeat,
        )

    def invalid_views(self) -> list[str]:
        """The views whose ratio is not a finite number, each with its
        two times (a domain that got nothing in that view)."""
        return [
            f"{view} ratio {getattr(self, view)} (attacker "
            f"{getattr(self, view + '_attacker')}, victim "
            f"{getattr(self, view + '_victim')})"
            for view in ("scotch", "xen", "truth")
            if not math.isfinite(getattr(self, view))
        ]

    @property
    def scotch_minus_truth(self) -> float:
        """Scotch's ratio minus ground truth's (signed)."""
        return self.scotch - self.truth

    @property
    def xen_minus_truth(self) -> float:
        return self.xen - self.truth


def ratio(attacker: float, victim: float) -> float:
    """attacker / victim; inf when only the victim got nothing, nan if
    neither did."""
    if victim == 0:
        return math.nan if attacker == 0 else math.inf
    return attacker / victim


# -- the paper's figures ------------------------------------------------------


@dataclass(frozen=True)
class PaperReference:
    """What the Scotch paper reports for RQ1, as data.

    ``truth`` holds (severity, ratio) points of its ground truth; only the
    ends of the range are recorded here, so a plot joins them with a
    straight line that is not itself from the paper.
    """

    truth: tuple[tuple[int, float], ...]
    scotch_tolerance: float
    citation: str


PAPER_REFERENCE = PaperReference(
    truth=((0, 0.99), (10, 1.39)),
    scotch_tolerance=0.02,
    citation="Leach, Zhang, Weimer, RAID 2017, RQ1",
)


def max_scotch_error(rows: Iterable[RatioRow]) -> float:
    """The largest |Scotch - truth| over ``rows`` (nan if none is
    finite)."""
    errors = [abs(r.scotch_minus_truth) for r in rows]
    finite = [e for e in errors if math.isfinite(e)]
    return max(finite) if finite else math.nan


# -- the table ----------------------------------------------------------------


def _fmt(value: float, width: int) -> str:
    return (
        f"{value:{width}.3f}"
        if math.isfinite(value)
        else f"{value!s:>{width}}"
    )


def format_table(
    rows: Sequence[RatioRow],
    reference: PaperReference | None = PAPER_REFERENCE,
) -> str:
    """The paper's table: attacker/victim ratio per severity and view.

    Rows are sorted by severity (then repeat); a ``run`` column appears
    when any severity was run more than once. The last line gives the
    largest |Scotch - truth| and, with ``reference``, the paper's bound.
    """
    ordered = sorted(rows, key=lambda r: (r.severity, r.repeat))
    repeats = any(r.repeat for r in ordered)
    head = f"{'severity':>8}"
    if repeats:
        head += f"  {'run':>3}"
    head += (
        f"  {'ground truth':>12}  {'Scotch':>8}  {'Xen':>8}"
        f"  {'|Scotch - truth|':>16}"
    )
    lines = [head, "-" * len(head)]
    for r in ordered:
        line = f"{r.severity:8d}"
        if repeats:
            line += f"  {r.repeat:3d}"
        line += (
            f"  {_fmt(r.truth, 12)}  {_fmt(r.scotch, 8)}  {_fmt(r.xen, 8)}"
            f"  {_fmt(abs(r.scotch_minus_truth), 16)}"
        )
        lines.append(line)
    worst = max_scotch_error(ordered)
    footer = f"max |Scotch - truth|: {_fmt(worst, 0).strip()}"
    if reference is not None:
        footer += (
            f" (paper: within {reference.scotch_tolerance:g}; "
            f"{reference.citation})"
        )
    lines.append(footer)
    return "\n".join(lines) + "\n"


# -- CSV ----------------------------------------------------------------------

#: The CSV's columns: every field, then the derived difference.
CSV_COLUMNS: tuple[str, ...] = (
    "severity",
    "repeat",
    "truth",
    "scotch",
    "xen",
    "scotch_minus_truth",
    "truth_attacker",
    "truth_victim",
    "scotch_attacker",
    "scotch_victim",
    "xen_attacker",
    "xen_victim",
)
_INT_COLUMNS = ("severity", "repeat")
_DERIVED = ("scotch_minus_truth",)


def write_csv(rows: Iterable[RatioRow], path: str | os.PathLike[str]) -> Path:
    """Write ``rows`` to ``path`` (parents created); floats exactly."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for r in rows:
            writer.writerow([_cell(getattr(r, c)) for c in CSV_COLUMNS])
    return out


def _cell(value: int | float) -> str:
    return str(value) if isinstance(value, int) else repr(float(value))


def read_csv(path: str | os.PathLike[str]) -> list[RatioRow]:
    """Read a CSV written by :func:`write_csv` (to re-plot results).

    Columns may be in any order and extra ones are ignored; ``repeat``
    may be missing (0). Raises ``ScotchError`` naming file, line and
    column.
    """
    src = Path(path)
    try:
        with src.open(newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            header = reader.fieldnames or []
            needed = [
                c
                for c in CSV_COLUMNS
                if c not in _DERIVED and c != "repeat" and c not in header
            ]
            if needed:
                raise ScotchError(
                    f"{src}:1: not an RQ1 results CSV: expected columns "
                    f"{', '.join(CSV_COLUMNS)}; missing {', '.join(needed)}"
                )
            return [_row(src, reader.line_num, record) for record in reader]
    except OSError as exc:
        raise ScotchError(f"{src}: cannot read: {exc.strerror}") from None


def _row(src: Path, line: int, record: dict[str, str | None]) -> RatioRow:
    values: dict[str, int | float] = {}
    for f in fields(RatioRow):
        text = record.get(f.name)
        if f.name == "repeat" and not text:
            values[f.name] = 0
            continue
        try:
            if f.name in _INT_COLUMNS:
                values[f.name] = int(text or "")
            else:
                values[f.name] = float(text or "")
        except ValueError:
            kind = "an integer" if f.name in _INT_COLUMNS else "a number"
            raise ScotchError(
                f"{src}:{line}: column {f.name}: expected {kind}, found "
                f"{text!r}"
            ) from None
    return RatioRow(**values)  # type: ignore[arg-type]


# -- the figure ---------------------------------------------------------------

_STYLE: dict[str, dict[str, Any]] = {
    "truth": {"color": "black", "marker": "o", "linestyle": "-"},
    "scotch": {"color": "tab:blue", "marker": "s", "linestyle": "--"},
    "xen": {"color": "tab:red", "marker": "^", "linestyle": ":"},
}


def _by_severity(
    rows: Iterable[RatioRow], view: str
) -> tuple[list[int], list[float], list[float], list[float]]:
    """Severities and the mean, min and max of ``view`` over repeats."""
    groups: dict[int, list[float]] = {}
    for r in rows:
        value = getattr(r, view)
        groups.setdefault(r.severity, []).append(
            value if math.isfinite(value) else math.nan
        )
    xs = sorted(groups)
    means, lows, highs = [], [], []
    for s in xs:
        finite = [v for v in groups[s] if not math.isnan(v)]
        if finite:
            means.append(sum(finite) / len(finite))
            lows.append(min(finite))
            highs.append(max(finite))
        else:
            means.append(math.nan)
            lows.append(math.nan)
            highs.append(math.nan)
    return xs, means, lows, highs


def plot(
    rows: Sequence[RatioRow],
    path: str | os.PathLike[str],
    *,
    title: str = "RQ1: scheduler attack",
    reference: PaperReference | None = PAPER_REFERENCE,
    truth_source: str = TRUTH_SOURCES["qemu"],
) -> Path:
    """Draw ratio vs severity, one line per view, to a PNG at ``path``
    (``truth_source`` names where ground truth came from).

    With repeats, each point is the mean and a bar spans min to max.
    ``reference`` adds the paper's figures as a faint dashed line.
    """
    if not rows:
        raise ScotchError(f"{path}: no results to plot")
    # Matplotlib is imported here so that the command line starts fast;
    # the Agg canvas draws without a display and touches no global state.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 4.2), dpi=120)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    many = any(r.repeat for r in rows)
    for view in VIEWS:
        xs, means, lows, highs = _by_severity(rows, view)
        label = (
            f"ground truth ({truth_source})"
            if view == "truth"
            else VIEW_LABELS[view]
        )
        if many:
            below = [m - lo for m, lo in zip(means, lows, strict=True)]
            above = [hi - m for m, hi in zip(means, highs, strict=True)]
            ax.errorbar(
                xs,
                means,
                yerr=[below, above],
                label=label,
                capsize=3,
                **_STYLE[view],
            )
        else:
            ax.plot(xs, means, label=label, **_STYLE[view])
    if reference is not None:
        rx = [s for s, _ in reference.truth]
        ry = [v for _, v in reference.truth]
        ax.plot(
            rx,
            ry,
            color="grey",
            alpha=0.45,
            linestyle="--",
            linewidth=1,
            label=f"paper: ground truth {ry[0]:g}\u2013{ry[-1]:g} (ends)",
        )
    ax.set_xlabel("attack severity")
    ax.set_ylabel("attacker / victim CPU time")
    ax.set_xlim(-0.5, 10.5)
    ax.set_xticks(range(0, 11))
    ax.grid(True, alpha=0.3)
    ax.set_title(title)
    ax.legend(loc="best", fontsize="small")
    fig.tight_layout()
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, format="png")
    return out
