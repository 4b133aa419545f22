"""Content digests of what produces a sweep point's result.

A point's identity is the SHA-256 of a canonical JSON of: the gem5
binary (its own content hash and the gem5 version it reports), the
checkout's patch series and EXTRAS (content digests), the gem5 configs
and components the run loads, the Python that computes the metrics, the
images the point boots (and the reader that checks them), and the
point's configuration (kind,
parameters, repeat). Two records with one identity were produced by the
same inputs; a rerun skips a point whose identity already has a record.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path
from typing import Any

from scotch_plugin import project
from scotch_plugin.errors import ScotchError
from scotch_plugin.gem5 import check, series

_CHUNK = 1 << 20


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    try:
        with path.open("rb") as f:
            while chunk := f.read(_CHUNK):
                h.update(chunk)
    except OSError as exc:
        raise ScotchError(f"{path}: cannot read: {exc.strerror}") from None
    return h.hexdigest()


def files_digest(root: Path, files: list[Path]) -> str:
    """SHA-256 over each file's path (relative to ``root``) and digest."""
    h = hashlib.sha256()
    for path in sorted(files):
        h.update(f"{path.relative_to(root)}\0".encode())
        h.update(file_digest(path).encode())
    return h.hexdigest()


def series_digest() -> str:
    """The patch series: the series file and each patch it names."""
    src = project.src_patches()
    return files_digest(src, [src / "series", *series.read_series(src)])


def extras_digest() -> str:
    """Every file of the EXTRAS directory."""
    extras = project.extras_dir()
    files = [
        p
        for p in extras.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    ]
    return files_digest(extras, files)


def configs_digest() -> str:
    """The gem5 configs and the components they import."""
    root = project.root()
    files = [
        *(root / "gem5_configs").glob("*.py"),
        *(root / "scotch_plugin" / "gem5_components").glob("*.py"),
    ]
    return files_digest(root, files)


def runner_digest() -> str:
    """The Python that turns a run into metrics: the benches, the point
    kinds, the stats and serial parsers."""
    pkg = project.root() / "scotch_plugin"
    files = [pkg / "baremetal" / "bench.py", pkg / "baremetal" / "images.py",
             pkg / "baremetal" / "serial_report.py",
             pkg / "sweep" / "kinds.py"]  # fmt: skip
    return files_digest(project.root(), files)


def gem5_identity(binary: Path) -> dict[str, str]:
    """The gem5 binary's identity. Its version comes from running it on
    check_build.py once per binary content (cached under build/)."""
    sha = file_digest(binary)
    cache = project.build_dir() / "gem5-identity" / f"{sha}.json"
    version = None
    if cache.is_file():
        try:
            version = json.loads(cache.read_text())["gem5_version"]
        except (ValueError, KeyError):
            version = None
    if version is None:
        version = check.run_check(binary).gem5_version
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps({"gem5_version": version}) + "\n")
    return {
        "binary_sha256": sha,
        "gem5_version": version,
        "series": series_digest(),
        "extras": extras_digest(),
        "configs": configs_digest(),
        "runner": runner_digest(),
    }


def canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"))


def digest(data: Any) -> str:
    return hashlib.sha256(canonical(data).encode()).hexdigest()


def set_fields(obj: Any) -> dict[str, Any]:
    """A dataclass's fields that differ from their defaults (nested
    dataclasses alike): what identifies it, so that a field added later
    with a default leaves the identities of what ran before unchanged."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if f.default is not dataclasses.MISSING and value == f.default:
            continue
        if isinstance(value, (tuple, list)):
            value = [
                set_fields(v) if dataclasses.is_dataclass(v) else v
                for v in value
            ]
        elif dataclasses.is_dataclass(value):
            value = set_fields(value)
        out[f.name] = value
    return out
