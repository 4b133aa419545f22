/*
 * Hardware SMI triggers (gem5's X86ScotchTrigger): Scotch enters its
 * handler at every context switch, i.e. at every CR3 load outside SMM,
 * and never for the handler's own CR3 loads in SMM.
 *
 * The image loads CR3 with paging on and off and checks that each load
 * was followed by exactly one SMI whose saved CR3 is the new value, has
 * the SMM handler load CR3 (which must raise none), and sends itself
 * maskable interrupts in long mode (one SMI each with the interrupt
 * trigger). Whether a trigger is there is seen from the first event:
 * without one (QEMU, or gem5 without --trigger) each event must raise
 * no SMI, and the rest still runs. It prints cr3_trigger= and
 * irq_trigger= (present|absent) and the counts the host compares with
 * gem5's statistics: cr3_loads= (outside SMM), smm_cr3_loads=, irqs=.
 *
 * With "random=N" on the command line it only waits for N SMIs from
 * the random-interval trigger (the handler is installed first thing).
 */
#include <stdint.h>

#include "check.h"
#include "cmdline.h"
#include "console.h"
#include "image.h"
#include "cpu.h"
#include "io.h"
#include "paging.h"
#include "platform.h"
#include "scotch/smm_save_map.h"
#include "smm_mailbox.h"

#define N_CR3 16     /* CR3 loads with paging on */
#define N_SMM_CR3 4  /* CR3 loads by the handler */
#define N_IRQ 8      /* self-IPIs in long mode */
#define SETTLE 20000 /* loop iterations for a late SMI to arrive */


#define LAPIC_SVR ((volatile uint32_t *)0xfee000f0u)

/* Two identity-mapping page directories (4 MiB pages) to switch between. */
static uint32_t pd_a[1024] __attribute__((aligned(4096)));
static uint32_t pd_b[1024] __attribute__((aligned(4096)));
static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd64[4][512] __attribute__((aligned(4096)));

void lm_irqs(uint32_t pml4, uint32_t n, uint32_t *counts);
extern uint64_t idt64[512];
extern uint16_t idt64_desc[];
extern volatile uint32_t irq_count;
extern const uint8_t irq64_handler[], irq64_unexpected[];

/** CR3 loads by this image outside SMM (what the trigger counts). */
static uint32_t cr3_loads;

static void settle(void)
{
    uint32_t n = SETTLE;
    __asm__ volatile("1: decl %0\n jnz 1b" : "+r"(n) : : "cc");
}

static void load_cr3(uint32_t v)
{
    __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory");
    cr3_loads++;
}

static uint32_t read_cr3(void)
{
    uint32_t v;
    __asm__ volatile("mov %%cr3, %0" : "=r"(v));
    return v;
}

static void paging(int on)
{
    if (on)
        __asm__ volatile("mov %%cr4, %%eax\n or $0x10, %%eax\n"
                         "mov %%eax, %%cr4\n"
                         "mov %%cr0, %%eax\n or $0x80000000, %%eax\n"
                         "mov %%eax, %%cr0\n jmp 1f\n 1:"
                         : : : "eax", "memory");
    else
        __asm__ volatile("mov %%cr0, %%eax\n and $0x7fffffff, %%eax\n"
                         "mov %%eax, %%cr0\n"
                         "mov %%cr4, %%eax\n and $~0x10, %%eax\n"
                         "mov %%eax, %%cr4"
                         : : : "eax", "memory");
}

static void build_page_tables(void)
{
    paging_identity_pse(pd_a);
    paging_identity_pse(pd_b);
    paging_identity_lm(pml4, pdpt, pd64);
}

static void build_idt64(void)
{
    for (unsigned n = 0; n < 256; n++)
        idt64_gate(idt64, n, SEL_CODE64,
                   (uint32_t)(n == 0x40 ? irq64_handler : irq64_unexpected));
    idt64_desc_set(idt64_desc, idt64);
}

/* CR3 loads outside SMM: one SMI each with the trigger, none without. */
static void test_cr3_loads(void)
{
    /* The trigger's SMIs interrupt settle(): AL holds a loop count, not a
     * command (it once held 0xa3, which asked for an NMI). */
    smm_mailbox.no_cmds = 1;
    uint32_t before = smm_mailbox.count;
    load_cr3((uint32_t)pd_a); /* paging off */
    settle();
    const uint32_t first = smm_mailbox.count - before;
    const int trigger = first != 0;
    kprintf("cr3_trigger=%s\n", trigger ? "present" : "absent");
    check("cr3_first_load_at_most_one_smi", first <= 1);
    if (trigger)
        check_eq("cr3_first_saved_cr3", mb_save32(SMM_CR3),
                 (uint32_t)pd_a);

    paging(1);
    uint32_t wrong_count = 0, wrong_cr3 = 0, wrong_rip = 0;
    for (int i = 0; i < N_CR3; i++) {
        const uint32_t next = (uint32_t)((i & 1) ? pd_a : pd_b);
        before = smm_mailbox.count;
        load_cr3(next);
        settle();
        const uint32_t smis = smm_mailbox.count - before;
        if (smis != (uint32_t)trigger) {
            kprintf("cr3 load %d: %u SMIs\n", i, smis);
            wrong_count++;
        }
        /* The SMI came after the load: it saved the new CR3. */
        if (trigger && mb_save32(SMM_CR3) != next)
            wrong_cr3++;
        /* ...at the boundary right after it, as the handler assumes (it
         * tells a CR3 load's SMI by the MOV before the saved RIP). */
        const uint8_t *rip = (const uint8_t *)mb_save32(SMM_RIP);
        if (trigger && !(rip[-3] == 0x0f && rip[-2] == 0x22 &&
                         (rip[-1] & 0xf8) == 0xd8)) {
            kprintf("cr3 load %d: SMI at rip 0x%x, after %x %x %x\n", i,
                    (uint32_t)rip, rip[-3], rip[-2], rip[-1]);
            wrong_rip++;
        }
    }
    check_eq("cr3_loads_one_smi_each", wrong_count, 0);
    check_eq("cr3_saved_is_the_new_one", wrong_cr3, 0);
    check_eq("cr3_smi_right_after_the_load", wrong_rip, 0);
    check_eq("cr3_final", read_cr3(), (uint32_t)pd_a);

    /* The handler loads CR3 in SMM: only the APM port's SMI is taken. */
    smm_mailbox.no_cmds = 0;
    uint32_t wrong_smm = 0;
    for (int i = 0; i < N_SMM_CR3; i++) {
        const uint32_t cur = read_cr3();
        const uint32_t other = (uint32_t)(cur == (uint32_t)pd_a ? pd_b
                                                                 : pd_a);
        smm_mailbox.param = other;
        before = smm_mailbox.count;
        smi(SMM_CMD_CR3);
        settle();
        const uint32_t smis = smm_mailbox.count - before;
        if (smis != 1 || smm_mailbox.readback != other ||
            read_cr3() != cur) {
            kprintf("smm cr3 load %d: %u SMIs readback=0x%x cr3=0x%x\n",
                    i, smis, smm_mailbox.readback, read_cr3());
            wrong_smm++;
        }
    }
    check_eq("smm_cr3_loads_raise_no_smi", wrong_smm, 0);
    paging(0);
    check_eq("cr3_not_nested", smm_mailbox.nested, 0);
}

/* Maskable interrupts (long mode): one SMI each with the trigger. */
static void test_interrupts(void)
{
    uint32_t counts[N_IRQ + 1];
    /* No legacy PIC interrupts (QEMU's BIOS leaves the timer on). */
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
    *LAPIC_SVR |= 0x100; /* software-enable the local APIC */
    build_idt64();
    const uint32_t irqs_before = irq_count;
    smm_mailbox.no_cmds = 1; /* the trigger's SMIs find anything in AL */
    lm_irqs((uint32_t)pml4, N_IRQ, counts);
    smm_mailbox.no_cmds = 0;
    cr3_loads++; /* entering long mode loaded CR3 */
    check_eq("irqs_handled", irq_count - irqs_before, N_IRQ);

    const uint32_t first = counts[0] - counts[N_IRQ];
    const int trigger = first != 0;
    kprintf("irq_trigger=%s\n", trigger ? "present" : "absent");
    uint32_t wrong = 0;
    for (int i = 0; i < N_IRQ; i++) {
        const uint32_t prev = i ? counts[i - 1] : counts[N_IRQ];
        if (counts[i] - prev != (uint32_t)trigger) {
            kprintf("irq %d: %u SMIs\n", i, counts[i] - prev);
            wrong++;
        }
    }
    check_eq("irqs_one_smi_each", wrong, 0);
}

static int random_smis(int want)
{
    uint32_t i;
    for (i = 0; i < 400000000u; i++)
        if (smm_mailbox.count >= (uint32_t)want)
            break;
    kprintf("random_smis=%u\n", smm_mailbox.count);
    check("random_smis_taken", smm_mailbox.count >= (uint32_t)want);
    check_eq("random_not_nested", smm_mailbox.nested, 0);
    return check_verdict("cr3_trigger");
}

int kmain(uint32_t magic, uint32_t mbi)
{
    /* First: a random-interval SMI may come at any time from here. */
    cmdline_init(magic, mbi);
    const int want_random = cmdline_number("random=", -1);
    /* Random SMIs interrupt any code: AL holds no command then. */
    smm_mailbox.no_cmds = want_random > 0;
    plat_smm_install(smm_handler_start,
                     smm_handler_end - smm_handler_start);
    image_start("cr3-trigger");
    if (want_random > 0)
        return random_smis(want_random);

    smi(SMM_CMD_RECORD); /* gem5: the handler sets the SMRRs */
    build_page_tables();
    test_cr3_loads();
    test_interrupts();
    kprintf("cr3_loads=%u smm_cr3_loads=%u irqs=%u\n", cr3_loads,
            N_SMM_CR3, N_IRQ);
    return check_verdict("cr3_trigger");
}
