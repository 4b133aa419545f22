"""The Slurm executor on a real single-node Slurm cluster (started here
from Debian's packages; skipped, with the reason, where they are not
installed): the same sweep gives the same table as the local pool."""

from __future__ import annotations

import json
import os
import shutil
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import slurm_cluster

from scotch_plugin.sweep.runner import Options, run_sweep
from scotch_plugin.sweep.schema import load_sweep

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def slurm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    lacking = slurm_cluster.missing()
    if lacking:
        pytest.skip(
            f"needs Slurm and MUNGE ({', '.join(lacking)} not found): "
            "apt-get install slurmctld slurmd slurm-client munge "
            "(.ci/setup does)"
        )
    workdir = tmp_path_factory.mktemp("slurm")
    with slurm_cluster.cluster(workdir) as env:
        old = os.environ.get("SLURM_CONF")
        os.environ.update(env)
        try:
            yield
        finally:
            if old is None:
                os.environ.pop("SLURM_CONF", None)
            else:
                os.environ["SLURM_CONF"] = old


def sweep_file(dirpath: Path) -> Path:
    dirpath.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "tests" / "sweep_point.py", dirpath)
    path = dirpath / "s.yaml"
    path.write_text(textwrap.dedent(f"""\
            name: t
            kind: command
            command: [{sys.executable}, sweep_point.py, "{{x}}", "{{y}}",
                      "{{mode}}"]
            grid:
              points:
                - {{x: 2, y: 10, mode: sleep0}}
                - {{x: 3, y: 10, mode: sleep0.5}}
                - {{x: 4, y: 20, mode: fail}}
                - {{x: 5, y: 20, mode: killworker}}
                - {{x: 6, y: 30, mode: sleep0}}
            slurm: {{time_min: 5, mem_gb: 0.25}}
            output: out
            """))
    return path


def test_slurm_gives_the_local_table(slurm: None, tmp_path: Path) -> None:
    on_slurm = run_sweep(
        load_sweep(sweep_file(tmp_path / "slurm")),
        Options(executor="slurm", quiet=True),
    )
    local = run_sweep(
        load_sweep(sweep_file(tmp_path / "local")),
        Options(executor="local", workers=2, quiet=True),
    )
    assert list(on_slurm.table["status"]) == ["done", "done", "failed",
                                              "failed", "done"]  # fmt: skip
    # Everything but the worker-killed point's cause is the same; that
    # one each executor names in its own words.
    a = on_slurm.table.drop(columns="exit_cause")
    b = local.table.drop(columns="exit_cause")
    pd.testing.assert_frame_equal(a, b)
    causes = list(on_slurm.table["exit_cause"])
    assert causes[2] == "exit 3" and causes[3].startswith("Slurm job ")
    recs = [
        json.loads(p.read_text())
        for p in (tmp_path / "slurm" / "out" / "points").glob("*/record.json")
    ]
    assert {r["executor"] for r in recs} == {"slurm"}
    killed = next(r for r in recs if r["params"]["x"] == 5)
    assert "killing my worker" in killed["log_tail"]
    # A rerun through Slurm submits only the failed points.
    again = run_sweep(
        load_sweep(sweep_file(tmp_path / "slurm")),
        Options(executor="slurm", quiet=True),
    )
    assert (again.skipped, again.ran) == (3, 2)


def test_gem5_points_through_slurm(
    slurm: None, gem5_binary: Path, tmp_path: Path
) -> None:
    """The handler bench's points give the same table through Slurm as
    on the local pool (needs SCOTCH_GEM5_BINARY too)."""
    tables = []
    for executor in ("slurm", "local"):
        d = tmp_path / executor
        d.mkdir()
        path = d / "s.yaml"
        path.write_text(textwrap.dedent("""\
                name: g
                kind: handler
                base: {rounds: 4}
                grid: {zip: {cpu: [timing, o3], l2_size: [256KiB, 4MiB]}}
                slurm: {time_min: 10, mem_gb: 1}
                output: out
                """))
        sweep = load_sweep(path, gem5_binary=gem5_binary)
        tables.append(
            run_sweep(sweep, Options(executor=executor, quiet=True)).table
        )
    assert list(tables[0]["status"]) == ["done", "done"]
    pd.testing.assert_frame_equal(tables[0], tables[1])
