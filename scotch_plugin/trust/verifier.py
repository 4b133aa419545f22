"""The tenant's verifier: the one tenant-side party that holds the MAC key
on a machine without an enclave (QEMU), and the owner of freshness.

It draws the run's key (and gives it to the machine's firmware only
through :mod:`scotch_plugin.trust.keys`'s key block), draws every nonce,
and accepts a snapshot only if ``scotch-reader verify`` (MAC, nonce,
sequence, layout) passes with the nonce of the one challenge outstanding,
the sequence number is above the last one it accepted, the ledger has
not gone backwards since that one, and the answer came before the
deadline, and, given the machine's TSC rate, the ledger has not
advanced faster than the verifier's own clock since any snapshot it
accepted (a TSC written forward). Anything else raises
:class:`SnapshotRejected` with the reason: a replayed, stale, reordered,
forged, foreign, late or fast-running snapshot, or none.
The checks of one snapshot, and of two in order, are
:mod:`scotch_plugin.ledger`'s.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from scotch_plugin.ledger import (
    SnapshotRejected,
    ahead_of_clock,
    backwards,
    verify_snapshot,
)


@dataclass
class Challenge:
    label: str
    nonce: int
    issued: float


@dataclass
class TenantVerifier:
    """One run's verifier: a fresh key, one challenge at a time."""

    #: Seconds (host time) a challenge may go unanswered.
    deadline: float = 120.0
    key: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    clock: Callable[[], float] = time.monotonic
    last_seq: int = 0
    accepted: list[dict[str, object]] = field(default_factory=list)
    outstanding: Challenge | None = None
    #: Every nonce ever drawn: none is drawn twice.
    drawn: set[int] = field(default_factory=set)
    #: The machine's TSC rate as the tenant knows it (QEMU: the host's,
    #: ``scotch-reader tsc-hz``); None: no clock bound (gem5, whose
    #: nonces go in ahead and whose time is simulated: see
    #: :func:`scotch_plugin.ledger.ahead_of_clock`).
    tsc_hz: float | None = None
    #: When each accepted snapshot's challenge was issued.
    issued: list[float] = field(default_factory=list)
    #: The clock bound between each two accepted snapshots in a row:
    #: the ledger's advance and the verifier's time, in seconds.
    clock_bounds: list[dict[str, float]] = field(default_factory=list)

    #: Challenges drawn before the machine runs, in the order it must
    #: answer them (gem5: the nonces go in with a restored run's
    #: parameters, as there is no console to type them into).
    ahead: list[Challenge] = field(default_factory=list)

    def _draw(self) -> int:
        while True:
            nonce = secrets.randbits(63) + 1
            if nonce not in self.drawn:
                break
        self.drawn.add(nonce)
        return nonce

    def challenge(self, label: str = "export") -> int:
        """A new nonce; it supersedes any challenge still unanswered."""
        nonce = self._draw()
        self.outstanding = Challenge(label, nonce, self.clock())
        return nonce

    def challenge_ahead(self, label: str) -> int:
        """A new nonce for the challenge ``label``, to be answered after
        every challenge drawn ahead before it."""
        nonce = self._draw()
        self.ahead.append(Challenge(label, nonce, self.clock()))
        return nonce

    def accept_ahead(self, label: str, hexdata: str) -> dict[str, object]:
        """Verify a snapshot dom0 relayed for challenge ``label``: it must
        be the next challenge drawn ahead, and answer its nonce. (The
        deadline is the run's: the simulation is bounded.)"""
        if not self.ahead:
            raise SnapshotRejected(
                f"a snapshot for {label!r} arrived with no challenge "
                "outstanding (replayed or unsolicited)"
            )
        c = self.ahead.pop(0)
        if c.label != label:
            raise SnapshotRejected(
                f"dom0 relayed a snapshot for {label!r} where the next "
                f"challenge is {c.label!r} (reordered)"
            )
        self.outstanding = Challenge(c.label, c.nonce, self.clock())
        return self.accept(hexdata)

    def check_deadline(self, waited: bool = False) -> None:
        """A :class:`SnapshotRejected` if the outstanding challenge is past
        its deadline (the snapshot was dropped or held back); ``waited``:
        the caller waited the whole deadline and saw nothing."""
        c = self.outstanding
        if c is not None and (
            waited or self.clock() - c.issued > self.deadline
        ):
            self.outstanding = None
            raise SnapshotRejected(
                f"no snapshot answered challenge {c.label!r} within "
                f"{self.deadline:g} s (dropped or delayed)"
            )

    def record_bound(
        self, cycles: int, elapsed_s: float, tsc_hz: float
    ) -> None:
        """Keep one checked clock bound for the run's record."""
        self.clock_bounds.append(
            {
                "ledger_s": round(cycles / tsc_hz, 6),
                "verifier_s": round(elapsed_s, 6),
            }
        )

    def accept(self, hexdata: str) -> dict[str, object]:
        """Verify the answer to the outstanding challenge; its usage."""
        c = self.outstanding
        if c is None:
            raise SnapshotRejected(
                "a snapshot arrived with no challenge outstanding "
                "(replayed or unsolicited)"
            )
        self.check_deadline()
        # One answer per challenge, good or bad.
        self.outstanding = None
        usage = verify_snapshot(self.key, c.nonce, hexdata, self.last_seq)
        if self.accepted:
            why = backwards(self.accepted[-1], usage)
            if why:
                raise SnapshotRejected(
                    f"the ledger snapshot was rejected: {why}"
                )
        if self.tsc_hz:
            # The TSC read of an earlier snapshot came after its
            # challenge, this one's before now.
            now = self.clock()
            for old, issued in zip(self.accepted, self.issued, strict=True):
                why = ahead_of_clock(
                    int(usage["tsc_now"]) - int(old["tsc_now"]),  # type: ignore[call-overload]
                    now - issued,
                    self.tsc_hz,
                )
                if why:
                    raise SnapshotRejected(
                        f"the ledger snapshot was rejected: {why}"
                    )
            if self.accepted:
                self.record_bound(
                    int(usage["tsc_now"]) - int(self.accepted[-1]["tsc_now"]),  # type: ignore[call-overload]
                    now - self.issued[-1],
                    self.tsc_hz,
                )
        self.issued.append(c.issued)
        self.last_seq = int(usage["seq"])  # type: ignore[call-overload]
        self.accepted.append(usage)
        return usage
