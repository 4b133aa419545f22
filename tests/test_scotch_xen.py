"""Scotch on Xen on QEMU, end to end: the short RQ1 (severities 0 and
10). The patched Xen raises an SMI at every context switch, the SMM
handler keeps the ledger in locked SMRAM, dom0 relays a MAC'd snapshot,
and the host-side reader checks it against xentrace's ground truth.

Slow (two boots of about 40 s each, plus about 2 min for a first build
of Scotch's Xen from Debian's source package): ``-m xen``.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from scotch_plugin import rq1, scotch_qemu
from scotch_plugin.experiment import load_experiment

pytestmark = pytest.mark.xen

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def experiment(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("rq1")
    text = (ROOT / "experiments" / "rq1-short.yaml").read_text()
    text = re.sub(r"(?m)^output: .*$", f"output: {tmp / 'out'}", text)
    (tmp / "rq1-short.yaml").write_text(text)
    return load_experiment(tmp / "rq1-short.yaml")


@pytest.fixture(scope="module")
def runs(experiment) -> list[scotch_qemu.ScotchRun]:
    done: list[scotch_qemu.ScotchRun] = []
    rq1.run_experiment(experiment, runs=done)
    return done


@pytest.fixture(scope="module")
def rows(experiment, runs):
    return {r.severity: r for r in rq1.read_rows(experiment.output)}


@pytest.fixture(scope="module")
def strongest(runs) -> scotch_qemu.ScotchRun:
    return [r for r in runs if r.spec.severity == 10][0]


def test_scotch_matches_ground_truth(rows):
    assert sorted(rows) == [0, 10]
    for row in rows.values():
        assert abs(row.scotch - row.truth) <= 0.03, row


def test_ratio_grows_with_severity(rows):
    assert rows[10].truth > rows[0].truth + 0.1
    assert rows[10].scotch > rows[0].scotch + 0.1


def test_every_view_saw_both_domains(rows):
    for row in rows.values():
        for view in ("scotch", "xen", "truth"):
            assert getattr(row, f"{view}_attacker") > 0
            assert getattr(row, f"{view}_victim") > 0


def test_results_are_written(experiment, rows):
    out = experiment.output
    assert (out / "results.csv").read_text().count("\n") == 3
    assert (out / "rq1.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (out / "runs" / "s00-r0.json").is_file()
    assert "SCOTCH-SNAPSHOT" in (out / "runs" / "s10-r0.log").read_text()


def _verify(data: str, nonce: int, key: bytes, last: int = 0):
    return subprocess.run(
        [str(scotch_qemu.reader_binary()), "verify", "--key", key.hex(),
         "--nonce", str(nonce), "--last-seq", str(last)],
        input=data, capture_output=True, text=True, timeout=30,
    )  # fmt: skip


def test_relayed_snapshot_verifies(strongest):
    nonce, data = strongest.relayed
    proc = _verify(data, nonce, strongest.key)
    assert proc.returncode == 0, proc.stderr
    assert strongest.ledger["lookup_failures"] == 0


def test_one_changed_byte_is_rejected(strongest):
    """dom0 relays the snapshot: a malicious relay that changes the
    attacker's cycles by one bit is caught."""
    nonce, data = strongest.relayed
    raw = bytearray(bytes.fromhex(data))
    raw[64 + 8] ^= 0x01  # first domain entry's cycles
    proc = _verify(raw.hex(), nonce, strongest.key)
    assert proc.returncode == 1 and "MAC does not verify" in proc.stderr


def test_replayed_snapshot_is_rejected(strongest):
    nonce, data = strongest.relayed
    seq = int(strongest.ledger["seq"])  # type: ignore[arg-type]
    proc = _verify(data, nonce, strongest.key, last=seq)
    assert proc.returncode == 1 and "sequence" in proc.stderr
    # An old snapshot offered as the answer to a new request.
    proc = _verify(data, nonce + 1, strongest.key)
    assert proc.returncode == 1 and "nonce" in proc.stderr


def test_smis_at_context_switches(strongest):
    """The patched Xen raised an SMI at every switch: the handler's
    switch counts match xentrace's switch counts per domain."""
    for d in strongest.domains.values():
        truth = strongest.trace.domain_switches.get(d.domid, 0)
        assert d.switches > 0
        assert abs(d.switches - truth) <= max(3, truth // 50), (d, truth)


def test_tenants_verified_their_own_snapshot(strongest):
    """Each domU's reader asked the handler itself (through port 0xB2,
    which Xen emulates for it) and printed usage only after the MAC,
    nonce and sequence checked out; the handler named it as requester."""
    for d in strongest.domains.values():
        usage = d.tenant_usage
        assert usage is not None, d
        assert usage["requester"] == d.domid
        assert int(usage["seq"]) < int(strongest.ledger["seq"])
