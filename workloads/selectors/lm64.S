/*
 * Long mode for the selector tests: a Xen-style GDT (lm64.h), identity
 * page tables for the first 1 GiB, a 64-bit IDT whose stubs log each
 * exception (exc_log) and resume at exc_resume, and lm_call().
 */
#include "lm64.h"

/* The GDT in a section of its own: .org offsets are selectors. */
    .section .data.big_gdt, "aw"
    .align 16
    .globl big_gdt
big_gdt:
    .quad 0                         /* 0x00 null */
    .quad 0x00cf9b000000ffff        /* 0x08 code32, as lib/cpu.S */
    .quad 0x00cf93000000ffff        /* 0x10 data32 */
    .quad 0x00af9b000000ffff        /* 0x18 code64 */
    .org LOWSEL_DATA_MAGIC
    .quad 0x00cf93000000ffff        /* 0x30 data, base 0 */
    .org XSEL_CODE32_LOW
    .quad 0x00cf9b000000ffff        /* 0x100 code32 */
    .org XSEL_CODE64
    .quad 0x00af9b000000ffff        /* 0xe008 code64 */
    .quad 0x00cf93000000ffff        /* 0xe010 data */
    .quad 0x00cf9b000000ffff        /* 0xe018 code32 */
    .quad 0x00a09b0000000000        /* 0xe020 code64, limit field 0 */
    .quad 0x00af1b000000ffff        /* 0xe028 code64, P = 0 */
    /* 0xe030: data, base MAGIC_ADDR (bits 23:16 and 31:24 of the base) */
    .quad 0x00cf93000000ffff | (((MAGIC_ADDR >> 16) & 0xff) << 32) \
        | (((MAGIC_ADDR >> 24) & 0xff) << 56)
    .quad 0                         /* 0xe038 */
    .quad 0x00cff3000000ffff        /* 0xe040 data, DPL 3 */
    .quad 0x00affb000000ffff        /* 0xe048 code64, DPL 3 */
    .globl big_gdt_tss
big_gdt_tss:
    .quad 0, 0                      /* 0xe050 64-bit TSS (tss64_install) */
big_gdt_end:

    .data
    .align 4
    .globl big_gdt_desc
big_gdt_desc:
    .word big_gdt_end - big_gdt - 1
    .long big_gdt

/* Identity map of the first 1 GiB in 2 MiB pages, user-accessible,
 * but for the last 2 MiB: a supervisor-only alias of 0..2 MiB. */
    .align 4096
pml4:
    .long pdpt + 0x7, 0
    .fill 511, 8, 0
pdpt:
    .long pd + 0x7, 0
    .fill 511, 8, 0
    .globl lm64_pd
lm64_pd:
pd:
    .set addr, 0
    .rept 511
    .long addr + 0x87, 0            /* P, RW, US, PS */
    .set addr, addr + 0x200000
    .endr
    .long 0x83, 0                   /* SUPERVISOR_ALIAS: P, RW, PS */

    .align 16
    .globl idt64
idt64:
    .fill 512, 8, 0                 /* 256 gates */
idt64_desc:
    .word 256 * 16 - 1
    .long idt64, 0

    .align 8
    .globl exc_log, exc_count, exc_resume
exc_log:
    .fill EXC_MAX * EXC_RECORD_SIZE, 1, 0
exc_resume:
    .quad 0
exc_count:
    .long 0
lm_saved_esp:
    .long 0
lm_fn:
    .long 0
lm_ret:
    .long 0

    .text
    .code32
    .globl big_gdt_load
big_gdt_load:
    lgdt big_gdt_desc
    ljmp $0x08, $1f
1:  movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %fs
    movw %ax, %gs
    movw %ax, %ss
    ret

/* uint32_t lm_call(void (*fn)(void)) */
    .globl lm_call
lm_call:
    pushl %ebp
    pushl %ebx
    pushl %esi
    pushl %edi
    movl 20(%esp), %eax
    movl %eax, lm_fn
    movl %esp, lm_saved_esp
    movl $pml4, %eax
    call long_mode_on               /* lib/cpu.S: compatibility mode */
    ljmp $XSEL_CODE64, $lm_entry64  /* far JMP to CS 0xe008 */

    .code64
    /* 64-bit code in an ELF32 object: memory through (%rip) only. */
lm_entry64:
    movl %esp, %esp                 /* clear RSP's upper half */
    lidt idt64_desc(%rip)
    movl lm_fn(%rip), %eax
    call *%rax
    movl %eax, lm_ret(%rip)
    movl $lm_back32, %eax
    pushq $XSEL_CODE32
    pushq %rax
    lretq                           /* to 32-bit code at CS 0xe018 */

    .code32
lm_back32:
    call long_mode_off              /* lib/cpu.S */
    call cpu_reload_idt             /* lib/cpu.S: the 32-bit IDT */
    movl lm_saved_esp, %esp
    movl lm_ret, %eax
    popl %edi
    popl %esi
    popl %ebx
    popl %ebp
    ret

/* ---- 64-bit exception stubs ---- */
    .code64
.macro STUB n
stub_\n:
    .if (\n == 8) || (\n >= 10 && \n <= 14) || (\n == 17) || (\n == 21)
    .else
    pushq $0                        /* no error code: log 0 */
    .endif
    pushq $\n
    jmp stub_common
.endm

.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,64
    STUB \n
.endr

/* Stack: vector, error, RIP, CS, RFLAGS, RSP, SS (after three pushes: +24) */
stub_common:
    pushq %rax
    pushq %rbx
    pushq %rcx
    movl exc_count(%rip), %ecx
    cmpl $EXC_MAX, %ecx
    jae 1f
    imull $EXC_RECORD_SIZE, %ecx, %ecx
    leaq exc_log(%rip), %rbx
    addq %rcx, %rbx
    movq 24(%rsp), %rax
    movq %rax, 0(%rbx)              /* vector */
    movq 32(%rsp), %rax
    movq %rax, 8(%rbx)              /* error code */
    movq 48(%rsp), %rax
    movq %rax, 16(%rbx)             /* CS in the frame */
    movq 72(%rsp), %rax
    movq %rax, 24(%rbx)             /* SS in the frame */
    xorl %eax, %eax
    movw %cs, %ax
    movq %rax, 32(%rbx)             /* CS the handler runs with */
1:  incl exc_count(%rip)
    movq exc_resume(%rip), %rax
    testq %rax, %rax
    jz stub_unexpected
    movq %rax, 40(%rsp)             /* resume there */
    popq %rcx
    popq %rbx
    popq %rax
    addq $16, %rsp                  /* vector, error code */
    iretq

stub_unexpected:
    jmp fail64                      /* no test expected it: code 3 */

    .section .rodata
    .align 4
    .globl stub_table
stub_table:
.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .long stub_\n
.endr
    .fill 32, 4, 0
    .long stub_64

    .section .note.GNU-stack, "", @progbits
