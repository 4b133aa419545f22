/*
 * The platform and the enclaves of the SGX conformance suite, for C and
 * assembly alike. scotch_plugin/sgx/conformance.py describes the same
 * enclaves to the host (tests/test_sgx_conformance.py compares them).
 *
 * The EPC is 16 pages at EPC_BASE (gem5: --epc-base, --epc-size).
 * ELRANGE maps one to one onto the EPC pages that back it (lm_call's
 * identity map); the SECS lies beyond it.
 */
#ifndef WORKLOADS_SGX_CONFORMANCE_LAYOUT_H
#define WORKLOADS_SGX_CONFORMANCE_LAYOUT_H

#define PG 4096
#define EPC_BASE 0x10000000
#define EPC_PAGE(i) (EPC_BASE + (i) * PG)
#define SECS_PAGE EPC_PAGE(8)
#define UNUSED_PAGE EPC_PAGE(10) /* never an enclave's */
#define SPARE_PAGE EPC_PAGE(7)   /* for EADDs that must fail */
#define FREE_PAGE EPC_PAGE(9)    /* for an EREMOVE of a free page */

/* The enclave: identity-mapped, two threads. The first TCS enters at
 * the start of the code page (the suite's enclave), the second at
 * BENCH_ENTRY_OFF in it (the benchmark's), each with its own SSA. */
#define ENCL_BASE 0x10000000
#define ENCL_SIZE 0x8000
#define TCS_OFF 0x1000
#define CODE_OFF 0x2000
#define SSA_OFF 0x3000
#define DATA_OFF 0x4000
#define TCS2_OFF 0x5000
#define SSA2_OFF 0x6000
#define BENCH_ENTRY_OFF 0x800 /* in the code page */
#define MARKER 0x5ec1a7e5

/* The local APIC, moved below 1 GiB where lm_call maps it. */
#define IA32_APIC_BASE 0x1b
#define APIC_BASE 0x3e000000
#define APIC_ICR_LOW 0x300
#define APIC_TIMER_INIT 0x380
#define ICR_SMI_SELF 0x00040200 /* delivery mode SMI, shorthand self */

/* ENCLU leaves (EAX). */
#define EGETKEY 1
#define EENTER 2
#define ERESUME 3
#define EEXIT 4

#endif
