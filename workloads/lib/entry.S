/*
 * Multiboot (v1) header and 32-bit entry. The loader (QEMU's -kernel, or
 * Scotch's gem5 multiboot workload) enters in protected mode with paging
 * off, EAX = 0x2BADB002 and EBX = the multiboot information block.
 */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003 /* page-align modules, give a memory map */

    .section .multiboot, "a"
    .align 4
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)

    .text
    .code32
    .globl _start
_start:
    cli
    movl $stack_top, %esp
    pushl %ebx          /* multiboot info */
    pushl %eax          /* loader magic */
    call kmain
    pushl %eax
    call plat_exit
1:  hlt
    jmp 1b

    .bss
    .align 16
    .globl stack_bottom, stack_top
stack_bottom:
    .skip 16384
stack_top:
