"""Debian packages and the trees they unpack to: apt's candidate
versions, ``apt-get download`` into a cache, ``dpkg-deb -x``, and the
files and shared libraries inside an unpacked tree (symbolic links
followed as the image will see them)."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from scotch_plugin.errors import ScotchError
from scotch_plugin.proc import run_tool

#: Where, inside the packages, the shared libraries are.
LIB_DIRS = ("lib/x86_64-linux-gnu", "usr/lib/x86_64-linux-gnu")

# -- packages -------------------------------------------------------------


def apt_show(packages: list[str]) -> dict[str, dict[str, str]]:
    """The candidate versions' control fields, from apt's lists (one
    ``apt-cache`` run for all: each run reads every list)."""
    proc = run_tool(
        ["apt-cache", "show", "--no-all-versions", *packages],
        what="apt-cache",
        timeout=120,
    )
    stanzas: dict[str, dict[str, str]] = {}
    for stanza in proc.stdout.split("\n\n"):
        fields = _control_fields(stanza)
        if "Package" in fields and "Version" in fields:
            stanzas.setdefault(fields["Package"], fields)
    missing = [p for p in packages if p not in stanzas]
    if proc.returncode != 0 or missing:
        raise ScotchError(
            f"Debian package(s) {', '.join(missing) or packages}: not in "
            f"apt's lists ({proc.stderr.strip()[-500:] or 'no candidate'});"
            " run apt-get update"
        )
    return stanzas


def _control_fields(stanza: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in stanza.splitlines():
        key, sep, value = line.partition(": ")
        if sep and not line.startswith(" "):
            fields.setdefault(key, value.strip())
    return fields


def kernel_package(metapackage: str) -> str:
    """The versioned ``linux-image-*`` a metapackage points to (or the
    name itself when it is already a versioned image)."""
    depends = apt_show([metapackage])[metapackage].get("Depends", "")
    for item in depends.split(","):
        name = item.split()[0] if item.strip() else ""
        if name.startswith("linux-image-") and name != metapackage:
            return name
    return metapackage


def _deb_name(package: str, version: str) -> str:
    return f"{package}_{version.replace(':', '%3a')}_amd64.deb"


def fetch_debs(versions: dict[str, str], debs: Path) -> dict[str, Path]:
    """``apt-get download`` each package at its version into ``debs``
    (kept there: a later build reuses them)."""
    debs.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for package, version in versions.items():
        path = debs / _deb_name(package, version)
        if not path.is_file():
            _download(package, version, path)
        paths[package] = path
    return paths


def _download(package: str, version: str, path: Path) -> None:
    with tempfile.TemporaryDirectory(dir=path.parent) as tmp:
        proc = run_tool(
            ["apt-get", "download", f"{package}={version}"],
            what="apt-get download",
            timeout=600,
            cwd=Path(tmp),
        )
        got = sorted(Path(tmp).glob("*.deb"))
        if proc.returncode != 0 or len(got) != 1:
            raise ScotchError(
                f"apt-get download {package}={version} failed: "
                f"{proc.stderr.strip()[-1000:]}"
            )
        got[0].rename(path)


def extract_deb(deb: Path, into: Path) -> None:
    """Unpack a package's files (``dpkg-deb -x``)."""
    into.mkdir(parents=True, exist_ok=True)
    proc = run_tool(
        ["dpkg-deb", "-x", str(deb), str(into)],
        what="dpkg-deb",
        timeout=600,
    )
    if proc.returncode != 0:
        raise ScotchError(
            f"dpkg-deb -x {deb} failed: {proc.stderr.strip()[-1000:]}"
        )


# -- files inside an unpacked tree ----------------------------------------


def resolve_in(tree: Path, rel: str, hops: int = 40) -> Path:
    """The regular file at ``rel`` in ``tree``, following symbolic links
    (absolute ones relative to ``tree``)."""
    current = PurePosixPath(rel)
    for _ in range(hops):
        path = tree / current
        if not path.is_symlink():
            if not path.is_file():
                raise ScotchError(f"{rel}: not found in {tree}")
            return path
        target = PurePosixPath(os.readlink(path))
        if target.is_absolute():
            current = PurePosixPath(*target.parts[1:])
        else:
            current = PurePosixPath(
                os.path.normpath(str(current.parent / target))
            )
    raise ScotchError(f"{rel} in {tree}: too many symbolic links")


def elf_needed(path: Path) -> list[str]:
    """The DT_NEEDED entries of an ELF file (``readelf -d``)."""
    proc = run_tool(
        ["readelf", "-d", str(path)], what="readelf (binutils)", timeout=60
    )
    if proc.returncode != 0:
        raise ScotchError(f"readelf -d {path}: {proc.stderr.strip()}")
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^]]+)\]", proc.stdout)


def library_closure(tree: Path, programs: Iterable[str]) -> dict[str, Path]:
    """Every shared library ``programs`` load, as ``{path in image: file
    in tree}``, found in ``LIB_DIRS``."""
    found: dict[str, Path] = {}
    todo = [resolve_in(tree, p) for p in programs]
    while todo:
        for soname in elf_needed(todo.pop()):
            if any(k.endswith("/" + soname) for k in found):
                continue
            rel, real = _find_library(tree, soname)
            found[rel] = real
            todo.append(real)
    return found


def _find_library(tree: Path, soname: str) -> tuple[str, Path]:
    for directory in LIB_DIRS:
        rel = f"{directory}/{soname}"
        if (tree / rel).exists() or (tree / rel).is_symlink():
            return rel, resolve_in(tree, rel)
    raise ScotchError(
        f"shared library {soname}: in none of the recipe's packages "
        f"(looked in {', '.join(LIB_DIRS)}); add its package to recipe.txt"
    )
