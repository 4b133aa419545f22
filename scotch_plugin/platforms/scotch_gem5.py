"""Scotch on gem5: one cold boot to a cached checkpoint, many runs
restored from it.

**The boot** (:func:`boot`) is Scotch's chain as on QEMU, from the same
recipe: the shim (the gem5 build of ``workloads/scotch/shim.c``)
provisions SMRAM with the handler, the key and Xen's offsets, relocates
SMBASE, locks SMRAM with the SMRRs and boots Scotch's Xen with dom0.
The key block is written into RAM by the board (``--load``), never on a
command line. dom0 and the domUs run Scotch's PV kernel
(:mod:`scotch_plugin.xen.kernel`) with uncompressed initramfs, so that
nothing is inflated in simulation. dom0 is staged (``scotch.staged=1``):
it creates the domUs, waits until each is booted and waiting, and takes
its ``m5 checkpoint`` there, before any per-run choice; the boot ends
at that checkpoint.

**The cache.** A boot is kept under ``build/gem5-boots/<key>/``, the key
being a digest of everything that determines the checkpoint: the gem5
binary's identity (its digest, the series and EXTRAS), the digests of
every image, and the boot's configuration (machine, command lines, the
domUs). The MAC key drawn for the boot is stored beside its checkpoint
(mode 0600): SMRAM in the checkpoint holds it, and the tenant's verifier
needs it for every run restored from it. A boot in progress saves a
periodic checkpoint every simulated second and resumes from the last
one when it is run again.

**A run** (:func:`run`) restores the checkpoint on the CPU model it
asks for, with its own SMI trigger and the domain observer, and hands
dom0 its parameters through ``m5 readfile``: the workloads, window,
attack, Xen's software SMI on or off, and the verifier's nonces for
the exports.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from scotch_plugin import project
from scotch_plugin.errors import ScotchError
from scotch_plugin.gem5 import boot_record
from scotch_plugin.ledger import SnapshotRejected, ahead_of_clock
from scotch_plugin.platforms.scotch_qemu import hypervisor_config, memory_mb
from scotch_plugin.platforms.scotch_run import (
    RunSpec,
    ScotchRun,
    boot_words,
    parse_run,
    run_words,
)
from scotch_plugin.sweep.identity import (
    digest,
    file_digest,
    files_digest,
    gem5_identity,
)
from scotch_plugin.trust import keys
from scotch_plugin.trust.verifier import TenantVerifier
from scotch_plugin.workload_build import scons
from scotch_plugin.xen import boot_images, hypervisor, kernel

#: Xen on gem5: COM1 console, no real-mode BIOS calls (there is no
#: BIOS), no boot-time scrubbing (slow to simulate), dom0 on one vCPU.
#: Eager FPU switching (Xen's default on Intel family 6, the paper's
#: machine): on gem5's unknown vendor Xen would switch lazily, setting
#: CR0.TS and restoring a vCPU's FPU state at its first #NM, but gem5
#: raises no #NM, so vCPUs ran on each other's x87/SSE registers (the
#: domUs' workloads died of SIGSEGV).
#: Xen's clock from the TSC, which gem5 reports invariant (patch 0032),
#: so Xen's time is the simulated time: on the PIT (gem5 has no HPET or
#: ACPI timer), dom0's watchdog saw the TSC run 2.3 times as fast as
#: Xen's clock during the boot (516 against 226 ms).
XEN_ARGS = (
    "console=com1 com1=115200,8n1 no-real-mode bootscrub=false "
    "dom0_mem=512M,max:512M dom0_max_vcpus=1 scotch-smi=1 "
    "spec-ctrl=eager-fpu clocksource=tsc"
)
#: dom0 on gem5: its console through Xen, m5 pseudo-instructions, the
#: domUs booted from the uncompressed ELF (nothing for xl to inflate).
DOM0_ARGS = (
    "console=hvc0 earlyprintk=xen scotch.m5=1 scotch.domu_kernel=/boot/vmlinux"
)
#: dom0's credit2 weight on gem5 (the domUs keep Xen's 256): half the
#: CPU against two busy domUs, so its xl calls and exports (a tenth of a
#: simulated second each, minutes of host time) finish sooner. No more:
#: credit2 burns a domain's credit at max_weight / weight times real
#: time, so at 65535 a domU's 10 ms of credit lasted 39 us, below the
#: 500 us minimum slice. Credit then never decided who ran, the two
#: domUs alternated slice by slice, and the RQ1 attack (less credit
#: burnt by the attacker) had no effect: ratio 1.01 at every severity.
#: At 512 a domU's credit lasts 5 ms (the attacker's 7 ms at severity 10).
DOM0_WEIGHT = 512
#: Simulated ticks (ps) between progress lines and periodic checkpoints.
PROGRESS_TICKS = 10**11
CHECKPOINT_TICKS = 10**12
#: What a boot's console shows on its way to the checkpoint, in order.
MILESTONES = (
    ("xen", re.compile(r"Xen version 4\.17")),
    ("shim-locked", re.compile(r"scotch-shim: SMRAM locked")),
    ("dom0-kernel", re.compile(r"Linux version 6\.1")),
    ("toolstack-up", re.compile(r'"event": "toolstack-up"')),
    ("domus-ready", re.compile(r'"event": "domus-ready"')),
)
CONSOLE = "board.pc.com_1.device"
#: What of gem5_identity() the boot's checkpoint depends on.
GEM5_KEYS = ("binary_sha256", "gem5_version", "series", "extras")
PROGRESS_RE = re.compile(r"^SCOTCH-PROGRESS tick=(\d+) host_seconds=([\d.]+)")
CHECKPOINT_RE = re.compile(r"^SCOTCH-CHECKPOINT (\S+) tick=(\d+)")


def boots_dir() -> Path:
    return project.build_dir() / "gem5-boots"


def shim_image() -> Path:
    return project.build_dir() / "workloads" / "gem5" / "scotch_shim.elf"


def uts_nodename(images: boot_images.XenImages) -> int:
    """The kernel's hostname (``init_uts_ns.name.nodename``): the
    address where the observer tells the guests apart. Every guest maps
    the kernel at the same address; ``new_utsname`` is six 65-byte
    fields, ``sysname`` first."""
    if images.system_map is None:
        raise ScotchError("the domain observer needs Scotch's PV kernel")
    return kernel.symbol(images.system_map, "init_uts_ns") + 65


@dataclasses.dataclass(frozen=True)
class Gem5Boot:
    """One cold boot to the staged checkpoint: what it boots, and where
    its cache entry is."""

    binary: Path
    images: boot_images.XenImages
    xen: hypervisor.ScotchXen
    spec: RunSpec
    #: The CPU clock (the boot's and every restore's).
    frequency: str = "3GHz"

    @property
    def memory_mb(self) -> int:
        return memory_mb(self.spec)

    @property
    def dom0_args(self) -> str:
        return f"{DOM0_ARGS} {boot_words(self.spec)}"

    @property
    def shim_args(self) -> str:
        addr = keys.key_block_address(self.memory_mb)
        offsets = self.xen.offsets.cmdline()
        return f"scotch.keyblock={addr:#x} scotch.off={offsets}"

    def markers(self) -> dict[str, str]:
        """The observer's domains: dom0 and each domU, by hostname."""
        return {"dom0": "dom0", **{d.name: d.name for d in self.spec.domains}}

    def machine_args(self) -> list[str]:
        """What a boot and every restore of it share (a restore needs the
        same machine)."""
        args = [
            "--xen", str(self.xen.xen),
            "--kernel", str(self.images.vmlinux),
            "--initrd", str(self.images.dom0_initrd),
            "--shim", str(shim_image()),
            "--shim-args", self.shim_args,
            "--xen-args", XEN_ARGS,
            "--dom0-args", self.dom0_args,
            "--memory", f"{self.memory_mb}MiB",
            "--clock", self.frequency,
            "--observe-probe", f"{uts_nodename(self.images):#x}",
        ]  # fmt: skip
        for name, marker in self.markers().items():
            args += ["--observe", f"{name}={marker}"]
        return args

    @functools.cached_property
    def identity(self) -> dict[str, object]:
        """Everything that determines the checkpoint (hashing the binary
        and the images once: the key is asked for again and again)."""
        files = [
            self.xen.xen,
            self.images.vmlinux,
            self.images.dom0_initrd,
            shim_image(),
        ]
        gem5 = gem5_identity(self.binary)
        components = project.root() / "scotch_plugin" / "gem5_components"
        return {
            # The binary, its series and EXTRAS; the board's Python (the
            # config script drives the run, the components build the
            # machine the checkpoint holds).
            "gem5": {k: gem5[k] for k in GEM5_KEYS},
            "board": files_digest(
                project.root(), sorted(components.glob("*.py"))
            ),
            "files": {
                str(p.relative_to(project.root())): file_digest(p)
                for p in files
                if p is not None
            },
            "cpu": "atomic",
            "args": [a for a in self.machine_args() if not a.startswith("/")],
        }

    @property
    def key(self) -> str:
        return digest(self.identity)[:16]

    @property
    def directory(self) -> Path:
        return boots_dir() / self.key


@dataclasses.dataclass(frozen=True)
class BootResult:
    """A finished boot: its checkpoint and the key SMRAM holds."""

    directory: Path
    checkpoint: Path
    #: Never printed: the verifier's copy of the key SMRAM holds.
    key: bytes = dataclasses.field(repr=False)
    reused: bool = False
    record: dict[str, object] = dataclasses.field(default_factory=dict)


def prepare(binary: Path, spec: RunSpec, frequency: str = "3GHz") -> Gem5Boot:
    """Build (or reuse) everything a gem5 boot needs."""
    scons("scotch")
    images = boot_images.build_images(pv_kernel=True)
    xen = hypervisor.build(hypervisor_config(images))
    staged = dataclasses.replace(spec, staged=True, dom0_weight=DOM0_WEIGHT)
    return Gem5Boot(binary, images, xen, staged, frequency)


def _say(line: str) -> None:
    print(f"scotch gem5 boot: {line}", flush=True)


def _store_key(directory: Path, key: bytes) -> None:
    fd = os.open(
        directory / boot_record.KEY,
        os.O_WRONLY | os.O_CREAT | os.O_EXCL,
        0o600,
    )
    with os.fdopen(fd, "wb") as f:
        f.write(key)


def load(directory: Path) -> BootResult:
    """The finished boot in ``directory`` (reused: it exists already), or
    an error saying why it is not one."""
    found = boot_record.problem(directory)
    if found:
        raise ScotchError(f"{directory}: not a finished gem5 boot: {found}")
    record, checkpoint, key = boot_record.read(directory)
    return BootResult(directory, checkpoint, key, True, record)


def cached(boot: Gem5Boot) -> BootResult | None:
    if boot_record.problem(boot.directory):
        return None
    return load(boot.directory)


def named(boot: Gem5Boot, directory: Path) -> BootResult:
    """The finished boot an experiment names (``gem5.checkpoint``), if it
    was made from what this one would be: else the runs would restore a
    machine whose images, board or gem5 differ from those they parse."""
    theirs = boot_record.identity(directory)
    if theirs is None:
        raise ScotchError(
            f"{directory}: no {boot_record.IDENTITY}: expected a boot made "
            "by scotch run, which records what it was made from"
        )
    differ = boot_record.identity_differences(theirs, boot.identity)
    if differ:
        raise ScotchError(
            f"{directory}: made from other inputs than this experiment's "
            f"boot ({', '.join(differ)} differ): expected a boot with "
            f"the key {boot.key}"
        )
    return load(directory)


def boot(
    boot: Gem5Boot,
    say: Callable[[str], None] = _say,
    max_host_seconds: float | None = None,
) -> BootResult:
    """Reuse the cached boot, or boot (resuming from the last periodic
    checkpoint of an interrupted one) to dom0's staged checkpoint."""
    done = cached(boot)
    if done is not None:
        say(f"reusing the cached boot {done.directory} "
            f"(checkpoint {done.checkpoint.name})")  # fmt: skip
        return done
    directory = boot.directory
    directory.mkdir(parents=True, exist_ok=True)
    (directory / boot_record.IDENTITY).write_text(
        json.dumps(boot.identity, indent=1) + "\n"
    )
    if not (directory / boot_record.KEY).is_file():
        _store_key(directory, TenantVerifier().key)
    key = (directory / boot_record.KEY).read_bytes()
    out = directory / "out"
    periodic = sorted(
        out.glob("cpt.periodic.*"), key=lambda p: int(p.name.split(".")[-1])
    )
    periodic = [p for p in periodic if (p / "m5.cpt").is_file()]
    leg = len(list(directory.glob("leg-*.stdout")))
    cmd = [
        str(boot.binary), "--outdir", str(out),
        str(project.gem5_configs() / "xen_boot.py"),
        *boot.machine_args(),
        "--cpu", "atomic",
        "--progress-ticks", str(PROGRESS_TICKS),
        "--checkpoint-every", str(CHECKPOINT_TICKS),
        "--exit-at-checkpoint",
    ]  # fmt: skip
    block = directory / "keyblock.bin"
    if periodic:
        cmd += ["--restore", str(periodic[-1])]
        say(f"resuming {directory.name} from {periodic[-1].name}")
    else:
        shutil.rmtree(out, ignore_errors=True)
        fd = os.open(block, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(keys.key_block(key))
        addr = keys.key_block_address(boot.memory_mb)
        cmd += ["--load", f"{block}@{addr:#x}"]
        say(f"cold boot into {directory} (Atomic CPU)")
    out.mkdir(parents=True, exist_ok=True)
    # Each leg's console on its own: gem5 starts the file anew.
    if (out / CONSOLE).is_file():
        (out / CONSOLE).rename(directory / f"console.leg-{leg - 1}")
    try:
        checkpoint, record = _watch(
            cmd, out, directory / f"leg-{leg}.stdout", say, max_host_seconds
        )
    finally:
        block.unlink(missing_ok=True)
    record["checkpoint"] = str(checkpoint.relative_to(directory))
    record["legs"] = leg + 1
    (directory / boot_record.RECORD).write_text(
        json.dumps(record, indent=1) + "\n"
    )
    for stale in out.glob("cpt.periodic.*"):
        shutil.rmtree(stale, ignore_errors=True)
    return BootResult(directory, checkpoint, key, False, record)


def _watch(
    cmd: list[str],
    out: Path,
    log: Path,
    say: Callable[[str], None],
    max_host_seconds: float | None,
) -> tuple[Path, dict[str, object]]:
    """Run a boot leg, saying its progress: simulated seconds, the last
    milestone, host time and rate."""
    start = time.monotonic()
    reached: dict[str, float] = {}
    checkpoint: Path | None = None
    tick = 0
    console = out / CONSOLE
    seen = 0
    # A SIGTERM stops gem5 too (its periodic checkpoints stay to resume).
    signal.signal(signal.SIGTERM, _raise_exit)
    with log.open("w") as sink:
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        assert proc.stdout is not None
        try:
            for line in proc.stdout:
                sink.write(line)
                sink.flush()
                if console.is_file():
                    text = console.read_text(errors="replace")
                    for name, pattern in MILESTONES:
                        if name not in reached and pattern.search(text, seen):
                            reached[name] = time.monotonic() - start
                            took = reached[name]
                            say(f"milestone {name} after {took:.0f} s")
                    seen = max(0, len(text) - 200)
                m = PROGRESS_RE.match(line)
                if m:
                    sim = int(m.group(1)) / 1e12
                    host = time.monotonic() - start
                    last = max(reached, key=reached.__getitem__, default="-")
                    say(f"{sim:.2f} s simulated, host {host:.0f} s "
                        f"({host / max(sim, 1e-9):.0f} host s per simulated s"
                        f" this leg), last milestone {last}")  # fmt: skip
                    if max_host_seconds and host > max_host_seconds:
                        proc.terminate()
                m = CHECKPOINT_RE.match(line)
                if m and ".periodic." not in m.group(1):
                    checkpoint = Path(m.group(1))
                    tick = int(m.group(2))
        finally:
            _stop(proc)
    host = time.monotonic() - start
    if checkpoint is None:
        raise ScotchError(
            f"gem5 boot ended (exit {proc.returncode}) without dom0's "
            f"checkpoint after {host:.0f} s; log {log}, console "
            f"{console}; rerun to resume from the last periodic checkpoint"
        )
    say(f"dom0's staged checkpoint {checkpoint.name} after {host:.0f} s")
    return checkpoint, {
        "host_seconds": host,
        "tick": tick,
        "milestones": reached,
    }


def _raise_exit(signum: int, frame: object) -> None:
    raise SystemExit(f"scotch gem5 boot: stopped by signal {signum}")


# -- runs restored from the boot --------------------------------------------

#: dom0's lines in the export protocol, anchored (a domU's console reaches
#: dom0's only behind a "SCOTCH-DOMU <name>: " prefix).
CHALLENGE_LINE = re.compile(r"^SCOTCH-CHALLENGE ([a-z]+)\s*$")
SNAPSHOT_LINE = re.compile(r"^SCOTCH-SNAPSHOT (\d+) ([0-9a-f]+)\s*$")
#: How often (simulated seconds) dom0 looks for the workloads to start.
POLL_SECONDS = 0.01
#: The hardware triggers a restored run can add (X86ScotchTrigger).
TRIGGER_ARGS = {
    "none": [],
    "software": [],
    "cr3": ["--trigger", "cr3"],
    "interrupt": ["--trigger", "interrupt"],
}


@dataclasses.dataclass(frozen=True)
class RestoreChoice:
    """What a run restored from the boot sets for itself."""

    cpu: str = "atomic"
    #: ``software``: Xen's OUT to 0xB2 at switches and interrupts;
    #: ``cr3``/``interrupt``: the board's hardware trigger, with Xen's
    #: software SMI switched off; ``random``: random-interval SMIs on top
    #: of Xen's; ``none``: no SMI but the exports' (Scotch off, the
    #: baseline of the cost runs).
    trigger: str = "software"
    random_mean_us: float = 100.0
    #: The switch timer's addresses (``--time-switches``): the switch
    #: routine's entry and the hypervisor's text; ``None``: no timer.
    time_switches: tuple[int, int, int] | None = None
    #: Fast-forward: run on ``cpu`` but in the window, there on this
    #: model (``--switch-cpu``); ``None``: ``cpu`` throughout.
    switch_cpu: str | None = None


def restore_command(
    boot: Restorable,
    booted: BootResult,
    choice: RestoreChoice,
    outdir: Path,
    params: Path,
    final: Path,
) -> list[str]:
    """gem5's command line for a run restored from ``booted``: its
    console and statistics in ``outdir``, dom0's parameters read from
    ``params``, and the RAM at dom0's m5 exit checkpointed into
    ``final`` (for the key search: keep it out of the results, which are
    searched for the key too)."""
    cmd = [
        str(boot.binary), "--outdir", str(outdir),
        str(project.gem5_configs() / "xen_boot.py"),
        *boot.machine_args(),
        "--cpu", choice.cpu,
        "--restore", str(booted.checkpoint),
        "--readfile", str(params),
        "--progress-ticks", "0",
        "--ignore-work-items",
        # RAM at dom0's m5 exit, for the key search.
        "--checkpoint-on-exit", "--checkpoint-dir", str(final),
    ]  # fmt: skip
    if choice.trigger == "random":
        # After the restore: the handler is long installed.
        start = int(booted.record.get("tick", 0)) // 1000  # type: ignore[call-overload]
        cmd += [
            "--trigger-random-mean", str(int(choice.random_mean_us * 1000)),
            "--trigger-random-start", str(start),
        ]  # fmt: skip
    else:
        cmd += TRIGGER_ARGS[choice.trigger]
    if choice.switch_cpu is not None:
        cmd += ["--switch-cpu", choice.switch_cpu]
    if choice.time_switches is not None:
        cmd += ["--time-switches", ",".join(map(hex, choice.time_switches))]
    return cmd


def relayed_snapshots(serial: str) -> list[tuple[str, str]]:
    """Each challenge dom0 printed, with the snapshot it relayed right
    after (``""`` if none)."""
    out: list[tuple[str, str]] = []
    for line in serial.splitlines():
        m = CHALLENGE_LINE.match(line)
        if m:
            out.append((m.group(1), ""))
            continue
        m = SNAPSHOT_LINE.match(line)
        if m and out and not out[-1][1]:
            out[-1] = (out[-1][0], m.group(2))
    return out


@dataclasses.dataclass(frozen=True)
class RunDumps:
    """A restored run's statistics dumps, by what took them: dom0's two
    exports (``start``, ``end``) and, fast-forwarded (``--switch-cpu``),
    the switches in and out of the detailed CPU around the window
    (``window_start``, ``window_end``; else the exports')."""

    start: dict[str, float]
    end: dict[str, float]
    window_start: dict[str, float]
    window_end: dict[str, float]
    switched: bool


SWITCHED_LINE = re.compile(r"^SCOTCH-SWITCHED cpu=(\S+) tick=(\d+)", re.M)


def run_dumps(outdir: Path) -> RunDumps:
    """Read ``outdir``/stats.txt: dom0 dumps at each export (before its
    SMI), the config at each CPU switch, gem5 once more at its exit."""
    from scotch_plugin.baremetal.bench import read_stats_dumps

    stats = outdir / "stats.txt"
    dumps = read_stats_dumps(stats)
    stdout = outdir / "gem5.stdout"
    text = stdout.read_text(errors="replace") if stdout.is_file() else ""
    switches = len(SWITCHED_LINE.findall(text))
    if switches not in (0, 2):
        raise ScotchError(
            f"{stdout}: {switches} CPU switch(es); a fast-forwarded run "
            "switches in at the window's start and back at its end"
        )
    wanted = 2 + switches
    if len(dumps) < wanted:
        raise ScotchError(
            f"{stats}: {len(dumps)} statistics dump(s); expected "
            f"{wanted}: one at each of dom0's two exports"
            + (" and one at each CPU switch" if switches else "")
        )
    if switches:
        return RunDumps(dumps[0], dumps[3], dumps[1], dumps[2], True)
    return RunDumps(dumps[0], dumps[1], dumps[0], dumps[1], False)


def observer_cycles(
    outdir: Path, names: list[str]
) -> tuple[dict[str, int], dict[str, float]]:
    """The observer's cycles per domain between dom0's two exports (the
    ledger's interval), and the statistics at the end export."""
    d = run_dumps(outdir)
    start, end = d.start, d.end
    period = end.get("board.clk_domain.clock")
    if not period:
        raise ScotchError(f"{outdir}/stats.txt: no board.clk_domain.clock")
    cycles = {}
    for name in names:
        stat = f"board.observer.ticks::{name}"
        if stat not in end:
            raise ScotchError(f"{outdir}/stats.txt: no {stat}")
        cycles[name] = round((end[stat] - start.get(stat, 0)) / period)
    return cycles, end


class Restorable(Protocol):
    """What a run needs of the boot it restores: the binary and the
    machine's options (a :class:`Gem5Boot`, or a :class:`SavedBoot`
    read back in another process)."""

    @property
    def binary(self) -> Path: ...

    def machine_args(self) -> list[str]: ...


@dataclasses.dataclass(frozen=True)
class SavedBoot:
    """A :class:`Gem5Boot`'s restore options, written to a file by the
    process that prepared the boot and read by the workers that restore
    it (which build nothing)."""

    binary: Path
    args: tuple[str, ...]
    directory: Path

    def machine_args(self) -> list[str]:
        return list(self.args)

    @classmethod
    def of(cls, boot: Gem5Boot) -> SavedBoot:
        return cls(boot.binary, tuple(boot.machine_args()), boot.directory)

    def save(self, path: Path) -> None:
        data = {"binary": str(self.binary), "args": list(self.args),
                "directory": str(self.directory)}  # fmt: skip
        path.write_text(json.dumps(data, indent=1) + "\n")

    @classmethod
    def read(cls, path: Path) -> SavedBoot:
        data = json.loads(path.read_text())
        return cls(Path(data["binary"]), tuple(data["args"]),
                   Path(data["directory"]))  # fmt: skip


@dataclasses.dataclass(frozen=True)
class Simulated:
    """A restored run as gem5 left it: the console, and the snapshots
    the verifier accepted."""

    outdir: Path
    serial: str
    command: list[str]
    host_seconds: float
    verifier: TenantVerifier
    relayed: list[tuple[str, int, str]]
    ram_scanned: int


def run(
    boot: Restorable,
    booted: BootResult,
    spec: RunSpec,
    choice: RestoreChoice,
    outdir: Path,
    timeout: float = 3600.0,
) -> ScotchRun:
    """Restore the boot, run ``spec`` with ``choice``, and read the three
    views, the observer being the ground truth."""
    return read_views(simulate(boot, booted, spec, choice, outdir, timeout),
                      spec)  # fmt: skip


def read_views(sim: Simulated, spec: RunSpec) -> ScotchRun:
    """A simulated run's three views, the observer (between the
    exports) being the ground truth."""
    names = [d.name for d in spec.domains]
    truth, stats = observer_cycles(sim.outdir, names)
    result = parse_run(
        spec, sim.verifier, sim.relayed, sim.serial, sim.host_seconds,
        sim.command, truth_by_name=truth,
    )  # fmt: skip
    return dataclasses.replace(
        result, sim_stats=stats, ram_scanned=sim.ram_scanned
    )


def simulate(
    boot: Restorable,
    booted: BootResult,
    spec: RunSpec,
    choice: RestoreChoice,
    outdir: Path,
    timeout: float = 3600.0,
) -> Simulated:
    """Restore the boot and run ``spec`` with ``choice`` to dom0's m5
    exit: the exports' snapshots verified, guest RAM searched for the
    key; the views are the caller's to read."""
    if outdir.exists():
        shutil.rmtree(outdir)
    outdir.mkdir(parents=True)
    verifier = TenantVerifier(key=booted.key, deadline=timeout)
    nonces = [verifier.challenge_ahead(label) for label in ("start", "end")]
    software = choice.trigger in ("software", "random") and spec.software_smi
    words = (
        f"{run_words(spec)} scotch.trace=0 scotch.poll={POLL_SECONDS:g} "
        f"scotch.smi={int(software)} "
        f"scotch.nonces={','.join(map(str, nonces))}"
    )
    params = outdir / "run-params.txt"
    params.write_text(words + "\n")
    # The exit checkpoint's SMRAM holds the key: it is written to a
    # private directory outside the results (another run's key search
    # reads those) and deleted once searched.
    private = project.build_dir() / "gem5-final"
    private.mkdir(mode=0o700, parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f"{outdir.name}-", dir=private))
    final = scratch / "cpt"
    cmd = restore_command(boot, booted, choice, outdir, params, final)
    (outdir / "gem5.command.json").write_text(json.dumps(cmd) + "\n")
    start = time.monotonic()
    with (outdir / "gem5.stdout").open("w") as sink:
        try:
            proc = subprocess.run(
                cmd, stdout=sink, stderr=subprocess.STDOUT, timeout=timeout
            )
        except subprocess.TimeoutExpired:
            raise ScotchError(
                f"gem5 run in {outdir}: not done after {timeout:.0f} s"
            ) from None
        finally:
            scanned = end_tick = 0
            try:
                if (final / "m5.cpt").is_file():
                    scanned = scan_for_key(final, booted.key)
                    end_tick = checkpoint_tick(final)
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
    host = time.monotonic() - start
    serial = (outdir / CONSOLE).read_text(errors="replace")
    if proc.returncode != 0:
        raise ScotchError(
            f"gem5 run in {outdir}: exit {proc.returncode} (see gem5.stdout)"
        )
    if not scanned:
        raise ScotchError(
            f"{outdir}: no checkpoint at dom0's m5 exit to search for the key"
        )
    relayed = []
    for label, hexdata in relayed_snapshots(serial):
        if not hexdata:
            raise ScotchError(f"dom0 relayed no snapshot for {label!r}")
        nonce = verifier.ahead[0].nonce if verifier.ahead else 0
        verifier.accept_ahead(label, hexdata)
        relayed.append((label, nonce, hexdata))
    if verifier.ahead:
        raise ScotchError(
            "no snapshot answered challenge(s) "
            + ", ".join(repr(c.label) for c in verifier.ahead)
        )
    check_clock(
        verifier,
        end_tick - checkpoint_tick(booted.checkpoint),
        clock_hz(boot.machine_args()),
    )
    return Simulated(outdir, serial, cmd, host, verifier, relayed, scanned)


def checkpoint_tick(checkpoint: Path) -> int:
    """The simulated time (ticks, ps) a gem5 checkpoint was taken at."""
    path = checkpoint / "m5.cpt"
    with path.open(errors="replace") as lines:
        for line in lines:
            if line.startswith("curTick="):
                return int(line.split("=", 1)[1])
    raise ScotchError(f"{path}: no curTick= in [Globals]")


def clock_hz(machine_args: list[str]) -> float:
    """The CPU clock of a machine's ``--clock`` (gem5's TSC counts the
    CPU's cycles)."""
    value = machine_args[machine_args.index("--clock") + 1]
    match = re.fullmatch(r"([0-9.]+)\s*([kMG]?)Hz", value)
    if not match:
        raise ScotchError(f"--clock {value!r}: not a frequency like 1GHz")
    scale = {"": 1, "k": 1e3, "M": 1e6, "G": 1e9}[match[2]]
    return float(match[1]) * scale


def check_clock(verifier: TenantVerifier, ticks: int, tsc_hz: float) -> None:
    """The verifier's clock bound on gem5, whose nonces went in ahead:
    the ledger may not advance between the first and the last snapshot
    more than the simulated time of the whole restored run
    (``ticks``, ps), the tenant's clock in a simulation."""
    if len(verifier.accepted) < 2:
        return
    first, last = verifier.accepted[0], verifier.accepted[-1]
    cycles = int(last["tsc_now"]) - int(first["tsc_now"])  # type: ignore[call-overload]
    why = ahead_of_clock(cycles, ticks / 1e12, tsc_hz)
    verifier.record_bound(cycles, ticks / 1e12, tsc_hz)
    if why:
        raise SnapshotRejected(f"the ledger snapshot was rejected: {why}")


def scan_for_key(checkpoint: Path, key: bytes) -> int:
    """Search the RAM of the run's last checkpoint for every form of the
    MAC key outside SMRAM (an error if found); the bytes searched. The
    checkpoint goes afterwards: its SMRAM holds the key."""
    ram = checkpoint.parent / "ram.bin"
    try:
        keys.gem5_checkpoint_ram(checkpoint, ram)
        scan = keys.scan_ram(ram, key)
    finally:
        ram.unlink(missing_ok=True)
        shutil.rmtree(checkpoint, ignore_errors=True)
    if scan.outside:
        raise ScotchError(
            "the MAC key is in guest RAM outside SMRAM: "
            + ", ".join(str(h) for h in scan.outside[:8])
        )
    return scan.scanned


def _stop(proc: subprocess.Popen[str]) -> None:
    """Stop gem5: SIGINT ends its simulation loop, and the config's loop
    with it; SIGKILL if it is still there after 30 s."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
    proc.wait()
