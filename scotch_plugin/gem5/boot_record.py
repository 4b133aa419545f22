"""A finished gem5 boot on disk: the directory ``scotch run`` keeps
under ``build/gem5-boots/<key>/`` (or a copy of it that an experiment's
``gem5.checkpoint`` names).

``boot.json`` records the boot (host time, milestones, the checkpoint's
path inside the directory), ``identity.json`` what it was made from,
and ``mac-key.bin`` (mode 0600) the key SMRAM in the checkpoint holds.
"""

from __future__ import annotations

import json
from pathlib import Path

RECORD = "boot.json"
IDENTITY = "identity.json"
KEY = "mac-key.bin"


def problem(directory: Path) -> str | None:
    """Why ``directory`` is not a finished boot, or ``None`` if it is."""
    if not directory.exists():
        return "no such directory"
    if not directory.is_dir():
        return "a file, not a directory"
    record = directory / RECORD
    if not record.is_file():
        return f"no {RECORD} (a boot that never finished?)"
    try:
        data = json.loads(record.read_text())
        checkpoint = directory / str(data["checkpoint"])
    except (ValueError, KeyError, TypeError):
        return f"a {RECORD} without a checkpoint field"
    if not (checkpoint / "m5.cpt").is_file():
        return f"no m5.cpt in {checkpoint}, which {RECORD} names"
    if not (directory / KEY).is_file():
        return f"no {KEY} (the key SMRAM holds; the verifier needs it)"
    return None


def read(directory: Path) -> tuple[dict[str, object], Path, bytes]:
    """The record, checkpoint and key of the finished boot ``directory``
    (check it with :func:`problem` first)."""
    data = json.loads((directory / RECORD).read_text())
    key = (directory / KEY).read_bytes()
    return data, directory / str(data["checkpoint"]), key


def identity(directory: Path) -> dict[str, object] | None:
    """What the boot in ``directory`` was made from, if it says."""
    path = directory / IDENTITY
    return json.loads(path.read_text()) if path.is_file() else None


def identity_differences(
    theirs: dict[str, object], ours: dict[str, object], prefix: str = ""
) -> list[str]:
    """The dotted names of the parts where two identities differ."""
    found = []
    for name in sorted(set(theirs) | set(ours)):
        a, b = theirs.get(name), ours.get(name)
        if isinstance(a, dict) and isinstance(b, dict):
            found += identity_differences(a, b, f"{prefix}{name}.")
        elif a != b:
            found.append(f"{prefix}{name}")
    return found
