"""The gem5 release the series is written against: ``gem5.pin``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from scotch_plugin.errors import ScotchError

_SHA = re.compile(r"^[0-9a-f]{40}$")


@dataclass(frozen=True)
class Gem5Pin:
    tag: str
    commit: str

    @property
    def short(self) -> str:
        return f"{self.tag} ({self.commit[:12]})"


def load(path: Path) -> Gem5Pin:
    """Read and validate a pin file."""
    try:
        data = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise ScotchError(f"{path}: no such pin file") from None
    except yaml.YAMLError as exc:
        raise ScotchError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ScotchError(f"{path}: expected a mapping with tag and commit")
    unknown = set(data) - {"tag", "commit"}
    if unknown:
        raise ScotchError(
            f"{path}: unknown field(s) {', '.join(sorted(unknown))}; "
            "expected tag and commit"
        )
    tag, commit = data.get("tag"), data.get("commit")
    if not isinstance(tag, str) or not tag:
        raise ScotchError(f"{path}: field 'tag': expected a gem5 tag")
    if not isinstance(commit, str) or not _SHA.match(commit):
        raise ScotchError(
            f"{path}: field 'commit': expected 40 lowercase hex digits, "
            f"got {commit!r}"
        )
    return Gem5Pin(tag, commit)
