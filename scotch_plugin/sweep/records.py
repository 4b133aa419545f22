"""One record per point and repeat: what ran, where, when, how it ended
and what it measured. Written atomically (a temporary file in the same
directory, fsync, rename), so a record on disk is whole or absent."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

#: Bumped when a record's meaning changes.
FORMAT = 1
RECORD = "record.json"
SPEC = "point.json"
LOG = "worker.log"

Status = Literal["done", "failed", "timeout"]


class PointSpec(BaseModel):
    """What a worker needs to run one point (``point.json``)."""

    sweep: str
    kind: str
    point_id: str
    index: int
    repeat: int
    params: dict[str, Any]
    axes: dict[str, Any]
    #: The inputs the identity digests (gem5, images, configuration).
    identity: dict[str, Any]
    gem5_binary: str | None = None
    images: dict[str, str] = {}
    command: list[str] | None = None
    #: kind command: its working directory (the sweep file's).
    base_dir: str
    timeout_s: float


class Record(BaseModel):
    """A point's result (``record.json``)."""

    format: int = FORMAT
    sweep: str
    kind: str
    point_id: str
    index: int
    repeat: int
    params: dict[str, Any]
    axes: dict[str, Any]
    identity: dict[str, Any]
    status: Status
    #: Why it ended: gem5's exit cause, the command's exit status, or
    #: what went wrong.
    exit_cause: str
    command: list[str] = []
    host: str
    executor: str
    start: str
    end: str
    seconds: float
    #: Seconds inside the simulator (or the command): the rest of
    #: ``seconds`` is the runner's own.
    payload_seconds: float | None = None
    metrics: dict[str, float] = {}
    #: The simulator statistics the metrics were computed from.
    stats: dict[str, float] = {}
    error: str | None = None
    log_tail: str | None = None


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_json(path: Path, model: BaseModel) -> None:
    write_atomic(path, model.model_dump_json(indent=1) + "\n")


def read_record(point_dir: Path) -> Record | None:
    """The point's record, or ``None`` if it has none (or a record this
    version cannot read: the point is then run again)."""
    try:
        return Record.model_validate_json((point_dir / RECORD).read_bytes())
    except (OSError, ValidationError, json.JSONDecodeError):
        return None


def read_spec(point_dir: Path) -> PointSpec:
    return PointSpec.model_validate_json((point_dir / SPEC).read_bytes())


def tail(path: Path, lines: int = 40) -> str:
    """The last lines of a log (empty if there is none)."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


#: The logs a point may leave, most telling first.
POINT_LOGS = (
    LOG,
    "command.stderr",
    "command.stdout",
    "gem5/gem5.stderr",
    "gem5/gem5.stdout",
    "gem5/board.pc.com_1.device",
)


def point_log_tail(point_dir: Path, lines: int = 40) -> str:
    """The tails of the logs a point left, each under its name."""
    parts = []
    for name in POINT_LOGS:
        text = tail(point_dir / name, lines)
        if text:
            parts.append(f"== {name}\n{text}")
    return "\n".join(parts)
