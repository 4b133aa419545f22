/*
 * Descriptor tables for the bare-metal tests: our own GDT (the loader's
 * may be gone) and a 32-bit IDT that reports an unexpected exception and
 * stops. Expected faults are tested in 64-bit mode (faults64.S): gem5
 * delivers no exceptions in legacy protected mode.
 */
#ifndef WORKLOADS_CPU_H
#define WORKLOADS_CPU_H

#include <stdint.h>

/* GDT selectors (gdt in cpu.S). */
#define SEL_CODE32 0x08
#define SEL_DATA32 0x10
#define SEL_CODE64 0x18
#define SEL_CODE16 0x20
#define SEL_DATA16 0x28
#define SEL_TSS 0x30
/* 8-byte slots in the GDT (cpu.S), the TSS taking two. */
#define GDT_SLOTS 8

/** TR := a TSS at @tss of @limit + 1 bytes (once; cpu.S). */
void cpu_load_tss(const void *tss, uint32_t limit);

/** Load our GDT and IDT and reload every segment register. */
void cpu_init(void);

/** NMIs (vector 2) taken since boot. */
extern volatile uint32_t nmi_count;

/*
 * An expected page fault: while pf_resume is set, a #PF counts in
 * pf_count, leaves its error code and CR2, and resumes at pf_resume
 * (trap.c; in long mode the image's own 64-bit stub does the same).
 */
extern volatile uint32_t pf_resume, pf_count, pf_err, pf_cr2;

#define VEC_UD 6
#define VEC_GP 13
#define VEC_PF 14

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

/** The TSC after every earlier instruction has completed (LFENCE). */
static inline uint64_t rdtsc_fenced(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v),
                     "d"((uint32_t)(v >> 32)));
}

#endif
