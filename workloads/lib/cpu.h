/*
 * Descriptor tables and fault catching for the bare-metal tests: our own
 * GDT (the loader's may be gone), an IDT whose handlers either recover a
 * fault the test expected or report it and stop.
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

/** Load our GDT and IDT and reload every segment register. */
void cpu_init(void);

/**
 * Run fn; return the vector of the first exception it raised, or -1 if
 * it returned normally. The exception is not retried.
 */
int catch_fault(void (*fn)(void));

/** NMIs (vector 2) taken since boot. */
extern volatile uint32_t nmi_count;

#define VEC_UD 6
#define VEC_GP 13
#define VEC_PF 14

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v),
                     "d"((uint32_t)(v >> 32)));
}

#endif
