# Copyright (c) 2026 The Scotch-gem5 authors
# SPDX-License-Identifier: BSD-3-Clause

from m5.objects.X86FsWorkload import X86FsLinux
from m5.params import *


class X86MultibootWorkload(X86FsLinux):
    """Boots a Multiboot (v1) image: Scotch's bare-metal tests, or Xen.

    The image (object_file) must be a 32-bit ELF with a multiboot header
    in its first 8 KiB. It is entered as the spec says: 32-bit protected
    mode with flat segments, paging off, interrupts off, EAX = 0x2BADB002
    and EBX = the information block (memory map from e820_table, the
    command line, the modules). gem5's SMBIOS, MP and ACPI tables are
    written as for Linux, and the BIOS data area says where conventional
    memory ends, as a PC BIOS would.
    """

    type = "X86MultibootWorkload"
    cxx_class = "gem5::X86ISA::MultibootWorkload"
    cxx_header = "scotch/multiboot_workload.hh"

    modules = VectorParam.String([], "Module files, loaded after the image")
    module_cmdlines = VectorParam.String(
        [], "Each module's command line (default: its file name)"
    )
    info_addr = Param.Addr(0x6000, "Where the GDT and information block go")
