"""Benchmark plumbing that does not need gem5: the images run on QEMU,
and gem5's stats.txt is parsed."""

import pytest

from scotch_plugin import baremetal, bench
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
    run = baremetal.run_on_qemu(image)
    assert run.report.verdict == "PASS", run.serial
