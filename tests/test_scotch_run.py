"""The per-domain validity rule of a run's three views (parse_run)."""

from __future__ import annotations

from scotch_plugin.platforms.scotch_run import window_problem


def test_a_domain_that_ran_and_was_charged_is_valid() -> None:
    assert (
        window_problem("victim (domid 2)", 93_701_722, 93_625_646, "x") is None
    )


def test_a_domain_the_ground_truth_never_saw_is_invalid() -> None:
    problem = window_problem(
        "victim (domid 2)", 0, 5, "the simulator's observer"
    )
    assert problem == "victim (domid 2) never ran in the simulator's observer"
    assert window_problem("victim (domid 2)", None, 5, "x") is not None


def test_a_ledger_that_did_not_grow_is_invalid_not_a_ratio_of_zero() -> None:
    # Measured on gem5 with the hardware trigger and Xen's SMI both off:
    # the observer saw the victim run 74,651,194 cycles, the ledger grew 0.
    problem = window_problem(
        "victim (domid 2)", 74_651_194, 0, "the simulator's observer"
    )
    assert problem is not None
    assert "charged it 0 cycles" in problem
    assert "74651194" in problem


def test_a_field_added_with_its_default_keeps_a_run_s_identity() -> None:
    """A run's identity digests its RunSpec's set fields only: a knob
    added later, left at its default, does not make earlier runs stale
    (a gem5 run costs minutes)."""
    import dataclasses

    from scotch_plugin.platforms.scotch_run import DomainSpec, RunSpec
    from scotch_plugin.sweep.identity import set_fields

    spec = RunSpec(domains=(DomainSpec("attacker", "pi"),), severity=3)
    fields = set_fields(spec)
    assert fields == {
        "domains": [{"name": "attacker", "workload": "pi"}],
        "severity": 3,
    }
    later = dataclasses.make_dataclass(
        "Later", [("knob", int, dataclasses.field(default=0))],
        bases=(RunSpec,), frozen=True,
    )  # fmt: skip
    again = later(domains=(DomainSpec("attacker", "pi"),), severity=3)
    assert set_fields(again) == fields
    assert set_fields(later(domains=spec.domains, severity=3, knob=1)) == {
        **fields, "knob": 1,
    }  # fmt: skip
