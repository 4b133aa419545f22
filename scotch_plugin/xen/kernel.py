"""Scotch's PV kernel: a small Linux for dom0 and the domUs on gem5.

Debian's kernel costs a gem5 boot about 2.5 G instructions per guest
kernel before its ``/init`` (README, "Xen in gem5"), most of it on work a
simulated PV guest does not need: a p2m list sized for 512 GiB of memory
hotplug, the crypto self-tests, the W+X page-table walk, and unpacking
modules. This module builds Debian's own kernel source
(``linux-source-6.1``, from apt like every other package of the images)
with ``make tinyconfig`` and the options in
``workloads/xen/kernel/scotch-pv.config``, everything built in.

The build is kept in ``build/kernel/`` under a key of its inputs (the
source package's version, the fragment, the compiler); a rerun with the
same inputs does nothing. Every option of the fragment is checked in the
final ``.config``: one Kconfig dropped (a missing dependency) is an error
naming it, not a kernel that boots without it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from scotch_plugin import project
from scotch_plugin.errors import ScotchError
from scotch_plugin.xen.debian import apt_show, extract_deb, fetch_debs

SOURCE_PACKAGE = "linux-source-6.1"
#: Bump when the steps below change what the build produces.
BUILD_FORMAT = 2
#: A reproducible build: no host, user or date in the kernel's banner.
BUILD_ENV = {
    "KBUILD_BUILD_TIMESTAMP": "1970-01-01",
    "KBUILD_BUILD_USER": "scotch",
    "KBUILD_BUILD_HOST": "scotch-gem5",
    "KBUILD_BUILD_VERSION": "1",
}
OPTION_RE = re.compile(r"^CONFIG_(\w+)=(.*)$")
UNSET_RE = re.compile(r"^# CONFIG_(\w+) is not set$")


def fragment() -> Path:
    return project.root() / "workloads" / "xen" / "kernel" / "scotch-pv.config"


def default_out() -> Path:
    return project.build_dir() / "kernel"


@dataclass(frozen=True)
class KernelBuild:
    """The built kernel: ``bzImage`` (Xen's and xl's loaders take it),
    ``vmlinux`` (the ELF, which xl loads with nothing to inflate), and
    ``System.map`` (where the observer reads a guest's hostname)."""

    bzimage: Path
    vmlinux: Path
    system_map: Path
    version: str

    def symbol(self, name: str) -> int:
        return symbol(self.system_map, name)


def symbol(system_map: Path, name: str) -> int:
    """The address of ``name`` in a ``System.map``."""
    for line in system_map.read_text().splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[2] == name:
            return int(fields[0], 16)
    raise ScotchError(f"{system_map}: no symbol {name}")


def wanted_options(path: Path) -> dict[str, str]:
    """The fragment's options: name to value (``n`` for "is not set")."""
    wanted: dict[str, str] = {}
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        m = OPTION_RE.match(line) or UNSET_RE.match(line)
        if m:
            wanted[m[1]] = m[2] if m.re is OPTION_RE else "n"
        elif line and not line.startswith("#"):
            raise ScotchError(
                f"{path}:{number}: expected CONFIG_NAME=value or "
                f"'# CONFIG_NAME is not set', got {line!r}"
            )
    return wanted


def config_problems(config: Path, wanted: dict[str, str]) -> list[str]:
    """The fragment's options the final ``.config`` does not have."""
    have: dict[str, str] = {}
    for line in config.read_text().splitlines():
        m = OPTION_RE.match(line.strip())
        if m:
            have[m[1]] = m[2]
    return [
        f"CONFIG_{name}: wanted {value}, got {have.get(name, 'n')}"
        for name, value in wanted.items()
        if have.get(name, "n") != value
    ]


def build_key(source_version: str) -> str:
    compiler = subprocess.run(
        ["gcc", "--version"], capture_output=True, text=True, check=False
    ).stdout.splitlines()[:1]
    digest = hashlib.sha256(f"format {BUILD_FORMAT}\n".encode())
    digest.update(f"source {SOURCE_PACKAGE} {source_version}\n".encode())
    digest.update(f"gcc {compiler}\n".encode())
    digest.update(fragment().read_bytes())
    return digest.hexdigest()


def build_kernel(out: Path | None = None, jobs: int = 0) -> KernelBuild:
    """Build the kernel into ``out`` (default ``build/kernel``) unless a
    build of the same inputs is there; progress goes to stdout."""
    out = out or default_out()
    version = apt_show([SOURCE_PACKAGE])[SOURCE_PACKAGE]["Version"]
    key = build_key(version)
    result = KernelBuild(
        bzimage=out / "bzImage",
        vmlinux=out / "vmlinux",
        system_map=out / "System.map",
        version=version,
    )
    stamp = out / "stamp.json"
    outputs = (result.bzimage, result.vmlinux, result.system_map)
    if _stamp_key(stamp) == key and all(p.is_file() for p in outputs):
        return result
    stamp.unlink(missing_ok=True)
    src = _source(out, version)
    obj = out / "obj"
    obj.mkdir(parents=True, exist_ok=True)
    make = ["make", "-C", str(src), f"O={obj}", "ARCH=x86_64"]
    _run([*make, "tinyconfig"], "make tinyconfig")
    _run(
        [
            str(src / "scripts/kconfig/merge_config.sh"),
            "-m",
            "-O",
            str(obj),
            str(obj / ".config"),
            str(fragment()),
        ],
        "merge_config.sh",
        cwd=src,
    )
    _run([*make, "olddefconfig"], "make olddefconfig")
    problems = config_problems(obj / ".config", wanted_options(fragment()))
    if problems:
        raise ScotchError(
            f"{fragment()}: Kconfig did not take "
            + "; ".join(problems)
            + " (a dependency is missing from the fragment)"
        )
    jobs = jobs or os.cpu_count() or 1
    print(f"scotch kernel: building {SOURCE_PACKAGE} {version} "
          f"with {jobs} jobs in {obj}", flush=True)  # fmt: skip
    _run([*make, f"-j{jobs}", "vmlinux", "bzImage"], "make", progress=True)
    shutil.copyfile(obj / "arch/x86/boot/bzImage", result.bzimage)
    shutil.copyfile(obj / "vmlinux", result.vmlinux)
    shutil.copyfile(obj / "System.map", result.system_map)
    shutil.copyfile(obj / ".config", out / "config")
    stamp.write_text(json.dumps({"key": key, "source": version}, indent=1))
    return result


def _source(out: Path, version: str) -> Path:
    """The unpacked source tree of ``version``, unpacked once."""
    src = out / f"linux-source-{version}"
    if (src / "Makefile").is_file():
        return src
    debs = fetch_debs({SOURCE_PACKAGE: version}, out / "debs")
    tree = out / "deb"
    shutil.rmtree(tree, ignore_errors=True)
    extract_deb(debs[SOURCE_PACKAGE], tree)
    tarballs = sorted((tree / "usr/src").glob("linux-source-*.tar.xz"))
    if len(tarballs) != 1:
        raise ScotchError(
            f"{debs[SOURCE_PACKAGE]}: expected one usr/src/linux-source-"
            f"*.tar.xz, found {[t.name for t in tarballs]}"
        )
    print(f"scotch kernel: unpacking {tarballs[0].name}", flush=True)
    partial = out / "src.partial"
    shutil.rmtree(partial, ignore_errors=True)
    with tarfile.open(tarballs[0]) as tar:
        tar.extractall(partial, filter="tar")
    (top,) = list(partial.iterdir())
    top.rename(src)
    shutil.rmtree(partial)
    shutil.rmtree(tree)
    return src


def _run(
    cmd: list[str], what: str, cwd: Path | None = None, progress: bool = False
) -> None:
    """Run a build step; on failure, an error with the tail of its log."""
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        env={**os.environ, **BUILD_ENV},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    tail: list[str] = []
    compiled = 0
    for line in proc.stdout:
        tail = (tail + [line.rstrip()])[-30:]
        if progress and line.lstrip().startswith("CC "):
            compiled += 1
            if compiled % 200 == 0:
                print(f"scotch kernel: {compiled} files compiled", flush=True)
    if proc.wait() != 0:
        raise ScotchError(
            f"kernel build: {what} failed (exit {proc.returncode}):\n"
            + "\n".join(tail)
        )


def _stamp_key(stamp: Path) -> str | None:
    try:
        return str(json.loads(stamp.read_text())["key"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


if __name__ == "__main__":
    built = build_kernel()
    print(f"scotch kernel: {built.bzimage} ({built.version})")
