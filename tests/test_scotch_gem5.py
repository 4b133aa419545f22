"""Scotch end to end on gem5 (scotch_plugin/platforms/scotch_gem5.py): one
cached boot to dom0's staged checkpoint, runs restored from it.

Without gem5: how a run's console and statistics are read, and the
restore command each trigger makes. With SCOTCH_GEM5_BINARY and a
cached boot of experiments/rq1-gem5.yaml's domains (``scotch run
experiments/rq1-gem5.yaml`` makes it): a restored run's ledger against
the simulator's observer, with Xen's SMI and with the CR3 trigger
alone."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from conftest import ROOT

from scotch_plugin.errors import ScotchError
from scotch_plugin.experiments.load import load_experiment
from scotch_plugin.platforms import scotch_gem5
from scotch_plugin.platforms.scotch_run import run_spec

STATS_DUMP = """
---------- Begin Simulation Statistics ----------
simTicks                                   {ticks}   # ticks
board.clk_domain.clock                          333   # period
board.observer.ticks::dom0                 {dom0}   # ticks
board.observer.ticks::attacker             {a}   # ticks
board.observer.ticks::victim               {v}   # ticks
---------- End Simulation Statistics   ----------
"""


def test_observer_cycles_are_the_growth_between_dom0_s_dumps(tmp_path):
    stats = tmp_path / "stats.txt"
    stats.write_text(
        STATS_DUMP.format(ticks=1, dom0=333, a=3330, v=0)
        + STATS_DUMP.format(ticks=2, dom0=666, a=333000 + 3330, v=166500)
    )
    cycles, end = scotch_gem5.observer_cycles(tmp_path, ["attacker", "victim"])
    assert cycles == {"attacker": 1000, "victim": 500}
    assert end["simTicks"] == 2


def test_a_fast_forwarded_run_s_window_is_between_its_switches(tmp_path):
    """--switch-cpu adds a dump at each CPU switch, between the exports'
    dumps: the ledger's interval stays the exports', the window is the
    detailed model's stretch."""
    dumps = [(1, 0), (2, 3330), (3, 6660), (4, 9990), (5, 9990)]
    (tmp_path / "stats.txt").write_text("".join(
        STATS_DUMP.format(ticks=t, dom0=0, a=a, v=0) for t, a in dumps
    ))  # fmt: skip
    (tmp_path / "gem5.stdout").write_text(
        "SCOTCH-SWITCHED cpu=o3 tick=2\nSCOTCH-SWITCHED cpu=atomic tick=3\n"
    )
    d = scotch_gem5.run_dumps(tmp_path)
    assert d.switched
    assert [x["simTicks"] for x in (d.start, d.window_start, d.window_end,
                                    d.end)] == [1, 2, 3, 4]  # fmt: skip
    cycles, _ = scotch_gem5.observer_cycles(tmp_path, ["attacker"])
    assert cycles == {"attacker": 30}  # (9990 - 0) / 333: start to end
    # Switched in and never back: not a window.
    (tmp_path / "gem5.stdout").write_text("SCOTCH-SWITCHED cpu=o3 tick=2\n")
    with pytest.raises(ScotchError, match="1 CPU switch"):
        scotch_gem5.run_dumps(tmp_path)


def test_one_dump_is_an_error(tmp_path):
    stats = tmp_path / "stats.txt"
    stats.write_text(STATS_DUMP.format(ticks=1, dom0=1, a=1, v=1))
    with pytest.raises(ScotchError, match="1 statistics dump"):
        scotch_gem5.observer_cycles(tmp_path, ["attacker"])


def test_relayed_snapshots_are_anchored_lines():
    serial = "\n".join(
        [
            "SCOTCH-CHALLENGE start",
            "SCOTCH-SNAPSHOT 1 abcd",
            # A domU's console reaches dom0's only behind a prefix.
            "SCOTCH-DOMU victim: SCOTCH-SNAPSHOT 1 ffff",
            "noise SCOTCH-CHALLENGE end",
            "SCOTCH-CHALLENGE end",
            "SCOTCH-SNAPSHOT 2 0123",
            "SCOTCH-SNAPSHOT 2 4567",
        ]
    )
    assert scotch_gem5.relayed_snapshots(serial) == [
        ("start", "abcd"),
        ("end", "0123"),
    ]


def _fake_boot(tmp_path: Path) -> tuple[object, scotch_gem5.BootResult]:
    exp = load_experiment(ROOT / "experiments" / "rq1-gem5.yaml", env={
        "SCOTCH_GEM5_BINARY": "/bin/true"})  # fmt: skip

    class Boot:
        binary = Path("/opt/gem5.opt")
        spec = run_spec(exp, 0)

        def machine_args(self) -> list[str]:
            return ["--xen", "xen"]

    cpt = tmp_path / "cpt.123"
    booted = scotch_gem5.BootResult(tmp_path, cpt, b"k" * 32, True,
                                    {"tick": 5_000_000})  # fmt: skip
    return Boot(), booted


@pytest.mark.parametrize(
    "trigger, wanted",
    [
        ("none", []),
        ("software", []),
        ("cr3", ["--trigger", "cr3"]),
        ("interrupt", ["--trigger", "interrupt"]),
        ("random", ["--trigger-random-mean", "250000",
                    "--trigger-random-start", "5000"]),
    ],
)  # fmt: skip
def test_the_trigger_is_set_at_restore(tmp_path, trigger, wanted):
    boot, booted = _fake_boot(tmp_path)
    choice = scotch_gem5.RestoreChoice(
        cpu="o3", trigger=trigger, random_mean_us=250
    )
    cmd = scotch_gem5.restore_command(
        boot, booted, choice, tmp_path / "out", tmp_path / "p.txt",  # type: ignore[arg-type]
        tmp_path / "final",
    )  # fmt: skip
    assert cmd[cmd.index("--restore") + 1] == str(booted.checkpoint)
    assert cmd[cmd.index("--cpu") + 1] == "o3"
    assert cmd[cmd.index("--readfile") + 1] == str(tmp_path / "p.txt")
    assert "--ignore-work-items" in cmd
    # The exit checkpoint (SMRAM: the key) is kept out of the results.
    assert cmd[cmd.index("--checkpoint-dir") + 1] == str(tmp_path / "final")
    tail = cmd[cmd.index("--checkpoint-dir") + 2 :]
    assert tail == wanted


def test_the_switch_timer_is_added_at_restore(tmp_path):
    boot, booted = _fake_boot(tmp_path)
    choice = scotch_gem5.RestoreChoice(
        cpu="o3", time_switches=(0xFFFF82D0402FBCC0, 0xFFFF82D040200000,
                                 0xFFFF82D040360183),
    )  # fmt: skip
    cmd = scotch_gem5.restore_command(
        boot, booted, choice, tmp_path / "out", tmp_path / "p.txt",  # type: ignore[arg-type]
        tmp_path / "final",
    )  # fmt: skip
    i = cmd.index("--time-switches")
    assert cmd[i + 1] == (
        "0xffff82d0402fbcc0,0xffff82d040200000,0xffff82d040360183"
    )


def test_a_saved_boot_restores_as_its_boot_would(tmp_path):
    boot, booted = _fake_boot(tmp_path)
    saved = scotch_gem5.SavedBoot(
        Path("/g/gem5.opt"), ("--clock", "1GHz"), tmp_path
    )
    saved.save(tmp_path / "restore.json")
    again = scotch_gem5.SavedBoot.read(tmp_path / "restore.json")
    assert again == saved
    choice = scotch_gem5.RestoreChoice(cpu="timing")
    cmd = scotch_gem5.restore_command(
        again, booted, choice, tmp_path / "out", tmp_path / "p.txt",
        tmp_path / "final",
    )  # fmt: skip
    assert cmd[0] == "/g/gem5.opt"
    assert cmd[cmd.index("--clock") + 1] == "1GHz"


def _finished_boot(directory: Path, identity: dict) -> Path:
    (directory / "out" / "cpt.7").mkdir(parents=True)
    (directory / "out" / "cpt.7" / "m5.cpt").write_text("[root]\n")
    (directory / "boot.json").write_text(
        json.dumps({"checkpoint": "out/cpt.7", "host_seconds": 1.0})
    )
    (directory / "mac-key.bin").write_bytes(b"k" * 32)
    (directory / "identity.json").write_text(json.dumps(identity))
    return directory


class _Identified:
    identity = {
        "gem5": {"series": "s1", "extras": "e1"},
        "files": {"xen": "x1"},
        "args": ["--clock", "1GHz"],
    }
    key = "0123456789abcdef"


def test_a_named_boot_made_from_the_same_inputs_is_restored(tmp_path):
    directory = _finished_boot(tmp_path / "b", _Identified.identity)
    done = scotch_gem5.named(_Identified(), directory)  # type: ignore[arg-type]
    assert done.reused and done.checkpoint == directory / "out" / "cpt.7"
    assert done.key == b"k" * 32


def test_a_named_boot_from_other_inputs_is_refused(tmp_path):
    theirs = json.loads(json.dumps(_Identified.identity))
    theirs["gem5"]["series"] = "s0"
    theirs["files"]["xen"] = "x0"
    directory = _finished_boot(tmp_path / "b", theirs)
    with pytest.raises(ScotchError) as info:
        scotch_gem5.named(_Identified(), directory)  # type: ignore[arg-type]
    message = str(info.value)
    assert "(files.xen, gem5.series differ)" in message
    assert "the key 0123456789abcdef" in message


def test_a_named_boot_without_its_identity_is_refused(tmp_path):
    directory = _finished_boot(tmp_path / "b", {})
    (directory / "identity.json").unlink()
    with pytest.raises(ScotchError, match="no identity.json"):
        scotch_gem5.named(_Identified(), directory)  # type: ignore[arg-type]


# -- on gem5, from the cached boot ------------------------------------------


@pytest.fixture(scope="module")
def booted(gem5_binary):
    exp = load_experiment(ROOT / "experiments" / "rq1-gem5.yaml", env={
        "SCOTCH_GEM5_BINARY": str(gem5_binary)})  # fmt: skip
    assert exp.gem5 is not None
    boot = scotch_gem5.prepare(
        gem5_binary, run_spec(exp, 0), exp.gem5.frequency
    )
    done = scotch_gem5.cached(boot)
    if done is None:
        pytest.skip(
            f"no cached gem5 boot {boot.directory} for this binary and "
            "these images: `scotch run experiments/rq1-gem5.yaml "
            "--gem5-binary ...` makes it (about half an hour)"
        )
    return exp, boot, done


def _run(booted, tmp_path, trigger: str, severity: int = 0):
    exp, boot, done = booted
    spec = dataclasses.replace(run_spec(exp, severity), window=0.05)
    choice = scotch_gem5.RestoreChoice(cpu="atomic", trigger=trigger)
    return scotch_gem5.run(boot, done, spec, choice, tmp_path / "run")


def _within(run, rel: float) -> None:
    for name, d in run.domains.items():
        assert d.truth_cycles > 0, name
        assert d.scotch_cycles == pytest.approx(d.truth_cycles, rel=rel), (
            name, d.scotch_cycles, d.truth_cycles)  # fmt: skip


def test_ledger_follows_the_observer_with_xen_s_smi(booted, tmp_path):
    run = _run(booted, tmp_path, "software")
    _within(run, 0.01)
    assert run.ram_scanned > 0


def test_cr3_trigger_alone_keeps_the_ledger_on_the_observer(booted, tmp_path):
    """Xen's software SMI off: the hardware raises one SMI at every CR3
    load outside SMM, which the hypervisor cannot skip."""
    run = _run(booted, tmp_path, "cr3")
    s = run.sim_stats
    loads = s["board.trigger.cr3LoadsOutsideSmm"]
    assert loads > 0
    assert s["board.trigger.smisRaised::cr3"] == loads
    assert s["board.observer.cr3Loads"] == loads
    assert '"smi": 0' in run.serial
    _within(run, 0.01)


def test_the_short_gem5_rq1_shares_the_full_one_s_boot():
    env = {"SCOTCH_GEM5_BINARY": "/bin/true"}
    full = load_experiment(ROOT / "experiments" / "rq1-gem5.yaml", env=env)
    short = load_experiment(
        ROOT / "experiments" / "rq1-gem5-short.yaml", env=env
    )
    assert full.platform == short.platform == "gem5"
    assert full.domains == short.domains
    assert full.gem5 and short.gem5
    assert full.gem5.frequency == short.gem5.frequency
    assert len(full.severities) == 7 and full.attack.repeats == 1


# -- kind xen-cost on gem5, from the cached boot ------------------------------


def _cost_point(
    booted, tmp_path, trigger: str, window: float = 0.01, cpu: str = "atomic"
):
    from scotch_plugin.sweep import xen_cost
    from scotch_plugin.sweep.records import PointSpec

    exp, boot, done = booted
    prepared = xen_cost.prepare(exp.source, boot.binary, tmp_path)
    assert prepared.identity["boot"] == boot.key  # the cached one
    params = {"cpu": cpu, "trigger": trigger, "random_mean_us": 100.0,
              "window": window, "ratelimit_us": 100, "fast_forward": True,
              "workloads": "pi,naps"}  # fmt: skip
    spec = PointSpec(
        sweep="t", kind="xen-cost", point_id="p", index=0, repeat=0,
        params=params, axes={}, identity={}, gem5_binary=str(boot.binary),
        images={"restore": str(prepared.restore_file)},
        base_dir=str(tmp_path), timeout_s=3600,
    )  # fmt: skip
    cmd, metrics = xen_cost.run(spec, tmp_path / "p")
    return cmd, metrics


@pytest.mark.parametrize("cpu", ["atomic", "o3"])
def test_cost_point_times_xen_s_switches_with_scotch(booted, tmp_path, cpu):
    """Xen's software SMI: every timed switch holds SMM time; the
    ledger still follows the observer; both domUs did work. On O3 the
    run is fast-forwarded: Atomic but in the window."""
    cmd, m = _cost_point(booted, tmp_path, "software", cpu=cpu)
    assert "--time-switches" in cmd
    if cpu != "atomic":
        assert cmd[cmd.index("--cpu") + 1] == "atomic"
        assert cmd[cmd.index("--switch-cpu") + 1] == cpu
        assert scotch_gem5.run_dumps(tmp_path / "p" / "gem5").switched
    # naps blocks every 50 us: many switches even in 10 ms.
    assert m["switch_n"] >= 50
    assert m["smis_per_switch"] >= 1
    assert 0 < m["smm_per_switch_mean"] < m["switch_mean"]
    assert m["switch_xen_median"] < m["switch_median"]
    assert m["smis"] > 0 and m["smi_gap_median"] > 0
    assert m["handler_cycles_per_smi"] > 0
    for name in ("attacker", "victim"):
        assert m[f"guest_insts_{name}"] > 0
        # Atomic retires at most one instruction a cycle.
        assert 0 < m[f"ipc_{name}"] <= (1.0 if cpu == "atomic" else 8.0)
        assert abs(m[f"ledger_error_{name}"]) < 0.01
        # The tenant's evidence: its work per second the ledger charged.
        assert m[f"tenant_work_per_cpu_s_{name}"] > 0
    if cpu != "atomic":
        # The L2's demand lookups per domain (RQ3): part of the L2's own
        # count, which has the hypervisor's, SMM's and writebacks too.
        per_domain = sum(
            m[f"l2_accesses_{n}"] for n in ("attacker", "victim", "dom0")
        )
        assert 0 < per_domain <= m["l2_accesses"]
        assert m["l2_accesses_victim"] > 0
        assert 0 <= m["l2_miss_rate_victim"] <= 1


def test_cost_point_without_scotch_has_no_smi_in_its_window(booted, tmp_path):
    cmd, m = _cost_point(booted, tmp_path, "none")
    assert m["switch_n"] >= 50
    assert m["smis"] == 0 and m["smis_per_switch"] == 0
    assert m["smm_per_switch_mean"] == 0
    assert not any(k.startswith("ledger_") for k in m)
    assert m["guest_insts_attacker"] > 0 and m["guest_insts_victim"] > 0


@pytest.mark.parametrize(
    "workloads",
    [("gzip", "naps"), ("pi", "blackscholes"), ("streamcluster", "canneal"),
     ("thrash", "pi")],  # fmt: skip
)
def test_every_workload_s_checksum_matches_the_host(booted, tmp_path,
                                                     workloads):  # fmt: skip
    """Each workload runs 20 ms and finishes inside the window; its
    result line must equal the host build's after as many iterations
    (parse_run checks it; gzip died of SIGSEGV here while Xen switched
    the FPU lazily and gem5 raised no #NM)."""
    exp, boot, done = booted
    spec = dataclasses.replace(
        run_spec(exp, 0),
        domains=tuple(
            dataclasses.replace(d, workload=w)
            for d, w in zip(run_spec(exp, 0).domains, workloads, strict=True)
        ),
        window=0.3,
        workload_seconds=0.02,
    )
    choice = scotch_gem5.RestoreChoice(cpu="atomic", trigger="software")
    run = scotch_gem5.run(boot, done, spec, choice, tmp_path / "run")
    for name, d in run.domains.items():
        assert d.output.startswith("SCOTCH-WORK "), (name, d.output)
        assert f" workload={workloads[list(run.domains).index(name)]} " in (
            d.output
        )


@pytest.mark.parametrize(
    "workloads, window",
    [(("blackscholes", "canneal"), 0.4),
     (("fluidanimate", "pi"), 1.0),
     (("streamcluster", "swaptions"), 0.3)],
)  # fmt: skip
def test_real_parsec_runs_to_its_host_checksum(booted, tmp_path, workloads,
                                                window):  # fmt: skip
    """Real PARSEC 3.0 (SCOTCH_PARSEC_DIR, in the images the boot was
    made from) in the domUs with Scotch on: each program runs once to
    its end inside the window, and its output's hash must equal the
    same program's on this host (guest_check, in parse_run)."""
    from scotch_plugin.xen.guest_image import parsec_dir

    if parsec_dir() is None:
        pytest.skip("needs real PARSEC: set SCOTCH_PARSEC_DIR (scotch "
                    "parsec build) and boot with it")  # fmt: skip
    exp, boot, done = booted
    names = [w if w == "pi" else f"parsec:{w}" for w in workloads]
    spec = dataclasses.replace(
        run_spec(exp, 0),
        domains=tuple(
            dataclasses.replace(d, workload=w)
            for d, w in zip(run_spec(exp, 0).domains, names, strict=True)
        ),
        window=window,
        # parsec-run counts whole seconds: 0 is one run.
        workload_seconds=0,
    )
    choice = scotch_gem5.RestoreChoice(cpu="atomic", trigger="software")
    run = scotch_gem5.run(boot, done, spec, choice, tmp_path / "run")
    for (name, d), w in zip(run.domains.items(), names, strict=True):
        assert d.output.startswith("SCOTCH-WORK "), (name, d.output)
        assert f" workload={w} " in d.output
        assert " iterations=0 " not in d.output
        # Not against the observer: once a program has ended its domU
        # idles, and Xen's switch to its idle vCPU keeps the domU's page
        # tables (a lazy switch). Xen's idle loop never halted in these
        # runs (the core's power state stays ON, the observer's
        # sleepTicks 0), so the observer still charges it to the domU
        # (blackscholes: 386 M cycles, ledger 86 M).
        assert d.scotch_cycles > 0
