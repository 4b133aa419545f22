/*
 * Accesses the paging suite makes through a page under test, each
 * resumable after an expected #PF (pf_resume, lib/cpu.h), and the
 * 64-bit #PF stub for the 4-level tests, which run as 32-bit code in
 * compatibility mode: their faults go through the 64-bit IDT.
 */

    .data
    .align 4
probe_esp:
    .long 0

    .text
    .code32
/* uint32_t probe_read(uint32_t va): 0 if it faults */
    .globl probe_read
probe_read:
    movl 4(%esp), %ecx
    movl $1f, pf_resume
    xorl %eax, %eax
    movl (%ecx), %eax
1:  movl $0, pf_resume
    ret

/* void probe_write(uint32_t va, uint32_t value) */
    .globl probe_write
probe_write:
    movl 4(%esp), %ecx
    movl 8(%esp), %edx
    movl $1f, pf_resume
    movl %edx, (%ecx)
1:  movl $0, pf_resume
    ret

/* void probe_fetch(uint32_t va): call va (a RET there) */
    .globl probe_fetch
probe_fetch:
    pushl %ebp
    movl %esp, probe_esp
    movl $1f, pf_resume
    movl 8(%esp), %eax
    call *%eax
1:  movl probe_esp, %esp
    movl $0, pf_resume
    popl %ebp
    ret

/* void lm_enter(uint32_t pml4, const void *idt_desc): paging off to
 * compatibility mode (lib/cpu.S), on the 64-bit IDT */
    .globl lm_enter, lm_leave
lm_enter:
    pushl %ebx
    movl 12(%esp), %ebx
    movl 8(%esp), %eax
    call long_mode_on
    lidt (%ebx)
    popl %ebx
    ret

/* void lm_leave(void): back to protected mode, paging off, 32-bit IDT */
lm_leave:
    call long_mode_off
    call cpu_reload_idt
    ret

/* ---- 64-bit stubs (in an ELF32 object: memory through %rip only) ---- */
    .code64
/* #PF with pf_resume set: record it and resume there. */
    .globl pf_stub64
pf_stub64:
    pushq %rax
    cmpl $0, pf_resume(%rip)
    je 2f
    movq 8(%rsp), %rax              /* error code */
    movl %eax, pf_err(%rip)
    movq %cr2, %rax
    movl %eax, pf_cr2(%rip)
    incl pf_count(%rip)
    movl pf_resume(%rip), %eax
    movq %rax, 16(%rsp)             /* RIP in the frame */
    popq %rax
    addq $8, %rsp                   /* error code */
    iretq
2:  popq %rax
/* Any other exception: end the run (lib/cpu.S, exit code 3). */
    .globl unexpected_stub64
unexpected_stub64:
    jmp fail64

    .section .note.GNU-stack, "", @progbits
