"""Where the MAC key may be, and a search for it everywhere else.

The key lives in three places only: SMRAM (the shim copies it there from
the key block and wipes the block), the tenant's verifier (the runner's
memory) and, on gem5, the tenant's enclave. :func:`key_block` is the
block the shim reads (``struct scotch_keyblock``); :func:`find_key`
searches bytes (a dump of the guest's RAM, a results file) for the key
in every form a leak would take: the 32 raw bytes, each 8-byte quarter
of them, the same XORed with HMAC's pads (a wiped key whose pads were
left on a stack is still the key), and hex in either case.
"""

from __future__ import annotations

import configparser
import gzip
import hashlib
import mmap
import os
import shutil
import struct
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from scotch_plugin.errors import ScotchError

KEYBLOCK_MAGIC = 0x59454B53  # "SKEY"
KEYBLOCK_VERSION = 1
KEYBLOCK = struct.Struct("<II32s32s")


def key_block(key: bytes) -> bytes:
    """``struct scotch_keyblock`` for ``key``."""
    return KEYBLOCK.pack(
        KEYBLOCK_MAGIC, KEYBLOCK_VERSION, key, hashlib.sha256(key).digest()
    )


def patterns(key: bytes) -> dict[str, bytes]:
    """Every form of ``key`` worth searching for, by name."""
    forms = {
        "key": key,
        "key^ipad": bytes(b ^ 0x36 for b in key),
        "key^opad": bytes(b ^ 0x5C for b in key),
    }
    out: dict[str, bytes] = {}
    for name, raw in forms.items():
        for i in range(0, len(raw), 8):
            part = raw[i : i + 8]
            out[f"{name}[{i}:{i + 8}]"] = part
            out[f"{name}[{i}:{i + 8}] hex"] = part.hex().encode()
            if part.hex() != part.hex().upper():  # digits only: one form
                out[f"{name}[{i}:{i + 8}] HEX"] = part.hex().upper().encode()
    return out


@dataclass(frozen=True)
class Hit:
    form: str
    offset: int

    def __str__(self) -> str:
        return f"{self.form} at {self.offset:#x}"


def find_key(data: bytes | mmap.mmap, key: bytes) -> list[Hit]:
    """Every place in ``data`` that holds a form of ``key``."""
    hits = []
    for form, pattern in patterns(key).items():
        at = data.find(pattern)
        while at >= 0:
            hits.append(Hit(form, at))
            at = data.find(pattern, at + 1)
    return sorted(hits, key=lambda h: h.offset)


def find_key_in_file(path: Path, key: bytes) -> list[Hit]:
    """:func:`find_key` over a file (a RAM dump). GNU grep searches for
    all the forms at once (six times faster than Python over a GiB);
    the rare form with a newline byte, which grep cannot take, is
    searched with Python."""
    forms = patterns(key)
    by_bytes = {v: k for k, v in forms.items() if b"\n" not in v}
    hits = []
    with tempfile.NamedTemporaryFile("wb", suffix=".patterns") as f:
        f.write(b"".join(v + b"\n" for v in by_bytes))
        f.flush()
        proc = subprocess.run(
            ["grep", "-F", "-a", "-b", "-o", "-f", f.name, str(path)],
            capture_output=True,
            env={**os.environ, "LC_ALL": "C"},
        )
    if proc.returncode not in (0, 1):
        raise ScotchError(f"grep {path}: {proc.stderr.decode().strip()}")
    for line in proc.stdout.split(b"\n"):
        if line:
            offset, _, match = line.partition(b":")
            hits.append(Hit(by_bytes.get(match, "?"), int(offset)))
    rest = {k: v for k, v in forms.items() if b"\n" in v}
    if rest and path.stat().st_size:
        with (
            path.open("rb") as fh,
            mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data,
        ):
            for form, pattern in rest.items():
                at = data.find(pattern)
                while at >= 0:
                    hits.append(Hit(form, at))
                    at = data.find(pattern, at + 1)
    return sorted(hits, key=lambda h: h.offset)


def find_key_in_tree(root: Path, key: bytes) -> dict[Path, list[Hit]]:
    """:func:`find_key_in_file` over every file below ``root``."""
    found = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            hits = find_key_in_file(path, key)
            if hits:
                found[path] = hits
    return found


def key_block_address(memory_mb: int) -> int:
    """Where the key block goes in a machine of ``memory_mb``: 16 MiB
    below the top of RAM, above where QEMU's multiboot loader puts the
    modules and below SeaBIOS's tables at the top."""
    if memory_mb < 64:
        raise ValueError(f"{memory_mb} MiB: too little RAM for a key block")
    return (memory_mb - 16) << 20


def qemu_key_block(
    workdir: Path, key: bytes, memory_mb: int
) -> tuple[list[str], str]:
    """QEMU's arguments that place the key block in RAM at reset (a
    generic loader device: no guest can read it back, unlike fw_cfg),
    and the shim's ``scotch.keyblock=`` option. The file is private
    to its owner; delete ``workdir`` after the run."""
    path = workdir / "scotch-key.bin"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key_block(key))
    addr = key_block_address(memory_mb)
    return (
        ["-device", f"loader,file={path},addr={addr:#x},force-raw=on"],
        f"scotch.keyblock={addr:#x}",
    )


#: SMRAM as Scotch sets it up on both platforms: the 128 KiB ASEG.
SMRAM = (0xA0000, 0xC0000)


@dataclass(frozen=True)
class RamScan:
    """A search of a machine's RAM: hits outside SMRAM (must be none) and
    inside (the handler's copy: the scan sees where the key is)."""

    scanned: int
    outside: list[Hit]
    inside: list[Hit]


def gem5_checkpoint_ram(cpt: Path, into: Path) -> int:
    """Decompress the RAM of a gem5 checkpoint (one store, from address
    0) into ``into``; its size."""
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.read(cpt / "m5.cpt")
    stores = [s for s in parser.sections() if parser.has_option(s, "filename")]
    if len(stores) != 1:
        raise ScotchError(
            f"{cpt}/m5.cpt: expected one memory store, found "
            f"{len(stores)} ({', '.join(stores) or 'none'})"
        )
    section = parser[stores[0]]
    size = int(section["range_size"])
    with (
        gzip.open(cpt / section["filename"], "rb") as src,
        into.open("wb") as dst,
    ):
        shutil.copyfileobj(src, dst, 1 << 24)
    if into.stat().st_size != size:
        raise ScotchError(
            f"{cpt}/{section['filename']}: {into.stat().st_size} bytes, "
            f"m5.cpt says {size}"
        )
    return size


def scan_ram(dump: Path, key: bytes) -> RamScan:
    """Every form of ``key`` in a RAM image, split at SMRAM."""
    hits = find_key_in_file(dump, key)
    low, high = SMRAM
    return RamScan(
        scanned=dump.stat().st_size,
        outside=[h for h in hits if not low <= h.offset < high],
        inside=[h for h in hits if low <= h.offset < high],
    )
