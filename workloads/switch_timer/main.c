/*
 * gem5's X86SwitchTimer: the cycles of a context switch from the PCs a
 * CPU retires, from the switch routine's entry to the first instruction
 * outside the hypervisor's text, SMM time included.
 *
 * The image installs a minimal SMM handler (smm_bench's) and calls
 * switch_routine (switch.S, the whole "hypervisor") N_SWITCHES times
 * with different lengths, half of them raising an SMI, twice (the second
 * pass is the measured one). It times each call with RDTSC and prints the cycles (cycles_<i>=), whether it raised
 * an SMI (smi_<i>=) and the totals (switches=, smis=) between m5
 * resetstats and dumpstats; the host compares them with the timer's
 * switch_cycles.csv and statistics. On QEMU (no timer) it checks only
 * that every SMI arrived.
 */
#include <stdint.h>

#include "check.h"
#include "console.h"
#include "image.h"
#include "platform.h"

#define N_SWITCHES 8

extern const uint8_t empty_handler_start[], empty_handler_end[];
void switch_routine(uint32_t spins, uint32_t smi);

static const uint32_t spins[N_SWITCHES] = {
    2000, 500, 8000, 1000, 3000, 100, 6000, 1500,
};

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

void kmain(void)
{
    image_start("switch_timer");
    plat_init();
    plat_smm_install(empty_handler_start,
                     empty_handler_end - empty_handler_start);
    /* Warm: the first call's misses are not what the test compares. */
    switch_routine(10, 1);

    uint32_t cycles[N_SWITCHES];
    uint32_t smis = 0;
    /* Twice: the first pass brings the loop's own code into the caches
     * (its first RDTSC-to-call stretch missed by 250 cycles on O3). */
    for (unsigned pass = 0; pass < 2; pass++) {
        if (pass)
            plat_stats_reset();
        smis = 0;
        for (unsigned i = 0; i < N_SWITCHES; i++) {
            const uint32_t smi = i & 1;
            const uint64_t t0 = rdtsc();
            switch_routine(spins[i], smi);
            cycles[i] = (uint32_t)(rdtsc() - t0);
            smis += smi;
        }
    }
    plat_stats_dump();

    kprintf("switches=%u smis=%u\n", (uint32_t)N_SWITCHES, smis);
    for (unsigned i = 0; i < N_SWITCHES; i++)
        kprintf("cycles_%u=%u smi_%u=%u\n", i, cycles[i], i, i & 1);
    check("timed", cycles[0] > spins[0]);
    plat_exit(check_verdict("switch_timer"));
}
