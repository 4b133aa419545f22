/*
 * 64-bit helpers of the SGX conformance suite, run by lm_call (CPL 0,
 * the identity map of lm64.S) or at_cpl3. Each takes its operands from
 * t64_args and leaves its results there; a fault resumes after the
 * instruction under test and is logged in exc_log (lm64.S).
 */
#include "../selectors/lm64.h"

    .data
    .align 8
    .globl t64_args
t64_args:                           /* struct t64_args (main.c) */
    .quad 0, 0, 0, 0                /* in: RAX, RBX, RCX, RDX */
    .quad 0, 0                      /* out: RAX, RFLAGS */

#define A_RAX 0
#define A_RBX 8
#define A_RCX 16
#define A_RDX 24
#define A_OUT_RAX 32
#define A_OUT_FLAGS 40

    .text
    .code64
    .globl t64_encls, t64_enclu, t64_load, t64_store, t64_jump
    .globl r3_encls

/* ENCLS or ENCLU with RAX, RBX, RCX and RDX from t64_args. */
.macro LEAF name, insn
\name:
    pushq %rbx
    leaq 1f(%rip), %rax
    movq %rax, exc_resume(%rip)
    movq t64_args + A_RBX(%rip), %rbx
    movq t64_args + A_RCX(%rip), %rcx
    movq t64_args + A_RDX(%rip), %rdx
    movq t64_args + A_RAX(%rip), %rax
    \insn
    movq %rax, t64_args + A_OUT_RAX(%rip)
    pushfq
    popq %rax
    movq %rax, t64_args + A_OUT_FLAGS(%rip)
1:  movq $0, exc_resume(%rip)
    popq %rbx
    xorl %eax, %eax
    ret
.endm

LEAF t64_encls, encls
LEAF t64_enclu, enclu

/* RAX := the quadword at RBX (out RAX). */
t64_load:
    leaq 1f(%rip), %rax
    movq %rax, exc_resume(%rip)
    movq t64_args + A_RBX(%rip), %rcx
    movq (%rcx), %rax
    movq %rax, t64_args + A_OUT_RAX(%rip)
1:  movq $0, exc_resume(%rip)
    xorl %eax, %eax
    ret

/* The quadword at RBX := RAX. */
t64_store:
    leaq 1f(%rip), %rax
    movq %rax, exc_resume(%rip)
    movq t64_args + A_RBX(%rip), %rcx
    movq t64_args + A_RAX(%rip), %rax
    movq %rax, (%rcx)
1:  movq $0, exc_resume(%rip)
    xorl %eax, %eax
    ret

/* Jump to RBX (a fetch there must fault: nothing comes back). */
t64_jump:
    leaq 1f(%rip), %rax
    movq %rax, exc_resume(%rip)
    movq t64_args + A_RBX(%rip), %rcx
    jmp *%rcx
1:  movq $0, exc_resume(%rip)
    xorl %eax, %eax
    ret

/* ENCLS at CPL 3 (at_cpl3): #UD, logged; back through INT 0x41. */
r3_encls:
    leaq 1f(%rip), %rax
    movq %rax, exc_resume(%rip)
    movl $0x20, %eax
    encls
1:  int $0x41

    .section .note.GNU-stack, "", @progbits
