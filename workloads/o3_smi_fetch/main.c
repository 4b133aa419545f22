/*
 * SMIs taken while O3's instruction fetch has page walks queued, at a
 * Xen-like linear address (patches 0033 and 0034).
 *
 * The gem5 bug it reproduces: a fetch's walk queued in
 * the ITLB walker behind another starts only when that one ends. If an
 * SMI was taken in between, the walk sets itself up from SMM's CR4 and
 * EFER (both 0): a 32-bit walk of the 64-bit linear address through the
 * old CR3, with NX off. Its not-present fault then turns the walk's mode
 * from Execute into Read (Walker::WalkerState::pageFault), and O3's
 * FetchTranslation::finish asserts mode == Execute.
 *
 * 1. fetch_fault: deterministic, no SMI. Long mode with EFER.NXE = 0, a
 *    CALL to a not-present page: the same mode rewrite, so O3 asserts
 *    without the fix; the #PF's error code must be 0 (no I/D bit
 *    without NXE, SDM 4.7) and CR2 the address.
 * 2. hops: long mode, NXE = 1 (as Xen), code in 512 4 KiB pages at
 *    0xffff82d040200000 reached by random indirect jumps, page tables
 *    uncacheable (PCD) so walks are slow and queue; random SMIs from
 *    the trigger (--trigger-random-mean). Without the fix O3 dies at the
 *    assertion within a few SMIs. PML4[128] is a canary: the bogus
 *    32-bit walk of 0x402xxxxx reads the PML4 as a page directory and
 *    its entry 0x100 is PML4[128]'s low half; it is present with A
 *    clear and nothing in long mode uses it, so A set afterwards means a
 *    walk ran with SMM's paging mode (the first half of the fix alone
 *    removes the assertion but not this).
 *
 * Command line: "smis=N" (default 500), SMIs to wait for.
 */
#include <stdint.h>

#include "check.h"
#include "cmdline.h"
#include "console.h"
#include "cpu.h"
#include "image.h"
#include "paging.h"
#include "platform.h"
#include "smm_mailbox.h"

#define HI_BASE 0xffff82d040200000ull
#define PTE_PCD 0x10
#define PTE_A_BIT 0x20
#define CR3_PCD 0x10
#define EFER 0xc0000080u
#define EFER_NXE (1u << 11)
#define MAX_HOPS 2000000u
#define IDX(va, shift) ((uint32_t)(((va) >> (shift)) & 511))

static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[4][512] __attribute__((aligned(4096)));
static uint64_t pdpt_hi[512] __attribute__((aligned(4096)));
static uint64_t pd_hi[512] __attribute__((aligned(4096)));
static uint64_t pt_hi[512] __attribute__((aligned(4096)));
static uint64_t canary[512] __attribute__((aligned(4096)));
static uint8_t pages[512][4096] __attribute__((aligned(4096)));

extern const uint8_t hop_tmpl[], hop_tmpl_end[];
extern uint64_t ff_idt[64];
extern uint16_t ff_idt_desc[];
extern const uint8_t ff_pf_stub[], ff_unexpected[];
uint32_t hop_run(uint32_t cr3, uint32_t smis, uint32_t max_hops);
void fetch_fault(uint32_t cr3, uint32_t *out);

static void build_tables(void)
{
    paging_identity_lm(pml4, pdpt, pd);
    /* HI_BASE: PML4 261 -> PDPT 0x141 -> PD 1 -> 512 4 KiB pages. Every
     * non-leaf entry has PCD: the next level is read from memory. */
    pml4[IDX(HI_BASE, 39)] = (uint32_t)pdpt_hi | PTE_TABLE | PTE_PCD;
    pdpt_hi[IDX(HI_BASE, 30)] = (uint32_t)pd_hi | PTE_TABLE | PTE_PCD;
    pd_hi[IDX(HI_BASE, 21)] = (uint32_t)pt_hi | PTE_TABLE | PTE_PCD;
    for (uint32_t i = 0; i < 512; i++) {
        pt_hi[i] = (uint32_t)pages[i] | PTE_P | PTE_A;
        const uint8_t *s = hop_tmpl;
        for (uint32_t j = 0; s + j < hop_tmpl_end; j++)
            pages[i][j] = s[j];
    }
    /* The canary: present, A clear, unused in long mode; the bogus
     * 32-bit walk of 0x402xxxxx reads its low half as a PDE. */
    pml4[128] = (uint32_t)canary | PTE_P | PTE_RW;
}

static void build_idt(void)
{
    for (unsigned v = 0; v < 32; v++)
        idt64_gate(ff_idt, v, SEL_CODE64,
                   (uint32_t)(v == VEC_PF ? ff_pf_stub : ff_unexpected));
    idt64_desc_set(ff_idt_desc, ff_idt);
}

int kmain(uint32_t magic, uint32_t mbi)
{
    cmdline_init(magic, mbi);
    const uint32_t want = cmdline_number("smis=", 500);
    smm_mailbox.no_cmds = 1; /* random SMIs find anything in AL */
    plat_smm_install(smm_handler_start,
                     smm_handler_end - smm_handler_start);
    image_start("o3-smi-fetch");
    build_tables();
    build_idt();
    const uint32_t cr3 = (uint32_t)pml4 | CR3_PCD;

    /* 1. A fetch's #PF with EFER.NXE = 0 (no SMI needed). */
    wrmsr(EFER, rdmsr(EFER) & ~(uint64_t)EFER_NXE);
    uint32_t out[4] = {0, 0, 0, 0};
    fetch_fault(cr3, out);
    check_eq("nxe0_fetch_pf_taken", out[0], 1);
    check_eq("nxe0_fetch_pf_err", out[1], 0); /* not present, no I/D */
    check_eq64("nxe0_fetch_pf_cr2", ((uint64_t)out[3] << 32) | out[2],
               HI_BASE + 0x200000 + 0x40);

    /* 2. Random SMIs while fetch walks queue, NXE = 1 as under Xen. */
    wrmsr(EFER, rdmsr(EFER) | EFER_NXE);
    const uint32_t before = smm_mailbox.count;
    const uint32_t hops = hop_run(cr3, before + want, MAX_HOPS);
    const uint32_t smis = smm_mailbox.count - before;
    wrmsr(EFER, rdmsr(EFER) & ~(uint64_t)EFER_NXE);
    kprintf("hops=%u smis=%u\n", hops, smis);
    check("hops_made", hops > 0);
    /* Without a trigger (QEMU, or no --trigger-random-mean) none come. */
    check("smis_taken_or_no_trigger", smis >= want || smis == 0);
    check_eq("no_walk_in_smm_canary_a", (uint32_t)pml4[128] & PTE_A_BIT, 0);
    check_eq("not_nested", smm_mailbox.nested, 0);
    return check_verdict("o3_smi_fetch");
}
