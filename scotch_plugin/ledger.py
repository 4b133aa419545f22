"""Scotch's ledger as the host sees it: one snapshot checked by
``scotch-reader verify`` (MAC, nonce, sequence, layout), two snapshots of
one ledger in order, and what makes an accepted ledger unfit for a
result. Freshness (the key, the nonces, the deadline) is the tenant's
verifier's (:mod:`scotch_plugin.trust.verifier`).

The key reaches ``scotch-reader`` through a pipe (``--key-file
/dev/fd/N``), never a command line.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from scotch_plugin import project
from scotch_plugin.errors import ScotchError

KEY_BYTES = 32


class SnapshotRejected(ScotchError):
    """The verifier refused a snapshot (or found none): the reason."""


def reader_binary() -> Path:
    return project.build_dir() / "workloads" / "scotch" / "scotch-reader"


def host_tsc_hz() -> float:
    """This host's TSC rate (``scotch-reader tsc-hz``): QEMU's TCG gives
    its guests the host's TSC, so it is the rate of a QEMU run's ledger."""
    proc = subprocess.run(
        [str(reader_binary()), "tsc-hz"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    if proc.returncode != 0:
        raise ScotchError(
            f"{reader_binary()} tsc-hz failed: {proc.stderr.strip()}"
        )
    return float(proc.stdout)


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


def backwards(old: dict[str, object], new: dict[str, object]) -> str:
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


#: The verifier's clock bound: the ledger may advance at most this much
#: faster than the verifier's clock (the TSC rate's uncertainty) ...
CLOCK_RATE_SLACK = 0.02
#: ... plus this many seconds.
CLOCK_GRACE_S = 0.25


def ahead_of_clock(
    cycles: int,
    elapsed_s: float,
    tsc_hz: float,
    rate_slack: float = CLOCK_RATE_SLACK,
    grace_s: float = CLOCK_GRACE_S,
) -> str:
    """Why a ledger that advanced ``cycles`` of TSC cannot have done so
    in ``elapsed_s`` seconds of the verifier's own clock, or ''. A TSC
    written forward (WRMSR) inflates whichever domain runs next, and
    the ledger stays consistent with itself; only a clock the hypervisor
    cannot write bounds it, by ``rate_slack`` of the interval plus
    ``grace_s``."""
    if tsc_hz <= 0 or elapsed_s < 0:
        raise ValueError(
            f"the clock bound needs a TSC rate above 0 Hz and a time of "
            f"at least 0 s, not {tsc_hz} Hz and {elapsed_s} s"
        )
    ledger_s = cycles / tsc_hz
    allowed = elapsed_s * (1 + rate_slack) + grace_s
    if ledger_s > allowed:
        return (
            f"the ledger advanced {ledger_s:.3f} s of TSC in "
            f"{elapsed_s:.3f} s of the verifier's clock (at most "
            f"{allowed:.3f} s allowed): the TSC jumped forward"
        )
    return ""


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
