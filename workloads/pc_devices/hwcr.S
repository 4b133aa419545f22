/* void t64_rdmsr_hwcr(void): RDMSR HWCR in 64-bit mode (lm_call). */
#include "../selectors/lm64.h"

    .text
    .code64
    .globl t64_rdmsr_hwcr
t64_rdmsr_hwcr:
    leaq 1f(%rip), %rax
    movq %rax, exc_resume(%rip)
    movl $0xc0010015, %ecx
    rdmsr                           /* #GP if the MSR is not modelled */
1:  movq $0, exc_resume(%rip)
    ret

    .section .note.GNU-stack, "", @progbits
