/*
 * RDTSC and RDTSCP at CPL 3, run by at_cpl3 (selectors/ring3.h). With
 * CR4.TSD set each raises #GP(0) and writes no register (Intel SDM vol.
 * 2B, RDTSC and RDTSCP: "IF (CR4.TSD = 0) or (CPL = 0) ... ELSE #GP(0)").
 * Each snippet starts with EDX:EAX and ECX at SENTINEL, stores them in
 * ring3_value (the low dwords) and ring3_aux, and goes back to ring 0.
 */
#include "../selectors/lm64.h"

#define SENTINEL 0x5a5a5a5a

    .data
    .align 8
    .globl ring3_aux
ring3_aux:
    .quad 0

    .text
    .code64
    .globl r3_rdtsc, r3_rdtscp

#define SNIPPET(name, insn)                \
name:                                      \
    leaq 1f(%rip), %rax;                   \
    movq %rax, exc_resume(%rip);           \
    movl $SENTINEL, %eax;                  \
    movl $SENTINEL, %edx;                  \
    movl $SENTINEL, %ecx;                  \
    insn;                                  \
1:  movl %eax, ring3_value(%rip);          \
    movl %edx, ring3_value + 4(%rip);      \
    movl %ecx, ring3_aux(%rip);            \
    int $0x41

SNIPPET(r3_rdtsc, rdtsc)
SNIPPET(r3_rdtscp, rdtscp)

    .section .note.GNU-stack, "", @progbits
