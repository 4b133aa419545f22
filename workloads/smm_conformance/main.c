/*
 * The SMM conformance suite: the same image on QEMU and on gem5. Each
 * assertion prints "check NAME ok|FAIL ..."; each SMI's save area is
 * dumped as "save NAME <hex>" so the host can compare the platforms
 * field by field.
 */
#include <stdint.h>

#include "check.h"
#include "console.h"
#include "cpu.h"
#include "paging.h"
#include "platform.h"
#include "realmode.h"
#include "scotch/smm_save_map.h"
#include "smm_mailbox.h"

struct mode_probe {
    uint64_t in[16];
    uint64_t out[16];
    uint32_t rip;     /* the instruction after the OUT */
    uint32_t rip_end; /* the end of the loop that waits for the SMI */
    uint64_t rsp;
};

struct mode_probe mode_probe;

void smi_paged32(uint32_t pd);
void smi_compat(uint32_t pml4);
void smi_long64(uint32_t pml4);
extern const uint8_t gdt[];

#define CR0_PE 1u
#define CR0_PG 0x80000000u
#define EFER_LME (1u << 8)
#define EFER_LMA (1u << 10)

static void dump_save(const char *name)
{
    kprintf("save %s ", name);
    for (unsigned i = 0; i < sizeof(smm_mailbox.save); i++)
        kprintf("%02x", smm_mailbox.save[i]);
    kprintf("\n");
}

/*
 * Paging structures: 32-bit PSE identity map, and 4-level 2 MiB pages
 * for the first 4 GiB. Accessed and dirty bits are preset, as OSes do:
 * gem5's page walker, when it writes them back, reuses the read's
 * response packet, which trips coherence assertions when a cache
 * supplied the line (seen on every CPU model).
 */
static uint32_t pd32[1024] __attribute__((aligned(4096)));
static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd64[4][512] __attribute__((aligned(4096)));

static void build_page_tables(void)
{
    paging_identity_pse(pd32);
    paging_identity_lm(pml4, pdpt, pd64);
    /* 4 GiB .. 5 GiB: a page directory in SMRAM (the page-walk test). */
    pdpt[4] = (plat_smbase() & ~0xfffu) | PTE_TABLE;
}

static uint64_t rng = 0x5c07c0de2017ULL;

static uint64_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static uint32_t read_cr0(void)
{
    uint32_t v;
    __asm__ volatile("mov %%cr0, %0" : "=r"(v));
    return v;
}

static char name_buf[64];

/** "<mode>_<what>", for check names that stay unique per mode. */
static const char *named(const char *mode, const char *what)
{
    int n = 0;
    while (*mode && n < 40)
        name_buf[n++] = *mode++;
    name_buf[n++] = '_';
    while (*what && n < 63)
        name_buf[n++] = *what++;
    name_buf[n] = 0;
    return name_buf;
}

static void check_common(const char *mode)
{
    check_eq(named(mode, "save_revision"), mb_save32(SMM_REVISION),
             SMM_REVISION_ID);
    check_eq(named(mode, "save_smbase"), mb_save32(SMM_SMBASE),
             plat_smbase());
    check_eq(named(mode, "save_gdtr_base"), mb_save32(SMM_GDTR + 8),
             (uint32_t)gdt);
    check_eq(named(mode, "save_gdtr_limit"), mb_save32(SMM_GDTR + 4),
             GDT_SLOTS * 8 - 1);
    check_eq(named(mode, "save_rflags_if"), mb_save32(SMM_RFLAGS) & 0x202,
             0x2);
}

/** The saved RIP lies after the OUT, at most in the wait loop. */
static void check_rip(const char *mode, uint32_t lo, uint32_t hi)
{
    const uint32_t rip = mb_save32(SMM_RIP);
    kprintf("%s_rip_offset=%u\n", mode, rip - lo);
    check(named(mode, "rip_after_out"), rip >= lo && rip < hi);
}

/* ---- SMIs from each mode ---- */

static void test_protected(void)
{
    uint32_t before = smm_mailbox.count;
    smi(SMM_CMD_RECORD);
    dump_save("protected");
    check_eq("protected_smi_taken", smm_mailbox.count, before + 1);
    check_common("protected");
    check_eq("protected_cr0", mb_save32(SMM_CR0), read_cr0());
    check_eq("protected_efer_lma", mb_save32(SMM_EFER) & EFER_LMA, 0);
    check_eq("protected_cs", mb_save16(SMM_SEG_CS), SEL_CODE32);
    check_eq("protected_ds", mb_save16(SMM_SEG_DS), SEL_DATA32);
    check_eq("protected_ds_limit", mb_save32(SMM_SEG_DS + 4), 0xffffffff);
    /* Code32 descriptor 0x00cf9b..: attrs P S type b, D, G. */
    check_eq("protected_cs_attr", mb_save16(SMM_SEG_CS + 2) & 0xf0ff,
             0xc09b);
}

static void test_paged32(void)
{
    smi_paged32((uint32_t)pd32);
    dump_save("paged32");
    check_common("paged32");
    check_eq("paged32_cr0_pg", mb_save32(SMM_CR0) & (CR0_PG | CR0_PE),
             CR0_PG | CR0_PE);
    check_eq("paged32_cr3", mb_save32(SMM_CR3), (uint32_t)pd32);
    check_eq("paged32_cr4_pse", mb_save32(SMM_CR4) & 0x10, 0x10);
    check_rip("paged32", mode_probe.rip, mode_probe.rip_end);
    check_eq("paged32_back_unpaged", read_cr0() & CR0_PG, 0);
}

static void test_compat(void)
{
    smi_compat((uint32_t)pml4);
    dump_save("compat");
    check_common("compat");
    check_eq("compat_efer", mb_save32(SMM_EFER) & (EFER_LME | EFER_LMA),
             EFER_LME | EFER_LMA);
    check_eq("compat_cs", mb_save16(SMM_SEG_CS), SEL_CODE32);
    check_eq("compat_cs_l", mb_save16(SMM_SEG_CS + 2) & 0x2000, 0);
    check_rip("compat", mode_probe.rip, mode_probe.rip_end);
    check_eq("compat_cr3", mb_save32(SMM_CR3), (uint32_t)pml4);
}

static void test_long64(void)
{
    static const char *names[16] = {
        "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
    };
    for (int i = 0; i < 16; i++)
        mode_probe.in[i] = next_random();
    mode_probe.in[0] = (mode_probe.in[0] & ~0xffull) | SMM_CMD_RECORD;
    smi_long64((uint32_t)pml4);
    dump_save("long64");
    check_common("long64");
    check_eq("long64_efer", mb_save32(SMM_EFER) & (EFER_LME | EFER_LMA),
             EFER_LME | EFER_LMA);
    check_eq("long64_cs", mb_save16(SMM_SEG_CS), SEL_CODE64);
    check_eq("long64_cs_l", mb_save16(SMM_SEG_CS + 2) & 0x2000, 0x2000);
    check_rip("long64", mode_probe.rip, mode_probe.rip_end);
    for (int i = 0; i < 16; i++) {
        const uint64_t want = i == 4 ? mode_probe.rsp : mode_probe.in[i];
        check_eq64(named("long64_save", names[i]),
                   mb_save64(SMM_RAX - 8 * i), want);
        check_eq64(named("long64_rsm", names[i]), mode_probe.out[i], want);
    }
}

static void test_real(void)
{
    /* SMRAM, read from real mode right after RSM: the handler's first
     * bytes must not show (QEMU's TCG keeps its TLB across an RSM that
     * changes neither CR0.PE, PG nor WP; smm_handler.S sees to PE). */
    const uint32_t peek = rm_smi_peek(SMM_CMD_RECORD, &smm_mailbox.seen,
                                      plat_smbase() + SMM_HANDLER_OFFSET);
    dump_save("real");
    check_eq("real_smbase", mb_save32(SMM_SMBASE), plat_smbase());
    check_eq("real_cr0_pe", mb_save32(SMM_CR0) & CR0_PE, 0);
    check_eq("real_cs", mb_save16(SMM_SEG_CS), 0);
    check_rip("real", RM_BASE + rm_after_offset,
              RM_BASE + rm_after_end_offset);
    check_eq("real_rsp", mb_save32(SMM_RSP), RM_BASE - 0x10);
    check_eq("real_back_in_protected", read_cr0() & CR0_PE, CR0_PE);
    check("smram_hidden_after_real_mode_rsm",
          peek != *(const uint32_t *)smm_handler_start);
}

/* ---- SMM semantics ---- */

/* ---- faults, in 64-bit mode (faults64.S) ---- */

enum {
    LM_RSM, LM_WRMSR_SMRR, LM_RDMSR_SMBASE, LM_FETCH_SMRAM, LM_WALK_SMRAM,
    LM_NMI,
};
int lm_try(int test, uint32_t pml4);
extern uint64_t idt64[64];
extern uint16_t idt64_desc[];
extern const uint32_t isr64_table[32];
uint32_t plat_smbase_value;

static void build_idt64(void)
{
    for (unsigned n = 0; n < 32; n++)
        idt64_gate(idt64, n, SEL_CODE64, isr64_table[n]);
    idt64_desc_set(idt64_desc, idt64);
}

static void test_rsm_outside_smm(void)
{
    check_eq("rsm_outside_smm_ud", lm_try(LM_RSM, (uint32_t)pml4), VEC_UD);
}

static void test_latched_smi(void)
{
    uint32_t before = smm_mailbox.count;
    smi(SMM_CMD_NESTED);
    smi_wait_count(before + 2);
    check_eq("smi_in_smm_latched_then_taken", smm_mailbox.count,
             before + 2);
    check_eq("smi_in_smm_not_nested", smm_mailbox.nested, 0);
}

static void test_nmi_held(void)
{
    uint32_t before = nmi_count;
    check_eq("nmi_no_fault", lm_try(LM_NMI, (uint32_t)pml4), (uint32_t)-1);
    check_eq("nmi_held_in_smm", smm_mailbox.readback, before);
    check_eq("nmi_taken_after_rsm", nmi_count, before + 1);
}

static const char *cmdline = "";

/** The value of "key=" in the multiboot command line, or 0. */
static const char *cmdline_value(const char *key)
{
    for (const char *p = cmdline; *p; p++) {
        const char *k = key, *q = p;
        while (*k && *q == *k)
            k++, q++;
        if (!*k && (p == cmdline || p[-1] == ' '))
            return q;
    }
    return 0;
}

static int word_is(const char *v, const char *word)
{
    while (*word && *v == *word)
        v++, word++;
    return !*word && (*v == 0 || *v == ' ');
}

/*
 * gem5 only ("milestone=checkpoint" or "milestone=switch" on the command
 * line): from inside SMM, with SMBASE relocated and an SMI latched, ask
 * gem5 to take a checkpoint or switch CPU models. A run restored from
 * that checkpoint, or on the new CPU, must leave SMM correctly, take the
 * latched SMI at the relocated SMBASE and finish the suite.
 */
static void milestone(uint32_t new_base)
{
    const char *m = cmdline_value("milestone=");
    if (!m)
        return;
    uint8_t cmd = word_is(m, "checkpoint") ? SMM_CMD_CHECKPOINT
                  : word_is(m, "switch")   ? SMM_CMD_SWITCH : 0;
    if (!cmd) {
        check("milestone_known", 0);
        return;
    }
    uint32_t before = smm_mailbox.count;
    smi(cmd);
    smi_wait_count(before + 2);
    kprintf("milestone passed\n");
    check_eq("milestone_latched_smi_taken", smm_mailbox.count, before + 2);
    check_eq("milestone_not_nested", smm_mailbox.nested, 0);
    check_eq("milestone_smbase_kept", smm_mailbox.smm_cs, new_base >> 4);
    check_eq("milestone_smrr_kept", (uint32_t)rdmsr(0x1f3), 0xffff0800);
}

static void test_smbase_relocation(void)
{
    const uint32_t old_base = plat_smbase(), new_base = 0x80000;
    const uint32_t len = smm_handler_end - smm_handler_start;
    memcpy((void *)(new_base + SMM_HANDLER_OFFSET), smm_handler_start, len);
    smm_mailbox.param = new_base;
    smi(SMM_CMD_RELOCATE);
    check_eq("relocate_old_cs", smm_mailbox.smm_cs, old_base >> 4);
    smi(SMM_CMD_RECORD);
    check_eq("relocate_new_cs", smm_mailbox.smm_cs, new_base >> 4);
    check_eq("relocate_saved_smbase", mb_save32(SMM_SMBASE), new_base);
    check_eq("relocate_save_area_moved",
             *(volatile uint32_t *)(new_base + SMM_REVISION),
             SMM_REVISION_ID);
    if (plat_has_smrr())
        milestone(new_base);
    smm_mailbox.param = old_base;
    smi(SMM_CMD_RELOCATE);
    smi(SMM_CMD_RECORD);
    check_eq("relocate_back", smm_mailbox.smm_cs, old_base >> 4);
}

/* ---- SMRAM protection ---- */

static void smram_read(void)
{
    smm_mailbox.readback = *(volatile uint32_t *)(plat_smbase() +
                                                  SMM_SCRATCH);
}

static void smram_write(void)
{
    *(volatile uint32_t *)(plat_smbase() + SMM_SCRATCH) = 0xbadc0de5;
}

static void test_smram_lockdown(void)
{
    smm_mailbox.param = 0x5a5a1234;
    smi(SMM_CMD_TOUCH);
    check_eq("smram_ordinary_in_smm", smm_mailbox.readback, 0x5a5a1234);

    smram_read();
    check("smram_read_outside_hidden", smm_mailbox.readback != 0x5a5a1234);
    smram_write();
    smi(SMM_CMD_PEEK);
    check_eq("smram_write_outside_dropped", smm_mailbox.readback,
             0x5a5a1234);

    if (!plat_has_smrr()) {
        /* QEMU guards SMRAM in the chipset: once locked it stays shut. */
        plat_smram_lock();
        check("smram_chipset_lock_holds", !plat_smram_try_open());
        smram_read();
        check("smram_hidden_after_lock",
              smm_mailbox.readback != 0x5a5a1234);
        return;
    }
    check_eq("smrr_supported_mtrrcap", (uint32_t)rdmsr(0xfe) & 0x800,
             0x800);
    smram_read();
    check_eq("smram_read_outside_all_ones", smm_mailbox.readback,
             0xffffffff);
    check_eq("smram_fetch_outside_ud",
             lm_try(LM_FETCH_SMRAM, (uint32_t)pml4), VEC_UD);
    check_eq("smrr_write_outside_gp",
             lm_try(LM_WRMSR_SMRR, (uint32_t)pml4), VEC_GP);
    check_eq("smbase_msr_outside_gp",
             lm_try(LM_RDMSR_SMBASE, (uint32_t)pml4), VEC_GP);
    check_eq("smrr_unchanged", (uint32_t)rdmsr(0x1f3), 0xffff0800);
    /* A paging structure in SMRAM: the walk must not use it. */
    check_eq("smram_page_walk_outside_pf",
             lm_try(LM_WALK_SMRAM, (uint32_t)pml4), VEC_PF);
}

int kmain(uint32_t magic, uint32_t mbi)
{
    console_init();
    if (magic == 0x2badb002 && (*(uint32_t *)mbi & 4))
        cmdline = *(const char **)(mbi + 16);
    cpu_init();
    kprintf("scotch-smm-conformance platform=%s\n", plat_name());
    check_eq("multiboot_magic", magic, 0x2badb002);
    plat_init();
    plat_smbase_value = plat_smbase();
    build_page_tables();
    build_idt64();
    plat_smm_install(smm_handler_start,
                     smm_handler_end - smm_handler_start);

    test_protected();      /* first SMI: gem5's handler sets the SMRRs */
    test_paged32();
    test_compat();
    test_long64();
    test_rsm_outside_smm();
    test_latched_smi();
    test_nmi_held();
    test_smbase_relocation();
    test_smram_lockdown();
    test_real();           /* last: leaves and re-enters protected mode */

    kprintf("smi_count=%u\n", smm_mailbox.count);
    return check_verdict("conformance");
}
