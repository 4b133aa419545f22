"""Hardware SMI triggers (X86ScotchTrigger, workloads/cr3_trigger): one
SMI per CR3 load and per accepted interrupt outside SMM, none for the
handler's CR3 loads in SMM, and random-interval SMIs from a seed.

On QEMU (CI) there is no trigger: the image must see none and still pass.
On gem5 (SCOTCH_GEM5_BINARY) the image's counts must match the
trigger's statistics exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from scotch_plugin.baremetal import bench, images

IMAGE = "cr3_trigger"
#: What the image does (workloads/cr3_trigger/main.c): CR3 loads outside
#: SMM (1 with paging off, 16 with it on, 1 entering long mode), CR3
#: loads by the handler, self-IPIs, and APM SMIs (1 + one per SMM load).
CR3_LOADS = 18
SMM_CR3_LOADS = 4
IRQS = 8
APM_SMIS = 1 + SMM_CR3_LOADS


def _stat(stats: dict[str, float], name: str) -> float:
    # A one-element vector prints without its "::cpu0" subname.
    return stats.get(f"{name}::cpu0", stats.get(name, 0.0))


def _counts(run: images.ImageRun) -> tuple[int, int, int]:
    v = run.report.values
    return int(v["cr3_loads"]), int(v["smm_cr3_loads"]), int(v["irqs"])


def test_cr3_trigger_image_without_a_trigger_on_qemu():
    run = images.run_on_qemu(IMAGE)
    assert run.report.failed == [], run.serial
    assert run.report.passed
    assert run.report.values["cr3_trigger"] == "absent"
    assert run.report.values["irq_trigger"] == "absent"
    assert _counts(run) == (CR3_LOADS, SMM_CR3_LOADS, IRQS)


def _run(gem5_binary: Path, cpu: str, outdir: Path, extra: list[str]):
    run = images.run_on_gem5(IMAGE, gem5_binary, cpu=cpu, outdir=outdir,
                                extra=extra)  # fmt: skip
    assert run.report.failed == [], run.serial
    assert run.report.passed, run.serial
    return run, bench.read_stats(outdir / "stats.txt")


@pytest.mark.parametrize("cpu", ["atomic", "timing", "o3", "minor"])
def test_one_smi_per_cr3_load_outside_smm(gem5_binary, cpu, tmp_path):
    run, stats = _run(gem5_binary, cpu, tmp_path, ["--trigger", "cr3"])
    assert run.report.values["cr3_trigger"] == "present"
    assert run.report.values["irq_trigger"] == "absent"
    assert _counts(run) == (CR3_LOADS, SMM_CR3_LOADS, IRQS)
    t = "board.trigger."
    assert stats[t + "cr3LoadsOutsideSmm"] == CR3_LOADS
    assert stats[t + "smisRaised::cr3"] == CR3_LOADS
    # The handler's loads were seen, and raised nothing.
    assert stats[t + "cr3LoadsInSmm"] == SMM_CR3_LOADS > 0
    assert stats[t + "smisRaised::interrupt"] == 0
    assert stats[t + "smisRaised::random"] == 0
    assert stats[t + "interruptsOutsideSmm"] == IRQS
    assert _stat(stats, "board.apm.smisSent") == APM_SMIS
    assert _stat(stats, "board.smm.smis") == APM_SMIS + CR3_LOADS


@pytest.mark.parametrize("cpu", ["atomic", "timing", "o3"])
def test_one_smi_per_interrupt_outside_smm(gem5_binary, cpu, tmp_path):
    both = ["--trigger", "cr3", "--trigger", "interrupt"]
    run, stats = _run(gem5_binary, cpu, tmp_path, both)
    assert run.report.values["cr3_trigger"] == "present"
    assert run.report.values["irq_trigger"] == "present"
    t = "board.trigger."
    assert stats[t + "interruptsOutsideSmm"] == IRQS
    assert stats[t + "smisRaised::interrupt"] == IRQS
    assert stats[t + "smisRaised::cr3"] == CR3_LOADS
    assert stats[t + "cr3LoadsInSmm"] == SMM_CR3_LOADS
    assert _stat(stats, "board.smm.smis") == APM_SMIS + CR3_LOADS + IRQS


def test_no_trigger_no_smis(gem5_binary, tmp_path):
    run, stats = _run(gem5_binary, "atomic", tmp_path, [])
    assert run.report.values["cr3_trigger"] == "absent"
    assert run.report.values["irq_trigger"] == "absent"
    assert not any(k.startswith("board.trigger.") for k in stats)
    assert _stat(stats, "board.smm.smis") == APM_SMIS


RANDOM_SMIS = 20
MEAN_NS = 20_000
START_NS = 50_000


def _random_run(gem5_binary: Path, cpu: str, outdir: Path, seed: int):
    return _run(
        gem5_binary, cpu, outdir,
        ["--cmdline", f"random={RANDOM_SMIS}",
         "--trigger-random-mean", str(MEAN_NS),
         "--trigger-random-start", str(START_NS),
         "--trigger-seed", str(seed)],
    )  # fmt: skip


@pytest.mark.parametrize("cpu", ["atomic", "timing"])
def test_random_interval_smis(gem5_binary, cpu, tmp_path):
    run, stats = _random_run(gem5_binary, cpu, tmp_path / "s1", seed=1)
    t = "board.trigger."
    raised = stats[t + "smisRaised::random"]
    taken = _stat(stats, "board.smm.smis")
    assert stats[t + "smisRaised::cr3"] == 0
    # More arrive while the image prints: it saw at least RANDOM_SMIS.
    assert taken >= int(run.report.values["random_smis"]) >= RANDOM_SMIS
    # Two arriving in one SMM visit latch as one: at most as many taken.
    assert taken <= raised
    assert _stat(stats, "board.apm.smisSent") == 0
    # Their mean interval, loosely (n = 20: one sigma is about 22 %).
    mean_ns = (stats["simSeconds"] * 1e9 - START_NS) / raised
    assert 0.4 * MEAN_NS < mean_ns < 2.5 * MEAN_NS, mean_ns
    # Another seed, other intervals.
    _, other = _random_run(gem5_binary, cpu, tmp_path / "s2", seed=2)
    assert other["simTicks"] != stats["simTicks"]
