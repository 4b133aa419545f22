"""Experiment files: the shipped ones load, every mistake is named."""

from __future__ import annotations

import dataclasses
import json
import os
import textwrap
from pathlib import Path

import pytest
import yaml

from scotch_plugin.errors import ExperimentError, ScotchError
from scotch_plugin.experiments.load import load_experiment, parse_experiment
from scotch_plugin.experiments.model import PARSEC_BENCHMARKS, Experiment
from scotch_plugin.experiments.schema import GEM5_BINARY_ENV
from scotch_plugin.xen.guest_workloads import WORKLOADS

ROOT = Path(__file__).resolve().parent.parent
EXPERIMENTS = ROOT / "experiments"


def base() -> dict:
    """A minimal valid experiment."""
    return {
        "name": "t",
        "attack": {"severities": [0, 10]},
        "domains": [
            {"name": "a", "role": "attacker", "workload": "pi"},
            {"name": "v", "role": "victim", "workload": "gzip"},
        ],
        "seconds": 2,
    }


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "exp.yaml"
    if isinstance(data, str):
        path.write_text(textwrap.dedent(data))
    else:
        path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def load(tmp_path: Path, data: object, **kwargs: object) -> Experiment:
    kwargs.setdefault("env", {})
    return load_experiment(write(tmp_path, data), **kwargs)  # type: ignore


def problem(
    tmp_path: Path, data: object, field: str, *fragments: str, **kwargs
) -> str:
    """The error line about ``field``; checks it names file and field."""
    path = write(tmp_path, data)
    kwargs.setdefault("env", {})
    with pytest.raises(ExperimentError) as info:
        load_experiment(path, **kwargs)
    message = str(info.value)
    assert field in [p.field for p in info.value.problems], message
    lines = [
        line.strip() for line in message.splitlines() if f": {field}: " in line
    ]
    assert lines, message
    line = lines[0]
    assert line.startswith(f"{path}:"), line
    for fragment in fragments:
        assert fragment in line, line
    return line


# -- the shipped files --------------------------------------------------------


def test_rq1_loads():
    exp = load_experiment(EXPERIMENTS / "rq1.yaml", env={})
    assert exp.name == "rq1-scheduler-attack"
    assert exp.platform == "qemu" and exp.trigger == "software"
    assert exp.severities == (0, 1, 3, 5, 7, 9, 10)
    assert exp.attacker.role == "attacker" and exp.victim.role == "victim"
    assert exp.attacker.workload in WORKLOADS
    assert exp.victim.workload in WORKLOADS
    assert exp.gem5 is None and exp.random_mean_us is None
    assert exp.output == ROOT / "results" / "rq1"
    assert exp.source == EXPERIMENTS / "rq1.yaml"


def test_rq1_short_loads_and_is_shorter():
    short = load_experiment(EXPERIMENTS / "rq1-short.yaml", env={})
    full = load_experiment(EXPERIMENTS / "rq1.yaml", env={})
    assert short.severities == (0, 10)
    assert short.seconds < full.seconds
    assert short.runs() == ((0, 0), (10, 0))
    assert short.output == ROOT / "results" / "rq1-short"


def test_shipped_files_ignore_the_environment_binary(tmp_path):
    env = {GEM5_BINARY_ENV: str(tmp_path / "nowhere")}
    exp = load_experiment(EXPERIMENTS / "rq1.yaml", env=env)
    assert exp.gem5 is None


# -- defaults and paths -------------------------------------------------------


def test_defaults(tmp_path):
    exp = load(tmp_path, base())
    assert exp.platform == "qemu"
    assert exp.trigger == "software"
    assert exp.attack.hide_from_xen is False
    assert exp.attack.repeats == 1
    assert exp.description == ""
    assert [(d.memory_mb, d.vcpus) for d in exp.domains] == [(128, 1)] * 2
    assert exp.output == tmp_path.resolve() / "results" / "t"


def test_defaults_seconds(tmp_path):
    data = base()
    del data["seconds"]
    assert load(tmp_path, data).seconds == 6


def test_output_is_relative_to_the_file_not_the_cwd(tmp_path, monkeypatch):
    sub = tmp_path / "exps"
    sub.mkdir()
    monkeypatch.chdir(tmp_path)
    data = base()
    data["output"] = "../out/here"
    exp = load(sub, data)
    assert exp.output == (tmp_path / "out" / "here").resolve()


def test_roles_in_either_order(tmp_path):
    data = base()
    data["domains"].reverse()
    exp = load(tmp_path, data)
    assert exp.attacker.name == "a" and exp.victim.name == "v"
    assert [d.name for d in exp.domains] == ["v", "a"]


def test_repeats_give_runs(tmp_path):
    data = base()
    data["attack"]["repeats"] = 2
    assert load(tmp_path, data).runs() == ((0, 0), (0, 1), (10, 0), (10, 1))


def test_experiment_is_frozen_and_serialisable(tmp_path):
    exp = load(tmp_path, base())
    with pytest.raises(dataclasses.FrozenInstanceError):
        exp.seconds = 3  # type: ignore[misc]
    data = json.loads(json.dumps(exp.to_dict()))
    assert data["attack"]["severities"] == [0, 10]
    assert data["domains"][1]["workload"] == "gzip"


def test_parse_from_a_string(tmp_path):
    text = yaml.safe_dump(base())
    exp = parse_experiment(text, "inline", base_dir=tmp_path, env={})
    assert exp.source is None and exp.output == tmp_path / "results" / "t"
    bad = text.replace("seconds: 2", "seconds: x")
    line = bad.splitlines().index("seconds: x") + 1
    with pytest.raises(ExperimentError, match=rf"^inline:{line}: seconds: "):
        parse_experiment(bad, "inline", env={})


@pytest.mark.parametrize("workload", WORKLOADS)
def test_every_known_workload(tmp_path, workload):
    data = base()
    data["domains"][0]["workload"] = workload
    assert load(tmp_path, data).attacker.workload == workload


def test_a_mix_of_workloads(tmp_path):
    data = base()
    mix = "+".join(WORKLOADS) + "+parsec:vips"
    data["domains"][0]["workload"] = mix
    assert load(tmp_path, data).attacker.workload == mix


def test_a_mix_with_an_unknown_part_is_named(tmp_path):
    data = base()
    data["domains"][0]["workload"] = "pi+bzip2"
    problem(tmp_path, data, "domains[0].workload", "'bzip2'")


@pytest.mark.parametrize("bench", PARSEC_BENCHMARKS)
def test_parsec_workloads(tmp_path, bench):
    data = base()
    data["domains"][1]["workload"] = f"parsec:{bench}"
    assert load(tmp_path, data).victim.parsec_benchmark == bench


# -- unknown fields -----------------------------------------------------------


def test_unknown_top_level_field_suggests(tmp_path):
    data = base()
    data["secnds"] = 3
    problem(
        tmp_path, data, "secnds", "unknown field", "did you mean 'seconds'?"
    )


def test_unknown_nested_field_suggests(tmp_path):
    data = base()
    data["attack"]["severity"] = [1]
    problem(
        tmp_path,
        data,
        "attack.severity",
        "expected one of severities, hide_from_xen, repeats",
        "did you mean 'severities'?",
    )


def test_unknown_domain_field_suggests(tmp_path):
    data = base()
    data["domains"][1]["memory"] = 64
    problem(tmp_path, data, "domains[1].memory", "did you mean 'memory_mb'?")


def test_unknown_gem5_field_suggests(tmp_path):
    binary = fake_gem5(tmp_path)
    data = base()
    data["platform"] = "gem5"
    data["gem5"] = {"binary": str(binary), "cpus": "o3"}
    problem(tmp_path, data, "gem5.cpus", "did you mean 'cpu'?")


def test_unknown_field_far_from_any_has_no_suggestion(tmp_path):
    data = base()
    data["zzzz"] = 1
    line = problem(tmp_path, data, "zzzz", "unknown field")
    assert "did you mean" not in line


# -- wrong types --------------------------------------------------------------


def test_wrong_type(tmp_path):
    data = base()
    data["seconds"] = "six"
    problem(
        tmp_path,
        data,
        "seconds",
        "expected a number of seconds from 0.01 to 3600",
        "found 'six' (a string)",
    )


def test_fractional_seconds_need_gem5(tmp_path):
    data = base()
    data["seconds"] = 2.5
    problem(tmp_path, data, "seconds", "expected whole seconds on platform "
            "qemu", "found 2.5")  # fmt: skip


@pytest.mark.parametrize(
    "where, field",
    [
        (("seconds",), "seconds"),
        (("attack", "repeats"), "attack.repeats"),
        (("domains", 1, "memory_mb"), "domains[1].memory_mb"),
        (("domains", 0, "vcpus"), "domains[0].vcpus"),
        (("attack", "severities", 1), "attack.severities[1]"),
    ],
)
def test_booleans_are_not_integers(tmp_path, where, field):
    data = base()
    target: object = data
    for key in where[:-1]:
        target = target[key]  # type: ignore[index]
    target[where[-1]] = True  # type: ignore[index]
    expected = (
        "expected a number" if field == "seconds" else "expected an integer"
    )
    problem(tmp_path, data, field, expected, "found true")


def test_integers_are_not_booleans(tmp_path):
    data = base()
    data["attack"]["hide_from_xen"] = 1
    problem(
        tmp_path,
        data,
        "attack.hide_from_xen",
        "expected true or false",
        "found 1 (an integer)",
    )


def test_number_where_text_expected_hints_to_quote(tmp_path):
    data = base()
    data["name"] = 2024
    problem(tmp_path, data, "name", "found 2024 (an integer)", "quotes")


def test_bad_name(tmp_path):
    data = base()
    data["domains"][0]["name"] = "my attacker"
    problem(
        tmp_path, data, "domains[0].name", "letters, digits", "'my attacker'"
    )


def test_unknown_choice_suggests(tmp_path):
    data = base()
    data["platform"] = "qmeu"
    problem(
        tmp_path,
        data,
        "platform",
        "expected one of qemu, gem5",
        "found 'qmeu'",
        "did you mean 'qemu'?",
    )


def test_attack_must_be_a_mapping(tmp_path):
    data = base()
    data["attack"] = [0, 10]
    problem(tmp_path, data, "attack", "expected a mapping", "found a list")


def test_top_level_must_be_a_mapping(tmp_path):
    path = write(tmp_path, "- 1\n- 2\n")
    with pytest.raises(ExperimentError) as info:
        load_experiment(path, env={})
    assert str(info.value).startswith(f"{path}: expected a mapping")


def test_empty_file(tmp_path):
    path = write(tmp_path, "# nothing\n")
    with pytest.raises(ExperimentError, match="empty file"):
        load_experiment(path, env={})


# -- severities ---------------------------------------------------------------


@pytest.mark.parametrize("bad, index", [(11, 1), (-1, 0), (100, 2)])
def test_severity_out_of_range(tmp_path, bad, index):
    data = base()
    data["attack"]["severities"] = [0, 10, 5]
    data["attack"]["severities"][index] = bad
    problem(
        tmp_path,
        data,
        f"attack.severities[{index}]",
        "out of range",
        "expected an integer from 0 to 10",
        f"found {bad}",
    )


def test_severities_must_be_a_non_empty_list(tmp_path):
    data = base()
    data["attack"]["severities"] = []
    problem(tmp_path, data, "attack.severities", "non-empty list")
    data["attack"]["severities"] = 5
    problem(
        tmp_path, data, "attack.severities", "list", "found 5 (an integer)"
    )


def test_duplicate_severity(tmp_path):
    data = base()
    data["attack"]["severities"] = [0, 5, 5]
    problem(
        tmp_path,
        data,
        "attack.severities[2]",
        "found 5 again",
        "attack.severities[1]",
    )


# -- missing fields -----------------------------------------------------------


@pytest.mark.parametrize(
    "remove, field, expected",
    [
        (("name",), "name", "a name"),
        (("attack",), "attack", "severities"),
        (("attack", "severities"), "attack.severities", "list of integers"),
        (("domains",), "domains", "exactly two domains"),
        (("domains", 1, "workload"), "domains[1].workload", "pi, gzip"),
        (("domains", 0, "role"), "domains[0].role", "attacker, victim"),
        (("domains", 0, "name"), "domains[0].name", "a name"),
    ],
)
def test_missing_required_field(tmp_path, remove, field, expected):
    data = base()
    target: object = data
    for key in remove[:-1]:
        target = target[key]  # type: ignore[index]
    del target[remove[-1]]  # type: ignore[attr-defined]
    problem(tmp_path, data, field, "missing required field", expected)


# -- domains ------------------------------------------------------------------


def test_unknown_workload_suggests(tmp_path):
    data = base()
    data["domains"][1]["workload"] = "gzp"
    problem(
        tmp_path,
        data,
        "domains[1].workload",
        "unknown workload",
        "expected one of pi, gzip",
        "parsec:<benchmark>",
        "found 'gzp'",
        "did you mean 'gzip'?",
    )


def test_unknown_parsec_benchmark_suggests(tmp_path):
    data = base()
    data["domains"][0]["workload"] = "parsec:blackscholez"
    problem(
        tmp_path,
        data,
        "domains[0].workload",
        "unknown PARSEC benchmark",
        "did you mean 'parsec:blackscholes'?",
    )


def test_duplicate_roles(tmp_path):
    data = base()
    data["domains"][1]["role"] = "attacker"
    problem(
        tmp_path,
        data,
        "domains[1].role",
        "duplicate role",
        "expected victim",
        "found 'attacker' again",
        "domains[0]",
    )


def test_duplicate_names(tmp_path):
    data = base()
    data["domains"][1]["name"] = "a"
    problem(tmp_path, data, "domains[1].name", "duplicate name", "'a'")


@pytest.mark.parametrize("count", [1, 3])
def test_exactly_two_domains(tmp_path, count):
    data = base()
    data["domains"] = (data["domains"] * 2)[:count]
    problem(tmp_path, data, "domains", "exactly two", f"found {count} domain")


def test_domain_must_be_a_mapping(tmp_path):
    data = base()
    data["domains"][0] = "attacker"
    problem(tmp_path, data, "domains[0]", "expected a mapping", "'attacker'")


def test_memory_out_of_range(tmp_path):
    data = base()
    data["domains"][0]["memory_mb"] = 4
    problem(tmp_path, data, "domains[0].memory_mb", "out of range", "16")


# -- platform, gem5 and triggers ----------------------------------------------


def fake_gem5(tmp_path: Path, executable: bool = True) -> Path:
    binary = tmp_path / "gem5.opt"
    binary.write_text("#!/bin/sh\n")
    binary.chmod(0o755 if executable else 0o644)
    return binary


def gem5_data(**gem5: object) -> dict:
    data = base()
    data["platform"] = "gem5"
    if gem5:
        data["gem5"] = gem5
    return data


def test_gem5_without_binary(tmp_path):
    problem(
        tmp_path,
        gem5_data(cpu="o3"),
        "gem5.binary",
        "platform gem5 needs a gem5 binary",
        GEM5_BINARY_ENV,
        "found neither",
    )


def test_gem5_without_section_or_binary(tmp_path):
    problem(tmp_path, gem5_data(), "gem5.binary", GEM5_BINARY_ENV)


def test_missing_top_level_field_has_no_line(tmp_path):
    data = base()
    del data["domains"]
    path = write(tmp_path, data)
    with pytest.raises(ExperimentError) as info:
        load_experiment(path, env={})
    assert str(info.value).startswith(
        f"{path}: domains: missing required field: expected a list of "
        "exactly two domains"
    )


def test_gem5_binary_from_the_environment(tmp_path):
    binary = fake_gem5(tmp_path)
    exp = load(tmp_path, gem5_data(), env={GEM5_BINARY_ENV: str(binary)})
    assert exp.gem5 is not None
    assert exp.gem5.binary == binary.resolve()
    assert (exp.gem5.cpu, exp.gem5.frequency) == ("o3", "3GHz")
    assert exp.gem5.frequency_hz == 3e9


def test_gem5_binary_in_the_file_wins_and_is_relative_to_it(tmp_path):
    binary = fake_gem5(tmp_path)
    env = {GEM5_BINARY_ENV: str(tmp_path / "other")}
    exp = load(tmp_path, gem5_data(binary="gem5.opt", cpu="timing"), env=env)
    assert exp.gem5 is not None and exp.gem5.binary == binary.resolve()
    assert exp.gem5.cpu == "timing"


def test_gem5_binary_missing(tmp_path):
    problem(
        tmp_path,
        gem5_data(binary=str(tmp_path / "nope")),
        "gem5.binary",
        "expected an executable gem5 binary",
        "no such file",
    )


def test_gem5_binary_from_environment_missing_says_so(tmp_path):
    env = {GEM5_BINARY_ENV: str(tmp_path / "nope")}
    problem(
        tmp_path, gem5_data(), "gem5.binary", f"(from ${GEM5_BINARY_ENV})",
        env=env,
    )  # fmt: skip


def test_gem5_binary_not_executable(tmp_path):
    binary = fake_gem5(tmp_path, executable=False)
    if os.access(binary, os.X_OK):
        pytest.skip("running as a user who may execute anything")
    problem(
        tmp_path,
        gem5_data(binary=str(binary)),
        "gem5.binary",
        "not executable",
    )


def test_gem5_binary_need_not_exist_without_file_checks(tmp_path):
    exp = load(tmp_path, gem5_data(binary="/no/gem5.opt"), check_files=False)
    assert exp.gem5 is not None and exp.gem5.binary == Path("/no/gem5.opt")


def fake_boot(directory: Path) -> Path:
    """A finished boot's directory, as scotch run leaves it."""
    (directory / "out" / "cpt.1").mkdir(parents=True)
    (directory / "out" / "cpt.1" / "m5.cpt").write_text("[root]\n")
    (directory / "boot.json").write_text('{"checkpoint": "out/cpt.1"}')
    (directory / "mac-key.bin").write_bytes(bytes(32))
    return directory


def test_gem5_checkpoint_is_relative_to_the_file(tmp_path):
    binary = fake_gem5(tmp_path)
    fake_boot(tmp_path / "boot")
    exp = load(tmp_path, gem5_data(binary=str(binary), checkpoint="boot"))
    assert exp.gem5 is not None
    assert exp.gem5.checkpoint == (tmp_path / "boot").resolve()


def test_gem5_without_checkpoint_uses_the_cache(tmp_path):
    binary = fake_gem5(tmp_path)
    exp = load(tmp_path, gem5_data(binary=str(binary)))
    assert exp.gem5 is not None and exp.gem5.checkpoint is None


@pytest.mark.parametrize(
    "damage, found",
    [
        ("absent", "no such directory"),
        ("unfinished", "no boot.json (a boot that never finished?)"),
        ("no-cpt", "no m5.cpt in"),
        ("no-key", "no mac-key.bin"),
    ],
)
def test_gem5_checkpoint_names_a_missing_boot(tmp_path, damage, found):
    binary = fake_gem5(tmp_path)
    boot = tmp_path / "boot"
    if damage != "absent":
        fake_boot(boot)
    if damage == "unfinished":
        (boot / "boot.json").unlink()
    elif damage == "no-cpt":
        (boot / "out" / "cpt.1" / "m5.cpt").unlink()
    elif damage == "no-key":
        (boot / "mac-key.bin").unlink()
    line = problem(
        tmp_path,
        gem5_data(binary=str(binary), checkpoint="boot"),
        "gem5.checkpoint",
        "expected a path to a boot directory",
        found,
    )
    assert str(boot.resolve()) in line


def test_gem5_checkpoint_only_on_gem5(tmp_path):
    data = base()
    data["gem5"] = {"checkpoint": "boot"}
    problem(tmp_path, data, "gem5", "only for platform gem5")


def test_gem5_bad_cpu_and_frequency(tmp_path):
    binary = fake_gem5(tmp_path)
    data = gem5_data(binary=str(binary), cpu="O3", frequency="fast")
    problem(tmp_path, data, "gem5.cpu", "atomic, timing, o3, minor", "'O3'")
    problem(tmp_path, data, "gem5.frequency", "3GHz", "'fast'")


def test_gem5_section_on_qemu(tmp_path):
    data = base()
    data["gem5"] = {"cpu": "o3"}
    problem(tmp_path, data, "gem5", "only for platform gem5", "platform qemu")


@pytest.mark.parametrize("trigger", ["cr3", "random"])
def test_gem5_only_triggers_on_qemu(tmp_path, trigger):
    data = base()
    data["trigger"] = trigger
    problem(
        tmp_path,
        data,
        "trigger",
        "expected software on platform qemu",
        f"found '{trigger}'",
    )


@pytest.mark.parametrize("trigger", ["cr3", "random"])
def test_gem5_only_triggers_on_gem5(tmp_path, trigger):
    data = gem5_data(binary=str(fake_gem5(tmp_path)))
    data["trigger"] = trigger
    exp = load(tmp_path, data)
    assert exp.trigger == trigger
    assert exp.random_mean_us == (100.0 if trigger == "random" else None)


def test_random_mean(tmp_path):
    data = gem5_data(binary=str(fake_gem5(tmp_path)))
    data.update(trigger="random", random_mean_us=25)
    assert load(tmp_path, data).random_mean_us == 25.0
    data["random_mean_us"] = 0
    problem(tmp_path, data, "random_mean_us", "greater than 0", "found 0")


def test_random_mean_without_random_trigger(tmp_path):
    data = base()
    data["random_mean_us"] = 50
    problem(
        tmp_path,
        data,
        "random_mean_us",
        "only for trigger random",
        "trigger software",
    )


# -- the file as a whole ------------------------------------------------------

BAD = """\
name: t
platform: qemu
trigger: cr3
attack:
  severities: [0, 11]
domains:
  - {name: a, role: attacker, workload: pi}
  - {name: v, role: victim, workload: gzp}
"""


def test_every_problem_is_reported_with_its_line(tmp_path):
    path = write(tmp_path, BAD)
    with pytest.raises(ExperimentError) as info:
        load_experiment(path, env={})
    err = info.value
    assert isinstance(err, ScotchError)
    assert [(p.line, p.field) for p in err.problems] == [
        (3, "trigger"),
        (5, "attack.severities[1]"),
        (8, "domains[1].workload"),
    ]
    lines = str(err).splitlines()
    assert lines[0] == f"{path}: 3 problems, nothing was run:"
    assert lines[1].startswith(f"  {path}:3: trigger: expected software")
    assert lines[3].startswith(f"  {path}:8: domains[1].workload: ")


def test_one_problem_is_one_line(tmp_path):
    data = base()
    data["seconds"] = 0
    path = write(tmp_path, data)
    with pytest.raises(ExperimentError) as info:
        load_experiment(path, env={})
    line = data_line(path, "seconds:")
    assert str(info.value) == (
        f"{path}:{line}: seconds: out of range: expected a number of "
        "seconds from 0.01 to 3600, found 0"
    )


def data_line(path: Path, prefix: str) -> int:
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if line.startswith(prefix):
            return number
    raise AssertionError(prefix)


def test_yaml_syntax_error(tmp_path):
    path = write(tmp_path, "name: t\nattack: {severities: [0, 1}\n")
    with pytest.raises(ExperimentError) as info:
        load_experiment(path, env={})
    assert str(info.value).startswith(f"{path}:2: not valid YAML")


def test_duplicate_key(tmp_path):
    path = write(tmp_path, "name: t\nseconds: 2\nseconds: 3\n")
    with pytest.raises(ExperimentError) as info:
        load_experiment(path, env={})
    assert str(info.value).startswith(
        f"{path}:3: seconds: duplicate field: expected it once"
    )
    assert "first on line 2" in str(info.value)


def test_missing_file(tmp_path):
    path = tmp_path / "none.yaml"
    with pytest.raises(ExperimentError, match="no such experiment file"):
        load_experiment(path)
