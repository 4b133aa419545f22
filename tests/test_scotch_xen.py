"""Scotch on Xen on QEMU, end to end: the short RQ1 (severities 0 and
10). The patched Xen raises an SMI at every context switch, the SMM
handler keeps the ledger in locked SMRAM, dom0 relays a MAC'd snapshot,
the tenant's verifier (nonces of its own, sequence across exports)
checks it, and it is compared with xentrace's ground truth.

Slow (two boots of about 40 s each, plus about 2 min for a first build
of Scotch's Xen from Debian's source package): ``-m xen``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from scotch_plugin import ledger
from scotch_plugin.experiments import rq1
from scotch_plugin.experiments.load import load_experiment
from scotch_plugin.platforms import scotch_qemu, scotch_run
from scotch_plugin.trust import keys

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
def runs(experiment) -> list[scotch_run.ScotchRun]:
    done: list[scotch_run.ScotchRun] = []
    rq1.run_experiment(experiment, runs=done)
    return done


@pytest.fixture(scope="module")
def rows(experiment, runs):
    return {r.severity: r for r in rq1.read_rows(experiment.output)}


@pytest.fixture(scope="module")
def strongest(runs) -> scotch_run.ScotchRun:
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


def test_the_verifier_accepted_both_exports_in_sequence(strongest):
    """dom0 relayed a snapshot for each of the verifier's challenges (its
    own nonces), and the sequence numbers rose."""
    assert [label for label, _, _ in strongest.relayed] == ["start", "end"]
    nonces = [n for _, n, _ in strongest.relayed]
    assert [a["nonce"] for a in strongest.verifier.accepted] == nonces
    seqs = [int(a["seq"]) for a in strongest.verifier.accepted]
    assert seqs[0] < seqs[1] == strongest.verifier.last_seq
    assert strongest.ledger["lookup_failures"] == 0


def test_the_ledger_kept_to_the_verifiers_clock(experiment, strongest):
    """The verifier bounded the ledger's advance by its own clock at the
    host's TSC rate (QEMU's TCG gives the guest the host's TSC): the
    domUs' seconds of TSC fit in the seconds from the start's challenge
    to the end's answer, and the run's record keeps both."""
    assert strongest.verifier.tsc_hz
    (bound,) = strongest.verifier.clock_bounds
    assert 1 < bound["ledger_s"] <= bound["verifier_s"] * 1.02 + 0.25
    record = experiment.output / "runs" / "s10-r0.json"
    assert json.loads(record.read_text())["clock_bounds"] == [bound]


def test_one_changed_byte_is_rejected(strongest):
    """dom0 relays the snapshot: a malicious relay that changes the
    attacker's cycles by one bit is caught."""
    _, nonce, data = strongest.relayed[-1]
    raw = bytearray(bytes.fromhex(data))
    raw[64 + 8] ^= 0x01  # first domain entry's cycles
    with pytest.raises(ledger.SnapshotRejected, match="MAC"):
        ledger.verify_snapshot(strongest.key, nonce, raw.hex())


def test_replayed_and_stale_snapshots_are_rejected(strongest):
    (_, n0, start), (_, n1, end) = strongest.relayed
    seq = strongest.verifier.last_seq
    with pytest.raises(ledger.SnapshotRejected, match="sequence"):
        ledger.verify_snapshot(strongest.key, n1, end, last_seq=seq)
    # The start's snapshot offered as the answer to the end's challenge.
    with pytest.raises(ledger.SnapshotRejected, match="nonce"):
        ledger.verify_snapshot(strongest.key, n1, start)


def test_the_key_is_nowhere_but_smram_and_the_verifier(experiment, runs):
    """Each run dumped all of guest RAM outside SMRAM after dom0 powered
    off and found no form of the key (the run fails otherwise); no
    command line and no file in the results holds it."""
    for run in runs:
        assert run.ram_scanned == scotch_qemu.memory_mb(run.spec) << 20
        assert run.key.hex() not in " ".join(run.command)
        assert keys.find_key_in_tree(experiment.output, run.key) == {}


def test_smis_at_context_switches(strongest):
    """The patched Xen raised an SMI at every switch: the handler's
    switch counts match xentrace's switch counts per domain."""
    for d in strongest.domains.values():
        truth = strongest.trace.domain_switches.get(d.domid, 0)
        assert d.switches > 0
        assert abs(d.switches - truth) <= max(3, truth // 50), (d, truth)
