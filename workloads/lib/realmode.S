/*
 * rm_smi_peek (realmode.h): an SMI from real mode, through a trampoline
 * copied to RM_BASE. FS keeps lib's flat 4 GiB data segment in real mode
 * (cpu_init loads it), so the flag and the peeked word are reached with
 * 32-bit addresses.
 */
#include "realmode.h"

    .text
    .code32
    .globl rm_smi_peek, rm_after_offset, rm_after_end_offset
rm_smi_peek:
    pushl %ebp
    pushl %ebx
    pushl %esi
    pushl %edi
    movl $rm_tramp_start, %esi
    movl $RM_BASE, %edi
    movl $(rm_tramp_end - rm_tramp_start), %ecx
    cld
    rep movsb
    movl 20(%esp), %eax             /* cmd */
    movl 24(%esp), %ebx             /* flag */
    movl 28(%esp), %esi             /* peek */
    movl %esp, rm_saved_esp
    ljmp $0x20, $(RM_BASE + rm16 - rm_tramp_start)

    .code16
rm_tramp_start:
rm16:
    movw $0x28, %dx
    movw %dx, %ds
    movw %dx, %es
    movw %dx, %ss
    movl %cr0, %edx
    andl $0xfffffffe, %edx
    movl %edx, %cr0
    ljmp $0, $(RM_BASE + rm_real - rm_tramp_start)
rm_real:
    xorw %dx, %dx
    movw %dx, %ds
    movw %dx, %es
    movw %dx, %ss
    movl $(RM_BASE - 0x10), %esp
    addr32 movl $0, %fs:(%ebx)
    outb %al, $0xb2
rm_after:
    addr32 cmpl $0, %fs:(%ebx)
    je rm_after
rm_after_end:
    addr32 movl %fs:(%esi), %eax
    movl %cr0, %edx
    orl $1, %edx
    movl %edx, %cr0
    ljmpl $0x08, $rm_back
rm_tramp_end:

    .code32
rm_back:
    movw $0x10, %dx
    movw %dx, %ds
    movw %dx, %es
    movw %dx, %fs
    movw %dx, %gs
    movw %dx, %ss
    movl rm_saved_esp, %esp
    popl %edi
    popl %esi
    popl %ebx
    popl %ebp
    ret

    .section .rodata
rm_after_offset:
    .long rm_after - rm_tramp_start
rm_after_end_offset:
    .long rm_after_end - rm_tramp_start

    .data
    .align 4
rm_saved_esp:
    .long 0
