/*
 * x87, SSE and WAIT against CR0.TS, CR0.EM and CR0.MP (Intel SDM vol. 3A,
 * 2.5 and table 2-2; vol. 1, 13.x "Emulation" / 11.6.x for SSE). t64_nm
 * (lm_call, CPL 0) runs each probe with the CR0 bits it names and logs
 * the exceptions it takes; the stubs resume after the instruction.
 * Xen's lazy FPU switching sets TS at a vCPU switch and restores the
 * vCPU's FPU state at its first #NM.
 */
#include "../selectors/lm64.h"

#define CR0_MP (1 << 1)
#define CR0_EM (1 << 2)
#define CR0_TS (1 << 3)
#define CR4_OSFXSR (1 << 9)

    .data
    .align 16
    .globl nm_count, nm_vector
nm_count:
    .fill 16, 4, 0
nm_vector:
    .fill 16, 4, 0
fxarea:
    .fill 512, 1, 0
one:
    .long 0x3f800000, 0, 0, 0

    .text
    .code64
    .globl t64_nm

/* PROBE idx, cr0 bits, instruction: run it with those bits set. */
.macro PROBE idx, bits, insn:vararg
    movl $0, exc_count(%rip)
    leaq 1f(%rip), %rax
    movq %rax, exc_resume(%rip)
    movq %cr0, %rax
    andq $~(CR0_MP | CR0_EM | CR0_TS), %rax
    orq $(\bits), %rax
    movq %rax, %cr0
    \insn
1:  clts                                /* TS off for the logging */
    movl exc_count(%rip), %eax
    movl %eax, nm_count + 4 * \idx(%rip)
    movl exc_log(%rip), %eax
    movl %eax, nm_vector + 4 * \idx(%rip)
.endm

t64_nm:
    pushq %rbx
    movq %cr4, %rax
    orq $CR4_OSFXSR, %rax
    movq %rax, %cr4
    fninit
    PROBE 0, CR0_MP, movaps one(%rip), %xmm1
    PROBE 1, CR0_MP | CR0_TS, movaps one(%rip), %xmm1
    PROBE 2, CR0_MP | CR0_TS, addps %xmm1, %xmm2
    PROBE 3, CR0_MP | CR0_TS, fld1
    PROBE 4, CR0_MP | CR0_TS, fxsave fxarea(%rip)
    PROBE 5, CR0_MP | CR0_TS, fwait
    PROBE 6, CR0_TS, fwait                  /* MP clear: WAIT ignores TS */
    PROBE 7, CR0_EM, fld1                   /* x87 emulation: #NM */
    PROBE 8, CR0_MP | CR0_TS, addl $1, %ebx /* not an FPU instruction */
    PROBE 9, CR0_MP, fld1
    fninit
    movq %cr0, %rax
    andq $~(CR0_EM | CR0_TS), %rax
    orq $CR0_MP, %rax
    movq %rax, %cr0
    movq $0, exc_resume(%rip)
    popq %rbx
    xorl %eax, %eax
    ret

    .section .note.GNU-stack, "", @progbits
