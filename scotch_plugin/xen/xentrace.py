"""Reads the binary files Xen's ``xentrace`` (Xen 4.17) writes, and
computes from their ``TRC_SCHED_SWITCH`` records how many TSC cycles
each domain (and each vCPU) ran: the ground truth Scotch is compared
with.

The file format (``tools/xentrace/xentrace.c``) is a sequence of
windows, each one CPU's newly produced trace-buffer bytes, little-endian:

* a ``struct cpu_change_record`` that xentrace writes itself: a header
  word ``TRC_TRACE_CPU_CHANGE | 2 << 28`` (``0x2001f003``: two extra
  words, no TSC), ``int cpu``, ``unsigned window_size``;
* then ``window_size`` bytes of Xen's ``struct t_rec`` records
  (``xen/include/public/trace.h``), back to back: a header word
  (``event:28``, ``extra_u32:3``, ``cycles_included:1``), the TSC as two
  words (low, high) if ``cycles_included``, then ``extra_u32`` words.

Records of one CPU are in TSC order (Xen appends to a per-CPU buffer);
windows of different CPUs are not ordered with each other. Xen also
writes ``TRC_TRACE_WRAP_BUFFER`` padding records (skipped like any other
event) and, when a buffer was full, a ``TRC_LOST_RECORDS`` record: how
many records were dropped, the domain and vCPU running when it was
written, and the TSC of the first dropped one (``xen/common/trace.c``).

``TRC_SCHED_SWITCH`` (``xen/common/sched/core.c``,
``sched_switch_units``) carries ``prev_domid, prev_unit, next_domid,
next_unit`` and is written only when the unit changes. A unit is a vCPU
with the default scheduling granularity (``sched-gran=cpu``); the idle
domain is ``DOMID_IDLE`` (0x7fff), its unit number the CPU's.

Capturing in dom0 (no Xen boot option needed: ``-S`` sizes the per-CPU
buffers, in pages, the first time in a boot; later sizes are ignored)::

    xentrace -D -e 0x00028000 -S 256 /tmp/trace.bin &   # then
    kill -INT $!; wait $!     # SIGINT/TERM/HUP: last read, file closed

``python3 -m scotch_plugin.xen.xentrace FILE [--end-tsc N]`` prints the
summary as JSON (exit 2 when it is incomplete).
"""

from __future__ import annotations

import argparse
import json
import struct
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from scotch_plugin.errors import ScotchError

#: Trace classes and events (``xen/include/public/trace.h``).
TRC_GEN = 0x0001F000
TRC_SCHED = 0x0002F000
TRC_SCHED_VERBOSE = 0x00028000
TRC_LOST_RECORDS = TRC_GEN + 1
TRC_TRACE_WRAP_BUFFER = TRC_GEN + 2
TRC_TRACE_CPU_CHANGE = TRC_GEN + 3
TRC_SCHED_SWITCH = TRC_SCHED_VERBOSE + 10

TRACE_EXTRA_SHIFT = 28
TRACE_EXTRA_MAX = 7
TRC_HD_CYCLE_FLAG = 1 << 31
EVENT_MASK = 0x0FFFFFFF

#: The idle domain's id (``xen/include/public/xen.h``).
DOMID_IDLE = 0x7FFF

#: ``struct cpu_change_record`` of xentrace.c: header, int cpu, unsigned
#: window_size.
_CPU_CHANGE = struct.Struct("<IiI")
CPU_CHANGE_HEADER = TRC_TRACE_CPU_CHANGE | (2 << TRACE_EXTRA_SHIFT)
_WORD = struct.Struct("<I")

#: The ``xentrace -e`` mask that selects TRC_SCHED_SWITCH's subclass
#: (Xen filters by class and subclass only, so this also keeps the other
#: TRC_SCHED_VERBOSE events: wake, sleep, switch_infprev/next, ...).
SCHED_SWITCH_EVT_MASK = TRC_SCHED_VERBOSE


@dataclass(frozen=True)
class TraceRecord:
    """One ``struct t_rec`` of a trace file, with the CPU whose window
    held it and the byte offset of its header in the file."""

    cpu: int
    event: int
    tsc: int | None
    extra: tuple[int, ...]
    offset: int

    @property
    def size(self) -> int:
        return 4 + (8 if self.tsc is not None else 0) + 4 * len(self.extra)


@dataclass(frozen=True)
class Interval:
    """Time on one CPU between two TSC values, and who ran in it
    (``domid``/``vcpu`` are ``None`` where the trace does not say)."""

    cpu: int
    domid: int | None
    vcpu: int | None
    start: int
    end: int

    @property
    def cycles(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class LostRecords:
    """A ``TRC_LOST_RECORDS`` record: ``count`` records were dropped on
    ``cpu`` from ``first_tsc`` until ``tsc``, when ``domid``/``vcpu``
    was running. That span is charged to nobody."""

    cpu: int
    count: int
    first_tsc: int
    tsc: int
    domid: int
    vcpu: int
    offset: int

    @property
    def cycles(self) -> int:
        return max(0, self.tsc - self.first_tsc)


@dataclass
class TraceSummary:
    """Per-domain running time from ``TRC_SCHED_SWITCH`` records.

    ``domain_cycles`` and ``vcpu_cycles`` include the idle domain
    (``DOMID_IDLE``); ``guest_cycles`` leaves it out. Only intervals
    whose start and end and runner are known are counted: the ``heads``
    (each CPU up to its first switch) and the spans of ``lost`` records
    and ``mismatches`` are reported, not charged."""

    domain_cycles: dict[int, int] = field(default_factory=dict)
    vcpu_cycles: dict[tuple[int, int], int] = field(default_factory=dict)
    #: Times each domain (vCPU) was switched in.
    domain_switches: dict[int, int] = field(default_factory=dict)
    vcpu_switches: dict[tuple[int, int], int] = field(default_factory=dict)
    switches: int = 0
    #: Lowest and highest TSC of any record (all CPUs).
    first_tsc: int | None = None
    last_tsc: int | None = None
    #: The ``end_tsc`` asked for (``None``: each CPU's last record).
    end_tsc: int | None = None
    #: Cycles charged on each CPU (sums to ``total_cycles``).
    cpu_cycles: dict[int, int] = field(default_factory=dict)
    #: Per CPU, the time before the runner was known (not charged).
    heads: list[Interval] = field(default_factory=list)
    #: Per CPU, the last interval, up to ``end_tsc`` (charged).
    tails: list[Interval] = field(default_factory=list)
    #: Records Xen dropped (sum of the counts in ``lost``).
    lost_records: int = 0
    lost: list[LostRecords] = field(default_factory=list)
    #: Intervals ended by a switch whose ``prev`` is not the unit the
    #: previous switch put in (a record missing): not charged.
    mismatches: list[Interval] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """False when records were lost or the switches do not chain."""
        return not self.lost and not self.mismatches

    @property
    def problems(self) -> list[str]:
        """Why the result is incomplete, one line each."""
        out = [
            f"CPU {g.cpu}: {g.count} records lost from TSC {g.first_tsc} "
            f"to {g.tsc} ({g.cycles} cycles not charged; record at byte "
            f"offset {g.offset})"
            for g in self.lost
        ]
        out += [
            f"CPU {m.cpu}: switch at TSC {m.end} has prev d{m.domid}v"
            f"{m.vcpu} but the previous switch put in another unit "
            f"({m.cycles} cycles not charged)"
            for m in self.mismatches
        ]
        return out

    @property
    def total_cycles(self) -> int:
        return sum(self.domain_cycles.values())

    @property
    def guest_cycles(self) -> dict[int, int]:
        """``domain_cycles`` without the idle domain."""
        return {d: c for d, c in self.domain_cycles.items() if d != DOMID_IDLE}

    def to_json(self) -> dict[str, object]:
        return {
            "complete": self.complete,
            "problems": self.problems,
            "domain_cycles": {
                str(d): c for d, c in sorted(self.domain_cycles.items())
            },
            "vcpu_cycles": {
                f"{d}.{v}": c for (d, v), c in sorted(self.vcpu_cycles.items())
            },
            "domain_switches": {
                str(d): c for d, c in sorted(self.domain_switches.items())
            },
            "switches": self.switches,
            "first_tsc": self.first_tsc,
            "last_tsc": self.last_tsc,
            "end_tsc": self.end_tsc,
            "cpu_cycles": {
                str(c): n for c, n in sorted(self.cpu_cycles.items())
            },
            "excluded_head_cycles": {str(h.cpu): h.cycles for h in self.heads},
            "lost_records": self.lost_records,
        }


class XentraceError(ScotchError):
    """A trace file or trace that cannot be used: ``source`` names the
    file, ``offset`` the byte offset (``None``: not one place)."""

    def __init__(self, source: str, offset: int | None, message: str):
        super().__init__(message)
        self.source = source
        self.offset = offset


# -- the file format ------------------------------------------------------


def iter_records(
    data: bytes, source: str = "<trace data>"
) -> Iterator[TraceRecord]:
    """The records of a xentrace file, in file order, without the
    ``TRC_TRACE_CPU_CHANGE`` records (each record carries its CPU).

    Raises ``XentraceError`` naming ``source`` and the byte offset when the
    data is not in xentrace's format or ends inside a window."""
    size = len(data)
    offset = 0
    while offset < size:
        if size - offset < _CPU_CHANGE.size:
            raise XentraceError(
                source,
                size,
                f"{source}: truncated at byte offset {size}: expected a "
                f"{_CPU_CHANGE.size}-byte TRC_TRACE_CPU_CHANGE record at "
                f"offset {offset}, only {size - offset} bytes remain",
            )
        header, cpu, window = _CPU_CHANGE.unpack_from(data, offset)
        if header != CPU_CHANGE_HEADER:
            raise XentraceError(
                source,
                offset,
                f"{source}: byte offset {offset}: expected a "
                f"TRC_TRACE_CPU_CHANGE record (header "
                f"0x{CPU_CHANGE_HEADER:08x}) starting a CPU's window, "
                f"found 0x{header:08x}: not a xentrace file, or a window "
                "size is wrong",
            )
        if cpu < 0:
            raise XentraceError(
                source,
                offset,
                f"{source}: byte offset {offset}: TRC_TRACE_CPU_CHANGE "
                f"names CPU {cpu}",
            )
        start = offset + _CPU_CHANGE.size
        end = start + window
        if end > size:
            raise XentraceError(
                source,
                size,
                f"{source}: truncated at byte offset {size}: CPU {cpu}'s "
                f"window from offset {start} (TRC_TRACE_CPU_CHANGE at "
                f"{offset}) should hold {window} bytes, only "
                f"{size - start} remain",
            )
        yield from _window(data, source, cpu, start, end)
        offset = end


def _window(
    data: bytes, source: str, cpu: int, start: int, end: int
) -> Iterator[TraceRecord]:
    pos = start
    while pos < end:
        if end - pos < 4:
            raise XentraceError(
                source,
                pos,
                f"{source}: byte offset {pos}: expected a record header "
                f"(4 bytes), CPU {cpu}'s window ends at offset {end}",
            )
        (word,) = _WORD.unpack_from(data, pos)
        event = word & EVENT_MASK
        n_extra = (word >> TRACE_EXTRA_SHIFT) & TRACE_EXTRA_MAX
        cycles = bool(word & TRC_HD_CYCLE_FLAG)
        length = 4 + (8 if cycles else 0) + 4 * n_extra
        if pos + length > end:
            raise XentraceError(
                source,
                pos,
                f"{source}: byte offset {pos}: record 0x{event:07x} "
                f"({'with' if cycles else 'without'} TSC, {n_extra} extra "
                f"words) needs {length} bytes, CPU {cpu}'s window ends "
                f"{end - pos} bytes later, at offset {end}",
            )
        words = struct.unpack_from(f"<{length // 4 - 1}I", data, pos + 4)
        if cycles:
            tsc: int | None = words[0] | (words[1] << 32)
            extra = words[2:]
        else:
            tsc = None
            extra = words
        yield TraceRecord(cpu, event, tsc, tuple(extra), pos)
        pos += length


def read_records(
    data: bytes, source: str = "<trace data>"
) -> list[TraceRecord]:
    """All records of a xentrace file (see ``iter_records``)."""
    return list(iter_records(data, source))


def load(path: str | Path) -> list[TraceRecord]:
    """The records of the xentrace file at ``path``."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise XentraceError(
            str(path), None, f"{path}: cannot read: {exc.strerror}"
        ) from exc
    return read_records(data, str(path))


# -- running time ---------------------------------------------------------


@dataclass
class _Cpu:
    cpu: int
    first_tsc: int | None = None
    last_tsc: int | None = None
    last_offset: int = 0
    #: (domid, vcpu) running since ``since``, once known.
    running: tuple[int, int] | None = None
    since: int = 0
    since_offset: int = 0
    headed: bool = False


def domain_run_cycles(
    records: Iterable[TraceRecord],
    end_tsc: int | None = None,
    source: str = "<trace>",
) -> TraceSummary:
    """Cycles each domain and vCPU ran, from ``TRC_SCHED_SWITCH``
    records: on each CPU a unit runs from the switch that puts it in
    (``next``) to the next switch on that CPU.

    Each CPU's time before its first switch is unknown (``heads``, not
    charged). The last interval on each CPU ends at ``end_tsc``, or at
    the CPU's last record with a TSC when ``None``. After a
    ``TRC_LOST_RECORDS`` record the running unit is charged up to the
    first lost record's TSC, nothing until the lost-records record, then
    the unit it names runs (as xenalyze resumes); the summary is then not
    ``complete``. ``XentraceError`` (naming ``source`` and the record's
    byte offset) for a TSC going back on a CPU, a switch or lost-records
    record without TSC or too few words, or an ``end_tsc`` before a
    CPU's last switch."""
    out = TraceSummary(end_tsc=end_tsc)
    cpus: dict[int, _Cpu] = {}

    def charge(st: _Cpu, end: int) -> None:
        assert st.running is not None
        cycles = end - st.since
        domid, vcpu = st.running
        out.domain_cycles[domid] = out.domain_cycles.get(domid, 0) + cycles
        key = (domid, vcpu)
        out.vcpu_cycles[key] = out.vcpu_cycles.get(key, 0) + cycles
        out.cpu_cycles[st.cpu] = out.cpu_cycles.get(st.cpu, 0) + cycles

    def head(st: _Cpu, domid: int | None, vcpu: int | None, end: int) -> None:
        start = st.first_tsc if st.first_tsc is not None else end
        out.heads.append(Interval(st.cpu, domid, vcpu, min(start, end), end))
        st.headed = True

    for rec in records:
        st = cpus.setdefault(rec.cpu, _Cpu(rec.cpu))
        if rec.tsc is not None:
            if st.last_tsc is not None and rec.tsc < st.last_tsc:
                raise XentraceError(
                    source,
                    rec.offset,
                    f"{source}: byte offset {rec.offset}: CPU {rec.cpu}'s "
                    f"TSC goes back from {st.last_tsc} (record at offset "
                    f"{st.last_offset}) to {rec.tsc}",
                )
            if st.first_tsc is None:
                st.first_tsc = rec.tsc
            st.last_tsc, st.last_offset = rec.tsc, rec.offset
            if out.first_tsc is None or rec.tsc < out.first_tsc:
                out.first_tsc = rec.tsc
            if out.last_tsc is None or rec.tsc > out.last_tsc:
                out.last_tsc = rec.tsc
        if rec.event == TRC_SCHED_SWITCH:
            tsc = _timed(rec, 4, "TRC_SCHED_SWITCH", source)
            prev = (rec.extra[0], rec.extra[1])
            nxt = (rec.extra[2], rec.extra[3])
            out.switches += 1
            out.domain_switches[nxt[0]] = (
                out.domain_switches.get(nxt[0], 0) + 1
            )
            out.vcpu_switches[nxt] = out.vcpu_switches.get(nxt, 0) + 1
            if st.running is None:
                head(st, prev[0], prev[1], tsc)
            elif st.running != prev:
                out.mismatches.append(
                    Interval(rec.cpu, prev[0], prev[1], st.since, tsc)
                )
            else:
                charge(st, tsc)
            st.running, st.since, st.since_offset = nxt, tsc, rec.offset
        elif rec.event == TRC_LOST_RECORDS:
            tsc = _timed(rec, 4, "TRC_LOST_RECORDS", source)
            count = rec.extra[0]
            domid, vcpu = rec.extra[1] & 0xFFFF, rec.extra[1] >> 16
            first = rec.extra[2] | (rec.extra[3] << 32)
            # Records before ``first`` were all kept, so the runner is
            # known up to there (clamped: it cannot precede ``since``).
            if st.running is not None:
                charge(st, min(max(first, st.since), tsc))
            elif not st.headed:
                head(st, None, None, min(first, tsc))
            out.lost_records += count
            out.lost.append(
                LostRecords(
                    rec.cpu, count, first, tsc, domid, vcpu, rec.offset
                )
            )
            st.running, st.since, st.since_offset = (
                (domid, vcpu),
                tsc,
                rec.offset,
            )

    for cpu in sorted(cpus):
        st = cpus[cpu]
        if st.last_tsc is None:
            continue
        end = end_tsc if end_tsc is not None else st.last_tsc
        if st.running is None:
            head(st, None, None, max(end, st.first_tsc or end))
            continue
        if end < st.since:
            raise XentraceError(
                source,
                st.since_offset,
                f"{source}: end TSC {end} is before CPU {cpu}'s last "
                f"switch, at TSC {st.since} (record at byte offset "
                f"{st.since_offset})",
            )
        charge(st, end)
        out.tails.append(Interval(cpu, *st.running, st.since, end))
    out.heads.sort(key=lambda h: h.cpu)
    return out


def _timed(rec: TraceRecord, words: int, name: str, source: str) -> int:
    if rec.tsc is None or len(rec.extra) < words:
        raise XentraceError(
            source,
            rec.offset,
            f"{source}: byte offset {rec.offset}: expected {name} with a "
            f"TSC and {words} extra words, found "
            f"{'a TSC' if rec.tsc is not None else 'no TSC'} and "
            f"{len(rec.extra)} words",
        )
    return rec.tsc


def summarize(path: str | Path, end_tsc: int | None = None) -> TraceSummary:
    """``domain_run_cycles`` of the xentrace file at ``path``."""
    return domain_run_cycles(load(path), end_tsc, str(path))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python3 -m scotch_plugin.xen.xentrace",
        description="Per-domain running time (TSC cycles) from a xentrace "
        "file's TRC_SCHED_SWITCH records, as JSON.",
    )
    parser.add_argument("file", type=Path)
    parser.add_argument(
        "--end-tsc",
        type=lambda s: int(s, 0),
        default=None,
        help="end of each CPU's last interval (default: its last record)",
    )
    args = parser.parse_args(argv)
    try:
        summary = summarize(args.file, args.end_tsc)
    except ScotchError as exc:
        print(f"xentrace: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(summary.to_json(), indent=2))
    return 0 if summary.complete else 2


if __name__ == "__main__":
    sys.exit(main())
