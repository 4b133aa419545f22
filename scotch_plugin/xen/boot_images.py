"""Xen 4.17 with a dom0 and PV domUs on QEMU (TCG), from Debian packages.

``build_images`` turns the recipe in ``workloads/xen/`` into four boot
artefacts in ``build/xen/``: the Xen image (gunzipped), the kernel that
dom0 and the domUs share, dom0's initramfs (busybox, the ``xl``
toolstack, the domU kernel and initramfs) and the domUs' initramfs
(busybox and a CPU-bound workload). Packages come from Debian's registry
through ``apt-get download``; the result is rebuilt only when the recipe
files or the package versions in apt's lists change.

``run_xen`` boots Xen on QEMU; dom0's ``/init`` starts the domUs with
``xl create``, waits for them, prints Xen's per-domain CPU time as
``SCOTCH-XEN {json}`` lines and powers the machine off. The lines are
parsed into a ``XenReport``.

Command line: ``python3 -m scotch_plugin.xen.boot_images build|run``.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import math
import os
import re
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from scotch_plugin import project
from scotch_plugin.errors import ScotchError
from scotch_plugin.platforms import qemu
from scotch_plugin.proc import run_tool
from scotch_plugin.xen import guest_image, vmlinux

#: Bump when the packing below changes what the artefacts contain.
PACKING_FORMAT = 2

#: Where, inside the packages, the Xen image and shared libraries are.
XEN_GZ = "boot/xen-4.17-amd64.gz"
LIB_DIRS = ("lib/x86_64-linux-gnu", "usr/lib/x86_64-linux-gnu")
LOADER = "lib64/ld-linux-x86-64.so.2"

#: QEMU 7.2's TCG ``max`` CPU without SMAP (dom0 takes a #PF under it)
#: and without XSAVEC, XSAVEOPT and XGETBV1. With them, while two domUs
#: ran, about one shell pipeline in five inside a domU lost its output,
#: and ``xl create`` in dom0 now and then failed to unpack the domU
#: kernel ("unable to XZ decompress kernel"). Dropping any one or two of
#: the three did not help; dropping all three (or QEMU's default qemu64
#: CPU) did: 0 of 900 pipelines lost.
CPU = "max,-smap,-xsavec,-xsaveopt,-xgetbv1"

REPORT_PREFIX = "SCOTCH-XEN "
WORK_PREFIX = "SCOTCH-WORK "


# -- the recipe -----------------------------------------------------------


@dataclass(frozen=True)
class Recipe:
    """``workloads/xen/recipe.txt`` and the init scripts beside it."""

    directory: Path
    hypervisor: str
    kernel: str
    busybox: str
    packages: tuple[str, ...]
    programs: tuple[str, ...]
    libraries: tuple[str, ...]
    modules: tuple[str, ...]

    @property
    def dom0_init(self) -> Path:
        return self.directory / "dom0-init"

    @property
    def domu_init(self) -> Path:
        return self.directory / "domU-init"

    def files(self) -> list[Path]:
        return [self.directory / "recipe.txt", self.dom0_init, self.domu_init]


def recipe_dir() -> Path:
    return project.root() / "workloads" / "xen"


def read_recipe(directory: Path | None = None) -> Recipe:
    """Parse ``recipe.txt``; an unknown kind or a missing entry is an
    error naming the line."""
    directory = directory or recipe_dir()
    path = directory / "recipe.txt"
    try:
        text = path.read_text()
    except OSError as exc:
        raise ScotchError(f"{path}: cannot read: {exc.strerror}") from None
    entries: dict[str, list[str]] = {
        k: [] for k in ("hypervisor", "kernel", "busybox")
    }
    entries.update(
        {k: [] for k in ("package", "program", "library", "module")}
    )
    for number, line in enumerate(text.splitlines(), 1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        if len(words) != 2 or words[0] not in entries:
            raise ScotchError(
                f"{path}:{number}: expected '<kind> <value>' with kind one "
                f"of {', '.join(entries)}: {line.strip()!r}"
            )
        entries[words[0]].append(words[1])
    for single in ("hypervisor", "kernel", "busybox"):
        if len(entries[single]) != 1:
            raise ScotchError(f"{path}: needs exactly one '{single}' line")
    return Recipe(
        directory=directory,
        hypervisor=entries["hypervisor"][0],
        kernel=entries["kernel"][0],
        busybox=entries["busybox"][0],
        packages=tuple(entries["package"]),
        programs=tuple(entries["program"]),
        libraries=tuple(entries["library"]),
        modules=tuple(entries["module"]),
    )


# -- Debian packages ------------------------------------------------------


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


def package_versions(recipe: Recipe) -> dict[str, str]:
    """Every package the images use, with apt's candidate version."""
    names = [recipe.hypervisor, kernel_package(recipe.kernel)]
    names += [recipe.busybox, *recipe.packages]
    shown = apt_show(names)
    return {name: shown[name]["Version"] for name in names}


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


# -- cpio (newc) archives -------------------------------------------------


@dataclass
class Cpio:
    """An initramfs being assembled: directories, files, links, nodes."""

    entries: dict[str, tuple[int, bytes, int]] = field(default_factory=dict)

    def directory(self, path: str) -> None:
        parts = PurePosixPath(path).parts
        for i in range(1, len(parts) + 1):
            self.entries.setdefault("/".join(parts[:i]), (0o040755, b"", 0))

    def file(self, path: str, data: bytes, mode: int = 0o755) -> None:
        self.directory(str(PurePosixPath(path).parent))
        self.entries[path] = (0o100000 | mode, data, 0)

    def symlink(self, path: str, target: str) -> None:
        self.directory(str(PurePosixPath(path).parent))
        self.entries[path] = (0o120777, target.encode(), 0)

    def char_device(self, path: str, major: int, minor: int) -> None:
        self.directory(str(PurePosixPath(path).parent))
        self.entries[path] = (0o020600, b"", (major << 8) | minor)

    def pack(self) -> bytes:
        """The gzip-compressed newc archive (reproducible: no times)."""
        out = bytearray()
        for ino, (name, (mode, data, rdev)) in enumerate(
            sorted(self.entries.items()), 1
        ):
            out += _cpio_entry(ino, name, mode, data, rdev)
        out += _cpio_entry(0, "TRAILER!!!", 0, b"", 0)
        return gzip.compress(bytes(out), compresslevel=9, mtime=0)


def _cpio_entry(
    ino: int, name: str, mode: int, data: bytes, rdev: int
) -> bytes:
    raw = name.encode() + b"\0"
    nlink = 2 if mode & 0o170000 == 0o040000 else 1
    fields = (ino, mode, 0, 0, nlink, 0, len(data), 0, 0, rdev >> 8)
    fields += (rdev & 0xFF, len(raw), 0)
    head = b"070701" + b"".join(b"%08X" % f for f in fields) + raw
    head += b"\0" * (-len(head) % 4)
    return head + data + b"\0" * (-len(data) % 4)


def base_image(busybox: Path, init: Path) -> Cpio:
    """busybox, ``/init`` and the mount points both images need."""
    image = Cpio()
    for d in ("bin", "sbin", "usr/bin", "usr/sbin", "proc", "sys", "dev"):
        image.directory(d)
    image.directory("run")
    image.directory("tmp")
    image.char_device("dev/console", 5, 1)
    image.file("bin/busybox", busybox.read_bytes())
    image.file("init", init.read_bytes())
    return image


def domu_image(busybox: Path, init: Path) -> Cpio:
    """The domUs' initramfs: ``base_image`` and the guest workloads
    (``guest_image.domu_files``: ``/scotch/bin``, PARSEC's ``/parsec``)."""
    image = base_image(busybox, init)
    for path, (data, mode) in guest_image.domu_files().items():
        image.file(path, data, mode)
    return image


# -- the build ------------------------------------------------------------


@dataclass(frozen=True)
class XenImages:
    """The boot artefacts: Xen, the shared kernel (and its uncompressed
    ELF, for gem5), the two initramfs."""

    xen: Path
    kernel: Path
    dom0_initrd: Path
    domu_initrd: Path
    versions: dict[str, str]
    vmlinux: Path | None = None

    @classmethod
    def at(cls, out: Path, versions: dict[str, str]) -> XenImages:
        return cls(
            xen=out / "xen-4.17-amd64",
            kernel=out / "vmlinuz",
            dom0_initrd=out / "dom0.cpio.gz",
            domu_initrd=out / "domU.cpio.gz",
            versions=versions,
            vmlinux=out / "vmlinux",
        )

    def paths(self) -> list[Path]:
        extra = [self.vmlinux] if self.vmlinux else []
        return [
            self.xen,
            self.kernel,
            self.dom0_initrd,
            self.domu_initrd,
        ] + extra


def default_out() -> Path:
    return project.build_dir() / "xen"


def scotch_reader() -> Path:
    """Scotch's reader (``workloads/scotch/reader.c``), built if needed."""
    from scotch_plugin.workload_build import scons

    scons("build/workloads/scotch/scotch-reader")
    return project.build_dir() / "workloads" / "scotch" / "scotch-reader"


def scotch_m5() -> Path:
    """gem5's pseudo-instructions for dom0 on gem5
    (``workloads/xen/tools/scotch-m5.c``), built if needed."""
    from scotch_plugin.workload_build import scons

    scons("build/workloads/xen/scotch-m5")
    return project.build_dir() / "workloads" / "xen" / "scotch-m5"


def dom0_tools() -> dict[str, Path]:
    """Our programs in dom0's image, by their path in it."""
    return {
        # Scotch's tenant-side reader: dom0 relays ledger snapshots.
        "usr/bin/scotch-reader": scotch_reader(),
        # m5 exit, checkpoint, work begin/end when dom0 runs on gem5.
        "usr/bin/scotch-m5": scotch_m5(),
    }


def build_key(recipe: Recipe, versions: dict[str, str]) -> str:
    """A digest of every input: recipe files, package versions, format,
    and the files the guest workloads add to the domU image."""
    digest = hashlib.sha256(f"format {PACKING_FORMAT}\n".encode())
    for name, version in sorted(versions.items()):
        digest.update(f"package {name} {version}\n".encode())
    for path in recipe.files():
        digest.update(f"file {path.name}\n".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    for rel, tool in sorted(dom0_tools().items()):
        digest.update(f"tool {rel}\n".encode())
        digest.update(hashlib.sha256(tool.read_bytes()).digest())
    for rel, (data, mode) in sorted(guest_image.domu_files().items()):
        digest.update(f"guest {rel} {mode:o}\n".encode())
        digest.update(hashlib.sha256(data).digest())
    return digest.hexdigest()


def build_images(
    out: Path | None = None, recipe: Recipe | None = None
) -> XenImages:
    """Build the artefacts into ``out`` unless a build with the same
    inputs is already there."""
    out = out or default_out()
    recipe = recipe or read_recipe()
    versions = package_versions(recipe)
    key = build_key(recipe, versions)
    images = XenImages.at(out, versions)
    stamp = out / "stamp.json"
    if _stamp_key(stamp) == key and all(p.is_file() for p in images.paths()):
        return images
    stamp.unlink(missing_ok=True)
    debs = fetch_debs(versions, out / "debs")
    with tempfile.TemporaryDirectory(dir=out) as tmp:
        _assemble(recipe, versions, debs, Path(tmp), images)
    stamp.write_text(json.dumps({"key": key, "versions": versions}, indent=1))
    return images


def _stamp_key(stamp: Path) -> str | None:
    try:
        return str(json.loads(stamp.read_text())["key"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _assemble(
    recipe: Recipe,
    versions: dict[str, str],
    debs: dict[str, Path],
    tmp: Path,
    images: XenImages,
) -> None:
    tree = tmp / "tree"
    for package in versions:
        extract_deb(debs[package], tree)
    xen = gzip.decompress(resolve_in(tree, XEN_GZ).read_bytes())
    kernel_version = kernel_package(recipe.kernel).removeprefix("linux-image-")
    kernel = resolve_in(tree, f"boot/vmlinuz-{kernel_version}").read_bytes()
    busybox = resolve_in(tree, "bin/busybox")
    domu = domu_image(busybox, recipe.domu_init).pack()
    dom0 = _dom0_image(recipe, tree, kernel_version, busybox)
    dom0.file("boot/vmlinuz", kernel, 0o644)
    # The same kernel as a gzipped ELF, for domUs on gem5: xl inflates it
    # in a fraction of the instructions the bzImage's XZ costs there.
    elf = vmlinux.extract(kernel, "vmlinuz")
    dom0.file("boot/vmlinux.gz", gzip.compress(elf, 6, mtime=0), 0o644)
    dom0.file("boot/domU.cpio.gz", domu, 0o644)
    for rel, tool in dom0_tools().items():
        dom0.file(rel, tool.read_bytes())
    _write(images.xen, xen)
    _write(images.kernel, kernel)
    if images.vmlinux:
        _write(images.vmlinux, vmlinux.extract(kernel, str(images.kernel)))
    _write(images.domu_initrd, domu)
    _write(images.dom0_initrd, dom0.pack())


def _dom0_image(
    recipe: Recipe, tree: Path, kernel_version: str, busybox: Path
) -> Cpio:
    image = base_image(busybox, recipe.dom0_init)
    for d in ("etc", "var/lib", "var/log", "usr/lib/xen-4.17/bin"):
        image.directory(d)
    image.symlink("var/run", "/run")
    # The loader itself comes in as libc's NEEDED entry.
    image.symlink(LOADER, "/" + LIB_DIRS[0] + "/ld-linux-x86-64.so.2")
    for program in recipe.programs:
        image.file(program, resolve_in(tree, program).read_bytes())
    loaded = [*recipe.programs, *recipe.libraries]
    for library in recipe.libraries:
        image.file(library, resolve_in(tree, library).read_bytes())
    for rel, real in library_closure(tree, loaded).items():
        image.file(rel, real.read_bytes())
    modules = f"lib/modules/{kernel_version}/kernel"
    for module in recipe.modules:
        data = resolve_in(tree, f"{modules}/{module}").read_bytes()
        image.file(f"lib/modules/xen/{Path(module).name}", data, 0o644)
    return image


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


# -- running it -----------------------------------------------------------


@dataclass(frozen=True)
class DomainReport:
    """What Xen accounted to one domain, and what its workload printed."""

    name: str
    domid: int
    cpu_seconds: float
    state: str
    output: str

    @property
    def work(self) -> dict[str, str]:
        """The workload's ``key=value`` result fields (empty if none)."""
        text = self.output.removeprefix(WORK_PREFIX.strip()).strip()
        return dict(w.split("=", 1) for w in text.split() if "=" in w)


@dataclass
class XenReport:
    """A parsed run: the domUs, dom0, per-vCPU times and dom0's events."""

    domus: list[DomainReport]
    dom0: DomainReport
    vcpus: list[dict[str, object]]
    events: dict[str, dict[str, object]]
    host_seconds: float
    serial: str
    command: list[str]


def machine(smp: int, memory_mb: int, smm: bool = False) -> list[str]:
    """QEMU's options for the Xen machine, up to the kernel: q35 (with
    SMM for Scotch), TCG, the CPU above, the serial console on stdio and
    the debug-exit port."""
    return [
        qemu.qemu_binary(),
        "-machine", "q35,smm=on" if smm else "q35",
        "-accel", "tcg",
        "-cpu", CPU,
        "-smp", str(smp),
        "-m", str(memory_mb),
        "-display", "none",
        "-no-reboot",
        "-serial", "stdio",
        "-monitor", "none",
        "-device",
        f"isa-debug-exit,iobase={qemu.DEBUG_EXIT_PORT:#x},iosize=0x04",
    ]  # fmt: skip


def check_initrd_paths(paths: Iterable[Path]) -> None:
    """QEMU's multiboot ``-initrd`` list is split at commas and each item
    at its first space: the paths in it may hold neither."""
    for path in paths:
        if "," in str(path) or " " in str(path):
            raise ScotchError(
                f"{path}: QEMU's multiboot -initrd list cannot hold a path "
                "with a comma or a space; build elsewhere"
            )


def xen_command(
    images: XenImages,
    domus: int = 2,
    seconds: int = 3,
    domu_memory_mb: int = 128,
    dom0_memory_mb: int = 512,
    smp: int = 1,
    dom0_extra: str = "",
) -> list[str]:
    """The QEMU command that boots Xen with dom0 and its parameters
    (``dom0_extra``: more of dom0's ``scotch.*`` options)."""
    check_initrd_paths(images.paths())
    memory = dom0_memory_mb + domus * (domu_memory_mb + 16) + 256
    xen_args = (
        f"console=com1 dom0_mem={dom0_memory_mb}M,max:{dom0_memory_mb}M "
        f"dom0_max_vcpus=1"
    )
    dom0_args = (
        f"console=hvc0 quiet scotch.domus={domus} "
        f"scotch.seconds={seconds} scotch.mem={domu_memory_mb}"
    )
    if dom0_extra:
        dom0_args += f" {dom0_extra}"
    return [
        *machine(smp, memory),
        "-kernel", str(images.xen),
        "-append", xen_args,
        "-initrd",
        f"{images.kernel} {dom0_args},{images.dom0_initrd}",
    ]  # fmt: skip


def run_xen(
    images: XenImages,
    domus: int = 2,
    seconds: int = 3,
    timeout: float = 900.0,
    **kwargs: int | str,
) -> XenReport:
    """Boot Xen on QEMU, run ``domus`` domUs for ``seconds`` each, and
    return what dom0 reported."""
    cmd = xen_command(images, domus, seconds, **kwargs)
    result = qemu.run(cmd, timeout=timeout)
    return parse_report(result.serial, result.host_seconds, cmd)


def report_records(serial: str) -> list[dict[str, object]]:
    """The JSON objects of dom0's ``SCOTCH-XEN`` lines, in order. Only
    whole lines count: a guest's text reaches the console behind dom0's
    ``SCOTCH-DOMU <name>: `` prefix, so it cannot make a record."""
    records = []
    for match in re.finditer(r"^SCOTCH-XEN (\{.*\})\s*$", serial, re.M):
        try:
            records.append(json.loads(match.group(1)))
        except ValueError:
            raise ScotchError(
                f"dom0 printed a report line that is not JSON: "
                f"{match.group(0)!r}"
            ) from None
    return records


def parse_report(
    serial: str, host_seconds: float, command: list[str]
) -> XenReport:
    """Turn dom0's console lines into a ``XenReport``; a run that failed
    or stopped early is an error with the console's tail."""
    records = report_records(serial)
    tail = serial[-3000:]
    for rec in records:
        if "error" in rec:
            raise ScotchError(f"dom0 failed: {rec['error']}\n{tail}")
    events = {str(r["event"]): r for r in records if "event" in r}
    if "done" not in events:
        raise ScotchError(f"Xen run ended before dom0's report:\n{tail}")
    domains = [_domain(r) for r in records if "domain" in r]
    seen: set[int] = set()
    for d in domains:
        if d.domid in seen:
            raise ScotchError(f"dom0 reported domid {d.domid} twice:\n{tail}")
        seen.add(d.domid)
    dom0 = [d for d in domains if d.domid == 0]
    if len(dom0) != 1:
        raise ScotchError(f"dom0's report has no Domain-0 line:\n{tail}")
    return XenReport(
        domus=[d for d in domains if d.domid != 0],
        dom0=dom0[0],
        vcpus=[r for r in records if "vcpu" in r],
        events=events,
        host_seconds=host_seconds,
        serial=serial,
        command=command,
    )


def _domain(record: dict[str, object]) -> DomainReport:
    try:
        report = DomainReport(
            name=str(record["domain"]),
            domid=int(str(record["domid"])),
            cpu_seconds=float(str(record["cpu_seconds"])),
            state=str(record["state"]),
            output=str(record["output"]),
        )
    except (KeyError, ValueError) as exc:
        raise ScotchError(f"bad domain report line {record}: {exc}") from None
    if not math.isfinite(report.cpu_seconds) or report.cpu_seconds < 0:
        raise ScotchError(
            f"bad domain report line {record}: cpu_seconds must be a "
            "finite number >= 0"
        )
    return report


def lcg_checksum(iterations: int) -> int:
    """The domU workload's checksum after ``iterations`` steps (the same
    arithmetic as ``workloads/xen/domU-init``), to check its output."""
    x, total = 1, 0
    for _ in range(iterations):
        x = (x * 1103515245 + 12345) & 0x7FFFFFFF
        total = (total + (x >> 16)) & 0xFFFFFFFF
    return total


# -- command line ---------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python3 -m scotch_plugin.xen.boot_images",
        description="Build the Xen images from Debian packages; run Xen "
        "with dom0 and PV domUs on QEMU (TCG).",
    )
    parser.add_argument("action", choices=["build", "run"])
    parser.add_argument("--out", type=Path, help="artefact directory")
    parser.add_argument("--domus", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--smp", type=int, default=1)
    parser.add_argument("--serial", action="store_true", help="echo it")
    args = parser.parse_args(argv)
    try:
        images = build_images(args.out)
        if args.action == "build":
            for path in images.paths():
                print(f"{path}  {path.stat().st_size} bytes")
            return 0
        report = run_xen(images, args.domus, args.seconds, smp=args.smp)
    except ScotchError as exc:
        print(f"scotch xen: {exc}", file=sys.stderr)
        return 1
    if args.serial:
        print(report.serial)
    _print_report(report)
    return 0


def _print_report(report: XenReport) -> None:
    for dom in [report.dom0, *report.domus]:
        print(
            f"{dom.name:12} domid {dom.domid:2}  cpu {dom.cpu_seconds:7.1f} s"
            f"  {dom.output}"
        )
    print(f"host time {report.host_seconds:.1f} s")


if __name__ == "__main__":
    sys.exit(main())
