"""Runs one sweep point and writes its record.

``python -m scotch_plugin.sweep.worker POINT_DIR [EXECUTOR]`` (the local
pool starts one per point) or :func:`run_point_dir` (a Slurm job calls it
through submitit). It reads ``POINT_DIR/point.json`` and writes
``POINT_DIR/record.json`` atomically, done or failed; exit status 0 if
done, 1 if failed. If it dies without a record (killed, crashed), the
executor that started it records the failure.
"""

from __future__ import annotations

import datetime
import socket
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from scotch_plugin.errors import ScotchError
from scotch_plugin.proc import ToolTimeout
from scotch_plugin.sweep import kinds
from scotch_plugin.sweep.records import (
    RECORD,
    PointSpec,
    Record,
    point_log_tail,
    read_spec,
    write_json,
)


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(
        timespec="milliseconds"
    )


def point_fields(spec: PointSpec) -> dict[str, Any]:
    """The fields a record copies from its point's spec."""
    return spec.model_dump(
        include={
            "sweep", "kind", "point_id", "index", "repeat", "params",
            "axes", "identity",
        }
    )  # fmt: skip


def failed_record(
    spec: PointSpec,
    *,
    status: str,
    cause: str,
    error: str,
    log_tail: str,
    executor: str,
    start: str,
    seconds: float,
    command: list[str] | None = None,
) -> Record:
    return Record(
        **point_fields(spec),
        status=status,  # type: ignore[arg-type]
        exit_cause=cause,
        command=command or [],
        host=socket.gethostname(),
        executor=executor,
        start=start,
        end=now(),
        seconds=seconds,
        error=error,
        log_tail=log_tail,
    )


def run_point_dir(point_dir: str | Path, executor: str = "local") -> str:
    """Run the point in ``point_dir``; its record's status."""
    point_dir = Path(point_dir)
    spec = read_spec(point_dir)
    start, t0 = now(), time.monotonic()
    try:
        out = kinds.run(spec, point_dir)
    except ScotchError as exc:
        cause = getattr(exc, "cause", "error")
        message = str(exc)
        if isinstance(exc, ToolTimeout):
            cause = f"timeout after {spec.timeout_s:g} s"
        record = failed_record(
            spec,
            status="timeout" if isinstance(exc, ToolTimeout) else "failed",
            cause=cause,
            error=message.splitlines()[0] if message else cause,
            log_tail="\n".join(
                [*message.splitlines()[-40:], point_log_tail(point_dir)]
            ),
            executor=executor,
            start=start,
            seconds=time.monotonic() - t0,
        )
    except Exception:
        text = traceback.format_exc()
        record = failed_record(
            spec,
            status="failed",
            cause="crash",
            error=text.strip().splitlines()[-1],
            log_tail="\n".join(
                [*text.splitlines()[-40:], point_log_tail(point_dir)]
            ),
            executor=executor,
            start=start,
            seconds=time.monotonic() - t0,
        )
    else:
        record = Record(
            **point_fields(spec),
            status="done",
            exit_cause=out.exit_cause,
            command=out.command,
            host=socket.gethostname(),
            executor=executor,
            start=start,
            end=now(),
            seconds=time.monotonic() - t0,
            payload_seconds=out.payload_seconds,
            metrics=out.metrics,
            stats=out.stats,
        )
    write_json(point_dir / RECORD, record)
    return record.status


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    status = run_point_dir(args[0], args[1] if len(args) > 1 else "local")
    return 0 if status == "done" else 1


if __name__ == "__main__":
    sys.exit(main())
