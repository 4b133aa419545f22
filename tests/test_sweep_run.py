"""Running sweeps: records, resume, failures, the table and the plots.

The points here are of kind ``command``: a real program
(``tests/sweep_point.py``) run as a real subprocess by the real worker
and executor, so the machinery is what runs gem5 points; no gem5 is
needed (tests/test_sweep_gem5.py runs gem5 points).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from scotch_plugin import cli
from scotch_plugin.sweep import report
from scotch_plugin.sweep.records import read_record
from scotch_plugin.sweep.runner import Options, run_sweep
from scotch_plugin.sweep.schema import load_sweep

ROOT = Path(__file__).resolve().parent.parent
POINT = ROOT / "tests" / "sweep_point.py"


def sweep_file(tmp_path: Path, grid: str, extra: str = "") -> Path:
    shutil.copy(POINT, tmp_path / "sweep_point.py")
    path = tmp_path / "s.yaml"
    path.write_text(
        textwrap.dedent("""\
            name: t
            kind: command
            command: [{python}, sweep_point.py, "{{x}}", "{{y}}", "{{mode}}"]
            grid:
            {grid}
            output: out
            """).format(
            python=sys.executable, grid=textwrap.indent(grid, "  ")
        )
        + extra
    )
    return path


GRID = """\
product:
  x: [2, 3, 4]
  y: [10, 20]
zip:
  mode: [sleep0]
"""


def records(out: Path) -> dict[str, dict]:
    return {
        p.parent.name: json.loads(p.read_text())
        for p in (out / "points").glob("*/record.json")
    }


def test_sweep_runs_every_point_with_provenance(tmp_path: Path) -> None:
    path = sweep_file(tmp_path, GRID, "repeats: 2\n")
    summary = run_sweep(load_sweep(path), Options(workers=2, quiet=True))
    assert (summary.total, summary.ran, summary.failed) == (12, 12, 0)
    df = summary.table
    assert list(df["x"]) == [2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4]
    assert list(df["repeat"]) == [0, 1] * 6
    assert list(df["product"]) == [20, 20, 40, 40, 30, 30, 60, 60, 40, 40,
                                   80, 80]  # fmt: skip
    assert list(df["squares"][::2]) == [10, 20, 50, 100, 140, 280]
    out = tmp_path / "out"
    # The same table in CSV and Parquet, and a plot per axis but the
    # constant-free ones.
    pd.testing.assert_frame_equal(pd.read_parquet(out / "results.parquet"), df)
    assert len(pd.read_csv(out / "results.csv")) == 12
    for axis in ("x", "y", "mode"):
        assert (out / f"plot-{axis}.png").stat().st_size > 1000
    rec = next(iter(records(out).values()))
    assert rec["status"] == "done" and rec["exit_cause"] == "exit 0"
    assert rec["command"][:2] == [sys.executable, "sweep_point.py"]
    assert rec["host"] and rec["start"] < rec["end"]
    ident = rec["identity"]
    # The script's content is part of the identity.
    assert (
        ident["files"]["sweep_point.py"]
        == __import__("hashlib").sha256(POINT.read_bytes()).hexdigest()
    )
    assert len(ident["digest"]) == 64
    assert rec["point_id"] == ident["digest"][:16]


def test_rerun_skips_done_points(tmp_path: Path) -> None:
    path = sweep_file(tmp_path, GRID)
    run_sweep(load_sweep(path), Options(workers=2, quiet=True))
    before = records(tmp_path / "out")
    again = run_sweep(load_sweep(path), Options(workers=2, quiet=True))
    assert (again.skipped, again.ran) == (6, 0)
    assert records(tmp_path / "out") == before
    # --no-resume runs them all again.
    opts = Options(workers=2, quiet=True, resume=False)
    fresh = run_sweep(load_sweep(path), opts)
    assert (fresh.skipped, fresh.ran) == (0, 6)
    assert all(
        r["start"] > before[k]["start"]
        for k, r in records(tmp_path / "out").items()
    )


def test_changed_input_is_a_new_point(tmp_path: Path) -> None:
    path = sweep_file(tmp_path, GRID)
    run_sweep(load_sweep(path), Options(workers=2, quiet=True))
    with (tmp_path / "sweep_point.py").open("a") as f:
        f.write("# changed\n")
    again = run_sweep(load_sweep(path), Options(workers=2, quiet=True))
    assert (again.skipped, again.ran) == (0, 6)


def test_failed_points_are_recorded_and_the_rest_go_on(
    tmp_path: Path,
) -> None:
    grid = """\
points:
  - {x: 2, y: 1, mode: sleep0}
  - {x: 3, y: 1, mode: fail}
  - {x: 4, y: 1, mode: nometric}
  - {x: 5, y: 1, mode: sleep30}
  - {x: 6, y: 1, mode: killworker}
  - {x: 7, y: 1, mode: sleep0}
"""
    path = sweep_file(tmp_path, grid, "executor: {timeout_s: 1.5}\n")
    summary = run_sweep(load_sweep(path), Options(workers=2, quiet=True))
    df = summary.table.set_index("x")
    assert list(df["status"]) == ["done", "failed", "failed", "timeout",
                                  "failed", "done"]  # fmt: skip
    assert list(df["exit_cause"]) == [
        "exit 0", "exit 3", "no metric", "timeout after 1.5 s",
        "worker killed by SIGKILL", "exit 0",
    ]  # fmt: skip
    # A failed point has no value, not a zero.
    assert df["product"].isna().tolist() == [False, True, True, True, True,
                                             False]  # fmt: skip
    recs = {r["params"]["x"]: r for r in records(tmp_path / "out").values()}
    assert "cannot do x=3 y=1" in recs[3]["log_tail"]
    assert "killing my worker" in recs[6]["log_tail"]
    assert recs[4]["metrics"] == {} and recs[4]["status"] == "failed"
    # A rerun runs the failed points again, not the done ones.
    again = run_sweep(load_sweep(path), Options(workers=2, quiet=True))
    assert (again.skipped, again.ran) == (2, 4)


def test_kill_and_resume_loses_nothing(tmp_path: Path) -> None:
    grid = """\
product:
  x: [1, 2, 3, 4, 5, 6, 7, 8]
  y: [1]
zip:
  mode: [sleep0.4]
"""
    path = sweep_file(tmp_path, grid, "executor: {workers: 2}\n")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "scotch_plugin", "run", str(path)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 60
    while len(records(out)) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    before = {k: r for k, r in records(out).items() if r["status"] == "done"}
    assert 3 <= len(before) < 8
    # No worker is left running, and every record on disk is whole.
    time.sleep(1)
    assert records(out).keys() == before.keys() | {
        k for k, r in records(out).items() if r["status"] != "done"
    }
    rc = cli.main(["run", str(path), "--resume"])
    after = records(out)
    assert rc == 0 and len(after) == 8
    assert all(r["status"] == "done" for r in after.values())
    for k, r in before.items():
        assert after[k] == r  # not run again
    df = pd.read_csv(out / "results.csv")
    assert list(df["product"]) == [1, 2, 3, 4, 5, 6, 7, 8]


def test_report_redraws_from_records(tmp_path: Path, capsys) -> None:
    path = sweep_file(tmp_path, GRID)
    first = run_sweep(load_sweep(path), Options(workers=2, quiet=True))
    out = tmp_path / "out"
    for f in [*out.glob("plot-*.png"), out / "results.csv",
              out / "results.parquet"]:  # fmt: skip
        f.unlink()
    (out / "sweep_point_was_here").touch()
    os.remove(tmp_path / "sweep_point.py")  # nothing can run now
    assert cli.main(["report", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "6 points, 0 not done" in printed
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "results.parquet"), first.table
    )
    assert (out / "plot-x.png").is_file()


def test_report_refuses_a_directory_that_is_no_sweep(
    tmp_path: Path, capsys
) -> None:
    assert cli.main(["report", str(tmp_path)]) == 2
    assert "not a sweep directory (no sweep.json" in capsys.readouterr().err


def test_bad_sweep_file_runs_nothing(tmp_path: Path, capsys) -> None:
    path = sweep_file(tmp_path, "product: {x: [1], z: [2]}\n")
    assert cli.main(["run", str(path)]) == 2
    err = capsys.readouterr().err
    assert (
        "s.yaml:5: grid.product.z: unknown axis: expected a {placeholder} "
        "of the command, one of x, y, mode, found 'z'"
    ) in err
    assert not (tmp_path / "out").exists()


def test_missing_record_point_is_listed_as_missing(tmp_path: Path) -> None:
    path = sweep_file(tmp_path, GRID)
    run_sweep(load_sweep(path), Options(workers=2, quiet=True))
    out = tmp_path / "out"
    victim = next((out / "points").iterdir())
    (victim / "record.json").unlink()
    assert read_record(victim) is None
    df = report.table(out)
    assert (df["status"] == "missing").sum() == 1


@pytest.mark.parametrize("workers", [1, 3])
def test_results_do_not_depend_on_workers(tmp_path: Path, workers) -> None:
    path = sweep_file(tmp_path, GRID)
    df = run_sweep(load_sweep(path),
                   Options(workers=workers, quiet=True)).table  # fmt: skip
    ref = tmp_path / "ref"
    ref.mkdir()
    path2 = sweep_file(ref, GRID)
    df2 = run_sweep(load_sweep(path2), Options(workers=2, quiet=True)).table
    pd.testing.assert_frame_equal(df, df2)


@pytest.mark.parametrize(
    "option, message",
    [
        (["--workers", "0"], "--workers 0: expected at least 1"),
        (["--timeout", "-5"], "--timeout -5: expected greater than 0"),
    ],
)
def test_bad_command_line_runs_nothing(tmp_path, capsys, option, message):
    path = sweep_file(tmp_path, GRID)
    assert cli.main(["run", str(path), *option]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
