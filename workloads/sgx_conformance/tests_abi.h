/*
 * What tests.S gives the C side: the argument block its 64-bit stubs
 * read and write, and the entry points main.c and bench.c call.
 */
#ifndef WORKLOADS_SGX_CONFORMANCE_TESTS_ABI_H
#define WORKLOADS_SGX_CONFORMANCE_TESTS_ABI_H

#include <stdint.h>

/* The stubs' registers in (rax..rdx) and out (rax, rflags). */
struct t64_args {
    uint64_t rax, rbx, rcx, rdx, out_rax, out_flags;
};
extern volatile struct t64_args t64_args;

/* 64-bit stubs (lm_call) and CPL 3 stubs (at_cpl3). */
void t64_encls(void), t64_enclu(void), t64_load(void), t64_store(void);
void t64_jump(void), r3_encls(void), r3_enclu(void), r3_enter(void);
void r3_aep(void), r3_bench_enclave(void), r3_bench_smi(void);

/* The AEPs' counts, and the enclave's code (copied into its page). */
extern volatile uint32_t aep_count, bench_aep_count;
extern const uint8_t enclave_code[], enclave_code_end[];

#endif
