"""Kind xen-cost (scotch_plugin.sweep.xen_cost): the tables its report
prints from the points' metrics. The points themselves run on gem5
(tests/test_scotch_gem5.py, from the cached boot)."""

from __future__ import annotations

import pandas as pd
import pytest

from scotch_plugin.errors import ScotchError
from scotch_plugin.proc import elf_symbols
from scotch_plugin.sweep import cost_report


def _rows(work: dict[str, list[float]], median: dict[str, float]):
    rows = []
    for trigger, values in work.items():
        for repeat, w in enumerate(values):
            rows.append({
                "cpu": "o3", "trigger": trigger, "repeat": repeat,
                "status": "done", "switch_n": 1000.0,
                "switch_median": median[trigger], "smis": 1000.0,
                "work_attacker": w,
            })  # fmt: skip
    return pd.DataFrame(rows)


def test_switch_table_says_what_scotch_adds_against_trigger_none() -> None:
    df = _rows({"none": [1.0], "software": [1.0]},
               {"none": 20_000.0, "software": 22_800.0})  # fmt: skip
    text = cost_report.switch_table(df)
    line = next(x for x in text.splitlines() if " software " in x
                and not x.lstrip().startswith("paper"))  # fmt: skip
    assert line.rstrip().endswith("+14.0 %")
    assert "22,800" in line
    # A metric the point could not measure is shown invalid, not 0.
    assert "invalid" in line
    assert "2,248 +- 69" in text and "+14 %" in text  # the paper's


def test_overhead_has_an_interval_over_repeats_or_says_why_not() -> None:
    df = _rows({"none": [100.0, 102.0], "software": [99.0, 101.0]},
               {"none": 1.0, "software": 1.0})  # fmt: skip
    text = cost_report.overhead_table(df, ["attacker"])
    line = next(x for x in text.splitlines() if " software " in x
                and "attacker" in x)  # fmt: skip
    # 1 - 100 / 101 of the work rate, and a t interval with 1 dof.
    assert "0.9901 %" in line
    assert "+- " in line
    one = _rows({"none": [100.0], "software": [99.0]},
                {"none": 1.0, "software": 1.0})  # fmt: skip
    text = cost_report.overhead_table(one, ["attacker"])
    assert "n/a (1 repeat)" in text
    assert "0.0033 %" in text  # the paper's, beside


def test_symbols_come_from_the_elf_or_the_lookup_fails(tmp_path) -> None:
    import shutil
    import subprocess

    if not shutil.which("gcc") or not shutil.which("nm"):
        pytest.skip("needs gcc and nm")
    src = tmp_path / "x.c"
    src.write_text(
        "void context_switch(void) {}\nint main(void) {return 0;}\n"
    )
    exe = tmp_path / "x"
    subprocess.run(["gcc", "-o", str(exe), str(src)], check=True)
    found = elf_symbols(exe, ("context_switch", "main"))
    assert found["context_switch"] > 0 and found["main"] > 0
    with pytest.raises(ScotchError, match="no symbol _etext"):
        elf_symbols(exe, ("main", "_etext"))


def test_overhead_of_a_domain_that_did_no_work_is_invalid() -> None:
    df = _rows({"none": [0.0, 0.0], "software": [0.0, 0.0]},
               {"none": 1.0, "software": 1.0})  # fmt: skip
    text = cost_report.overhead_table(df, ["attacker"])
    line = next(x for x in text.splitlines() if " software " in x
                and "attacker" in x)  # fmt: skip
    assert "invalid" in line and "no work with trigger none" in line
    assert "nan" not in text and "inf" not in text


def test_switch_table_pools_each_configuration_s_repeats() -> None:
    df = _rows({"none": [1.0, 1.0], "software": [1.0, 1.0]},
               {"none": 1.0, "software": 1.0})  # fmt: skip
    # Two repeats of 600 switches each: 1,200 in the configuration.
    pooled = {("o3", "none"): [1000.0] * 600 + [3000.0] * 600,
              ("o3", "software"): [2000.0] * 1199 + [9000.0]}  # fmt: skip
    text = cost_report.switch_table(df, pooled)
    assert "pooled over repeats" in text
    line = next(x for x in text.splitlines() if " software " in x
                and not x.lstrip().startswith("paper"))  # fmt: skip
    cells = line.split()
    assert cells[2] == "1,200" and cells[3] == "2,000"
    # Against the pooled median of trigger none (2,000): +0.0 %.
    assert line.rstrip().endswith("+0.0 %")


def test_random_means_are_configurations_of_their_own() -> None:
    """Random-interval SMIs at two means: two rows, each against trigger
    none, not one row averaging both."""
    df = _rows({"none": [1.0, 1.0], "random": [0.9, 0.9, 0.5, 0.5]},
               {"none": 10_000.0, "random": 11_000.0})  # fmt: skip
    df["random_mean_us"] = [100.0, 100.0, 500.0, 500.0, 50.0, 50.0]
    df = cost_report.labelled(df)
    assert list(df["trigger"]) == ["none", "none", "random 500us",
                                   "random 500us", "random 50us",
                                   "random 50us"]  # fmt: skip
    text = cost_report.overhead_table(df, ["attacker"])
    rows = {x.split()[2]: x for x in text.splitlines()
            if x.split()[:2] == ["o3", "random"]}  # fmt: skip
    assert " 10.0000 % " in rows["500us"]
    assert " 50.0000 % " in rows["50us"]


def test_handler_table_breaks_the_handler_s_cycles_down_per_smi() -> None:
    df = _rows({"none": [1.0], "software": [1.0, 1.0]},
               {"none": 5_000.0, "software": 6_000.0})  # fmt: skip
    smm = df["trigger"] == "software"
    df.loc[smm, "smm_cycles_per_smi"] = [1_200.0, 1_300.0]
    df.loc[smm, "smm_latency_cycles"] = 0.0
    df.loc[smm, "handler_cycles_per_smi"] = [1_200.0, 1_300.0]
    df.loc[smm, "smm_insts_per_smi"] = 600.0
    df.loc[smm, "smm_l1i_misses_per_smi"] = [10.0, 12.0]
    text = cost_report.handler_table(df)
    line = next(x for x in text.splitlines() if " software " in x
                and not x.lstrip().startswith("paper"))  # fmt: skip
    cells = line.split()
    # Means over repeats; the IPC is each repeat's, averaged.
    assert cells[2:5] == ["1,250.0", "0.0", "1,250.0"]
    assert cells[5:8] == ["600.0", "0.48", "11.0"]
    # No L1D or L2 counts in these points: invalid, not 0.
    assert cells[8:] == ["invalid"] * 3
    assert " none " not in text  # no SMIs: no row
    assert "2,248 +- 69" in text
    # Points from a binary without the observer's SMM counts: no table.
    assert (
        cost_report.handler_table(df.drop(columns="smm_insts_per_smi")) is None
    )
