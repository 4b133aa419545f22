"""The enclave ``workloads/sgx_conformance`` builds, as the host knows it.

The image builds one enclave with ENCLS (its layout and page bytes are
the ones here) and passes EINIT the MRENCLAVE the host computes, on its
command line, as a signing tool puts it in the SIGSTRUCT: EINIT succeeds
only if gem5 measured the same pages the same way.
"""

from __future__ import annotations

import struct

from scotch_plugin.sgx.measure import (
    PAGE_SIZE,
    PT_REG,
    PT_TCS,
    SECINFO_R,
    SECINFO_W,
    SECINFO_X,
    Page,
    measure_enclave,
    secinfo_flags,
)

#: The platform's EPC, as the image expects it (--epc-base, --epc-size).
EPC_BASE = 0x1000_0000
EPC_SIZE = "64KiB"
#: The enclave: ELRANGE, one SSA frame of one page, and its pages.
BASE = 0x2000_0000
SIZE = 0x10000
SSA_FRAME_SIZE = 1
TCS_OFFSET = 0x1000
CODE_OFFSET = 0x2000
SSA_OFFSET = 0x3000


def tcs_page() -> bytes:
    """The TCS: OSSA, NSSA 1, OENTRY, FS and GS limits all ones."""
    page = bytearray(PAGE_SIZE)
    struct.pack_into("<Q", page, 16, SSA_OFFSET)
    struct.pack_into("<I", page, 28, 1)
    struct.pack_into("<Q", page, 32, CODE_OFFSET)
    struct.pack_into("<II", page, 64, 0xFFFF_FFFF, 0xFFFF_FFFF)
    return bytes(page)


def code_page() -> bytes:
    """The code page's bytes (main.c: code_byte)."""
    return bytes((i * 13 + 7) & 0xFF for i in range(PAGE_SIZE))


def pages() -> list[Page]:
    """The pages in the order the image adds them; the SSA page is added
    but not measured (EADD only)."""
    return [
        Page(TCS_OFFSET, secinfo_flags(PT_TCS), tcs_page()),
        Page(CODE_OFFSET, secinfo_flags(PT_REG, SECINFO_R | SECINFO_X),
             code_page()),  # fmt: skip
        Page(SSA_OFFSET, secinfo_flags(PT_REG, SECINFO_R | SECINFO_W),
             bytes(PAGE_SIZE), measured=False),  # fmt: skip
    ]


def mrenclave() -> bytes:
    return measure_enclave(SIZE, SSA_FRAME_SIZE, pages())


def gem5_args() -> list[str]:
    """The run's platform and command line (baremetal.py)."""
    return [
        "--epc-base", hex(EPC_BASE), "--epc-size", EPC_SIZE,
        "--cmdline", f"mrenclave={mrenclave().hex()}",
    ]  # fmt: skip
