"""gem5 v24.0.0.1 src/sim/Workload.py and src/arch/x86/X86FsWorkload.py,
with the BIOS table objects they take (src/arch/x86/bios/; the parameters
we use)."""

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


# src/arch/x86/bios/ACPI.py
class X86ACPISysDescTable(SimObject):
    type = "X86ACPISysDescTable"
    abstract = True
    oem_id = Param.String("", "string identifying the oem")
    oem_table_id = Param.String("", "oem table ID")
    oem_revision = Param.UInt32(0, "oem revision number for the table")
    creator_id = Param.UInt32(0, "ID identifying the generator of the table")
    creator_revision = Param.UInt32(
        0, "revision number for the creator of the table"
    )


class X86ACPIRSDT(X86ACPISysDescTable):
    type = "X86ACPIRSDT"
    entries = VectorParam.X86ACPISysDescTable([], "system description tables")


class X86ACPIXSDT(X86ACPISysDescTable):
    type = "X86ACPIXSDT"
    entries = VectorParam.X86ACPISysDescTable([], "system description tables")


class X86ACPIMadtRecord(SimObject):
    type = "X86ACPIMadtRecord"
    abstract = True


class X86ACPIMadt(X86ACPISysDescTable):
    type = "X86ACPIMadt"
    local_apic_address = Param.UInt32(0, "Address of the local apic")
    flags = Param.UInt32(0, "Flags")
    records = VectorParam.X86ACPIMadtRecord([], "Records in this MADT")


class X86ACPIMadtLAPIC(X86ACPIMadtRecord):
    type = "X86ACPIMadtLAPIC"
    acpi_processor_id = Param.UInt8(0, "ACPI Processor ID")
    apic_id = Param.UInt8(0, "APIC ID")
    flags = Param.UInt32(0, "Flags")


class X86ACPIMadtIOAPIC(X86ACPIMadtRecord):
    type = "X86ACPIMadtIOAPIC"
    id = Param.UInt8(0, "I/O APIC ID")
    address = Param.Addr(0, "I/O APIC Address")
    int_base = Param.UInt32(0, "Global Interrupt Base")


class X86ACPIMadtIntSourceOverride(X86ACPIMadtRecord):
    type = "X86ACPIMadtIntSourceOverride"
    bus_source = Param.UInt8(0, "Bus Source")
    irq_source = Param.UInt8(0, "IRQ Source")
    sys_int = Param.UInt32(0, "Global System Interrupt")
    flags = Param.UInt16(0, "Flags")


class X86ACPIRSDP(SimObject):
    type = "X86ACPIRSDP"
    oem_id = Param.String("", "string identifying the oem")
    revision = Param.UInt8(2, "revision of ACPI being used, zero indexed")
    rsdt = Param.X86ACPIRSDT(X86ACPIRSDT(), "root system description table")
    xsdt = Param.X86ACPIXSDT(
        X86ACPIXSDT(), "extended system description table"
    )


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
