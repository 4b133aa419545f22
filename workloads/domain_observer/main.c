/*
 * The simulator-side ground truth (gem5's X86DomainObserver): which
 * domain each CPU runs, named from the page tables CR3 points to.
 *
 * In 4-level paging (compatibility mode) the image switches among four
 * address spaces, each for a different number of loop iterations:
 *   alpha, beta  - map PROBE_VA to a page holding their marker, and
 *                  point PML4 entry KEY_SLOT at their own table (as Xen
 *                  points entry 260 at a domain's per-domain area);
 *   alpha_user   - alpha's entry KEY_SLOT but no PROBE_VA (a PV
 *                  guest's user page tables do not map its kernel);
 *   none         - neither (Xen's idle tables): "other".
 * It times each stretch with RDTSC, from just before its CR3 load to
 * just before the next one, and prints each domain's total
 * (tsc_alpha=, tsc_beta=, tsc_other=), the CR3 loads (loads=) and the
 * switches into each domain (switches_alpha=, ...) between m5
 * resetstats and dumpstats. The host compares them with the observer's
 * statistics. On QEMU (no observer) the image checks its own tables.
 */
#include <stdint.h>

#include "check.h"
#include "console.h"
#include "cpu.h"
#include "image.h"
#include "paging.h"
#include "platform.h"

#define PROBE_VA 0x80000000u  /* PDPT entry 2: no RAM in 2..3 GiB */
#define ALPHA_PAGE 0x1000000u /* the 2 MiB pages PROBE_VA maps */
#define BETA_PAGE 0x1200000u
#define MARKER_OFFSET 0x40
#define KEY_SLOT 260

static const char alpha_marker[] = "scotch-domain=alpha";
static const char beta_marker[] = "scotch-domain=beta";

static uint64_t pml4_none[512] __attribute__((aligned(4096)));
static uint64_t pml4_alpha[512] __attribute__((aligned(4096)));
static uint64_t pml4_beta[512] __attribute__((aligned(4096)));
static uint64_t pml4_alpha_user[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[4][512] __attribute__((aligned(4096)));
static uint64_t pdpt_alpha[512] __attribute__((aligned(4096)));
static uint64_t pdpt_beta[512] __attribute__((aligned(4096)));
static uint64_t pd_alpha[512] __attribute__((aligned(4096)));
static uint64_t pd_beta[512] __attribute__((aligned(4096)));
static uint64_t key_alpha[512] __attribute__((aligned(4096)));
static uint64_t key_beta[512] __attribute__((aligned(4096)));

enum { ALPHA, BETA, OTHER, N_DOMAINS };
static const char *const domain_names[N_DOMAINS] = {"alpha", "beta",
                                                    "other"};

struct stretch {
    const uint64_t *pml4;
    int domain;
    uint32_t spins;
};

/* Unequal stretches, every kind of change, alpha_user both after alpha
 * (no switch) and after another domain. */
static const struct stretch schedule[] = {
    {pml4_alpha, ALPHA, 300000},     {pml4_beta, BETA, 100000},
    {pml4_alpha_user, ALPHA, 200000}, {pml4_none, OTHER, 50000},
    {pml4_beta, BETA, 250000},       {pml4_alpha, ALPHA, 80000},
    {pml4_alpha_user, ALPHA, 120000}, {pml4_beta, BETA, 60000},
};
#define N_STRETCHES (sizeof(schedule) / sizeof(schedule[0]))

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static inline void load_cr3(const uint64_t *pml4)
{
    __asm__ volatile("mov %0, %%cr3" : : "r"(pml4) : "memory");
}

static void spin(uint32_t n)
{
    __asm__ volatile("1: decl %0\n jnz 1b" : "+r"(n) : : "cc");
}

static void copy_table(uint64_t *dst, const uint64_t *src)
{
    for (unsigned i = 0; i < 512; i++)
        dst[i] = src[i];
}

static void put_marker(uint32_t page, const char *marker)
{
    char *p = (char *)(page + MARKER_OFFSET);
    while ((*p++ = *marker++))
        ;
}

static void build_tables(void)
{
    paging_identity_lm(pml4_none, pdpt, pd);

    copy_table(pdpt_alpha, pdpt);
    pd_alpha[0] = ALPHA_PAGE | PTE_LARGE;
    pdpt_alpha[2] = (uint32_t)pd_alpha | PTE_TABLE;
    pml4_alpha[0] = (uint32_t)pdpt_alpha | PTE_TABLE;
    pml4_alpha[KEY_SLOT] = (uint32_t)key_alpha | PTE_TABLE;

    copy_table(pdpt_beta, pdpt);
    pd_beta[0] = BETA_PAGE | PTE_LARGE;
    pdpt_beta[2] = (uint32_t)pd_beta | PTE_TABLE;
    pml4_beta[0] = (uint32_t)pdpt_beta | PTE_TABLE;
    pml4_beta[KEY_SLOT] = (uint32_t)key_beta | PTE_TABLE;

    pml4_alpha_user[0] = (uint32_t)pdpt | PTE_TABLE;
    pml4_alpha_user[KEY_SLOT] = (uint32_t)key_alpha | PTE_TABLE;

    put_marker(ALPHA_PAGE, alpha_marker);
    put_marker(BETA_PAGE, beta_marker);
}

static int probe_says(const char *marker)
{
    const char *p = (const char *)(PROBE_VA + MARKER_OFFSET);
    while (*marker)
        if (*p++ != *marker++)
            return 0;
    return 1;
}

void kmain(void)
{
    image_start("domain_observer");
    cpu_init();
    plat_init();
    build_tables();

    /* Compatibility mode on the identity tables (lib/cpu.S). */
    __asm__ volatile("call long_mode_on"
                     : : "a"((uint32_t)pml4_none) : "ecx", "edx", "memory");

    /* Each domain's tables show its marker at PROBE_VA. */
    load_cr3(pml4_alpha);
    check("probe_alpha", probe_says(alpha_marker));
    load_cr3(pml4_beta);
    check("probe_beta", probe_says(beta_marker));
    load_cr3(pml4_none);

    uint64_t tsc[N_DOMAINS] = {0, 0, 0};
    uint32_t switches[N_DOMAINS] = {0, 0, 0};
    int running = OTHER;

    plat_stats_reset();
    uint64_t t = rdtsc();
    for (unsigned i = 0; i < N_STRETCHES; i++) {
        const struct stretch *s = &schedule[i];
        load_cr3(s->pml4);
        spin(s->spins);
        const uint64_t now = rdtsc();
        tsc[s->domain] += now - t;
        t = now;
        switches[s->domain] += s->domain != running;
        running = s->domain;
    }
    plat_stats_dump();

    load_cr3(pml4_none);
    __asm__ volatile("call long_mode_off" : : : "eax", "ecx", "edx",
                     "memory");

    kprintf("loads=%u\n", (uint32_t)N_STRETCHES);
    for (int d = 0; d < N_DOMAINS; d++)
        kprintf("tsc_%s=0x%08x%08x\n", domain_names[d],
                (uint32_t)(tsc[d] >> 32), (uint32_t)tsc[d]);
    for (int d = 0; d < N_DOMAINS; d++)
        kprintf("switches_%s=%u\n", domain_names[d], switches[d]);
    check("timed", tsc[ALPHA] && tsc[BETA] && tsc[OTHER]);
    plat_exit(check_verdict("domain_observer"));
}
