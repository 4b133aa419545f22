"""The tenant's verifier: the one tenant-side party that holds the MAC key
on a machine without an enclave (QEMU), and the owner of freshness.

It draws the run's key (and gives it to the machine's firmware only
through :mod:`scotch_plugin.keys`'s key block), draws every nonce,
and accepts a snapshot only if ``scotch-reader verify`` (MAC, nonce,
sequence, layout) passes with the nonce of the one challenge outstanding,
the sequence number is above the last one it accepted, the ledger has
not gone backwards since that one, and the answer came before the
deadline. Anything else raises :class:`SnapshotRejected` with the reason:
a replayed, stale, reordered, forged, foreign or late snapshot, or none.

The key reaches ``scotch-reader`` through a pipe (``--key-file
/dev/fd/N``), never a command line.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from scotch_plugin import project
from scotch_plugin.errors import ScotchError

KEY_BYTES = 32


class SnapshotRejected(ScotchError):
    """The verifier refused a snapshot (or found none): the reason."""


def reader_binary() -> Path:
    return project.build_dir() / "workloads" / "scotch" / "scotch-reader"


def verify_snapshot(
    key: bytes, nonce: int, hexdata: str, last_seq: int = 0
) -> dict[str, object]:
    """``scotch-reader verify`` on one snapshot: its JSON on success, a
    :class:`SnapshotRejected` with the reader's reason otherwise."""
    if len(key) != KEY_BYTES:
        raise ValueError(f"a key is {KEY_BYTES} bytes, not {len(key)}")
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, key.hex().encode() + b"\n")
    finally:
        os.close(write_end)
    try:
        proc = subprocess.run(
            [
                str(reader_binary()), "verify",
                "--key-file", f"/dev/fd/{read_end}",
                "--nonce", str(nonce),
                "--last-seq", str(last_seq),
            ],  # fmt: skip
            input=hexdata,
            capture_output=True,
            text=True,
            timeout=60,
            pass_fds=(read_end,),
        )
    finally:
        os.close(read_end)
    if proc.returncode != 0:
        raise SnapshotRejected(
            f"the ledger snapshot was rejected: {proc.stderr.strip()}"
        )
    return dict(json.loads(proc.stdout))


@dataclass
class Challenge:
    label: str
    nonce: int
    issued: float


def _backwards(old: dict[str, object], new: dict[str, object]) -> str:
    """Why ``new`` cannot follow ``old`` from one ledger, or ''."""
    if new["tsc_start"] != old["tsc_start"]:
        return "the ledger's start changed (another boot's ledger)"
    for name in ("tsc_now", "smis", "unknown_cycles"):
        if int(new[name]) < int(old[name]):  # type: ignore[call-overload]
            return f"{name} went backwards ({old[name]} -> {new[name]})"
    before = {d["domid"]: d for d in old["domains"]}  # type: ignore[attr-defined]
    for d in new["domains"]:  # type: ignore[attr-defined]
        prev = before.get(d["domid"])
        if prev is None:
            continue
        for name in ("cycles", "switches", "irqs"):
            if d[name] < prev[name]:
                return (
                    f"domain {d['domid']}: {name} went backwards "
                    f"({prev[name]} -> {d[name]})"
                )
    missing = set(before) - {d["domid"] for d in new["domains"]}  # type: ignore[attr-defined]
    if missing:
        return f"domains {sorted(missing)} vanished from the ledger"
    return ""


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

    def challenge(self, label: str = "export") -> int:
        """A new nonce; it supersedes any challenge still unanswered."""
        while True:
            nonce = secrets.randbits(63) + 1
            if nonce not in self.drawn:
                break
        self.drawn.add(nonce)
        self.outstanding = Challenge(label, nonce, self.clock())
        return nonce

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
            why = _backwards(self.accepted[-1], usage)
            if why:
                raise SnapshotRejected(
                    f"the ledger snapshot was rejected: {why}"
                )
        self.last_seq = int(usage["seq"])  # type: ignore[call-overload]
        self.accepted.append(usage)
        return usage


#: At most this share of the ledger's span may go to no domain (the
#: boot before Xen's first switch is most of it).
MAX_UNKNOWN_SHARE = 0.5


def ledger_problems(ledger: dict[str, object]) -> list[str]:
    """What makes an accepted ledger unfit for a result: failed lookups
    (time charged to nobody because Xen's state could not be read) or
    most of the span charged to no domain."""
    problems = []
    failures = int(ledger["lookup_failures"])  # type: ignore[call-overload]
    if failures:
        problems.append(f"the ledger has {failures} failed lookups")
    span = int(ledger["tsc_now"]) - int(ledger["tsc_start"])  # type: ignore[call-overload]
    unknown = int(ledger["unknown_cycles"])  # type: ignore[call-overload]
    if span <= 0:
        return [
            *problems,
            f"the ledger's span is {span} cycles (the TSC went backwards?)",
        ]
    if unknown > MAX_UNKNOWN_SHARE * span:
        problems.append(
            f"{unknown} of the ledger's {span} cycles are charged to no "
            f"domain (more than {MAX_UNKNOWN_SHARE:.0%})"
        )
    for d in ledger["domains"]:  # type: ignore[attr-defined]
        if int(d["cycles"]) > span:
            # A TSC written backwards makes one interval wrap around.
            problems.append(
                f"domain {d['domid']} has {d['cycles']} cycles, more than "
                f"the ledger's span of {span} (the TSC went backwards?)"
            )
    return problems
