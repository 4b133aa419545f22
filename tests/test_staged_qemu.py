"""One boot, many runs, on QEMU: a staged dom0 (``scotch.staged=1``)
boots the domUs, waits until each is ready for its workload, and only
then takes its run's parameters: on gem5 from the file the restored
run's config names (m5 readfile), here from the host over the console.
The run must then behave as an unstaged one: the attack set at run
time, the workloads the run chose, both exports verified."""

from __future__ import annotations

import re

import pytest

from scotch_plugin.platforms import scotch_qemu, scotch_run
from scotch_plugin.xen import dom0_report


def _spec(**kw) -> scotch_run.RunSpec:
    return scotch_run.RunSpec(
        domains=(
            scotch_run.DomainSpec("attacker", "pi"),
            scotch_run.DomainSpec("victim", "lcg"),
        ),
        seconds=1,
        window=1,
        attacker_domid=1,
        severity=3,
        **kw,
    )


def test_boot_words_hold_only_what_the_domus_are_created_with():
    staged = _spec(staged=True)
    boot = scotch_run.boot_words(staged)
    assert boot.split() == ["scotch.domus=2", "scotch.mem=128",
                            "scotch.names=attacker,victim",
                            "scotch.staged=1"]  # fmt: skip
    run = scotch_run.run_words(staged).split()
    assert "scotch.workloads=pi,lcg" in run
    assert "scotch.attacker=1" in run and "scotch.severity=3" in run
    # dom0-init refuses a boot word among a run's (it is fixed by then).
    assert not set(boot.split()) & set(run)
    assert "scotch.staged=1" not in scotch_run.boot_words(_spec())


@pytest.mark.xen
def test_a_staged_run_takes_its_parameters_after_the_domus_are_up(
    tmp_path,
):
    # dom0's weight as gem5 boots it: set before the run's choices.
    spec = _spec(staged=True, dom0_weight=512)
    images, xen = scotch_qemu.prepare()
    run = scotch_qemu.run(spec, images, xen, log=tmp_path / "console.log")
    serial = run.serial
    events = re.findall(r'^SCOTCH-XEN \{"event": "([a-z0-9-]+)"', serial,
                        re.MULTILINE)  # fmt: skip
    # Ready (the checkpoint on gem5), then the run's words, then the
    # attack they name, then the workloads they chose.
    order = ["dom0-weight", "domus-ready", "run-params", "attack-set",
             "workloads-started"]  # fmt: skip
    assert [e for e in events if e in order] == order
    assert '"severity": 3' in serial
    for name, workload in (("attacker", "pi"), ("victim", "lcg")):
        console = scotch_run.domu_console(serial, name)
        assert "SCOTCH-DOMU-READY name=" + name in console
        assert f"SCOTCH-WORKLOAD-START name={name} workload={workload}" in (
            console
        )
        assert run.domains[name].scotch_cycles > 0
    # Both exports reached the verifier, in order.
    assert [label for label, _, _ in run.relayed] == ["start", "end"]
    # Xen's view is the growth of its own cpu_time between the exports,
    # to the nanosecond (dom0's scotch-xentime), not xl's rounded total.
    times = dom0_report.parse_report(serial, 0.0, []).xen_times
    assert set(times) == {"start", "end"}
    for name in ("attacker", "victim"):
        d = run.domains[name]
        grown = times["end"][d.domid] - times["start"][d.domid]
        assert d.xen_seconds == grown / 1e9 and grown > 0
    # The command line held no run parameter.
    assert "scotch.severity" not in " ".join(run.command)


@pytest.mark.xen
@pytest.mark.parametrize("at_window", [False, True])
def test_the_start_export_can_wait_for_the_window(tmp_path, at_window):
    """scotch.exports_at_window: the start export once every workload has
    started, right before the window (the ledger then covers the work
    the window measures); by default before the domUs start."""
    spec = _spec(staged=True, exports_at_window=at_window)
    assert ("scotch.exports_at_window=1" in scotch_run.run_words(spec)) is (
        at_window
    )
    images, xen = scotch_qemu.prepare()
    run = scotch_qemu.run(spec, images, xen, log=tmp_path / "console.log")
    serial = run.serial
    start = serial.index('"event": "xen-times", "label": "start"')
    started = serial.index('"event": "workloads-started"')
    assert (started < start) is at_window
    assert start < serial.index('"event": "window-closed"')
    assert [label for label, _, _ in run.relayed] == ["start", "end"]
    for name in ("attacker", "victim"):
        assert run.domains[name].scotch_cycles > 0
