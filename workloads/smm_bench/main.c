/*
 * SMI round-trip benchmark: with a minimal handler (one store, RSM), time N
 * SMIs through the APM port with RDTSC (gem5's TSC counts CPU cycles).
 * Prints the distribution; the host benchmark reads it with gem5's SMM
 * stats.
 */
#include <stdint.h>

#include "console.h"
#include "platform.h"

#define ROUNDS 64

extern const uint8_t empty_handler_start[], empty_handler_end[];
extern volatile uint32_t bench_flag;

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

int kmain(uint32_t magic, uint32_t mbi)
{
    (void)magic;
    (void)mbi;
    console_init();
    kprintf("scotch-smm-bench platform=%s rounds=%u\n", plat_name(), ROUNDS);
    plat_init();
    plat_smm_install(empty_handler_start,
                     empty_handler_end - empty_handler_start);

    uint32_t base_min = ~0u, min = ~0u, max = 0;
    uint64_t total = 0;
    /* The cost of the timing itself, without an SMI. */
    for (int i = 0; i < ROUNDS; i++) {
        uint64_t t0 = rdtsc();
        uint64_t t1 = rdtsc();
        if ((uint32_t)(t1 - t0) < base_min)
            base_min = t1 - t0;
    }
    for (int i = 0; i < ROUNDS + 1; i++) {
        bench_flag = 0;
        uint64_t t0 = rdtsc();
        __asm__ volatile("outb %0, $0xb2" : : "a"((uint8_t)0) : "memory");
        while (!bench_flag)
            ;
        uint64_t t1 = rdtsc();
        uint32_t d = t1 - t0;
        if (i == 0)
            continue; /* warm-up: caches and TLBs */
        total += d;
        if (d < min)
            min = d;
        if (d > max)
            max = d;
    }
    kprintf("roundtrip_cycles_min=%u roundtrip_cycles_max=%u "
            "roundtrip_cycles_avg=%u timing_overhead=%u\n", min, max,
            (uint32_t)(total / ROUNDS), base_min);
    kprintf("bench: PASS\n");
    return 0;
}
