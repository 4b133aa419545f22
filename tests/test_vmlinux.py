"""Extracting the kernel ELF from a bzImage (scotch_plugin/xen/vmlinux.py)."""

from __future__ import annotations

import gzip
import lzma

import pytest

from scotch_plugin.errors import ScotchError
from scotch_plugin.xen import vmlinux

ELF = b"\x7fELF\x02\x01\x01" + bytes(range(256)) * 8
SETUP = b"MZ" + bytes(5000)  # the real-mode setup code before the payload


@pytest.mark.parametrize("packer", [lzma.compress, gzip.compress])
def test_extracts_the_elf_payload(packer):
    bz = SETUP + packer(ELF) + b"trailer"
    assert vmlinux.extract(bz) == ELF


def test_skips_a_payload_that_is_not_an_elf():
    bz = SETUP + lzma.compress(b"not a kernel") + lzma.compress(ELF)
    assert vmlinux.extract(bz) == ELF


def test_refuses_an_image_without_a_kernel():
    with pytest.raises(ScotchError, match=r"vmlinuz: no xz or gzip payload"):
        vmlinux.extract(SETUP + gzip.compress(b"data"), "vmlinuz")
