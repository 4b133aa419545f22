"""Bare-metal images build freestanding and carry a multiboot header."""

from __future__ import annotations

import struct

from scotch_plugin import workload_build

MB_MAGIC = 0x1BADB002


def test_smoke_image_is_a_multiboot_elf32():
    image = workload_build.image("smm_smoke", "qemu")
    data = image.read_bytes()
    assert data[:4] == b"\x7fELF" and data[4] == 1  # ELFCLASS32
    assert struct.unpack_from("<H", data, 18)[0] == 3  # EM_386
    # The multiboot header must lie in the first 8 KiB, 4-aligned.
    for off in range(0, min(len(data), 8192) - 12, 4):
        magic, flags, checksum = struct.unpack_from("<III", data, off)
        if magic == MB_MAGIC:
            assert (magic + flags + checksum) & 0xFFFFFFFF == 0
            return
    raise AssertionError("no multiboot header in the first 8 KiB")


def test_images_link_nothing_from_the_host_libc():
    image = workload_build.image("smm_smoke", "qemu")
    assert b"GLIBC" not in image.read_bytes()
