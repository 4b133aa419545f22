"""``scotch run SWEEP.yaml``: run a sweep's points, skipping done ones.

The output directory holds ``sweep.yaml`` (the file as run),
``sweep.json`` (the points in order, with their identities) and
``points/<id>/`` per point and repeat: ``point.json`` (what to run),
``record.json`` (the result, written atomically), ``worker.log`` and the
run's own output (``gem5/``). A point is identified by the digest of
what produces its result (:mod:`.identity`), so a rerun, or
``--resume`` after a kill, runs only the points that have no ``done``
record; a failed point is run again.
"""

from __future__ import annotations

import datetime
import json
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from scotch_plugin.errors import ScotchError
from scotch_plugin.sweep import identity, kinds, report
from scotch_plugin.sweep.executors import (
    Display,
    LocalExecutor,
    SlurmExecutor,
)
from scotch_plugin.sweep.records import (
    SPEC,
    PointSpec,
    read_record,
    write_atomic,
    write_json,
)
from scotch_plugin.sweep.schema import Sweep


@dataclass
class Options:
    """What the command line may override in the file."""

    executor: str | None = None
    workers: int | None = None
    timeout_s: float | None = None
    partition: str | None = None
    time_min: int | None = None
    mem_gb: float | None = None
    resume: bool = True
    quiet: bool = False


@dataclass
class Summary:
    total: int
    skipped: int
    ran: int
    failed: int
    seconds: float
    #: The executor's part of ``seconds``: from the first point started
    #: to the last one recorded.
    run_seconds: float
    table: Any
    text: str
    files: list[Path]


def specs(sweep: Sweep, prepared: kinds.Prepared) -> list[PointSpec]:
    """Every point and repeat, in order, with its identity."""
    out = []
    for point in sweep.points:
        for repeat in range(sweep.repeats):
            ident = {
                **prepared.identity,
                "config": {
                    "kind": sweep.kind,
                    "params": point.params,
                    "repeat": repeat,
                },
            }
            digest = identity.digest(ident)
            out.append(
                PointSpec(
                    sweep=sweep.name,
                    kind=sweep.kind,
                    point_id=digest[:16],
                    index=point.index,
                    repeat=repeat,
                    params=point.params,
                    axes=point.axes,
                    identity={"digest": digest, **ident},
                    gem5_binary=(
                        str(sweep.gem5_binary) if sweep.gem5_binary else None
                    ),
                    images=prepared.images,
                    command=list(sweep.command) if sweep.command else None,
                    base_dir=str(
                        sweep.source.parent if sweep.source else Path.cwd()
                    ),
                    timeout_s=sweep.executor.timeout_s,
                )
            )
    return out


def _manifest(sweep: Sweep, points: list[PointSpec]) -> dict[str, Any]:
    return {
        "name": sweep.name,
        "description": sweep.description,
        "kind": sweep.kind,
        "source": str(sweep.source) if sweep.source else None,
        "axes": list(sweep.axes),
        "param_names": list(sweep.points[0].params),
        "plotted": list(kinds.PLOTTED.get(sweep.kind, ())),
        "repeats": sweep.repeats,
        "written": datetime.datetime.now(datetime.timezone.utc).isoformat(),
        "points": [
            {
                "point_id": p.point_id,
                "index": p.index,
                "repeat": p.repeat,
                "params": p.params,
                "axes": p.axes,
            }
            for p in points
        ],
    }


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def run_sweep(sweep: Sweep, options: Options | None = None) -> Summary:
    opts = options or Options()
    t0 = time.monotonic()
    out = sweep.output
    out.mkdir(parents=True, exist_ok=True)
    prepared = kinds.prepare(sweep)
    points = specs(sweep, prepared)
    ids = [p.point_id for p in points]
    if len(set(ids)) != len(ids):
        raise ScotchError(
            f"{sweep.source}: two points have the same parameters; "
            "list each once (use repeats to run one more than once)"
        )
    write_atomic(out / "sweep.yaml", sweep.text)
    write_atomic(
        out / report.MANIFEST, json.dumps(_manifest(sweep, points), indent=1)
    )
    todo = []
    for spec in points:
        point_dir = out / "points" / spec.point_id
        record = read_record(point_dir) if opts.resume else None
        if record is not None and record.status == "done":
            continue
        point_dir.mkdir(parents=True, exist_ok=True)
        write_json(point_dir / SPEC, spec)
        todo.append(point_dir)

    kind = opts.executor or sweep.executor.kind
    timeout = opts.timeout_s or sweep.executor.timeout_s
    executor: LocalExecutor | SlurmExecutor
    if kind == "local":
        executor = LocalExecutor(opts.workers or sweep.executor.workers,
                                 timeout)  # fmt: skip
        workers = executor.workers
    else:
        s = sweep.slurm
        executor = SlurmExecutor(
            out / "slurm",
            partition=opts.partition or s.partition,
            time_min=opts.time_min or s.time_min,
            mem_gb=opts.mem_gb or s.mem_gb,
            cpus_per_task=s.cpus_per_task,
            job_name=f"scotch-{sweep.name}",
        )
        workers = len(todo)
    skipped = len(points) - len(todo)
    display = Display(total=len(points), done=skipped, workers=workers,
                      quiet=opts.quiet)  # fmt: skip
    if not opts.quiet:
        display.console.print(
            f"scotch run: {sweep.name}: {len(points)} points "
            f"({len(sweep.points)} x {sweep.repeats} repeat(s)), {skipped} "
            f"already done, {len(todo)} to run on {kind}"
            + (f" ({workers} workers)" if kind == "local" else ""),
            markup=False,
        )
    old = signal.signal(signal.SIGTERM, _terminate)
    t_run = time.monotonic()
    try:
        with display:
            executor.run(todo, display)
    finally:
        signal.signal(signal.SIGTERM, old)
    run_seconds = time.monotonic() - t_run
    df, text, files = report.report(out)
    return Summary(
        total=len(points),
        skipped=skipped,
        ran=len(todo),
        failed=int((df["status"] != "done").sum()),
        seconds=time.monotonic() - t0,
        run_seconds=run_seconds,
        table=df,
        text=text,
        files=files,
    )
