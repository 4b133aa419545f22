/* GDT and 32-bit IDT stubs for the bare-metal tests. */

    .section .data
    .align 16
    .globl gdt
gdt:
    .quad 0                         /* 0x00 null */
    .quad 0x00cf9b000000ffff        /* 0x08 code32: flat, accessed */
    .quad 0x00cf93000000ffff        /* 0x10 data32: flat, accessed */
    .quad 0x00af9b000000ffff        /* 0x18 code64 */
    .quad 0x00009b000000ffff        /* 0x20 code16: base 0, 64 KiB */
    .quad 0x000093000000ffff        /* 0x28 data16 */
    .quad 0, 0                      /* 0x30 a TSS (cpu_load_tss) */
gdt_end:
    .globl gdt_desc
gdt_desc:
    .word gdt_end - gdt - 1
    .long gdt

    .align 16
idt:
    .skip 8 * 32
idt_desc:
    .word 8 * 32 - 1
    .long idt


    .text
    .code32
    .globl cpu_init
cpu_init:
    /* Caches on, as firmware leaves them (CR0.CD/NW are set at reset). */
    movl %cr0, %eax
    andl $0x9fffffff, %eax
    movl %eax, %cr0
    lgdt gdt_desc
    ljmp $0x08, $1f
1:  movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %fs
    movw %ax, %gs
    movw %ax, %ss
    /* Fill the IDT: 32-bit interrupt gates to isr_<n>. */
    xorl %ecx, %ecx
2:  movl isr_table(,%ecx,4), %eax
    movw %ax, idt(,%ecx,8)
    movw $0x08, idt+2(,%ecx,8)
    movw $0x8e00, idt+4(,%ecx,8)
    shrl $16, %eax
    movw %ax, idt+6(,%ecx,8)
    incl %ecx
    cmpl $32, %ecx
    jb 2b
    lidt idt_desc
    ret

/*
 * void cpu_load_tss(const void *tss, uint32_t limit): TR := an available
 * TSS at tss (below 4 GiB), as a kernel loads one for its ring-0 stack.
 * Once: LTR marks the descriptor busy.
 */
    .globl cpu_load_tss
cpu_load_tss:
    movl 4(%esp), %eax
    movl 8(%esp), %ecx
    movw %cx, gdt + 0x30
    movw %ax, gdt + 0x32
    shrl $16, %eax
    movb %al, gdt + 0x34
    movb $0x89, gdt + 0x35          /* present, DPL 0, available TSS */
    movb $0, gdt + 0x36
    movb %ah, gdt + 0x37
    movw $0x30, %ax
    ltr %ax
    ret

    .globl cpu_reload_idt
cpu_reload_idt:
    lidt idt_desc
    ret

/*
 * long_mode_on: from 32-bit protected mode with paging off, enter long
 * mode (compatibility submode, the caller's CS) on the page tables at
 * EAX: CR3, CR4.PAE, EFER.LME, then CR0.PG. The caller far-jumps to a
 * 64-bit CS if it wants 64-bit mode. long_mode_off undoes it, in the
 * order the SDM requires (PG, LME, PAE), from compatibility mode.
 * Both clobber EAX, ECX and EDX.
 */
    .globl long_mode_on, long_mode_off
long_mode_on:
    movl %eax, %cr3
    movl %cr4, %eax
    orl $0x20, %eax                 /* PAE */
    movl %eax, %cr4
    movl $0xc0000080, %ecx          /* EFER */
    rdmsr
    orl $0x100, %eax                /* LME */
    wrmsr
    movl %cr0, %eax
    orl $0x80000000, %eax
    movl %eax, %cr0
    ret

long_mode_off:
    movl %cr0, %eax
    andl $0x7fffffff, %eax
    movl %eax, %cr0
    movl $0xc0000080, %ecx
    rdmsr
    andl $~0x100, %eax
    wrmsr
    movl %cr4, %eax
    andl $~0x20, %eax
    movl %eax, %cr4
    ret

/*
 * fail64: end the run from 64-bit code, where there is no console, with
 * exit code 3: QEMU's isa-debug-exit, then gem5's m5 fail(0, 3) (an
 * undefined opcode on QEMU, never reached there). For unexpected
 * exceptions: jump here from the stub.
 */
    .code64
    .globl fail64
fail64:
    movl $3, %eax
    outb %al, $0xf4                 /* QEMU's isa-debug-exit */
    movl $3, %esi                   /* gem5: m5 fail(0, 3) */
    xorl %edi, %edi
    .byte 0x0f, 0x04
    .word 0x22
1:  hlt
    jmp 1b
    .code32

/* Vectors that push an error code: 8, 10-14, 17, 21. */
.macro ISR n
isr_\n:
    .if (\n == 8) || (\n >= 10 && \n <= 14) || (\n == 17) || (\n == 21)
    .else
    pushl $0
    .endif
    pushl $\n
    jmp isr_common
.endm

.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    ISR \n
.endr

    .section .rodata
    .align 4
isr_table:
.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .long isr_\n
.endr

    .text
isr_common:
    pushal
    pushl %esp                      /* struct trap_frame * */
    call trap_dispatch
    addl $4, %esp
    popal
    addl $8, %esp                   /* vector, error code */
    iret

    .section .note.GNU-stack, "", @progbits
