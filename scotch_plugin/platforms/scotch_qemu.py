"""One Scotch run on QEMU: Xen with Scotch's SMIs, the SMM ledger, and
the three views of every domain's CPU time.

The tenant's verifier (:mod:`scotch_plugin.trust.verifier`) draws the
run's MAC key; QEMU's generic loader puts it in RAM as a key block, out
of band (never on a command line or in fw_cfg). The machine boots
Scotch's shim (``workloads/scotch/shim.c``) as the multiboot kernel; the
shim provisions the SMM handler, the key and Xen's struct offsets into
SMRAM, locks it, wipes every copy of the key, and starts Scotch's Xen
(:mod:`scotch_plugin.xen.hypervisor`) with dom0 and dom0's initramfs as
modules. dom0 runs the domUs under xentrace and, at the start and at the
end, prints a challenge: the verifier types a fresh nonce into the
console, and dom0 relays the snapshot the handler exports for it. When
dom0 has powered off, QEMU dumps all of RAM outside SMRAM and the run
fails if any form of the key is in it. The three views are then read
as :mod:`scotch_plugin.platforms.scotch_run` reads them.
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
import tempfile
from pathlib import Path

from scotch_plugin import project
from scotch_plugin.errors import ScotchError
from scotch_plugin.experiments.model import Experiment
from scotch_plugin.ledger import SnapshotRejected, host_tsc_hz
from scotch_plugin.platforms import qemu, qemu_xen
from scotch_plugin.platforms.base import Platform
from scotch_plugin.platforms.scotch_run import (
    DOM0_ATTACKS,
    RunSpec,
    ScotchRun,
    boot_words,
    parse_run,
    run_spec,
    run_words,
)
from scotch_plugin.sweep.identity import file_digest
from scotch_plugin.trust import keys
from scotch_plugin.trust.verifier import TenantVerifier
from scotch_plugin.workload_build import scons
from scotch_plugin.xen import boot_images, hypervisor

#: dom0's lines in the export protocol (whole lines: a domU's console
#: reaches the host only behind dom0's "SCOTCH-DOMU <name>: " prefix).
CHALLENGE_RE = re.compile(r"^SCOTCH-CHALLENGE ([a-z]+)$")
SNAPSHOT_RE = re.compile(r"^SCOTCH-SNAPSHOT (\d+) ([0-9a-f]+)$")
EXPORT_ERROR_RE = re.compile(r'^SCOTCH-XEN \{"error": .*\}$')
DONE_RE = re.compile(r'^SCOTCH-XEN \{"event": "done".*\}$')
#: A staged dom0 asks for its run's parameters (gem5: m5 readfile).
PARAMS_RE = re.compile(r"^SCOTCH-PARAMS\?$")


def shim_image() -> Path:
    return project.build_dir() / "workloads" / "qemu" / "scotch_shim.elf"


def hypervisor_config(images: boot_images.XenImages) -> str:
    """Debian's hypervisor .config, from the xen-hypervisor package."""
    debs = images.xen.parent / "debs"
    found = sorted(debs.glob("xen-hypervisor-4.17-amd64_*.deb"))
    if not found:
        raise ScotchError(f"{debs}: no xen-hypervisor-4.17-amd64 package")
    proc = subprocess.run(
        ["dpkg-deb", "--fsys-tarfile", str(found[-1])],
        capture_output=True,
        check=True,
    )
    import io
    import tarfile

    with tarfile.open(fileobj=io.BytesIO(proc.stdout)) as tar:
        for member in tar.getmembers():
            if member.name.endswith("boot/xen-4.17-amd64.config"):
                data = tar.extractfile(member)
                if data is not None:
                    return data.read().decode()
    raise ScotchError(f"{found[-1]}: no boot/xen-4.17-amd64.config")


def prepare() -> tuple[boot_images.XenImages, hypervisor.ScotchXen]:
    """Build (or reuse) everything a run boots."""
    scons("scotch")
    images = boot_images.build_images()
    xen = hypervisor.build(hypervisor_config(images))
    return images, xen


DOM0_MB = 512


def memory_mb(spec: RunSpec) -> int:
    """The machine's RAM: dom0's, each domU's and Xen's."""
    return DOM0_MB + len(spec.domains) * (spec.memory_mb + 16) + 256


def command(
    images: boot_images.XenImages,
    xen: hypervisor.ScotchXen,
    spec: RunSpec,
    key_block: tuple[list[str], str],
) -> list[str]:
    """The QEMU command of one run; ``key_block`` is
    :func:`scotch_plugin.trust.keys.qemu_key_block`'s loader and shim
    option."""
    qemu_xen.check_initrd_paths([*images.paths(), xen.xen, shim_image()])
    dom0_mb = DOM0_MB
    memory = memory_mb(spec)
    xen_args = (
        f"console=com1 dom0_mem={dom0_mb}M,max:{dom0_mb}M dom0_max_vcpus=1 "
        f"scotch-smi={int(spec.software_smi)}"
    )
    dom0_args = f"console=hvc0 quiet {boot_words(spec)}"
    if not spec.staged:
        dom0_args += f" {run_words(spec)}"
    loader, keyblock = key_block
    shim_args = f"{keyblock} scotch.off={xen.offsets.cmdline()}"
    modules = ",".join(
        [
            qemu.module_item(f"{xen.xen} {xen_args}"),
            qemu.module_item(f"{images.kernel} {dom0_args}"),
            str(images.dom0_initrd),
        ]
    )
    return [
        *qemu_xen.machine(1, memory, smm=True),
        "-kernel", str(shim_image()),
        "-append", shim_args,
        "-initrd", modules,
        *loader,
    ]  # fmt: skip


def converse(
    session: qemu.Session, verifier: TenantVerifier, spec: RunSpec
) -> list[tuple[str, int, str]]:
    """Answer dom0 until it is done: a staged dom0's request for its
    run's parameters, and its challenges: for each, a fresh nonce from
    the verifier, and the verifier's verdict on what dom0 relays."""
    relayed = []
    wanted = re.compile(
        f"{CHALLENGE_RE.pattern}|{DONE_RE.pattern}|{PARAMS_RE.pattern}"
    )
    answer = re.compile(
        f"{SNAPSHOT_RE.pattern}|{EXPORT_ERROR_RE.pattern}|{DONE_RE.pattern}"
    )
    while True:
        m = session.expect(wanted)
        if m is None:
            raise ScotchError("dom0 did not finish (no 'done' event)")
        if PARAMS_RE.match(m.group(0)):
            if not spec.staged:
                raise ScotchError("dom0 asked for run parameters unstaged")
            session.send(f"SCOTCH-RUN {run_words(spec)}")
            continue
        if m.group(1) is None:
            return relayed
        label = m.group(1)
        nonce = verifier.challenge(label)
        session.send(f"SCOTCH-NONCE {nonce}")
        got = session.expect(answer, timeout=verifier.deadline)
        if got is None:
            if session.running:
                verifier.check_deadline(waited=True)
            raise SnapshotRejected(
                f"no snapshot answered challenge {label!r} (QEMU ended)"
            )
        if got.group(2) is None:
            raise SnapshotRejected(
                f"dom0 answered challenge {label!r} with: {got.group(0)}"
            )
        verifier.accept(got.group(2))
        relayed.append((label, int(got.group(1)), got.group(2)))


def run(
    spec: RunSpec,
    images: boot_images.XenImages | None = None,
    xen: hypervisor.ScotchXen | None = None,
    timeout: float = 1200.0,
    log: Path | None = None,
) -> ScotchRun:
    """Boot, run and read one Scotch run on QEMU; the console goes to
    ``log`` (if given) before it is read, so a failed run leaves it."""
    if spec.dom0_attack not in DOM0_ATTACKS:
        raise ScotchError(
            f"dom0_attack: {spec.dom0_attack!r} is not one of "
            f"{', '.join(DOM0_ATTACKS)}"
        )
    if images is None or xen is None:
        images, xen = prepare()
    verifier = TenantVerifier(
        deadline=spec.export_deadline, tsc_hz=host_tsc_hz()
    )
    memory = memory_mb(spec)
    serial = ""
    try:
        with tempfile.TemporaryDirectory(prefix="scotch-run-") as tmp:
            work = Path(tmp)
            block = keys.qemu_key_block(work, verifier.key, memory)
            cmd = command(images, xen, spec, block)
            with qemu.Session(cmd, work, timeout=timeout) as session:
                try:
                    relayed = converse(session, verifier, spec)
                    session.wait_stopped(120)
                    dump = work / "ram.bin"
                    session.dump_ram(dump, memory << 20)
                    hits = keys.find_key_in_file(dump, verifier.key)
                    dump.unlink()
                finally:
                    result = session.close()
                    serial = result.serial
            if hits:
                raise ScotchError(
                    "the MAC key is in guest RAM outside SMRAM: "
                    + ", ".join(str(h) for h in hits[:8])
                )
        scotch = parse_run(
            spec, verifier, relayed, serial, result.host_seconds,
            session.command,
        )  # fmt: skip
        return dataclasses.replace(scotch, ram_scanned=memory << 20)
    except ScotchError as exc:
        where = f" (console: {log})" if log is not None else ""
        raise ScotchError(f"{exc}{where}") from None
    finally:
        if log is not None:
            log.parent.mkdir(parents=True, exist_ok=True)
            log.write_text(serial or "")


class QemuPlatform(Platform):
    """Scotch's runs on QEMU (TCG): :func:`run`, with the images built
    once by :func:`prepare`."""

    name = "qemu"

    def __init__(self, timeout: float = 1200.0) -> None:
        self.timeout = timeout
        self._built: (
            tuple[boot_images.XenImages, hypervisor.ScotchXen] | None
        ) = None

    def check(self, experiment: Experiment) -> None:
        """Every run of ``experiment`` must have a spec this runner takes
        (one memory size for every domU, one vCPU each)."""
        for severity in experiment.severities:
            run_spec(experiment, severity)

    def prepare(self) -> None:
        """Build (or reuse) the Xen images and Scotch's Xen, once."""
        if self._built is None:
            self._built = prepare()

    def identity(self) -> dict[str, object] | None:
        """The digests of everything a run boots: Xen, the kernel, both
        initramfs and the shim (each run boots afresh)."""
        if self._built is None:
            return None
        images, xen = self._built
        files = [images.xen, images.kernel, images.dom0_initrd,
                 images.domu_initrd, xen.xen, shim_image()]  # fmt: skip
        return {str(p.name): file_digest(p) for p in files}

    def run(
        self, experiment: Experiment, spec: RunSpec, log: Path
    ) -> ScotchRun:
        self.prepare()
        assert self._built is not None
        images, xen = self._built
        return run(spec, images, xen, timeout=self.timeout, log=log)
