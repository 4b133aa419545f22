/*
 * 64-bit code for o3_smi_fetch (main.c).
 *
 * hop_tmpl..hop_tmpl_end: position-independent code that main.c copies
 * to the start of each of the 512 4 KiB pages mapped at HI_BASE (a
 * Xen-like linear address). Each copy picks a pseudo-random next page
 * (LCG in R13) and jumps there indirectly: the BTB mispredicts, the
 * wrong page's ITLB walk is in flight when the right page's queues
 * behind it, and the ROB runs dry waiting for it, which is when O3 takes
 * a pending SMI. Registers: RBP = HI_BASE, R12 = hops done, R10 = hop
 * budget, R11D = SMIs wanted, R15 = &smm_mailbox.count, R14 = exit.
 *
 * uint32_t hop_run(uint32_t cr3, uint32_t smis, uint32_t max_hops):
 * from 32-bit protected mode, paging off: long mode on CR3 (EFER.NXE as
 * the caller left it), hop until `smis` SMIs were taken or `max_hops`
 * hops were made, come back; returns the hops made.
 *
 * void fetch_fault(uint32_t cr3, uint32_t *out): long mode, CALL
 * FAULT_VA (not present), and record the #PF: out[0] = count, out[1] =
 * error code, out[2] = CR2 (low 32 bits), out[3] = CR2 >> 32. The
 * caller has EFER.NXE clear: the fetch's fault then has no I/D bit, and
 * gem5's walker turned the walk's mode into Read, which the O3 fetch
 * stage's FetchTranslation::finish asserts against.
 */
#include "smm_mailbox.h"

#define HI_BASE 0xffff82d040200000
#define FAULT_VA (HI_BASE + 0x200000 + 0x40) /* next 2 MiB: no PT */

    .data
    .align 8
saved_esp:  .long 0
ff_out:     .long 0
ff_resume:  .long 0
hops_done:  .long 0
    .align 16
    .globl ff_idt
ff_idt:     .skip 16 * 32
    .globl ff_idt_desc
ff_idt_desc:
    .word 16 * 32 - 1
    .long 0, 0

    .text
    .code64
    .globl hop_tmpl, hop_tmpl_end
hop_tmpl:
    imull $1664525, %r13d, %r13d
    addl $1013904223, %r13d
    movl %r13d, %eax
    shrl $23, %eax                  /* page 0..511 */
    shlq $12, %rax
    addq %rbp, %rax
    incq %r12
    cmpl %r11d, (%r15)              /* enough SMIs taken? */
    jae 1f
    cmpq %r10, %r12                 /* or out of hops (no trigger) */
    jae 1f
    jmp *%rax
1:  jmp *%r14
hop_tmpl_end:

    .code32
    .globl hop_run
hop_run:
    pushl %ebp
    pushl %ebx
    pushl %esi
    pushl %edi
    movl %esp, saved_esp
    movl 20(%esp), %eax
    movl 24(%esp), %esi             /* SMIs wanted */
    movl 28(%esp), %edi             /* hop budget */
    call long_mode_on               /* lib/cpu.S */
    ljmp $0x18, $1f
    .code64
1:  movabsq $HI_BASE, %rbp
    xorq %r12, %r12
    movl %edi, %r10d
    movl %esi, %r11d
    movl $smm_mailbox + MB_COUNT, %r15d
    movl $2f, %r14d
    movl $12345, %r13d
    jmp *%rbp                       /* page 0 */
2:  movl %r12d, hops_done(%rip)
    movl saved_esp(%rip), %esp
    movl $3f, %eax
    pushq $0x08
    pushq %rax
    lretq                           /* compatibility mode */
    .code32
3:  call long_mode_off
    movl hops_done, %eax
    popl %edi
    popl %esi
    popl %ebx
    popl %ebp
    ret

    .globl fetch_fault
fetch_fault:
    pushl %ebp
    pushl %ebx
    pushl %esi
    pushl %edi
    movl %esp, saved_esp
    movl 24(%esp), %eax
    movl %eax, ff_out
    movl 20(%esp), %eax
    call long_mode_on
    lidt ff_idt_desc
    ljmp $0x18, $1f
    .code64
1:  movl $2f, ff_resume(%rip)
    movabsq $FAULT_VA, %rax
    call *%rax                      /* #PF: PD entry not present */
2:  movl saved_esp(%rip), %esp
    movl $3f, %eax
    pushq $0x08
    pushq %rax
    lretq
    .code32
3:  call long_mode_off
    call cpu_reload_idt
    popl %edi
    popl %esi
    popl %ebx
    popl %ebp
    ret

    .code64
    .globl ff_pf_stub, ff_unexpected
ff_pf_stub:
    pushq %rax
    pushq %rbx
    movl ff_out(%rip), %ebx
    incl (%rbx)
    movq 16(%rsp), %rax             /* error code */
    movl %eax, 4(%rbx)
    movq %cr2, %rax
    movl %eax, 8(%rbx)
    shrq $32, %rax
    movl %eax, 12(%rbx)
    movl ff_resume(%rip), %eax
    movq %rax, 24(%rsp)             /* RIP in the frame */
    popq %rbx
    popq %rax
    addq $8, %rsp                   /* error code */
    iretq
ff_unexpected:
    jmp fail64                      /* lib/cpu.S: exit code 3 */

    .section .note.GNU-stack, "", @progbits
