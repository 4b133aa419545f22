"""One Scotch run, whatever platform simulates it: what it boots
(:class:`RunSpec`, made from an experiment by :func:`run_spec`), what it
gives (:class:`ScotchRun`, each domain's CPU time in three views), and
how the views are read from the finished run's console and the tenant's
verifier:

* **Scotch**: the last snapshot, accepted by the verifier (MAC, its own
  nonce, sequence above the last, ledger not backwards, in time);
* **Xen**: ``xl list``'s CPU time (what the hypervisor reports);
* **ground truth**: the scheduler's switch records from xentrace (dom0
  prints the trace file in base64).
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
from dataclasses import dataclass, field

from scotch_plugin.errors import ScotchError
from scotch_plugin.experiments.model import Experiment
from scotch_plugin.ledger import ledger_problems
from scotch_plugin.trust.verifier import TenantVerifier
from scotch_plugin.xen import dom0_report, guest_check, xentrace

#: dom0's xentrace file on the console: base64 lines between
#: ``SCOTCH-TRACE-BEGIN <bytes> <sha256>`` and ``SCOTCH-TRACE-END``.
B64_LINE = re.compile(r"^[A-Za-z0-9+/]+={0,2}$")
TRACE_RE = re.compile(
    r"^SCOTCH-TRACE-BEGIN (\d+) ([0-9a-f]{64})\s*$(.*?)^SCOTCH-TRACE-END\s*$",
    re.M | re.S,
)

#: What dom0-init's ``scotch.attack`` plays.
DOM0_ATTACKS = ("none", "forge", "replay", "stale", "drop", "delay")


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
    window: float = 0
    memory_mb: int = 128
    attacker_domid: int = -1
    severity: int = 0
    hide_from_xen: bool = False
    #: Xen raises the software SMI at switches and interrupts (RQ4: a
    #: hypervisor that suppresses it is ``False``).
    software_smi: bool = True
    #: RQ4: Xen skips this share (percent) of the switch SMIs as the
    #: attacker's vCPU leaves (``scotch-skip``), so the handler charges
    #: the attacker's time to the next domain it finds current.
    skip_switch_smis: int = 0
    #: RQ4: dom0's relay misbehaves at the "end" export (see dom0-init's
    #: ``scotch.attack``): "none", "forge", "replay", "stale", "drop",
    #: "delay".
    dom0_attack: str = "none"
    #: Host seconds the verifier waits for each snapshot.
    export_deadline: float = 120.0
    #: One boot, many runs: the machine boots with the domUs waiting,
    #: and only then gets :func:`run_words` (dom0-init's
    #: ``scotch.staged``), as a run restored from a gem5 checkpoint does.
    staged: bool = False
    #: dom0's credit2 weight, fixed at boot (``scotch.dom0_weight``);
    #: ``None``: Xen's default, as every domain's.
    dom0_weight: int | None = None
    #: With a window: how long each workload runs (``None``: past the
    #: window, which pauses it). Shorter, the workloads finish inside
    #: the window and their result lines are checked against the host.
    workload_seconds: float | None = None
    #: credit2's rate limit in us, set by dom0 before the domUs start
    #: (``scotch.ratelimit_us``); ``None``: Xen's default (1000).
    ratelimit_us: int | None = None
    #: With a window: the start export right before it, not before the
    #: domUs start (``scotch.exports_at_window``), so the ledger covers
    #: the window's work (the cost and RQ3 runs).
    exports_at_window: bool = False


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


@dataclass(frozen=True)
class ScotchRun:
    spec: RunSpec
    domains: dict[str, DomainTimes]
    ledger: dict[str, object]
    #: xentrace's view (``None`` when the ground truth is the
    #: simulator's observer and no trace was taken).
    trace: xentrace.TraceSummary | None
    host_seconds: float
    serial: str
    command: list[str]
    #: The tenant's verifier: the run's key (never written anywhere) and
    #: the snapshots it accepted, in order.
    verifier: TenantVerifier
    #: What dom0 relayed for each challenge: label, nonce, hex.
    relayed: list[tuple[str, int, str]] = field(default_factory=list)
    #: Bytes of guest RAM searched for the key after the run (none found).
    ram_scanned: int = 0
    #: gem5: the simulator's statistics at the last export (the observer,
    #: the SMM controller, the trigger), cumulative from the restore.
    sim_stats: dict[str, float] = field(default_factory=dict)

    @property
    def key(self) -> bytes:
        return self.verifier.key


def boot_words(spec: RunSpec) -> str:
    """dom0's parameters fixed when the domUs are created."""
    return (
        f"scotch.domus={len(spec.domains)} scotch.mem={spec.memory_mb} "
        f"scotch.names={','.join(d.name for d in spec.domains)}"
        + (" scotch.staged=1" if spec.staged else "")
        + (
            f" scotch.dom0_weight={spec.dom0_weight}"
            if spec.dom0_weight is not None
            else ""
        )
    )


def run_words(spec: RunSpec) -> str:
    """dom0's parameters a run chooses: on the command line, or, staged,
    after the domUs are up (dom0-init's ``run_params``)."""
    # A window pauses workloads that are still running.
    seconds: float = spec.seconds + 300 if spec.window else spec.seconds
    if spec.workload_seconds is not None:
        seconds = spec.workload_seconds
    return (
        f"scotch.window={spec.window:g} scotch.seconds={seconds:g} "
        f"scotch.workloads={','.join(d.workload for d in spec.domains)} "
        f"scotch.trace=1 scotch.export=1 scotch.attack={spec.dom0_attack} "
        # The attack is set at run time (xl set-parameters), as a
        # restored gem5 checkpoint sets it.
        f"scotch.attacker={spec.attacker_domid} "
        f"scotch.severity={spec.severity} "
        f"scotch.hide={int(spec.hide_from_xen)} "
        f"scotch.skip={spec.skip_switch_smis}"
        + (
            f" scotch.ratelimit_us={spec.ratelimit_us}"
            if spec.ratelimit_us is not None
            else ""
        )
        + (" scotch.exports_at_window=1" if spec.exports_at_window else "")
    )


def run_spec(exp: Experiment, severity: int) -> RunSpec:
    """The run of ``exp`` at ``severity``: domains in the file's order,
    so the attacker's domid is its position + 1."""
    if len({d.memory_mb for d in exp.domains}) != 1:
        raise ScotchError(
            f"{exp.source}: domains[*].memory_mb: the QEMU runner gives "
            "every domU the same memory; found different values"
        )
    if any(d.vcpus != 1 for d in exp.domains):
        raise ScotchError(
            f"{exp.source}: domains[*].vcpus: the QEMU runner supports 1"
        )
    names = [d.name for d in exp.domains]
    return RunSpec(
        domains=tuple(DomainSpec(d.name, d.workload) for d in exp.domains),
        seconds=math.ceil(exp.seconds),
        window=exp.seconds,
        memory_mb=exp.domains[0].memory_mb,
        attacker_domid=names.index(exp.attacker.name) + 1,
        severity=severity,
        hide_from_xen=exp.attack.hide_from_xen,
    )


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


def parse_run(
    spec: RunSpec,
    verifier: TenantVerifier,
    relayed: list[tuple[str, int, str]],
    serial: str,
    host_seconds: float,
    cmd: list[str],
    truth_by_name: dict[str, int] | None = None,
) -> ScotchRun:
    """The three views of a finished run. A domain missing from a view,
    a workload that did not run, a workload whose result disagrees with
    the host's build, or a ledger with failed lookups is an error naming
    the cause: never a silent 0.

    Without ``truth_by_name`` the ground truth is xentrace's trace and
    Scotch's view the last snapshot's totals (QEMU). With it (gem5),
    the ground truth is the simulator's observer, cycles by domain name
    between the first and the last export, and Scotch's view is the
    ledger's growth between the same two snapshots."""
    report = dom0_report.parse_report(serial, host_seconds, cmd)
    attack = report.events.get("attack-set")
    asked = {
        "attacker": spec.attacker_domid,
        "severity": spec.severity,
        "hide": int(spec.hide_from_xen),
        "skip": spec.skip_switch_smis,
    }
    if attack is None or any(attack.get(k) != v for k, v in asked.items()):
        raise ScotchError(
            f"dom0 did not set the attack {asked} in Xen (its event: "
            f"{attack})"
        )
    if not verifier.accepted:
        raise ScotchError("the verifier accepted no ledger snapshot")
    ledger = verifier.accepted[-1]
    first = verifier.accepted[0]
    if truth_by_name is not None and len(verifier.accepted) < 2:
        raise ScotchError("the verifier accepted one snapshot; the "
                          "ledger's growth needs two")  # fmt: skip
    trace = parse_trace(serial) if truth_by_name is None else None
    at_start = {int(str(d["domid"])): d for d in first["domains"]}  # type: ignore[attr-defined]
    problems = ledger_problems(ledger)
    by_domid = {int(str(d["domid"])): d for d in ledger["domains"]}  # type: ignore[attr-defined]
    domains: dict[str, DomainTimes] = {}
    for want in spec.domains:
        found = [d for d in report.domus if d.name == want.name]
        if not found:
            raise ScotchError(f"domain {want.name!r} is not in xl's list")
        d = found[0]
        log = domu_console(serial, want.name)
        if f"SCOTCH-WORKLOAD-START name={want.name} " not in log:
            problems.append(f"{want.name}: its workload never started")
        problems += [
            f"{want.name}: {line.removeprefix('SCOTCH-WARN ')}"
            for line in log.splitlines()
            if line.startswith("SCOTCH-WARN ")
        ]
        # A workload that finished: its checksum against the host's.
        wrong = guest_check.work_problem(d)
        if wrong:
            problems.append(wrong)
        entry = by_domid.get(d.domid)
        if entry is None:
            problems.append(
                f"{want.name} (domid {d.domid}) is not in Scotch's ledger"
            )
            entry = {}
        cycles = int(entry.get("cycles", 0))
        if trace is not None:
            truth = trace.domain_cycles.get(d.domid)
            seen_by = "xentrace's trace"
        else:
            assert truth_by_name is not None
            truth = truth_by_name.get(want.name)
            seen_by = "the simulator's observer"
            cycles -= int(at_start.get(d.domid, {}).get("cycles", 0))
        # Xen's view: the growth between the exports when dom0 took it
        # (to the ns), else xl's total since the domain was created.
        xen_window = report.window_cpu_seconds(d.domid)
        found_problem = window_problem(
            f"{want.name} (domid {d.domid})", truth, cycles, seen_by
        )
        if found_problem:
            problems.append(found_problem)
        domains[want.name] = DomainTimes(
            name=want.name,
            domid=d.domid,
            scotch_cycles=cycles,
            xen_seconds=(
                xen_window if xen_window is not None else d.cpu_seconds
            ),
            truth_cycles=int(truth or 0),
            switches=int(entry.get("switches", 0)),
            irqs=int(entry.get("irqs", 0)),
            output=d.output,
        )
    if problems:
        raise ScotchError("the run is invalid: " + "; ".join(problems))
    return ScotchRun(
        spec=spec,
        domains=domains,
        ledger=ledger,
        trace=trace,
        host_seconds=host_seconds,
        serial=serial,
        command=cmd,
        verifier=verifier,
        relayed=relayed,
    )


def window_problem(
    domain: str, truth: int | None, charged: int, seen_by: str
) -> str | None:
    """Why one domain's row cannot be measured, or None. A domain the
    ground truth saw run but Scotch charged nothing is not a ratio of
    0 or nan: no SMI accounted its time (a trigger that never fired),
    and the run says so."""
    if not truth:
        return f"{domain} never ran in {seen_by}"
    if charged <= 0:
        return (
            f"{domain}: Scotch's ledger charged it {charged} cycles while "
            f"{seen_by} saw it run {truth}: no SMI accounted its time"
        )
    return None


def domu_console(serial: str, name: str) -> str:
    """A domU's own console, as dom0 relayed it (prefix removed)."""
    prefix = f"SCOTCH-DOMU {name}: "
    return "\n".join(
        line.removeprefix(prefix)
        for line in serial.splitlines()
        if line.startswith(prefix)
    )
