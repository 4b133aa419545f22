/*
 * Segment loads and a far RET at CPL 3 with the GDT on a supervisor-only
 * page, as in a Xen PV guest's kernel (ring 3 in 64-bit PV; Xen maps
 * the guest's GDT in its own, supervisor-only, area). Descriptor-table
 * reads are supervisor accesses whatever the CPL: gem5's MOV to Sreg
 * and far RET read the GDT as CPL-3 accesses and took #PF, which
 * crashed Debian's Linux as dom0 in Linux's fixup for a FS load.
 *
 * t64_cpl3 (lm_call, CPL 0): LTR, load the GDT through its alias, IRETQ
 * to ring 3; ring 3 loads DS and ES, does LRETQ, enters ring 0 with
 * SYSCALL (a page away: Minor went on decoding the bytes after SYSCALL
 * as if at LSTAR) and is sent back by IRETQ, and comes back with INT
 * 0x41 (a DPL-3 gate, so RSP from the TSS).
 */
#include "../selectors/lm64.h"

    .data
    .align 16
    .globl tss64, user_ds, user_es, user_cs_after_lret, back_cs
    .globl syscall_cs, syscall_rcx
tss64:
    .fill 104, 1, 0
gdt_alias_desc:
    .word 0
    .long 0, 0
saved_rsp:
    .quad 0
user_ds:
    .long 0
user_es:
    .long 0
user_cs_after_lret:
    .long 0
back_cs:
    .long 0
syscall_cs:
    .long 0
syscall_rcx:
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
#define MSR_EFER 0xc0000080
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_FMASK 0xc0000084

    .text
    .code64
    .globl t64_cpl3, cpl3_return
t64_cpl3:
    pushq %rbx
    pushq %rbp
    movq %rsp, saved_rsp(%rip)
    /* Ring 0's stack through the supervisor-only alias too, as Xen's
     * is: INT 0x41's delivery must push there with ring 0's rights. */
    leaq kstack_top(%rip), %rax
    addq $SUPERVISOR_ALIAS, %rax
    movq %rax, tss64 + TSS_RSP0(%rip)
    movw $XSEL_TSS, %ax
    ltr %ax
    /* The GDT through its supervisor-only alias. */
    movw big_gdt_desc(%rip), %ax
    movw %ax, gdt_alias_desc(%rip)
    movl big_gdt_desc + 2(%rip), %eax
    addl $SUPERVISOR_ALIAS, %eax
    movl %eax, gdt_alias_desc + 2(%rip)
    lgdt gdt_alias_desc(%rip)
    /* SYSCALL: EFER.SCE, CS 0xe008 and SS 0xe010 (Xen's), syscall_entry,
     * no flags masked. */
    movl $MSR_EFER, %ecx
    rdmsr
    orl $1, %eax
    wrmsr
    movl $MSR_STAR, %ecx
    xorl %eax, %eax
    movl $XSEL_CODE64, %edx
    wrmsr
    movl $MSR_LSTAR, %ecx
    leaq syscall_entry(%rip), %rax
    movq %rax, %rdx
    shrq $32, %rdx
    wrmsr
    movl $MSR_FMASK, %ecx
    xorl %eax, %eax
    xorl %edx, %edx
    wrmsr
    /* IRETQ to ring 3 */
    leaq ustack_top(%rip), %rax
    pushq $XSEL_USER_DATA
    pushq %rax
    pushq $0x2                      /* RFLAGS: IF clear */
    pushq $XSEL_USER_CODE64
    leaq ring3(%rip), %rax
    pushq %rax
    iretq

ring3:
    movw $XSEL_USER_DATA, %ax
    movw %ax, %ds                   /* MOV to DS at CPL 3 */
    movw %ds, user_ds(%rip)
    movw user_data_sel(%rip), %es   /* MOV to ES from memory at CPL 3 */
    movw %es, user_es(%rip)
    leaq after_lret(%rip), %rax
    pushq $XSEL_USER_CODE64
    pushq %rax
    lretq                           /* far RET at CPL 3 */
after_lret:
    movw %cs, user_cs_after_lret(%rip)
    syscall                         /* ring 0, back by IRETQ */
    .globl after_syscall
after_syscall:
    int $0x41                       /* back to ring 0 */
1:  jmp 1b

/* SYSCALL's entry (ring 0, on ring 3's stack): record CS and the return
 * RIP, and IRETQ back to ring 3 there. A page away from the SYSCALL. */
    .balign 4096
syscall_entry:
    movw %cs, syscall_cs(%rip)
    movq %rcx, syscall_rcx(%rip)
    movq %rsp, %rax
    pushq $XSEL_USER_DATA
    pushq %rax
    pushq %r11                      /* RFLAGS, as SYSCALL saved them */
    pushq $XSEL_USER_CODE64
    pushq %rcx
    iretq

/* INT 0x41's handler (ring 0): undo and return from t64_cpl3. */
cpl3_return:
    movw %cs, back_cs(%rip)
    movq saved_rsp(%rip), %rsp
    movw $0x10, %ax
    movw %ax, %ss
    movw %ax, %ds
    movw %ax, %es
    lgdt big_gdt_desc(%rip)
    popq %rbp
    popq %rbx
    xorl %eax, %eax
    ret

    .section .rodata
user_data_sel:
    .word XSEL_USER_DATA

    .section .note.GNU-stack, "", @progbits
