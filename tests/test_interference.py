"""Kind xen-interference (scotch_plugin.sweep.interference): RQ3's table
and plot from the points' metrics. The points run as xen-cost's do, on
gem5 from the cached boot (tests/test_scotch_gem5.py)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from scotch_plugin.errors import ScotchError
from scotch_plugin.sweep import interference


def _frame() -> pd.DataFrame:
    rows = []
    for attacker, ipc, miss, work in (
        ("pi", 1.2, 0.05, [100.0, 102.0]),
        ("thrash", 0.8, 0.40, [70.0, 74.0]),
    ):
        for repeat, w in enumerate(work):
            rows.append({
                "cpu": "o3", "trigger": "software", "repeat": repeat,
                "status": "done", "workloads": f"{attacker},blackscholes",
                "ipc_victim": ipc, "l2_miss_rate_victim": miss,
                "l2_mpki_victim": 10 * miss, "work_victim": 5e8,
                "ledger_seconds_victim": 0.05,
                "tenant_work_per_cpu_s_victim": w,
            })  # fmt: skip
    rows.append(
        {
            "cpu": "o3",
            "trigger": "software",
            "repeat": 0,
            "status": "failed",
            "workloads": "thrash,canneal",
        }
    )
    return pd.DataFrame(rows)


def test_table_compares_the_victim_beside_thrash_with_the_baseline():
    text = interference.table(_frame(), "attacker", "victim")
    lines = text.splitlines()
    thrash = next(x for x in lines if " thrash " in x)
    pi = next(x for x in lines if " pi " in x)
    # gem5's view: IPC and miss rate as measured.
    assert "0.800" in thrash and "0.400" in thrash
    assert "1.200" in pi and "0.050" in pi
    # The tenant's: work per ledger second, 72 against 101 (-28.71 %),
    # with a t interval over the two repeats.
    assert thrash.rstrip().endswith("-28.71 %")
    assert "%" in thrash.split()[-4]
    # A point that failed is not a row (no silent zero).
    assert "canneal" not in text


def test_a_metric_that_is_missing_shows_invalid():
    df = _frame().drop(columns=["l2_miss_rate_victim"])
    text = interference.table(df, "attacker", "victim")
    assert "invalid" in next(x for x in text.splitlines() if " pi " in x)


def test_one_repeat_has_no_interval():
    df = _frame()
    df = df[df["repeat"] == 0]
    text = interference.table(df, "attacker", "victim")
    assert "n/a (1 repeat)" in text


def test_report_writes_the_table_and_the_plot(tmp_path: Path):
    (tmp_path / "restore.json").write_text(
        json.dumps({"domains": ["attacker", "victim"]})
    )
    text, files = interference.report(_frame(), tmp_path)
    assert (tmp_path / "tables.txt").read_text().strip() == text.strip()
    assert tmp_path / "plot-interference.png" in files
    assert (tmp_path / "plot-interference.png").stat().st_size > 1000


def test_roles_need_two_domus(tmp_path: Path):
    (tmp_path / "restore.json").write_text(json.dumps({"domains": ["a"]}))
    with pytest.raises(ScotchError, match="RQ3 needs two"):
        interference.roles(tmp_path)


def test_interval_is_a_t_interval():
    mean, half = interference._interval([1.0, 3.0])
    assert mean == 2.0
    # std sqrt(2) over sqrt(2) samples: t(0.975, 1 dof) itself.
    assert math.isclose(half, 12.706204736)
