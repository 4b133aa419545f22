/*
 * void lm_bench(struct lm_bench *r): the benchmark's timing loop, in
 * 64-bit mode at CPL 0 on the fake Xen stack, where Xen raises its
 * context-switch SMI. For each of r->n SMIs: make vcpu[i & 1] current
 * (if r->slot), clear the flag, then time, as smm_bench does, from an
 * LFENCE-serialised RDTSC before the OUT to 0xB2 to the one after the
 * handler's flag is seen (gem5's O3 CPU takes the SMI a few instructions
 * after the OUT, so the loop waits for it). Interrupts stay off.
 */
#include "lm_bench.h"

    .data
    .align 8
lm_saved_esp: .long 0
lmb_ptr:      .long 0

    .text
    .code32
    .globl lm_bench
lm_bench:
    pushl %ebp
    pushl %ebx
    pushl %esi
    pushl %edi
    movl 20(%esp), %ebx
    movl %ebx, lmb_ptr
    movl %esp, lm_saved_esp
    /* Long mode: PAE, EFER.LME, paging on, then a 64-bit CS. */
    movl LMB_PML4(%ebx), %eax
    call long_mode_on               /* lib/cpu.S */
    ljmp $0x18, $1f

    .code64
    /* 64-bit code in an ELF32 object: addresses below 4 GiB only. */
1:  movl lmb_ptr(%rip), %ebx
    movq LMB_RSP(%rbx), %rsp        /* Xen's stack: the handler looks */
    xorl %r12d, %r12d               /* there for struct cpu_info */
2:  cmpl LMB_N(%rbx), %r12d
    jae 8f
    movl LMB_SLOT(%rbx), %ecx       /* the context switch itself */
    testl %ecx, %ecx
    jz 3f
    movl %r12d, %eax
    andl $1, %eax
    movq LMB_VCPU(%rbx,%rax,8), %rax
    movq %rax, (%rcx)
3:  movl LMB_FLAG(%rbx), %r13d
    movl $0, (%r13)
    movq LMB_RDI(%rbx), %rdi
    movq LMB_RSI(%rbx), %rsi
    movl LMB_CMD(%rbx), %r15d
    mfence                          /* stores done before the clock */
    lfence
    rdtsc
    movl %eax, %r14d
    movl %r15d, %eax
    outb %al, $0xb2
    movl $LMB_BUDGET, %ecx
4:  cmpl $0, (%r13)
    jne 5f
    decl %ecx
    jnz 4b
    incl LMB_TIMEOUTS(%rbx)
5:  lfence
    rdtsc
    subl %r14d, %eax
    movl LMB_DELTAS(%rbx), %edx
    movl %eax, (%rdx,%r12,4)
    incl %r12d
    jmp 2b

    /* Back: our own stack, compatibility mode, paging and LME off. */
8:  movl lm_saved_esp(%rip), %esp
    movl $9f, %eax
    pushq $0x08
    pushq %rax
    lretq
    .code32
9:  call long_mode_off
    popl %edi
    popl %esi
    popl %ebx
    popl %ebp
    ret

    .section .note.GNU-stack, "", @progbits
