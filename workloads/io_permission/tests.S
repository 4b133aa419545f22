/*
 * Port I/O from ring 3 (Intel SDM vol. 1, 19.5), run by at_cpl3
 * (selectors/ring3.h) with IOPL 0 or 3. Each ring-3 snippet does one
 * I/O instruction and stores what it read; a #GP resumes after the
 * instruction (exc_resume) and is logged.
 * This is how Xen runs a PV guest: IOPL 0 and no bitmap, so every port
 * access faults and Xen emulates it.
 */
#include "../selectors/lm64.h"

#define SENTINEL 0xa5a5                 /* left in AX if the access faults */
#define COM1_MCR 0x3fc
#define COM1_LSR 0x3fd
#define COM1_SCR 0x3ff

    .text
    .code64
    .globl r3_inb_lsr, r3_inb_imm, r3_outb_mcr, r3_inw_lsr, r3_inw_scr
    .globl r3_outsb_mcr

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

    .section .note.GNU-stack, "", @progbits
