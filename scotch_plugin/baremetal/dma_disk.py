"""The disk image of the SMRAM-against-DMA test (``workloads/smm_dma``).

Sector 0 holds a known pattern (the image checks a DMA copy of it), and
sector 1 is where the image has the controller write SMRAM, to see what
left it.
"""

from __future__ import annotations

from pathlib import Path

SECTOR = 512


def pattern() -> bytes:
    """Sector 0: byte i is (7 i + 0x5c) mod 256 (``dma_pattern`` in C)."""
    return bytes((i * 7 + 0x5C) & 0xFF for i in range(SECTOR))


def make_disk(path: Path, sectors: int = 64) -> Path:
    """Write the test disk (``sectors`` of 512 bytes) to ``path``."""
    data = pattern() + bytes(SECTOR * (sectors - 1))
    path.write_bytes(data)
    return path


def qemu_args(disk: Path) -> list[str]:
    """QEMU: a PIIX3 IDE controller with the disk as primary master
    (q35's own AHCI controller has no bus-master IDE registers)."""
    return [
        "-drive", f"if=none,id=dmadisk,file={disk},format=raw",
        "-device", "piix3-ide,id=dmaide",
        "-device", "ide-hd,drive=dmadisk,bus=dmaide.0",
    ]  # fmt: skip
