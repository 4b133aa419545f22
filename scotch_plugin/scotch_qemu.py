"""One Scotch run on QEMU: Xen with Scotch's SMIs, the SMM ledger, and
the three views of every domain's CPU time.

The machine boots Scotch's shim (``workloads/scotch/shim.c``) as the
multiboot kernel; the shim provisions the SMM handler, the MAC key and
Xen's struct offsets into SMRAM, locks it, and starts Scotch's Xen
(``xen_build``) with dom0 and dom0's initramfs as modules. dom0 runs the
domUs under xentrace, relays a ledger snapshot from the handler, and
powers off. This module then reads the three views:

* **Scotch**: the snapshot, checked by the tenant-side reader
  (``scotch-reader verify``: MAC, nonce, sequence) on the host;
* **Xen**: ``xl list``'s CPU time (what the hypervisor reports);
* **ground truth**: the scheduler's switch records from xentrace.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import subprocess
from dataclasses import dataclass
from pathlib import Path

from scotch_plugin import project, qemu, xen_build, xen_qemu, xentrace
from scotch_plugin.errors import ScotchError
from scotch_plugin.workload_build import scons

SNAPSHOT_RE = re.compile(r"^SCOTCH-SNAPSHOT (\d+) ([0-9a-f]+)\s*$", re.M)
B64_LINE = re.compile(r"^[A-Za-z0-9+/]+={0,2}$")
TRACE_RE = re.compile(
    r"^SCOTCH-TRACE-BEGIN (\d+) ([0-9a-f]{64})\s*$(.*?)^SCOTCH-TRACE-END\s*$",
    re.M | re.S,
)


@dataclass(frozen=True)
class DomainSpec:
    name: str
    workload: str


@dataclass(frozen=True)
class RunSpec:
    """What one run boots: the domUs (in creation order, so the first
    gets domid 1), their time budget, and the attack."""

    domains: tuple[DomainSpec, ...]
    seconds: int = 3
    #: > 0: measure this many seconds of contention, then pause the domUs
    #: (their workloads run longer) and read the views; 0: wait for the
    #: workloads, ``seconds`` each, to finish.
    window: int = 0
    memory_mb: int = 128
    attacker_domid: int = -1
    severity: int = 0
    hide_from_xen: bool = False
    tenant_readers: bool = True


@dataclass(frozen=True)
class DomainTimes:
    """One domain's CPU time in the three views."""

    name: str
    domid: int
    scotch_cycles: int
    xen_seconds: float
    truth_cycles: int
    switches: int
    irqs: int
    output: str
    tenant_usage: dict[str, object] | None


@dataclass(frozen=True)
class ScotchRun:
    spec: RunSpec
    domains: dict[str, DomainTimes]
    ledger: dict[str, object]
    trace: xentrace.TraceSummary
    host_seconds: float
    serial: str
    command: list[str]
    #: The run's MAC key: the tenant's secret (never written to disk).
    key: bytes
    #: The snapshot dom0 relayed: the nonce it asked with, and its hex.
    relayed: tuple[int, str]


def reader_binary() -> Path:
    return project.build_dir() / "workloads" / "scotch" / "scotch-reader"


def shim_image() -> Path:
    return project.build_dir() / "workloads" / "qemu" / "scotch_shim.elf"


def hypervisor_config(images: xen_qemu.XenImages) -> str:
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


def prepare() -> tuple[xen_qemu.XenImages, xen_build.ScotchXen]:
    """Build (or reuse) everything a run boots."""
    scons("scotch")
    images = xen_qemu.build_images()
    xen = xen_build.build(hypervisor_config(images))
    return images, xen


def _escape(arg: str) -> str:
    """QEMU's -initrd list: a comma inside an item is written twice."""
    return arg.replace(",", ",,")


def command(
    images: xen_qemu.XenImages,
    xen: xen_build.ScotchXen,
    spec: RunSpec,
    key: bytes,
) -> list[str]:
    """The QEMU command of one run."""
    xen_qemu.check_initrd_paths([*images.paths(), xen.xen, shim_image()])
    ndom = len(spec.domains)
    dom0_mb = 512
    memory = dom0_mb + ndom * (spec.memory_mb + 16) + 256
    xen_args = (
        f"console=com1 dom0_mem={dom0_mb}M,max:{dom0_mb}M dom0_max_vcpus=1 "
        f"scotch-smi=1 scotch-attacker={spec.attacker_domid} "
        f"scotch-severity={spec.severity} "
        f"scotch-hide={1 if spec.hide_from_xen else 0}"
    )
    seconds = spec.seconds + 300 if spec.window else spec.seconds
    dom0_args = (
        f"console=hvc0 quiet scotch.domus={ndom} scotch.window={spec.window} "
        f"scotch.seconds={seconds} scotch.mem={spec.memory_mb} "
        f"scotch.names={','.join(d.name for d in spec.domains)} "
        f"scotch.workloads={','.join(d.workload for d in spec.domains)} "
        "scotch.trace=1 scotch.export=1"
    )
    if spec.tenant_readers:
        dom0_args += f" scotch.tenant_key={key.hex()}"
    shim_args = f"scotch.key={key.hex()} scotch.off={xen.offsets.cmdline()}"
    modules = ",".join(
        [
            _escape(f"{xen.xen} {xen_args}"),
            _escape(f"{images.kernel} {dom0_args}"),
            str(images.dom0_initrd),
        ]
    )
    return [
        *xen_qemu.machine(1, memory, smm=True),
        "-kernel", str(shim_image()),
        "-append", shim_args,
        "-initrd", modules,
    ]  # fmt: skip


def verify_snapshot(
    key: bytes, nonce: int, hexdata: str, last_seq: int = 0
) -> dict[str, object]:
    """Check a snapshot with the tenant-side reader; its JSON on success,
    a ScotchError with the reader's reason on rejection."""
    proc = subprocess.run(
        [
            str(reader_binary()),
            "verify",
            "--key", key.hex(),
            "--nonce", str(nonce),
            "--last-seq", str(last_seq),
        ],  # fmt: skip
        input=hexdata,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if proc.returncode != 0:
        raise ScotchError(
            f"the ledger snapshot was rejected: {proc.stderr.strip()}"
        )
    return dict(json.loads(proc.stdout))


def parse_trace(serial: str) -> xentrace.TraceSummary:
    match = TRACE_RE.search(serial)
    if not match:
        raise ScotchError("dom0 printed no xentrace file (SCOTCH-TRACE-BEGIN)")
    # Xen's console may slip a line of its own between dom0's lines:
    # keep only lines of base64; the byte count catches any other loss.
    lines = [
        line.strip()
        for line in match.group(3).splitlines()
        if B64_LINE.match(line.strip())
    ]
    try:
        data = base64.b64decode("".join(lines), validate=True)
    except ValueError as exc:
        raise ScotchError(
            f"xentrace file: damaged on the console ({exc})"
        ) from None
    if len(data) != int(match.group(1)) or hashlib.sha256(
        data
    ).hexdigest() != match.group(2):
        raise ScotchError(
            f"xentrace file: damaged on the console ({len(data)} bytes "
            f"arrived, dom0 sent {match.group(1)}, or their SHA-256 differ)"
        )
    return xentrace.domain_run_cycles(
        xentrace.read_records(data, source="xentrace (serial)"),
        source="xentrace (serial)",
    )


def _tenant_usage(output: str) -> dict[str, object] | None:
    m = re.search(r"SCOTCH-USAGE (\{.*\})", output)
    return dict(json.loads(m.group(1))) if m else None


def parse_run(
    spec: RunSpec, key: bytes, serial: str, host_seconds: float, cmd: list[str]
) -> ScotchRun:
    report = xen_qemu.parse_report(serial, host_seconds, cmd)
    snap = SNAPSHOT_RE.search(serial)
    if not snap:
        raise ScotchError(
            "dom0 relayed no ledger snapshot (SCOTCH-SNAPSHOT):\n"
            + serial[-3000:]
        )
    ledger = verify_snapshot(key, int(snap.group(1)), snap.group(2))
    trace = parse_trace(serial)
    by_domid = {int(str(d["domid"])): d for d in ledger["domains"]}  # type: ignore[attr-defined]
    domains: dict[str, DomainTimes] = {}
    for want in spec.domains:
        found = [d for d in report.domus if d.name == want.name]
        if not found:
            raise ScotchError(f"domain {want.name!r} is not in xl's list")
        d = found[0]
        entry = by_domid.get(d.domid, {})
        log = "\n".join(
            line.split(": ", 1)[1]
            for line in serial.splitlines()
            if line.startswith(f"SCOTCH-DOMU {want.name}: ")
        )
        domains[want.name] = DomainTimes(
            name=want.name,
            domid=d.domid,
            scotch_cycles=int(entry.get("cycles", 0)),
            xen_seconds=d.cpu_seconds,
            truth_cycles=trace.domain_cycles.get(d.domid, 0),
            switches=int(entry.get("switches", 0)),
            irqs=int(entry.get("irqs", 0)),
            output=d.output,
            tenant_usage=_tenant_usage(log),
        )
    return ScotchRun(
        spec=spec,
        domains=domains,
        ledger=ledger,
        trace=trace,
        host_seconds=host_seconds,
        serial=serial,
        command=cmd,
        key=key,
        relayed=(int(snap.group(1)), snap.group(2)),
    )


def run(
    spec: RunSpec,
    images: xen_qemu.XenImages | None = None,
    xen: xen_build.ScotchXen | None = None,
    timeout: float = 1200.0,
    log: Path | None = None,
) -> ScotchRun:
    """Boot, run and read one Scotch run on QEMU; the console goes to
    ``log`` (if given) before it is read, so a failed run leaves it."""
    if images is None or xen is None:
        images, xen = prepare()
    key = secrets.token_bytes(32)
    cmd = command(images, xen, spec, key)
    result = qemu.run(cmd, timeout=timeout)
    if log is not None:
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(result.serial)
    try:
        return parse_run(spec, key, result.serial, result.host_seconds, cmd)
    except ScotchError as exc:
        where = f" (console: {log})" if log is not None else ""
        raise ScotchError(f"{exc}{where}") from None
