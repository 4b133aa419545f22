"""RQ4 on QEMU: a compromised dom0 or Xen, played for real in a Scotch
run, and what stops it. Each scenario boots Xen with Scotch (about a
minute) and must end in the verifier's rejection or an invalid run,
naming the cause; nothing reaches a results table. ``-m xen``."""

from __future__ import annotations

import pytest

from scotch_plugin.errors import ScotchError
from scotch_plugin.platforms import scotch_qemu, scotch_run

pytestmark = pytest.mark.xen


@pytest.fixture(scope="module")
def built():
    return scotch_qemu.prepare()


def spec(**kw) -> scotch_run.RunSpec:
    return scotch_run.RunSpec(
        domains=(
            scotch_run.DomainSpec("attacker", "pi"),
            scotch_run.DomainSpec("victim", "gzip"),
        ),
        seconds=1,
        window=1,
        attacker_domid=1,
        **kw,
    )


@pytest.mark.parametrize(
    "attack, reason",
    [
        # dom0 changes one bit of the attacker's cycles on the way.
        ("forge", "MAC does not verify"),
        # dom0 relays the start's (genuine) snapshot as the end's.
        ("replay", "nonce is not ours"),
        # dom0 asks the handler with the start's nonce: a fresh ledger
        # under a stale challenge.
        ("stale", "nonce is not ours"),
        # dom0 relays nothing: the deadline passes, or dom0 goes on to
        # its report first, whichever comes first.
        ("drop", "answered challenge 'end'"),
        # dom0 holds the snapshot past the verifier's deadline.
        ("delay", "within 5 s"),
    ],
)
def test_a_compromised_relay_is_detected(built, tmp_path, attack, reason):
    images, xen = built
    with pytest.raises(ScotchError, match=reason):
        scotch_qemu.run(
            spec(dom0_attack=attack, export_deadline=5),
            images,
            xen,
            log=tmp_path / "console.log",
        )
    assert "SCOTCH-CHALLENGE end" in (tmp_path / "console.log").read_text()


def test_a_suppressed_software_smi_makes_the_run_invalid(built, tmp_path):
    """A Xen that never raises the SMI: the domUs have no account in the
    ledger, and the run says so instead of printing a ratio."""
    images, xen = built
    with pytest.raises(ScotchError, match="is not in Scotch's ledger"):
        scotch_qemu.run(spec(software_smi=False), images, xen,
                        log=tmp_path / "console.log")  # fmt: skip


def test_an_unknown_attack_is_refused_before_booting(built):
    images, xen = built
    with pytest.raises(ScotchError, match="dom0_attack: 'bogus'"):
        scotch_qemu.run(spec(dom0_attack="bogus"), images, xen)


def test_a_selectively_skipped_smi_goes_undetected_on_qemu(built, tmp_path):
    """Xen leaves out half the switch SMIs as the attacker's vCPU leaves
    (``scotch-skip=50``): the handler charges that stretch to whichever
    domain is current at the next SMI. Every check the tenant has on
    QEMU passes, and Scotch charges the attacker about half its time.
    This is the open row of the README's RQ4 table: the software trigger
    is Xen's own code (gem5's CR3 trigger takes it out of Xen's hands)."""
    images, xen = built
    run = scotch_qemu.run(spec(skip_switch_smis=50), images, xen,
                          log=tmp_path / "console.log")  # fmt: skip
    attacker, victim = run.domains["attacker"], run.domains["victim"]
    share = attacker.scotch_cycles / attacker.truth_cycles
    print(
        f"scotch-skip=50: Scotch/truth attacker {share:.3f}, victim "
        f"{victim.scotch_cycles / victim.truth_cycles:.3f}"
    )
    assert share < 0.75, (attacker, victim)
    # Some of the attacker's time went to the victim's account.
    assert victim.scotch_cycles > victim.truth_cycles, (attacker, victim)
    # Switches counted: about half of the attacker's went unseen.
    assert run.trace is not None
    seen = run.trace.domain_switches[attacker.domid]
    assert attacker.switches < 0.75 * seen, (attacker, seen)
