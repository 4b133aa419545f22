"""The simulator-side ground truth (X86DomainObserver,
workloads/domain_observer): which domain each CPU runs, named from the
page tables each CR3 load points to, neither from Scotch's handler nor
from the hypervisor's trace.

On QEMU (CI) the image checks its own page tables. On gem5
(SCOTCH_GEM5_BINARY) the observer's per-domain ticks must match the
image's own RDTSC timing of each stretch within 1 %, and its switch
and load counts exactly."""

from __future__ import annotations

import pytest

from scotch_plugin.baremetal import bench, images

IMAGE = "domain_observer"
DOMAINS = ("alpha", "beta")
#: Iterations of the image's two-instruction spin loop in each domain's
#: stretches (its schedule[]).
SPINS = {"alpha": 300000 + 200000 + 80000 + 120000,
         "beta": 100000 + 250000 + 60000, "other": 50000}  # fmt: skip
PROBE = 0x80000040  # PROBE_VA + MARKER_OFFSET in the image


def _observe_args() -> list[str]:
    args = ["--observe-probe", hex(PROBE)]
    for name in DOMAINS:
        args += ["--observe", f"{name}=scotch-domain={name}"]
    return args


def test_domain_observer_image_on_qemu():
    run = images.run_on_qemu(IMAGE)
    assert run.report.failed == [], run.serial
    assert run.report.passed
    v = run.report.values
    assert int(v["loads"]) == 8
    assert [int(v[f"switches_{d}"]) for d in (*DOMAINS, "other")] == [3, 3, 1]


@pytest.mark.parametrize("cpu", ["atomic", "timing", "o3", "minor"])
def test_observer_matches_the_image_s_own_timing(gem5_binary, cpu, tmp_path):
    run = images.run_on_gem5(IMAGE, gem5_binary, cpu=cpu, outdir=tmp_path,
                                extra=_observe_args())  # fmt: skip
    assert run.report.failed == [], run.serial
    assert run.report.passed, run.serial
    v = run.report.values
    # The image's dumpstats: the window from its resetstats.
    stats = bench.read_stats(tmp_path / "stats.txt")
    o = "board.observer."
    assert stats[o + "cr3Loads"] == int(v["loads"])
    # alpha_user's tables lack the marker: named by entry 260, twice.
    assert stats[o + "namedByKey"] == 2
    assert stats[o + "unnamed"] == 1
    for name in (*DOMAINS, "other"):
        assert stats[o + f"switches::{name}"] == int(v[f"switches_{name}"])
        # The TSC counts the CPU's cycles: the board's clock period.
        cycles = stats[o + f"ticks::{name}"] / stats["board.clk_domain.clock"]
        tsc = int(v[f"tsc_{name}"], 16)
        assert cycles == pytest.approx(tsc, rel=0.01), (name, cycles, tsc)
        # Retired instructions: the spin loop's two per iteration, and a
        # few per stretch around it; none at CPL 3 (the image runs at 0).
        insts = stats[o + f"insts::{name}"]
        assert insts == pytest.approx(2 * SPINS[name], rel=0.001), name
        assert stats[o + f"guestInsts::{name}"] == 0
