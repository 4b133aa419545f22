"""The tenant-side reader (workloads/scotch/reader.c) accepts exactly the
snapshots the SMM handler's key MACs, fresh and in sequence; its
HMAC-SHA256 (shared with the handler) agrees with Python's."""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

import pytest
from scotch_snapshots import snapshot

from scotch_plugin.workload_build import scons

KEY = bytes(range(32))


@pytest.fixture(scope="module")
def reader() -> Path:
    scons("build/workloads/scotch/scotch-reader")
    return Path("build/workloads/scotch/scotch-reader").resolve()


def verify(
    reader: Path,
    data: bytes | str,
    nonce: int = 99,
    last: int = 0,
    key: bytes = KEY,
) -> subprocess.CompletedProcess[str]:
    text = data if isinstance(data, str) else data.hex()
    with tempfile.NamedTemporaryFile("w", suffix=".key") as f:
        f.write(key.hex())
        f.flush()
        return subprocess.run(
            [str(reader), "verify", "--key-file", f.name, "--nonce",
             str(nonce), "--last-seq", str(last)],
            input=text, capture_output=True, text=True, timeout=30,
        )  # fmt: skip


def test_accepts_a_good_snapshot_and_prints_usage(reader):
    data = snapshot(KEY, domains=((0, 111, 1, 0), (1, 2222, 20, 3)))
    proc = verify(reader, data)
    assert proc.returncode == 0, proc.stderr
    usage = json.loads(proc.stdout)
    assert usage["seq"] == 7 and usage["nonce"] == 99
    assert usage["domains"] == [
        {"domid": 0, "cycles": 111, "switches": 1, "irqs": 0},
        {"domid": 1, "cycles": 2222, "switches": 20, "irqs": 3},
    ]


@pytest.mark.parametrize("offset", [0, 9, 40, 64, 70, -1])
def test_one_changed_byte_is_rejected(reader, offset):
    data = bytearray(snapshot(KEY))
    data[offset] ^= 0x01
    proc = verify(reader, bytes(data))
    assert proc.returncode == 1
    assert proc.stderr.startswith("rejected: ")


def test_changed_cycles_fail_the_mac(reader):
    data = bytearray(snapshot(KEY))
    data[64 + 8] ^= 0x80  # the first domain's cycles
    assert "MAC does not verify" in verify(reader, bytes(data)).stderr


def test_wrong_key_is_rejected(reader):
    proc = verify(reader, snapshot(bytes(32)))
    assert "MAC does not verify" in proc.stderr


def test_old_snapshot_for_a_new_request_is_rejected(reader):
    proc = verify(reader, snapshot(KEY, nonce=98))
    assert proc.returncode == 1 and "nonce" in proc.stderr


@pytest.mark.parametrize("last", [7, 8, 1000])
def test_replayed_sequence_number_is_rejected(reader, last):
    proc = verify(reader, snapshot(KEY, seq=7), last=last)
    assert proc.returncode == 1 and "sequence" in proc.stderr


def test_truncated_and_malformed_input(reader):
    data = snapshot(KEY)
    assert "length" in verify(reader, data[:-1]).stderr
    assert "too short" in verify(reader, data[:40]).stderr
    assert "hex" in verify(reader, "zz" + data.hex()).stderr
    assert "version" in verify(reader, snapshot(KEY, version=2)).stderr


def test_bad_key_file_is_an_error(reader, tmp_path):
    (tmp_path / "short.key").write_text("abc\n")
    for key_file, message in [
        (tmp_path / "short.key", "expected 64 hex digits"),
        (tmp_path / "absent.key", "No such file"),
    ]:
        proc = subprocess.run(
            [str(reader), "verify", "--key-file", str(key_file),
             "--nonce", "1"],
            input="", capture_output=True, text=True, timeout=30,
        )  # fmt: skip
        assert proc.returncode == 2
        assert message in proc.stderr and str(key_file) in proc.stderr


@pytest.mark.parametrize(
    "args",
    [
        # The key never goes on a command line.
        ["verify", "--key", KEY.hex(), "--nonce", "1"],
        # The nonce is always the verifier's: none of the reader's own.
        ["export"],
        # The relaying half holds no key.
        ["export", "--nonce", "1", "--key-file", "/dev/null"],
        # gem5's statistics dump goes with an export only.
        ["verify", "--key-file", "/dev/null", "--nonce", "1",
         "--m5-dumpstats"],  # fmt: skip
    ],
)
def test_refused_usages(reader, args):
    proc = subprocess.run(
        [str(reader), *args], capture_output=True, text=True, timeout=30
    )
    assert proc.returncode == 2 and proc.stderr.startswith("usage:")
