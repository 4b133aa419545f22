"""Sweeps of gem5 points (needs SCOTCH_GEM5_BINARY): the handler bench
and the SMI round trip over a small grid, one record per point with
the gem5 binary's identity, and the same table on one worker as on two
and through Slurm."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pandas as pd

from scotch_plugin.sweep import identity
from scotch_plugin.sweep.runner import Options, run_sweep
from scotch_plugin.sweep.schema import load_sweep

GRID = """\
name: g
kind: {kind}
base: {base}
grid:
  product:
    cpu: [timing, o3]
    smm_entry_latency: [0, 300]
output: out
"""


def sweep_file(d: Path, kind: str, base: str) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    path = d / "s.yaml"
    path.write_text(textwrap.dedent(GRID.format(kind=kind, base=base)))
    return path


def test_handler_sweep(gem5_binary: Path, tmp_path: Path) -> None:
    path = sweep_file(tmp_path / "a", "handler", "{rounds: 4}")
    one = run_sweep(load_sweep(path, gem5_binary=gem5_binary),
                    Options(workers=1, quiet=True))  # fmt: skip
    df = one.table
    assert list(df["status"]) == ["done"] * 4
    # The entry latency adds to every SMI round trip, not to what the
    # handler itself costs over an empty one.
    for cpu in ("timing", "o3"):
        rows = df[df["cpu"] == cpu].set_index("smm_entry_latency")
        assert rows.loc[300, "scotch_median"] > rows.loc[0, "scotch_median"]
        assert rows.loc[0, "handler_cycles"] > 0
    rec = json.loads(
        next(
            (tmp_path / "a" / "out" / "points").glob("*/record.json")
        ).read_text()
    )
    gem5 = rec["identity"]["gem5"]
    assert gem5["binary_sha256"] == identity.file_digest(gem5_binary)
    assert gem5["gem5_version"].startswith("24.0")
    assert set(rec["identity"]["images"]) == {"scotch_bench",
                                              "scotch-reader"}  # fmt: skip
    assert rec["exit_cause"] == "m5_exit instruction encountered"
    assert rec["command"][0] == str(gem5_binary.resolve())
    assert "scotch.board.smm.smis" in rec["stats"]
    # Two workers give the same table (and the same point identities).
    two = run_sweep(
        load_sweep(sweep_file(tmp_path / "b", "handler", "{rounds: 4}"),
                   gem5_binary=gem5_binary),
        Options(workers=2, quiet=True),
    )  # fmt: skip
    pd.testing.assert_frame_equal(one.table, two.table)


def test_roundtrip_sweep(gem5_binary: Path, tmp_path: Path) -> None:
    path = sweep_file(
        tmp_path, "roundtrip", "{l2_assoc: 4, memory_type: DDR4_2400}"
    )
    df = run_sweep(load_sweep(path, gem5_binary=gem5_binary),
                   Options(workers=2, quiet=True)).table  # fmt: skip
    assert list(df["status"]) == ["done"] * 4
    assert (df["roundtrip_cycles_min"] > 0).all()
    assert (df["smis"] > 0).all()
