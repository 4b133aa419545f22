/*
 * One snippet at CPL 3 from 32-bit protected mode (ring3.S, ring3.c):
 * for what the CPU checks of a ring-3 instruction (port I/O against
 * IOPL and the TSS's bitmap, RDTSC against CR4.TSD). A snippet ends
 * with INT 0x41 and sets exc_resume to the instruction after the one
 * under test, so a fault there is logged and skipped.
 */
#ifndef WORKLOADS_SELECTORS_RING3_H
#define WORKLOADS_SELECTORS_RING3_H

#include <stdint.h>

#define RING3_VECTOR 0x41

/* A 64-bit TSS, an I/O permission bitmap for ports 0..0x3ff and the
 * all-ones byte the SDM asks after it (so an access to 0x3ff..0x400
 * reads two bytes). The bitmap's offset is TSS byte 0x66. */
struct tss_io {
    uint8_t tss[104];
    uint8_t bitmap[0x400 / 8];
    uint8_t end;
} __attribute__((packed, aligned(16)));

extern struct tss_io tss64;
/** What the snippet stored (it starts as the caller left it). */
extern volatile uint64_t ring3_value;

/** Once, at CPL 0 in 32-bit mode: the GDT, the IDT and INT 0x41. */
void ring3_init(void);

/**
 * Run `snippet` at CPL 3 with IOPL `iopl`: 0 if it took no exception,
 * 1 if one #GP(0), else 0x100 | the first exception's vector.
 */
uint32_t at_cpl3(void (*snippet)(void), int iopl);
/** The same with RFLAGS @p rflags (IF set: interrupts at CPL 3). */
uint32_t at_cpl3_rflags(void (*snippet)(void), uint64_t rflags);

#endif
