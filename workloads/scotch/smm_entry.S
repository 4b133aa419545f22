/*
 * Scotch's SMM handler entry, at SMBASE + 0x8000 = 0xA8000. SMM starts
 * in a real-mode-like state (16-bit code, CS.base = SMBASE, 4 GiB data
 * limits); switch to flat 32-bit protected mode (paging stays off), run
 * the C handler on an SMRAM stack and return with RSM, which restores
 * every register from the state-save area.
 */
#include "scotch/smm_save_map.h"
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
    /*
     * SS only: its cached descriptor from SMM entry is 16-bit (SP), and
     * the stack is above 64 KiB. DS, ES, FS and GS keep SMM's base 0
     * and 4 GiB limit, all 32-bit data accesses need; each load costs
     * a descriptor read.
     */
    movl $0x10, %eax
    movl %eax, %ss
    movl $SCOTCH_STACK_TOP, %esp
    call scotch_smm_main
    /*
     * QEMU's TCG flushes its TLB at RSM only if CR0.PE, PG or WP change;
     * otherwise this handler's SMRAM pages, translated in SMM, stay
     * readable from outside SMM after RSM. So RSM must change one:
     * returning to code with paging on (Xen), PG changes; to protected
     * mode without paging, clear PE first; to real mode, leave PE set.
     * No far jump back to 16-bit code: RSM, decoded alike in either,
     * reloads CS. (Each CR0 write serializes: about 20 cycles on O3.)
     */
    testb $0x80, SCOTCH_SMBASE + SMM_CR0 + 3    /* the saved CR0.PG */
    jnz 2f
    testb $0x01, SCOTCH_SMBASE + SMM_CR0        /* the saved CR0.PE */
    jz 2f
    movl %cr0, %eax
    andl $~1, %eax
    movl %eax, %cr0
2:
    rsm

    .align 8
gdt:
    .quad 0
    .quad 0x00cf9a000000ffff     /* 0x08: code, flat 32-bit */
    .quad 0x00cf92000000ffff     /* 0x10: data, flat */
gdt_desc:
    .word gdt_desc - gdt - 1
    .long gdt
