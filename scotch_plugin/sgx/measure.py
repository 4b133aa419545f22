"""MRENCLAVE computed on the host, as the Intel SDM builds it.

The SDM (vol. 3D 39.4.1.1 and the Operation sections of ECREATE, EADD,
EEXTEND and EINIT) measures an enclave as one SHA-256 over 64-byte
update fields:

- ECREATE: ``"ECREATE\\0"``, SSAFRAMESIZE (4 bytes), SECS.SIZE (8 bytes),
  44 zero bytes;
- EADD: ``"EADD\\0\\0\\0\\0"``, the page's offset from the enclave base
  (8 bytes), the first 48 bytes of SECINFO as EADD leaves them (R, W and
  X cleared for a TCS page; the reserved bytes are zero);
- EEXTEND: ``"EEXTEND\\0"``, the 256-byte chunk's offset (8 bytes),
  48 zero bytes, then the chunk itself;
- EINIT: the digest.

Every integer is little-endian. The gem5 model does the same in
``src_patches/scotch/sgx_measure.hh``; both are tested against the same
digests.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable
from dataclasses import dataclass

PAGE_SIZE = 4096
#: EEXTEND measures this many bytes at a time.
CHUNK_SIZE = 256

#: Page types (SECINFO.FLAGS.PAGE_TYPE, bits 15:8).
PT_SECS = 0
PT_TCS = 1
PT_REG = 2
#: SECINFO.FLAGS permission bits.
SECINFO_R = 1 << 0
SECINFO_W = 1 << 1
SECINFO_X = 1 << 2
_RWX = SECINFO_R | SECINFO_W | SECINFO_X


def secinfo_flags(page_type: int, perms: int = 0) -> int:
    """SECINFO.FLAGS for a page of ``page_type`` with R/W/X ``perms``."""
    return page_type << 8 | (perms & _RWX)


def eadd_measured_flags(flags: int) -> int:
    """The flags EADD hashes: a TCS page's R, W and X are cleared."""
    if (flags >> 8) & 0xFF == PT_TCS:
        return flags & ~_RWX
    return flags


class Measurement:
    """One enclave's MRENCLAVE while it is being built."""

    def __init__(self) -> None:
        self._sha = hashlib.sha256()
        self._updates = 0
        self._created = False

    def _update(self, field: bytes) -> None:
        assert len(field) == 64
        self._sha.update(field)
        self._updates += 1

    @property
    def update_count(self) -> int:
        """The MRENCLAVE update counter: 64-byte fields hashed so far."""
        return self._updates

    def ecreate(self, size: int, ssa_frame_size: int) -> None:
        """Start over, as ECREATE does, for an enclave of ``size`` bytes
        whose SSA frames are ``ssa_frame_size`` pages."""
        self._sha = hashlib.sha256()
        self._updates = 0
        self._created = True
        self._update(
            b"ECREATE\0" + struct.pack("<IQ", ssa_frame_size, size) + bytes(44)
        )

    def eadd(self, offset: int, flags: int) -> None:
        """Record a page added at ``offset`` with SECINFO.FLAGS ``flags``."""
        self._check(offset, PAGE_SIZE)
        self._update(
            b"EADD\0\0\0\0"
            + struct.pack("<QQ", offset, eadd_measured_flags(flags))
            + bytes(40)
        )

    def eextend(self, offset: int, chunk: bytes) -> None:
        """Measure the 256 bytes ``chunk`` found at ``offset``."""
        self._check(offset, CHUNK_SIZE)
        if len(chunk) != CHUNK_SIZE:
            raise ValueError(f"EEXTEND takes {CHUNK_SIZE} bytes")
        self._update(b"EEXTEND\0" + struct.pack("<Q", offset) + bytes(48))
        for i in range(0, CHUNK_SIZE, 64):
            self._update(chunk[i : i + 64])

    def eextend_page(self, offset: int, page: bytes) -> None:
        """EEXTEND every chunk of the page at ``offset``, in order."""
        if len(page) != PAGE_SIZE:
            raise ValueError(f"a page is {PAGE_SIZE} bytes")
        for i in range(0, PAGE_SIZE, CHUNK_SIZE):
            self.eextend(offset + i, page[i : i + CHUNK_SIZE])

    def einit(self) -> bytes:
        """The finalized MRENCLAVE (32 bytes); the state is kept."""
        if not self._created:
            raise ValueError("EINIT before ECREATE")
        return self._sha.copy().digest()

    def _check(self, offset: int, align: int) -> None:
        if not self._created:
            raise ValueError("ECREATE first")
        if offset < 0 or offset % align:
            raise ValueError(f"offset {offset:#x} is not {align}-aligned")


@dataclass(frozen=True)
class Page:
    """An enclave page: where, what SECINFO.FLAGS, its bytes, and whether
    the loader EEXTENDs it (a page EADDed but not EEXTENDed is measured by
    its offset and flags only)."""

    offset: int
    flags: int
    data: bytes
    measured: bool = True


def measure_enclave(
    size: int,
    ssa_frame_size: int,
    pages: Iterable[Page | tuple[int, int, bytes, bool]],
) -> bytes:
    """MRENCLAVE of an enclave of ``size`` bytes built as a loader does:
    ECREATE, then for each page in order EADD and (if measured) EEXTEND
    of its 16 chunks, then EINIT."""
    m = Measurement()
    m.ecreate(size, ssa_frame_size)
    for page in pages:
        p = page if isinstance(page, Page) else Page(*page)
        if not 0 <= p.offset < size:
            raise ValueError(f"page {p.offset:#x} outside the enclave")
        m.eadd(p.offset, p.flags)
        if p.measured:
            m.eextend_page(p.offset, p.data)
    return m.einit()
