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
