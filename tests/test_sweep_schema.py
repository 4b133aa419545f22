"""Sweep files: the grid, and the errors a bad file gets before any
point runs (file, line, field, what was expected, a suggestion)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from scotch_plugin.errors import ExperimentError
from scotch_plugin.sweep.schema import is_sweep_file, load_sweep, parse_sweep

ROOT = Path(__file__).resolve().parent.parent
FAKE_GEM5 = {"SCOTCH_GEM5_BINARY": "/bin/true"}


def parse(text: str, **kw: object):
    return parse_sweep(
        textwrap.dedent(text), "s.yaml", env=FAKE_GEM5, **kw  # type: ignore
    )


def problems(text: str) -> list[str]:
    with pytest.raises(ExperimentError) as info:
        parse(text)
    return [p.render("s.yaml") for p in info.value.problems]


def test_product_grid_expands_in_order_with_defaults() -> None:
    sweep = parse("""\
        name: s
        kind: handler
        base: {rounds: 8}
        grid:
          product:
            cpu: [o3, timing]
            smm_entry_latency: [0, 500, 1000]
        repeats: 2
        """)
    assert sweep.axes == ("cpu", "smm_entry_latency")
    assert [p.axes for p in sweep.points[:4]] == [
        {"cpu": "o3", "smm_entry_latency": 0},
        {"cpu": "o3", "smm_entry_latency": 500},
        {"cpu": "o3", "smm_entry_latency": 1000},
        {"cpu": "timing", "smm_entry_latency": 0},
    ]
    assert len(sweep.points) == 6 and sweep.repeats == 2
    first = sweep.points[0].params
    assert first["rounds"] == 8 and first["l2_size"] == "1MiB"
    assert first["memory_type"] == "DDR3_1600"
    assert sweep.gem5_binary == Path("/bin/true").resolve()


def test_zip_with_product_and_explicit_points() -> None:
    sweep = parse("""\
        name: s
        kind: roundtrip
        grid:
          product: {cpu: [o3, minor]}
          zip: {l2_size: [256KiB, 4MiB], l2_assoc: [4, 16]}
        """)
    assert [(p.params["cpu"], p.params["l2_size"], p.params["l2_assoc"])
            for p in sweep.points] == [
        ("o3", "256KiB", 4), ("o3", "4MiB", 16),
        ("minor", "256KiB", 4), ("minor", "4MiB", 16),
    ]  # fmt: skip
    sweep = parse("""\
        name: s
        kind: roundtrip
        grid:
          points:
            - {cpu: o3, frequency: 2GHz}
            - {cpu: atomic}
        """)
    assert [p.axes for p in sweep.points] == [
        {"cpu": "o3", "frequency": "2GHz"},
        {"cpu": "atomic", "frequency": "3GHz"},
    ]


def test_command_axes_are_its_placeholders() -> None:
    sweep = parse("""\
        name: c
        kind: command
        command: [python3, p.py, "{x}", "--y={y}"]
        base: {y: 3}
        grid: {product: {x: [1, 2]}}
        """)
    assert [p.params for p in sweep.points] == [
        {"y": 3, "x": 1},
        {"y": 3, "x": 2},
    ]
    assert sweep.gem5_binary is None


def test_unknown_axis_names_line_and_suggests() -> None:
    assert (
        problems("""\
        name: s
        kind: handler
        grid:
          product:
            cpu: [o3]
            l2_sise: [1MiB]
        """)
        == [
            "s.yaml:6: grid.product.l2_sise: unknown axis: expected a "
            "parameter of kind handler, one of cpu, frequency, l1i_size, "
            "l1d_size, l2_size, l1i_assoc, l1d_assoc, l2_assoc, memory, "
            "memory_type, smm_entry_latency, smm_exit_latency, rounds, "
            "found 'l2_sise'; "
            "did you mean 'l2_size'?"
        ]
    )


def test_empty_grid() -> None:
    assert (
        problems("""\
        name: s
        kind: handler
        grid:
          product:
            cpu: []
        """)
        == [
            "s.yaml:5: grid.product.cpu: empty axis: expected a list of at "
            "least one cpu value, found an empty list (the grid would be "
            "empty)"
        ]
    )
    assert problems("name: s\nkind: handler\ngrid: {}\n") == [
        "s.yaml:3: grid: empty grid: expected product, zip or points, "
        "found none"
    ]
    assert problems("name: s\nkind: handler\ngrid: {points: []}\n") == [
        "s.yaml:3: grid.points: empty grid: expected a list of at least "
        "one point, found an empty list"
    ]


def test_value_of_the_wrong_type() -> None:
    assert (
        problems("""\
        name: s
        kind: handler
        base: {rounds: 7}
        grid:
          product:
            smm_entry_latency: [0, "500", true]
            cpu: [o3, 03]
            l2_size: [1MiB, 2 MB]
        """)
        == [
            "s.yaml:3: base.rounds: expected an even number from 2 to 512 "
            "(the image switches between two domains), found 7 (an integer)",
            "s.yaml:6: grid.product.smm_entry_latency[1]: expected an "
            "integer, found '500' (a string)",
            "s.yaml:6: grid.product.smm_entry_latency[2]: expected an "
            "integer, found true (a boolean)",
            "s.yaml:7: grid.product.cpu[1]: expected one of atomic, timing, "
            "o3, minor, found 3 (an integer)",
            "s.yaml:8: grid.product.l2_size[1]: expected a size such as "
            "32KiB, 1MiB, found '2 MB' (a string)",
        ]
    )


def test_zip_of_unequal_lengths() -> None:
    assert (
        problems("""\
        name: s
        kind: roundtrip
        grid:
          zip:
            cpu: [o3, timing, minor]
            l2_size: [1MiB, 4MiB]
        """)
        == [
            "s.yaml:6: grid.zip.l2_size: zip of unequal lengths: expected 3 "
            "values (as cpu), found 2"
        ]
    )


def test_misspelt_field_and_bad_choice_at_once() -> None:
    assert (
        problems("""\
        name: s
        kind: handlr
        grid: {product: {cpu: [o3]}}
        repeat: 2
        executor: {kind: local, worker: 2}
        """)
        == [
            "s.yaml:2: kind: expected one of handler, roundtrip, xen-cost, "
            "xen-interference, "
            "command, found 'handlr' (a string); did you mean 'handler'?",
            "s.yaml:4: repeat: unknown field: expected one of name, "
            "description, kind, command, gem5, boot, base, grid, repeats, "
            "executor, slurm, output, found 'repeat'; did you mean "
            "'repeats'?",
            "s.yaml:5: executor.worker: unknown field: expected one of kind, "
            "workers, timeout_s, found 'worker'; did you mean 'workers'?",
        ]
    )


def test_duplicate_key_and_missing_gem5() -> None:
    assert problems("name: s\nname: t\nkind: handler\ngrid: {}\n") == [
        "s.yaml:2: name: duplicate field: expected it once, found it "
        "again (first on line 1)"
    ]
    with pytest.raises(ExperimentError) as info:
        parse_sweep(
            "name: s\nkind: handler\ngrid: {product: {cpu: [o3]}}\n",
            "s.yaml",
            env={},
        )
    assert str(info.value) == (
        "s.yaml: gem5.binary: missing: kind handler runs gem5: expected "
        "--gem5-binary, gem5.binary or $SCOTCH_GEM5_BINARY to name one, "
        "found none"
    )


def test_command_placeholder_without_value() -> None:
    assert (
        problems("""\
        name: c
        kind: command
        command: [echo, "{x}", "{y}"]
        grid: {product: {x: [1]}}
        """)
        == [
            "s.yaml:4: grid: point 0: no value for the command's {y}: "
            "expected it in base or the grid"
        ]
    )


def test_shipped_sweep_file() -> None:
    path = ROOT / "experiments" / "sweep-handler.yaml"
    assert is_sweep_file(path)
    assert not is_sweep_file(ROOT / "experiments" / "rq1.yaml")
    sweep = load_sweep(path, env=FAKE_GEM5)
    cpus = {p.params["cpu"] for p in sweep.points}
    l2 = {p.params["l2_size"] for p in sweep.points}
    entry = {p.params["smm_entry_latency"] for p in sweep.points}
    assert len(cpus) >= 4 and len(l2) >= 3 and len(entry) >= 3
    assert len(sweep.points) == len(cpus) * len(l2) * len(entry)
    assert sweep.output == ROOT / "results" / "sweep-handler"


# -- kind xen-cost: restores of an experiment's gem5 boot --------------------


def _cost(tmp_path: Path, body: str) -> str:
    """A xen-cost sweep in ``tmp_path`` whose boot is the shipped
    rq1-gem5.yaml (``BOOT`` in ``body``)."""
    boot = ROOT / "experiments" / "rq1-gem5.yaml"
    path = tmp_path / "s.yaml"
    path.write_text(textwrap.dedent(body).replace("BOOT", str(boot)))
    return str(path)


def _cost_problems(tmp_path: Path, body: str) -> list[str]:
    with pytest.raises(ExperimentError) as info:
        load_sweep(_cost(tmp_path, body), env=FAKE_GEM5)
    return [p.render("s.yaml") for p in info.value.problems]


def test_shipped_cost_file_restores_the_rq1_gem5_boot() -> None:
    path = ROOT / "experiments" / "cost-gem5.yaml"
    sweep = load_sweep(path, env=FAKE_GEM5)
    assert sweep.kind == "xen-cost"
    assert sweep.boot == ROOT / "experiments" / "rq1-gem5.yaml"
    configs = {(p.params["cpu"], p.params["trigger"]) for p in sweep.points}
    # Scotch off and on, on O3 and for comparison on Timing and Minor.
    for cpu in ("o3", "timing", "minor"):
        assert {(cpu, "none"), (cpu, "software")} <= configs
    assert ("o3", "cr3") in configs
    means = {p.params["random_mean_us"] for p in sweep.points
             if p.params["trigger"] == "random"}  # fmt: skip
    assert len(means) == 2  # RQ2's random-interval mode at two means
    assert all(p.params["workloads"] == "pi,naps" for p in sweep.points)
    assert sweep.repeats >= 2  # RQ2's interval is over repeats


def test_cost_sweep_needs_a_gem5_experiment_to_boot(tmp_path: Path) -> None:
    body = """\
        name: c
        kind: xen-cost
        grid: {product: {cpu: [o3]}}
        """
    assert _cost_problems(tmp_path, body) == [
        "s.yaml:2: kind: kind xen-cost restores an experiment's gem5 boot: "
        "expected boot: <experiment file with platform: gem5>"
    ]
    qemu = ROOT / "experiments" / "rq1.yaml"
    found = _cost_problems(tmp_path, body + f"boot: {qemu}\n")
    assert found == [
        "s.yaml:4: boot: expected an experiment file with platform: gem5, "
        f"found platform qemu in {qemu}"
    ]


def test_cost_sweep_wants_a_workload_per_domu(tmp_path: Path) -> None:
    found = _cost_problems(tmp_path, """\
        name: c
        kind: xen-cost
        boot: BOOT
        base: {workloads: "pi"}
        grid: {product: {cpu: [o3]}}
        """)  # fmt: skip
    assert found == [
        "s.yaml:4: base.workloads: point 0: expected 2 workloads (one per "
        "domU of rq1-gem5.yaml), found 1"
    ]
    found = _cost_problems(tmp_path, """\
        name: c
        kind: xen-cost
        boot: BOOT
        grid: {product: {workloads: ["pi,nap"]}}
        """)  # fmt: skip
    assert len(found) == 1
    assert found[0].startswith("s.yaml:4: grid: point 0: unknown workload")
    assert "did you mean 'naps'?" in found[0]


def test_cost_sweep_checks_its_trigger_and_window(tmp_path: Path) -> None:
    found = _cost_problems(tmp_path, """\
        name: c
        kind: xen-cost
        boot: BOOT
        grid: {product: {trigger: [sofware], window: [0]}}
        """)  # fmt: skip
    assert len(found) == 2
    assert "grid.product.trigger[0]" in found[0] and "software" in found[0]
    assert "grid.product.window[0]" in found[1]


def test_boot_is_only_for_the_cost_kind(tmp_path: Path) -> None:
    found = _cost_problems(tmp_path, """\
        name: c
        kind: handler
        boot: BOOT
        grid: {product: {cpu: [o3]}}
        """)  # fmt: skip
    assert found == [
        "s.yaml:3: boot: only for kinds xen-cost and xen-interference: "
        "expected no boot with "
        "kind handler"
    ]


# -- kind xen-interference: RQ3 on the same restores ------------------------


def test_shipped_interference_file_pairs_thrash_with_a_baseline() -> None:
    path = ROOT / "experiments" / "interference-gem5.yaml"
    sweep = load_sweep(path, env=FAKE_GEM5)
    assert sweep.kind == "xen-interference"
    assert sweep.boot == ROOT / "experiments" / "rq1-gem5.yaml"
    pairs = [str(p.params["workloads"]).split(",") for p in sweep.points]
    victims = {v for _, v in pairs}
    # Each victim beside the thrashing attacker and beside the baseline.
    for victim in victims:
        assert ["thrash", victim] in pairs and ["pi", victim] in pairs
    assert {p.params["cpu"] for p in sweep.points} == {"o3"}
    assert all(p.params["trigger"] != "none" for p in sweep.points)
    assert sweep.repeats >= 2  # the tenant's interval is over repeats


def test_interference_needs_scotch_on(tmp_path: Path) -> None:
    found = _cost_problems(tmp_path, """\
        name: i
        kind: xen-interference
        boot: BOOT
        base: {workloads: "thrash,blackscholes"}
        grid: {product: {trigger: [software, none]}}
        """)  # fmt: skip
    assert found == [
        "s.yaml:5: grid: point 1: kind xen-interference compares the "
        "tenant's ledger: expected a trigger other than none (software, "
        "cr3, interrupt, random)"
    ]
