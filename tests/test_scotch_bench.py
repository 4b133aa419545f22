"""The Scotch handler benchmark (workloads/scotch_bench, `scotch bench
handler`): the real accounting handler on fake Xen state, on QEMU (CI)
and on gem5's CPU models (SCOTCH_GEM5_BINARY). The exported ledger is
checked with the tenant-side reader, as a tenant would."""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

import pytest

from scotch_plugin import cli, ledger
from scotch_plugin.baremetal import bench, images
from scotch_plugin.workload_build import scons

ROUNDS = 64  # the image's default
SWITCHES = ROUNDS + bench.HANDLER_WARMUP


@pytest.fixture(scope="module")
def reader():
    scons("scotch")
    return ledger.reader_binary()


@pytest.fixture(scope="module")
def qemu_run():
    return images.run_on_qemu("scotch_bench", timeout=120)


def verify(reader, hexdata: str, key: bytes = bench.HANDLER_KEY,
           nonce: int = bench.HANDLER_NONCE):  # fmt: skip
    with tempfile.NamedTemporaryFile("w", suffix=".key") as f:
        f.write(key.hex())
        f.flush()
        return subprocess.run(
            [str(reader), "verify", "--key-file", f.name, "--nonce",
             hex(nonce)],
            input=hexdata, capture_output=True, text=True, timeout=30,
        )  # fmt: skip


def test_image_passes_its_own_checks_on_qemu(qemu_run):
    report = qemu_run.report
    assert report.failed == [], qemu_run.serial
    assert report.passed
    assert report.values["rounds"] == str(ROUNDS)
    assert report.values["smbase"] == "0xa0000"


def test_ledger_verifies_with_the_reader(qemu_run, reader):
    nonce, hexdata = bench.snapshot_line(qemu_run.serial)
    assert nonce == bench.HANDLER_NONCE
    proc = verify(reader, hexdata)
    assert proc.returncode == 0, proc.stderr
    usage = json.loads(proc.stdout)
    assert usage["seq"] == 1
    # HELLO, the switches, the EXPORT; every lookup of the fake Xen found
    # a domain, and domain 1's vCPU was current at the export.
    assert usage["smis"] == SWITCHES + 2
    assert usage["lookup_failures"] == 0
    assert usage["requester"] == 1
    doms = {d["domid"]: d for d in usage["domains"]}
    assert sorted(doms) == [1, 2]
    for d in doms.values():
        assert d["switches"] == SWITCHES // 2
        assert d["irqs"] == 0
        assert d["cycles"] > 0
    assert sum(d["cycles"] for d in doms.values()) + usage[
        "unknown_cycles"
    ] == (usage["tsc_now"] - usage["tsc_start"])
    assert bench.check_usage(usage, SWITCHES) == []


def test_reader_rejects_another_key_and_nonce(qemu_run, reader):
    _, hexdata = bench.snapshot_line(qemu_run.serial)
    wrong_key = bytes(b ^ 1 for b in bench.HANDLER_KEY)
    proc = verify(reader, hexdata, key=wrong_key)
    assert proc.returncode == 1 and "MAC" in proc.stderr
    proc = verify(reader, hexdata, nonce=bench.HANDLER_NONCE + 1)
    assert proc.returncode == 1 and "nonce" in proc.stderr


def probe_snapshots(serial: str) -> list[tuple[int, str]]:
    return [
        (int(line.split()[1], 0), line.split()[2])
        for line in serial.splitlines()
        if line.startswith("SCOTCH-PROBE-SNAPSHOT ")
    ]


def check_probe(run, reader) -> None:
    """Xen pointing into SMRAM: refused, and nothing of the key shows;
    nor does SMRAM right after an SMI from real mode (probe_real_mode)."""
    assert run.report.failed == [], run.serial
    assert run.report.passed
    assert run.report.checks.get("smram_hidden_after_real_mode_rsm")
    key_id = bench.HANDLER_KEY[0] | bench.HANDLER_KEY[1] << 8
    snaps = probe_snapshots(run.serial)
    assert len(snaps) == 2
    for i, (nonce, hexdata) in enumerate(snaps):
        proc = verify(reader, hexdata, nonce=nonce)
        assert proc.returncode == 0, proc.stderr
        usage = json.loads(proc.stdout)
        assert usage["seq"] == 2 + i  # the ledger was not overwritten
        assert usage["lookup_failures"] == 1  # the key as a domain
        assert sorted(d["domid"] for d in usage["domains"]) == [1, 2]
        assert key_id not in {d["domid"] for d in usage["domains"]}


def test_handler_refuses_pointers_into_smram_on_qemu(reader):
    run = images.run_on_qemu("scotch_bench", timeout=120,
                                cmdline="probe=1")  # fmt: skip
    check_probe(run, reader)


def test_check_usage_names_what_is_wrong():
    usage = {
        "smis": SWITCHES + 1, "lookup_failures": 3, "unknown_cycles": 0,
        "tsc_start": 0, "tsc_now": 100,
        "domains": [
            {"domid": 1, "cycles": 60, "switches": SWITCHES // 2 + 1},
            {"domid": 2, "cycles": 0, "switches": SWITCHES // 2 - 1},
        ],
    }  # fmt: skip
    problems = bench.check_usage(usage, SWITCHES)
    assert any("domain 1: 34 switches" in p for p in problems)
    assert any("domain 2: no cycles" in p for p in problems)
    assert any("67 SMIs, not 68" in p for p in problems)
    assert any("3 failed lookups" in p for p in problems)
    assert any("do not add up" in p for p in problems)


def test_cycles_distribution():
    c = bench.Cycles([5, 1, 3, 9])
    assert (c.min, c.avg, c.median) == (1, 4.5, 4.0)
    assert bench.Cycles([7, 2, 4]).median == 4.0


STATS = """
---------- Begin Simulation Statistics ----------
simInsts                                        39602                       # x (Count)
board.smm.smis                                     64                       # x (Count)
board.smm.cyclesInSmm                            2112                       # x (Cycle)
board.smm.cyclesPerSmi_cpu0::samples               64                       # x (Cycle)
board.smm.cyclesPerSmi_cpu0::mean                  33                       # x (Cycle)
---------- End Simulation Statistics   ----------
---------- Begin Simulation Statistics ----------
board.smm.smis                                     64                       # x (Count)
board.smm.cyclesInSmm                           33671                       # x (Cycle)
board.smm.cyclesPerSmi_cpu0::mean          526.109375                       # x (Cycle)
---------- End Simulation Statistics   ----------
---------- Begin Simulation Statistics ----------
board.smm.smis                                     65                       # x (Count)
board.smm.cyclesInSmm                           46481                       # x (Cycle)
---------- End Simulation Statistics   ----------
"""  # noqa: E501


def test_stats_dumps_one_per_phase(tmp_path):
    path = tmp_path / "stats.txt"
    path.write_text(STATS)
    dumps = bench.read_stats_dumps(path)
    assert len(dumps) == 3
    assert bench.read_stats(path) == dumps[0]
    assert bench.smm_stats(dumps[0]) == (64, 33.0)
    assert bench.smm_stats(dumps[1]) == (64, 526.109375)
    # Without the distribution: cycles in SMM over SMIs.
    assert bench.smm_stats(dumps[2]) == (65, 46481 / 65)


def test_cli_on_qemu_prints_the_functional_result(capsys):
    assert cli.main(["bench", "handler", "--rounds", "8"]) == 0
    out = capsys.readouterr().out
    assert "TCG's timing is not meaningful" in out
    assert "handler: qemu: ledger verified by scotch-reader" in out
    assert "12 SMIs, 0 failed lookups" in out  # 8 + 2 warm-up + 2
    assert "domain 1: 5 switches" in out and "domain 2: 5 switches" in out
    assert out.rstrip().endswith("PASS")


def test_cli_refuses_odd_rounds(capsys):
    assert cli.main(["bench", "handler", "--rounds", "7"]) != 0
    assert "--rounds 7: an even number" in capsys.readouterr().err


def test_other_benchmarks_still_need_gem5(capsys):
    assert cli.main(["bench", "roundtrip"]) != 0
    assert "needs --gem5-binary" in capsys.readouterr().err


@pytest.mark.parametrize("cpu", ["o3", "timing"])
def test_handler_on_gem5(gem5_binary, cpu):
    (run,) = bench.handler(gem5_binary, (cpu,), rounds=16)
    assert run.rounds == 16
    assert bench.check_usage(run.usage, 16 + bench.HANDLER_WARMUP) == []
    # The statistics cover exactly each timed phase's SMIs.
    assert run.stats_empty[0] == 16 and run.stats_scotch[0] == 16
    assert run.stats_scotch[1] > run.stats_empty[1] > 0
    # The handler's code costs cycles, and the round trip shows it.
    assert run.scotch.min > run.empty.median
    assert run.handler_cycles > 0


def test_handler_refuses_pointers_into_smram_on_gem5(gem5_binary, reader,
                                                     tmp_path):  # fmt: skip
    run = images.run_on_gem5(
        "scotch_bench", gem5_binary, cpu="o3", outdir=tmp_path,
        extra=["--cmdline", "rounds=4 probe=1"],
    )  # fmt: skip
    check_probe(run, reader)


# -- RQ4: a hostile Xen against the real handler (scotch_bench attack_*).


def attack_usage(serial: str, name: str) -> dict:
    (line,) = [
        x for x in serial.splitlines()
        if x.startswith(f"SCOTCH-ATTACK-SNAPSHOT {name} ")
    ]  # fmt: skip
    _, _, nonce, data = line.split()
    return ledger.verify_snapshot(bench.HANDLER_KEY, int(nonce, 0), data)


def test_made_up_domain_ids_make_the_ledger_unfit_on_qemu(reader):
    """70 made-up domains: the ledger keeps 64 accounts and counts the
    rest as failed lookups, which the verifier refuses to report."""
    run = images.run_on_qemu("scotch_bench", timeout=120,
                                cmdline="rounds=4 attack_domids=1",
                                )  # fmt: skip
    assert run.report.failed == [], run.serial
    usage = attack_usage(run.serial, "domids")
    assert len(usage["domains"]) == 64
    assert usage["lookup_failures"] == 70 - 62
    (problem,) = ledger.ledger_problems(usage)
    assert "8 failed lookups" in problem


@pytest.mark.parametrize("attack", [1, 2], ids=["rewind", "forward"])
def test_qemu_cannot_write_its_tsc(attack):
    """TCG ignores WRMSR to IA32_TSC, so the attacks run on gem5 only."""
    run = images.run_on_qemu("scotch_bench", timeout=120,
                                cmdline=f"rounds=4 attack_tsc={attack}",
                                )  # fmt: skip
    assert "tsc_not_writable" in run.serial


def tsc_attack_on_gem5(gem5_binary, outdir: Path, attack: int, name: str):
    """The bench's hostile Xen writing the TSC (``attack_tsc=``) on gem5,
    which takes the write: the attack's snapshot, verified."""
    run = images.run_on_gem5(
        "scotch_bench", gem5_binary, cpu="atomic", outdir=outdir,
        extra=["--cmdline", f"rounds=4 attack_tsc={attack}"],
    )  # fmt: skip
    assert run.report.failed == [], run.serial
    assert "tsc_not_writable" not in run.serial
    return attack_usage(run.serial, name)


def test_a_rewound_tsc_makes_the_ledger_unfit_on_gem5(
    reader, gem5_binary, tmp_path
):
    problems = ledger.ledger_problems(
        tsc_attack_on_gem5(gem5_binary, tmp_path, 1, "tsc")
    )
    assert any("the TSC went backwards" in p for p in problems), problems


def final_tick(stats: Path) -> int:
    """The last ``finalTick`` gem5 dumped (ticks, ps)."""
    ticks = [
        int(line.split()[1]) for line in stats.read_text().splitlines()
        if line.startswith("finalTick ")
    ]  # fmt: skip
    assert ticks, f"{stats}: no finalTick"
    return ticks[-1]


def test_a_tsc_written_forward_is_caught_by_the_clock_bound_on_gem5(
    reader, gem5_binary, tmp_path
):
    """A hostile Xen writes the TSC 2^36 cycles (23 s at 3 GHz) forward
    between two switches: the ledger stays consistent with itself, but
    its span is longer than the whole simulation, the verifier's clock
    on gem5 (ledger.ahead_of_clock, as scotch_gem5.check_clock uses it)."""
    usage = tsc_attack_on_gem5(gem5_binary, tmp_path, 2, "tsc_forward")
    assert ledger.ledger_problems(usage) == []
    span = int(usage["tsc_now"]) - int(usage["tsc_start"])
    simulated = final_tick(tmp_path / "stats.txt") / 1e12
    assert span / 3e9 > 2**36 / 3e9 > 100 * simulated
    why = ledger.ahead_of_clock(span, simulated, 3e9)
    assert "jumped forward" in why, why
