"""Scotch's boot shim on QEMU, with a stand-in for Xen (chain_probe.c):
the shim provisions the SMM handler, locks SMRAM, wipes the key, and
boots module 0 as a multiboot loader would. The stand-in then checks
what a hypervisor could see."""

from __future__ import annotations

import secrets
import subprocess
from pathlib import Path

import pytest

from scotch_plugin import qemu
from scotch_plugin.workload_build import scons

OFFSETS = "8000,108,0,d0,70,68,0,10,0"
BUILD = Path("build/workloads")


@pytest.fixture(scope="module")
def images() -> dict[str, Path]:
    scons("scotch")
    return {
        "shim": (BUILD / "qemu" / "scotch_shim.elf").resolve(),
        "probe": (BUILD / "qemu" / "scotch_chain_probe.elf").resolve(),
        "reader": (BUILD / "scotch" / "scotch-reader").resolve(),
    }


def boot(
    images: dict[str, Path], shim_args: str, modules: str
) -> qemu.QemuResult:
    cmd = [
        qemu.qemu_binary(), "-machine", "q35,smm=on", "-accel", "tcg",
        "-cpu", "max", "-smp", "1", "-m", "128", "-display", "none",
        "-no-reboot", "-serial", "stdio", "-monitor", "none",
        "-device",
        f"isa-debug-exit,iobase={qemu.DEBUG_EXIT_PORT:#x},iosize=0x04",
        "-kernel", str(images["shim"]), "-append", shim_args,
    ]  # fmt: skip
    if modules:
        cmd += ["-initrd", modules]
    return qemu.run(cmd, timeout=120)


@pytest.fixture(scope="module")
def good(images):
    key = secrets.token_bytes(32)
    rkey = key.hex()[:16][::-1]
    result = boot(
        images,
        f"scotch.key={key.hex()} scotch.off={OFFSETS}",
        f"{images['probe']} probe.rkey={rkey} probe.nonce=4242,"
        f"{images['shim']} second-module",
    )
    return key, result


def line(result: qemu.QemuResult, prefix: str) -> str:
    found = [x for x in result.serial.splitlines() if x.startswith(prefix)]
    assert found, result.serial
    return found[0]


def test_handler_answers_before_the_lock(good):
    _, result = good
    assert "scotch-shim: handler answers: seq 1" in result.serial
    assert "MAC ok" in result.serial


def test_module_0_is_booted_like_a_multiboot_kernel(good, images):
    _, result = good
    assert result.guest_code == 0
    probe = line(result, "probe: magic=")
    assert "magic=0x2badb002 mods=1 " in probe
    assert f"cmdline={images['probe']} probe.rkey=" in probe


def test_smram_is_hidden_and_stays_locked(good):
    _, result = good
    assert line(result, "probe: smram-visible") == (
        "probe: smram-visible=0 smram-opens=0"
    )


def test_key_is_nowhere_in_ram(good):
    _, result = good
    assert line(result, "probe: key-hits=").startswith("probe: key-hits=0 ")


def test_snapshot_after_the_lock_verifies(good, images):
    key, result = good
    _, nonce, data = line(result, "SCOTCH-SNAPSHOT ").split()
    assert nonce == "4242"
    ok = subprocess.run(
        [str(images["reader"]), "verify", "--key", key.hex(), "--nonce",
         "4242", "--last-seq", "1"],
        input=data, capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    # The shim's self-test took seq 1: a replay of it would be refused.
    assert '"seq": 2' in ok.stdout
    replay = subprocess.run(
        [str(images["reader"]), "verify", "--key", key.hex(), "--nonce",
         "4242", "--last-seq", "2"],
        input=data, capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert replay.returncode == 1 and "sequence" in replay.stderr


@pytest.mark.parametrize(
    "shim_args, message",
    [
        (f"scotch.off={OFFSETS}", "no scotch.key="),
        (f"scotch.key=abc scotch.off={OFFSETS}",
         "scotch.key: expected 64 hex"),
        ("scotch.key=" + "ab" * 32, "no scotch.off="),
        ("scotch.key=" + "ab" * 32 + " scotch.off=1,2,3",
         "scotch.off: expected 9 comma-separated hex values"),
        ("scotch.key=" + "ab" * 32 + " scotch.off=" + "3," * 8 + "3",
         "scotch.off: stack size is not a power of two"),
    ],
)  # fmt: skip
def test_bad_command_line_stops_with_a_clear_error(images, shim_args, message):
    result = boot(images, shim_args, f"{images['probe']}")
    assert result.guest_code == 3
    assert f"scotch-shim: error: {message}" in result.serial


def test_no_module_is_an_error(images):
    result = boot(
        images, "scotch.key=" + "ab" * 32 + f" scotch.off={OFFSETS}", ""
    )
    assert result.guest_code == 3
    assert "need a command line and Xen as module 0" in result.serial
