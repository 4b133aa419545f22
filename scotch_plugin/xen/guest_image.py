"""What the domU image holds besides busybox and ``/init``: the guest
workloads and, when the user supplies them, real PARSEC programs.

``domu_files`` lists the files as ``{path in image: (bytes, mode)}``;
:mod:`scotch_plugin.xen.boot_images` packs them into ``domU.cpio.gz``
and hashes them into its build key, so a changed program or PARSEC file
rebuilds the images.

- ``scotch/bin/<name>``: each of ``guest_workloads.WORKLOADS``, built
  from ``workloads/guest/`` (static x86-64 executables), and
  ``scotch/bin/parsec-run``, the loop that runs a PARSEC program.
- ``parsec/...``: the tree at ``$SCOTCH_PARSEC_DIR``, if set (see
  ``workloads/guest/README.md``). Its top-level executables are the
  workloads ``parsec:<name>``; an ELF one must be statically linked (the
  domU has no shared libraries), anything else must be a ``#!`` script.
"""

from __future__ import annotations

import os
import re
import stat
import struct
from pathlib import Path

from scotch_plugin import project, workload_build
from scotch_plugin.errors import ScotchError

#: Where the workloads and PARSEC's files are in the domU image.
GUEST_BIN = "scotch/bin"
PARSEC_ROOT = "parsec"

#: The environment variable naming a directory of PARSEC programs.
PARSEC_ENV = "SCOTCH_PARSEC_DIR"

#: A name that can stand in ``scotch.workload=parsec:<name>``.
_NAME = re.compile(r"[A-Za-z0-9_+-][A-Za-z0-9._+-]*")

_PT_INTERP = 3


def parsec_run_script() -> Path:
    return project.root() / "workloads" / "guest" / "parsec-run"


def parsec_dir() -> Path | None:
    """``$SCOTCH_PARSEC_DIR`` as a directory, or None when unset."""
    value = os.environ.get(PARSEC_ENV, "")
    if not value:
        return None
    path = Path(value)
    if not path.is_dir():
        raise ScotchError(f"{PARSEC_ENV}={value}: not a directory")
    return path


def domu_files() -> dict[str, tuple[bytes, int]]:
    """Every file the workloads add to the domU image (builds them)."""
    files = {
        f"{GUEST_BIN}/{name}": (path.read_bytes(), 0o755)
        for name, path in workload_build.guest_programs().items()
    }
    files[f"{GUEST_BIN}/parsec-run"] = (
        parsec_run_script().read_bytes(),
        0o755,
    )
    directory = parsec_dir()
    if directory is not None:
        for rel, entry in parsec_files(directory).items():
            files[f"{PARSEC_ROOT}/{rel}"] = entry
    return files


def parsec_files(directory: Path) -> dict[str, tuple[bytes, int]]:
    """The files under ``directory`` as ``{relative path: (bytes,
    mode)}``, after checking its programs can run in the domU."""
    files: dict[str, tuple[bytes, int]] = {}
    for dirpath, dirnames, filenames in os.walk(directory):
        dirnames.sort()
        here = Path(dirpath)
        for name in sorted(filenames) + [
            d for d in dirnames if (here / d).is_symlink()
        ]:
            path = here / name
            if not path.is_file():
                raise ScotchError(
                    f"{path}: not a regular file (or a symbolic link to "
                    f"one); {PARSEC_ENV} may hold only files and "
                    "directories"
                )
            mode = 0o755 if os.access(path, os.X_OK) else 0o644
            rel = path.relative_to(directory).as_posix()
            files[rel] = (path.read_bytes(), mode)
    programs = parsec_programs(directory, files)
    if not programs:
        raise ScotchError(
            f"{PARSEC_ENV}={directory}: no executable file at its top "
            "level, so no parsec:<name> workload"
        )
    return files


def parsec_programs(
    directory: Path, files: dict[str, tuple[bytes, int]] | None = None
) -> list[str]:
    """The workload names ``parsec:<name>`` the directory provides (its
    top-level executables), each checked to run in the domU."""
    if files is None:
        files = {
            p.name: (p.read_bytes(), 0o755)
            for p in sorted(directory.iterdir())
            if p.is_file() and os.access(p, os.X_OK)
        }
    names = []
    for rel, (data, mode) in sorted(files.items()):
        if "/" in rel or not mode & stat.S_IXUSR:
            continue
        where = directory / rel
        if not _NAME.fullmatch(rel):
            raise ScotchError(
                f"{where}: a program name may hold only letters, digits "
                "and . _ + - (it goes on the kernel command line)"
            )
        _check_runs_in_domu(where, data)
        names.append(rel)
    return names


def _check_runs_in_domu(path: Path, data: bytes) -> None:
    if data[:2] == b"#!":
        return
    if data[:4] != b"\x7fELF" or len(data) < 64:
        raise ScotchError(
            f"{path}: executable but neither an ELF program nor a #! script"
        )
    if data[4] == 2:  # ELFCLASS64
        fmt, phoff_at, sizes_at = "<Q", 32, 54
    else:
        fmt, phoff_at, sizes_at = "<I", 28, 42
    machine = struct.unpack_from("<H", data, 18)[0]
    if machine not in (3, 62):  # EM_386, EM_X86_64
        raise ScotchError(
            f"{path}: an ELF program for machine {machine}, not x86"
        )
    (phoff,) = struct.unpack_from(fmt, data, phoff_at)
    phentsize, phnum = struct.unpack_from("<HH", data, sizes_at)
    for i in range(phnum):
        off = phoff + i * phentsize
        if off + 4 > len(data):
            raise ScotchError(f"{path}: truncated ELF program headers")
        if struct.unpack_from("<I", data, off)[0] == _PT_INTERP:
            raise ScotchError(
                f"{path}: dynamically linked (it names an ELF "
                "interpreter), but the domU has no shared libraries: "
                "build PARSEC with static linking (LDFLAGS=-static)"
            )
