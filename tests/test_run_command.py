"""`scotch run` checks the whole experiment file before any simulation:
a bad file stops with the file and the field named, and nothing runs."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from scotch_plugin.errors import ScotchError
from scotch_plugin.experiments.load import load_experiment
from scotch_plugin.platforms import scotch_run

ROOT = Path(__file__).resolve().parent.parent
GOOD = (ROOT / "experiments" / "rq1-short.yaml").read_text()


def scotch(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scotch_plugin", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "change, field",
    [
        (("seconds: 4", "secs: 4"), "secs"),
        (("seconds: 4", "seconds: four"), "seconds"),
        (("workload: gzip", "workload: bzip2"), "domains[1].workload"),
        (("severities: [0, 10]", "severities: [0, 11]"), "severities"),
    ],
)
def test_bad_file_stops_before_any_simulation(tmp_path, change, field):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        GOOD.replace(*change).replace(
            "output: ../results/rq1-short", f"output: {tmp_path / 'out'}"
        )
    )
    start = time.monotonic()
    proc = scotch("run", str(bad))
    assert proc.returncode == 2
    assert str(bad) in proc.stderr
    assert field in proc.stderr
    assert not (tmp_path / "out").exists()
    assert time.monotonic() - start < 30


def test_a_gem5_binary_that_is_not_gem5_is_refused(tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(GOOD)
    proc = scotch("run", str(good), "--gem5-binary", "/bin/true")
    assert proc.returncode == 2
    assert f"{good.resolve()}: --gem5-binary: expected a gem5 binary" in (
        proc.stderr
    )
    assert not (tmp_path / "results").exists()


def test_unequal_domain_memory_is_named(tmp_path):
    f = tmp_path / "mem.yaml"
    f.write_text(
        GOOD.replace(
            "{name: victim, role: victim, workload: gzip}",
            "{name: victim, role: victim, workload: gzip, memory_mb: 256}",
        )
    )
    exp = load_experiment(f)
    with pytest.raises(ScotchError, match=r"domains\[\*\]\.memory_mb"):
        scotch_run.run_spec(exp, 0)


def test_run_spec_follows_the_file(tmp_path):
    f = tmp_path / "ok.yaml"
    f.write_text(GOOD)
    spec = scotch_run.run_spec(load_experiment(f), 10)
    assert spec.severity == 10 and spec.attacker_domid == 1
    assert spec.window == spec.seconds == 4
    assert [d.workload for d in spec.domains] == ["pi", "gzip"]
