/*
 * RDTSC and RDTSCP against CR4.TSD (Intel SDM vol. 2B; tests.S). Xen
 * sets CR4.TSD while a PV domU runs whenever it emulates that domU's
 * TSC (the default on a host without an invariant TSC) and answers the
 * #GP with its virtual TSC, the one the domU's pvclock stamps are in.
 * gem5 ignored the bit, so a domU read the raw TSC against virtual
 * stamps, its clock ran ahead of Xen's and its timers fired late
 * (patch 0031). Also prints whether CPUID 8000_0007h reports an
 * invariant TSC (invariant_tsc=; patch 0032 on gem5).
 */
#include <stdint.h>

#include "../selectors/ring3.h"
#include "check.h"
#include "console.h"
#include "cpu.h"
#include "image.h"
#include "platform.h"

#define SENTINEL 0x5a5a5a5aULL
#define CR4_TSD (1u << 2)

extern volatile uint64_t ring3_aux;
void r3_rdtsc(void), r3_rdtscp(void);

static void cpuid(uint32_t leaf, uint32_t r[4])
{
    __asm__ volatile("cpuid"
                     : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                     : "a"(leaf), "c"(0));
}

static void set_tsd(int on)
{
    uint32_t cr4;
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    cr4 = on ? cr4 | CR4_TSD : cr4 & ~CR4_TSD;
    __asm__ volatile("mov %0, %%cr4" : : "r"(cr4) : "memory");
}

static uint64_t rdtsc0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* Run `snippet` at CPL 3 and say whether it wrote no register. */
static uint32_t at_cpl3_untouched(void (*snippet)(void), int *untouched)
{
    uint32_t r = at_cpl3(snippet, 0);
    *untouched = ring3_value == (SENTINEL << 32 | SENTINEL) &&
                 (uint32_t)ring3_aux == (uint32_t)SENTINEL;
    return r;
}

int kmain(uint32_t magic, uint32_t mbi)
{
    (void)magic;
    (void)mbi;
    image_start("time-stamp");
    ring3_init();
    uint32_t r[4];
    cpuid(0x80000001, r);
    const int has_rdtscp = (r[3] >> 27) & 1;
    cpuid(0x80000000, r);
    int invariant = 0;
    if (r[0] >= 0x80000007) {
        cpuid(0x80000007, r);
        invariant = (r[3] >> 8) & 1;
    }
    kprintf("invariant_tsc=%d\n", invariant);
    kprintf("rdtscp=%d\n", has_rdtscp);
    int untouched;

    /* CR4.TSD clear: ring 3 reads the counter, which moves on. */
    set_tsd(0);
    check_eq("tsd0_rdtsc_gp", at_cpl3_untouched(r3_rdtsc, &untouched), 0);
    check("tsd0_rdtsc_written", !untouched);
    const uint64_t first = ring3_value;
    check_eq("tsd0_rdtsc_again_gp", at_cpl3(r3_rdtsc, 0), 0);
    check("tsd0_rdtsc_advances", ring3_value > first);

    /* CR4.TSD set: #GP(0) at CPL 3, nothing written; CPL 0 still reads. */
    set_tsd(1);
    check_eq("tsd1_rdtsc_gp", at_cpl3_untouched(r3_rdtsc, &untouched), 1);
    check("tsd1_rdtsc_untouched", untouched);
    const uint64_t a = rdtsc0(), b = rdtsc0();
    check("tsd1_cpl0_rdtsc_reads", b > a);
    if (has_rdtscp) {
        check_eq("tsd1_rdtscp_gp",
                 at_cpl3_untouched(r3_rdtscp, &untouched), 1);
        check("tsd1_rdtscp_untouched", untouched);
        set_tsd(0);
        check_eq("tsd0_rdtscp_gp", at_cpl3(r3_rdtscp, 0), 0);
        check("tsd0_rdtscp_written", ring3_value != first);
    }
    set_tsd(0);
    return check_verdict("time_stamp");
}
