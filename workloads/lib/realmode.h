/*
 * An SMI raised from real mode (realmode.S), for the suites that need
 * one: the SMM conformance suite's save-area checks and the probes of
 * SMRAM right after RSM.
 */
#ifndef WORKLOADS_LIB_REALMODE_H
#define WORKLOADS_LIB_REALMODE_H

/* Where the trampoline runs: real-mode code must lie below 1 MiB. */
#define RM_BASE 0x7000

#ifndef __ASSEMBLER__
#include <stdint.h>

/**
 * From 32-bit protected mode (lib's GDT): drop to real mode, clear
 * *flag, raise an SMI with AL = cmd through the APM port, wait until
 * *flag is non-zero (set by the handler: QEMU takes the SMI a few
 * instructions after the OUT), read the 32-bit word at linear address
 * peek, and come back. Returns that word. The SMI's saved RIP lies in
 * [RM_BASE + rm_after_offset, RM_BASE + rm_after_end_offset] and its
 * saved RSP is RM_BASE - 0x10.
 */
uint32_t rm_smi_peek(uint32_t cmd, volatile uint32_t *flag, uint32_t peek);
extern const uint32_t rm_after_offset, rm_after_end_offset;
#endif

#endif
