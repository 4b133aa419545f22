"""What dom0 reports on the console: its ``SCOTCH-XEN {json}`` lines
(each domain's CPU time as Xen accounts it, per-vCPU times, dom0's
events, an error) parsed into a :class:`XenReport`, and the domU
workload's checksum to check what it printed."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field

from scotch_plugin.errors import ScotchError

#: dom0's report lines, and a domU workload's result line.
REPORT_PREFIX = "SCOTCH-XEN "
WORK_PREFIX = "SCOTCH-WORK "


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
    #: Xen's cpu_time of every domain (ns) at each export, by its label
    #: ("start", "end"): dom0's ``xen-times`` events.
    xen_times: dict[str, dict[int, int]] = field(default_factory=dict)

    def window_cpu_seconds(self, domid: int) -> float | None:
        """Xen's CPU time of ``domid`` between the two exports, to the
        nanosecond; ``None`` when dom0 did not take both."""
        if not {"start", "end"} <= self.xen_times.keys():
            return None
        start, end = self.xen_times["start"], self.xen_times["end"]
        if domid not in start or domid not in end:
            raise ScotchError(
                f"domain {domid} is missing from Xen's cpu_time at the "
                f"{'start' if domid not in start else 'end'} export"
            )
        if end[domid] < start[domid]:
            raise ScotchError(
                f"domain {domid}: Xen's cpu_time went back from "
                f"{start[domid]} ns to {end[domid]} ns"
            )
        return (end[domid] - start[domid]) / 1e9


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
        xen_times=_xen_times(records),
    )


def _xen_times(records: list[dict[str, object]]) -> dict[str, dict[int, int]]:
    times: dict[str, dict[int, int]] = {}
    for rec in records:
        if rec.get("event") != "xen-times":
            continue
        try:
            label = str(rec["label"])
            cpu_ns = rec["cpu_ns"]
            if not isinstance(cpu_ns, dict):
                raise ValueError("cpu_ns is not an object")
            parsed = {int(k): int(v) for k, v in cpu_ns.items()}
        except (KeyError, ValueError, TypeError) as exc:
            raise ScotchError(
                f"bad xen-times line {rec}: {exc} (expected label and "
                'cpu_ns {"<domid>": <ns>, ...})'
            ) from None
        if label in times:
            raise ScotchError(f"dom0 reported xen-times {label!r} twice")
        times[label] = parsed
    return times


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
