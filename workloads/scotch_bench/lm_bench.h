/*
 * The timing loop of the Scotch handler benchmark, run in 64-bit mode
 * (lm_bench.S): what main.c asks of it and gets back. The offsets are
 * for the assembly; main.c checks them against the struct.
 */
#ifndef SCOTCH_BENCH_LM_BENCH_H
#define SCOTCH_BENCH_LM_BENCH_H

#define LMB_PML4 0     /* u32: CR3 in long mode (identity + Xen's map) */
#define LMB_N 4        /* u32: SMIs to raise */
#define LMB_RSP 8      /* u64: RSP during the run (the fake Xen stack) */
#define LMB_CMD 16     /* u32: AL at the OUT to 0xB2 */
#define LMB_FLAG 20    /* u32: address of the word the handler sets */
#define LMB_SLOT 24    /* u32: address of cpu_info.current_vcpu, or 0 */
#define LMB_DELTAS 28  /* u32: address of u32[n]: TSC, OUT to flag seen */
#define LMB_VCPU 32    /* u64[2]: stored to *slot, vcpu[i & 1] before SMI i */
#define LMB_RDI 48     /* u64: RDI at the OUT */
#define LMB_RSI 56     /* u64: RSI at the OUT */
#define LMB_TIMEOUTS 64 /* u32, out: SMIs whose flag never came */
#define LMB_SIZE 72

/* Flag polls before an SMI counts as lost (far more than any takes). */
#define LMB_BUDGET 4000000

#ifndef __ASSEMBLER__
#include <stdint.h>

struct lm_bench {
    uint32_t pml4;
    uint32_t n;
    uint64_t rsp;
    uint32_t cmd;
    uint32_t flag;
    uint32_t slot;
    uint32_t deltas;
    uint64_t vcpu[2];
    uint64_t rdi;
    uint64_t rsi;
    uint32_t timeouts;
    uint32_t reserved;
};

/** Enter long mode, run the SMIs r asks for, come back (lm_bench.S). */
void lm_bench(struct lm_bench *r);
#endif

#endif
