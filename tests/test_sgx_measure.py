"""MRENCLAVE on the host (scotch_plugin.sgx.measure) against hard-coded
digests. tests/cpp/sgx_measure_test.cc checks gem5's model
(src_patches/scotch/sgx_measure.hh) against the SAME digests, built from
the same pages: a change to either implementation must change both
tests, which keeps the two measuring alike."""

from __future__ import annotations

import hashlib
import struct

import pytest

from scotch_plugin.sgx import measure
from scotch_plugin.sgx.measure import (
    PT_REG,
    PT_TCS,
    SECINFO_R,
    SECINFO_W,
    SECINFO_X,
    Measurement,
    Page,
    measure_enclave,
    secinfo_flags,
)

SIZE = 0x4000
SSA_FRAME_SIZE = 1

#: The digests, shared with tests/cpp/sgx_measure_test.cc.
ECREATE_ONLY = (
    "1ae08d565db91bba3113eb03c476049ee802c1df05465ddf7cbebfd256e60114"
)
THREE_PAGES = (
    "842037e077a9723ec30068c2cf63b508c87876560fc989afc4d0b186fe4943ec"
)
WITH_UNMEASURED_PAGE = (
    "e33e7041aa35a8fcf713100bf346c1437bc5c14af2139da05cb4af3090bc81c7"
)


def tcs_page() -> bytes:
    """A TCS: one SSA frame at 0x1000, entry at 0x2000, 4 KiB FS/GS."""
    page = bytearray(4096)
    struct.pack_into("<Q", page, 16, 0x1000)  # OSSA
    struct.pack_into("<I", page, 28, 1)  # NSSA
    struct.pack_into("<Q", page, 32, 0x2000)  # OENTRY
    struct.pack_into("<II", page, 64, 0xFFF, 0xFFF)  # FSLIMIT, GSLIMIT
    return bytes(page)


#: RW data: byte i of the page is i mod 256.
DATA = bytes(i & 0xFF for i in range(4096))
#: RX code: mov eax, 4 (EEXIT); enclu; then int3 to the end.
CODE = bytes.fromhex("b8040000000f01d7") + b"\xcc" * (4096 - 8)


def three_pages() -> list[Page]:
    return [
        Page(0x0000, secinfo_flags(PT_TCS), tcs_page()),
        Page(0x1000, secinfo_flags(PT_REG, SECINFO_R | SECINFO_W), DATA),
        Page(0x2000, secinfo_flags(PT_REG, SECINFO_R | SECINFO_X), CODE),
    ]


def test_ecreate_alone():
    m = Measurement()
    m.ecreate(SIZE, SSA_FRAME_SIZE)
    assert m.update_count == 1
    assert m.einit().hex() == ECREATE_ONLY
    assert measure_enclave(SIZE, SSA_FRAME_SIZE, []).hex() == ECREATE_ONLY


def test_one_tcs_and_two_reg_pages_fully_extended():
    assert measure_enclave(SIZE, SSA_FRAME_SIZE, three_pages()).hex() == (
        THREE_PAGES
    )


def test_a_page_added_but_not_extended():
    heap = secinfo_flags(PT_REG, SECINFO_R | SECINFO_W)
    for content in (bytes(4096), b"\x5a" * 4096):
        pages = [*three_pages(), Page(0x3000, heap, content, measured=False)]
        digest = measure_enclave(SIZE, SSA_FRAME_SIZE, pages)
        # Its content is not measured: only its offset and flags are.
        assert digest.hex() == WITH_UNMEASURED_PAGE


def test_tuples_work_as_pages():
    pages = [(p.offset, p.flags, p.data, p.measured) for p in three_pages()]
    assert measure_enclave(SIZE, SSA_FRAME_SIZE, pages).hex() == THREE_PAGES


def test_digest_is_sha256_of_the_fields_in_order():
    # An independent construction of the same byte stream.
    stream = b"ECREATE\0" + struct.pack("<IQ", SSA_FRAME_SIZE, SIZE)
    stream += bytes(44)
    for p in three_pages():
        flags = p.flags & ~7 if p.flags >> 8 == PT_TCS else p.flags
        stream += b"EADD\0\0\0\0" + struct.pack("<QQ", p.offset, flags)
        stream += bytes(40)
        for c in range(0, 4096, 256):
            stream += b"EEXTEND\0" + struct.pack("<Q", p.offset + c)
            stream += bytes(48) + p.data[c : c + 256]
    assert len(stream) == 64 * (1 + 3 * (1 + 16 * 5))
    assert hashlib.sha256(stream).hexdigest() == THREE_PAGES


def test_update_counter_counts_64_byte_fields():
    m = Measurement()
    m.ecreate(SIZE, SSA_FRAME_SIZE)
    m.eadd(0x1000, secinfo_flags(PT_REG, SECINFO_R))
    assert m.update_count == 2
    m.eextend(0x1000, bytes(256))
    assert m.update_count == 2 + 5


def test_tcs_permissions_are_not_measured():
    # EADD clears R/W/X of a TCS before hashing its SECINFO.
    pages = three_pages()
    pages[0] = Page(0, secinfo_flags(PT_TCS, 7), pages[0].data)
    assert measure_enclave(SIZE, SSA_FRAME_SIZE, pages).hex() == THREE_PAGES
    assert measure.eadd_measured_flags(0x107) == 0x100
    assert measure.eadd_measured_flags(0x207) == 0x207


def test_everything_measured_changes_the_digest():
    base = three_pages()
    variants = [
        measure_enclave(SIZE * 2, SSA_FRAME_SIZE, base),
        measure_enclave(SIZE, SSA_FRAME_SIZE + 1, base),
        measure_enclave(SIZE, SSA_FRAME_SIZE, base[::-1]),
        measure_enclave(
            SIZE, SSA_FRAME_SIZE, [*base[:2], Page(0x2000, 0x207, CODE)]
        ),
        measure_enclave(
            SIZE, SSA_FRAME_SIZE, [*base[:2], Page(0x3000, 0x205, CODE)]
        ),
        measure_enclave(
            SIZE, SSA_FRAME_SIZE, [*base[:2], Page(0x2000, 0x205, DATA)]
        ),
    ]
    assert len({v.hex() for v in variants} | {THREE_PAGES}) == 7


def test_misuse_is_refused():
    m = Measurement()
    with pytest.raises(ValueError):
        m.eadd(0, 0x200)
    with pytest.raises(ValueError):
        m.einit()
    m.ecreate(SIZE, SSA_FRAME_SIZE)
    with pytest.raises(ValueError):
        m.eadd(0x800, 0x200)
    with pytest.raises(ValueError):
        m.eextend(0x80, bytes(256))
    with pytest.raises(ValueError):
        m.eextend(0x100, bytes(255))
    with pytest.raises(ValueError):
        measure_enclave(SIZE, 1, [Page(SIZE, 0x200, bytes(4096))])
