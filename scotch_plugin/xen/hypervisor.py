"""Scotch's Xen: Debian's ``xen`` source package with our patch, built.

Scotch needs two things Debian's binary hypervisor lacks: an SMI at every
vCPU context switch and guest I/O interrupt, and the RQ1 scheduler attack
(``workloads/xen/patches/``). So the hypervisor is built from Debian's
source package, fetched from the package registry with ``deb-src``
through a private apt configuration (the machine's apt setup is left
alone), unpacked with ``dpkg-source``, patched, and configured with the
``.config`` Debian ships in ``xen-hypervisor-4.17-amd64`` plus debug
information (the SMM handler's struct offsets come from ``xen-syms``).

Only the hypervisor is built (about a minute on two cores); dom0's tools
stay Debian's binary packages. The result is cached in ``build/xen-scotch``
and rebuilt when the patches, the configuration or this builder change;
the source version is the newest one the registry served at the first
build (remove ``build/xen-scotch`` to pick up a newer one).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from scotch_plugin import project
from scotch_plugin.errors import ScotchError
from scotch_plugin.proc import run_tool
from scotch_plugin.xen.offsets import XenOffsets, read_offsets

#: Bump when the build steps below change what comes out.
BUILD_FORMAT = 1
SOURCE_PACKAGE = "xen"
#: Debian's archives that carry bookworm's sources.
SOURCES = (
    "deb-src http://deb.debian.org/debian bookworm main\n"
    "deb-src http://deb.debian.org/debian-security bookworm-security main\n"
)
#: Added to Debian's hypervisor configuration.
CONFIG_EXTRA = "CONFIG_EXPERT=y\nCONFIG_DEBUG_INFO=y\n"


@dataclass(frozen=True)
class ScotchXen:
    """The built hypervisor: the multiboot image, its symbols, offsets."""

    xen: Path
    xen_syms: Path
    offsets: XenOffsets
    source_version: str


def patches_dir() -> Path:
    return project.root() / "workloads" / "xen" / "patches"


def default_out() -> Path:
    return project.root() / "build" / "xen-scotch"


def _apt(out: Path) -> list[str]:
    lists = out / "apt" / "lists"
    (lists / "partial").mkdir(parents=True, exist_ok=True)
    sources = out / "apt" / "sources.list"
    sources.write_text(SOURCES)
    return [
        "-o", f"Dir::Etc::SourceList={sources}",
        "-o", "Dir::Etc::SourceParts=/dev/null",
        "-o", f"Dir::State::Lists={lists}",
    ]  # fmt: skip


def source_versions(out: Path) -> list[str]:
    """Versions of the source package in the registry, newest first."""
    opts = _apt(out)
    proc = run_tool(
        ["apt-get", *opts, "update"], what="apt-get update", timeout=600
    )
    if proc.returncode != 0:
        raise ScotchError(
            f"apt-get update (deb-src) failed: {proc.stderr.strip()[-800:]}"
        )
    proc = run_tool(
        ["apt-cache", *opts, "showsrc", SOURCE_PACKAGE],
        what="apt-cache showsrc",
        timeout=120,
    )
    versions = [
        line.split(": ", 1)[1].strip()
        for line in proc.stdout.splitlines()
        if line.startswith("Version: ")
    ]
    if not versions:
        raise ScotchError(f"no '{SOURCE_PACKAGE}' source package in {SOURCES}")
    return sorted(set(versions), key=_version_key, reverse=True)


def _version_key(version: str) -> tuple[int, ...]:
    """Order Debian versions of one package well enough to pick the
    newest (numeric fields of the upstream part, then the revision)."""
    digits = [
        int(x)
        for x in "".join(c if c.isdigit() else " " for c in version).split()
    ]
    return tuple(digits)


def fetch_source(out: Path) -> tuple[str, Path]:
    """Download the newest source version that the registry serves (one
    listed in an index may be missing from its pool) and unpack it."""
    opts = _apt(out)
    errors = []
    for version in source_versions(out):
        dest = out / "src" / version
        tree = dest / "tree"
        if (tree / "xen" / "Makefile").is_file():
            return version, tree
        dest.mkdir(parents=True, exist_ok=True)
        proc = run_tool(
            [
                "apt-get",
                *opts,
                "source",
                "--download-only",
                f"{SOURCE_PACKAGE}={version}",
            ],
            what="apt-get source",
            timeout=900,
            cwd=dest,
        )
        if proc.returncode != 0:
            errors.append(
                f"{version}: {proc.stderr.strip().splitlines()[-1:]}"
            )
            continue
        dsc = next(dest.glob("*.dsc"))
        _must(
            ["dpkg-source", "--no-check", "-x", dsc.name, "tree"],
            dest,
            f"dpkg-source -x {dsc}",
        )
        return version, tree
    raise ScotchError(
        "no source version of xen could be downloaded: " + "; ".join(errors)
    )


def _must(cmd: list[str], cwd: Path, failure: str) -> None:
    """Run a build step; a failure is a ScotchError with its output."""
    proc = run_tool(cmd, what=cmd[0], timeout=3600, cwd=cwd)
    if proc.returncode != 0:
        out = (proc.stdout + proc.stderr).strip()[-3000:]
        raise ScotchError(f"{failure}:\n{out}")


def _patches() -> list[Path]:
    found = sorted(patches_dir().glob("*.patch"))
    if not found:
        raise ScotchError(f"{patches_dir()}: no *.patch files")
    return found


def build_key(version: str, config: str) -> str:
    h = hashlib.sha256()
    h.update(f"{BUILD_FORMAT}\n{version}\n{config}\n".encode())
    for patch in _patches():
        h.update(patch.name.encode() + b"\0" + patch.read_bytes())
    return h.hexdigest()


def build(
    hypervisor_config: str, out: Path | None = None, jobs: int | None = None
) -> ScotchXen:
    """Fetch, patch and build Scotch's Xen (or reuse the cached build).

    ``hypervisor_config``: the text of Debian's ``xen-4.17-amd64.config``.
    """
    out = out or default_out()
    out.mkdir(parents=True, exist_ok=True)
    config = hypervisor_config + CONFIG_EXTRA
    stamp = out / "stamp.json"
    result = out / "result"
    if stamp.is_file():
        old = json.loads(stamp.read_text())
        if (
            old.get("key") == build_key(old.get("version", ""), config)
            and (result / "xen").is_file()
        ):
            return _result(result, old["version"])
    version, tree = fetch_source(out)
    work = out / "work"
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(tree, work, symlinks=True)
    for patch in _patches():
        _must(
            ["patch", "-p1", "--forward", "--batch", "-i", str(patch)],
            work,
            f"{patch}: does not apply to Debian's xen {version}",
        )
    (work / "xen" / ".config").write_text(config)
    jobs = jobs or os.cpu_count() or 1
    for target in (["olddefconfig"], [f"-j{jobs}"]):
        _must(
            ["make", "-C", "xen", *target],
            work,
            f"building Xen {version} failed (make {' '.join(target)})",
        )
    if result.exists():
        shutil.rmtree(result)
    result.mkdir()
    for name in ("xen", "xen-syms", ".config"):
        shutil.copy2(work / "xen" / name, result / name)
    shutil.copy2(
        work / "xen" / "arch" / "x86" / "include" / "asm" / "config.h",
        result / "config.h",
    )
    offsets = read_offsets(result / "xen-syms", result / "config.h")
    (result / "offsets.json").write_text(
        json.dumps(offsets.as_dict(), indent=1)
    )
    shutil.rmtree(work)
    stamp.write_text(
        json.dumps(
            {"key": build_key(version, config), "version": version}, indent=1
        )
    )
    return _result(result, version)


def _result(result: Path, version: str) -> ScotchXen:
    offsets = XenOffsets(**json.loads((result / "offsets.json").read_text()))
    return ScotchXen(
        xen=result / "xen",
        xen_syms=result / "xen-syms",
        offsets=offsets,
        source_version=version,
    )
