/*
 * Port I/O from ring 3 (Intel SDM vol. 1, 19.5). t64_ring3 (lm_call,
 * CPL 0) loads the TSS, IRETQs to ring 3 at ring3_entry with RFLAGS
 * ring3_rflags (so IOPL 0 or 3) and comes back from ring 3's INT 0x41.
 * Each ring-3 snippet does one I/O instruction and stores what it read;
 * a #GP resumes after the instruction (exc_resume) and is logged.
 * This is how Xen runs a PV guest: IOPL 0 and no bitmap, so every port
 * access faults and Xen emulates it.
 */
#include "../selectors/lm64.h"

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
#define SENTINEL 0xa5a5                 /* left in AX if the access faults */
#define COM1_MCR 0x3fc
#define COM1_LSR 0x3fd
#define COM1_SCR 0x3ff

    .text
    .code64
    .globl t64_ring3, ring3_return
    .globl r3_inb_lsr, r3_inb_imm, r3_outb_mcr, r3_inw_lsr, r3_inw_scr
    .globl r3_outsb_mcr
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

/* Each snippet: one access with AX = SENTINEL, then back to ring 0. */
#define SNIPPET(name, port, ...)           \
name:                                      \
    leaq 1f(%rip), %rax;                   \
    movq %rax, exc_resume(%rip);           \
    movw $(port), %dx;                     \
    movw $SENTINEL, %ax;                   \
    __VA_ARGS__;                           \
1:  movw %ax, ring3_value(%rip);           \
    int $0x41

SNIPPET(r3_inb_lsr, COM1_LSR, inb %dx, %al)
SNIPPET(r3_inb_imm, 0, inb $0x61, %al)
SNIPPET(r3_inw_lsr, COM1_LSR, inw %dx, %ax)   /* ports 0x3fd, 0x3fe */
SNIPPET(r3_inw_scr, COM1_SCR, inw %dx, %ax)   /* 0x3ff, 0x400: two bytes */

/* OUT writes MCR with the value ring 0 read from it (ring3_value). */
r3_outb_mcr:
    leaq 1f(%rip), %rax
    movq %rax, exc_resume(%rip)
    movw $COM1_MCR, %dx
    movb ring3_value(%rip), %al
    outb %al, %dx
1:  int $0x41

/* The string form: OUTSB from ring3_value to MCR. */
r3_outsb_mcr:
    leaq 1f(%rip), %rax
    movq %rax, exc_resume(%rip)
    movw $COM1_MCR, %dx
    leaq ring3_value(%rip), %rsi
    outsb
1:  int $0x41

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
