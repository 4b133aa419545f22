"""The xentrace file parser and per-domain running time.

The trace data is made by ``TraceWriter`` below, written from the C
structures (``xen/include/public/trace.h``: ``struct t_rec``;
``xen/common/trace.c``: ``__insert_record``, ``insert_lost_records``;
``tools/xentrace/xentrace.c``: ``struct cpu_change_record``,
``write_buffer``), not from the parser.
"""

from __future__ import annotations

import gzip
import json
import struct
from pathlib import Path

import pytest

from scotch_plugin.errors import ScotchError
from scotch_plugin.xen import xentrace

# trace.h, spelled out again so the test does not take them from the
# module it checks.
TRC_GEN = 0x0001F000
TRC_SCHED_VERBOSE = 0x00028000
TRC_LOST_RECORDS = TRC_GEN + 1
TRC_TRACE_WRAP_BUFFER = TRC_GEN + 2
TRC_TRACE_CPU_CHANGE = TRC_GEN + 3
TRC_SCHED_WAKE = TRC_SCHED_VERBOSE + 4
TRC_SCHED_SWITCH = TRC_SCHED_VERBOSE + 10
TRC_SCHED_SWITCH_INFPREV = TRC_SCHED_VERBOSE + 14
TRACE_EXTRA_SHIFT = 28
IDLE = 0x7FFF


def t_rec(event: int, extra: bytes = b"", tsc: int | None = None) -> bytes:
    """``__insert_record``: ``struct t_rec`` (``event:28``,
    ``extra_u32:3``, ``cycles_included:1``; GCC on x86 fills bit-fields
    from bit 0), then ``u.cycles.cycles_lo/hi`` if a TSC is included,
    then the ``extra`` bytes (a multiple of 4)."""
    assert len(extra) % 4 == 0 and len(extra) // 4 <= 7
    header = event | (len(extra) // 4) << 28 | (tsc is not None) << 31
    out = struct.pack("<I", header)
    if tsc is not None:
        out += struct.pack("<II", tsc & 0xFFFFFFFF, tsc >> 32)
    return out + extra


def words(*values: int) -> bytes:
    return struct.pack(f"<{len(values)}I", *values)


def switch(tsc: int, prev: tuple[int, int], nxt: tuple[int, int]) -> bytes:
    """``TRACE_4D(TRC_SCHED_SWITCH, prev dom, prev unit, next dom, next
    unit)`` (sched/core.c): four ``uint32_t``, TSC included."""
    return t_rec(TRC_SCHED_SWITCH, words(*prev, *nxt), tsc)


def lost(tsc: int, count: int, did: int, vid: int, first_tsc: int) -> bytes:
    """``insert_lost_records``: ``struct __packed { u32 lost_records; u16
    did, vid; u64 first_tsc; }``, TSC included."""
    ed = struct.pack("<IHHQ", count, did, vid, first_tsc)
    return t_rec(TRC_LOST_RECORDS, ed, tsc)


class TraceWriter:
    """``write_buffer``: each window is a ``struct cpu_change_record {
    uint32_t header; struct { int cpu; unsigned window_size; } data; }``
    then the window's bytes."""

    CPU_CHANGE = struct.Struct("<Iii")  # header, int cpu, unsigned (<2G)

    def __init__(self) -> None:
        self.data = b""

    def window(self, cpu: int, *records: bytes) -> TraceWriter:
        body = b"".join(records)
        n_words = self.CPU_CHANGE.size // 4
        header = TRC_TRACE_CPU_CHANGE | (n_words - 1) << TRACE_EXTRA_SHIFT
        self.data += self.CPU_CHANGE.pack(header, cpu, len(body)) + body
        return self


def summary_of(data: bytes, end_tsc: int | None = None):
    return xentrace.domain_run_cycles(xentrace.read_records(data), end_tsc)


def test_writer_matches_the_c_layout():
    # A switch record is 28 bytes (4 + 8 + 16, as calc_rec_size says);
    # a lost-records record LOST_REC_SIZE = 4 + 8 + 16; a cpu_change 12.
    assert len(switch(1, (0, 0), (1, 0))) == 28
    assert len(lost(1, 1, 0, 0, 0)) == 28
    assert TraceWriter().window(0).data == bytes.fromhex(
        "03f00120" "00000000" "00000000"
    )
    assert switch(0x1_0000_0002, (1, 2), (3, 4))[:12] == bytes.fromhex(
        "0a8002c0" "02000000" "01000000"
    )


def test_two_domains_alternating_on_one_cpu():
    data = (
        TraceWriter()
        .window(
            0,
            switch(100, (IDLE, 0), (1, 0)),
            switch(300, (1, 0), (2, 0)),
            switch(600, (2, 0), (1, 0)),
            switch(1000, (1, 0), (2, 0)),
            switch(1500, (2, 0), (1, 0)),
        )
        .data
    )
    records = xentrace.read_records(data)
    assert [r.event for r in records] == [TRC_SCHED_SWITCH] * 5
    assert [r.tsc for r in records] == [100, 300, 600, 1000, 1500]
    assert [r.offset for r in records] == [12, 40, 68, 96, 124]
    assert records[1].extra == (1, 0, 2, 0)
    assert all(r.cpu == 0 for r in records)

    s = xentrace.domain_run_cycles(records)
    # d1: 100-300, 600-1000; d2: 300-600, 1000-1500; the last interval
    # (d1 from 1500) ends at the last record: 0 cycles.
    assert s.domain_cycles == {1: 600, 2: 800}
    assert s.vcpu_cycles == {(1, 0): 600, (2, 0): 800}
    assert s.domain_switches == {1: 3, 2: 2}
    assert s.switches == 5
    assert (s.first_tsc, s.last_tsc) == (100, 1500)
    assert s.complete and s.problems == [] and s.lost_records == 0
    # Before the first switch: idle ran, from an unknown start.
    assert s.heads == [xentrace.Interval(0, IDLE, 0, 100, 100)]
    assert s.tails == [xentrace.Interval(0, 1, 0, 1500, 1500)]
    assert s.cpu_cycles == {0: 1400} and s.total_cycles == 1400

    ended = summary_of(data, end_tsc=2000)
    assert ended.domain_cycles == {1: 1100, 2: 800}
    assert ended.tails == [xentrace.Interval(0, 1, 0, 1500, 2000)]
    assert ended.end_tsc == 2000


def test_two_cpus_with_cpu_change_records():
    # Windows as xentrace writes them: CPU 0, CPU 1, CPU 0 again. CPU 1's
    # TSCs are lower than CPU 0's second window: no order across CPUs.
    data = (
        TraceWriter()
        .window(
            0,
            switch(1000, (IDLE, 0), (1, 0)),
            switch(1400, (1, 0), (2, 0)),
        )
        .window(
            1,
            switch(900, (IDLE, 1), (1, 1)),
            switch(1500, (1, 1), (IDLE, 1)),
        )
        .window(
            0,
            switch(2000, (2, 0), (1, 0)),
            t_rec(TRC_SCHED_WAKE, words(2, 0), 2500),
        )
        .data
    )
    records = xentrace.read_records(data)
    assert [(r.cpu, r.tsc) for r in records] == [
        (0, 1000),
        (0, 1400),
        (1, 900),
        (1, 1500),
        (0, 2000),
        (0, 2500),
    ]
    # Offsets count the cpu_change records (12 bytes) between windows.
    assert [r.offset for r in records] == [12, 40, 80, 108, 148, 176]

    s = xentrace.domain_run_cycles(records)
    # CPU 0: d1v0 1000-1400, d2v0 1400-2000, d1v0 2000-2500 (last record).
    # CPU 1: d1v1 900-1500, idle 1500-1500.
    assert s.vcpu_cycles == {
        (1, 0): 400 + 500,
        (2, 0): 600,
        (1, 1): 600,
        (IDLE, 1): 0,
    }
    assert s.domain_cycles == {1: 1500, 2: 600, IDLE: 0}
    assert s.cpu_cycles == {0: 1500, 1: 600}
    assert (s.first_tsc, s.last_tsc) == (900, 2500)
    assert [(h.cpu, h.domid, h.vcpu) for h in s.heads] == [
        (0, IDLE, 0),
        (1, IDLE, 1),
    ]
    # A common end: each CPU's last interval runs to it.
    ended = summary_of(data, end_tsc=3000)
    assert ended.vcpu_cycles[(1, 0)] == 400 + 1000
    assert ended.vcpu_cycles[(IDLE, 1)] == 1500


def test_idle_domain_is_accounted_and_separable():
    data = (
        TraceWriter()
        .window(
            0,
            switch(10, (0, 0), (IDLE, 0)),
            switch(110, (IDLE, 0), (3, 0)),
            switch(140, (3, 0), (IDLE, 0)),
            switch(400, (IDLE, 0), (0, 0)),
            switch(450, (0, 0), (IDLE, 0)),
        )
        .data
    )
    s = summary_of(data, end_tsc=500)
    assert s.domain_cycles == {IDLE: 100 + 260 + 50, 3: 30, 0: 50}
    assert s.vcpu_cycles[(IDLE, 0)] == 410
    assert s.guest_cycles == {3: 30, 0: 50}
    assert s.domain_switches == {IDLE: 3, 3: 1, 0: 1}
    assert s.heads == [xentrace.Interval(0, 0, 0, 10, 10)]
    assert s.total_cycles == 490


def test_lost_records_are_reported_and_not_charged():
    data = (
        TraceWriter()
        .window(
            0,
            switch(100, (IDLE, 0), (1, 0)),
            switch(200, (1, 0), (2, 0)),
            # Records were dropped from TSC 350 on; when Xen could write
            # again (TSC 900) d1v0 was running.
            lost(900, 17, 1, 0, 350),
            switch(1000, (1, 0), (2, 0)),
        )
        .window(1, switch(100, (IDLE, 1), (3, 0)))
        .data
    )
    s = summary_of(data, end_tsc=1200)
    assert not s.complete
    assert s.lost_records == 17
    assert s.lost == [xentrace.LostRecords(0, 17, 350, 900, 1, 0, 68)]
    assert s.lost[0].cycles == 550
    # d1: 100-200 and 900-1000 (resumed from the lost record's d1v0);
    # d2: 200-350 (up to the first lost record) and 1000-1200.
    assert s.domain_cycles == {1: 200, 2: 350, 3: 1100}
    assert s.cpu_cycles[0] == 1200 - 100 - 550
    assert len(s.problems) == 1
    assert "17 records lost" in s.problems[0]
    assert "offset 68" in s.problems[0]


def test_lost_records_first_on_a_cpu():
    data = (
        TraceWriter()
        .window(0, lost(500, 3, 2, 1, 200), switch(800, (2, 1), (1, 0)))
        .data
    )
    s = summary_of(data, end_tsc=1000)
    assert s.domain_cycles == {2: 300, 1: 200}
    assert s.heads == [xentrace.Interval(0, None, None, 200, 200)]
    assert s.lost_records == 3 and not s.complete


def test_records_without_cycles_are_skipped_correctly():
    # Records without a TSC, with 0..7 extra words, and wrap padding (as
    # insert_wrap_record makes: with a TSC when more than 7 words of
    # space are left), between the switches: same result as without.
    noise = [t_rec(0x00801008, words(*range(n))) for n in range(8)]  # no TSC
    wrap = t_rec(TRC_TRACE_WRAP_BUFFER, words(*[0xDEADBEEF] * 7), 250)
    plain = [
        switch(100, (IDLE, 0), (1, 0)),
        switch(300, (1, 0), (2, 0)),
        switch(700, (2, 0), (1, 0)),
    ]
    mixed = [
        noise[0],
        plain[0],
        *noise[1:5],
        wrap,
        plain[1],
        *noise[5:7],
        t_rec(TRC_SCHED_SWITCH_INFPREV, words(2, 0, 77), 690),
        plain[2],
        noise[7],
    ]
    records = xentrace.read_records(TraceWriter().window(0, *mixed).data)
    assert len(records) == len(mixed)
    no_tsc = [r for r in records if r.tsc is None]
    assert [r.extra for r in no_tsc] == [tuple(range(n)) for n in range(8)]
    assert [r.size for r in records] == [len(b) for b in mixed]
    assert records[-1].offset == 12 + sum(len(b) for b in mixed[:-1])
    with_tsc = [r.tsc for r in records if r.tsc is not None]
    assert with_tsc == [100, 250, 300, 690, 700]

    s = xentrace.domain_run_cycles(records, end_tsc=1000)
    base = summary_of(TraceWriter().window(0, *plain).data, end_tsc=1000)
    assert s.domain_cycles == base.domain_cycles == {1: 500, 2: 400}
    assert s.switches == 3 and s.complete


def test_truncated_file_names_the_file_and_offset(tmp_path: Path):
    data = (
        TraceWriter()
        .window(0, switch(100, (IDLE, 0), (1, 0)))
        .window(0, switch(200, (1, 0), (2, 0)))
        .data
    )
    assert len(data) == 80
    path = tmp_path / "trace.bin"
    # Inside the second window's records, inside its cpu_change record.
    for cut, what in [(70, "CPU 0's window from offset 52"), (45, "12-")]:
        path.write_bytes(data[:cut])
        with pytest.raises(ScotchError) as err:
            xentrace.load(path)
        message = str(err.value)
        assert str(path) in message
        assert f"truncated at byte offset {cut}" in message
        assert what in message
        assert isinstance(err.value, xentrace.XentraceError)
        assert (err.value.source, err.value.offset) == (str(path), cut)
    path.write_bytes(data)
    assert len(xentrace.load(path)) == 2


def test_not_a_xentrace_file(tmp_path: Path):
    path = tmp_path / "junk"
    path.write_bytes(switch(100, (IDLE, 0), (1, 0)))
    with pytest.raises(ScotchError, match=r"junk: byte offset 0: expected"):
        xentrace.load(path)
    with pytest.raises(ScotchError, match="cannot read"):
        xentrace.load(tmp_path / "missing")


def test_record_running_past_its_window():
    rec = switch(100, (IDLE, 0), (1, 0))
    data = TraceWriter().window(0, rec).data
    # Window size says 20 bytes: the 28-byte record does not fit.
    data = data[:8] + struct.pack("<I", 20) + data[12:]
    with pytest.raises(ScotchError, match=r"byte offset 12: record 0x002800a"):
        xentrace.read_records(data, "t.bin")


def test_switch_without_tsc_and_tsc_going_back_are_errors():
    bad = t_rec(TRC_SCHED_SWITCH, words(IDLE, 0, 1, 0))
    with pytest.raises(ScotchError, match="offset 12: expected TRC_SCHED"):
        summary_of(TraceWriter().window(0, bad).data)
    back = TraceWriter().window(
        0, switch(500, (IDLE, 0), (1, 0)), switch(400, (1, 0), (IDLE, 0))
    )
    with pytest.raises(ScotchError, match="offset 40: CPU 0's TSC goes back"):
        summary_of(back.data)


def test_end_tsc_before_last_switch_is_an_error():
    data = (
        TraceWriter()
        .window(0, switch(100, (IDLE, 0), (1, 0)), switch(300, (1, 0), (2, 0)))
        .data
    )
    with pytest.raises(ScotchError, match="before CPU 0's last switch"):
        xentrace.domain_run_cycles(
            xentrace.read_records(data), end_tsc=200, source="t.bin"
        )


def test_switches_that_do_not_chain_are_reported():
    data = (
        TraceWriter()
        .window(
            0,
            switch(100, (IDLE, 0), (1, 0)),
            switch(300, (2, 0), (1, 0)),  # prev should be d1v0
            switch(400, (1, 0), (IDLE, 0)),
        )
        .data
    )
    s = summary_of(data)
    assert not s.complete
    assert s.mismatches == [xentrace.Interval(0, 2, 0, 100, 300)]
    assert s.domain_cycles == {1: 100, IDLE: 0}
    assert "prev d2v0" in s.problems[0]


def test_command_line(tmp_path: Path, capsys):
    path = tmp_path / "t.bin"
    path.write_bytes(
        TraceWriter()
        .window(0, switch(100, (IDLE, 0), (1, 0)), switch(300, (1, 0), (2, 0)))
        .data
    )
    assert xentrace.main([str(path), "--end-tsc", "0x200"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["domain_cycles"] == {"1": 200, "2": 212}
    assert out["complete"] is True
    path.write_bytes(b"\x00" * 5)
    assert xentrace.main([str(path)]) == 1
    assert "truncated at byte offset 5" in capsys.readouterr().err


#: The first 14 windows (7928 bytes) of a real capture: Debian's Xen
#: 4.17.7 and its ``xentrace -D -e 0x0002800a -S 256`` in dom0, QEMU TCG
#: with 2 CPUs, 2 PV domUs (run from a test copy of dom0-init).
REAL = Path(__file__).parent / "data" / "xentrace-sched-2cpu.bin.gz"


def test_a_real_xentrace_capture():
    records = xentrace.read_records(gzip.decompress(REAL.read_bytes()))
    assert len(records) == 305 and records[-1].offset == 7900
    assert {r.cpu for r in records} == {0, 1}
    assert all(r.tsc is not None for r in records)
    # The mask selects a subclass: all of TRC_SCHED_VERBOSE comes.
    assert {r.event & ~0xFFF for r in records} == {TRC_SCHED_VERBOSE}
    # sched_switch_units writes INFPREV(prev dom, unit, ns), INFNEXT(next
    # dom, unit, ...), then SWITCH(prev dom, unit, next dom, unit).
    switches = [i for i, r in enumerate(records) if r.event == 0x2800A]
    assert len(switches) == 65
    for i in switches:
        infprev, infnext, sw = records[i - 2 : i + 1]
        assert (infprev.event, infnext.event) == (0x2800E, 0x2800F)
        assert infprev.extra[:2] == sw.extra[:2]
        assert infnext.extra[:2] == sw.extra[2:]
        assert infprev.tsc <= infnext.tsc <= sw.tsc

    s = xentrace.domain_run_cycles(records)
    assert s.complete and s.switches == 65
    assert s.domain_cycles == {
        0: 686547238,
        1: 424693620,
        IDLE: 2442192064,
    }
    assert [(h.cpu, h.domid, h.vcpu) for h in s.heads] == [
        (0, 0, 0),
        (1, IDLE, 1),
    ]
    assert s.cpu_cycles == {0: 3128739302, 1: 424693620}
