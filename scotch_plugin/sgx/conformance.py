"""The enclaves ``workloads/sgx_conformance`` builds, as the host knows
them.

The image builds two enclaves with ENCLS (their layout and pages are the
ones here and in the image's ``layout.h``; the second differs in the
last byte of its code page), each with two threads: the suite's, which
enters at the start of the code page, and the benchmark's, at
``BENCH_ENTRY_OFFSET`` in it. It
passes EINIT the MRENCLAVEs the host computes, on its command line, as a
signing tool puts them in the SIGSTRUCT: EINIT succeeds only if gem5
measured the same pages the same way. The code page holds the enclave's
code, which the host reads from the image's ``.enclave_code`` section.
"""

from __future__ import annotations

import struct
import subprocess
import tempfile
from pathlib import Path

from scotch_plugin.errors import ScotchError
from scotch_plugin.sgx.measure import (
    PAGE_SIZE,
    PT_REG,
    PT_TCS,
    SECINFO_R,
    SECINFO_W,
    SECINFO_X,
    Measurement,
    Page,
    secinfo_flags,
)

#: The platform's EPC, as the image expects it (--epc-base, --epc-size).
EPC_BASE = 0x1000_0000
EPC_SIZE = "64KiB"
#: The enclave: ELRANGE (the EPC pages that back it, one to one), one
#: SSA frame of one page per thread, and its pages.
BASE = 0x1000_0000
SIZE = 0x8000
SSA_FRAME_SIZE = 1
TCS_OFFSET = 0x1000
CODE_OFFSET = 0x2000
SSA_OFFSET = 0x3000
DATA_OFFSET = 0x4000
TCS2_OFFSET = 0x5000
SSA2_OFFSET = 0x6000
#: Where the benchmark's thread enters, in the code page.
BENCH_ENTRY_OFFSET = 0x800
#: The section of the image that holds the enclave's code.
CODE_SECTION = ".enclave_code"


def tcs_page(ossa: int = SSA_OFFSET, oentry: int = CODE_OFFSET) -> bytes:
    """A TCS: OSSA, NSSA 1, OENTRY, FS and GS limits all ones."""
    page = bytearray(PAGE_SIZE)
    struct.pack_into("<Q", page, 16, ossa)
    struct.pack_into("<I", page, 28, 1)
    struct.pack_into("<Q", page, 32, oentry)
    struct.pack_into("<II", page, 64, 0xFFFF_FFFF, 0xFFFF_FFFF)
    return bytes(page)


def enclave_code(elf: Path) -> bytes:
    """The bytes of the image's ``.enclave_code`` section."""
    with tempfile.TemporaryDirectory(prefix="scotch-enclave-") as tmp:
        out = Path(tmp) / "code.bin"
        cmd = ["objcopy", "-O", "binary", f"--only-section={CODE_SECTION}"]
        done = subprocess.run(
            [*cmd, str(elf), str(out)], capture_output=True, text=True
        )
        if done.returncode != 0 or not out.is_file():
            raise ScotchError(
                f"{elf}: objcopy could not read section {CODE_SECTION}: "
                f"{done.stderr.strip()}"
            )
        code = out.read_bytes()
    if not 0 < len(code) < PAGE_SIZE:
        raise ScotchError(
            f"{elf}: section {CODE_SECTION} is {len(code)} bytes; expected "
            f"1 to {PAGE_SIZE - 1} (it must fit its page with the variant "
            "byte)"
        )
    return code


def code_page(elf: Path, variant: int) -> bytes:
    """The code page: the code, zeros, and ``variant`` as the last byte
    (main.c: build_sources)."""
    code = enclave_code(elf)
    return code + bytes(PAGE_SIZE - 1 - len(code)) + bytes([variant])


def pages(elf: Path, variant: int) -> list[Page]:
    """The pages in the order the image adds them; the SSA and data
    pages are added but not measured (EADD only)."""
    rw = secinfo_flags(PT_REG, SECINFO_R | SECINFO_W)
    bench_tcs = tcs_page(SSA2_OFFSET, CODE_OFFSET + BENCH_ENTRY_OFFSET)
    return [
        Page(TCS_OFFSET, secinfo_flags(PT_TCS), tcs_page()),
        Page(
            CODE_OFFSET,
            secinfo_flags(PT_REG, SECINFO_R | SECINFO_X),
            code_page(elf, variant),
        ),
        Page(SSA_OFFSET, rw, bytes(PAGE_SIZE), measured=False),
        Page(DATA_OFFSET, rw, bytes(PAGE_SIZE), measured=False),
        Page(TCS2_OFFSET, secinfo_flags(PT_TCS), bench_tcs),
        Page(SSA2_OFFSET, rw, bytes(PAGE_SIZE), measured=False),
    ]


def mrenclave(elf: Path, variant: int = 0) -> bytes:
    """MRENCLAVE in the image's order: ECREATE, every EADD, then the
    EEXTENDs of the measured pages (main.c: build_enclave)."""
    m = Measurement()
    m.ecreate(SIZE, SSA_FRAME_SIZE)
    added = pages(elf, variant)
    for page in added:
        m.eadd(page.offset, page.flags)
    for page in added:
        if page.measured:
            m.eextend_page(page.offset, page.data)
    return m.einit()


def gem5_args(elf: Path, bench_rounds: int = 0) -> list[str]:
    """The run's platform and command line (baremetal.py); with
    ``bench_rounds``, the image times the enclave instead of checking it
    (bench.c)."""
    digests = (
        f"mrenclave={mrenclave(elf, 0).hex()} "
        f"mrenclave2={mrenclave(elf, 1).hex()}"
    )
    if bench_rounds:
        digests += f" bench={bench_rounds}"
    return ["--epc-base", hex(EPC_BASE), "--epc-size", EPC_SIZE,
            "--cmdline", digests]  # fmt: skip
