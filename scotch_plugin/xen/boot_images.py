"""The boot images of Xen 4.17 with a dom0 and PV domUs, from Debian
packages.

``build_images`` turns the recipe in ``workloads/xen/`` into four boot
artefacts in ``build/xen/``: the Xen image (gunzipped), the kernel that
dom0 and the domUs share, dom0's initramfs (busybox, the ``xl``
toolstack, the domU kernel and initramfs) and the domUs' initramfs
(busybox and a CPU-bound workload). Packages come from Debian's registry
through ``apt-get download`` (:mod:`scotch_plugin.xen.debian`); the
result is rebuilt only when the recipe files or the package versions in
apt's lists change. :mod:`scotch_plugin.platforms.qemu_xen` boots them.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from scotch_plugin import project
from scotch_plugin.errors import ScotchError
from scotch_plugin.xen import guest_image, kernel, vmlinux
from scotch_plugin.xen.cpio import Cpio
from scotch_plugin.xen.debian import (
    LIB_DIRS,
    apt_show,
    extract_deb,
    fetch_debs,
    kernel_package,
    library_closure,
    resolve_in,
)
from scotch_plugin.xen.kernel import KernelBuild

#: Bump when the packing below changes what the artefacts contain.
PACKING_FORMAT = 2

#: Where, inside the packages, the Xen image and the loader are.
XEN_GZ = "boot/xen-4.17-amd64.gz"
LOADER = "lib64/ld-linux-x86-64.so.2"

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


def package_versions(recipe: Recipe) -> dict[str, str]:
    """Every package the images use, with apt's candidate version."""
    names = [recipe.hypervisor, kernel_package(recipe.kernel)]
    names += [recipe.busybox, *recipe.packages]
    shown = apt_show(names)
    return {name: shown[name]["Version"] for name in names}


# -- the images -----------------------------------------------------------


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

    #: Scotch's PV kernel (:mod:`scotch_plugin.xen.kernel`) instead of
    #: Debian's: its ``System.map``, which names the kernel's symbols.
    system_map: Path | None = None

    @classmethod
    def at(
        cls, out: Path, versions: dict[str, str], pv_kernel: bool = False
    ) -> XenImages:
        cpio = "cpio" if pv_kernel else "cpio.gz"
        return cls(
            xen=out / "xen-4.17-amd64",
            kernel=out / "vmlinuz",
            dom0_initrd=out / f"dom0.{cpio}",
            domu_initrd=out / f"domU.{cpio}",
            versions=versions,
            vmlinux=out / "vmlinux",
            system_map=out / "System.map" if pv_kernel else None,
        )

    def paths(self) -> list[Path]:
        extra = [p for p in (self.vmlinux, self.system_map) if p]
        return [
            self.xen,
            self.kernel,
            self.dom0_initrd,
            self.domu_initrd,
        ] + extra


def default_out(pv_kernel: bool = False) -> Path:
    return project.build_dir() / ("xen-pv" if pv_kernel else "xen")


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


def scotch_xentime() -> Path:
    """Xen's CPU time of each domain in nanoseconds, for dom0
    (``workloads/xen/tools/scotch-xentime.c``), built if needed."""
    from scotch_plugin.workload_build import scons

    scons("build/workloads/xen/scotch-xentime")
    return project.build_dir() / "workloads" / "xen" / "scotch-xentime"


def dom0_tools() -> dict[str, Path]:
    """Our programs in dom0's image, by their path in it."""
    return {
        # Scotch's tenant-side reader: dom0 relays ledger snapshots.
        "usr/bin/scotch-reader": scotch_reader(),
        # m5 exit, checkpoint, work begin/end when dom0 runs on gem5.
        "usr/bin/scotch-m5": scotch_m5(),
        # Xen's view of a window: each domain's cpu_time at the exports.
        "usr/bin/scotch-xentime": scotch_xentime(),
    }


def build_key(
    recipe: Recipe, versions: dict[str, str], pv: KernelBuild | None = None
) -> str:
    """A digest of every input: recipe files, package versions, format,
    the files the guest workloads add to the domU image, and Scotch's PV
    kernel when it replaces Debian's."""
    digest = hashlib.sha256(f"format {PACKING_FORMAT}\n".encode())
    if pv:
        digest.update(b"pv-kernel\n")
        digest.update(hashlib.sha256(pv.bzimage.read_bytes()).digest())
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
    out: Path | None = None,
    recipe: Recipe | None = None,
    pv_kernel: bool = False,
) -> XenImages:
    """Build the artefacts into ``out`` unless a build with the same
    inputs is already there. With ``pv_kernel``, dom0 and the domUs run
    Scotch's PV kernel (built first, :mod:`scotch_plugin.xen.kernel`),
    and both initramfs are left uncompressed: the images for gem5,
    where every instruction of a boot costs host time."""
    out = out or default_out(pv_kernel)
    out.mkdir(parents=True, exist_ok=True)
    recipe = recipe or read_recipe()
    versions = package_versions(recipe)
    pv = kernel.build_kernel() if pv_kernel else None
    key = build_key(recipe, versions, pv)
    images = XenImages.at(out, versions, pv_kernel)
    stamp = out / "stamp.json"
    if _stamp_key(stamp) == key and all(p.is_file() for p in images.paths()):
        return images
    stamp.unlink(missing_ok=True)
    debs = fetch_debs(versions, out / "debs")
    with tempfile.TemporaryDirectory(dir=out) as tmp:
        _assemble(recipe, versions, debs, Path(tmp), images, pv)
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
    pv: KernelBuild | None = None,
) -> None:
    tree = tmp / "tree"
    for package in versions:
        extract_deb(debs[package], tree)
    xen = gzip.decompress(resolve_in(tree, XEN_GZ).read_bytes())
    busybox = resolve_in(tree, "bin/busybox")
    compress = pv is None
    domu = domu_image(busybox, recipe.domu_init).pack(compress)
    if pv:
        bzimage = pv.bzimage.read_bytes()
        elf = pv.vmlinux.read_bytes()
        # Built in: no modules to load.
        dom0 = _dom0_image(recipe, tree, None, busybox)
        # The ELF as it is: xl loads it with nothing to inflate.
        dom0.file("boot/vmlinux", elf, 0o644)
        dom0.file("boot/domU.cpio", domu, 0o644)
    else:
        kernel_version = kernel_package(recipe.kernel).removeprefix(
            "linux-image-"
        )
        bzimage = resolve_in(
            tree, f"boot/vmlinuz-{kernel_version}"
        ).read_bytes()
        elf = vmlinux.extract(bzimage, "vmlinuz")
        dom0 = _dom0_image(recipe, tree, kernel_version, busybox)
        # The same kernel as a gzipped ELF, for domUs on gem5: xl
        # inflates it in a fraction of the instructions the bzImage's
        # XZ costs there.
        dom0.file("boot/vmlinux.gz", gzip.compress(elf, 6, mtime=0), 0o644)
        dom0.file("boot/domU.cpio.gz", domu, 0o644)
    dom0.file("boot/vmlinuz", bzimage, 0o644)
    for rel, tool in dom0_tools().items():
        dom0.file(rel, tool.read_bytes())
    _write(images.xen, xen)
    _write(images.kernel, bzimage)
    if images.vmlinux:
        _write(images.vmlinux, elf)
    if images.system_map and pv:
        _write(images.system_map, pv.system_map.read_bytes())
    _write(images.domu_initrd, domu)
    _write(images.dom0_initrd, dom0.pack(compress))


def _dom0_image(
    recipe: Recipe, tree: Path, kernel_version: str | None, busybox: Path
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
    if kernel_version is None:
        return image
    modules = f"lib/modules/{kernel_version}/kernel"
    for module in recipe.modules:
        data = resolve_in(tree, f"{modules}/{module}").read_bytes()
        image.file(f"lib/modules/xen/{Path(module).name}", data, 0o644)
    return image


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
