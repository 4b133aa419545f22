/*
 * A second entry point for gem5's stock loader (X86FsLinux), which
 * starts the ELF entry point in 64-bit mode with the low 4 GiB identity
 * mapped. It drops to 32-bit protected mode with paging off, as a
 * multiboot loader leaves the CPU, and continues at entry.S's _start
 * with no multiboot information (EAX = 0). Linked as the ELF entry
 * (ld -e lm64_entry) it lets a gem5 built without Scotch-gem5, which has
 * no multiboot loader, run the same image: the overhead benchmark
 * compares binaries on it.
 */
#define SEL_CODE32 0x08
#define SEL_DATA32 0x10

    .text
    .code64
    .globl lm64_entry
lm64_entry:
    cli
    leaq lm64_stack(%rip), %rsp     /* the loader sets none */
    lgdt lm64_gdt_desc(%rip)        /* entry.S's GDT (cpu.S) */
    movl $1f, %eax
    pushq $SEL_CODE32
    pushq %rax
    lretq                           /* to compatibility mode */
    .code32
1:  movl %cr0, %eax
    andl $0x7fffffff, %eax          /* paging off: leaves long mode */
    movl %eax, %cr0
    movl $0xc0000080, %ecx          /* EFER.LME off */
    rdmsr
    andl $~0x100, %eax
    wrmsr
    movl %cr4, %eax
    andl $~0x20, %eax               /* PAE off */
    movl %eax, %cr4
    movw $SEL_DATA32, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %fs
    movw %ax, %gs
    movw %ax, %ss
    xorl %eax, %eax                 /* not a multiboot loader */
    xorl %ebx, %ebx
    jmp _start

    .data
    .align 8
lm64_gdt_desc:                      /* LGDT in 64-bit mode: 8-byte base */
    .word 6 * 8 - 1                 /* cpu.S's six descriptors */
    .long gdt, 0

    .bss
    .align 16
    .skip 64
lm64_stack:
