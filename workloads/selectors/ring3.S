/*
 * Ring 3 for one snippet (selectors/ring3.h). t64_ring3 (lm_call, CPL 0)
 * loads the TSS, IRETQs to ring 3 at ring3_entry with RFLAGS
 * ring3_rflags and comes back through the snippet's INT 0x41, whose
 * DPL-3 gate points at ring3_return. A fault in the snippet resumes at
 * exc_resume and is logged (lm64.S).
 */
#include "lm64.h"

    .data
    .align 16
    .globl ring3_entry, ring3_rflags, ring3_value
ring3_entry:
    .quad 0
ring3_rflags:
    .quad 0
ring3_value:
    .quad 0
saved_rsp:
    .quad 0

    .bss
    .align 16
kstack:
    .skip 4096
kstack_top:
ustack:
    .skip 4096
ustack_top:

#define TSS_RSP0 4

    .text
    .code64
    .globl t64_ring3, ring3_return
t64_ring3:
    pushq %rbx
    pushq %rbp
    movq %rsp, saved_rsp(%rip)
    leaq kstack_top(%rip), %rax
    movq %rax, tss64 + TSS_RSP0(%rip)
    movw $XSEL_TSS, %ax
    ltr %ax
    leaq ustack_top(%rip), %rax
    pushq $XSEL_USER_DATA
    pushq %rax
    pushq ring3_rflags(%rip)
    pushq $XSEL_USER_CODE64
    pushq ring3_entry(%rip)
    iretq

/* INT 0x41's handler (ring 0): undo and return from t64_ring3. */
ring3_return:
    movq saved_rsp(%rip), %rsp
    movw $0x10, %ax
    movw %ax, %ss
    movw %ax, %ds
    movw %ax, %es
    popq %rbp
    popq %rbx
    xorl %eax, %eax
    ret

    .section .note.GNU-stack, "", @progbits
