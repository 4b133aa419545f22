"""`scotch run` dispatches on the experiment through the platform
interface (scotch_plugin.platforms.base): QEMU runs it; gem5 (the file's
``platform: gem5``, or ``--gem5-binary``) refuses it before anything is
built, naming the file and the field. Nothing here boots a machine."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scotch_plugin.errors import ScotchError
from scotch_plugin.experiments import rq1
from scotch_plugin.experiments.load import load_experiment
from scotch_plugin.experiments.model import Experiment
from scotch_plugin.platforms.base import Platform, for_experiment
from scotch_plugin.platforms.gem5 import Gem5Platform
from scotch_plugin.platforms.scotch_qemu import QemuPlatform
from scotch_plugin.platforms.scotch_run import RunSpec, ScotchRun, run_spec

ROOT = Path(__file__).resolve().parent.parent
GOOD = (ROOT / "experiments" / "rq1-short.yaml").read_text()


def write(tmp_path: Path, text: str) -> Path:
    f = tmp_path / "exp.yaml"
    f.write_text(
        text.replace(
            "output: ../results/rq1-short", f"output: {tmp_path / 'out'}"
        )
    )
    return f


def on_gem5(text: str) -> str:
    return text.replace(
        "platform: qemu", "platform: gem5\ngem5: {binary: /bin/true}"
    )


def scotch(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scotch_plugin", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_qemu_experiment_goes_to_qemu(tmp_path):
    exp = load_experiment(write(tmp_path, GOOD))
    platform = for_experiment(exp)
    assert isinstance(platform, QemuPlatform)
    assert platform.name == exp.platform == "qemu"
    platform.check(exp)  # nothing it cannot honour


def test_platform_gem5_goes_to_gem5(tmp_path):
    exp = load_experiment(write(tmp_path, on_gem5(GOOD)))
    platform = for_experiment(exp)
    assert isinstance(platform, Gem5Platform)
    assert platform.name == exp.platform == "gem5"
    assert platform.binary == Path("/bin/true").resolve()
    assert platform.field == "platform"


def test_gem5_binary_option_goes_to_gem5(tmp_path):
    exp = load_experiment(write(tmp_path, GOOD))
    platform = for_experiment(exp, Path("/bin/true"))
    assert isinstance(platform, Gem5Platform)
    assert platform.field == "--gem5-binary"


@pytest.mark.parametrize(
    "text, gem5_binary, field, reason",
    [
        (on_gem5(GOOD), None, "gem5.binary: ", "with Scotch-gem5's series"),
        (GOOD, Path("/bin/true"), "--gem5-binary: ", "did not run as gem5"),
    ],
)
def test_gem5_refuses_naming_the_file_and_the_field(
    tmp_path, text, gem5_binary, field, reason
):
    exp = load_experiment(write(tmp_path, text))
    platform = for_experiment(exp, gem5_binary)
    spec = RunSpec(domains=())
    for attempt in (
        lambda: platform.check(exp),
        lambda: platform.run(exp, spec, tmp_path / "log"),
    ):
        with pytest.raises(ScotchError) as info:
            attempt()
        assert str(info.value).startswith(f"{exp.source}: {field}")
        assert reason in str(info.value)
    assert not (tmp_path / "log").exists()


def test_scotch_run_refuses_platform_gem5_before_anything_runs(tmp_path):
    f = write(tmp_path, on_gem5(GOOD))
    start = time.monotonic()
    proc = scotch("run", str(f))
    assert proc.returncode == 2
    assert f"{f.resolve()}: gem5.binary: expected a gem5 binary" in proc.stderr
    assert not (tmp_path / "out").exists()
    assert time.monotonic() - start < 30


@pytest.mark.parametrize(
    "change, field",
    [
        (
            ("workload: gzip}", "workload: gzip, memory_mb: 256}"),
            "domains[*].memory_mb",
        ),
        (("workload: gzip}", "workload: gzip, vcpus: 2}"), "domains[*].vcpus"),
    ],
)
def test_qemu_refuses_what_its_runner_cannot_take_before_building(
    tmp_path, change, field
):
    f = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(ScotchError, match=field.replace("[*]", r"\[\*\]")):
        QemuPlatform().check(load_experiment(f))
    start = time.monotonic()
    proc = scotch("run", str(f))
    assert proc.returncode == 2
    assert field in proc.stderr
    assert not (tmp_path / "out").exists()
    assert time.monotonic() - start < 30


class Recording(Platform):
    """A platform that records what rq1 asks of it, and stops at the
    first run."""

    name = "recording"

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def check(self, experiment: Experiment) -> None:
        self.calls.append(("check", experiment.name))

    def prepare(self) -> None:
        self.calls.append(("prepare",))

    def run(
        self, experiment: Experiment, spec: RunSpec, log: Path
    ) -> ScotchRun:
        self.calls.append(("run", spec.severity, spec.attacker_domid, log))
        raise ScotchError("stop here")


def test_run_experiment_goes_through_the_platform(tmp_path):
    exp = load_experiment(write(tmp_path, GOOD))
    platform = Recording()
    with pytest.raises(ScotchError, match="stop here"):
        rq1.run_experiment(exp, say=lambda _: None, platform=platform)
    log = tmp_path / "out" / "runs" / "s00-r0.log"
    assert platform.calls == [
        ("check", "rq1-short"),
        ("prepare",),
        ("run", 0, 1, log),
    ]


def test_run_experiment_on_gem5_stops_before_its_output(tmp_path):
    exp = load_experiment(write(tmp_path, on_gem5(GOOD)))
    with pytest.raises(ScotchError, match="gem5.binary: expected a gem5"):
        rq1.run_experiment(exp, say=lambda _: None)
    assert not (tmp_path / "out").exists()


def test_gem5_binary_option_stands_for_the_file_s_binary(tmp_path):
    """A gem5 file without gem5.binary: --gem5-binary supplies it (and
    the platform then checks that binary, before anything runs)."""
    f = write(tmp_path, GOOD.replace("platform: qemu", "platform: gem5"))
    proc = scotch("run", str(f), "--gem5-binary", "/bin/true")
    assert proc.returncode == 2
    assert "gem5.binary: missing" not in proc.stderr
    assert f"{f.resolve()}: --gem5-binary: expected a gem5 binary" in (
        proc.stderr
    )


class Saved(Recording):
    """A platform whose inputs have an identity: runs saved under it may
    stand for new ones."""

    def identity(self) -> dict[str, object] | None:
        return {"images": "digest-1"}


def save_run(exp: Experiment, platform: Platform, severity: int,
             identity: str | None = None) -> None:  # fmt: skip
    """A run record as rq1 saves it (runs/sNN-r0.json)."""
    if identity is None:
        identity = rq1.run_identity(platform, run_spec(exp, severity))
    runs = exp.output / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    times = {"scotch_cycles": 1000, "xen_seconds": 1.0, "truth_cycles": 900}
    record = {
        "identity": identity,
        "domains": {
            "attacker": {k: v * (1 + severity / 10) for k, v in times.items()},
            "victim": times,
        },
    }
    (runs / f"s{severity:02d}-r0.json").write_text(json.dumps(record))


def test_an_interrupted_experiment_resumes_from_its_saved_runs(tmp_path):
    exp = load_experiment(write(tmp_path, GOOD))
    platform = Saved()
    for severity in exp.severities:
        save_run(exp, platform, severity)
    said: list[str] = []
    rows = rq1.run_experiment(exp, say=said.append, platform=platform)
    # Nothing ran again; the saved runs made the table.
    assert not [c for c in platform.calls if c[0] == "run"]
    assert [(r.severity, r.scotch) for r in rows] == [(0, 1.0), (10, 2.0)]
    assert sum("reusing runs/s10-r0.json" in line for line in said) == 1
    assert (exp.output / "table.txt").is_file()
    assert (exp.output / "results.csv").read_text().count("\n") == 3


@pytest.mark.parametrize("identity", ["made-from-other-inputs", None])
def test_a_run_saved_from_other_inputs_runs_again(tmp_path, identity):
    exp = load_experiment(write(tmp_path, GOOD))
    platform = Saved() if identity else Recording()
    save_run(exp, Saved(), 0, identity=identity)
    with pytest.raises(ScotchError, match="stop here"):
        rq1.run_experiment(exp, say=lambda _: None, platform=platform)
    assert ("run", 0, 1, exp.output / "runs" / "s00-r0.log") in (
        platform.calls
    )
