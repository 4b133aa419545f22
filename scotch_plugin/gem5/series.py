"""Applies the patch series to a gem5 checkout, all or nothing.

The series is checked before anything is written: every patch applies
(apply them all in one ``git apply``, which is atomic), or all are already
there (say so), or a prefix is there and the rest applies (finish it).
Anything else is a conflict, reported with git's reason; the tree is left
as it was.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from scotch_plugin.errors import ScotchError
from scotch_plugin.gem5 import pin as pin_mod


@dataclass
class ApplyResult:
    applied: list[str]
    already: list[str]

    @property
    def message(self) -> str:
        if not self.applied:
            return f"already applied: all {len(self.already)} patches"
        if self.already:
            return (
                f"{len(self.already)} patches were already applied; "
                f"applied the other {len(self.applied)}"
            )
        return f"applied {len(self.applied)} patches"


def read_series(src_patches: Path) -> list[Path]:
    """Patch files named by ``src_patches/series``, in order."""
    series = src_patches / "series"
    try:
        lines = series.read_text().splitlines()
    except FileNotFoundError:
        raise ScotchError(f"{series}: no series file") from None
    patches = []
    for number, line in enumerate(lines, 1):
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        path = src_patches / entry
        if not path.is_file():
            raise ScotchError(
                f"{series}:{number}: patch {entry!r} does not exist"
            )
        patches.append(path)
    if not patches:
        raise ScotchError(f"{series}: names no patches")
    return patches


def _git(
    tree: Path, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-C", str(tree), *args],
        input=stdin,
        capture_output=True,
        text=True,
    )


def _apply(
    tree: Path, patches: list[Path], *flags: str
) -> subprocess.CompletedProcess[str]:
    """``git apply`` the patches as one stream, in series order.

    Given as separate files, git checks each against the unpatched tree,
    so a patch on top of an earlier one fails; one stream chains them
    (with -R too, git undoes the stream last patch first) and is applied
    all or nothing.
    """
    stream = "".join(p.read_text() for p in patches)
    return _git(tree, "apply", *flags, stdin=stream)


def _applies(tree: Path, patches: list[Path], reverse: bool) -> bool:
    if not patches:
        return True
    flags = ["--check"] + (["-R"] if reverse else [])
    return _apply(tree, patches, *flags).returncode == 0


def check_tree(tree: Path, pin: pin_mod.Gem5Pin) -> str:
    """Validate that ``tree`` is a gem5 git checkout; return its HEAD."""
    if not tree.exists():
        raise ScotchError(f"--gem5 {tree}: no such directory")
    if not tree.is_dir():
        raise ScotchError(f"--gem5 {tree}: not a directory")
    if not (tree / "SConstruct").is_file() or not (tree / "src").is_dir():
        raise ScotchError(
            f"--gem5 {tree}: not a gem5 source tree (no SConstruct and "
            "src/)"
        )
    head = _git(tree, "rev-parse", "HEAD")
    if head.returncode != 0:
        raise ScotchError(
            f"--gem5 {tree}: not a git checkout; the series needs one to "
            f"check that it is gem5 {pin.short}"
        )
    return head.stdout.strip()


def apply(tree: Path, src_patches: Path) -> ApplyResult:
    """Apply the series in ``src_patches`` to the gem5 checkout ``tree``."""
    pin = pin_mod.load(src_patches / "gem5.pin")
    head = check_tree(tree, pin)
    patches = read_series(src_patches)
    names = [p.name for p in patches]

    if head != pin.commit:
        descends = (
            _git(tree, "merge-base", "--is-ancestor", pin.commit, head)
        ).returncode == 0
        if descends and _applies(tree, patches, reverse=True):
            # The user committed the series on top of the pinned release.
            return ApplyResult([], names)
        described = _git(tree, "describe", "--tags", "--always", head)
        raise ScotchError(
            f"--gem5 {tree}: checkout is at {head[:12]} "
            f"({described.stdout.strip() or 'unknown'}), but the series "
            f"is for gem5 {pin.short}; run 'git -C {tree} checkout "
            f"{pin.commit}' first"
        )

    for k in range(len(patches) + 1):
        done, todo = patches[:k], patches[k:]
        if _applies(tree, done, reverse=True) and _applies(
            tree, todo, reverse=False
        ):
            if todo:
                out = _apply(tree, todo)
                if out.returncode != 0:
                    raise ScotchError(
                        f"git apply failed after a clean check: "
                        f"{out.stderr.strip()}"
                    )
            return ApplyResult([p.name for p in todo], [p.name for p in done])

    # After the longest applied prefix, the first patch that does not
    # apply on top of its predecessors is the one in conflict.
    k = max(
        k
        for k in range(len(patches) + 1)
        if _applies(tree, patches[:k], reverse=True)
    )
    j = next(
        j
        for j in range(k + 1, len(patches) + 1)
        if not _applies(tree, patches[k:j], reverse=False)
    )
    reason = _apply(tree, patches[k:j], "--check")
    raise ScotchError(
        f"--gem5 {tree}: the tree conflicts with the series at "
        f"{patches[j - 1].name}; nothing was changed. git says: "
        f"{reason.stderr.strip()}"
    )
