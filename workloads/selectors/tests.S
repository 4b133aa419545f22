/*
 * Far transfers and segment loads with selectors above 0xff, in 32-bit
 * protected mode (prot32_tests) and in 64-bit mode (t64_tests, run by
 * lm_call). Each stores what it observed in r32[] / r64[] (tests.h).
 */
#include "lm64.h"
#include "tests.h"

    .data
    .align 4
    .globl r32, r64
r32:
    .fill R32_COUNT, 4, 0
r64:
    .fill R64_COUNT, 4, 0
fp32_low:                           /* m16:32 far pointers */
    .long at_low
    .word XSEL_CODE32_LOW
fp32_far:
    .long far32
    .word XSEL_CODE32
sel_magic:
    .word XSEL_DATA_MAGIC
fp_limit0:
    .long at_limit0
    .word XSEL_CODE64_LIMIT0
fp_code64:
    .long at_code64
    .word XSEL_CODE64
fp_far64:                           /* m16:64 */
    .long far64, 0
    .word XSEL_CODE64
fp_null:
    .long 0
    .word 0

    .text
    .code32
/* void prot32_tests(void): returns with CS = 0x08, data segments 0xe010. */
    .globl prot32_tests
prot32_tests:
    pushl %ebx
    ljmp $XSEL_CODE32, $at_e018     /* far JMP ptr16:32 */
at_e018:
    movw %cs, r32 + 4 * R32_LJMP_IMM
    ljmp *fp32_low                  /* far JMP m16:32 to 0x100 */
at_low:
    movw %cs, r32 + 4 * R32_LJMP_MEM
    lcall $XSEL_CODE32, $far32      /* far CALL ptr16:32 */
    movl %eax, r32 + 4 * R32_LCALL_IMM_IN
    movw %cs, r32 + 4 * R32_LCALL_IMM_OUT
    lcall *fp32_far                 /* far CALL m16:32 */
    movl %eax, r32 + 4 * R32_LCALL_MEM_IN
    movw %cs, r32 + 4 * R32_LCALL_MEM_OUT
    movw $XSEL_DATA, %ax            /* MOV to SS and DS from a register */
    movw %ax, %ss
    movw %ax, %ds
    movw %ss, r32 + 4 * R32_SS
    movw %ds, r32 + 4 * R32_DS
    pushl $0x5a5aa5a5               /* the stack works through SS */
    popl %ebx
    movl %ebx, r32 + 4 * R32_STACK
    movw sel_magic, %es             /* MOV to ES from memory */
    movw %es, r32 + 4 * R32_ES
    movl %es:0, %eax                /* through ES's base */
    movl %eax, r32 + 4 * R32_ES_READ
    movw $XSEL_DATA, %ax
    movw %ax, %es
    ljmp $0x08, $back08
back08:
    popl %ebx
    ret

far32:
    xorl %eax, %eax
    movw %cs, %ax
    lret                            /* 32-bit far RET */

    .code64
/* void t64_tests(void), in 64-bit mode at CS 0xe008 (lm_call). */
    .globl t64_tests
t64_tests:
    pushq %rbx
    /* LRETQ to 0xe008, as Xen's __high_start does */
    leaq at_lretq(%rip), %rax
    pushq $XSEL_CODE64
    pushq %rax
    lretq
at_lretq:
    movw %cs, r64 + 4 * R64_LRETQ(%rip)
    ljmp *fp_limit0(%rip)           /* far JMP m16:32, limit field 0 */
at_limit0:
    movw %cs, r64 + 4 * R64_LJMP_LIMIT0(%rip)
    ljmp *fp_code64(%rip)           /* far JMP m16:32 */
at_code64:
    movw %cs, r64 + 4 * R64_LJMP(%rip)
    rex64 lcall *fp_far64(%rip)     /* far CALL m16:64 */
    movl %eax, r64 + 4 * R64_LCALL_IN(%rip)
    movw %cs, r64 + 4 * R64_LCALL_OUT(%rip)
    movw $XSEL_DATA, %ax            /* MOV to SS */
    movw %ax, %ss
    movw %ss, r64 + 4 * R64_SS(%rip)
    movw $XSEL_DATA_MAGIC, %ax      /* MOV to FS: its base from the GDT */
    movw %ax, %fs
    movw %fs, r64 + 4 * R64_FS(%rip)
    movl %fs:0, %eax
    movl %eax, r64 + 4 * R64_FS_READ(%rip)
    movw $XSEL_DATA, %ax
    movw %ax, %fs
    /* IRETQ to CS 0xe008, SS 0xe010 */
    movq %rsp, %rax
    pushq $XSEL_DATA
    pushq %rax
    pushfq
    pushq $XSEL_CODE64
    leaq at_iretq(%rip), %rax
    pushq %rax
    iretq
at_iretq:
    movw %cs, r64 + 4 * R64_IRET_CS(%rip)
    movw %ss, r64 + 4 * R64_IRET_SS(%rip)
    /* Exceptions and INT n through gates with CS 0xe008 */
    leaq after_ud(%rip), %rax
    movq %rax, exc_resume(%rip)
    ud2                             /* #UD */
after_ud:
    leaq after_gp(%rip), %rax
    movq %rax, exc_resume(%rip)
    ljmp *fp_null(%rip)             /* #GP(0): far JMP to selector 0 */
after_gp:
    leaq after_int(%rip), %rax
    movq %rax, exc_resume(%rip)
    int $0x40
after_int:
    movq $0, exc_resume(%rip)
    popq %rbx
    xorl %eax, %eax
    ret

far64:
    xorl %eax, %eax
    movw %cs, %ax
    lretq                           /* 64-bit far RET */

    .section .note.GNU-stack, "", @progbits
