"""gem5 v24.0.0.1 src/sim/Workload.py and src/arch/x86/X86FsWorkload.py,
with the BIOS table objects they take (the parameters we use)."""

from m5.params import *
from m5.SimObject import SimObject


class Workload(SimObject):
    type = "Workload"
    abstract = True
    wait_for_remote_gdb = Param.Bool(False, "Wait for a remote GDB connection")


class KernelWorkload(Workload):
    type = "KernelWorkload"
    object_file = Param.String("", "File that contains the kernel code")
    extras = VectorParam.String([], "Additional object files to load")
    extras_addrs = VectorParam.Addr(
        [], "Load addresses for additional object files"
    )
    addr_check = Param.Bool(
        True, "Whether to bounds check kernel addresses"
    )
    load_addr_mask = Param.UInt64(
        0xFFFFFFFFFFFFFFFF, "Mask to apply to kernel addresses."
    )
    load_addr_offset = Param.UInt64(0, "Address to offset the kernel with")
    command_line = Param.String("a", "boot flags to pass to the kernel")


class X86SMBiosSMBiosTable(SimObject):
    type = "X86SMBiosSMBiosTable"


class X86IntelMPFloatingPointer(SimObject):
    type = "X86IntelMPFloatingPointer"


class X86IntelMPConfigTable(SimObject):
    type = "X86IntelMPConfigTable"


class X86ACPIRSDP(SimObject):
    type = "X86ACPIRSDP"


class X86E820Entry(SimObject):
    type = "X86E820Entry"
    addr = Param.Addr(0, "address of the beginning of the region")
    size = Param.MemorySize("0B", "size of the region")
    range_type = Param.UInt64("type of the region")


class X86E820Table(SimObject):
    type = "X86E820Table"
    entries = VectorParam.X86E820Entry("entries for the e820 table")


class X86FsWorkload(KernelWorkload):
    type = "X86FsWorkload"
    smbios_table = Param.X86SMBiosSMBiosTable(
        X86SMBiosSMBiosTable(), "table of smbios/dmi information"
    )
    intel_mp_pointer = Param.X86IntelMPFloatingPointer(
        X86IntelMPFloatingPointer(), "intel mp spec floating pointer structure"
    )
    intel_mp_table = Param.X86IntelMPConfigTable(
        X86IntelMPConfigTable(), "intel mp spec configuration table"
    )
    acpi_description_table_pointer = Param.X86ACPIRSDP(
        X86ACPIRSDP(), "ACPI root description pointer structure"
    )
    enable_osxsave = Param.Bool(False, "Enable OSXSAVE in CR4 register")


class X86FsLinux(X86FsWorkload):
    type = "X86FsLinux"
    e820_table = Param.X86E820Table(
        X86E820Table(), "E820 map of physical memory"
    )
