"""An initramfs as the kernel unpacks it: a gzip-compressed cpio
archive in the ``newc`` format, assembled in memory, reproducible (no
times, entries in name order)."""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from pathlib import PurePosixPath


@dataclass
class Cpio:
    """An initramfs being assembled: directories, files, links, nodes."""

    entries: dict[str, tuple[int, bytes, int]] = field(default_factory=dict)

    def directory(self, path: str) -> None:
        parts = PurePosixPath(path).parts
        for i in range(1, len(parts) + 1):
            self.entries.setdefault("/".join(parts[:i]), (0o040755, b"", 0))

    def file(self, path: str, data: bytes, mode: int = 0o755) -> None:
        self.directory(str(PurePosixPath(path).parent))
        self.entries[path] = (0o100000 | mode, data, 0)

    def symlink(self, path: str, target: str) -> None:
        self.directory(str(PurePosixPath(path).parent))
        self.entries[path] = (0o120777, target.encode(), 0)

    def char_device(self, path: str, major: int, minor: int) -> None:
        self.directory(str(PurePosixPath(path).parent))
        self.entries[path] = (0o020600, b"", (major << 8) | minor)

    def pack(self, compress: bool = True) -> bytes:
        """The newc archive (reproducible: no times), gzip-compressed
        unless ``compress`` is false (a simulated kernel then has
        nothing to inflate)."""
        out = bytearray()
        for ino, (name, (mode, data, rdev)) in enumerate(
            sorted(self.entries.items()), 1
        ):
            out += _cpio_entry(ino, name, mode, data, rdev)
        out += _cpio_entry(0, "TRAILER!!!", 0, b"", 0)
        if not compress:
            return bytes(out)
        return gzip.compress(bytes(out), compresslevel=9, mtime=0)


def _cpio_entry(
    ino: int, name: str, mode: int, data: bytes, rdev: int
) -> bytes:
    raw = name.encode() + b"\0"
    nlink = 2 if mode & 0o170000 == 0o040000 else 1
    fields = (ino, mode, 0, 0, nlink, 0, len(data), 0, 0, rdev >> 8)
    fields += (rdev & 0xFF, len(raw), 0)
    head = b"070701" + b"".join(b"%08X" % f for f in fields) + raw
    head += b"\0" * (-len(head) % 4)
    return head + data + b"\0" * (-len(data) % 4)
