/*
 * SMM smoke test: install a handler in SMRAM, take an SMI through the APM
 * port and one through a local-APIC self IPI, and check what the handler
 * saw (state-save area) and what RSM restored. Prints key=value lines and
 * one "check" line per assertion; the host side parses them.
 */
#include <stdint.h>

#include "check.h"
#include "console.h"
#include "platform.h"
#include "scotch/smm_save_map.h"
#include "smm_mailbox.h"

struct smi_regs {
    uint32_t eax, ebx, ecx, edx, esi, edi, ebp, esp;
};

struct smi_probe {
    struct smi_regs before;
    struct smi_regs after;
    uint32_t rip;     /* the instruction after the OUT */
    uint32_t rip_end; /* the end of the loop waiting for the SMI */
};

void smi_probe(struct smi_probe *p, uint32_t cmd);

#define LAPIC_BASE 0xfee00000u
#define LAPIC_SVR 0xf0
#define LAPIC_ICR_LO 0x300
#define ICR_SELF_SMI 0x00040200u /* shorthand self, delivery mode SMI */

static void lapic_self_smi(void)
{
    volatile uint32_t *apic = (volatile uint32_t *)LAPIC_BASE;
    apic[LAPIC_SVR / 4] |= 0x100; /* software enable */
    apic[LAPIC_ICR_LO / 4] = ICR_SELF_SMI;
}

int kmain(uint32_t magic, uint32_t mbi)
{
    (void)mbi;
    console_init();
    kprintf("scotch-smm-smoke platform=%s\n", plat_name());
    check_eq("multiboot_magic", magic, 0x2badb002);
    plat_init();

    uint32_t len = smm_handler_end - smm_handler_start;
    plat_smm_install(smm_handler_start, len);

    struct smi_probe p;
    smi_probe(&p, 0x5a);
    uint32_t smbase = plat_smbase();
    kprintf("smi_count=%u\n", smm_mailbox.count);
    kprintf("revision=0x%08x smbase=0x%08x rip=0x%08x\n",
            mb_save32(SMM_REVISION), mb_save32(SMM_SMBASE),
            mb_save32(SMM_RIP));
    check_eq("smi_taken", smm_mailbox.count, 1);
    check_eq("save_revision", mb_save32(SMM_REVISION), SMM_REVISION_ID);
    check_eq("save_smbase", mb_save32(SMM_SMBASE), smbase);
    uint32_t rip = mb_save32(SMM_RIP);
    kprintf("smi_rip_offset=%u\n", rip - p.rip);
    check("save_rip_after_out", rip >= p.rip && rip < p.rip_end);
    check_eq("save_rax", mb_save32(SMM_RAX), p.before.eax);
    check_eq("save_rbx", mb_save32(SMM_RBX), p.before.ebx);
    check_eq("save_rcx", mb_save32(SMM_RCX), p.before.ecx);
    check_eq("save_rdx", mb_save32(SMM_RDX), p.before.edx);
    check_eq("save_rsi", mb_save32(SMM_RSI), p.before.esi);
    check_eq("save_rdi", mb_save32(SMM_RDI), p.before.edi);
    check_eq("save_rbp", mb_save32(SMM_RBP), p.before.ebp);
    check_eq("save_rsp", mb_save32(SMM_RSP), p.before.esp);

    uint32_t cs, cr0;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    check_eq("save_cs_sel", mb_save16(SMM_SEG_CS + SMM_SEG_SEL), cs);
    check_eq("save_cr0", mb_save32(SMM_CR0), cr0);

    check_eq("rsm_eax", p.after.eax, p.before.eax);
    check_eq("rsm_ebx", p.after.ebx, p.before.ebx);
    check_eq("rsm_ecx", p.after.ecx, p.before.ecx);
    check_eq("rsm_edx", p.after.edx, p.before.edx);
    check_eq("rsm_esi", p.after.esi, p.before.esi);
    check_eq("rsm_edi", p.after.edi, p.before.edi);
    check_eq("rsm_ebp", p.after.ebp, p.before.ebp);
    check_eq("rsm_esp", p.after.esp, p.before.esp);

    /* After the first SMI, SMRAM is closed (QEMU) or SMRR-covered (gem5). */
    uint8_t peek[16];
    plat_smram_peek(peek, sizeof(peek));
    int same = 1;
    for (unsigned i = 0; i < sizeof(peek); i++)
        same &= peek[i] == smm_handler_start[i];
    check("smram_hidden_outside_smm", !same);


    lapic_self_smi();
    smi_wait_count(2);
    kprintf("smi_count=%u\n", smm_mailbox.count);
    check_eq("apic_ipi_smi_taken", smm_mailbox.count, 2);

    return check_verdict("smoke");
}
