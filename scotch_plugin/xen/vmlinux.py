"""The uncompressed kernel ELF inside a bzImage (what ``extract-vmlinux``
gives), for gem5: Xen boots dom0 from either, but decompressing the
bzImage costs about 2 s of simulated time on AtomicSimpleCPU."""

from __future__ import annotations

import gzip
import lzma
import zlib

from scotch_plugin.errors import ScotchError

#: Payload formats a Debian kernel may use, by their magic bytes.
_MAGICS = (
    ("xz", b"\xfd7zXZ\x00"),
    ("gzip", b"\x1f\x8b\x08"),
)
ELF_MAGIC = b"\x7fELF"


def _decompress(kind: str, data: bytes) -> bytes:
    if kind == "xz":
        return lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(data)
    return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data)


def extract(bzimage: bytes, what: str = "kernel") -> bytes:
    """The first compressed payload of ``bzimage`` that is an ELF."""
    for kind, magic in _MAGICS:
        at = bzimage.find(magic)
        while at >= 0:
            try:
                out = _decompress(kind, bzimage[at:])
            except (lzma.LZMAError, zlib.error, gzip.BadGzipFile, EOFError):
                out = b""
            if out.startswith(ELF_MAGIC):
                return out
            at = bzimage.find(magic, at + 1)
    raise ScotchError(
        f"{what}: no xz or gzip payload that decompresses to an ELF "
        "(expected a Linux bzImage)"
    )
