"""ACPI tables for Scotch-gem5's boards.

The stdlib's X86Board writes an MP table but leaves ACPI's RSDT and XSDT
empty. Xen (unlike Linux) then reads the MP configuration table through
its physical address as a pointer (``get_smp_config``), which is not
mapped that early: an early page fault. With a MADT, as every PC
firmware provides, Xen finds its local APICs and I/O APIC through ACPI.
"""

from m5.objects import (
    X86ACPIMadt,
    X86ACPIMadtIntSourceOverride,
    X86ACPIMadtIOAPIC,
    X86ACPIMadtLAPIC,
)

LOCAL_APIC_ADDRESS = 0xFEE00000
IO_APIC_ADDRESS = 0xFEC00000
#: MADT flags: PCAT_COMPAT, the board also has dual 8259 PICs.
PCAT_COMPAT = 1
#: MADT local APIC flags: enabled.
LAPIC_ENABLED = 1


def add_madt(board) -> X86ACPIMadt:
    """Describe the board's interrupt controllers in an ACPI MADT (as the
    stdlib's MP table does: local APIC IDs 0..n-1, the I/O APIC with ID n
    at 0xFEC00000, the PIT's IRQ 0 on its pin 2) and list it in the RSDT
    and XSDT. Call once, after the board is built."""
    cores = board.get_processor().get_num_cores()
    records = [
        X86ACPIMadtLAPIC(acpi_processor_id=i, apic_id=i, flags=LAPIC_ENABLED)
        for i in range(cores)
    ]
    records.append(
        X86ACPIMadtIOAPIC(id=cores, address=IO_APIC_ADDRESS, int_base=0)
    )
    # ISA IRQ 0 (the PIT) is wired to I/O APIC pin 2, as on a PC.
    records.append(
        X86ACPIMadtIntSourceOverride(
            bus_source=0, irq_source=0, sys_int=2, flags=0
        )
    )
    madt = X86ACPIMadt(
        local_apic_address=LOCAL_APIC_ADDRESS,
        flags=PCAT_COMPAT,
        records=records,
        oem_id="gem5",
    )
    rsdp = board.workload.acpi_description_table_pointer
    rsdp.oem_id = "gem5"
    rsdp.rsdt.entries = [madt]
    rsdp.xsdt.entries = [madt]
    return madt
