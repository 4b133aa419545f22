"""dom0's report on the console: only dom0's whole lines are records, a
guest cannot inject one, and a record with a duplicate or impossible
value is an error, never a number in a table."""

from __future__ import annotations

import pytest

from scotch_plugin.errors import ScotchError
from scotch_plugin.xen.dom0_report import parse_report

DONE = 'SCOTCH-XEN {"event": "done", "uptime": "9.0"}'


def line(name: str, domid: int, cpu: str = "1.5") -> str:
    return (
        f'SCOTCH-XEN {{"domain": "{name}", "domid": {domid}, '
        f'"memory_mb": 128, "vcpus": 1, "state": "--p---", '
        f'"cpu_seconds": {cpu}, "output": ""}}'
    )


def serial(*lines: str) -> str:
    return "\n".join(["(XEN) booting", *lines, DONE, ""])


def test_dom0_lines_make_the_report():
    rep = parse_report(
        serial(line("Domain-0", 0), line("victim", 2, "3.0")), 1.0, []
    )
    assert [(d.name, d.cpu_seconds) for d in rep.domus] == [("victim", 3.0)]


def test_a_guest_cannot_inject_a_record():
    """A domU that prints a report line of its own: dom0 relays it behind
    its prefix, and it is not a record."""
    fake = "SCOTCH-DOMU victim: " + line("attacker", 1, "0.1")
    rep = parse_report(
        serial(line("Domain-0", 0), line("victim", 2), fake), 1.0, []
    )
    assert [d.name for d in rep.domus] == ["victim"]
    fake_error = 'SCOTCH-DOMU victim: SCOTCH-XEN {"error": "x"}'
    parse_report(serial(line("Domain-0", 0), fake_error), 1.0, [])


@pytest.mark.parametrize("cpu", ["NaN", "Infinity", "-1.0"])
def test_an_impossible_cpu_time_is_an_error(cpu):
    with pytest.raises(ScotchError, match="finite number"):
        parse_report(serial(line("Domain-0", 0), line("v", 2, cpu)), 1.0, [])


def test_a_domain_reported_twice_is_an_error():
    with pytest.raises(ScotchError, match="domid 2 twice"):
        parse_report(
            serial(line("Domain-0", 0), line("v", 2), line("w", 2)), 1.0, []
        )


def times(label: str, **cpu_ns: int) -> str:
    body = ", ".join(
        f'"{k.removeprefix("d")}": {v}' for k, v in cpu_ns.items()
    )
    return (
        f'SCOTCH-XEN {{"event": "xen-times", "label": "{label}", '
        f'"cpu_ns": {{{body}}}}}'
    )


def test_xen_s_window_is_the_growth_of_its_cpu_time_between_exports():
    rep = parse_report(
        serial(
            times("start", d0=5, d1=900_000_000, d2=900_000_000),
            times("end", d0=9, d1=967_331_542, d2=966_264_491),
            line("Domain-0", 0),
        ),
        1.0,
        [],
    )
    assert rep.window_cpu_seconds(1) == pytest.approx(0.067331542)
    assert rep.window_cpu_seconds(2) == pytest.approx(0.066264491)


def test_without_both_exports_there_is_no_window():
    rep = parse_report(
        serial(times("start", d0=5, d1=1), line("Domain-0", 0)), 1.0, []
    )
    assert rep.window_cpu_seconds(1) is None


@pytest.mark.parametrize(
    "lines, match",
    [
        ((times("start", d0=1), times("end", d0=2, d1=3)), "missing.*start"),
        ((times("start", d1=9), times("end", d1=3)), "went back"),
        ((times("start", d1=1), times("start", d1=2)), "'start' twice"),
        (('SCOTCH-XEN {"event": "xen-times", "label": "end", '
          '"cpu_ns": {"x": 1}}',), "bad xen-times"),  # fmt: skip
    ],
)
def test_a_broken_xen_times_record_is_an_error(lines, match):
    with pytest.raises(ScotchError, match=match):
        rep = parse_report(serial(*lines, line("Domain-0", 0)), 1.0, [])
        rep.window_cpu_seconds(1)
