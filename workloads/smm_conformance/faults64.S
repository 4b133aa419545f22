/*
 * Fault tests run in 64-bit mode, with a 64-bit IDT: gem5's x86 model
 * delivers interrupts and exceptions in real and long mode only (its
 * microcode has no legacy protected-mode delivery), and Scotch's
 * hypervisor runs in long mode anyway.
 *
 * int lm_try(int test, uint32_t pml4): enter long mode, load idt64, run
 * test number `test` (below), and return the vector of the exception it
 * raised, or -1 if it finished without one. NMIs (vector 2) are counted
 * in nmi_count and returned from.
 */
#include "smm_mailbox.h"


    .data
    .align 16
    .globl idt64
idt64:
    .skip 16 * 32
    .globl idt64_desc
idt64_desc:                         /* base filled in by main.c */
    .word 16 * 32 - 1
    .long 0, 0
    .align 8
lm_saved_esp: .long 0
catch64_rsp:  .quad 0
catch64_rip:  .quad 0
lm_test:      .long 0
lm_result:    .long 0
    .globl lm_smram_va
lm_smram_va:  .quad 0x100000000     /* mapped through SMRAM by main.c */

    .text
    .code32
    .globl lm_try
lm_try:
    pushl %ebp
    pushl %ebx
    pushl %esi
    pushl %edi
    movl 20(%esp), %eax
    movl %eax, lm_test
    movl %esp, lm_saved_esp
    movl 24(%esp), %eax
    call long_mode_on               /* modes.S */
    ljmp $0x18, $1f

    .code64
    /* 64-bit code in an ELF32 object: memory through (%rip) only. */
1:  movl %esp, %esp
    lidt idt64_desc(%rip)
    movl $lm_recover, %eax
    movq %rax, catch64_rip(%rip)
    movq %rsp, catch64_rsp(%rip)
    movl $-1, lm_result(%rip)
    movl lm_test(%rip), %eax
    leaq lm_tests(%rip), %rbx
    movl (%rbx,%rax,4), %eax
    call *%rax
    jmp lm_done
lm_recover:
    movq catch64_rsp(%rip), %rsp
    movl %eax, lm_result(%rip)
lm_done:
    movq $0, catch64_rip(%rip)
    movl $2f, %eax
    pushq $0x08
    pushq %rax
    lretq
    .code32
2:  call long_mode_off
    call cpu_reload_idt             /* back to the 32-bit IDT */
    movl lm_saved_esp, %esp
    movl lm_result, %eax
    popl %edi
    popl %esi
    popl %ebx
    popl %ebp
    ret

/* ---- the tests (64-bit code) ---- */
    .code64
t_rsm:
    rsm
    ret
t_wrmsr_smrr:
    movl $0x1f3, %ecx
    xorl %eax, %eax
    xorl %edx, %edx
    wrmsr
    ret
t_rdmsr_smbase:
    movl $0x9e, %ecx
    rdmsr
    ret
t_fetch_smram:
    movl plat_smbase_value(%rip), %eax
    addl $0x8000, %eax
    call *%rax
    ret
t_walk_smram:
    movq lm_smram_va(%rip), %rax
    movl (%rax), %eax
    ret
t_nmi:
    movl $0, smm_mailbox+MB_SEEN(%rip)
    movb $SMM_CMD_NMI, %al
    outb %al, $0xb2
3:  cmpl $0, smm_mailbox+MB_SEEN(%rip)  /* wait for the SMI */
    je 3b
    movl $100000, %ecx              /* the NMI comes right after RSM */
3:  decl %ecx
    jnz 3b
    ret

    .section .rodata
    .align 4
lm_tests:
    .long t_rsm, t_wrmsr_smrr, t_rdmsr_smbase, t_fetch_smram
    .long t_walk_smram, t_nmi

/* ---- 64-bit exception stubs ---- */
    .text
    .code64
.macro ISR64 n
isr64_\n:
    .if (\n == 8) || (\n >= 10 && \n <= 14) || (\n == 17) || (\n == 21)
    addq $8, %rsp                   /* drop the error code */
    .endif
    .if \n == 2
    incl nmi_count(%rip)
    iretq
    .else
    movl $\n, %eax
    cmpq $0, catch64_rip(%rip)
    je isr64_unexpected
    jmp *catch64_rip(%rip)
    .endif
.endm

.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    ISR64 \n
.endr

isr64_unexpected:
    jmp fail64                      /* nothing expected a fault: code 3 */

    .section .rodata
    .align 4
    .globl isr64_table
isr64_table:
.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .long isr64_\n
.endr
