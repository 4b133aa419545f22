/*
 * Faults while an exception is delivered (lm_call from main.c, 64-bit
 * mode at CS 0xe008, the IDT from lm64.S).
 */
#include "../selectors/lm64.h"

    .data
    .align 4
fp_null:                            /* m16:32 to the null selector */
    .long 0
    .word 0

    .text
    .code64
/*
 * #GP through a gate whose code segment is not present: #NP while
 * delivering #GP, a double fault. Then #UD through a gate that is not
 * present: #NP, delivered on its own (a benign exception first).
 */
    .globl t64_double
t64_double:
    leaq after_df(%rip), %rax
    movq %rax, exc_resume(%rip)
    ljmp *fp_null(%rip)             /* #GP(0) */
after_df:
    leaq after_np(%rip), %rax
    movq %rax, exc_resume(%rip)
    ud2                             /* #UD */
after_np:
    movq $0, exc_resume(%rip)
    xorl %eax, %eax
    ret

/* The same #GP with the #DF gate's code segment not present either. */
    .globl t64_triple
t64_triple:
    leaq after_triple(%rip), %rax
    movq %rax, exc_resume(%rip)
    ljmp *fp_null(%rip)             /* #GP(0) -> #NP -> #DF -> #NP */
after_triple:
    movq $0, exc_resume(%rip)
    movl $1, %eax
    ret

    .section .note.GNU-stack, "", @progbits
