"""Scotch's boot shim on QEMU, with a stand-in for Xen (chain_probe.c):
the shim takes the MAC key from its key block, provisions the SMM
handler, locks SMRAM, wipes the key, and boots module 0 as a multiboot
loader would. The stand-in then checks what a hypervisor could see and
powers off; the host dumps all of RAM outside SMRAM and searches it for
the key in every form (scotch_plugin/trust/keys.py)."""

from __future__ import annotations

import re
import secrets
import tempfile
from pathlib import Path

import pytest

from scotch_plugin import ledger
from scotch_plugin.gem5 import run
from scotch_plugin.gem5.run import CPU_MODELS
from scotch_plugin.platforms import qemu
from scotch_plugin.trust import keys
from scotch_plugin.workload_build import scons

OFFSETS = "8000,108,0,d0,70,68,0,10,0"
BUILD = Path("build/workloads")
MEMORY_MB = 128


@pytest.fixture(scope="module")
def images() -> dict[str, Path]:
    scons("scotch")
    return {
        "shim": (BUILD / "qemu" / "scotch_shim.elf").resolve(),
        "probe": (BUILD / "qemu" / "scotch_chain_probe.elf").resolve(),
    }


def machine(images: dict[str, Path], shim_args: str, modules: str):
    cmd = [*qemu.q35(MEMORY_MB, cpu="max", smp=1),
           "-kernel", str(images["shim"]), "-append", shim_args]  # fmt: skip
    if modules:
        cmd += ["-initrd", modules]
    return cmd


def boot(
    images: dict[str, Path], shim_args: str, modules: str
) -> qemu.QemuResult:
    return qemu.run(machine(images, shim_args, modules), timeout=120)


class Booted:
    """The good boot: its console, its key and the hits of the RAM scan."""

    def __init__(self, images: dict[str, Path], key: bytes, tmp: Path):
        loader, option = keys.qemu_key_block(tmp, key, MEMORY_MB)
        cmd = machine(
            images,
            f"{option} scotch.off={OFFSETS}",
            f"{images['probe']} probe.nonce=4242,"
            f"{images['shim']} second-module",
        )
        with qemu.Session(cmd + loader, tmp, timeout=120) as session:
            done = session.expect(re.compile(r"^probe: done"))
            assert done, session.serial
            session.wait_stopped(30)
            dump = tmp / "ram.bin"
            session.dump_ram(dump, MEMORY_MB << 20)
            self.dump_bytes = dump.stat().st_size
            self.hits = keys.find_key_in_file(dump, key)
            # The control: the same scan finds a key that is there.
            self.control = keys.find_key_in_file(dump, dump.read_bytes()[
                0x100000 : 0x100000 + 32])  # fmt: skip
            dump.unlink()
            self.result = session.close()
        self.key = key


@pytest.fixture(scope="module")
def good(images):
    with tempfile.TemporaryDirectory() as tmp:
        yield Booted(images, secrets.token_bytes(32), Path(tmp))


def line(result: qemu.QemuResult, prefix: str) -> str:
    found = [x for x in result.serial.splitlines() if x.startswith(prefix)]
    assert found, result.serial
    return found[0]


def test_handler_answers_before_the_lock(good):
    assert "scotch-shim: handler answers: seq 1" in good.result.serial
    assert "MAC ok" in good.result.serial


def test_module_0_is_booted_like_a_multiboot_kernel(good, images):
    probe = line(good.result, "probe: magic=")
    assert "magic=0x2badb002 mods=1 " in probe
    assert f"cmdline={images['probe']} probe.nonce=" in probe


def test_smram_is_hidden_and_stays_locked(good):
    assert line(good.result, "probe: smram-visible") == (
        "probe: smram-visible=0 smram-opens=0"
    )


def test_key_is_nowhere_in_ram_outside_smram(good):
    """QEMU's dump of every byte of RAM the CPU sees outside SMM holds
    no form of the key: not the key block, not the handler image the
    shim built, not HMAC's pads on the shim's stack."""
    assert good.dump_bytes == MEMORY_MB << 20
    assert good.hits == [], [str(h) for h in good.hits]
    assert good.control, "the scan must find bytes that are in the dump"


def test_key_is_on_no_command_line(good):
    assert good.key.hex() not in " ".join(good.result.command)
    assert good.key.hex() not in good.result.serial


def test_snapshot_after_the_lock_verifies(good):
    _, nonce, data = line(good.result, "SCOTCH-SNAPSHOT ").split()
    assert nonce == "4242"
    usage = ledger.verify_snapshot(good.key, 4242, data, last_seq=1)
    # The shim's self-test took seq 1: a replay of it would be refused.
    assert usage["seq"] == 2
    with pytest.raises(ledger.SnapshotRejected, match="sequence"):
        ledger.verify_snapshot(good.key, 4242, data, last_seq=2)


GOOD_BLOCK = "scotch.keyblock=0x7000000"


@pytest.mark.parametrize(
    "shim_args, message",
    [
        (f"scotch.off={OFFSETS}", "no scotch.keyblock="),
        (f"scotch.keyblock=zz scotch.off={OFFSETS}",
         "scotch.keyblock: expected a hex address"),
        (f"scotch.keyblock=0x9000 scotch.off={OFFSETS}",
         "scotch.keyblock: not in usable RAM above 1 MiB"),
        (f"scotch.keyblock=0xf0000000 scotch.off={OFFSETS}",
         "scotch.keyblock: not in usable RAM above 1 MiB"),
        (f"{GOOD_BLOCK} scotch.off={OFFSETS}",
         "scotch.keyblock: no key block there"),
        (GOOD_BLOCK, "no scotch.off="),
        (f"{GOOD_BLOCK} scotch.off=1,2,3",
         "scotch.off: expected 9 comma-separated hex values"),
        (f"{GOOD_BLOCK} scotch.off=" + "3," * 8 + "3",
         "scotch.off: stack size is not a power of two"),
    ],
)  # fmt: skip
def test_bad_command_line_stops_with_a_clear_error(
    images, shim_args, message, tmp_path
):
    loader, _ = keys.qemu_key_block(tmp_path, bytes(32), MEMORY_MB)
    if "no key block" in message:
        loader = []
    cmd = machine(images, shim_args, f"{images['probe']}") + loader
    result = qemu.run(cmd, timeout=120)
    assert result.guest_code == 3
    assert f"scotch-shim: error: {message}" in result.serial


def test_a_damaged_key_block_is_refused(images, tmp_path):
    loader, option = keys.qemu_key_block(tmp_path, bytes(32), MEMORY_MB)
    block = tmp_path / "scotch-key.bin"
    data = bytearray(block.read_bytes())
    data[8] ^= 1  # one bit of the key: the digest no longer matches
    block.write_bytes(bytes(data))
    cmd = machine(images, f"{option} scotch.off={OFFSETS}", "") + loader
    result = qemu.run(cmd + ["-initrd", str(images["probe"])], timeout=120)
    assert result.guest_code == 3
    assert "the key's digest does not match" in result.serial


def test_no_module_is_an_error(images, tmp_path):
    loader, option = keys.qemu_key_block(tmp_path, bytes(32), MEMORY_MB)
    result = qemu.run(
        machine(images, f"{option} scotch.off={OFFSETS}", "") + loader,
        timeout=120,
    )
    assert result.guest_code == 3
    assert "need a command line and Xen as module 0" in result.serial


# -- gem5: the same shim and stand-in, the key block placed by the board,
# and RAM searched in the simulator's own copy (the stand-in's last act is
# an m5 checkpoint; a checkpoint after m5 exit never drains on Minor).

GEM5_MEMORY = 512 << 20


@pytest.fixture(scope="module", params=CPU_MODELS)
def on_gem5(request, gem5_binary, tmp_path_factory):
    cpu = request.param
    tmp = tmp_path_factory.mktemp(f"shim-{cpu}")
    key = secrets.token_bytes(32)
    addr = keys.key_block_address(GEM5_MEMORY >> 20)
    block = tmp / "keyblock.bin"
    block.write_bytes(keys.key_block(key))
    gem5_images = {
        name: (BUILD / "gem5" / f"scotch_{name}.elf").resolve()
        for name in ("shim", "chain_probe")
    }
    result = run.run_baremetal(
        gem5_binary,
        gem5_images["shim"],
        tmp / "out",
        cpu=cpu,
        extra=[
            "--memory", "512MiB",
            "--cmdline", f"scotch.keyblock={addr:#x} scotch.off={OFFSETS}",
            "--module", f"{gem5_images['chain_probe']} probe.nonce=4242",
            "--load", f"{block}@{addr:#x}",
        ],
    )  # fmt: skip
    block.unlink()
    ram = tmp / "ram.bin"
    # The stand-in's m5 checkpoint, right before its m5 exit.
    (cpt,) = (tmp / "out").glob("cpt.*")
    keys.gem5_checkpoint_ram(cpt, ram)
    scan = keys.scan_ram(ram, key)
    ram.unlink()
    return key, result, scan


def test_gem5_shim_relocates_smbase_and_hides_smram(on_gem5):
    _, result, _ = on_gem5
    assert "scotch-shim: on gem5, SMBASE 0x30000" in result.serial
    assert "scotch-shim: handler answers: seq 1" in result.serial
    assert "probe: smram-visible=0 smram-opens=0" in result.serial
    assert "probe: at 0xa8000 ffffffff, at 0xb0000 ffffffff" in result.serial


def test_gem5_snapshot_after_the_lock_verifies(on_gem5):
    key, result, _ = on_gem5
    (snap,) = [
        x for x in result.serial.splitlines() if x.startswith("SCOTCH-SNAP")
    ]
    _, nonce, data = snap.split()
    assert ledger.verify_snapshot(key, 4242, data, 1)["seq"] == 2


def test_gem5_key_is_in_smram_only(on_gem5):
    """The simulator's own copy of RAM (the exit checkpoint): every byte
    outside SMRAM is free of the key; inside, the handler's copy is
    where the shim put it (the scan does see a key that is there)."""
    _, _, scan = on_gem5
    assert scan.scanned == GEM5_MEMORY
    assert scan.outside == [], [str(h) for h in scan.outside]
    config_key = 0xA8000 + 0x10 + 8  # SCOTCH_CONFIG_OFFSET, then magic
    assert ("key[0:8]", config_key) in {
        (h.form, h.offset) for h in scan.inside
    }
