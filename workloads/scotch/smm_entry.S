/*
 * Scotch's SMM handler entry, at SMBASE + 0x8000 = 0xA8000. SMM starts
 * in a real-mode-like state (16-bit code, CS.base = SMBASE, 4 GiB data
 * limits); switch to flat 32-bit protected mode (paging stays off), run
 * the C handler on an SMRAM stack and return with RSM, which restores
 * every register from the state-save area.
 */
#include "scotch_abi.h"

    .section .entry, "ax"
    .code16
    .globl smm_entry
smm_entry:
    jmp 1f
    /* The shim provisions struct scotch_config here. */
    .org SCOTCH_CONFIG_OFFSET
    .globl scotch_config
scotch_config:
    .skip 96
1:
    addr32 lgdtl gdt_desc
    movl %cr0, %eax
    orl $1, %eax                 /* PE */
    movl %eax, %cr0
    ljmpl $0x08, $pm32

    .code32
pm32:
    movl $0x10, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %ss
    movl %eax, %fs
    movl %eax, %gs
    movl $SCOTCH_STACK_TOP, %esp
    call scotch_smm_main
    /*
     * Back to real mode before RSM. QEMU's TCG flushes its TLB at RSM
     * only when CR0.PE, PG or WP change: leaving PE set would keep this
     * handler's SMRAM pages mapped after RSM, readable from outside SMM.
     */
    ljmpl $0x18, $(pm16 - SCOTCH_SMBASE)

    .code16
pm16:
    movl %cr0, %eax
    andl $~1, %eax
    movl %eax, %cr0
    rsm

    .align 8
gdt:
    .quad 0
    .quad 0x00cf9a000000ffff     /* 0x08: code, flat 32-bit */
    .quad 0x00cf92000000ffff     /* 0x10: data, flat */
    .quad 0x00009a0a0000ffff     /* 0x18: code, 16-bit, base SMBASE */
gdt_desc:
    .word gdt_desc - gdt - 1
    .long gdt
