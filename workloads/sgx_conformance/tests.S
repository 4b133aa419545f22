/*
 * 64-bit helpers of the SGX conformance suite, run by lm_call (CPL 0,
 * the identity map of lm64.S) or at_cpl3. Each takes its operands from
 * t64_args and leaves its results there; a fault resumes after the
 * instruction under test and is logged in exc_log (lm64.S).
 */
#include "../selectors/lm64.h"
#include "layout.h"

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

/* ENCLS or ENCLU with RAX, RBX, RCX and RDX from t64_args, then \end:
 * RET for lm_call, INT 0x41 back from ring 3 (at_cpl3). */
.macro LEAF name, insn, end
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
    \end
.endm

LEAF t64_encls, encls, ret
LEAF t64_enclu, enclu, ret

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

/* ENCLU at CPL 3 with t64_args (a fault resumes after it). */
    .globl r3_enclu
LEAF r3_enclu, enclu, "int $0x41"

/*
 * EENTER the enclave whose TCS is t64_args.RBX, with t64_args.RDX for
 * its buffer; EEXIT comes back after the ENCLU. r3_aep is the AEP: an
 * AEX (an interrupt or SMI inside) returns there with the synthetic
 * state (RAX = ERESUME, RBX = the TCS, RCX = the AEP), and ERESUME goes
 * back in. An interrupt's handler (lm64.S) also resumes at exc_resume,
 * which is the AEP here.
 */
    .globl r3_enter, r3_aep, aep_count
r3_enter:
    leaq r3_aep(%rip), %rcx
    movq %rcx, exc_resume(%rip)
    movq t64_args + A_RBX(%rip), %rbx
    movq t64_args + A_RDX(%rip), %rdx
    movl $EENTER, %eax
    enclu
    movq %rax, t64_args + A_OUT_RAX(%rip)
    int $0x41
r3_aep:
    incl aep_count(%rip)
    enclu                           /* ERESUME */

    .data
    .align 4
aep_count:
    .long 0

/*
 * The benchmark's timing loops at CPL 3 (bench.c), from t64_args: RAX
 * the rounds, RCX where each round's TSC delta goes (a uint32_t each).
 * r3_bench_enclave: EENTER the thread whose TCS is RBX with RDX for it
 * (enclave_bench), back at EEXIT; an AEX inside comes to bench_aep,
 * which counts it and ERESUMEs. r3_bench_smi: the same SMI outside any
 * enclave, RDX the address of the SMM handler's count.
 */
    .text
    .globl r3_bench_enclave, r3_bench_smi, bench_aep_count
/* A round's start: R8 rounds left, R9 the next delta, R12 the TSC. */
.macro ROUND_START
    lfence
    rdtsc
    movl %eax, %r12d
.endm

/* Its end: store the delta, go on while rounds are left (label 1). */
.macro ROUND_END
    lfence
    rdtsc
    subl %r12d, %eax
    movl %eax, (%r9)
    addq $4, %r9
    decq %r8
    jnz 1b
    int $0x41
.endm

r3_bench_enclave:
    movq t64_args + A_RAX(%rip), %r8
    movq t64_args + A_RCX(%rip), %r9
    movq t64_args + A_RBX(%rip), %r10
    movq t64_args + A_RDX(%rip), %r11
1:  ROUND_START
    movq %r10, %rbx
    movq %r11, %rdx
    leaq bench_aep(%rip), %rcx
    movl $EENTER, %eax
    enclu                           /* EEXIT returns here */
    ROUND_END
bench_aep:                          /* RAX, RBX, RCX: ERESUME's */
    incl bench_aep_count(%rip)
    enclu

r3_bench_smi:
    movq t64_args + A_RAX(%rip), %r8
    movq t64_args + A_RCX(%rip), %r9
    movq t64_args + A_RDX(%rip), %r11
    movl $APIC_BASE, %esi
1:  ROUND_START
    movl (%r11), %edi
    movl $ICR_SMI_SELF, APIC_ICR_LOW(%rsi)
2:  cmpl (%r11), %edi
    je 2b
    ROUND_END

    .data
    .align 4
bench_aep_count:
    .long 0

/*
 * The enclave's code, copied to the start of its code page (main.c) and
 * measured there (the host reads these bytes from the ELF's section
 * .enclave_code: scotch_plugin/sgx/conformance.py). It runs at CPL 3 in
 * 64-bit mode at ENCL_BASE + CODE_OFF, RDX the caller's buffer
 * (outside), out[0..5]:
 *   0  what it wrote to its data page and read back
 *   1  EGETKEY's RAX;  2, 3  the seal key (its own MRENCLAVE)
 *   4  the AEP's count once an SMI (a self-IPI through the local APIC,
 *      relocated to APIC_BASE below 1 GiB) and a timer interrupt hit
 *      it and ERESUME brought it back each time (out[5]: &aep_count)
 * and, after EGETKEY, takes the milestone in out[6] from inside: 1 an m5
 * checkpoint, 2 an m5 switchcpu (gem5 saves or switches there)
 * and EEXITs to where EENTER came from.
 */
    .section .enclave_code, "a"
    .globl enclave_code, enclave_code_end
enclave_code:
    movq %rcx, %r15                 /* EEXIT target */
    movq %rdx, %r14                 /* the caller's buffer */
    leaq enclave_code(%rip), %rdi   /* this page ... */
    addq $(DATA_OFF - CODE_OFF), %rdi /* ... and the data page */
    movq $MARKER, %rax
    movq %rax, (%rdi)
    movq (%rdi), %rax
    movq %rax, 0(%r14)
    movw $4, 0x200(%rdi)            /* KEYREQUEST.KEYNAME: SEAL_KEY */
    movw $1, 0x202(%rdi)            /* KEYPOLICY: MRENCLAVE */
    leaq 0x200(%rdi), %rbx
    leaq 0x400(%rdi), %rcx
    movl $1, %eax                   /* EGETKEY */
    enclu
    movq %rax, 8(%r14)
    movq 0x400(%rdi), %rax
    movq %rax, 16(%r14)
    movq 0x408(%rdi), %rax
    movq %rax, 24(%r14)
    movq 48(%r14), %rax             /* out[6]: the milestone, if any */
    movq %rdi, %r12
    xorl %edi, %edi                 /* m5op arguments: delay, period */
    xorl %esi, %esi
    cmpq $1, %rax
    jne 3f
    .byte 0x0f, 0x04                /* m5 checkpoint, in the enclave */
    .word 0x43
3:  cmpq $2, %rax
    jne 4f
    .byte 0x0f, 0x04                /* m5 switchcpu, in the enclave */
    .word 0x52
4:  movq %r12, %rdi
    movq 40(%r14), %r13             /* &aep_count, outside */
    movl $APIC_BASE, %esi
    movl $ICR_SMI_SELF, APIC_ICR_LOW(%rsi)
    movl $1000, APIC_TIMER_INIT(%rsi) /* the timer: one shot, soon */
    movl $50000000, %ecx
1:  cmpl $2, (%r13)                 /* both came back through the AEP */
    jae 2f
    decl %ecx
    jnz 1b
2:  movl (%r13), %eax
    movq %rax, 32(%r14)
    movq %r15, %rbx
    movl $EEXIT, %eax
    enclu

/*
 * The benchmark's thread (TCS2's OENTRY; bench.c). RDX 0: EEXIT at once,
 * the empty enclave. Otherwise RDX is the address of the AEP's count
 * (outside): raise an SMI (an AEX), wait until the AEP has counted it
 * and ERESUME has come back, then EEXIT.
 */
    .org BENCH_ENTRY_OFF
enclave_bench:
    testq %rdx, %rdx
    jnz 1f
    movq %rcx, %rbx
    movl $EEXIT, %eax
    enclu
1:  movq %rcx, %r15
    movl (%rdx), %edi
    movl $APIC_BASE, %esi
    movl $ICR_SMI_SELF, APIC_ICR_LOW(%rsi)
2:  cmpl (%rdx), %edi
    je 2b
    movq %r15, %rbx
    movl $EEXIT, %eax
    enclu
enclave_code_end:

    .section .note.GNU-stack, "", @progbits
