"""gem5's X86SwitchTimer (workloads/switch_timer): the cycles of each
context switch from the PCs a CPU retires, from the switch routine's
entry to the first instruction outside the hypervisor's text, with the
SMM time of the SMIs inside it.

On QEMU (CI) the image only checks that its SMIs arrive. On gem5
(SCOTCH_GEM5_BINARY) each timed switch must match the image's own RDTSC
timing of the call, and the SMIs inside switches, their SMM cycles and
the SMI gaps must be where the image raised them."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from scotch_plugin import workload_build
from scotch_plugin.baremetal import bench, images
from scotch_plugin.proc import elf_symbols

IMAGE = "switch_timer"
N_SWITCHES = 8
#: The image's SMM handler (smm_bench's empty one): two MOVs and RSM.
HANDLER_INSTS = 3


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open() as f:
        return list(csv.DictReader(f))


def test_switch_timer_image_on_qemu():
    run = images.run_on_qemu(IMAGE)
    assert run.report.failed == [], run.serial
    assert run.report.passed


@pytest.mark.parametrize("cpu", ["atomic", "timing", "o3", "minor"])
def test_timed_switches_match_the_image_s_own_timing(
    gem5_binary, cpu, tmp_path
):
    sym = elf_symbols(
        workload_build.image(IMAGE, "gem5"),
        ("switch_routine", "switch_routine_end"),
    )
    start, end = sym["switch_routine"], sym["switch_routine_end"]
    run = images.run_on_gem5(
        IMAGE, gem5_binary, cpu=cpu, outdir=tmp_path,
        extra=["--time-switches", f"{start:x},{start:x},{end:x}",
               # The observer, for its SMM counts (no domain matches).
               "--observe-probe", "0", "--observe", "none=no-such-marker"],
    )  # fmt: skip
    assert run.report.failed == [], run.serial
    assert run.report.passed, run.serial
    v = run.report.values
    stats = bench.read_stats(tmp_path / "stats.txt")
    t = "board.switch_timer."
    # Between the image's resetstats and dumpstats.
    assert stats[t + "switches"] == N_SWITCHES == int(v["switches"])
    assert stats[t + "smisInSwitches"] == int(v["smis"]) == N_SWITCHES // 2
    assert stats[t + "aborted"] == 0
    # The warm-up call and the first pass came before the resetstats.
    rows = _csv(tmp_path / "switch_cycles.csv")
    assert len(rows) == 2 * N_SWITCHES + 1
    # Each row's tick (where it ended), in order: runs keep their window.
    ticks = [int(r["tick"]) for r in rows]
    assert ticks == sorted(ticks) and ticks[0] > 0
    for i, row in enumerate(rows[-N_SWITCHES:]):
        smi = int(v[f"smi_{i}"])
        assert int(row["smis"]) == smi
        assert (int(row["smm_cycles"]) > 0) == bool(smi), row
        # RDTSC around the call also counts the call and the timing.
        tsc = int(v[f"cycles_{i}"])
        assert int(row["cycles"]) == pytest.approx(tsc, rel=0.05, abs=100)
        assert int(row["cycles"]) > int(row["smm_cycles"])
    # One gap per SMI (the warm-up's and both passes'), at least the SMM
    # time of its switch: the OUT's retire to the next one's.
    gaps = _csv(tmp_path / "smi_gaps.csv")
    assert len(gaps) == N_SWITCHES + 1
    smm = [int(r["smm_cycles"]) for r in rows[-N_SWITCHES:] if int(r["smis"])]
    for gap, cycles in zip(gaps[-len(smm) :], smm, strict=True):
        assert int(gap["cycles"]) >= cycles
    # What the handler retired and looked up, apart from every domain.
    o = "board.observer."
    smis = stats["board.smm.smis"]
    assert smis == N_SWITCHES // 2
    # gem5's simple CPUs count a faulting instruction as retired, O3 and
    # Minor do not, and RSM is a fault in gem5 (its effect applies when
    # the fault commits): on them the handler retires its two MOVs.
    retired = HANDLER_INSTS - (cpu in ("o3", "minor"))
    assert stats[o + "smmInsts"] == retired * smis
    for cache in ("l1i-cache-0", "l1d-cache-0", "l2-cache-0"):
        lookups = stats[o + f"smmCacheAccesses::{cache}"]
        misses = stats[o + f"smmCacheMisses::{cache}"]
        assert misses <= lookups
        if cpu == "atomic":  # the caches' probes fire in timing mode only
            assert lookups == 0, cache
        elif cache != "l2-cache-0":
            # Each SMI fetches the handler and writes its flag (RSM
            # reads the save area too).
            assert lookups >= smis, cache
