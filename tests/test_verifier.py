"""The tenant's verifier owns freshness: it draws every nonce, keeps the
last accepted sequence number across a run's exports, and refuses a
replayed, stale, reordered, forged, foreign, backwards or late snapshot.
The snapshots are real HMAC-SHA256 under the verifier's key
(tests/scotch_snapshots.py), checked by the real scotch-reader."""

from __future__ import annotations

import pytest
from scotch_snapshots import snapshot

from scotch_plugin import ledger
from scotch_plugin.errors import ScotchError
from scotch_plugin.trust import verifier
from scotch_plugin.workload_build import scons


@pytest.fixture(scope="module", autouse=True)
def reader():
    scons("build/workloads/scotch/scotch-reader")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def tv(clock) -> verifier.TenantVerifier:
    return verifier.TenantVerifier(deadline=60, clock=clock)


def answer(tv, nonce: int, seq: int, **kw) -> str:
    return snapshot(tv.key, seq=seq, nonce=nonce, **kw).hex()


def test_exports_in_order_are_accepted(tv):
    n1 = tv.challenge("start")
    assert tv.accept(answer(tv, n1, 3))["seq"] == 3
    n2 = tv.challenge("end")
    assert n2 != n1
    usage = tv.accept(answer(tv, n2, 9, domains=((1, 5000, 40, 2),)))
    assert usage["seq"] == 9 and tv.last_seq == 9
    assert len(tv.accepted) == 2


def test_replayed_snapshot_is_rejected(tv):
    n1 = tv.challenge()
    first = answer(tv, n1, 3)
    tv.accept(first)
    with pytest.raises(ledger.SnapshotRejected, match="no challenge"):
        tv.accept(first)
    # Offered as the answer to the next challenge: the nonce is wrong.
    tv.challenge()
    with pytest.raises(ledger.SnapshotRejected, match="nonce"):
        tv.accept(first)


def test_stale_snapshot_is_rejected(tv):
    """An answer to a superseded challenge (held back by the relay)."""
    old = tv.challenge("first")
    tv.challenge("second")
    with pytest.raises(ledger.SnapshotRejected, match="nonce"):
        tv.accept(answer(tv, old, 3))


def test_reordered_snapshots_are_rejected(tv):
    """Two exports delivered in the wrong order: the later ledger first
    is accepted, the earlier one after it is refused by its sequence."""
    n1 = tv.challenge()
    tv.accept(answer(tv, n1, 10))
    n2 = tv.challenge()
    with pytest.raises(ledger.SnapshotRejected, match="sequence"):
        tv.accept(answer(tv, n2, 9))


def test_forged_snapshot_is_rejected(tv):
    n = tv.challenge()
    data = bytearray(snapshot(tv.key, seq=3, nonce=n))
    data[64 + 8] ^= 0x01  # the first domain's cycles
    with pytest.raises(ledger.SnapshotRejected, match="MAC"):
        tv.accept(data.hex())


def test_foreign_snapshot_is_rejected(tv):
    """Another run's ledger (another key), even with our nonce."""
    n = tv.challenge()
    with pytest.raises(ledger.SnapshotRejected, match="MAC"):
        tv.accept(snapshot(bytes(32), seq=3, nonce=n).hex())


def test_unsolicited_snapshot_is_rejected(tv):
    with pytest.raises(ledger.SnapshotRejected, match="no challenge"):
        tv.accept(answer(tv, 5, 3))


def test_a_ledger_that_goes_backwards_is_rejected(tv):
    n1 = tv.challenge()
    tv.accept(answer(tv, n1, 3, domains=((1, 5000, 40, 2),)))
    n2 = tv.challenge()
    with pytest.raises(ledger.SnapshotRejected, match="cycles went back"):
        tv.accept(answer(tv, n2, 4, domains=((1, 4000, 41, 2),)))
    n3 = tv.challenge()
    with pytest.raises(ledger.SnapshotRejected, match="vanished"):
        tv.accept(answer(tv, n3, 5, domains=((2, 10, 1, 0),)))


def test_late_snapshot_is_rejected(tv, clock):
    n = tv.challenge("end")
    clock.now += 61
    with pytest.raises(ledger.SnapshotRejected, match="within 60 s"):
        tv.accept(answer(tv, n, 3))


def test_missing_snapshot_is_reported_at_the_deadline(tv, clock):
    tv.challenge("end")
    tv.check_deadline()  # in time: nothing to say
    clock.now += 61
    with pytest.raises(ledger.SnapshotRejected, match="'end'"):
        tv.check_deadline()


def test_a_tsc_written_forward_is_rejected(clock):
    """Xen writes the TSC 5 s forward: the next domain's account grows
    by 5 s and the ledger stays consistent with itself, but it has run
    ahead of the verifier's clock."""
    tv = verifier.TenantVerifier(deadline=60, clock=clock, tsc_hz=1e9)
    tsc = 5005
    tv.accept(answer(tv, tv.challenge(), 3, tsc_now=tsc))
    clock.now += 10  # 10 s on both clocks: accepted
    tsc += 10 * 10**9
    tv.accept(answer(tv, tv.challenge(), 4, tsc_now=tsc))
    assert tv.clock_bounds == [{"ledger_s": 10.0, "verifier_s": 10.0}]
    n = tv.challenge()
    clock.now += 1
    with pytest.raises(ledger.SnapshotRejected, match="jumped forward"):
        tv.accept(answer(tv, n, 5, tsc_now=tsc + 6 * 10**9))


def test_the_clock_bound_allows_the_rates_uncertainty(clock):
    tv = verifier.TenantVerifier(deadline=60, clock=clock, tsc_hz=1e9)
    tv.accept(answer(tv, tv.challenge(), 3, tsc_now=0))
    n = tv.challenge()
    clock.now += 50
    # 1 s more than 50 s: within 2 % plus 0.25 s.
    usage = tv.accept(answer(tv, n, 4, tsc_now=51 * 10**9))
    assert usage["seq"] == 4


def test_nonces_are_never_repeated():
    tv = verifier.TenantVerifier()
    nonces = [tv.challenge() for _ in range(1000)]
    assert len(set(nonces)) == 1000 and all(n > 0 for n in nonces)


def usage_of(**kw) -> dict:
    tv = verifier.TenantVerifier()
    return tv_accept(tv, **kw)


def tv_accept(tv, **kw) -> dict:
    return tv.accept(snapshot(tv.key, seq=3, nonce=tv.challenge(), **kw).hex())


def test_a_sound_ledger_has_no_problems():
    # tsc_start 5, tsc_now 5005, unknown 3 (scotch_snapshots.snapshot)
    assert ledger.ledger_problems(usage_of()) == []


def test_a_wrapped_interval_makes_the_ledger_unfit():
    """A TSC written backwards between two SMIs charges a domain about
    2**64 cycles: more than the whole span."""
    usage = usage_of(domains=((1, 2**64 - 100, 10, 0),))
    (problem,) = ledger.ledger_problems(usage)
    assert "more than the ledger's span" in problem


def test_a_caller_that_waited_out_the_deadline_gets_the_reason(tv):
    tv.challenge("end")
    with pytest.raises(ledger.SnapshotRejected, match="within 60 s"):
        tv.check_deadline(waited=True)
    assert tv.outstanding is None


# -- nonces drawn ahead (gem5: handed over with a restored run's
# parameters, answered in order)


def test_challenges_drawn_ahead_are_answered_in_order(tv):
    n1 = tv.challenge_ahead("start")
    n2 = tv.challenge_ahead("end")
    assert n1 != n2
    assert tv.accept_ahead("start", answer(tv, n1, 3))["seq"] == 3
    assert tv.accept_ahead("end", answer(tv, n2, 9))["seq"] == 9
    assert tv.ahead == []


def test_an_answer_ahead_out_of_order_is_rejected(tv):
    tv.challenge_ahead("start")
    n2 = tv.challenge_ahead("end")
    with pytest.raises(ledger.SnapshotRejected, match="reordered"):
        tv.accept_ahead("end", answer(tv, n2, 9))


def test_the_end_nonce_cannot_answer_the_start(tv):
    """dom0 sees both nonces at once: a snapshot taken for the end's
    nonce and relayed as the start's is refused by its nonce."""
    tv.challenge_ahead("start")
    n2 = tv.challenge_ahead("end")
    with pytest.raises(ledger.SnapshotRejected, match="nonce"):
        tv.accept_ahead("start", answer(tv, n2, 3))


def test_a_replay_ahead_is_rejected(tv):
    n1 = tv.challenge_ahead("start")
    tv.challenge_ahead("end")
    first = answer(tv, n1, 3)
    tv.accept_ahead("start", first)
    with pytest.raises(ledger.SnapshotRejected, match="nonce"):
        tv.accept_ahead("end", first)
    with pytest.raises(ledger.SnapshotRejected, match="no challenge"):
        tv.accept_ahead("end", first)


def test_the_gem5_clock_bound_is_the_restored_runs_simulated_time(
    clock, tmp_path
):
    """On gem5 the nonces go in ahead; the bound is the simulated time
    from the restored checkpoint to the exit one, at the CPU's clock."""
    from scotch_plugin.platforms import scotch_gem5

    for name, tick in (("boot", 7 * 10**12), ("exit", 9 * 10**12)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "m5.cpt").write_text(
            f"## checkpoint\n[Globals]\ncurTick={tick}\n"
        )
    ticks = scotch_gem5.checkpoint_tick(
        tmp_path / "exit"
    ) - scotch_gem5.checkpoint_tick(tmp_path / "boot")
    hz = scotch_gem5.clock_hz(["--memory", "512MiB", "--clock", "1GHz"])
    assert (ticks, hz) == (2 * 10**12, 1e9)
    tv = verifier.TenantVerifier(deadline=60, clock=clock)
    tv.accept(answer(tv, tv.challenge(), 3, tsc_now=10**9))
    tv.accept(answer(tv, tv.challenge(), 4, tsc_now=3 * 10**9))
    scotch_gem5.check_clock(tv, ticks, hz)  # 2 s in 2 s
    assert tv.clock_bounds == [{"ledger_s": 2.0, "verifier_s": 2.0}]
    tv.accept(answer(tv, tv.challenge(), 5, tsc_now=5 * 10**9))
    with pytest.raises(ledger.SnapshotRejected, match="jumped forward"):
        scotch_gem5.check_clock(tv, ticks, hz)  # 4 s in 2 s
    with pytest.raises(ScotchError, match="not a frequency"):
        scotch_gem5.clock_hz(["--clock", "fast"])
