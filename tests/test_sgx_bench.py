"""The SGX benchmark (scotch bench enclave): bench.c's output read by the
host, the latency presets, and (with SCOTCH_GEM5_BINARY) real runs that
show the figures measure what they say."""

from __future__ import annotations

import pytest

from scotch_plugin.errors import ScotchError
from scotch_plugin.sgx import bench, latency

SERIAL = """\
sgx-bench rounds=4
sgx-bench timing rounds=4 min=15 median=15 max=16
sgx-bench enclave_empty rounds=4 min=72 median=72 max=72
sgx-bench smi_outside rounds=4 min=618 median=618 max=701
sgx-bench smi_inside rounds=4 min=716 median=716 max=801
sgx-bench abort_load per=256
sgx-bench abort_load rounds=4 min=2846 median=2846 max=2866
sgx-bench ram_load per=256
sgx-bench ram_load rounds=4 min=1055 median=1055 max=1055
sgx-bench abort_store per=256
sgx-bench abort_store rounds=4 min=284 median=284 max=284
sgx-bench ram_store per=256
sgx-bench ram_store rounds=4 min=285 median=285 max=286
"""


def _result(figures: dict[str, bench.Figure]) -> bench.EnclaveBench:
    return bench.EnclaveBench("o3", 4, latency.PRESETS["zero"], figures,
                              5, 10, 1.0)  # fmt: skip


def test_the_figures_are_read_per_access_where_the_image_says():
    figures = bench.parse(SERIAL, 4)
    assert figures["enclave_empty"] == bench.Figure(72, 72, 72)
    assert figures["abort_load"].median == pytest.approx(2846 / 256)
    r = _result(figures)
    assert r.enter_exit == 72 - 15
    # SMI inside - empty enclave - SMI outside + the timing counted once.
    assert r.aex_eresume == 716 - 72 - 618 + 15


def test_an_aex_figure_that_does_not_add_up_is_invalid():
    figures = bench.parse(SERIAL, 4)
    assert _result(figures).aex_eresume_problem is None
    figures["smi_inside"] = bench.Figure(600, 600, 600)
    problem = _result(figures).aex_eresume_problem
    assert problem is not None and "AEX+ERESUME invalid" in problem
    assert "(600) is less than the empty enclave (72)" in problem


def test_a_missing_figure_is_an_error_naming_it():
    serial = SERIAL.replace("sgx-bench smi_inside", "sgx-bench smi_elsewhere")
    with pytest.raises(ScotchError, match="no 'sgx-bench smi_inside"):
        bench.parse(serial, 4)


def test_a_figure_of_other_rounds_is_an_error():
    with pytest.raises(ScotchError, match="timed 4 rounds; expected 8"):
        bench.parse(SERIAL, 8)


def test_the_published_preset_adds_up_to_its_sources():
    p = latency.PRESETS["published"]
    assert p.eenter + p.eexit == latency.HOTCALLS.cycles
    assert p.aex + p.eresume == latency.NEMESIS.cycles
    assert p.gem5_args() == ["--sgx-latencies", "4100,4100,3931,3931"]
    with pytest.raises(ScotchError, match="expected one of zero, published"):
        latency.preset("fast")


def test_rounds_out_of_range_are_refused_before_running(tmp_path):
    with pytest.raises(ScotchError, match="--rounds 0: expected 1 to 512"):
        bench.run_on_gem5(tmp_path / "gem5.opt", "o3", 0,
                          latency.PRESETS["zero"])  # fmt: skip


@pytest.mark.parametrize("cpu", ("timing", "o3"))
def test_the_latencies_add_what_they_say(gem5_binary, cpu, tmp_path):
    """On gem5: each run took its path (the stats count one AEX per
    round, checked by run_on_gem5), the abort page stayed all ones (the
    image checks), and the published preset adds its EENTER + EEXIT and
    AEX + ERESUME cycles to the figures, less what O3 overlaps."""
    zero = bench.run_on_gem5(gem5_binary, cpu, 4, latency.PRESETS["zero"],
                             outdir=tmp_path / "zero")  # fmt: skip
    pub = latency.PRESETS["published"]
    slow = bench.run_on_gem5(gem5_binary, cpu, 4, pub,
                             outdir=tmp_path / "pub")  # fmt: skip
    f = zero.figures
    assert f["smi_inside"].median > f["smi_outside"].median
    assert zero.aex_eresume > 0
    added = slow.enter_exit - zero.enter_exit
    assert pub.eenter + pub.eexit - 100 <= added <= pub.eenter + pub.eexit
    added = slow.aex_eresume - zero.aex_eresume
    assert pub.aex + pub.eresume - 400 <= added <= pub.aex + pub.eresume


def test_minor_decodes_no_run_of_bad_microops(gem5_binary, tmp_path):
    """Patch 0037: past a macro-op that ends in a branch into the
    microcode ROM (INT in long mode, here on the wrong path after each
    EEXIT and SMI), Minor's decode used to walk ~32,000 unflagged bad
    micro-ops, about 16,400 cycles each time: EENTER..EEXIT took 32,856
    cycles and the AEX+ERESUME difference came out negative."""
    run = bench.run_on_gem5(gem5_binary, "minor", 4, latency.PRESETS["zero"],
                            outdir=tmp_path)  # fmt: skip
    assert run.enter_exit < 1000
    assert run.aex_eresume_problem is None
    assert run.figures["smi_outside"].median < 5000
