/*
 * Maskable interrupts in 64-bit mode, for the interrupt SMI trigger:
 * gem5 delivers interrupts through the IDT in real and long mode only.
 *
 * void lm_irqs(uint32_t pml4, uint32_t n, uint32_t *counts): enter long
 * mode, send this CPU n self-IPIs (fixed, vector IRQ_VECTOR) with IF
 * set, and after each one, once its handler has run and a while has
 * passed for an SMI to arrive, store the handler's SMI count in
 * counts[i]. counts[n] gets the count before the first IPI.
 */
#include "smm_mailbox.h"

#define IRQ_VECTOR 0x40
#define LAPIC_EOI 0xfee000b0
#define LAPIC_ICR_LO 0xfee00300
#define ICR_SELF_FIXED (0x00044000 | IRQ_VECTOR) /* self, assert, fixed */
#define SETTLE 20000

    .data
    .align 16
    .globl idt64
idt64:
    .skip 16 * 256
    .globl idt64_desc
idt64_desc:                         /* base filled in by main.c */
    .word 16 * 256 - 1
    .long 0, 0
    .align 8
lm_saved_esp: .long 0
lm_n:         .long 0
lm_counts:    .long 0
    .globl irq_count
irq_count:    .long 0

    .text
    .code32
    .globl lm_irqs
lm_irqs:
    pushl %ebp
    pushl %ebx
    pushl %esi
    pushl %edi
    movl %esp, lm_saved_esp
    movl 24(%esp), %eax
    movl %eax, lm_n
    movl 28(%esp), %eax
    movl %eax, lm_counts
    movl 20(%esp), %eax
    call long_mode_on
    ljmp $0x18, $1f

    .code64
    /* 64-bit code in an ELF32 object: memory through (%rip) only. */
1:  lidt idt64_desc(%rip)
    movl $SETTLE, %ecx              /* an SMI for long_mode_on's CR3 load */
0:  decl %ecx
    jnz 0b
    movl lm_counts(%rip), %ebx      /* zero-extends: below 4 GiB */
    movl lm_n(%rip), %esi
    movl smm_mailbox+MB_COUNT(%rip), %eax
    movl %eax, (%rbx,%rsi,4)
    xorl %edi, %edi
2:  cmpl %esi, %edi
    jae 5f
    movl irq_count(%rip), %ecx
    movl $LAPIC_ICR_LO, %edx
    movl $ICR_SELF_FIXED, %eax
    sti
    movl %eax, (%rdx)
3:  cmpl %ecx, irq_count(%rip)      /* wait for the handler */
    je 3b
    cli
    movl $SETTLE, %ecx              /* and for an SMI it caused */
4:  decl %ecx
    jnz 4b
    movl smm_mailbox+MB_COUNT(%rip), %eax
    movl %eax, (%rbx,%rdi,4)
    incl %edi
    jmp 2b
5:  movl $6f, %eax
    pushq $0x08
    pushq %rax
    lretq
    .code32
6:  call long_mode_off
    call cpu_reload_idt             /* back to the 32-bit IDT */
    movl lm_saved_esp, %esp
    popl %edi
    popl %esi
    popl %ebx
    popl %ebp
    ret

    .code64
    .globl irq64_handler, irq64_unexpected
irq64_handler:
    pushq %rax
    pushq %rdx
    incl irq_count(%rip)
    movl $LAPIC_EOI, %edx
    movl $0, (%rdx)
    popq %rdx
    popq %rax
    iretq

irq64_unexpected:
    jmp fail64                      /* lib/cpu.S: exit code 3 */
