/* Result slots of tests.S (each a selector or a value read). */
#ifndef WORKLOADS_SELECTORS_TESTS_H
#define WORKLOADS_SELECTORS_TESTS_H

#define R32_LJMP_IMM 0
#define R32_LJMP_MEM 1
#define R32_LCALL_IMM_IN 2
#define R32_LCALL_IMM_OUT 3
#define R32_LCALL_MEM_IN 4
#define R32_LCALL_MEM_OUT 5
#define R32_SS 6
#define R32_DS 7
#define R32_STACK 8
#define R32_ES 9
#define R32_ES_READ 10
#define R32_COUNT 11

#define R64_LRETQ 0
#define R64_LJMP_LIMIT0 1
#define R64_LJMP 2
#define R64_LCALL_IN 3
#define R64_LCALL_OUT 4
#define R64_SS 5
#define R64_FS 6
#define R64_FS_READ 7
#define R64_IRET_CS 8
#define R64_IRET_SS 9
#define R64_COUNT 10

#ifndef __ASSEMBLER__
#include <stdint.h>

extern volatile uint32_t r32[R32_COUNT];
extern volatile uint32_t r64[R64_COUNT];
void prot32_tests(void);
void t64_tests(void);
#endif

#endif
