"""Benchmark plumbing that does not need gem5: the images run on QEMU,
and gem5's stats.txt is parsed."""

from pathlib import Path

import pytest

from scotch_plugin.baremetal import bench, images
from scotch_plugin.errors import ScotchError

STATS = """
---------- Begin Simulation Statistics ----------
simSeconds                                   0.000123                       # Number of seconds simulated (Second)
simInsts                                      1834211                       # Number of instructions simulated (Count)
hostSeconds                                     12.50                       # Real time elapsed on the host (Second)
board.smm.smis::cpu0                               65                       # SMIs taken (Count)
board.smm.cyclesInSmm::cpu0                    130000                       # Cycles (Cycle)
---------- End Simulation Statistics   ----------
---------- Begin Simulation Statistics ----------
simInsts                                            1                       # second dump
"""  # noqa: E501


def test_read_stats_takes_the_first_dump(tmp_path):
    path = tmp_path / "stats.txt"
    path.write_text(STATS)
    stats = bench.read_stats(path)
    assert stats["simInsts"] == 1834211
    assert stats["hostSeconds"] == 12.5
    assert stats["board.smm.smis::cpu0"] == 65


def test_read_stats_refuses_an_empty_file(tmp_path):
    path = tmp_path / "stats.txt"
    path.write_text("")
    with pytest.raises(ScotchError, match="no statistics"):
        bench.read_stats(path)


@pytest.mark.parametrize("image", ["smm_bench", "compute"])
def test_benchmark_images_run_on_qemu(image):
    run = images.run_on_qemu(image)
    assert run.report.verdict == "PASS", run.serial


def test_speed_statistics():
    s = bench.Speed("a", Path("g"), "atomic", 1000.0, [1e-3, 2e-3, 3e-3])
    assert s.ns_per_inst == pytest.approx([1000.0, 2000.0, 3000.0])
    assert s.mean == pytest.approx(2000.0)
    assert s.stdev == pytest.approx(1000.0)
    assert s.best == pytest.approx(1000.0)
    ref = bench.Speed("b", Path("v"), "atomic", 1000.0, [2e-3, 2e-3, 2e-3])
    diff, se = s.versus(ref)
    assert diff == pytest.approx(0.0)
    assert se == pytest.approx(100 * (1000.0**2 / 3) ** 0.5 / 2000.0)
    one = bench.Speed("c", Path("g"), "atomic", 1000.0, [1e-3])
    assert one.stdev == 0.0


def test_overhead_configs_boot_the_same_image_with_gems_loader():
    gem5, vanilla = Path("/g/gem5.opt"), Path("/v/gem5.opt")
    configs = bench.overhead_configs(gem5, vanilla)
    assert [c[0] for c in configs] == [
        "SMM devices, EPC",
        "SMM devices",
        "no SMM devices",
        "vanilla gem5",
    ]
    for _, _, extra in configs:
        assert extra[:2] == ["--loader", "linux64"]
    # A vanilla binary has none of our SimObjects: no SMM devices.
    assert configs[3][1] == vanilla and "--no-smm" in configs[3][2]
    assert "--no-smm" not in configs[0][2] + configs[1][2]
    # Only the first configures an enclave page cache.
    assert "--epc-size" in configs[0][2]
    assert all("--epc-size" not in c[2] for c in configs[1:])
    assert len(bench.overhead_configs(gem5)) == 3
    assert bench.OVERHEAD_IMAGE == "compute_lm"


def test_speed_in_cpu_time():
    s = bench.Speed("a", Path("g"), "atomic", 1000.0, [2e-3], [4e-3])
    assert s.ns_per_inst == pytest.approx([2000.0])
    assert s.as_cpu().ns_per_inst == pytest.approx([4000.0])
    assert s.as_cpu().label == "a"
